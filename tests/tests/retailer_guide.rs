//! Every example in `docs/retailer-integration.md` runs, in order, against a live `orca serve all`:
//! `sh` blocks with bash (curl and `orca` as a retailer's integrator would type them), and
//! grpcurl blocks by sending the request the block names, with the JSON body it gives, through the
//! generated client (grpcurl itself is not installable here; the server's reflection is what
//! grpcurl would use, and the JSON is parsed by the same proto3 JSON rules).

use anyhow::{Context, Result, bail, ensure};
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, IngestStatus, WithdrawStatus};
use orca_tests::service::Service;
use orca_tests::{Orca, configs};
use std::path::Path;

/// The `sh` code blocks of a Markdown document, in order.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The body and method of a grpcurl example: `-d '<json>'` and `orca.v1.Service/Method`.
fn grpcurl_call(block: &str) -> Result<(String, String)> {
    ensure!(block.contains("-H \"authorization: Bearer $ORCA_KEY\""), "no authorization header: {block}");
    let start = block.find("-d '").context("no `-d '…'` body")? + 4;
    let end = start + block[start..].find('\'').context("an unterminated body")?;
    let method = (block.split_whitespace())
        .find_map(|word| word.strip_prefix("orca.v1.IngestService/"))
        .context("no `orca.v1.IngestService/<Method>`")?;
    Ok((block[start..end].to_owned(), method.to_owned()))
}

fn authed<T>(message: T, key: &str) -> Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {key}").parse()?);
    Ok(request)
}

/// Sends what a grpcurl example sends, and checks it did what the guide says.
async fn run_grpcurl(block: &str, endpoint: &str, key: &str) -> Result<()> {
    let (body, method) = grpcurl_call(block)?;
    let mut client = IngestServiceClient::connect(endpoint.to_owned()).await?;
    match method.as_str() {
        "RegisterStores" => {
            let request: v1::RegisterStoresRequest = serde_json::from_str(&body)?;
            let response = client.register_stores(authed(request, key)?).await?.into_inner();
            ensure!(response.rejected == 0 && response.registered > 0, "{response:?}");
        }
        "Submit" => {
            let request: v1::SubmitRequest = serde_json::from_str(&body)?;
            let ack = client.submit(authed(request, key)?).await?.into_inner();
            ensure!(ack.status == IngestStatus::Accepted as i32, "{ack:?}");
        }
        "Withdraw" => {
            let request: v1::WithdrawRequest = serde_json::from_str(&body)?;
            let response = client.withdraw(authed(request, key)?).await?.into_inner();
            ensure!(response.status == WithdrawStatus::Withdrawn as i32, "{response:?}");
        }
        "ListRecords" => {
            let request: v1::ListRecordsRequest = serde_json::from_str(&body)?;
            let response = client.list_records(authed(request, key)?).await?.into_inner();
            ensure!(!response.records.is_empty(), "{response:?}");
        }
        other => bail!("the guide calls `{other}`, which this test does not know how to send"),
    }
    Ok(())
}

async fn run_sh(block: &str, work: &Path, env: &[(&str, &str)]) -> Result<()> {
    let mut command = tokio::process::Command::new("bash");
    command.args(["-euo", "pipefail", "-c", block]).current_dir(work);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await?;
    ensure!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_in_the_retailer_guide_works_against_a_live_server() -> Result<()> {
    let orca = &Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let config = configs::write_embedded(scratch.path(), &scratch.path().join("data"))?;
    let mut server = Service::start(orca, "all", &config, &[], scratch.path()).await?;
    let issued = scratch.path().join("issued-keys.json");
    orca.issue_key("retailer", "northmart", &config, &issued).await?;
    let keys: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&issued)?)?;
    let key = keys["retailers"]["northmart"].as_str().context("northmart's key")?.to_owned();

    // `orca` on the PATH, as an integrator would have it.
    let bin = scratch.path().join("bin");
    std::fs::create_dir_all(&bin)?;
    std::os::unix::fs::symlink(orca.binary(), bin.join("orca"))?;
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let work = scratch.path().join("integrator");
    std::fs::create_dir_all(&work)?;
    let endpoint = server.endpoint()?;
    let grpc = endpoint.trim_start_matches("http://").to_owned();
    let http = server.http_url();
    let env = [("ORCA_HTTP", http.as_str()), ("ORCA_GRPC", grpc.as_str()), ("ORCA_KEY", &key), ("PATH", &path)];

    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/retailer-integration.md"))?;
    let blocks = sh_blocks(&guide);
    ensure!(blocks.len() >= 10, "the guide has only {} examples", blocks.len());
    for (number, block) in blocks.iter().enumerate() {
        let outcome = if block.trim_start().starts_with("grpcurl") {
            run_grpcurl(block, &endpoint, &key).await
        } else {
            run_sh(block, &work, &env).await
        };
        outcome.with_context(|| format!("example {} of the guide:\n{block}", number + 1))?;
    }

    // What the examples did, seen from outside: one of each state the guide shows.
    let mut client = IngestServiceClient::connect(endpoint.clone()).await?;
    let listed = client.list_records(authed(v1::ListRecordsRequest::default(), &key)?).await?.into_inner().records;
    let state_of = |reference: &str| listed.iter().find(|r| r.retailer_ref == reference).map(|r| r.state);
    ensure!(state_of("NM-2026-000101") == Some(v1::RecordState::Accepted as i32), "{listed:?}");
    ensure!(state_of("NM-2026-000104") == Some(v1::RecordState::Corrected as i32), "{listed:?}");
    ensure!(state_of("NM-2026-000102") == Some(v1::RecordState::Withdrawn as i32), "{listed:?}");
    ensure!(state_of("NM-2026-000105") == Some(v1::RecordState::Withdrawn as i32), "{listed:?}");
    let rejected = v1::ListRecordsRequest { rejected: true, ..Default::default() };
    let refused = client.list_records(authed(rejected, &key)?).await?.into_inner().records;
    let bad = refused.iter().find(|r| r.retailer_ref == "NM-2026-000103").context("the bad line is kept")?;
    let said: Vec<String> = bad.problems.iter().map(|p| format!("{}: {}", p.field, p.reason)).collect();
    ensure!(said.len() == 3, "{said:?}");
    for expected in ["has no time zone", "EVENT_TYPE_SHOPLIFTING", "£14.99 is 1499"] {
        ensure!(said.iter().any(|s| s.contains(expected)), "no problem says `{expected}`: {said:?}");
    }

    // `orca withdraw` and `orca records` as a retailer types them, wrong input first.
    let cli = |args: &[&str]| {
        let mut command = orca.command(args.iter().copied());
        command.args(["--endpoint", endpoint.as_str(), "--key", key.as_str()]);
        command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        command.output()
    };
    let withdraw = |reference: &'static str, reason: &'static str| {
        cli(&["withdraw", "--retailer", "northmart", "--ref", reference, "--reason", reason])
    };
    for (reference, reason, says) in [
        ("NM-2026-000101", "", "give the reason in words"),
        ("NM-2026-999999", "typo", "no accepted report with reference `NM-2026-999999`"),
    ] {
        let output = withdraw(reference, reason).await?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        ensure!(output.status.code() == Some(1) && stderr.contains(says), "{:?}: {stderr}", output.status);
    }
    let output = withdraw("NM-2026-000101", "test: withdrawn from the command line").await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(output.status.success() && stdout.contains("withdrawn: it leaves every person"), "{stdout}");
    let output = withdraw("NM-2026-000101", "again").await?;
    ensure!(String::from_utf8_lossy(&output.stdout).contains("was withdrawn before; nothing changed"));
    let output = cli(&["records", "--retailer", "northmart", "--ref", "NM-2026-000101"]).await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(stdout.contains("withdrawn") && stdout.contains("test: withdrawn from the command line"), "{stdout}");
    let output = cli(&["records", "--retailer", "northmart", "--limit", "0"]).await?;
    ensure!(output.status.code() == Some(2), "a limit of 0 is a usage error: {:?}", output.status);
    server.stop().await
}
