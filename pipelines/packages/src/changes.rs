//! What changed between two versions of a package, as statements an officer can read: offences
//! added or removed, subjects who joined or left, score moves, outcomes recorded, withdrawal.
//! Computed from the two versions themselves, so any two versions can be compared.

use orca_model::package::{IntelligencePackage, Offence, PackageSubject, PackageVehicle};
use std::collections::BTreeMap;

/// One statement of change; `kind` is one of the documented kinds (see `orca.v1.PackageChange`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: &'static str,
    /// The incident, person, vehicle, factor or outcome id, or force, it is about.
    pub about: String,
    pub detail: String,
}

impl Change {
    fn new(kind: &'static str, about: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { kind, about: about.into(), detail: detail.into() }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)
    }
}

/// Everything `new` says differently from `old`, in a fixed order: status, score, forces,
/// subjects, vehicles, offences, outcomes, loss. A withdrawal is stated alone.
pub fn changes(old: &IntelligencePackage, new: &IntelligencePackage) -> Vec<Change> {
    let mut out = Vec::new();
    match (old.withdrawn, new.withdrawn) {
        // A withdrawal notice has no lists: it says one thing.
        (false, true) => return vec![Change::new("withdrawn", new.id.as_str(), new.title.clone())],
        (true, false) => out.push(Change::new("reinstated", new.id.as_str(), new.title.clone())),
        _ => {}
    }
    if old.score.priority_band != new.score.priority_band {
        out.push(Change::new(
            "band-changed",
            "priority",
            format!("priority band {} -> {}", or_none(&old.score.priority_band), or_none(&new.score.priority_band)),
        ));
    }
    factor_changes(old, new, &mut out);
    force_changes(old, new, &mut out);
    subject_changes(&old.subjects, &new.subjects, &mut out);
    vehicle_changes(&old.vehicles, &new.vehicles, &mut out);
    offence_changes(old, new, &mut out);
    for outcome in &new.outcomes {
        if !old.outcomes.iter().any(|o| o.outcome_id == outcome.outcome_id) {
            out.push(Change::new(
                "outcome-recorded",
                outcome.outcome_id.clone(),
                format!(
                    "{} of {} on {} recorded by {} ({})",
                    outcome.kind, outcome.person_id, outcome.date, outcome.force, outcome.force_reference
                ),
            ));
        }
    }
    if old.total_loss_pence != new.total_loss_pence {
        out.push(Change::new(
            "loss-changed",
            "total",
            format!("total loss {} -> {}", old.total_loss_pence, new.total_loss_pence),
        ));
    }
    out
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "none" } else { text }
}

fn factor_changes(old: &IntelligencePackage, new: &IntelligencePackage, out: &mut Vec<Change>) {
    let before: BTreeMap<&str, _> = old.score.factors.iter().map(|f| (f.name.as_str(), f)).collect();
    for factor in &new.score.factors {
        match before.get(factor.name.as_str()) {
            None => out.push(Change::new(
                "factor-changed",
                factor.name.clone(),
                format!("{} factor added: {} ({})", factor.name, factor.band, number(factor.value)),
            )),
            // A move too small to show is not a change an officer can see.
            Some(was) if was.band != factor.band || number(was.value) != number(factor.value) => out.push(Change::new(
                "factor-changed",
                factor.name.clone(),
                format!(
                    "{} {} ({}) -> {} ({})",
                    factor.name,
                    was.band,
                    number(was.value),
                    factor.band,
                    number(factor.value)
                ),
            )),
            Some(_) => {}
        }
    }
}

/// A factor value as an officer would write it: whole numbers without decimals.
fn number(value: f64) -> String {
    let shown = (value * 100.0).round() / 100.0;
    if shown.fract() == 0.0 && shown.abs() < 1e15 { format!("{shown:.0}") } else { format!("{shown:.2}") }
}

fn force_changes(old: &IntelligencePackage, new: &IntelligencePackage, out: &mut Vec<Change>) {
    if old.lead_force != new.lead_force && !new.withdrawn {
        out.push(Change::new(
            "forces-changed",
            new.lead_force.as_str(),
            format!("lead force {} -> {}", old.lead_force, new.lead_force),
        ));
    }
    for force in new.affected_forces.iter().filter(|f| !old.concerns_force(f)) {
        out.push(Change::new("forces-changed", force.as_str(), format!("{force} now affected")));
    }
    for force in old.affected_forces.iter().chain([&old.lead_force]).filter(|f| !new.concerns_force(f)) {
        if !new.withdrawn {
            out.push(Change::new("forces-changed", force.as_str(), format!("{force} no longer affected")));
        }
    }
}

fn subject_changes(old: &[PackageSubject], new: &[PackageSubject], out: &mut Vec<Change>) {
    let before: BTreeMap<&str, &PackageSubject> = old.iter().map(|s| (s.person_id.as_str(), s)).collect();
    let after: BTreeMap<&str, &PackageSubject> = new.iter().map(|s| (s.person_id.as_str(), s)).collect();
    for (id, subject) in &after {
        match before.get(id) {
            None => {
                out.push(Change::new("subject-joined", *id, format!("{} joined as {}", named(subject), subject.role)))
            }
            Some(was) if was.role != subject.role => out.push(Change::new(
                "role-changed",
                *id,
                format!("{} {} -> {}", named(subject), was.role, subject.role),
            )),
            Some(_) => {}
        }
    }
    for (id, subject) in &before {
        if !after.contains_key(id) {
            out.push(Change::new("subject-left", *id, format!("{} left", named(subject))));
        }
    }
}

fn named(subject: &PackageSubject) -> String {
    if subject.display_name.is_empty() {
        subject.person_id.to_string()
    } else {
        format!("{} ({})", subject.person_id, subject.display_name)
    }
}

fn vehicle_changes(old: &[PackageVehicle], new: &[PackageVehicle], out: &mut Vec<Change>) {
    let before: BTreeMap<&str, &PackageVehicle> = old.iter().map(|v| (v.vehicle_id.as_str(), v)).collect();
    let after: BTreeMap<&str, &PackageVehicle> = new.iter().map(|v| (v.vehicle_id.as_str(), v)).collect();
    let plate = |v: &PackageVehicle| if v.vrm.is_empty() { "no plate read".to_owned() } else { v.vrm.clone() };
    for (id, vehicle) in &after {
        match before.get(id) {
            None => out.push(Change::new("vehicle-added", *id, format!("{id} ({}) added", plate(vehicle)))),
            Some(was) => {
                let mut notes = Vec::new();
                if was.vrm != vehicle.vrm {
                    notes.push(format!("plate {} -> {}", plate(was), plate(vehicle)));
                }
                if !was.cloned_plate_suspected && vehicle.cloned_plate_suspected {
                    notes.push("cloned plate now suspected".to_owned());
                }
                if !was.false_plate_suspected && vehicle.false_plate_suspected {
                    notes.push("false plate now reported".to_owned());
                }
                if !notes.is_empty() {
                    out.push(Change::new("vehicle-changed", *id, format!("{id}: {}", notes.join(", "))));
                }
            }
        }
    }
    for (id, vehicle) in &before {
        if !after.contains_key(id) {
            out.push(Change::new("vehicle-removed", *id, format!("{id} ({}) removed", plate(vehicle))));
        }
    }
}

fn offence_changes(old_package: &IntelligencePackage, new_package: &IntelligencePackage, out: &mut Vec<Change>) {
    let (old, new, notices) = (&old_package.offences, &new_package.offences, &new_package.report_notices);
    let before: BTreeMap<&str, &Offence> = old.iter().map(|o| (o.incident_id.as_str(), o)).collect();
    let after: BTreeMap<&str, &Offence> = new.iter().map(|o| (o.incident_id.as_str(), o)).collect();
    for offence in new {
        let id = offence.incident_id.as_str();
        match before.get(id) {
            None => out.push(Change::new("offence-added", id, describe(offence))),
            Some(was) => {
                let mut notes = Vec::new();
                if was.revision.max(1) != offence.revision.max(1) {
                    out.push(Change::new(
                        "offence-corrected",
                        id,
                        format!(
                            "{id}: corrected by the retailer (revision {}): {}",
                            offence.revision.max(1),
                            or_none(&offence.correction_reason)
                        ),
                    ));
                }
                if was.value_pence != offence.value_pence {
                    notes.push(format!("value {} -> {}", was.value_pence, offence.value_pence));
                }
                if was.police_crime_ref != offence.police_crime_ref {
                    notes.push(format!(
                        "crime reference {} -> {}",
                        or_none(&was.police_crime_ref),
                        or_none(&offence.police_crime_ref)
                    ));
                }
                if was.person_ids != offence.person_ids {
                    notes.push("persons linked changed".to_owned());
                }
                if was.outside_group != offence.outside_group {
                    notes.push(
                        if offence.outside_group { "now outside the group" } else { "now with the group" }.to_owned(),
                    );
                }
                if !notes.is_empty() {
                    out.push(Change::new("offence-changed", id, format!("{id}: {}", notes.join(", "))));
                }
            }
        }
    }
    for offence in old {
        let id = offence.incident_id.as_str();
        if after.contains_key(id) {
            continue;
        }
        match notices.iter().find(|n| n.incident_id.as_str() == id) {
            Some(notice) if notice.withdrawn => {
                let what = if notice.disposed { "disposed of under the retention schedule" } else { "withdrawn" };
                out.push(Change::new(
                    "offence-withdrawn",
                    id,
                    format!("{}: the report was {what}: {}", describe(offence), or_none(&notice.reason)),
                ))
            }
            Some(notice) => out.push(Change::new(
                "offence-corrected",
                id,
                format!(
                    "{}: corrected by the retailer (revision {}) and no longer names these subjects: {}",
                    describe(offence),
                    notice.revision,
                    or_none(&notice.reason)
                ),
            )),
            None => out.push(Change::new("offence-removed", id, describe(offence))),
        }
    }
    // A report disposed of since `old_package` was published: that version was rewritten without
    // it (`scrub`), so only the notice says what it was.
    for notice in notices.iter().filter(|n| n.disposed) {
        let id = notice.incident_id.as_str();
        let told = (old_package.report_notices.iter()).any(|n| n.incident_id == notice.incident_id && n.disposed);
        if !before.contains_key(id) && !told {
            let detail =
                format!("{id}: the report was disposed of under the retention schedule: {}", or_none(&notice.reason));
            out.push(Change::new("offence-withdrawn", id, detail));
        }
    }
}

fn describe(offence: &Offence) -> String {
    let outside = if offence.outside_group { ", by a member outside the group" } else { "" };
    format!(
        "{} {} {} in {}, {}{outside}",
        offence.incident_id,
        offence.occurred_at.format("%Y-%m-%d"),
        offence.event_type.as_str(),
        offence.force,
        offence.value_pence
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use orca_model::package::{OutcomeKind, PackageOutcome, Score, ScoreFactor};
    use orca_model::{ForceId, IncidentId, Pence, PersonId};

    fn offence(id: &str, pence: i64) -> Offence {
        Offence {
            incident_id: IncidentId::new(id),
            force: ForceId::new("cheshire"),
            occurred_at: Utc.with_ymd_and_hms(2026, 1, 2, 10, 0, 0).unwrap(),
            value_pence: Pence::new(pence),
            ..Default::default()
        }
    }

    fn subject(id: &str, role: &str) -> PackageSubject {
        PackageSubject {
            person_id: PersonId::new(id),
            display_name: format!("Name {id}"),
            role: role.into(),
            ..Default::default()
        }
    }

    fn package(band: &str) -> IntelligencePackage {
        IntelligencePackage {
            lead_force: ForceId::new("cheshire"),
            subjects: vec![subject("P1", "core"), subject("P2", "periphery")],
            offences: vec![offence("INC-1", 1000), offence("INC-2", 500)],
            total_loss_pence: Pence::new(1500),
            score: Score {
                priority_band: band.into(),
                factors: vec![ScoreFactor { name: "harm".into(), value: 15.0, band: "low".into(), evidence: vec![] }],
                rule: String::new(),
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_new_offence_a_new_member_and_a_band_move_are_each_stated_once() {
        let old = package("medium");
        let mut new = package("high");
        new.offences.push(offence("INC-3", 25_000));
        new.subjects.push(subject("P3", "core"));
        new.subjects[1].role = "core".into();
        new.total_loss_pence = Pence::new(26_500);
        new.score.factors[0] =
            ScoreFactor { name: "harm".into(), value: 265.0, band: "medium".into(), evidence: vec![] };
        new.affected_forces.push(ForceId::new("merseyside"));
        let kinds: Vec<(&str, String)> = changes(&old, &new).into_iter().map(|c| (c.kind, c.about)).collect();
        assert_eq!(
            kinds,
            [
                ("band-changed", "priority".to_owned()),
                ("factor-changed", "harm".to_owned()),
                ("forces-changed", "merseyside".to_owned()),
                ("role-changed", "P2".to_owned()),
                ("subject-joined", "P3".to_owned()),
                ("offence-added", "INC-3".to_owned()),
                ("loss-changed", "total".to_owned()),
            ]
        );
        let all: Vec<String> = changes(&old, &new).iter().map(ToString::to_string).collect();
        assert!(all.contains(&"band-changed: priority band medium -> high".to_owned()), "{all:?}");
        assert!(all.contains(&"loss-changed: total loss £15.00 -> £265.00".to_owned()), "{all:?}");
        assert!(all.contains(&"factor-changed: harm low (15) -> medium (265)".to_owned()), "{all:?}");
    }

    #[test]
    fn the_same_version_has_no_changes_nor_does_a_move_too_small_to_show() {
        assert!(changes(&package("high"), &package("high")).is_empty());
        let mut nudged = package("high");
        nudged.score.factors[0].value += 0.001;
        assert!(changes(&package("high"), &nudged).is_empty());
    }

    #[test]
    fn departures_removals_outcomes_and_withdrawal_are_stated() {
        let old = package("high");
        let mut new = package("high");
        new.subjects.truncate(1);
        new.offences.truncate(1);
        new.total_loss_pence = Pence::new(1000);
        new.outcomes.push(PackageOutcome {
            outcome_id: "O-1".into(),
            person_id: PersonId::new("P1"),
            kind: OutcomeKind::Charge,
            date: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            force: ForceId::new("cheshire"),
            force_reference: "CH/1".into(),
            ..Default::default()
        });
        let stated: Vec<String> = changes(&old, &new).iter().map(ToString::to_string).collect();
        assert!(stated.contains(&"subject-left: P2 (Name P2) left".to_owned()), "{stated:?}");
        assert!(stated.iter().any(|c| c.starts_with("offence-removed: INC-2 2026-01-02")), "{stated:?}");
        assert!(
            stated.contains(&"outcome-recorded: charge of P1 on 2026-02-01 recorded by cheshire (CH/1)".to_owned())
        );
        let mut withdrawn = new.clone();
        withdrawn.withdrawn = true;
        withdrawn.title = "Withdrawn: organised crime group G1 (dissolved)".into();
        let first = changes(&new, &withdrawn).remove(0);
        assert_eq!(
            (first.kind, first.detail.as_str()),
            ("withdrawn", "Withdrawn: organised crime group G1 (dissolved)")
        );
    }
}
