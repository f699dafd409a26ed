//! A span around every gRPC and HTTP request, so that each log line a request causes (ingest's
//! acknowledgement of an incident, a refusal, a store failure) carries the call and a request id.
//! The id is the caller's `x-request-id` when it sends a usable one (a proxy's, say), else one
//! made here; with `RUST_LOG=info,orca_ingest=debug` an incident can be followed from its
//! acknowledgement (`request`, `incident_id`) through the stages' logs, which name it too.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// The header a caller may name its request with.
pub const REQUEST_ID: &str = "x-request-id";

/// Longest caller-given request id used as given.
const MAX_REQUEST_ID_CHARS: usize = 64;

/// The span of a gRPC call (for `tonic::transport::Server::trace_fn`).
pub fn grpc_span(request: &axum::http::Request<()>) -> tracing::Span {
    tracing::info_span!("grpc", method = %request.uri().path(), request = %request_id(request.headers()))
}

/// Wraps an HTTP request in its span (an `axum::middleware::from_fn` layer).
pub async fn http_span(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "http",
        method = %request.method(),
        path = %request.uri().path(),
        request = %request_id(request.headers()),
    );
    next.run(request).instrument(span).await
}

/// The caller's request id when it is short printable ASCII, else a new one (`orca-` and a number
/// unique in this process).
pub fn request_id(headers: &HeaderMap) -> String {
    let given = headers.get(REQUEST_ID).and_then(|value| value.to_str().ok()).map(str::trim);
    match given {
        Some(id) if !id.is_empty() && id.len() <= MAX_REQUEST_ID_CHARS && id.chars().all(|c| c.is_ascii_graphic()) => {
            id.to_owned()
        }
        _ => {
            static NEXT: AtomicU64 = AtomicU64::new(1);
            format!("orca-{}", NEXT.fetch_add(1, Ordering::Relaxed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_usable_caller_request_id_is_kept_and_others_are_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("proxy-7f3a"));
        assert_eq!(request_id(&headers), "proxy-7f3a");
        for unusable in ["", "has space", &"x".repeat(65)] {
            headers.insert(REQUEST_ID, HeaderValue::from_str(unusable).unwrap());
            assert!(request_id(&headers).starts_with("orca-"), "{unusable:?}");
        }
        let (first, second) = (request_id(&HeaderMap::new()), request_id(&HeaderMap::new()));
        assert_ne!(first, second, "each request gets its own id");
    }
}
