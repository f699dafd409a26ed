//! Reading one version of a package, and what changed since an earlier one.
//!
//! A force reads a version only while the package's latest version still stands and still
//! concerns it: a withdrawal, or a version that drops the force, takes the earlier versions back
//! (the refusal is audited). Analysts read every version.

use super::{IntelligenceApi, concerns, decode, store_status};
use crate::access::Access;
use orca_proto::convert::package_from_proto;
use orca_proto::v1;
use tonic::Status;

/// `GetPackage` for an admitted caller.
pub(super) async fn get(
    api: &IntelligenceApi,
    access: &Access,
    request: v1::GetPackageRequest,
) -> Result<v1::GetPackageResponse, Status> {
    let version = (request.version != 0).then_some(request.version);
    let resource = match version {
        Some(v) => format!("package:{}@{v}", request.package_id),
        None => format!("package:{}", request.package_id),
    };
    let not_found = || Status::not_found(format!("no package `{}` is shared with you", request.package_id));
    if access.caller.retailer().is_some() {
        api.gate.audit(access, "read-package", &resource, "denied", "retailer key".into()).await?;
        return Err(Status::permission_denied("packages are for force users and analysts"));
    }
    let store = api.gate.store();
    let Some(row) = store.package(&request.package_id, version).await.map_err(store_status)? else {
        return Err(api.refused(access, "read-package", &resource, not_found()).await);
    };
    let package = decode(&row.body)?;
    if let Some(force) = access.force() {
        if !concerns(&package, force) {
            // Not shared with this force: answered as "not found" so ids reveal nothing.
            let detail = format!("not shared with `{force}`");
            api.gate.audit(access, "read-package", &resource, "denied", detail).await?;
            return Err(not_found());
        }
        // A read of the latest has nothing newer to look up.
        if version.is_some()
            && let Some((latest, status)) = taken_back(api, &package, force).await?
        {
            let detail = format!("superseded by version {latest}: {}", status.message());
            api.gate.audit(access, "read-package", &resource, "denied", detail).await?;
            return Err(status);
        }
    }
    let compare = match request.compare_to_version {
        0 => package.version.saturating_sub(1),
        earlier if earlier >= package.version => {
            let status = Status::invalid_argument(format!(
                "`compare_to_version` {earlier} is not earlier than version {}",
                package.version
            ));
            return Err(api.refused(access, "read-package", &resource, status).await);
        }
        earlier => earlier,
    };
    let mut changes = None;
    if compare > 0 {
        match shared_version(api, &package.package_id, compare, access.force()).await? {
            Some(earlier) => changes = compare_versions(&earlier, &package),
            // The version before simply was not the force's: the package is new to it.
            None if request.compare_to_version == 0 => {}
            None => {
                let status =
                    Status::not_found(format!("version {compare} of `{}` is not shared with you", package.package_id));
                return Err(api.refused(access, "read-package", &resource, status).await);
            }
        }
    }
    let resource = format!("package:{}@{}", package.package_id, package.version);
    let detail = changes.as_ref().map(|c| format!("changes from @{}", c.from_version)).unwrap_or_default();
    api.gate.audit(access, "read-package", &resource, "disclosed", detail).await?;
    Ok(v1::GetPackageResponse { package: Some(package), changes })
}

/// Why a force may no longer read `package` (an earlier version), with the latest version's
/// number, or `None` when it may.
async fn taken_back(
    api: &IntelligenceApi,
    package: &v1::IntelligencePackage,
    force: &str,
) -> Result<Option<(u32, Status)>, Status> {
    let Some(row) = api.gate.store().package(&package.package_id, None).await.map_err(store_status)? else {
        return Ok(None);
    };
    if row.version <= package.version {
        return Ok(None);
    }
    let latest = decode(&row.body)?;
    let status = if latest.withdrawn {
        Status::failed_precondition(format!(
            "`{}` was withdrawn in version {}: earlier versions are no longer disclosed; read the latest",
            package.package_id, latest.version
        ))
    } else if !concerns(&latest, force) {
        Status::not_found(format!("no package `{}` is shared with you", package.package_id))
    } else {
        return Ok(None);
    };
    Ok(Some((latest.version, status)))
}

/// Version `version` of a package, if it exists and (for a force) concerned `force`.
pub(super) async fn shared_version(
    api: &IntelligenceApi,
    package_id: &str,
    version: u32,
    force: Option<&str>,
) -> Result<Option<v1::IntelligencePackage>, Status> {
    let Some(row) = api.gate.store().package(package_id, Some(version)).await.map_err(store_status)? else {
        return Ok(None);
    };
    let package = decode(&row.body)?;
    Ok(force.is_none_or(|force| concerns(&package, force)).then_some(package))
}

/// What changed from `earlier` to `later`; `None` (logged) when they cannot be compared: the
/// later version is still disclosed, without its changes.
pub(super) fn compare_versions(
    earlier: &v1::IntelligencePackage,
    later: &v1::IntelligencePackage,
) -> Option<v1::PackageChanges> {
    changes_between(earlier, later)
        .inspect_err(|status| tracing::error!(package = %later.package_id, %status, "cannot compare versions"))
        .ok()
}

/// What changed from `earlier` to `later`, on the wire.
fn changes_between(
    earlier: &v1::IntelligencePackage,
    later: &v1::IntelligencePackage,
) -> Result<v1::PackageChanges, Status> {
    let model = |package: &v1::IntelligencePackage| {
        package_from_proto(package.clone()).map_err(|e| Status::from(crate::error::IntelError::corrupt("package", e)))
    };
    let changes = orca_packages::changes(&model(earlier)?, &model(later)?)
        .into_iter()
        .map(|change| v1::PackageChange { kind: change.kind.to_owned(), about: change.about, detail: change.detail })
        .collect();
    Ok(v1::PackageChanges { from_version: earlier.version, to_version: later.version, changes })
}
