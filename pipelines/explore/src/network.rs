//! The network around an entity: persons, vehicles and groups as nodes; co-offending, vehicle use,
//! shared marker codes and group membership as edges, each with its support and the reason it
//! exists. Expansion is breadth-first with node and edge limits; paths are shortest in hops.

use crate::workspace::Workspace;
use orca_model::GroupId;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;

/// A node of the network. Person and vehicle numbers are canonical.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeRef {
    Person(u32),
    Vehicle(u32),
    Group(GroupId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    CoOffending,
    VehicleUse,
    SharedMarker,
    GroupMember,
}

impl LinkKind {
    pub const ALL: [LinkKind; 4] =
        [LinkKind::CoOffending, LinkKind::VehicleUse, LinkKind::SharedMarker, LinkKind::GroupMember];
}

/// Incidents cited per edge (the most recent).
pub const CITED_INCIDENTS: usize = 20;

/// One edge with its support.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: NodeRef,
    pub to: NodeRef,
    pub kind: LinkKind,
    /// The lower link probability of the two sightings in the best-supported incident (1 for a
    /// marker code, the match confidence for group membership).
    pub confidence: f64,
    pub incident_count: u32,
    /// Incident numbers, most recent first, at most [`CITED_INCIDENTS`].
    pub incidents: Vec<u32>,
    pub reason: String,
}

/// Which links to follow and how far.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpandOptions {
    pub hops: u32,
    pub kinds: Vec<LinkKind>,
    pub min_confidence: f64,
    pub max_nodes: usize,
    pub max_edges: usize,
}

impl Default for ExpandOptions {
    fn default() -> Self {
        Self { hops: 1, kinds: LinkKind::ALL.to_vec(), min_confidence: 0.0, max_nodes: 200, max_edges: 1_000 }
    }
}

/// Nodes (with their distance in hops from the start) and the edges among them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subnetwork {
    pub nodes: Vec<(NodeRef, u32)>,
    pub edges: Vec<Edge>,
    pub truncated: bool,
}

/// Nodes explored at most when looking for a path.
const PATH_SEARCH_LIMIT: usize = 200_000;

impl Workspace {
    /// Where to start from an id: a person or vehicle (following merges), a group, or an incident
    /// (its persons and vehicles).
    pub fn start_nodes(&self, id: &str) -> Option<Vec<NodeRef>> {
        let id = id.trim();
        if let Some(number) = self.persons.number(id) {
            return Some(vec![NodeRef::Person(self.persons.canonical(number))]);
        }
        if let Some(number) = self.vehicles.number(id) {
            return Some(vec![NodeRef::Vehicle(self.vehicles.canonical(number))]);
        }
        if self.group(id).is_some() {
            return Some(vec![NodeRef::Group(GroupId::new(id))]);
        }
        let number = self.incident_number(id)?;
        let node = &self.incidents[number as usize];
        let mut nodes: Vec<NodeRef> = (node.persons.iter())
            .map(|l| NodeRef::Person(self.persons.canonical(l.entity)))
            .chain(node.vehicles.iter().map(|l| NodeRef::Vehicle(self.vehicles.canonical(l.entity))))
            .collect();
        nodes.sort();
        nodes.dedup();
        Some(nodes)
    }

    /// The id of a node.
    pub fn node_id(&self, node: &NodeRef) -> String {
        match node {
            NodeRef::Person(n) => self.persons.id(*n).to_owned(),
            NodeRef::Vehicle(n) => self.vehicles.id(*n).to_owned(),
            NodeRef::Group(g) => g.to_string(),
        }
    }

    /// Everything within `hops` of the start, breadth first, and the edges among what was found.
    pub fn expand(&self, start: &[NodeRef], options: &ExpandOptions) -> Subnetwork {
        let mut hop_of: FxHashMap<NodeRef, u32> = FxHashMap::default();
        let mut order: Vec<NodeRef> = Vec::new();
        let mut edges_of: FxHashMap<NodeRef, Vec<Edge>> = FxHashMap::default();
        let mut truncated = false;
        for node in start {
            if hop_of.insert(node.clone(), 0).is_none() {
                order.push(node.clone());
            }
        }
        let mut frontier: Vec<NodeRef> = order.clone();
        'hops: for hop in 1..=options.hops {
            let mut next = Vec::new();
            for node in &frontier {
                let edges = self.edges_of(node, options);
                for edge in &edges {
                    if hop_of.contains_key(&edge.to) {
                        continue;
                    }
                    if order.len() >= options.max_nodes {
                        truncated = true;
                        edges_of.insert(node.clone(), edges);
                        break 'hops;
                    }
                    hop_of.insert(edge.to.clone(), hop);
                    order.push(edge.to.clone());
                    next.push(edge.to.clone());
                }
                edges_of.insert(node.clone(), edges);
            }
            frontier = next;
        }
        // Edges among the nodes found, each pair and kind once.
        let mut seen: FxHashSet<(NodeRef, NodeRef, LinkKind)> = FxHashSet::default();
        let mut edges = Vec::new();
        for node in &order {
            let own = match edges_of.remove(node) {
                Some(edges) => edges,
                None => self.edges_of(node, options),
            };
            for edge in own {
                if !hop_of.contains_key(&edge.to) {
                    continue;
                }
                let key = if edge.from <= edge.to {
                    (edge.from.clone(), edge.to.clone(), edge.kind)
                } else {
                    (edge.to.clone(), edge.from.clone(), edge.kind)
                };
                if seen.insert(key) {
                    if edges.len() >= options.max_edges {
                        truncated = true;
                        break;
                    }
                    edges.push(edge);
                }
            }
        }
        let mut nodes: Vec<(NodeRef, u32)> = order.into_iter().map(|n| (n.clone(), hop_of[&n])).collect();
        nodes.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| self.node_id(&a.0).cmp(&self.node_id(&b.0))));
        Subnetwork { nodes, edges, truncated }
    }

    /// The shortest chain of edges from `from` to `to` within `max_hops`, or `None`.
    pub fn shortest_path(
        &self,
        from: &[NodeRef],
        to: &[NodeRef],
        options: &ExpandOptions,
        max_hops: u32,
    ) -> Option<Subnetwork> {
        let targets: FxHashSet<&NodeRef> = to.iter().collect();
        let mut parent: FxHashMap<NodeRef, Option<Edge>> = FxHashMap::default();
        let mut queue: VecDeque<(NodeRef, u32)> = VecDeque::new();
        for node in from {
            parent.insert(node.clone(), None);
            queue.push_back((node.clone(), 0));
        }
        let mut found = from.iter().find(|n| targets.contains(n)).cloned();
        while found.is_none() {
            let Some((node, hop)) = queue.pop_front() else { break };
            if hop >= max_hops || parent.len() > PATH_SEARCH_LIMIT {
                continue;
            }
            for edge in self.edges_of(&node, options) {
                if parent.contains_key(&edge.to) {
                    continue;
                }
                let reached = edge.to.clone();
                parent.insert(reached.clone(), Some(edge));
                if targets.contains(&reached) {
                    found = Some(reached);
                    break;
                }
                queue.push_back((reached, hop + 1));
            }
        }
        let mut node = found?;
        let mut path_edges = Vec::new();
        let mut nodes = vec![node.clone()];
        while let Some(Some(edge)) = parent.get(&node) {
            node = edge.from.clone();
            nodes.push(node.clone());
            path_edges.push(edge.clone());
        }
        nodes.reverse();
        path_edges.reverse();
        Some(Subnetwork {
            nodes: nodes.into_iter().enumerate().map(|(i, n)| (n, i as u32)).collect(),
            edges: path_edges,
            truncated: false,
        })
    }
}
