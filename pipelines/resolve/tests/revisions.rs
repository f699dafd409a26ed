//! Corrections and withdrawals: a later revision of a report replaces the earlier one's sightings,
//! a withdrawal takes them out, and both survive a restart.

mod common;

use common::store::Store;
use common::*;
use orca_model::{Incident, PersonSighting, SightingKey, Withdrawal};
use orca_resolve::{Resolver, ResolverConfig};

fn callum() -> PersonSighting {
    named("Callum", "Fairweather", Some("1996-12-01"))
}

fn dwayne() -> PersonSighting {
    named("Dwayne", "Okafor", Some("1989-04-17"))
}

/// Three reports each of Callum and Dwayne, and the person each became.
fn two_regulars(r: &mut Resolver) -> (String, String) {
    let mut ids = Vec::new();
    for (prefix, who) in [("C", callum()), ("D", dwayne())] {
        for day in 0..3 {
            let report = incident(&format!("{prefix}{day}"), "kent", day * 3, vec![who.clone()], vec![]);
            ids.push(r.resolve(&report).persons[0].entity_id.clone());
        }
    }
    assert!(ids[..3].iter().all(|id| *id == ids[0]) && ids[3..].iter().all(|id| *id == ids[3]));
    assert_ne!(ids[0], ids[3]);
    (ids[0].clone(), ids[3].clone())
}

fn corrected(report: &Incident, persons: Vec<PersonSighting>, reason: &str) -> Incident {
    Incident { persons, revision: report.revision() + 1, correction_reason: reason.to_owned(), ..report.clone() }
}

fn withdrawal(report: &Incident, reason: &str) -> Withdrawal {
    Withdrawal {
        incident_id: report.id.clone(),
        retailer: report.retailer.clone(),
        retailer_ref: report.retailer_ref.clone(),
        revision: report.revision(),
        reason: reason.to_owned(),
        withdrawn_by: "northmart-1".to_owned(),
        withdrawn_at: None,
        disposed: false,
    }
}

#[test]
fn a_correction_moves_the_sighting_to_the_person_the_corrected_report_names() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let (callum_id, dwayne_id) = two_regulars(&mut r);
    let first = incident("X1", "kent", 10, vec![callum()], vec![]);
    assert_eq!(r.resolve(&first).persons[0].entity_id, callum_id);
    assert_eq!(r.person_members(&callum_id).len(), 4);

    let second = corrected(&first, vec![dwayne()], "wrong person named: it was Dwayne Okafor");
    let resolution = r.resolve(&second);
    assert_eq!(resolution.persons[0].entity_id, dwayne_id, "the corrected report links to Dwayne");
    assert_eq!(resolution.incident.as_ref().unwrap().revision, 2);
    assert_eq!(r.person_members(&callum_id).len(), 3, "Callum no longer has the report");
    assert_eq!(r.person_members(&dwayne_id).len(), 4);
    let key = SightingKey::new(first.id.clone(), 0);
    assert_eq!(r.person_of(&key).unwrap().as_str(), dwayne_id);

    // The first revision delivered again changes nothing and re-states the current links.
    let again = r.resolve(&first);
    assert!(again.is_relink() && again.persons[0].entity_id == dwayne_id);
    assert_eq!(r.person_members(&callum_id).len(), 3);
    assert_eq!(r.stats().incidents, 8);

    // A correction that changes nothing about a one-off suspect keeps their id.
    let lone = incident("Z1", "essex", 12, vec![named("Zed", "Quillfeather", Some("2001-02-03"))], vec![]);
    let zed_id = r.resolve(&lone).persons[0].entity_id.clone();
    let recounted =
        Incident { narrative: "two items, not one".into(), ..corrected(&lone, lone.persons.clone(), "recount") };
    assert_eq!(r.resolve(&recounted).persons[0].entity_id, zed_id);
    assert_eq!(r.person_members(&zed_id).len(), 1);

    let mut store = Store::default();
    store.apply(r.take_changes());
    let restored = Resolver::restore(config, store.records()).expect("restores");
    assert_eq!(restored.person_members(&zed_id), r.person_members(&zed_id));
    assert_eq!(restored.person_of(&key).unwrap().as_str(), dwayne_id);
    assert_eq!(restored.person_members(&callum_id), r.person_members(&callum_id));
    assert_eq!(restored.person_members(&dwayne_id), r.person_members(&dwayne_id));
}

#[test]
fn a_withdrawn_report_leaves_its_person_and_is_answered_with_the_withdrawal_for_good() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let (callum_id, _) = two_regulars(&mut r);
    let report = incident("X1", "kent", 10, vec![callum()], vec![]);
    r.resolve(&report);
    let zed = named("Zed", "Quillfeather", Some("2001-02-03"));
    let lone = incident("Z1", "essex", 12, vec![zed.clone()], vec![]);
    let zed_id = r.resolve(&lone).persons[0].entity_id.clone();

    for (withdrawn, person) in [(&report, &callum_id), (&lone, &zed_id)] {
        let resolution = r.withdraw(&withdrawal(withdrawn, "sent in error"));
        assert_eq!(resolution.withdrawal.as_ref().unwrap().reason, "sent in error");
        assert!(resolution.incident.is_none() && resolution.persons.is_empty() && !resolution.is_relink());
        assert!(r.is_withdrawn(&withdrawn.id));
        assert!(!r.person_members(person).iter().any(|key| key.incident == withdrawn.id));
        assert_eq!(r.person_of(&SightingKey::new(withdrawn.id.clone(), 0)), None);
    }
    assert_eq!(r.person_members(&callum_id).len(), 3);
    assert!(r.person_members(&zed_id).is_empty());

    // Redelivered, or corrected after it was withdrawn: still withdrawn.
    assert!(r.resolve(&report).withdrawal.is_some());
    assert!(r.resolve(&corrected(&report, vec![callum()], "late")).withdrawal.is_some());
    assert!(r.withdraw(&withdrawal(&report, "again")).withdrawal.unwrap().reason == "sent in error");

    // Zed's emptied person is no one: a new report of Zed starts a new person.
    let next = incident("Z2", "essex", 14, vec![zed], vec![]);
    let next_id = r.resolve(&next).persons[0].entity_id.clone();
    assert_ne!(next_id, zed_id);

    let mut store = Store::default();
    store.apply(r.take_changes());
    assert_eq!(store.keys("resolve.withdrawn").len(), 2);
    let mut restored = Resolver::restore(config, store.records()).expect("restores");
    assert!(restored.is_withdrawn(&report.id) && restored.is_withdrawn(&lone.id));
    assert_eq!(restored.person_members(&callum_id), r.person_members(&callum_id));
    assert!(restored.person_members(&zed_id).is_empty());
    assert!(restored.resolve(&report).withdrawal.is_some());
    assert_eq!(restored.stats().persons, r.stats().persons);
}
