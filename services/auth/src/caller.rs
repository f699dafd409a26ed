//! The authenticated principal a request acts as.

use crate::AuthError;
use orca_store::{Principal, PrincipalKind};

/// Who is calling: the key's public id (safe to log), what kind of principal holds it, and on whose
/// behalf it acts (a retailer id, a force slug, an analyst's name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub key_id: String,
    pub kind: PrincipalKind,
    pub subject: String,
    /// The person the key was issued to (empty for a system's key).
    pub holder: String,
}

impl Caller {
    /// The retailer this caller submits as, if it is a retailer's key.
    pub fn retailer(&self) -> Option<&str> {
        (self.kind == PrincipalKind::Retailer).then_some(self.subject.as_str())
    }

    /// The force this caller belongs to, if it is a force user's key.
    pub fn force(&self) -> Option<&str> {
        (self.kind == PrincipalKind::Force).then_some(self.subject.as_str())
    }

    pub fn is_analyst(&self) -> bool {
        self.kind == PrincipalKind::Analyst
    }

    /// The caller's subject if its key is of kind `required`, else [`AuthError::NotPermitted`].
    pub fn require(&self, required: PrincipalKind) -> Result<&str, AuthError> {
        if self.kind == required {
            Ok(&self.subject)
        } else {
            Err(AuthError::NotPermitted { required, actual: self.kind })
        }
    }
}

impl From<&Principal> for Caller {
    fn from(principal: &Principal) -> Self {
        Self {
            key_id: principal.key_id.clone(),
            kind: principal.kind,
            subject: principal.subject.clone(),
            holder: principal.holder.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(kind: PrincipalKind, subject: &str) -> Caller {
        Caller { key_id: format!("{subject}-1"), kind, subject: subject.into(), holder: String::new() }
    }

    #[test]
    fn a_caller_acts_only_in_its_own_role() {
        let retailer = caller(PrincipalKind::Retailer, "northmart");
        assert_eq!(retailer.retailer(), Some("northmart"));
        assert_eq!(retailer.force(), None);
        assert_eq!(retailer.require(PrincipalKind::Retailer).unwrap(), "northmart");
        let force = caller(PrincipalKind::Force, "kent");
        assert_eq!(force.retailer(), None);
        let denied = force.require(PrincipalKind::Retailer).unwrap_err();
        assert_eq!(denied.to_string(), "this call needs a retailer key, not a force key");
        let denied = retailer.require(PrincipalKind::Analyst).unwrap_err();
        assert_eq!(denied.to_string(), "this call needs an analyst key, not a retailer key");
        assert!(caller(PrincipalKind::Analyst, "jo").is_analyst());
    }
}
