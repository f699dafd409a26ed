//! Quality metrics of resolution and group detection against ground truth (pure)
