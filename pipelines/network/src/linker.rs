//! [`Linker`]: the linker's whole state and its public entry points. The work is done in
//! [`crate::ingest`] (apply), [`crate::refresh`] (recompute), [`crate::persist`] (state changes and
//! restore) and [`crate::views`] (what analysts and eval read).

use crate::communities::Communities;
use crate::config::LinkerConfig;
use crate::emitted::EmittedPackage;
use crate::entities::Entities;
use crate::ingest::Applied;
use crate::pairs::PairIndex;
use crate::projection::{PairLink, TieCache};
use crate::records::IncidentRecord;
use crate::views::{GroupView, LinkerStats};
use orca_model::package::{IntelligencePackage, PackageOutcome, PackageStore};
use orca_model::{EntityKind, GroupId, IncidentId, PackageId, PersonId, Resolution, StoreId};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};

/// An incident's links by entity number, parallel to its record's `persons` and `vehicles`.
/// Numbers are canonical when written; read them through `canonical` after later merges.
#[derive(Clone, Debug, Default)]
pub(crate) struct IncidentLinks {
    pub persons: Vec<u32>,
    pub vehicles: Vec<u32>,
}

/// A detected group as the linker keeps it.
#[derive(Clone, Debug)]
pub(crate) struct GroupState {
    /// Canonical person numbers.
    pub members: Vec<u32>,
    /// The links among the members (indices into `members`), as the last recompute found them:
    /// what the view is built from when it is published (with the group's incidents, found then).
    /// Empty after a restore until the group is recomputed.
    pub edges: Vec<PairLink>,
    /// The view as of the last publish.
    pub view: GroupView,
}

/// The link graph, its communities, the organised crime groups and their packages.
///
/// Feed it resolutions with [`Linker::apply`], then call [`Linker::refresh`] to recompute what they
/// touched and get the packages whose content changed. Pure and deterministic: the same resolutions
/// give the same groups, ids and packages, with no clock read anywhere. CPU-bound: call it from a
/// blocking thread, not from an async task.
pub struct Linker {
    pub(crate) config: LinkerConfig,
    pub(crate) incidents: Vec<IncidentRecord>,
    pub(crate) links: Vec<IncidentLinks>,
    pub(crate) incident_numbers: FxHashMap<IncidentId, u32>,
    /// Incidents that left some persons' offending (withdrawn, or corrected away from them), in
    /// the order they did: see `IncidentRecord::former_persons`.
    pub(crate) departed: Vec<u32>,
    pub(crate) persons: Entities,
    pub(crate) vehicles: Entities,
    /// Normalised marker code → persons (numbers as written) whose sightings carried it.
    pub(crate) marker_carriers: FxHashMap<String, Vec<u32>>,
    /// When the latest incident held happened (seconds since the epoch): the time co-offending
    /// decays back from.
    pub(crate) latest_incident: i64,
    /// The incidents every two persons share, with running sums for their decayed weight.
    pub(crate) pairs: PairIndex,
    /// Summaries of persons' and vehicles' histories, kept up to date between recomputes.
    pub(crate) tie_cache: TieCache,
    /// Community label of persons in communities of two or more (others are on their own).
    pub(crate) community: Communities,
    pub(crate) groups: BTreeMap<GroupId, GroupState>,
    pub(crate) group_of: FxHashMap<u32, GroupId>,
    /// The last version of every package emitted.
    pub(crate) packages: BTreeMap<PackageId, EmittedPackage>,
    /// Where each store is, as the latest incident from it said (for packages' maps).
    pub(crate) stores: BTreeMap<StoreId, PackageStore>,
    /// Outcomes forces recorded, by package, in arrival order.
    pub(crate) outcomes: BTreeMap<PackageId, Vec<PackageOutcome>>,
    pub(crate) next_group: u64,
    pub(crate) next_community: u64,
    // What changed since the last refresh, and since the last `take_changes`.
    pub(crate) dirty_persons: FxHashSet<u32>,
    /// Persons whose own incidents changed: their prolific-offender standing is re-judged.
    pub(crate) dirty_prolific: FxHashSet<u32>,
    pub(crate) dirty_incidents: FxHashSet<u32>,
    pub(crate) dirty_redirects: Vec<(EntityKind, u32)>,
    pub(crate) dirty_communities: FxHashSet<u32>,
    pub(crate) dirty_groups: FxHashSet<GroupId>,
    pub(crate) dirty_packages: FxHashSet<PackageId>,
    pub(crate) dirty_stores: BTreeSet<StoreId>,
    pub(crate) dirty_outcomes: Vec<PackageOutcome>,
    pub(crate) dirty_meta: bool,
    /// Groups recomputed (or dissolved) and persons re-judged since the last publish: their views
    /// and packages are built when [`Linker::publish`] is called.
    pub(crate) unpublished_groups: BTreeSet<GroupId>,
    pub(crate) unpublished_prolific: FxHashSet<u32>,
    /// Groups with a new outcome and nothing else new: republished from their stored view.
    pub(crate) outcome_groups: BTreeSet<GroupId>,
    /// Persons and links of the last refresh's projection.
    pub(crate) last_refresh: (u64, u64),
    /// Persons and groups whose analyst views may have changed since the last `take_touched`.
    pub(crate) touched_persons: BTreeSet<u32>,
    pub(crate) touched_groups: BTreeSet<GroupId>,
}

impl Linker {
    pub fn new(config: LinkerConfig) -> Self {
        Self {
            latest_incident: i64::MIN,
            pairs: PairIndex::new(&config.links),
            config,
            incidents: Vec::new(),
            links: Vec::new(),
            incident_numbers: FxHashMap::default(),
            departed: Vec::new(),
            persons: Entities::default(),
            vehicles: Entities::default(),
            marker_carriers: FxHashMap::default(),
            tie_cache: TieCache::default(),
            community: Communities::default(),
            groups: BTreeMap::new(),
            group_of: FxHashMap::default(),
            packages: BTreeMap::new(),
            stores: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            next_group: 1,
            next_community: 1,
            dirty_persons: FxHashSet::default(),
            dirty_prolific: FxHashSet::default(),
            dirty_incidents: FxHashSet::default(),
            dirty_redirects: Vec::new(),
            dirty_communities: FxHashSet::default(),
            dirty_groups: FxHashSet::default(),
            dirty_packages: FxHashSet::default(),
            dirty_stores: BTreeSet::new(),
            dirty_outcomes: Vec::new(),
            dirty_meta: false,
            unpublished_groups: BTreeSet::new(),
            unpublished_prolific: FxHashSet::default(),
            outcome_groups: BTreeSet::new(),
            last_refresh: (0, 0),
            touched_persons: BTreeSet::new(),
            touched_groups: BTreeSet::new(),
        }
    }

    /// Persons (canonical ids) and groups whose views may have changed in the refreshes since the
    /// last call: everyone whose incidents, vehicles or group membership changed, and every group
    /// that was recomputed or withdrawn. Which persons are touched depends only on the input, not
    /// on where refreshes fell, so views written for them match an uninterrupted run.
    pub fn take_touched(&mut self) -> (Vec<PersonId>, Vec<GroupId>) {
        let mut persons: Vec<PersonId> = std::mem::take(&mut self.touched_persons)
            .into_iter()
            .map(|p| PersonId::new(self.persons.id(self.persons.canonical(p))))
            .collect();
        persons.sort();
        persons.dedup();
        (persons, std::mem::take(&mut self.touched_groups).into_iter().collect())
    }

    pub fn config(&self) -> &LinkerConfig {
        &self.config
    }

    /// Applies one resolution; idempotent per incident id (a redelivered resolution changes
    /// nothing). Merges redirect the merged ids to the survivor; splits give the new ids lineage and
    /// free an id that had been merged in; a re-sent incident whose links changed is relinked, and
    /// so is an incident held already when a relink (no incident, after an analyst's decision)
    /// re-states its links. A relink of an incident not held is ignored
    /// ([`Applied::UnknownIncident`]).
    pub fn apply(&mut self, resolution: &Resolution) -> Applied {
        self.apply_resolution(resolution)
    }

    /// Records an outcome a force recorded against a package; idempotent per outcome id. The
    /// package gets a new version carrying it at the next [`Linker::publish`] (if it still
    /// stands; a withdrawn package keeps the outcome for when it returns). Returns whether the
    /// outcome was new.
    pub fn record_outcome(&mut self, outcome: PackageOutcome) -> bool {
        self.add_outcome(outcome)
    }

    /// Recomputes the regions the applied resolutions touched (communities, groups,
    /// scores, prolific offenders) and returns every package whose content changed, with its new
    /// version, sorted by package id: [`Linker::recompute`] then [`Linker::publish`].
    pub fn refresh(&mut self) -> Vec<IntelligencePackage> {
        self.recompute();
        self.publish()
    }

    /// Decides what the applied resolutions change: communities, which communities are groups and
    /// their ids, who is in which group, whose prolific-offender standing must be re-judged. Cheap
    /// next to [`Linker::publish`]; call it after every resolution so the decisions depend only on
    /// the order of the input.
    pub fn recompute(&mut self) {
        self.recompute_touched();
    }

    /// Builds the views and packages of everything recomputed since the last publish and returns
    /// every package whose content changed, numbered, sorted by package id. Publishing after a
    /// batch of recomputes gives each package one version for the batch, with the content that
    /// publishing after every recompute would have ended with: the intermediate versions are
    /// skipped, nothing else differs. Views ([`Linker::group`]) and [`Linker::take_changes`] are
    /// up to date only after a publish.
    pub fn publish(&mut self) -> Vec<IntelligencePackage> {
        self.publish_touched()
    }

    /// Counts for monitoring.
    pub fn stats(&self) -> LinkerStats {
        LinkerStats {
            incidents: self.incidents.len() as u64,
            persons: self.persons.canonical_count() as u64,
            vehicles: self.vehicles.canonical_count() as u64,
            merged_ids: (self.persons.len() - self.persons.canonical_count() + self.vehicles.len()
                - self.vehicles.canonical_count()) as u64,
            groups: self.groups.len() as u64,
            packages: self.packages.len() as u64,
            pending_persons: self.dirty_persons.len() as u64,
            last_refresh_persons: self.last_refresh.0,
            last_refresh_links: self.last_refresh.1,
        }
    }
}
