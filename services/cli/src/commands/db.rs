//! `orca db`: the database's schema and roles, run with the owner's credentials.
//!
//! On PostgreSQL the stages should not connect as the owner: the owner can drop the audit log's
//! triggers and rewrite it. Create a login role for them, give it what they need with
//! `orca db grant-role`, point their `store.url` at it and set `store.migrate = false`; before
//! each upgrade the owner runs `orca db migrate` (and `grant-role` again if tables were added).

use anyhow::{Context, Result};
use orca_runtime::OrcaConfig;
use orca_runtime::backends::redact;
use orca_store::SqlStore;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum DbCommand {
    /// Bring the schema up to this build's (as the owner).
    Migrate(OwnerArgs),
    /// Let a PostgreSQL role run the stages: every table, but the audit log read and append only.
    GrantRole {
        /// The role the stages log in as (it must exist: `CREATE ROLE orca_stage LOGIN PASSWORD …`).
        role: String,
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Keep on their claims the reports accepted before ORCA kept them (migration 0009), read from
    /// the incident log, so their face templates fall due and persons can be erased from them.
    /// Safe to run again; beside a running distributed ORCA too (stop an embedded one first).
    BackfillReports {
        /// TOML configuration (as for `orca serve ingest`); `ORCA_…` variables override it.
        #[arg(long, conflicts_with = "data_dir")]
        config: Option<PathBuf>,
        /// An embedded data directory (as `orca ingest --data-dir` and `orca demo` use).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
pub struct OwnerArgs {
    /// The owner's database URL (or set ORCA_DB_OWNER_URL); default: the configured store.
    #[arg(long, env = "ORCA_DB_OWNER_URL")]
    pub url: Option<String>,
    /// Configuration naming the store (when no `--url`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Embedded data directory (when neither is given).
    #[arg(long, default_value = ".orca/data")]
    pub data_dir: PathBuf,
}

impl OwnerArgs {
    async fn connect(&self) -> Result<SqlStore> {
        let url = match &self.url {
            Some(url) => url.clone(),
            None => {
                let mut config = OrcaConfig::load(self.config.as_deref())?;
                if self.config.is_none() {
                    config.data_dir = self.data_dir.clone();
                }
                config.store_url()
            }
        };
        SqlStore::connect(&url).await.with_context(|| format!("migrating the store at `{}`", redact(&url)))
    }
}

pub async fn run(args: DbArgs) -> Result<()> {
    match args.command {
        DbCommand::BackfillReports { config, data_dir } => {
            let mut config = OrcaConfig::load(config.as_deref())?;
            if let Some(dir) = data_dir {
                anyhow::ensure!(dir.join("log").is_dir(), "`{}` holds no ORCA data (no `log/` in it)", dir.display());
                config.data_dir = dir;
            }
            let (read, kept) = crate::commands::backfill::backfill_reports(&config).await?;
            println!("{read} reports read from the incident log; {kept} kept on their claims");
        }
        DbCommand::Migrate(owner) => {
            owner.connect().await?.close().await;
            println!("the schema is up to date");
        }
        DbCommand::GrantRole { role, owner } => {
            let store = owner.connect().await?;
            store.grant_stage_role(&role).await.with_context(|| format!("granting `{role}`"))?;
            store.close().await;
            println!(
                "`{role}` may now run the stages (the audit log: read and append only); set `store.migrate = false` \
                 for processes that log in as it"
            );
        }
    }
    Ok(())
}
