//! The stage on hand-made records: incidents and decisions in, resolutions and relinks out.

use super::*;
use orca_model::{
    DecisionEvent, DecisionKind, EntityKind, EntityRef, Incident, IncidentId, PersonRole, PersonSighting, Resolution,
    SightingKey,
};

fn stage() -> ResolverStage {
    ResolverStage { resolver: Resolver::new(ResolverConfig::default()) }
}

fn record(topic: &str, offset: u64, key: &str, value: Vec<u8>) -> Record {
    Record {
        topic: topic.to_owned(),
        partition: 0,
        offset,
        key: key.as_bytes().to_vec(),
        value,
        headers: Vec::new(),
        timestamp_ms: 0,
    }
}

/// An incident with one named suspect, as ingest would write it.
fn incident(reference: &str, day: u32) -> (IncidentId, Record) {
    let retailer = "northmart".into();
    let incident = Incident {
        id: IncidentId::derive(&retailer, reference),
        retailer,
        retailer_ref: reference.to_owned(),
        store: "NM-0001".into(),
        force: "kent".into(),
        occurred_from: Some(chrono::DateTime::from_timestamp(1_750_000_000 + i64::from(day) * 86_400, 0).unwrap()),
        persons: vec![PersonSighting {
            role: PersonRole::Suspect,
            given_names: "Callum".into(),
            family_name: "Fairweather".into(),
            date_of_birth: Some(orca_model::PartialDate::parse("1996-12-01").unwrap()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let value = convert::incident_to_proto(&incident).encode_to_vec();
    (incident.id.clone(), record(topics::INCIDENTS, u64::from(day), incident.id.as_str(), value))
}

/// A rejection of an incident's suspect as the person of another incident's suspect.
fn reject(id: &str, sighting: &IncidentId, anchor: &IncidentId, offset: u64) -> Record {
    let event = DecisionEvent {
        decision_id: id.to_owned(),
        kind: DecisionKind::RejectMatch,
        entity_kind: EntityKind::Person,
        sighting: Some(SightingKey::new(sighting.clone(), 0)),
        entity: Some(EntityRef { entity_id: "P00000001".into(), anchor: Some(SightingKey::new(anchor.clone(), 0)) }),
        other: None,
        sightings: Vec::new(),
        reason: "a different man on CCTV".into(),
        analyst_key_id: "K-1".into(),
        analyst: "a.analyst".into(),
        decided_at: None,
    };
    record(topics::DECISIONS, offset, sighting.as_str(), convert::decision_to_proto(&event).encode_to_vec())
}

fn resolutions(batch: &Batch) -> Vec<Resolution> {
    assert!(batch.dead_letters.is_empty(), "{:?}", batch.dead_letters);
    (batch.outputs.iter())
        .map(|out| {
            assert_eq!(out.topic, topics::RESOLUTIONS);
            let resolution = orca_proto::v1::Resolution::decode(out.value.as_slice()).expect("a resolution");
            let resolution = convert::resolution_from_proto(resolution).expect("readable");
            assert_eq!(out.key, resolution.incident_id.as_str().as_bytes(), "keyed by incident id");
            resolution
        })
        .collect()
}

#[test]
fn the_stage_reads_incidents_and_decisions() {
    assert_eq!(stage().input_topics(), [topics::INCIDENTS, topics::DECISIONS]);
}

#[test]
fn a_decision_record_is_answered_with_a_relink_on_the_resolutions_topic() {
    let mut stage = stage();
    let (first, first_record) = incident("R1", 0);
    let (second, second_record) = incident("R2", 1);
    let batch = stage.process(&[first_record, second_record, reject("D-1", &second, &first, 0)]);
    let out = resolutions(&batch);

    assert_eq!(out.len(), 3, "two resolutions, then the relink");
    assert_eq!(out[0].persons[0].entity_id, out[1].persons[0].entity_id, "the same man, until the analyst says not");
    let relink = &out[2];
    assert!(relink.is_relink());
    assert_eq!(relink.incident_id, second);
    assert_eq!(relink.decisions.len(), 1);
    assert!(relink.decisions[0].applied, "{:?}", relink.decisions);
    assert_eq!(relink.splits.len(), 1);
    assert_ne!(relink.persons[0].entity_id, out[0].persons[0].entity_id, "split off");
    assert!(batch.state.iter().any(|c| c.namespace == "resolve.decision"), "the decision is kept with the offsets");

    // Redelivered, the decision changes nothing.
    let again = stage.process(&[reject("D-1", &second, &first, 0)]);
    assert!(again.outputs.is_empty() && again.dead_letters.is_empty());
}

#[test]
fn a_decision_read_before_its_incident_is_answered_right_after_the_incident() {
    let mut stage = stage();
    let (first, first_record) = incident("R1", 0);
    let (second, second_record) = incident("R2", 1);
    let waiting = stage.process(&[first_record, reject("D-2", &second, &first, 0)]);
    assert_eq!(resolutions(&waiting).len(), 1, "only the first incident's resolution");
    assert!(waiting.state.iter().any(|c| c.namespace == "resolve.pending-decision"), "the waiting decision is kept");

    let out = resolutions(&stage.process(&[second_record]));
    assert_eq!(out.len(), 2);
    assert!(!out[0].is_relink() && out[0].incident_id == second);
    assert!(out[1].is_relink() && out[1].incident_id == second);
    assert_eq!(out[1].decisions[0].decision_id, "D-2");
    assert!(out[1].decisions[0].applied);
}

#[test]
fn unreadable_decisions_go_to_the_dead_letters_with_the_reason() {
    let mut stage = stage();
    let garbage = record(topics::DECISIONS, 0, "INC-x", vec![0xff, 0xff, 0xff]);
    let nameless = orca_proto::v1::AnalystDecision {
        kind: orca_proto::v1::DecisionKind::RejectMatch as i32,
        entity_kind: orca_proto::v1::EntityKind::Person as i32,
        ..Default::default()
    };
    let nameless = record(topics::DECISIONS, 1, "INC-x", nameless.encode_to_vec());
    let batch = stage.process(&[garbage, nameless]);

    assert!(batch.outputs.is_empty());
    let errors: Vec<&str> = batch.dead_letters.iter().map(|d| d.error.as_str()).collect();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].starts_with("not an `orca.v1.AnalystDecision`"), "{}", errors[0]);
    assert!(errors[1].starts_with("invalid decision") && errors[1].contains("decision_id"), "{}", errors[1]);
}
