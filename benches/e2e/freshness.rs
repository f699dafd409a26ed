//! How soon an acknowledged incident can be found by an analyst: the bench follows a sample of the
//! world's incidents through `AnalystService.Search` (by id, as `orca analyst search INC-…` does)
//! and records when each is first found.
//!
//! `orca ingest` sends one stream per retailer, in file order, and the pipeline indexes in log
//! order, so within a retailer incidents become searchable in the order they were sent. Each poll
//! therefore asks only for the oldest unfound sampled incidents of each retailer (one search of at
//! most 24 ids): the incidents behind them cannot have been found earlier. Each search is a real,
//! audited analyst call; sampling one incident in five keeps the bench's own load small.

use anyhow::{Context, Result};
use orca_model::{IncidentId, RetailerId};
use orca_proto::v1::analyst_service_client::AnalystServiceClient;
use orca_proto::v1::{PageRequest, SearchKind, SearchRequest};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use tonic::transport::Channel;

/// One incident in this many is followed.
const SAMPLE_EVERY: usize = 5;
/// Most ids in one search (the query language's limit on terms).
const IDS_PER_SEARCH: usize = 24;

pub struct SearchFollower {
    client: AnalystServiceClient<Channel>,
    key: String,
    /// Per retailer, sampled incident ids not yet found, in the order they are sent.
    waiting: Vec<VecDeque<String>>,
    /// Incident id → when first found (Unix ms).
    found: HashMap<String, i64>,
}

impl SearchFollower {
    pub async fn connect(endpoint: &str, key: &str, incidents: &Path) -> Result<Self> {
        let client = AnalystServiceClient::connect(endpoint.to_owned())
            .await
            .with_context(|| format!("connecting to the analyst service at {endpoint}"))?;
        Ok(Self { client, key: key.to_owned(), waiting: sampled_ids(incidents)?, found: HashMap::new() })
    }

    pub async fn poll(&mut self, now_ms: i64) -> Result<()> {
        let per_retailer = (IDS_PER_SEARCH / self.waiting.len().max(1)).max(1);
        let asked: Vec<String> = self
            .waiting
            .iter()
            .flat_map(|queue| queue.iter().take(per_retailer).cloned())
            .take(IDS_PER_SEARCH)
            .collect();
        if asked.is_empty() {
            return Ok(());
        }
        let mut request = tonic::Request::new(SearchRequest {
            query: asked.join(" "),
            kinds: vec![SearchKind::Incident as i32],
            page: Some(PageRequest { page_size: IDS_PER_SEARCH as u32, ..Default::default() }),
            purpose: "benchmark: how soon an acknowledged incident is searchable".to_owned(),
            ..Default::default()
        });
        request.metadata_mut().insert("authorization", format!("Bearer {}", self.key).parse()?);
        let response = self.client.search(request).await.context("searching for acknowledged incidents")?;
        for hit in response.into_inner().hits {
            self.found.entry(hit.id).or_insert(now_ms);
        }
        for queue in &mut self.waiting {
            queue.retain(|id| !self.found.contains_key(id));
        }
        Ok(())
    }

    pub fn all_found(&self) -> bool {
        self.waiting.iter().all(VecDeque::is_empty)
    }

    /// Milliseconds from acknowledgement to first found, sorted, for the sampled incidents.
    pub fn latencies(&self, acknowledged: &HashMap<String, i64>) -> Result<Vec<i64>> {
        let mut latencies = self
            .found
            .iter()
            .map(|(id, at)| {
                let acked = acknowledged.get(id).with_context(|| format!("no receipt for `{id}`"))?;
                Ok((at - acked).max(0))
            })
            .collect::<Result<Vec<_>>>()?;
        latencies.sort_unstable();
        Ok(latencies)
    }
}

/// Every `SAMPLE_EVERY`th incident of each retailer in `incidents.jsonl`, by retailer in file order.
fn sampled_ids(incidents: &Path) -> Result<Vec<VecDeque<String>>> {
    let text = std::fs::read_to_string(incidents).with_context(|| format!("reading `{}`", incidents.display()))?;
    let mut by_retailer: HashMap<String, (usize, VecDeque<String>)> = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let incident: serde_json::Value = serde_json::from_str(line).context("reading a simulated incident")?;
        let field = |name: &str| incident[name].as_str().map(str::to_owned).with_context(|| format!("no `{name}`"));
        let (retailer, reference) = (field("retailer")?, field("retailer_ref")?);
        let id = IncidentId::derive(&RetailerId::new(retailer.clone()), &reference).to_string();
        let (seen, queue) = by_retailer.entry(retailer).or_default();
        if (*seen).is_multiple_of(SAMPLE_EVERY) {
            queue.push_back(id);
        }
        *seen += 1;
    }
    Ok(by_retailer.into_values().map(|(_, queue)| queue).collect())
}
