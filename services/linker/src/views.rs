//! The analyst views the linker stores for the intel service to serve: `orca.v1.Person` and
//! `orca.v1.Group`, protobuf-encoded, under `orca_intel::views`.

use orca_intel::views as namespaces;
use orca_intel::views::{group_to_proto, person_to_proto};
use orca_model::StateChange;
use orca_model::{GroupId, PersonId};
use orca_network::Linker;
use prost::Message;

/// Adds view records for the touched persons and groups (and redirects for merged ids).
pub fn write(linker: &Linker, persons: &[PersonId], groups: &[GroupId], state: &mut Vec<StateChange>) {
    for id in persons {
        let Some(view) = linker.person(id.as_str()) else { continue };
        for merged in &view.merged_ids {
            state.push(StateChange::put(
                namespaces::PERSON_REDIRECT,
                merged.as_str(),
                view.id.as_str().as_bytes().to_vec(),
            ));
            state.push(StateChange::delete(namespaces::PERSON, merged.as_str()));
        }
        state.push(StateChange::put(namespaces::PERSON, view.id.as_str(), person_to_proto(&view).encode_to_vec()));
    }
    for id in groups {
        match linker.group(id.as_str()) {
            Some(view) => {
                state.push(StateChange::put(namespaces::GROUP, id.as_str(), group_to_proto(&view).encode_to_vec()))
            }
            None => state.push(StateChange::delete(namespaces::GROUP, id.as_str())),
        }
    }
}
