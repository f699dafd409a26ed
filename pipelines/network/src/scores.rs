//! Group scores as a vector of factors with the evidence behind each, never one opaque number, and
//! a priority band computed from the vector by the rule in [`ScoringRules`] (stated in each score).
//!
//! Factors (each `value` in its natural unit, each `band` low / medium / high):
//! - `harm`: total loss in pounds; `high` from `harm_high_loss_pence`, or any violence, weapon or
//!   staff detained; `medium` from `harm_medium_loss_pence`.
//! - `scope`: forces hit; `high` from `scope_high_forces`, `medium` at two; retailers and stores as
//!   evidence.
//! - `frequency`: group incidents in the last `recent_days` before the group's latest incident, and
//!   the trend against the `previous_days` before that (per-day rates); `high` from
//!   `frequency_high_recent`, `medium` when the trend is rising or any recent incident.
//! - `capability`: vehicles, suspected cloned or false plates, steal-to-order signs; `high` with a
//!   disguised plate, `medium` with any vehicle or steal-to-order.
//! - `confidence`: mean match probability of the sightings the group rests on and the incidents'
//!   grades; `low` below `confidence_low_probability`, `high` from 0.95.
//!
//! Priority band: `high` when at least `high_band_min_high_factors` of harm, scope, frequency and
//! capability are `high`, one of them among `high_band_needs_one_of` (frequency or capability:
//! activity now or organised means); `medium` when one is; otherwise `low`. Low confidence lowers the band by
//! one step (an analyst should confirm the links first).

use crate::config::ScoringRules;
use chrono::{DateTime, Duration, Utc};
use orca_model::Pence;
use orca_model::package::{Score, ScoreFactor};

/// What a score is computed from, gathered by the group builder.
#[derive(Clone, Debug, Default)]
pub struct ScoreInput {
    pub total_loss_pence: Pence,
    pub violent_incidents: usize,
    pub staff_detained_incidents: usize,
    pub forces: usize,
    pub retailers: usize,
    pub stores: usize,
    /// Time of every group incident.
    pub incident_times: Vec<DateTime<Utc>>,
    pub vehicles: usize,
    pub disguised_plates: usize,
    pub steal_to_order_incidents: usize,
    /// Match probability of every sighting in a group incident.
    pub probabilities: Vec<f64>,
    /// Grades of the incidents, as `source` + `intelligence` (`2A`).
    pub weakest_grade: String,
}

pub fn score(input: &ScoreInput, rules: &ScoringRules) -> Score {
    let harm = harm(input, rules);
    let scope = scope(input, rules);
    let frequency = frequency(input, rules);
    let capability = capability(input);
    let confidence = confidence(input, rules);
    let four = [&harm, &scope, &frequency, &capability];
    let high = four.iter().filter(|f| f.band == "high").count();
    let needed = &rules.high_band_needs_one_of;
    let active = needed.is_empty() || four.iter().any(|f| f.band == "high" && needed.contains(&f.name));
    let mut band = if high >= rules.high_band_min_high_factors && active {
        2
    } else if high >= 1 {
        1
    } else {
        0
    };
    if confidence.band == "low" && band > 0 {
        band -= 1;
    }
    Score {
        priority_band: ["low", "medium", "high"][band].to_owned(),
        factors: vec![harm, scope, frequency, capability, confidence],
        rule: format!(
            "high when at least {} of harm, scope, frequency and capability are high{}; medium when one is; \
             otherwise low; low confidence lowers the band one step",
            rules.high_band_min_high_factors,
            if needed.is_empty() { String::new() } else { format!(", one of them {}", needed.join(" or ")) }
        ),
    }
}

/// Values are rounded to six decimals so they survive a JSON round trip unchanged.
fn factor(name: &str, value: f64, band: &str, evidence: Vec<String>) -> ScoreFactor {
    let value = (value * 1e6).round() / 1e6;
    ScoreFactor { name: name.to_owned(), value, band: band.to_owned(), evidence }
}

fn harm(input: &ScoreInput, rules: &ScoringRules) -> ScoreFactor {
    let pounds = input.total_loss_pence.get() as f64 / 100.0;
    let band = if input.total_loss_pence >= Pence::new(rules.harm_high_loss_pence)
        || input.violent_incidents > 0
        || input.staff_detained_incidents > 0
    {
        "high"
    } else if input.total_loss_pence >= Pence::new(rules.harm_medium_loss_pence) {
        "medium"
    } else {
        "low"
    };
    let mut evidence = vec![format!("total loss £{pounds:.0}")];
    if input.violent_incidents > 0 {
        evidence.push(format!("{} incidents with violence or a weapon", input.violent_incidents));
    }
    if input.staff_detained_incidents > 0 {
        evidence.push(format!("{} incidents where staff detained a suspect", input.staff_detained_incidents));
    }
    factor("harm", pounds, band, evidence)
}

fn scope(input: &ScoreInput, rules: &ScoringRules) -> ScoreFactor {
    let band = if input.forces >= rules.scope_high_forces {
        "high"
    } else if input.forces >= 2 {
        "medium"
    } else {
        "low"
    };
    factor(
        "scope",
        input.forces as f64,
        band,
        vec![
            format!("{} forces", input.forces),
            format!("{} retailers", input.retailers),
            format!("{} stores", input.stores),
        ],
    )
}

fn frequency(input: &ScoreInput, rules: &ScoringRules) -> ScoreFactor {
    let Some(&latest) = input.incident_times.iter().max() else {
        return factor("frequency", 0.0, "low", vec!["no incidents".to_owned()]);
    };
    let recent_start = latest - Duration::days(rules.recent_days);
    let previous_start = recent_start - Duration::days(rules.previous_days);
    let recent = input.incident_times.iter().filter(|&&t| t > recent_start).count();
    let previous = input.incident_times.iter().filter(|&&t| t > previous_start && t <= recent_start).count();
    let recent_rate = recent as f64 / rules.recent_days.max(1) as f64;
    let previous_rate = previous as f64 / rules.previous_days.max(1) as f64;
    let trend = if previous == 0 && recent > 0 {
        "rising (new activity)".to_owned()
    } else if recent_rate > previous_rate * 1.25 {
        format!("rising ×{:.1}", recent_rate / previous_rate)
    } else if recent_rate < previous_rate * 0.75 {
        format!("falling ×{:.1}", recent_rate / previous_rate)
    } else {
        "steady".to_owned()
    };
    let band = if recent >= rules.frequency_high_recent {
        "high"
    } else if recent > 0 {
        "medium"
    } else {
        "low"
    };
    factor(
        "frequency",
        recent as f64,
        band,
        vec![
            format!("{recent} incidents in the {} days to the latest", rules.recent_days),
            format!("{previous} incidents in the {} days before", rules.previous_days),
            format!("trend {trend}"),
            format!("{} incidents in all", input.incident_times.len()),
        ],
    )
}

fn capability(input: &ScoreInput) -> ScoreFactor {
    let band = if input.disguised_plates > 0 {
        "high"
    } else if input.vehicles > 0 || input.steal_to_order_incidents > 0 {
        "medium"
    } else {
        "low"
    };
    let mut evidence = vec![format!("{} vehicles", input.vehicles)];
    if input.disguised_plates > 0 {
        evidence.push(format!("{} vehicles on suspected cloned or false plates", input.disguised_plates));
    }
    if input.steal_to_order_incidents > 0 {
        evidence.push(format!("{} incidents with steal-to-order signs", input.steal_to_order_incidents));
    }
    let value =
        input.vehicles as f64 + 2.0 * input.disguised_plates as f64 + f64::from(input.steal_to_order_incidents > 0);
    factor("capability", value, band, evidence)
}

fn confidence(input: &ScoreInput, rules: &ScoringRules) -> ScoreFactor {
    let count = input.probabilities.len();
    let mean = if count == 0 { 0.0 } else { input.probabilities.iter().sum::<f64>() / count as f64 };
    let weakest = input.probabilities.iter().copied().fold(f64::INFINITY, f64::min);
    let band = if mean < rules.confidence_low_probability {
        "low"
    } else if mean >= 0.95 {
        "high"
    } else {
        "medium"
    };
    let mut evidence = vec![format!("mean match probability {mean:.2} over {count} sightings")];
    if count > 0 {
        evidence.push(format!("weakest link p={weakest:.2}"));
    }
    if !input.weakest_grade.is_empty() {
        evidence.push(format!("weakest incident grade {}", input.weakest_grade));
    }
    factor("confidence", mean, band, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Large settled harm across many forces: loss and reach high, nothing recent, no vehicles.
    fn settled_harm() -> ScoreInput {
        let day = |d: i64| Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap() + Duration::days(d);
        ScoreInput {
            total_loss_pence: Pence::new(5_000_000),
            forces: 4,
            retailers: 3,
            stores: 6,
            incident_times: (0..12).map(|i| day(i * 20)).collect(),
            probabilities: vec![0.99; 12],
            ..ScoreInput::default()
        }
    }

    #[test]
    fn harm_and_reach_alone_are_medium_and_recent_activity_makes_them_high() {
        let rules = ScoringRules::default();
        let settled = score(&settled_harm(), &rules);
        assert_eq!(settled.priority_band, "medium", "{settled:?}");
        assert!(settled.rule.contains("one of them frequency or capability"), "{}", settled.rule);

        let mut active = settled_harm();
        let last = *active.incident_times.last().unwrap();
        active.incident_times.extend((1..=8).map(|h| last - Duration::hours(h)));
        assert_eq!(score(&active, &rules).priority_band, "high");

        let mut on_false_plates = settled_harm();
        (on_false_plates.vehicles, on_false_plates.disguised_plates) = (1, 1);
        assert_eq!(score(&on_false_plates, &rules).priority_band, "high");

        let unconditional = ScoringRules { high_band_needs_one_of: Vec::new(), ..ScoringRules::default() };
        assert_eq!(score(&settled_harm(), &unconditional).priority_band, "high");
    }
}
