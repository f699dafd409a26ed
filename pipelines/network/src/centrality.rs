//! Key players: betweenness and degree of members, and which member or vehicle would fragment a
//! group most if removed. Groups are small (tens of nodes), so exact algorithms are cheap.

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
use std::collections::VecDeque;

/// Normalised betweenness of every node (Brandes, unweighted shortest paths): the share of
/// shortest paths between pairs of other nodes that pass through it, 0 to 1.
pub fn betweenness<N, E>(graph: &UnGraph<N, E>) -> Vec<f64> {
    let n = graph.node_count();
    let mut centrality = vec![0.0; n];
    let mut stack = Vec::with_capacity(n);
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut paths = vec![0.0f64; n];
    let mut distance = vec![-1i64; n];
    let mut dependency = vec![0.0; n];
    let mut queue = VecDeque::new();
    for source in 0..n {
        stack.clear();
        for v in 0..n {
            predecessors[v].clear();
            paths[v] = 0.0;
            distance[v] = -1;
            dependency[v] = 0.0;
        }
        paths[source] = 1.0;
        distance[source] = 0;
        queue.push_back(source);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for edge in graph.edges(NodeIndex::new(v)) {
                let w = if edge.source().index() == v { edge.target().index() } else { edge.source().index() };
                if distance[w] < 0 {
                    distance[w] = distance[v] + 1;
                    queue.push_back(w);
                }
                if distance[w] == distance[v] + 1 {
                    paths[w] += paths[v];
                    predecessors[w].push(v);
                }
            }
        }
        while let Some(w) = stack.pop() {
            for &v in &predecessors[w] {
                dependency[v] += paths[v] / paths[w] * (1.0 + dependency[w]);
            }
            if w != source {
                centrality[w] += dependency[w];
            }
        }
    }
    // Each unordered pair was counted from both ends; normalise by the pairs of other nodes.
    if n > 2 {
        let pairs = ((n - 1) * (n - 2)) as f64;
        for value in &mut centrality {
            *value /= pairs;
        }
    }
    centrality
}

/// What removing `removed` does to the rest: (share of pairs of remaining `counted` nodes that can
/// no longer reach each other, pieces the counted nodes fall into). Only nodes with `counted[v]`
/// are counted (members), though all nodes carry paths (vehicles join members too).
pub fn fragmentation<N, E>(graph: &UnGraph<N, E>, removed: usize, counted: &[bool]) -> (f64, u32) {
    let n = graph.node_count();
    let mut component = vec![usize::MAX; n];
    let mut sizes = Vec::new();
    let mut stack = Vec::new();
    for start in 0..n {
        if start == removed || component[start] != usize::MAX {
            continue;
        }
        let id = sizes.len();
        let mut size = 0usize;
        component[start] = id;
        stack.push(start);
        while let Some(v) = stack.pop() {
            size += usize::from(counted[v]);
            for neighbour in graph.neighbors(NodeIndex::new(v)) {
                let w = neighbour.index();
                if w != removed && component[w] == usize::MAX {
                    component[w] = id;
                    stack.push(w);
                }
            }
        }
        sizes.push(size);
    }
    let remaining: usize = sizes.iter().sum();
    let all_pairs = remaining * remaining.saturating_sub(1) / 2;
    if all_pairs == 0 {
        return (0.0, sizes.iter().filter(|&&s| s > 0).count() as u32);
    }
    let connected: usize = sizes.iter().map(|&s| s * s.saturating_sub(1) / 2).sum();
    let pieces = sizes.iter().filter(|&&s| s > 0).count() as u32;
    (1.0 - connected as f64 / all_pairs as f64, pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> UnGraph<(), ()> {
        let mut graph = UnGraph::new_undirected();
        let nodes: Vec<_> = (0..n).map(|_| graph.add_node(())).collect();
        for pair in nodes.windows(2) {
            graph.add_edge(pair[0], pair[1], ());
        }
        graph
    }

    #[test]
    fn the_middle_of_a_path_carries_every_path_between_its_ends() {
        let values = betweenness(&path(3));
        assert_eq!(values, vec![0.0, 1.0, 0.0]);
    }

    #[test]
    fn removing_a_bridge_cuts_the_group_in_two() {
        let graph = path(5);
        let counted = vec![true; 5];
        let (share, pieces) = fragmentation(&graph, 2, &counted);
        assert_eq!(pieces, 2);
        assert!((share - (1.0 - 2.0 / 6.0)).abs() < 1e-9, "{share}");
        assert_eq!(fragmentation(&graph, 0, &counted), (0.0, 1));
    }
}
