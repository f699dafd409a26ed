//! A simulated world, normalised as ingest would, with its ground truth per sighting.

use orca_model::validate::validate_and_normalise;
use orca_model::{Incident, IncidentId, SightingKey, StoreRegistry};
use orca_simulate::{World, WorldParams};
use std::collections::{HashMap, HashSet};

pub struct SimulatedWorld {
    pub incidents: Vec<Incident>,
    /// True person id per offending person sighting.
    pub person_truth: HashMap<SightingKey, String>,
    pub vehicle_truth: HashMap<SightingKey, String>,
    /// Incidents committed by an organised group.
    pub group_incidents: HashSet<IncidentId>,
    pub rejected: usize,
}

pub fn build(seed: u64, incidents: u64) -> SimulatedWorld {
    let world = World::new(WorldParams::new(seed, incidents));
    let registry = StoreRegistry::new(world.stores().iter().cloned());
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let mut out = SimulatedWorld {
        incidents: Vec::with_capacity(incidents as usize),
        person_truth: HashMap::new(),
        vehicle_truth: HashMap::new(),
        group_incidents: HashSet::new(),
        rejected: 0,
    };
    for simulated in world.incidents() {
        let mut incident = simulated.incident;
        if validate_and_normalise(&mut incident, &registry, now).is_err() {
            out.rejected += 1;
            continue;
        }
        if simulated.group.is_some() {
            out.group_incidents.insert(incident.id.clone());
        }
        for truth in simulated.persons {
            out.person_truth.insert(SightingKey::new(incident.id.clone(), truth.index), truth.person);
        }
        for truth in simulated.vehicles {
            out.vehicle_truth.insert(SightingKey::new(incident.id.clone(), truth.index), truth.vehicle);
        }
        out.incidents.push(incident);
    }
    out
}
