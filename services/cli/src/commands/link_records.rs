//! `orca link-records`: deduplicate or link lists of people (or anything tabular) that analysts
//! receive from other systems, with the batch Fellegi–Sunter linker in `orca_resolve::linkage`.
//! The config, every kind, level, transform and option, and a worked example are in
//! `docs/link-records.md`.

use anyhow::{Context, Result, bail, ensure};
use orca_resolve::linkage::{self, LinkageConfig, LinkageError, LinkageOutput, Row};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct LinkRecordsArgs {
    /// Linkage settings: JSON, or TOML if the file ends in `.toml`.
    #[arg(long)]
    pub config: PathBuf,
    /// Input CSV files with a header (one to deduplicate, several to link); all with the same header.
    #[arg(long = "input", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write `record_id,cluster_id`, one line per input record in input order.
    #[arg(long)]
    pub output: PathBuf,
    /// Also write the scored pairs at or above `report_probability`, with each column's level and
    /// weight (why the pair scored as it did).
    #[arg(long)]
    pub pairs: Option<PathBuf>,
    /// Write every value that could not be read as its column's kind (compared as missing) as
    /// `file,line,column,value,reason`. Without it the first few are printed.
    #[arg(long)]
    pub unreadable: Option<PathBuf>,
}

/// Unreadable values printed when they are not written to a file.
const UNREADABLE_SHOWN: usize = 10;

pub fn run(args: LinkRecordsArgs) -> Result<()> {
    let started = Instant::now();
    let config = read_config(&args.config)?;
    let (header, rows) = read_inputs(&args.inputs, &config.id_column)?;
    let input = |index: u32| args.inputs[index as usize].display().to_string();
    let output = linkage::link(&config, &header, &rows, args.pairs.is_some()).map_err(|error| match &error {
        LinkageError::Config(_) => anyhow::anyhow!("`{}`: {error}", args.config.display()),
        LinkageError::Row { input: index, .. } => anyhow::anyhow!("`{}` {error}", input(*index)),
    })?;
    write_clusters(&args.output, &output)?;
    if let Some(path) = &args.pairs {
        write_pairs(path, &output)?;
    }
    report_unreadable(&output, args.unreadable.as_deref(), &input)?;
    let stats = &output.stats;
    eprintln!(
        "{} records -> {} clusters ({} linked pairs of {} candidates; {} block pairs skipped; {} merges refused) in {:.1}s",
        stats.records,
        stats.clusters,
        stats.linked_pairs,
        stats.candidate_pairs,
        stats.skipped_block_pairs,
        stats.merges_refused,
        started.elapsed().as_secs_f64()
    );
    if config.one_to_one {
        eprintln!(
            "  one-to-one: {} links left out because a record had linked a better one",
            stats.links_taken_by_better
        );
    }
    let describe = |levels: &[String], m: &[f64], u: &[f64]| -> String {
        let levels = levels.iter().zip(m.iter().zip(u)).map(|(level, (m, u))| format!("{level} m={m:.3} u={u:.4}"));
        levels.collect::<Vec<_>>().join(", ")
    };
    for model in &output.model {
        eprintln!(
            "  {}{}: {}",
            model.column,
            if model.m_estimated { "" } else { " (m not estimated)" },
            describe(&model.levels, &model.m, &model.u)
        );
    }
    for joint in &output.joint_model {
        eprintln!("  {} (joint): {}", joint.columns.join("+"), describe(&joint.levels, &joint.m, &joint.u));
    }
    for [a, b] in &config.joint {
        if !output.joint_model.iter().any(|j| j.columns[0] == *a && j.columns[1] == *b) {
            eprintln!("  {a}+{b}: every blocking rule uses one of them, so they count separately");
        }
    }
    Ok(())
}

/// Says how many values each column could not read, and where: every one into `path` when given,
/// else the first few on stderr.
fn report_unreadable(output: &LinkageOutput, path: Option<&Path>, input: &dyn Fn(u32) -> String) -> Result<()> {
    if output.unreadable.is_empty() {
        return Ok(());
    }
    let mut by_column: std::collections::BTreeMap<&str, usize> = Default::default();
    for value in &output.unreadable {
        *by_column.entry(&value.column).or_default() += 1;
    }
    let counts: Vec<String> = by_column.iter().map(|(column, count)| format!("{count} in `{column}`")).collect();
    let count = output.unreadable.len();
    eprintln!(
        "{count} {} could not be read as {} column's kind and {} compared as missing ({})",
        if count == 1 { "value" } else { "values" },
        if count == 1 { "its" } else { "their" },
        if count == 1 { "was" } else { "were" },
        counts.join(", ")
    );
    if let Some(path) = path {
        let mut out = csv::Writer::from_path(path).with_context(|| format!("creating `{}`", path.display()))?;
        out.write_record(["file", "line", "column", "value", "reason"])?;
        for value in &output.unreadable {
            out.write_record([
                &input(value.input),
                &value.line.to_string(),
                &value.column,
                &value.value,
                &value.reason,
            ])?;
        }
        out.flush()?;
        eprintln!("  every one is in `{}`", path.display());
        return Ok(());
    }
    for value in output.unreadable.iter().take(UNREADABLE_SHOWN) {
        eprintln!("  `{}` line {}: column `{}`: {}", input(value.input), value.line, value.column, value.reason);
    }
    if output.unreadable.len() > UNREADABLE_SHOWN {
        eprintln!("  … and {} more (--unreadable FILE writes them all)", output.unreadable.len() - UNREADABLE_SHOWN);
    }
    Ok(())
}

fn read_config(path: &Path) -> Result<LinkageConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading `{}`", path.display()))?;
    let is_toml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let config = if is_toml {
        use figment::providers::{Format, Toml};
        figment::Figment::from(Toml::string(&text)).extract::<LinkageConfig>().map_err(|e| anyhow::anyhow!("{e}"))
    } else {
        LinkageConfig::from_json(&text).map_err(|e| anyhow::anyhow!("{e}"))
    };
    config.with_context(|| format!("`{}` is not a valid link-records config", path.display()))
}

/// Every input's rows (with their line numbers), checked to share one header. With several
/// inputs, ids are prefixed with the file's stem.
fn read_inputs(inputs: &[PathBuf], id_column: &str) -> Result<(Vec<String>, Vec<Row>)> {
    let mut header: Option<(Vec<String>, &Path)> = None;
    let mut rows = Vec::new();
    for (source, input) in inputs.iter().enumerate() {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(input)
            .with_context(|| format!("opening `{}`", input.display()))?;
        let this: Vec<String> = reader
            .headers()
            .with_context(|| format!("`{}`: reading the header", input.display()))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        match &header {
            None => header = Some((this.clone(), input)),
            Some((first, first_path)) => ensure!(
                *first == this,
                "`{}` has header ({}) but `{}` has ({}); every input needs the same columns",
                input.display(),
                this.join(", "),
                first_path.display(),
                first.join(", ")
            ),
        }
        let id_index = this.iter().position(|h| h == id_column);
        let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        for record in reader.records() {
            let record = record.with_context(|| format!("`{}`: reading a row", input.display()))?;
            let line = record.position().map_or(0, |p| p.line());
            let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
            if fields.len() != this.len() {
                bail!("`{}` line {line}: expected {} fields, found {}", input.display(), this.len(), fields.len());
            }
            if inputs.len() > 1
                && let Some(index) = id_index
            {
                fields[index] = format!("{stem}:{}", fields[index].trim());
            }
            rows.push(Row { input: source as u32, line, fields });
        }
    }
    let (header, _) = header.context("no input given")?;
    Ok((header, rows))
}

fn write_clusters(path: &Path, output: &LinkageOutput) -> Result<()> {
    let mut out = csv::Writer::from_path(path).with_context(|| format!("creating `{}`", path.display()))?;
    out.write_record(["record_id", "cluster_id"])?;
    for (record, cluster) in &output.clusters {
        out.write_record([record, cluster])?;
    }
    out.flush()?;
    Ok(())
}

fn write_pairs(path: &Path, output: &LinkageOutput) -> Result<()> {
    let mut out = csv::Writer::from_path(path).with_context(|| format!("creating `{}`", path.display()))?;
    out.write_record(["a", "b", "probability", "weight", "evidence"])?;
    for pair in &output.pairs {
        let evidence: Vec<String> =
            pair.evidence.iter().map(|e| format!("{} {} {:+.2}", e.column, e.level, e.weight)).collect();
        out.write_record([
            pair.a.clone(),
            pair.b.clone(),
            format!("{:.4}", pair.probability),
            format!("{:.2}", pair.weight),
            evidence.join("; "),
        ])?;
    }
    out.flush()?;
    Ok(())
}
