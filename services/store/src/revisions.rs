//! Corrections and withdrawals of claimed incidents, and a retailer's listing of its claims.
//! Called from [`crate::Store`]'s implementation, which takes the writer's turn first.

use crate::records::{ClaimRow, DisposalRecord, RetentionCandidate, RetentionHold, Revision, WithdrawalRecord};
use crate::sql::{SqlStore, u32_from};
use crate::{Result, codec};
use sqlx::Row;

pub(crate) const CLAIM_COLUMNS: &str = "k.retailer_ref, k.incident_id, k.revision, k.published, k.note, k.received_at_ms, \
                             k.withdrawn_at_ms, k.withdrawn_by, k.withdrawal_published, k.retailer, k.disposed_at_ms, \
                             k.disposal_published, k.disposed_by, k.disposal_reason, k.faces_until_ms, k.orca_revision, k.content_hash";

impl SqlStore {
    /// A correction (`kept` `None`: the report is kept when it is published) or a revision ORCA
    /// made itself (`kept`: its report and when its face templates fall due).
    pub(crate) async fn revise_claim(
        &self,
        revision: &Revision,
        kept: Option<(&[u8], Option<i64>)>,
    ) -> Result<Option<u32>> {
        let mut tx = self.pool.begin().await?;
        // The revision being replaced is kept first (its first revision has no row until then).
        sqlx::query(
            "INSERT INTO incident_revisions (retailer, retailer_ref, revision, content_hash, reason, received_at_ms) \
             SELECT retailer, retailer_ref, revision, content_hash, note, received_at_ms FROM ingest_keys \
             WHERE retailer = $1 AND retailer_ref = $2 AND revision = $3 AND withdrawn_at_ms IS NULL \
             ON CONFLICT (retailer, retailer_ref, revision) DO NOTHING",
        )
        .bind(&revision.retailer)
        .bind(&revision.retailer_ref)
        .bind(i64::from(revision.replaces))
        .execute(&mut *tx)
        .await?;
        let next = i64::from(revision.replaces) + 1;
        let updated = sqlx::query(
            "UPDATE ingest_keys SET content_hash = $1, revision = $2, note = $3, received_at_ms = $4, published = 0 \
             WHERE retailer = $5 AND retailer_ref = $6 AND revision = $7 AND withdrawn_at_ms IS NULL",
        )
        .bind(&revision.content_hash)
        .bind(next)
        .bind(&revision.reason)
        .bind(revision.received_at_ms)
        .bind(&revision.retailer)
        .bind(&revision.retailer_ref)
        .bind(i64::from(revision.replaces))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        let orca_revision = i64::from(kept.is_some());
        let (body_codec, body, faces_until_ms) = match kept {
            Some((body, faces_until_ms)) => {
                let (body_codec, body) = codec::pack(body);
                (body_codec, Some(body.into_owned()), faces_until_ms)
            }
            None => (codec::RAW, None, None),
        };
        sqlx::query(
            "UPDATE ingest_keys SET body_codec = $1, body = $2, faces_until_ms = $3, orca_revision = $4 \
             WHERE retailer = $5 AND retailer_ref = $6",
        )
        .bind(body_codec)
        .bind(body)
        .bind(faces_until_ms)
        .bind(orca_revision)
        .bind(&revision.retailer)
        .bind(&revision.retailer_ref)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO incident_revisions (retailer, retailer_ref, revision, content_hash, reason, received_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (retailer, retailer_ref, revision) DO NOTHING",
        )
        .bind(&revision.retailer)
        .bind(&revision.retailer_ref)
        .bind(next)
        .bind(&revision.content_hash)
        .bind(&revision.reason)
        .bind(revision.received_at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(u32_from(next, "ingest_keys")?))
    }

    pub(crate) async fn withdraw_claim(&self, withdrawal: &WithdrawalRecord) -> Result<bool> {
        let updated = sqlx::query(
            "UPDATE ingest_keys SET withdrawn_at_ms = $1, withdrawn_by = $2, note = $3 \
             WHERE retailer = $4 AND retailer_ref = $5 AND revision = $6 AND withdrawn_at_ms IS NULL",
        )
        .bind(withdrawal.at_ms)
        .bind(&withdrawal.withdrawn_by)
        .bind(&withdrawal.reason)
        .bind(&withdrawal.retailer)
        .bind(&withdrawal.retailer_ref)
        .bind(i64::from(withdrawal.revision))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    pub(crate) async fn dispose_claim(&self, disposal: &DisposalRecord) -> Result<bool> {
        let (retailer, retailer_ref) = (&disposal.retailer, &disposal.retailer_ref);
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE ingest_keys SET disposed_at_ms = $1, disposed_by = $2, disposal_reason = $3, body = NULL, \
             faces_until_ms = NULL WHERE retailer = $4 AND retailer_ref = $5 AND withdrawn_at_ms IS NOT NULL AND disposed_at_ms IS NULL",
        )
        .bind(disposal.at_ms)
        .bind(&disposal.disposed_by)
        .bind(&disposal.reason)
        .bind(retailer)
        .bind(retailer_ref)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 1 {
            for table in ["incident_revisions", "retention_holds"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE retailer = $1 AND retailer_ref = $2"))
                    .bind(retailer)
                    .bind(retailer_ref)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "DELETE FROM erasures WHERE incident_id IN \
                 (SELECT incident_id FROM ingest_keys WHERE retailer = $1 AND retailer_ref = $2)",
            )
            .bind(retailer)
            .bind(retailer_ref)
            .execute(&mut *tx)
            .await?;
            // Earlier package versions citing the report are rewritten without it (`history.rs`).
            sqlx::query(
                "INSERT INTO history_scrubs (incident_id, person_id) SELECT incident_id, '' FROM ingest_keys \
                 WHERE retailer = $1 AND retailer_ref = $2 ON CONFLICT (incident_id, person_id) DO NOTHING",
            )
            .bind(retailer)
            .bind(retailer_ref)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(updated == 1)
    }

    pub(crate) async fn read_retention_candidates(
        &self,
        received_before_ms: i64,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<RetentionCandidate>> {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS}, h.incident_id AS hold_incident, h.retain_until_ms, h.reason, h.decided_by, \
             h.decided_at_ms FROM ingest_keys k LEFT JOIN retention_holds h \
             ON h.retailer = k.retailer AND h.retailer_ref = k.retailer_ref \
             WHERE k.received_at_ms < $1 AND (k.disposed_at_ms IS NULL OR k.disposal_published = 0) \
             AND (k.retailer > $2 OR (k.retailer = $2 AND k.retailer_ref > $3)) \
             ORDER BY k.retailer, k.retailer_ref LIMIT $4"
        );
        let (retailer, retailer_ref) = after.unwrap_or(("", ""));
        let rows = sqlx::query(&sql)
            .bind(received_before_ms)
            .bind(retailer)
            .bind(retailer_ref)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let claim = claim_row(row)?;
                let hold = match row.try_get::<Option<String>, _>(17)? {
                    Some(incident_id) => Some(RetentionHold {
                        retailer: claim.retailer.clone(),
                        retailer_ref: claim.retailer_ref.clone(),
                        incident_id,
                        retain_until_ms: row.try_get(18)?,
                        reason: row.try_get(19)?,
                        decided_by: row.try_get(20)?,
                        decided_at_ms: row.try_get(21)?,
                    }),
                    None => None,
                };
                Ok(RetentionCandidate { claim, hold })
            })
            .collect()
    }

    pub(crate) async fn upsert_retention_hold(&self, hold: &RetentionHold) -> Result<()> {
        sqlx::query(
            "INSERT INTO retention_holds (retailer, retailer_ref, incident_id, retain_until_ms, reason, decided_by, \
             decided_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (retailer, retailer_ref) DO UPDATE SET \
             incident_id = excluded.incident_id, retain_until_ms = excluded.retain_until_ms, \
             reason = excluded.reason, decided_by = excluded.decided_by, decided_at_ms = excluded.decided_at_ms",
        )
        .bind(&hold.retailer)
        .bind(&hold.retailer_ref)
        .bind(&hold.incident_id)
        .bind(hold.retain_until_ms)
        .bind(&hold.reason)
        .bind(&hold.decided_by)
        .bind(hold.decided_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) async fn read_claim_row(&self, retailer: &str, retailer_ref: &str) -> Result<Option<ClaimRow>> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM ingest_keys k WHERE k.retailer = $1 AND k.retailer_ref = $2");
        let row = sqlx::query(&sql).bind(retailer).bind(retailer_ref).fetch_optional(&self.pool).await?;
        row.as_ref().map(claim_row).transpose()
    }

    pub(crate) async fn read_claim_rows(&self, retailer: &str, after_ref: &str, limit: u32) -> Result<Vec<ClaimRow>> {
        let sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM ingest_keys k WHERE k.retailer = $1 AND k.retailer_ref > $2 \
             ORDER BY k.retailer_ref LIMIT $3"
        );
        let rows =
            sqlx::query(&sql).bind(retailer).bind(after_ref).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(claim_row).collect()
    }
}

pub(crate) fn claim_row(row: &sqlx::any::AnyRow) -> Result<ClaimRow> {
    let published: i64 = row.try_get(3)?;
    Ok(ClaimRow {
        retailer_ref: row.try_get(0)?,
        incident_id: row.try_get(1)?,
        revision: u32_from(row.try_get(2)?, "ingest_keys")?,
        published: published != 0,
        note: row.try_get(4)?,
        received_at_ms: row.try_get(5)?,
        withdrawn_at_ms: row.try_get(6)?,
        withdrawn_by: row.try_get(7)?,
        withdrawal_published: row.try_get::<i64, _>(8)? != 0,
        retailer: row.try_get(9)?,
        disposed_at_ms: row.try_get(10)?,
        disposal_published: row.try_get::<i64, _>(11)? != 0,
        disposed_by: row.try_get(12)?,
        disposal_reason: row.try_get(13)?,
        faces_until_ms: row.try_get(14)?,
        orca_revision: row.try_get::<i64, _>(15)? != 0,
        content_hash: row.try_get(16)?,
    })
}
