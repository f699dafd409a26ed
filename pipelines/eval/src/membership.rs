//! Agreement of group membership over persons: ARI, NMI and AMI (see [`crate::agreement`]).
//!
//! Persons are compared as two partitions of one universe:
//! - The universe is every person in some true group or some detected group. Persons in neither are
//!   left out: nobody claims anything about them, and including them would let a crowd of agreeing
//!   "nobodies" dilute every figure.
//! - A person in no group on one side is alone on that side: a singleton cluster, never a shared
//!   "no group" cluster. A shared cluster would be gameable: putting a crowd of innocent persons in
//!   one detected group would make them agree with the truth's "no group" cluster and score as
//!   correct, and missing one true group entirely would score as if it were found (its members would
//!   sit together in the prediction's "no group" cluster, exactly as in the truth).
//!
//! With that choice the easy answers score nothing: detecting no group at all makes every person
//! alone in the prediction (ARI 0, AMI 0); lumping every person into one group gives ARI 0, NMI 0
//! and AMI 0; inventing groups of innocent persons creates pairs the truth does not have, which lowers
//! ARI. NMI alone would still reward detecting nothing (it favours singletons), which is why AMI is
//! reported beside it.
//!
//! A person listed in several groups on one side (overlapping true groups, or two predicted persons
//! that map to one true person but sit in different detected groups) is put in the group that lists
//! them most often, the smallest group id among equals, and counted in `persons_in_several_*`.

use crate::agreement::{adjusted_mutual_information, adjusted_rand_index, normalized_mutual_information};
use crate::contingency::Contingency;
use crate::person_map::majority;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::hash::Hash;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MembershipScores {
    /// Persons in some true or some detected group: the items the indices are computed over.
    pub persons: u64,
    pub persons_in_true_groups: u64,
    pub persons_in_detected_groups: u64,
    pub persons_in_several_true_groups: u64,
    pub persons_in_several_detected_groups: u64,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Normalised mutual information, arithmetic-mean normalisation.
    pub nmi: f64,
    /// Adjusted mutual information, arithmetic-mean normalisation.
    pub ami: f64,
}

/// A person's cluster on one side: a group, or alone (numbered by the person's place in the
/// universe, so no two lone persons share a cluster).
#[derive(Hash, PartialEq, Eq)]
enum Membership<'a, G> {
    Group(&'a G),
    Alone(usize),
}

/// Each person's group, from one `(person, group)` listing per membership, and how many persons
/// were listed in more than one group.
fn group_of_each_person<P, G>(listings: &[(P, G)]) -> (FxHashMap<&P, &G>, u64)
where
    P: Hash + Eq,
    G: Hash + Eq + Ord,
{
    let mut votes: FxHashMap<&P, FxHashMap<&G, u64>> = FxHashMap::default();
    for (person, group) in listings {
        *votes.entry(person).or_default().entry(group).or_insert(0) += 1;
    }
    let in_several = votes.values().filter(|tally| tally.len() > 1).count() as u64;
    let groups = votes
        .into_iter()
        .map(|(person, tally)| (person, majority(tally).expect("every listed person has a group")))
        .collect();
    (groups, in_several)
}

/// ARI, NMI and AMI of detected against true group membership, from `(person, group)` listings on
/// each side. Detected listings must already use true person ids (see
/// [`crate::map_predicted_to_true`]); listing a person twice in one group counts as two votes.
pub fn membership_agreement<P, T, D>(truth: &[(P, T)], detected: &[(P, D)]) -> MembershipScores
where
    P: Hash + Eq + Ord,
    T: Hash + Eq + Ord,
    D: Hash + Eq + Ord,
{
    let (true_group_of, persons_in_several_true_groups) = group_of_each_person(truth);
    let (detected_group_of, persons_in_several_detected_groups) = group_of_each_person(detected);

    let mut universe: Vec<&P> = true_group_of.keys().chain(detected_group_of.keys()).copied().collect();
    universe.sort_unstable();
    universe.dedup();

    let table = Contingency::from_label_pairs(universe.iter().enumerate().map(|(place, person)| {
        let true_membership = true_group_of.get(person).map_or(Membership::Alone(place), |g| Membership::Group(*g));
        let detected_membership =
            detected_group_of.get(person).map_or(Membership::Alone(place), |g| Membership::Group(*g));
        (true_membership, detected_membership)
    }));

    MembershipScores {
        persons: universe.len() as u64,
        persons_in_true_groups: true_group_of.len() as u64,
        persons_in_detected_groups: detected_group_of.len() as u64,
        persons_in_several_true_groups,
        persons_in_several_detected_groups,
        ari: adjusted_rand_index(&table),
        nmi: normalized_mutual_information(&table),
        ami: adjusted_mutual_information(&table),
    }
}

#[cfg(test)]
mod tests;
