//! How soon an acknowledged incident can be found by an analyst. While the load runs, the bench
//! submits probe incidents of its own (five a second, through `IngestService.Submit` with a
//! retailer's key, once `orca ingest` has registered the world's stores: a copy of the world's first incident with a new reference and no persons or
//! vehicles, so the probes change no group) and, at every poll, searches for the probes not found
//! yet by id through `AnalystService.Search`, as `orca analyst search INC-…` does. A probe's latency
//! runs from its acknowledgement to the end of the first search that returns it.

use anyhow::{Context, Result, ensure};
use orca_proto::convert::json::incident_from_json_line;
use orca_proto::v1::analyst_service_client::AnalystServiceClient;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, IngestStatus, PageRequest, SearchKind, SearchRequest, SubmitRequest};
use std::collections::HashMap;
use std::path::Path;
use tonic::transport::Channel;

/// Milliseconds between probes.
const PROBE_EVERY_MS: i64 = 200;
/// Most ids in one search: 23 ids of 20 characters and their spaces fit the query language's 500
/// characters (and its 24 terms).
const IDS_PER_SEARCH: usize = 23;

pub struct SearchProbe {
    ingest: IngestServiceClient<Channel>,
    analyst: AnalystServiceClient<Channel>,
    retailer_key: String,
    analyst_key: String,
    template: v1::Incident,
    sent: u32,
    last_sent_ms: i64,
    /// Probe id → when acknowledged (Unix ms), until found.
    pending: HashMap<String, i64>,
    latencies_ms: Vec<i64>,
}

/// Where the probe sends and searches, and with which keys.
pub struct ProbeTarget<'a> {
    pub ingest_endpoint: &'a str,
    pub analyst_endpoint: &'a str,
    pub keys: &'a Path,
    pub analyst: &'a str,
    pub incidents: &'a Path,
}

impl SearchProbe {
    pub async fn connect(target: ProbeTarget<'_>) -> Result<Self> {
        let text = std::fs::read_to_string(target.incidents)?;
        let first = text.lines().next().context("the world has no incidents")?;
        let mut template = incident_from_json_line(first).map_err(|e| anyhow::anyhow!("{e}"))?;
        template.persons.clear();
        template.vehicles.clear();
        let keys: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(target.keys)?)?;
        let key = |group: &str, subject: &str| {
            keys[group][subject].as_str().map(str::to_owned).with_context(|| format!("no {group} key for `{subject}`"))
        };
        Ok(Self {
            ingest: IngestServiceClient::connect(target.ingest_endpoint.to_owned()).await?,
            analyst: AnalystServiceClient::connect(target.analyst_endpoint.to_owned()).await?,
            retailer_key: key("retailers", &template.retailer_id)?,
            analyst_key: key("analysts", target.analyst)?,
            template,
            sent: 0,
            last_sent_ms: 0,
            pending: HashMap::new(),
            latencies_ms: Vec::new(),
        })
    }

    /// Sends a probe when one is due (while `sending`), then looks for the probes not found yet.
    pub async fn poll(&mut self, sending: bool) -> Result<()> {
        if sending && super::unix_ms() - self.last_sent_ms >= PROBE_EVERY_MS {
            self.send().await?;
        }
        let ids: Vec<String> = self.pending.keys().take(IDS_PER_SEARCH).cloned().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut request = tonic::Request::new(SearchRequest {
            query: ids.join(" "),
            kinds: vec![SearchKind::Incident as i32],
            page: Some(PageRequest { page_size: IDS_PER_SEARCH as u32, ..Default::default() }),
            purpose: "benchmark: how soon an acknowledged incident is searchable".to_owned(),
            ..Default::default()
        });
        request.metadata_mut().insert("authorization", format!("Bearer {}", self.analyst_key).parse()?);
        let hits = self.analyst.search(request).await.context("searching for the probes")?.into_inner().hits;
        let now = super::unix_ms();
        for hit in hits {
            if let Some(acknowledged) = self.pending.remove(&hit.id) {
                self.latencies_ms.push(now - acknowledged);
            }
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<()> {
        self.sent += 1;
        let incident = v1::Incident { retailer_ref: format!("PROBE-{:05}", self.sent), ..self.template.clone() };
        let mut request = tonic::Request::new(SubmitRequest { incident: Some(incident), client_ref: String::new() });
        request.metadata_mut().insert("authorization", format!("Bearer {}", self.retailer_key).parse()?);
        let ack = self.ingest.submit(request).await.context("submitting a probe")?.into_inner();
        let now = super::unix_ms();
        self.last_sent_ms = now;
        // `orca ingest` registers the world's stores before its first incident: until then, wait.
        if ack.problems.iter().all(|p| p.code == "unknown-store") && !ack.problems.is_empty() {
            return Ok(());
        }
        ensure!(ack.status == IngestStatus::Accepted as i32, "a probe was not accepted: {ack:?}");
        self.pending.insert(ack.incident_id, now);
        Ok(())
    }

    pub fn all_found(&self) -> bool {
        self.pending.is_empty()
    }

    /// Milliseconds from acknowledgement to found, sorted.
    pub fn latencies(&self) -> Vec<i64> {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_unstable();
        sorted
    }
}
