//! True organised crime groups against the groups ORCA detected.
//!
//! - Matching: each true group's best detected group is the one with the highest Jaccard index on
//!   members (true person ids, after mapping detected members with
//!   [`crate::map_predicted_to_true`]). Recall and precision use a one-to-one matching at
//!   Jaccard ≥ [`MATCH_THRESHOLD`]: recall is the share of true groups matched, precision the share of
//!   detected groups matched. One-to-one is stricter than "every detected group whose best true match
//!   reaches the threshold": without it, detecting one real group ten times would raise precision.
//!   With disjoint groups the two agree except for such duplicates.
//! - Members of a detected group that map to no true person count in its size but match nobody.
//! - Membership: ARI, NMI and AMI over persons ([`crate::membership`]).
//! - Cross-border: a true group is cross-border when it hit two or more forces. It is detected with
//!   all its forces when its matched detected group lists every force it hit. Listing every force in
//!   the country would pass that test, so the precision of the forces listed by matched detected
//!   groups is reported too.

mod matching;

use crate::error::{EvalError, Side};
use crate::membership::{MembershipScores, membership_agreement};
use crate::scores::{f1, ratio_or_one};
use matching::{DetectedMembers, Overlap};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A detected group must share at least this Jaccard index with a true group to match it.
pub const MATCH_THRESHOLD: f64 = 0.5;

/// A group as the evaluation sees it: members and the forces it hit (truth) or lists (detected).
/// True groups list true person ids; detected groups list predicted person ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub members: Vec<String>,
    pub forces: Vec<String>,
}

/// A detected group paired with a true group, and their Jaccard index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DetectedMatch {
    pub detected_group: String,
    pub jaccard: f64,
}

/// How one true group was found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrueGroupMatch {
    pub true_group: String,
    pub members: u64,
    /// Distinct forces the true group hit, sorted.
    pub forces_hit: Vec<String>,
    /// The detected group with the highest Jaccard, whatever its value; none when no detected group
    /// shares a member.
    pub best: Option<DetectedMatch>,
    /// The detected group paired with it in the one-to-one matching at the threshold.
    pub matched: Option<DetectedMatch>,
    /// Whether the matched detected group lists every force the true group hit; none if unmatched.
    pub all_forces_listed: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrossBorderScores {
    /// True groups that hit two or more forces.
    pub true_cross_border_groups: u64,
    /// Of those, the ones matched by a detected group that lists every force they hit.
    pub detected_with_all_forces: u64,
    /// `detected_with_all_forces / true_cross_border_groups`; 1.0 when there are none.
    pub share: f64,
    /// Over every matched pair: forces listed by the detected group that the true group hit, over
    /// forces listed; 1.0 when matched groups list none.
    pub listed_force_precision: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupsReport {
    pub threshold: f64,
    pub true_groups: u64,
    pub detected_groups: u64,
    /// Pairs in the one-to-one matching at the threshold.
    pub matched: u64,
    /// `matched / detected_groups`; 1.0 when nothing was detected.
    pub precision: f64,
    /// `matched / true_groups`; 1.0 when the truth has no group.
    pub recall: f64,
    pub f1: f64,
    /// Listings of detected members that map to no true person.
    pub unmapped_detected_members: u64,
    /// One entry per true group, sorted by id.
    pub matches: Vec<TrueGroupMatch>,
    pub membership: MembershipScores,
    pub cross_border: CrossBorderScores,
}

/// Sorted group indices, refusing duplicate ids.
fn sorted_by_id(groups: &[Group], side: Side) -> Result<Vec<&Group>, EvalError> {
    let mut sorted: Vec<&Group> = groups.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0].id == pair[1].id) {
        return Err(EvalError::DuplicateGroup { side, id: pair[0].id.clone() });
    }
    Ok(sorted)
}

/// A person in the membership universe: a true person, or a detected member that maps to none
/// (kept apart, so it can never be mistaken for a true person with the same id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Person<'a> {
    True(&'a str),
    Unmapped(&'a str),
}

/// Every group figure. `person_map` maps predicted person ids to true ones (see
/// [`crate::map_predicted_to_true`]).
pub fn evaluate_groups(
    true_groups: &[Group],
    detected_groups: &[Group],
    person_map: &HashMap<String, String>,
) -> Result<GroupsReport, EvalError> {
    let true_groups = sorted_by_id(true_groups, Side::Truth)?;
    let detected_groups = sorted_by_id(detected_groups, Side::Prediction)?;

    let true_sets: Vec<FxHashSet<&str>> =
        true_groups.iter().map(|group| group.members.iter().map(String::as_str).collect()).collect();
    if let Some(empty) = true_groups.iter().zip(&true_sets).find(|(_, set)| set.is_empty()) {
        return Err(EvalError::EmptyTrueGroup { id: empty.0.id.clone() });
    }

    let mut true_listings: Vec<(Person<'_>, &str)> = Vec::new();
    for (group, members) in true_groups.iter().zip(&true_sets) {
        true_listings.extend(members.iter().map(|person| (Person::True(person), group.id.as_str())));
    }
    let mut detected_listings: Vec<(Person<'_>, &str)> = Vec::new();
    let mut detected_members = Vec::with_capacity(detected_groups.len());
    for group in &detected_groups {
        let distinct: BTreeSet<&str> = group.members.iter().map(String::as_str).collect();
        let mut members = DetectedMembers { known: FxHashSet::default(), unmapped: 0 };
        for predicted in distinct {
            let person = match person_map.get(predicted) {
                Some(true_id) => {
                    members.known.insert(true_id.as_str());
                    Person::True(true_id.as_str())
                }
                None => {
                    members.unmapped += 1;
                    Person::Unmapped(predicted)
                }
            };
            detected_listings.push((person, group.id.as_str()));
        }
        detected_members.push(members);
    }

    let rows = matching::overlaps(&true_sets, &detected_members);
    let partners = matching::one_to_one(&rows, detected_groups.len());
    let describe = |overlap: Overlap| DetectedMatch {
        detected_group: detected_groups[overlap.detected].id.clone(),
        jaccard: overlap.jaccard(),
    };

    let mut matches = Vec::with_capacity(true_groups.len());
    let (mut cross_border, mut with_all_forces) = (0u64, 0u64);
    let (mut listed_forces, mut listed_forces_hit) = (0u64, 0u64);
    for ((group, row), partner) in true_groups.iter().zip(&rows).zip(&partners) {
        let forces_hit: BTreeSet<&str> = group.forces.iter().map(String::as_str).collect();
        let all_forces_listed = partner.map(|overlap| {
            let listed: BTreeSet<&str> = detected_groups[overlap.detected].forces.iter().map(String::as_str).collect();
            listed_forces += listed.len() as u64;
            listed_forces_hit += listed.intersection(&forces_hit).count() as u64;
            forces_hit.is_subset(&listed)
        });
        if forces_hit.len() >= 2 {
            cross_border += 1;
            with_all_forces += u64::from(all_forces_listed == Some(true));
        }
        matches.push(TrueGroupMatch {
            true_group: group.id.clone(),
            members: group.members.iter().collect::<BTreeSet<_>>().len() as u64,
            forces_hit: forces_hit.iter().map(|force| force.to_string()).collect(),
            best: matching::best(row).map(describe),
            matched: partner.map(describe),
            all_forces_listed,
        });
    }

    let matched = partners.iter().flatten().count() as u64;
    let precision = ratio_or_one(matched as f64, detected_groups.len() as f64);
    let recall = ratio_or_one(matched as f64, true_groups.len() as f64);
    Ok(GroupsReport {
        threshold: MATCH_THRESHOLD,
        true_groups: true_groups.len() as u64,
        detected_groups: detected_groups.len() as u64,
        matched,
        precision,
        recall,
        f1: f1(precision, recall),
        unmapped_detected_members: detected_members.iter().map(|members| members.unmapped).sum(),
        matches,
        membership: membership_agreement(&true_listings, &detected_listings),
        cross_border: CrossBorderScores {
            true_cross_border_groups: cross_border,
            detected_with_all_forces: with_all_forces,
            share: ratio_or_one(with_all_forces as f64, cross_border as f64),
            listed_force_precision: ratio_or_one(listed_forces_hit as f64, listed_forces as f64),
        },
    })
}

#[cfg(test)]
mod tests;
