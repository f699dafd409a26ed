//! `link-records` at scale: deduplicates synthetic person records (names, date of birth, sex,
//! address) on a fixed number of threads and scores the clusters against the truth.
//!
//! `cargo run --release -p orca-benches --bin resolve-link-records -- [records] [threads]`
//! (defaults: 1,000,000 records on 2 threads).

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
    let output = pool.install(|| linkage::link(&config, &header, &rows, false)).expect("links");
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
}
