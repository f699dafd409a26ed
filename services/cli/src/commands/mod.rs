//! One module per `orca` command.

pub mod analyst;
pub mod audit;
pub mod backfill;
pub mod communities;
pub mod db;
pub mod demo;
pub mod erase;
pub mod eval;
pub mod ingest;
pub mod keys;
pub mod link_records;
pub mod outcome;
pub mod packages;
pub mod reindex;
pub mod reports;
pub mod retention;
pub mod serve;
pub mod simulate;
