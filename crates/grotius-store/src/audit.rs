//! Writing and reading the hash-chained audit log.

use grotius_domain::audit::{self, AuditEntry, AuditRecord, Verifier};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// Appends one entry inside the caller's transaction. The head row is read with a row lock on
/// PostgreSQL (SQLite's write transaction already holds the database lock), so entries are
/// chained in commit order with no gaps.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append(
    conn: &mut AnyConnection,
    store: &Store,
    actor_id: &str,
    actor_name: &str,
    action: &str,
    resource_kind: &str,
    resource_id: &str,
    outcome: &str,
    detail: &str,
) -> Result<i64> {
    let lock = match store.backend {
        crate::Backend::Postgres => " FOR UPDATE",
        crate::Backend::Sqlite => "",
    };
    let sql = format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?;
    let head_seq: i64 = row.try_get("seq")?;
    let prev_hash: String = row.try_get("hash")?;
    let record = AuditRecord {
        seq: head_seq + 1,
        at_micros: grotius_security::now_micros(),
        actor_id: actor_id.to_string(),
        actor_name: actor_name.to_string(),
        action: action.to_string(),
        resource_kind: resource_kind.to_string(),
        resource_id: resource_id.to_string(),
        outcome: outcome.to_string(),
        detail: detail.to_string(),
    };
    let hash = audit::entry_hash(&store.audit_key, &prev_hash, &record);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, resource_kind, resource_id, outcome, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(record.seq)
    .bind(record.at_micros)
    .bind(&record.actor_id)
    .bind(&record.actor_name)
    .bind(&record.action)
    .bind(&record.resource_kind)
    .bind(&record.resource_id)
    .bind(&record.outcome)
    .bind(&record.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    let mac = audit::head_mac(&store.audit_key, record.seq, &hash);
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
        .bind(record.seq)
        .bind(&hash)
        .bind(&mac)
        .execute(&mut *conn)
        .await?;
    Ok(record.seq)
}

pub(crate) fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        record: AuditRecord {
            seq: row.try_get("seq")?,
            at_micros: row.try_get("at")?,
            actor_id: row.try_get("actor_id")?,
            actor_name: row.try_get("actor_name")?,
            action: row.try_get("action")?,
            resource_kind: row.try_get("resource_kind")?,
            resource_id: row.try_get("resource_id")?,
            outcome: row.try_get("outcome")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Filters for browsing the log (all optional, combined with AND).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// Prefix of the action, e.g. `process.` or `login`.
    pub action: Option<String>,
    pub resource_kind: Option<String>,
    pub resource_id: Option<String>,
    pub outcome: Option<String>,
    /// Unix microseconds, inclusive.
    pub from: Option<i64>,
    /// Unix microseconds, exclusive.
    pub to: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub entries: i64,
}

impl Store {
    /// Walks the whole log in sequence order and checks every link, hash and the head.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        let mut verifier = Verifier::new(&self.audit_key);
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, actor_id, actor_name, action, resource_kind, resource_id, outcome, detail, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
            )
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = entry_from_row(row)?;
                verifier
                    .check(&e)
                    .map_err(|b| StoreError::Integrity(b.to_string()))?;
                after = e.record.seq;
            }
        }
        let head = sqlx::query("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| {
                StoreError::Integrity("audit head: missing (the head record was deleted)".into())
            })?;
        let entries = verifier
            .finish(
                head.try_get("seq")?,
                &head.try_get::<String, _>("hash")?,
                &head.try_get::<String, _>("mac")?,
            )
            .map_err(|b| StoreError::Integrity(b.to_string()))?;
        Ok(VerifyReport { entries })
    }
}
