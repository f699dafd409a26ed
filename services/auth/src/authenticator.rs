//! [`Authenticator`]: bearer credential → [`Caller`], by the key's hash in the store.
//!
//! Successful lookups are cached for a short time (default 5 s, the 10 000 keys used most recently), so a busy
//! stream of unary calls does not hit the database for every request; a key revoked elsewhere (by
//! `orca keys revoke`) therefore stays usable for at most those 5 seconds, and one revoked through
//! this authenticator not at all. A cached key's expiry and revocation time are checked on every
//! use. Failures are never cached.

use crate::bearer::{authorization_from_headers, authorization_from_metadata, parse_bearer};
use crate::key::{IssuedKey, generate_key, hash_key};
use crate::limits::{Rate, RateLimiter};
use crate::subject::{name_problem, subject_problem};
use crate::{AuthError, Caller, Result};
use axum::http::HeaderMap;
use lru::LruCache;
use orca_store::{KeyUnusable, Principal, PrincipalKind, Store};
use std::num::NonZeroUsize;
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
        Self { ttl: Duration::from_secs(5), capacity: 10_000 }
    }
}

/// Authenticates bearer credentials against the principals in the store. Cheap to share (`Arc`).
pub struct Authenticator {
    store: Arc<dyn Store>,
    cache_config: CacheConfig,
    /// Key hash → the key and when the entry expires; the least recently used goes when full.
    /// `None` when caching is off.
    cache: Option<Mutex<LruCache<String, (Principal, Instant)>>>,
    /// Requests per key, when limited.
    requests: Option<RateLimiter>,
}

/// A key to issue: to whom, held by whom, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRequest {
    pub kind: PrincipalKind,
    /// The retailer id, force slug or analyst name.
    pub subject: String,
    /// The person who will hold it (required for force keys: the audit names the officer).
    pub holder: String,
    /// When it stops working (ms since the epoch); `None` = never.
    pub expires_at_ms: Option<i64>,
}

/// Longest reason kept with a revoked key.
const MAX_REASON_CHARS: usize = 500;

/// A revocation's reason, trimmed, if it is printable text of a sensible length.
fn checked_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
        return Err(AuthError::InvalidSubject(format!(
            "a revocation's reason is printable text of 1 to {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(reason)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}

impl Authenticator {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_cache(store, CacheConfig::default())
    }

    /// An authenticator with its own cache settings (`capacity` 0 turns caching off).
    pub fn with_cache(store: Arc<dyn Store>, cache_config: CacheConfig) -> Self {
        let cache = NonZeroUsize::new(cache_config.capacity).map(|capacity| Mutex::new(LruCache::new(capacity)));
        Self { store, cache_config, cache, requests: None }
    }

    /// Limits every key to `rate` authenticated requests (a stream counts once).
    pub fn limiting_requests(mut self, rate: Rate) -> Self {
        self.requests = Some(RateLimiter::new(rate));
        self
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

    /// Authenticates a bare key: known, not revoked, not expired.
    pub async fn authenticate_key(&self, key: &str) -> Result<Caller> {
        let key_hash = hash_key(key);
        let principal = match self.cached(&key_hash) {
            Some(principal) => principal,
            None => {
                let principal = self.store.principal_by_key_hash(&key_hash).await.inspect_err(|error| {
                    tracing::warn!(%error, "cannot look up a principal");
                })?;
                let Some(principal) = principal else {
                    tracing::info!("rejected an unknown key");
                    return Err(AuthError::UnknownKey);
                };
                self.remember(key_hash, principal.clone());
                principal
            }
        };
        match principal.unusable_at(now_ms()) {
            None => {
                if let Some(limiter) = &self.requests {
                    limiter.try_take(&principal.key_id, 1.0).map_err(|wait| {
                        tracing::info!(key_id = %principal.key_id, "rate-limited a key");
                        AuthError::RateLimited(wait)
                    })?;
                }
                Ok(Caller::from(&principal))
            }
            Some(KeyUnusable::Revoked) => {
                tracing::info!(key_id = %principal.key_id, "rejected a revoked key");
                Err(AuthError::UnknownKey)
            }
            Some(KeyUnusable::Expired) => {
                tracing::info!(key_id = %principal.key_id, "rejected an expired key");
                Err(AuthError::ExpiredKey)
            }
        }
    }

    /// Generates a key for `subject`, registers its hash in the store, and returns the key to hand
    /// over (once: it cannot be recovered later). A system's key, with no holder and no expiry.
    pub async fn issue_key(&self, kind: PrincipalKind, subject: &str) -> Result<IssuedKey> {
        let request = KeyRequest { kind, subject: subject.to_owned(), holder: String::new(), expires_at_ms: None };
        self.issue(&request).await
    }

    /// Issues a key as [`Authenticator::issue_key`] does, for a checked subject and holder.
    pub async fn issue(&self, request: &KeyRequest) -> Result<IssuedKey> {
        if let Some(problem) = subject_problem(request.kind, &request.subject) {
            return Err(AuthError::InvalidSubject(problem));
        }
        if !request.holder.is_empty()
            && let Some(problem) = name_problem("holder", &request.holder)
        {
            return Err(AuthError::InvalidSubject(problem));
        }
        let created_at_ms = now_ms();
        if request.expires_at_ms.is_some_and(|expires| expires <= created_at_ms) {
            return Err(AuthError::InvalidSubject("a key's expiry must be in the future".to_owned()));
        }
        let issued = generate_key(request.kind, &request.subject);
        let principal = Principal {
            key_hash: issued.key_hash(),
            key_id: issued.key_id.clone(),
            kind: request.kind,
            subject: request.subject.clone(),
            created_at_ms,
            holder: request.holder.clone(),
            expires_at_ms: request.expires_at_ms,
            revoked: None,
        };
        self.store.put_principal(&principal).await?;
        tracing::info!(key_id = %issued.key_id, kind = request.kind.as_str(), "issued a key");
        Ok(issued)
    }

    /// Revokes `key_id` from `at_ms` (now, or later for a grace period) and forgets cached
    /// authentications; whether such a key, not already revoked by then, was found.
    pub async fn revoke(&self, key_id: &str, at_ms: i64, reason: &str) -> Result<bool> {
        let reason = checked_reason(reason)?;
        let revoked = self.store.revoke_principal(key_id, at_ms, reason).await?;
        self.clear_cache();
        if revoked {
            tracing::info!(key_id, "revoked a key");
        }
        Ok(revoked)
    }

    /// Issues a new key like `key_id` (same kind, subject, holder and lifetime) and revokes the old
    /// one after `grace_ms`, so its holder can switch over. The old key's record, or `None` if
    /// there is no usable key `key_id`.
    pub async fn rotate(&self, key_id: &str, grace_ms: i64, reason: &str) -> Result<Option<(Principal, IssuedKey)>> {
        checked_reason(reason)?;
        let now = now_ms();
        let principals = self.store.principals().await?;
        let Some(old) = principals.into_iter().find(|p| p.key_id == key_id && p.unusable_at(now).is_none()) else {
            return Ok(None);
        };
        let lifetime = old.expires_at_ms.map(|expires| expires - old.created_at_ms);
        let request = KeyRequest {
            kind: old.kind,
            subject: old.subject.clone(),
            holder: old.holder.clone(),
            expires_at_ms: lifetime.map(|lifetime| now + lifetime.max(1)),
        };
        let issued = self.issue(&request).await?;
        self.revoke(key_id, now + grace_ms.max(0), reason).await?;
        Ok(Some((old, issued)))
    }

    /// Forgets every cached authentication (after revoking keys, say).
    pub fn clear_cache(&self) {
        if let Some(mut cache) = self.lock_cache() {
            cache.clear();
        }
    }

    fn cached(&self, key_hash: &str) -> Option<Principal> {
        let mut cache = self.lock_cache()?;
        match cache.get(key_hash) {
            Some((principal, expires)) if *expires > Instant::now() => Some(principal.clone()),
            Some(_) => {
                cache.pop(key_hash);
                None
            }
            None => None,
        }
    }

    fn remember(&self, key_hash: String, principal: Principal) {
        if let Some(mut cache) = self.lock_cache() {
            cache.put(key_hash, (principal, Instant::now() + self.cache_config.ttl));
        }
    }

    fn lock_cache(&self) -> Option<std::sync::MutexGuard<'_, LruCache<String, (Principal, Instant)>>> {
        // The cache holds no invariant a panicking holder could break, so a poisoned lock is usable.
        Some(self.cache.as_ref()?.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
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
            Caller {
                key_id: issued.key_id.clone(),
                kind: PrincipalKind::Retailer,
                subject: "northmart".into(),
                holder: String::new()
            }
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

    #[tokio::test]
    async fn a_revoked_key_is_refused_at_once_even_when_cached() {
        let (store, _dir) = store().await;
        let auth = Authenticator::new(Arc::new(store));
        let request = KeyRequest {
            kind: PrincipalKind::Force,
            subject: "kent".into(),
            holder: "DC 4471 Sam Patel".into(),
            expires_at_ms: None,
        };
        let issued = auth.issue(&request).await.unwrap();
        let key = issued.secret.expose_secret();
        let caller = auth.authenticate_key(key).await.unwrap();
        assert_eq!(caller.holder, "DC 4471 Sam Patel");
        assert!(auth.revoke(&issued.key_id, now_ms(), "officer left the unit").await.unwrap());
        let error = auth.authenticate_key(key).await.unwrap_err();
        assert!(matches!(error, AuthError::UnknownKey), "{error}");
    }

    #[tokio::test]
    async fn a_key_revoked_elsewhere_is_refused_within_the_cache_time_and_an_expired_one_says_so() {
        let (store, _dir) = store().await;
        let handle: Arc<dyn Store> = Arc::new(store);
        let auth = Authenticator::with_cache(handle.clone(), CacheConfig { ttl: Duration::ZERO, capacity: 10 });
        let issued = auth.issue_key(PrincipalKind::Retailer, "northmart").await.unwrap();
        auth.authenticate_key(issued.secret.expose_secret()).await.unwrap();
        // Another process (`orca keys revoke`) revokes it in the store.
        handle.revoke_principal(&issued.key_id, now_ms(), "leaked").await.unwrap();
        assert!(auth.authenticate_key(issued.secret.expose_secret()).await.is_err());

        let soon = KeyRequest {
            kind: PrincipalKind::Analyst,
            subject: "Jo Bloggs".into(),
            holder: String::new(),
            expires_at_ms: Some(now_ms() + 60_000),
        };
        let expiring = auth.issue(&soon).await.unwrap();
        let mut principal = handle.principal_by_key_hash(&expiring.key_hash()).await.unwrap().unwrap();
        principal.expires_at_ms = Some(now_ms() - 1);
        handle.put_principal(&principal).await.unwrap();
        let error = auth.authenticate_key(expiring.secret.expose_secret()).await.unwrap_err();
        assert_eq!(error.to_string(), "this key has expired: ask for a new one");
    }

    #[tokio::test]
    async fn a_full_cache_forgets_the_key_used_least_recently_not_every_key() {
        let (store, _dir) = store().await;
        let handle: Arc<dyn Store> = Arc::new(store);
        let auth =
            Authenticator::with_cache(handle.clone(), CacheConfig { ttl: Duration::from_secs(600), capacity: 2 });
        let mut keys = Vec::new();
        for retailer in ["northmart", "southmart", "eastmart"] {
            keys.push(auth.issue_key(PrincipalKind::Retailer, retailer).await.unwrap());
        }
        let [a, b, c] = [0, 1, 2].map(|i| keys[i].secret.expose_secret().to_owned());
        for key in [&a, &b, &a, &c] {
            auth.authenticate_key(key).await.unwrap();
        }
        // Revoked elsewhere: only what the cache still holds keeps working until it lapses.
        for issued in &keys {
            handle.revoke_principal(&issued.key_id, now_ms() - 1, "leaked").await.unwrap();
        }
        assert!(auth.authenticate_key(&a).await.is_ok(), "used recently, still cached");
        assert!(auth.authenticate_key(&c).await.is_ok(), "the newest, still cached");
        assert!(auth.authenticate_key(&b).await.is_err(), "the least recently used left the cache");
    }

    #[tokio::test]
    async fn rotating_a_key_issues_a_like_one_and_ends_the_old_after_the_grace_period() {
        let (store, _dir) = store().await;
        let auth = Authenticator::with_cache(Arc::new(store), CacheConfig { ttl: Duration::ZERO, capacity: 10 });
        let request = KeyRequest {
            kind: PrincipalKind::Force,
            subject: "essex".into(),
            holder: "PC 12 Ann Lee".into(),
            expires_at_ms: Some(now_ms() + 86_400_000),
        };
        let old = auth.issue(&request).await.unwrap();
        let (record, new) = auth.rotate(&old.key_id, 3_600_000, "scheduled rotation").await.unwrap().unwrap();
        assert_eq!(record.key_id, old.key_id);
        let caller = auth.authenticate_key(new.secret.expose_secret()).await.unwrap();
        assert_eq!((caller.subject.as_str(), caller.holder.as_str()), ("essex", "PC 12 Ann Lee"));
        assert!(auth.authenticate_key(old.secret.expose_secret()).await.is_ok(), "still inside the grace period");
        assert!(auth.rotate("nobody-00000000", 0, "x").await.unwrap().is_none());
        for bad in ["", "line\nbreak", &"x".repeat(501)] {
            assert!(matches!(auth.revoke(&new.key_id, now_ms(), bad).await, Err(AuthError::InvalidSubject(_))));
        }
        let bad = KeyRequest { subject: "Meadow Mart; DROP".into(), kind: PrincipalKind::Retailer, ..request };
        assert!(matches!(auth.issue(&bad).await, Err(AuthError::InvalidSubject(_))));
    }

    #[tokio::test]
    async fn a_key_over_its_request_rate_is_refused_and_others_are_not() {
        let (store, _dir) = store().await;
        let auth = Authenticator::new(Arc::new(store)).limiting_requests(Rate { per_second: 0.001, burst: 2.0 });
        let busy = auth.issue_key(PrincipalKind::Retailer, "northmart").await.unwrap();
        let quiet = auth.issue_key(PrincipalKind::Retailer, "meadow-mart").await.unwrap();
        auth.authenticate_key(busy.secret.expose_secret()).await.unwrap();
        auth.authenticate_key(busy.secret.expose_secret()).await.unwrap();
        let error = auth.authenticate_key(busy.secret.expose_secret()).await.unwrap_err();
        assert!(matches!(error, AuthError::RateLimited(_)), "{error}");
        assert!(auth.authenticate_key(quiet.secret.expose_secret()).await.is_ok());
    }
}
