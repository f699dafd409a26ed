//! Refinement (Traag, Waltman & van Eck 2019, `RefinePartition` / `MergeNodesSubset`): inside each
//! community, start from singletons and let well-connected singletons join well-connected
//! sub-communities, chosen at random with probability `∝ exp(gain / θ)` among positive gains.
//! Sub-communities only ever grow by a node adjacent to them, so each is connected.
//! (Reading neighbourhoods in parallel batches, as local moving does on large levels, measured no
//! faster here at 100,000 or 1,000,000 nodes, so refinement reads node by node.)

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::level::LevelGraph;
use super::neighbour_weights::NeighbourWeights;

/// Returns the refined partition as node-indexed cluster ids (not renumbered, ids `< node_count`).
pub(super) fn refine(
    graph: &LevelGraph<'_>,
    membership: &[u32],
    gain_factor: f64,
    randomness: f64,
    rng: &mut ChaCha8Rng,
) -> Vec<u32> {
    let node_count = graph.node_count();
    let node_weights = &graph.node_weights;
    let mut community_totals = vec![0.0; node_count];
    for (node, &community) in membership.iter().enumerate() {
        community_totals[community as usize] += node_weights[node];
    }
    let mut refined: Vec<u32> = (0..node_count as u32).collect();
    let mut cluster_totals: Vec<f64> = node_weights.to_vec();
    // Weight from each sub-community to the rest of its community.
    let mut external: Vec<f64> = (0..node_count as u32)
        .map(|node| {
            let community = membership[node as usize];
            graph
                .row(node)
                .iter()
                .filter(|&(neighbour, _)| membership[neighbour as usize] == community)
                .map(|(_, w)| w)
                .sum()
        })
        .collect();
    let mut grown = vec![false; node_count];

    let mut order: Vec<u32> = (0..node_count as u32).collect();
    order.shuffle(rng);
    let mut neighbour_weights = NeighbourWeights::new(node_count);
    let mut candidates: Vec<(u32, f64)> = Vec::new();

    for node in order {
        let own = refined[node as usize];
        if grown[own as usize] || own != node {
            continue; // only singletons move
        }
        let community = membership[node as usize];
        let community_total = community_totals[community as usize];
        let weight = node_weights[node as usize];
        let well_connected = |cluster_total: f64, external: f64| {
            external >= gain_factor * cluster_total * (community_total - cluster_total)
        };
        if !well_connected(weight, external[node as usize]) {
            continue;
        }
        for (neighbour, edge_weight) in graph.row(node) {
            if membership[neighbour as usize] == community {
                neighbour_weights.add(refined[neighbour as usize], edge_weight);
            }
        }
        candidates.clear();
        let mut best_gain = 0.0f64;
        for &cluster in neighbour_weights.touched() {
            let total = cluster_totals[cluster as usize];
            if !well_connected(total, external[cluster as usize]) {
                continue;
            }
            let gain = neighbour_weights.weight(cluster) - gain_factor * weight * total;
            // Ties with staying alone stay alone, as in local moving.
            if gain > 0.0 {
                best_gain = best_gain.max(gain);
                candidates.push((cluster, gain));
            }
        }
        if let Some(chosen) = choose(&mut candidates, best_gain, randomness, rng) {
            let joined_weight = neighbour_weights.weight(chosen);
            refined[node as usize] = chosen;
            cluster_totals[chosen as usize] += weight;
            cluster_totals[node as usize] = 0.0;
            external[chosen as usize] += external[node as usize] - 2.0 * joined_weight;
            grown[chosen as usize] = true;
        }
        neighbour_weights.clear();
    }
    refined
}

/// Picks a cluster with probability `∝ exp((gain − best_gain) / θ)`, staying alone (gain 0) being
/// one of the options; `None` means stay. With `θ = 0` the best gain wins (first one on ties).
pub(super) fn choose(
    candidates: &mut [(u32, f64)],
    best_gain: f64,
    randomness: f64,
    rng: &mut ChaCha8Rng,
) -> Option<u32> {
    if candidates.is_empty() {
        return None;
    }
    if randomness <= 0.0 {
        let &(cluster, gain) = candidates.iter().find(|&&(_, gain)| gain == best_gain)?;
        return (gain > 0.0).then_some(cluster);
    }
    // Turn gains into relative weights in place; the largest weight is 1, so nothing overflows.
    let mut total = (-best_gain / randomness).exp();
    for (_, gain) in candidates.iter_mut() {
        *gain = ((*gain - best_gain) / randomness).exp();
        total += *gain;
    }
    let mut draw = rng.random::<f64>() * total;
    for &(cluster, weight) in candidates.iter() {
        draw -= weight;
        if draw < 0.0 {
            return Some(cluster);
        }
    }
    None
}
