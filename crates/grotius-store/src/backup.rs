//! Consistent backups of the SQLite database while the server runs (`VACUUM INTO` reads one
//! snapshot), and restore with checks before anything is replaced.

use std::path::{Path, PathBuf};

use sqlx::{AnyConnection, Connection, Row};

use crate::{AnchorCheck, Backend, Result, Store, StoreError};

/// Writes a consistent copy of the database to `out` (which must not exist).
pub async fn backup_sqlite(store: &Store, out: &Path) -> Result<u64> {
    if store.backend() != Backend::Sqlite {
        return Err(StoreError::Config(
            "`grotius backup` copies the SQLite database; for PostgreSQL use pg_dump (e.g. `pg_dump -Fc -f grotius.dump DBNAME`)".into(),
        ));
    }
    if out.exists() {
        return Err(StoreError::Config(format!(
            "{} already exists; choose a new file name",
            out.display()
        )));
    }
    let path = out
        .to_str()
        .ok_or_else(|| StoreError::Config("backup path is not valid UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(path.to_string())
        .execute(&store.pool)
        .await?;
    Ok(std::fs::metadata(out).map(|m| m.len()).unwrap_or(0))
}

/// What `restore` did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// Audit entries of the restored database, verified.
    pub entries: i64,
    /// Where the replaced database was kept (with every committed write), if there was one.
    pub kept: Option<PathBuf>,
}

/// Checks a backup file and then replaces the database of `data_dir` with it. The backup is
/// copied to a staging file first and checked there with everything that verifies an instance
/// — SQLite integrity, the audit chain, the fund ledger, the evidence vault, and that this
/// instance's keys open every encrypted value — so a backup this instance cannot read, or one
/// that was tampered with, is refused with nothing changed. The previous database is kept
/// beside it as `grotius.db.before-restore-<time>`, its journal checkpointed into it first, so
/// it holds every acknowledged write.
pub async fn restore_sqlite(
    data_dir: &Path,
    from: &Path,
    keys: grotius_security::Keyring,
) -> Result<RestoreReport> {
    if !from.is_file() {
        return Err(StoreError::Config(format!(
            "{} is not a file",
            from.display()
        )));
    }
    let staging = data_dir.join("grotius.db.restoring");
    let remove_staging = || {
        for p in journal_files(&staging) {
            let _ = std::fs::remove_file(p);
        }
        let _ = std::fs::remove_file(&staging);
    };
    remove_staging();
    std::fs::copy(from, &staging)
        .map_err(|e| StoreError::Config(format!("cannot copy {}: {e}", from.display())))?;
    let keys_after = keys.clone();
    let checked = check_candidate(data_dir, &staging, keys).await;
    let entries = match checked {
        Ok(n) => n,
        Err(e) => {
            remove_staging();
            let why = format!(
                "the backup {} cannot be restored (nothing was changed): {e}",
                from.display()
            );
            return Err(match e {
                StoreError::Integrity(_) => StoreError::Integrity(why),
                StoreError::Storage(_) => StoreError::Storage(why),
                StoreError::NotGrotius(_) => StoreError::NotGrotius(why),
                StoreError::KeyMismatch(_) => StoreError::KeyMismatch(why),
                _ => StoreError::Config(why),
            });
        }
    };
    let db = crate::db::sqlite_path(data_dir);
    let mut kept = None;
    if db.exists() {
        let keep = data_dir.join(format!(
            "grotius.db.before-restore-{}",
            grotius_security::now_secs()
        ));
        if let Err(e) = keep_aside(&db, &keep).await {
            remove_staging();
            return Err(e);
        }
        kept = Some(keep);
    }
    std::fs::rename(&staging, &db).map_err(|e| {
        StoreError::Config(format!("cannot move the restored database in place: {e}"))
    })?;
    // A deliberate roll-back: this node's audit anchor follows the restored head (else the
    // restored log would read as truncated).
    let store = Store::open_existing(data_dir, None, keys_after).await?;
    let reset = store.reset_audit_anchor().await;
    store.close().await;
    reset?;
    Ok(RestoreReport { entries, kept })
}

/// SQLite's journal files beside a database file.
fn journal_files(db: &Path) -> [PathBuf; 2] {
    [
        PathBuf::from(format!("{}-wal", db.display())),
        PathBuf::from(format!("{}-shm", db.display())),
    ]
}

/// Opens the staged copy of a backup (migrated, as the server would) and runs every
/// verification on it; returns the number of audit entries, or an `Integrity` error naming
/// every problem. The staged copy is left as one self-contained file (rollback journal).
async fn check_candidate(
    data_dir: &Path,
    staging: &Path,
    keys: grotius_security::Keyring,
) -> Result<i64> {
    let url = format!("sqlite://{}", staging.display());
    let store = Store::open_existing(data_dir, Some(&url), keys).await?;
    let verdict = async {
        store.integrity_check().await?;
        let mut problems = Vec::new();
        // The backup is older than this node's audit anchor by design: its chain is checked here.
        let entries = match store.verify_audit_with(AnchorCheck::BackupCandidate).await {
            Ok(r) => r.entries,
            Err(e) => {
                problems.push(format!("audit log: {e}"));
                0
            }
        };
        let fund = store.verify_fund_with(AnchorCheck::BackupCandidate).await?;
        problems.extend(fund.problems.iter().map(|p| format!("fund ledger: {p}")));
        match store
            .verify_evidence_with(AnchorCheck::BackupCandidate)
            .await
        {
            Ok(r) => problems.extend(r.problems.iter().map(|p| format!("evidence: {p}"))),
            Err(e) => problems.push(format!("evidence: {e}")),
        }
        let keys = store.verify_keys().await?;
        problems.extend(
            keys.problems
                .iter()
                .map(|p| format!("keys: this instance's keys cannot open {p}")),
        );
        if problems.is_empty() {
            Ok(entries)
        } else {
            Err(StoreError::Integrity(problems.join("; ")))
        }
    }
    .await;
    store.close().await;
    let entries = verdict?;
    let mut conn =
        AnyConnection::connect(&format!("sqlite://{}?mode=rw", staging.display())).await?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    if mode.to_lowercase() != "delete" {
        return Err(StoreError::Config(format!(
            "the staged backup {} could not be made self-contained (journal mode {mode})",
            staging.display()
        )));
    }
    Ok(entries)
}

/// Moves the live database aside as `keep` with every committed write: its write-ahead log is
/// checkpointed into it first. A database in use by another process is refused; one whose log
/// cannot be checkpointed (a damaged file) is moved with its log beside it (`keep` + `-wal`).
async fn keep_aside(db: &Path, keep: &Path) -> Result<()> {
    let checkpoint = async {
        let mut conn =
            AnyConnection::connect(&format!("sqlite://{}?mode=rw", db.display())).await?;
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut conn)
            .await?;
        let busy: i64 = row.try_get(0)?;
        conn.close().await?;
        Ok::<bool, sqlx::Error>(busy == 0)
    };
    match checkpoint.await {
        Ok(false) => {
            return Err(StoreError::Config(format!(
                "{} is in use by another process (a running server?): stop it first; nothing was changed",
                db.display()
            )));
        }
        Ok(true) => {}
        Err(e) => {
            tracing::warn!(error = %e, "cannot checkpoint the replaced database; keeping its log beside it")
        }
    }
    std::fs::rename(db, keep)
        .map_err(|e| StoreError::Config(format!("cannot move the old database aside: {e}")))?;
    let [wal, shm] = journal_files(db);
    let [keep_wal, _] = journal_files(keep);
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        std::fs::rename(&wal, &keep_wal).map_err(|e| {
            StoreError::Config(format!("cannot move the old database's log aside: {e}"))
        })?;
    } else {
        let _ = std::fs::remove_file(&wal);
    }
    let _ = std::fs::remove_file(&shm);
    Ok(())
}
