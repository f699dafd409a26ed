//! `orca eval`: scores what ORCA resolved and detected against a simulated world's truth.

use anyhow::{Context, Result, bail};
use orca_eval::{Group, Report, evaluate_clustering, evaluate_groups, map_predicted_to_true, render_text};
use orca_model::IncidentId;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::predictions::Predictions;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The `truth/` directory `orca simulate` wrote.
    #[arg(long)]
    pub truth: PathBuf,
    /// Read ORCA's results from an embedded data directory.
    #[arg(long, conflicts_with_all = ["store", "endpoint"])]
    pub data_dir: Option<PathBuf>,
    /// Read them from a store instead (`postgres://…` in distributed mode, or `sqlite://…`).
    #[arg(long, conflicts_with = "endpoint")]
    pub store: Option<String>,
    /// Read them from a running instance's gRPC endpoint (`AnalystService.ExportResolution`, with
    /// an analyst key; the export is audited).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Analyst key for `--endpoint` (or set ORCA_KEY).
    #[arg(long, env = "ORCA_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Where ORCA's results are read from.
enum Source<'a> {
    DataDir(&'a Path),
    Store(&'a str),
    Endpoint(&'a str, &'a str),
}

pub async fn run(args: EvalArgs) -> Result<()> {
    // Checked before the truth is read, so a missing flag is reported first.
    let source = match (&args.data_dir, &args.store, &args.endpoint) {
        (Some(dir), _, _) => Source::DataDir(dir),
        (None, Some(url), _) => Source::Store(url),
        (None, None, Some(endpoint)) => {
            let key = args.key.as_deref().context("`--endpoint` needs an analyst key: `--key` or ORCA_KEY")?;
            Source::Endpoint(endpoint, key)
        }
        (None, None, None) => {
            bail!("say where ORCA's results are: `--data-dir DIR`, `--store URL` or `--endpoint URL`")
        }
    };
    let truth = Truth::read(&args.truth)?;
    let predictions = match source {
        Source::DataDir(dir) => Predictions::from_data_dir(dir, &truth).await?,
        Source::Store(url) => Predictions::from_store(url, &truth).await?,
        Source::Endpoint(endpoint, key) => Predictions::from_endpoint(endpoint, key).await?,
    };
    let report = evaluate(&truth, &predictions)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_text(&report));
    }
    Ok(())
}

/// The ground truth of a simulated world.
pub struct Truth {
    /// (incident, sighting index) → true person.
    pub persons: Vec<((IncidentId, u32), String)>,
    pub vehicles: Vec<((IncidentId, u32), String)>,
    pub groups: Vec<Group>,
}

impl Truth {
    pub fn read(dir: &Path) -> Result<Self> {
        let persons = read_sightings(&dir.join("sightings.csv"))?;
        let vehicles = read_sightings(&dir.join("vehicles.csv"))?;
        let forces = read_group_forces(&dir.join("world.json"))?;
        let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let path = dir.join("groups.csv");
        let mut reader = csv::Reader::from_path(&path).with_context(|| format!("opening `{}`", path.display()))?;
        for (row, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("`{}` line {}", path.display(), row + 2))?;
            let list = members.entry(record[0].to_owned()).or_default();
            if !list.iter().any(|m| m == &record[1]) {
                list.push(record[1].to_owned());
            }
        }
        let groups = members
            .into_iter()
            .map(|(id, members)| Group { forces: forces.get(&id).cloned().unwrap_or_default(), id, members })
            .collect();
        Ok(Self { persons, vehicles, groups })
    }
}

fn read_sightings(path: &Path) -> Result<Vec<((IncidentId, u32), String)>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("opening `{}`", path.display()))?;
    let mut rows = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.with_context(|| format!("`{}` line {line}", path.display()))?;
        let index: u32 =
            record[1].parse().with_context(|| format!("`{}` line {line}: bad sighting index", path.display()))?;
        rows.push(((IncidentId::new(&record[0]), index), record[2].to_owned()));
    }
    Ok(rows)
}

/// Forces each true group hit, from `world.json`.
fn read_group_forces(path: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    #[derive(serde::Deserialize)]
    struct World {
        groups: Vec<GroupSummary>,
    }
    #[derive(serde::Deserialize)]
    struct GroupSummary {
        id: String,
        forces_hit: Vec<String>,
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let world: World = serde_json::from_str(&text).with_context(|| format!("parsing `{}`", path.display()))?;
    Ok(world.groups.into_iter().map(|g| (g.id, g.forces_hit)).collect())
}

/// Scores predictions against the truth.
pub fn evaluate(truth: &Truth, predictions: &Predictions) -> Result<Report> {
    let key = |(incident, index): &(IncidentId, u32)| format!("{incident}#{index}");
    let true_persons: Vec<(String, String)> = truth.persons.iter().map(|(k, p)| (key(k), p.clone())).collect();
    let predicted_persons: Vec<(String, String)> =
        truth.persons.iter().filter_map(|(k, _)| predictions.person_of(&k.0, k.1).map(|p| (key(k), p))).collect();
    let true_vehicles: Vec<(String, String)> = truth.vehicles.iter().map(|(k, v)| (key(k), v.clone())).collect();
    let predicted_vehicles: Vec<(String, String)> =
        truth.vehicles.iter().filter_map(|(k, _)| predictions.vehicle_of(&k.0, k.1).map(|v| (key(k), v))).collect();
    let persons = evaluate_clustering(&true_persons, &predicted_persons)?;
    let vehicles = evaluate_clustering(&true_vehicles, &predicted_vehicles)?;

    let by_key: std::collections::HashMap<&str, &str> =
        true_persons.iter().map(|(k, p)| (k.as_str(), p.as_str())).collect();
    let pairs: Vec<(String, String)> =
        predicted_persons.iter().map(|(k, predicted)| (predicted.clone(), by_key[k.as_str()].to_owned())).collect();
    let person_map = map_predicted_to_true(&pairs);
    let groups = evaluate_groups(&truth.groups, &predictions.groups, &person_map)?;
    Ok(Report { persons, vehicles, groups })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::simulate::{self, SimulateArgs};

    fn small_world() -> (tempfile::TempDir, Truth) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("world");
        simulate::run(SimulateArgs { seed: 3, incidents: 1_500, days: None, out: out.clone() }).unwrap();
        let truth = Truth::read(&out.join("truth")).unwrap();
        assert!(!truth.groups.is_empty(), "the small world has organised groups");
        (dir, truth)
    }

    #[test]
    fn the_truth_itself_scores_one_and_singletons_score_lower() {
        let (_dir, truth) = small_world();
        let perfect = Predictions::new(
            truth.persons.iter().cloned().collect(),
            truth.vehicles.iter().cloned().collect(),
            truth.groups.clone(),
        );
        let report = evaluate(&truth, &perfect).unwrap();
        for (what, scores) in [("persons", &report.persons), ("vehicles", &report.vehicles)] {
            assert_eq!(scores.pairwise.f1, 1.0, "{what} pairwise");
            assert_eq!(scores.bcubed.f1, 1.0, "{what} B-cubed");
            assert_eq!(scores.true_entities, scores.predicted_entities, "{what} entities");
        }
        assert_eq!((report.groups.precision, report.groups.recall), (1.0, 1.0));
        assert_eq!(report.groups.true_groups, truth.groups.len() as u64);

        // Every sighting its own entity, and no groups: nothing is joined up.
        let singletons = |rows: &[((IncidentId, u32), String)]| {
            rows.iter().enumerate().map(|(n, (key, _))| (key.clone(), format!("E{n}"))).collect()
        };
        let bad = Predictions::new(singletons(&truth.persons), singletons(&truth.vehicles), Vec::new());
        let report = evaluate(&truth, &bad).unwrap();
        assert_eq!(report.persons.pairwise.recall, 0.0);
        assert!(report.persons.bcubed.f1 < 1.0 && report.vehicles.bcubed.f1 < 1.0);
        assert_eq!(report.groups.recall, 0.0);
    }
}
