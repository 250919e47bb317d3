//! Failure modes and bad files: restore keeps what it replaces and refuses what this instance
//! cannot read, a full disk is survived, verifiers change nothing and refuse foreign databases,
//! key files are never silently replaced, bad files are named at once, and acknowledged writes
//! survive a power cut (not only a killed process).
//!
//! The file-system tests mount what they need (tmpfs, loop devices, read-only bind mounts):
//! they run as root, here and in CI. When mounting is not permitted they fail, naming why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use grotius_domain::process::ProcessInput;
use grotius_security::Keyring;
use grotius_store::{Store, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::{Connection, Executor, Row};

use crate::cli::{init_cli, run};
use crate::harness::{PASSWORD, fresh_database, pg_base_url};

fn process(title: &str, notes: &str) -> ProcessInput {
    ProcessInput {
        notes: notes.into(),
        ..crate::harness::process_input(title, "internal", None)
    }
}

/// A seeded SQLite instance in `dir` (restore, full disks and power cuts are about the SQLite
/// file; they run on SQLite whatever the test backend).
async fn sqlite_instance(dir: &Path) -> Store {
    sqlx::any::install_default_drivers();
    let ring = grotius_security::create_instance_keys(dir).unwrap();
    let store = Store::open(dir, None, ring).await.unwrap();
    grotius::demo::seed_core(&store, PASSWORD).await.unwrap();
    store
}

async fn act_as(store: &Store, name: &str) -> grotius_store::Access {
    let id = store.cli_operator().find_user_id(name).await.unwrap();
    store.cli_act_as(&id).await.unwrap().unwrap()
}

/// Every file under `dir` (recursively) with its size and a digest of its bytes.
fn checksum(dir: &Path) -> BTreeMap<PathBuf, (u64, String)> {
    use sha2::Digest;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(p.clone(), (0, "dir".into()));
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.insert(
                    p.clone(),
                    (
                        bytes.len() as u64,
                        hex::encode(sha2::Sha256::digest(&bytes)),
                    ),
                );
            }
        }
    }
    out
}

fn sh(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed ({}): {}{} — these tests mount file systems and need root (CI runs them as root)",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A mount made by a test, unmounted (and its loop device detached) when dropped.
struct Mounted {
    at: PathBuf,
    loop_device: Option<String>,
}

impl Mounted {
    fn tmpfs(at: &Path, size: &str) -> Mounted {
        std::fs::create_dir_all(at).unwrap();
        sh(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                at.to_str().unwrap(),
            ],
        );
        Mounted {
            at: at.to_path_buf(),
            loop_device: None,
        }
    }

    /// `image` (an ext4 file system in a file) mounted through a loop device.
    fn ext4_image(image: &Path, at: &Path) -> Mounted {
        std::fs::create_dir_all(at).unwrap();
        let dev = sh("losetup", &["-f", "--show", image.to_str().unwrap()]);
        let m = Mounted {
            at: at.to_path_buf(),
            loop_device: Some(dev.clone()),
        };
        sh("mount", &["-t", "ext4", &dev, at.to_str().unwrap()]);
        m
    }

    /// `dir` bind-mounted read-only at `at`.
    fn read_only_bind(dir: &Path, at: &Path) -> Mounted {
        std::fs::create_dir_all(at).unwrap();
        sh(
            "mount",
            &["--bind", dir.to_str().unwrap(), at.to_str().unwrap()],
        );
        let m = Mounted {
            at: at.to_path_buf(),
            loop_device: None,
        };
        sh("mount", &["-o", "remount,ro,bind", at.to_str().unwrap()]);
        m
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
        if let Some(dev) = &self.loop_device {
            let _ = Command::new("losetup").args(["-d", dev]).status();
        }
    }
}

async fn count_titles(db: &Path, title: &str) -> i64 {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM processes WHERE title = $1")
        .bind(title)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("n");
    conn.close().await.unwrap();
    n
}

// ---- 14: restore keeps every acknowledged write of the database it replaces ----

#[tokio::test]
async fn restore_keeps_acknowledged_writes_of_the_replaced_database() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    std::fs::create_dir_all(&live).unwrap();
    let store = sqlite_instance(&live).await;
    let backup = dir.path().join("backup.db");
    grotius_store::backup_sqlite(&store, &backup).await.unwrap();
    // Acknowledged after the backup; it lives in the write-ahead log while the server runs.
    act_as(&store, "coordinator")
        .await
        .create_process(&process("written after the backup", "n"))
        .await
        .unwrap();
    // The server dies (a crash image of its directory: database and log as they are on disk).
    let crashed = dir.path().join("crashed");
    std::fs::create_dir_all(&crashed).unwrap();
    for e in std::fs::read_dir(&live).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, crashed.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir_all(crashed.join("identity")).unwrap();
    std::fs::copy(
        live.join("identity/keyring.json"),
        crashed.join("identity/keyring.json"),
    )
    .unwrap();
    store.close().await;
    let wal = crashed.join("grotius.db-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "the write is in the log of the crashed server"
    );

    let r = grotius_store::restore_sqlite(&crashed, &backup, Keyring::load(&crashed).unwrap())
        .await
        .unwrap();
    let kept = r.kept.expect("the replaced database is kept");
    assert!(
        !PathBuf::from(format!("{}-wal", kept.display())).exists(),
        "the kept copy is one self-contained file"
    );
    assert_eq!(
        count_titles(&kept, "written after the backup").await,
        1,
        "the kept database holds the write acknowledged after the backup"
    );
    let db = grotius_store::sqlite_path(&crashed);
    assert_eq!(count_titles(&db, "written after the backup").await, 0);
}

// ---- 15: restore verifies everything before replacing anything ----

async fn restore_is_refused(data: &Path, backup: &Path, expect: &[&str]) {
    let db = grotius_store::sqlite_path(data);
    let before = checksum(data);
    let err = grotius_store::restore_sqlite(data, backup, Keyring::load(data).unwrap())
        .await
        .unwrap_err()
        .to_string();
    for e in expect {
        assert!(err.contains(e), "refusal names {e:?}: {err}");
    }
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(
        checksum(data),
        before,
        "nothing in the data directory changed"
    );
    assert!(db.exists());
}

#[tokio::test]
async fn restore_refuses_a_backup_this_instance_cannot_read_or_that_was_tampered_with() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    std::fs::create_dir_all(&data).unwrap();
    let store = sqlite_instance(&data).await;
    act_as(&store, "coordinator")
        .await
        .create_process(&process("with a note", "encrypted under the first key"))
        .await
        .unwrap();
    let custodian = act_as(&store, "custodian").await;
    let capture = grotius_domain::evidence::CaptureInput {
        title: "A capture".into(),
        source_url: "https://example.org/source".into(),
        captured_at: "2026-03-01T14:05:00Z".into(),
        capture_tool: "wget".into(),
        capture_tool_version: "1.21".into(),
        collector: "Tester".into(),
        method: "download".into(),
        original_name: "a.bin".into(),
        description: "A description".into(),
        classification: "confidential".into(),
        compartment: Some("evidence-sudan".into()),
        ..Default::default()
    };
    custodian
        .evidence_ingest_bytes(&capture, &vec![7u8; 10_000])
        .await
        .unwrap();
    let old = dir.path().join("before-rotation.db");
    grotius_store::backup_sqlite(&store, &old).await.unwrap();

    // An edited custody event in an otherwise sound backup.
    let edited = dir.path().join("edited.db");
    std::fs::copy(&old, &edited).unwrap();
    {
        let mut raw = sqlx::AnyConnection::connect(&format!("sqlite://{}", edited.display()))
            .await
            .unwrap();
        raw.execute("DROP TRIGGER custody_events_no_update")
            .await
            .unwrap();
        let n = raw
            .execute("UPDATE custody_events SET actor = 'someone else'")
            .await
            .unwrap()
            .rows_affected();
        assert!(n > 0);
        raw.close().await.unwrap();
    }

    // keys rotate --retire: the old backup's values are under a key this instance no longer has.
    let mut ring = Keyring::load(&data).unwrap();
    ring.rotate().unwrap();
    store.close().await;
    let store = Store::open(&data, None, ring.clone()).await.unwrap();
    store.cli_operator().reencrypt_all().await.unwrap();
    store
        .cli_operator()
        .rotate_identity_keys(true)
        .await
        .unwrap();
    ring.retire_old_keys().unwrap();
    store.close().await;

    restore_is_refused(&data, &edited, &["evidence"]).await;
    restore_is_refused(&data, &old, &["keys", "'k1' is not in the keyring"]).await;
    // A truncated backup is named as such, at once.
    let truncated = dir.path().join("truncated.db");
    let bytes = std::fs::read(&old).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let t = Instant::now();
    restore_is_refused(&data, &truncated, &["malformed"]).await;
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());

    // The instance still opens and verifies.
    let store = Store::open_existing(&data, None, Keyring::load(&data).unwrap())
        .await
        .unwrap();
    store.verify_audit().await.unwrap();
    assert!(store.verify_keys().await.unwrap().problems.is_empty());
    store.close().await;
}

// ---- 16: a full disk is survived ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_clearly_and_they_succeed_once_space_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = Mounted::tmpfs(&dir.path().join("small"), "24m");
    let data = mnt.at.join("inst");
    std::fs::create_dir_all(&data).unwrap();
    let store = sqlite_instance(&data).await;
    let coordinator = act_as(&store, "coordinator").await;
    // Fill the file system.
    let filler = mnt.at.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    let big = "x".repeat(90_000);
    // The log may still have room from earlier writes: write until the first refusal, then
    // every further write is refused, each saying why.
    let mut first_refusal = None;
    for n in 0..400 {
        if let Err(e) = coordinator
            .create_process(&process(&format!("filling {n}"), &big))
            .await
        {
            assert!(matches!(e, StoreError::Storage(_)), "{e}");
            first_refusal = Some(n);
            break;
        }
    }
    assert!(first_refusal.is_some(), "a full disk refuses writes");
    for n in 0..20 {
        let e = coordinator
            .create_process(&process(&format!("while full {n}"), &big))
            .await
            .expect_err("the disk is still full");
        let m = e.to_string();
        assert!(
            matches!(e, StoreError::Storage(_)) && m.contains("disk full"),
            "write {n} on a full disk says so: {m}"
        );
    }
    std::fs::remove_file(&filler).unwrap();
    for n in 0..30 {
        coordinator
            .create_process(&process(&format!("after space is back {n}"), &big))
            .await
            .unwrap_or_else(|e| panic!("write {n} after space came back: {e}"));
    }
    store.verify_audit().await.unwrap();
    store.integrity_check().await.unwrap();
    store.close().await;
}

// ---- 17: verifiers read only; foreign databases are refused ----

const VERIFIERS: [&[&str]; 3] = [
    &["audit", "verify"],
    &["fund", "verify"],
    &["evidence", "verify"],
];

#[tokio::test]
async fn verifiers_change_nothing_in_the_directory_they_check() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    init_cli(&data, &db);
    let before = checksum(&data);
    for v in VERIFIERS {
        let mut args = v.to_vec();
        args.extend(["--data", data.to_str().unwrap()]);
        let (code, text) = run(&args, &db, None, &[]);
        assert_eq!(code, 0, "{v:?}: {text}");
        assert_eq!(checksum(&data), before, "{v:?} wrote to {}", data.display());
    }
}

/// A SQLite file of another application, with the Grotius key files beside it.
async fn foreign_sqlite(data: &Path, with_sqlx_record: bool) {
    std::fs::create_dir_all(data).unwrap();
    grotius_security::create_instance_keys(data).unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        grotius_store::sqlite_path(data).display()
    );
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .await
        .unwrap();
    c.execute("INSERT INTO notes (body) VALUES ('shopping list')")
        .await
        .unwrap();
    if with_sqlx_record {
        c.execute("CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)")
            .await
            .unwrap();
        c.execute("INSERT INTO _sqlx_migrations VALUES (20240101000000, 'create notes', NULL, 1, x'00', 1)")
            .await
            .unwrap();
    }
    c.close().await.unwrap();
}

#[tokio::test]
async fn serve_and_verifiers_refuse_a_foreign_database_and_change_nothing() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    for (n, with_record) in [false, true].into_iter().enumerate() {
        let data = dir.path().join(format!("foreign{n}"));
        foreign_sqlite(&data, with_record).await;
        let before = checksum(&data);
        let mut commands: Vec<Vec<&str>> = VERIFIERS.iter().map(|v| v.to_vec()).collect();
        commands.push(vec!["serve", "--bind", "127.0.0.1:0"]);
        commands.push(vec!["user", "list"]);
        for c in commands {
            let mut args = c.clone();
            args.extend(["--data", data.to_str().unwrap()]);
            let (code, text) = run(&args, &None, None, &[]);
            assert_ne!(code, 0, "{c:?} refuses: {text}");
            assert!(
                text.contains("not a Grotius database"),
                "{c:?} says why: {text}"
            );
            assert!(!text.contains("intact"), "{c:?}: {text}");
            assert_eq!(checksum(&data), before, "{c:?} changed {}", data.display());
        }
    }
    // The same on PostgreSQL: a database of another application is left as it is.
    if pg_base_url().is_some() {
        let url = fresh_database().await.unwrap();
        let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
        c.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)")
            .await
            .unwrap();
        let data = dir.path().join("pg-keys");
        std::fs::create_dir_all(&data).unwrap();
        grotius_security::create_instance_keys(&data).unwrap();
        for c in [
            &["audit", "verify"][..],
            &["serve", "--bind", "127.0.0.1:0"],
        ] {
            let mut args = c.to_vec();
            args.extend(["--data", data.to_str().unwrap(), "--database", url.as_str()]);
            let (code, text) = run(&args, &None, None, &[]);
            assert_ne!(code, 0, "{c:?}: {text}");
            assert!(text.contains("not a Grotius database"), "{c:?}: {text}");
        }
        let tables: i64 = sqlx::query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()")
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get("n");
        assert_eq!(tables, 1, "no table was added to the foreign database");
        c.close().await.unwrap();
    }
}

// ---- 18: key files are never created behind the operator's back ----

#[tokio::test]
async fn missing_short_or_foreign_key_files_are_named() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    init_cli(&data, &db);
    let d = data.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["audit", "verify", "--data", d],
        &["evidence", "verify", "--data", d],
        &["serve", "--data", d, "--bind", "127.0.0.1:0"],
        &["user", "list", "--data", d],
        &["evidence", "pubkey", "--data", d],
    ];
    for file in [
        "keyring.json",
        "evidence-keys.json",
        "identity/keyring.json",
    ] {
        let path = data.join(file);
        let aside = dir.path().join("aside");
        std::fs::rename(&path, &aside).unwrap();
        // `evidence pubkey` reads the evidence keys only.
        let n = if file == "evidence-keys.json" { 5 } else { 4 };
        for c in &commands[..n] {
            let (code, text) = run(c, &db, None, &[]);
            assert_ne!(code, 0, "{c:?} without {file}: {text}");
            assert!(
                text.contains(&*path.to_string_lossy()),
                "{c:?} names {file}: {text}"
            );
            assert!(!path.exists(), "{c:?} created a new {file}");
        }
        std::fs::rename(&aside, &path).unwrap();
    }
    // A short audit key (5 bytes) is damage, named with the file.
    let keyring = data.join("keyring.json");
    let good = std::fs::read_to_string(&keyring).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["audit_key"] = "AAAAAAA=".into();
    std::fs::write(&keyring, v.to_string()).unwrap();
    let (code, text) = run(commands[0], &db, None, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("keyring.json") && text.contains("5 bytes"),
        "{text}"
    );
    // A keyring of another instance: the key does not match, not "entry 1 edited".
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    grotius_security::create_instance_keys(&other).unwrap();
    std::fs::copy(other.join("keyring.json"), &keyring).unwrap();
    for c in [commands[0], commands[2]] {
        let (code, text) = run(c, &db, None, &[]);
        assert_ne!(code, 0, "{c:?}: {text}");
        assert!(
            text.contains("does not match this instance"),
            "{c:?}: {text}"
        );
        assert!(!text.contains("entry 1"), "{c:?}: {text}");
    }
    std::fs::write(&keyring, good).unwrap();
    let (code, text) = run(commands[0], &db, None, &[]);
    assert_eq!(code, 0, "{text}");
}

/// An instance created before the evidence keys and the identity keyring existed gets them with
/// `keys add-missing` — but only while nothing is sealed under the missing key: a new key for
/// sealed records would hide the loss of the old one.
#[tokio::test]
async fn keys_add_missing_creates_only_keys_nothing_is_sealed_under() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    init_cli(&data, &db);
    let d = data.to_str().unwrap();
    let evidence = data.join("evidence-keys.json");
    let identity = data.join("identity/keyring.json");
    std::fs::remove_file(&evidence).unwrap();
    std::fs::remove_file(&identity).unwrap();
    let (code, text) = run(&["audit", "verify", "--data", d], &db, None, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("keys add-missing"),
        "the error names the way out: {text}"
    );

    // A real identity sealed under the (missing) identity keyring: refused, nothing created.
    let url = db
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data.join("grotius.db").display()));
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    // The row stands for an identity recorded the ordinary way; its person is left out, so the
    // session sets foreign keys aside (on PostgreSQL they are triggers a superuser may skip).
    let no_foreign_keys = if db.is_some() {
        "SET session_replication_role = replica"
    } else {
        "PRAGMA foreign_keys = OFF"
    };
    c.execute(no_foreign_keys).await.unwrap();
    c.execute("INSERT INTO person_identities (person_id, identity, created_by, created_at) VALUES ('p-1', 'sealed', 'u', 0)")
        .await
        .unwrap();
    let (code, text) = run(&["keys", "add-missing", "--data", d], &db, None, &[]);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("identity/keyring.json") && text.contains("1 identities sealed"),
        "{text}"
    );
    assert!(
        !evidence.exists() && !identity.exists(),
        "nothing was created: {text}"
    );

    c.execute("DELETE FROM person_identities WHERE person_id = 'p-1'")
        .await
        .unwrap();
    c.close().await.unwrap();
    let (code, text) = run(&["keys", "add-missing", "--data", d], &db, None, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(evidence.exists() && identity.exists(), "{text}");
    for args in [
        &["audit", "verify", "--data", d][..],
        &["evidence", "verify", "--data", d][..],
    ] {
        let (code, text) = run(args, &db, None, &[]);
        assert_eq!(code, 0, "{args:?}: {text}");
    }
    // Nothing to do the second time; the keys are not replaced.
    let before = std::fs::read(&evidence).unwrap();
    let (code, text) = run(&["keys", "add-missing", "--data", d], &db, None, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("nothing to do"), "{text}");
    assert_eq!(std::fs::read(&evidence).unwrap(), before);
}

// ---- 19: bad files are named at once ----

fn named_quickly(args: &[&str], expect: &str) {
    let t = Instant::now();
    let (code, text) = run(args, &None, None, &[]);
    let took = t.elapsed();
    assert_ne!(code, 0, "{args:?}: {text}");
    assert!(
        text.contains(expect),
        "{args:?} names the cause {expect:?}: {text}"
    );
    assert!(!text.contains("timed out"), "{args:?}: {text}");
    assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
}

#[tokio::test]
async fn a_random_or_damaged_database_or_a_read_only_directory_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    init_cli(&data, &None);
    let db = grotius_store::sqlite_path(&data);
    let good = std::fs::read(&db).unwrap();
    let d = data.to_str().unwrap();
    let serve = ["serve", "--data", d, "--bind", "127.0.0.1:0"];
    let verify = ["audit", "verify", "--data", d];

    // Random bytes.
    let random: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&db, &random).unwrap();
    named_quickly(&serve, "not a database");
    named_quickly(&verify, "not a database");

    // A damaged file: the schema page overwritten.
    let mut damaged = good.clone();
    for b in &mut damaged[100..4096] {
        *b = 0x5a;
    }
    std::fs::write(&db, &damaged).unwrap();
    named_quickly(&serve, "malformed");
    named_quickly(&verify, "malformed");

    // A read-only directory (a read-only mount: root ignores permission bits).
    std::fs::write(&db, &good).unwrap();
    let ro = Mounted::read_only_bind(&data, &dir.path().join("ro"));
    let r = ro.at.to_str().unwrap();
    named_quickly(
        &["serve", "--data", r, "--bind", "127.0.0.1:0"],
        "read-only",
    );
    named_quickly(&["user", "list", "--data", r], "read-only");
    // Reading only works there.
    let (code, text) = run(&["audit", "verify", "--data", r], &None, None, &[]);
    assert_eq!(code, 0, "verification of a read-only directory: {text}");
}

// ---- 20: acknowledged writes survive a power cut ----

#[tokio::test]
async fn every_pooled_sqlite_connection_commits_durably() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_instance(dir.path()).await;
    let settings = store.sqlite_durability().await.unwrap();
    assert_eq!(settings.len(), 8, "every connection the pool may hold");
    for (journal, synchronous) in settings {
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "synchronous = FULL on every connection");
    }
    store.close().await;
}

/// A simulated power cut: the instance's file system is an ext4 image behind a loop device;
/// the image file is copied while the instance runs. What the file system has written to its
/// device — what an fsync forced out — is in the copy; what sits in the page cache is not, as
/// after a power cut. A control write without fsync proves that the copy loses unsynced data,
/// so the test would fail if `synchronous` were lowered or an fsync dropped before the
/// acknowledgement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_power_cut() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("disk.img");
    std::fs::File::create(&image)
        .unwrap()
        .set_len(96 * 1024 * 1024)
        .unwrap();
    sh("mkfs.ext4", &["-q", "-F", image.to_str().unwrap()]);
    let snapshot = dir.path().join("after-power-cut.img");
    let data_rel = Path::new("inst");
    let acknowledged: Vec<String>;
    {
        let disk = Mounted::ext4_image(&image, &dir.path().join("disk"));
        let data = disk.at.join(data_rel);
        std::fs::create_dir_all(&data).unwrap();
        let store = sqlite_instance(&data).await;
        let coordinator = act_as(&store, "coordinator").await;
        let mut titles = Vec::new();
        for n in 0..25 {
            let title = format!("acknowledged {n}");
            coordinator
                .create_process(&process(&title, "n"))
                .await
                .unwrap();
            titles.push(title);
        }
        acknowledged = titles;
        // The control: a SQLite database committing without fsync, and a plain unsynced file.
        let control_url = format!("sqlite://{}?mode=rwc", disk.at.join("control.db").display());
        let control = AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(|c, _| {
                Box::pin(async move {
                    c.execute("PRAGMA journal_mode = WAL").await?;
                    c.execute("PRAGMA synchronous = OFF").await?;
                    Ok(())
                })
            })
            .connect(&control_url)
            .await
            .unwrap();
        control.execute("CREATE TABLE t (x INTEGER)").await.unwrap();
        control.execute("INSERT INTO t VALUES (1)").await.unwrap();
        std::fs::write(disk.at.join("control.bin"), vec![b'x'; 100_000]).unwrap();
        // Power cut: the device's content as it is now.
        std::fs::copy(&image, &snapshot).unwrap();
        control.close().await;
        store.close().await;
    }
    let after = Mounted::ext4_image(&snapshot, &dir.path().join("after"));
    let control_survived = async {
        let url = format!("sqlite://{}?mode=ro", after.at.join("control.db").display());
        let Ok(mut c) = sqlx::AnyConnection::connect(&url).await else {
            return false;
        };
        let n = sqlx::query("SELECT COUNT(*) FROM t")
            .fetch_one(&mut c)
            .await
            .is_ok();
        let _ = c.close().await;
        n
    }
    .await;
    let control_file = std::fs::read(after.at.join("control.bin")).unwrap_or_default();
    assert!(
        !control_survived && control_file.len() < 100_000,
        "the power-cut image kept writes that were never synced: this machine cannot simulate a power cut this way"
    );
    let db = grotius_store::sqlite_path(&after.at.join(data_rel));
    for title in &acknowledged {
        assert_eq!(
            count_titles(&db, title).await,
            1,
            "acknowledged write {title:?} lost in a power cut"
        );
    }
    drop(after);
}
