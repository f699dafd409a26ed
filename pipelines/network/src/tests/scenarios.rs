use super::fixtures::{report, spree};
use crate::{Linker, LinkerConfig, MemberRole};
use orca_model::package::NimLevel;
use orca_model::{EntityKind, ForceId, IncidentId, Resolution};

fn linker_with(resolutions: &[Resolution]) -> Linker {
    let mut linker = Linker::new(LinkerConfig::default());
    for resolution in resolutions {
        linker.apply(resolution);
    }
    linker
}

fn members(linker: &Linker, group: &str) -> Vec<String> {
    let mut ids: Vec<String> =
        linker.group(group).expect("group").members.iter().map(|m| m.person.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn a_crew_offending_together_for_weeks_across_forces_is_a_group_with_one_package() {
    let crew = ["P1", "P2", "P3"];
    let forces = ["west-midlands", "staffordshire", "west-midlands", "west-midlands"];
    let mut resolutions = spree("A", &crew, &forces, &[0, 3, 9, 14]);
    let named =
        report("INC-A-4", "warwickshire", 20).persons(&["P1", "P3"]).named("P2", "Jon", "Smith", Some("sw 1234 abcd"));
    resolutions.push(named.value(10_000).build());
    let mut linker = linker_with(&resolutions);
    let packages = linker.refresh();

    assert_eq!(packages.len(), 1);
    let package = &packages[0];
    assert_eq!(package.id.as_str(), "PKG-G00000001");
    assert_eq!(package.version, 1);
    assert_eq!(package.lead_force.as_str(), "west-midlands", "most incidents");
    assert_eq!(package.affected_forces, vec!["staffordshire".into(), "warwickshire".into()]);
    assert_eq!(package.nim_level, NimLevel::CrossBorder);
    assert_eq!(package.offences.len(), 5);
    assert_eq!(package.total_loss_pence, orca_model::Pence::new(50_000));
    assert_eq!(package.security_marking, "OFFICIAL-SENSITIVE");
    assert_eq!(package.provenance.source, "stage:linker");
    assert_eq!(package.as_of, package.offences.last().map(|o| o.occurred_at));
    let corridor: Vec<&str> = package.corridor.iter().map(|f| f.as_str()).collect();
    assert_eq!(corridor, ["west-midlands", "staffordshire", "warwickshire"]);

    let group = linker.group("G00000001").expect("group view");
    assert_eq!(members(&linker, "G00000001"), ["P1", "P2", "P3"]);
    assert!(group.members.iter().all(|m| m.role == MemberRole::Core && m.degree == 2));
    let person = linker.person("P2").unwrap();
    assert_eq!(person.groups, vec!["G00000001".into()]);
    assert_eq!(person.names, ["Jon Smith"]);
    assert_eq!(person.marker_codes, ["SW1234ABCD"], "marker codes are normalised");
    assert_eq!(person.sightings.len(), 5);
    assert_eq!(package.subjects.iter().find(|s| s.person_id.as_str() == "P2").unwrap().display_name, "Jon Smith");
}

#[test]
fn redelivering_resolutions_changes_nothing() {
    let resolutions = spree("A", &["P1", "P2", "P3"], &["kent"], &[0, 5, 12, 18, 25]);
    let mut linker = linker_with(&resolutions);
    assert_eq!(linker.refresh().len(), 1);
    linker.take_changes();
    for resolution in &resolutions {
        linker.apply(resolution);
    }
    assert!(linker.refresh().is_empty(), "no new version");
    assert!(linker.take_changes().is_empty(), "no state change");
}

#[test]
fn a_pair_a_single_outing_and_a_pair_with_passing_thirds_are_not_groups() {
    let mut resolutions = spree("PAIR", &["P1", "P2"], &["kent"], &[0, 4, 8, 15, 30]);
    resolutions.extend(spree("ONCE", &["P5", "P6", "P7"], &["kent"], &[2]));
    resolutions.extend(spree("DAY", &["P8", "P9", "P10"], &["kent"], &[3, 3, 3]));
    // A pair with a different third person each time: only two act together repeatedly.
    for (i, third) in ["Q3", "Q4", "Q5", "Q6", "Q7"].iter().enumerate() {
        resolutions.push(report(&format!("INC-Q-{i}"), "kent", i as i64 * 6).persons(&["Q1", "Q2", third]).build());
    }
    let mut linker = linker_with(&resolutions);
    assert!(linker.refresh().is_empty());
    assert!(linker.groups().is_empty());
}

#[test]
fn a_new_incident_updates_the_package_and_leaves_other_groups_alone() {
    let mut resolutions = spree("A", &["P1", "P2", "P3"], &["kent"], &[0, 5, 12, 16, 19]);
    resolutions.extend(spree("B", &["P4", "P5", "P6"], &["essex"], &[1, 6, 14, 17, 19]));
    let mut linker = linker_with(&resolutions);
    assert_eq!(linker.refresh().len(), 2);

    linker.apply(&report("INC-A-new", "sussex", 20).persons(&["P1", "P3"]).build());
    let packages = linker.refresh();
    assert_eq!(packages.len(), 1, "only the group the incident touched");
    assert_eq!(packages[0].version, 2);
    assert_eq!(packages[0].offences.len(), 6);
    assert_eq!(packages[0].affected_forces, vec!["sussex".into()]);
}

#[test]
fn two_groups_joined_by_one_shared_vehicle_stay_two_groups_listing_the_vehicle() {
    let days = [0, 4, 9, 16, 25];
    let mut resolutions = Vec::new();
    for (i, &d) in days.iter().enumerate() {
        let a = report(&format!("INC-A-{i}"), "kent", d).persons(&["A1", "A2", "A3", "A4"]);
        let b = report(&format!("INC-B-{i}"), "essex", d + 1).persons(&["B1", "B2", "B3", "B4"]);
        // The same car turns up with both crews.
        let (a, b) = if i < 2 { (a.vehicle("V1", "AB12CDE"), b.vehicle("V1", "AB12CDE")) } else { (a, b) };
        resolutions.push(a.build());
        resolutions.push(b.build());
    }
    let mut linker = linker_with(&resolutions);
    linker.refresh();

    let groups = linker.groups();
    assert_eq!(groups.len(), 2, "{groups:#?}");
    assert_eq!(members(&linker, "G00000001"), ["A1", "A2", "A3", "A4"]);
    assert_eq!(members(&linker, "G00000002"), ["B1", "B2", "B3", "B4"]);
    for group in &groups {
        assert_eq!(group.vehicles.len(), 1);
        assert_eq!(group.vehicles[0].vrm, "AB12CDE");
        assert!(group.links.iter().any(|l| l.kind == "used-vehicle" && l.to == "V1"));
    }
    // The link graph joins both crews through the car.
    let graph = linker.group_link_graph("G00000001").unwrap();
    let vehicle = graph.node_indices().find(|&n| graph[n] == crate::LinkNode::Vehicle("V1".into())).unwrap();
    let incidents_with_car =
        graph.neighbors(vehicle).filter(|&n| matches!(graph[n], crate::LinkNode::Incident(_))).count();
    assert_eq!(incidents_with_car, 2, "the group's two incidents with the car");
    assert!(graph.node_weights().any(|n| *n == crate::LinkNode::Force("kent".into())));
    let everyone = linker.link_graph(&["A1".into(), "B1".into()]);
    let vehicle = everyone.node_indices().find(|&n| everyone[n] == crate::LinkNode::Vehicle("V1".into())).unwrap();
    let persons_on_car =
        everyone.neighbors(vehicle).filter(|&n| matches!(everyone[n], crate::LinkNode::Person(_))).count();
    assert_eq!(persons_on_car, 8, "every member of both crews used the car");
}

#[test]
fn merging_two_persons_joins_their_groups_under_one_id_and_withdraws_the_other() {
    let mut resolutions = spree("A", &["A1", "A2", "X"], &["kent"], &[0, 5, 12, 20, 26]);
    resolutions.extend(spree("B", &["B1", "B2", "Y"], &["essex"], &[1, 6, 14, 22, 28]));
    let mut linker = linker_with(&resolutions);
    assert_eq!(linker.refresh().len(), 2);
    assert_eq!(members(&linker, "G00000001"), ["A1", "A2", "X"]);

    // The resolver finds X and Y are one person (X survives).
    linker.apply(&report("INC-M", "essex", 30).persons(&["X", "B1"]).merge(EntityKind::Person, "X", "Y").build());
    let packages = linker.refresh();

    assert_eq!(linker.groups().len(), 1);
    let joined = &linker.groups()[0];
    assert_eq!(joined.id.as_str(), "G00000001", "the group with the larger overlap keeps its id");
    assert_eq!(members(&linker, "G00000001"), ["A1", "A2", "B1", "B2", "X"]);
    assert_eq!(linker.person("Y").unwrap().id.as_str(), "X", "the merged id redirects");
    assert_eq!(linker.person("X").unwrap().merged_ids, vec!["Y".into()]);
    assert_eq!(linker.person_of_sighting(&IncidentId::new("INC-B-0"), 2).unwrap().as_str(), "X");
    let ids: Vec<(&str, &str)> = packages.iter().map(|p| (p.id.as_str(), p.title.as_str())).collect();
    assert_eq!(packages.len(), 2, "{ids:?}");
    assert!(packages[1].title.starts_with("Withdrawn: "), "G00000002 is withdrawn: {ids:?}");
    assert_eq!(packages[1].version, 2);
}

#[test]
fn a_group_whose_bridge_turns_out_to_be_two_people_splits_in_two() {
    // X seems to run with both crews; the analyst finds two people (X and X2).
    let mut resolutions = spree("A", &["A1", "A2", "X"], &["kent"], &[0, 5, 12, 20, 26]);
    let crew_b = spree("B", &["B1", "B2", "X"], &["essex"], &[1, 6, 14, 22, 28]);
    resolutions.extend(crew_b.iter().cloned());
    let mut linker = linker_with(&resolutions);
    linker.refresh();
    assert_eq!(linker.groups().len(), 1);
    assert_eq!(members(&linker, "G00000001"), ["A1", "A2", "B1", "B2", "X"]);
    let group = linker.group("G00000001").unwrap();
    let bridge = group.members.iter().find(|m| m.person.as_str() == "X").unwrap();
    // X lies on the shortest paths of the 4 cross-crew pairs among the 6 pairs of other members.
    assert_eq!((bridge.degree, bridge.betweenness), (4, 0.666667));
    assert_eq!(group.disruption[0].target, "X", "removing X cuts the group in two");
    assert_eq!(group.disruption[0].pieces, 2);

    // The resolver splits X2 off X and re-sends crew B's incidents with the new id.
    let mut relinked: Vec<Resolution> = crew_b
        .into_iter()
        .map(|mut r| {
            r.persons[2].entity_id = "X2".to_owned();
            r
        })
        .collect();
    let split = report("INC-B-0", "essex", 1).persons(&["B1", "B2", "X2"]).split(EntityKind::Person, "X", "X2");
    relinked[0].splits = split.build().splits;
    for resolution in &relinked {
        linker.apply(resolution);
    }
    let packages = linker.refresh();

    assert_eq!(linker.groups().len(), 2);
    assert_eq!(members(&linker, "G00000001"), ["A1", "A2", "X"], "the larger part keeps the id");
    assert_eq!(members(&linker, "G00000002"), ["B1", "B2", "X2"]);
    assert_eq!(linker.person("X2").unwrap().split_from.unwrap().as_str(), "X");
    assert_eq!(packages.len(), 2);
    assert_eq!(packages[0].version, 2, "the continuing group's package is revised");
    assert_eq!(packages[1].version, 1);
}

#[test]
fn a_restored_linker_carries_on_exactly_as_the_original() {
    let mut resolutions = spree("A", &["A1", "A2", "A3"], &["kent", "surrey"], &[0, 5, 12, 20, 26]);
    resolutions.extend(spree("B", &["B1", "B2", "B3"], &["essex"], &[1, 6, 14, 22, 28]));
    let mut original = linker_with(&resolutions);
    original.refresh();
    let records: Vec<orca_model::StoredRecord> = original
        .take_changes()
        .into_iter()
        .filter_map(|c| c.value.map(|value| orca_model::StoredRecord { namespace: c.namespace, key: c.key, value }))
        .collect();
    let mut restored = Linker::restore(LinkerConfig::default(), records).expect("restore");
    assert_eq!(restored.groups(), original.groups());
    assert!(restored.refresh().is_empty());

    let next = report("INC-A-next", "sussex", 35).persons(&["A1", "A2", "B1"]).build();
    original.apply(&next);
    restored.apply(&next);
    assert_eq!(restored.refresh(), original.refresh());
    assert_eq!(restored.groups(), original.groups());
}

#[test]
fn a_lone_prolific_offender_gets_a_system_defined_package_by_the_forces_thresholds() {
    let mut config = LinkerConfig::default();
    config
        .prolific
        .per_force
        .insert("kent".into(), crate::ProlificThreshold { min_offences: 10, ..crate::ProlificThreshold::default() });
    let mut linker = Linker::new(config);
    for i in 0..12 {
        linker.apply(&report(&format!("INC-K-{i}"), "kent", i * 7).persons(&["P9"]).value(2_000).build());
        linker.apply(&report(&format!("INC-E-{i}"), "essex", i * 7 + 1).persons(&["P9"]).value(2_000).build());
    }
    let packages = linker.refresh();

    assert!(linker.groups().is_empty(), "one person is not a group");
    assert_eq!(packages.len(), 1);
    let package = &packages[0];
    assert_eq!(package.id.as_str(), "PKG-P9");
    assert_eq!(package.subject_kind, orca_model::package::SubjectKind::ProlificOffender);
    assert!(package.title.contains("system-defined"), "{}", package.title);
    assert_eq!(package.lead_force.as_str(), "kent", "only kent's threshold (10) is met; essex uses the default 20");
    assert_eq!(package.affected_forces, vec!["essex".into()]);
    assert_eq!(package.offences.len(), 24);
    let prolific = &package.score.factors[0];
    assert_eq!(prolific.name, "prolific (system-defined)");
    assert_eq!(prolific.evidence, ["meets the kent threshold: 12 offences in 365 days (threshold 10)"]);
    assert_eq!(linker.prolific_offenders()[0].person.as_str(), "P9");

    // Merged into another person, the package is withdrawn and the survivor is judged instead.
    linker.apply(&report("INC-M", "kent", 90).persons(&["P1"]).merge(EntityKind::Person, "P1", "P9").build());
    let packages = linker.refresh();
    let ids: Vec<(&str, u32)> = packages.iter().map(|p| (p.id.as_str(), p.version)).collect();
    assert_eq!(ids, [("PKG-P1", 1), ("PKG-P9", 2)]);
    assert!(packages[1].title.starts_with("Withdrawn: "));
}

#[test]
fn a_prolific_offender_who_joins_a_group_keeps_a_package_for_what_they_do_outside_it() {
    let mut linker = linker_with(&spree("SOLO", &["P1"], &["kent"], &(0..25).map(|d| d * 3).collect::<Vec<_>>()));
    assert_eq!(linker.refresh().len(), 1, "PKG-P1 for the lone offender");

    for resolution in spree("CREW", &["P1", "P2", "P3"], &["kent"], &[80, 85, 92, 96, 100]) {
        linker.apply(&resolution);
    }
    let packages = linker.refresh();
    let ids: Vec<(&str, u32)> = packages.iter().map(|p| (p.id.as_str(), p.version)).collect();
    assert_eq!(ids, [("PKG-G00000001", 1), ("PKG-P1", 2)]);
    let (group, own) = (&packages[0], &packages[1]);

    // The group's package lists the member's own offending, marked, beside the group's.
    let outside: Vec<&str> =
        group.offences.iter().filter(|o| o.outside_group).map(|o| o.incident_id.as_str()).collect();
    assert_eq!((group.offences.len(), outside.len()), (30, 25));
    assert!(outside.iter().all(|id| id.starts_with("INC-SOLO")), "{outside:?}");
    assert!(group.title.contains("30 offences (25 by members outside the group)"), "{}", group.title);
    assert_eq!(group.corridor, vec![ForceId::from("kent")]);

    // His own package stays, for the offending outside the group only, and says where the rest is.
    assert!(!own.withdrawn);
    assert_eq!(own.offences.len(), 25);
    assert!(own.offences.iter().all(|o| o.incident_id.as_str().starts_with("INC-SOLO")));
    assert!(
        own.intelligence_gaps.contains(
            &"a member of organised crime group G00000001: offences with the group are in PKG-G00000001, not here"
                .to_owned()
        ),
        "{:?}",
        own.intelligence_gaps
    );
    assert_eq!(linker.prolific_offenders().len(), 1);
}

#[test]
fn a_group_member_below_the_threshold_outside_the_group_has_no_package_of_their_own() {
    let mut linker = linker_with(&spree("SOLO", &["P1"], &["kent"], &(0..25).map(|d| d * 3).collect::<Vec<_>>()));
    assert_eq!(linker.refresh().len(), 1, "PKG-P1 for the lone offender");
    // The same crew, but the lone spree was really P1 with P2: all of it is the group's now.
    let mut together = spree("SOLO", &["P1", "P2"], &["kent"], &(0..25).map(|d| d * 3).collect::<Vec<_>>());
    together.extend(spree("CREW", &["P1", "P2", "P3"], &["kent"], &[80, 85, 92, 96, 100]));
    for resolution in together {
        linker.apply(&resolution);
    }
    let packages = linker.refresh();
    let own = packages.iter().find(|p| p.id.as_str() == "PKG-P1").expect("P1's package changes");
    assert!(own.withdrawn);
    assert_eq!(
        own.intelligence_gaps,
        ["withdrawn: profiled as a member of group G00000001; no threshold met outside it"]
    );
    let group = packages.iter().find(|p| p.id.as_str() == "PKG-G00000001").expect("the group");
    assert!(group.offences.iter().all(|o| !o.outside_group));
    assert!(linker.prolific_offenders().is_empty());
}

#[test]
fn the_configuration_reads_from_json_with_defaults_and_refuses_unknown_keys() {
    let config: LinkerConfig = serde_json::from_str(
        r#"{"community": {"quality": "modularity", "resolution": 1.0}, "groups": {"min_incidents": 5}}"#,
    )
    .unwrap();
    assert_eq!(config.community.quality, crate::QualityFunction::Modularity);
    assert_eq!(config.groups.min_incidents, 5);
    assert_eq!(config.groups.min_members, 3, "the rest keeps its defaults");
    assert!(serde_json::from_str::<LinkerConfig>(r#"{"groups": {"min_member": 2}}"#).is_err());

    // Modularity finds the same crew.
    let mut linker = Linker::new(config);
    for resolution in spree("A", &["P1", "P2", "P3"], &["kent"], &[0, 5, 12, 20, 30]) {
        linker.apply(&resolution);
    }
    linker.refresh();
    assert_eq!(members(&linker, "G00000001"), ["P1", "P2", "P3"]);
}

#[test]
fn scores_are_factor_vectors_with_evidence_and_a_band_by_the_stated_rule() {
    let mut resolutions = Vec::new();
    for i in 0..10 {
        let force = ["kent", "essex", "surrey"][i % 3];
        let mut report = report(&format!("INC-{i}"), force, i as i64 * 2).persons(&["P1", "P2", "P3"]).value(200_000);
        if i == 0 {
            report = report.vehicle("V1", "AB12CDE");
        }
        resolutions.push(report.build());
    }
    let mut linker = linker_with(&resolutions);
    linker.refresh();
    let score = linker.group("G00000001").unwrap().score;
    let factor = |name: &str| score.factors.iter().find(|f| f.name == name).unwrap().clone();
    assert_eq!(factor("harm").band, "high", "£20,000 stolen");
    assert_eq!(factor("harm").evidence[0], "total loss £20000");
    assert_eq!(factor("scope").band, "high", "three forces");
    assert_eq!(factor("frequency").value, 10.0, "all ten within 30 days of the latest");
    assert_eq!(factor("capability").band, "medium", "one vehicle, genuine plate");
    assert_eq!(factor("confidence").band, "high");
    assert_eq!(score.priority_band, "high");
    assert!(score.rule.starts_with("high when at least 2 of harm"));
}
