use super::*;
use crate::incident::{Evidence, FaceTemplate, LineItem, PartialDate, PersonSighting, VehicleSighting};
use crate::store::Store;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()
}

fn stores() -> StoreRegistry {
    StoreRegistry::new([
        Store {
            id: "NM-0001".into(),
            retailer: "northmart".into(),
            name: "Northmart Leeds".into(),
            postcode: "LS1 1AA".into(),
            force: "west-yorkshire".into(),
            lat: 53.8,
            lon: -1.55,
        },
        Store {
            id: "SC-0001".into(),
            retailer: "southco".into(),
            name: "Southco Brighton".into(),
            postcode: "BN1 1AA".into(),
            force: "sussex".into(),
            lat: 50.8,
            lon: -0.14,
        },
    ])
}

fn good() -> Incident {
    Incident {
        retailer: "northmart".into(),
        retailer_ref: " NM-1 ".into(),
        store: "NM-0001".into(),
        occurred_from: Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap()),
        reported_at: Some(Utc.with_ymd_and_hms(2026, 3, 1, 11, 0, 0).unwrap()),
        event_type: EventType::Shoplifting,
        line_items: vec![LineItem {
            description: "razors".into(),
            quantity: 3,
            unit_price_pence: 1299,
            ..Default::default()
        }],
        persons: vec![PersonSighting {
            role: PersonRole::Suspect,
            given_names: " John  ".into(),
            family_name: "Smith".into(),
            marker_code: Some("sw-12 3ab".into()),
            ..Default::default()
        }],
        vehicles: vec![VehicleSighting { vrm_raw: "ab12 cde".into(), ..Default::default() }],
        ..Default::default()
    }
}

fn codes(incident: &mut Incident) -> Vec<(String, String)> {
    validate_and_normalise(incident, &stores(), now())
        .expect_err("should be rejected")
        .into_iter()
        .map(|p| (p.field, p.code))
        .collect()
}

fn has(problems: &[(String, String)], field: &str, code: &str) -> bool {
    problems.iter().any(|(f, c)| f == field && c == code)
}

#[test]
fn a_good_incident_is_normalised() {
    let mut incident = good();
    validate_and_normalise(&mut incident, &stores(), now()).expect("valid");
    assert_eq!(incident.retailer_ref, "NM-1");
    assert_eq!(incident.id, IncidentId::derive(&"northmart".into(), "NM-1"));
    assert_eq!(incident.force.as_str(), "west-yorkshire");
    assert_eq!(incident.persons[0].given_names, "John");
    assert_eq!(incident.persons[0].marker_code.as_deref(), Some("SW123AB"));
    assert_eq!(incident.vehicles[0].vrm, "AB12CDE");
    assert_eq!(incident.vehicles[0].format, VrmFormat::Current);
    assert_eq!(incident.vehicles[0].vrm_raw, "ab12 cde", "raw read kept");
    assert!(incident.warnings.is_empty());
}

#[test]
fn unknown_store_is_rejected() {
    let mut incident = good();
    incident.store = "NM-9999".into();
    assert!(has(&codes(&mut incident), "store_id", "unknown-store"));
}

#[test]
fn another_retailers_store_is_rejected() {
    let mut incident = good();
    incident.store = "SC-0001".into();
    assert!(has(&codes(&mut incident), "store_id", "foreign-store"));
}

#[test]
fn occurred_after_reported_is_rejected() {
    let mut incident = good();
    incident.reported_at = Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap());
    assert!(has(&codes(&mut incident), "occurred_from", "occurred-after-reported"));
}

#[test]
fn future_and_reversed_times_are_rejected() {
    let mut incident = good();
    incident.occurred_from = Some(now() + Duration::days(1));
    incident.occurred_to = Some(now());
    incident.reported_at = None;
    let problems = codes(&mut incident);
    assert!(has(&problems, "occurred_from", "in-future"));
    assert!(has(&problems, "occurred_to", "window-reversed"));
}

#[test]
fn negative_prices_and_zero_quantities_are_rejected() {
    let mut incident = good();
    incident.line_items.push(LineItem {
        description: "gin".into(),
        quantity: 0,
        unit_price_pence: -5,
        ..Default::default()
    });
    let problems = codes(&mut incident);
    assert!(has(&problems, "line_items[1].unit_price_pence", "negative-price"));
    assert!(has(&problems, "line_items[1].quantity", "zero-quantity"));
}

#[test]
fn implausible_prices_quantities_and_totals_are_rejected_with_the_amount_in_pounds() {
    let mut incident = good();
    incident.line_items.push(LineItem {
        description: "gin".into(),
        quantity: 1,
        unit_price_pence: i64::MAX,
        ..Default::default()
    });
    incident.line_items.push(LineItem { description: "razors".into(), quantity: 50_000, ..Default::default() });
    let problems = validate_and_normalise(&mut incident.clone(), &stores(), now()).unwrap_err();
    let price = problems.iter().find(|p| p.field == "line_items[1].unit_price_pence").expect("the price is refused");
    assert_eq!(price.code, "implausible-price");
    assert!(
        price.reason.contains("£92,233,720,368,547,758.07") && price.reason.contains("£100,000.00"),
        "{}",
        price.reason
    );
    assert!(has(&codes(&mut incident.clone()), "line_items[2].quantity", "implausible-quantity"));

    // Each line plausible, the incident not: 11 lines of 10 watches at £10,000.
    let mut haul = good();
    haul.line_items = (0..11)
        .map(|_| LineItem {
            description: "watch".into(),
            quantity: 10,
            unit_price_pence: 1_000_000,
            ..Default::default()
        })
        .collect();
    assert_eq!(codes(&mut haul), [("line_items".to_owned(), "implausible-value".to_owned())]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut incident = Incident::default();
    let problems = codes(&mut incident);
    for field in ["retailer_id", "retailer_ref", "store_id", "event_type", "occurred_from"] {
        assert!(problems.iter().any(|(f, _)| f == field), "missing problem for {field}: {problems:?}");
    }
}

#[test]
fn malformed_vrm_is_kept_raw_and_flagged_not_rejected() {
    let mut incident = good();
    incident.vehicles[0].vrm_raw = "AB1Z CDE".into();
    validate_and_normalise(&mut incident, &stores(), now()).expect("accepted with a warning");
    let vehicle = &incident.vehicles[0];
    assert_eq!(vehicle.vrm_raw, "AB1Z CDE");
    assert_eq!(vehicle.format, VrmFormat::Unrecognised);
    assert_eq!(vehicle.candidates.first().map(String::as_str), Some("AB12CDE"));
    assert_eq!(incident.warnings[0].field, "vehicles[0].vrm_raw");
    assert_eq!(incident.warnings[0].code, "unrecognised-vrm");
}

#[test]
fn a_vehicle_needs_a_plate_or_a_description() {
    let mut incident = good();
    incident.vehicles.push(VehicleSighting::default());
    assert!(has(&codes(&mut incident), "vehicles[1]", "missing"));
}

#[test]
fn person_rules_have_field_paths() {
    let mut incident = good();
    incident.persons.push(PersonSighting {
        role: PersonRole::Unspecified,
        date_of_birth: Some(PartialDate { year: 2030, month: None, day: None }),
        height_cm: Some((190, 170)),
        face: Some(FaceTemplate { model_id: String::new(), vector: vec![f32::NAN] }),
        ..Default::default()
    });
    let problems = codes(&mut incident);
    assert!(has(&problems, "persons[1].role", "missing"));
    assert!(has(&problems, "persons[1].date_of_birth", "in-future"));
    assert!(has(&problems, "persons[1].height_min_cm", "range-reversed"));
    assert!(has(&problems, "persons[1].face.model_id", "missing"));
    assert!(has(&problems, "persons[1].face.vector", "invalid-template"));
}

#[test]
fn evidence_needs_a_reference_and_a_real_hash() {
    let mut incident = good();
    incident.evidence.push(Evidence { sha256: "abc".into(), ..Default::default() });
    let problems = codes(&mut incident);
    assert!(has(&problems, "evidence[0].reference", "missing"));
    assert!(has(&problems, "evidence[0].sha256", "invalid-hash"));
}

#[test]
fn bad_grade_is_rejected() {
    let mut incident = good();
    incident.grade.source = "9".into();
    assert!(has(&codes(&mut incident), "grade.source", "invalid-grade"));
}

#[test]
fn reported_time_defaults_to_receipt() {
    let mut incident = good();
    incident.reported_at = None;
    incident.provenance.received_at = Some(now());
    validate_and_normalise(&mut incident, &stores(), now()).expect("valid");
    assert_eq!(incident.reported_at, Some(now()));
}

#[test]
fn a_million_character_name_and_thousands_of_suspects_are_refused_by_field() {
    let mut incident = good();
    let suspect = incident.persons[0].clone();
    incident.persons.extend(std::iter::repeat_n(suspect, 2_000));
    incident.persons[0].given_names = "a".repeat(1_000_000);
    incident.persons[0].aliases = vec!["b".repeat(101)];
    incident.vehicles[0].vrm_raw = "AB12CDE".repeat(20);
    let started = std::time::Instant::now();
    let problems = codes(&mut incident);
    assert!(has(&problems, "persons[0].given_names", "too-long"), "{problems:?}");
    assert!(has(&problems, "persons[0].aliases[0]", "too-long"), "{problems:?}");
    assert!(has(&problems, "persons", "too-many"), "{problems:?}");
    assert!(has(&problems, "vehicles[0].vrm_raw", "too-long"), "{problems:?}");
    // Checking is linear in the report's size: no comparison runs on refused input.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn control_characters_and_direction_overrides_are_refused_where_people_read_them() {
    let mut incident = good();
    incident.persons[0].aliases = vec!["Ben\u{1b}[2J".into()];
    incident.persons[0].family_name = "Smith\u{202E}htimS".into();
    incident.retailer_ref = "NM-1\0".into();
    incident.narrative = "Two men.\nOne left in a car.\tThe other ran.".into();
    let problems = codes(&mut incident);
    assert!(has(&problems, "persons[0].aliases[0]", "control-character"), "{problems:?}");
    assert!(has(&problems, "persons[0].family_name", "control-character"), "{problems:?}");
    assert!(has(&problems, "retailer_ref", "control-character"), "{problems:?}");
    assert!(!problems.iter().any(|(f, _)| f == "narrative"), "line breaks and tabs are fine in a narrative");
}

#[test]
fn dates_before_1900_are_refused_and_a_report_within_the_bounds_passes() {
    let mut incident = good();
    incident.occurred_from = Some(Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap());
    let problems = codes(&mut incident);
    assert!(has(&problems, "occurred_from", "implausible"), "{problems:?}");

    let mut incident = good();
    incident.persons[0].given_names = "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff".into();
    incident.persons[0].aliases = (0..bounds::MAX_PER_PERSON).map(|i| format!("alias {i}")).collect();
    let suspect = incident.persons[0].clone();
    incident.persons.extend(std::iter::repeat_n(suspect, bounds::MAX_PERSONS - 1));
    assert!(validate_and_normalise(&mut incident, &stores(), now()).is_ok());
}
