//! Intelligence gaps: what a package cannot yet say, phrased so an analyst knows what to chase.

use crate::actions::describe;
use crate::input::ProfileInput;
use orca_model::EvidenceKind;

/// The gaps of a profile, most important first. Empty when nothing is missing.
pub fn intelligence_gaps(input: &ProfileInput) -> Vec<String> {
    let mut gaps = Vec::new();
    let offences = input.offences.len();
    let without_crime_ref = input.offences.iter().filter(|o| o.police_crime_ref.trim().is_empty()).count();
    if without_crime_ref > 0 {
        gaps.push(format!("no police crime reference on {without_crime_ref} of {offences} offences"));
    }
    let unnamed = input.subjects.iter().filter(|s| s.subject.display_name.trim().is_empty()).count();
    if unnamed == input.subjects.len() && unnamed > 0 {
        gaps.push(format!("subjects unnamed: none of the {unnamed} subjects has been named"));
    } else if unnamed > 0 {
        gaps.push(format!("subjects unnamed: {unnamed} of {} subjects have no name", input.subjects.len()));
    }
    let named_without_dob = input
        .subjects
        .iter()
        .filter(|s| !s.subject.display_name.trim().is_empty() && s.subject.date_of_birth.trim().is_empty())
        .count();
    if named_without_dob > 0 {
        gaps.push(format!("no date of birth for {named_without_dob} named subjects"));
    }
    for vehicle in &input.vehicles {
        let v = &vehicle.vehicle;
        if v.vrm.trim().is_empty() {
            gaps.push(format!("no plate read for vehicle {} ({})", v.vehicle_id, describe(v)));
        } else if vehicle.partial_plate_only {
            gaps.push(format!("partial plate only for vehicle {} (read as {})", v.vehicle_id, v.vrm));
        }
    }
    let without_cctv =
        input.offences.iter().filter(|o| !o.evidence.iter().any(|e| e.kind == EvidenceKind::Cctv)).count();
    if without_cctv > 0 {
        gaps.push(format!("no CCTV reference on {without_cctv} of {offences} offences"));
    }
    let weak: u32 = input.subjects.iter().map(|s| s.weak_links).sum();
    if weak > 0 {
        gaps.push(format!("{weak} sightings rest on possible matches awaiting analyst review"));
    }
    gaps
}
