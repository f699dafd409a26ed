//! A problem found with a submitted record.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem with a record: the field it concerns as a path (`vehicles[0].vrm`), a stable code
/// (`unknown-store`) and the reason in plain words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub code: String,
    pub reason: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, code: &str, reason: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.to_owned(), reason: reason.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {} ({})", self.field, self.reason, self.code)
    }
}

/// Collects problems under a field-path prefix, so nested validators need not know where they sit.
#[derive(Debug, Default)]
pub struct Problems {
    items: Vec<Problem>,
}

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, code: &str, reason: impl Into<String>) {
        self.items.push(Problem::new(field, code, reason));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.items
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Problem>) {
        self.items.extend(other);
    }
}

/// Every problem code a record can be rejected (or warned) with, in one place: the validation of
/// reports, ingest's own checks, store registrations and `orca ingest`. Codes are stable: a
/// retailer's system may act on them; `docs/retailer-integration.md` lists each (a test checks).
pub mod codes {
    // Reports (validation).
    /// A required field, or a required part of a request, is absent.
    pub const MISSING: &str = "missing";
    /// Text longer than its field allows.
    pub const TOO_LONG: &str = "too-long";
    /// More items in a list than one report may hold.
    pub const TOO_MANY: &str = "too-many";
    /// Text holding a control character.
    pub const CONTROL_CHARACTER: &str = "control-character";
    /// An identifier with characters other than `a-z`, `0-9` and `-`.
    pub const INVALID_ID: &str = "invalid-id";
    /// A store the retailer has not registered.
    pub const UNKNOWN_STORE: &str = "unknown-store";
    /// A store registered to another retailer.
    pub const FOREIGN_STORE: &str = "foreign-store";
    /// A time or date of birth in the future.
    pub const IN_FUTURE: &str = "in-future";
    /// An incident's window that ends before it starts.
    pub const WINDOW_REVERSED: &str = "window-reversed";
    /// An incident reported before it happened.
    pub const OCCURRED_AFTER_REPORTED: &str = "occurred-after-reported";
    /// A range (height) whose minimum is above its maximum.
    pub const RANGE_REVERSED: &str = "range-reversed";
    /// A line item's price below zero.
    pub const NEGATIVE_PRICE: &str = "negative-price";
    /// A line item with a quantity of 0.
    pub const ZERO_QUANTITY: &str = "zero-quantity";
    /// A unit price above what any shop sells (a decimal sent where pence are expected, say).
    pub const IMPLAUSIBLE_PRICE: &str = "implausible-price";
    /// A quantity above what one theft takes.
    pub const IMPLAUSIBLE_QUANTITY: &str = "implausible-quantity";
    /// A report's total value above what one theft takes.
    pub const IMPLAUSIBLE_VALUE: &str = "implausible-value";
    /// A value outside what is possible for a person or a time (an age over 120, a time before 1900).
    pub const IMPLAUSIBLE: &str = "implausible";
    /// A 3x5x2 grade part that is not one of its values.
    pub const INVALID_GRADE: &str = "invalid-grade";
    /// An evidence hash that is not 64 hexadecimal digits.
    pub const INVALID_HASH: &str = "invalid-hash";
    /// A face template that is empty, too long or not finite.
    pub const INVALID_TEMPLATE: &str = "invalid-template";
    /// A value only ORCA sets (the `erased` role).
    pub const NOT_ALLOWED: &str = "not-allowed";
    /// An enum number the contract does not define, or `*_UNSPECIFIED` where a value is needed.
    pub const UNKNOWN_ENUM: &str = "unknown-enum";
    /// A timestamp outside 0001-9999, or with nanos outside `0..=999_999_999`.
    pub const INVALID_TIMESTAMP: &str = "invalid-timestamp";
    /// A date of birth that is not `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, or not a real date.
    pub const INVALID_DATE: &str = "invalid-date";
    /// Warning: a plate that matches no UK or known foreign format, kept as read.
    pub const UNRECOGNISED_VRM: &str = "unrecognised-vrm";

    // Submissions (ingest).
    /// The record names a retailer other than the caller's.
    pub const WRONG_RETAILER: &str = "wrong-retailer";
    /// A different record was already received under the same reference, and no `correction_reason` says it corrects it.
    pub const CHANGED_RESUBMISSION: &str = "changed-resubmission";
    /// The reference names a report that was withdrawn: it cannot be sent again or corrected.
    pub const WITHDRAWN: &str = "withdrawn";
    /// Warning: a place in the report an analyst erased a person from stays erased.
    pub const ERASED: &str = "erased";
    /// A correction, withdrawal or retention reason that is blank, too long or not text.
    pub const INVALID_REASON: &str = "invalid-reason";
    /// A withdrawal of a reference never accepted.
    pub const NOT_FOUND: &str = "not-found";
    /// The record is not valid proto3 JSON for `orca.v1.Incident`.
    pub const INVALID_JSON: &str = "invalid-json";
    /// A gRPC request that is not a valid protobuf message (a string that is not UTF-8, say).
    pub const UNDECODABLE: &str = "undecodable";
    /// The request already had as many rejected records kept as it may; this one was not kept.
    pub const TOO_MANY_REJECTIONS: &str = "too-many-rejections";
    /// Only the beginning of a long rejected record was kept.
    pub const PAYLOAD_CUT: &str = "payload-cut";
    /// Most of an HTTP body could not be read as incidents; none of it was taken.
    pub const MOSTLY_UNREADABLE: &str = "mostly-unreadable";

    // Store registrations.
    /// A store listed twice in one registration.
    pub const DUPLICATE_STORE: &str = "duplicate-store";
    /// A postcode that is not a UK postcode.
    pub const INVALID_POSTCODE: &str = "invalid-postcode";
    /// A force that is not a data.police.uk slug.
    pub const UNKNOWN_FORCE: &str = "unknown-force";
    /// A position outside the British Isles.
    pub const OUT_OF_AREA: &str = "out-of-area";
    /// A registered store sent again under another force.
    pub const STORE_MOVED: &str = "store-moved";
    /// A store whose force is not the one its position lies in.
    pub const FORCE_MISMATCH: &str = "force-mismatch";

    // `orca ingest` (records the CLI did not send).
    /// A record for a retailer the keys file holds no key for.
    pub const NO_KEY: &str = "no-key";
    /// A line of the input file that cannot be read as text.
    pub const UNREADABLE: &str = "unreadable";
    /// A CSV cell that cannot be read as its column's type.
    pub const INVALID_CELL: &str = "invalid-cell";

    /// Every code above.
    pub const ALL: &[&str] = &[
        MISSING,
        TOO_LONG,
        TOO_MANY,
        CONTROL_CHARACTER,
        INVALID_ID,
        UNKNOWN_STORE,
        FOREIGN_STORE,
        IN_FUTURE,
        WINDOW_REVERSED,
        OCCURRED_AFTER_REPORTED,
        RANGE_REVERSED,
        NEGATIVE_PRICE,
        ZERO_QUANTITY,
        IMPLAUSIBLE_PRICE,
        IMPLAUSIBLE_QUANTITY,
        IMPLAUSIBLE_VALUE,
        IMPLAUSIBLE,
        INVALID_GRADE,
        INVALID_HASH,
        INVALID_TEMPLATE,
        NOT_ALLOWED,
        UNKNOWN_ENUM,
        INVALID_TIMESTAMP,
        INVALID_DATE,
        UNRECOGNISED_VRM,
        WRONG_RETAILER,
        CHANGED_RESUBMISSION,
        WITHDRAWN,
        ERASED,
        INVALID_REASON,
        NOT_FOUND,
        INVALID_JSON,
        UNDECODABLE,
        TOO_MANY_REJECTIONS,
        PAYLOAD_CUT,
        MOSTLY_UNREADABLE,
        DUPLICATE_STORE,
        INVALID_POSTCODE,
        UNKNOWN_FORCE,
        OUT_OF_AREA,
        STORE_MOVED,
        FORCE_MISMATCH,
        NO_KEY,
        UNREADABLE,
        INVALID_CELL,
    ];
}

#[cfg(test)]
mod tests {
    use super::codes;

    #[test]
    fn every_problem_code_is_distinct_and_in_the_retailer_integration_guide() {
        let guide = include_str!("../../../docs/retailer-integration.md");
        let mut seen = std::collections::HashSet::new();
        for code in codes::ALL {
            assert!(seen.insert(code), "`{code}` is defined twice");
            assert!(guide.contains(&format!("`{code}`")), "the guide does not list `{code}`");
        }
    }
}
