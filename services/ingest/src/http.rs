//! The HTTP surface (axum), for retailers whose systems speak JSON:
//!
//! - `POST /v1/incidents`: `application/json` (one incident object or an array of them) or
//!   `application/x-ndjson` (one incident per line), in the canonical proto3 JSON mapping. The reply
//!   is `{"results": [IngestAck...], "accepted": n, "duplicate": n, "rejected": n, "retry": n}`
//!   with one result per record, in order (`sequence` counts records from 0; blank lines are not
//!   records). A record that is not valid proto3 JSON is REJECTED (`invalid-json`, with its line and
//!   column) and kept with its raw bytes, while the others go ahead.
//! - `POST /v1/stores`: a JSON array of `StoreRegistration`s; the reply is a `RegisterStoresResponse`.
//! - `POST /v1/withdrawals`: one `WithdrawRequest` (`{"retailerRef": "NM-1", "reason": "..."}`);
//!   the reply is a `WithdrawResponse`; 404 for a reference never accepted, 409 for one not yet
//!   confirmed on the log.
//! - `GET /v1/records`: the caller's records and their state, a `ListRecordsResponse` (query
//!   parameters `rejected`, `retailer_ref`, `limit`, `page_token`; `retailer_id` for an analyst).
//!   Corrections are sent to `POST /v1/incidents` like any record, with `correctionReason`.
//!
//! Status: 401 without a valid `Authorization: Bearer <key>` (checked before the body is read), 403
//! for a key that is not a retailer's, 413 over `http_body_limit_bytes`, 415 for other content types,
//! 400 for a body that is not JSON at all or whose records are mostly not incidents (more than
//! `max_undecodable_per_body`; the body's beginning is kept as one rejected record), 503 (with `Retry-After`) when every record must be
//! retried, else 200.

use crate::IngestError;
use crate::core::IngestCore;
use crate::submission::{Channel, Submission, SubmittedRecord, codes};
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use orca_auth::{Authenticator, Caller};
use orca_model::Problem;
use orca_proto::convert::json::{JsonProblem, incident_from_json, retailer_ref_in};
use orca_proto::v1::{self, IngestStatus};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone)]
struct AppState {
    core: Arc<IngestCore>,
    auth: Arc<Authenticator>,
}

/// The ingest HTTP routes, ready to serve or to merge into a larger router.
pub fn http_router(core: Arc<IngestCore>, auth: Arc<Authenticator>) -> Router {
    let body_limit = core.config().http_body_limit_bytes;
    let state = AppState { core, auth };
    Router::new()
        .route("/v1/incidents", post(post_incidents))
        .route("/v1/stores", post(post_stores))
        .route("/v1/withdrawals", post(post_withdrawal))
        .route("/v1/records", get(get_records))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
}

/// Authenticates before anything reads the body, and hands the [`Caller`] to the handlers.
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match state.auth.authenticate_headers(request.headers()).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// The body of `POST /v1/incidents`'s reply.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct IngestResponse {
    pub results: Vec<v1::IngestAck>,
    pub accepted: u64,
    pub duplicate: u64,
    pub rejected: u64,
    pub retry: u64,
}

impl IngestResponse {
    fn new(results: Vec<v1::IngestAck>) -> Self {
        let count = |status: IngestStatus| results.iter().filter(|ack| ack.status == status as i32).count() as u64;
        Self {
            accepted: count(IngestStatus::Accepted),
            duplicate: count(IngestStatus::Duplicate),
            rejected: count(IngestStatus::Rejected),
            retry: count(IngestStatus::Retry),
            results,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyFormat {
    Json,
    Ndjson,
}

fn body_format(headers: &HeaderMap) -> Result<BodyFormat, IngestError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media_type.as_str() {
        "application/json" => Ok(BodyFormat::Json),
        "application/x-ndjson" | "application/jsonl" | "application/jsonlines" => Ok(BodyFormat::Ndjson),
        _ => Err(IngestError::UnsupportedMediaType(content_type.to_owned())),
    }
}

async fn post_incidents(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, IngestError> {
    let format = body_format(request.headers())?;
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let submissions = match format {
        BodyFormat::Json => json_submissions(&body)?,
        BodyFormat::Ndjson => ndjson_submissions(&body),
    };
    if let Some(problem) = mostly_unreadable(&submissions, state.core.config().max_undecodable_per_body) {
        let message = problem.reason.clone();
        state.core.keep_refused_body(&caller, Channel::Http, &body, problem).await;
        return Err(IngestError::InvalidRequest(message));
    }
    let response = IngestResponse::new(state.core.ingest(&caller, Channel::Http, submissions).await?);
    if response.retry > 0 && response.retry == response.results.len() as u64 {
        return Ok((StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], Json(response)).into_response());
    }
    Ok(Json(response).into_response())
}

/// A body that must be one JSON document (`expected` says what, for the error), read as `T`; or
/// the response that refuses it (a body over the limit, say).
async fn json_body<T: serde::de::DeserializeOwned>(
    request: Request,
    expected: &str,
) -> Result<Result<T, Response>, IngestError> {
    if body_format(request.headers())? != BodyFormat::Json {
        return Err(IngestError::UnsupportedMediaType("application/x-ndjson".to_owned()));
    }
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(rejection) => return Ok(Err(rejection.into_response())),
    };
    let value = serde_json::from_slice(&body)
        .map_err(|error| IngestError::InvalidRequest(format!("expected {expected}: {error}")))?;
    Ok(Ok(value))
}

async fn post_stores(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, IngestError> {
    let registrations: Vec<v1::StoreRegistration> =
        match json_body(request, "a JSON array of `orca.v1.StoreRegistration`").await? {
            Ok(registrations) => registrations,
            Err(refused) => return Ok(refused),
        };
    Ok(Json(state.core.register_stores(&caller, &registrations).await?).into_response())
}

/// `POST /v1/withdrawals`: one `orca.v1.WithdrawRequest` in proto3 JSON; the reply is a
/// `WithdrawResponse`.
async fn post_withdrawal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Response, IngestError> {
    let expected = "one `orca.v1.WithdrawRequest` such as {\"retailerRef\": \"NM-1\", \"reason\": \"...\"}";
    let withdrawal: v1::WithdrawRequest = match json_body(request, expected).await? {
        Ok(withdrawal) => withdrawal,
        Err(refused) => return Ok(refused),
    };
    Ok(Json(state.core.withdraw(&caller, withdrawal).await?).into_response())
}

/// The query of `GET /v1/records`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordsQuery {
    #[serde(default)]
    rejected: bool,
    #[serde(default)]
    retailer_ref: String,
    #[serde(default)]
    limit: u32,
    #[serde(default)]
    page_token: String,
    #[serde(default)]
    retailer_id: String,
    #[serde(default)]
    purpose: String,
}

/// `GET /v1/records?rejected=false&retailer_ref=&limit=100&page_token=`: a `ListRecordsResponse`.
async fn get_records(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    query: Result<Query<RecordsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, IngestError> {
    let Query(query) = query.map_err(|rejection| {
        IngestError::InvalidRequest(format!(
            "{}; the parameters are rejected, retailer_ref, limit, page_token, retailer_id and purpose",
            rejection.body_text()
        ))
    })?;
    let request = v1::ListRecordsRequest {
        rejected: query.rejected,
        retailer_ref: query.retailer_ref,
        limit: query.limit,
        page_token: query.page_token,
        retailer_id: query.retailer_id,
        purpose: query.purpose,
    };
    Ok(Json(state.core.list_records(&caller, request).await?).into_response())
}

/// Why a body is refused as a whole: more than `max` of its records cannot be read as incidents at
/// all (a feed sending garbage would otherwise fill the store with one rejected record each).
fn mostly_unreadable(submissions: &[Submission], max: usize) -> Option<Problem> {
    let mut unreadable = submissions.iter().filter_map(|submission| match &submission.record {
        SubmittedRecord::Undecodable { problems, .. } => problems.first(),
        SubmittedRecord::Incident(_) => None,
    });
    let first = unreadable.next()?;
    let count = 1 + unreadable.count();
    (count > max).then(|| {
        Problem::new(
            "",
            codes::MOSTLY_UNREADABLE,
            format!(
                "the body was refused as a whole: {count} of its {} records are not incidents in proto3 JSON (at most \
                 {max} may be); nothing in it was taken. The first: {}",
                submissions.len(),
                first.reason
            ),
        )
    })
}

/// One incident object, or an array of them. A body that is not JSON is a bad request; an element
/// that is JSON but not an incident is a rejected record.
fn json_submissions(body: &[u8]) -> Result<Vec<Submission>, IngestError> {
    let is_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if !is_array {
        return Ok(vec![decode_json_record(0, body, "the body")]);
    }
    let elements: Vec<serde_json::Value> = serde_json::from_slice(body)
        .map_err(|error| IngestError::InvalidRequest(format!("the body is not a JSON array: {error}")))?;
    Ok(elements
        .into_iter()
        .enumerate()
        .map(|(index, element)| match v1::Incident::deserialize(&element) {
            Ok(incident) => Submission::incident(index as u64, String::new(), incident),
            Err(error) => Submission::undecodable(
                index as u64,
                serde_json::to_vec(&element).unwrap_or_default(),
                retailer_ref_in(&element),
                Problem::new(
                    "",
                    codes::INVALID_JSON,
                    format!("element {index} of the array is not an `orca.v1.Incident` in proto3 JSON: {error}"),
                ),
            ),
        })
        .collect())
}

/// One incident per line; blank lines are skipped.
fn ndjson_submissions(body: &[u8]) -> Vec<Submission> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .enumerate()
        .map(|(sequence, (line_index, line))| {
            decode_json_record(sequence as u64, line, &format!("line {}", line_index + 1))
        })
        .collect()
}

/// A record in proto3 JSON, or a rejected record naming `place` (`line 3`) and the column.
fn decode_json_record(sequence: u64, raw: &[u8], place: &str) -> Submission {
    match serde_json::from_slice::<v1::Incident>(raw) {
        Ok(incident) => Submission::incident(sequence, String::new(), incident),
        // JSON, but not an incident: every problem, each naming its field.
        Err(error) if error.is_data() => {
            let problems = match incident_from_json(raw) {
                Err(problems) => problems,
                Ok(_) => vec![JsonProblem { field: String::new(), reason: error.to_string() }],
            };
            let reference =
                serde_json::from_slice::<serde_json::Value>(raw).map(|v| retailer_ref_in(&v)).unwrap_or_default();
            let problems = problems
                .into_iter()
                .map(|p| {
                    let reason = format!("{place}: not an `orca.v1.Incident` in proto3 JSON: {}", p.reason);
                    Problem::new(p.field, codes::INVALID_JSON, reason)
                })
                .collect();
            Submission::undecodable_with(sequence, raw.to_vec(), reference, problems)
        }
        Err(error) => {
            let reference =
                serde_json::from_slice::<serde_json::Value>(raw).map(|v| retailer_ref_in(&v)).unwrap_or_default();
            let message = error.to_string();
            let message = message
                .strip_suffix(&format!(" at line {} column {}", error.line(), error.column()))
                .unwrap_or(&message);
            let position = if place == "the body" {
                format!("line {}, column {}", error.line(), error.column())
            } else {
                format!("{place}, column {}", error.column())
            };
            Submission::undecodable(
                sequence,
                raw.to_vec(),
                reference,
                Problem::new(
                    "",
                    codes::INVALID_JSON,
                    format!("{position}: not an `orca.v1.Incident` in proto3 JSON: {message}"),
                ),
            )
        }
    }
}

/// The `retailerRef` (or `retailer_ref`) of a JSON object, if it has a string one.
#[cfg(test)]
mod tests {
    use super::*;

    fn problem_of(submission: &Submission) -> &Problem {
        match &submission.record {
            SubmittedRecord::Undecodable { problems, .. } => &problems[0],
            SubmittedRecord::Incident(_) => panic!("decoded"),
        }
    }

    #[test]
    fn ndjson_lines_decode_one_by_one_and_bad_lines_say_where() {
        let body =
            b"{\"retailerRef\":\"A\"}\n\n{\"retailerRef\":\"B\", oops}\r\n{\"retailerRef\":\"C\",\"colour\":1}\n";
        let submissions = ndjson_submissions(body);
        assert_eq!(submissions.len(), 3, "blank lines are not records");
        assert!(matches!(submissions[0].record, SubmittedRecord::Incident(_)));
        let syntax = problem_of(&submissions[1]);
        assert_eq!((syntax.field.as_str(), syntax.code.as_str()), ("", "invalid-json"));
        assert!(syntax.reason.starts_with("line 3, column 21: "), "{}", syntax.reason);
        let unknown_field = problem_of(&submissions[2]);
        assert!(unknown_field.reason.contains("unknown field `colour`"), "{}", unknown_field.reason);
        match &submissions[2].record {
            SubmittedRecord::Undecodable { retailer_ref, raw, .. } => {
                assert_eq!(retailer_ref, "C", "the reference is read from a record that is JSON");
                assert_eq!(raw.as_slice(), b"{\"retailerRef\":\"C\",\"colour\":1}");
            }
            SubmittedRecord::Incident(_) => unreachable!(),
        }
    }

    #[test]
    fn json_bodies_hold_one_incident_or_an_array() {
        assert_eq!(json_submissions(br#" {"retailerRef": "A"}"#).unwrap().len(), 1);
        let array = json_submissions(br#"[{"retailerRef": "A"}, {"retailerRef": 7}]"#).unwrap();
        assert!(matches!(array[0].record, SubmittedRecord::Incident(_)));
        assert!(problem_of(&array[1]).reason.starts_with("element 1 of the array"));
        assert!(matches!(json_submissions(b"[{"), Err(IngestError::InvalidRequest(_))));
    }

    #[test]
    fn a_body_of_mostly_garbage_is_refused_as_a_whole() {
        let garbage = format!("[{}]", vec!["1"; 101].join(","));
        let submissions = json_submissions(garbage.as_bytes()).unwrap();
        let problem = mostly_unreadable(&submissions, 100).expect("refused");
        assert_eq!(problem.code, "mostly-unreadable");
        assert!(problem.reason.contains("101 of its 101 records"), "{}", problem.reason);
        assert!(problem.reason.contains("The first: element 0 of the array"), "{}", problem.reason);
        let some_garbage = format!("[{}, {{\"retailerRef\": \"A\"}}]", vec!["1"; 100].join(","));
        assert!(mostly_unreadable(&json_submissions(some_garbage.as_bytes()).unwrap(), 100).is_none());
    }

    #[test]
    fn content_types_choose_the_format() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        assert_eq!(body_format(&headers).unwrap(), BodyFormat::Json);
        headers.insert(header::CONTENT_TYPE, "application/x-ndjson".parse().unwrap());
        assert_eq!(body_format(&headers).unwrap(), BodyFormat::Ndjson);
        headers.insert(header::CONTENT_TYPE, "text/csv".parse().unwrap());
        assert!(matches!(body_format(&headers), Err(IngestError::UnsupportedMediaType(_))));
    }
}

#[cfg(test)]
mod fuzz {
    //! Generated bodies against the HTTP decoders: nothing panics, and every non-blank NDJSON
    //! line is exactly one record (a bad line is a rejection, never a lost or extra record).
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_ndjson_body_gives_one_record_per_non_blank_line(lines in prop::collection::vec("(?s).{0,80}|\\{\"retailerRef\": \"[A-Z0-9-]{1,8}\"\\}", 0..12)) {
            let body = lines.join("\n");
            let expected = body.split('\n').filter(|line| !line.bytes().all(|b| b.is_ascii_whitespace())).count();
            let submissions = ndjson_submissions(body.as_bytes());
            prop_assert_eq!(submissions.len(), expected);
        }

        #[test]
        fn any_bytes_as_a_json_body_never_panic(body in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = json_submissions(&body);
            let _ = ndjson_submissions(&body);
        }
    }
}
