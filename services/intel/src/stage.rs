//! Indexes package versions from `orca.packages.v1` for the intelligence surface.

use crate::packages::{PackagesPublished, priority_rank};
use orca_eventlog::topics;
use orca_proto::v1;
use orca_stage::{Batch, DeadLetter, Record, Stage};
use orca_store::PackageRecord;
use pbjson_types::Timestamp;
use prost::Message;

pub const STAGE_NAME: &str = "intel";
/// What the intel stage reads: the packages the linker publishes.
pub const INPUT_TOPICS: [&str; 1] = [topics::PACKAGES];

/// Indexes package versions and, after each commit, wakes the open package streams.
#[derive(Debug, Default)]
pub struct IntelStage {
    published: PackagesPublished,
    /// Whether the batch being committed indexed a package.
    indexed: bool,
}

impl IntelStage {
    pub fn new(published: PackagesPublished) -> Self {
        Self { published, indexed: false }
    }

    fn index(record: &Record) -> Result<PackageRecord, String> {
        let package = v1::IntelligencePackage::decode(record.value.as_slice())
            .map_err(|e| format!("not an `orca.v1.IntelligencePackage`: {e}"))?;
        if package.package_id.is_empty() || package.version == 0 || package.lead_force.is_empty() {
            return Err("package needs `package_id`, `version` and `lead_force`".to_owned());
        }
        Ok(package_record(&package, record.value.clone(), record.timestamp_ms))
    }
}

/// The row that indexes one package version (`body` is its encoding), published at
/// `changed_at_ms`.
pub fn package_record(package: &v1::IntelligencePackage, body: Vec<u8>, changed_at_ms: i64) -> PackageRecord {
    let mut summary = summarise(package);
    summary.changed_at = Some(Timestamp { seconds: changed_at_ms.div_euclid(1000), nanos: 0 });
    let mut forces = package.affected_forces.clone();
    forces.push(package.lead_force.clone());
    let band = package.score.as_ref().map_or("", |s| s.priority_band.as_str());
    let last_seen = package.last_seen.or(package.as_of).unwrap_or_default();
    PackageRecord {
        package_id: package.package_id.clone(),
        version: package.version,
        lead_force: package.lead_force.clone(),
        forces,
        summary: summary.encode_to_vec(),
        body,
        priority_rank: priority_rank(band),
        withdrawn: package.withdrawn,
        last_seen_ms: last_seen.seconds.saturating_mul(1000),
        changed_at_ms,
        cited_incidents: crate::history::cited_incidents(package),
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
        first_seen: package.first_seen,
        last_seen: package.last_seen,
        changed_at: None,
        lead: false,
    }
}

impl Stage for IntelStage {
    fn name(&self) -> &'static str {
        STAGE_NAME
    }

    fn input_topics(&self) -> Vec<String> {
        INPUT_TOPICS.map(str::to_owned).to_vec()
    }

    fn process(&mut self, records: &[Record]) -> Batch {
        let mut batch = Batch::default();
        // Empty values are versions the log's compaction erased (a later version of the package
        // supersedes each): nothing to index.
        for record in records.iter().filter(|r| !r.value.is_empty()) {
            match Self::index(record) {
                Ok(package) => batch.packages.push(package),
                Err(error) => batch.dead_letters.push(DeadLetter { record: record.clone(), error }),
            }
        }
        self.indexed = !batch.packages.is_empty();
        batch
    }

    fn package_history(&self) -> Option<&dyn orca_stage::PackageHistory> {
        Some(&crate::history::StoredPackages)
    }

    fn committed(&mut self) {
        if std::mem::take(&mut self.indexed) {
            self.published.notify();
        }
    }
}
