//! The index's fields. One index holds every kind of document (person, vehicle, incident, group,
//! and `meta` records of merges and lineage), told apart by `kind`; `key` (`P:P00000012`,
//! `I:INC-…`) is unique and is how a document is replaced.
//!
//! Names are indexed as the words `orca_explore::analysis` makes of them (pre-tokenised, so the
//! index and the query agree on `O'Brien` → `obrien`), with their sound-alike codes and nickname
//! groups in fields of their own; plates as normalised marks with their misread skeletons; dates of
//! birth at every precision. Free text (narratives, goods, marks) uses tantivy's default analyser.
//! Nothing but `key`, `id`, `card` (what a hit shows) and `payload` (what the read model is rebuilt
//! from) is stored.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT, TextFieldIndexing, TextOptions,
};

/// Bumped whenever the fields or what goes into them change: an index of another version is
/// rebuilt from the logs on start-up.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    /// JSON: what a hit shows and what can be highlighted.
    pub card: Field,
    /// Protobuf: an incident's resolution (with the report), a group's last active package.
    pub payload: Field,
    /// JSON: a group's standing, an entity's redirect and lineage (`meta` documents).
    pub state: Field,
    pub name: Field,
    pub name_sound: Field,
    pub nickname: Field,
    pub dob: Field,
    pub dob_swapped: Field,
    pub marks: Field,
    pub marker: Field,
    pub vrm: Field,
    pub vrm_skeleton: Field,
    pub vehicle_text: Field,
    pub text: Field,
    pub reference: Field,
    pub force: Field,
    pub retailer: Field,
    pub event_type: Field,
    /// Unix seconds.
    pub first_seen: Field,
    pub last_seen: Field,
    /// A small static rank: log2(1 + incidents).
    pub weight: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Names and plates accumulate over an entity's sightings: a person seen under four names is no
    // weaker a match for one of them, so these fields carry no length norms.
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    );
    let codes = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field("kind", STRING),
        id: builder.add_text_field("id", STRING | STORED),
        card: builder.add_text_field("card", STORED),
        payload: builder.add_bytes_field("payload", STORED),
        state: builder.add_text_field("state", STORED),
        name: builder.add_text_field("name", words),
        name_sound: builder.add_text_field("name_sound", codes.clone()),
        nickname: builder.add_text_field("nickname", codes.clone()),
        dob: builder.add_text_field("dob", codes.clone()),
        dob_swapped: builder.add_text_field("dob_swapped", codes.clone()),
        marks: builder.add_text_field("marks", TEXT),
        marker: builder.add_text_field("marker", codes.clone()),
        vrm: builder.add_text_field("vrm", codes.clone()),
        vrm_skeleton: builder.add_text_field("vrm_skeleton", codes.clone()),
        vehicle_text: builder.add_text_field("vehicle_text", TEXT),
        text: builder.add_text_field("text", TEXT),
        reference: builder.add_text_field("reference", STRING),
        force: builder.add_text_field("force", STRING),
        retailer: builder.add_text_field("retailer", STRING),
        event_type: builder.add_text_field("event_type", STRING),
        first_seen: builder.add_i64_field("first_seen", INDEXED | FAST),
        last_seen: builder.add_i64_field("last_seen", INDEXED | FAST),
        weight: builder.add_f64_field("weight", FAST),
    };
    (builder.build(), fields)
}

/// The document kinds, as stored in `kind`.
pub mod kinds {
    pub const PERSON: &str = "person";
    pub const VEHICLE: &str = "vehicle";
    pub const INCIDENT: &str = "incident";
    pub const GROUP: &str = "group";
    /// An entity's merge redirect and lineage.
    pub const META: &str = "meta";
}

/// The unique key of a document.
pub fn key(kind: &str, id: &str) -> String {
    let prefix = match kind {
        kinds::PERSON => "P",
        kinds::VEHICLE => "V",
        kinds::INCIDENT => "I",
        kinds::GROUP => "G",
        _ => "E",
    };
    format!("{prefix}:{id}")
}
