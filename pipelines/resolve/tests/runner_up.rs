//! Every link names the next-best candidate it was scored against, so an analyst can see how close
//! the alternative was.

mod common;

use common::store::Store;
use common::*;
use orca_model::LinkDecision;
use orca_resolve::{Resolver, ResolverConfig};

#[test]
fn an_auto_link_names_the_runner_up_and_a_restored_resolver_still_does() {
    let mut r = resolver();
    let mut store = Store::default();
    // Two men of the same name and date of birth seen together: two people.
    let together = incident(
        "R1",
        "kent",
        0,
        vec![named("Callum", "Fairweather", Some("1996-12-01")), named("Callum", "Fairweather", Some("1996-12-01"))],
        vec![],
    );
    let pair = r.resolve(&together);
    let (first, second) = (pair.persons[0].entity_id.clone(), pair.persons[1].entity_id.clone());
    assert_ne!(first, second);

    let later = incident("R2", "kent", 3, vec![named("Callum", "Fairweather", Some("1996-12-01"))], vec![]);
    let resolution = r.resolve(&later);
    let link = &resolution.persons[0];
    assert_eq!(link.decision, LinkDecision::AutoLink);
    let runner_up = link.runner_up.clone().expect("the other Callum Fairweather was a candidate too");
    let other = if link.entity_id == first { &second } else { &first };
    assert_eq!(&runner_up.entity_id, other);
    assert!(runner_up.probability > 0.5 && runner_up.probability <= link.probability, "{runner_up:?}");
    assert!(pair.persons[0].runner_up.is_none(), "the first sighting had nobody to be compared with");

    store.apply(r.take_changes());
    let mut restored = Resolver::restore(ResolverConfig::default(), store.records()).expect("restores");
    assert_eq!(restored.resolve(&later).persons[0].runner_up, Some(runner_up), "kept in the state");
}

#[test]
fn a_new_entity_names_the_closest_entity_it_did_not_join() {
    let mut r = resolver();
    let known = r.resolve(&incident("R1", "kent", 0, vec![named("Ashley", "Brennan", Some("1987-03-03"))], vec![]));
    let stranger = r.resolve(&incident("R2", "kent", 2, vec![named("Ashley", "Brennan", Some("1961-08-19"))], vec![]));
    let link = &stranger.persons[0];
    assert_eq!(link.decision, LinkDecision::NewEntity, "a different date of birth");
    let runner_up = link.runner_up.as_ref().expect("the namesake was scored");
    assert_eq!(runner_up.entity_id, known.persons[0].entity_id);
    assert!(runner_up.probability < 0.5, "{runner_up:?}");
}
