//! The contract suite against the embedded log, each test in a fresh directory.

mod contract;

use std::sync::Arc;

use orca_eventlog::{EmbeddedLog, EventLog};

async fn embedded() -> (Arc<dyn EventLog>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let log = EmbeddedLog::open(dir.path()).expect("open embedded log");
    (Arc::new(log), dir)
}

contract_tests!(embedded());
