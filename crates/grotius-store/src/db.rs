use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use grotius_security::Keyring;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Transaction};

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
    /// The data directory (evidence files live under `evidence/`).
    pub(crate) data_dir: std::path::PathBuf,
    /// Evidence keys (loaded on first use), uploads in progress, the size limit.
    pub(crate) evidence: Arc<crate::evidence::EvidenceState>,
    /// This node's audit anchor outside the database, moved forward after every write commit.
    pub(crate) anchor: Arc<crate::audit::AnchorKeeper>,
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

impl Store {
    /// Opens the database named by `url` (`sqlite://…` or `postgres://…`), or, when `url` is
    /// `None`, the SQLite file in `data_dir`; applies pending migrations.
    pub async fn open(data_dir: &Path, url: Option<&str>, keys: Keyring) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = match url {
            None => (
                format!("sqlite://{}?mode=rwc", sqlite_path(data_dir).display()),
                Backend::Sqlite,
            ),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                (u.to_string(), Backend::Postgres)
            }
            Some(u) if u.starts_with("sqlite:") => (u.to_string(), Backend::Sqlite),
            Some(u) => {
                return Err(StoreError::Config(format!(
                    "unsupported database URL '{u}': use postgres://USER@HOST:PORT/DB, or leave --database out to use the SQLite file in the data directory"
                )));
            }
        };
        let opts: AnyConnectOptions = url.parse().map_err(StoreError::Database)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Durable commits, integrity, and waiting rather than failing on a busy file.
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(|e| {
                StoreError::Config(format!(
                    "cannot open the {} database: {e}; check the URL, that the server runs and that the data directory is writable",
                    backend.name()
                ))
            })?;
        if backend == Backend::Sqlite {
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
            data_dir: data_dir.to_path_buf(),
            evidence: Arc::default(),
            anchor: Arc::default(),
        };
        store.migrate().await?;
        store.init_rows().await?;
        store.anchor.start(&store).await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Creates the instance record and the empty audit head together, once: a database whose
    /// instance exists never gets a new, empty head (a deleted head stays missing and is named
    /// by `audit verify`, instead of turning a wiped log into an intact empty one).
    async fn init_rows(&self) -> Result<()> {
        let now = grotius_security::now_micros();
        let mut tx = self.pool.begin().await?;
        let created = sqlx::query("INSERT INTO instance (id, instance_id, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(crate::new_id())
            .bind(now)
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
        tx.commit().await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
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
    pub async fn close(&self) {
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
                    "SQLite integrity check: {r}"
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

/// A value bound to a dynamically built statement.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// Builds a `WHERE` clause with numbered parameters; each clause uses `?` for its one value.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    pub(crate) binds: Vec<Bind>,
}

impl Filter {
    pub(crate) fn push(&mut self, clause: &str, value: Bind) {
        self.binds.push(value);
        self.clauses
            .push(clause.replace('?', &format!("${}", self.binds.len())));
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

    pub(crate) fn push_text(&mut self, clause: &str, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.push(clause, Bind::Text(v.to_string()));
        }
    }

    pub(crate) fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

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
