//! Vehicles and what witnesses and cameras make of their plates. A vehicle has the mark it is
//! registered under and the plates it shows over time: its own, a cloned plate (the mark of another
//! real vehicle, with a different make, model and colour, elsewhere), false plates (made-up marks,
//! changed during the period) or a foreign plate. Reads of a plate are exact, untidy, misread by
//! confusable characters, partial with wildcards, or missing.

use crate::params::NoiseParams;
use crate::random::{pick, pick_weighted};
use orca_model::vrm::{VrmFormat, classify, confusables};
use orca_model::{VehicleRole, VehicleSighting};
use rand::Rng;

const MODELS: &[(&str, &str)] = &[
    ("Ford", "Focus"),
    ("Ford", "Fiesta"),
    ("Vauxhall", "Astra"),
    ("Vauxhall", "Corsa"),
    ("Volkswagen", "Golf"),
    ("Volkswagen", "Passat"),
    ("BMW", "3 Series"),
    ("BMW", "5 Series"),
    ("Audi", "A3"),
    ("Audi", "A4"),
    ("Mercedes-Benz", "C-Class"),
    ("Toyota", "Prius"),
    ("Skoda", "Octavia"),
    ("Nissan", "Qashqai"),
    ("Ford", "Transit"),
    ("Mercedes-Benz", "Sprinter"),
    ("Renault", "Clio"),
    ("Kia", "Sportage"),
    ("Land Rover", "Range Rover Evoque"),
    ("Seat", "Leon"),
];

const COLOURS: &[(&str, &[&str])] = &[
    ("silver", &["grey", "light grey"]),
    ("black", &["dark blue", "dark grey"]),
    ("white", &["cream", "light grey"]),
    ("grey", &["silver", "dark grey"]),
    ("blue", &["navy", "dark blue"]),
    ("red", &["maroon", "burgundy"]),
];

const FOREIGN_COUNTRIES: &[(&str, f64)] = &[("RO", 0.35), ("PL", 0.25), ("LT", 0.2), ("BG", 0.1), ("IE", 0.1)];

/// Which plates a vehicle shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PlateKind {
    Genuine,
    /// Shows the registered mark of another vehicle (index into the world's vehicles).
    Cloned {
        source: u32,
    },
    /// Shows made-up marks, changed on the listed days.
    False,
    Foreign,
}

/// A real vehicle.
#[derive(Clone, Debug)]
pub(crate) struct TrueVehicle {
    pub make: &'static str,
    pub model: &'static str,
    pub colour: usize,
    /// The mark it is registered under (normalised).
    pub registered: String,
    pub country: &'static str,
    pub plate_kind: PlateKind,
    /// Plates shown from a day on: `(from day, normalised mark)`, in day order, the first from day 0.
    pub plates: Vec<(u32, String)>,
}

impl TrueVehicle {
    /// A UK-registered vehicle on its own plates.
    pub fn genuine<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let &(make, model) = pick(rng, MODELS);
        let registered = current_mark(rng);
        Self {
            make,
            model,
            colour: rng.random_range(0..COLOURS.len()),
            plates: vec![(0, registered.clone())],
            registered,
            country: "",
            plate_kind: PlateKind::Genuine,
        }
    }

    /// A vehicle on a foreign plate.
    pub fn foreign<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut vehicle = Self::genuine(rng);
        let country = *pick_weighted(rng, FOREIGN_COUNTRIES);
        vehicle.registered = foreign_mark(rng, country);
        vehicle.plates = vec![(0, vehicle.registered.clone())];
        vehicle.country = country;
        vehicle.plate_kind = PlateKind::Foreign;
        vehicle
    }

    /// A vehicle on false plates that change on some days of the period.
    pub fn on_false_plates<R: Rng + ?Sized>(rng: &mut R, days: u32) -> Self {
        let mut vehicle = Self::genuine(rng);
        vehicle.plate_kind = PlateKind::False;
        vehicle.plates = vec![(0, current_mark(rng))];
        for _ in 0..rng.random_range(1..=2) {
            let day = rng.random_range(1..days.max(2));
            vehicle.plates.push((day, current_mark(rng)));
        }
        vehicle.plates.sort();
        vehicle
    }

    /// A vehicle showing a clone of `source`'s plate: a different make and model from the source.
    pub fn cloning<R: Rng + ?Sized>(rng: &mut R, source_index: u32, source: &TrueVehicle) -> Self {
        let mut vehicle = Self::genuine(rng);
        while (vehicle.make, vehicle.model) == (source.make, source.model) {
            let &(make, model) = pick(rng, MODELS);
            vehicle.make = make;
            vehicle.model = model;
        }
        if vehicle.colour == source.colour {
            vehicle.colour = (vehicle.colour + 1) % COLOURS.len();
        }
        vehicle.plate_kind = PlateKind::Cloned { source: source_index };
        vehicle.plates = vec![(0, source.registered.clone())];
        vehicle
    }

    /// The plate shown on `day`.
    pub fn plate_on(&self, day: u32) -> &str {
        self.plates.iter().rev().find(|(from, _)| *from <= day).map_or(self.registered.as_str(), |(_, p)| p)
    }

    /// A sighting of the vehicle on `day` as a witness or camera reports it.
    pub fn sighting<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        day: u32,
        role: VehicleRole,
        noise: &NoiseParams,
    ) -> VehicleSighting {
        let plate = self.plate_on(day);
        let read = read_plate(rng, plate, self.country, noise);
        let described = read.is_empty() || rng.random_bool(0.85);
        let (colour_name, near) = COLOURS[self.colour];
        let colour = if !described {
            String::new()
        } else if rng.random_bool(noise.vehicle_colour_wrong_rate) {
            pick(rng, near).to_string()
        } else {
            colour_name.to_owned()
        };
        VehicleSighting {
            vrm_raw: read,
            make: if described { self.make.to_owned() } else { String::new() },
            model: if described && !rng.random_bool(noise.vehicle_model_missing_rate) {
                self.model.to_owned()
            } else {
                String::new()
            },
            colour,
            role,
            country: if self.country.is_empty() || rng.random_bool(0.3) {
                String::new()
            } else {
                self.country.to_owned()
            },
            ..Default::default()
        }
    }
}

const AREA_LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXY";
const SERIAL_LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXYZ";

/// A valid current-format mark (`AB12CDE`) with an age identifier issued by mid-2025.
pub(crate) fn current_mark<R: Rng + ?Sized>(rng: &mut R) -> String {
    loop {
        let age = if rng.random_bool(0.5) { rng.random_range(2..=24) } else { rng.random_range(51..=74) };
        let mark = format!(
            "{}{}{age:02}{}{}{}",
            *pick(rng, AREA_LETTERS) as char,
            *pick(rng, AREA_LETTERS) as char,
            *pick(rng, SERIAL_LETTERS) as char,
            *pick(rng, SERIAL_LETTERS) as char,
            *pick(rng, SERIAL_LETTERS) as char,
        );
        if classify(&mark, "") == VrmFormat::Current {
            return mark;
        }
    }
}

fn foreign_mark<R: Rng + ?Sized>(rng: &mut R, country: &str) -> String {
    let letter = |rng: &mut R| *pick(rng, SERIAL_LETTERS) as char;
    let digits =
        |rng: &mut R, n: usize| (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect::<String>();
    match country {
        "RO" => format!("B{}{}{}{}", digits(rng, 3), letter(rng), letter(rng), letter(rng)),
        "PL" => format!("W{}{}{}", letter(rng), letter(rng), digits(rng, 5)),
        "LT" => format!("{}{}{}{}", letter(rng), letter(rng), letter(rng), digits(rng, 3)),
        "BG" => format!("CA{}{}{}", digits(rng, 4), letter(rng), letter(rng)),
        _ => format!("{}D{}", rng.random_range(12..=24), digits(rng, 5)),
    }
}

/// How a plate is written down: exact, misread, partial or not at all, and tidy or not.
fn read_plate<R: Rng + ?Sized>(rng: &mut R, plate: &str, country: &str, noise: &NoiseParams) -> String {
    let roll: f64 = rng.random();
    let mut chars: Vec<char> = plate.chars().collect();
    let unread = noise.plate_unread_rate;
    let partial = unread + noise.plate_partial_rate;
    let misread = partial + noise.plate_misread_rate;
    if roll < unread {
        return String::new();
    }
    if roll < partial {
        return partial_read(rng, &chars);
    }
    if roll < misread {
        let substitutions = if rng.random_bool(0.75) { 1 } else { 2 };
        let first = rng.random_range(0..chars.len());
        let second = (first + rng.random_range(1..chars.len().max(2))) % chars.len();
        for at in [first, second].into_iter().take(substitutions) {
            let options: Vec<char> = confusables(chars[at]).collect();
            if !options.is_empty() {
                chars[at] = *pick(rng, &options);
            }
        }
    }
    let uk_current = country.is_empty() && chars.len() == 7;
    let mut text: String = if uk_current && rng.random_bool(0.6) {
        format!("{} {}", chars[..4].iter().collect::<String>(), chars[4..].iter().collect::<String>())
    } else {
        chars.iter().collect()
    };
    if rng.random_bool(noise.plate_untidy_rate) {
        text = untidy(rng, &text);
    }
    text
}

/// A partial read: a few characters with `?` for the rest ("AB?? ?XE"), or the start only ("K*").
fn partial_read<R: Rng + ?Sized>(rng: &mut R, chars: &[char]) -> String {
    if rng.random_bool(0.2) {
        let known = rng.random_range(1..=3).min(chars.len());
        return format!("{}*", chars[..known].iter().collect::<String>());
    }
    let mut out: Vec<char> = chars.to_vec();
    let hidden = rng.random_range(2..=4).min(chars.len().saturating_sub(2));
    let mut positions: Vec<usize> = (0..chars.len()).collect();
    for _ in 0..hidden {
        let at = positions.remove(rng.random_range(0..positions.len()));
        out[at] = '?';
    }
    if chars.len() == 7 {
        format!("{} {}", out[..4].iter().collect::<String>(), out[4..].iter().collect::<String>())
    } else {
        out.into_iter().collect()
    }
}

fn untidy<R: Rng + ?Sized>(rng: &mut R, text: &str) -> String {
    match rng.random_range(0..3) {
        0 => text.to_lowercase(),
        1 => text.chars().flat_map(|c| if c == ' ' { None } else { Some(c) }).collect::<String>().to_lowercase(),
        _ => {
            let compact: Vec<char> = text.chars().filter(|c| *c != ' ').collect();
            let split = rng.random_range(1..compact.len().max(2));
            format!("{} {}", compact[..split].iter().collect::<String>(), compact[split..].iter().collect::<String>())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Purpose, rng_for};
    use orca_model::vrm::{PartialPattern, normalise};

    #[test]
    fn marks_are_valid_current_format() {
        let mut rng = rng_for(1, Purpose::Population, 0);
        for _ in 0..2_000 {
            assert_eq!(classify(&current_mark(&mut rng), ""), VrmFormat::Current);
        }
    }

    #[test]
    fn reads_keep_the_plate_recognisable_or_mark_what_is_missing() {
        let mut rng = rng_for(2, Purpose::Render, 0);
        let noise = NoiseParams::default();
        let vehicle = TrueVehicle::genuine(&mut rng);
        let (mut exact, mut partial, mut other) = (0, 0, 0);
        for _ in 0..2_000 {
            let read = vehicle.sighting(&mut rng, 0, VehicleRole::UsedBySuspects, &noise).vrm_raw;
            if read.is_empty() {
                continue;
            }
            if normalise(&read) == vehicle.registered {
                exact += 1;
            } else if let Some(pattern) = PartialPattern::parse(&read) {
                assert!(pattern.matches(&vehicle.registered), "{read} fits {}", vehicle.registered);
                partial += 1;
            } else {
                let distance = orca_model::vrm::misread_distance(&normalise(&read), &vehicle.registered);
                assert!(distance <= 0.5, "{read} is a confusable misread of {}", vehicle.registered);
                other += 1;
            }
        }
        assert!(exact > partial && partial > 100 && other > 100, "{exact} {partial} {other}");
    }

    #[test]
    fn a_cloned_plate_sits_on_a_different_vehicle() {
        let mut rng = rng_for(3, Purpose::Population, 0);
        let source = TrueVehicle::genuine(&mut rng);
        let clone = TrueVehicle::cloning(&mut rng, 0, &source);
        assert_eq!(clone.plate_on(10), source.registered);
        assert_ne!((clone.make, clone.model, clone.colour), (source.make, source.model, source.colour));
        assert_ne!(clone.registered, source.registered);
    }
}
