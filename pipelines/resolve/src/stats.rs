//! Counters the resolver keeps, and the figures it reports.

use crate::resolver::Resolver;
use orca_model::LinkDecision;
use serde::{Deserialize, Serialize};

/// Running counters, persisted with the state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counters {
    pub incidents: u64,
    pub person_comparisons: u64,
    pub vehicle_comparisons: u64,
    /// Candidate sightings left out because a block passed its cap.
    pub blocked_pairs_skipped: u64,
    pub possible_matches: u64,
    pub merges: u64,
    pub splits: u64,
    pub cloned_plates: u64,
    pub decisions: u64,
    /// Reports corrected (a later revision replaced an earlier one) and withdrawn.
    pub corrections: u64,
    pub withdrawals: u64,
    /// Reports disposed of under the retention schedule (their sightings scrubbed).
    pub disposals: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolverStats {
    pub incidents: u64,
    pub person_sightings: u64,
    pub vehicle_sightings: u64,
    /// Live entities (not merged away, with at least one sighting).
    pub persons: u64,
    pub vehicles: u64,
    pub person_comparisons: u64,
    pub vehicle_comparisons: u64,
    pub blocked_pairs_skipped: u64,
    /// Possible matches ever queued, and those still waiting for an analyst.
    pub possible_matches: u64,
    pub possible_matches_open: u64,
    pub merges: u64,
    pub splits: u64,
    pub cloned_plates: u64,
    pub analyst_decisions: u64,
    /// Analysts' decisions waiting for an incident to be resolved.
    pub decisions_waiting: u64,
    pub distinct_names: u64,
    pub blocking_keys: u64,
}

impl ResolverStats {
    pub(crate) fn gather(resolver: &Resolver) -> Self {
        let c = &resolver.counters;
        let open = resolver
            .persons
            .sightings
            .iter()
            .filter(|s| {
                s.link.decision == LinkDecision::PossibleMatch
                    && s.pinned.is_none()
                    && s.link.candidate.is_some_and(|candidate| {
                        resolver.persons.canonical(candidate) != resolver.persons.canonical(s.entity)
                    })
            })
            .count() as u64;
        Self {
            incidents: c.incidents,
            person_sightings: resolver.persons.sightings.len() as u64,
            vehicle_sightings: resolver.vehicles.sightings.len() as u64,
            persons: resolver.persons.live_entities() as u64,
            vehicles: resolver.vehicles.live_entities() as u64,
            person_comparisons: c.person_comparisons,
            vehicle_comparisons: c.vehicle_comparisons,
            blocked_pairs_skipped: c.blocked_pairs_skipped,
            possible_matches: c.possible_matches,
            possible_matches_open: open,
            merges: c.merges,
            splits: c.splits,
            cloned_plates: c.cloned_plates,
            analyst_decisions: c.decisions,
            decisions_waiting: resolver.waiting.events.len() as u64,
            distinct_names: resolver.names.len() as u64,
            blocking_keys: (resolver.persons.postings.key_count() + resolver.vehicles.postings.key_count()) as u64,
        }
    }
}
