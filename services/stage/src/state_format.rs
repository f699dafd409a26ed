//! Which format a stage's stored state is in, checked before the stage restores from it.
//!
//! Each stage that keeps state under a prefix (`resolve.`, `network.`) records the format version
//! it writes in `meta.format`, keyed by the prefix. On restore:
//!
//! - no record and no state: a new database; the current version is recorded;
//! - no record but state: written before versions were recorded, which is version 1;
//! - the same version: restore;
//! - another version: a [`StateFormatError`] that says which, and what to do. It is not worth
//!   retrying, so the stage stops instead of restarting for ever.
//!
//! Raise a stage's version whenever what it stores stops being readable by the previous build
//! (a field without a default, a changed encoding), and give the old version a way forward
//! (a migration, or a rebuild from the log).

use orca_model::StateChange;
use orca_store::{Store, StoreError};

/// The namespace holding each prefix's format version.
pub const FORMAT_NAMESPACE: &str = "meta.format";

#[derive(Debug, thiserror::Error)]
pub enum StateFormatError {
    #[error(
        "the stored `{prefix}*` state is in format {found}, and this build of ORCA reads format {expected}: it was \
         written by {}; {}",
        if found > expected { "a newer ORCA" } else { "an older ORCA" },
        if found > expected {
            "run the newer build, or restore a backup taken before it ran"
        } else {
            "no migration from it exists: rebuild the state by replaying the log into an empty database"
        }
    )]
    Mismatch { prefix: String, found: u32, expected: u32 },
    #[error("the stored format version of `{prefix}*` is unreadable (`{value}`)")]
    Unreadable { prefix: String, value: String },
    #[error("reading or recording the state format: {0}")]
    Store(StoreError),
}

impl From<StoreError> for StateFormatError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl StateFormatError {
    /// Whether trying again later may succeed (only a store that is unavailable right now).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StateFormatError::Store(error) if error.is_retryable())
    }
}

/// Checks (and on a new database records) that the state under `prefix` is in format `expected`.
pub async fn check_state_format(store: &dyn Store, prefix: &str, expected: u32) -> Result<(), StateFormatError> {
    let found = match store.get_state(FORMAT_NAMESPACE, prefix).await? {
        Some(value) => {
            let text = String::from_utf8_lossy(&value).into_owned();
            text.trim()
                .parse::<u32>()
                .map_err(|_| StateFormatError::Unreadable { prefix: prefix.to_owned(), value: text })?
        }
        None => {
            // State written before versions were recorded is version 1.
            let version = if store.load_state(prefix).await?.is_empty() { expected } else { 1 };
            if version == expected {
                let mut tx = store.begin().await?;
                tx.apply_state(&[StateChange::put(FORMAT_NAMESPACE, prefix, expected.to_string().into_bytes())])
                    .await?;
                tx.commit().await?;
            }
            version
        }
    };
    if found != expected {
        return Err(StateFormatError::Mismatch { prefix: prefix.to_owned(), found, expected });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use orca_store::SqlStore;

    async fn store() -> (SqlStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::connect(&format!("sqlite://{}", dir.path().join("orca.db").display())).await.unwrap();
        (store, dir)
    }

    async fn put(store: &SqlStore, namespace: &str, key: &str, value: &str) {
        let mut tx = store.begin().await.unwrap();
        tx.apply_state(&[StateChange::put(namespace, key, value.as_bytes().to_vec())]).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_new_database_records_the_version_and_old_state_is_version_one() {
        let (fresh, _a) = store().await;
        check_state_format(&fresh, "resolve.", 1).await.unwrap();
        assert_eq!(fresh.get_state(FORMAT_NAMESPACE, "resolve.").await.unwrap().as_deref(), Some(&b"1"[..]));
        check_state_format(&fresh, "resolve.", 1).await.unwrap();

        let (old, _b) = store().await;
        put(&old, "resolve.person", "P1", "{}").await;
        check_state_format(&old, "resolve.", 1).await.unwrap();
        let error = check_state_format(&old, "network.", 2).await;
        assert!(error.is_ok(), "no `network.` state yet: a new database for that prefix");
    }

    #[tokio::test]
    async fn another_version_stops_with_what_to_do() {
        let (store, _dir) = store().await;
        put(&store, FORMAT_NAMESPACE, "resolve.", "3").await;
        let newer = check_state_format(&store, "resolve.", 2).await.unwrap_err();
        assert!(!newer.is_retryable());
        let message = newer.to_string();
        assert!(message.contains("format 3, and this build of ORCA reads format 2"), "{message}");
        assert!(message.contains("a newer ORCA"), "{message}");
        let older = check_state_format(&store, "resolve.", 4).await.unwrap_err().to_string();
        assert!(older.contains("replaying the log into an empty database"), "{older}");

        put(&store, "resolve.person", "P1", "{}").await;
        put(&store, FORMAT_NAMESPACE, "network.", "two").await;
        let unreadable = check_state_format(&store, "network.", 1).await.unwrap_err().to_string();
        assert!(unreadable.contains("unreadable (`two`)"), "{unreadable}");
    }
}
