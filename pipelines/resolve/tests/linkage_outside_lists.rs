//! `orca link-records` on lists as other systems write them (issue 17), each written by hand:
//! compact and month-first dates, impossible values, several inputs, blocking on a column that is
//! not compared, codes and plain strings, value maps, and linking two lists one-to-one.

use orca_resolve::linkage::{self, LinkageConfig, LinkageError, LinkageOutput, Row, ScoredPair};

/// Rows from CSV text (header first); `input` numbers the list.
fn list(input: u32, text: &str) -> (Vec<String>, Vec<Row>) {
    let mut lines = text.trim().lines().map(str::trim);
    let header = lines.next().unwrap().split(',').map(str::to_owned).collect();
    let rows = lines
        .enumerate()
        .map(|(i, line)| Row { input, line: i as u64 + 2, fields: line.split(',').map(str::to_owned).collect() })
        .collect();
    (header, rows)
}

fn config(json: &str) -> LinkageConfig {
    LinkageConfig::from_json(json).expect("a valid config")
}

fn link(config: &LinkageConfig, header: &[String], rows: &[Row]) -> LinkageOutput {
    linkage::link(config, header, rows, true).expect("links")
}

/// The scored pair of records `a` and `b`, either way round.
fn pair<'a>(output: &'a LinkageOutput, a: &str, b: &str) -> &'a ScoredPair {
    output
        .pairs
        .iter()
        .find(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
        .unwrap_or_else(|| panic!("no scored pair {a}-{b}: {:#?}", output.pairs))
}

/// The level a pair reached on `column`, if the column counted.
fn level<'a>(pair: &'a ScoredPair, column: &str) -> Option<&'a str> {
    pair.evidence.iter().find(|e| e.column == column).map(|e| e.level.as_str())
}

fn cluster<'a>(output: &'a LinkageOutput, id: &str) -> &'a str {
    &output.clusters.iter().find(|(record, _)| record == id).expect("a clustered record").1
}

const PEOPLE: &str = "
    id,first_name,surname,dob,sex,region
    1,john,smith,1956-04-09,M,north
    2,john,smith,19560409,male,north
    3,mary,jones,1971-11-30,F,south
    4,mary,jones,30/11/1971,female,south
    5,ahmed,khan,1988-02-14,M,east
    6,ahmed,khan,14.02.1988,M,east
    7,susan,brown,1945-04-93,F,west
    8,susan,brown,1945-04-23,F,west
    9,peter,wilson,1990-07-01,M,north
    10,karen,hall,1963-09-19,F,south";

/// Every pair is reported, so each test can read the level a pair reached.
const REPORT_ALL: &str = r#""report_probability": 0, "random_pairs": 10000"#;

/// Names and date of birth compared, blocked on surname, every pair reported.
fn names_and_dob() -> LinkageConfig {
    config(&format!(
        r#"{{ "id_column": "id", {REPORT_ALL},
             "columns": [ {{ "name": "first_name", "kind": "name" }}, {{ "name": "surname", "kind": "name" }},
                          {{ "name": "dob", "kind": "date" }} ],
             "blocking_rules": [ ["surname"] ] }}"#
    ))
}

#[test]
fn compact_and_day_first_dates_are_read_as_the_same_date() {
    let (header, rows) = list(0, PEOPLE);
    let output = link(&names_and_dob(), &header, &rows);
    assert_eq!(level(pair(&output, "1", "2"), "dob"), Some("exact"), "19560409 is 1956-04-09");
    assert_eq!(level(pair(&output, "3", "4"), "dob"), Some("exact"), "30/11/1971 is 1971-11-30");
    assert_eq!(level(pair(&output, "5", "6"), "dob"), Some("exact"), "14.02.1988 is 1988-02-14");
}

#[test]
fn a_column_format_reads_month_first_dates_and_a_bad_format_is_refused() {
    let (header, rows) = list(
        0,
        "
        id,surname,dob
        a,smith,04/09/1956
        b,smith,1956-04-09
        c,smith,04/10/1956",
    );
    let with_format = |format: &str| {
        LinkageConfig::from_json(&format!(
            r#"{{ "id_column": "id", {REPORT_ALL},
                 "columns": [ {{ "name": "surname", "kind": "name" }}, {{ "name": "dob", "kind": "date", "format": "{format}" }} ],
                 "blocking_rules": [ ["surname"] ] }}"#
        ))
        .unwrap()
    };
    // Without a format 04/09/1956 is the 4th of September; with `%m/%d/%Y` it is the 9th of April.
    let output = link(&with_format("%m/%d/%Y"), &header, &rows);
    assert_eq!(output.unreadable.len(), 1, "1956-04-09 does not fit the format: {:?}", output.unreadable);
    assert_eq!(level(pair(&output, "a", "c"), "dob"), Some("year-and-month"));
    let error = linkage::link(&with_format("%d/%m"), &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("column `dob`: date format `%d/%m` has no year"), "{error}");
    let mut on_a_name = with_format("%Y");
    on_a_name.columns[0].format = Some("%Y".into());
    let error = linkage::link(&on_a_name, &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("only a date column takes a `format`"), "{error}");
}

#[test]
fn an_impossible_date_is_reported_with_its_line_and_compared_as_missing() {
    let (header, rows) = list(0, PEOPLE);
    let output = link(&names_and_dob(), &header, &rows);
    assert_eq!(output.unreadable.len(), 1, "{:?}", output.unreadable);
    let bad = &output.unreadable[0];
    assert_eq!((bad.input, bad.line, bad.column.as_str(), bad.value.as_str()), (0, 8, "dob", "1945-04-93"));
    assert!(bad.reason.contains("not a real date"), "{}", bad.reason);
    // The run went on: every record is clustered, and the pair compares names only.
    assert_eq!(output.clusters.len(), rows.len());
    let susan = pair(&output, "7", "8");
    assert_eq!(level(susan, "dob"), None, "{susan:?}");
    assert_eq!(level(susan, "surname"), Some("exact"));
}

#[test]
fn a_blocking_rule_may_use_a_column_that_is_not_compared() {
    let (header, rows) = list(0, PEOPLE);
    let config = config(&format!(
        r#"{{ "id_column": "id", {REPORT_ALL},
             "columns": [ {{ "name": "first_name", "kind": "name" }}, {{ "name": "dob", "kind": "date" }} ],
             "blocking_rules": [ ["region"], ["surname:initial", "dob:year"] ] }}"#
    ));
    let output = link(&config, &header, &rows);
    // `region` groups 1, 2 and 9 in the north: three pairs, one of them two strangers.
    let north = pair(&output, "1", "9");
    assert!(north.evidence.iter().all(|e| e.column != "region"), "region is not compared: {north:?}");
    assert_eq!(level(pair(&output, "1", "2"), "first_name"), Some("exact"));
    // Unknown columns are still refused, naming the header.
    let mut bad = config.clone();
    bad.blocking_rules = vec![vec!["county".into()]];
    let error = linkage::link(&bad, &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("`county`, which is not in the header (id, first_name"), "{error}");
}

#[test]
fn codes_compare_by_edits_and_strings_by_jaro_winkler_without_name_logic() {
    let (header, rows) = list(
        0,
        "
        id,custody,alias,area
        a,AB 123456,robert,x
        b,ab123465,bob,x
        c,AB12345,roberta,x
        d,AB124356X,rob,x
        e,ZZ999999,robert,x",
    );
    let config = config(&format!(
        r#"{{ "id_column": "id", {REPORT_ALL},
             "columns": [ {{ "name": "custody", "kind": "code" }}, {{ "name": "alias", "kind": "string" }} ],
             "blocking_rules": [ ["area"] ] }}"#
    ));
    let output = link(&config, &header, &rows);
    let custody = |a, b| level(pair(&output, a, b), "custody");
    assert_eq!(
        custody("a", "b"),
        Some("damerau-levenshtein-1"),
        "a transposition is one edit; case and spaces do not count"
    );
    assert_eq!(custody("a", "c"), Some("damerau-levenshtein-1"), "a missing digit is one edit");
    assert_eq!(custody("a", "d"), Some("damerau-levenshtein-2"));
    assert_eq!(custody("a", "e"), Some("different"));
    let alias = |a, b| level(pair(&output, a, b), "alias");
    assert_eq!(alias("a", "e"), Some("exact"));
    assert_eq!(alias("a", "c"), Some("jaro-winkler-0.9"));
    assert_eq!(alias("a", "b"), Some("different"), "a string has no nicknames: bob is not robert");
    assert_eq!(alias("a", "d"), Some("jaro-winkler-0.7"));
}

#[test]
fn a_value_map_makes_m_and_male_equal() {
    let (header, rows) = list(0, PEOPLE);
    let json = |values: &str| {
        format!(
            r#"{{ "id_column": "id", {REPORT_ALL},
                 "columns": [ {{ "name": "surname", "kind": "name" }}, {{ "name": "sex", "kind": "exact"{values} }} ],
                 "blocking_rules": [ ["surname"] ] }}"#
        )
    };
    let without = link(&config(&json("")), &header, &rows);
    assert_eq!(level(pair(&without, "1", "2"), "sex"), Some("different"));
    let with = link(&config(&json(r#", "values": { "M": "male", " f ": "female" }"#)), &header, &rows);
    assert_eq!(level(pair(&with, "1", "2"), "sex"), Some("equal"), "M is male");
    assert_eq!(level(pair(&with, "3", "4"), "sex"), Some("equal"), "F is female");
    let twice = LinkageConfig::from_json(&json(r#", "values": { "M": "male", "m ": "man" }"#)).unwrap();
    let error = linkage::link(&twice, &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("lists `m` twice"), "{error}");
}

const CUSTODY: &str = "
    id,first_name,surname,dob,town
    c1,john,smith,1956-04-09,leeds
    c2,jon,smith,1956-04-09,leeds
    c3,mary,jones,1971-11-30,york
    c4,ahmed,khan,1988-02-14,hull
    c5,peter,wilson,1990-07-01,leeds
    c6,karen,hall,1963-09-19,york";
const BANNED: &str = "
    id,first_name,surname,dob,town
    b1,john,smith,1956-04-09,leeds
    b2,mary,jones,1971-11-30,york
    b3,ahmed,khan,1988-02-14,hull
    b4,susan,brown,1945-04-23,hull
    b5,karen,hall,1963-09-19,york";

fn two_lists() -> (Vec<String>, Vec<Row>) {
    let (header, mut rows) = list(0, CUSTODY);
    rows.extend(list(1, BANNED).1);
    (header, rows)
}

const PEOPLE_CONFIG: &str = r#""columns": [ { "name": "first_name", "kind": "name" }, { "name": "surname", "kind": "name" },
                  { "name": "dob", "kind": "date" } ],
     "blocking_rules": [ ["surname"], ["dob"] ]"#;

#[test]
fn one_to_one_links_each_record_to_at_most_one_of_the_other_list_best_first() {
    let (header, rows) = two_lists();
    let many = link(&config(&format!(r#"{{ "id_column": "id", {PEOPLE_CONFIG} }}"#)), &header, &rows);
    assert_eq!(cluster(&many, "c1"), cluster(&many, "b1"));
    assert_eq!(cluster(&many, "c2"), cluster(&many, "b1"), "many-to-many: John and Jon both join b1");

    let one = link(
        &config(&format!(r#"{{ "id_column": "id", "one_to_one": true, {REPORT_ALL}, {PEOPLE_CONFIG} }}"#)),
        &header,
        &rows,
    );
    // John and Jon Smith both score above the link probability with b1; b1 takes the better.
    let with_b1 = |c: &str| pair(&one, c, "b1").probability;
    assert!(with_b1("c1") >= 0.9 && with_b1("c2") >= 0.9, "{} {}", with_b1("c1"), with_b1("c2"));
    let (better, worse) = if with_b1("c1") >= with_b1("c2") { ("c1", "c2") } else { ("c2", "c1") };
    assert_eq!(cluster(&one, better), cluster(&one, "b1"), "the better match links");
    assert_ne!(cluster(&one, worse), cluster(&one, "b1"), "b1 is taken: {:?}", one.clusters);
    assert_eq!(cluster(&one, worse), worse, "and the worse stays alone");
    assert!(one.stats.links_taken_by_better >= 1, "{:?}", one.stats);
    for (c, b) in [("c3", "b2"), ("c4", "b3"), ("c6", "b5")] {
        assert_eq!(cluster(&one, c), cluster(&one, b));
    }
    assert!(
        one.pairs.iter().all(|p| p.a.starts_with('c') != p.b.starts_with('c')),
        "only the lists' pairs are compared"
    );
    let mut sizes = std::collections::HashMap::<&str, usize>::new();
    for (_, cluster) in &one.clusters {
        *sizes.entry(cluster).or_default() += 1;
    }
    assert!(sizes.values().all(|&size| size <= 2), "{:?}", one.clusters);
}

#[test]
fn one_to_one_needs_two_lists_and_row_errors_name_their_list() {
    let (header, rows) = list(0, CUSTODY);
    let config = config(&format!(r#"{{ "id_column": "id", "one_to_one": true, {PEOPLE_CONFIG} }}"#));
    let error = linkage::link(&config, &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("one_to_one links two lists, but the input has 1"), "{error}");
    let (header, mut rows) = two_lists();
    rows[8].fields[0] = "b1".into();
    let error = linkage::link(&config, &header, &rows, false).unwrap_err();
    assert_eq!(error, LinkageError::Row { input: 1, line: 4, message: "duplicate id `b1`".into() });
}

#[test]
fn training_and_prior_rules_are_set_as_splink_sets_them() {
    let (header, rows) = list(0, PEOPLE);
    let mut config = names_and_dob();
    config.training_rules = vec![vec!["dob".into()]];
    config.prior_rules = vec![vec!["surname".into(), "dob".into()]];
    config.prior_recall = 0.5;
    let output = link(&config, &header, &rows);
    // Pairs 1-2, 3-4 and 5-6 agree on surname and date of birth (7's date cannot be read): three
    // pairs, half the matches, of 45.
    assert!((output.stats.prior - 6.0 / 45.0).abs() < 1e-12, "{:?}", output.stats);
    let estimated: Vec<(&str, bool)> = output.model.iter().map(|m| (m.column.as_str(), m.m_estimated)).collect();
    assert_eq!(
        estimated,
        [("first_name", true), ("surname", true), ("dob", false)],
        "dob is the training rule's own column"
    );
    config.prior_recall = 0.0;
    let error = linkage::link(&config, &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("prior_recall must be in (0, 1]"), "{error}");
}

#[test]
fn names_written_the_wrong_way_round_are_compared_crosswise_when_swappable() {
    let (header, rows) = list(
        0,
        "
        id,first_name,surname,dob,town
        1,ryan,jack,1956-04-09,leeds
        2,jack,ryan,1956-04-09,leeds
        3,jack,smith,1956-04-09,leeds
        4,mary,jones,1971-11-30,york",
    );
    let json = |swappable: &str| {
        format!(
            r#"{{ "id_column": "id", {REPORT_ALL}{swappable},
                 "columns": [ {{ "name": "first_name", "kind": "name" }}, {{ "name": "surname", "kind": "name" }},
                              {{ "name": "dob", "kind": "date" }} ],
                 "blocking_rules": [ ["town"] ] }}"#
        )
    };
    let straight = link(&config(&json("")), &header, &rows);
    assert_eq!(level(pair(&straight, "1", "2"), "first_name"), Some("different"));
    let crosswise = link(&config(&json(r#", "swappable": [["first_name", "surname"]]"#)), &header, &rows);
    let swapped = pair(&crosswise, "1", "2");
    assert_eq!(
        (level(swapped, "first_name"), level(swapped, "surname")),
        (Some("exact"), Some("exact")),
        "{swapped:?}"
    );
    assert_eq!(level(swapped, "first_name+surname"), Some("name-order-swapped"));
    let penalty = swapped.evidence.iter().find(|e| e.column == "first_name+surname").unwrap().weight;
    assert!(penalty < 0.0 && penalty > -1.0, "a swap costs a little: {penalty}");
    let total: f64 = swapped.evidence.iter().map(|e| e.weight).sum();
    assert!((total - swapped.weight).abs() < 1e-9, "the explanation adds up");
    // Only one name agreeing crosswise (ryan jack, jack smith) is no swap.
    assert_eq!(level(pair(&crosswise, "1", "3"), "first_name+surname"), None);
    for (swappable, message) in [
        (r#"[["first_name", "dob"]]"#, "`dob`, which is not a `name` column"),
        (r#"[["first_name", "first_name"]]"#, "two different columns"),
        (r#"[["first_name", "town"]]"#, "`town`, which is not a compared column"),
    ] {
        let bad = LinkageConfig::from_json(&json(&format!(r#", "swappable": {swappable}"#))).unwrap();
        let error = linkage::link(&bad, &header, &rows, false).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
}

#[test]
fn prior_rules_leave_out_blocks_too_large_and_rules_are_bounded() {
    let (header, rows) = list(0, PEOPLE);
    let mut config = names_and_dob();
    // Regions north and south hold three records each, east and west two: with blocks of at most
    // two, only east's and west's pairs count.
    config.max_block_size = 2;
    config.prior_rules = vec![vec!["region".into()]];
    let output = link(&config, &header, &rows);
    assert!((output.stats.prior - 2.0 / 45.0).abs() < 1e-12, "{:?}", output.stats);
    config.training_rules = vec![vec!["dob".into()]; 65];
    let error = linkage::link(&config, &header, &rows, false).unwrap_err();
    assert!(error.to_string().contains("at most 64 training rules, got 65"), "{error}");
}
