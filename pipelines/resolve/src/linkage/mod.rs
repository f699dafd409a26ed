//! Linking and deduplicating tabular records for analysts (`orca link-records`): a Fellegi–Sunter
//! model over configured columns, estimated from the records themselves (u from random pairs, m by
//! EM per blocking rule), term-frequency-adjusted, scored in parallel, and clustered without
//! chaining through contradictions. Pure: rows in, clusters and scored pairs out.

pub mod cluster;
pub mod config;
pub mod encode;
pub mod estimate;
pub mod joint;

pub use config::{BlockingRule, ColumnConfig, ColumnKind, LinkageConfig, LinkageError};

use encode::{Column, MISSING};
use estimate::{Gamma, level_of};
use joint::Joint;
use orca_model::hash::{GOLDEN_GAMMA, SplitMix64};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// One input row and the line it came from (for errors).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

/// One column's contribution to a scored pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairEvidence {
    pub column: String,
    pub level: String,
    pub weight: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoredPair {
    pub a: String,
    pub b: String,
    pub weight: f64,
    pub probability: f64,
    pub evidence: Vec<PairEvidence>,
}

/// The estimated model, for reporting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnModel {
    pub column: String,
    pub levels: Vec<String>,
    pub m: Vec<f64>,
    pub u: Vec<f64>,
    pub m_estimated: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkageStats {
    pub records: usize,
    pub candidate_pairs: usize,
    /// Pairs left out because their block passed `max_block_size`.
    pub skipped_block_pairs: u64,
    pub linked_pairs: usize,
    pub clusters: usize,
    pub prior: f64,
    pub merges_refused: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkageOutput {
    /// Record id → cluster id (the id of the cluster's first record in input order), input order.
    pub clusters: Vec<(String, String)>,
    /// Pairs at or above `report_probability`, strongest first (only when asked for).
    pub pairs: Vec<ScoredPair>,
    pub model: Vec<ColumnModel>,
    /// The joint comparisons that could be estimated (the others fell back to their columns).
    pub joint_model: Vec<JointModel>,
    pub stats: LinkageStats,
}

/// A joint comparison's estimate, for reporting: one m and u per pair of levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JointModel {
    pub columns: [String; 2],
    /// `first-level+second-level` for every combination.
    pub levels: Vec<String>,
    pub m: Vec<f64>,
    pub u: Vec<f64>,
}

/// Deduplicates `rows` (all sources concatenated) under `config`. `with_pairs` asks for the scored
/// pairs with their explanations.
pub fn link(
    config: &LinkageConfig,
    header: &[String],
    rows: &[Row],
    with_pairs: bool,
) -> Result<LinkageOutput, LinkageError> {
    let (id_index, indices) = config.validate(header)?;
    for row in rows {
        if row.fields.len() != header.len() {
            return Err(LinkageError::Row {
                line: row.line,
                message: format!("expected {} fields, found {}", header.len(), row.fields.len()),
            });
        }
    }
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    for row in rows {
        let id = row.fields[id_index].trim();
        if id.is_empty() {
            return Err(LinkageError::Row { line: row.line, message: format!("empty id in `{}`", config.id_column) });
        }
        if !seen.insert(id) {
            return Err(LinkageError::Row { line: row.line, message: format!("duplicate id `{id}`") });
        }
    }
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    let columns: Vec<Column> = config
        .columns
        .par_iter()
        .zip(indices.par_iter())
        .map(|(column, &index)| {
            let values: Vec<&str> = rows.iter().map(|r| r.fields[index].as_str()).collect();
            Column::encode(column.kind, &column.name, &values, &lines)
        })
        .collect::<Result<_, _>>()?;
    let n = rows.len();
    let levels: Vec<usize> = config.columns.iter().map(|c| c.kind.levels().len()).collect();
    let gamma_of = |a: usize, b: usize| -> Gamma {
        columns.iter().enumerate().fold(0u64, |g, (c, col)| g | (u64::from(col.level(a, b)) << (4 * c)))
    };

    // Candidate pairs from every blocking rule; a pair is kept by the first rule that finds it.
    let rules: Vec<Vec<(usize, &str)>> = config
        .blocking_rules
        .iter()
        .map(|rule| {
            rule.iter()
                .map(|part| {
                    let (name, transform) = part.split_once(':').unwrap_or((part.as_str(), ""));
                    (config.columns.iter().position(|c| c.name == name).expect("validated"), transform)
                })
                .collect()
        })
        .collect();
    let rule_keys: Vec<Vec<Option<u64>>> = rules
        .par_iter()
        .map(|rule| {
            (0..n)
                .map(|r| {
                    let mut key = 0x51_7cc1_b727_220a_u64;
                    for &(c, transform) in rule {
                        key = crate::blocking::mix(key ^ columns[c].key_part(r, transform)?).wrapping_add(c as u64);
                    }
                    Some(key)
                })
                .collect()
        })
        .collect();
    let mut stats = LinkageStats { records: n, ..Default::default() };
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut pair_rule: Vec<u8> = Vec::new();
    for (r, keys) in rule_keys.iter().enumerate() {
        let mut keyed: Vec<(u64, u32)> =
            keys.iter().enumerate().filter_map(|(i, k)| k.map(|k| (k, i as u32))).collect();
        keyed.par_sort_unstable();
        let blocks: Vec<&[(u64, u32)]> = keyed.chunk_by(|x, y| x.0 == y.0).collect();
        for block in &blocks {
            if block.len() > config.max_block_size {
                stats.skipped_block_pairs += (block.len() * (block.len() - 1) / 2) as u64;
            }
        }
        let found: Vec<(u32, u32)> = blocks
            .par_iter()
            .filter(|b| b.len() >= 2 && b.len() <= config.max_block_size)
            .flat_map_iter(|block| {
                let earlier = &rule_keys[..r];
                (0..block.len()).flat_map(move |i| {
                    (0..i).filter_map(move |j| {
                        let (a, b) = (block[j].1.min(block[i].1), block[j].1.max(block[i].1));
                        let seen = earlier.iter().any(|k| k[a as usize].is_some() && k[a as usize] == k[b as usize]);
                        (!seen).then_some((a, b))
                    })
                })
            })
            .collect();
        pair_rule.extend(std::iter::repeat_n(r as u8, found.len()));
        pairs.extend(found);
    }
    stats.candidate_pairs = pairs.len();
    let gammas: Vec<Gamma> = pairs.par_iter().map(|&(a, b)| gamma_of(a as usize, b as usize)).collect();

    // u from random pairs.
    let mut generator = SplitMix64::new(config.seed.wrapping_mul(GOLDEN_GAMMA) | 1);
    let mut next = || generator.next_u64();
    let random_pairs: Vec<(usize, usize)> = if n < 2 {
        Vec::new()
    } else {
        (0..config.random_pairs)
            .filter_map(|_| {
                let a = (next() % n as u64) as usize;
                let b = (next() % n as u64) as usize;
                (a != b).then_some((a, b))
            })
            .collect()
    };
    let random: Vec<Gamma> = random_pairs.par_iter().map(|&(a, b)| gamma_of(a, b)).collect();
    let u = estimate::u_from_random(&levels, &random);
    let column_index = |name: &str| config.columns.iter().position(|c| c.name == name).expect("validated");
    let mut joints: Vec<Joint> = config
        .joint
        .iter()
        .map(|[a, b]| {
            let (a, b) = (column_index(a), column_index(b));
            Joint::new(a, b, (levels[a], levels[b]), &random)
        })
        .collect();

    // m by EM per blocking rule, leaving that rule's columns out.
    let mut m_sum: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut m_runs = vec![0usize; levels.len()];
    for (r, rule) in rules.iter().enumerate() {
        // Every candidate pair the rule blocks together, also those an earlier rule found first.
        let keys = &rule_keys[r];
        let mut patterns: FxHashMap<Gamma, u64> = FxHashMap::default();
        for ((g, &pr), &(a, b)) in gammas.iter().zip(&pair_rule).zip(&pairs) {
            if usize::from(pr) == r || keys[a as usize].is_some() && keys[a as usize] == keys[b as usize] {
                *patterns.entry(*g).or_default() += 1;
            }
        }
        if patterns.is_empty() {
            continue;
        }
        let free: Vec<bool> = (0..levels.len()).map(|c| !rule.iter().any(|&(rc, _)| rc == c)).collect();
        let mut m: Vec<Vec<f64>> = levels.iter().map(|&l| estimate::default_m(l)).collect();
        let lambda = estimate::em(&patterns, &free, &mut m, &u, config.em_iterations);
        for joint in &mut joints {
            joint.add_rule(&patterns, &free, &m, &u, lambda, config.em_iterations);
        }
        for c in 0..levels.len() {
            if free[c] {
                for l in 0..levels[c] {
                    m_sum[c][l] += m[c][l];
                }
                m_runs[c] += 1;
            }
        }
    }
    let m: Vec<Vec<f64>> = (0..levels.len())
        .map(|c| {
            if m_runs[c] == 0 {
                estimate::default_m(levels[c])
            } else {
                m_sum[c].iter().map(|s| s / m_runs[c] as f64).collect()
            }
        })
        .collect();
    let weights: Vec<Vec<f64>> =
        m.iter().zip(&u).map(|(m, u)| m.iter().zip(u).map(|(m, u)| (m / u).log2()).collect()).collect();
    let term_frequency: Vec<bool> =
        config.columns.iter().map(|c| c.term_frequency.unwrap_or(c.kind == ColumnKind::Name)).collect();
    let tf_floor = 1.0 / n.max(1) as f64;
    let column_weight = |c: usize, a: usize, level: u8| -> f64 {
        if level == 0
            && term_frequency[c]
            && let Some(tf) = columns[c].term_frequency(a, n)
        {
            return (m[c][0] / tf.max(tf_floor)).log2();
        }
        weights[c][level as usize]
    };
    joints.retain(Joint::is_estimated);
    // Per column: its joint comparison, if any.
    let joint_of: Vec<Option<&Joint>> =
        (0..levels.len()).map(|c| joints.iter().find(|j| j.first == c || j.second == c)).collect();
    // A column's part of a pair's weight: a joint comparison's weight goes to its first column
    // (the second adds nothing) when both values are present.
    let contribution = |c: usize, a: usize, gamma: Gamma| -> Option<f64> {
        let level = level_of(gamma, c);
        if level == MISSING {
            return None;
        }
        match joint_of[c].and_then(|j| j.cell(gamma).map(|cell| (j, cell))) {
            Some((joint, cell)) if joint.first == c => Some(joint.weight(cell)),
            Some(_) => None,
            None => Some(column_weight(c, a, level)),
        }
    };
    let score = |a: usize, gamma: Gamma| -> f64 { (0..levels.len()).filter_map(|c| contribution(c, a, gamma)).sum() };
    let raw: Vec<f64> = pairs.par_iter().zip(gammas.par_iter()).map(|(&(a, _), &g)| score(a as usize, g)).collect();
    let all_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    let prior = estimate::prior(&raw, all_pairs.max(1.0));
    stats.prior = prior;
    let prior_weight = (prior / (1.0 - prior)).log2();
    let link_weight = crate::model::weight_of_probability(config.link_probability);

    // Cluster: strongest links first; strongly negative pairs forbid merges.
    let mut order: Vec<usize> = (0..pairs.len()).filter(|&i| raw[i] + prior_weight >= link_weight).collect();
    order.par_sort_unstable_by(|&x, &y| raw[y].total_cmp(&raw[x]).then(pairs[x].cmp(&pairs[y])));
    stats.linked_pairs = order.len();
    let mut clusters = cluster::Clusters::new(n);
    for (i, &(a, b)) in pairs.iter().enumerate() {
        if raw[i] + prior_weight < config.cannot_link_weight {
            clusters.forbid(a, b);
        }
    }
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    for &i in &order {
        let (a, b) = pairs[i];
        if !clusters.union(a, b, &mut members) {
            stats.merges_refused += 1;
        }
    }
    let id = |r: usize| rows[r].fields[id_index].trim().to_owned();
    let mut first_of_root: FxHashMap<u32, usize> = FxHashMap::default();
    let mut assignment = Vec::with_capacity(n);
    for r in 0..n {
        let root = clusters.find(r as u32);
        let first = *first_of_root.entry(root).or_insert(r);
        assignment.push((id(r), id(first)));
    }
    stats.clusters = first_of_root.len();

    let report_weight = crate::model::weight_of_probability(config.report_probability);
    let mut scored = Vec::new();
    if with_pairs {
        let mut reported: Vec<usize> = (0..pairs.len()).filter(|&i| raw[i] + prior_weight >= report_weight).collect();
        reported.sort_by(|&x, &y| raw[y].total_cmp(&raw[x]).then(pairs[x].cmp(&pairs[y])));
        scored = reported
            .into_iter()
            .map(|i| {
                let (a, b) = (pairs[i].0 as usize, pairs[i].1 as usize);
                let mut evidence =
                    vec![PairEvidence { column: "prior".into(), level: "match-prior".into(), weight: prior_weight }];
                for (c, column) in config.columns.iter().enumerate() {
                    let Some(weight) = contribution(c, a, gammas[i]) else { continue };
                    let level = level_of(gammas[i], c);
                    let (column, level) = match joint_of[c].filter(|j| j.cell(gammas[i]).is_some()) {
                        Some(joint) => {
                            let second = &config.columns[joint.second];
                            let second_level = second.kind.levels()[level_of(gammas[i], joint.second) as usize];
                            let first_level = column.kind.levels()[level as usize];
                            (format!("{}+{}", column.name, second.name), format!("{first_level}+{second_level}"))
                        }
                        None => (column.name.clone(), column.kind.levels()[level as usize].to_owned()),
                    };
                    evidence.push(PairEvidence { column, level, weight });
                }
                let weight = raw[i] + prior_weight;
                ScoredPair { a: id(a), b: id(b), weight, probability: crate::model::probability(weight), evidence }
            })
            .collect();
    }
    let model = config
        .columns
        .iter()
        .enumerate()
        .map(|(c, column)| ColumnModel {
            column: column.name.clone(),
            levels: column.kind.levels().iter().map(|l| (*l).to_owned()).collect(),
            m: m[c].clone(),
            u: u[c].clone(),
            m_estimated: m_runs[c] > 0,
        })
        .collect();
    let joint_model = joints
        .iter()
        .map(|joint| {
            let (first, second) = (&config.columns[joint.first], &config.columns[joint.second]);
            let cells = levels[joint.first] * levels[joint.second];
            JointModel {
                columns: [first.name.clone(), second.name.clone()],
                levels: (0..cells)
                    .map(|cell| {
                        let (a, b) = joint.levels_of(cell);
                        format!("{}+{}", first.kind.levels()[a], second.kind.levels()[b])
                    })
                    .collect(),
                m: (0..cells).map(|cell| joint.m(cell)).collect(),
                u: (0..cells).map(|cell| joint.u(cell)).collect(),
            }
        })
        .collect();
    Ok(LinkageOutput { clusters: assignment, pairs: scored, model, joint_model, stats })
}
