//! Retailers and their stores: fifteen national chains (a fictional catalogue covering the kinds of
//! shop that suffer most) plus independents with one to three shops each. Stores go where people
//! live (force population weights) and every territorial force gets some. A few chains run face
//! recognition (each with its own model, two sharing a vendor) and some spray forensic markers.

use crate::geography::Geography;
use crate::goods::{SPECIALISMS, ShopKind};
use crate::params::WorldParams;
use crate::random::{Purpose, Weighted, normal, pick, pick_weighted, rng_for};
use orca_model::{RetailerId, Store, StoreId};
use rand::Rng;
use serde::Serialize;
use std::collections::HashSet;

/// How a retailer's own system numbers its reports; none of them encodes anything ORCA knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReferenceStyle {
    /// `MM-2025-0004821`: a prefix, the year and a running counter.
    Counter,
    /// `K7Q2M9XP4D`: a random token.
    Token,
    /// A random UUID.
    Uuid,
    /// A bare running number, as small shops' systems do.
    Number,
}

/// A retailer that submits reports.
#[derive(Clone, Debug, Serialize)]
pub struct Retailer {
    pub id: RetailerId,
    pub name: String,
    pub kind: ShopKind,
    pub national: bool,
    /// The face-recognition model whose templates this retailer submits, if it runs one.
    pub face_model: Option<String>,
    /// Whether its stores spray forensic markers on thieves.
    pub marker_spray: bool,
    pub reference_style: ReferenceStyle,
    #[serde(skip)]
    pub(crate) prefix: String,
}

/// (id, name, kind, relative number of stores, face model, marker spray, reference style, prefix)
type CatalogueRow =
    (&'static str, &'static str, ShopKind, f64, Option<&'static str>, bool, ReferenceStyle, &'static str);

const NATIONALS: &[CatalogueRow] = &[
    ("meadowmart", "Meadowmart", ShopKind::Grocery, 3.0, Some("fr-alpha-v3"), true, ReferenceStyle::Counter, "MM"),
    ("brightons", "Brightons", ShopKind::Grocery, 2.5, None, true, ReferenceStyle::Token, "BRT"),
    ("valufresh", "ValuFresh", ShopKind::Grocery, 2.0, None, false, ReferenceStyle::Uuid, "VF"),
    ("corner-larder", "Corner Larder", ShopKind::Convenience, 2.5, None, false, ReferenceStyle::Counter, "CL"),
    ("quickstop", "QuickStop", ShopKind::Convenience, 2.0, None, true, ReferenceStyle::Token, "QS"),
    (
        "northgate-coop",
        "Northgate Co-operative",
        ShopKind::Convenience,
        2.0,
        Some("fr-sentinel-2"),
        true,
        ReferenceStyle::Counter,
        "NG",
    ),
    ("lark-pharmacy", "Lark Pharmacy", ShopKind::PharmacyBeauty, 1.5, None, true, ReferenceStyle::Counter, "LK"),
    (
        "belle-beauty",
        "Belle Beauty",
        ShopKind::PharmacyBeauty,
        1.0,
        Some("fr-alpha-v3"),
        false,
        ReferenceStyle::Uuid,
        "BB",
    ),
    ("hartwell", "Hartwell", ShopKind::Department, 0.6, None, false, ReferenceStyle::Token, "HW"),
    ("kestrel-diy", "Kestrel DIY", ShopKind::Diy, 0.8, None, true, ReferenceStyle::Counter, "KD"),
    ("toolyard", "Toolyard", ShopKind::Diy, 0.6, None, false, ReferenceStyle::Token, "TY"),
    ("voltline", "Voltline", ShopKind::Electricals, 0.7, None, false, ReferenceStyle::Counter, "VL"),
    ("pixelhouse", "PixelHouse", ShopKind::Electricals, 0.5, None, false, ReferenceStyle::Uuid, "PX"),
    ("stride-sports", "Stride Sports", ShopKind::FashionSports, 0.8, None, false, ReferenceStyle::Uuid, "SS"),
    ("threadline", "Threadline", ShopKind::FashionSports, 0.7, None, true, ReferenceStyle::Counter, "TL"),
];

const INDEPENDENT_KINDS: &[((ShopKind, &str), f64)] = &[
    ((ShopKind::Convenience, "Convenience Store"), 0.45),
    ((ShopKind::OffLicence, "Wines"), 0.2),
    ((ShopKind::PharmacyBeauty, "Pharmacy"), 0.15),
    ((ShopKind::Diy, "Hardware"), 0.1),
    ((ShopKind::FashionSports, "Boutique"), 0.1),
];

const OWNER_NAMES: &[&str] = &[
    "Patel", "Singh", "Shah", "Khan", "Evans", "Murphy", "Hughes", "Ahmed", "Brown", "Taylor", "Kaur", "Mistry",
    "Green", "Walsh", "Nowak", "Rahman", "Parry", "Campbell", "Reid", "Lloyd",
];

const STORE_SUFFIXES: &[&str] = &[
    "High Street",
    "Retail Park",
    "Station Road",
    "Market Place",
    "Shopping Centre",
    "Superstore",
    "Express",
    "Broadway",
    "Parade",
    "Precinct",
    "Road",
    "Central",
];

/// Where a store sits in the simulator's indices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StorePlace {
    pub retailer: usize,
    pub area: usize,
}

/// Retailers, stores and the look-up tables the planner picks stores from.
#[derive(Clone, Debug)]
pub(crate) struct RetailWorld {
    pub retailers: Vec<Retailer>,
    pub stores: Vec<Store>,
    pub places: Vec<StorePlace>,
    /// Stores of each area with a theft-weighted picker.
    pub by_area: Vec<(Vec<usize>, Weighted)>,
    /// Per area and specialism (index into `SPECIALISMS`), the stores that stock it.
    pub by_area_specialism: Vec<Vec<Vec<usize>>>,
    /// Every store, theft-weighted.
    pub all: Weighted,
}

impl RetailWorld {
    pub fn build(params: &WorldParams, geography: &Geography) -> Self {
        let mut rng = rng_for(params.seed, Purpose::Stores, 0);
        let mut retailers: Vec<Retailer> = NATIONALS
            .iter()
            .take(params.retail.national_retailers.min(NATIONALS.len()))
            .map(|row| Retailer {
                id: RetailerId::new(row.0),
                name: row.1.to_owned(),
                kind: row.2,
                national: true,
                face_model: row.4.map(str::to_owned),
                marker_spray: row.5,
                reference_style: row.6,
                prefix: row.7.to_owned(),
            })
            .collect();
        let total_stores = if params.retail.stores > 0 {
            params.retail.stores
        } else {
            ((params.incidents / 60) as usize).clamp(300, 15_000)
        };
        let independent_share = params.retail.independent_store_share.clamp(0.0, 1.0);
        let national_stores =
            if retailers.is_empty() { 0 } else { (total_stores as f64 * (1.0 - independent_share)).round() as usize };
        let area_weights = Weighted::new(geography.areas.iter().map(|a| a.population_millions));
        let mut builder = StoreBuilder::default();

        let sizes = Weighted::new(NATIONALS.iter().take(retailers.len()).map(|row| row.3));
        for _ in 0..national_stores {
            let retailer = sizes.pick(&mut rng);
            let area = area_weights.pick(&mut rng);
            builder.add(&mut rng, &retailers, geography, retailer, area);
        }
        let mut independent_stores = total_stores.saturating_sub(national_stores);
        let mut owners_used = HashSet::new();
        while independent_stores > 0 {
            let &(kind, kind_name) = pick_weighted(&mut rng, INDEPENDENT_KINDS);
            let area = area_weights.pick(&mut rng);
            let town = *pick(&mut rng, geography.areas[area].towns);
            let name = if rng.random_bool(0.5) {
                format!("{} {kind_name}", pick(&mut rng, OWNER_NAMES))
            } else {
                format!("{town} {kind_name}")
            };
            let mut id = slug(&name);
            while !owners_used.insert(id.clone()) {
                id = format!("{}-{}", slug(&name), rng.random_range(2..1000));
            }
            retailers.push(Retailer {
                id: RetailerId::new(id),
                name,
                kind,
                national: false,
                face_model: None,
                marker_spray: rng.random_bool(0.1),
                reference_style: ReferenceStyle::Number,
                prefix: String::new(),
            });
            let count = rng.random_range(1..=3usize).min(independent_stores);
            for _ in 0..count {
                builder.add(&mut rng, &retailers, geography, retailers.len() - 1, area);
            }
            independent_stores -= count;
        }
        // Every force has stores, however few people live there.
        let everyday: Vec<usize> = (0..retailers.len())
            .filter(|&r| {
                retailers[r].national && matches!(retailers[r].kind, ShopKind::Grocery | ShopKind::Convenience)
            })
            .collect();
        let fallback: Vec<usize> = if everyday.is_empty() { (0..retailers.len()).collect() } else { everyday };
        for area in 0..geography.areas.len() {
            while !fallback.is_empty() && builder.count_in(area) < params.retail.min_stores_per_force {
                let retailer = *pick(&mut rng, &fallback);
                builder.add(&mut rng, &retailers, geography, retailer, area);
            }
        }
        builder.finish(retailers, geography)
    }

    pub fn retailer_of(&self, store: usize) -> &Retailer {
        &self.retailers[self.places[store].retailer]
    }
}

#[derive(Default)]
struct StoreBuilder {
    stores: Vec<Store>,
    places: Vec<StorePlace>,
    ids: HashSet<String>,
    per_area: Vec<usize>,
}

impl StoreBuilder {
    fn count_in(&self, area: usize) -> usize {
        self.per_area.get(area).copied().unwrap_or(0)
    }

    fn add<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        retailers: &[Retailer],
        geography: &Geography,
        retailer: usize,
        area: usize,
    ) {
        let owner = &retailers[retailer];
        let place = &geography.areas[area];
        let id = loop {
            let candidate = if owner.national {
                format!("{}-{:06}", owner.prefix, rng.random_range(0..1_000_000))
            } else {
                format!("{}-{}", owner.id, rng.random_range(1..100))
            };
            if self.ids.insert(candidate.clone()) {
                break candidate;
            }
        };
        let town = *pick(rng, place.towns);
        let name = if owner.national {
            format!("{} {town} {}", owner.name, pick(rng, STORE_SUFFIXES))
        } else {
            format!("{} ({town})", owner.name)
        };
        let postcode = format!(
            "{}{} {}{}{}",
            pick(rng, place.postcode_areas),
            rng.random_range(1..=29),
            rng.random_range(1..=9),
            *pick(rng, INWARD_LETTERS) as char,
            *pick(rng, INWARD_LETTERS) as char
        );
        // Inside the British Isles, as registration requires: a normal's tail otherwise puts one
        // store in thousands in the North Sea (seed 2 at 1,000,000 incidents did).
        let lat = normal(rng, place.centre.0, place.spread_degrees * 0.6).clamp(49.1, 60.9);
        let lon =
            normal(rng, place.centre.1, place.spread_degrees / place.centre.0.to_radians().cos()).clamp(-8.6, 1.9);
        self.stores.push(Store {
            id: StoreId::new(id),
            retailer: owner.id.clone(),
            name,
            postcode,
            force: place.force.clone(),
            lat: (lat * 1e5).round() / 1e5,
            lon: (lon * 1e5).round() / 1e5,
        });
        self.places.push(StorePlace { retailer, area });
        if self.per_area.len() <= area {
            self.per_area.resize(area + 1, 0);
        }
        self.per_area[area] += 1;
    }

    fn finish(self, retailers: Vec<Retailer>, geography: &Geography) -> RetailWorld {
        let weight = |s: usize| retailers[self.places[s].retailer].kind.theft_weight();
        let mut by_area = Vec::with_capacity(geography.areas.len());
        let mut by_area_specialism = Vec::with_capacity(geography.areas.len());
        for area in 0..geography.areas.len() {
            let stores: Vec<usize> = (0..self.stores.len()).filter(|&s| self.places[s].area == area).collect();
            let table = Weighted::new(stores.iter().map(|&s| weight(s)));
            let specialist = SPECIALISMS
                .iter()
                .map(|categories| {
                    stores
                        .iter()
                        .copied()
                        .filter(|&s| retailers[self.places[s].retailer].kind.stocks_any(categories))
                        .collect()
                })
                .collect();
            by_area.push((stores, table));
            by_area_specialism.push(specialist);
        }
        let all = Weighted::new((0..self.stores.len()).map(weight));
        RetailWorld { retailers, stores: self.stores, places: self.places, by_area, by_area_specialism, all }
    }
}

/// Letters used in the inward part of a postcode (never C, I, K, M, O or V).
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() && c != '\'' {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retailer_ids_are_valid_slugs() {
        assert_eq!(slug("Patel's Convenience Store"), "patels-convenience-store");
        assert_eq!(slug("King's Lynn Wines"), "kings-lynn-wines");
    }
}
