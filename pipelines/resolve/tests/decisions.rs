//! Analysts' decisions bind: rejections split and stay split, confirmations merge.

mod common;

use common::*;
use orca_model::{AgeBand, Build, Sex, SightingKey};
use orca_resolve::{AnalystDecision, DecisionError, Resolver};

fn resolve_one(r: &mut Resolver, reference: &str, day: i64, p: orca_model::PersonSighting) -> (SightingKey, String) {
    let inc = incident(reference, "kent", day, vec![p], vec![]);
    let resolution = r.resolve(&inc);
    (SightingKey::new(inc.id.clone(), 0), resolution.persons[0].entity_id.clone())
}

fn reject(sighting: &SightingKey, entity: &str) -> AnalystDecision {
    AnalystDecision::RejectSighting {
        sighting: sighting.clone(),
        entity: entity.to_owned(),
        analyst: "a.analyst".into(),
        reason: "different person on CCTV".into(),
    }
}

#[test]
fn a_rejected_sighting_is_split_off_and_stays_split_when_more_evidence_arrives() {
    let mut r = resolver();
    let (_, first) = resolve_one(&mut r, "R1", 0, named("Callum", "Fairweather", Some("1996-12-01")));
    let (second_key, second) = resolve_one(&mut r, "R2", 1, named("Callum", "Fairweather", Some("1996-12-01")));
    assert_eq!(first, second);
    let outcome = r.decide(reject(&second_key, &first)).expect("decision applies");
    assert_eq!(outcome.splits.len(), 1);
    assert_eq!(outcome.splits[0].from, first);
    let split_id = outcome.splits[0].new_ids[0].clone();
    assert_ne!(split_id, first);
    assert_eq!(outcome.relinked, vec![(second_key.clone(), split_id.clone())]);
    assert_eq!(r.person_of(&second_key).unwrap().as_str(), split_id);

    // More sightings matching both never merge them again.
    for (i, day) in (2..6).enumerate() {
        let (_, linked) =
            resolve_one(&mut r, &format!("R{}", 3 + i), day, named("Callum", "Fairweather", Some("1996-12-01")));
        assert!(linked == first || linked == split_id, "{linked}");
    }
    assert_ne!(r.canonical_person(&first), r.canonical_person(&split_id));
    assert_eq!(r.stats().splits, 1);
    assert!(r.stats().merges == 0);
}

#[test]
fn confirming_a_possible_match_merges_it_and_rejecting_the_entities_splits_them_again() {
    let mut r = resolver();
    let (_, first) = resolve_one(&mut r, "R1", 0, named("Callum", "Fairweather", Some("1996-12-01")));
    let mut vague = named("Cal", "Fairweather", Some("1996"));
    vague.sex = Sex::Male;
    let (key, second) = resolve_one(&mut r, "R2", 1, vague);
    assert_ne!(first, second, "not enough to link automatically");
    let confirmed = r
        .decide(AnalystDecision::ConfirmSighting {
            sighting: key.clone(),
            entity: first.clone(),
            analyst: "a.analyst".into(),
            reason: "same person on CCTV".into(),
        })
        .expect("confirm applies");
    assert_eq!(confirmed.merges.len(), 1);
    assert_eq!(confirmed.merges[0].survivor, first);
    assert_eq!(r.canonical_person(&second).unwrap().as_str(), first, "the merged id redirects");

    let split = r.decide(AnalystDecision::RejectEntities {
        a: first.clone(),
        b: second.clone(),
        analyst: "b.analyst".into(),
        reason: "second opinion".into(),
    });
    // A later decision overrides an earlier one: the sighting leaves again, under a new id.
    let split = split.expect("the rejection applies");
    assert_eq!(split.relinked.len(), 1);
    assert_eq!(split.relinked[0].0, key);
    assert_ne!(r.person_of(&key).unwrap().as_str(), first);
}

#[test]
fn rejecting_two_merged_entities_restores_them_as_separate_entities_with_lineage() {
    let mut r = resolver();
    let mut marked = described(Sex::Male, AgeBand::From25To34, (175, 185), Build::Medium, "");
    marked.marker_code = Some("SW-999".into());
    let (_, named_id) = resolve_one(&mut r, "R1", 0, named("Ashley", "Brennan", Some("1987-03-03")));
    let (marked_key, marked_id) = resolve_one(&mut r, "R2", 1, marked);
    let mut bridge = named("Ashley", "Brennan", Some("1987-03-03"));
    bridge.marker_code = Some("SW999".into());
    resolve_one(&mut r, "R3", 2, bridge);
    assert_eq!(r.canonical_person(&marked_id).unwrap().as_str(), named_id, "merged through the bridge");

    let outcome = r
        .decide(AnalystDecision::RejectEntities {
            a: named_id.clone(),
            b: marked_id.clone(),
            analyst: "a.analyst".into(),
            reason: "marker belongs to a co-offender".into(),
        })
        .expect("split applies");
    assert_eq!(outcome.splits.len(), 1);
    let new_id = outcome.splits[0].new_ids[0].clone();
    assert_eq!(r.person_of(&marked_key).unwrap().as_str(), new_id);
    assert_eq!(r.canonical_person(&marked_id).unwrap().as_str(), new_id, "the old id follows its sightings");
    // The bridging sighting stays with the named person (it matched them best).
    assert_eq!(r.person_members(&named_id).len(), 2);

    // Another bridge cannot merge them again.
    let mut bridge = named("Ashley", "Brennan", Some("1987-03-03"));
    bridge.marker_code = Some("SW999".into());
    let resolution = r.resolve(&incident("R4", "kent", 3, vec![bridge], vec![]));
    assert!(resolution.merges.is_empty());
    assert_ne!(r.canonical_person(&named_id), r.canonical_person(&new_id));

    // Only an analyst can undo it.
    let undone = r
        .decide(AnalystDecision::ConfirmEntities {
            a: named_id.clone(),
            b: new_id.clone(),
            analyst: "c.analyst".into(),
            reason: "new intelligence".into(),
        })
        .expect("a later decision overrides");
    assert_eq!(undone.merges[0].survivor, named_id);
    assert_eq!(r.canonical_person(&new_id), r.canonical_person(&named_id));
}

#[test]
fn decisions_about_unknown_things_are_clear_errors() {
    let mut r = resolver();
    let (key, id) = resolve_one(&mut r, "R1", 0, named("Ashley", "Brennan", Some("1987-03-03")));
    assert_eq!(r.decide(reject(&key, "P00000077")), Err(DecisionError::UnknownEntity("P00000077".into())));
    let unknown = SightingKey::new("INC-0000000000000000".into(), 0);
    assert_eq!(r.decide(reject(&unknown, &id)), Err(DecisionError::UnknownSighting(unknown.clone())));
    let only = r.decide(reject(&key, &id));
    assert!(matches!(only, Err(DecisionError::Conflict(message)) if message.contains("only sighting")));
    r.resolve(&incident("R2", "kent", 0, vec![], vec![vehicle("AB12CDE", "", "", "")]));
    let mismatch = r.decide(AnalystDecision::ConfirmEntities {
        a: id,
        b: "V00000001".into(),
        analyst: "x".into(),
        reason: "".into(),
    });
    assert!(matches!(mismatch, Err(DecisionError::KindMismatch(_, _))));
}
