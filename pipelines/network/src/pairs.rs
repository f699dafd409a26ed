//! Co-offending kept up to date pair by pair. For every two persons seen at one incident the
//! linker keeps their shared incidents in (time, id) order with running sums, so the decayed weight
//! of their tie at any reference time takes two binary searches instead of a pass over their
//! history: the recompute after each resolution costs what the resolution touched, not what the
//! persons did before.
//!
//! The decay of a shared incident `age` days before the reference time is
//! `max(0.5^(age / half_life), floor)` (see [`crate::config::LinkWeights`]). Incidents older than
//! `half_life × log2(1 / floor)` days all weigh `floor`: their sum is the running sum of
//! confidence. The newer ones weigh `2^((t − reference) / half_life)`, which is
//! `2^((t − anchor) / half_life) × 2^((anchor − reference) / half_life)`: their sum is the
//! difference of two running sums of `confidence × 2^((t − anchor) / half_life)`, scaled once.
//! Sums are always formed in list order from the first entry, and the anchor depends only on the
//! newest entry, so the same shared incidents give the same weight however they arrived (a
//! restore computes exactly what the original did).

use crate::config::LinkWeights;
use crate::records::IncidentRecord;
use rustc_hash::FxHashMap;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// The anchor is the newest entry's time rounded down to a multiple of this many half-lives,
/// keeping every term below 2^256.
const ANCHOR_HALF_LIVES: f64 = 256.0;

/// One incident two persons share.
#[derive(Clone, Debug)]
struct Shared {
    /// Seconds since the Unix epoch.
    at: i64,
    incident: u32,
    confidence: f64,
    /// Running sums up to and including this entry: of `confidence`, and of
    /// `confidence × 2^((at − anchor) / half_life)`.
    confidence_sum: f64,
    growth_sum: f64,
}

/// The incidents two persons share, in (time, incident id) order.
#[derive(Clone, Debug, Default)]
struct PairHistory {
    shared: Vec<Shared>,
    /// Seconds since the Unix epoch.
    anchor: i64,
}

/// Shared incidents of every pair of canonical persons, keyed `(lower number, higher number)`.
#[derive(Clone, Debug, Default)]
pub(crate) struct PairIndex {
    pairs: FxHashMap<(u32, u32), PairHistory>,
    half_life_seconds: f64,
}

/// What a pair's shared incidents weigh at a reference time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CoOffending {
    pub incidents: u32,
    /// `Σ co_offence × decay × confidence`.
    pub weight: f64,
}

impl PairIndex {
    pub fn new(weights: &LinkWeights) -> Self {
        Self { pairs: FxHashMap::default(), half_life_seconds: weights.half_life_days.max(1e-9) * SECONDS_PER_DAY }
    }

    /// Records that `a` and `b` (canonical, different) were both at `incident` with this confidence.
    pub fn add(&mut self, a: u32, b: u32, incident: u32, confidence: f64, records: &[IncidentRecord]) {
        let half_life = self.half_life_seconds;
        let history = self.pairs.entry(key(a, b)).or_default();
        let record = &records[incident as usize];
        let at = record.occurred_at.timestamp();
        let position =
            history.shared.partition_point(|entry| (entry.at, &records[entry.incident as usize].id) < (at, &record.id));
        let entry = Shared { at, incident, confidence, confidence_sum: 0.0, growth_sum: 0.0 };
        history.shared.insert(position, entry);
        history.resum(position, half_life);
    }

    /// Forgets that `a` and `b` shared `incident`.
    pub fn remove(&mut self, a: u32, b: u32, incident: u32) {
        let half_life = self.half_life_seconds;
        let key = key(a, b);
        let Some(history) = self.pairs.get_mut(&key) else { return };
        let Some(position) = history.shared.iter().position(|entry| entry.incident == incident) else { return };
        history.shared.remove(position);
        if history.shared.is_empty() {
            self.pairs.remove(&key);
        } else {
            history.resum(position, half_life);
        }
    }

    /// How many incidents `a` and `b` share and what they weigh at `reference` (seconds since the
    /// epoch; the latest incident the linker holds).
    pub fn co_offending(&self, a: u32, b: u32, reference: i64, weights: &LinkWeights) -> Option<CoOffending> {
        let history = self.pairs.get(&key(a, b))?;
        let floor_age = floor_age_seconds(weights, self.half_life_seconds);
        let cut = reference.saturating_sub(floor_age);
        let floored = history.shared.partition_point(|entry| entry.at <= cut);
        let before = |sums: fn(&Shared) -> f64| floored.checked_sub(1).map_or(0.0, |i| sums(&history.shared[i]));
        let last = history.shared.last()?;
        let old = weights.decay_floor * before(|e| e.confidence_sum);
        let scale = ((history.anchor - reference) as f64 / self.half_life_seconds).exp2();
        let recent = (last.growth_sum - before(|e| e.growth_sum)).max(0.0) * scale;
        Some(CoOffending { incidents: history.shared.len() as u32, weight: weights.co_offence * (old + recent) })
    }

    /// The incidents `a` and `b` share, in (time, id) order.
    pub fn shared(&self, a: u32, b: u32) -> impl Iterator<Item = u32> + '_ {
        self.pairs.get(&key(a, b)).into_iter().flat_map(|history| history.shared.iter().map(|entry| entry.incident))
    }

    /// When `a` and `b` first and last shared an incident (seconds since the epoch).
    pub fn span(&self, a: u32, b: u32) -> Option<(i64, i64)> {
        let shared = &self.pairs.get(&key(a, b))?.shared;
        Some((shared.first()?.at, shared.last()?.at))
    }
}

impl PairHistory {
    /// Recomputes the running sums from `position` on (all of them when the anchor moves).
    fn resum(&mut self, mut position: usize, half_life: f64) {
        let newest = self.shared.last().map_or(0, |entry| entry.at);
        let quantum = half_life * ANCHOR_HALF_LIVES;
        let anchor = ((newest as f64 / quantum).floor() * quantum) as i64;
        if anchor != self.anchor {
            self.anchor = anchor;
            position = 0;
        }
        let (mut confidence_sum, mut growth_sum) = match position.checked_sub(1) {
            Some(i) => (self.shared[i].confidence_sum, self.shared[i].growth_sum),
            None => (0.0, 0.0),
        };
        for entry in &mut self.shared[position..] {
            confidence_sum += entry.confidence;
            growth_sum += entry.confidence * ((entry.at - anchor) as f64 / half_life).exp2();
            entry.confidence_sum = confidence_sum;
            entry.growth_sum = growth_sum;
        }
    }
}

/// Age (seconds) from which the decay is the floor: `half_life × log2(1 / floor)`.
fn floor_age_seconds(weights: &LinkWeights, half_life: f64) -> i64 {
    if weights.decay_floor <= 0.0 {
        i64::MAX
    } else if weights.decay_floor >= 1.0 {
        0
    } else {
        (half_life * (1.0 / weights.decay_floor).log2()).min(i64::MAX as f64) as i64
    }
}

fn key(a: u32, b: u32) -> (u32, u32) {
    if a < b { (a, b) } else { (b, a) }
}

impl crate::linker::Linker {
    /// Adds an incident to the pairs of the persons at it (canonical numbers as linked now).
    pub(crate) fn index_pairs(&mut self, incident: u32) {
        let present = self.present_persons(incident);
        for (i, &(a, pa)) in present.iter().enumerate() {
            for &(b, pb) in &present[i + 1..] {
                self.pairs.add(a, b, incident, pa.min(pb).clamp(0.0, 1.0), &self.incidents);
            }
        }
    }

    /// Removes an incident from the pairs it was added to (call before its links or the persons'
    /// canonical numbers change).
    pub(crate) fn unindex_pairs(&mut self, incident: u32) {
        let present = self.present_persons(incident);
        for (i, &(a, _)) in present.iter().enumerate() {
            for &(b, _) in &present[i + 1..] {
                self.pairs.remove(a, b, incident);
            }
        }
    }

    /// The distinct canonical persons at an incident, each with its most confident sighting.
    fn present_persons(&self, incident: u32) -> Vec<(u32, f64)> {
        let mut present: Vec<(u32, f64)> = Vec::new();
        let record = &self.incidents[incident as usize];
        for (&p, link) in self.links[incident as usize].persons.iter().zip(&record.persons) {
            let p = self.persons.canonical(p);
            match present.iter_mut().find(|(q, _)| *q == p) {
                Some(entry) => entry.1 = entry.1.max(link.probability),
                None => present.push((p, link.probability)),
            }
        }
        present
    }
}
