//! Estimating the person model from the sightings themselves, without labels, the way that proved
//! robust for Splink where a plain EM collapsed (`benches/resolve/RESULTS.md`): u from random pairs of sightings (nearly all of them different people), m by
//! expectation-maximisation over the pairs each blocking rule brings together, with the rule's own
//! comparisons left out (they agree by construction), and the prior as the fixpoint of expected
//! matches among the blocked pairs over all pairs. The result is a [`ModelParams`] to put in the
//! resolver's configuration.

use crate::blocking::{BlockRule, key};
use crate::config::ResolverConfig;
use crate::linkage::estimate as em;
use crate::model::{Comparison, Evidence, LevelProbabilities, ModelParams, Weights};
use crate::names::{NO_NAME, NameTable};
use crate::person::compare::PersonScorer;
use crate::person::features::{self, PersonSummary};
use crate::population::SummaryCaps;
use crate::travel::Place;
use orca_model::Incident;
use orca_model::hash::{GOLDEN_GAMMA, SplitMix64};
use rustc_hash::FxHashMap;

/// Comparisons estimated here (the others keep their configured values): those a table of
/// sightings can show without the resolver's entity context.
const ESTIMATED: [Comparison; 9] = [
    Comparison::GivenName,
    Comparison::FamilyName,
    Comparison::DateOfBirth,
    Comparison::Age,
    Comparison::Sex,
    Comparison::Height,
    Comparison::Build,
    Comparison::Marks,
    Comparison::Face,
];

/// How an estimate went, for reporting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EstimateReport {
    pub sightings: usize,
    pub random_pairs: usize,
    pub blocked_pairs: Vec<(String, usize)>,
    pub prior: f64,
}

/// Estimates m, u and the prior for persons from the offending sightings of `incidents`.
pub fn estimate_person_model(
    incidents: &[Incident],
    config: &ResolverConfig,
    random_pairs: usize,
    seed: u64,
) -> (ModelParams, EstimateReport) {
    let caps = SummaryCaps { values: config.summary_cap, places: config.travel_history };
    let mut names = NameTable::default();
    let mut summaries = Vec::new();
    let mut blocks: [FxHashMap<u64, Vec<u32>>; 2] = [FxHashMap::default(), FxHashMap::default()];
    for incident in incidents {
        let place = Place::of_incident(incident);
        for sighting in incident.persons.iter().filter(|p| p.role.is_offending()) {
            let f = features::extract(sighting, place, &mut names);
            let s = summaries.len() as u32;
            for name in &f.names {
                names.count_given(name.given);
                names.count_family(name.family);
            }
            let primary = f.names.first().copied();
            if let (Some(name), Some(dob)) = (primary, f.dob)
                && name.family != NO_NAME
            {
                let code = u64::from(names.get(name.family).phonetic[0]);
                blocks[0].entry(key(BlockRule::NamePhoneticBirthYear, code, u64::from(dob.year))).or_default().push(s);
            }
            if let Some(dob) = f.dob.filter(|d| d.is_complete()) {
                let ymd = u64::from(dob.year) * 10_000
                    + u64::from(dob.month.unwrap_or(0)) * 100
                    + u64::from(dob.day.unwrap_or(0));
                blocks[1].entry(key(BlockRule::DateOfBirthInitial, ymd, 0)).or_default().push(s);
            }
            summaries.push(PersonSummary::of(&f, &caps));
        }
    }
    let weights = Weights::compile(&config.model);
    let no_redirects = |e: u32| e;
    let scorer = PersonScorer::new(&weights, &names, config, &no_redirects);
    let column = |c: Comparison| ESTIMATED.iter().position(|&e| e == c);
    let mut scratch: Vec<Evidence> = Vec::new();
    let mut gamma_of = |a: u32, b: u32| -> u64 {
        scorer.compare(&summaries[a as usize], &summaries[b as usize], &mut scratch);
        let mut gamma = u64::MAX; // every column missing (15 in each nibble)
        for e in &scratch {
            if let Some(c) = column(e.comparison) {
                gamma &= !(0xf << (4 * c));
                gamma |= u64::from(e.level) << (4 * c);
            }
        }
        gamma & ((1 << (4 * ESTIMATED.len())) - 1)
    };
    let levels: Vec<usize> = ESTIMATED.iter().map(|c| c.levels().len()).collect();

    let n = summaries.len();
    let mut generator = SplitMix64::new(seed.wrapping_mul(GOLDEN_GAMMA) | 1);
    let mut random = Vec::with_capacity(random_pairs);
    if n >= 2 {
        for _ in 0..random_pairs {
            let r = generator.next_u64();
            let (a, b) = ((r % n as u64) as u32, ((r >> 32) % n as u64) as u32);
            if a != b {
                random.push(gamma_of(a, b));
            }
        }
    }
    let u = em::u_from_random(&levels, &random);

    let mut report = EstimateReport { sightings: n, random_pairs: random.len(), ..Default::default() };
    let rule_columns: [&[Comparison]; 2] = [
        &[Comparison::FamilyName, Comparison::DateOfBirth, Comparison::Age],
        &[Comparison::DateOfBirth, Comparison::Age],
    ];
    let mut m_sum: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut runs = vec![0usize; levels.len()];
    let mut blocked_gammas = Vec::new();
    for (rule, block_map) in blocks.iter().enumerate() {
        let mut patterns: FxHashMap<u64, u64> = FxHashMap::default();
        let mut count = 0;
        let mut keys: Vec<&u64> = block_map.keys().collect();
        keys.sort_unstable();
        for k in keys {
            let members = &block_map[k];
            if members.len() > config.block_cap {
                continue;
            }
            for i in 0..members.len() {
                for j in 0..i {
                    let g = gamma_of(members[j], members[i]);
                    *patterns.entry(g).or_default() += 1;
                    blocked_gammas.push(g);
                    count += 1;
                }
            }
        }
        report.blocked_pairs.push((["family-name-and-birth-year", "date-of-birth"][rule].to_owned(), count));
        let free: Vec<bool> = ESTIMATED.iter().map(|c| !rule_columns[rule].contains(c)).collect();
        let mut m: Vec<Vec<f64>> = levels.iter().map(|&l| em::default_m(l)).collect();
        em::em(&patterns, &free, &mut m, &u, 25);
        for c in 0..levels.len() {
            if free[c] && !patterns.is_empty() {
                for l in 0..levels[c] {
                    m_sum[c][l] += m[c][l];
                }
                runs[c] += 1;
            }
        }
    }

    let mut params = config.model.clone();
    for (c, comparison) in ESTIMATED.iter().enumerate() {
        let m: Vec<f64> = if runs[c] == 0 {
            continue;
        } else {
            m_sum[c].iter().map(|s| s / runs[c] as f64).collect()
        };
        params.levels.insert(*comparison, LevelProbabilities { m, u: u[c].clone() });
    }
    // The prior: expected matches among blocked pairs over all pairs.
    let weights: Vec<f64> = blocked_gammas
        .iter()
        .map(|&g| {
            (0..levels.len())
                .map(|c| {
                    let level = ((g >> (4 * c)) & 0xf) as usize;
                    let probabilities = &params.levels[&ESTIMATED[c]];
                    if level == 15 { 0.0 } else { (probabilities.m[level] / probabilities.u[level]).log2() }
                })
                .sum()
        })
        .collect();
    let all_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    params.person_prior = em::prior(&weights, all_pairs.max(1.0)).clamp(1e-9, 0.1);
    report.prior = params.person_prior;
    (params, report)
}
