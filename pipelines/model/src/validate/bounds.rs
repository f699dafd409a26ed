//! Bounds on what one report may hold, so no report can cost the pipeline more than a real one:
//! text lengths (names are compared with Jaro-Winkler, quadratic in length: two 80,000-character
//! names cost the resolver seven seconds), list sizes, dates, and characters that could change how
//! text reads where a person sees it (control characters, terminal escapes, bidirectional
//! overrides).
//!
//! The limits are set well above what real reports carry (the longest British name on record is
//! under 100 characters; a shop's report names a handful of people and vehicles) and are part of
//! the feed specification.

use crate::incident::Incident;
use crate::problem::{Problems, codes};
use chrono::{DateTime, TimeZone, Utc};

/// Longest name or alias, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest short description: a distinguishing mark, goods' description or category, an evidence
/// reference or description, clothing.
pub const MAX_SHORT_TEXT_CHARS: usize = 500;
/// Longest code: a plate as read, make, model, colour, country, marker code, crime reference,
/// provenance fields.
pub const MAX_CODE_CHARS: usize = 64;
/// Most persons in one report.
pub const MAX_PERSONS: usize = 50;
/// Most vehicles in one report.
pub const MAX_VEHICLES: usize = 20;
/// Most goods lines in one report.
pub const MAX_LINE_ITEMS: usize = 500;
/// Most evidence references in one report.
pub const MAX_EVIDENCE: usize = 100;
/// Most aliases, or distinguishing marks, of one person.
pub const MAX_PER_PERSON: usize = 20;

/// The earliest time a report may name: nothing ORCA holds happened before 1900.
pub fn earliest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).single().expect("a valid date")
}

/// Adds a problem for every bound `incident` exceeds.
pub fn check(incident: &Incident, problems: &mut Problems) {
    let mut text = |field: String, value: &str, max: usize, multiline: bool| {
        if value.chars().count() > max {
            problems.push(field.clone(), codes::TOO_LONG, format!("longer than {max} characters"));
        }
        if let Some(c) = value.chars().find(|&c| unreadable(c, multiline)) {
            problems.push(
                field,
                codes::CONTROL_CHARACTER,
                format!("contains the control character U+{:04X}", c as u32),
            );
        }
    };
    text("retailer_ref".into(), &incident.retailer_ref, usize::MAX, false);
    text("narrative".into(), &incident.narrative, usize::MAX, true);
    text("police_crime_ref".into(), &incident.police_crime_ref, MAX_CODE_CHARS, false);
    for (i, item) in incident.line_items.iter().enumerate() {
        text(format!("line_items[{i}].description"), &item.description, MAX_SHORT_TEXT_CHARS, false);
        text(format!("line_items[{i}].category"), &item.category, MAX_CODE_CHARS, false);
    }
    for (i, evidence) in incident.evidence.iter().enumerate() {
        text(format!("evidence[{i}].reference"), &evidence.reference, MAX_SHORT_TEXT_CHARS, false);
        text(format!("evidence[{i}].description"), &evidence.description, MAX_SHORT_TEXT_CHARS, false);
    }
    for (i, person) in incident.persons.iter().enumerate() {
        let field = |name: &str| format!("persons[{i}].{name}");
        text(field("given_names"), &person.given_names, MAX_NAME_CHARS, false);
        text(field("family_name"), &person.family_name, MAX_NAME_CHARS, false);
        for (j, alias) in person.aliases.iter().enumerate() {
            text(field(&format!("aliases[{j}]")), alias, MAX_NAME_CHARS, false);
        }
        for (j, mark) in person.distinguishing_marks.iter().enumerate() {
            text(field(&format!("distinguishing_marks[{j}]")), mark, MAX_SHORT_TEXT_CHARS, false);
        }
        text(field("clothing"), &person.clothing, MAX_SHORT_TEXT_CHARS, false);
        text(field("marker_code"), person.marker_code.as_deref().unwrap_or(""), MAX_CODE_CHARS, false);
    }
    for (i, vehicle) in incident.vehicles.iter().enumerate() {
        for (name, value) in [
            ("vrm_raw", &vehicle.vrm_raw),
            ("make", &vehicle.make),
            ("model", &vehicle.model),
            ("colour", &vehicle.colour),
            ("country", &vehicle.country),
        ] {
            text(format!("vehicles[{i}].{name}"), value, MAX_CODE_CHARS, false);
        }
    }
    let provenance = &incident.provenance;
    for (name, value) in [
        ("source", &provenance.source),
        ("channel", &provenance.channel),
        ("submitted_by", &provenance.submitted_by),
        ("lawful_basis", &provenance.lawful_basis),
        ("sharing_agreement", &provenance.sharing_agreement),
        ("produced_by", &provenance.produced_by),
    ] {
        text(format!("provenance.{name}"), value, MAX_CODE_CHARS * 2, false);
    }
    check_counts(incident, problems);
    check_dates(incident, problems);
}

fn check_counts(incident: &Incident, problems: &mut Problems) {
    let mut count = |field: String, n: usize, max: usize, what: &str| {
        if n > max {
            problems.push(field, codes::TOO_MANY, format!("{n} {what}; at most {max} in one report"));
        }
    };
    count("persons".into(), incident.persons.len(), MAX_PERSONS, "persons");
    count("vehicles".into(), incident.vehicles.len(), MAX_VEHICLES, "vehicles");
    count("line_items".into(), incident.line_items.len(), MAX_LINE_ITEMS, "goods lines");
    count("evidence".into(), incident.evidence.len(), MAX_EVIDENCE, "evidence references");
    for (i, person) in incident.persons.iter().enumerate() {
        count(format!("persons[{i}].aliases"), person.aliases.len(), MAX_PER_PERSON, "aliases");
        let marks = person.distinguishing_marks.len();
        count(format!("persons[{i}].distinguishing_marks"), marks, MAX_PER_PERSON, "marks");
    }
}

fn check_dates(incident: &Incident, problems: &mut Problems) {
    let earliest = earliest();
    let times = [
        ("occurred_from", incident.occurred_from),
        ("occurred_to", incident.occurred_to),
        ("reported_at", incident.reported_at),
    ];
    let evidence = incident.evidence.iter().enumerate().map(|(i, e)| (i, e.captured_at));
    for (field, time) in times
        .into_iter()
        .map(|(f, t)| (f.to_owned(), t))
        .chain(evidence.map(|(i, t)| (format!("evidence[{i}].captured_at"), t)))
    {
        if let Some(time) = time
            && time < earliest
        {
            problems.push(field, codes::IMPLAUSIBLE, format!("{time} is before 1900"));
        }
    }
}

/// Characters refused in text a person will read: control characters (a newline or tab is allowed
/// in multi-line text) and the bidirectional controls that can make text read differently from what
/// it is.
fn unreadable(c: char, multiline: bool) -> bool {
    if multiline && matches!(c, '\n' | '\r' | '\t') {
        return false;
    }
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}
