//! Day-by-day planning of what happens: which offenders strike, where, when, with whom and in which
//! vehicle. Planning is sequential (one generator, in day order) and cheap; turning plans into
//! reports ([`crate::render`]) is where the noise goes. State is bounded by the population: a
//! schedule entry per repeat offender and group, and the marker codes of people who were tagged.
//!
//! Volume: each day gets its share of the requested incidents (more on Fridays and Saturdays and
//! in December). Repeat offenders and groups offend on their own schedules; one-off offenders fill
//! the rest of the day's share.

use crate::goods::{Haul, SPECIALISMS};
use crate::groups::Group;
use crate::population::{Offender, OffenderKind};
use crate::random::{Purpose, Weighted, WorldRng, derive_seed, in_range, pick, pick_weighted, rng_for};
use crate::vehicles::PlateKind;
use crate::world::World;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use orca_model::{EventType, ModusOperandi, VehicleRole};
use rand::Rng;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Who offended: a stored offender or a one-off made from its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    Stored(u32),
    OneOff { number: u64, area: u16 },
}

/// A vehicle in a report: a stored vehicle, or an innocent car noted nearby (made from its number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Car {
    Stored(u32),
    Innocent(u64),
}

/// What happened at one incident, before anyone reports it.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub sequence: u64,
    /// Seed of the facts (goods, evidence), shared by an original report and its duplicate.
    pub facts_seed: u64,
    pub store: u32,
    pub day: u32,
    pub occurred_from: DateTime<Utc>,
    pub minutes: u32,
    pub report_delay_minutes: u32,
    pub offenders: Vec<Who>,
    /// Marker code per offender, for those tagged by now.
    pub markers: Vec<Option<String>>,
    pub vehicles: Vec<(Car, VehicleRole)>,
    pub event: EventType,
    pub attempt: bool,
    pub violence: bool,
    pub weapon: bool,
    pub detained: bool,
    pub modus_operandi: Vec<ModusOperandi>,
    pub haul: Haul,
    pub group: Option<u32>,
    pub duplicate_of: Option<u64>,
    pub has_duplicate: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Actor {
    Prolific = 0,
    Local = 1,
    Group = 2,
}

/// `(day, actor, index, remaining offences for a local offender)`, smallest first.
type Entry = Reverse<(u32, Actor, u32, u32)>;

/// Plans the world one day at a time.
pub(crate) struct Planner<'w> {
    world: &'w World,
    rng: WorldRng,
    schedule: BinaryHeap<Entry>,
    tagged: HashMap<u32, String>,
    next_sequence: u64,
    next_one_off: u64,
    next_innocent: u64,
    planned: u64,
    /// Cumulative share of the period's incidents due by the end of each day.
    cumulative_share: Vec<f64>,
    hours: Weighted,
}

const HOUR_WEIGHTS: [(u32, f64); 15] = [
    (7, 0.3),
    (8, 0.6),
    (9, 0.8),
    (10, 1.0),
    (11, 1.1),
    (12, 1.3),
    (13, 1.3),
    (14, 1.2),
    (15, 1.3),
    (16, 1.5),
    (17, 1.5),
    (18, 1.3),
    (19, 1.0),
    (20, 0.7),
    (21, 0.4),
];

impl<'w> Planner<'w> {
    pub fn new(world: &'w World) -> Self {
        let params = world.params();
        let mut rng = rng_for(params.seed, Purpose::Plan, 0);
        let days = params.days.max(1);
        let weights: Vec<f64> =
            (0..days).map(|d| day_weight(params.start_date + Duration::days(i64::from(d)))).collect();
        let total: f64 = weights.iter().sum();
        let mut running = 0.0;
        let cumulative_share = weights
            .iter()
            .map(|w| {
                running += w;
                running / total
            })
            .collect();
        let mut schedule = BinaryHeap::new();
        for (index, offender) in world.offenders().iter().enumerate() {
            let index = index as u32;
            match offender.kind {
                OffenderKind::Prolific => {
                    let first = offender.active.0 + geometric_gap(&mut rng, offender.rate) - 1;
                    schedule.push(Reverse((first, Actor::Prolific, index, 0)));
                }
                OffenderKind::Local if offender.count > 0 => {
                    let first = next_order_statistic(&mut rng, offender.active.0, offender.active.1, offender.count);
                    schedule.push(Reverse((first, Actor::Local, index, offender.count)));
                }
                _ => {}
            }
        }
        for (index, group) in world.groups().iter().enumerate() {
            let first = group.active.0 + geometric_gap(&mut rng, group.spree_rate) - 1;
            schedule.push(Reverse((first, Actor::Group, index as u32, 0)));
        }
        Self {
            world,
            rng,
            schedule,
            tagged: HashMap::new(),
            next_sequence: 0,
            next_one_off: 0,
            next_innocent: 0,
            planned: 0,
            cumulative_share,
            hours: Weighted::new(HOUR_WEIGHTS.iter().map(|h| h.1)),
        }
    }

    /// Everything that happens on `day`, duplicates of reports included.
    pub fn plan_day(&mut self, day: u32) -> Vec<Plan> {
        let mut plans = Vec::new();
        while let Some(&Reverse((when, actor, index, remaining))) = self.schedule.peek() {
            if when > day {
                break;
            }
            self.schedule.pop();
            match actor {
                Actor::Prolific => {
                    let offender = &self.world.offenders()[index as usize];
                    if offender.is_free_on(day) {
                        self.plan_prolific(day, index, &mut plans);
                    }
                    let next = day + geometric_gap(&mut self.rng, offender.rate);
                    if next < offender.active.1 {
                        self.schedule.push(Reverse((next, Actor::Prolific, index, 0)));
                    }
                }
                Actor::Local => {
                    self.plan_local(day, index, &mut plans);
                    let offender = &self.world.offenders()[index as usize];
                    if remaining > 1 {
                        let next = next_order_statistic(&mut self.rng, day, offender.active.1, remaining - 1);
                        self.schedule.push(Reverse((next, Actor::Local, index, remaining - 1)));
                    }
                }
                Actor::Group => {
                    let group = &self.world.groups()[index as usize];
                    self.plan_spree(day, index, &mut plans);
                    let next = day + geometric_gap(&mut self.rng, group.spree_rate);
                    if next < group.active.1 {
                        self.schedule.push(Reverse((next, Actor::Group, index, 0)));
                    }
                }
            }
        }
        let due = (self.world.params().incidents as f64 * self.cumulative_share[day as usize]).round() as u64;
        while self.planned + (plans.len() as u64) < due {
            self.plan_one_off(day, &mut plans);
        }
        self.planned += plans.len() as u64;
        plans
    }

    fn base_plan(&mut self, day: u32, store: u32, offenders: Vec<Who>, haul: Haul) -> Plan {
        let date = self.world.params().start_date + Duration::days(i64::from(day));
        let hour = HOUR_WEIGHTS[self.hours.pick(&mut self.rng)].0;
        let minute = self.rng.random_range(0..60);
        self.at(date, hour * 60 + minute, day, store, offenders, haul)
    }

    fn at(
        &mut self,
        date: NaiveDate,
        minute_of_day: u32,
        day: u32,
        store: u32,
        offenders: Vec<Who>,
        haul: Haul,
    ) -> Plan {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let occurred_from =
            date.and_hms_opt(0, 0, 0).expect("midnight").and_utc() + Duration::minutes(i64::from(minute_of_day));
        let noise = &self.world.params().noise;
        let report_delay_minutes = if self.rng.random_bool(noise.late_report_rate) {
            self.rng.random_range(24 * 60..=noise.max_report_delay_days.max(1) * 24 * 60)
        } else if self.rng.random_bool(0.55) {
            self.rng.random_range(10..=120)
        } else {
            self.rng.random_range(120..=30 * 60)
        };
        let markers = vec![None; offenders.len()];
        Plan {
            sequence,
            facts_seed: derive_seed(self.world.params().seed, Purpose::Render, sequence),
            store,
            day,
            occurred_from,
            minutes: self.rng.random_range(2..=25),
            report_delay_minutes,
            offenders,
            markers,
            vehicles: Vec::new(),
            event: EventType::Shoplifting,
            attempt: false,
            violence: false,
            weapon: false,
            detained: false,
            modus_operandi: Vec::new(),
            haul,
            group: None,
            duplicate_of: None,
            has_duplicate: false,
        }
    }

    fn plan_one_off(&mut self, day: u32, plans: &mut Vec<Plan>) {
        let retail = self.world.retail();
        let store = retail.all.pick(&mut self.rng) as u32;
        let area = retail.places[store as usize].area as u16;
        let people = *pick_weighted(&mut self.rng, &[(1usize, 0.8), (2, 0.17), (3, 0.03)]);
        let people = if self.rng.random_bool(self.world.params().offenders.one_off_co_offender_rate) {
            people.max(2)
        } else {
            1
        };
        let offenders = (0..people)
            .map(|_| {
                self.next_one_off += 1;
                Who::OneOff { number: self.next_one_off - 1, area }
            })
            .collect();
        let mut plan = self.base_plan(day, store, offenders, Haul::Small);
        self.decide_event(&mut plan, OffenderKind::OneOff);
        self.finish(plan, plans);
    }

    fn plan_local(&mut self, day: u32, index: u32, plans: &mut Vec<Plan>) {
        let offender = &self.world.offenders()[index as usize];
        let store = self.store_near(offender, 0.9, 0.0);
        let haul = if self.rng.random_bool(0.6) { Haul::Small } else { Haul::Bag };
        let mut plan = self.base_plan(day, store, vec![Who::Stored(index)], haul);
        self.decide_event(&mut plan, OffenderKind::Local);
        self.finish(plan, plans);
    }

    fn plan_prolific(&mut self, day: u32, index: u32, plans: &mut Vec<Plan>) {
        let offender = &self.world.offenders()[index as usize];
        let travel = self.world.params().offenders.prolific_travel_rate;
        let store = self.store_near(offender, 0.8, travel);
        let mut offenders = vec![Who::Stored(index)];
        if let Some(companion) = offender.companion
            && self.rng.random_bool(self.world.params().offenders.prolific_companion_rate)
        {
            offenders.push(Who::Stored(companion));
        }
        let mut plan = self.base_plan(day, store, offenders, Haul::Bag);
        if let Some(vehicle) = offender.vehicle
            && self.rng.random_bool(0.25)
        {
            plan.vehicles.push((Car::Stored(vehicle), VehicleRole::UsedBySuspects));
        }
        self.decide_event(&mut plan, OffenderKind::Prolific);
        self.finish(plan, plans);
    }

    /// One spree day: the crew drives along part of its corridor hitting several chains' stores.
    fn plan_spree(&mut self, day: u32, index: u32, plans: &mut Vec<Plan>) {
        let group: &Group = &self.world.groups()[index as usize];
        let settings = &self.world.params().groups;
        let crew = group.crew_on(&mut self.rng, day, settings.periphery_presence);
        if crew.is_empty() {
            return;
        }
        let vehicle = (!group.vehicles.is_empty()).then(|| *pick(&mut self.rng, &group.vehicles));
        let span = self.rng.random_range(1..=group.corridor.len().min(3));
        let start = self.rng.random_range(0..=group.corridor.len() - span);
        let mut areas: Vec<usize> = group.corridor[start..start + span].to_vec();
        if self.rng.random_bool(0.5) {
            areas.reverse();
        }
        let stops = in_range(&mut self.rng, settings.stores_per_day).max(1) as usize;
        let stores = self.spree_stores(group, &areas, stops);
        let date = self.world.params().start_date + Duration::days(i64::from(day));
        let mut minute = self.rng.random_range(9 * 60..=12 * 60);
        let mut previous_area = None;
        let specialism = SPECIALISMS[group.specialism];
        for store in stores {
            let area = self.world.retail().places[store as usize].area;
            if previous_area.is_some_and(|a| a != area) {
                minute += self.rng.random_range(40..=90);
            }
            previous_area = Some(area);
            let seen = self.rng.random_range(2..=crew.len().clamp(2, 4)).min(crew.len());
            let mut present = crew.clone();
            let (visible, _) = rand::seq::SliceRandom::partial_shuffle(&mut present[..], &mut self.rng, seen);
            let offenders: Vec<Who> = visible.iter().map(|&p| Who::Stored(p)).collect();
            let (low, high) = settings.value_pence;
            let target_pence = log_uniform(&mut self.rng, low.max(100), high.max(low.max(100)));
            let mut plan = self.at(
                date,
                minute.min(21 * 60 + 30),
                day,
                store,
                offenders,
                Haul::ToOrder { target_pence, specialism },
            );
            plan.group = Some(index);
            if let Some(vehicle) = vehicle
                && self.rng.random_bool(settings.vehicle_recorded_rate)
            {
                plan.vehicles.push((Car::Stored(vehicle), VehicleRole::UsedBySuspects));
            }
            self.decide_event(&mut plan, OffenderKind::GroupMember);
            if stops > 1 && self.rng.random_bool(0.25) {
                plan.modus_operandi.push(ModusOperandi::MultipleStoresOneDay);
            }
            let disguised = vehicle.is_some_and(|v| self.world.vehicles()[v as usize].plate_kind != PlateKind::Genuine);
            if disguised && !plan.vehicles.is_empty() && self.rng.random_bool(0.2) {
                plan.modus_operandi.push(ModusOperandi::VehicleFalsePlates);
            }
            self.finish(plan, plans);
            minute += self.rng.random_range(25..=70);
        }
    }

    /// `stops` stores in the spree's areas that stock the group's specialism, preferring a different
    /// chain at each stop.
    fn spree_stores(&mut self, group: &Group, areas: &[usize], stops: usize) -> Vec<u32> {
        let retail = self.world.retail();
        let mut chosen: Vec<u32> = Vec::with_capacity(stops);
        for stop in 0..stops {
            let area = areas[stop * areas.len() / stops];
            let specialist = &retail.by_area_specialism[area][group.specialism];
            let pool: &[usize] = if specialist.is_empty() { &retail.by_area[area].0 } else { specialist };
            if pool.is_empty() {
                continue;
            }
            let mut store = *pick(&mut self.rng, pool) as u32;
            for _ in 0..6 {
                let retailer = retail.places[store as usize].retailer;
                if !chosen.iter().any(|&s| retail.places[s as usize].retailer == retailer) {
                    break;
                }
                store = *pick(&mut self.rng, pool) as u32;
            }
            if !chosen.contains(&store) {
                chosen.push(store);
            }
        }
        chosen
    }

    /// A store for a local offender: a usual haunt, else somewhere in (or next to) their area.
    fn store_near(&mut self, offender: &Offender, haunt_rate: f64, travel_rate: f64) -> u32 {
        let retail = self.world.retail();
        if !offender.haunts.is_empty() && self.rng.random_bool(haunt_rate) {
            return *pick(&mut self.rng, &offender.haunts);
        }
        let home = offender.identity.home_area as usize;
        let area = if self.rng.random_bool(travel_rate) {
            *pick(&mut self.rng, self.world.geography().nearest(home, 3))
        } else {
            home
        };
        let (stores, table) = &retail.by_area[area];
        if stores.is_empty() { retail.all.pick(&mut self.rng) as u32 } else { stores[table.pick(&mut self.rng)] as u32 }
    }

    /// Event type, force, weapon, detention and modus operandi, by kind of offender.
    fn decide_event(&mut self, plan: &mut Plan, kind: OffenderKind) {
        use EventType::*;
        use ModusOperandi::*;
        let rng = &mut self.rng;
        let events: &[(EventType, f64)] = match kind {
            OffenderKind::OneOff => &[
                (Shoplifting, 0.8),
                (Fraud, 0.05),
                (Abuse, 0.05),
                (Threats, 0.03),
                (Violence, 0.02),
                (CriminalDamage, 0.02),
                (MakingOffWithoutPayment, 0.02),
                (Robbery, 0.01),
            ],
            OffenderKind::Local | OffenderKind::Prolific => &[
                (Shoplifting, 0.85),
                (Abuse, 0.05),
                (Threats, 0.04),
                (Violence, 0.02),
                (Fraud, 0.02),
                (Robbery, 0.01),
                (CriminalDamage, 0.01),
            ],
            OffenderKind::GroupMember => &[(Shoplifting, 0.88), (Threats, 0.05), (Robbery, 0.04), (Violence, 0.03)],
        };
        plan.event = *pick_weighted(rng, events);
        plan.violence = matches!(plan.event, Violence | Robbery) || (plan.event == Threats && rng.random_bool(0.2));
        plan.weapon =
            (plan.event == Robbery && rng.random_bool(0.4)) || (plan.event == Threats && rng.random_bool(0.25));
        plan.attempt = matches!(plan.event, Shoplifting | Fraud) && rng.random_bool(0.05);
        let detention_rate = match kind {
            OffenderKind::OneOff => 0.1,
            OffenderKind::Local => 0.06,
            OffenderKind::Prolific => 0.05,
            OffenderKind::GroupMember => 0.01,
        };
        plan.detained = rng.random_bool(detention_rate);
        let tags: &[(ModusOperandi, f64)] = match kind {
            OffenderKind::GroupMember => {
                &[(TeamWithLookouts, 0.6), (StealToOrder, 0.5), (Distraction, 0.2), (LinedBag, 0.15), (GrabAndGo, 0.3)]
            }
            OffenderKind::OneOff => {
                &[(GrabAndGo, 0.3), (LinedBag, 0.05), (TagRemoval, 0.1), (TrolleyWalkOut, 0.05), (Distraction, 0.05)]
            }
            _ => &[(GrabAndGo, 0.4), (LinedBag, 0.15), (TagRemoval, 0.15), (TrolleyWalkOut, 0.1), (Distraction, 0.05)],
        };
        for &(tag, rate) in tags {
            if rng.random_bool(rate) {
                plan.modus_operandi.push(tag);
            }
        }
        if plan.event == Fraud {
            plan.modus_operandi.push(if rng.random_bool(0.5) { SelfCheckoutFraud } else { RefundFraud });
        }
        if plan.weapon {
            plan.modus_operandi.push(ThreatsWithWeapon);
        }
    }

    /// Tags offenders, notes innocent cars, adds the plan (and perhaps its duplicate report).
    fn finish(&mut self, mut plan: Plan, plans: &mut Vec<Plan>) {
        let noise = &self.world.params().noise;
        let retailer = self.world.retail().retailer_of(plan.store as usize);
        if retailer.marker_spray && self.rng.random_bool(noise.tagging_rate) {
            let code = marker_code(self.world.params().seed, plan.store);
            for who in &plan.offenders {
                if let Who::Stored(person) = who {
                    self.tagged.entry(*person).or_insert_with(|| code.clone());
                }
            }
        }
        for (slot, who) in plan.offenders.iter().enumerate() {
            if let Who::Stored(person) = who {
                plan.markers[slot] = self.tagged.get(person).cloned();
            }
        }
        if self.rng.random_bool(noise.vehicle_seen_nearby_rate) {
            self.next_innocent += 1;
            plan.vehicles.push((Car::Innocent(self.next_innocent - 1), VehicleRole::SeenNearby));
        }
        if self.rng.random_bool(noise.duplicate_rate) {
            plan.has_duplicate = true;
            let mut duplicate = plan.clone();
            duplicate.sequence = self.next_sequence;
            self.next_sequence += 1;
            duplicate.has_duplicate = false;
            duplicate.duplicate_of = Some(plan.sequence);
            duplicate.report_delay_minutes = plan.report_delay_minutes + self.rng.random_range(30..=48 * 60);
            plans.push(plan);
            plans.push(duplicate);
        } else {
            plans.push(plan);
        }
    }

    /// Offenders made so far that are not stored (for the summary).
    pub fn one_offs(&self) -> u64 {
        self.next_one_off
    }

    pub fn innocent_vehicles(&self) -> u64 {
        self.next_innocent
    }
}

/// The forensic-marker code a store's spray leaves: SmartWater-style or SelectaDNA-style.
pub(crate) fn marker_code(seed: u64, store: u32) -> String {
    let mut rng = rng_for(seed, Purpose::References, 0x4d41_524b_0000_0000 | u64::from(store));
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
    let letters: String = (0..4).map(|_| *pick(&mut rng, LETTERS) as char).collect();
    if store.is_multiple_of(3) {
        format!("SDNA-{:06}", rng.random_range(0..1_000_000))
    } else {
        format!("SW-{:04}-{letters}", rng.random_range(0..10_000))
    }
}

/// Days until the next event of a daily Bernoulli process with rate `p` (at least 1).
fn geometric_gap(rng: &mut WorldRng, p: f64) -> u32 {
    let p = p.clamp(1e-9, 0.95);
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    (1.0 + (u.ln() / (1.0 - p).ln()).floor()).min(1e6) as u32
}

/// The day of the next of `remaining` events spread uniformly over `[from, to)`, after `from`.
fn next_order_statistic(rng: &mut WorldRng, from: u32, to: u32, remaining: u32) -> u32 {
    let span = f64::from(to.saturating_sub(from));
    let u: f64 = rng.random();
    let gap = span * (1.0 - u.powf(1.0 / f64::from(remaining.max(1))));
    (from + gap.floor() as u32).min(to.saturating_sub(1)).max(from)
}

fn log_uniform(rng: &mut WorldRng, low: i64, high: i64) -> i64 {
    let (a, b) = ((low as f64).ln(), (high as f64).ln());
    rng.random_range(a..=b).exp().round() as i64
}

/// Relative volume of a day: busier at the end of the week and before Christmas.
fn day_weight(date: NaiveDate) -> f64 {
    let weekday = match date.weekday() {
        Weekday::Mon | Weekday::Tue => 0.9,
        Weekday::Wed => 0.95,
        Weekday::Thu => 1.0,
        Weekday::Fri => 1.15,
        Weekday::Sat => 1.2,
        Weekday::Sun => 0.8,
    };
    let season = if date.month() == 12 { 1.2 } else { 1.0 };
    weekday * season
}
