//! Intelligence packages: subject profiles of organised crime groups and prolific offenders, for a
//! lead force and the other affected forces (`docs/domain.md`). Mirrors `orca.v1.IntelligencePackage`.

use crate::grade::Grade;
use crate::ids::{ForceId, IncidentId, PackageId, PersonId, RetailerId, StoreId, VehicleId};
use crate::incident::{EventType, Evidence, ModusOperandi, Provenance};
use crate::money::Pence;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Normal government security classification of a package.
pub const DEFAULT_MARKING: &str = "OFFICIAL-SENSITIVE";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    #[default]
    Group,
    ProlificOffender,
}

/// National Intelligence Model level of a subject's reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum NimLevel {
    /// Level 1: one force area.
    #[default]
    Local,
    /// Level 2: several forces, regional.
    CrossBorder,
    /// Level 3: national reach.
    National,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Assertion {
    Fact,
    #[default]
    Assessment,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct PackageSubject {
    pub person_id: PersonId,
    pub display_name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: String,
    /// `core` or `periphery` in a group; `subject` for a prolific offender.
    pub role: String,
    pub match_confidence: f64,
    pub incident_count: u32,
    pub marker_codes: Vec<String>,
    pub assertion: Assertion,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct PackageVehicle {
    pub vehicle_id: VehicleId,
    pub vrm: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub sighting_count: u32,
    /// One plate seen on vehicles that cannot be the same car.
    pub cloned_plate_suspected: bool,
    /// Reported with the false-plates modus operandi.
    #[serde(default)]
    pub false_plate_suspected: bool,
}

/// One line of the offences schedule. Cites the original record by reference; never names the
/// retailer's staff reporter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Offence {
    pub incident_id: IncidentId,
    pub police_crime_ref: String,
    pub force: ForceId,
    pub retailer: RetailerId,
    pub store: StoreId,
    pub occurred_at: DateTime<Utc>,
    pub event_type: EventType,
    pub value_pence: Pence,
    pub modus_operandi: Vec<ModusOperandi>,
    pub grade: Grade,
    pub person_ids: Vec<PersonId>,
    pub vehicle_ids: Vec<VehicleId>,
    pub evidence: Vec<Evidence>,
    /// In a group's package: committed by a member without the group (alone, or only with people
    /// outside it). The group's score and corridor rest on its joint offending only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside_group: bool,
    /// The report's revision (0 or 1 as first sent; more once the retailer corrected it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u32,
    /// Why the retailer corrected the report (empty for a first revision).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub correction_reason: String,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// A report that left a package because it was withdrawn, or corrected so that it no longer names
/// the package's subjects: what the package tells forces about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportNotice {
    pub incident_id: IncidentId,
    /// The revision withdrawn, or the correcting revision.
    pub revision: u32,
    /// A withdrawal (else a correction).
    pub withdrawn: bool,
    pub reason: String,
    /// The withdrawal was a disposal under the retention schedule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disposed: bool,
}

/// A store where a package's offences happened, with its position (for the package's map).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct PackageStore {
    pub store: StoreId,
    pub name: String,
    pub postcode: String,
    pub force: ForceId,
    pub lat: f64,
    pub lon: f64,
}

/// What a force did about a package's subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    #[default]
    Arrest,
    Charge,
    Caution,
    NoFurtherAction,
    Conviction,
    Disruption,
}

impl OutcomeKind {
    pub const ALL: [Self; 6] =
        [Self::Arrest, Self::Charge, Self::Caution, Self::NoFurtherAction, Self::Conviction, Self::Disruption];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arrest => "arrest",
            Self::Charge => "charge",
            Self::Caution => "caution",
            Self::NoFurtherAction => "no-further-action",
            Self::Conviction => "conviction",
            Self::Disruption => "disruption",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// A charge, caution or conviction: the subject's offending is being dealt with by a court or
    /// an out-of-court disposal, which lowers the urgency of the same activity (see the scoring
    /// rule). An arrest, a disruption or no further action does not.
    pub fn deals_with_offending(self) -> bool {
        matches!(self, Self::Charge | Self::Caution | Self::Conviction)
    }
}

impl std::fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An outcome a force recorded against a package's subject (`RecordOutcome`), carried in every
/// later version of the package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct PackageOutcome {
    /// Unique; assigned when recorded (`O-…`).
    pub outcome_id: String,
    pub package_id: PackageId,
    pub person_id: PersonId,
    pub kind: OutcomeKind,
    /// When it happened (the arrest, the charge …), not when it was recorded.
    pub date: NaiveDate,
    /// The force that recorded it and its own reference (custody or crime number).
    pub force: ForceId,
    pub force_reference: String,
    pub notes: String,
    /// Who recorded it: the key id and the officer it was issued to.
    pub recorded_by: String,
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct LinkChartEdge {
    pub from: String,
    pub to: String,
    /// `co-offending`, `shared-vehicle`, `shared-marker`, `used-vehicle`.
    pub kind: String,
    pub weight: f64,
    pub incident_count: u32,
}

/// One factor of a score with the evidence behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ScoreFactor {
    pub name: String,
    pub value: f64,
    pub band: String,
    pub evidence: Vec<String>,
}

/// A score is a vector of factors and a band computed from them by a documented rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Score {
    pub priority_band: String,
    pub factors: Vec<ScoreFactor>,
    pub rule: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct IntelligencePackage {
    pub id: PackageId,
    pub version: u32,
    pub subject_kind: SubjectKind,
    pub subject_id: String,
    pub title: String,
    pub security_marking: String,
    pub grade: Grade,
    pub lead_force: ForceId,
    pub affected_forces: Vec<ForceId>,
    pub nim_level: NimLevel,
    pub subjects: Vec<PackageSubject>,
    pub vehicles: Vec<PackageVehicle>,
    pub offences: Vec<Offence>,
    pub link_chart: Vec<LinkChartEdge>,
    pub total_loss_pence: Pence,
    pub score: Score,
    pub corridor: Vec<ForceId>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub intelligence_gaps: Vec<String>,
    pub recommended_actions: Vec<String>,
    pub provenance: Provenance,
    /// The latest incident time the package reflects; packages are deterministic for their inputs.
    pub as_of: Option<DateTime<Utc>>,
    pub retailers: Vec<RetailerId>,
    /// This version withdraws the package; earlier versions are no longer disclosed to forces.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// The stores of the offences, with their positions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<PackageStore>,
    /// Outcomes forces recorded against the subjects, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<PackageOutcome>,
    /// Reports that left the package because they were withdrawn or corrected, by incident id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_notices: Vec<ReportNotice>,
}

impl IntelligencePackage {
    /// Whether a force may see the package: it is the lead or an affected force.
    pub fn concerns_force(&self, force: &ForceId) -> bool {
        &self.lead_force == force || self.affected_forces.contains(force)
    }

    /// Whether two packages say the same thing, ignoring the version number (a new version is
    /// emitted only when this is false).
    pub fn same_content(&self, other: &Self) -> bool {
        let mut a = self.clone();
        a.version = other.version;
        &a == other
    }
}
