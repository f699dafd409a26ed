//! The analysts' plain-text network format: one edge per line, `u v [weight]`, whitespace separated,
//! `#` starting a comment, blank lines ignored. Node labels are any tokens without whitespace or `#`;
//! nodes are numbered in order of first appearance. The weight defaults to 1; repeated edges add up.
//! Communities are written back as `node community` lines.

use std::fmt::Write as _;

use rustc_hash::FxHashMap;
use thiserror::Error;

use crate::leiden::{Graph, GraphError};

/// A parsed edge list: `labels[i]` names node `i` of `graph`.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeList {
    pub labels: Vec<String>,
    pub graph: Graph,
}

/// Why an edge list could not be read. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EdgeListError {
    #[error("line {line}: expected `u v [weight]`, got {text:?}")]
    Malformed { line: usize, text: String },
    #[error("line {line}: weight must be a finite number not below 0, got {weight:?}")]
    InvalidWeight { line: usize, weight: String },
    #[error(transparent)]
    Graph(#[from] GraphError),
}

/// Parses the edge-list text format into labelled nodes and a graph.
pub fn parse_edge_list(text: &str) -> Result<EdgeList, EdgeListError> {
    let mut builder = EdgeListBuilder::default();
    for line in text.lines() {
        builder.push_line(line)?;
    }
    builder.finish()
}

/// Reads an edge list line by line, so a caller streaming a large file never holds all its text.
#[derive(Debug, Default)]
pub struct EdgeListBuilder {
    ids: FxHashMap<Box<str>, u32>,
    endpoints: Vec<(u32, u32)>,
    /// One weight per edge once a line has given a weight other than 1; until then every edge read
    /// weighs 1 and none is kept (8 bytes an edge less on an unweighted list).
    weights: Option<Vec<f64>>,
    lines_read: usize,
}

impl EdgeListBuilder {
    /// Takes the next line of the file, without its line ending.
    pub fn push_line(&mut self, raw_line: &str) -> Result<(), EdgeListError> {
        self.lines_read += 1;
        let line = self.lines_read;
        let content = raw_line.split_once('#').map_or(raw_line, |(before, _)| before);
        let mut tokens = content.split_whitespace();
        let Some(first) = tokens.next() else {
            return Ok(());
        };
        let malformed = || EdgeListError::Malformed { line, text: raw_line.trim().to_owned() };
        let second = tokens.next().ok_or_else(malformed)?;
        let weight = match tokens.next() {
            None => 1.0,
            Some(token) => parse_weight(token).ok_or_else(|| {
                if token.parse::<f64>().is_ok() {
                    EdgeListError::InvalidWeight { line, weight: token.to_owned() }
                } else {
                    malformed()
                }
            })?,
        };
        if tokens.next().is_some() {
            return Err(malformed());
        }
        let u = self.intern(first);
        let v = self.intern(second);
        self.endpoints.push((u, v));
        match &mut self.weights {
            Some(weights) => weights.push(weight),
            None if weight != 1.0 => {
                let mut weights = vec![1.0; self.endpoints.len() - 1];
                weights.push(weight);
                self.weights = Some(weights);
            }
            None => {}
        }
        Ok(())
    }

    /// The labels in order of first appearance and the graph of every edge read.
    pub fn finish(self) -> Result<EdgeList, EdgeListError> {
        let graph = Graph::from_endpoints(self.ids.len(), &self.endpoints, self.weights.as_deref())?;
        drop(self.endpoints);
        drop(self.weights);
        let mut labels = vec![String::new(); self.ids.len()];
        for (label, id) in self.ids {
            labels[id as usize] = label.into_string();
        }
        Ok(EdgeList { labels, graph })
    }

    fn intern(&mut self, label: &str) -> u32 {
        if let Some(&id) = self.ids.get(label) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(label.into(), id);
        id
    }
}

/// A finite, non-negative weight; `None` for anything else.
fn parse_weight(token: &str) -> Option<f64> {
    token.parse::<f64>().ok().filter(|weight| weight.is_finite() && *weight >= 0.0)
}

/// Writes one `node community` line per node, in node order.
///
/// # Panics
/// When `labels` and `membership` differ in length.
pub fn format_communities(labels: &[String], membership: &[u32]) -> String {
    assert_eq!(labels.len(), membership.len(), "one community per label");
    let mut out = String::with_capacity(labels.iter().map(|label| label.len() + 8).sum());
    for (label, community) in labels.iter().zip(membership) {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{label} {community}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_weights_comments_and_blank_lines() {
        let text =
            "# co-offending export\n\nalice bob 2.5\nbob  carol   # seen together once\n\t carol alice 1\nalice bob\n";
        let parsed = parse_edge_list(text).unwrap();
        assert_eq!(parsed.labels, ["alice", "bob", "carol"]);
        assert_eq!(parsed.graph.edge_count(), 3);
        // The repeated alice–bob edge adds up.
        assert_eq!(parsed.graph.neighbours(0).collect::<Vec<_>>(), [(1, 3.5), (2, 1.0)]);
    }

    /// A list keeps no weight per edge until a line gives one other than 1; edges read before it
    /// still weigh 1, and edges of weight 1 read twice add up either way.
    #[test]
    fn weights_given_late_and_unweighted_repeats_add_up_as_spelled_out() {
        let late = parse_edge_list("a b\nb c\nc d 0.5\na b\n").unwrap();
        let spelled_out = Graph::from_edges(4, &[(0, 1, 1.0), (1, 2, 1.0), (2, 3, 0.5), (0, 1, 1.0)]).unwrap();
        assert_eq!(late.graph, spelled_out);
        assert_eq!(late.graph.neighbours(1).collect::<Vec<_>>(), [(0, 2.0), (2, 1.0)]);
        assert_eq!(late.graph.neighbours(2).collect::<Vec<_>>(), [(1, 1.0), (3, 0.5)]);

        let repeated = parse_edge_list("a b\nb c\nb a\nc c\n").unwrap();
        assert_eq!(repeated.graph.neighbours(1).collect::<Vec<_>>(), [(0, 2.0), (2, 1.0)]);
        assert_eq!(repeated.graph.neighbours(0).collect::<Vec<_>>(), [(1, 2.0)]);
        assert_eq!([0, 1, 2].map(|node| repeated.graph.strength(node)), [2.0, 3.0, 3.0]);
        assert_eq!(repeated.graph.total_weight(), 4.0);
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let error = parse_edge_list("a b\n# fine\nc\n").unwrap_err();
        assert_eq!(error.to_string(), "line 3: expected `u v [weight]`, got \"c\"");
        let error = parse_edge_list("a b 1 extra\n").unwrap_err();
        assert_eq!(error.to_string(), "line 1: expected `u v [weight]`, got \"a b 1 extra\"");
        let error = parse_edge_list("a b\na c heavy\n").unwrap_err();
        assert_eq!(error.to_string(), "line 2: expected `u v [weight]`, got \"a c heavy\"");
    }

    #[test]
    fn negative_and_non_finite_weights_are_rejected() {
        for (text, weight) in [("a b -1", "-1"), ("a b NaN", "NaN"), ("a b inf", "inf")] {
            let error = parse_edge_list(&format!("x y\n\n{text}\n")).unwrap_err();
            assert_eq!(error, EdgeListError::InvalidWeight { line: 3, weight: weight.to_owned() });
            assert!(error.to_string().starts_with("line 3: weight must be"), "{error}");
        }
    }

    #[test]
    fn empty_input_gives_an_empty_graph() {
        let parsed = parse_edge_list("# nothing yet\n\n").unwrap();
        assert!(parsed.labels.is_empty());
        assert_eq!(parsed.graph.node_count(), 0);
    }

    #[test]
    fn writes_one_node_community_line_per_node() {
        let labels = ["alice".to_owned(), "bob".to_owned(), "x-17".to_owned()];
        assert_eq!(format_communities(&labels, &[0, 0, 1]), "alice 0\nbob 0\nx-17 1\n");
    }

    #[test]
    fn parsed_networks_feed_leiden() {
        // Two groups of four who offended together, and one link between them.
        let text = "a b\na c\na d\nb c\nb d\nc d\ne f\ne g\ne h\nf g\nf h\ng h\nd e\n";
        let parsed = parse_edge_list(text).unwrap();
        let partition = crate::leiden::leiden(&parsed.graph, &crate::leiden::LeidenConfig::default(), None);
        assert_eq!(
            format_communities(&parsed.labels, &partition.membership),
            "a 0\nb 0\nc 0\nd 0\ne 1\nf 1\ng 1\nh 1\n"
        );
    }
}
