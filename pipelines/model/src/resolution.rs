//! What the resolver decides about an incident's sightings: which person or vehicle each belongs to,
//! why, and how entities changed (merges and splits). Mirrors `orca.v1.Resolution`.

use crate::ids::IncidentId;
use crate::incident::Incident;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    Person,
    Vehicle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkDecision {
    /// No existing entity matched; a new one was created.
    NewEntity,
    /// The match probability passed the link threshold.
    AutoLink,
    /// Between the thresholds: a new entity, queued for an analyst against `candidate`.
    PossibleMatch,
    /// Linked because an analyst confirmed it.
    AnalystConfirmed,
    /// An analyst rejected the candidate (or the entity the sighting was in): the sighting stays
    /// apart from it whatever later evidence says.
    AnalystRejected,
}

impl LinkDecision {
    /// Words for explanations: `auto-link`, `possible match`, …
    pub fn as_words(self) -> &'static str {
        match self {
            LinkDecision::NewEntity => "new entity",
            LinkDecision::AutoLink => "auto-link",
            LinkDecision::PossibleMatch => "possible match",
            LinkDecision::AnalystConfirmed => "analyst confirmed",
            LinkDecision::AnalystRejected => "analyst rejected",
        }
    }

    /// Whether an analyst decided this link.
    pub fn is_analysts(self) -> bool {
        matches!(self, LinkDecision::AnalystConfirmed | LinkDecision::AnalystRejected)
    }
}

/// One comparison's contribution to a match: its level and the log2 Bayes factor it added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonEvidence {
    pub comparison: String,
    pub level: String,
    pub weight: f64,
}

/// The link of one sighting (person or vehicle, by index in the incident) to an entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SightingLink {
    pub sighting_index: u32,
    /// A `PersonId` or `VehicleId` string, by the kind of sighting.
    pub entity_id: String,
    pub decision: LinkDecision,
    pub probability: f64,
    pub evidence: Vec<ComparisonEvidence>,
    /// For a possible match, the entity an analyst should compare against.
    pub candidate: Option<String>,
    /// The next-best entity the sighting was scored against when resolved, with the probability it
    /// would have had.
    pub runner_up: Option<RunnerUp>,
}

/// The next-best candidate of a link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunnerUp {
    pub entity_id: String,
    pub probability: f64,
}

/// Entities found to be one: `survivor` keeps its id and the others redirect to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityMerge {
    pub kind: EntityKind,
    pub survivor: String,
    pub merged: Vec<String>,
    pub reason: String,
}

/// An entity split apart; the new ids carry lineage from `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitySplit {
    pub kind: EntityKind,
    pub from: String,
    pub new_ids: Vec<String>,
    pub reason: String,
}

/// The resolver's output for one incident, carrying the incident itself so that downstream stages
/// need only the resolution log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub incident_id: IncidentId,
    /// The incident; `None` for a relink, which re-states the links of an incident resolved earlier
    /// because an analyst's decision moved or re-labelled its sightings (readers hold the incident).
    pub incident: Option<Incident>,
    pub persons: Vec<SightingLink>,
    pub vehicles: Vec<SightingLink>,
    pub merges: Vec<EntityMerge>,
    pub splits: Vec<EntitySplit>,
    /// The analysts' decisions this resolution answers.
    pub decisions: Vec<DecisionResult>,
    /// Set when the report was withdrawn: the incident has left every entity, and readers drop it
    /// (`incident` is then `None` and there are no links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<Withdrawal>,
}

impl Resolution {
    /// A resolution about `incident_id` with nothing in it yet: no incident, links, merges,
    /// splits, decisions or withdrawal.
    pub fn bare(incident_id: IncidentId) -> Self {
        Self {
            incident_id,
            incident: None,
            persons: Vec::new(),
            vehicles: Vec::new(),
            merges: Vec::new(),
            splits: Vec::new(),
            decisions: Vec::new(),
            withdrawal: None,
        }
    }

    /// A resolution that re-states the links of an incident held already (not a withdrawal).
    pub fn is_relink(&self) -> bool {
        self.incident.is_none() && self.withdrawal.is_none()
    }
}

/// A report withdrawn by its retailer or an analyst: it leaves entities, graph and packages; this
/// record stays as its tombstone (on the incident log, in the store and in the resolutions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Withdrawal {
    pub incident_id: IncidentId,
    pub retailer: crate::RetailerId,
    pub retailer_ref: String,
    /// The revision that was current when it was withdrawn.
    pub revision: u32,
    pub reason: String,
    /// The key id of whoever withdrew it (a retailer's or an analyst's).
    pub withdrawn_by: String,
    pub withdrawn_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Disposed of under the retention schedule: besides leaving entities, graph and packages,
    /// what readers kept of the report's content is scrubbed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disposed: bool,
}

/// What became of an analyst's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionResult {
    pub decision_id: String,
    pub applied: bool,
    /// What changed, or why it could not be applied.
    pub message: String,
}
