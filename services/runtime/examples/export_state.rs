//! Writes the resolver's and linker's stored state as JSON lines (`{"namespace", "key", "value"}`,
//! values as text: both stages store JSON), for the format fixtures in `tests/fixtures/`:
//!
//! ```text
//! cargo run -p orca-runtime --example export_state -- sqlite://DIR/orca.db | zstd -19 > services/runtime/tests/fixtures/state-format-1.jsonl.zst
//! ```

use orca_store::{SqlStore, Store};
use std::io::Write;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: export_state STORE_URL"))?;
    let store = SqlStore::connect_without_migrating(&url).await?;
    let mut out = std::io::stdout().lock();
    for prefix in ["meta.format", "resolve.", "network."] {
        for record in store.load_state(prefix).await? {
            let value = String::from_utf8(record.value)?;
            let line = serde_json::json!({ "namespace": record.namespace, "key": record.key, "value": value });
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
