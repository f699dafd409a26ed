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

    /// The position of `column` in the rows.
    pub fn column(&self, column: &str) -> usize {
        self.index[column]
    }

    /// Builds an incident from a row, or says what is wrong with every cell that is, each by its
    /// column.
    pub fn incident(&self, row: &csv::StringRecord) -> Result<v1::Incident, Vec<CellProblem>> {
        let mut cells = Cells { row, index: &self.index, problems: Vec::new() };
        let event_type = cells.choice("event_type", EVENT_TYPES, v1::EventType::Unspecified);
        let mut incident = v1::Incident {
            retailer_id: cells.text("retailer_id").to_owned(),
            retailer_ref: cells.text("retailer_ref").to_owned(),
            store_id: cells.text("store_id").to_owned(),
            occurred_from: cells.time("occurred_from"),
            occurred_to: cells.time("occurred_to"),
            reported_at: cells.time("reported_at"),
            event_type: event_type as i32,
            police_crime_ref: cells.text("police_crime_ref").to_owned(),
            narrative: cells.text("narrative").to_owned(),
            ..Default::default()
        };
        if !cells.text("goods").is_empty() || !cells.text("goods_category").is_empty() {
            let quantity = cells.number("quantity", 1);
            let quantity = u32::try_from(quantity).unwrap_or_else(|_| {
                cells.problem("quantity", format!("{quantity} is out of range"));
                1
            });
            incident.line_items.push(v1::LineItem {
                description: cells.text("goods").to_owned(),
                category: cells.text("goods_category").to_owned(),
                quantity,
                unit_price_pence: cells.number("unit_price_pence", 0),
                recovered: false,
            });
        }
        let suspect_named =
            !cells.text("suspect_given_names").is_empty() || !cells.text("suspect_family_name").is_empty();
        if suspect_named || !cells.text("suspect_sex").is_empty() || !cells.text("suspect_date_of_birth").is_empty() {
            let sex = cells.choice("suspect_sex", SEXES, v1::Sex::Unspecified);
            incident.persons.push(v1::PersonSighting {
                role: v1::PersonRole::Suspect as i32,
                given_names: cells.text("suspect_given_names").to_owned(),
                family_name: cells.text("suspect_family_name").to_owned(),
                date_of_birth: cells.text("suspect_date_of_birth").to_owned(),
                sex: sex as i32,
                ..Default::default()
            });
        }
        if !cells.text("vehicle_vrm").is_empty() || !cells.text("vehicle_make").is_empty() {
            incident.vehicles.push(v1::VehicleSighting {
                vrm_raw: cells.text("vehicle_vrm").to_owned(),
                make: cells.text("vehicle_make").to_owned(),
                model: cells.text("vehicle_model").to_owned(),
                colour: cells.text("vehicle_colour").to_owned(),
                role: v1::VehicleRole::UsedBySuspects as i32,
                ..Default::default()
            });
        }
        if cells.problems.is_empty() { Ok(incident) } else { Err(cells.problems) }
    }
}

/// A cell that could not be read: its column and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellProblem {
    pub column: &'static str,
    pub reason: String,
}

const EVENT_TYPES: &[(&str, v1::EventType)] = &[
    ("shoplifting", v1::EventType::Shoplifting),
    ("robbery", v1::EventType::Robbery),
    ("violence", v1::EventType::Violence),
    ("abuse", v1::EventType::Abuse),
    ("threats", v1::EventType::Threats),
    ("fraud", v1::EventType::Fraud),
    ("criminal-damage", v1::EventType::CriminalDamage),
    ("making-off-without-payment", v1::EventType::MakingOffWithoutPayment),
];

const SEXES: &[(&str, v1::Sex)] = &[
    ("male", v1::Sex::Male),
    ("m", v1::Sex::Male),
    ("M", v1::Sex::Male),
    ("female", v1::Sex::Female),
    ("f", v1::Sex::Female),
    ("F", v1::Sex::Female),
];

/// One row's cells, read by column name, noting every cell that cannot be read.
struct Cells<'r> {
    row: &'r csv::StringRecord,
    index: &'r HashMap<&'static str, usize>,
    problems: Vec<CellProblem>,
}

impl<'r> Cells<'r> {
    fn text(&self, column: &str) -> &'r str {
        self.row.get(self.index[column]).unwrap_or("").trim()
    }

    fn problem(&mut self, column: &'static str, reason: String) {
        self.problems.push(CellProblem { column, reason });
    }

    fn time(&mut self, column: &'static str) -> Option<pbjson_types::Timestamp> {
        let text = self.text(column);
        if text.is_empty() {
            return None;
        }
        match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(time) => Some(timestamp_to_proto(time.with_timezone(&chrono::Utc))),
            Err(error) => {
                let zone = if chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok() {
                    format!(": it has no time zone, e.g. `{text}Z`")
                } else {
                    format!(" ({error}), e.g. `2026-03-01T10:15:00Z`")
                };
                self.problem(column, format!("`{text}` is not an RFC 3339 time{zone}"));
                None
            }
        }
    }

    fn number(&mut self, column: &'static str, default: i64) -> i64 {
        let text = self.text(column);
        if text.is_empty() {
            return default;
        }
        text.parse().unwrap_or_else(|_| {
            let pounds = column.ends_with("_pence") && text.trim_start_matches('£').parse::<f64>().is_ok();
            let hint = if pounds { " (amounts are in pence, not pounds: £1.50 is 150)" } else { "" };
            self.problem(column, format!("`{text}` is not a whole number{hint}"));
            default
        })
    }

    fn choice<T: Copy>(&mut self, column: &'static str, choices: &[(&str, T)], unstated: T) -> T {
        let text = self.text(column);
        if text.is_empty() {
            return unstated;
        }
        match choices.iter().find(|(name, _)| *name == text) {
            Some((_, value)) => *value,
            None => {
                let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
                self.problem(column, format!("`{text}` is not one of {}", names.join(", ")));
                unstated
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_cell_of_a_row_is_reported_by_its_column() {
        let layout = Layout::from_header(&csv::StringRecord::from(COLUMNS.to_vec())).unwrap();
        let mut cells = vec![""; COLUMNS.len()];
        let mut set = |column: &str, value: &'static str| {
            cells[COLUMNS.iter().position(|c| *c == column).unwrap()] = value;
        };
        set("retailer_id", "meadowmart");
        set("event_type", "burglary");
        set("occurred_from", "2026-03-01T10:15:00");
        set("goods", "razor blades");
        set("unit_price_pence", "18.99");
        set("suspect_sex", "x");
        let problems = layout.incident(&csv::StringRecord::from(cells)).expect_err("four bad cells");
        let columns: Vec<&str> = problems.iter().map(|p| p.column).collect();
        assert_eq!(columns, ["event_type", "occurred_from", "unit_price_pence", "suspect_sex"], "{problems:?}");
        assert!(problems[0].reason.contains("shoplifting, robbery"), "accepted values listed: {problems:?}");
        assert!(problems[1].reason.contains("no time zone"), "{problems:?}");
        assert!(problems[2].reason.contains("pence, not pounds"), "{problems:?}");
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
            if let Err(problems) = layout.incident(&row) {
                prop_assert!(!problems.is_empty());
                for problem in problems {
                    prop_assert!(COLUMNS.contains(&problem.column), "{:?}", problem);
                }
            }
        }
    }
}
