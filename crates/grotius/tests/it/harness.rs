//! Test instances on either backend, a running server on a free port, and HTTP helpers.

use std::path::{Path, PathBuf};

use grotius_security::Keyring;
use grotius_store::Store;
use object_store::ObjectStoreExt;
use serde_json::Value;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor};

pub const PASSWORD: &str = "test-password-for-everyone";

pub fn pg_base_url() -> Option<String> {
    std::env::var("GROTIUS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

pub fn is_postgres() -> bool {
    pg_base_url().is_some()
}

/// The S3 bucket that test instances keep evidence files in (`GROTIUS_TEST_BLOBS`,
/// `s3://BUCKET`, with the `AWS_*` variables of its endpoint and key), or `None` for files in
/// the data directory. Each instance takes a prefix of its own in the bucket.
pub fn test_blobs() -> Option<String> {
    std::env::var("GROTIUS_TEST_BLOBS")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A fresh database on the PostgreSQL server of `GROTIUS_TEST_DATABASE_URL`.
async fn fresh_pg_database(base: &str) -> String {
    assert!(
        base.starts_with("postgres://") || base.starts_with("postgresql://"),
        "GROTIUS_TEST_DATABASE_URL must be a postgres:// URL, got {base}"
    );
    let name = format!("grotius_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach the PostgreSQL test server at {base}: {e}; start one with .ci/postgres.sh"
        )
    });
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create test database");
    let (prefix, _) = base.rsplit_once('/').expect("URL has a database name");
    format!("{prefix}/{name}")
}

/// A fresh database URL on the PostgreSQL test server, or `None` for SQLite.
pub async fn fresh_database() -> Option<String> {
    sqlx::any::install_default_drivers();
    match pg_base_url() {
        Some(base) => Some(fresh_pg_database(&base).await),
        None => None,
    }
}

/// A new, empty instance: data directory with keys, database migrated.
pub struct Instance {
    pub dir: tempfile::TempDir,
    pub database: Option<String>,
    /// `s3://BUCKET/PREFIX` when evidence files are in the object store.
    pub blobs: Option<String>,
    pub store: Store,
}

impl Instance {
    pub async fn new() -> Instance {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("tempdir");
        grotius_security::create_instance_keys(dir.path()).expect("instance keys");
        let database = fresh_database().await;
        let store = Store::open(
            dir.path(),
            database.as_deref(),
            Keyring::load(dir.path()).unwrap(),
        )
        .await
        .expect("open store");
        let blobs = test_blobs().map(|b| {
            format!(
                "{}/t-{}",
                b.trim_end_matches('/'),
                uuid::Uuid::new_v4().simple()
            )
        });
        let store = match &blobs {
            Some(url) => {
                store.with_blobs(grotius_store::BlobStore::from_url(url).expect("blob store"))
            }
            None => store,
        };
        Instance {
            dir,
            database,
            blobs,
            store,
        }
    }

    /// An instance with the demo accounts, compartments and processes (password [`PASSWORD`]).
    pub async fn seeded() -> Instance {
        let i = Instance::new().await;
        grotius::demo::seed_core(&i.store, PASSWORD)
            .await
            .expect("seed");
        i
    }

    /// The whole demo, network included.
    pub async fn demo() -> Instance {
        let i = Instance::new().await;
        grotius::demo::seed(&i.store, PASSWORD).await.expect("seed");
        i
    }

    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    /// A second, raw connection pool to the same database, for tampering and inspection.
    pub async fn raw(&self) -> AnyPool {
        let url = match &self.database {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}",
                grotius_store::sqlite_path(self.data()).display()
            ),
        };
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .expect("raw pool")
    }

    /// `--database URL` (on PostgreSQL) and `--blobs URL` (on an object store) arguments for
    /// the CLI.
    pub fn database_args(&self) -> Vec<String> {
        self.database
            .iter()
            .flat_map(|u| ["--database".to_string(), u.clone()])
            .chain(
                self.blobs
                    .iter()
                    .flat_map(|u| ["--blobs".to_string(), u.clone()]),
            )
            .collect()
    }

    /// The stored (encrypted) bytes of the evidence file with this SHA-256, wherever the
    /// instance keeps it.
    pub async fn stored_blob(&self, sha: &str) -> Vec<u8> {
        match self.blob_objects() {
            None => std::fs::read(self.local_blob(sha)).unwrap(),
            Some((store, prefix)) => {
                let mut out = Vec::new();
                for p in object_names(
                    &store,
                    &format!("{prefix}/evidence/blobs/{}/{}", &sha[..2], &sha[2..]),
                )
                .await
                {
                    let b = store.get(&p).await.unwrap().bytes().await.unwrap();
                    out.extend_from_slice(&b);
                }
                out
            }
        }
    }

    /// The stored size of an evidence file (all its parts).
    pub async fn stored_size(&self, sha: &str) -> u64 {
        match self.blob_objects() {
            None => std::fs::metadata(self.local_blob(sha)).unwrap().len(),
            Some((store, prefix)) => {
                use futures_util::TryStreamExt;
                use object_store::ObjectStore;
                let dir = object_store::path::Path::from(format!(
                    "{prefix}/evidence/blobs/{}/{}",
                    &sha[..2],
                    &sha[2..]
                ));
                store
                    .list(Some(&dir))
                    .try_fold(0, |n, m| async move { Ok(n + m.size) })
                    .await
                    .unwrap()
            }
        }
    }

    /// Replaces the stored bytes of an evidence file (tampering).
    pub async fn replace_stored_blob(&self, sha: &str, bytes: Vec<u8>) {
        match self.blob_objects() {
            None => std::fs::write(self.local_blob(sha), bytes).unwrap(),
            Some((store, prefix)) => {
                let dir = format!("{prefix}/evidence/blobs/{}/{}", &sha[..2], &sha[2..]);
                for p in object_names(&store, &dir).await {
                    store.delete(&p).await.unwrap();
                }
                let first = object_store::path::Path::from(format!("{dir}/000000000000"));
                store.put(&first, bytes.into()).await.unwrap();
            }
        }
    }

    /// Removes the stored evidence file (tampering).
    pub async fn remove_stored_blob(&self, sha: &str) {
        match self.blob_objects() {
            None => std::fs::remove_file(self.local_blob(sha)).unwrap(),
            Some((store, prefix)) => {
                let dir = format!("{prefix}/evidence/blobs/{}/{}", &sha[..2], &sha[2..]);
                let names = object_names(&store, &dir).await;
                assert!(!names.is_empty(), "no objects under {dir}");
                for p in names {
                    store.delete(&p).await.unwrap();
                }
            }
        }
    }

    /// How many stored files there are (blobs) and how many upload leftovers (part files or part
    /// objects of uploads in progress).
    pub async fn stored_counts(&self) -> (usize, usize) {
        match self.blob_objects() {
            None => {
                let count = |dir: PathBuf| -> usize {
                    let Ok(rd) = std::fs::read_dir(&dir) else {
                        return 0;
                    };
                    rd.map(|e| {
                        let e = e.unwrap();
                        if e.file_type().unwrap().is_dir() {
                            std::fs::read_dir(e.path()).unwrap().count()
                        } else {
                            1
                        }
                    })
                    .sum()
                };
                (
                    count(self.data().join("evidence/blobs")),
                    count(self.data().join("evidence/uploads")),
                )
            }
            Some((store, prefix)) => {
                let blobs: std::collections::BTreeSet<String> =
                    object_names(&store, &format!("{prefix}/evidence/blobs"))
                        .await
                        .iter()
                        .filter_map(|p| {
                            let parts: Vec<_> = p.parts().map(|x| x.as_ref().to_string()).collect();
                            parts.len().checked_sub(1).map(|n| parts[..n].join("/"))
                        })
                        .collect();
                let uploads = object_names(&store, &format!("{prefix}/evidence/uploads")).await;
                (blobs.len(), uploads.len())
            }
        }
    }

    fn local_blob(&self, sha: &str) -> PathBuf {
        self.data()
            .join("evidence/blobs")
            .join(&sha[..2])
            .join(&sha[2..])
    }

    /// The object store and this instance's prefix in it, when evidence files are kept there.
    fn blob_objects(&self) -> Option<(object_store::aws::AmazonS3, String)> {
        let url = self.blobs.as_deref()?;
        let rest = url.strip_prefix("s3://").expect("s3:// URL");
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .expect("S3 client from the AWS_* environment");
        Some((store, prefix.to_string()))
    }

    pub async fn access(&self, username: &str) -> grotius_store::Access {
        let id = self
            .store
            .cli_operator()
            .find_user_id(username)
            .await
            .expect("user exists");
        self.store
            .cli_act_as(&id)
            .await
            .unwrap()
            .expect("active user")
    }
}

/// The application served on a free local port.
pub struct App {
    pub instance: Instance,
    pub base: String,
    pub client: reqwest::Client,
}

impl App {
    pub async fn spawn() -> App {
        // Tests log in many times from one address; the limiter itself is tested in http.rs.
        let config = grotius_web::WebConfig {
            login_attempts_per_minute: 100_000,
            ..Default::default()
        };
        App::spawn_with(Instance::seeded().await, config).await
    }

    pub async fn spawn_with(instance: Instance, config: grotius_web::WebConfig) -> App {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = grotius_web::AppState::new(instance.store.clone(), config);
        tokio::spawn(grotius_web::serve(listener, state, std::future::pending()));
        App {
            instance,
            base,
            client: client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The OpenAPI document the server publishes.
    pub async fn openapi(&self) -> serde_json::Value {
        self.client
            .get(self.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A bearer token for a demo account.
    pub async fn token(&self, username: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "token for {username}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// POSTs `body` to `path`, asserts 201 Created and returns the new record's id.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> String {
        let (status, created) = self
            .api(reqwest::Method::POST, path, token, Some(body))
            .await;
        assert_eq!(status, 201, "{created}");
        created["id"].as_str().unwrap().to_string()
    }

    /// The id of the first process whose title starts with `prefix`, in the list `token`'s
    /// holder sees.
    pub async fn process_id(&self, token: &str, prefix: &str) -> String {
        let (_, list) = self
            .api(
                reqwest::Method::GET,
                "/api/v1/processes?limit=500",
                token,
                None,
            )
            .await;
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["title"].as_str().unwrap().starts_with(prefix))
            .unwrap_or_else(|| panic!("no process titled {prefix}…"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A request that must be refused as invalid (422) with a message naming `field`.
    pub async fn assert_invalid(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        field: &str,
    ) {
        let (s, e) = self.api(method, path, token, body).await;
        assert_eq!(s, 422, "{field}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{field}: {e}"
        );
    }

    /// A GET with a bearer token: status and body bytes (for downloads).
    pub async fn download(&self, token: &str, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }

    /// The audit actions recorded on a resource, oldest first.
    pub async fn audit_actions(&self, resource_id: &str) -> Vec<String> {
        use sqlx::Row;
        let raw = self.instance.raw().await;
        sqlx::query("SELECT action FROM audit_log WHERE resource_id = $1 ORDER BY seq")
            .bind(resource_id)
            .fetch_all(&raw)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("action").unwrap())
            .collect()
    }

    /// A browser-like client logged in through the HTML form.
    pub async fn browser(&self, username: &str) -> Browser {
        let b = Browser {
            client: client_with_cookies(),
            base: self.base.clone(),
            csrf: String::new(),
        };
        b.login(username, PASSWORD).await
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn client_with_cookies() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Extracts `value` of the first `name="_csrf"` field of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(html[i..].split('"').next()?.to_string())
}

pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    pub fn anonymous(base: &str) -> Browser {
        Browser {
            client: client_with_cookies(),
            base: base.to_string(),
            csrf: String::new(),
        }
    }

    pub async fn login(mut self, username: &str, password: &str) -> Browser {
        let page = self.get("/login").await.1;
        let pre = csrf_of(&page).expect("login form has a CSRF field");
        let (status, _, location) = self
            .post_raw(
                "/login",
                &[
                    ("_csrf", &pre),
                    ("username", username),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(status, 303, "login of {username} should redirect");
        assert_eq!(
            location.as_deref(),
            Some("/"),
            "login of {username} lands on the overview"
        );
        let home = self.get("/").await.1;
        self.csrf = csrf_of(&home).expect("signed-in pages carry the CSRF token");
        self
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a form as given (no CSRF field added); returns status, body and Location.
    pub async fn post_raw(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, String, Option<String>) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (r.status().as_u16(), r.text().await.unwrap(), loc)
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let mut f: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        f.extend_from_slice(form);
        self.post_raw(path, &f).await
    }
}

/// The names of the objects under `dir`, in name order.
async fn object_names(
    store: &object_store::aws::AmazonS3,
    dir: &str,
) -> Vec<object_store::path::Path> {
    use futures_util::TryStreamExt;
    use object_store::ObjectStore;
    let dir = object_store::path::Path::from(dir);
    let mut names: Vec<_> = store
        .list(Some(&dir))
        .map_ok(|m| m.location)
        .try_collect()
        .await
        .unwrap();
    names.sort();
    names
}

/// A port nobody listens on (for servers the tests start).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Path of the built `grotius` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_grotius"))
}

/// Counts rows of a table through the raw pool.
pub async fn count(pool: &AnyPool, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(pool)
    .await
    .unwrap()
    .try_get("n")
    .unwrap()
}

/// Lifts the append-only triggers of `tables`, as someone with direct database access could:
/// on PostgreSQL `<table>_no_change` is disabled, on SQLite `<table>_no_update` and
/// `<table>_no_delete` are dropped (the names `schema.rs` checks both backends for).
pub async fn lift_append_only_guard(raw: &AnyPool, tables: &[&str]) {
    for table in tables {
        let statements = if is_postgres() {
            vec![format!(
                "ALTER TABLE {table} DISABLE TRIGGER {table}_no_change"
            )]
        } else {
            vec![
                format!("DROP TRIGGER {table}_no_update"),
                format!("DROP TRIGGER {table}_no_delete"),
            ]
        };
        for s in statements {
            raw.execute(sqlx::AssertSqlSafe(s)).await.unwrap();
        }
    }
}

/// `grotius <what> verify` on the instance's data directory and database: exit code and output
/// (stdout then stderr).
pub fn cli_verify(i: &Instance, what: &str) -> (i32, String) {
    let out = std::process::Command::new(bin())
        .args([what, "verify", "--data"])
        .arg(i.data())
        .args(i.database_args())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A process fixture: an active Track I negotiation in Sudan that the Netherlands supports, with
/// the given labels. Tests set the fields they are about with `..process_input(…)`.
pub fn process_input(
    title: &str,
    classification: &str,
    compartment: Option<&str>,
) -> grotius_domain::process::ProcessInput {
    grotius_domain::process::ProcessInput {
        title: title.into(),
        countries: vec!["SD".into()],
        phase: "negotiation".into(),
        tracks: vec!["I".into()],
        dutch_role: "support".into(),
        status: "active".into(),
        classification: classification.into(),
        compartment: compartment.map(str::to_string),
        ..Default::default()
    }
}
