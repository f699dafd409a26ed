//! Taking a disposed report or an erased person out of a package version already published.
//!
//! The linker's next version of a package leaves out what was disposed of or erased; the versions
//! published before stay in the store (forces may ask for any of them, and the audit log says who
//! read which). [`scrub_version`] rewrites such a version so that it no longer cites the disposed
//! report or names the erased person: everything else it said stays as it was disclosed.

use orca_model::package::IntelligencePackage;
use orca_model::{IncidentId, PersonId, VehicleId};

/// What text says in place of a disposed report's id.
pub const DISPOSED_REPORT: &str = "[disposed report]";
/// What text says in place of an erased person's id.
pub const ERASED_PERSON: &str = "[erased person]";

/// What left ORCA after a package version was published.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryScrub {
    /// Reports disposed of under the retention schedule.
    pub disposed: Vec<IncidentId>,
    /// Sightings erased by an analyst's decision: the report, and the person it was resolved to
    /// when it was erased.
    pub erased: Vec<(IncidentId, PersonId)>,
}

impl HistoryScrub {
    pub fn is_empty(&self) -> bool {
        self.disposed.is_empty() && self.erased.is_empty()
    }
}

/// Rewrites an earlier package version without the disposed reports (their offences, and their
/// ids in the text) and without the erased sightings (the person's place in that report's offence).
/// A subject, vehicle or store that only they supported goes too, with its links and outcomes. Its
/// title, totals and score stay as published, and a line among its gaps says what left it.
/// Returns whether anything changed.
pub fn scrub_version(package: &mut IntelligencePackage, scrub: &HistoryScrub) -> bool {
    let before = package.clone();
    let mut dropped_offences: Vec<IncidentId> = Vec::new();
    package.offences.retain(|offence| {
        let keep = !scrub.disposed.contains(&offence.incident_id);
        if !keep {
            dropped_offences.push(offence.incident_id.clone());
        }
        keep
    });
    let mut touched_persons: Vec<PersonId> = Vec::new();
    let mut touched_vehicles: Vec<VehicleId> = Vec::new();
    for offence in &before.offences {
        if dropped_offences.contains(&offence.incident_id) {
            touched_persons.extend(offence.person_ids.iter().cloned());
            touched_vehicles.extend(offence.vehicle_ids.iter().cloned());
        }
    }
    let mut erased_sightings = 0;
    for offence in &mut package.offences {
        offence.person_ids.retain(|person| {
            let erased =
                scrub.erased.iter().any(|(incident, erased)| *incident == offence.incident_id && erased == person);
            if erased {
                touched_persons.push(person.clone());
                erased_sightings += 1;
            }
            !erased
        });
    }
    let unsupported_persons: Vec<PersonId> = (touched_persons.into_iter())
        .filter(|person| !package.offences.iter().any(|o| o.person_ids.contains(person)))
        .collect();
    let unsupported_vehicles: Vec<VehicleId> = (touched_vehicles.into_iter())
        .filter(|vehicle| !package.offences.iter().any(|o| o.vehicle_ids.contains(vehicle)))
        .collect();
    drop_unsupported(package, &unsupported_persons, &unsupported_vehicles);
    for notice in package.report_notices.iter_mut().filter(|n| scrub.disposed.contains(&n.incident_id)) {
        if !notice.withdrawn {
            // A correction's reason is the report's content; the linker forgets it on disposal.
            notice.reason.clear();
        }
    }
    let erased_persons: Vec<&PersonId> = unsupported_persons.iter().collect();
    let replace = |text: &mut String| {
        for incident in &dropped_offences {
            *text = replace_id(text, incident.as_str(), DISPOSED_REPORT);
        }
        for person in &erased_persons {
            *text = replace_id(text, person.as_str(), ERASED_PERSON);
        }
    };
    package.intelligence_gaps.iter_mut().for_each(replace);
    package.recommended_actions.iter_mut().for_each(replace);
    package.score.factors.iter_mut().flat_map(|f| f.evidence.iter_mut()).for_each(replace);
    if *package == before {
        return false;
    }
    package.intelligence_gaps.push(rewrite_note(dropped_offences.len(), before.offences.len(), erased_sightings));
    true
}

/// What a rewritten version says of itself: its title, totals and score are as published.
fn rewrite_note(disposed: usize, offences: usize, erased: usize) -> String {
    let mut what = Vec::new();
    if disposed > 0 {
        what.push(format!("{disposed} of its {offences} offences (reports disposed of under the retention schedule)"));
    }
    if erased > 0 {
        what.push(format!("{erased} erased sightings"));
    }
    format!(
        "since this version was published, {} left it; its title, totals and score are as published",
        what.join(" and ")
    )
}

/// Removes subjects and vehicles, with their links, outcomes and the stores no offence uses any more.
pub fn drop_unsupported(package: &mut IntelligencePackage, persons: &[PersonId], vehicles: &[VehicleId]) {
    package.subjects.retain(|subject| !persons.contains(&subject.person_id));
    package.vehicles.retain(|vehicle| !vehicles.contains(&vehicle.vehicle_id));
    for offence in &mut package.offences {
        offence.person_ids.retain(|person| !persons.contains(person));
        offence.vehicle_ids.retain(|vehicle| !vehicles.contains(vehicle));
    }
    let gone = |id: &str| persons.iter().any(|p| p.as_str() == id) || vehicles.iter().any(|v| v.as_str() == id);
    package.link_chart.retain(|edge| !gone(&edge.from) && !gone(&edge.to));
    package.outcomes.retain(|outcome| !persons.contains(&outcome.person_id));
    let offences = &package.offences;
    package.stores.retain(|store| offences.iter().any(|offence| offence.store == store.store));
}

/// `text` with every whole occurrence of `id` (not part of a longer id) replaced by `with`.
fn replace_id(text: &str, id: &str, with: &str) -> String {
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (at, _) in text.match_indices(id) {
        let end = at + id.len();
        let whole = !text[..at].chars().next_back().is_some_and(is_id_char)
            && !text[end..].chars().next().is_some_and(is_id_char);
        if whole {
            out.push_str(&text[from..at]);
            out.push_str(with);
            from = end;
        }
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_ids_are_replaced() {
        assert_eq!(replace_id("INC-1, INC-12 and INC-1", "INC-1", "[x]"), "[x], INC-12 and [x]");
        assert_eq!(replace_id("XINC-1 INC-1", "INC-1", "[x]"), "XINC-1 [x]");
        assert_eq!(replace_id("nothing here", "INC-1", "[x]"), "nothing here");
    }
}
