//! The reference: a simulated world and an uninterrupted embedded run of it
//! (`orca ingest --ordered --data-dir`, one partition per topic), made once per test binary and
//! shared by its tests.

use crate::orca::Results;
use crate::{Orca, Snapshot, World};
use anyhow::{Context, Result, ensure};
use std::path::{Path, PathBuf};
use tokio::sync::OnceCell;

/// The world every end-to-end test runs: big enough to form groups and packages, small enough to
/// ingest one record at a time in seconds.
pub const SEED: u64 = 7;
pub const INCIDENTS: u64 = 1_500;

pub struct Reference {
    pub orca: Orca,
    pub world: World,
    pub snapshot: Snapshot,
    /// `orca eval --json` of the run.
    pub eval: serde_json::Value,
}

/// What an embedded run found.
pub struct EmbeddedRun {
    pub data_dir: PathBuf,
    pub snapshot: Snapshot,
    pub eval: serde_json::Value,
}

impl EmbeddedRun {
    /// `orca ingest --ordered --data-dir DATA_DIR` of the world, then its results.
    pub async fn run(orca: &Orca, world: &World, data_dir: &Path) -> Result<Self> {
        let totals = orca.ingest_embedded(&world.incidents, data_dir).await?;
        ensure!(
            totals.accepted == world.count && totals.rejected == 0,
            "the embedded run accepted {} and rejected {} of {} incidents",
            totals.accepted,
            totals.rejected,
            world.count
        );
        Self::read(orca, world, data_dir).await
    }

    /// The results in an embedded data directory.
    pub async fn read(orca: &Orca, world: &World, data_dir: &Path) -> Result<Self> {
        let url = format!("sqlite://{}", data_dir.join("orca.db").display());
        let snapshot = Snapshot::read(&url, world).await?;
        let eval = orca.eval(&world.truth, &Results::DataDir(data_dir)).await?;
        Ok(Self { data_dir: data_dir.to_path_buf(), snapshot, eval })
    }
}

static REFERENCE: OnceCell<Reference> = OnceCell::const_new();

/// The shared reference, made under `scratch` (a test binary's `CARGO_TARGET_TMPDIR`) on first use;
/// what an earlier run left there is replaced.
pub async fn reference(scratch: &Path) -> Result<&'static Reference> {
    REFERENCE
        .get_or_try_init(|| async {
            let orca = Orca::locate()?;
            let binary = std::env::current_exe()?;
            let name = binary.file_stem().and_then(|n| n.to_str()).unwrap_or("tests").to_owned();
            let dir = scratch.join(format!("reference-{name}"));
            if dir.exists() {
                std::fs::remove_dir_all(&dir).with_context(|| format!("clearing `{}`", dir.display()))?;
            }
            std::fs::create_dir_all(&dir)?;
            let world = World::simulate(&orca, SEED, INCIDENTS, &dir.join("world")).await?;
            let run = EmbeddedRun::run(&orca, &world, &dir.join("data")).await.context("the reference run")?;
            run.snapshot.check_complete(world.count).context("the reference run")?;
            anyhow::ensure!(
                !run.snapshot.groups.is_empty(),
                "the reference world formed no groups; choose another seed"
            );
            Ok(Reference { orca, world, snapshot: run.snapshot, eval: run.eval })
        })
        .await
}
