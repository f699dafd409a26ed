//! What a run found, read back from its store (SQLite in embedded mode, PostgreSQL in distributed
//! mode), and the comparison of two runs.
//!
//! Persons, vehicles and groups come from the linker's stored state (restored as `orca eval`
//! does), packages from the intelligence surface's package index (latest version per package,
//! decoded), views from the analyst view records. Package version numbers are kept apart from
//! package contents (see the crate docs).

use crate::World;
use anyhow::{Context, Result, bail};
use orca_model::{ForceRegistry, IncidentId};
use orca_network::LinkerConfig;
use orca_proto::v1;
use orca_stage::views;
use orca_store::{PackageQuery, SqlStore, Store};
use prost::Message;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

type Sighting = (String, u32);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Person id of every person sighting in the world's truth.
    pub persons: BTreeMap<Sighting, String>,
    /// Vehicle id of every vehicle sighting in the world's truth.
    pub vehicles: BTreeMap<Sighting, String>,
    /// Organised crime groups: id → member person ids (sorted).
    pub groups: BTreeMap<String, Vec<String>>,
    /// Latest version of every package that stands (not withdrawn), with `version` cleared.
    pub packages: BTreeMap<String, v1::IntelligencePackage>,
    /// Latest version number of every package.
    pub package_versions: BTreeMap<String, u32>,
    /// What is wrong with a package's stored history as a force reads it: a version missing
    /// between 1 and the latest, or a version numbered other than it is stored. Version numbers
    /// differ between runs (batching), but every run's history must be whole.
    pub version_history_faults: Vec<String>,
    /// Analyst views (`view.*` records): (namespace, key) → the decoded view.
    pub views: BTreeMap<(String, String), ViewText>,
    /// Incidents the linker holds.
    pub linked_incidents: u64,
    /// Incident records the resolver holds, and how many distinct incident ids they name.
    pub resolved_incidents: u64,
    pub distinct_resolved_incidents: u64,
}

impl Snapshot {
    /// Reads a run's results from its store.
    pub async fn read(store_url: &str, world: &World) -> Result<Self> {
        let store = SqlStore::connect(store_url).await.with_context(|| format!("opening `{store_url}`"))?;
        let linker =
            orca_linker::load(&store, LinkerConfig::default()).await.context("restoring the linker's state")?;
        let sighting_map = |file: &str, lookup: &dyn Fn(&IncidentId, u32) -> Option<String>| -> Result<_> {
            let mut found = BTreeMap::new();
            for (incident, index) in world.sightings(file)? {
                if let Some(entity) = lookup(&IncidentId::new(&incident), index) {
                    found.insert((incident, index), entity);
                }
            }
            Ok(found)
        };
        let persons = sighting_map("sightings.csv", &|incident, index| {
            linker.person_of_sighting(incident, index).map(|p| p.to_string())
        })?;
        let vehicles = sighting_map("vehicles.csv", &|incident, index| {
            linker.vehicle_of_sighting(incident, index).map(|v| v.to_string())
        })?;
        let groups = linker
            .groups()
            .into_iter()
            .map(|group| {
                let mut members: Vec<String> = group.members.iter().map(|m| m.person.to_string()).collect();
                members.sort();
                (group.id.to_string(), members)
            })
            .collect();

        let (packages, package_versions) = read_packages(&store).await?;
        let version_history_faults = version_history_faults(&store, &package_versions).await?;
        let views = store
            .load_state(views::PREFIX)
            .await?
            .into_iter()
            .map(|record| {
                let text = decode_view(&record.namespace, &record.value)
                    .with_context(|| format!("view `{}` `{}` does not decode", record.namespace, record.key))?;
                Ok(((record.namespace, record.key), text))
            })
            .collect::<Result<_>>()?;
        let resolved = store.load_state("resolve.incident").await?;
        let mut ids = BTreeSet::new();
        for record in &resolved {
            let value: serde_json::Value = serde_json::from_slice(&record.value)
                .with_context(|| format!("resolver record `{}` is not JSON", record.key))?;
            ids.insert(value["id"].as_str().unwrap_or_default().to_owned());
        }
        Ok(Self {
            persons,
            vehicles,
            groups,
            packages,
            package_versions,
            version_history_faults,
            views,
            linked_incidents: linker.stats().incidents,
            resolved_incidents: resolved.len() as u64,
            distinct_resolved_incidents: ids.len() as u64,
        })
    }

    /// Every incident was resolved exactly once and reached the linker.
    pub fn check_complete(&self, incidents: u64) -> Result<()> {
        if self.resolved_incidents != incidents || self.distinct_resolved_incidents != incidents {
            bail!(
                "the resolver holds {} incident records naming {} distinct incidents; expected {incidents} of each",
                self.resolved_incidents,
                self.distinct_resolved_incidents
            );
        }
        if self.linked_incidents != incidents {
            bail!("the linker holds {} incidents; expected {incidents}", self.linked_incidents);
        }
        if !self.version_history_faults.is_empty() {
            bail!("package histories are not whole:\n  {}", self.version_history_faults.join("\n  "));
        }
        Ok(())
    }

    /// Describes every way `actual` differs from `expected`, ignoring package version numbers.
    pub fn differences(&self, expected: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        compare_maps("person of sighting", &expected.persons, &self.persons, &mut out);
        compare_maps("vehicle of sighting", &expected.vehicles, &self.vehicles, &mut out);
        compare_maps("group members", &expected.groups, &self.groups, &mut out);
        compare_maps("package content", &expected.packages, &self.packages, &mut out);
        compare_maps("analyst view", &expected.views, &self.views, &mut out);
        for (label, want, got) in [
            ("linked incidents", expected.linked_incidents, self.linked_incidents),
            ("resolved incidents", expected.resolved_incidents, self.resolved_incidents),
            ("distinct resolved incidents", expected.distinct_resolved_incidents, self.distinct_resolved_incidents),
        ] {
            if want != got {
                out.push(format!("{label}: expected {want}, found {got}"));
            }
        }
        out
    }

    /// Fails with the differences (at most a few per kind) if the runs disagree.
    pub fn assert_same_as(&self, expected: &Snapshot, what: &str) -> Result<()> {
        let differences = self.differences(expected);
        if differences.is_empty() {
            return Ok(());
        }
        bail!("{what} differs from the reference run in {} ways:\n  {}", differences.len(), differences.join("\n  "))
    }

    /// Package ids whose latest version numbers differ (informational, see the module docs).
    pub fn version_differences(&self, expected: &Snapshot) -> Vec<String> {
        expected
            .package_versions
            .iter()
            .filter_map(|(id, version)| {
                let other = self.package_versions.get(id)?;
                (other != version).then(|| format!("{id}: v{version} vs v{other}"))
            })
            .collect()
    }
}

/// A view as text (a decoded `orca.v1.Person` or `orca.v1.Group`, or a redirect's target), so
/// differences name the field.
#[derive(Clone, PartialEq)]
pub struct ViewText(pub String);

impl Debug for ViewText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn decode_view(namespace: &str, value: &[u8]) -> Result<ViewText> {
    Ok(ViewText(match namespace {
        views::PERSON => format!("{:#?}", v1::Person::decode(value)?),
        views::GROUP => format!("{:#?}", v1::Group::decode(value)?),
        _ => String::from_utf8_lossy(value).into_owned(),
    }))
}

/// Latest version of every package, once each: every package has exactly one lead force.
async fn read_packages(store: &SqlStore) -> Result<(BTreeMap<String, v1::IntelligencePackage>, BTreeMap<String, u32>)> {
    let mut packages = BTreeMap::new();
    let mut versions = BTreeMap::new();
    for force in ForceRegistry::global().iter() {
        let query = PackageQuery { force: force.id.to_string(), lead: Some(true), ..PackageQuery::default() };
        let mut after = None;
        loop {
            let page = store.list_packages(&query, after.as_ref(), 500).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.position());
            for row in page {
                let mut package = v1::IntelligencePackage::decode(row.body.as_slice())
                    .with_context(|| format!("package `{}` v{} does not decode", row.package_id, row.version))?;
                package.version = 0;
                versions.insert(row.package_id.clone(), row.version);
                // What a withdrawal repeats depends on where batches were cut (see the crate docs).
                // The same test as `orca_explore::is_withdrawal`, on the wire type.
                if package.title.starts_with("Withdrawn: ") && package.subjects.is_empty() {
                    continue;
                }
                if packages.insert(row.package_id.clone(), package).is_some() {
                    bail!("package `{}` is listed with more than one lead force", row.package_id);
                }
            }
        }
    }
    Ok((packages, versions))
}

/// Reads every stored version of every package and says what is missing or misnumbered.
async fn version_history_faults(store: &SqlStore, latest: &BTreeMap<String, u32>) -> Result<Vec<String>> {
    let mut faults = Vec::new();
    for (id, &last) in latest {
        for version in 1..=last {
            let Some(row) = store.package(id, Some(version)).await? else {
                faults.push(format!("{id}: v{version} of {last} is missing"));
                continue;
            };
            let package = v1::IntelligencePackage::decode(row.body.as_slice())
                .with_context(|| format!("package `{id}` v{version} does not decode"))?;
            if package.version != version {
                faults.push(format!("{id}: v{version} is stored numbered {}", package.version));
            }
        }
    }
    Ok(faults)
}

/// At most this many differences are listed per kind of record.
const SHOWN: usize = 5;

fn compare_maps<K: Ord + Debug, V: PartialEq + Debug>(
    label: &str,
    expected: &BTreeMap<K, V>,
    actual: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    let mut found = Vec::new();
    for (key, want) in expected {
        match actual.get(key) {
            None => found.push(format!("{label} {key:?}: missing")),
            Some(got) if got != want => found.push(format!("{label} {key:?}: {}", first_difference(want, got))),
            Some(_) => {}
        }
    }
    for key in actual.keys().filter(|key| !expected.contains_key(key)) {
        found.push(format!("{label} {key:?}: unexpected"));
    }
    if found.len() > SHOWN {
        let more = found.len() - SHOWN;
        found.truncate(SHOWN);
        found.push(format!("{label}: … and {more} more"));
    }
    out.extend(found);
}

/// The first few lines where the pretty debug forms differ.
fn first_difference<V: Debug>(expected: &V, actual: &V) -> String {
    let (expected, actual) = (format!("{expected:#?}"), format!("{actual:#?}"));
    let lines: Vec<String> = expected
        .lines()
        .zip(actual.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(3)
        .map(|(line, (a, b))| format!("expected `{}`, found `{}` (line {line})", a.trim(), b.trim()))
        .collect();
    if lines.is_empty() { "one is a prefix of the other".to_owned() } else { lines.join("; ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_the_record_and_what_changed() {
        let mut expected = Snapshot::default();
        expected.persons.insert(("INC-1".into(), 0), "P00000001".into());
        expected.groups.insert("G00000001".into(), vec!["P00000001".into(), "P00000002".into()]);
        let mut actual = expected.clone();
        actual.persons.insert(("INC-1".into(), 0), "P00000009".into());
        actual.groups.clear();
        let differences = actual.differences(&expected);
        assert_eq!(differences.len(), 2, "{differences:?}");
        assert!(differences[0].contains("INC-1") && differences[0].contains("P00000009"), "{differences:?}");
        assert!(differences[1].contains("G00000001") && differences[1].contains("missing"), "{differences:?}");
        assert!(expected.differences(&expected.clone()).is_empty());
    }

    #[test]
    fn package_versions_are_not_content() {
        let mut expected = Snapshot::default();
        expected.package_versions.insert("PKG-G00000001".into(), 11);
        let mut actual = expected.clone();
        actual.package_versions.insert("PKG-G00000001".into(), 12);
        assert!(actual.differences(&expected).is_empty());
        assert_eq!(actual.version_differences(&expected), ["PKG-G00000001: v11 vs v12"]);
    }
}
