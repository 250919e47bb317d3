//! Consistent backups of the SQLite database while the server runs (`VACUUM INTO` reads one
//! snapshot), and restore with checks before anything is replaced.

use std::path::Path;

use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

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

/// Checks a backup file (SQLite integrity, the audit chain under this instance's keys) and then
/// atomically replaces the database of `data_dir` with it. The previous database is kept beside
/// it as `grotius.db.before-restore-<time>`.
pub async fn restore_sqlite(
    data_dir: &Path,
    from: &Path,
    keys: grotius_security::Keyring,
) -> Result<i64> {
    if !from.is_file() {
        return Err(StoreError::Config(format!(
            "{} is not a file",
            from.display()
        )));
    }
    let staging = data_dir.join("grotius.db.restoring");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(from, &staging)
        .map_err(|e| StoreError::Config(format!("cannot copy {}: {e}", from.display())))?;
    let url = format!("sqlite://{}?mode=rw", staging.display());
    let keys_after = keys.clone();
    let checked = async {
        let store = Store::open(data_dir, Some(&url), keys).await?;
        store.integrity_check().await?;
        // The backup is older than this node's audit anchor by design: its chain is checked
        // here, and the anchor is reset to its head once it is in place (below).
        let report = store.verify_audit_chain().await.map_err(|e| {
            StoreError::Integrity(format!(
                "the backup's audit chain does not verify with this instance's keys: {e}"
            ))
        })?;
        let users: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&store.pool)
            .await?
            .try_get("n")?;
        store.close().await;
        let _ = users;
        Ok::<i64, StoreError>(report.entries)
    }
    .await;
    let entries = match checked {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&staging);
            let _ = std::fs::remove_file(staging.with_extension("restoring-wal"));
            let _ = std::fs::remove_file(staging.with_extension("restoring-shm"));
            return Err(e);
        }
    };
    let db = crate::db::sqlite_path(data_dir);
    if db.exists() {
        let keep = data_dir.join(format!(
            "grotius.db.before-restore-{}",
            grotius_security::now_secs()
        ));
        std::fs::rename(&db, &keep)
            .map_err(|e| StoreError::Config(format!("cannot move the old database aside: {e}")))?;
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(data_dir.join(format!("grotius.{ext}")));
        }
    }
    std::fs::rename(&staging, &db).map_err(|e| {
        StoreError::Config(format!("cannot move the restored database in place: {e}"))
    })?;
    // A deliberate roll-back: the audit anchor follows the restored head (else the restored log
    // would read as truncated).
    let store = Store::open(data_dir, None, keys_after).await?;
    let reset = store.reset_audit_anchor().await;
    store.close().await;
    reset?;
    Ok(entries)
}
