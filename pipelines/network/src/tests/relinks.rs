//! Relinks: the resolver re-states an incident's links after an analyst's decision, without the
//! incident. The linker moves sightings, re-labels links and revises the packages they change.

use super::fixtures::{report, spree};
use crate::{Applied, Linker, LinkerConfig};
use orca_model::{EntityKind, LinkDecision, Resolution};

fn linker_with(resolutions: &[Resolution]) -> Linker {
    let mut linker = Linker::new(LinkerConfig::default());
    for resolution in resolutions {
        assert_eq!(linker.apply(resolution), Applied::Linked);
    }
    linker
}

#[test]
fn a_relink_moves_a_sighting_to_another_person_and_revises_the_group_package() {
    let days = [0, 5, 12, 20, 26];
    let mut linker = linker_with(&spree("A", &["A1", "A2", "A3"], &["kent"], &days));
    let first = linker.refresh();
    assert_eq!((first[0].id.as_str(), first[0].version), ("PKG-G00000001", 1));
    assert_eq!(linker.person("A3").unwrap().sightings.len(), 5);

    // An analyst splits A3's sighting of the last incident off as A9.
    let relink = report("INC-A-4", "kent", 26)
        .persons(&["A1", "A2", "A9"])
        .split(EntityKind::Person, "A3", "A9")
        .decided(2, LinkDecision::AnalystRejected)
        .relink();
    assert_eq!(linker.apply(&relink), Applied::Relinked);
    let packages = linker.refresh();

    assert_eq!(linker.person("A3").unwrap().sightings.len(), 4, "the sighting left A3");
    let moved = linker.person("A9").expect("the new person");
    assert_eq!(moved.split_from.as_ref().map(|p| p.as_str()), Some("A3"));
    assert_eq!(moved.sightings.len(), 1);
    assert!(
        moved.sightings[0].explanation.starts_with("analyst rejected p=1.00"),
        "{}",
        moved.sightings[0].explanation
    );
    assert_eq!(packages.len(), 1);
    assert_eq!((packages[0].id.as_str(), packages[0].version), ("PKG-G00000001", 2), "the package is revised");
    let a3 = packages[0].subjects.iter().find(|s| s.person_id.as_str() == "A3").expect("A3 stays a subject");
    assert_eq!(a3.incident_count, 4);

    // The same relink again changes nothing.
    linker.take_changes();
    assert_eq!(linker.apply(&relink), Applied::Unchanged);
    assert!(linker.refresh().is_empty());
}

#[test]
fn a_reviewed_possible_match_no_longer_awaits_review_in_the_package() {
    let gap = "1 sightings rest on possible matches awaiting analyst review";
    let mut resolutions = spree("C", &["C1", "C2", "C3"], &["essex"], &[0, 4, 9, 15]);
    let queued = || report("INC-C-4", "essex", 21).persons(&["C1", "C2"]).possible_match("C3", "C7");
    resolutions.push(queued().build());
    let mut linker = linker_with(&resolutions);
    let packages = linker.refresh();
    assert_eq!(packages.len(), 1);
    assert!(packages[0].intelligence_gaps.iter().any(|g| g == gap), "{:?}", packages[0].intelligence_gaps);

    // The analyst rejects the candidate: the sighting stays with C3, no longer a possible match.
    assert_eq!(linker.apply(&queued().decided(2, LinkDecision::AnalystRejected).relink()), Applied::Relinked);
    let packages = linker.refresh();
    assert_eq!(packages.len(), 1, "the package changed");
    assert_eq!(packages[0].version, 2);
    assert!(!packages[0].intelligence_gaps.iter().any(|g| g.contains("awaiting analyst review")));
    let explanation = linker.person("C3").unwrap().sightings.last().unwrap().explanation.clone();
    assert!(explanation.starts_with("analyst rejected"), "{explanation}");
}

#[test]
fn a_relink_of_an_incident_the_linker_does_not_hold_changes_entities_but_links_nothing() {
    let mut linker = linker_with(&spree("D", &["D1", "D2", "D3"], &["kent"], &[0, 5, 12, 20]));
    linker.refresh();
    linker.take_changes();

    let stray = report("INC-NEVER-SEEN", "kent", 30).persons(&["D1", "D2"]).relink();
    assert_eq!(linker.apply(&stray), Applied::UnknownIncident);
    assert!(linker.refresh().is_empty());
    assert!(linker.take_changes().is_empty(), "nothing stored");
    assert_eq!(linker.stats().incidents, 4);

    // A replay of the compacted resolutions topic reads a merge whose incident's resolution a
    // later one superseded as a relink with no incident: the merge holds all the same.
    let merge = report("", "kent", 30).merge(EntityKind::Person, "D1", "D3").relink();
    assert_eq!(linker.apply(&merge), Applied::Relinked);
    linker.refresh();
    assert_eq!(linker.person("D3").expect("D3 redirects").id.as_str(), "D1");
    assert_eq!(linker.stats().incidents, 4);
}
