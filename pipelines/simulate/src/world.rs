//! The world: retailers and stores, the repeat-offending population, groups, vehicles and traps,
//! built once from the parameters. Its size follows the number of incidents (about one stored
//! person per 15-20 incidents), never the incidents themselves, which are streamed.

use crate::face::FaceSpace;
use crate::geography::Geography;
use crate::goods::SPECIALISMS;
use crate::groups::{Group, GroupRole, build_groups};
use crate::params::WorldParams;
use crate::planner::{Car, Who};
use crate::population::{Offender, OffenderKind, local_offenders};
use crate::random::{IdPermutation, Purpose, rng_for};
use crate::retail::{RetailWorld, Retailer};
use crate::stream::IncidentStream;
use crate::traps::{TrapPair, plant};
use crate::truth::{ClonedPlateRow, GroupMemberRow, GroupSummary, PopulationCounts, TrapRow, WorldSummary};
use crate::vehicles::{PlateKind, TrueVehicle};
use chrono::{Duration, NaiveDate};
use orca_model::Store;
use std::collections::{BTreeMap, BTreeSet};

/// A synthetic world of retail crime, deterministic for its parameters.
#[derive(Debug)]
pub struct World {
    params: WorldParams,
    geography: Geography,
    retail: RetailWorld,
    offenders: Vec<Offender>,
    groups: Vec<Group>,
    vehicles: Vec<TrueVehicle>,
    traps: Vec<TrapPair>,
    faces: FaceSpace,
    person_ids: IdPermutation,
    vehicle_ids: IdPermutation,
    group_ids: IdPermutation,
}

impl World {
    /// Builds the world: stores, offenders, groups, vehicles and traps. Incidents come from
    /// [`World::incidents`].
    pub fn new(params: WorldParams) -> Self {
        let geography = Geography::new();
        let retail = RetailWorld::build(&params, &geography);
        let mut rng = rng_for(params.seed, Purpose::Population, 0);
        let mut offenders = Vec::new();
        let mut vehicles = Vec::new();
        local_offenders(&mut rng, &params, &geography, &retail, &mut offenders, &mut vehicles);
        let groups = build_groups(&mut rng, &params, &geography, &mut offenders, &mut vehicles);
        let traps = plant(&mut rng, &params, &retail, &mut offenders);
        let mut models: Vec<String> = retail.retailers.iter().filter_map(|r| r.face_model.clone()).collect();
        models.sort();
        models.dedup();
        let noise = &params.noise;
        let faces =
            FaceSpace::new(params.seed, &models, noise.face_dimensions, noise.face_population_weight, noise.face_noise);
        Self {
            person_ids: IdPermutation::new(params.seed, 1),
            vehicle_ids: IdPermutation::new(params.seed, 2),
            group_ids: IdPermutation::new(params.seed, 3),
            params,
            geography,
            retail,
            offenders,
            groups,
            vehicles,
            traps,
            faces,
        }
    }

    pub fn params(&self) -> &WorldParams {
        &self.params
    }

    /// Every store, each in a territorial force.
    pub fn stores(&self) -> &[Store] {
        &self.retail.stores
    }

    /// National chains first, then independents.
    pub fn retailers(&self) -> &[Retailer] {
        &self.retail.retailers
    }

    /// The incident reports, streamed in the order retailers send them (by time reported). Holds a
    /// few days of reports at a time; stops after `params.incidents`.
    pub fn incidents(&self) -> IncidentStream<'_> {
        IncidentStream::new(self)
    }

    /// Everyone who was ever a member of a group.
    pub fn group_truth(&self) -> Vec<GroupMemberRow> {
        let mut rows = Vec::new();
        for (index, group) in self.groups.iter().enumerate() {
            for member in &group.members {
                rows.push(GroupMemberRow {
                    group: self.group_truth_id(index as u32),
                    person: self.person_truth_id(Who::Stored(member.person)),
                    role: member.role,
                    joined: self.date_of(member.joined),
                    left: member.left.map(|day| self.date_of(day)),
                });
            }
        }
        rows.sort_by(|a, b| (&a.group, &a.person).cmp(&(&b.group, &b.person)));
        rows
    }

    /// The world's counts, without what streaming adds (see [`IncidentStream::summary`]).
    pub fn summary(&self) -> WorldSummary {
        let mut stores_by_force = BTreeMap::new();
        for store in self.stores() {
            *stores_by_force.entry(store.force.clone()).or_insert(0) += 1;
        }
        let count = |kind| self.offenders.iter().filter(|o| o.kind == kind).count();
        let plates = |f: fn(&PlateKind) -> bool| self.vehicles.iter().filter(|v| f(&v.plate_kind)).count();
        let population = PopulationCounts {
            local: count(OffenderKind::Local),
            prolific: count(OffenderKind::Prolific),
            group_members: count(OffenderKind::GroupMember),
            one_off: 0,
            vehicles: self.vehicles.len(),
            innocent_vehicles: 0,
            cloned_plate_vehicles: plates(|k| matches!(k, PlateKind::Cloned { .. })),
            false_plate_vehicles: plates(|k| matches!(k, PlateKind::False)),
            foreign_plate_vehicles: plates(|k| matches!(k, PlateKind::Foreign)),
        };
        let groups = (0..self.groups.len()).map(|g| self.group_summary(g, &BTreeSet::new(), 0, 0)).collect();
        let cloned_plates = self
            .vehicles
            .iter()
            .enumerate()
            .filter_map(|(index, vehicle)| match vehicle.plate_kind {
                PlateKind::Cloned { source } => Some(ClonedPlateRow {
                    vrm: self.vehicles[source as usize].registered.clone(),
                    genuine: self.vehicle_truth_id(Car::Stored(source)),
                    clone: self.vehicle_truth_id(Car::Stored(index as u32)),
                }),
                _ => None,
            })
            .collect();
        let traps = self
            .traps
            .iter()
            .map(|pair| TrapRow {
                kind: pair.kind,
                first: self.person_truth_id(Who::Stored(pair.first)),
                second: self.person_truth_id(Who::Stored(pair.second)),
            })
            .collect();
        WorldSummary {
            params: self.params.clone(),
            national_retailers: self.retailers().iter().filter(|r| r.national).count(),
            independent_retailers: self.retailers().iter().filter(|r| !r.national).count(),
            stores: self.stores().len(),
            stores_by_force,
            face_recognition: self
                .retailers()
                .iter()
                .filter_map(|r| r.face_model.clone().map(|m| (r.id.clone(), m)))
                .collect(),
            population,
            groups,
            cloned_plates,
            traps,
            emitted: None,
        }
    }

    pub(crate) fn group_summary(
        &self,
        index: usize,
        forces_hit: &BTreeSet<usize>,
        incidents: u64,
        loss: i64,
    ) -> GroupSummary {
        let group = &self.groups[index];
        let force = |area: usize| self.geography.areas[area].force.clone();
        GroupSummary {
            id: self.group_truth_id(index as u32),
            home_force: force(group.home),
            corridor: group.corridor.iter().map(|&a| force(a)).collect(),
            specialism: SPECIALISMS[group.specialism].to_vec(),
            members_ever: group.members.len(),
            core: group.members.iter().filter(|m| m.role == GroupRole::Core).count(),
            periphery: group.members.iter().filter(|m| m.role == GroupRole::Periphery).count(),
            vehicles: group.vehicles.iter().map(|&v| self.vehicle_truth_id(Car::Stored(v))).collect(),
            forces_hit: forces_hit.iter().map(|&a| force(a)).collect(),
            incidents,
            loss_pence: loss,
        }
    }

    pub(crate) fn person_truth_id(&self, who: Who) -> String {
        let number = match who {
            Who::Stored(index) => u64::from(index),
            Who::OneOff { number, .. } => self.offenders.len() as u64 + number,
        };
        format!("TP{:010}", self.person_ids.apply(number as u32))
    }

    pub(crate) fn vehicle_truth_id(&self, car: Car) -> String {
        let number = match car {
            Car::Stored(index) => u64::from(index),
            Car::Innocent(number) => self.vehicles.len() as u64 + number,
        };
        format!("TV{:010}", self.vehicle_ids.apply(number as u32))
    }

    pub(crate) fn group_truth_id(&self, index: u32) -> String {
        format!("TG{:010}", self.group_ids.apply(index))
    }

    /// A two-digit number for the store's force, used in police crime references.
    pub(crate) fn force_number(&self, store: u32) -> usize {
        self.retail.places[store as usize].area + 1
    }

    pub(crate) fn date_of(&self, day: u32) -> NaiveDate {
        self.params.start_date + Duration::days(i64::from(day))
    }

    pub(crate) fn retail(&self) -> &RetailWorld {
        &self.retail
    }

    pub(crate) fn geography(&self) -> &Geography {
        &self.geography
    }

    pub(crate) fn offenders(&self) -> &[Offender] {
        &self.offenders
    }

    pub(crate) fn groups(&self) -> &[Group] {
        &self.groups
    }

    pub(crate) fn vehicles(&self) -> &[TrueVehicle] {
        &self.vehicles
    }

    pub(crate) fn faces(&self) -> &FaceSpace {
        &self.faces
    }
}
