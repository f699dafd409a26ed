//! How a force works through its packages: filters (role, band, status, changed since), the
//! priority order, and page tokens that keep their place in that order.

use super::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use orca_proto::convert::timestamp_from_proto;
use orca_proto::v1;
use orca_store::{PackagePosition, PackageQuery};
use tonic::Status;

/// Priority bands, most urgent first; a package without a band (a withdrawal notice) ranks after.
const BANDS: [&str; 3] = ["high", "medium", "low"];

/// The listing rank of a priority band: 0 for `high`, 1 `medium`, 2 `low`, 3 for none.
pub fn priority_rank(band: &str) -> u8 {
    BANDS.iter().position(|b| *b == band).map_or(BANDS.len() as u8, |i| i as u8)
}

/// A checked `ListPackagesRequest`.
pub(super) struct Listing {
    pub query: PackageQuery,
    pub after: Option<PackagePosition>,
    pub page_size: u32,
}

impl Listing {
    pub fn parse(force: &str, request: &v1::ListPackagesRequest) -> Result<Self, Status> {
        let role = v1::PackageRole::try_from(request.role)
            .map_err(|_| Status::invalid_argument(format!("`role` {} is not a package role", request.role)))?;
        let lead = match (request.lead_only, role) {
            (true, v1::PackageRole::Affected) => {
                return Err(Status::invalid_argument("`lead_only` and `role = AFFECTED` contradict each other"));
            }
            (true, _) | (false, v1::PackageRole::Lead) => Some(true),
            (false, v1::PackageRole::Affected) => Some(false),
            (false, v1::PackageRole::Any) => None,
        };
        let status = v1::PackageStatus::try_from(request.status)
            .map_err(|_| Status::invalid_argument(format!("`status` {} is not a package status", request.status)))?;
        let withdrawn = match status {
            v1::PackageStatus::Active => Some(false),
            v1::PackageStatus::Withdrawn => Some(true),
            v1::PackageStatus::All => None,
        };
        let mut priority_ranks = Vec::new();
        for band in &request.bands {
            let band = band.trim().to_ascii_lowercase();
            if !BANDS.contains(&band.as_str()) {
                return Err(Status::invalid_argument(format!(
                    "`{band}` is not a priority band: use {}",
                    BANDS.join(", ")
                )));
            }
            priority_ranks.push(priority_rank(&band));
        }
        priority_ranks.sort_unstable();
        priority_ranks.dedup();
        let changed_since_ms = match &request.changed_since {
            Some(time) => Some(
                timestamp_from_proto(time)
                    .map_err(|e| Status::invalid_argument(format!("`changed_since`: {e}")))?
                    .timestamp_millis(),
            ),
            None => None,
        };
        let page = request.page.clone().unwrap_or_default();
        let page_size = match page.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        };
        let after = match page.page_token.as_str() {
            "" => None,
            token => Some(parse_page_token(token)?),
        };
        let query = PackageQuery { force: force.to_owned(), lead, withdrawn, priority_ranks, changed_since_ms };
        Ok(Self { query, after, page_size })
    }

    /// The filters in words, for the audit record.
    pub fn describe(&self) -> String {
        let query = &self.query;
        let mut parts = Vec::new();
        match query.lead {
            Some(true) => parts.push("role=lead".to_owned()),
            Some(false) => parts.push("role=affected".to_owned()),
            None => {}
        }
        parts.push(
            match query.withdrawn {
                Some(false) => "status=active",
                Some(true) => "status=withdrawn",
                None => "status=all",
            }
            .to_owned(),
        );
        if !query.priority_ranks.is_empty() {
            let bands: Vec<&str> =
                query.priority_ranks.iter().filter_map(|&r| BANDS.get(r as usize).copied()).collect();
            parts.push(format!("bands={}", bands.join("+")));
        }
        if let Some(ms) = query.changed_since_ms {
            parts.push(format!("changed-since-ms={ms}"));
        }
        parts.join(" ")
    }
}

/// A page token: where the next page starts, in listing order.
pub(super) fn page_token(position: &PackagePosition) -> String {
    format!("{}.{}.{}", position.priority_rank, position.last_seen_ms, position.package_id)
}

fn parse_page_token(token: &str) -> Result<PackagePosition, Status> {
    let invalid = || Status::invalid_argument("`page_token` is not one this service gave out; start again without it");
    let mut parts = token.splitn(3, '.');
    let priority_rank = parts.next().and_then(|p| p.parse().ok()).ok_or_else(invalid)?;
    let last_seen_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(invalid)?;
    let package_id = parts.next().filter(|id| !id.is_empty()).ok_or_else(invalid)?.to_owned();
    Ok(PackagePosition { priority_rank, last_seen_ms, package_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> v1::ListPackagesRequest {
        v1::ListPackagesRequest { force: "cheshire".into(), ..Default::default() }
    }

    #[test]
    fn by_default_a_listing_keeps_standing_packages_of_either_role() {
        let listing = Listing::parse("cheshire", &request()).unwrap();
        assert_eq!(listing.query.withdrawn, Some(false));
        assert_eq!(listing.query.lead, None);
        assert_eq!(listing.page_size, DEFAULT_PAGE_SIZE);
        assert_eq!(listing.describe(), "status=active");
    }

    #[test]
    fn bands_are_checked_and_ranked_most_urgent_first() {
        let mut bad = request();
        bad.bands = vec!["urgent".into()];
        let error = Listing::parse("cheshire", &bad).err().unwrap();
        assert!(error.message().contains("high, medium, low"), "{}", error.message());
        let mut good = request();
        good.bands = vec!["LOW".into(), "high".into(), "high".into()];
        good.role = v1::PackageRole::Lead as i32;
        good.status = v1::PackageStatus::All as i32;
        let listing = Listing::parse("cheshire", &good).unwrap();
        assert_eq!(listing.query.priority_ranks, [0, 2]);
        assert_eq!(listing.describe(), "role=lead status=all bands=high+low");
        assert_eq!((priority_rank("high"), priority_rank("low"), priority_rank("")), (0, 2, 3));
    }

    #[test]
    fn page_tokens_round_trip_and_strangers_are_refused() {
        let position = PackagePosition { priority_rank: 1, last_seen_ms: -5, package_id: "PKG-G1".into() };
        assert_eq!(parse_page_token(&page_token(&position)).unwrap(), position);
        for token in ["PKG-G1", "1.x.PKG", "1.2.", "9999.1.PKG"] {
            assert!(parse_page_token(token).is_err(), "{token}");
        }
        let mut contradiction = request();
        contradiction.lead_only = true;
        contradiction.role = v1::PackageRole::Affected as i32;
        assert!(Listing::parse("cheshire", &contradiction).is_err());
    }
}
