//! Configuration files for the processes a test starts: listeners on port 0 (each process picks
//! free ports and announces them), one partition per topic (see the crate docs on order) and, in
//! distributed mode, short stage leases.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// `embedded.toml`: the in-process log and SQLite under `data_dir`.
pub fn write_embedded(dir: &Path, data_dir: &Path) -> Result<PathBuf> {
    write(dir, "embedded.toml", &format!("data_dir = {:?}\n{COMMON}", data_dir.display().to_string()))
}

/// `distributed.toml`: Kafka at `bootstrap` and the store at `store_url`.
pub fn write_distributed(dir: &Path, bootstrap: &str, store_url: &str) -> Result<PathBuf> {
    let text = format!(
        "data_dir = {:?}\n{COMMON}\n[runner]\nlease_ttl_ms = {LEASE_TTL_MS}\n\n[log]\nkind = \"kafka\"\nbootstrap_servers = {bootstrap:?}\n\n[store]\nurl = {store_url:?}\n",
        dir.join("data").display().to_string()
    );
    write(dir, "distributed.toml", &text)
}

/// A stage's lease in distributed tests: a process restarted after SIGKILL (a new holder) or a
/// standby takes over about this long after the writer died.
const LEASE_TTL_MS: u64 = 2_000;

const COMMON: &str = "grpc_addr = \"127.0.0.1:0\"\nhttp_addr = \"127.0.0.1:0\"\n\n[topics]\npartitions = 1\n";

/// Appends TOML (further sections) to a configuration written here.
pub fn append(config: &Path, extra: &str) -> Result<()> {
    if extra.is_empty() {
        return Ok(());
    }
    let mut text = std::fs::read_to_string(config).with_context(|| format!("reading `{}`", config.display()))?;
    text.push('\n');
    text.push_str(extra);
    std::fs::write(config, text).with_context(|| format!("writing `{}`", config.display()))
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, text).with_context(|| format!("writing `{}`", path.display()))?;
    Ok(path)
}
