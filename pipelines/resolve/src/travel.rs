//! Where and when a sighting happened, and whether one person or vehicle could have made it from
//! one sighting to another. Places are force-area centres (the incident carries its force), so the
//! check allows a configurable slack before calling a journey impossible.

use orca_model::ForceRegistry;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Minutes since the Unix epoch.
    pub minute: i64,
    /// Latitude and longitude; NaN when the force has no centre (BTP).
    pub lat: f32,
    pub lon: f32,
}

impl Place {
    pub fn of_incident(incident: &orca_model::Incident) -> Self {
        let minute = incident.occurred_at().timestamp().div_euclid(60);
        let centre = ForceRegistry::global().get(incident.force.as_str()).and_then(|f| f.centre);
        let (lat, lon) = centre.map_or((f32::NAN, f32::NAN), |(lat, lon)| (lat as f32, lon as f32));
        Self { minute, lat, lon }
    }

    pub fn is_located(&self) -> bool {
        !self.lat.is_nan()
    }

    /// The calendar year of the sighting (for ages).
    pub fn year(&self) -> i32 {
        // 525,960 minutes in an average Gregorian year.
        1970 + (self.minute.div_euclid(525_960)) as i32
    }
}

/// Whether two sightings fall within one spree: hours apart at most and close enough to drive
/// between (force centres, so the distance allowed is generous).
pub fn same_spree(a: &Place, b: &Place, hours: f64, km: f64) -> bool {
    if !a.is_located() || !b.is_located() || (a.minute - b.minute).abs() as f64 > hours * 60.0 {
        return false;
    }
    orca_model::force::distance_km((f64::from(a.lat), f64::from(a.lon)), (f64::from(b.lat), f64::from(b.lon))) <= km
}

/// Whether nobody could travel between the two places in the time between them.
pub fn impossible(a: &Place, b: &Place, max_speed_kmh: f64, slack_km: f64) -> bool {
    if !a.is_located() || !b.is_located() {
        return false;
    }
    // Nothing in Great Britain and Northern Ireland is more than ~1,400 km from anything else.
    let hours = (a.minute - b.minute).abs() as f64 / 60.0;
    if max_speed_kmh * hours + slack_km > 1_400.0 {
        return false;
    }
    let distance =
        orca_model::force::distance_km((f64::from(a.lat), f64::from(a.lon)), (f64::from(b.lat), f64::from(b.lon)));
    if distance <= slack_km {
        return false;
    }
    distance - slack_km > max_speed_kmh * hours
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64, lat: f32, lon: f32) -> Place {
        Place { minute, lat, lon }
    }

    #[test]
    fn london_to_manchester_in_ten_minutes_is_impossible_but_in_a_day_is_not() {
        let london = at(0, 51.5, -0.12);
        assert!(impossible(&london, &at(10, 53.48, -2.24), 130.0, 60.0));
        assert!(!impossible(&london, &at(24 * 60, 53.48, -2.24), 130.0, 60.0));
        assert!(!impossible(&london, &at(1, 51.6, -0.2), 130.0, 60.0), "within the slack");
        assert!(!impossible(&london, &at(1, f32::NAN, f32::NAN), 130.0, 60.0), "unknown place");
    }

    #[test]
    fn a_spree_is_the_same_few_hours_within_driving_distance() {
        let london = at(0, 51.5, -0.12);
        assert!(same_spree(&london, &at(3 * 60, 51.27, 0.52), 8.0, 150.0), "Kent three hours later");
        assert!(!same_spree(&london, &at(3 * 60, 53.48, -2.24), 8.0, 150.0), "Manchester is too far");
        assert!(!same_spree(&london, &at(20 * 60, 51.5, -0.12), 8.0, 150.0), "the next day");
        assert!(!same_spree(&london, &at(60, f32::NAN, f32::NAN), 8.0, 150.0), "unknown place");
    }

    #[test]
    fn years_follow_the_calendar() {
        assert_eq!(at(0, 0.0, 0.0).year(), 1970);
        let minute = chrono::DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z").unwrap().timestamp() / 60;
        assert_eq!(at(minute, 0.0, 0.0).year(), 2024);
    }
}
