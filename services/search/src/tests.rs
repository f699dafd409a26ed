//! The index on hand-written resolutions: names by nickname, sound and typing error; dates of birth
//! swapped; plates misread, partial and patterned; incidents by phrase and filter; merges; and a
//! reopened index that answers as before.

use crate::apply::apply_batch;
use crate::index::SearchIndex;
use crate::indexer::commit_blocking;
use crate::searcher::SearchRequest;
use chrono::{TimeZone, Utc};
use orca_eventlog::{Record, topics};
use orca_explore::ParsedQuery;
use orca_model::{
    EntityKind, EntityMerge, EventType, Incident, IncidentId, LineItem, LinkDecision, PartialDate, PersonRole,
    PersonSighting, Resolution, SightingLink, VehicleRole, VehicleSighting,
};
use orca_proto::convert;
use prost::Message;
use tantivy::IndexWriter;

fn link(index: usize, entity: &str) -> SightingLink {
    SightingLink {
        sighting_index: index as u32,
        entity_id: entity.into(),
        decision: LinkDecision::AutoLink,
        probability: 0.98,
        evidence: Vec::new(),
        candidate: None,
        runner_up: None,
    }
}

fn suspect(given: &str, family: &str, born: &str) -> PersonSighting {
    PersonSighting {
        role: PersonRole::Suspect,
        given_names: given.into(),
        family_name: family.into(),
        date_of_birth: (!born.is_empty()).then(|| PartialDate::parse(born).unwrap()),
        ..Default::default()
    }
}

fn resolution(
    id: &str,
    force: &str,
    day: u32,
    persons: Vec<(PersonSighting, &str)>,
    vehicles: Vec<(&str, &str)>,
) -> Resolution {
    let incident = Incident {
        id: IncidentId::new(id),
        retailer: "northmart".into(),
        store: "NM-0001".into(),
        force: force.into(),
        occurred_from: Some(Utc.with_ymd_and_hms(2026, 3, day, 10, 0, 0).unwrap()),
        event_type: EventType::Shoplifting,
        line_items: vec![LineItem {
            description: "razor blades".into(),
            category: "razors".into(),
            quantity: 2,
            unit_price_pence: 1_500,
            ..Default::default()
        }],
        narrative: format!("Two males put razors into a lined bag and left ({id})."),
        police_crime_ref: format!("WM/{day}/26"),
        persons: persons.iter().map(|(p, _)| p.clone()).collect(),
        vehicles: (vehicles.iter())
            .map(|(vrm, _)| VehicleSighting {
                vrm: (*vrm).into(),
                make: "Ford".into(),
                colour: "silver".into(),
                role: VehicleRole::UsedBySuspects,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    Resolution {
        incident_id: IncidentId::new(id),
        incident: Some(incident),
        persons: persons.iter().enumerate().map(|(i, (_, e))| link(i, e)).collect(),
        vehicles: vehicles.iter().enumerate().map(|(i, (_, e))| link(i, e)).collect(),
        merges: Vec::new(),
        splits: Vec::new(),
        decisions: Vec::new(),
        withdrawal: None,
    }
}

fn record(offset: u64, resolution: &Resolution) -> Record {
    Record {
        topic: topics::RESOLUTIONS.into(),
        partition: 0,
        offset,
        key: resolution.incident_id.as_str().as_bytes().to_vec(),
        value: convert::resolution_to_proto(resolution).encode_to_vec(),
        headers: Vec::new(),
        timestamp_ms: 0,
    }
}

struct Fixture {
    search: std::sync::Arc<SearchIndex>,
    writer: IndexWriter,
    payload: crate::CommitPayload,
    offset: u64,
}

impl Fixture {
    fn open(dir: &std::path::Path) -> Self {
        let opened = SearchIndex::open(dir).unwrap();
        Self { search: opened.search, writer: opened.writer, payload: opened.payload, offset: 0 }
    }
}

impl Fixture {
    fn feed(&mut self, resolutions: &[Resolution]) {
        let records: Vec<Record> = resolutions
            .iter()
            .map(|r| {
                self.offset += 1;
                record(self.offset, r)
            })
            .collect();
        apply_batch(&self.search, &mut self.writer, &records);
        commit_blocking(&self.search, &mut self.writer, &self.payload).unwrap();
    }

    fn ids(&self, query: &str, kinds: &[&'static str]) -> Vec<String> {
        let request = SearchRequest {
            query: ParsedQuery::parse(query).unwrap(),
            kinds: kinds.to_vec(),
            limit: 10,
            ..Default::default()
        };
        self.search.search(&request).unwrap().hits.into_iter().map(|h| h.id).collect()
    }
}

fn crew(dir: &std::path::Path) -> Fixture {
    let mut fixture = Fixture::open(dir);
    fixture.feed(&[
        resolution(
            "I1",
            "west-midlands",
            1,
            vec![(suspect("Robert", "Brennan", "1990-04-12"), "P1"), (suspect("Dean", "Moss", ""), "P2")],
            vec![("AB12CDE", "V1")],
        ),
        resolution(
            "I2",
            "staffordshire",
            2,
            vec![(suspect("Sean", "O'Brien", "1985-11-02"), "P3")],
            vec![("XY99ZZZ", "V2")],
        ),
        resolution("I3", "west-midlands", 3, vec![(suspect("Kyle", "Smith", ""), "P4")], vec![("AB1?CDE", "V3")]),
    ]);
    fixture
}

const PERSON: &[&str] = &["person"];
const VEHICLE: &[&str] = &["vehicle"];

#[test]
fn names_match_by_nickname_sound_and_typing_errors_with_highlights() {
    let dir = tempfile::tempdir().unwrap();
    let f = crew(dir.path());
    assert_eq!(f.ids("Bob Brennan", PERSON)[0], "P1", "nickname");
    assert_eq!(f.ids("brenan", PERSON)[0], "P1", "one letter missing");
    assert_eq!(f.ids("Smyth", PERSON)[0], "P4", "sounds alike");
    assert_eq!(f.ids("obrien", PERSON)[0], "P3", "apostrophes do not matter");
    let request = SearchRequest {
        query: ParsedQuery::parse("Bob").unwrap(),
        kinds: PERSON.to_vec(),
        limit: 5,
        ..Default::default()
    };
    let hit = f.search.search(&request).unwrap().hits.remove(0);
    let (field, highlight) = &hit.highlights[0];
    assert_eq!(field, "names");
    assert_eq!(&highlight.fragment[highlight.ranges[0].0..highlight.ranges[0].1], "Robert");
    assert_eq!(hit.card.subtitle, "1 incident, born 1990-04-12");
}

#[test]
fn dates_of_birth_match_at_their_precision_and_swapped() {
    let dir = tempfile::tempdir().unwrap();
    let f = crew(dir.path());
    assert_eq!(f.ids("12/04/1990", PERSON), ["P1"]);
    assert_eq!(f.ids("04/12/1990", PERSON), ["P1"], "day and month swapped");
    assert_eq!(f.ids("1985", PERSON), ["P3"]);
    assert!(f.ids("1991", PERSON).is_empty());
}

#[test]
fn plates_match_misreads_partials_and_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let f = crew(dir.path());
    assert_eq!(f.ids("AB12CDE", VEHICLE)[0], "V1");
    assert_eq!(f.ids("A812CDE", VEHICLE)[0], "V1", "8 for B");
    assert_eq!(f.ids("AB12CDF", VEHICLE)[0], "V1", "one wrong character");
    let mut pattern = f.ids("AB1?CDE", VEHICLE);
    pattern.sort();
    assert_eq!(pattern, ["V1", "V3"], "a pattern finds the full mark and the partial read");
    assert_eq!(f.ids("AB12*", VEHICLE), ["V1"]);
    assert_eq!(f.ids("XY99 ZZZ", VEHICLE), ["V2"]);
}

#[test]
fn incidents_match_phrases_references_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let f = crew(dir.path());
    let mut lined = f.ids("\"lined bag\"", &["incident"]);
    lined.sort();
    assert_eq!(lined, ["I1", "I2", "I3"]);
    assert_eq!(f.ids("WM/2/26", &["incident"]), ["I2"]);
    let filtered = SearchRequest {
        query: ParsedQuery::parse("razors").unwrap(),
        kinds: vec!["incident"],
        force: Some("west-midlands".into()),
        from: Some(Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()),
        limit: 10,
        ..Default::default()
    };
    let hits: Vec<String> = f.search.search(&filtered).unwrap().hits.into_iter().map(|h| h.id).collect();
    assert_eq!(hits, ["I3"]);
    let listing = SearchRequest { kinds: vec!["incident"], limit: 2, ..Default::default() };
    let page = f.search.search(&listing).unwrap();
    assert_eq!((page.total, page.hits[0].id.as_str()), (3, "I3"), "an empty query lists the latest first");
}

#[test]
fn merged_persons_are_found_under_their_survivor_and_a_reopened_index_answers_alike() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = crew(dir.path());
    let mut merging = resolution("I4", "kent", 4, vec![(suspect("Bobby", "Brennan", "1990-04-12"), "P5")], vec![]);
    merging.merges.push(EntityMerge {
        kind: EntityKind::Person,
        survivor: "P1".into(),
        merged: vec!["P5".into()],
        reason: "matched".into(),
    });
    f.feed(&[merging]);
    assert_eq!(f.ids("Brennan", PERSON), ["P1"]);
    let before = f.search.workspace().stats();
    drop(f);

    let reopened = Fixture::open(dir.path());
    assert_eq!(reopened.search.workspace().stats(), before);
    let p5 = reopened.search.workspace().find(EntityKind::Person, "P5").unwrap();
    assert_eq!(p5.redirected_from.as_deref(), Some("P5"));
    assert_eq!(reopened.ids("Brennan", PERSON), ["P1"]);
    assert!(matches!(SearchIndex::open(dir.path()), Err(crate::SearchError::InUse(_))), "one writer at a time");
}

#[test]
fn a_person_matching_every_word_ranks_above_one_matching_a_rare_word_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::open(dir.path());
    f.feed(&[
        resolution("J1", "kent", 1, vec![(suspect("Jimmy", "Lewis", ""), "P1")], vec![]),
        resolution("J2", "kent", 2, vec![(suspect("James", "Brown", "1988-10-18"), "P2")], vec![]),
        resolution("J3", "kent", 3, vec![(suspect("Jimmy", "Brown", ""), "P2")], vec![]),
        resolution("J4", "kent", 4, vec![(suspect("Jamie", "Broown", ""), "P2")], vec![]),
        resolution("J5", "kent", 5, vec![(suspect("Jim", "Brown", ""), "P2")], vec![]),
    ]);
    assert_eq!(f.ids("jimmy broun", PERSON)[0], "P2", "both words, one misspelt, beat one rare word");
    let request = SearchRequest {
        query: ParsedQuery::parse("broun").unwrap(),
        kinds: PERSON.to_vec(),
        limit: 1,
        ..Default::default()
    };
    assert_eq!(
        f.search.search(&request).unwrap().hits[0].card.title,
        "James Brown",
        "shown by the name reported most often (ties alphabetically)"
    );
}

fn package_record(offset: u64, package: &orca_model::package::IntelligencePackage) -> Record {
    Record {
        topic: topics::PACKAGES.into(),
        partition: 0,
        offset,
        key: package.id.as_str().as_bytes().to_vec(),
        value: convert::package_to_proto(package).encode_to_vec(),
        headers: Vec::new(),
        timestamp_ms: 0,
    }
}

#[test]
fn a_dissolved_groups_description_loses_an_erased_member_in_the_index_and_after_reopening() {
    use orca_model::package::{IntelligencePackage, Offence, PackageSubject, SubjectKind};
    const GROUP: &[&str] = &["group"];
    let dir = tempfile::tempdir().unwrap();
    let mut f = crew(dir.path());
    let subject = |person: &str, name: &str| PackageSubject {
        person_id: person.into(),
        display_name: name.into(),
        ..Default::default()
    };
    let active = IntelligencePackage {
        id: "PKG-G1".into(),
        version: 1,
        subject_kind: SubjectKind::Group,
        subject_id: "G1".into(),
        title: "Organised crime group G1".into(),
        lead_force: "west-midlands".into(),
        subjects: vec![subject("P1", "Robert Brennan"), subject("P2", "Dean Moss")],
        offences: vec![Offence { incident_id: IncidentId::new("I1"), ..Default::default() }],
        ..Default::default()
    };
    let withdrawn = IntelligencePackage {
        version: 2,
        title: "Withdrawn: Organised crime group G1".into(),
        subjects: Vec::new(),
        offences: Vec::new(),
        intelligence_gaps: vec!["withdrawn: the group no longer meets the thresholds".into()],
        withdrawn: true,
        ..active.clone()
    };
    apply_batch(&f.search, &mut f.writer, &[package_record(10, &active), package_record(11, &withdrawn)]);
    commit_blocking(&f.search, &mut f.writer, &f.payload).unwrap();
    assert_eq!(f.ids("Dean Moss", GROUP), ["G1"], "a dissolved group keeps its last description");

    // An analyst erases Dean at I1, his only report: the redaction keeps his place, nothing else.
    let mut redaction =
        resolution("I1", "west-midlands", 1, vec![(suspect("Robert", "Brennan", "1990-04-12"), "P1")], vec![]);
    let incident = redaction.incident.as_mut().unwrap();
    incident.persons.push(PersonSighting { role: PersonRole::Erased, ..Default::default() });
    incident.revision = 2;
    incident.redaction = true;
    let deleted = |f: &Fixture| -> u32 {
        f.search.reader.searcher().segment_readers().iter().map(|segment| segment.num_deleted_docs()).sum()
    };
    f.feed(&[redaction]);
    assert_eq!(deleted(&f), 0, "after a redaction no deleted document, his old report among them, stays in the files");
    assert!(f.ids("Dean Moss", GROUP).is_empty(), "the group no longer names him");
    assert_eq!(f.ids("Robert Brennan", GROUP), ["G1"]);
    drop(f);

    let reopened = Fixture::open(dir.path());
    assert!(reopened.ids("Dean Moss", GROUP).is_empty(), "nor does the document kept on disk");
    let workspace = reopened.search.workspace();
    assert_eq!(workspace.group("G1").unwrap().package.subjects.len(), 1);
}
