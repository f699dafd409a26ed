//! Decisions from the decisions log: found through their anchors, answered with relinks that carry
//! the result, kept waiting for sightings not yet resolved, applied once per decision id.

mod common;

use common::store::Store;
use common::*;
use orca_model::{
    DecisionEvent, DecisionKind, EntityKind, EntityRef, Incident, LinkDecision, PersonSighting, SightingKey,
};
use orca_resolve::{Resolver, ResolverConfig};

fn event(id: &str, kind: DecisionKind) -> DecisionEvent {
    DecisionEvent {
        decision_id: id.to_owned(),
        kind,
        entity_kind: EntityKind::Person,
        sighting: None,
        entity: None,
        other: None,
        sightings: Vec::new(),
        reason: "seen on CCTV".into(),
        analyst_key_id: "K-1".into(),
        analyst: "a.analyst".into(),
        decided_at: None,
    }
}

fn entity(id: &str, anchor: Option<&SightingKey>) -> Option<EntityRef> {
    Some(EntityRef { entity_id: id.to_owned(), anchor: anchor.cloned() })
}

fn callum() -> PersonSighting {
    named("Callum", "Fairweather", Some("1996-12-01"))
}

/// Resolves one-person incidents and returns their sighting keys.
fn resolve_all(r: &mut Resolver, incidents: &[Incident]) -> Vec<SightingKey> {
    incidents
        .iter()
        .map(|inc| {
            r.resolve(inc);
            SightingKey::new(inc.id.clone(), 0)
        })
        .collect()
}

fn spree(prefix: &str, count: i64) -> Vec<Incident> {
    (0..count).map(|i| incident(&format!("{prefix}{i}"), "kent", i * 2, vec![callum()], vec![])).collect()
}

#[test]
fn a_split_is_answered_with_relinks_of_current_ids_the_first_carrying_the_result() {
    let mut r = resolver();
    let incidents = spree("R", 4);
    let keys = resolve_all(&mut r, &incidents);
    let person = r.person_of(&keys[0]).unwrap().to_string();

    let mut split = event("D-1", DecisionKind::Split);
    split.entity = entity(&person, Some(&keys[0]));
    split.sightings = vec![keys[2].clone(), keys[1].clone()];
    let relinks = r.apply_event(&split);

    let new_id = r.person_of(&keys[1]).unwrap().to_string();
    assert_ne!(new_id, person);
    let order: Vec<&str> = relinks.iter().map(|res| res.incident_id.as_str()).collect();
    assert_eq!(order, [keys[2].incident.as_str(), keys[1].incident.as_str()], "the subject first, then by number");
    assert!(relinks.iter().all(|res| res.is_relink()));
    let result = &relinks[0].decisions;
    assert_eq!(result.len(), 1);
    assert!(result[0].applied);
    assert_eq!(result[0].decision_id, "D-1");
    assert_eq!(result[0].message, format!("sightings {}, {} split from {person} into {new_id}", keys[1], keys[2]));
    assert_eq!(relinks[0].splits.len(), 1);
    assert!(relinks[1].decisions.is_empty() && relinks[1].splits.is_empty());
    for relink in &relinks {
        assert_eq!(relink.persons[0].entity_id, new_id);
        assert_eq!(relink.persons[0].decision, LinkDecision::AnalystRejected);
    }
    assert_eq!(r.decision_result("D-1"), Some(&result[0]));
}

#[test]
fn an_anchor_finds_the_entity_it_is_in_now_whatever_id_the_analyst_saw() {
    let mut r = resolver();
    // A marked sighting and a named one merge through a sighting with both: the marked one's id
    // now redirects to the named person.
    let named_key = resolve_all(&mut r, &[incident("N1", "kent", 0, vec![callum()], vec![])])[0].clone();
    let mut marked =
        described(orca_model::Sex::Male, orca_model::AgeBand::From25To34, (175, 185), orca_model::Build::Medium, "");
    marked.marker_code = Some("SW-1234".into());
    let marked_key = resolve_all(&mut r, &[incident("M1", "kent", 1, vec![marked], vec![])])[0].clone();
    let marked_id = r.person_of(&marked_key).unwrap().to_string();
    let mut bridge = callum();
    bridge.marker_code = Some("SW1234".into());
    let bridge_key = resolve_all(&mut r, &[incident("B1", "kent", 2, vec![bridge], vec![])])[0].clone();
    let person = r.person_of(&named_key).unwrap().to_string();
    assert_eq!(r.person_of(&marked_key).unwrap().as_str(), person, "merged");
    assert_ne!(marked_id, person);

    // The analyst confirms the bridge as the person they saw under an id that no longer exists.
    let mut confirm = event("D-2", DecisionKind::ConfirmMatch);
    confirm.sighting = Some(bridge_key.clone());
    confirm.entity = entity("P00000077", Some(&marked_key));
    let relinks = r.apply_event(&confirm);
    assert!(relinks[0].decisions[0].applied, "{:?}", relinks[0].decisions);
    assert_eq!(relinks[0].incident_id, bridge_key.incident);
    assert_eq!(relinks[0].persons[0].entity_id, person, "the canonical id, not the one first linked");
    assert_eq!(relinks[0].persons[0].decision, LinkDecision::AnalystConfirmed);
    assert_eq!(relinks.len(), 1, "nothing else moved");

    // The marked sighting's own incident, replayed, names the canonical id too.
    let replay = r.resolve(&incident("M1", "kent", 1, vec![], vec![]));
    assert_eq!(replay.persons[0].entity_id, person);

    // Without an anchor the id is taken as given.
    let mut reject = event("D-3", DecisionKind::RejectMatch);
    reject.sighting = Some(bridge_key);
    reject.entity = entity("P00000077", None);
    let refused = r.apply_event(&reject);
    assert!(!refused[0].decisions[0].applied);
    assert_eq!(refused[0].decisions[0].message, "entity `P00000077` does not exist");
}

#[test]
fn a_decision_about_an_incident_not_yet_resolved_waits_for_it_even_across_a_restart() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let mut store = Store::default();
    let incidents = spree("R", 3);
    let keys = resolve_all(&mut r, &incidents[..2]);
    let person = r.person_of(&keys[0]).unwrap().to_string();
    let late = SightingKey::new(incidents[2].id.clone(), 0);

    let mut reject = event("D-4", DecisionKind::RejectMatch);
    reject.sighting = Some(late.clone());
    reject.entity = entity(&person, Some(&keys[0]));
    assert!(r.apply_event(&reject).is_empty(), "nothing to answer yet");
    assert_eq!(r.waiting_decisions(), 1);
    assert_eq!(r.stats().decisions_waiting, 1);
    assert!(r.take_ready_decisions().is_empty());
    assert!(r.apply_event(&reject).is_empty(), "a redelivery while waiting is not kept twice");
    store.apply(r.take_changes());
    assert_eq!(store.keys("resolve.pending-decision").len(), 1);

    let mut restored = Resolver::restore(config.clone(), store.records()).expect("restores");
    assert_eq!(restored.waiting_decisions(), 1);
    assert_eq!(restored.resolve(&incidents[2]).persons[0].entity_id, person, "it links as usual first");
    let relinks = restored.take_ready_decisions();
    assert_eq!(relinks.len(), 1);
    assert_eq!(relinks[0].incident_id, late.incident);
    assert!(relinks[0].decisions[0].applied);
    let split_id = relinks[0].splits[0].new_ids[0].clone();
    assert_eq!(relinks[0].persons[0].entity_id, split_id);
    assert_eq!(relinks[0].decisions[0].message, format!("sighting {late} split from {person} into {split_id}"));
    assert_eq!(restored.waiting_decisions(), 0);
    assert!(restored.take_ready_decisions().is_empty());

    store.apply(restored.take_changes());
    assert!(store.keys("resolve.pending-decision").is_empty(), "forgotten once applied");
    let again = Resolver::restore(config, store.records()).expect("restores");
    assert_eq!(again.waiting_decisions(), 0);
    assert_eq!(again.person_of(&late).unwrap().as_str(), split_id);
    assert_eq!(again.decision_result("D-4"), restored.decision_result("D-4"));
}

#[test]
fn a_redelivered_decision_changes_nothing_even_after_a_restart() {
    let config = ResolverConfig::default();
    let mut r = Resolver::new(config.clone());
    let mut store = Store::default();
    let keys = resolve_all(&mut r, &spree("R", 3));
    let person = r.person_of(&keys[0]).unwrap().to_string();
    let mut reject = event("D-5", DecisionKind::RejectMatch);
    reject.sighting = Some(keys[1].clone());
    reject.entity = entity(&person, Some(&keys[0]));
    assert_eq!(r.apply_event(&reject).len(), 1);
    let split_id = r.person_of(&keys[1]).unwrap().to_string();
    store.apply(r.take_changes());

    assert!(r.apply_event(&reject).is_empty());
    assert!(r.take_changes().is_empty(), "no state change");
    let mut restored = Resolver::restore(config, store.records()).expect("restores");
    assert!(restored.apply_event(&reject).is_empty());
    assert!(restored.take_changes().is_empty());
    assert_eq!(restored.person_of(&keys[1]).unwrap().as_str(), split_id, "not split a second time");
    assert_eq!(restored.stats().splits, 1);
}

#[test]
fn a_refused_decision_is_answered_with_the_reason_and_changes_no_link() {
    let mut r = resolver();
    let keys = resolve_all(&mut r, &spree("R", 1));
    let person = r.person_of(&keys[0]).unwrap().to_string();
    r.take_changes();

    let mut reject = event("D-6", DecisionKind::RejectMatch);
    reject.sighting = Some(keys[0].clone());
    reject.entity = entity(&person, Some(&keys[0]));
    let relinks = r.apply_event(&reject);
    assert_eq!(relinks.len(), 1, "the analyst learns the outcome");
    let result = &relinks[0].decisions[0];
    assert!(!result.applied);
    assert!(result.message.contains("only sighting"), "{}", result.message);
    assert_eq!(relinks[0].persons[0].entity_id, person);
    assert_eq!(relinks[0].persons[0].decision, LinkDecision::NewEntity, "the link is unchanged");
    let changes = r.take_changes();
    assert!(changes.iter().all(|c| c.namespace == "resolve.decision" || c.namespace == "resolve.meta"), "{changes:?}");
    assert!(changes.iter().any(|c| c.namespace == "resolve.decision"), "recorded all the same");
    assert_eq!(r.stats().analyst_decisions, 1);

    // A decision naming a sighting its incident does not have is refused, not kept waiting.
    let mut confirm = event("D-7", DecisionKind::ConfirmMatch);
    confirm.sighting = Some(SightingKey::new(keys[0].incident.clone(), 3));
    confirm.entity = entity(&person, Some(&keys[0]));
    let relinks = r.apply_event(&confirm);
    assert!(!relinks[0].decisions[0].applied);
    assert!(relinks[0].decisions[0].message.contains("has not been resolved"), "{}", relinks[0].decisions[0].message);
    assert_eq!(r.waiting_decisions(), 0);
}

#[test]
fn a_merge_joins_two_persons_named_through_their_anchors() {
    let mut r = resolver();
    let ashley =
        resolve_all(&mut r, &[incident("A1", "kent", 0, vec![named("Ashley", "Brennan", Some("1987-03-03"))], vec![])]);
    let callum = resolve_all(&mut r, &spree("C", 1));
    let (a, c) = (r.person_of(&ashley[0]).unwrap().to_string(), r.person_of(&callum[0]).unwrap().to_string());
    let mut merge = event("D-8", DecisionKind::Merge);
    merge.entity = entity(&c, Some(&callum[0]));
    merge.other = entity(&a, Some(&ashley[0]));
    let relinks = r.apply_event(&merge);
    assert_eq!(relinks.len(), 1);
    assert_eq!(relinks[0].incident_id, callum[0].incident, "the first entity's anchor is the subject");
    assert_eq!(relinks[0].merges.len(), 1);
    assert_eq!(relinks[0].persons[0].entity_id, a, "the older id survives");
    assert_eq!(relinks[0].decisions[0].message, format!("{c} merged into {a}"));
    assert_eq!(r.person_of(&callum[0]), r.person_of(&ashley[0]));
}

#[test]
fn decisions_beyond_the_waiting_cap_are_refused_with_the_reason() {
    let mut r = Resolver::new(ResolverConfig { max_waiting_decisions: 2, ..ResolverConfig::default() });
    let keys = resolve_all(&mut r, &spree("R", 1));
    let person = r.person_of(&keys[0]).unwrap().to_string();
    let waiting_for = |id: &str, reference: &str| {
        let mut confirm = event(id, DecisionKind::ConfirmMatch);
        confirm.sighting = Some(SightingKey::new(incident(reference, "kent", 9, vec![], vec![]).id, 0));
        confirm.entity = entity(&person, Some(&keys[0]));
        confirm
    };
    assert!(r.apply_event(&waiting_for("D-9", "LATE-1")).is_empty());
    assert!(r.apply_event(&waiting_for("D-10", "LATE-2")).is_empty());
    let refused = r.apply_event(&waiting_for("D-11", "LATE-3"));
    assert_eq!(r.waiting_decisions(), 2);
    assert_eq!(refused.len(), 1);
    assert!(refused[0].persons.is_empty(), "the resolver knows nothing of that incident");
    assert!(!refused[0].decisions[0].applied);
    assert!(
        refused[0].decisions[0].message.starts_with("2 decisions are already waiting"),
        "{:?}",
        refused[0].decisions
    );
    assert!(r.apply_event(&waiting_for("D-11", "LATE-3")).is_empty(), "refused once and for all");
}
