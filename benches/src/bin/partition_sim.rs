//! What partitioning the resolver costs in accuracy: one simulated world resolved unpartitioned
//! (the baseline) and split into P independent resolvers four ways, each scored against the
//! world's truth, then linked by one linker and its groups scored against the true groups.
//!
//! `cargo run --release -p orca-benches --bin partition-sim -- [--incidents 100000] [--seed 1]
//!  [--partitions 2 4 8] [--schemes incident,force,key,lead] [--rules names,birth,faces,plates]
//!  [--no-link]`
//!
//! Schemes (incidents are normalised as ingest would, then routed):
//! - `incident`: by a hash of the incident id, what the incidents topic (keyed by incident id)
//!   gives a consumer group of P resolvers each owning its partitions' state.
//! - `force`: by the force of the incident's store; forces are assigned to partitions largest
//!   first to the least loaded (as an operator would draw regions), so a cross-force offender is
//!   split between regions.
//! - `key`: sighting by sighting, by the blocking key the resolver's name blocks share: the Double
//!   Metaphone code of the family name (of the given name when there is no family name; by the
//!   region, as `force`, for an unnamed sighting). An incident whose sightings route to several
//!   partitions is split: each partition resolves the sightings it owns, and its vehicles go with
//!   its first person sighting's partition (the region's without persons). Co-offender and
//!   shared-vehicle evidence is lost when it spans partitions.
//! - `lead`: whole incidents, by the name key of their first named person sighting (by the region
//!   without one): crews stay together, a person's named and unnamed sightings may not.
//!
//! Every partitioned scheme is scored twice: raw (each partition's entities as they are) and after
//! a reconciliation pass that merges entities of different partitions sharing an exact strong key
//! (`--rules` picks them): `names`, a person's family-name code with a full date of birth or with a
//! forensic-marker code; `birth`, the given-name code with a full date of birth; `plates`, a
//! vehicle's full plate with its make, model and colour (within such a key each partition
//! contributes the entity with the most sightings under it); `faces`, face templates of different
//! partitions in one hash bucket with cosine similarity at least 0.90. A merge is refused when a
//! sighting of one side is an impossible journey from a sighting of the other (the resolver's
//! default speed and slack).
//!
//! Reported per run: person pairwise precision, recall and F1 and vehicle precision and recall
//! (orca-eval); the share of true same-person pairs that the routing put in different partitions
//! (what no partition can find on its own); resolver seconds summed over partitions and the
//! slowest partition's (the wall time if each partition had its own core); incidents (or
//! sub-incidents) in the busiest partition.
//! Unless `--no-link`, the reconciled resolutions are linked in the world's order by one linker
//! (apply and recompute after every incident, publish every 2,000, as the linker service does),
//! each link naming the entity its sighting ends in (after the resolver's merges and the
//! reconciliation), and the linker's groups are scored against the true groups as `linker-world
//! --resolver` does (recall and precision at Jaccard >= 0.5, persons mapped to true persons by the
//! majority of their sightings).

use orca_benches::groups::{detected_groups, true_groups};
use orca_eval::{Group, evaluate_groups};
use orca_model::validate::validate_and_normalise;
use orca_model::{Incident, Resolution, SightingKey, SightingLink};
use orca_network::{Linker, LinkerConfig};
use orca_resolve::names::{NameTable, split_alias, split_person_name};
use orca_resolve::travel::{Place, impossible};
use orca_resolve::{Resolver, ResolverConfig};
use orca_simulate::{World, WorldParams};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::time::Instant;

/// One normalised incident with the true person and vehicle of each of its sightings.
struct Case {
    incident: Incident,
    persons: Vec<(u32, String)>,
    vehicles: Vec<(u32, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scheme {
    Unpartitioned,
    Incident,
    Force,
    Key,
    Lead,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Unpartitioned => "none",
            Scheme::Incident => "incident",
            Scheme::Force => "force",
            Scheme::Key => "key",
            Scheme::Lead => "lead",
        }
    }
}

/// What one partition resolves for one incident: the incident's person and vehicle sightings it
/// owns (original indexes, in order).
struct Share {
    case: usize,
    persons: Vec<u32>,
    vehicles: Vec<u32>,
}

/// What a run produced: each sighting's entity (partition-qualified) and its link.
struct Outcome {
    /// `(case, index)` → link as resolved, its entity id qualified by the partition.
    persons: HashMap<(usize, u32), SightingLink>,
    vehicles: HashMap<(usize, u32), SightingLink>,
    /// `(case, index)` → the partition that resolved the person sighting.
    partition_of: HashMap<(usize, u32), usize>,
    /// Resolver seconds per partition.
    seconds: Vec<f64>,
    /// Incidents (whole or split) per partition.
    loads: Vec<usize>,
}

fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let incidents = arg(&args, "--incidents", 100_000);
    let seed = arg(&args, "--seed", 1);
    let mut partitions: Vec<usize> = match args.iter().position(|a| a == "--partitions") {
        Some(at) => args[at + 1..].iter().map_while(|a| a.parse().ok()).collect(),
        None => vec![2, 4, 8],
    };
    partitions.retain(|&p| p > 1);
    let schemes: Vec<Scheme> = args
        .iter()
        .position(|a| a == "--schemes")
        .and_then(|i| args.get(i + 1))
        .map_or("incident,force,key,lead", String::as_str)
        .split(',')
        .map(|s| match s {
            "incident" => Scheme::Incident,
            "force" => Scheme::Force,
            "key" => Scheme::Key,
            "lead" => Scheme::Lead,
            other => panic!("unknown scheme `{other}` (incident, force, key or lead)"),
        })
        .collect();
    let link = !args.iter().any(|a| a == "--no-link");
    let rules = Rules::from_arg(args.iter().position(|a| a == "--rules").and_then(|i| args.get(i + 1)));

    let started = Instant::now();
    let world = World::new(WorldParams::new(seed, incidents));
    let registry = orca_model::StoreRegistry::new(world.stores().iter().cloned());
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").expect("date").with_timezone(&chrono::Utc);
    let mut stream = world.incidents();
    let mut cases = Vec::with_capacity(incidents as usize);
    for simulated in stream.by_ref() {
        let mut incident = simulated.incident;
        if validate_and_normalise(&mut incident, &registry, now).is_err() {
            continue;
        }
        cases.push(Case {
            incident,
            persons: simulated.persons.into_iter().map(|t| (t.index, t.person)).collect(),
            vehicles: simulated.vehicles.into_iter().map(|t| (t.index, t.vehicle)).collect(),
        });
    }
    let true_groups = true_groups(&world, &stream.summary());
    println!(
        "world: seed {seed}, {} incidents valid, {} offender sightings, {} vehicle sightings, {} true groups; built in {:.1} s",
        cases.len(),
        cases.iter().map(|c| c.persons.len()).sum::<usize>(),
        cases.iter().map(|c| c.vehicles.len()).sum::<usize>(),
        true_groups.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<9} {:>2} {:<10} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>7} {:>7} {:>9} {:>6} {:>6} {:>6}",
        "scheme",
        "P",
        "pass",
        "pers P",
        "pers R",
        "pers F1",
        "veh P",
        "veh R",
        "cross",
        "persons",
        "res s",
        "max s",
        "max load",
        "groups",
        "grp R",
        "grp P"
    );

    let config = ResolverConfig::default();
    let baseline = run(&cases, Scheme::Unpartitioned, 1, &config);
    report(&cases, Scheme::Unpartitioned, 1, &baseline, "", &true_groups, link);
    for &p in &partitions {
        for &scheme in &schemes {
            let outcome = run(&cases, scheme, p, &config);
            report(&cases, scheme, p, &outcome, "raw", &true_groups, false);
            let reconciled = reconcile(&cases, outcome, &rules);
            report(&cases, scheme, p, &reconciled, "reconciled", &true_groups, link);
        }
    }
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}

/// Which partition each force's incidents go to: forces by incident count, largest first, each to
/// the partition with the fewest incidents so far.
fn regions(cases: &[Case], partitions: usize) -> HashMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for case in cases {
        *counts.entry(case.incident.force.to_string()).or_default() += 1;
    }
    let mut forces: Vec<(String, usize)> = counts.into_iter().collect();
    forces.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut load = vec![0usize; partitions];
    let mut out = HashMap::new();
    for (force, count) in forces {
        let least = (0..partitions).min_by_key(|&p| (load[p], p)).expect("at least one partition");
        load[least] += count;
        out.insert(force, least);
    }
    out
}

/// The name a sighting is routed by: its family name's code, else its given name's (an alias's
/// when it has no name of its own); `None` for an unnamed sighting.
fn routing_name(sighting: &orca_model::PersonSighting, names: &mut NameTable) -> Option<u64> {
    let mut candidates = vec![split_person_name(&sighting.given_names, &sighting.family_name)];
    candidates.extend(sighting.aliases.iter().map(|a| split_alias(a)));
    let phonetic = |text: &str, names: &mut NameTable| {
        let id = names.intern(text);
        u64::from(names.get(id).phonetic[0])
    };
    if let Some((_, family)) = candidates.iter().find(|(_, f)| !f.is_empty()) {
        return Some(phonetic(family, names) << 1);
    }
    let (given, _) = candidates.iter().find(|(g, _)| !g.is_empty())?;
    Some(phonetic(given, names) << 1 | 1)
}

/// Routes every incident (or its sightings) to partitions.
fn route(cases: &[Case], scheme: Scheme, partitions: usize) -> Vec<Vec<Share>> {
    let mut out: Vec<Vec<Share>> = (0..partitions).map(|_| Vec::new()).collect();
    let regions = regions(cases, partitions);
    let mut names = NameTable::default();
    for (i, case) in cases.iter().enumerate() {
        let incident = &case.incident;
        let whole = || Share {
            case: i,
            persons: (0..incident.persons.len() as u32).collect(),
            vehicles: (0..incident.vehicles.len() as u32).collect(),
        };
        let region = regions[incident.force.as_str()];
        match scheme {
            Scheme::Unpartitioned => out[0].push(whole()),
            Scheme::Incident => {
                let p = (hash_of(incident.id.as_str()) % partitions as u64) as usize;
                out[p].push(whole());
            }
            Scheme::Force => out[region].push(whole()),
            Scheme::Lead => {
                let p = incident
                    .persons
                    .iter()
                    .find_map(|sighting| routing_name(sighting, &mut names))
                    .map_or(region, |code| (orca_resolve::blocking::mix(code) % partitions as u64) as usize);
                out[p].push(whole());
            }
            Scheme::Key => {
                let mut shares: BTreeMap<usize, Share> = BTreeMap::new();
                let mut lead = None;
                for (j, sighting) in incident.persons.iter().enumerate() {
                    let p = routing_name(sighting, &mut names)
                        .map_or(region, |code| (orca_resolve::blocking::mix(code) % partitions as u64) as usize);
                    lead.get_or_insert(p);
                    shares
                        .entry(p)
                        .or_insert_with(|| Share { case: i, persons: Vec::new(), vehicles: Vec::new() })
                        .persons
                        .push(j as u32);
                }
                let lead = lead.unwrap_or(region);
                shares
                    .entry(lead)
                    .or_insert_with(|| Share { case: i, persons: Vec::new(), vehicles: Vec::new() })
                    .vehicles = (0..incident.vehicles.len() as u32).collect();
                for (p, share) in shares {
                    out[p].push(share);
                }
            }
        }
    }
    out
}

/// Resolves each partition's shares with its own resolver, one partition after another.
fn run(cases: &[Case], scheme: Scheme, partitions: usize, config: &ResolverConfig) -> Outcome {
    let routed = route(cases, scheme, partitions);
    let mut outcome = Outcome {
        persons: HashMap::new(),
        vehicles: HashMap::new(),
        partition_of: HashMap::new(),
        seconds: Vec::with_capacity(partitions),
        loads: routed.iter().map(Vec::len).collect(),
    };
    for (p, shares) in routed.into_iter().enumerate() {
        let mut resolver = Resolver::new(config.clone());
        let mut links = Vec::with_capacity(shares.len());
        let started = Instant::now();
        for share in &shares {
            let incident = &cases[share.case].incident;
            let whole =
                share.persons.len() == incident.persons.len() && share.vehicles.len() == incident.vehicles.len();
            let resolution = if whole {
                resolver.resolve(incident)
            } else {
                let mut part = incident.clone();
                part.persons = share.persons.iter().map(|&j| incident.persons[j as usize].clone()).collect();
                part.vehicles = share.vehicles.iter().map(|&j| incident.vehicles[j as usize].clone()).collect();
                resolver.resolve(&part)
            };
            resolver.take_changes();
            links.push(resolution);
        }
        outcome.seconds.push(started.elapsed().as_secs_f64());
        // Each link names the entity its sighting ends in, qualified by the partition.
        let qualify = |id: &str| format!("{p}/{id}");
        for (share, resolution) in shares.iter().zip(links) {
            let incident_id = &cases[share.case].incident.id;
            for mut link in resolution.persons {
                let key = SightingKey::new(incident_id.clone(), link.sighting_index);
                let entity = resolver.person_of(&key).expect("a resolved sighting has a person");
                link.entity_id = qualify(entity.as_str());
                link.candidate = link.candidate.map(|c| qualify(&c));
                link.runner_up = None;
                let original = share.persons[link.sighting_index as usize];
                link.sighting_index = original;
                outcome.persons.insert((share.case, original), link);
                outcome.partition_of.insert((share.case, original), p);
            }
            for mut link in resolution.vehicles {
                let key = SightingKey::new(incident_id.clone(), link.sighting_index);
                let entity = resolver.vehicle_of(&key).expect("a resolved sighting has a vehicle");
                link.entity_id = qualify(entity.as_str());
                link.candidate = link.candidate.map(|c| qualify(&c));
                link.runner_up = None;
                let original = share.vehicles[link.sighting_index as usize];
                link.sighting_index = original;
                outcome.vehicles.insert((share.case, original), link);
            }
        }
    }
    outcome
}

/// Face-template hashing for the reconciliation: the resolver's default tables and bits.
const FACE_TABLES: u32 = 6;
const FACE_BITS: u32 = 8;
/// The resolver's default travel check.
const MAX_SPEED_KMH: f64 = 130.0;
const SLACK_KM: f64 = 60.0;
/// The cosine similarity at which the resolver calls two face templates very alike (its default).
const FACE_SAME: f32 = 0.90;

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na.sqrt() * nb.sqrt()) }
}

/// Which reconciliation rules run (`--rules names,birth,faces,plates`; all by default).
struct Rules {
    /// Family-name code with a full date of birth, or with a marker code.
    names: bool,
    /// Given-name code with a full date of birth.
    birth: bool,
    faces: bool,
    plates: bool,
}

impl Rules {
    fn from_arg(arg: Option<&String>) -> Rules {
        let on = |rule: &str| arg.is_none_or(|list| list.split(',').any(|r| r == rule));
        Rules { names: on("names"), birth: on("birth"), faces: on("faces"), plates: on("plates") }
    }
}

/// Union-find over entity ids.
#[derive(Default)]
struct Unions {
    parent: HashMap<String, String>,
    /// Where and when each set's sightings were.
    places: HashMap<String, Vec<Place>>,
    /// Merges refused for an impossible journey.
    refused: u64,
}

impl Unions {
    fn find(&mut self, id: &str) -> String {
        let mut root = id.to_owned();
        while let Some(parent) = self.parent.get(&root) {
            root = parent.clone();
        }
        if root != id {
            self.parent.insert(id.to_owned(), root.clone());
        }
        root
    }

    /// Joins the two entities' sets unless some sighting of one is an impossible journey from some
    /// sighting of the other (the resolver's check, with its default speed and slack).
    fn union(&mut self, a: &str, b: &str) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let empty = Vec::new();
        let (pa, pb) = (self.places.get(&a).unwrap_or(&empty), self.places.get(&b).unwrap_or(&empty));
        if pa.iter().any(|x| pb.iter().any(|y| impossible(x, y, MAX_SPEED_KMH, SLACK_KM))) {
            self.refused += 1;
            return;
        }
        let (keep, gone) = if a < b { (a, b) } else { (b, a) };
        let moved = self.places.remove(&gone).unwrap_or_default();
        self.places.entry(keep.clone()).or_default().extend(moved);
        self.parent.insert(gone, keep);
    }
}

/// Merges entities of different partitions that share an exact strong key (see the module notes).
fn reconcile(cases: &[Case], mut outcome: Outcome, rules: &Rules) -> Outcome {
    let mut names = NameTable::default();
    // Key → entity → sightings under it.
    let mut persons: HashMap<(u8, u64, String), BTreeMap<String, usize>> = HashMap::new();
    let mut vehicles: HashMap<(String, String), BTreeMap<String, usize>> = HashMap::new();
    // Faces: (model, vector, entity, partition), in a fixed order.
    let mut faces: Vec<(&str, &[f32], &str, usize)> = Vec::new();
    let mut keys: Vec<&(usize, u32)> = outcome.persons.keys().collect();
    keys.sort_unstable();
    for key in keys {
        let link = &outcome.persons[key];
        let sighting = &cases[key.0].incident.persons[key.1 as usize];
        if let Some(face) = sighting.face.as_ref().filter(|f| rules.faces && !f.vector.is_empty()) {
            faces.push((face.model_id.as_str(), &face.vector, link.entity_id.as_str(), outcome.partition_of[key]));
        }
        let (given, family) = split_person_name(&sighting.given_names, &sighting.family_name);
        let mut code = |text: &str| {
            let id = names.intern(text);
            u64::from(names.get(id).phonetic[0])
        };
        let dob = sighting
            .date_of_birth
            .filter(|d| d.month.is_some() && d.day.is_some())
            .map(|d| format!("{}-{:?}-{:?}", d.year, d.month, d.day));
        let marker =
            sighting.marker_code.as_deref().filter(|m| !m.is_empty()).map(orca_model::validate::normalise_marker);
        let mut add = |key: (u8, u64, String)| {
            *persons.entry(key).or_default().entry(link.entity_id.clone()).or_default() += 1;
        };
        if rules.names && !family.is_empty() {
            let family = code(&family);
            if let Some(dob) = &dob {
                add((0, family, dob.clone()));
            }
            if let Some(marker) = &marker {
                add((2, family, marker.clone()));
            }
        }
        if rules.birth
            && !given.is_empty()
            && let Some(dob) = &dob
        {
            add((1, code(&given), dob.clone()));
        }
    }
    for (&(case, index), link) in &outcome.vehicles {
        let sighting = &cases[case].incident.vehicles[index as usize];
        if !rules.plates || sighting.vrm.is_empty() || sighting.vrm.contains('?') {
            continue;
        }
        let description = [&sighting.make, &sighting.model, &sighting.colour].map(|t| t.trim().to_lowercase());
        let key = (sighting.vrm.clone(), description.join("|"));
        *vehicles.entry(key).or_default().entry(link.entity_id.clone()).or_default() += 1;
    }
    let mut unions = Unions::default();
    for (&(case, _), link) in outcome.persons.iter().chain(&outcome.vehicles) {
        unions.places.entry(link.entity_id.clone()).or_default().push(Place::of_incident(&cases[case].incident));
    }
    let merge = |blocks: Vec<BTreeMap<String, usize>>, unions: &mut Unions| {
        for entities in blocks {
            // The entity with the most sightings under the key, per partition.
            let mut best: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
            for (entity, &count) in &entities {
                let partition = entity.split('/').next().unwrap_or("");
                let slot = best.entry(partition).or_insert((entity, count));
                if count > slot.1 {
                    *slot = (entity, count);
                }
            }
            let representatives: Vec<&str> = best.values().map(|(e, _)| *e).collect();
            for pair in representatives.windows(2) {
                unions.union(pair[0], pair[1]);
            }
        }
    };
    let mut person_blocks: Vec<_> = persons.into_iter().collect();
    person_blocks.sort_by(|a, b| a.0.cmp(&b.0));
    merge(person_blocks.into_iter().map(|(_, v)| v).collect(), &mut unions);
    let mut vehicle_blocks: Vec<_> = vehicles.into_iter().collect();
    vehicle_blocks.sort_by(|a, b| a.0.cmp(&b.0));
    merge(vehicle_blocks.into_iter().map(|(_, v)| v).collect(), &mut unions);
    // Faces of different partitions sharing a hash bucket and at least `FACE_SAME` alike.
    let mut hasher = orca_resolve::person::FaceHasher::default();
    let mut buckets: BTreeMap<(&str, u64), Vec<usize>> = BTreeMap::new();
    for (i, (model, vector, _, _)) in faces.iter().enumerate() {
        for bucket in hasher.buckets(vector, FACE_TABLES, FACE_BITS) {
            buckets.entry((model, bucket)).or_default().push(i);
        }
    }
    let mut face_pairs = Vec::new();
    for members in buckets.values() {
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                let ((_, va, ea, pa), (_, vb, eb, pb)) = (faces[a], faces[b]);
                if pa != pb && ea != eb && cosine(va, vb) >= FACE_SAME {
                    face_pairs.push((ea, eb));
                }
            }
        }
    }
    for (a, b) in face_pairs {
        unions.union(a, b);
    }
    for link in outcome.persons.values_mut().chain(outcome.vehicles.values_mut()) {
        link.entity_id = unions.find(&link.entity_id);
    }
    outcome
}

/// Scores a run and prints its row (and links it, when asked).
fn report(
    cases: &[Case],
    scheme: Scheme,
    partitions: usize,
    outcome: &Outcome,
    pass: &str,
    truth: &[Group],
    link: bool,
) {
    let score = |links: &HashMap<(usize, u32), SightingLink>, person: bool| {
        let mut truth_rows = Vec::new();
        let mut predicted = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let rows = if person { &case.persons } else { &case.vehicles };
            for (index, who) in rows {
                truth_rows.push(((i, *index), who.as_str()));
                if let Some(link) = links.get(&(i, *index)) {
                    predicted.push(((i, *index), link.entity_id.as_str()));
                }
            }
        }
        orca_eval::pairwise(&truth_rows, &predicted).expect("valid clustering")
    };
    let persons = score(&outcome.persons, true);
    let vehicles = score(&outcome.vehicles, false);
    // True same-person pairs whose sightings landed in different partitions.
    let mut spread: HashMap<&str, BTreeMap<usize, u64>> = HashMap::new();
    for (i, case) in cases.iter().enumerate() {
        for (index, who) in &case.persons {
            if let Some(&partition) = outcome.partition_of.get(&(i, *index)) {
                *spread.entry(who.as_str()).or_default().entry(partition).or_default() += 1;
            }
        }
    }
    let (mut pairs, mut across) = (0u64, 0u64);
    for partitions in spread.values() {
        let n: u64 = partitions.values().sum();
        let same: u64 = partitions.values().map(|k| k * k.saturating_sub(1) / 2).sum();
        pairs += n * n.saturating_sub(1) / 2;
        across += n * n.saturating_sub(1) / 2 - same;
    }
    let entities: BTreeSet<&str> = outcome.persons.values().map(|l| l.entity_id.as_str()).collect();
    let groups = if link { link_and_score(cases, outcome, truth) } else { None };
    let (groups, recall, precision) = match groups {
        Some((detected, r, p)) => (detected.to_string(), format!("{r:.3}"), format!("{p:.3}")),
        None => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
    };
    println!(
        "{:<9} {:>2} {:<10} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>8} {:>7.1} {:>7.1} {:>9} {:>6} {:>6} {:>6}",
        scheme.name(),
        partitions,
        if pass.is_empty() { "-" } else { pass },
        persons.precision,
        persons.recall,
        persons.f1,
        vehicles.precision,
        vehicles.recall,
        if pairs == 0 { 0.0 } else { across as f64 / pairs as f64 },
        entities.len(),
        outcome.seconds.iter().sum::<f64>(),
        outcome.seconds.iter().copied().fold(0.0, f64::max),
        outcome.loads.iter().max().copied().unwrap_or(0),
        groups,
        recall,
        precision,
    );
    std::io::stdout().flush().ok();
}

/// Links every incident in the world's order with the entities its sightings end in; returns the
/// groups detected, their recall and precision against the true groups.
fn link_and_score(cases: &[Case], outcome: &Outcome, truth: &[Group]) -> Option<(u64, f64, f64)> {
    let mut linker = Linker::new(LinkerConfig::default());
    for (i, case) in cases.iter().enumerate() {
        let links = |map: &HashMap<(usize, u32), SightingLink>, count: usize| -> Vec<SightingLink> {
            (0..count as u32).filter_map(|j| map.get(&(i, j)).cloned()).collect()
        };
        let resolution = Resolution {
            incident_id: case.incident.id.clone(),
            incident: Some(case.incident.clone()),
            persons: links(&outcome.persons, case.incident.persons.len()),
            vehicles: links(&outcome.vehicles, case.incident.vehicles.len()),
            merges: Vec::new(),
            splits: Vec::new(),
            decisions: Vec::new(),
            withdrawal: None,
        };
        linker.apply(&resolution);
        linker.recompute();
        if (i + 1) % 2_000 == 0 {
            linker.publish();
            linker.take_changes();
        }
    }
    linker.publish();
    let sightings: Vec<(String, String)> = cases
        .iter()
        .flat_map(|case| {
            let linker = &linker;
            case.persons.iter().filter_map(move |(index, who)| {
                Some((linker.person_of_sighting(&case.incident.id, *index)?.to_string(), who.clone()))
            })
        })
        .collect();
    let person_map = orca_eval::map_predicted_to_true(&sightings);
    let detected = detected_groups(&linker);
    let report = evaluate_groups(truth, &detected, &person_map).ok()?;
    Some((report.detected_groups, report.recall, report.precision))
}
