//! The topics of the ORCA pipeline (the README's architecture diagram and "Topics" under operations).

use crate::TopicSpec;

/// Validated, normalised incidents (`orca.v1.Incident`), keyed by incident id; compacted: a
/// report's later revision, its withdrawal or its disposal supersedes it, and a disposal ends with
/// a null tombstone (the incident id with an empty value), so the compacted topic ends up holding
/// nothing of a disposed report.
pub const INCIDENTS: &str = "orca.incidents.v1";
/// Dead letters from every stage, not only ingest's: a submission ingest rejected (its original
/// bytes, keyed by retailer reference, the reason in header `orca-error`) and any record a stage
/// could not decode or process (unchanged, with headers `orca-error`, `orca-stage` and
/// `orca-source-topic`/`-partition`/`-offset`). The name predates the other stages' use; it stays
/// because existing deployments hold records under it.
pub const DEAD_LETTERS: &str = "orca.incidents.dlq.v1";
/// Resolution events (`orca.v1.Resolution`); compacted. A report's resolution (or withdrawal) is
/// keyed by incident id, its relinks by `<incident id>#relink`, merges and splits by what they say
/// and a decision's result by `decision:<id>`, so the latest record under each key carries all that
/// the earlier ones under it did; a disposal ends with null tombstones under the incident's keys,
/// so the compacted topic ends up holding nothing of a disposed report (see the resolver stage).
pub const RESOLUTIONS: &str = "orca.resolutions.v1";
/// Intelligence packages (`orca.v1.IntelligencePackage`), keyed by package id; compacted.
pub const PACKAGES: &str = "orca.packages.v1";
/// Analysts' binding decisions (`orca.v1.AnalystDecision`), keyed by the incident id of the sighting
/// each is about; written by intel, applied by the resolver. Kept for ever, like the incidents.
pub const DECISIONS: &str = "orca.decisions.v1";

/// Outcomes forces recorded against packages (`orca.v1.PackageOutcome`), keyed by package id;
/// written by intel (`IntelligenceService.RecordOutcome`), applied by the linker, which carries them
/// in the package's next version. Kept for ever, like the decisions.
pub const OUTCOMES: &str = "orca.outcomes.v1";

/// The audit log's chain heads (JSON `{"seq", "hash", "at_ms"}`), keyed `audit-chain`; copies kept
/// outside the database so that `orca audit verify` can tell a cut or rebuilt audit table. Kept
/// for ever.
pub const AUDIT_ANCHORS: &str = "orca.audit.anchors.v1";

/// Header naming what kind of record a record of [`INCIDENTS`] is when it is not an
/// `orca.v1.Incident` (a report or its correction): [`WITHDRAWAL`].
pub const RECORD_KIND: &str = "orca-record";
/// [`RECORD_KIND`] of an `orca.v1.IncidentWithdrawal`: the tombstone of a withdrawn report.
pub const WITHDRAWAL: &str = "withdrawal";

/// Whether, when an existing topic becomes compacted, the records it holds already may be erased
/// by key too: not those of [`RESOLUTIONS`], which keyed a relink (and the merges it carried) like
/// its report until the topic was compacted. Only the embedded log changes an existing topic's
/// settings; Kafka's are the operator's.
pub fn compacts_existing(topic: &str) -> bool {
    topic != RESOLUTIONS
}

/// Every pipeline topic.
pub const ALL: [&str; 7] = [INCIDENTS, DEAD_LETTERS, RESOLUTIONS, PACKAGES, DECISIONS, OUTCOMES, AUDIT_ANCHORS];

/// Specs for every pipeline topic; the incidents, resolutions and packages topics are compacted
/// (latest record per key wins, see [`INCIDENTS`], [`RESOLUTIONS`] and [`PACKAGES`]).
pub fn default_specs(partitions: u32, replication: u16) -> Vec<TopicSpec> {
    ALL.iter()
        .map(|name| TopicSpec {
            name: name.to_string(),
            partitions,
            replication,
            compacted: *name == INCIDENTS || *name == RESOLUTIONS || *name == PACKAGES,
            retention_ms: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_incidents_resolutions_and_packages_topics_are_compacted() {
        let specs = default_specs(6, 3);
        assert_eq!(specs.len(), 7);
        assert!(specs.iter().all(|spec| spec.partitions == 6 && spec.replication == 3));
        let compacted: Vec<_> = specs.iter().filter(|spec| spec.compacted).map(|spec| spec.name.as_str()).collect();
        assert_eq!(compacted, [INCIDENTS, RESOLUTIONS, PACKAGES]);
    }
}
