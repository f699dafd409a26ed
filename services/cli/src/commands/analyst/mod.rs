//! `orca analyst`: an OPAL analyst's workspace on the command line, against a running ORCA's
//! `AnalystService`: search, show, expand, path, timeline, groups, the review queue and binding
//! decisions. Every call states the analyst's own purpose (`--purpose` or `ORCA_PURPOSE`; there is
//! no default, because it is what the audit log records); `--json` prints the response message in
//! proto3 JSON.

mod render;

use crate::client;
use crate::commands::keys::KeysFile;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use orca_proto::v1::{self, analyst_service_client::AnalystServiceClient};
use pbjson_types::Timestamp;
use std::path::PathBuf;
use tonic::transport::Channel;

/// Where an analyst's command connects, and with which key.
#[derive(Args, Debug)]
pub struct AnalystConnection {
    /// A running ORCA's gRPC endpoint.
    #[arg(long, global = true, default_value = "http://127.0.0.1:50051")]
    pub endpoint: String,
    /// The analyst's key (or ORCA_KEY); default: the first analyst key in `--data-dir`'s keys file.
    #[arg(long, global = true, env = "ORCA_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Data directory whose `keys.json` holds an analyst key (as `orca demo` writes it).
    #[arg(long, global = true, default_value = ".orca/demo")]
    pub data_dir: PathBuf,
}

impl AnalystConnection {
    /// `--key`, or the first analyst key in the data directory's keys file.
    pub fn key(&self) -> Result<String> {
        if let Some(key) = &self.key {
            return Ok(key.clone());
        }
        let path = self.data_dir.join("keys.json");
        let keys = KeysFile::read(&path).context("no `--key`; looked for an analyst key in the data directory")?;
        keys.analysts.values().next().cloned().with_context(|| format!("`{}` has no analyst key", path.display()))
    }
}

#[derive(Args, Debug)]
pub struct AnalystArgs {
    #[command(flatten)]
    pub connection: AnalystConnection,
    /// Why you are looking, in your own words (or ORCA_PURPOSE); recorded with every call.
    #[arg(long, global = true, env = "ORCA_PURPOSE")]
    pub purpose: Option<String>,
    /// Print the response as proto3 JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: AnalystCommand,
}

#[derive(Subcommand, Debug)]
pub enum AnalystCommand {
    /// Search persons, vehicles, incidents and groups: names (nicknames, sound-alikes, typing
    /// errors), plates (misreads, `AB12?CD`, `AB12*`), dates of birth, marker codes, "phrases".
    Search(SearchArgs),
    /// Detected groups, highest priority first.
    Groups(GroupsArgs),
    /// A person (P…), vehicle (V…), group (G…) or incident (INC-…) in full.
    Show { id: String },
    /// The network around a person, vehicle, group or incident.
    Expand(ExpandArgs),
    /// The shortest chain of links between two entities.
    Path {
        /// Where the chain starts: a person, vehicle, group or incident id.
        from: String,
        /// Where it ends.
        to: String,
        /// Longest chain looked for.
        #[arg(long, default_value_t = 6)]
        max_hops: u32,
    },
    /// A person's, vehicle's or group's incidents in time order.
    Timeline {
        /// A person (P…), vehicle (V…) or group (G…).
        id: String,
        /// From this date (YYYY-MM-DD) or time (RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// Up to this date (YYYY-MM-DD) or time (RFC 3339).
        #[arg(long)]
        to: Option<String>,
    },
    /// The review queue (`--queue`), or a decision on one sighting's link (binding).
    Review(ReviewArgs),
    /// Take sightings (INC-…#N) out of a person as one different person (binding).
    Split {
        /// The person (P…) the sightings are linked to now.
        person: String,
        /// The sightings that are someone else: `INC-…#N`, one or more.
        #[arg(required = true)]
        sightings: Vec<String>,
        /// Why, in your own words (kept with the decision and in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Two persons (or vehicles) are one (binding).
    Merge {
        /// The id that survives.
        person: String,
        /// The id merged into it.
        other: String,
        /// Why, in your own words (kept with the decision and in the audit log).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words, "a phrase", a plate (`AB12CDE`, `AB12?CD`, `AB12*`), a date of birth (1990-04-12,
    /// 12/04/1990, 04/1990), a marker code, a crime reference or an ORCA id; empty lists by the filters.
    pub query: Vec<String>,
    /// Only these kinds (repeat for several; default all).
    #[arg(long, value_enum)]
    pub kind: Vec<KindArg>,
    /// Only results in this force (data.police.uk slug, e.g. `west-midlands`).
    #[arg(long)]
    pub force: Option<String>,
    /// Only incidents (or entities seen) of this retailer.
    #[arg(long)]
    pub retailer: Option<String>,
    /// Only incidents of this type, e.g. `robbery`.
    #[arg(long)]
    pub event_type: Option<String>,
    /// Seen at or after this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    pub from: Option<String>,
    /// Seen at or before this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    pub to: Option<String>,
    /// Results per page (at most 100).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// A page token from an earlier search.
    #[arg(long)]
    pub page: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    Person,
    Vehicle,
    Incident,
    Group,
}

#[derive(Args, Debug)]
pub struct GroupsArgs {
    /// Only groups active in this force (data.police.uk slug).
    #[arg(long)]
    pub force: Option<String>,
    /// `high`, `medium` or `low`.
    #[arg(long)]
    pub band: Option<String>,
    /// Seen at or after this date.
    #[arg(long)]
    pub since: Option<String>,
    /// Include dissolved and merged groups.
    #[arg(long)]
    pub all: bool,
}

#[derive(Args, Debug)]
pub struct ExpandArgs {
    /// A person (P…), vehicle (V…), group (G…) or incident (INC-…).
    pub id: String,
    /// How many links out to go.
    #[arg(long, default_value_t = 1)]
    pub hops: u32,
    /// Links to follow (default all).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub links: Vec<LinkArg>,
    /// Leave out links less certain than this (0 to 1).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_parser = confidence)]
    pub min_confidence: f64,
    /// Stop after this many nodes (the answer says when it was cut).
    #[arg(long, default_value_t = 200)]
    pub max_nodes: u32,
}

/// A confidence from the command line: a number from 0 to 1, checked before connecting.
fn confidence(text: &str) -> std::result::Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| "must be a number between 0 and 1".to_owned())?;
    if (0.0..=1.0).contains(&value) { Ok(value) } else { Err("must be between 0 and 1".to_owned()) }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LinkArg {
    CoOffending,
    VehicleUse,
    SharedMarker,
    GroupMember,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// List the possible matches awaiting review, most consequential first.
    #[arg(long, conflicts_with_all = ["sighting", "confirm", "reject"])]
    pub queue: bool,
    /// The sighting decided about: `INC-…#N`.
    pub sighting: Option<String>,
    /// The sighting is the entity (binding: it stays linked).
    #[arg(long, conflicts_with = "reject")]
    pub confirm: bool,
    /// The sighting is not the entity (binding: it is split off and never linked to it again).
    #[arg(long)]
    pub reject: bool,
    /// The entity confirmed or rejected (default: the possible match's candidate).
    #[arg(long)]
    pub entity: Option<String>,
    /// The sighting is a vehicle sighting.
    #[arg(long)]
    pub vehicle: bool,
    /// Why, in your own words (required with a decision).
    #[arg(long)]
    pub reason: Option<String>,
    /// Only sightings in this force (with `--queue`).
    #[arg(long)]
    pub force: Option<String>,
}

/// The connection and identity every call uses.
struct Session {
    client: AnalystServiceClient<Channel>,
    key: String,
    purpose: String,
    json: bool,
}

impl Session {
    fn request<T>(&self, message: T) -> Result<tonic::Request<T>> {
        client::authorized(message, &self.key)
    }
}

pub async fn run(args: AnalystArgs) -> Result<()> {
    let purpose = client::stated_purpose(args.purpose.as_deref())?;
    let key = args.connection.key()?;
    let channel = client::connect(&args.connection.endpoint).await?;
    let client = AnalystServiceClient::new(channel).max_decoding_message_size(64 * 1024 * 1024);
    let mut session = Session { client, key, purpose, json: args.json };
    let outcome = match args.command {
        AnalystCommand::Search(search) => self::search(&mut session, search).await,
        AnalystCommand::Groups(groups) => self::groups(&mut session, groups).await,
        AnalystCommand::Show { id } => show(&mut session, &id).await,
        AnalystCommand::Expand(expand) => self::expand(&mut session, expand).await,
        AnalystCommand::Path { from, to, max_hops } => path(&mut session, from, to, max_hops).await,
        AnalystCommand::Timeline { id, from, to } => timeline(&mut session, id, from, to).await,
        AnalystCommand::Review(review) => self::review(&mut session, review).await,
        AnalystCommand::Split { person, sightings, reason } => split(&mut session, person, sightings, reason).await,
        AnalystCommand::Merge { person, other, reason } => merge(&mut session, person, other, reason).await,
    };
    outcome.map_err(explain)
}

/// A refusal from the service in plain words (`not found: …`), anything else as it is.
fn explain(error: anyhow::Error) -> anyhow::Error {
    let Some(status) = error.downcast_ref::<tonic::Status>() else { return error };
    let what = match status.code() {
        tonic::Code::NotFound => "not found",
        tonic::Code::InvalidArgument => "refused",
        tonic::Code::PermissionDenied => "not permitted",
        tonic::Code::Unauthenticated => "not signed in (check the key)",
        tonic::Code::Unavailable => "unavailable (retry)",
        _ => return anyhow::anyhow!("{}: {}", status.code().description(), status.message()),
    };
    anyhow::anyhow!("{what}: {}", status.message())
}

/// Prints a response: proto3 JSON with `--json`, else the text `render` makes of it.
fn print<T: serde::Serialize>(session: &Session, message: &T, render: impl FnOnce(&T) -> String) -> Result<()> {
    if session.json {
        println!("{}", serde_json::to_string_pretty(message)?);
    } else {
        print!("{}", render(message));
    }
    Ok(())
}

/// `YYYY-MM-DD` (midnight UTC; with `end`, the end of that day) or an RFC 3339 time.
fn parse_time(text: &str, end: bool) -> Result<Timestamp> {
    let text = text.trim();
    let time = match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => {
            let time = if end { date.and_hms_opt(23, 59, 59) } else { date.and_hms_opt(0, 0, 0) };
            time.context("not a time")?.and_utc()
        }
        // The parser's own words ("premature end of input") would not help: say what is accepted.
        Err(_) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| anyhow::anyhow!("`{text}` is not a date (YYYY-MM-DD) or a time (RFC 3339)"))?
            .to_utc(),
    };
    Ok(Timestamp { seconds: time.timestamp(), nanos: 0 })
}

/// `INC-…#N` as a sighting reference.
fn sighting_ref(text: &str) -> Result<v1::SightingRef> {
    let (incident, index) =
        text.trim().rsplit_once('#').with_context(|| format!("`{text}` is not a sighting: write INC-…#N"))?;
    let index = index.parse().with_context(|| format!("`{text}`: `{index}` is not a sighting number"))?;
    Ok(v1::SightingRef { incident_id: incident.to_owned(), index })
}

async fn search(session: &mut Session, args: SearchArgs) -> Result<()> {
    let event_type = match &args.event_type {
        Some(name) => {
            let wanted = format!("EVENT_TYPE_{}", name.trim().to_uppercase().replace('-', "_"));
            v1::EventType::from_str_name(&wanted).with_context(|| format!("`{name}` is not an event type"))? as i32
        }
        None => 0,
    };
    let kinds = (args.kind.iter())
        .map(|k| match k {
            KindArg::Person => v1::SearchKind::Person,
            KindArg::Vehicle => v1::SearchKind::Vehicle,
            KindArg::Incident => v1::SearchKind::Incident,
            KindArg::Group => v1::SearchKind::Group,
        } as i32)
        .collect();
    let request = v1::SearchRequest {
        query: args.query.join(" "),
        kinds,
        force: args.force.unwrap_or_default(),
        retailer: args.retailer.unwrap_or_default(),
        event_type,
        from: args.from.as_deref().map(|t| parse_time(t, false)).transpose()?,
        to: args.to.as_deref().map(|t| parse_time(t, true)).transpose()?,
        page: Some(v1::PageRequest { page_size: args.limit, page_token: args.page.unwrap_or_default() }),
        purpose: session.purpose.clone(),
    };
    let response = session.client.search(session.request(request)?).await?.into_inner();
    print(session, &response, render::search)
}

async fn groups(session: &mut Session, args: GroupsArgs) -> Result<()> {
    let mut all = v1::ListGroupsResponse::default();
    let mut token = String::new();
    loop {
        let request = v1::ListGroupsRequest {
            force: args.force.clone().unwrap_or_default(),
            priority_band: args.band.clone().unwrap_or_default(),
            active_since: args.since.as_deref().map(|t| parse_time(t, false)).transpose()?,
            include_inactive: args.all,
            page: Some(v1::PageRequest { page_size: 500, page_token: token }),
            purpose: session.purpose.clone(),
            ..Default::default()
        };
        let page = session.client.list_groups(session.request(request)?).await?.into_inner();
        all.total = page.total;
        all.groups.extend(page.groups);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    print(session, &all, render::groups)
}

async fn show(session: &mut Session, id: &str) -> Result<()> {
    let purpose = session.purpose.clone();
    let id = id.trim().to_owned();
    match id.chars().next() {
        Some('P') => {
            let request = session.request(v1::GetPersonRequest { person_id: id, purpose })?;
            let person = session.client.get_person(request).await?.into_inner();
            print(session, &person, render::person)
        }
        Some('V') => {
            let request = session.request(v1::GetVehicleRequest { vehicle_id: id, purpose })?;
            let vehicle = session.client.get_vehicle(request).await?.into_inner();
            print(session, &vehicle, render::vehicle)
        }
        Some('G') => {
            let request = session.request(v1::GetGroupRequest { group_id: id, purpose })?;
            let group = session.client.get_group(request).await?.into_inner();
            print(session, &group, render::group)
        }
        _ if id.starts_with("INC-") => {
            let request = session.request(v1::GetIncidentRequest { incident_id: id, purpose })?;
            let incident = session.client.get_incident(request).await?.into_inner();
            print(session, &incident, render::incident)
        }
        _ => bail!("`{id}` is not a person (P…), vehicle (V…), group (G…) or incident (INC-…) id"),
    }
}

fn link_kinds(links: &[LinkArg]) -> Vec<i32> {
    (links.iter())
        .map(|l| match l {
            LinkArg::CoOffending => v1::LinkKind::CoOffending,
            LinkArg::VehicleUse => v1::LinkKind::VehicleUse,
            LinkArg::SharedMarker => v1::LinkKind::SharedMarker,
            LinkArg::GroupMember => v1::LinkKind::GroupMember,
        } as i32)
        .collect()
}

async fn expand(session: &mut Session, args: ExpandArgs) -> Result<()> {
    let request = v1::ExpandNetworkRequest {
        id: args.id,
        hops: args.hops,
        link_kinds: link_kinds(&args.links),
        min_confidence: args.min_confidence,
        max_nodes: args.max_nodes,
        max_edges: 0,
        purpose: session.purpose.clone(),
    };
    let network = session.client.expand_network(session.request(request)?).await?.into_inner();
    print(session, &network, render::network)
}

async fn path(session: &mut Session, from: String, to: String, max_hops: u32) -> Result<()> {
    let request = v1::ShortestPathRequest {
        from_id: from,
        to_id: to,
        max_hops,
        purpose: session.purpose.clone(),
        ..Default::default()
    };
    let network = session.client.shortest_path(session.request(request)?).await?.into_inner();
    print(session, &network, render::path)
}

async fn timeline(session: &mut Session, id: String, from: Option<String>, to: Option<String>) -> Result<()> {
    let mut all = v1::TimelineResponse::default();
    let mut token = String::new();
    loop {
        let request = v1::TimelineRequest {
            id: id.clone(),
            from: from.as_deref().map(|t| parse_time(t, false)).transpose()?,
            to: to.as_deref().map(|t| parse_time(t, true)).transpose()?,
            page: Some(v1::PageRequest { page_size: 500, page_token: token }),
            purpose: session.purpose.clone(),
        };
        let page = session.client.timeline(session.request(request)?).await?.into_inner();
        all.total = page.total;
        all.events.extend(page.events);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    print(session, &all, render::timeline)
}

async fn review(session: &mut Session, args: ReviewArgs) -> Result<()> {
    let kind = if args.vehicle { v1::EntityKind::Vehicle } else { v1::EntityKind::Person } as i32;
    if args.queue {
        let request = v1::ListReviewQueueRequest {
            force: args.force.unwrap_or_default(),
            entity_kind: if args.vehicle { kind } else { 0 },
            page: Some(v1::PageRequest { page_size: 100, page_token: String::new() }),
            purpose: session.purpose.clone(),
        };
        let queue = session.client.list_review_queue(session.request(request)?).await?.into_inner();
        return print(session, &queue, render::queue);
    }
    let sighting = args.sighting.as_deref().context("name the sighting (INC-…#N), or list the queue with `--queue`")?;
    let verdict = match (args.confirm, args.reject) {
        (true, false) => v1::Verdict::Confirm,
        (false, true) => v1::Verdict::Reject,
        _ => bail!("say `--confirm` or `--reject`"),
    };
    let reason = args.reason.context("say why with `--reason \"…\"` (it is kept with the decision)")?;
    let request = v1::ReviewMatchRequest {
        sighting: Some(sighting_ref(sighting)?),
        entity_kind: kind,
        verdict: verdict as i32,
        entity_id: args.entity.unwrap_or_default(),
        reason,
        purpose: session.purpose.clone(),
    };
    let receipt = session.client.review_match(session.request(request)?).await?.into_inner();
    print(session, &receipt, render::receipt)
}

async fn split(session: &mut Session, person: String, sightings: Vec<String>, reason: String) -> Result<()> {
    let sightings = sightings.iter().map(|s| sighting_ref(s)).collect::<Result<Vec<_>>>()?;
    let request = v1::SplitPersonRequest { person_id: person, sightings, reason, purpose: session.purpose.clone() };
    let receipt = session.client.split_person(session.request(request)?).await?.into_inner();
    print(session, &receipt, render::receipt)
}

async fn merge(session: &mut Session, person: String, other: String, reason: String) -> Result<()> {
    let request =
        v1::MergePersonsRequest { person_id: person, other_person_id: other, reason, purpose: session.purpose.clone() };
    let receipt = session.client.merge_persons(session.request(request)?).await?.into_inner();
    print(session, &receipt, render::receipt)
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn a_date_is_a_whole_day_and_a_wrong_one_says_what_is_accepted() {
        let (from, to) = (parse_time("2026-03-01", false).unwrap(), parse_time("2026-03-01", true).unwrap());
        assert_eq!(to.seconds - from.seconds, 86_399);
        assert_eq!(parse_time("2026-03-01T10:00:00Z", false).unwrap().seconds, from.seconds + 36_000);
        let wrong = format!("{:#}", parse_time("yesterday", false).unwrap_err());
        assert_eq!(wrong, "`yesterday` is not a date (YYYY-MM-DD) or a time (RFC 3339)");
    }
}
