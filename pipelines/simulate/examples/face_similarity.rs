//! Face-template similarity in a 50,000-incident world: same person, different people, lookalikes, relatives.
use orca_simulate::{TrapKind, World, WorldParams};
use std::collections::HashMap;
fn main() {
    let world = World::new(WorldParams::new(7, 50_000));
    let mut stream = world.incidents();
    let mut faces: HashMap<String, Vec<(String, Vec<f32>)>> = HashMap::new();
    for r in stream.by_ref() {
        for t in &r.persons {
            if let Some(f) = &r.incident.persons[t.index as usize].face {
                faces.entry(t.person.clone()).or_default().push((f.model_id.clone(), f.vector.clone()));
            }
        }
    }
    let summary = stream.summary();
    let cos = orca_simulate::face::cosine;
    let mut same = vec![];
    let mut diff = vec![];
    let people: Vec<_> = faces.values().collect();
    for f in &people {
        for w in f.windows(2) {
            if w[0].0 == w[1].0 {
                same.push(cos(&w[0].1, &w[1].1));
            }
        }
    }
    for w in people.windows(2) {
        if w[0][0].0 == w[1][0].0 {
            diff.push(cos(&w[0][0].1, &w[1][0].1));
        }
    }
    let mut look = vec![];
    for trap in summary.traps.iter().filter(|t| t.kind != TrapKind::CommonName) {
        if let (Some(a), Some(b)) = (faces.get(&trap.first), faces.get(&trap.second)) {
            for x in a {
                for y in b {
                    if x.0 == y.0 {
                        look.push((trap.kind, cos(&x.1, &y.1)));
                    }
                }
            }
        }
    }
    let q = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return String::new();
        }
        format!("n={n} p5={:.2} p50={:.2} p95={:.2}", v[n / 20], v[n / 2], v[n * 19 / 20])
    };
    println!("same {}", q(&mut same));
    println!("different {}", q(&mut diff));
    let mut l: Vec<f64> = look.iter().filter(|x| x.0 == TrapKind::Lookalikes).map(|x| x.1).collect();
    let mut r: Vec<f64> = look.iter().filter(|x| x.0 == TrapKind::Relatives).map(|x| x.1).collect();
    println!("lookalikes {}", q(&mut l));
    println!("relatives {}", q(&mut r));
}
