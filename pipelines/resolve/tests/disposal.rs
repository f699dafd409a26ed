//! Disposal under the retention schedule: the report leaves its entities like a withdrawal, nothing
//! of what it said stays in the resolver's stored state (names, dates of birth, face templates,
//! marker codes, plates, of every revision), and a resolver restored from that state resolves
//! what follows exactly as the running one does.

mod common;

use common::store::Store;
use common::*;
use orca_model::{Incident, PersonSighting, Resolution, SightingKey, Withdrawal};
use orca_resolve::{Resolver, ResolverConfig};

fn zed(given: &str) -> PersonSighting {
    PersonSighting {
        face: Some(face(77, 0.02)),
        marker_code: Some("SW-9999-ZZZZ".into()),
        ..named(given, "Quillfeather", Some("2001-02-03"))
    }
}

fn disposal(report: &Incident) -> Withdrawal {
    Withdrawal {
        incident_id: report.id.clone(),
        retailer: report.retailer.clone(),
        retailer_ref: report.retailer_ref.clone(),
        revision: report.revision(),
        reason: "disposed of under the retention schedule: review 2032".to_owned(),
        withdrawn_by: "opal-1".to_owned(),
        withdrawn_at: None,
        disposed: true,
    }
}

/// Everything stored, as text, for looking for what must be gone.
fn stored_text(store: &Store) -> String {
    store.records().iter().map(|r| String::from_utf8_lossy(&r.value).into_owned()).collect::<Vec<_>>().join("\n")
}

/// Entity ids and link probabilities of a resolution, to compare two resolvers' answers.
fn answer(resolution: &Resolution) -> Vec<(String, String)> {
    (resolution.persons.iter().map(|l| (l.entity_id.to_string(), format!("{:.6}", l.probability))))
        .chain(resolution.vehicles.iter().map(|l| (l.entity_id.to_string(), format!("{:.6}", l.probability))))
        .collect()
}

#[test]
fn a_disposed_report_leaves_no_content_in_the_state_and_a_restored_resolver_resolves_alike() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let callum = named("Callum", "Fairweather", Some("1996-12-01"));
    for day in 0..3 {
        r.resolve(&incident(&format!("C{day}"), "kent", day * 3, vec![callum.clone()], vec![]));
    }
    // Zed twice with his car; the second report is corrected once before it is disposed of.
    let car = || vehicle("ZQ51 XYZ", "Audi", "A3", "black");
    let first = incident("Z1", "essex", 10, vec![zed("Zebedee"), callum.clone()], vec![car()]);
    let zed_id = r.resolve(&first).persons[0].entity_id.clone();
    let report = incident("Z2", "essex", 12, vec![zed("Zeb"), callum.clone()], vec![car()]);
    r.resolve(&report);
    let corrected = Incident {
        revision: 2,
        correction_reason: "alias".into(),
        ..incident("Z2", "essex", 12, vec![zed("Zebedee")], vec![car()])
    };
    r.resolve(&corrected);
    let mut store = Store::default();
    store.apply(r.take_changes());
    assert!(stored_text(&store).contains("Zeb"), "the test looks for what it stored");

    let resolution = r.dispose(&disposal(&corrected));
    assert!(resolution.withdrawal.as_ref().is_some_and(|w| w.disposed));
    assert!(resolution.persons.is_empty() && resolution.incident.is_none());
    assert!(r.is_disposed(&report.id) && r.is_withdrawn(&report.id));
    assert_eq!(r.person_of(&SightingKey::new(report.id.clone(), 0)), None);
    assert_eq!(r.person_members(&zed_id).len(), 1, "Z1 stays");
    assert!(r.dispose(&disposal(&corrected)).withdrawal.is_some_and(|w| w.disposed), "again: the same answer");
    assert!(r.resolve(&report).withdrawal.is_some_and(|w| w.disposed), "a redelivery is answered with it");

    // Dispose of Z1 as well: then nothing of Zed or his car is stored anywhere.
    r.dispose(&disposal(&first));
    store.apply(r.take_changes());
    let text = stored_text(&store);
    for gone in ["Quillfeather", "Zebedee", "Zeb\"", "2001", "SW-9999", "SW9999", "ZQ51", "Audi", "vendor-x"] {
        assert!(!text.contains(gone), "`{gone}` is still stored:\n{text}");
    }
    assert!(text.contains("Fairweather"), "Callum's other reports stay");

    // A restored resolver answers what follows as the running one does.
    let mut restored = Resolver::restore(config, store.records()).expect("restores");
    assert!(restored.is_disposed(&report.id) && restored.is_disposed(&first.id));
    assert_eq!(comparable(&restored), comparable(&r));
    let later = [
        incident("L1", "kent", 20, vec![callum.clone(), zed("Zebedee")], vec![car()]),
        incident("L2", "kent", 21, vec![named("Callum", "Fairweather", None)], vec![vehicle("ZQ51 XYZ", "", "", "")]),
        incident("L3", "essex", 22, vec![zed("Zeb"), named("Kyle", "Brennan", Some("1991-04-12"))], vec![]),
        incident("L4", "essex", 23, vec![named("Kyle", "Brennan", Some("1991-04-12"))], vec![car()]),
    ];
    for report in &later {
        assert_eq!(answer(&restored.resolve(report)), answer(&r.resolve(report)), "{}", report.retailer_ref);
    }
    assert_eq!(comparable(&restored), comparable(&r));
}

/// The figures both resolvers must agree on: all but the count of interned names (the running one
/// keeps the disposed names' bare strings in memory until it restarts; nothing refers to them).
fn comparable(r: &Resolver) -> orca_resolve::ResolverStats {
    orca_resolve::ResolverStats { distinct_names: 0, ..r.stats() }
}

#[test]
fn a_redaction_scrubs_the_earlier_revisions_and_a_restored_resolver_resolves_alike() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let callum = named("Callum", "Fairweather", Some("1996-12-01"));
    let report = incident("Z1", "essex", 10, vec![zed("Zebedee"), callum.clone()], vec![]);
    r.resolve(&report);
    r.resolve(&incident("C1", "kent", 11, vec![callum.clone()], vec![]));
    let mut store = Store::default();
    store.apply(r.take_changes());
    assert!(stored_text(&store).contains("Quillfeather"), "the test looks for what it stored");

    // ORCA's own revision: Zed erased (his place kept, nothing else).
    let erased = PersonSighting { role: orca_model::PersonRole::Erased, ..PersonSighting::default() };
    let redaction = Incident {
        revision: 2,
        correction_reason: "person P1 erased by opal-1: no basis".into(),
        redaction: true,
        ..incident("Z1", "essex", 10, vec![erased, callum.clone()], vec![])
    };
    let resolution = r.resolve(&redaction);
    assert_eq!(resolution.persons.len(), 1, "only Callum is resolved: {:?}", resolution.persons);
    assert_eq!(resolution.persons[0].sighting_index, 1, "he keeps his place");
    assert_eq!(r.person_of(&SightingKey::new(report.id.clone(), 0)), None);
    store.apply(r.take_changes());
    let text = stored_text(&store);
    for gone in ["Quillfeather", "Zebedee", "2001", "SW-9999", "SW9999"] {
        assert!(!text.contains(gone), "`{gone}` is still stored:\n{text}");
    }
    assert!(text.contains("Fairweather"));

    let mut restored = Resolver::restore(config, store.records()).expect("restores");
    assert_eq!(comparable(&restored), comparable(&r));
    let later = [
        incident("L1", "kent", 20, vec![callum.clone(), zed("Zebedee")], vec![]),
        incident("L2", "essex", 21, vec![zed("Zeb")], vec![]),
    ];
    for report in &later {
        assert_eq!(answer(&restored.resolve(report)), answer(&r.resolve(report)), "{}", report.retailer_ref);
    }
    assert_eq!(comparable(&restored), comparable(&r));
}
