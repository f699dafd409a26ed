//! The stream of reports in the order retailers send them. Days are planned and rendered one at a
//! time; reports wait in a heap until every report that could arrive before them has been made
//! (nothing occurring later can be reported earlier), then leave in order of the time they were
//! reported. Memory is bounded by the reports in flight (the longest reporting delay), not by
//! the number of incidents.
//!
//! Retailer references are assigned as reports leave, in each retailer's own style (a running
//! counter, a random token or a UUID), so they follow the arrival order and encode no truth.

use crate::planner::Planner;
use crate::random::{Purpose, WorldRng, pick, rng_for};
use crate::render::{Rendered, hex, render, token};
use crate::retail::ReferenceStyle;
use crate::truth::{EmittedCounts, SightingTruth, SimulatedIncident, VehicleTruth, WorldSummary};
use crate::world::World;
use chrono::{DateTime, Datelike, Utc};
use orca_model::{EventType, IncidentId};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, VecDeque};

/// Reports of a world, one at a time (see the module docs). Call [`IncidentStream::summary`] after
/// draining it for the full counts.
pub struct IncidentStream<'w> {
    world: &'w World,
    planner: Planner<'w>,
    next_day: u32,
    in_flight: BinaryHeap<InFlight>,
    ready: VecDeque<Rendered>,
    emitted: u64,
    references: References,
    /// Ids of emitted originals whose duplicate report has not left yet.
    originals: HashMap<u64, IncidentId>,
    counts: EmittedCounts,
    group_activity: Vec<(BTreeSet<usize>, u64, i64)>,
    by_event: BTreeMap<EventType, u64>,
    by_area: Vec<u64>,
}

impl<'w> IncidentStream<'w> {
    pub(crate) fn new(world: &'w World) -> Self {
        Self {
            world,
            planner: Planner::new(world),
            next_day: 0,
            in_flight: BinaryHeap::new(),
            ready: VecDeque::new(),
            emitted: 0,
            references: References::new(world),
            originals: HashMap::new(),
            counts: EmittedCounts::default(),
            group_activity: vec![(BTreeSet::new(), 0, 0); world.groups().len()],
            by_event: BTreeMap::new(),
            by_area: vec![0; world.geography().areas.len()],
        }
    }

    /// The world summary with what has been emitted so far.
    pub fn summary(&self) -> WorldSummary {
        let mut summary = self.world.summary();
        summary.population.one_off = self.planner.one_offs();
        summary.population.innocent_vehicles = self.planner.innocent_vehicles();
        summary.groups = (0..self.group_activity.len())
            .map(|g| {
                let (forces, incidents, loss) = &self.group_activity[g];
                self.world.group_summary(g, forces, *incidents, *loss)
            })
            .collect();
        let mut counts = self.counts.clone();
        counts.incidents_by_event_type = self.by_event.iter().map(|(event, n)| (kebab_case(*event), *n)).collect();
        counts.incidents_by_force = (self.by_area.iter().enumerate())
            .filter(|(_, n)| **n > 0)
            .map(|(area, n)| (self.world.geography().areas[area].force.clone(), *n))
            .collect();
        summary.emitted = Some(counts);
        summary
    }

    /// Plans and renders the next day; returns false when the period is over.
    fn advance(&mut self) -> bool {
        let days = self.world.params().days.max(1);
        if self.next_day >= days {
            while let Some(item) = self.in_flight.pop() {
                self.ready.push_back(*item.rendered);
            }
            return false;
        }
        let plans = self.planner.plan_day(self.next_day);
        // Rendering is independent per plan (each has its own generators), so the parallel result
        // is the same as the sequential one, in the same order.
        let world = self.world;
        let rendered: Vec<Rendered> = plans.par_iter().map(|plan| render(world, plan)).collect();
        for item in rendered {
            self.in_flight.push(InFlight::new(item));
        }
        self.next_day += 1;
        let horizon = self.world.date_of(self.next_day).and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        while self.in_flight.peek().is_some_and(|item| item.key.0 < horizon) {
            let item = self.in_flight.pop().expect("peeked");
            self.ready.push_back(*item.rendered);
        }
        true
    }

    fn emit(&mut self, rendered: Rendered) -> SimulatedIncident {
        let Rendered {
            sequence,
            store,
            mut incident,
            person_truth,
            vehicle_truth,
            group,
            duplicate_of,
            has_duplicate,
            ..
        } = rendered;
        let retailer = self.world.retail().places[store as usize].retailer;
        incident.retailer_ref = self.references.next(self.world, retailer, incident.reported_at);
        let id = IncidentId::derive(&incident.retailer, &incident.retailer_ref);
        if has_duplicate {
            self.originals.insert(sequence, id.clone());
        }
        let duplicate_of = duplicate_of.and_then(|original| self.originals.remove(&original));
        self.count(&incident, &person_truth, group, duplicate_of.is_some(), store as usize);
        SimulatedIncident {
            persons: person_truth
                .into_iter()
                .map(|(index, person)| SightingTruth { incident: id.clone(), index, person })
                .collect(),
            vehicles: vehicle_truth
                .into_iter()
                .map(|(index, vehicle)| VehicleTruth { incident: id.clone(), index, vehicle })
                .collect(),
            group: group.map(|g| self.world.group_truth_id(g)),
            duplicate_of,
            incident_id: id,
            incident,
        }
    }

    fn count(
        &mut self,
        incident: &orca_model::Incident,
        person_truth: &[(u32, String)],
        group: Option<u32>,
        duplicate: bool,
        store: usize,
    ) {
        let counts = &mut self.counts;
        let loss = incident.total_value().get();
        counts.incidents += 1;
        counts.duplicates += u64::from(duplicate);
        counts.total_loss_pence += loss;
        for (index, _) in person_truth {
            let sighting = &incident.persons[*index as usize];
            counts.offender_sightings += 1;
            counts.named_offender_sightings += u64::from(sighting.is_named());
        }
        counts.bystander_sightings += (incident.persons.len() - person_truth.len()) as u64;
        counts.face_templates += incident.persons.iter().filter(|p| p.face.is_some()).count() as u64;
        counts.marker_codes += incident.persons.iter().filter(|p| p.marker_code.is_some()).count() as u64;
        counts.vehicle_sightings += incident.vehicles.len() as u64;
        *self.by_event.entry(incident.event_type).or_insert(0) += 1;
        self.by_area[self.world.retail().places[store].area] += 1;
        if let Some(g) = group {
            counts.group_incidents += 1;
            counts.group_loss_pence += loss;
            let activity = &mut self.group_activity[g as usize];
            activity.0.insert(self.world.retail().places[store].area);
            activity.1 += 1;
            activity.2 += loss;
        }
    }
}

impl Iterator for IncidentStream<'_> {
    type Item = SimulatedIncident;

    fn next(&mut self) -> Option<SimulatedIncident> {
        if self.emitted >= self.world.params().incidents {
            return None;
        }
        loop {
            if let Some(rendered) = self.ready.pop_front() {
                self.emitted += 1;
                return Some(self.emit(rendered));
            }
            if !self.advance() && self.ready.is_empty() {
                return None;
            }
        }
    }
}

/// A rendered report ordered so the heap pops the earliest reported first (boxed: the heap
/// moves entries around).
struct InFlight {
    key: (DateTime<Utc>, u64),
    rendered: Box<Rendered>,
}

impl InFlight {
    fn new(rendered: Rendered) -> Self {
        Self { key: (rendered.reported_at, rendered.sequence), rendered: Box::new(rendered) }
    }
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for InFlight {}

impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Each retailer's reference numbering.
struct References {
    rng: WorldRng,
    counters: Vec<Option<u64>>,
}

impl References {
    fn new(world: &World) -> Self {
        Self {
            rng: rng_for(world.params().seed, Purpose::References, 1),
            counters: vec![None; world.retailers().len()],
        }
    }

    fn next(&mut self, world: &World, retailer: usize, reported_at: Option<DateTime<Utc>>) -> String {
        let owner = &world.retailers()[retailer];
        let year = reported_at.map_or(2025, |t| t.year());
        let rng = &mut self.rng;
        // Systems have been numbering since long before the period starts.
        let counter = self.counters[retailer].get_or_insert_with(|| rand::Rng::random_range(rng, 1_000..500_000));
        *counter += 1;
        match owner.reference_style {
            ReferenceStyle::Counter => format!("{}-{year}-{:07}", owner.prefix, counter),
            ReferenceStyle::Number => counter.to_string(),
            ReferenceStyle::Token => token(rng, 10),
            ReferenceStyle::Uuid => {
                let raw = hex(rng, 16);
                format!(
                    "{}-{}-4{}-{}{}-{}",
                    &raw[..8],
                    &raw[8..12],
                    &raw[13..16],
                    pick(rng, &["8", "9", "a", "b"]),
                    &raw[17..20],
                    &raw[20..32]
                )
            }
        }
    }
}

/// `MakingOffWithoutPayment` as `making-off-without-payment`, as the wire form spells it.
fn kebab_case(event: EventType) -> String {
    format!("{event:?}")
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let lower = c.to_ascii_lowercase();
            if c.is_ascii_uppercase() && i > 0 { vec!['-', lower] } else { vec![lower] }
        })
        .collect()
}
