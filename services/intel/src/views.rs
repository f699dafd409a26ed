//! Where the linker stores the analyst views that [`crate::analyst`] serves: protobuf-encoded
//! `orca.v1.Person` and `orca.v1.Group` messages, keyed by id, plus redirects for merged persons.

/// `orca.v1.Person` by person id.
pub const PERSON: &str = "view.person";
/// The surviving person id, keyed by a merged-away person id.
pub const PERSON_REDIRECT: &str = "view.person-redirect";
/// `orca.v1.Group` by group id.
pub const GROUP: &str = "view.group";
