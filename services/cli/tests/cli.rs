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
