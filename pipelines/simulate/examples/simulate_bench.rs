//! Times world building and streaming, and prints the world's headline numbers:
//! `cargo run --release -p orca-simulate --example simulate_bench -- [incidents] [seed] [--json] [--show N] [--summary]`.
//! `--json` also serialises every report to JSON (as `orca simulate` would write it) into a sink and
//! prints a hash of the bytes (the same for every run and thread count with the same seed).

use orca_simulate::{World, WorldParams};
use std::io::Write;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let incidents = numbers.first().copied().unwrap_or(1_000_000);
    let seed = numbers.get(1).copied().unwrap_or(1);
    let json = args.iter().any(|a| a == "--json");
    let show = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0usize);

    let started = Instant::now();
    let world = World::new(WorldParams::new(seed, incidents));
    let built = started.elapsed();
    let mut stream = world.incidents();
    let mut bytes = 0usize;
    let mut sink = std::io::sink();
    let mut count = 0u64;
    let mut hash = orca_model::hash::Fnv1a64::new();
    for (i, simulated) in stream.by_ref().enumerate() {
        if i < show {
            println!("{}", serde_json::to_string_pretty(&simulated.incident).expect("serialisable"));
            println!(
                "truth: {:?} {:?} group {:?} duplicate of {:?}",
                simulated.persons, simulated.vehicles, simulated.group, simulated.duplicate_of
            );
        }
        if json {
            let line = serde_json::to_vec(&simulated.incident).expect("serialisable");
            bytes += line.len() + 1;
            hash.bytes(&line);
            sink.write_all(&line).expect("sink");
        }
        count += 1;
    }
    let streamed = started.elapsed() - built;
    let summary = stream.summary();
    let emitted = summary.emitted.as_ref().expect("drained");
    println!(
        "incidents {count}  build {:.2}s  stream {:.2}s  total {:.2}s{}",
        built.as_secs_f64(),
        streamed.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        if json { format!("  json {:.1} MB  hash {:016x}", bytes as f64 / 1e6, hash.finish()) } else { String::new() }
    );
    println!(
        "stores {}  retailers {}+{}  prolific {}  local {}  group members {}  one-off {}  groups {}",
        summary.stores,
        summary.national_retailers,
        summary.independent_retailers,
        summary.population.prolific,
        summary.population.local,
        summary.population.group_members,
        summary.population.one_off,
        summary.groups.len()
    );
    println!(
        "unnamed share {:.3}  group loss share {:.3}  duplicates {}  faces {}  markers {}  vehicles {}",
        1.0 - emitted.named_offender_sightings as f64 / emitted.offender_sightings as f64,
        emitted.group_loss_pence as f64 / emitted.total_loss_pence as f64,
        emitted.duplicates,
        emitted.face_templates,
        emitted.marker_codes,
        emitted.vehicle_sightings
    );
    if args.iter().any(|a| a == "--summary") {
        println!("{}", serde_json::to_string_pretty(&summary).expect("serialisable"));
    }
    let cross = summary.groups.iter().filter(|g| g.forces_hit.len() > 1).count();
    println!(
        "groups crossing borders {cross}/{}  cloned plates {}  traps {}",
        summary.groups.len(),
        summary.cloned_plates.len(),
        summary.traps.len()
    );
}
