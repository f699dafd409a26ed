//! A stage whose stored state is in a format this build cannot read stops, says why, and the
//! process stops with it, instead of restarting the stage for ever with `/readyz` down.

use orca_model::StateChange;
use orca_runtime::{App, OrcaConfig, Roles};
use orca_store::{SqlStore, Store};
use std::time::Duration;

#[tokio::test]
async fn state_in_another_format_stops_the_stage_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::connect(&format!("sqlite://{}", dir.path().join("orca.db").display())).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.apply_state(&[StateChange::put("meta.format", "resolve.", b"7".to_vec())]).await.unwrap();
    tx.commit().await.unwrap();
    store.close().await;

    let config = OrcaConfig {
        data_dir: dir.path().to_path_buf(),
        grpc_addr: ([127, 0, 0, 1], 0).into(),
        http_addr: ([127, 0, 0, 1], 0).into(),
        ..OrcaConfig::default()
    };
    let app = App::build(config, Roles::ALL).await.unwrap().start();
    // The timeout only guards a hung test: the stage fails on its first restore.
    let reason = tokio::time::timeout(Duration::from_secs(60), app.failed()).await.expect("the stage stops");
    assert!(reason.starts_with("the resolver stage cannot start"), "{reason}");
    assert!(reason.contains("format 7, and this build of ORCA reads format 1"), "{reason}");
    let ready = reqwest::get(format!("http://{}/readyz", app.http_addr)).await.unwrap();
    assert_eq!(ready.status(), 503, "not ready");
    let outcome = app.run_until(std::future::pending()).await;
    let error = format!("{:#}", outcome.unwrap_err());
    assert!(error.contains("format 7"), "the process ends with the reason: {error}");
}

/// State written by the build before format versions were recorded (a demo world of 800
/// incidents, seed 7; `examples/export_state.rs` made the fixture) restores as format 1, with
/// every person, vehicle and group it held.
#[tokio::test]
async fn state_in_todays_format_restores() {
    let compressed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/state-format-1.jsonl.zst"))
        .expect("the fixture");
    let text = String::from_utf8(zstd::decode_all(compressed.as_slice()).unwrap()).unwrap();
    let changes: Vec<StateChange> = text
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let field = |name: &str| record[name].as_str().unwrap().to_owned();
            StateChange::put(&field("namespace"), field("key"), field("value").into_bytes())
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::connect(&format!("sqlite://{}", dir.path().join("orca.db").display())).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.apply_state(&changes).await.unwrap();
    tx.commit().await.unwrap();

    let resolver = orca_resolver::ResolverStage::restore(&store, Default::default()).await.unwrap();
    let stats = resolver.resolver().stats();
    assert_eq!((stats.incidents, stats.persons, stats.vehicles), (800, 919, 49));
    let linker = orca_linker::LinkerStage::restore(&store, Default::default()).await.unwrap();
    let stats = linker.linker().stats();
    assert_eq!((stats.incidents, stats.groups), (800, 2));
    assert_eq!(store.get_state("meta.format", "resolve.").await.unwrap().as_deref(), Some(&b"1"[..]));
}
