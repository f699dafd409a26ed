//! The operational HTTP surface: liveness, readiness, Prometheus metrics, and (when this process
//! runs ingest) the retailers' REST ingest routes, and (when it runs intel) the browser workspace
//! under `/ui/`.

use crate::backends::Backends;
use crate::status::{Phase, StageStatus};
use crate::telemetry::prometheus;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use std::sync::Arc;

#[derive(Clone)]
pub struct HttpState {
    pub backends: Backends,
    /// Each local stage (and the search indexer) and what it is doing.
    pub readiness: Vec<StageStatus>,
    /// The analysts' search index, when this process runs intel.
    pub search: Option<Arc<orca_search::SearchIndex>>,
}

/// The operational routes, plus ingest's and the browser workspace's where this process runs them.
pub fn router(state: HttpState, ingest: Option<Router>, workspace: Option<Router>) -> Router {
    // Install the recorder before the first request, so counters recorded before are kept.
    prometheus();
    let ops = Router::new()
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state);
    [ingest, workspace]
        .into_iter()
        .flatten()
        .fold(ops, Router::merge)
        .layer(axum::middleware::from_fn(crate::request_span::http_span))
}

/// Ready when every local stage is consuming or standing by (another process holds its lease)
/// and the store answers. The body names the stages standing by.
async fn readyz(State(state): State<HttpState>) -> (StatusCode, String) {
    let waiting: Vec<&str> = state.readiness.iter().filter(|s| !s.is_ready()).map(StageStatus::stage).collect();
    if !waiting.is_empty() {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("waiting for stages: {}", waiting.join(", ")));
    }
    if let Err(error) = state.backends.store.offsets("readiness-probe").await {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("store unavailable: {error}"));
    }
    let standby: Vec<&str> =
        state.readiness.iter().filter(|s| s.get() == Phase::Standby).map(StageStatus::stage).collect();
    if standby.is_empty() {
        (StatusCode::OK, "ready".to_owned())
    } else {
        (StatusCode::OK, format!("ready; standing by for: {}", standby.join(", ")))
    }
}

/// Prometheus text exposition, with consumer lag per stage refreshed on each scrape.
async fn metrics(State(state): State<HttpState>) -> String {
    if let Some(search) = &state.search
        && let Ok(lag) = search.lag(state.backends.log.as_ref()).await
    {
        metrics::gauge!("orca_consumer_lag", "stage" => "search").set(lag as f64);
    }
    for stage in state.readiness.iter().map(StageStatus::stage).filter(|stage| *stage != "search") {
        let topics = crate::app::stage_topics(stage);
        if let Ok(lag) =
            orca_stage::lag(state.backends.log.as_ref(), state.backends.store.as_ref(), stage, &topics).await
        {
            metrics::gauge!("orca_consumer_lag", "stage" => stage).set(lag as f64);
        }
    }
    prometheus().render()
}
