//! Face templates as a retailer's face-recognition system would produce them: unit vectors from one
//! model, comparable only with templates of the same model.
//!
//! Each person has a base direction per model: a shared population direction (weight
//! `face_population_weight`) plus an individual part, so two different people have cosine about
//! 0.2 (spread roughly 0.0-0.4). Each capture adds independent noise whose size depends on image
//! quality (`face_noise`), giving same-person cosine from about 0.9 (two good captures) to 0.5
//! (two poor ones). Lookalikes and relatives blend another person's base into theirs, so their
//! templates overlap the same-person range: the trap a threshold alone cannot avoid.

use crate::people::FaceRecipe;
use crate::random::{Purpose, WorldRng, rng_for, splitmix64};
use rand::Rng;
use rand_distr::StandardNormal;

/// Builds templates for the models in use, caching each model's population direction.
#[derive(Clone, Debug)]
pub(crate) struct FaceSpace {
    dimensions: usize,
    population_weight: f64,
    noise: (f64, f64),
    models: Vec<(String, Vec<f64>)>,
}

impl FaceSpace {
    pub fn new(seed: u64, models: &[String], dimensions: usize, population_weight: f64, noise: (f64, f64)) -> Self {
        let dimensions = dimensions.max(2);
        let models = models
            .iter()
            .map(|model| {
                let mut rng = rng_for(seed, Purpose::FaceSpace, model_hash(model));
                let mut direction = vec![0.0; dimensions];
                fill_normals(&mut rng, &mut direction, 1.0);
                normalise(&mut direction);
                (model.clone(), direction)
            })
            .collect();
        Self { dimensions, population_weight, noise, models }
    }

    /// One capture of a face by `model`, rounded to four decimals as systems export them.
    /// `None` for a model the space does not know.
    pub fn capture<R: Rng + ?Sized>(&self, rng: &mut R, face: FaceRecipe, model: &str) -> Option<Vec<f32>> {
        let population = &self.models.iter().find(|(m, _)| m == model)?.1;
        let mut vector = self.base(face.seed, model, population);
        if let Some((other, distance)) = face.related {
            let mut own = vector;
            vector = self.base(other, model, population);
            let scale = f64::from(distance) / own.iter().map(|v| v * v).sum::<f64>().sqrt();
            for (v, o) in vector.iter_mut().zip(&own) {
                *v += o * scale;
            }
            own.clear();
            normalise(&mut vector);
        }
        let sd = rng.random_range(self.noise.0..=self.noise.1.max(self.noise.0));
        let mut noise = vec![0.0; self.dimensions];
        fill_normals(rng, &mut noise, sd);
        for (v, n) in vector.iter_mut().zip(&noise) {
            *v += n;
        }
        normalise(&mut vector);
        Some(vector.iter().map(|v| ((v * 1e4).round() / 1e4) as f32).collect())
    }

    fn base(&self, seed: u64, model: &str, population: &[f64]) -> Vec<f64> {
        let mut rng: WorldRng = rng_for(seed, Purpose::Face, model_hash(model));
        let mut vector = vec![0.0; self.dimensions];
        fill_normals(&mut rng, &mut vector, 1.0 / (self.dimensions as f64).sqrt());
        for (v, p) in vector.iter_mut().zip(population) {
            *v += self.population_weight * p;
        }
        normalise(&mut vector);
        vector
    }
}

fn model_hash(model: &str) -> u64 {
    model.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| splitmix64(h ^ u64::from(b)))
}

/// Fills with normal samples of standard deviation `sd` (ziggurat: portable and fast).
fn fill_normals<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64], sd: f64) {
    for value in out.iter_mut() {
        *value = sd * rng.sample::<f64, _>(StandardNormal);
    }
}

fn normalise(vector: &mut [f64]) {
    let norm = vector.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|v| *v /= norm);
    }
}

/// Cosine similarity of two templates.
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> FaceSpace {
        FaceSpace::new(1, &["fr-alpha-v3".to_owned()], 128, 0.5, (0.03, 0.09))
    }

    fn mean_cosine(space: &FaceSpace, a: FaceRecipe, b: FaceRecipe) -> (f64, f64, f64) {
        let mut rng = rng_for(2, Purpose::Render, 0);
        let values: Vec<f64> = (0..200)
            .map(|_| {
                let x = space.capture(&mut rng, a, "fr-alpha-v3").unwrap();
                let y = space.capture(&mut rng, b, "fr-alpha-v3").unwrap();
                cosine(&x, &y)
            })
            .collect();
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (values.iter().sum::<f64>() / values.len() as f64, min, max)
    }

    #[test]
    fn same_person_is_similar_and_different_people_are_not() {
        let space = space();
        let alice = FaceRecipe { seed: 11, related: None };
        let bob = FaceRecipe { seed: 12, related: None };
        let (same, same_min, same_max) = mean_cosine(&space, alice, alice);
        assert!((0.6..0.9).contains(&same) && same_min > 0.3 && same_max < 0.97, "{same} {same_min} {same_max}");
        let (different, _, different_max) = mean_cosine(&space, alice, bob);
        assert!((-0.05..0.4).contains(&different) && different_max < 0.6, "{different} {different_max}");
    }

    #[test]
    fn lookalikes_overlap_the_same_person_range() {
        let space = space();
        let original = FaceRecipe { seed: 21, related: None };
        let lookalike = FaceRecipe { seed: 22, related: Some((21, 0.8)) };
        let (mean, _, max) = mean_cosine(&space, original, lookalike);
        assert!((0.4..0.75).contains(&mean) && max > 0.55, "{mean} {max}");
    }

    #[test]
    fn unknown_models_give_no_template() {
        let mut rng = rng_for(2, Purpose::Render, 0);
        assert!(space().capture(&mut rng, FaceRecipe { seed: 1, related: None }, "other").is_none());
    }
}
