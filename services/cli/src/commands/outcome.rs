//! `orca outcome`: a force records what it did about a package's subject (an arrest, a charge, …).
//! The package's next version carries it, for analysts and every force of the package.

use crate::client;
use crate::commands::packages::ForceConnection;
use anyhow::{Context, Result};
use orca_model::package::OutcomeKind;
use orca_proto::convert::ProtoEnum;
use orca_proto::v1;

/// An outcome kind by its name (`arrest`, `no-further-action`, …).
fn outcome_kind(text: &str) -> Result<OutcomeKind, String> {
    OutcomeKind::parse(text.trim()).ok_or_else(|| {
        let kinds: Vec<&str> = OutcomeKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("`{text}` is not an outcome: use {}", kinds.join(", "))
    })
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
    /// arrest, charge, caution, no-further-action, conviction or disruption.
    #[arg(long, value_parser = outcome_kind)]
    pub kind: OutcomeKind,
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
    let date = args.date.clone().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
    let request = v1::RecordOutcomeRequest {
        package_id: args.package.clone(),
        purpose,
        person_id: args.subject.clone(),
        kind: args.kind.to_wire(),
        date,
        force_reference: args.reference.clone(),
        notes: args.notes.clone(),
    };
    let response = intel.record_outcome(client::authorized(request, &key)?).await?.into_inner();
    let outcome = response.outcome.context("empty response")?;
    client::emit(&format!(
        "recorded {}: {} of {} on {} ({}); the next version of {} carries it\n",
        outcome.outcome_id, args.kind, outcome.person_id, outcome.date, outcome.force_reference, outcome.package_id
    ))
}
