//! `orca ingest`: send incident files (JSONL or CSV) into ORCA, the way a retailer uploads its
//! history: into an embedded pipeline on a data directory (started here, run until everything is
//! processed), or to a running ingest endpoint.
//!
//! Stores are onboarding data: a `stores.csv` beside an input file (see `stores_file`), or the file
//! given with `--stores`, is registered first through `RegisterStores`, each retailer with its
//! own key. Rejected records are written beside each input as `<input>.rejected.jsonl`, one JSON
//! object per record with its line number, reasons and the record as read.

use crate::client::{self, Item, Rejection, Totals, Uploader};
use crate::commands::demo::Summary;
use crate::commands::keys::KeysFile;
use crate::embedded::Embedded;
use crate::exit_status::{self, Unfinished};
use crate::incident_csv::Layout;
use crate::{progress, stores_file};
use anyhow::{Context, Result, bail};
use orca_auth::PrincipalKind;
use orca_model::problem::codes;
use orca_proto::convert::json::{incident_from_json, retailer_ref_in};
use orca_proto::v1::{self, ingest_service_client::IngestServiceClient};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// Incident files: `.jsonl`/`.ndjson` (one `orca.v1.Incident` per line, proto3 JSON) or `.csv`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Run the embedded pipeline on this data directory and return once everything is processed.
    #[arg(long, conflicts_with = "endpoint")]
    pub data_dir: Option<PathBuf>,
    /// Send to a running ORCA's gRPC endpoint instead.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Keys file with each retailer's key (needed with `--endpoint`; see `orca keys`).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Stores to register first (default: `stores.csv` beside each input, if there is one).
    #[arg(long)]
    pub stores: Option<PathBuf>,
    /// Keep the file's order on the incident log (one record at a time; slower), so two runs of
    /// the same file give identical persons, groups and packages.
    #[arg(long)]
    pub ordered: bool,
    /// Write a receipt per accepted or duplicate record to this CSV file: input line, retailer
    /// reference, the ORCA incident id and when it was acknowledged (Unix milliseconds).
    #[arg(long)]
    pub receipts: Option<PathBuf>,
    /// Send at most this many records per second (default: as fast as ORCA acknowledges), e.g.
    /// to replay history beside live feeds, or to measure latency at a steady load.
    #[arg(long, value_parser = parse_rate)]
    pub rate: Option<f64>,
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!("`{text}` is not a positive number of records per second")),
    }
}

pub async fn run(args: IngestArgs) -> Result<()> {
    let started = Instant::now();
    for file in &args.files {
        anyhow::ensure!(file.exists(), "`{}` does not exist", file.display());
    }
    let (mut embedded, endpoint, keys) = match (&args.data_dir, &args.endpoint) {
        (Some(dir), None) => {
            let local: SocketAddr = ([127, 0, 0, 1], 0).into();
            let embedded = Embedded::start(dir, local, local).await?;
            let endpoint = embedded.endpoint();
            let keys = embedded.keys.clone();
            (Some(embedded), endpoint, keys)
        }
        (None, Some(endpoint)) => {
            let path = args.keys.as_deref().context("`--endpoint` needs `--keys FILE` with each retailer's key")?;
            (None, endpoint.clone(), KeysFile::read(path)?)
        }
        _ => bail!("say where to send the incidents: `--data-dir DIR` or `--endpoint URL`"),
    };
    let channel = client::connect(&endpoint).await?;
    let mut keys = keys;

    let mut grand = Totals::default();
    for file in &args.files {
        let stores = args.stores.clone().or_else(|| Some(file.with_file_name("stores.csv")).filter(|p| p.exists()));
        if let Some(stores) = stores {
            register_stores(&channel, &stores, &mut keys, embedded.as_mut()).await?;
        }
        if let Some(embedded) = embedded.as_mut() {
            for retailer in retailers_in(file)? {
                keys.retailers.insert(retailer.clone(), embedded.key(PrincipalKind::Retailer, &retailer).await?);
            }
        }
        let totals = send_file(&channel, file, &keys, args.ordered, args.rate).await?;
        report_file(file, &totals)?;
        grand.absorb(totals);
    }
    if let Some(path) = &args.receipts {
        write_receipts(path, &grand.receipts)?;
    }
    let found = match embedded {
        Some(embedded) => {
            embedded.wait_for_processing().await?;
            let found = Summary::read(&embedded).await?;
            embedded.app.stop().await?;
            Some(found)
        }
        None => None,
    };
    let sent = grand.accepted + grand.duplicate + grand.rejected.len() as u64;
    println!(
        "accepted {}, duplicate {}, rejected {} ({} warnings) in {:.1}s",
        grand.accepted,
        grand.duplicate,
        grand.rejected.len(),
        grand.warnings(),
        started.elapsed().as_secs_f64()
    );
    if let Some(found) = found {
        println!(
            "found {} persons, {} vehicles, {} groups ({} across force borders), {} packages",
            found.persons, found.vehicles, found.groups, found.cross_border, found.packages
        );
    }
    if !grand.rejected.is_empty() {
        let message = format!(
            "{} of {sent} records were rejected; each is kept with its reasons in `<input>.rejected.jsonl`",
            grand.rejected.len()
        );
        return Err(Unfinished { code: exit_status::SOME_REJECTED, message }.into());
    }
    Ok(())
}

fn write_receipts(path: &Path, receipts: &[client::Receipt]) -> Result<()> {
    let mut out = csv::Writer::from_path(path).with_context(|| format!("creating `{}`", path.display()))?;
    for receipt in receipts {
        out.serialize(receipt)?;
    }
    out.flush()?;
    Ok(())
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Retailers named in a file, so the embedded mode can issue them keys before sending.
fn retailers_in(file: &Path) -> Result<Vec<String>> {
    let mut retailers = std::collections::BTreeSet::new();
    for_each_record(file, |item| {
        if let Ok(item) = item {
            retailers.insert(item.incident.retailer_id.clone());
        }
        Ok(())
    })?;
    Ok(retailers.into_iter().collect())
}

/// Calls `visit` with each record of a file, or with the rejection of a record that cannot be read.
fn for_each_record(file: &Path, mut visit: impl FnMut(Result<Item, Rejection>) -> Result<()>) -> Result<()> {
    let open = || std::fs::File::open(file).with_context(|| format!("opening `{}`", file.display()));
    if is_csv(file) {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(open()?);
        let layout =
            Layout::from_header(reader.headers()?).map_err(|e| anyhow::anyhow!("`{}`: {e}", file.display()))?;
        for (row, bytes) in reader.byte_records().enumerate() {
            let line = row as u64 + 2;
            let bytes = bytes.with_context(|| format!("`{}` line {line}", file.display()))?;
            // A row that is not text is rejected and kept (as read, lossily), and the run goes on.
            let record = match csv::StringRecord::from_byte_record(bytes) {
                Ok(record) => record,
                Err(error) => {
                    let reason = format!("the row is not UTF-8 text ({})", error.utf8_error());
                    let cells = error.into_byte_record();
                    let raw: Vec<String> =
                        cells.iter().map(|cell| String::from_utf8_lossy(cell).into_owned()).collect();
                    let problem = client::ProblemOut { field: String::new(), code: codes::UNREADABLE.into(), reason };
                    let rejection =
                        Rejection { line, retailer_ref: String::new(), problems: vec![problem], record: raw.join(",") };
                    visit(Err(rejection))?;
                    continue;
                }
            };
            let raw = record.iter().collect::<Vec<_>>().join(",");
            visit(match layout.incident(&record) {
                Ok(incident) => Ok(Item { line, raw, incident }),
                Err(problems) => Err(Rejection {
                    line,
                    retailer_ref: record.get(layout.column("retailer_ref")).unwrap_or("").trim().to_owned(),
                    problems: problems
                        .into_iter()
                        .map(|p| client::ProblemOut {
                            field: p.column.into(),
                            code: codes::INVALID_CELL.into(),
                            reason: p.reason,
                        })
                        .collect(),
                    record: raw,
                }),
            })?;
        }
    } else {
        for (index, text) in BufReader::with_capacity(1 << 20, open()?).lines().enumerate() {
            let line = index as u64 + 1;
            let text = text.with_context(|| format!("`{}` line {line}", file.display()))?;
            if text.trim().is_empty() {
                continue;
            }
            visit(match incident_from_json(text.as_bytes()) {
                Ok(incident) => Ok(Item { line, raw: text, incident }),
                Err(problems) => Err(Rejection {
                    line,
                    retailer_ref: retailer_ref_in(&serde_json::from_str(&text).unwrap_or_default()),
                    problems: problems
                        .into_iter()
                        .map(|p| client::ProblemOut {
                            field: p.field,
                            code: codes::INVALID_JSON.into(),
                            reason: p.reason,
                        })
                        .collect(),
                    record: text,
                }),
            })?;
        }
    }
    Ok(())
}

async fn send_file(
    channel: &tonic::transport::Channel,
    file: &Path,
    keys: &KeysFile,
    ordered: bool,
    rate: Option<f64>,
) -> Result<Totals> {
    let total = count_records(file)?;
    let bar = progress::bar(total, "ingesting");
    let retailer_keys = Arc::new(keys.retailers.clone());
    let lookup = Arc::new(move |retailer: &str| retailer_keys.get(retailer).cloned());
    let mut uploader = if ordered {
        Uploader::ordered(channel.clone(), lookup, bar.clone())
    } else {
        Uploader::new(channel.clone(), lookup, bar.clone())
    };
    let unreadable = Arc::new(Mutex::new(Vec::new()));
    // Read on a blocking thread; hand records to the async uploader through a channel.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Item, Rejection>>(4_096);
    let path = file.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        for_each_record(&path, |record| tx.blocking_send(record).map_err(|_| anyhow::anyhow!("upload stopped")))
    });
    let started = tokio::time::Instant::now();
    let mut sent: u64 = 0;
    while let Some(record) = rx.recv().await {
        if let Some(rate) = rate {
            tokio::time::sleep_until(started + Duration::from_secs_f64(sent as f64 / rate)).await;
            sent += 1;
        }
        match record {
            Ok(item) => uploader.send(item).await?,
            Err(rejection) => {
                bar.inc(1);
                unreadable.lock().expect("not poisoned").push(rejection);
            }
        }
    }
    reader.await.context("the reader panicked")??;
    let mut totals = uploader.finish().await?;
    progress::finish(&bar);
    totals.rejected.extend(unreadable.lock().expect("not poisoned").drain(..));
    totals.rejected.sort_by_key(|r| r.line);
    Ok(totals)
}

fn count_records(file: &Path) -> Result<u64> {
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let lines =
        reader.split(b'\n').filter(|l| l.as_ref().is_ok_and(|l| !l.iter().all(u8::is_ascii_whitespace))).count();
    Ok(if is_csv(file) { lines.saturating_sub(1) } else { lines } as u64)
}

/// Writes `<input>.rejected.jsonl` and `<input>.warnings.jsonl` (one JSON object per record, with
/// its line and reasons; removed when there is nothing to say) and says how the file went.
fn report_file(file: &Path, totals: &Totals) -> Result<()> {
    let rejected = write_beside(file, "rejected", &totals.rejected)?;
    let warned = write_beside(file, "warnings", &totals.warned)?;
    let mut notes = Vec::new();
    if let Some(path) = rejected {
        notes.push(format!("reasons in `{}`", path.display()));
    }
    if let Some(path) = warned {
        notes.push(format!("{} warnings in `{}`", totals.warnings(), path.display()));
    }
    eprintln!(
        "`{}`: accepted {}, duplicate {}, rejected {}{}",
        file.display(),
        totals.accepted,
        totals.duplicate,
        totals.rejected.len(),
        if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) }
    );
    Ok(())
}

/// Writes `entries` as JSON lines to `<file>.<what>.jsonl`, or removes that file when there are none.
fn write_beside<T: serde::Serialize>(file: &Path, what: &str, entries: &[T]) -> Result<Option<PathBuf>> {
    let path = PathBuf::from(format!("{}.{what}.jsonl", file.display()));
    if entries.is_empty() {
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing `{}`", path.display()))?;
        }
        return Ok(None);
    }
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("creating `{}`", path.display()))?,
    );
    for entry in entries {
        serde_json::to_writer(&mut out, entry)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Some(path))
}

/// Registers a stores file, each retailer's stores with that retailer's key.
pub async fn register_stores(
    channel: &tonic::transport::Channel,
    path: &Path,
    keys: &mut KeysFile,
    mut embedded: Option<&mut Embedded>,
) -> Result<()> {
    let stores = stores_file::read(path)?;
    let mut by_retailer: BTreeMap<String, Vec<v1::StoreRegistration>> = BTreeMap::new();
    for store in stores {
        by_retailer.entry(store.retailer.to_string()).or_default().push(v1::StoreRegistration {
            store_id: store.id.to_string(),
            retailer_id: store.retailer.to_string(),
            name: store.name,
            postcode: store.postcode,
            force: store.force.to_string(),
            lat: store.lat,
            lon: store.lon,
        });
    }
    let mut registered = 0;
    let mut problems = Vec::new();
    for (retailer, stores) in by_retailer {
        if let Some(embedded) = embedded.as_deref_mut() {
            keys.retailers.insert(retailer.clone(), embedded.key(PrincipalKind::Retailer, &retailer).await?);
        }
        let Some(key) = keys.retailers.get(&retailer) else {
            eprintln!(
                "`{}`: {} stores of `{retailer}` not registered: no key for it in the keys file",
                path.display(),
                stores.len()
            );
            continue;
        };
        let mut client = IngestServiceClient::new(channel.clone());
        let response = client
            .register_stores(client::authorized(v1::RegisterStoresRequest { stores }, key)?)
            .await
            .map_err(|status| client::refused(&status).context(format!("registering `{retailer}`'s stores")))?
            .into_inner();
        registered += response.registered;
        for result in response.results.iter().filter(|r| !r.registered) {
            for problem in &result.problems {
                problems.push(format!("store `{}`: `{}` {}", result.store_id, problem.field, problem.reason));
            }
        }
    }
    eprintln!("`{}`: registered {registered} stores", path.display());
    if !problems.is_empty() {
        bail!("some stores were refused:\n  {}", problems.join("\n  "));
    }
    Ok(())
}
