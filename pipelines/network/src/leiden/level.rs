//! The graph one level of Leiden works on, and its aggregation by a partition.
//!
//! Level 0 borrows the input graph's rows; each aggregate level owns its rows. A node's weight `a_v`
//! is its strength (modularity) or the number of input nodes it stands for (CPM).

use std::borrow::Cow;
use std::ops::Range;

use rayon::prelude::*;

use super::batch::Batching;
use super::config::Quality;
use super::graph::Graph;
use super::neighbour_weights::NeighbourWeights;
use super::row::Row;

pub(super) struct LevelGraph<'a> {
    offsets: Cow<'a, [usize]>,
    neighbours: Cow<'a, [u32]>,
    /// Each row entry's weight; on a graph whose edges all weigh 1, only as many ones as the longest
    /// row, shared by every row (see [`Self::unit_weights`]).
    weights: Cow<'a, [f64]>,
    /// Every edge weighs 1, so rows need not read a weight per entry: on a large unweighted graph
    /// that halves the memory each visit reads.
    unit_weights: bool,
    self_loops: Cow<'a, [f64]>,
    pub(super) node_weights: Cow<'a, [f64]>,
}

impl<'a> LevelGraph<'a> {
    pub(super) fn from_graph(graph: &'a Graph, quality: Quality) -> Self {
        let node_weights = match quality {
            Quality::Modularity => Cow::Borrowed(graph.strengths.as_slice()),
            Quality::Cpm => Cow::Owned(vec![1.0; graph.node_count()]),
        };
        Self {
            offsets: Cow::Borrowed(&graph.offsets),
            neighbours: Cow::Borrowed(&graph.neighbours),
            weights: Cow::Borrowed(&graph.weights),
            unit_weights: graph.unit_weights,
            self_loops: Cow::Borrowed(&graph.self_loops),
            node_weights,
        }
    }

    pub(super) fn node_count(&self) -> usize {
        self.node_weights.len()
    }

    /// Row entries: each edge between two nodes counted from both ends.
    pub(super) fn entry_count(&self) -> usize {
        self.neighbours.len()
    }

    /// The total edge weight, self-loops included.
    pub(super) fn total_weight(&self) -> f64 {
        let entries = if self.unit_weights { self.entry_count() as f64 } else { self.weights.iter().sum::<f64>() };
        entries / 2.0 + self.self_loops.iter().sum::<f64>()
    }

    /// The quality of `membership` in edge-weight units, up to a constant: `Σ_c w_c − f A_c² / 2`
    /// with `f` the gain factor and `A_c` the community's summed node weight (for modularity `m Q`,
    /// for CPM the CPM quality plus `γ n / 2`).
    pub(super) fn objective(&self, membership: &[u32], gain_factor: f64) -> f64 {
        let communities = membership.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
        let (mut internal, mut totals) = (vec![0.0; communities], vec![0.0; communities]);
        for node in 0..self.node_count() {
            let community = membership[node] as usize;
            let inside: f64 = self
                .row(node as u32)
                .iter()
                .filter(|&(other, _)| membership[other as usize] as usize == community)
                .map(|(_, w)| w)
                .sum();
            internal[community] += inside / 2.0 + self.self_loops[node];
            totals[community] += self.node_weights[node];
        }
        internal.iter().zip(&totals).map(|(w, a)| w - gain_factor * a * a / 2.0).sum()
    }

    #[inline]
    pub(super) fn row(&self, node: u32) -> Row<'_> {
        Row::of(&self.offsets, &self.neighbours, &self.weights, self.unit_weights, node)
    }

    /// Collapses every cluster (ids `0..cluster_count`) into one node. Edges between clusters are
    /// summed; edges inside a cluster become its self-loop, so total weight and strengths are kept.
    /// Large levels build ranges of clusters in parallel; each row is the same either way.
    pub(super) fn aggregate(&self, clusters: &[u32], cluster_count: usize, batching: Batching) -> LevelGraph<'static> {
        let members = members_by_cluster(clusters, cluster_count);
        let ranges = batching.aggregate_ranges(self.entry_count());
        let whole = if ranges == 1 {
            self.aggregate_range(clusters, &members, 0..cluster_count)
        } else {
            let range_length = cluster_count.div_ceil(ranges).max(1);
            let pieces: Vec<AggregatedRange> = (0..cluster_count)
                .step_by(range_length)
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|first| self.aggregate_range(clusters, &members, first..(first + range_length).min(cluster_count)))
                .collect();
            pieces.into_iter().reduce(AggregatedRange::append).expect("at least one range")
        };
        LevelGraph {
            offsets: Cow::Owned(std::iter::once(0).chain(whole.row_ends).collect()),
            neighbours: Cow::Owned(whole.neighbours),
            weights: Cow::Owned(whole.weights),
            unit_weights: false,
            self_loops: Cow::Owned(whole.self_loops),
            node_weights: Cow::Owned(whole.node_weights),
        }
    }

    /// The aggregate's rows for the clusters in `range`.
    fn aggregate_range(&self, clusters: &[u32], members: &Members, range: Range<usize>) -> AggregatedRange {
        let cluster_count = members.starts.len() - 1;
        let mut piece = AggregatedRange {
            row_ends: Vec::with_capacity(range.len()),
            neighbours: Vec::new(),
            weights: Vec::new(),
            self_loops: vec![0.0; range.len()],
            node_weights: vec![0.0; range.len()],
        };
        let mut between = NeighbourWeights::new(cluster_count);
        for (local, cluster) in range.enumerate() {
            let mut internal = 0.0;
            for &node in members.of(cluster) {
                piece.self_loops[local] += self.self_loops[node as usize];
                piece.node_weights[local] += self.node_weights[node as usize];
                for (neighbour, weight) in self.row(node) {
                    let other = clusters[neighbour as usize];
                    if other as usize == cluster {
                        internal += weight;
                        continue;
                    }
                    between.add(other, weight);
                }
            }
            // Each internal edge was seen from both ends.
            piece.self_loops[local] += internal / 2.0;
            piece.neighbours.extend_from_slice(between.touched());
            piece.weights.extend(between.touched().iter().map(|&other| between.weight(other)));
            between.clear();
            piece.row_ends.push(piece.neighbours.len());
        }
        piece
    }
}

/// Rows of the aggregate for a range of clusters; `row_ends` index the range's `neighbours` and
/// `weights`.
struct AggregatedRange {
    row_ends: Vec<usize>,
    neighbours: Vec<u32>,
    weights: Vec<f64>,
    self_loops: Vec<f64>,
    node_weights: Vec<f64>,
}

impl AggregatedRange {
    /// This range followed by the next one.
    fn append(mut self, next: AggregatedRange) -> AggregatedRange {
        let base = self.neighbours.len();
        self.row_ends.extend(next.row_ends.iter().map(|&end| base + end));
        self.neighbours.extend(next.neighbours);
        self.weights.extend(next.weights);
        self.self_loops.extend(next.self_loops);
        self.node_weights.extend(next.node_weights);
        self
    }
}

/// Nodes grouped by cluster, in increasing node order within a cluster (a counting sort).
pub(super) struct Members {
    starts: Vec<usize>,
    nodes: Vec<u32>,
}

impl Members {
    pub(super) fn of(&self, cluster: usize) -> &[u32] {
        &self.nodes[self.starts[cluster]..self.starts[cluster + 1]]
    }
}

pub(super) fn members_by_cluster(clusters: &[u32], cluster_count: usize) -> Members {
    let mut starts = vec![0usize; cluster_count + 1];
    for &cluster in clusters {
        starts[cluster as usize + 1] += 1;
    }
    for index in 0..cluster_count {
        starts[index + 1] += starts[index];
    }
    let mut cursor = starts.clone();
    let mut nodes = vec![0u32; clusters.len()];
    for (node, &cluster) in clusters.iter().enumerate() {
        nodes[cursor[cluster as usize]] = node as u32;
        cursor[cluster as usize] += 1;
    }
    Members { starts, nodes }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph whose edges all weigh 1 keeps no weight per row entry, and it and its level read the
    /// rows, strengths and total weight its edges give.
    #[test]
    fn unit_weight_graphs_keep_no_weight_per_entry_and_read_as_their_edges_say() {
        let edges: Vec<(u32, u32, f64)> =
            (0..40u32).flat_map(|u| [(u, (u + 1) % 40, 1.0), (u, (u + 5) % 40, 1.0)]).collect();
        let unit = Graph::from_edges(40, &edges).unwrap();
        assert!(unit.unit_weights);
        assert_eq!(unit.weights.len(), 4, "one run of ones as long as the longest row");
        let level = LevelGraph::from_graph(&unit, Quality::Modularity);
        assert!(level.unit_weights);
        for node in 0..40u32 {
            let mut expected: Vec<u32> = [(node + 1) % 40, (node + 39) % 40, (node + 5) % 40, (node + 35) % 40].into();
            expected.sort_unstable();
            let expected: Vec<(u32, f64)> = expected.into_iter().map(|neighbour| (neighbour, 1.0)).collect();
            assert_eq!(unit.row(node).iter().collect::<Vec<_>>(), expected, "node {node}");
            assert_eq!(level.row(node).iter().collect::<Vec<_>>(), expected, "node {node}");
            assert_eq!(unit.strength(node), 4.0);
        }
        assert_eq!(unit.total_weight(), 80.0);
        assert_eq!(level.total_weight().to_bits(), unit.total_weight().to_bits());

        // Weights other than 1, given or summed from duplicate edges, are kept per entry.
        let weighted: Vec<(u32, u32, f64)> = edges.iter().map(|&(u, v, _)| (u, v, 0.5)).collect();
        let weighted = Graph::from_edges(40, &weighted).unwrap();
        assert!(!weighted.unit_weights && weighted.weights.len() == 160);
        assert!(!LevelGraph::from_graph(&weighted, Quality::Cpm).unit_weights);
        let doubled = Graph::from_edges(3, &[(0, 1, 1.0), (1, 0, 1.0), (1, 2, 1.0)]).unwrap();
        assert!(!doubled.unit_weights);
        assert_eq!(doubled.neighbours(1).collect::<Vec<_>>(), [(0, 2.0), (2, 1.0)]);
    }
}
