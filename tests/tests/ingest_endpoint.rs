//! `orca ingest --endpoint` as a retailer's integrator runs it against a server: records for a
//! retailer the keys file has no key for are rejected and kept while the rest go in (exit 2), and
//! errors that cannot get better by retrying (a wrong key, an endpoint without ingest) end the run
//! at once with a clear message (exit 1).

use anyhow::{Context, Result, ensure};
use orca_tests::service::Service;
use orca_tests::{Orca, configs};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

/// Runs `orca ingest FILE --endpoint ENDPOINT --keys KEYS` and returns its output.
async fn ingest(orca: &Orca, file: &Path, endpoint: &str, keys: &Path) -> Result<Output> {
    let mut command = orca.command(["ingest", "--endpoint", endpoint]);
    command.arg(file).arg("--keys").arg(keys).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    Ok(command.output().await?)
}

/// The retailer with the most incidents in the world.
fn busiest_retailer(world: &Path) -> Result<String> {
    let incidents = std::fs::read_to_string(world.join("incidents.jsonl"))?;
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for line in incidents.lines() {
        let record: serde_json::Value = serde_json::from_str(line)?;
        *counts.entry(record["retailerId"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, count)| *count).map(|(retailer, _)| retailer).context("no incidents")
}

/// A feed of `retailer`'s first `own` incidents and `others` of other retailers', with its stores.
fn write_feed(world: &Path, dir: &Path, retailer: &str, own: usize, others: usize) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stores = std::fs::read_to_string(world.join("stores.csv"))?;
    let mut lines = stores.lines();
    let header = lines.next().context("a header")?;
    let mine: Vec<&str> = lines.filter(|l| l.split(',').nth(1) == Some(retailer)).collect();
    std::fs::write(dir.join("stores.csv"), format!("{header}\n{}\n", mine.join("\n")))?;
    let incidents = std::fs::read_to_string(world.join("incidents.jsonl"))?;
    let tag = format!("\"retailerId\":\"{retailer}\"");
    let (theirs, rest): (Vec<&str>, Vec<&str>) = incidents.lines().partition(|l| l.contains(&tag));
    let feed: Vec<&str> = theirs.into_iter().take(own).chain(rest.into_iter().take(others)).collect();
    let file = dir.join("incidents.jsonl");
    std::fs::write(&file, feed.join("\n") + "\n")?;
    Ok(file)
}

#[tokio::test(flavor = "multi_thread")]
async fn records_without_a_key_are_kept_and_permanent_errors_end_the_run_at_once() -> Result<()> {
    let orca = &Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let world = scratch.path().join("world");
    orca.simulate(8, 400, &world).await?;
    let config = configs::write_embedded(scratch.path(), &scratch.path().join("data"))?;
    let mut server = Service::start(orca, "all", &config, &[], scratch.path()).await?;
    let keys = scratch.path().join("keys.json");
    let retailer = busiest_retailer(&world)?;
    orca.issue_key("retailer", &retailer, &config, &keys).await?;
    let file = write_feed(&world, &scratch.path().join("feed"), &retailer, 40, 3)?;

    let output = ingest(orca, &file, &server.endpoint()?, &keys).await?;
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    ensure!(output.status.code() == Some(2), "exit {:?}\n{stdout}\n{stderr}", output.status.code());
    ensure!(stdout.contains("accepted 40, duplicate 0, rejected 3"), "{stdout}");
    let rejected = std::fs::read_to_string(file.with_file_name("incidents.jsonl.rejected.jsonl"))?;
    ensure!(rejected.lines().count() == 3 && rejected.lines().all(|l| l.contains("\"code\":\"no-key\"")), "{rejected}");

    // A key the server does not know: refused at once, not retried.
    let wrong = scratch.path().join("wrong-keys.json");
    std::fs::write(&wrong, serde_json::json!({ "retailers": { retailer.as_str(): "not-a-key" } }).to_string())?;
    let started = Instant::now();
    let output = ingest(orca, &file, &server.endpoint()?, &wrong).await?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.code() == Some(1), "exit {:?}: {stderr}", output.status.code());
    ensure!(stderr.contains("refused the key"), "{stderr}");
    ensure!(started.elapsed() < Duration::from_secs(10), "a refused key was retried for {:?}", started.elapsed());
    server.stop().await?;

    // An endpoint that serves no ingest (an intel-only process): said so at once.
    let other = scratch.path().join("intel");
    std::fs::create_dir_all(&other)?;
    let intel_config = configs::write_embedded(&other, &other.join("data"))?;
    let mut intel = Service::start(orca, "intel", &intel_config, &[], &other).await?;
    let bare = scratch.path().join("bare");
    std::fs::create_dir_all(&bare)?;
    std::fs::copy(&file, bare.join("incidents.jsonl"))?;
    let started = Instant::now();
    let output = ingest(orca, &bare.join("incidents.jsonl"), &intel.endpoint()?, &keys).await?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(output.status.code() == Some(1), "exit {:?}: {stderr}", output.status.code());
    ensure!(stderr.contains("does not take incidents"), "{stderr}");
    ensure!(
        started.elapsed() < Duration::from_secs(10),
        "an endpoint without ingest was retried for {:?}",
        started.elapsed()
    );
    intel.stop().await
}
