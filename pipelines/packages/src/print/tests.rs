use super::sample::{sample_changes, sample_package};
use super::*;
use orca_model::package::{IntelligencePackage, PackageStore};

fn html() -> String {
    package_html(&sample_package(), &sample_changes())
}

#[test]
fn escape_turns_markup_into_text_and_drops_control_characters() {
    let escaped = escape("<b a=\"1\">Tom & 'Jerry'</b>\u{0}\u{7}\u{1b}[31m\nnext\u{202e}gnp.exe").to_string();
    assert_eq!(escaped, "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;[31m nextgnp.exe");
}

#[test]
fn a_hostile_alias_is_printed_as_text_and_no_script_tag_exists() {
    let mut package = sample_package();
    package.subjects[0].aliases.push("<script>alert(1)</script>".to_owned());
    package.subjects[1].display_name = "Kelly <img src=x onerror=alert(2)> & Co".to_owned();
    package.title = "</style><script>alert(3)</script>".to_owned();
    package.offences[0].evidence[0].reference = "\"><svg onload=alert(4)>".to_owned();
    package.outcomes[0].notes = "<iframe src=\"https://evil.example\"></iframe>".to_owned();
    let html = package_html(&package, &["<script>alert(5)</script>".to_owned()]);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the alias is shown, escaped");
    assert!(html.contains("Kelly &lt;img src=x onerror=alert(2)&gt; &amp; Co"));
    let lower = html.to_lowercase();
    for tag in ["<script", "<img", "<iframe", "<svg onload", "</style><"] {
        assert!(!lower.contains(tag), "{tag} must not appear as markup");
    }
}

#[test]
fn nothing_is_fetched_no_script_no_external_address_no_web_font() {
    let mut package = sample_package();
    package.outcomes[0].notes = "see https://example.org/x and url(http://example.org/y)".to_owned();
    let html = package_html(&package, &sample_changes()).to_lowercase();
    for attribute in ["src=", "href=", "url(", "@import", "@font-face", "<link", "<script"] {
        let outside_text = html.matches(attribute).count();
        // The notes' text may say `url(` — only as escaped text inside a table cell.
        let in_notes = usize::from(attribute == "url(");
        assert_eq!(outside_text, in_notes, "{attribute} occurs {outside_text} times");
    }
    let addresses = html.matches("http://").count() + html.matches("https://").count();
    assert_eq!(addresses, 2, "only the two addresses in the notes' text, as text");
    assert!(html.contains("content-security-policy"), "a policy forbids fetching anything");
}

#[test]
fn a_realistic_package_has_every_section() {
    let html = html();
    for id in [
        "id=\"score\"",
        "id=\"subjects\"",
        "id=\"vehicles\"",
        "id=\"links\"",
        "id=\"geography\"",
        "id=\"timeline\"",
        "id=\"offences\"",
        "id=\"outcomes\"",
        "id=\"gaps\"",
        "id=\"actions\"",
        "id=\"handling\"",
    ] {
        assert!(html.contains(id), "missing section {id}");
    }
    assert!(html.contains("Changes since version 3"), "version 4 lists what changed since 3");
    assert!(html.contains("vehicle V00000013 reported on false plates"));
    assert_eq!(html.matches("<svg viewBox").count(), 4, "timeline, link chart, overview and detail maps");
}

#[test]
fn the_header_names_forces_grade_loss_and_dates() {
    let html = html();
    assert!(html.contains("<dd>West Midlands Police</dd>"), "lead force by name");
    assert!(html.contains("<dd>Staffordshire Police, Cheshire Constabulary</dd>"), "affected forces by name");
    assert!(html.contains("Level 2 · cross-border"));
    assert!(html.contains("<dd>£4,425.34</dd>"), "total loss in pounds");
    assert!(html.contains("3x5x2 grade 2B · handling P"));
    assert!(html.contains("07 Apr 2025 10:42 UTC"), "first seen");
    assert!(html.contains("PKG-G00000007 · version 4 · Organised crime group G00000007"));
}

#[test]
fn banners_carry_the_marking_grade_and_handling_at_top_and_bottom() {
    let html = html();
    let top = html.find("banner banner-top").expect("top banner");
    let bottom = html.find("banner banner-bottom").expect("bottom banner");
    let main = html.find("<main>").expect("main");
    assert!(top < main && main < bottom);
    for banner in [&html[top..main], &html[bottom..]] {
        assert!(banner.contains("OFFICIAL-SENSITIVE"));
        assert!(banner.contains("3x5x2 grade 2B · handling P"));
        assert!(
            banner.contains("Do not disclose outside the police service without the authority of West Midlands Police")
        );
    }
    assert!(html.contains(".banner { position: fixed"), "repeated on every printed page");
}

#[test]
fn tables_show_subjects_vehicles_and_offences_with_their_details() {
    let html = html();
    assert!(html.contains("Danny M, D. Marsh"), "aliases");
    assert!(html.contains(">97%<"), "match confidence as a percentage");
    assert!(html.contains("Jordan O&#39;Neill"));
    assert!(html.contains("<span class=\"unknown\">unnamed</span>"));
    assert!(html.contains("<span class=\"unknown\">no plate read</span>"), "the Astra has no plate read");
    assert!(html.contains("cloned plate suspected") && html.contains("false plate reported"));
    assert!(html.contains("Northmart Stafford Gaolgate<div class=\"small\">ST16 2BG · northmart</div>"));
    assert!(html.contains("sha256 5c0e9d7ab3f1…") || html.contains("sha256 3f6a2b9c0d1e…"), "short hashes");
    assert!(html.contains("crime ref <span class=\"unknown\">none</span>"));
    assert!(html.contains("CUST/ST/25/00421"), "the outcome's force reference");
}

#[test]
fn offences_are_in_time_order_and_the_outside_group_one_is_marked() {
    let mut package = sample_package();
    package.offences.reverse();
    let html = package_html(&package, &[]);
    let schedule = &html[html.find("id=\"offences\"").expect("schedule")..];
    let first = schedule.find("INC-3f6a2b9c0d1e4f57").expect("first offence");
    let last = schedule.find("INC-7d41c0a9e2b35f18").expect("last offence");
    assert!(first < last, "sorted by time whatever the package's order");
    let row = &schedule[schedule.find("<tr class=\"outside\">").expect("an outside row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("member alone / outside group") && row.contains("INC-5c0e9d7ab3f14c62"));
    assert!(!html.contains("Changes since"), "no changes, no section");
}

#[test]
fn corrected_and_withdrawn_reports_are_said_with_their_reasons() {
    let mut package = sample_package();
    assert!(!package_html(&package, &[]).contains("report-notices"), "none, no section");
    package.offences[0].revision = 2;
    package.offences[0].correction_reason = "value was <£80>, not £100".into();
    package.report_notices.push(orca_model::package::ReportNotice {
        incident_id: "INC-0000000000000001".into(),
        revision: 1,
        withdrawn: true,
        reason: "sent in error".into(),
        disposed: false,
    });
    let html = package_html(&package, &[]);
    assert!(html.contains("revision 2: value was &lt;£80&gt;, not £100"), "escaped, in the offence's row");
    let section = &html[html.find("id=\"report-notices\"").expect("a section")..];
    assert!(section.contains("INC-0000000000000001</span>: withdrawn by the retailer: sent in error"));
}

#[test]
fn the_withdrawn_notice_is_prominent() {
    let mut package = sample_package();
    assert!(!package_html(&package, &[]).contains("WITHDRAWN"));
    package.withdrawn = true;
    let html = package_html(&package, &[]);
    assert!(html.contains("<div class=\"withdrawn\"><strong>WITHDRAWN</strong>"));
    assert_eq!(html.matches("OFFICIAL-SENSITIVE · WITHDRAWN").count(), 2, "both banners say so");
    assert!(html.contains("<div class=\"watermark\" aria-hidden=\"true\">WITHDRAWN</div>"), "across every page");
}

#[test]
fn the_map_skips_a_store_without_a_position_and_says_so() {
    let html = html();
    assert!(html.contains("<strong>1 store without a position</strong>"));
    assert!(html.contains("(8 plotted)"));
    let mut package = sample_package();
    package.stores.push(PackageStore {
        store: "X-1".into(),
        name: "Paris".into(),
        lat: 48.85,
        lon: 2.35,
        ..Default::default()
    });
    package.stores.push(PackageStore { store: "X-2".into(), lat: f64::NAN, lon: -1.0, ..Default::default() });
    let html = package_html(&package, &[]);
    assert!(html.contains("<strong>3 stores without a position</strong>"));
    assert!(html.contains("no position: not on the map"), "the stores table says which");
}

#[test]
fn the_maps_draw_forces_the_corridor_and_numbered_stores() {
    let html = html();
    let maps = &html[html.find("id=\"geography\"").unwrap()..html.find("id=\"timeline\"").unwrap()];
    let overview = &maps[maps.find("class=\"overview\"").unwrap()..maps.find("class=\"detail\"").unwrap()];
    let detail = &maps[maps.find("class=\"detail\"").unwrap()..maps.find("class=\"geo-lists\"").unwrap()];
    for map in [overview, detail] {
        assert_eq!(map.matches("<polyline").count(), 1, "the corridor");
        assert_eq!(map.matches("fill=\"#d7301f\"").count(), 8, "one marker per placed store");
        assert!(map.contains(">West Midlands</text>") && map.contains(">Cheshire</text>"), "our forces named");
    }
    assert!(overview.contains("<title>Kent Police</title>"), "other forces as grey dots");
    assert!(overview.contains("stroke-dasharray=\"3 2\""), "the detail's area outlined");
    assert!(detail.contains("fill=\"#fff\">1</text>"), "stores numbered");
    assert!(detail.contains(" km</text>"), "a scale bar");
    assert!(!detail.contains("Kent"), "forces far from the area are left out of the detail");
    let table = &maps[maps.find("<h3>Stores</h3>").unwrap()..];
    let first = table.find("Northmart Birmingham Bull Street").unwrap();
    assert!(table[..first].contains("<td class=\"num\">1</td>"), "the busiest store is number 1");
}

#[test]
fn charts_cope_with_one_offence_and_with_none() {
    let mut package = sample_package();
    package.offences.truncate(1);
    package.link_chart.truncate(1);
    let html = package_html(&package, &[]);
    let timeline = &html[html.find("id=\"timeline\"").unwrap()..];
    assert_eq!(timeline[..timeline.find("</svg>").unwrap()].matches("<circle").count(), 1);
    assert!(timeline.contains("07 Apr 10:42"), "a lone offence is labelled with its time");
    assert!(html.contains(">Daniel Marsh</text>") && html.contains(">Kelly-Ann Price</text>"));

    package.offences.clear();
    package.link_chart.clear();
    let html = package_html(&package, &[]);
    assert!(html.contains("No offences to plot."));
    assert!(html.contains("No links recorded between subjects and vehicles."));
}

#[test]
fn the_link_chart_labels_subjects_by_name_and_vehicles_by_plate() {
    let html = html();
    let chart = &html[html.find("id=\"links\"").unwrap()..html.find("id=\"geography\"").unwrap()];
    assert_eq!(chart.matches("r=\"12\" fill=\"#1f3a5f\"").count(), 4, "four persons");
    assert_eq!(chart.matches("width=\"26\"").count(), 3, "three vehicles");
    assert!(chart.contains(">KX19LMR</text>") && chart.contains(">no plate read</text>"));
    assert!(chart.contains("stroke-width=\"7.2\""), "the heaviest link is the thickest");
}

#[test]
fn an_empty_package_renders() {
    let html = package_html(&IntelligencePackage::default(), &[]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(html.contains("OFFICIAL-SENSITIVE"), "the default marking when none is set");
    assert!(html.contains("No subjects.") && html.contains("No offences."));
    assert!(html.contains("without the authority of the lead force."), "no force to name");
    assert!(!html.contains("class=\"detail\""), "no area to detail");
}

#[test]
fn the_same_package_gives_the_same_bytes() {
    assert_eq!(html(), html());
}
