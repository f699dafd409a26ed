//! The intel services' failures that are not the caller's fault, with one mapping to gRPC: a code,
//! a public message that says what the caller can do, and the details in the server's log only.
//! (What is the caller's fault, such as a bad argument or an unknown id, is answered where it is
//! found, with its own message.)

use orca_store::StoreError;
use tonic::{Code, Status};

#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    /// The store failed while answering.
    #[error("store: {0}")]
    Store(StoreError),
    /// The audit record could not be written, so nothing may be disclosed.
    #[error("audit log: {0}")]
    Audit(StoreError),
    /// A stored record does not decode: damaged, or written by another build.
    #[error("stored {what} cannot be read: {reason}")]
    Corrupt { what: &'static str, reason: String },
    /// The search index failed.
    #[error("search: {0}")]
    Search(String),
    /// A decision or an outcome could not be appended to the log; nothing changed.
    #[error("cannot record the {what}: {error}")]
    Record { what: &'static str, error: orca_eventlog::Error },
    /// A request's worker failed (it panicked, or the runtime is stopping).
    #[error("internal: {0}")]
    Internal(String),
}

impl IntelError {
    pub fn corrupt(what: &'static str, reason: impl ToString) -> Self {
        Self::Corrupt { what, reason: reason.to_string() }
    }

    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            IntelError::Store(error) | IntelError::Audit(error) => error.is_retryable(),
            IntelError::Record { error, .. } => error.is_retryable(),
            IntelError::Corrupt { .. } | IntelError::Search(_) | IntelError::Internal(_) => false,
        }
    }

    pub fn code(&self) -> Code {
        if self.is_retryable() { Code::Unavailable } else { Code::Internal }
    }

    /// What the caller is told: infrastructure details stay in the server's log.
    pub fn public_message(&self) -> String {
        let retry = self.is_retryable();
        match self {
            IntelError::Store(_) if retry => "the store is unavailable; retry later".to_owned(),
            IntelError::Store(_) => "the store failed; nothing was disclosed".to_owned(),
            IntelError::Audit(_) if retry => {
                "the audit log is unavailable, so nothing can be disclosed; retry later".to_owned()
            }
            IntelError::Audit(_) => "the audit log failed, so nothing was disclosed".to_owned(),
            IntelError::Corrupt { what, .. } => {
                format!("a stored {what} cannot be read; nothing was disclosed, and the server has logged why")
            }
            IntelError::Search(_) => "the search failed".to_owned(),
            IntelError::Record { what, .. } if retry => {
                format!("the {what} could not be recorded; nothing changed; retry")
            }
            IntelError::Record { what, .. } => format!("the {what} could not be recorded; nothing changed"),
            IntelError::Internal(_) => "the request failed".to_owned(),
        }
    }
}

impl From<IntelError> for Status {
    fn from(error: IntelError) -> Self {
        tracing::error!(%error, "intel call failed");
        Status::new(error.code(), error.public_message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_is_an_internal_error_that_keeps_its_details_in_the_log() {
        let corrupt = IntelError::corrupt("package", "invalid wire type: LengthDelimited (expected Varint)");
        let status = Status::from(corrupt);
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("wire type"), "{}", status.message());
        let damaged_row = IntelError::Store(StoreError::Corrupt { table: "packages", reason: "bad codec".into() });
        let status = Status::from(damaged_row);
        assert_eq!(status.code(), Code::Internal, "corruption is not worth retrying");
        assert!(!status.message().contains("retry"), "{}", status.message());
    }

    #[test]
    fn a_store_that_is_down_says_retry_later() {
        let down = IntelError::Store(StoreError::from(sqlx::Error::PoolTimedOut));
        assert_eq!(down.code(), Code::Unavailable);
        assert_eq!(down.public_message(), "the store is unavailable; retry later");
        let audit = IntelError::Audit(StoreError::from(sqlx::Error::PoolClosed));
        assert_eq!(Status::from(audit).code(), Code::Unavailable);
    }
}
