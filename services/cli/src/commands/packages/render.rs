//! The text form of packages: the listing and one package in full.

use orca_model::Pence;
use orca_proto::v1;
use std::fmt::Write;

/// A subject's name with what tells them apart from another of the same name: date of birth and
/// aliases (the person id is printed beside it).
fn subject_label(s: &v1::PackageSubject) -> String {
    let mut label = if s.display_name.is_empty() { "(unnamed)".to_owned() } else { s.display_name.clone() };
    if !s.date_of_birth.is_empty() {
        label.push_str(&format!(", born {}", s.date_of_birth));
    }
    if !s.aliases.is_empty() {
        label.push_str(&format!(", aka {}", s.aliases.join(" / ")));
    }
    label
}

/// One package in full, with what changed since an earlier version when given.
pub fn render_package(p: &v1::IntelligencePackage, changes: Option<&v1::PackageChanges>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  version {}  [{}]", p.package_id, p.version, p.security_marking);
    let _ = writeln!(out, "{}", p.title);
    if let Some(grade) = &p.grade {
        let _ = writeln!(
            out,
            "grade {}{}{} {}",
            grade.source,
            grade.intelligence,
            grade.handling,
            grade.handling_conditions.join("; ")
        );
    }
    if p.withdrawn {
        let _ = writeln!(out, "WITHDRAWN: earlier versions are no longer disclosed to forces");
    }
    if let Some(changes) = changes {
        let _ = write!(out, "{}", render_changes(changes));
    }
    let _ = writeln!(out, "lead force {}; affected {}", p.lead_force, p.affected_forces.join(", "));
    let _ = writeln!(out, "corridor {}", p.corridor.join(" -> "));
    let _ = writeln!(out, "total loss {} over {} offences", Pence::new(p.total_loss_pence), p.offences.len());
    if let Some(score) = &p.score {
        let _ = writeln!(out, "priority {} ({})", score.priority_band, score.rule);
        for factor in &score.factors {
            let _ = writeln!(
                out,
                "  {:<11} {:>7.2} {:<8} {}",
                factor.name,
                factor.value,
                factor.band,
                factor.evidence.join("; ")
            );
        }
    }
    let _ = writeln!(out, "subjects:");
    for s in &p.subjects {
        let _ = writeln!(
            out,
            "  {} {:<9} confidence {:.2}, {:>3} incidents  {}",
            s.person_id,
            s.role,
            s.match_confidence,
            s.incident_count,
            subject_label(s)
        );
    }
    if !p.vehicles.is_empty() {
        let _ = writeln!(out, "vehicles:");
        for v in &p.vehicles {
            let vrm = if v.vrm.is_empty() { "(no plate read)" } else { &v.vrm };
            let cloned = if v.cloned_plate_suspected { " (cloned plate suspected)" } else { "" };
            let false_plate = if v.false_plate_suspected { " (false plate reported)" } else { "" };
            let _ = writeln!(out, "  {} {vrm} {} {} {}{cloned}{false_plate}", v.vehicle_id, v.colour, v.make, v.model);
        }
    }
    let _ = writeln!(out, "offences:");
    for o in &p.offences {
        let when = o
            .occurred_at
            .as_ref()
            .map(|t| t.seconds)
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let crime_ref =
            if o.police_crime_ref.is_empty() { "no crime ref".to_owned() } else { o.police_crime_ref.clone() };
        let store = p.stores.iter().find(|s| s.store_id == o.store_id).map_or(o.store_id.clone(), |s| s.name.clone());
        let outside = if o.outside_group { "  (member outside the group)" } else { "" };
        let _ = writeln!(
            out,
            "  {when} {:<18} {:<28} {:>10} {}{outside}",
            o.force,
            store,
            Pence::new(o.value_pence),
            crime_ref
        );
    }
    if !p.outcomes.is_empty() {
        let _ = writeln!(out, "outcomes:");
        for o in &p.outcomes {
            let kind = v1::OutcomeKind::try_from(o.kind)
                .map_or("?".to_owned(), |k| k.as_str_name().trim_start_matches("OUTCOME_KIND_").to_lowercase());
            let _ = writeln!(
                out,
                "  {} {kind} of {} by {} ({}) {}",
                o.date, o.person_id, o.force, o.force_reference, o.notes
            );
        }
    }
    for gap in &p.intelligence_gaps {
        let _ = writeln!(out, "gap: {gap}");
    }
    for action in &p.recommended_actions {
        let _ = writeln!(out, "action: {action}");
    }
    out
}

/// What changed, one statement a line.
pub fn render_changes(changes: &v1::PackageChanges) -> String {
    let mut out = String::new();
    if changes.changes.is_empty() {
        let _ = writeln!(out, "no change since version {}", changes.from_version);
        return out;
    }
    let _ = writeln!(out, "changes since version {}:", changes.from_version);
    for change in &changes.changes {
        let _ = writeln!(out, "  {:<16} {}", change.kind, change.detail);
    }
    out
}

/// The listing: one line a package, most urgent first, withdrawn ones marked.
pub fn render_list(force: &str, packages: &[v1::PackageSummary], total: u32, filters: &str) -> String {
    let mut out = String::new();
    let shown = packages.len();
    let _ = writeln!(out, "{shown} of {total} packages for `{force}` ({filters})");
    let _ = writeln!(
        out,
        "{:<16} {:>3} {:<9} {:<12} {:<10} {:>8} {:>8} {:>12}  lead / affected forces",
        "package", "v", "band", "level", "last seen", "subjects", "offences", "loss"
    );
    for p in packages {
        let level = v1::NimLevel::try_from(p.nim_level).map_or("?".to_owned(), |l| {
            l.as_str_name().trim_start_matches("NIM_LEVEL_").to_lowercase().replace('_', "-")
        });
        let lead = if p.lead { format!("LEAD {}", p.lead_force) } else { p.lead_force.clone() };
        let band = if p.withdrawn { "WITHDRAWN".to_owned() } else { p.priority_band.clone() };
        let last_seen = p
            .last_seen
            .as_ref()
            .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<16} {:>3} {:<9} {:<12} {:<10} {:>8} {:>8} {:>12}  {} / {}",
            p.package_id,
            p.version,
            band,
            level,
            last_seen,
            p.subject_count,
            p.offence_count,
            Pence::new(p.total_loss_pence),
            lead,
            p.affected_forces.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(id: &str, name: &str, born: &str, aliases: &[&str]) -> v1::PackageSubject {
        v1::PackageSubject {
            person_id: id.to_owned(),
            display_name: name.to_owned(),
            date_of_birth: born.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            role: "core".to_owned(),
            ..v1::PackageSubject::default()
        }
    }

    #[test]
    fn two_subjects_of_one_name_are_told_apart_by_birth_date_and_alias() {
        let package = v1::IntelligencePackage {
            subjects: vec![
                subject("P00000001", "John Smith", "1990-04-02", &["Smithy"]),
                subject("P00000002", "John Smith", "1971-11-30", &[]),
            ],
            vehicles: vec![v1::PackageVehicle {
                vehicle_id: "V00000009".to_owned(),
                colour: "blue".to_owned(),
                make: "Mercedes".to_owned(),
                false_plate_suspected: true,
                ..v1::PackageVehicle::default()
            }],
            ..v1::IntelligencePackage::default()
        };
        let text = render_package(&package, None);
        assert!(
            text.contains(
                "  P00000001 core      confidence 0.00,   0 incidents  John Smith, born 1990-04-02, aka Smithy\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("  P00000002 core      confidence 0.00,   0 incidents  John Smith, born 1971-11-30\n"),
            "{text}"
        );
        assert!(text.contains("V00000009 (no plate read) blue Mercedes  (false plate reported)"), "{text}");
    }
}
