//! `orca demo`: a small synthetic national world streamed through the real gRPC ingest into an
//! embedded pipeline, and a summary of what ORCA found.

use crate::client::{Item, Uploader};
use crate::commands::serve::shutdown_signal;
use crate::embedded::Embedded;
use crate::progress;
use anyhow::{Context, Result, bail};
use orca_auth::PrincipalKind;
use orca_network::LinkerConfig;
use orca_proto::convert;
use orca_proto::v1::{self, ingest_service_client::IngestServiceClient};
use orca_simulate::{World, WorldParams};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Marks a data directory as the demo's own, so a rerun may clear it.
const MARKER: &str = ".orca-demo";

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Seed of the synthetic world.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Number of incident reports.
    #[arg(long, default_value_t = 5_000)]
    pub incidents: u64,
    /// Where the demo keeps its data (cleared at start if an earlier demo made it).
    #[arg(long, default_value = ".orca/demo")]
    pub data_dir: PathBuf,
    /// Stop after printing the summary instead of serving until Ctrl-C.
    #[arg(long)]
    pub exit_after_load: bool,
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub grpc_addr: SocketAddr,
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,
}

/// Below this many reports a seeded world may hold no group with enough offences to find (seed 3
/// has none at 1,500 and four at 3,000).
const SMALLEST_WORLD_WITH_GROUPS: u64 = 3_000;

pub async fn run(args: DemoArgs) -> Result<()> {
    anyhow::ensure!(args.incidents > 0, "`--incidents` must be at least 1");
    prepare_data_dir(&args.data_dir)?;
    let world = World::new(WorldParams::new(args.seed, args.incidents));
    let mut embedded = Embedded::start(&args.data_dir, args.grpc_addr, args.http_addr)
        .await
        .context("starting the embedded pipeline (is another orca using these ports? try --grpc-addr/--http-addr)")?;
    let endpoint = embedded.endpoint();
    eprintln!("orca demo: {} stores of {} retailers; gRPC {endpoint}", world.stores().len(), world.retailers().len());

    // Onboarding: every retailer registers its stores over gRPC with its own key.
    let channel = crate::client::connect(&endpoint).await?;
    let mut by_retailer: BTreeMap<String, Vec<v1::StoreRegistration>> = BTreeMap::new();
    for store in world.stores() {
        by_retailer.entry(store.retailer.to_string()).or_default().push(v1::StoreRegistration {
            store_id: store.id.to_string(),
            retailer_id: store.retailer.to_string(),
            name: store.name.clone(),
            postcode: store.postcode.clone(),
            force: store.force.to_string(),
            lat: store.lat,
            lon: store.lon,
        });
    }
    for (retailer, stores) in by_retailer {
        let key = embedded.key(PrincipalKind::Retailer, &retailer).await?;
        let response = IngestServiceClient::new(channel.clone())
            .register_stores(crate::client::authorized(v1::RegisterStoresRequest { stores }, &key)?)
            .await
            .with_context(|| format!("registering `{retailer}`'s stores"))?
            .into_inner();
        anyhow::ensure!(response.rejected == 0, "`{retailer}`: {} stores refused", response.rejected);
    }
    for force in orca_model::ForceRegistry::global().iter() {
        embedded.key(PrincipalKind::Force, force.id.as_str()).await?;
    }
    embedded.key(PrincipalKind::Analyst, "opal-demo").await?;

    // Stream every report through gRPC ingest, one stream per retailer.
    let started = Instant::now();
    let bar = progress::bar(args.incidents, "ingesting");
    let keys = Arc::new(embedded.keys.retailers.clone());
    let mut uploader = Uploader::new(channel.clone(), Arc::new(move |r: &str| keys.get(r).cloned()), bar.clone());
    for (position, simulated) in world.incidents().enumerate() {
        let incident = convert::incident_to_proto(&simulated.incident);
        uploader.send(Item { line: position as u64 + 1, raw: String::new(), incident }).await?;
    }
    let totals = uploader.finish().await?;
    progress::finish(&bar);
    embedded.wait_for_processing().await?;
    let elapsed = started.elapsed();

    let summary = Summary::read(&embedded).await?;
    println!("ORCA demo: seed {}, {} incident reports", args.seed, args.incidents);
    println!(
        "  incidents   accepted {}, duplicate {}, rejected {}",
        totals.accepted,
        totals.duplicate,
        totals.rejected.len()
    );
    for rejection in totals.rejected.iter().take(3) {
        let reasons: Vec<String> = rejection.problems.iter().map(|p| format!("`{}` {}", p.field, p.reason)).collect();
        println!("    rejected `{}`: {}", rejection.retailer_ref, reasons.join("; "));
    }
    println!("  persons     {}", summary.persons);
    println!("  vehicles    {}", summary.vehicles);
    println!("  groups      {} ({} cross-border)", summary.groups, summary.cross_border);
    println!("  packages    {}", summary.packages);
    println!("  packages per force (lead or affected), top 10:");
    for (force, count) in summary.packages_by_force.iter().take(10) {
        println!("    {force:<22} {count}");
    }
    println!(
        "  elapsed     {:.1}s ({:.0} incidents/s, ingest to packages)",
        elapsed.as_secs_f64(),
        args.incidents as f64 / elapsed.as_secs_f64()
    );
    if summary.groups == 0 && args.incidents < SMALLEST_WORLD_WITH_GROUPS {
        eprintln!(
            "note: no groups in a world of {} reports: too few for a group's offences to show (give --incidents {} \
             or more)",
            args.incidents, SMALLEST_WORLD_WITH_GROUPS
        );
    } else if summary.groups == 0 {
        bail!("the demo found no groups; something is wrong");
    }
    if args.exit_after_load {
        return embedded.app.stop().await;
    }
    let example = summary.packages_by_force.first().map_or("west-midlands", |(f, _)| f.as_str()).to_owned();
    println!();
    println!("serving gRPC on {endpoint} (health and reflection mounted); keys in `{}`", embedded.keys_path.display());
    println!(
        "try: orca packages --force {example} --data-dir {} --purpose \"why you are reading\"",
        args.data_dir.display()
    );
    println!("analysts: orca analyst --data-dir {} --purpose \"why you are looking\" groups", args.data_dir.display());
    println!("  then search, show, expand, path, timeline, review --queue (see `orca analyst --help`)");
    println!(
        "browser: http://{}/ui/ (sign in with a key from `{}`: `analysts.opal-demo`, or a force's under `forces`)",
        args.http_addr,
        embedded.keys_path.display()
    );
    println!("press Ctrl-C to stop");
    embedded.app.run_until(shutdown_signal()).await
}

/// Starts the demo from an empty directory: clears one an earlier demo made, refuses anything else.
fn prepare_data_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)?.next().is_none();
        if !empty && !dir.join(MARKER).exists() {
            bail!("`{}` holds data the demo did not create; choose another `--data-dir`", dir.display());
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MARKER), "created by `orca demo`; the next demo run clears this directory\n")?;
    Ok(())
}

/// What the pipeline found, read from the store.
pub(crate) struct Summary {
    pub persons: u64,
    pub vehicles: u64,
    pub groups: usize,
    pub cross_border: usize,
    pub packages: u64,
    pub packages_by_force: Vec<(String, u64)>,
}

impl Summary {
    pub async fn read(embedded: &Embedded) -> Result<Self> {
        let store = embedded.store();
        let linker = orca_linker::load(store.as_ref(), LinkerConfig::default()).await?;
        let stats = linker.stats();
        let groups = linker.groups();
        let mut packages_by_force = Vec::new();
        for force in orca_model::ForceRegistry::global().iter() {
            let query = orca_store::PackageQuery { force: force.id.to_string(), ..Default::default() };
            let count = store.count_packages(&query).await?;
            if count > 0 {
                packages_by_force.push((force.id.to_string(), count));
            }
        }
        packages_by_force.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(Self {
            persons: stats.persons,
            vehicles: stats.vehicles,
            groups: groups.len(),
            cross_border: groups.iter().filter(|g| g.forces.len() > 1).count(),
            packages: stats.packages,
            packages_by_force,
        })
    }
}
