//! A report after it was accepted: corrections (a changed record with a reason is the next
//! revision), withdrawals (a tombstone on the log, refused resubmission) and the retailer's own
//! listing of what became of its records, over gRPC and HTTP, with wrong input.

mod harness;

use harness::{TestApp, authed, spawn_app, submit};
use orca_eventlog::topics;
use orca_proto::v1::{self, IngestStatus, RecordState, WithdrawStatus};
use orca_store::Store;
use prost::Message;

fn corrected(retailer_ref: &str, reason: &str) -> v1::SubmitRequest {
    let mut request = submit(retailer_ref);
    let incident = request.incident.as_mut().unwrap();
    incident.line_items[0].quantity = 3;
    incident.narrative = "took three bottles, not two".into();
    incident.correction_reason = reason.into();
    request
}

async fn withdraw(
    app: &TestApp,
    key: &str,
    request: v1::WithdrawRequest,
) -> Result<v1::WithdrawResponse, tonic::Status> {
    Ok(app.grpc().await.withdraw(authed(key, request)).await?.into_inner())
}

async fn list(
    app: &TestApp,
    key: &str,
    request: v1::ListRecordsRequest,
) -> Result<Vec<v1::RecordStatus>, tonic::Status> {
    Ok(app.grpc().await.list_records(authed(key, request)).await?.into_inner().records)
}

fn withdrawal(retailer_ref: &str, reason: &str) -> v1::WithdrawRequest {
    v1::WithdrawRequest { retailer_ref: retailer_ref.into(), reason: reason.into(), retailer_id: String::new() }
}

#[tokio::test]
async fn a_changed_report_with_a_reason_is_the_next_revision_on_the_log() {
    let app = spawn_app().await;
    let first = app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    assert_eq!((first.status, first.revision), (IngestStatus::Accepted as i32, 1));

    let ack = app.submit_one(&app.northmart_key, corrected("NM-1", "till receipt: three bottles")).await.unwrap();
    assert_eq!((ack.status, ack.revision), (IngestStatus::Accepted as i32, 2), "{:?}", ack.problems);
    assert_eq!(ack.incident_id, first.incident_id, "the same report");
    let again = app.submit_one(&app.northmart_key, corrected("NM-1", "sent twice by the till")).await.unwrap();
    assert_eq!(again.status, IngestStatus::Duplicate as i32, "the reason is not content: the same correction");

    let log = app.read_topic(topics::INCIDENTS).await;
    assert_eq!(log.len(), 2, "both revisions are on the log");
    let revised = v1::Incident::decode(log[1].value.as_slice()).unwrap();
    assert_eq!((revised.revision, revised.correction_reason.as_str()), (2, "till receipt: three bottles"));
    assert_eq!(revised.line_items[0].quantity, 3);

    // A blank or overlong reason is refused, saying why; the report stays at revision 2.
    for (reason, says) in [(" \t ", "give the reason in words"), (&*"x".repeat(501), "at most 500 characters")] {
        let mut bad = corrected("NM-1", reason);
        bad.incident.as_mut().unwrap().narrative = "a third version".into();
        let ack = app.submit_one(&app.northmart_key, bad).await.unwrap();
        if reason.trim().is_empty() {
            // A blank reason is no reason: a changed record without one.
            assert_eq!(ack.problems[0].code, "changed-resubmission");
        } else {
            assert_eq!(
                (ack.problems[0].field.as_str(), ack.problems[0].code.as_str()),
                ("correction_reason", "invalid-reason")
            );
            assert!(ack.problems[0].reason.contains(says), "{}", ack.problems[0].reason);
        }
    }
    let records = list(&app, &app.northmart_key, v1::ListRecordsRequest::default()).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!((records[0].state, records[0].revision), (RecordState::Corrected as i32, 2));
    assert_eq!(records[0].note, "till receipt: three bottles");
}

#[tokio::test]
async fn a_withdrawn_report_leaves_a_tombstone_and_cannot_be_sent_again() {
    let app = spawn_app().await;
    let accepted = app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();

    let response = withdraw(&app, &app.northmart_key, withdrawal("NM-1", "sent for the wrong store")).await.unwrap();
    assert_eq!((response.status, response.revision), (WithdrawStatus::Withdrawn as i32, 1));
    assert_eq!(response.incident_id, accepted.incident_id);
    let again = withdraw(&app, &app.northmart_key, withdrawal("NM-1", "again")).await.unwrap();
    assert_eq!(again.status, WithdrawStatus::AlreadyWithdrawn as i32);

    let log = app.read_topic(topics::INCIDENTS).await;
    assert_eq!(log.len(), 2, "the report and its tombstone");
    let tombstone = log.iter().find(|r| r.header(topics::RECORD_KIND) == Some(topics::WITHDRAWAL.as_bytes())).unwrap();
    assert_eq!(tombstone.key, accepted.incident_id.as_bytes(), "keyed like the report");
    let kept = v1::IncidentWithdrawal::decode(tombstone.value.as_slice()).unwrap();
    assert_eq!((kept.reason.as_str(), kept.retailer_ref.as_str()), ("sent for the wrong store", "NM-1"));

    let resent = app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    assert_eq!((resent.status, resent.problems[0].code.as_str()), (IngestStatus::Rejected as i32, "withdrawn"));
    let correction = app.submit_one(&app.northmart_key, corrected("NM-1", "late fix")).await.unwrap();
    assert_eq!(correction.problems[0].code, "withdrawn");

    let records = list(&app, &app.northmart_key, v1::ListRecordsRequest::default()).await.unwrap();
    assert_eq!(
        (records[0].state, records[0].note.as_str()),
        (RecordState::Withdrawn as i32, "sent for the wrong store")
    );
    let audit = app.store.audit(0, 100).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "withdraw-incident" && a.purpose == "sent for the wrong store"));
}

#[tokio::test]
async fn withdrawals_that_cannot_be_done_say_why() {
    let app = spawn_app().await;
    app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    let refused = |result: Result<v1::WithdrawResponse, tonic::Status>| result.expect_err("refused");

    let unknown = refused(withdraw(&app, &app.northmart_key, withdrawal("NM-404", "typo")).await);
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    assert!(unknown.message().contains("no accepted report with reference `NM-404`"), "{}", unknown.message());
    let no_reason = refused(withdraw(&app, &app.northmart_key, withdrawal("NM-1", "  ")).await);
    assert_eq!(no_reason.code(), tonic::Code::InvalidArgument);
    assert!(no_reason.message().contains("`reason`"), "{}", no_reason.message());
    let no_ref = refused(withdraw(&app, &app.northmart_key, withdrawal("", "why")).await);
    assert_eq!(no_ref.code(), tonic::Code::InvalidArgument);

    // Another retailer's report is out of reach, named or not; a force may not withdraw at all.
    let theirs = refused(withdraw(&app, &app.southco_key, withdrawal("NM-1", "not ours")).await);
    assert_eq!(theirs.code(), tonic::Code::NotFound, "southco has no NM-1");
    let named = v1::WithdrawRequest { retailer_id: "northmart".into(), ..withdrawal("NM-1", "not ours") };
    assert_eq!(refused(withdraw(&app, &app.southco_key, named.clone()).await).code(), tonic::Code::InvalidArgument);
    assert_eq!(refused(withdraw(&app, &app.force_key, named.clone()).await).code(), tonic::Code::PermissionDenied);
    // An analyst names the retailer, and may.
    assert_eq!(
        refused(withdraw(&app, &app.analyst_key, withdrawal("NM-1", "x")).await).code(),
        tonic::Code::InvalidArgument
    );
    let by_analyst = withdraw(&app, &app.analyst_key, named).await.unwrap();
    assert_eq!(by_analyst.status, WithdrawStatus::Withdrawn as i32);
}

#[tokio::test]
async fn a_retailer_lists_its_own_records_accepted_and_rejected_page_by_page() {
    let app = spawn_app().await;
    for n in 1..=5 {
        app.submit_one(&app.northmart_key, submit(&format!("NM-{n}"))).await.unwrap();
    }
    app.submit_one(&app.southco_key, harness::submit_for("southco", "SC-1")).await.unwrap();
    let mut bad = submit("NM-9");
    bad.incident.as_mut().unwrap().store_id = "NM-9999".into();
    app.submit_one(&app.northmart_key, bad).await.unwrap();

    let page = |token: &str| v1::ListRecordsRequest { limit: 2, page_token: token.into(), ..Default::default() };
    let mut grpc = app.grpc().await;
    let first = grpc.list_records(authed(&app.northmart_key, page(""))).await.unwrap().into_inner();
    let refs: Vec<_> = first.records.iter().map(|r| r.retailer_ref.as_str()).collect();
    assert_eq!(refs, ["NM-1", "NM-2"]);
    let mut all: Vec<String> = refs.iter().map(|r| r.to_string()).collect();
    let mut token = first.next_page_token;
    while !token.is_empty() {
        let next = grpc.list_records(authed(&app.northmart_key, page(&token))).await.unwrap().into_inner();
        all.extend(next.records.iter().map(|r| r.retailer_ref.clone()));
        token = next.next_page_token;
    }
    assert_eq!(all, ["NM-1", "NM-2", "NM-3", "NM-4", "NM-5"], "only northmart's, each once");

    let rejected = v1::ListRecordsRequest { rejected: true, ..Default::default() };
    let refused = list(&app, &app.northmart_key, rejected).await.unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].retailer_ref.as_str(), refused[0].state), ("NM-9", RecordState::Rejected as i32));
    assert_eq!(refused[0].problems[0].field, "store_id");

    let one = v1::ListRecordsRequest { retailer_ref: "NM-3".into(), ..Default::default() };
    assert_eq!(list(&app, &app.northmart_key, one).await.unwrap().len(), 1);
    let too_many = v1::ListRecordsRequest { limit: 5000, ..Default::default() };
    assert_eq!(list(&app, &app.northmart_key, too_many).await.unwrap_err().code(), tonic::Code::InvalidArgument);
    let bad_token = v1::ListRecordsRequest { rejected: true, page_token: "x".into(), ..Default::default() };
    assert_eq!(list(&app, &app.northmart_key, bad_token).await.unwrap_err().code(), tonic::Code::InvalidArgument);
    assert_eq!(
        list(&app, &app.force_key, v1::ListRecordsRequest::default()).await.unwrap_err().code(),
        tonic::Code::PermissionDenied
    );
    // An analyst names the retailer and says why; without a purpose the listing is refused.
    let analysts = v1::ListRecordsRequest { retailer_id: "northmart".into(), ..Default::default() };
    let unsaid = list(&app, &app.analyst_key, analysts.clone()).await.unwrap_err();
    assert_eq!(unsaid.code(), tonic::Code::InvalidArgument);
    assert!(unsaid.message().contains("`purpose`"), "{}", unsaid.message());
    let said = v1::ListRecordsRequest { purpose: "op kestrel: what northmart sent".into(), ..analysts };
    assert_eq!(list(&app, &app.analyst_key, said).await.unwrap().len(), 5);
    let audit = app.store.audit(0, 100).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "list-records"
        && a.resource == "retailer:northmart"
        && a.purpose == "retailer self-service"));
    assert!(audit.iter().any(|a| a.action == "list-records" && a.purpose == "op kestrel: what northmart sent"));
}

#[tokio::test]
async fn withdrawals_and_listings_work_over_http_with_clear_errors() {
    let app = spawn_app().await;
    app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();

    let response = app
        .post(
            "/v1/withdrawals",
            Some(&app.northmart_key),
            "application/json",
            r#"{"retailerRef": "NM-1", "reason": "duplicate of NM-0"}"#,
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "WITHDRAW_STATUS_WITHDRAWN");

    let missing = app
        .post(
            "/v1/withdrawals",
            Some(&app.northmart_key),
            "application/json",
            r#"{"retailerRef": "NM-7", "reason": "x"}"#,
        )
        .await;
    assert_eq!(missing.status(), 404);
    let garbage = app.post("/v1/withdrawals", Some(&app.northmart_key), "application/json", "{not json").await;
    assert_eq!(garbage.status(), 400);
    let text = garbage.text().await.unwrap();
    assert!(text.contains("WithdrawRequest"), "{text}");
    assert_eq!(app.post("/v1/withdrawals", None, "application/json", "{}").await.status(), 401);

    let listed = app
        .http
        .get(format!("{}/v1/records?limit=10", app.http_base))
        .bearer_auth(&app.northmart_key)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let body: serde_json::Value = listed.json().await.unwrap();
    assert_eq!(body["records"][0]["state"], "RECORD_STATE_WITHDRAWN");
    assert_eq!(body["records"][0]["note"], "duplicate of NM-0");
    let unknown = app
        .http
        .get(format!("{}/v1/records?colour=red", app.http_base))
        .bearer_auth(&app.northmart_key)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("the parameters are"));
}

#[tokio::test]
async fn rejected_records_are_purged_after_their_retention_and_the_purge_is_audited() {
    let app = spawn_app().await;
    let mut bad = submit("NM-9");
    bad.incident.as_mut().unwrap().store_id = "NM-9999".into();
    app.submit_one(&app.northmart_key, bad).await.unwrap();
    let now = chrono::Utc::now();
    assert_eq!(app.core.purge_expired_rejections(now).await.unwrap(), 0, "a fresh rejection stays");
    assert_eq!(app.store.rejected("northmart", 10).await.unwrap().len(), 1);

    let later = now + chrono::Duration::days(91);
    assert_eq!(app.core.purge_expired_rejections(later).await.unwrap(), 1, "kept 90 days by default");
    assert!(app.store.rejected("northmart", 10).await.unwrap().is_empty());
    let listed = list(&app, &app.northmart_key, v1::ListRecordsRequest { rejected: true, ..Default::default() });
    assert!(listed.await.unwrap().is_empty(), "the retailer sees it gone");
    let audit = app.store.audit(0, 100).await.unwrap();
    let purge = audit.iter().find(|a| a.action == "purge-rejected").expect("the purge is audited");
    assert!(purge.detail.starts_with("1 records received before"), "{}", purge.detail);
    assert!(purge.purpose.contains("90 days"), "{}", purge.purpose);
}

#[tokio::test]
async fn a_withdrawal_cut_short_by_a_log_outage_stops_corrections_and_the_next_call_finishes_it() {
    let app = spawn_app().await;
    app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    app.outage.store(true, std::sync::atomic::Ordering::SeqCst);
    let cut = withdraw(&app, &app.northmart_key, withdrawal("NM-1", "sent in error")).await.unwrap_err();
    assert_eq!(cut.code(), tonic::Code::Unavailable, "{}", cut.message());
    app.outage.store(false, std::sync::atomic::Ordering::SeqCst);

    let records = list(&app, &app.northmart_key, v1::ListRecordsRequest::default()).await.unwrap();
    assert_eq!(records[0].state, RecordState::Pending as i32, "not yet on the log");
    assert!(records[0].note.contains("withdraw again"), "{}", records[0].note);
    let correction = app.submit_one(&app.northmart_key, corrected("NM-1", "late fix")).await.unwrap();
    assert_eq!(correction.problems[0].code, "withdrawn", "no correction slips in meanwhile");

    let finished = withdraw(&app, &app.northmart_key, withdrawal("NM-1", "second try")).await.unwrap();
    assert_eq!(finished.status, WithdrawStatus::Withdrawn as i32);
    let log = app.read_topic(topics::INCIDENTS).await;
    let tombstones: Vec<_> =
        log.iter().filter(|r| r.header(topics::RECORD_KIND) == Some(topics::WITHDRAWAL.as_bytes())).collect();
    assert_eq!(tombstones.len(), 1);
    let kept = v1::IncidentWithdrawal::decode(tombstones[0].value.as_slice()).unwrap();
    assert_eq!(kept.reason, "sent in error", "the first call's reason");
    let again = withdraw(&app, &app.northmart_key, withdrawal("NM-1", "third")).await.unwrap();
    assert_eq!(again.status, WithdrawStatus::AlreadyWithdrawn as i32);
}

#[tokio::test]
async fn a_rejected_record_asked_for_by_reference_is_found_by_following_the_pages() {
    let app = spawn_app().await;
    for reference in ["NM-7", "NM-8", "NM-9"] {
        let mut bad = submit(reference);
        bad.incident.as_mut().unwrap().store_id = "NM-9999".into();
        app.submit_one(&app.northmart_key, bad).await.unwrap();
    }
    let mut token = String::new();
    let mut found = Vec::new();
    loop {
        let request = v1::ListRecordsRequest {
            rejected: true,
            retailer_ref: "NM-7".into(),
            limit: 1,
            page_token: token.clone(),
            ..Default::default()
        };
        let page = app.grpc().await.list_records(authed(&app.northmart_key, request)).await.unwrap().into_inner();
        found.extend(page.records.into_iter().map(|r| r.retailer_ref));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(found, ["NM-7"], "the oldest, on the last page");
}

#[tokio::test]
async fn a_disposal_cut_short_by_a_log_outage_is_pending_and_the_next_call_finishes_it() {
    let app = spawn_app().await;
    app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    let dispose = |reason: &str| v1::DisposeRequest {
        retailer_id: "northmart".into(),
        retailer_ref: "NM-1".into(),
        reason: reason.into(),
    };
    app.outage.store(true, std::sync::atomic::Ordering::SeqCst);
    let cut = app.grpc().await.dispose(authed(&app.analyst_key, dispose("review 2032"))).await.unwrap_err();
    assert_eq!(cut.code(), tonic::Code::Unavailable, "{}", cut.message());
    app.outage.store(false, std::sync::atomic::Ordering::SeqCst);

    let records = list(&app, &app.northmart_key, v1::ListRecordsRequest::default()).await.unwrap();
    assert_eq!(records[0].state, RecordState::Pending as i32, "recorded, not yet on the log");
    assert!(records[0].note.starts_with("disposal not yet confirmed"), "{}", records[0].note);
    let resent = app.submit_one(&app.northmart_key, corrected("NM-1", "late fix")).await.unwrap();
    assert_eq!(resent.problems[0].code, "withdrawn", "nothing slips in meanwhile");

    let finished = app.grpc().await.dispose(authed(&app.analyst_key, dispose("second try"))).await.unwrap();
    assert_eq!(finished.into_inner().status, v1::DisposeStatus::Disposed as i32);
    let log = app.read_topic(topics::INCIDENTS).await;
    let of_report: Vec<_> = log.iter().filter(|r| r.key == log[0].key).collect();
    assert_eq!(of_report.len(), 3, "the report, its disposal and the null tombstone");
    let disposal = v1::IncidentWithdrawal::decode(of_report[1].value.as_slice()).unwrap();
    assert!(disposal.disposed);
    assert_eq!(disposal.reason, "review 2032", "the first call's reason");
    assert!(of_report[2].value.is_empty() && of_report[2].headers.is_empty());
    let records = list(&app, &app.northmart_key, v1::ListRecordsRequest::default()).await.unwrap();
    assert_eq!(records[0].state, RecordState::Disposed as i32);
    assert_eq!(records[0].note, "disposed of under the retention schedule: review 2032");
    let again = app.grpc().await.dispose(authed(&app.analyst_key, dispose("third"))).await.unwrap();
    assert_eq!(again.into_inner().status, v1::DisposeStatus::AlreadyDisposed as i32);
}
