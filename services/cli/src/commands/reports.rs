//! A retailer's reports after they were sent: `orca withdraw` takes one back with the reason, and
//! `orca records` lists what became of each (accepted, corrected, withdrawn, rejected with every
//! reason). Both talk to a running ORCA's `orca.v1.IngestService`; an analyst's key may act for
//! any retailer it names. (Corrections are sent with `orca ingest`, with `correction_reason` set.)

use crate::client;
use crate::commands::keys::KeysFile;
use anyhow::{Context, Result};
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, RecordState, WithdrawStatus};
use std::fmt::Write as _;
use std::path::PathBuf;
use tonic::transport::Channel;

/// Whose reports, where, and with which key.
#[derive(clap::Args, Debug)]
pub struct RetailerConnection {
    /// The retailer whose reports these are, e.g. `northmart`.
    #[arg(long)]
    pub retailer: String,
    /// A running ORCA's gRPC endpoint.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub endpoint: String,
    /// The retailer's key, or an analyst's (or ORCA_KEY); default: the retailer's key in
    /// `--data-dir`'s keys file.
    #[arg(long, env = "ORCA_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Data directory whose `keys.json` holds the retailer's key (as `orca demo` writes it).
    #[arg(long, default_value = ".orca/demo")]
    pub data_dir: PathBuf,
}

impl RetailerConnection {
    fn key(&self) -> Result<String> {
        if let Some(key) = &self.key {
            return Ok(key.clone());
        }
        let path = self.data_dir.join("keys.json");
        let keys = KeysFile::read(&path).context("no `--key`; looked for the retailer's key in the data directory")?;
        keys.retailers.get(&self.retailer).cloned().with_context(|| {
            format!("`{}` has no key for `{}` (give `--key`, or see `orca keys`)", path.display(), self.retailer)
        })
    }

    async fn client(&self) -> Result<IngestServiceClient<Channel>> {
        Ok(IngestServiceClient::new(client::connect(&self.endpoint).await?))
    }
}

#[derive(clap::Args, Debug)]
pub struct WithdrawArgs {
    #[command(flatten)]
    pub connection: RetailerConnection,
    /// The retailer's reference of the report.
    #[arg(long = "ref")]
    pub retailer_ref: String,
    /// Why it is withdrawn (recorded, and shown to the forces whose packages it was in).
    #[arg(long)]
    pub reason: String,
}

pub async fn withdraw(args: WithdrawArgs) -> Result<()> {
    let connection = &args.connection;
    let key = connection.key()?;
    let request = v1::WithdrawRequest {
        retailer_ref: args.retailer_ref.clone(),
        reason: args.reason.clone(),
        retailer_id: connection.retailer.clone(),
    };
    let response =
        connection.client().await?.withdraw(client::authorized(request, &key)?).await.map_err(refused)?.into_inner();
    let what = match WithdrawStatus::try_from(response.status) {
        Ok(WithdrawStatus::Withdrawn) => "withdrawn: it leaves every person, group and package it was in",
        Ok(WithdrawStatus::AlreadyWithdrawn) => "was withdrawn before; nothing changed",
        _ => "is in a state this version of orca does not know",
    };
    client::emit(&format!(
        "{} ({}, revision {}) {what}\n",
        response.retailer_ref, response.incident_id, response.revision
    ))
}

#[derive(clap::Args, Debug)]
pub struct RecordsArgs {
    #[command(flatten)]
    pub connection: RetailerConnection,
    /// List the records that were refused, newest first (default: those accepted, by reference).
    #[arg(long)]
    pub rejected: bool,
    /// Only this reference.
    #[arg(long = "ref")]
    pub retailer_ref: Option<String>,
    /// At most this many (1 to 1000; default all, a page at a time).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: Option<u32>,
    /// With an analyst's key: why you are reading another organisation's records (or
    /// ORCA_PURPOSE); recorded in the audit log.
    #[arg(long, env = "ORCA_PURPOSE")]
    pub purpose: Option<String>,
    /// `text` (a table) or `json` (one `orca.v1.RecordStatus` a line).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub async fn records(args: RecordsArgs) -> Result<()> {
    let connection = &args.connection;
    let key = connection.key()?;
    let mut ingest = connection.client().await?;
    let mut page_token = String::new();
    let mut listed = 0u32;
    // The reference column is as wide as the first page needs (references are the retailer's own).
    let mut width = None;
    loop {
        let page = args.limit.map_or(1000, |limit| (limit - listed).min(1000));
        let request = v1::ListRecordsRequest {
            rejected: args.rejected,
            retailer_ref: args.retailer_ref.clone().unwrap_or_default(),
            limit: page,
            page_token: page_token.clone(),
            retailer_id: connection.retailer.clone(),
            purpose: args.purpose.clone().unwrap_or_default(),
        };
        let response = ingest.list_records(client::authorized(request, &key)?).await.map_err(refused)?.into_inner();
        let mut out = String::new();
        if args.format == Format::Text && width.is_none() && !response.records.is_empty() {
            let widest = response.records.iter().map(|r| r.retailer_ref.chars().count()).max().unwrap_or(0);
            let column = widest.clamp(9, 40);
            writeln!(out, "{:<column$} {:<10} {:>3}  {:<19}  NOTE", "REFERENCE", "STATE", "REV", "AT (UTC)")?;
            width = Some(column);
        }
        for record in &response.records {
            match args.format {
                Format::Json => writeln!(out, "{}", serde_json::to_string(record)?)?,
                Format::Text => writeln!(out, "{}", line(record, width.unwrap_or(20)))?,
            }
        }
        client::emit(&out)?;
        listed += response.records.len() as u32;
        page_token = response.next_page_token;
        if page_token.is_empty() || args.limit.is_some_and(|limit| listed >= limit) {
            if listed == 0 && args.format == Format::Text {
                client::emit("(no records)\n")?;
            }
            return Ok(());
        }
    }
}

/// A record's state in a word, as `orca records` and `orca retention review` print it.
pub fn state_name(state: i32) -> &'static str {
    match RecordState::try_from(state) {
        Ok(RecordState::Accepted) => "accepted",
        Ok(RecordState::Corrected) => "corrected",
        Ok(RecordState::Withdrawn) => "withdrawn",
        Ok(RecordState::Rejected) => "rejected",
        Ok(RecordState::Pending) => "pending",
        Ok(RecordState::Disposed) => "disposed",
        _ => "unknown",
    }
}

/// One record as a table row: reference, state, revision, time, and the reason or problems.
fn line(record: &v1::RecordStatus, width: usize) -> String {
    let state = state_name(record.state);
    let at = record
        .at
        .as_ref()
        .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    let note = if record.problems.is_empty() {
        record.note.clone()
    } else {
        let problems: Vec<String> =
            record.problems.iter().map(|p| format!("{}: {} ({})", p.field, p.reason, p.code)).collect();
        problems.join("; ")
    };
    let reference = if record.retailer_ref.is_empty() { "(none)" } else { record.retailer_ref.as_str() };
    let revision = if record.revision == 0 { "-".to_owned() } else { record.revision.to_string() };
    format!("{reference:<width$} {state:<10} {revision:>3}  {at:<19}  {note}")
}

/// What ORCA said when it refused the call, for the person at the terminal.
fn refused(status: tonic::Status) -> anyhow::Error {
    let hint = match status.code() {
        tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => {
            " (is the key the retailer's, or an analyst's?)"
        }
        tonic::Code::Unimplemented => " (is the endpoint an ORCA ingest server?)",
        _ => "",
    };
    anyhow::anyhow!("ORCA refused: {} ({:?}){hint}", status.message(), status.code())
}
