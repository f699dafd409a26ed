//! The whole evaluation: a serialisable [`Report`] (the `--json` output) and its text rendering.

use crate::clustering::ClusteringReport;
use crate::groups::{GroupsReport, TrueGroupMatch};
use serde::Serialize;
use std::fmt::Write;

/// Every figure `orca eval` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Person sightings clustered into persons.
    pub persons: ClusteringReport,
    /// Vehicle sightings clustered into vehicles.
    pub vehicles: ClusteringReport,
    pub groups: GroupsReport,
}

/// A readable rendering of the report: score tables with the counts behind every score.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    render_clustering(&mut out, "persons", "sightings", &report.persons);
    out.push('\n');
    render_clustering(&mut out, "vehicles", "sightings", &report.vehicles);
    out.push('\n');
    render_groups(&mut out, &report.groups);
    out
}

const SCORE_HEADER: &str = "                 precision   recall       f1";

fn score_row(out: &mut String, label: &str, precision: f64, recall: f64, f1: f64) {
    let _ = writeln!(out, "  {label:<14} {precision:>9.3} {recall:>8.3} {f1:>8.3}");
}

fn render_clustering(out: &mut String, entity: &str, item: &str, report: &ClusteringReport) {
    let _ = writeln!(out, "{entity}");
    let _ = writeln!(out, "{SCORE_HEADER}");
    let (pairwise, bcubed) = (&report.pairwise, &report.bcubed);
    score_row(out, "pairwise", pairwise.precision, pairwise.recall, pairwise.f1);
    score_row(out, "b-cubed", bcubed.precision, bcubed.recall, bcubed.f1);
    let _ = writeln!(out, "  entities: {} true, {} predicted", report.true_entities, report.predicted_entities);
    let _ = writeln!(
        out,
        "  pairs: {} true, {} predicted, {} correct",
        pairwise.true_pairs, pairwise.predicted_pairs, pairwise.correct_pairs
    );
    let coverage = &report.coverage;
    let _ = writeln!(
        out,
        "  {item}: {} in truth, {} predicted; {} missing from prediction (scored alone), {} not in truth (ignored)",
        coverage.truth_items, coverage.predicted_items, coverage.missing_from_prediction, coverage.not_in_truth
    );
    if coverage.truth_items == 0 {
        let _ = writeln!(out, "  warning: the truth has no {item}, so every score above is vacuous");
    }
}

fn render_groups(out: &mut String, report: &GroupsReport) {
    let _ = writeln!(out, "groups (one-to-one matching at jaccard >= {:.2})", report.threshold);
    let _ = writeln!(out, "{SCORE_HEADER}");
    score_row(out, "groups", report.precision, report.recall, report.f1);
    let _ = writeln!(
        out,
        "  groups: {} true, {} detected, {} matched; {} detected members map to no true person",
        report.true_groups, report.detected_groups, report.matched, report.unmapped_detected_members
    );
    let membership = &report.membership;
    let _ = writeln!(
        out,
        "  membership over {} persons: ARI {:.3}  NMI {:.3}  AMI {:.3}  (NMI is not chance-corrected)",
        membership.persons, membership.ari, membership.nmi, membership.ami
    );
    let _ = writeln!(
        out,
        "  persons in several groups: {} true, {} detected",
        membership.persons_in_several_true_groups, membership.persons_in_several_detected_groups
    );
    let cross = &report.cross_border;
    let _ = writeln!(
        out,
        "  cross-border: {} of {} true cross-border groups detected with every force they hit ({:.3})",
        cross.detected_with_all_forces, cross.true_cross_border_groups, cross.share
    );
    let _ = writeln!(out, "  forces listed by matched groups that were hit: {:.3}", cross.listed_force_precision);
    if !report.matches.is_empty() {
        out.push('\n');
        render_match_table(out, &report.matches);
    }
}

fn render_match_table(out: &mut String, matches: &[TrueGroupMatch]) {
    let best_id = |m: &TrueGroupMatch| m.best.as_ref().map_or("-".to_string(), |b| b.detected_group.clone());
    let true_width = matches.iter().map(|m| m.true_group.len()).chain([10]).max().unwrap_or(10);
    let best_width = matches.iter().map(|m| best_id(m).len()).chain([13]).max().unwrap_or(13);
    let _ = writeln!(
        out,
        "  {:<true_width$}  members  forces  {:<best_width$}  jaccard  matched  all forces",
        "true group", "best detected"
    );
    for row in matches {
        let jaccard = row.best.as_ref().map_or("-".to_string(), |b| format!("{:.3}", b.jaccard));
        let matched = row.matched.as_ref().map_or("no".to_string(), |m| {
            if Some(&m.detected_group) == row.best.as_ref().map(|b| &b.detected_group) {
                "yes".to_string()
            } else {
                format!("{} ({:.3})", m.detected_group, m.jaccard)
            }
        });
        let all_forces = match row.all_forces_listed {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        let _ = writeln!(
            out,
            "  {:<true_width$}  {:>7}  {:>6}  {:<best_width$}  {:>7}  {:<7}  {}",
            row.true_group,
            row.members,
            row.forces_hit.len(),
            best_id(row),
            jaccard,
            matched,
            all_forces
        );
    }
}

#[cfg(test)]
mod tests;
