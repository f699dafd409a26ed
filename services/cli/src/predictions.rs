//! What ORCA resolved and detected, read back for `orca eval`.

use anyhow::{Context, Result};
use orca_eval::Group;
use orca_model::IncidentId;
use orca_network::{Linker, LinkerConfig};
use orca_store::{SqlStore, Store};
use std::collections::HashMap;
use std::path::Path;

use crate::commands::eval::Truth;

pub struct Predictions {
    persons: HashMap<(IncidentId, u32), String>,
    vehicles: HashMap<(IncidentId, u32), String>,
    pub groups: Vec<Group>,
}

impl Predictions {
    /// Reads the linker's state from an embedded data directory, for the sightings in `truth`.
    pub async fn from_data_dir(dir: &Path, truth: &Truth) -> Result<Self> {
        let db = dir.join("orca.db");
        anyhow::ensure!(
            db.exists(),
            "`{}` has no ORCA data (no orca.db); run `orca ingest … --data-dir` first",
            dir.display()
        );
        let store = SqlStore::connect(&format!("sqlite://{}", db.display())).await?;
        let records = store.load_state("network.").await?;
        let linker = Linker::restore(LinkerConfig::default(), records).context("restoring the linker's state")?;
        let persons = truth
            .persons
            .iter()
            .filter_map(|((incident, index), _)| {
                linker.person_of_sighting(incident, *index).map(|p| ((incident.clone(), *index), p.to_string()))
            })
            .collect();
        let vehicles = truth
            .vehicles
            .iter()
            .filter_map(|((incident, index), _)| {
                linker.vehicle_of_sighting(incident, *index).map(|v| ((incident.clone(), *index), v.to_string()))
            })
            .collect();
        let groups = linker
            .groups()
            .into_iter()
            .map(|g| Group {
                id: g.id.to_string(),
                members: g.members.iter().map(|m| m.person.to_string()).collect(),
                forces: g.forces.iter().map(ToString::to_string).collect(),
            })
            .collect();
        Ok(Self { persons, vehicles, groups })
    }

    pub fn person_of(&self, incident: &IncidentId, index: u32) -> Option<String> {
        self.persons.get(&(incident.clone(), index)).cloned()
    }

    pub fn vehicle_of(&self, incident: &IncidentId, index: u32) -> Option<String> {
        self.vehicles.get(&(incident.clone(), index)).cloned()
    }
}
