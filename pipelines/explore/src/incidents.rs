//! What the read model keeps of each incident: where and when, and the links of its offending
//! persons and its vehicles. Small on purpose (a million incidents fit in a few hundred megabytes);
//! everything an analyst reads in full comes from the search index's copy of the resolution.

use chrono::{DateTime, Utc};
use orca_model::{EventType, IncidentId, LinkDecision, Pence};
use rustc_hash::FxHashMap;

/// Strings seen many times (forces, stores, retailers), stored once and referred to by number.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    texts: Vec<Box<str>>,
    numbers: FxHashMap<Box<str>, u32>,
}

impl Interner {
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(&number) = self.numbers.get(text) {
            return number;
        }
        let number = self.texts.len() as u32;
        self.texts.push(text.into());
        self.numbers.insert(text.into(), number);
        number
    }

    pub fn get(&self, text: &str) -> Option<u32> {
        self.numbers.get(text).copied()
    }

    pub fn text(&self, number: u32) -> &str {
        &self.texts[number as usize]
    }
}

/// The link of one sighting, by entity number as written (read it through `canonical`).
#[derive(Clone, Debug, PartialEq)]
pub struct LinkNode {
    /// Index of the sighting in the incident's persons or vehicles.
    pub index: u32,
    pub entity: u32,
    pub probability: f32,
    pub decision: LinkDecision,
    /// For a possible match: the candidate entity.
    pub candidate: Option<u32>,
    /// A person's forensic-marker code, normalised (`SW1234ABCD`).
    pub marker: Option<Box<str>>,
    /// A vehicle was with the offenders (not merely seen nearby); always true for persons.
    pub used_by_offenders: bool,
}

/// One incident as the read model keeps it.
#[derive(Clone, Debug)]
pub struct IncidentNode {
    pub id: IncidentId,
    pub occurred_at: DateTime<Utc>,
    pub force: u32,
    pub store: u32,
    pub retailer: u32,
    pub event_type: EventType,
    pub value_pence: Pence,
    pub violent: bool,
    pub police_crime_ref: Box<str>,
    /// Offending persons only (suspects and offenders), by sighting index.
    pub persons: Vec<LinkNode>,
    pub vehicles: Vec<LinkNode>,
}
