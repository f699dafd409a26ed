//! Fast local moving (Traag, Waltman & van Eck 2019, `MoveNodesFast`): visit nodes from a queue,
//! move each to the neighbouring (or an empty) community with the largest quality gain, and queue
//! the neighbours that the move may have made want to follow. On large levels the neighbourhoods of
//! the next nodes in the queue are read in parallel ([`super::batch`]); the decisions are the same.

use std::collections::VecDeque;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::batch::{BatchReader, Batching, Staleness, accumulate_neighbourhood, read_neighbourhood};
use super::level::LevelGraph;

/// Relative size, against a node's total edge weight, below which two gains are taken as equal.
const TIE_TOLERANCE: f64 = 1e-12;

/// Moves nodes between communities until no single move improves quality. `membership` holds ids
/// below `graph.node_count()`. Returns whether any node changed community.
pub(super) fn move_nodes_fast(
    graph: &LevelGraph<'_>,
    membership: &mut [u32],
    gain_factor: f64,
    rng: &mut ChaCha8Rng,
    batching: Batching,
) -> bool {
    let node_count = graph.node_count();
    let mut communities = Communities::new(graph, membership);
    let mut order: Vec<u32> = (0..node_count as u32).collect();
    order.shuffle(rng);
    let queue: VecDeque<u32> = order.into();
    let queued = vec![true; node_count];

    let batch_size = batching.size_for(node_count, graph.entry_count());
    let mut reader = BatchReader::new(node_count, if batch_size > 1 { rayon::current_num_threads() } else { 1 });
    let stale = (batch_size > 1).then(|| Staleness::new(node_count));
    let mut moves = Moves { queue, queued, stale, any: false };
    if batch_size == 1 {
        let accumulator = reader.accumulator();
        while let Some(node) = moves.queue.pop_front() {
            moves.queued[node as usize] = false;
            let row_weight = accumulate_neighbourhood(graph, node, membership, accumulator);
            let current = membership[node as usize];
            let neighbourhood =
                accumulator.touched().iter().map(|&community| (community, accumulator.weight(community)));
            let own = accumulator.weight(current);
            let best = communities.best_move(node, current, neighbourhood, own, row_weight, gain_factor);
            accumulator.clear();
            moves.record(graph, membership, node, best);
        }
        return moves.any;
    }

    let mut batch: Vec<u32> = Vec::with_capacity(batch_size);
    let mut reread: Vec<(u32, f64)> = Vec::new();
    while !moves.queue.is_empty() {
        batch.clear();
        batch.extend(moves.queue.drain(..batch_size.min(moves.queue.len())));
        if let Some(stale) = &mut moves.stale {
            stale.next_batch();
        }
        reader.read(graph, &batch, membership);
        for (index, &node) in batch.iter().enumerate() {
            moves.queued[node as usize] = false;
            let (neighbourhood, row_weight) = if moves.stale.as_ref().is_some_and(|stale| stale.is_stale(node)) {
                reread.clear();
                let row_weight = read_neighbourhood(graph, node, membership, reader.accumulator(), &mut reread);
                (reread.as_slice(), row_weight)
            } else {
                reader.neighbourhood(index)
            };
            let current = membership[node as usize];
            let own = neighbourhood.iter().find(|&&(community, _)| community == current).map_or(0.0, |&(_, w)| w);
            let best =
                communities.best_move(node, current, neighbourhood.iter().copied(), own, row_weight, gain_factor);
            moves.record(graph, membership, node, best);
        }
    }
    moves.any
}

/// The queue of nodes to visit, and what a move changes beside the membership.
struct Moves {
    queue: VecDeque<u32>,
    queued: Vec<bool>,
    /// Neighbours of nodes moved in the current batch (when reading in batches).
    stale: Option<Staleness>,
    any: bool,
}

impl Moves {
    /// Puts `node` in `best`; when that is a move, queues the neighbours that may now follow.
    fn record(&mut self, graph: &LevelGraph<'_>, membership: &mut [u32], node: u32, best: u32) {
        if membership[node as usize] == best {
            return;
        }
        membership[node as usize] = best;
        self.any = true;
        for &neighbour in graph.row(node).neighbours {
            if let Some(stale) = &mut self.stale {
                stale.mark(neighbour);
            }
            if !self.queued[neighbour as usize] && membership[neighbour as usize] != best {
                self.queued[neighbour as usize] = true;
                self.queue.push_back(neighbour);
            }
        }
    }
}

/// Each community's summed node weight and size, and the ids of empty communities.
struct Communities<'g> {
    node_weights: &'g [f64],
    totals: Vec<f64>,
    sizes: Vec<u32>,
    empty: Vec<u32>,
}

impl<'g> Communities<'g> {
    fn new(graph: &'g LevelGraph<'_>, membership: &[u32]) -> Self {
        let node_count = graph.node_count();
        let node_weights: &'g [f64] = &graph.node_weights;
        let mut totals = vec![0.0; node_count];
        let mut sizes = vec![0u32; node_count];
        for (node, &community) in membership.iter().enumerate() {
            totals[community as usize] += node_weights[node];
            sizes[community as usize] += 1;
        }
        let empty = (0..node_count as u32).rev().filter(|&c| sizes[c as usize] == 0).collect();
        Self { node_weights, totals, sizes, empty }
    }

    /// Takes `node` out of `current`, picks the community with the largest gain given the node's
    /// `neighbourhood` (edge weight to each neighbouring community, in the order first met) and its
    /// weight to its `own` community, puts the node there and returns it.
    fn best_move(
        &mut self,
        node: u32,
        current: u32,
        neighbourhood: impl Iterator<Item = (u32, f64)>,
        own: f64,
        row_weight: f64,
        gain_factor: f64,
    ) -> u32 {
        let weight = self.node_weights[node as usize];
        self.totals[current as usize] -= weight;
        self.sizes[current as usize] -= 1;

        let totals = &self.totals;
        let gain = |community: u32, edge_weight: f64| edge_weight - gain_factor * weight * totals[community as usize];
        // Gains within this of 0 count as 0 (rounding), so that joining and leaving agree and no node
        // flips back and forth between a community and being alone.
        let tolerance = TIE_TOLERANCE * row_weight;
        let alone = self.sizes[current as usize] == 0;
        let mut best = current;
        let mut best_gain = if alone { f64::NEG_INFINITY } else { gain(current, own) };
        for (community, edge_weight) in neighbourhood {
            let candidate_gain = gain(community, edge_weight);
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
            && let Some(&fresh) = self.empty.last()
        {
            // Alone in a fresh community the gain is 0: leave on a tie, as joining needs a real gain.
            best = fresh;
        }

        self.totals[best as usize] += weight;
        self.sizes[best as usize] += 1;
        if best != current {
            if self.empty.last() == Some(&best) {
                self.empty.pop();
            }
            if self.sizes[current as usize] == 0 {
                self.empty.push(current);
            }
        }
        best
    }
}
