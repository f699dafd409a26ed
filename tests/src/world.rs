//! A simulated world on disk: `incidents.jsonl`, `stores.csv` (registered by `orca ingest` before
//! the incidents) and `truth/`.

use crate::Orca;
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct World {
    pub dir: PathBuf,
    pub incidents: PathBuf,
    pub truth: PathBuf,
    pub count: u64,
    /// Every retailer with stores; each needs a key to send its incidents.
    pub retailers: Vec<String>,
}

impl World {
    /// `orca simulate --seed SEED --incidents COUNT --out DIR`.
    pub async fn simulate(orca: &Orca, seed: u64, count: u64, dir: &Path) -> Result<Self> {
        orca.simulate(seed, count, dir).await?;
        let stores = std::fs::read_to_string(dir.join("stores.csv")).context("reading the simulated stores")?;
        let retailers: BTreeSet<String> =
            stores.lines().skip(1).filter_map(|line| line.split(',').nth(1)).map(str::to_owned).collect();
        Ok(Self {
            dir: dir.to_path_buf(),
            incidents: dir.join("incidents.jsonl"),
            truth: dir.join("truth"),
            count,
            retailers: retailers.into_iter().collect(),
        })
    }

    /// Each sighting the truth knows, as `(incident id, sighting index)`, from `truth/FILE`.
    pub fn sightings(&self, file: &str) -> Result<Vec<(String, u32)>> {
        let path = self.truth.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading `{}`", path.display()))?;
        text.lines()
            .skip(1)
            .map(|line| {
                let mut fields = line.split(',');
                let incident = fields.next().unwrap_or_default().to_owned();
                let index = fields.next().unwrap_or_default().parse().with_context(|| format!("`{line}`"))?;
                Ok((incident, index))
            })
            .collect()
    }
}
