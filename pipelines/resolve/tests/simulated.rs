//! The resolver on a small simulated world, scored against its ground truth.

use orca_model::validate::validate_and_normalise;
use orca_model::{Incident, SightingKey, StoreRegistry};
use orca_resolve::model::Comparison;
use orca_resolve::{Resolver, ResolverConfig};
use orca_simulate::{World, WorldParams};
use std::collections::HashMap;

struct Simulated {
    incidents: Vec<Incident>,
    persons: HashMap<SightingKey, String>,
    vehicles: HashMap<SightingKey, String>,
}

fn world(incidents: u64) -> Simulated {
    let world = World::new(WorldParams::new(1, incidents));
    let stores = StoreRegistry::new(world.stores().iter().cloned());
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let mut out = Simulated { incidents: Vec::new(), persons: HashMap::new(), vehicles: HashMap::new() };
    for simulated in world.incidents() {
        let mut incident = simulated.incident;
        validate_and_normalise(&mut incident, &stores, now).expect("simulated reports are valid");
        for t in simulated.persons {
            out.persons.insert(SightingKey::new(incident.id.clone(), t.index), t.person);
        }
        for t in simulated.vehicles {
            out.vehicles.insert(SightingKey::new(incident.id.clone(), t.index), t.vehicle);
        }
        out.incidents.push(incident);
    }
    out
}

/// Pairwise precision and recall of predicted ids against true ids.
fn pairwise(items: &[(String, String)]) -> (f64, f64) {
    let mut predicted: HashMap<&str, u64> = HashMap::new();
    let mut truth: HashMap<&str, u64> = HashMap::new();
    let mut both: HashMap<(&str, &str), u64> = HashMap::new();
    for (p, t) in items {
        *predicted.entry(p).or_default() += 1;
        *truth.entry(t).or_default() += 1;
        *both.entry((p, t)).or_default() += 1;
    }
    let pairs = |m: &HashMap<_, u64>| m.values().map(|n| n * (n - 1) / 2).sum::<u64>() as f64;
    let correct = both.values().map(|n| n * (n - 1) / 2).sum::<u64>() as f64;
    (correct / pairs(&predicted).max(1.0), correct / pairs(&truth).max(1.0))
}

fn resolve(world: &Simulated, order: &[usize], config: &ResolverConfig) -> Resolver {
    let mut resolver = Resolver::new(config.clone());
    for &i in order {
        resolver.resolve(&world.incidents[i]);
    }
    resolver
}

#[test]
fn a_simulated_world_resolves_precisely_and_mostly_the_same_in_another_order() {
    let world = world(3000);
    let arrival: Vec<usize> = (0..world.incidents.len()).collect();
    let config = ResolverConfig::default();
    let r = resolve(&world, &arrival, &config);
    let persons: Vec<(String, String)> =
        world.persons.iter().map(|(k, t)| (r.person_of(k).expect("resolved").0.to_string(), t.clone())).collect();
    let (precision, recall) = pairwise(&persons);
    assert!(precision > 0.8 && recall > 0.05, "persons: precision {precision}, recall {recall}");
    let vehicles: Vec<(String, String)> =
        world.vehicles.iter().map(|(k, t)| (r.vehicle_of(k).expect("resolved").0.to_string(), t.clone())).collect();
    let (precision, recall) = pairwise(&vehicles);
    assert!(precision > 0.9 && recall > 0.4, "vehicles: precision {precision}, recall {recall}");

    let reversed: Vec<usize> = arrival.iter().rev().copied().collect();
    let r2 = resolve(&world, &reversed, &config);
    let agreement: Vec<(String, String)> = world
        .persons
        .keys()
        .map(|k| (r2.person_of(k).unwrap().0.to_string(), r.person_of(k).unwrap().0.to_string()))
        .collect();
    let (p, r) = pairwise(&agreement);
    assert!(p > 0.7 && r > 0.7, "two orders agree: {p} {r}");
}

#[test]
fn the_person_model_can_be_estimated_without_labels() {
    let world = world(3000);
    let config = ResolverConfig::default();
    let (params, report) = orca_resolve::estimate::estimate_person_model(&world.incidents, &config, 200_000, 1);
    assert!(report.random_pairs > 150_000 && report.blocked_pairs.iter().all(|(_, n)| *n > 0), "{report:?}");
    assert!(params.person_prior > 1e-7 && params.person_prior < 0.1, "{}", params.person_prior);
    for comparison in [Comparison::GivenName, Comparison::FamilyName] {
        let levels = &params.levels[&comparison];
        assert!(levels.m[0] > 0.5 && levels.u[0] < 0.05, "{comparison:?}: {levels:?}");
    }
    params.validate().expect("estimated parameters are valid");
}
