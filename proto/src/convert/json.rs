//! Incidents as JSON lines in the canonical proto3 JSON mapping (`incidents.jsonl`, HTTP bodies):
//! `camelCase` or `snake_case` names, enums by name or number, 64-bit integers as strings or numbers,
//! timestamps in RFC 3339. Unknown fields are an error, so a misspelt field is not silently dropped.
//!
//! A record with problems gets every one of them reported (up to [`MAX_PROBLEMS`]), each naming the
//! field's path as sent (`lineItems[0].unitPricePence`), with hints for the usual slips: pounds
//! where pence are expected, a timestamp without a zone.

use crate::v1;
use serde_json::Value;
use serde_path_to_error::{Path, Segment};

/// Most problems reported for one record.
pub const MAX_PROBLEMS: usize = 20;

/// One problem in a JSON record: the field's path as sent (empty for the record as a whole) and
/// what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonProblem {
    pub field: String,
    pub reason: String,
}

/// Parses one incident, or says everything wrong with it.
pub fn incident_from_json(text: &[u8]) -> Result<v1::Incident, Vec<JsonProblem>> {
    let whole = |reason: String| vec![JsonProblem { field: String::new(), reason }];
    let mut value: Value = serde_json::from_slice(text).map_err(|error| whole(format!("not JSON: {error}")))?;
    if !value.is_object() {
        return Err(whole("not an `orca.v1.Incident`: expected a JSON object `{…}`".to_owned()));
    }
    let mut problems: Vec<JsonProblem> = Vec::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, v1::Incident>(&value) {
            Ok(incident) if problems.is_empty() => return Ok(incident),
            Ok(_) => return Err(problems),
            Err(error) => error,
        };
        let field = error.path().to_string();
        let field = if field == "." { String::new() } else { field };
        let repeated = problems.iter().any(|p| p.field == field);
        let reason = explain(&error.inner().to_string(), at(&value, error.path()), &field);
        if !repeated {
            problems.push(JsonProblem { field, reason });
        }
        // Drop the field and read the record again, to find its other problems.
        if repeated || problems.len() >= MAX_PROBLEMS || !remove(&mut value, error.path()) {
            return Err(problems);
        }
    }
}

/// Parses one incident; the error lists every problem as `` `field`: reason ``, `; `-separated.
pub fn incident_from_json_line(line: &str) -> Result<v1::Incident, String> {
    incident_from_json(line.as_bytes()).map_err(|problems| {
        let said: Vec<String> = problems
            .iter()
            .map(|p| if p.field.is_empty() { p.reason.clone() } else { format!("`{}`: {}", p.field, p.reason) })
            .collect();
        said.join("; ")
    })
}

/// Prints one incident as a single line of proto3 JSON (`camelCase`, enums by name, fields at their
/// default omitted). Fails only for a timestamp outside what proto3 JSON can print (the years 0001 to
/// 9999, nanos below one second).
pub fn incident_to_json_line(incident: &v1::Incident) -> Result<String, String> {
    serde_json::to_string(incident).map_err(|error| format!("cannot print incident as proto3 JSON: {error}"))
}

/// The retailer's reference in a JSON record (`retailerRef` or `retailer_ref`), even one that is
/// not an incident, so a rejection can name it; empty if there is none.
pub fn retailer_ref_in(value: &Value) -> String {
    ["retailerRef", "retailer_ref"]
        .iter()
        .find_map(|name| value.get(name).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

/// serde's message, with a hint where the value shows a usual slip.
fn explain(message: &str, value: Option<&Value>, field: &str) -> String {
    let pence = field.to_ascii_lowercase().ends_with("pence");
    match value {
        Some(Value::Number(number)) if pence && !number.is_i64() => {
            format!("{number} is not a whole number of pence (amounts are in pence: £{number} is {})", in_pence(number))
        }
        Some(Value::String(text)) if pence && text.contains('.') => {
            format!("`{text}` is not a whole number of pence (amounts are in pence, not pounds)")
        }
        Some(Value::String(text)) if let Some(hint) = timestamp_hint(text) => hint,
        _ => message.to_owned(),
    }
}

fn in_pence(number: &serde_json::Number) -> String {
    number.as_f64().map_or_else(|| "?".to_owned(), |pounds| format!("{:.0}", pounds * 100.0))
}

/// Why a date and time proto3 JSON cannot read is wrong, with the same time written so that it
/// can: no zone (`2026-03-01T10:15:00` or `2026-03-01 10:15`), a space for the `T`, no seconds.
fn timestamp_hint(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let date_time = text.len() >= 16
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't' | b' ')
        && bytes[13] == b':';
    if !date_time || !text.is_char_boundary(10) {
        return None;
    }
    let (date, time) = (&text[..10], &text[11..]);
    let zone_at = time.find(['Z', 'z', '+', '-']);
    let (clock, zone) = zone_at.map_or((time, ""), |at| time.split_at(at));
    let seconds = if clock.len() == 5 { ":00" } else { "" };
    let written = format!("{date}T{clock}{seconds}{}", if zone.is_empty() { "Z" } else { zone });
    let what = match (zone.is_empty(), bytes[10] == b' ' || !seconds.is_empty()) {
        (true, _) => "has no time zone",
        (false, true) => "is not in RFC 3339 form",
        (false, false) => return None,
    };
    Some(format!("`{text}` {what}: write it in RFC 3339 with `Z` or an offset, e.g. `{written}`"))
}

/// The value at `path`, if there is one.
fn at<'v>(value: &'v Value, path: &Path) -> Option<&'v Value> {
    path.iter().try_fold(value, |value, segment| match segment {
        Segment::Seq { index } => value.get(*index),
        Segment::Map { key } => value.get(key.as_str()),
        Segment::Enum { .. } | Segment::Unknown => None,
    })
}

/// Removes the field at `path` (a whole list, when the problem is one of its elements). `false`
/// when there is nothing there to remove.
fn remove(value: &mut Value, path: &Path) -> bool {
    let segments: Vec<&Segment> = path.iter().collect();
    // Up to the last map key: an element of a list goes with its list.
    let Some(last_key) = segments.iter().rposition(|s| matches!(s, Segment::Map { .. })) else {
        return false;
    };
    let mut parent = value;
    for segment in &segments[..last_key] {
        parent = match segment {
            Segment::Seq { index } => match parent.get_mut(*index) {
                Some(next) => next,
                None => return false,
            },
            Segment::Map { key } => match parent.get_mut(key.as_str()) {
                Some(next) => next,
                None => return false,
            },
            Segment::Enum { .. } | Segment::Unknown => return false,
        };
    }
    match (segments[last_key], parent.as_object_mut()) {
        (Segment::Map { key }, Some(object)) => object.remove(key.as_str()).is_some(),
        _ => false,
    }
}
