//! What a submitted incident can get wrong structurally, each reported with its field path, all at
//! once; and how "not stated" reads.

use super::submitted;
use crate::convert::*;
use crate::v1;
use orca_model::vrm::VrmFormat;
use orca_model::{FaceTemplate, Grade, GradingSystem, PartialDate};
use pbjson_types::Timestamp;

fn problem_of(incident: v1::Incident) -> (String, String, String) {
    let problems = incident_from_proto(incident).expect_err("one problem");
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = problems.into_iter().next().expect("one");
    (p.field, p.code, p.reason)
}

#[test]
fn minimal_submission_converts() {
    let incident = incident_from_proto(submitted()).expect("converts");
    assert_eq!(incident.retailer.as_str(), "northmart");
    assert_eq!(incident.line_items[0].value(), orca_model::Pence::new(3897));
    assert_eq!(incident.grade, Grade::default(), "no grade stated: a retailer's own report, 2/A/P");
}

#[test]
fn unknown_enum_numbers_are_reported_where_they_are() {
    let mut incident = submitted();
    incident.persons[1].sex = 7;
    let (field, code, reason) = problem_of(incident);
    assert_eq!((field.as_str(), code.as_str()), ("persons[1].sex", UNKNOWN_ENUM));
    assert!(reason.contains("7 is not a value of orca.v1.Sex"), "{reason}");
}

#[test]
fn unspecified_modus_operandi_is_rejected_since_it_states_nothing() {
    let mut incident = submitted();
    incident.modus_operandi = vec![v1::ModusOperandi::LinedBag as i32, 0];
    let (field, code, reason) = problem_of(incident);
    assert_eq!((field.as_str(), code.as_str()), ("modus_operandi[1]", UNKNOWN_ENUM));
    assert!(reason.contains("MODUS_OPERANDI_UNSPECIFIED"), "{reason}");
}

#[test]
fn invalid_timestamps_are_reported() {
    let mut incident = submitted();
    incident.occurred_from = Some(Timestamp { seconds: 1_772_360_100, nanos: 1_000_000_000 });
    assert_eq!(problem_of(incident).0, "occurred_from");

    let mut incident = submitted();
    incident.evidence = vec![v1::Evidence {
        reference: "DEMS-1".into(),
        captured_at: Some(Timestamp { seconds: 300_000_000_000, nanos: 0 }),
        ..Default::default()
    }];
    let (field, code, reason) = problem_of(incident);
    assert_eq!((field.as_str(), code.as_str()), ("evidence[0].captured_at", INVALID_TIMESTAMP));
    assert!(reason.contains("0001 to 9999"), "{reason}");
}

#[test]
fn unreadable_dates_of_birth_are_reported() {
    for bad in ["1990-02-30", "12/05/1990", "90"] {
        let mut incident = submitted();
        incident.persons[1].date_of_birth = bad.into();
        let (field, code, _) = problem_of(incident);
        assert_eq!((field.as_str(), code.as_str()), ("persons[1].date_of_birth", INVALID_DATE), "{bad}");
    }
}

#[test]
fn every_problem_is_reported_at_once_in_field_order() {
    let mut incident = submitted();
    incident.occurred_to = Some(Timestamp { seconds: 0, nanos: -1 });
    incident.event_type = 77;
    incident.modus_operandi = vec![0, v1::ModusOperandi::GrabAndGo as i32, 99];
    incident.evidence = vec![v1::Evidence { kind: 12, ..Default::default() }];
    incident.grade = Some(v1::Grade { grading_system: 9, source: "1".into(), ..Default::default() });
    incident.persons[0].role = 40;
    incident.persons[1].date_of_birth = "1990-13".into();
    incident.vehicles[0].format = 42;
    incident.provenance =
        Some(v1::Provenance { received_at: Some(Timestamp { seconds: i64::MAX, nanos: 0 }), ..Default::default() });
    // Business rules are not this layer's concern: these pass through for validation to report.
    incident.line_items[0].unit_price_pence = -500;
    incident.store_id = "NO-SUCH-STORE".into();

    let problems = incident_from_proto(incident).expect_err("problems");
    let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.code.as_str())).collect();
    assert_eq!(
        found,
        [
            ("occurred_to", INVALID_TIMESTAMP),
            ("event_type", UNKNOWN_ENUM),
            ("modus_operandi[0]", UNKNOWN_ENUM),
            ("modus_operandi[2]", UNKNOWN_ENUM),
            ("evidence[0].kind", UNKNOWN_ENUM),
            ("grade.grading_system", UNKNOWN_ENUM),
            ("persons[0].role", UNKNOWN_ENUM),
            ("persons[1].date_of_birth", INVALID_DATE),
            ("vehicles[0].format", UNKNOWN_ENUM),
            ("provenance.received_at", INVALID_TIMESTAMP),
        ]
    );
}

#[test]
fn zero_and_empty_read_as_not_stated() {
    let mut incident = submitted();
    let person = &mut incident.persons[0];
    person.height_min_cm = 0;
    person.height_max_cm = 0;
    person.estimated_age = 0;
    person.marker_code = String::new();
    person.date_of_birth = "  ".into();
    person.face = Some(v1::FaceTemplate::default());
    let person = incident_from_proto(incident).expect("converts").persons.remove(0);
    assert_eq!(person.height_cm, None);
    assert_eq!(person.estimated_age, None);
    assert_eq!(person.marker_code, None);
    assert_eq!(person.date_of_birth, None);
    assert_eq!(person.face, None);
}

#[test]
fn one_height_bound_is_used_as_both() {
    let heights = |min, max| {
        let mut incident = submitted();
        (incident.persons[0].height_min_cm, incident.persons[0].height_max_cm) = (min, max);
        incident_from_proto(incident).expect("converts").persons[0].height_cm
    };
    assert_eq!(heights(0, 180), Some((180, 180)));
    assert_eq!(heights(170, 0), Some((170, 170)));
    assert_eq!(heights(170, 185), Some((170, 185)));
    // A reversed range is a business rule, reported by validation, not here.
    assert_eq!(heights(190, 170), Some((190, 170)));
}

#[test]
fn stated_values_are_kept() {
    let mut incident = submitted();
    let person = &mut incident.persons[0];
    person.estimated_age = 30;
    person.marker_code = "sw-12 3ab".into();
    person.date_of_birth = "1990-05-12".into();
    person.face = Some(v1::FaceTemplate { model_id: "facenet-v3".into(), vector: vec![] });
    let person = incident_from_proto(incident).expect("converts").persons.remove(0);
    assert_eq!(person.estimated_age, Some(30));
    assert_eq!(person.marker_code.as_deref(), Some("sw-12 3ab"), "normalising codes is ingest's job");
    assert_eq!(person.date_of_birth, Some(PartialDate { year: 1990, month: Some(5), day: Some(12) }));
    assert_eq!(
        person.face,
        Some(FaceTemplate { model_id: "facenet-v3".into(), vector: vec![] }),
        "a template without values is kept for validation to reject"
    );
}

#[test]
fn grades_without_a_system_are_three_five_two_and_empty_grades_are_the_default() {
    let grade_of = |grade: Option<v1::Grade>| {
        let mut incident = submitted();
        incident.grade = grade;
        incident_from_proto(incident).expect("converts").grade
    };
    let stated = v1::Grade { source: "1".into(), intelligence: "B".into(), handling: "P".into(), ..Default::default() };
    assert_eq!(grade_of(Some(stated)), Grade::three_five_two('1', 'B', 'P'));
    assert_eq!(grade_of(Some(v1::Grade::default())), Grade::default());
    assert_eq!(grade_of(None), Grade::default());

    let legacy = v1::Grade {
        grading_system: v1::GradingSystem::GradingSystem5x5x5 as i32,
        source: "B".into(),
        intelligence: "2".into(),
        handling: "1".into(),
        handling_conditions: vec![],
    };
    assert_eq!(grade_of(Some(legacy)).system, GradingSystem::FiveFiveFive, "5x5x5 grades are kept");
}

#[test]
fn orca_set_fields_are_carried_as_given() {
    let mut incident = submitted();
    incident.incident_id = "INC-forged".into();
    incident.force = "city-of-london".into();
    incident.vehicles[0].vrm = "XX99XXX".into();
    incident.vehicles[0].vrm_candidates = vec!["XX99XXY".into()];
    incident.warnings = vec![v1::FieldProblem { field: "x".into(), reason: "y".into(), code: "z".into() }];
    let model = incident_from_proto(incident).expect("converts");
    assert_eq!((model.id.as_str(), model.force.as_str()), ("INC-forged", "city-of-london"));
    assert_eq!(model.vehicles[0].vrm, "XX99XXX");
    assert_eq!(model.vehicles[0].candidates, ["XX99XXY"]);
    assert_eq!(model.warnings[0].code, "z");
}

#[test]
fn an_unparsed_plate_reads_as_unrecognised() {
    let model = incident_from_proto(submitted()).expect("converts");
    assert_eq!(model.vehicles[0].format, VrmFormat::Unrecognised);
}

#[test]
fn records_orca_wrote_name_the_first_bad_field() {
    let mut resolution = resolution_to_proto(&super::rich_resolution());
    resolution.persons[1].decision = 0;
    let error = resolution_from_proto(resolution).expect_err("unspecified decision");
    assert_eq!((error.field.as_str(), error.code.as_str()), ("persons[1].decision", UNKNOWN_ENUM));

    let mut resolution = resolution_to_proto(&super::rich_resolution());
    resolution.merges[0].kind = 5;
    assert_eq!(resolution_from_proto(resolution).expect_err("bad kind").field, "merges[0].kind");

    let mut resolution = resolution_to_proto(&super::rich_resolution());
    let incident = resolution.incident.as_mut().expect("carried");
    incident.occurred_from = Some(Timestamp { seconds: 0, nanos: -5 });
    incident.event_type = 99;
    let error = resolution_from_proto(resolution).expect_err("bad incident");
    assert_eq!(error.field, "incident.occurred_from");
    assert!(error.to_string().contains("(and 1 more)"), "{error}");

    let mut resolution = resolution_to_proto(&super::rich_resolution());
    resolution.incident = None;
    assert_eq!(resolution_from_proto(resolution).expect_err("no incident").code, MISSING);

    let mut package = package_to_proto(&super::rich_package());
    package.offences[1].occurred_at = None;
    let error = package_from_proto(package).expect_err("no time");
    assert_eq!((error.field.as_str(), error.code.as_str()), ("offences[1].occurred_at", MISSING));
    assert_eq!(
        error.to_string(),
        "cannot read `offences[1].occurred_at`: an offence needs the time it occurred (missing)"
    );

    let mut package = package_to_proto(&super::rich_package());
    package.subjects[0].assertion = 0;
    package.offences[0].evidence[0].captured_at = Some(Timestamp { seconds: 0, nanos: 2_000_000_000 });
    assert_eq!(package_from_proto(package).expect_err("bad").field, "subjects[0].assertion");
}
