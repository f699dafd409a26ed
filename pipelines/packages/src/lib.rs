//! Intelligence packages built from groups and prolific offenders (pure)
