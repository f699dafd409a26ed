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
    suspect(reference, day, ("Callum", "Fairweather", "1996-12-01"))
}

/// An incident with the suspect named (given names, family name, date of birth).
fn suspect(reference: &str, day: u32, (given, family, born): (&str, &str, &str)) -> (IncidentId, Record) {
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
            given_names: given.into(),
            family_name: family.into(),
            date_of_birth: Some(orca_model::PartialDate::parse(born).unwrap()),
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

/// The resolutions a batch appended, each checked to be under its key: a report's resolution by
/// incident id, a relink by `<id>#relink`, merges and splits by `entities:…`, a decision's result
/// by `decision:<id>` (these two with no incident and nothing else).
fn resolutions(batch: &Batch) -> Vec<Resolution> {
    assert!(batch.dead_letters.is_empty(), "{:?}", batch.dead_letters);
    (batch.outputs.iter())
        .filter(|out| !out.value.is_empty())
        .map(|out| {
            assert_eq!(out.topic, topics::RESOLUTIONS);
            let resolution = decode(&out.value);
            let key = String::from_utf8(out.key.to_vec()).expect("utf-8 key");
            let id = resolution.incident_id.as_str();
            if id.is_empty() {
                assert!(
                    resolution.persons.is_empty() && resolution.vehicles.is_empty() && resolution.incident.is_none()
                );
                match resolution.decisions.as_slice() {
                    [] => assert!(key.starts_with("entities:merge/") || key.starts_with("entities:split/"), "{key}"),
                    [result] => assert_eq!(key, format!("decision:{}", result.decision_id)),
                    more => panic!("one result per record, not {}", more.len()),
                }
            } else {
                assert!(
                    resolution.merges.is_empty() && resolution.splits.is_empty() && resolution.decisions.is_empty()
                );
                assert_eq!(key, if resolution.is_relink() { format!("{id}#relink") } else { id.to_owned() });
            }
            resolution
        })
        .collect()
}

fn decode(value: &[u8]) -> Resolution {
    let resolution = orca_proto::v1::Resolution::decode(value).expect("a resolution");
    convert::resolution_from_proto(resolution).expect("readable")
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

    assert_eq!(out.len(), 5, "two resolutions, the split, the relink, then the decision's result: {out:#?}");
    assert_eq!(out[0].persons[0].entity_id, out[1].persons[0].entity_id, "the same man, until the analyst says not");
    assert_eq!(out[2].splits.len(), 1);
    let relink = &out[3];
    assert!(relink.is_relink());
    assert_eq!(relink.incident_id, second);
    assert_ne!(relink.persons[0].entity_id, out[0].persons[0].entity_id, "split off");
    assert_eq!(out[4].decisions.len(), 1);
    assert!(out[4].decisions[0].applied, "{:?}", out[4].decisions);
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
    assert_eq!(out.len(), 4, "{out:#?}");
    assert!(!out[0].is_relink() && out[0].incident_id == second);
    assert_eq!(out[1].splits.len(), 1);
    assert!(out[2].is_relink() && out[2].incident_id == second);
    assert_eq!(out[3].decisions[0].decision_id, "D-2");
    assert!(out[3].decisions[0].applied);
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

/// An analyst's merge of the person of one incident's suspect with the person of another's.
fn merge(id: &str, (a, a_anchor): (&str, &IncidentId), (b, b_anchor): (&str, &IncidentId), offset: u64) -> Record {
    let entity = |entity: &str, anchor: &IncidentId| EntityRef {
        entity_id: entity.into(),
        anchor: Some(SightingKey::new(anchor.clone(), 0)),
    };
    let event = DecisionEvent {
        decision_id: id.to_owned(),
        kind: DecisionKind::Merge,
        entity_kind: EntityKind::Person,
        sighting: None,
        entity: Some(entity(a, a_anchor)),
        other: Some(entity(b, b_anchor)),
        sightings: Vec::new(),
        reason: "the same man on CCTV".into(),
        analyst_key_id: "K-1".into(),
        analyst: "a.analyst".into(),
        decided_at: None,
    };
    record(topics::DECISIONS, offset, a_anchor.as_str(), convert::decision_to_proto(&event).encode_to_vec())
}

/// The next revision of an incident record, with the retailer's reason.
fn corrected(mut record: Record, revision: u32, offset: u64) -> Record {
    let mut proto = orca_proto::v1::Incident::decode(record.value.as_slice()).expect("an incident");
    proto.revision = revision;
    proto.correction_reason = "wrong store".into();
    record.value = proto.encode_to_vec();
    record.offset = offset;
    record
}

/// The disposal of an incident under the retention schedule, as ingest writes it.
fn disposal(id: &IncidentId, offset: u64) -> Record {
    let withdrawal = orca_model::Withdrawal {
        incident_id: id.clone(),
        retailer: "northmart".into(),
        reason: "review date passed".into(),
        disposed: true,
        ..Default::default()
    };
    let mut record =
        record(topics::INCIDENTS, offset, id.as_str(), convert::withdrawal_to_proto(&withdrawal).encode_to_vec());
    record.headers.push((topics::RECORD_KIND.to_owned(), topics::WITHDRAWAL.as_bytes().to_vec()));
    record
}

/// What a compacted topic keeps of `outputs`: the latest record under each key, in log order,
/// without null tombstones (as a reader starting from the beginning reads it once compaction ran).
fn compacted(outputs: &[OutRecord]) -> Vec<OutRecord> {
    let latest: std::collections::HashMap<&[u8], usize> =
        outputs.iter().enumerate().map(|(at, out)| (&out.key[..], at)).collect();
    (outputs.iter().enumerate())
        .filter(|(at, out)| latest[&out.key[..]] == *at && !out.value.is_empty())
        .map(|(_, out)| out.clone())
        .collect()
}

/// The person of every suspect sighting, as a linker reading `records` from the beginning has it.
fn persons_read_from(records: &[OutRecord], incidents: &[&IncidentId]) -> Vec<Option<String>> {
    let mut linker = orca_network::Linker::new(orca_network::LinkerConfig::default());
    for out in records.iter().filter(|out| !out.value.is_empty()) {
        linker.apply(&decode(&out.value));
    }
    incidents.iter().map(|id| linker.person_of_sighting(id, 0).map(|p| p.to_string())).collect()
}

#[test]
fn the_compacted_resolutions_topic_tells_a_replay_what_the_whole_topic_did_and_nothing_of_a_disposed_report() {
    let mut stage = stage();
    let kyle = ("Kyle", "Brennan", "1988-03-14");
    let (callum, callum_record) = incident("R1", 0);
    let (kyle_first, kyle_first_record) = suspect("R2", 1, kyle);
    let (kyle_again, kyle_again_record) = suspect("R3", 2, kyle);
    let (kyle_last, kyle_last_record) = suspect("R4", 3, kyle);
    let mut outputs = Vec::new();
    let first = stage.process(&[callum_record.clone(), kyle_first_record, kyle_again_record, kyle_last_record]);
    let out = resolutions(&first);
    let (p_callum, p_kyle) = (out[0].persons[0].entity_id.clone(), out[1].persons[0].entity_id.clone());
    assert_ne!(p_callum, p_kyle, "two men, until an analyst says they are one");
    assert_eq!(out[2].persons[0].entity_id, p_kyle);
    outputs.extend(first.outputs);
    // The analyst merges them; the merge's relink is of R1, which its retailer then corrects, and
    // about which an analyst then decides again: R1's resolution and its relink are superseded.
    let merged = stage.process(&[merge("D-M", (&p_callum, &callum), (&p_kyle, &kyle_first), 4)]);
    assert!(resolutions(&merged).iter().any(|r| !r.merges.is_empty()), "the merge is on the topic");
    outputs.extend(merged.outputs);
    outputs.extend(stage.process(&[corrected(callum_record, 2, 5)]).outputs);
    let decided = stage.process(&[reject("D-R", &callum, &kyle_first, 6)]);
    assert!(resolutions(&decided).iter().any(|r| r.is_relink() && r.incident_id == callum), "R1 relinked again");
    outputs.extend(decided.outputs);
    let disposed = stage.process(&[disposal(&kyle_last, 7)]);
    assert_eq!(resolutions(&disposed).len(), 1, "the disposal record, then its null tombstones");
    outputs.extend(disposed.outputs);

    let kept = compacted(&outputs);
    assert!(kept.len() < outputs.len());
    let all = [&callum, &kyle_first, &kyle_again, &kyle_last];
    let whole = persons_read_from(&outputs, &all);
    // Kyle's sightings went to the survivor of the merge (the corrected R1 was resolved afresh).
    assert_eq!(whole[1].as_deref(), Some(p_callum.as_str()), "{whole:?}");
    assert_eq!(whole[1], whole[2]);
    assert_eq!(whole[3], None, "the disposed report is no one's");
    assert_eq!(persons_read_from(&kept, &all), whole, "the compacted topic reads as the whole topic did");
    let mention = kyle_last.as_str().as_bytes();
    let mentions = |out: &&OutRecord| {
        out.key.windows(mention.len()).any(|w| w == mention) || out.value.windows(mention.len()).any(|w| w == mention)
    };
    assert_eq!(kept.iter().filter(mentions).count(), 0, "nothing of the disposed report is kept");
}
