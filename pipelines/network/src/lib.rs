//! Link graph, Leiden community detection, organised crime groups and scores (pure)
