//! End to end, embedded against distributed on the same input: incidents per second from the first
//! send to a settled pipeline, and the latency from an ingest acknowledgement to the package update
//! it caused.
//!
//! ```sh
//! benches/e2e/run.sh [incidents] [seed] [rate]  # builds in release, starts PostgreSQL, finds Tansu
//! ```
//!
//! Both modes run the release `orca` binary as an operator would: embedded is one `orca serve all`
//! process (in-process log, SQLite); distributed is `orca serve ingest|resolver|linker|intel` as
//! four processes over a private Tansu broker and a fresh PostgreSQL database (`ORCA_TEST_KAFKA`,
//! `ORCA_TEST_POSTGRES`; see `orca_tests::distributed`). Both use one partition per topic. The load
//! is `orca ingest --endpoint` (one stream per retailer) with `--receipts`, which records when each
//! incident was acknowledged, twice per mode on fresh state: at full speed (throughput; latency
//! then includes the backlog) and paced at `rate` incidents per second (default 500; latency at a
//! steady load the pipeline keeps up with).
//!
//! Streams: every force's packages are followed over `StreamPackages` for the whole load (see
//! `streams.rs`); reported as ack -> on an open stream, per incident. Reads (paced runs): once
//! settled, `GetPackage` from eight concurrent clients against the health check in the same run.
//!
//! Freshness (paced runs only): probe incidents sent five a second beside the load are searched
//! for by id through `AnalystService.Search` (see `freshness.rs`); reported as ack -> searchable.
//!
//! Latency: the bench polls the store's `packages` table every 20 ms. A package version is seen
//! at the poll that first returns it. A version that newly cites an incident acknowledged after
//! the previous version was seen was caused by it: its latency runs from the latest such
//! acknowledgement to the poll (so a group that only forms at its fifth incident is timed from the
//! fifth, not the first). Versions caused otherwise (a merge that brings old incidents in, a
//! withdrawal) are counted but not timed. Polling adds up to 20 ms; the figure includes the intel
//! stage storing the version. A second figure, ack -> first cited by any package, times only the
//! versions that cite an incident no package had cited at an earlier poll: a package that re-cites
//! what another package already gave the forces (a member's own package when they leave a group,
//! citing their whole history) is a restructuring, not a delay in reporting an incident.

mod freshness;
mod streams;

use anyhow::{Context, Result, bail, ensure};
use freshness::{ProbeTarget, SearchProbe};
use orca_proto::v1::IntelligencePackage;
use orca_tests::distributed::Distributed;
use orca_tests::orca::parse_totals;
use orca_tests::service::Service;
use orca_tests::{Orca, World, configs};
use prost::Message;
use sqlx::{AnyPool, Row};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use streams::{ReadLoad, StreamWatch};

const POLL: Duration = Duration::from_millis(20);
const SETTLE_TIMEOUT: Duration = Duration::from_secs(1_800);
/// Concurrent `GetPackage` clients once the pipeline has settled, and calls each.
const READ_CLIENTS: usize = 8;
const READS_PER_CLIENT: usize = 250;

#[tokio::main]
async fn main() -> Result<()> {
    let numbers: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let incidents = numbers.first().copied().unwrap_or(20_000);
    let seed = numbers.get(1).copied().unwrap_or(1);
    let orca = Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let started = Instant::now();
    let world = World::simulate(&orca, seed, incidents, &scratch.path().join("world")).await?;
    println!("world: seed {seed}, {incidents} incidents ({:.1}s)", started.elapsed().as_secs_f64());

    let rate = numbers.get(2).map_or(500.0, |r| *r as f64);
    let mut results = Vec::new();
    for (label, pace) in [("full speed", None), ("paced", Some(rate))] {
        let scratch = scratch.path().join(label.replace(' ', "-"));
        let embedded = run_embedded(&orca, &world, &scratch.join("embedded"), pace).await?;
        let distributed = run_distributed(&orca, &world, &scratch.join("distributed"), pace).await?;
        results.push((label, pace, embedded, distributed));
    }
    for (label, pace, embedded, distributed) in &results {
        let load = pace.map_or("as fast as acknowledged".to_owned(), |r| format!("{r:.0} incidents/s offered"));
        println!("\n{label} ({load}):");
        embedded.print("  embedded (1 process, in-process log, SQLite)");
        distributed.print("  distributed (4 processes, Tansu, PostgreSQL)");
        println!(
            "  distributed/embedded: throughput {:.2}x, p50 latency {:.2}x, p99 latency {:.2}x",
            distributed.incidents_per_second() / embedded.incidents_per_second(),
            distributed.latency(0.50) as f64 / embedded.latency(0.50).max(1) as f64,
            distributed.latency(0.99) as f64 / embedded.latency(0.99).max(1) as f64,
        );
    }
    Ok(())
}

/// What one mode did with the world.
struct Measured {
    incidents: u64,
    /// From starting `orca ingest` until every stage had caught up.
    elapsed: Duration,
    /// Until `orca ingest` had every acknowledgement.
    ingest_elapsed: Duration,
    /// Milliseconds from acknowledgement to package update, sorted.
    latencies_ms: Vec<i64>,
    /// The same, for versions that cite an incident no package had cited before, from the
    /// latest such incident's acknowledgement: how long until some package gives it to a force.
    first_cited_ms: Vec<i64>,
    package_versions: usize,
    /// Milliseconds from acknowledgement to first found by search, sorted (paced runs).
    searchable_ms: Vec<i64>,
    /// The slowest package version: which, and what it newly cited.
    slowest: Option<String>,
    /// The slowest of the versions timed in `first_cited_ms`.
    slowest_first_cited: Option<String>,
    /// Each process's peak resident memory (role, bytes), read when the pipeline had settled.
    peak_rss: Vec<(String, u64)>,
    /// Milliseconds from acknowledgement to an open `StreamPackages` client receiving the version
    /// (timed as `latencies_ms`), sorted.
    streamed_ms: Vec<i64>,
    /// `GetPackage` under concurrent reads once settled (paced runs).
    reads: Option<ReadLoad>,
}

impl Measured {
    fn incidents_per_second(&self) -> f64 {
        self.incidents as f64 / self.elapsed.as_secs_f64()
    }

    fn latency(&self, quantile: f64) -> i64 {
        quantile_of(&self.latencies_ms, quantile)
    }

    fn print(&self, mode: &str) {
        println!(
            "{mode}: {} incidents settled in {:.1}s = {:.0} incidents/s (ingest acknowledged all in {:.1}s = {:.0}/s); \
             {} package updates ({} caused by a new incident): ack -> package p50 {} ms, p99 {} ms, max {} ms",
            self.incidents,
            self.elapsed.as_secs_f64(),
            self.incidents_per_second(),
            self.ingest_elapsed.as_secs_f64(),
            self.incidents as f64 / self.ingest_elapsed.as_secs_f64(),
            self.package_versions,
            self.latencies_ms.len(),
            self.latency(0.50),
            self.latency(0.99),
            self.latencies_ms.last().copied().unwrap_or(0),
        );
        if !self.searchable_ms.is_empty() {
            print_quantiles("ack -> searchable by id", "probes", &self.searchable_ms);
        }
        print_quantiles("ack -> first cited by any package", "versions", &self.first_cited_ms);
        print_quantiles("ack -> on an open StreamPackages client", "versions", &self.streamed_ms);
        if let Some(reads) = &self.reads {
            let (get, health) = (&reads.get_package_us, &reads.health_us);
            println!(
                "    GetPackage, {} concurrent clients, {} calls: p50 {} µs, p99 {} µs; health check p50 {} µs, p99 {} µs; \
                 GetPackage/health p50 {:.1}x, p99 {:.1}x",
                reads.clients,
                get.len(),
                quantile_of(get, 0.50),
                quantile_of(get, 0.99),
                quantile_of(health, 0.50),
                quantile_of(health, 0.99),
                quantile_of(get, 0.50) as f64 / quantile_of(health, 0.50).max(1) as f64,
                quantile_of(get, 0.99) as f64 / quantile_of(health, 0.99).max(1) as f64,
            );
        }
        if let Some(slowest) = &self.slowest {
            println!("    slowest package version: {slowest}");
        }
        if let Some(slowest) = &self.slowest_first_cited {
            println!("    slowest to first cite an incident: {slowest}");
        }
        let peaks: Vec<String> =
            self.peak_rss.iter().map(|(role, bytes)| format!("{role} {:.0} MB", *bytes as f64 / 1e6)).collect();
        println!("    peak RSS: {}", peaks.join(", "));
    }
}

/// One indented line: `what (N counted): p50 …, p99 …, max …` of sorted milliseconds.
fn print_quantiles(what: &str, counted: &str, sorted_ms: &[i64]) {
    println!(
        "    {what} ({} {counted}): p50 {} ms, p99 {} ms, max {} ms",
        sorted_ms.len(),
        quantile_of(sorted_ms, 0.50),
        quantile_of(sorted_ms, 0.99),
        sorted_ms.last().copied().unwrap_or(0),
    );
}

/// The value at `quantile` of sorted values (0 for none).
fn quantile_of(sorted: &[i64], quantile: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * quantile).round() as usize]
}

/// The analyst key the bench searches with.
const ANALYST: &str = "opal-bench";

/// The reads' eight clients share one key and make 2,000 calls in a few seconds, past the default
/// per-key limit (50 a second, 500 at once), which would refuse them: the bench measures the reads,
/// not the limit, so it raises it.
const BENCH_LIMITS: &str = "[limits]\nrequests_per_key = { per_second = 100000.0, burst = 100000.0 }\n";

async fn run_embedded(orca: &Orca, world: &World, dir: &Path, rate: Option<f64>) -> Result<Measured> {
    std::fs::create_dir_all(dir)?;
    let data_dir = dir.join("data");
    let config = configs::write_embedded(dir, &data_dir)?;
    configs::append(&config, BENCH_LIMITS)?;
    let keys = dir.join("keys.json");
    for retailer in &world.retailers {
        orca.issue_key("retailer", retailer, &config, &keys).await?;
    }
    orca.issue_key("analyst", ANALYST, &config, &keys).await?;
    let mut service = Service::start(orca, "all", &config, &[], dir).await?;
    let store_url = format!("sqlite://{}?mode=ro", data_dir.join("orca.db").display());
    let settled = || async {
        let metrics = service.metrics().await?;
        let lags: Vec<f64> = ["resolver", "linker", "intel"]
            .iter()
            .map(|stage| orca_tests::service::find_metric(&metrics, "orca_consumer_lag", &format!("stage=\"{stage}\"")))
            .collect::<Option<_>>()
            .context("`orca_consumer_lag` is missing from the metrics")?;
        Ok(lags.iter().all(|lag| *lag == 0.0))
    };
    let endpoint = service.endpoint()?;
    let target = Target { endpoint: &endpoint, analyst_endpoint: &endpoint, keys: &keys, store_url: &store_url, rate };
    let mut measured = measure(orca, world, dir, target, settled).await?;
    measured.peak_rss = vec![(service.role.clone(), service.peak_rss_bytes()?)];
    service.stop().await?;
    Ok(measured)
}

async fn run_distributed(orca: &Orca, world: &World, dir: &Path, rate: Option<f64>) -> Result<Measured> {
    std::fs::create_dir_all(dir)?;
    let mut pipeline = Distributed::start_with(orca, world, BENCH_LIMITS).await?;
    let endpoint = pipeline.service("ingest").endpoint()?;
    let analyst_endpoint = pipeline.service("intel").endpoint()?;
    let store_url = pipeline.store_url().to_owned();
    let keys = pipeline.keys.clone();
    orca.issue_key("analyst", ANALYST, &pipeline.config, &keys).await?;
    let settled = || async { Ok(pipeline.lag().await? == 0) };
    let target =
        Target { endpoint: &endpoint, analyst_endpoint: &analyst_endpoint, keys: &keys, store_url: &store_url, rate };
    let mut measured = measure(orca, world, dir, target, settled).await?;
    measured.peak_rss = pipeline
        .services
        .iter()
        .map(|service| Ok((service.role.clone(), service.peak_rss_bytes()?)))
        .collect::<Result<_>>()?;
    pipeline.shutdown().await?;
    Ok(measured)
}

/// Where to send and where to look, and how fast to send.
struct Target<'a> {
    endpoint: &'a str,
    analyst_endpoint: &'a str,
    keys: &'a Path,
    store_url: &'a str,
    rate: Option<f64>,
}

/// Sends the world (at `rate`, or as fast as acknowledged), follows the package versions until the pipeline settles, and
/// times each update from the acknowledgements of the incidents it newly reflects.
async fn measure<F, Fut>(orca: &Orca, world: &World, dir: &Path, target: Target<'_>, settled: F) -> Result<Measured>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let Target { endpoint, analyst_endpoint, keys, store_url, rate } = target;
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(store_url).await.with_context(|| format!("connecting to `{store_url}`"))?;
    let mut packages = PackageFollower::new(store_url);
    packages.poll(&pool).await?;
    ensure!(packages.versions.is_empty(), "the store already holds packages");

    let mut probe = match rate {
        Some(_) => {
            let target = ProbeTarget {
                ingest_endpoint: endpoint,
                analyst_endpoint,
                keys,
                analyst: ANALYST,
                incidents: &world.incidents,
            };
            Some(SearchProbe::connect(target).await?)
        }
        None => None,
    };
    let analyst_key = streams::analyst_key(keys, ANALYST)?;
    let watch = StreamWatch::start(analyst_endpoint, &analyst_key).await?;
    let receipts = dir.join("receipts.csv");
    let log = dir.join("ingest.log");
    let mut command = orca.command(["ingest", "--endpoint", endpoint]);
    command.arg(&world.incidents).arg("--keys").arg(keys).arg("--receipts").arg(&receipts);
    if let Some(rate) = rate {
        command.arg("--rate").arg(rate.to_string());
    }
    let out = std::fs::File::create(&log)?;
    command.stdout(out.try_clone()?).stderr(out);
    let started = Instant::now();
    let mut ingest = command.spawn().context("starting `orca ingest`")?;
    let mut ingest_elapsed = None;
    loop {
        packages.poll(&pool).await?;
        if let Some(probe) = &mut probe {
            probe.poll(ingest_elapsed.is_none()).await?;
        }
        if ingest_elapsed.is_none()
            && let Some(status) = ingest.try_wait()?
        {
            let output = std::fs::read_to_string(&log)?;
            ensure!(status.success(), "`orca ingest` failed:\n{output}");
            let totals = parse_totals(&output)?;
            ensure!(totals.accepted == world.count, "not every incident was accepted: {totals:?}");
            ingest_elapsed = Some(started.elapsed());
        }
        if let Some(ingest_elapsed) = ingest_elapsed
            && probe.as_ref().is_none_or(SearchProbe::all_found)
            && settled().await?
        {
            let elapsed = started.elapsed();
            packages.poll(&pool).await?;
            let acknowledged = read_receipts(&receipts)?;
            let latencies_ms = packages.latencies(&acknowledged, Cause::NewToThePackage)?;
            let first_cited_ms = packages.latencies(&acknowledged, Cause::NewToEveryPackage)?;
            let searchable_ms = probe.as_ref().map_or_else(Vec::new, SearchProbe::latencies);
            let slowest = packages.slowest(&acknowledged, Cause::NewToThePackage);
            let slowest_first_cited = packages.slowest(&acknowledged, Cause::NewToEveryPackage);
            let streamed_ms = packages.streamed(&acknowledged, &watch.finish());
            let reads = match rate {
                Some(_) => {
                    let mut ids: Vec<String> = packages.last_seen.keys().cloned().collect();
                    ids.sort();
                    Some(
                        streams::read_load(analyst_endpoint, &analyst_key, &ids, READ_CLIENTS, READS_PER_CLIENT)
                            .await?,
                    )
                }
                None => None,
            };
            pool.close().await;
            return Ok(Measured {
                incidents: world.count,
                elapsed,
                ingest_elapsed,
                latencies_ms,
                first_cited_ms,
                package_versions: packages.versions.len(),
                searchable_ms,
                slowest,
                slowest_first_cited,
                peak_rss: Vec::new(),
                streamed_ms,
                reads,
            });
        }
        if started.elapsed() > SETTLE_TIMEOUT {
            bail!("the pipeline did not settle within {SETTLE_TIMEOUT:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Each package version as first seen: when, and the incidents it newly cites.
struct PackageFollower {
    newer_versions_sql: String,
    versions: HashMap<(String, i64), Seen>,
    cited: HashMap<String, HashSet<String>>,
    /// Incident → the poll at which some package first cited it.
    first_cited_ms: HashMap<String, i64>,
    last_seen: HashMap<String, i64>,
}

struct Seen {
    at_ms: i64,
    /// When the previous version of the package was seen (0 for the first).
    previous_at_ms: i64,
    new_incidents: Vec<String>,
    /// Those of `new_incidents` that no package had cited at an earlier poll.
    first_cited: Vec<String>,
}

/// Which incidents of a version are taken to have caused it.
#[derive(Clone, Copy)]
enum Cause {
    /// Incidents the package had not cited before.
    NewToThePackage,
    /// Incidents no package had cited before (a package that re-cites incidents another package
    /// already gave the force, such as a member's own package when they leave a group, is not
    /// timed).
    NewToEveryPackage,
}

impl Seen {
    fn causes(&self, cause: Cause) -> &[String] {
        match cause {
            Cause::NewToThePackage => &self.new_incidents,
            Cause::NewToEveryPackage => &self.first_cited,
        }
    }
}

impl PackageFollower {
    fn new(store_url: &str) -> Self {
        // SQLite through sqlx takes `?`; PostgreSQL numbered parameters.
        let params = if store_url.starts_with("sqlite:") { ("?", "?") } else { ("$1", "$2") };
        Self {
            newer_versions_sql: format!(
                "SELECT version, body, codec FROM packages WHERE package_id = {} AND version > {} ORDER BY version",
                params.0, params.1
            ),
            versions: HashMap::new(),
            cited: HashMap::new(),
            first_cited_ms: HashMap::new(),
            last_seen: HashMap::new(),
        }
    }

    async fn poll(&mut self, pool: &AnyPool) -> Result<()> {
        let at_ms = unix_ms();
        let latest = sqlx::query("SELECT package_id, MAX(version) AS version FROM packages GROUP BY package_id")
            .fetch_all(pool)
            .await?;
        for row in latest {
            let package_id: String = row.try_get("package_id")?;
            let latest: i64 = row.try_get("version")?;
            let known = self.versions.keys().filter(|(id, _)| *id == package_id).map(|(_, v)| *v).max().unwrap_or(0);
            if latest <= known {
                continue;
            }
            let rows = sqlx::query(&self.newer_versions_sql).bind(&package_id).bind(known).fetch_all(pool).await?;
            for row in rows {
                let version: i64 = row.try_get("version")?;
                let body = orca_store::stored_bytes(row.try_get("codec")?, row.try_get("body")?)?;
                let package = IntelligencePackage::decode(body.as_slice()).context("decoding a stored package")?;
                let cited = self.cited.entry(package_id.clone()).or_default();
                let new_incidents: Vec<String> = package
                    .offences
                    .iter()
                    .filter(|offence| cited.insert(offence.incident_id.clone()))
                    .map(|offence| offence.incident_id.clone())
                    .collect();
                let first_cited = new_incidents
                    .iter()
                    .filter(|incident| *self.first_cited_ms.entry((*incident).clone()).or_insert(at_ms) == at_ms)
                    .cloned()
                    .collect();
                let previous_at_ms = self.last_seen.insert(package_id.clone(), at_ms).unwrap_or(0);
                self.versions
                    .insert((package_id.clone(), version), Seen { at_ms, previous_at_ms, new_incidents, first_cited });
            }
        }
        Ok(())
    }

    /// The version with the longest latency: its package, version, how many incidents it newly
    /// cited and how long after the previous version it came (a first version that cites a whole
    /// history measures from the latest of those incidents, which need not be what made it).
    fn slowest(&self, acknowledged: &HashMap<String, i64>, cause: Cause) -> Option<String> {
        self.versions
            .iter()
            .filter_map(|((package, version), seen)| {
                let latest = seen.causes(cause).iter().filter_map(|i| acknowledged.get(i)).max()?;
                (*latest >= seen.previous_at_ms).then(|| (seen.at_ms - latest, package, version, seen))
            })
            .max_by_key(|(latency, ..)| *latency)
            .map(|(latency, package, version, seen)| {
                let previous = if seen.previous_at_ms == 0 { "first version" } else { "revision" };
                format!(
                    "{package} v{version} ({previous}), {latency} ms, citing {} new incidents",
                    seen.new_incidents.len()
                )
            })
    }

    /// Per version caused by newly cited incidents (as [`Cause::NewToThePackage`]): from the
    /// latest of their acknowledgements to the arrival, on an open stream, of that version or, for
    /// a stream that was behind and skipped it, the first later version it delivered.
    fn streamed(&self, acknowledged: &HashMap<String, i64>, arrivals: &streams::Arrivals) -> Vec<i64> {
        let mut delivered: HashMap<&str, Vec<(i64, i64)>> = HashMap::new();
        for ((package, version), at) in arrivals {
            delivered.entry(package.as_str()).or_default().push((*version, *at));
        }
        for versions in delivered.values_mut() {
            versions.sort_unstable();
        }
        let mut latencies = Vec::new();
        for ((package, version), seen) in &self.versions {
            let Some(arrived) = delivered
                .get(package.as_str())
                .and_then(|versions| versions.iter().find(|(v, _)| v >= version).map(|(_, at)| *at))
            else {
                continue;
            };
            let latest = seen.new_incidents.iter().filter_map(|i| acknowledged.get(i)).max();
            if let Some(&latest) = latest.filter(|at| **at >= seen.previous_at_ms) {
                latencies.push(arrived - latest);
            }
        }
        latencies.sort_unstable();
        latencies
    }

    /// Per version caused by newly cited incidents: from the latest of their acknowledgements to
    /// when the version was seen.
    fn latencies(&self, acknowledged: &HashMap<String, i64>, cause: Cause) -> Result<Vec<i64>> {
        let mut latencies = Vec::new();
        for seen in self.versions.values() {
            let mut latest = None;
            for incident in seen.causes(cause) {
                let at = acknowledged.get(incident).with_context(|| format!("no receipt for `{incident}`"))?;
                latest = latest.max(Some(*at));
            }
            if let Some(latest) = latest.filter(|at| *at >= seen.previous_at_ms) {
                latencies.push(seen.at_ms - latest);
            }
        }
        latencies.sort_unstable();
        Ok(latencies)
    }
}

/// Incident id → acknowledgement time from `orca ingest --receipts`.
fn read_receipts(path: &PathBuf) -> Result<HashMap<String, i64>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading `{}`", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).with_context(|| format!("no `{name}` column"));
    let (id, at) = (column("incident_id")?, column("acknowledged_at_ms")?);
    let mut receipts = HashMap::new();
    for record in reader.records() {
        let record = record?;
        receipts.insert(record[id].to_owned(), record[at].parse()?);
    }
    Ok(receipts)
}

fn unix_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
