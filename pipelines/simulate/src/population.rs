//! The repeat-offending population, sized from the number of incidents: local repeat offenders (a
//! handful of offences in a few months), prolific local offenders (dozens a year, heavy-tailed, some
//! with a car or a regular companion, some with a spell in custody), and organised groups (see
//! [`crate::groups`]). One-off offenders are not stored: each is made when needed from its own seed.
//! Traps for careless matching are planted here (see [`crate::traps`]).

use crate::geography::Geography;
use crate::params::WorldParams;
use crate::people::{Identity, Profile};
use crate::random::{Weighted, WorldRng, in_range, normal};
use crate::retail::RetailWorld;
use crate::vehicles::TrueVehicle;
use rand::Rng;
use serde::Serialize;

/// The kind of offender, which sets how often a report names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OffenderKind {
    OneOff,
    Local,
    Prolific,
    GroupMember,
}

/// One stored offender: a person and how they offend.
#[derive(Clone, Debug)]
pub(crate) struct Offender {
    pub identity: Identity,
    pub kind: OffenderKind,
    /// Stores they usually hit (indices into the world's stores); empty for group members.
    pub haunts: Vec<u32>,
    pub vehicle: Option<u32>,
    pub companion: Option<u32>,
    /// Offences per day while active (prolific); the exact count for local offenders.
    pub rate: f64,
    pub count: u32,
    /// Active days `[from, to)`.
    pub active: (u32, u32),
    /// Days in custody `[from, to)`, when no offending happens.
    pub custody: Option<(u32, u32)>,
    /// Chance that a report names them; set from the noise parameters, overridden by traps.
    pub named_rate: f64,
}

impl Offender {
    pub fn is_free_on(&self, day: u32) -> bool {
        day >= self.active.0 && day < self.active.1 && self.custody.is_none_or(|(a, b)| day < a || day >= b)
    }
}

/// Builds local and prolific offenders into `offenders` and their vehicles into `vehicles`.
pub(crate) fn local_offenders(
    rng: &mut WorldRng,
    params: &WorldParams,
    geography: &Geography,
    retail: &RetailWorld,
    offenders: &mut Vec<Offender>,
    vehicles: &mut Vec<TrueVehicle>,
) {
    let shares = &params.offenders;
    let days = params.days.max(1);
    let years = f64::from(days) / 365.0;
    let area_weights = Weighted::new(geography.areas.iter().map(|a| a.population_millions));
    let incidents = params.incidents as f64;

    // Prolific: heavy-tailed activity shared out so the expected total matches the budget.
    let prolific_budget = incidents * shares.prolific_incident_share;
    let per_prolific = (shares.prolific_incidents_per_year * years).max(1.0);
    let prolific_count = ((prolific_budget / per_prolific).round() as usize).max(shares.min_prolific);
    let activity: Vec<f64> = (0..prolific_count).map(|_| normal(rng, 0.0, 0.6).exp()).collect();
    let activity_total: f64 = activity.iter().sum();
    let first_prolific = offenders.len();
    for weight in activity {
        let area = area_weights.pick(rng);
        let identity = Identity::generate(rng, Profile::PROLIFIC, area, params.start_date);
        let custody = rng.random_bool(shares.prolific_custody_rate).then(|| {
            let length = rng.random_range(20..=90).min(days / 3);
            let from = rng.random_range(0..days.saturating_sub(length).max(1));
            (from, from + length)
        });
        let free_days = f64::from(days - custody.map_or(0, |(a, b)| b - a)).max(1.0);
        let expected = prolific_budget * weight / activity_total;
        let haunt_count = rng.random_range(3..=8);
        let haunts = haunts(rng, retail, area, haunt_count);
        offenders.push(Offender {
            identity,
            kind: OffenderKind::Prolific,
            haunts,
            vehicle: None,
            companion: None,
            rate: expected / free_days,
            count: 0,
            active: (0, days),
            custody,
            named_rate: params.noise.named_rate_prolific,
        });
    }
    // Cars for some prolific offenders: at least two, so cloned plates have real sources.
    let with_car = ((prolific_count as f64 * shares.prolific_vehicle_rate).round() as usize)
        .clamp(2.min(prolific_count), prolific_count);
    for offender in &mut offenders[first_prolific..first_prolific + with_car] {
        vehicles.push(TrueVehicle::genuine(rng));
        offender.vehicle = Some(vehicles.len() as u32 - 1);
    }

    // Local repeat offenders: a few offences within a few months, around their own area.
    let mean_local = f64::from(shares.local_incidents.0 + shares.local_incidents.1) / 2.0;
    let local_count = ((incidents * shares.local_incident_share / mean_local.max(1.0)).round() as usize).max(5);
    let first_local = offenders.len();
    for _ in 0..local_count {
        let area = area_weights.pick(rng);
        let identity = Identity::generate(rng, Profile::LOCAL, area, params.start_date);
        let length = in_range(rng, shares.local_active_days).clamp(1, days);
        let from = rng.random_range(0..=days - length);
        let count = in_range(rng, shares.local_incidents).max(1);
        let haunt_count = rng.random_range(2..=4);
        offenders.push(Offender {
            identity,
            kind: OffenderKind::Local,
            haunts: haunts(rng, retail, area, haunt_count),
            vehicle: None,
            companion: None,
            rate: 0.0,
            count,
            active: (from, from + length),
            custody: None,
            named_rate: params.noise.named_rate_local,
        });
    }
    // Prolific offenders' usual companions are local offenders from the same area.
    for index in first_prolific..first_local {
        if offenders[index].kind != OffenderKind::Prolific || !rng.random_bool(0.4) {
            continue;
        }
        let area = offenders[index].identity.home_area;
        let candidate = (first_local..offenders.len()).find(|&c| {
            offenders[c].identity.home_area == area && offenders[c].companion.is_none() && rng.random_bool(0.5)
        });
        if let Some(companion) = candidate {
            offenders[index].companion = Some(companion as u32);
            offenders[companion].companion = Some(index as u32);
        }
    }
}

/// A few stores in `area`, theft-weighted, that an offender keeps going back to.
pub(crate) fn haunts(rng: &mut WorldRng, retail: &RetailWorld, area: usize, count: usize) -> Vec<u32> {
    let (stores, table) = &retail.by_area[area];
    if stores.is_empty() {
        return Vec::new();
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(count);
    for _ in 0..count * 3 {
        let store = stores[table.pick(rng)] as u32;
        if !chosen.contains(&store) {
            chosen.push(store);
        }
        if chosen.len() == count.min(stores.len()) {
            break;
        }
    }
    chosen
}
