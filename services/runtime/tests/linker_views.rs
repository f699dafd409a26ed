//! The analyst views the linker stores are what its stored state says, so they survive a restart:
//! the linker loaded from the store (by `orca_linker::load`, the one loader) writes every stored
//! view again byte for byte.

mod common;

use common::*;
use orca_model::{GroupId, PersonId, StateChange};
use orca_stage::views;
use std::collections::BTreeMap;

type Views = BTreeMap<(String, String), Vec<u8>>;

async fn stored_views(h: &Harness) -> Views {
    let store = &h.app.backends().store;
    let records = store.load_state(views::PREFIX).await.unwrap();
    records.into_iter().map(|r| ((r.namespace, r.key), r.value)).collect()
}

fn ids<'a>(stored: &'a Views, namespace: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    stored.keys().filter(move |(ns, _)| ns == namespace).map(|(_, key)| key.as_str())
}

#[tokio::test]
async fn the_analyst_views_after_a_restart_equal_those_before() {
    let (h, _) = spawn_crew().await;
    let before = stored_views(&h).await;
    assert_eq!(ids(&before, views::PERSON).count(), 3, "the crew of three: {:?}", before.keys());
    assert_eq!(ids(&before, views::GROUP).count(), 1, "their group: {:?}", before.keys());

    let h = h.restart().await;
    h.app.settled().await.unwrap();
    assert_eq!(stored_views(&h).await, before, "the views a restart leaves");

    let store = &h.app.backends().store;
    let linker = orca_linker::load(store.as_ref(), Default::default()).await.expect("the linker's state loads");
    let persons: Vec<PersonId> = ids(&before, views::PERSON).map(PersonId::new).collect();
    let groups: Vec<GroupId> = ids(&before, views::GROUP).map(GroupId::new).collect();
    let mut written: Vec<StateChange> = Vec::new();
    orca_linker::views::write(&linker, &persons, &groups, &mut written);
    let rewritten: Views = written
        .into_iter()
        .map(|change| ((change.namespace, change.key), change.value.expect("no view is deleted")))
        .collect();
    assert_eq!(rewritten, before, "the views the restored linker writes");
}
