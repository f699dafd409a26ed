//! Opening the index directory, the read model rebuilt from it, and reading kept payloads back.
//!
//! The index is its own record of how far it has read: each commit carries, as tantivy's commit
//! payload, the schema version, the consumer group and the next offset of every partition of the
//! logs it reads. A crash between two commits loses only what the next run reads again (applying a
//! resolution or package twice changes nothing). An index of another schema version, or an empty
//! directory, is (re)built from the beginning of the logs.

use crate::error::SearchError;
use crate::schema::{self, Fields, SCHEMA_VERSION, kinds};
use orca_explore::{EntityMeta, Workspace};
use orca_model::{EntityKind, IncidentId};
use orca_proto::{convert, v1};
use prost::Message;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Memory the index writer buffers before it writes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// What each commit records.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CommitPayload {
    pub version: u32,
    /// The consumer group this index reads with (its own, so every index reads every partition).
    pub group: String,
    /// `(topic, partition, next offset)`.
    pub offsets: Vec<(String, u32, u64)>,
    /// The highest writer epoch read per `TOPIC/STAGE` (see `orca_eventlog::fencing`).
    #[serde(default)]
    pub writer_epochs: std::collections::BTreeMap<String, i64>,
}

/// The index and the read model, shared by the indexer (which writes) and the analysts' API.
pub struct SearchIndex {
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    pub(crate) workspace: RwLock<Workspace>,
    /// Incident payloads written since the last commit (not yet visible to searchers).
    pub(crate) overlay: Mutex<FxHashMap<IncidentId, Arc<Vec<u8>>>>,
    /// Bumped when answers to decisions arrive.
    pub(crate) decided: tokio::sync::watch::Sender<u64>,
    /// The offsets of the last commit: what is searchable now.
    pub(crate) committed: Mutex<Vec<(String, u32, u64)>>,
    /// Reports read lately, decoded: an entity's document is rewritten from all its reports each
    /// time it gains a sighting, and a busy vehicle has thousands.
    pub(crate) recent_reports: Mutex<ReportCache>,
    /// Set when a batch applied a disposal or a redaction: at the next commit the segments holding
    /// deleted documents are merged, so the removed text leaves the index's files.
    pub(crate) purge: std::sync::atomic::AtomicBool,
    /// When the last purge ran: merging every segment with deletes rewrites most of a busy index,
    /// so purges run at most every [`crate::indexer::PURGE_AT_MOST_EVERY`].
    pub(crate) purged_at: Mutex<Option<std::time::Instant>>,
}

/// Most reports kept decoded (two generations of half this; a report is about 1-2 KB).
const CACHED_REPORTS: usize = 100_000;

/// Recently read reports: lookups promote from the older generation; when the newer is full it
/// becomes the older and the older is dropped (an approximation of least-recently-used). A
/// report changes under its incident id only when it is corrected or withdrawn, and the indexer
/// forgets it then ([`SearchIndex::forget_report`]).
#[derive(Default)]
pub(crate) struct ReportCache {
    newer: FxHashMap<IncidentId, Arc<orca_model::Incident>>,
    older: FxHashMap<IncidentId, Arc<orca_model::Incident>>,
}

impl ReportCache {
    fn get(&mut self, id: &IncidentId) -> Option<Arc<orca_model::Incident>> {
        if let Some(report) = self.newer.get(id) {
            return Some(report.clone());
        }
        let report = self.older.remove(id)?;
        self.insert(id.clone(), report.clone());
        Some(report)
    }

    fn remove(&mut self, id: &IncidentId) {
        self.newer.remove(id);
        self.older.remove(id);
    }

    fn insert(&mut self, id: IncidentId, report: Arc<orca_model::Incident>) {
        if self.newer.len() >= CACHED_REPORTS / 2 {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(id, report);
    }
}

/// An opened index: the shared half, the writer for the indexer, and where reading resumes.
pub struct Opened {
    pub search: Arc<SearchIndex>,
    pub writer: IndexWriter,
    pub payload: CommitPayload,
}

impl SearchIndex {
    /// Opens (or creates, or rebuilds when its schema is older) the index in `dir` and loads the
    /// read model from it. Fails with [`SearchError::InUse`] when another process has it open.
    pub fn open(dir: &Path) -> Result<Opened, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::io(dir, e))?;
        let (schema, fields) = schema::build();
        let existing = dir.join("meta.json").exists();
        let mut index = if existing { Index::open_in_dir(dir)? } else { Index::create_in_dir(dir, schema.clone())? };
        let mut payload = read_payload(&index);
        if existing && (payload.version != SCHEMA_VERSION || index.schema() != schema) {
            tracing::warn!(dir = %dir.display(), found = payload.version, "search index has another schema version; rebuilding it from the logs");
            for entry in std::fs::read_dir(dir).map_err(|e| SearchError::io(dir, e))? {
                let path = entry.map_err(|e| SearchError::io(dir, e))?.path();
                let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                removed.map_err(|e| SearchError::io(&path, e))?;
            }
            index = Index::create_in_dir(dir, schema)?;
            payload = CommitPayload::default();
        }
        if payload.group.is_empty() {
            payload = CommitPayload { version: SCHEMA_VERSION, group: new_group_name(), ..CommitPayload::default() };
        }
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY).map_err(|error| match error {
            tantivy::TantivyError::LockFailure(..) => SearchError::InUse(dir.to_path_buf()),
            other => other.into(),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let search = SearchIndex {
            fields,
            reader,
            workspace: RwLock::new(Workspace::new()),
            overlay: Mutex::new(FxHashMap::default()),
            recent_reports: Mutex::new(ReportCache::default()),
            decided: tokio::sync::watch::channel(0).0,
            committed: Mutex::new(payload.offsets.clone()),
            purge: std::sync::atomic::AtomicBool::new(false),
            purged_at: Mutex::new(None),
        };
        let workspace = search.load_workspace()?;
        *search.workspace.write().expect("workspace lock") = workspace;
        Ok(Opened { search: Arc::new(search), writer, payload })
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Reads the read model back from the kept documents: incidents first, then merges and
    /// lineage, then groups.
    fn load_workspace(&self) -> Result<Workspace, SearchError> {
        let mut workspace = Workspace::new();
        let mut metas = Vec::new();
        let mut groups = Vec::new();
        let searcher = self.reader.searcher();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64).map_err(tantivy::TantivyError::from)?;
            for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
                let doc = doc?;
                let key = doc.get_first(self.fields.key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let bytes = || doc.get_first(self.fields.payload).and_then(|v| v.as_bytes()).unwrap_or_default();
                let state = || doc.get_first(self.fields.state).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                match key.split_once(':') {
                    Some(("I", _)) => {
                        let resolution = decode_resolution(bytes()).map_err(|e| SearchError::corrupt(&key, e))?;
                        workspace.apply_resolution(&resolution);
                    }
                    Some(("E", id)) => metas.push((id.to_owned(), state())),
                    Some(("G", _)) => groups.push((key.clone(), bytes().to_vec(), state())),
                    _ => {}
                }
            }
        }
        for (id, state) in metas {
            let meta: EntityMeta = serde_json::from_str(&state).map_err(|e| SearchError::corrupt(&id, e))?;
            let kind = if id.starts_with('V') { EntityKind::Vehicle } else { EntityKind::Person };
            workspace.restore_entity_meta(kind, &id, &meta);
        }
        for (key, bytes, state) in groups {
            let package =
                v1::IntelligencePackage::decode(bytes.as_slice()).map_err(|e| SearchError::corrupt(&key, e))?;
            let package = convert::package_from_proto(package).map_err(|e| SearchError::corrupt(&key, e))?;
            let state: crate::documents::GroupState =
                serde_json::from_str(&state).map_err(|e| SearchError::corrupt(&key, e))?;
            workspace.restore_group(&package, state.version, state.active, &state.withdrawn_reason);
        }
        let stats = workspace.stats();
        tracing::info!(
            incidents = stats.incidents,
            persons = stats.persons,
            groups = stats.groups,
            "search read model loaded"
        );
        Ok(workspace)
    }

    /// The kept payload of an incident (its resolution, with the report and current links).
    pub fn payload(&self, incident: &IncidentId) -> Option<Arc<Vec<u8>>> {
        if let Some(bytes) = self.overlay.lock().expect("overlay lock").get(incident) {
            return Some(bytes.clone());
        }
        let searcher = self.reader.searcher();
        let term = Term::from_field_text(self.fields.key, &schema::key(kinds::INCIDENT, incident.as_str()));
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score()).ok()?;
        let (_, address) = top.first()?;
        let doc: TantivyDocument = searcher.doc(*address).ok()?;
        doc.get_first(self.fields.payload).and_then(|v| v.as_bytes()).map(|b| Arc::new(b.to_vec()))
    }

    /// The resolution kept for an incident.
    pub fn resolution(&self, incident: &IncidentId) -> Option<v1::Resolution> {
        v1::Resolution::decode(self.payload(incident)?.as_slice()).ok()
    }

    /// Drops a report from the cache of decoded reports (it was corrected or withdrawn).
    pub(crate) fn forget_report(&self, incident: &IncidentId) {
        self.recent_reports.lock().expect("report cache lock").remove(incident);
    }

    /// The kept resolutions of some incidents (by read-model number), `None` where one is missing.
    pub fn resolutions(&self, workspace: &Workspace, incidents: &[u32]) -> Vec<Option<v1::Resolution>> {
        incidents.iter().map(|&n| self.resolution(&workspace.incident(n).id)).collect()
    }

    /// The reports of some incidents (by read-model number), `None` where one cannot be read.
    pub fn reports(&self, workspace: &Workspace, incidents: &[u32]) -> Vec<Option<Arc<orca_model::Incident>>> {
        let mut cache = self.recent_reports.lock().expect("report cache lock");
        incidents
            .iter()
            .map(|&n| {
                let id = &workspace.incident(n).id;
                if let Some(report) = cache.get(id) {
                    return Some(report);
                }
                let report = Arc::new(reports_of(&[self.resolution(id)]).pop().flatten()?);
                cache.insert(id.clone(), report.clone());
                Some(report)
            })
            .collect()
    }

    /// Read access to the read model.
    pub fn workspace(&self) -> std::sync::RwLockReadGuard<'_, Workspace> {
        self.workspace.read().expect("workspace lock")
    }

    /// Notified whenever answers to analysts' decisions arrive.
    pub fn decisions_answered(&self) -> tokio::sync::watch::Receiver<u64> {
        self.decided.subscribe()
    }

    /// Records on the logs the index has not yet made searchable.
    pub async fn lag(&self, log: &dyn orca_eventlog::EventLog) -> Result<u64, SearchError> {
        let committed = self.committed.lock().expect("committed lock").clone();
        let mut lag = 0;
        for topic in crate::indexer::input_topics() {
            for (partition, end) in log.end_offsets(&topic).await?.into_iter().enumerate() {
                let done = (committed.iter())
                    .find(|(t, p, _)| *t == topic && *p == partition as u32)
                    .map_or(0, |(_, _, offset)| *offset);
                lag += end.saturating_sub(done);
            }
        }
        Ok(lag)
    }

    /// Documents and bytes on disk, for operators.
    pub fn size(&self) -> (u64, u64) {
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs();
        let bytes = searcher.space_usage().map(|u| u.total().get_bytes()).unwrap_or(0);
        (docs, bytes)
    }
}

/// The reports inside kept resolutions.
pub fn reports_of(resolutions: &[Option<v1::Resolution>]) -> Vec<Option<orca_model::Incident>> {
    (resolutions.iter())
        .map(|r| r.as_ref().and_then(|r| r.incident.clone()).and_then(|i| convert::incident_from_proto(i).ok()))
        .collect()
}

/// The payload of the last commit (default for a new index).
pub fn read_payload(index: &Index) -> CommitPayload {
    index
        .load_metas()
        .ok()
        .and_then(|meta| meta.payload)
        .and_then(|payload| serde_json::from_str(&payload).ok())
        .unwrap_or_default()
}

pub(crate) fn decode_resolution(bytes: &[u8]) -> Result<orca_model::Resolution, String> {
    let proto = v1::Resolution::decode(bytes).map_err(|e| e.to_string())?;
    convert::resolution_from_proto(proto).map_err(|e| e.to_string())
}

fn new_group_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("search-{:x}", nanos ^ u128::from(std::process::id()))
}
