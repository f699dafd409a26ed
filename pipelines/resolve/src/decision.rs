//! Analysts' binding decisions. A confirmation is a must-link (the sighting is pinned to the
//! entity, or two entities merge); a rejection is a cannot-link (the sighting or entity is split
//! off with a new id that carries lineage, and the two are never merged again by the resolver); a
//! split takes chosen sightings out of their entity together, as one new entity. Evidence never
//! overrides a decision; a later decision by an analyst does (confirming what was rejected lifts the
//! cannot-link, rejecting what was confirmed lifts the pin), and every decision is kept in order in
//! the `resolve.decision` records.
//!
//! The link of a sighting an analyst decided about shows their verdict: `AnalystConfirmed` after a
//! confirmation, `AnalystRejected` after a rejection or a split (a possible match's candidate is
//! then cleared: it has been reviewed). A refused decision ([`DecisionError`]) changes nothing.
//! Decisions from the decisions log go through [`crate::events`].

use crate::person::compare::PersonScorer;
use crate::person::features::PersonSummary;
use crate::population::{Population, Summary};
use crate::resolver::Resolver;
use orca_model::{EntityKind, EntityMerge, EntitySplit, LinkDecision, SightingKey};
use serde::{Deserialize, Serialize};

/// An analyst's decision about a sighting and an entity, or about two entities. Entity ids are
/// person (`P…`) or vehicle (`V…`) ids; a sighting is a person or vehicle sighting by the entity's kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum AnalystDecision {
    /// The sighting is this entity (must-link).
    ConfirmSighting { sighting: SightingKey, entity: String, analyst: String, reason: String },
    /// The sighting is not this entity (cannot-link); if it is in it, it is split off.
    RejectSighting { sighting: SightingKey, entity: String, analyst: String, reason: String },
    /// The two entities are one: they merge, the older id surviving.
    ConfirmEntities { a: String, b: String, analyst: String, reason: String },
    /// The two entities are different; if they were merged, `b`'s sightings are split off again.
    RejectEntities { a: String, b: String, analyst: String, reason: String },
    /// The sightings (persons or vehicles by `kind`, all in one entity but not all of its
    /// sightings) leave it together as one new entity, with lineage from it and a cannot-link to it.
    SplitSightings { kind: EntityKind, sightings: Vec<SightingKey>, analyst: String, reason: String },
}

/// What a decision changed. Merges and splits are also change events for the resolutions topic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DecisionOutcome {
    pub merges: Vec<EntityMerge>,
    pub splits: Vec<EntitySplit>,
    /// Sightings now in a different entity, with that entity's id.
    pub relinked: Vec<(SightingKey, String)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    #[error("entity `{0}` does not exist")]
    UnknownEntity(String),
    #[error("sighting `{0}` has not been resolved")]
    UnknownSighting(SightingKey),
    #[error("`{0}` and `{1}` are different kinds of entity")]
    KindMismatch(String, String),
    #[error("decision conflicts with the current state: {0}")]
    Conflict(String),
}

/// An entity a decision names, by kind.
enum Target {
    Person(u32),
    Vehicle(u32),
}

/// What an analyst said of a sighting or of two entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// The same (must-link).
    Confirm,
    /// Not the same (cannot-link).
    Reject,
}

impl Resolver {
    fn target(&self, id: &str) -> Result<Target, DecisionError> {
        if let Some(e) = self.persons.parse_id(id) {
            Ok(Target::Person(e))
        } else if let Some(e) = self.vehicles.parse_id(id) {
            Ok(Target::Vehicle(e))
        } else {
            Err(DecisionError::UnknownEntity(id.to_owned()))
        }
    }

    /// Applies an analyst's binding decision and returns the merges, splits and relinks it caused.
    /// A refused decision changes nothing and is not recorded.
    pub fn decide(&mut self, decision: AnalystDecision) -> Result<DecisionOutcome, DecisionError> {
        let outcome = self.apply_decision(&decision)?;
        self.counters.decisions += 1;
        crate::persist::record_decision(self, &decision);
        Ok(outcome)
    }

    /// [`Self::decide`] without recording the decision.
    pub(crate) fn apply_decision(&mut self, decision: &AnalystDecision) -> Result<DecisionOutcome, DecisionError> {
        let outcome = match decision {
            AnalystDecision::ConfirmSighting { sighting, entity, .. }
            | AnalystDecision::RejectSighting { sighting, entity, .. } => {
                let verdict = match decision {
                    AnalystDecision::ConfirmSighting { .. } => Verdict::Confirm,
                    _ => Verdict::Reject,
                };
                let unknown = || DecisionError::UnknownSighting(sighting.clone());
                match self.target(entity)? {
                    Target::Person(e) => {
                        let s = self.find_person_sighting(sighting).ok_or_else(unknown)?;
                        sighting_decision(&mut self.persons, EntityKind::Person, s, e, verdict, sighting)?
                    }
                    Target::Vehicle(e) => {
                        let s = self.find_vehicle_sighting(sighting).ok_or_else(unknown)?;
                        sighting_decision(&mut self.vehicles, EntityKind::Vehicle, s, e, verdict, sighting)?
                    }
                }
            }
            AnalystDecision::ConfirmEntities { a, b, .. } | AnalystDecision::RejectEntities { a, b, .. } => {
                let verdict = match decision {
                    AnalystDecision::ConfirmEntities { .. } => Verdict::Confirm,
                    _ => Verdict::Reject,
                };
                match (self.target(a)?, self.target(b)?) {
                    (Target::Person(x), Target::Person(y)) => self.persons_decision(x, y, verdict)?,
                    (Target::Vehicle(x), Target::Vehicle(y)) => self.vehicles_decision(x, y, verdict)?,
                    _ => return Err(DecisionError::KindMismatch(a.clone(), b.clone())),
                }
            }
            AnalystDecision::SplitSightings { kind, sightings, .. } => {
                let numbers = (sightings.iter())
                    .map(|key| {
                        let found = match kind {
                            EntityKind::Person => self.find_person_sighting(key),
                            EntityKind::Vehicle => self.find_vehicle_sighting(key),
                        };
                        found.ok_or_else(|| DecisionError::UnknownSighting(key.clone()))
                    })
                    .collect::<Result<Vec<u32>, _>>()?;
                match kind {
                    EntityKind::Person => split_sightings(&mut self.persons, *kind, &numbers, sightings)?,
                    EntityKind::Vehicle => split_sightings(&mut self.vehicles, *kind, &numbers, sightings)?,
                }
            }
        };
        self.counters.merges += outcome.merges.len() as u64;
        self.counters.splits += outcome.splits.len() as u64;
        Ok(outcome)
    }

    /// Two persons are one, or are not: a rejection splits a merged person by the evidence of the
    /// sightings added since the merge.
    fn persons_decision(&mut self, a: u32, b: u32, verdict: Verdict) -> Result<DecisionOutcome, DecisionError> {
        if verdict == Verdict::Confirm {
            let (a, b) = (self.persons.canonical(a), self.persons.canonical(b));
            return confirm_entities(&mut self.persons, EntityKind::Person, a, b);
        }
        let redirects: Vec<Option<u32>> = self.persons.entities.iter().map(|e| e.redirect).collect();
        let canonical = |mut e: u32| {
            while let Some(next) = redirects[e as usize] {
                e = next;
            }
            e
        };
        let scorer = PersonScorer::new(&self.weights, &self.names, &self.config, &canonical);
        let caps = self.persons.caps;
        let mut scratch = Vec::new();
        let outcome =
            reject_entities(&mut self.persons, EntityKind::Person, a, b, |population, s, moving, staying| {
                let query = PersonSummary::of(&population.sightings[s as usize].features, &caps);
                let to_moving = scorer.compare(&query, moving, &mut scratch).total;
                let to_staying = scorer.compare(&query, staying, &mut scratch).total;
                to_moving > to_staying
            })?;
        Ok(self.with_keys(outcome))
    }

    /// Two vehicles are one, or are not: a rejection moves a merged vehicle's own sightings out.
    fn vehicles_decision(&mut self, a: u32, b: u32, verdict: Verdict) -> Result<DecisionOutcome, DecisionError> {
        if verdict == Verdict::Confirm {
            let (a, b) = (self.vehicles.canonical(a), self.vehicles.canonical(b));
            return confirm_entities(&mut self.vehicles, EntityKind::Vehicle, a, b);
        }
        let outcome = reject_entities(&mut self.vehicles, EntityKind::Vehicle, a, b, |_, _, _, _| false)?;
        Ok(self.with_keys(outcome))
    }

    fn with_keys(&self, outcome: Outcome) -> DecisionOutcome {
        let relinked = outcome
            .relinked
            .into_iter()
            .map(|(kind, s, id)| {
                let sighting = match kind {
                    EntityKind::Person => {
                        (self.persons.sightings[s as usize].incident, self.persons.sightings[s as usize].index)
                    }
                    EntityKind::Vehicle => {
                        (self.vehicles.sightings[s as usize].incident, self.vehicles.sightings[s as usize].index)
                    }
                };
                (self.sighting_key(&sighting.0, sighting.1), id)
            })
            .collect();
        DecisionOutcome { merges: outcome.merges, splits: outcome.splits, relinked }
    }
}

/// Merges and splits with relinked sightings by kind and number.
struct Outcome {
    merges: Vec<EntityMerge>,
    splits: Vec<EntitySplit>,
    relinked: Vec<(EntityKind, u32, String)>,
}

fn sighting_decision<F, S: Summary<F>>(
    population: &mut Population<F, S>,
    kind: EntityKind,
    s: u32,
    entity: u32,
    verdict: Verdict,
    key: &SightingKey,
) -> Result<DecisionOutcome, DecisionError> {
    let target = population.canonical(entity);
    let current = population.entity_of(s);
    let mut outcome = DecisionOutcome::default();
    if verdict == Verdict::Confirm {
        if current != target {
            let incident = population.sightings[s as usize].incident;
            if population.entities[target as usize].incidents.binary_search(&incident).is_ok() {
                return Err(DecisionError::Conflict(format!(
                    "{} already has another sighting in incident {}",
                    population.id(target),
                    key.incident
                )));
            }
            population.remove_cannot_link(current, target);
            if population.entities[current as usize].members.len() == 1 {
                let reason = format!("analyst confirmed sighting {key}");
                outcome.merges.push(population.merge_recorded(kind, current, target, reason));
            } else {
                population.move_sightings(&[s], target);
                outcome.relinked.push((key.clone(), population.id(target)));
            }
        }
        let pinned = population.entity_of(s);
        population.sightings[s as usize].pinned = Some(pinned);
        population.sightings[s as usize].link.set_verdict(LinkDecision::AnalystConfirmed);
        population.changes.sighting(s);
        return Ok(outcome);
    }
    if current != target {
        population.add_cannot_link(current, target);
        population.sightings[s as usize].link.set_verdict(LinkDecision::AnalystRejected);
        population.changes.sighting(s);
        return Ok(outcome);
    }
    if population.entities[target as usize].members.len() == 1 {
        return Err(DecisionError::Conflict(format!(
            "sighting {key} is the only sighting of {}",
            population.id(target)
        )));
    }
    population.sightings[s as usize].pinned = None;
    population.sightings[s as usize].link.set_verdict(LinkDecision::AnalystRejected);
    let split = population.new_entity(Some(target));
    population.move_sightings(&[s], split);
    population.add_cannot_link(split, target);
    outcome.splits.push(EntitySplit {
        kind,
        from: population.id(target),
        new_ids: vec![population.id(split)],
        reason: format!("analyst rejected sighting {key}"),
    });
    outcome.relinked.push((key.clone(), population.id(split)));
    Ok(outcome)
}

fn confirm_entities<F, S: Summary<F>>(
    population: &mut Population<F, S>,
    kind: EntityKind,
    a: u32,
    b: u32,
) -> Result<DecisionOutcome, DecisionError> {
    let mut outcome = DecisionOutcome::default();
    if a == b {
        return Ok(outcome);
    }
    if population.share_incident(a, b) {
        return Err(DecisionError::Conflict(format!(
            "{} and {} were seen together in one incident",
            population.id(a),
            population.id(b)
        )));
    }
    population.remove_cannot_link(a, b);
    outcome.merges.push(population.merge_recorded(kind, a, b, "analyst confirmed".to_owned()));
    Ok(outcome)
}

/// Splits `b`'s sightings back out of the entity it was merged into (or records a cannot-link if
/// the two are apart). `prefer_moving` decides where sightings added after the merge belong.
fn reject_entities<F, S: Summary<F> + Clone>(
    population: &mut Population<F, S>,
    kind: EntityKind,
    a: u32,
    b: u32,
    mut prefer_moving: impl FnMut(&Population<F, S>, u32, &S, &S) -> bool,
) -> Result<Outcome, DecisionError> {
    let mut outcome = Outcome { merges: Vec::new(), splits: Vec::new(), relinked: Vec::new() };
    let (ca, cb) = (population.canonical(a), population.canonical(b));
    if ca != cb {
        population.add_cannot_link(ca, cb);
        return Ok(outcome);
    }
    if a == b {
        return Err(DecisionError::Conflict(format!("{} cannot be rejected against itself", population.id(a))));
    }
    let survivor = ca;
    // The side that moves out: the id that is not the survivor (the newer one if neither is).
    let (mover, stayer) = if a == survivor {
        (b, a)
    } else if b == survivor {
        (a, b)
    } else {
        (a.max(b), a.min(b))
    };
    let chain_hits = |population: &Population<F, S>, s: u32, target: u32| {
        let mut e = population.sightings[s as usize].entity;
        loop {
            if e == target {
                return true;
            }
            match population.entities[e as usize].redirect {
                Some(next) => e = next,
                None => return false,
            }
        }
    };
    let members = population.entities[survivor as usize].members.clone();
    let mut moving = Vec::new();
    let mut staying = Vec::new();
    let mut undecided = Vec::new();
    for &s in &members {
        if chain_hits(population, s, mover) {
            moving.push(s);
        } else if chain_hits(population, s, stayer) || population.sightings[s as usize].pinned.is_some() {
            staying.push(s);
        } else {
            undecided.push(s);
        }
    }
    if moving.is_empty() || staying.is_empty() && undecided.is_empty() {
        return Err(DecisionError::Conflict(format!(
            "{} has no sightings of its own to separate from {}",
            population.id(mover),
            population.id(survivor)
        )));
    }
    let fold = |population: &Population<F, S>, list: &[u32]| {
        let mut summary = S::default();
        for &s in list {
            summary.add(&population.sightings[s as usize].features, &population.caps);
        }
        summary
    };
    let moving_summary = fold(population, &moving);
    let staying_summary = fold(population, &staying);
    for s in undecided {
        if prefer_moving(population, s, &moving_summary, &staying_summary) {
            moving.push(s);
        }
    }
    moving.sort_unstable();
    for &s in &moving {
        population.sightings[s as usize].pinned = None;
    }
    let split = population.new_entity(Some(survivor));
    population.move_sightings(&moving, split);
    population.set_redirect(mover, Some(split));
    population.add_cannot_link(split, survivor);
    outcome.splits.push(EntitySplit {
        kind,
        from: population.id(survivor),
        new_ids: vec![population.id(split)],
        reason: format!("analyst rejected {} as {}", population.id(mover), population.id(stayer)),
    });
    outcome.relinked.extend(moving.into_iter().map(|s| (kind, s, population.id(split))));
    Ok(outcome)
}

/// Moves the sightings `numbers` (keys `keys`, for messages) out of their entity together, into one
/// new entity with lineage from it and a cannot-link to it. They must all be in one entity and
/// leave at least one sighting behind.
fn split_sightings<F, S: Summary<F>>(
    population: &mut Population<F, S>,
    kind: EntityKind,
    numbers: &[u32],
    keys: &[SightingKey],
) -> Result<DecisionOutcome, DecisionError> {
    let Some(&first) = numbers.first() else {
        return Err(DecisionError::Conflict("a split names at least one sighting".to_owned()));
    };
    let from = population.entity_of(first);
    if let Some(at) = numbers.iter().position(|&s| population.entity_of(s) != from) {
        return Err(DecisionError::Conflict(format!(
            "sightings {} and {} are in different entities ({} and {})",
            keys[0],
            keys[at],
            population.id(from),
            population.id(population.entity_of(numbers[at]))
        )));
    }
    let mut moving = numbers.to_vec();
    moving.sort_unstable();
    moving.dedup();
    if moving.len() == population.entities[from as usize].members.len() {
        return Err(DecisionError::Conflict(format!(
            "the sightings are all of {}'s sightings: nothing would be left to split from",
            population.id(from)
        )));
    }
    for &s in &moving {
        let sighting = &mut population.sightings[s as usize];
        sighting.pinned = None;
        sighting.link.set_verdict(LinkDecision::AnalystRejected);
    }
    let split = population.new_entity(Some(from));
    population.move_sightings(&moving, split);
    population.add_cannot_link(split, from);
    let mut listed: Vec<(u32, &SightingKey)> = numbers.iter().copied().zip(keys).collect();
    listed.sort_by_key(|&(s, _)| s);
    listed.dedup_by_key(|&mut (s, _)| s);
    let names: Vec<String> = listed.iter().map(|(_, key)| key.to_string()).collect();
    Ok(DecisionOutcome {
        merges: Vec::new(),
        splits: vec![EntitySplit {
            kind,
            from: population.id(from),
            new_ids: vec![population.id(split)],
            reason: format!("analyst split sightings {} off", names.join(", ")),
        }],
        relinked: listed.into_iter().map(|(_, key)| (key.clone(), population.id(split))).collect(),
    })
}
