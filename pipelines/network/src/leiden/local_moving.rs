//! Fast local moving (Traag, Waltman & van Eck 2019, `MoveNodesFast`): visit nodes from a queue,
//! move each to the neighbouring (or an empty) community with the largest quality gain, and queue
//! the neighbours that the move may have made want to follow. On large levels the neighbourhoods of
//! the next nodes in the queue are read in parallel ([`super::batch`]), and each node's choice is made
//! on the thread that read it, against the partition as the batch began. The pass then settles the
//! nodes in queue order, keeping a choice unless something it read changed earlier in the batch (a
//! neighbour moved, or the total or size of a community it weighed), and choosing again otherwise:
//! the decisions are the ones a single thread makes.

use std::collections::VecDeque;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::batch::{BatchReader, Batching, Staleness, accumulate_neighbourhood, read_neighbourhood};
use super::bits::Bits;
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
    let queued = Bits::new(node_count, true);

    let batch_size = batching.size_for(node_count, graph.entry_count());
    let mut reader = BatchReader::new(node_count, if batch_size > 1 { rayon::current_num_threads() } else { 1 });
    let stale = (batch_size > 1).then(|| Staleness::new(node_count));
    let mut moves = Moves { queue, queued, stale, any: false };
    if batch_size == 1 {
        let accumulator = reader.accumulator();
        while let Some(node) = moves.queue.pop_front() {
            moves.queued.remove(node);
            let row_weight = accumulate_neighbourhood(graph, node, membership, accumulator);
            let current = membership[node as usize];
            let neighbourhood =
                accumulator.touched().iter().map(|&community| (community, accumulator.weight(community)));
            let own = accumulator.weight(current);
            let choice = communities.choose_from(node, current, neighbourhood, own, row_weight, gain_factor);
            accumulator.clear();
            let best = communities.settle(node, current, choice);
            moves.record(graph, membership, node, best);
        }
        return moves.any;
    }

    communities.track_touched();
    let mut batch: Vec<u32> = Vec::with_capacity(batch_size);
    let mut reread: Vec<(u32, f64)> = Vec::new();
    while !moves.queue.is_empty() {
        batch.clear();
        batch.extend(moves.queue.drain(..batch_size.min(moves.queue.len())));
        if let Some(stale) = &mut moves.stale {
            stale.next_batch();
        }
        communities.next_batch();
        let (before, membership_before) = (&communities, &*membership);
        reader.read(graph, &batch, membership_before, |node, neighbourhood, row_weight| {
            let current = membership_before[node as usize];
            before.choose(node, current, neighbourhood, row_weight, gain_factor)
        });
        for (index, &node) in batch.iter().enumerate() {
            moves.queued.remove(node);
            let current = membership[node as usize];
            let stale = moves.stale.as_ref().is_some_and(|stale| stale.is_stale(node));
            let choice = if stale {
                reread.clear();
                let row_weight = read_neighbourhood(graph, node, membership, reader.accumulator(), &mut reread);
                communities.choose(node, current, &reread, row_weight, gain_factor)
            } else {
                let (neighbourhood, row_weight, choice) = reader.neighbourhood(index);
                if communities.any_touched(current, neighbourhood) {
                    communities.choose(node, current, neighbourhood, row_weight, gain_factor)
                } else {
                    // Nothing the choice read has changed since the batch began: the choice made
                    // while reading is the one this visit makes.
                    choice
                }
            };
            let best = communities.settle(node, current, choice);
            moves.record(graph, membership, node, best);
        }
    }
    moves.any
}

/// The queue of nodes to visit, and what a move changes beside the membership.
struct Moves {
    queue: VecDeque<u32>,
    queued: Bits,
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
            if !self.queued.contains(neighbour) && membership[neighbour as usize] != best {
                self.queued.insert(neighbour);
                self.queue.push_back(neighbour);
            }
        }
    }
}

/// What a visit decides for a node, from the totals it read: the community with the largest gain,
/// or a fresh (empty) community if one is free when the move is made.
#[derive(Debug, Clone, Copy)]
struct Choice {
    best: u32,
    fresh: bool,
    /// Taking the node's weight out of its community's total and putting it back leaves the total
    /// as it was (it can change the last bit), so staying changes nothing.
    keeps_total: bool,
}

/// Each community's summed node weight and size, and the ids of empty communities.
struct Communities<'g> {
    node_weights: &'g [f64],
    totals: Vec<f64>,
    sizes: Vec<u32>,
    empty: Vec<u32>,
    /// Communities whose total or size changed in the current batch (when deciding in batches).
    touched: Option<Touched>,
}

impl<'g> Communities<'g> {
    fn new(graph: &'g LevelGraph<'_>, membership: &[u32]) -> Self {
        let node_weights: &'g [f64] = &graph.node_weights;
        let CommunityTotals { totals, sizes, empty } = CommunityTotals::of(node_weights, membership);
        Self { node_weights, totals, sizes, empty, touched: None }
    }

    /// From now on, note which communities each batch changes.
    fn track_touched(&mut self) {
        self.touched = Some(Touched::new(self.totals.len()));
    }

    /// Starts a new batch: no community has changed in it yet.
    fn next_batch(&mut self) {
        if let Some(touched) = &mut self.touched {
            touched.clear();
        }
    }

    /// Whether `current` or a community of `neighbourhood` changed in the current batch.
    fn any_touched(&self, current: u32, neighbourhood: &[(u32, f64)]) -> bool {
        self.touched.as_ref().is_some_and(|touched| {
            !touched.is_empty()
                && (touched.contains(current)
                    || neighbourhood.iter().any(|&(community, _)| touched.contains(community)))
        })
    }

    /// [`Self::choose_from`] with the weight to the node's own community found in `neighbourhood`.
    fn choose(
        &self,
        node: u32,
        current: u32,
        neighbourhood: &[(u32, f64)],
        row_weight: f64,
        gain_factor: f64,
    ) -> Choice {
        let own = neighbourhood.iter().find(|&&(community, _)| community == current).map_or(0.0, |&(_, w)| w);
        self.choose_from(node, current, neighbourhood.iter().copied(), own, row_weight, gain_factor)
    }

    /// Picks the community with the largest gain for `node`, taken out of `current`, given its
    /// `neighbourhood` (edge weight to each neighbouring community, in the order first met) and its
    /// weight to its `own` community. Changes nothing: [`Self::settle`] makes the move.
    fn choose_from(
        &self,
        node: u32,
        current: u32,
        neighbourhood: impl Iterator<Item = (u32, f64)>,
        own: f64,
        row_weight: f64,
        gain_factor: f64,
    ) -> Choice {
        let weight = self.node_weights[node as usize];
        // The current community's total without the node, as the totals will hold while it moves.
        let current_total = self.totals[current as usize] - weight;
        let totals = &self.totals;
        let gain = |community: u32, edge_weight: f64| {
            let total = if community == current { current_total } else { totals[community as usize] };
            edge_weight - gain_factor * weight * total
        };
        let alone = self.sizes[current as usize] == 1;
        let keeps_total = (current_total + weight).to_bits() == self.totals[current as usize].to_bits();
        let (best, fresh) = best_move(current, alone, neighbourhood, own, row_weight, gain);
        Choice { best, fresh, keeps_total }
    }

    /// Takes `node` out of `current` and puts it where `choice` says; returns its community.
    fn settle(&mut self, node: u32, current: u32, choice: Choice) -> u32 {
        let best = match (choice.fresh, self.empty.last()) {
            (true, Some(&fresh)) => fresh,
            _ => choice.best,
        };
        if best == current && choice.keeps_total {
            return current;
        }
        let weight = self.node_weights[node as usize];
        self.totals[current as usize] -= weight;
        self.sizes[current as usize] -= 1;
        self.totals[best as usize] += weight;
        self.sizes[best as usize] += 1;
        if best != current {
            if self.empty.last() == Some(&best) {
                self.empty.pop();
            }
            if self.sizes[current as usize] == 0 {
                self.empty.push(current);
            }
            if let Some(touched) = &mut self.touched {
                touched.insert(current);
                touched.insert(best);
            }
        } else if let Some(touched) = &mut self.touched {
            // The node stays, and taking its weight out and putting it back changed the total's
            // last bit (the choice did not keep the total: see `Choice::keeps_total`).
            touched.insert(current);
        }
        best
    }
}

/// The community with the largest `gain(community, edge weight)` for a node in `current` (where
/// it has weight `own`), among `current` and the communities of `neighbourhood`, and whether it
/// should rather go to a fresh (empty) community. `alone` says the node is its community's only
/// member; `row_weight` scales the tolerance within which gains count as equal.
pub(super) fn best_move(
    current: u32,
    alone: bool,
    neighbourhood: impl Iterator<Item = (u32, f64)>,
    own: f64,
    row_weight: f64,
    gain: impl Fn(u32, f64) -> f64,
) -> (u32, bool) {
    // Gains within this of 0 count as 0 (rounding), so that joining and leaving agree and no node
    // flips back and forth between a community and being alone.
    let tolerance = TIE_TOLERANCE * row_weight;
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
        return (if best_gain <= tolerance { current } else { best }, false);
    }
    // Alone in a fresh community the gain is 0: leave on a tie, as joining needs a real gain.
    (best, best_gain <= tolerance)
}

/// Each community's summed node weight and size under a membership (ids below the node count),
/// and the empty communities, highest id first.
pub(super) struct CommunityTotals {
    pub(super) totals: Vec<f64>,
    pub(super) sizes: Vec<u32>,
    pub(super) empty: Vec<u32>,
}

impl CommunityTotals {
    pub(super) fn of(node_weights: &[f64], membership: &[u32]) -> Self {
        let node_count = node_weights.len();
        let mut totals = vec![0.0; node_count];
        let mut sizes = vec![0u32; node_count];
        for (node, &community) in membership.iter().enumerate() {
            totals[community as usize] += node_weights[node];
            sizes[community as usize] += 1;
        }
        let empty = (0..node_count as u32).rev().filter(|&c| sizes[c as usize] == 0).collect();
        Self { totals, sizes, empty }
    }
}

/// A set of community ids, emptied in time proportional to what it holds.
struct Touched {
    bits: Bits,
    members: Vec<u32>,
}

impl Touched {
    fn new(capacity: usize) -> Self {
        Self { bits: Bits::new(capacity, false), members: Vec::new() }
    }

    #[inline]
    fn insert(&mut self, community: u32) {
        if self.bits.insert(community) {
            self.members.push(community);
        }
    }

    #[inline]
    fn contains(&self, community: u32) -> bool {
        self.bits.contains(community)
    }

    fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn clear(&mut self) {
        for &community in &self.members {
            self.bits.remove(community);
        }
        self.members.clear();
    }
}
