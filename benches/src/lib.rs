//! Benchmarks with their inputs and results

/// True and detected groups for scoring with orca-eval.
pub mod groups;
