//! The Leiden loop on one connected graph: local moving, refinement, aggregation on the refined
//! partition with the unrefined one as the aggregate's starting point, level after level; and
//! iterations of that until the partition stops changing.

use rand_chacha::ChaCha8Rng;

use super::asynchronous_moving::move_nodes_asynchronously;
use super::batch::Batching;
use super::config::{LeidenConfig, Moving, Refinement};
use super::graph::Graph;
use super::level::LevelGraph;
use super::local_moving::move_nodes_fast;
use super::refine::refine;
use super::refine_by_community::refine_by_community;

/// Optimises `membership` (ids below the node count) in place; returns the number of iterations.
pub(super) fn optimise(
    graph: &Graph,
    config: &LeidenConfig,
    gain_factor: f64,
    membership: &mut Vec<u32>,
    rng: &mut ChaCha8Rng,
    batching: Batching,
) -> u32 {
    let base = LevelGraph::from_graph(graph, config.quality);
    renumber(membership);
    // Gains below this end the run (never when `min_gain` is 0: the objective is only computed then).
    let enough = config.min_gain * base.total_weight();
    let mut objective = if config.min_gain > 0.0 { base.objective(membership, gain_factor) } else { 0.0 };
    let mut iterations = 0u32;
    loop {
        let mut next = iterate(&base, membership, gain_factor, config, rng, batching);
        renumber(&mut next);
        let changed = next != *membership;
        *membership = next;
        iterations += 1;
        let mut gained_little = false;
        if changed && config.min_gain > 0.0 {
            let previous = std::mem::replace(&mut objective, base.objective(membership, gain_factor));
            gained_little = objective - previous < enough;
        }
        if !changed || gained_little || config.max_iterations.is_some_and(|max| iterations >= max) {
            return iterations;
        }
    }
}

/// One Leiden iteration starting from `membership`; returns the new membership of the base nodes.
fn iterate(
    base: &LevelGraph<'_>,
    membership: &[u32],
    gain_factor: f64,
    config: &LeidenConfig,
    rng: &mut ChaCha8Rng,
    batching: Batching,
) -> Vec<u32> {
    let mut aggregate: Option<LevelGraph<'static>> = None;
    let mut level_membership = membership.to_vec();
    // Which node of the current level each base node has been folded into.
    let mut base_to_level: Vec<u32> = (0..base.node_count() as u32).collect();
    loop {
        let level = aggregate.as_ref().unwrap_or(base);
        if config.moving == Moving::Asynchronous && batching.in_parallel(level.entry_count()) {
            let threads = rayon::current_num_threads();
            move_nodes_asynchronously(level, &mut level_membership, gain_factor, rng, threads);
        } else {
            move_nodes_fast(level, &mut level_membership, gain_factor, rng, batching);
        }
        let community_count = renumber(&mut level_membership);
        if community_count == level.node_count() {
            break;
        }
        let mut refined = match config.refinement {
            Refinement::Global => refine(level, &level_membership, gain_factor, config.randomness, rng),
            Refinement::PerCommunity => {
                refine_by_community(level, &level_membership, gain_factor, config.randomness, rng)
            }
        };
        let mut refined_count = renumber(&mut refined);
        if refined_count == level.node_count() {
            // Refinement merged nothing: aggregate by the communities themselves so the level shrinks.
            refined.clone_from(&level_membership);
            refined_count = community_count;
        }
        let mut next_membership = vec![0u32; refined_count];
        for (node, &cluster) in refined.iter().enumerate() {
            next_membership[cluster as usize] = level_membership[node];
        }
        for level_node in &mut base_to_level {
            *level_node = refined[*level_node as usize];
        }
        aggregate = Some(level.aggregate(&refined, refined_count, batching));
        level_membership = next_membership;
    }
    base_to_level.iter().map(|&level_node| level_membership[level_node as usize]).collect()
}

/// Renumbers community ids to `0..k` in order of first appearance; returns `k`.
pub(super) fn renumber(membership: &mut [u32]) -> usize {
    let capacity = membership.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut new_ids = vec![u32::MAX; capacity];
    let mut count = 0u32;
    for community in membership.iter_mut() {
        let slot = &mut new_ids[*community as usize];
        if *slot == u32::MAX {
            *slot = count;
            count += 1;
        }
        *community = *slot;
    }
    count as usize
}
