// Shared by several benchmark binaries, each of which uses part of it.
#![allow(dead_code)]

//! Clustering quality against ground truth: pairwise precision/recall/F1 and B-cubed.

use orca_eval::{BCubedScores, Contingency, PairwiseScores};
use std::hash::Hash;

#[derive(Clone, Copy, Debug, Default)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P {:.4}  R {:.4}  F1 {:.4}", self.precision, self.recall, self.f1)
    }
}

/// The items as a contingency table: rows the true entities, columns the predicted ones.
fn table<P: Hash + Eq, T: Hash + Eq>(items: &[(P, T)]) -> Contingency {
    Contingency::from_label_pairs(items.iter().map(|(predicted, truth)| (truth, predicted)))
}

/// Pairwise scores of a predicted clustering against the truth, over the same items (`orca-eval`'s).
pub fn pairwise<P: Hash + Eq + Clone, T: Hash + Eq + Clone>(items: &[(P, T)]) -> (Scores, PairCounts) {
    let scores = PairwiseScores::from_contingency(&table(items));
    let counts = PairCounts {
        predicted_pairs: scores.predicted_pairs,
        true_pairs: scores.true_pairs,
        true_positive: scores.correct_pairs,
    };
    (Scores { precision: scores.precision, recall: scores.recall, f1: scores.f1 }, counts)
}

#[derive(Clone, Copy, Debug, Default)]
pub struct PairCounts {
    pub predicted_pairs: u64,
    pub true_pairs: u64,
    pub true_positive: u64,
}

/// B-cubed precision and recall, averaged over items (`orca-eval`'s).
pub fn b_cubed<P: Hash + Eq + Clone, T: Hash + Eq + Clone>(items: &[(P, T)]) -> Scores {
    let scores = BCubedScores::from_contingency(&table(items));
    Scores { precision: scores.precision, recall: scores.recall, f1: scores.f1 }
}

/// Seconds this thread has spent on a CPU (Linux; `None` elsewhere). The machine is shared, so
/// single-threaded timings are reported both as wall time and as CPU time.
pub fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

/// Seconds the whole process has spent on CPUs, user and system (Linux; `None` elsewhere).
pub fn process_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
