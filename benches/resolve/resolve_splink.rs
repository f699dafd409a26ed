//! ORCA against Splink on the same simulated persons, in one run.
//!
//! `cargo run --release -p orca-benches --bin resolve-splink -- [incidents] [seed]`
//! `cargo run --release -p orca-benches --bin resolve-splink -- --people N [seed]`
//! (needs `pip install -r benches/resolve/requirements.txt`).
//!
//! With `--people`, N synthetic person records with names, date of birth, sex, postcode and
//! address (`people.rs`, the records of `resolve-link-records`) are deduplicated by ORCA's
//! `link-records` (configured as in `resolve-link-records`, on 2 threads) and by Splink 5 with
//! DuckDB on 2 threads (`splink_bench.py --profile people`, configured as Splink's documentation
//! advises for people), both scored against the generator's true persons.
//!
//! Without it, the offending person sightings of a simulated world are written as a CSV of person records
//! (names cleaned the way Splink's documentation advises). Three resolvers run on them:
//! - ORCA's streaming resolver over the incidents (it also sees faces, clothing, vehicles and
//!   co-offenders, which the table does not carry);
//! - ORCA's `link-records` batch linker on the CSV, with Splink's columns and blocking rules;
//! - Splink 5 (DuckDB) on the CSV (`splink_bench.py`).
//!   Each is scored pairwise against the simulator's true person ids, with records per second.

#[path = "metrics.rs"]
mod metrics;
#[path = "people.rs"]
mod people;
#[path = "world.rs"]
mod world;

use orca_model::SightingKey;
use orca_resolve::linkage::{self, ColumnConfig, ColumnKind, LinkageConfig, Row};
use orca_resolve::names::normalise;
use orca_resolve::{Resolver, ResolverConfig};
use std::collections::HashMap;
use std::hash::Hash;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const HEADER: [&str; 8] = ["id", "first_name", "surname", "dob", "sex", "age_band", "build", "marker_code"];

fn quote(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// Prints one table line; returns the pairwise and B-cubed scores.
fn report<T: Hash + Eq + Clone>(name: &str, items: &[(String, T)], seconds: f64) -> (metrics::Scores, metrics::Scores) {
    let (pairwise, counts) = metrics::pairwise(items);
    let b_cubed = metrics::b_cubed(items);
    println!(
        "{name:<28} pairwise {pairwise}  b-cubed F1 {:.4}  predicted pairs {:>9}  {:>9.0} records/s  ({:.2} s)",
        b_cubed.f1,
        counts.predicted_pairs,
        items.len() as f64 / seconds,
        seconds
    );
    (pairwise, b_cubed)
}

fn write_csv(path: &Path, header: &[&str], rows: &[Row]) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("csv"));
    writeln!(file, "{}", header.join(",")).unwrap();
    for row in rows {
        writeln!(file, "{}", row.fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",")).unwrap();
    }
    file.flush().expect("csv");
}

/// What a Splink run gave: its scores, its seconds (its own total, or the process's wall time),
/// and its number of records.
struct SplinkRun {
    pairwise: metrics::Scores,
    b_cubed: metrics::Scores,
    seconds: f64,
    records: usize,
}

/// Runs `splink_bench.py --profile PROFILE` on the CSV, then scores its clusters against the
/// truth per record id and prints its table line. `ORCA_SPLINK_CLUSTERS` scores the clusters of
/// an earlier Splink run of the same CSV instead; `ORCA_SPLINK_SCRIPT` replaces the script.
fn splink<T: Hash + Eq + Clone>(
    name: &str,
    profile: &str,
    csv_path: &Path,
    dir: &Path,
    truth_by_id: &HashMap<String, T>,
) -> Option<SplinkRun> {
    let script = std::env::var("ORCA_SPLINK_SCRIPT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/resolve/splink_bench.py").to_owned());
    let reuse = std::env::var("ORCA_SPLINK_CLUSTERS").ok();
    let clusters_path = reuse.as_ref().map_or_else(|| dir.join("splink_clusters.csv"), PathBuf::from);
    let started = Instant::now();
    let result = match reuse {
        Some(_) => std::process::Command::new("true").output(),
        None => std::process::Command::new("python3")
            .arg(script)
            .args(["--profile", profile])
            .arg(csv_path)
            .arg(&clusters_path)
            .output(),
    };
    let wall = started.elapsed().as_secs_f64();
    match result {
        Ok(out) if out.status.success() => {
            let timings: serde_json::Value =
                serde_json::from_slice(out.stdout.split(|b| *b == b'\n').rfind(|l| !l.is_empty()).unwrap_or(b"{}"))
                    .unwrap_or_default();
            let seconds = timings["total_seconds"].as_f64().unwrap_or(wall);
            let text = std::fs::read_to_string(&clusters_path).expect("splink clusters");
            let items: Vec<(String, T)> = text
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let (id, cluster) = line.rsplit_once(',')?;
                    let id = id.trim_matches('"');
                    Some((cluster.trim_matches('"').to_owned(), truth_by_id.get(id)?.clone()))
                })
                .collect();
            let (pairwise, b_cubed) = report(name, &items, seconds);
            println!("  splink timings (process wall {wall:.1} s): {timings}");
            Some(SplinkRun { pairwise, b_cubed, seconds, records: items.len() })
        }
        Ok(out) => {
            println!("splink failed: {}", String::from_utf8_lossy(&out.stderr));
            None
        }
        Err(error) => {
            println!("splink not run: {error}");
            None
        }
    }
}

/// `--people N [seed]`: ORCA's `link-records` and Splink on N synthetic named person records.
fn people_mode(records: usize, seed: u64) {
    let (rows, truth) = people::people(records, seed);
    let dir = std::env::temp_dir().join(format!("orca-resolve-splink-people-{seed}-{records}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv_path = dir.join("people.csv");
    write_csv(&csv_path, &people::HEADER, &rows);
    let truth_by_id: HashMap<String, u32> = rows.iter().zip(&truth).map(|(r, &t)| (r.fields[0].clone(), t)).collect();
    println!(
        "people: seed {seed}, {} records of {} people in {}",
        rows.len(),
        truth.last().copied().unwrap_or(0),
        csv_path.display()
    );

    // ORCA link-records, configured as in `resolve-link-records`, on 2 threads like DuckDB.
    let config = people::config();
    let header = people::header();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("thread pool");
    let started = Instant::now();
    let cpu = metrics::process_cpu_seconds().unwrap_or(0.0);
    let output = pool.install(|| linkage::link(&config, &header, &rows, false)).expect("links");
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = metrics::process_cpu_seconds().unwrap_or(0.0) - cpu;
    let items: Vec<(String, u32)> = output.clusters.iter().map(|(id, c)| (c.clone(), truth_by_id[id])).collect();
    let (orca_pairwise, orca_b_cubed) = report("orca link-records (people)", &items, seconds);
    println!("  link-records: {cpu_seconds:.1} s of process CPU, {:?}", output.stats);

    let Some(splink) = splink("splink 5 duckdb (people)", "people", &csv_path, &dir, &truth_by_id) else {
        return;
    };
    println!(
        "orca/splink: throughput ratio {:.1}x (records/s, wall), pairwise F1 {:+.4}, b-cubed F1 {:+.4} (orca minus splink)",
        (items.len() as f64 / seconds) / (splink.records as f64 / splink.seconds),
        orca_pairwise.f1 - splink.pairwise.f1,
        orca_b_cubed.f1 - splink.b_cubed.f1
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if args.iter().any(|a| a == "--people") {
        let records = numbers.first().copied().unwrap_or(100_000) as usize;
        people_mode(records, numbers.get(1).copied().unwrap_or(1));
        return;
    }
    let incidents = numbers.first().copied().unwrap_or(100_000);
    let seed = numbers.get(1).copied().unwrap_or(1);
    let world = world::build(seed, incidents);
    let dir = std::env::temp_dir().join(format!("orca-resolve-splink-{seed}-{incidents}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv_path = dir.join("people.csv");

    // The table: one row per offending person sighting.
    let mut rows = Vec::new();
    let mut truth_by_id = HashMap::new();
    for incident in &world.incidents {
        for (i, p) in incident.persons.iter().enumerate() {
            let key = SightingKey::new(incident.id.clone(), i as u32);
            let Some(truth) = world.person_truth.get(&key) else { continue };
            let id = key.to_string();
            truth_by_id.insert(id.clone(), truth.clone());
            let first = normalise(&p.given_names).split(' ').next().unwrap_or("").to_owned();
            let fields = vec![
                id,
                first,
                normalise(&p.family_name).replace(' ', ""),
                p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                serde_json::to_value(p.sex).unwrap().as_str().unwrap_or("").replace("unspecified", ""),
                serde_json::to_value(p.age_band).unwrap().as_str().unwrap_or("").replace("unspecified", ""),
                serde_json::to_value(p.build).unwrap().as_str().unwrap_or("").replace("unspecified", ""),
                p.marker_code.clone().unwrap_or_default(),
            ];
            rows.push(Row { input: 0, line: rows.len() as u64 + 2, fields });
        }
    }
    write_csv(&csv_path, &HEADER, &rows);
    println!(
        "world: seed {seed}, {} incidents, {} person records ({} named) in {}",
        world.incidents.len(),
        rows.len(),
        rows.iter().filter(|r| !r.fields[1].is_empty() || !r.fields[2].is_empty()).count(),
        csv_path.display()
    );

    // ORCA streaming resolver over the incidents.
    let started = Instant::now();
    let mut resolver = Resolver::new(ResolverConfig::default());
    for incident in &world.incidents {
        resolver.resolve(incident);
        let _ = resolver.take_changes();
    }
    let seconds = started.elapsed().as_secs_f64();
    let items: Vec<(String, String)> =
        world.person_truth.iter().map(|(k, t)| (resolver.person_of(k).unwrap().0.to_string(), t.clone())).collect();
    report("orca resolver (incidents)", &items, seconds);

    // ORCA link-records on the table.
    let column = |name: &str, kind| ColumnConfig::new(name, kind);
    let config = LinkageConfig {
        id_column: "id".into(),
        columns: vec![
            column("first_name", ColumnKind::Name),
            column("surname", ColumnKind::Name),
            column("dob", ColumnKind::Date),
            column("sex", ColumnKind::Exact),
            column("age_band", ColumnKind::Exact),
            column("build", ColumnKind::Exact),
            column("marker_code", ColumnKind::Exact),
        ],
        blocking_rules: vec![
            vec!["first_name".into(), "surname".into()],
            vec!["surname".into(), "dob".into()],
            vec!["first_name".into(), "dob".into()],
            vec!["marker_code".into()],
        ],
        ..Default::default()
    };
    let header: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
    let started = Instant::now();
    let output = linkage::link(&config, &header, &rows, false).expect("links");
    let seconds = started.elapsed().as_secs_f64();
    let items: Vec<(String, String)> =
        output.clusters.iter().map(|(id, c)| (c.clone(), truth_by_id[id].clone())).collect();
    report("orca link-records (table)", &items, seconds);
    println!("  link-records: {:?}", output.stats);

    // Splink.
    splink("splink 5 duckdb (table)", "sightings", &csv_path, &dir, &truth_by_id);
}
