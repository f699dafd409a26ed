//! Linking and deduplicating tabular records for analysts (`orca link-records`): a Fellegi–Sunter
//! model over configured columns, estimated from the records themselves (u from random pairs, m by
//! EM per blocking rule), term-frequency-adjusted, scored in parallel, and clustered without
//! chaining through contradictions. Pure: rows in, clusters and scored pairs out.

pub mod cluster;
pub mod config;
pub mod dates;
pub mod encode;
pub mod estimate;
pub mod joint;
mod lists;
mod swap;

pub use config::{BlockingRule, ColumnConfig, ColumnKind, LinkageConfig, LinkageError};

use encode::{Column, MISSING};
use estimate::{Gamma, level_of, with_level};
use joint::Joint;
use lists::Lists;
use orca_model::hash::{GOLDEN_GAMMA, SplitMix64};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// One input row, the input it came from (numbered from 0) and its line there (for errors).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub input: u32,
    pub line: u64,
    pub fields: Vec<String>,
}

/// A value a column's kind could not read, compared as missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnreadableValue {
    pub input: u32,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
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
    /// Links left out in one-to-one mode because a record had already linked a better one.
    pub links_taken_by_better: usize,
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
    /// Values compared as missing because their column's kind could not read them, in input order.
    pub unreadable: Vec<UnreadableValue>,
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

/// A rule's parts as (encoded column, transform).
type ResolvedRule = Vec<(usize, String)>;

/// Deduplicates `rows` (all sources concatenated) under `config`. `with_pairs` asks for the scored
/// pairs with their explanations.
pub fn link(
    config: &LinkageConfig,
    header: &[String],
    rows: &[Row],
    with_pairs: bool,
) -> Result<LinkageOutput, LinkageError> {
    let (id_index, indices) = config.validate(header)?;
    let row_error = |row: &Row, message: String| LinkageError::Row { input: row.input, line: row.line, message };
    for row in rows {
        if row.fields.len() != header.len() {
            return Err(row_error(row, format!("expected {} fields, found {}", header.len(), row.fields.len())));
        }
    }
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    for row in rows {
        let id = row.fields[id_index].trim();
        if id.is_empty() {
            return Err(row_error(row, format!("empty id in `{}`", config.id_column)));
        }
        if !seen.insert(id) {
            return Err(row_error(row, format!("duplicate id `{id}`")));
        }
    }
    let lists = &Lists::of(config, rows)?;
    // The compared columns, then the columns only blocking rules name (read as their transform implies).
    let mut encoded: Vec<(usize, ColumnKind, Option<&ColumnConfig>)> =
        config.columns.iter().zip(&indices).map(|(column, &index)| (index, column.kind, Some(column))).collect();
    let header_index = |name: &str| header.iter().position(|h| h.trim() == name).expect("validated");
    let every_rule = config.blocking_rules.iter().chain(&config.training_rules).chain(&config.prior_rules);
    for part in every_rule.flatten() {
        let (name, transform) = part.split_once(':').unwrap_or((part.as_str(), ""));
        if !config.columns.iter().any(|c| c.name == name) {
            let (index, kind) = (header_index(name), config::blocking_kind(transform));
            if !encoded.iter().any(|e| e.0 == index && e.1 == kind) {
                encoded.push((index, kind, None));
            }
        }
    }
    let (columns, unreadable): (Vec<Column>, Vec<Vec<encode::Unreadable>>) = encoded
        .par_iter()
        .map(|&(index, kind, column)| {
            let (map, format) = (column.and_then(ColumnConfig::value_map), column.and_then(|c| c.format.as_deref()));
            let values: Vec<&str> = rows
                .iter()
                .map(|r| {
                    let value = r.fields[index].as_str();
                    map.as_ref().and_then(|map| map.get(&value.trim().to_lowercase()).copied()).unwrap_or(value)
                })
                .collect();
            Column::encode(kind, format, &values)
        })
        .unzip();
    let mut unreadable: Vec<UnreadableValue> = unreadable
        .into_iter()
        .zip(&encoded)
        .flat_map(|(values, &(index, ..))| {
            values.into_iter().map(move |u| UnreadableValue {
                input: rows[u.row].input,
                line: rows[u.row].line,
                column: header[index].trim().to_owned(),
                value: u.value,
                reason: u.reason,
            })
        })
        .collect();
    unreadable.sort_by(|a, b| (a.input, a.line, &a.column).cmp(&(b.input, b.line, &b.column)));
    let compared = config.columns.len();
    let n = rows.len();
    let levels: Vec<usize> = config.columns.iter().map(|c| c.kind.levels().len()).collect();
    let column_index = |name: &str| config.columns.iter().position(|c| c.name == name).expect("validated");
    // Swappable name pairs, by column; each has a name-order level in the gamma after the columns'.
    let swappable: Vec<(usize, usize)> =
        config.swappable.iter().map(|[a, b]| (column_index(a), column_index(b))).collect();
    let gamma_of = |a: usize, b: usize| -> Gamma {
        let mut gamma =
            columns[..compared].iter().enumerate().fold(0u64, |g, (c, col)| with_level(g, c, col.level(a, b)));
        for (k, &(first, second)) in swappable.iter().enumerate() {
            gamma = swap::order(gamma, compared + k, (first, second), |x, y| {
                columns[x].cross_name_level(&columns[y], a, b)
            });
        }
        gamma
    };

    // Candidate pairs from every blocking rule; a pair is kept by the first rule that finds it.
    let resolve_rule = |rule: &'_ BlockingRule| -> ResolvedRule {
        rule.iter()
            .map(|part| {
                let (name, transform) = part.split_once(':').unwrap_or((part.as_str(), ""));
                let column = config.columns.iter().position(|c| c.name == name).unwrap_or_else(|| {
                    let (index, kind) = (header_index(name), config::blocking_kind(transform));
                    encoded.iter().position(|e| e.0 == index && e.1 == kind).expect("encoded above")
                });
                (column, transform.to_owned())
            })
            .collect()
    };
    // A rule's key per record (`None` where a part's value is missing).
    let keys_of = |rule: &[(usize, String)]| -> Vec<Option<u64>> {
        (0..n)
            .map(|r| {
                let mut key = 0x51_7cc1_b727_220a_u64;
                for (c, transform) in rule {
                    key = crate::blocking::mix(key ^ columns[*c].key_part(r, transform)?).wrapping_add(*c as u64);
                }
                Some(key)
            })
            .collect()
    };
    let rules: Vec<ResolvedRule> = config.blocking_rules.iter().map(resolve_rule).collect();
    let rule_keys: Vec<Vec<Option<u64>>> = rules.par_iter().map(|rule| keys_of(rule)).collect();
    let mut stats = LinkageStats { records: n, ..Default::default() };
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut pair_rule: Vec<u8> = Vec::new();
    for (r, keys) in rule_keys.iter().enumerate() {
        let keyed = sorted_keys(keys);
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
                        if !lists.compares(a as usize, b as usize) {
                            return None;
                        }
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
    let random_pairs: Vec<(usize, usize)> = lists.random_pairs(config.random_pairs, &mut next);
    let random: Vec<Gamma> = random_pairs.par_iter().map(|&(a, b)| gamma_of(a, b)).collect();
    let u = estimate::u_from_random(&levels, &random);
    let mut joints: Vec<Joint> = config
        .joint
        .iter()
        .map(|[a, b]| {
            let (a, b) = (column_index(a), column_index(b));
            Joint::new(a, b, (levels[a], levels[b]), &random)
        })
        .collect();

    // m by EM per training rule (the blocking rules unless told), leaving that rule's columns out.
    let training: Vec<(ResolvedRule, FxHashMap<Gamma, u64>)> = if config.training_rules.is_empty() {
        rules
            .iter()
            .enumerate()
            .map(|(r, rule)| {
                // Every candidate pair the rule blocks together, also those an earlier rule found first.
                let keys = &rule_keys[r];
                let mut patterns: FxHashMap<Gamma, u64> = FxHashMap::default();
                for ((g, &pr), &(a, b)) in gammas.iter().zip(&pair_rule).zip(&pairs) {
                    if usize::from(pr) == r || keys[a as usize].is_some() && keys[a as usize] == keys[b as usize] {
                        *patterns.entry(*g).or_default() += 1;
                    }
                }
                (rule.clone(), patterns)
            })
            .collect()
    } else {
        config
            .training_rules
            .iter()
            .map(|rule| {
                let rule = resolve_rule(rule);
                let patterns = block_patterns(&keys_of(&rule), config.max_block_size, lists, &gamma_of);
                (rule, patterns)
            })
            .collect()
    };
    let mut m_sum: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut m_runs = vec![0usize; levels.len()];
    for (rule, patterns) in &training {
        if patterns.is_empty() {
            continue;
        }
        let free: Vec<bool> = (0..levels.len()).map(|c| !rule.iter().any(|(rc, _)| *rc == c)).collect();
        let mut m: Vec<Vec<f64>> = levels.iter().map(|&l| estimate::default_m(l)).collect();
        let lambda = estimate::em(patterns, &free, &mut m, &u, config.em_iterations);
        for joint in &mut joints {
            joint.add_rule(patterns, &free, &m, &u, lambda, config.em_iterations);
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
    let swap_weight = swap::swapped_weight();
    let swapped = |gamma: Gamma, k: usize| level_of(gamma, compared + k) == swap::SWAPPED;
    let score = |a: usize, gamma: Gamma| -> f64 {
        let swaps = (0..swappable.len()).filter(|&k| swapped(gamma, k)).count();
        (0..levels.len()).filter_map(|c| contribution(c, a, gamma)).sum::<f64>() + swaps as f64 * swap_weight
    };
    let raw: Vec<f64> = pairs.par_iter().zip(gammas.par_iter()).map(|(&(a, _), &g)| score(a as usize, g)).collect();
    let prior = if config.prior_rules.is_empty() {
        estimate::prior(&raw, lists.all_pairs().max(1.0))
    } else {
        let keys: Vec<Vec<Option<u64>>> = config.prior_rules.iter().map(|rule| keys_of(&resolve_rule(rule))).collect();
        let found = rule_pairs(&keys, config.max_block_size, lists) as f64 / config.prior_recall;
        (found / lists.all_pairs().max(1.0)).clamp(1e-12, 1.0 - 1e-12)
    };
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
    if config.one_to_one {
        // Best first, each record takes at most one record of the other list.
        let mut taken = vec![false; n];
        order.retain(|&i| {
            let (a, b) = (pairs[i].0 as usize, pairs[i].1 as usize);
            let free = !taken[a] && !taken[b];
            if free {
                taken[a] = true;
                taken[b] = true;
            }
            free
        });
        stats.links_taken_by_better = stats.linked_pairs - order.len();
        stats.linked_pairs = order.len();
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

    let report_weight = if config.report_probability == 0.0 {
        f64::NEG_INFINITY
    } else {
        crate::model::weight_of_probability(config.report_probability)
    };
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
                for (k, [first, second]) in config.swappable.iter().enumerate() {
                    if swapped(gammas[i], k) {
                        let column = format!("{first}+{second}");
                        evidence.push(PairEvidence { column, level: "name-order-swapped".into(), weight: swap_weight });
                    }
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
    Ok(LinkageOutput { clusters: assignment, pairs: scored, model, joint_model, unreadable, stats })
}

/// How many comparable pairs in the blocks of `keys` (up to `max_block_size` records) show each
/// pattern of levels.
fn block_patterns(
    keys: &[Option<u64>],
    max_block_size: usize,
    lists: &Lists,
    gamma_of: &(dyn Fn(usize, usize) -> Gamma + Sync),
) -> FxHashMap<Gamma, u64> {
    let keyed = sorted_keys(keys);
    let blocks: Vec<&[(u64, u32)]> = keyed.chunk_by(|x, y| x.0 == y.0).collect();
    blocks
        .par_iter()
        .filter(|b| b.len() >= 2 && b.len() <= max_block_size)
        .fold(FxHashMap::default, |mut patterns: FxHashMap<Gamma, u64>, block| {
            for i in 0..block.len() {
                for j in 0..i {
                    let (a, b) = (block[j].1 as usize, block[i].1 as usize);
                    if lists.compares(a, b) {
                        *patterns.entry(gamma_of(a.min(b), a.max(b))).or_default() += 1;
                    }
                }
            }
            patterns
        })
        .reduce(FxHashMap::default, |mut all, part| {
            for (gamma, count) in part {
                *all.entry(gamma).or_default() += count;
            }
            all
        })
}

/// How many comparable pairs agree on at least one of the rules whose `keys` are given (each
/// pair once, however many rules it satisfies), counted block by block; blocks of more than
/// `max_block_size` records are left out, as in blocking.
fn rule_pairs(keys: &[Vec<Option<u64>>], max_block_size: usize, lists: &Lists) -> u64 {
    (0..keys.len())
        .map(|r| {
            let keyed = sorted_keys(&keys[r]);
            let blocks: Vec<&[(u64, u32)]> = keyed.chunk_by(|x, y| x.0 == y.0).collect();
            blocks
                .par_iter()
                .filter(|block| block.len() <= max_block_size)
                .map(|block| {
                    let mut found = 0u64;
                    for i in 0..block.len() {
                        for j in 0..i {
                            let (a, b) = (block[j].1 as usize, block[i].1 as usize);
                            let earlier = keys[..r].iter().any(|k| k[a].is_some() && k[a] == k[b]);
                            found += u64::from(lists.compares(a, b) && !earlier);
                        }
                    }
                    found
                })
                .sum::<u64>()
        })
        .sum()
}

/// Records with a key, as (key, record) sorted by key, so each block is a run of equal keys.
fn sorted_keys(keys: &[Option<u64>]) -> Vec<(u64, u32)> {
    let mut keyed: Vec<(u64, u32)> = keys.iter().enumerate().filter_map(|(i, k)| k.map(|k| (k, i as u32))).collect();
    keyed.par_sort_unstable();
    keyed
}
