//! Recommended actions: concrete next steps for the lead force, each naming the records, marks and
//! forces it concerns (never a person who reported an incident).

use crate::input::ProfileInput;
use orca_model::package::{NimLevel, PackageVehicle};
use orca_model::{EvidenceKind, ForceId, IncidentId, RetailerId};
use std::collections::{BTreeMap, HashSet};

/// At most this many incident ids are listed in one action; the rest are counted.
const LISTED_INCIDENTS: usize = 5;

/// A vehicle seen this many times is worth a marker on the police national computer.
const VEHICLE_MARKER_SIGHTINGS: u32 = 3;

/// The recommended actions for a profile, in a stable order.
pub fn recommended_actions(input: &ProfileInput) -> Vec<String> {
    let mut actions = Vec::new();
    let corridor = corridor_text(&input.corridor);

    // CCTV: per retailer, the offences that cite no CCTV yet.
    let mut without_cctv: BTreeMap<&RetailerId, Vec<&IncidentId>> = BTreeMap::new();
    for offence in &input.offences {
        if !offence.evidence.iter().any(|e| e.kind == EvidenceKind::Cctv) {
            without_cctv.entry(&offence.retailer).or_default().push(&offence.incident_id);
        }
    }
    for (retailer, incidents) in without_cctv {
        actions.push(format!("request CCTV from {retailer} for {}", list_incidents(&incidents)));
    }

    for vehicle in &input.vehicles {
        let v = &vehicle.vehicle;
        let description = describe(v);
        if v.vrm.trim().is_empty() {
            actions.push(format!(
                "identify vehicle {} ({description}, no plate read) from CCTV and ANPR in corridor {corridor}",
                v.vehicle_id
            ));
            continue;
        }
        if vehicle.partial_plate_only {
            actions.push(format!("search ANPR for partial VRM {} ({description}) in corridor {corridor}", v.vrm));
        } else {
            actions.push(format!("check ANPR for VRM {} in corridor {corridor}", v.vrm));
        }
        // Each suspicion in the words of the flag the vehicle list shows.
        if v.cloned_plate_suspected {
            actions.push(format!(
                "verify VRM {} with DVLA: cloned plate suspected (seen on vehicles that cannot be the same car), vehicle {}",
                v.vrm, v.vehicle_id
            ));
        }
        if v.false_plate_suspected {
            actions.push(format!(
                "verify VRM {} with DVLA: false plate reported by a retailer, vehicle {}",
                v.vrm, v.vehicle_id
            ));
        }
        if !vehicle.partial_plate_only && (v.sighting_count >= VEHICLE_MARKER_SIGHTINGS || v.cloned_plate_suspected) {
            actions.push(format!("consider a vehicle marker for VRM {}", v.vrm));
        }
    }

    // Crime references: per force, the offences that have none.
    let mut without_ref: BTreeMap<&ForceId, Vec<&IncidentId>> = BTreeMap::new();
    for offence in input.offences.iter().filter(|o| o.police_crime_ref.trim().is_empty()) {
        without_ref.entry(&offence.force).or_default().push(&offence.incident_id);
    }
    for (force, incidents) in without_ref {
        actions
            .push(format!("record crimes with {force} and obtain crime references for {}", list_incidents(&incidents)));
    }

    if input.subjects.iter().any(|s| s.subject.display_name.trim().is_empty()) {
        actions.push("identify unnamed subjects from CCTV stills and custody imagery".to_owned());
    }
    if input.nim_level >= NimLevel::CrossBorder {
        let others: Vec<&str> = input.forces.iter().filter(|f| **f != input.lead_force).map(ForceId::as_str).collect();
        actions.push(format!(
            "coordinate with affected forces ({}) through the regional organised crime unit",
            others.join(", ")
        ));
    }
    // Two vehicle entities can carry one plate (a clone, or a plate read on two cars): one action each.
    let mut seen = HashSet::new();
    actions.retain(|action| seen.insert(action.clone()));
    actions
}

/// `blue Ford Focus`, or `no description`.
pub(crate) fn describe(vehicle: &PackageVehicle) -> String {
    let parts: Vec<&str> = [vehicle.colour.as_str(), vehicle.make.as_str(), vehicle.model.as_str()]
        .into_iter()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() { "no description".to_owned() } else { parts.join(" ") }
}

fn corridor_text(corridor: &[ForceId]) -> String {
    if corridor.is_empty() {
        return "unknown".to_owned();
    }
    corridor.iter().map(ForceId::as_str).collect::<Vec<_>>().join(" → ")
}

fn list_incidents(incidents: &[&IncidentId]) -> String {
    let shown: Vec<&str> = incidents.iter().take(LISTED_INCIDENTS).map(|id| id.as_str()).collect();
    let rest = incidents.len().saturating_sub(LISTED_INCIDENTS);
    let noun = if incidents.len() == 1 { "offence" } else { "offences" };
    if rest == 0 {
        format!("{} {noun}: {}", incidents.len(), shown.join(", "))
    } else {
        format!("{} {noun}: {} and {rest} more", incidents.len(), shown.join(", "))
    }
}
