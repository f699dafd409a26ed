//! Resolves a simulated world and scores persons and vehicles against its ground truth.
//!
//! `cargo run --release -p orca-benches --bin resolve-world -- [incidents] [seed] [--orders] [--estimate] [--restore]`
//!
//! `--restore` keeps every state record written and times rebuilding the resolver from them.
//! `--estimate` first estimates the person model from the world's sightings without labels
//! ([`orca_resolve::estimate`]) and resolves with it instead of the defaults.
//!
//! Reports pairwise and B-cubed precision/recall/F1 for persons and vehicles, blocking recall (true
//! pairs sharing a blocking key), comparisons made, throughput and per-incident latency, and with
//! `--orders` the agreement between resolving the world in arrival order and in a shuffled order.

#[path = "diagnose.rs"]
mod diagnose;
#[path = "metrics.rs"]
mod metrics;
#[path = "world.rs"]
mod world;

use orca_model::{Incident, SightingKey};
use orca_resolve::names::NameTable;
use orca_resolve::person::{self, FaceHasher};
use orca_resolve::travel::Place;
use orca_resolve::{Resolver, ResolverConfig};
use std::collections::HashMap;
use std::time::Instant;

struct Run {
    resolver: Resolver,
    /// The latest value of every state record written, when asked to keep them.
    records: std::collections::BTreeMap<(String, String), Vec<u8>>,
    seconds: f64,
    cpu_seconds: f64,
    latencies_us: Vec<f64>,
    /// Positive evidence of each automatic person link, for `--diagnose`.
    links: HashMap<SightingKey, String>,
}

fn resolve_all(incidents: &[&Incident], config: &ResolverConfig, keep_records: bool) -> Run {
    let mut resolver = Resolver::new(config.clone());
    let mut records = std::collections::BTreeMap::new();
    let mut latencies_us = Vec::with_capacity(incidents.len());
    let mut links = HashMap::new();
    let diagnose = std::env::args().any(|a| a == "--diagnose");
    let started = Instant::now();
    let cpu = metrics::thread_cpu_seconds().unwrap_or(0.0);
    for incident in incidents {
        let t = Instant::now();
        let resolution = resolver.resolve(incident);
        if diagnose {
            for link in resolution.persons.iter().filter(|l| l.decision == orca_model::LinkDecision::AutoLink) {
                let mut kinds: Vec<&str> = link
                    .evidence
                    .iter()
                    .filter(|e| e.weight > 0.0 && e.comparison != "prior")
                    .map(|e| e.comparison.as_str())
                    .collect();
                kinds.sort();
                links.insert(SightingKey::new(incident.id.clone(), link.sighting_index), kinds.join("+"));
            }
        }
        let changes = resolver.take_changes();
        if keep_records {
            for change in changes {
                match change.value {
                    Some(value) => records.insert((change.namespace, change.key), value),
                    None => records.remove(&(change.namespace, change.key)),
                };
            }
        }
        latencies_us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let cpu_seconds = metrics::thread_cpu_seconds().unwrap_or(0.0) - cpu;
    Run { resolver, records, seconds: started.elapsed().as_secs_f64(), cpu_seconds, latencies_us, links }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn items(
    truth: &HashMap<SightingKey, String>,
    assign: impl Fn(&SightingKey) -> Option<String>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        truth.iter().map(|(key, t)| (assign(key).expect("every sighting resolved"), t.clone())).collect();
    out.sort();
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let incidents = numbers.first().copied().unwrap_or(20_000);
    let seed = numbers.get(1).copied().unwrap_or(1);
    let orders = args.iter().any(|a| a == "--orders");
    let estimate = args.iter().any(|a| a == "--estimate");
    let restore = args.iter().any(|a| a == "--restore");
    let mut config = match std::env::var("ORCA_RESOLVE_CONFIG") {
        Ok(path) => serde_json::from_str(&std::fs::read_to_string(path).expect("config file")).expect("config json"),
        Err(_) => ResolverConfig::default(),
    };

    let t = Instant::now();
    let world = world::build(seed, incidents);
    println!(
        "world: seed {seed}, {} incidents ({} rejected by validation), {} person sightings, {} vehicle sightings, built in {:.1}s",
        world.incidents.len(),
        world.rejected,
        world.person_truth.len(),
        world.vehicle_truth.len(),
        t.elapsed().as_secs_f64()
    );

    if estimate {
        let t = Instant::now();
        let (params, report) =
            orca_resolve::estimate::estimate_person_model(&world.incidents, &config, 1_000_000, seed);
        println!("estimated the person model in {:.1}s: {report:?}", t.elapsed().as_secs_f64());
        for (comparison, levels) in &params.levels {
            println!("  {:<22} m {:.3?}\n  {:<22} u {:.4?}", comparison.name(), levels.m, "", levels.u);
        }
        config.model = params;
    }
    let arrival: Vec<&Incident> = world.incidents.iter().collect();
    let mut run = resolve_all(&arrival, &config, restore);
    let sightings = (world.person_truth.len() + world.vehicle_truth.len()) as f64;
    let stats = run.resolver.stats();
    println!(
        "resolved in {:.2}s ({:.2}s on CPU, {:.0} sightings per CPU second): {:.0} incidents/s, {:.0} sightings/s; latency per incident p50 {:.0} us, p99 {:.0} us, max {:.0} us",
        run.seconds,
        run.cpu_seconds,
        sightings / run.cpu_seconds,
        world.incidents.len() as f64 / run.seconds,
        sightings / run.seconds,
        percentile(&mut run.latencies_us, 0.5),
        percentile(&mut run.latencies_us, 0.99),
        percentile(&mut run.latencies_us, 1.0),
    );
    println!("stats: {stats:?}");

    let r = &run.resolver;
    let persons = items(&world.person_truth, |k| r.person_of(k).map(|p| p.0.to_string()));
    let vehicles = items(&world.vehicle_truth, |k| r.vehicle_of(k).map(|v| v.0.to_string()));
    let (person_pairwise, counts) = metrics::pairwise(&persons);
    println!(
        "persons  pairwise {person_pairwise}  (true pairs {}, predicted {}, correct {})",
        counts.true_pairs, counts.predicted_pairs, counts.true_positive
    );
    println!("persons  b-cubed  {}", metrics::b_cubed(&persons));
    let (vehicle_pairwise, counts) = metrics::pairwise(&vehicles);
    println!(
        "vehicles pairwise {vehicle_pairwise}  (true pairs {}, predicted {}, correct {})",
        counts.true_pairs, counts.predicted_pairs, counts.true_positive
    );
    println!("vehicles b-cubed  {}", metrics::b_cubed(&vehicles));
    println!(
        "truth: {} persons, {} vehicles; resolved: {} persons, {} vehicles",
        persons.iter().map(|p| &p.1).collect::<std::collections::HashSet<_>>().len(),
        vehicles.iter().map(|p| &p.1).collect::<std::collections::HashSet<_>>().len(),
        stats.persons,
        stats.vehicles
    );

    let group: Vec<(String, String)> = world
        .person_truth
        .iter()
        .filter(|(k, _)| world.group_incidents.contains(&k.incident))
        .map(|(k, t)| (r.person_of(k).unwrap().0.to_string(), t.clone()))
        .collect();
    println!(
        "group-incident sightings ({}): pairwise {}  b-cubed {}",
        group.len(),
        metrics::pairwise(&group).0,
        metrics::b_cubed(&group)
    );
    diagnose::sighting_recall(&world, |k| r.person_of(k).unwrap().0.to_string());
    if args.iter().any(|a| a == "--diagnose") {
        diagnose::link_precision(&world, &run.links, |k| r.person_of(k).unwrap().0.to_string());
    }
    blocking_recall(&world, &config);

    if restore {
        let bytes: usize = run.records.values().map(Vec::len).sum();
        let records: Vec<orca_model::StoredRecord> = std::mem::take(&mut run.records)
            .into_iter()
            .map(|((namespace, key), value)| orca_model::StoredRecord { namespace, key, value })
            .collect();
        let count = records.len();
        let t = Instant::now();
        let cpu = metrics::thread_cpu_seconds().unwrap_or(0.0);
        let restored = Resolver::restore(config.clone(), records).expect("restores");
        println!(
            "restore: {count} records, {:.1} MB, in {:.2}s ({:.2}s on CPU); stats equal: {}",
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64(),
            metrics::thread_cpu_seconds().unwrap_or(0.0) - cpu,
            restored.stats() == run.resolver.stats()
        );
    }

    if orders {
        let mut shuffled = arrival.clone();
        let mut generator = orca_model::hash::SplitMix64::new(seed.wrapping_mul(orca_model::hash::GOLDEN_GAMMA) | 1);
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, generator.below(i as u64 + 1) as usize);
        }
        let second = resolve_all(&shuffled, &config, false);
        let r2 = &second.resolver;
        let persons2 = items(&world.person_truth, |k| r2.person_of(k).map(|p| p.0.to_string()));
        let (scores2, _) = metrics::pairwise(&persons2);
        println!("shuffled order: persons pairwise {scores2}");
        let first_by_key: HashMap<&SightingKey, String> =
            world.person_truth.keys().map(|k| (k, r.person_of(k).unwrap().0.to_string())).collect();
        let agreement: Vec<(String, String)> = world
            .person_truth
            .keys()
            .map(|k| (r2.person_of(k).unwrap().0.to_string(), first_by_key[k].clone()))
            .collect();
        let (agree, _) = metrics::pairwise(&agreement);
        println!("two-order agreement (pairwise, shuffled vs arrival): {agree}");
        let vehicle_agreement: Vec<(String, String)> = world
            .vehicle_truth
            .keys()
            .map(|k| (r2.vehicle_of(k).unwrap().0.to_string(), r.vehicle_of(k).unwrap().0.to_string()))
            .collect();
        println!("two-order agreement vehicles: {}", metrics::pairwise(&vehicle_agreement).0);
    }
}

/// Share of true same-person pairs that share at least one blocking key (uncapped), overall and
/// for pairs where both sightings are named.
fn blocking_recall(world: &world::SimulatedWorld, config: &ResolverConfig) {
    let mut names = NameTable::default();
    let mut faces = FaceHasher::default();
    let mut by_person: HashMap<&str, Vec<(person::PersonKeys, bool)>> = HashMap::new();
    for incident in &world.incidents {
        let place = Place::of_incident(incident);
        for (i, sighting) in incident.persons.iter().enumerate() {
            let Some(truth) = world.person_truth.get(&SightingKey::new(incident.id.clone(), i as u32)) else {
                continue;
            };
            let features = person::features::extract(sighting, place, &mut names);
            let keys =
                person::blocking_keys(&features, &names, &mut faces, config.face_lsh_tables, config.face_lsh_bits);
            by_person.entry(truth).or_default().push((keys, sighting.is_named()));
        }
    }
    let (mut pairs, mut kept, mut named_pairs, mut named_kept) = (0u64, 0u64, 0u64, 0u64);
    for sightings in by_person.values() {
        for i in 0..sightings.len() {
            for j in 0..i {
                let share = sightings[i].0.shares_with(&sightings[j].0);
                pairs += 1;
                kept += u64::from(share);
                if sightings[i].1 && sightings[j].1 {
                    named_pairs += 1;
                    named_kept += u64::from(share);
                }
            }
        }
    }
    println!(
        "blocking recall: {:.4} of {pairs} true pairs share a key; named pairs {:.4} of {named_pairs}",
        kept as f64 / pairs.max(1) as f64,
        named_kept as f64 / named_pairs.max(1) as f64
    );
}
