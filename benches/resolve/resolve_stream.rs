//! Streaming at scale: resolves a large simulated world, then measures how fast the last incidents
//! resolve with a million or so persons already known.
//!
//! `cargo run --release -p orca-benches --bin resolve-stream -- [incidents] [measured] [seed]`
//! (defaults: 850,000 incidents, the last 20,000 measured, seed 1). `ORCA_RESOLVE_CONFIG=FILE` reads
//! the resolver's settings from a JSON file.

#[path = "metrics.rs"]
mod metrics;
#[path = "world.rs"]
mod world;

use orca_resolve::{Resolver, ResolverConfig};
use std::time::Instant;

fn main() {
    let numbers: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let incidents = numbers.first().copied().unwrap_or(850_000);
    let measured = numbers.get(1).copied().unwrap_or(20_000) as usize;
    let seed = numbers.get(2).copied().unwrap_or(1);
    let t = Instant::now();
    let world = world::build(seed, incidents);
    println!("world: {} incidents built in {:.1}s", world.incidents.len(), t.elapsed().as_secs_f64());
    let split = world.incidents.len().saturating_sub(measured);
    // `ORCA_RESOLVE_CONFIG=FILE` (JSON) changes the resolver's settings, as for resolve-world.
    let config: ResolverConfig = match std::env::var("ORCA_RESOLVE_CONFIG") {
        Ok(path) => serde_json::from_str(&std::fs::read_to_string(path).expect("config file")).expect("config json"),
        Err(_) => ResolverConfig::default(),
    };
    let mut resolver = Resolver::new(config);
    let t = Instant::now();
    let cpu = metrics::thread_cpu_seconds().unwrap_or(0.0);
    for incident in &world.incidents[..split] {
        resolver.resolve(incident);
        let _ = resolver.take_changes();
    }
    let warm_cpu = metrics::thread_cpu_seconds().unwrap_or(0.0) - cpu;
    let stats = resolver.stats();
    println!(
        "warm-up: {split} incidents, {} person sightings in {:.1}s ({warm_cpu:.1}s on CPU, {:.0} sightings per CPU second); {} persons, {} vehicles",
        stats.person_sightings,
        t.elapsed().as_secs_f64(),
        (stats.person_sightings + stats.vehicle_sightings) as f64 / warm_cpu,
        stats.persons,
        stats.vehicles
    );
    let mut latencies = Vec::with_capacity(measured);
    let mut per_sighting = Vec::new();
    let cpu = metrics::thread_cpu_seconds().unwrap_or(0.0);
    let process_cpu = metrics::process_cpu_seconds().unwrap_or(0.0);
    let t = Instant::now();
    let mut sightings = 0usize;
    for incident in &world.incidents[split..] {
        let started = Instant::now();
        let resolution = resolver.resolve(incident);
        let _ = resolver.take_changes();
        let micros = started.elapsed().as_secs_f64() * 1e6;
        let count = resolution.persons.len() + resolution.vehicles.len();
        sightings += count;
        latencies.push(micros);
        if count > 0 {
            per_sighting.push(micros / count as f64);
        }
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = metrics::thread_cpu_seconds().unwrap_or(0.0) - cpu;
    let process_cpu = metrics::process_cpu_seconds().unwrap_or(0.0) - process_cpu;
    latencies.sort_by(f64::total_cmp);
    per_sighting.sort_by(f64::total_cmp);
    let at = |v: &[f64], p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "measured: {} incidents, {sightings} sightings in {wall:.2}s wall / {cpu:.2}s CPU of the calling thread / {process_cpu:.2}s CPU of the process: {:.0} sightings/s wall, {:.0} per CPU second of the calling thread, {:.0} per CPU second of the process",
        latencies.len(),
        sightings as f64 / wall,
        sightings as f64 / cpu,
        sightings as f64 / process_cpu
    );
    println!(
        "latency per incident: p50 {:.0} us, p99 {:.0} us, p99.9 {:.0} us, max {:.0} us; per sighting p99 {:.0} us",
        at(&latencies, 0.5),
        at(&latencies, 0.99),
        at(&latencies, 0.999),
        at(&latencies, 1.0),
        at(&per_sighting, 0.99)
    );
    println!("stats: {:?}", resolver.stats());
}
