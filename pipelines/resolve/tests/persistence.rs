//! State changes and restore: a restored resolver behaves like the one that wrote the records.

mod common;

use common::store::Store;
use common::*;
use orca_model::{Incident, PersonSighting, SightingKey, StoredRecord};
use orca_resolve::{AnalystDecision, Resolver, ResolverConfig};

type Rng = orca_model::hash::SplitMix64;

const GIVEN: &[&str] = &["John", "Jon", "Michael", "Mike", "Sarah", "Aisha", "Piotr", "Kelly", "Dean", "Robert", "Bob"];
const FAMILY: &[&str] = &["Smith", "Smyth", "Nowak", "Khan", "Walsh", "Okafor", "Reid", "Barnes"];

fn person(rng: &mut Rng, who: u64) -> PersonSighting {
    let given = GIVEN[(who % GIVEN.len() as u64) as usize];
    let family = FAMILY[(who / 3 % FAMILY.len() as u64) as usize];
    let dob = format!("{}-{:02}-{:02}", 1970 + who % 30, 1 + who % 12, 1 + who % 28);
    let mut p = named(given, family, if rng.below(3) == 0 { None } else { Some(&dob) });
    if rng.below(5) == 0 {
        p.marker_code = Some(format!("SW{}", who % 7));
    }
    p
}

fn workload(seed: u64, count: usize, offset: usize) -> Vec<Incident> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|i| {
            let persons = (0..1 + rng.below(3))
                .map(|_| {
                    let who = rng.below(60);
                    person(&mut rng, who)
                })
                .collect();
            let vehicles = (0..rng.below(2))
                .map(|_| {
                    let plate = ["AB12CDE", "AB12CDF", "KX17ABC", "LM19TXR", "GH68PLM"][rng.below(5) as usize];
                    let make = ["Ford", "BMW", ""][rng.below(3) as usize];
                    vehicle(plate, make, "", "")
                })
                .collect();
            let force = ["kent", "essex", "metropolitan"][rng.below(3) as usize];
            incident(&format!("W{}", i + offset), force, (i + offset) as i64, persons, vehicles)
        })
        .collect()
}

#[test]
fn a_restored_resolver_behaves_like_the_original() {
    let config = ResolverConfig::default();
    let mut original = Resolver::new(config.clone());
    let mut store = Store::default();
    let first = workload(7, 300, 0);
    for (i, inc) in first.iter().enumerate() {
        original.resolve(inc);
        if i % 17 == 0 {
            store.apply(original.take_changes());
        }
    }
    // An analyst decision or two, so splits and constraints are part of the state.
    let key = first
        .iter()
        .map(|inc| SightingKey::new(inc.id.clone(), 0))
        .find(|key| original.person_of(key).is_some_and(|p| original.person_members(p.as_str()).len() > 2))
        .expect("some person was seen three times");
    let entity = original.person_of(&key).unwrap();
    original
        .decide(AnalystDecision::RejectSighting {
            sighting: key,
            entity: entity.to_string(),
            analyst: "a".into(),
            reason: "test".into(),
        })
        .expect("applies");
    store.apply(original.take_changes());
    assert!(original.take_changes().is_empty(), "nothing left to write");
    let stats = original.stats();
    assert!(
        stats.merges > 0 && stats.splits > 0 && stats.cloned_plates > 0,
        "the workload exercises the state: {stats:?}"
    );

    let mut restored = Resolver::restore(config, store.records()).expect("restores");
    assert_eq!(restored.stats(), original.stats());
    assert!(restored.take_changes().is_empty(), "restoring writes nothing");
    // Redelivered incidents get the same answers.
    for inc in first.iter().step_by(13) {
        let mut a = original.resolve(inc);
        let mut b = restored.resolve(inc);
        a.merges.clear();
        b.merges.clear();
        assert_eq!(a, b);
    }
    // New incidents are resolved identically, and so are the state changes.
    for inc in workload(8, 150, 300) {
        assert_eq!(original.resolve(&inc), restored.resolve(&inc));
    }
    assert_eq!(original.take_changes(), restored.take_changes());
    assert_eq!(original.stats(), restored.stats());
}

#[test]
fn restore_reports_foreign_and_malformed_records() {
    let bad =
        StoredRecord { namespace: "resolve.incident".into(), key: "0000000000".into(), value: b"{not json".to_vec() };
    let error = Resolver::restore(ResolverConfig::default(), [bad]).err().expect("refused");
    assert!(error.to_string().contains("resolve.incident/0000000000"), "{error}");
    let foreign = StoredRecord { namespace: "linker.group".into(), key: "x".into(), value: vec![] };
    assert!(Resolver::restore(ResolverConfig::default(), [foreign]).is_err());
}
