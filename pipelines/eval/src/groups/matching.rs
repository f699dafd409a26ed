//! Jaccard overlaps between true and detected groups, the best detected group for each true one,
//! and a one-to-one matching at the threshold.

use super::MATCH_THRESHOLD;
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Ordering;

/// A detected group's members after mapping: true person ids, plus members that map to no true
/// person. Those still count in the group's size (they are not members of any true group), so a
/// detected group cannot improve its Jaccard by holding persons the truth does not know.
pub(super) struct DetectedMembers<'a> {
    pub known: FxHashSet<&'a str>,
    pub unmapped: u64,
}

impl DetectedMembers<'_> {
    fn size(&self) -> u64 {
        self.known.len() as u64 + self.unmapped
    }
}

/// The overlap of one true group with one detected group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Overlap {
    pub detected: usize,
    pub shared: u64,
    pub union: u64,
}

impl Overlap {
    pub fn jaccard(&self) -> f64 {
        self.shared as f64 / self.union as f64
    }

    pub fn reaches_threshold(&self) -> bool {
        self.jaccard() >= MATCH_THRESHOLD
    }
}

/// For each true group, its overlap with every detected group it shares a member with, in order of
/// detected group. O(total members x groups per person) through a person → detected groups index.
pub(super) fn overlaps(true_sets: &[FxHashSet<&str>], detected: &[DetectedMembers<'_>]) -> Vec<Vec<Overlap>> {
    let mut groups_of_person: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (index, group) in detected.iter().enumerate() {
        for person in &group.known {
            groups_of_person.entry(person).or_default().push(index);
        }
    }
    true_sets
        .iter()
        .map(|members| {
            let mut shared: FxHashMap<usize, u64> = FxHashMap::default();
            for person in members {
                for &index in groups_of_person.get(person).into_iter().flatten() {
                    *shared.entry(index).or_insert(0) += 1;
                }
            }
            let mut row: Vec<Overlap> = shared
                .into_iter()
                .map(|(index, shared)| {
                    let union = members.len() as u64 + detected[index].size() - shared;
                    Overlap { detected: index, shared, union }
                })
                .collect();
            row.sort_unstable_by_key(|overlap| overlap.detected);
            row
        })
        .collect()
}

/// Higher Jaccard first; among equals, the earlier detected group (groups are sorted by id).
fn better(a: &Overlap, b: &Overlap) -> Ordering {
    b.jaccard().total_cmp(&a.jaccard()).then(a.detected.cmp(&b.detected))
}

/// The detected group with the highest Jaccard, if any shares a member.
pub(super) fn best(row: &[Overlap]) -> Option<Overlap> {
    row.iter().min_by(|a, b| better(a, b)).copied()
}

/// Pairs true and detected groups one to one at the threshold, greedily by descending Jaccard (ties
/// by true group, then detected group). A detected group can be credited to one true group only, so
/// detecting the same group twice does not count twice. Returns each true group's partner.
pub(super) fn one_to_one(rows: &[Vec<Overlap>], detected_groups: usize) -> Vec<Option<Overlap>> {
    let mut candidates: Vec<(usize, Overlap)> = rows
        .iter()
        .enumerate()
        .flat_map(|(truth, row)| row.iter().filter(|o| o.reaches_threshold()).map(move |o| (truth, *o)))
        .collect();
    candidates.sort_by(|(truth_a, a), (truth_b, b)| {
        b.jaccard().total_cmp(&a.jaccard()).then(truth_a.cmp(truth_b)).then(a.detected.cmp(&b.detected))
    });
    let mut partner = vec![None; rows.len()];
    let mut detected_taken = vec![false; detected_groups];
    for (truth, overlap) in candidates {
        if partner[truth].is_none() && !detected_taken[overlap.detected] {
            partner[truth] = Some(overlap);
            detected_taken[overlap.detected] = true;
        }
    }
    partner
}
