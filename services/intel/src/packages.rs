//! `IntelligenceService`: forces list and read the packages that concern them.

use crate::access::{Access, Gatekeeper};
use orca_model::ForceRegistry;
use orca_proto::v1::{self, intelligence_service_server::IntelligenceService};
use orca_store::StoreError;
use prost::Message;
use tonic::{Request, Response, Status};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

#[derive(Clone)]
pub struct IntelligenceApi {
    gate: Gatekeeper,
}

impl IntelligenceApi {
    pub fn new(gate: Gatekeeper) -> Self {
        Self { gate }
    }

    /// The force whose packages a caller may list: a force user only their own; an analyst any
    /// force they name.
    async fn listing_force(&self, access: &Access, requested: &str) -> Result<String, Status> {
        let requested = requested.trim();
        let force = match (access.force(), access.is_analyst()) {
            (Some(own), _) if requested.is_empty() || requested == own => own.to_owned(),
            (Some(own), _) => {
                let resource = format!("packages:force={requested}");
                self.gate
                    .audit(access, "list-packages", &resource, "denied", format!("caller acts for `{own}`"))
                    .await?;
                return Err(Status::permission_denied(format!(
                    "you act for `{own}` and may list only its packages, not `{requested}`'s"
                )));
            }
            (None, true) if requested.is_empty() => {
                return Err(Status::invalid_argument("`force` is required: name the force whose packages to list"));
            }
            (None, true) => requested.to_owned(),
            (None, false) => {
                self.gate.audit(access, "list-packages", "packages", "denied", "retailer key".into()).await?;
                return Err(Status::permission_denied("packages are for force users and analysts"));
            }
        };
        if !ForceRegistry::global().contains(&force) {
            return Err(Status::invalid_argument(format!("`{force}` is not a force slug (see data.police.uk)")));
        }
        Ok(force)
    }

    /// The latest version of `package` when it is newer than `package`.
    async fn newer_version(
        &self,
        package: &v1::IntelligencePackage,
    ) -> Result<Option<v1::IntelligencePackage>, Status> {
        let Some(row) = self.gate.store().package(&package.package_id, None).await.map_err(store_status)? else {
            return Ok(None);
        };
        if row.version <= package.version {
            return Ok(None);
        }
        decode(&row.body).map(Some)
    }
}

fn store_status(error: StoreError) -> Status {
    tracing::error!(%error, "store failed while serving packages");
    if error.is_retryable() {
        Status::unavailable("the store is unavailable; retry later")
    } else {
        Status::internal("the store failed")
    }
}

fn decode(body: &[u8]) -> Result<v1::IntelligencePackage, Status> {
    v1::IntelligencePackage::decode(body).map_err(|e| Status::internal(format!("corrupt package: {e}")))
}

/// Whether `force` is the package's lead or an affected force.
fn concerns(package: &v1::IntelligencePackage, force: &str) -> bool {
    package.lead_force == force || package.affected_forces.iter().any(|f| f == force)
}

#[tonic::async_trait]
impl IntelligenceService for IntelligenceApi {
    async fn list_packages(
        &self,
        request: Request<v1::ListPackagesRequest>,
    ) -> Result<Response<v1::ListPackagesResponse>, Status> {
        let access = self.gate.admit(&request, &request.get_ref().purpose, "list-packages", "packages").await?;
        let message = request.into_inner();
        let force = self.listing_force(&access, &message.force).await?;
        let page = message.page.unwrap_or_default();
        let page_size = match page.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        };
        let store = self.gate.store();
        let mut rows = store
            .list_packages(&force, message.lead_only, &page.page_token, page_size + 1)
            .await
            .map_err(store_status)?;
        let next_page_token = if rows.len() > page_size as usize {
            rows.truncate(page_size as usize);
            rows.last().map(|r| r.package_id.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        let total = store.count_packages(&force, message.lead_only).await.map_err(store_status)?;
        let disclosed: Vec<String> = rows.iter().map(|r| format!("{}@{}", r.package_id, r.version)).collect();
        self.gate
            .audit(&access, "list-packages", &format!("packages:force={force}"), "disclosed", disclosed.join(","))
            .await?;
        let packages = rows
            .iter()
            .map(|row| v1::PackageSummary::decode(row.summary.as_slice()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Status::internal(format!("corrupt package summary: {e}")))?;
        Ok(Response::new(v1::ListPackagesResponse { packages, next_page_token, total: total as u32 }))
    }

    async fn get_package(
        &self,
        request: Request<v1::GetPackageRequest>,
    ) -> Result<Response<v1::GetPackageResponse>, Status> {
        let package = format!("package:{}", request.get_ref().package_id);
        let access = self.gate.admit(&request, &request.get_ref().purpose, "read-package", &package).await?;
        let message = request.into_inner();
        let version = (message.version != 0).then_some(message.version);
        let resource = match version {
            Some(v) => format!("package:{}@{v}", message.package_id),
            None => format!("package:{}", message.package_id),
        };
        let not_found = || Status::not_found(format!("no package `{}` is shared with you", message.package_id));
        if access.caller.retailer().is_some() {
            self.gate.audit(&access, "read-package", &resource, "denied", "retailer key".into()).await?;
            return Err(Status::permission_denied("packages are for force users and analysts"));
        }
        let Some(row) = self.gate.store().package(&message.package_id, version).await.map_err(store_status)? else {
            self.gate.audit(&access, "read-package", &resource, "not-found", String::new()).await?;
            return Err(not_found());
        };
        let package = decode(&row.body)?;
        if let Some(force) = access.force() {
            if !concerns(&package, force) {
                // Not shared with this force: answered as "not found" so ids reveal nothing.
                self.gate
                    .audit(&access, "read-package", &resource, "denied", format!("not shared with `{force}`"))
                    .await?;
                return Err(not_found());
            }
            // An earlier version is disclosed only while the latest still stands and still concerns
            // the force: a withdrawal or a change of forces takes it back. (A read of the latest
            // has nothing newer to look up.)
            let newer = if version.is_some() { self.newer_version(&package).await? } else { None };
            if let Some(latest) = newer {
                let refusal = if latest.withdrawn {
                    Some(Status::failed_precondition(format!(
                        "`{}` was withdrawn in version {}: earlier versions are no longer disclosed; read the latest",
                        package.package_id, latest.version
                    )))
                } else if !concerns(&latest, force) {
                    Some(not_found())
                } else {
                    None
                };
                if let Some(status) = refusal {
                    let detail = format!("superseded by version {}: {}", latest.version, status.message());
                    self.gate.audit(&access, "read-package", &resource, "denied", detail).await?;
                    return Err(status);
                }
            }
        }
        let resource = format!("package:{}@{}", package.package_id, package.version);
        self.gate.audit(&access, "read-package", &resource, "disclosed", String::new()).await?;
        Ok(Response::new(v1::GetPackageResponse { package: Some(package) }))
    }
}
