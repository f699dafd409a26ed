//! Groups as orca-eval scores them: the simulated world's true groups and the linker's detected ones.

use orca_eval::Group;
use orca_network::Linker;
use orca_simulate::{World, WorldSummary};
use std::collections::{BTreeMap, BTreeSet};

/// True groups of a world that offended: everyone ever a member, and the forces the group's
/// incidents hit.
pub fn true_groups(world: &World, summary: &WorldSummary) -> Vec<Group> {
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in world.group_truth() {
        members.entry(row.group).or_default().insert(row.person);
    }
    summary
        .groups
        .iter()
        .filter(|g| g.incidents > 0)
        .map(|g| Group {
            id: g.id.clone(),
            members: members.get(&g.id).map(|m| m.iter().cloned().collect()).unwrap_or_default(),
            forces: g.forces_hit.iter().map(|f| f.to_string()).collect(),
        })
        .collect()
}

/// The groups a linker holds, with their members and forces by id.
pub fn detected_groups(linker: &Linker) -> Vec<Group> {
    linker
        .groups()
        .iter()
        .map(|g| Group {
            id: g.id.to_string(),
            members: g.members.iter().map(|m| m.person.to_string()).collect(),
            forces: g.forces.iter().map(|f| f.to_string()).collect(),
        })
        .collect()
}
