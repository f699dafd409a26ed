//! `AnalystService`: OPAL analysts search, read persons, vehicles, incidents and groups, explore
//! networks and timelines, and review matches with binding decisions.
//!
//! Reads come from the search index and its read model ([`orca_search::SearchIndex`], built from
//! the pipeline's logs); active groups' member metrics from the view the linker stores. Decisions
//! are appended to `orca.decisions.v1` for the resolver to apply; the call waits (up to
//! `decision_wait`) for the resolver's answer to come back through the read model.
//!
//! Every call needs an analyst's key and a purpose, and is audited before anything is disclosed:
//! refusals (wrong role, not found, bad arguments) are audited too, with their outcome.

mod decide;
mod entities;
mod explore;
mod export;
mod find;
mod paging;
mod wire;

use crate::access::{Access, Gatekeeper};
use orca_eventlog::EventLog;
use orca_proto::v1::{self, analyst_service_server::AnalystService};
use orca_search::SearchIndex;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

/// How the analysts' API behaves.
#[derive(Clone, Debug)]
pub struct AnalystSettings {
    /// Longest a decision call waits for the resolver's answer before answering `QUEUED`.
    pub decision_wait: Duration,
}

impl Default for AnalystSettings {
    fn default() -> Self {
        Self { decision_wait: Duration::from_secs(5) }
    }
}

#[derive(Clone)]
pub struct AnalystApi {
    gate: Gatekeeper,
    search: Arc<SearchIndex>,
    log: Arc<dyn EventLog>,
    settings: AnalystSettings,
}

/// Longest id accepted.
const MAX_ID_CHARS: usize = 64;

impl AnalystApi {
    pub fn new(gate: Gatekeeper, search: Arc<SearchIndex>, log: Arc<dyn EventLog>, settings: AnalystSettings) -> Self {
        Self { gate, search, log, settings }
    }

    /// Admits analysts only; anyone else is refused and the attempt audited.
    async fn admit<T>(
        &self,
        request: &Request<T>,
        purpose: &str,
        action: &str,
        resource: &str,
    ) -> Result<Access, Status> {
        let access = self.gate.admit(request, purpose, action, resource).await?;
        if !access.is_analyst() {
            self.gate.audit(&access, action, resource, "denied", "not an analyst".into()).await?;
            return Err(Status::permission_denied("this is the OPAL analysts' service; forces read packages"));
        }
        Ok(access)
    }

    /// Audits a disclosure; nothing is returned unless this succeeds.
    async fn disclosed(&self, access: &Access, action: &str, resource: &str, detail: String) -> Result<(), Status> {
        self.gate.audit(access, action, resource, "disclosed", detail).await
    }

    /// Audits a refusal and hands back the status to return.
    async fn refused(&self, access: &Access, action: &str, resource: &str, status: Status) -> Status {
        self.gate.refused(access, action, resource, status).await
    }

    /// Runs read-model work off the async runtime.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SearchIndex) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let search = self.search.clone();
        tokio::task::spawn_blocking(move || work(&search))
            .await
            .map_err(|error| Status::from(crate::error::IntelError::Internal(error.to_string())))?
    }

    /// Admits, runs `work`, and audits the outcome: a disclosure with the detail `work` returns, or
    /// the refusal it failed with.
    async fn read<T: Send + 'static>(
        &self,
        access: &Access,
        action: &str,
        resource: &str,
        work: impl FnOnce(&SearchIndex) -> Result<(T, String), Status> + Send + 'static,
    ) -> Result<T, Status> {
        match self.blocking(work).await {
            Ok((value, detail)) => {
                self.disclosed(access, action, resource, detail).await?;
                Ok(value)
            }
            Err(status) => Err(self.refused(access, action, resource, status).await),
        }
    }
}

/// An id from a request, trimmed and checked.
pub(crate) fn checked_id(id: &str, what: &str) -> Result<String, Status> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Status::invalid_argument(format!("`{what}` is required")));
    }
    if id.chars().count() > MAX_ID_CHARS || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Status::invalid_argument(format!(
            "`{what}` `{}` is not an ORCA id",
            id.chars().take(MAX_ID_CHARS).collect::<String>()
        )));
    }
    Ok(id.to_owned())
}

#[tonic::async_trait]
impl AnalystService for AnalystApi {
    async fn search(&self, request: Request<v1::SearchRequest>) -> Result<Response<v1::SearchResponse>, Status> {
        find::search(self, request).await.map(Response::new)
    }

    async fn get_person(&self, request: Request<v1::GetPersonRequest>) -> Result<Response<v1::Person>, Status> {
        entities::get_person(self, request).await.map(Response::new)
    }

    async fn get_vehicle(&self, request: Request<v1::GetVehicleRequest>) -> Result<Response<v1::Vehicle>, Status> {
        entities::get_vehicle(self, request).await.map(Response::new)
    }

    async fn get_incident(
        &self,
        request: Request<v1::GetIncidentRequest>,
    ) -> Result<Response<v1::IncidentDetail>, Status> {
        entities::get_incident(self, request).await.map(Response::new)
    }

    async fn get_group(&self, request: Request<v1::GetGroupRequest>) -> Result<Response<v1::Group>, Status> {
        entities::get_group(self, request).await.map(Response::new)
    }

    async fn list_groups(
        &self,
        request: Request<v1::ListGroupsRequest>,
    ) -> Result<Response<v1::ListGroupsResponse>, Status> {
        entities::list_groups(self, request).await.map(Response::new)
    }

    async fn expand_network(
        &self,
        request: Request<v1::ExpandNetworkRequest>,
    ) -> Result<Response<v1::Network>, Status> {
        explore::expand_network(self, request).await.map(Response::new)
    }

    async fn shortest_path(&self, request: Request<v1::ShortestPathRequest>) -> Result<Response<v1::Network>, Status> {
        explore::shortest_path(self, request).await.map(Response::new)
    }

    async fn timeline(&self, request: Request<v1::TimelineRequest>) -> Result<Response<v1::TimelineResponse>, Status> {
        explore::timeline(self, request).await.map(Response::new)
    }

    async fn list_review_queue(
        &self,
        request: Request<v1::ListReviewQueueRequest>,
    ) -> Result<Response<v1::ListReviewQueueResponse>, Status> {
        decide::review_queue(self, request).await.map(Response::new)
    }

    async fn review_match(
        &self,
        request: Request<v1::ReviewMatchRequest>,
    ) -> Result<Response<v1::DecisionReceipt>, Status> {
        decide::review_match(self, request).await.map(Response::new)
    }

    async fn split_person(
        &self,
        request: Request<v1::SplitPersonRequest>,
    ) -> Result<Response<v1::DecisionReceipt>, Status> {
        decide::split_person(self, request).await.map(Response::new)
    }

    async fn merge_persons(
        &self,
        request: Request<v1::MergePersonsRequest>,
    ) -> Result<Response<v1::DecisionReceipt>, Status> {
        decide::merge_persons(self, request).await.map(Response::new)
    }

    type ExportResolutionStream = ReceiverStream<Result<v1::ExportResolutionChunk, Status>>;

    async fn export_resolution(
        &self,
        request: Request<v1::ExportResolutionRequest>,
    ) -> Result<Response<Self::ExportResolutionStream>, Status> {
        export::export_resolution(self, request).await.map(Response::new)
    }
}
