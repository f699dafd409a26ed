use super::*;
use crate::clustering::evaluate_clustering;
use crate::groups::{Group, evaluate_groups};
use std::collections::HashMap;

fn sample() -> Report {
    let person_truth = vec![("i1#0", "alice"), ("i2#0", "alice"), ("i3#0", "bob")];
    let person_prediction = vec![("i1#0", "P1"), ("i2#0", "P1"), ("i3#0", "P2")];
    let vehicle_truth = vec![("i1#v0", "car1"), ("i2#v0", "car1")];
    let vehicle_prediction = vec![("i1#v0", "V1")];
    let true_groups = [Group {
        id: "ocg-1".into(),
        members: vec!["alice".into(), "bob".into()],
        forces: vec!["kent".into(), "essex".into()],
    }];
    let detected_groups =
        [Group { id: "G1".into(), members: vec!["P1".into(), "P2".into()], forces: vec!["kent".into()] }];
    let person_map: HashMap<String, String> =
        crate::map_predicted_to_true(&[("P1".to_string(), "alice".to_string()), ("P2".to_string(), "bob".to_string())]);
    Report {
        persons: evaluate_clustering(&person_truth, &person_prediction).unwrap(),
        vehicles: evaluate_clustering(&vehicle_truth, &vehicle_prediction).unwrap(),
        groups: evaluate_groups(&true_groups, &detected_groups, &person_map).unwrap(),
    }
}

#[test]
fn the_text_shows_scores_with_their_counts() {
    let text = render_text(&sample());
    assert!(text.contains("persons\n"), "{text}");
    assert!(text.contains("  pairwise           1.000    1.000    1.000"), "{text}");
    // The vehicle pair is lost because one sighting is missing from the prediction.
    assert!(text.contains("  pairwise           1.000    0.000    0.000"), "{text}");
    assert!(text.contains("1 missing from prediction (scored alone)"), "{text}");
    assert!(text.contains("groups: 1 true, 1 detected, 1 matched"), "{text}");
    assert!(text.contains("0 of 1 true cross-border groups detected with every force they hit (0.000)"), "{text}");
    assert!(text.contains("ocg-1"), "{text}");
}

#[test]
fn the_json_holds_the_same_figures() {
    let json = serde_json::to_value(sample()).unwrap();
    assert_eq!(json["persons"]["pairwise"]["f1"], 1.0);
    assert_eq!(json["vehicles"]["coverage"]["missing_from_prediction"], 1);
    assert_eq!(json["groups"]["matches"][0]["matched"]["detected_group"], "G1");
    assert_eq!(json["groups"]["cross_border"]["share"], 0.0);
    assert_eq!(json["groups"]["membership"]["persons"], 2);
}
