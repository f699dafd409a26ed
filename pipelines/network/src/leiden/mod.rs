//! Leiden community detection (Traag, Waltman & van Eck 2019) on a compact CSR graph.
//!
//! Each connected component is optimised on its own (in parallel), with a random stream derived
//! from the seed and the component's smallest node, so a change in one component never reshuffles
//! another and the result does not depend on the thread count (unless [`Moving::Asynchronous`] is
//! chosen, which trades that for speed on large levels). Within a component: fast local
//! moving with a queue, refinement with randomness `θ` (which keeps communities connected),
//! aggregation on the refined partition starting from the unrefined one, repeated until an
//! iteration changes nothing. A final pass splits any community that is not connected (possible
//! only when a warm start hands one in), which never lowers quality.
//!
//! Warm start: pass the previous membership as `initial`; nodes start where they were and move
//! only when that improves quality, so unrelated groups keep their members.

mod asynchronous_moving;
mod batch;
mod bits;
mod components;
mod config;
mod graph;
mod level;
mod local_moving;
mod neighbour_weights;
mod optimise;
mod refine;
mod refine_by_community;
mod row;
#[cfg(test)]
mod tests;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use config::{LeidenConfig, Moving, Quality, Refinement, quality};
pub use graph::{Graph, GraphError};

use batch::Batching;
use components::{Components, split_disconnected};
use optimise::optimise;

/// Communities found by [`leiden`].
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    /// Community of each node, numbered `0..k` in order of each community's smallest node.
    pub membership: Vec<u32>,
    /// The [`quality`] of `membership` under the run's configuration.
    pub quality: f64,
    /// The most Leiden iterations any connected component took (each component is optimised on
    /// its own; a lone node takes none).
    pub iterations: u32,
}

impl Partition {
    pub fn community_count(&self) -> usize {
        self.membership.iter().map(|&c| c as usize + 1).max().unwrap_or(0)
    }
}

/// Finds communities of `graph`, starting from `initial` (one community id per node, any numbering)
/// or from singletons. Every returned community is connected.
///
/// # Panics
/// When `initial` does not have one entry per node.
pub fn leiden(graph: &Graph, config: &LeidenConfig, initial: Option<&[u32]>) -> Partition {
    leiden_batched(graph, config, initial, Batching::default())
}

/// [`leiden`] reading neighbourhoods as `batching` says (the partition is the same for any).
fn leiden_batched(graph: &Graph, config: &LeidenConfig, initial: Option<&[u32]>, batching: Batching) -> Partition {
    let node_count = graph.node_count();
    if let Some(initial) = initial {
        assert_eq!(initial.len(), node_count, "`initial` needs one community per node");
    }
    let gain_factor = config.gain_factor(graph);
    let components = Components::of(graph);

    let (membership, iterations) = if components.count == 1 {
        let mut membership = starting_membership(initial, components.members.of(0));
        let iterations =
            optimise(graph, config, gain_factor, &mut membership, &mut component_rng(config.seed, 0), batching);
        (membership, iterations)
    } else {
        let mut local_index = vec![0u32; node_count];
        for component in 0..components.count {
            for (index, &node) in components.members.of(component).iter().enumerate() {
                local_index[node as usize] = index as u32;
            }
        }
        let local_memberships: Vec<(Vec<u32>, u32)> = (0..components.count)
            .into_par_iter()
            .map(|component| {
                let nodes = components.members.of(component);
                if nodes.len() == 1 {
                    return (vec![0], 0);
                }
                let subgraph = Components::subgraph(graph, nodes, &local_index);
                let mut membership = starting_membership(initial, nodes);
                let iterations = optimise(
                    &subgraph,
                    config,
                    gain_factor,
                    &mut membership,
                    &mut component_rng(config.seed, nodes[0]),
                    batching,
                );
                (membership, iterations)
            })
            .collect();
        let mut membership = vec![0u32; node_count];
        let mut first_id = 0u32;
        for (component, (local, _)) in local_memberships.iter().enumerate() {
            for (&node, &community) in components.members.of(component).iter().zip(local) {
                membership[node as usize] = first_id + community;
            }
            first_id += local.len() as u32;
        }
        debug_assert!(components.of_node.len() == node_count);
        (membership, local_memberships.iter().map(|&(_, iterations)| iterations).max().unwrap_or(0))
    };

    let membership = split_disconnected(graph, &membership);
    let quality = quality(graph, &membership, config);
    Partition { membership, quality, iterations }
}

/// The warm start restricted to `nodes` and renumbered `0..k`, or singletons.
fn starting_membership(initial: Option<&[u32]>, nodes: &[u32]) -> Vec<u32> {
    let Some(initial) = initial else {
        return (0..nodes.len() as u32).collect();
    };
    let mut new_ids: FxHashMap<u32, u32> = FxHashMap::default();
    nodes
        .iter()
        .map(|&node| {
            let next = new_ids.len() as u32;
            *new_ids.entry(initial[node as usize]).or_insert(next)
        })
        .collect()
}

/// An independent random stream per component, fixed by the seed and the component's first node.
fn component_rng(seed: u64, first_node: u32) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(splitmix64(seed ^ splitmix64(u64::from(first_node))))
}

use orca_model::hash::splitmix64;
