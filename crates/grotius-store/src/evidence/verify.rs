//! `grotius evidence verify`: proves the vault's integrity end to end — every stored file is
//! decrypted and hashed, every custody chain and signature checked, every item's metadata held
//! against what its ingest recorded, the chain heads against the audit log, and every transfer
//! package's manifest against its signature.

use std::collections::HashMap;

use grotius_domain::evidence::{self, Capture, Problem, Tamper};
use grotius_security::verify_signature;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{BlobReader, EVENT_COLS, ITEM_COLS, event_from_row, head_from_row, item_from_row};
use crate::{Result, Store};

/// What `evidence verify` checked and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvidenceReport {
    pub blobs: u64,
    pub bytes: u64,
    pub items: u64,
    pub events: u64,
    pub packages: u64,
    pub problems: Vec<Problem>,
}

impl Store {
    /// Verifies the whole vault; problems are returned, not raised (each names what it found).
    pub async fn verify_evidence(&self) -> Result<EvidenceReport> {
        let mut report = EvidenceReport::default();
        let public = self.evidence_public_key()?;
        let verify = |msg: &[u8], sig: &str| verify_signature(&public, msg, sig);

        // 1. Files: decrypt and hash every blob.
        let blob_items: HashMap<String, Vec<String>> = {
            let mut m: HashMap<String, Vec<String>> = HashMap::new();
            for r in sqlx::query("SELECT id, sha256 FROM evidence_items ORDER BY created_at")
                .fetch_all(&self.pool)
                .await?
            {
                m.entry(r.try_get("sha256")?)
                    .or_default()
                    .push(r.try_get("id")?);
            }
            m
        };
        let blobs = sqlx::query("SELECT sha256 FROM evidence_blobs ORDER BY sha256")
            .fetch_all(&self.pool)
            .await?;
        let blob_shas: Vec<String> = blobs
            .iter()
            .map(|b| b.try_get::<String, _>("sha256"))
            .collect::<Result<_, _>>()?;
        let blob_set: std::collections::HashSet<&str> =
            blob_shas.iter().map(String::as_str).collect();
        for sha in &blob_shas {
            let sha = sha.clone();
            report.blobs += 1;
            let items = blob_items.get(&sha).cloned().unwrap_or_default();
            let first = items.first().cloned().unwrap_or_default();
            let result = match BlobReader::open(self, &sha).await {
                Ok(mut r) => r.check_all().await,
                Err(e) => Err(e),
            };
            match result {
                Ok(n) => report.bytes += n,
                Err(e) => {
                    let msg = e.to_string();
                    let tamper = if msg.contains("No such file") || msg.contains("not found") {
                        Tamper::Missing
                    } else {
                        Tamper::Altered
                    };
                    report.problems.push(Problem {
                        tamper,
                        item_id: first,
                        event_id: None,
                        message: format!(
                            "stored file {} (items {}) fails verification: {msg}",
                            self.blob_path(&sha).display(),
                            items.join(", ")
                        ),
                    });
                }
            }
        }

        // 2. Items: chains, signatures, heads, metadata against the ingest event.
        let mut events: HashMap<String, Vec<evidence::CustodyEvent>> = HashMap::new();
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLS} FROM custody_events ORDER BY item_id, seq"
        )))
        .fetch_all(&self.pool)
        .await?
        {
            let e = event_from_row(&r)?;
            report.events += 1;
            events.entry(e.record.item_id.clone()).or_default().push(e);
        }
        let mut audited: HashMap<String, (i64, String)> = HashMap::new();
        for r in sqlx::query(
            "SELECT resource_id, detail FROM audit_log WHERE resource_kind = 'evidence' AND action LIKE 'evidence.%' ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let detail: String = r.try_get("detail")?;
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&detail) else {
                continue;
            };
            if let (Some(seq), Some(hash)) = (v["custody_seq"].as_i64(), v["custody_hash"].as_str())
            {
                let e = audited
                    .entry(r.try_get("resource_id")?)
                    .or_insert((0, String::new()));
                if seq >= e.0 {
                    *e = (seq, hash.to_string());
                }
            }
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLS} FROM evidence_items ORDER BY created_at"
        )))
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            report.items += 1;
            let id: String = row.try_get("id")?;
            let head = head_from_row(row)?;
            let chain = events.remove(&id).unwrap_or_default();
            report
                .problems
                .extend(evidence::verify_chain(&id, &chain, Some(&head), &verify));
            if let Some((seq, hash)) = audited.get(&id)
                && (*seq != head.seq || *hash != head.hash)
            {
                report.problems.push(Problem {
                    tamper: if *seq > head.seq { Tamper::Deleted } else { Tamper::Inserted },
                    item_id: id.clone(),
                    event_id: None,
                    message: format!(
                        "the audit log recorded custody event #{seq} ({hash}) last, the chain's head is #{} ({})",
                        head.seq, head.hash
                    ),
                });
            }
            match item_from_row(self, row) {
                Err(e) => report.problems.push(Problem {
                    tamper: Tamper::Metadata,
                    item_id: id.clone(),
                    event_id: None,
                    message: format!("metadata cannot be read: {e}"),
                }),
                Ok(item) => {
                    let recomputed = Capture::metadata_hash(&item.capture);
                    let ingest = chain
                        .iter()
                        .find(|e| e.record.seq == 1 && e.record.kind == "ingest");
                    let recorded: Option<serde_json::Value> =
                        ingest.and_then(|e| serde_json::from_str(&e.record.detail).ok());
                    let mut bad = Vec::new();
                    if recomputed != item.metadata_hash {
                        bad.push("capture metadata changed since ingest".to_string());
                    }
                    if let Some(d) = &recorded {
                        if d["metadata_hash"].as_str() != Some(recomputed.as_str()) {
                            bad.push("capture metadata differs from the ingest event".into());
                        }
                        if d["sha256"].as_str() != Some(item.sha256.as_str()) {
                            bad.push(format!(
                                "file hash {} differs from the ingest event's {}",
                                item.sha256,
                                d["sha256"].as_str().unwrap_or("?")
                            ));
                        }
                        if d["size"].as_i64() != Some(item.size) {
                            bad.push("size differs from the ingest event".into());
                        }
                    } else if !chain.is_empty() {
                        bad.push("no ingest event at the start of the chain".into());
                    }
                    if !blob_set.contains(item.sha256.as_str()) {
                        bad.push(format!("no stored file {}", item.sha256));
                    }
                    for m in bad {
                        report.problems.push(Problem {
                            tamper: Tamper::Metadata,
                            item_id: id.clone(),
                            event_id: None,
                            message: m,
                        });
                    }
                }
            }
        }
        for (item, chain) in events {
            report.problems.push(Problem {
                tamper: Tamper::Missing,
                item_id: item.clone(),
                event_id: chain.first().map(|e| e.id.clone()),
                message: format!(
                    "{} custody events of an item that is not in the vault",
                    chain.len()
                ),
            });
        }

        // 3. Packages: each manifest against its hash and signature.
        for r in
            sqlx::query("SELECT id, manifest, manifest_sha256, signature FROM transfer_packages")
                .fetch_all(&self.pool)
                .await?
        {
            report.packages += 1;
            let id: String = r.try_get("id")?;
            let m: String = r.try_get("manifest")?;
            let sha = hex::encode(Sha256::digest(m.as_bytes()));
            if sha != r.try_get::<String, _>("manifest_sha256")?
                || !verify(m.as_bytes(), &r.try_get::<String, _>("signature")?)
            {
                report.problems.push(Problem {
                    tamper: Tamper::Edited,
                    item_id: id.clone(),
                    event_id: None,
                    message: format!(
                        "transfer package {id}: the manifest does not match its hash or signature"
                    ),
                });
            }
        }
        Ok(report)
    }
}
