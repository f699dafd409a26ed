//! `orca packages --follow`: prints what the force may see, then each new version as the
//! pipeline makes it, until Ctrl-C. With `--format json`, one JSON object a line (with the cursor
//! to resume from).

use super::{ForceConnection, Format, render};
use crate::client;
use anyhow::Result;
use orca_proto::v1::{self, intelligence_service_client::IntelligenceServiceClient, package_event::Event};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

pub async fn run(
    intel: &mut IntelligenceServiceClient<Channel>,
    connection: &ForceConnection,
    key: &str,
    purpose: String,
    role: v1::PackageRole,
    cursor: Option<String>,
    format: Format,
) -> Result<()> {
    let request = v1::StreamPackagesRequest {
        force: connection.force.clone(),
        purpose,
        cursor: cursor.unwrap_or_default(),
        role: role as i32,
    };
    let mut events = intel.stream_packages(client::authorized(request, key)?).await?.into_inner();
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let Some(event) = event else {
            anyhow::bail!("the server closed the stream; resume with `--cursor` and the last cursor printed");
        };
        let event = event?;
        let text = match format {
            Format::Json => serde_json::to_string(&event)? + "\n",
            _ => describe(&event),
        };
        client::emit(&text)?;
    }
}

fn describe(event: &v1::PackageEvent) -> String {
    match &event.event {
        Some(Event::CaughtUp(_)) => {
            format!("-- up to date (cursor {}); new versions follow as they are made; Ctrl-C to stop\n", event.cursor)
        }
        Some(Event::UnsharedPackageId(id)) => format!("{id} is no longer shared with this force\n"),
        Some(Event::Package(summary)) => {
            let band = if summary.withdrawn { "WITHDRAWN".to_owned() } else { summary.priority_band.clone() };
            let mut text = format!("{} v{} {band}: {}\n", summary.package_id, summary.version, summary.title);
            if let Some(changes) = &event.changes {
                for line in render::render_changes(changes).lines().skip(1) {
                    text.push_str(&format!("  {line}\n"));
                }
            }
            text
        }
        None => String::new(),
    }
}
