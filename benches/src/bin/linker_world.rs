//! The linker on a simulated world with perfect resolution (each sighting's true person and vehicle
//! as its entity id), scored against the world's true groups, then timed adding one incident at a
//! time to a graph of `--copies` disjoint copies of the world.
//!
//! `cargo run --release -p orca-benches --bin linker-world -- [--incidents 100000] [--seed 1]
//!  [--copies 10] [--probes 1000]`
//!
//! Prints group recall and precision at Jaccard ≥ 0.5 and the cross-border share (orca-eval), then
//! the time of `apply` + `refresh` for each probe incident (a copy of a group incident, a minute
//! after the latest) on the world and on the enlarged graph: median, p99 and max, and their ratio.
//!
//! `--grow N` instead grows the one world through the linker as the linker service does (apply and
//! recompute after every incident, in the world's order; publish and take the state changes after
//! every `--batch B` incidents, default 1) and reports, for every N incidents, the cost per
//! incident (mean, p99, max, split into apply / recompute / publish with take_changes), the packages emitted, the persons and groups, the persons the last refresh
//! recomputed, and the process's resident memory (the simulated world included): how the
//! linker's cost per incident changes as its history grows. `--digest` also prints a hash of every
//! package emitted and every state change (the timings then include the hashing): two builds that
//! print the same digest computed the same packages and state.
//!
//! `--resolver` puts the real resolver (orca-resolve, default config) in front instead of the truth:
//! incidents are normalised as ingest would, resolved one by one, and detected members are mapped to
//! true persons by majority of their sightings (orca-eval's person map). No timing in that mode.
//! `--batch N` refreshes after every N resolutions (default 1, as the linker service does);
//! `--spree`, `--crew WEIGHT` and `--prior-reference N` set the resolver options of those names.

use orca_benches::groups::{detected_groups, true_groups};
use orca_eval::evaluate_groups;
use orca_model::{IncidentId, Resolution, SightingLink};
use orca_model::{LinkDecision, StoreId};
use orca_network::{Linker, LinkerConfig};
use orca_simulate::{SimulatedIncident, World, WorldParams};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A resolution from the truth, ids suffixed with the copy number (copy 0 keeps the ids).
fn perfect(simulated: &SimulatedIncident, forces: &HashMap<StoreId, orca_model::ForceId>, copy: u64) -> Resolution {
    let suffix = |id: &str| if copy == 0 { id.to_owned() } else { format!("{id}~{copy}") };
    let mut incident = simulated.incident.clone();
    incident.id = IncidentId::new(suffix(simulated.incident_id.as_str()));
    incident.force = forces.get(&incident.store).cloned().unwrap_or_default();
    let link = |index: u32, entity: String| SightingLink {
        sighting_index: index,
        entity_id: entity,
        decision: LinkDecision::AutoLink,
        probability: 1.0,
        evidence: Vec::new(),
        candidate: None,
        runner_up: None,
    };
    Resolution {
        incident_id: incident.id.clone(),
        persons: simulated.persons.iter().map(|t| link(t.index, suffix(&t.person))).collect(),
        vehicles: simulated.vehicles.iter().map(|t| link(t.index, suffix(&t.vehicle))).collect(),
        incident: Some(incident),
        merges: Vec::new(),
        splits: Vec::new(),
        decisions: Vec::new(),
        withdrawal: None,
    }
}

/// `--config '<json>'` overrides the linker's defaults (a `LinkerConfig` in JSON).
fn config(args: &[String]) -> LinkerConfig {
    args.iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
        .map(|json| serde_json::from_str(json).expect("--config takes a LinkerConfig in JSON"))
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let incidents = arg(&args, "--incidents", 100_000);
    let seed = arg(&args, "--seed", 1);
    let copies = arg(&args, "--copies", 10).max(1);
    let probes = arg(&args, "--probes", 1000) as usize;
    if args.iter().any(|a| a == "--resolver") {
        let batch = arg(&args, "--batch", 1).max(1) as usize;
        let mut resolver = orca_resolve::ResolverConfig {
            spree_evidence: args.iter().any(|a| a == "--spree"),
            prior_reference_persons: arg(&args, "--prior-reference", 100_000),
            ..Default::default()
        };
        if let Some(weight) = args.iter().position(|a| a == "--crew").and_then(|i| args.get(i + 1)) {
            resolver.crew_min_weight = weight.parse().ok();
        }
        return with_resolver(seed, incidents, batch, resolver, config(&args));
    }

    let started = Instant::now();
    let world = World::new(WorldParams::new(seed, incidents));
    let forces: HashMap<StoreId, orca_model::ForceId> =
        world.stores().iter().map(|s| (s.id.clone(), s.force.clone())).collect();
    let mut stream = world.incidents();
    let simulated: Vec<SimulatedIncident> = stream.by_ref().collect();
    let summary = stream.summary();
    println!(
        "world: {} incidents, seed {seed}, simulated in {:.1} s",
        simulated.len(),
        started.elapsed().as_secs_f64()
    );

    if let Some(window) = args.iter().position(|a| a == "--grow").map(|_| arg(&args, "--grow", 50_000).max(1)) {
        let options = GrowOptions {
            window: window as usize,
            batch: arg(&args, "--batch", 1).max(1) as usize,
            digest: args.iter().any(|a| a == "--digest"),
        };
        return grow(&simulated, &forces, config(&args), options);
    }

    let started = Instant::now();
    let mut linker = Linker::new(config(&args));
    for incident in &simulated {
        linker.apply(&perfect(incident, &forces, 0));
    }
    let packages = linker.refresh();
    println!(
        "linker: {} groups, {} packages in {:.1} s ({:?})",
        linker.groups().len(),
        packages.len(),
        started.elapsed().as_secs_f64(),
        linker.stats()
    );

    // Score against the truth.
    let true_groups = true_groups(&world, &summary);
    let detected = detected_groups(&linker);
    let identity: HashMap<String, String> =
        detected.iter().flat_map(|g| g.members.iter().map(|m| (m.clone(), m.clone()))).collect();
    let report = evaluate_groups(&true_groups, &detected, &identity).expect("valid groups");
    print_report(&report);

    if probes == 0 {
        return;
    }
    let group_incidents: Vec<&SimulatedIncident> = simulated.iter().filter(|s| s.group.is_some()).collect();
    let latest = simulated.iter().filter_map(|s| s.incident.occurred_from).max().unwrap_or_default();
    let probe = |linker: &mut Linker, label: &str, copies: u64| {
        let mut times = Vec::with_capacity(probes);
        let mut parts = [0.0f64; 3];
        let mut sizes = Vec::with_capacity(probes);
        for probe in 0..probes {
            let source = group_incidents[(probe * 7919) % group_incidents.len()];
            let mut resolution = perfect(source, &forces, probe as u64 % copies);
            resolution.incident_id = IncidentId::new(format!("PROBE-{label}-{probe}"));
            let incident = resolution.incident.as_mut().expect("a perfect resolution carries its incident");
            incident.id = resolution.incident_id.clone();
            incident.occurred_from = Some(latest + chrono::Duration::minutes(probe as i64 + 1));
            let started = Instant::now();
            linker.apply(&resolution);
            let applied = started.elapsed().as_secs_f64();
            let packages = linker.refresh();
            let refreshed = started.elapsed().as_secs_f64();
            sizes.push(linker.stats().last_refresh_persons);
            let changes = linker.take_changes();
            let total = started.elapsed().as_secs_f64();
            parts[0] += applied;
            parts[1] += refreshed - applied;
            parts[2] += total - refreshed;
            times.push(total * 1000.0);
            std::hint::black_box((packages, changes));
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        let mean = |part: f64| part * 1000.0 / probes as f64;
        sizes.sort_unstable();
        println!(
            "  persons re-partitioned per probe: median {}, p99 {}, max {}",
            sizes[sizes.len() / 2],
            sizes[(sizes.len() * 99).div_ceil(100).clamp(1, sizes.len()) - 1],
            sizes[sizes.len() - 1]
        );
        println!(
            "incremental on {} incidents ({} probes; apply + refresh + take_changes): median {:.2} ms, p99 {:.2} ms, max {:.2} ms; mean apply {:.2} / refresh {:.2} / take_changes {:.2} ms",
            linker.stats().incidents,
            times.len(),
            at(0.5),
            at(0.99),
            at(1.0),
            mean(parts[0]),
            mean(parts[1]),
            mean(parts[2])
        );
        (at(0.5), at(0.99))
    };
    linker.take_changes();
    let (base_median, base_p99) = probe(&mut linker, "base", 1);

    // The enlarged graph: disjoint copies of the world.
    let started = Instant::now();
    for copy in 1..copies {
        for incident in &simulated {
            linker.apply(&perfect(incident, &forces, copy));
        }
        linker.refresh();
    }
    linker.take_changes();
    println!(
        "enlarged: {} incidents in {:.1} s ({:?})",
        linker.stats().incidents,
        started.elapsed().as_secs_f64(),
        linker.stats()
    );
    let (median, p99) = probe(&mut linker, "large", copies);
    println!("ratio enlarged / base (same run): median {:.2}, p99 {:.2}", median / base_median, p99 / base_p99);
}

fn print_report(report: &orca_eval::GroupsReport) {
    println!(
        "groups: true {} detected {} matched {} recall {:.3} precision {:.3} (Jaccard >= {})",
        report.true_groups, report.detected_groups, report.matched, report.recall, report.precision, report.threshold
    );
    println!(
        "cross-border: {} true cross-border groups, {} matched with every force listed (share {:.3}); listed-force precision {:.3}",
        report.cross_border.true_cross_border_groups,
        report.cross_border.detected_with_all_forces,
        report.cross_border.share,
        report.cross_border.listed_force_precision
    );
    for unmatched in report.matches.iter().filter(|m| m.matched.is_none()) {
        println!(
            "  unmatched true group {} ({} members): best {:?}",
            unmatched.true_group, unmatched.members, unmatched.best
        );
    }
}

/// Linker cost over one reporting window of the `--resolver` run.
#[derive(Default)]
struct Window {
    incidents: u64,
    seconds: f64,
    refreshed: u64,
    largest: u64,
}

impl Window {
    fn print(&self, linker: &Linker) {
        println!(
            "{:>10} {:>12.3} {:>14.1} {:>14}",
            linker.stats().incidents,
            self.seconds * 1000.0 / self.incidents as f64,
            self.refreshed as f64 / self.incidents as f64,
            self.largest
        );
    }
}

fn with_resolver(
    seed: u64,
    incidents: u64,
    batch_size: usize,
    resolver_config: orca_resolve::ResolverConfig,
    config: LinkerConfig,
) {
    use orca_model::validate::validate_and_normalise;
    use orca_resolve::Resolver;

    let world = World::new(WorldParams::new(seed, incidents));
    let registry = orca_model::StoreRegistry::new(world.stores().iter().cloned());
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").expect("date").with_timezone(&chrono::Utc);
    let mut stream = world.incidents();
    let mut resolver = Resolver::new(resolver_config);
    let mut linker = Linker::new(config);
    let mut truth: HashMap<(IncidentId, u32), String> = HashMap::new();
    let started = Instant::now();
    let (mut resolve_seconds, mut link_seconds) = (0.0, 0.0);
    let mut batch = Vec::new();
    let report_every = (incidents / 10).max(batch_size as u64);
    let mut window = Window::default();
    println!("linker after the real resolver, as the service runs it (recompute per resolution, publish per batch):");
    println!("{:>10} {:>12} {:>14} {:>14}", "incidents", "link ms", "mean refreshed", "max refreshed");
    for simulated in stream.by_ref() {
        let mut incident = simulated.incident;
        if validate_and_normalise(&mut incident, &registry, now).is_err() {
            continue;
        }
        for row in simulated.persons {
            truth.insert((incident.id.clone(), row.index), row.person);
        }
        let t = Instant::now();
        batch.push(resolver.resolve(&incident));
        resolver.take_changes();
        resolve_seconds += t.elapsed().as_secs_f64();
        if batch.len() == batch_size {
            let t = Instant::now();
            for resolution in batch.drain(..) {
                linker.apply(&resolution);
                linker.recompute();
                window.refreshed += linker.stats().last_refresh_persons;
                window.largest = window.largest.max(linker.stats().last_refresh_persons);
            }
            linker.publish();
            linker.take_changes();
            let elapsed = t.elapsed().as_secs_f64();
            link_seconds += elapsed;
            window.seconds += elapsed;
            window.incidents += batch_size as u64;
            if window.incidents >= report_every {
                window.print(&linker);
                window = Window::default();
            }
        }
    }
    let t = Instant::now();
    for resolution in batch.drain(..) {
        linker.apply(&resolution);
        linker.recompute();
    }
    linker.publish();
    link_seconds += t.elapsed().as_secs_f64();
    let summary = stream.summary();
    println!(
        "real resolver: {} offender sightings in {:.1} s (resolve {:.1} s, link in batches of {batch_size} {:.1} s); {:?}",
        truth.len(),
        started.elapsed().as_secs_f64(),
        resolve_seconds,
        link_seconds,
        linker.stats()
    );
    let sightings: Vec<(String, String)> = truth
        .iter()
        .filter_map(|((incident, index), person)| {
            Some((linker.person_of_sighting(incident, *index)?.to_string(), person.clone()))
        })
        .collect();
    let person_map = orca_eval::map_predicted_to_true(&sightings);
    let detected = detected_groups(&linker);
    let truth_groups = true_groups(&world, &summary);
    let report = evaluate_groups(&truth_groups, &detected, &person_map).expect("valid groups");
    print_report(&report);
    if std::env::var_os("LINKER_WORLD_DETAIL").is_some() {
        let group_of: HashMap<&str, &str> =
            truth_groups.iter().flat_map(|g| g.members.iter().map(move |m| (m.as_str(), g.id.as_str()))).collect();
        let matched: BTreeSet<&str> =
            report.matches.iter().filter_map(|m| m.matched.as_ref()).map(|d| d.detected_group.as_str()).collect();
        for group in linker.groups().iter().filter(|g| !matched.contains(g.id.as_str())) {
            let members: Vec<String> = group
                .members
                .iter()
                .map(|m| {
                    let truth = person_map.get(m.person.as_str()).map(String::as_str).unwrap_or("?");
                    format!("{}→{}", m.incidents, group_of.get(truth).copied().unwrap_or("none"))
                })
                .collect();
            println!("  unmatched detected {} ({} incidents): {}", group.id, group.incidents.len(), members.join(" "));
        }
    }
}

/// What a grow run checks and how it publishes.
struct GrowOptions {
    /// Report every this many incidents.
    window: usize,
    /// Publish (and take the state changes) after every this many incidents, as the linker
    /// service does after every batch it reads; 1 publishes after every incident.
    batch: usize,
    digest: bool,
}

/// The linker fed one incident at a time (apply and recompute), publishing every `batch`
/// incidents, reporting every `window` incidents.
fn grow(
    simulated: &[SimulatedIncident],
    forces: &HashMap<StoreId, orca_model::ForceId>,
    config: LinkerConfig,
    options: GrowOptions,
) {
    let GrowOptions { window, batch, digest } = options;
    println!("publishing after every {batch} incident(s)");
    println!(
        "{:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>8} {:>7}",
        "incidents",
        "mean ms",
        "p99 ms",
        "max ms",
        "apply",
        "recompute",
        "publish",
        "packages",
        "persons",
        "refreshed",
        "groups",
        "RSS MB"
    );
    let mut linker = Linker::new(config);
    let started = Instant::now();
    let (mut times, mut parts, mut packages) = (Vec::with_capacity(window), [0.0f64; 3], 0usize);
    // What the linker emitted and stored, to check that a faster build computes the same thing,
    // and the last content of every package, to check that batching ends where it should.
    let (mut package_digest, mut state_digest) = (DefaultHasher::new(), DefaultHasher::new());
    let mut latest: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (n, incident) in simulated.iter().enumerate() {
        let resolution = perfect(incident, forces, 0);
        let begun = Instant::now();
        linker.apply(&resolution);
        let applied = begun.elapsed().as_secs_f64();
        linker.recompute();
        let recomputed = begun.elapsed().as_secs_f64();
        if (n + 1) % batch == 0 || n + 1 == simulated.len() {
            let emitted = linker.publish();
            let changes = linker.take_changes();
            packages += emitted.len();
            if digest {
                for package in &emitted {
                    serde_json::to_vec(package).expect("packages serialise").hash(&mut package_digest);
                    let mut unnumbered = package.clone();
                    unnumbered.version = 0;
                    latest.insert(package.id.to_string(), serde_json::to_vec(&unnumbered).expect("serialise"));
                }
                for change in &changes {
                    (&change.namespace, &change.key, &change.value).hash(&mut state_digest);
                }
            }
            std::hint::black_box((emitted, changes));
        }
        let total = begun.elapsed().as_secs_f64();
        parts[0] += applied;
        parts[1] += recomputed - applied;
        parts[2] += total - recomputed;
        times.push(total * 1000.0);
        if (n + 1) % window == 0 || n + 1 == simulated.len() {
            times.sort_by(f64::total_cmp);
            let count = times.len() as f64;
            let p99 = times[((count * 0.99).ceil() as usize).clamp(1, times.len()) - 1];
            let stats = linker.stats();
            println!(
                "{:>9} {:>9.3} {:>9.2} {:>9.1} {:>9.3} {:>9.3} {:>9.3} {:>9} {:>8} {:>9} {:>8} {:>7}",
                n + 1,
                times.iter().sum::<f64>() / count,
                p99,
                times.last().copied().unwrap_or(0.0),
                parts[0] * 1000.0 / count,
                parts[1] * 1000.0 / count,
                parts[2] * 1000.0 / count,
                packages,
                stats.persons,
                stats.last_refresh_persons,
                stats.groups,
                resident_mb(),
            );
            times.clear();
            parts = [0.0; 3];
            packages = 0;
        }
    }
    println!("grown to {} incidents in {:.1} s", simulated.len(), started.elapsed().as_secs_f64());
    if digest {
        let mut last = DefaultHasher::new();
        latest.hash(&mut last);
        serde_json::to_vec(&linker.groups()).expect("views serialise").hash(&mut last);
        if let Some(path) = std::env::var_os("LINKER_WORLD_DUMP") {
            let mut out = String::new();
            for (id, body) in &latest {
                out.push_str(&format!("{id}\t{}\n", String::from_utf8_lossy(body)));
            }
            for group in linker.groups() {
                out.push_str(&format!("view {}\t{}\n", group.id, serde_json::to_string(&group).expect("json")));
            }
            std::fs::write(path, out).expect("writing the dump");
        }
        println!(
            "digest: packages {:016x}, state {:016x}, last package contents and groups {:016x}",
            package_digest.finish(),
            state_digest.finish(),
            last.finish()
        );
    }
}

/// This process's resident memory (Linux), in MB.
fn resident_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb =
        status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()?.parse().ok());
    kb.unwrap_or(0) / 1024
}
