//! Timelines: the incidents of a person, vehicle or group in time order, with who was there.

use crate::network::NodeRef;
use crate::workspace::Workspace;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet;

/// One incident on a timeline. Person and vehicle numbers are canonical.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEvent {
    pub incident: u32,
    /// For a person: the others there; for a vehicle or a group: everyone there.
    pub persons: Vec<u32>,
    pub vehicles: Vec<u32>,
    /// For a group: the members there.
    pub members: Vec<u32>,
}

impl Workspace {
    /// The timeline of a node between `from` and `to` (inclusive; either open), oldest first.
    pub fn timeline(
        &self,
        node: &NodeRef,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Vec<TimelineEvent> {
        let (incidents, subject, members): (Vec<u32>, Option<u32>, FxHashSet<u32>) = match node {
            NodeRef::Person(p) => (self.persons.incidents[*p as usize].clone(), Some(*p), FxHashSet::default()),
            NodeRef::Vehicle(v) => (self.vehicles.incidents[*v as usize].clone(), None, FxHashSet::default()),
            NodeRef::Group(g) => {
                let Some(record) = self.group(g.as_str()) else { return Vec::new() };
                let incidents = (record.package.offences.iter())
                    .filter_map(|o| self.incident_number(o.incident_id.as_str()))
                    .collect();
                let members = (record.package.subjects.iter())
                    .filter_map(|s| self.persons.number(s.person_id.as_str()))
                    .map(|n| self.persons.canonical(n))
                    .collect();
                (incidents, None, members)
            }
        };
        let mut events: Vec<TimelineEvent> = incidents
            .into_iter()
            .filter(|&n| {
                let at = self.incidents[n as usize].occurred_at;
                from.is_none_or(|f| at >= f) && to.is_none_or(|t| at <= t)
            })
            .map(|n| {
                let node = &self.incidents[n as usize];
                let mut persons: Vec<u32> = (node.persons.iter())
                    .map(|l| self.persons.canonical(l.entity))
                    .filter(|p| Some(*p) != subject)
                    .collect();
                persons.sort_unstable();
                persons.dedup();
                let mut vehicles: Vec<u32> = node.vehicles.iter().map(|l| self.vehicles.canonical(l.entity)).collect();
                vehicles.sort_unstable();
                vehicles.dedup();
                let members = persons.iter().copied().filter(|p| members.contains(p)).collect();
                TimelineEvent { incident: n, persons, vehicles, members }
            })
            .collect();
        events.sort_by(|a, b| {
            let (x, y) = (&self.incidents[a.incident as usize], &self.incidents[b.incident as usize]);
            (x.occurred_at, &x.id).cmp(&(y.occurred_at, &y.id))
        });
        events.dedup_by_key(|e| e.incident);
        events
    }
}
