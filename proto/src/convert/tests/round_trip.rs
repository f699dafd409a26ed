//! Everything the model holds survives a trip to the wire and back, in binary and in JSON.

use super::{rich_incident, rich_package, rich_resolution};
use crate::convert::json::{incident_from_json_line, incident_to_json_line};
use crate::convert::*;
use orca_model::vrm::VrmFormat;
use orca_model::{Grade, Problem};
use prost::Message;

#[test]
fn normalised_incident_survives_the_wire_unchanged() {
    let incident = rich_incident();
    // The fixture exercises what ingest sets, not just what retailers send.
    assert!(incident.id.as_str().starts_with("INC-"));
    assert_eq!(incident.force.as_str(), "west-midlands");
    assert_eq!(incident.vehicles[1].format, VrmFormat::Unrecognised);
    assert!(!incident.vehicles[1].candidates.is_empty(), "a misread plate gets candidates");
    assert_eq!(incident.warnings.len(), 1);
    assert_eq!(incident.persons[0].marker_code.as_deref(), Some("SW123AB"));

    let proto = incident_to_proto(&incident);
    assert_eq!(incident_from_proto(proto.clone()), Ok(incident.clone()));

    let bytes = proto.encode_to_vec();
    let decoded = crate::v1::Incident::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(incident_from_proto(decoded), Ok(incident.clone()));

    let line = incident_to_json_line(&proto).expect("prints");
    assert!(!line.contains('\n'), "one record per line");
    let parsed = incident_from_json_line(&line).expect("reparses");
    assert_eq!(incident_from_proto(parsed), Ok(incident));
}

#[test]
fn resolution_survives_the_wire_unchanged() {
    let resolution = rich_resolution();
    let proto = resolution_to_proto(&resolution);
    let decoded = crate::v1::Resolution::decode(proto.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(resolution_from_proto(decoded), Ok(resolution));
}

#[test]
fn a_relink_survives_the_wire_without_its_incident_and_only_a_relink_may_omit_it() {
    let mut relink = rich_resolution();
    relink.incident = None;
    let proto = resolution_to_proto(&relink);
    assert!(proto.relink && proto.incident.is_none());
    let decoded = crate::v1::Resolution::decode(proto.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(resolution_from_proto(decoded), Ok(relink));

    let mut incomplete = resolution_to_proto(&rich_resolution());
    incomplete.incident = None;
    assert_eq!(resolution_from_proto(incomplete).expect_err("no incident").field, "incident");
    let mut confused = resolution_to_proto(&rich_resolution());
    confused.relink = true;
    assert_eq!(resolution_from_proto(confused).expect_err("a relink with an incident").field, "incident");
}

#[test]
fn an_analyst_decision_survives_the_wire_unchanged_and_names_what_it_lacks() {
    use orca_model::{DecisionEvent, DecisionKind, EntityKind, EntityRef, SightingKey};
    let key = |incident: &str, index| SightingKey::new(incident.into(), index);
    let split = DecisionEvent {
        decision_id: "D-0001".into(),
        kind: DecisionKind::Split,
        entity_kind: EntityKind::Person,
        sighting: None,
        entity: Some(EntityRef { entity_id: "P00000003".into(), anchor: Some(key("INC-a", 2)) }),
        other: None,
        sightings: vec![key("INC-b", 2), key("INC-c", 0)],
        reason: "a younger man on the CCTV".into(),
        analyst_key_id: "K-9".into(),
        analyst: "a.analyst".into(),
        decided_at: Some(super::at("2026-03-04T09:00:00Z")),
    };
    let decoded = crate::v1::AnalystDecision::decode(decision_to_proto(&split).encode_to_vec().as_slice()).unwrap();
    assert_eq!(decision_from_proto(decoded), Ok(split.clone()));
    assert_eq!(split.subject_incident().map(|id| id.as_str()), Some("INC-b"));

    let mut nothing_to_split = decision_to_proto(&split);
    nothing_to_split.sightings.clear();
    assert_eq!(decision_from_proto(nothing_to_split).expect_err("no sightings").field, "sightings");
}

#[test]
fn package_survives_the_wire_unchanged() {
    let package = rich_package();
    let proto = package_to_proto(&package);
    let decoded = crate::v1::IntelligencePackage::decode(proto.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(package_from_proto(decoded), Ok(package.clone()));

    let json = serde_json::to_string(&proto).expect("prints");
    let parsed: crate::v1::IntelligencePackage = serde_json::from_str(&json).expect("reparses");
    assert_eq!(package_from_proto(parsed), Ok(package));
}

#[test]
fn package_without_grade_score_or_provenance_reads_as_defaults() {
    let mut proto = package_to_proto(&rich_package());
    (proto.grade, proto.score, proto.provenance) = (None, None, None);
    let package = package_from_proto(proto).expect("reads");
    assert_eq!(package.grade, Grade::default());
    assert_eq!(package.score, Default::default());
    assert_eq!(package.provenance, Default::default());
}

#[test]
fn field_problems_map_both_ways() {
    let problem = Problem::new("vehicles[0].vrm_raw", "unrecognised-vrm", "`0O` is not a mark");
    let proto = problem_to_proto(&problem);
    assert_eq!((proto.field.as_str(), proto.code.as_str()), ("vehicles[0].vrm_raw", "unrecognised-vrm"));
    assert_eq!(problem_from_proto(proto), problem);
}

#[test]
fn timestamps_keep_nanoseconds_and_reject_what_proto_cannot_hold() {
    let time = super::at("2026-03-01T10:15:00.123456789Z");
    let proto = timestamp_to_proto(time);
    assert_eq!((proto.seconds, proto.nanos), (1_772_360_100, 123_456_789));
    assert_eq!(timestamp_from_proto(&proto), Ok(time));

    let earliest = pbjson_types::Timestamp { seconds: MIN_TIMESTAMP_SECONDS, nanos: 0 };
    assert_eq!(timestamp_from_proto(&earliest).expect("valid").to_rfc3339(), "0001-01-01T00:00:00+00:00");
    let too_early = pbjson_types::Timestamp { seconds: MIN_TIMESTAMP_SECONDS - 1, nanos: 0 };
    assert!(timestamp_from_proto(&too_early).is_err());
    let leap_nanos = pbjson_types::Timestamp { seconds: 0, nanos: 1_000_000_000 };
    assert!(timestamp_from_proto(&leap_nanos).is_err());
}
