//! A printable, self-contained HTML document of one intelligence package version, for a force's
//! intelligence officers to print or save as PDF for a briefing.
//!
//! One document, nothing fetched: the style sheet and the charts (inline SVG) are in the page, there
//! is no script, no external address and no web font, and a Content-Security-Policy forbids loading
//! anything should a later edit slip. Every piece of text from the package goes through `escape`.
//! The output is deterministic (no clock, no randomness, sorted layouts): the same package and
//! changes give the same bytes.
//!
//! - this file: the document (banners, header, changes, lists, handling notes) and `escape`;
//! - `tables`: score, subjects, vehicles, offences, outcomes and stores;
//! - `charts`: the offence timeline and the link chart;
//! - `map`: forces, stores and the corridor on a schematic map of Great Britain and Northern
//!   Ireland and a detail of the area of offending (coastline in `coast`);
//! - `style`: the style sheet (screen layout, A4 print rules, banners repeated on every page);
//! - [`sample`]: a realistic fictitious package for tests (hidden from the docs).

mod charts;
mod coast;
/// The coastline the maps are drawn on, for other pictures of the same places (the workspace's map).
pub use coast::OUTLINES as COASTLINE;
mod map;
#[doc(hidden)]
pub mod sample;
mod style;
mod tables;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use orca_model::package::{DEFAULT_MARKING, IntelligencePackage, NimLevel, SubjectKind};
use orca_model::{ForceId, ForceRegistry, Grade, GradingSystem};
use std::fmt::{self, Write};

/// A self-contained HTML document of one package version, for printing or saving as PDF.
///
/// `changes` say what changed since the previous version (shown when not empty).
pub fn package_html(package: &IntelligencePackage, changes: &[String]) -> String {
    let mut out = String::with_capacity(96 * 1024);
    document(&mut out, package, changes).expect("writing to a String cannot fail");
    out
}

/// Text made safe for HTML (and inline SVG) text and attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become entities. Control characters never reach the output: line
/// breaks and tabs become spaces, the rest are dropped, and so are the bidirectional controls that
/// could make a reference or a name read differently from what it is.
pub(crate) struct Escaped<'a>(&'a str);

pub(crate) fn escape(text: &str) -> Escaped<'_> {
    Escaped(text)
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                '\n' | '\r' | '\t' => f.write_char(' ')?,
                c if c.is_control() || is_bidi_control(c) => {}
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Unicode's bidirectional embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// A force's name from the registry; its slug when the registry does not know it.
pub(crate) fn force_name(force: &ForceId) -> &str {
    ForceRegistry::global().get(force.as_str()).map_or(force.as_str(), |f| f.name.as_str())
}

/// `03 Jun 2025 14:05`, in UTC.
pub(crate) fn date_time(at: &DateTime<Utc>) -> String {
    at.format("%d %b %Y %H:%M").to_string()
}

fn optional_date_time(at: Option<&DateTime<Utc>>) -> String {
    at.map_or_else(|| "not recorded".to_owned(), |t| format!("{} UTC", date_time(t)))
}

/// The security marking, `OFFICIAL-SENSITIVE` when the package carries none.
fn marking(package: &IntelligencePackage) -> &str {
    let marking = package.security_marking.trim();
    if marking.is_empty() { DEFAULT_MARKING } else { marking }
}

/// `2B · handling P` (3x5x2: source, intelligence, handling); 5x5x5 grades say so.
fn grade_code(grade: &Grade) -> String {
    let system = match grade.system {
        GradingSystem::ThreeFiveTwo => "3x5x2",
        GradingSystem::FiveFiveFive => "5x5x5",
    };
    format!("{system} grade {}{} · handling {}", grade.source, grade.intelligence, grade.handling)
}

/// What a 3x5x2 grade's codes mean, for the reader who does not know them by heart.
fn grade_meaning(grade: &Grade) -> String {
    if grade.system != GradingSystem::ThreeFiveTwo {
        return "graded under 5x5x5; kept as recorded".to_owned();
    }
    let source = match grade.source.as_str() {
        "1" => "reliable source",
        "2" => "untested source",
        "3" => "source not reliable",
        _ => "source evaluation not recognised",
    };
    let intelligence = match grade.intelligence.as_str() {
        "A" => "known directly to the source",
        "B" => "known indirectly to the source, corroborated",
        "C" => "known indirectly to the source",
        "D" => "not known",
        "E" => "suspected to be false",
        _ => "assessment not recognised",
    };
    let handling = match grade.handling.as_str() {
        "P" => "lawful sharing permitted",
        "C" => "lawful sharing permitted subject to the conditions below",
        _ => "handling code not recognised",
    };
    format!("{source}; {intelligence}; {handling}")
}

/// The line the banners carry about handling.
fn handling_line(package: &IntelligencePackage) -> String {
    let lead = or_missing(force_name(&package.lead_force), "the lead force");
    let conditions = if package.grade.conditions.is_empty() { "" } else { " Handling conditions apply: see the end." };
    format!("Police use only. Do not disclose outside the police service without the authority of {lead}.{conditions}")
}

fn document(out: &mut String, package: &IntelligencePackage, changes: &[String]) -> fmt::Result {
    let marking = marking(package);
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {} · {} version {}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        escape(marking),
        escape(or_missing(&package.title, "Untitled package")),
        escape(package.id.as_str()),
        package.version,
        style::CSS
    )?;
    banner(out, package, "banner-top")?;
    if package.withdrawn {
        // Fixed, so it repeats across every printed page.
        out.push_str("<div class=\"watermark\" aria-hidden=\"true\">WITHDRAWN</div>\n");
    }
    // The layout table's header and footer repeat on every printed page and keep the page's content
    // clear of the fixed banners.
    out.push_str(
        "<table class=\"sheet\">\n<thead><tr><td><div class=\"banner-space\"></div></td></tr></thead>\n\
         <tfoot><tr><td><div class=\"banner-space\"></div></td></tr></tfoot>\n<tbody><tr><td>\n<main>\n",
    );
    header(out, package)?;
    changes_section(out, package, changes)?;
    tables::score(out, package)?;
    tables::subjects(out, package)?;
    tables::vehicles(out, package)?;
    charts::link_chart(out, package)?;
    map::geography(out, package)?;
    charts::timeline(out, package)?;
    tables::offences(out, package)?;
    tables::outcomes(out, package)?;
    list_section(out, "gaps", "Intelligence gaps", &package.intelligence_gaps, "ul", "No gaps identified.")?;
    list_section(out, "actions", "Recommended actions", &package.recommended_actions, "ol", "No actions recommended.")?;
    handling_section(out, package)?;
    out.push_str("</main>\n</td></tr></tbody>\n</table>\n");
    banner(out, package, "banner-bottom")?;
    out.push_str("</body>\n</html>\n");
    Ok(())
}

/// The security marking, grade and handling line, fixed to the top or bottom of every printed page.
fn banner(out: &mut String, package: &IntelligencePackage, class: &str) -> fmt::Result {
    let withdrawn = if package.withdrawn { " · WITHDRAWN" } else { "" };
    writeln!(
        out,
        "<div class=\"banner {class}\"><div class=\"line\"><span class=\"grade\">{}</span>\
         <span class=\"marking\">{}{withdrawn}</span><span class=\"id\">{} version {}</span></div>\
         <div class=\"handling\">{}</div></div>",
        escape(&grade_code(&package.grade)),
        escape(marking(package)),
        escape(package.id.as_str()),
        package.version,
        escape(&handling_line(package))
    )
}

fn header(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    let kind = match package.subject_kind {
        SubjectKind::Group => "Organised crime group",
        SubjectKind::ProlificOffender => "Prolific offender",
    };
    write!(
        out,
        "<header class=\"title\">\n<div class=\"kicker\">ORCA · organised retail crime intelligence package</div>\n\
         <h1>{}</h1>\n<div class=\"subtitle\">{} · version {} · {kind} {}</div>\n",
        escape(or_missing(&package.title, "Untitled package")),
        escape(package.id.as_str()),
        package.version,
        escape(&package.subject_id)
    )?;
    if package.withdrawn {
        writeln!(
            out,
            "<div class=\"withdrawn\"><strong>WITHDRAWN</strong> This version withdraws package {}. \
             Do not act on it or on any earlier version; earlier versions are no longer disclosed to forces.</div>",
            escape(package.id.as_str())
        )?;
    }
    let affected: Vec<&str> = package.affected_forces.iter().map(force_name).collect();
    let affected = if affected.is_empty() { "none".to_owned() } else { affected.join(", ") };
    let nim = match package.nim_level {
        NimLevel::Local => "Level 1 · local",
        NimLevel::CrossBorder => "Level 2 · cross-border",
        NimLevel::National => "Level 3 · national",
    };
    let outside = package.offences.iter().filter(|o| o.outside_group).count();
    let offences = if outside > 0 {
        format!("{} ({outside} by a member outside the group)", package.offences.len())
    } else {
        package.offences.len().to_string()
    };
    let retailers: Vec<&str> = package.retailers.iter().map(|r| r.as_str()).collect();
    let facts: [(&str, String); 13] = [
        ("Lead force", or_missing(force_name(&package.lead_force), "not set").to_owned()),
        ("Affected forces", affected),
        ("NIM level", nim.to_owned()),
        ("Grade", format!("{} ({})", grade_code(&package.grade), grade_meaning(&package.grade))),
        ("First seen", optional_date_time(package.first_seen.as_ref())),
        ("Last seen", optional_date_time(package.last_seen.as_ref())),
        ("As of", optional_date_time(package.as_of.as_ref())),
        ("Total loss", package.total_loss_pence.to_string()),
        ("Offences", offences),
        ("Subjects", package.subjects.len().to_string()),
        ("Vehicles", package.vehicles.len().to_string()),
        ("Stores", package.stores.len().to_string()),
        ("Reporting retailers", if retailers.is_empty() { "none".to_owned() } else { retailers.join(", ") }),
    ];
    write!(
        out,
        "<div class=\"summary\">\n<div class=\"priority {}\"><span>Priority</span><strong>{}</strong></div>\n<dl class=\"facts\">\n",
        band_class(&package.score.priority_band),
        escape(or_missing(&package.score.priority_band, "not scored"))
    )?;
    for (term, value) in facts {
        writeln!(out, "<div><dt>{term}</dt><dd>{}</dd></div>", escape(&value))?;
    }
    out.push_str("</dl>\n</div>\n</header>\n");
    Ok(())
}

/// The CSS class of a `low` / `medium` / `high` band (anything else is unbanded).
pub(crate) fn band_class(band: &str) -> &'static str {
    match band.trim() {
        "high" => "band-high",
        "medium" => "band-medium",
        "low" => "band-low",
        _ => "band-none",
    }
}

/// `text`, or `missing` when it is blank.
pub(crate) fn or_missing<'a>(text: &'a str, missing: &'a str) -> &'a str {
    if text.trim().is_empty() { missing } else { text }
}

fn changes_section(out: &mut String, package: &IntelligencePackage, changes: &[String]) -> fmt::Result {
    if changes.is_empty() {
        return Ok(());
    }
    let heading = match package.version {
        0 | 1 => "Changes since the previous version".to_owned(),
        v => format!("Changes since version {}", v - 1),
    };
    write!(out, "<section class=\"changes keep\">\n<h2>{heading}</h2>\n<ul>\n")?;
    for change in changes {
        writeln!(out, "<li>{}</li>", escape(change))?;
    }
    out.push_str("</ul>\n</section>\n");
    Ok(())
}

fn list_section(out: &mut String, id: &str, heading: &str, items: &[String], tag: &str, none: &str) -> fmt::Result {
    write!(out, "<section id=\"{id}\">\n<h2>{heading}</h2>\n")?;
    if items.is_empty() {
        write!(out, "<p class=\"empty\">{none}</p>\n</section>\n")?;
        return Ok(());
    }
    writeln!(out, "<{tag} class=\"items\">")?;
    for item in items {
        writeln!(out, "<li>{}</li>", escape(item))?;
    }
    write!(out, "</{tag}>\n</section>\n")
}

/// The grade explained, handling conditions, provenance and the legal footing, at the end.
fn handling_section(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    let grade = &package.grade;
    write!(
        out,
        "<section id=\"handling\" class=\"keep\">\n<h2>Handling and provenance</h2>\n<dl class=\"facts compact\">\n\
         <div><dt>Security marking</dt><dd>{}</dd></div>\n<div><dt>Grade</dt><dd>{} ({})</dd></div>\n",
        escape(marking(package)),
        escape(&grade_code(grade)),
        escape(&grade_meaning(grade))
    )?;
    if !grade.conditions.is_empty() {
        let conditions: Vec<String> = grade.conditions.iter().map(|c| escape(c).to_string()).collect();
        writeln!(out, "<div><dt>Handling conditions</dt><dd>{}</dd></div>", conditions.join("; "))?;
    }
    let provenance = &package.provenance;
    let rows = [
        ("Produced by", provenance.source.as_str()),
        ("Lawful basis", provenance.lawful_basis.as_str()),
        ("Sharing agreement", provenance.sharing_agreement.as_str()),
    ];
    for (term, value) in rows.into_iter().filter(|(_, v)| !v.trim().is_empty()) {
        writeln!(out, "<div><dt>{term}</dt><dd>{}</dd></div>", escape(value))?;
    }
    write!(
        out,
        "</dl>\n<p class=\"note\">{} Records are cited by incident id and police crime reference; the evidence \
         itself (CCTV, body-worn video, statements) stays with the retailer and is requested through the references \
         given. Subjects' identities are assessments from matched sightings unless marked as fact.</p>\n</section>\n",
        escape(&handling_line(package))
    )
}
