//! Index documents for persons, vehicles, incidents and groups, and the card each stores: what a
//! search hit shows and the texts its highlights are cut from.

use crate::schema::{Fields, key, kinds};
use chrono::{DateTime, Utc};
use orca_explore::analysis::{
    date_terms, name_words, nickname_keys, normalise_marker, normalise_plate, phonetic_codes, plate_skeleton,
    swapped_date,
};
use orca_explore::{PersonProfile, VehicleProfile};
use orca_model::package::IntelligencePackage;
use orca_model::{Incident, PartialDate};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::tokenizer::{PreTokenizedString, Token};

/// What a hit shows, and the texts that can be highlighted (by how they match).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub title: String,
    pub subtitle: String,
    pub forces: Vec<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Names and aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plates: Vec<String>,
    /// `(field, text)`: narrative, goods, marks, description.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<(String, String)>,
    /// `(field, code)`: dates of birth, marker codes, crime references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<(String, String)>,
}

/// Adds the words of names (pre-tokenised, so index and query agree) with their sound-alike codes
/// and nickname groups.
fn add_names<'a>(doc: &mut TantivyDocument, fields: &Fields, names: impl IntoIterator<Item = &'a String>) {
    let mut tokens = Vec::new();
    let mut text = String::new();
    for name in names {
        // A gap between names stops a phrase spanning two of them.
        let position = tokens.last().map_or(0, |t: &Token| t.position + 10);
        for (i, word) in name_words(name).into_iter().enumerate() {
            for code in phonetic_codes(&word) {
                doc.add_text(fields.name_sound, &code);
            }
            for nickname in nickname_keys(&word) {
                doc.add_text(fields.nickname, &nickname);
            }
            tokens.push(Token {
                offset_from: text.len(),
                offset_to: text.len() + word.len(),
                position: position + i,
                text: word.clone(),
                position_length: 1,
            });
            text.push_str(&word);
            text.push(' ');
        }
    }
    if !tokens.is_empty() {
        doc.add_pre_tokenized_text(fields.name, PreTokenizedString { text, tokens });
    }
}

fn add_dates(doc: &mut TantivyDocument, fields: &Fields, dates: &[String]) {
    for date in dates.iter().filter_map(|d| PartialDate::parse(d).ok()) {
        for term in date_terms(&date) {
            doc.add_text(fields.dob, term);
        }
        if let Some(swapped) = swapped_date(&date) {
            doc.add_text(fields.dob_swapped, swapped);
        }
    }
}

fn add_plates<'a>(doc: &mut TantivyDocument, fields: &Fields, plates: impl IntoIterator<Item = &'a String>) {
    for plate in plates {
        let plate = normalise_plate(plate);
        if plate.is_empty() {
            continue;
        }
        if !plate.contains(['?', '*']) {
            doc.add_text(fields.vrm_skeleton, plate_skeleton(&plate));
        }
        doc.add_text(fields.vrm, plate);
    }
}

fn add_reach(doc: &mut TantivyDocument, fields: &Fields, card: &Card, incidents: u32) {
    for force in &card.forces {
        doc.add_text(fields.force, force);
    }
    if let Some(first) = card.first_seen {
        doc.add_i64(fields.first_seen, first.timestamp());
    }
    if let Some(last) = card.last_seen {
        doc.add_i64(fields.last_seen, last.timestamp());
    }
    doc.add_f64(fields.weight, (1.0 + f64::from(incidents)).log2());
}

fn base(fields: &Fields, kind: &str, id: &str, card: &Card) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.key, key(kind, id));
    doc.add_text(fields.kind, kind);
    doc.add_text(fields.id, id);
    doc.add_text(fields.card, serde_json::to_string(card).expect("cards serialise"));
    doc
}

pub fn person(fields: &Fields, profile: &PersonProfile) -> TantivyDocument {
    let born = profile.dates_of_birth.first().map(|d| format!(", born {d}")).unwrap_or_default();
    let card = Card {
        title: profile.label.clone(),
        subtitle: format!("{} incident{}{born}", profile.incidents, if profile.incidents == 1 { "" } else { "s" }),
        forces: profile.forces.clone(),
        first_seen: profile.first_seen,
        last_seen: profile.last_seen,
        names: profile.names.iter().chain(&profile.aliases).cloned().collect(),
        plates: Vec::new(),
        texts: profile.marks.iter().map(|m| ("marks".to_owned(), m.clone())).collect(),
        codes: (profile.dates_of_birth.iter().map(|d| ("date_of_birth".to_owned(), d.clone())))
            .chain(profile.marker_codes.iter().map(|c| ("marker_code".to_owned(), c.clone())))
            .collect(),
    };
    let mut doc = base(fields, kinds::PERSON, &profile.id, &card);
    add_names(&mut doc, fields, profile.names.iter().chain(&profile.aliases));
    add_dates(&mut doc, fields, &profile.dates_of_birth);
    doc.add_text(fields.marks, profile.marks.join(". "));
    for code in &profile.marker_codes {
        doc.add_text(fields.marker, code);
    }
    for retailer in &profile.retailers {
        doc.add_text(fields.retailer, retailer);
    }
    add_reach(&mut doc, fields, &card, profile.incidents);
    doc
}

pub fn vehicle(fields: &Fields, profile: &VehicleProfile) -> TantivyDocument {
    let description: Vec<String> = [&profile.colours, &profile.makes, &profile.models]
        .iter()
        .filter_map(|values| values.first().cloned())
        .collect();
    let card = Card {
        title: profile.label.clone(),
        subtitle: format!("{} incidents, {} persons seen with it", profile.incidents, profile.persons),
        forces: profile.forces.clone(),
        first_seen: profile.first_seen,
        last_seen: profile.last_seen,
        plates: profile.vrms.iter().chain(&profile.partial_reads).cloned().collect(),
        texts: vec![("description".to_owned(), description.join(" "))],
        ..Card::default()
    };
    let mut doc = base(fields, kinds::VEHICLE, &profile.id, &card);
    add_plates(&mut doc, fields, profile.vrms.iter().chain(&profile.partial_reads));
    let text: Vec<&String> = profile.makes.iter().chain(&profile.models).chain(&profile.colours).collect();
    doc.add_text(fields.vehicle_text, text.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "));
    add_reach(&mut doc, fields, &card, profile.incidents);
    doc
}

/// An incident from its report; `payload` is the encoded resolution it is kept as.
pub fn incident(fields: &Fields, report: &Incident, payload: &[u8]) -> TantivyDocument {
    let offenders: Vec<String> = (report.persons.iter())
        .filter(|p| p.role.is_offending())
        .flat_map(|p| {
            std::iter::once(format!("{} {}", p.given_names.trim(), p.family_name.trim())).chain(p.aliases.clone())
        })
        .filter(|n| !n.trim().is_empty())
        .collect();
    let plates: Vec<String> = (report.vehicles.iter())
        .map(|v| if v.vrm.is_empty() { v.vrm_raw.clone() } else { v.vrm.clone() })
        .filter(|p| !p.is_empty())
        .collect();
    let goods: Vec<String> = (report.line_items.iter())
        .map(|l| format!("{} x {} ({})", l.quantity, l.description.trim(), l.category.trim()))
        .collect();
    let methods: Vec<String> = report.modus_operandi.iter().map(|m| format!("{m:?}")).collect();
    let at = report.occurred_at();
    let event = event_type_term(report.event_type);
    let card = Card {
        title: format!("{} {event} at {} ({})", at.format("%Y-%m-%d %H:%M"), report.store, report.retailer),
        subtitle: format!(
            "{}, £{}.{:02}, {} offender{}, {} vehicle{}{}",
            report.force,
            report.total_value().get() / 100,
            (report.total_value().get() % 100).abs(),
            offenders.len(),
            if offenders.len() == 1 { "" } else { "s" },
            plates.len(),
            if plates.len() == 1 { "" } else { "s" },
            if report.police_crime_ref.is_empty() { String::new() } else { format!(", {}", report.police_crime_ref) },
        ),
        forces: vec![report.force.to_string()],
        first_seen: Some(at),
        last_seen: Some(at),
        names: offenders.clone(),
        plates: plates.clone(),
        texts: [
            ("narrative", report.narrative.clone()),
            ("goods", goods.join("; ")),
            ("modus_operandi", methods.join(", ")),
        ]
        .into_iter()
        .filter(|(_, t)| !t.is_empty())
        .map(|(f, t)| (f.to_owned(), t))
        .collect(),
        codes: Some(("crime_ref".to_owned(), report.police_crime_ref.clone()))
            .into_iter()
            .filter(|(_, c)| !c.is_empty())
            .collect(),
    };
    let mut doc = base(fields, kinds::INCIDENT, report.id.as_str(), &card);
    doc.add_bytes(fields.payload, payload);
    add_names(&mut doc, fields, &offenders);
    add_plates(&mut doc, fields, &plates);
    let text = [report.narrative.as_str(), &goods.join(". "), &methods.join(" "), report.store.as_str()].join(". ");
    doc.add_text(fields.text, text);
    if !report.police_crime_ref.is_empty() {
        doc.add_text(fields.reference, report.police_crime_ref.to_uppercase().replace(' ', ""));
    }
    doc.add_text(fields.retailer, report.retailer.as_str());
    doc.add_text(fields.event_type, &event);
    for person in report.persons.iter().filter(|p| p.role.is_offending()) {
        if let Some(code) = &person.marker_code {
            doc.add_text(fields.marker, normalise_marker(code));
        }
    }
    add_reach(&mut doc, fields, &card, 1);
    doc
}

/// A group from its last active package; `state` says whether it is still active and what became
/// of it.
pub fn group(fields: &Fields, package: &IntelligencePackage, state: &GroupState, payload: &[u8]) -> TantivyDocument {
    let names: Vec<String> = (package.subjects.iter())
        .flat_map(|s| std::iter::once(s.display_name.clone()).chain(s.aliases.clone()))
        .filter(|n| !n.trim().is_empty())
        .collect();
    let plates: Vec<String> = package.vehicles.iter().map(|v| v.vrm.clone()).filter(|v| !v.is_empty()).collect();
    let mut forces: Vec<String> = (std::iter::once(&package.lead_force))
        .chain(&package.affected_forces)
        .chain(&package.corridor)
        .map(ToString::to_string)
        .collect();
    forces.sort();
    forces.dedup();
    let status = if state.active { String::new() } else { " (no longer active)".to_owned() };
    let card = Card {
        title: format!("{}{status}", package.title.trim_start_matches("Withdrawn: ")),
        subtitle: format!(
            "{} members, {} incidents, {} priority, corridor {}",
            package.subjects.len(),
            package.offences.len(),
            package.score.priority_band,
            package.corridor.iter().map(ToString::to_string).collect::<Vec<_>>().join(" → ")
        ),
        forces,
        first_seen: package.first_seen,
        last_seen: package.last_seen,
        names: names.clone(),
        plates: plates.clone(),
        ..Card::default()
    };
    let mut doc = base(fields, kinds::GROUP, &package.subject_id, &card);
    doc.add_bytes(fields.payload, payload);
    doc.add_text(fields.state, serde_json::to_string(state).expect("group state serialises"));
    add_names(&mut doc, fields, &names);
    add_plates(&mut doc, fields, &plates);
    doc.add_text(fields.text, &package.title);
    for retailer in &package.retailers {
        doc.add_text(fields.retailer, retailer.as_str());
    }
    add_reach(&mut doc, fields, &card, package.offences.len() as u32);
    doc
}

/// How an event type is indexed (`shoplifting`, `makingoffwithoutpayment`), for filters.
pub fn event_type_term(event_type: orca_model::EventType) -> String {
    format!("{event_type:?}").to_lowercase()
}

/// A group's standing, kept beside its last active package.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupState {
    pub version: u32,
    pub active: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub withdrawn_reason: String,
}
