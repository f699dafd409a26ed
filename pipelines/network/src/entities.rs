//! Persons or vehicles by number: interned ids, merge redirects, split lineage, and the incidents
//! each canonical entity appears in.

use rustc_hash::FxHashMap;

/// The entities of one kind. Numbers are internal and depend on arrival order; everything that
/// leaves the linker uses ids, and everything ordered uses ids, so a restored linker (which numbers
/// differently) behaves the same.
#[derive(Clone, Debug, Default)]
pub struct Entities {
    ids: Vec<String>,
    numbers: FxHashMap<String, u32>,
    /// The entity this one was merged into.
    redirect: Vec<Option<u32>>,
    /// The entity this one was split from.
    pub lineage: Vec<Option<u32>>,
    /// Incident numbers of a canonical entity, increasing, without repeats. Empty once merged.
    pub incidents: Vec<Vec<u32>>,
    /// Entities redirected straight to this one.
    merged_in: Vec<Vec<u32>>,
}

impl Entities {
    pub fn intern(&mut self, id: &str) -> u32 {
        if let Some(&number) = self.numbers.get(id) {
            return number;
        }
        let number = self.ids.len() as u32;
        self.ids.push(id.to_owned());
        self.numbers.insert(id.to_owned(), number);
        self.redirect.push(None);
        self.lineage.push(None);
        self.incidents.push(Vec::new());
        self.merged_in.push(Vec::new());
        number
    }

    pub fn number(&self, id: &str) -> Option<u32> {
        self.numbers.get(id).copied()
    }

    pub fn id(&self, number: u32) -> &str {
        &self.ids[number as usize]
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The entity a number stands for now, following merges.
    pub fn canonical(&self, mut number: u32) -> u32 {
        // Chains are short (a merged entity is never a survivor again), but guard against cycles.
        for _ in 0..64 {
            match self.redirect[number as usize] {
                Some(next) if next != number => number = next,
                _ => return number,
            }
        }
        number
    }

    pub fn is_canonical(&self, number: u32) -> bool {
        self.redirect[number as usize].is_none()
    }

    pub fn redirect_of(&self, number: u32) -> Option<u32> {
        self.redirect[number as usize]
    }

    pub fn set_redirect(&mut self, number: u32, target: Option<u32>) {
        if let Some(old) = self.redirect[number as usize] {
            self.merged_in[old as usize].retain(|&n| n != number);
        }
        if let Some(new) = target {
            self.merged_in[new as usize].push(number);
        }
        self.redirect[number as usize] = target;
    }

    /// Every id that redirects (directly or through others) to this entity.
    pub fn merged_into(&self, number: u32) -> Vec<u32> {
        let mut found = Vec::new();
        if self.merged_in[number as usize].is_empty() {
            return found;
        }
        // A set beside the list: an entity with thousands of merged ids made `contains` quadratic
        // (a quarter of the review queue's time at a million incidents).
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack = vec![number];
        while let Some(entity) = stack.pop() {
            for &merged in &self.merged_in[entity as usize] {
                if merged != number && seen.insert(merged) {
                    found.push(merged);
                    stack.push(merged);
                }
            }
        }
        found
    }

    pub fn canonical_count(&self) -> usize {
        self.redirect.iter().filter(|r| r.is_none()).count()
    }

    /// Adds an incident to an entity's list.
    pub fn add_incident(&mut self, number: u32, incident: u32) {
        let list = &mut self.incidents[number as usize];
        if let Err(at) = list.binary_search(&incident) {
            list.insert(at, incident);
        }
    }

    pub fn remove_incident(&mut self, number: u32, incident: u32) {
        let list = &mut self.incidents[number as usize];
        if let Ok(at) = list.binary_search(&incident) {
            list.remove(at);
        }
    }

    /// Moves every incident of `merged` to `survivor` and redirects `merged`; returns the incidents
    /// moved.
    pub fn merge(&mut self, survivor: u32, merged: u32) -> Vec<u32> {
        let moved = std::mem::take(&mut self.incidents[merged as usize]);
        let list = &mut self.incidents[survivor as usize];
        list.extend_from_slice(&moved);
        list.sort_unstable();
        list.dedup();
        self.set_redirect(merged, Some(survivor));
        moved
    }
}
