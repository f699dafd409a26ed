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
//!
//! The header may also name any of these optional columns (a file without them reads as before):
//!
//! | column | meaning |
//! |---|---|
//! | `violence`, `weapon`, `staff_detained` | yes or no: `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0` (any case); empty is no |
//! | `modus_operandi` | any of `steal-to-order`, `grab-and-go`, `team-with-lookouts`, `multiple-stores-one-day`, `vehicle-false-plates`, `distraction`, `lined-bag`, `tag-removal`, `self-checkout-fraud`, `refund-fraud`, `trolley-walk-out`, `threats-with-weapon`, separated by `;` or `\|` |
//! | `evidence` | references to evidence held elsewhere, `KIND:REFERENCE` separated by `;`, e.g. `cctv:NM-CCTV-0042;body-worn:BW-7`; `KIND` is `cctv`, `body-worn` (or `bwv`), `photo`, `document` or `till-record` |
//! | `grade` | the 3x5x2 grade: source `1`-`3`, intelligence `A`-`E`, handling `P` or `C`, as `2/A/P` or `2AP`; handling `C` is followed by its conditions after a colon, separated by `;`, e.g. `2/A/C: police only`; empty is not stated |
//! | `correction_reason` | free text: why this report corrects one sent before under the same `retailer_ref` |
//!
//! Other columns are ignored.

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

/// Columns a header may leave out: a row of a file without one reads as if its cell were empty.
pub const OPTIONAL_COLUMNS: &[&str] =
    &["violence", "weapon", "staff_detained", "modus_operandi", "evidence", "grade", "correction_reason"];

/// Column positions from a header row: every column of [`COLUMNS`], and those of
/// [`OPTIONAL_COLUMNS`] the header has (an optional column it lacks has no entry).
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
        for column in OPTIONAL_COLUMNS {
            if let Some(position) = header.iter().position(|h| h.trim() == *column) {
                index.insert(*column, position);
            }
        }
        Ok(Self { index })
    }

    /// The position of `column`, one of [`COLUMNS`], in the rows.
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
        incident.violence = cells.flag("violence");
        incident.weapon = cells.flag("weapon");
        incident.staff_detained = cells.flag("staff_detained");
        incident.modus_operandi = cells.modus_operandi().into_iter().map(|mo| mo as i32).collect();
        incident.evidence = cells.evidence();
        incident.grade = cells.grade();
        incident.correction_reason = cells.text("correction_reason").to_owned();
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

const MODI_OPERANDI: &[(&str, v1::ModusOperandi)] = &[
    ("steal-to-order", v1::ModusOperandi::StealToOrder),
    ("grab-and-go", v1::ModusOperandi::GrabAndGo),
    ("team-with-lookouts", v1::ModusOperandi::TeamWithLookouts),
    ("multiple-stores-one-day", v1::ModusOperandi::MultipleStoresOneDay),
    ("vehicle-false-plates", v1::ModusOperandi::VehicleFalsePlates),
    ("distraction", v1::ModusOperandi::Distraction),
    ("lined-bag", v1::ModusOperandi::LinedBag),
    ("tag-removal", v1::ModusOperandi::TagRemoval),
    ("self-checkout-fraud", v1::ModusOperandi::SelfCheckoutFraud),
    ("refund-fraud", v1::ModusOperandi::RefundFraud),
    ("trolley-walk-out", v1::ModusOperandi::TrolleyWalkOut),
    ("threats-with-weapon", v1::ModusOperandi::ThreatsWithWeapon),
];

const EVIDENCE_KINDS: &[(&str, v1::EvidenceKind)] = &[
    ("cctv", v1::EvidenceKind::Cctv),
    ("body-worn", v1::EvidenceKind::BodyWorn),
    ("bwv", v1::EvidenceKind::BodyWorn),
    ("photo", v1::EvidenceKind::Photo),
    ("document", v1::EvidenceKind::Document),
    ("till-record", v1::EvidenceKind::TillRecord),
];

const FLAGS: &[(&str, bool)] = &[
    ("true", true),
    ("false", false),
    ("yes", true),
    ("no", false),
    ("y", true),
    ("n", false),
    ("1", true),
    ("0", false),
];

/// The form of a `grade` cell, for problems.
const GRADE_FORM: &str = "source 1-3, intelligence A-E and handling P or C, e.g. `2/A/P` or `2AP` \
                          (handling C with its conditions after a colon, e.g. `2/A/C: police only`)";

/// The value `text` names in `choices`, ignoring ASCII case.
fn lookup<T: Copy>(choices: &[(&str, T)], text: &str) -> Option<T> {
    choices.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)).map(|(_, value)| *value)
}

fn names<T>(choices: &[(&str, T)]) -> String {
    choices.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

/// One row's cells, read by column name, noting every cell that cannot be read.
struct Cells<'r> {
    row: &'r csv::StringRecord,
    index: &'r HashMap<&'static str, usize>,
    problems: Vec<CellProblem>,
}

impl<'r> Cells<'r> {
    /// The trimmed cell of `column`; empty when the row is short or the header lacks the
    /// (optional) column.
    fn text(&self, column: &str) -> &'r str {
        debug_assert!(COLUMNS.contains(&column) || OPTIONAL_COLUMNS.contains(&column), "no column `{column}`");
        self.index.get(column).and_then(|&position| self.row.get(position)).unwrap_or("").trim()
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

    /// A yes-or-no cell; empty is no.
    fn flag(&mut self, column: &'static str) -> bool {
        let text = self.text(column);
        if text.is_empty() {
            return false;
        }
        lookup(FLAGS, text).unwrap_or_else(|| {
            self.problem(column, format!("`{text}` is not one of {} (in any case)", names(FLAGS)));
            false
        })
    }

    /// The `modus_operandi` cell: names separated by `;` or `|`, each once.
    fn modus_operandi(&mut self) -> Vec<v1::ModusOperandi> {
        let mut modi = Vec::new();
        let mut unknown = Vec::new();
        for name in self.text("modus_operandi").split([';', '|']).map(str::trim).filter(|n| !n.is_empty()) {
            match lookup(MODI_OPERANDI, name) {
                Some(mo) if !modi.contains(&mo) => modi.push(mo),
                Some(_) => {}
                None => unknown.push(format!("`{name}`")),
            }
        }
        if !unknown.is_empty() {
            let reason = format!("{}: not one of {}", unknown.join(", "), names(MODI_OPERANDI));
            self.problem("modus_operandi", reason);
        }
        modi
    }

    /// The `evidence` cell: `KIND:REFERENCE` items separated by `;`.
    fn evidence(&mut self) -> Vec<v1::Evidence> {
        let mut evidence = Vec::new();
        let mut bad = Vec::new();
        for item in self.text("evidence").split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((kind, reference)) = item.split_once(':').map(|(k, r)| (k.trim(), r.trim())) else {
                bad.push(format!("`{item}` is not `KIND:REFERENCE`, e.g. `cctv:NM-CCTV-0042`"));
                continue;
            };
            let Some(kind) = lookup(EVIDENCE_KINDS, kind) else {
                bad.push(format!("`{kind}` in `{item}` is not one of {}", names(EVIDENCE_KINDS)));
                continue;
            };
            if reference.is_empty() {
                bad.push(format!("`{item}` has no reference after the colon"));
                continue;
            }
            evidence.push(v1::Evidence { kind: kind as i32, reference: reference.to_owned(), ..Default::default() });
        }
        if !bad.is_empty() {
            self.problem("evidence", bad.join("; "));
        }
        evidence
    }

    /// The `grade` cell: `2/A/P` or `2AP`, `C` followed by `: conditions; ...`; `None` when empty.
    fn grade(&mut self) -> Option<v1::Grade> {
        let text = self.text("grade");
        if text.is_empty() {
            return None;
        }
        parse_grade(text)
            .map_err(|reason| {
                self.problem("grade", format!("`{text}` is not a 3x5x2 grade ({reason}): expected {GRADE_FORM}"))
            })
            .ok()
    }
}

/// A 3x5x2 grade written `2/A/P` or `2AP` (any case, spaces around the codes allowed), with
/// handling `C` followed by its conditions: `2/A/C: police only; not for disclosure`. Or what is
/// wrong with it.
fn parse_grade(text: &str) -> Result<v1::Grade, String> {
    let (codes, conditions) = text.split_once(':').unwrap_or((text, ""));
    let codes: Vec<String> = if codes.contains('/') {
        codes.split('/').map(|code| code.trim().to_ascii_uppercase()).collect()
    } else {
        codes.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase().to_string()).collect()
    };
    let [source, intelligence, handling] = codes.as_slice() else {
        return Err("it is not three codes".to_owned());
    };
    let mut wrong = Vec::new();
    if !["1", "2", "3"].contains(&source.as_str()) {
        wrong.push(format!("source evaluation `{source}` is not 1-3"));
    }
    if !["A", "B", "C", "D", "E"].contains(&intelligence.as_str()) {
        wrong.push(format!("intelligence assessment `{intelligence}` is not A-E"));
    }
    if !["P", "C"].contains(&handling.as_str()) {
        wrong.push(format!("handling code `{handling}` is not P or C"));
    }
    let conditions: Vec<String> =
        conditions.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    if handling == "C" && conditions.is_empty() {
        wrong.push("handling code C needs its conditions after a colon".to_owned());
    } else if handling == "P" && !conditions.is_empty() {
        wrong.push("only handling code C has conditions".to_owned());
    }
    if !wrong.is_empty() {
        return Err(wrong.join(", "));
    }
    Ok(v1::Grade {
        grading_system: v1::GradingSystem::GradingSystem3x5x2 as i32,
        source: source.clone(),
        intelligence: intelligence.clone(),
        handling: handling.clone(),
        handling_conditions: conditions,
    })
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

    /// A header of `columns` and a row with `values` in the named columns, empty elsewhere.
    fn header_and_row(columns: &[&str], values: &[(&str, &str)]) -> (Layout, csv::StringRecord) {
        let layout = Layout::from_header(&csv::StringRecord::from(columns.to_vec())).unwrap();
        let mut cells = vec![""; columns.len()];
        for (column, value) in values {
            cells[columns.iter().position(|c| c == column).unwrap()] = value;
        }
        (layout, csv::StringRecord::from(cells))
    }

    /// Every column, the optional ones in a different order and with a column ORCA does not know.
    fn every_column() -> Vec<&'static str> {
        let mut columns = vec!["till_number"];
        columns.extend(OPTIONAL_COLUMNS.iter().rev());
        columns.extend(COLUMNS);
        columns
    }

    const REQUIRED: &[(&str, &str)] = &[
        ("retailer_id", "meadowmart"),
        ("retailer_ref", "MM-0001"),
        ("store_id", "mm-leeds-1"),
        ("occurred_from", "2026-03-01T10:15:00Z"),
        ("event_type", "robbery"),
    ];

    #[test]
    fn the_optional_columns_fill_flags_modus_operandi_evidence_grade_and_correction_reason() {
        let mut values = REQUIRED.to_vec();
        values.extend([
            ("till_number", "7"),
            ("violence", " Yes "),
            ("weapon", "1"),
            ("staff_detained", "FALSE"),
            ("modus_operandi", "grab-and-go; Team-With-Lookouts|grab-and-go;"),
            ("evidence", "cctv:NM-CCTV-0042; bwv:BW-7 ;till-record: T7:0815"),
            ("grade", "3/b/p"),
            ("correction_reason", " the store id was wrong "),
        ]);
        let (layout, row) = header_and_row(&every_column(), &values);
        let incident = layout.incident(&row).unwrap();
        assert_eq!(incident.retailer_ref, "MM-0001");
        assert_eq!(incident.event_type, v1::EventType::Robbery as i32);
        assert!(incident.violence && incident.weapon && !incident.staff_detained);
        let modi = [v1::ModusOperandi::GrabAndGo as i32, v1::ModusOperandi::TeamWithLookouts as i32];
        assert_eq!(incident.modus_operandi, modi, "each named once, in order");
        let evidence: Vec<(i32, &str, &str)> =
            incident.evidence.iter().map(|e| (e.kind, e.reference.as_str(), e.description.as_str())).collect();
        assert_eq!(
            evidence,
            [
                (v1::EvidenceKind::Cctv as i32, "NM-CCTV-0042", ""),
                (v1::EvidenceKind::BodyWorn as i32, "BW-7", ""),
                (v1::EvidenceKind::TillRecord as i32, "T7:0815", ""),
            ]
        );
        let grade = v1::Grade {
            grading_system: v1::GradingSystem::GradingSystem3x5x2 as i32,
            source: "3".into(),
            intelligence: "B".into(),
            handling: "P".into(),
            handling_conditions: Vec::new(),
        };
        assert_eq!(incident.grade, Some(grade));
        assert_eq!(incident.correction_reason, "the store id was wrong");
    }

    #[test]
    fn flags_and_grades_are_read_in_every_accepted_form() {
        let columns = every_column();
        for (text, expected) in [("true", true), ("Y", true), ("yes", true), ("1", true), ("n", false), ("No", false)] {
            let (layout, row) = header_and_row(&columns, &[("weapon", text)]);
            assert_eq!(layout.incident(&row).unwrap().weapon, expected, "{text}");
        }
        let grade = |text: &str| {
            let (layout, row) = header_and_row(&columns, &[("grade", text)]);
            layout.incident(&row).map(|incident| incident.grade)
        };
        let stated = grade("2AP").unwrap().unwrap();
        assert_eq!((stated.source.as_str(), stated.intelligence.as_str(), stated.handling.as_str()), ("2", "A", "P"));
        assert_eq!(grade(" 2 / A / P ").unwrap().as_ref(), Some(&stated));
        let conditional = grade("1/E/C: police only; not for disclosure").unwrap().unwrap();
        assert_eq!(conditional.handling, "C");
        assert_eq!(conditional.handling_conditions, ["police only", "not for disclosure"]);
        assert_eq!(grade("").unwrap(), None, "an empty grade is not stated");
        for bad in ["2/A/C", "2AP: police only", "4/A/P", "2/F/X", "2A", "2//A/P", "2/A/P/C"] {
            let problems = grade(bad).expect_err(bad);
            assert_eq!(problems[0].column, "grade", "{bad}");
            assert!(problems[0].reason.contains("e.g. `2/A/P` or `2AP`"), "{problems:?}");
        }
    }

    #[test]
    fn a_header_without_the_optional_columns_reads_as_before() {
        let (layout, row) = header_and_row(COLUMNS, REQUIRED);
        let incident = layout.incident(&row).unwrap();
        assert!(OPTIONAL_COLUMNS.iter().all(|column| !layout.index.contains_key(column)));
        assert_eq!(incident.retailer_id, "meadowmart");
        assert!(!incident.violence && !incident.weapon && !incident.staff_detained);
        assert!(incident.modus_operandi.is_empty() && incident.evidence.is_empty());
        assert_eq!(incident.grade, None);
        assert_eq!(incident.correction_reason, "");
        // A header naming some of them (and columns ORCA does not know) is also fine.
        let mut columns = vec!["weapon", "loss_prevention_officer"];
        columns.extend(COLUMNS);
        let mut values = REQUIRED.to_vec();
        values.push(("weapon", "y"));
        let (layout, row) = header_and_row(&columns, &values);
        assert!(layout.incident(&row).unwrap().weapon);
        // A required column is still required.
        let error = Layout::from_header(&csv::StringRecord::from(OPTIONAL_COLUMNS.to_vec())).err().unwrap();
        assert!(error.contains("no `retailer_id` column"), "{error}");
    }

    #[test]
    fn every_bad_optional_cell_of_a_row_is_reported_by_its_column() {
        let mut values = REQUIRED.to_vec();
        values.extend([
            ("violence", "sometimes"),
            ("modus_operandi", "grab-and-go;smash-and-grab"),
            ("evidence", "cctv:NM-1;dashcam:D-9;photo:;document"),
            ("grade", "2/A"),
            ("correction_reason", "typo"),
        ]);
        let (layout, row) = header_and_row(&every_column(), &values);
        let problems = layout.incident(&row).expect_err("four bad cells");
        let columns: Vec<&str> = problems.iter().map(|p| p.column).collect();
        assert_eq!(columns, ["violence", "modus_operandi", "evidence", "grade"], "{problems:?}");
        let [violence, mo, evidence, grade] = &problems[..] else { unreachable!() };
        assert!(violence.reason.contains("`sometimes` is not one of true, false, yes, no, y, n, 1, 0"), "{violence:?}");
        assert!(mo.reason.contains("`smash-and-grab`") && !mo.reason.contains("`grab-and-go`"), "{mo:?}");
        assert!(mo.reason.contains("steal-to-order, grab-and-go"), "accepted values listed: {mo:?}");
        assert!(evidence.reason.contains("`dashcam`") && evidence.reason.contains("cctv, body-worn"), "{evidence:?}");
        assert!(evidence.reason.contains("`photo:` has no reference"), "{evidence:?}");
        assert!(evidence.reason.contains("`document` is not `KIND:REFERENCE`"), "{evidence:?}");
        assert!(!evidence.reason.contains("NM-1"), "good items are not problems: {evidence:?}");
        assert!(grade.reason.contains("`2/A` is not a 3x5x2 grade") && grade.reason.contains("`2/A/P`"), "{grade:?}");
    }
}

#[cfg(test)]
mod fuzz {
    //! Generated CSV rows (with the real header, with and without the optional columns) against the incident CSV reader: each row is an
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

        #[test]
        fn any_row_with_the_optional_columns_is_an_incident_or_an_error_naming_a_column(
            cells in prop::collection::vec(prop_oneof!["\\PC{0,24}", "[;|:/ 0-9A-Ea-z-]{0,24}"], 0..40),
        ) {
            let header: Vec<&str> = COLUMNS.iter().chain(OPTIONAL_COLUMNS).copied().collect();
            let layout = Layout::from_header(&csv::StringRecord::from(header)).unwrap();
            let row = csv::StringRecord::from(cells);
            if let Err(problems) = layout.incident(&row) {
                prop_assert!(!problems.is_empty());
                for problem in problems {
                    let known = COLUMNS.contains(&problem.column) || OPTIONAL_COLUMNS.contains(&problem.column);
                    prop_assert!(known, "{:?}", problem);
                }
            }
        }
    }
}
