//! One error type for both implementations, with [`Error::is_retryable`] telling a stage whether
//! to back off and try again or to stop and report.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Boxed source error of a broker failure, so the enum does not depend on the `kafka` feature.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad configuration or arguments: retrying cannot help.
    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("unknown topic `{0}`")]
    UnknownTopic(String),

    #[error("unknown partition {partition} of topic `{topic}`")]
    UnknownPartition { topic: String, partition: u32 },

    /// The topic exists with a shape other than the one asked for.
    #[error("topic `{topic}` exists with {existing} partitions, {requested} requested")]
    TopicConflict { topic: String, existing: u32, requested: u32 },

    /// A local file operation of the embedded log failed.
    #[error("{operation} `{path}`: {cause}")]
    Io { operation: &'static str, path: PathBuf, cause: std::io::Error },

    /// Stored data failed its checksum or framing somewhere other than the tail of a segment.
    #[error("corrupt data in `{path}` at byte {position}: {detail}")]
    Corrupt { path: PathBuf, position: u64, detail: String },

    /// The embedded log's writer for a partition stopped (the log was dropped or a write failed
    /// in a way that left the segment unusable).
    #[error("partition {partition} of topic `{topic}` is closed")]
    Closed { topic: String, partition: u32 },

    /// The broker (or the client talking to it) failed.
    #[error("kafka {operation} failed: {cause}")]
    Broker { operation: &'static str, retryable: bool, cause: BoxError },

    #[error("timed out waiting for {0}")]
    Timeout(&'static str),

    /// A bug or a runtime shutting down: a background task panicked or was cancelled.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// True when the same call may succeed later: the broker is unavailable, a request timed out,
    /// a leader is moving. False for configuration mistakes, unknown topics and corrupt data.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Broker { retryable, .. } => *retryable,
            Error::Timeout(_) => true,
            Error::Io { cause, .. } => matches!(
                cause.kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ),
            Error::Config(_)
            | Error::UnknownTopic(_)
            | Error::UnknownPartition { .. }
            | Error::TopicConflict { .. }
            | Error::Corrupt { .. }
            | Error::Closed { .. }
            | Error::Internal(_) => false,
        }
    }

    pub(crate) fn io(operation: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |cause| Error::Io { operation, path, cause }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_mistakes_are_not_retryable_but_timeouts_are() {
        assert!(!Error::Config("bad".into()).is_retryable());
        assert!(!Error::UnknownTopic("t".into()).is_retryable());
        assert!(Error::Timeout("delivery").is_retryable());
        let unavailable = Error::Broker { operation: "produce", retryable: true, cause: "all brokers down".into() };
        assert!(unavailable.is_retryable());
    }

    #[test]
    fn a_file_error_names_its_cause_once_with_its_chain() {
        let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let error = Error::io("reading topic metadata", "/data/log/orca.incidents.v1/topic.meta")(denied);
        let mut printed = error.to_string();
        let mut cause = std::error::Error::source(&error);
        while let Some(next) = cause {
            printed.push_str(&format!(": {next}"));
            cause = next.source();
        }
        assert_eq!(printed, "reading topic metadata `/data/log/orca.incidents.v1/topic.meta`: permission denied");
    }
}
