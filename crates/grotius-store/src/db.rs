use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use grotius_security::Keyring;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row, Transaction};

use crate::{Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

/// The database of one Grotius instance, with its keyring.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) keys: Arc<Keyring>,
    pub(crate) audit_key: Arc<Vec<u8>>,
    /// The actor network in memory, kept current from the change feed.
    pub(crate) network: Arc<tokio::sync::Mutex<crate::network::NetworkCache>>,
    /// The decoded roster in memory for matching, kept current from the change feed.
    pub(crate) roster: Arc<tokio::sync::Mutex<crate::roster::RosterCache>>,
    /// This node's full-text index (`DATA/index/`), kept current from the change feed.
    pub(crate) search: Arc<tokio::sync::Mutex<crate::search::SearchState>>,
    /// Where evidence files live: `DATA/evidence/` unless [`Store::with_blobs`] chose an
    /// object store.
    pub(crate) blobs: Arc<crate::blobs::BlobStore>,
    /// Evidence keys (loaded on first use), uploads in progress, the size limit.
    pub(crate) evidence: Arc<crate::evidence::EvidenceState>,
    /// This node's audit anchor outside the database, moved forward after every write commit.
    pub(crate) anchor: Arc<crate::audit::AnchorKeeper>,
    /// The group-commit writer of participants' votes (started on the first vote).
    pub(crate) intake: Arc<crate::vote_intake::Intake>,
    /// The automatic recomputation of dialogues (started by a serving node).
    pub(crate) recomputer: Arc<crate::dialogue_recompute::Recomputer>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

/// The SQLite file of a data directory.
pub fn sqlite_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("grotius.db")
}

/// How a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `grotius init`, the demo, benchmarks and tests: an empty database becomes an instance.
    Create,
    /// `serve` and every command that changes an instance: the database must already hold a
    /// Grotius instance; pending migrations are applied.
    Existing,
    /// Verifiers (`audit|fund|evidence verify`): SQLite read-only (`mode=ro`, or `immutable=1`
    /// when no journal file shows a writer), PostgreSQL sessions read-only; no migrations, no
    /// rows, files or keys created. The database must hold an instance at this binary's schema.
    ReadOnly,
}

/// Where a database lives, resolved from `--data` / `--database`.
enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

/// How long opening the first connection may take before the open fails with its cause.
const FIRST_CONNECTION: Duration = Duration::from_secs(10);

mod migrations;

/// The migrations of each backend, generated once from the one source in `migrations/`.
static SQLITE_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| migrations::migrator(Backend::Sqlite));
static POSTGRES_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| migrations::migrator(Backend::Postgres));

impl Backend {
    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// The migration that adds `instance.key_check`.
const KEY_CHECK_MIGRATION: i64 = 20;

/// What the first connection found in the database.
enum Contents {
    /// No tables: a new instance may be created.
    Empty,
    /// A Grotius database; `current` is whether every migration of this binary is applied,
    /// `key_check` whether its schema holds the key check value.
    Grotius { current: bool, key_check: bool },
}

impl Store {
    /// Opens (or, in an empty database, creates) an instance: [`OpenMode::Create`].
    pub async fn open(data_dir: &Path, url: Option<&str>, keys: Keyring) -> Result<Store> {
        Store::open_with(data_dir, url, keys, OpenMode::Create).await
    }

    /// Opens an existing instance for serving or changing it: [`OpenMode::Existing`].
    pub async fn open_existing(data_dir: &Path, url: Option<&str>, keys: Keyring) -> Result<Store> {
        Store::open_with(data_dir, url, keys, OpenMode::Existing).await
    }

    /// Opens an instance for verification without writing anything: [`OpenMode::ReadOnly`].
    pub async fn open_read_only(
        data_dir: &Path,
        url: Option<&str>,
        keys: Keyring,
    ) -> Result<Store> {
        Store::open_with(data_dir, url, keys, OpenMode::ReadOnly).await
    }

    /// Opens the database named by `url` (`sqlite://…` or `postgres://…`), or, when `url` is
    /// `None`, the SQLite file in `data_dir`. Before anything is written, one connection is
    /// opened with a short timeout (so a damaged file, a read-only directory or an unreachable
    /// server is named at once, not after the pool's timeout) and the database is checked to be
    /// empty or Grotius's own: another application's database is refused and left unchanged.
    pub async fn open_with(
        data_dir: &Path,
        url: Option<&str>,
        keys: Keyring,
        mode: OpenMode,
    ) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let location = match url {
            None => Location::Sqlite(sqlite_path(data_dir)),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Location::Postgres(u.to_string())
            }
            Some(u) if u.starts_with("sqlite:") => {
                let rest = u.trim_start_matches("sqlite:").trim_start_matches("//");
                let path = rest.split('?').next().unwrap_or_default();
                Location::Sqlite(PathBuf::from(path))
            }
            Some(u) => {
                return Err(StoreError::Config(format!(
                    "unsupported database URL '{u}': use postgres://USER@HOST:PORT/DB, or leave --database out to use the SQLite file in the data directory"
                )));
            }
        };
        let (url, backend) = match &location {
            Location::Postgres(u) => (u.clone(), Backend::Postgres),
            Location::Sqlite(path) => (sqlite_url(path, mode)?, Backend::Sqlite),
        };
        let described = match &location {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(_) => "the PostgreSQL database".to_string(),
        };
        let contents = first_connection(&url, backend, &described, mode).await?;
        match (mode, &contents) {
            (OpenMode::Existing | OpenMode::ReadOnly, Contents::Empty) => {
                return Err(StoreError::Config(format!(
                    "{described} holds no Grotius instance (it is empty); create one with `grotius init`"
                )));
            }
            (OpenMode::ReadOnly, Contents::Grotius { current: false, .. }) => {
                return Err(StoreError::Config(format!(
                    "{described} was written by an older Grotius: its schema lacks migrations of this version; start `grotius serve` once to upgrade it, then verify again"
                )));
            }
            _ => {}
        }
        let opts: AnyConnectOptions = url.parse().map_err(StoreError::Database)?;
        let read_only = mode == OpenMode::ReadOnly;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // Durable commits, integrity, and waiting rather than failing on a
                            // busy file.
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 30000").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            // A page cache of up to 64 MiB per connection (SQLite's default
                            // is 2 MiB): a bulk import's indexes stay in memory instead of
                            // being read back page by page through the kernel.
                            conn.execute("PRAGMA cache_size = -65536").await?;
                        }
                        Backend::Postgres if read_only => {
                            conn.execute("SET default_transaction_read_only = on")
                                .await?;
                        }
                        Backend::Postgres => {}
                    }
                    Ok(())
                })
            })
            // A transaction whose COMMIT or ROLLBACK failed (a full disk, an I/O error: SQLite
            // may roll back by itself, and then sqlx's ROLLBACK fails too) leaves sqlx counting
            // an open transaction on that connection, and every later `begin` on it fails. Such
            // a connection is closed instead of being handed out again.
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(opts)
            .await
            .map_err(|e| open_error(&described, e))?;
        if backend == Backend::Sqlite && !read_only {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
                .fetch_one(&pool)
                .await?;
            if mode.to_lowercase() != "wal" {
                return Err(StoreError::Config(format!(
                    "SQLite refused WAL mode (got {mode})"
                )));
            }
        }
        let audit_key = Arc::new(keys.audit_key()?);
        let store = Store {
            pool,
            backend,
            keys: Arc::new(keys),
            audit_key,
            network: Arc::default(),
            roster: Arc::default(),
            search: Arc::new(tokio::sync::Mutex::new(crate::search::SearchState::new(
                data_dir.join("index"),
            ))),
            blobs: Arc::new(crate::blobs::BlobStore::Local(data_dir.join("evidence"))),
            evidence: Arc::default(),
            anchor: Arc::default(),
            intake: Arc::default(),
            recomputer: Arc::default(),
        };
        // A keyring of another instance is refused before anything is written.
        if let Contents::Grotius {
            key_check: true, ..
        } = contents
        {
            store.check_key().await?;
        }
        if !read_only {
            store.migrate().await?;
            store.init_rows().await?;
            store.check_key().await?;
            store.anchor.start(&store).await?;
        }
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// The key check value of this instance under `key`: a MAC of the instance id, stored at
    /// creation, so that a keyring from another instance is named as such instead of showing
    /// up as an edited first audit entry. (The head-MAC function with a sequence number no
    /// entry has keeps the construction in one place.)
    fn key_check_value(&self, instance_id: &str) -> String {
        grotius_domain::audit::head_mac(&self.audit_key, -1, &format!("key check {instance_id}"))
    }

    /// Refuses a keyring whose audit key is not the one this instance was created with.
    async fn check_key(&self) -> Result<()> {
        let row = sqlx::query("SELECT instance_id, key_check FROM instance WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(()) };
        let instance_id: String = row.try_get("instance_id")?;
        let stored: Option<String> = row.try_get("key_check")?;
        match stored {
            Some(v) if v != self.key_check_value(&instance_id) => {
                Err(StoreError::KeyMismatch(format!(
                    "the key file {} does not match this instance: its audit key is not the one this database was created with; use this instance's key directory (--keys) or restore the key file from your key backup",
                    self.keys
                        .dir()
                        .join(grotius_security::KEYRING_FILE)
                        .display()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Creates the instance record (with its key check value) and the empty audit head
    /// together, once: a database whose instance exists never gets a new, empty head (a deleted
    /// head stays missing and is named by `audit verify`, instead of turning a wiped log into an
    /// intact empty one).
    async fn init_rows(&self) -> Result<()> {
        let now = grotius_security::now_micros();
        let instance_id = crate::new_id();
        let mut tx = self.pool.begin().await?;
        let created = sqlx::query("INSERT INTO instance (id, instance_id, created_at, key_check) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(&instance_id)
            .bind(now)
            .bind(self.key_check_value(&instance_id))
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if created {
            let genesis = grotius_domain::audit::GENESIS;
            let mac = grotius_domain::audit::head_mac(&self.audit_key, 0, genesis);
            sqlx::query("INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, $1, $2) ON CONFLICT (id) DO NOTHING")
                .bind(genesis)
                .bind(mac)
                .execute(&mut *tx)
                .await?;
        }
        // Instances created before the key check get theirs from the key they are opened with.
        let row =
            sqlx::query("SELECT instance_id FROM instance WHERE id = 1 AND key_check IS NULL")
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = row {
            let id: String = row.try_get("instance_id")?;
            sqlx::query("UPDATE instance SET key_check = $1 WHERE id = 1")
                .bind(self.key_check_value(&id))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The durability settings of every pooled SQLite connection, as (journal mode,
    /// synchronous level: 2 = FULL): all connections the pool may hold are taken at once, so a
    /// connection opened without the settings cannot hide. Empty on PostgreSQL.
    pub async fn sqlite_durability(&self) -> Result<Vec<(String, i64)>> {
        if self.backend != Backend::Sqlite {
            return Ok(Vec::new());
        }
        let mut held = Vec::new();
        let mut out = Vec::new();
        for _ in 0..self.pool.options().get_max_connections() {
            let mut conn = self.pool.acquire().await?;
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await?;
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await?;
            out.push((journal, synchronous));
            held.push(conn);
        }
        Ok(out)
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// Answers when the database answers.
    pub async fn health(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool (flushes SQLite's WAL on the last connection).
    /// The same store for a background task to hold: without the handle of the vote writer,
    /// and (`keep_recomputer` false) without the recomputation's — so that no task keeps its
    /// own channel open, and dropping the last `Store` ends them. The vote writer keeps the
    /// recomputation's handle (it schedules recomputations); the recomputation holds neither.
    pub(crate) fn detached(&self, keep_recomputer: bool) -> Store {
        Store {
            intake: Arc::default(),
            recomputer: if keep_recomputer {
                self.recomputer.clone()
            } else {
                Arc::default()
            },
            ..self.clone()
        }
    }

    pub async fn close(&self) {
        // The background tasks stop first, so none of them meets a closed pool.
        self.recomputer.stop();
        self.intake.stop();
        self.pool.close().await;
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// that read-then-write sequences (audit chain, ceilings) never race; on PostgreSQL the audit
    /// head row is locked by the first audit append.
    /// Its `commit` moves this node's audit anchor forward to the committed head.
    pub(crate) async fn write_tx(&self) -> Result<WriteTx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            pool: self.pool.clone(),
            audit_key: self.audit_key.clone(),
            anchor: self.anchor.clone(),
        })
    }

    /// Runs SQLite's own consistency check (`PRAGMA integrity_check`, foreign keys); a no-op
    /// answer of "ok" on PostgreSQL, whose storage checks itself.
    pub async fn integrity_check(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let r: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&self.pool)
                .await?;
            if r != "ok" {
                return Err(StoreError::Integrity(format!(
                    "malformed: SQLite's integrity check failed: {r}"
                )));
            }
            let fk = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(&self.pool)
                .await?;
            if !fk.is_empty() {
                return Err(StoreError::Integrity(format!(
                    "{} rows violate foreign keys",
                    fk.len()
                )));
            }
        }
        Ok(())
    }
}

/// The connection URL of a SQLite file for `mode`, after checking what can be checked on the
/// file system: the file exists (unless creating) and, when writing, the directory is writable.
fn sqlite_url(path: &Path, mode: OpenMode) -> Result<String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    if mode != OpenMode::Create && !path.is_file() {
        return Err(StoreError::Config(format!(
            "no database at {}; create an instance with `grotius init`",
            path.display()
        )));
    }
    if mode == OpenMode::ReadOnly {
        // Without a journal file no process has the database open for writing, and the file
        // alone is the whole database: read it as immutable, so that not even SQLite's shared
        // memory and journal files are created beside it.
        let journal = PathBuf::from(format!("{}-wal", path.display()));
        let flag = if journal.exists() {
            "mode=ro"
        } else {
            "mode=ro&immutable=1"
        };
        return Ok(format!("sqlite://{}?{flag}", path.display()));
    }
    check_writable(dir, path)?;
    let flag = match mode {
        OpenMode::Create => "rwc",
        _ => "rw",
    };
    Ok(format!("sqlite://{}?mode={flag}", path.display()))
}

/// Fails at once, naming the cause, when SQLite could not write its database or journal.
fn check_writable(dir: &Path, path: &Path) -> Result<()> {
    let read_only = |what: &Path, e: std::io::Error| {
        StoreError::Storage(format!(
            "read-only: {} cannot be written ({e}); Grotius writes the database and its journal there",
            what.display()
        ))
    };
    let probe = dir.join(format!(".grotius-write-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
        .map_err(|e| read_only(dir, e))?;
    let _ = std::fs::remove_file(&probe);
    if path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| read_only(path, e))?;
    }
    Ok(())
}

/// Opens one connection with a short timeout and looks at what the database holds, before the
/// pool (whose failures surface only as a timeout) and before anything is written.
async fn first_connection(
    url: &str,
    backend: Backend,
    described: &str,
    mode: OpenMode,
) -> Result<Contents> {
    // For a SQLite file, the look is taken read-only (immutable when no journal shows a
    // writer), so that a foreign file is refused without a byte of it or beside it changing.
    let probe_url = match backend {
        Backend::Sqlite if mode != OpenMode::ReadOnly => {
            let path = url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or_default();
            if !Path::new(path).exists() {
                return Ok(Contents::Empty);
            }
            sqlite_url(Path::new(path), OpenMode::ReadOnly)?
        }
        _ => url.to_string(),
    };
    let look = async {
        let mut conn = AnyConnection::connect(&probe_url).await?;
        let tables = list_tables(&mut conn, backend).await;
        let tables = match tables {
            Ok(t) => t,
            Err(e) => {
                let _ = conn.close().await;
                return Err(e);
            }
        };
        let applied = if tables.iter().any(|t| t == "_sqlx_migrations") {
            sqlx::query("SELECT version, description FROM _sqlx_migrations WHERE success")
                .fetch_all(&mut conn)
                .await
                .and_then(|rows| {
                    rows.iter()
                        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
                        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
                })
        } else {
            Ok(Vec::new())
        };
        let _ = conn.close().await;
        Ok::<_, sqlx::Error>((tables, applied?))
    };
    let (tables, applied) = match tokio::time::timeout(FIRST_CONNECTION, look).await {
        Ok(r) => r.map_err(|e| open_error(described, e))?,
        Err(_) => {
            return Err(StoreError::Config(format!(
                "cannot open {described}: no answer within {} s (is the file locked by another program, or the server unreachable?)",
                FIRST_CONNECTION.as_secs()
            )));
        }
    };
    classify_contents(backend, described, &tables, &applied)
}

/// The names of the tables of the database (its current schema on PostgreSQL).
async fn list_tables(conn: &mut AnyConnection, backend: Backend) -> sqlx::Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
}

/// Decides whether the tables and migration record of a database are Grotius's own.
fn classify_contents(
    backend: Backend,
    described: &str,
    tables: &[String],
    applied: &[(i64, String)],
) -> Result<Contents> {
    if tables.is_empty() {
        return Ok(Contents::Empty);
    }
    let not_grotius = |why: String| {
        StoreError::NotGrotius(format!(
            "{described} is not a Grotius database: {why}; refusing to open it (nothing was changed)"
        ))
    };
    let list = |names: Vec<&String>| {
        let n = names.len();
        let mut shown: Vec<String> = names.into_iter().take(8).cloned().collect();
        if n > 8 {
            shown.push(format!("… {} more", n - 8));
        }
        shown.join(", ")
    };
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(not_grotius(format!(
            "it holds tables ({}) but no Grotius migration record",
            list(tables.iter().collect())
        )));
    }
    let ours = backend.migrator();
    let foreign_migrations: Vec<String> = applied
        .iter()
        .filter(|(v, d)| !ours.iter().any(|m| m.version == *v && m.description == *d))
        .map(|(v, d)| format!("{v} {d}"))
        .collect();
    if !foreign_migrations.is_empty() {
        return Err(not_grotius(format!(
            "its migration record lists migrations Grotius does not have ({})",
            list(foreign_migrations.iter().collect())
        )));
    }
    let known = grotius_tables(ours);
    let foreign: Vec<&String> = tables
        .iter()
        .filter(|t| *t != "_sqlx_migrations" && !known.contains(&t.to_lowercase()))
        .collect();
    if !foreign.is_empty() {
        return Err(not_grotius(format!(
            "it holds tables Grotius does not create ({})",
            list(foreign)
        )));
    }
    let current = ours
        .iter()
        .all(|m| applied.iter().any(|(v, _)| *v == m.version));
    let key_check = applied.iter().any(|(v, _)| *v == KEY_CHECK_MIGRATION);
    Ok(Contents::Grotius { current, key_check })
}

/// The tables Grotius's migrations create (names after `CREATE TABLE [IF NOT EXISTS]`).
fn grotius_tables(migrator: &Migrator) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for m in migrator.iter() {
        let sql = m.sql.as_str().to_lowercase();
        for part in sql.split("create table").skip(1) {
            let rest = part.trim_start();
            let rest = rest
                .strip_prefix("if not exists")
                .map(str::trim_start)
                .unwrap_or(rest);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '"')
                .filter(|c| *c != '"')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The error of a failed open, naming the cause.
fn open_error(described: &str, e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Storage(cause) => StoreError::Storage(format!("{described}: {cause}")),
        StoreError::Database(e) => StoreError::Config(format!(
            "cannot open {described}: {e}; check the URL, that the server runs and that the data directory is writable"
        )),
        other => other,
    }
}

/// A write transaction (see [`Store::write_tx`]). It dereferences to the connection, so
/// statements run on `&mut *tx`; dropping it without `commit` rolls back.
pub(crate) struct WriteTx {
    tx: Transaction<'static, sqlx::Any>,
    pool: AnyPool,
    audit_key: Arc<Vec<u8>>,
    anchor: Arc<crate::audit::AnchorKeeper>,
}

impl WriteTx {
    /// Commits, then anchors the audit head outside the database (after the commit, so the
    /// anchor never runs ahead of the log; a crash in between leaves it one commit behind).
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        self.anchor.advance(&self.pool, &self.audit_key).await;
        Ok(())
    }

    /// Rolls back (as dropping does, but waiting for the server's answer).
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// A JSON list column (`["SD","SS"]`) as strings; a malformed value reads as empty.
pub(crate) fn json_list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A value as a JSON column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// The `LIKE` pattern of one element of a JSON list column (`["NL","BE"]`).
pub(crate) fn json_element(value: &str) -> String {
    format!("%\"{value}\"%")
}

/// A value bound to a dynamically built statement.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// The one SQL builder of the store: a `WHERE` clause with numbered parameters (`$n`, which
/// both backends accept). Two styles of use, freely mixed:
/// - `push("column = ?", value)` / `push_many(…)`: each `?` of the clause is bound in order;
/// - `arg(value)` returns the placeholder of a bound value for a clause built by hand and
///   added with `clause(…)` (a placeholder may appear in it more than once).
#[derive(Debug, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

impl Where {
    /// Binds a value and returns its placeholder (`$n`).
    pub(crate) fn arg(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// Adds a clause written with placeholders from [`Where::arg`].
    pub(crate) fn clause(&mut self, c: String) {
        self.clauses.push(c);
    }

    /// Adds a clause with one `?` (it may stand more than once), bound to `value`.
    pub(crate) fn push(&mut self, clause: &str, value: Bind) {
        let p = self.arg(value);
        self.clauses.push(clause.replace('?', &p));
    }

    /// A clause with several `?`, bound in order to `values`.
    pub(crate) fn push_many(&mut self, clause: &str, values: Vec<Bind>) {
        let mut out = String::new();
        let mut values = values.into_iter();
        for (i, part) in clause.split('?').enumerate() {
            if i > 0 {
                if let Some(v) = values.next() {
                    self.binds.push(v);
                }
                out.push_str(&format!("${}", self.binds.len()));
            }
            out.push_str(part);
        }
        self.clauses.push(out);
    }

    /// [`Where::push`] for an optional text filter; empty and blank values add nothing.
    pub(crate) fn push_text(&mut self, clause: &str, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.push(clause, Bind::Text(v.to_string()));
        }
    }

    /// A country filter: a given `value` must be an ISO 3166-1 code (an invalid `country`
    /// otherwise); the `?` of `clause` is bound to `bind` of its alpha-2 code.
    pub(crate) fn push_country(
        &mut self,
        clause: &str,
        value: Option<&str>,
        bind: fn(&str) -> String,
    ) -> crate::Result<()> {
        if let Some(c) = value.map(str::trim).filter(|c| !c.is_empty()) {
            let country = grotius_domain::reference::country(c).ok_or_else(|| {
                StoreError::invalid(
                    "country",
                    format!("'{c}' is not an ISO 3166-1 country code"),
                )
            })?;
            self.push(clause, Bind::Text(bind(&country.alpha2)));
        }
        Ok(())
    }

    /// The subject's visibility on the table (or alias) `t` — classification up to the
    /// clearance, and no compartment or one the subject belongs to. An empty `t` leaves the
    /// columns unqualified.
    pub(crate) fn visibility(&mut self, access: &crate::Access, t: &str) {
        let clause = self.visible_expr(access, t);
        self.clause(clause);
    }

    /// The expression of [`Where::visibility`] (its values bound here), for a clause built by
    /// hand — the visibility of the rows of a subquery.
    pub(crate) fn visible_expr(&mut self, access: &crate::Access, t: &str) -> String {
        let labels = LabelColumns::of(t);
        self.labels_visible(access, &labels.classification, &labels.compartment)
    }

    /// The inherited-label rule in SQL: the records of the table (or alias) `t`, which belong
    /// to a process through their `process_id`, are visible when their own labels are and when
    /// their *effective* labels — their own under their process's, as
    /// [`grotius_domain::Labels::under`] computes them: the stricter classification, and the
    /// process's compartment when it has one — are. Every child kind of a process (engagements,
    /// analyses, debriefs, participation, and whatever comes) is filtered by this one function;
    /// the search loader reads the same effective labels (`search.rs`), and storage re-applies
    /// the rule to the stored labels when a process's labels change
    /// (`Access::relabel_children`).
    pub(crate) fn visible_under_process(&mut self, access: &crate::Access, t: &str) {
        self.visibility(access, t);
        let own = LabelColumns::of(t);
        let classification = format!(
            "CASE WHEN p.classification > {c} THEN p.classification ELSE {c} END",
            c = own.classification
        );
        let compartment = format!("COALESCE(p.compartment_id, {})", own.compartment);
        let effective = self.labels_visible(access, &classification, &compartment);
        let process_id = if t.is_empty() {
            "process_id".to_string()
        } else {
            format!("{t}.process_id")
        };
        self.clause(format!(
            "EXISTS (SELECT 1 FROM processes p WHERE p.id = {process_id} AND {effective})"
        ));
    }

    /// Whether labels held in these SQL expressions are visible to the subject.
    fn labels_visible(
        &mut self,
        access: &crate::Access,
        classification: &str,
        compartment: &str,
    ) -> String {
        let level = self.arg(Bind::Int(access.subject.clearance.level()));
        let user = self.arg(Bind::Text(access.subject.user_id.clone()));
        format!(
            "{classification} <= {level} AND ({compartment} IS NULL OR {compartment} IN (SELECT compartment_id FROM memberships WHERE user_id = {user}))"
        )
    }

    /// `column LIKE '%"value"%'` for any of `values` (a JSON list column holds one of them).
    pub(crate) fn json_contains_any(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let parts: Vec<String> = values
            .iter()
            .map(|v| {
                let p = self.arg(Bind::Text(format!(
                    "%\"{}\"%",
                    v.replace(['%', '_', '"', '\\'], "")
                )));
                format!("{column} LIKE {p}")
            })
            .collect();
        self.clause(format!("({})", parts.join(" OR ")));
    }

    /// ` WHERE …` (with a leading space), or nothing without clauses.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// A statement with this clause's values bound.
    pub(crate) fn query(
        &self,
        sql: String,
    ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for b in &self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.clone()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// The label columns of a table or alias.
struct LabelColumns {
    classification: String,
    compartment: String,
}

impl LabelColumns {
    fn of(t: &str) -> LabelColumns {
        let q = if t.is_empty() {
            String::new()
        } else {
            format!("{t}.")
        };
        LabelColumns {
            classification: format!("{q}classification"),
            compartment: format!("{q}compartment_id"),
        }
    }
}

/// The placeholders of `rows` rows of `width` values each: `(?, ?), (?, ?)` for SQLite,
/// `($1, $2), ($3, $4)` for PostgreSQL. Bulk statements must not use `$N` on SQLite:
/// `sqlite3_bind_parameter_name`, which sqlx calls for every parameter, walks the list of named
/// parameters, so binding N named parameters costs N² (at 7,600 parameters a statement it was
/// 78% of a GED import's time); anonymous `?` parameters are not in that list.
pub(crate) fn values_list(backend: Backend, rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for i in 0..rows {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for j in 0..width {
            if j > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&(i * width + j + 1).to_string());
                }
            }
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Bind, Where};

    #[test]
    fn both_styles_number_their_values_in_order() {
        let mut w = Where::default();
        assert_eq!(w.sql(), "");
        w.push("a = ?", Bind::Int(1));
        let p = w.arg(Bind::Text("x".into()));
        w.clause(format!("(b LIKE {p} OR c LIKE {p})"));
        w.push_many("d BETWEEN ? AND ?", vec![Bind::Int(2), Bind::Int(3)]);
        w.push_text("e = ?", Some("  "));
        w.push_text("f = ?", Some(" y "));
        assert_eq!(
            w.sql(),
            " WHERE a = $1 AND (b LIKE $2 OR c LIKE $2) AND d BETWEEN $3 AND $4 AND f = $5"
        );
        assert!(matches!(&w.binds[4], Bind::Text(s) if s == "y"));
    }

    #[test]
    fn json_contains_any_strips_pattern_characters() {
        let mut w = Where::default();
        w.json_contains_any("t.langs", &["e\"n%".into(), "fr".into()]);
        w.json_contains_any("t.none", &[]);
        assert_eq!(w.sql(), " WHERE (t.langs LIKE $1 OR t.langs LIKE $2)");
        assert!(matches!(&w.binds[0], Bind::Text(s) if s == "%\"en\"%"));
    }
}
