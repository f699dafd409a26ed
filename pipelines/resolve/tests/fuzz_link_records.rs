//! Generated lists against `orca link-records`' pipeline (every column kind): a run ends with
//! clusters or an error naming a line; nothing panics.

use orca_resolve::linkage::{LinkageConfig, Row, link};
use proptest::prelude::*;

fn config() -> LinkageConfig {
    serde_json::from_str(
        r#"{
          "id_column": "id",
          "columns": [
            { "name": "first_name", "kind": "name" },
            { "name": "surname", "kind": "name" },
            { "name": "dob", "kind": "date" },
            { "name": "sex", "kind": "exact" },
            { "name": "postcode", "kind": "postcode" },
            { "name": "address", "kind": "text" },
            { "name": "amount", "kind": "numeric" }
          ],
          "blocking_rules": [["surname"], ["dob"], ["postcode", "surname:initial"]]
        }"#,
    )
    .expect("a valid config")
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,16}",
        "[A-Z][a-z]{1,8}",
        "(19|20)[0-9]{2}-[0-1][0-9]-[0-3][0-9]|[0-9]{8}|[0-3][0-9]/[0-1][0-9]/[0-9]{4}",
        "[A-Z]{1,2}[0-9]{1,2} ?[0-9][A-Z]{2}",
        "-?[0-9]{0,6}(\\.[0-9]{0,3})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_list_links_or_names_the_bad_line(rows in prop::collection::vec(prop::collection::vec(cell(), 7), 0..25)) {
        let header: Vec<String> =
            ["id", "first_name", "surname", "dob", "sex", "postcode", "address", "amount"].map(String::from).to_vec();
        let rows: Vec<Row> = rows
            .into_iter()
            .enumerate()
            .map(|(index, cells)| Row {
                line: index as u64 + 2,
                fields: std::iter::once(format!("r{index}")).chain(cells).collect(),
            })
            .collect();
        match link(&config(), &header, &rows, true) {
            Ok(output) => prop_assert_eq!(output.stats.records, rows.len()),
            Err(error) => prop_assert!(error.to_string().contains("line"), "{}", error),
        }
    }
}
