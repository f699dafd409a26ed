//! What a package is built from: plain data about one subject (a group or a prolific offender), as
//! the linker knows it. Nothing here refers to the linker's own types, so this crate depends on the
//! model only.

use chrono::{DateTime, Utc};
use orca_model::ForceId;
use orca_model::package::{
    LinkChartEdge, NimLevel, Offence, PackageOutcome, PackageStore, PackageSubject, PackageVehicle, ReportNotice,
    Score, SubjectKind,
};
use serde::{Deserialize, Serialize};

/// A subject profile before packaging: who, what, where and how sure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub kind: SubjectKind,
    /// A group id (`G…`) or a person id (`P…`); the package id is `PKG-<subject_id>`.
    pub subject_id: String,
    pub lead_force: ForceId,
    /// Every force the subject hit, the lead included; the package lists the others as affected.
    pub forces: Vec<ForceId>,
    pub nim_level: NimLevel,
    pub subjects: Vec<SubjectInput>,
    pub vehicles: Vec<VehicleInput>,
    /// The offences, each citing its record by incident id and police crime reference. Evidence
    /// descriptions are dropped by the builder (they may name a retailer's staff).
    pub offences: Vec<Offence>,
    pub link_chart: Vec<LinkChartEdge>,
    pub score: Score,
    /// Forces in the order the subject first reached them.
    pub corridor: Vec<ForceId>,
    /// The stores of the offences, with their positions (any order).
    #[serde(default)]
    pub stores: Vec<PackageStore>,
    /// Outcomes forces recorded against the package (any order).
    #[serde(default)]
    pub outcomes: Vec<PackageOutcome>,
    /// Notes the builder adds to the intelligence gaps as they are (e.g. where the rest of a
    /// group member's offending is packaged).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Reports that left the subject's offending because they were withdrawn or corrected.
    #[serde(default)]
    pub report_notices: Vec<ReportNotice>,
}

/// A subject with what the linker knows about how they were identified.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubjectInput {
    pub subject: PackageSubject,
    /// Sightings of this subject resting on a possible match (below the auto-link threshold).
    pub weak_links: u32,
}

/// A linked vehicle with what is missing or suspicious about its plate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VehicleInput {
    pub vehicle: PackageVehicle,
    /// Only partial reads of the plate exist (`AB?? ?XE`).
    pub partial_plate_only: bool,
}

impl ProfileInput {
    /// The time of the latest offence: the package's `as_of`.
    pub fn latest(&self) -> Option<DateTime<Utc>> {
        self.offences.iter().map(|offence| offence.occurred_at).max()
    }

    pub fn earliest(&self) -> Option<DateTime<Utc>> {
        self.offences.iter().map(|offence| offence.occurred_at).min()
    }
}
