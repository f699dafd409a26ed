//! Organised crime groups: three to twelve people with a core (out on every spree) and a periphery
//! (out sometimes), a home force and a corridor of two to five neighbouring forces they travel, a
//! specialism they steal to order, one to three vehicles (some on cloned, false or foreign plates),
//! and membership that changes during the period: a member leaves and a new one joins.

use crate::geography::Geography;
use crate::goods::SPECIALISMS;
use crate::params::WorldParams;
use crate::people::{Identity, Profile};
use crate::population::{Offender, OffenderKind};
use crate::random::{Weighted, WorldRng, in_range, pick};
use crate::vehicles::{PlateKind, TrueVehicle};
use rand::Rng;
use serde::Serialize;

/// A member's place in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupRole {
    Core,
    Periphery,
}

/// One spell of membership: from `joined` (inclusive) to `left` (exclusive), in period days.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Membership {
    pub person: u32,
    pub role: GroupRole,
    pub joined: u32,
    pub left: Option<u32>,
}

impl Membership {
    pub fn active_on(&self, day: u32) -> bool {
        day >= self.joined && self.left.is_none_or(|left| day < left)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub home: usize,
    /// Areas along the corridor, home first, each a near neighbour of the one before.
    pub corridor: Vec<usize>,
    pub specialism: usize,
    pub members: Vec<Membership>,
    pub vehicles: Vec<u32>,
    /// Spree days per day.
    pub spree_rate: f64,
    pub active: (u32, u32),
}

impl Group {
    /// Members out on a spree on `day`: the whole core and some of the periphery (at least two).
    pub fn crew_on<R: Rng + ?Sized>(&self, rng: &mut R, day: u32, periphery_presence: f64) -> Vec<u32> {
        let active: Vec<&Membership> = self.members.iter().filter(|m| m.active_on(day)).collect();
        let mut crew: Vec<u32> = active
            .iter()
            .filter(|m| m.role == GroupRole::Core || rng.random_bool(periphery_presence))
            .map(|m| m.person)
            .collect();
        for member in &active {
            if crew.len() >= 2 {
                break;
            }
            if !crew.contains(&member.person) {
                crew.push(member.person);
            }
        }
        crew
    }
}

/// Builds the groups, their members (appended to `offenders`) and their vehicles.
pub(crate) fn build_groups(
    rng: &mut WorldRng,
    params: &WorldParams,
    geography: &Geography,
    offenders: &mut Vec<Offender>,
    vehicles: &mut Vec<TrueVehicle>,
) -> Vec<Group> {
    let settings = &params.groups;
    let days = params.days.max(1);
    let years = f64::from(days) / 365.0;
    let budget = params.incidents as f64 * params.offenders.group_incident_share;
    let per_group = (settings.incidents_per_group_year * years).max(1.0);
    let count = ((budget / per_group).round() as usize).max(settings.min_groups);
    let mean_stores = f64::from(settings.stores_per_day.0 + settings.stores_per_day.1) / 2.0;
    let sprees_per_group = budget / count as f64 / mean_stores.max(1.0);
    let homes = Weighted::new(geography.areas.iter().map(|a| if a.on_mainland { a.population_millions } else { 0.0 }));
    // Broad specialisms (groceries, health and beauty) are commoner than narrow ones.
    let specialisms = Weighted::new([3.0, 3.0, 1.0, 1.0, 1.0, 2.0].into_iter().take(SPECIALISMS.len()));
    // Sources for cloned plates: vehicles of local offenders, which are seen elsewhere.
    let clone_sources: Vec<u32> = (0..vehicles.len() as u32).collect();

    let mut groups = Vec::with_capacity(count);
    for _ in 0..count {
        let home = homes.pick(rng);
        let length = in_range(rng, settings.corridor_forces).max(2) as usize;
        let corridor = corridor(rng, geography, home, length, settings.neighbours_considered);
        let changes = if rng.random_bool(settings.membership_change_rate) { rng.random_range(1..=2) } else { 0 };
        let (min_size, max_size) = (settings.size.0.max(3), settings.size.1.max(settings.size.0.max(3)));
        let initial = in_range(rng, (min_size, max_size.saturating_sub(changes).max(min_size)));
        let core = ((f64::from(initial) * settings.core_share).round() as u32).clamp(2, 4).min(initial - 1);
        let mut members = Vec::new();
        let new_member = |rng: &mut WorldRng, offenders: &mut Vec<Offender>, role, joined| {
            // Most members live in the home force, some further along the corridor.
            let area = if rng.random_bool(0.8) { home } else { *pick(rng, &corridor) };
            let identity = Identity::generate(rng, Profile::GROUP, area, params.start_date);
            offenders.push(Offender {
                identity,
                kind: OffenderKind::GroupMember,
                haunts: Vec::new(),
                vehicle: None,
                companion: None,
                rate: 0.0,
                count: 0,
                active: (0, days),
                custody: None,
                named_rate: match role {
                    GroupRole::Core => params.noise.named_rate_group_core,
                    GroupRole::Periphery => params.noise.named_rate_group_periphery,
                },
            });
            Membership { person: offenders.len() as u32 - 1, role, joined, left: None }
        };
        for i in 0..initial {
            let role = if i < core { GroupRole::Core } else { GroupRole::Periphery };
            members.push(new_member(rng, offenders, role, 0));
        }
        // A member leaves (usually from the periphery) and someone new joins in the same role.
        for _ in 0..changes {
            let day = rng.random_range(days / 5..=(days * 4 / 5).max(days / 5));
            let current: Vec<usize> = (0..members.len()).filter(|&m| members[m].left.is_none()).collect();
            let periphery: Vec<usize> =
                current.iter().copied().filter(|&m| members[m].role == GroupRole::Periphery).collect();
            let leaver = if !periphery.is_empty() && rng.random_bool(0.75) {
                *pick(rng, &periphery)
            } else {
                *pick(rng, &current)
            };
            members[leaver].left = Some(day);
            let role = members[leaver].role;
            members.push(new_member(rng, offenders, role, day));
        }
        let vehicle_count = in_range(rng, settings.vehicles);
        let mut group_vehicles = Vec::new();
        for _ in 0..vehicle_count {
            let roll: f64 = rng.random();
            let vehicle = if roll < settings.cloned_plate_rate && !clone_sources.is_empty() {
                let source = *pick(rng, &clone_sources);
                TrueVehicle::cloning(rng, source, &vehicles[source as usize])
            } else if roll < settings.cloned_plate_rate + settings.false_plate_rate {
                TrueVehicle::on_false_plates(rng, days)
            } else if roll < settings.cloned_plate_rate + settings.false_plate_rate + settings.foreign_plate_rate {
                TrueVehicle::foreign(rng)
            } else {
                TrueVehicle::genuine(rng)
            };
            vehicles.push(vehicle);
            group_vehicles.push(vehicles.len() as u32 - 1);
        }
        let active_days = f64::from(days);
        groups.push(Group {
            home,
            corridor,
            specialism: specialisms.pick(rng),
            members,
            vehicles: group_vehicles,
            spree_rate: (sprees_per_group / active_days).min(1.0),
            active: (0, days),
        });
    }
    ensure_a_cloned_plate(rng, &groups, vehicles, &clone_sources);
    groups
}

/// Cloned plates are intelligence in themselves; every world has at least one.
fn ensure_a_cloned_plate(rng: &mut WorldRng, groups: &[Group], vehicles: &mut [TrueVehicle], sources: &[u32]) {
    let any_clone = vehicles.iter().any(|v| matches!(v.plate_kind, PlateKind::Cloned { .. }));
    let candidates: Vec<u32> = groups.iter().flat_map(|g| g.vehicles.iter().copied()).collect();
    if any_clone || candidates.is_empty() || sources.is_empty() {
        return;
    }
    let target = *pick(rng, &candidates);
    let source = *pick(rng, sources);
    vehicles[target as usize] = TrueVehicle::cloning(rng, source, &vehicles[source as usize]);
}

/// A walk from `home` through near neighbours, never revisiting an area.
fn corridor(rng: &mut WorldRng, geography: &Geography, home: usize, length: usize, neighbours: usize) -> Vec<usize> {
    let mut path = vec![home];
    while path.len() < length {
        let current = *path.last().expect("non-empty");
        let options: Vec<usize> =
            geography.nearest(current, neighbours.max(1)).iter().copied().filter(|a| !path.contains(a)).collect();
        let Some(&next) = options.get(rng.random_range(0..options.len().max(1))) else { break };
        path.push(next);
    }
    path
}
