//! Generated lists against `orca link-records`' pipeline (every column kind, and a column only a
//! blocking rule names): every run ends with clusters, values a kind cannot read are reported with
//! their line and compared as missing, and nothing panics.

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
            { "name": "amount", "kind": "numeric" },
            { "name": "phone", "kind": "code" },
            { "name": "town", "kind": "string", "values": { "Brum": "Birmingham" } }
          ],
          "blocking_rules": [["surname"], ["dob"], ["postcode", "surname:initial"], ["region", "town:first3"]]
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
    fn any_list_links_and_reports_what_it_could_not_read(rows in prop::collection::vec(prop::collection::vec(cell(), 10), 0..25)) {
        let header: Vec<String> =
            ["id", "first_name", "surname", "dob", "sex", "postcode", "address", "amount", "phone", "town", "region"]
                .map(String::from)
                .to_vec();
        let rows: Vec<Row> = rows
            .into_iter()
            .enumerate()
            .map(|(index, cells)| Row {
                input: 0,
                line: index as u64 + 2,
                fields: std::iter::once(format!("r{index}")).chain(cells).collect(),
            })
            .collect();
        let output = link(&config(), &header, &rows, true);
        prop_assert!(output.is_ok(), "{:?}", output.err());
        let output = output.unwrap();
        prop_assert_eq!(output.stats.records, rows.len());
        prop_assert_eq!(output.clusters.len(), rows.len());
        for value in &output.unreadable {
            let row = rows.iter().find(|r| r.line == value.line);
            prop_assert!(row.is_some_and(|r| r.fields.iter().any(|f| f.trim() == value.value)), "{:?}", value);
            prop_assert!(["dob", "amount"].contains(&value.column.as_str()), "{:?}", value);
        }
    }
}
