//! The operational HTTP surface: liveness, readiness, Prometheus metrics, and (when this process
//! runs ingest) the retailers' REST ingest routes, and (when it runs intel) the browser workspace
//! under `/ui/`.

use crate::backends::Backends;
use crate::telemetry::prometheus;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone)]
pub struct HttpState {
    pub backends: Backends,
    /// Each local stage and whether it has restored its state and is consuming.
    pub readiness: Vec<(&'static str, Arc<AtomicBool>)>,
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
    [ingest, workspace].into_iter().flatten().fold(ops, Router::merge)
}

/// Ready when every local stage is consuming and the store answers.
async fn readyz(State(state): State<HttpState>) -> (StatusCode, String) {
    let waiting: Vec<&str> =
        state.readiness.iter().filter(|(_, ready)| !ready.load(Ordering::Acquire)).map(|(name, _)| *name).collect();
    if !waiting.is_empty() {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("waiting for stages: {}", waiting.join(", ")));
    }
    match state.backends.store.offsets("readiness-probe").await {
        Ok(_) => (StatusCode::OK, "ready".to_owned()),
        Err(error) => (StatusCode::SERVICE_UNAVAILABLE, format!("store unavailable: {error}")),
    }
}

/// Prometheus text exposition, with consumer lag per stage refreshed on each scrape.
async fn metrics(State(state): State<HttpState>) -> String {
    if let Some(search) = &state.search
        && let Ok(lag) = search.lag(state.backends.log.as_ref()).await
    {
        metrics::gauge!("orca_consumer_lag", "stage" => "search").set(lag as f64);
    }
    for (stage, _) in state.readiness.iter().filter(|(stage, _)| *stage != "search") {
        let topics = crate::app::stage_topics(stage);
        if let Ok(lag) =
            orca_stage::lag(state.backends.log.as_ref(), state.backends.store.as_ref(), stage, &topics).await
        {
            metrics::gauge!("orca_consumer_lag", "stage" => *stage).set(lag as f64);
        }
    }
    prometheus().render()
}
