//! What the resolver keeps of a person sighting: integer-coded names, date of birth, description,
//! face template, marker code and place; and an entity's summary, its best evidence, folded from
//! its members' features.

use crate::names::{self, NO_NAME, NameId, NameTable};
use crate::population::{Summary, SummaryCaps};
use crate::travel::Place;
use orca_model::{AgeBand, Build, PartialDate, PersonSighting, Sex};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameRef {
    pub given: NameId,
    pub family: NameId,
}

impl NameRef {
    pub fn is_empty(&self) -> bool {
        self.given == NO_NAME && self.family == NO_NAME
    }
}

/// A face template, unit length, with its model's id hashed; compared as eight-bit codes (a
/// quarter of the memory to read per comparison; cosine error under 0.01, see the test).
#[derive(Clone, Debug, PartialEq)]
pub struct Face {
    pub model: u32,
    /// The unit vector, for bucketing.
    pub vector: Arc<[f32]>,
    codes: Arc<[i8]>,
    /// Code units per vector unit.
    scale: f32,
}

impl Face {
    pub fn new(template: &orca_model::FaceTemplate) -> Option<Self> {
        let norm = template.vector.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !(norm.is_finite() && norm > 0.0) {
            return None;
        }
        let vector: Arc<[f32]> = template.vector.iter().map(|v| v / norm).collect();
        let largest = vector.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let scale = 127.0 / largest;
        let codes = vector.iter().map(|v| (v * scale).round() as i8).collect();
        Some(Self { model: names::hash32(template.model_id.trim()), vector, codes, scale })
    }

    /// Cosine similarity with a template of the same model; `None` across models.
    pub fn cosine(&self, other: &Face) -> Option<f32> {
        (self.model == other.model && self.codes.len() == other.codes.len())
            .then(|| dot(&self.codes, &other.codes) as f32 / (self.scale * other.scale))
    }
}

#[derive(Clone, Debug)]
pub struct PersonFeatures {
    /// The name first, then aliases; empty for an unnamed sighting.
    pub names: Vec<NameRef>,
    pub dob: Option<PartialDate>,
    pub sex: Sex,
    /// Years of birth consistent with an age band or estimated age (when there is no date of birth).
    pub birth_years: Option<(u16, u16)>,
    pub height: Option<(u16, u16)>,
    pub build: Build,
    /// Each mark as a set of words.
    pub marks: Vec<WordSet>,
    pub face: Option<Face>,
    pub marker: Option<u64>,
    pub place: Place,
    /// Vehicles (entity numbers) seen in the same incident.
    pub vehicles: Vec<u32>,
    /// Persons (entity numbers) resolved before this sighting in the same incident.
    pub co_offenders: Vec<u32>,
    /// Words of the clothing description (colours folded to families).
    pub clothing: WordSet,
    /// Which names counted towards term frequencies (bit 2i: given name of `names[i]`, bit 2i+1:
    /// its family name): those new to the entity the sighting joined. Frequencies count entities,
    /// so a prolific offender's own name does not become "common".
    pub counted: u16,
}

/// Names kept per sighting (the name and up to seven aliases).
pub const MAX_NAMES: usize = 8;

const MARK_STOP_WORDS: &[&str] = &["a", "an", "the", "of", "on", "in", "with", "and", "to", "his", "her", "has"];

/// Features of one sighting; interns its names (term frequencies are counted when it is stored).
pub fn extract(sighting: &PersonSighting, place: Place, table: &mut NameTable) -> PersonFeatures {
    let mut names = Vec::with_capacity(1 + sighting.aliases.len());
    let mut push = |(given, family): (String, String), table: &mut NameTable| {
        let name = NameRef { given: table.intern(&given), family: table.intern(&family) };
        if !name.is_empty() && !names.contains(&name) && names.len() < MAX_NAMES {
            names.push(name);
        }
    };
    push(names::split_person_name(&sighting.given_names, &sighting.family_name), table);
    for alias in &sighting.aliases {
        push(names::split_alias(alias), table);
    }
    let year = place.year();
    let from_band = sighting.age_band.ages().filter(|_| sighting.age_band != AgeBand::Unspecified).map(|(lo, hi)| {
        // Ages are guessed by eye: widen the band by two years either way.
        (year - hi as i32 - 3, year - lo as i32 + 2)
    });
    let from_estimate = sighting.estimated_age.map(|age| (year - age as i32 - 6, year - age as i32 + 5));
    let birth_years = match (from_band, from_estimate) {
        (Some((a, b)), Some((c, d))) if a.max(c) <= b.min(d) => Some((a.max(c), b.min(d))),
        (Some(range), _) | (None, Some(range)) => Some(range),
        (None, None) => None,
    }
    .map(|(lo, hi)| (lo.clamp(0, 9999) as u16, hi.clamp(0, 9999) as u16));
    let marks = sighting
        .distinguishing_marks
        .iter()
        .filter_map(|mark| {
            let words = WordSet::of(
                names::normalise(mark).split(' ').filter(|w| !w.is_empty() && !MARK_STOP_WORDS.contains(w)),
            );
            (!words.is_empty()).then_some(words)
        })
        .collect();
    PersonFeatures {
        names,
        dob: sighting.date_of_birth,
        sex: sighting.sex,
        birth_years,
        height: sighting.height_cm.map(|(lo, hi)| (lo.min(u16::MAX.into()) as u16, hi.min(u16::MAX.into()) as u16)),
        build: sighting.build,
        marks,
        face: sighting.face.as_ref().and_then(Face::new),
        marker: sighting.marker_code.as_deref().filter(|m| !m.is_empty()).map(marker_hash),
        place,
        vehicles: Vec::new(),
        co_offenders: Vec::new(),
        clothing: clothing_words(&sighting.clothing),
        counted: 0,
    }
}

const CLOTHING_STOP_WORDS: &[&str] = &["a", "an", "the", "and", "with", "wearing", "in", "of", "on", "carrying"];

/// Clothing as a set of words, near colours folded together (`navy` is `blue`, `grey` is `silver`).
pub fn clothing_words(text: &str) -> WordSet {
    WordSet::of(names::normalise(text).split(' ').filter(|w| !w.is_empty() && !CLOTHING_STOP_WORDS.contains(w)).map(
        |w| match w {
            "navy" => "blue",
            "grey" | "gray" | "silver" | "charcoal" => "grey",
            "maroon" | "burgundy" => "red",
            "khaki" | "olive" => "green",
            "cream" | "ivory" => "white",
            "trackies" | "tracksuit" | "joggers" | "jogging" => "joggers",
            "hoody" | "hoodie" | "hooded" => "hoodie",
            "trainers" | "sneakers" => "trainers",
            "cap" | "baseball" => "cap",
            other => other,
        },
    ))
}

/// A set of words as a 256-bit signature (each word sets one bit chosen by its hash), so that
/// comparing two descriptions is a few popcounts on data held inline, not a walk over heap
/// slices. Two different words share a bit with probability 1/256, which can only raise a
/// similarity slightly; the levels it feeds (at least half the words shared) barely notice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordSet([u64; 4]);

impl WordSet {
    pub fn of<'a>(words: impl Iterator<Item = &'a str>) -> Self {
        let mut bits = [0u64; 4];
        for word in words {
            let bit = names::hash32(word) as usize & 255;
            bits[bit >> 6] |= 1 << (bit & 63);
        }
        Self(bits)
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Shared words over all words (0 when both are empty).
    pub fn jaccard(&self, other: &Self) -> f32 {
        let (mut shared, mut union) = (0, 0);
        for (a, b) in self.0.iter().zip(&other.0) {
            shared += (a & b).count_ones();
            union += (a | b).count_ones();
        }
        if union == 0 { 0.0 } else { shared as f32 / union as f32 }
    }
}

/// Integer dot product (exact; the compiler vectorises it).
fn dot(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(x, y)| i32::from(*x) * i32::from(*y)).sum()
}

/// Marker codes compare exactly after ingest's normalisation.
pub fn marker_hash(code: &str) -> u64 {
    let normalised = orca_model::validate::normalise_marker(code);
    orca_model::hash::fnv1a64(normalised.as_bytes())
}

pub fn sex_bit(sex: Sex) -> u8 {
    match sex {
        Sex::Unspecified => 0,
        Sex::Male => 1,
        Sex::Female => 2,
    }
}

pub fn build_bit(build: Build) -> u8 {
    match build {
        Build::Unspecified => 0,
        Build::Slim => 1,
        Build::Medium => 2,
        Build::Stocky => 4,
        Build::Heavy => 8,
    }
}

/// An entity's best evidence: the distinct values its sightings reported, up to a cap each.
#[derive(Clone, Debug, Default)]
pub struct PersonSummary {
    pub names: Vec<NameRef>,
    pub dobs: Vec<PartialDate>,
    pub sexes: u8,
    /// Birth-year ranges: a date of birth's year, or what an age implies.
    pub birth_years: Vec<(u16, u16)>,
    pub heights: Vec<(u16, u16)>,
    pub builds: u8,
    pub marks: Vec<WordSet>,
    pub faces: Vec<Face>,
    pub markers: Vec<u64>,
    pub places: Vec<Place>,
    pub vehicles: Vec<u32>,
    pub co_offenders: Vec<u32>,
    /// Recent clothing descriptions with the minute they were seen.
    pub clothes: Vec<(i64, WordSet)>,
}

fn push_capped<T: PartialEq + Clone>(list: &mut Vec<T>, value: &T, cap: usize) {
    if list.len() < cap && !list.contains(value) {
        list.push(value.clone());
    }
}

impl Summary<PersonFeatures> for PersonSummary {
    fn add(&mut self, f: &PersonFeatures, caps: &SummaryCaps) {
        for name in &f.names {
            push_capped(&mut self.names, name, caps.values);
        }
        if let Some(dob) = &f.dob {
            push_capped(&mut self.dobs, dob, caps.values);
            push_capped(&mut self.birth_years, &(dob.year, dob.year), caps.values);
        } else if let Some(range) = &f.birth_years {
            push_capped(&mut self.birth_years, range, caps.values);
        }
        self.sexes |= sex_bit(f.sex);
        if let Some(height) = &f.height {
            push_capped(&mut self.heights, height, caps.values);
        }
        self.builds |= build_bit(f.build);
        for mark in &f.marks {
            push_capped(&mut self.marks, mark, caps.values);
        }
        if let Some(face) = &f.face {
            // Four templates are best evidence enough; each costs a dot product per comparison.
            push_capped(&mut self.faces, face, caps.values.min(4));
        }
        if let Some(marker) = &f.marker {
            push_capped(&mut self.markers, marker, caps.values);
        }
        if caps.places > 0 {
            if self.places.len() == caps.places {
                self.places.remove(0);
            }
            self.places.push(f.place);
        }
        for vehicle in &f.vehicles {
            push_capped(&mut self.vehicles, vehicle, caps.values);
        }
        for person in &f.co_offenders {
            push_capped(&mut self.co_offenders, person, 2 * caps.values);
        }
        if !f.clothing.is_empty() && caps.places > 0 {
            if self.clothes.len() == caps.places {
                self.clothes.remove(0);
            }
            self.clothes.push((f.place.minute, f.clothing));
        }
    }
}

/// Reads one value so that its cache line starts loading; nothing waits for the result, so the
/// loads of several candidates overlap. (A prefetch instruction would need `unsafe`.)
#[inline]
fn touch<T: Copy>(value: Option<&T>) {
    if let Some(value) = value {
        std::hint::black_box(*value);
    }
}

impl PersonSummary {
    /// Starts loading the summary itself (its fields span several cache lines), before
    /// [`Self::prefetch_values`] can follow its pointers.
    #[inline]
    pub fn prefetch(&self) {
        for len in [self.names.len(), self.heights.len(), self.faces.len(), self.places.len(), self.clothes.len()] {
            std::hint::black_box(len);
        }
    }

    /// Starts loading what a comparison reads behind the summary's pointers, so that comparing
    /// many candidates waits for memory about once rather than once per attribute per candidate.
    #[inline]
    pub fn prefetch_values(&self) {
        touch(self.names.first());
        touch(self.dobs.first());
        touch(self.birth_years.first());
        touch(self.heights.first());
        touch(self.places.first());
        touch(self.clothes.first());
        touch(self.co_offenders.first());
        touch(self.vehicles.first());
        touch(self.marks.first());
        if let Some(face) = self.faces.first() {
            touch(face.codes.first());
            touch(face.codes.get(64));
        }
    }

    /// The summary of a single sighting, for comparing it with entities.
    pub fn of(features: &PersonFeatures, caps: &SummaryCaps) -> Self {
        let mut summary = Self::default();
        summary.add(features, caps);
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(values: impl Iterator<Item = f32>) -> orca_model::FaceTemplate {
        orca_model::FaceTemplate { model_id: "m1".into(), vector: values.collect() }
    }

    #[test]
    fn eight_bit_face_codes_keep_the_cosine_within_a_hundredth() {
        let mut generator = orca_model::hash::SplitMix64::new(7);
        let mut next = move || generator.centred_unit();
        for _ in 0..200 {
            let a: Vec<f32> = (0..128).map(|_| next()).collect();
            // A noisy copy: cosines spread over the levels' range.
            let noise = next().abs() * 2.0;
            let b: Vec<f32> = a.iter().map(|v| v + noise * next()).collect();
            let exact = {
                let (na, nb) =
                    (a.iter().map(|v| v * v).sum::<f32>().sqrt(), b.iter().map(|v| v * v).sum::<f32>().sqrt());
                a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>() / (na * nb)
            };
            let fa = Face::new(&template(a.into_iter())).unwrap();
            let fb = Face::new(&template(b.into_iter())).unwrap();
            let coded = fa.cosine(&fb).unwrap();
            assert!((coded - exact).abs() < 0.01, "coded {coded} exact {exact}");
        }
        let other_model =
            Face::new(&orca_model::FaceTemplate { model_id: "m2".into(), vector: vec![1.0; 128] }).unwrap();
        let same = Face::new(&template(std::iter::repeat_n(1.0, 128))).unwrap();
        assert_eq!(same.cosine(&other_model), None);
        assert!((same.cosine(&same).unwrap() - 1.0).abs() < 1e-3);
    }
}
