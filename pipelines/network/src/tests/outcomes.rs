//! Outcomes forces record, and where offences happened, as packages carry them.

use super::fixtures::{report, spree};
use crate::{Linker, LinkerConfig};
use chrono::NaiveDate;
use orca_model::package::{IntelligencePackage, OutcomeKind, PackageOutcome};

fn crew() -> Linker {
    let mut linker = Linker::new(LinkerConfig::default());
    for resolution in spree("CREW", &["P1", "P2", "P3"], &["kent", "essex"], &[0, 5, 12, 20, 30, 33, 36]) {
        linker.apply(&resolution);
        linker.recompute();
    }
    linker
}

fn charge(id: &str, person: &str) -> PackageOutcome {
    PackageOutcome {
        outcome_id: id.to_owned(),
        package_id: "PKG-G00000001".into(),
        person_id: person.into(),
        kind: OutcomeKind::Charge,
        date: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        force: "kent".into(),
        force_reference: format!("KT/{id}"),
        ..Default::default()
    }
}

fn group_package(packages: &[IntelligencePackage]) -> &IntelligencePackage {
    packages.iter().find(|p| p.id.as_str() == "PKG-G00000001").expect("the group's package")
}

#[test]
fn an_outcome_gives_the_package_a_new_version_that_carries_it_and_charging_the_core_lowers_the_band() {
    let mut linker = crew();
    let first = group_package(&linker.publish()).clone();
    let core: Vec<String> =
        first.subjects.iter().filter(|s| s.role == "core").map(|s| s.person_id.to_string()).collect();
    assert!(!core.is_empty());

    assert!(linker.record_outcome(charge("O-1", &core[0])));
    assert!(!linker.record_outcome(charge("O-1", &core[0])), "the same outcome twice is one outcome");
    let packages = linker.publish();
    let second = group_package(&packages);
    assert_eq!(second.version, first.version + 1);
    assert_eq!(second.outcomes.len(), 1);
    assert_eq!(second.offences, first.offences, "nothing else changed");
    let factor = second.score.factors.iter().find(|f| f.name == "outcomes").expect("an outcomes factor");
    assert!(factor.evidence[0].contains(&format!("charge of {}", core[0])), "{:?}", factor.evidence);

    for (i, person) in core.iter().enumerate().skip(1) {
        linker.record_outcome(charge(&format!("O-{}", i + 1), person));
    }
    let third = group_package(&linker.publish()).clone();
    let lowered = match first.score.priority_band.as_str() {
        "high" => "medium",
        _ => "low",
    };
    assert_eq!(third.score.priority_band, lowered, "every core member charged since the last offence");

    // A restarted linker keeps the outcomes: the next version built still carries them.
    let restored = Linker::restore(LinkerConfig::default(), stored(&mut linker)).unwrap();
    let mut restored = restored;
    restored.apply(&report("INC-CREW-LATE", "kent", 40).persons(&["P1", "P2", "P3"]).build());
    restored.recompute();
    let fourth = group_package(&restored.publish()).clone();
    assert_eq!(fourth.outcomes.len(), core.len());
}

#[test]
fn packages_carry_the_position_of_each_store_that_reported_an_offence() {
    let mut linker = Linker::new(LinkerConfig::default());
    for (i, day) in [0, 5, 12, 20, 30].into_iter().enumerate() {
        let report =
            report(&format!("INC-{i}"), if i % 2 == 0 { "kent" } else { "essex" }, day).persons(&["P1", "P2", "P3"]);
        let report = if i == 0 {
            report
        } else if i % 2 == 0 {
            report.located("Northmart Maidstone", 51.27, 0.52)
        } else {
            report.located("Northmart Chelmsford", 51.73, 0.47)
        };
        linker.apply(&report.build());
        linker.recompute();
    }
    let package = group_package(&linker.publish()).clone();
    let stores: Vec<(&str, &str, f64)> =
        package.stores.iter().map(|s| (s.store.as_str(), s.name.as_str(), s.lat)).collect();
    assert_eq!(stores, [("NM-essex", "Northmart Chelmsford", 51.73), ("NM-kent", "Northmart Maidstone", 51.27)]);
}

fn stored(linker: &mut Linker) -> Vec<orca_model::StoredRecord> {
    linker
        .take_changes()
        .into_iter()
        .filter_map(|change| {
            Some(orca_model::StoredRecord { namespace: change.namespace, key: change.key, value: change.value? })
        })
        .collect()
}
