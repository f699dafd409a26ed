//! The store namespaces of the analyst views: the linker writes them (`orca_linker::views`, which
//! owns their format) with its offsets, and intel reads them. Each value is a protobuf message.

/// `orca.v1.Person` by person id.
pub const PERSON: &str = "view.person";
/// The surviving person id (UTF-8), keyed by a merged-away person id.
pub const PERSON_REDIRECT: &str = "view.person-redirect";
/// `orca.v1.Group` by group id; deleted when the group dissolves.
pub const GROUP: &str = "view.group";
/// The prefix every view namespace shares.
pub const PREFIX: &str = "view.";
