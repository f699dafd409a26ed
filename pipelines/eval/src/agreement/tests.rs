use super::*;
use crate::scores::close;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn table(truth: &[u32], predicted: &[u32]) -> Contingency {
    Contingency::from_label_pairs(truth.iter().zip(predicted))
}

#[test]
fn identical_partitions_score_one_whatever_the_labels() {
    let same = table(&[0, 0, 1, 1, 2], &[5, 5, 3, 3, 9]);
    assert!(close(adjusted_rand_index(&same), 1.0));
    assert!(close(normalized_mutual_information(&same), 1.0));
    assert!(close(adjusted_mutual_information(&same), 1.0));
}

#[test]
fn splitting_one_cluster_in_two_has_known_values() {
    // Truth {0,1} {2,3}; prediction {0,1} {2} {3}.
    // ARI: index = C(2,2) = 1; row pairs 1 + 1 = 2; column pairs 1; all pairs C(4,2) = 6;
    //   expected = 2 x 1 / 6 = 1/3; maximum = (2 + 1) / 2 = 3/2; ARI = (1 - 1/3) / (3/2 - 1/3) = 4/7.
    // NMI: H(U) = ln 2; H(V) = 1/2 ln 2 + 2 x 1/4 ln 4 = 3/2 ln 2; V refines U so I = H(U) = ln 2;
    //   NMI = ln 2 / (5/4 ln 2) = 4/5.
    // AMI: N = 4. Row size 2 against column size 2 (2 such pairs): overlap 1 has I-term
    //   1/4 ln(4 x 1 / 4) = 0; overlap 2 has I-term 2/4 ln(4 x 2 / 4) = 1/2 ln 2 with probability
    //   C(2,2) C(2,0) / C(4,2) = 1/6; so 2 x (1/12) ln 2 = 1/6 ln 2. Row size 2 against column size 1
    //   (4 such pairs): overlap 1, I-term 1/4 ln(4 / 2) = 1/4 ln 2, probability C(1,1) C(3,1) / C(4,2)
    //   = 1/2; so 4 x 1/8 ln 2 = 1/2 ln 2. E[I] = 2/3 ln 2; AMI = (1 - 2/3) / (5/4 - 2/3) = 4/7.
    let split = table(&[0, 0, 1, 1], &[0, 0, 1, 2]);
    assert!(close(adjusted_rand_index(&split), 4.0 / 7.0));
    assert!(close(normalized_mutual_information(&split), 0.8));
    assert!(close(adjusted_mutual_information(&split), 4.0 / 7.0));
}

#[test]
fn a_crossed_partition_is_worse_than_chance() {
    // Truth {0,1} {2,3}; prediction {0,2} {1,3}: every cell holds one item.
    // ARI: index 0; expected = 2 x 2 / 6 = 2/3; maximum 2; ARI = (-2/3) / (4/3) = -1/2.
    // NMI: every cell count equals row x column / N, so I = 0.
    // AMI: E[I] = 4 pairs of sizes (2, 2) x 1/12 ln 2 = 1/3 ln 2; AMI = (0 - 1/3) / (1 - 1/3) = -1/2.
    let crossed = table(&[0, 0, 1, 1], &[0, 1, 0, 1]);
    assert!(close(adjusted_rand_index(&crossed), -0.5));
    assert!(close(normalized_mutual_information(&crossed), 0.0));
    assert!(close(adjusted_mutual_information(&crossed), -0.5));
}

#[test]
fn one_big_cluster_scores_zero() {
    let lumped = table(&[0, 0, 1, 1, 2, 2], &[7, 7, 7, 7, 7, 7]);
    assert!(close(adjusted_rand_index(&lumped), 0.0));
    assert!(close(normalized_mutual_information(&lumped), 0.0));
    assert!(close(adjusted_mutual_information(&lumped), 0.0));
}

#[test]
fn all_singletons_score_zero_on_ari_and_ami_but_not_on_nmi() {
    // Truth {0,1} {2,3}; prediction all alone. ARI: index 0 and column pairs 0, so expected 0 and
    // ARI = 0 / (1 - 0) = 0. NMI: I = H(U) = ln 2, H(V) = ln 4; NMI = ln 2 / (3/2 ln 2) = 2/3, the
    // fragmentation bias AMI corrects: every relabelling gives I = ln 2, so E[I] = I and AMI = 0.
    let alone = table(&[0, 0, 1, 1], &[0, 1, 2, 3]);
    assert!(close(adjusted_rand_index(&alone), 0.0));
    assert!(close(normalized_mutual_information(&alone), 2.0 / 3.0));
    assert!(close(adjusted_mutual_information(&alone), 0.0));
}

#[test]
fn trivial_identical_partitions_score_one() {
    let both_one = table(&[1, 1, 1], &[2, 2, 2]);
    let both_alone = table(&[1, 2, 3], &[4, 5, 6]);
    let nothing = table(&[], &[]);
    for trivial in [both_one, both_alone, nothing] {
        assert_eq!(adjusted_rand_index(&trivial), 1.0);
        assert_eq!(normalized_mutual_information(&trivial), 1.0);
        assert_eq!(adjusted_mutual_information(&trivial), 1.0);
    }
}

#[test]
fn independent_random_partitions_score_about_zero_on_the_adjusted_indices() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let truth: Vec<u32> = (0..5_000).map(|_| rng.random_range(0..10)).collect();
    let predicted: Vec<u32> = (0..5_000).map(|_| rng.random_range(0..10)).collect();
    let independent = table(&truth, &predicted);
    assert!(adjusted_rand_index(&independent).abs() < 0.01);
    assert!(adjusted_mutual_information(&independent).abs() < 0.01);
    assert!(normalized_mutual_information(&independent) < 0.02);
}

/// Every ordering of `items`, by swapping (Heap's algorithm).
fn permutations(items: &mut Vec<u32>, size: usize, out: &mut Vec<Vec<u32>>) {
    if size <= 1 {
        out.push(items.clone());
        return;
    }
    for i in 0..size {
        permutations(items, size - 1, out);
        let swap_with = if size.is_multiple_of(2) { i } else { 0 };
        items.swap(swap_with, size - 1);
    }
}

#[test]
fn expected_mutual_information_equals_the_mean_over_every_relabelling() {
    // The hypergeometric model is the average over all ways to shuffle the predicted labels while
    // keeping cluster sizes; for 7 items that is 5,040 shuffles, few enough to enumerate.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..20 {
        let truth: Vec<u32> = (0..7).map(|_| rng.random_range(0..3)).collect();
        let mut predicted: Vec<u32> = (0..7).map(|_| rng.random_range(0..4)).collect();
        let mut shuffles = Vec::new();
        permutations(&mut predicted, 7, &mut shuffles);
        let mean: f64 = shuffles.iter().map(|shuffle| mutual_information(&table(&truth, shuffle))).sum::<f64>()
            / shuffles.len() as f64;
        let expected = expected_mutual_information(&table(&truth, &predicted));
        assert!(close(expected, mean), "truth {truth:?} predicted {predicted:?}: {expected} against {mean}");
    }
}
