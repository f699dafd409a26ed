//! Incidents as JSON lines in the canonical proto3 JSON mapping (`incidents.jsonl`, HTTP bodies):
//! `camelCase` or `snake_case` names, enums by name or number, 64-bit integers as strings or numbers,
//! timestamps in RFC 3339. Unknown fields are an error, so a misspelt field is not silently dropped.

use crate::v1;

/// Parses one incident; the error says what is wrong and where (serde's message with line and column).
pub fn incident_from_json_line(line: &str) -> Result<v1::Incident, String> {
    serde_json::from_str(line).map_err(|error| format!("not an `orca.v1.Incident` in proto3 JSON: {error}"))
}

/// Prints one incident as a single line of proto3 JSON (`camelCase`, enums by name, fields at their
/// default omitted). Fails only for a timestamp outside what proto3 JSON can print (the years 0001 to
/// 9999, nanos below one second).
pub fn incident_to_json_line(incident: &v1::Incident) -> Result<String, String> {
    serde_json::to_string(incident).map_err(|error| format!("cannot print incident as proto3 JSON: {error}"))
}
