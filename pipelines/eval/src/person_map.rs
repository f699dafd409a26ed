//! Maps predicted entities to true ones, so detected groups (which list predicted person ids) can be
//! compared with true groups (which list true person ids).
//!
//! Each predicted person maps to the true person most of its sightings belong to; a tie goes to the
//! smallest true id. A predicted person that merged two true persons therefore stands for one of
//! them only: the other is absent from every detected group the merged person is in, so merges cost
//! group recall rather than being silently forgiven. Two predicted persons that split one true
//! person both map to it, and count once in a group that lists both.

use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::hash::Hash;

/// Majority true entity of each predicted entity, from one `(predicted id, true id)` pair per
/// sighting. Deterministic: ties go to the smallest true id.
pub fn map_predicted_to_true<P, T>(sightings: &[(P, T)]) -> HashMap<P, T>
where
    P: Hash + Eq + Clone,
    T: Hash + Eq + Ord + Clone,
{
    let mut votes: FxHashMap<&P, FxHashMap<&T, u64>> = FxHashMap::default();
    for (predicted, truth) in sightings {
        *votes.entry(predicted).or_default().entry(truth).or_insert(0) += 1;
    }
    votes
        .into_iter()
        .map(|(predicted, tally)| {
            let winner = majority(tally).expect("every tally holds at least one vote");
            (predicted.clone(), winner.clone())
        })
        .collect()
}

/// The key with the most votes, the smallest key among equals.
pub(crate) fn majority<K: Ord>(tally: impl IntoIterator<Item = (K, u64)>) -> Option<K> {
    tally
        .into_iter()
        .max_by(|(key_a, votes_a), (key_b, votes_b)| votes_a.cmp(votes_b).then_with(|| key_b.cmp(key_a)))
        .map(|(key, _)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_predicted_person_maps_to_the_true_person_of_most_of_its_sightings() {
        let sightings = [("p1", "alice"), ("p1", "bob"), ("p1", "bob"), ("p2", "carol")];
        let map = map_predicted_to_true(&sightings);
        assert_eq!(map.len(), 2);
        assert_eq!(map["p1"], "bob");
        assert_eq!(map["p2"], "carol");
    }

    #[test]
    fn a_tie_goes_to_the_smallest_true_id_whatever_the_order() {
        let forward = [("p", "zoe"), ("p", "adam")];
        let backward = [("p", "adam"), ("p", "zoe")];
        assert_eq!(map_predicted_to_true(&forward)["p"], "adam");
        assert_eq!(map_predicted_to_true(&backward)["p"], "adam");
    }

    #[test]
    fn a_split_person_maps_twice_to_the_same_true_person() {
        let sightings = [("p1", "alice"), ("p2", "alice")];
        let map = map_predicted_to_true(&sightings);
        assert_eq!((map["p1"], map["p2"]), ("alice", "alice"));
    }
}
