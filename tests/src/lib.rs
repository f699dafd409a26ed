//! End-to-end tests across services: they run the `orca` binary the way an operator does (one
//! process for everything, or one process per stage over Kafka and PostgreSQL), feed it a
//! simulated world, and compare what it found with an uninterrupted embedded run of the same input.
//!
//! Why runs are comparable: the resolver and the linker are single-writer stages whose results
//! depend on the order of their input. The tests keep that order fixed: incidents are sent with
//! `orca ingest --ordered` (one at a time, so the log holds the file's order) onto topics with one
//! partition (`topics.partitions = 1`). Timing still decides where the stages cut their batches,
//! which must not change what is found (the linker recomputes per resolution): the comparisons
//! cover persons, vehicles, groups, the contents of every package that stands and analyst views.
//! Batches do decide which intermediate package versions the linker publishes (one per package per
//! batch), so package version numbers are reported rather than compared (each run's package
//! histories are checked to be whole: every version from 1 to the latest, numbered as stored), and withdrawn packages
//! are left out: a withdrawal repeats the header recipients last received, and a package that came
//! and went inside one batch was never published.
//!
//! - [`wait`]: waiting on a condition with a deadline, never sleeping for synchronisation.
//! - [`configs`]: the config files the processes start with.
//! - [`orca`]: finding and running the `orca` binary and its one-shot commands.
//! - [`world`]: a simulated world on disk (incidents, stores, truth).
//! - [`service`]: an `orca serve` process: start, readiness, metrics, kill -9, restart.
//! - [`snapshot`]: what a run found, read from its store, and comparing two runs.
//! - [`reference`]: the uninterrupted embedded run every test compares against.
//! - [`browser`]: headless Chromium over the DevTools protocol, for the workspace's pages.
//! - [`broker`], [`database`], [`distributed`]: a private Tansu broker, a fresh PostgreSQL
//!   database, and the four stages as separate processes over them (the tests that use them need
//!   feature `distributed`; `benches/e2e` uses them too).

pub mod broker;
pub mod browser;
pub mod configs;
pub mod database;
pub mod distributed;
pub mod orca;
pub mod reference;
pub mod served;
pub mod service;
pub mod snapshot;
pub mod wait;
pub mod world;

pub use orca::Orca;
pub use snapshot::Snapshot;
pub use wait::{wait_for, wait_until};
pub use world::World;
