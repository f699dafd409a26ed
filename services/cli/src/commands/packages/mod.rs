//! `orca packages`: what a force sees — the intelligence packages about groups and prolific
//! offenders that hit its area, most urgent first; one package in full (any version, with what
//! changed, as text, JSON or a printable HTML document); or `--follow` to stream new versions as
//! they are made. Every read states a purpose and is audited.

mod follow;
mod render;

use crate::client;
use crate::commands::keys::KeysFile;
use anyhow::{Context, Result, bail};
use orca_proto::v1::{self, intelligence_service_client::IntelligenceServiceClient};
use std::path::{Path, PathBuf};
use tonic::transport::Channel;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// A self-contained printable document (one package: with `--show`).
    Html,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Withdrawn,
    All,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Lead,
    Affected,
}

/// Where to reach ORCA and as whom.
#[derive(clap::Args, Debug, Clone)]
pub struct ForceConnection {
    /// The force (data.police.uk slug), e.g. `west-midlands`.
    #[arg(long)]
    pub force: String,
    /// A running ORCA's gRPC endpoint.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub endpoint: String,
    /// The force user's key (or ORCA_KEY); default: the force's key in `--data-dir`'s keys file.
    #[arg(long, env = "ORCA_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Data directory whose `keys.json` holds the force's key (as `orca demo` writes it).
    #[arg(long, default_value = ".orca/demo")]
    pub data_dir: PathBuf,
    /// Why you are reading, in your own words (or ORCA_PURPOSE; asked for at a terminal when
    /// missing); recorded in the audit log with your identity.
    #[arg(long, env = "ORCA_PURPOSE")]
    pub purpose: Option<String>,
}

impl ForceConnection {
    /// The key: `--key`, or the force's key in the data directory's keys file.
    pub fn key(&self) -> Result<String> {
        if let Some(key) = &self.key {
            return Ok(key.clone());
        }
        force_key(&self.data_dir.join("keys.json"), &self.force)
    }

    pub async fn client(&self) -> Result<IntelligenceServiceClient<Channel>> {
        let channel = client::connect(&self.endpoint).await?;
        Ok(IntelligenceServiceClient::new(channel).max_decoding_message_size(64 * 1024 * 1024))
    }
}

fn force_key(path: &Path, force: &str) -> Result<String> {
    let keys = KeysFile::read(path).context("no `--key`; looked for the force's key in the data directory")?;
    keys.forces.get(force).cloned().with_context(|| format!("`{}` has no key for `{force}`", path.display()))
}

#[derive(clap::Args, Debug)]
pub struct PackagesArgs {
    #[command(flatten)]
    pub connection: ForceConnection,
    /// Standing packages (default), withdrawn ones, or all.
    #[arg(long, value_enum, default_value = "active")]
    pub status: Status,
    /// Only these priority bands (repeat or separate with commas): high, medium, low.
    #[arg(long = "band", value_delimiter = ',')]
    pub bands: Vec<String>,
    /// Only packages the force leads, or only those where it is affected.
    #[arg(long, value_enum)]
    pub role: Option<Role>,
    /// Only packages where the force is the lead (the same as `--role lead`).
    #[arg(long, conflicts_with = "role")]
    pub lead_only: bool,
    /// Only packages whose latest version was published since this date or time
    /// (`2026-12-01` or `2026-12-01T09:00:00Z`).
    #[arg(long)]
    pub changed_since: Option<String>,
    /// Show one package in full instead of the list.
    #[arg(long)]
    pub show: Option<String>,
    /// With `--show`: this version instead of the latest.
    #[arg(long, requires = "show")]
    pub version: Option<u32>,
    /// With `--show`: what changed since this earlier version (default: the version before).
    #[arg(long, requires = "show")]
    pub diff: Option<u32>,
    /// Keep listening and print each new version as it is made (Ctrl-C to stop).
    #[arg(long, conflicts_with = "show")]
    pub follow: bool,
    /// With `--follow`: resume after this cursor (as printed with `--format json`).
    #[arg(long, requires = "follow")]
    pub cursor: Option<String>,
    /// Output: text, json (proto3 form), or html (a printable document of one package).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// The same as `--format json`.
    #[arg(long, hide = true)]
    pub json: bool,
}

pub async fn run(args: PackagesArgs) -> Result<()> {
    let format = if args.json { Format::Json } else { args.format };
    if format == Format::Html && args.show.is_none() {
        bail!("`--format html` prints one package: add `--show PACKAGE-ID`");
    }
    let connection = &args.connection;
    let purpose = client::stated_purpose(connection.purpose.as_deref())?;
    let key = connection.key()?;
    let mut intel = connection.client().await?;
    if let Some(id) = &args.show {
        let request = v1::GetPackageRequest {
            package_id: id.clone(),
            purpose,
            version: args.version.unwrap_or(0),
            compare_to_version: args.diff.unwrap_or(0),
        };
        let response = intel.get_package(client::authorized(request, &key)?).await?.into_inner();
        let package = response.package.context("empty response")?;
        return client::emit(&match format {
            Format::Json => {
                serde_json::to_string_pretty(&serde_json::json!({
                    "package": package,
                    "changes": response.changes,
                }))? + "\n"
            }
            Format::Text => render::render_package(&package, response.changes.as_ref()),
            Format::Html => printable(package, response.changes.as_ref())?,
        });
    }
    let role = match (args.lead_only, args.role) {
        (true, _) | (false, Some(Role::Lead)) => v1::PackageRole::Lead,
        (false, Some(Role::Affected)) => v1::PackageRole::Affected,
        (false, None) => v1::PackageRole::Any,
    };
    if args.follow {
        return follow::run(&mut intel, connection, &key, purpose, role, args.cursor.clone(), format).await;
    }
    let status = match args.status {
        Status::Active => v1::PackageStatus::Active,
        Status::Withdrawn => v1::PackageStatus::Withdrawn,
        Status::All => v1::PackageStatus::All,
    };
    let changed_since = args.changed_since.as_deref().map(parse_since).transpose()?;
    let mut packages = Vec::new();
    let mut page_token = String::new();
    let total = loop {
        let request = v1::ListPackagesRequest {
            force: connection.force.clone(),
            purpose: purpose.clone(),
            page: Some(v1::PageRequest { page_size: 200, page_token }),
            lead_only: false,
            role: role as i32,
            status: status as i32,
            bands: args.bands.clone(),
            changed_since,
        };
        let response = intel.list_packages(client::authorized(request, &key)?).await?.into_inner();
        packages.extend(response.packages);
        if response.next_page_token.is_empty() {
            break response.total;
        }
        page_token = response.next_page_token;
    };
    if format == Format::Json {
        return client::emit(&(serde_json::to_string_pretty(&packages)? + "\n"));
    }
    let mut filters = vec![format!("{:?}", args.status).to_lowercase()];
    if role != v1::PackageRole::Any {
        filters.push(format!("role {}", if role == v1::PackageRole::Lead { "lead" } else { "affected" }));
    }
    if !args.bands.is_empty() {
        filters.push(format!("band {}", args.bands.join(", ")));
    }
    if let Some(since) = &args.changed_since {
        filters.push(format!("changed since {since}"));
    }
    let mut text = render::render_list(&connection.force, &packages, total, &filters.join("; "));
    if let Some(first) = packages.first() {
        text.push_str(&format!(
            "\nshow one with: orca packages --force {} --show {}\n",
            connection.force, first.package_id
        ));
    }
    client::emit(&text)
}

/// The printable HTML document of a package.
fn printable(package: v1::IntelligencePackage, changes: Option<&v1::PackageChanges>) -> Result<String> {
    let lines: Vec<String> = changes.map(|c| c.changes.iter().map(|c| c.detail.clone()).collect()).unwrap_or_default();
    let model = orca_proto::convert::package_from_proto(package).context("the package does not convert")?;
    Ok(orca_packages::print::package_html(&model, &lines))
}

/// `2026-12-01` (midnight UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<pbjson_types::Timestamp> {
    let time = match chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(date) => date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        Err(_) => chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.to_utc()),
    };
    let time =
        time.with_context(|| format!("`--changed-since {text}`: give a date (2026-12-01) or an RFC 3339 time"))?;
    Ok(pbjson_types::Timestamp { seconds: time.timestamp(), nanos: 0 })
}
