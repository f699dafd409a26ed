//! [`StoreDirectory`]: the registered stores ingest validates against, kept in memory, loaded from
//! the store at start, extended by every registration made here, and reloaded (rate-limited) when a
//! record names a store this instance has not seen, since another instance may have registered it.

use crate::Result;
use crate::registration::check_registrations;
use orca_model::StoreRegistry;
use orca_proto::convert::problem_to_proto;
use orca_proto::v1;
use orca_store::Store;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub(crate) struct StoreDirectory {
    current: RwLock<Arc<StoreRegistry>>,
    loaded_at: Mutex<Instant>,
    /// One registration at a time, so two retailers cannot both claim a new store id here.
    registering: tokio::sync::Mutex<()>,
}

impl StoreDirectory {
    pub async fn load(store: &dyn Store) -> Result<Self> {
        let registry = StoreRegistry::new(store.stores().await?);
        tracing::info!(stores = registry.len(), "loaded the store registry");
        Ok(Self {
            current: RwLock::new(Arc::new(registry)),
            loaded_at: Mutex::new(Instant::now()),
            registering: tokio::sync::Mutex::new(()),
        })
    }

    /// The registry as it is now; later changes do not affect the snapshot.
    pub fn snapshot(&self) -> Arc<StoreRegistry> {
        Arc::clone(&self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    pub async fn reload(&self, store: &dyn Store) -> Result<()> {
        let registry = StoreRegistry::new(store.stores().await?);
        *self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(registry);
        *self.loaded_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
        Ok(())
    }

    /// Reloads if the registry is older than `min_age`; says whether it did.
    pub async fn refresh_if_stale(&self, store: &dyn Store, min_age: Duration) -> Result<bool> {
        let loaded_at = *self.loaded_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if loaded_at.elapsed() < min_age {
            return Ok(false);
        }
        self.reload(store).await?;
        Ok(true)
    }

    /// Checks and registers `retailer`'s stores; stores with problems are left out and reported.
    pub async fn register(
        &self,
        store: &dyn Store,
        retailer: &str,
        registrations: &[v1::StoreRegistration],
    ) -> Result<v1::RegisterStoresResponse> {
        let _one_at_a_time = self.registering.lock().await;
        // Check against the database, not this instance's memory: another instance may have
        // registered the same ids. Only the requested ids are read, so registering many retailers
        // one after another is not quadratic in the stores already registered.
        let ids: Vec<&str> = registrations.iter().map(|r| r.store_id.trim()).filter(|id| !id.is_empty()).collect();
        let already = StoreRegistry::new(store.stores_with_ids(&ids).await?);
        let checked = check_registrations(retailer, registrations, &already);
        let accepted: Vec<_> = checked.iter().filter_map(|result| result.as_ref().ok().cloned()).collect();
        if !accepted.is_empty() {
            store.upsert_stores(&accepted).await?;
            let mut current = self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Copies the registry only if a request still holds the previous snapshot.
            let registry = Arc::make_mut(&mut current);
            for registered in accepted {
                registry.insert(registered);
            }
        }
        let results: Vec<_> = registrations
            .iter()
            .zip(checked)
            .map(|(registration, result)| v1::StoreRegistrationResult {
                store_id: registration.store_id.trim().to_owned(),
                registered: result.is_ok(),
                problems: result.err().unwrap_or_default().iter().map(problem_to_proto).collect(),
            })
            .collect();
        let registered = results.iter().filter(|result| result.registered).count() as u32;
        tracing::info!(retailer, registered, rejected = results.len() as u32 - registered, "registered stores");
        Ok(v1::RegisterStoresResponse { rejected: results.len() as u32 - registered, registered, results })
    }
}
