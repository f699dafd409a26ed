use super::*;
use crate::scores::close;

/// Two true groups: {a, b, c} and {d, e, f}.
fn two_groups() -> Vec<(&'static str, &'static str)> {
    vec![("a", "G1"), ("b", "G1"), ("c", "G1"), ("d", "G2"), ("e", "G2"), ("f", "G2")]
}

#[test]
fn detecting_the_true_groups_scores_one() {
    let detected = vec![("a", 2), ("b", 2), ("c", 2), ("d", 1), ("e", 1), ("f", 1)];
    let scores = membership_agreement(&two_groups(), &detected);
    assert_eq!(scores.persons, 6);
    assert!(close(scores.ari, 1.0) && close(scores.nmi, 1.0) && close(scores.ami, 1.0));
}

#[test]
fn detecting_nothing_scores_zero_on_ari_and_ami() {
    let detected: Vec<(&str, u32)> = Vec::new();
    let scores = membership_agreement(&two_groups(), &detected);
    assert_eq!((scores.persons, scores.persons_in_detected_groups), (6, 0));
    assert!(close(scores.ari, 0.0));
    assert!(close(scores.ami, 0.0));
    // NMI's fragmentation bias: I = H(U) = ln 2, H(V) = ln 6, NMI = 2 ln 2 / (ln 2 + ln 6) > 0.
    assert!(close(scores.nmi, 2.0 * 2f64.ln() / (2f64.ln() + 6f64.ln())));
}

#[test]
fn one_group_of_everyone_scores_zero() {
    // Everyone, including two innocent persons x and y, in one detected group.
    let detected: Vec<(&str, u32)> = ["a", "b", "c", "d", "e", "f", "x", "y"].into_iter().map(|p| (p, 1)).collect();
    let scores = membership_agreement(&two_groups(), &detected);
    assert_eq!(scores.persons, 8);
    assert!(close(scores.ari, 0.0) && close(scores.nmi, 0.0) && close(scores.ami, 0.0));
}

#[test]
fn a_group_of_innocent_persons_costs_agreement_instead_of_earning_it() {
    let perfect = vec![("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2), ("f", 2)];
    let mut with_invented = perfect.clone();
    with_invented.extend([("x", 3), ("y", 3), ("z", 3)]);
    let scores = membership_agreement(&two_groups(), &with_invented);
    // Universe of 9: truth {a,b,c} {d,e,f} x y z alone; prediction adds {x,y,z}.
    // Index 3 + 3 = 6; true pairs 6; predicted pairs 9; all pairs 36; expected 6 x 9 / 36 = 3/2;
    // maximum 15/2; ARI = (6 - 3/2) / (15/2 - 3/2) = 3/4.
    assert_eq!(scores.persons, 9);
    assert!(close(scores.ari, 0.75));
    assert!(scores.ami < 1.0);
}

#[test]
fn missing_one_of_two_groups_is_not_forgiven() {
    // Only {a, b, c} is detected; d, e and f are alone in the prediction.
    // Index 3; true pairs 6; predicted pairs 3; all pairs 15; expected 6 x 3 / 15 = 6/5;
    // maximum 9/2; ARI = (3 - 6/5) / (9/2 - 6/5) = (9/5) / (33/10) = 6/11.
    let detected = vec![("a", 1), ("b", 1), ("c", 1)];
    let scores = membership_agreement(&two_groups(), &detected);
    assert!(close(scores.ari, 6.0 / 11.0));
}

#[test]
fn a_person_in_several_groups_goes_to_the_group_listing_them_most_and_is_counted() {
    // `a` is listed twice in detected group 2 (two predicted persons mapped to `a`) and once in 1.
    let detected = vec![("a", 1), ("a", 2), ("a", 2), ("b", 2), ("c", 2), ("d", 3), ("e", 3), ("f", 3)];
    let scores = membership_agreement(&two_groups(), &detected);
    assert_eq!(scores.persons_in_several_detected_groups, 1);
    assert_eq!(scores.persons_in_several_true_groups, 0);
    assert!(close(scores.ari, 1.0));
}
