//! [`Authenticator`]: bearer credential → [`Caller`], by the key's hash in the store.
//!
//! Successful lookups are cached for a short time (default 60 s, at most 10 000 keys), so a busy
//! stream of unary calls does not hit the database for every request; a revoked key therefore stays
//! usable for at most the cache's time to live. Failures are never cached.

use crate::bearer::{authorization_from_headers, authorization_from_metadata, parse_bearer};
use crate::key::{IssuedKey, generate_key, hash_key};
use crate::{AuthError, Caller, Result};
use axum::http::HeaderMap;
use orca_store::{Principal, PrincipalKind, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tonic::metadata::MetadataMap;

/// How long and how many successful authentications are remembered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    pub ttl: Duration,
    pub capacity: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { ttl: Duration::from_secs(60), capacity: 10_000 }
    }
}

/// Authenticates bearer credentials against the principals in the store. Cheap to share (`Arc`).
pub struct Authenticator {
    store: Arc<dyn Store>,
    cache_config: CacheConfig,
    /// Key hash → caller and when the entry expires.
    cache: Mutex<HashMap<String, (Caller, Instant)>>,
}

impl Authenticator {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_cache(store, CacheConfig::default())
    }

    /// An authenticator with its own cache settings (`capacity` 0 turns caching off).
    pub fn with_cache(store: Arc<dyn Store>, cache_config: CacheConfig) -> Self {
        Self { store, cache_config, cache: Mutex::new(HashMap::new()) }
    }

    /// Authenticates the value of an `authorization` header (`None` when there was none).
    pub async fn authenticate_bearer(&self, header_value: Option<&str>) -> Result<Caller> {
        let key = parse_bearer(header_value)?;
        self.authenticate_key(key).await
    }

    /// Authenticates the `authorization` metadata of a gRPC request.
    pub async fn authenticate_metadata(&self, metadata: &MetadataMap) -> Result<Caller> {
        self.authenticate_bearer(authorization_from_metadata(metadata)?).await
    }

    /// Authenticates the `Authorization` header of an HTTP request.
    pub async fn authenticate_headers(&self, headers: &HeaderMap) -> Result<Caller> {
        self.authenticate_bearer(authorization_from_headers(headers)?).await
    }

    /// Authenticates a bare key.
    pub async fn authenticate_key(&self, key: &str) -> Result<Caller> {
        let key_hash = hash_key(key);
        if let Some(caller) = self.cached(&key_hash) {
            return Ok(caller);
        }
        let principal = self.store.principal_by_key_hash(&key_hash).await.inspect_err(|error| {
            tracing::warn!(%error, "cannot look up a principal");
        })?;
        let Some(principal) = principal else {
            tracing::info!("rejected an unknown key");
            return Err(AuthError::UnknownKey);
        };
        let caller = Caller::from(&principal);
        self.remember(key_hash, caller.clone());
        Ok(caller)
    }

    /// Generates a key for `subject`, registers its hash in the store, and returns the key to hand
    /// over (once: it cannot be recovered later).
    pub async fn issue_key(&self, kind: PrincipalKind, subject: &str) -> Result<IssuedKey> {
        let issued = generate_key(kind, subject);
        let created_at_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64);
        let principal = Principal {
            key_hash: issued.key_hash(),
            key_id: issued.key_id.clone(),
            kind,
            subject: subject.to_owned(),
            created_at_ms,
        };
        self.store.put_principal(&principal).await?;
        tracing::info!(key_id = %issued.key_id, kind = kind.as_str(), "issued a key");
        Ok(issued)
    }

    /// Forgets every cached authentication (after revoking keys, say).
    pub fn clear_cache(&self) {
        self.lock_cache().clear();
    }

    fn cached(&self, key_hash: &str) -> Option<Caller> {
        let mut cache = self.lock_cache();
        match cache.get(key_hash) {
            Some((caller, expires)) if *expires > Instant::now() => Some(caller.clone()),
            Some(_) => {
                cache.remove(key_hash);
                None
            }
            None => None,
        }
    }

    fn remember(&self, key_hash: String, caller: Caller) {
        if self.cache_config.capacity == 0 {
            return;
        }
        let mut cache = self.lock_cache();
        if cache.len() >= self.cache_config.capacity {
            let now = Instant::now();
            cache.retain(|_, (_, expires)| *expires > now);
            if cache.len() >= self.cache_config.capacity {
                cache.clear();
            }
        }
        cache.insert(key_hash, (caller, Instant::now() + self.cache_config.ttl));
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Caller, Instant)>> {
        // The map holds no invariant a panicking holder could break, so a poisoned lock is usable.
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orca_store::SqlStore;
    use secrecy::ExposeSecret;

    async fn store() -> (SqlStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("orca.db").display());
        (SqlStore::connect(&url).await.expect("sqlite store"), dir)
    }

    #[tokio::test]
    async fn an_issued_key_authenticates_as_its_principal() {
        let (store, _dir) = store().await;
        let auth = Authenticator::new(Arc::new(store));
        let issued = auth.issue_key(PrincipalKind::Retailer, "northmart").await.unwrap();
        let header = format!("Bearer {}", issued.secret.expose_secret());
        let caller = auth.authenticate_bearer(Some(&header)).await.unwrap();
        assert_eq!(
            caller,
            Caller { key_id: issued.key_id.clone(), kind: PrincipalKind::Retailer, subject: "northmart".into() }
        );
    }

    #[tokio::test]
    async fn missing_malformed_and_unknown_keys_are_told_apart_without_echoing_the_key() {
        let (store, _dir) = store().await;
        let auth = Authenticator::new(Arc::new(store));
        assert!(matches!(auth.authenticate_bearer(None).await, Err(AuthError::MissingCredentials)));
        assert!(matches!(
            auth.authenticate_bearer(Some("Token orca_retailer_00")).await,
            Err(AuthError::MalformedCredentials)
        ));
        let unknown = "orca_retailer_0123456789abcdef0123456789abcdef";
        let error = auth.authenticate_bearer(Some(&format!("Bearer {unknown}"))).await.unwrap_err();
        assert!(matches!(error, AuthError::UnknownKey));
        assert!(!error.to_string().contains(unknown));
        assert!(!tonic::Status::from(error).message().contains(unknown));
    }

    #[tokio::test]
    async fn a_recent_authentication_is_served_from_the_cache() {
        let (store, _dir) = store().await;
        let handle = store.clone();
        let auth = Authenticator::new(Arc::new(store));
        let issued = auth.issue_key(PrincipalKind::Force, "kent").await.unwrap();
        let key = issued.secret.expose_secret();
        auth.authenticate_key(key).await.unwrap();

        handle.close().await;
        let cached = auth.authenticate_key(key).await.expect("served from the cache");
        assert_eq!(cached.force(), Some("kent"));
        auth.clear_cache();
        let error = auth.authenticate_key(key).await.expect_err("the store is closed");
        assert!(matches!(error, AuthError::Store(_)));
        assert_eq!(error.codes().0, tonic::Code::Unavailable, "a closed pool is worth retrying");
    }

    #[tokio::test]
    async fn caching_can_be_turned_off() {
        let (store, _dir) = store().await;
        let handle = store.clone();
        let auth =
            Authenticator::with_cache(Arc::new(store), CacheConfig { ttl: Duration::from_secs(60), capacity: 0 });
        let issued = auth.issue_key(PrincipalKind::Analyst, "jo").await.unwrap();
        auth.authenticate_key(issued.secret.expose_secret()).await.unwrap();
        handle.close().await;
        assert!(auth.authenticate_key(issued.secret.expose_secret()).await.is_err());
    }
}
