//! The analysts' search on a simulated world: quality against the world's truth and speed.
//!
//! `cargo run --release -p orca-benches --bin search-world -- [incidents] [seed] [--queries N] [--dir DIR]`
//!
//! The world is normalised as ingest would, resolved by the real resolver one incident at a time,
//! and fed to a real index (`orca_search::Loader`): build time and size are reported. Then, for
//! true persons and vehicles drawn at random (seeded), queries an analyst would type are made from
//! what was reported about them, and a query is a hit when the entity that now holds the reported
//! sighting is among the first five results:
//! - a nickname for the reported given name with the family name (`Bob Brennan` for Robert);
//! - the given name with the family name misspelt by one edit (`Kyle Brenan`);
//! - a full plate with one character misread (a confusable: `A812CDE` for AB12CDE);
//! - a plate with two characters unknown (`AB1??DE`).
//!
//! Latency (p50, p99) is measured for each kind, for filtered full-text incident searches, for an
//! exact id lookup (the baseline the others are reported against), and for expanding two hops
//! around true members of organised groups.

use orca_eventlog::{Record, topics};
use orca_explore::{ExpandOptions, NodeRef, ParsedQuery};
use orca_model::validate::validate_and_normalise;
use orca_model::{EntityKind, StoreRegistry};
use orca_proto::convert;
use orca_resolve::{Resolver, ResolverConfig};
use orca_search::{Loader, SearchIndex, SearchRequest};
use orca_simulate::{World, WorldParams};
use prost::Message;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::time::Instant;

/// What was reported about a true person or vehicle in one sighting.
#[derive(Clone)]
struct Reported {
    incident: String,
    index: u32,
    text: (String, String),
    force: String,
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() -> anyhow::Result<()> {
    let positional: Vec<String> = std::env::args().skip(1).take_while(|a| !a.starts_with("--")).collect();
    let incidents: u64 = positional.first().map_or(Ok(100_000), |s| s.parse())?;
    let seed: u64 = positional.get(1).map_or(Ok(1), |s| s.parse())?;
    let queries: usize = arg("--queries").map_or(Ok(250), |s| s.parse())?;
    let keep = arg("--dir");
    let temp = tempfile::tempdir()?;
    let dir = keep.map_or_else(|| temp.path().join("search"), std::path::PathBuf::from);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }

    let world = World::new(WorldParams::new(seed, incidents));
    let registry = StoreRegistry::new(world.stores().iter().cloned());
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")?.to_utc();
    let mut resolver = Resolver::new(ResolverConfig::default());
    let mut loader = Loader::new(SearchIndex::open(&dir)?);
    let mut persons: HashMap<String, Reported> = HashMap::new();
    let mut vehicles: HashMap<String, Reported> = HashMap::new();
    let (mut batch, mut offset, mut resolve_seconds, mut index_seconds) = (Vec::new(), 0u64, 0.0, 0.0);
    let started = Instant::now();
    for simulated in world.incidents() {
        let mut incident = simulated.incident;
        if validate_and_normalise(&mut incident, &registry, now).is_err() {
            continue;
        }
        for truth in &simulated.persons {
            let sighting = &incident.persons[truth.index as usize];
            if !sighting.given_names.trim().is_empty() && !sighting.family_name.trim().is_empty() {
                persons.entry(truth.person.clone()).or_insert_with(|| Reported {
                    incident: incident.id.to_string(),
                    index: truth.index,
                    text: (sighting.given_names.trim().to_owned(), sighting.family_name.trim().to_owned()),
                    force: incident.force.to_string(),
                });
            }
        }
        for truth in &simulated.vehicles {
            let sighting = &incident.vehicles[truth.index as usize];
            if sighting.format == orca_model::vrm::VrmFormat::Current {
                vehicles.entry(truth.vehicle.clone()).or_insert_with(|| Reported {
                    incident: incident.id.to_string(),
                    index: truth.index,
                    text: (sighting.vrm.clone(), sighting.colour.clone()),
                    force: incident.force.to_string(),
                });
            }
        }
        let t = Instant::now();
        let resolution = resolver.resolve(&incident);
        resolver.take_changes();
        resolve_seconds += t.elapsed().as_secs_f64();
        offset += 1;
        batch.push(Record {
            topic: topics::RESOLUTIONS.into(),
            partition: 0,
            offset,
            key: incident.id.as_str().as_bytes().to_vec(),
            value: convert::resolution_to_proto(&resolution).encode_to_vec(),
            headers: Vec::new(),
            timestamp_ms: 0,
        });
        if batch.len() == 1_000 {
            let t = Instant::now();
            loader.apply(&batch);
            if offset % 50_000 == 0 {
                loader.commit()?;
                eprintln!("{offset} incidents, {:.0} s", started.elapsed().as_secs_f64());
            }
            index_seconds += t.elapsed().as_secs_f64();
            batch.clear();
        }
    }
    let t = Instant::now();
    loader.apply(&batch);
    loader.commit()?;
    let search = loader.finish()?;
    index_seconds += t.elapsed().as_secs_f64();
    let (documents, bytes) = search.size();
    let stats = search.workspace().stats();
    println!("world: seed {seed}, {offset} incidents resolved in {resolve_seconds:.1} s");
    println!(
        "index: built in {index_seconds:.1} s ({:.0} incidents/s), {documents} documents, {:.1} MB ({:.0} bytes per incident); read model {} persons, {} vehicles",
        offset as f64 / index_seconds,
        bytes as f64 / 1e6,
        bytes as f64 / offset as f64,
        stats.persons,
        stats.vehicles
    );

    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EA);
    let mut person_list: Vec<(&String, &Reported)> = persons.iter().collect();
    person_list.sort_by(|a, b| a.0.cmp(b.0));
    let mut vehicle_list: Vec<(&String, &Reported)> = vehicles.iter().collect();
    vehicle_list.sort_by(|a, b| a.0.cmp(b.0));

    let nickname_cases: Vec<(String, &Reported)> = sample(&mut rng, &person_list, queries * 20)
        .into_iter()
        .filter_map(|r| nickname(&r.text.0).map(|nick| (format!("{nick} {}", r.text.1), r)))
        .take(queries)
        .collect();
    let misspelt_cases: Vec<(String, &Reported)> = sample(&mut rng, &person_list, queries * 4)
        .into_iter()
        .filter(|r| r.text.1.chars().filter(char::is_ascii_alphabetic).count() >= 5)
        .take(queries)
        .map(|r| (format!("{} {}", r.text.0, misspell(&r.text.1, &mut rng)), r))
        .collect();
    let exact_cases: Vec<(String, &Reported)> = sample(&mut rng, &person_list, queries)
        .into_iter()
        .map(|r| (format!("{} {}", r.text.0, r.text.1), r))
        .collect();
    let misread_cases: Vec<(String, &Reported)> =
        sample(&mut rng, &vehicle_list, queries).into_iter().map(|r| (misread(&r.text.0, &mut rng), r)).collect();
    let partial_cases: Vec<(String, &Reported)> =
        sample(&mut rng, &vehicle_list, queries).into_iter().map(|r| (mask(&r.text.0, &mut rng), r)).collect();

    println!("\nquality (true entity in the top 5) and latency:");
    println!("{:<28} {:>7} {:>9} {:>9} {:>9}", "query kind", "queries", "hit rate", "p50 ms", "p99 ms");
    let baseline = latency_of(
        &search,
        &person_list.iter().take(queries).map(|(_, r)| r.incident.clone()).collect::<Vec<_>>(),
        &["incident"],
    );
    println!(
        "{:<28} {:>7} {:>9} {:>9.2} {:>9.2}",
        "exact incident id (baseline)", queries, "-", baseline.0, baseline.1
    );
    for (label, kind, cases, in_force) in [
        ("name as reported (ceiling)", EntityKind::Person, &exact_cases, false),
        ("nickname + family name", EntityKind::Person, &nickname_cases, false),
        ("family name misspelt", EntityKind::Person, &misspelt_cases, false),
        ("  as reported, in its force", EntityKind::Person, &exact_cases, true),
        ("  nickname, in its force", EntityKind::Person, &nickname_cases, true),
        ("  misspelt, in its force", EntityKind::Person, &misspelt_cases, true),
        ("plate, one misread", EntityKind::Vehicle, &misread_cases, false),
        ("plate, two unknown", EntityKind::Vehicle, &partial_cases, false),
    ] {
        let outcome = run_cases(&search, kind, cases, in_force);
        let rate = outcome.hits as f64 / cases.len().max(1) as f64;
        let mut times = outcome.times;
        let (p50, p99) = percentiles(&mut times);
        let crowded = outcome.crowded as f64 * 100.0 / cases.len().max(1) as f64;
        println!(
            "{label:<28} {:>7} {:>8.1}% {:>9.2} {:>9.2}  (x{:.1} baseline p99; reported name shared by 5+ others: {crowded:.0}%)",
            cases.len(),
            rate * 100.0,
            p50,
            p99,
            p99 / baseline.1,
        );
    }
    let filtered: Vec<String> =
        ["razors", "\"lined bag\"", "alcohol", "fragrance", "baby formula"].iter().map(|s| s.to_string()).collect();
    let (p50, p99) = filtered_latency(&search, &filtered, queries);
    println!("{:<28} {:>7} {:>9} {:>9.2} {:>9.2}", "full text + force + dates", queries, "-", p50, p99);

    let members: Vec<NodeRef> = {
        let workspace = search.workspace();
        let mut seen = std::collections::HashSet::new();
        world
            .group_truth()
            .iter()
            .filter_map(|row| persons.get(&row.person))
            .filter_map(|r| workspace.entity_of_sighting(EntityKind::Person, &r.incident, r.index))
            .filter(|n| seen.insert(*n))
            .map(NodeRef::Person)
            .collect()
    };
    let mut times = Vec::new();
    let mut sizes = Vec::new();
    for member in members.iter().take(queries) {
        let workspace = search.workspace();
        let t = Instant::now();
        let network =
            workspace.expand(std::slice::from_ref(member), &ExpandOptions { hops: 2, ..ExpandOptions::default() });
        times.push(t.elapsed().as_secs_f64() * 1e3);
        sizes.push(network.nodes.len());
    }
    let (p50, p99) = percentiles(&mut times);
    let mean_nodes = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64;
    println!(
        "{:<28} {:>7} {:>9} {:>9.2} {:>9.2}  (mean {mean_nodes:.0} nodes)",
        "expand 2 hops, group member",
        times.len(),
        "-",
        p50,
        p99
    );
    Ok(())
}

fn sample<'a>(rng: &mut ChaCha8Rng, list: &[(&String, &'a Reported)], n: usize) -> Vec<&'a Reported> {
    list.choose_multiple(rng, n.min(list.len())).map(|(_, r)| *r).collect()
}

/// Another name from a nickname group of `given` (`Robert` → `Bob`), capitalised.
fn nickname(given: &str) -> Option<String> {
    let word = orca_explore::analysis::name_words(given).into_iter().next()?;
    let group = orca_resolve::nicknames::GROUPS.iter().find(|g| g.split_whitespace().any(|n| n == word))?;
    let other = group.split_whitespace().find(|n| *n != word && n.len() > 1)?;
    let mut chars = other.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect())
}

/// One edit: a letter changed, dropped, or swapped with the next (never the first letter).
fn misspell(name: &str, rng: &mut ChaCha8Rng) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let at = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..3) {
        0 => {
            let original = chars[at].to_ascii_lowercase();
            let letters: Vec<char> = ('a'..='z').filter(|&c| c != original).collect();
            chars[at] = *letters.choose(rng).expect("letters");
        }
        1 => {
            chars.remove(at);
        }
        _ => chars.swap(at, at + 1),
    }
    chars.into_iter().collect()
}

/// One character replaced by one cameras and witnesses confuse it with.
fn misread(plate: &str, rng: &mut ChaCha8Rng) -> String {
    let mut chars: Vec<char> = plate.chars().collect();
    let positions: Vec<usize> =
        (0..chars.len()).filter(|&i| orca_model::vrm::confusables(chars[i]).next().is_some()).collect();
    if let Some(&at) = positions.choose(rng) {
        let options: Vec<char> = orca_model::vrm::confusables(chars[at]).collect();
        chars[at] = *options.choose(rng).expect("confusables");
    }
    chars.into_iter().collect()
}

/// Two characters unknown.
fn mask(plate: &str, rng: &mut ChaCha8Rng) -> String {
    let mut chars: Vec<char> = plate.chars().collect();
    let mut positions: Vec<usize> = (0..chars.len()).collect();
    positions.sort_by_key(|_| rng.random::<u32>());
    for &at in positions.iter().take(2) {
        chars[at] = '?';
    }
    chars.into_iter().collect()
}

struct Outcome {
    hits: usize,
    times: Vec<f64>,
    /// Queries whose reported name (exactly) is also the name of five or more other entities.
    crowded: usize,
}

fn run_cases(search: &SearchIndex, kind: EntityKind, cases: &[(String, &Reported)], in_force: bool) -> Outcome {
    let mut outcome = Outcome { hits: 0, times: Vec::new(), crowded: 0 };
    let kinds = vec![if kind == EntityKind::Person { "person" } else { "vehicle" }];
    for (query, reported) in cases {
        let Ok(parsed) = ParsedQuery::parse(query) else { continue };
        let force = in_force.then(|| reported.force.clone());
        let request =
            SearchRequest { query: parsed, kinds: kinds.clone(), force: force.clone(), limit: 5, ..Default::default() };
        let t = Instant::now();
        let page = search.search(&request).expect("search runs");
        outcome.times.push(t.elapsed().as_secs_f64() * 1e3);
        let workspace = search.workspace();
        let truth = workspace.entity_of_sighting(kind, &reported.incident, reported.index);
        let found = page.hits.iter().any(|h| workspace.canonical(kind, &h.id) == truth && truth.is_some());
        outcome.hits += usize::from(found);
        if !found && std::env::var_os("SHOW_MISSES").is_some() {
            let titles: Vec<String> = page.hits.iter().map(|h| format!("{} ({:.1})", h.card.title, h.score)).collect();
            let truth_id = truth.map(|t| workspace.entity_id(kind, t).to_owned()).unwrap_or_default();
            let probe = SearchRequest {
                query: ParsedQuery::parse(&truth_id).expect("an id"),
                kinds: kinds.clone(),
                limit: 1,
                ..Default::default()
            };
            let own = search
                .search(&probe)
                .expect("search runs")
                .hits
                .first()
                .map(|h| format!("{:?} {:?}", h.card.title, h.card.names))
                .unwrap_or_else(|| "NOT INDEXED".into());
            eprintln!("miss: {query:?} true {truth_id} [{own}] reported {:?}: {}", reported.text, titles.join("; "));
        }
        if kind == EntityKind::Person {
            let exact = format!("\"{} {}\"", reported.text.0, reported.text.1);
            let parsed = ParsedQuery::parse(&exact).expect("a phrase parses");
            let request = SearchRequest { query: parsed, kinds: kinds.clone(), force, limit: 50, ..Default::default() };
            let same = search.search(&request).expect("search runs").total;
            outcome.crowded += usize::from(same > 5);
        }
    }
    outcome
}

fn latency_of(search: &SearchIndex, queries: &[String], kinds: &[&'static str]) -> (f64, f64) {
    let mut times = Vec::new();
    for query in queries {
        let request = SearchRequest {
            query: ParsedQuery::parse(query).expect("an id parses"),
            kinds: kinds.to_vec(),
            limit: 5,
            ..Default::default()
        };
        let t = Instant::now();
        search.search(&request).expect("search runs");
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    percentiles(&mut times)
}

fn filtered_latency(search: &SearchIndex, words: &[String], n: usize) -> (f64, f64) {
    let forces: Vec<&str> = orca_model::ForceRegistry::global().iter().map(|f| f.id.as_str()).take(43).collect();
    let mut times = Vec::new();
    for i in 0..n {
        let request = SearchRequest {
            query: ParsedQuery::parse(&words[i % words.len()]).expect("parses"),
            kinds: vec!["incident"],
            force: Some(forces[i % forces.len()].to_owned()),
            from: chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").ok().map(|t| t.to_utc()),
            limit: 20,
            ..Default::default()
        };
        let t = Instant::now();
        search.search(&request).expect("search runs");
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    percentiles(&mut times)
}

fn percentiles(times: &mut [f64]) -> (f64, f64) {
    if times.is_empty() {
        return (0.0, 0.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99))
}
