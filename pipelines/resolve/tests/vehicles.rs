//! Vehicle resolution: plates, misreads, partial reads and cloned plates.

mod common;

use common::*;
use orca_model::{LinkDecision, SightingLink, VehicleSighting};
use orca_resolve::Resolver;

fn vehicle_link(r: &mut Resolver, reference: &str, force: &str, day: i64, v: VehicleSighting) -> SightingLink {
    r.resolve(&incident(reference, force, day, vec![], vec![v])).vehicles.into_iter().next().expect("one link")
}

#[test]
fn the_same_plate_links_whatever_the_spacing() {
    let mut r = resolver();
    let first = vehicle_link(&mut r, "R1", "kent", 0, vehicle("AB12 CDE", "Ford", "Focus", "Silver"));
    assert_eq!(first.entity_id, "V00000001");
    let second = vehicle_link(&mut r, "R2", "kent", 2, vehicle("ab12cde", "", "", ""));
    assert_eq!(second.entity_id, "V00000001");
    assert_eq!(second.decision, LinkDecision::AutoLink);
    let other = vehicle_link(&mut r, "R3", "kent", 3, vehicle("XY65 ZZT", "Ford", "Focus", "Silver"));
    assert_eq!(other.entity_id, "V00000002");
}

#[test]
fn a_misread_links_with_corroboration_and_not_without() {
    let mut r = resolver();
    vehicle_link(&mut r, "R1", "kent", 0, vehicle("AB12CDE", "Vauxhall", "Astra", "Blue"));
    let misread = vehicle_link(&mut r, "R2", "kent", 1, vehicle("AB12CDF", "Vauxhall", "Astra", "Blue"));
    assert_eq!(misread.entity_id, "V00000001", "{misread:?}");
    assert!(misread.evidence.iter().any(|e| e.comparison == "plate" && e.level == "misread-close"));
    let bare = vehicle_link(&mut r, "R3", "kent", 2, vehicle("AB12CDF", "", "", ""));
    assert_eq!(bare.entity_id, "V00000001", "the misread is now a known plate of the vehicle");
    let unrelated = vehicle_link(&mut r, "R4", "kent", 3, vehicle("AB12CDX", "", "", ""));
    assert_ne!(unrelated.entity_id, "V00000001", "X is no misread of E");
}

#[test]
fn an_unrecognised_read_links_through_its_repair() {
    let mut r = resolver();
    vehicle_link(&mut r, "R1", "kent", 0, vehicle("AB12CDE", "Vauxhall", "Astra", "Blue"));
    let repaired = vehicle_link(&mut r, "R2", "kent", 1, vehicle("AB1Z CDE", "Vauxhall", "", "Blue"));
    assert_eq!(repaired.entity_id, "V00000001", "{repaired:?}");
}

#[test]
fn partial_plates_match_known_vehicles_only_with_corroboration() {
    let mut r = resolver();
    vehicle_link(&mut r, "R1", "kent", 0, vehicle("KX17ABC", "Volkswagen", "Golf", "Silver"));
    let corroborated = vehicle_link(&mut r, "R2", "kent", 1, vehicle("KX1? ?BC", "Volkswagen", "Golf", "Silver"));
    assert_eq!(corroborated.entity_id, "V00000001", "{corroborated:?}");
    assert!(corroborated.evidence.iter().any(|e| e.level == "partial-fits"));
    let bare = vehicle_link(&mut r, "R3", "kent", 2, vehicle("KX1? ?BC", "", "", ""));
    assert_ne!(bare.entity_id, "V00000001");
    let wrong_make = vehicle_link(&mut r, "R4", "kent", 3, vehicle("KX1? ?BC", "BMW", "", ""));
    assert_ne!(wrong_make.entity_id, "V00000001");
}

#[test]
fn a_cloned_plate_becomes_two_vehicles_and_is_flagged() {
    let mut r = resolver();
    let genuine = vehicle_link(&mut r, "R1", "kent", 0, vehicle("LM19 TXR", "Toyota", "Prius", "White"));
    let clone = vehicle_link(&mut r, "R2", "kent", 1, vehicle("LM19 TXR", "BMW", "X5", "Black"));
    assert_ne!(clone.entity_id, genuine.entity_id);
    assert_eq!(clone.candidate.as_deref(), Some(genuine.entity_id.as_str()));
    assert!(clone.evidence.iter().any(|e| e.comparison == "plate" && e.level == "cloned-plate"));
    // Each later sighting goes to the vehicle it describes.
    assert_eq!(
        vehicle_link(&mut r, "R3", "kent", 2, vehicle("LM19TXR", "BMW", "X5", "Black")).entity_id,
        clone.entity_id
    );
    assert_eq!(
        vehicle_link(&mut r, "R4", "kent", 3, vehicle("LM19TXR", "Toyota", "", "White")).entity_id,
        genuine.entity_id
    );
    let flagged = r.cloned_plates();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].0, "LM19TXR");
    assert_eq!(flagged[0].1.len(), 2);
    assert_eq!(r.stats().vehicles, 2);
}

#[test]
fn one_plate_in_two_distant_places_at_once_is_a_clone() {
    let mut r = resolver();
    let london = vehicle_link(&mut r, "R1", "metropolitan", 0, vehicle("GH68 PLM", "Ford", "Transit", "White"));
    let leeds = vehicle_link(&mut r, "R2", "west-yorkshire", 0, vehicle("GH68 PLM", "Ford", "Transit", "White"));
    assert_ne!(leeds.entity_id, london.entity_id);
    assert_eq!(r.cloned_plates().len(), 1);
}

#[test]
fn vehicles_without_a_plate_are_never_linked() {
    let mut r = resolver();
    let a = vehicle_link(&mut r, "R1", "kent", 0, vehicle("", "Ford", "Focus", "Silver"));
    let b = vehicle_link(&mut r, "R2", "kent", 0, vehicle("", "Ford", "Focus", "Silver"));
    assert_ne!(a.entity_id, b.entity_id);
}
