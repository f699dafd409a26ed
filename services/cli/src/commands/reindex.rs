//! `orca reindex`: rebuild the analysts' search index from the pipeline's logs, for an intel
//! process that is stopped (a running one holds the index; stop it first). The index is a read
//! model: nothing is lost by rebuilding it, and the intel process would also rebuild an index of an
//! older schema by itself on start-up.

use crate::progress;
use anyhow::{Context, Result};
use orca_runtime::{Backends, OrcaConfig};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ReindexArgs {
    /// TOML configuration (as for `orca serve intel`); `ORCA_…` variables override it.
    #[arg(long, conflicts_with = "data_dir")]
    pub config: Option<PathBuf>,
    /// An embedded data directory (as `orca ingest --data-dir` and `orca demo` use).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

pub async fn run(args: ReindexArgs) -> Result<()> {
    let mut config = OrcaConfig::load(args.config.as_deref())?;
    if let Some(dir) = args.data_dir {
        anyhow::ensure!(dir.join("log").is_dir(), "`{}` holds no ORCA data (no `log/` in it)", dir.display());
        config.data_dir = dir;
    }
    let dir = config.search_dir();
    let backends = Backends::open(&config).await?;
    let bar = progress::bar(0, "indexing");
    let stats = orca_search::rebuild::rebuild(&dir, backends.log.clone(), |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .with_context(|| format!("rebuilding the search index in `{}`", dir.display()))?;
    progress::finish(&bar);
    println!(
        "search index rebuilt in `{}`: {} records read, {} documents, {:.1} MB, {:.1} s",
        dir.display(),
        stats.records,
        stats.documents,
        stats.bytes as f64 / 1e6,
        stats.seconds
    );
    Ok(())
}
