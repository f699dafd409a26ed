//! The audit log's hash chain: what makes an edited, deleted, inserted or truncated entry visible.
//!
//! Every entry stores the hash of the entry before it (`prev_hash`) and its own `hash`, the
//! SHA-256 of the previous hash and of the entry's fields (each length-prefixed, so no two
//! different entries encode alike). The first entry follows [`GENESIS`]. Entries are numbered
//! without gaps (`seq` 1, 2, 3, …), so a deleted entry leaves a hole.
//!
//! A chain alone cannot show that its newest entries were cut off, or that someone with write
//! access rebuilt the whole table with fresh hashes. [`Anchor`]s can: now and then the chain head
//! (`seq`, `hash`) is copied outside the table (a file, a log topic), and [`ChainVerifier`] checks
//! that every anchor is still on the chain.
//!
//! Databases written before the chain existed keep their old entries with an empty hash; they may
//! only come before the first chained entry, and are counted as unverifiable.

use crate::AuditRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The `prev_hash` of the first chained entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of `record` following `prev_hash` (hex SHA-256). `record.hash` and `record.prev_hash`
/// are not part of it.
pub fn entry_hash(prev_hash: &str, record: &AuditRecord) -> String {
    let mut hasher = Sha256::new();
    let seq = record.seq.to_string();
    let at_ms = record.at_ms.to_string();
    let fields: [&str; 10] = [
        prev_hash,
        &seq,
        &at_ms,
        &record.principal,
        &record.principal_kind,
        &record.action,
        &record.resource,
        &record.purpose,
        &record.outcome,
        &record.detail,
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A chain head copied outside the audit table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    /// When it was copied.
    pub at_ms: i64,
}

/// The first thing wrong with the audit log, naming the entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainProblem {
    /// The entry's content no longer matches its hash: it was edited.
    Edited { seq: i64 },
    /// Entries are missing: the log jumps from `after` to `next`.
    Missing { after: i64, next: i64 },
    /// The entry does not follow the one before it: something was inserted, re-ordered, or the
    /// entries before it were deleted and renumbered.
    Broken { seq: i64 },
    /// An entry without a hash after chained entries: written around the store.
    Unchained { seq: i64 },
    /// An anchor names an entry whose hash is now different: the log was rewritten.
    AnchorDiffers { seq: i64, anchored: String, found: String },
    /// The log ends before an anchored entry: its newest entries were deleted or it was truncated.
    Truncated { last: Option<i64>, anchored: i64 },
}

impl ChainProblem {
    /// The entry the problem is first seen at.
    pub fn first_bad_seq(&self) -> i64 {
        match self {
            ChainProblem::Edited { seq }
            | ChainProblem::Broken { seq }
            | ChainProblem::Unchained { seq }
            | ChainProblem::AnchorDiffers { seq, .. } => *seq,
            ChainProblem::Missing { after, .. } => after + 1,
            ChainProblem::Truncated { last, .. } => last.unwrap_or(0) + 1,
        }
    }
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainProblem::Edited { seq } => {
                write!(f, "entry {seq} was changed: its content no longer matches its hash")
            }
            ChainProblem::Missing { after, next } => {
                write!(f, "entry {} is missing: the log jumps from entry {after} to entry {next}", after + 1)
            }
            ChainProblem::Broken { seq } => write!(
                f,
                "entry {seq} does not follow the entry before it: an entry was inserted, moved, or earlier entries \
                 were deleted and renumbered"
            ),
            ChainProblem::Unchained { seq } => {
                write!(f, "entry {seq} has no hash although earlier entries do: it was written around ORCA")
            }
            ChainProblem::AnchorDiffers { seq, anchored, found } => write!(
                f,
                "entry {seq} differs from its anchor (anchored hash {anchored}, now {found}): the log was rewritten"
            ),
            ChainProblem::Truncated { last: Some(last), anchored } => write!(
                f,
                "entry {} is missing: the log ends at entry {last} but entry {anchored} was anchored (entries were \
                 deleted from the end or the table truncated)",
                last + 1
            ),
            ChainProblem::Truncated { last: None, anchored } => write!(
                f,
                "entry 1 is missing: the log is empty but entry {anchored} was anchored (the table was truncated)"
            ),
        }
    }
}

/// What a verification that found nothing wrong covered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainSummary {
    /// Chained entries checked.
    pub entries: u64,
    /// Entries from before the chain existed (not verifiable).
    pub unchained: u64,
    /// The newest entry's `seq` and hash.
    pub head: Option<(i64, String)>,
    /// Anchors found on the chain.
    pub anchors_checked: usize,
}

/// Checks the audit log entry by entry, oldest first (it can be fed in pages), against anchors.
#[derive(Debug)]
pub struct ChainVerifier {
    /// Anchors not yet reached, newest first (so the next is at the end).
    pending: Vec<Anchor>,
    summary: ChainSummary,
    last_seq: Option<i64>,
    last_hash: Option<String>,
}

impl ChainVerifier {
    pub fn new(mut anchors: Vec<Anchor>) -> Self {
        anchors.sort_by_key(|anchor| std::cmp::Reverse(anchor.seq));
        anchors.dedup_by(|a, b| a.seq == b.seq && a.hash == b.hash);
        Self { pending: anchors, summary: ChainSummary::default(), last_seq: None, last_hash: None }
    }

    /// Checks the next entry; the first problem ends the verification.
    pub fn check(&mut self, record: &AuditRecord) -> Result<(), ChainProblem> {
        let expected_seq = self.last_seq.map_or(1, |last| last + 1);
        if record.hash.is_empty() {
            if self.last_hash.is_some() {
                return Err(ChainProblem::Unchained { seq: record.seq });
            }
            // Entries from before the chain: gaps among them cannot be told from rolled-back inserts.
            self.summary.unchained += 1;
            self.last_seq = Some(record.seq);
            return Ok(());
        }
        if record.seq > expected_seq {
            return Err(ChainProblem::Missing { after: expected_seq - 1, next: record.seq });
        }
        let prev = self.last_hash.as_deref().unwrap_or(GENESIS);
        if record.seq < expected_seq || record.prev_hash != prev {
            return Err(ChainProblem::Broken { seq: record.seq });
        }
        if entry_hash(&record.prev_hash, record) != record.hash {
            return Err(ChainProblem::Edited { seq: record.seq });
        }
        while let Some(anchor) = self.pending.last() {
            if anchor.seq > record.seq {
                break;
            }
            let anchor = self.pending.pop().expect("just seen");
            if anchor.seq == record.seq {
                if anchor.hash != record.hash {
                    return Err(ChainProblem::AnchorDiffers {
                        seq: anchor.seq,
                        anchored: anchor.hash,
                        found: record.hash.clone(),
                    });
                }
                self.summary.anchors_checked += 1;
            }
            // An anchor below the chain's start names an entry from before the chain: nothing to
            // compare (every seq at or after the first chained entry is visited).
        }
        self.summary.entries += 1;
        self.last_seq = Some(record.seq);
        self.last_hash = Some(record.hash.clone());
        Ok(())
    }

    /// Ends the verification: anchors past the last entry mean entries were cut off.
    pub fn finish(mut self) -> Result<ChainSummary, ChainProblem> {
        if let Some(anchor) = self.pending.first() {
            return Err(ChainProblem::Truncated { last: self.last_seq, anchored: anchor.seq });
        }
        self.summary.head = self.last_seq.zip(self.last_hash.take());
        Ok(self.summary)
    }
}

/// Verifies the whole audit log of `store` against `anchors`, a page at a time; `progress` hears
/// how many entries have been read. The outer error is the store's; the inner one the chain's.
pub async fn verify_store(
    store: &dyn crate::Store,
    anchors: Vec<Anchor>,
    mut progress: impl FnMut(u64),
) -> crate::Result<Result<ChainSummary, ChainProblem>> {
    const PAGE: u32 = 10_000;
    let mut verifier = ChainVerifier::new(anchors);
    let (mut after, mut read) = (0, 0u64);
    loop {
        let page = store.audit(after, PAGE).await?;
        for record in &page {
            if let Err(problem) = verifier.check(record) {
                return Ok(Err(problem));
            }
        }
        read += page.len() as u64;
        progress(read);
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.seq,
            _ => return Ok(verifier.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(len: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=len)
            .map(|seq| {
                let mut record = AuditRecord {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    principal: "key-1".into(),
                    principal_kind: "force:kent".into(),
                    action: "read-package".into(),
                    resource: format!("package:PKG-{seq}"),
                    purpose: "triage of new packages".into(),
                    outcome: "disclosed".into(),
                    detail: String::new(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                record.hash = entry_hash(&prev, &record);
                prev = record.hash.clone();
                record
            })
            .collect()
    }

    fn verify(records: &[AuditRecord], anchors: Vec<Anchor>) -> Result<ChainSummary, ChainProblem> {
        let mut verifier = ChainVerifier::new(anchors);
        for record in records {
            verifier.check(record)?;
        }
        verifier.finish()
    }

    fn anchor(record: &AuditRecord) -> Anchor {
        Anchor { seq: record.seq, hash: record.hash.clone(), at_ms: 0 }
    }

    #[test]
    fn an_untouched_chain_verifies_with_its_anchors() {
        let records = chain(10);
        let summary = verify(&records, vec![anchor(&records[3]), anchor(&records[9])]).unwrap();
        assert_eq!(summary.entries, 10);
        assert_eq!(summary.anchors_checked, 2);
        assert_eq!(summary.head, Some((10, records[9].hash.clone())));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut records = chain(10);
        records[4].purpose = "something else".into();
        assert_eq!(verify(&records, vec![]), Err(ChainProblem::Edited { seq: 5 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut records = chain(10);
        records.remove(6);
        let problem = verify(&records, vec![]).unwrap_err();
        assert_eq!(problem, ChainProblem::Missing { after: 6, next: 8 });
        assert_eq!(problem.first_bad_seq(), 7);
        assert!(problem.to_string().starts_with("entry 7 is missing"), "{problem}");
        let records = chain(10);
        assert_eq!(verify(&records[2..], vec![]), Err(ChainProblem::Missing { after: 0, next: 3 }));
    }

    #[test]
    fn an_entry_rehashed_after_editing_breaks_the_link_to_the_next() {
        let mut records = chain(10);
        records[2].detail = "rewritten".into();
        records[2].hash = entry_hash(&records[2].prev_hash, &records[2]);
        assert_eq!(verify(&records, vec![]), Err(ChainProblem::Broken { seq: 4 }));
    }

    #[test]
    fn an_inserted_entry_is_named() {
        let mut records = chain(5);
        let mut forged = records[2].clone();
        forged.seq = 3;
        records.insert(3, forged);
        assert_eq!(verify(&records, vec![]), Err(ChainProblem::Broken { seq: 3 }));
    }

    #[test]
    fn cutting_off_the_newest_entries_is_found_by_an_anchor() {
        let records = chain(10);
        let anchors = vec![anchor(&records[9])];
        assert_eq!(
            verify(&records[..7], anchors.clone()),
            Err(ChainProblem::Truncated { last: Some(7), anchored: 10 })
        );
        let problem = verify(&[], anchors).unwrap_err();
        assert_eq!(problem.first_bad_seq(), 1);
        assert!(problem.to_string().contains("truncated"), "{problem}");
    }

    #[test]
    fn a_chain_rebuilt_from_scratch_differs_from_its_anchors() {
        let records = chain(10);
        let anchors = vec![anchor(&records[4])];
        let mut rebuilt = chain(10);
        rebuilt.remove(2);
        let mut prev = GENESIS.to_owned();
        for (index, record) in rebuilt.iter_mut().enumerate() {
            record.seq = index as i64 + 1;
            record.prev_hash = prev.clone();
            record.hash = entry_hash(&prev, record);
            prev = record.hash.clone();
        }
        assert!(matches!(verify(&rebuilt, anchors), Err(ChainProblem::AnchorDiffers { seq: 5, .. })));
    }

    #[test]
    fn entries_from_before_the_chain_may_only_come_first() {
        let mut records = chain(4);
        let template = records[0].clone();
        let legacy = |seq| AuditRecord { seq, hash: String::new(), prev_hash: String::new(), ..template.clone() };
        let mut with_legacy = vec![legacy(1), legacy(2)];
        for record in &mut records {
            record.seq += 2;
        }
        // Re-chain after the legacy entries (the first chained entry follows GENESIS).
        let mut prev = GENESIS.to_owned();
        for record in &mut records {
            record.prev_hash = prev.clone();
            record.hash = entry_hash(&prev, record);
            prev = record.hash.clone();
        }
        with_legacy.extend(records.iter().cloned());
        let summary = verify(&with_legacy, vec![]).unwrap();
        assert_eq!((summary.unchained, summary.entries), (2, 4));

        with_legacy.push(legacy(7));
        assert_eq!(verify(&with_legacy, vec![]), Err(ChainProblem::Unchained { seq: 7 }));
    }
}
