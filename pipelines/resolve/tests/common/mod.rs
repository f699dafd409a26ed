//! Hand-made incidents for the resolver's tests.
#![allow(dead_code)]

pub mod store;

use chrono::{DateTime, Duration, Utc};
use orca_model::hash::{GOLDEN_GAMMA, SplitMix64};
use orca_model::{
    AgeBand, Build, FaceTemplate, ForceId, Incident, IncidentId, PartialDate, PersonRole, PersonSighting, Sex,
    VehicleSighting,
};
use orca_resolve::{Resolver, ResolverConfig};

pub fn resolver() -> Resolver {
    Resolver::new(ResolverConfig::default())
}

pub fn at(day: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").unwrap().with_timezone(&Utc) + Duration::days(day)
}

/// An incident in a force on a day with the given sightings.
pub fn incident(
    reference: &str,
    force: &str,
    day: i64,
    persons: Vec<PersonSighting>,
    vehicles: Vec<VehicleSighting>,
) -> Incident {
    let retailer = "northmart".into();
    Incident {
        id: IncidentId::derive(&retailer, reference),
        retailer,
        retailer_ref: reference.to_owned(),
        store: "store-1".into(),
        force: ForceId::new(force),
        occurred_from: Some(at(day)),
        persons,
        vehicles,
        ..Default::default()
    }
}

pub fn named(given: &str, family: &str, dob: Option<&str>) -> PersonSighting {
    PersonSighting {
        role: PersonRole::Suspect,
        given_names: given.to_owned(),
        family_name: family.to_owned(),
        date_of_birth: dob.map(|d| PartialDate::parse(d).unwrap()),
        sex: Sex::Male,
        ..Default::default()
    }
}

/// A suspect known only by description.
pub fn described(sex: Sex, band: AgeBand, height: (u32, u32), build: Build, clothing: &str) -> PersonSighting {
    PersonSighting {
        role: PersonRole::Suspect,
        sex,
        age_band: band,
        height_cm: Some(height),
        build,
        clothing: clothing.to_owned(),
        ..Default::default()
    }
}

pub fn face(seed: u64, noise: f32) -> FaceTemplate {
    // A deterministic 64-dimensional "identity" plus a little per-sighting noise.
    let mut identity = SplitMix64::new(seed.wrapping_mul(GOLDEN_GAMMA) ^ 0x1234);
    let base: Vec<f32> = (0..64).map(|_| identity.centred_unit()).collect();
    let mut jitter = SplitMix64::new(seed ^ (noise.to_bits() as u64) ^ 0xabcdef);
    FaceTemplate {
        model_id: "vendor-x".into(),
        vector: base.into_iter().map(|v| v + noise * jitter.centred_unit()).collect(),
    }
}

pub fn vehicle(vrm: &str, make: &str, model: &str, colour: &str) -> VehicleSighting {
    let parsed = orca_model::vrm::parse(vrm, "");
    VehicleSighting {
        vrm_raw: vrm.to_owned(),
        vrm: parsed.normalised,
        format: parsed.format,
        candidates: parsed.candidates,
        make: make.to_owned(),
        model: model.to_owned(),
        colour: colour.to_owned(),
        ..Default::default()
    }
}
