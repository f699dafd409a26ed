//! Comparing a vehicle sighting with a vehicle entity.

use super::features::{PlateTable, VehicleFeatures, VehicleSummary};
use crate::config::ResolverConfig;
use crate::levels::PlateLevel;
use crate::model::{Comparison, Evidence, Weights};
use crate::travel;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VehicleScore {
    pub total: f64,
    /// How the plates agree; `None` when they do not, and the entity is no candidate.
    pub plate: Option<PlateLevel>,
    /// Make, model or colour disagree, or the vehicle could not have travelled between sightings.
    pub conflict: bool,
    /// Make or model agree (what a partial read needs).
    pub corroborated: bool,
}

pub struct VehicleScorer<'a> {
    pub weights: &'a Weights,
    pub plates: &'a PlateTable,
    pub config: &'a ResolverConfig,
}

impl VehicleScorer<'_> {
    pub fn compare(
        &self,
        qf: &VehicleFeatures,
        q: &VehicleSummary,
        e: &VehicleSummary,
        out: &mut Vec<Evidence>,
    ) -> VehicleScore {
        out.clear();
        let mut score = VehicleScore::default();
        let w = self.weights;
        out.push(Evidence { comparison: Comparison::Prior, level: 0, weight: w.vehicle_prior });
        let plate_level = if q.plates.iter().any(|p| e.plates.contains(p)) {
            Some(PlateLevel::Exact)
        } else if qf.repaired.iter().any(|p| e.plates.contains(p)) {
            Some(PlateLevel::Repaired)
        } else if let Some(partial) = &qf.partial {
            e.plates.iter().any(|&p| partial.matches(self.plates.text(p))).then_some(PlateLevel::Partial)
        } else {
            let distance = q
                .plates
                .iter()
                .flat_map(|&a| {
                    e.plates
                        .iter()
                        .map(move |&b| orca_model::vrm::misread_distance(self.plates.text(a), self.plates.text(b)))
                })
                .reduce(f64::min);
            match distance {
                Some(d) if d <= 0.25 => Some(PlateLevel::MisreadClose),
                Some(d) if d <= 0.5 => Some(PlateLevel::MisreadFar),
                _ => None,
            }
        };
        score.plate = plate_level;
        let Some(level) = plate_level else {
            return score;
        };
        let plate_weight = if level == PlateLevel::Partial {
            // A partial read is as strong as the characters it pins down.
            let known = qf.partial.as_ref().map_or(0, |p| p.known_characters()) as f32;
            (known * 2.5).min(w.weight(Comparison::Plate, PlateLevel::Exact.into()) - 4.0)
        } else {
            w.weight(Comparison::Plate, level.into())
        };
        out.push(Evidence { comparison: Comparison::Plate, level: level.into(), weight: plate_weight });
        let attribute = |comparison: Comparison, mine: &[u32], theirs: &[u32], out: &mut Vec<Evidence>| {
            if mine.is_empty() || theirs.is_empty() {
                return None;
            }
            let level = if mine.iter().any(|m| theirs.contains(m)) { 0 } else { 1 };
            out.push(Evidence { comparison, level, weight: w.weight(comparison, level) });
            Some(level == 0)
        };
        let make = attribute(Comparison::Make, &q.makes, &e.makes, out);
        let model = attribute(Comparison::Model, &q.models, &e.models, out);
        score.corroborated = make == Some(true) || model == Some(true);
        score.conflict = make == Some(false) || model == Some(false);
        if !q.colours.is_empty() && !e.colours.is_empty() {
            let level = if q.colours.iter().any(|c| e.colours.contains(c)) {
                0
            } else if q.colours.iter().any(|c| e.colours.iter().any(|d| d.1 == c.1)) {
                1
            } else {
                2
            };
            score.conflict |= level == 2;
            out.push(Evidence { comparison: Comparison::Colour, level, weight: w.weight(Comparison::Colour, level) });
        }
        let impossible = q.places.iter().any(|a| {
            e.places
                .iter()
                .any(|b| travel::impossible(a, b, self.config.max_travel_speed_kmh, self.config.travel_slack_km))
        });
        if impossible {
            score.conflict = true;
            out.push(Evidence { comparison: Comparison::Travel, level: 0, weight: w.weight(Comparison::Travel, 0) });
        }
        score.total = out.iter().map(|e| f64::from(e.weight)).sum();
        score
    }
}
