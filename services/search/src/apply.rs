//! Applying a batch of log records to the read model and the index: resolutions (new incidents,
//! relinks, merges, splits, answers to decisions) and package versions. Every document the batch
//! touched is rewritten once, at the end, from the read model and the kept reports.

use crate::documents::{self, GroupState};
use crate::index::SearchIndex;
use crate::schema::{key, kinds};
use orca_eventlog::{Record, topics};
use orca_explore::Touched;
use orca_model::{EntityKind, GroupId};
use orca_proto::{convert, v1};
use prost::Message;
use std::collections::BTreeSet;
use std::sync::Arc;
use tantivy::{IndexWriter, Term};

/// What a batch did, for logs and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    pub resolutions: usize,
    pub packages: usize,
    pub skipped: usize,
    pub documents: usize,
    pub decisions: usize,
}

#[derive(Default)]
struct Pending {
    touched: Touched,
    groups: BTreeSet<GroupId>,
}

pub fn apply_batch(search: &SearchIndex, writer: &mut IndexWriter, records: &[Record]) -> BatchStats {
    let mut stats = BatchStats::default();
    let mut pending = Pending::default();
    // Empty values on the compacted packages topic are versions its compaction erased.
    for record in records.iter().filter(|r| !r.value.is_empty()) {
        let outcome = match record.topic.as_str() {
            topics::RESOLUTIONS => {
                apply_resolution(search, writer, record, &mut pending).map(|()| stats.resolutions += 1)
            }
            topics::PACKAGES => apply_package(search, record, &mut pending).map(|()| stats.packages += 1),
            _ => Ok(()),
        };
        if let Err(error) = outcome {
            stats.skipped += 1;
            tracing::warn!(topic = %record.topic, partition = record.partition, offset = record.offset, %error,
                           "search index skipped a record");
        }
    }
    stats.decisions = pending.touched.decisions.len();
    stats.documents = write_documents(search, writer, pending);
    if stats.decisions > 0 {
        search.decided.send_modify(|n| *n += 1);
    }
    stats
}

fn apply_resolution(
    search: &SearchIndex,
    writer: &mut IndexWriter,
    record: &Record,
    pending: &mut Pending,
) -> Result<(), String> {
    let proto = v1::Resolution::decode(record.value.as_slice()).map_err(|e| format!("not a resolution: {e}"))?;
    let resolution = convert::resolution_from_proto(proto.clone()).map_err(|e| e.to_string())?;
    let disposal = resolution.withdrawal.as_ref().is_some_and(|w| w.disposed);
    if disposal || resolution.incident.as_ref().is_some_and(|i| i.redaction) {
        search.purge.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    if resolution.withdrawal.is_some() {
        return apply_withdrawal(search, writer, &resolution, proto, pending);
    }
    // A relink with no incident id carries merges, splits or a decision's result; a relink of an
    // incident the index does not hold (one a replay of the compacted topic has not read) changes
    // entities only. Neither has a document of its own.
    let kept = match resolution.is_relink() {
        true => search.resolution(&resolution.incident_id).map(|held| relinked(held, &proto)),
        false => Some(kept_form(proto)),
    };
    let touched = search.workspace.write().expect("workspace lock").apply_resolution(&resolution);
    if let Some(kept) = kept.filter(|_| !touched.incidents.is_empty()) {
        let report =
            kept.incident.clone().and_then(|i| convert::incident_from_proto(i).ok()).ok_or("unreadable report")?;
        let bytes = Arc::new(kept.encode_to_vec());
        let id = resolution.incident_id.clone();
        writer.delete_term(Term::from_field_text(search.fields.key, &key(kinds::INCIDENT, id.as_str())));
        writer.add_document(documents::incident(&search.fields, &report, &bytes)).map_err(|e| e.to_string())?;
        search.forget_report(&id);
        search.overlay.lock().expect("overlay lock").insert(id, bytes);
    }
    let sum = &mut pending.touched;
    sum.persons.extend(touched.persons);
    sum.vehicles.extend(touched.vehicles);
    sum.retired.extend(touched.retired);
    sum.entity_meta.extend(touched.entity_meta);
    sum.decisions.extend(touched.decisions);
    pending.groups.extend(touched.groups);
    Ok(())
}

/// A withdrawn report leaves the index and the read model's links; what is kept of it is the
/// tombstone alone (its content is no longer disclosed).
fn apply_withdrawal(
    search: &SearchIndex,
    writer: &mut IndexWriter,
    resolution: &orca_model::Resolution,
    proto: v1::Resolution,
    pending: &mut Pending,
) -> Result<(), String> {
    let touched = search.workspace.write().expect("workspace lock").apply_resolution(resolution);
    let id = resolution.incident_id.clone();
    writer.delete_term(Term::from_field_text(search.fields.key, &key(kinds::INCIDENT, id.as_str())));
    let tombstone =
        v1::Resolution { incident_id: proto.incident_id, withdrawal: proto.withdrawal, ..Default::default() };
    let bytes = tombstone.encode_to_vec();
    // Kept under the incident's key with nothing to search by, so a reader can say it was withdrawn.
    let mut document = tantivy::TantivyDocument::default();
    document.add_text(search.fields.key, key(kinds::INCIDENT, id.as_str()));
    document.add_bytes(search.fields.payload, bytes.as_slice());
    writer.add_document(document).map_err(|e| e.to_string())?;
    search.forget_report(&id);
    search.overlay.lock().expect("overlay lock").insert(id, Arc::new(bytes));
    let sum = &mut pending.touched;
    sum.persons.extend(touched.persons);
    sum.vehicles.extend(touched.vehicles);
    pending.groups.extend(touched.groups);
    Ok(())
}

/// The form a resolution is kept in: the report without face templates (never shown, and large),
/// the links, nothing about merges, splits or decisions (the read model holds those).
fn kept_form(mut proto: v1::Resolution) -> v1::Resolution {
    if let Some(incident) = proto.incident.as_mut() {
        for person in &mut incident.persons {
            person.face = None;
        }
    }
    proto.merges.clear();
    proto.splits.clear();
    proto.decisions.clear();
    proto.relink = false;
    proto
}

/// A kept resolution with a relink's links laid over its own.
fn relinked(mut held: v1::Resolution, relink: &v1::Resolution) -> v1::Resolution {
    for (own, fresh) in [(&mut held.persons, &relink.persons), (&mut held.vehicles, &relink.vehicles)] {
        for link in fresh {
            match own.iter_mut().find(|l| l.sighting_index == link.sighting_index) {
                Some(slot) => *slot = link.clone(),
                None => own.push(link.clone()),
            }
        }
    }
    held
}

fn apply_package(search: &SearchIndex, record: &Record, pending: &mut Pending) -> Result<(), String> {
    let proto = v1::IntelligencePackage::decode(record.value.as_slice()).map_err(|e| format!("not a package: {e}"))?;
    let package = convert::package_from_proto(proto).map_err(|e| e.to_string())?;
    if let Some(group) = search.workspace.write().expect("workspace lock").apply_package(&package) {
        pending.groups.insert(group);
    }
    Ok(())
}

/// Rewrites every document the batch touched; returns how many were written.
fn write_documents(search: &SearchIndex, writer: &mut IndexWriter, pending: Pending) -> usize {
    let fields = &search.fields;
    let workspace = search.workspace.read().expect("workspace lock");
    let mut written = 0;
    let delete = |writer: &mut IndexWriter, kind: &str, id: &str| {
        writer.delete_term(Term::from_field_text(fields.key, &key(kind, id)));
    };
    for (kind, numbers) in
        [(EntityKind::Person, &pending.touched.persons), (EntityKind::Vehicle, &pending.touched.vehicles)]
    {
        let mut canonical: Vec<u32> = numbers.iter().map(|&n| workspace.canonical_number(kind, n)).collect();
        canonical.sort_unstable();
        canonical.dedup();
        let doc_kind = if kind == EntityKind::Person { kinds::PERSON } else { kinds::VEHICLE };
        for number in canonical {
            let id = workspace.entity_id(kind, number).to_owned();
            delete(writer, doc_kind, &id);
            let incidents = workspace.incidents_of(kind, number);
            if incidents.is_empty() {
                continue;
            }
            let reports = search.reports(&workspace, incidents);
            let doc = match kind {
                EntityKind::Person => documents::person(fields, &workspace.person_profile(number, &reports)),
                EntityKind::Vehicle => documents::vehicle(fields, &workspace.vehicle_profile(number, &reports)),
            };
            if writer.add_document(doc).is_ok() {
                written += 1;
            }
        }
    }
    for (kind, id) in &pending.touched.retired {
        let still_canonical = workspace.canonical(*kind, id).is_some_and(|n| workspace.entity_id(*kind, n) == id);
        if !still_canonical {
            delete(writer, if *kind == EntityKind::Person { kinds::PERSON } else { kinds::VEHICLE }, id);
        }
    }
    for &(kind, number) in &pending.touched.entity_meta {
        let id = workspace.entity_id(kind, number).to_owned();
        delete(writer, kinds::META, &id);
        let meta = workspace.entity_meta(kind, number);
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(fields.key, key(kinds::META, &id));
        doc.add_text(fields.kind, kinds::META);
        doc.add_text(fields.state, serde_json::to_string(&meta).expect("entity meta serialises"));
        if writer.add_document(doc).is_ok() {
            written += 1;
        }
    }
    for group in &pending.groups {
        let Some(record) = workspace.group(group.as_str()) else { continue };
        delete(writer, kinds::GROUP, group.as_str());
        let state = GroupState {
            version: record.version,
            active: record.active,
            withdrawn_reason: record.withdrawn_reason.clone(),
        };
        let payload = convert::package_to_proto(&record.package).encode_to_vec();
        if writer.add_document(documents::group(fields, &record.package, &state, &payload)).is_ok() {
            written += 1;
        }
    }
    written
}
