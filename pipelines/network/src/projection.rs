//! The weighted person–person co-offending projection of the link graph, built for the region a
//! resolution touched: the persons it names, everyone tied to them, and the whole communities of
//! these (see [`crate::config::LinkWeights`] for the weights).

use crate::linker::Linker;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Why two persons are linked: each kind of tie with its count and weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PairLink {
    /// Local indices into [`Projection::persons`], `a < b`.
    pub a: u32,
    pub b: u32,
    pub co_incidents: u32,
    pub co_weight: f64,
    pub shared_vehicles: u32,
    pub vehicle_weight: f64,
    pub shared_markers: u32,
    pub marker_weight: f64,
}

impl PairLink {
    pub fn weight(&self) -> f64 {
        self.co_weight + self.vehicle_weight + self.marker_weight
    }
}

/// Persons of a region, ordered by id, and the links among them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Projection {
    /// Canonical person numbers, sorted by person id.
    pub persons: Vec<u32>,
    /// Sorted by `(a, b)`.
    pub edges: Vec<PairLink>,
}

/// Summaries of persons' and vehicles' histories, kept between recomputes so that a recompute
/// reads what changed rather than every touched person's whole history: built on first use,
/// extended as incidents are linked ([`Linker::extend_ties`]), dropped for whatever an unlinked
/// incident or a merge touched ([`Linker::forget_ties`]). Debug builds check every entry read
/// against a fresh pass over the history.
#[derive(Clone, Debug, Default)]
pub(crate) struct TieCache {
    persons: FxHashMap<u32, Arc<PersonTies>>,
    /// Canonical persons who used a vehicle (with it at an incident, not merely seen nearby).
    vehicle_users: FxHashMap<u32, Vec<u32>>,
    /// Canonical persons at any incident of a vehicle, whatever its role there.
    vehicle_people: FxHashMap<u32, Vec<u32>>,
    marker_carriers: FxHashMap<String, Vec<u32>>,
}

impl TieCache {
    pub(crate) fn forget_person(&mut self, person: u32) {
        self.persons.remove(&person);
    }

    pub(crate) fn forget_vehicle(&mut self, vehicle: u32) {
        self.vehicle_users.remove(&vehicle);
        self.vehicle_people.remove(&vehicle);
    }
}

/// What one pass over a person's incidents gives the projection.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PersonTies {
    /// Canonical persons at the person's incidents, the person included; sorted.
    pub co_offenders: Vec<u32>,
    /// Vehicles (canonical) used at the person's incidents; sorted.
    vehicles: Vec<u32>,
    /// Distinct marker codes recorded on the person's own sightings; sorted.
    markers: Vec<String>,
}

impl Linker {
    /// Canonical persons who used a vehicle (with it at an incident, not merely seen nearby), sorted.
    pub(crate) fn vehicle_users<'c>(&self, vehicle: u32, cache: &'c mut TieCache) -> &'c [u32] {
        let users = cache.vehicle_users.entry(vehicle).or_insert_with(|| self.fresh_vehicle_people(vehicle, true));
        debug_assert_eq!(*users, self.fresh_vehicle_people(vehicle, true), "stale users of vehicle {vehicle}");
        users
    }

    /// Canonical persons at any incident of a vehicle, sorted.
    pub(crate) fn vehicle_people<'c>(&self, vehicle: u32, cache: &'c mut TieCache) -> &'c [u32] {
        let people = cache.vehicle_people.entry(vehicle).or_insert_with(|| self.fresh_vehicle_people(vehicle, false));
        debug_assert_eq!(*people, self.fresh_vehicle_people(vehicle, false), "stale people of vehicle {vehicle}");
        people
    }

    fn fresh_vehicle_people(&self, vehicle: u32, users_only: bool) -> Vec<u32> {
        let mut people = Vec::new();
        for &incident in &self.vehicles.incidents[vehicle as usize] {
            let record = &self.incidents[incident as usize];
            let counted =
                self.links[incident as usize].vehicles.iter().zip(&record.vehicles).any(|(&v, link)| {
                    self.vehicles.canonical(v) == vehicle && (!users_only || link.used_by_offenders())
                });
            if counted {
                people.extend(self.links[incident as usize].persons.iter().map(|&p| self.persons.canonical(p)));
            }
        }
        people.sort_unstable();
        people.dedup();
        people
    }

    fn carriers<'c>(&self, code: &str, cache: &'c mut TieCache) -> &'c [u32] {
        if !cache.marker_carriers.contains_key(code) {
            cache.marker_carriers.insert(code.to_owned(), self.fresh_carriers(code));
        }
        let carriers = &cache.marker_carriers[code];
        debug_assert_eq!(*carriers, self.fresh_carriers(code), "stale carriers of {code}");
        carriers
    }

    fn fresh_carriers(&self, code: &str) -> Vec<u32> {
        let mut carriers: Vec<u32> = self
            .marker_carriers
            .get(code)
            .map(|list| list.iter().map(|&p| self.persons.canonical(p)).collect())
            .unwrap_or_default();
        carriers.sort_unstable();
        carriers.dedup();
        carriers
    }

    /// A person's ties, from the cache or one pass over their incidents.
    pub(crate) fn ties(&self, person: u32, cache: &mut TieCache) -> Arc<PersonTies> {
        if let Some(ties) = cache.persons.get(&person) {
            debug_assert_eq!(**ties, self.fresh_ties(person), "stale ties of person {person}");
            return Arc::clone(ties);
        }
        let ties = Arc::new(self.fresh_ties(person));
        cache.persons.insert(person, Arc::clone(&ties));
        ties
    }

    fn fresh_ties(&self, person: u32) -> PersonTies {
        let mut ties = PersonTies { co_offenders: Vec::new(), vehicles: Vec::new(), markers: Vec::new() };
        for &incident in &self.persons.incidents[person as usize] {
            let record = &self.incidents[incident as usize];
            let links = &self.links[incident as usize];
            for (link, &p) in record.persons.iter().zip(&links.persons) {
                let p = self.persons.canonical(p);
                ties.co_offenders.push(p);
                if p == person
                    && let Some(code) = &link.marker_code
                    && !ties.markers.contains(code)
                {
                    ties.markers.push(code.clone());
                }
            }
            for (&v, link) in links.vehicles.iter().zip(&record.vehicles) {
                if link.used_by_offenders() {
                    ties.vehicles.push(self.vehicles.canonical(v));
                }
            }
        }
        for list in [&mut ties.co_offenders, &mut ties.vehicles] {
            list.sort_unstable();
            list.dedup();
        }
        ties.markers.sort();
        ties
    }

    /// Adds a newly linked incident to the summaries held for its persons and vehicles.
    pub(crate) fn extend_ties(&mut self, incident: u32) {
        let record = &self.incidents[incident as usize];
        let links = &self.links[incident as usize];
        let cache = &mut self.tie_cache;
        let persons: Vec<u32> = links.persons.iter().map(|&p| self.persons.canonical(p)).collect();
        let mut used = Vec::new();
        for (&v, link) in links.vehicles.iter().zip(&record.vehicles) {
            let v = self.vehicles.canonical(v);
            if link.used_by_offenders() {
                used.push(v);
                if let Some(users) = cache.vehicle_users.get_mut(&v) {
                    persons.iter().for_each(|&p| insert_sorted(users, p));
                }
            }
            if let Some(people) = cache.vehicle_people.get_mut(&v) {
                persons.iter().for_each(|&p| insert_sorted(people, p));
            }
        }
        for (link, &person) in record.persons.iter().zip(&persons) {
            if let Some(code) = &link.marker_code {
                cache.marker_carriers.remove(code);
            }
            let Some(ties) = cache.persons.get_mut(&person) else { continue };
            let ties = Arc::make_mut(ties);
            persons.iter().for_each(|&p| insert_sorted(&mut ties.co_offenders, p));
            used.iter().for_each(|&v| insert_sorted(&mut ties.vehicles, v));
            if let Some(code) = &link.marker_code {
                insert_sorted(&mut ties.markers, code.clone());
            }
        }
    }

    /// Drops the summaries an incident's links feed (before it is unlinked, or before and after
    /// its entities are merged).
    pub(crate) fn forget_ties(&mut self, incident: u32) {
        let record = &self.incidents[incident as usize];
        let links = &self.links[incident as usize];
        let cache = &mut self.tie_cache;
        for &p in &links.persons {
            cache.persons.remove(&self.persons.canonical(p));
        }
        for &v in &links.vehicles {
            cache.forget_vehicle(self.vehicles.canonical(v));
        }
        for code in record.persons.iter().filter_map(|link| link.marker_code.as_ref()) {
            cache.marker_carriers.remove(code);
        }
    }

    /// Distinct marker codes recorded on a person's sightings.
    pub(crate) fn markers_of(&self, person: u32) -> Vec<String> {
        let mut codes = Vec::new();
        for &incident in &self.persons.incidents[person as usize] {
            for (link, &p) in
                self.incidents[incident as usize].persons.iter().zip(&self.links[incident as usize].persons)
            {
                if self.persons.canonical(p) == person
                    && let Some(code) = &link.marker_code
                    && !codes.contains(code)
                {
                    codes.push(code.clone());
                }
            }
        }
        codes.sort();
        codes
    }

    /// Vehicles (canonical) used at a person's incidents.
    pub(crate) fn vehicles_of(&self, person: u32) -> Vec<u32> {
        let mut vehicles = Vec::new();
        for &incident in &self.persons.incidents[person as usize] {
            let record = &self.incidents[incident as usize];
            for (&v, link) in self.links[incident as usize].vehicles.iter().zip(&record.vehicles) {
                if link.used_by_offenders() {
                    vehicles.push(self.vehicles.canonical(v));
                }
            }
        }
        vehicles.sort_unstable();
        vehicles.dedup();
        vehicles
    }

    /// Whether a person co-offended with more distinct persons than `max_co_offenders`: almost
    /// always several people merged into one by resolution, which would weld unrelated crews into
    /// one community. Hubs stay in the link graph and the views but out of community detection.
    pub(crate) fn is_hub(&self, person: u32, cache: &mut TieCache) -> bool {
        self.ties(person, cache).co_offenders.len().saturating_sub(1) > self.config.links.max_co_offenders
    }

    /// Everyone tied to a person by an incident, a shared vehicle or a shared marker code (none
    /// for a hub, and never a hub).
    pub(crate) fn neighbours(&self, person: u32, cache: &mut TieCache, out: &mut Vec<u32>) {
        out.clear();
        if self.is_hub(person, cache) {
            return;
        }
        let ties = self.ties(person, cache);
        out.extend_from_slice(&ties.co_offenders);
        let weights = &self.config.links;
        for &vehicle in &ties.vehicles {
            let users = self.vehicle_users(vehicle, cache);
            if users.len() <= weights.max_vehicle_users {
                out.extend_from_slice(users);
            }
        }
        for code in &ties.markers {
            let carriers = self.carriers(code, cache);
            if carriers.len() <= weights.max_marker_carriers {
                out.extend_from_slice(carriers);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&p| p != person);
        let mut kept = Vec::with_capacity(out.len());
        for &p in out.iter() {
            if !self.is_hub(p, cache) {
                kept.push(p);
            }
        }
        *out = kept;
    }

    /// The region a change can move: the seeds, everyone tied to them, and every member of a
    /// community any of these is in, with every link among them. Communities outside the region
    /// stay as they are, so a recompute costs what the change touches, not the size of the
    /// connected component it happens in (which, with real resolution, grows into a large part of
    /// the graph).
    pub(crate) fn project(&mut self, seeds: &[u32], cache: &mut TieCache) -> Projection {
        let mut region: Vec<u32> = Vec::new();
        let mut neighbours = Vec::new();
        for &seed in seeds {
            let seed = self.persons.canonical(seed);
            if self.persons.incidents[seed as usize].is_empty() || self.is_hub(seed, cache) {
                continue;
            }
            region.push(seed);
            self.neighbours(seed, cache, &mut neighbours);
            region.extend_from_slice(&neighbours);
        }
        region.sort_unstable();
        region.dedup();
        let mut labels: Vec<u64> = region.iter().filter_map(|p| self.community.get(p).copied()).collect();
        labels.sort_unstable();
        labels.dedup();
        for label in labels {
            region.extend_from_slice(self.community.members(label));
        }
        region.sort_unstable();
        region.dedup();
        // Members who left detection since (merged away, without incidents, or now hubs) leave
        // their community.
        let mut persons = Vec::with_capacity(region.len());
        for person in region {
            if self.persons.is_canonical(person)
                && !self.persons.incidents[person as usize].is_empty()
                && !self.is_hub(person, cache)
            {
                persons.push(person);
            } else if self.community.remove(&person).is_some() {
                self.dirty_communities.insert(person);
            }
        }
        persons.sort_by(|&a, &b| self.persons.id(a).cmp(self.persons.id(b)));
        let local: FxHashMap<u32, u32> = persons.iter().enumerate().map(|(i, &p)| (p, i as u32)).collect();

        let mut pairs: FxHashMap<(u32, u32), PairLink> = FxHashMap::default();
        let weights = &self.config.links;

        // Co-offending: each pair's shared incidents, decayed from the latest incident held.
        let reference = self.latest_incident;
        let ties: Vec<Arc<PersonTies>> = persons.iter().map(|&p| self.ties(p, cache)).collect();
        for (index, &person) in persons.iter().enumerate() {
            for &other in &ties[index].co_offenders {
                let Some(&other_index) = local.get(&other) else { continue };
                if other_index <= index as u32 {
                    continue;
                }
                if let Some(co) = self.pairs.co_offending(person, other, reference, weights) {
                    let link = pair(&mut pairs, index as u32, other_index);
                    link.co_incidents = co.incidents;
                    link.co_weight = co.weight;
                }
            }
        }

        #[cfg(debug_assertions)]
        self.check_co_offending(&persons, &local, &pairs);

        // Shared vehicles and marker codes, spread over all their other users (not only those
        // in the region, so a link weighs the same whichever change brought it in).
        let mut vehicles: Vec<u32> = ties.iter().flat_map(|t| t.vehicles.iter().copied()).collect();
        vehicles.sort_unstable();
        vehicles.dedup();
        vehicles.sort_by(|&a, &b| self.vehicles.id(a).cmp(self.vehicles.id(b)));
        for vehicle in vehicles {
            let all: Vec<u32> = self.vehicle_users(vehicle, cache).to_vec();
            let (users, count) = self.detected_among(&all, &local, cache);
            if users.len() < 2 || count > weights.max_vehicle_users {
                continue;
            }
            let share = weights.shared_vehicle / (count - 1) as f64;
            for i in 0..users.len() {
                for j in i + 1..users.len() {
                    let link = pair(&mut pairs, users[i], users[j]);
                    link.shared_vehicles += 1;
                    link.vehicle_weight += share;
                }
            }
        }
        let mut codes: Vec<&str> = ties.iter().flat_map(|t| t.markers.iter().map(String::as_str)).collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            let all: Vec<u32> = self.carriers(code, cache).to_vec();
            let (carriers, count) = self.detected_among(&all, &local, cache);
            if carriers.len() < 2 || count > weights.max_marker_carriers {
                continue;
            }
            let share = weights.shared_marker / (count - 1) as f64;
            for i in 0..carriers.len() {
                for j in i + 1..carriers.len() {
                    let link = pair(&mut pairs, carriers[i], carriers[j]);
                    link.shared_markers += 1;
                    link.marker_weight += share;
                }
            }
        }
        let mut edges: Vec<PairLink> = pairs.into_values().collect();
        edges.sort_by_key(|link| (link.a, link.b));
        Projection { persons, edges }
    }

    /// Of a vehicle's users or a code's carriers: the local indices of those in the region, and
    /// how many take part in community detection at all (hubs do not).
    fn detected_among(&self, persons: &[u32], local: &FxHashMap<u32, u32>, cache: &mut TieCache) -> (Vec<u32>, usize) {
        let mut in_region = Vec::new();
        let mut count = 0;
        for &person in persons {
            if let Some(&index) = local.get(&person) {
                in_region.push(index);
                count += 1;
            } else if !self.persons.incidents[person as usize].is_empty() && !self.is_hub(person, cache) {
                count += 1;
            }
        }
        (in_region, count)
    }
}

#[cfg(debug_assertions)]
impl Linker {
    /// Debug builds: the pair index gives what a pass over the region's incidents gives.
    fn check_co_offending(
        &self,
        persons: &[u32],
        local: &FxHashMap<u32, u32>,
        pairs: &FxHashMap<(u32, u32), PairLink>,
    ) {
        let weights = &self.config.links;
        let mut expected: FxHashMap<(u32, u32), (u32, f64)> = FxHashMap::default();
        let mut incidents: Vec<u32> =
            persons.iter().flat_map(|&p| self.persons.incidents[p as usize].iter().copied()).collect();
        incidents.sort_unstable();
        incidents.dedup();
        for incident in incidents {
            let record = &self.incidents[incident as usize];
            let mut present: Vec<(u32, f64)> = Vec::new();
            for (&p, link) in self.links[incident as usize].persons.iter().zip(&record.persons) {
                let Some(&index) = local.get(&self.persons.canonical(p)) else { continue };
                match present.iter_mut().find(|(i, _)| *i == index) {
                    Some(entry) => entry.1 = entry.1.max(link.probability),
                    None => present.push((index, link.probability)),
                }
            }
            for i in 0..present.len() {
                for j in i + 1..present.len() {
                    let (a, b) = (present[i].0.min(present[j].0), present[i].0.max(present[j].0));
                    let age_days = (self.latest_incident - record.occurred_at.timestamp()).max(0) as f64 / 86_400.0;
                    let decay = 0.5f64.powf(age_days / weights.half_life_days.max(1e-9)).max(weights.decay_floor);
                    let confidence = present[i].1.min(present[j].1).clamp(0.0, 1.0);
                    let entry = expected.entry((a, b)).or_default();
                    entry.0 += 1;
                    entry.1 += weights.co_offence * decay * confidence;
                }
            }
        }
        for (&(a, b), &(count, weight)) in &expected {
            let link = pairs.get(&(a, b)).unwrap_or_else(|| panic!("pair {a}-{b} missing from the index"));
            assert_eq!(link.co_incidents, count, "shared incidents of pair {a}-{b}");
            assert!(
                (link.co_weight - weight).abs() <= 1e-9 * weight.abs().max(1.0),
                "co-offending weight of pair {a}-{b}: index {} against {weight}",
                link.co_weight
            );
        }
        let indexed = pairs.values().filter(|link| link.co_incidents > 0).count();
        assert_eq!(indexed, expected.len(), "pairs with shared incidents");
    }
}

fn pair(pairs: &mut FxHashMap<(u32, u32), PairLink>, a: u32, b: u32) -> &mut PairLink {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    pairs.entry((a, b)).or_insert_with(|| PairLink { a, b, ..PairLink::default() })
}

fn insert_sorted<T: Ord>(list: &mut Vec<T>, value: T) {
    if let Err(at) = list.binary_search(&value) {
        list.insert(at, value);
    }
}
