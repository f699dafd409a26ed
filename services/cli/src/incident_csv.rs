//! The CSV layout `orca ingest` accepts, for retailers whose systems export spreadsheets. One row
//! is one incident with at most one line of goods, one suspect and one vehicle (use JSONL for
//! more). The header row must name these columns, in any order; empty cells mean "not stated":
//!
//! | column | meaning |
//! |---|---|
//! | `retailer_id`, `retailer_ref`, `store_id` | who reports it, their reference, where |
//! | `occurred_from`, `occurred_to`, `reported_at` | RFC 3339 times, e.g. `2026-03-01T10:15:00Z` |
//! | `event_type` | `shoplifting`, `robbery`, `violence`, `abuse`, `threats`, `fraud`, `criminal-damage`, `making-off-without-payment` |
//! | `goods`, `goods_category`, `quantity`, `unit_price_pence` | one line of goods |
//! | `suspect_given_names`, `suspect_family_name`, `suspect_date_of_birth`, `suspect_sex` | one suspect (`male`/`female`) |
//! | `vehicle_vrm`, `vehicle_make`, `vehicle_model`, `vehicle_colour` | one vehicle used by the suspects |
//! | `police_crime_ref`, `narrative` | free text |

use orca_proto::convert::timestamp_to_proto;
use orca_proto::v1;
use std::collections::HashMap;

pub const COLUMNS: &[&str] = &[
    "retailer_id",
    "retailer_ref",
    "store_id",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "event_type",
    "goods",
    "goods_category",
    "quantity",
    "unit_price_pence",
    "suspect_given_names",
    "suspect_family_name",
    "suspect_date_of_birth",
    "suspect_sex",
    "vehicle_vrm",
    "vehicle_make",
    "vehicle_model",
    "vehicle_colour",
    "police_crime_ref",
    "narrative",
];

/// Column positions from a header row; every column must be present.
pub struct Layout {
    index: HashMap<&'static str, usize>,
}

impl Layout {
    pub fn from_header(header: &csv::StringRecord) -> Result<Self, String> {
        let mut index = HashMap::new();
        for column in COLUMNS {
            let position = header
                .iter()
                .position(|h| h.trim() == *column)
                .ok_or_else(|| format!("the header has no `{column}` column (expected: {})", COLUMNS.join(",")))?;
            index.insert(*column, position);
        }
        Ok(Self { index })
    }

    /// Builds an incident from a row; the error names the column.
    pub fn incident(&self, row: &csv::StringRecord) -> Result<v1::Incident, String> {
        let cell = |name: &str| row.get(self.index[name]).unwrap_or("").trim();
        let time = |name: &str| -> Result<Option<pbjson_types::Timestamp>, String> {
            let text = cell(name);
            if text.is_empty() {
                return Ok(None);
            }
            chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| Some(timestamp_to_proto(t.with_timezone(&chrono::Utc))))
                .map_err(|e| format!("`{name}`: `{text}` is not an RFC 3339 time ({e})"))
        };
        let number = |name: &str, default: i64| -> Result<i64, String> {
            let text = cell(name);
            if text.is_empty() {
                Ok(default)
            } else {
                text.parse().map_err(|_| format!("`{name}`: `{text}` is not a whole number"))
            }
        };
        let event_type = match cell("event_type") {
            "shoplifting" => v1::EventType::Shoplifting,
            "robbery" => v1::EventType::Robbery,
            "violence" => v1::EventType::Violence,
            "abuse" => v1::EventType::Abuse,
            "threats" => v1::EventType::Threats,
            "fraud" => v1::EventType::Fraud,
            "criminal-damage" => v1::EventType::CriminalDamage,
            "making-off-without-payment" => v1::EventType::MakingOffWithoutPayment,
            "" => v1::EventType::Unspecified,
            other => return Err(format!("`event_type`: `{other}` is not an event type")),
        };
        let mut incident = v1::Incident {
            retailer_id: cell("retailer_id").to_owned(),
            retailer_ref: cell("retailer_ref").to_owned(),
            store_id: cell("store_id").to_owned(),
            occurred_from: time("occurred_from")?,
            occurred_to: time("occurred_to")?,
            reported_at: time("reported_at")?,
            event_type: event_type as i32,
            police_crime_ref: cell("police_crime_ref").to_owned(),
            narrative: cell("narrative").to_owned(),
            ..Default::default()
        };
        if !cell("goods").is_empty() || !cell("goods_category").is_empty() {
            incident.line_items.push(v1::LineItem {
                description: cell("goods").to_owned(),
                category: cell("goods_category").to_owned(),
                quantity: u32::try_from(number("quantity", 1)?).map_err(|_| "`quantity` is out of range".to_owned())?,
                unit_price_pence: number("unit_price_pence", 0)?,
                recovered: false,
            });
        }
        let suspect_named = !cell("suspect_given_names").is_empty() || !cell("suspect_family_name").is_empty();
        if suspect_named || !cell("suspect_sex").is_empty() || !cell("suspect_date_of_birth").is_empty() {
            let sex = match cell("suspect_sex") {
                "male" | "m" | "M" => v1::Sex::Male,
                "female" | "f" | "F" => v1::Sex::Female,
                "" => v1::Sex::Unspecified,
                other => return Err(format!("`suspect_sex`: `{other}` is not male or female")),
            };
            incident.persons.push(v1::PersonSighting {
                role: v1::PersonRole::Suspect as i32,
                given_names: cell("suspect_given_names").to_owned(),
                family_name: cell("suspect_family_name").to_owned(),
                date_of_birth: cell("suspect_date_of_birth").to_owned(),
                sex: sex as i32,
                ..Default::default()
            });
        }
        if !cell("vehicle_vrm").is_empty() || !cell("vehicle_make").is_empty() {
            incident.vehicles.push(v1::VehicleSighting {
                vrm_raw: cell("vehicle_vrm").to_owned(),
                make: cell("vehicle_make").to_owned(),
                model: cell("vehicle_model").to_owned(),
                colour: cell("vehicle_colour").to_owned(),
                role: v1::VehicleRole::UsedBySuspects as i32,
                ..Default::default()
            });
        }
        Ok(incident)
    }
}

#[cfg(test)]
mod fuzz {
    //! Generated CSV rows (with the real header) against the incident CSV reader: each row is an
    //! incident or an error naming a column; nothing panics.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_row_is_an_incident_or_an_error_naming_a_column(cells in prop::collection::vec("\\PC{0,24}", 0..30)) {
            let layout = Layout::from_header(&csv::StringRecord::from(COLUMNS.to_vec())).unwrap();
            let row = csv::StringRecord::from(cells);
            if let Err(message) = layout.incident(&row) {
                prop_assert!(message.starts_with('`'), "{}", message);
            }
        }
    }
}
