//! Tampering with the audit log directly in the database is detected, and the first bad entry is
//! named — through the store and through `grotius audit verify`.

use sqlx::{AnyPool, Executor, Row};

use crate::harness::{Instance, cli_verify, lift_append_only_guard};

/// An instance with ten audit entries.
async fn instance_with_entries() -> Instance {
    let i = Instance::new().await;
    let op = i.store.cli_operator();
    for n in 0..10 {
        op.create_compartment(
            &format!("c{n:02}"),
            &format!("Compartment {n}"),
            "",
            grotius_domain::separation::WorkDomain::Mediation,
        )
        .await
        .unwrap();
    }
    assert_eq!(i.store.verify_audit().await.unwrap().entries, 10);
    i
}

async fn assert_broken(i: &Instance, expected: &str) {
    let err = i.store.verify_audit().await.unwrap_err().to_string();
    assert!(err.contains(expected), "expected '{expected}' in: {err}");
    let (code, text) = cli_verify(i, "audit");
    assert_ne!(code, 0, "audit verify must fail: {text}");
    assert!(
        text.contains(expected),
        "CLI names the entry: expected '{expected}' in: {text}"
    );
}

#[tokio::test]
async fn the_database_refuses_to_change_the_log() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    assert!(
        raw.execute("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3")
            .await
            .is_err()
    );
    assert!(
        raw.execute("DELETE FROM audit_log WHERE seq = 3")
            .await
            .is_err()
    );
    let (code, text) = cli_verify(&i, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("10 entries verified"), "{text}");
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("UPDATE audit_log SET detail = '{\"name\":\"forged\"}' WHERE seq = 4")
        .await
        .unwrap();
    assert_broken(&i, "audit entry 4: its content does not match its hash").await;
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log WHERE seq = 5")
        .await
        .unwrap();
    assert_broken(&i, "audit entry 6: expected sequence number 5").await;
}

#[tokio::test]
async fn reordered_entries_are_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    // Swap the contents of entries 3 and 4, keeping their sequence numbers.
    raw.execute("UPDATE audit_log SET seq = -3 WHERE seq = 3")
        .await
        .unwrap();
    raw.execute("UPDATE audit_log SET seq = 3 WHERE seq = 4")
        .await
        .unwrap();
    raw.execute("UPDATE audit_log SET seq = 4 WHERE seq = -3")
        .await
        .unwrap();
    assert_broken(&i, "audit entry 3: its link to entry 2 is broken").await;
}

#[tokio::test]
async fn an_inserted_entry_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    // Make room after entry 6 and insert a forged entry 7 that links to entry 6.
    for seq in (7..=10).rev() {
        raw.execute(sqlx::AssertSqlSafe(format!(
            "UPDATE audit_log SET seq = {} WHERE seq = {seq}",
            seq + 1
        )))
        .await
        .unwrap();
    }
    raw.execute(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, resource_kind, resource_id, outcome, detail, prev_hash, hash)
         SELECT 7, at, actor_id, 'intruder', 'user.create', 'user', 'x', 'ok', '{}', hash, 'ffff' FROM audit_log WHERE seq = 6",
    )
    .await
    .unwrap();
    assert_broken(&i, "audit entry 7: its content does not match its hash").await;
}

#[tokio::test]
async fn deleting_the_last_entries_is_detected() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log WHERE seq >= 9")
        .await
        .unwrap();
    assert_broken(
        &i,
        "audit log truncated: the log ends at entry 8 but the anchor outside the database records entry 10",
    )
    .await;
    // Moving the head back is caught too, whatever its code.
    raw.execute("UPDATE audit_head SET seq = 8, hash = (SELECT hash FROM audit_log WHERE seq = 8)")
        .await
        .unwrap();
    assert_broken(&i, "audit log truncated: the log ends at entry 8").await;
}

#[tokio::test]
async fn a_forged_head_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    raw.execute("UPDATE audit_head SET mac = 'ffff' WHERE id = 1")
        .await
        .unwrap();
    assert_broken(&i, "audit head: its authentication code is wrong").await;
}

// ─── Freshness: the anchor outside the database ─────────────────────────────────────────────

/// The head row as stored (what a backup holds and an attacker can put back).
async fn head_row(raw: &AnyPool) -> (i64, String, String) {
    let row = sqlx::query("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
        .fetch_one(raw)
        .await
        .unwrap();
    (
        row.get::<i64, _>("seq"),
        row.get::<String, _>("hash"),
        row.get::<String, _>("mac"),
    )
}

async fn put_head(raw: &AnyPool, head: &(i64, String, String)) {
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
        .bind(head.0)
        .bind(&head.1)
        .bind(&head.2)
        .execute(raw)
        .await
        .unwrap();
}

async fn more_entries(i: &Instance, from: usize, n: usize) {
    let op = i.store.cli_operator();
    for k in from..from + n {
        op.create_compartment(
            &format!("d{k:02}"),
            &format!("Compartment {k}"),
            "",
            grotius_domain::separation::WorkDomain::Mediation,
        )
        .await
        .unwrap();
    }
}

fn anchor_path(i: &Instance) -> std::path::PathBuf {
    i.data().join(grotius_store::AUDIT_ANCHOR_FILE)
}

#[tokio::test]
async fn truncating_the_last_entries_and_putting_an_older_head_back_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    // The head as an older backup holds it (entry 10, correctly authenticated).
    let old_head = head_row(&raw).await;
    more_entries(&i, 0, 3).await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log WHERE seq > 10")
        .await
        .unwrap();
    put_head(&raw, &old_head).await;
    assert_broken(
        &i,
        "audit log truncated: the log ends at entry 10 but the anchor outside the database records entry 13 (entries 11 to 13 were deleted",
    )
    .await;
}

#[tokio::test]
async fn truncating_with_a_head_computed_under_the_key_is_named() {
    // Even a head that authenticates (as if forged with the key) cannot hide the truncation.
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log WHERE seq > 6")
        .await
        .unwrap();
    let hash: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 6")
        .fetch_one(&raw)
        .await
        .unwrap();
    let key = grotius_security::Keyring::load(i.data())
        .unwrap()
        .audit_key()
        .unwrap();
    let mac = grotius_domain::audit::head_mac(&key, 6, &hash);
    put_head(&raw, &(6, hash, mac)).await;
    assert_broken(&i, "audit log truncated: the log ends at entry 6").await;
}

#[tokio::test]
async fn wiping_every_entry_and_the_head_is_named_and_never_verifies_as_empty() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log").await.unwrap();
    raw.execute("DELETE FROM audit_head").await.unwrap();
    assert_broken(
        &i,
        "audit log truncated: the log ends at entry 0 but the anchor outside the database records entry 10",
    )
    .await;
    // Opening the store again does not recreate an empty head for an existing instance.
    let again = grotius_store::Store::open(
        i.data(),
        i.database.as_deref(),
        grotius_security::Keyring::load(i.data()).unwrap(),
    )
    .await
    .unwrap();
    let heads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_head")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(heads, 0, "no new, empty head for a wiped log");
    let e = again.verify_audit().await.unwrap_err().to_string();
    assert!(e.contains("audit log truncated"), "{e}");
}

#[tokio::test]
async fn wiping_the_log_and_putting_the_first_head_back_is_named() {
    // The empty head of a freshly created instance (as its first backup holds it).
    let i = Instance::new().await;
    let raw = i.raw().await;
    let genesis_head = head_row(&raw).await;
    assert_eq!(genesis_head.0, 0);
    more_entries(&i, 0, 4).await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log").await.unwrap();
    put_head(&raw, &genesis_head).await;
    assert_broken(&i, "audit log truncated: the log ends at entry 0").await;
}

#[tokio::test]
async fn a_wiped_and_rewritten_log_is_named_and_does_not_move_the_anchor() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    let genesis = grotius_domain::audit::GENESIS;
    let key = grotius_security::Keyring::load(i.data())
        .unwrap()
        .audit_key()
        .unwrap();
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log").await.unwrap();
    put_head(
        &raw,
        &(
            0,
            genesis.to_string(),
            grotius_domain::audit::head_mac(&key, 0, genesis),
        ),
    )
    .await;
    // The application writes on: a new chain, longer than the old one.
    more_entries(&i, 20, 12).await;
    assert_broken(
        &i,
        "audit log rewritten: entry 10 differs from the entry the anchor outside the database recorded",
    )
    .await;
}

#[tokio::test]
async fn deleting_the_instance_record_too_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log").await.unwrap();
    raw.execute("DELETE FROM audit_head").await.unwrap();
    raw.execute("DELETE FROM instance").await.unwrap();
    // Whether the verifier finds no instance record or (opened for writing) a new one, the
    // anchor names what it recorded.
    let e = i.store.verify_audit().await.unwrap_err().to_string();
    assert!(
        e.contains("no instance record") && e.contains("records entry 10"),
        "{e}"
    );
    let (code, text) = cli_verify(&i, "audit");
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("instance") && text.contains("records entry 10"),
        "{text}"
    );
}

#[tokio::test]
async fn a_database_ahead_of_its_anchor_verifies_and_a_missing_anchor_is_named() {
    // A crash between a commit and the anchor leaves the anchor one commit behind: intact.
    let i = instance_with_entries().await;
    let lagging = std::fs::read(anchor_path(&i)).unwrap();
    more_entries(&i, 0, 1).await;
    std::fs::write(anchor_path(&i), &lagging).unwrap();
    let r = i.store.verify_audit().await.unwrap();
    assert_eq!((r.entries, r.anchored), (11, 10));
    let (code, text) = cli_verify(&i, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("11 entries verified"), "{text}");
    // An edited anchor does not authenticate.
    let edited = String::from_utf8(lagging)
        .unwrap()
        .replace("\"seq\": 10", "\"seq\": 3");
    std::fs::write(anchor_path(&i), edited).unwrap();
    assert_broken(&i, "its authentication code is wrong (the file was edited").await;
    // Without an anchor a written log cannot be vouched for. (A store opened for writing adopts
    // the current head as its anchor — an instance from before anchors existed.)
    std::fs::remove_file(anchor_path(&i)).unwrap();
    let e = i.store.verify_audit().await.unwrap_err().to_string();
    assert!(e.contains("missing, but the log holds 11 entries"), "{e}");
}

#[tokio::test]
async fn each_node_anchors_its_own_commits_on_a_shared_database() {
    // Two application nodes on one database, each with its own key directory (same keys).
    let a = instance_with_entries().await;
    let node_b = tempfile::tempdir().unwrap();
    std::fs::copy(
        a.data().join(grotius_security::KEYRING_FILE),
        node_b.path().join(grotius_security::KEYRING_FILE),
    )
    .unwrap();
    let url = match &a.database {
        Some(u) => u.clone(),
        None => format!(
            "sqlite://{}",
            grotius_store::sqlite_path(a.data()).display()
        ),
    };
    let b = grotius_store::Store::open(
        node_b.path(),
        Some(&url),
        grotius_security::Keyring::load(node_b.path()).unwrap(),
    )
    .await
    .unwrap();
    b.cli_operator()
        .create_compartment(
            "node-b",
            "Node B",
            "",
            grotius_domain::separation::WorkDomain::Mediation,
        )
        .await
        .unwrap();
    assert_eq!(b.verify_audit().await.unwrap().anchored, 11);
    assert_eq!(a.store.verify_audit().await.unwrap().anchored, 10);
    // Node B's last entry deleted with the head put back: node B names it.
    let raw = a.raw().await;
    let head_10 = {
        let key = grotius_security::Keyring::load(a.data())
            .unwrap()
            .audit_key()
            .unwrap();
        let hash: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 10")
            .fetch_one(&raw)
            .await
            .unwrap();
        let mac = grotius_domain::audit::head_mac(&key, 10, &hash);
        (10, hash, mac)
    };
    lift_append_only_guard(&raw, &["audit_log"]).await;
    raw.execute("DELETE FROM audit_log WHERE seq = 11")
        .await
        .unwrap();
    put_head(&raw, &head_10).await;
    let e = b.verify_audit().await.unwrap_err().to_string();
    assert!(
        e.contains("audit log truncated: the log ends at entry 10"),
        "{e}"
    );
    b.close().await;
}
