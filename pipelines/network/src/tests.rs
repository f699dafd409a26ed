//! Behaviour on small hand-built worlds. `fixtures` builds resolutions; the scenarios read as what an
//! analyst would see.

mod batches;
mod churn;
mod fixtures;
mod outcomes;
mod relinks;
mod revisions;
mod scenarios;
