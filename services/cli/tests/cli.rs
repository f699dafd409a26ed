//! The `orca` binary as a user runs it. Having an integration test here also makes
//! `cargo test --workspace` build `target/<profile>/orca`, which the end-to-end tests in `tests/` run.

use std::process::Command;

fn orca(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_orca")).args(args).output().expect("the orca binary runs")
}

#[test]
fn an_unknown_role_is_refused_with_the_roles_that_exist() {
    let output = orca(&["serve", "everything"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid value 'everything'"), "{stderr}");
    assert!(stderr.contains("[possible values: ingest, resolver, linker, intel, all]"), "{stderr}");
}

#[test]
fn eval_needs_to_be_told_where_the_results_are() {
    let output = orca(&["eval", "--truth", "truth"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--data-dir") && stderr.contains("--store"), "{stderr}");
}

/// The measuring loop as the README gives it: simulate, ingest into a data directory, evaluate.
#[test]
fn simulate_ingest_eval_scores_a_small_world() {
    let dir = std::env::temp_dir().join(format!("orca-cli-loop-{}", std::process::id()));
    let (world, data) = (dir.join("world"), dir.join("data"));
    let run = |args: &[&str]| {
        let output = orca(args);
        assert!(output.status.success(), "orca {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let (world_arg, data_arg) = (world.to_str().unwrap(), data.to_str().unwrap());
    run(&["simulate", "--seed", "5", "--incidents", "600", "--out", world_arg]);
    let incidents = world.join("incidents.jsonl");
    let ingested = run(&["ingest", incidents.to_str().unwrap(), "--data-dir", data_arg]);
    assert!(ingested.contains("accepted 600, duplicate 0, rejected 0"), "{ingested}");
    let truth = world.join("truth");
    let report = run(&["eval", "--truth", truth.to_str().unwrap(), "--data-dir", data_arg, "--json"]);
    let report: serde_json::Value = serde_json::from_str(&report).expect("`orca eval --json` prints JSON");
    for what in ["persons", "vehicles"] {
        for family in ["pairwise", "bcubed"] {
            for score in ["precision", "recall", "f1"] {
                let value = report[what][family][score].as_f64().unwrap_or(-1.0);
                assert!((0.0..=1.0).contains(&value), "{what}.{family}.{score} = {value}");
            }
        }
        assert!(report[what]["true_entities"].as_u64().unwrap_or(0) > 0, "{what}: {report:#}");
    }
    // Vehicles are mostly seen by plate, so ORCA joins many of them up.
    assert!(report["vehicles"]["pairwise"]["f1"].as_f64().unwrap() > 0.3, "{report:#}");
    for field in ["precision", "recall", "true_groups", "detected_groups"] {
        assert!(report["groups"][field].is_number(), "groups.{field}: {report:#}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

const PEOPLE: &str = "id,first_name,surname,dob,sex,postcode
1,John,Smith,1985-03-12,M,LS1 4AB
2,Jon,Smith,1985-03-12,M,LS1 4AB
3,John,Smith,1990-07-01,M,M1 2CD
4,Aisha,Khan,1992-11-30,F,B5 6EF
5,Aisha,Kahn,1992-11-30,F,B5 6EF
6,Robert,Jones,1978-01-05,M,CF10 1AA
7,Bob,Jones,1978-01-05,M,CF10 1AA
8,Mary,Evans,1960-06-06,F,SA1 1AA
";

const LINKAGE: &str = r#"{ "id_column": "id",
  "columns": [ { "name": "first_name", "kind": "name" }, { "name": "surname", "kind": "name" },
               { "name": "dob", "kind": "date" }, { "name": "sex", "kind": "exact" },
               { "name": "postcode", "kind": "postcode" } ],
  "blocking_rules": [ ["dob"], ["surname:phonetic"] ] }"#;

#[test]
fn link_records_joins_duplicates_explains_them_and_keeps_namesakes_apart() {
    let dir = std::env::temp_dir().join(format!("orca-cli-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(path("people.csv"), PEOPLE).unwrap();
    std::fs::write(path("config.json"), LINKAGE).unwrap();
    let link = |config: &str, input: &str, extra: &[&str]| {
        let (config, input, output) = (path(config), path(input), path("clusters.csv"));
        let mut args = vec!["link-records", "--config", &config, "--input", &input, "--output", &output];
        args.extend_from_slice(extra);
        orca(&args)
    };
    let pairs = path("pairs.csv");
    let output = link("config.json", "people.csv", &["--pairs", &pairs]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let clusters = std::fs::read_to_string(path("clusters.csv")).unwrap();
    let cluster: std::collections::HashMap<&str, &str> =
        clusters.lines().skip(1).filter_map(|line| line.split_once(',')).collect();
    assert_eq!(cluster.len(), 8, "{clusters}");
    assert_eq!(cluster["1"], cluster["2"], "Jon is John: {clusters}");
    assert_ne!(cluster["1"], cluster["3"], "a John Smith with another date of birth stays apart: {clusters}");
    assert_eq!(cluster["4"], cluster["5"], "{clusters}");
    assert_eq!(cluster["6"], cluster["7"], "Bob is Robert: {clusters}");
    assert_eq!(cluster.values().filter(|c| **c == cluster["8"]).count(), 1, "{clusters}");
    let pairs = std::fs::read_to_string(&pairs).unwrap();
    assert!(pairs.contains("first_name nickname-or-variant"), "each pair says why: {pairs}");

    std::fs::write(path("bad.csv"), "id,first_name\n1,a,b\n").unwrap();
    let output = link("config.json", "bad.csv", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("line 2"), "{stderr}");
    std::fs::write(
        path("bad.json"),
        r#"{"id_column":"id","columns":[{"name":"nope","kind":"name"}],"blocking_rules":[["nope"]]}"#,
    )
    .unwrap();
    let output = link("bad.json", "people.csv", &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("`nope` is not in the header"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The worked example of `docs/link-records.md`, run as written there: two lists as other systems
/// write them (compact and day-first dates, an impossible date, `M` and `male`, a spaced custody
/// number, a region only for blocking), linked one-to-one.
const CUSTODY: &str = "id,first_name,surname,dob,sex,custody_no,region
C1,John,Smith,19560409,M,AB123456,north
C2,Jon,Smith,19560409,M,AB123465,north
C3,Mary,Jones,30/11/1971,F,CD998877,south
C4,Ahmed,Khan,1945-04-93,M,EF445566,east
";
const BANNED: &str = "id,first_name,surname,dob,sex,custody_no,region
B1,John,Smith,1956-04-09,male,AB 123456,north
B2,Mary,Jones,1971-11-30,female,,south
B3,Ahmed,Khan,1945-04-23,male,EF445566,east
";
const ONE_TO_ONE: &str = r#"{
  "id_column": "id",
  "columns": [
    { "name": "first_name", "kind": "name" },
    { "name": "surname", "kind": "name" },
    { "name": "dob", "kind": "date" },
    { "name": "sex", "kind": "exact", "values": { "M": "male", "F": "female" } },
    { "name": "custody_no", "kind": "code" }
  ],
  "blocking_rules": [["surname"], ["dob"], ["custody_no"], ["region", "first_name:initial"]],
  "one_to_one": true
}"#;

#[test]
fn link_records_takes_lists_as_they_come_links_one_to_one_and_names_the_file_of_a_bad_line() {
    let dir = std::env::temp_dir().join(format!("orca-cli-lists-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(path("custody.csv"), CUSTODY).unwrap();
    std::fs::write(path("banned.csv"), BANNED).unwrap();
    std::fs::write(path("link.json"), ONE_TO_ONE).unwrap();
    let (config, output, unreadable) = (path("link.json"), path("clusters.csv"), path("unreadable.csv"));
    let (custody, banned) = (path("custody.csv"), path("banned.csv"));
    let run = orca(&[
        "link-records",
        "--config",
        &config,
        "--input",
        &custody,
        "--input",
        &banned,
        "--output",
        &output,
        "--unreadable",
        &unreadable,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 value could not be read as its column's kind and was compared as missing (1 in `dob`)"),
        "{stderr}"
    );
    let unreadable = std::fs::read_to_string(&unreadable).unwrap();
    assert!(
        unreadable.contains(&format!("{custody},5,dob,1945-04-93,`1945-04-93` is not a real date")),
        "{unreadable}"
    );
    let clusters = std::fs::read_to_string(&output).unwrap();
    let cluster: std::collections::HashMap<&str, &str> =
        clusters.lines().skip(1).filter_map(|line| line.split_once(',')).collect();
    assert_eq!(cluster.len(), 7, "{clusters}");
    assert_eq!(cluster["banned:B1"], "custody:C1", "the better of John and Jon: {clusters}");
    assert_eq!(cluster["custody:C2"], "custody:C2", "B1 is taken: {clusters}");
    assert_eq!(cluster["banned:B2"], "custody:C3", "{clusters}");
    assert_eq!(cluster["banned:B3"], "custody:C4", "an unreadable date does not keep C4 from B3: {clusters}");

    // Without a file for them, the unreadable values are printed with their file and line.
    let run =
        orca(&["link-records", "--config", &config, "--input", &custody, "--input", &banned, "--output", &output]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(&format!("`{custody}` line 5: column `dob`: `1945-04-93` is not a real date")), "{stderr}");

    // A malformed row of the second list names the second list.
    std::fs::write(path("banned.csv"), format!("{BANNED}B4,Susan,Brown\n")).unwrap();
    let run =
        orca(&["link-records", "--config", &config, "--input", &custody, "--input", &banned, "--output", &output]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && stderr.contains(&format!("`{banned}` line 5: expected 7 fields, found 3")),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `orca communities` on an analyst's edge list: two triangles joined by one edge are two
/// communities, also when the run stops once gains get small and with async moving; each quality's
/// default stopping rule is shown, and async moving's iteration limit; settings out of range are
/// refused.
#[test]
fn communities_splits_two_triangles_and_checks_the_minimum_gain() {
    let dir = std::env::temp_dir().join(format!("orca-cli-communities-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (edges, output) = (dir.join("edges.txt"), dir.join("communities.txt"));
    std::fs::write(&edges, "# a b c, then d e f\na b\nb c\nc a\nd e\ne f\nf d\nc d\n").unwrap();
    let (edges, output) = (edges.to_str().unwrap(), output.to_str().unwrap());
    let run =
        orca(&["communities", "--edges", edges, "--output", output, "--quality", "modularity", "--min-gain", "1e-5"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let lines = std::fs::read_to_string(output).unwrap();
    let community: std::collections::HashMap<&str, &str> = lines.lines().filter_map(|l| l.split_once(' ')).collect();
    assert_eq!(community.len(), 6, "{lines}");
    assert!(community["a"] == community["b"] && community["b"] == community["c"], "{lines}");
    assert!(community["d"] == community["e"] && community["e"] == community["f"], "{lines}");
    assert_ne!(community["a"], community["d"], "{lines}");
    // Without `--min-gain`, modularity stops at gains below 1e-4 and CPM below 1e-5; the run says
    // so, with what it read and how it refines, before Leiden starts.
    for (quality, min_gain) in [("modularity", "min gain 0.0001,"), ("cpm", "min gain 0.00001,")] {
        let run = orca(&["communities", "--edges", edges, "--output", output, "--quality", quality]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success() && stderr.contains("read 6 nodes and 7 edges"), "{stderr}");
        assert!(stderr.contains(&format!("Leiden ({quality}, resolution ")) && stderr.contains(min_gain), "{stderr}");
        assert!(stderr.contains("per-community refinement, seeded moving"), "{stderr}");
        // The result line says how many iterations Leiden took.
        let result = stderr.lines().find(|line| line.starts_with("6 nodes, ")).unwrap_or_default();
        assert!(result.contains(" iteration") && result.contains(" communit"), "{stderr}");
    }
    // One edge between two people: counts are singular where they are one.
    let pair = dir.join("pair.txt");
    std::fs::write(&pair, "a b\n").unwrap();
    let run = orca(&["communities", "--edges", pair.to_str().unwrap(), "--output", output, "--quality", "modularity"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success() && stderr.contains("read 2 nodes and 1 edge in "), "{stderr}");
    assert!(stderr.contains("2 nodes, 1 community, quality "), "{stderr}");
    // The linker's level-wide refinement on request; an unknown one is refused with the choices.
    let run = orca(&["communities", "--edges", edges, "--output", output, "--refinement", "global"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success() && stderr.contains("global refinement"), "{stderr}");
    let run = orca(&["communities", "--edges", edges, "--output", output, "--refinement", "sideways"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("per-community") && stderr.contains("global"), "{stderr}");
    // Async moving on request, stopping after three iterations unless told otherwise; on a list
    // this small every level is moved node by node, so the triangles come out as before.
    let run =
        orca(&["communities", "--edges", edges, "--output", output, "--quality", "modularity", "--moving", "async"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success() && stderr.contains("at most 3 iterations, per-community refinement, async moving"),
        "{stderr}"
    );
    let lines = std::fs::read_to_string(output).unwrap();
    let community: std::collections::HashMap<&str, &str> =
        lines.lines().filter_map(|line| line.split_once(' ')).collect();
    assert!(
        community["a"] == community["c"] && community["d"] == community["f"] && community["a"] != community["d"],
        "{lines}"
    );
    let run =
        orca(&["communities", "--edges", edges, "--output", output, "--moving", "async", "--max-iterations", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success() && stderr.contains("at most 1 iteration,") && stderr.contains(", 1 iteration, "),
        "{stderr}"
    );
    let run = orca(&["communities", "--edges", edges, "--output", output, "--max-iterations", "0"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("`--max-iterations` must be at least 1"), "{stderr}");
    // A negative count is named as an invalid value, not taken for an unknown argument.
    let run = orca(&["communities", "--edges", edges, "--output", output, "--max-iterations", "-3"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("invalid value '-3' for '--max-iterations"), "{stderr}");
    let run = orca(&["communities", "--edges", edges, "--output", output, "--moving", "sideways"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("seeded") && stderr.contains("async"), "{stderr}");
    let run = orca(&["communities", "--edges", edges, "--output", output, "--min-gain", "-1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("`--min-gain` must be a number not below 0"), "{stderr}");
    // A negative resolution gets the same plain message, not the parser's "unexpected argument".
    let run = orca(&["communities", "--edges", edges, "--output", output, "--resolution", "-2"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("`--resolution` must be a number not below 0"), "{stderr}");
    // Settings are checked before the file is read: a bad one is reported even beside a missing file.
    let run = orca(&["communities", "--edges", "no-such-file.txt", "--output", output, "--resolution", "nan"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && stderr.contains("`--resolution` must be a number not below 0"), "{stderr}");
    assert!(!stderr.contains("reading `no-such-file.txt`"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `orca ingest` as a retailer's cron job sees it: stderr is not a terminal, one record of the file
/// cannot be read. It sends the rest, keeps the bad one with its reason, says how each phase went
/// in plain lines, and exits 2 ("some rejected"), not 0 or 1.
#[test]
fn ingest_in_cron_reports_progress_in_lines_and_exits_2_when_some_records_are_rejected() {
    let dir = std::env::temp_dir().join(format!("orca-cli-cron-{}", std::process::id()));
    let (world, data) = (dir.join("world"), dir.join("data"));
    let simulated = orca(&["simulate", "--seed", "6", "--incidents", "300", "--out", world.to_str().unwrap()]);
    assert!(simulated.status.success(), "{}", String::from_utf8_lossy(&simulated.stderr));
    let incidents = world.join("incidents.jsonl");
    let mut text = std::fs::read_to_string(&incidents).unwrap();
    text.push_str("{\"retailerId\": \"meadowmart\", \"retailerRef\": \"BAD-1\", \"priceTotal\": 18.99}\n");
    std::fs::write(&incidents, text).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_orca"))
        .args(["ingest", incidents.to_str().unwrap(), "--data-dir", data.to_str().unwrap()])
        .env("ORCA_PROGRESS_EVERY_SECS", "0.05")
        .output()
        .expect("the orca binary runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(2), "exit status of a run with a rejected record\n{stdout}\n{stderr}");
    assert!(stdout.contains("accepted 300, duplicate 0, rejected 1"), "{stdout}");
    assert!(stdout.contains("persons") && stdout.contains("packages"), "the summary says what was found: {stdout}");
    assert!(stderr.contains("ingesting: done, 301 in"), "a line when sending ends: {stderr}");
    assert!(stderr.contains("processing (records through resolve, link, package): done"), "{stderr}");
    assert!(stderr.contains("1 of 301 records were rejected"), "{stderr}");
    let rejected = std::fs::read_to_string(world.join("incidents.jsonl.rejected.jsonl")).unwrap();
    assert!(rejected.contains("\"retailer_ref\":\"BAD-1\""), "the bad record is kept with its reference: {rejected}");
    assert!(rejected.contains("\"field\":\"priceTotal\"") || rejected.contains("priceTotal"), "{rejected}");
    assert!(!stderr.contains('\u{1b}'), "no terminal escapes in a log: {stderr}");

    // The same file again: everything is already there or refused as before; still status 2.
    let again = orca(&["ingest", incidents.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stdout).contains("duplicate 300"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A CSV export with a row that is not UTF-8 text and a row with bad cells: both are rejected and
/// kept with their reasons, by column where there is one; the run does not stop at the first.
#[test]
fn csv_rows_that_cannot_be_read_are_rejected_one_by_one() {
    let dir = std::env::temp_dir().join(format!("orca-cli-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let header = "retailer_id,retailer_ref,store_id,occurred_from,occurred_to,reported_at,event_type,goods,\
                  goods_category,quantity,unit_price_pence,suspect_given_names,suspect_family_name,\
                  suspect_date_of_birth,suspect_sex,vehicle_vrm,vehicle_make,vehicle_model,vehicle_colour,\
                  police_crime_ref,narrative";
    let mut csv = format!("{header}\n").into_bytes();
    csv.extend_from_slice(b"meadowmart,R-1,MM-1,,,,shoplifting,,,,,Jo\xff\xfe,,,,,,,,,\n");
    csv.extend_from_slice(b"meadowmart,R-2,MM-1,2026-03-01T10:15:00,,,burglary,razors,,,18.99,,,,,,,,,,\n");
    let file = dir.join("export.csv");
    std::fs::write(&file, csv).unwrap();
    let data = dir.join("data");
    let output = orca(&["ingest", file.to_str().unwrap(), "--data-dir", data.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let rejected = std::fs::read_to_string(dir.join("export.csv.rejected.jsonl")).unwrap();
    let lines: Vec<&str> = rejected.lines().collect();
    assert_eq!(lines.len(), 2, "{rejected}");
    assert!(lines[0].contains("not UTF-8"), "{}", lines[0]);
    for column in ["occurred_from", "event_type", "unit_price_pence"] {
        assert!(lines[1].contains(&format!("\"field\":\"{column}\"")), "`{column}` named: {}", lines[1]);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A confidence outside 0-1 (a negative one included, which the parser once took for an unknown
/// flag) is refused by the command itself, before it looks for a server or a key.
#[test]
fn analyst_expand_refuses_a_confidence_outside_0_to_1_before_connecting() {
    for (value, rule) in
        [("-0.5", "must be between 0 and 1"), ("1.5", "must be between 0 and 1"), ("high", "must be a number")]
    {
        let run = orca(&["analyst", "--endpoint", "http://127.0.0.1:9", "expand", "P1", "--min-confidence", value]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{value}: {stderr}");
        assert!(stderr.contains(&format!("invalid value '{value}' for '--min-confidence")), "{stderr}");
        assert!(stderr.contains(rule) && !stderr.contains("unexpected argument"), "{stderr}");
    }
}
