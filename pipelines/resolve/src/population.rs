//! The bookkeeping shared by persons and vehicles: sightings with their features, entities with
//! their members and summaries, merge redirects, cannot-link constraints and split lineage.
//!
//! Invariants: an entity's `members` are sorted by sighting number and its summary is the fold of
//! [`Summary::add`] over them in that order, so a summary rebuilt on restore equals the one built
//! incrementally. A merged entity has no members and a `redirect`. Sightings keep the entity they
//! were assigned to directly; merges never rewrite them, splits and analyst moves do.

use crate::blocking::Postings;
use crate::model::Evidence;
use orca_model::{EntityKind, EntityMerge, LinkDecision};
use rustc_hash::FxHashSet;

/// The attributes of an entity used as its best evidence, folded from its members' features.
pub trait Summary<F>: Default {
    fn add(&mut self, features: &F, caps: &SummaryCaps);
}

#[derive(Clone, Copy, Debug)]
pub struct SummaryCaps {
    pub values: usize,
    pub places: usize,
}

/// How a sighting was resolved, kept to answer a redelivered incident identically; an analyst's
/// verdict replaces the decision (see [`StoredLink::set_verdict`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredLink {
    /// The entity first linked to (follow the sighting's entity for the current one).
    pub entity: u32,
    pub decision: LinkDecision,
    pub probability: f32,
    pub candidate: Option<u32>,
    pub evidence: Vec<Evidence>,
    /// The next-best candidate entity when resolved, with the probability it would have had.
    pub runner_up: Option<(u32, f32)>,
}

impl StoredLink {
    /// An analyst's verdict on the link: the decision becomes theirs, with certainty, and a possible
    /// match's candidate is cleared (it has been reviewed). The evidence stays. Applying a verdict
    /// to the link as first resolved gives the same link as applying a series of verdicts to it,
    /// so the last verdict is all that needs storing.
    pub fn set_verdict(&mut self, decision: LinkDecision) {
        debug_assert!(decision.is_analysts(), "only an analyst's decision is a verdict");
        if self.decision == LinkDecision::PossibleMatch {
            self.candidate = None;
        }
        self.decision = decision;
        self.probability = 1.0;
    }
}

#[derive(Clone, Debug)]
pub struct Sighting<F> {
    pub incident: u32,
    pub index: u32,
    /// The entity the sighting was assigned to directly (follow redirects for the current one).
    pub entity: u32,
    /// The entity it was first assigned to, under which its blocking keys are registered.
    pub first_entity: u32,
    pub features: F,
    pub link: StoredLink,
    /// The entity an analyst confirmed this sighting belongs to (must-link).
    pub pinned: Option<u32>,
    /// Its report was corrected or withdrawn: it belongs to no entity any more.
    pub retracted: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Entity<S> {
    pub redirect: Option<u32>,
    pub members: Vec<u32>,
    /// Incident numbers of the members, sorted: one incident never holds the same person twice.
    pub incidents: Vec<u32>,
    pub summary: S,
    /// Entities an analyst said this one is not (by number, possibly since merged elsewhere).
    pub cannot_link: Vec<u32>,
    /// The entity this one was split from.
    pub lineage: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Population<F, S> {
    pub prefix: char,
    pub sightings: Vec<Sighting<F>>,
    pub entities: Vec<Entity<S>>,
    /// Each entity's merge redirect ([`NO_REDIRECT`] for none), kept apart from the entities so
    /// that following redirects for every blocking candidate stays in cache.
    redirects: Vec<u32>,
    pub postings: Postings,
    pub caps: SummaryCaps,
    /// What changed since the state was last taken for storing.
    pub changes: Changes,
}

/// What of a population changed since its state was last taken for storing: the one record of
/// it, so every change is marked the same way and taken (or forgotten) together.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// Entities whose stored record (redirect, constraints, lineage) changed.
    entities: FxHashSet<u32>,
    /// Sightings whose direct entity, pin, verdict or retraction changed after they were first
    /// stored.
    sightings: FxHashSet<u32>,
}

impl Changes {
    pub fn entity(&mut self, entity: u32) {
        self.entities.insert(entity);
    }

    pub fn sighting(&mut self, sighting: u32) {
        self.sightings.insert(sighting);
    }

    /// The changed entities and sightings, each in order, leaving none marked.
    pub fn take(&mut self) -> (Vec<u32>, Vec<u32>) {
        let mut entities: Vec<u32> = self.entities.drain().collect();
        let mut sightings: Vec<u32> = self.sightings.drain().collect();
        entities.sort_unstable();
        sightings.sort_unstable();
        (entities, sightings)
    }

    /// Forgets every mark (after a restore: the store already holds it all).
    pub fn clear(&mut self) {
        self.entities.clear();
        self.sightings.clear();
    }
}

pub const NO_REDIRECT: u32 = u32::MAX;

impl<F, S: Summary<F>> Population<F, S> {
    pub fn new(prefix: char, caps: SummaryCaps) -> Self {
        Self {
            prefix,
            sightings: Vec::new(),
            entities: Vec::new(),
            redirects: Vec::new(),
            postings: Postings::default(),
            caps,
            changes: Changes::default(),
        }
    }

    /// The entity's external id, `P00000042` for entity 41.
    pub fn id(&self, entity: u32) -> String {
        orca_model::ids::sequential_id(self.prefix, u64::from(entity) + 1)
    }

    /// The entity number of an external id of this population, if it exists.
    pub fn parse_id(&self, id: &str) -> Option<u32> {
        let digits = id.strip_prefix(self.prefix)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: u64 = digits.parse().ok()?;
        let entity = u32::try_from(number.checked_sub(1)?).ok()?;
        ((entity as usize) < self.entities.len()).then_some(entity)
    }

    /// Follows merge redirects to the surviving entity.
    pub fn canonical(&self, mut entity: u32) -> u32 {
        loop {
            let next = self.redirects[entity as usize];
            if next == NO_REDIRECT {
                return entity;
            }
            entity = next;
        }
    }

    /// Points an entity at another (a merge, or a split that moved its sightings).
    pub fn set_redirect(&mut self, entity: u32, to: Option<u32>) {
        self.entities[entity as usize].redirect = to;
        self.redirects[entity as usize] = to.unwrap_or(NO_REDIRECT);
        self.changes.entity(entity);
    }

    pub fn entity_of(&self, sighting: u32) -> u32 {
        self.canonical(self.sightings[sighting as usize].entity)
    }

    /// The (canonical) entities holding a sighting of `incident`, which must be the incident whose
    /// sightings were stored last: the entities a new sighting of it cannot join.
    pub fn entities_of_latest_incident(&self, incident: u32) -> Vec<u32> {
        let latest = self.sightings.iter().rev().take_while(|s| s.incident == incident).count();
        let first = (self.sightings.len() - latest) as u32;
        (first..self.sightings.len() as u32).map(|s| self.entity_of(s)).collect()
    }

    pub fn live_entities(&self) -> usize {
        self.entities.iter().filter(|e| e.redirect.is_none() && !e.members.is_empty()).count()
    }

    pub fn new_entity(&mut self, lineage: Option<u32>) -> u32 {
        let entity = self.entities.len() as u32;
        self.entities.push(Entity { lineage, ..Default::default() });
        self.redirects.push(NO_REDIRECT);
        self.changes.entity(entity);
        entity
    }

    /// Adds a new sighting (the newest) to an entity.
    pub fn push_sighting(&mut self, sighting: Sighting<F>) -> u32 {
        let number = self.sightings.len() as u32;
        let entity = self.canonical(sighting.entity);
        self.sightings.push(sighting);
        let slot = &mut self.entities[entity as usize];
        slot.members.push(number);
        let incident = self.sightings[number as usize].incident;
        if let Err(at) = slot.incidents.binary_search(&incident) {
            slot.incidents.insert(at, incident);
        }
        slot.summary.add(&self.sightings[number as usize].features, &self.caps);
        number
    }

    /// Rebuilds an entity's summary and incidents from its members.
    pub fn recompute(&mut self, entity: u32) {
        let slot = &mut self.entities[entity as usize];
        slot.members.sort_unstable();
        slot.members.dedup();
        let mut summary = S::default();
        let mut incidents = Vec::with_capacity(slot.members.len());
        for &member in &slot.members {
            let sighting = &self.sightings[member as usize];
            summary.add(&sighting.features, &self.caps);
            incidents.push(sighting.incident);
        }
        incidents.sort_unstable();
        incidents.dedup();
        slot.summary = summary;
        slot.incidents = incidents;
    }

    /// Whether an analyst has said the two entities are different.
    pub fn cannot_link(&self, a: u32, b: u32) -> bool {
        let (a, b) = (self.canonical(a), self.canonical(b));
        let forbids = |x: u32, y: u32| self.entities[x as usize].cannot_link.iter().any(|&c| self.canonical(c) == y);
        forbids(a, b) || forbids(b, a)
    }

    /// Whether the two entities were seen in one incident (and so are two people).
    pub fn share_incident(&self, a: u32, b: u32) -> bool {
        let (x, y) = (&self.entities[a as usize].incidents, &self.entities[b as usize].incidents);
        let (small, large) = if x.len() <= y.len() { (x, y) } else { (y, x) };
        small.iter().any(|i| large.binary_search(i).is_ok())
    }

    /// Merges `merged` into `survivor` (both canonical): members, constraints; `merged` redirects.
    pub fn merge(&mut self, survivor: u32, merged: u32) {
        debug_assert_ne!(survivor, merged);
        let taken = std::mem::take(&mut self.entities[merged as usize]);
        let slot = &mut self.entities[survivor as usize];
        slot.members.extend(taken.members);
        slot.cannot_link.extend(taken.cannot_link);
        slot.cannot_link.sort_unstable();
        slot.cannot_link.dedup();
        self.entities[merged as usize] = Entity { lineage: taken.lineage, ..Default::default() };
        self.set_redirect(merged, Some(survivor));
        self.recompute(survivor);
        self.changes.entity(survivor);
        self.changes.entity(merged);
    }

    /// Merges two canonical entities (the older id survives) and returns the event that says so.
    pub fn merge_recorded(&mut self, kind: EntityKind, a: u32, b: u32, reason: String) -> EntityMerge {
        let (survivor, merged) = Self::survivor_of(a, b);
        self.merge(survivor, merged);
        EntityMerge { kind, survivor: self.id(survivor), merged: vec![self.id(merged)], reason }
    }

    /// Moves sightings from their entities to `to` and rebuilds every entity touched.
    pub fn move_sightings(&mut self, sightings: &[u32], to: u32) {
        let mut touched = vec![to];
        for &s in sightings {
            let from = self.entity_of(s);
            if from == to {
                continue;
            }
            self.entities[from as usize].members.retain(|m| *m != s);
            self.entities[to as usize].members.push(s);
            self.sightings[s as usize].entity = to;
            self.changes.sighting(s);
            touched.push(from);
        }
        touched.sort_unstable();
        touched.dedup();
        for entity in touched {
            self.recompute(entity);
        }
    }

    /// Takes sightings out of their entities for good (their report was corrected or withdrawn)
    /// and rebuilds every entity touched. An entity left with no sighting stays, empty: it is no
    /// candidate for any sighting after. Returns the entities touched.
    pub fn retract(&mut self, sightings: impl IntoIterator<Item = u32>) -> Vec<u32> {
        let mut touched = Vec::new();
        for s in sightings {
            if self.sightings[s as usize].retracted {
                continue;
            }
            let from = self.entity_of(s);
            self.entities[from as usize].members.retain(|m| *m != s);
            self.sightings[s as usize].retracted = true;
            self.changes.sighting(s);
            touched.push(from);
        }
        touched.sort_unstable();
        touched.dedup();
        for &entity in &touched {
            self.recompute(entity);
        }
        touched
    }

    pub fn add_cannot_link(&mut self, a: u32, b: u32) {
        let (a, b) = (self.canonical(a), self.canonical(b));
        for (x, y) in [(a, b), (b, a)] {
            let list = &mut self.entities[x as usize].cannot_link;
            if !list.contains(&y) {
                list.push(y);
                list.sort_unstable();
            }
            self.changes.entity(x);
        }
    }

    /// Lifts an analyst's cannot-link between two entities.
    pub fn remove_cannot_link(&mut self, a: u32, b: u32) {
        let (a, b) = (self.canonical(a), self.canonical(b));
        for (x, y) in [(a, b), (b, a)] {
            let before = self.entities[x as usize].cannot_link.len();
            let kept: Vec<u32> =
                self.entities[x as usize].cannot_link.iter().copied().filter(|&c| self.canonical(c) != y).collect();
            if kept.len() != before {
                self.entities[x as usize].cannot_link = kept;
                self.changes.entity(x);
            }
        }
    }

    /// The older of two entities keeps its id through a merge.
    pub fn survivor_of(a: u32, b: u32) -> (u32, u32) {
        if a <= b { (a, b) } else { (b, a) }
    }
}
