//! Publishing once per batch: the service recomputes after every resolution and publishes after
//! every batch it reads, so a backlog gets one version per package, ending where publishing after
//! every resolution ends.

use super::fixtures::{report, spree};
use crate::{Linker, LinkerConfig};
use orca_model::Resolution;
use orca_model::package::IntelligencePackage;
use std::collections::BTreeMap;

/// Two crews, one of them joined later by a third member, and a lone offender.
fn backlog() -> Vec<Resolution> {
    let mut resolutions = spree("A", &["P1", "P2", "P3"], &["kent", "essex"], &[0, 4, 9, 15, 22, 30]);
    resolutions.extend(spree("B", &["P7", "P8"], &["surrey"], &[1, 6, 12, 19, 26]));
    resolutions.extend(spree("C", &["P7", "P8", "P9"], &["sussex", "surrey"], &[33, 37, 41]));
    for day in [2, 8, 16] {
        resolutions.push(report(&format!("INC-L-{day}"), "kent", day).persons(&["P20"]).value(40_000).build());
    }
    resolutions.sort_by_key(|r| r.incident.as_ref().map(|i| i.occurred_at()));
    resolutions
}

/// The last content of every package, version cleared.
fn last_contents(published: &[IntelligencePackage], into: &mut BTreeMap<String, IntelligencePackage>) {
    for package in published {
        let mut unnumbered = package.clone();
        unnumbered.version = 0;
        into.insert(package.id.to_string(), unnumbered);
    }
}

#[test]
fn a_batch_publishes_each_package_once_with_the_content_publishing_after_every_resolution_ends_with() {
    let resolutions = backlog();
    let mut one_by_one = Linker::new(LinkerConfig::default());
    let (mut expected, mut versions) = (BTreeMap::new(), 0);
    for resolution in &resolutions {
        one_by_one.apply(resolution);
        let published = one_by_one.refresh();
        versions += published.len();
        last_contents(&published, &mut expected);
    }

    let mut batched = Linker::new(LinkerConfig::default());
    for resolution in &resolutions {
        batched.apply(resolution);
        batched.recompute();
    }
    let published = batched.publish();
    let mut found = BTreeMap::new();
    last_contents(&published, &mut found);

    assert!(expected.len() >= 2, "the backlog forms groups: {:?}", expected.keys());
    assert!(versions > expected.len(), "publishing after every resolution revises packages");
    assert_eq!(published.len(), found.len(), "one version per package");
    assert!(published.iter().all(|p| p.version == 1));
    assert_eq!(found, expected, "the same packages with the same content");
    assert_eq!(batched.groups(), one_by_one.groups(), "the same groups and views");
}

#[test]
fn nothing_is_built_until_published_and_state_changes_follow_the_publish() {
    let resolutions = spree("A", &["P1", "P2", "P3"], &["kent"], &[0, 5, 12, 18, 25]);
    let mut linker = Linker::new(LinkerConfig::default());
    for resolution in &resolutions {
        linker.apply(resolution);
        linker.recompute();
    }
    assert_eq!(linker.groups().len(), 1, "the group is decided");
    let published = linker.publish();
    assert_eq!(published.len(), 1);
    assert_eq!(linker.groups()[0].incidents.len(), 5, "its view is built when published");
    let restored = Linker::restore(LinkerConfig::default(), records(linker.take_changes())).expect("restores");
    assert_eq!(restored.groups(), linker.groups());
    assert!(linker.publish().is_empty(), "a second publish has nothing new");
}

fn records(changes: Vec<orca_model::StateChange>) -> Vec<orca_model::StoredRecord> {
    changes
        .into_iter()
        .filter_map(|c| Some(orca_model::StoredRecord { namespace: c.namespace, key: c.key, value: c.value? }))
        .collect()
}
