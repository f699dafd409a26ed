//! The read model on resolutions and packages written by hand: networks, paths, timelines, the
//! review queue, merges, splits, relinks and what became of groups.

use crate::network::{ExpandOptions, LinkKind, NodeRef};
use crate::{GroupStatus, Workspace};
use chrono::{DateTime, Duration, TimeZone, Utc};
use orca_model::package::{IntelligencePackage, Offence, PackageSubject, Score, SubjectKind};
use orca_model::{
    DecisionResult, EntityKind, EntityMerge, EntitySplit, GroupId, Incident, IncidentId, LineItem, LinkDecision,
    PersonRole, PersonSighting, Resolution, SightingLink, VehicleRole, VehicleSighting,
};

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap() + Duration::days(n)
}

struct Report(Resolution);

fn report(id: &str, force: &str, day_number: i64) -> Report {
    Report(Resolution {
        incident_id: IncidentId::new(id),
        incident: Some(Incident {
            id: IncidentId::new(id),
            retailer: "northmart".into(),
            store: format!("NM-{force}").into(),
            force: force.into(),
            occurred_from: Some(day(day_number)),
            line_items: vec![LineItem { quantity: 1, unit_price_pence: 2_000, ..LineItem::default() }],
            ..Incident::default()
        }),
        persons: Vec::new(),
        vehicles: Vec::new(),
        merges: Vec::new(),
        splits: Vec::new(),
        decisions: Vec::new(),
        withdrawal: None,
    })
}

fn link(index: usize, entity: &str, probability: f64, decision: LinkDecision) -> SightingLink {
    SightingLink {
        sighting_index: index as u32,
        entity_id: entity.into(),
        decision,
        probability,
        evidence: Vec::new(),
        candidate: None,
        runner_up: None,
    }
}

impl Report {
    fn incident(&mut self) -> &mut Incident {
        self.0.incident.as_mut().expect("a report carries its incident")
    }

    fn person(mut self, name: &str, entity: &str, probability: f64) -> Self {
        let (given, family) = name.split_once(' ').unwrap_or((name, ""));
        let index = self.incident().persons.len();
        let sighting = PersonSighting {
            role: PersonRole::Suspect,
            given_names: given.into(),
            family_name: family.into(),
            ..Default::default()
        };
        self.incident().persons.push(sighting);
        self.0.persons.push(link(index, entity, probability, LinkDecision::AutoLink));
        self
    }

    fn possible(mut self, name: &str, entity: &str, candidate: &str, probability: f64) -> Self {
        self = self.person(name, entity, probability);
        let last = self.0.persons.last_mut().unwrap();
        last.decision = LinkDecision::PossibleMatch;
        last.candidate = Some(candidate.into());
        self
    }

    fn witness(mut self, name: &str) -> Self {
        let sighting = PersonSighting { role: PersonRole::Witness, given_names: name.into(), ..Default::default() };
        self.incident().persons.push(sighting);
        self
    }

    fn marker(mut self, code: &str) -> Self {
        self.incident().persons.last_mut().unwrap().marker_code = Some(code.into());
        self
    }

    fn vehicle(mut self, vrm: &str, entity: &str, role: VehicleRole) -> Self {
        let index = self.incident().vehicles.len();
        let sighting = VehicleSighting { vrm: vrm.into(), make: "Ford".into(), role, ..Default::default() };
        self.incident().vehicles.push(sighting);
        self.0.vehicles.push(link(index, entity, 0.99, LinkDecision::AutoLink));
        self
    }

    fn violent(mut self) -> Self {
        self.incident().violence = true;
        self
    }

    fn apply(self, workspace: &mut Workspace) {
        workspace.apply_resolution(&self.0);
    }
}

fn group_package(
    id: &str,
    version: u32,
    members: &[(&str, &str)],
    incidents: &[&str],
    band: &str,
) -> IntelligencePackage {
    IntelligencePackage {
        id: format!("PKG-{id}").into(),
        version,
        subject_kind: SubjectKind::Group,
        subject_id: id.into(),
        title: format!("Group {id}"),
        lead_force: "kent".into(),
        subjects: (members.iter())
            .map(|(person, role)| PackageSubject {
                person_id: (*person).into(),
                role: (*role).into(),
                match_confidence: 0.95,
                incident_count: 2,
                ..Default::default()
            })
            .collect(),
        offences: incidents.iter().map(|i| Offence { incident_id: (*i).into(), ..Default::default() }).collect(),
        score: Score { priority_band: band.into(), ..Default::default() },
        ..Default::default()
    }
}

fn withdrawal(id: &str, version: u32) -> IntelligencePackage {
    IntelligencePackage {
        id: format!("PKG-{id}").into(),
        version,
        subject_kind: SubjectKind::Group,
        subject_id: id.into(),
        title: format!("Withdrawn: Group {id}"),
        intelligence_gaps: vec!["withdrawn: the group no longer meets the thresholds".into()],
        ..Default::default()
    }
}

/// Ann and Bob offend together twice (Bob in a Ford), Bob and Cal once, Cal and Dee once (weakly),
/// and Eve alone carries the same marker code as Ann.
fn crew() -> Workspace {
    let mut w = Workspace::new();
    report("I1", "kent", 0).person("Ann Ash", "P1", 0.99).marker("SW-11").person("Bob Bell", "P2", 0.97).apply(&mut w);
    report("I2", "kent", 1)
        .person("Ann Ash", "P1", 0.95)
        .person("Bob Bell", "P2", 0.99)
        .vehicle("AB12CDE", "V1", VehicleRole::UsedBySuspects)
        .witness("Staff Member")
        .apply(&mut w);
    report("I3", "essex", 2).person("Bob Bell", "P2", 0.99).person("Cal Cole", "P3", 0.9).apply(&mut w);
    report("I4", "essex", 3).person("Cal Cole", "P3", 0.99).person("Dee Dunn", "P4", 0.4).apply(&mut w);
    report("I5", "sussex", 4).person("Eve Ely", "P5", 0.99).marker("sw11").apply(&mut w);
    w
}

fn ids(w: &Workspace, nodes: &[(NodeRef, u32)]) -> Vec<(String, u32)> {
    nodes.iter().map(|(n, hop)| (w.node_id(n), *hop)).collect()
}

#[test]
fn expanding_follows_links_hop_by_hop_with_reasons() {
    let w = crew();
    let start = w.start_nodes("P1").unwrap();
    let one = w.expand(&start, &ExpandOptions::default());
    assert_eq!(ids(&w, &one.nodes), [("P1".into(), 0), ("P2".into(), 1), ("P5".into(), 1), ("V1".into(), 1)]);
    let together = one.edges.iter().find(|e| e.kind == LinkKind::CoOffending).unwrap();
    assert_eq!(together.incident_count, 2);
    assert_eq!(together.reason, "offended together at 2 incidents, latest 2026-03-02 in kent");
    assert!((together.confidence - 0.97).abs() < 1e-6, "the best incident's weaker sighting: {}", together.confidence);
    let marker = one.edges.iter().find(|e| e.kind == LinkKind::SharedMarker).unwrap();
    assert_eq!(marker.reason, "both tagged with forensic-marker code SW11");

    let two = w.expand(&start, &ExpandOptions { hops: 3, ..Default::default() });
    assert!(ids(&w, &two.nodes).contains(&("P3".into(), 2)) && ids(&w, &two.nodes).contains(&("P4".into(), 3)));
    let strong = w.expand(&start, &ExpandOptions { hops: 3, min_confidence: 0.5, ..Default::default() });
    assert!(!ids(&w, &strong.nodes).iter().any(|(id, _)| id == "P4"), "Dee's weak link is ignored");
    let vehicles_only = w.expand(&start, &ExpandOptions { kinds: vec![LinkKind::VehicleUse], ..Default::default() });
    assert_eq!(ids(&w, &vehicles_only.nodes), [("P1".into(), 0), ("V1".into(), 1)]);
    let small = w.expand(&start, &ExpandOptions { hops: 3, max_nodes: 3, ..Default::default() });
    assert!(small.truncated && small.nodes.len() == 3);
}

#[test]
fn witnesses_are_not_in_the_network_and_incidents_start_from_their_offenders() {
    let w = crew();
    let start = w.start_nodes("I2").unwrap();
    assert_eq!(start.len(), 3, "Ann, Bob and the Ford; never the witness");
    assert!(w.start_nodes("I9").is_none() && w.start_nodes("P99").is_none());
}

#[test]
fn shortest_paths_chain_the_fewest_links() {
    let w = crew();
    let (from, to) = (w.start_nodes("P1").unwrap(), w.start_nodes("P4").unwrap());
    let path = w.shortest_path(&from, &to, &ExpandOptions::default(), 6).unwrap();
    assert_eq!(ids(&w, &path.nodes).into_iter().map(|(id, _)| id).collect::<Vec<_>>(), ["P1", "P2", "P3", "P4"]);
    assert_eq!(path.edges.len(), 3);
    assert!(w.shortest_path(&from, &to, &ExpandOptions::default(), 2).is_none(), "too far");
    let strong = ExpandOptions { min_confidence: 0.5, ..Default::default() };
    assert!(w.shortest_path(&from, &to, &strong, 6).is_none());
}

#[test]
fn merges_redirect_and_a_redelivery_changes_nothing() {
    let mut w = crew();
    report("I7", "kent", 5).person("", "P7", 0.99).apply(&mut w);
    report("I8", "kent", 6).person("Amy Ash", "P8", 0.99).apply(&mut w);
    let mut unnamed = report("I9", "kent", 7).person("", "P7", 0.99);
    unnamed.0.merges.push(EntityMerge {
        kind: EntityKind::Person,
        survivor: "P7".into(),
        merged: vec!["P8".into()],
        reason: "face".into(),
    });
    unnamed.apply(&mut w);
    let p7 = w.find(EntityKind::Person, "P7").unwrap().number;
    assert_eq!(w.label_of(EntityKind::Person, p7), "Amy Ash", "a survivor takes a merged entity's better label");
    let mut merge = report("I6", "kent", 5).person("Ann Ash", "P6", 0.99);
    merge.0.merges.push(EntityMerge {
        kind: EntityKind::Person,
        survivor: "P1".into(),
        merged: vec!["P6".into()],
        reason: "matched both".into(),
    });
    let resolution = merge.0.clone();
    let touched = w.apply_resolution(&resolution);
    assert_eq!(touched.retired, [(EntityKind::Person, "P6".to_owned())]);
    let found = w.find(EntityKind::Person, "P6").unwrap();
    assert_eq!((w.entity_id(EntityKind::Person, found.number), found.redirected_from.as_deref()), ("P1", Some("P6")));
    assert_eq!(w.incidents_of(EntityKind::Person, found.number).len(), 3);
    let again = w.apply_resolution(&resolution);
    assert!(again.incidents.is_empty() && again.persons.is_empty(), "{again:?}");
}

#[test]
fn a_relink_moves_sightings_and_answers_the_decision() {
    let mut w = crew();
    report("I6", "kent", 5).possible("Bob Bel", "P6", "P2", 0.6).apply(&mut w);
    assert_eq!(w.review_queue(None, None).len(), 1);
    // The analyst rejected P2 for Bob's sighting in I2: it leaves P2 as P7.
    let mut relink = Resolution {
        incident_id: "I2".into(),
        incident: None,
        persons: vec![link(0, "P1", 0.95, LinkDecision::AutoLink), link(1, "P7", 0.99, LinkDecision::AnalystRejected)],
        vehicles: vec![link(0, "V1", 0.99, LinkDecision::AutoLink)],
        merges: Vec::new(),
        splits: vec![EntitySplit {
            kind: EntityKind::Person,
            from: "P2".into(),
            new_ids: vec!["P7".into()],
            reason: "analyst rejected".into(),
        }],
        decisions: vec![DecisionResult { decision_id: "D1".into(), applied: true, message: "split".into() }],
        withdrawal: None,
    };
    let touched = w.apply_resolution(&relink);
    assert_eq!(touched.decisions, ["D1"]);
    assert_eq!(w.decision("D1").map(|d| d.applied), Some(true));
    let p2 = w.find(EntityKind::Person, "P2").unwrap().number;
    let p7 = w.find(EntityKind::Person, "P7").unwrap().number;
    assert_eq!(w.incidents_of(EntityKind::Person, p2).len(), 2, "I1 and I3 remain");
    assert_eq!(w.incidents_of(EntityKind::Person, p7).len(), 1);
    assert_eq!(w.split_from(EntityKind::Person, p7).as_deref(), Some("P2"));
    assert_eq!(w.label_of(EntityKind::Person, p7), "Bob Bell");
    let start = w.start_nodes("P7").unwrap();
    let network = w.expand(&start, &ExpandOptions::default());
    assert!(ids(&w, &network.nodes).contains(&("V1".into(), 1)), "the Ford goes with the sighting");

    // Reviewing the possible match takes it off the queue.
    relink.incident_id = "I6".into();
    relink.persons = vec![link(0, "P6", 0.6, LinkDecision::AnalystRejected)];
    relink.vehicles.clear();
    relink.splits.clear();
    relink.decisions = vec![DecisionResult { decision_id: "D2".into(), applied: true, message: String::new() }];
    w.apply_resolution(&relink);
    assert!(w.review_queue(None, None).is_empty());

    // A replay of the compacted resolutions topic may read a relink of an incident it has not
    // read (a later resolution of it superseded the first): its links are ignored, its merges kept.
    relink.incident_id = "I404".into();
    relink.decisions.clear();
    relink.merges = vec![EntityMerge {
        kind: EntityKind::Person,
        survivor: "P6".into(),
        merged: vec!["P404".into()],
        reason: "sighting I404#0 matched both entities".into(),
    }];
    let touched = w.apply_resolution(&relink);
    assert!(touched.incidents.is_empty(), "no incident is made up");
    assert_eq!(w.canonical(EntityKind::Person, "P404").map(|n| w.entity_id(EntityKind::Person, n)), Some("P6"));
}

#[test]
fn the_review_queue_puts_group_members_first_with_reasons() {
    let mut w = crew();
    report("I6", "kent", 5).possible("Ann A", "P6", "P1", 0.6).apply(&mut w);
    report("I7", "kent", 6).possible("Eve E", "P7", "P5", 0.7).violent().apply(&mut w);
    w.apply_package(&group_package("G1", 1, &[("P1", "core"), ("P2", "periphery")], &["I1", "I2"], "high"));
    let queue = w.review_queue(None, None);
    let candidates: Vec<&str> = queue.iter().map(|e| w.entity_id(EntityKind::Person, e.candidate)).collect();
    assert_eq!(candidates, ["P1", "P5"]);
    assert!(w.review_reasons(&queue[0]).contains(&"the candidate is a core member of G1, high priority".to_owned()));
    assert!(w.review_reasons(&queue[1]).contains(&"the incident involved violence or a weapon".to_owned()));
    assert!(w.review_queue(Some("essex"), None).is_empty());
    assert_eq!(w.review_queue(None, Some(EntityKind::Vehicle)).len(), 0);
}

#[test]
fn groups_keep_their_last_version_and_say_what_became_of_them() {
    let mut w = crew();
    w.apply_package(&group_package(
        "G1",
        1,
        &[("P1", "core"), ("P2", "core"), ("P3", "periphery")],
        &["I1", "I2", "I3"],
        "medium",
    ));
    let timeline = w.timeline(&NodeRef::Group("G1".into()), None, None);
    let incidents: Vec<&str> = timeline.iter().map(|e| w.incident(e.incident).id.as_str()).collect();
    assert_eq!(incidents, ["I1", "I2", "I3"]);
    assert_eq!(timeline[1].members.len(), 2);

    w.apply_package(&withdrawal("G1", 2));
    w.apply_package(&group_package("G2", 1, &[("P1", "core"), ("P2", "core"), ("P4", "core")], &["I1"], "high"));
    let g1 = w.group("G1").unwrap();
    assert!(!g1.active && g1.package.subjects.len() == 3, "the last active version is kept");
    let fate = w.fate(g1);
    assert_eq!(fate.status, GroupStatus::Merged);
    assert_eq!(
        fate.text,
        "merged into G2: 2 of its 3 members are in it now (the group no longer meets the thresholds)"
    );
    assert!(w.apply_package(&group_package("G1", 1, &[], &[], "")).is_none(), "an old version changes nothing");

    w.apply_package(&withdrawal("G2", 2));
    assert_eq!(w.fate(w.group("G1").unwrap()).status, GroupStatus::Dissolved);
    // Read back from the compacted packages topic, a group is only its withdrawal.
    w.apply_package(&withdrawal("G3", 4));
    assert_eq!(w.fate(w.group("G3").unwrap()).text, "dissolved (the group no longer meets the thresholds)");
    let p1 = w.find(EntityKind::Person, "P1").unwrap().number;
    assert!(w.groups_of_person(p1).is_empty());
}

#[test]
fn a_dissolved_group_forgets_an_erased_member_and_a_disposed_offence() {
    let mut w = crew();
    w.apply_package(&group_package(
        "G1",
        1,
        &[("P2", "core"), ("P3", "core"), ("P4", "periphery")],
        &["I3", "I4"],
        "low",
    ));
    w.apply_package(&withdrawal("G1", 2));
    assert_eq!(w.group("G1").unwrap().package.subjects.len(), 3, "kept as it last stood");

    // An analyst erases Dee at I4: the redaction keeps her place with nothing else.
    let mut redaction = report("I4", "essex", 3).person("Cal Cole", "P3", 0.99);
    redaction.incident().persons.push(PersonSighting { role: PersonRole::Erased, ..Default::default() });
    redaction.incident().revision = 2;
    redaction.incident().redaction = true;
    let touched = w.apply_resolution(&redaction.0);
    assert_eq!(touched.groups, [GroupId::new("G1")], "its document is written again");
    let kept = &w.group("G1").unwrap().package;
    let members: Vec<&str> = kept.subjects.iter().map(|s| s.person_id.as_str()).collect();
    assert_eq!(members, ["P2", "P3"], "Dee has no sighting left");
    assert_eq!(kept.offences.len(), 2, "I4 still has Cal");

    // I3 is disposed of: Bob and Cal keep their other reports, the offence goes.
    let mut disposal = Resolution::bare(IncidentId::new("I3"));
    disposal.withdrawal =
        Some(orca_model::Withdrawal { incident_id: IncidentId::new("I3"), disposed: true, ..Default::default() });
    assert_eq!(w.apply_resolution(&disposal).groups, [GroupId::new("G1")]);
    let kept = &w.group("G1").unwrap().package;
    assert_eq!(kept.offences.iter().map(|o| o.incident_id.as_str()).collect::<Vec<_>>(), ["I4"]);
    assert_eq!(kept.subjects.len(), 2);

    // An active group is left to its next version from the linker.
    w.apply_package(&group_package("G2", 1, &[("P1", "core"), ("P2", "core")], &["I1", "I2"], "high"));
    let mut withdrawn = Resolution::bare(IncidentId::new("I1"));
    withdrawn.withdrawal = Some(orca_model::Withdrawal { incident_id: IncidentId::new("I1"), ..Default::default() });
    assert!(w.apply_resolution(&withdrawn).groups.is_empty());
    assert_eq!(w.group("G2").unwrap().package.offences.len(), 2);
}

#[test]
fn timelines_run_in_time_order_with_who_was_there() {
    let w = crew();
    let p2 = w.find(EntityKind::Person, "P2").unwrap().number;
    let events = w.timeline(&NodeRef::Person(p2), Some(day(1)), None);
    let summary: Vec<(&str, Vec<&str>)> = events
        .iter()
        .map(|e| {
            let others = e.persons.iter().map(|&p| w.entity_id(EntityKind::Person, p)).collect();
            (w.incident(e.incident).id.as_str(), others)
        })
        .collect();
    assert_eq!(summary, [("I2", vec!["P1"]), ("I3", vec!["P3"])]);
}
