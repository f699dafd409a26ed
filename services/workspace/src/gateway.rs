//! The JSON gateway: `POST /ui/api/{service}/{method}` with a request message in the canonical
//! proto3 JSON mapping, answered with the response message in the same mapping.
//!
//! Each call is the gRPC call of the same name, made in process with the session's key, so the
//! browser can do nothing a gRPC client with that key could not: the services check the role,
//! the force and the purpose and write the audit record, exactly as for any other client. Only
//! the calls a page needs are open here (no bulk export). A gRPC status becomes an HTTP status
//! and `{"code": "...", "message": "..."}`.

use crate::Workspace;
use crate::session::Session;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orca_proto::v1::analyst_service_server::AnalystService;
use orca_proto::v1::intelligence_service_server::IntelligenceService;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use tonic::Status;

/// Calls `service`'s `method` with the JSON `body` for `session`.
pub async fn call(workspace: &Workspace, session: &Session, service: &str, method: &str, body: &[u8]) -> Response {
    let analyst = &workspace.analyst;
    let intel = &workspace.intelligence;
    match (service, method) {
        ("analyst", "Search") => unary(session, body, |r| analyst.search(r)).await,
        ("analyst", "GetPerson") => unary(session, body, |r| analyst.get_person(r)).await,
        ("analyst", "GetVehicle") => unary(session, body, |r| analyst.get_vehicle(r)).await,
        ("analyst", "GetIncident") => unary(session, body, |r| analyst.get_incident(r)).await,
        ("analyst", "GetGroup") => unary(session, body, |r| analyst.get_group(r)).await,
        ("analyst", "ListGroups") => unary(session, body, |r| analyst.list_groups(r)).await,
        ("analyst", "ExpandNetwork") => unary(session, body, |r| analyst.expand_network(r)).await,
        ("analyst", "ShortestPath") => unary(session, body, |r| analyst.shortest_path(r)).await,
        ("analyst", "Timeline") => unary(session, body, |r| analyst.timeline(r)).await,
        ("analyst", "ListReviewQueue") => unary(session, body, |r| analyst.list_review_queue(r)).await,
        ("analyst", "ReviewMatch") => unary(session, body, |r| analyst.review_match(r)).await,
        ("analyst", "SplitPerson") => unary(session, body, |r| analyst.split_person(r)).await,
        ("analyst", "MergePersons") => unary(session, body, |r| analyst.merge_persons(r)).await,
        ("intel", "ListPackages") => unary(session, body, |r| intel.list_packages(r)).await,
        ("intel", "GetPackage") => unary(session, body, |r| intel.get_package(r)).await,
        ("intel", "RecordOutcome") => unary(session, body, |r| intel.record_outcome(r)).await,
        _ => problem(StatusCode::NOT_FOUND, "not-found", format!("there is no call `{service}/{method}` here")),
    }
}

/// Decodes `body`, makes the call with the session's key and encodes the answer.
async fn unary<Req, Resp, Fut>(
    session: &Session,
    body: &[u8],
    call: impl FnOnce(tonic::Request<Req>) -> Fut,
) -> Response
where
    Req: DeserializeOwned,
    Resp: Serialize,
    Fut: Future<Output = Result<tonic::Response<Resp>, Status>>,
{
    let message: Req = match serde_json::from_slice(body) {
        Ok(message) => message,
        Err(error) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid-argument",
                format!("the request is not this call's JSON message: {error}"),
            );
        }
    };
    match call(session.request(message)).await {
        Ok(response) => Json(response.into_inner()).into_response(),
        Err(status) => status_response(&status),
    }
}

/// A gRPC status as an HTTP answer.
pub fn status_response(status: &Status) -> Response {
    let (http, code) = match status.code() {
        tonic::Code::InvalidArgument | tonic::Code::OutOfRange => (StatusCode::BAD_REQUEST, "invalid-argument"),
        tonic::Code::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        tonic::Code::PermissionDenied => (StatusCode::FORBIDDEN, "permission-denied"),
        tonic::Code::NotFound => (StatusCode::NOT_FOUND, "not-found"),
        tonic::Code::FailedPrecondition | tonic::Code::AlreadyExists | tonic::Code::Aborted => {
            (StatusCode::CONFLICT, "failed-precondition")
        }
        tonic::Code::ResourceExhausted => (StatusCode::TOO_MANY_REQUESTS, "resource-exhausted"),
        tonic::Code::Unavailable | tonic::Code::DeadlineExceeded => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    problem(http, code, status.message().to_owned())
}

/// `{"code": code, "message": message}` with `status`.
pub fn problem(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(serde_json::json!({ "code": code, "message": message }))).into_response()
}
