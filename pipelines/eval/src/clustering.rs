//! Quality of a clustering of items (sightings) into entities (persons or vehicles), against the
//! true clustering.
//!
//! Inputs are `(item key, cluster label)` lists; keys are generic so the caller can use
//! `"incident#index"` strings or typed sighting keys. Which items are scored:
//! - The truth defines the items. An item in the truth but missing from the prediction is scored as
//!   its own singleton predicted cluster (the system said nothing about it, so it linked it to
//!   nothing), and [`Coverage::missing_from_prediction`] counts them.
//! - A predicted item absent from the truth is ignored by every score and counted in
//!   [`Coverage::not_in_truth`]; it can neither help nor hurt, but it is visible.
//! - An item listed twice on either side is an error ([`EvalError::DuplicateItem`]).
//!
//! Pairwise scores count unordered pairs of items: a true pair is two items of one true cluster, a
//! predicted pair two items of one predicted cluster, a correct pair both. B-cubed scores average,
//! over items, the share of the item's predicted cluster that is in its true cluster (precision) and
//! the share of its true cluster that is in its predicted cluster (recall). Both are computed from
//! the contingency table, in O(n) time.

use crate::contingency::Contingency;
use crate::error::{EvalError, Side};
use crate::scores::{f1, pairs, ratio_or_one};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::fmt::Debug;
use std::hash::Hash;

/// Pairwise precision, recall and F1 with the pair counts behind them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairwiseScores {
    /// `correct_pairs / predicted_pairs`; 1.0 when no pair was predicted.
    pub precision: f64,
    /// `correct_pairs / true_pairs`; 1.0 when the truth has no pair.
    pub recall: f64,
    pub f1: f64,
    pub true_pairs: u64,
    /// Predicted pairs among the items of the truth.
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
}

/// B-cubed precision, recall and F1 (item-averaged).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BCubedScores {
    /// Mean over items of |predicted cluster ∩ true cluster| / |predicted cluster|; 1.0 with no items.
    pub precision: f64,
    /// Mean over items of |predicted cluster ∩ true cluster| / |true cluster|; 1.0 with no items.
    pub recall: f64,
    pub f1: f64,
}

/// How the prediction covers the truth's items.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Items in the truth: the items every score is computed over.
    pub truth_items: u64,
    /// Items in the prediction, including those not in the truth.
    pub predicted_items: u64,
    /// Truth items the prediction does not mention; each is scored as a singleton cluster.
    pub missing_from_prediction: u64,
    /// Predicted items the truth does not mention; ignored by every score.
    pub not_in_truth: u64,
}

/// Every clustering figure for one kind of entity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusteringReport {
    pub coverage: Coverage,
    /// Distinct true clusters.
    pub true_entities: u64,
    /// Distinct predicted clusters over the truth's items, counting each missing item as one.
    pub predicted_entities: u64,
    pub pairwise: PairwiseScores,
    pub bcubed: BCubedScores,
}

/// The truth's items with their true and predicted cluster, as a contingency table.
#[derive(Clone, Debug, PartialEq)]
pub struct AlignedClustering {
    pub contingency: Contingency,
    pub coverage: Coverage,
}

/// Lines up the prediction with the truth by item key (see the module docs for the rules).
pub fn align<K, T, P>(truth: &[(K, T)], predicted: &[(K, P)]) -> Result<AlignedClustering, EvalError>
where
    K: Hash + Eq + Debug,
    T: Hash + Eq,
    P: Hash + Eq,
{
    let mut predicted_label_ids: FxHashMap<&P, usize> = FxHashMap::default();
    let mut predicted_cluster_of: FxHashMap<&K, usize> = FxHashMap::default();
    predicted_cluster_of.reserve(predicted.len());
    for (key, label) in predicted {
        let next_id = predicted_label_ids.len();
        let cluster = *predicted_label_ids.entry(label).or_insert(next_id);
        if predicted_cluster_of.insert(key, cluster).is_some() {
            return Err(EvalError::DuplicateItem { side: Side::Prediction, key: format!("{key:?}") });
        }
    }

    // Missing items get cluster ids past every predicted label, one each.
    let mut next_singleton = predicted_label_ids.len();
    let mut seen: FxHashSet<&K> = FxHashSet::default();
    seen.reserve(truth.len());
    let mut label_pairs = Vec::with_capacity(truth.len());
    let mut missing = 0u64;
    for (key, true_label) in truth {
        if !seen.insert(key) {
            return Err(EvalError::DuplicateItem { side: Side::Truth, key: format!("{key:?}") });
        }
        let cluster = match predicted_cluster_of.get(key) {
            Some(&cluster) => cluster,
            None => {
                missing += 1;
                next_singleton += 1;
                next_singleton - 1
            }
        };
        label_pairs.push((true_label, cluster));
    }

    let truth_items = truth.len() as u64;
    let found = truth_items - missing;
    let coverage = Coverage {
        truth_items,
        predicted_items: predicted.len() as u64,
        missing_from_prediction: missing,
        not_in_truth: predicted.len() as u64 - found,
    };
    Ok(AlignedClustering { contingency: Contingency::from_label_pairs(label_pairs), coverage })
}

impl PairwiseScores {
    pub fn from_contingency(table: &Contingency) -> Self {
        let true_pairs: u64 = table.row_sums().iter().map(|&size| pairs(size)).sum();
        let predicted_pairs: u64 = table.column_sums().iter().map(|&size| pairs(size)).sum();
        let correct_pairs: u64 = table.cells().iter().map(|cell| pairs(cell.count)).sum();
        let precision = ratio_or_one(correct_pairs as f64, predicted_pairs as f64);
        let recall = ratio_or_one(correct_pairs as f64, true_pairs as f64);
        Self { precision, recall, f1: f1(precision, recall), true_pairs, predicted_pairs, correct_pairs }
    }
}

impl BCubedScores {
    pub fn from_contingency(table: &Contingency) -> Self {
        // Every item of cell (i, j) has precision n_ij / |column j| and recall n_ij / |row i|, so the
        // cell contributes n_ij² divided by the margin.
        let (mut precision_sum, mut recall_sum) = (0.0, 0.0);
        for cell in table.cells() {
            let squared = (cell.count as f64) * (cell.count as f64);
            precision_sum += squared / table.column_sums()[cell.column] as f64;
            recall_sum += squared / table.row_sums()[cell.row] as f64;
        }
        let items = table.items() as f64;
        let precision = ratio_or_one(precision_sum, items);
        let recall = ratio_or_one(recall_sum, items);
        Self { precision, recall, f1: f1(precision, recall) }
    }
}

/// Every clustering figure: coverage, entity counts, pairwise and B-cubed scores.
pub fn evaluate_clustering<K, T, P>(truth: &[(K, T)], predicted: &[(K, P)]) -> Result<ClusteringReport, EvalError>
where
    K: Hash + Eq + Debug,
    T: Hash + Eq,
    P: Hash + Eq,
{
    let aligned = align(truth, predicted)?;
    let table = &aligned.contingency;
    Ok(ClusteringReport {
        true_entities: table.row_sums().len() as u64,
        predicted_entities: table.column_sums().len() as u64,
        pairwise: PairwiseScores::from_contingency(table),
        bcubed: BCubedScores::from_contingency(table),
        coverage: aligned.coverage,
    })
}

/// Pairwise precision, recall and F1 of `predicted` against `truth`.
pub fn pairwise<K, T, P>(truth: &[(K, T)], predicted: &[(K, P)]) -> Result<PairwiseScores, EvalError>
where
    K: Hash + Eq + Debug,
    T: Hash + Eq,
    P: Hash + Eq,
{
    Ok(PairwiseScores::from_contingency(&align(truth, predicted)?.contingency))
}

/// B-cubed precision, recall and F1 of `predicted` against `truth`.
pub fn bcubed<K, T, P>(truth: &[(K, T)], predicted: &[(K, P)]) -> Result<BCubedScores, EvalError>
where
    K: Hash + Eq + Debug,
    T: Hash + Eq,
    P: Hash + Eq,
{
    Ok(BCubedScores::from_contingency(&align(truth, predicted)?.contingency))
}

#[cfg(test)]
mod tests;
