//! Identifier newtypes. Every id is a string on the wire; the types stop a person id being passed
//! where a vehicle id belongs. Ids of up to 24 bytes (all of ORCA's own) are held inline, not on the
//! heap: a national store holds millions of them.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
        #[serde(transparent)]
        pub struct $name(pub CompactString);

        impl $name {
            pub fn new(value: impl AsRef<str>) -> Self {
                Self(CompactString::new(value))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(CompactString::new(value))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(CompactString::from(value))
            }
        }
    };
}

string_id!(
    /// A retailer, e.g. `northmart`. Lower case, `[a-z0-9-]`.
    RetailerId
);
string_id!(
    /// A store id as registered by its retailer at onboarding.
    StoreId
);
string_id!(
    /// ORCA's id of an incident, derived from the retailer and its reference (see [`IncidentId::derive`]).
    IncidentId
);
string_id!(
    /// A resolved person, e.g. `P00000042`. Stable through merges (merged ids redirect).
    PersonId
);
string_id!(
    /// A resolved vehicle, e.g. `V00000007`.
    VehicleId
);
string_id!(
    /// A detected organised crime group, e.g. `G00000003`.
    GroupId
);
string_id!(
    /// An intelligence package, e.g. `PKG-G00000003`.
    PackageId
);
string_id!(
    /// A police force: its data.police.uk slug, e.g. `west-midlands`.
    ForceId
);

impl IncidentId {
    /// The id of a retailer's report: `INC-` and 16 hex digits of a 64-bit FNV-1a hash of
    /// `retailer \0 reference`. The same report always gets the same id, so resubmissions and
    /// redeliveries are idempotent; the id reveals nothing beyond what the pair already says.
    pub fn derive(retailer: &RetailerId, retailer_ref: &str) -> Self {
        let hash = crate::hash::Fnv1a64::new()
            .bytes(retailer.as_str().as_bytes())
            .bytes(&[0])
            .bytes(retailer_ref.as_bytes())
            .finish();
        Self::new(format!("INC-{hash:016x}"))
    }
}

/// One sighting within an incident: the incident and the index of the person or vehicle in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SightingKey {
    pub incident: IncidentId,
    pub index: u32,
}

impl SightingKey {
    pub fn new(incident: IncidentId, index: u32) -> Self {
        Self { incident, index }
    }
}

impl fmt::Display for SightingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.incident, self.index)
    }
}

/// Formats a sequential entity number as a fixed-width id: `P00000042`.
pub fn sequential_id(prefix: char, number: u64) -> String {
    format!("{prefix}{number:08}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_id_is_deterministic_and_distinguishes_retailers() {
        let a = IncidentId::derive(&"northmart".into(), "R1");
        assert_eq!(a, IncidentId::derive(&"northmart".into(), "R1"));
        assert_ne!(a, IncidentId::derive(&"southco".into(), "R1"));
        assert_ne!(a, IncidentId::derive(&"northmart".into(), "R2"));
        // The separator stops ("ab", "c") and ("a", "bc") colliding.
        assert_ne!(IncidentId::derive(&"ab".into(), "c"), IncidentId::derive(&"a".into(), "bc"));
        assert!(a.as_str().starts_with("INC-") && a.as_str().len() == 20);
    }

    #[test]
    fn sequential_ids_are_fixed_width() {
        assert_eq!(sequential_id('P', 42), "P00000042");
    }
}
