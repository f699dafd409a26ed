//! Packages in the browser: the printable document of a version (the same HTML a force prints),
//! and the force's package changes as server-sent events while a page is open.
//!
//! Both are the `IntelligenceService` calls made with the session's key (`GetPackage`,
//! `StreamPackages`), so a force sees only what concerns it and every read is audited.

use crate::Workspace;
use crate::gateway::{problem, status_response};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures::StreamExt;
use orca_proto::v1;
use orca_proto::v1::intelligence_service_server::IntelligenceService;
use serde::Deserialize;

/// The printable document may show its own inline styles and pictures, and nothing else: no
/// script runs in it even though it is shown inside the workspace's page.
const DOCUMENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox allow-same-origin allow-modals";

#[derive(Deserialize)]
pub struct DocumentQuery {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    version: u32,
}

/// `GET /ui/document/packages/{id}?purpose=…&version=…`: the printable package.
pub async fn package_document(
    State(workspace): State<Workspace>,
    Path(id): Path<String>,
    Query(query): Query<DocumentQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((_, session)) = workspace.session(&headers) else {
        return (StatusCode::UNAUTHORIZED, Html(message_document("Sign in to read packages."))).into_response();
    };
    let request =
        v1::GetPackageRequest { package_id: id, purpose: query.purpose, version: query.version, compare_to_version: 0 };
    let response = match workspace.intelligence.get_package(session.request(request)).await {
        Ok(response) => response.into_inner(),
        Err(status) => {
            let code = status_response(&status).status();
            return (code, Html(message_document(status.message()))).into_response();
        }
    };
    let lines: Vec<String> =
        response.changes.map(|c| c.changes.into_iter().map(|c| c.detail).collect()).unwrap_or_default();
    let Some(package) = response.package else {
        return (StatusCode::NOT_FOUND, Html(message_document("the package has no content"))).into_response();
    };
    match orca_proto::convert::package_from_proto(package) {
        Ok(model) => {
            let mut response = Html(orca_packages::print::package_html(&model, &lines)).into_response();
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOCUMENT_POLICY));
            response
        }
        Err(error) => {
            tracing::error!(%error, "a stored package does not convert for printing");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(message_document("the package cannot be shown; it has been logged")),
            )
                .into_response()
        }
    }
}

fn message_document(message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ORCA</title></head>\
         <body><p id=\"problem\">{}</p></body></html>",
        crate::pages::escape(message)
    )
}

#[derive(Deserialize)]
pub struct EventsQuery {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    cursor: String,
    /// Analysts name the force whose packages to follow; a force officer follows their own.
    #[serde(default)]
    force: String,
}

/// `GET /ui/api/intel/stream?purpose=…&cursor=…`: `StreamPackages` as server-sent events
/// (`package` for each event, `failure` if the stream fails; the browser reconnects with the last
/// cursor it saw).
pub async fn package_events(
    State(workspace): State<Workspace>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((_, session)) = workspace.session(&headers) else {
        return problem(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in again".into());
    };
    let request = v1::StreamPackagesRequest {
        force: query.force,
        purpose: query.purpose,
        cursor: query.cursor,
        role: v1::PackageRole::Any as i32,
    };
    let events = match workspace.intelligence.stream_packages(session.request(request)).await {
        Ok(response) => response.into_inner(),
        Err(status) => return status_response(&status),
    };
    let events = events.map(|event| match event {
        Ok(event) => Event::default().event("package").json_data(&event),
        Err(status) => Event::default()
            .event("failure")
            .json_data(serde_json::json!({ "code": format!("{:?}", status.code()), "message": status.message() })),
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}
