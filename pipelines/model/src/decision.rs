//! Analysts' binding decisions about resolution, as they travel on the decisions log (mirrors
//! `orca.v1.AnalystDecision`). The resolver applies them; see `orca_resolve::decision`.

use crate::ids::SightingKey;
use crate::resolution::EntityKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionKind {
    /// The sighting is the entity (must-link).
    ConfirmMatch,
    /// The sighting is not the entity (cannot-link); if it is in it, it leaves under a new id.
    RejectMatch,
    /// The sightings leave their entity together, as one different person or vehicle.
    Split,
    /// The two entities are one.
    Merge,
}

impl DecisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::ConfirmMatch => "confirm-match",
            DecisionKind::RejectMatch => "reject-match",
            DecisionKind::Split => "split",
            DecisionKind::Merge => "merge",
        }
    }
}

/// An entity as the analyst saw it: its id then, and one of its sightings then. The resolver finds
/// the entity again through the sighting, so a replay that numbers entities differently applies the
/// decision to the same sightings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRef {
    pub entity_id: String,
    pub anchor: Option<SightingKey>,
}

/// One analyst decision. Which fields are used depends on `kind` (see [`DecisionKind`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionEvent {
    pub decision_id: String,
    pub kind: DecisionKind,
    pub entity_kind: EntityKind,
    /// Confirm, reject: the sighting decided about.
    pub sighting: Option<SightingKey>,
    /// Confirm, reject: the entity; merge: the first entity; split: the entity split.
    pub entity: Option<EntityRef>,
    /// Merge: the second entity.
    pub other: Option<EntityRef>,
    /// Split: the sightings that leave together.
    pub sightings: Vec<SightingKey>,
    pub reason: String,
    pub analyst_key_id: String,
    pub analyst: String,
    pub decided_at: Option<DateTime<Utc>>,
}

impl DecisionEvent {
    /// The incident the decision is about: its log key, so it is ordered after that incident.
    pub fn subject_incident(&self) -> Option<&crate::IncidentId> {
        self.sighting
            .as_ref()
            .or(self.sightings.first())
            .or(self.entity.as_ref().and_then(|e| e.anchor.as_ref()))
            .map(|key| &key.incident)
    }
}
