//! Intelligence grading. 3x5x2 is the current system; items graded 5x5x5 keep their grade verbatim.

use compact_str::{CompactString, ToCompactString};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum GradingSystem {
    #[default]
    ThreeFiveTwo,
    FiveFiveFive,
}

/// A grade: source evaluation, intelligence assessment, handling code and its conditions. The codes
/// are one character each and held inline (every incident and package line carries a grade).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grade {
    pub system: GradingSystem,
    pub source: CompactString,
    pub intelligence: CompactString,
    pub handling: CompactString,
    pub conditions: Vec<String>,
}

impl Default for Grade {
    /// A retailer's first-hand report of its own incident: untested source (2), known directly (A),
    /// lawful sharing permitted (P).
    fn default() -> Self {
        Self::three_five_two('2', 'A', 'P')
    }
}

impl Grade {
    pub fn three_five_two(source: char, intelligence: char, handling: char) -> Self {
        Self {
            system: GradingSystem::ThreeFiveTwo,
            source: source.to_compact_string(),
            intelligence: intelligence.to_compact_string(),
            handling: handling.to_compact_string(),
            conditions: Vec::new(),
        }
    }

    /// Problems with the codes for the grade's system, as (field, reason) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let (sources, intels, handlings): (&[&str], &[&str], &[&str]) = match self.system {
            GradingSystem::ThreeFiveTwo => (&["1", "2", "3"], &["A", "B", "C", "D", "E"], &["P", "C"]),
            GradingSystem::FiveFiveFive => {
                (&["A", "B", "C", "D", "E"], &["1", "2", "3", "4", "5"], &["1", "2", "3", "4", "5"])
            }
        };
        if !sources.contains(&self.source.as_str()) {
            problems.push(("source", format!("source evaluation `{}` is not one of {sources:?}", self.source)));
        }
        if !intels.contains(&self.intelligence.as_str()) {
            problems.push((
                "intelligence",
                format!("intelligence assessment `{}` is not one of {intels:?}", self.intelligence),
            ));
        }
        if !handlings.contains(&self.handling.as_str()) {
            problems.push(("handling", format!("handling code `{}` is not one of {handlings:?}", self.handling)));
        }
        if self.system == GradingSystem::ThreeFiveTwo && self.handling == "C" && self.conditions.is_empty() {
            problems.push(("handling_conditions", "handling code `C` needs its conditions stated".to_owned()));
        }
        problems
    }

    /// The weakest of a set of 3x5x2 grades (a derived item carries the weakest grade of its inputs):
    /// the least reliable source, the least certain assessment, and `C` with every condition if any
    /// input has conditions. Returns `None` for an empty set; 5x5x5 grades are skipped, not converted.
    pub fn weakest<'a>(grades: impl IntoIterator<Item = &'a Grade>) -> Option<Grade> {
        let mut weakest: Option<Grade> = None;
        for grade in grades.into_iter().filter(|g| g.system == GradingSystem::ThreeFiveTwo) {
            // Allocates only when the weakest grade changes: a group's whole history is graded.
            let w = weakest.get_or_insert_with(|| grade.clone());
            if grade.source > w.source {
                w.source.clone_from(&grade.source);
            }
            if grade.intelligence > w.intelligence {
                w.intelligence.clone_from(&grade.intelligence);
            }
            if grade.handling == "C" && w.handling != "C" {
                w.handling = "C".into();
            }
            for condition in &grade.conditions {
                if !w.conditions.contains(condition) {
                    w.conditions.push(condition.clone());
                }
            }
        }
        weakest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_three_five_two_grade_has_no_problems() {
        assert!(Grade::three_five_two('1', 'B', 'P').problems().is_empty());
    }

    #[test]
    fn bad_codes_are_reported_per_part() {
        let grade = Grade::three_five_two('4', 'F', 'X');
        let fields: Vec<_> = grade.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["source", "intelligence", "handling"]);
    }

    #[test]
    fn handling_c_needs_conditions() {
        let grade = Grade::three_five_two('2', 'A', 'C');
        assert_eq!(grade.problems()[0].0, "handling_conditions");
    }

    #[test]
    fn five_by_five_grades_are_checked_against_their_own_codes() {
        let grade = Grade {
            system: GradingSystem::FiveFiveFive,
            source: "B".into(),
            intelligence: "2".into(),
            handling: "1".into(),
            conditions: vec![],
        };
        assert!(grade.problems().is_empty());
    }

    #[test]
    fn weakest_takes_the_least_reliable_parts_and_keeps_conditions() {
        let mut conditional = Grade::three_five_two('1', 'A', 'C');
        conditional.conditions.push("no onward sharing to retailers".into());
        let grades = [Grade::three_five_two('2', 'B', 'P'), conditional, Grade::three_five_two('1', 'C', 'P')];
        let weakest = Grade::weakest(&grades).expect("some");
        assert_eq!(
            (weakest.source.as_str(), weakest.intelligence.as_str(), weakest.handling.as_str()),
            ("2", "C", "C")
        );
        assert_eq!(weakest.conditions, ["no onward sharing to retailers"]);
        assert_eq!(Grade::weakest(&[]), None);
    }
}
