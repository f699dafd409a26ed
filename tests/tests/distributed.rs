//! Distributed mode (feature `distributed`; needs `ORCA_TEST_KAFKA` and `ORCA_TEST_POSTGRES`, see
//! `orca_tests::distributed`): the four stages as separate processes over Kafka (a private Tansu)
//! and PostgreSQL end where the embedded run of the same ordered input ends, through a stage killed
//! with SIGKILL, a broker outage, and poison records.
//!
//! The tests run one at a time (each starts six processes on a small machine).

use anyhow::{Context, Result, bail, ensure};
use orca_eventlog::{EventLog, OutRecord, topics};
use orca_stage::dead_letter_headers as headers;
use orca_tests::distributed::Distributed;
use orca_tests::orca::parse_totals;
use orca_tests::reference::{Reference, reference};
use orca_tests::service::Service;
use orca_tests::{Orca, World, wait_for, wait_until};
use std::path::Path;
use std::time::Duration;
use tokio::sync::Mutex;

const SCRATCH: &str = env!("CARGO_TARGET_TMPDIR");
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Sends the world with `orca ingest --ordered --endpoint` and checks every incident was accepted
/// exactly once.
async fn ingest_everything(pipeline: &mut Distributed, reference: &Reference, log: &str) -> Result<()> {
    let mut ingest = pipeline.spawn_ingest(&reference.orca, &reference.world, log)?;
    let status = ingest.wait().await?;
    let output = pipeline.ingest_output(log)?;
    ensure!(status.success(), "`orca ingest` failed:\n{output}");
    let totals = parse_totals(&output)?;
    ensure!(
        totals.accepted == reference.world.count && totals.duplicate == 0 && totals.rejected == 0,
        "expected all {} incidents accepted exactly once: {totals:?}",
        reference.world.count
    );
    Ok(())
}

/// Waits for the pipeline to settle, then compares it with the embedded reference run.
async fn settle_and_compare(pipeline: &Distributed, reference: &Reference, what: &str) -> Result<()> {
    pipeline.settle().await?;
    let snapshot = pipeline.snapshot(&reference.world).await?;
    snapshot.check_complete(reference.world.count).with_context(|| what.to_owned())?;
    snapshot.assert_same_as(&reference.snapshot, what)?;
    let eval = pipeline.eval(&reference.orca, &reference.world).await?;
    ensure!(eval == reference.eval, "`orca eval` of {what} differs:\n{eval:#}\nreference:\n{:#}", reference.eval);
    let versions = snapshot.version_differences(&reference.snapshot);
    if !versions.is_empty() {
        eprintln!("{what}: package contents match; version numbers differ (batching): {}", versions.join(", "));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn four_processes_over_kafka_and_postgres_match_the_embedded_run() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let reference = reference(Path::new(SCRATCH)).await?;
    let mut pipeline = Distributed::start(&reference.orca, &reference.world).await?;
    ingest_everything(&mut pipeline, reference, "ingest.log").await?;
    settle_and_compare(&pipeline, reference, "the distributed run").await?;
    pipeline.shutdown().await
}

/// Kills `stage` with SIGKILL once it has accounted for `fraction` of its input, restarts it, and
/// checks the run ends where the uninterrupted one does.
async fn kill_and_restart(stage: &str, fraction: u64) -> Result<()> {
    let reference = reference(Path::new(SCRATCH)).await?;
    let count = reference.world.count;
    let mut pipeline = Distributed::start(&reference.orca, &reference.world).await?;
    let mut ingest = pipeline.spawn_ingest(&reference.orca, &reference.world, "ingest.log")?;
    let threshold = count / fraction;
    let what = format!("`{stage}` to account for 1/{fraction} of its input");
    let reached = wait_for(&what, Duration::from_secs(300), || {
        let pipeline = &pipeline;
        async move {
            let next = pipeline.stored_offset(stage).await?;
            Ok((next >= threshold).then_some(next))
        }
    })
    .await?;
    pipeline.service(stage).kill().await?;
    ensure!(reached < count, "`{stage}` had processed everything before the kill; nothing was interrupted");
    pipeline.service(stage).restart().await?;

    let status = ingest.wait().await?;
    let output = pipeline.ingest_output("ingest.log")?;
    ensure!(status.success(), "`orca ingest` failed:\n{output}");
    let totals = parse_totals(&output)?;
    ensure!(totals.accepted == count && totals.rejected == 0, "ingest: {totals:?}");
    settle_and_compare(&pipeline, reference, &format!("the run whose {stage} was killed")).await?;
    pipeline.shutdown().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resolver_killed_mid_stream_restarts_and_loses_nothing() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    kill_and_restart("resolver", 3).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_linker_killed_mid_stream_restarts_and_loses_nothing() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    kill_and_restart("linker", 2).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_outage_mid_stream_loses_and_duplicates_nothing() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let reference = reference(Path::new(SCRATCH)).await?;
    let count = reference.world.count;
    let mut pipeline = Distributed::start(&reference.orca, &reference.world).await?;
    let mut ingest = pipeline.spawn_ingest(&reference.orca, &reference.world, "ingest.log")?;
    wait_until("the resolver to account for a third of the incidents", Duration::from_secs(300), || async {
        Ok(pipeline.stored_offset("resolver").await? >= count / 3)
    })
    .await?;

    pipeline.broker.stop().await?;
    ensure!(pipeline.broker.is_down().await, "the broker still accepts connections after stopping");
    // Ingest keeps taking incidents: one it has claimed cannot be made durable (and so is not
    // acknowledged) while the broker is down; the client keeps retrying it.
    let admin = pipeline.store_url().to_owned();
    wait_until("ingest to hold an incident it cannot make durable", Duration::from_secs(120), || {
        let admin = admin.clone();
        async move { Ok(unpublished_claims(&admin).await? > 0) }
    })
    .await?;
    if ingest.try_wait()?.is_some() {
        bail!(
            "`orca ingest` gave up while the broker was down:\n{}\nthe ingest service's log:\n{}",
            pipeline.ingest_output("ingest.log")?,
            pipeline.service("ingest").log_tail()
        );
    }
    pipeline.broker.restart().await?;

    let status = ingest.wait().await?;
    let output = pipeline.ingest_output("ingest.log")?;
    if !status.success() {
        bail!(
            "`orca ingest` failed after the broker came back:\n{output}\nthe ingest service's log:\n{}",
            pipeline.service("ingest").log_tail()
        );
    }
    let totals = parse_totals(&output)?;
    ensure!(
        totals.accepted == count && totals.duplicate == 0 && totals.rejected == 0,
        "expected every incident accepted exactly once: {totals:?}"
    );
    settle_and_compare(&pipeline, reference, "the run with a broker outage").await?;
    pipeline.shutdown().await
}

/// Incidents ingest has claimed but not yet marked as on the log.
async fn unpublished_claims(store_url: &str) -> Result<i64> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(store_url).await?;
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ingest_keys WHERE published = 0").fetch_one(&mut connection).await?;
    connection.close().await?;
    Ok(count)
}

/// Not protobuf: a varint that never ends.
const POISON: [u8; 12] = [0xff; 12];

#[tokio::test(flavor = "multi_thread")]
async fn poison_records_go_to_the_dead_letter_topic_unchanged_and_processing_goes_on() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let orca = &Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let world = World::simulate(orca, 11, 120, &scratch.path().join("world")).await?;
    let mut pipeline = Distributed::start(orca, &world).await?;

    // Written straight to the topics, as a misbehaving producer would.
    let mut poisoned = Vec::new();
    for (topic, key) in [(topics::INCIDENTS, "poison-incident"), (topics::RESOLUTIONS, "poison-resolution")] {
        let record = OutRecord::new(topic, key, POISON.to_vec()).with_header("origin", "e2e-test");
        let placed = pipeline.log.append(vec![record]).await?;
        poisoned.push((topic, key, placed[0].1));
    }
    let mut ingest = pipeline.spawn_ingest(orca, &world, "ingest.log")?;
    let status = ingest.wait().await?;
    let output = pipeline.ingest_output("ingest.log")?;
    ensure!(status.success(), "`orca ingest` failed:\n{output}");
    ensure!(parse_totals(&output)?.accepted == world.count, "ingest: {output}");
    pipeline.settle().await?;

    // Processing went on: every incident after the poison was resolved and linked.
    pipeline.snapshot(&world).await?.check_complete(world.count)?;
    let is_poison = |record: &orca_eventlog::Record| record.value == POISON;
    let dead = pipeline
        .read_topic(topics::DEAD_LETTERS, |records| records.iter().filter(|r| is_poison(r)).count() >= 2)
        .await?;
    for (topic, key, offset) in poisoned {
        let letter = dead
            .iter()
            .find(|r| r.key == key.as_bytes())
            .with_context(|| format!("no dead letter for the poison on `{topic}`"))?;
        assert_eq!(letter.value, POISON, "the dead letter carries the original bytes");
        let header = |name: &str| letter.header(name).map(|v| String::from_utf8_lossy(v).into_owned());
        let error = header(headers::ERROR).unwrap_or_default();
        assert!(!error.is_empty(), "the dead letter says what was wrong");
        assert_eq!(header(headers::SOURCE_TOPIC).as_deref(), Some(topic));
        assert_eq!(header(headers::SOURCE_OFFSET), Some(offset.to_string()));
        assert_eq!(header("origin").as_deref(), Some("e2e-test"), "the original headers are kept");
        let stage = if topic == topics::INCIDENTS { "resolver" } else { "linker" };
        assert_eq!(header(headers::STAGE).as_deref(), Some(stage));
        eprintln!("dead letter from `{topic}` (stage `{stage}`): {error}");
    }
    pipeline.shutdown().await
}

/// `orca analyst --json ARGS` against the intel process, as an analyst would run it.
async fn analyst(orca: &Orca, intel: &(String, std::path::PathBuf), args: &[&str]) -> Result<serde_json::Value> {
    let (endpoint, dir) = intel;
    let mut command = orca.command(["analyst", "--json", "--endpoint", endpoint]);
    command.arg("--data-dir").arg(dir).args(["--purpose", "e2e: review a match"]).args(args);
    let output = orca.run(command).await?;
    serde_json::from_str(&output)
        .with_context(|| format!("`orca analyst {}` printed no JSON:\n{output}", args.join(" ")))
}

/// The person a sighting (`INC-…#N`) is linked to now, as `orca analyst show INC-…` says.
async fn holder(orca: &Orca, intel: &(String, std::path::PathBuf), sighting: &str) -> Result<String> {
    let (incident, index) = sighting.rsplit_once('#').context("a sighting")?;
    let detail = analyst(orca, intel, &["show", incident]).await?;
    let link = (detail["persons"].as_array().context("persons")?.iter())
        .find(|l| l["sightingIndex"].as_u64().unwrap_or(0).to_string() == index)
        .context("the sighting's link")?;
    Ok(link["entityId"].as_str().unwrap_or_default().to_owned())
}

/// The intel process serves the browser workspace in distributed mode too: the analyst signs in
/// with their key (a session cookie comes back) and the page's gateway reads `person`.
async fn workspace_shows_person(http: &str, key: &str, person: &str) -> Result<()> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let signed_in = client.post(format!("{http}/ui/sign-in")).form(&[("key", key)]).send().await?;
    ensure!(signed_in.status() == 303, "sign-in answered {}", signed_in.status());
    let cookie = signed_in.headers().get("set-cookie").context("a session cookie")?.to_str()?;
    ensure!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().context("the cookie's value")?.to_owned();
    let page = client.get(format!("{http}/ui/analyst/search")).header("cookie", &session).send().await?.text().await?;
    let csrf = page.split("name=\"orca-csrf\" content=\"").nth(1).and_then(|rest| rest.split('"').next());
    let read = client
        .post(format!("{http}/ui/api/analyst/GetPerson"))
        .header("cookie", &session)
        .header("x-csrf-token", csrf.context("the page's CSRF token")?)
        .body(
            serde_json::json!({ "personId": person, "purpose": "e2e: the workspace in distributed mode" }).to_string(),
        )
        .send()
        .await?;
    ensure!(read.status() == 200, "GetPerson through the workspace answered {}", read.status());
    let answer: serde_json::Value = read.json().await?;
    ensure!(answer["personId"] == person, "{answer}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analysts_rejection_binds_in_distributed_mode_across_restarts() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let reference = reference(Path::new(SCRATCH)).await?;
    let orca = &reference.orca;
    let mut pipeline = Distributed::start(orca, &reference.world).await?;
    ingest_everything(&mut pipeline, reference, "ingest.log").await?;
    pipeline.settle().await?;
    let (config, keys) = (pipeline.config.clone(), pipeline.keys.clone());
    orca.issue_key("analyst", "opal-e2e", &config, &keys).await?;
    let intel = (pipeline.service("intel").endpoint()?, pipeline.dir().to_path_buf());

    // A member of a detected group with more than one sighting, as an analyst finds one.
    let groups = wait_for("the search index to hold the groups", Duration::from_secs(120), || {
        let intel = &intel;
        async move {
            let groups = analyst(orca, intel, &["groups"]).await?;
            Ok(groups["groups"].as_array().filter(|g| !g.is_empty()).cloned())
        }
    })
    .await?;
    let group = analyst(orca, &intel, &["show", groups[0]["groupId"].as_str().context("a group id")?]).await?;
    let member = group["members"][0]["personId"].as_str().context("a member")?.to_owned();
    let person = analyst(orca, &intel, &["show", &member]).await?;
    let sightings = person["sightings"].as_array().context("sightings")?;
    ensure!(sightings.len() > 1, "{member} has one sighting");
    let last = sightings.last().context("a sighting")?;
    let sighting =
        format!("{}#{}", last["incidentId"].as_str().context("incident")?, last["sightingIndex"].as_u64().unwrap_or(0));

    let receipt = analyst(
        orca,
        &intel,
        &["review", &sighting, "--reject", "--entity", &member, "--reason", "not him on the CCTV"],
    )
    .await?;
    ensure!(receipt["status"] == "DECISION_STATUS_APPLIED", "the decision was not applied: {receipt:#}");
    let split_off = holder(orca, &intel, &sighting).await?;
    ensure!(split_off != member, "the sighting is still {member}'s");
    let key = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&keys)?)?["analysts"]["opal-e2e"]
        .as_str()
        .context("the analyst's key")?
        .to_owned();
    workspace_shows_person(&pipeline.service("intel").http_url(), &key, &member).await?;

    // The resolver and intel killed and restarted: the decision holds, in the store and the index.
    for stage in ["resolver", "intel"] {
        pipeline.service(stage).kill().await?;
        pipeline.service(stage).restart().await?;
    }
    pipeline.settle().await?;
    let intel = (pipeline.service("intel").endpoint()?, pipeline.dir().to_path_buf());
    // The stages' lag is zero, but the restarted intel's read model catches up from its own
    // offsets a moment later (it once answered with the state before the decision): the
    // decision must hold once it has, so wait for that, boundedly.
    let holds = format!("the restarted read model to show {sighting} as {split_off}'s");
    let after = wait_for(&holds, Duration::from_secs(60), || {
        let (intel, sighting, split_off) = (&intel, &sighting, &split_off);
        async move { Ok(Some(holder(orca, intel, sighting).await?).filter(|after| after == split_off)) }
    })
    .await?;
    ensure!(after == split_off, "after restarts the sighting is {after}'s, not {split_off}'s");
    let kept = analyst(orca, &intel, &["show", &member]).await?;
    ensure!(kept["sightings"].as_array().map_or(0, Vec::len) == sightings.len() - 1, "{member} kept the sighting");

    // Then the analyst erases them: looked up on intel, erased by ingest, gone from intel.
    let mut erase = orca.command(["retention", "erase", "--person", &member, "--reason", "e2e: no basis remains"]);
    erase.arg("--endpoint").arg(&intel.0).arg("--data-dir").arg(&intel.1);
    erase.arg("--ingest-endpoint").arg(pipeline.service("ingest").endpoint()?);
    let erased = orca.run(erase).await?;
    ensure!(erased.contains(&format!("{member}: {n} of {n} sightings erased", n = sightings.len() - 1)), "{erased}");
    wait_until("the erased person to leave the read model", Duration::from_secs(120), || {
        let (intel, member) = (&intel, &member);
        async move {
            let shown = analyst(orca, intel, &["show", member]).await;
            Ok(shown.is_err_and(|error| format!("{error:#}").contains("no person")))
        }
    })
    .await?;
    pipeline.shutdown().await
}

/// The world's incidents in `parts` files of consecutive incidents (in order, each with the
/// world's stores beside it), so a test can feed the pipeline one part at a time.
fn split_incidents(world: &World, dir: &Path, parts: usize) -> Result<Vec<std::path::PathBuf>> {
    let text = std::fs::read_to_string(&world.incidents)?;
    let lines: Vec<&str> = text.lines().collect();
    let size = lines.len().div_ceil(parts);
    let mut files = Vec::new();
    for (index, chunk) in lines.chunks(size).enumerate() {
        let part = dir.join(format!("part-{index}"));
        std::fs::create_dir_all(&part)?;
        std::fs::copy(world.dir.join("stores.csv"), part.join("stores.csv"))?;
        let file = part.join("incidents.jsonl");
        std::fs::write(&file, chunk.join("\n") + "\n")?;
        files.push(file);
    }
    Ok(files)
}

/// `orca ingest` of one part, in the background.
fn spawn_part(pipeline: &mut Distributed, orca: &Orca, part: &Path, log: &str) -> Result<tokio::process::Child> {
    let endpoint = pipeline.service("ingest").endpoint()?;
    let log = pipeline.dir().join(log);
    orca.spawn_ingest(part, &endpoint, &pipeline.keys, &log)
}

/// Waits for `orca ingest` of a part and checks it sent `expected` incidents.
async fn finish_part(
    pipeline: &Distributed,
    mut ingest: tokio::process::Child,
    log: &str,
    expected: u64,
) -> Result<()> {
    let status = ingest.wait().await?;
    let output = pipeline.ingest_output(log)?;
    ensure!(status.success(), "`orca ingest` failed:\n{output}");
    let totals = parse_totals(&output)?;
    ensure!(totals.accepted == expected && totals.rejected == 0, "ingest of a part: {totals:?}");
    Ok(())
}

/// Whether `service` writes `stage` now (`orca_stage_active`).
async fn writes(service: &Service, stage: &str) -> Result<bool> {
    Ok(service.metric("orca_stage_active", &format!("stage=\"{stage}\"")).await? == Some(1.0))
}

/// Waits until `service` writes `stage`.
async fn takes_over(service: &Service, stage: &str, what: &str) -> Result<()> {
    wait_until(what, Duration::from_secs(120), || writes(service, stage))
        .await
        .map_err(|e| e.context(service.log_tail()))
}

/// Waits until `stage` has accounted for `offset` records of its input, and checks it had not
/// accounted for `end` (so what happens next happens mid-stream).
async fn reach(pipeline: &Distributed, stage: &str, offset: u64, end: u64) -> Result<()> {
    let what = format!("`{stage}` to account for {offset} records");
    let reached = wait_for(&what, Duration::from_secs(300), || async move {
        let next = pipeline.stored_offset(stage).await?;
        Ok((next >= offset).then_some(next))
    })
    .await?;
    ensure!(reached < end, "`{stage}` had accounted for {reached} of {end} records already; nothing was interrupted");
    Ok(())
}

/// Two resolvers and two linkers: one of each writes, the other stands by. The active resolver
/// stalls (SIGSTOP) past its lease and its standby takes over; when it wakes it finds it lost the
/// lease, commits nothing and stands by. Then the new active resolver and the active linker are
/// killed (SIGKILL) mid-stream and the standbys take over. The run ends where an uninterrupted run
/// ends.
#[tokio::test(flavor = "multi_thread")]
async fn standbys_take_over_from_stalled_and_killed_stages_and_the_run_matches() -> Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    let reference = reference(Path::new(SCRATCH)).await?;
    let orca = &reference.orca;
    let mut pipeline = Distributed::start(orca, &reference.world).await?;
    let parts = split_incidents(&reference.world, pipeline.dir(), 3)?;
    let sizes: Vec<u64> =
        parts.iter().map(|p| Ok(std::fs::read_to_string(p)?.lines().count() as u64)).collect::<Result<_>>()?;
    let standby_logs = pipeline.dir().join("standby");
    std::fs::create_dir_all(&standby_logs)?;
    let mut resolver_b = Service::start(orca, "resolver", &pipeline.config, &[], &standby_logs).await?;
    let mut linker_b = Service::start(orca, "linker", &pipeline.config, &[], &standby_logs).await?;
    for (standby, stage) in [(&resolver_b, "resolver"), (&linker_b, "linker")] {
        let says = standby.readiness().await?;
        ensure!(says == format!("ready; standing by for: {stage}"), "the second {stage} says {says:?}");
        let active = standby.metric("orca_stage_active", &format!("stage=\"{stage}\"")).await?;
        ensure!(active == Some(0.0), "the second {stage} reports orca_stage_active {active:?}, not 0");
    }

    // Part 1: the active resolver stalls mid-part, past its lease; the standby takes over.
    let ingest = spawn_part(&mut pipeline, orca, &parts[0], "ingest-1.log")?;
    reach(&pipeline, "resolver", sizes[0] / 2, sizes[0]).await?;
    pipeline.service("resolver").pause()?;
    takes_over(&resolver_b, "resolver", "the standby resolver to take over from the stalled one").await?;
    finish_part(&pipeline, ingest, "ingest-1.log", sizes[0]).await?;
    pipeline.service("resolver").resume()?;
    let resolver_a = pipeline.service("resolver");
    let stepped_down =
        wait_until("the stalled resolver to find it lost the lease", Duration::from_secs(60), || async {
            Ok(resolver_a.metric("orca_stage_lease_lost_total", "stage=\"resolver\"").await? >= Some(1.0))
        })
        .await;
    stepped_down.map_err(|e| e.context(resolver_a.log_tail()))?;
    let says = resolver_a.readiness().await?;
    ensure!(says == "ready; standing by for: resolver", "the woken resolver says {says:?}");

    // Part 2: the resolver now writing is killed mid-part; the first one takes over again.
    let ingest = spawn_part(&mut pipeline, orca, &parts[1], "ingest-2.log")?;
    reach(&pipeline, "resolver", sizes[0] + sizes[1] / 2, sizes[0] + sizes[1]).await?;
    resolver_b.kill().await?;
    takes_over(pipeline.service("resolver"), "resolver", "the first resolver to take over again").await?;
    finish_part(&pipeline, ingest, "ingest-2.log", sizes[1]).await?;

    // Part 3: the active linker is killed mid-part (while incidents still arrive); its standby
    // takes over.
    pipeline.settle().await?;
    let linked = pipeline.stored_offset("linker").await?;
    let mut ingest = spawn_part(&mut pipeline, orca, &parts[2], "ingest-3.log")?;
    reach(&pipeline, "linker", linked + sizes[2] / 3, u64::MAX).await?;
    ensure!(ingest.try_wait()?.is_none(), "part 3 was all sent before the linker was killed");
    pipeline.service("linker").kill().await?;
    takes_over(&linker_b, "linker", "the standby linker to take over").await?;
    finish_part(&pipeline, ingest, "ingest-3.log", sizes[2]).await?;

    let settled = settle_and_compare(&pipeline, reference, "the run whose stages failed over").await;
    if let Err(error) = settled {
        let mut lags = Vec::new();
        for (stage, topics) in orca_tests::distributed::STAGES {
            let topics: Vec<String> = topics.iter().map(|t| (*t).to_owned()).collect();
            lags.push(format!("{stage}: {:?}", orca_stage::lag(&pipeline.log, &pipeline.store, stage, &topics).await));
        }
        let logs = [pipeline.service("resolver").log_tail(), resolver_b.log_tail(), linker_b.log_tail()];
        bail!("{error:#}\nlag: {}\n{}", lags.join(", "), logs.join("\n"));
    }
    linker_b.stop().await?;
    pipeline.shutdown().await
}
