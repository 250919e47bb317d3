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

/// An item's labels and lineage against its signed ingest event: a classification lowered, a
/// compartment changed or removed, a parent, derivation, media type or incident changed.
fn labels_and_lineage_against_ingest(
    item: &evidence::EvidenceItem,
    ingest: &serde_json::Value,
) -> Vec<String> {
    let mut bad = Vec::new();
    let classification = item.labels.classification.as_str();
    match ingest["classification"].as_str() {
        Some(c) if c == classification => {}
        Some(c) => bad.push(format!(
            "classification '{classification}' differs from the ingest event's '{c}' (relabelled)"
        )),
        None => bad.push("the ingest event records no classification".into()),
    }
    let compartment = item.labels.compartment.as_ref().map(|c| c.to_string());
    if ingest.get("compartment").is_none()
        || ingest["compartment"].as_str().map(str::to_string) != compartment
    {
        bad.push(format!(
            "compartment {} differs from the ingest event's {} (relabelled)",
            compartment.as_deref().unwrap_or("(none)"),
            ingest["compartment"].as_str().unwrap_or("(none)")
        ));
    }
    let mut same = |field: &str, label: &str, got: Option<&str>| {
        // Older ingest events may not record every field; those present must agree.
        if let Some(v) = ingest.get(field)
            && v.as_str() != got
        {
            bad.push(format!(
                "{label} {} differs from the ingest event's {}",
                got.unwrap_or("(none)"),
                v.as_str().unwrap_or("(none)")
            ));
        }
    };
    same("parent_id", "parent", item.parent_id.as_deref());
    same("derivation", "derivation", item.derivation.as_deref());
    same(
        "media_type",
        "media type",
        Some(item.capture.media_type.as_str()),
    );
    same("incident_id", "incident", item.incident_id.as_deref());
    bad
}

impl Store {
    /// Verifies the whole vault; problems are returned, not raised (each names what it found).
    pub async fn verify_evidence(&self) -> Result<EvidenceReport> {
        self.verify_evidence_with(crate::AnchorCheck::Required)
            .await
    }

    /// [`Store::verify_evidence`], holding the audit log it cross-checks against this node's
    /// anchor or not (`BackupCandidate`, for a backup about to be restored).
    pub async fn verify_evidence_with(&self, check: crate::AnchorCheck) -> Result<EvidenceReport> {
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
                            self.blob_location(&sha),
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
        // The vault's items as the audit log knows them: the last custody event it recorded per
        // item, and the entry that recorded the ingest.
        if let Err(e) = self.verify_audit_with(check).await {
            report.problems.push(Problem {
                tamper: Tamper::Edited,
                item_id: "-".into(),
                event_id: None,
                message: format!("the audit log the vault is checked against is broken: {e}"),
            });
        }
        let mut audited: HashMap<String, (i64, String)> = HashMap::new();
        let mut ingested: HashMap<String, i64> = HashMap::new();
        for r in sqlx::query(
            "SELECT seq, action, resource_id, detail FROM audit_log WHERE resource_kind = 'evidence' AND action LIKE 'evidence.%' AND outcome = 'ok' ORDER BY seq",
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
                let item: String = r.try_get("resource_id")?;
                if r.try_get::<String, _>("action")? == "evidence.ingest" {
                    ingested.insert(item.clone(), r.try_get("seq")?);
                }
                let e = audited.entry(item).or_insert((0, String::new()));
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
            if !ingested.contains_key(&id) {
                report.problems.push(Problem {
                    tamper: Tamper::Inserted,
                    item_id: id.clone(),
                    event_id: None,
                    message: "the audit log never recorded the ingest of this item (put into the vault directly, or copied from another item)".into(),
                });
            }
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
                        bad.extend(labels_and_lineage_against_ingest(&item, d));
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
        // Items the audit log recorded that the vault no longer holds (deleted with their custody
        // events and file).
        let present: std::collections::HashSet<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<Result<_, _>>()?;
        let mut gone: Vec<(&String, &i64)> = ingested
            .iter()
            .filter(|(id, _)| !present.contains(*id))
            .collect();
        gone.sort_by_key(|(_, seq)| **seq);
        for (id, seq) in gone {
            let (last, _) = audited.get(id).cloned().unwrap_or_default();
            report.problems.push(Problem {
                tamper: Tamper::Missing,
                item_id: id.clone(),
                event_id: None,
                message: format!(
                    "the audit log recorded its ingest (entry {seq}) and {last} custody event(s), but the item is not in the vault (deleted)"
                ),
            });
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
