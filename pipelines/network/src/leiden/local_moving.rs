//! Fast local moving (Traag, Waltman & van Eck 2019, `MoveNodesFast`): visit nodes from a queue,
//! move each to the neighbouring (or an empty) community with the largest quality gain, and queue
//! the neighbours that the move may have made want to follow.

use std::collections::VecDeque;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::level::LevelGraph;

/// Sparse accumulator of edge weight from one node to each community it touches.
pub(super) struct NeighbourWeights {
    weights: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
}

impl NeighbourWeights {
    pub(super) fn new(community_capacity: usize) -> Self {
        Self { weights: vec![0.0; community_capacity], seen: vec![false; community_capacity], touched: Vec::new() }
    }

    #[inline]
    pub(super) fn add(&mut self, community: u32, weight: f64) {
        let index = community as usize;
        if !self.seen[index] {
            self.seen[index] = true;
            self.touched.push(community);
        }
        self.weights[index] += weight;
    }

    #[inline]
    pub(super) fn weight(&self, community: u32) -> f64 {
        self.weights[community as usize]
    }

    /// Communities touched since the last clear, in the order they were first touched.
    pub(super) fn touched(&self) -> &[u32] {
        &self.touched
    }

    pub(super) fn clear(&mut self) {
        for &community in &self.touched {
            self.weights[community as usize] = 0.0;
            self.seen[community as usize] = false;
        }
        self.touched.clear();
    }
}

/// Relative size, against a node's total edge weight, below which two gains are taken as equal.
const TIE_TOLERANCE: f64 = 1e-12;

/// Moves nodes between communities until no single move improves quality. `membership` holds ids
/// below `graph.node_count()`. Returns whether any node changed community.
pub(super) fn move_nodes_fast(
    graph: &LevelGraph<'_>,
    membership: &mut [u32],
    gain_factor: f64,
    rng: &mut ChaCha8Rng,
) -> bool {
    let node_count = graph.node_count();
    let node_weights = &graph.node_weights;
    let mut totals = vec![0.0; node_count];
    let mut sizes = vec![0u32; node_count];
    for (node, &community) in membership.iter().enumerate() {
        totals[community as usize] += node_weights[node];
        sizes[community as usize] += 1;
    }
    let mut empty: Vec<u32> = (0..node_count as u32).rev().filter(|&c| sizes[c as usize] == 0).collect();

    let mut order: Vec<u32> = (0..node_count as u32).collect();
    order.shuffle(rng);
    let mut queue: VecDeque<u32> = order.into();
    let mut queued = vec![true; node_count];
    let mut neighbour_weights = NeighbourWeights::new(node_count);
    let mut any_moved = false;

    while let Some(node) = queue.pop_front() {
        queued[node as usize] = false;
        let current = membership[node as usize];
        let weight = node_weights[node as usize];
        let mut row_weight = 0.0;
        for &(neighbour, edge_weight) in graph.row(node) {
            neighbour_weights.add(membership[neighbour as usize], edge_weight);
            row_weight += edge_weight;
        }
        totals[current as usize] -= weight;
        sizes[current as usize] -= 1;

        let gain = |community: u32, totals: &[f64]| {
            neighbour_weights.weight(community) - gain_factor * weight * totals[community as usize]
        };
        // Gains within this of 0 count as 0 (rounding), so that joining and leaving agree and no node
        // flips back and forth between a community and being alone.
        let tolerance = TIE_TOLERANCE * row_weight;
        let alone = sizes[current as usize] == 0;
        let mut best = current;
        let mut best_gain = if alone { f64::NEG_INFINITY } else { gain(current, &totals) };
        for &community in neighbour_weights.touched() {
            let candidate_gain = gain(community, &totals);
            if candidate_gain > best_gain {
                best = community;
                best_gain = candidate_gain;
            }
        }
        if alone {
            // Staying alone gains 0; join only for a real gain. (Joining on a tie keeps the quality
            // but, on LFR graphs, mostly attaches a node through a stray link: NMI drops.)
            if best_gain <= tolerance {
                best = current;
            }
        } else if best_gain <= tolerance
            && let Some(&fresh) = empty.last()
        {
            // Alone in a fresh community the gain is 0: leave on a tie, as joining needs a real gain.
            best = fresh;
        }
        neighbour_weights.clear();

        totals[best as usize] += weight;
        sizes[best as usize] += 1;
        if best == current {
            continue;
        }
        if empty.last() == Some(&best) {
            empty.pop();
        }
        if sizes[current as usize] == 0 {
            empty.push(current);
        }
        membership[node as usize] = best;
        any_moved = true;
        for &(neighbour, _) in graph.row(node) {
            if !queued[neighbour as usize] && membership[neighbour as usize] != best {
                queued[neighbour as usize] = true;
                queue.push_back(neighbour);
            }
        }
    }
    any_moved
}
