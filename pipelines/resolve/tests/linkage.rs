//! Batch linking of tabular records (`orca link-records`).

use orca_resolve::linkage::{self, ColumnConfig, ColumnKind, LinkageConfig, LinkageError, Row};

fn header() -> Vec<String> {
    ["id", "first_name", "surname", "dob", "sex", "postcode"].iter().map(|s| s.to_string()).collect()
}

fn config() -> LinkageConfig {
    let column = |name: &str, kind| ColumnConfig::new(name, kind);
    LinkageConfig {
        id_column: "id".into(),
        columns: vec![
            column("first_name", ColumnKind::Name),
            column("surname", ColumnKind::Name),
            column("dob", ColumnKind::Date),
            column("sex", ColumnKind::Exact),
            column("postcode", ColumnKind::Postcode),
        ],
        blocking_rules: vec![
            vec!["surname:phonetic".into(), "dob:year".into()],
            vec!["first_name:phonetic".into(), "surname:phonetic".into()],
            vec!["dob".into()],
            vec!["postcode".into(), "first_name:initial".into()],
        ],
        random_pairs: 200_000,
        ..Default::default()
    }
}

const GIVEN: &[&str] = &[
    "james", "oliver", "amelia", "isla", "harry", "ava", "jack", "mia", "noah", "emily", "leo", "grace", "oscar",
    "freya", "arthur", "lily",
];
const FAMILY: &[&str] = &[
    "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "patel", "wright", "walker",
    "khan", "evans", "thomas", "roberts", "green", "hall", "wood", "hughes", "clarke",
];

/// People, most with one record and some with a second, noisy one.
fn rows(people: usize) -> (Vec<Row>, Vec<usize>) {
    let mut generator = orca_model::hash::SplitMix64::new(12345);
    let mut next = |n: usize| generator.below(n as u64) as usize;
    let mut out = Vec::new();
    let mut truth = Vec::new();
    for p in 0..people {
        let given = GIVEN[next(GIVEN.len())];
        let family = FAMILY[next(FAMILY.len())];
        let dob = format!("{}-{:02}-{:02}", 1950 + next(50), 1 + next(12), 1 + next(28));
        let sex = if next(2) == 0 { "M" } else { "F" };
        let postcode = format!("B{} {}A{}", 1 + next(30), next(10), ["B", "D", "E", "F"][next(4)]);
        let copies = if next(3) == 0 { 2 } else { 1 };
        for copy in 0..copies {
            let mut family = family.to_owned();
            let mut dob = dob.clone();
            if copy == 1 {
                match next(3) {
                    0 => family.insert(2, 'e'),
                    1 => dob = format!("{}-{}", &dob[..4], "01-01"),
                    _ => {}
                }
            }
            let line = out.len() as u64 + 2;
            out.push(Row {
                input: 0,
                line,
                fields: vec![format!("r{}", out.len()), given.into(), family, dob, sex.into(), postcode.clone()],
            });
            truth.push(p);
        }
    }
    (out, truth)
}

#[test]
fn deduplicates_noisy_records_without_merging_strangers() {
    let (rows, truth) = rows(3000);
    let output = linkage::link(&config(), &header(), &rows, true).expect("links");
    assert_eq!(output.clusters.len(), rows.len());
    let cluster_of: Vec<&str> = output.clusters.iter().map(|(_, c)| c.as_str()).collect();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for i in 0..rows.len() {
        for j in 0..i {
            let same_truth = truth[i] == truth[j];
            let same_cluster = cluster_of[i] == cluster_of[j];
            match (same_truth, same_cluster) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    assert!(precision > 0.95 && recall > 0.9, "precision {precision}, recall {recall}, {:?}", output.stats);
    // Explanations: every reported pair lists its columns, and the weights add up.
    let pair = &output.pairs[0];
    let total: f64 = pair.evidence.iter().map(|e| e.weight).sum();
    assert!((total - pair.weight).abs() < 1e-6);
    assert!(pair.evidence.iter().any(|e| e.column == "dob"));
    // The model was estimated: agreeing on date of birth is far likelier for matches.
    let dob = output.model.iter().find(|m| m.column == "dob").unwrap();
    assert!(dob.m_estimated && dob.m[0] > 0.5 && dob.u[0] < 0.01, "{:#?}", output.model);
}

#[test]
fn bad_configs_are_explained() {
    let mut bad = config();
    bad.id_column = "ref".into();
    let error = linkage::link(&bad, &header(), &[], false).unwrap_err();
    assert!(matches!(&error, LinkageError::Config(m) if m.contains("`ref`")), "{error}");
    let mut bad = config();
    bad.blocking_rules = vec![vec!["surname:soundex".into()]];
    let error = linkage::link(&bad, &header(), &[], false).unwrap_err();
    assert!(error.to_string().contains("unknown transform `soundex`"), "{error}");
    let error =
        LinkageConfig::from_json(r#"{"id_column": "id", "columns": [{"name": "x", "kind": "fuzzy"}]}"#).unwrap_err();
    assert!(error.to_string().contains("fuzzy"), "{error}");
    for (joint, message) in [
        (vec![["postcode", "address"]], "`address`, which is not a compared column"),
        (vec![["postcode", "postcode"]], "two different columns"),
        (vec![["postcode", "sex"], ["dob", "postcode"]], "`postcode` is in more than one joint"),
    ] {
        let mut bad = config();
        bad.joint = joint.into_iter().map(|[a, b]| [a.to_owned(), b.to_owned()]).collect();
        let error = linkage::link(&bad, &header(), &[], false).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[test]
fn a_joint_comparison_is_estimated_explained_and_adds_up() {
    let (rows, _) = rows(3000);
    let mut joint = config();
    joint.joint = vec![["sex".into(), "postcode".into()]];
    let output = linkage::link(&joint, &header(), &rows, true).expect("links");
    let model = &output.joint_model[0];
    assert_eq!(model.columns, ["sex".to_owned(), "postcode".to_owned()]);
    assert_eq!(model.levels.len(), 2 * 5);
    assert_eq!(model.levels[0], "equal+exact");
    assert!((model.m.iter().sum::<f64>() - 1.0).abs() < 1e-6 && (model.u.iter().sum::<f64>() - 1.0).abs() < 1e-6);
    let pair =
        output.pairs.iter().find(|p| p.evidence.iter().any(|e| e.column == "sex+postcode")).expect("a joint pair");
    let total: f64 = pair.evidence.iter().map(|e| e.weight).sum();
    assert!((total - pair.weight).abs() < 1e-6);
    assert!(!pair.evidence.iter().any(|e| e.column == "sex" || e.column == "postcode"), "{pair:?}");
    // Without it the same records link as well (the test data's columns are independent).
    let alone = linkage::link(&config(), &header(), &rows, false).expect("links");
    let differing = output.clusters.iter().zip(&alone.clusters).filter(|(a, b)| a.1 != b.1).count();
    assert!(differing < rows.len() / 50, "{differing} records clustered differently");
}

#[test]
fn malformed_rows_name_their_line_and_unreadable_values_do_not_stop_the_run() {
    let mut rows = rows(10).0;
    rows[3].fields.pop();
    let error = linkage::link(&config(), &header(), &rows, false).unwrap_err();
    assert_eq!(error, LinkageError::Row { input: 0, line: 5, message: "expected 6 fields, found 5".into() });
    let mut rows = self::rows(10).0;
    rows[2].fields[3] = "31/02/1990".into();
    let output = linkage::link(&config(), &header(), &rows, false).expect("links");
    assert_eq!(output.clusters.len(), rows.len());
    let [bad] = output.unreadable.as_slice() else { panic!("{:?}", output.unreadable) };
    assert_eq!((bad.line, bad.column.as_str(), bad.value.as_str()), (4, "dob", "31/02/1990"));
}
