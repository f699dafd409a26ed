use super::*;
use crate::scores::close;

fn group(id: &str, members: &[&str], forces: &[&str]) -> Group {
    Group {
        id: id.into(),
        members: members.iter().map(|m| m.to_string()).collect(),
        forces: forces.iter().map(|f| f.to_string()).collect(),
    }
}

/// Predicted person `p<x>` is true person `<x>`.
fn identity_map(true_ids: &[&str]) -> HashMap<String, String> {
    true_ids.iter().map(|id| (format!("p{id}"), id.to_string())).collect()
}

fn predicted(members: &[&str]) -> Vec<String> {
    members.iter().map(|m| format!("p{m}")).collect()
}

fn detected(id: &str, members: &[&str], forces: &[&str]) -> Group {
    Group { members: predicted(members), ..group(id, &[], forces) }
}

#[test]
fn detecting_the_true_groups_scores_one() {
    let truth = [group("t1", &["a", "b", "c"], &["kent", "essex"]), group("t2", &["d", "e"], &["kent"])];
    let found = [detected("x", &["d", "e"], &["kent"]), detected("y", &["a", "b", "c"], &["essex", "kent"])];
    let report = evaluate_groups(&truth, &found, &identity_map(&["a", "b", "c", "d", "e"])).unwrap();
    assert_eq!((report.precision, report.recall, report.f1), (1.0, 1.0, 1.0));
    assert_eq!(report.matches[0].matched, Some(DetectedMatch { detected_group: "y".into(), jaccard: 1.0 }));
    assert_eq!(report.cross_border.share, 1.0);
    assert_eq!(report.cross_border.true_cross_border_groups, 1);
    assert!(close(report.membership.ari, 1.0));
}

/// T1 {a,b,c,d} hit kent and essex; T2 {e,f,g} hit surrey; T3 {h,i} hit kent and sussex.
/// D1 {a,b,c} lists kent, essex, norfolk; D2 {e,x}; D3 {h,i,j} lists kent; D4 repeats D1.
fn mixed_case() -> GroupsReport {
    let truth = [
        group("t1", &["a", "b", "c", "d"], &["kent", "essex"]),
        group("t2", &["e", "f", "g"], &["surrey"]),
        group("t3", &["h", "i"], &["kent", "sussex", "kent"]),
    ];
    let found = [
        detected("d1", &["a", "b", "c"], &["kent", "essex", "norfolk"]),
        detected("d2", &["e", "x"], &["surrey"]),
        detected("d3", &["h", "i", "j"], &["kent"]),
        detected("d4", &["c", "b", "a"], &["kent", "essex"]),
    ];
    let map = identity_map(&["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "x"]);
    evaluate_groups(&truth, &found, &map).unwrap()
}

#[test]
fn each_true_group_gets_its_best_detected_group_by_jaccard() {
    let report = mixed_case();
    let best: Vec<(String, f64)> = report
        .matches
        .iter()
        .map(|m| m.best.as_ref().map(|b| (b.detected_group.clone(), b.jaccard)).unwrap())
        .collect();
    // T1-D1: 3 shared / 4 in union. T1-D4 ties at 3/4 and loses to the smaller id.
    // T2-D2: 1 shared (e) / (3 + 2 - 1) = 1/4. T3-D3: 2 / (2 + 3 - 2) = 2/3.
    assert_eq!(best, vec![("d1".into(), 0.75), ("d2".into(), 0.25), ("d3".into(), 2.0 / 3.0)]);
    let matched: Vec<Option<&str>> =
        report.matches.iter().map(|m| m.matched.as_ref().map(|d| d.detected_group.as_str())).collect();
    assert_eq!(matched, vec![Some("d1"), None, Some("d3")]);
}

#[test]
fn a_duplicate_detection_is_credited_once() {
    let report = mixed_case();
    // Matched 2 (T1-D1, T3-D3) of 4 detected and 3 true groups; D4 repeats D1 but T1 is taken.
    assert_eq!((report.true_groups, report.detected_groups, report.matched), (3, 4, 2));
    assert!(close(report.precision, 0.5));
    assert!(close(report.recall, 2.0 / 3.0));
    // F1 = 2 (1/2)(2/3) / (1/2 + 2/3) = 4/7.
    assert!(close(report.f1, 4.0 / 7.0));
}

#[test]
fn a_cross_border_group_counts_only_when_every_force_it_hit_is_listed() {
    let report = mixed_case();
    // T1 and T3 are cross-border (T3 lists kent twice: two distinct forces). D1 lists both of T1's
    // forces; D3 lists kent but not sussex.
    let cross = &report.cross_border;
    assert_eq!((cross.true_cross_border_groups, cross.detected_with_all_forces), (2, 1));
    assert!(close(cross.share, 0.5));
    assert_eq!(report.matches[0].all_forces_listed, Some(true));
    assert_eq!(report.matches[2].all_forces_listed, Some(false));
    assert_eq!(report.matches[2].forces_hit, vec!["kent".to_string(), "sussex".to_string()]);
    // Listed forces of matched groups: D1 lists 3 of which 2 were hit, D3 lists 1 that was: 3/4.
    assert!(close(cross.listed_force_precision, 0.75));
}

#[test]
fn members_unknown_to_the_truth_still_count_in_the_union() {
    let truth = [group("t", &["a", "b"], &[])];
    let mut found = detected("d", &["a", "b"], &[]);
    found.members.push("ghost".into());
    let report = evaluate_groups(&truth, &[found], &identity_map(&["a", "b"])).unwrap();
    // 2 shared / (2 + 3 - 2) = 2/3.
    assert!(close(report.matches[0].best.as_ref().unwrap().jaccard, 2.0 / 3.0));
    assert_eq!(report.unmapped_detected_members, 1);
    assert_eq!(report.membership.persons, 3);
}

#[test]
fn a_merged_predicted_person_stands_for_one_true_person_only() {
    // Predicted `pab` merged a and b and maps to a; the detected group {pab, pc} holds {a, c}.
    let truth = [group("t", &["a", "b", "c"], &[])];
    let found = [group("d", &["pab", "pc"], &[])];
    let map: HashMap<String, String> = [("pab", "a"), ("pc", "c")].map(|(p, t)| (p.into(), t.into())).into();
    let report = evaluate_groups(&truth, &found, &map).unwrap();
    assert!(close(report.matches[0].best.as_ref().unwrap().jaccard, 2.0 / 3.0));
}

#[test]
fn detecting_nothing_recalls_nothing() {
    let truth = [group("t1", &["a", "b", "c"], &["kent", "essex"]), group("t2", &["d", "e"], &["kent"])];
    let report = evaluate_groups(&truth, &[], &HashMap::new()).unwrap();
    assert_eq!((report.precision, report.recall, report.f1), (1.0, 0.0, 0.0));
    assert_eq!((report.cross_border.true_cross_border_groups, report.cross_border.share), (1, 0.0));
    assert!(close(report.membership.ari, 0.0));
    assert!(report.matches.iter().all(|m| m.best.is_none() && m.all_forces_listed.is_none()));
}

#[test]
fn below_the_threshold_is_not_a_match_and_the_threshold_itself_is() {
    // T {a,b,c,d}; D1 {a,b} has 2/4 = 0.5, a match. T2 {e,f,g,h}; D2 {e,f,g,h,i,j,k,l,m} has 4/9.
    let truth = [group("t1", &["a", "b", "c", "d"], &[]), group("t2", &["e", "f", "g", "h"], &[])];
    let found = [detected("d1", &["a", "b"], &[]), detected("d2", &["e", "f", "g", "h", "i", "j", "k", "l", "m"], &[])];
    let map = identity_map(&["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]);
    let report = evaluate_groups(&truth, &found, &map).unwrap();
    assert!(report.matches[0].matched.is_some());
    assert!(report.matches[1].matched.is_none());
    assert!(close(report.matches[1].best.as_ref().unwrap().jaccard, 4.0 / 9.0));
}

#[test]
fn malformed_groups_are_errors() {
    let twice = [group("t", &["a"], &[]), group("t", &["b"], &[])];
    assert_eq!(
        evaluate_groups(&twice, &[], &HashMap::new()).unwrap_err(),
        EvalError::DuplicateGroup { side: Side::Truth, id: "t".into() }
    );
    assert_eq!(
        evaluate_groups(&[], &twice, &HashMap::new()).unwrap_err(),
        EvalError::DuplicateGroup { side: Side::Prediction, id: "t".into() }
    );
    let empty = [group("t", &[], &["kent"])];
    assert_eq!(
        evaluate_groups(&empty, &[], &HashMap::new()).unwrap_err(),
        EvalError::EmptyTrueGroup { id: "t".into() }
    );
}

#[test]
fn no_cross_border_truth_is_a_vacuous_share_with_a_zero_count() {
    let truth = [group("t", &["a", "b"], &["kent"])];
    let report = evaluate_groups(&truth, &[detected("d", &["a", "b"], &["kent"])], &identity_map(&["a", "b"])).unwrap();
    assert_eq!((report.cross_border.true_cross_border_groups, report.cross_border.share), (0, 1.0));
}
