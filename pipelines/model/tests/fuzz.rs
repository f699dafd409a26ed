//! Generated input against the model's parsers: registration marks as people type them (and as
//! they do not), and incidents with arbitrary text in every field. Nothing may panic, and
//! normalising twice changes nothing.

use chrono::{TimeZone, Utc};
use orca_model::incident::{PersonSighting, VehicleSighting};
use orca_model::{Incident, StoreRegistry, validate::validate_and_normalise, vrm};
use proptest::prelude::*;

proptest! {
    #[test]
    fn vrm_normalisation_never_panics_and_is_idempotent(raw in "\\PC{0,40}|[A-Za-z0-9 \\-]{0,12}") {
        let once = vrm::normalise(&raw);
        prop_assert_eq!(vrm::normalise(&once), once.clone());
        let _ = vrm::classify(&once, "GB");
        let _ = vrm::parse(&raw, "GB");
        let _ = vrm::misread_candidates(&once, 8);
    }

    #[test]
    fn any_text_in_an_incident_is_validated_without_panicking(
        reference in "\\PC{0,60}",
        name in "\\PC{0,120}",
        narrative in "(?s).{0,300}",
        plate in "\\PC{0,20}",
    ) {
        let mut incident = Incident {
            retailer: "northmart".into(),
            retailer_ref: reference,
            store: "NM-0001".into(),
            occurred_from: Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap()),
            narrative,
            persons: vec![PersonSighting { family_name: name.clone(), aliases: vec![name], ..Default::default() }],
            vehicles: vec![VehicleSighting { vrm_raw: plate, ..Default::default() }],
            ..Default::default()
        };
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        let _ = validate_and_normalise(&mut incident, &StoreRegistry::default(), now);
    }
}
