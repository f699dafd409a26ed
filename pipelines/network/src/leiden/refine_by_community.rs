//! Refinement community by community, as the Leiden paper states it (`RefinePartition` calls
//! `MergeNodesSubset` on each community): each community's nodes in a random order of their own,
//! drawn from a random stream of their own, so communities are refined on all threads at once. The
//! partition is fixed by the seed on any thread count, but is not the one [`super::refine::refine`]
//! gives, which visits a whole level in one random order (and which the linker's pinned groups use).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use orca_model::hash::splitmix64;

use super::level::{LevelGraph, members_by_cluster};
use super::neighbour_weights::NeighbourWeights;
use super::refine::choose;

/// Returns the refined partition as node-indexed cluster ids (not renumbered, ids `< node_count`).
/// `membership` holds ids `0..k`.
pub(super) fn refine_by_community(
    graph: &LevelGraph<'_>,
    membership: &[u32],
    gain_factor: f64,
    randomness: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<u32> {
    let node_count = graph.node_count();
    let community_count = membership.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let members = members_by_cluster(membership, community_count);
    // Each node's index within its community.
    let mut position = vec![0u32; node_count];
    for community in 0..community_count {
        for (index, &node) in members.of(community).iter().enumerate() {
            position[node as usize] = index as u32;
        }
    }
    let level_seed: u64 = rng.random();
    let context = Context { graph, membership, position: &position, gain_factor, randomness };
    let refined_by_community: Vec<Vec<u32>> = (0..community_count)
        .into_par_iter()
        .with_min_len(64)
        .map_init(Scratch::default, |scratch, community| {
            let nodes = members.of(community);
            let mut community_rng = ChaCha8Rng::seed_from_u64(splitmix64(level_seed ^ splitmix64(u64::from(nodes[0]))));
            scratch.refine(&context, community as u32, nodes, &mut community_rng)
        })
        .collect();

    let mut refined = vec![0u32; node_count];
    for (community, clusters) in refined_by_community.iter().enumerate() {
        for (&node, &cluster) in members.of(community).iter().zip(clusters) {
            refined[node as usize] = cluster;
        }
    }
    refined
}

/// What every community's refinement reads.
struct Context<'a, 'g> {
    graph: &'a LevelGraph<'g>,
    membership: &'a [u32],
    position: &'a [u32],
    gain_factor: f64,
    randomness: f64,
}

/// One thread's working space, indexed by position within the community being refined.
#[derive(Default)]
struct Scratch {
    refined: Vec<u32>,
    cluster_totals: Vec<f64>,
    external: Vec<f64>,
    grown: Vec<bool>,
    order: Vec<u32>,
    neighbour_weights: Option<NeighbourWeights>,
    candidates: Vec<(u32, f64)>,
}

impl Scratch {
    /// Refines one community (`nodes` in increasing order); returns each node's cluster, named by
    /// the node the cluster grew from.
    fn refine(&mut self, context: &Context<'_, '_>, community: u32, nodes: &[u32], rng: &mut ChaCha8Rng) -> Vec<u32> {
        let size = nodes.len();
        if size == 1 {
            return nodes.to_vec();
        }
        let Context { graph, membership, position, gain_factor, randomness } = *context;
        let node_weights = &graph.node_weights;
        let inside = |node: u32| {
            graph
                .row(node)
                .iter()
                .filter(move |&(neighbour, _)| membership[neighbour as usize] == community)
                .map(|(neighbour, weight)| (position[neighbour as usize], weight))
        };
        self.refined.clear();
        self.refined.extend(0..size as u32);
        self.cluster_totals.clear();
        self.cluster_totals.extend(nodes.iter().map(|&node| node_weights[node as usize]));
        let community_total: f64 = self.cluster_totals.iter().sum();
        // Weight from each sub-community to the rest of its community.
        self.external.clear();
        self.external.extend(nodes.iter().map(|&node| inside(node).map(|(_, weight)| weight).sum::<f64>()));
        self.grown.clear();
        self.grown.resize(size, false);
        self.order.clear();
        self.order.extend(0..size as u32);
        self.order.shuffle(rng);
        if self.neighbour_weights.as_ref().is_none_or(|weights| weights.capacity() < size) {
            self.neighbour_weights = Some(NeighbourWeights::new(size.next_power_of_two()));
        }
        let neighbour_weights = self.neighbour_weights.as_mut().expect("set above");

        let well_connected = |cluster_total: f64, external: f64| {
            external >= gain_factor * cluster_total * (community_total - cluster_total)
        };
        for &local in &self.order {
            let own = self.refined[local as usize];
            if self.grown[own as usize] || own != local {
                continue; // only singletons move
            }
            let weight = self.cluster_totals[local as usize];
            if !well_connected(weight, self.external[local as usize]) {
                continue;
            }
            for (neighbour, edge_weight) in inside(nodes[local as usize]) {
                neighbour_weights.add(self.refined[neighbour as usize], edge_weight);
            }
            self.candidates.clear();
            let mut best_gain = 0.0f64;
            for &cluster in neighbour_weights.touched() {
                let total = self.cluster_totals[cluster as usize];
                if !well_connected(total, self.external[cluster as usize]) {
                    continue;
                }
                let gain = neighbour_weights.weight(cluster) - gain_factor * weight * total;
                // Ties with staying alone stay alone, as in local moving.
                if gain > 0.0 {
                    best_gain = best_gain.max(gain);
                    self.candidates.push((cluster, gain));
                }
            }
            if let Some(chosen) = choose(&mut self.candidates, best_gain, randomness, rng) {
                let joined_weight = neighbour_weights.weight(chosen);
                self.refined[local as usize] = chosen;
                self.cluster_totals[chosen as usize] += weight;
                self.cluster_totals[local as usize] = 0.0;
                self.external[chosen as usize] += self.external[local as usize] - 2.0 * joined_weight;
                self.grown[chosen as usize] = true;
            }
            neighbour_weights.clear();
        }
        self.refined.iter().map(|&cluster| nodes[cluster as usize]).collect()
    }
}
