//! `orca simulate`: writes a synthetic world with its ground truth.

use anyhow::{Context, Result};
use orca_proto::convert::{self, json::incident_to_json_line};
use orca_simulate::{SimulatedIncident, World, WorldParams};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::progress;

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// Seed; the same seed always gives the same world.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of incident reports to generate.
    #[arg(long, default_value_t = 10_000)]
    pub incidents: u64,
    /// Length of the period in days (default: scaled to the number of incidents).
    #[arg(long)]
    pub days: Option<u32>,
    /// Output directory (created; existing files are overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// Reports converted and serialised in parallel per chunk, written in order.
const CHUNK: usize = 8_192;

pub fn run(args: SimulateArgs) -> Result<()> {
    let started = Instant::now();
    let mut params = WorldParams::new(args.seed, args.incidents);
    if let Some(days) = args.days {
        anyhow::ensure!(days > 0, "`--days` must be at least 1");
        params = params.with_days(days);
    }
    let files = Files::create(&args.out)?;
    let world = World::new(params);
    write_stores(&files.stores, &world)?;

    let bar = progress::bar(args.incidents, "simulating");
    let mut writers = files.open()?;
    let mut stream = world.incidents();
    let mut chunk: Vec<SimulatedIncident> = Vec::with_capacity(CHUNK);
    loop {
        chunk.clear();
        chunk.extend(stream.by_ref().take(CHUNK));
        if chunk.is_empty() {
            break;
        }
        let lines: Vec<String> = chunk
            .par_iter()
            .map(|sim| incident_to_json_line(&convert::incident_to_proto(&sim.incident)).map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?;
        for (sim, line) in chunk.iter().zip(&lines) {
            writers.incidents.write_all(line.as_bytes())?;
            writers.incidents.write_all(b"\n")?;
            for row in &sim.persons {
                writeln!(writers.sightings, "{},{},{}", row.incident, row.index, row.person)?;
            }
            for row in &sim.vehicles {
                writeln!(writers.vehicles, "{},{},{}", row.incident, row.index, row.vehicle)?;
            }
        }
        bar.inc(chunk.len() as u64);
    }
    progress::finish(&bar);
    for row in world.group_truth() {
        writeln!(
            writers.groups,
            "{},{},{},{},{}",
            row.group,
            row.person,
            match row.role {
                orca_simulate::GroupRole::Core => "core",
                orca_simulate::GroupRole::Periphery => "periphery",
            },
            row.joined,
            row.left.map(|d| d.to_string()).unwrap_or_default()
        )?;
    }
    writers.flush()?;
    let summary = stream.summary();
    serde_json::to_writer_pretty(BufWriter::new(File::create(&files.world)?), &summary)?;
    let emitted = summary.emitted.as_ref().map_or(0, |e| e.incidents);
    println!(
        "wrote {emitted} incidents, {} stores, {} groups to `{}` in {:.1}s",
        summary.stores,
        summary.groups.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    println!("load it with: orca ingest {} --data-dir DIR", files.incidents.display());
    Ok(())
}

struct Files {
    incidents: PathBuf,
    stores: PathBuf,
    sightings: PathBuf,
    vehicles: PathBuf,
    groups: PathBuf,
    world: PathBuf,
}

struct Writers {
    incidents: BufWriter<File>,
    sightings: BufWriter<File>,
    vehicles: BufWriter<File>,
    groups: BufWriter<File>,
}

impl Writers {
    fn flush(&mut self) -> Result<()> {
        for writer in [&mut self.incidents, &mut self.sightings, &mut self.vehicles, &mut self.groups] {
            writer.flush()?;
        }
        Ok(())
    }
}

impl Files {
    fn create(out: &Path) -> Result<Self> {
        let truth = out.join("truth");
        std::fs::create_dir_all(&truth).with_context(|| format!("creating `{}`", truth.display()))?;
        Ok(Self {
            incidents: out.join("incidents.jsonl"),
            stores: out.join("stores.csv"),
            sightings: truth.join("sightings.csv"),
            vehicles: truth.join("vehicles.csv"),
            groups: truth.join("groups.csv"),
            world: truth.join("world.json"),
        })
    }

    fn open(&self) -> Result<Writers> {
        let open = |path: &Path, header: &str| -> Result<BufWriter<File>> {
            let mut writer = BufWriter::with_capacity(
                1 << 20,
                File::create(path).with_context(|| format!("creating `{}`", path.display()))?,
            );
            if !header.is_empty() {
                writeln!(writer, "{header}")?;
            }
            Ok(writer)
        };
        Ok(Writers {
            incidents: open(&self.incidents, "")?,
            sightings: open(&self.sightings, "incident_id,sighting_index,person_id")?,
            vehicles: open(&self.vehicles, "incident_id,sighting_index,vehicle_id")?,
            groups: open(&self.groups, "group_id,person_id,role,joined,left")?,
        })
    }
}

fn write_stores(path: &Path, world: &World) -> Result<()> {
    let mut writer = csv::Writer::from_path(path).with_context(|| format!("creating `{}`", path.display()))?;
    writer.write_record(crate::stores_file::COLUMNS)?;
    for store in world.stores() {
        writer.write_record([
            store.id.as_str(),
            store.retailer.as_str(),
            &store.name,
            &store.postcode,
            store.force.as_str(),
            &store.lat.to_string(),
            &store.lon.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
