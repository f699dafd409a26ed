//! Benchmarks with their inputs and results
