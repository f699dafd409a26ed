//! Fixtures shared by the conversion tests: a rich normalised incident, a resolution and a package
//! that set every field the model holds, and a minimal valid submitted incident on the wire.

mod enums;
mod json;
mod problems;
mod round_trip;

use crate::v1;
use chrono::{DateTime, TimeZone, Utc};
use orca_model::package::{
    Assertion, IntelligencePackage, LinkChartEdge, NimLevel, Offence, PackageSubject, PackageVehicle, Score,
    ScoreFactor, SubjectKind,
};
use orca_model::validate::validate_and_normalise;
use orca_model::{
    AgeBand, Build, ComparisonEvidence, DecisionResult, EntityKind, EntityMerge, EntitySplit, EventType, Evidence,
    EvidenceKind, FaceTemplate, Grade, GradingSystem, Incident, LineItem, LinkDecision, ModusOperandi, PartialDate,
    PersonRole, PersonSighting, Provenance, Resolution, RunnerUp, Sex, SightingLink, Store, StoreRegistry, VehicleRole,
    VehicleSighting,
};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("valid test time").with_timezone(&Utc)
}

fn stores() -> StoreRegistry {
    StoreRegistry::new([Store {
        id: "NM-0001".into(),
        retailer: "northmart".into(),
        name: "Northmart Digbeth".into(),
        postcode: "B5 6DY".into(),
        force: "west-midlands".into(),
        lat: 52.475,
        lon: -1.885,
    }])
}

/// A submitted incident that uses every field, run through validation and normalisation as ingest
/// would (so it has an id, a force, normalised marks, misread candidates and a warning).
fn rich_incident() -> Incident {
    let mut grade = Grade::three_five_two('1', 'B', 'C');
    grade.conditions.push("no onward sharing to retailers".into());
    let mut incident = Incident {
        retailer: "northmart".into(),
        retailer_ref: " NM-2026-0042 ".into(),
        store: "NM-0001".into(),
        occurred_from: Some(at("2026-03-01T10:15:00.250Z")),
        occurred_to: Some(at("2026-03-01T10:20:00Z")),
        reported_at: None,
        event_type: EventType::Robbery,
        attempt: true,
        line_items: vec![
            LineItem {
                description: "razor blades".into(),
                category: "health-beauty".into(),
                quantity: 12,
                unit_price_pence: 1299,
                recovered: false,
            },
            LineItem {
                description: "gin".into(),
                category: "alcohol".into(),
                quantity: 2,
                unit_price_pence: 2500,
                recovered: true,
            },
        ],
        violence: true,
        weapon: true,
        staff_detained: true,
        modus_operandi: vec![
            ModusOperandi::TeamWithLookouts,
            ModusOperandi::GrabAndGo,
            ModusOperandi::TeamWithLookouts,
        ],
        narrative: "Two males filled a lined bag; a third kept watch by the door.".into(),
        police_crime_ref: "20/123456/26".into(),
        evidence: vec![
            Evidence {
                kind: EvidenceKind::Cctv,
                reference: "DEMS-998877".into(),
                sha256: "ab".repeat(32),
                captured_at: Some(at("2026-03-01T10:16:30Z")),
                description: "entrance camera".into(),
            },
            Evidence { kind: EvidenceKind::TillRecord, reference: "TILL-4-0042".into(), ..Default::default() },
        ],
        grade,
        persons: vec![
            PersonSighting {
                role: PersonRole::Suspect,
                given_names: "Jordan  Lee".into(),
                family_name: "Smith".into(),
                aliases: vec!["JJ".into(), "  ".into()],
                date_of_birth: Some(PartialDate::parse("1990-05").expect("valid")),
                sex: Sex::Male,
                age_band: AgeBand::From25To34,
                height_cm: Some((175, 185)),
                build: Build::Stocky,
                distinguishing_marks: vec!["swallow tattoo left hand".into()],
                clothing: "grey hoodie".into(),
                face: Some(FaceTemplate { model_id: "facenet-v3".into(), vector: vec![0.125, -0.5, 0.333_333_34] }),
                marker_code: Some("sw-12 3ab".into()),
                estimated_age: None,
            },
            PersonSighting {
                role: PersonRole::Witness,
                sex: Sex::Female,
                height_cm: Some((160, 160)),
                build: Build::Slim,
                estimated_age: Some(40),
                ..Default::default()
            },
        ],
        vehicles: vec![
            VehicleSighting {
                vrm_raw: "ab12 cde".into(),
                make: "Ford".into(),
                model: "Focus".into(),
                colour: "silver".into(),
                role: VehicleRole::UsedBySuspects,
                ..Default::default()
            },
            VehicleSighting { vrm_raw: "AB1Z CDE".into(), role: VehicleRole::SeenNearby, ..Default::default() },
            VehicleSighting { vrm_raw: "GE-123-XY".into(), country: "fr".into(), ..Default::default() },
        ],
        provenance: Provenance {
            source: "retailer:northmart".into(),
            channel: "grpc".into(),
            submitted_by: "key:nm-01".into(),
            received_at: Some(at("2026-03-01T11:02:03.456789Z")),
            lawful_basis: "uk-gdpr-6-1-f".into(),
            sharing_agreement: "isa-2026-retail".into(),
            produced_by: "orca-ingest 0.1.0".into(),
        },
        ..Default::default()
    };
    validate_and_normalise(&mut incident, &stores(), at("2026-03-02T00:00:00Z")).expect("the fixture is valid");
    incident
}

fn rich_resolution() -> Resolution {
    let incident = rich_incident();
    Resolution {
        incident_id: incident.id.clone(),
        incident: Some(incident),
        persons: vec![
            SightingLink {
                sighting_index: 0,
                entity_id: "P00000001".into(),
                decision: LinkDecision::AutoLink,
                probability: 0.987,
                evidence: vec![
                    ComparisonEvidence { comparison: "name".into(), level: "exact".into(), weight: 7.25 },
                    ComparisonEvidence { comparison: "dob".into(), level: "year-month".into(), weight: -0.5 },
                ],
                candidate: None,
                runner_up: Some(RunnerUp { entity_id: "P00000004".into(), probability: 0.25 }),
            },
            SightingLink {
                sighting_index: 1,
                entity_id: "P00000002".into(),
                decision: LinkDecision::PossibleMatch,
                probability: 0.61,
                evidence: vec![],
                candidate: Some("P00000009".into()),
                runner_up: None,
            },
        ],
        vehicles: vec![SightingLink {
            sighting_index: 0,
            entity_id: "V00000003".into(),
            decision: LinkDecision::NewEntity,
            probability: 1.0,
            evidence: vec![],
            candidate: None,
            runner_up: None,
        }],
        merges: vec![EntityMerge {
            kind: EntityKind::Person,
            survivor: "P00000001".into(),
            merged: vec!["P00000005".into(), "P00000007".into()],
            reason: "marker code SW123AB shared".into(),
        }],
        splits: vec![EntitySplit {
            kind: EntityKind::Vehicle,
            from: "V00000004".into(),
            new_ids: vec!["V00000010".into(), "V00000011".into()],
            reason: "analyst rejected: cloned plate".into(),
        }],
        decisions: vec![DecisionResult {
            decision_id: "D-0007".into(),
            applied: false,
            message: "sighting INC-x#0 is the only sighting of P00000002".into(),
        }],
        withdrawal: None,
    }
}

fn rich_package() -> IntelligencePackage {
    let incident = rich_incident();
    let mut legacy_grade = Grade::three_five_two('2', 'A', 'P');
    legacy_grade.system = GradingSystem::FiveFiveFive;
    (legacy_grade.source, legacy_grade.intelligence, legacy_grade.handling) = ("B".into(), "2".into(), "1".into());
    IntelligencePackage {
        id: "PKG-G00000003".into(),
        version: 4,
        subject_kind: SubjectKind::Group,
        subject_id: "G00000003".into(),
        title: "Lined-bag team working the M6 corridor".into(),
        security_marking: orca_model::package::DEFAULT_MARKING.into(),
        grade: incident.grade.clone(),
        lead_force: "west-midlands".into(),
        affected_forces: vec!["staffordshire".into(), "west-mercia".into()],
        nim_level: NimLevel::CrossBorder,
        subjects: vec![PackageSubject {
            person_id: "P00000001".into(),
            display_name: "Jordan Lee SMITH".into(),
            aliases: vec!["JJ".into()],
            date_of_birth: "1990-05".into(),
            role: "core".into(),
            match_confidence: 0.93,
            incident_count: 7,
            marker_codes: vec!["SW123AB".into()],
            assertion: Assertion::Fact,
        }],
        vehicles: vec![PackageVehicle {
            vehicle_id: "V00000003".into(),
            vrm: "AB12CDE".into(),
            make: "Ford".into(),
            model: "Focus".into(),
            colour: "silver".into(),
            sighting_count: 3,
            cloned_plate_suspected: true,
            false_plate_suspected: true,
        }],
        offences: vec![
            Offence {
                incident_id: incident.id.clone(),
                police_crime_ref: incident.police_crime_ref.clone(),
                force: incident.force.clone(),
                retailer: incident.retailer.clone(),
                store: incident.store.clone(),
                occurred_at: incident.occurred_at(),
                event_type: incident.event_type,
                value_pence: incident.total_value(),
                modus_operandi: incident.modus_operandi.clone(),
                grade: incident.grade.clone(),
                person_ids: vec!["P00000001".into()],
                vehicle_ids: vec!["V00000003".into()],
                evidence: incident.evidence.clone(),
                outside_group: true,
                correction_reason: String::new(),
                revision: 0,
            },
            Offence {
                incident_id: "INC-00000000000000aa".into(),
                occurred_at: Utc.with_ymd_and_hms(2025, 12, 24, 16, 0, 0).unwrap(),
                event_type: EventType::Shoplifting,
                grade: legacy_grade,
                ..Default::default()
            },
        ],
        link_chart: vec![LinkChartEdge {
            from: "P00000001".into(),
            to: "V00000003".into(),
            kind: "used-vehicle".into(),
            weight: 0.75,
            incident_count: 3,
        }],
        total_loss_pence: orca_model::Pence::new(125_000),
        score: Score {
            priority_band: "high".into(),
            factors: vec![ScoreFactor {
                name: "harm".into(),
                value: 0.8,
                band: "high".into(),
                evidence: vec!["violence in 3 of 7 incidents".into()],
            }],
            rule: "two or more high factors".into(),
        },
        corridor: vec!["west-midlands".into(), "staffordshire".into()],
        first_seen: Some(at("2025-12-24T16:00:00Z")),
        last_seen: incident.occurred_from,
        intelligence_gaps: vec!["identity of the lookout".into()],
        recommended_actions: vec!["check ANPR for AB12CDE on the M6".into()],
        provenance: Provenance {
            source: "stage:packages".into(),
            produced_by: "orca-intel 0.1.0".into(),
            ..Default::default()
        },
        as_of: incident.occurred_from,
        retailers: vec!["northmart".into()],
        withdrawn: false,
        stores: vec![orca_model::package::PackageStore {
            store: incident.store.clone(),
            name: "Northmart Walsall".into(),
            postcode: "WS1 1AA".into(),
            force: "west-midlands".into(),
            lat: 52.586,
            lon: -1.982,
        }],
        outcomes: vec![orca_model::package::PackageOutcome {
            outcome_id: "O-1".into(),
            package_id: "PKG-G00000003".into(),
            person_id: "P00000001".into(),
            kind: orca_model::package::OutcomeKind::Charge,
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            force: "west-midlands".into(),
            force_reference: "20/1234/26".into(),
            notes: "charged with 7 thefts".into(),
            recorded_by: "k-1 (west-midlands)".into(),
            recorded_at: Some(at("2026-01-06T09:00:00Z")),
        }],
        report_notices: Vec::new(),
    }
}

/// A minimal valid submitted incident, as a retailer sends it.
fn submitted() -> v1::Incident {
    v1::Incident {
        retailer_id: "northmart".into(),
        retailer_ref: "NM-1".into(),
        store_id: "NM-0001".into(),
        occurred_from: Some(pbjson_types::Timestamp { seconds: 1_772_360_100, nanos: 0 }),
        event_type: v1::EventType::Shoplifting as i32,
        line_items: vec![v1::LineItem {
            description: "razors".into(),
            quantity: 3,
            unit_price_pence: 1299,
            ..Default::default()
        }],
        persons: vec![
            v1::PersonSighting { role: v1::PersonRole::Suspect as i32, ..Default::default() },
            v1::PersonSighting { role: v1::PersonRole::Witness as i32, ..Default::default() },
        ],
        vehicles: vec![v1::VehicleSighting { vrm_raw: "AB12CDE".into(), ..Default::default() }],
        ..Default::default()
    }
}
