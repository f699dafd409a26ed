// Shared by several benchmark binaries, each of which uses part of it.
#![allow(dead_code)]

//! Clustering quality against ground truth: pairwise precision/recall/F1 and B-cubed.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Clone, Copy, Debug, Default)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Scores {
    fn of(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        Self { precision, recall, f1 }
    }
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P {:.4}  R {:.4}  F1 {:.4}", self.precision, self.recall, self.f1)
    }
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Pairwise scores of a predicted clustering against the truth, over the same items.
pub fn pairwise<P: Hash + Eq + Clone, T: Hash + Eq + Clone>(items: &[(P, T)]) -> (Scores, PairCounts) {
    let mut predicted: HashMap<&P, u64> = HashMap::new();
    let mut truth: HashMap<&T, u64> = HashMap::new();
    let mut both: HashMap<(&P, &T), u64> = HashMap::new();
    for (p, t) in items {
        *predicted.entry(p).or_default() += 1;
        *truth.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    let predicted_pairs: u64 = predicted.values().map(|&n| pairs(n)).sum();
    let true_pairs: u64 = truth.values().map(|&n| pairs(n)).sum();
    let true_positive: u64 = both.values().map(|&n| pairs(n)).sum();
    let precision = if predicted_pairs == 0 { 1.0 } else { true_positive as f64 / predicted_pairs as f64 };
    let recall = if true_pairs == 0 { 1.0 } else { true_positive as f64 / true_pairs as f64 };
    (Scores::of(precision, recall), PairCounts { predicted_pairs, true_pairs, true_positive })
}

#[derive(Clone, Copy, Debug, Default)]
pub struct PairCounts {
    pub predicted_pairs: u64,
    pub true_pairs: u64,
    pub true_positive: u64,
}

/// B-cubed precision and recall, averaged over items.
pub fn b_cubed<P: Hash + Eq + Clone, T: Hash + Eq + Clone>(items: &[(P, T)]) -> Scores {
    let mut predicted: HashMap<&P, u64> = HashMap::new();
    let mut truth: HashMap<&T, u64> = HashMap::new();
    let mut both: HashMap<(&P, &T), u64> = HashMap::new();
    for (p, t) in items {
        *predicted.entry(p).or_default() += 1;
        *truth.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (p, t) in items {
        let shared = both[&(p, t)] as f64;
        precision += shared / predicted[p] as f64;
        recall += shared / truth[t] as f64;
    }
    let n = items.len().max(1) as f64;
    Scores::of(precision / n, recall / n)
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
