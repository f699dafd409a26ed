//! Turns a plan into the report a retailer submits, with the truth kept alongside. Two generators
//! drive it: the *facts* generator (goods, evidence, crime reference), shared by an original report
//! and its duplicate so both describe the same theft, and the *report* generator, different for
//! each report, for everything a reporter adds (descriptions, names, plate reads, narrative, grade).
//! A duplicate also drifts a little: a line dropped or a quantity changed, the time rounded.

use crate::describe::{Circumstances, describe_bystander, describe_offender};
use crate::goods::{Haul, line_items};
use crate::narrative::{Scene, narrative};
use crate::people::{Identity, Profile};
use crate::planner::{Car, Plan, Who};
use crate::random::{Purpose, WorldRng, pick, rng_for};
use crate::vehicles::TrueVehicle;
use crate::world::World;
use chrono::{DateTime, Duration, Timelike, Utc};
use orca_model::{EventType, Evidence, EvidenceKind, Grade, Incident, PersonRole, VehicleRole};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// A report before it gets its retailer reference, with its truth.
#[derive(Clone, Debug)]
pub(crate) struct Rendered {
    pub sequence: u64,
    /// Index of the store in the world.
    pub store: u32,
    pub reported_at: DateTime<Utc>,
    pub incident: Incident,
    /// `(sighting index, true person id)` for every offending sighting.
    pub person_truth: Vec<(u32, String)>,
    /// `(sighting index, true vehicle id)` for every vehicle sighting.
    pub vehicle_truth: Vec<(u32, String)>,
    pub group: Option<u32>,
    pub duplicate_of: Option<u64>,
    pub has_duplicate: bool,
}

pub(crate) fn render(world: &World, plan: &Plan) -> Rendered {
    let params = world.params();
    let noise = &params.noise;
    let mut facts = rand_chacha::ChaCha8Rng::seed_from_u64(plan.facts_seed);
    let mut rng = rng_for(params.seed, Purpose::Render, plan.sequence);
    let store = &world.stores()[plan.store as usize];
    let retailer = world.retail().retailer_of(plan.store as usize);
    let date = plan.occurred_from.date_naive();

    let mut occurred_from = plan.occurred_from;
    if plan.duplicate_of.is_some() && rng.random_bool(0.4) {
        // The second reporter rounds the time to the quarter hour.
        let minute = occurred_from.minute();
        occurred_from -= Duration::minutes(i64::from(minute % 15));
    }
    let occurred_to = (!rng.random_bool(0.1)).then(|| plan.occurred_from + Duration::minutes(i64::from(plan.minutes)));
    let reported_at =
        occurred_to.unwrap_or(plan.occurred_from) + Duration::minutes(i64::from(plan.report_delay_minutes));

    let recovered = plan.detained || plan.attempt;
    let mut items = line_items(&mut facts, retailer.kind, plan.haul, recovered);
    if plan.duplicate_of.is_some() && rng.random_bool(0.4) {
        if items.len() > 1 {
            items.pop();
        } else if let Some(item) = items.first_mut() {
            item.quantity = (item.quantity + 1).max(1);
        }
    }

    // People: offenders with their truth, then any victim or witness, in a shuffled order.
    let mut people: Vec<(orca_model::PersonSighting, Option<String>)> = Vec::with_capacity(plan.offenders.len() + 1);
    let mut sexes = Vec::with_capacity(plan.offenders.len());
    for (slot, who) in plan.offenders.iter().enumerate() {
        let one_off;
        let (identity, named_rate) = match *who {
            Who::Stored(index) => {
                let offender = &world.offenders()[index as usize];
                (&offender.identity, offender.named_rate)
            }
            Who::OneOff { number, area } => {
                let mut maker = rng_for(params.seed, Purpose::OneOff, number);
                one_off = Identity::generate(&mut maker, Profile::ONE_OFF, area as usize, params.start_date);
                (&one_off, noise.named_rate_one_off)
            }
        };
        sexes.push(identity.sex);
        let circumstances = Circumstances {
            date,
            day: plan.day,
            named_rate,
            face_model: retailer.face_model.as_deref(),
            marker_code: plan.markers[slot].as_deref(),
            carrying_bag: !matches!(plan.haul, Haul::Small),
        };
        let sighting = describe_offender(&mut rng, identity, &circumstances, noise, world.faces());
        people.push((sighting, Some(world.person_truth_id(*who))));
    }
    let violent =
        matches!(plan.event, EventType::Violence | EventType::Robbery | EventType::Abuse | EventType::Threats);
    if violent && rng.random_bool(noise.victim_rate_violent) {
        people.push((bystander(&mut rng, world, plan, PersonRole::Victim), None));
    }
    if rng.random_bool(noise.witness_rate) {
        people.push((bystander(&mut rng, world, plan, PersonRole::Witness), None));
    }
    people.shuffle(&mut rng);
    let mut person_truth = Vec::with_capacity(plan.offenders.len());
    let mut persons = Vec::with_capacity(people.len());
    for (index, (sighting, truth)) in people.into_iter().enumerate() {
        if let Some(id) = truth {
            person_truth.push((index as u32, id));
        }
        persons.push(sighting);
    }

    let mut vehicles = Vec::with_capacity(plan.vehicles.len());
    let mut vehicle_truth = Vec::with_capacity(plan.vehicles.len());
    for (index, (car, role)) in plan.vehicles.iter().enumerate() {
        let sighting = match *car {
            Car::Stored(v) => world.vehicles()[v as usize].sighting(&mut rng, plan.day, *role, noise),
            Car::Innocent(number) => {
                let mut maker = rng_for(params.seed, Purpose::OneOff, (1 << 62) | number);
                TrueVehicle::genuine(&mut maker).sighting(&mut rng, plan.day, *role, noise)
            }
        };
        vehicles.push(sighting);
        vehicle_truth.push((index as u32, world.vehicle_truth_id(*car)));
    }

    let getaway = plan.vehicles.iter().position(|(_, role)| *role == VehicleRole::UsedBySuspects).map(|i| &vehicles[i]);
    let text = narrative(
        &mut rng,
        &Scene {
            sexes: &sexes,
            event: plan.event,
            attempt: plan.attempt,
            weapon: plan.weapon,
            detained: plan.detained,
            modus_operandi: &plan.modus_operandi,
            items: &items,
            vehicle: getaway,
        },
    );
    let crime_number: u32 = facts.random_range(0..1_000_000);
    let police_crime_ref = if rng.random_bool(noise.police_ref_rate) || plan.detained {
        format!("{:02}/{crime_number:06}/{:02}", world.force_number(plan.store), date.format("%y"))
    } else {
        String::new()
    };
    let evidence = if rng.random_bool(noise.evidence_rate) {
        evidence(&mut facts, &retailer.name, occurred_from)
    } else {
        Vec::new()
    };

    let incident = Incident {
        retailer: retailer.id.clone(),
        store: store.id.clone(),
        occurred_from: Some(occurred_from),
        occurred_to,
        reported_at: Some(reported_at),
        event_type: plan.event,
        attempt: plan.attempt,
        line_items: items,
        violence: plan.violence,
        weapon: plan.weapon,
        staff_detained: plan.detained,
        modus_operandi: plan.modus_operandi.clone(),
        narrative: text,
        police_crime_ref,
        evidence,
        grade: grade(&mut rng),
        persons,
        vehicles,
        ..Default::default()
    };
    Rendered {
        sequence: plan.sequence,
        store: plan.store,
        reported_at,
        incident,
        person_truth,
        vehicle_truth,
        group: plan.group,
        duplicate_of: plan.duplicate_of,
        has_duplicate: plan.has_duplicate,
    }
}

fn bystander(rng: &mut WorldRng, world: &World, plan: &Plan, role: PersonRole) -> orca_model::PersonSighting {
    let area = world.retail().places[plan.store as usize].area;
    let mut person = Identity::generate(rng, Profile::ONE_OFF, area, world.params().start_date);
    if role == PersonRole::Victim && person.age_on(plan.occurred_from.date_naive()) < 17 {
        person.birth -= Duration::days(365 * 10);
    }
    let sighting = describe_bystander(rng, &person, role, plan.occurred_from.date_naive(), &world.params().noise);
    debug_assert!(sighting.role == role && sighting.face.is_none());
    sighting
}

/// CCTV and sometimes body-worn video or photos, each with the holding system's reference and hash.
fn evidence(facts: &mut WorldRng, retailer_name: &str, captured_at: DateTime<Utc>) -> Vec<Evidence> {
    let mut out = vec![Evidence {
        kind: EvidenceKind::Cctv,
        reference: format!("DEMS-{}", token(facts, 10)),
        sha256: hex(facts, 32),
        captured_at: Some(captured_at),
        description: format!("{retailer_name} CCTV, camera {}", facts.random_range(1..=16)),
    }];
    if facts.random_bool(0.15) {
        out.push(Evidence {
            kind: EvidenceKind::BodyWorn,
            reference: format!("BWV-{}", token(facts, 8)),
            sha256: hex(facts, 32),
            captured_at: Some(captured_at),
            description: "Body-worn video of the challenge".to_owned(),
        });
    }
    if facts.random_bool(0.1) {
        out.push(Evidence {
            kind: EvidenceKind::Photo,
            reference: format!("IMG-{}", token(facts, 8)),
            sha256: hex(facts, 32),
            captured_at: Some(captured_at),
            description: pick(facts, &["Still of suspects at exit", "Photo of empty shelf", "Still of vehicle"])
                .to_string(),
        });
    }
    out
}

/// Mostly 2/A/P (a retailer's own first-hand report); sometimes 1/B/P, 2/B/P, or C with a condition.
fn grade(rng: &mut WorldRng) -> Grade {
    let roll: f64 = rng.random();
    if roll < 0.85 {
        Grade::three_five_two('2', 'A', 'P')
    } else if roll < 0.91 {
        Grade::three_five_two('1', 'B', 'P')
    } else if roll < 0.96 {
        Grade::three_five_two('2', 'B', 'P')
    } else {
        let mut grade = Grade::three_five_two('2', 'C', 'C');
        grade.conditions.push(
            pick(
                rng,
                &["not to be shared with other retailers", "police use only", "do not disclose the staff witness"],
            )
            .to_string(),
        );
        grade
    }
}

pub(crate) fn token(rng: &mut WorldRng, length: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..length).map(|_| *pick(rng, ALPHABET) as char).collect()
}

pub(crate) fn hex(rng: &mut WorldRng, bytes: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes * 2);
    for _ in 0..bytes {
        let byte: u8 = rng.random();
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}
