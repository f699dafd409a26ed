//! The edges of one node, worked out from the incidents it was in: who offended with whom, which
//! vehicles they used, who carried the same marker code, who belongs to which group.

use crate::network::{CITED_INCIDENTS, Edge, ExpandOptions, LinkKind, NodeRef};
use crate::workspace::Workspace;
use rustc_hash::{FxHashMap, FxHashSet};

/// The support of one edge while it is being gathered.
#[derive(Default)]
struct Support {
    confidence: f64,
    incidents: Vec<u32>,
}

impl Support {
    fn add(&mut self, incident: u32, confidence: f64) {
        self.confidence = self.confidence.max(confidence);
        if !self.incidents.contains(&incident) {
            self.incidents.push(incident);
        }
    }
}

impl Workspace {
    /// Every edge from `node` of the kinds asked for, at or above the minimum confidence, in a
    /// fixed order (by kind, then the other end's id).
    pub fn edges_of(&self, node: &NodeRef, options: &ExpandOptions) -> Vec<Edge> {
        let wants = |kind: LinkKind| options.kinds.contains(&kind);
        let mut edges = Vec::new();
        match node {
            NodeRef::Person(person) => {
                if wants(LinkKind::CoOffending) || wants(LinkKind::VehicleUse) {
                    self.incident_edges(*person, options, &mut edges);
                }
                if wants(LinkKind::SharedMarker) {
                    self.marker_edges(*person, options, &mut edges);
                }
                if wants(LinkKind::GroupMember) {
                    for group in self.groups_of_person(*person) {
                        if let Some(edge) = self.member_edge(&group, *person, true) {
                            edges.push(edge);
                        }
                    }
                }
            }
            NodeRef::Vehicle(vehicle) if wants(LinkKind::VehicleUse) => {
                self.vehicle_edges(*vehicle, options, &mut edges)
            }
            NodeRef::Vehicle(_) => {}
            NodeRef::Group(group) if wants(LinkKind::GroupMember) => {
                let Some(record) = self.group(group.as_str()) else { return edges };
                let mut members: Vec<u32> = (record.package.subjects.iter())
                    .filter_map(|s| self.persons.number(s.person_id.as_str()))
                    .map(|n| self.persons.canonical(n))
                    .collect();
                members.sort_unstable();
                members.dedup();
                edges.extend(members.into_iter().filter_map(|m| self.member_edge(group, m, false)));
            }
            NodeRef::Group(_) => {}
        }
        edges.retain(|e| e.confidence >= options.min_confidence);
        edges.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| self.node_id(&a.to).cmp(&self.node_id(&b.to))));
        edges
    }

    /// Co-offending and vehicle-use edges of a person.
    fn incident_edges(&self, person: u32, options: &ExpandOptions, edges: &mut Vec<Edge>) {
        let mut persons: FxHashMap<u32, Support> = FxHashMap::default();
        let mut vehicles: FxHashMap<u32, Support> = FxHashMap::default();
        for &number in &self.persons.incidents[person as usize] {
            let node = &self.incidents[number as usize];
            let own = (node.persons.iter())
                .filter(|l| self.persons.canonical(l.entity) == person)
                .map(|l| f64::from(l.probability))
                .fold(0.0, f64::max);
            for link in &node.persons {
                let other = self.persons.canonical(link.entity);
                let confidence = own.min(f64::from(link.probability));
                if other != person && confidence >= options.min_confidence {
                    persons.entry(other).or_default().add(number, confidence);
                }
            }
            for link in node.vehicles.iter().filter(|l| l.used_by_offenders) {
                let confidence = own.min(f64::from(link.probability));
                if confidence >= options.min_confidence {
                    vehicles.entry(self.vehicles.canonical(link.entity)).or_default().add(number, confidence);
                }
            }
        }
        if options.kinds.contains(&LinkKind::CoOffending) {
            for (other, support) in persons {
                edges.push(self.edge(NodeRef::Person(person), NodeRef::Person(other), LinkKind::CoOffending, support));
            }
        }
        if options.kinds.contains(&LinkKind::VehicleUse) {
            for (vehicle, support) in vehicles {
                edges.push(self.edge(
                    NodeRef::Person(person),
                    NodeRef::Vehicle(vehicle),
                    LinkKind::VehicleUse,
                    support,
                ));
            }
        }
    }

    /// Vehicle-use edges of a vehicle: the persons it was with.
    fn vehicle_edges(&self, vehicle: u32, options: &ExpandOptions, edges: &mut Vec<Edge>) {
        let mut persons: FxHashMap<u32, Support> = FxHashMap::default();
        for &number in &self.vehicles.incidents[vehicle as usize] {
            let node = &self.incidents[number as usize];
            let own = (node.vehicles.iter())
                .filter(|l| l.used_by_offenders && self.vehicles.canonical(l.entity) == vehicle)
                .map(|l| f64::from(l.probability))
                .fold(-1.0, f64::max);
            if own < 0.0 {
                continue;
            }
            for link in &node.persons {
                let confidence = own.min(f64::from(link.probability));
                if confidence >= options.min_confidence {
                    persons.entry(self.persons.canonical(link.entity)).or_default().add(number, confidence);
                }
            }
        }
        for (person, support) in persons {
            edges.push(self.edge(NodeRef::Vehicle(vehicle), NodeRef::Person(person), LinkKind::VehicleUse, support));
        }
    }

    /// The marker codes a person's sightings carried.
    pub fn marker_codes_of(&self, person: u32) -> Vec<&str> {
        let mut codes: Vec<&str> = (self.persons.incidents[person as usize].iter())
            .flat_map(|&n| &self.incidents[n as usize].persons)
            .filter(|l| self.persons.canonical(l.entity) == person)
            .filter_map(|l| l.marker.as_deref())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }

    /// Shared-marker edges: other persons whose sightings carried one of this person's codes.
    fn marker_edges(&self, person: u32, options: &ExpandOptions, edges: &mut Vec<Edge>) {
        let mut others: FxHashMap<u32, (Support, FxHashSet<&str>)> = FxHashMap::default();
        for code in self.marker_codes_of(person) {
            for &number in self.markers.get(code).into_iter().flatten() {
                for link in &self.incidents[number as usize].persons {
                    let other = self.persons.canonical(link.entity);
                    if other != person && link.marker.as_deref() == Some(code) {
                        let (support, codes) = others.entry(other).or_default();
                        support.add(number, 1.0);
                        codes.insert(code);
                    }
                }
            }
        }
        for (other, (support, codes)) in others {
            let mut codes: Vec<&str> = codes.into_iter().collect();
            codes.sort_unstable();
            let mut edge = self.edge(NodeRef::Person(person), NodeRef::Person(other), LinkKind::SharedMarker, support);
            edge.reason = format!("both tagged with forensic-marker code {}", codes.join(", "));
            if edge.confidence >= options.min_confidence {
                edges.push(edge);
            }
        }
    }

    /// The membership edge between a group and one of its (former) members.
    fn member_edge(&self, group: &orca_model::GroupId, person: u32, from_person: bool) -> Option<Edge> {
        let record = self.group(group.as_str())?;
        let subject =
            record.package.subjects.iter().find(|s| {
                self.persons.number(s.person_id.as_str()).is_some_and(|n| self.persons.canonical(n) == person)
            })?;
        let standing = if record.active { "" } else { " (the group is no longer active)" };
        let (from, to) = if from_person {
            (NodeRef::Person(person), NodeRef::Group(group.clone()))
        } else {
            (NodeRef::Group(group.clone()), NodeRef::Person(person))
        };
        Some(Edge {
            from,
            to,
            kind: LinkKind::GroupMember,
            confidence: subject.match_confidence,
            incident_count: subject.incident_count,
            incidents: Vec::new(),
            reason: format!("{} member of {group}{standing}", subject.role),
        })
    }

    fn edge(&self, from: NodeRef, to: NodeRef, kind: LinkKind, mut support: Support) -> Edge {
        support.incidents.sort_by(|&a, &b| {
            let (a, b) = (&self.incidents[a as usize], &self.incidents[b as usize]);
            (b.occurred_at, &b.id).cmp(&(a.occurred_at, &a.id))
        });
        let count = support.incidents.len();
        let latest = support.incidents.first().map(|&n| &self.incidents[n as usize]);
        let when = latest.map_or(String::new(), |node| {
            format!(", latest {} in {}", node.occurred_at.format("%Y-%m-%d"), self.forces.text(node.force))
        });
        let plural = if count == 1 { "" } else { "s" };
        let reason = match kind {
            LinkKind::CoOffending => format!("offended together at {count} incident{plural}{when}"),
            LinkKind::VehicleUse => format!("vehicle with the offenders at {count} incident{plural}{when}"),
            LinkKind::SharedMarker | LinkKind::GroupMember => String::new(),
        };
        support.incidents.truncate(CITED_INCIDENTS);
        Edge {
            from,
            to,
            kind,
            confidence: support.confidence,
            incident_count: count as u32,
            incidents: support.incidents,
            reason,
        }
    }
}
