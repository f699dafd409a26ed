//! The rules a store registration must pass, free of I/O.
//!
//! A retailer registers only its own stores; a store id belongs to one retailer for good; the force
//! must be a data.police.uk slug in the registry, must agree with the position (see
//! [`MAX_FORCE_MISMATCH_KM`]) and stays the store's force; the postcode must look like a UK
//! postcode (the full code, or the outward code alone); the position must be in the British Isles.

use crate::submission::codes;
use orca_model::force::distance_km;
use orca_model::{ForceRegistry, Problem, Store, StoreRegistry};
use orca_proto::v1;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Longest accepted store id and store name.
pub const MAX_STORE_ID_CHARS: usize = 64;
pub const MAX_STORE_NAME_CHARS: usize = 200;
/// How much farther the claimed force's centre may be than the nearest force's centre. ORCA holds
/// force centres, not boundaries, so this catches a force that cannot be right (a store on Oxford
/// Street registered to Northern Ireland is 553 km out) without refusing stores near a border or in
/// a large force's far corner: Police Scotland has one centre, so a store at Gretna is about 170 km
/// farther from it than from Cumbria's (simulated worlds' stores were at most 134 km out). A
/// neighbouring force given by mistake is not caught; a boundary check would be needed for that.
pub const MAX_FORCE_MISMATCH_KM: f64 = 250.0;
/// Bounding box of the British Isles (Channel Islands to Shetland, Northern Ireland to Lowestoft).
const LATITUDES: std::ops::RangeInclusive<f64> = 49.0..=61.0;
const LONGITUDES: std::ops::RangeInclusive<f64> = -8.7..=2.0;

static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?: ?([0-9][A-Z]{2}))?$").expect("the postcode pattern is valid")
});

/// Checks every registration of a request made by `retailer`; each result is the store to
/// register or every problem with it (fields as `stores[i].name`).
pub fn check_registrations(
    retailer: &str,
    registrations: &[v1::StoreRegistration],
    registered: &StoreRegistry,
) -> Vec<Result<Store, Vec<Problem>>> {
    let mut seen = HashSet::new();
    registrations
        .iter()
        .enumerate()
        .map(|(index, registration)| {
            let result = check_registration(&format!("stores[{index}]"), retailer, registration, registered);
            let first_time = seen.insert(registration.store_id.trim().to_owned());
            match result {
                Ok(_) if !first_time => Err(vec![Problem::new(
                    format!("stores[{index}].store_id"),
                    codes::DUPLICATE_STORE,
                    format!("store `{}` appears more than once in this request", registration.store_id.trim()),
                )]),
                other => other,
            }
        })
        .collect()
}

fn check_registration(
    at: &str,
    retailer: &str,
    registration: &v1::StoreRegistration,
    registered: &StoreRegistry,
) -> Result<Store, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, code: &str, reason: String| {
        problems.push(Problem::new(format!("{at}.{field}"), code, reason));
    };
    let store_id = registration.store_id.trim();
    if store_id.is_empty() {
        problem("store_id", codes::MISSING, "store id is required".to_owned());
    } else if store_id.chars().count() > MAX_STORE_ID_CHARS
        || !store_id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        problem(
            "store_id",
            codes::INVALID_ID,
            format!("store id `{store_id}` must be 1 to {MAX_STORE_ID_CHARS} of A-Z, a-z, 0-9, `-`, `_` and `.`"),
        );
    } else if let Some(existing) = registered.get(&store_id.into())
        && existing.retailer.as_str() != retailer
    {
        problem("store_id", codes::FOREIGN_STORE, format!("store `{store_id}` is registered to another retailer"));
    }
    let claimed_retailer = registration.retailer_id.trim();
    if !claimed_retailer.is_empty() && claimed_retailer != retailer {
        problem(
            "retailer_id",
            codes::WRONG_RETAILER,
            format!("this key registers stores for `{retailer}`, not `{claimed_retailer}`"),
        );
    }
    let name = collapse_spaces(&registration.name);
    if name.is_empty() {
        problem("name", codes::MISSING, "store name is required".to_owned());
    } else if name.chars().count() > MAX_STORE_NAME_CHARS {
        problem("name", codes::TOO_LONG, format!("store name is longer than {MAX_STORE_NAME_CHARS} characters"));
    }
    let postcode = normalise_postcode(&registration.postcode);
    if registration.postcode.trim().is_empty() {
        problem("postcode", codes::MISSING, "postcode is required".to_owned());
    } else if postcode.is_none() {
        problem(
            "postcode",
            codes::INVALID_POSTCODE,
            format!("`{}` is not a UK postcode such as `B5 6DY`", registration.postcode.trim()),
        );
    }
    let force = registration.force.trim();
    if force.is_empty() {
        problem("force", codes::MISSING, "the store's police force (a data.police.uk slug) is required".to_owned());
    } else if !ForceRegistry::global().contains(force) {
        problem(
            "force",
            codes::UNKNOWN_FORCE,
            format!("`{force}` is not a police force slug from data.police.uk, such as `west-midlands`"),
        );
    }
    let (lat, lon) = (registration.lat, registration.lon);
    if lat == 0.0 && lon == 0.0 {
        problem("lat", codes::MISSING, "the store's position (lat, lon) is required".to_owned());
    } else {
        if !LATITUDES.contains(&lat) {
            problem("lat", codes::OUT_OF_AREA, format!("latitude {lat} is outside the British Isles"));
        }
        if !LONGITUDES.contains(&lon) {
            problem("lon", codes::OUT_OF_AREA, format!("longitude {lon} is outside the British Isles"));
        }
    }
    if let Some(existing) = registered.get(&store_id.into())
        && existing.retailer.as_str() == retailer
        && !force.is_empty()
        && existing.force.as_str() != force
    {
        problem(
            "force",
            codes::STORE_MOVED,
            format!("store `{store_id}` is registered in `{}`; a store cannot move to another force", existing.force),
        );
    }
    if problems.is_empty()
        && let Some(reason) = force_mismatch(force, (lat, lon))
    {
        problems.push(Problem::new(format!("{at}.force"), codes::FORCE_MISMATCH, reason));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Store {
        id: store_id.into(),
        retailer: retailer.into(),
        name,
        postcode: postcode.unwrap_or_default(),
        force: force.into(),
        lat,
        lon,
    })
}

/// Why `force` cannot be where a store at `position` is, or `None` when it can (a force without a
/// territory, such as British Transport Police, can be anywhere).
fn force_mismatch(force: &str, position: (f64, f64)) -> Option<String> {
    let registry = ForceRegistry::global();
    let claimed = registry.get(force)?.centre?;
    let nearest = registry
        .territorial()
        .filter_map(|f| Some((f, f.centre?)))
        .min_by(|(_, a), (_, b)| distance_km(position, *a).total_cmp(&distance_km(position, *b)))?;
    let (claimed_km, nearest_km) = (distance_km(position, claimed), distance_km(position, nearest.1));
    (claimed_km - nearest_km > MAX_FORCE_MISMATCH_KM).then(|| {
        format!(
            "a store at {:.3}, {:.3} is {claimed_km:.0} km from `{force}` but {nearest_km:.0} km from `{}`: check the force",
            position.0, position.1, nearest.0.id
        )
    })
}

/// `b5  6dy` → `B5 6DY`; `None` if it does not look like a UK postcode.
pub fn normalise_postcode(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    let captures = POSTCODE.captures(&compact)?;
    Some(match captures.get(2) {
        Some(inward) => format!("{} {}", &captures[1], inward.as_str()),
        None => captures[1].to_owned(),
    })
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration(store_id: &str) -> v1::StoreRegistration {
        v1::StoreRegistration {
            store_id: store_id.into(),
            retailer_id: String::new(),
            name: " Northmart  Digbeth ".into(),
            postcode: "b5 6dy".into(),
            force: "west-midlands".into(),
            lat: 52.475,
            lon: -1.885,
        }
    }

    fn problems(result: &Result<Store, Vec<Problem>>) -> Vec<(String, String)> {
        match result {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| (p.field.clone(), p.code.clone())).collect(),
        }
    }

    #[test]
    fn a_good_registration_is_normalised() {
        let results = check_registrations("northmart", &[registration("NM-0001")], &StoreRegistry::default());
        let store = results[0].as_ref().unwrap();
        assert_eq!(store.name, "Northmart Digbeth");
        assert_eq!(store.postcode, "B5 6DY");
        assert_eq!(store.retailer.as_str(), "northmart");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = v1::StoreRegistration {
            store_id: "NM 1".into(),
            retailer_id: "southco".into(),
            name: " ".into(),
            postcode: "not a postcode".into(),
            force: "gotham".into(),
            lat: 40.7,
            lon: -74.0,
        };
        let results = check_registrations("northmart", &[bad], &StoreRegistry::default());
        let expected = [
            ("stores[0].store_id", "invalid-id"),
            ("stores[0].retailer_id", "wrong-retailer"),
            ("stores[0].name", "missing"),
            ("stores[0].postcode", "invalid-postcode"),
            ("stores[0].force", "unknown-force"),
            ("stores[0].lat", "out-of-area"),
            ("stores[0].lon", "out-of-area"),
        ];
        let expected: Vec<_> = expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(problems(&results[0]), expected);
    }

    #[test]
    fn a_store_belongs_to_one_retailer_and_appears_once_per_request() {
        let registered = StoreRegistry::new([Store {
            id: "SC-0001".into(),
            retailer: "southco".into(),
            name: "Southco Leeds".into(),
            postcode: "LS1 4AP".into(),
            force: "west-yorkshire".into(),
            lat: 53.8,
            lon: -1.55,
        }]);
        let results = check_registrations(
            "northmart",
            &[registration("SC-0001"), registration("NM-0002"), registration("NM-0002")],
            &registered,
        );
        assert_eq!(problems(&results[0]), [("stores[0].store_id".to_owned(), "foreign-store".to_owned())]);
        assert!(results[1].is_ok());
        assert_eq!(problems(&results[2]), [("stores[2].store_id".to_owned(), "duplicate-store".to_owned())]);
        let update = v1::StoreRegistration {
            name: "Southco Leeds Briggate".into(),
            force: "west-yorkshire".into(),
            lat: 53.797,
            lon: -1.543,
            ..registration("SC-0001")
        };
        let own = check_registrations("southco", std::slice::from_ref(&update), &registered);
        assert!(own[0].is_ok(), "a retailer may update its own store: {:?}", problems(&own[0]));
        let moved = check_registrations(
            "southco",
            &[v1::StoreRegistration { force: "north-yorkshire".into(), ..update }],
            &registered,
        );
        assert_eq!(problems(&moved[0]), [("stores[0].force".to_owned(), "store-moved".to_owned())]);
    }

    #[test]
    fn a_force_that_cannot_be_where_the_store_is_is_refused_with_the_nearest_one() {
        let oxford_street = v1::StoreRegistration {
            postcode: "W1D 1AN".into(),
            force: "northern-ireland".into(),
            lat: 51.515,
            lon: -0.142,
            ..registration("NM-0003")
        };
        let results = check_registrations("northmart", std::slice::from_ref(&oxford_street), &StoreRegistry::default());
        assert_eq!(problems(&results[0]), [("stores[0].force".to_owned(), "force-mismatch".to_owned())]);
        let Err(refused) = &results[0] else { unreachable!() };
        assert!(
            refused[0].reason.contains("km from `city-of-london`")
                || refused[0].reason.contains("km from `metropolitan`"),
            "{}",
            refused[0].reason
        );
        for force in ["metropolitan", "city-of-london", "btp"] {
            let near = v1::StoreRegistration { force: force.into(), ..oxford_street.clone() };
            let results = check_registrations("northmart", &[near], &StoreRegistry::default());
            assert!(results[0].is_ok(), "{force}: {:?}", problems(&results[0]));
        }
        // Near a border, or in a large force's far corner: the neighbour is accepted too.
        let solihull = v1::StoreRegistration { force: "warwickshire".into(), ..registration("NM-0004") };
        assert!(check_registrations("northmart", &[solihull], &StoreRegistry::default())[0].is_ok());
    }

    #[test]
    fn postcodes_are_normalised_or_refused() {
        assert_eq!(normalise_postcode("sw1a1aa").as_deref(), Some("SW1A 1AA"));
        assert_eq!(normalise_postcode(" LS1 ").as_deref(), Some("LS1"));
        assert_eq!(normalise_postcode("EC1A  1BB").as_deref(), Some("EC1A 1BB"));
        assert_eq!(normalise_postcode("12345"), None);
        assert_eq!(normalise_postcode("B5 6DYX"), None);
    }
}
