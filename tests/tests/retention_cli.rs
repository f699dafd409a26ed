//! `orca retention` as an analyst runs it against a server: the review lists every report due with
//! why, wrong input is refused with a clear message (a date in the wrong form, no purpose, a
//! retailer's key), `dispose --due` disposes of every report the review listed and the review then
//! has nothing left, and the retailer sees its reports as disposed.

use anyhow::{Result, ensure};
use orca_tests::Orca;
use orca_tests::orca::said;
use orca_tests::served::ServedWorld;
use std::process::Output;

async fn run(orca: &Orca, args: &[&str], endpoint: &str, data_dir: &std::path::Path) -> Result<Output> {
    orca.analyst_output(args, endpoint, data_dir, None).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_reviews_what_is_due_and_disposes_of_it_from_the_command_line() -> Result<()> {
    let orca = &Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let ServedWorld { mut server, endpoint, keys, .. } = ServedWorld::start(orca, 5, 150, scratch.path()).await?;

    let purpose = "--purpose=annual MoPI review of retail reports";
    let review = |as_of: &'static str| ["retention", "review", "--as-of", as_of, purpose];
    let all = run(orca, &review("2045-01-01"), &endpoint, scratch.path()).await?;
    ensure!(all.status.success(), "{}", said(&all));
    let text = said(&all);
    ensure!(text.starts_with("INCIDENT"), "a table: {text}");
    ensure!(text.contains("no standing package cites it"), "{text}");
    let due_later: usize = text.lines().filter(|l| l.starts_with("INC-")).count();
    ensure!(due_later > 0 && text.contains(&format!("{due_later} due")), "{text}");

    // Wrong input: said clearly, and nothing is disposed of.
    let bad_date =
        run(orca, &["retention", "review", "--as-of", "01/01/2033", purpose], &endpoint, scratch.path()).await?;
    ensure!(bad_date.status.code() == Some(2) && said(&bad_date).contains("write 2032-11-30"), "{}", said(&bad_date));
    let no_purpose = run(orca, &["retention", "review"], &endpoint, scratch.path()).await?;
    ensure!(no_purpose.status.code() == Some(1) && said(&no_purpose).contains("--purpose"), "{}", said(&no_purpose));
    let keys_text = std::fs::read_to_string(&keys)?;
    let keys_json: serde_json::Value = serde_json::from_str(&keys_text)?;
    let any_retailer = keys_json["retailers"].as_object().and_then(|m| m.values().next()).expect("a retailer");
    let as_retailer = [&review("2045-01-01")[..], &["--key", any_retailer.as_str().unwrap_or_default()][..]].concat();
    let refused = run(orca, &as_retailer, &endpoint, scratch.path()).await?;
    ensure!(refused.status.code() == Some(1), "{}", said(&refused));
    ensure!(said(&refused).contains("needs an analyst key"), "{}", said(&refused));
    let neither = run(orca, &["retention", "dispose", "--reason", "x"], &endpoint, scratch.path()).await?;
    ensure!(neither.status.code() == Some(2) && said(&neither).contains("--retailer"), "{}", said(&neither));

    // Six years and a month on, the reports no package cites are due; dispose of them all.
    let args =
        ["retention", "dispose", "--due", "--as-of", "2033-01-15", "--reason", "review 2033: no retention basis"];
    let disposed = run(orca, &args, &endpoint, scratch.path()).await?;
    let text = said(&disposed);
    ensure!(disposed.status.success(), "{text}");
    let gone: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|l| l.strip_suffix(") disposed of"))
        .filter_map(|l| l.split_once(" ("))
        .map(|(report, id)| (report.split(' ').next().unwrap_or_default(), id))
        .collect();
    ensure!(!gone.is_empty(), "{text}");
    ensure!(text.contains(&format!("{n} of {n} reports disposed of", n = gone.len())), "{text}");
    let after = said(&run(orca, &review("2033-01-15"), &endpoint, scratch.path()).await?);
    ensure!(gone.iter().all(|(_, id)| !after.contains(id)), "a disposed report is listed again: {after}");

    // The retailer whose reports went sees them as disposed of, with the reason.
    let retailer = gone[0].0;
    let retailer_key = keys_json["retailers"][retailer].as_str().unwrap_or_default();
    let listed =
        run(orca, &["records", "--retailer", retailer, "--key", retailer_key], &endpoint, scratch.path()).await?;
    let listed = said(&listed);
    ensure!(
        listed.lines().any(|l| l.contains(" disposed ") && l.contains("review 2033: no retention basis")),
        "{listed}"
    );
    server.stop().await
}
