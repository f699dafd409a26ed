//! The package's tables: the score's factors, subjects, vehicles, the offences schedule, outcomes
//! and the stores beside the map. Every value from the package is escaped; empty fields say so.

use super::map::MapStore;
use super::{band_class, escape, force_name, or_missing};
use orca_model::package::{Assertion, IntelligencePackage, Offence, PackageStore};
use orca_model::{EventType, EvidenceKind, ModusOperandi, PersonId, VehicleId};
use std::collections::BTreeMap;
use std::fmt::{self, Write};

/// How many hex digits of an evidence hash are printed (enough to check a copy against).
const SHORT_HASH: usize = 12;

pub(super) fn score(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    let score = &package.score;
    writeln!(out, "<section id=\"score\">\n<h2>Priority assessment</h2>")?;
    writeln!(
        out,
        "<p><span class=\"badge {}\">{}</span> <span class=\"note\">Rule: {}</span></p>",
        band_class(&score.priority_band),
        escape(or_missing(&score.priority_band, "not scored")),
        escape(or_missing(&score.rule, "not stated"))
    )?;
    if score.factors.is_empty() {
        return writeln!(out, "<p class=\"empty\">No score factors.</p>\n</section>");
    }
    out.push_str(
        "<table class=\"data\"><thead><tr><th>Factor</th><th class=\"num\">Value</th><th>Band</th>\
         <th>Evidence</th></tr></thead>\n<tbody>\n",
    );
    for factor in &score.factors {
        write!(
            out,
            "<tr><td><strong>{}</strong></td><td class=\"num\">{}</td><td><span class=\"badge {}\">{}</span></td><td>",
            escape(&factor.name),
            number(factor.value),
            band_class(&factor.band),
            escape(or_missing(&factor.band, "none"))
        )?;
        lines(out, &factor.evidence)?;
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
    report_notices(out, package)
}

/// Reports that left the package: withdrawn by the retailer, or corrected so that they no longer
/// name its subjects. Nothing when there are none.
fn report_notices(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    if package.report_notices.is_empty() {
        return Ok(());
    }
    out.push_str(
        "<section id=\"report-notices\" class=\"keep\">\n<h2>Reports withdrawn or corrected</h2>\n\
         <p class=\"note\">These reports were part of earlier versions and are no longer relied on here.</p>\n<ul>\n",
    );
    for notice in &package.report_notices {
        let what = if notice.disposed {
            "disposed of under the retention schedule".to_owned()
        } else if notice.withdrawn {
            "withdrawn by the retailer".to_owned()
        } else {
            format!("corrected by the retailer (revision {}); it no longer names these subjects", notice.revision)
        };
        writeln!(
            out,
            "<li><span class=\"mono\">{}</span>: {what}: {}</li>",
            escape(notice.incident_id.as_str()),
            escape(or_missing(&notice.reason, "no reason given"))
        )?;
    }
    out.push_str("</ul>\n</section>\n");
    Ok(())
}

pub(super) fn subjects(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"subjects\">\n<h2>Subjects</h2>")?;
    if package.subjects.is_empty() {
        return writeln!(out, "<p class=\"empty\">No subjects.</p>\n</section>");
    }
    out.push_str(
        "<table class=\"data\"><thead><tr><th>Person</th><th>Name</th><th>Date of birth</th><th>Aliases</th>\
         <th>Role</th><th class=\"num\">Match</th><th class=\"num\">Incidents</th><th>Marker codes</th></tr></thead>\n<tbody>\n",
    );
    for subject in &package.subjects {
        let basis = match subject.assertion {
            Assertion::Fact => "fact",
            Assertion::Assessment => "assessment",
        };
        writeln!(
            out,
            "<tr><td class=\"mono nowrap\">{}</td><td>{}</td><td class=\"nowrap\">{}</td><td>{}</td>\
             <td>{}<div class=\"small\">{basis}</div></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"mono\">{}</td></tr>",
            escape(subject.person_id.as_str()),
            or_unknown(&subject.display_name, "unnamed"),
            or_unknown(&subject.date_of_birth, "unknown"),
            joined(&subject.aliases, "none"),
            or_unknown(&subject.role, "not stated"),
            percent(subject.match_confidence),
            subject.incident_count,
            joined(&subject.marker_codes, "none"),
        )?;
    }
    out.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

pub(super) fn vehicles(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"vehicles\">\n<h2>Vehicles</h2>")?;
    if package.vehicles.is_empty() {
        return writeln!(out, "<p class=\"empty\">No vehicles.</p>\n</section>");
    }
    out.push_str(
        "<table class=\"data\"><thead><tr><th>Vehicle</th><th>VRM</th><th>Make</th><th>Model</th><th>Colour</th>\
         <th class=\"num\">Sightings</th><th>Flags</th></tr></thead>\n<tbody>\n",
    );
    for vehicle in &package.vehicles {
        let mut flags = String::new();
        if vehicle.cloned_plate_suspected {
            flags.push_str("<span class=\"tag tag-warn\">cloned plate suspected</span> ");
        }
        if vehicle.false_plate_suspected {
            flags.push_str("<span class=\"tag tag-warn\">false plate reported</span>");
        }
        if flags.is_empty() {
            flags.push_str("<span class=\"unknown\">none</span>");
        }
        writeln!(
            out,
            "<tr><td class=\"mono nowrap\">{}</td><td class=\"mono nowrap\"><strong>{}</strong></td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"num\">{}</td><td>{flags}</td></tr>",
            escape(vehicle.vehicle_id.as_str()),
            or_unknown(&vehicle.vrm, "no plate read"),
            or_unknown(&vehicle.make, "unknown"),
            or_unknown(&vehicle.model, "unknown"),
            or_unknown(&vehicle.colour, "unknown"),
            vehicle.sighting_count,
        )?;
    }
    out.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

/// The offences in time order (then by incident id, so ties print the same way every time).
pub(super) fn sorted_offences(package: &IntelligencePackage) -> Vec<&Offence> {
    let mut offences: Vec<&Offence> = package.offences.iter().collect();
    offences.sort_by(|a, b| (a.occurred_at, &a.incident_id).cmp(&(b.occurred_at, &b.incident_id)));
    offences
}

pub(super) fn offences(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    writeln!(out, "<section id=\"offences\">\n<h2>Offences schedule</h2>")?;
    if package.offences.is_empty() {
        return writeln!(out, "<p class=\"empty\">No offences.</p>\n</section>");
    }
    if package.offences.iter().any(|o| o.outside_group) {
        out.push_str(
            "<p class=\"note\"><span class=\"tag tag-outside\">member alone / outside group</span> \
             committed by a member without the group (alone, or only with people outside it); the group's score and \
             corridor rest on its joint offending only.</p>\n",
        );
    }
    out.push_str(
        "<table class=\"data offences\"><colgroup><col style=\"width:9%\"><col style=\"width:18%\">\
         <col style=\"width:18%\"><col style=\"width:16%\"><col style=\"width:20%\"><col style=\"width:19%\">\
         </colgroup><thead><tr><th>When (UTC)</th><th>Incident / crime ref</th><th>Force / store</th>\
         <th>Offence / value / modus operandi</th><th>Evidence</th><th>Persons / vehicles</th></tr></thead>\n<tbody>\n",
    );
    for offence in sorted_offences(package) {
        offence_row(out, package, offence)?;
    }
    out.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

fn offence_row(out: &mut String, package: &IntelligencePackage, offence: &Offence) -> fmt::Result {
    let class = if offence.outside_group { " class=\"outside\"" } else { "" };
    let outside =
        if offence.outside_group { "<span class=\"tag tag-outside\">member alone / outside group</span>" } else { "" };
    let crime_ref = if offence.police_crime_ref.trim().is_empty() {
        "<span class=\"unknown\">none</span>".to_owned()
    } else {
        escape(&offence.police_crime_ref).to_string()
    };
    let store = match store_of(package, offence) {
        Some(store) => format!(
            "{}<div class=\"small\">{}</div>",
            or_unknown(&store.name, store.store.as_str()),
            escape(&format!("{} · {}", or_missing(&store.postcode, "no postcode"), offence.retailer))
        ),
        None => format!("<span class=\"mono\">{}</span>", escape(offence.store.as_str())),
    };
    let corrected = if offence.revision > 1 {
        format!(
            "<div class=\"small\"><span class=\"tag\">corrected</span> revision {}: {}</div>",
            offence.revision,
            escape(or_missing(&offence.correction_reason, "no reason given"))
        )
    } else {
        String::new()
    };
    let modus_operandi = if offence.modus_operandi.is_empty() {
        "<span class=\"unknown\">no modus operandi recorded</span>".to_owned()
    } else {
        offence.modus_operandi.iter().map(|m| mo_label(*m)).collect::<Vec<_>>().join(", ")
    };
    write!(
        out,
        "<tr{class}><td>{}<div>{}</div></td><td><span class=\"mono\">{}</span><div class=\"small\">crime ref \
         {crime_ref}</div>{corrected}{outside}</td><td><strong>{}</strong><div>{store}</div></td><td><strong>{}</strong> · {}\
         <div class=\"small\">{modus_operandi}</div></td><td>",
        offence.occurred_at.format("%d %b %Y"),
        offence.occurred_at.format("%H:%M"),
        escape(offence.incident_id.as_str()),
        escape(force_name(&offence.force)),
        event_label(offence.event_type),
        escape(&offence.value_pence.to_string()),
    )?;
    if offence.evidence.is_empty() {
        out.push_str("<span class=\"unknown\">none</span>");
    }
    for evidence in &offence.evidence {
        let hash: String = evidence.sha256.chars().take(SHORT_HASH).collect();
        let hash = if hash.is_empty() { "no hash".to_owned() } else { format!("sha256 {hash}…") };
        write!(
            out,
            "<div>{} <span class=\"mono\">{}</span><div class=\"small mono\">{}</div></div>",
            evidence_label(evidence.kind),
            escape(or_missing(&evidence.reference, "no reference")),
            escape(&hash)
        )?;
    }
    out.push_str("</td><td>");
    people_and_vehicles(out, package, &offence.person_ids, &offence.vehicle_ids)?;
    out.push_str("</td></tr>\n");
    Ok(())
}

fn people_and_vehicles(
    out: &mut String,
    package: &IntelligencePackage,
    persons: &[PersonId],
    vehicles: &[VehicleId],
) -> fmt::Result {
    for person in persons {
        write!(out, "<div><span class=\"mono\">{}</span>", escape(person.as_str()))?;
        if let Some(name) = subject_name(package, person.as_str()) {
            write!(out, " {}", escape(name))?;
        }
        out.push_str("</div>");
    }
    for vehicle in vehicles {
        write!(out, "<div><span class=\"mono\">{}</span>", escape(vehicle.as_str()))?;
        if let Some(v) = package.vehicles.iter().find(|v| &v.vehicle_id == vehicle) {
            write!(out, " <strong class=\"mono\">{}</strong>", or_unknown(&v.vrm, "no plate read"))?;
        }
        out.push_str("</div>");
    }
    if persons.is_empty() && vehicles.is_empty() {
        out.push_str("<span class=\"unknown\">none</span>");
    }
    Ok(())
}

pub(super) fn outcomes(out: &mut String, package: &IntelligencePackage) -> fmt::Result {
    if package.outcomes.is_empty() {
        return Ok(());
    }
    out.push_str(
        "<section id=\"outcomes\">\n<h2>Outcomes recorded</h2>\n<table class=\"data\"><thead><tr><th>Date</th>\
         <th>Outcome</th><th>Person</th><th>Force</th><th>Force reference</th><th>Notes</th></tr></thead>\n<tbody>\n",
    );
    for outcome in &package.outcomes {
        let name = subject_name(package, outcome.person_id.as_str())
            .map(|name| format!(" {}", escape(name)))
            .unwrap_or_default();
        writeln!(
            out,
            "<tr><td class=\"nowrap\">{}</td><td><strong>{}</strong></td><td><span class=\"mono\">{}</span>{name}</td>\
             <td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
            outcome.date.format("%d %b %Y"),
            escape(&outcome.kind.as_str().replace('-', " ")),
            escape(outcome.person_id.as_str()),
            escape(force_name(&outcome.force)),
            or_unknown(&outcome.force_reference, "none"),
            or_unknown(&outcome.notes, "none"),
        )?;
    }
    out.push_str("</tbody></table>\n</section>\n");
    Ok(())
}

/// The stores beneath the maps, numbered as on the detail map: where, which force, how many
/// offences, and whether it could be drawn.
pub(super) fn stores(out: &mut String, stores: &[MapStore<'_>]) -> fmt::Result {
    out.push_str("<h3>Stores</h3>\n");
    if stores.is_empty() {
        return writeln!(out, "<p class=\"empty\">No stores recorded.</p>");
    }
    out.push_str(
        "<table class=\"data\"><thead><tr><th class=\"num\">No.</th><th>Store</th><th>Postcode</th><th>Force</th>\
         <th class=\"num\">Offences</th></tr></thead>\n<tbody>\n",
    );
    for MapStore { number, store, offences, plotted } in stores {
        let position = if *plotted { "" } else { " · <strong>no position: not on the map</strong>" };
        writeln!(
            out,
            "<tr><td class=\"num\">{number}</td><td>{}<div class=\"small\"><span class=\"mono\">{}</span>{position}</div></td>\
             <td class=\"nowrap\">{}</td><td>{}</td><td class=\"num\">{offences}</td></tr>",
            or_unknown(&store.name, store.store.as_str()),
            escape(store.store.as_str()),
            or_unknown(&store.postcode, "unknown"),
            escape(force_name(&store.force)),
        )?;
    }
    out.push_str("</tbody></table>\n");
    Ok(())
}

/// Offences per store id.
pub(super) fn offences_per_store(package: &IntelligencePackage) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for offence in &package.offences {
        *counts.entry(offence.store.as_str()).or_insert(0) += 1;
    }
    counts
}

fn store_of<'a>(package: &'a IntelligencePackage, offence: &Offence) -> Option<&'a PackageStore> {
    package.stores.iter().find(|s| s.store == offence.store)
}

/// A subject's display name, when it has one.
pub(super) fn subject_name<'a>(package: &'a IntelligencePackage, person: &str) -> Option<&'a str> {
    package
        .subjects
        .iter()
        .find(|s| s.person_id.as_str() == person)
        .map(|s| s.display_name.trim())
        .filter(|name| !name.is_empty())
}

/// Escaped text, or `missing` in grey italics when it is blank.
fn or_unknown(text: &str, missing: &str) -> String {
    if text.trim().is_empty() {
        format!("<span class=\"unknown\">{}</span>", escape(missing))
    } else {
        escape(text).to_string()
    }
}

fn joined(items: &[String], none: &str) -> String {
    let items: Vec<String> = items.iter().filter(|i| !i.trim().is_empty()).map(|i| escape(i).to_string()).collect();
    if items.is_empty() { format!("<span class=\"unknown\">{none}</span>") } else { items.join(", ") }
}

fn lines(out: &mut String, items: &[String]) -> fmt::Result {
    match items {
        [] => out.push_str("<span class=\"unknown\">none stated</span>"),
        [one] => write!(out, "{}", escape(one))?,
        many => {
            out.push_str("<ul>");
            for item in many {
                write!(out, "<li>{}</li>", escape(item))?;
            }
            out.push_str("</ul>");
        }
    }
    Ok(())
}

/// `97%`; a value outside 0..1 is clamped, a missing one is a dash.
fn percent(probability: f64) -> String {
    if probability.is_finite() { format!("{:.0}%", probability.clamp(0.0, 1.0) * 100.0) } else { "–".to_owned() }
}

/// A factor's value: whole numbers without decimals, others to two places.
fn number(value: f64) -> String {
    if !value.is_finite() {
        "–".to_owned()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

pub(super) fn event_label(event: EventType) -> &'static str {
    match event {
        EventType::Unspecified => "unspecified",
        EventType::Shoplifting => "shoplifting",
        EventType::Robbery => "robbery",
        EventType::Violence => "violence",
        EventType::Abuse => "abuse",
        EventType::Threats => "threats",
        EventType::Fraud => "fraud",
        EventType::CriminalDamage => "criminal damage",
        EventType::MakingOffWithoutPayment => "making off without payment",
    }
}

fn mo_label(mo: ModusOperandi) -> &'static str {
    match mo {
        ModusOperandi::StealToOrder => "steal to order",
        ModusOperandi::GrabAndGo => "grab and go",
        ModusOperandi::TeamWithLookouts => "team with lookouts",
        ModusOperandi::MultipleStoresOneDay => "several stores in one day",
        ModusOperandi::VehicleFalsePlates => "vehicle on false plates",
        ModusOperandi::Distraction => "distraction",
        ModusOperandi::LinedBag => "lined bag",
        ModusOperandi::TagRemoval => "tag removal",
        ModusOperandi::SelfCheckoutFraud => "self-checkout fraud",
        ModusOperandi::RefundFraud => "refund fraud",
        ModusOperandi::TrolleyWalkOut => "trolley walk-out",
        ModusOperandi::ThreatsWithWeapon => "threats with a weapon",
    }
}

fn evidence_label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Unspecified => "Evidence",
        EvidenceKind::Cctv => "CCTV",
        EvidenceKind::BodyWorn => "Body-worn video",
        EvidenceKind::Photo => "Photo",
        EvidenceKind::Document => "Document",
        EvidenceKind::TillRecord => "Till record",
    }
}
