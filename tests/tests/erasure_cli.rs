//! `orca retention erase` as an analyst runs it against a server: wrong input is refused with a
//! clear message and erases nothing; erasing a person found by name erases every sighting of them,
//! each report says at which revision, the person is gone, and erasing again changes nothing.

use anyhow::{Result, ensure};
use orca_tests::orca::said;
use orca_tests::served::ServedWorld;
use orca_tests::{Orca, World};
use std::process::Output;

async fn run(orca: &Orca, args: &[&str], endpoint: &str, data_dir: &std::path::Path) -> Result<Output> {
    orca.analyst_output(args, endpoint, data_dir, Some("erasure request 2026/114")).await
}

/// The family name of the first named suspect in the world's reports.
fn a_named_suspect(world: &World) -> Result<String> {
    let text = std::fs::read_to_string(&world.incidents)?;
    for line in text.lines() {
        let incident: serde_json::Value = serde_json::from_str(line)?;
        for person in incident["persons"].as_array().into_iter().flatten() {
            let offending = matches!(person["role"].as_str(), Some("PERSON_ROLE_SUSPECT" | "PERSON_ROLE_OFFENDER"));
            if let Some(family) = person["familyName"].as_str().filter(|f| offending && f.len() > 3) {
                return Ok(family.to_owned());
            }
        }
    }
    anyhow::bail!("no named suspect in {}", world.incidents.display())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_erases_a_person_from_the_command_line() -> Result<()> {
    let orca = &Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let ServedWorld { world, mut server, endpoint, keys } = ServedWorld::start(orca, 11, 200, scratch.path()).await?;

    let family = a_named_suspect(&world)?;
    let search = || async {
        let found = run(orca, &["analyst", "--json", "search", &family], &endpoint, scratch.path()).await?;
        ensure!(found.status.success(), "{}", said(&found));
        let hits: serde_json::Value = serde_json::from_slice(&found.stdout)?;
        let person = (hits["hits"].as_array().into_iter().flatten())
            .find(|h| h["kind"] == "SEARCH_KIND_PERSON")
            .and_then(|h| h["id"].as_str())
            .map(str::to_owned);
        Ok(person)
    };
    let what = format!("a person named {family} in the index");
    let person = orca_tests::wait_for(&what, std::time::Duration::from_secs(60), search).await?;
    let shown = run(orca, &["analyst", "--json", "show", &person], &endpoint, scratch.path()).await?;
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout)?;
    let sightings = shown["sightings"].as_array().map_or(0, Vec::len);
    ensure!(sightings > 0, "{shown}");

    // Wrong input: said clearly, nothing erased.
    let no_reason = run(orca, &["retention", "erase", "--person", &person], &endpoint, scratch.path()).await?;
    ensure!(no_reason.status.code() == Some(2) && said(&no_reason).contains("--reason"), "{}", said(&no_reason));
    let bad_sighting = ["retention", "erase", "--person", &person, "--reason", "no basis", "--sighting", "INC-1"];
    let bad_sighting = run(orca, &bad_sighting, &endpoint, scratch.path()).await?;
    ensure!(bad_sighting.status.code() == Some(2), "{}", said(&bad_sighting));
    ensure!(said(&bad_sighting).contains("write INCIDENT#PLACE"), "{}", said(&bad_sighting));
    let not_his = ["retention", "erase", "--person", &person, "--reason", "no basis", "--sighting", "INC-1#0"];
    let not_his = run(orca, &not_his, &endpoint, scratch.path()).await?;
    ensure!(not_his.status.code() == Some(1) && said(&not_his).contains("is not a sighting of"), "{}", said(&not_his));
    let keys_json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&keys)?)?;
    let retailer_key = keys_json["retailers"].as_object().and_then(|m| m.values().next()).and_then(|k| k.as_str());
    let as_retailer =
        ["retention", "erase", "--person", &person, "--reason", "no basis", "--key", retailer_key.unwrap_or_default()];
    let refused = run(orca, &as_retailer, &endpoint, scratch.path()).await?;
    ensure!(refused.status.code() == Some(1), "{}", said(&refused));
    let still = run(orca, &["analyst", "show", &person], &endpoint, scratch.path()).await?;
    ensure!(still.status.success(), "nothing was erased: {}", said(&still));

    let args = ["retention", "erase", "--person", &person, "--reason", "NFA; no retention basis remains"];
    let erased = run(orca, &args, &endpoint, scratch.path()).await?;
    let text = said(&erased);
    ensure!(erased.status.success(), "{text}");
    ensure!(text.lines().filter(|l| l.contains("erased (revision ")).count() == sightings, "{text}");
    ensure!(text.contains(&format!("{person}: {sightings} of {sightings} sightings erased")), "{text}");
    let gone = || async {
        let shown = run(orca, &["analyst", "show", &person], &endpoint, scratch.path()).await?;
        Ok(shown.status.code() == Some(1) && said(&shown).contains("no person"))
    };
    orca_tests::wait_until("the person to be gone", std::time::Duration::from_secs(60), gone).await?;
    let again = run(orca, &args, &endpoint, scratch.path()).await?;
    ensure!(again.status.code() == Some(1) && said(&again).contains("no person"), "{}", said(&again));
    server.stop().await?;
    Ok(())
}
