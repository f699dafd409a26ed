//! What the linker remembers of each package it emitted: the version, a hash of the content and the
//! header a withdrawal notice needs. Packages themselves are large (every offence with its evidence)
//! and live downstream on the packages topic; keeping only a fingerprint keeps the linker's memory
//! and its stored state small.

use crate::linker::Linker;
use orca_model::PackageId;
use orca_model::package::IntelligencePackage;
use orca_packages::withdrawn_package;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct EmittedPackage {
    pub version: u32,
    /// FNV-1a of the package's JSON with version 0: equal hashes mean the same content.
    pub content: String,
    pub withdrawn: bool,
    pub offences: u32,
    /// The package without its lists: what a withdrawal notice repeats.
    pub header: IntelligencePackage,
}

/// A fingerprint of a package's content; call it before the package is numbered (version 0).
pub(crate) fn content_hash(package: &IntelligencePackage) -> String {
    debug_assert_eq!(package.version, 0, "hash packages before numbering them");
    let mut hasher = orca_model::hash::Fnv1a64::new();
    serde_json::to_writer(&mut hasher, package).expect("packages serialise to json");
    format!("{:016x}", hasher.finish())
}

/// The package without its lists (cloning only the small fields).
fn header(package: &IntelligencePackage) -> IntelligencePackage {
    IntelligencePackage {
        id: package.id.clone(),
        version: package.version,
        subject_kind: package.subject_kind,
        subject_id: package.subject_id.clone(),
        title: package.title.clone(),
        security_marking: package.security_marking.clone(),
        grade: package.grade.clone(),
        lead_force: package.lead_force.clone(),
        affected_forces: package.affected_forces.clone(),
        nim_level: package.nim_level,
        total_loss_pence: package.total_loss_pence,
        corridor: package.corridor.clone(),
        first_seen: package.first_seen,
        last_seen: package.last_seen,
        provenance: package.provenance.clone(),
        as_of: package.as_of,
        ..IntelligencePackage::default()
    }
}

impl Linker {
    /// Emits a package when its content differs from the last version, numbering it.
    pub(crate) fn offer(&mut self, mut package: IntelligencePackage, emitted: &mut Vec<IntelligencePackage>) {
        let content = content_hash(&package);
        let previous = self.packages.get(&package.id);
        if previous.is_some_and(|p| p.content == content) {
            return;
        }
        package.version = previous.map_or(1, |p| p.version + 1);
        let record = EmittedPackage {
            version: package.version,
            content,
            withdrawn: false,
            offences: package.offences.len() as u32,
            header: header(&package),
        };
        self.dirty_packages.insert(package.id.clone());
        self.packages.insert(package.id.clone(), record);
        emitted.push(package);
    }

    /// Tells every recipient that a package no longer stands (once).
    pub(crate) fn withdraw(&mut self, id: &PackageId, reason: &str, emitted: &mut Vec<IntelligencePackage>) {
        let Some(previous) = self.packages.get(id).filter(|p| !p.withdrawn) else { return };
        let mut notice = withdrawn_package(&previous.header, reason);
        notice.version = 0;
        let content = content_hash(&notice);
        notice.version = previous.version + 1;
        let record =
            EmittedPackage { version: notice.version, content, withdrawn: true, offences: 0, header: notice.clone() };
        self.dirty_packages.insert(id.clone());
        self.packages.insert(id.clone(), record);
        emitted.push(notice);
    }
}
