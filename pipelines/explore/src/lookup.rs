//! Looking things up in the read model by id, and the small facts the search service and the
//! analysts' API read: an entity's incidents, merged ids and lineage, an incident's place.

use crate::incidents::IncidentNode;
use crate::workspace::Workspace;
use orca_model::{DecisionResult, EntityKind, IncidentId};

/// How an id was found: its canonical number, and the id asked for when that was merged away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub number: u32,
    pub redirected_from: Option<String>,
}

/// Counts for monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceStats {
    pub incidents: usize,
    pub persons: usize,
    pub vehicles: usize,
    pub groups: usize,
    pub awaiting_review: usize,
}

/// An entity's merge redirect and split lineage, by id, for keeping the read model on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntityMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<String>,
}

impl Workspace {
    pub fn incident_number(&self, id: &str) -> Option<u32> {
        self.incident_numbers.get(&IncidentId::new(id.trim())).copied()
    }

    pub fn incident(&self, number: u32) -> &IncidentNode {
        &self.incidents[number as usize]
    }

    /// A person or vehicle by id, following merges to the survivor.
    pub fn find(&self, kind: EntityKind, id: &str) -> Option<Found> {
        let id = id.trim();
        let entities = self.entities(kind);
        let number = entities.number(id)?;
        let canonical = entities.canonical(number);
        // An id seen only as a candidate or a group member, never in an incident, is not known.
        if entities.incidents[canonical as usize].is_empty() && entities.merged_into(canonical).is_empty() {
            return None;
        }
        let redirected_from = (canonical != number).then(|| id.to_owned());
        Some(Found { number: canonical, redirected_from })
    }

    pub fn entity_id(&self, kind: EntityKind, number: u32) -> &str {
        self.entities(kind).id(number)
    }

    /// The canonical entity a sighting (incident id, index) belongs to now.
    pub fn entity_of_sighting(&self, kind: EntityKind, incident: &str, index: u32) -> Option<u32> {
        let node = &self.incidents[self.incident_number(incident)? as usize];
        let links = if kind == EntityKind::Person { &node.persons } else { &node.vehicles };
        let link = links.iter().find(|l| l.index == index)?;
        Some(self.entities(kind).canonical(link.entity))
    }

    /// The canonical number of an entity number.
    pub fn canonical_number(&self, kind: EntityKind, number: u32) -> u32 {
        self.entities(kind).canonical(number)
    }

    /// The canonical number of an id, if known.
    pub fn canonical(&self, kind: EntityKind, id: &str) -> Option<u32> {
        let entities = self.entities(kind);
        entities.number(id).map(|n| entities.canonical(n))
    }

    /// The incidents of a canonical entity, in arrival order.
    pub fn incidents_of(&self, kind: EntityKind, number: u32) -> &[u32] {
        &self.entities(kind).incidents[number as usize]
    }

    /// Ids merged into a canonical entity, sorted.
    pub fn merged_ids(&self, kind: EntityKind, number: u32) -> Vec<String> {
        let entities = self.entities(kind);
        let mut ids: Vec<String> =
            entities.merged_into(number).into_iter().map(|n| entities.id(n).to_owned()).collect();
        ids.sort();
        ids
    }

    /// The entity a canonical entity was split from.
    pub fn split_from(&self, kind: EntityKind, number: u32) -> Option<String> {
        let entities = self.entities(kind);
        entities.lineage[number as usize].map(|n| entities.id(n).to_owned())
    }

    pub fn force_of(&self, node: &IncidentNode) -> &str {
        self.forces.text(node.force)
    }

    pub fn store_of(&self, node: &IncidentNode) -> &str {
        self.stores.text(node.store)
    }

    pub fn retailer_of(&self, node: &IncidentNode) -> &str {
        self.retailers.text(node.retailer)
    }

    /// What became of an analyst's decision, once the resolver has answered it.
    pub fn decision(&self, decision_id: &str) -> Option<&DecisionResult> {
        self.decisions.get(decision_id)
    }

    pub fn stats(&self) -> WorkspaceStats {
        WorkspaceStats {
            incidents: self.incidents.len(),
            persons: self.persons.canonical_count(),
            vehicles: self.vehicles.canonical_count(),
            groups: self.groups.records.len(),
            awaiting_review: self.review.len(),
        }
    }

    /// Every sighting and its current canonical entity, in incident order: `(incident, index, id)`.
    pub fn assignments(&self, kind: EntityKind) -> Vec<(IncidentId, u32, String)> {
        let entities = self.entities(kind);
        let mut out = Vec::new();
        for node in &self.incidents {
            let links = match kind {
                EntityKind::Person => &node.persons,
                EntityKind::Vehicle => &node.vehicles,
            };
            for link in links {
                out.push((node.id.clone(), link.index, entities.id(entities.canonical(link.entity)).to_owned()));
            }
        }
        out
    }

    /// The redirect and lineage of an entity, by id.
    pub fn entity_meta(&self, kind: EntityKind, number: u32) -> EntityMeta {
        let entities = self.entities(kind);
        EntityMeta {
            redirect: entities.redirect_of(number).map(|n| entities.id(n).to_owned()),
            lineage: entities.lineage[number as usize].map(|n| entities.id(n).to_owned()),
        }
    }

    /// Restores an entity's redirect and lineage (after its incidents, when loading from disk).
    pub fn restore_entity_meta(&mut self, kind: EntityKind, id: &str, meta: &EntityMeta) {
        let number = self.intern_entity(kind, id);
        let lineage = meta.lineage.as_deref().map(|l| self.intern_entity(kind, l));
        let redirect = meta.redirect.as_deref().map(|r| self.intern_entity(kind, r));
        let entities = match kind {
            EntityKind::Person => &mut self.persons,
            EntityKind::Vehicle => &mut self.vehicles,
        };
        entities.lineage[number as usize] = lineage;
        if let Some(survivor) = redirect {
            let survivor = entities.canonical(survivor);
            if survivor != number && entities.canonical(number) != survivor {
                entities.merge(survivor, number);
            }
        }
    }
}
