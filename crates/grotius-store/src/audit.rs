//! Writing and reading the hash-chained audit log.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use grotius_domain::audit::{self, Anchor, AuditEntry, AuditRecord, ChainBreak, Verifier};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, AnyPool, Row};

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
    let mut chain = Chain::start(conn, store).await?;
    let seq = chain
        .push(
            conn,
            store,
            actor_id,
            actor_name,
            action,
            resource_kind,
            resource_id,
            outcome,
            detail,
        )
        .await?;
    chain.finish(conn, store).await?;
    Ok(seq)
}

/// An entry chained in memory ([`Chain::next`]), not yet inserted.
pub(crate) struct ChainedEntry {
    record: AuditRecord,
    prev_hash: String,
    hash: String,
}

/// Several entries appended in one transaction (the group commit of votes): the head is read
/// (and locked on PostgreSQL) once, each entry chained onto the one before, and the head row
/// written once at the end. The chain is the same as with one `append` per entry.
pub(crate) struct Chain {
    seq: i64,
    hash: String,
    moved: bool,
}

impl Chain {
    /// Reads the head inside the caller's write transaction.
    pub(crate) async fn start(conn: &mut AnyConnection, store: &Store) -> Result<Chain> {
        let lock = match store.backend {
            crate::Backend::Postgres => " FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        let sql = format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        Ok(Chain {
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
            moved: false,
        })
    }

    /// Inserts the next entry; returns its sequence number.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn push(
        &mut self,
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
        let entry = self.next(
            store,
            actor_id,
            actor_name,
            action,
            resource_kind,
            resource_id,
            outcome,
            detail,
        );
        Chain::insert(conn, store.backend, std::slice::from_ref(&entry)).await?;
        Ok(entry.record.seq)
    }

    /// Chains the next entry in memory, to be inserted with [`Chain::insert`] in the same
    /// transaction (before [`Chain::finish`]); returns it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn next(
        &mut self,
        store: &Store,
        actor_id: &str,
        actor_name: &str,
        action: &str,
        resource_kind: &str,
        resource_id: &str,
        outcome: &str,
        detail: &str,
    ) -> ChainedEntry {
        let record = AuditRecord {
            seq: self.seq + 1,
            at_micros: grotius_security::now_micros(),
            actor_id: actor_id.to_string(),
            actor_name: actor_name.to_string(),
            action: action.to_string(),
            resource_kind: resource_kind.to_string(),
            resource_id: resource_id.to_string(),
            outcome: outcome.to_string(),
            detail: detail.to_string(),
        };
        let hash = audit::entry_hash(&store.audit_key, &self.hash, &record);
        let prev_hash = std::mem::replace(&mut self.hash, hash.clone());
        self.seq = record.seq;
        self.moved = true;
        ChainedEntry {
            record,
            prev_hash,
            hash,
        }
    }

    /// Inserts entries made by [`Chain::next`], in multi-row statements.
    pub(crate) async fn insert(
        conn: &mut AnyConnection,
        backend: crate::db::Backend,
        entries: &[ChainedEntry],
    ) -> Result<()> {
        // 11 values a row: 64 rows a statement stay far below either backend's bind limit.
        for chunk in entries.chunks(64) {
            let sql = format!(
                "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, resource_kind, resource_id, outcome, detail, prev_hash, hash) VALUES {}",
                crate::db::values_list(backend, chunk.len(), 11)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for e in chunk {
                q = q
                    .bind(e.record.seq)
                    .bind(e.record.at_micros)
                    .bind(&e.record.actor_id)
                    .bind(&e.record.actor_name)
                    .bind(&e.record.action)
                    .bind(&e.record.resource_kind)
                    .bind(&e.record.resource_id)
                    .bind(&e.record.outcome)
                    .bind(&e.record.detail)
                    .bind(&e.prev_hash)
                    .bind(&e.hash);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Writes the new head (with its MAC), if any entry was appended.
    pub(crate) async fn finish(self, conn: &mut AnyConnection, store: &Store) -> Result<()> {
        if !self.moved {
            return Ok(());
        }
        let mac = audit::head_mac(&store.audit_key, self.seq, &self.hash);
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.hash)
            .bind(&mac)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
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
    /// The entry this node's anchor (outside the database) records; the log reached it.
    pub anchored: i64,
}

/// Whether a verification holds the audit log against this node's anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorCheck {
    /// The live database: a log that ends before the anchor is truncation.
    Required,
    /// A backup about to replace the database (`restore`): older than the anchor by design, so
    /// only its chain and head are checked.
    BackupCandidate,
}

/// The file in the key directory that holds this node's audit anchor.
pub const AUDIT_ANCHOR_FILE: &str = "audit-anchor.json";

/// The audit anchor as stored: a high-water mark of the chain outside the database, with an
/// HMAC under the audit key binding it to the instance (see [`audit::anchor_mac`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AnchorFile {
    version: u32,
    instance: String,
    seq: i64,
    hash: String,
    /// When it was written (Unix microseconds), for the operator.
    at: i64,
    mac: String,
}

/// Why an anchor file cannot be used.
fn anchor_problem(path: &Path, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Integrity(format!("audit anchor {}: {reason}", path.display()))
}

/// Reads and authenticates the anchor file; `Ok(None)` when there is none.
fn read_anchor_file(path: &Path, key: &[u8]) -> Result<Option<AnchorFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anchor_problem(path, e)),
    };
    let f: AnchorFile = serde_json::from_str(&text)
        .map_err(|e| anchor_problem(path, format!("not an anchor file: {e}")))?;
    if audit::anchor_mac(key, &f.instance, f.seq, &f.hash) != f.mac {
        return Err(anchor_problem(
            path,
            "its authentication code is wrong (the file was edited, or it was written under another audit key)",
        ));
    }
    Ok(Some(f))
}

/// The anchor of this database: authenticated and bound to its instance record (`instance` is
/// `None` when the database has none — it was emptied).
fn read_anchor(path: &Path, key: &[u8], instance: Option<&str>) -> Result<Option<Anchor>> {
    let Some(f) = read_anchor_file(path, key)? else {
        return Ok(None);
    };
    match instance {
        Some(i) if i == f.instance => Ok(Some(Anchor {
            seq: f.seq,
            hash: f.hash,
        })),
        Some(i) => Err(anchor_problem(
            path,
            format!(
                "it belongs to instance {} but the database is instance {i} (the database was replaced or re-created); the anchor outside the database records entry {}",
                f.instance, f.seq
            ),
        )),
        None => Err(anchor_problem(
            path,
            format!(
                "the database has no instance record (it was emptied or replaced); the anchor outside the database records entry {} of instance {}",
                f.seq, f.instance
            ),
        )),
    }
}

static ANCHOR_TMP: AtomicU64 = AtomicU64::new(0);

/// Writes the anchor atomically and durably (temporary file synced, then renamed), mode 0600.
fn write_anchor(path: &Path, key: &[u8], instance: &str, seq: i64, hash: &str) -> Result<()> {
    use std::io::Write;
    let file = AnchorFile {
        version: 1,
        instance: instance.to_string(),
        seq,
        hash: hash.to_string(),
        at: grotius_security::now_micros(),
        mac: audit::anchor_mac(key, instance, seq, hash),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| anchor_problem(path, e))?;
    // A name of its own per writer, so that two processes (or stores) never interleave.
    let tmp = path.with_extension(format!(
        "json.{}.{}.tmp",
        std::process::id(),
        ANCHOR_TMP.fetch_add(1, Ordering::Relaxed)
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let written = opts
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anchor_problem(path, e));
    }
    Ok(())
}

/// The instance id of the database (the anchor is bound to it), if it has one.
async fn instance_id(pool: &AnyPool) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT instance_id FROM instance WHERE id = 1")
            .fetch_optional(pool)
            .await?,
    )
}

fn no_instance() -> StoreError {
    StoreError::Integrity("instance record: missing (the database was emptied)".into())
}

/// The chain head as stored, if its authentication code is right.
async fn authentic_head(pool: &AnyPool, key: &[u8]) -> Result<Option<(i64, String)>> {
    let Some(row) = sqlx::query("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let (seq, hash, code): (i64, String, String) = (
        row.try_get("seq")?,
        row.try_get("hash")?,
        row.try_get("mac")?,
    );
    Ok((audit::head_mac(key, seq, &hash) == code).then_some((seq, hash)))
}

/// This node's keeper of the audit anchor: after every write transaction commits, the chain head
/// is written to [`AUDIT_ANCHOR_FILE`] in the key directory (only forwards). A crash between the
/// commit and the file leaves the anchor behind by that commit, which verification accepts
/// ("the database is ahead"); a log that ends before the anchor is truncation.
#[derive(Debug, Default)]
pub(crate) struct AnchorKeeper {
    /// `None` until the store starts anchoring (a read-only store never does).
    state: tokio::sync::Mutex<Option<Anchoring>>,
}

#[derive(Debug)]
struct Anchoring {
    path: PathBuf,
    instance: String,
    /// The highest entry written to the file by this store (sequence number, hash).
    anchored: i64,
    hash: String,
}

impl AnchorKeeper {
    /// Starts anchoring: reads the existing anchor, or — for a store that has none yet (a new
    /// instance, or one created before anchors existed) — writes one at the current head. An
    /// anchor that does not authenticate or belongs to another database is left untouched as
    /// evidence and nothing is anchored (`audit verify` names it).
    pub(crate) async fn start(&self, store: &Store) -> Result<()> {
        let path = store.keys.dir().join(AUDIT_ANCHOR_FILE);
        let instance = instance_id(&store.pool).await?.ok_or_else(no_instance)?;
        let (anchored, hash) = match read_anchor(&path, &store.audit_key, Some(&instance)) {
            Ok(Some(a)) => (a.seq, a.hash),
            Ok(None) => match authentic_head(&store.pool, &store.audit_key).await? {
                Some((seq, hash)) => {
                    let key = store.audit_key.clone();
                    let (p, i, h) = (path.clone(), instance.clone(), hash.clone());
                    tokio::task::spawn_blocking(move || write_anchor(&p, &key, &i, seq, &h))
                        .await
                        .map_err(|e| anchor_problem(&path, e))??;
                    (seq, hash)
                }
                None => return Ok(()),
            },
            Err(e) => {
                tracing::error!(error = %e, "the audit anchor is not usable; not anchoring (run `grotius audit verify`)");
                return Ok(());
            }
        };
        *self.state.lock().await = Some(Anchoring {
            path,
            instance,
            anchored,
            hash,
        });
        Ok(())
    }

    /// Moves the anchor forward to the committed head. Called after every write commit; a
    /// failure to write the file is logged, not returned (the commit stands; the anchor lags).
    pub(crate) async fn advance(&self, pool: &AnyPool, key: &std::sync::Arc<Vec<u8>>) {
        // The head is read under the lock: one file write covers every commit made before it,
        // so commits waiting here meanwhile find themselves anchored (a group commit).
        let mut guard = self.state.lock().await;
        let Some(state) = guard.as_mut() else {
            return;
        };
        let head = match authentic_head(pool, key).await {
            Ok(Some(h)) => h,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the audit head to anchor it");
                return;
            }
        };
        if head.0 <= state.anchored {
            return;
        }
        // Only forwards along the same chain: if the anchored entry is gone or changed (the log
        // was wiped or replaced and written on), the anchor stays where it is, as evidence.
        if state.anchored > 0 {
            let held: Option<String> =
                match sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                    .bind(state.anchored)
                    .fetch_optional(pool)
                    .await
                {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read the anchored audit entry");
                        return;
                    }
                };
            if held.as_deref() != Some(state.hash.as_str()) {
                tracing::error!(
                    anchored = state.anchored,
                    "the audit log no longer holds the anchored entry; the anchor is kept (run `grotius audit verify`)"
                );
                return;
            }
        }
        let (path, instance, key) = (state.path.clone(), state.instance.clone(), key.clone());
        let (seq, hash) = head;
        let h = hash.clone();
        let written =
            tokio::task::spawn_blocking(move || write_anchor(&path, &key, &instance, seq, &h))
                .await;
        match written {
            Ok(Ok(())) => {
                state.anchored = seq;
                state.hash = hash;
            }
            Ok(Err(e)) => tracing::error!(error = %e, "cannot write the audit anchor"),
            Err(e) => tracing::error!(error = %e, "cannot write the audit anchor"),
        }
    }
}

impl Store {
    /// Walks the whole log in sequence order and checks every link, hash and the head, and holds
    /// the log against this node's anchor outside the database: a log that ends before the
    /// anchor (entries deleted from the end, an older backup's head replayed, everything wiped)
    /// or differs at the anchored entry is named. A missing anchor is a failure too, unless the
    /// log is empty and the database was never written. Writes nothing.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        let path = self.keys.dir().join(AUDIT_ANCHOR_FILE);
        let instance = instance_id(&self.pool).await?;
        let anchor = read_anchor(&path, &self.audit_key, instance.as_deref())?;
        let report = self.verify_audit_against(anchor.clone()).await?;
        if anchor.is_none() && report.entries > 0 {
            return Err(anchor_problem(
                &path,
                format!(
                    "missing, but the log holds {} entries: without it, entries deleted from the end cannot be ruled out (restore the file from the key backup; `grotius serve` writes a new one at the current head)",
                    report.entries
                ),
            ));
        }
        Ok(report)
    }

    /// Checks the chain and its head only, without the anchor — for a backup that is about to
    /// replace the database (it is older than the anchor by design), never for the live log.
    pub async fn verify_audit_chain(&self) -> Result<VerifyReport> {
        self.verify_audit_against(None).await
    }

    /// [`Store::verify_audit`] or [`Store::verify_audit_chain`], as `check` says.
    pub async fn verify_audit_with(&self, check: AnchorCheck) -> Result<VerifyReport> {
        match check {
            AnchorCheck::Required => self.verify_audit().await,
            AnchorCheck::BackupCandidate => self.verify_audit_chain().await,
        }
    }

    /// Re-anchors at the current head after a deliberate roll-back (`grotius restore`), once the
    /// chain has verified.
    pub async fn reset_audit_anchor(&self) -> Result<VerifyReport> {
        let report = self.verify_audit_chain().await?;
        let path = self.keys.dir().join(AUDIT_ANCHOR_FILE);
        let instance = instance_id(&self.pool).await?.ok_or_else(no_instance)?;
        let (seq, hash) = authentic_head(&self.pool, &self.audit_key)
            .await?
            .ok_or_else(|| StoreError::Integrity("audit head: missing or forged".into()))?;
        let key = self.audit_key.clone();
        let p = path.clone();
        tokio::task::spawn_blocking(move || write_anchor(&p, &key, &instance, seq, &hash))
            .await
            .map_err(|e| anchor_problem(&path, e))??;
        Ok(report)
    }

    async fn verify_audit_against(&self, anchor: Option<Anchor>) -> Result<VerifyReport> {
        let anchored = anchor.as_ref().map_or(0, |a| a.seq);
        let mut verifier = match anchor {
            Some(a) => Verifier::anchored(&self.audit_key, a),
            None => Verifier::new(&self.audit_key),
        };
        let broken = |b: ChainBreak| StoreError::Integrity(b.to_string());
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
                verifier.check(&e).map_err(broken)?;
                after = e.record.seq;
            }
        }
        // Truncation first: a wiped log has lost its head too.
        verifier.reaches_anchor().map_err(broken)?;
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
            .map_err(broken)?;
        Ok(VerifyReport { entries, anchored })
    }
}
