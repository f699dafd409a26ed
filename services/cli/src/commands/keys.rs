//! `orca keys`: issuing API keys, and the keys file commands read them from.
//!
//! The keys file (`keys.json`, written with owner-only permissions) maps subjects to secrets:
//! `{"retailers": {"northmart": "orca_…"}, "forces": {"kent": "orca_…"}, "analysts": {"opal": "orca_…"}}`.
//! ORCA itself keeps only each key's hash.

use anyhow::{Context, Result};
use orca_auth::{Authenticator, ExposeSecret, PrincipalKind};
use orca_runtime::OrcaConfig;
use orca_store::SqlStore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeysFile {
    pub retailers: BTreeMap<String, String>,
    pub forces: BTreeMap<String, String>,
    pub analysts: BTreeMap<String, String>,
}

impl KeysFile {
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading the keys file `{}`", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing the keys file `{}`", path.display()))
    }

    pub fn read_or_default(path: &Path) -> Result<Self> {
        if path.exists() { Self::read(path) } else { Ok(Self::default()) }
    }

    /// Writes the file readable by its owner only.
    pub fn write(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("writing the keys file `{}`", path.display()))?;
        file.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
        Ok(())
    }

    pub fn map_mut(&mut self, kind: PrincipalKind) -> &mut BTreeMap<String, String> {
        match kind {
            PrincipalKind::Retailer => &mut self.retailers,
            PrincipalKind::Force => &mut self.forces,
            PrincipalKind::Analyst => &mut self.analysts,
        }
    }

    /// Issues a key for `subject` unless the file already has one, and records it.
    pub async fn ensure(
        &mut self,
        authenticator: &Authenticator,
        kind: PrincipalKind,
        subject: &str,
    ) -> Result<String> {
        if let Some(key) = self.map_mut(kind).get(subject) {
            return Ok(key.clone());
        }
        let issued = authenticator.issue_key(kind, subject).await.context("issuing a key")?;
        let secret = issued.secret.expose_secret().to_owned();
        self.map_mut(kind).insert(subject.to_owned(), secret.clone());
        Ok(secret)
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Retailer,
    Force,
    Analyst,
}

impl From<KindArg> for PrincipalKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Retailer => PrincipalKind::Retailer,
            KindArg::Force => PrincipalKind::Force,
            KindArg::Analyst => PrincipalKind::Analyst,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct KeysArgs {
    /// Who the key is for.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// The retailer id, force slug or analyst name.
    #[arg(long)]
    pub subject: String,
    /// Configuration file naming the store (default: the embedded store in `--data-dir`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Embedded data directory (when no config file is given).
    #[arg(long, default_value = ".orca/data")]
    pub data_dir: PathBuf,
    /// Keys file to add the key to (default: `keys.json` in the data directory).
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

pub async fn run(args: KeysArgs) -> Result<()> {
    let mut config = OrcaConfig::load(args.config.as_deref())?;
    if args.config.is_none() {
        config.data_dir = args.data_dir.clone();
    }
    let kind = PrincipalKind::from(args.kind);
    if kind == PrincipalKind::Force {
        anyhow::ensure!(
            orca_model::ForceRegistry::global().contains(&args.subject),
            "`{}` is not a force slug (see data.police.uk, e.g. `west-midlands`)",
            args.subject
        );
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let store = SqlStore::connect(&config.store_url()).await?;
    let authenticator = Authenticator::new(Arc::new(store));
    let issued = authenticator.issue_key(kind, &args.subject).await?;
    let path = args.keys.unwrap_or_else(|| config.data_dir.join("keys.json"));
    let mut file = KeysFile::read_or_default(&path)?;
    file.map_mut(kind).insert(args.subject.clone(), issued.secret.expose_secret().to_owned());
    file.write(&path)?;
    println!(
        "issued key `{}` for {} `{}`; the secret is in `{}`",
        issued.key_id,
        kind.as_str(),
        args.subject,
        path.display()
    );
    Ok(())
}
