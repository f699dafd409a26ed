//! From a community of co-offenders to an organised crime group: the qualifying test, and the
//! group's members, vehicles, incidents, reach, corridor, score and key players.

use crate::centrality::{betweenness, fragmentation};
use crate::linker::Linker;
use crate::projection::PairLink;
use crate::scores::{ScoreInput, score};
use crate::views::{Disruption, GroupVehicle, GroupView, MemberRole, MemberView};
use orca_model::package::{LinkChartEdge, NimLevel};
use orca_model::{ForceId, Grade, GroupId, IncidentId, ModusOperandi, Pence, PersonId, RetailerId, StoreId, VehicleId};
use petgraph::graph::UnGraph;
use rustc_hash::FxHashMap;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

/// Members (canonical numbers, by id) and the links among them (indices into `members`).
pub(crate) struct Candidate {
    pub members: Vec<u32>,
    pub edges: Vec<PairLink>,
}

impl Linker {
    /// Whether a community is an organised crime group: enough members, group incidents (at
    /// least `min_members_per_incident` members present), members active in them, and span.
    ///
    /// With two members per incident (the default) the group incidents are exactly the incidents
    /// its linked members share, so the test reads the pairs' running lists and stops as soon as
    /// each threshold is met: its cost does not grow with the group's history. Other settings
    /// count the members' whole histories.
    pub(crate) fn qualifies(&self, candidate: &Candidate) -> bool {
        let rules = &self.config.groups;
        let members = &candidate.members;
        if members.len() < rules.min_members {
            return false;
        }
        if rules.min_members_per_incident.max(1) != 2 {
            return self.qualifies_by_history(members);
        }
        let shared: Vec<(u32, u32, u32)> = candidate
            .edges
            .iter()
            .filter(|edge| edge.co_incidents > 0)
            .map(|edge| (edge.a, edge.b, edge.co_incidents))
            .collect();
        let pair = |a: u32, b: u32| (members[a as usize], members[b as usize]);
        // Span: from the first to the last incident any two members shared.
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for &(a, b, _) in &shared {
            let (p, q) = pair(a, b);
            if let Some((from, to)) = self.pairs.span(p, q) {
                first = first.min(from);
                last = last.max(to);
            }
        }
        if first > last || (last - first) / 86_400 < rules.min_span_days {
            return false;
        }
        // At least `min_incidents` distinct shared incidents.
        let needed = rules.min_incidents.max(1);
        if !shared.iter().any(|&(_, _, count)| count as usize >= needed) {
            let mut seen = rustc_hash::FxHashSet::default();
            'count: for &(a, b, _) in &shared {
                let (p, q) = pair(a, b);
                for incident in self.pairs.shared(p, q) {
                    seen.insert(incident);
                    if seen.len() >= needed {
                        break 'count;
                    }
                }
            }
            if seen.len() < needed {
                return false;
            }
        }
        // At least `min_members` members at `min_member_incidents` of them.
        let per_member = rules.min_member_incidents.max(1);
        let mut active = 0;
        for member in 0..members.len() as u32 {
            let mine: Vec<&(u32, u32, u32)> = shared.iter().filter(|(a, b, _)| *a == member || *b == member).collect();
            let enough = mine.iter().any(|(_, _, count)| *count as usize >= per_member) || {
                let mut seen = rustc_hash::FxHashSet::default();
                for &&(a, b, _) in &mine {
                    let (p, q) = pair(a, b);
                    seen.extend(self.pairs.shared(p, q).take(per_member));
                    if seen.len() >= per_member {
                        break;
                    }
                }
                seen.len() >= per_member
            };
            active += usize::from(enough);
            if active >= rules.min_members {
                return true;
            }
        }
        false
    }

    /// [`Linker::qualifies`] by counting every group incident of the members' histories.
    fn qualifies_by_history(&self, members: &[u32]) -> bool {
        let rules = &self.config.groups;
        let incidents = self.group_incidents(members);
        if incidents.len() < rules.min_incidents.max(1) {
            return false;
        }
        let member_set: rustc_hash::FxHashSet<u32> = members.iter().copied().collect();
        let mut per_member: FxHashMap<u32, usize> = FxHashMap::default();
        for &incident in &incidents {
            let mut present: Vec<u32> = self.links[incident as usize]
                .persons
                .iter()
                .map(|&p| self.persons.canonical(p))
                .filter(|p| member_set.contains(p))
                .collect();
            present.sort_unstable();
            present.dedup();
            for person in present {
                *per_member.entry(person).or_default() += 1;
            }
        }
        let active = per_member.values().filter(|&&count| count >= rules.min_member_incidents).count();
        if active < rules.min_members {
            return false;
        }
        let first = self.incidents[incidents[0] as usize].occurred_at;
        let last = self.incidents[incidents[incidents.len() - 1] as usize].occurred_at;
        (last - first).num_days() >= rules.min_span_days
    }

    /// The group incidents of a set of members, in time order.
    pub(crate) fn group_incidents(&self, members: &[u32]) -> Vec<u32> {
        let needed = self.config.groups.min_members_per_incident.max(1);
        let mut counts: FxHashMap<u32, usize> = FxHashMap::default();
        for &member in members {
            for &incident in &self.persons.incidents[member as usize] {
                *counts.entry(incident).or_default() += 1;
            }
        }
        let mut incidents: Vec<u32> =
            counts.into_iter().filter(|&(_, count)| count >= needed).map(|(incident, _)| incident).collect();
        incidents.sort_by(|&a, &b| {
            let (a, b) = (&self.incidents[a as usize], &self.incidents[b as usize]);
            (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id))
        });
        incidents
    }

    /// The view of a qualifying group: its members (canonical numbers), the links among them
    /// (indices into `members`) and its incidents in time order.
    pub(crate) fn group_view(&self, id: &GroupId, members: &[u32], edges: &[PairLink], incidents: &[u32]) -> GroupView {
        let rules = &self.config.groups;
        let member_index: FxHashMap<u32, usize> = members.iter().enumerate().map(|(i, &p)| (p, i)).collect();

        // Reach, in time order. Keys are borrowed from the records: this loop runs over the group's
        // whole history on every refresh of the group.
        let mut per_force: BTreeMap<&ForceId, (usize, Pence)> = BTreeMap::new();
        let mut corridor: Vec<ForceId> = Vec::new();
        let mut retailers: BTreeSet<&RetailerId> = BTreeSet::new();
        let mut stores: BTreeSet<&StoreId> = BTreeSet::new();
        let mut score_input = ScoreInput::default();
        let mut member_incidents = vec![0u32; members.len()];
        let mut member_probability = vec![1.0f64; members.len()];
        let mut vehicle_sightings: FxHashMap<u32, Vec<(u32, usize)>> = FxHashMap::default();
        for &incident in incidents {
            let record = &self.incidents[incident as usize];
            let entry = match per_force.entry(&record.force) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    corridor.push(record.force.clone());
                    entry.insert((0, Pence::ZERO))
                }
            };
            entry.0 += 1;
            entry.1 += record.value_pence;
            retailers.insert(&record.retailer);
            stores.insert(&record.store);
            score_input.total_loss_pence += record.value_pence;
            score_input.violent_incidents += usize::from(record.violent());
            score_input.staff_detained_incidents += usize::from(record.staff_detained);
            score_input.steal_to_order_incidents +=
                usize::from(record.modus_operandi.contains(&ModusOperandi::StealToOrder));
            score_input.incident_times.push(record.occurred_at);
            for (link, &p) in record.persons.iter().zip(&self.links[incident as usize].persons) {
                if let Some(&i) = member_index.get(&self.persons.canonical(p)) {
                    member_incidents[i] += 1;
                    member_probability[i] = member_probability[i].min(link.probability);
                    score_input.probabilities.push(link.probability);
                }
            }
            for (k, (link, &v)) in record.vehicles.iter().zip(&self.links[incident as usize].vehicles).enumerate() {
                if link.used_by_offenders() {
                    vehicle_sightings.entry(self.vehicles.canonical(v)).or_default().push((incident, k));
                }
            }
        }
        // Vehicles by id.
        let mut vehicle_sightings: Vec<(u32, Vec<(u32, usize)>)> = vehicle_sightings.into_iter().collect();
        vehicle_sightings.sort_unstable_by(|a, b| self.vehicles.id(a.0).cmp(self.vehicles.id(b.0)));
        let lead_force = per_force
            .iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then(a.1.1.cmp(&b.1.1)).then_with(|| b.0.cmp(a.0)))
            .map(|(&force, _)| force.clone())
            .unwrap_or_default();
        let forces: Vec<ForceId> = per_force.keys().map(|&force| force.clone()).collect();
        let nim_level = match forces.len() {
            n if n >= rules.national_min_forces => NimLevel::National,
            n if n >= 2 => NimLevel::CrossBorder,
            _ => NimLevel::Local,
        };

        let vehicles: Vec<GroupVehicle> = vehicle_sightings
            .iter()
            .map(|(vehicle, sightings)| self.group_vehicle(*vehicle, sightings.len()))
            .collect();
        score_input.forces = forces.len();
        score_input.retailers = retailers.len();
        score_input.stores = stores.len();
        score_input.vehicles = vehicles.len();
        score_input.disguised_plates =
            vehicles.iter().filter(|v| v.cloned_plate_suspected || v.false_plate_suspected).count();
        let grades: Vec<&Grade> = incidents.iter().map(|&i| &self.incidents[i as usize].grade).collect();
        score_input.weakest_grade =
            Grade::weakest(grades).map(|g| format!("{}{}", g.source, g.intelligence)).unwrap_or_default();

        // The member network, with vehicles as extra nodes for the disruption analysis.
        let mut graph: UnGraph<(), ()> = UnGraph::new_undirected();
        for _ in members {
            graph.add_node(());
        }
        let mut strength = vec![0.0f64; members.len()];
        let mut degree = vec![0u32; members.len()];
        let mut links = Vec::new();
        for edge in edges {
            let (a, b) = (edge.a as usize, edge.b as usize);
            graph.add_edge(petgraph::graph::NodeIndex::new(a), petgraph::graph::NodeIndex::new(b), ());
            strength[a] += edge.weight();
            strength[b] += edge.weight();
            degree[a] += 1;
            degree[b] += 1;
            let kind = if edge.co_incidents > 0 {
                "co-offending"
            } else if edge.shared_vehicles > 0 {
                "shared-vehicle"
            } else {
                "shared-marker"
            };
            let (from, to) = (self.persons.id(members[a]), self.persons.id(members[b]));
            links.push(LinkChartEdge {
                from: from.to_owned(),
                to: to.to_owned(),
                kind: kind.to_owned(),
                weight: round(edge.weight()),
                incident_count: edge.co_incidents,
            });
        }
        let centrality = betweenness(&graph);
        let member_count = members.len();
        for (vehicle, sightings) in &vehicle_sightings {
            let id = self.vehicles.id(*vehicle);
            let node = graph.add_node(());
            let mut users: BTreeMap<usize, u32> = BTreeMap::new();
            for &(incident, _) in sightings {
                for &p in &self.links[incident as usize].persons {
                    if let Some(&i) = member_index.get(&self.persons.canonical(p)) {
                        *users.entry(i).or_default() += 1;
                    }
                }
            }
            for (&member, &count) in &users {
                graph.add_edge(node, petgraph::graph::NodeIndex::new(member), ());
                links.push(LinkChartEdge {
                    from: self.persons.id(members[member]).to_owned(),
                    to: id.to_owned(),
                    kind: "used-vehicle".to_owned(),
                    weight: f64::from(count),
                    incident_count: count,
                });
            }
        }
        let counted: Vec<bool> = (0..graph.node_count()).map(|v| v < member_count).collect();
        let mut disruption: Vec<Disruption> = (0..graph.node_count())
            .map(|v| {
                let (share, pieces) = fragmentation(&graph, v, &counted);
                let (target, kind) = if v < member_count {
                    (self.persons.id(members[v]).to_owned(), "person")
                } else {
                    (vehicles[v - member_count].vehicle.to_string(), "vehicle")
                };
                Disruption { target, kind: kind.to_owned(), fragmentation: round(share), pieces }
            })
            .filter(|d| d.fragmentation > 0.0)
            .collect();
        disruption.sort_by(|a, b| b.fragmentation.total_cmp(&a.fragmentation).then_with(|| a.target.cmp(&b.target)));
        disruption.truncate(5);

        let strongest = strength.iter().copied().fold(0.0, f64::max);
        let mut members: Vec<MemberView> = (0..member_count)
            .map(|i| MemberView {
                person: PersonId::new(self.persons.id(members[i])),
                role: if strongest > 0.0 && strength[i] >= rules.core_strength_share * strongest {
                    MemberRole::Core
                } else {
                    MemberRole::Periphery
                },
                degree: degree[i],
                strength: round(strength[i]),
                betweenness: round(centrality[i]),
                incidents: member_incidents[i],
                min_probability: if member_incidents[i] == 0 { 0.0 } else { member_probability[i] },
            })
            .collect();
        members.sort_by(|a, b| (a.role != MemberRole::Core, &a.person).cmp(&(b.role != MemberRole::Core, &b.person)));
        links.sort_by(|a, b| (&a.from, &a.to, &a.kind).cmp(&(&b.from, &b.to, &b.kind)));

        let times = |i: Option<&u32>| i.map(|&i| self.incidents[i as usize].occurred_at);
        GroupView {
            id: id.clone(),
            members,
            vehicles,
            incidents: incidents.iter().map(|&i| self.incidents[i as usize].id.clone()).collect::<Vec<IncidentId>>(),
            retailers: retailers.into_iter().cloned().collect(),
            stores: stores.into_iter().cloned().collect(),
            forces,
            lead_force,
            nim_level,
            corridor,
            first_seen: times(incidents.first()),
            last_seen: times(incidents.last()),
            total_loss_pence: score_input.total_loss_pence,
            score: score(&score_input, &self.config.scoring),
            links,
            disruption,
        }
    }

    /// A vehicle (canonical number) seen `sightings` times in group incidents, judged against all
    /// its sightings. Borrows what it tallies: a busy vehicle has a long history.
    pub(crate) fn group_vehicle(&self, vehicle: u32, sightings: usize) -> GroupVehicle {
        let mut reads: BTreeMap<(bool, &str), usize> = BTreeMap::new();
        let (mut makes, mut colours) = (DistinctFolded::default(), DistinctFolded::default());
        let mut description: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        let mut false_plate = false;
        for &incident in &self.vehicles.incidents[vehicle as usize] {
            let record = &self.incidents[incident as usize];
            for (k, &v) in self.links[incident as usize].vehicles.iter().enumerate() {
                if self.vehicles.canonical(v) != vehicle {
                    continue;
                }
                let link = &record.vehicles[k];
                *reads.entry((link.partial, &link.vrm)).or_default() += 1;
                makes.add(&link.make);
                colours.add(&link.colour);
                *description.entry((&link.make, &link.model, &link.colour)).or_default() += 1;
                false_plate |= record.modus_operandi.contains(&ModusOperandi::VehicleFalsePlates);
            }
        }
        // Full reads first (`partial == false` sorts first), then the most frequent, then by mark.
        let best_read = reads
            .iter()
            .max_by(|a, b| (!a.0.0, a.1).cmp(&(!b.0.0, b.1)).then_with(|| b.0.1.cmp(a.0.1)))
            .map(|(&(partial, vrm), _)| (partial, vrm.to_owned()))
            .unwrap_or((true, String::new()));
        let (make, model, colour) = description
            .iter()
            .filter(|((make, _, _), _)| !make.is_empty())
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(&(make, model, colour), _)| (make.to_owned(), model.to_owned(), colour.to_owned()))
            .unwrap_or_default();
        GroupVehicle {
            vehicle: VehicleId::new(self.vehicles.id(vehicle)),
            vrm: best_read.1,
            make,
            model,
            colour,
            sightings: sightings as u32,
            partial_plate_only: best_read.0,
            cloned_plate_suspected: makes.several() || colours.several(),
            false_plate_suspected: false_plate,
        }
    }
}

/// Whether a vehicle was described with more than one make (or colour), ignoring case and empty
/// descriptions; allocates only for a description it has not seen.
#[derive(Default)]
struct DistinctFolded(Vec<String>);

impl DistinctFolded {
    fn add(&mut self, value: &str) {
        if value.is_empty() || self.0.len() > 1 {
            return;
        }
        let seen = if value.is_ascii() {
            self.0.iter().any(|known| known.eq_ignore_ascii_case(value))
        } else {
            let folded = value.to_lowercase();
            self.0.contains(&folded)
        };
        if !seen {
            self.0.push(value.to_lowercase());
        }
    }

    fn several(&self) -> bool {
        self.0.len() > 1
    }
}

fn round(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}
