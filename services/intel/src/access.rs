//! Access rules and auditing, shared by every read.
//!
//! - Force users read packages that concern their own force (lead or affected), nothing else.
//! - OPAL analysts read across forces, always stating a purpose.
//! - Retailers read nothing here (they see only their own submissions, through ingest).
//!
//! Every attempt, allowed or not (unauthenticated ones too), is written to the audit log with who,
//! when, what, why and the outcome, before anything is disclosed.

use orca_auth::{Authenticator, Caller, PrincipalKind};
use orca_store::{AuditRecord, Store};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tonic::{Request, Status};

pub use orca_auth::purpose::{MAX_PURPOSE_CHARS, MIN_PURPOSE_CHARS, purpose_problem};

/// Longest resource name kept in an audit record. Resources name what was asked for, before it is
/// validated, so a caller could otherwise write megabytes into the audit log with one call.
const MAX_RESOURCE_CHARS: usize = 200;
/// Longest detail kept in an audit record: far above what a disclosure lists (a page of 500
/// package ids, a stream batch of 200), but a refusal that echoes a caller's megabyte-long input
/// cannot write it into the audit log.
const MAX_DETAIL_CHARS: usize = 32_768;

/// Authentication plus auditing for the read services.
#[derive(Clone)]
pub struct Gatekeeper {
    authenticator: Arc<Authenticator>,
    store: Arc<dyn Store>,
    /// Force and analyst keys work only on connections that presented a client certificate.
    readers_need_client_cert: bool,
}

/// Marks a request made in process by the browser workspace for a signed-in session (its
/// connection's certificate, if any, was checked by the HTTPS listener).
#[derive(Clone, Copy, Debug)]
pub struct FromWorkspace;

/// An authenticated caller with a stated purpose, for one call.
#[derive(Clone, Debug)]
pub struct Access {
    pub caller: Caller,
    pub purpose: String,
}

impl Gatekeeper {
    pub fn new(authenticator: Arc<Authenticator>, store: Arc<dyn Store>) -> Self {
        Self { authenticator, store, readers_need_client_cert: false }
    }

    /// Accepts force and analyst keys only with a client certificate on the connection.
    pub fn requiring_client_certs_for_readers(mut self, required: bool) -> Self {
        self.readers_need_client_cert = required;
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Authenticates the request and checks its purpose. An unauthenticated request is audited as
    /// `denied` under the principal `(none)`; a caller without a usable purpose is audited as
    /// `invalid` against `action` and `resource`.
    pub async fn admit<T>(
        &self,
        request: &Request<T>,
        purpose: &str,
        action: &str,
        resource: &str,
    ) -> Result<Access, Status> {
        let caller = match self.authenticator.authenticate_metadata(request.metadata()).await {
            Ok(caller) => caller,
            Err(error) => {
                tracing::info!(%error, "unauthenticated read refused");
                let status = Status::from(error);
                self.audit_unauthenticated(action, resource, purpose, status.message()).await;
                return Err(status);
            }
        };
        let reader = matches!(caller.kind, PrincipalKind::Force | PrincipalKind::Analyst);
        let certified = request.peer_certs().is_some_and(|certs| !certs.is_empty())
            || request.extensions().get::<FromWorkspace>().is_some();
        if self.readers_need_client_cert && reader && !certified {
            let status = Status::permission_denied(
                "force and analyst keys must be used with a client certificate: connect over TLS with the \
                 certificate your force or OPAL was issued",
            );
            let access = Access { caller, purpose: String::new() };
            self.audit(&access, action, resource, "denied", status.message().to_owned()).await?;
            return Err(status);
        }
        let purpose = purpose.trim();
        if let Some(status) = purpose_problem(purpose).map(Status::invalid_argument) {
            // Who tried to read without a usable purpose is itself on the record.
            let access = Access { caller, purpose: String::new() };
            self.audit(&access, action, resource, "invalid", status.message().to_owned()).await?;
            return Err(status);
        }
        Ok(Access { caller, purpose: purpose.to_owned() })
    }

    /// Records an attempt without a usable key: there is no principal to name, so the record says
    /// what was asked for and why it was refused. (Bounded like every record; limiting how often
    /// an address may try is the transport's job.) A failure to write is logged: the caller is
    /// refused either way.
    pub async fn audit_unauthenticated(&self, action: &str, resource: &str, purpose: &str, reason: &str) {
        let printable: String = purpose.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let record = AuditRecord {
            seq: 0,
            at_ms: now_ms(),
            principal: "(none)".to_owned(),
            principal_kind: "unauthenticated".to_owned(),
            action: action.to_owned(),
            resource: bounded(resource, MAX_RESOURCE_CHARS),
            purpose: bounded(printable.trim(), MAX_PURPOSE_CHARS),
            outcome: "denied".to_owned(),
            detail: bounded(reason, MAX_RESOURCE_CHARS),
            ..AuditRecord::default()
        };
        if let Err(error) = self.store.append_audit(&record).await {
            tracing::error!(%error, action, "cannot audit an unauthenticated attempt");
        }
    }

    /// Audits a refusal (`not-found`; `denied` for permission and state; `invalid` otherwise)
    /// and hands back the status to return.
    pub async fn refused(&self, access: &Access, action: &str, resource: &str, status: Status) -> Status {
        let outcome = match status.code() {
            tonic::Code::NotFound => "not-found",
            tonic::Code::PermissionDenied | tonic::Code::FailedPrecondition => "denied",
            _ => "invalid",
        };
        match self.audit(access, action, resource, outcome, status.message().to_owned()).await {
            Ok(()) => status,
            Err(unavailable) => unavailable,
        }
    }

    /// Writes one audit record; a failure stops the disclosure.
    pub async fn audit(
        &self,
        access: &Access,
        action: &str,
        resource: &str,
        outcome: &str,
        detail: String,
    ) -> Result<(), Status> {
        let record = AuditRecord {
            seq: 0,
            at_ms: now_ms(),
            principal: access.caller.key_id.clone(),
            principal_kind: principal_kind(&access.caller),
            action: action.to_owned(),
            resource: bounded(resource, MAX_RESOURCE_CHARS),
            purpose: access.purpose.clone(),
            outcome: outcome.to_owned(),
            detail: bounded(&detail, MAX_DETAIL_CHARS),
            ..AuditRecord::default()
        };
        self.store.append_audit(&record).await.map(|_| ()).map_err(|error| {
            tracing::error!(action, resource, "cannot write the audit log; refusing to disclose");
            Status::from(crate::error::IntelError::Audit(error))
        })
    }
}

/// `force:kent`, or `force:kent (DC 4471 Sam Patel)` for a key issued to a person: the audit names
/// who acted.
fn principal_kind(caller: &Caller) -> String {
    let kind = format!("{}:{}", caller.kind.as_str(), caller.subject);
    if caller.holder.is_empty() { kind } else { format!("{kind} ({})", caller.holder) }
}

/// `text` cut to `max` characters, with `…` where it was cut.
fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

impl Access {
    pub fn is_analyst(&self) -> bool {
        self.caller.kind == PrincipalKind::Analyst
    }

    /// The force a force user acts for.
    pub fn force(&self) -> Option<&str> {
        self.caller.force()
    }
}

/// A new id for a record ORCA issues (`D-…` decisions, `O-…` outcomes): the time, this process
/// and a counter, so two calls never share one.
pub(crate) fn new_id(prefix: char, now: chrono::DateTime<chrono::Utc>) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let sequence = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{:x}-{:x}-{sequence:x}", now.timestamp_micros(), std::process::id())
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_must_be_printable_words_of_a_readable_length() {
        for (purpose, complaint) in [
            ("", "required"),
            ("   ", "required"),
            (".", "at least 10"),
            ("x", "at least 10"),
            ("1234567890123", "at least 10"),
            ("op kestrel\nDROP", "control character"),
            ("op kestrel \u{1b}[2J", "control character"),
        ] {
            let problem = purpose_problem(purpose).unwrap_or_else(|| panic!("`{purpose:?}` was accepted"));
            assert!(problem.contains(complaint), "{purpose:?}: {problem}");
        }
        assert!(purpose_problem(&"a".repeat(MAX_PURPOSE_CHARS + 1)).unwrap().contains("longer than"));
        for purpose in ["op kestrel", "case 43/1234/25 review", "  op kestrel: razor thefts  ", "opération Kestrel"] {
            assert_eq!(purpose_problem(purpose), None, "{purpose:?}");
        }
    }
}
