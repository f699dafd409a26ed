//! What is known of a person or vehicle, gathered from the reports of its sightings: every name and
//! alias, date of birth, mark and marker code; every plate read and description; where and when it
//! was seen. The search service indexes profiles and shows them; the analysts' API returns them.

use crate::workspace::Workspace;
use chrono::{DateTime, Utc};
use orca_model::{EntityKind, Incident, Sex};
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::collections::BTreeMap;

/// A person as their sightings describe them. Lists are most frequent first, then alphabetical.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonProfile {
    pub id: String,
    pub label: String,
    /// Full names as reported, and aliases.
    pub names: Vec<String>,
    pub aliases: Vec<String>,
    pub dates_of_birth: Vec<String>,
    pub marks: Vec<String>,
    pub marker_codes: Vec<String>,
    pub sex: String,
    pub forces: Vec<String>,
    pub retailers: Vec<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub incidents: u32,
    pub groups: Vec<String>,
}

/// A vehicle as its sightings describe it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VehicleProfile {
    pub id: String,
    pub label: String,
    /// Full plates read, most often first.
    pub vrms: Vec<String>,
    /// Partial reads (`?` for unknown characters).
    pub partial_reads: Vec<String>,
    pub makes: Vec<String>,
    pub models: Vec<String>,
    pub colours: Vec<String>,
    pub forces: Vec<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub incidents: u32,
    /// Persons seen with it.
    pub persons: u32,
}

/// Counts values, keeping the first spelling of each (trimmed, case-insensitive).
#[derive(Default)]
struct Tally(BTreeMap<String, (usize, String)>);

impl Tally {
    fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let entry = self.0.entry(value.to_lowercase()).or_insert_with(|| (0, value.to_owned()));
        entry.0 += 1;
    }

    fn ranked(self) -> Vec<String> {
        let mut items: Vec<(usize, String)> = self.0.into_values().collect();
        items.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        items.into_iter().map(|(_, v)| v).collect()
    }
}

impl Workspace {
    /// The profile of a canonical person from the reports of its incidents (`reports[i]` is the
    /// incident `incidents_of(Person, number)[i]`; a missing report is skipped).
    pub fn person_profile<R: Borrow<Incident>>(&self, number: u32, reports: &[Option<R>]) -> PersonProfile {
        let (mut names, mut aliases, mut dates, mut marks, mut markers) =
            (Tally::default(), Tally::default(), Tally::default(), Tally::default(), Tally::default());
        let (mut male, mut female) = (0, 0);
        let incidents = self.incidents_of(EntityKind::Person, number);
        for (&incident, report) in incidents.iter().zip(reports) {
            let Some(report) = report.as_ref().map(Borrow::borrow) else { continue };
            for link in &self.incidents[incident as usize].persons {
                if self.persons.canonical(link.entity) != number {
                    continue;
                }
                let Some(sighting) = report.persons.get(link.index as usize) else { continue };
                let full = format!("{} {}", sighting.given_names.trim(), sighting.family_name.trim());
                names.add(&full);
                sighting.aliases.iter().for_each(|a| aliases.add(a));
                if let Some(date) = &sighting.date_of_birth {
                    dates.add(&date.to_string());
                }
                sighting.distinguishing_marks.iter().for_each(|m| marks.add(m));
                if let Some(code) = &sighting.marker_code {
                    markers.add(&crate::analysis::normalise_marker(code));
                }
                match sighting.sex {
                    Sex::Male => male += 1,
                    Sex::Female => female += 1,
                    Sex::Unspecified => {}
                }
            }
        }
        let Reach { forces, retailers, first_seen, last_seen } = self.reach(incidents);
        let names = names.ranked();
        PersonProfile {
            id: self.persons.id(number).to_owned(),
            // The name reported most often, else what the read model calls them.
            label: names.first().cloned().unwrap_or_else(|| self.label_of(EntityKind::Person, number).to_owned()),
            names,
            aliases: aliases.ranked(),
            dates_of_birth: dates.ranked(),
            marks: marks.ranked(),
            marker_codes: markers.ranked(),
            sex: match male.cmp(&female) {
                std::cmp::Ordering::Greater => "male",
                std::cmp::Ordering::Less => "female",
                std::cmp::Ordering::Equal if male > 0 => "unclear",
                std::cmp::Ordering::Equal => "",
            }
            .to_owned(),
            forces,
            retailers,
            first_seen,
            last_seen,
            incidents: incidents.len() as u32,
            groups: self.groups_of_person(number).iter().map(ToString::to_string).collect(),
        }
    }

    /// The profile of a canonical vehicle (`reports` as for [`Workspace::person_profile`]).
    pub fn vehicle_profile<R: Borrow<Incident>>(&self, number: u32, reports: &[Option<R>]) -> VehicleProfile {
        let (mut vrms, mut partials, mut makes, mut models, mut colours) =
            (Tally::default(), Tally::default(), Tally::default(), Tally::default(), Tally::default());
        let mut persons = Vec::new();
        let incidents = self.incidents_of(EntityKind::Vehicle, number);
        for (&incident, report) in incidents.iter().zip(reports) {
            let node = &self.incidents[incident as usize];
            for link in node.vehicles.iter().filter(|l| self.vehicles.canonical(l.entity) == number) {
                if link.used_by_offenders {
                    persons.extend(node.persons.iter().map(|p| self.persons.canonical(p.entity)));
                }
                let Some(sighting) = report.as_ref().and_then(|r| r.borrow().vehicles.get(link.index as usize)) else {
                    continue;
                };
                let plate =
                    if sighting.vrm.is_empty() { sighting.vrm_raw.trim().to_uppercase() } else { sighting.vrm.clone() };
                if plate.contains('?') {
                    partials.add(&plate);
                } else {
                    vrms.add(&plate);
                }
                makes.add(&sighting.make);
                models.add(&sighting.model);
                colours.add(&sighting.colour);
            }
        }
        persons.sort_unstable();
        persons.dedup();
        let Reach { forces, first_seen, last_seen, .. } = self.reach(incidents);
        VehicleProfile {
            id: self.vehicles.id(number).to_owned(),
            label: self.label_of(EntityKind::Vehicle, number).to_owned(),
            vrms: vrms.ranked(),
            partial_reads: partials.ranked(),
            makes: makes.ranked(),
            models: models.ranked(),
            colours: colours.ranked(),
            forces,
            first_seen,
            last_seen,
            incidents: incidents.len() as u32,
            persons: persons.len() as u32,
        }
    }

    /// Forces and retailers (sorted) and the first and last time of some incidents.
    pub(crate) fn reach(&self, incidents: &[u32]) -> Reach {
        let mut forces = Vec::new();
        let mut retailers = Vec::new();
        let (mut first, mut last) = (None::<DateTime<Utc>>, None::<DateTime<Utc>>);
        for &incident in incidents {
            let node = &self.incidents[incident as usize];
            forces.push(self.forces.text(node.force).to_owned());
            retailers.push(self.retailers.text(node.retailer).to_owned());
            first = Some(first.map_or(node.occurred_at, |f| f.min(node.occurred_at)));
            last = Some(last.map_or(node.occurred_at, |l| l.max(node.occurred_at)));
        }
        forces.sort();
        forces.dedup();
        retailers.sort();
        retailers.dedup();
        Reach { forces, retailers, first_seen: first, last_seen: last }
    }
}

/// Where and when some incidents happened.
pub(crate) struct Reach {
    pub forces: Vec<String>,
    pub retailers: Vec<String>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
}
