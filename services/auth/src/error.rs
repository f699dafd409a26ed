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
    /// Authenticated, but the key is of the wrong kind for the call.
    #[error("this call needs a {} key, not a {} key", required.as_str(), actual.as_str())]
    NotPermitted { required: PrincipalKind, actual: PrincipalKind },
    /// The key could not be checked (the store failed); retrying may help.
    #[error("cannot check credentials: {0}")]
    Store(#[from] StoreError),
}

impl AuthError {
    /// The gRPC code and HTTP status of this error; every surface maps through here.
    pub fn codes(&self) -> (tonic::Code, StatusCode) {
        match self {
            AuthError::MissingCredentials | AuthError::MalformedCredentials | AuthError::UnknownKey => {
                (tonic::Code::Unauthenticated, StatusCode::UNAUTHORIZED)
            }
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
        tonic::Status::new(error.codes().0, error.public_message())
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
    fn a_401_asks_for_a_bearer_token() {
        let response = AuthError::UnknownKey.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
