//! The gRPC surface: `orca.v1.IngestService`, authenticated from the `authorization` metadata of
//! every call.
//!
//! A stream runs as a pipeline of three tasks: one reads ahead (up to `stream_read_ahead`
//! records), one cuts batches of whatever has arrived (up to `max_batch` records, so a trickle of
//! records is acknowledged one by one and a bulk upload in large batches) and validates them, one
//! makes each batch durable and sends its acks, in the order the records were sent.

use crate::IngestError;
use crate::core::{IngestCore, PreparedBatch};
use crate::submission::{Channel, Submission, codes};
use orca_auth::{Authenticator, Caller};
use orca_model::Problem;
use orca_proto::codec::{Undecodable, take_undecodable};
use orca_proto::v1::ingest_service_server::{IngestService, IngestServiceServer};
use orca_proto::v1::{self, IngestStatus};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

/// `orca.v1.IngestService` over an [`IngestCore`].
#[derive(Clone)]
pub struct IngestGrpc {
    core: Arc<IngestCore>,
    auth: Arc<Authenticator>,
}

impl IngestGrpc {
    pub fn new(core: Arc<IngestCore>, auth: Arc<Authenticator>) -> Self {
        Self { core, auth }
    }

    /// The tonic service to add to a server (`Server::builder().add_service(..)`).
    pub fn into_server(self) -> IngestServiceServer<Self> {
        IngestServiceServer::new(self)
    }
}

/// A submission from one request of a call. `undecodable` is what [`take_undecodable`] said
/// straight after the request arrived: an empty request that stands for one that did not decode.
fn submission(sequence: u64, request: v1::SubmitRequest, undecodable: Option<Undecodable>) -> Submission {
    match (request.incident, undecodable) {
        (Some(incident), _) => Submission::incident(sequence, request.client_ref, incident),
        (None, Some(undecodable)) => Submission::undecodable(
            sequence,
            undecodable.raw,
            String::new(),
            Problem::new(
                "",
                codes::UNDECODABLE,
                format!(
                    "request {sequence} ({} bytes) is not an `orca.v1.SubmitRequest`: {}",
                    undecodable.len, undecodable.reason
                ),
            ),
        ),
        (None, None) => Submission {
            client_ref: request.client_ref,
            ..Submission::undecodable(
                sequence,
                Vec::new(),
                String::new(),
                Problem::new("incident", codes::MISSING, "the request carries no incident"),
            )
        },
    }
}

#[tonic::async_trait]
impl IngestService for IngestGrpc {
    async fn submit(&self, request: Request<v1::SubmitRequest>) -> Result<Response<v1::IngestAck>, Status> {
        // Decoded in this same poll, on this thread (see `orca_proto::codec`): take it before any await.
        let undecodable = take_undecodable();
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        let acks =
            self.core.ingest(&caller, Channel::Grpc, vec![submission(0, request.into_inner(), undecodable)]).await?;
        let ack = acks.into_iter().next().ok_or_else(|| Status::internal("no acknowledgement was produced"))?;
        if ack.status == IngestStatus::Retry as i32 {
            return Err(Status::unavailable("the incident could not be made durable now; retry later"));
        }
        Ok(Response::new(ack))
    }

    type StreamIncidentsStream = ReceiverStream<Result<v1::IngestAck, Status>>;

    async fn stream_incidents(
        &self,
        request: Request<Streaming<v1::SubmitRequest>>,
    ) -> Result<Response<Self::StreamIncidentsStream>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        caller.require(orca_auth::PrincipalKind::Retailer).map_err(IngestError::from)?;
        let config = self.core.config();
        let (max_batch, read_ahead) = (config.max_batch, config.stream_read_ahead);
        let (inbound_tx, inbound_rx) = mpsc::channel(read_ahead);
        let (acks_tx, acks_rx) = mpsc::channel(read_ahead.max(max_batch));

        // Three tasks, so that batch N + 1 is read and validated while batch N is made durable.
        let (prepared_tx, prepared_rx) = mpsc::channel(1);
        // The stream's tasks log inside the request's span (its method and request id).
        tokio::spawn(read_requests(request.into_inner(), inbound_tx).in_current_span());
        tokio::spawn(
            prepare_batches(Arc::clone(&self.core), caller, max_batch, inbound_rx, prepared_tx).in_current_span(),
        );
        tokio::spawn(settle_batches(Arc::clone(&self.core), prepared_rx, acks_tx).in_current_span());
        Ok(Response::new(ReceiverStream::new(acks_rx)))
    }

    async fn register_stores(
        &self,
        request: Request<v1::RegisterStoresRequest>,
    ) -> Result<Response<v1::RegisterStoresResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        let response = self.core.register_stores(&caller, &request.into_inner().stores).await?;
        Ok(Response::new(response))
    }

    async fn withdraw(&self, request: Request<v1::WithdrawRequest>) -> Result<Response<v1::WithdrawResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        Ok(Response::new(self.core.withdraw(&caller, request.into_inner()).await?))
    }

    async fn list_records(
        &self,
        request: Request<v1::ListRecordsRequest>,
    ) -> Result<Response<v1::ListRecordsResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        Ok(Response::new(self.core.list_records(&caller, request.into_inner()).await?))
    }

    async fn retention_review(
        &self,
        request: Request<v1::RetentionReviewRequest>,
    ) -> Result<Response<v1::RetentionReviewResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        Ok(Response::new(self.core.retention_review(&caller, request.into_inner()).await?))
    }

    async fn dispose(&self, request: Request<v1::DisposeRequest>) -> Result<Response<v1::DisposeResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        Ok(Response::new(self.core.dispose(&caller, request.into_inner()).await?))
    }

    async fn retain(&self, request: Request<v1::RetainRequest>) -> Result<Response<v1::RetainResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        Ok(Response::new(self.core.retain(&caller, request.into_inner()).await?))
    }

    async fn erase(&self, request: Request<v1::EraseRequest>) -> Result<Response<v1::EraseResponse>, Status> {
        let caller = self.auth.authenticate_metadata(request.metadata()).await.map_err(IngestError::from)?;
        Ok(Response::new(self.core.erase(&caller, request.into_inner()).await?))
    }
}

/// Reads a stream's requests ahead, numbering them; stops after the first error (a request that
/// does not decode is not one: it becomes a rejected record).
async fn read_requests(
    mut inbound: Streaming<v1::SubmitRequest>,
    inbound_tx: mpsc::Sender<Result<Submission, Status>>,
) {
    let mut sequence = 0u64;
    while let Some(message) = inbound.next().await {
        // The message was decoded in the poll that just returned, on this thread.
        let undecodable = take_undecodable();
        let item = message.map(|request| submission(sequence, request, undecodable));
        sequence += 1;
        let failed = item.is_err();
        if inbound_tx.send(item).await.is_err() || failed {
            return;
        }
    }
}

/// Cuts batches of whatever has arrived (up to `max_batch`) and validates them.
async fn prepare_batches(
    core: Arc<IngestCore>,
    caller: Caller,
    max_batch: usize,
    mut inbound_rx: mpsc::Receiver<Result<Submission, Status>>,
    prepared_tx: mpsc::Sender<Result<PreparedBatch, Status>>,
) {
    while let Some(first) = inbound_rx.recv().await {
        let mut batch = Vec::with_capacity(max_batch);
        let mut ended_with = None;
        for item in std::iter::once(first).chain(std::iter::from_fn(|| inbound_rx.try_recv().ok())) {
            match item {
                Ok(submission) => batch.push(submission),
                Err(status) => {
                    ended_with = Some(status);
                    break;
                }
            }
            if batch.len() == max_batch {
                break;
            }
        }
        if !batch.is_empty() {
            core.pace_records(&caller, batch.len()).await;
            let prepared = core.prepare_batch(&caller, Channel::Grpc, batch).await.map_err(Status::from);
            let failed = prepared.is_err();
            if prepared_tx.send(prepared).await.is_err() || failed {
                return;
            }
        }
        if let Some(status) = ended_with {
            let _ = prepared_tx.send(Err(status)).await;
            return;
        }
    }
}

/// Makes each batch durable, in order, and sends its acks; ends the stream at the first error.
async fn settle_batches(
    core: Arc<IngestCore>,
    mut prepared_rx: mpsc::Receiver<Result<PreparedBatch, Status>>,
    acks_tx: mpsc::Sender<Result<v1::IngestAck, Status>>,
) {
    let mut budget = core.rejection_budget();
    while let Some(prepared) = prepared_rx.recv().await {
        let acks = match prepared {
            Ok(batch) => core.settle_batch(batch, &mut budget).await.map_err(Status::from),
            Err(status) => Err(status),
        };
        match acks {
            Ok(acks) => {
                for ack in acks {
                    if acks_tx.send(Ok(ack)).await.is_err() {
                        return; // the client went away; what it sent so far is settled
                    }
                }
            }
            Err(status) => {
                let _ = acks_tx.send(Err(status)).await;
                return;
            }
        }
    }
}
