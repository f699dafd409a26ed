//! `orca`: run the organised-retail-crime pipeline, feed it, and read what it found.
//!
//! The binary is thin: it parses arguments, sets up telemetry and the shutdown signal, and calls
//! the libraries. Each command lives in `commands/`.

mod client;
mod commands;
mod embedded;
mod exit_status;
mod incident_csv;
mod predictions;
mod progress;
mod stores_file;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// jemalloc, not glibc's allocator: glibc keeps freed memory in an arena per thread (about a third of
/// a load's peak); loading 300,000 incidents, jemalloc peaked at 2.28 GB against 3.05 GB and took 251 s
/// of CPU against 321 s (`benches/memory/RESULTS.md`).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// ORCA: Organised Retail Crime Analysis.
///
/// Retailers stream incident reports in; ORCA resolves offenders and vehicles across retailers,
/// finds organised groups that cross force borders, and serves intelligence packages to forces.
#[derive(Parser, Debug)]
#[command(name = "orca", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    tls: client::ClientTls,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build a synthetic national world, stream it through gRPC ingest into an embedded pipeline,
    /// print what ORCA found, then keep serving gRPC until Ctrl-C.
    Demo(commands::demo::DemoArgs),
    /// Write a synthetic world with ground truth: incidents.jsonl, stores.csv and truth/.
    Simulate(commands::simulate::SimulateArgs),
    /// Send incidents (JSONL or CSV) into ORCA: an embedded data directory or a running endpoint.
    #[command(after_help = INGEST_AFTER_HELP)]
    Ingest(commands::ingest::IngestArgs),
    /// Withdraw a report sent before, with the reason (a retailer's own, or any with an analyst's key).
    Withdraw(commands::reports::WithdrawArgs),
    /// A retailer's records and what became of each: accepted, corrected, withdrawn, rejected.
    Records(commands::reports::RecordsArgs),
    /// Review reports due under the retention schedule; keep them with a reason, or dispose of them.
    Retention(commands::retention::RetentionArgs),
    /// Score what ORCA resolved and detected against a simulated world's truth.
    Eval(commands::eval::EvalArgs),
    /// Run stages as a service: `ingest`, `resolver`, `linker`, `intel`, or `all`.
    Serve(commands::serve::ServeArgs),
    /// A force's view of its intelligence packages: triage, one in full (any version, what
    /// changed, printable HTML), or follow new versions live.
    Packages(commands::packages::PackagesArgs),
    /// Record what a force did about a package's subject (arrest, charge, caution, …).
    Outcome(commands::outcome::OutcomeArgs),
    /// An OPAL analyst's workspace: search, show, expand, path, timeline, groups, review.
    Analyst(commands::analyst::AnalystArgs),
    /// Rebuild the analysts' search index from the logs (intel stopped).
    Reindex(commands::reindex::ReindexArgs),
    /// The database's schema and the stages' role (run as the database owner).
    Db(commands::db::DbArgs),
    /// Verify the audit log's hash chain, or query the audit log.
    Audit(commands::audit::AuditArgs),
    /// Issue API keys for retailers, forces and analysts.
    Keys(commands::keys::KeysArgs),
    /// Find communities in an edge list from elsewhere (Leiden).
    Communities(commands::communities::CommunitiesArgs),
    /// Deduplicate or link lists of records from other systems (Fellegi-Sunter, Splink-style settings).
    LinkRecords(commands::link_records::LinkRecordsArgs),
}

const INGEST_AFTER_HELP: &str = "\
Exit status: 0 when every record was accepted (or was already there); 2 when the run finished but
some records were rejected (each is kept with its reasons in `<input>.rejected.jsonl`, and the rest
went in); 1 when the run failed (no connection, a refused key, an endpoint that takes no incidents).

Accepted records ORCA had remarks on are listed in `<input>.warnings.jsonl`. Records for a retailer
the keys file has no key for are rejected (code `no-key`), not sent. Without a terminal, progress is
a line on stderr every ORCA_PROGRESS_EVERY_SECS seconds (default 10) and at the end of each phase.";

fn main() -> ExitCode {
    let cli = Cli::parse();
    client::quiet_on_closed_pipe();
    client::use_tls(cli.tls.clone());
    // `ORCA_JSON_LOGS=1` switches to one JSON object per line, for log shippers.
    // Services log what they do; interactive commands only warnings (their output is the report).
    let default_filter = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
    let json = orca_runtime::telemetry::json_logs_wanted(std::env::var("ORCA_JSON_LOGS").ok().as_deref());
    orca_runtime::telemetry::init_logging(json, default_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Demo(args) => commands::demo::run(args).await,
            Command::Simulate(args) => tokio::task::spawn_blocking(move || commands::simulate::run(args)).await?,
            Command::Ingest(args) => commands::ingest::run(args).await,
            Command::Eval(args) => commands::eval::run(args).await,
            Command::Withdraw(args) => commands::reports::withdraw(args).await,
            Command::Records(args) => commands::reports::records(args).await,
            Command::Retention(args) => commands::retention::run(args).await,
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Packages(args) => commands::packages::run(args).await,
            Command::Outcome(args) => commands::outcome::run(args).await,
            Command::Analyst(args) => commands::analyst::run(args).await,
            Command::Reindex(args) => commands::reindex::run(args).await,
            Command::Keys(args) => commands::keys::run(args).await,
            Command::Audit(args) => commands::audit::run(args).await,
            Command::Db(args) => commands::db::run(args).await,
            Command::Communities(args) => commands::communities::run(args),
            Command::LinkRecords(args) => {
                tokio::task::spawn_blocking(move || commands::link_records::run(args)).await?
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(unfinished) = error.downcast_ref::<exit_status::Unfinished>() {
                eprintln!("{unfinished}");
                return ExitCode::from(unfinished.code);
            }
            let message = format!("{error:#}");
            eprintln!("error: {message}");
            // What a plaintext client sees from a server that speaks only TLS.
            let tls_signs = ["broken pipe", "reset", "frame with invalid size"];
            if message.contains("transport error") && tls_signs.iter().any(|sign| message.contains(sign)) {
                eprintln!("hint: if the server has TLS on, use `https://` and `--ca-file` (see `orca --help`)");
            }
            ExitCode::FAILURE
        }
    }
}
