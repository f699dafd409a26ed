//! Disposal of a report under the retention schedule: a withdrawal that also scrubs what the
//! resolver kept of the report's content.
//!
//! Every revision's sightings are retracted (as for a withdrawal), their stored records are
//! replaced by their disposed form (see [`persist::record_disposal`]: numbers, entities, links and
//! blocking-key hashes; no names, dates, descriptions, face templates, marker codes or plates), and
//! their in-memory features become those of an empty sighting, with the names they counted taken
//! out of the term frequencies. A restored resolver reads the disposed records back to the same
//! sightings, postings and frequencies, so it resolves what follows as the running one does. (The
//! running resolver's intern tables keep the bare name and plate strings until it restarts; they
//! are not stored and no sighting refers to them.)
//!
//! A redaction (a revision ORCA made itself to stop holding something: face templates past the
//! schedule, an erased person) scrubs the revisions before it the same way, and is resolved as a
//! correction.

use crate::persist;
use crate::resolver::Resolver;
use crate::revisions::withdrawn;
use orca_model::{PersonSighting, Resolution, VehicleSighting, Withdrawal};

impl Resolver {
    /// Disposes of a report (see the module docs). The resolution carries the disposal; disposing
    /// again changes nothing and answers the same.
    pub fn dispose(&mut self, disposal: &Withdrawal) -> Resolution {
        self.withdraw(disposal);
        let answer = withdrawn(disposal);
        let Some(&latest) = self.incidents.get(&disposal.incident_id) else {
            return answer;
        };
        if self.incident_log[latest as usize].disposed {
            return answer;
        }
        // Later deliveries of the report are answered with the disposal (already so when the
        // withdrawal above was this disposal).
        if self.incident_log[latest as usize].withdrawal.as_deref() != Some(disposal) {
            self.incident_log[latest as usize].withdrawal = Some(Box::new(disposal.clone()));
            persist::record_withdrawal(self, latest, disposal);
        }
        self.scrub_earlier_revisions(latest);
        self.scrub(latest);
        self.counters.disposals += 1;
        answer
    }

    /// Scrubs what is kept of the revisions before entry `latest` (a redaction: ORCA's own revision
    /// of the report, which no longer holds something the earlier ones did).
    pub(crate) fn scrub_earlier_revisions(&mut self, latest: u32) {
        let mut entry = self.incident_log[latest as usize].previous;
        while let Some(number) = entry {
            entry = self.incident_log[number as usize].previous;
            self.scrub(number);
        }
    }

    /// Whether the report was disposed of.
    pub fn is_disposed(&self, incident: &orca_model::IncidentId) -> bool {
        self.incidents.get(incident).is_some_and(|&n| self.incident_log[n as usize].disposed)
    }

    /// Replaces entry `number`'s record and its sightings' features with their disposed forms.
    fn scrub(&mut self, number: u32) {
        if self.incident_log[number as usize].disposed {
            return;
        }
        persist::record_disposal(self, number);
        let entry = &mut self.incident_log[number as usize];
        entry.disposed = true;
        let (persons, vehicles) = (entry.persons.clone(), entry.vehicles.clone());
        for s in persons {
            let old = &self.persons.sightings[s as usize].features;
            crate::resolver::uncount_names(&mut self.names, old);
            let (place, vehicles, co_offenders) = (old.place, old.vehicles.clone(), old.co_offenders.clone());
            let mut features = crate::person::features::extract(&PersonSighting::default(), place, &mut self.names);
            features.vehicles = vehicles;
            features.co_offenders = co_offenders;
            features.counted = 0;
            self.persons.sightings[s as usize].features = features;
        }
        for s in vehicles {
            let place = self.vehicles.sightings[s as usize].features.place;
            self.vehicles.sightings[s as usize].features =
                crate::vehicle::features::extract(&VehicleSighting::default(), place, &mut self.plates);
        }
    }
}
