//! The review queue: sightings the resolver linked to a new entity because the best candidate was
//! possible but not certain. An analyst's decision changes the most where the candidate (or the
//! sighting's own entity) belongs to a group, has many incidents, or the incident was violent or
//! costly, so those come first, each with the reasons in words.
//!
//! At a million incidents the queue holds over 100,000 possible matches, all scored on every call:
//! the score is computed without building its reasons, which are put in words only for the page
//! shown ([`Workspace::review_reasons`]).

use crate::workspace::Workspace;
use orca_model::{EntityKind, Pence};
use std::collections::BTreeSet;

/// What each entity's group memberships add to a consequence, by kind and entity number, for one
/// pass over the queue.
type GroupWeights = rustc_hash::FxHashMap<(EntityKind, u32), f64>;

/// What membership of a group adds to a decision's consequence.
fn group_weight(role: &str, band: &str) -> f64 {
    let role = if role == "core" { 3.0 } else { 2.0 };
    let band = match band {
        "high" => 1.0,
        "medium" => 0.5,
        _ => 0.0,
    };
    role + band
}

/// One possible match awaiting review. Entity numbers are canonical.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewEntry {
    pub kind: EntityKind,
    pub incident: u32,
    /// The sighting's index in the incident.
    pub index: u32,
    pub entity: u32,
    pub candidate: u32,
    pub probability: f64,
    pub consequence: f64,
}

impl Workspace {
    /// The possible matches awaiting review, most consequential first (then the most recent). A
    /// candidate the sighting has since joined by other evidence is no longer a question.
    pub fn review_queue(&self, force: Option<&str>, kind: Option<EntityKind>) -> Vec<ReviewEntry> {
        let force = force.map(|f| self.forces.get(f));
        let mut memo = GroupWeights::default();
        let mut entries: Vec<ReviewEntry> = (self.review.iter())
            .filter(|(k, _, _)| kind.is_none_or(|wanted| wanted == *k))
            .filter_map(|&(kind, incident, position)| {
                let node = &self.incidents[incident as usize];
                if force.is_some_and(|f| f != Some(node.force)) {
                    return None;
                }
                let link = match kind {
                    EntityKind::Person => node.persons.get(position as usize)?,
                    EntityKind::Vehicle => node.vehicles.get(position as usize)?,
                };
                let entities = self.entities(kind);
                let entity = entities.canonical(link.entity);
                let candidate = entities.canonical(link.candidate?);
                (entity != candidate).then(|| ReviewEntry {
                    kind,
                    incident,
                    index: link.index,
                    entity,
                    candidate,
                    probability: f64::from(link.probability),
                    consequence: self.consequence(kind, incident, entity, candidate, None, &mut memo),
                })
            })
            .collect();
        entries.sort_by(|a, b| {
            let (x, y) = (&self.incidents[a.incident as usize], &self.incidents[b.incident as usize]);
            b.consequence
                .total_cmp(&a.consequence)
                .then_with(|| y.occurred_at.cmp(&x.occurred_at))
                .then_with(|| x.id.cmp(&y.id))
                .then(a.index.cmp(&b.index))
        });
        entries
    }

    /// Why a decision on `entry` matters, in words (the parts of its consequence score).
    pub fn review_reasons(&self, entry: &ReviewEntry) -> Vec<String> {
        let mut reasons = Vec::new();
        let mut memo = GroupWeights::default();
        self.consequence(entry.kind, entry.incident, entry.entity, entry.candidate, Some(&mut reasons), &mut memo);
        reasons
    }

    /// How much a decision would change, and (into `reasons`, when given) why in words.
    fn consequence(
        &self,
        kind: EntityKind,
        incident: u32,
        entity: u32,
        candidate: u32,
        mut reasons: Option<&mut Vec<String>>,
        memo: &mut GroupWeights,
    ) -> f64 {
        let mut score = 0.0;
        let entities = self.entities(kind);
        for (who, number) in [("the candidate", candidate), ("the sighting's own entity", entity)] {
            let Some(reasons) = reasons.as_deref_mut() else {
                // The same candidates come up again and again (a prolific offender, a group's car).
                score += *memo.entry((kind, number)).or_insert_with(|| {
                    self.group_roles(kind, number).iter().map(|(_, role, band)| group_weight(role, band)).sum()
                });
                continue;
            };
            for (group, role, band) in self.group_roles(kind, number) {
                score += group_weight(&role, &band);
                let band = if band.is_empty() { String::new() } else { format!(", {band} priority") };
                reasons.push(match kind {
                    EntityKind::Person => format!("{who} is a {role} member of {group}{band}"),
                    EntityKind::Vehicle => format!("{who} was used by {role} members of {group}{band}"),
                });
            }
        }
        let (n_candidate, n_entity) =
            (entities.incidents[candidate as usize].len(), entities.incidents[entity as usize].len());
        score += (1.0 + n_candidate as f64).log2() + (1.0 + n_entity as f64).log2();
        let node = &self.incidents[incident as usize];
        if node.violent {
            score += 1.0;
        }
        if node.value_pence >= Pence::new(50_000) {
            score += 1.0;
        }
        if let Some(reasons) = reasons {
            if n_candidate >= 3 {
                reasons.push(format!("the candidate has {n_candidate} incidents"));
            }
            if n_entity >= 2 {
                reasons.push(format!("confirming would join {n_entity} incidents to the candidate"));
            }
            if node.violent {
                reasons.push("the incident involved violence or a weapon".to_owned());
            }
            if node.value_pence >= Pence::new(50_000) {
                reasons.push(format!("{} was taken", node.value_pence));
            }
        }
        score
    }

    /// `(group, role, band)` of the active groups an entity is in: a person's own membership, or
    /// for a vehicle the groups of the persons it was with (their strongest role).
    fn group_roles(&self, kind: EntityKind, number: u32) -> Vec<(String, String, String)> {
        let persons: BTreeSet<u32> = match kind {
            EntityKind::Person => [number].into(),
            EntityKind::Vehicle => (self.vehicles.incidents[number as usize].iter())
                .flat_map(|&n| &self.incidents[n as usize].persons)
                .map(|l| self.persons.canonical(l.entity))
                .collect(),
        };
        let mut roles: Vec<(String, String, String)> = Vec::new();
        for person in persons {
            for group in self.groups_of_person(person) {
                let Some(record) = self.group(group.as_str()) else { continue };
                let role = (record.package.subjects.iter())
                    .find(|s| {
                        self.persons.number(s.person_id.as_str()).is_some_and(|n| self.persons.canonical(n) == person)
                    })
                    .map_or("periphery", |s| s.role.as_str());
                match roles.iter_mut().find(|(g, _, _)| *g == group.as_str()) {
                    Some(held) if role == "core" => held.1 = "core".to_owned(),
                    Some(_) => {}
                    None => roles.push((group.to_string(), role.to_owned(), record.priority_band().to_owned())),
                }
            }
        }
        roles
    }
}
