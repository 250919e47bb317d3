//! The evidence vault: ingest, de-duplication, lineage, custody events, encryption at rest,
//! every tampering case named by `grotius evidence verify`, leakage to roles and users who may
//! not see evidence, transfer packages verified offline, and a 2 GB upload in bounded memory.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grotius_domain::evidence::CaptureInput;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Executor, Row};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{
    App, Instance, bin, cli_verify, client, count, is_postgres, lift_append_only_guard,
};

fn capture(name: &str, classification: &str) -> CaptureInput {
    CaptureInput {
        title: format!("Title of {name}"),
        source_url: "https://example.org/source".into(),
        captured_at: "2026-03-01T14:05:00Z".into(),
        capture_tool: "wget".into(),
        capture_tool_version: "1.21".into(),
        collector: "Tester".into(),
        method: "download".into(),
        original_name: name.into(),
        description: "A confidential description".into(),
        classification: classification.into(),
        compartment: Some("evidence-sudan".into()),
        ..Default::default()
    }
}

fn bytes(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

fn sha(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

async fn kinds(a: &grotius_store::Access, id: &str) -> Vec<String> {
    a.evidence_custody_log(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.record.kind)
        .collect()
}

#[tokio::test]
async fn ingest_dedupes_keeps_lineage_records_custody_and_encrypts() {
    let i = Instance::seeded().await;
    let documenter = i.access("documenter").await;
    let custodian = i.access("custodian").await;
    // 200 KiB: several segments, the last one short.
    let a = bytes(7, 200 * 1024 + 17);
    let first = documenter
        .evidence_ingest_bytes(&capture("a.bin", "confidential"), &a)
        .await
        .unwrap();
    assert_eq!(first.item.sha256, sha(&a));
    assert_eq!(first.item.size, a.len() as i64);
    assert!(first.duplicate_of.is_empty());
    // The same content again: linked, not stored twice.
    let second = custodian
        .evidence_ingest_bytes(&capture("a-again.bin", "confidential"), &a)
        .await
        .unwrap();
    assert_eq!(second.duplicate_of, vec![first.item.id.clone()]);
    let raw = i.raw().await;
    assert_eq!(count(&raw, "evidence_blobs").await, 1);
    assert_eq!(count(&raw, "evidence_items").await, 2);
    assert_eq!(
        i.stored_counts().await,
        (1, 0),
        "one stored file, no part file or part object left behind"
    );
    assert!(!i.stored_blob(&first.item.sha256).await.is_empty());
    assert_eq!(kinds(&custodian, &first.item.id).await, ["ingest", "copy"]);

    // Encryption at rest: neither the file nor the metadata is readable on disk.
    let stored = i.stored_blob(&first.item.sha256).await;
    assert!(!stored.windows(64).any(|w| w == &a[1000..1064]));
    let sensitive: String = sqlx::query("SELECT sensitive FROM evidence_items WHERE id = $1")
        .bind(&first.item.id)
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("sensitive");
    assert!(sensitive.starts_with("enc:v1:"), "{sensitive}");
    assert!(!sensitive.contains("confidential description"));
    let keys = std::fs::read_to_string(i.data().join("evidence-keys.json")).unwrap();
    assert!(keys.contains("master_key") && keys.contains("signing_key"));

    // A working copy: lineage both ways, labels at least as strict as the original.
    let redacted = bytes(9, 5000);
    let mut c = capture("a-redacted.bin", "internal");
    c.parent_id = Some(first.item.id.clone());
    c.derivation = Some("redaction".into());
    let before = count(&raw, "evidence_items").await;
    let err = custodian
        .evidence_ingest_bytes(&c, &redacted)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("classification"), "{err}");
    assert_eq!(count(&raw, "evidence_items").await, before, "nothing filed");
    assert_eq!(
        count(&raw, "evidence_uploads").await,
        0,
        "nothing left over"
    );
    c.classification = "confidential".into();
    let copy = custodian
        .evidence_ingest_bytes(&c, &redacted)
        .await
        .unwrap();
    assert_eq!(copy.item.parent_id.as_deref(), Some(first.item.id.as_str()));
    assert_eq!(copy.item.derivation.as_deref(), Some("redaction"));
    let derived = custodian.evidence_derived(&first.item.id).await.unwrap();
    assert_eq!(derived.len(), 1);
    assert_eq!(derived[0].id, copy.item.id);
    assert_eq!(
        kinds(&custodian, &first.item.id).await,
        ["ingest", "copy", "derive"]
    );
    // A derivation with a parent one cannot see is refused without a hint.
    let mut bad = capture("x.bin", "confidential");
    bad.parent_id = Some("no-such-item".into());
    bad.derivation = Some("redaction".into());
    let err = custodian
        .evidence_ingest_bytes(&bad, b"x")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("parent_id"), "{err}");

    // Download: the original bytes, and a custody event.
    let (_, mut reader) = documenter.evidence_download(&first.item.id).await.unwrap();
    let mut out = Vec::new();
    while let Some(c) = reader.next_chunk().await.unwrap() {
        out.extend_from_slice(&c);
    }
    assert_eq!(out, a);
    assert_eq!(
        kinds(&custodian, &first.item.id)
            .await
            .last()
            .map(String::as_str),
        Some("download")
    );
    // The audit log has the download too.
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'evidence.download' AND resource_id = $1",
    )
    .bind(&first.item.id)
    .fetch_one(&raw)
    .await
    .unwrap()
    .get("n");
    assert_eq!(n, 1);
    // A view is a custody event as well.
    custodian.evidence_view(&first.item.id).await.unwrap();
    assert_eq!(
        kinds(&custodian, &first.item.id)
            .await
            .last()
            .map(String::as_str),
        Some("view")
    );

    let report = i.store.verify_evidence().await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.items, 3);
    assert_eq!(report.blobs, 2);
    assert_eq!(report.bytes, (a.len() + redacted.len()) as u64);
}

// ─── Tampering ──────────────────────────────────────────────────────────────────────────────

/// An instance with one item whose chain has four events: ingest, view, download, view.
async fn tamper_fixture() -> (Instance, String, Vec<String>) {
    let i = Instance::seeded().await;
    let c = i.access("custodian").await;
    let item = c
        .evidence_ingest_bytes(&capture("t.bin", "confidential"), &bytes(3, 150_000))
        .await
        .unwrap()
        .item;
    c.evidence_view(&item.id).await.unwrap();
    c.evidence_download(&item.id).await.unwrap();
    c.evidence_view(&item.id).await.unwrap();
    // A second, untouched item: problems must name the right one.
    c.evidence_ingest_bytes(&capture("u.bin", "confidential"), &bytes(4, 1000))
        .await
        .unwrap();
    let events: Vec<String> = c
        .evidence_custody_log(&item.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(events.len(), 4);
    let (code, text) = cli_verify(&i, "evidence");
    assert_eq!(code, 0, "a sound vault verifies: {text}");
    assert!(text.contains("evidence vault intact: 2 items"), "{text}");
    (i, item.id, events)
}

/// Both the store and the CLI find the tampering, name its kind and what it touched; exit 2.
async fn assert_named(i: &Instance, tamper: &str, names: &[&str]) {
    let r = i.store.verify_evidence().await.unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.tamper.as_str() == tamper && names.iter().all(|n| p.to_string().contains(n))),
        "expected a {tamper} problem naming {names:?}: {:#?}",
        r.problems
    );
    let (code, text) = cli_verify(i, "evidence");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains(&tamper.to_uppercase()),
        "CLI names the kind {tamper}: {text}"
    );
    for n in names {
        assert!(text.contains(n), "CLI names {n}: {text}");
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_custody_events() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    let upd = sqlx::query("UPDATE custody_events SET actor = 'x' WHERE item_id = $1")
        .bind(&item)
        .execute(&raw)
        .await;
    assert!(upd.is_err());
    let del = sqlx::query("DELETE FROM custody_events WHERE item_id = $1")
        .bind(&item)
        .execute(&raw)
        .await;
    assert!(del.is_err());
    assert_eq!(cli_verify(&i, "evidence").0, 0);
}

#[tokio::test]
async fn a_flipped_byte_in_a_stored_file_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let sha: String = sqlx::query("SELECT sha256 FROM evidence_items WHERE id = $1")
        .bind(&item)
        .fetch_one(&i.raw().await)
        .await
        .unwrap()
        .get("sha256");
    let mut b = i.stored_blob(&sha).await;
    b[70_000] ^= 0x01;
    i.replace_stored_blob(&sha, b).await;
    assert_named(&i, "altered", &[&item, &sha, "segment 1"]).await;
    // A download of the altered file fails its check instead of serving altered bytes.
    let c = i.access("custodian").await;
    let (_, mut r) = c.evidence_download(&item).await.unwrap();
    let mut err = None;
    loop {
        match r.next_chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
        }
    }
    assert!(err.unwrap().contains("fails authentication"));
}

#[tokio::test]
async fn a_removed_file_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let sha: String = sqlx::query("SELECT sha256 FROM evidence_items WHERE id = $1")
        .bind(&item)
        .fetch_one(&i.raw().await)
        .await
        .unwrap()
        .get("sha256");
    i.remove_stored_blob(&sha).await;
    assert_named(&i, "missing", &[&item, &sha]).await;
}

#[tokio::test]
async fn an_edited_custody_event_is_named() {
    let (i, item, events) = tamper_fixture().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["custody_events"]).await;
    sqlx::query("UPDATE custody_events SET actor = 'someone-else' WHERE id = $1")
        .bind(&events[2])
        .execute(&raw)
        .await
        .unwrap();
    assert_named(&i, "edited", &[&item, &events[2], "#3"]).await;
}

#[tokio::test]
async fn a_deleted_custody_event_is_named() {
    let (i, item, events) = tamper_fixture().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["custody_events"]).await;
    sqlx::query("DELETE FROM custody_events WHERE id = $1")
        .bind(&events[1])
        .execute(&raw)
        .await
        .unwrap();
    // Named at the event after the gap, which says what is missing.
    assert_named(&i, "deleted", &[&item, &events[2], "#2"]).await;
}

#[tokio::test]
async fn a_deleted_last_event_is_named_even_with_the_head_rolled_back() {
    let (i, item, events) = tamper_fixture().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["custody_events"]).await;
    // Remove the last event and roll the item's head back to the one before (with its old,
    // genuine head signature, as from an earlier copy of the database): only the audit log's
    // second record of the chain still tells.
    let prev: (i64, String) = {
        let r = sqlx::query("SELECT seq, hash FROM custody_events WHERE id = $1")
            .bind(&events[2])
            .fetch_one(&raw)
            .await
            .unwrap();
        (r.get("seq"), r.get("hash"))
    };
    sqlx::query("DELETE FROM custody_events WHERE id = $1")
        .bind(&events[3])
        .execute(&raw)
        .await
        .unwrap();
    assert_named(&i, "deleted", &[&item, "#3", "#4"]).await;
    let keys = grotius_security::EvidenceKeys::load(i.data()).unwrap();
    let sig = keys.sign(&grotius_domain::evidence::head_message(
        &item, prev.0, &prev.1,
    ));
    sqlx::query("UPDATE evidence_items SET custody_seq = $1, custody_hash = $2, custody_sig = $3 WHERE id = $4")
        .bind(prev.0)
        .bind(&prev.1)
        .bind(&sig)
        .bind(&item)
        .execute(&raw)
        .await
        .unwrap();
    assert_named(
        &i,
        "deleted",
        &[&item, "audit log recorded custody event #4"],
    )
    .await;
}

#[tokio::test]
async fn an_inserted_custody_event_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    // A well-formed event (correct links and hash) that the instance never signed.
    let last = sqlx::query("SELECT hash FROM custody_events WHERE item_id = $1 AND seq = 4")
        .bind(&item)
        .fetch_one(&raw)
        .await
        .unwrap();
    let record = grotius_domain::evidence::CustodyRecord {
        item_id: item.clone(),
        seq: 5,
        kind: "download".into(),
        at: 1_800_000_000_000_000,
        actor: "custodian".into(),
        detail: "{}".into(),
        prev_hash: last.get("hash"),
    };
    sqlx::query(
        "INSERT INTO custody_events (id, item_id, seq, kind, at, actor, detail, prev_hash, hash, signature)
         VALUES ('forged-event', $1, 5, 'download', $2, 'custodian', '{}', $3, $4, $5)",
    )
    .bind(&item)
    .bind(record.at)
    .bind(&record.prev_hash)
    .bind(record.hash())
    .bind("00".repeat(64))
    .execute(&raw)
    .await
    .unwrap();
    assert_named(&i, "inserted", &[&item, "forged-event", "#5"]).await;
}

#[tokio::test]
async fn reordered_custody_events_are_named() {
    let (i, item, events) = tamper_fixture().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["custody_events"]).await;
    for (id, seq) in [(&events[1], 100), (&events[2], 2), (&events[1], 3)] {
        sqlx::query("UPDATE custody_events SET seq = $1 WHERE id = $2")
            .bind(seq)
            .bind(id)
            .execute(&raw)
            .await
            .unwrap();
    }
    assert_named(&i, "reordered", &[&item, &events[1], "recorded as #2"]).await;
    assert_named(&i, "reordered", &[&item, &events[2], "recorded as #3"]).await;
}

#[tokio::test]
async fn edited_metadata_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    sqlx::query("UPDATE evidence_items SET captured_at = captured_at + 3600000000 WHERE id = $1")
        .bind(&item)
        .execute(&raw)
        .await
        .unwrap();
    assert_named(&i, "metadata", &[&item, "capture metadata changed"]).await;
}

// ─── HTTP: resumable upload, download, leakage ─────────────────────────────────────────────

/// Every problem of the vault names `item` (nothing else was touched).
async fn only_item_named(i: &Instance, item: &str) {
    let r = i.store.verify_evidence().await.unwrap();
    assert!(
        r.problems.iter().all(|p| p.to_string().contains(item)),
        "{:#?}",
        r.problems
    );
}

#[tokio::test]
async fn a_lowered_classification_or_changed_compartment_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    sqlx::query("UPDATE evidence_items SET classification = $1 WHERE id = $2")
        .bind(grotius_domain::Classification::Internal.level())
        .bind(&item)
        .execute(&raw)
        .await
        .unwrap();
    assert_named(
        &i,
        "metadata",
        &[
            &item,
            "classification 'internal' differs from the ingest event's 'confidential' (relabelled)",
        ],
    )
    .await;
    only_item_named(&i, &item).await;
    sqlx::query(
        "UPDATE evidence_items SET classification = $1, compartment_id = NULL WHERE id = $2",
    )
    .bind(grotius_domain::Classification::Confidential.level())
    .bind(&item)
    .execute(&raw)
    .await
    .unwrap();
    assert_named(
        &i,
        "metadata",
        &[
            &item,
            "compartment (none) differs from the ingest event's evidence-sudan (relabelled)",
        ],
    )
    .await;
    only_item_named(&i, &item).await;
    // Raised is changed too: labels are what the ingest recorded.
    sqlx::query("UPDATE evidence_items SET classification = $1, compartment_id = 'evidence-sudan' WHERE id = $2")
        .bind(grotius_domain::Classification::Secret.level())
        .bind(&item)
        .execute(&raw)
        .await
        .unwrap();
    assert_named(&i, "metadata", &[&item, "classification 'secret'"]).await;
}

#[tokio::test]
async fn changed_lineage_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    let other: String = sqlx::query("SELECT id FROM evidence_items WHERE id <> $1")
        .bind(&item)
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("id");
    // The untouched original made to look like a working copy of the first item.
    sqlx::query("UPDATE evidence_items SET parent_id = $1, derivation = 'crop' WHERE id = $2")
        .bind(&item)
        .bind(&other)
        .execute(&raw)
        .await
        .unwrap();
    assert_named(
        &i,
        "metadata",
        &[
            &other,
            &format!("parent {item} differs from the ingest event's (none)"),
        ],
    )
    .await;
    only_item_named(&i, &other).await;
}

#[tokio::test]
async fn an_item_deleted_with_its_custody_events_and_file_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    lift_append_only_guard(&raw, &["custody_events"]).await;
    let sha: String = sqlx::query("SELECT sha256 FROM evidence_items WHERE id = $1")
        .bind(&item)
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("sha256");
    for sql in [
        "DELETE FROM custody_events WHERE item_id = $1",
        "DELETE FROM evidence_items WHERE id = $1",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&item)
            .execute(&raw)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM evidence_blobs WHERE sha256 = $1")
        .bind(&sha)
        .execute(&raw)
        .await
        .unwrap();
    i.remove_stored_blob(&sha).await;
    assert_named(
        &i,
        "missing",
        &[
            &item,
            "the audit log recorded its ingest",
            "4 custody event(s), but the item is not in the vault (deleted)",
        ],
    )
    .await;
    only_item_named(&i, &item).await;
}

#[tokio::test]
async fn an_item_deleted_with_the_end_of_the_audit_log_is_named() {
    let (i, _, _) = tamper_fixture().await;
    let raw = i.raw().await;
    // The head before the last item, as a backup holds it.
    let old: (i64, String, String) = {
        let r = sqlx::query("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
            .fetch_one(&raw)
            .await
            .unwrap();
        (r.get("seq"), r.get("hash"), r.get("mac"))
    };
    let c = i.access("custodian").await;
    let last = c
        .evidence_ingest_bytes(&capture("v.bin", "confidential"), &bytes(5, 2000))
        .await
        .unwrap()
        .item;
    lift_append_only_guard(&raw, &["custody_events"]).await;
    if is_postgres() {
        raw.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .await
            .unwrap();
    } else {
        raw.execute("DROP TRIGGER audit_log_no_delete")
            .await
            .unwrap();
    }
    for sql in [
        "DELETE FROM custody_events WHERE item_id = $1",
        "DELETE FROM evidence_items WHERE id = $1",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&last.id)
            .execute(&raw)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(old.0)
        .execute(&raw)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
        .bind(old.0)
        .bind(&old.1)
        .bind(&old.2)
        .execute(&raw)
        .await
        .unwrap();
    assert_named(
        &i,
        "edited",
        &[
            "the audit log the vault is checked against is broken",
            "audit log truncated",
        ],
    )
    .await;
}

#[tokio::test]
async fn an_item_put_into_the_vault_directly_is_named() {
    let (i, item, _) = tamper_fixture().await;
    let raw = i.raw().await;
    // A copy of the item's row under a new id, with no ingest the audit log knows of.
    sqlx::query(
        "INSERT INTO evidence_items (id, sha256, size, media_type, parent_id, derivation, incident_id, captured_at, capture_tool, capture_tool_version, method, sensitive, metadata_hash, classification, compartment_id, created_by, created_at, custody_seq, custody_hash, custody_sig)
         SELECT 'planted-item', sha256, size, media_type, parent_id, derivation, incident_id, captured_at, capture_tool, capture_tool_version, method, sensitive, metadata_hash, classification, compartment_id, created_by, created_at, 0, custody_hash, '' FROM evidence_items WHERE id = $1",
    )
    .bind(&item)
    .execute(&raw)
    .await
    .unwrap();
    assert_named(
        &i,
        "inserted",
        &[
            "planted-item",
            "the audit log never recorded the ingest of this item",
        ],
    )
    .await;
}

async fn start(app: &App, token: &str, length: usize) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/evidence/uploads"))
        .bearer_auth(token)
        .header("Upload-Length", length.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/api/v1/evidence/uploads/")
    );
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn patch(
    app: &App,
    token: &str,
    id: &str,
    offset: usize,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/evidence/uploads/{id}")))
        .bearer_auth(token)
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn head_offset(app: &App, token: &str, id: &str) -> (u16, Option<u64>) {
    let r = app
        .client
        .head(app.url(&format!("/api/v1/evidence/uploads/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (
        r.status().as_u16(),
        r.headers()
            .get("upload-offset")
            .and_then(|v| v.to_str().ok()?.parse().ok()),
    )
}

fn meta(name: &str) -> Value {
    json!({"title": format!("API {name}"), "captured_at": "2026-02-01T08:00:00Z", "collector": "API tester",
           "method": "screenshot", "original_name": name, "classification": "confidential", "compartment": "evidence-sudan",
           "capture_tool": "curl", "capture_tool_version": "8.5", "source_url": "https://example.org/p"})
}

/// Uploads in two parts (with a resume check) and completes; returns the item.
async fn api_upload(app: &App, token: &str, data: &[u8], name: &str) -> Value {
    let id = start(app, token, data.len()).await;
    let half = data.len() / 2 + 3;
    let r = patch(app, token, &id, 0, data[..half].to_vec()).await;
    assert_eq!(r.status(), 204);
    assert_eq!(r.headers()["upload-offset"], half.to_string().as_str());
    assert_eq!(head_offset(app, token, &id).await, (200, Some(half as u64)));
    // A wrong offset is refused and changes nothing.
    let r = patch(app, token, &id, 1, data[1..].to_vec()).await;
    assert_eq!(r.status(), 409);
    assert_eq!(head_offset(app, token, &id).await.1, Some(half as u64));
    // Completing early is refused.
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{id}/complete"),
            token,
            Some(meta(name)),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let r = patch(app, token, &id, half, data[half..].to_vec()).await;
    assert_eq!(r.status(), 204);
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{id}/complete"),
            token,
            Some(meta(name)),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v
}

#[tokio::test]
async fn api_upload_resumes_and_downloads_are_custody_events() {
    let app = App::spawn().await;
    let doc = app.token("documenter").await;
    let cus = app.token("custodian").await;
    let data = bytes(11, 300_000);
    let v = api_upload(&app, &doc, &data, "scene.png").await;
    let id = v["item"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["item"]["sha256"], sha(&data).as_str());
    assert_eq!(v["item"]["media_type"], "image/png");
    assert_eq!(v["item"]["captured_at"], "2026-02-01T08:00:00Z");

    // Someone else's upload does not exist for you.
    let other = start(&app, &doc, 10).await;
    assert_eq!(head_offset(&app, &cus, &other).await.0, 404);
    assert_eq!(
        patch(&app, &cus, &other, 0, vec![1; 10]).await.status(),
        404
    );
    // Too many bytes for the declared length.
    assert_eq!(
        patch(&app, &doc, &other, 0, vec![1; 11]).await.status(),
        422
    );

    // Download: the exact bytes, with the hash; then the custody chain shows it.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/evidence/{id}/content")))
        .bearer_auth(&cus)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["x-content-sha256"],
        format!("sha-256={}", sha(&data)).as_str()
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), data);
    let (s, c) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{id}/custody"),
            &cus,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let kinds: Vec<&str> = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["ingest", "download"]);
    assert_eq!(c["items"][1]["actor"], "custodian");
    assert_eq!(c["items"][1]["prev_hash"], c["items"][0]["hash"]);
    // Viewing the record is one too.
    let (s, _) = app
        .api(Method::GET, &format!("/api/v1/evidence/{id}"), &cus, None)
        .await;
    assert_eq!(s, 200);
    let (_, c) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{id}/custody"),
            &cus,
            None,
        )
        .await;
    assert_eq!(c["items"].as_array().unwrap().len(), 3);

    // A working copy over the API.
    let copy = bytes(12, 1000);
    let up = start(&app, &cus, copy.len()).await;
    assert_eq!(patch(&app, &cus, &up, 0, copy.clone()).await.status(), 204);
    let mut m = meta("scene-redacted.png");
    m["parent_id"] = json!(id);
    m["derivation"] = json!("redaction");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{up}/complete"),
            &cus,
            Some(m),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let (_, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{id}/derived"),
            &cus,
            None,
        )
        .await;
    assert_eq!(d["items"][0]["id"], v["item"]["id"]);
    assert_eq!(d["items"][0]["derivation"], "redaction");

    // Captured web pages are served as bytes, never rendered in the platform's origin.
    let page = api_upload(
        &app,
        &cus,
        b"<html><script>alert(1)</script></html>",
        "capture.html",
    )
    .await;
    assert_eq!(page["item"]["media_type"], "text/html");
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/evidence/{}/content",
            page["item"]["id"].as_str().unwrap()
        )))
        .bearer_auth(&cus)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
}

#[tokio::test]
async fn mediation_roles_and_outsiders_learn_nothing_about_evidence() {
    let app = App::spawn().await;
    let cus = app.token("custodian").await;
    let conf = api_upload(&app, &cus, &bytes(1, 5000), "conf.bin").await["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A secret item: the legal adviser (confidential clearance) may not see it.
    let up = start(&app, &cus, 100).await;
    assert_eq!(patch(&app, &cus, &up, 0, bytes(2, 100)).await.status(), 204);
    let mut m = meta("secret.bin");
    m["classification"] = json!("secret");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{up}/complete"),
            &cus,
            Some(m),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let secret = v["item"]["id"].as_str().unwrap().to_string();

    // An evidence custodian outside the compartment, and one in another compartment.
    let op = app.instance.store.cli_operator();
    op.create_compartment(
        "evidence-yemen",
        "Evidence: Yemen",
        "",
        grotius_domain::separation::WorkDomain::Evidence,
    )
    .await
    .unwrap();
    for name in ["outside-custodian", "yemen-custodian"] {
        let u = op
            .create_user(&grotius_store::NewUser {
                username: name.into(),
                display_name: name.into(),
                password: crate::harness::PASSWORD.into(),
                roles: vec![grotius_domain::Role::Custodian],
                clearance: grotius_domain::Classification::Secret,
                organisation: None,
            })
            .await
            .unwrap();
        if name == "yemen-custodian" {
            op.add_member("evidence-yemen", &u.id, "test")
                .await
                .unwrap();
        }
    }
    for (user, list_status, total, sees_conf, sees_secret) in [
        ("admin", 404, 0, false, false),
        ("coordinator", 404, 0, false, false),
        ("desk-officer", 404, 0, false, false),
        ("analyst", 404, 0, false, false),
        ("adviser", 404, 0, false, false),
        ("auditor", 404, 0, false, false),
        ("partner", 404, 0, false, false),
        ("fund-officer", 404, 0, false, false),
        ("outside-custodian", 200, 0, false, false),
        ("yemen-custodian", 200, 0, false, false),
        ("legal-adviser", 200, 1, true, false),
        ("documenter", 200, 2, true, true),
        ("custodian", 200, 2, true, true),
    ] {
        let t = app.token(user).await;
        let (s, v) = app.api(Method::GET, "/api/v1/evidence", &t, None).await;
        assert_eq!(s, list_status, "{user}: list");
        if s == 200 {
            assert_eq!(v["total"], total, "{user}: total");
            assert_eq!(
                v["items"].as_array().unwrap().len() as i64,
                total,
                "{user}: items"
            );
        } else {
            assert_eq!(v["error"]["code"], "not_found", "{user}");
        }
        for (id, sees) in [(&conf, sees_conf), (&secret, sees_secret)] {
            for path in ["", "/content", "/custody", "/derived"] {
                let (s, _) = app
                    .api(
                        Method::GET,
                        &format!("/api/v1/evidence/{id}{path}"),
                        &t,
                        None,
                    )
                    .await;
                assert_eq!(s == 200, sees, "{user}: GET evidence/{{id}}{path} → {s}");
                if !sees {
                    assert_eq!(s, 404, "{user}: {path}");
                }
            }
        }
        let b = app.browser(user).await;
        let (s, html) = b.get(&format!("/evidence/{conf}")).await;
        assert_eq!(s == 200, sees_conf, "{user}: UI item");
        if sees_conf {
            assert!(html.contains("API conf.bin"));
        }
        let (s, _) = b.get(&format!("/evidence/{conf}/download")).await;
        assert_eq!(s == 200, sees_conf, "{user}: UI download");
        let (_, home) = b.get("/").await;
        assert_eq!(
            home.contains("href=\"/evidence\""),
            list_status == 200,
            "{user}: nav"
        );
    }
    // The same bytes uploaded in another compartment are stored once, but nothing tells the
    // uploader (or the chain) that they exist elsewhere.
    let yt = app.token("yemen-custodian").await;
    let id = start(&app, &yt, 5000).await;
    assert_eq!(patch(&app, &yt, &id, 0, bytes(1, 5000)).await.status(), 204);
    let mut m = meta("same.bin");
    m["compartment"] = json!("evidence-yemen");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{id}/complete"),
            &yt,
            Some(m),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["duplicate_of"], json!([]));
    let yid = v["item"]["id"].as_str().unwrap();
    let (_, c) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{yid}/custody"),
            &yt,
            None,
        )
        .await;
    assert_eq!(c["items"][0]["detail"]["copy_of"], json!([]));
    let (_, c) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{conf}/custody"),
            &cus,
            None,
        )
        .await;
    assert!(
        !c.to_string().contains(yid),
        "no copy event across compartments"
    );
    assert_eq!(count(&app.instance.raw().await, "evidence_blobs").await, 2);
    // Filing into a compartment one does not belong to is refused without a hint.
    let id = start(&app, &yt, 10).await;
    assert_eq!(patch(&app, &yt, &id, 0, vec![0; 10]).await.status(), 204);
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{id}/complete"),
            &yt,
            Some(meta("x.bin")),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("compartment")
    );
}

// ─── UI ─────────────────────────────────────────────────────────────────────────────────────

pub(crate) fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----grotius-test-boundary-7d1f";
    let mut body = Vec::new();
    for (k, v) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        file.0
    )
    .unwrap();
    body.extend_from_slice(file.1);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_ui_uploads_shows_custody_and_builds_packages_without_javascript() {
    let app = App::spawn().await;
    let b = app.browser("documenter").await;
    let (s, form) = b.get("/evidence/new").await;
    assert_eq!(s, 200);
    assert!(form.contains("enctype=\"multipart/form-data\""));
    let data = bytes(5, 70_000);
    let fields = [
        ("title", "Photo of the clinic"),
        ("captured_at", "2026-01-05T10:30"),
        ("collector", "Field team"),
        ("method", "photograph"),
        ("classification", "confidential"),
        ("compartment", "evidence-sudan"),
    ];
    // Without the CSRF token in the action, refused.
    let (ct, body) = multipart(&fields, ("clinic.jpg", &data));
    let r = b
        .client
        .post(format!("{}/evidence", b.base))
        .header("content-type", &ct)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // An invalid form repeats the input and names the field; nothing is filed.
    let mut bad = fields.to_vec();
    bad[2] = ("collector", "");
    let (ct2, body2) = multipart(&bad, ("clinic.jpg", &data));
    let r = b
        .client
        .post(format!("{}/evidence?_csrf={}", b.base, b.csrf))
        .header("content-type", &ct2)
        .body(body2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("collector") && html.contains("Photo of the clinic"),
        "{html}"
    );
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "evidence_items").await, 0);
    assert_eq!(count(&raw, "evidence_uploads").await, 0);
    let r = b
        .client
        .post(format!("{}/evidence?_csrf={}", b.base, b.csrf))
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let (s, page) = b.get(&loc).await;
    assert_eq!(s, 200);
    assert!(page.contains("Photo of the clinic"));
    assert!(page.contains(&sha(&data)));
    assert!(page.contains("2026-01-05T10:30:00Z"), "capture time in UTC");
    assert!(
        page.contains("Ingested") && page.contains("Viewed"),
        "custody timeline"
    );
    let (s, list) = b.get("/evidence").await;
    assert_eq!(s, 200);
    assert!(list.contains("Photo of the clinic"));
    let r = b
        .client
        .get(format!("{}{loc}/download", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), data);

    // Dutch.
    let nl = b
        .client
        .get(format!("{}/lang/nl?next=/evidence", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(nl.status(), 303);
    let (_, list) = b.get("/evidence").await;
    assert!(list.contains("Bewijskluis"));

    // The custodian builds a package in the form; the documenter has nothing to do with packages.
    let item = loc.trim_start_matches("/evidence/");
    let (s, _, _) = b
        .post(
            "/evidence/packages",
            &[
                ("recipient", "ICC OTP"),
                ("recipient_kind", "icc"),
                ("use_restrictions", "Only for the case."),
                ("items", item),
            ],
        )
        .await;
    assert_eq!(s, 404);
    let c = app.browser("custodian").await;
    let (s, page) = c.get("/evidence/packages").await;
    assert_eq!(s, 200);
    assert!(page.contains(item), "the builder lists the item");
    let (s, html, _) = c
        .post(
            "/evidence/packages",
            &[
                ("recipient", "ICC OTP"),
                ("recipient_kind", "icc"),
                ("use_restrictions", ""),
                ("items", item),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("use_restrictions") && html.contains("ICC OTP"));
    let (s, _, loc) = c
        .post(
            "/evidence/packages",
            &[
                ("recipient", "ICC OTP"),
                ("recipient_kind", "icc"),
                ("use_restrictions", "Only for the case."),
                ("items", item),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let loc = loc.unwrap();
    let (s, page) = c.get(&loc).await;
    assert_eq!(s, 200);
    assert!(page.contains("grotius package verify"));
    let r = c
        .client
        .get(format!("{}{loc}/download", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-tar");
    let tar = r.bytes().await.unwrap();
    assert!(tar.len() > data.len());
    assert_eq!(tar.len() % 512, 0);
}

// ─── Transfer packages ─────────────────────────────────────────────────────────────────────

fn package_verify(path: &std::path::Path, key: &str) -> (i32, String) {
    let out = Command::new(bin())
        .args(["package", "verify"])
        .arg(path)
        .args(["--key", key])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The entries of a tar file up to its end-of-archive marker: (full name, offset of the header,
/// size of the content, offset past the entry's padded content).
fn tar_entries(tar: &[u8]) -> Vec<(String, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 512 <= tar.len() && tar[at..at + 512].iter().any(|b| *b != 0) {
        let h = &tar[at..at + 512];
        let name = String::from_utf8_lossy(&h[..100])
            .trim_end_matches('\0')
            .to_string();
        let prefix = String::from_utf8_lossy(&h[345..500])
            .trim_end_matches('\0')
            .to_string();
        let name = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&h[124..135]).trim(), 8).unwrap();
        let end = at + 512 + size.div_ceil(512) * 512;
        out.push((name, at, size, end));
        at = end;
    }
    out
}

/// Entries of a tar file: name → (offset of the content, content).
fn untar(tar: &[u8]) -> BTreeMap<String, (usize, Vec<u8>)> {
    tar_entries(tar)
        .into_iter()
        .map(|(name, at, size, _)| (name, (at + 512, tar[at + 512..at + 512 + size].to_vec())))
        .collect()
}

#[tokio::test]
async fn packages_verify_offline_and_detect_any_change() {
    let app = App::spawn().await;
    let cus = app.token("custodian").await;
    let a = api_upload(&app, &cus, &bytes(21, 90_000), "one.png").await["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = api_upload(&app, &cus, &bytes(22, 700), "two.pdf").await["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The documenter has nothing to do with packages; the legal adviser reads but cannot build.
    for (user, status) in [("documenter", 404), ("legal-adviser", 403)] {
        let t = app.token(user).await;
        let (s, _) = app
            .api(Method::POST, "/api/v1/evidence/packages", &t, Some(json!({"recipient": "FFM", "recipient_kind": "ffm", "use_restrictions": "x", "items": [a]})))
            .await;
        assert_eq!(s, status, "{user}");
    }
    let (s, v) = app
        .api(Method::POST, "/api/v1/evidence/packages", &cus, Some(json!({"recipient": "FFM Sudan", "recipient_kind": "ffm", "purpose": "Market attack",
            "use_restrictions": "For the Mission's investigation only.", "items": [a, b, "no-such-item"]})))
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, p) = app
        .api(Method::POST, "/api/v1/evidence/packages", &cus, Some(json!({"recipient": "FFM Sudan", "recipient_kind": "ffm", "purpose": "Market attack",
            "use_restrictions": "For the Mission's investigation only.", "items": [a, b]})))
        .await;
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["items"], 2);
    // The transfer is in each item's chain, with the manifest's hash.
    let (_, c) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{a}/custody"),
            &cus,
            None,
        )
        .await;
    let last = c["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "transfer");
    assert_eq!(last["detail"]["manifest_sha256"], p["manifest_sha256"]);

    let r = app
        .client
        .get(app.url(&format!("/api/v1/evidence/packages/{pid}/download")))
        .bearer_auth(&cus)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tar = r.bytes().await.unwrap().to_vec();
    let (_, c) = app
        .api(
            Method::GET,
            &format!("/api/v1/evidence/{b}/custody"),
            &cus,
            None,
        )
        .await;
    assert_eq!(
        c["items"].as_array().unwrap().last().unwrap()["kind"],
        "export"
    );

    // The key the recipient gets separately: from the CLI (and the API agrees).
    let out = Command::new(bin())
        .args(["evidence", "pubkey", "--data"])
        .arg(app.instance.data())
        .output()
        .unwrap();
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let (_, k) = app
        .api(Method::GET, "/api/v1/evidence/pubkey", &cus, None)
        .await;
    assert_eq!(k["public_key"], key.as_str());
    assert_eq!(p["public_key"], key.as_str());

    // Offline: a copy of the package in a directory of its own, no database, no data dir.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("package.tar");
    std::fs::write(&file, &tar).unwrap();
    let (code, text) = package_verify(&file, &key);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("package intact: 2 files"), "{text}");
    let key_file = dir.path().join("sender.key");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    assert_eq!(package_verify(&file, key_file.to_str().unwrap()).0, 0);

    let entries = untar(&tar);
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"].1).unwrap();
    let file_a = manifest["items"][0]["file"].as_str().unwrap().to_string();
    assert!(entries.contains_key(&file_a));
    assert_eq!(
        manifest["items"][0]["sha256"],
        sha(&entries[&file_a].1).as_str()
    );
    assert_eq!(
        manifest["use_restrictions"],
        "For the Mission's investigation only."
    );
    assert_eq!(manifest["items"][0]["capture"]["collector"], "API tester");

    // A flipped byte in a file.
    let mut t = tar.clone();
    t[entries[&file_a].0 + 10] ^= 1;
    std::fs::write(&file, &t).unwrap();
    let (code, text) = package_verify(&file, &key);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains(&file_a) && text.contains("altered"), "{text}");
    // A changed manifest.
    let mut t = tar.clone();
    let m = entries["manifest.json"].0;
    let pos = m + String::from_utf8_lossy(&entries["manifest.json"].1)
        .find("Market attack")
        .unwrap();
    t[pos] = b'm';
    std::fs::write(&file, &t).unwrap();
    let (code, text) = package_verify(&file, &key);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("signature does not verify"), "{text}");
    // Another key.
    std::fs::write(&file, &tar).unwrap();
    let (code, text) = package_verify(&file, &"ab".repeat(32));
    assert_eq!(code, 2, "{text}");

    // Unpacked into a directory: intact; then a removed file and an added one are named.
    let unpacked = dir.path().join("unpacked");
    for (name, (_, content)) in &entries {
        let p = unpacked.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    let (code, text) = package_verify(&unpacked, &key);
    assert_eq!(code, 0, "{text}");
    std::fs::write(unpacked.join("files/extra.txt"), b"planted").unwrap();
    let (code, text) = package_verify(&unpacked, &key);
    assert_eq!(code, 2);
    assert!(
        text.contains("files/extra.txt") && text.contains("added"),
        "{text}"
    );
    std::fs::remove_file(unpacked.join("files/extra.txt")).unwrap();
    std::fs::remove_file(unpacked.join(&file_a)).unwrap();
    let (code, text) = package_verify(&unpacked, &key);
    assert_eq!(code, 2);
    assert!(text.contains(&file_a) && text.contains("missing"), "{text}");

    // The vault (packages included) still verifies.
    let r = app.instance.store.verify_evidence().await.unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.packages, 1);
}

/// A ustar header of any type, with a correct checksum.
fn tar_entry(name: &str, flag: u8, link: &str, content: &[u8]) -> Vec<u8> {
    let mut h = grotius_domain::evidence::tar_header(name, content.len() as u64, 1_700_000_000);
    h[156] = flag;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

/// The package's entries (without the end-of-archive marker), with `extra` appended and the
/// entries named in `drop` left out, closed by the marker.
fn crafted(tar: &[u8], drop: &[&str], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, at, _, end) in tar_entries(tar) {
        if !drop.contains(&name.as_str()) {
            out.extend_from_slice(&tar[at..end]);
        }
    }
    for e in extra {
        out.extend_from_slice(e);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[tokio::test]
async fn package_verify_refuses_every_entry_the_manifest_does_not_list() {
    let app = App::spawn().await;
    let cus = app.token("custodian").await;
    let a = api_upload(&app, &cus, &bytes(41, 3000), "one.png").await["item"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, p) = app
        .api(Method::POST, "/api/v1/evidence/packages", &cus, Some(json!({"recipient": "FFM Sudan", "recipient_kind": "ffm", "purpose": "Market attack",
            "use_restrictions": "For the Mission's investigation only.", "items": [a]})))
        .await;
    assert_eq!(s, 201, "{p}");
    let pid = p["id"].as_str().unwrap();
    let key = p["public_key"].as_str().unwrap().to_string();
    let tar = app
        .client
        .get(app.url(&format!("/api/v1/evidence/packages/{pid}/download")))
        .bearer_auth(&cus)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let entries = untar(&tar);
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"].1).unwrap();
    let file_a = manifest["items"][0]["file"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("package.tar");
    let check = |bytes: &[u8], expected: &[&str]| {
        std::fs::write(&file, bytes).unwrap();
        let (code, text) = package_verify(&file, &key);
        (
            code,
            text,
            expected.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        )
    };
    // Our own re-assembly of the untouched package still verifies.
    let (code, text, _) = check(&crafted(&tar, &[], &[]), &[]);
    assert_eq!(code, 0, "{text}");

    let hard_link = format!("files/again: a hard link to {file_a}");
    let twice = format!("{file_a}: appears 2 times");
    let missing = format!("{file_a}: missing");
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "symlink",
            crafted(
                &tar,
                &[],
                &[tar_entry(
                    "files/passwd",
                    b'2',
                    "../../../../etc/passwd",
                    b"",
                )],
            ),
            vec!["files/passwd: a symbolic link to ../../../../etc/passwd"],
        ),
        (
            "hard link",
            crafted(&tar, &[], &[tar_entry("files/again", b'1', &file_a, b"")]),
            vec![&hard_link],
        ),
        (
            "symlink in place of a listed file",
            crafted(
                &tar,
                &[&file_a],
                &[tar_entry(&file_a, b'2', "/etc/passwd", b"")],
            ),
            vec!["a symbolic link to /etc/passwd", "missing"],
        ),
        (
            "directory",
            crafted(&tar, &[], &[tar_entry("files/sub", b'5', "", b"")]),
            vec!["files/sub: a directory"],
        ),
        (
            "device",
            crafted(&tar, &[], &[tar_entry("files/dev", b'3', "", b"")]),
            vec!["files/dev: a character device"],
        ),
        (
            "fifo",
            crafted(&tar, &[], &[tar_entry("files/fifo", b'6', "", b"")]),
            vec!["files/fifo: a FIFO"],
        ),
        (
            "pax header",
            crafted(
                &tar,
                &[],
                &[tar_entry(
                    "PaxHeader/x",
                    b'x',
                    "",
                    b"30 path=files/renamed.bin\n",
                )],
            ),
            vec!["a pax header"],
        ),
        (
            "GNU long name",
            crafted(
                &tar,
                &[],
                &[tar_entry("././@LongLink", b'L', "", b"files/long\0")],
            ),
            vec!["a GNU long-name header"],
        ),
        (
            "duplicate file",
            crafted(&tar, &[], &[tar_entry(&file_a, b'0', "", b"other content")]),
            vec![&twice],
        ),
        (
            "duplicate manifest",
            crafted(&tar, &[], &[tar_entry("manifest.json", b'0', "", b"{}")]),
            vec!["manifest.json: appears 2 times"],
        ),
        (
            "path traversal",
            crafted(
                &tar,
                &[],
                &[tar_entry("../../evil.sh", b'0', "", b"echo owned")],
            ),
            vec![
                "climbs out of the package",
                "a file the manifest does not list",
            ],
        ),
        (
            "absolute path",
            crafted(&tar, &[], &[tar_entry("/tmp/evil", b'0', "", b"x")]),
            vec!["an absolute path"],
        ),
        (
            "listed file missing",
            crafted(&tar, &[&file_a], &[]),
            vec![&missing],
        ),
        (
            "data after the end",
            {
                let mut t = crafted(&tar, &[], &[]);
                t.extend_from_slice(&tar_entry("files/late", b'0', "", b"appended"));
                t
            },
            vec!["data after the end-of-archive marker"],
        ),
        (
            "cut short",
            tar[..entries[&file_a].0 + 100].to_vec(),
            vec!["cut short", "no end-of-archive marker"],
        ),
        (
            "damaged header",
            {
                let mut t = crafted(&tar, &[], &[tar_entry("files/x", b'0', "", b"x")]);
                let at = t.len() - 1024 - 1024;
                t[at + 148] = b'7';
                t
            },
            vec!["files/x: its header is damaged"],
        ),
    ];
    for (case, bytes, expected) in cases {
        let (code, text, expected) = check(&bytes, &expected);
        assert_eq!(code, 2, "{case}: {text}");
        for e in expected {
            assert!(text.contains(&e), "{case}: expected '{e}' in: {text}");
        }
    }

    // Unpacked: a symbolic link (to a file outside, or to a listed file) is named, never followed.
    let unpacked = dir.path().join("unpacked");
    for (name, (_, content)) in &entries {
        let p = unpacked.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    assert_eq!(package_verify(&unpacked, &key).0, 0);
    std::os::unix::fs::symlink("/etc/passwd", unpacked.join("files/passwd")).unwrap();
    let (code, text) = package_verify(&unpacked, &key);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("files/passwd: a symbolic link to /etc/passwd"),
        "{text}"
    );
    std::fs::remove_file(unpacked.join("files/passwd")).unwrap();
    let real = dir.path().join("real-a");
    std::fs::rename(unpacked.join(&file_a), &real).unwrap();
    std::os::unix::fs::symlink(&real, unpacked.join(&file_a)).unwrap();
    let (code, text) = package_verify(&unpacked, &key);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("a symbolic link to") && text.contains("missing"),
        "{text}"
    );
}

#[tokio::test]
async fn the_demo_vault_is_sound() {
    let i = Instance::demo().await;
    let c = i.access("custodian").await;
    let items = c.evidence_list(&Default::default(), 100, 0).await.unwrap();
    assert_eq!(items.total, 5);
    assert_eq!(
        items.items.iter().filter(|x| x.parent_id.is_some()).count(),
        1
    );
    let kinds: Vec<&str> = items
        .items
        .iter()
        .map(|x| x.capture.media_type.as_str())
        .collect();
    for k in ["image/png", "application/pdf", "audio/wav"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    assert_eq!(c.evidence_package_list().await.unwrap().len(), 1);
    // The legal adviser (confidential) sees the package and all but the secret statement.
    let l = i.access("legal-adviser").await;
    assert_eq!(
        l.evidence_list(&Default::default(), 100, 0)
            .await
            .unwrap()
            .total,
        4
    );
    assert_eq!(l.evidence_package_list().await.unwrap().len(), 1);
    let r = i.store.verify_evidence().await.unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.events >= 12, "{}", r.events);
    // Seeding again adds nothing.
    grotius::demo::seed(&i.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        c.evidence_list(&Default::default(), 100, 0)
            .await
            .unwrap()
            .total,
        5
    );
    // The generated files are what they say.
    let png = grotius::demo::evidence::png(4, 4, |_, _| [1, 2, 3]);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(grotius::demo::evidence::pdf(&["x"]).starts_with(b"%PDF-1.4"));
    assert_eq!(&grotius::demo::evidence::wav(1, 440.0)[..4], b"RIFF");
}

// ─── Bounded memory ────────────────────────────────────────────────────────────────────────

fn vm(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// One PATCH of `len` bytes, streamed from a generator over a raw HTTP/1.1 connection (the
/// test client holds 1 MiB at a time). Returns the status and the bytes' SHA-256.
async fn raw_patch(
    addr: &str,
    token: &str,
    id: &str,
    offset: u64,
    len: u64,
    hasher: &mut grotius_security::ContentHasher,
) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PATCH /api/v1/evidence/uploads/{id} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut sent = 0u64;
    let mut x = 0x2545_F491_4F6C_DD1Du64 ^ offset;
    while sent < len {
        let n = ((len - sent) as usize).min(buf.len());
        for c in buf[..n].chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.copy_from_slice(&x.to_le_bytes()[..c.len()]);
        }
        hasher.update(&buf[..n]);
        s.write_all(&buf[..n]).await.unwrap();
        sent += n as u64;
    }
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await.unwrap();
    let text = String::from_utf8_lossy(&resp);
    text.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_gigabyte_upload_completes_in_bounded_server_memory() {
    // The server is the real binary in its own process, so its peak memory is its own.
    let i = Instance::seeded().await;
    let data = i.data().to_path_buf();
    let store_args = i.database_args();
    i.store.close().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(bin());
    cmd.args(["serve", "--data"])
        .arg(&data)
        .args(["--bind", &addr])
        .args(&store_args);
    let mut server = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = server.id();
    let base = format!("http://{addr}");
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token: Value = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "documenter", "password": crate::harness::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let baseline = vm(pid, "VmRSS:");

    const TOTAL: u64 = 2 * 1024 * 1024 * 1024;
    let r = c
        .post(format!("{base}/api/v1/evidence/uploads"))
        .bearer_auth(&token)
        .header("Upload-Length", TOTAL.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let started = Instant::now();
    let mut hasher = grotius_security::ContentHasher::new();
    // Two requests of 1 GiB each, the second resuming at the offset the server reports.
    assert_eq!(
        raw_patch(&addr, &token, &id, 0, TOTAL / 2, &mut hasher).await,
        204
    );
    let r = c
        .head(format!("{base}/api/v1/evidence/uploads/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["upload-offset"],
        (TOTAL / 2).to_string().as_str()
    );
    assert_eq!(
        raw_patch(&addr, &token, &id, TOTAL / 2, TOTAL / 2, &mut hasher).await,
        204
    );
    let (status, v) = {
        let r = c
            .post(format!("{base}/api/v1/evidence/uploads/{id}/complete"))
            .bearer_auth(&token)
            .json(&meta("big.bin"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["item"]["size"], TOTAL);
    assert_eq!(
        v["item"]["sha256"],
        hasher.hex().as_str(),
        "hashed while streaming"
    );
    let secs = started.elapsed().as_secs_f64();
    let peak_kb = vm(pid, "VmHWM:");
    eprintln!(
        "2 GiB upload: {secs:.1} s ({:.0} MiB/s); server RSS {} MiB at rest, peak {} MiB",
        2048.0 / secs,
        baseline / 1024,
        peak_kb / 1024
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        peak_kb < 100 * 1024,
        "the server's peak memory was {} MiB (limit 100 MiB)",
        peak_kb / 1024
    );
    // Stored encrypted, a little larger than the plaintext (44 bytes per 64 KiB segment).
    let sha = v["item"]["sha256"].as_str().unwrap();
    let stored = i.stored_size(sha).await;
    assert_eq!(stored, TOTAL + (TOTAL / 65536) * 44);
}

#[tokio::test]
async fn a_broken_connection_keeps_what_arrived_and_the_upload_resumes() {
    let app = App::spawn().await;
    let doc = app.token("documenter").await;
    let data = bytes(31, 300_000);
    let id = start(&app, &doc, data.len()).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "PATCH /api/v1/evidence/uploads/{id} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {doc}\r\n\
             Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
            data.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        s.write_all(&data[..123_456]).await.unwrap();
        s.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The connection drops mid-body.
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let offset = loop {
        let (s, o) = head_offset(&app, &doc, &id).await;
        // 409-free HEAD once the broken request has let go of the upload.
        if s == 200 && o == Some(123_456) {
            break 123_456usize;
        }
        assert!(
            Instant::now() < deadline,
            "offset after the break: {s} {o:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let r = patch(&app, &doc, &id, offset, data[offset..].to_vec()).await;
    assert_eq!(r.status(), 204);
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/evidence/uploads/{id}/complete"),
            &doc,
            Some(meta("resumed.bin")),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["item"]["sha256"], sha(&data).as_str());
}

/// `grotius migrate-blobs` moves a running instance's files from its data directory to the
/// object store: each read back and verified there, a second run skips what is there, and the
/// vault then verifies and serves from the object store. Needs `GROTIUS_TEST_BLOBS` (in CI's
/// PostgreSQL step, where it is required).
#[tokio::test]
async fn migrate_blobs_moves_files_to_the_object_store_verified_and_resumable() {
    let Some(base) = crate::harness::test_blobs() else {
        assert!(
            std::env::var_os("CI").is_none() || !crate::harness::is_postgres(),
            "GROTIUS_TEST_BLOBS (an S3 object store: .ci/garage.sh) is missing in CI's PostgreSQL step"
        );
        eprintln!("NOT RUN: migrate-blobs needs GROTIUS_TEST_BLOBS (an S3 object store)");
        return;
    };
    let mut i = Instance::seeded().await;
    i.blobs = None;
    i.store = i
        .store
        .clone()
        .with_blobs(grotius_store::BlobStore::Local(i.data().join("evidence")));
    let c = i.access("custodian").await;
    // One file of several part objects (more than 8 MiB), one small, one empty.
    let big = bytes(41, 9 * 1024 * 1024 + 12_345);
    let small = bytes(42, 777);
    let mut items = Vec::new();
    for (name, data) in [
        ("big.bin", &big[..]),
        ("small.bin", &small[..]),
        ("empty.bin", &[][..]),
    ] {
        items.push(
            c.evidence_ingest_bytes(&capture(name, "confidential"), data)
                .await
                .unwrap()
                .item,
        );
    }
    let to = format!("{base}/m-{}", uuid::Uuid::new_v4().simple());
    let run = |args: &[&str]| {
        let out = Command::new(bin())
            .args(args)
            .arg("--data")
            .arg(i.data())
            .args(i.database_args())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    // An unfinished upload stops the move before anything is copied.
    let pending = c.evidence_upload_start(Some(10)).await.unwrap();
    let (code, text) = run(&["migrate-blobs", "--to", &to]);
    assert_ne!(code, 0, "{text}");
    assert!(text.contains("1 upload(s) are unfinished"), "{text}");
    c.evidence_upload_cancel(&pending.id).await.unwrap();

    let (code, text) = run(&["migrate-blobs", "--to", &to]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("3 file(s) copied and verified") && text.contains("0 already there"),
        "{text}"
    );
    assert!(
        text.contains("[########################################] 3/3 files"),
        "{text}"
    );
    let (code, text) = run(&["migrate-blobs", "--to", &to]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("0 file(s) copied") && text.contains("3 already there and whole"),
        "a second run resumes: {text}"
    );

    // The vault on the object store: verified by the CLI, read back whole by the store.
    let (code, text) = run(&["evidence", "verify", "--blobs", &to]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("evidence vault intact: 3 items"), "{text}");
    let moved = i
        .store
        .clone()
        .with_blobs(grotius_store::BlobStore::from_url(&to).unwrap());
    let op = moved
        .cli_act_as(&c.subject().user_id)
        .await
        .unwrap()
        .unwrap();
    for (item, data) in items.iter().zip([&big[..], &small[..], &[][..]]) {
        let (_, mut r) = op.evidence_download(&item.id).await.unwrap();
        let mut got = Vec::new();
        while let Some(chunk) = r.next_chunk().await.unwrap() {
            got.extend_from_slice(&chunk);
        }
        assert_eq!(
            got, data,
            "{} comes back whole from the object store",
            item.id
        );
    }
}

/// `grotius keys rotate` rotates the evidence master key: every file key is re-wrapped (the
/// stored files are not rewritten), files and unfinished uploads open under the new key, and
/// `--retire` removes the old master key once nothing needs it.
#[tokio::test]
async fn keys_rotate_rewraps_every_evidence_file_key_without_rewriting_files() {
    let app = App::spawn().await;
    let doc = app.token("documenter").await;
    let data = bytes(51, 200_000);
    let v = api_upload(&app, &doc, &data, "before.png").await;
    let id = v["item"]["id"].as_str().unwrap().to_string();
    // An unfinished upload's key is re-wrapped as well.
    let pending = start(&app, &doc, 70_000).await;
    assert_eq!(
        patch(&app, &doc, &pending, 0, data[..30_000].to_vec())
            .await
            .status(),
        204
    );
    let i = &app.instance;
    let blob_sha = v["item"]["sha256"].as_str().unwrap().to_string();
    let stored_before = i.stored_blob(&blob_sha).await;
    let wrapped_before: String = sqlx::query("SELECT wrapped_key FROM evidence_blobs")
        .fetch_one(&i.raw().await)
        .await
        .unwrap()
        .get("wrapped_key");
    let keyfile = i.data().join(grotius_security::EVIDENCE_KEYS_FILE);
    let master_before = std::fs::read_to_string(&keyfile).unwrap();

    let rotate = |retire: bool| {
        let mut cmd = Command::new(bin());
        cmd.args(["keys", "rotate", "--data"])
            .arg(i.data())
            .args(i.database_args());
        if retire {
            cmd.arg("--retire");
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    };
    app.instance.store.close().await;
    let (code, text) = rotate(false);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2 of 2 file keys re-wrapped"), "{text}");
    let raw = i.raw().await;
    let wrapped_after: String = sqlx::query("SELECT wrapped_key FROM evidence_blobs")
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("wrapped_key");
    assert_ne!(
        wrapped_after, wrapped_before,
        "the file key is wrapped anew"
    );
    assert_eq!(
        i.stored_blob(&blob_sha).await,
        stored_before,
        "the stored file is not rewritten"
    );
    let master_after = std::fs::read_to_string(&keyfile).unwrap();
    assert_ne!(master_after, master_before);
    assert!(master_after.contains("previous_master_keys"));

    // The instance as its nodes see it once restarted with the new key files (the field keys
    // changed too): the file comes back whole, and the unfinished upload resumes and completes
    // under its re-wrapped key.
    let ring = grotius_security::Keyring::load(i.data()).unwrap();
    let fresh = grotius_store::Store::open_existing(i.data(), i.database.as_deref(), ring)
        .await
        .unwrap();
    let fresh = match &i.blobs {
        Some(url) => fresh.with_blobs(grotius_store::BlobStore::from_url(url).unwrap()),
        None => fresh,
    };
    let as_user = |name: &'static str| {
        let fresh = fresh.clone();
        async move {
            let id = fresh.cli_operator().find_user_id(name).await.unwrap();
            fresh.cli_act_as(&id).await.unwrap().unwrap()
        }
    };
    let custodian = as_user("custodian").await;
    let (_, mut r) = custodian.evidence_download(&id).await.unwrap();
    let mut got = Vec::new();
    while let Some(chunk) = r.next_chunk().await.unwrap() {
        got.extend_from_slice(&chunk);
    }
    assert_eq!(
        got, data,
        "the file comes back whole under its re-wrapped key"
    );
    let documenter = as_user("documenter").await;
    let mut w = documenter
        .evidence_upload_writer(&pending, 30_000)
        .await
        .unwrap();
    w.write(&data[30_000..70_000]).await.unwrap();
    w.finish().await.unwrap();
    let c = capture("after.png", "confidential");
    let done = documenter
        .evidence_upload_complete(&pending, &c)
        .await
        .unwrap();
    assert_eq!(done.item.sha256, sha(&data[..70_000]));
    let (code, text) = cli_verify(i, "evidence");
    assert_eq!(code, 0, "{text}");

    // --retire: a new rotation, then the previous master keys are gone from the file; the
    // vault still verifies, and a wrapped key from before no longer opens.
    let (code, text) = rotate(true);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("retired 2 previous evidence master key(s)"),
        "{text}"
    );
    assert!(
        !std::fs::read_to_string(&keyfile)
            .unwrap()
            .contains("previous_master_keys")
    );
    let keys = grotius_security::EvidenceKeys::load(i.data()).unwrap();
    assert!(
        keys.unwrap(&format!("evidence.blob:{blob_sha}"), &wrapped_before)
            .is_err()
    );
    let (code, text) = cli_verify(i, "evidence");
    assert_eq!(code, 0, "{text}");
}
