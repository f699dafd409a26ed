//! The `orca` binary: where it is, and its one-shot commands (simulate, ingest, keys, eval).
//!
//! Every command runs with the caller's `ORCA_…` configuration variables removed, so a developer's
//! environment cannot change what a test runs; tests pass the variables they mean explicitly.

use anyhow::{Context, Result, bail};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::{Child, Command};

/// The `orca` binary next to the running test executable.
#[derive(Clone, Debug)]
pub struct Orca {
    binary: PathBuf,
}

/// What one `orca ingest` run reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IngestTotals {
    pub accepted: u64,
    pub duplicate: u64,
    pub rejected: u64,
}

impl Orca {
    /// Finds `target/<profile>/orca` from the running executable: a test
    /// (`target/<profile>/deps/<test>-<hash>`) or a benchmark binary (`target/<profile>/<bench>`).
    pub fn locate() -> Result<Self> {
        let exe = std::env::current_exe().context("locating the running executable")?;
        let candidates: Vec<PathBuf> = exe.ancestors().skip(1).take(2).map(|dir| dir.join("orca")).collect();
        match candidates.iter().find(|path| path.is_file()) {
            Some(binary) => Ok(Self { binary: binary.clone() }),
            None => bail!(
                "the `orca` binary is not beside `{}`: build it first (`cargo build -p orca-cli`, with \
                 `--release` for benchmarks; `cargo test --workspace` builds it too)",
                exe.display()
            ),
        }
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// A command for `orca ARGS` with a clean `ORCA_…` environment.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(&self.binary);
        command.args(args).stdin(Stdio::null()).kill_on_drop(true);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ORCA_") {
                command.env_remove(name);
            }
        }
        command
    }

    /// Runs a command to completion; its stdout, or an error carrying its stderr.
    pub async fn run(&self, mut command: Command) -> Result<String> {
        let description = format!("{:?}", command.as_std());
        let output = command.output().await.with_context(|| format!("starting {description}"))?;
        if !output.status.success() {
            bail!("{description} failed ({}):\n{}", output.status, String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// An analyst's command against a running server (`--endpoint`, and `--data-dir` for the
    /// analyst key), with `purpose` as `ORCA_PURPOSE` if given; the whole output, whatever the
    /// exit status (see [`said`]).
    pub async fn analyst_output(
        &self,
        args: &[&str],
        endpoint: &str,
        data_dir: &Path,
        purpose: Option<&str>,
    ) -> Result<std::process::Output> {
        let mut command = self.command(args.iter().copied());
        command.arg("--endpoint").arg(endpoint).arg("--data-dir").arg(data_dir);
        if let Some(purpose) = purpose {
            command.env("ORCA_PURPOSE", purpose);
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        Ok(command.output().await?)
    }

    /// `orca simulate`: a world with its truth.
    pub async fn simulate(&self, seed: u64, incidents: u64, out: &Path) -> Result<()> {
        let mut command =
            self.command(["simulate", "--seed", &seed.to_string(), "--incidents", &incidents.to_string()]);
        command.arg("--out").arg(out);
        self.run(command).await.map(drop)
    }

    /// `orca ingest --ordered --data-dir DIR`: the embedded pipeline, one partition per topic, run
    /// until everything is processed.
    pub async fn ingest_embedded(&self, incidents: &Path, data_dir: &Path) -> Result<IngestTotals> {
        let mut command = self.command(["ingest", "--ordered"]);
        command.arg(incidents).arg("--data-dir").arg(data_dir).env("ORCA_TOPICS__PARTITIONS", "1");
        parse_totals(&self.run(command).await?)
    }

    /// `orca ingest --ordered --endpoint URL --keys FILE`, started in the background with its
    /// output in `log`.
    pub fn spawn_ingest(&self, incidents: &Path, endpoint: &str, keys: &Path, log: &Path) -> Result<Child> {
        let mut command = self.command(["ingest", "--ordered", "--endpoint", endpoint]);
        command.arg(incidents).arg("--keys").arg(keys);
        let out = std::fs::File::create(log).with_context(|| format!("creating `{}`", log.display()))?;
        command.stdout(out.try_clone()?).stderr(out);
        command.spawn().context("starting `orca ingest`")
    }

    /// `orca keys issue`: issues a key into the store `config` names and adds it to `keys`.
    pub async fn issue_key(&self, kind: &str, subject: &str, config: &Path, keys: &Path) -> Result<()> {
        let mut command = self.command(["keys", "issue", "--kind", kind, "--subject", subject]);
        if kind == "force" {
            command.arg("--holder").arg("DC 1 Test Officer");
        }
        command.arg("--config").arg(config).arg("--keys").arg(keys);
        self.run(command).await.map(drop)
    }

    /// `orca eval --json` against a world's truth, for a data directory or a store URL.
    pub async fn eval(&self, truth: &Path, results: &Results<'_>) -> Result<serde_json::Value> {
        let mut command = self.command(["eval", "--json"]);
        command.arg("--truth").arg(truth);
        match results {
            Results::DataDir(dir) => command.arg("--data-dir").arg(dir),
            Results::Store(url) => command.arg("--store").arg(url),
        };
        let text = self.run(command).await?;
        serde_json::from_str(&text).context("parsing `orca eval --json`")
    }
}

/// Where a run's results are.
pub enum Results<'a> {
    DataDir(&'a Path),
    Store(&'a str),
}

/// Reads the `accepted A, duplicate D, rejected R …` line `orca ingest` ends with.
pub fn parse_totals(output: &str) -> Result<IngestTotals> {
    let line = output
        .lines()
        .rev()
        .find(|line| line.starts_with("accepted "))
        .with_context(|| format!("no totals in the output of `orca ingest`:\n{output}"))?;
    let number = |label: &str| -> Result<u64> {
        let rest = line.split(label).nth(1).with_context(|| format!("no `{label}` in `{line}`"))?;
        let digits: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
        digits.parse().with_context(|| format!("no number after `{label}` in `{line}`"))
    };
    Ok(IngestTotals { accepted: number("accepted")?, duplicate: number("duplicate")?, rejected: number("rejected")? })
}

/// What a command printed, stdout then stderr.
pub fn said(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_totals_line() {
        let output = "some progress\naccepted 1498, duplicate 2, rejected 0 (10 warnings) in 9.6s\n";
        assert_eq!(parse_totals(output).unwrap(), IngestTotals { accepted: 1498, duplicate: 2, rejected: 0 });
        assert!(parse_totals("nothing").is_err());
    }
}
