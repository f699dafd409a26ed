//! What ORCA resolved and detected, read back for `orca eval`.

use anyhow::{Context, Result};
use orca_eval::Group;
use orca_model::IncidentId;
use orca_network::LinkerConfig;
use orca_store::SqlStore;
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
        Self::from_store(&format!("sqlite://{}", db.display()), truth).await
    }

    /// Reads the linker's state from a store URL (`postgres://…` or `sqlite://…`).
    pub async fn from_store(url: &str, truth: &Truth) -> Result<Self> {
        let store = SqlStore::connect(url).await.context("opening the store")?;
        let linker =
            orca_linker::load(&store, LinkerConfig::default()).await.context("restoring the linker's state")?;
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

    /// Reads everything through `AnalystService.ExportResolution` of a running instance.
    pub async fn from_endpoint(endpoint: &str, key: &str) -> Result<Self> {
        use orca_proto::v1::{self, analyst_service_client::AnalystServiceClient};
        let channel = crate::client::connect(endpoint).await?;
        let mut client = AnalystServiceClient::new(channel).max_decoding_message_size(256 * 1024 * 1024);
        let request = v1::ExportResolutionRequest { purpose: "orca eval: scoring against a simulated world".into() };
        let mut stream = client
            .export_resolution(crate::client::authorized(request, key)?)
            .await
            .context("exporting from the endpoint")?
            .into_inner();
        let mut predictions = Self { persons: HashMap::new(), vehicles: HashMap::new(), groups: Vec::new() };
        let key_of = |a: &v1::SightingAssignment| (IncidentId::new(&a.incident_id), a.sighting_index);
        while let Some(chunk) = stream.message().await.context("reading the export")? {
            predictions.persons.extend(chunk.persons.iter().map(|a| (key_of(a), a.entity_id.clone())));
            predictions.vehicles.extend(chunk.vehicles.iter().map(|a| (key_of(a), a.entity_id.clone())));
            predictions.groups.extend(chunk.groups.into_iter().map(|g| Group {
                id: g.group_id,
                members: g.members.into_iter().map(|m| m.person_id).collect(),
                forces: g.forces,
            }));
        }
        Ok(predictions)
    }

    /// Predictions given directly: sighting → person, sighting → vehicle, and groups.
    #[cfg(test)]
    pub fn new(
        persons: HashMap<(IncidentId, u32), String>,
        vehicles: HashMap<(IncidentId, u32), String>,
        groups: Vec<Group>,
    ) -> Self {
        Self { persons, vehicles, groups }
    }

    pub fn person_of(&self, incident: &IncidentId, index: u32) -> Option<String> {
        self.persons.get(&(incident.clone(), index)).cloned()
    }

    pub fn vehicle_of(&self, incident: &IncidentId, index: u32) -> Option<String> {
        self.vehicles.get(&(incident.clone(), index)).cloned()
    }
}
