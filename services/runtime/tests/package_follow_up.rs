//! What a force does with its packages after the first read, through the public gRPC surface:
//! triage the list, follow new versions live from a cursor, see what changed, and record what it
//! did about a subject.

mod common;

use common::*;
use orca_proto::v1::{self, package_event::Event};
use std::time::Duration;
use tokio_stream::StreamExt;
use tonic::Streaming;

/// How long a test waits for the next event before it fails (the stream wakes on every commit,
/// and looks every two seconds for writes made behind the stage's back).
const PATIENCE: Duration = Duration::from_secs(30);

async fn next_event(events: &mut Streaming<v1::PackageEvent>) -> v1::PackageEvent {
    tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("an event within the patience")
        .expect("the stream is open")
        .expect("an event, not an error")
}

/// What an event says, compactly: `PKG@version`, `PKG unshared`, or `caught up`.
fn said(event: &v1::PackageEvent) -> String {
    match &event.event {
        Some(Event::Package(summary)) => format!("{}@{}", summary.package_id, summary.version),
        Some(Event::UnsharedPackageId(id)) => format!("{id} unshared"),
        Some(Event::CaughtUp(_)) => "caught up".to_owned(),
        None => "?".to_owned(),
    }
}

async fn follow(harness: &Harness, key: &str, cursor: &str) -> Streaming<v1::PackageEvent> {
    let request = v1::StreamPackagesRequest {
        force: String::new(),
        purpose: "test: following packages".into(),
        cursor: cursor.into(),
        role: 0,
    };
    harness.intel().stream_packages(authorized(request, key)).await.unwrap().into_inner()
}

/// Stores one version of a package as the intel stage does when it reads it from the log.
async fn store_version(harness: &Harness, package: &v1::IntelligencePackage) {
    use prost::Message;
    let record = orca_intel::stage::package_record(package, package.encode_to_vec(), 0);
    let mut tx = harness.app.backends().store.begin().await.unwrap();
    tx.put_package(&record).await.unwrap();
    tx.commit().await.unwrap();
}

fn version(id: &str, version: u32, affected: &[&str], band: &str, last_seen_day: i64) -> v1::IntelligencePackage {
    v1::IntelligencePackage {
        package_id: id.to_owned(),
        version,
        title: format!("{id} v{version}"),
        subject_kind: v1::SubjectKind::Group as i32,
        nim_level: v1::NimLevel::CrossBorder as i32,
        lead_force: "west-midlands".to_owned(),
        affected_forces: affected.iter().map(|f| (*f).to_owned()).collect(),
        score: Some(v1::Score { priority_band: band.into(), ..Default::default() }),
        last_seen: at(last_seen_day, 0),
        ..v1::IntelligencePackage::default()
    }
}

#[tokio::test]
async fn a_stream_that_reconnects_with_its_cursor_misses_nothing_and_repeats_nothing() {
    let harness = spawn_app().await;
    store_version(&harness, &version("PKG-A", 1, &["staffordshire"], "high", 1)).await;
    store_version(&harness, &version("PKG-B", 1, &["staffordshire"], "low", 1)).await;
    store_version(&harness, &version("PKG-X", 1, &[], "high", 1)).await;

    let mut events = follow(&harness, &harness.affected_key, "").await;
    let first: Vec<String> =
        [next_event(&mut events).await, next_event(&mut events).await, next_event(&mut events).await]
            .iter()
            .map(said)
            .collect();
    assert_eq!(first, ["PKG-A@1", "PKG-B@1", "caught up"], "only what staffordshire may see");

    store_version(&harness, &version("PKG-A", 2, &["staffordshire"], "high", 2)).await;
    let live = next_event(&mut events).await;
    assert_eq!(said(&live), "PKG-A@2");
    let cursor = live.cursor.clone();
    drop(events);

    // While the officer is away: B changes twice, C appears, A stops concerning staffordshire.
    store_version(&harness, &version("PKG-B", 2, &["staffordshire"], "medium", 3)).await;
    store_version(&harness, &version("PKG-C", 1, &["staffordshire"], "high", 3)).await;
    store_version(&harness, &version("PKG-B", 3, &["staffordshire"], "high", 4)).await;
    store_version(&harness, &version("PKG-A", 3, &[], "high", 4)).await;

    let mut events = follow(&harness, &harness.affected_key, &cursor).await;
    let mut resumed = Vec::new();
    loop {
        let event = next_event(&mut events).await;
        resumed.push(said(&event));
        if matches!(event.event, Some(Event::CaughtUp(_))) {
            break;
        }
        if said(&event) == "PKG-B@3" {
            let changes = event.changes.expect("changes since the version before");
            assert_eq!(changes.from_version, 2);
            assert!(changes.changes.iter().any(|c| c.detail == "priority band medium -> high"), "{changes:?}");
        }
    }
    assert_eq!(resumed, ["PKG-C@1", "PKG-B@3", "PKG-A unshared", "caught up"]);

    // The stream's reads are on the record.
    let audit = harness.app.backends().store.audit(0, 1000).await.unwrap();
    let streamed: Vec<&str> = audit
        .iter()
        .filter(|a| a.action == "stream-packages" && a.outcome == "disclosed")
        .map(|a| a.detail.as_str())
        .collect();
    assert!(streamed.contains(&"PKG-C@1,PKG-B@3,PKG-A:unshared"), "{streamed:?}");
    harness.app.stop().await.unwrap();
}

#[tokio::test]
async fn the_list_puts_urgent_recent_packages_first_and_leaves_withdrawn_ones_out_unless_asked() {
    let harness = spawn_app().await;
    store_version(&harness, &version("PKG-LOW", 1, &[], "low", 9)).await;
    store_version(&harness, &version("PKG-OLD-HIGH", 1, &[], "high", 1)).await;
    store_version(&harness, &version("PKG-NEW-HIGH", 1, &[], "high", 8)).await;
    store_version(&harness, &version("PKG-MEDIUM", 1, &["staffordshire"], "medium", 5)).await;
    let mut gone = version("PKG-GONE", 2, &[], "", 7);
    gone.withdrawn = true;
    store_version(&harness, &gone).await;

    let list = |status: v1::PackageStatus, bands: &[&str]| {
        let mut intel = harness.intel();
        let request = v1::ListPackagesRequest {
            force: "west-midlands".into(),
            purpose: "test: weekly tasking".into(),
            status: status as i32,
            bands: bands.iter().map(|b| (*b).to_owned()).collect(),
            ..Default::default()
        };
        let key = harness.lead_key.clone();
        async move { intel.list_packages(authorized(request, &key)).await.map(|r| r.into_inner()) }
    };
    let ids =
        |listing: &v1::ListPackagesResponse| listing.packages.iter().map(|p| p.package_id.clone()).collect::<Vec<_>>();
    let standing = list(v1::PackageStatus::Active, &[]).await.unwrap();
    assert_eq!(ids(&standing), ["PKG-NEW-HIGH", "PKG-OLD-HIGH", "PKG-MEDIUM", "PKG-LOW"]);
    assert_eq!(standing.total, 4);
    assert!(standing.packages.iter().all(|p| p.lead && !p.withdrawn));
    let withdrawn = list(v1::PackageStatus::Withdrawn, &[]).await.unwrap();
    assert_eq!(ids(&withdrawn), ["PKG-GONE"]);
    assert!(withdrawn.packages[0].withdrawn, "shown, and marked");
    assert_eq!(list(v1::PackageStatus::All, &[]).await.unwrap().total, 5);
    assert_eq!(ids(&list(v1::PackageStatus::Active, &["medium", "low"]).await.unwrap()), ["PKG-MEDIUM", "PKG-LOW"]);

    let wrong = list(v1::PackageStatus::Active, &["urgent"]).await.unwrap_err();
    assert_eq!(wrong.code(), tonic::Code::InvalidArgument);
    assert!(wrong.message().contains("high, medium, low"), "{}", wrong.message());
    let audit = harness.app.backends().store.audit(0, 1000).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "list-packages" && a.outcome == "invalid"), "refusals are audited");
    harness.app.stop().await.unwrap();
}

#[tokio::test]
async fn an_outcome_a_force_records_arrives_in_the_next_version_for_every_reader_and_lowers_the_band() {
    let (harness, _) = spawn_crew().await;
    let listing = harness.list(&harness.lead_key, "west-midlands").await.unwrap();
    let summary = listing.packages.iter().find(|p| p.package_id.starts_with("PKG-G")).expect("the crew's package");
    let read = |key: String, version: u32| {
        let mut intel = harness.intel();
        let request = v1::GetPackageRequest {
            package_id: summary.package_id.clone(),
            purpose: "test: outcome review".into(),
            version,
            ..Default::default()
        };
        async move { intel.get_package(authorized(request, &key)).await.map(|r| r.into_inner()) }
    };
    let before = read(harness.lead_key.clone(), 0).await.unwrap().package.unwrap();
    let core: Vec<String> = before.subjects.iter().filter(|s| s.role == "core").map(|s| s.person_id.clone()).collect();
    let record = |key: String, person: String, date: &str, reference: &str| {
        let mut intel = harness.intel();
        let request = v1::RecordOutcomeRequest {
            package_id: summary.package_id.clone(),
            purpose: "test: custody outcome".into(),
            person_id: person,
            kind: v1::OutcomeKind::Charge as i32,
            date: date.into(),
            force_reference: reference.into(),
            notes: "charged with theft from three stores".into(),
        };
        async move { intel.record_outcome(authorized(request, &key)).await.map(|r| r.into_inner()) }
    };

    // Wrong input is refused, says why, and changes nothing.
    for (key, person, date, reference, code, says) in [
        (&harness.lead_key, "P99999999", "2026-04-01", "20/1/26", tonic::Code::InvalidArgument, "not a subject"),
        (&harness.lead_key, core[0].as_str(), "2099-01-01", "20/1/26", tonic::Code::InvalidArgument, "in the future"),
        (&harness.lead_key, core[0].as_str(), "2020-01-01", "20/1/26", tonic::Code::InvalidArgument, "before"),
        (&harness.lead_key, core[0].as_str(), "1st April", "20/1/26", tonic::Code::InvalidArgument, "YYYY-MM-DD"),
        (&harness.lead_key, core[0].as_str(), "2026-04-01", " ", tonic::Code::InvalidArgument, "`force_reference`"),
        (&harness.bystander_key, core[0].as_str(), "2026-04-01", "KT/1", tonic::Code::NotFound, "no package"),
        (&harness.analyst_key, core[0].as_str(), "2026-04-01", "A/1", tonic::Code::PermissionDenied, "force"),
    ] {
        let refused = record(key.clone(), person.to_owned(), date, reference).await.unwrap_err();
        assert_eq!(refused.code(), code, "{person} {date}: {}", refused.message());
        assert!(refused.message().contains(says), "{}", refused.message());
    }

    // Follow the package, charge every core member, and watch the new version arrive.
    let mut events = follow(&harness, &harness.affected_key, "").await;
    while !matches!(next_event(&mut events).await.event, Some(Event::CaughtUp(_))) {}
    for (i, person) in core.iter().enumerate() {
        let outcome = record(harness.lead_key.clone(), person.clone(), "2026-04-01", &format!("20/{i}/26")).await;
        assert!(outcome.unwrap().outcome.unwrap().outcome_id.starts_with("O-"));
    }
    let mut recorded = 0;
    let mut latest = before.version;
    while recorded < core.len() {
        let event = next_event(&mut events).await;
        let Some(Event::Package(update)) = &event.event else { continue };
        assert_eq!(update.package_id, summary.package_id);
        latest = update.version;
        recorded += event.changes.iter().flat_map(|c| &c.changes).filter(|c| c.kind == "outcome-recorded").count();
    }
    let after = read(harness.analyst_key.clone(), latest).await.unwrap();
    let package = after.package.unwrap();
    assert_eq!(package.outcomes.len(), core.len(), "analysts see every outcome");
    assert!(package.outcomes.iter().all(|o| o.force == "west-midlands" && o.notes.contains("three stores")));
    let band = |p: &v1::IntelligencePackage| p.score.as_ref().unwrap().priority_band.clone();
    let lowered = if band(&before) == "high" { "medium" } else { "low" };
    assert_eq!(band(&package), lowered, "every core member charged since the last offence");

    // Against the version before the outcomes, the diff names them.
    let diff = {
        let mut intel = harness.intel();
        let request = v1::GetPackageRequest {
            package_id: summary.package_id.clone(),
            purpose: "test: what changed".into(),
            version: 0,
            compare_to_version: before.version,
        };
        intel.get_package(authorized(request, &harness.affected_key)).await.unwrap().into_inner()
    };
    let changes = diff.changes.unwrap();
    assert_eq!((changes.from_version, changes.to_version), (before.version, latest));
    assert_eq!(changes.changes.iter().filter(|c| c.kind == "outcome-recorded").count(), core.len());
    let band_moved = changes.changes.iter().any(|c| c.kind == "band-changed");
    assert_eq!(band_moved, band(&before) != "low", "{changes:?}");
    harness.app.stop().await.unwrap();
}

#[tokio::test]
async fn reads_without_a_usable_key_are_on_the_record_too() {
    let harness = spawn_app().await;
    let request = v1::ListPackagesRequest {
        force: "west-midlands".into(),
        purpose: "fishing for packages".into(),
        ..Default::default()
    };
    let refused = harness.intel().list_packages(authorized(request, "not-a-key")).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
    let audit = harness.app.backends().store.audit(0, 100).await.unwrap();
    let attempt = audit.iter().find(|a| a.principal_kind == "unauthenticated").expect("the attempt is audited");
    assert_eq!((attempt.principal.as_str(), attempt.outcome.as_str()), ("(none)", "denied"));
    assert_eq!((attempt.action.as_str(), attempt.purpose.as_str()), ("list-packages", "fishing for packages"));
    harness.app.stop().await.unwrap();
}
