//! [`IngestError`]: why a call failed as a whole (per-record problems travel in acks instead), and
//! its one mapping onto `tonic::Code` and HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use orca_auth::AuthError;
use orca_store::StoreError;

pub type Result<T, E = IngestError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The request as a whole cannot be read (not per-record problems, which are rejections).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The record asked for does not exist (or is not the caller's).
    #[error("{0}")]
    NotFound(String),
    /// The record is not in a state that allows the request (a report not yet settled on the log).
    #[error("{0}")]
    Conflict(String),
    #[error("unsupported content type `{0}`: send `application/json` or `application/x-ndjson`")]
    UnsupportedMediaType(String),
    #[error("event log: {0}")]
    Log(orca_eventlog::Error),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The key has sent more records than its quota allows; it may send again after the wait.
    #[error("this key has sent more records than its quota allows: retry in {} s", orca_auth::limits::retry_after_secs(*.0))]
    TooManyRecords(std::time::Duration),
    /// A bug or a runtime shutting down.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<orca_eventlog::Error> for IngestError {
    fn from(error: orca_eventlog::Error) -> Self {
        Self::Log(error)
    }
}

impl From<StoreError> for IngestError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl IngestError {
    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            IngestError::Log(error) => error.is_retryable(),
            IngestError::Store(error) => error.is_retryable(),
            IngestError::Auth(AuthError::Store(error)) => error.is_retryable(),
            _ => false,
        }
    }

    /// Whether the caller's request was at fault (not logged as a failure of ingest).
    fn is_callers(&self) -> bool {
        matches!(
            self,
            IngestError::InvalidRequest(_)
                | IngestError::UnsupportedMediaType(_)
                | IngestError::TooManyRecords(_)
                | IngestError::NotFound(_)
                | IngestError::Conflict(_)
        )
    }

    /// The gRPC code and HTTP status of this error; every surface maps through here.
    pub fn codes(&self) -> (tonic::Code, StatusCode) {
        match self {
            IngestError::Auth(error) => error.codes(),
            IngestError::InvalidRequest(_) => (tonic::Code::InvalidArgument, StatusCode::BAD_REQUEST),
            IngestError::UnsupportedMediaType(_) => (tonic::Code::InvalidArgument, StatusCode::UNSUPPORTED_MEDIA_TYPE),
            IngestError::NotFound(_) => (tonic::Code::NotFound, StatusCode::NOT_FOUND),
            IngestError::Conflict(_) => (tonic::Code::FailedPrecondition, StatusCode::CONFLICT),
            IngestError::TooManyRecords(_) => (tonic::Code::ResourceExhausted, StatusCode::TOO_MANY_REQUESTS),
            error if error.is_retryable() => (tonic::Code::Unavailable, StatusCode::SERVICE_UNAVAILABLE),
            IngestError::Log(_) | IngestError::Store(_) | IngestError::Config(_) | IngestError::Internal(_) => {
                (tonic::Code::Internal, StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// What the caller is told: infrastructure details stay in the server's logs.
    pub fn public_message(&self) -> String {
        match self {
            IngestError::Auth(error) => error.public_message(),
            IngestError::InvalidRequest(_)
            | IngestError::UnsupportedMediaType(_)
            | IngestError::TooManyRecords(_)
            | IngestError::NotFound(_)
            | IngestError::Conflict(_) => self.to_string(),
            error if error.is_retryable() => "ingest is temporarily unavailable; retry later".to_owned(),
            _ => "internal error; the records in this call were not all processed".to_owned(),
        }
    }
}

impl From<IngestError> for tonic::Status {
    fn from(error: IngestError) -> Self {
        if let IngestError::Auth(error) = error {
            return error.into();
        }
        if !error.is_callers() {
            tracing::warn!(%error, "ingest call failed");
        }
        let status = tonic::Status::new(error.codes().0, error.public_message());
        match error {
            IngestError::TooManyRecords(wait) => orca_auth::limits::status_with_retry_after(status, wait),
            _ => status,
        }
    }
}

impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        if let IngestError::Auth(error) = self {
            return error.into_response();
        }
        if !self.is_callers() {
            tracing::warn!(error = %self, "ingest call failed");
        }
        let body = axum::Json(serde_json::json!({ "error": self.public_message() }));
        let mut response = (self.codes().1, body).into_response();
        if let IngestError::TooManyRecords(wait) = self {
            orca_auth::limits::add_retry_after_header(&mut response, wait);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_codes_and_statuses_once() {
        let timeout = IngestError::Log(orca_eventlog::Error::Timeout("delivery"));
        assert_eq!(timeout.codes(), (tonic::Code::Unavailable, StatusCode::SERVICE_UNAVAILABLE));
        let unknown_topic = IngestError::Log(orca_eventlog::Error::UnknownTopic("orca.incidents.v1".into()));
        assert_eq!(unknown_topic.codes(), (tonic::Code::Internal, StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!unknown_topic.public_message().contains("orca.incidents.v1"), "infrastructure stays in the logs");
        let unauthenticated = IngestError::Auth(AuthError::UnknownKey);
        assert_eq!(unauthenticated.codes(), (tonic::Code::Unauthenticated, StatusCode::UNAUTHORIZED));
        let media = IngestError::UnsupportedMediaType("text/csv".into());
        assert_eq!(media.codes().1, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}
