//! What the resolver keeps of a vehicle sighting and of a vehicle entity.

use crate::blocking::{BlockRule, key};
use crate::names;
use crate::population::{Summary, SummaryCaps};
use crate::travel::Place;
use orca_model::VehicleSighting;
use orca_model::vrm::{PartialPattern, VrmFormat};
use rustc_hash::FxHashMap;

pub type PlateId = u32;
/// A missing make, model or colour.
pub const UNKNOWN: u32 = 0;

/// Interned complete plates.
#[derive(Clone, Debug, Default)]
pub struct PlateTable {
    ids: FxHashMap<Box<str>, PlateId>,
    texts: Vec<Box<str>>,
}

impl PlateTable {
    pub fn intern(&mut self, text: &str) -> PlateId {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as PlateId;
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub fn text(&self, id: PlateId) -> &str {
        &self.texts[id as usize]
    }
}

#[derive(Clone, Debug)]
pub struct VehicleFeatures {
    /// A complete read (any recognised or foreign format, or an unrecognised read kept raw).
    pub plate: Option<PlateId>,
    /// Valid marks an unrecognised read may be a misread of.
    pub repaired: Vec<PlateId>,
    pub partial: Option<PartialPattern>,
    pub make: u32,
    pub model: u32,
    /// The colour as said, and its family (`grey` and `silver` are one family).
    pub colour: (u32, u32),
    pub place: Place,
}

fn word_hash(text: &str) -> u32 {
    let normalised = names::normalise(text);
    if normalised.is_empty() { UNKNOWN } else { names::hash32(&normalised).max(1) }
}

/// Colours that witnesses use for one another.
pub fn colour_family(colour: &str) -> u32 {
    let normalised = names::normalise(colour);
    let family = match normalised.as_str() {
        "silver" | "grey" | "gray" | "gunmetal" => "silver",
        "black" | "dark grey" | "charcoal" => "dark",
        "white" | "cream" | "ivory" => "white",
        "blue" | "navy" | "dark blue" | "light blue" => "blue",
        "red" | "maroon" | "burgundy" => "red",
        "green" | "dark green" => "green",
        other => other,
    };
    word_hash(family)
}

pub fn extract(sighting: &VehicleSighting, place: Place, plates: &mut PlateTable) -> VehicleFeatures {
    let mark =
        if sighting.vrm.is_empty() { orca_model::vrm::normalise(&sighting.vrm_raw) } else { sighting.vrm.clone() };
    let partial = if sighting.format == VrmFormat::Partial || mark.contains(['?', '*']) {
        PartialPattern::parse(&mark)
    } else {
        None
    };
    let plate = (partial.is_none() && !mark.is_empty() && mark.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| plates.intern(&mark));
    let repaired = if sighting.format == VrmFormat::Unrecognised {
        sighting.candidates.iter().map(|c| plates.intern(c)).collect()
    } else {
        Vec::new()
    };
    VehicleFeatures {
        plate,
        repaired,
        partial,
        make: word_hash(&sighting.make),
        model: word_hash(&sighting.model),
        colour: (word_hash(&sighting.colour), colour_family(&sighting.colour)),
        place,
    }
}

/// A plate character folded with those it is misread as (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B/3, 6/G,
/// V/Y/T, E/F/P, H/K/M/R); other characters are themselves.
pub fn fold_confusable(c: char) -> char {
    match c {
        '0' | 'O' | 'D' | 'Q' => '0',
        '1' | 'I' => '1',
        '2' | 'Z' => '2',
        '5' | 'S' => '5',
        '8' | 'B' | '3' => '8',
        '6' | 'G' => '6',
        'V' | 'Y' | 'T' => 'V',
        'E' | 'F' | 'P' => 'E',
        'H' | 'K' | 'M' | 'R' => 'H',
        other => other,
    }
}

/// The plate with confusable characters folded together, so misreads share a key.
pub fn skeleton(plate: &str) -> u64 {
    let mut hash = orca_model::hash::Fnv1a64::new();
    for c in plate.chars() {
        hash.unit(fold_confusable(c) as u64);
    }
    hash.finish()
}

fn two(text: &str, from_end: bool) -> Option<u64> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 4 {
        return None;
    }
    let pair = if from_end { &chars[chars.len() - 2..] } else { &chars[..2] };
    pair.iter().all(char::is_ascii_alphanumeric).then(|| (pair[0] as u64) << 8 | pair[1] as u64)
}

/// Keys a complete plate registers under.
pub fn registered_keys(f: &VehicleFeatures, plates: &PlateTable) -> Vec<u64> {
    let Some(plate) = f.plate else {
        return Vec::new();
    };
    let text = plates.text(plate);
    let mut keys = vec![key(BlockRule::PlateSkeleton, skeleton(text), 0)];
    keys.extend(two(text, false).map(|p| key(BlockRule::PlateStart, p, 0)));
    keys.extend(two(text, true).map(|p| key(BlockRule::PlateEnd, p, 0)));
    keys
}

/// Keys a sighting looks up: its plate's skeleton, its repair candidates', or for a partial read the
/// known characters at either end.
pub fn lookup_keys(f: &VehicleFeatures, plates: &PlateTable) -> Vec<u64> {
    let mut keys: Vec<u64> = f
        .plate
        .iter()
        .chain(&f.repaired)
        .map(|&p| key(BlockRule::PlateSkeleton, skeleton(plates.text(p)), 0))
        .collect();
    if let Some(partial) = &f.partial
        && partial.known_characters() >= 3
    {
        let text = partial.as_string();
        if let Some(start) = two(&text, false) {
            keys.push(key(BlockRule::PlateStart, start, 0));
        } else if let Some(end) = two(&text, true) {
            keys.push(key(BlockRule::PlateEnd, end, 0));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[derive(Clone, Debug, Default)]
pub struct VehicleSummary {
    pub plates: Vec<PlateId>,
    pub makes: Vec<u32>,
    pub models: Vec<u32>,
    pub colours: Vec<(u32, u32)>,
    pub places: Vec<Place>,
}

impl Summary<VehicleFeatures> for VehicleSummary {
    fn add(&mut self, f: &VehicleFeatures, caps: &SummaryCaps) {
        let push = |list: &mut Vec<u32>, value: u32| {
            if value != UNKNOWN && list.len() < caps.values && !list.contains(&value) {
                list.push(value);
            }
        };
        if let Some(plate) = f.plate
            && self.plates.len() < caps.values
            && !self.plates.contains(&plate)
        {
            self.plates.push(plate);
        }
        push(&mut self.makes, f.make);
        push(&mut self.models, f.model);
        if f.colour.0 != UNKNOWN && self.colours.len() < caps.values && !self.colours.contains(&f.colour) {
            self.colours.push(f.colour);
        }
        if caps.places > 0 {
            if self.places.len() == caps.places {
                self.places.remove(0);
            }
            self.places.push(f.place);
        }
    }
}
