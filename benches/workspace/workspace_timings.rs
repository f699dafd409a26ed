//! Page timings of the browser workspace, measured by headless Chromium against a running ORCA:
//! for each page, the time from the start of navigation to the page's first render (the
//! `orca-rendered` mark: the page's own content drawn from its first gateway calls) and to every
//! section loaded (network picture, timeline, map, printable document).
//!
//! ```text
//! workspace-timings URL ANALYST_KEY FORCE_KEY [RUNS]
//! ```
//!
//! The pages are found the way a user finds them: a search for a common surname, its first
//! person and incident; the first group of the group list and its first vehicle; the force's first
//! package.
//! Prints one JSON object per page (median and worst of RUNS, default 5) and a Markdown table.

use anyhow::{Context, Result};
use orca_tests::browser::Browser;
use serde_json::{Value, json};

const PURPOSE: &str = "workspace page timings (benchmark)";

struct Page {
    name: &'static str,
    path: String,
    /// JavaScript that is truthy once every section has loaded.
    complete: &'static str,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, analyst_key, force_key, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: workspace-timings URL ANALYST_KEY FORCE_KEY [RUNS]");
    };
    let runs: usize = rest.first().map_or(Ok(5), |r| r.parse()).context("RUNS is a number")?;
    let mut browser = Browser::launch().await?;
    let mut rows = Vec::new();

    sign_in(&mut browser, url, analyst_key).await?;
    let search = "/ui/analyst/search?q=smith".to_owned();
    browser.goto(&format!("{url}/ui/analyst/search?q=smith&kinds=SEARCH_KIND_PERSON")).await?;
    let first = |kind: &str| {
        format!("document.querySelector('#results a.hit-title[href^=\"/ui/analyst/{kind}/\"]')?.getAttribute('href')")
    };
    let person = browser.wait_for(&first("persons"), "a person among the results").await?;
    browser.goto(&format!("{url}{}", person.as_str().unwrap_or_default())).await?;
    let incident = browser
        .wait_for("document.querySelector('#timeline-events a')?.getAttribute('href')", "an incident on the timeline")
        .await?;
    browser.goto(&format!("{url}/ui/analyst/groups")).await?;
    let group = browser
        .wait_for("document.querySelector('#groups-table tbody a')?.getAttribute('href')", "a group in the list")
        .await?;
    browser.goto(&format!("{url}{}", group.as_str().unwrap_or_default())).await?;
    let vehicle = browser
        .eval("document.querySelector('.facts a[href^=\"/ui/analyst/vehicles/\"]')?.getAttribute('href')")
        .await?;
    let entity = "document.querySelector('.network-section')?.dataset.loaded && (!document.getElementById('timeline') || document.querySelector('#timeline')?.closest('section')?.dataset.loaded) && document.querySelector('#map')?.dataset.loaded";
    let mut pages = vec![
        Page {
            name: "search (as typed: `smith`)",
            path: search.clone(),
            complete: "document.querySelector('#results li')",
        },
        Page { name: "person", path: person.as_str().unwrap_or_default().to_owned(), complete: entity },
        Page { name: "incident", path: incident.as_str().unwrap_or_default().to_owned(), complete: entity },
        Page { name: "group", path: group.as_str().unwrap_or_default().to_owned(), complete: entity },
        Page {
            name: "group list",
            path: "/ui/analyst/groups".into(),
            complete: "document.querySelector('#groups-table')",
        },
        Page {
            name: "review queue",
            path: "/ui/analyst/review".into(),
            complete: "document.querySelector('#queue > *')",
        },
    ];
    if let Some(vehicle) = vehicle.as_str() {
        pages.insert(2, Page { name: "vehicle", path: vehicle.to_owned(), complete: entity });
    }
    for page in &pages {
        rows.push(measure(&mut browser, url, page, runs).await?);
    }

    let mut browser = Browser::launch().await?;
    sign_in(&mut browser, url, force_key).await?;
    browser.goto(&format!("{url}/ui/force/packages")).await?;
    let package = browser
        .wait_for("document.querySelector('#packages-table a.package-link')?.getAttribute('href')", "a package")
        .await?;
    let force_pages = [
        Page {
            name: "package list",
            path: "/ui/force/packages".into(),
            complete: "document.querySelector('#packages-table')",
        },
        Page {
            name: "package (with the printable document)",
            path: package.as_str().unwrap_or_default().to_owned(),
            complete: "document.getElementById('document')?.contentDocument?.body?.innerText.includes('OFFICIAL')",
        },
    ];
    for page in &force_pages {
        rows.push(measure(&mut browser, url, page, runs).await?);
    }

    for row in &rows {
        println!("{row}");
    }
    println!("\n| page | first render, median (worst) | all sections, median (worst) |\n|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {:.0} ms ({:.0}) | {:.0} ms ({:.0}) |",
            row["page"].as_str().unwrap_or_default(),
            row["render_ms"]["median"].as_f64().unwrap_or_default(),
            row["render_ms"]["worst"].as_f64().unwrap_or_default(),
            row["complete_ms"]["median"].as_f64().unwrap_or_default(),
            row["complete_ms"]["worst"].as_f64().unwrap_or_default(),
        );
    }
    Ok(())
}

async fn sign_in(browser: &mut Browser, url: &str, key: &str) -> Result<()> {
    browser.goto(&format!("{url}/ui/sign-in")).await?;
    browser.type_into("#key", key).await?;
    browser.navigating("document.querySelector('form').submit()").await?;
    browser.eval(&format!("sessionStorage.setItem('orca-purpose', {})", serde_json::to_string(PURPOSE)?)).await?;
    Ok(())
}

/// Opens `page` `runs` times (after one warm-up that fills the browser's cache, as for a user on
/// their second page) and returns the median and worst timings.
async fn measure(browser: &mut Browser, url: &str, page: &Page, runs: usize) -> Result<Value> {
    let mut render = Vec::new();
    let mut complete = Vec::new();
    for run in 0..=runs {
        browser.goto(&format!("{url}{}", page.path)).await.with_context(|| format!("opening {}", page.name))?;
        let rendered = browser.render_ms().await?;
        browser.wait_for(page.complete, page.name).await?;
        let done = browser.eval("performance.now()").await?.as_f64().unwrap_or_default();
        if run > 0 {
            render.push(rendered);
            complete.push(done);
        }
    }
    Ok(
        json!({ "page": page.name, "path": page.path, "runs": runs, "render_ms": summary(&mut render), "complete_ms": summary(&mut complete) }),
    )
}

fn summary(values: &mut [f64]) -> Value {
    values.sort_by(f64::total_cmp);
    json!({ "median": values[values.len() / 2], "worst": values.last().copied().unwrap_or_default() })
}
