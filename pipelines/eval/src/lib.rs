//! Quality metrics of resolution and group detection against ground truth (pure).
//!
//! This crate does no I/O: the caller (the `orca eval` command) reads the truth and what ORCA
//! resolved and detected, turns them into plain keyed lists, and gets figures back. Every figure is
//! reported next to the counts it was computed from, so a score can never hide how little it covers.
//!
//! - [`clustering`]: pairwise and B-cubed precision, recall and F1 of a clustering of items (sightings
//!   into persons or vehicles), in O(n) from contingency counts, with the coverage of the prediction.
//! - [`contingency`]: the contingency table of two labelings of the same items.
//! - [`agreement`]: partition agreement indices over a contingency table: ARI, NMI and AMI.
//! - [`person_map`]: maps each predicted person to the true person most of its sightings belong to.
//! - [`membership`]: ARI, NMI and AMI of group membership over persons.
//! - [`groups`]: true groups matched to detected groups by Jaccard, and the cross-border figures.
//! - [`report`]: the whole report (serialisable for `--json`) and its text rendering.
//! - [`error`]: malformed inputs (duplicate keys, empty true groups).
//!
//! Conventions shared by every module:
//! - A ratio whose denominator is zero is 1.0: nothing was asked, so nothing was wrong. The counts
//!   beside it show that it is vacuous. F1 is the harmonic mean, 0.0 when either side is 0.0, so a
//!   prediction that finds nothing scores precision 1.0, recall 0.0 and F1 0.0, never F1 1.0.
//! - Results are deterministic: every tie is broken by the smallest key.

pub mod agreement;
pub mod clustering;
pub mod contingency;
pub mod error;
pub mod groups;
pub mod membership;
pub mod person_map;
pub mod report;
mod scores;

pub use clustering::{BCubedScores, ClusteringReport, Coverage, PairwiseScores, bcubed, evaluate_clustering, pairwise};
pub use contingency::Contingency;
pub use error::{EvalError, Side};
pub use groups::{CrossBorderScores, Group, GroupsReport, MATCH_THRESHOLD, TrueGroupMatch, evaluate_groups};
pub use membership::{MembershipScores, membership_agreement};
pub use person_map::map_predicted_to_true;
pub use report::{Report, render_text};
