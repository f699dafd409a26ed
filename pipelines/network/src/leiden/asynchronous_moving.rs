//! Asynchronous fast local moving ([`super::Moving::Asynchronous`]), as NetworKit's
//! `ParallelLeiden` moves nodes. Every thread visits nodes at the same time as the others, reading
//! the partition as they leave it and moving nodes at once. Two rules differ from
//! [`super::local_moving`], both NetworKit's:
//!
//! - A node that a visit leaves where it is is not queued again in the same pass: only a node that
//!   moved can be visited again, when a later move of a neighbour queues it. On a well-mixed graph
//!   most visits move nothing (95% on the dense aggregates of an LFR graph at mixing 0.5), so this
//!   cuts the visits of a pass by more than half; the partition is less optimised in each pass, and
//!   stops short of merging groups that the seeded rule merges (see `benches/leiden/README.md`).
//! - The queue is split between the threads. Each thread visits the nodes its own moves queued
//!   before those of the others, and hands what it queues to the others a part at a time; the pass
//!   ends when no thread has a node left.
//!
//! A node is in at most one thread's queue (its bit in `queued` is set from being queued until a
//! visit moves it), so only one thread at a time changes its community. Community totals and sizes
//! are shared atomics: a visit may read a total that another thread is about to change, which is
//! what makes the partition depend on how the threads interleave.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::level::LevelGraph;
use super::local_moving::{CommunityTotals, best_move};
use super::neighbour_weights::NeighbourWeights;

/// A thread hands queued nodes to the others this many at a time.
const HAND_OVER: usize = 1024;

/// Moves nodes between communities on up to `threads` threads until no single move improves quality.
/// `membership` holds ids below `graph.node_count()`. The first visits follow one random order from
/// `rng`, split into a part per thread.
pub(super) fn move_nodes_asynchronously(
    graph: &LevelGraph<'_>,
    membership: &mut [u32],
    gain_factor: f64,
    rng: &mut ChaCha8Rng,
    threads: usize,
) {
    let node_count = graph.node_count();
    let mut order: Vec<u32> = (0..node_count as u32).collect();
    order.shuffle(rng);
    // `chunks` can make fewer parts than threads (5 nodes on 4 threads make 3 parts of 2): the pass
    // ends when every thread started is waiting, so it counts the parts.
    let parts: Vec<&[u32]> = order.chunks(node_count.div_ceil(threads.max(1)).max(1)).collect();
    let shared = Shared::new(graph, membership, parts.len());
    std::thread::scope(|scope| {
        for part in parts {
            let shared = &shared;
            scope.spawn(move || shared.work(graph, part.to_vec(), gain_factor));
        }
    });
    for (community, shared) in membership.iter_mut().zip(shared.community) {
        *community = shared.into_inner();
    }
}

/// The partition and queue that the threads share.
struct Shared<'g> {
    node_weights: &'g [f64],
    community: Vec<AtomicU32>,
    /// Each community's summed node weight, as `f64` bits.
    totals: Vec<AtomicU64>,
    sizes: Vec<AtomicU32>,
    /// Communities that were empty when listed (one may have been joined since).
    empty: Mutex<Vec<u32>>,
    queued: AtomicBits,
    handed_over: Mutex<HandedOver>,
    work_available: Condvar,
    threads: usize,
}

/// Nodes handed over by one thread for any to visit, and how many threads are waiting for some.
#[derive(Default)]
struct HandedOver {
    parts: VecDeque<Vec<u32>>,
    waiting: usize,
    done: bool,
}

impl<'g> Shared<'g> {
    fn new(graph: &'g LevelGraph<'_>, membership: &[u32], threads: usize) -> Self {
        let node_weights: &'g [f64] = &graph.node_weights;
        let CommunityTotals { totals, sizes, empty } = CommunityTotals::of(node_weights, membership);
        Self {
            node_weights,
            community: membership.iter().map(|&community| AtomicU32::new(community)).collect(),
            totals: totals.into_iter().map(|total| AtomicU64::new(total.to_bits())).collect(),
            sizes: sizes.into_iter().map(AtomicU32::new).collect(),
            empty: Mutex::new(empty),
            queued: AtomicBits::full(graph.node_count()),
            handed_over: Mutex::new(HandedOver::default()),
            work_available: Condvar::new(),
            threads,
        }
    }

    /// One thread's pass: visits `nodes`, then the nodes its own moves queued, then nodes handed over
    /// by other threads, until every thread is out of nodes.
    fn work(&self, graph: &LevelGraph<'_>, mut nodes: Vec<u32>, gain_factor: f64) {
        let _finish_on_panic = FinishOnPanic(self);
        let mut accumulator = NeighbourWeights::new(graph.node_count());
        let mut next = Vec::new();
        loop {
            for &node in &nodes {
                // A node that stays keeps its bit, so that nothing queues it again in this pass.
                let Some(best) = self.visit(graph, node, &mut accumulator, gain_factor) else { continue };
                self.queued.remove(node);
                for &neighbour in graph.row(node).neighbours {
                    if self.community[neighbour as usize].load(Relaxed) != best && self.queued.insert(neighbour) {
                        next.push(neighbour);
                        if next.len() == HAND_OVER {
                            self.hand_over(std::mem::take(&mut next));
                        }
                    }
                }
            }
            nodes.clear();
            if !next.is_empty() {
                std::mem::swap(&mut nodes, &mut next);
                continue;
            }
            match self.take_handed_over() {
                Some(part) => nodes = part,
                None => return,
            }
        }
    }

    /// Decides where `node` goes against the shared partition and moves it; returns its new
    /// community if it moved.
    fn visit(
        &self,
        graph: &LevelGraph<'_>,
        node: u32,
        accumulator: &mut NeighbourWeights,
        gain_factor: f64,
    ) -> Option<u32> {
        let mut row_weight = 0.0;
        for (neighbour, weight) in graph.row(node) {
            accumulator.add(self.community[neighbour as usize].load(Relaxed), weight);
            row_weight += weight;
        }
        let current = self.community[node as usize].load(Relaxed);
        let weight = self.node_weights[node as usize];
        let current_total = self.total(current) - weight;
        let gain = |community: u32, edge_weight: f64| {
            let total = if community == current { current_total } else { self.total(community) };
            edge_weight - gain_factor * weight * total
        };
        let alone = self.sizes[current as usize].load(Relaxed) == 1;
        let neighbourhood = accumulator.touched().iter().map(|&community| (community, accumulator.weight(community)));
        let (best, fresh) = best_move(current, alone, neighbourhood, accumulator.weight(current), row_weight, gain);
        accumulator.clear();
        let (best, claimed) = match fresh.then(|| self.claim_empty()).flatten() {
            Some(empty) => (empty, true),
            None => (best, false),
        };
        if best == current {
            return None;
        }
        self.community[node as usize].store(best, Relaxed);
        add(&self.totals[current as usize], -weight);
        add(&self.totals[best as usize], weight);
        if !claimed {
            self.sizes[best as usize].fetch_add(1, Relaxed);
        }
        if self.sizes[current as usize].fetch_sub(1, Relaxed) == 1 {
            self.lock_empty().push(current);
        }
        Some(best)
    }

    fn total(&self, community: u32) -> f64 {
        f64::from_bits(self.totals[community as usize].load(Relaxed))
    }

    /// An empty community, now holding one node's place (its size set to 1), if any is left.
    fn claim_empty(&self) -> Option<u32> {
        let mut empty = self.lock_empty();
        while let Some(community) = empty.pop() {
            if self.sizes[community as usize].compare_exchange(0, 1, Relaxed, Relaxed).is_ok() {
                return Some(community);
            }
        }
        None
    }

    fn lock_empty(&self) -> MutexGuard<'_, Vec<u32>> {
        self.empty.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_handed_over(&self) -> MutexGuard<'_, HandedOver> {
        self.handed_over.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn hand_over(&self, part: Vec<u32>) {
        self.lock_handed_over().parts.push_back(part);
        self.work_available.notify_one();
    }

    /// Nodes handed over by another thread, waiting for some while any thread still works; `None`
    /// once every thread is waiting with nothing handed over (the pass is over).
    fn take_handed_over(&self) -> Option<Vec<u32>> {
        let mut handed_over = self.lock_handed_over();
        loop {
            if let Some(part) = handed_over.parts.pop_front() {
                return Some(part);
            }
            if handed_over.done {
                return None;
            }
            handed_over.waiting += 1;
            if handed_over.waiting == self.threads {
                handed_over.done = true;
                self.work_available.notify_all();
                return None;
            }
            handed_over = self.work_available.wait(handed_over).unwrap_or_else(PoisonError::into_inner);
            handed_over.waiting -= 1;
        }
    }
}

/// Ends the pass for every thread when one thread panics, so that none waits for it forever (the
/// panic then reaches the caller when the threads are joined).
struct FinishOnPanic<'a, 'g>(&'a Shared<'g>);

impl Drop for FinishOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock_handed_over().done = true;
            self.0.work_available.notify_all();
        }
    }
}

/// Adds `delta` to the `f64` whose bits `cell` holds.
fn add(cell: &AtomicU64, delta: f64) {
    let _ = cell.fetch_update(Relaxed, Relaxed, |bits| Some((f64::from_bits(bits) + delta).to_bits()));
}

/// A set of node ids, one bit each, that threads change at once.
struct AtomicBits {
    words: Vec<AtomicU64>,
}

impl AtomicBits {
    fn full(len: usize) -> Self {
        Self { words: (0..len.div_ceil(64)).map(|_| AtomicU64::new(u64::MAX)).collect() }
    }

    /// Adds `id`; returns whether it was absent.
    fn insert(&self, id: u32) -> bool {
        let bit = 1u64 << (id % 64);
        self.words[id as usize / 64].fetch_or(bit, Relaxed) & bit == 0
    }

    fn remove(&self, id: u32) {
        self.words[id as usize / 64].fetch_and(!(1u64 << (id % 64)), Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::leiden::{Graph, Quality};

    #[test]
    fn a_pass_ends_when_there_are_fewer_parts_than_threads() {
        // Six nodes on four threads make three parts of two: a pass that waited for a fourth
        // thread would never end.
        let edges = [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (3, 4, 1.0), (4, 5, 1.0), (5, 3, 1.0), (2, 3, 1.0)];
        let graph = Graph::from_edges(6, &edges).unwrap();
        let level = LevelGraph::from_graph(&graph, Quality::Modularity);
        let gain_factor = 1.0 / (2.0 * graph.total_weight());
        let mut membership: Vec<u32> = (0..6).collect();
        let singletons = level.objective(&membership, gain_factor);
        move_nodes_asynchronously(&level, &mut membership, gain_factor, &mut ChaCha8Rng::seed_from_u64(1), 4);
        assert!(membership.iter().all(|&community| community < 6), "{membership:?}");
        assert!(level.objective(&membership, gain_factor) > singletons, "{membership:?}");
    }

    #[test]
    fn bits_are_claimed_once_until_removed() {
        let bits = AtomicBits::full(130);
        assert!(!bits.insert(129));
        bits.remove(129);
        assert!(bits.insert(129) && !bits.insert(129));
        let total = AtomicU64::new(1.5f64.to_bits());
        add(&total, -0.25);
        assert_eq!(f64::from_bits(total.into_inner()), 1.25);
    }
}
