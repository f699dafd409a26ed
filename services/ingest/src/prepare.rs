//! Turning one submitted record into what ingest writes: the CPU part of ingest, free of I/O.
//!
//! A record is checked against the caller (a retailer submits only as itself), its ORCA-set fields
//! are cleared, its content hash taken, and it is converted, given provenance, validated and
//! normalised. Either it is ready to claim and append ([`Prepared::Valid`]) or it is rejected with
//! every problem found ([`Prepared::Invalid`]).

use crate::config::IngestConfig;
use crate::submission::{Channel, SubmittedRecord, codes};
use chrono::{DateTime, Utc};
use orca_model::validate::validate_and_normalise;
use orca_model::{IncidentId, Problem, Provenance, RetailerId, StoreRegistry};
use orca_proto::convert::{incident_from_proto, incident_to_proto, problem_to_proto};
use orca_proto::v1;
use prost::Message;
use sha2::{Digest, Sha256};

/// Who submitted a batch, how, and against what.
pub(crate) struct Context<'a> {
    pub retailer: &'a str,
    pub key_id: &'a str,
    pub channel: Channel,
    pub config: &'a IngestConfig,
    pub stores: &'a StoreRegistry,
    pub now: DateTime<Utc>,
}

pub(crate) enum Prepared {
    Valid(ValidRecord),
    Invalid(Rejection),
}

/// A record that passed validation, ready to be claimed and appended.
pub(crate) struct ValidRecord {
    pub retailer_ref: String,
    pub incident_id: String,
    /// Hex SHA-256 of the submitted record with ORCA-set fields cleared.
    pub content_hash: String,
    /// The normalised `orca.v1.Incident`, encoded: the incident log's value.
    pub value: Vec<u8>,
    pub warnings: Vec<v1::FieldProblem>,
    /// The submitted record, encoded; kept if it is later rejected.
    pub original: Vec<u8>,
    /// Why the retailer changed the report (empty unless it corrects one sent before).
    pub correction_reason: String,
    /// Some person in it has a face template (kept only as long as the retention schedule allows).
    pub has_faces: bool,
}

/// The longest correction or withdrawal reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// The problem with a correction or withdrawal reason, if any: it must be printable text of 1 to
/// [`MAX_REASON_CHARS`] characters once trimmed.
pub fn reason_problem(field: &str, reason: &str) -> Option<Problem> {
    let trimmed = reason.trim();
    let why = if trimmed.is_empty() {
        "give the reason in words".to_owned()
    } else if trimmed.chars().count() > MAX_REASON_CHARS {
        format!("at most {MAX_REASON_CHARS} characters; this has {}", trimmed.chars().count())
    } else if trimmed.chars().any(char::is_control) {
        "control characters are not allowed".to_owned()
    } else {
        return None;
    };
    Some(Problem::new(field, codes::INVALID_REASON, why))
}

/// A record to reject and keep.
pub(crate) struct Rejection {
    pub retailer_ref: String,
    /// Derived when the record has a reference, else empty.
    pub incident_id: String,
    /// The record as received (protobuf, or the raw bytes of an undecodable record).
    pub original: Vec<u8>,
    pub problems: Vec<Problem>,
}

impl Prepared {
    /// Whether the only reason to reject is a store this instance does not know (yet).
    pub fn names_unknown_store(&self) -> bool {
        matches!(self, Prepared::Invalid(rejection) if rejection.problems.iter().any(|p| p.code == crate::submission::codes::UNKNOWN_STORE))
    }
}

pub(crate) fn prepare(context: &Context<'_>, record: SubmittedRecord) -> Prepared {
    match record {
        SubmittedRecord::Incident(incident) => prepare_incident(context, incident),
        SubmittedRecord::Undecodable { raw, retailer_ref, problems } => {
            let retailer_ref = retailer_ref.trim().to_owned();
            let incident_id = derive_id(context.retailer, &retailer_ref);
            Prepared::Invalid(Rejection { retailer_ref, incident_id, original: raw, problems })
        }
    }
}

fn prepare_incident(context: &Context<'_>, mut incident: v1::Incident) -> Prepared {
    let original = incident.encode_to_vec();
    let mut problems = Vec::new();
    if incident.retailer_id.is_empty() {
        incident.retailer_id = context.retailer.to_owned();
    } else if incident.retailer_id != context.retailer {
        problems.push(Problem::new(
            "retailer_id",
            codes::WRONG_RETAILER,
            format!(
                "this key submits as `{}`, not `{}`; a retailer can submit only its own incidents",
                context.retailer, incident.retailer_id
            ),
        ));
        // Validate the rest as the caller's record, so store checks speak about the caller.
        incident.retailer_id = context.retailer.to_owned();
    }
    let correction_reason = std::mem::take(&mut incident.correction_reason).trim().to_owned();
    if !correction_reason.is_empty()
        && let Some(problem) = reason_problem("correction_reason", &correction_reason)
    {
        problems.push(problem);
    }
    clear_orca_fields(&mut incident);
    let retailer_ref = incident.retailer_ref.clone();
    let incident_id = derive_id(context.retailer, &retailer_ref);
    let content_hash = hex::encode(Sha256::digest(incident.encode_to_vec()));

    let mut model = match incident_from_proto(incident) {
        Ok(model) => model,
        Err(structural) => {
            problems.extend(structural);
            return Prepared::Invalid(Rejection { retailer_ref, incident_id, original, problems });
        }
    };
    model.provenance = Provenance {
        source: format!("retailer:{}", context.retailer),
        channel: context.channel.as_str().to_owned(),
        submitted_by: context.key_id.to_owned(),
        received_at: Some(context.now),
        lawful_basis: context.config.lawful_basis.clone(),
        sharing_agreement: context.config.sharing_agreement.clone(),
        produced_by: concat!("orca-ingest/", env!("CARGO_PKG_VERSION")).to_owned(),
    };
    if let Err(invalid) = validate_and_normalise(&mut model, context.stores, context.now) {
        problems.extend(invalid);
    }
    if !problems.is_empty() {
        return Prepared::Invalid(Rejection { retailer_ref, incident_id, original, problems });
    }
    debug_assert_eq!(model.id.as_str(), incident_id, "validation derives the same id");
    Prepared::Valid(ValidRecord {
        retailer_ref,
        incident_id,
        content_hash,
        value: incident_to_proto(&model).encode_to_vec(),
        warnings: model.warnings.iter().map(problem_to_proto).collect(),
        original,
        correction_reason,
        has_faces: model.persons.iter().any(|person| person.face.is_some()),
    })
}

/// Clears what ORCA sets, so a resubmission is recognised whatever the client echoed back in those
/// fields, and trims the reference as normalisation does.
fn clear_orca_fields(incident: &mut v1::Incident) {
    incident.incident_id.clear();
    incident.force.clear();
    incident.provenance = None;
    incident.warnings.clear();
    incident.revision = 0;
    incident.redaction = false;
    let trimmed = incident.retailer_ref.trim();
    if trimmed.len() != incident.retailer_ref.len() {
        incident.retailer_ref = trimmed.to_owned();
    }
    for vehicle in &mut incident.vehicles {
        vehicle.vrm.clear();
        vehicle.format = 0;
        vehicle.vrm_candidates.clear();
    }
}

fn derive_id(retailer: &str, retailer_ref: &str) -> String {
    if retailer_ref.is_empty() {
        return String::new();
    }
    IncidentId::derive(&RetailerId::new(retailer), retailer_ref).0.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use orca_model::Store;

    fn stores() -> StoreRegistry {
        StoreRegistry::new([Store {
            id: "NM-0001".into(),
            retailer: "northmart".into(),
            name: "Northmart Digbeth".into(),
            postcode: "B5 6DY".into(),
            force: "west-midlands".into(),
            lat: 52.475,
            lon: -1.885,
        }])
    }

    fn incident() -> v1::Incident {
        v1::Incident {
            retailer_ref: "NM-1".into(),
            store_id: "NM-0001".into(),
            occurred_from: Some(pbjson_types::Timestamp { seconds: 1_767_225_600, nanos: 0 }),
            event_type: v1::EventType::Shoplifting as i32,
            ..Default::default()
        }
    }

    fn prepare_one(incident: v1::Incident) -> Prepared {
        let config = IngestConfig::default();
        let stores = stores();
        let context = Context {
            retailer: "northmart",
            key_id: "northmart-1",
            channel: Channel::Grpc,
            config: &config,
            stores: &stores,
            now: DateTime::from_timestamp(1_767_229_200, 0).unwrap(),
        };
        prepare(&context, SubmittedRecord::Incident(incident))
    }

    fn valid(prepared: Prepared) -> ValidRecord {
        match prepared {
            Prepared::Valid(valid) => valid,
            Prepared::Invalid(rejection) => panic!("rejected: {:?}", rejection.problems),
        }
    }

    #[test]
    fn a_valid_record_gets_provenance_force_and_an_id() {
        let record = valid(prepare_one(incident()));
        let written = v1::Incident::decode(record.value.as_slice()).unwrap();
        assert_eq!(written.retailer_id, "northmart", "an empty retailer id is the caller's");
        assert_eq!(written.force, "west-midlands");
        assert_eq!(written.incident_id, record.incident_id);
        let provenance = written.provenance.unwrap();
        assert_eq!(provenance.source, "retailer:northmart");
        assert_eq!(provenance.channel, "grpc");
        assert_eq!(provenance.submitted_by, "northmart-1");
        assert_eq!(provenance.lawful_basis, "uk-gdpr-6-1-f");
        assert_eq!(provenance.sharing_agreement, "pegasus-isa");
        assert!(provenance.produced_by.starts_with("orca-ingest/"));
    }

    #[test]
    fn the_content_hash_ignores_what_orca_sets() {
        let first = valid(prepare_one(incident()));
        let echoed = v1::Incident {
            incident_id: first.incident_id.clone(),
            retailer_id: "northmart".into(),
            retailer_ref: " NM-1 ".into(),
            force: "kent".into(),
            provenance: Some(v1::Provenance { source: "made up".into(), ..Default::default() }),
            ..incident()
        };
        assert_eq!(valid(prepare_one(echoed)).content_hash, first.content_hash);
        let changed = v1::Incident { narrative: "more detail".into(), ..incident() };
        assert_ne!(valid(prepare_one(changed)).content_hash, first.content_hash);
    }

    #[test]
    fn another_retailers_record_is_rejected_with_every_problem() {
        let foreign = v1::Incident { retailer_id: "southco".into(), event_type: 0, ..incident() };
        let Prepared::Invalid(rejection) = prepare_one(foreign) else { panic!("accepted a foreign record") };
        let fields: Vec<_> = rejection.problems.iter().map(|p| (p.field.as_str(), p.code.as_str())).collect();
        assert_eq!(fields, [("retailer_id", "wrong-retailer"), ("event_type", "missing")]);
        assert!(!rejection.original.is_empty());
    }
}
