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

/// Pairwise precision and recall of predicted ids against true ids (`orca-eval`'s scores).
fn pairwise(items: &[(String, String)]) -> (f64, f64) {
    let table = orca_eval::Contingency::from_label_pairs(items.iter().map(|(predicted, truth)| (truth, predicted)));
    let scores = orca_eval::PairwiseScores::from_contingency(&table);
    (scores.precision, scores.recall)
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
    // Measured: precision 0.938, recall 0.113.
    assert!(precision > 0.93 && recall > 0.11, "persons: precision {precision}, recall {recall}");
    let vehicles: Vec<(String, String)> =
        world.vehicles.iter().map(|(k, t)| (r.vehicle_of(k).expect("resolved").0.to_string(), t.clone())).collect();
    let (precision, recall) = pairwise(&vehicles);
    // Measured: precision 0.958, recall 0.612.
    assert!(precision > 0.95 && recall > 0.6, "vehicles: precision {precision}, recall {recall}");

    let reversed: Vec<usize> = arrival.iter().rev().copied().collect();
    let r2 = resolve(&world, &reversed, &config);
    let agreement: Vec<(String, String)> = world
        .persons
        .keys()
        .map(|k| (r2.person_of(k).unwrap().0.to_string(), r.person_of(k).unwrap().0.to_string()))
        .collect();
    let (p, r) = pairwise(&agreement);
    // Measured: 0.785 and 0.853.
    assert!(p > 0.78 && r > 0.85, "two orders agree: {p} {r}");
}

#[test]
fn the_person_model_can_be_estimated_without_labels() {
    let world = world(3000);
    let config = ResolverConfig::default();
    let (params, report) = orca_resolve::estimate::estimate_person_model(&world.incidents, &config, 200_000, 1);
    // Measured: 199,960 random pairs (a pair of one sighting is dropped), 1,019 and 1,008 blocked pairs,
    // prior 2.09e-4, given name m 0.757 u 0.018, family name m 0.881 u 0.020.
    assert!(report.random_pairs > 199_000 && report.blocked_pairs.iter().all(|(_, n)| *n > 1_000), "{report:?}");
    assert!(params.person_prior > 1.5e-4 && params.person_prior < 3e-4, "{}", params.person_prior);
    for comparison in [Comparison::GivenName, Comparison::FamilyName] {
        let levels = &params.levels[&comparison];
        assert!(levels.m[0] > 0.75 && levels.u[0] < 0.025, "{comparison:?}: {levels:?}");
    }
    params.validate().expect("estimated parameters are valid");
}
