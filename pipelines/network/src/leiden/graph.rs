//! Undirected weighted graph in compressed sparse row form, built from an edge list.
//!
//! Every edge `{u, v}` with `u != v` is stored twice (once in each endpoint's row, rows sorted by
//! neighbour); duplicate edges are summed into one. A self-loop is kept apart from the rows: it adds
//! its weight once to the total edge weight and twice to its node's strength, as an adjacency matrix
//! with `A_ii = 2w` would.

use thiserror::Error;

use super::row::Row;

/// Why an edge list could not become a [`Graph`].
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GraphError {
    #[error("edge {index} names node {node} but the graph has {node_count} nodes")]
    NodeOutOfRange { index: usize, node: u32, node_count: usize },
    #[error("edge {index} has weight {weight}; weights must be finite and not negative")]
    InvalidWeight { index: usize, weight: f64 },
    #[error("a graph holds at most {max} nodes, got {node_count}", max = u32::MAX)]
    TooManyNodes { node_count: usize },
}

/// An undirected, weighted graph with nodes `0..node_count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// Row `v` is `neighbours[offsets[v]..offsets[v + 1]]`, with the same range of `weights`.
    pub(super) offsets: Vec<usize>,
    /// Sorted within a row, without self-loops.
    pub(super) neighbours: Vec<u32>,
    /// Each row entry's weight; when every edge weighs 1, only as many ones as the longest row,
    /// shared by every row (see [`Self::unit_weights`]).
    pub(super) weights: Vec<f64>,
    /// Every edge weighs 1, so no weight is kept per entry: an unweighted graph of a million nodes
    /// and 13 million edges holds 214 MB less.
    pub(super) unit_weights: bool,
    pub(super) self_loops: Vec<f64>,
    pub(super) strengths: Vec<f64>,
    pub(super) total_weight: f64,
}

impl Graph {
    /// Builds a graph from `(u, v, weight)` edges. Duplicate edges are summed; self-loops are kept.
    pub fn from_edges(node_count: usize, edges: &[(u32, u32, f64)]) -> Result<Self, GraphError> {
        let unit = edges.iter().all(|&(_, _, weight)| weight == 1.0);
        Self::build(node_count, edges.len(), |index| (edges[index].0, edges[index].1), |index| edges[index].2, unit)
    }

    /// Builds a graph from `(u, v)` edges of weight 1.
    pub fn from_unweighted_edges(node_count: usize, edges: &[(u32, u32)]) -> Result<Self, GraphError> {
        Self::build(node_count, edges.len(), |index| edges[index], |_| 1.0, true)
    }

    /// Builds a graph from `(u, v)` edges and their weights, or weight 1 each when `weights` is
    /// `None`: a caller reading a large unweighted edge list need not hold a weight per edge.
    ///
    /// # Panics
    /// When `weights` does not have one entry per edge.
    pub fn from_endpoints(
        node_count: usize,
        endpoints: &[(u32, u32)],
        weights: Option<&[f64]>,
    ) -> Result<Self, GraphError> {
        let Some(weights) = weights else {
            return Self::from_unweighted_edges(node_count, endpoints);
        };
        assert_eq!(weights.len(), endpoints.len(), "one weight per edge");
        let unit = weights.iter().all(|&weight| weight == 1.0);
        Self::build(node_count, endpoints.len(), |index| endpoints[index], |index| weights[index], unit)
    }

    /// Builds the rows of `edge_count` edges, edge `i` joining `endpoints(i)` with weight `weight(i)`
    /// (every one 1 when `unit`, and then never asked for). Checks each edge in turn: its nodes,
    /// then its weight, which must be finite and not negative.
    fn build(
        node_count: usize,
        edge_count: usize,
        endpoints: impl Fn(usize) -> (u32, u32),
        weight: impl Fn(usize) -> f64,
        unit: bool,
    ) -> Result<Self, GraphError> {
        if node_count > u32::MAX as usize {
            return Err(GraphError::TooManyNodes { node_count });
        }
        let edge_weight = |index: usize| if unit { 1.0 } else { weight(index) };
        for index in 0..edge_count {
            let (u, v) = endpoints(index);
            if let Some(node) = [u, v].into_iter().find(|&node| node as usize >= node_count) {
                return Err(GraphError::NodeOutOfRange { index, node, node_count });
            }
            let weight = edge_weight(index);
            if !weight.is_finite() || weight < 0.0 {
                return Err(GraphError::InvalidWeight { index, weight });
            }
        }

        let mut self_loops = vec![0.0; node_count];
        let mut degrees = vec![0usize; node_count];
        for index in 0..edge_count {
            match endpoints(index) {
                (u, v) if u == v => self_loops[u as usize] += edge_weight(index),
                (u, v) => {
                    degrees[u as usize] += 1;
                    degrees[v as usize] += 1;
                }
            }
        }
        let mut offsets = Vec::with_capacity(node_count + 1);
        offsets.push(0);
        for degree in &degrees {
            offsets.push(offsets.last().copied().unwrap_or(0) + degree);
        }
        drop(degrees);
        let mut cursor = offsets[..node_count].to_vec();
        let entry_count = offsets[node_count];
        let mut neighbours = vec![0u32; entry_count];
        // Unit graphs hold no weight per entry unless duplicate edges add up to more than 1.
        let mut weights = (!unit).then(|| vec![0.0f64; entry_count]);
        for index in 0..edge_count {
            let (u, v) = endpoints(index);
            if u == v {
                continue;
            }
            for (from, to) in [(u, v), (v, u)] {
                let slot = cursor[from as usize];
                neighbours[slot] = to;
                if let Some(weights) = &mut weights {
                    weights[slot] = weight(index);
                }
                cursor[from as usize] += 1;
            }
        }
        drop(cursor);

        // Sort each row by neighbour and sum duplicates, compacting the rows in place.
        let mut write = 0;
        let mut row_start = 0;
        let mut row: Vec<(u32, f64)> = Vec::new();
        for node in 0..node_count {
            let row_end = offsets[node + 1];
            let new_start = write;
            match &mut weights {
                None => {
                    neighbours[row_start..row_end].sort_unstable();
                    for read in row_start..row_end {
                        let neighbour = neighbours[read];
                        if write > new_start && neighbours[write - 1] == neighbour {
                            // The first duplicate: from here on entries carry weights (every one 1
                            // so far, and the sums of ones are exact in any order).
                            weights.get_or_insert_with(|| vec![1.0; entry_count])[write - 1] += 1.0;
                        } else {
                            neighbours[write] = neighbour;
                            write += 1;
                        }
                    }
                }
                Some(weights) => {
                    row.clear();
                    row.extend(
                        neighbours[row_start..row_end].iter().copied().zip(weights[row_start..row_end].iter().copied()),
                    );
                    row.sort_unstable_by_key(|&(neighbour, _)| neighbour);
                    for &(neighbour, weight) in &row {
                        if write > new_start && neighbours[write - 1] == neighbour {
                            weights[write - 1] += weight;
                        } else {
                            (neighbours[write], weights[write]) = (neighbour, weight);
                            write += 1;
                        }
                    }
                }
            }
            offsets[node] = new_start;
            row_start = row_end;
        }
        offsets[node_count] = write;
        neighbours.truncate(write);
        neighbours.shrink_to_fit();
        if let Some(weights) = &mut weights {
            weights.truncate(write);
            weights.shrink_to_fit();
        }

        Ok(Self::from_parts(offsets, neighbours, weights, self_loops))
    }

    /// Assembles a graph from rows that are already sorted, duplicate-free and symmetric, with a
    /// weight per entry or, when `weights` is `None`, weight 1 each.
    pub(super) fn from_parts(
        offsets: Vec<usize>,
        neighbours: Vec<u32>,
        weights: Option<Vec<f64>>,
        self_loops: Vec<f64>,
    ) -> Self {
        let node_count = self_loops.len();
        debug_assert_eq!(offsets.len(), node_count + 1);
        let weights = weights.filter(|weights| weights.iter().any(|&weight| weight != 1.0));
        let strengths: Vec<f64> = (0..node_count)
            .map(|node| {
                let row = offsets[node]..offsets[node + 1];
                let row_weight = match &weights {
                    Some(weights) => weights[row].iter().sum(),
                    None => row.len() as f64,
                };
                row_weight + 2.0 * self_loops[node]
            })
            .collect();
        let total_weight = strengths.iter().sum::<f64>() / 2.0;
        let unit_weights = weights.is_none();
        let weights = weights.unwrap_or_else(|| {
            let longest_row = offsets.windows(2).map(|ends| ends[1] - ends[0]).max().unwrap_or(0);
            vec![1.0; longest_row]
        });
        debug_assert!(unit_weights || neighbours.len() == weights.len());
        Self { offsets, neighbours, weights, unit_weights, self_loops, strengths, total_weight }
    }

    pub fn node_count(&self) -> usize {
        self.self_loops.len()
    }

    /// Number of distinct edges, self-loops included.
    pub fn edge_count(&self) -> usize {
        self.neighbours.len() / 2 + self.self_loops.iter().filter(|&&w| w > 0.0).count()
    }

    /// Sum of all edge weights, each edge counted once (the `m` of modularity).
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// Neighbours of `node` other than itself, with the summed edge weight, in increasing order.
    pub fn neighbours(&self, node: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.row(node).iter()
    }

    /// Weight of the self-loop on `node` (0 when there is none).
    pub fn self_loop(&self, node: u32) -> f64 {
        self.self_loops[node as usize]
    }

    /// Sum of the weights of the edges at `node`, a self-loop counting twice.
    pub fn strength(&self, node: u32) -> f64 {
        self.strengths[node as usize]
    }

    #[inline]
    pub(super) fn row(&self, node: u32) -> Row<'_> {
        Row::of(&self.offsets, &self.neighbours, &self.weights, self.unit_weights, node)
    }

    /// Connected components, numbered in order of their smallest node.
    pub fn connected_components(&self) -> (Vec<u32>, usize) {
        let node_count = self.node_count();
        let mut component = vec![u32::MAX; node_count];
        let mut stack = Vec::new();
        let mut count = 0u32;
        for start in 0..node_count as u32 {
            if component[start as usize] != u32::MAX {
                continue;
            }
            component[start as usize] = count;
            stack.push(start);
            while let Some(node) = stack.pop() {
                for &neighbour in self.row(node).neighbours {
                    if component[neighbour as usize] == u32::MAX {
                        component[neighbour as usize] = count;
                        stack.push(neighbour);
                    }
                }
            }
            count += 1;
        }
        (component, count as usize)
    }
}
