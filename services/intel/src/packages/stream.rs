//! `StreamPackages`: what a force may see, then every change as the intel stage commits it.
//!
//! The store numbers every change of a force's access rows (`package_access.seq`); an event's
//! cursor is that number, so a client that reconnects with its last cursor gets exactly the
//! changes after it. A package changed several times while the client was away arrives once, at
//! its latest version (with the changes since the version before that). The stream wakes on the
//! stage's commits ([`super::PackagesPublished`]) and also looks every [`POLL`] in case another
//! process wrote the store. Every batch of events is audited before it is sent.

use super::versions::{compare_versions, shared_version};
use super::{IntelligenceApi, decode, decode_summary, store_status};
use crate::access::Access;
use orca_proto::v1;
use orca_store::PackageAccessChange;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

/// Changes read per query.
const PAGE: u32 = 200;
/// How often an idle stream looks for changes another process made.
const POLL: Duration = Duration::from_secs(2);

type Events = ReceiverStream<Result<v1::PackageEvent, Status>>;

/// Checks the request and starts following the force's packages.
pub(super) async fn open(
    api: &IntelligenceApi,
    access: Access,
    request: v1::StreamPackagesRequest,
) -> Result<Events, Status> {
    let force = api.listing_force(&access, &request.force, "stream-packages").await?;
    let resource = format!("packages:force={force}");
    let cursor = match request.cursor.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(seq) if seq >= 0 => Some(seq),
            _ => {
                let status =
                    Status::invalid_argument("`cursor` is not one this service gave out; start again without it");
                return Err(api.refused(&access, "stream-packages", &resource, status).await);
            }
        },
    };
    let role = match v1::PackageRole::try_from(request.role) {
        Ok(role) => role,
        Err(_) => {
            let status = Status::invalid_argument(format!("`role` {} is not a package role", request.role));
            return Err(api.refused(&access, "stream-packages", &resource, status).await);
        }
    };
    let from = cursor.map_or_else(|| "the start".to_owned(), |c| format!("cursor {c}"));
    api.gate.audit(&access, "stream-packages", &resource, "opened", from).await?;
    let (sender, receiver) = mpsc::channel(64);
    let follower = Follower { api: api.clone(), access, force, resource, role, fresh: cursor.is_none() };
    tokio::spawn(follower.run(cursor.unwrap_or(-1), sender));
    Ok(ReceiverStream::new(receiver))
}

struct Follower {
    api: IntelligenceApi,
    access: Access,
    force: String,
    resource: String,
    role: v1::PackageRole,
    /// Started without a cursor: packages taken back before the stream opened are not news.
    fresh: bool,
}

impl Follower {
    async fn run(self, mut after: i64, sender: mpsc::Sender<Result<v1::PackageEvent, Status>>) {
        let mut published = self.api.published.subscribe();
        let mut caught_up = false;
        loop {
            published.borrow_and_update();
            let page = match self.api.gate.store().package_changes(&self.force, after, PAGE).await {
                Ok(page) => page,
                Err(error) => {
                    let _ = sender.send(Err(store_status(error))).await;
                    return;
                }
            };
            let complete = page.len() < PAGE as usize;
            let mut events = Vec::new();
            for change in page {
                after = change.seq;
                match self.event(change, caught_up).await {
                    Ok(Some(event)) => events.push(event),
                    Ok(None) => {}
                    Err(status) => {
                        let _ = sender.send(Err(status)).await;
                        return;
                    }
                }
            }
            if !events.is_empty() {
                let disclosed: Vec<String> = events.iter().map(describe).collect();
                let audit = self.api.gate.audit(
                    &self.access,
                    "stream-packages",
                    &self.resource,
                    "disclosed",
                    disclosed.join(","),
                );
                if let Err(status) = audit.await {
                    let _ = sender.send(Err(status)).await;
                    return;
                }
            }
            for event in events {
                if !self.deliver(&sender, event).await {
                    return;
                }
            }
            if !complete {
                continue;
            }
            if !caught_up {
                caught_up = true;
                let event = v1::PackageEvent {
                    cursor: after.max(0).to_string(),
                    event: Some(v1::package_event::Event::CaughtUp(true)),
                    changes: None,
                };
                if !self.deliver(&sender, event).await {
                    return;
                }
            }
            tokio::select! {
                changed = published.changed() => if changed.is_err() { tokio::time::sleep(POLL).await },
                () = sender.closed() => return,
                () = self.api.shutdown.cancelled() => {
                    let status = Status::unavailable(format!("the server is stopping; resume with cursor {after}"));
                    let _ = sender.send(Err(status)).await;
                    return;
                }
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Sends an event; false when the client left or the server is stopping (a client that stops
    /// reading does not hold a shutdown up).
    async fn deliver(&self, sender: &mpsc::Sender<Result<v1::PackageEvent, Status>>, event: v1::PackageEvent) -> bool {
        tokio::select! {
            sent = sender.send(Ok(event)) => sent.is_ok(),
            () = self.api.shutdown.cancelled() => false,
        }
    }

    /// The event for one change, or `None` when this stream does not show it.
    async fn event(&self, change: PackageAccessChange, caught_up: bool) -> Result<Option<v1::PackageEvent>, Status> {
        let cursor = change.seq.to_string();
        let Some(row) = change.latest else {
            if self.fresh && !caught_up {
                return Ok(None);
            }
            let event = v1::package_event::Event::UnsharedPackageId(change.package_id);
            return Ok(Some(v1::PackageEvent { cursor, event: Some(event), changes: None }));
        };
        let summary = decode_summary(&row, &self.force)?;
        let wanted = match self.role {
            v1::PackageRole::Any => true,
            v1::PackageRole::Lead => summary.lead,
            v1::PackageRole::Affected => !summary.lead,
        };
        if !wanted {
            return Ok(None);
        }
        let mut changes = None;
        if row.version > 1
            && let Some(earlier) =
                shared_version(&self.api, &row.package_id, row.version - 1, Some(&self.force)).await?
        {
            changes = compare_versions(&earlier, &decode(&row.body)?);
        }
        let event = v1::package_event::Event::Package(summary);
        Ok(Some(v1::PackageEvent { cursor, event: Some(event), changes }))
    }
}

/// An event as the audit record lists it.
fn describe(event: &v1::PackageEvent) -> String {
    match &event.event {
        Some(v1::package_event::Event::Package(summary)) => format!("{}@{}", summary.package_id, summary.version),
        Some(v1::package_event::Event::UnsharedPackageId(id)) => format!("{id}:unshared"),
        _ => String::new(),
    }
}
