//! The browser workspace in a real browser: headless Chromium (driven over the DevTools protocol)
//! signs in with an analyst's or a force officer's key on a running pipeline in which a crew of
//! three has hit six Northmart stores across two forces, and does what they would do.
//!
//! Each page is photographed to `target/workspace/` for a reviewer to look at. Needs Debian's
//! `chromium` on `PATH` (`infra/chromium.sh`).

mod common;

use common::{Harness, authorized, spawn_crew};
use orca_proto::v1;
use orca_tests::browser::Browser;
use std::path::PathBuf;

const PURPOSE: &str = "op kestrel: razor thefts in the West Midlands";

fn screenshot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/workspace").join(format!("{name}.png"))
}

fn base(h: &Harness) -> String {
    format!("http://{}", h.app.http_addr)
}

/// Signs in with `key` from the sign-in page and waits for the start page.
async fn sign_in(browser: &mut Browser, h: &Harness, key: &str) {
    browser.goto(&format!("{}/ui/", base(h))).await.unwrap();
    assert!(browser.eval("location.pathname").await.unwrap().as_str().unwrap().ends_with("/ui/sign-in"));
    browser.type_into("#key", key).await.unwrap();
    browser.navigating("document.querySelector('form').submit()").await.unwrap();
    let at = browser.eval("location.pathname").await.unwrap();
    assert!(!at.as_str().unwrap().ends_with("/sign-in"), "still signing in: {}", browser.text("main").await.unwrap());
}

/// Answers the purpose prompt the first call of a task brings up, first with a purpose too short
/// to audit (refused in the dialog), then with a real one.
async fn state_purpose(browser: &mut Browser) {
    browser.wait_for("document.getElementById('purpose-dialog')?.open", "the purpose prompt").await.unwrap();
    browser.type_into("#purpose-input", "x").await.unwrap();
    browser.click("#purpose-save").await.unwrap();
    let complaint = browser
        .wait_for("document.querySelector('#purpose-dialog .error:not([hidden])')?.innerText", "the complaint")
        .await
        .unwrap();
    assert!(complaint.as_str().unwrap().contains("at least 10 characters"), "{complaint}");
    browser.type_into("#purpose-input", PURPOSE).await.unwrap();
    browser.click("#purpose-save").await.unwrap();
    browser.wait_for("!document.getElementById('purpose-dialog')", "the prompt to close").await.unwrap();
}

async fn count(browser: &mut Browser, selector: &str) -> u64 {
    browser
        .eval(&format!("document.querySelectorAll({}).length", serde_json::to_string(selector).unwrap()))
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_finds_a_misread_plate_follows_it_to_the_group_and_splits_a_person_by_rejecting_a_link() {
    let (h, incidents) = spawn_crew().await;
    let mut browser = Browser::launch().await.unwrap();
    sign_in(&mut browser, &h, &h.analyst_key).await;
    assert_eq!(browser.eval("location.pathname").await.unwrap(), "/ui/analyst/search");
    let cookies = browser.cookies().await.unwrap();
    let session = cookies.iter().find(|c| c["name"] == "orca_session").expect("a session cookie");
    assert_eq!(
        (session["httpOnly"].as_bool(), session["sameSite"].as_str()),
        (Some(true), Some("Strict")),
        "{session}"
    );
    assert_eq!(browser.eval("document.cookie").await.unwrap(), "", "no script can read the session");

    // The camera read B as 8: the search still finds the Focus.
    browser.type_into("#search-box", "A812CDE").await.unwrap();
    state_purpose(&mut browser).await;
    let vehicle = browser
        .wait_for(
            "document.querySelector('#results a.hit-title[href^=\"/ui/analyst/vehicles/\"]')?.getAttribute('href')",
            "a vehicle hit",
        )
        .await
        .unwrap();
    assert!(browser.text("#results").await.unwrap().contains("AB12CDE"), "{}", browser.text("#results").await.unwrap());
    browser.screenshot(&screenshot("analyst-search")).await.unwrap();

    browser.navigating(&format!("location.assign({vehicle})")).await.unwrap();
    assert!(browser.text("#entity-title").await.unwrap().contains("AB12CDE"));
    browser
        .wait_for("document.querySelector('#timeline')?.closest('section')?.dataset.loaded", "the timeline")
        .await
        .unwrap();
    assert_eq!(count(&mut browser, "#timeline-events li").await, 6, "six incidents with the Focus");
    browser.screenshot(&screenshot("analyst-vehicle")).await.unwrap();
    assert_eq!(
        browser.eval("!!document.getElementById('purpose-dialog')").await.unwrap(),
        false,
        "purpose asked once per task"
    );

    // To its group: the network picture shows the three members.
    browser.navigating("document.querySelector('.facts a[href^=\"/ui/analyst/groups/G\"]').click()").await.unwrap();
    browser.wait_for("document.querySelector('.network-section')?.dataset.loaded", "the network").await.unwrap();
    assert_eq!(count(&mut browser, "#members tbody tr").await, 3, "{}", browser.text("#members").await.unwrap());
    assert!(count(&mut browser, "#network-nodes li[data-kind=NODE_KIND_PERSON]").await >= 3);
    assert!(count(&mut browser, "#network canvas").await > 0, "the picture is drawn");
    browser.wait_for("document.querySelector('#map')?.dataset.loaded", "the map").await.unwrap();
    browser.screenshot(&screenshot("analyst-group")).await.unwrap();

    // Two hops reach the members' car; leaving vehicle use out takes it away, the members stay.
    browser.eval("const hops = document.getElementById('hops'); hops.value = '2'; hops.dispatchEvent(new Event('change', { bubbles: true }))").await.unwrap();
    browser
        .wait_for("document.querySelector('#network-nodes li[data-kind=NODE_KIND_VEHICLE]')", "the car two hops out")
        .await
        .unwrap();
    browser.click("input[name=link-kind][value=LINK_KIND_VEHICLE_USE]").await.unwrap();
    browser.wait_for("document.querySelectorAll('#network-nodes li[data-kind=NODE_KIND_VEHICLE]').length === 0 && document.querySelectorAll('#network-nodes li').length >= 3", "vehicles filtered out").await.unwrap();

    // Kyle, one of the members: reject his link to the last incident; he splits.
    let kyle = browser
        .eval(
            "[...document.querySelectorAll('#members a')].find(a => a.innerText.includes('Kyle')).getAttribute('href')",
        )
        .await
        .unwrap();
    browser.navigating(&format!("location.assign({kyle})")).await.unwrap();
    let kyle_id = browser.text("#entity-id").await.unwrap();
    assert_eq!(count(&mut browser, "#sighting-list > li").await, 6);
    let last = format!("#sighting-list > li[data-incident='{}'][data-index='0']", incidents[5]);
    browser.click(&format!("{last} button.reject")).await.unwrap();
    browser.type_into(&format!("{last} input.reason"), "the CCTV shows a different man").await.unwrap();
    browser.click(&format!("{last} .reason-form button[type=submit]")).await.unwrap();
    let notice =
        browser.wait_for("document.getElementById('split-notice')?.innerText", "the split notice").await.unwrap();
    let notice = notice.as_str().unwrap();
    assert!(notice.contains(&incidents[5]) && notice.contains("is now P"), "{notice}");
    browser
        .wait_for("document.querySelectorAll('#sighting-list > li').length === 5", "five sightings left")
        .await
        .unwrap();
    let new_person = browser.eval("document.querySelector('#split-notice a').innerText").await.unwrap();
    assert_ne!(new_person.as_str().unwrap(), kyle_id, "the sighting is a different person now");
    browser.screenshot(&screenshot("analyst-person-split")).await.unwrap();

    // The incident page explains each link; the review queue and the group list open.
    browser.goto(&format!("{}/ui/analyst/incidents/{}", base(&h), incidents[0])).await.unwrap();
    assert_eq!(count(&mut browser, "#incident-persons > li").await, 3);
    browser.screenshot(&screenshot("analyst-incident")).await.unwrap();
    browser.goto(&format!("{}/ui/analyst/groups", base(&h))).await.unwrap();
    browser.wait_for("document.querySelector('#groups-table tbody tr')", "the group list").await.unwrap();
    browser.screenshot(&screenshot("analyst-groups")).await.unwrap();
    browser.goto(&format!("{}/ui/analyst/review", base(&h))).await.unwrap();
    browser.wait_for("document.querySelector('#queue > *')", "the review queue").await.unwrap();
    browser.screenshot(&screenshot("analyst-review")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_officer_sees_only_the_forces_packages_records_an_outcome_and_sees_it_arrive() {
    let (h, _) = spawn_crew().await;
    let expected = h.list(&h.lead_key, "west-midlands").await.unwrap();
    assert!(!expected.packages.is_empty());
    let mut browser = Browser::launch().await.unwrap();
    sign_in(&mut browser, &h, &h.lead_key).await;
    assert_eq!(browser.eval("location.pathname").await.unwrap(), "/ui/force/packages");
    state_purpose(&mut browser).await;
    browser.wait_for("document.querySelector('#packages-table')", "the package list").await.unwrap();
    let listed = browser
        .eval("[...document.querySelectorAll('#packages-table a.package-link')].map(a => decodeURIComponent(a.getAttribute('href').split('/').pop()))")
        .await
        .unwrap();
    let wanted: Vec<&str> = expected.packages.iter().map(|p| p.package_id.as_str()).collect();
    assert_eq!(listed, serde_json::json!(wanted), "the same packages as the API gives the force, in triage order");
    browser.screenshot(&screenshot("force-packages")).await.unwrap();

    // The group's package: the printable document inside, and an outcome recorded.
    let group_package = expected.packages.iter().find(|p| p.subject_kind == v1::SubjectKind::Group as i32).unwrap();
    browser
        .navigating(&format!(
            "document.querySelector('a.package-link[href$=\"{}\"]').click()",
            group_package.package_id
        ))
        .await
        .unwrap();
    browser
        .wait_for(
            "document.getElementById('document')?.contentDocument?.body?.innerText.includes('OFFICIAL')",
            "the printable package",
        )
        .await
        .unwrap();
    assert_eq!(count(&mut browser, "#outcomes").await, 0);
    browser.eval("document.getElementById('outcome-kind').value = 'OUTCOME_KIND_ARREST'").await.unwrap();
    browser.eval("document.getElementById('outcome-date').value = '2026-04-02'").await.unwrap();
    browser.type_into("#outcome-reference", "WM-CUST-4471").await.unwrap();
    browser.click("#outcome-form button[type=submit]").await.unwrap();
    let recorded = browser.wait_for("document.getElementById('outcome-result')?.innerText.includes('Recorded as O-') && document.getElementById('outcome-result').innerText", "the receipt").await.unwrap();
    assert!(recorded.as_str().unwrap().contains("next version"), "{recorded}");
    // The next version arrives on the open page by itself.
    let outcomes =
        browser.wait_for("document.querySelector('#outcomes')?.innerText", "the outcome in the package").await.unwrap();
    assert!(
        outcomes.as_str().unwrap().contains("WM-CUST-4471") && outcomes.as_str().unwrap().contains("arrest"),
        "{outcomes}"
    );
    assert!(browser.text("#update-notice").await.unwrap().contains("has been published"));
    browser.screenshot(&screenshot("force-package")).await.unwrap();

    // A date in the future is refused with the reason, and nothing is recorded.
    browser.eval("document.getElementById('outcome-date').removeAttribute('max'); document.getElementById('outcome-date').value = '2099-01-01'").await.unwrap();
    browser.type_into("#outcome-reference", "WM-CUST-9999").await.unwrap();
    browser.click("#outcome-form button[type=submit]").await.unwrap();
    let refused =
        browser.wait_for("document.querySelector('#outcome-result #failure')?.innerText", "the refusal").await.unwrap();
    assert!(refused.as_str().unwrap().contains("future"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_session_cannot_open_analyst_pages_or_another_forces_package_even_by_address() {
    let (h, _) = spawn_crew().await;
    let theirs = h.list(&h.lead_key, "west-midlands").await.unwrap().packages[0].package_id.clone();
    let mut browser = Browser::launch().await.unwrap();
    sign_in(&mut browser, &h, &h.bystander_key).await;
    state_purpose(&mut browser).await;
    browser.wait_for("document.getElementById('packages-total')", "the (empty) list").await.unwrap();
    assert!(browser.text("#packages-total").await.unwrap().starts_with("0 packages"));

    for page in ["/ui/analyst/search", "/ui/analyst/groups", "/ui/analyst/persons/P00000001"] {
        browser.goto(&format!("{}{page}", base(&h))).await.unwrap();
        assert!(browser.text("#refused").await.unwrap().contains("Not available"), "{page}");
    }
    browser.screenshot(&screenshot("force-refused-analyst-page")).await.unwrap();

    browser.goto(&format!("{}/ui/force/packages/{theirs}", base(&h))).await.unwrap();
    let failure = browser.text("#failure").await.unwrap();
    assert!(failure.starts_with("Not available to you") || failure.starts_with("Not found"), "{failure}");
    assert_eq!(count(&mut browser, "#package-title").await, 0, "nothing of the package is shown");
    browser.screenshot(&screenshot("force-refused-package")).await.unwrap();

    // The document and the gateway refuse by address too; and a call without the page's CSRF
    // token is refused before it reaches the service.
    let probe = format!(
        "Promise.all([\
           fetch('/ui/document/packages/{theirs}?purpose=' + encodeURIComponent('{PURPOSE}')).then(r => r.status),\
           fetch('/ui/api/analyst/Search', {{method: 'POST', headers: {{'content-type': 'application/json', 'x-csrf-token': document.querySelector('meta[name=orca-csrf]').content}}, body: JSON.stringify({{query: 'Kyle', purpose: '{PURPOSE}'}})}}).then(r => r.status),\
           fetch('/ui/api/intel/ListPackages', {{method: 'POST', headers: {{'content-type': 'application/json'}}, body: '{{}}'}}).then(async r => [r.status, (await r.json()).code])])"
    );
    let statuses = browser.eval(&probe).await.unwrap();
    assert!(matches!(statuses[0].as_u64(), Some(403 | 404)), "{statuses}");
    assert_eq!(statuses[1], 403, "{statuses}");
    assert_eq!(statuses[2], serde_json::json!([403, "csrf"]));

    // Signing out ends the session: the pages ask to sign in again.
    browser.navigating("document.querySelector('form[action=\"/ui/sign-out\"]').submit()").await.unwrap();
    browser.goto(&format!("{}/ui/force/packages", base(&h))).await.unwrap();
    assert!(browser.eval("location.pathname").await.unwrap().as_str().unwrap().ends_with("/ui/sign-in"));
    // A wrong key is refused on the page.
    browser.type_into("#key", "orca_force_0000").await.unwrap();
    browser.navigating("document.querySelector('form').submit()").await.unwrap();
    assert!(browser.text(".error").await.unwrap().contains("not valid"));
    let request = authorized(
        v1::ListPackagesRequest { force: "kent".into(), purpose: PURPOSE.into(), ..Default::default() },
        &h.bystander_key,
    );
    assert_eq!(h.intel().list_packages(request).await.unwrap().into_inner().total, 0);

    // Everything above is in the audit log: the sign-in, the refused pages, the refused package
    // read with its purpose, the sign-out and the wrong key.
    let audit = h.app.backends().store.audit(0, 10_000).await.unwrap();
    let kent: Vec<_> = audit.iter().filter(|r| r.principal_kind == "force:kent").collect();
    let has = |action: &str, outcome: &str| kent.iter().any(|r| r.action == action && r.outcome == outcome);
    assert!(has("ui-sign-in", "allowed") && has("ui-sign-out", "allowed"), "{kent:#?}");
    assert_eq!(kent.iter().filter(|r| r.action == "ui-open-page" && r.outcome == "denied").count(), 3);
    assert!(kent.iter().any(|r| r.action == "read-package"
        && r.resource.contains(&theirs)
        && r.purpose == PURPOSE
        && r.outcome != "disclosed"));
    assert!(audit.iter().any(|r| r.action == "ui-sign-in" && r.outcome == "denied" && r.principal == "(none)"));
}
