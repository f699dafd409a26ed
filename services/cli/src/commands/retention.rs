//! `orca retention`: an analyst's review of the reports due under the retention schedule, and the
//! decision on each: keep it until a date with the reason (`retain`), or dispose of it
//! (`dispose`, one report or every report due); and the erasure of a person (`erase`). Talks to a running ORCA's
//! `orca.v1.IngestService` with an analyst's key; every call is audited there.

use crate::client;
use crate::commands::analyst::AnalystConnection;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use orca_proto::convert::timestamp_to_proto;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, DisposeStatus};
use std::fmt::Write as _;
use tonic::transport::Channel;

#[derive(Args, Debug)]
pub struct RetentionArgs {
    #[command(flatten)]
    pub connection: AnalystConnection,
    #[command(subcommand)]
    pub command: RetentionCommand,
}

#[derive(Subcommand, Debug)]
pub enum RetentionCommand {
    /// List the reports due for review, with each one's review date and why.
    Review {
        /// The date to review as of (`2032-11-30` or RFC 3339; default now).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
        /// Why you review, in your own words (or ORCA_PURPOSE); recorded in the audit log.
        #[arg(long, env = "ORCA_PURPOSE")]
        purpose: Option<String>,
        /// At most this many (default all).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        limit: Option<u32>,
        /// One `orca.v1.RetentionItem` as JSON a line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Dispose of a report (`--retailer` and `--ref`), or of every report due (`--due`): it leaves
    /// every person, group and package, and nothing of its content is kept.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["retailer", "due"])))]
    Dispose {
        /// The retailer whose report it is (with `--ref`).
        #[arg(long, requires = "retailer_ref")]
        retailer: Option<String>,
        /// The retailer's reference of the report.
        #[arg(long = "ref", requires = "retailer")]
        retailer_ref: Option<String>,
        /// Instead of one report: every report the review lists as due (as of `--as-of`, default now).
        #[arg(long)]
        due: bool,
        /// With `--due`: the date the review is for.
        #[arg(long, value_parser = parse_date, requires = "due")]
        as_of: Option<chrono::DateTime<chrono::Utc>>,
        /// Why (recorded with each disposal).
        #[arg(long)]
        reason: String,
    },
    /// Keep a report past its review date until a date, with the reason.
    Retain {
        #[arg(long)]
        retailer: String,
        #[arg(long = "ref")]
        retailer_ref: String,
        /// Until when (`2030-06-30` or RFC 3339); it is due for review again after.
        #[arg(long, value_parser = parse_date)]
        until: chrono::DateTime<chrono::Utc>,
        #[arg(long)]
        reason: String,
    },
    /// Erase a person where no retention basis remains: every sighting of them (or those named)
    /// keeps its place in its report with nothing else, and they leave every entity, link and
    /// package.
    Erase(crate::commands::erase::EraseArgs),
}

/// `2032-11-30` (midnight UTC) or an RFC 3339 time.
fn parse_date(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| format!("`{text}` is not a date: write 2032-11-30 or 2032-11-30T09:00:00Z"))
}

pub async fn run(args: RetentionArgs) -> Result<()> {
    let key = args.connection.key()?;
    let channel = client::connect(&args.connection.endpoint).await?;
    let mut ingest = IngestServiceClient::new(channel.clone());
    match args.command {
        RetentionCommand::Erase(erase) => crate::commands::erase::run(channel, &key, erase).await,
        RetentionCommand::Review { as_of, purpose, limit, json } => {
            let purpose = client::stated_purpose(purpose.as_deref())?;
            let due = review(&mut ingest, &key, as_of, &purpose, limit).await?;
            let mut out = String::new();
            if json {
                for item in &due {
                    writeln!(out, "{}", serde_json::to_string(item)?)?;
                }
            } else if due.is_empty() {
                out.push_str("(nothing due for review)\n");
            } else {
                out.push_str(&table(&due));
                let shown = if limit.is_some_and(|limit| due.len() as u32 >= limit) {
                    format!("the first {} due (raise --limit for more)", due.len())
                } else {
                    format!("{} due", due.len())
                };
                writeln!(out, "{shown}; keep one with `orca retention retain`, dispose with `orca retention dispose`")?;
            }
            client::emit(&out)
        }
        RetentionCommand::Dispose { retailer, retailer_ref, due, as_of, reason } => {
            let reports: Vec<(String, String)> = if due {
                let purpose = format!("disposal of the reports due: {reason}");
                let listed = review(&mut ingest, &key, as_of, &purpose, None).await?;
                listed.into_iter().map(|item| (item.retailer_id, item.retailer_ref)).collect()
            } else {
                vec![(retailer.unwrap_or_default(), retailer_ref.unwrap_or_default())]
            };
            if reports.is_empty() {
                return client::emit("(nothing due for review; nothing disposed of)\n");
            }
            let mut disposed = 0usize;
            for (retailer, retailer_ref) in &reports {
                let request = v1::DisposeRequest {
                    retailer_id: retailer.clone(),
                    retailer_ref: retailer_ref.clone(),
                    reason: reason.clone(),
                };
                let response = paced(|| {
                    let (mut ingest, request) = (ingest.clone(), client::authorized(request.clone(), &key)?);
                    Ok(async move { ingest.dispose(request).await })
                })
                .await
                .map_err(|status| refused(status, retailer, retailer_ref))?;
                let what = match DisposeStatus::try_from(response.status) {
                    Ok(DisposeStatus::Disposed) => {
                        disposed += 1;
                        "disposed of"
                    }
                    Ok(DisposeStatus::AlreadyDisposed) => "was disposed of before",
                    _ => "is in a state this version of orca does not know",
                };
                client::emit(&format!("{retailer} {retailer_ref} ({}) {what}\n", response.incident_id))?;
            }
            client::emit(&format!("{disposed} of {} reports disposed of\n", reports.len()))
        }
        RetentionCommand::Retain { retailer, retailer_ref, until, reason } => {
            let request = v1::RetainRequest {
                retailer_id: retailer.clone(),
                retailer_ref: retailer_ref.clone(),
                retain_until: Some(timestamp_to_proto(until)),
                reason,
            };
            let response = ingest
                .retain(client::authorized(request, &key)?)
                .await
                .map_err(|status| refused(status, &retailer, &retailer_ref))?
                .into_inner();
            client::emit(&format!(
                "{retailer} {retailer_ref} ({}) kept until {}; due for review again after\n",
                response.incident_id,
                day(response.retain_until.as_ref())
            ))
        }
    }
}

/// Every report due (up to `limit`), a page at a time.
async fn review(
    ingest: &mut IngestServiceClient<Channel>,
    key: &str,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
    purpose: &str,
    limit: Option<u32>,
) -> Result<Vec<v1::RetentionItem>> {
    let mut due = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = limit.map_or(1000, |limit| (limit - due.len() as u32).min(1000));
        let request = v1::RetentionReviewRequest {
            as_of: as_of.map(timestamp_to_proto),
            limit: page,
            page_token: page_token.clone(),
            purpose: purpose.to_owned(),
        };
        let response = paced(|| {
            let (mut ingest, request) = (ingest.clone(), client::authorized(request.clone(), key)?);
            Ok(async move { ingest.retention_review(request).await })
        })
        .await
        .map_err(|status| refused(status, "", ""))
        .context("the retention review failed")?;
        due.extend(response.due);
        page_token = response.next_page_token;
        if page_token.is_empty() || limit.is_some_and(|limit| due.len() as u32 >= limit) {
            return Ok(due);
        }
    }
}

/// Most times one call is sent again while ORCA asks the key to slow down.
const MAX_PACED_ATTEMPTS: u32 = 30;

/// Makes a call, and makes it again after the wait ORCA names while it says this key is sending
/// too fast (`RESOURCE_EXHAUSTED` with `retry-after`): disposing of thousands of reports runs at
/// the key's rate instead of failing part way.
async fn paced<T, F>(mut call: impl FnMut() -> Result<F>) -> std::result::Result<T, tonic::Status>
where
    F: std::future::Future<Output = std::result::Result<tonic::Response<T>, tonic::Status>>,
{
    let mut attempt = 0;
    loop {
        let request = call().map_err(|e| tonic::Status::invalid_argument(e.to_string()))?;
        match request.await {
            Ok(response) => return Ok(response.into_inner()),
            Err(status) if status.code() == tonic::Code::ResourceExhausted && attempt < MAX_PACED_ATTEMPTS => {
                attempt += 1;
                let wait = (status.metadata().get("retry-after"))
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                    .unwrap_or(1)
                    .clamp(1, 60);
                tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            }
            Err(status) => return Err(status),
        }
    }
}

fn day(t: Option<&pbjson_types::Timestamp>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The due reports as a table, each column as wide as its widest cell.
fn table(due: &[v1::RetentionItem]) -> String {
    let reports: Vec<String> = due.iter().map(|item| format!("{} {}", item.retailer_id, item.retailer_ref)).collect();
    let id_width = due.iter().map(|item| item.incident_id.chars().count()).max().unwrap_or(0).max(8);
    let report_width = reports.iter().map(|r| r.chars().count()).max().unwrap_or(0).max(6);
    let mut out = format!(
        "{:<id_width$}  {:<report_width$}  {:<10} {:<10} {:<10}  BASIS\n",
        "INCIDENT", "REPORT", "STATE", "RECEIVED", "REVIEW"
    );
    for (item, report) in due.iter().zip(&reports) {
        let state = crate::commands::reports::state_name(item.state);
        let _ = writeln!(
            out,
            "{:<id_width$}  {report:<report_width$}  {state:<10} {:<10} {:<10}  {}",
            item.incident_id,
            day(item.received_at.as_ref()),
            day(item.review_at.as_ref()),
            item.basis
        );
    }
    out
}

fn refused(status: tonic::Status, retailer: &str, retailer_ref: &str) -> anyhow::Error {
    let about = if retailer.is_empty() { String::new() } else { format!(" about {retailer} {retailer_ref}") };
    let hint = match status.code() {
        tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => " (retention is for analysts' keys)",
        tonic::Code::Unimplemented => " (is the endpoint an ORCA ingest server?)",
        _ => "",
    };
    anyhow::anyhow!("ORCA refused{about}: {} ({:?}){hint}", status.message(), status.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_or_rfc3339_and_anything_else_says_how_to_write_one() {
        assert_eq!(parse_date("2032-11-30").unwrap().to_rfc3339(), "2032-11-30T00:00:00+00:00");
        assert_eq!(parse_date("2032-11-30T09:00:00+01:00").unwrap().to_rfc3339(), "2032-11-30T08:00:00+00:00");
        let error = parse_date("30/11/2032").unwrap_err();
        assert!(error.contains("write 2032-11-30"), "{error}");
    }
}
