// Shared by benchmark binaries that resolve a simulated world.
#![allow(dead_code)]

//! Where person recall is lost: for every sighting of a true person after their first, whether the
//! resolver put it with an earlier sighting of that person, broken down by the evidence that could
//! have linked them (names, face templates of one model, marker code, a sighting the same day, a
//! co-offender seen with them before).

use crate::world::SimulatedWorld;
use orca_model::SightingKey;
use std::collections::{HashMap, HashSet};

#[derive(Default)]
struct Tally {
    sightings: u64,
    joined: u64,
}

impl Tally {
    fn add(&mut self, joined: bool) {
        self.sightings += 1;
        self.joined += u64::from(joined);
    }
}

/// Prints sighting recall (share of repeat sightings joined to an earlier sighting of the same
/// person) overall, for group incidents, and per kind of evidence available.
pub fn sighting_recall(world: &SimulatedWorld, entity_of: impl Fn(&SightingKey) -> String) {
    struct Seen {
        entities: HashSet<String>,
        named: bool,
        faces: HashSet<String>,
        markers: HashSet<String>,
        minutes: Vec<i64>,
        companions: HashSet<String>,
    }
    let mut seen: HashMap<&str, Seen> = HashMap::new();
    let labels =
        ["all", "group incident", "named both", "face same model", "marker", "same day", "crew", "none of these"];
    let mut tallies: Vec<Tally> = labels.iter().map(|_| Tally::default()).collect();
    for incident in &world.incidents {
        let minute = incident.occurred_at().timestamp() / 60;
        let truths: Vec<Option<&String>> = (0..incident.persons.len())
            .map(|i| world.person_truth.get(&SightingKey::new(incident.id.clone(), i as u32)))
            .collect();
        let group = world.group_incidents.contains(&incident.id);
        for (i, sighting) in incident.persons.iter().enumerate() {
            let Some(truth) = truths[i] else { continue };
            let key = SightingKey::new(incident.id.clone(), i as u32);
            let entity = entity_of(&key);
            let others: Vec<&String> =
                truths.iter().enumerate().filter(|(j, _)| *j != i).filter_map(|(_, t)| *t).collect();
            if let Some(before) = seen.get(truth.as_str()) {
                let joined = before.entities.contains(&entity);
                let flags = [
                    true,
                    group,
                    sighting.is_named() && before.named,
                    sighting.face.as_ref().is_some_and(|f| before.faces.contains(&f.model_id)),
                    sighting.marker_code.as_ref().is_some_and(|m| before.markers.contains(m)),
                    before.minutes.iter().any(|m| (minute - m).abs() <= 16 * 60),
                    others.iter().any(|o| before.companions.contains(*o)),
                ];
                let mut any = false;
                for (k, flag) in flags.iter().enumerate() {
                    if *flag {
                        tallies[k].add(joined);
                        any |= k >= 2;
                    }
                }
                if !any {
                    tallies[7].add(joined);
                }
            }
            let entry = seen.entry(truth.as_str()).or_insert_with(|| Seen {
                entities: HashSet::new(),
                named: false,
                faces: HashSet::new(),
                markers: HashSet::new(),
                minutes: Vec::new(),
                companions: HashSet::new(),
            });
            entry.entities.insert(entity);
            entry.named |= sighting.is_named();
            if let Some(face) = &sighting.face {
                entry.faces.insert(face.model_id.clone());
            }
            if let Some(marker) = &sighting.marker_code {
                entry.markers.insert(marker.clone());
            }
            entry.minutes.push(minute);
            entry.companions.extend(others.into_iter().cloned());
        }
    }
    println!(
        "sighting recall (repeat sightings joined to an earlier sighting of the same person), by evidence available:"
    );
    for (label, tally) in labels.iter().zip(&tallies) {
        println!(
            "  {label:<16} {:>8} sightings, joined {:.3}",
            tally.sightings,
            tally.joined as f64 / tally.sightings.max(1) as f64
        );
    }
}

/// Automatic links whose sighting shares its final entity with no earlier sighting of the same
/// person, by the positive evidence of the link (most frequent kinds first).
pub fn link_precision(
    world: &SimulatedWorld,
    links: &HashMap<SightingKey, String>,
    entity_of: impl Fn(&SightingKey) -> String,
) {
    let mut earlier: HashMap<String, HashSet<&str>> = HashMap::new();
    let mut by_kind: HashMap<&str, Tally> = HashMap::new();
    for incident in &world.incidents {
        let keys: Vec<(SightingKey, &String)> = (0..incident.persons.len() as u32)
            .filter_map(|i| {
                let key = SightingKey::new(incident.id.clone(), i);
                world.person_truth.get(&key).map(|t| (key, t))
            })
            .collect();
        let entities: Vec<String> = keys.iter().map(|(k, _)| entity_of(k)).collect();
        for ((key, truth), entity) in keys.iter().zip(&entities) {
            if let Some(kinds) = links.get(key) {
                let right = earlier.get(entity).is_some_and(|t| t.contains(truth.as_str()));
                by_kind.entry(kinds.as_str()).or_default().add(right);
            }
        }
        for ((_, truth), entity) in keys.iter().zip(entities) {
            earlier.entry(entity).or_default().insert(truth.as_str());
        }
    }
    let mut rows: Vec<(&str, Tally)> = by_kind.into_iter().collect();
    rows.sort_by_key(|(_, t)| std::cmp::Reverse(t.sightings - t.joined));
    println!("automatic person links by positive evidence (wrong = no earlier sighting of the person in the entity):");
    for (kinds, tally) in rows.iter().take(20) {
        println!("  {:>7} links, {:>6} wrong  {kinds}", tally.sightings, tally.sightings - tally.joined);
    }
}
