//! Splitting chosen sightings off an entity, and links that show an analyst's verdict.

mod common;

use common::store::Store;
use common::*;
use orca_model::{EntityKind, Incident, LinkDecision, Sex, SightingKey};
use orca_resolve::{AnalystDecision, DecisionError, Resolver, ResolverConfig};

fn callum(reference: &str, day: i64) -> Incident {
    incident(reference, "kent", day, vec![named("Callum", "Fairweather", Some("1996-12-01"))], vec![])
}

fn split(sightings: &[&SightingKey]) -> AnalystDecision {
    AnalystDecision::SplitSightings {
        kind: EntityKind::Person,
        sightings: sightings.iter().map(|&key| key.clone()).collect(),
        analyst: "a.analyst".into(),
        reason: "two men share the name".into(),
    }
}

#[test]
fn chosen_sightings_leave_their_person_together_as_one_new_person() {
    let mut r = resolver();
    let incidents: Vec<Incident> = (0..4).map(|i| callum(&format!("R{i}"), i * 3)).collect();
    let keys: Vec<SightingKey> = incidents.iter().map(|inc| SightingKey::new(inc.id.clone(), 0)).collect();
    for inc in &incidents {
        r.resolve(inc);
    }
    let person = r.person_of(&keys[0]).unwrap().to_string();
    assert_eq!(r.person_members(&person).len(), 4);

    let outcome = r.decide(split(&[&keys[3], &keys[1]])).expect("the split applies");
    assert_eq!(outcome.splits.len(), 1);
    assert_eq!(outcome.splits[0].from, person);
    let new_id = outcome.splits[0].new_ids[0].clone();
    assert_ne!(new_id, person);
    assert_eq!(outcome.relinked, vec![(keys[1].clone(), new_id.clone()), (keys[3].clone(), new_id.clone())]);
    assert_eq!(r.person_members(&new_id), vec![keys[1].clone(), keys[3].clone()], "together, as one person");
    assert_eq!(r.person_members(&person), vec![keys[0].clone(), keys[2].clone()]);
    // Their links show the analyst's verdict.
    let replayed = r.resolve(&incidents[1]);
    assert_eq!(replayed.persons[0].entity_id, new_id);
    assert_eq!(replayed.persons[0].decision, LinkDecision::AnalystRejected);
    assert!(!r.resolve(&incidents[0]).persons[0].decision.is_analysts(), "those left were not decided about");

    // The two stay apart when more sightings of the name arrive.
    for i in 4..7 {
        r.resolve(&callum(&format!("R{i}"), i * 3));
    }
    assert_ne!(r.canonical_person(&person), r.canonical_person(&new_id));
    assert_eq!(r.stats().splits, 1);
}

#[test]
fn a_split_is_refused_when_it_would_empty_the_person_or_mixes_persons_or_names_nothing() {
    let mut r = resolver();
    let a: Vec<SightingKey> = (0..2)
        .map(|i| {
            let inc = callum(&format!("A{i}"), i);
            r.resolve(&inc);
            SightingKey::new(inc.id, 0)
        })
        .collect();
    let other = incident("B0", "kent", 5, vec![named("Ashley", "Brennan", Some("1987-03-03"))], vec![]);
    r.resolve(&other);
    let b = SightingKey::new(other.id.clone(), 0);
    let before = r.take_changes();
    assert!(!before.is_empty());

    let conflict = |result: Result<_, DecisionError>, words: &str| match result {
        Err(DecisionError::Conflict(message)) => assert!(message.contains(words), "{message}"),
        other => panic!("expected a conflict about {words}: {other:?}"),
    };
    conflict(r.decide(split(&[&a[0], &a[1]])), "all of");
    conflict(r.decide(split(&[&a[0], &b])), "different entities");
    conflict(r.decide(split(&[])), "at least one sighting");
    let unknown = SightingKey::new(other.id.clone(), 7);
    assert_eq!(r.decide(split(&[&unknown])), Err(DecisionError::UnknownSighting(unknown)));
    assert!(r.take_changes().is_empty(), "a refused decision changes nothing");
    assert_eq!(r.person_members(&r.person_of(&a[0]).unwrap().to_string()).len(), 2);
}

#[test]
fn rejecting_a_possible_match_marks_it_reviewed_and_keeps_it_apart_for_good() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let mut store = Store::default();
    let first = r.resolve(&callum("R1", 0)).persons[0].entity_id.clone();
    let mut vague = named("Cal", "Fairweather", Some("1996"));
    vague.sex = Sex::Male;
    let queued_incident = incident("R2", "kent", 1, vec![vague.clone()], vec![]);
    let queued = r.resolve(&queued_incident).persons[0].clone();
    assert_eq!(queued.decision, LinkDecision::PossibleMatch);
    assert_eq!(queued.candidate.as_deref(), Some(first.as_str()));
    assert_eq!(r.stats().possible_matches_open, 1);

    let key = SightingKey::new(queued_incident.id.clone(), 0);
    let outcome = r
        .decide(AnalystDecision::RejectSighting {
            sighting: key.clone(),
            entity: first.clone(),
            analyst: "a.analyst".into(),
            reason: "different man on CCTV".into(),
        })
        .expect("the rejection applies");
    assert!(outcome.splits.is_empty() && outcome.relinked.is_empty(), "it was never in the candidate");
    let reviewed = r.resolve(&queued_incident).persons[0].clone();
    assert_eq!(reviewed.decision, LinkDecision::AnalystRejected);
    assert_eq!(reviewed.candidate, None, "nothing left to review");
    assert_eq!(reviewed.entity_id, queued.entity_id);
    assert_eq!(reviewed.evidence, queued.evidence, "the evidence stays");
    assert_eq!(r.stats().possible_matches_open, 0);

    // Restored, the resolver answers with the verdict too.
    store.apply(r.take_changes());
    let mut restored = Resolver::restore(config, store.records()).expect("restores");
    assert_eq!(restored.resolve(&queued_incident).persons[0], reviewed);

    // Sightings like the rejected one, or like both, never bring it into the candidate's person.
    for (i, sighting) in [vague.clone(), vague, named("Cal", "Fairweather", Some("1996-12-01"))].into_iter().enumerate()
    {
        restored.resolve(&incident(&format!("R{}", 3 + i), "kent", 2 + i as i64, vec![sighting], vec![]));
    }
    assert_ne!(restored.person_of(&key).unwrap().as_str(), restored.canonical_person(&first).unwrap().as_str());
}
