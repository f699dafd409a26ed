//! Consumer groups of the embedded log: durable committed offsets and in-process membership.
//!
//! Each group's committed offsets live in `groups/<group>.offsets`, replaced atomically (write a
//! temporary file, fsync, rename, fsync the directory), so a crash leaves either the old or the
//! new offsets. Membership is in memory only: members join when a consumer is created and leave
//! when it is dropped; every change bumps the group's generation, and consumers recompute their
//! share of the partitions with Kafka's range assignment.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::{Error, Position, Result};

pub(crate) type Offsets = BTreeMap<(String, u32), u64>;

const OFFSETS_HEADER: &str = "orca-offsets v1";

pub(crate) struct Groups {
    dir: PathBuf,
    groups: Mutex<HashMap<String, Group>>,
    next_member_id: AtomicU64,
}

struct Group {
    offsets: Arc<GroupOffsets>,
    /// Member id to subscribed topics; ids grow with join order.
    members: BTreeMap<u64, Vec<String>>,
    generation: u64,
}

/// A group's committed offsets and the file they are kept in.
pub(crate) struct GroupOffsets {
    path: PathBuf,
    dir: PathBuf,
    committed: Mutex<Offsets>,
    /// Held while the file is replaced, so concurrent commits land in order.
    file_lock: Mutex<()>,
}

impl Groups {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, groups: Mutex::new(HashMap::new()), next_member_id: AtomicU64::new(1) }
    }

    /// Adds a member subscribed to `topics`; returns its id.
    pub fn join(&self, group: &str, topics: Vec<String>) -> Result<u64> {
        let member_id = self.next_member_id.fetch_add(1, Ordering::Relaxed);
        let mut groups = self.groups.lock().expect("groups lock");
        let entry = self.entry(&mut groups, group)?;
        entry.members.insert(member_id, topics);
        entry.generation += 1;
        Ok(member_id)
    }

    pub fn leave(&self, group: &str, member_id: u64) {
        let mut groups = self.groups.lock().expect("groups lock");
        if let Some(entry) = groups.get_mut(group)
            && entry.members.remove(&member_id).is_some()
        {
            entry.generation += 1;
        }
    }

    /// The group's generation and this member's partitions, given each subscribed topic's
    /// partition count.
    pub fn assignment(&self, group: &str, member_id: u64, partitions: &[(String, u32)]) -> (u64, Vec<(String, u32)>) {
        let groups = self.groups.lock().expect("groups lock");
        let Some(entry) = groups.get(group) else { return (0, Vec::new()) };
        let mut assigned = Vec::new();
        for (topic, count) in partitions {
            let subscribers: Vec<u64> =
                entry.members.iter().filter(|(_, topics)| topics.contains(topic)).map(|(id, _)| *id).collect();
            let Some(rank) = subscribers.iter().position(|id| *id == member_id) else { continue };
            for partition in range_assignment(*count, subscribers.len() as u32, rank as u32) {
                assigned.push((topic.clone(), partition));
            }
        }
        (entry.generation, assigned)
    }

    /// The group's committed offsets, loading them from disk the first time.
    pub fn offsets(&self, group: &str) -> Result<Arc<GroupOffsets>> {
        let mut groups = self.groups.lock().expect("groups lock");
        Ok(Arc::clone(&self.entry(&mut groups, group)?.offsets))
    }

    /// The committed offsets of every group that has committed any, read from their files (which
    /// a commit replaces before it shows in memory, so they are never behind). Blocking I/O.
    pub fn committed_by_every_group(&self) -> Result<Vec<Offsets>> {
        let entries = fs::read_dir(&self.dir).map_err(Error::io("listing groups", &self.dir))?;
        let mut every = Vec::new();
        for entry in entries {
            let path = entry.map_err(Error::io("listing groups", &self.dir))?.path();
            if path.extension().is_none_or(|extension| extension != "offsets") {
                continue;
            }
            // A commit renames a whole new file over the old one: this reads one or the other.
            let text = fs::read_to_string(&path).map_err(Error::io("reading group offsets", &path))?;
            let offsets =
                parse_offsets(&text).map_err(|detail| Error::Corrupt { path: path.clone(), position: 0, detail })?;
            every.push(offsets);
        }
        Ok(every)
    }

    fn entry<'a>(&self, groups: &'a mut HashMap<String, Group>, group: &str) -> Result<&'a mut Group> {
        if !groups.contains_key(group) {
            let offsets = GroupOffsets::load(&self.dir, group)?;
            groups.insert(
                group.to_string(),
                Group { offsets: Arc::new(offsets), members: BTreeMap::new(), generation: 0 },
            );
        }
        Ok(groups.get_mut(group).expect("inserted above"))
    }
}

/// Kafka's range assignor for one topic: member `rank` of `members` gets a contiguous range, the
/// first `partitions % members` members one partition more.
pub(crate) fn range_assignment(partitions: u32, members: u32, rank: u32) -> std::ops::Range<u32> {
    if members == 0 || rank >= members {
        return 0..0;
    }
    let per_member = partitions / members;
    let extra = partitions % members;
    let start = rank * per_member + rank.min(extra);
    let len = per_member + u32::from(rank < extra);
    start..start + len
}

impl GroupOffsets {
    fn load(dir: &Path, group: &str) -> Result<Self> {
        let path = dir.join(format!("{}.offsets", escape_file_name(group)));
        let committed = match fs::read_to_string(&path) {
            Ok(text) => {
                parse_offsets(&text).map_err(|detail| Error::Corrupt { path: path.clone(), position: 0, detail })?
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Offsets::new(),
            Err(cause) => return Err(Error::Io { operation: "reading group offsets", path, cause }),
        };
        Ok(Self { path, dir: dir.to_path_buf(), committed: Mutex::new(committed), file_lock: Mutex::new(()) })
    }

    pub fn get(&self, topic: &str, partition: u32) -> Option<u64> {
        self.committed.lock().expect("offsets lock").get(&(topic.to_string(), partition)).copied()
    }

    /// Stores `positions` durably; blocking I/O. They become visible once on disk.
    pub fn commit_blocking(&self, positions: &[Position]) -> Result<()> {
        let _file = self.file_lock.lock().expect("offsets file lock");
        let mut updated = self.committed.lock().expect("offsets lock").clone();
        for position in positions {
            updated.insert((position.topic.clone(), position.partition), position.offset);
        }
        self.write_atomically(&updated)?;
        *self.committed.lock().expect("offsets lock") = updated;
        Ok(())
    }

    fn write_atomically(&self, offsets: &Offsets) -> Result<()> {
        let mut text = format!("{OFFSETS_HEADER}\n");
        for ((topic, partition), offset) in offsets {
            text.push_str(&format!("{topic} {partition} {offset}\n"));
        }
        write_file_atomically(&self.path, &self.dir, text.as_bytes())
    }
}

/// Replaces `path` (inside `dir`) with `contents`: a crash leaves the old or the new file whole.
pub(crate) fn write_file_atomically(path: &Path, dir: &Path, contents: &[u8]) -> Result<()> {
    let temporary = path.with_extension("tmp");
    let mut file = fs::File::create(&temporary).map_err(Error::io("creating", &temporary))?;
    file.write_all(contents).map_err(Error::io("writing", &temporary))?;
    file.sync_all().map_err(Error::io("syncing", &temporary))?;
    fs::rename(&temporary, path).map_err(Error::io("renaming into place", path))?;
    sync_dir(dir)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|handle| handle.sync_all()).map_err(Error::io("syncing directory", dir))
}

fn parse_offsets(text: &str) -> Result<Offsets, String> {
    let mut lines = text.lines();
    if lines.next() != Some(OFFSETS_HEADER) {
        return Err("missing offsets header".into());
    }
    let mut offsets = Offsets::new();
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        let [topic, partition, offset] = fields[..] else { return Err(format!("malformed line `{line}`")) };
        let partition = partition.parse().map_err(|_| format!("bad partition in `{line}`"))?;
        let offset = offset.parse().map_err(|_| format!("bad offset in `{line}`"))?;
        offsets.insert((topic.to_string(), partition), offset);
    }
    Ok(offsets)
}

/// Group names may hold any character; file names get `[A-Za-z0-9_-]` and `%XX` for the rest.
fn escape_file_name(name: &str) -> String {
    let mut escaped = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' {
            escaped.push(byte as char);
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_assignment_covers_every_partition_once() {
        for partitions in 0..10 {
            for members in 1..5 {
                let mut seen: Vec<u32> =
                    (0..members).flat_map(|rank| range_assignment(partitions, members, rank)).collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..partitions).collect::<Vec<_>>(), "{partitions} partitions, {members} members");
            }
        }
        assert_eq!(range_assignment(5, 2, 0), 0..3);
        assert_eq!(range_assignment(5, 2, 1), 3..5);
    }

    #[test]
    fn group_names_become_safe_file_names() {
        assert_eq!(escape_file_name("linker"), "linker");
        assert_eq!(escape_file_name("../x y"), "%2E%2E%2Fx%20y");
    }

    #[test]
    fn offsets_survive_a_reload() {
        let dir = tempfile::tempdir().expect("tempdir");
        let offsets = GroupOffsets::load(dir.path(), "g").expect("load");
        offsets.commit_blocking(&[Position::new("a", 0, 5), Position::new("b", 2, 9)]).expect("commit");
        offsets.commit_blocking(&[Position::new("a", 0, 7)]).expect("commit");
        let reloaded = GroupOffsets::load(dir.path(), "g").expect("reload");
        assert_eq!(reloaded.get("a", 0), Some(7));
        assert_eq!(reloaded.get("b", 2), Some(9));
        assert_eq!(reloaded.get("b", 0), None);
    }
}
