//! Who is calling: API keys and the bearer credentials that carry them, for every ORCA surface.
//!
//! - [`key`]: generating keys ([`generate_key`]) and hashing them ([`hash_key`]). A key is shown to
//!   its holder once; ORCA keeps only its SHA-256, under a public key id that is safe to log.
//! - [`bearer`]: reading `authorization: Bearer <key>` from gRPC metadata and HTTP headers.
//! - [`authenticator`]: [`Authenticator`] turns a bearer credential into a [`Caller`] by looking the
//!   key's hash up in the store, with a small positive cache.
//! - [`caller`]: [`Caller`], the authenticated principal a request acts as.
//! - [`error`]: [`AuthError`] and its one mapping onto `tonic::Code` and HTTP status.
//! - [`limits`]: per-key rate limits (token buckets).
//! - [`subject`]: who a key may be issued to (retailer ids, force slugs, people's names).
//!
//! Secrets travel as [`secrecy::SecretString`], so they never appear in `Debug` output or logs, and
//! no error message ever repeats a presented key. This crate knows nothing of incidents or packages:
//! what a caller may do is decided by the service it calls.

pub mod authenticator;
pub mod bearer;
pub mod caller;
pub mod error;
pub mod key;
pub mod limits;
pub mod purpose;
pub mod subject;

pub use authenticator::{Authenticator, CacheConfig, KeyRequest};
pub use bearer::{authorization_from_headers, authorization_from_metadata, parse_bearer};
pub use caller::Caller;
pub use error::{AuthError, Result};
pub use key::{IssuedKey, generate_key, hash_key};
pub use limits::{Rate, RateLimiter};
pub use orca_store::PrincipalKind;
pub use purpose::purpose_problem;
pub use secrecy::{ExposeSecret, SecretString};
