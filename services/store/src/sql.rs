//! [`SqlStore`]: the store over sqlx's `Any` driver, for SQLite and PostgreSQL alike.

use crate::records::*;
use crate::{Result, Store, StoreError, StoreTx};
use crate::{audit_chain, codec};
use async_trait::async_trait;
use orca_model::{StateChange, Store as RetailStore, StoredRecord};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The PostgreSQL advisory lock appenders to the audit chain take in turn ("ORCA" in ASCII).
const AUDIT_CHAIN_LOCK: i64 = 0x4F52_4341;

/// Rows per multi-row statement; well under both backends' parameter limits.
const CHUNK_ROWS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// The SQL store. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// SQLite lets one connection write at a time and makes the others poll for the lock (its busy
    /// handler sleeps up to 100 ms between tries, so a writer often waited a second behind the
    /// other stages of the same process). Writers in this process take turns here instead, handed
    /// over the moment the last one commits. `None` for PostgreSQL, which has row locks.
    writer: Option<Arc<Mutex<()>>>,
}

impl SqlStore {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://...`, and runs migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::open(url, true).await
    }

    /// Connects without changing the schema, for a role that may not (see [`SqlStore::grant_stage_role`]):
    /// the database must already be migrated to this build's schema.
    pub async fn connect_without_migrating(url: &str) -> Result<Self> {
        Self::open(url, false).await
    }

    async fn open(url: &str, migrate: bool) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let url = match dialect {
            Dialect::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 4,
                Dialect::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // WAL lets readers run beside the one writer; NORMAL sync keeps every committed
                        // transaction across a process crash (an OS crash may lose the last few).
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA busy_timeout = 30000").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let migrator = match dialect {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        if migrate {
            migrator.run(&pool).await?;
        } else {
            check_migrated(&pool, &migrator).await?;
        }
        let writer = (dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self { pool, dialect, writer })
    }

    /// This process's turn to write (SQLite), held until dropped.
    async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(lock) => Some(Arc::clone(lock).lock_owned().await),
            None => None,
        }
    }

    /// Whether this store is the embedded SQLite one.
    pub fn is_embedded(&self) -> bool {
        self.dialect == Dialect::Sqlite
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

const PRINCIPAL_COLUMNS: &str =
    "key_hash, key_id, kind, subject, created_at_ms, holder, expires_at_ms, revoked_at_ms, revoked_reason";

fn principal_row(row: &sqlx::any::AnyRow) -> Result<Principal> {
    let kind: String = row.try_get(2)?;
    let expires_at_ms: i64 = row.try_get(6)?;
    let revoked_at_ms: i64 = row.try_get(7)?;
    Ok(Principal {
        key_hash: row.try_get(0)?,
        key_id: row.try_get(1)?,
        kind: PrincipalKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt { table: "principals", reason: format!("kind `{kind}`") })?,
        subject: row.try_get(3)?,
        created_at_ms: row.try_get(4)?,
        holder: row.try_get(5)?,
        expires_at_ms: (expires_at_ms != 0).then_some(expires_at_ms),
        revoked: (revoked_at_ms != 0)
            .then(|| Ok::<_, StoreError>(Revocation { at_ms: revoked_at_ms, reason: row.try_get(8)? }))
            .transpose()?,
    })
}

/// Refuses a database whose applied migrations are not exactly this build's.
async fn check_migrated(pool: &AnyPool, migrator: &sqlx::migrate::Migrator) -> Result<()> {
    let expected = migrator.iter().map(|migration| migration.version).max().unwrap_or(0);
    let applied: Option<i64> = sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .ok()
        .and_then(|row| row.try_get(0).ok());
    match applied {
        Some(applied) if applied == expected => Ok(()),
        applied => Err(StoreError::Schema(format!(
            "the database's schema is at migration {} but this build needs {expected}; run `orca db migrate` with \
             the owner's credentials first (this connection does not change the schema)",
            applied.unwrap_or(0)
        ))),
    }
}

/// The privileges of the role stages run as on PostgreSQL: read and write every table, but only
/// read and append the audit log (no UPDATE, DELETE or TRUNCATE, and not its owner, so it cannot
/// drop the triggers either). `{role}` is replaced by the quoted role name.
const STAGE_ROLE_GRANTS: &str = "GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role};";

impl SqlStore {
    /// Gives `role` (which must exist) what the stages need on this PostgreSQL database, with the
    /// audit log insert-and-select only. Run as the owner after migrating, and again after each
    /// upgrade that adds tables.
    pub async fn grant_stage_role(&self, role: &str) -> Result<()> {
        if self.dialect != Dialect::Postgres {
            return Err(StoreError::Schema("roles exist only on PostgreSQL".into()));
        }
        if role.is_empty() || !role.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(StoreError::Schema(format!("role name `{role}` may use only a-z, 0-9 and _")));
        }
        let quoted = format!("\"{role}\"");
        for statement in STAGE_ROLE_GRANTS.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            sqlx::query(&statement.replace("{role}", &quoted)).execute(&self.pool).await?;
        }
        Ok(())
    }
}

/// A claim held already, read from `content_hash, published, revision, withdrawn_at_ms` starting
/// at column `first`.
fn held_claim(row: &sqlx::any::AnyRow, first: usize) -> Result<ClaimOutcome> {
    let content_hash: String = row.try_get(first)?;
    let published: i64 = row.try_get(first + 1)?;
    let revision = u32_from(row.try_get(first + 2)?, "ingest_keys")?;
    let withdrawn: Option<i64> = row.try_get(first + 3)?;
    Ok(if published != 0 {
        ClaimOutcome::Published { content_hash, revision, withdrawn: withdrawn.is_some() }
    } else {
        ClaimOutcome::Unpublished { content_hash, revision }
    })
}

pub(crate) fn u32_from(value: i64, table: &'static str) -> Result<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt { table, reason: format!("{value} is out of range") })
}

impl Dialect {
    /// The placeholder of the `n`th parameter (1-based).
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// Placeholders for parameters `first..first + count`, comma-separated. SQLite gets bare `?`s
    /// (positional, so the text order must be the bind order): sqlx looks every named SQLite
    /// parameter up by position in a list, which is quadratic in a statement with thousands of them.
    fn params(self, first: usize, count: usize) -> String {
        match self {
            Dialect::Sqlite => vec!["?"; count].join(", "),
            Dialect::Postgres => (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", "),
        }
    }

    /// `rows` parenthesised groups of `columns` placeholders, for a multi-row `VALUES`.
    fn row_params(self, rows: usize, columns: usize) -> String {
        (0..rows).map(|row| format!("({})", self.params(row * columns + 1, columns))).collect::<Vec<_>>().join(", ")
    }
}

const STORE_COLUMNS: &str = "store_id, retailer, name, postcode, force, lat, lon";

/// A `stores` row selected as [`STORE_COLUMNS`].
fn retail_store(row: &sqlx::any::AnyRow) -> Result<RetailStore> {
    Ok(RetailStore {
        id: row.try_get::<String, _>(0)?.into(),
        retailer: row.try_get::<String, _>(1)?.into(),
        name: row.try_get(2)?,
        postcode: row.try_get(3)?,
        force: row.try_get::<String, _>(4)?.into(),
        lat: row.try_get(5)?,
        lon: row.try_get(6)?,
    })
}

/// The columns [`package_row`] reads, of `packages` aliased `p`.
pub(crate) const PACKAGE_COLUMNS: &str = "p.package_id, p.version, p.lead_force, p.summary, p.body, p.codec, p.priority_rank, \
     p.withdrawn, p.last_seen_ms, p.changed_at_ms";

pub(crate) fn package_row(row: &sqlx::any::AnyRow) -> Result<PackageRow> {
    Ok(PackageRow {
        package_id: row.try_get("package_id")?,
        version: u32_from(row.try_get("version")?, "packages")?,
        lead_force: row.try_get("lead_force")?,
        summary: row.try_get("summary")?,
        body: codec::unpack(row.try_get("codec")?, row.try_get("body")?, "packages")?,
        priority_rank: u8::try_from(row.try_get::<i64, _>("priority_rank")?).unwrap_or(u8::MAX),
        withdrawn: row.try_get::<i64, _>("withdrawn")? != 0,
        last_seen_ms: row.try_get("last_seen_ms")?,
        changed_at_ms: row.try_get("changed_at_ms")?,
    })
}

/// The `WHERE` conditions of a package listing, over `package_access a` joined to `packages p`.
/// Parameters: $1 force, $2 role filter on (0/1), $3 is_lead, $4 withdrawn (-1 = either), $5
/// changed since (ms). Priority ranks are numbers, written into the text.
fn listing_conditions(query: &PackageQuery) -> String {
    let mut sql = String::from(
        "a.force = $1 AND a.shared = 1 AND ($2 = 0 OR a.is_lead = $3) AND ($4 < 0 OR p.withdrawn = $4) \
         AND p.changed_at_ms >= $5",
    );
    if !query.priority_ranks.is_empty() {
        let ranks: Vec<String> = query.priority_ranks.iter().map(u8::to_string).collect();
        sql.push_str(&format!(" AND p.priority_rank IN ({})", ranks.join(", ")));
    }
    sql
}

/// Binds the parameters of [`listing_conditions`].
fn bind_listing<'q>(
    statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    query: &'q PackageQuery,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    statement
        .bind(query.force.as_str())
        .bind(i64::from(query.lead.is_some()))
        .bind(i64::from(query.lead.unwrap_or(false)))
        .bind(query.withdrawn.map_or(-1, i64::from))
        .bind(query.changed_since_ms.unwrap_or(i64::MIN))
}

#[async_trait]
impl Store for SqlStore {
    async fn begin(&self) -> Result<Box<dyn StoreTx>> {
        let turn = self.write_turn().await;
        Ok(Box::new(SqlTx { tx: self.pool.begin().await?, dialect: self.dialect, _turn: turn }))
    }

    async fn load_state(&self, prefix: &str) -> Result<Vec<StoredRecord>> {
        let rows = sqlx::query(
            "SELECT namespace, key, value, codec FROM kv WHERE namespace >= $1 AND namespace < $2 \
             ORDER BY namespace, key",
        )
        .bind(prefix)
        .bind(format!("{prefix}\u{10FFFF}"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let value = codec::unpack(row.try_get(3)?, row.try_get(2)?, "kv")?;
                Ok(StoredRecord { namespace: row.try_get(0)?, key: row.try_get(1)?, value })
            })
            .collect()
    }

    async fn get_state(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT value, codec FROM kv WHERE namespace = $1 AND key = $2")
            .bind(namespace)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| codec::unpack(r.try_get(1)?, r.try_get(0)?, "kv")).transpose()
    }

    async fn offsets(&self, consumer: &str) -> Result<Vec<OffsetRecord>> {
        let rows = sqlx::query(
            "SELECT topic, partition_id, next_offset FROM consumer_offsets WHERE consumer = $1 \
             ORDER BY topic, partition_id",
        )
        .bind(consumer)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let partition: i64 = row.try_get(1)?;
                let next: i64 = row.try_get(2)?;
                Ok(OffsetRecord {
                    topic: row.try_get(0)?,
                    partition: u32_from(partition, "consumer_offsets")?,
                    next_offset: next as u64,
                })
            })
            .collect()
    }

    async fn claim_incident(&self, claim: &IncidentClaim) -> Result<ClaimOutcome> {
        let _turn = self.write_turn().await;
        let inserted = sqlx::query(
            "INSERT INTO ingest_keys (retailer, retailer_ref, incident_id, content_hash, published, received_at_ms) \
             VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (retailer, retailer_ref) DO NOTHING",
        )
        .bind(&claim.retailer)
        .bind(&claim.retailer_ref)
        .bind(&claim.incident_id)
        .bind(&claim.content_hash)
        .bind(claim.received_at_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(ClaimOutcome::New);
        }
        let row = sqlx::query(
            "SELECT content_hash, published, revision, withdrawn_at_ms FROM ingest_keys \
             WHERE retailer = $1 AND retailer_ref = $2",
        )
        .bind(&claim.retailer)
        .bind(&claim.retailer_ref)
        .fetch_one(&self.pool)
        .await?;
        held_claim(&row, 0)
    }

    async fn mark_published(&self, retailer: &str, retailer_ref: &str) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE ingest_keys SET published = 1 WHERE retailer = $1 AND retailer_ref = $2")
            .bind(retailer)
            .bind(retailer_ref)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn claim_incidents(&self, claims: &[IncidentClaim]) -> Result<Vec<ClaimOutcome>> {
        let _turn = self.write_turn().await;
        // Only the first occurrence of each pair goes to the database; repeats follow it.
        let mut first_of: HashMap<(&str, &str), usize> = HashMap::with_capacity(claims.len());
        let mut unique: Vec<&IncidentClaim> = Vec::with_capacity(claims.len());
        for claim in claims {
            first_of.entry((claim.retailer.as_str(), claim.retailer_ref.as_str())).or_insert_with(|| {
                unique.push(claim);
                unique.len() - 1
            });
        }
        let mut tx = self.pool.begin().await?;
        let mut inserted = HashSet::with_capacity(unique.len());
        for chunk in unique.chunks(CHUNK_ROWS) {
            let sql = format!(
                "INSERT INTO ingest_keys (retailer, retailer_ref, incident_id, content_hash, published, received_at_ms) \
                 VALUES {} ON CONFLICT (retailer, retailer_ref) DO NOTHING RETURNING retailer, retailer_ref",
                self.dialect.row_params(chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for claim in chunk {
                query = query
                    .bind(&claim.retailer)
                    .bind(&claim.retailer_ref)
                    .bind(&claim.incident_id)
                    .bind(&claim.content_hash)
                    .bind(0_i64)
                    .bind(claim.received_at_ms);
            }
            for row in query.fetch_all(&mut *tx).await? {
                inserted.insert((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?));
            }
        }
        let mut existing_refs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for claim in &unique {
            if !inserted.contains(&(claim.retailer.clone(), claim.retailer_ref.clone())) {
                existing_refs.entry(claim.retailer.as_str()).or_default().push(claim.retailer_ref.as_str());
            }
        }
        let mut existing = HashMap::new();
        for (retailer, refs) in existing_refs {
            for chunk in refs.chunks(CHUNK_ROWS) {
                let sql = format!(
                    "SELECT retailer_ref, content_hash, published, revision, withdrawn_at_ms FROM ingest_keys \
                     WHERE retailer = {} AND retailer_ref IN ({})",
                    self.dialect.params(1, 1),
                    self.dialect.params(2, chunk.len())
                );
                let mut query = sqlx::query(&sql).bind(retailer);
                for retailer_ref in chunk {
                    query = query.bind(*retailer_ref);
                }
                for row in query.fetch_all(&mut *tx).await? {
                    existing.insert((retailer, row.try_get::<String, _>(0)?), held_claim(&row, 1)?);
                }
            }
        }
        tx.commit().await?;

        let mut firsts: Vec<ClaimOutcome> = Vec::with_capacity(unique.len());
        for claim in &unique {
            let key = (claim.retailer.clone(), claim.retailer_ref.clone());
            let outcome = if inserted.contains(&key) {
                ClaimOutcome::New
            } else {
                existing.remove(&(claim.retailer.as_str(), key.1)).ok_or_else(|| StoreError::Corrupt {
                    table: "ingest_keys",
                    reason: "a conflicting claim vanished".to_owned(),
                })?
            };
            firsts.push(outcome);
        }
        let mut seen = vec![false; unique.len()];
        Ok(claims
            .iter()
            .map(|claim| {
                let index = first_of[&(claim.retailer.as_str(), claim.retailer_ref.as_str())];
                let repeated = std::mem::replace(&mut seen[index], true);
                match &firsts[index] {
                    ClaimOutcome::New if repeated => {
                        ClaimOutcome::Unpublished { content_hash: unique[index].content_hash.clone(), revision: 1 }
                    }
                    outcome => outcome.clone(),
                }
            })
            .collect())
    }

    async fn mark_published_many(&self, reports: &[PublishedReport]) -> Result<()> {
        let _turn = self.write_turn().await;
        self.publish_reports(reports).await
    }

    async fn purge_rejected(&self, before_ms: i64) -> Result<u64> {
        let _turn = self.write_turn().await;
        let deleted = sqlx::query("DELETE FROM rejected_records WHERE received_at_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(deleted)
    }

    async fn revise_incident(&self, revision: &Revision) -> Result<Option<u32>> {
        let _turn = self.write_turn().await;
        self.revise_claim(revision, None).await
    }

    async fn withdraw_incident(&self, withdrawal: &WithdrawalRecord) -> Result<bool> {
        let _turn = self.write_turn().await;
        self.withdraw_claim(withdrawal).await
    }

    async fn mark_withdrawal_published(&self, retailer: &str, retailer_ref: &str) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE ingest_keys SET withdrawal_published = 1 \
             WHERE retailer = $1 AND retailer_ref = $2 AND withdrawn_at_ms IS NOT NULL",
        )
        .bind(retailer)
        .bind(retailer_ref)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn dispose_incident(&self, disposal: &DisposalRecord) -> Result<bool> {
        let _turn = self.write_turn().await;
        self.dispose_claim(disposal).await
    }

    async fn mark_disposal_published(&self, retailer: &str, retailer_ref: &str) -> Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE ingest_keys SET disposal_published = 1, withdrawal_published = 1 \
             WHERE retailer = $1 AND retailer_ref = $2 AND disposed_at_ms IS NOT NULL",
        )
        .bind(retailer)
        .bind(retailer_ref)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn retention_candidates(
        &self,
        received_before_ms: i64,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<RetentionCandidate>> {
        self.read_retention_candidates(received_before_ms, after, limit).await
    }

    async fn put_retention_hold(&self, hold: &RetentionHold) -> Result<()> {
        let _turn = self.write_turn().await;
        self.upsert_retention_hold(hold).await
    }

    async fn standing_packages(&self, after_id: &str, limit: u32) -> Result<Vec<PackageRow>> {
        let sql = format!(
            "SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.withdrawn = 0 AND p.package_id > $1 \
             AND p.version = (SELECT MAX(q.version) FROM packages q WHERE q.package_id = p.package_id) \
             ORDER BY p.package_id LIMIT $2"
        );
        let rows = sqlx::query(&sql).bind(after_id).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(package_row).collect()
    }

    async fn claim_row(&self, retailer: &str, retailer_ref: &str) -> Result<Option<ClaimRow>> {
        self.read_claim_row(retailer, retailer_ref).await
    }

    async fn claim_of_incident(&self, incident_id: &str) -> Result<Option<ClaimRow>> {
        self.read_claim_of_incident(incident_id).await
    }

    async fn kept_report(&self, retailer: &str, retailer_ref: &str) -> Result<Option<Vec<u8>>> {
        self.read_kept_report(retailer, retailer_ref).await
    }

    async fn reissue_incident(
        &self,
        revision: &Revision,
        body: &[u8],
        faces_until_ms: Option<i64>,
    ) -> Result<Option<u32>> {
        let _turn = self.write_turn().await;
        self.revise_claim(revision, Some((body, faces_until_ms))).await
    }

    async fn reissue_candidates(
        &self,
        faces_due_before_ms: i64,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<ClaimRow>> {
        self.read_reissue_candidates(faces_due_before_ms, after, limit).await
    }

    async fn replace_withdrawn_report(&self, retailer: &str, retailer_ref: &str, body: &[u8]) -> Result<bool> {
        let _turn = self.write_turn().await;
        self.replace_withdrawn_report(retailer, retailer_ref, body).await
    }

    async fn record_erasure(&self, erasure: &ErasureRecord) -> Result<()> {
        let _turn = self.write_turn().await;
        self.upsert_erasure(erasure).await
    }

    async fn erasures(&self, incident_id: &str) -> Result<Vec<ErasureRecord>> {
        self.read_erasures(incident_id).await
    }

    async fn claim_rows(&self, retailer: &str, after_ref: &str, limit: u32) -> Result<Vec<ClaimRow>> {
        self.read_claim_rows(retailer, after_ref, limit).await
    }

    async fn put_rejected(&self, record: &RejectedRecord) -> Result<i64> {
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO rejected_records (retailer, retailer_ref, channel, received_at_ms, payload, problems) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&record.retailer)
        .bind(&record.retailer_ref)
        .bind(&record.channel)
        .bind(record.received_at_ms)
        .bind(&record.payload)
        .bind(&record.problems)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn rejected(&self, retailer: &str, limit: u32) -> Result<Vec<RejectedRecord>> {
        self.rejected_before(retailer, None, limit).await
    }

    async fn rejected_before(&self, retailer: &str, before_id: Option<i64>, limit: u32) -> Result<Vec<RejectedRecord>> {
        let rows = sqlx::query(
            "SELECT id, retailer, retailer_ref, channel, received_at_ms, payload, problems FROM rejected_records \
             WHERE retailer = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(retailer)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RejectedRecord {
                    id: row.try_get(0)?,
                    retailer: row.try_get(1)?,
                    retailer_ref: row.try_get(2)?,
                    channel: row.try_get(3)?,
                    received_at_ms: row.try_get(4)?,
                    payload: row.try_get(5)?,
                    problems: row.try_get(6)?,
                })
            })
            .collect()
    }

    async fn upsert_stores(&self, stores: &[RetailStore]) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        for chunk in stores.chunks(CHUNK_ROWS) {
            let sql = format!(
                "INSERT INTO stores (store_id, retailer, name, postcode, force, lat, lon) VALUES {} \
                 ON CONFLICT (store_id) DO UPDATE SET retailer = excluded.retailer, name = excluded.name, \
                 postcode = excluded.postcode, force = excluded.force, lat = excluded.lat, lon = excluded.lon",
                self.dialect.row_params(chunk.len(), 7)
            );
            let mut query = sqlx::query(&sql);
            for store in chunk {
                query = query
                    .bind(store.id.as_str())
                    .bind(store.retailer.as_str())
                    .bind(&store.name)
                    .bind(&store.postcode)
                    .bind(store.force.as_str())
                    .bind(store.lat)
                    .bind(store.lon);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn stores(&self) -> Result<Vec<RetailStore>> {
        let rows =
            sqlx::query(&format!("SELECT {STORE_COLUMNS} FROM stores ORDER BY store_id")).fetch_all(&self.pool).await?;
        rows.iter().map(retail_store).collect()
    }

    async fn stores_with_ids(&self, ids: &[&str]) -> Result<Vec<RetailStore>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(CHUNK_ROWS) {
            let sql = format!(
                "SELECT {STORE_COLUMNS} FROM stores WHERE store_id IN ({}) ORDER BY store_id",
                self.dialect.params(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                found.push(retail_store(&row)?);
            }
        }
        Ok(found)
    }

    async fn put_principal(&self, principal: &Principal) -> Result<()> {
        let _turn = self.write_turn().await;
        let (revoked_at_ms, revoked_reason) =
            principal.revoked.as_ref().map_or((0, ""), |revoked| (revoked.at_ms, revoked.reason.as_str()));
        sqlx::query(
            "INSERT INTO principals (key_hash, key_id, kind, subject, created_at_ms, holder, expires_at_ms, \
             revoked_at_ms, revoked_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (key_hash) DO UPDATE SET key_id = excluded.key_id, kind = excluded.kind, \
             subject = excluded.subject, holder = excluded.holder, expires_at_ms = excluded.expires_at_ms",
        )
        .bind(&principal.key_hash)
        .bind(&principal.key_id)
        .bind(principal.kind.as_str())
        .bind(&principal.subject)
        .bind(principal.created_at_ms)
        .bind(&principal.holder)
        .bind(principal.expires_at_ms.unwrap_or(0))
        .bind(revoked_at_ms)
        .bind(revoked_reason)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn principal_by_key_hash(&self, key_hash: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(&format!("SELECT {PRINCIPAL_COLUMNS} FROM principals WHERE key_hash = $1"))
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(principal_row).transpose()
    }

    async fn principals(&self) -> Result<Vec<Principal>> {
        let rows = sqlx::query(&format!("SELECT {PRINCIPAL_COLUMNS} FROM principals ORDER BY created_at_ms, key_id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(principal_row).collect()
    }

    async fn revoke_principal(&self, key_id: &str, at_ms: i64, reason: &str) -> Result<bool> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE principals SET revoked_at_ms = $1, revoked_reason = $2 \
             WHERE key_id = $3 AND (revoked_at_ms = 0 OR revoked_at_ms > $1)",
        )
        .bind(at_ms)
        .bind(reason)
        .bind(key_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_packages(
        &self,
        query: &PackageQuery,
        after: Option<&PackagePosition>,
        limit: u32,
    ) -> Result<Vec<PackageRow>> {
        let sql = format!(
            "SELECT {PACKAGE_COLUMNS} FROM package_access a \
             JOIN packages p ON p.package_id = a.package_id AND p.version = a.latest_version \
             WHERE {} AND (p.priority_rank > $6 OR (p.priority_rank = $6 AND (p.last_seen_ms < $7 \
             OR (p.last_seen_ms = $7 AND p.package_id > $8)))) \
             ORDER BY p.priority_rank, p.last_seen_ms DESC, p.package_id LIMIT $9",
            listing_conditions(query)
        );
        let rows = bind_listing(sqlx::query(&sql), query)
            .bind(after.map_or(-1, |a| i64::from(a.priority_rank)))
            .bind(after.map_or(i64::MAX, |a| a.last_seen_ms))
            .bind(after.map_or("", |a| a.package_id.as_str()))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(package_row).collect()
    }

    async fn count_packages(&self, query: &PackageQuery) -> Result<u64> {
        let sql = format!(
            "SELECT COUNT(*) FROM package_access a \
             JOIN packages p ON p.package_id = a.package_id AND p.version = a.latest_version WHERE {}",
            listing_conditions(query)
        );
        let row = bind_listing(sqlx::query(&sql), query).fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>(0)? as u64)
    }

    async fn package_changes(&self, force: &str, after_seq: i64, limit: u32) -> Result<Vec<PackageAccessChange>> {
        let sql = format!(
            "SELECT a.seq AS access_seq, a.package_id AS access_package, a.shared, {PACKAGE_COLUMNS} \
             FROM package_access a JOIN packages p ON p.package_id = a.package_id AND p.version = a.latest_version \
             WHERE a.force = $1 AND a.seq > $2 ORDER BY a.seq, a.package_id LIMIT $3"
        );
        let rows = sqlx::query(&sql).bind(force).bind(after_seq).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let shared = row.try_get::<i64, _>("shared")? != 0;
                Ok(PackageAccessChange {
                    seq: row.try_get("access_seq")?,
                    package_id: row.try_get("access_package")?,
                    latest: if shared { Some(package_row(row)?) } else { None },
                })
            })
            .collect()
    }

    async fn package(&self, package_id: &str, version: Option<u32>) -> Result<Option<PackageRow>> {
        let row =
            match version {
                Some(version) => {
                    sqlx::query(&format!(
                        "SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.package_id = $1 AND p.version = $2"
                    ))
                    .bind(package_id)
                    .bind(i64::from(version))
                    .fetch_optional(&self.pool)
                    .await?
                }
                None => sqlx::query(&format!(
                    "SELECT {PACKAGE_COLUMNS} FROM packages p WHERE p.package_id = $1 ORDER BY p.version DESC LIMIT 1"
                ))
                .bind(package_id)
                .fetch_optional(&self.pool)
                .await?,
            };
        row.as_ref().map(package_row).transpose()
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<i64> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        if self.dialect == Dialect::Postgres {
            // One appender at a time, across processes: each entry names the one before it. (The
            // count wraps the void result, which sqlx's `Any` driver cannot decode.)
            sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS chain_lock")
                .bind(AUDIT_CHAIN_LOCK)
                .fetch_one(&mut *tx)
                .await?;
        }
        let last =
            sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *tx).await?;
        let (last_seq, last_hash): (i64, String) = match last {
            Some(row) => (row.try_get(0)?, row.try_get(1)?),
            None => (0, String::new()),
        };
        let mut entry = record.clone();
        entry.seq = last_seq + 1;
        entry.prev_hash = if last_hash.is_empty() { audit_chain::GENESIS.to_owned() } else { last_hash };
        entry.hash = audit_chain::entry_hash(&entry.prev_hash, &entry);
        sqlx::query(
            "INSERT INTO audit_log (seq, at_ms, principal, principal_kind, action, resource, purpose, outcome, detail, \
             prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(&entry.principal)
        .bind(&entry.principal_kind)
        .bind(&entry.action)
        .bind(&entry.resource)
        .bind(&entry.purpose)
        .bind(&entry.outcome)
        .bind(&entry.detail)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(entry.seq)
    }

    async fn acquire_lease(&self, stage: &str, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<Option<i64>> {
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO stage_leases (stage, holder, epoch, expires_at_ms) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (stage) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms, \
             epoch = CASE WHEN stage_leases.holder = excluded.holder THEN stage_leases.epoch \
             ELSE stage_leases.epoch + 1 END \
             WHERE stage_leases.holder = excluded.holder OR stage_leases.expires_at_ms <= $4 \
             RETURNING epoch",
        )
        .bind(stage)
        .bind(holder)
        .bind(now_ms.saturating_add(ttl_ms))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok(row.try_get(0)?)).transpose()
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        let row =
            sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&self.pool).await?;
        row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).transpose()
    }

    async fn audit(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, principal, principal_kind, action, resource, purpose, outcome, detail, prev_hash, \
             hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRecord {
                    seq: row.try_get(0)?,
                    at_ms: row.try_get(1)?,
                    principal: row.try_get(2)?,
                    principal_kind: row.try_get(3)?,
                    action: row.try_get(4)?,
                    resource: row.try_get(5)?,
                    purpose: row.try_get(6)?,
                    outcome: row.try_get(7)?,
                    detail: row.try_get(8)?,
                    prev_hash: row.try_get(9)?,
                    hash: row.try_get(10)?,
                })
            })
            .collect()
    }
}

pub(crate) struct SqlTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) dialect: Dialect,
    /// Released when the transaction commits or is dropped.
    _turn: Option<OwnedMutexGuard<()>>,
}

#[async_trait]
impl StoreTx for SqlTx {
    async fn apply_state(&mut self, changes: &[StateChange]) -> Result<()> {
        // Deletes and upserts are applied in order within runs of the same kind, so a key written
        // then deleted (or the reverse) in one batch ends as the last change says.
        let mut start = 0;
        while start < changes.len() {
            let is_put = changes[start].value.is_some();
            let end = changes[start..]
                .iter()
                .position(|c| c.value.is_some() != is_put)
                .map_or(changes.len(), |n| start + n)
                .min(start + CHUNK_ROWS);
            let run = dedupe_last(&changes[start..end]);
            if is_put {
                let sql = format!(
                    "INSERT INTO kv (namespace, key, value, codec) VALUES {} \
                     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, codec = excluded.codec",
                    self.dialect.row_params(run.len(), 4)
                );
                let packed: Vec<(i64, Cow<'_, [u8]>)> =
                    run.iter().map(|change| codec::pack(change.value.as_deref().unwrap_or(&[]))).collect();
                let mut query = sqlx::query(&sql);
                for (change, (codec, value)) in run.iter().zip(&packed) {
                    query = query.bind(&change.namespace).bind(&change.key).bind(value.as_ref()).bind(*codec);
                }
                query.execute(&mut *self.tx).await?;
            } else {
                for change in &run {
                    sqlx::query("DELETE FROM kv WHERE namespace = $1 AND key = $2")
                        .bind(&change.namespace)
                        .bind(&change.key)
                        .execute(&mut *self.tx)
                        .await?;
                }
            }
            start = end;
        }
        Ok(())
    }

    async fn save_offsets(&mut self, consumer: &str, offsets: &[OffsetRecord]) -> Result<()> {
        for offset in offsets {
            sqlx::query(
                "INSERT INTO consumer_offsets (consumer, topic, partition_id, next_offset) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (consumer, topic, partition_id) DO UPDATE SET next_offset = excluded.next_offset",
            )
            .bind(consumer)
            .bind(&offset.topic)
            .bind(i64::from(offset.partition))
            .bind(offset.next_offset as i64)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn renew_lease(&mut self, stage: &str, holder: &str, epoch: i64, expires_at_ms: i64) -> Result<()> {
        let renewed =
            sqlx::query("UPDATE stage_leases SET expires_at_ms = $1 WHERE stage = $2 AND holder = $3 AND epoch = $4")
                .bind(expires_at_ms)
                .bind(stage)
                .bind(holder)
                .bind(epoch)
                .execute(&mut *self.tx)
                .await?;
        if renewed.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost { stage: stage.to_owned(), epoch })
        }
    }

    async fn put_package(&mut self, package: &PackageRecord) -> Result<()> {
        let version = i64::from(package.version);
        let (codec, body) = codec::pack(&package.body);
        sqlx::query(
            "INSERT INTO packages (package_id, version, lead_force, summary, body, codec, priority_rank, withdrawn, \
             last_seen_ms, changed_at_ms, citations_indexed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) \
             ON CONFLICT (package_id, version) DO NOTHING",
        )
        .bind(&package.package_id)
        .bind(version)
        .bind(&package.lead_force)
        .bind(&package.summary)
        .bind(body.as_ref())
        .bind(codec)
        .bind(i64::from(package.priority_rank))
        .bind(i64::from(package.withdrawn))
        .bind(package.last_seen_ms)
        .bind(package.changed_at_ms)
        .execute(&mut *self.tx)
        .await?;
        self.insert_citations(&package.package_id, package.version, &package.cited_incidents).await?;
        // Only a newer version moves the access rows, so a replayed old version changes nothing.
        let current: Option<i64> = sqlx::query("SELECT MAX(latest_version) FROM package_access WHERE package_id = $1")
            .bind(&package.package_id)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get(0)?;
        if current.is_some_and(|current| current >= version) {
            return Ok(());
        }
        // Every row this version changes gets the next stream position. Forces it no longer
        // concerns keep their row, marked unshared, so their streams can say so.
        let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 FROM package_access")
            .fetch_one(&mut *self.tx)
            .await?
            .try_get(0)?;
        sqlx::query(
            "UPDATE package_access SET shared = 0, is_lead = 0, latest_version = $2, seq = $3 \
             WHERE package_id = $1 AND shared = 1",
        )
        .bind(&package.package_id)
        .bind(version)
        .bind(seq)
        .execute(&mut *self.tx)
        .await?;
        let mut forces: Vec<&String> = package.forces.iter().chain([&package.lead_force]).collect();
        forces.sort();
        forces.dedup();
        for force in forces {
            sqlx::query(
                "INSERT INTO package_access (package_id, force, is_lead, latest_version, shared, seq) \
                 VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (package_id, force) DO UPDATE SET \
                 is_lead = excluded.is_lead, latest_version = excluded.latest_version, shared = 1, seq = excluded.seq",
            )
            .bind(&package.package_id)
            .bind(force)
            .bind(i64::from(*force == package.lead_force))
            .bind(version)
            .bind(seq)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn unindexed_packages(&mut self, limit: u32) -> Result<Vec<PackageRow>> {
        self.read_unindexed_packages(limit).await
    }

    async fn index_citations(&mut self, package_id: &str, version: u32, incidents: &[String]) -> Result<()> {
        self.insert_citations(package_id, version, incidents).await?;
        self.mark_indexed(package_id, version).await
    }

    async fn packages_to_scrub(&mut self, written: &[(String, u32)]) -> Result<Vec<PackageToScrub>> {
        self.find_packages_to_scrub(written).await
    }

    async fn rewrite_package(&mut self, package_id: &str, version: u32, scrubbed: &ScrubbedPackage) -> Result<()> {
        self.write_scrubbed_package(package_id, version, scrubbed).await
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Keeps the last change per (namespace, key) of a run, in first-seen order, so one multi-row
/// upsert never touches a key twice (PostgreSQL refuses that).
fn dedupe_last(run: &[StateChange]) -> Vec<&StateChange> {
    let mut last = std::collections::HashMap::with_capacity(run.len());
    for (i, change) in run.iter().enumerate() {
        last.insert((change.namespace.as_str(), change.key.as_str()), i);
    }
    run.iter()
        .enumerate()
        .filter(|(i, c)| last[&(c.namespace.as_str(), c.key.as_str())] == *i)
        .map(|(_, c)| c)
        .collect()
}
