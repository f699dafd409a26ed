//! Traps for careless matching, planted among repeat offenders so each side shows up in several
//! reports:
//! - **common name**: two different people with the same common full name ("John Smith",
//!   "Mohammed Ali"), different dates of birth, often in different forces;
//! - **relatives**: a second person with the same surname in the same area, of similar age, with a
//!   related face (a brother or cousin);
//! - **lookalikes**: a second never-named person with a near-identical description (sex, build,
//!   marks, clothing habits, height, age band) in the same area, with a similar face.

use crate::params::WorldParams;
use crate::people::Identity;
use crate::population::{Offender, OffenderKind, haunts};
use crate::random::{WorldRng, pick};
use crate::retail::RetailWorld;
use orca_model::Sex;
use rand::Rng;
use serde::Serialize;

/// Which trap a pair of people is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrapKind {
    CommonName,
    Relatives,
    Lookalikes,
}

/// Two stored offenders (indices) planted as a trap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TrapPair {
    pub kind: TrapKind,
    pub first: u32,
    pub second: u32,
}

const COMMON_MALE: &[(&str, &str)] = &[
    ("John", "Smith"),
    ("David", "Jones"),
    ("Mohammed", "Ali"),
    ("Muhammad", "Khan"),
    ("James", "Taylor"),
    ("Michael", "Brown"),
];
const COMMON_FEMALE: &[(&str, &str)] =
    &[("Sarah", "Williams"), ("Emma", "Smith"), ("Fatima", "Begum"), ("Laura", "Jones")];

/// Plants the traps; relatives and lookalikes are new local offenders appended to `offenders`.
pub(crate) fn plant(
    rng: &mut WorldRng,
    params: &WorldParams,
    retail: &RetailWorld,
    offenders: &mut Vec<Offender>,
) -> Vec<TrapPair> {
    let settings = &params.traps;
    let repeat: Vec<u32> = (0..offenders.len() as u32)
        .filter(|&i| matches!(offenders[i as usize].kind, OffenderKind::Prolific | OffenderKind::Local))
        .collect();
    let per_thousand = |rate: f64| ((repeat.len() as f64 * rate / 1000.0).round() as usize).max(settings.min_pairs);
    let mut pairs = Vec::new();
    let mut used = std::collections::HashSet::new();
    // Prefers prolific offenders (seen most often) when asked, else any repeat offender.
    let mut take = |rng: &mut WorldRng, offenders: &[Offender], prefer_prolific: bool| -> Option<u32> {
        for attempt in 0..128 {
            let candidate = *pick(rng, &repeat);
            let prolific = offenders[candidate as usize].kind == OffenderKind::Prolific;
            if (prolific || !prefer_prolific || attempt >= 64) && used.insert(candidate) {
                return Some(candidate);
            }
        }
        None
    };
    if repeat.len() < 2 {
        return pairs;
    }
    for _ in 0..per_thousand(settings.common_name_pairs_per_1000) {
        let (Some(first), Some(second)) = (take(rng, offenders, false), take(rng, offenders, false)) else { break };
        let sex = offenders[first as usize].identity.sex;
        let &(given, family) = if sex == Sex::Female { pick(rng, COMMON_FEMALE) } else { pick(rng, COMMON_MALE) };
        for person in [first, second] {
            let offender = &mut offenders[person as usize];
            offender.identity.sex = sex;
            offender.identity.given = given;
            offender.identity.family = family;
            offender.identity.middle = None;
            offender.named_rate = offender.named_rate.max(0.6);
        }
        pairs.push(TrapPair { kind: TrapKind::CommonName, first, second });
    }
    for _ in 0..per_thousand(settings.relative_pairs_per_1000) {
        let Some(first) = take(rng, offenders, true) else { break };
        offenders[first as usize].named_rate = offenders[first as usize].named_rate.max(0.6);
        let identity = offenders[first as usize].identity.relative(rng, params.start_date);
        let second = add_neighbour(rng, params, retail, offenders, first, identity, 0.6);
        pairs.push(TrapPair { kind: TrapKind::Relatives, first, second });
    }
    for _ in 0..per_thousand(settings.lookalike_pairs_per_1000) {
        let Some(first) = take(rng, offenders, true) else { break };
        offenders[first as usize].named_rate = 0.0;
        let identity = offenders[first as usize].identity.lookalike(rng, params.start_date);
        let second = add_neighbour(rng, params, retail, offenders, first, identity, 0.0);
        pairs.push(TrapPair { kind: TrapKind::Lookalikes, first, second });
    }
    pairs
}

/// A new offender living near `first`, offending in overlapping stores at a similar rate.
fn add_neighbour(
    rng: &mut WorldRng,
    params: &WorldParams,
    retail: &RetailWorld,
    offenders: &mut Vec<Offender>,
    first: u32,
    identity: Identity,
    named_rate: f64,
) -> u32 {
    let model = &offenders[first as usize];
    let area = identity.home_area as usize;
    let mut stores = haunts(rng, retail, area, 3);
    if let Some(&shared) = model.haunts.first() {
        stores.insert(0, shared);
        stores.dedup();
    }
    let days = params.days.max(1);
    let count = rng.random_range(6..=15);
    offenders.push(Offender {
        identity,
        kind: OffenderKind::Local,
        haunts: stores,
        vehicle: None,
        companion: None,
        rate: 0.0,
        count,
        active: (0, days),
        custody: None,
        named_rate,
    });
    offenders.len() as u32 - 1
}
