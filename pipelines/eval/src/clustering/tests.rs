use super::*;
use crate::scores::close;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Six sightings of three true persons: {a, b, c}, {d, e}, {f}. True pairs: 3 + 1 + 0 = 4.
fn three_persons() -> Vec<(&'static str, &'static str)> {
    vec![("a", "P1"), ("b", "P1"), ("c", "P1"), ("d", "P2"), ("e", "P2"), ("f", "P3")]
}

#[test]
fn perfect_prediction_scores_one_everywhere() {
    let predicted = vec![("a", 7), ("b", 7), ("c", 7), ("d", 8), ("e", 8), ("f", 9)];
    let report = evaluate_clustering(&three_persons(), &predicted).unwrap();
    let pairwise = &report.pairwise;
    assert_eq!((pairwise.true_pairs, pairwise.predicted_pairs, pairwise.correct_pairs), (4, 4, 4));
    assert_eq!((pairwise.precision, pairwise.recall, pairwise.f1), (1.0, 1.0, 1.0));
    assert_eq!((report.bcubed.precision, report.bcubed.recall, report.bcubed.f1), (1.0, 1.0, 1.0));
    assert_eq!((report.true_entities, report.predicted_entities), (3, 3));
    assert_eq!(report.coverage, Coverage { truth_items: 6, predicted_items: 6, ..Coverage::default() });
}

#[test]
fn everything_in_one_cluster_recalls_all_but_is_imprecise() {
    let predicted: Vec<(&str, &str)> = three_persons().into_iter().map(|(key, _)| (key, "X")).collect();
    let report = evaluate_clustering(&three_persons(), &predicted).unwrap();
    let pairwise = &report.pairwise;
    // Predicted pairs: 6 choose 2 = 15, of which the 4 true pairs are correct.
    assert_eq!((pairwise.true_pairs, pairwise.predicted_pairs, pairwise.correct_pairs), (4, 15, 4));
    assert!(close(pairwise.precision, 4.0 / 15.0));
    assert_eq!(pairwise.recall, 1.0);
    // F1 = 2 (4/15) / (4/15 + 1) = 8/19.
    assert!(close(pairwise.f1, 8.0 / 19.0));
    // B-cubed precision: a, b, c have 3/6 each; d, e 2/6; f 1/6: (3/2 + 2/3 + 1/6) / 6 = 7/18.
    assert!(close(report.bcubed.precision, 7.0 / 18.0));
    assert_eq!(report.bcubed.recall, 1.0);
    // F1 = 2 (7/18) / (7/18 + 1) = 14/25.
    assert!(close(report.bcubed.f1, 14.0 / 25.0));
    assert_eq!((report.true_entities, report.predicted_entities), (3, 1));
}

#[test]
fn all_singletons_is_vacuously_precise_but_recalls_no_pair_and_scores_f1_zero() {
    let predicted: Vec<(&str, &str)> = three_persons().into_iter().map(|(key, _)| (key, key)).collect();
    let report = evaluate_clustering(&three_persons(), &predicted).unwrap();
    let pairwise = &report.pairwise;
    assert_eq!((pairwise.true_pairs, pairwise.predicted_pairs, pairwise.correct_pairs), (4, 0, 0));
    assert_eq!((pairwise.precision, pairwise.recall, pairwise.f1), (1.0, 0.0, 0.0));
    // B-cubed recall: a, b, c find 1/3 of their cluster, d, e 1/2, f all of it: (1 + 1 + 1) / 6.
    assert_eq!(report.bcubed.precision, 1.0);
    assert!(close(report.bcubed.recall, 0.5));
    assert!(close(report.bcubed.f1, 2.0 / 3.0));
    assert_eq!(report.predicted_entities, 6);
}

#[test]
fn an_empty_prediction_scores_like_all_singletons_and_reports_every_item_missing() {
    let predicted: Vec<(&str, &str)> = Vec::new();
    let report = evaluate_clustering(&three_persons(), &predicted).unwrap();
    assert_eq!((report.pairwise.precision, report.pairwise.recall, report.pairwise.f1), (1.0, 0.0, 0.0));
    assert_eq!(report.coverage.missing_from_prediction, 6);
    assert_eq!(report.predicted_entities, 6);
}

#[test]
fn splitting_one_person_in_two_halves_recall() {
    // Truth {a, b, c, d}; prediction {a, b}, {c, d}. True pairs 6, predicted 2, both correct.
    let truth = vec![("a", 1), ("b", 1), ("c", 1), ("d", 1)];
    let predicted = vec![("a", 1), ("b", 1), ("c", 2), ("d", 2)];
    let report = evaluate_clustering(&truth, &predicted).unwrap();
    assert_eq!((report.pairwise.true_pairs, report.pairwise.predicted_pairs, report.pairwise.correct_pairs), (6, 2, 2));
    assert_eq!(report.pairwise.precision, 1.0);
    assert!(close(report.pairwise.recall, 1.0 / 3.0));
    assert!(close(report.pairwise.f1, 0.5));
    // B-cubed: every item finds 2 of its 4 true companions-and-self.
    assert_eq!(report.bcubed.precision, 1.0);
    assert!(close(report.bcubed.recall, 0.5));
}

#[test]
fn missing_items_are_singletons_and_unknown_items_are_ignored_but_counted() {
    // `c` is missing from the prediction; `z` is not in the truth, yet predicted with `a` and `b`.
    let truth = vec![("a", "P1"), ("b", "P1"), ("c", "P2")];
    let predicted = vec![("a", "X"), ("b", "X"), ("z", "X")];
    let report = evaluate_clustering(&truth, &predicted).unwrap();
    let expected_coverage =
        Coverage { truth_items: 3, predicted_items: 3, missing_from_prediction: 1, not_in_truth: 1 };
    assert_eq!(report.coverage, expected_coverage);
    // Only the pair a-b counts: z's pairs are outside the truth.
    assert_eq!((report.pairwise.true_pairs, report.pairwise.predicted_pairs, report.pairwise.correct_pairs), (1, 1, 1));
    assert_eq!(report.pairwise.f1, 1.0);
    assert_eq!((report.true_entities, report.predicted_entities), (2, 2));
}

#[test]
fn a_missing_item_cannot_join_a_cluster() {
    // Truth {a, b}; b is missing, so the true pair a-b is not found.
    let truth = vec![("a", 1), ("b", 1)];
    let predicted = vec![("a", 1)];
    let scores = pairwise(&truth, &predicted).unwrap();
    assert_eq!((scores.precision, scores.recall, scores.f1), (1.0, 0.0, 0.0));
}

#[test]
fn an_item_listed_twice_is_an_error_on_either_side() {
    let truth = vec![("a", 1), ("a", 2)];
    let predicted = vec![("a", 1)];
    assert_eq!(
        pairwise(&truth, &predicted).unwrap_err(),
        EvalError::DuplicateItem { side: Side::Truth, key: "\"a\"".into() }
    );
    let truth = vec![("a", 1)];
    let predicted = vec![("a", 1), ("a", 1)];
    assert_eq!(
        bcubed(&truth, &predicted).unwrap_err(),
        EvalError::DuplicateItem { side: Side::Prediction, key: "\"a\"".into() }
    );
}

#[test]
fn an_empty_truth_is_vacuous_and_says_so_in_its_counts() {
    let truth: Vec<(&str, u32)> = Vec::new();
    let predicted = vec![("z", 1)];
    let report = evaluate_clustering(&truth, &predicted).unwrap();
    assert_eq!((report.pairwise.true_pairs, report.pairwise.predicted_pairs), (0, 0));
    assert_eq!((report.true_entities, report.coverage.truth_items, report.coverage.not_in_truth), (0, 0, 1));
    assert_eq!(report.bcubed.f1, 1.0);
}

/// The O(n²) definitions, item by item and pair by pair, with missing items as singletons.
fn brute_force(truth: &[(u32, u32)], predicted: &[(u32, u32)]) -> (u64, u64, u64, f64, f64) {
    let predicted_label = |key: u32| predicted.iter().find(|(k, _)| *k == key).map(|(_, label)| *label);
    let labels: Vec<(u32, Option<u32>)> = truth.iter().map(|&(key, label)| (label, predicted_label(key))).collect();
    let same_predicted =
        |i: usize, j: usize| i == j || matches!((labels[i].1, labels[j].1), (Some(x), Some(y)) if x == y);
    let (mut true_pairs, mut predicted_pairs, mut correct_pairs) = (0, 0, 0);
    let (mut precision_sum, mut recall_sum) = (0.0, 0.0);
    for i in 0..labels.len() {
        let (mut cluster, mut entity, mut both) = (0.0, 0.0, 0.0);
        for j in 0..labels.len() {
            let same_true = labels[i].0 == labels[j].0;
            let same_pred = same_predicted(i, j);
            if j > i {
                true_pairs += same_true as u64;
                predicted_pairs += same_pred as u64;
                correct_pairs += (same_true && same_pred) as u64;
            }
            entity += same_true as u8 as f64;
            cluster += same_pred as u8 as f64;
            both += (same_true && same_pred) as u8 as f64;
        }
        precision_sum += both / cluster;
        recall_sum += both / entity;
    }
    let items = labels.len() as f64;
    (true_pairs, predicted_pairs, correct_pairs, precision_sum / items, recall_sum / items)
}

#[test]
fn contingency_counts_match_brute_force_pair_counts_on_random_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(20_240_601);
    for _ in 0..300 {
        let items = rng.random_range(0..40u32);
        let true_labels = rng.random_range(1..8u32);
        let predicted_labels = rng.random_range(1..8u32);
        let truth: Vec<(u32, u32)> = (0..items).map(|key| (key, rng.random_range(0..true_labels))).collect();
        // Some truth items are left out of the prediction and some unknown items (keys past the
        // truth's) are added to it.
        let mut predicted: Vec<(u32, u32)> = Vec::new();
        for key in 0..items + 5 {
            if rng.random_bool(0.8) {
                predicted.push((key, rng.random_range(0..predicted_labels)));
            }
        }
        let report = evaluate_clustering(&truth, &predicted).unwrap();
        let (true_pairs, predicted_pairs, correct_pairs, precision, recall) = brute_force(&truth, &predicted);
        let counts = (report.pairwise.true_pairs, report.pairwise.predicted_pairs, report.pairwise.correct_pairs);
        assert_eq!(counts, (true_pairs, predicted_pairs, correct_pairs), "truth {truth:?} predicted {predicted:?}");
        if items > 0 {
            assert!(close(report.bcubed.precision, precision), "truth {truth:?} predicted {predicted:?}");
            assert!(close(report.bcubed.recall, recall), "truth {truth:?} predicted {predicted:?}");
        }
    }
}

#[test]
fn a_million_items_are_scored_from_counts() {
    // 1,000 true entities of 1,000 sightings each, each predicted as two halves of 500.
    // True pairs: 1,000 x (1,000 choose 2) = 499,500,000; predicted and correct pairs:
    // 2,000 x (500 choose 2) = 249,500,000. A pair-by-pair count would take ~5 x 10^11 steps.
    let truth: Vec<(u32, u32)> = (0..1_000_000).map(|key| (key, key / 1_000)).collect();
    let predicted: Vec<(u32, u32)> = (0..1_000_000).map(|key| (key, key / 500)).collect();
    let report = evaluate_clustering(&truth, &predicted).unwrap();
    let pairwise = &report.pairwise;
    assert_eq!(
        (pairwise.true_pairs, pairwise.predicted_pairs, pairwise.correct_pairs),
        (499_500_000, 249_500_000, 249_500_000)
    );
    assert_eq!(pairwise.precision, 1.0);
    assert!(close(pairwise.recall, 249_500_000.0 / 499_500_000.0));
    assert_eq!((report.true_entities, report.predicted_entities), (1_000, 2_000));
    assert_eq!(report.bcubed.precision, 1.0);
    assert!(close(report.bcubed.recall, 0.5));
}
