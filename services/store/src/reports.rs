//! The reports kept on claims and the revisions ORCA makes of them itself: removing face templates
//! past the retention schedule, erasing a person an analyst decided to erase. Called from
//! [`crate::Store`]'s implementation, which takes the writer's turn first.

use crate::Result;
use crate::codec;
use crate::records::{ClaimRow, ErasureRecord, PublishedReport};
use crate::revisions::{CLAIM_COLUMNS, claim_row};
use crate::sql::{Dialect, SqlStore, u32_from};
use sqlx::Row;

/// Rows per multi-row `UPDATE`: five parameters each, well under both backends' limits.
const PUBLISH_CHUNK: usize = 500;

impl SqlStore {
    pub(crate) async fn publish_reports(&self, reports: &[PublishedReport]) -> Result<()> {
        if self.dialect == Dialect::Sqlite {
            return self.publish_reports_one_by_one(reports).await;
        }
        let mut tx = self.pool.begin().await?;
        for chunk in reports.chunks(PUBLISH_CHUNK) {
            // One row per report: retailer, reference, revision, codec, body, faces due. Typed
            // so that PostgreSQL knows a column that is NULL in every row.
            let rows: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let p = |column: usize| self.dialect.param(row * 6 + column + 1);
                    format!(
                        "({}, {}, CAST({} AS BIGINT), CAST({} AS BIGINT), CAST({} AS BYTEA), CAST({} AS BIGINT))",
                        p(0),
                        p(1),
                        p(2),
                        p(3),
                        p(4),
                        p(5)
                    )
                })
                .collect();
            let sql = format!(
                "UPDATE ingest_keys AS k SET published = 1, body_codec = v.column4, body = v.column5, \
                 faces_until_ms = v.column6 FROM (VALUES {}) AS v \
                 WHERE k.retailer = v.column1 AND k.retailer_ref = v.column2 AND k.revision = v.column3",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for report in chunk {
                let (body_codec, body) = codec::pack(&report.body);
                query = query
                    .bind(report.retailer.as_str())
                    .bind(report.retailer_ref.as_str())
                    .bind(i64::from(report.revision))
                    .bind(body_codec)
                    .bind(body.into_owned())
                    .bind(report.faces_until_ms);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// SQLite scans the whole table for each `UPDATE … FROM (VALUES …)` (1.6 s per 500 rows at
    /// 20,000 claims), while a statement per row in one transaction finds each by its key.
    async fn publish_reports_one_by_one(&self, reports: &[PublishedReport]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for report in reports {
            let (body_codec, body) = codec::pack(&report.body);
            sqlx::query(
                "UPDATE ingest_keys SET published = 1, body_codec = $1, body = $2, faces_until_ms = $3 \
                 WHERE retailer = $4 AND retailer_ref = $5 AND revision = $6",
            )
            .bind(body_codec)
            .bind(body.into_owned())
            .bind(report.faces_until_ms)
            .bind(report.retailer.as_str())
            .bind(report.retailer_ref.as_str())
            .bind(i64::from(report.revision))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn read_kept_report(&self, retailer: &str, retailer_ref: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT body_codec, body FROM ingest_keys WHERE retailer = $1 AND retailer_ref = $2")
            .bind(retailer)
            .bind(retailer_ref)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        match row.try_get::<Option<Vec<u8>>, _>(1)? {
            Some(body) => Ok(Some(codec::unpack(row.try_get(0)?, body, "ingest_keys")?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn read_claim_of_incident(&self, incident_id: &str) -> Result<Option<ClaimRow>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM ingest_keys k WHERE k.incident_id = $1");
        let row = sqlx::query(&sql).bind(incident_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(claim_row).transpose()
    }

    pub(crate) async fn read_reissue_candidates(
        &self,
        faces_due_before_ms: i64,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<ClaimRow>> {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM ingest_keys k WHERE k.disposed_at_ms IS NULL \
             AND ((k.faces_until_ms < $1 AND k.body IS NOT NULL) \
             OR (k.orca_revision = 1 AND k.published = 0 AND k.withdrawn_at_ms IS NULL)) \
             AND (k.retailer > $2 OR (k.retailer = $2 AND k.retailer_ref > $3)) \
             ORDER BY k.retailer, k.retailer_ref LIMIT $4"
        );
        let (retailer, retailer_ref) = after.unwrap_or(("", ""));
        let rows = sqlx::query(&sql)
            .bind(faces_due_before_ms)
            .bind(retailer)
            .bind(retailer_ref)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(claim_row).collect()
    }

    pub(crate) async fn replace_withdrawn_report(
        &self,
        retailer: &str,
        retailer_ref: &str,
        body: &[u8],
    ) -> Result<bool> {
        let (body_codec, body) = codec::pack(body);
        let updated = sqlx::query(
            "UPDATE ingest_keys SET body_codec = $1, body = $2, faces_until_ms = NULL \
             WHERE retailer = $3 AND retailer_ref = $4 AND withdrawn_at_ms IS NOT NULL AND disposed_at_ms IS NULL",
        )
        .bind(body_codec)
        .bind(body.into_owned())
        .bind(retailer)
        .bind(retailer_ref)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    pub(crate) async fn upsert_erasure(&self, erasure: &ErasureRecord) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO erasures (incident_id, sighting_index, person_id, reason, erased_by, erased_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, sighting_index) DO UPDATE SET \
             person_id = excluded.person_id, reason = excluded.reason, erased_by = excluded.erased_by, \
             erased_at_ms = excluded.erased_at_ms",
        )
        .bind(&erasure.incident_id)
        .bind(i64::from(erasure.sighting_index))
        .bind(&erasure.person_id)
        .bind(&erasure.reason)
        .bind(&erasure.erased_by)
        .bind(erasure.erased_at_ms)
        .execute(&mut *tx)
        .await?;
        // Earlier package versions naming the person for this report are rewritten (`history.rs`).
        for person_id in std::iter::once(&erasure.person_id).chain(&erasure.merged_ids) {
            sqlx::query(
                "INSERT INTO history_scrubs (incident_id, person_id) VALUES ($1, $2) \
                 ON CONFLICT (incident_id, person_id) DO NOTHING",
            )
            .bind(&erasure.incident_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn read_erasures(&self, incident_id: &str) -> Result<Vec<ErasureRecord>> {
        let rows = sqlx::query(
            "SELECT incident_id, sighting_index, person_id, reason, erased_by, erased_at_ms FROM erasures \
             WHERE incident_id = $1 ORDER BY sighting_index",
        )
        .bind(incident_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ErasureRecord {
                    incident_id: row.try_get(0)?,
                    sighting_index: u32_from(row.try_get(1)?, "erasures")?,
                    person_id: row.try_get(2)?,
                    merged_ids: Vec::new(),
                    reason: row.try_get(3)?,
                    erased_by: row.try_get(4)?,
                    erased_at_ms: row.try_get(5)?,
                })
            })
            .collect()
    }
}
