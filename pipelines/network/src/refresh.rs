//! Recomputing what a resolution touched: the region around the touched persons (they, everyone
//! tied to them, and the whole communities of these; see [`Linker::project`]) is re-partitioned by
//! Leiden (warm-started from the previous communities; communities outside the region stay),
//! communities are tested as groups, groups keep their ids by overlap with the groups they
//! continue, and packages get a new version only when their content changed.

use crate::groups::Candidate;
use crate::leiden::{Graph, leiden};
use crate::linker::{GroupState, Linker};
use crate::projection::{PairLink, Projection};
use crate::views::GroupView;
use orca_model::GroupId;
use orca_model::ids::sequential_id;
use orca_model::package::IntelligencePackage;
use orca_packages::{build_package, package_id};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

impl Linker {
    /// The decisions of a refresh: groups, communities, ids, who is re-judged.
    pub(crate) fn recompute_touched(&mut self) {
        self.touched_persons.extend(self.dirty_persons.iter().copied());
        if !self.dirty_persons.is_empty() {
            self.refresh_groups();
        }
        let touched: Vec<u32> = self.dirty_prolific.drain().collect();
        self.touched_persons.extend(touched.iter().copied());
        self.unpublished_prolific.extend(touched);
    }

    /// The views and packages of what was recomputed since the last publish.
    pub(crate) fn publish_touched(&mut self) -> Vec<IntelligencePackage> {
        let mut emitted = Vec::new();
        // Groups with only a new outcome are republished from the view of their last publish.
        let outcome_only: Vec<GroupId> = std::mem::take(&mut self.outcome_groups)
            .into_iter()
            .filter(|g| !self.unpublished_groups.contains(g))
            .collect();
        for id in outcome_only {
            if let Some(group) = self.groups.get(&id) {
                let package = build_package(self.group_profile(&group.view));
                self.offer(package, &mut emitted);
            }
        }
        for id in std::mem::take(&mut self.unpublished_groups) {
            let Some(group) = self.groups.get(&id) else {
                let reason = "the group no longer meets the thresholds (split, merged or corrected)";
                self.withdraw(&package_id(id.as_str()), reason, &mut emitted);
                continue;
            };
            let incidents = self.group_incidents(&group.members);
            let view = self.group_view(&id, &group.members, &group.edges, &incidents);
            let package = build_package(self.group_profile(&view));
            if let Some(group) = self.groups.get_mut(&id) {
                group.view = view;
            }
            self.dirty_groups.insert(id);
            self.offer(package, &mut emitted);
        }
        let mut touched: Vec<u32> = self.unpublished_prolific.drain().collect();
        touched.sort_unstable();
        self.refresh_prolific(&touched, &mut emitted);
        emitted.sort_by(|a, b| a.id.cmp(&b.id));
        emitted
    }

    fn refresh_groups(&mut self) {
        let mut dirty: Vec<u32> = self.dirty_persons.drain().collect();
        dirty.sort_unstable();
        let mut affected: BTreeSet<GroupId> = dirty.iter().filter_map(|p| self.group_of.get(p).cloned()).collect();
        // Persons merged away leave their community.
        for &person in &dirty {
            if !self.persons.is_canonical(person) && self.community.remove(&person).is_some() {
                self.dirty_communities.insert(person);
            }
        }
        let mut seeds: Vec<u32> = dirty.iter().map(|&p| self.persons.canonical(p)).collect();
        for group in &affected {
            seeds.extend(self.groups[group].members.iter().map(|&p| self.persons.canonical(p)));
        }
        seeds.sort_unstable();
        seeds.dedup();
        // Persons left without incidents (all relinked away) are on their own.
        for &person in &seeds {
            if self.persons.incidents[person as usize].is_empty() && self.community.remove(&person).is_some() {
                self.dirty_communities.insert(person);
            }
        }

        let mut cache = std::mem::take(&mut self.tie_cache);
        let projection = self.project(&seeds, &mut cache);
        self.tie_cache = cache;
        self.last_refresh = (projection.persons.len() as u64, projection.edges.len() as u64);
        affected.extend(projection.persons.iter().filter_map(|p| self.group_of.get(p).cloned()));
        let communities = self.detect(&projection);
        self.relabel(&projection, &communities);

        // Which communities are groups, and which old group each continues.
        let mut community_of = vec![0usize; projection.persons.len()];
        for (index, community) in communities.iter().enumerate() {
            for &local in community {
                community_of[local as usize] = index;
            }
        }
        let mut inner_edges: Vec<Vec<&PairLink>> = vec![Vec::new(); communities.len()];
        for edge in &projection.edges {
            let community = community_of[edge.a as usize];
            if community == community_of[edge.b as usize] {
                inner_edges[community].push(edge);
            }
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for (community, edges) in communities.iter().zip(&inner_edges) {
            if community.len() < self.config.groups.min_members {
                continue;
            }
            let candidate = candidate_of(&projection, community, edges);
            if self.qualifies(&candidate) {
                candidates.push(candidate);
            }
        }
        let ids = self.match_groups(&affected, &candidates);
        self.touched_groups.extend(affected.iter().cloned());
        self.touched_groups.extend(ids.iter().cloned());

        let before: Vec<(u32, GroupId)> =
            affected.iter().flat_map(|g| self.groups[g].members.iter().map(move |&m| (m, g.clone()))).collect();
        let mut views: BTreeMap<GroupId, GroupView> = BTreeMap::new();
        for group in &affected {
            if let Some(old) = self.groups.remove(group) {
                for member in old.members {
                    if self.group_of.get(&member) == Some(group) {
                        self.group_of.remove(&member);
                    }
                }
                views.insert(group.clone(), old.view);
            }
        }
        // Dissolved groups are withdrawn and the others built when published.
        self.dirty_groups.extend(affected.iter().cloned());
        self.unpublished_groups.extend(affected.iter().cloned());
        // Members of a group have their own standing re-judged (profiled by the group or not).
        for candidate in &candidates {
            self.dirty_prolific.extend(candidate.members.iter().copied());
        }
        for (candidate, id) in candidates.into_iter().zip(ids) {
            for &member in &candidate.members {
                self.group_of.insert(member, id.clone());
            }
            let view = views.remove(&id).unwrap_or_default();
            let state = GroupState { members: candidate.members, edges: candidate.edges, view };
            self.groups.insert(id.clone(), state);
            self.dirty_groups.insert(id.clone());
            self.unpublished_groups.insert(id);
        }
        // Whoever left a group has their own standing re-judged.
        for (member, group) in before {
            if self.group_of.get(&member) != Some(&group) {
                self.dirty_prolific.insert(member);
            }
        }
    }

    /// Leiden on the projection, warm-started from the stored communities. Communities as sorted
    /// local indices, in order of their first person.
    fn detect(&self, projection: &Projection) -> Vec<Vec<u32>> {
        let edges: Vec<(u32, u32, f64)> = projection.edges.iter().map(|e| (e.a, e.b, e.weight())).collect();
        let graph =
            Graph::from_edges(projection.persons.len(), &edges).expect("projection edges are in range and finite");
        let mut dense: FxHashMap<u64, u32> = FxHashMap::default();
        let mut next = 0u32;
        let initial: Vec<u32> = projection
            .persons
            .iter()
            .map(|p| match self.community.get(p) {
                Some(&label) => *dense.entry(label).or_insert_with(|| {
                    next += 1;
                    next - 1
                }),
                None => {
                    next += 1;
                    next - 1
                }
            })
            .collect();
        let partition = leiden(&graph, &self.config.community.leiden(), Some(&initial));
        let mut communities: Vec<Vec<u32>> = vec![Vec::new(); partition.community_count()];
        for (index, &community) in partition.membership.iter().enumerate() {
            communities[community as usize].push(index as u32);
        }
        communities.retain(|c| !c.is_empty());
        communities
    }

    /// Stores each community's label: the most common previous label among its members when no
    /// earlier community took it, else a new one. Persons alone have no label.
    fn relabel(&mut self, projection: &Projection, communities: &[Vec<u32>]) {
        let mut taken: BTreeSet<u64> = BTreeSet::new();
        for community in communities {
            let persons: Vec<u32> = community.iter().map(|&i| projection.persons[i as usize]).collect();
            if persons.len() < 2 {
                for person in persons {
                    if self.community.remove(&person).is_some() {
                        self.dirty_communities.insert(person);
                    }
                }
                continue;
            }
            let mut votes: BTreeMap<u64, usize> = BTreeMap::new();
            for person in &persons {
                if let Some(&label) = self.community.get(person) {
                    *votes.entry(label).or_default() += 1;
                }
            }
            let reused = votes
                .iter()
                .filter(|(label, _)| !taken.contains(label))
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(&label, _)| label);
            let label = reused.unwrap_or_else(|| {
                self.next_community += 1;
                self.dirty_meta = true;
                self.next_community - 1
            });
            taken.insert(label);
            for person in persons {
                if self.community.insert(person, label) != Some(label) {
                    self.dirty_communities.insert(person);
                }
            }
        }
    }

    /// The id of each candidate: the affected old group it overlaps most (one-to-one, largest
    /// overlaps first, ties to the smaller id), else a new id.
    fn match_groups(&mut self, affected: &BTreeSet<GroupId>, candidates: &[Candidate]) -> Vec<GroupId> {
        let mut overlaps: Vec<(usize, &GroupId, usize)> = Vec::new();
        for group in affected {
            let old: BTreeSet<u32> = self.groups[group].members.iter().map(|&p| self.persons.canonical(p)).collect();
            for (index, candidate) in candidates.iter().enumerate() {
                let shared = candidate.members.iter().filter(|p| old.contains(p)).count();
                if shared > 0 {
                    overlaps.push((shared, group, index));
                }
            }
        }
        overlaps.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
        let mut ids: Vec<Option<GroupId>> = vec![None; candidates.len()];
        let mut used: BTreeSet<&GroupId> = BTreeSet::new();
        for (_, group, index) in overlaps {
            if ids[index].is_none() && !used.contains(group) {
                used.insert(group);
                ids[index] = Some(group.clone());
            }
        }
        ids.into_iter()
            .map(|id| {
                id.unwrap_or_else(|| {
                    let id = GroupId::new(sequential_id('G', self.next_group));
                    self.next_group += 1;
                    self.dirty_meta = true;
                    id
                })
            })
            .collect()
    }
}

/// A community's members and the links among them, indexed by position in `members`.
fn candidate_of(projection: &Projection, community: &[u32], edges: &[&PairLink]) -> Candidate {
    let position: FxHashMap<u32, u32> = community.iter().enumerate().map(|(i, &local)| (local, i as u32)).collect();
    let edges = edges
        .iter()
        .filter_map(|edge| {
            let (a, b) = (*position.get(&edge.a)?, *position.get(&edge.b)?);
            Some(PairLink { a: a.min(b), b: a.max(b), ..(*edge).clone() })
        })
        .collect();
    Candidate { members: community.iter().map(|&i| projection.persons[i as usize]).collect(), edges }
}
