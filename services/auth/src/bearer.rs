//! `authorization: Bearer <key>`, from gRPC metadata and HTTP headers.

use crate::AuthError;
use axum::http::HeaderMap;
use tonic::metadata::MetadataMap;

/// Longest key accepted; ORCA's keys are about 50 characters.
const MAX_KEY_CHARS: usize = 512;

/// The key in an `authorization` value: scheme `Bearer` (any case), one or more spaces, then a
/// token of visible ASCII. `None` is [`AuthError::MissingCredentials`].
pub fn parse_bearer(header_value: Option<&str>) -> Result<&str, AuthError> {
    let value = header_value.ok_or(AuthError::MissingCredentials)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::MalformedCredentials)?;
    let token = token.trim_start();
    let well_formed = scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && token.len() <= MAX_KEY_CHARS
        && token.bytes().all(|b| b.is_ascii_graphic());
    if well_formed { Ok(token) } else { Err(AuthError::MalformedCredentials) }
}

/// The `authorization` metadata of a gRPC request; a value that is not ASCII is malformed.
pub fn authorization_from_metadata(metadata: &MetadataMap) -> Result<Option<&str>, AuthError> {
    metadata.get("authorization").map(|value| value.to_str().map_err(|_| AuthError::MalformedCredentials)).transpose()
}

/// The `Authorization` header of an HTTP request; a value that is not visible ASCII is malformed.
pub fn authorization_from_headers(headers: &HeaderMap) -> Result<Option<&str>, AuthError> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|value| value.to_str().map_err(|_| AuthError::MalformedCredentials))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_header_value() {
        assert_eq!(parse_bearer(Some("Bearer orca_retailer_ab12")).unwrap(), "orca_retailer_ab12");
        assert_eq!(parse_bearer(Some("bearer   orca_x ")).unwrap(), "orca_x");
        assert!(matches!(parse_bearer(None), Err(AuthError::MissingCredentials)));
        for malformed in ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "orca_x", "Bearer a b"] {
            assert!(matches!(parse_bearer(Some(malformed)), Err(AuthError::MalformedCredentials)), "{malformed:?}");
        }
    }

    #[test]
    fn credentials_come_from_grpc_metadata_and_http_headers() {
        let mut metadata = MetadataMap::new();
        assert_eq!(authorization_from_metadata(&metadata).unwrap(), None);
        metadata.insert("authorization", "Bearer k1".parse().unwrap());
        assert_eq!(authorization_from_metadata(&metadata).unwrap(), Some("Bearer k1"));

        let mut headers = HeaderMap::new();
        assert_eq!(authorization_from_headers(&headers).unwrap(), None);
        headers.insert("authorization", "Bearer k2".parse().unwrap());
        assert_eq!(authorization_from_headers(&headers).unwrap(), Some("Bearer k2"));
        headers.insert("authorization", axum::http::HeaderValue::from_bytes(b"Bearer \xff").unwrap());
        assert!(matches!(authorization_from_headers(&headers), Err(AuthError::MalformedCredentials)));
    }
}
