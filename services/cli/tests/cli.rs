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
    assert!(stderr.contains("unknown role `everything`"), "{stderr}");
    assert!(stderr.contains("ingest, resolver, linker, intel or all"), "{stderr}");
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
