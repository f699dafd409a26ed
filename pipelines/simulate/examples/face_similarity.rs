use orca_simulate::{World, WorldParams};
fn main() {
    let world = World::new(WorldParams::new(7, 2000));
    let mut shown_group = 0;
    let mut names = Vec::new();
    for r in world.incidents() {
        if r.group.is_some() && shown_group < 2 && !r.incident.vehicles.is_empty() {
            shown_group += 1;
            let mut i = r.incident.clone();
            for p in &mut i.persons {
                if let Some(f) = &mut p.face {
                    f.vector.truncate(3);
                }
            }
            println!("{}", serde_json::to_string(&i).unwrap());
            println!("{:?} {:?}", r.persons, r.vehicles);
        }
        for t in &r.persons {
            let p = &r.incident.persons[t.index as usize];
            if p.is_named() {
                names.push(format!(
                    "{} | {} | {:?} | {:?} | {}",
                    t.person,
                    p.given_names,
                    p.family_name,
                    p.aliases,
                    p.date_of_birth.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
        }
    }
    names.sort();
    for n in names.iter().take(60) {
        println!("{n}");
    }
}
