//! The linker on a small simulated world with perfect resolution (each sighting's true person and
//! vehicle as its entity id): it must find the true groups and list every force they hit.

use orca_eval::{Group, evaluate_groups};
use orca_model::{ForceId, IncidentId, LinkDecision, Resolution, SightingLink, StoreId};
use orca_network::{Linker, LinkerConfig};
use orca_simulate::{SimulatedIncident, World, WorldParams};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn perfect(simulated: &SimulatedIncident, forces: &HashMap<StoreId, ForceId>) -> Resolution {
    let mut incident = simulated.incident.clone();
    incident.id = simulated.incident_id.clone();
    incident.force = forces[&incident.store].clone();
    let link = |index: u32, entity: &str| SightingLink {
        sighting_index: index,
        entity_id: entity.to_owned(),
        decision: LinkDecision::AutoLink,
        probability: 1.0,
        evidence: Vec::new(),
        candidate: None,
        runner_up: None,
    };
    Resolution {
        incident_id: IncidentId::new(incident.id.as_str()),
        persons: simulated.persons.iter().map(|t| link(t.index, &t.person)).collect(),
        vehicles: simulated.vehicles.iter().map(|t| link(t.index, &t.vehicle)).collect(),
        incident: Some(incident),
        merges: Vec::new(),
        splits: Vec::new(),
        decisions: Vec::new(),
        withdrawal: None,
    }
}

#[test]
fn perfect_resolution_finds_the_true_groups_with_every_force_they_hit() {
    let world = World::new(WorldParams::new(3, 6_000));
    let forces: HashMap<StoreId, ForceId> = world.stores().iter().map(|s| (s.id.clone(), s.force.clone())).collect();
    let mut stream = world.incidents();
    let simulated: Vec<SimulatedIncident> = stream.by_ref().collect();
    let summary = stream.summary();

    let mut linker = Linker::new(LinkerConfig::default());
    // Two batches, as the service would feed them.
    let (first, second) = simulated.split_at(simulated.len() / 2);
    for incident in first {
        linker.apply(&perfect(incident, &forces));
    }
    linker.refresh();
    for incident in second {
        linker.apply(&perfect(incident, &forces));
    }
    let packages = linker.refresh();
    assert!(!packages.is_empty());

    let mut true_members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in world.group_truth() {
        true_members.entry(row.group).or_default().insert(row.person);
    }
    let true_groups: Vec<Group> = summary
        .groups
        .iter()
        .filter(|g| g.incidents > 0)
        .map(|g| Group {
            id: g.id.clone(),
            members: true_members[&g.id].iter().cloned().collect(),
            forces: g.forces_hit.iter().map(|f| f.to_string()).collect(),
        })
        .collect();
    let detected: Vec<Group> = linker
        .groups()
        .iter()
        .map(|g| Group {
            id: g.id.to_string(),
            members: g.members.iter().map(|m| m.person.to_string()).collect(),
            forces: g.forces.iter().map(|f| f.to_string()).collect(),
        })
        .collect();
    let identity: HashMap<String, String> =
        detected.iter().flat_map(|g| g.members.iter().map(|m| (m.clone(), m.clone()))).collect();
    let report = evaluate_groups(&true_groups, &detected, &identity).unwrap();

    assert!(report.true_groups >= 6);
    assert!(report.recall >= 0.9, "recall {} ({} of {})", report.recall, report.matched, report.true_groups);
    assert!(report.precision >= 0.9, "precision {} ({} detected)", report.precision, report.detected_groups);
    assert_eq!(report.cross_border.share, 1.0, "{:#?}", report.cross_border);

    // Every group package goes to its lead force and lists the others.
    for group in linker.groups() {
        let package = packages.iter().find(|p| p.subject_id == group.id.as_str()).expect("a package per group");
        assert_eq!(package.lead_force, group.lead_force);
        assert_eq!(package.affected_forces.len() + 1, group.forces.len());
    }
}
