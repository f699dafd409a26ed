use super::*;
use chrono::{TimeZone, Utc};
use orca_model::package::{NimLevel, Offence, PackageSubject, PackageVehicle, SubjectKind};
use orca_model::{Evidence, EvidenceKind, Grade, IncidentId};

fn offence(id: &str, force: &str, day: u32, crime_ref: &str, cctv: bool, grade: Grade) -> Offence {
    let evidence = if cctv {
        vec![Evidence {
            kind: EvidenceKind::Cctv,
            reference: format!("DEMS-{id}"),
            sha256: "ab".repeat(32),
            captured_at: None,
            description: "statement by store detective Jane Smith".to_owned(),
        }]
    } else {
        Vec::new()
    };
    Offence {
        incident_id: IncidentId::new(id),
        police_crime_ref: crime_ref.to_owned(),
        force: force.into(),
        retailer: "northmart".into(),
        store: "NM-001".into(),
        occurred_at: Utc.with_ymd_and_hms(2025, 6, day, 10, 0, 0).unwrap(),
        value_pence: 10_000,
        grade,
        evidence,
        ..Offence::default()
    }
}

fn subject(id: &str, name: &str, role: &str) -> SubjectInput {
    SubjectInput {
        subject: PackageSubject {
            person_id: id.into(),
            display_name: name.to_owned(),
            role: role.to_owned(),
            ..PackageSubject::default()
        },
        weak_links: 0,
    }
}

fn profile() -> ProfileInput {
    ProfileInput {
        kind: SubjectKind::Group,
        subject_id: "G00000001".to_owned(),
        lead_force: "west-midlands".into(),
        forces: vec!["west-midlands".into(), "staffordshire".into()],
        nim_level: NimLevel::CrossBorder,
        subjects: vec![subject("P2", "", "periphery"), subject("P1", "John Doe", "core")],
        vehicles: vec![
            VehicleInput {
                vehicle: PackageVehicle {
                    vehicle_id: "V1".into(),
                    vrm: "AB12CDE".to_owned(),
                    sighting_count: 4,
                    ..PackageVehicle::default()
                },
                ..VehicleInput::default()
            },
            VehicleInput {
                vehicle: PackageVehicle {
                    vehicle_id: "V2".into(),
                    vrm: "K??ABC".to_owned(),
                    ..PackageVehicle::default()
                },
                partial_plate_only: true,
                false_plate_suspected: false,
            },
        ],
        offences: vec![
            offence("INC-2", "staffordshire", 3, "", false, Grade::three_five_two('3', 'B', 'P')),
            offence("INC-1", "west-midlands", 1, "43/1234/25", true, Grade::three_five_two('1', 'A', 'P')),
        ],
        corridor: vec!["west-midlands".into(), "staffordshire".into()],
        ..ProfileInput::default()
    }
}

#[test]
fn a_group_package_carries_identity_totals_grade_and_affected_forces() {
    let package = build_package(profile());
    assert_eq!(package.id.as_str(), "PKG-G00000001");
    assert_eq!(package.security_marking, "OFFICIAL-SENSITIVE");
    assert_eq!(package.provenance.source, "stage:linker");
    assert_eq!(package.total_loss_pence, 20_000);
    assert_eq!(package.affected_forces, vec!["staffordshire".into()]);
    let grade = (package.grade.source.as_str(), package.grade.intelligence.as_str());
    assert_eq!(grade, ("3", "B"), "the weakest grade of the offences");
    assert_eq!(package.offences[0].incident_id.as_str(), "INC-1", "offences in time order");
    assert_eq!(package.as_of, package.last_seen);
    assert_eq!(package.first_seen.unwrap().format("%d").to_string(), "01");
    assert_eq!(package.subjects[0].role, "core", "core members first");
}

#[test]
fn gaps_name_missing_crime_refs_unnamed_subjects_and_partial_plates() {
    let gaps = build_package(profile()).intelligence_gaps;
    assert!(gaps.contains(&"no police crime reference on 1 of 2 offences".to_owned()), "{gaps:?}");
    assert!(gaps.iter().any(|g| g.starts_with("subjects unnamed: 1 of 2")), "{gaps:?}");
    assert!(gaps.iter().any(|g| g.starts_with("partial plate only for vehicle V2")), "{gaps:?}");
    assert!(gaps.contains(&"no CCTV reference on 1 of 2 offences".to_owned()), "{gaps:?}");
}

#[test]
fn actions_ask_for_cctv_anpr_along_the_corridor_and_a_vehicle_marker() {
    let actions = build_package(profile()).recommended_actions;
    assert!(actions.contains(&"request CCTV from northmart for 1 offence: INC-2".to_owned()), "{actions:?}");
    assert!(actions.contains(&"check ANPR for VRM AB12CDE in corridor west-midlands → staffordshire".to_owned()));
    assert!(actions.contains(&"consider a vehicle marker for VRM AB12CDE".to_owned()));
    assert!(actions.iter().any(|a| a.starts_with("record crimes with staffordshire")), "{actions:?}");
    assert!(actions.iter().any(|a| a.contains("regional organised crime unit")), "{actions:?}");
}

#[test]
fn packages_never_name_a_retailers_staff() {
    let package = build_package(profile());
    let json = serde_json::to_string(&package).unwrap();
    assert!(!json.contains("Jane Smith"), "evidence descriptions are dropped");
    assert_eq!(package.offences[0].evidence[0].reference, "DEMS-INC-1", "evidence still cited by reference");
}

#[test]
fn the_same_input_gives_the_same_package() {
    let mut shuffled = profile();
    shuffled.offences.reverse();
    shuffled.subjects.reverse();
    assert!(build_package(profile()).same_content(&build_package(shuffled)));
}

#[test]
fn a_withdrawn_package_keeps_its_id_and_says_why() {
    let package = build_package(profile());
    let withdrawn = withdrawn_package(&package, "group dissolved");
    assert_eq!(withdrawn.id, package.id);
    assert!(withdrawn.offences.is_empty() && withdrawn.subjects.is_empty());
    assert_eq!(withdrawn.intelligence_gaps, vec!["withdrawn: group dissolved".to_owned()]);
    assert!(!withdrawn.same_content(&package));
}
