//! An analyst's decision on the decisions log travels through the embedded pipeline: the resolver
//! applies it and relinks the incidents it changes, the linker revises the package, and the
//! pipeline counts as settled only once all of that is done.

mod common;

use common::suspect;
use orca_eventlog::{OutRecord, topics};
use orca_proto::v1;
use orca_runtime::{App, OrcaConfig, Roles};
use pbjson_types::Timestamp;
use prost::Message;

/// A normalised incident as ingest writes it: a crew of three at a West Midlands store.
fn crew_incident(number: i64) -> v1::Incident {
    v1::Incident {
        incident_id: format!("INC-CREW-{number}"),
        retailer_id: "northmart".into(),
        retailer_ref: format!("NM-{number}"),
        store_id: "NM-BHAM-1".into(),
        force: "west-midlands".into(),
        occurred_from: Some(Timestamp { seconds: 1_772_323_200 + number * 4 * 86_400, nanos: 0 }),
        event_type: v1::EventType::Shoplifting as i32,
        line_items: vec![v1::LineItem { quantity: 10, unit_price_pence: 1_499, ..Default::default() }],
        persons: vec![
            suspect("Kyle", "Brennan", "1991-04-12", ""),
            suspect("Dean", "Moss", "1988-11-02", ""),
            suspect("Tyler", "Rooke", "1995-01-30", ""),
        ],
        ..Default::default()
    }
}

fn sighting(incident: i64, index: u32) -> v1::SightingRef {
    v1::SightingRef { incident_id: format!("INC-CREW-{incident}"), index }
}

#[tokio::test]
async fn a_split_on_the_decisions_log_revises_the_group_package_before_the_pipeline_settles() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = OrcaConfig {
        data_dir: dir.path().to_path_buf(),
        grpc_addr: ([127, 0, 0, 1], 0).into(),
        http_addr: ([127, 0, 0, 1], 0).into(),
        ..OrcaConfig::default()
    };
    config.runner.poll_timeout_ms = 20;
    let app = App::build(config, Roles::ALL).await.unwrap().start();
    let (log, store) = (app.backends().log.clone(), app.backends().store.clone());
    let incidents: Vec<OutRecord> = (0..6)
        .map(|i| {
            let incident = crew_incident(i);
            OutRecord::new(topics::INCIDENTS, incident.incident_id.clone().into_bytes(), incident.encode_to_vec())
        })
        .collect();
    log.append(incidents).await.unwrap();
    app.settled().await.unwrap();
    let query = orca_store::PackageQuery { force: "west-midlands".into(), ..Default::default() };
    let listed = store.list_packages(&query, None, 10).await.unwrap();
    let group = listed.iter().find(|p| p.package_id.starts_with("PKG-G")).expect("the crew's group package");
    let before = store.package(&group.package_id, None).await.unwrap().expect("the package");

    // Tyler Rooke's last two sightings are someone else: they leave him together.
    let split = v1::AnalystDecision {
        decision_id: "D-0001".into(),
        kind: v1::DecisionKind::Split as i32,
        entity_kind: v1::EntityKind::Person as i32,
        entity: Some(v1::EntityRef { entity_id: "P00000003".into(), anchor: Some(sighting(0, 2)) }),
        sightings: vec![sighting(4, 2), sighting(5, 2)],
        reason: "a younger man on the CCTV of the last two".into(),
        analyst: "a.analyst".into(),
        ..Default::default()
    };
    log.append(vec![OutRecord::new(topics::DECISIONS, b"INC-CREW-4".to_vec(), split.encode_to_vec())]).await.unwrap();
    app.settled().await.unwrap();

    let recorded = store.get_state("resolve.decision", "0000000001").await.unwrap().expect("the decision is kept");
    let recorded: serde_json::Value = serde_json::from_slice(&recorded).unwrap();
    assert_eq!(recorded["result"]["applied"], true, "{recorded}");
    assert_eq!(recorded["event"]["analyst"], "a.analyst");
    let revised = store.package(&group.package_id, None).await.unwrap().expect("the package");
    // One version per relinked incident (the linker refreshes after each resolution it reads).
    assert!(revised.version > before.version, "the linker revised the package before the pipeline settled");
    let package = v1::IntelligencePackage::decode(revised.body.as_slice()).unwrap();
    let counts: Vec<u32> = package.subjects.iter().map(|s| s.incident_count).collect();
    assert!(counts.contains(&4), "Tyler Rooke keeps four incidents: {counts:?}");
    app.stop().await.unwrap();
}
