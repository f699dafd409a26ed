//! The rules a submitted incident must pass, and the normalisation ingest applies to it.
//!
//! [`validate_and_normalise`] reports every problem at once, each with a field path, so a retailer
//! can fix a record in one go. Problems that lose nothing when kept (an unrecognisable plate, say)
//! become warnings on an accepted record instead: the raw value is kept and flagged.

use crate::ids::IncidentId;
use crate::incident::{EventType, Incident, PersonRole};
use crate::money::Pence;
use crate::problem::{Problem, Problems, codes};
use crate::store::StoreRegistry;
use crate::vrm::{self, VrmFormat};
use chrono::{DateTime, Datelike, Duration, Utc};

/// Longest accepted free-text narrative, in characters.
pub const MAX_NARRATIVE_CHARS: usize = 20_000;
/// Longest accepted retailer reference.
pub const MAX_REFERENCE_CHARS: usize = 128;
/// Largest accepted face template.
pub const MAX_FACE_DIMENSIONS: usize = 4096;
/// Highest accepted unit price: £100,000 (a luxury watch is the dearest thing commonly stolen from a
/// shop; anything above is a keying or unit error, such as pounds sent as pence twice over).
pub const MAX_UNIT_PRICE_PENCE: i64 = 10_000_000;
/// Largest accepted quantity on one line.
pub const MAX_QUANTITY: u32 = 10_000;
/// Highest accepted value of one incident: £1,000,000.
pub const MAX_INCIDENT_VALUE_PENCE: i64 = 100_000_000;
/// Clock skew tolerated between a retailer's clock and ORCA's.
pub const CLOCK_SKEW: Duration = Duration::minutes(10);

/// Validates an incident and, if it passes, normalises it in place: assigns its id, sets its force
/// from the store, normalises marks, names and marker codes, and records warnings. On failure the
/// incident is left as submitted and every problem is returned.
pub fn validate_and_normalise(
    incident: &mut Incident,
    stores: &StoreRegistry,
    now: DateTime<Utc>,
) -> Result<(), Vec<Problem>> {
    let mut problems = Problems::default();
    check_identity(incident, stores, &mut problems);
    check_times(incident, now, &mut problems);
    check_goods(incident, &mut problems);
    check_persons(incident, now, &mut problems);
    check_vehicles(incident, &mut problems);
    check_evidence(incident, &mut problems);
    bounds::check(incident, &mut problems);
    for (part, reason) in incident.grade.problems() {
        problems.push(format!("grade.{part}"), codes::INVALID_GRADE, reason);
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    normalise(incident, stores);
    Ok(())
}

fn check_identity(incident: &Incident, stores: &StoreRegistry, problems: &mut Problems) {
    let retailer = incident.retailer.as_str();
    if retailer.is_empty() {
        problems.push("retailer_id", codes::MISSING, "retailer id is required");
    } else if !retailer.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        problems.push(
            "retailer_id",
            codes::INVALID_ID,
            format!("retailer id `{retailer}` may use only a-z, 0-9 and -"),
        );
    }
    let reference = incident.retailer_ref.trim();
    if reference.is_empty() {
        problems.push(
            "retailer_ref",
            codes::MISSING,
            "the retailer's reference is required (it makes resubmission safe)",
        );
    } else if reference.chars().count() > MAX_REFERENCE_CHARS {
        problems.push(
            "retailer_ref",
            codes::TOO_LONG,
            format!("reference is longer than {MAX_REFERENCE_CHARS} characters"),
        );
    }
    if incident.store.as_str().is_empty() {
        problems.push("store_id", codes::MISSING, "store id is required");
    } else {
        match stores.get(&incident.store) {
            None => problems.push(
                "store_id",
                codes::UNKNOWN_STORE,
                format!("store `{}` is not registered; register it before submitting incidents", incident.store),
            ),
            Some(store) if store.retailer != incident.retailer => problems.push(
                "store_id",
                codes::FOREIGN_STORE,
                format!("store `{}` belongs to another retailer", incident.store),
            ),
            Some(_) => {}
        }
    }
    if incident.event_type == EventType::Unspecified {
        problems.push("event_type", codes::MISSING, "event type is required");
    }
    if incident.narrative.chars().count() > MAX_NARRATIVE_CHARS {
        problems.push(
            "narrative",
            codes::TOO_LONG,
            format!("narrative is longer than {MAX_NARRATIVE_CHARS} characters"),
        );
    }
}

fn check_times(incident: &Incident, now: DateTime<Utc>, problems: &mut Problems) {
    let Some(from) = incident.occurred_from else {
        problems.push("occurred_from", codes::MISSING, "when the incident happened is required");
        return;
    };
    if from > now + CLOCK_SKEW {
        problems.push("occurred_from", codes::IN_FUTURE, format!("occurred at {from}, which is in the future"));
    }
    if let Some(to) = incident.occurred_to
        && to < from
    {
        problems.push(
            "occurred_to",
            codes::WINDOW_REVERSED,
            format!("occurrence window ends ({to}) before it starts ({from})"),
        );
    }
    if let Some(reported) = incident.reported_at {
        if reported < from {
            problems.push(
                "occurred_from",
                codes::OCCURRED_AFTER_REPORTED,
                format!("occurred at {from}, after it was reported at {reported}"),
            );
        }
        if reported > now + CLOCK_SKEW {
            problems.push("reported_at", codes::IN_FUTURE, format!("reported at {reported}, which is in the future"));
        }
    }
}

fn check_goods(incident: &Incident, problems: &mut Problems) {
    for (i, item) in incident.line_items.iter().enumerate() {
        if item.unit_price_pence < 0 {
            problems.push(
                format!("line_items[{i}].unit_price_pence"),
                codes::NEGATIVE_PRICE,
                format!("price {} is negative", item.unit_price_pence),
            );
        }
        if item.unit_price_pence > MAX_UNIT_PRICE_PENCE {
            problems.push(
                format!("line_items[{i}].unit_price_pence"),
                codes::IMPLAUSIBLE_PRICE,
                format!(
                    "price {} is above {} for one item; prices are in pence",
                    Pence::new(item.unit_price_pence),
                    Pence::new(MAX_UNIT_PRICE_PENCE)
                ),
            );
        }
        if item.quantity == 0 {
            problems.push(format!("line_items[{i}].quantity"), codes::ZERO_QUANTITY, "quantity must be at least 1");
        } else if item.quantity > MAX_QUANTITY {
            problems.push(
                format!("line_items[{i}].quantity"),
                codes::IMPLAUSIBLE_QUANTITY,
                format!("quantity {} is above {MAX_QUANTITY} on one line", item.quantity),
            );
        }
        if item.description.trim().is_empty() && item.category.trim().is_empty() {
            problems.push(format!("line_items[{i}]"), codes::MISSING, "a line item needs a description or a category");
        }
    }
    let total = incident.total_value();
    if total > Pence::new(MAX_INCIDENT_VALUE_PENCE) {
        problems.push(
            "line_items",
            codes::IMPLAUSIBLE_VALUE,
            format!("the lines add up to {total}, above {} for one incident", Pence::new(MAX_INCIDENT_VALUE_PENCE)),
        );
    }
}

fn check_persons(incident: &Incident, now: DateTime<Utc>, problems: &mut Problems) {
    for (i, person) in incident.persons.iter().enumerate() {
        let field = |name: &str| format!("persons[{i}].{name}");
        if person.role == PersonRole::Unspecified {
            problems.push(field("role"), codes::MISSING, "role is required (suspect, victim, witness or offender)");
        }
        if person.role == PersonRole::Erased {
            problems.push(
                field("role"),
                codes::NOT_ALLOWED,
                "`erased` is set by ORCA when an analyst erases a person; send suspect, victim, witness or offender",
            );
        }
        if let Some(dob) = person.date_of_birth {
            let year = i32::from(dob.year);
            if year > now.year() {
                problems.push(
                    field("date_of_birth"),
                    codes::IN_FUTURE,
                    format!("date of birth {dob} is in the future"),
                );
            } else if now.year() - year > 120 {
                problems.push(
                    field("date_of_birth"),
                    codes::IMPLAUSIBLE,
                    format!("date of birth {dob} is over 120 years ago"),
                );
            }
        }
        if let Some((min, max)) = person.height_cm {
            if min > max {
                problems.push(
                    field("height_min_cm"),
                    codes::RANGE_REVERSED,
                    format!("height range {min}-{max} cm is reversed"),
                );
            } else if !(50..=250).contains(&min) || !(50..=250).contains(&max) {
                problems.push(
                    field("height_min_cm"),
                    codes::IMPLAUSIBLE,
                    format!("height range {min}-{max} cm is outside 50-250"),
                );
            }
        }
        if let Some(age) = person.estimated_age
            && age > 120
        {
            problems.push(field("estimated_age"), codes::IMPLAUSIBLE, format!("estimated age {age} is over 120"));
        }
        if let Some(face) = &person.face {
            if face.model_id.trim().is_empty() {
                problems.push(
                    field("face.model_id"),
                    codes::MISSING,
                    "a face template needs the id of the model that made it",
                );
            }
            if face.vector.is_empty() || face.vector.len() > MAX_FACE_DIMENSIONS {
                problems.push(
                    field("face.vector"),
                    codes::INVALID_TEMPLATE,
                    format!("a face template needs 1 to {MAX_FACE_DIMENSIONS} values, got {}", face.vector.len()),
                );
            } else if face.vector.iter().any(|v| !v.is_finite()) {
                problems.push(field("face.vector"), codes::INVALID_TEMPLATE, "a face template has a non-finite value");
            }
        }
    }
}

fn check_vehicles(incident: &Incident, problems: &mut Problems) {
    for (i, vehicle) in incident.vehicles.iter().enumerate() {
        let described = !vehicle.make.trim().is_empty() || !vehicle.colour.trim().is_empty();
        if vehicle.vrm_raw.trim().is_empty() && !described {
            problems.push(format!("vehicles[{i}]"), codes::MISSING, "a vehicle needs a plate read or a description");
        }
    }
}

fn check_evidence(incident: &Incident, problems: &mut Problems) {
    for (i, evidence) in incident.evidence.iter().enumerate() {
        if evidence.reference.trim().is_empty() {
            problems.push(
                format!("evidence[{i}].reference"),
                codes::MISSING,
                "evidence needs its reference in the holding system",
            );
        }
        let hash = evidence.sha256.trim();
        if !hash.is_empty() && (hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit())) {
            problems.push(format!("evidence[{i}].sha256"), codes::INVALID_HASH, "sha256 must be 64 hexadecimal digits");
        }
    }
}

/// Normalisation of a valid incident. Never discards a raw value.
fn normalise(incident: &mut Incident, stores: &StoreRegistry) {
    incident.retailer_ref = incident.retailer_ref.trim().to_owned();
    incident.id = IncidentId::derive(&incident.retailer, &incident.retailer_ref);
    if let Some(store) = stores.get(&incident.store) {
        incident.force = store.force.clone();
        incident.store_location = Some(store.location());
    }
    if incident.reported_at.is_none() {
        incident.reported_at = incident.provenance.received_at.or(incident.occurred_to).or(incident.occurred_from);
    }
    incident.modus_operandi.sort();
    incident.modus_operandi.dedup();
    for person in &mut incident.persons {
        person.given_names = collapse_spaces(&person.given_names);
        person.family_name = collapse_spaces(&person.family_name);
        person.aliases = person.aliases.iter().map(|a| collapse_spaces(a)).filter(|a| !a.is_empty()).collect();
        person.marker_code = person.marker_code.as_deref().map(normalise_marker).filter(|m| !m.is_empty());
    }
    let mut warnings = Vec::new();
    for (i, vehicle) in incident.vehicles.iter_mut().enumerate() {
        if vehicle.vrm_raw.trim().is_empty() {
            continue;
        }
        let parsed = vrm::parse(&vehicle.vrm_raw, &vehicle.country);
        vehicle.vrm = parsed.normalised;
        vehicle.format = parsed.format;
        vehicle.candidates = parsed.candidates;
        vehicle.country = vehicle.country.trim().to_ascii_uppercase();
        if parsed.format == VrmFormat::Unrecognised {
            warnings.push(Problem::new(
                format!("vehicles[{i}].vrm_raw"),
                codes::UNRECOGNISED_VRM,
                format!(
                    "`{}` is not a recognisable registration mark; kept raw{}",
                    vehicle.vrm_raw,
                    if vehicle.candidates.is_empty() {
                        String::new()
                    } else {
                        format!(", possible reads {:?}", vehicle.candidates)
                    }
                ),
            ));
        }
    }
    incident.warnings.extend(warnings);
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Forensic-marker codes compare case- and separator-insensitively: `sw-12 3ab` is `SW123AB`.
pub fn normalise_marker(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

pub mod bounds;
#[cfg(test)]
mod tests;
