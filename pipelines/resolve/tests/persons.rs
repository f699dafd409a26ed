//! Person resolution: names, dates of birth, descriptions, faces, marker codes.

mod common;

use common::*;
use orca_model::{AgeBand, Build, LinkDecision, PersonRole, Sex};

fn person_link(
    resolver: &mut orca_resolve::Resolver,
    reference: &str,
    day: i64,
    sighting: orca_model::PersonSighting,
) -> orca_model::SightingLink {
    let resolution = resolver.resolve(&incident(reference, "west-midlands", day, vec![sighting], vec![]));
    resolution.persons.into_iter().next().expect("one person link")
}

#[test]
fn the_same_name_and_date_of_birth_link_and_a_stranger_does_not() {
    let mut r = resolver();
    let first = person_link(&mut r, "R1", 0, named("Darren", "Whitlock", Some("1988-04-17")));
    assert_eq!(first.decision, LinkDecision::NewEntity);
    assert_eq!(first.entity_id, "P00000001");
    let second = person_link(&mut r, "R2", 3, named("Darren", "Whitlock", Some("1988-04-17")));
    assert_eq!(second.decision, LinkDecision::AutoLink);
    assert_eq!(second.entity_id, "P00000001");
    assert!(second.probability > 0.99, "{}", second.probability);
    let names: Vec<_> = second.evidence.iter().map(|e| (e.comparison.as_str(), e.level.as_str())).collect();
    assert!(names.contains(&("given-name", "exact")) && names.contains(&("date-of-birth", "exact")), "{names:?}");
    let stranger = person_link(&mut r, "R3", 4, named("Kelly", "Marsh", Some("1995-11-02")));
    assert_eq!(stranger.entity_id, "P00000002");
}

#[test]
fn explanations_add_up_to_the_probability() {
    let mut r = resolver();
    person_link(&mut r, "R1", 0, named("Darren", "Whitlock", Some("1988-04-17")));
    let link = person_link(&mut r, "R2", 1, named("Darren", "Whitlock", Some("1988-04-17")));
    let total: f64 = link.evidence.iter().map(|e| e.weight).sum();
    let p = orca_resolve::model::probability(total);
    assert!((p - link.probability).abs() < 1e-4, "{p} vs {}", link.probability);
    assert_eq!(link.evidence[0].comparison, "prior");
}

#[test]
fn nicknames_typos_and_swapped_names_link() {
    let mut r = resolver();
    person_link(&mut r, "R1", 0, named("Robert", "Kowalczyk", Some("1979-02-03")));
    let nickname = person_link(&mut r, "R2", 1, named("Bob", "Kowalczyk", Some("1979-02-03")));
    assert_eq!(nickname.decision, LinkDecision::AutoLink);
    assert!(nickname.evidence.iter().any(|e| e.comparison == "given-name" && e.level == "nickname-or-variant"));
    let typo = person_link(&mut r, "R3", 2, named("Robert", "Kowalczyck", Some("1979-02-03")));
    assert_eq!(typo.entity_id, "P00000001", "{typo:?}");
    let swapped = person_link(&mut r, "R4", 3, named("Kowalczyk", "Robert", Some("1979-02-03")));
    assert_eq!(swapped.entity_id, "P00000001", "{swapped:?}");
    assert!(swapped.evidence.iter().any(|e| e.comparison == "name-order" && e.level == "swapped"));
    let day_month = person_link(&mut r, "R5", 4, named("Robert", "Kowalczyk", Some("1979-03-02")));
    assert_eq!(day_month.entity_id, "P00000001", "{day_month:?}");
    assert!(day_month.evidence.iter().any(|e| e.level == "day-month-swapped"));
    let accents = person_link(&mut r, "R6", 5, named("RÓBERT", "KOWALCZYK", Some("1979-02-03")));
    assert_eq!(accents.entity_id, "P00000001");
}

#[test]
fn two_john_smiths_with_different_dates_of_birth_stay_apart() {
    let mut r = resolver();
    // A population where Smith and John are common makes the name worth little.
    for i in 0..200 {
        let given = ["John", "James", "David", "Paul"][i % 4];
        let family = if i % 2 == 0 { "Smith" } else { "Jones" };
        let dob = format!("{}-{:02}-{:02}", 1960 + (i % 40), 1 + i % 12, 1 + i % 28);
        person_link(&mut r, &format!("BG{i}"), 0, named(given, family, Some(&dob)));
    }
    let a = person_link(&mut r, "A", 1, named("John", "Smith", Some("1990-01-01")));
    let b = person_link(&mut r, "B", 2, named("John", "Smith", Some("1972-06-15")));
    assert_ne!(a.entity_id, b.entity_id);
    assert_ne!(b.decision, LinkDecision::AutoLink);
    // A name match without a date of birth is not enough for a common name ...
    let no_dob = person_link(&mut r, "C", 3, named("John", "Smith", None));
    assert_ne!(no_dob.decision, LinkDecision::AutoLink, "{no_dob:?}");
    // ... and a match on a rare name counts for more than on a common one.
    person_link(&mut r, "D", 4, named("Zebedee", "Okonkwo-Blythe", Some("1985-05-05")));
    let rare = person_link(&mut r, "E", 5, named("Zebedee", "Okonkwo-Blythe", Some("1985-05-05")));
    let common = person_link(&mut r, "F", 6, named("John", "Smith", Some("1990-01-01")));
    let name_weight = |link: &orca_model::SightingLink| {
        link.evidence.iter().filter(|e| e.comparison.ends_with("-name")).map(|e| e.weight).sum::<f64>()
    };
    assert!(name_weight(&rare) > name_weight(&common) + 4.0, "{rare:?} {common:?}");
}

#[test]
fn description_alone_never_links_strangers() {
    let mut r = resolver();
    let look = || described(Sex::Male, AgeBand::From25To34, (175, 185), Build::Medium, "grey hoodie, black joggers");
    let first = person_link(&mut r, "R1", 0, look());
    let second = person_link(&mut r, "R2", 0, look());
    assert_ne!(first.entity_id, second.entity_id);
    assert_eq!(second.decision, LinkDecision::NewEntity);
}

#[test]
fn a_marker_code_links_unnamed_sightings() {
    let mut r = resolver();
    let mut a = described(Sex::Male, AgeBand::From25To34, (175, 185), Build::Medium, "");
    a.marker_code = Some("SW123AB".into());
    let mut b = described(Sex::Male, AgeBand::From25To34, (170, 180), Build::Slim, "");
    b.marker_code = Some("SW123AB".into());
    let first = person_link(&mut r, "R1", 0, a);
    let second = person_link(&mut r, "R2", 9, b);
    assert_eq!(second.entity_id, first.entity_id);
    assert!(second.evidence.iter().any(|e| e.comparison == "marker-code" && e.level == "equal"));
}

#[test]
fn similar_faces_link_and_different_faces_do_not() {
    let mut r = resolver();
    let mut a = described(Sex::Female, AgeBand::From18To24, (160, 168), Build::Slim, "");
    a.face = Some(face(1, 0.02));
    let mut b = a.clone();
    b.face = Some(face(1, 0.05));
    let mut c = a.clone();
    c.face = Some(face(2, 0.02));
    let first = person_link(&mut r, "R1", 0, a);
    let same = person_link(&mut r, "R2", 3, b);
    let other = person_link(&mut r, "R3", 4, c);
    assert_eq!(same.entity_id, first.entity_id, "{same:?}");
    assert_ne!(other.entity_id, first.entity_id);
}

#[test]
fn a_sex_conflict_or_impossible_journey_keeps_a_name_match_apart() {
    let mut r = resolver();
    person_link(&mut r, "R1", 0, named("Jordan", "Pettigrew", Some("1993-09-09")));
    // The name and the month of birth agree: enough for a man, not for a woman.
    let mut woman = named("Jordan", "Pettigrew", Some("1993-09-21"));
    woman.sex = Sex::Female;
    let link = person_link(&mut r, "R2", 1, woman);
    assert_ne!(link.entity_id, "P00000001", "{link:?}");
    let man = person_link(&mut r, "R3", 2, named("Jordan", "Pettigrew", Some("1993-09-25")));
    assert_eq!(man.entity_id, "P00000001", "{man:?}");

    let mut r = resolver();
    let place = |reference: &str, force: &str| {
        incident(reference, force, 0, vec![named("Jordan", "Pettigrew", Some("1993-09-09"))], vec![])
    };
    let london = r.resolve(&place("R1", "metropolitan"));
    let manchester = r.resolve(&place("R2", "greater-manchester"));
    assert_ne!(manchester.persons[0].entity_id, london.persons[0].entity_id, "London and Manchester at once");
    let mut r = resolver();
    r.resolve(&place("R1", "metropolitan"));
    let nearby = r.resolve(&place("R2", "city-of-london"));
    assert_eq!(nearby.persons[0].entity_id, london.persons[0].entity_id, "{nearby:?}");
}

#[test]
fn victims_and_witnesses_are_never_resolved_and_co_offenders_stay_apart() {
    let mut r = resolver();
    let mut victim = named("Ann", "Staff", None);
    victim.role = PersonRole::Victim;
    let twin = || named("Lee", "Barker", Some("1990-01-01"));
    let resolution = r.resolve(&incident("R1", "kent", 0, vec![victim, twin(), twin()], vec![]));
    assert_eq!(resolution.persons.len(), 2);
    assert_eq!(resolution.persons[0].sighting_index, 1);
    assert_ne!(resolution.persons[0].entity_id, resolution.persons[1].entity_id, "one incident, two people");
}

#[test]
fn redelivered_incidents_get_the_same_answer_and_change_nothing() {
    let mut r = resolver();
    let inc = incident(
        "R1",
        "kent",
        0,
        vec![named("Lee", "Barker", Some("1990-01-01"))],
        vec![vehicle("AB12CDE", "Ford", "Focus", "Silver")],
    );
    let first = r.resolve(&inc);
    assert!(!r.take_changes().is_empty());
    let again = r.resolve(&inc);
    assert_eq!(again, first);
    assert!(r.take_changes().is_empty());
    assert_eq!(r.stats().incidents, 1);
}

#[test]
fn a_sighting_that_bridges_two_entities_merges_them_and_the_old_id_redirects() {
    let mut r = resolver();
    let mut marked = described(Sex::Male, AgeBand::From25To34, (175, 185), Build::Medium, "");
    marked.marker_code = Some("SDNA-77-X".into());
    let a = person_link(&mut r, "R1", 0, named("Tyrone", "Oyelaran", Some("1991-07-21")));
    let b = person_link(&mut r, "R2", 1, marked);
    assert_ne!(a.entity_id, b.entity_id);
    let mut bridge = named("Tyrone", "Oyelaran", Some("1991-07-21"));
    bridge.marker_code = Some("sdna77x".into());
    let resolution = r.resolve(&incident("R3", "west-midlands", 2, vec![bridge], vec![]));
    assert_eq!(resolution.merges.len(), 1, "{resolution:?}");
    assert_eq!(resolution.merges[0].survivor, a.entity_id);
    assert_eq!(resolution.merges[0].merged, vec![b.entity_id.clone()]);
    assert_eq!(resolution.persons[0].entity_id, a.entity_id);
    assert_eq!(r.canonical_person(&b.entity_id).unwrap().as_str(), a.entity_id);
    assert_eq!(r.canonical_person(&a.entity_id).unwrap().as_str(), a.entity_id);
    assert_eq!(r.canonical_person("P00000099"), None);
    assert_eq!(r.stats().persons, 1);
}
