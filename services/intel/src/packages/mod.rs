//! `IntelligenceService`: forces list, read, follow and answer the packages that concern them.
//!
//! - this file: the service, `ListPackages` and `GetPackage`;
//! - [`triage`]: listing filters, priority order and page tokens;
//! - [`versions`]: which versions a force may read, and what changed between two;
//! - [`stream`]: `StreamPackages`, from a cursor, woken by the intel stage's commits;
//! - [`outcome`]: `RecordOutcome`, appended to `orca.outcomes.v1` for the linker.

mod outcome;
mod stream;
mod triage;
mod versions;

use crate::access::{Access, Gatekeeper};
use crate::error::IntelError;
use orca_eventlog::EventLog;
use orca_model::ForceRegistry;
use orca_proto::v1::{self, intelligence_service_server::IntelligenceService};
use orca_store::StoreError;
use prost::Message;
use std::sync::Arc;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

pub use triage::priority_rank;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// Tells open streams that the intel stage committed new package versions.
#[derive(Clone, Debug)]
pub struct PackagesPublished(Arc<watch::Sender<u64>>);

impl Default for PackagesPublished {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(0)))
    }
}

impl PackagesPublished {
    /// Called after a commit that indexed package versions.
    pub fn notify(&self) {
        self.0.send_modify(|count| *count += 1);
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

#[derive(Clone)]
pub struct IntelligenceApi {
    gate: Gatekeeper,
    log: Arc<dyn EventLog>,
    published: PackagesPublished,
    /// Cancelled when the server stops: open streams end (clients resume from their cursor), so
    /// a graceful shutdown does not wait for followers that never leave.
    shutdown: CancellationToken,
}

impl IntelligenceApi {
    pub fn new(gate: Gatekeeper, log: Arc<dyn EventLog>, published: PackagesPublished) -> Self {
        Self { gate, log, published, shutdown: CancellationToken::new() }
    }

    /// Ends open package streams when `shutdown` is cancelled.
    pub fn ending_streams_on(mut self, shutdown: CancellationToken) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The force whose packages a caller may list or follow: a force user only their own; an
    /// analyst any force they name.
    async fn listing_force(&self, access: &Access, requested: &str, action: &str) -> Result<String, Status> {
        let requested = requested.trim();
        let force = match (access.force(), access.is_analyst()) {
            (Some(own), _) if requested.is_empty() || requested == own => own.to_owned(),
            (Some(own), _) => {
                let resource = format!("packages:force={requested}");
                self.gate.audit(access, action, &resource, "denied", format!("caller acts for `{own}`")).await?;
                return Err(Status::permission_denied(format!(
                    "you act for `{own}` and may see only its packages, not `{requested}`'s"
                )));
            }
            (None, true) if requested.is_empty() => {
                return Err(Status::invalid_argument("`force` is required: name the force whose packages to list"));
            }
            (None, true) => requested.to_owned(),
            (None, false) => {
                self.gate.audit(access, action, "packages", "denied", "retailer key".into()).await?;
                return Err(Status::permission_denied("packages are for force users and analysts"));
            }
        };
        if !ForceRegistry::global().contains(&force) {
            return Err(Status::invalid_argument(format!("`{force}` is not a force slug (see data.police.uk)")));
        }
        Ok(force)
    }

    /// Audits a refusal of a request found wrong, and returns it.
    async fn refused(&self, access: &Access, action: &str, resource: &str, status: Status) -> Status {
        self.gate.refused(access, action, resource, status).await
    }
}

pub(crate) fn store_status(error: StoreError) -> Status {
    IntelError::Store(error).into()
}

pub(crate) fn decode(body: &[u8]) -> Result<v1::IntelligencePackage, Status> {
    v1::IntelligencePackage::decode(body).map_err(|e| IntelError::corrupt("package", e).into())
}

pub(crate) fn decode_summary(row: &orca_store::PackageRow, force: &str) -> Result<v1::PackageSummary, Status> {
    let mut summary = v1::PackageSummary::decode(row.summary.as_slice())
        .map_err(|e| Status::from(IntelError::corrupt("package summary", e)))?;
    summary.lead = summary.lead_force == force;
    Ok(summary)
}

/// Whether `force` is the package's lead or an affected force.
pub(crate) fn concerns(package: &v1::IntelligencePackage, force: &str) -> bool {
    package.lead_force == force || package.affected_forces.iter().any(|f| f == force)
}

type PackageEvents = tokio_stream::wrappers::ReceiverStream<Result<v1::PackageEvent, Status>>;

#[tonic::async_trait]
impl IntelligenceService for IntelligenceApi {
    async fn list_packages(
        &self,
        request: Request<v1::ListPackagesRequest>,
    ) -> Result<Response<v1::ListPackagesResponse>, Status> {
        let access = self.gate.admit(&request, &request.get_ref().purpose, "list-packages", "packages").await?;
        let message = request.into_inner();
        let force = self.listing_force(&access, &message.force, "list-packages").await?;
        let resource = format!("packages:force={force}");
        let listing = match triage::Listing::parse(&force, &message) {
            Ok(listing) => listing,
            Err(status) => return Err(self.refused(&access, "list-packages", &resource, status).await),
        };
        let store = self.gate.store();
        let mut rows = store
            .list_packages(&listing.query, listing.after.as_ref(), listing.page_size + 1)
            .await
            .map_err(store_status)?;
        let next_page_token = if rows.len() > listing.page_size as usize {
            rows.truncate(listing.page_size as usize);
            rows.last().map(|r| triage::page_token(&r.position())).unwrap_or_default()
        } else {
            String::new()
        };
        let total = store.count_packages(&listing.query).await.map_err(store_status)?;
        let disclosed: Vec<String> = rows.iter().map(|r| format!("{}@{}", r.package_id, r.version)).collect();
        let detail = format!("{} [{}]", disclosed.join(","), listing.describe());
        self.gate.audit(&access, "list-packages", &resource, "disclosed", detail).await?;
        let packages = rows.iter().map(|row| decode_summary(row, &force)).collect::<Result<Vec<_>, _>>()?;
        Ok(Response::new(v1::ListPackagesResponse { packages, next_page_token, total: total as u32 }))
    }

    async fn get_package(
        &self,
        request: Request<v1::GetPackageRequest>,
    ) -> Result<Response<v1::GetPackageResponse>, Status> {
        let package = format!("package:{}", request.get_ref().package_id);
        let access = self.gate.admit(&request, &request.get_ref().purpose, "read-package", &package).await?;
        versions::get(self, &access, request.into_inner()).await.map(Response::new)
    }

    type StreamPackagesStream = PackageEvents;

    async fn stream_packages(
        &self,
        request: Request<v1::StreamPackagesRequest>,
    ) -> Result<Response<Self::StreamPackagesStream>, Status> {
        let access = self.gate.admit(&request, &request.get_ref().purpose, "stream-packages", "packages").await?;
        stream::open(self, access, request.into_inner()).await.map(Response::new)
    }

    async fn record_outcome(
        &self,
        request: Request<v1::RecordOutcomeRequest>,
    ) -> Result<Response<v1::RecordOutcomeResponse>, Status> {
        let resource = format!("package:{}", request.get_ref().package_id);
        let access = self.gate.admit(&request, &request.get_ref().purpose, "record-outcome", &resource).await?;
        outcome::record(self, &access, request.into_inner()).await.map(Response::new)
    }
}
