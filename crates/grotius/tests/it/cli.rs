//! The command-line contract: names, help text, errors that name the fix, user management.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::harness::{PASSWORD, bin, fresh_database};

/// `grotius init --data DATA --admin root` (on `db` when given), asserting that it succeeds.
pub(crate) fn init_cli(data: &std::path::Path, db: &Option<String>) {
    let mut args = vec!["init", "--data", data.to_str().unwrap(), "--admin", "root"];
    if let Some(u) = db {
        args.extend(["--database", u.as_str()]);
    }
    let (code, text) = run(
        &args,
        &None,
        None,
        &[("GROTIUS_ADMIN_PASSWORD", crate::harness::PASSWORD)],
    );
    assert_eq!(code, 0, "{text}");
}

pub(crate) fn run(
    args: &[&str],
    db: &Option<String>,
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> (i32, String) {
    let mut cmd = Command::new(bin());
    cmd.args(args);
    if let Some(url) = db {
        // Every command that opens an instance takes --database; pass it through the environment.
        cmd.env("GROTIUS_DATABASE_URL", url);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn every_command_has_help() {
    let (code, text) = run(&["--help"], &None, None, &[]);
    assert_eq!(code, 0);
    for c in [
        "demo",
        "serve",
        "init",
        "user",
        "audit",
        "fund",
        "backup",
        "restore",
        "keys",
        "migrate-blobs",
    ] {
        assert!(text.contains(c), "{c} missing from --help: {text}");
    }
    for args in [
        &["demo", "--help"][..],
        &["serve", "--help"],
        &["init", "--help"],
        &["user", "add", "--help"],
        &["user", "list", "--help"],
        &["user", "disable", "--help"],
        &["user", "reset-password", "--help"],
        &["audit", "verify", "--help"],
        &["fund", "verify", "--help"],
        &["backup", "--help"],
        &["restore", "--help"],
        &["keys", "rotate", "--help"],
    ] {
        let (code, text) = run(args, &None, None, &[]);
        assert_eq!(code, 0, "{args:?}");
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
}

#[test]
fn errors_name_the_problem_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let (code, text) = run(
        &["serve", "--data", missing.to_str().unwrap()],
        &None,
        None,
        &[],
    );
    assert_ne!(code, 0);
    assert!(
        text.contains("does not exist") && text.contains("grotius init"),
        "{text}"
    );
    let (code, text) = run(
        &[
            "user",
            "add",
            "--data",
            dir.path().to_str().unwrap(),
            "x",
            "--role",
            "king",
        ],
        &None,
        None,
        &[],
    );
    assert_ne!(code, 0);
    assert!(
        text.contains("grotius init") || text.contains("keyring"),
        "{text}"
    );
}

#[tokio::test]
async fn init_and_user_management() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    let d = data.to_str().unwrap();
    let (code, text) = run(
        &["init", "--data", d, "--admin", "root"],
        &db,
        Some(&format!("{PASSWORD}\n")),
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(data.join("keyring.json").exists());
    let (code, text) = run(
        &["init", "--data", d, "--admin", "root"],
        &db,
        Some(&format!("{PASSWORD}\n")),
        &[],
    );
    assert_ne!(code, 0, "a second init must refuse: {text}");

    let (code, text) = run(
        &[
            "user",
            "add",
            "--data",
            d,
            "ana",
            "--role",
            "analyst",
            "--clearance",
            "confidential",
        ],
        &db,
        Some("another good passphrase\n"),
        &[],
    );
    assert_eq!(code, 0, "{text}");
    let (code, text) = run(
        &["user", "add", "--data", d, "eve", "--role", "emperor"],
        &db,
        Some("another good passphrase\n"),
        &[],
    );
    assert_ne!(code, 0);
    assert!(
        text.contains("unknown role 'emperor'") && text.contains("analyst"),
        "{text}"
    );
    let (code, text) = run(
        &["user", "add", "--data", d, "weak", "--role", "analyst"],
        &db,
        Some("short\n"),
        &[],
    );
    assert_ne!(code, 0);
    assert!(text.contains("at least 12"), "{text}");

    let (code, text) = run(&["user", "list", "--data", d], &db, None, &[]);
    assert_eq!(code, 0);
    assert!(
        text.contains("root") && text.contains("ana") && text.contains("confidential"),
        "{text}"
    );
    assert!(!text.contains("weak"));

    let (code, _) = run(&["user", "disable", "--data", d, "ana"], &db, None, &[]);
    assert_eq!(code, 0);
    let (_, text) = run(&["user", "list", "--data", d], &db, None, &[]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("ana ") && l.contains("disabled")),
        "{text}"
    );
    let (code, text) = run(
        &["user", "reset-password", "--data", d, "nobody"],
        &db,
        Some("whatever passphrase\n"),
        &[],
    );
    assert_ne!(code, 0);
    assert!(text.contains("no user named 'nobody'"), "{text}");
    let (code, text) = run(
        &["user", "reset-password", "--data", d, "ana"],
        &db,
        None,
        &[("GROTIUS_USER_PASSWORD", "yet another passphrase")],
    );
    assert_eq!(code, 0, "{text}");

    let (code, text) = run(&["audit", "verify", "--data", d], &db, None, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
}

/// `grotius backup` of a PostgreSQL instance says how to back it up (pg_dump) and writes nothing,
/// instead of claiming there is no database. On SQLite the backup itself is tested elsewhere.
#[tokio::test]
async fn backup_of_a_postgres_instance_names_pg_dump() {
    let i = crate::harness::Instance::new().await;
    if i.database.is_none() {
        eprintln!("NOT RUN here: the instance is on SQLite (this is the PostgreSQL case)");
        return;
    }
    let out_file = i.data().join("backup.db");
    let out = Command::new(bin())
        .args(["backup", "--data"])
        .arg(i.data())
        .arg("--out")
        .arg(&out_file)
        .args(i.database_args().iter().take(2))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("pg_dump"), "{text}");
    assert!(!out_file.exists());
}
