//! The enum tables: every value of the contract reads as a model value and writes back as itself,
//! and each maps to the model value of the same name.

use crate::convert::ProtoEnum;
use orca_model::package::{Assertion, NimLevel, SubjectKind};
use orca_model::vrm::VrmFormat;
use orca_model::*;
use serde::Serialize;

/// Checks every wire value up to 63 and returns how many read as a model value. `aliases` are values
/// read but never written (`VRM_FORMAT_UNSPECIFIED` reads as an unrecognised mark); `renamed` pairs
/// protobuf names with model (serde) names where the spelling differs.
fn check<E: ProtoEnum + Serialize>(aliases: &[i32], renamed: &[(&str, &str)]) -> usize {
    let mut mapped = 0;
    for value in 0..64 {
        let Some(name) = E::wire_name(value) else {
            assert!(E::from_wire(value).is_none(), "{} has no value {value}", E::PROTO_NAME);
            continue;
        };
        let Some(model) = E::from_wire(value) else {
            assert!(name.ends_with("_UNSPECIFIED"), "{name} must read as a model value");
            continue;
        };
        mapped += 1;
        if aliases.contains(&value) {
            continue;
        }
        assert_eq!(model.to_wire(), value, "{name} writes back as itself");
        let model_name = serde_json::to_value(model).expect("serialises");
        let model_name = model_name.as_str().expect("a unit variant");
        match renamed.iter().find(|(proto, _)| *proto == name) {
            Some((_, expected)) => assert_eq!(model_name, *expected, "{name}"),
            None => {
                let suffix = format!("_{}", model_name.to_ascii_uppercase().replace('-', "_"));
                assert!(name.ends_with(&suffix), "{name} maps to {model_name}");
            }
        }
    }
    mapped
}

#[test]
fn incident_enums_map_by_name() {
    assert_eq!(check::<EventType>(&[], &[]), 9);
    assert_eq!(check::<ModusOperandi>(&[], &[]), 12);
    assert_eq!(check::<EvidenceKind>(&[], &[]), 6);
    assert_eq!(check::<PersonRole>(&[], &[]), 6);
    assert_eq!(check::<Sex>(&[], &[]), 3);
    assert_eq!(check::<Build>(&[], &[]), 5);
    assert_eq!(check::<VehicleRole>(&[], &[]), 3);
    assert_eq!(check::<VrmFormat>(&[0], &[]), 9);
    assert_eq!(
        check::<AgeBand>(
            &[],
            &[
                ("AGE_BAND_UNDER_10", "under10"),
                ("AGE_BAND_10_17", "from10-to17"),
                ("AGE_BAND_18_24", "from18-to24"),
                ("AGE_BAND_25_34", "from25-to34"),
                ("AGE_BAND_OVER_34", "over34"),
            ]
        ),
        6
    );
}

#[test]
fn other_enums_map_by_name() {
    assert_eq!(check::<EntityKind>(&[], &[]), 2);
    assert_eq!(check::<LinkDecision>(&[], &[]), 5);
    assert_eq!(check::<DecisionKind>(&[], &[]), 4);
    assert_eq!(check::<SubjectKind>(&[], &[]), 2);
    assert_eq!(check::<NimLevel>(&[], &[]), 3);
    assert_eq!(check::<Assertion>(&[], &[]), 2);
    assert_eq!(
        check::<GradingSystem>(
            &[0],
            &[("GRADING_SYSTEM_3X5X2", "ThreeFiveTwo"), ("GRADING_SYSTEM_5X5X5", "FiveFiveFive")]
        ),
        3
    );
}

#[test]
fn unspecified_reads_as_the_model_value_for_not_stated() {
    assert_eq!(EventType::from_wire(0), Some(EventType::Unspecified));
    assert_eq!(VrmFormat::from_wire(0), Some(VrmFormat::Unrecognised));
    assert_eq!(GradingSystem::from_wire(0), Some(GradingSystem::ThreeFiveTwo));
    assert_eq!(ModusOperandi::from_wire(0), None);
    assert_eq!(LinkDecision::from_wire(0), None);
}
