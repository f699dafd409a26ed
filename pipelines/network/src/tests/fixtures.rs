//! Resolutions made by hand: an incident on a day at a store in a force, with the persons and
//! vehicles it was resolved to (perfect resolution, probability 0.99 unless stated).

use chrono::{DateTime, Duration, TimeZone, Utc};
use orca_model::{
    EntityKind, EntityMerge, EntitySplit, Incident, IncidentId, LineItem, LinkDecision, PersonRole, PersonSighting,
    Resolution, SightingLink, VehicleRole, VehicleSighting,
};

pub fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 10, 0, 0).unwrap() + Duration::days(n)
}

/// Builds one resolution.
pub struct Report {
    incident: Incident,
    resolution: Resolution,
}

pub fn report(id: &str, force: &str, day_number: i64) -> Report {
    let incident = Incident {
        id: IncidentId::new(id),
        retailer: "northmart".into(),
        retailer_ref: id.to_owned(),
        store: format!("NM-{force}").into(),
        force: force.into(),
        occurred_from: Some(day(day_number)),
        line_items: vec![LineItem { quantity: 1, unit_price_pence: 10_000, ..LineItem::default() }],
        police_crime_ref: format!("CR-{id}"),
        ..Incident::default()
    };
    Report { incident, resolution: Resolution::bare(IncidentId::new(id)) }
}

/// The resolution of a withdrawn report: the withdrawal, no incident, no links.
pub fn withdrawn(id: &str, reason: &str) -> Resolution {
    Resolution {
        withdrawal: Some(orca_model::Withdrawal {
            incident_id: IncidentId::new(id),
            retailer: "northmart".into(),
            retailer_ref: id.to_owned(),
            revision: 1,
            reason: reason.to_owned(),
            withdrawn_by: "northmart-1".to_owned(),
            withdrawn_at: None,
            disposed: false,
        }),
        ..Resolution::bare(IncidentId::new(id))
    }
}

fn link(index: usize, entity: &str, probability: f64) -> SightingLink {
    SightingLink {
        sighting_index: index as u32,
        entity_id: entity.to_owned(),
        decision: LinkDecision::AutoLink,
        probability,
        evidence: Vec::new(),
        candidate: None,
        runner_up: None,
    }
}

impl Report {
    pub fn persons(mut self, ids: &[&str]) -> Self {
        for id in ids {
            let index = self.incident.persons.len();
            self.incident.persons.push(PersonSighting { role: PersonRole::Suspect, ..Default::default() });
            self.resolution.persons.push(link(index, id, 0.99));
        }
        self
    }

    pub fn named(mut self, id: &str, given: &str, family: &str, marker: Option<&str>) -> Self {
        let index = self.incident.persons.len();
        self.incident.persons.push(PersonSighting {
            role: PersonRole::Suspect,
            given_names: given.to_owned(),
            family_name: family.to_owned(),
            marker_code: marker.map(str::to_owned),
            ..Default::default()
        });
        self.resolution.persons.push(link(index, id, 0.99));
        self
    }

    /// A suspect queued for review as a possible match of `candidate`, in entity `id` meanwhile.
    pub fn possible_match(mut self, id: &str, candidate: &str) -> Self {
        let index = self.incident.persons.len();
        self.incident.persons.push(PersonSighting { role: PersonRole::Suspect, ..Default::default() });
        let mut link = link(index, id, 0.7);
        link.decision = LinkDecision::PossibleMatch;
        link.candidate = Some(candidate.to_owned());
        self.resolution.persons.push(link);
        self
    }

    /// An analyst's verdict on person sighting `index`: their decision, certain, no candidate left.
    pub fn decided(mut self, index: usize, decision: LinkDecision) -> Self {
        let link = &mut self.resolution.persons[index];
        link.decision = decision;
        link.probability = 1.0;
        link.candidate = None;
        self
    }

    pub fn vehicle(mut self, id: &str, vrm: &str) -> Self {
        let index = self.incident.vehicles.len();
        self.incident.vehicles.push(VehicleSighting {
            vrm_raw: vrm.to_owned(),
            vrm: vrm.to_owned(),
            make: "Ford".to_owned(),
            model: "Focus".to_owned(),
            colour: "silver".to_owned(),
            role: VehicleRole::UsedBySuspects,
            ..Default::default()
        });
        self.resolution.vehicles.push(link(index, id, 0.98));
        self
    }

    pub fn merge(mut self, kind: EntityKind, survivor: &str, merged: &str) -> Self {
        self.resolution.merges.push(EntityMerge {
            kind,
            survivor: survivor.to_owned(),
            merged: vec![merged.to_owned()],
            reason: "test".to_owned(),
        });
        self
    }

    pub fn split(mut self, kind: EntityKind, from: &str, new_id: &str) -> Self {
        self.resolution.splits.push(EntitySplit {
            kind,
            from: from.to_owned(),
            new_ids: vec![new_id.to_owned()],
            reason: "test".to_owned(),
        });
        self
    }

    /// Stamps the store's name and position, as ingest does.
    pub fn located(mut self, name: &str, lat: f64, lon: f64) -> Self {
        self.incident.store_location =
            Some(orca_model::StoreLocation { name: name.to_owned(), postcode: "ME1 1AA".to_owned(), lat, lon });
        self
    }

    /// A correction: this revision of the report, with the retailer's reason.
    pub fn revision(mut self, revision: u32, reason: &str) -> Self {
        self.incident.revision = revision;
        self.incident.correction_reason = reason.to_owned();
        self
    }

    pub fn value(mut self, pence: i64) -> Self {
        self.incident.line_items[0].unit_price_pence = pence;
        self
    }

    pub fn build(self) -> Resolution {
        Resolution { incident: Some(self.incident), ..self.resolution }
    }

    /// The relink the resolver sends after an analyst's decision: the links, no incident.
    pub fn relink(self) -> Resolution {
        self.resolution
    }
}

/// A crew offending together on several days (`days`), each time in the next force of `forces`.
pub fn spree(prefix: &str, crew: &[&str], forces: &[&str], days: &[i64]) -> Vec<Resolution> {
    days.iter()
        .enumerate()
        .map(|(i, &d)| report(&format!("INC-{prefix}-{i}"), forces[i % forces.len()], d).persons(crew).build())
        .collect()
}
