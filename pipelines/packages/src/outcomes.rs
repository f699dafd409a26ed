//! How outcomes forces recorded change a package's score.
//!
//! The rule (stated in the score's `rule` when it applies): a package whose principal subjects
//! (a group's core members, or the prolific offender) have **all** been charged, cautioned or
//! convicted on or after the date of the latest offence in the package is being dealt with: its
//! priority band drops one step (high → medium → low). Any other outcome (an arrest, a disruption,
//! no further action, or a charge of only some of the core) leaves the band as it is. Every outcome
//! is listed as evidence of an `outcomes` factor, so the officer sees why. New offending after the
//! outcome date restores the band by itself: the latest offence is then later than the outcome.

use chrono::{DateTime, Utc};
use orca_model::package::{PackageOutcome, PackageSubject, Score, ScoreFactor};

/// Adds the `outcomes` factor and applies the rule above; does nothing without outcomes.
pub fn apply_outcomes(
    score: &mut Score,
    subjects: &[PackageSubject],
    outcomes: &[PackageOutcome],
    last_offence: Option<DateTime<Utc>>,
) {
    if outcomes.is_empty() {
        return;
    }
    let principals: Vec<&PackageSubject> =
        subjects.iter().filter(|s| matches!(s.role.as_str(), "core" | "subject")).collect();
    let last_offence = last_offence.map(|t| t.date_naive());
    let dealt_with = |subject: &PackageSubject| {
        outcomes.iter().any(|o| {
            o.person_id == subject.person_id
                && o.kind.deals_with_offending()
                && last_offence.is_none_or(|last| o.date >= last)
        })
    };
    let all_dealt_with = !principals.is_empty() && principals.iter().all(|s| dealt_with(s));
    let evidence = outcomes
        .iter()
        .map(|o| {
            let reference =
                if o.force_reference.is_empty() { String::new() } else { format!(" ({})", o.force_reference) };
            format!("{} {} of {} recorded by {}{reference}", o.date, o.kind, o.person_id, o.force)
        })
        .collect();
    let lowered = all_dealt_with && lower(&mut score.priority_band);
    score.factors.push(ScoreFactor {
        name: "outcomes".to_owned(),
        value: outcomes.len() as f64,
        band: if all_dealt_with { "low" } else { "medium" }.to_owned(),
        evidence,
    });
    if lowered {
        score.rule.push_str(
            "; every principal subject charged, cautioned or convicted since the latest offence lowers the band one step",
        );
    }
}

/// One step down; false when already low (or not a known band).
fn lower(band: &mut String) -> bool {
    let next = match band.as_str() {
        "high" => "medium",
        "medium" => "low",
        _ => return false,
    };
    *band = next.to_owned();
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use orca_model::package::OutcomeKind;
    use orca_model::{ForceId, PersonId};

    fn subject(id: &str, role: &str) -> PackageSubject {
        PackageSubject { person_id: PersonId::new(id), role: role.to_owned(), ..Default::default() }
    }

    fn outcome(person: &str, kind: OutcomeKind, date: (i32, u32, u32)) -> PackageOutcome {
        PackageOutcome {
            outcome_id: format!("O-{person}-{}", kind.as_str()),
            person_id: PersonId::new(person),
            kind,
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            force: ForceId::new("west-yorkshire"),
            force_reference: "13/123456/26".to_owned(),
            ..Default::default()
        }
    }

    fn high() -> Score {
        Score { priority_band: "high".to_owned(), rule: "base".to_owned(), ..Default::default() }
    }

    fn last() -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap())
    }

    #[test]
    fn charging_every_core_member_since_the_last_offence_lowers_the_band_one_step() {
        let subjects = [subject("P1", "core"), subject("P2", "core"), subject("P3", "periphery")];
        let outcomes =
            [outcome("P1", OutcomeKind::Charge, (2026, 3, 2)), outcome("P2", OutcomeKind::Conviction, (2026, 3, 1))];
        let mut score = high();
        apply_outcomes(&mut score, &subjects, &outcomes, last());
        assert_eq!(score.priority_band, "medium");
        assert!(score.rule.contains("lowers the band"), "{}", score.rule);
        let factor = score.factors.iter().find(|f| f.name == "outcomes").unwrap();
        assert_eq!(factor.evidence.len(), 2);
        assert!(factor.evidence[0].contains("charge of P1 recorded by west-yorkshire (13/123456/26)"));
    }

    #[test]
    fn an_arrest_or_a_partial_charge_leaves_the_band_but_is_listed() {
        let subjects = [subject("P1", "core"), subject("P2", "core")];
        for outcomes in [
            vec![outcome("P1", OutcomeKind::Arrest, (2026, 3, 2)), outcome("P2", OutcomeKind::Arrest, (2026, 3, 2))],
            vec![outcome("P1", OutcomeKind::Charge, (2026, 3, 2))],
        ] {
            let mut score = high();
            apply_outcomes(&mut score, &subjects, &outcomes, last());
            assert_eq!(score.priority_band, "high");
            assert_eq!(score.factors.iter().filter(|f| f.name == "outcomes").count(), 1);
        }
    }

    #[test]
    fn offending_after_the_charge_keeps_the_band() {
        let subjects = [subject("P1", "subject")];
        let mut score = high();
        apply_outcomes(&mut score, &subjects, &[outcome("P1", OutcomeKind::Charge, (2026, 2, 1))], last());
        assert_eq!(score.priority_band, "high");
    }

    #[test]
    fn no_outcomes_change_nothing() {
        let mut score = high();
        apply_outcomes(&mut score, &[subject("P1", "subject")], &[], last());
        assert_eq!(score, high());
    }
}
