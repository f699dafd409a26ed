use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(sqlx::migrate::MigrateError),
    #[error("unsupported database url `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// Another process holds the stage's lease now: this one may not write its state.
    #[error("the `{stage}` stage's lease is held by another process now (epoch {epoch} was lost)")]
    LeaseLost { stage: String, epoch: i64 },
    /// The database's schema is not the one this build uses, and this connection may not change it.
    #[error("{0}")]
    Schema(String),
    #[error("corrupt record in `{table}`: {reason}")]
    Corrupt { table: &'static str, reason: String },
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Migration(error)
    }
}

impl StoreError {
    /// Whether retrying the operation may succeed (connection trouble, a busy database).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Database(error) => {
                matches!(
                    error,
                    sqlx::Error::Io(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::WorkerCrashed
                ) || error.as_database_error().is_some_and(|e| {
                    let code = e.code().unwrap_or_default();
                    // SQLite busy/locked; PostgreSQL serialization failure, deadlock, admin shutdown.
                    matches!(code.as_ref(), "5" | "6" | "40001" | "40P01" | "57P01")
                })
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// What `{:#}` (the CLI) and a log line print: the message, then each cause it has.
    fn with_causes(error: &dyn std::error::Error) -> String {
        let mut printed = error.to_string();
        let mut cause = error.source();
        while let Some(next) = cause {
            printed.push_str(&format!(": {next}"));
            cause = next.source();
        }
        printed
    }

    #[test]
    fn a_database_error_names_its_cause_once() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let error = StoreError::from(sqlx::Error::Io(refused));
        let printed = with_causes(&error);
        assert_eq!(printed.matches("connection refused").count(), 1, "{printed}");
        assert!(printed.starts_with("database error: "), "{printed}");
    }
}
