//! Indexes package versions from `orca.packages.v1` for the intelligence surface.

use orca_eventlog::topics;
use orca_proto::v1;
use orca_stage::{Batch, DeadLetter, Record, Stage};
use orca_store::PackageRecord;
use prost::Message;

pub const STAGE_NAME: &str = "intel";

#[derive(Debug, Default)]
pub struct IntelStage;

impl IntelStage {
    fn index(record: &Record) -> Result<PackageRecord, String> {
        let package = v1::IntelligencePackage::decode(record.value.as_slice())
            .map_err(|e| format!("not an `orca.v1.IntelligencePackage`: {e}"))?;
        if package.package_id.is_empty() || package.version == 0 || package.lead_force.is_empty() {
            return Err("package needs `package_id`, `version` and `lead_force`".to_owned());
        }
        let summary = summarise(&package);
        let mut forces = package.affected_forces.clone();
        forces.push(package.lead_force.clone());
        Ok(PackageRecord {
            package_id: package.package_id.clone(),
            version: package.version,
            lead_force: package.lead_force.clone(),
            forces,
            summary: summary.encode_to_vec(),
            body: record.value.clone(),
        })
    }
}

/// The listing line of a package.
pub fn summarise(package: &v1::IntelligencePackage) -> v1::PackageSummary {
    v1::PackageSummary {
        package_id: package.package_id.clone(),
        version: package.version,
        subject_kind: package.subject_kind,
        title: package.title.clone(),
        lead_force: package.lead_force.clone(),
        affected_forces: package.affected_forces.clone(),
        nim_level: package.nim_level,
        priority_band: package.score.as_ref().map(|s| s.priority_band.clone()).unwrap_or_default(),
        subject_count: package.subjects.len() as u32,
        offence_count: package.offences.len() as u32,
        total_loss_pence: package.total_loss_pence,
        withdrawn: package.withdrawn,
    }
}

impl Stage for IntelStage {
    fn name(&self) -> &'static str {
        STAGE_NAME
    }

    fn input_topics(&self) -> Vec<String> {
        vec![topics::PACKAGES.to_owned()]
    }

    fn process(&mut self, records: &[Record]) -> Batch {
        let mut batch = Batch::default();
        for record in records {
            match Self::index(record) {
                Ok(package) => batch.packages.push(package),
                Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error }),
            }
        }
        batch
    }
}
