//! `orca audit`: check that the audit log has not been tampered with, and read it.
//!
//! - `orca audit verify` walks the hash chain from the first entry to the last and checks it
//!   against the anchors kept outside the database (the anchor file, and the anchor topic unless
//!   `--no-log-anchors`). It names the first bad entry and exits non-zero when it finds one.
//! - `orca audit query` lists entries by who, what, which record, outcome and time. It is for the
//!   people who audit ORCA's use (it reads the database directly, so it needs the store's
//!   credentials, not an API key); the query itself is written to the audit log with its purpose.

use crate::progress;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use orca_runtime::audit_anchor;
use orca_runtime::{Backends, OrcaConfig};
use orca_store::audit_chain::{self, Anchor};
use orca_store::{AuditRecord, SqlStore, Store};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the audit log's hash chain and anchors; name the first bad entry.
    Verify(VerifyArgs),
    /// List audit entries (the query is itself audited).
    Query(QueryArgs),
}

/// Where the store and log are.
#[derive(clap::Args, Debug)]
pub struct Target {
    /// TOML configuration (as for `orca serve`); `ORCA_…` variables override it.
    #[arg(long, conflicts_with = "data_dir")]
    pub config: Option<PathBuf>,
    /// An embedded data directory (as `orca demo` uses).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

impl Target {
    fn config(&self) -> Result<OrcaConfig> {
        let mut config = OrcaConfig::load(self.config.as_deref())?;
        if let Some(dir) = &self.data_dir {
            anyhow::ensure!(
                dir.join("orca.db").is_file(),
                "`{}` holds no ORCA data (no `orca.db` in it)",
                dir.display()
            );
            config.data_dir = dir.clone();
        }
        Ok(config)
    }

    /// The store alone: an embedded store can be read while ORCA runs on it.
    async fn store(&self) -> Result<(OrcaConfig, Arc<dyn Store>)> {
        let config = self.config()?;
        let url = config.store_url();
        let store = SqlStore::connect(&url)
            .await
            .with_context(|| format!("opening the store at `{}`", orca_runtime::backends::redact(&url)))?;
        Ok((config, Arc::new(store)))
    }
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub target: Target,
    /// Anchor files to check against (default: the configured one, `audit-anchors.jsonl` in the
    /// data directory). Give the copy kept away from the database's administrators.
    #[arg(long = "anchors")]
    pub anchor_files: Vec<PathBuf>,
    /// Do not read the anchor topic (only the files).
    #[arg(long)]
    pub no_log_anchors: bool,
}

#[derive(clap::Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub target: Target,
    /// Why you are reading the audit log (recorded with the query).
    #[arg(long)]
    pub purpose: String,
    /// Only entries by this key id.
    #[arg(long)]
    pub principal: Option<String>,
    /// Only entries whose principal kind starts with this, e.g. `force:kent` or `analyst`.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this action, e.g. `read-package`.
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries whose resource contains this, e.g. `PKG-G00000003`.
    #[arg(long)]
    pub resource: Option<String>,
    /// Only this outcome, e.g. `denied`.
    #[arg(long)]
    pub outcome: Option<String>,
    /// Only entries at or after this time (RFC 3339, or a date: 2026-12-01).
    #[arg(long)]
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339, or a date).
    #[arg(long)]
    pub until: Option<String>,
    /// At most this many entries, the newest matching ones.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: AuditArgs) -> Result<()> {
    match args.command {
        AuditCommand::Verify(args) => verify(args).await,
        AuditCommand::Query(args) => query(args).await,
    }
}

async fn verify(args: VerifyArgs) -> Result<()> {
    let (config, store) = args.target.store().await?;
    let files = if args.anchor_files.is_empty() { vec![config.audit_anchor_file()] } else { args.anchor_files };
    let mut anchors: Vec<Anchor> = Vec::new();
    let mut sources = Vec::new();
    for file in &files {
        let found = audit_anchor::read_file(file)?;
        sources.push(format!("{} in `{}`", found.len(), file.display()));
        anchors.extend(found);
    }
    if !args.no_log_anchors {
        match Backends::open_log(&config).await {
            Ok(log) => {
                let found = audit_anchor::read_log(log.as_ref()).await?;
                sources.push(format!("{} on {}", found.len(), orca_eventlog::topics::AUDIT_ANCHORS));
                anchors.extend(found);
            }
            // The embedded log belongs to the process running on it; its anchors are in the file too.
            Err(error) if matches!(config.log, orca_runtime::LogConfig::Embedded) => {
                sources.push(format!("the anchor topic was not read ({error:#})"));
            }
            Err(error) => return Err(error.context("reading the anchor topic (`--no-log-anchors` skips it)")),
        }
    }
    let bar = progress::spinner("verifying the audit log");
    let checked = audit_chain::verify_store(store.as_ref(), anchors, |read| {
        bar.set_message(format!("verifying the audit log: {read} entries read"));
    })
    .await
    .context("reading the audit log")?;
    progress::finish(&bar);
    match checked {
        Ok(summary) => {
            let head = summary.head.map_or("empty".to_owned(), |(seq, hash)| format!("head entry {seq}, hash {hash}"));
            println!(
                "audit log verified: {} chained entries ({head}); {} anchors found on the chain (anchors read: {})",
                summary.entries,
                summary.anchors_checked,
                sources.join(", ")
            );
            if summary.unchained > 0 {
                println!(
                    "note: the first {} entries were written before the chain existed and cannot be verified",
                    summary.unchained
                );
            }
            if summary.anchors_checked == 0 && summary.entries > 0 {
                println!("note: no anchor covers the log yet; deleting its newest entries would not show");
            }
            Ok(())
        }
        Err(problem) => {
            bail!("the audit log has been tampered with: {problem} (first bad entry: {})", problem.first_bad_seq())
        }
    }
}

async fn query(args: QueryArgs) -> Result<()> {
    if let Some(problem) = orca_intel::access::purpose_problem(&args.purpose) {
        bail!("{problem}");
    }
    let since = args.since.as_deref().map(|text| parse_time(text, "--since")).transpose()?;
    let until = args.until.as_deref().map(|text| parse_time(text, "--until")).transpose()?;
    anyhow::ensure!(args.limit > 0, "`--limit` must be at least 1");
    let (_, store) = args.target.store().await?;
    let store = store.as_ref();
    let given = [
        ("principal", &args.principal),
        ("kind", &args.kind),
        ("action", &args.action),
        ("resource", &args.resource),
        ("outcome", &args.outcome),
        ("since", &args.since),
        ("until", &args.until),
    ];
    let mut filters: Vec<String> =
        given.iter().filter_map(|(name, value)| value.as_ref().map(|value| format!("{name}={value}"))).collect();
    filters.push(format!("limit={}", args.limit));
    let filters = filters.join(" ");
    // The query goes on the record before anything is shown.
    record_admin(store, "audit-query", "audit_log", args.purpose.trim(), &filters).await?;
    let matches = |record: &AuditRecord| {
        args.principal.as_ref().is_none_or(|p| &record.principal == p)
            && args.kind.as_ref().is_none_or(|k| record.principal_kind.starts_with(k.as_str()))
            && args.action.as_ref().is_none_or(|a| &record.action == a)
            && args.resource.as_ref().is_none_or(|r| record.resource.contains(r.as_str()))
            && args.outcome.as_ref().is_none_or(|o| &record.outcome == o)
            && since.is_none_or(|since| record.at_ms >= since)
            && until.is_none_or(|until| record.at_ms < until)
    };
    // `--limit` is the caller's number: grow as entries match rather than reserving it up front.
    let mut found = std::collections::VecDeque::new();
    let mut after = 0;
    loop {
        let page = store.audit(after, 10_000).await?;
        for record in page.iter().filter(|record| matches(record)) {
            if found.len() == args.limit {
                found.pop_front();
            }
            found.push_back(record.clone());
        }
        match page.last() {
            Some(last) if page.len() == 10_000 => after = last.seq,
            _ => break,
        }
    }
    for record in &found {
        if args.json {
            println!("{}", serde_json::to_string(record)?);
        } else {
            let at = DateTime::<Utc>::from_timestamp_millis(record.at_ms).map_or(String::new(), |t| t.to_rfc3339());
            println!(
                "{:>7}  {at}  {} ({})  {}  {}  {}  purpose: {}{}",
                record.seq,
                record.principal,
                record.principal_kind,
                record.action,
                record.resource,
                record.outcome,
                record.purpose,
                if record.detail.is_empty() { String::new() } else { format!("  [{}]", record.detail) }
            );
        }
    }
    if !args.json {
        eprintln!("{} matching entries shown (newest last)", found.len());
    }
    Ok(())
}

/// Writes an administrator's step (done with the database's credentials, not an API key) to the
/// audit log under the operating-system user.
pub async fn record_admin(store: &dyn Store, action: &str, resource: &str, purpose: &str, detail: &str) -> Result<()> {
    let who = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown user".to_owned());
    store
        .append_audit(&AuditRecord {
            at_ms: Utc::now().timestamp_millis(),
            principal: format!("(database) {who}"),
            principal_kind: "administrator".to_owned(),
            action: action.to_owned(),
            resource: bounded(resource),
            purpose: bounded(purpose),
            outcome: "done".to_owned(),
            detail: bounded(detail),
            ..AuditRecord::default()
        })
        .await
        .with_context(|| format!("recording `{action}` in the audit log"))?;
    Ok(())
}

/// `text` cut to what an audit field keeps from the command line (flags are the caller's input).
fn bounded(text: &str) -> String {
    const MAX_CHARS: usize = 2_000;
    text.chars().take(MAX_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Milliseconds since the epoch of an RFC 3339 time or a date (its midnight, UTC).
fn parse_time(text: &str, flag: &str) -> Result<i64> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Ok(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_millis()),
        Err(_) => bail!("`{flag}` `{text}` is not a time (use 2026-12-01 or 2026-12-01T09:30:00Z)"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_dates_or_rfc3339() {
        assert_eq!(super::parse_time("1970-01-02", "--since").unwrap(), 86_400_000);
        assert_eq!(super::parse_time("1970-01-01T00:00:01Z", "--since").unwrap(), 1_000);
        let error = super::parse_time("yesterday", "--until").unwrap_err().to_string();
        assert!(error.contains("`--until` `yesterday` is not a time"), "{error}");
    }
}
