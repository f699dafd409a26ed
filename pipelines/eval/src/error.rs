//! Malformed inputs. A metric computed over inputs that contradict themselves would be a number
//! nobody can interpret, so these are errors rather than silently resolved.

use serde::Serialize;
use std::fmt;

/// Which input a problem was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Truth,
    Prediction,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Truth => "truth",
            Side::Prediction => "prediction",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// An item listed twice on one side: it would belong to two clusters at once.
    #[error("item `{key}` appears more than once in the {side}")]
    DuplicateItem { side: Side, key: String },
    /// Two groups with the same id on one side.
    #[error("group `{id}` appears more than once in the {side}")]
    DuplicateGroup { side: Side, id: String },
    /// A true group with no members cannot be matched by anything.
    #[error("true group `{id}` has no members")]
    EmptyTrueGroup { id: String },
}
