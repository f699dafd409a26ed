use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

fn cpm(resolution: f64) -> LeidenConfig {
    LeidenConfig { quality: Quality::Cpm, resolution, ..LeidenConfig::default() }
}

fn modularity() -> LeidenConfig {
    LeidenConfig { quality: Quality::Modularity, resolution: 1.0, ..LeidenConfig::default() }
}

/// Edges of a clique on `first..first + size`.
fn clique(first: u32, size: u32) -> Vec<(u32, u32, f64)> {
    let mut edges = Vec::new();
    for u in first..first + size {
        for v in u + 1..first + size {
            edges.push((u, v, 1.0));
        }
    }
    edges
}

/// `count` cliques of `size` nodes, clique `i` tied to clique `i + 1` (and the last to the first
/// when `ring`) by one edge.
fn chained_cliques(count: u32, size: u32, ring: bool) -> Graph {
    let mut edges: Vec<(u32, u32, f64)> = (0..count).flat_map(|i| clique(i * size, size)).collect();
    let links = if ring { count } else { count - 1 };
    for i in 0..links {
        edges.push((i * size, ((i + 1) % count) * size + 1, 1.0));
    }
    Graph::from_edges((count * size) as usize, &edges).unwrap()
}

/// `groups` planted groups of `size` nodes: inside a group each pair is linked with probability
/// `p_in`, across groups with `p_out`. Returns the graph and the planted group of each node.
fn planted(groups: u32, size: u32, p_in: f64, p_out: f64, seed: u64) -> (Graph, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let node_count = groups * size;
    let mut edges = Vec::new();
    for u in 0..node_count {
        for v in u + 1..node_count {
            let p = if u / size == v / size { p_in } else { p_out };
            if rng.random::<f64>() < p {
                edges.push((u, v, 1.0));
            }
        }
    }
    let truth = (0..node_count).map(|node| node / size).collect();
    (Graph::from_edges(node_count as usize, &edges).unwrap(), truth)
}

/// Whether two memberships describe the same grouping, whatever the ids.
fn same_grouping(a: &[u32], b: &[u32]) -> bool {
    let mut a_to_b = FxHashMap::default();
    let mut b_to_a = FxHashMap::default();
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| *a_to_b.entry(x).or_insert(y) == y && *b_to_a.entry(y).or_insert(x) == x)
}

fn communities_are_connected(graph: &Graph, membership: &[u32]) -> bool {
    let community_count = |membership: &[u32]| membership.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    community_count(&split_disconnected(graph, membership)) == community_count(membership)
}

#[test]
fn two_cliques_joined_by_one_edge_split_into_the_two_cliques() {
    let graph = chained_cliques(2, 6, false);
    for config in [cpm(0.1), modularity()] {
        let partition = leiden(&graph, &config, None);
        assert_eq!(partition.membership, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], "{config:?}");
    }
}

#[test]
fn cpm_separates_a_ring_of_cliques_that_modularity_merges() {
    // 30 five-cliques in a ring: past the resolution limit, modularity prefers pairs of cliques.
    let graph = chained_cliques(30, 5, true);
    let cliques: Vec<u32> = (0..150).map(|node| node / 5).collect();

    let by_cpm = leiden(&graph, &cpm(0.1), None);
    assert_eq!(by_cpm.membership, cliques);

    let by_modularity = leiden(&graph, &modularity(), None);
    assert!(by_modularity.community_count() < 30, "{} communities", by_modularity.community_count());
    assert!(by_modularity.quality > quality(&graph, &cliques, &modularity()));
    assert!(communities_are_connected(&graph, &by_modularity.membership));
}

#[test]
fn disconnected_parts_never_share_a_community() {
    let mut edges = clique(0, 4);
    edges.extend(clique(4, 4));
    let graph = Graph::from_edges(10, &edges).unwrap(); // nodes 8 and 9 are isolated
    // Even a warm start that lumps everything together is pulled apart.
    let everything_together = vec![7; 10];
    for config in [cpm(0.05), modularity()] {
        for initial in [None, Some(everything_together.as_slice())] {
            let partition = leiden(&graph, &config, initial);
            assert_eq!(partition.membership, [0, 0, 0, 0, 1, 1, 1, 1, 2, 3], "{config:?} {initial:?}");
        }
    }
}

#[test]
fn communities_are_connected_on_noisy_graphs() {
    for seed in 0..5 {
        let (graph, _) = planted(12, 15, 0.3, 0.03, seed);
        for config in [cpm(0.05), cpm(0.2), modularity(), LeidenConfig { randomness: 0.5, ..modularity() }] {
            let config = LeidenConfig { seed, ..config };
            let partition = leiden(&graph, &config, None);
            assert!(communities_are_connected(&graph, &partition.membership), "seed {seed} {config:?}");
        }
    }
}

#[test]
fn recovers_planted_groups() {
    let (graph, truth) = planted(20, 15, 0.6, 0.01, 7);
    let partition = leiden(&graph, &cpm(0.1), None);
    assert!(same_grouping(&partition.membership, &truth));
    // Modularity merges two pairs of groups here (its resolution limit), which scores higher.
    let partition = leiden(&graph, &modularity(), None);
    assert!(partition.quality >= quality(&graph, &truth, &modularity()));
    assert!(partition.community_count() < 20);
}

#[test]
fn the_same_seed_gives_the_same_partition_on_any_thread_count() {
    // Several components so the parallel path is taken.
    let (graph, _) = planted(10, 12, 0.3, 0.0, 3);
    let config = LeidenConfig { seed: 42, randomness: 0.3, ..modularity() };
    let run_on = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| leiden(&graph, &config, None))
    };
    let first = run_on(1);
    assert_eq!(first, run_on(2));
    assert_eq!(first, run_on(4));
    assert_eq!(first, leiden(&graph, &config, None));
}

/// Refining community by community runs on all threads: the partition is fixed by the seed on any
/// thread count, its communities are connected, it finds planted groups, and its quality is that of
/// the level-wide refinement to within a percent.
#[test]
fn per_community_refinement_is_fixed_by_the_seed_on_any_thread_count() {
    let (graph, _) = planted(30, 20, 0.4, 0.03, 11);
    for config in [cpm(0.05), modularity(), LeidenConfig { randomness: 0.3, ..modularity() }] {
        let per_community = LeidenConfig { seed: 3, refinement: Refinement::PerCommunity, ..config };
        let run_on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| leiden(&graph, &per_community, None))
        };
        let first = run_on(1);
        assert_eq!(first, run_on(2), "{per_community:?}");
        assert_eq!(first, run_on(4), "{per_community:?}");
        assert!(communities_are_connected(&graph, &first.membership), "{per_community:?}");
        let global = leiden(&graph, &LeidenConfig { refinement: Refinement::Global, ..per_community.clone() }, None);
        assert!(first.quality >= global.quality - 0.01 * global.quality.abs(), "{first:?} {global:?}");
    }
    let (graph, truth) = planted(20, 15, 0.6, 0.01, 7);
    let partition = leiden(&graph, &LeidenConfig { refinement: Refinement::PerCommunity, ..cpm(0.1) }, None);
    assert!(same_grouping(&partition.membership, &truth));
}

/// Reading neighbourhoods in parallel batches must not change a single decision: the partition is
/// the one node-by-node reading gives, for any batch size and thread count.
#[test]
fn reading_in_parallel_batches_gives_the_partition_of_reading_node_by_node() {
    let (graph, truth) = planted(30, 20, 0.4, 0.03, 11);
    let node_by_node = Batching { size: 1, min_entries: usize::MAX };
    for config in [cpm(0.05), modularity(), LeidenConfig { randomness: 0.3, ..modularity() }] {
        for (seed, initial) in [(0, None), (1, None), (2, Some(truth.as_slice()))] {
            let config = LeidenConfig { seed, ..config.clone() };
            let expected = leiden_batched(&graph, &config, initial, node_by_node);
            for (threads, size) in [(2, 7), (2, 100_000), (3, 64)] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let batched =
                    pool.install(|| leiden_batched(&graph, &config, initial, Batching { size, min_entries: 0 }));
                assert_eq!(batched, expected, "{config:?} {threads} threads, batches of {size}");
            }
        }
    }
}

/// Asynchronous moving, with threads moving nodes at the same time, may give another partition on
/// every run, but a sound one: communities connected, planted groups found, quality within a percent
/// of seeded moving's. On one thread it is seeded moving. The default stays seeded.
#[test]
fn asynchronous_moving_finds_sound_partitions_on_two_threads() {
    assert_eq!(LeidenConfig::default().moving, Moving::Seeded);
    let every_level = Batching { size: batch::BATCH_SIZE, min_entries: 0 };
    let two_threads = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let (graph, _) = planted(30, 20, 0.4, 0.03, 11);
    for config in [cpm(0.05), modularity(), LeidenConfig { refinement: Refinement::PerCommunity, ..modularity() }] {
        let asynchronous = LeidenConfig { moving: Moving::Asynchronous, ..config.clone() };
        let seeded = two_threads.install(|| leiden_batched(&graph, &config, None, every_level));
        for _ in 0..10 {
            let run = two_threads.install(|| leiden_batched(&graph, &asynchronous, None, every_level));
            assert!(communities_are_connected(&graph, &run.membership), "{asynchronous:?}");
            assert!(run.quality >= seeded.quality - 0.01 * seeded.quality.abs(), "{run:?} {seeded:?}");
            assert_eq!(run.quality, quality(&graph, &run.membership, &asynchronous));
        }
        assert_eq!(one_thread.install(|| leiden_batched(&graph, &asynchronous, None, every_level)), seeded);
    }
    let (graph, truth) = planted(20, 15, 0.6, 0.01, 7);
    let asynchronous = LeidenConfig { moving: Moving::Asynchronous, ..cpm(0.1) };
    for _ in 0..10 {
        let run = two_threads.install(|| leiden_batched(&graph, &asynchronous, None, every_level));
        assert!(same_grouping(&run.membership, &truth), "{run:?}");
    }
}

#[test]
fn warm_start_from_a_good_partition_keeps_it() {
    let (graph, truth) = planted(15, 12, 0.5, 0.02, 11);
    for config in [cpm(0.1), modularity()] {
        let found = leiden(&graph, &config, None);
        for seed in 1..4 {
            let again = leiden(&graph, &LeidenConfig { seed, ..config.clone() }, Some(&found.membership));
            assert_eq!(again.membership, found.membership, "{config:?} seed {seed}");
        }
        let from_truth = leiden(&graph, &config, Some(&truth));
        assert!(from_truth.quality >= quality(&graph, &truth, &config), "{config:?}");
    }
    let from_truth = leiden(&graph, &cpm(0.1), Some(&truth));
    assert!(same_grouping(&from_truth.membership, &truth));
}

#[test]
fn a_new_link_does_not_reshuffle_unrelated_groups() {
    let (graph, _) = planted(15, 12, 0.5, 0.02, 5);
    let config = cpm(0.1);
    let before = leiden(&graph, &config, None);
    // A new incident ties two members of group 0 to a node of group 1.
    let mut edges: Vec<(u32, u32, f64)> = (0..graph.node_count() as u32)
        .flat_map(|u| graph.neighbours(u).filter(move |&(v, _)| u < v).map(move |(v, w)| (u, v, w)))
        .collect();
    edges.extend([(0, 12, 1.0), (1, 12, 1.0)]);
    let changed = Graph::from_edges(graph.node_count(), &edges).unwrap();
    let after = leiden(&changed, &LeidenConfig { seed: 99, ..config }, Some(&before.membership));
    let touched = [before.membership[0], before.membership[12]];
    let members_of = |membership: &[u32], community: u32| -> Vec<usize> {
        (0..membership.len()).filter(|&node| membership[node] == community).collect()
    };
    let mut unrelated = 0;
    for community in 0..before.community_count() as u32 {
        if touched.contains(&community) {
            continue;
        }
        let members = members_of(&before.membership, community);
        assert_eq!(members_of(&after.membership, after.membership[members[0]]), members);
        unrelated += 1;
    }
    assert!(unrelated >= 13);
}

#[test]
fn weights_decide_which_pairs_belong_together() {
    let square = |heavy: [(u32, u32); 2]| {
        let mut edges = vec![(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)];
        for edge in &mut edges {
            if heavy.contains(&(edge.0, edge.1)) {
                edge.2 = 10.0;
            }
        }
        Graph::from_edges(4, &edges).unwrap()
    };
    for config in [cpm(2.0), modularity()] {
        assert_eq!(leiden(&square([(0, 1), (2, 3)]), &config, None).membership, [0, 0, 1, 1], "{config:?}");
        assert_eq!(leiden(&square([(1, 2), (3, 0)]), &config, None).membership, [0, 1, 1, 0], "{config:?}");
    }
}

#[test]
fn empty_graph_and_isolated_nodes() {
    for config in [cpm(0.05), modularity()] {
        let empty = leiden(&Graph::from_edges(0, &[]).unwrap(), &config, None);
        assert!(empty.membership.is_empty());
        assert_eq!(empty.quality, 0.0);

        let isolated = leiden(&Graph::from_edges(3, &[]).unwrap(), &config, Some(&[5, 5, 5]));
        assert_eq!(isolated.membership, [0, 1, 2]);
        assert_eq!(isolated.quality, 0.0);
    }
}

#[test]
fn reported_quality_matches_the_quality_function() {
    let graph = chained_cliques(2, 4, false);
    let partition = leiden(&graph, &modularity(), None);
    // m = 13; each half holds 6 edges and strength 13.
    let expected = 2.0 * (6.0 / 13.0 - (13.0f64 / 26.0).powi(2));
    assert!((partition.quality - expected).abs() < 1e-12);
    assert!((quality(&graph, &partition.membership, &modularity()) - expected).abs() < 1e-12);
    // CPM at 0.1: 2 × (6 − 0.1 × 6).
    let by_cpm = leiden(&graph, &cpm(0.1), None);
    assert!((by_cpm.quality - 10.8).abs() < 1e-12);
}

#[test]
fn duplicate_edges_add_up_and_self_loops_count_twice_in_strength() {
    let graph = Graph::from_edges(3, &[(0, 1, 1.0), (1, 0, 2.0), (1, 2, 1.0), (2, 2, 0.5)]).unwrap();
    assert_eq!(graph.neighbours(1).collect::<Vec<_>>(), [(0, 3.0), (2, 1.0)]);
    assert_eq!(graph.edge_count(), 3);
    assert_eq!(graph.strength(2), 2.0);
    assert_eq!(graph.total_weight(), 4.5);
}

#[test]
fn bad_edges_are_rejected() {
    assert_eq!(
        Graph::from_edges(2, &[(0, 2, 1.0)]),
        Err(GraphError::NodeOutOfRange { index: 0, node: 2, node_count: 2 })
    );
    assert!(matches!(Graph::from_edges(2, &[(0, 1, -1.0)]), Err(GraphError::InvalidWeight { index: 0, .. })));
    assert!(matches!(Graph::from_edges(2, &[(0, 1, f64::NAN)]), Err(GraphError::InvalidWeight { .. })));
}

/// A digest of a membership, to pin partitions across changes.
fn digest(membership: &[u32]) -> u64 {
    let mut hash = orca_model::hash::Fnv1a64::new();
    for &community in membership {
        hash.unit(u64::from(community));
    }
    hash.finish()
}

/// The linker's results must stay a function of its input: with a fixed seed and the default
/// stopping rule, Leiden gives exactly the partitions it gave before (pinned on 2026-12-06, a5d55c9).
#[test]
fn a_fixed_seed_gives_the_partitions_it_always_gave() {
    let (graph, _) = planted(30, 20, 0.4, 0.03, 11);
    let found: Vec<(u64, usize)> = [cpm(0.05), cpm(0.1), modularity()]
        .into_iter()
        .map(|config| {
            let partition = leiden(&graph, &LeidenConfig { seed: 5, ..config }, None);
            (digest(&partition.membership), partition.community_count())
        })
        .collect();
    assert_eq!(found, PINNED, "{found:?}");
}

const PINNED: [(u64, usize); 3] = [(10407549539049516546, 22), (15597010883734902340, 30), (3175567318891337102, 16)];

#[test]
fn a_minimum_gain_stops_between_the_first_iteration_and_convergence() {
    let (graph, _) = planted(40, 25, 0.3, 0.01, 3);
    let run = |min_gain: f64, max_iterations: Option<u32>| {
        leiden(&graph, &LeidenConfig { seed: 2, min_gain, max_iterations, ..modularity() }, None)
    };
    let (full, one, early) = (run(0.0, None), run(0.0, Some(1)), run(1e-3, None));
    assert!(one.quality <= early.quality + 1e-12 && early.quality <= full.quality + 1e-12);
    assert!(communities_are_connected(&graph, &early.membership));
    // A gain no iteration reaches stops after the first; zero is the rule without it.
    assert_eq!(run(1.0, None).membership, one.membership);
    assert_eq!(run(0.0, None).membership, full.membership);
    // The partition says how many iterations it took.
    assert_eq!((one.iterations, run(1.0, None).iterations), (1, 1));
    assert!(early.iterations > 1 && full.iterations > early.iterations, "{} {}", early.iterations, full.iterations);
}
