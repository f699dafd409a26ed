//! `orca retention erase`: erase a person where no retention basis remains. Looks the person up
//! (`AnalystService.GetPerson`, audited with the reason as purpose), then asks
//! `IngestService.Erase` to erase every sighting of them (or only those named with `--sighting`);
//! ORCA makes the next revision of each report without them.

use crate::client;
use anyhow::{Context, Result, bail};
use clap::Args;
use orca_proto::v1::analyst_service_client::AnalystServiceClient;
use orca_proto::v1::ingest_service_client::IngestServiceClient;
use orca_proto::v1::{self, EraseStatus};
use std::fmt::Write as _;
use tonic::transport::Channel;

#[derive(Args, Debug)]
pub struct EraseArgs {
    /// The person (entity id, `P…`) to erase.
    #[arg(long)]
    pub person: String,
    /// Only these sightings (`INCIDENT#PLACE` as `orca analyst show` lists them, or
    /// `INCIDENT:PLACE`); default every sighting of the person.
    #[arg(long = "sighting", value_parser = parse_sighting)]
    pub sightings: Vec<v1::ErasedSighting>,
    /// Why no retention basis remains (recorded with the erasure and in each report's revision).
    #[arg(long)]
    pub reason: String,
    /// Where ingest serves `IngestService`, when it is not `--endpoint` (distributed mode: the
    /// person is looked up on intel, the erasure is made by ingest).
    #[arg(long)]
    pub ingest_endpoint: Option<String>,
}

/// `INC-…#2` or `INC-…:2`: a report and the person's place in it.
fn parse_sighting(text: &str) -> Result<v1::ErasedSighting, String> {
    let (incident_id, place) = text
        .rsplit_once(['#', ':'])
        .ok_or_else(|| format!("`{text}` is not a sighting: write INCIDENT#PLACE, e.g. INC-0123abcd#1"))?;
    let sighting_index = place.parse().map_err(|_| format!("`{place}` in `{text}` is not a place: a number from 0"))?;
    if incident_id.trim().is_empty() {
        return Err(format!("`{text}` names no incident: write INCIDENT#PLACE"));
    }
    Ok(v1::ErasedSighting { incident_id: incident_id.trim().to_owned(), sighting_index })
}

pub async fn run(channel: Channel, key: &str, args: EraseArgs) -> Result<()> {
    let EraseArgs { person, sightings, reason, ingest_endpoint } = args;
    let person = person.trim().to_owned();
    let mut analyst = AnalystServiceClient::new(channel.clone());
    let request = v1::GetPersonRequest { person_id: person.clone(), purpose: format!("erasure of {person}: {reason}") };
    let found = analyst
        .get_person(client::authorized(request, key)?)
        .await
        .map_err(|status| anyhow::anyhow!("cannot look up {person}: {} ({:?})", status.message(), status.code()))?
        .into_inner();
    if !found.redirected_from.is_empty() {
        bail!(
            "{person} was merged into {}, whose sightings may be someone else's: look at `orca analyst show {}` \
             and erase the sightings that are {person}'s with --sighting INCIDENT#PLACE",
            found.person_id,
            found.person_id
        );
    }
    let listed: Vec<(String, u32, String)> =
        found.sightings.iter().map(|s| (s.incident_id.clone(), s.sighting_index, s.reported_as.clone())).collect();
    let sightings = if sightings.is_empty() {
        listed
            .iter()
            .map(|(incident_id, sighting_index, _)| v1::ErasedSighting {
                incident_id: incident_id.clone(),
                sighting_index: *sighting_index,
            })
            .collect()
    } else {
        for s in &sightings {
            if !listed.iter().any(|(i, p, _)| *i == s.incident_id && *p == s.sighting_index) {
                bail!(
                    "{}#{} is not a sighting of {person} (see `orca analyst show {person}`)",
                    s.incident_id,
                    s.sighting_index
                );
            }
        }
        sightings
    };
    if sightings.is_empty() {
        bail!("{person} has no sightings left to erase");
    }
    let ingest_channel = match &ingest_endpoint {
        Some(endpoint) => client::connect(endpoint).await?,
        None => channel,
    };
    let mut ingest = IngestServiceClient::new(ingest_channel);
    let request =
        v1::EraseRequest { person_id: person.clone(), sightings, reason, merged_ids: found.merged_ids.clone() };
    let response = ingest
        .erase(client::authorized(request, key)?)
        .await
        .map_err(|status| {
            let hint = match status.code() {
                tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => " (erasure is for analysts' keys)",
                tonic::Code::Unimplemented => " (is ingest served elsewhere? name it with --ingest-endpoint)",
                _ => "",
            };
            anyhow::anyhow!("ORCA refused to erase {person}: {} ({:?}){hint}", status.message(), status.code())
        })
        .context("nothing was erased")?
        .into_inner();
    let mut out = String::new();
    let mut erased = 0;
    for report in &response.reports {
        let reported_as = (listed.iter())
            .find(|(i, p, _)| *i == report.incident_id && *p == report.sighting_index)
            .map_or("", |(_, _, r)| r.as_str());
        let what = match EraseStatus::try_from(report.status) {
            Ok(EraseStatus::Erased) => {
                erased += 1;
                format!("erased (revision {})", report.revision)
            }
            Ok(EraseStatus::AlreadyErased) => "was erased before".to_owned(),
            _ => "is in a state this version of orca does not know".to_owned(),
        };
        writeln!(out, "{}#{} {reported_as:?} {what}", report.incident_id, report.sighting_index)?;
    }
    writeln!(out, "{person}: {erased} of {} sightings erased", response.reports.len())?;
    client::emit(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sighting_is_an_incident_and_a_place_and_anything_else_says_how_to_write_one() {
        let sighting = parse_sighting("INC-00ab#2").unwrap();
        assert_eq!((sighting.incident_id.as_str(), sighting.sighting_index), ("INC-00ab", 2));
        assert_eq!(parse_sighting("INC-00ab:2").unwrap(), sighting);
        assert!(parse_sighting("INC-00ab").unwrap_err().contains("INCIDENT#PLACE"));
        assert!(parse_sighting("INC-00ab:two").unwrap_err().contains("not a place"));
        assert!(parse_sighting(":2").unwrap_err().contains("names no incident"));
    }
}
