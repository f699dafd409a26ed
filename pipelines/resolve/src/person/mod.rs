//! Persons: features of a sighting, entity summaries, comparisons and blocking keys.

pub mod compare;
pub mod features;

use crate::blocking::{BlockRule, key};
use crate::names::{NO_NAME, NameTable};
use features::PersonFeatures;
use rustc_hash::FxHashMap;

/// Random-hyperplane hashing of face templates into buckets, one per table, so that similar
/// faces share a bucket in at least one table. The hyperplanes derive from a fixed seed.
#[derive(Clone, Debug, Default)]
pub struct FaceHasher {
    planes: FxHashMap<usize, Vec<f32>>,
}

impl FaceHasher {
    pub fn buckets(&mut self, vector: &[f32], tables: u32, bits: u32) -> Vec<u64> {
        let dims = vector.len();
        let planes = self.planes.entry(dims).or_insert_with(|| {
            let count = (tables * bits) as usize * dims;
            let mut generator = orca_model::hash::SplitMix64::new(0x5eed_f00d_u64 ^ dims as u64);
            // Sum of two uniforms: symmetric, cheap, close enough to Gaussian for hyperplanes.
            (0..count).map(|_| generator.centred_unit() + generator.centred_unit()).collect()
        });
        (0..tables)
            .map(|t| {
                let mut bucket = 0u64;
                for b in 0..bits {
                    let offset = ((t * bits + b) as usize) * dims;
                    let plane = &planes[offset..offset + dims];
                    let dot: f32 = plane.iter().zip(vector).map(|(p, v)| p * v).sum();
                    bucket = (bucket << 1) | u64::from(dot >= 0.0);
                }
                (u64::from(t) << 32) | bucket
            })
            .collect()
    }
}

/// A person sighting's blocking keys: identity keys (names, date of birth, marker code) and the
/// keys of weaker, busier blocks (face buckets, co-offenders, vehicles), which are capped harder.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonKeys {
    pub identity: Vec<u64>,
    pub busy: Vec<u64>,
    /// The sighting's own time-and-place cell, registered but looked up only through `nearby`.
    pub place: Option<u64>,
    /// Cells near in time and place (for the proximity weight; looked up when `look_nearby`).
    pub nearby: Vec<u64>,
    /// Whether the sighting has no name or date of birth to find candidates by.
    pub look_nearby: bool,
}

impl PersonKeys {
    /// Every key, for registering the sighting.
    pub fn all(&self) -> impl Iterator<Item = u64> + '_ {
        self.identity.iter().chain(&self.busy).copied().chain(self.place)
    }

    /// Whether one of two sightings finds the other through a key.
    pub fn shares_with(&self, other: &PersonKeys) -> bool {
        let finds = |a: &PersonKeys, b: &PersonKeys| {
            a.identity
                .iter()
                .chain(&a.busy)
                .any(|k| b.identity.binary_search(k).is_ok() || b.busy.binary_search(k).is_ok())
                || (a.look_nearby && b.place.is_some_and(|p| a.nearby.contains(&p)))
        };
        finds(self, other) || finds(other, self)
    }
}

/// Hours per time slot and degrees per cell of the nearby keys.
const SLOT_MINUTES: i64 = 8 * 60;
const CELL_LAT: f32 = 1.0;
const CELL_LON: f32 = 1.6;

fn nearby_key(lat_cell: i64, lon_cell: i64, slot: i64) -> u64 {
    key(BlockRule::Nearby, ((lat_cell as u64) << 32) ^ (lon_cell as u64 & 0xffff_ffff), slot as u64)
}

/// The sighting's own cell and, for lookups, the 2x2 cells nearest to it in three slots (the
/// previous, its own and the next: reports arrive out of order).
fn place_keys(place: &crate::travel::Place) -> Option<(u64, Vec<u64>)> {
    if !place.is_located() {
        return None;
    }
    let (lat, lon) = (place.lat / CELL_LAT, place.lon / CELL_LON);
    let (lat_cell, lon_cell) = (lat.floor() as i64, lon.floor() as i64);
    let slot = place.minute.div_euclid(SLOT_MINUTES);
    let lat_next = if lat - lat.floor() < 0.5 { lat_cell - 1 } else { lat_cell + 1 };
    let lon_next = if lon - lon.floor() < 0.5 { lon_cell - 1 } else { lon_cell + 1 };
    let mut nearby = Vec::with_capacity(12);
    for s in [slot - 1, slot, slot + 1] {
        for la in [lat_cell, lat_next] {
            for lo in [lon_cell, lon_next] {
                nearby.push(nearby_key(la, lo, s));
            }
        }
    }
    Some((nearby_key(lat_cell, lon_cell, slot), nearby))
}

/// The blocking keys of a person sighting (sorted and deduplicated).
pub fn blocking_keys(
    f: &PersonFeatures,
    names: &NameTable,
    faces: &mut FaceHasher,
    face_tables: u32,
    face_bits: u32,
) -> PersonKeys {
    // Identity keys make small blocks (a name with a year of birth, a full date of birth, a marker
    // code); name keys without a year grow with common names and are capped as busy keys.
    let mut keys = Vec::with_capacity(8);
    let mut busy = Vec::with_capacity(24);
    let phonetic = |id| u64::from(names.get(id).phonetic[0]);
    for name in f.names.iter().take(4) {
        if let Some(dob) = &f.dob {
            if name.family != NO_NAME {
                keys.push(key(BlockRule::NamePhoneticBirthYear, phonetic(name.family), u64::from(dob.year)));
            }
            if name.given != NO_NAME {
                busy.push(key(BlockRule::NamePhoneticBirthYear, phonetic(name.given), u64::from(dob.year)));
            }
        }
        match (name.given, name.family) {
            (g, fam) if g != NO_NAME && fam != NO_NAME => {
                let (a, b) = (phonetic(g), phonetic(fam));
                busy.push(key(BlockRule::NamePhoneticPair, a.min(b), a.max(b)));
                let (given, family) = (names.get(g), names.get(fam));
                for &group in given.nickname_groups.iter().take(3) {
                    busy.push(key(BlockRule::FamilyNicknameGroup, b, u64::from(group)));
                }
                let prefix = &family.text.as_bytes()[..family.text.len().min(3)];
                let prefix = prefix.iter().fold(0u64, |h, &c| h << 8 | u64::from(c));
                busy.push(key(BlockRule::NamePrefixes, prefix, u64::from(given.text.as_bytes()[0])));
            }
            (g, _) if g != NO_NAME && names.get(g).text.len() > 2 => {
                busy.push(key(BlockRule::Moniker, u64::from(crate::names::hash32(&names.get(g).text)), 0));
            }
            (_, fam) if fam != NO_NAME => busy.push(key(BlockRule::FamilyOnly, phonetic(fam), 0)),
            _ => {}
        }
    }
    if let Some(dob) = f.dob.filter(|d| d.is_complete()) {
        let ymd =
            u64::from(dob.year) * 10_000 + u64::from(dob.month.unwrap_or(0)) * 100 + u64::from(dob.day.unwrap_or(0));
        let initial = f
            .names
            .first()
            .filter(|n| n.given != NO_NAME)
            .map_or(0, |n| u64::from(names.get(n.given).text.as_bytes()[0]));
        keys.push(key(BlockRule::DateOfBirthInitial, ymd, initial));
    }
    if let Some(marker) = f.marker {
        keys.push(key(BlockRule::MarkerCode, marker, 0));
    }
    keys.sort_unstable();
    keys.dedup();
    for &person in &f.co_offenders {
        busy.push(key(BlockRule::CoOffender, u64::from(person), 0));
    }
    for &vehicle in &f.vehicles {
        busy.push(key(BlockRule::SeenWithVehicle, u64::from(vehicle), 0));
    }
    if let Some(face) = &f.face {
        for bucket in faces.buckets(&face.vector, face_tables, face_bits) {
            busy.push(key(BlockRule::FaceBucket, u64::from(face.model), bucket));
        }
    }
    busy.sort_unstable();
    busy.dedup();
    let (place, nearby) = place_keys(&f.place).map_or((None, Vec::new()), |(own, near)| (Some(own), near));
    let look_nearby = f.names.is_empty() && f.dob.is_none();
    PersonKeys { identity: keys, busy, place, nearby, look_nearby }
}
