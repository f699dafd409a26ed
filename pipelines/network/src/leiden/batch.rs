//! Reading many nodes' neighbourhoods at once, in parallel, for passes that decide node by node.
//!
//! Local moving visits nodes one after another, and each decision depends on the
//! decisions before it. Most of a visit, though, is reading: summing the edge weight from the node
//! to each community its neighbours are in. A [`BatchReader`] reads the neighbourhoods of the next
//! nodes of a pass in parallel, against the partition as it stands before the batch, and passes each
//! to a judgement made on the same thread (local moving's choice of community); the pass then
//! decides for those nodes in the same order as before and re-reads, on its own thread, any node one
//! of whose neighbours changed community earlier in the same batch. Every decision therefore sees
//! exactly what it would have seen node by node, with the same sums in the same order: the partition
//! is the same on any thread count and batch size, and the same as before batches existed.

use rayon::prelude::*;

use super::bits::Bits;
use super::level::LevelGraph;
use super::neighbour_weights::NeighbourWeights;

/// The most nodes read at a time.
pub(super) const BATCH_SIZE: usize = 2048;

/// The fewest nodes read at a time on a level read in batches (smaller hand-offs to another thread
/// cost more than they save).
const MIN_BATCH_SIZE: usize = 16;

/// A batch holds at most this fraction of a level's nodes divided by the mean row length: every
/// move in a batch makes its neighbours' readings stale, so on a dense level (an aggregate of a
/// well-mixed graph can have hundreds of neighbours per node) a batch of 2,048 would be mostly
/// re-read on one thread.
const BATCH_SPREAD: usize = 4;

/// Levels with fewer row entries (twice the edges) are moved and aggregated on one thread.
/// Measured on LFR graphs (degree 20, 2 threads): at 100,000 nodes (2.7 million entries) batches
/// gain nothing (the batch's hand-off to another thread costs what the parallel reading saves); at
/// 1,000,000 nodes (27 million) they take level 0's local moving from 9.0 s to 6.6 s, and two
/// threads an aggregation from 1.7 s to 1.1 s. The count is of entries, not nodes: at mixing 0.5
/// an aggregate of 44,000 nodes still has 19 million entries and takes as long to move as level 0.
pub(super) const PARALLEL_MIN_ENTRIES: usize = 5_000_000;

/// How large levels use more than one thread: on levels of at least `min_entries` row entries
/// local moving reads neighbourhoods in batches of at most `size` and aggregation builds ranges of
/// rows in parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Batching {
    pub(super) size: usize,
    pub(super) min_entries: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Self { size: BATCH_SIZE, min_entries: PARALLEL_MIN_ENTRIES }
    }
}

impl Batching {
    /// The batch size for a level of `node_count` nodes and `entry_count` row entries: 1 (node by
    /// node) on small levels or when only one thread is available; otherwise at most `size`, made
    /// smaller on dense levels (see [`BATCH_SPREAD`]) but not below [`MIN_BATCH_SIZE`].
    pub(super) fn size_for(&self, node_count: usize, entry_count: usize) -> usize {
        if !self.in_parallel(entry_count) {
            return 1;
        }
        let mean_row = entry_count.div_ceil(node_count.max(1)).max(1);
        (node_count / (BATCH_SPREAD * mean_row)).max(MIN_BATCH_SIZE).min(self.size.max(1))
    }

    /// Whether local moving uses more than one thread on a level of `entry_count` row entries.
    pub(super) fn in_parallel(&self, entry_count: usize) -> bool {
        entry_count >= self.min_entries && rayon::current_num_threads() >= 2
    }

    /// How many ranges to aggregate a level of `entry_count` row entries in.
    pub(super) fn aggregate_ranges(&self, entry_count: usize) -> usize {
        if entry_count >= self.min_entries { rayon::current_num_threads().max(1) } else { 1 }
    }
}

/// Sums `node`'s edge weight by the community of each neighbour, appending `(community, weight)`
/// pairs to `out` in the order each community is first met along the row. Returns the node's whole
/// row weight.
pub(super) fn read_neighbourhood(
    graph: &LevelGraph<'_>,
    node: u32,
    membership: &[u32],
    accumulator: &mut NeighbourWeights,
    out: &mut Vec<(u32, f64)>,
) -> f64 {
    let row_weight = accumulate_neighbourhood(graph, node, membership, accumulator);
    accumulator.drain_into(out);
    row_weight
}

/// Adds `node`'s edge weight to each neighbour's community into `accumulator`; returns the node's
/// whole row weight.
#[inline]
pub(super) fn accumulate_neighbourhood(
    graph: &LevelGraph<'_>,
    node: u32,
    membership: &[u32],
    accumulator: &mut NeighbourWeights,
) -> f64 {
    let mut row_weight = 0.0;
    for (neighbour, weight) in graph.row(node) {
        accumulator.add(membership[neighbour as usize], weight);
        row_weight += weight;
    }
    row_weight
}

/// One thread's share of a batch: its accumulator, the neighbourhoods it read and what it judged
/// of each.
struct Worker<T> {
    accumulator: NeighbourWeights,
    pairs: Vec<(u32, f64)>,
    /// Per node read: where its pairs end in `pairs`, its row weight, and the judgement.
    ends: Vec<(usize, f64, T)>,
}

/// Reads batches of neighbourhoods in parallel and judges each on the thread that read it (see the
/// module documentation).
pub(super) struct BatchReader<T> {
    workers: Vec<Worker<T>>,
    chunk: usize,
}

impl<T: Copy + Send> BatchReader<T> {
    /// A reader of communities below `community_capacity` with `workers` workers.
    pub(super) fn new(community_capacity: usize, workers: usize) -> Self {
        let workers = (0..workers.max(1))
            .map(|_| Worker {
                accumulator: NeighbourWeights::new(community_capacity),
                pairs: Vec::new(),
                ends: Vec::new(),
            })
            .collect();
        Self { workers, chunk: 1 }
    }

    /// Reads the neighbourhood of every node of `batch` under `membership`, as
    /// [`read_neighbourhood`], and passes each node with its pairs and row weight to `judge`.
    pub(super) fn read<J>(&mut self, graph: &LevelGraph<'_>, batch: &[u32], membership: &[u32], judge: J)
    where
        J: Fn(u32, &[(u32, f64)], f64) -> T + Sync,
    {
        self.chunk = batch.len().div_ceil(self.workers.len()).max(1);
        self.workers.par_iter_mut().zip(batch.par_chunks(self.chunk)).for_each(|(worker, nodes)| {
            worker.pairs.clear();
            worker.ends.clear();
            for &node in nodes {
                let start = worker.pairs.len();
                let row_weight =
                    read_neighbourhood(graph, node, membership, &mut worker.accumulator, &mut worker.pairs);
                let judgement = judge(node, &worker.pairs[start..], row_weight);
                worker.ends.push((worker.pairs.len(), row_weight, judgement));
            }
        });
    }

    /// The pairs, row weight and judgement read for the `index`-th node of the last batch.
    pub(super) fn neighbourhood(&self, index: usize) -> (&[(u32, f64)], f64, T) {
        let worker = &self.workers[index / self.chunk];
        let local = index % self.chunk;
        let start = if local == 0 { 0 } else { worker.ends[local - 1].0 };
        let (end, row_weight, judgement) = worker.ends[local];
        (&worker.pairs[start..end], row_weight, judgement)
    }

    /// An accumulator for re-reading a node on the calling thread.
    pub(super) fn accumulator(&mut self) -> &mut NeighbourWeights {
        &mut self.workers[0].accumulator
    }
}

/// Marks nodes whose neighbourhood changed during the current batch, so that their batch reading
/// is not used.
pub(super) struct Staleness {
    marked: Bits,
}

impl Staleness {
    pub(super) fn new(node_count: usize) -> Self {
        Self { marked: Bits::new(node_count, false) }
    }

    /// Starts a new batch: every earlier mark lapses.
    pub(super) fn next_batch(&mut self) {
        self.marked.clear();
    }

    #[inline]
    pub(super) fn mark(&mut self, node: u32) {
        self.marked.insert(node);
    }

    #[inline]
    pub(super) fn is_stale(&self, node: u32) -> bool {
        self.marked.contains(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_levels_are_read_in_smaller_batches_and_small_levels_node_by_node() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let batching = Batching::default();
        pool.install(|| {
            // Level 0 of an LFR graph of a million nodes: full batches.
            assert_eq!(batching.size_for(1_000_000, 27_500_000), BATCH_SIZE);
            // Its aggregate at mixing 0.5: 44,400 nodes of 440 neighbours each.
            assert_eq!(batching.size_for(44_400, 19_552_034), 25);
            assert_eq!(batching.size_for(14_978, 17_934_282), MIN_BATCH_SIZE);
            // A graph of 100,000 nodes, and any level below the threshold: node by node.
            assert_eq!(batching.size_for(100_000, 2_750_000), 1);
            assert_eq!(batching.aggregate_ranges(2_750_000), 1);
            assert_eq!(batching.aggregate_ranges(19_552_034), 2);
        });
        let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert_eq!(one_thread.install(|| batching.size_for(1_000_000, 27_500_000)), 1);
    }
}
