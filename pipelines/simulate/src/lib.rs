//! Synthetic national world of retail crime with ground truth (pure, deterministic for a seed)
