//! Revisions ORCA makes of a report itself: face templates past the retention schedule, and a
//! person an analyst erased. Each is the report's next revision on the log, marked a redaction,
//! without what ORCA may no longer hold; the retailer's same submission is still a duplicate, and
//! a later correction from the retailer keeps erased places erased.

mod harness;

use harness::{authed, spawn_app, submit};
use orca_eventlog::topics;
use orca_proto::v1::{self, EraseStatus, IngestStatus};
use orca_store::Store;
use prost::Message;

fn with_faces(retailer_ref: &str) -> v1::SubmitRequest {
    let mut request = submit(retailer_ref);
    let incident = request.incident.as_mut().unwrap();
    let mut second = incident.persons[0].clone();
    second.given_names = "Dean".into();
    second.family_name = "Rook".into();
    incident.persons[0].given_names = "Ann".into();
    incident.persons[0].family_name = "Hale".into();
    incident.persons[0].face = Some(v1::FaceTemplate { model_id: "facenet-v3".into(), vector: vec![0.6, 0.8] });
    incident.persons.push(second);
    request
}

fn latest_of(log: &[orca_eventlog::Record], key: &[u8]) -> v1::Incident {
    let record = log.iter().rev().find(|r| r.key == key).expect("the report is on the log");
    v1::Incident::decode(record.value.as_slice()).unwrap()
}

#[tokio::test]
async fn face_templates_past_the_schedule_leave_the_report_in_a_redaction_and_the_run_is_audited() {
    let app = spawn_app().await;
    let ack = app.submit_one(&app.northmart_key, with_faces("NM-1")).await.unwrap();
    assert_eq!(ack.status, IngestStatus::Accepted as i32, "{:?}", ack.problems);
    app.submit_one(&app.northmart_key, submit("NM-2")).await.unwrap();
    // A withdrawn report with a face: off the log, but the store still keeps its copy.
    app.submit_one(&app.northmart_key, with_faces("NM-3")).await.unwrap();
    let withdraw =
        v1::WithdrawRequest { retailer_ref: "NM-3".into(), reason: "sent by mistake".into(), ..Default::default() };
    app.grpc().await.withdraw(authed(&app.northmart_key, withdraw)).await.unwrap();
    let days = app.core.config().retention.face_template_days;

    let early = chrono::Utc::now() + chrono::Duration::days(i64::from(days) - 1);
    let nothing = app.core.expire_face_templates(early).await.unwrap();
    assert_eq!(nothing.reports, 0, "not due yet");

    let due = chrono::Utc::now() + chrono::Duration::days(i64::from(days) + 1);
    let done = app.core.expire_face_templates(due).await.unwrap();
    assert_eq!((done.reports, done.templates), (2, 2), "two reports with faces; the other had none");
    let kept = app.store.kept_report("northmart", "NM-3").await.unwrap().expect("kept until disposal");
    assert!(v1::Incident::decode(kept.as_slice()).unwrap().persons.iter().all(|p| p.face.is_none()));
    let log = app.read_topic(topics::INCIDENTS).await;
    assert_eq!(log.len(), 5, "three reports, a withdrawal and the first one's redaction (none for the withdrawn)");
    let redaction = latest_of(&log, ack.incident_id.as_bytes());
    assert_eq!(redaction.revision, 2);
    assert!(redaction.redaction);
    assert!(redaction.correction_reason.starts_with("face templates removed under the retention schedule"));
    assert!(redaction.persons.iter().all(|p| p.face.is_none()));
    assert_eq!(redaction.persons[0].given_names, "Ann", "the rest of the report stays");

    let again = app.core.expire_face_templates(due).await.unwrap();
    assert_eq!(again.reports, 0, "nothing left to remove");
    let resent = app.submit_one(&app.northmart_key, with_faces("NM-1")).await.unwrap();
    assert_eq!(resent.status, IngestStatus::Duplicate as i32, "the retailer's same submission is still a duplicate");
    let claim = app.store.claim_row("northmart", "NM-1").await.unwrap().unwrap();
    assert_eq!((claim.revision, claim.faces_until_ms), (2, None));
    let audit = app.store.audit(0, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "expire-face-templates" && a.resource == format!("incident:{}", ack.incident_id)),
        "{audit:?}"
    );
}

#[tokio::test]
async fn an_erased_person_keeps_their_place_with_nothing_else_and_stays_erased_in_later_corrections() {
    let app = spawn_app().await;
    let ack = app.submit_one(&app.northmart_key, with_faces("NM-1")).await.unwrap();
    let erase = |index: u32, reason: &str| v1::EraseRequest {
        person_id: "P00000007".into(),
        sightings: vec![v1::ErasedSighting { incident_id: ack.incident_id.clone(), sighting_index: index }],
        reason: reason.into(),
        merged_ids: vec!["P00000003".into()],
    };
    let mut grpc = app.grpc().await;

    // Wrong input changes nothing and says why.
    let not_analyst = grpc.erase(authed(&app.northmart_key, erase(0, "no basis"))).await.unwrap_err();
    assert_eq!(not_analyst.code(), tonic::Code::PermissionDenied, "{}", not_analyst.message());
    let no_place = grpc.erase(authed(&app.analyst_key, erase(5, "no basis"))).await.unwrap_err();
    assert_eq!(no_place.code(), tonic::Code::InvalidArgument);
    assert!(no_place.message().contains("has 2 persons; there is no place 5"), "{}", no_place.message());
    let no_reason = grpc.erase(authed(&app.analyst_key, erase(0, "  "))).await.unwrap_err();
    assert_eq!(no_reason.code(), tonic::Code::InvalidArgument);
    let mut unknown = erase(0, "no basis");
    unknown.sightings[0].incident_id = "INC-0000000000000000".into();
    let unknown = grpc.erase(authed(&app.analyst_key, unknown)).await.unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound, "{}", unknown.message());
    let mut itself = erase(0, "no basis");
    itself.merged_ids.push("P00000007".into());
    let itself = grpc.erase(authed(&app.analyst_key, itself)).await.unwrap_err();
    assert!(itself.message().contains("`merged_ids[1]`: 1 to 200 characters"), "{}", itself.message());
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 1, "nothing was changed");

    let erased = grpc.erase(authed(&app.analyst_key, erase(0, "NFA; custody record deleted"))).await.unwrap();
    let report = &erased.into_inner().reports[0];
    assert_eq!((report.status, report.revision), (EraseStatus::Erased as i32, 2));
    let log = app.read_topic(topics::INCIDENTS).await;
    let revision = latest_of(&log, ack.incident_id.as_bytes());
    assert!(revision.redaction);
    assert_eq!(revision.persons.len(), 2, "the place is kept");
    assert_eq!(revision.persons[0], v1::PersonSighting { role: v1::PersonRole::Erased as i32, ..Default::default() });
    assert_eq!(revision.persons[1].given_names, "Dean");
    assert!(revision.correction_reason.contains("person P00000007 erased by"), "{}", revision.correction_reason);
    let twice = grpc.erase(authed(&app.analyst_key, erase(0, "again"))).await.unwrap().into_inner();
    assert_eq!(twice.reports[0].status, EraseStatus::AlreadyErased as i32);
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 2, "erasing again makes no revision");
    let claim = app.store.claim_row("northmart", "NM-1").await.unwrap().unwrap();
    assert_eq!(claim.faces_until_ms, None, "the only face went with the person");
    let listed = grpc.list_records(authed(&app.northmart_key, v1::ListRecordsRequest::default())).await.unwrap();
    let listed = &listed.into_inner().records[0];
    assert_eq!(listed.note, "persons[0] erased by an analyst's decision", "not who, why or which person");

    // The retailer corrects the report as its own system still holds it: the place stays erased.
    let mut correction = with_faces("NM-1");
    correction.incident.as_mut().unwrap().narrative = "three bottles".into();
    correction.incident.as_mut().unwrap().correction_reason = "count".into();
    let corrected = app.submit_one(&app.northmart_key, correction).await.unwrap();
    assert_eq!((corrected.status, corrected.revision), (IngestStatus::Accepted as i32, 3), "{:?}", corrected.problems);
    let warning = corrected.warnings.iter().find(|w| w.code == "erased").expect("a warning for the erased place");
    assert_eq!(warning.field, "persons[0]");
    let log = app.read_topic(topics::INCIDENTS).await;
    let third = latest_of(&log, ack.incident_id.as_bytes());
    assert_eq!(third.persons[0], v1::PersonSighting { role: v1::PersonRole::Erased as i32, ..Default::default() });
    assert!(!third.redaction, "the retailer's correction");
    assert_eq!(third.narrative, "three bottles");

    // A retailer may not send the role itself.
    let mut forged = submit("NM-9");
    forged.incident.as_mut().unwrap().persons[0].role = v1::PersonRole::Erased as i32;
    let refused = app.submit_one(&app.northmart_key, forged).await.unwrap();
    assert_eq!(refused.status, IngestStatus::Rejected as i32);
    assert_eq!(refused.problems[0].field, "persons[0].role");
    let audit = app.store.audit(0, 100).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "erase-person").count(), 2, "{audit:?}");
}

#[tokio::test]
async fn an_erasure_cut_short_by_a_log_outage_is_finished_by_the_next_one() {
    let app = spawn_app().await;
    let ack = app.submit_one(&app.northmart_key, with_faces("NM-1")).await.unwrap();
    let erase = |index: u32| v1::EraseRequest {
        person_id: "P00000007".into(),
        sightings: vec![v1::ErasedSighting { incident_id: ack.incident_id.clone(), sighting_index: index }],
        reason: "no basis remains".into(),
        merged_ids: Vec::new(),
    };
    app.outage.store(true, std::sync::atomic::Ordering::SeqCst);
    let cut = app.grpc().await.erase(authed(&app.analyst_key, erase(0))).await.unwrap_err();
    assert_eq!(cut.code(), tonic::Code::Unavailable, "{}", cut.message());
    app.outage.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 1, "nothing reached the log");

    let next = app.grpc().await.erase(authed(&app.analyst_key, erase(1))).await.unwrap().into_inner();
    assert_eq!((next.reports[0].status, next.reports[0].revision), (EraseStatus::Erased as i32, 3));
    let log = app.read_topic(topics::INCIDENTS).await;
    let revisions: Vec<_> = (log.iter().map(|r| v1::Incident::decode(r.value.as_slice()).unwrap()))
        .map(|i| (i.revision.max(1), i.persons.iter().filter(|p| p.role == v1::PersonRole::Erased as i32).count()))
        .collect();
    assert_eq!(revisions, [(1, 0), (2, 1), (3, 2)], "the cut-short erasure, then this one on top of it");
}
