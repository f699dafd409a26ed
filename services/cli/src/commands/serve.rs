//! `orca serve`: run stages as a long-lived service.

use anyhow::Result;
use orca_runtime::{App, OrcaConfig, Roles};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The stage to run, or `all` for every stage in one process.
    #[arg(value_enum)]
    pub role: Role,
    /// TOML configuration; `ORCA_…` environment variables override it (`ORCA_LOG__KIND=kafka`).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// What `orca serve` runs.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// gRPC and HTTP ingest of retailers' reports, corrections, withdrawals and keys.
    Ingest,
    /// Entity resolution: reports to persons and vehicles.
    Resolver,
    /// The link graph, groups and packages.
    Linker,
    /// Forces' packages, analysts' workspace and search.
    Intel,
    /// Every stage in one process.
    All,
}

impl Role {
    fn roles(self) -> Roles {
        let none = Roles { ingest: false, resolver: false, linker: false, intel: false };
        match self {
            Role::Ingest => Roles { ingest: true, ..none },
            Role::Resolver => Roles { resolver: true, ..none },
            Role::Linker => Roles { linker: true, ..none },
            Role::Intel => Roles { intel: true, ..none },
            Role::All => Roles::ALL,
        }
    }
}

pub async fn run(args: ServeArgs) -> Result<()> {
    let config = OrcaConfig::load(args.config.as_deref())?;
    let app = App::build(config, args.role.roles()).await?.start();
    let role = clap::ValueEnum::to_possible_value(&args.role).expect("every role has a name");
    eprintln!(
        "orca serving `{}`: gRPC {}, HTTP {} (/metrics, /livez, /readyz)",
        role.get_name(),
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
