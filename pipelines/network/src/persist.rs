//! The linker's state as store records, and back.
//!
//! Namespaces (values are JSON):
//! - `network.incident`: incident id → [`crate::records::IncidentRecord`] (links under the ids current when applied).
//! - `network.entity`: `person:<id>` or `vehicle:<id>` → where a merged id redirects and what a
//!   split id came from; deleted when neither applies.
//! - `network.community`: person id → community label (persons in communities of two or more).
//! - `network.group`: group id → its members and view; deleted when the group dissolves.
//! - `network.package`: package id → the last version emitted: number, content hash and header
//!   (for version numbers, change detection and withdrawal notices).
//! - `network.store`: store id → its name, postcode, force and position (for packages' maps).
//! - `network.outcome`: outcome id → an outcome a force recorded against a package.
//! - `network.meta`: `counters` → the next group and community numbers.
//!
//! Restoring applies the same records in key order; since everything ordered inside the linker is
//! ordered by id, the restored linker computes what the original would have.

use crate::config::LinkerConfig;
use crate::emitted::EmittedPackage;
use crate::entities::Entities;
use crate::linker::{GroupState, Linker};
use crate::records::IncidentRecord;
use crate::views::GroupView;
use orca_model::package::{PackageOutcome, PackageStore};
use orca_model::{EntityKind, GroupId, PersonId, StateChange, StoredRecord};
use serde::{Deserialize, Serialize};

pub const INCIDENT: &str = "network.incident";
pub const ENTITY: &str = "network.entity";
pub const COMMUNITY: &str = "network.community";
pub const GROUP: &str = "network.group";
pub const PACKAGE: &str = "network.package";
pub const META: &str = "network.meta";
pub const STORE: &str = "network.store";
pub const OUTCOME: &str = "network.outcome";

/// A stored record the linker cannot read.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("record `{namespace}`/`{key}` is not valid: {reason}")]
    Malformed { namespace: String, key: String, reason: String },
    #[error("unknown namespace `{0}` for the linker")]
    UnknownNamespace(String),
}

#[derive(Serialize, Deserialize)]
struct EntityRecord {
    redirect: Option<String>,
    split_from: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct GroupRecord {
    members: Vec<PersonId>,
    view: GroupView,
}

#[derive(Serialize, Deserialize)]
struct Counters {
    next_group: u64,
    next_community: u64,
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("linker state serialises to json")
}

impl Linker {
    /// What changed since the last call, for the service to write in the same transaction as the
    /// offsets of the resolutions that caused it. Keys are natural keys, so writing twice is harmless.
    pub fn take_changes(&mut self) -> Vec<StateChange> {
        let mut changes = Vec::new();
        let mut incidents: Vec<u32> = self.dirty_incidents.drain().collect();
        incidents.sort_unstable();
        for number in incidents {
            let record = &self.incidents[number as usize];
            changes.push(StateChange::put(INCIDENT, record.id.to_string(), json(record)));
        }
        let mut entities = std::mem::take(&mut self.dirty_redirects);
        entities.sort_by_key(|&(kind, n)| (kind == EntityKind::Vehicle, n));
        entities.dedup();
        for (kind, number) in entities {
            let (prefix, registry) = match kind {
                EntityKind::Person => ("person", &self.persons),
                EntityKind::Vehicle => ("vehicle", &self.vehicles),
            };
            let key = format!("{prefix}:{}", registry.id(number));
            let record = EntityRecord {
                redirect: registry.redirect_of(number).map(|n| registry.id(n).to_owned()),
                split_from: registry.lineage[number as usize].map(|n| registry.id(n).to_owned()),
            };
            changes.push(if record.redirect.is_none() && record.split_from.is_none() {
                StateChange::delete(ENTITY, key)
            } else {
                StateChange::put(ENTITY, key, json(&record))
            });
        }
        let mut persons: Vec<u32> = self.dirty_communities.drain().collect();
        persons.sort_unstable();
        for person in persons {
            let key = self.persons.id(person).to_owned();
            changes.push(match self.community.get(&person) {
                Some(label) => StateChange::put(COMMUNITY, key, label.to_string().into_bytes()),
                None => StateChange::delete(COMMUNITY, key),
            });
        }
        let mut groups: Vec<GroupId> = self.dirty_groups.drain().collect();
        groups.sort();
        for id in groups {
            changes.push(match self.groups.get(&id) {
                Some(group) => {
                    let members = group.members.iter().map(|&p| PersonId::new(self.persons.id(p))).collect();
                    StateChange::put(GROUP, id.to_string(), json(&GroupRecord { members, view: group.view.clone() }))
                }
                None => StateChange::delete(GROUP, id.to_string()),
            });
        }
        let mut packages: Vec<_> = self.dirty_packages.drain().collect();
        packages.sort();
        for id in packages {
            if let Some(package) = self.packages.get(&id) {
                changes.push(StateChange::put(PACKAGE, id.to_string(), json(package)));
            }
        }
        for id in std::mem::take(&mut self.dirty_stores) {
            if let Some(store) = self.stores.get(&id) {
                changes.push(StateChange::put(STORE, id.to_string(), json(store)));
            }
        }
        for outcome in std::mem::take(&mut self.dirty_outcomes) {
            changes.push(StateChange::put(OUTCOME, outcome.outcome_id.clone(), json(&outcome)));
        }
        if std::mem::take(&mut self.dirty_meta) {
            let counters = Counters { next_group: self.next_group, next_community: self.next_community };
            changes.push(StateChange::put(META, "counters", json(&counters)));
        }
        changes
    }

    /// A linker from stored records (every `network.*` record; others are refused).
    pub fn restore(
        config: LinkerConfig,
        records: impl IntoIterator<Item = StoredRecord>,
    ) -> Result<Self, RestoreError> {
        let mut linker = Linker::new(config);
        let mut by_namespace: [Vec<StoredRecord>; 8] = Default::default();
        for record in records {
            let slot = match record.namespace.as_str() {
                META => 0,
                ENTITY => 1,
                INCIDENT => 2,
                COMMUNITY => 3,
                GROUP => 4,
                PACKAGE => 5,
                STORE => 6,
                OUTCOME => 7,
                other => return Err(RestoreError::UnknownNamespace(other.to_owned())),
            };
            by_namespace[slot].push(record);
        }
        for list in &mut by_namespace {
            list.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let [meta, entities, incidents, communities, groups, packages, stores, outcomes] = by_namespace;
        for record in meta {
            let counters: Counters = parse(&record)?;
            linker.next_group = counters.next_group;
            linker.next_community = counters.next_community;
        }
        for record in entities {
            let entity: EntityRecord = parse(&record)?;
            let (registry, id): (&mut Entities, &str) = match record.key.split_once(':') {
                Some(("person", id)) => (&mut linker.persons, id),
                Some(("vehicle", id)) => (&mut linker.vehicles, id),
                _ => return Err(malformed(&record, "key is not `person:<id>` or `vehicle:<id>`")),
            };
            let number = registry.intern(id);
            if let Some(target) = entity.redirect {
                let target = registry.intern(&target);
                registry.set_redirect(number, Some(target));
            }
            if let Some(from) = entity.split_from {
                let from = registry.intern(&from);
                registry.lineage[number as usize] = Some(from);
            }
        }
        for record in incidents {
            let incident: IncidentRecord = parse(&record)?;
            if incident.departed() {
                linker.departed.push(linker.incidents.len() as u32);
            }
            linker.insert_record(incident);
        }
        for record in communities {
            let label: u64 = std::str::from_utf8(&record.value)
                .ok()
                .and_then(|text| text.parse().ok())
                .ok_or_else(|| malformed(&record, "label is not a number"))?;
            let person = linker.persons.intern(&record.key);
            linker.community.insert(person, label);
        }
        for record in groups {
            let group: GroupRecord = parse(&record)?;
            let members: Vec<u32> = group.members.iter().map(|id| linker.persons.intern(id.as_str())).collect();
            let id = GroupId::new(record.key.clone());
            for &member in &members {
                linker.group_of.insert(member, id.clone());
            }
            // Edges and incidents are found again when the group is next recomputed; until then
            // nothing publishes it.
            linker.groups.insert(id, GroupState { members, edges: Vec::new(), view: group.view });
        }
        for record in packages {
            let package: EmittedPackage = parse(&record)?;
            linker.packages.insert(package.header.id.clone(), package);
        }
        for record in stores {
            let store: PackageStore = parse(&record)?;
            linker.stores.insert(store.store.clone(), store);
        }
        for record in outcomes {
            let outcome: PackageOutcome = parse(&record)?;
            linker.outcomes.entry(outcome.package_id.clone()).or_default().push(outcome);
        }
        linker.dirty_persons.clear();
        linker.dirty_prolific.clear();
        linker.dirty_incidents.clear();
        linker.dirty_redirects.clear();
        Ok(linker)
    }
}

fn parse<T: for<'de> Deserialize<'de>>(record: &StoredRecord) -> Result<T, RestoreError> {
    serde_json::from_slice(&record.value).map_err(|error| malformed(record, &error.to_string()))
}

fn malformed(record: &StoredRecord, reason: &str) -> RestoreError {
    RestoreError::Malformed { namespace: record.namespace.clone(), key: record.key.clone(), reason: reason.to_owned() }
}
