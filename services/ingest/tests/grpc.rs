//! The gRPC surface end to end: a tonic client against the server on a local port, an embedded
//! log and a SQLite store underneath.

mod harness;

use harness::{authed, spawn_app, submit};
use orca_eventlog::{EventLog, topics};
use orca_proto::v1::{self, IngestStatus};
use orca_store::Store;
use prost::Message;

fn status_of(ack: &v1::IngestAck) -> IngestStatus {
    IngestStatus::try_from(ack.status).expect("a known status")
}

fn fields_and_codes(ack: &v1::IngestAck) -> Vec<(&str, &str)> {
    ack.problems.iter().map(|p| (p.field.as_str(), p.code.as_str())).collect()
}

#[tokio::test]
async fn a_stream_of_mixed_records_accepts_the_good_and_keeps_the_bad() {
    let app = spawn_app().await;
    let mut negative_price = submit("NM-2");
    negative_price.incident.as_mut().unwrap().line_items[0].unit_price_pence = -5;
    let mut unknown_store = submit("NM-4");
    unknown_store.incident.as_mut().unwrap().store_id = "NM-9999".into();
    let mut no_time = submit("NM-5");
    no_time.incident.as_mut().unwrap().occurred_from = None;
    let requests = vec![submit("NM-1"), negative_price, submit("NM-3"), unknown_store, no_time, submit("NM-6")];

    let acks = app.stream(&app.northmart_key, requests.clone()).await.expect("stream");

    let statuses: Vec<_> = acks.iter().map(status_of).collect();
    use IngestStatus::{Accepted, Rejected};
    assert_eq!(statuses, [Accepted, Rejected, Accepted, Rejected, Rejected, Accepted]);
    assert_eq!(acks.iter().map(|a| a.sequence).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
    assert_eq!(acks[3].client_ref, "c-NM-4");
    assert_eq!(acks[3].retailer_ref, "NM-4");
    assert_eq!(fields_and_codes(&acks[1]), [("line_items[0].unit_price_pence", "negative-price")]);
    assert_eq!(fields_and_codes(&acks[3]), [("store_id", "unknown-store")]);
    assert!(acks[3].problems[0].reason.contains("`NM-9999` is not registered"), "{}", acks[3].problems[0].reason);
    assert_eq!(fields_and_codes(&acks[4]), [("occurred_from", "missing")]);
    assert!(acks[0].incident_id.starts_with("INC-"));

    let mut kept = app.store.rejected("northmart", 10).await.unwrap();
    kept.reverse();
    assert_eq!(kept.iter().map(|r| r.retailer_ref.as_str()).collect::<Vec<_>>(), ["NM-2", "NM-4", "NM-5"]);
    let original = v1::Incident::decode(kept[1].payload.as_slice()).expect("the original protobuf is kept");
    assert_eq!(original, requests[3].incident.clone().unwrap());
    assert!(kept[1].problems.contains("\"code\":\"unknown-store\""), "{}", kept[1].problems);
    assert!(kept.iter().all(|r| r.channel == "grpc"));

    let dead_letters = app.read_topic(topics::DEAD_LETTERS).await;
    let mut dead_refs: Vec<_> = dead_letters.iter().map(|r| String::from_utf8(r.key.clone()).unwrap()).collect();
    dead_refs.sort();
    assert_eq!(dead_refs, ["NM-2", "NM-4", "NM-5"]);
    let price_letter = dead_letters.iter().find(|r| r.key == b"NM-2").unwrap();
    assert!(String::from_utf8_lossy(price_letter.header("orca-error").unwrap()).contains("negative-price"));
    assert_eq!(price_letter.header("orca-retailer"), Some(&b"northmart"[..]));
    assert_eq!(price_letter.header("orca-channel"), Some(&b"grpc"[..]));
    assert_eq!(v1::Incident::decode(price_letter.value.as_slice()).unwrap(), requests[1].incident.clone().unwrap());

    let accepted = app.read_topic(topics::INCIDENTS).await;
    assert_eq!(accepted.len(), 3);
    for record in &accepted {
        let written = v1::Incident::decode(record.value.as_slice()).unwrap();
        assert_eq!(record.key, written.incident_id.as_bytes());
        assert_eq!(written.force, "west-midlands", "the force comes from the store");
        let provenance = written.provenance.unwrap();
        assert_eq!((provenance.source.as_str(), provenance.channel.as_str()), ("retailer:northmart", "grpc"));
        assert!(provenance.submitted_by.starts_with("northmart-"));
        assert_eq!(written.vehicles[0].vrm, "AB12CDE");
    }
}

#[tokio::test]
async fn sending_the_same_incident_again_appends_it_once() {
    let app = spawn_app().await;
    let acks = app.stream(&app.northmart_key, vec![submit("NM-1"), submit("NM-1")]).await.unwrap();
    assert_eq!(acks.iter().map(status_of).collect::<Vec<_>>(), [IngestStatus::Accepted, IngestStatus::Duplicate]);
    let again = app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap();
    assert_eq!(status_of(&again), IngestStatus::Duplicate);
    assert_eq!(again.incident_id, acks[0].incident_id);

    let mut echoed = submit("NM-1");
    let incident = echoed.incident.as_mut().unwrap();
    incident.incident_id = acks[0].incident_id.clone();
    incident.force = "west-midlands".into();
    assert_eq!(
        status_of(&app.submit_one(&app.northmart_key, echoed).await.unwrap()),
        IngestStatus::Duplicate,
        "fields ORCA sets do not make a record different"
    );
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 1);
}

#[tokio::test]
async fn a_changed_resubmission_is_rejected_and_kept() {
    let app = spawn_app().await;
    assert_eq!(status_of(&app.submit_one(&app.northmart_key, submit("NM-1")).await.unwrap()), IngestStatus::Accepted);
    let mut changed = submit("NM-1");
    changed.incident.as_mut().unwrap().narrative = "took three bottles, not two".into();
    let ack = app.submit_one(&app.northmart_key, changed).await.unwrap();
    assert_eq!(status_of(&ack), IngestStatus::Rejected);
    assert_eq!(fields_and_codes(&ack), [("retailer_ref", "changed-resubmission")]);
    assert_eq!(
        ack.problems[0].reason,
        "a different record was already received under this reference (revision 1); to correct it, send it again \
         with `correction_reason` saying what changed and why"
    );
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 1);
    let kept = app.store.rejected("northmart", 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].problems.contains("changed-resubmission"));
    assert_eq!(app.read_topic(topics::DEAD_LETTERS).await.len(), 1);
}

#[tokio::test]
async fn a_retailer_submits_only_as_itself() {
    let app = spawn_app().await;
    let mut as_southco = submit("SC-1");
    let incident = as_southco.incident.as_mut().unwrap();
    incident.retailer_id = "southco".into();
    incident.store_id = "SC-0001".into();
    let ack = app.submit_one(&app.northmart_key, as_southco).await.unwrap();
    assert_eq!(status_of(&ack), IngestStatus::Rejected);
    assert_eq!(fields_and_codes(&ack)[0], ("retailer_id", "wrong-retailer"));
    assert_eq!(app.store.rejected("northmart", 10).await.unwrap().len(), 1, "kept under the caller");
    assert!(app.store.rejected("southco", 10).await.unwrap().is_empty());

    let mut unnamed = submit("NM-7");
    unnamed.incident.as_mut().unwrap().retailer_id.clear();
    let ack = app.submit_one(&app.northmart_key, unnamed).await.unwrap();
    assert_eq!(status_of(&ack), IngestStatus::Accepted, "an empty retailer id is the caller's");
    let written = v1::Incident::decode(app.read_topic(topics::INCIDENTS).await[0].value.as_slice()).unwrap();
    assert_eq!(written.retailer_id, "northmart");
}

#[tokio::test]
async fn calls_without_a_valid_retailer_key_are_refused() {
    let app = spawn_app().await;
    let mut client = app.grpc().await;
    let missing = client.submit(tonic::Request::new(submit("NM-1"))).await.unwrap_err();
    assert_eq!(missing.code(), tonic::Code::Unauthenticated);
    assert!(missing.message().contains("missing credentials"), "{}", missing.message());

    let unknown_key = "orca_retailer_00000000000000000000000000000000";
    let unknown = client.submit(authed(unknown_key, submit("NM-1"))).await.unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::Unauthenticated);
    assert!(!unknown.message().contains(unknown_key), "the key is never echoed");

    let stream = app.stream(unknown_key, vec![submit("NM-1")]).await.unwrap_err();
    assert_eq!(stream.code(), tonic::Code::Unauthenticated);

    let force = app.stream(&app.force_key, vec![submit("NM-1")]).await.unwrap_err();
    assert_eq!(force.code(), tonic::Code::PermissionDenied);
    assert_eq!(app.log.end_offsets(topics::INCIDENTS).await.unwrap().iter().sum::<u64>(), 0);
}

#[tokio::test]
async fn an_unrecognised_plate_is_accepted_with_a_warning_and_kept_raw() {
    let app = spawn_app().await;
    let mut misread = submit("NM-1");
    misread.incident.as_mut().unwrap().vehicles[0].vrm_raw = "AB1O CDE".into();
    let ack = app.submit_one(&app.northmart_key, misread).await.unwrap();
    assert_eq!(status_of(&ack), IngestStatus::Accepted);
    assert_eq!(ack.warnings.len(), 1);
    assert_eq!(
        (ack.warnings[0].field.as_str(), ack.warnings[0].code.as_str()),
        ("vehicles[0].vrm_raw", "unrecognised-vrm")
    );

    let written = v1::Incident::decode(app.read_topic(topics::INCIDENTS).await[0].value.as_slice()).unwrap();
    let vehicle = &written.vehicles[0];
    assert_eq!(vehicle.vrm_raw, "AB1O CDE", "the raw read is evidence");
    assert_eq!(vehicle.format, v1::VrmFormat::Unrecognised as i32);
    assert!(vehicle.vrm_candidates.contains(&"AB10CDE".to_owned()), "{:?}", vehicle.vrm_candidates);
    assert_eq!(written.warnings[0].code, "unrecognised-vrm");
}

#[tokio::test]
async fn an_outage_of_the_log_asks_for_a_retry_and_publishes_nothing() {
    let app = spawn_app().await;
    app.outage.store(true, std::sync::atomic::Ordering::SeqCst);
    let acks = app.stream(&app.northmart_key, vec![submit("NM-1"), submit("NM-2")]).await.unwrap();
    assert!(acks.iter().all(|ack| status_of(ack) == IngestStatus::Retry), "{acks:?}");
    let unary = app.submit_one(&app.northmart_key, submit("NM-3")).await.unwrap_err();
    assert_eq!(unary.code(), tonic::Code::Unavailable);

    app.outage.store(false, std::sync::atomic::Ordering::SeqCst);
    let acks = app.stream(&app.northmart_key, vec![submit("NM-1"), submit("NM-2"), submit("NM-3")]).await.unwrap();
    assert!(
        acks.iter().all(|ack| status_of(ack) == IngestStatus::Accepted),
        "retried records are not duplicates: {acks:?}"
    );
    assert_eq!(app.read_topic(topics::INCIDENTS).await.len(), 3);
}

#[tokio::test]
async fn a_request_without_an_incident_is_rejected() {
    let app = spawn_app().await;
    let empty = v1::SubmitRequest { incident: None, client_ref: "empty".into() };
    let ack = app.submit_one(&app.northmart_key, empty).await.unwrap();
    assert_eq!(status_of(&ack), IngestStatus::Rejected);
    assert_eq!(fields_and_codes(&ack), [("incident", "missing")]);
    assert_eq!(ack.client_ref, "empty");
}

/// Sends already-encoded messages as they are, so a test can send what a typed client cannot.
#[derive(Default)]
struct RawCodec;

struct RawEncoder;
struct AckDecoder;

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = v1::IngestAck;
    type Encoder = RawEncoder;
    type Decoder = AckDecoder;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> AckDecoder {
        AckDecoder
    }
}

impl tonic::codec::Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut tonic::codec::EncodeBuf<'_>) -> Result<(), tonic::Status> {
        use prost::bytes::BufMut;
        buf.put_slice(&item);
        Ok(())
    }
}

impl tonic::codec::Decoder for AckDecoder {
    type Item = v1::IngestAck;
    type Error = tonic::Status;

    fn decode(&mut self, buf: &mut tonic::codec::DecodeBuf<'_>) -> Result<Option<v1::IngestAck>, tonic::Status> {
        v1::IngestAck::decode(buf).map(Some).map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

/// `submit(reference)` encoded, with the byte `0x7f` in its narrative replaced by `0xFF` (not UTF-8).
fn invalid_utf8(reference: &str) -> Vec<u8> {
    let mut request = submit(reference);
    request.incident.as_mut().unwrap().narrative = "seen on CCTV \u{7f}".into();
    let mut bytes = request.encode_to_vec();
    let at = bytes.iter().rposition(|b| *b == 0x7f).unwrap();
    bytes[at] = 0xFF;
    bytes
}

#[tokio::test]
async fn a_record_that_is_not_utf8_is_rejected_and_the_stream_goes_on() {
    let app = spawn_app().await;
    let messages = vec![submit("NM-1").encode_to_vec(), invalid_utf8("NM-2"), submit("NM-3").encode_to_vec()];
    let channel =
        tonic::transport::Channel::from_shared(format!("http://{}", app.grpc_addr)).unwrap().connect().await.unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let path = tonic::codegen::http::uri::PathAndQuery::from_static("/orca.v1.IngestService/StreamIncidents");
    let request = authed(&app.northmart_key, tokio_stream::iter(messages));
    let mut inbound = grpc.streaming(request, path, RawCodec).await.expect("the stream opens").into_inner();
    let mut acks = Vec::new();
    while let Some(ack) = inbound.message().await.expect("the stream is not ended by the bad record") {
        acks.push(ack);
    }
    let statuses: Vec<_> = acks.iter().map(status_of).collect();
    assert_eq!(statuses, [IngestStatus::Accepted, IngestStatus::Rejected, IngestStatus::Accepted]);
    assert_eq!(fields_and_codes(&acks[1]), [("", "undecodable")]);
    assert!(acks[1].problems[0].reason.contains("UTF-8"), "{}", acks[1].problems[0].reason);
    let kept = app.store.rejected("northmart", 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].payload, invalid_utf8("NM-2"), "the bytes as sent are kept");

    // A single submission the same way is rejected too, not an internal error.
    let mut client = app.grpc().await;
    let raw_unary = {
        let channel = tonic::transport::Channel::from_shared(format!("http://{}", app.grpc_addr))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.unwrap();
        let path = tonic::codegen::http::uri::PathAndQuery::from_static("/orca.v1.IngestService/Submit");
        grpc.unary(authed(&app.northmart_key, invalid_utf8("NM-4")), path, RawCodec).await
    };
    let ack = raw_unary.expect("an acknowledgement, not an error").into_inner();
    assert_eq!(status_of(&ack), IngestStatus::Rejected);
    assert!(client.submit(authed(&app.northmart_key, submit("NM-5"))).await.is_ok());
}
