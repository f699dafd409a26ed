//! `orca keys issue|list|revoke|rotate`: API keys' lifecycle, and the keys file commands read them from.
//!
//! The keys file (`keys.json`, written with owner-only permissions) maps subjects to secrets:
//! `{"retailers": {"northmart": "orca_…"}, "forces": {"kent": "orca_…"}, "analysts": {"opal": "orca_…"}}`.
//! ORCA itself keeps only each key's hash.

use anyhow::{Context, Result};
use orca_auth::{Authenticator, ExposeSecret, KeyRequest, PrincipalKind};
use orca_runtime::OrcaConfig;
use orca_store::{KeyUnusable, SqlStore, Store};
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
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("writing the keys file `{}`", path.display()))?;
        // `mode` applies only to a new file: an existing one is tightened too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting the keys file `{}` to its owner", path.display()))?;
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
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum KeysCommand {
    /// Issue a key (the secret goes into the keys file, never to the terminal).
    Issue(IssueArgs),
    /// List keys: id, kind, subject, holder, created, expiry, revocation.
    List(ListArgs),
    /// Revoke a key, at once or after a grace period; running servers refuse it within seconds.
    Revoke(RevokeArgs),
    /// Issue a like key (same kind, subject, holder, lifetime) and revoke the old one after a grace period.
    Rotate(RotateArgs),
}

/// The store to act on.
#[derive(clap::Args, Debug)]
pub struct StoreArgs {
    /// Configuration file naming the store (default: the embedded store in `--data-dir`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Embedded data directory (when no config file is given).
    #[arg(long, default_value = ".orca/data")]
    pub data_dir: PathBuf,
}

impl StoreArgs {
    async fn open(&self) -> Result<(OrcaConfig, SqlStore)> {
        let mut config = OrcaConfig::load(self.config.as_deref())?;
        if self.config.is_none() {
            config.data_dir = self.data_dir.clone();
        }
        std::fs::create_dir_all(&config.data_dir)?;
        let store = SqlStore::connect(&config.store_url()).await?;
        Ok((config, store))
    }
}

#[derive(clap::Args, Debug)]
pub struct IssueArgs {
    /// Who the key is for.
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// The retailer id, force slug or analyst name.
    #[arg(long)]
    pub subject: String,
    /// The person who will hold the key, named in the audit (required for force keys: one key per
    /// officer), e.g. `DC 4471 Sam Patel`.
    #[arg(long)]
    pub holder: Option<String>,
    /// Days until the key stops working (default: force and analyst keys 365, retailer keys never).
    #[arg(long)]
    pub expires_in_days: Option<u32>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Keys file to add the key to (default: `keys.json` in the data directory).
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Only keys of this kind.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only keys for this subject.
    #[arg(long)]
    pub subject: Option<String>,
    /// Include revoked and expired keys.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(clap::Args, Debug)]
pub struct RevokeArgs {
    /// The key's id, as `orca keys list` shows it (e.g. `kent-3fa2b1c0`).
    pub key_id: String,
    /// Why (kept with the key and in the audit log).
    #[arg(long)]
    pub reason: String,
    /// Hours before the revocation takes effect (default: at once).
    #[arg(long, default_value_t = 0)]
    pub grace_hours: u32,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(clap::Args, Debug)]
pub struct RotateArgs {
    /// The key's id, as `orca keys list` shows it.
    pub key_id: String,
    /// Hours the old key keeps working, for its holder to switch over.
    #[arg(long, default_value_t = 24)]
    pub grace_hours: u32,
    /// Why (kept with the old key and in the audit log).
    #[arg(long, default_value = "rotated")]
    pub reason: String,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Keys file to put the new secret in (default: `keys.json` in the data directory).
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

pub async fn run(args: KeysArgs) -> Result<()> {
    match args.command {
        KeysCommand::Issue(args) => issue(args).await,
        KeysCommand::List(args) => list(args).await,
        KeysCommand::Revoke(args) => revoke(args).await,
        KeysCommand::Rotate(args) => rotate(args).await,
    }
}

const DAY_MS: i64 = 86_400_000;

async fn issue(args: IssueArgs) -> Result<()> {
    let kind = PrincipalKind::from(args.kind);
    let holder = args.holder.clone().unwrap_or_default();
    anyhow::ensure!(
        kind != PrincipalKind::Force || !holder.is_empty(),
        "a force key is issued to one officer: give `--holder`, e.g. `--holder \"DC 4471 Sam Patel\"`"
    );
    let days = args.expires_in_days.or(match kind {
        PrincipalKind::Retailer => None,
        PrincipalKind::Force | PrincipalKind::Analyst => Some(365),
    });
    anyhow::ensure!(days != Some(0), "`--expires-in-days` must be at least 1");
    let (config, store) = args.store.open().await?;
    let now = chrono::Utc::now().timestamp_millis();
    let request = KeyRequest {
        kind,
        subject: args.subject.clone(),
        holder,
        expires_at_ms: days.map(|days| now + i64::from(days) * DAY_MS),
    };
    let store: Arc<dyn Store> = Arc::new(store);
    let issued = Authenticator::new(store.clone()).issue(&request).await?;
    let path = args.keys.unwrap_or_else(|| config.data_dir.join("keys.json"));
    let mut file = KeysFile::read_or_default(&path)?;
    file.map_mut(kind).insert(args.subject.clone(), issued.secret.expose_secret().to_owned());
    file.write(&path)?;
    let detail = format!(
        "{} {} holder {:?} expires {}",
        kind.as_str(),
        args.subject,
        request.holder,
        when(request.expires_at_ms)
    );
    audit_admin(store.as_ref(), "issue-key", &issued.key_id, &detail).await?;
    println!(
        "issued key `{}` for {} `{}`{} (expires {}); the secret is in `{}`",
        issued.key_id,
        kind.as_str(),
        args.subject,
        if request.holder.is_empty() { String::new() } else { format!(", held by {}", request.holder) },
        when(request.expires_at_ms),
        path.display()
    );
    Ok(())
}

async fn list(args: ListArgs) -> Result<()> {
    let (_, store) = args.store.open().await?;
    let now = chrono::Utc::now().timestamp_millis();
    let kind = args.kind.map(PrincipalKind::from);
    let mut shown = 0;
    println!(
        "{:<28} {:<9} {:<22} {:<24} {:<11} {:<11} status",
        "key id", "kind", "subject", "holder", "created", "expires"
    );
    for principal in store.principals().await? {
        if kind.is_some_and(|kind| kind != principal.kind)
            || args.subject.as_ref().is_some_and(|subject| *subject != principal.subject)
        {
            continue;
        }
        let status = match (principal.unusable_at(now), &principal.revoked) {
            (Some(KeyUnusable::Revoked), Some(revoked)) => {
                format!("revoked {}: {}", day(revoked.at_ms), revoked.reason)
            }
            (Some(_), _) => "expired".to_owned(),
            (None, Some(revoked)) => format!("usable until {} (revoked: {})", day(revoked.at_ms), revoked.reason),
            (None, None) => "usable".to_owned(),
        };
        if !args.all && principal.unusable_at(now).is_some() {
            continue;
        }
        shown += 1;
        println!(
            "{:<28} {:<9} {:<22} {:<24} {:<11} {:<11} {status}",
            principal.key_id,
            principal.kind.as_str(),
            principal.subject,
            if principal.holder.is_empty() { "-" } else { &principal.holder },
            day(principal.created_at_ms),
            principal.expires_at_ms.map_or("never".to_owned(), day),
        );
    }
    eprintln!("{shown} keys{}", if args.all { "" } else { " in use (`--all` shows revoked and expired ones too)" });
    Ok(())
}

async fn revoke(args: RevokeArgs) -> Result<()> {
    anyhow::ensure!(!args.reason.trim().is_empty(), "`--reason` is required: say why the key is revoked");
    let (_, store) = args.store.open().await?;
    let store: Arc<dyn Store> = Arc::new(store);
    let at = chrono::Utc::now().timestamp_millis() + i64::from(args.grace_hours) * 3_600_000;
    let revoked = Authenticator::new(store.clone()).revoke(&args.key_id, at, args.reason.trim()).await?;
    anyhow::ensure!(revoked, "no key `{}` that is not already revoked (see `orca keys list --all`)", args.key_id);
    audit_admin(store.as_ref(), "revoke-key", &args.key_id, args.reason.trim()).await?;
    println!(
        "key `{}` revoked from {} (running servers refuse it within 5 seconds of then)",
        args.key_id,
        day_time(at)
    );
    Ok(())
}

async fn rotate(args: RotateArgs) -> Result<()> {
    let (config, store) = args.store.open().await?;
    let store: Arc<dyn Store> = Arc::new(store);
    let grace_ms = i64::from(args.grace_hours) * 3_600_000;
    let rotated = Authenticator::new(store.clone()).rotate(&args.key_id, grace_ms, args.reason.trim()).await?;
    let Some((old, issued)) = rotated else {
        anyhow::bail!("no usable key `{}` (see `orca keys list --all`)", args.key_id);
    };
    let path = args.keys.unwrap_or_else(|| config.data_dir.join("keys.json"));
    let mut file = KeysFile::read_or_default(&path)?;
    file.map_mut(old.kind).insert(old.subject.clone(), issued.secret.expose_secret().to_owned());
    file.write(&path)?;
    let detail = format!("replaced by {}; {}", issued.key_id, args.reason.trim());
    audit_admin(store.as_ref(), "rotate-key", &old.key_id, &detail).await?;
    println!(
        "issued key `{}` to replace `{}`; the old key works until {}; the new secret is in `{}`",
        issued.key_id,
        old.key_id,
        day_time(chrono::Utc::now().timestamp_millis() + grace_ms),
        path.display()
    );
    Ok(())
}

/// Writes a key administration step to the audit log under the operating-system user.
async fn audit_admin(store: &dyn Store, action: &str, key_id: &str, detail: &str) -> Result<()> {
    crate::commands::audit::record_admin(store, action, &format!("key:{key_id}"), "key administration", detail).await
}

fn when(at_ms: Option<i64>) -> String {
    at_ms.map_or("never".to_owned(), day)
}

fn day(at_ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at_ms)
        .map_or("?".to_owned(), |t| t.format("%Y-%m-%d").to_string())
}

fn day_time(at_ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at_ms)
        .map_or("?".to_owned(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}
