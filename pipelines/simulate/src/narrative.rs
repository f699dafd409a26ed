//! Short free-text narratives in the style of store security reports. They repeat what the
//! structured fields say (people, goods, vehicle, violence) in varied words; they never mention
//! anything a reporter could not know.

use crate::random::pick;
use orca_model::{EventType, LineItem, ModusOperandi, Sex, VehicleSighting};
use rand::Rng;

/// What the reporter saw, as far as the narrative needs it.
pub(crate) struct Scene<'a> {
    pub sexes: &'a [Sex],
    pub event: EventType,
    pub attempt: bool,
    pub weapon: bool,
    pub detained: bool,
    pub modus_operandi: &'a [ModusOperandi],
    pub items: &'a [LineItem],
    pub vehicle: Option<&'a VehicleSighting>,
}

pub(crate) fn narrative<R: Rng + ?Sized>(rng: &mut R, scene: &Scene<'_>) -> String {
    let mut sentences = Vec::with_capacity(4);
    let who = people(scene.sexes);
    let goods = goods(scene.items);
    let taking = match scene.event {
        EventType::Fraud if scene.modus_operandi.contains(&ModusOperandi::RefundFraud) => {
            format!("{who} attempted to obtain a refund for {goods} without a receipt")
        }
        EventType::Fraud => format!("{who} scanned {goods} as a cheaper item at self-checkout"),
        EventType::MakingOffWithoutPayment => format!("{who} ordered {goods} at the counter and left without paying"),
        EventType::CriminalDamage => format!("{who} damaged a display while taking {goods}"),
        _ => {
            let verb = pick(
                rng,
                &[
                    "selected {goods} and concealed them in a bag",
                    "put {goods} into a bag and left without paying",
                    "filled a bag with {goods}",
                    "swept {goods} from the shelf into a bag",
                    "took {goods} and walked past the tills without paying",
                    "removed {goods} from the display and left",
                ],
            );
            format!("{who} entered the store and {}", verb.replace("{goods}", &goods))
        }
    };
    sentences.push(if scene.attempt { format!("{taking} but was stopped before leaving") } else { taking });
    if scene.modus_operandi.contains(&ModusOperandi::TeamWithLookouts) {
        sentences.push(
            pick(rng, &["One stood by the door acting as lookout", "Another kept watch near the entrance"]).to_string(),
        );
    }
    if scene.modus_operandi.contains(&ModusOperandi::Distraction) {
        sentences.push("One distracted staff at the counter".to_owned());
    }
    match scene.event {
        EventType::Robbery => sentences.push(if scene.weapon {
            format!("Staff were threatened with a {}", pick(rng, &["knife", "hammer", "screwdriver", "bottle"]))
        } else {
            "A member of staff was pushed aside when they tried to intervene".to_owned()
        }),
        EventType::Violence => sentences.push("When challenged, a member of staff was assaulted".to_owned()),
        EventType::Abuse => sentences.push("Staff were subjected to verbal abuse".to_owned()),
        EventType::Threats => sentences.push(if scene.weapon {
            "Staff were threatened and a weapon was shown".to_owned()
        } else {
            "Staff were threatened when they challenged".to_owned()
        }),
        _ => {}
    }
    if scene.detained {
        sentences.push("Detained by staff until police arrived".to_owned());
    } else if let Some(vehicle) = scene.vehicle {
        let description = [vehicle.colour.as_str(), vehicle.make.as_str(), vehicle.model.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let car = if description.is_empty() { "a vehicle".to_owned() } else { format!("a {description}") };
        sentences.push(format!("Made off in {car}"));
    } else {
        sentences.push(
            pick(rng, &["Left on foot", "Made off on foot towards the car park", "Ran from the store"]).to_string(),
        );
    }
    let mut text = sentences.join(". ");
    text.push('.');
    text
}

/// "3 x vodka 70cl and other items", as security staff write it.
fn goods(items: &[LineItem]) -> String {
    let Some(first) = items.first() else { return "goods".to_owned() };
    let lead = format!("{} x {}", first.quantity, first.description.to_lowercase());
    if items.len() > 1 { format!("{lead} and other items") } else { lead }
}

fn people(sexes: &[Sex]) -> String {
    let males = sexes.iter().filter(|s| **s == Sex::Male).count();
    let females = sexes.iter().filter(|s| **s == Sex::Female).count();
    let unknown = sexes.len() - males - females;
    match (males, females, unknown) {
        (1, 0, 0) => "A male".to_owned(),
        (0, 1, 0) => "A female".to_owned(),
        (m, 0, 0) => format!("{} males", count_word(m)),
        (0, f, 0) => format!("{} females", count_word(f)),
        (1, 1, 0) => "A male and a female".to_owned(),
        _ if sexes.len() == 1 => "A suspect".to_owned(),
        _ => format!("A group of {}", count_word(sexes.len()).to_lowercase()),
    }
}

fn count_word(n: usize) -> String {
    match n {
        1 => "One".to_owned(),
        2 => "Two".to_owned(),
        3 => "Three".to_owned(),
        4 => "Four".to_owned(),
        5 => "Five".to_owned(),
        _ => n.to_string(),
    }
}
