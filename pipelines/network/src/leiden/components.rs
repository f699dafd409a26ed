//! Splitting a graph into connected components, and splitting communities that are not connected.

use super::graph::Graph;
use super::level::{Members, members_by_cluster};

/// The connected components of a graph with the nodes of each in increasing order.
pub(super) struct Components {
    pub(super) of_node: Vec<u32>,
    pub(super) members: Members,
    pub(super) count: usize,
}

impl Components {
    pub(super) fn of(graph: &Graph) -> Self {
        let (of_node, count) = graph.connected_components();
        let members = members_by_cluster(&of_node, count);
        Self { of_node, members, count }
    }

    /// The subgraph induced by `nodes` (increasing, one whole component), indexed `0..nodes.len()`
    /// in the same order.
    pub(super) fn subgraph(graph: &Graph, nodes: &[u32], local_index: &[u32]) -> Graph {
        let mut offsets = Vec::with_capacity(nodes.len() + 1);
        offsets.push(0);
        let arc_count: usize = nodes.iter().map(|&node| graph.row(node).len()).sum();
        let mut neighbours = Vec::with_capacity(arc_count);
        let mut weights = Vec::with_capacity(arc_count);
        let mut self_loops = Vec::with_capacity(nodes.len());
        for &node in nodes {
            let row = graph.row(node);
            // Local indices follow global order, so rows stay sorted.
            neighbours.extend(row.neighbours.iter().map(|&neighbour| local_index[neighbour as usize]));
            weights.extend_from_slice(row.weights);
            offsets.push(neighbours.len());
            self_loops.push(graph.self_loop(node));
        }
        Graph::from_parts(offsets, neighbours, Some(weights), self_loops)
    }
}

/// Replaces every community by its connected pieces and numbers communities in order of their
/// smallest node. Never lowers modularity or CPM quality: the pieces share no edge.
pub(super) fn split_disconnected(graph: &Graph, membership: &[u32]) -> Vec<u32> {
    let node_count = graph.node_count();
    let mut split = vec![u32::MAX; node_count];
    let mut stack = Vec::new();
    let mut count = 0u32;
    for start in 0..node_count as u32 {
        if split[start as usize] != u32::MAX {
            continue;
        }
        let community = membership[start as usize];
        split[start as usize] = count;
        stack.push(start);
        while let Some(node) = stack.pop() {
            for &neighbour in graph.row(node).neighbours {
                if split[neighbour as usize] == u32::MAX && membership[neighbour as usize] == community {
                    split[neighbour as usize] = count;
                    stack.push(neighbour);
                }
            }
        }
        count += 1;
    }
    split
}
