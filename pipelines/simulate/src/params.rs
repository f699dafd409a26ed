//! The knobs of a world: its size, the mix of offenders, how organised groups behave, the traps
//! and the reporting noise. Every field has a documented default; the whole struct is written to
//! `truth/world.json` so a run can be reproduced and an evaluation can say what it was scored on.
//! The noise parameters are explained in NOISE.md (see [`crate::noise_model`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Everything that shapes a world. Same parameters, same world, byte for byte.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorldParams {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of incident reports to emit (duplicate reports included).
    pub incidents: u64,
    /// Length of the period in days.
    pub days: u32,
    /// First day of the period (UTC). The default lies in the past so ingest accepts every report.
    pub start_date: NaiveDate,
    pub retail: RetailParams,
    pub offenders: OffenderParams,
    pub groups: GroupParams,
    pub traps: TrapParams,
    pub noise: NoiseParams,
}

impl Default for WorldParams {
    fn default() -> Self {
        Self {
            seed: 1,
            incidents: 2_000,
            days: 365,
            start_date: NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid date"),
            retail: RetailParams::default(),
            offenders: OffenderParams::default(),
            groups: GroupParams::default(),
            traps: TrapParams::default(),
            noise: NoiseParams::default(),
        }
    }
}

impl WorldParams {
    /// Default parameters for a seed and a number of incidents.
    pub fn new(seed: u64, incidents: u64) -> Self {
        Self { seed, incidents, ..Self::default() }
    }

    /// The same parameters over a different number of days (at least one).
    pub fn with_days(mut self, days: u32) -> Self {
        self.days = days.max(1);
        self
    }
}

/// Retailers and stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetailParams {
    /// National chains taken from the built-in catalogue of 15 (grocery, convenience, pharmacy and
    /// beauty, department, DIY, electricals, fashion and sports).
    pub national_retailers: usize,
    /// Total number of stores; 0 sizes it from the incident count (one per 60 incidents, 300 to 15,000).
    pub stores: usize,
    /// Share of stores run by independent retailers (one to three stores each, in one force).
    pub independent_store_share: f64,
    /// Every territorial force gets at least this many stores, however small its population.
    pub min_stores_per_force: usize,
}

impl Default for RetailParams {
    fn default() -> Self {
        Self { national_retailers: 15, stores: 0, independent_store_share: 0.25, min_stores_per_force: 4 }
    }
}

/// The offending population other than organised groups, and how incidents are shared out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OffenderParams {
    /// Share of incidents committed by organised groups.
    pub group_incident_share: f64,
    /// Share of incidents committed by prolific local offenders.
    pub prolific_incident_share: f64,
    /// Share of incidents committed by local repeat offenders (a handful of offences each).
    pub local_incident_share: f64,
    /// Mean offences a year of one prolific offender (heavy-tailed: some do three times this).
    pub prolific_incidents_per_year: f64,
    /// At least this many prolific offenders, however small the world.
    pub min_prolific: usize,
    /// Offences of one local repeat offender, inclusive range.
    pub local_incidents: (u32, u32),
    /// Days over which a local repeat offender is active, inclusive range.
    pub local_active_days: (u32, u32),
    /// Share of one-off incidents committed by two or three one-off offenders together.
    pub one_off_co_offender_rate: f64,
    /// Share of prolific offenders who use a car.
    pub prolific_vehicle_rate: f64,
    /// Share of a prolific offender's incidents done with their usual companion (two people are not
    /// an organised group).
    pub prolific_companion_rate: f64,
    /// Share of a prolific offender's incidents in a neighbouring force.
    pub prolific_travel_rate: f64,
    /// Share of prolific offenders who spend part of the period in custody (a gap in offending).
    pub prolific_custody_rate: f64,
}

impl Default for OffenderParams {
    fn default() -> Self {
        Self {
            group_incident_share: 0.18,
            prolific_incident_share: 0.22,
            local_incident_share: 0.15,
            prolific_incidents_per_year: 60.0,
            min_prolific: 8,
            local_incidents: (2, 6),
            local_active_days: (30, 150),
            one_off_co_offender_rate: 0.2,
            prolific_vehicle_rate: 0.35,
            prolific_companion_rate: 0.15,
            prolific_travel_rate: 0.1,
            prolific_custody_rate: 0.2,
        }
    }
}

/// Organised crime groups: travelling crews with a core and a periphery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupParams {
    /// At least this many groups, however small the world (small worlds still need several).
    pub min_groups: usize,
    /// Mean incidents a year of one group; sets the number of groups in a large world.
    pub incidents_per_group_year: f64,
    /// Everyone who was ever a member, inclusive range (membership changes included).
    pub size: (u32, u32),
    /// Share of initial members in the core (at least 2, at most 4); the core is out on every spree.
    pub core_share: f64,
    /// Chance that a periphery member is out on a given spree day.
    pub periphery_presence: f64,
    /// Forces along the group's corridor (home force included), inclusive range.
    pub corridor_forces: (u32, u32),
    /// A corridor steps to one of this many nearest force centres.
    pub neighbours_considered: usize,
    /// Stores hit on one spree day, inclusive range.
    pub stores_per_day: (u32, u32),
    /// Chance that a group changes membership during the period (a member leaves, a new one joins).
    pub membership_change_rate: f64,
    /// Vehicles a group uses, inclusive range.
    pub vehicles: (u32, u32),
    /// Chance that a report of a group incident records a vehicle.
    pub vehicle_recorded_rate: f64,
    /// Share of group vehicles on a cloned plate (the mark of another real vehicle elsewhere).
    pub cloned_plate_rate: f64,
    /// Share of group vehicles on false plates (a made-up mark, changed during the period).
    pub false_plate_rate: f64,
    /// Share of group vehicles on foreign plates.
    pub foreign_plate_rate: f64,
    /// Value stolen in one group incident, in pence, inclusive range (steal-to-order volumes).
    pub value_pence: (i64, i64),
}

impl Default for GroupParams {
    fn default() -> Self {
        Self {
            min_groups: 6,
            incidents_per_group_year: 300.0,
            size: (3, 12),
            core_share: 0.4,
            periphery_presence: 0.45,
            corridor_forces: (2, 5),
            neighbours_considered: 4,
            stores_per_day: (2, 6),
            membership_change_rate: 0.7,
            vehicles: (1, 3),
            vehicle_recorded_rate: 0.55,
            cloned_plate_rate: 0.25,
            false_plate_rate: 0.2,
            foreign_plate_rate: 0.08,
            value_pence: (25_000, 400_000),
        }
    }
}

/// Deliberate traps for careless matching, per thousand repeat offenders (with a floor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrapParams {
    /// Pairs of different people with the same common full name.
    pub common_name_pairs_per_1000: f64,
    /// Pairs of relatives: same surname, same area, similar age, different people.
    pub relative_pairs_per_1000: f64,
    /// Pairs of never-named lookalikes: near-identical descriptions in the same area.
    pub lookalike_pairs_per_1000: f64,
    /// At least this many pairs of each kind.
    pub min_pairs: usize,
}

impl Default for TrapParams {
    fn default() -> Self {
        Self {
            common_name_pairs_per_1000: 5.0,
            relative_pairs_per_1000: 4.0,
            lookalike_pairs_per_1000: 4.0,
            min_pairs: 3,
        }
    }
}

/// How reports distort the truth. See NOISE.md for the table with the reasoning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoiseParams {
    /// Chance that a sighting is named, by kind of offender.
    pub named_rate_one_off: f64,
    pub named_rate_local: f64,
    pub named_rate_prolific: f64,
    pub named_rate_group_core: f64,
    pub named_rate_group_periphery: f64,
    /// Given name replaced by a nickname (Bill for William).
    pub nickname_rate: f64,
    /// A name misspelt (a spelling variant or a typing slip).
    pub misspelling_rate: f64,
    /// Given and family names swapped.
    pub swapped_names_rate: f64,
    /// An alias reported as the name.
    pub alias_used_rate: f64,
    /// Known aliases listed alongside the name.
    pub aliases_listed_rate: f64,
    /// A middle name included when the person has one.
    pub middle_name_rate: f64,
    /// Date of birth given on a named sighting.
    pub dob_given_rate: f64,
    /// Of the dates given: day and month swapped, one digit wrong, year only, year off by one.
    pub dob_day_month_swap_rate: f64,
    pub dob_digit_typo_rate: f64,
    pub dob_year_only_rate: f64,
    pub dob_year_off_by_one_rate: f64,
    /// Sex not recorded.
    pub sex_unreported_rate: f64,
    /// Standard deviation of a witness's estimate of a 35-year-old's age, in years (scaled with
    /// age: about 2 years for a teenager, 7 for a 50-year-old).
    pub age_estimate_sd_years: f64,
    /// An estimated age recorded besides the band.
    pub estimated_age_rate: f64,
    /// A height range recorded; standard deviation of its centre, in cm.
    pub height_reported_rate: f64,
    pub height_error_sd_cm: f64,
    /// Build recorded; of those, recorded one step off.
    pub build_reported_rate: f64,
    pub build_wrong_rate: f64,
    /// Each distinguishing mark noticed and recorded.
    pub mark_reported_rate: f64,
    /// Clothing described.
    pub clothing_reported_rate: f64,
    /// Face template length.
    pub face_dimensions: usize,
    /// A face template captured at a store whose retailer runs face recognition.
    pub face_capture_rate: f64,
    /// Per-capture noise of a face template, as a range of standard deviations per component
    /// (image quality varies); same-person cosine falls from about 0.9 to 0.5 across it.
    pub face_noise: (f64, f64),
    /// Weight of the shared population direction in every face (sets different-person cosine ~0.2).
    pub face_population_weight: f64,
    /// Chance that the offenders in an incident at a marker-spraying retailer get tagged.
    pub tagging_rate: f64,
    /// A tagged person's marker code recorded on a later sighting.
    pub marker_reported_rate: f64,
    /// Plate reads: one or two characters misread as a confusable character.
    pub plate_misread_rate: f64,
    /// Plate reads: a partial read with wildcards.
    pub plate_partial_rate: f64,
    /// Plate reads: no plate read at all, only a description.
    pub plate_unread_rate: f64,
    /// Plate reads: written untidily (lower case, odd spacing).
    pub plate_untidy_rate: f64,
    /// Vehicle colour recorded as a near colour (silver for grey).
    pub vehicle_colour_wrong_rate: f64,
    /// Vehicle model left out (make and colour only).
    pub vehicle_model_missing_rate: f64,
    /// An innocent vehicle noted as seen nearby.
    pub vehicle_seen_nearby_rate: f64,
    /// The same incident reported twice under a different reference.
    pub duplicate_rate: f64,
    /// A police crime reference included.
    pub police_ref_rate: f64,
    /// Evidence references (CCTV, body-worn, photos) included.
    pub evidence_rate: f64,
    /// A witness listed among the persons (never an offender).
    pub witness_rate: f64,
    /// A victim (a member of staff) listed on violent, abusive or threatening incidents.
    pub victim_rate_violent: f64,
    /// Role `offender` instead of `suspect` (charged or convicted).
    pub offender_role_rate: f64,
    /// Share of reports sent days late; the latest arrive this many days after the incident.
    pub late_report_rate: f64,
    pub max_report_delay_days: u32,
}

impl Default for NoiseParams {
    fn default() -> Self {
        Self {
            named_rate_one_off: 0.22,
            named_rate_local: 0.35,
            named_rate_prolific: 0.5,
            named_rate_group_core: 0.15,
            named_rate_group_periphery: 0.08,
            nickname_rate: 0.15,
            misspelling_rate: 0.12,
            swapped_names_rate: 0.04,
            alias_used_rate: 0.06,
            aliases_listed_rate: 0.1,
            middle_name_rate: 0.2,
            dob_given_rate: 0.55,
            dob_day_month_swap_rate: 0.05,
            dob_digit_typo_rate: 0.05,
            dob_year_only_rate: 0.1,
            dob_year_off_by_one_rate: 0.05,
            sex_unreported_rate: 0.03,
            age_estimate_sd_years: 5.0,
            estimated_age_rate: 0.4,
            height_reported_rate: 0.6,
            height_error_sd_cm: 5.0,
            build_reported_rate: 0.8,
            build_wrong_rate: 0.15,
            mark_reported_rate: 0.5,
            clothing_reported_rate: 0.9,
            face_dimensions: 128,
            face_capture_rate: 0.6,
            face_noise: (0.03, 0.09),
            face_population_weight: 0.5,
            tagging_rate: 0.005,
            marker_reported_rate: 0.5,
            plate_misread_rate: 0.12,
            plate_partial_rate: 0.12,
            plate_unread_rate: 0.06,
            plate_untidy_rate: 0.2,
            vehicle_colour_wrong_rate: 0.1,
            vehicle_model_missing_rate: 0.3,
            vehicle_seen_nearby_rate: 0.03,
            duplicate_rate: 0.02,
            police_ref_rate: 0.4,
            evidence_rate: 0.55,
            witness_rate: 0.06,
            victim_rate_violent: 0.6,
            offender_role_rate: 0.05,
            late_report_rate: 0.05,
            max_report_delay_days: 7,
        }
    }
}
