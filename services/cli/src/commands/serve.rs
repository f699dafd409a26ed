//! `orca serve`: run stages as a long-lived service.

use anyhow::{Context, Result};
use orca_runtime::{App, OrcaConfig, Roles};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// `ingest`, `resolver`, `linker`, `intel`, or `all` for every stage in one process.
    pub role: String,
    /// TOML configuration; `ORCA_…` environment variables override it (`ORCA_LOG__KIND=kafka`).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let roles = Roles::parse(&args.role)
        .with_context(|| format!("unknown role `{}`: use ingest, resolver, linker, intel or all", args.role))?;
    let config = OrcaConfig::load(args.config.as_deref())?;
    let app = App::build(config, roles).await?.start();
    eprintln!(
        "orca serving `{}`: gRPC {}, HTTP {} (/metrics, /livez, /readyz)",
        args.role,
        app.grpc_addr.map_or("off".to_owned(), |a| a.to_string()),
        app.http_addr
    );
    app.run_until(shutdown_signal()).await
}

/// SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
