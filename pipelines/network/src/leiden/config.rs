//! Quality functions, the knobs of a run, and the quality of a given partition.

use super::graph::Graph;
use super::level::LevelGraph;

/// The function Leiden maximises. `γ` is [`LeidenConfig::resolution`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quality {
    /// Newman–Girvan modularity with resolution `γ`:
    /// `Q = Σ_c [ w_c / m − γ (K_c / 2m)² ]`, where `w_c` is the weight inside community `c`,
    /// `K_c` the summed strength of its nodes and `m` the total edge weight.
    /// Suffers the resolution limit: in a large graph it merges small groups that are only
    /// loosely tied, and every community depends on the size of the whole graph.
    Modularity,
    /// Constant Potts model: `Q = Σ_c [ w_c − γ n_c (n_c − 1) / 2 ]` with `n_c` nodes in `c`.
    /// A community is kept when its internal density beats `γ`, wherever it sits in the graph,
    /// so results are local and free of the resolution limit.
    #[default]
    Cpm,
}

/// How refinement visits the nodes of a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refinement {
    /// All nodes of a level in one random order, on one thread. The linker's groups come from this
    /// (pinned by a test).
    #[default]
    Global,
    /// Each community on its own, in a random order of its own, communities on all threads at once,
    /// as the Leiden paper states it. Fixed by the seed on any thread count, but a different
    /// partition from [`Refinement::Global`]'s.
    PerCommunity,
}

/// How local moving uses more than one thread on large levels (at least 5 million row entries;
/// smaller levels are moved node by node either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Moving {
    /// Nodes are decided one after another in the queue's order, with their neighbourhoods read in
    /// parallel batches: the partition is the one a single thread gives, fixed by the seed on any
    /// thread count. The linker's groups come from this (pinned by a test).
    #[default]
    Seeded,
    /// As NetworKit's `ParallelLeiden`: every thread moves nodes from its own part of the queue at
    /// the same time, against the partition as the other threads leave it. Faster on large levels,
    /// but the partition depends on how the threads interleave, so two runs with the same seed can
    /// differ (on one thread it is still fixed by the seed).
    Asynchronous,
}

/// How to run Leiden.
///
/// The default suits co-offending networks: CPM at resolution 0.1, seed 0, refinement randomness
/// 0.01, iterating until the partition stops changing. Why CPM: modularity merges two groups as
/// soon as the links between them exceed `K_A K_B / 2m`, which in a national network (large `m`)
/// is far below one link, so small crews tied by a single co-offence are merged (its resolution
/// limit) and every community shifts whenever any part of the graph grows. CPM instead compares a
/// group with the fixed density `γ`: groups `A` and `B` merge only when more than `γ |A| |B|` links
/// join them, and a group holds together only while its members are linked in more than a fraction
/// `γ` of their pairs, wherever it sits in the graph. Why 0.1: a crew whose members have offended
/// together in at least a tenth of their pairs stays one group, while two crews of four tied by
/// one link (`1 < 0.1 × 16`) stay apart. For denser graphs, such as LFR benchmarks with degree 20
/// and communities of 20-100, use about half the sparsest internal density to keep (0.05 there).
#[derive(Debug, Clone, PartialEq)]
pub struct LeidenConfig {
    pub quality: Quality,
    /// `γ`: higher values give smaller, denser communities.
    pub resolution: f64,
    /// Seeds every random choice; the same seed gives the same partition on any thread count.
    pub seed: u64,
    /// Stop after this many iterations; `None` iterates until an iteration changes nothing.
    pub max_iterations: Option<u32>,
    /// Also stop once an iteration raises quality by less than this share of the graph's total
    /// edge weight (quality in edge-weight units, so the rule reads the same under CPM and
    /// modularity). 0, the default, iterates until an iteration changes nothing. Under modularity
    /// the last iterations move a few nodes each for gains near 1e-5 of the edge weight, cost most
    /// of the time on large graphs, and lower agreement with planted groups (`benches/leiden`).
    pub min_gain: f64,
    /// `θ`, the randomness of the refinement step: a node joins a sub-community with probability
    /// proportional to `exp(gain / θ)`. Zero makes the refinement greedy.
    pub randomness: f64,
    /// How refinement visits nodes: level-wide (the default, the linker's) or per community.
    pub refinement: Refinement,
    /// How local moving uses more than one thread: seeded (the default, the linker's) or
    /// asynchronous.
    pub moving: Moving,
}

impl Default for LeidenConfig {
    fn default() -> Self {
        Self {
            quality: Quality::Cpm,
            resolution: 0.1,
            seed: 0,
            max_iterations: None,
            randomness: 0.01,
            min_gain: 0.0,
            refinement: Refinement::Global,
            moving: Moving::Seeded,
        }
    }
}

impl LeidenConfig {
    /// The `γ` factor in the move gain `w(v, C) − factor · a_v · A_C`, where `a` is a node's strength
    /// (modularity) or size (CPM). Gains are in edge-weight units for both quality functions.
    pub(super) fn gain_factor(&self, graph: &Graph) -> f64 {
        match self.quality {
            Quality::Modularity if graph.total_weight() > 0.0 => self.resolution / (2.0 * graph.total_weight()),
            Quality::Modularity => 0.0,
            Quality::Cpm => self.resolution,
        }
    }
}

/// The quality of `membership` (one community id per node) on `graph`, as defined in [`Quality`].
///
/// # Panics
/// When `membership` does not have one entry per node.
pub fn quality(graph: &Graph, membership: &[u32], config: &LeidenConfig) -> f64 {
    assert_eq!(membership.len(), graph.node_count(), "`membership` needs one community per node");
    // What Leiden optimises, in edge-weight units: `Σ_c w_c − f A_c² / 2`.
    let objective = LevelGraph::from_graph(graph, config.quality).objective(membership, config.gain_factor(graph));
    match config.quality {
        Quality::Modularity if graph.total_weight() > 0.0 => objective / graph.total_weight(),
        Quality::Modularity => 0.0,
        // `γ n_c (n_c − 1) / 2` is `γ n_c² / 2 − γ n_c / 2`; the second terms add up to `γ n / 2`.
        Quality::Cpm => objective + config.resolution * graph.node_count() as f64 / 2.0,
    }
}
