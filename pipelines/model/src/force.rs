//! The force registry: 43 territorial forces of England and Wales plus BTP, PSNI and Police
//! Scotland, compiled in from `data/forces.csv`. Everything is keyed on the data.police.uk slug.

use crate::ids::ForceId;
use std::collections::BTreeMap;
use std::sync::LazyLock;

const FORCES_CSV: &str = include_str!("../data/forces.csv");

#[derive(Clone, Debug, PartialEq)]
pub struct Force {
    pub id: ForceId,
    pub name: String,
    /// ONS police force area code; only the 43 territorial forces have one.
    pub ons_code: Option<String>,
    pub nation: String,
    /// Rough centre for maps and synthetic data (not a boundary); BTP has none.
    pub centre: Option<(f64, f64)>,
}

impl Force {
    /// Whether the force polices a territory (BTP overlaps every other force instead).
    pub fn is_territorial(&self) -> bool {
        self.id.as_str() != "btp"
    }
}

#[derive(Debug)]
pub struct ForceRegistry {
    forces: BTreeMap<ForceId, Force>,
}

static REGISTRY: LazyLock<ForceRegistry> =
    LazyLock::new(|| ForceRegistry::from_csv(FORCES_CSV).expect("the compiled-in forces.csv is valid"));

impl ForceRegistry {
    /// The compiled-in registry.
    pub fn global() -> &'static ForceRegistry {
        &REGISTRY
    }

    fn from_csv(text: &str) -> Result<Self, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut forces = BTreeMap::new();
        for (row, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("forces.csv row {}: {e}", row + 2))?;
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
            let coordinate = |i: usize| field(i).parse::<f64>().ok();
            let id = ForceId::new(field(0));
            let ons_code = Some(field(2)).filter(|c| !c.is_empty());
            let centre = coordinate(4).zip(coordinate(5));
            forces.insert(id.clone(), Force { id, name: field(1), ons_code, nation: field(3), centre });
        }
        Ok(Self { forces })
    }

    pub fn get(&self, id: &str) -> Option<&Force> {
        self.forces.get(&ForceId::new(id))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Force> {
        self.forces.values()
    }

    /// Forces with a territory and a centre, the ones that have stores in a synthetic world.
    pub fn territorial(&self) -> impl Iterator<Item = &Force> {
        self.iter().filter(|f| f.is_territorial() && f.centre.is_some())
    }

    pub fn len(&self) -> usize {
        self.forces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forces.is_empty()
    }
}

/// Great-circle distance in kilometres between two (lat, lon) points.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_has_all_46_forces_keyed_by_slug() {
        let registry = ForceRegistry::global();
        assert_eq!(registry.len(), 46);
        let met = registry.get("metropolitan").expect("met");
        assert_eq!(met.ons_code.as_deref(), Some("E23000001"));
        assert!(registry.get("city-of-london").is_some());
        assert!(registry.get("Metropolitan Police Service").is_none(), "names are not keys");
    }

    #[test]
    fn btp_has_no_territory_or_centre() {
        let btp = ForceRegistry::global().get("btp").expect("btp");
        assert!(!btp.is_territorial());
        assert_eq!(btp.centre, None);
        assert_eq!(ForceRegistry::global().territorial().count(), 45);
    }

    #[test]
    fn distance_between_london_and_birmingham_is_about_160_km() {
        let d = distance_km((51.50, -0.12), (52.48, -1.90));
        assert!((150.0..175.0).contains(&d), "{d}");
    }
}
