//! The store contract: every test runs against SQLite, and against PostgreSQL with the
//! `postgres-tests` feature (then `ORCA_TEST_POSTGRES` must name a server where databases may be
//! created, e.g. `postgres://postgres@127.0.0.1:5432/postgres`).

use super::*;
use orca_model::StateChange;
use sqlx::Row;

/// A fresh, empty store per test, on each backend under test.
async fn backends() -> Vec<(SqlStore, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite =
        SqlStore::connect(&format!("sqlite://{}", dir.path().join("orca.db").display())).await.expect("sqlite");
    let mut stores = vec![(sqlite, dir)];
    if cfg!(feature = "postgres-tests") {
        stores.push((fresh_postgres().await, tempfile::tempdir().expect("tempdir")));
    }
    stores
}

async fn fresh_postgres() -> SqlStore {
    SqlStore::connect(&fresh_postgres_url().await).await.expect("connect to fresh database")
}

/// The URL of a new, empty database on the `ORCA_TEST_POSTGRES` server.
async fn fresh_postgres_url() -> String {
    let admin_url = std::env::var("ORCA_TEST_POSTGRES")
        .expect("the postgres-tests feature needs ORCA_TEST_POSTGRES=postgres://user@host:port/db");
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&admin_url).await.expect("connect to ORCA_TEST_POSTGRES");
    let name = format!("orca_test_{:016x}", rand::random::<u64>());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("create database");
    admin.close().await;
    let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

fn put(namespace: &str, key: &str, value: &str) -> StateChange {
    StateChange::put(namespace, key, value.as_bytes().to_vec())
}

#[tokio::test]
async fn state_changes_commit_together_and_load_by_prefix() {
    for (store, _dir) in backends().await {
        let mut tx = store.begin().await.unwrap();
        tx.apply_state(&[
            put("resolve.person", "P1", "a"),
            put("resolve.person", "P2", "b"),
            put("network.group", "G1", "g"),
        ])
        .await
        .unwrap();
        tx.save_offsets("resolver", &[OffsetRecord { topic: "t".into(), partition: 0, next_offset: 7 }]).await.unwrap();
        tx.commit().await.unwrap();

        let resolve = store.load_state("resolve.").await.unwrap();
        assert_eq!(resolve.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["P1", "P2"]);
        assert_eq!(store.get_state("network.group", "G1").await.unwrap().as_deref(), Some(&b"g"[..]));
        assert_eq!(store.offsets("resolver").await.unwrap()[0].next_offset, 7);
    }
}

#[tokio::test]
async fn an_uncommitted_transaction_leaves_nothing_behind() {
    for (store, _dir) in backends().await {
        let mut tx = store.begin().await.unwrap();
        tx.apply_state(&[put("resolve.person", "P1", "a")]).await.unwrap();
        tx.save_offsets("resolver", &[OffsetRecord { topic: "t".into(), partition: 0, next_offset: 1 }]).await.unwrap();
        drop(tx);
        assert!(store.load_state("resolve.").await.unwrap().is_empty());
        assert!(store.offsets("resolver").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn replaying_changes_is_harmless_and_the_last_change_wins() {
    for (store, _dir) in backends().await {
        let changes = [
            put("resolve.person", "P1", "a"),
            put("resolve.person", "P1", "b"),
            StateChange::delete("resolve.person", "P2"),
            put("resolve.person", "P3", "c"),
            StateChange::delete("resolve.person", "P3"),
        ];
        for _ in 0..2 {
            let mut tx = store.begin().await.unwrap();
            tx.apply_state(&changes).await.unwrap();
            tx.commit().await.unwrap();
        }
        let state = store.load_state("resolve.").await.unwrap();
        assert_eq!(state.len(), 1);
        assert_eq!(state[0].value, b"b");
    }
}

#[tokio::test]
async fn large_batches_are_written_in_chunks() {
    for (store, _dir) in backends().await {
        let changes: Vec<_> = (0..2_345).map(|i| put("resolve.sighting", &format!("{i:05}"), "x")).collect();
        let mut tx = store.begin().await.unwrap();
        tx.apply_state(&changes).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.load_state("resolve.sighting").await.unwrap().len(), 2_345);
    }
}

#[tokio::test]
async fn incident_claims_tell_new_unpublished_and_published_apart() {
    for (store, _dir) in backends().await {
        let claim = IncidentClaim {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            incident_id: "INC-1".into(),
            content_hash: "h1".into(),
            received_at_ms: 1,
        };
        assert_eq!(store.claim_incident(&claim).await.unwrap(), ClaimOutcome::New);
        assert_eq!(
            store.claim_incident(&claim).await.unwrap(),
            ClaimOutcome::Unpublished { content_hash: "h1".into(), revision: 1 }
        );
        store.mark_published("northmart", "NM-1").await.unwrap();
        let changed = IncidentClaim { content_hash: "h2".into(), ..claim.clone() };
        assert_eq!(
            store.claim_incident(&changed).await.unwrap(),
            ClaimOutcome::Published { content_hash: "h1".into(), revision: 1, withdrawn: false }
        );
        let other_retailer = IncidentClaim { retailer: "southco".into(), ..claim };
        assert_eq!(store.claim_incident(&other_retailer).await.unwrap(), ClaimOutcome::New);
    }
}

#[tokio::test]
async fn a_correction_moves_the_claim_to_a_new_revision_and_keeps_the_old_one() {
    for (store, _dir) in backends().await {
        let claim = IncidentClaim {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            incident_id: "INC-1".into(),
            content_hash: "h1".into(),
            received_at_ms: 1,
        };
        store.claim_incident(&claim).await.unwrap();
        store.mark_published("northmart", "NM-1").await.unwrap();
        let revision = Revision {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            replaces: 1,
            content_hash: "h2".into(),
            reason: "wrong suspect named".into(),
            received_at_ms: 2,
        };
        assert_eq!(store.revise_incident(&revision).await.unwrap(), Some(2));
        assert_eq!(store.revise_incident(&revision).await.unwrap(), None, "no longer at revision 1");
        let corrected = IncidentClaim { content_hash: "h2".into(), ..claim.clone() };
        assert_eq!(
            store.claim_incident(&corrected).await.unwrap(),
            ClaimOutcome::Unpublished { content_hash: "h2".into(), revision: 2 }
        );
        store.mark_published("northmart", "NM-1").await.unwrap();
        let row = store.claim_row("northmart", "NM-1").await.unwrap().unwrap();
        assert_eq!((row.revision, row.published, row.note.as_str()), (2, true, "wrong suspect named"));
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incident_revisions WHERE retailer_ref = 'NM-1'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(kept, 2, "both revisions are on record");

        let withdrawal = WithdrawalRecord {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            revision: 1,
            reason: "sent in error".into(),
            withdrawn_by: "northmart-1".into(),
            at_ms: 3,
        };
        assert!(!store.withdraw_incident(&withdrawal).await.unwrap(), "revision 1 is not current");
        let withdrawal = WithdrawalRecord { revision: 2, ..withdrawal };
        assert!(store.withdraw_incident(&withdrawal).await.unwrap());
        assert!(!store.withdraw_incident(&withdrawal).await.unwrap(), "withdrawn once");
        assert!(!store.claim_row("northmart", "NM-1").await.unwrap().unwrap().withdrawal_published);
        store.mark_withdrawal_published("northmart", "NM-1").await.unwrap();
        assert!(store.claim_row("northmart", "NM-1").await.unwrap().unwrap().withdrawal_published);
        assert_eq!(
            store.claim_incident(&corrected).await.unwrap(),
            ClaimOutcome::Published { content_hash: "h2".into(), revision: 2, withdrawn: true }
        );
        let revise_withdrawn = Revision { replaces: 2, content_hash: "h3".into(), ..revision };
        assert_eq!(store.revise_incident(&revise_withdrawn).await.unwrap(), None, "a withdrawn report stays so");
        let rows = store.claim_rows("northmart", "", 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].withdrawn_at_ms, rows[0].withdrawn_by.as_str()), (Some(3), "northmart-1"));
        assert!(store.claim_rows("northmart", "NM-1", 10).await.unwrap().is_empty(), "pages after the last");
    }
}

#[tokio::test]
async fn a_disposal_keeps_the_claim_row_and_deletes_its_revisions_and_hold() {
    for (store, _dir) in backends().await {
        for (reference, id, at) in [("NM-1", "INC-1", 1_000), ("NM-2", "INC-2", 1_500), ("NM-3", "INC-3", 5_000)] {
            let claim = IncidentClaim {
                retailer: "northmart".into(),
                retailer_ref: reference.into(),
                incident_id: id.into(),
                content_hash: "h1".into(),
                received_at_ms: at,
            };
            store.claim_incident(&claim).await.unwrap();
            store.mark_published("northmart", reference).await.unwrap();
        }
        let revision = Revision {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            replaces: 1,
            content_hash: "h2".into(),
            reason: "wrong suspect named".into(),
            received_at_ms: 1_200,
        };
        store.revise_incident(&revision).await.unwrap();
        store.mark_published("northmart", "NM-1").await.unwrap();
        let hold = RetentionHold {
            retailer: "northmart".into(),
            retailer_ref: "NM-2".into(),
            incident_id: "INC-2".into(),
            retain_until_ms: 9_000,
            reason: "supports an investigation".into(),
            decided_by: "opal-1".into(),
            decided_at_ms: 2_000,
        };
        store.put_retention_hold(&hold).await.unwrap();
        store.put_retention_hold(&RetentionHold { retain_until_ms: 8_000, ..hold.clone() }).await.unwrap();

        // Received before 2,000: NM-1 (corrected at 1,200) and NM-2 (with the later decision).
        let due = store.retention_candidates(2_000, None, 10).await.unwrap();
        let refs: Vec<&str> = due.iter().map(|c| c.claim.retailer_ref.as_str()).collect();
        assert_eq!(refs, ["NM-1", "NM-2"]);
        assert_eq!(due[0].claim.retailer, "northmart");
        assert_eq!(due[1].hold.as_ref().map(|h| h.retain_until_ms), Some(8_000), "the latest decision");
        let page = store.retention_candidates(2_000, Some(("northmart", "NM-1")), 10).await.unwrap();
        assert_eq!(page.len(), 1, "pages after the last");

        let disposal = DisposalRecord {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            at_ms: 3_000,
            disposed_by: "opal-1".into(),
            reason: "review 2032".into(),
        };
        assert!(!store.dispose_incident(&disposal).await.unwrap(), "withdrawn first");
        let withdrawal = WithdrawalRecord {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            revision: 2,
            reason: "disposed".into(),
            withdrawn_by: "opal-1".into(),
            at_ms: 3_000,
        };
        assert!(store.withdraw_incident(&withdrawal).await.unwrap());
        assert!(store.dispose_incident(&disposal).await.unwrap());
        let later = DisposalRecord { at_ms: 3_001, reason: "again".into(), ..disposal };
        assert!(!store.dispose_incident(&later).await.unwrap(), "disposed once");
        let row = store.claim_row("northmart", "NM-1").await.unwrap().unwrap();
        assert_eq!((row.disposed_at_ms, row.disposal_published), (Some(3_000), false));
        assert_eq!((row.disposed_by.as_str(), row.disposal_reason.as_str()), ("opal-1", "review 2032"));
        let due = store.retention_candidates(2_000, None, 10).await.unwrap();
        assert_eq!(due.len(), 2, "listed until its disposal is on the log");
        store.mark_disposal_published("northmart", "NM-1").await.unwrap();
        let row = store.claim_row("northmart", "NM-1").await.unwrap().unwrap();
        assert!(row.disposal_published && row.withdrawal_published);
        let due = store.retention_candidates(2_000, None, 10).await.unwrap();
        assert_eq!(due.iter().map(|c| c.claim.retailer_ref.as_str()).collect::<Vec<_>>(), ["NM-2"]);
        let revisions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incident_revisions WHERE retailer_ref = 'NM-1'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(revisions, 0, "no trace of the disposed report's revisions");
        let claimed = IncidentClaim {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            incident_id: "INC-1".into(),
            content_hash: "h9".into(),
            received_at_ms: 4_000,
        };
        assert!(
            matches!(store.claim_incident(&claimed).await.unwrap(), ClaimOutcome::Published { withdrawn: true, .. }),
            "a disposed reference cannot be sent again"
        );
    }
}

#[tokio::test]
async fn standing_packages_are_the_latest_versions_not_withdrawn() {
    for (store, _dir) in backends().await {
        let mut withdrawn = packaged("PKG-B", 2, "kent", &["kent"]);
        withdrawn.withdrawn = true;
        put_packages(
            &store,
            &[
                packaged("PKG-A", 1, "kent", &["kent"]),
                packaged("PKG-A", 2, "kent", &["kent"]),
                packaged("PKG-B", 1, "kent", &["kent"]),
                withdrawn,
                packaged("PKG-C", 1, "essex", &["essex", "kent"]),
            ],
        )
        .await;
        let standing = store.standing_packages("", 10).await.unwrap();
        let found: Vec<(&str, u32)> = standing.iter().map(|p| (p.package_id.as_str(), p.version)).collect();
        assert_eq!(found, [("PKG-A", 2), ("PKG-C", 1)]);
        assert_eq!(standing[0].body, b"body v2");
        assert_eq!(store.standing_packages("PKG-A", 1).await.unwrap()[0].package_id, "PKG-C");
    }
}

#[tokio::test]
async fn rejected_records_received_before_the_cutoff_are_purged() {
    for (store, _dir) in backends().await {
        for (reference, at) in [("OLD-1", 1_000), ("OLD-2", 1_999), ("NEW-1", 2_000)] {
            let record = RejectedRecord {
                id: 0,
                retailer: "northmart".into(),
                retailer_ref: reference.into(),
                channel: "grpc".into(),
                received_at_ms: at,
                payload: b"{}".to_vec(),
                problems: "[]".into(),
            };
            store.put_rejected(&record).await.unwrap();
        }
        assert_eq!(store.purge_rejected(2_000).await.unwrap(), 2);
        let kept: Vec<String> =
            store.rejected("northmart", 10).await.unwrap().into_iter().map(|r| r.retailer_ref).collect();
        assert_eq!(kept, ["NEW-1"]);
        assert_eq!(store.purge_rejected(2_000).await.unwrap(), 0, "nothing left to purge");
    }
}

#[tokio::test]
async fn rejected_records_are_kept_with_their_reasons() {
    for (store, _dir) in backends().await {
        let record = RejectedRecord {
            id: 0,
            retailer: "northmart".into(),
            retailer_ref: "NM-9".into(),
            channel: "grpc".into(),
            received_at_ms: 5,
            payload: vec![1, 2, 3],
            problems: r#"[{"field":"store_id","code":"unknown-store","reason":"x"}]"#.into(),
        };
        let id = store.put_rejected(&record).await.unwrap();
        let kept = store.rejected("northmart", 10).await.unwrap();
        assert_eq!(kept, [RejectedRecord { id, ..record }]);
        assert!(store.rejected("southco", 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn stores_and_principals_upsert() {
    for (store, _dir) in backends().await {
        let mut shop = orca_model::Store {
            id: "NM-0001".into(),
            retailer: "northmart".into(),
            name: "Leeds".into(),
            postcode: "LS1".into(),
            force: "west-yorkshire".into(),
            lat: 53.8,
            lon: -1.5,
        };
        store.upsert_stores(std::slice::from_ref(&shop)).await.unwrap();
        shop.name = "Leeds Central".into();
        store.upsert_stores(std::slice::from_ref(&shop)).await.unwrap();
        assert_eq!(store.stores().await.unwrap(), [shop.clone()]);
        assert_eq!(store.stores_with_ids(&["NM-0001", "NM-0404"]).await.unwrap(), [shop.clone()]);
        assert!(store.stores_with_ids(&["NM-0404"]).await.unwrap().is_empty());

        let principal = Principal {
            key_hash: "abc".into(),
            key_id: "northmart-1".into(),
            kind: PrincipalKind::Retailer,
            subject: "northmart".into(),
            created_at_ms: 1,
            holder: String::new(),
            expires_at_ms: None,
            revoked: None,
        };
        store.put_principal(&principal).await.unwrap();
        assert_eq!(store.principal_by_key_hash("abc").await.unwrap(), Some(principal));
        assert_eq!(store.principal_by_key_hash("zzz").await.unwrap(), None);
    }
}

#[tokio::test]
async fn keys_are_listed_expire_and_are_revoked_with_a_reason() {
    for (store, _dir) in backends().await {
        let officer = Principal {
            key_hash: "h1".into(),
            key_id: "kent-1".into(),
            kind: PrincipalKind::Force,
            subject: "kent".into(),
            created_at_ms: 10,
            holder: "DC 4471 Sam Patel".into(),
            expires_at_ms: Some(1_000),
            revoked: None,
        };
        let system =
            Principal { key_hash: "h2".into(), key_id: "northmart-1".into(), created_at_ms: 20, ..officer.clone() };
        store.put_principal(&officer).await.unwrap();
        store.put_principal(&system).await.unwrap();
        assert_eq!(store.principals().await.unwrap(), [officer.clone(), system]);
        assert_eq!(officer.unusable_at(999), None);
        assert_eq!(officer.unusable_at(1_000), Some(KeyUnusable::Expired));

        assert!(store.revoke_principal("kent-1", 500, "officer left the unit").await.unwrap());
        let revoked = store.principal_by_key_hash("h1").await.unwrap().unwrap();
        assert_eq!(revoked.revoked, Some(Revocation { at_ms: 500, reason: "officer left the unit".into() }));
        assert_eq!(revoked.unusable_at(499), None, "a later revocation is a grace period");
        assert_eq!(revoked.unusable_at(500), Some(KeyUnusable::Revoked));
        assert!(!store.revoke_principal("kent-1", 600, "again").await.unwrap(), "already revoked by then");
        assert!(store.revoke_principal("kent-1", 400, "sooner").await.unwrap(), "brought forward");
        assert!(!store.revoke_principal("nobody-1", 1, "x").await.unwrap());
        // Re-registering a key (the same hash) does not lift its revocation.
        store.put_principal(&officer).await.unwrap();
        assert!(store.principal_by_key_hash("h1").await.unwrap().unwrap().revoked.is_some());
    }
}

fn package(version: u32, lead: &str, forces: &[&str]) -> PackageRecord {
    packaged("PKG-G1", version, lead, forces)
}

fn packaged(id: &str, version: u32, lead: &str, forces: &[&str]) -> PackageRecord {
    PackageRecord {
        package_id: id.into(),
        version,
        lead_force: lead.into(),
        forces: forces.iter().map(|f| (*f).to_owned()).collect(),
        summary: format!("summary v{version}").into_bytes(),
        body: format!("body v{version}").into_bytes(),
        priority_rank: 1,
        withdrawn: false,
        last_seen_ms: 0,
        changed_at_ms: i64::from(version) * 1000,
        cited_incidents: Vec::new(),
    }
}

fn query(force: &str) -> PackageQuery {
    PackageQuery { force: force.into(), ..PackageQuery::default() }
}

fn lead_query(force: &str) -> PackageQuery {
    PackageQuery { lead: Some(true), ..query(force) }
}

async fn put_packages(store: &SqlStore, records: &[PackageRecord]) {
    for record in records {
        let mut tx = store.begin().await.unwrap();
        tx.put_package(record).await.unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn forces_see_the_latest_version_of_packages_that_concern_them() {
    for (store, _dir) in backends().await {
        put_packages(
            &store,
            &[
                package(1, "kent", &["kent", "essex"]),
                package(2, "kent", &["kent", "sussex"]),
                package(1, "kent", &["kent", "essex"]),
            ],
        )
        .await;
        let kent = store.list_packages(&query("kent"), None, 10).await.unwrap();
        assert_eq!(kent.len(), 1);
        assert_eq!(kent[0].version, 2, "a replayed old version does not regress the latest");
        assert_eq!(store.list_packages(&query("sussex"), None, 10).await.unwrap().len(), 1);
        assert!(
            store.list_packages(&lead_query("sussex"), None, 10).await.unwrap().is_empty(),
            "sussex is not the lead"
        );
        assert!(store.list_packages(&query("essex"), None, 10).await.unwrap().is_empty(), "essex dropped in v2");
        assert_eq!(store.count_packages(&lead_query("kent")).await.unwrap(), 1);
        assert_eq!(store.count_packages(&query("essex")).await.unwrap(), 0);
        assert_eq!(store.package("PKG-G1", Some(1)).await.unwrap().unwrap().body, b"body v1");
        assert_eq!(store.package("PKG-G1", None).await.unwrap().unwrap().version, 2);
        assert!(store.package("PKG-G9", None).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_listing_puts_the_most_urgent_and_most_recent_first_and_pages_without_gaps() {
    for (store, _dir) in backends().await {
        let mut records = Vec::new();
        // (id, rank, last seen, withdrawn, changed at)
        for (id, rank, seen, withdrawn, changed) in [
            ("PKG-A", 2, 50, false, 1),
            ("PKG-B", 0, 10, false, 2),
            ("PKG-C", 0, 30, false, 3),
            ("PKG-D", 1, 40, false, 4),
            ("PKG-E", 0, 30, false, 5),
            ("PKG-F", 3, 60, true, 6),
        ] {
            let mut record = packaged(id, 1, "kent", &["kent"]);
            record.priority_rank = rank;
            record.last_seen_ms = seen;
            record.withdrawn = withdrawn;
            record.changed_at_ms = changed;
            records.push(record);
        }
        put_packages(&store, &records).await;
        let active = PackageQuery { withdrawn: Some(false), ..query("kent") };
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.list_packages(&active, after.as_ref(), 2).await.unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.position());
            seen.extend(page.into_iter().map(|row| row.package_id));
        }
        assert_eq!(seen, ["PKG-C", "PKG-E", "PKG-B", "PKG-D", "PKG-A"], "band, then latest offence, then id");
        assert_eq!(store.count_packages(&active).await.unwrap(), 5);
        let withdrawn = PackageQuery { withdrawn: Some(true), ..query("kent") };
        let listed = store.list_packages(&withdrawn, None, 10).await.unwrap();
        assert_eq!((listed.len(), listed[0].withdrawn), (1, true));
        assert_eq!(store.count_packages(&query("kent")).await.unwrap(), 6, "no status filter keeps both");
        let high_or_low = PackageQuery { priority_ranks: vec![0, 2], ..active.clone() };
        assert_eq!(store.count_packages(&high_or_low).await.unwrap(), 4);
        let recent = PackageQuery { changed_since_ms: Some(4), ..active };
        let ids: Vec<String> =
            store.list_packages(&recent, None, 10).await.unwrap().into_iter().map(|r| r.package_id).collect();
        assert_eq!(ids, ["PKG-E", "PKG-D"]);
    }
}

#[tokio::test]
async fn a_force_follows_its_packages_in_order_and_hears_when_one_is_taken_back() {
    for (store, _dir) in backends().await {
        put_packages(
            &store,
            &[
                packaged("PKG-1", 1, "kent", &["kent", "essex"]),
                packaged("PKG-2", 1, "kent", &["kent"]),
                packaged("PKG-1", 2, "kent", &["kent"]),
                packaged("PKG-2", 2, "kent", &["kent", "essex"]),
            ],
        )
        .await;
        let essex = store.package_changes("essex", -1, 10).await.unwrap();
        let seen: Vec<(&str, Option<u32>)> =
            essex.iter().map(|c| (c.package_id.as_str(), c.latest.as_ref().map(|r| r.version))).collect();
        assert_eq!(seen, [("PKG-1", None), ("PKG-2", Some(2))], "latest state, in the order it changed");
        assert!(essex[0].seq < essex[1].seq);
        let resumed = store.package_changes("essex", essex[0].seq, 10).await.unwrap();
        assert_eq!(resumed.len(), 1, "resuming after a cursor repeats nothing");
        assert_eq!(resumed[0].package_id, "PKG-2");
        assert!(store.package_changes("essex", essex[1].seq, 10).await.unwrap().is_empty());
        put_packages(&store, &[packaged("PKG-1", 3, "kent", &["kent", "essex"])]).await;
        let next = store.package_changes("essex", essex[1].seq, 10).await.unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].latest.as_ref().map(|r| r.version), Some(3), "shared again");
        assert_eq!(store.count_packages(&query("essex")).await.unwrap(), 2);
    }
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    for (store, _dir) in backends().await {
        let record = AuditRecord {
            seq: 0,
            at_ms: 1,
            principal: "kent-analyst-1".into(),
            principal_kind: "force".into(),
            action: "read-package".into(),
            resource: "package:PKG-G1@2".into(),
            purpose: "operation bluebird".into(),
            outcome: "disclosed".into(),
            detail: String::new(),
            ..AuditRecord::default()
        };
        let first = store.append_audit(&record).await.unwrap();
        let second = store.append_audit(&record).await.unwrap();
        assert!(second > first);
        assert_eq!(store.audit(0, 10).await.unwrap().len(), 2);
        let update = sqlx::query("UPDATE audit_log SET purpose = 'covered up'").execute(&store.pool).await;
        assert!(update.is_err(), "the database refuses updates");
        let delete = sqlx::query("DELETE FROM audit_log").execute(&store.pool).await;
        assert!(delete.is_err(), "the database refuses deletes");
        if !store.is_embedded() {
            let truncate = sqlx::query("TRUNCATE audit_log").execute(&store.pool).await;
            assert!(truncate.is_err(), "the database refuses truncation");
        }
        assert_eq!(store.audit(0, 10).await.unwrap()[0].purpose, "operation bluebird");
    }
}

fn audit_entry(resource: &str) -> AuditRecord {
    AuditRecord {
        at_ms: 1_700_000_000_000,
        principal: "key-7".into(),
        principal_kind: "force:kent".into(),
        action: "read-package".into(),
        resource: resource.into(),
        purpose: "operation bluebird".into(),
        outcome: "disclosed".into(),
        ..AuditRecord::default()
    }
}

/// The store's own audit log with `count` entries, its anchor at the end, and a way around its
/// triggers (what someone with the table owner's rights could do).
async fn audit_log_with_triggers_dropped(store: &SqlStore, count: usize) -> Vec<audit_chain::Anchor> {
    for n in 1..=count {
        store.append_audit(&audit_entry(&format!("package:PKG-{n}"))).await.unwrap();
    }
    let (seq, hash) = store.audit_head().await.unwrap().unwrap();
    let drops: &[&str] = if store.is_embedded() {
        &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    } else {
        &["DROP TRIGGER audit_log_no_change ON audit_log", "DROP TRIGGER audit_log_no_truncate ON audit_log"]
    };
    for drop in drops {
        sqlx::query(drop).execute(&store.pool).await.unwrap();
    }
    vec![audit_chain::Anchor { seq, hash, at_ms: 0 }]
}

async fn verified(
    store: &SqlStore,
    anchors: &[audit_chain::Anchor],
) -> Result<audit_chain::ChainSummary, audit_chain::ChainProblem> {
    audit_chain::verify_store(store, anchors.to_vec(), |_| {}).await.unwrap()
}

#[tokio::test]
async fn the_audit_log_is_a_hash_chain_that_verifies() {
    for (store, _dir) in backends().await {
        let anchors = audit_log_with_triggers_dropped(&store, 5).await;
        let summary = verified(&store, &anchors).await.unwrap();
        assert_eq!((summary.entries, summary.anchors_checked), (5, 1));
        let log = store.audit(0, 10).await.unwrap();
        assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert_eq!(log[0].prev_hash, audit_chain::GENESIS);
        assert_eq!(log[1].prev_hash, log[0].hash);
    }
}

#[tokio::test]
async fn an_audit_entry_edited_around_the_triggers_is_named() {
    for (store, _dir) in backends().await {
        let anchors = audit_log_with_triggers_dropped(&store, 5).await;
        sqlx::query("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 3")
            .execute(&store.pool)
            .await
            .unwrap();
        assert_eq!(verified(&store, &anchors).await, Err(audit_chain::ChainProblem::Edited { seq: 3 }));
    }
}

#[tokio::test]
async fn an_audit_entry_deleted_around_the_triggers_is_named() {
    for (store, _dir) in backends().await {
        let anchors = audit_log_with_triggers_dropped(&store, 5).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(&store.pool).await.unwrap();
        assert_eq!(verified(&store, &anchors).await, Err(audit_chain::ChainProblem::Missing { after: 1, next: 3 }));
    }
}

#[tokio::test]
async fn a_truncated_audit_log_is_found_by_its_anchor() {
    for (store, _dir) in backends().await {
        let anchors = audit_log_with_triggers_dropped(&store, 5).await;
        let truncate = if store.is_embedded() { "DELETE FROM audit_log" } else { "TRUNCATE audit_log" };
        sqlx::query(truncate).execute(&store.pool).await.unwrap();
        let problem = verified(&store, &anchors).await.unwrap_err();
        assert_eq!(problem, audit_chain::ChainProblem::Truncated { last: None, anchored: 5 });
        assert_eq!(problem.first_bad_seq(), 1);
    }
}

/// Stored bytes of every `kv` value and `packages` body, summed.
async fn stored_bytes(store: &SqlStore) -> (i64, i64) {
    let kv: i64 = sqlx::query("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM kv")
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let packages: i64 = sqlx::query("SELECT COALESCE(SUM(LENGTH(body)), 0) FROM packages")
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    (kv, packages)
}

#[tokio::test]
async fn large_values_and_package_bodies_are_stored_compressed_and_read_back_exactly() {
    let record = "{\"incident\":\"I-000123\",\"store\":\"S-0042\",\"force\":\"Kent Police\",\"value\":1899}";
    let state = record.repeat(50);
    let mut body = package(1, "kent", &["kent"]);
    body.body = record.repeat(400).into_bytes();
    for (store, _dir) in backends().await {
        let mut tx = store.begin().await.unwrap();
        tx.apply_state(&[put("network.incident", "I1", &state), put("network.incident", "I2", "{}")]).await.unwrap();
        tx.put_package(&body).await.unwrap();
        tx.commit().await.unwrap();

        let loaded = store.load_state("network.").await.unwrap();
        assert_eq!(loaded[0].value, state.as_bytes());
        assert_eq!(loaded[1].value, b"{}", "a value too small to compress reads as given");
        assert_eq!(store.get_state("network.incident", "I1").await.unwrap().unwrap(), state.as_bytes());
        assert_eq!(store.package("PKG-G1", Some(1)).await.unwrap().unwrap().body, body.body);
        assert_eq!(store.list_packages(&query("kent"), None, 10).await.unwrap()[0].body, body.body);
        let (kv, packages) = stored_bytes(&store).await;
        assert!(kv * 10 < state.len() as i64, "{kv} bytes stored for {} of state", state.len());
        assert!(packages * 10 < body.body.len() as i64, "{packages} bytes stored for a {}-byte body", body.body.len());
    }
}

#[tokio::test]
async fn a_store_written_before_compression_reads_as_it_was_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("orca.db").display());
    // The store as the release before compression left it: only the first migration, raw bytes.
    let first = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite/0001_initial.sql"),
        first.path().join("0001_initial.sql"),
    )
    .unwrap();
    sqlx::any::install_default_drivers();
    let old = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(first.path()).await.unwrap().run(&old).await.unwrap();
    let old_value = "an old value that is long enough to have been compressed had it been written today";
    sqlx::query("INSERT INTO kv (namespace, key, value) VALUES ('resolve.person', 'P1', $1)")
        .bind(old_value.as_bytes())
        .execute(&old)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO packages (package_id, version, lead_force, summary, body) VALUES ('PKG-G1', 1, 'kent', $1, $2)",
    )
    .bind(&b"summary"[..])
    .bind(&b"old body"[..])
    .execute(&old)
    .await
    .unwrap();
    old.close().await;

    let store = SqlStore::connect(&url).await.unwrap();
    assert_eq!(store.get_state("resolve.person", "P1").await.unwrap().unwrap(), old_value.as_bytes());
    assert_eq!(store.package("PKG-G1", Some(1)).await.unwrap().unwrap().body, b"old body");
    let mut tx = store.begin().await.unwrap();
    tx.apply_state(&[put("resolve.person", "P1", &old_value.repeat(10))]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.get_state("resolve.person", "P1").await.unwrap().unwrap(), old_value.repeat(10).as_bytes());
}

#[tokio::test]
async fn sqlite_state_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orca.db").display());
    let store = SqlStore::connect(&url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.apply_state(&[put("resolve.person", "P1", "a")]).await.unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    let reopened = SqlStore::connect(&url).await.unwrap();
    assert_eq!(reopened.load_state("resolve.").await.unwrap().len(), 1);
}

#[tokio::test]
async fn unsupported_urls_are_refused_clearly() {
    let error = SqlStore::connect("mysql://localhost/orca").await.unwrap_err();
    assert!(error.to_string().contains("use sqlite://PATH or postgres://"), "{error}");
}

fn published(retailer_ref: &str, revision: u32, body: &[u8], faces_until_ms: Option<i64>) -> PublishedReport {
    PublishedReport {
        retailer: "northmart".into(),
        retailer_ref: retailer_ref.into(),
        revision,
        body: body.to_vec(),
        faces_until_ms,
    }
}

#[tokio::test]
async fn a_published_report_is_kept_on_its_claim_until_orca_revises_it_or_it_is_disposed_of() {
    for (store, _dir) in backends().await {
        store.claim_incidents(&[claim("NM-1", "h1"), claim("NM-2", "h2")]).await.unwrap();
        let body = "a report ".repeat(200).into_bytes();
        store
            .mark_published_many(&[published("NM-1", 1, &body, Some(1_000)), published("NM-2", 1, b"other", None)])
            .await
            .unwrap();
        assert_eq!(store.kept_report("northmart", "NM-1").await.unwrap().as_deref(), Some(body.as_slice()));
        let stale = published("NM-2", 5, b"a revision the claim is not at", None);
        store.mark_published_many(&[stale]).await.unwrap();
        assert_eq!(store.kept_report("northmart", "NM-2").await.unwrap().as_deref(), Some(&b"other"[..]));
        let due: Vec<_> = store.reissue_candidates(2_000, None, 10).await.unwrap();
        assert_eq!(due.iter().map(|c| c.retailer_ref.as_str()).collect::<Vec<_>>(), ["NM-1"]);
        assert!(store.reissue_candidates(999, None, 10).await.unwrap().is_empty(), "not due before then");
        let claim_row = store.claim_of_incident(&due[0].incident_id).await.unwrap().unwrap();
        assert_eq!((claim_row.retailer_ref.as_str(), claim_row.content_hash.as_str()), ("NM-1", "h1"));

        // ORCA's revision: the hash and receipt stay, it is pending until published.
        let revision = Revision {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            replaces: 1,
            content_hash: "h1".into(),
            reason: "face templates removed".into(),
            received_at_ms: claim_row.received_at_ms,
        };
        assert_eq!(store.reissue_incident(&revision, b"without faces", None).await.unwrap(), Some(2));
        let pending = store.reissue_candidates(2_000, None, 10).await.unwrap();
        assert_eq!((pending.len(), pending[0].orca_revision, pending[0].published), (1, true, false));
        store.mark_published_many(&[published("NM-1", 2, b"without faces", None)]).await.unwrap();
        assert!(store.reissue_candidates(i64::MAX, None, 10).await.unwrap().is_empty());
        assert_eq!(store.kept_report("northmart", "NM-1").await.unwrap().as_deref(), Some(&b"without faces"[..]));

        let erasure = ErasureRecord {
            incident_id: claim_row.incident_id.clone(),
            sighting_index: 1,
            person_id: "P1".into(),
            merged_ids: Vec::new(),
            reason: "no basis".into(),
            erased_by: "opal-1".into(),
            erased_at_ms: 5,
        };
        store.record_erasure(&erasure).await.unwrap();
        store.record_erasure(&erasure).await.unwrap();
        assert_eq!(store.erasures(&claim_row.incident_id).await.unwrap(), [erasure]);

        let withdrawal = WithdrawalRecord {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            revision: 2,
            reason: "review".into(),
            withdrawn_by: "opal-1".into(),
            at_ms: 10,
        };
        assert!(store.withdraw_incident(&withdrawal).await.unwrap());
        let disposal = DisposalRecord {
            retailer: "northmart".into(),
            retailer_ref: "NM-1".into(),
            at_ms: 11,
            disposed_by: "opal-1".into(),
            reason: "review".into(),
        };
        assert!(store.dispose_incident(&disposal).await.unwrap());
        assert_eq!(store.kept_report("northmart", "NM-1").await.unwrap(), None, "nothing of it is kept");
        assert!(store.erasures(&claim_row.incident_id).await.unwrap().is_empty());
    }
}

fn claim(retailer_ref: &str, content_hash: &str) -> IncidentClaim {
    IncidentClaim {
        retailer: "northmart".into(),
        retailer_ref: retailer_ref.into(),
        incident_id: format!("INC-{retailer_ref}"),
        content_hash: content_hash.into(),
        received_at_ms: 1,
    }
}

#[tokio::test]
async fn batch_claims_match_claiming_one_at_a_time() {
    for (store, _dir) in backends().await {
        assert!(store.claim_incidents(&[]).await.unwrap().is_empty());
        let first =
            store.claim_incidents(&[claim("NM-1", "h1"), claim("NM-2", "h1"), claim("NM-1", "h2")]).await.unwrap();
        assert_eq!(
            first,
            [
                ClaimOutcome::New,
                ClaimOutcome::New,
                ClaimOutcome::Unpublished { content_hash: "h1".into(), revision: 1 }
            ],
            "a pair repeated in the batch finds its first claim"
        );
        store.mark_published_many(&[published("NM-1", 1, b"report", None)]).await.unwrap();
        let other_retailer = IncidentClaim { retailer: "southco".into(), ..claim("NM-1", "h9") };
        let second = store
            .claim_incidents(&[claim("NM-1", "h2"), claim("NM-2", "h1"), claim("NM-3", "h3"), other_retailer])
            .await
            .unwrap();
        assert_eq!(
            second,
            [
                ClaimOutcome::Published { content_hash: "h1".into(), revision: 1, withdrawn: false },
                ClaimOutcome::Unpublished { content_hash: "h1".into(), revision: 1 },
                ClaimOutcome::New,
                ClaimOutcome::New,
            ]
        );
        assert_eq!(
            store.claim_incident(&claim("NM-3", "h3")).await.unwrap(),
            ClaimOutcome::Unpublished { content_hash: "h3".into(), revision: 1 },
            "batch and single claims share one table"
        );
    }
}

#[tokio::test]
async fn large_claim_batches_are_written_in_chunks() {
    for (store, _dir) in backends().await {
        let claims: Vec<_> = (0..1_234).map(|i| claim(&format!("NM-{i:05}"), "h")).collect();
        let outcomes = store.claim_incidents(&claims).await.unwrap();
        assert!(outcomes.iter().all(|outcome| *outcome == ClaimOutcome::New));
        let reports: Vec<_> = claims.iter().map(|c| published(&c.retailer_ref, 1, b"report", Some(7))).collect();
        store.mark_published_many(&reports).await.unwrap();
        let again = store.claim_incidents(&claims).await.unwrap();
        assert_eq!(again.len(), 1_234);
        assert!(
            again.iter().all(|outcome| *outcome
                == ClaimOutcome::Published { content_hash: "h".into(), revision: 1, withdrawn: false })
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_of_one_process_take_turns_and_all_land() {
    for (store, _dir) in backends().await {
        let store = std::sync::Arc::new(store);
        let writers: Vec<_> = (0..8)
            .map(|i| {
                let store = std::sync::Arc::clone(&store);
                tokio::spawn(async move {
                    let mut tx = store.begin().await.unwrap();
                    tx.apply_state(&[put("turns.writer", &format!("w{i}"), "done")]).await.unwrap();
                    // A write outside the transaction from the same task would wait for itself;
                    // other tasks' writes queue behind this transaction and land after it.
                    tx.commit().await.unwrap();
                    let rejected = RejectedRecord {
                        id: 0,
                        retailer: "northmart".into(),
                        retailer_ref: format!("NM-{i}"),
                        channel: "grpc".into(),
                        received_at_ms: i,
                        payload: vec![],
                        problems: "[]".into(),
                    };
                    store.put_rejected(&rejected).await.unwrap();
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }
        assert_eq!(store.load_state("turns.").await.unwrap().len(), 8);
        assert_eq!(store.rejected("northmart", 100).await.unwrap().len(), 8);
    }
}

/// PostgreSQL over TLS: `sslmode=require` encrypts the connection, and `verify-full` refuses a
/// server whose certificate no trusted CA signed (the test server's is self-signed).
#[cfg(feature = "postgres-tests")]
#[tokio::test]
async fn postgres_connections_can_require_and_verify_tls() {
    let url = fresh_postgres_url().await;
    let store = SqlStore::connect(&format!("{url}?sslmode=require")).await.expect("TLS connection");
    let row = sqlx::query("SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(row.try_get::<i32, _>(0).unwrap(), 1, "the session is encrypted");
    store.close().await;
    let unverified = SqlStore::connect(&format!("{url}?sslmode=verify-full")).await;
    assert!(unverified.is_err(), "a certificate no trusted CA signed is refused");
}

/// On PostgreSQL the stages run as a role that may read and append the audit log and nothing
/// more: editing, deleting, truncating or dropping its triggers is refused by the database.
#[cfg(feature = "postgres-tests")]
#[tokio::test]
async fn the_stage_role_may_only_append_to_and_read_the_audit_log() {
    let url = fresh_postgres_url().await;
    let owner = SqlStore::connect(&url).await.unwrap();
    let role = format!("orca_stage_{:08x}", rand::random::<u32>());
    sqlx::query(&format!("CREATE ROLE {role} LOGIN")).execute(&owner.pool).await.unwrap();
    owner.grant_stage_role(&role).await.unwrap();
    let (scheme, rest) = url.split_once("://").unwrap();
    let host_and_db = rest.split_once('@').map_or(rest, |(_, host)| host);
    let stage_url = format!("{scheme}://{role}@{host_and_db}");
    assert!(SqlStore::connect(&stage_url).await.is_err(), "the stage role cannot migrate");
    let stage = SqlStore::connect_without_migrating(&stage_url).await.expect("a migrated database");
    stage.append_audit(&audit_entry("package:PKG-1")).await.unwrap();
    stage.append_audit(&audit_entry("package:PKG-2")).await.unwrap();
    assert_eq!(stage.audit(0, 10).await.unwrap().len(), 2);
    for tamper in [
        "UPDATE audit_log SET purpose = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DROP TRIGGER audit_log_no_change ON audit_log",
    ] {
        let error = sqlx::query(tamper).execute(&stage.pool).await.unwrap_err().to_string();
        assert!(error.contains("permission denied") || error.contains("must be owner"), "{tamper}: {error}");
    }
    // The rest of the store works as before.
    let mut tx = stage.begin().await.unwrap();
    tx.apply_state(&[put("resolve.person", "P1", "a")]).await.unwrap();
    tx.commit().await.unwrap();
    stage.close().await;
    for cleanup in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
        sqlx::query(&cleanup).execute(&owner.pool).await.unwrap();
    }
    owner.close().await;
}

#[tokio::test]
async fn a_store_opened_without_migrating_refuses_an_older_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orca.db").display());
    let error = SqlStore::connect_without_migrating(&url).await.unwrap_err().to_string();
    assert!(error.contains("schema is at migration 0") && error.contains("orca db migrate"), "{error}");
    SqlStore::connect(&url).await.unwrap().close().await;
    SqlStore::connect_without_migrating(&url).await.expect("migrated by the owner");
}

/// One writer per stage: a lease another holder cannot take while it runs, taken over with a new
/// epoch once it lapses, and a commit by the holder that lost it refused with its batch.
#[tokio::test]
async fn a_stage_lease_fences_the_writer_that_lost_it() {
    for (store, _dir) in backends().await {
        assert_eq!(store.acquire_lease("resolver", "a", 1_000, 500).await.unwrap(), Some(1));
        assert_eq!(store.acquire_lease("resolver", "b", 1_200, 500).await.unwrap(), None, "a's lease runs");
        assert_eq!(store.acquire_lease("resolver", "a", 1_300, 500).await.unwrap(), Some(1), "a extends its own");
        assert_eq!(store.acquire_lease("linker", "b", 1_300, 500).await.unwrap(), Some(1), "one lease per stage");

        // a stalls past its lease; b takes over with a new epoch.
        assert_eq!(store.acquire_lease("resolver", "b", 1_800, 500).await.unwrap(), Some(2));
        let mut stale = store.begin().await.unwrap();
        stale.apply_state(&[put("resolve.person", "P1", "from a")]).await.unwrap();
        let lost = stale.renew_lease("resolver", "a", 1, 9_999).await.unwrap_err();
        assert!(matches!(lost, StoreError::LeaseLost { epoch: 1, .. }), "{lost}");
        drop(stale);
        assert_eq!(store.get_state("resolve.person", "P1").await.unwrap(), None, "a's batch is not in the store");

        let mut current = store.begin().await.unwrap();
        current.apply_state(&[put("resolve.person", "P1", "from b")]).await.unwrap();
        current.renew_lease("resolver", "b", 2, 2_800).await.unwrap();
        current.commit().await.unwrap();
        assert_eq!(store.get_state("resolve.person", "P1").await.unwrap().as_deref(), Some(&b"from b"[..]));
        assert_eq!(store.acquire_lease("resolver", "a", 2_000, 500).await.unwrap(), None, "renewed by b's commit");
    }
}

fn citing(version: u32, incidents: &[&str]) -> PackageRecord {
    PackageRecord {
        cited_incidents: incidents.iter().map(|i| (*i).to_owned()).collect(),
        ..package(version, "kent", &["kent"])
    }
}

async fn to_scrub(store: &SqlStore, written: &[u32]) -> Vec<(u32, Vec<String>, Vec<(String, String)>)> {
    let mut tx = store.begin().await.unwrap();
    let written: Vec<(String, u32)> = written.iter().map(|v| ("PKG-G1".to_owned(), *v)).collect();
    let found = tx.packages_to_scrub(&written).await.unwrap();
    tx.commit().await.unwrap();
    found.into_iter().map(|p| (p.version, p.disposed, p.erased)).collect()
}

#[tokio::test]
async fn a_disposal_or_an_erasure_finds_every_stored_version_citing_the_report_once() {
    for (store, _dir) in backends().await {
        store.claim_incidents(&[claim("NM-1", "h1"), claim("NM-2", "h2")]).await.unwrap();
        put_packages(&store, &[citing(1, &["INC-NM-1", "INC-NM-2"]), citing(2, &["INC-NM-2"])]).await;
        assert!(to_scrub(&store, &[]).await.is_empty(), "nothing disposed of yet");

        dispose(&store, "NM-1").await;
        assert_eq!(to_scrub(&store, &[]).await, [(1, vec!["INC-NM-1".to_owned()], vec![])]);
        assert!(to_scrub(&store, &[]).await.is_empty(), "the queue was cleared");

        // A version the linker built before it learnt of the disposal is found when written.
        put_packages(&store, &[citing(3, &["INC-NM-1"])]).await;
        assert_eq!(to_scrub(&store, &[3]).await, [(3, vec!["INC-NM-1".to_owned()], vec![])]);

        let scrubbed = ScrubbedPackage {
            summary: b"summary v1, scrubbed".to_vec(),
            body: b"body v1, scrubbed".to_vec(),
            cited_incidents: vec!["INC-NM-2".to_owned()],
        };
        let mut tx = store.begin().await.unwrap();
        tx.rewrite_package("PKG-G1", 1, &scrubbed).await.unwrap();
        tx.commit().await.unwrap();
        let row = store.package("PKG-G1", Some(1)).await.unwrap().unwrap();
        assert_eq!((row.summary, row.body), (scrubbed.summary, scrubbed.body));
        assert!(to_scrub(&store, &[1]).await.is_empty(), "version 1 no longer cites the disposed report");

        let erasure = ErasureRecord {
            incident_id: "INC-NM-2".into(),
            sighting_index: 0,
            person_id: "P7".into(),
            merged_ids: vec!["P3".into()],
            reason: "no basis".into(),
            erased_by: "opal-1".into(),
            erased_at_ms: 5,
        };
        store.record_erasure(&erasure).await.unwrap();
        let erased = vec![("INC-NM-2".to_owned(), "P3".to_owned()), ("INC-NM-2".to_owned(), "P7".to_owned())];
        assert_eq!(to_scrub(&store, &[]).await, [(1, vec![], erased.clone()), (2, vec![], erased)]);
    }
}

#[tokio::test]
async fn versions_stored_before_citations_were_indexed_hold_the_queue_until_indexed() {
    for (store, _dir) in backends().await {
        put_packages(&store, &[citing(1, &[])]).await;
        // As a version stored before migration 0010.
        sqlx::query("UPDATE packages SET citations_indexed = 0").execute(&store.pool).await.unwrap();
        store.claim_incidents(&[claim("NM-9", "h9")]).await.unwrap();
        dispose(&store, "NM-9").await;
        assert!(to_scrub(&store, &[]).await.is_empty(), "the queue waits");
        let mut tx = store.begin().await.unwrap();
        let unindexed = tx.unindexed_packages(10).await.unwrap();
        assert_eq!(unindexed.iter().map(|p| p.version).collect::<Vec<_>>(), [1]);
        tx.index_citations("PKG-G1", 1, &["INC-NM-9".to_owned()]).await.unwrap();
        assert!(tx.unindexed_packages(10).await.unwrap().is_empty());
        tx.commit().await.unwrap();
        assert_eq!(to_scrub(&store, &[]).await, [(1, vec!["INC-NM-9".to_owned()], vec![])]);
    }
}

/// Withdraws and disposes of a claimed report.
async fn dispose(store: &SqlStore, retailer_ref: &str) {
    let withdrawal = WithdrawalRecord {
        retailer: "northmart".into(),
        retailer_ref: retailer_ref.into(),
        revision: 1,
        reason: "wrong store".into(),
        withdrawn_by: "northmart".into(),
        at_ms: 3,
    };
    assert!(store.withdraw_incident(&withdrawal).await.unwrap());
    let disposal = DisposalRecord {
        retailer: "northmart".into(),
        retailer_ref: retailer_ref.into(),
        at_ms: 4,
        disposed_by: "opal-1".into(),
        reason: "review".into(),
    };
    assert!(store.dispose_incident(&disposal).await.unwrap());
}
