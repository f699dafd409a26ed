//! Earlier package versions that cite a disposed report or an erased sighting (migration 0010):
//! which reports each version cites, the queue of disposals and erasures still to apply, and the
//! rewrite of a version. The rewrite itself (decoding a package) is the intel stage's.

use crate::Result;
use crate::codec;
use crate::records::{PackageRow, PackageToScrub, ScrubbedPackage};
use crate::sql::{PACKAGE_COLUMNS, SqlTx, package_row, u32_from};
use sqlx::Row;
use std::collections::BTreeMap;

/// Queue entries taken per transaction: a bulk disposal is worked through over several batches.
const QUEUE_PER_CALL: i64 = 500;

/// What one stored version is to lose: disposed reports, erased (report, person) sightings.
type Found = BTreeMap<(String, u32), (Vec<String>, Vec<(String, String)>)>;

impl SqlTx {
    pub(crate) async fn insert_citations(
        &mut self,
        package_id: &str,
        version: u32,
        incidents: &[String],
    ) -> Result<()> {
        for incident in incidents {
            sqlx::query(
                "INSERT INTO package_citations (package_id, version, incident_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (package_id, version, incident_id) DO NOTHING",
            )
            .bind(package_id)
            .bind(i64::from(version))
            .bind(incident)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn mark_indexed(&mut self, package_id: &str, version: u32) -> Result<()> {
        sqlx::query("UPDATE packages SET citations_indexed = 1 WHERE package_id = $1 AND version = $2")
            .bind(package_id)
            .bind(i64::from(version))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub(crate) async fn read_unindexed_packages(&mut self, limit: u32) -> Result<Vec<PackageRow>> {
        let sql = format!(
            "SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.citations_indexed = 0 \
             ORDER BY p.package_id, p.version LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(&mut *self.tx).await?;
        rows.iter().map(package_row).collect()
    }

    pub(crate) async fn find_packages_to_scrub(&mut self, written: &[(String, u32)]) -> Result<Vec<PackageToScrub>> {
        let mut found = Found::new();
        for (package_id, version) in written {
            let rows = sqlx::query(
                "SELECT c.incident_id, '' AS person_id FROM package_citations c \
                 JOIN ingest_keys k ON k.incident_id = c.incident_id \
                 WHERE c.package_id = $1 AND c.version = $2 AND k.disposed_at_ms IS NOT NULL \
                 UNION ALL SELECT c.incident_id, e.person_id FROM package_citations c \
                 JOIN erasures e ON e.incident_id = c.incident_id WHERE c.package_id = $1 AND c.version = $2",
            )
            .bind(package_id)
            .bind(i64::from(*version))
            .fetch_all(&mut *self.tx)
            .await?;
            for row in rows {
                note(&mut found, (package_id.clone(), *version), row.try_get(0)?, row.try_get(1)?);
            }
        }
        if !self.any_unindexed().await? {
            self.drain_queue(&mut found).await?;
        }
        let mut packages = Vec::with_capacity(found.len());
        for ((package_id, version), (disposed, erased)) in found {
            let row = sqlx::query("SELECT summary, body, codec FROM packages WHERE package_id = $1 AND version = $2")
                .bind(&package_id)
                .bind(i64::from(version))
                .fetch_optional(&mut *self.tx)
                .await?;
            let Some(row) = row else { continue };
            packages.push(PackageToScrub {
                package_id,
                version,
                summary: row.try_get(0)?,
                body: codec::unpack(row.try_get(2)?, row.try_get(1)?, "packages")?,
                disposed,
                erased,
            });
        }
        Ok(packages)
    }

    async fn any_unindexed(&mut self) -> Result<bool> {
        let row = sqlx::query("SELECT package_id FROM packages WHERE citations_indexed = 0 LIMIT 1")
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.is_some())
    }

    /// Takes queued disposals and erasures: every version citing their reports is to be scrubbed.
    async fn drain_queue(&mut self, found: &mut Found) -> Result<()> {
        let queued =
            sqlx::query("SELECT incident_id, person_id FROM history_scrubs ORDER BY incident_id, person_id LIMIT $1")
                .bind(QUEUE_PER_CALL)
                .fetch_all(&mut *self.tx)
                .await?;
        for entry in queued {
            let (incident_id, person_id): (String, String) = (entry.try_get(0)?, entry.try_get(1)?);
            let citing = sqlx::query("SELECT package_id, version FROM package_citations WHERE incident_id = $1")
                .bind(&incident_id)
                .fetch_all(&mut *self.tx)
                .await?;
            for row in citing {
                let key = (row.try_get(0)?, u32_from(row.try_get(1)?, "package_citations")?);
                note(found, key, incident_id.clone(), person_id.clone());
            }
            sqlx::query("DELETE FROM history_scrubs WHERE incident_id = $1 AND person_id = $2")
                .bind(&incident_id)
                .bind(&person_id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn write_scrubbed_package(
        &mut self,
        package_id: &str,
        version: u32,
        scrubbed: &ScrubbedPackage,
    ) -> Result<()> {
        let (codec, body) = codec::pack(&scrubbed.body);
        sqlx::query("UPDATE packages SET summary = $1, body = $2, codec = $3 WHERE package_id = $4 AND version = $5")
            .bind(&scrubbed.summary)
            .bind(body.as_ref())
            .bind(codec)
            .bind(package_id)
            .bind(i64::from(version))
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM package_citations WHERE package_id = $1 AND version = $2")
            .bind(package_id)
            .bind(i64::from(version))
            .execute(&mut *self.tx)
            .await?;
        self.insert_citations(package_id, version, &scrubbed.cited_incidents).await
    }
}

/// Notes that a version is to lose a disposed report (`person_id` empty) or an erased sighting.
fn note(found: &mut Found, key: (String, u32), incident_id: String, person_id: String) {
    let (disposed, erased) = found.entry(key).or_default();
    if person_id.is_empty() {
        if !disposed.contains(&incident_id) {
            disposed.push(incident_id);
        }
    } else if !erased.contains(&(incident_id.clone(), person_id.clone())) {
        erased.push((incident_id, person_id));
    }
}
