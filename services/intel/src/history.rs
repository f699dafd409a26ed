//! How the intel stage reads and rewrites stored package versions for the runner's history scrub
//! (`orca_stage::history`): decode, take out what was disposed of or erased
//! ([`orca_packages::scrub_version`]), encode, and summarise again.

use crate::stage::summarise;
use orca_model::IncidentId;
use orca_packages::{HistoryScrub, scrub_version};
use orca_proto::convert::{package_from_proto, package_to_proto};
use orca_proto::v1;
use orca_stage::PackageHistory;
use orca_store::{PackageToScrub, ScrubbedPackage};
use prost::Message;

/// The intel stage's [`PackageHistory`].
#[derive(Debug, Default)]
pub struct StoredPackages;

fn decode(body: &[u8]) -> Result<v1::IntelligencePackage, String> {
    v1::IntelligencePackage::decode(body).map_err(|e| format!("not an `orca.v1.IntelligencePackage`: {e}"))
}

/// The reports a package version cites, as its offences name them.
pub fn cited_incidents(package: &v1::IntelligencePackage) -> Vec<String> {
    let mut cited: Vec<String> = package.offences.iter().map(|o| o.incident_id.clone()).collect();
    cited.sort();
    cited.dedup();
    cited
}

impl PackageHistory for StoredPackages {
    fn citations(&self, body: &[u8]) -> Result<Vec<String>, String> {
        Ok(cited_incidents(&decode(body)?))
    }

    fn scrub(&self, stored: &PackageToScrub) -> Result<Option<ScrubbedPackage>, String> {
        let mut package = package_from_proto(decode(&stored.body)?).map_err(|e| e.to_string())?;
        let scrub = HistoryScrub {
            disposed: stored.disposed.iter().map(IncidentId::new).collect(),
            erased: (stored.erased.iter())
                .map(|(incident, person)| (IncidentId::new(incident), person.as_str().into()))
                .collect(),
        };
        if !scrub_version(&mut package, &scrub) {
            return Ok(None);
        }
        let proto = package_to_proto(&package);
        let earlier = v1::PackageSummary::decode(stored.summary.as_slice()).unwrap_or_default();
        let summary = v1::PackageSummary { changed_at: earlier.changed_at, ..summarise(&proto) };
        Ok(Some(ScrubbedPackage {
            summary: summary.encode_to_vec(),
            cited_incidents: cited_incidents(&proto),
            body: proto.encode_to_vec(),
        }))
    }
}
