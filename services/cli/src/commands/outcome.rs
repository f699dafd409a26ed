//! `orca outcome`: a force records what it did about a package's subject (an arrest, a charge, …).
//! The package's next version carries it, for analysts and every force of the package.

use crate::client;
use crate::commands::packages::ForceConnection;
use anyhow::{Context, Result};
use orca_proto::v1;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Arrest,
    Charge,
    Caution,
    NoFurtherAction,
    Conviction,
    Disruption,
}

#[derive(clap::Args, Debug)]
pub struct OutcomeArgs {
    #[command(flatten)]
    pub connection: ForceConnection,
    /// The package, e.g. `PKG-G000012`.
    #[arg(long)]
    pub package: String,
    /// The subject (person id) it is about, as the package lists them.
    #[arg(long)]
    pub subject: String,
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// When it happened (YYYY-MM-DD); default today.
    #[arg(long)]
    pub date: Option<String>,
    /// The force's own reference: custody record or crime number.
    #[arg(long)]
    pub reference: String,
    /// Anything the next reader should know.
    #[arg(long, default_value = "")]
    pub notes: String,
}

pub async fn run(args: OutcomeArgs) -> Result<()> {
    let connection = &args.connection;
    let purpose = client::stated_purpose(connection.purpose.as_deref())?;
    let key = connection.key()?;
    let mut intel = connection.client().await?;
    let kind = match args.kind {
        Kind::Arrest => v1::OutcomeKind::Arrest,
        Kind::Charge => v1::OutcomeKind::Charge,
        Kind::Caution => v1::OutcomeKind::Caution,
        Kind::NoFurtherAction => v1::OutcomeKind::NoFurtherAction,
        Kind::Conviction => v1::OutcomeKind::Conviction,
        Kind::Disruption => v1::OutcomeKind::Disruption,
    };
    let date = args.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let request = v1::RecordOutcomeRequest {
        package_id: args.package.clone(),
        purpose,
        person_id: args.subject.clone(),
        kind: kind as i32,
        date,
        force_reference: args.reference.clone(),
        notes: args.notes.clone(),
    };
    let response = intel.record_outcome(client::authorized(request, &key)?).await?.into_inner();
    let outcome = response.outcome.context("empty response")?;
    client::emit(&format!(
        "recorded {}: {} of {} on {} ({}); the next version of {} carries it\n",
        outcome.outcome_id,
        kind.as_str_name().trim_start_matches("OUTCOME_KIND_").to_lowercase().replace('_', " "),
        outcome.person_id,
        outcome.date,
        outcome.force_reference,
        outcome.package_id
    ))
}
