//! Embedded mode (nothing to install, always run): an ordered run is reproducible, and an
//! `orca serve all` killed with SIGKILL mid-stream and restarted ends where an uninterrupted run
//! ends.

use anyhow::{Context, Result, ensure};
use orca_store::{SqlStore, Store};
use orca_tests::orca::parse_totals;
use orca_tests::reference::{EmbeddedRun, reference};
use orca_tests::service::Service;
use orca_tests::{configs, wait_for, wait_until};
use std::path::Path;
use std::time::Duration;

const SCRATCH: &str = env!("CARGO_TARGET_TMPDIR");

#[tokio::test(flavor = "multi_thread")]
async fn the_same_ordered_input_gives_the_same_results() -> Result<()> {
    let reference = reference(Path::new(SCRATCH)).await?;
    let dir = tempfile::tempdir()?;
    let run = EmbeddedRun::run(&reference.orca, &reference.world, dir.path()).await?;
    run.snapshot.assert_same_as(&reference.snapshot, "a second embedded run")?;
    assert_eq!(run.eval, reference.eval, "`orca eval` of a second embedded run differs");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_stream_resumes_and_matches_an_uninterrupted_run() -> Result<()> {
    let reference = reference(Path::new(SCRATCH)).await?;
    let (orca, world) = (&reference.orca, &reference.world);
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().join("data");
    let config = configs::write_embedded(dir.path(), &data_dir)?;
    let mut server = Service::start(orca, "all", &config, &[], dir.path()).await?;
    let keys = dir.path().join("keys.json");
    for retailer in &world.retailers {
        orca.issue_key("retailer", retailer, &config, &keys).await?;
    }
    let store_url = format!("sqlite://{}", data_dir.join("orca.db").display());
    let store = SqlStore::connect(&store_url).await?;

    let endpoint = server.endpoint()?;
    let mut ingest = orca.spawn_ingest(&world.incidents, &endpoint, &keys, &dir.path().join("ingest-1.log"))?;
    let third = world.count / 3;
    let resolved = wait_for("the resolver to account for a third of the incidents", Duration::from_secs(300), || {
        let store = &store;
        async move {
            let next: u64 = store.offsets("resolver").await?.iter().map(|o| o.next_offset).sum();
            Ok((next >= third).then_some(next))
        }
    })
    .await?;
    server.kill().await?;
    ensure!(resolved < world.count, "everything was resolved before the kill; nothing was interrupted");
    server.restart().await?;

    // The upload either rode out the restart (its retries) or broke; sending the file again is
    // what a retailer does, and ingest turns what it already holds into duplicates.
    let status = ingest.wait().await?;
    let first = std::fs::read_to_string(dir.path().join("ingest-1.log"))?;
    let totals = if status.success() {
        parse_totals(&first)?
    } else {
        eprintln!("the upload broke when the server was killed; sending the file again");
        let mut again = orca.spawn_ingest(&world.incidents, &endpoint, &keys, &dir.path().join("ingest-2.log"))?;
        let status = again.wait().await?;
        let second = std::fs::read_to_string(dir.path().join("ingest-2.log"))?;
        ensure!(status.success(), "sending the file again failed:\n{second}");
        parse_totals(&second)?
    };
    ensure!(
        totals.accepted + totals.duplicate == world.count && totals.rejected == 0,
        "ingest settled {} of {} incidents: {totals:?}",
        totals.accepted + totals.duplicate,
        world.count
    );

    wait_until("every stage to catch up (lag 0)", Duration::from_secs(300), || async {
        let metrics = server.metrics().await?;
        let lags: Vec<Option<f64>> = ["resolver", "linker", "intel"]
            .iter()
            .map(|stage| orca_tests::service::find_metric(&metrics, "orca_consumer_lag", &format!("stage=\"{stage}\"")))
            .collect();
        Ok(lags.iter().all(|lag| *lag == Some(0.0)))
    })
    .await?;
    server.stop().await.context("stopping the restarted server")?;

    let run = EmbeddedRun::read(orca, world, &data_dir).await?;
    run.snapshot.check_complete(world.count)?;
    run.snapshot.assert_same_as(&reference.snapshot, "the run killed mid-stream")?;
    assert_eq!(run.eval, reference.eval, "`orca eval` of the run killed mid-stream differs");
    Ok(())
}
