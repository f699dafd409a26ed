//! Ground truth and the world summary: what the evaluation scores the pipeline against. True ids
//! (`TP…` persons, `TV…` vehicles, `TG…` groups) are keyed permutations of creation numbers, so
//! they carry no order; they appear only here, never inside an incident.

use crate::goods::Category;
use crate::groups::GroupRole;
use crate::params::WorldParams;
use crate::traps::TrapKind;
use chrono::NaiveDate;
use orca_model::{ForceId, Incident, IncidentId, RetailerId};
use serde::Serialize;
use std::collections::BTreeMap;

/// One offending person sighting (role suspect or offender) and who it really was. Victims and
/// witnesses are never offenders and have no row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SightingTruth {
    pub incident: IncidentId,
    /// Index in `Incident::persons`.
    pub index: u32,
    pub person: String,
}

/// One vehicle sighting and which real vehicle it was (innocent cars seen nearby included, each a
/// vehicle of its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VehicleTruth {
    pub incident: IncidentId,
    /// Index in `Incident::vehicles`.
    pub index: u32,
    pub vehicle: String,
}

/// A report as a retailer submits it, with its truth.
#[derive(Clone, Debug)]
pub struct SimulatedIncident {
    /// The report: `id`, `force`, `provenance` and `warnings` are left for ingest to fill.
    pub incident: Incident,
    /// The id ingest will assign: `IncidentId::derive(retailer, retailer_ref)`.
    pub incident_id: IncidentId,
    pub persons: Vec<SightingTruth>,
    pub vehicles: Vec<VehicleTruth>,
    /// For a second report of the same incident, the id of the first.
    pub duplicate_of: Option<IncidentId>,
    /// The organised group that committed it, if any.
    pub group: Option<String>,
}

/// Everyone who was ever a member of a group, with their role and when they were in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupMemberRow {
    pub group: String,
    pub person: String,
    pub role: GroupRole,
    pub joined: NaiveDate,
    /// The day they left, if they left during the period.
    pub left: Option<NaiveDate>,
}

/// Two different people planted to trap careless matching.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrapRow {
    pub kind: TrapKind,
    pub first: String,
    pub second: String,
}

/// One mark shown on two different vehicles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClonedPlateRow {
    pub vrm: String,
    /// The vehicle registered under the mark.
    pub genuine: String,
    /// The vehicle showing a copy of it.
    pub clone: String,
}

/// A group as planned, and (after streaming) what it did.
#[derive(Clone, Debug, Serialize)]
pub struct GroupSummary {
    pub id: String,
    pub home_force: ForceId,
    pub corridor: Vec<ForceId>,
    pub specialism: Vec<Category>,
    pub members_ever: usize,
    pub core: usize,
    pub periphery: usize,
    pub vehicles: Vec<String>,
    /// Forces where the group's emitted incidents happened.
    pub forces_hit: Vec<ForceId>,
    pub incidents: u64,
    pub loss_pence: i64,
}

/// Counts of the stored population.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PopulationCounts {
    pub local: usize,
    pub prolific: usize,
    pub group_members: usize,
    /// One-off offenders made while streaming (known after the stream ends).
    pub one_off: u64,
    pub vehicles: usize,
    pub innocent_vehicles: u64,
    pub cloned_plate_vehicles: usize,
    pub false_plate_vehicles: usize,
    pub foreign_plate_vehicles: usize,
}

/// What was emitted, counted while streaming.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EmittedCounts {
    pub incidents: u64,
    pub duplicates: u64,
    pub group_incidents: u64,
    pub offender_sightings: u64,
    pub named_offender_sightings: u64,
    pub bystander_sightings: u64,
    pub face_templates: u64,
    pub marker_codes: u64,
    pub vehicle_sightings: u64,
    pub total_loss_pence: i64,
    pub group_loss_pence: i64,
    pub incidents_by_event_type: BTreeMap<String, u64>,
    pub incidents_by_force: BTreeMap<ForceId, u64>,
}

/// Everything `truth/world.json` holds: the parameters and the counts.
#[derive(Clone, Debug, Serialize)]
pub struct WorldSummary {
    pub params: WorldParams,
    pub national_retailers: usize,
    pub independent_retailers: usize,
    pub stores: usize,
    pub stores_by_force: BTreeMap<ForceId, usize>,
    /// Retailers that submit face templates, and the model each uses.
    pub face_recognition: BTreeMap<RetailerId, String>,
    pub population: PopulationCounts,
    pub groups: Vec<GroupSummary>,
    pub cloned_plates: Vec<ClonedPlateRow>,
    pub traps: Vec<TrapRow>,
    /// Present once a stream of incidents has been drained; `None` for the world alone.
    pub emitted: Option<EmittedCounts>,
}
