//! An incident report and what it says about people and vehicles (POLE: person, object, location,
//! event). These are the types every pipeline works on; the protobuf types map onto them at the
//! service boundary.

use crate::grade::Grade;
use crate::ids::{ForceId, IncidentId, RetailerId, StoreId};
use crate::money::Pence;
use crate::problem::Problem;
use crate::vrm::VrmFormat;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EventType {
    #[default]
    Unspecified,
    Shoplifting,
    Robbery,
    Violence,
    Abuse,
    Threats,
    Fraud,
    CriminalDamage,
    MakingOffWithoutPayment,
}

impl EventType {
    /// The name used in JSON and in package text (`making-off-without-payment`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Shoplifting => "shoplifting",
            Self::Robbery => "robbery",
            Self::Violence => "violence",
            Self::Abuse => "abuse",
            Self::Threats => "threats",
            Self::Fraud => "fraud",
            Self::CriminalDamage => "criminal-damage",
            Self::MakingOffWithoutPayment => "making-off-without-payment",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModusOperandi {
    StealToOrder,
    GrabAndGo,
    TeamWithLookouts,
    MultipleStoresOneDay,
    VehicleFalsePlates,
    Distraction,
    LinedBag,
    TagRemoval,
    SelfCheckoutFraud,
    RefundFraud,
    TrolleyWalkOut,
    ThreatsWithWeapon,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LineItem {
    pub description: String,
    pub category: String,
    pub quantity: u32,
    pub unit_price_pence: i64,
    pub recovered: bool,
}

impl LineItem {
    pub fn value(&self) -> Pence {
        Pence::new(self.unit_price_pence).times(self.quantity)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    #[default]
    Unspecified,
    Cctv,
    BodyWorn,
    Photo,
    Document,
    TillRecord,
}

/// A reference to evidence held in another system; ORCA never holds the media.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub reference: String,
    pub sha256: String,
    pub captured_at: Option<DateTime<Utc>>,
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PersonRole {
    #[default]
    Unspecified,
    Suspect,
    Victim,
    Witness,
    Offender,
    /// Erased by an analyst's decision: nothing else of the person is kept. Set by ORCA only.
    Erased,
}

impl PersonRole {
    /// Suspects and offenders are resolved into persons; victims and witnesses never are.
    pub fn is_offending(self) -> bool {
        matches!(self, PersonRole::Suspect | PersonRole::Offender)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    #[default]
    Unspecified,
    Male,
    Female,
}

/// data.police.uk age bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AgeBand {
    #[default]
    Unspecified,
    Under10,
    From10To17,
    From18To24,
    From25To34,
    Over34,
}

impl AgeBand {
    /// The band an age in years falls in.
    pub fn of_age(age: u32) -> Self {
        match age {
            0..=9 => AgeBand::Under10,
            10..=17 => AgeBand::From10To17,
            18..=24 => AgeBand::From18To24,
            25..=34 => AgeBand::From25To34,
            _ => AgeBand::Over34,
        }
    }

    /// Inclusive range of ages in the band (`Over34` is capped at 120).
    pub fn ages(self) -> Option<(u32, u32)> {
        match self {
            AgeBand::Unspecified => None,
            AgeBand::Under10 => Some((0, 9)),
            AgeBand::From10To17 => Some((10, 17)),
            AgeBand::From18To24 => Some((18, 24)),
            AgeBand::From25To34 => Some((25, 34)),
            AgeBand::Over34 => Some((35, 120)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Build {
    #[default]
    Unspecified,
    Slim,
    Medium,
    Stocky,
    Heavy,
}

/// A face template from the retailer's own system; comparable only within one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct FaceTemplate {
    pub model_id: String,
    pub vector: Vec<f32>,
}

/// A date of birth as far as it is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, checking that the date exists.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |s: &str, what: &str| -> Result<u32, String> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`{text}` is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY ({what})"));
            }
            s.parse::<u32>().map_err(|e| e.to_string())
        };
        if parts.len() > 3 || parts[0].len() != 4 {
            return Err(format!("`{text}` is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY"));
        }
        let year = number(parts[0], "year")?;
        let month = parts.get(1).map(|m| number(m, "month")).transpose()?;
        let day = parts.get(2).map(|d| number(d, "day")).transpose()?;
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(format!("`{text}` has month {m}"));
        }
        if let (Some(m), Some(d)) = (month, day)
            && chrono::NaiveDate::from_ymd_opt(year as i32, m, d).is_none()
        {
            return Err(format!("`{text}` is not a real date"));
        }
        Ok(Self { year: year as u16, month: month.map(|m| m as u8), day: day.map(|d| d as u8) })
    }

    pub fn is_complete(&self) -> bool {
        self.month.is_some() && self.day.is_some()
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// What one report says about one person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct PersonSighting {
    pub role: PersonRole,
    pub given_names: String,
    pub family_name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: Option<PartialDate>,
    pub sex: Sex,
    pub age_band: AgeBand,
    pub height_cm: Option<(u32, u32)>,
    pub build: Build,
    pub distinguishing_marks: Vec<String>,
    pub clothing: String,
    pub face: Option<FaceTemplate>,
    pub marker_code: Option<String>,
    pub estimated_age: Option<u32>,
}

impl PersonSighting {
    pub fn is_named(&self) -> bool {
        !self.given_names.trim().is_empty() || !self.family_name.trim().is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum VehicleRole {
    #[default]
    Unspecified,
    UsedBySuspects,
    SeenNearby,
}

/// What one report says about one vehicle. The raw read is always kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct VehicleSighting {
    pub vrm_raw: String,
    /// Normalised mark (`?` for unknown characters of a partial read); set at ingest.
    pub vrm: String,
    pub format: VrmFormat,
    pub candidates: Vec<String>,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub role: VehicleRole,
    pub country: String,
}

/// Where a record came from and on what legal footing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Provenance {
    pub source: String,
    pub channel: String,
    pub submitted_by: String,
    pub received_at: Option<DateTime<Utc>>,
    pub lawful_basis: String,
    pub sharing_agreement: String,
    pub produced_by: String,
}

/// One incident report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Incident {
    pub id: IncidentId,
    pub retailer: RetailerId,
    pub retailer_ref: String,
    pub store: StoreId,
    /// Set from the store at ingest.
    pub force: ForceId,
    pub occurred_from: Option<DateTime<Utc>>,
    pub occurred_to: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub event_type: EventType,
    pub attempt: bool,
    pub line_items: Vec<LineItem>,
    pub violence: bool,
    pub weapon: bool,
    pub staff_detained: bool,
    pub modus_operandi: Vec<ModusOperandi>,
    pub narrative: String,
    pub police_crime_ref: String,
    pub evidence: Vec<Evidence>,
    pub grade: Grade,
    pub persons: Vec<PersonSighting>,
    pub vehicles: Vec<VehicleSighting>,
    pub provenance: Provenance,
    /// Non-fatal problems found at ingest.
    pub warnings: Vec<Problem>,
    /// Set from the store at ingest: its name and position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_location: Option<crate::store::StoreLocation>,
    /// Set at ingest: 1 for the report as first received, one more for each correction the retailer
    /// sent under the same reference (0 in records written before revisions existed: read it as 1,
    /// see [`Incident::revision`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u32,
    /// Why the retailer corrected the report; empty for the first revision.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub correction_reason: String,
    /// ORCA made this revision to stop holding something (face templates past the retention
    /// schedule, an erased person): what was kept of the earlier revisions is scrubbed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redaction: bool,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

impl Incident {
    /// The revision of the report: 1 as first received, one more for each correction.
    pub fn revision(&self) -> u32 {
        self.revision.max(1)
    }

    /// Total value at retail price, always derived from the lines.
    pub fn total_value(&self) -> Pence {
        self.line_items.iter().map(LineItem::value).sum()
    }

    /// When it happened: the start of the occurrence window (validated incidents always have one).
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_from.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_parse_and_print_back() {
        for text in ["1990-05-12", "1990-05", "1990"] {
            assert_eq!(PartialDate::parse(text).expect(text).to_string(), text);
        }
        assert!(PartialDate::parse("1990-02-30").is_err(), "no 30 February");
        assert!(PartialDate::parse("1990-13").is_err());
        assert!(PartialDate::parse("12/05/1990").is_err());
        assert!(PartialDate::parse("").is_err());
    }

    #[test]
    fn totals_are_derived_from_lines() {
        let incident = Incident {
            line_items: vec![
                LineItem { quantity: 3, unit_price_pence: 1299, ..Default::default() },
                LineItem { quantity: 1, unit_price_pence: 2500, ..Default::default() },
            ],
            ..Default::default()
        };
        assert_eq!(incident.total_value(), Pence::new(6397));
    }

    #[test]
    fn age_bands_cover_every_age() {
        assert_eq!(AgeBand::of_age(17), AgeBand::From10To17);
        assert_eq!(AgeBand::of_age(35), AgeBand::Over34);
        assert_eq!(AgeBand::From18To24.ages(), Some((18, 24)));
    }
}
