//! `ExportResolution`: every sighting's current person or vehicle and every active group, in
//! chunks, from the read model (the bulk view `orca eval --endpoint` scores against a truth).

use super::AnalystApi;
use super::wire::group_from_package;
use orca_model::EntityKind;
use orca_proto::v1;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Status};

/// Sightings per export chunk.
const EXPORT_CHUNK: usize = 10_000;

pub async fn export_resolution(
    api: &AnalystApi,
    request: Request<v1::ExportResolutionRequest>,
) -> Result<ReceiverStream<Result<v1::ExportResolutionChunk, Status>>, Status> {
    let resource = "resolution:all";
    let access = api.admit(&request, &request.get_ref().purpose, "export-resolution", resource).await?;
    let chunks = api
        .blocking(|search| {
            let workspace = search.workspace();
            let assignment = |(incident, index, entity): (orca_model::IncidentId, u32, String)| {
                v1::SightingAssignment { incident_id: incident.to_string(), sighting_index: index, entity_id: entity }
            };
            let persons: Vec<_> = workspace.assignments(EntityKind::Person).into_iter().map(assignment).collect();
            let vehicles: Vec<_> = workspace.assignments(EntityKind::Vehicle).into_iter().map(assignment).collect();
            let mut chunks: Vec<v1::ExportResolutionChunk> = Vec::new();
            for part in persons.chunks(EXPORT_CHUNK) {
                chunks.push(v1::ExportResolutionChunk { persons: part.to_vec(), ..Default::default() });
            }
            for part in vehicles.chunks(EXPORT_CHUNK) {
                chunks.push(v1::ExportResolutionChunk { vehicles: part.to_vec(), ..Default::default() });
            }
            let groups: Vec<v1::Group> = (workspace.groups())
                .filter(|record| record.active)
                .map(|record| group_from_package(&workspace, record, &workspace.fate(record)))
                .collect();
            chunks.push(v1::ExportResolutionChunk { groups, ..Default::default() });
            Ok(chunks)
        })
        .await?;
    let sightings: usize = chunks.iter().map(|c| c.persons.len() + c.vehicles.len()).sum();
    api.disclosed(&access, "export-resolution", resource, format!("{sightings} sightings")).await?;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        for chunk in chunks {
            if tx.send(Ok(chunk)).await.is_err() {
                break;
            }
        }
    });
    Ok(ReceiverStream::new(rx))
}
