//! Link graph, Leiden community detection, organised crime groups and scores (pure)

/// The analysts' `u v [weight]` edge-list format and `node community` output.
pub mod edgelist;
/// Leiden community detection (modularity or CPM) on a CSR graph, warm-startable, deterministic for a seed.
pub mod leiden;
