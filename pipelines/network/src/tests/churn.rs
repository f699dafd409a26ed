//! A long history of new incidents, merges, splits and relinks, as the resolver sends them after
//! analysts' decisions. The linker keeps pair weights and persons' summaries up to date between
//! recomputes; debug builds (these tests) check every one it reads against a pass over the
//! history, so a summary left stale by any of these changes fails here.

use super::fixtures::report;
use crate::{Linker, LinkerConfig};
use orca_model::{EntityKind, Resolution, StoredRecord};

/// A small deterministic generator (no dependency, same sequence everywhere).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn person(dice: &mut Dice) -> String {
    format!("P{}", dice.below(14))
}

/// Incident `i`: two or three of one of two crews (P0-P4, P5-P9), sometimes with a stray
/// (P10-P13), a car or a marker code, on a day that mostly moves forward and sometimes arrives late.
fn incident(i: u64, day: i64, dice: &mut Dice) -> Resolution {
    let crew_start = 5 * dice.below(2);
    let mut crew: Vec<String> = (0..2 + dice.below(2)).map(|_| format!("P{}", crew_start + dice.below(5))).collect();
    if dice.below(4) == 0 {
        crew.push(format!("P{}", 10 + dice.below(4)));
    }
    crew.dedup();
    let forces = ["kent", "surrey", "essex"];
    let mut built = report(&format!("INC-{i}"), forces[dice.below(3) as usize], day);
    for (k, member) in crew.iter().enumerate() {
        let marker = (k == 0 && dice.below(5) == 0).then(|| format!("SW{}", dice.below(3)));
        built = built.named(member, "Sam", member, marker.as_deref());
    }
    if dice.below(3) == 0 {
        let car = dice.below(4);
        built = built.vehicle(&format!("V{car}"), &format!("AB{car}1CDE"));
    }
    built.build()
}

fn history(steps: u64, seed: u64) -> Vec<Resolution> {
    let mut dice = Dice(seed);
    let mut sent: Vec<Resolution> = Vec::new();
    let mut day = 0;
    for i in 0..steps {
        day += dice.below(4) as i64;
        let late = if dice.below(6) == 0 { dice.below(30) as i64 } else { 0 };
        let mut next = incident(i, day - late, &mut dice);
        match dice.below(30) {
            0 => {
                next.merges = report("x", "kent", 0)
                    .merge(EntityKind::Person, &person(&mut dice), &person(&mut dice))
                    .build()
                    .merges
            }
            1 => {
                let (a, b) = (dice.below(4), dice.below(4));
                next.merges = report("x", "kent", 0)
                    .merge(EntityKind::Vehicle, &format!("V{a}"), &format!("V{b}"))
                    .build()
                    .merges;
            }
            2 => {
                next.splits = report("x", "kent", 0)
                    .split(EntityKind::Person, &person(&mut dice), &format!("Q{i}"))
                    .build()
                    .splits
            }
            3 if !sent.is_empty() => {
                // An incident sent again with other persons, as after an analyst moved a sighting.
                let earlier = sent[dice.below(sent.len() as u64) as usize].clone();
                let mut again = earlier.clone();
                for link in &mut again.persons {
                    if dice.below(2) == 0 {
                        link.entity_id = person(&mut dice);
                    }
                }
                sent.push(again);
            }
            _ => {}
        }
        sent.push(next);
    }
    sent
}

fn records(changes: Vec<orca_model::StateChange>) -> Vec<StoredRecord> {
    changes
        .into_iter()
        .filter_map(|c| Some(StoredRecord { namespace: c.namespace, key: c.key, value: c.value? }))
        .collect()
}

#[test]
fn merges_splits_and_relinks_leave_no_summary_or_pair_weight_stale() {
    for seed in 1..=4 {
        let mut linker = Linker::new(LinkerConfig::default());
        for (i, resolution) in history(300, seed).iter().enumerate() {
            linker.apply(resolution);
            linker.recompute();
            if i % 50 == 49 {
                linker.publish();
            }
        }
        linker.publish();
        assert!(!linker.groups().is_empty(), "seed {seed}: the crews form groups");

        let mut restored = Linker::restore(LinkerConfig::default(), records(linker.take_changes())).expect("restores");
        let next = report("INC-next", "kent", 400).persons(&["P1", "P2", "P3"]).build();
        linker.apply(&next);
        restored.apply(&next);
        assert_eq!(restored.refresh(), linker.refresh(), "seed {seed}: a restored linker weighs pairs the same");
        assert_eq!(restored.groups(), linker.groups());
    }
}
