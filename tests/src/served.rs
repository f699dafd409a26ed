//! An embedded ORCA serving (`orca serve all`) a simulated world that every retailer has sent
//! with `orca ingest`, and an analyst key beside the retailers' in the keys file: what the
//! command-line tests of analysts' tools start from.

use crate::orca::said;
use crate::service::Service;
use crate::{Orca, World, configs};
use anyhow::{Result, ensure};
use std::path::{Path, PathBuf};
use std::process::Stdio;

pub struct ServedWorld {
    pub world: World,
    pub server: Service,
    pub endpoint: String,
    /// `keys.json` with `analysts` (one, "Ann Analyst") and `retailers`, in `dir`.
    pub keys: PathBuf,
}

impl ServedWorld {
    /// Simulates `count` incidents with `seed` under `dir`, serves them, and ingests them all.
    pub async fn start(orca: &Orca, seed: u64, count: u64, dir: &Path) -> Result<Self> {
        let world = World::simulate(orca, seed, count, &dir.join("world")).await?;
        let config = configs::write_embedded(dir, &dir.join("data"))?;
        let server = Service::start(orca, "all", &config, &[], dir).await?;
        let endpoint = server.endpoint()?;
        let keys = dir.join("keys.json");
        orca.issue_key("analyst", "Ann Analyst", &config, &keys).await?;
        for retailer in &world.retailers {
            orca.issue_key("retailer", retailer, &config, &keys).await?;
        }
        let mut ingest = orca.command(["ingest", "--endpoint", &endpoint]);
        ingest.arg(&world.incidents).arg("--keys").arg(&keys);
        let output = ingest.stdout(Stdio::piped()).stderr(Stdio::piped()).output().await?;
        ensure!(output.status.success(), "ingest: {}", said(&output));
        Ok(Self { world, server, endpoint, keys })
    }
}
