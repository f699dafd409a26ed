//! What the linker keeps of each incident: the facts packages cite and the links the graph is made
//! of. Built from a resolution; never holds the narrative, the submitter or evidence descriptions,
//! so nothing that could name a retailer's staff can leak into a package.

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use orca_model::{
    EventType, Evidence, ForceId, Grade, IncidentId, LinkDecision, ModusOperandi, Pence, PersonId, PersonRole,
    Resolution, RetailerId, SightingLink, StoreId, VehicleId, VehicleRole,
};
use serde::{Deserialize, Serialize};

/// One incident as the linker stores it (`network.incident` records).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub id: IncidentId,
    pub retailer: RetailerId,
    pub store: StoreId,
    pub force: ForceId,
    pub occurred_at: DateTime<Utc>,
    pub event_type: EventType,
    pub value_pence: Pence,
    pub violence: bool,
    pub weapon: bool,
    pub staff_detained: bool,
    pub modus_operandi: Vec<ModusOperandi>,
    pub police_crime_ref: CompactString,
    pub grade: Grade,
    /// Evidence references without their descriptions.
    pub evidence: Vec<Evidence>,
    pub persons: Vec<PersonLink>,
    pub vehicles: Vec<VehicleLink>,
    /// The report's revision (0 in records written before corrections existed: the first).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u32,
    /// Why the retailer corrected the report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub correction_reason: String,
    /// Set once the report was withdrawn: it then has no links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<WithdrawalNote>,
    /// The persons the report named before a correction or withdrawal took them away (canonical
    /// ids then; read through later merges): whose packages say why it left them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_persons: Vec<PersonId>,
}

/// Why and when a report was withdrawn, as the linker keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WithdrawalNote {
    pub reason: String,
    pub revision: u32,
    /// Disposed of under the retention schedule: the record keeps no evidence references, crime
    /// reference or modus operandi either (see [`IncidentRecord::scrub`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disposed: bool,
}

impl IncidentRecord {
    /// Drops what a withdrawn record still says about the report beyond when, where and what kind
    /// of offence (kept so that the linker's clock and the packages' notices read the same after a
    /// restore): evidence references, the police crime reference, the modus operandi and the
    /// correction's reason.
    pub fn scrub(&mut self) {
        self.evidence.clear();
        self.police_crime_ref = CompactString::default();
        self.modus_operandi.clear();
        self.correction_reason.clear();
        if let Some(note) = &mut self.withdrawal {
            note.disposed = true;
        }
    }
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

/// An offending person sighting and the person it was resolved to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonLink {
    pub index: u32,
    /// As resolved; read through the redirects of later merges.
    pub person: PersonId,
    pub role: PersonRole,
    pub probability: f64,
    pub decision: LinkDecision,
    /// Why the resolver linked it: decision, probability and the strongest comparisons.
    pub explanation: CompactString,
    pub name: CompactString,
    pub aliases: Vec<String>,
    pub date_of_birth: Option<CompactString>,
    /// Normalised: upper case, letters and digits only.
    pub marker_code: Option<String>,
}

/// A vehicle sighting and the vehicle it was resolved to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VehicleLink {
    pub index: u32,
    pub vehicle: VehicleId,
    pub role: VehicleRole,
    pub probability: f64,
    pub decision: LinkDecision,
    pub explanation: CompactString,
    pub vrm: CompactString,
    /// Only part of the mark was read (`?` wildcards).
    pub partial: bool,
    pub make: CompactString,
    pub model: CompactString,
    pub colour: CompactString,
}

impl VehicleLink {
    /// Whether the vehicle was with the offenders (a car merely seen nearby links nobody).
    pub fn used_by_offenders(&self) -> bool {
        self.role != VehicleRole::SeenNearby
    }
}

impl IncidentRecord {
    /// The record of a resolution that carries its incident (`None` for a relink). Links to
    /// sightings the incident does not have, and to victims or witnesses, are dropped.
    pub fn from_resolution(resolution: &Resolution) -> Option<Self> {
        let incident = resolution.incident.as_ref()?;
        let mut persons: Vec<PersonLink> = resolution
            .persons
            .iter()
            .filter_map(|link| {
                let sighting = incident.persons.get(link.sighting_index as usize)?;
                // Victims, witnesses and erased persons are never part of the offending network.
                if !sighting.role.is_offending() {
                    return None;
                }
                let name = [sighting.given_names.trim(), sighting.family_name.trim()]
                    .iter()
                    .filter(|part| !part.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(PersonLink {
                    index: link.sighting_index,
                    person: PersonId::new(link.entity_id.clone()),
                    role: sighting.role,
                    probability: link.probability,
                    decision: link.decision,
                    explanation: explain(link).into(),
                    name: name.into(),
                    aliases: sighting.aliases.clone(),
                    date_of_birth: sighting.date_of_birth.map(|date| date.to_string().into()),
                    marker_code: sighting.marker_code.as_deref().map(normalise_marker).filter(|c| !c.is_empty()),
                })
            })
            .collect();
        persons.sort_by_key(|link| link.index);
        persons.dedup_by_key(|link| link.index);
        let mut vehicles: Vec<VehicleLink> = resolution
            .vehicles
            .iter()
            .filter_map(|link| {
                let sighting = incident.vehicles.get(link.sighting_index as usize)?;
                let vrm = if sighting.vrm.is_empty() { sighting.vrm_raw.to_uppercase() } else { sighting.vrm.clone() };
                Some(VehicleLink {
                    index: link.sighting_index,
                    vehicle: VehicleId::new(link.entity_id.clone()),
                    role: sighting.role,
                    probability: link.probability,
                    decision: link.decision,
                    explanation: explain(link).into(),
                    partial: vrm.contains('?') || vrm.is_empty(),
                    vrm: vrm.into(),
                    make: sighting.make.as_str().into(),
                    model: sighting.model.as_str().into(),
                    colour: sighting.colour.as_str().into(),
                })
            })
            .collect();
        vehicles.sort_by_key(|link| link.index);
        vehicles.dedup_by_key(|link| link.index);
        let evidence = incident
            .evidence
            .iter()
            .map(|evidence| Evidence { description: String::new(), ..evidence.clone() })
            .collect();
        Some(Self {
            id: resolution.incident_id.clone(),
            retailer: incident.retailer.clone(),
            store: incident.store.clone(),
            force: incident.force.clone(),
            occurred_at: incident.occurred_at(),
            event_type: incident.event_type,
            value_pence: incident.total_value(),
            violence: incident.violence,
            weapon: incident.weapon,
            staff_detained: incident.staff_detained,
            modus_operandi: incident.modus_operandi.clone(),
            police_crime_ref: incident.police_crime_ref.as_str().into(),
            grade: incident.grade.clone(),
            evidence,
            persons,
            vehicles,
            revision: incident.revision,
            correction_reason: incident.correction_reason.clone(),
            withdrawal: None,
            former_persons: Vec::new(),
        })
    }

    /// Whether the report left some of its persons' offending (withdrawn, or corrected away from
    /// them), so their packages must say why.
    pub fn departed(&self) -> bool {
        !self.former_persons.is_empty()
    }

    /// This record with the links a relink re-states: each sighting it holds takes the relink's
    /// entity, decision, probability and explanation; a sighting the relink does not mention keeps
    /// its link (a relink states every link, so that happens only to links it has no say over).
    pub fn relinked(&self, relink: &Resolution) -> Self {
        let mut record = self.clone();
        for link in &mut record.persons {
            if let Some(new) = relink.persons.iter().find(|l| l.sighting_index == link.index) {
                link.person = PersonId::new(new.entity_id.clone());
                link.probability = new.probability;
                link.decision = new.decision;
                link.explanation = explain(new).into();
            }
        }
        for link in &mut record.vehicles {
            if let Some(new) = relink.vehicles.iter().find(|l| l.sighting_index == link.index) {
                link.vehicle = VehicleId::new(new.entity_id.clone());
                link.probability = new.probability;
                link.decision = new.decision;
                link.explanation = explain(new).into();
            }
        }
        record
    }

    /// Whether violence was used or a weapon shown or threatened.
    pub fn violent(&self) -> bool {
        self.violence || self.weapon || self.modus_operandi.contains(&ModusOperandi::ThreatsWithWeapon)
    }
}

/// `SW-1234-ABCD`, `sw 1234 abcd` and `SW1234ABCD` are one code.
pub fn normalise_marker(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// A one-line explanation of a link: `auto-link p=0.97: name exact +8.1, dob exact +6.0`; a
/// possible match names the candidate an analyst should compare it with
/// (`possible match with P00000007 p=0.81: …`).
fn explain(link: &SightingLink) -> String {
    let decision = match (&link.candidate, link.decision) {
        (Some(candidate), LinkDecision::PossibleMatch) => format!("possible match with {candidate}"),
        (_, decision) => decision.as_words().to_owned(),
    };
    let mut evidence: Vec<_> = link.evidence.iter().collect();
    evidence.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()).then_with(|| a.comparison.cmp(&b.comparison)));
    let strongest: Vec<String> =
        evidence.iter().take(3).map(|e| format!("{} {} {:+.1}", e.comparison, e.level, e.weight)).collect();
    if strongest.is_empty() {
        format!("{decision} p={:.2}", link.probability)
    } else {
        format!("{decision} p={:.2}: {}", link.probability, strongest.join(", "))
    }
}
