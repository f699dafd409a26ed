//! Why a request was not authenticated, and the one mapping of that onto gRPC and HTTP.
//!
//! Messages never repeat the presented key, and say nothing about whether a key once existed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orca_store::{PrincipalKind, StoreError};

pub type Result<T, E = AuthError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing credentials: send `authorization: Bearer <key>`")]
    MissingCredentials,
    #[error("malformed credentials: expected `authorization: Bearer <key>`")]
    MalformedCredentials,
    #[error("unknown or revoked key")]
    UnknownKey,
    #[error("this key has expired: ask for a new one")]
    ExpiredKey,
    /// The key has made more requests than its rate allows; it may come back after the wait.
    #[error("too many requests from this key: retry in {} s", crate::limits::retry_after_secs(*.0))]
    RateLimited(std::time::Duration),
    /// A key cannot be issued to this subject or holder.
    #[error("{0}")]
    InvalidSubject(String),
    /// Authenticated, but the key is of the wrong kind for the call.
    #[error("this call needs {} key, not {} key", with_article(*required), with_article(*actual))]
    NotPermitted { required: PrincipalKind, actual: PrincipalKind },
    /// The key could not be checked (the store failed); retrying may help.
    #[error("cannot check credentials: {0}")]
    Store(StoreError),
}

impl From<StoreError> for AuthError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// `a retailer`, `a force`, `an analyst`.
fn with_article(kind: PrincipalKind) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {name}")
}

impl AuthError {
    /// The gRPC code and HTTP status of this error; every surface maps through here.
    pub fn codes(&self) -> (tonic::Code, StatusCode) {
        match self {
            AuthError::MissingCredentials
            | AuthError::MalformedCredentials
            | AuthError::UnknownKey
            | AuthError::ExpiredKey => (tonic::Code::Unauthenticated, StatusCode::UNAUTHORIZED),
            AuthError::InvalidSubject(_) => (tonic::Code::InvalidArgument, StatusCode::BAD_REQUEST),
            AuthError::RateLimited(_) => (tonic::Code::ResourceExhausted, StatusCode::TOO_MANY_REQUESTS),
            AuthError::NotPermitted { .. } => (tonic::Code::PermissionDenied, StatusCode::FORBIDDEN),
            AuthError::Store(error) if error.is_retryable() => {
                (tonic::Code::Unavailable, StatusCode::SERVICE_UNAVAILABLE)
            }
            AuthError::Store(_) => (tonic::Code::Internal, StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    /// What the caller is told: the store's own error stays in the server's logs.
    pub fn public_message(&self) -> String {
        match self {
            AuthError::Store(_) => "cannot check credentials right now; retry later".to_owned(),
            other => other.to_string(),
        }
    }

    pub fn http_status(&self) -> StatusCode {
        self.codes().1
    }
}

impl From<AuthError> for tonic::Status {
    fn from(error: AuthError) -> Self {
        let status = tonic::Status::new(error.codes().0, error.public_message());
        match error {
            AuthError::RateLimited(wait) => crate::limits::status_with_retry_after(status, wait),
            _ => status,
        }
    }
}

/// A JSON body `{"error": ".."}` with the status from [`AuthError::codes`]; a 401 also carries
/// `WWW-Authenticate: Bearer`.
impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let status = self.http_status();
        let body = serde_json::json!({ "error": self.public_message() }).to_string();
        let mut response =
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let AuthError::RateLimited(wait) = self {
            crate::limits::add_retry_after_header(&mut response, wait);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_problems_are_unauthenticated_everywhere() {
        for error in [AuthError::MissingCredentials, AuthError::MalformedCredentials, AuthError::UnknownKey] {
            assert_eq!(error.codes(), (tonic::Code::Unauthenticated, StatusCode::UNAUTHORIZED));
            let status = tonic::Status::from(error);
            assert_eq!(status.code(), tonic::Code::Unauthenticated);
        }
        let wrong_kind = AuthError::NotPermitted { required: PrincipalKind::Retailer, actual: PrincipalKind::Force };
        assert_eq!(wrong_kind.codes(), (tonic::Code::PermissionDenied, StatusCode::FORBIDDEN));
    }

    #[test]
    fn a_rate_limited_key_is_told_when_to_come_back() {
        let error = AuthError::RateLimited(std::time::Duration::from_millis(1_500));
        assert_eq!(error.to_string(), "too many requests from this key: retry in 2 s");
        let status = tonic::Status::from(AuthError::RateLimited(std::time::Duration::from_millis(1_500)));
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
        assert_eq!(status.metadata().get("retry-after").unwrap(), "2");
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
    }

    #[test]
    fn a_401_asks_for_a_bearer_token() {
        let response = AuthError::UnknownKey.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
