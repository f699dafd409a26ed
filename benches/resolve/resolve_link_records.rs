//! `link-records` at scale: deduplicates synthetic person records (names, date of birth, sex,
//! address) on a fixed number of threads and scores the clusters against the truth.
//!
//! `cargo run --release -p orca-benches --bin resolve-link-records -- [records] [threads] [--diagnose]`
//! (defaults: 1,000,000 records on 2 threads). `--diagnose` also tallies the comparison levels of
//! the pairs scored between 0.5 and the link probability, true and false.

#[path = "metrics.rs"]
mod metrics;
#[path = "people.rs"]
mod people;

use orca_resolve::linkage;
use people::people;
use std::time::Instant;

fn main() {
    let numbers: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let records = numbers.first().copied().unwrap_or(1_000_000);
    let threads = numbers.get(1).copied().unwrap_or(2);
    let t = Instant::now();
    let (rows, truth) = people(records, 7);
    println!(
        "{} records of {} people generated in {:.1}s",
        rows.len(),
        truth.last().unwrap(),
        t.elapsed().as_secs_f64()
    );
    let config = people::config();
    let header = people::header();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let started = Instant::now();
    let cpu = metrics::process_cpu_seconds().unwrap_or(0.0);
    let diagnose = std::env::args().any(|a| a == "--diagnose");
    let output = pool.install(|| linkage::link(&config, &header, &rows, diagnose)).expect("links");
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = metrics::process_cpu_seconds().unwrap_or(0.0) - cpu;
    let items: Vec<(String, u32)> = output.clusters.iter().zip(&truth).map(|((_, c), &t)| (c.clone(), t)).collect();
    let (pairwise, counts) = metrics::pairwise(&items);
    println!(
        "link-records: {} records in {seconds:.1}s on {threads} threads ({:.0} records/s), {} candidate pairs ({:.0} pairs/s/thread end to end)",
        rows.len(),
        rows.len() as f64 / seconds,
        output.stats.candidate_pairs,
        output.stats.candidate_pairs as f64 / seconds / threads as f64
    );
    println!(
        "  CPU time {cpu_seconds:.1}s (the machine is shared: wall time includes waiting), {:.0} candidate pairs per CPU second",
        output.stats.candidate_pairs as f64 / cpu_seconds
    );
    println!(
        "pairwise {pairwise}  (true pairs {}, predicted {}, correct {})",
        counts.true_pairs, counts.predicted_pairs, counts.true_positive
    );
    println!("b-cubed  {}", metrics::b_cubed(&items));
    println!("stats: {:?}", output.stats);
    for model in &output.model {
        println!(
            "  {:<11} m {:?}\n  {:<11} u {:?}",
            model.column,
            model.m.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>(),
            "",
            model.u.iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>()
        );
    }
    if diagnose {
        diagnose_unlinked(&output.pairs, &rows, &truth, config.link_probability);
    }
}

/// `--diagnose`: the level patterns of scored pairs below the link probability (reported from 0.5),
/// with how many are true matches: where the model is too cautious or too bold.
fn diagnose_unlinked(pairs: &[linkage::ScoredPair], rows: &[linkage::Row], truth: &[u32], link: f64) {
    let index: std::collections::HashMap<&str, usize> =
        rows.iter().enumerate().map(|(i, r)| (r.fields[0].as_str(), i)).collect();
    let mut patterns: std::collections::HashMap<String, (u64, u64, f64)> = Default::default();
    for pair in pairs.iter().filter(|p| p.probability < link) {
        let same = truth[index[pair.a.as_str()]] == truth[index[pair.b.as_str()]];
        let pattern: Vec<String> = pair.evidence.iter().map(|e| format!("{}={}", e.column, e.level)).collect();
        let entry = patterns.entry(pattern.join(" ")).or_default();
        if same {
            entry.0 += 1
        } else {
            entry.1 += 1
        }
        entry.2 += pair.weight;
    }
    let mut rows: Vec<_> = patterns.into_iter().collect();
    rows.sort_by_key(|(_, (t, f, _))| std::cmp::Reverse(t + f));
    println!("scored pairs below the link probability {link}, by pattern (true, false, mean weight):");
    for (pattern, (t, f, w)) in rows.iter().take(15) {
        println!("  {t:>7} {f:>7} {:>7.2}  {pattern}", w / (t + f) as f64);
    }
}
