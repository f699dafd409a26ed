//! [`Workspace`]: the read model itself, and applying resolutions to it. Applying is idempotent (a
//! redelivered resolution changes nothing), follows merges and splits, and replaces the links of an
//! incident when a relink re-states them.

use crate::decisions::DecisionLog;
use crate::groups::GroupBook;
use crate::incidents::{IncidentNode, Interner, LinkNode};
use orca_model::{
    EntityKind, EntityMerge, EntitySplit, GroupId, Incident, IncidentId, LinkDecision, Resolution, SightingLink,
};
use orca_network::Entities;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// A possible match awaiting review: kind, incident number, position in its links.
pub type ReviewKey = (EntityKind, u32, u32);

/// The analysts' read model of what the pipeline found. See the crate docs.
#[derive(Default)]
pub struct Workspace {
    pub(crate) incidents: Vec<IncidentNode>,
    pub(crate) incident_numbers: FxHashMap<IncidentId, u32>,
    pub(crate) persons: Entities,
    pub(crate) vehicles: Entities,
    /// What each person or vehicle is known as (a name, a plate), by number.
    pub(crate) person_labels: Vec<Box<str>>,
    pub(crate) vehicle_labels: Vec<Box<str>>,
    /// Normalised marker code → incidents whose offenders carried it.
    pub(crate) markers: FxHashMap<Box<str>, Vec<u32>>,
    pub(crate) forces: Interner,
    pub(crate) stores: Interner,
    pub(crate) retailers: Interner,
    pub(crate) groups: GroupBook,
    pub(crate) review: BTreeSet<ReviewKey>,
    pub(crate) decisions: DecisionLog,
}

/// What one change touched, for the search index to rewrite.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Touched {
    pub incidents: Vec<u32>,
    /// Canonical person and vehicle numbers whose documents may have changed.
    pub persons: Vec<u32>,
    pub vehicles: Vec<u32>,
    /// Ids merged away: their documents go.
    pub retired: Vec<(EntityKind, String)>,
    /// Entities whose redirect or lineage changed.
    pub entity_meta: Vec<(EntityKind, u32)>,
    /// Decision ids answered.
    pub decisions: Vec<String>,
    /// Groups no longer active whose kept description changed (see `scrub_inactive_groups`).
    pub groups: Vec<GroupId>,
}

impl Touched {
    fn finish(mut self) -> Self {
        for list in [&mut self.incidents, &mut self.persons, &mut self.vehicles] {
            list.sort_unstable();
            list.dedup();
        }
        self.entity_meta.sort_by_key(|(kind, n)| (*kind == EntityKind::Vehicle, *n));
        self.entity_meta.dedup();
        self
    }
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one resolution (a new incident, a redelivery, or a relink). A relink of an incident
    /// the read model does not hold (one a replay of the compacted resolutions topic has not read)
    /// has its merges, splits and decisions' results applied and its links ignored; the resolver
    /// sends merges, splits and results as such relinks, with no incident id.
    pub fn apply_resolution(&mut self, resolution: &Resolution) -> Touched {
        let existing = self.incident_numbers.get(&resolution.incident_id).copied();
        let mut touched = Touched::default();
        for result in &resolution.decisions {
            self.decisions.record(result.clone());
            touched.decisions.push(result.decision_id.clone());
        }
        let node = match (&resolution.incident, existing) {
            // A withdrawn report keeps its node, with no links: it is no one's any more.
            (None, Some(number)) if resolution.withdrawal.is_some() => {
                IncidentNode { persons: Vec::new(), vehicles: Vec::new(), ..self.incidents[number as usize].clone() }
            }
            (None, None) if resolution.withdrawal.is_some() => return touched.finish(),
            (None, None) => {
                self.apply_entity_changes(resolution, &mut touched);
                return touched.finish();
            }
            (None, Some(number)) => self.relinked(number, resolution),
            (Some(incident), _) => self.node_of(resolution, incident),
        };
        self.apply_entity_changes(resolution, &mut touched);
        let number = match existing {
            Some(number) if self.same_links(&self.incidents[number as usize], &node) => {
                return touched.finish();
            }
            Some(number) => {
                self.unlink(number, &mut touched);
                self.incidents[number as usize] = node;
                number
            }
            None => {
                let number = self.incidents.len() as u32;
                self.incident_numbers.insert(resolution.incident_id.clone(), number);
                self.incidents.push(node);
                number
            }
        };
        if let Some(incident) = &resolution.incident {
            self.label(number, &incident.persons, &incident.vehicles);
        }
        self.link(number, &mut touched);
        if resolution.withdrawal.is_some() || resolution.incident.as_ref().is_some_and(|i| i.redaction) {
            touched.groups = self.scrub_inactive_groups(&resolution.incident_id);
        }
        touched.finish()
    }

    fn apply_entity_changes(&mut self, resolution: &Resolution, touched: &mut Touched) {
        for merge in &resolution.merges {
            self.apply_merge(merge, touched);
        }
        for split in &resolution.splits {
            self.apply_split(split, touched);
        }
    }

    fn node_of(&mut self, resolution: &Resolution, incident: &Incident) -> IncidentNode {
        let (persons, vehicles) = (&incident.persons, &incident.vehicles);
        let person_links = (resolution.persons.iter())
            .filter_map(|link| {
                let sighting = persons.get(link.sighting_index as usize)?;
                sighting.role.is_offending().then(|| {
                    let marker = sighting.marker_code.as_deref().map(orca_network::records::normalise_marker);
                    let mut node = self.link_node(EntityKind::Person, link);
                    node.marker = marker.filter(|m| !m.is_empty()).map(Into::into);
                    node
                })
            })
            .collect();
        let vehicle_links = (resolution.vehicles.iter())
            .filter_map(|link| {
                let sighting = vehicles.get(link.sighting_index as usize)?;
                let mut node = self.link_node(EntityKind::Vehicle, link);
                node.used_by_offenders = sighting.role != orca_model::VehicleRole::SeenNearby;
                Some(node)
            })
            .collect();
        IncidentNode {
            id: resolution.incident_id.clone(),
            occurred_at: incident.occurred_at(),
            force: self.forces.intern(incident.force.as_str()),
            store: self.stores.intern(incident.store.as_str()),
            retailer: self.retailers.intern(incident.retailer.as_str()),
            event_type: incident.event_type,
            value_pence: incident.total_value(),
            violent: incident.violence || incident.weapon,
            police_crime_ref: incident.police_crime_ref.as_str().into(),
            persons: person_links,
            vehicles: vehicle_links,
        }
    }

    /// The node of an incident held, with a relink's links laid over its own (sightings it does
    /// not hold, such as a victim's, are ignored).
    fn relinked(&mut self, number: u32, resolution: &Resolution) -> IncidentNode {
        let mut node = self.incidents[number as usize].clone();
        for (kind, links) in [(EntityKind::Person, &resolution.persons), (EntityKind::Vehicle, &resolution.vehicles)] {
            for link in links {
                let fresh = self.link_node(kind, link);
                let held = match kind {
                    EntityKind::Person => &mut node.persons,
                    EntityKind::Vehicle => &mut node.vehicles,
                };
                if let Some(slot) = held.iter_mut().find(|l| l.index == link.sighting_index) {
                    *slot = LinkNode { marker: slot.marker.take(), used_by_offenders: slot.used_by_offenders, ..fresh };
                }
            }
        }
        node
    }

    fn link_node(&mut self, kind: EntityKind, link: &SightingLink) -> LinkNode {
        let entity = self.intern_entity(kind, &link.entity_id);
        let candidate = link.candidate.as_deref().map(|c| self.intern_entity(kind, c));
        LinkNode {
            index: link.sighting_index,
            entity,
            probability: link.probability as f32,
            decision: link.decision,
            candidate,
            marker: None,
            used_by_offenders: true,
        }
    }

    pub(crate) fn entities(&self, kind: EntityKind) -> &Entities {
        match kind {
            EntityKind::Person => &self.persons,
            EntityKind::Vehicle => &self.vehicles,
        }
    }

    pub(crate) fn intern_entity(&mut self, kind: EntityKind, id: &str) -> u32 {
        let (entities, labels) = match kind {
            EntityKind::Person => (&mut self.persons, &mut self.person_labels),
            EntityKind::Vehicle => (&mut self.vehicles, &mut self.vehicle_labels),
        };
        let number = entities.intern(id);
        if labels.len() < entities.len() {
            labels.resize(entities.len(), Box::from(""));
        }
        number
    }

    /// Whether two versions of an incident say the same, reading entities through redirects.
    fn same_links(&self, a: &IncidentNode, b: &IncidentNode) -> bool {
        let same = |kind: EntityKind, x: &[LinkNode], y: &[LinkNode]| {
            let entities = self.entities(kind);
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| {
                    p.index == q.index
                        && entities.canonical(p.entity) == entities.canonical(q.entity)
                        && p.decision == q.decision
                        && p.probability == q.probability
                        && p.candidate.map(|c| entities.canonical(c)) == q.candidate.map(|c| entities.canonical(c))
                })
        };
        same(EntityKind::Person, &a.persons, &b.persons) && same(EntityKind::Vehicle, &a.vehicles, &b.vehicles)
    }

    /// Indexes an incident's links.
    fn link(&mut self, number: u32, touched: &mut Touched) {
        touched.incidents.push(number);
        let node = &self.incidents[number as usize];
        for (position, link) in node.persons.iter().enumerate() {
            let person = self.persons.canonical(link.entity);
            self.persons.add_incident(person, number);
            touched.persons.push(person);
            if let Some(code) = &link.marker {
                let list = self.markers.entry(code.clone()).or_default();
                if let Err(at) = list.binary_search(&number) {
                    list.insert(at, number);
                }
            }
            if link.decision == LinkDecision::PossibleMatch && link.candidate.is_some() {
                self.review.insert((EntityKind::Person, number, position as u32));
            }
        }
        for (position, link) in node.vehicles.iter().enumerate() {
            let vehicle = self.vehicles.canonical(link.entity);
            self.vehicles.add_incident(vehicle, number);
            touched.vehicles.push(vehicle);
            if link.decision == LinkDecision::PossibleMatch && link.candidate.is_some() {
                self.review.insert((EntityKind::Vehicle, number, position as u32));
            }
        }
    }

    /// Removes an incident's links from the indexes.
    fn unlink(&mut self, number: u32, touched: &mut Touched) {
        let node = &self.incidents[number as usize];
        for (position, link) in node.persons.iter().enumerate() {
            let person = self.persons.canonical(link.entity);
            self.persons.remove_incident(person, number);
            touched.persons.push(person);
            if let Some(list) = link.marker.as_ref().and_then(|code| self.markers.get_mut(code))
                && let Ok(at) = list.binary_search(&number)
            {
                list.remove(at);
            }
            self.review.remove(&(EntityKind::Person, number, position as u32));
        }
        for (position, link) in node.vehicles.iter().enumerate() {
            let vehicle = self.vehicles.canonical(link.entity);
            self.vehicles.remove_incident(vehicle, number);
            touched.vehicles.push(vehicle);
            self.review.remove(&(EntityKind::Vehicle, number, position as u32));
        }
    }

    fn apply_merge(&mut self, merge: &EntityMerge, touched: &mut Touched) {
        let survivor = self.intern_entity(merge.kind, &merge.survivor);
        for merged in &merge.merged {
            let merged = self.intern_entity(merge.kind, merged);
            let entities = match merge.kind {
                EntityKind::Person => &mut self.persons,
                EntityKind::Vehicle => &mut self.vehicles,
            };
            let (survivor, merged) = (entities.canonical(survivor), entities.canonical(merged));
            if survivor == merged {
                continue;
            }
            entities.merge(survivor, merged);
            touched.retired.push((merge.kind, entities.id(merged).to_owned()));
            touched.entity_meta.push((merge.kind, merged));
            match merge.kind {
                EntityKind::Person => touched.persons.push(survivor),
                EntityKind::Vehicle => touched.vehicles.push(survivor),
            }
            self.adopt_label(merge.kind, survivor, merged);
        }
    }

    /// A split gives new ids lineage; one that had been merged in stands on its own again (its
    /// sightings come back with the relinks that follow).
    fn apply_split(&mut self, split: &EntitySplit, touched: &mut Touched) {
        let from = self.intern_entity(split.kind, &split.from);
        for new_id in &split.new_ids {
            let number = self.intern_entity(split.kind, new_id);
            if number == from {
                continue;
            }
            let entities = match split.kind {
                EntityKind::Person => &mut self.persons,
                EntityKind::Vehicle => &mut self.vehicles,
            };
            entities.lineage[number as usize] = Some(from);
            if entities.redirect_of(number).is_some() {
                entities.set_redirect(number, None);
            }
            touched.entity_meta.push((split.kind, number));
            let canonical_from = entities.canonical(from);
            match split.kind {
                EntityKind::Person => touched.persons.extend([number, canonical_from]),
                EntityKind::Vehicle => touched.vehicles.extend([number, canonical_from]),
            }
            let label = self.label_of(split.kind, from).to_owned();
            self.set_label(split.kind, number, &label, false);
        }
    }
}
