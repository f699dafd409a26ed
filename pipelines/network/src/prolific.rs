//! Prolific offenders per force, by the thresholds in [`crate::config::ProlificRules`]: a
//! system-defined label, never a legal status. A person prolific in at least one force gets a
//! package (`PKG-<person id>`, [`orca_model::package::SubjectKind::ProlificOffender`]) led by the force where they meet
//! the threshold with the most offences; a person who stops qualifying (merged away, relinked) has
//! their package withdrawn. A member of a detected group is judged on their offending outside the
//! group (alone, or with people outside it): the group's package profiles the rest, and lists that
//! offending too. With `include_group_members` set, members are judged on all of it.

use crate::linker::Linker;
use crate::scores::{ScoreInput, score};
use chrono::Duration;
use orca_model::package::{IntelligencePackage, ScoreFactor, SubjectKind};
use orca_model::{ForceId, Grade, ModusOperandi, Pence, PersonId};
use orca_packages::{build_package, package_id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A person who meets a force's prolific-offender threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProlificView {
    pub person: PersonId,
    /// Forces whose threshold they meet, with the reason.
    pub forces: Vec<(ForceId, String)>,
    pub lead_force: ForceId,
    pub offences: u32,
    pub total_loss_pence: Pence,
}

impl Linker {
    /// The incidents a person is judged on: all of theirs, or for a group member those outside
    /// the group.
    pub(crate) fn prolific_incidents(&self, person: u32) -> Vec<u32> {
        let all = &self.persons.incidents[person as usize];
        let group = self.group_of.get(&person).and_then(|id| self.groups.get(id));
        match group {
            Some(group) if !self.config.prolific.include_group_members => {
                let inside: rustc_hash::FxHashSet<u32> =
                    group.view.incidents.iter().filter_map(|id| self.incident_numbers.get(id).copied()).collect();
                all.iter().copied().filter(|i| !inside.contains(i)).collect()
            }
            _ => all.clone(),
        }
    }

    /// The forces whose threshold a person meets with `incidents`, each with the evidence; empty
    /// when none.
    pub(crate) fn prolific_forces(&self, incidents: &[u32]) -> Vec<(ForceId, usize, Pence, String)> {
        let mut per_force: BTreeMap<&ForceId, Vec<u32>> = BTreeMap::new();
        for &incident in incidents {
            per_force.entry(&self.incidents[incident as usize].force).or_default().push(incident);
        }
        let mut met = Vec::new();
        for (force, list) in per_force {
            let threshold = self.config.prolific.for_force(force);
            let Some(latest) = list.iter().map(|&i| self.incidents[i as usize].occurred_at).max() else { continue };
            let since = latest - Duration::days(threshold.window_days);
            let recent: Vec<u32> =
                list.iter().copied().filter(|&i| self.incidents[i as usize].occurred_at > since).collect();
            let value: Pence = recent.iter().map(|&i| self.incidents[i as usize].value_pence).sum();
            let violent = recent.iter().filter(|&&i| self.incidents[i as usize].violent()).count();
            let days = threshold.window_days;
            let reason = if recent.len() >= threshold.min_offences {
                format!("{} offences in {days} days (threshold {})", recent.len(), threshold.min_offences)
            } else if value >= Pence::new(threshold.min_value_pence) {
                format!(
                    "£{} stolen in {days} days (threshold £{})",
                    value.whole_pounds(),
                    threshold.min_value_pence / 100
                )
            } else if violent >= threshold.min_violent_offences {
                format!("{violent} violent offences in {days} days (threshold {})", threshold.min_violent_offences)
            } else {
                continue;
            };
            met.push((force.clone(), recent.len(), value, format!("meets the {force} threshold: {reason}")));
        }
        met
    }

    /// Re-judges the touched persons, emitting changed prolific-offender packages.
    pub(crate) fn refresh_prolific(&mut self, touched: &[u32], emitted: &mut Vec<IntelligencePackage>) {
        let mut persons: Vec<u32> = touched.to_vec();
        persons.extend(touched.iter().map(|&p| self.persons.canonical(p)));
        persons.sort_unstable();
        persons.dedup();
        for person in persons {
            let id = package_id(self.persons.id(person));
            let in_group = self.group_of.get(&person).filter(|_| !self.config.prolific.include_group_members);
            let canonical = self.persons.is_canonical(person);
            let incidents = if canonical { self.prolific_incidents(person) } else { Vec::new() };
            let met = self.prolific_forces(&incidents);
            if met.is_empty() {
                let reason = match in_group {
                    _ if !canonical => "merged into another person".to_owned(),
                    Some(group) => format!("profiled as a member of group {group}; no threshold met outside it"),
                    None => "no longer meets a force's prolific-offender threshold".to_owned(),
                };
                if self.packages.get(&id).is_some_and(|p| p.header.subject_kind == SubjectKind::ProlificOffender) {
                    self.withdraw(&id, &reason, emitted);
                }
                continue;
            }
            let lead = met
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)).then_with(|| b.0.cmp(&a.0)))
                .map(|m| m.0.clone())
                .unwrap_or_default();
            let mut forces: Vec<ForceId> =
                incidents.iter().map(|&i| self.incidents[i as usize].force.clone()).collect();
            forces.sort();
            forces.dedup();
            let mut score = score(&self.person_score_input(person, &incidents, forces.len()), &self.config.scoring);
            score.factors.insert(
                0,
                ScoreFactor {
                    name: "prolific (system-defined)".to_owned(),
                    value: met.len() as f64,
                    band: "high".to_owned(),
                    evidence: met.iter().map(|m| m.3.clone()).collect(),
                },
            );
            let package = build_package(self.person_profile(person, &incidents, &lead, forces, score));
            self.offer(package, emitted);
        }
    }

    fn person_score_input(&self, person: u32, incidents: &[u32], forces: usize) -> ScoreInput {
        let mut input = ScoreInput { forces, ..ScoreInput::default() };
        let mut retailers = Vec::new();
        let mut stores = Vec::new();
        let mut grades = Vec::new();
        for &incident in incidents {
            let record = &self.incidents[incident as usize];
            input.total_loss_pence += record.value_pence;
            input.violent_incidents += usize::from(record.violent());
            input.staff_detained_incidents += usize::from(record.staff_detained);
            input.steal_to_order_incidents += usize::from(record.modus_operandi.contains(&ModusOperandi::StealToOrder));
            input.incident_times.push(record.occurred_at);
            retailers.push(&record.retailer);
            stores.push(&record.store);
            grades.push(&record.grade);
            for (link, &p) in record.persons.iter().zip(&self.links[incident as usize].persons) {
                if self.persons.canonical(p) == person {
                    input.probabilities.push(link.probability);
                }
            }
        }
        retailers.sort();
        retailers.dedup();
        stores.sort();
        stores.dedup();
        input.retailers = retailers.len();
        input.stores = stores.len();
        input.vehicles = self.vehicles_of(person).len();
        input.weakest_grade =
            Grade::weakest(grades).map(|g| format!("{}{}", g.source, g.intelligence)).unwrap_or_default();
        input
    }

    /// Every person currently meeting a force's prolific-offender threshold, by id.
    pub fn prolific_offenders(&self) -> Vec<ProlificView> {
        self.packages
            .values()
            .filter(|p| p.header.subject_kind == SubjectKind::ProlificOffender && !p.withdrawn)
            .filter_map(|p| {
                let person = self.person_number(&PersonId::new(p.header.subject_id.clone()))?;
                let met = self.prolific_forces(&self.prolific_incidents(person));
                Some(ProlificView {
                    person: PersonId::new(self.persons.id(person)),
                    forces: met.into_iter().map(|m| (m.0, m.3)).collect(),
                    lead_force: p.header.lead_force.clone(),
                    offences: p.offences,
                    total_loss_pence: p.header.total_loss_pence,
                })
            })
            .collect()
    }
}
