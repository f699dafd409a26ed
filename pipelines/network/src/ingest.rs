//! Applying a resolution: merges and splits first, then the incident's links. Idempotent: a
//! resolution whose links are already held changes nothing; one whose links differ (the resolver
//! re-resolved the incident after a split) replaces the incident's links. A relink (a resolution
//! without its incident, sent after an analyst's decision) re-states the links of an incident held
//! already: its merges and splits are applied, then the incident is relinked if its links differ.
//! A relink of an incident the linker does not hold (one a replay of the compacted resolutions
//! topic has not read) has its merges and splits applied and its links ignored; the resolver
//! sends merges, splits and decisions' results as such relinks, with no incident id.

use crate::linker::{IncidentLinks, Linker};
use crate::projection::TieCache;
use crate::records::{IncidentRecord, WithdrawalNote};
use orca_model::{EntityKind, EntityMerge, EntitySplit, PersonId, Resolution};

/// What applying one resolution did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// A new incident was linked.
    Linked,
    /// An incident held already got new links, or the entities it names were merged or split.
    Relinked,
    /// Nothing changed (a redelivery).
    Unchanged,
    /// A relink of an incident the linker does not hold (or with no incident) that changed no
    /// entity: ignored.
    UnknownIncident,
}

impl Linker {
    pub(crate) fn apply_resolution(&mut self, resolution: &Resolution) -> Applied {
        let existing = self.incident_numbers.get(&resolution.incident_id).copied();
        if let Some(withdrawal) = &resolution.withdrawal {
            return match existing {
                Some(number) => self.withdraw_incident(number, withdrawal),
                None => Applied::UnknownIncident,
            };
        }
        let mut record = match (IncidentRecord::from_resolution(resolution), existing) {
            (Some(record), _) => record,
            (None, Some(number)) => self.incidents[number as usize].relinked(resolution),
            (None, None) => {
                return if self.apply_entity_changes(resolution) {
                    Applied::Relinked
                } else {
                    Applied::UnknownIncident
                };
            }
        };
        if let Some(number) = existing {
            let held = &self.incidents[number as usize];
            if held.withdrawal.is_some() || record.revision.max(1) < held.revision.max(1) {
                // A withdrawn report stays withdrawn; an older revision delivered again changes nothing.
                return Applied::Unchanged;
            }
            if record.revision.max(1) == held.revision.max(1) {
                record.former_persons = held.former_persons.clone();
            }
        }
        if let Some(incident) = &resolution.incident {
            self.note_store(incident);
        }
        let relink = resolution.is_relink();
        if !relink
            && let Some(number) = existing
            && self.same_links(number, &record)
        {
            return Applied::Unchanged;
        }
        let changed = self.apply_entity_changes(resolution);
        // A relink's merges and splits apply even when the incident's own links read the same.
        if relink
            && let Some(number) = existing
            && self.same_links(number, &record)
        {
            return if changed { Applied::Relinked } else { Applied::Unchanged };
        }
        // Store links under their canonical ids, so the record reads the same after a restore.
        for link in &mut record.persons {
            let number = self.persons.intern(link.person.as_str());
            link.person = self.persons.id(self.persons.canonical(number)).into();
        }
        for link in &mut record.vehicles {
            let number = self.vehicles.intern(link.vehicle.as_str());
            link.vehicle = self.vehicles.id(self.vehicles.canonical(number)).into();
        }
        match existing {
            Some(number) => {
                if record.revision.max(1) > self.incidents[number as usize].revision.max(1) {
                    self.note_departure(number, &mut record);
                }
                self.unlink_incident(number);
                let before = self.incidents[number as usize].occurred_at;
                let was_latest = before.timestamp() == self.latest_incident && record.occurred_at < before;
                self.incidents[number as usize] = record;
                if was_latest {
                    // The linker's clock was this incident's time, which moved back.
                    self.latest_incident =
                        self.incidents.iter().map(|r| r.occurred_at.timestamp()).max().unwrap_or(i64::MIN);
                }
                self.link_incident(number);
                Applied::Relinked
            }
            None => {
                self.insert_record(record);
                Applied::Linked
            }
        }
    }

    /// Takes a withdrawn report out of the graph: it keeps its record, with no links, the
    /// withdrawal and the persons it named.
    /// A disposal also scrubs the record ([`IncidentRecord::scrub`]), even one withdrawn before.
    fn withdraw_incident(&mut self, number: u32, withdrawal: &orca_model::Withdrawal) -> Applied {
        if let Some(note) = &self.incidents[number as usize].withdrawal {
            if withdrawal.disposed && !note.disposed {
                self.incidents[number as usize].scrub();
                self.dirty_incidents.insert(number);
                // Their packages' notices now say the report was disposed of.
                let former = self.incidents[number as usize].former_persons.clone();
                self.republish_packages_of(&former);
            }
            return Applied::Unchanged;
        }
        let mut record = self.incidents[number as usize].clone();
        record.persons.clear();
        record.vehicles.clear();
        record.withdrawal = Some(WithdrawalNote {
            reason: withdrawal.reason.clone(),
            revision: withdrawal.revision.max(1),
            disposed: false,
        });
        if withdrawal.disposed {
            record.scrub();
        }
        self.note_departure(number, &mut record);
        self.unlink_incident(number);
        self.incidents[number as usize] = record;
        self.link_incident(number);
        Applied::Relinked
    }

    /// Records on `record` (the report's next state) the persons its current state names that it
    /// no longer does, so their packages can say why the report left them.
    fn note_departure(&mut self, number: u32, record: &mut IncidentRecord) {
        let now: Vec<Option<u32>> = record.persons.iter().map(|l| self.person_number(&l.person)).collect();
        let mut former: Vec<PersonId> = self.incidents[number as usize].former_persons.clone();
        for &person in &self.links[number as usize].persons {
            let person = self.persons.canonical(person);
            if !now.contains(&Some(person)) {
                former.push(PersonId::new(self.persons.id(person)));
            }
        }
        former.sort();
        former.dedup();
        record.former_persons = former;
        if record.departed() && !self.departed.contains(&number) {
            self.departed.push(number);
        }
    }

    /// Adds a new incident and indexes its links.
    pub(crate) fn insert_record(&mut self, record: IncidentRecord) {
        let number = self.incidents.len() as u32;
        self.incident_numbers.insert(record.id.clone(), number);
        self.incidents.push(record);
        self.links.push(IncidentLinks::default());
        self.link_incident(number);
    }

    /// Whether the incident already holds this record, reading every id through the redirects.
    fn same_links(&self, number: u32, record: &IncidentRecord) -> bool {
        self.canonical_copy(&self.incidents[number as usize]) == self.canonical_copy(record)
    }

    fn canonical_copy(&self, record: &IncidentRecord) -> IncidentRecord {
        let mut copy = record.clone();
        for link in &mut copy.persons {
            if let Some(number) = self.persons.number(link.person.as_str()) {
                link.person = self.persons.id(self.persons.canonical(number)).into();
            }
        }
        for link in &mut copy.vehicles {
            if let Some(number) = self.vehicles.number(link.vehicle.as_str()) {
                link.vehicle = self.vehicles.id(self.vehicles.canonical(number)).into();
            }
        }
        copy
    }

    /// Indexes an incident's links and marks everyone in it for recomputation.
    fn link_incident(&mut self, number: u32) {
        let record = &self.incidents[number as usize];
        self.latest_incident = self.latest_incident.max(record.occurred_at.timestamp());
        let mut links = IncidentLinks::default();
        for link in &record.persons {
            let person = self.persons.intern(link.person.as_str());
            let person = self.persons.canonical(person);
            links.persons.push(person);
            if let Some(code) = &link.marker_code {
                let carriers = self.marker_carriers.entry(code.clone()).or_default();
                if !carriers.contains(&person) {
                    carriers.push(person);
                }
            }
        }
        for link in &record.vehicles {
            let vehicle = self.vehicles.intern(link.vehicle.as_str());
            links.vehicles.push(self.vehicles.canonical(vehicle));
        }
        for &person in &links.persons {
            self.persons.add_incident(person, number);
            self.dirty_persons.insert(person);
            self.dirty_prolific.insert(person);
        }
        for &vehicle in &links.vehicles {
            self.vehicles.add_incident(vehicle, number);
        }
        let vehicles = links.vehicles.clone();
        self.links[number as usize] = links;
        self.index_pairs(number);
        self.extend_ties(number);
        for vehicle in vehicles {
            // Users' own packages describe the vehicle from all its sightings (best plate read,
            // description, sightings, cloned-plate suspicion), so any new sighting can change them.
            self.mark_vehicle_users_dirty(vehicle);
        }
        self.dirty_incidents.insert(number);
    }

    /// Removes an incident's links from the indexes, marking everyone it touched.
    fn unlink_incident(&mut self, number: u32) {
        self.forget_ties(number);
        self.unindex_pairs(number);
        let links = std::mem::take(&mut self.links[number as usize]);
        for &person in &links.persons {
            let person = self.persons.canonical(person);
            self.persons.remove_incident(person, number);
            self.dirty_persons.insert(person);
            self.dirty_prolific.insert(person);
        }
        for link in &self.incidents[number as usize].persons {
            if let (Some(code), Some(person)) = (&link.marker_code, self.persons.number(link.person.as_str())) {
                let person = self.persons.canonical(person);
                let still_carried = self.persons.incidents[person as usize].iter().any(|&other| {
                    self.incidents[other as usize]
                        .persons
                        .iter()
                        .any(|l| l.marker_code.as_ref() == Some(code) && self.person_number(&l.person) == Some(person))
                });
                if !still_carried && let Some(carriers) = self.marker_carriers.get_mut(code) {
                    carriers.retain(|&p| p != person);
                }
            }
        }
        for &vehicle in &links.vehicles {
            let vehicle = self.vehicles.canonical(vehicle);
            self.mark_vehicle_users_dirty(vehicle);
            self.vehicles.remove_incident(vehicle, number);
            // The people counted just now were read with the incident still listed.
            self.tie_cache.forget_vehicle(vehicle);
        }
        self.dirty_incidents.insert(number);
    }

    /// Marks everyone at the vehicle's incidents for recomputing their groups and own packages.
    fn mark_vehicle_users_dirty(&mut self, vehicle: u32) {
        let mut cache = std::mem::take(&mut self.tie_cache);
        for &person in self.vehicle_people(vehicle, &mut cache) {
            self.dirty_persons.insert(person);
            self.dirty_prolific.insert(person);
        }
        self.tie_cache = cache;
    }

    /// Applies a resolution's merges, then its splits; returns whether any entity changed.
    fn apply_entity_changes(&mut self, resolution: &Resolution) -> bool {
        let mut changed = false;
        for merge in &resolution.merges {
            changed |= self.apply_merge(merge);
        }
        for split in &resolution.splits {
            changed |= self.apply_split(split);
        }
        changed
    }

    /// Returns whether any id was newly merged.
    fn apply_merge(&mut self, merge: &EntityMerge) -> bool {
        let entities = match merge.kind {
            EntityKind::Person => &mut self.persons,
            EntityKind::Vehicle => &mut self.vehicles,
        };
        let survivor = entities.intern(&merge.survivor);
        let survivor = entities.canonical(survivor);
        let mut merged_numbers = Vec::new();
        for merged in &merge.merged {
            let merged = entities.intern(merged);
            let merged = entities.canonical(merged);
            if merged != survivor && !merged_numbers.contains(&merged) {
                merged_numbers.push(merged);
            }
        }
        // The pairs and summaries of the merged entities' incidents are read again once their
        // sightings are the survivor's.
        let registry = match merge.kind {
            EntityKind::Person => &self.persons,
            EntityKind::Vehicle => &self.vehicles,
        };
        let mut reread: Vec<u32> =
            merged_numbers.iter().flat_map(|&m| registry.incidents[m as usize].iter().copied()).collect();
        reread.sort_unstable();
        reread.dedup();
        for &incident in &reread {
            self.forget_ties(incident);
            if merge.kind == EntityKind::Person {
                self.unindex_pairs(incident);
            }
        }
        let entities = match merge.kind {
            EntityKind::Person => &mut self.persons,
            EntityKind::Vehicle => &mut self.vehicles,
        };
        let merges: Vec<(u32, Vec<u32>)> =
            merged_numbers.into_iter().map(|merged| (merged, entities.merge(survivor, merged))).collect();
        match merge.kind {
            EntityKind::Person => self.tie_cache.forget_person(survivor),
            EntityKind::Vehicle => self.tie_cache.forget_vehicle(survivor),
        }
        let merged_any = !merges.is_empty();
        for (merged, moved) in merges {
            self.dirty_redirects.push((merge.kind, merged));
            match merge.kind {
                EntityKind::Person => {
                    self.dirty_persons.insert(survivor);
                    self.dirty_persons.insert(merged);
                    self.dirty_prolific.insert(survivor);
                    self.dirty_prolific.insert(merged);
                    for incident in moved {
                        let record = &self.incidents[incident as usize];
                        for (person, link) in self.links[incident as usize].persons.iter_mut().zip(&record.persons) {
                            if *person != merged {
                                continue;
                            }
                            *person = survivor;
                            // The survivor carries the merged person's marker codes.
                            if let Some(carriers) =
                                link.marker_code.as_ref().and_then(|c| self.marker_carriers.get_mut(c))
                            {
                                carriers.retain(|&p| p != merged);
                                if !carriers.contains(&survivor) {
                                    carriers.push(survivor);
                                }
                            }
                        }
                    }
                }
                EntityKind::Vehicle => {
                    for &incident in &moved {
                        for vehicle in &mut self.links[incident as usize].vehicles {
                            if *vehicle == merged {
                                *vehicle = survivor;
                            }
                        }
                    }
                    self.mark_vehicle_users_dirty(survivor);
                }
            }
        }
        for &incident in &reread {
            self.forget_ties(incident);
            if merge.kind == EntityKind::Person {
                self.index_pairs(incident);
            }
        }
        merged_any
    }

    /// A split gives new ids lineage from the entity they left; one that had been merged into it
    /// stands on its own again. Sightings move when the resolver re-sends their incidents' links.
    /// Returns whether anything changed (a split applied before changes nothing).
    fn apply_split(&mut self, split: &EntitySplit) -> bool {
        let entities = match split.kind {
            EntityKind::Person => &mut self.persons,
            EntityKind::Vehicle => &mut self.vehicles,
        };
        let from = entities.intern(&split.from);
        let mut changed = false;
        for new_id in &split.new_ids {
            let number = entities.intern(new_id);
            if number == from
                || (entities.lineage[number as usize] == Some(from) && entities.redirect_of(number).is_none())
            {
                continue;
            }
            entities.lineage[number as usize] = Some(from);
            if entities.redirect_of(number).is_some() {
                entities.set_redirect(number, None);
            }
            self.dirty_redirects.push((split.kind, number));
            changed = true;
        }
        if changed {
            // Rare (an analyst's decision): every summary is read again when next needed.
            self.tie_cache = TieCache::default();
        }
        if changed && split.kind == EntityKind::Person {
            let from = self.persons.canonical(from);
            self.dirty_persons.insert(from);
            self.dirty_prolific.insert(from);
        }
        changed
    }

    /// The canonical number of a person id, if known.
    pub(crate) fn person_number(&self, id: &orca_model::PersonId) -> Option<u32> {
        self.persons.number(id.as_str()).map(|n| self.persons.canonical(n))
    }
}
