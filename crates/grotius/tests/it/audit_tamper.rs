//! Tampering with the audit log directly in the database is detected, and the first bad entry is
//! named — through the store and through `grotius audit verify`.

use sqlx::{AnyPool, Executor};

use crate::harness::{Instance, bin, is_postgres};

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

/// Lifts the append-only protection, as someone with direct database access could.
async fn lift_guard(raw: &AnyPool) {
    if is_postgres() {
        raw.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .await
            .unwrap();
    } else {
        raw.execute("DROP TRIGGER audit_log_no_update")
            .await
            .unwrap();
        raw.execute("DROP TRIGGER audit_log_no_delete")
            .await
            .unwrap();
    }
}

fn cli_verify(i: &Instance) -> (i32, String) {
    let out = std::process::Command::new(bin())
        .args(["audit", "verify", "--data"])
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

async fn assert_broken(i: &Instance, expected: &str) {
    let err = i.store.verify_audit().await.unwrap_err().to_string();
    assert!(err.contains(expected), "expected '{expected}' in: {err}");
    let (code, text) = cli_verify(i);
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
    let (code, text) = cli_verify(&i);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("10 entries verified"), "{text}");
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_guard(&raw).await;
    raw.execute("UPDATE audit_log SET detail = '{\"name\":\"forged\"}' WHERE seq = 4")
        .await
        .unwrap();
    assert_broken(&i, "audit entry 4: its content does not match its hash").await;
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_guard(&raw).await;
    raw.execute("DELETE FROM audit_log WHERE seq = 5")
        .await
        .unwrap();
    assert_broken(&i, "audit entry 6: expected sequence number 5").await;
}

#[tokio::test]
async fn reordered_entries_are_named() {
    let i = instance_with_entries().await;
    let raw = i.raw().await;
    lift_guard(&raw).await;
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
    lift_guard(&raw).await;
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
    lift_guard(&raw).await;
    raw.execute("DELETE FROM audit_log WHERE seq >= 9")
        .await
        .unwrap();
    assert_broken(&i, "the log ends at entry 8 but the head records entry 10").await;
    // Moving the head back is caught too: its code is keyed.
    raw.execute("UPDATE audit_head SET seq = 8, hash = (SELECT hash FROM audit_log WHERE seq = 8)")
        .await
        .unwrap();
    assert_broken(&i, "authentication code is wrong").await;
}
