//! The building blocks of `orca/v1/common.proto`: field problems, grades and provenance.

use super::enums::enum_from_wire;
use super::time::{optional_timestamp, optional_timestamp_to_proto};
use super::{ProtoEnum, take};
use crate::v1;
use orca_model::problem::Problems;
use orca_model::{Grade, GradingSystem, Problem, Provenance};

pub fn problem_to_proto(problem: &Problem) -> v1::FieldProblem {
    v1::FieldProblem { field: problem.field.clone(), reason: problem.reason.clone(), code: problem.code.clone() }
}

pub fn problem_from_proto(problem: v1::FieldProblem) -> Problem {
    Problem { field: problem.field, code: problem.code, reason: problem.reason }
}

pub fn grade_to_proto(grade: &Grade) -> v1::Grade {
    v1::Grade {
        grading_system: grade.system.to_wire(),
        source: grade.source.to_string(),
        intelligence: grade.intelligence.to_string(),
        handling: grade.handling.to_string(),
        handling_conditions: grade.conditions.clone(),
    }
}

/// A grade as stated, at `field`. A missing or empty grade states nothing, so the item gets the
/// default grade of a retailer's own report (2/A/P under 3x5x2); codes are checked by validation.
pub(crate) fn grade_from_proto(grade: Option<v1::Grade>, field: &str, problems: &mut Problems) -> Grade {
    let Some(grade) = grade.filter(|g| *g != v1::Grade::default()) else {
        return Grade::default();
    };
    let system =
        take(problems, enum_from_wire::<GradingSystem>(grade.grading_system, || format!("{field}.grading_system")))
            .unwrap_or_default();
    Grade {
        system,
        source: grade.source.as_str().into(),
        intelligence: grade.intelligence.as_str().into(),
        handling: grade.handling.as_str().into(),
        conditions: grade.handling_conditions,
    }
}

/// `None` for an empty provenance, so a record that has none yet shows none on the wire.
pub(crate) fn provenance_to_proto(provenance: &Provenance) -> Option<v1::Provenance> {
    if *provenance == Provenance::default() {
        return None;
    }
    Some(v1::Provenance {
        source: provenance.source.clone(),
        channel: provenance.channel.clone(),
        submitted_by: provenance.submitted_by.clone(),
        received_at: optional_timestamp_to_proto(provenance.received_at),
        lawful_basis: provenance.lawful_basis.clone(),
        sharing_agreement: provenance.sharing_agreement.clone(),
        produced_by: provenance.produced_by.clone(),
    })
}

pub(crate) fn provenance_from_proto(
    provenance: Option<v1::Provenance>,
    field: &str,
    problems: &mut Problems,
) -> Provenance {
    let Some(provenance) = provenance else {
        return Provenance::default();
    };
    Provenance {
        source: provenance.source,
        channel: provenance.channel,
        submitted_by: provenance.submitted_by,
        received_at: take(problems, optional_timestamp(provenance.received_at, || format!("{field}.received_at")))
            .flatten(),
        lawful_basis: provenance.lawful_basis,
        sharing_agreement: provenance.sharing_agreement,
        produced_by: provenance.produced_by,
    }
}
