//! Incidents in canonical proto3 JSON, as retailers send them in `incidents.jsonl` and HTTP bodies.

use super::at;
use crate::convert::incident_from_proto;
use crate::convert::json::{incident_from_json, incident_from_json_line};
use orca_model::{
    AgeBand, EventType, FaceTemplate, Grade, Incident, LineItem, ModusOperandi, PartialDate, PersonRole,
    PersonSighting, VehicleRole, VehicleSighting,
};

#[test]
fn proto3_json_incident_converts_to_the_model() {
    let line = r#"{
        "retailerId": "northmart",
        "retailerRef": "NM-7",
        "store_id": "NM-0001",
        "occurredFrom": "2026-03-01T10:15:00+01:00",
        "reportedAt": "2026-03-01T12:00:00.5Z",
        "eventType": "EVENT_TYPE_SHOPLIFTING",
        "attempt": true,
        "modusOperandi": ["MODUS_OPERANDI_LINED_BAG", 8],
        "lineItems": [
            {"description": "razors", "category": "health-beauty", "quantity": 3, "unitPricePence": "1299"},
            {"description": "gin", "quantity": 1, "unitPricePence": 2500, "recovered": true}
        ],
        "grade": {"source": "1", "intelligence": "B", "handling": "P"},
        "persons": [{
            "role": "PERSON_ROLE_SUSPECT",
            "givenNames": "Sam",
            "dateOfBirth": "1990-05",
            "ageBand": "AGE_BAND_25_34",
            "heightMinCm": 170,
            "heightMaxCm": 180,
            "face": {"modelId": "facenet-v3", "vector": [0.25, -0.5]},
            "estimatedAge": 0
        }],
        "vehicles": [{"vrmRaw": "AB12 CDE", "role": 1}]
    }"#;
    let proto = incident_from_json_line(line).expect("valid proto3 json");
    let incident = incident_from_proto(proto).expect("converts");

    let expected = Incident {
        retailer: "northmart".into(),
        retailer_ref: "NM-7".into(),
        store: "NM-0001".into(),
        occurred_from: Some(at("2026-03-01T09:15:00Z")),
        reported_at: Some(at("2026-03-01T12:00:00.500Z")),
        event_type: EventType::Shoplifting,
        attempt: true,
        modus_operandi: vec![ModusOperandi::LinedBag, ModusOperandi::TagRemoval],
        line_items: vec![
            LineItem {
                description: "razors".into(),
                category: "health-beauty".into(),
                quantity: 3,
                unit_price_pence: 1299,
                recovered: false,
            },
            LineItem {
                description: "gin".into(),
                quantity: 1,
                unit_price_pence: 2500,
                recovered: true,
                ..Default::default()
            },
        ],
        grade: Grade::three_five_two('1', 'B', 'P'),
        persons: vec![PersonSighting {
            role: PersonRole::Suspect,
            given_names: "Sam".into(),
            date_of_birth: Some(PartialDate { year: 1990, month: Some(5), day: None }),
            age_band: AgeBand::From25To34,
            height_cm: Some((170, 180)),
            face: Some(FaceTemplate { model_id: "facenet-v3".into(), vector: vec![0.25, -0.5] }),
            ..Default::default()
        }],
        vehicles: vec![VehicleSighting {
            vrm_raw: "AB12 CDE".into(),
            role: VehicleRole::UsedBySuspects,
            ..Default::default()
        }],
        ..Default::default()
    };
    assert_eq!(incident, expected);
}

#[test]
fn json_errors_name_the_field_list_accepted_values_and_catch_the_usual_slips() {
    let error = incident_from_json_line(r#"{"retailerId": "northmart", "eventType": "EVENT_TYPE_BURGLARY"}"#)
        .expect_err("unknown enum name");
    assert!(error.contains("`eventType`") && error.contains("EVENT_TYPE_BURGLARY"), "{error}");
    assert!(error.contains("EVENT_TYPE_SHOPLIFTING"), "the accepted values are listed: {error}");

    let error =
        incident_from_json_line(r#"{"retailerId": "northmart", "storeID": "NM-0001"}"#).expect_err("misspelt field");
    assert!(error.contains("unknown field `storeID`"), "{error}");

    let error = incident_from_json_line(r#"{"lineItems": [{"unitPricePence": 18.99}]}"#).expect_err("pounds");
    assert!(error.contains("`lineItems[0].unitPricePence`") && error.contains("pence"), "{error}");
    assert!(error.contains("1899"), "says what it would be in pence: {error}");
    let error = incident_from_json_line(r#"{"lineItems": [{"unitPricePence": "12.99"}]}"#).expect_err("pounds");
    assert!(error.contains("`lineItems[0].unitPricePence`") && error.contains("pence, not pounds"), "{error}");

    let error = incident_from_json_line(r#"{"occurredFrom": "2026-03-01T10:15:00"}"#).expect_err("no zone");
    assert!(error.contains("`occurredFrom`") && error.contains("no time zone"), "{error}");
    for (written, says, fixed) in [
        ("2026-03-01 10:15", "no time zone", "2026-03-01T10:15:00Z"),
        ("2026-03-01T10:15Z", "not in RFC 3339 form", "2026-03-01T10:15:00Z"),
    ] {
        let line = format!(r#"{{"occurredFrom": "{written}"}}"#);
        let error = incident_from_json_line(&line).expect_err("not RFC 3339");
        assert!(error.contains(says) && error.contains(fixed), "{written}: {error}");
    }

    let error = incident_from_json_line(r#"{"retailerId": "northmart""#).expect_err("truncated");
    assert!(error.contains("not JSON") && error.contains("EOF"), "{error}");
}

#[test]
fn every_problem_in_a_record_is_reported_not_only_the_first() {
    let line = r#"{"retailerId": "northmart", "eventType": "EVENT_TYPE_BURGLARY",
        "lineItems": [{"unitPricePence": 18.99}], "reportedAt": "2026-03-01T10:15:00", "storeID": "x"}"#;
    let problems = incident_from_json(line.as_bytes()).expect_err("four problems");
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    for field in ["eventType", "lineItems[0].unitPricePence", "reportedAt"] {
        assert!(fields.contains(&field), "`{field}` is reported: {problems:?}");
    }
    assert!(problems.iter().any(|p| p.reason.contains("storeID")), "{problems:?}");
    assert_eq!(problems.len(), 4, "{problems:?}");
}
