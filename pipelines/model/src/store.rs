//! Retailers' stores. Each store belongs to exactly one force, assigned at onboarding.

use crate::ids::{ForceId, RetailerId, StoreId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Store {
    pub id: StoreId,
    pub retailer: RetailerId,
    pub name: String,
    pub postcode: String,
    pub force: ForceId,
    pub lat: f64,
    pub lon: f64,
}

/// A store's name and position as ingest stamps them on an incident, so what is built from
/// incidents (packages and their maps) can say where offences happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct StoreLocation {
    pub name: String,
    pub postcode: String,
    pub lat: f64,
    pub lon: f64,
}

impl Store {
    pub fn location(&self) -> StoreLocation {
        StoreLocation { name: self.name.clone(), postcode: self.postcode.clone(), lat: self.lat, lon: self.lon }
    }
}

/// Every registered store, looked up by id.
#[derive(Clone, Debug, Default)]
pub struct StoreRegistry {
    stores: HashMap<StoreId, Store>,
}

impl StoreRegistry {
    pub fn new(stores: impl IntoIterator<Item = Store>) -> Self {
        Self { stores: stores.into_iter().map(|s| (s.id.clone(), s)).collect() }
    }

    pub fn get(&self, id: &StoreId) -> Option<&Store> {
        self.stores.get(id)
    }

    pub fn insert(&mut self, store: Store) {
        self.stores.insert(store.id.clone(), store);
    }

    pub fn len(&self) -> usize {
        self.stores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Store> {
        self.stores.values()
    }
}
