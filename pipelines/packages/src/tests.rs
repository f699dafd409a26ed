use super::*;
use chrono::{TimeZone, Utc};
use orca_model::package::{NimLevel, Offence, PackageSubject, PackageVehicle, SubjectKind};
use orca_model::{Evidence, EvidenceKind, Grade, IncidentId, Pence};

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
        value_pence: Pence::new(10_000),
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
    assert_eq!(package.total_loss_pence, Pence::new(20_000));
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

fn vehicle(id: &str, vrm: &str, cloned: bool, false_plate: bool) -> VehicleInput {
    VehicleInput {
        vehicle: PackageVehicle {
            vehicle_id: id.into(),
            vrm: vrm.to_owned(),
            colour: "blue".to_owned(),
            make: "Mercedes".to_owned(),
            cloned_plate_suspected: cloned,
            false_plate_suspected: false_plate,
            ..PackageVehicle::default()
        },
        partial_plate_only: false,
    }
}

#[test]
fn a_plate_suspicion_is_stated_as_the_vehicle_list_states_it() {
    let mut input = profile();
    input.vehicles = vec![vehicle("V7", "XY19ZZZ", false, true), vehicle("V8", "LM20ABC", true, false)];
    let package = build_package(input);
    let flags: Vec<_> =
        package.vehicles.iter().map(|v| (v.vrm.as_str(), v.cloned_plate_suspected, v.false_plate_suspected)).collect();
    assert_eq!(flags, [("XY19ZZZ", false, true), ("LM20ABC", true, false)]);
    let dvla: Vec<_> = package.recommended_actions.iter().filter(|a| a.starts_with("verify VRM")).collect();
    assert_eq!(
        dvla,
        [
            "verify VRM XY19ZZZ with DVLA: false plate reported by a retailer, vehicle V7",
            "verify VRM LM20ABC with DVLA: cloned plate suspected (seen on vehicles that cannot be the same car), vehicle V8",
        ]
    );
}

#[test]
fn each_action_appears_once_when_two_vehicles_carry_one_plate() {
    let mut input = profile();
    input.vehicles = vec![vehicle("V7", "XY19ZZZ", true, false), vehicle("V9", "XY19ZZZ", true, false)];
    let actions = build_package(input).recommended_actions;
    let anpr = actions.iter().filter(|a| a.starts_with("check ANPR for VRM XY19ZZZ")).count();
    let marker = actions.iter().filter(|a| *a == "consider a vehicle marker for VRM XY19ZZZ").count();
    assert_eq!((anpr, marker), (1, 1), "{actions:?}");
    let mut unique = actions.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), actions.len(), "{actions:?}");
}

#[test]
fn a_vehicle_with_no_plate_read_is_described_not_reported_as_an_empty_partial_read() {
    let mut input = profile();
    let mut unread = vehicle("V5", "", false, false);
    unread.partial_plate_only = true;
    input.vehicles = vec![unread];
    let package = build_package(input);
    let text = format!("{:?} {:?}", package.intelligence_gaps, package.recommended_actions);
    assert!(!text.contains("read as )") && !text.contains("partial VRM  ("), "{text}");
    assert!(package.intelligence_gaps.contains(&"no plate read for vehicle V5 (blue Mercedes)".to_owned()), "{text}");
    assert!(
        package.recommended_actions.iter().any(|a| a.starts_with("identify vehicle V5 (blue Mercedes, no plate read)")),
        "{text}"
    );
}

#[test]
fn a_withdrawn_package_title_claims_no_persons_offences_or_loss() {
    let withdrawn = withdrawn_package(&build_package(profile()), "group dissolved");
    assert_eq!(withdrawn.title, "Withdrawn: organised crime group G00000001 (group dissolved)");
    assert_eq!(withdrawn.total_loss_pence, Pence::ZERO);
}

#[test]
fn a_huge_line_value_never_turns_a_total_negative() {
    let mut input = profile();
    input.offences[0].value_pence = Pence::new(i64::MAX);
    let package = build_package(input);
    assert_eq!(package.total_loss_pence, Pence::new(i64::MAX));
    assert!(!package.title.contains("£-"), "{}", package.title);
}

/// A group of two: P1 in both offences with the car V1, P2 only in the second.
fn published_version() -> orca_model::package::IntelligencePackage {
    use orca_model::package::{LinkChartEdge, PackageOutcome};
    let mut input = profile();
    input.offences[0].person_ids = vec!["P1".into(), "P2".into()];
    input.offences[1].person_ids = vec!["P1".into()];
    input.offences[1].vehicle_ids = vec!["V1".into()];
    input.link_chart = vec![
        LinkChartEdge {
            from: "P1".to_owned(),
            to: "P2".to_owned(),
            kind: "co-offending".to_owned(),
            ..Default::default()
        },
        LinkChartEdge {
            from: "P1".to_owned(),
            to: "V1".to_owned(),
            kind: "used-vehicle".to_owned(),
            ..Default::default()
        },
    ];
    input.outcomes =
        vec![PackageOutcome { outcome_id: "O-1".to_owned(), person_id: "P2".into(), ..Default::default() }];
    let package = build_package(input);
    assert!(package.recommended_actions.iter().any(|a| a.contains("INC-2")), "{:?}", package.recommended_actions);
    package
}

#[test]
fn an_earlier_version_forgets_a_disposed_report_and_whoever_only_it_named() {
    let mut package = published_version();
    let scrub = HistoryScrub { disposed: vec![IncidentId::new("INC-2")], erased: Vec::new() };
    assert!(scrub_version(&mut package, &scrub));
    let incidents: Vec<&str> = package.offences.iter().map(|o| o.incident_id.as_str()).collect();
    assert_eq!(incidents, ["INC-1"]);
    let subjects: Vec<&str> = package.subjects.iter().map(|s| s.person_id.as_str()).collect();
    assert_eq!(subjects, ["P1"], "P2 was named only by the disposed report");
    assert_eq!(package.link_chart.len(), 1, "the edge to P2 goes: {:?}", package.link_chart);
    assert!(package.outcomes.is_empty(), "P2's outcome goes");
    assert_eq!(package.total_loss_pence, Pence::new(20_000), "as published");
    let note = package.intelligence_gaps.last().unwrap();
    assert!(note.starts_with("since this version was published, 1 of its 2 offences (reports disposed of"), "{note}");
    let text = serde_json::to_string(&package).unwrap();
    assert!(!text.contains("INC-2"), "nothing cites the disposed report: {text}");
    assert!(package.recommended_actions.iter().any(|a| a.contains(scrub::DISPOSED_REPORT)));
    assert_eq!(package.vehicles.len(), 2, "V1 is still in INC-1");
    assert!(!scrub_version(&mut package, &scrub), "a second scrub changes nothing");
}

#[test]
fn an_earlier_version_forgets_an_erased_sighting_but_keeps_the_person_where_other_reports_name_them() {
    let mut package = published_version();
    let scrub = HistoryScrub {
        disposed: Vec::new(),
        erased: vec![(IncidentId::new("INC-2"), "P1".into()), (IncidentId::new("INC-2"), "P2".into())],
    };
    assert!(scrub_version(&mut package, &scrub));
    let subjects: Vec<&str> = package.subjects.iter().map(|s| s.person_id.as_str()).collect();
    assert_eq!(subjects, ["P1"], "P1 is still named by INC-1; P2 by nothing");
    let second = package.offences.iter().find(|o| o.incident_id.as_str() == "INC-2").unwrap();
    assert!(second.person_ids.is_empty(), "the offence stays, without the erased sightings");
    assert!(!serde_json::to_string(&package).unwrap().contains("\"P2\""));
    assert_eq!(package.offences.len(), 2);
    let note = package.intelligence_gaps.last().unwrap();
    assert!(note.starts_with("since this version was published, 2 erased sightings left it"), "{note}");
}

#[test]
fn the_version_after_a_disposal_still_says_so_against_an_earlier_version_rewritten_without_it() {
    use orca_model::package::ReportNotice;
    let published = published_version();
    let mut next = published.clone();
    next.offences.retain(|o| o.incident_id.as_str() != "INC-2");
    next.report_notices = vec![ReportNotice {
        incident_id: IncidentId::new("INC-2"),
        revision: 2,
        withdrawn: true,
        reason: "review 2033".to_owned(),
        disposed: true,
    }];
    let mut earlier = published.clone();
    scrub_version(&mut earlier, &HistoryScrub { disposed: vec![IncidentId::new("INC-2")], erased: Vec::new() });
    for old in [&published, &earlier] {
        let said = changes(old, &next);
        let withdrawn: Vec<&Change> = said.iter().filter(|c| c.kind == "offence-withdrawn").collect();
        assert_eq!(withdrawn.len(), 1, "{said:?}");
        assert!(withdrawn[0].detail.ends_with("disposed of under the retention schedule: review 2033"), "{said:?}");
    }
    let later = next.clone();
    assert!(!changes(&next, &later).iter().any(|c| c.kind == "offence-withdrawn"), "said once");
}
