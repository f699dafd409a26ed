//! The link graph around some persons, as a petgraph graph for analysts to chart and expand:
//! persons, vehicles, incidents, stores, forces and forensic-marker codes; person–incident (with
//! role and match probability), vehicle–incident, person–vehicle, incident–store, store–force and
//! person–marker edges.
//!
//! The linker's own indexes hold the same links in compact form (a national graph of millions of
//! incidents with merges moving thousands of edges at a time); this module materialises the part an
//! analyst asks for.

use crate::linker::Linker;
use orca_model::{ForceId, GroupId, IncidentId, PersonId, PersonRole, StoreId, VehicleId, VehicleRole};
use petgraph::graph::{NodeIndex, UnGraph};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum LinkNode {
    Person(PersonId),
    Vehicle(VehicleId),
    Incident(IncidentId),
    Store(StoreId),
    Force(ForceId),
    Marker(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LinkEdge {
    /// A person sighted in an incident.
    Offended { role: PersonRole, probability: f64 },
    /// A vehicle sighted at an incident.
    VehicleAt { role: VehicleRole, probability: f64 },
    /// A person at incidents where the vehicle was used.
    UsedVehicle { incidents: u32 },
    /// An incident at a store.
    AtStore,
    /// A store in a force area.
    InForce,
    /// A person whose sightings carried a forensic-marker code.
    Carried,
}

/// Nodes are added in a deterministic order (by kind, then id), so the same state gives the same
/// node indices.
pub type LinkGraph = UnGraph<LinkNode, LinkEdge>;

impl Linker {
    /// The link graph of some persons (ids are followed through merges; unknown ids are skipped):
    /// them, their incidents and everything those incidents touch.
    pub fn link_graph(&self, persons: &[PersonId]) -> LinkGraph {
        let mut numbers: Vec<u32> = persons.iter().filter_map(|id| self.person_number(id)).collect();
        numbers.sort_by(|&a, &b| self.persons.id(a).cmp(self.persons.id(b)));
        numbers.dedup();
        let mut incidents: Vec<u32> =
            numbers.iter().flat_map(|&p| self.persons.incidents[p as usize].iter().copied()).collect();
        incidents.sort_by(|&a, &b| self.incidents[a as usize].id.cmp(&self.incidents[b as usize].id));
        incidents.dedup();

        let mut edges: Vec<(LinkNode, LinkNode, LinkEdge)> = Vec::new();
        let mut used: BTreeMap<(PersonId, VehicleId), u32> = BTreeMap::new();
        for &incident in &incidents {
            let record = &self.incidents[incident as usize];
            let links = &self.links[incident as usize];
            let incident_node = LinkNode::Incident(record.id.clone());
            edges.push((incident_node.clone(), LinkNode::Store(record.store.clone()), LinkEdge::AtStore));
            edges.push((
                LinkNode::Store(record.store.clone()),
                LinkNode::Force(record.force.clone()),
                LinkEdge::InForce,
            ));
            let persons_here: Vec<PersonId> =
                links.persons.iter().map(|&p| PersonId::new(self.persons.id(self.persons.canonical(p)))).collect();
            for (person, link) in persons_here.iter().zip(&record.persons) {
                edges.push((
                    LinkNode::Person(person.clone()),
                    incident_node.clone(),
                    LinkEdge::Offended { role: link.role, probability: link.probability },
                ));
                if let Some(code) = &link.marker_code {
                    edges.push((LinkNode::Person(person.clone()), LinkNode::Marker(code.clone()), LinkEdge::Carried));
                }
            }
            for (&v, link) in links.vehicles.iter().zip(&record.vehicles) {
                let vehicle = VehicleId::new(self.vehicles.id(self.vehicles.canonical(v)));
                edges.push((
                    LinkNode::Vehicle(vehicle.clone()),
                    incident_node.clone(),
                    LinkEdge::VehicleAt { role: link.role, probability: link.probability },
                ));
                if link.used_by_offenders() {
                    for person in &persons_here {
                        *used.entry((person.clone(), vehicle.clone())).or_default() += 1;
                    }
                }
            }
        }
        for ((person, vehicle), count) in used {
            edges.push((
                LinkNode::Person(person),
                LinkNode::Vehicle(vehicle),
                LinkEdge::UsedVehicle { incidents: count },
            ));
        }

        let mut nodes: Vec<LinkNode> = edges.iter().flat_map(|(a, b, _)| [a.clone(), b.clone()]).collect();
        nodes.sort();
        nodes.dedup();
        let mut graph = LinkGraph::with_capacity(nodes.len(), edges.len());
        let index: BTreeMap<LinkNode, NodeIndex> =
            nodes.into_iter().map(|node| (node.clone(), graph.add_node(node))).collect();
        let mut seen = std::collections::BTreeSet::new();
        for (a, b, edge) in edges {
            // Marker, store and force edges repeat across incidents; keep one of each.
            let repeatable = matches!(edge, LinkEdge::AtStore | LinkEdge::InForce | LinkEdge::Carried);
            if repeatable && !seen.insert((a.clone(), b.clone())) {
                continue;
            }
            graph.add_edge(index[&a], index[&b], edge);
        }
        graph
    }

    /// The link graph of a group's members.
    pub fn group_link_graph(&self, group: &str) -> Option<LinkGraph> {
        let view = self.groups.get(&GroupId::new(group))?;
        let members: Vec<PersonId> = view.members.iter().map(|&p| PersonId::new(self.persons.id(p))).collect();
        Some(self.link_graph(&members))
    }
}
