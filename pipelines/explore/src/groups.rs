//! Detected groups as their packages describe them, active or not. A group whose package was
//! withdrawn keeps its last active version, and what became of it is worked out from where its
//! former members are now: merged into a group that holds most of them, else dissolved.

use crate::workspace::Workspace;
use chrono::{DateTime, Utc};
use orca_model::package::{IntelligencePackage, SubjectKind};
use orca_model::{EntityKind, GroupId, IncidentId, PersonId};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupStatus {
    Active,
    Dissolved,
    Merged,
}

/// One group: its latest active package, and whether it is still active.
#[derive(Clone, Debug)]
pub struct GroupRecord {
    pub id: GroupId,
    /// The last version with content (a withdrawal carries none).
    pub package: Arc<IntelligencePackage>,
    /// The latest version seen, withdrawn or not.
    pub version: u32,
    pub active: bool,
    /// Why the latest version withdrew it.
    pub withdrawn_reason: String,
}

/// What became of a group that is no longer active.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFate {
    pub status: GroupStatus,
    pub text: String,
    pub successors: Vec<GroupId>,
}

/// Every group seen, and the active groups of each person (by person number).
#[derive(Clone, Debug, Default)]
pub struct GroupBook {
    pub(crate) records: BTreeMap<GroupId, GroupRecord>,
    pub(crate) person_groups: FxHashMap<u32, Vec<GroupId>>,
}

/// Whether a package version withdraws its subject (it then carries no subjects).
pub fn is_withdrawal(package: &IntelligencePackage) -> bool {
    package.title.starts_with("Withdrawn: ") && package.subjects.is_empty()
}

impl Workspace {
    /// Applies a package version; returns the group it changed, if it is a group package.
    /// Versions older than the one held (a redelivery) change nothing.
    pub fn apply_package(&mut self, package: &IntelligencePackage) -> Option<GroupId> {
        if package.subject_kind != SubjectKind::Group {
            return None;
        }
        let id = GroupId::new(package.subject_id.clone());
        if self.groups.records.get(&id).is_some_and(|held| held.version >= package.version) {
            return None;
        }
        self.forget_members(&id);
        let withdrawn = is_withdrawal(package);
        let withdrawn_reason = (package.intelligence_gaps.first())
            .filter(|_| withdrawn)
            .map(|gap| gap.trim_start_matches("withdrawn: ").to_owned())
            .unwrap_or_default();
        let record = match (self.groups.records.remove(&id), withdrawn) {
            (Some(held), true) => GroupRecord { version: package.version, active: false, withdrawn_reason, ..held },
            (None, true) => GroupRecord {
                id: id.clone(),
                package: Arc::new(package.clone()),
                version: package.version,
                active: false,
                withdrawn_reason,
            },
            (_, false) => GroupRecord {
                id: id.clone(),
                package: Arc::new(package.clone()),
                version: package.version,
                active: true,
                withdrawn_reason: String::new(),
            },
        };
        if record.active {
            for subject in &record.package.subjects {
                let person = self.intern_entity(orca_model::EntityKind::Person, subject.person_id.as_str());
                let groups = self.groups.person_groups.entry(person).or_default();
                if !groups.contains(&id) {
                    groups.push(id.clone());
                }
            }
        }
        self.groups.records.insert(id.clone(), record);
        Some(id)
    }

    /// Restores a group kept on disk: its last active package and its standing.
    pub fn restore_group(&mut self, package: &IntelligencePackage, version: u32, active: bool, withdrawn_reason: &str) {
        let Some(id) = self.apply_package(package) else { return };
        if !active {
            self.forget_members(&id);
        }
        if let Some(record) = self.groups.records.get_mut(&id) {
            record.version = version;
            record.active = active;
            record.withdrawn_reason = withdrawn_reason.to_owned();
        }
    }

    /// A group no longer active keeps the description of its last active version for analysts.
    /// When a report it cites is withdrawn, disposed of or redacted (a person erased), what ORCA no
    /// longer holds leaves that description too: subjects left with no sighting (with their links
    /// and outcomes) and offences no offender is linked to any more. Returns the groups changed.
    pub(crate) fn scrub_inactive_groups(&mut self, incident: &IncidentId) -> Vec<GroupId> {
        let citing: Vec<GroupId> = (self.groups.records.values())
            .filter(|record| !record.active && record.package.offences.iter().any(|o| &o.incident_id == incident))
            .map(|record| record.id.clone())
            .collect();
        let mut changed = Vec::new();
        for id in citing {
            let package = &self.groups.records[&id].package;
            let gone: Vec<PersonId> = (package.subjects.iter())
                .map(|subject| &subject.person_id)
                .filter(|person| !self.has_sightings(person))
                .cloned()
                .collect();
            let unsupported: Vec<IncidentId> = (package.offences.iter())
                .map(|offence| &offence.incident_id)
                .filter(|incident| !self.has_offenders(incident))
                .cloned()
                .collect();
            if gone.is_empty() && unsupported.is_empty() {
                continue;
            }
            let mut scrubbed = (**package).clone();
            scrubbed.offences.retain(|offence| !unsupported.contains(&offence.incident_id));
            orca_packages::scrub::drop_unsupported(&mut scrubbed, &gone, &[]);
            self.groups.records.get_mut(&id).expect("a group just read").package = Arc::new(scrubbed);
            changed.push(id);
        }
        changed
    }

    fn has_sightings(&self, person: &PersonId) -> bool {
        (self.persons.number(person.as_str()))
            .is_some_and(|n| !self.incidents_of(EntityKind::Person, self.persons.canonical(n)).is_empty())
    }

    fn has_offenders(&self, incident: &IncidentId) -> bool {
        self.incident_numbers.get(incident).is_some_and(|&n| !self.incidents[n as usize].persons.is_empty())
    }

    fn forget_members(&mut self, id: &GroupId) {
        let Some(held) = self.groups.records.get(id).filter(|r| r.active) else { return };
        for subject in &held.package.subjects {
            if let Some(number) = self.persons.number(subject.person_id.as_str())
                && let Some(groups) = self.groups.person_groups.get_mut(&number)
            {
                groups.retain(|g| g != id);
            }
        }
    }

    /// The active groups of a person (by any of its numbers), by id.
    pub fn groups_of_person(&self, number: u32) -> Vec<GroupId> {
        let canonical = self.persons.canonical(number);
        let mut groups: Vec<GroupId> = std::iter::once(canonical)
            .chain(self.persons.merged_into(canonical))
            .filter_map(|n| self.groups.person_groups.get(&n))
            .flatten()
            .cloned()
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }

    pub fn group(&self, id: &str) -> Option<&GroupRecord> {
        self.groups.records.get(&GroupId::new(id))
    }

    /// Every group seen, by id.
    pub fn groups(&self) -> impl Iterator<Item = &GroupRecord> {
        self.groups.records.values()
    }

    /// What became of a group: `Active`, or where its former members are now.
    pub fn fate(&self, record: &GroupRecord) -> GroupFate {
        if record.active {
            return GroupFate { status: GroupStatus::Active, text: String::new(), successors: Vec::new() };
        }
        let former: Vec<u32> = (record.package.subjects.iter())
            .filter_map(|s| self.persons.number(s.person_id.as_str()))
            .map(|n| self.persons.canonical(n))
            .collect();
        let mut now_in: BTreeMap<GroupId, usize> = BTreeMap::new();
        for &person in &former {
            for group in self.groups_of_person(person) {
                if group != record.id {
                    *now_in.entry(group).or_default() += 1;
                }
            }
        }
        let mut successors: Vec<(GroupId, usize)> = now_in.into_iter().collect();
        successors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let reason = if record.withdrawn_reason.is_empty() {
            String::from("no longer meets the group tests")
        } else {
            record.withdrawn_reason.clone()
        };
        let total = former.len().max(1);
        let status = match successors.first() {
            Some((_, held)) if held * 2 >= total => GroupStatus::Merged,
            _ => GroupStatus::Dissolved,
        };
        let text = match (status, successors.first()) {
            // A description rebuilt from the compacted packages topic, which keeps only the
            // group's withdrawal, names no members.
            _ if former.is_empty() => format!("dissolved ({reason})"),
            (GroupStatus::Merged, Some((group, held))) => {
                format!("merged into {group}: {held} of its {total} members are in it now ({reason})")
            }
            (_, Some((group, held))) => {
                format!("dissolved ({reason}); {held} of its {total} members are now in {group}")
            }
            _ => format!("dissolved ({reason}); none of its {total} members is in a group now"),
        };
        GroupFate { status, text, successors: successors.into_iter().map(|(g, _)| g).collect() }
    }
}

impl GroupRecord {
    pub fn last_seen(&self) -> Option<DateTime<Utc>> {
        self.package.last_seen
    }

    pub fn priority_band(&self) -> &str {
        &self.package.score.priority_band
    }

    /// Whether the group was active in a force (lead, affected or on its corridor).
    pub fn touches_force(&self, force: &str) -> bool {
        let p = &self.package;
        p.lead_force.as_str() == force || p.affected_forces.iter().chain(&p.corridor).any(|f| f.as_str() == force)
    }
}
