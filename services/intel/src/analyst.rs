//! `AnalystService`: OPAL analysts read resolved persons and detected groups.

use crate::access::{Access, Gatekeeper};
use crate::views;
use orca_network::{Linker, LinkerConfig};
use orca_proto::v1::{self, analyst_service_server::AnalystService};
use prost::Message;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

/// Sightings per export chunk.
const EXPORT_CHUNK: usize = 10_000;

#[derive(Clone)]
pub struct AnalystApi {
    gate: Gatekeeper,
    linker_config: LinkerConfig,
}

impl AnalystApi {
    pub fn new(gate: Gatekeeper, linker_config: LinkerConfig) -> Self {
        Self { gate, linker_config }
    }

    /// Admits analysts only; anyone else is refused and the attempt audited.
    async fn admit_analyst<T>(
        &self,
        request: &Request<T>,
        purpose: &str,
        action: &str,
        resource: &str,
    ) -> Result<Access, Status> {
        let access = self.gate.admit(request, purpose).await?;
        if !access.is_analyst() {
            self.gate.audit(&access, action, resource, "denied", "not an analyst".into()).await?;
            return Err(Status::permission_denied("persons and groups are for OPAL analysts; forces read packages"));
        }
        Ok(access)
    }

    async fn view(&self, namespace: &str, id: &str) -> Result<Option<Vec<u8>>, Status> {
        self.gate.store().get_state(namespace, id).await.map_err(|error| {
            tracing::error!(%error, "store failed while serving a view");
            Status::unavailable("the store is unavailable; retry later")
        })
    }
}

#[tonic::async_trait]
impl AnalystService for AnalystApi {
    async fn get_person(&self, request: Request<v1::GetPersonRequest>) -> Result<Response<v1::Person>, Status> {
        let id = request.get_ref().person_id.trim().to_owned();
        let resource = format!("person:{id}");
        let access = self.admit_analyst(&request, &request.get_ref().purpose, "read-person", &resource).await?;
        let redirect = self.view(views::PERSON_REDIRECT, &id).await?.map(|b| String::from_utf8_lossy(&b).into_owned());
        let current = redirect.clone().unwrap_or_else(|| id.clone());
        let Some(bytes) = self.view(views::PERSON, &current).await? else {
            self.gate.audit(&access, "read-person", &resource, "not-found", String::new()).await?;
            return Err(Status::not_found(format!("no person `{id}`")));
        };
        let mut person =
            v1::Person::decode(bytes.as_slice()).map_err(|e| Status::internal(format!("corrupt person view: {e}")))?;
        if redirect.is_some() {
            person.redirected_from = id;
        }
        self.gate.audit(&access, "read-person", &format!("person:{current}"), "disclosed", String::new()).await?;
        Ok(Response::new(person))
    }

    async fn get_group(&self, request: Request<v1::GetGroupRequest>) -> Result<Response<v1::Group>, Status> {
        let id = request.get_ref().group_id.trim().to_owned();
        let resource = format!("group:{id}");
        let access = self.admit_analyst(&request, &request.get_ref().purpose, "read-group", &resource).await?;
        let Some(bytes) = self.view(views::GROUP, &id).await? else {
            self.gate.audit(&access, "read-group", &resource, "not-found", String::new()).await?;
            return Err(Status::not_found(format!("no group `{id}`")));
        };
        let group =
            v1::Group::decode(bytes.as_slice()).map_err(|e| Status::internal(format!("corrupt group view: {e}")))?;
        self.gate.audit(&access, "read-group", &resource, "disclosed", String::new()).await?;
        Ok(Response::new(group))
    }

    type ExportResolutionStream = ReceiverStream<Result<v1::ExportResolutionChunk, Status>>;

    async fn export_resolution(
        &self,
        request: Request<v1::ExportResolutionRequest>,
    ) -> Result<Response<Self::ExportResolutionStream>, Status> {
        let resource = "resolution:all";
        let access = self.admit_analyst(&request, &request.get_ref().purpose, "export-resolution", resource).await?;
        let records = self.gate.store().load_state("network.").await.map_err(|error| {
            tracing::error!(%error, "store failed while exporting");
            Status::unavailable("the store is unavailable; retry later")
        })?;
        let config = self.linker_config.clone();
        let chunks = tokio::task::spawn_blocking(move || export_chunks(config, records))
            .await
            .map_err(|_| Status::internal("the export failed"))??;
        let sightings: usize = chunks.iter().map(|c| c.persons.len() + c.vehicles.len()).sum();
        self.gate.audit(&access, "export-resolution", resource, "disclosed", format!("{sightings} sightings")).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            for chunk in chunks {
                if tx.send(Ok(chunk)).await.is_err() {
                    break;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

/// Restores the linker's state and cuts its assignments and groups into chunks.
fn export_chunks(
    config: LinkerConfig,
    records: Vec<orca_model::StoredRecord>,
) -> Result<Vec<v1::ExportResolutionChunk>, Status> {
    let linker = Linker::restore(config, records)
        .map_err(|e| Status::internal(format!("cannot read the linker's state: {e}")))?;
    let (persons, vehicles) = linker.sighting_assignments();
    let assignment = |(incident, index, entity): (orca_model::IncidentId, u32, String)| v1::SightingAssignment {
        incident_id: incident.to_string(),
        sighting_index: index,
        entity_id: entity,
    };
    let mut chunks: Vec<v1::ExportResolutionChunk> = Vec::new();
    let persons: Vec<_> = persons.into_iter().map(|(i, n, p)| assignment((i, n, p.to_string()))).collect();
    let vehicles: Vec<_> = vehicles.into_iter().map(|(i, n, v)| assignment((i, n, v.to_string()))).collect();
    for part in persons.chunks(EXPORT_CHUNK) {
        chunks.push(v1::ExportResolutionChunk { persons: part.to_vec(), ..Default::default() });
    }
    for part in vehicles.chunks(EXPORT_CHUNK) {
        chunks.push(v1::ExportResolutionChunk { vehicles: part.to_vec(), ..Default::default() });
    }
    let groups: Vec<v1::Group> = linker.groups().iter().map(crate::views::group_to_proto).collect();
    chunks.push(v1::ExportResolutionChunk { groups, ..Default::default() });
    Ok(chunks)
}
