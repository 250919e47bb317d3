//! The evidence vault: items over content-addressed, encrypted files; the signed chain of custody
//! of each item; resumable streaming uploads (`upload.rs`); transfer packages (`package.rs`);
//! end-to-end verification (`verify.rs`).
//!
//! Files live in the data directory (`evidence/blobs/ab/cdef…`, named by the SHA-256 of the
//! plaintext, and `evidence/uploads/<id>.part` while an upload is in progress) or in an
//! S3-compatible object store (`crate::blobs`). Each is a sequence of segments
//! `u32 length ‖ nonce ‖ ciphertext ‖ tag` (see `grotius_security::SegmentCipher`).
//! The keys that matter are not in the database: the file key is wrapped by the evidence master
//! key in `evidence-keys.json`, next to the keyring.

mod package;
mod upload;
mod verify;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use grotius_domain::evidence::{
    Capture, ChainHead, CustodyEvent, CustodyRecord, EvidenceItem, GENESIS, event_message,
    head_message,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::{EvidenceKeys, FileKey, now_micros};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::db::Bind;
use crate::list::List;
use crate::{Access, Backend, Page, Result, Store, StoreError};

pub use package::{PackageDetail, PackageSummary};
pub use upload::{BlobReader, Ingested, UploadInfo, UploadWriter};
pub use verify::EvidenceReport;

/// Default largest evidence file: 16 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// Per-store state of the vault.
pub(crate) struct EvidenceState {
    /// Loaded on first use; loaded again when a file key no longer unwraps with them (after
    /// `grotius keys rotate` re-wrapped it under a new master key).
    keys: std::sync::RwLock<Option<Arc<EvidenceKeys>>>,
    pub(crate) uploads:
        std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<upload::Cursor>>>>>,
    max_bytes: AtomicU64,
}

impl Default for EvidenceState {
    fn default() -> Self {
        EvidenceState {
            keys: std::sync::RwLock::new(None),
            uploads: std::sync::Mutex::new(HashMap::new()),
            max_bytes: AtomicU64::new(DEFAULT_MAX_BYTES),
        }
    }
}

/// The columns of `evidence_items`.
pub(crate) const ITEM_COLS: &str = "id, sha256, size, media_type, parent_id, derivation, incident_id, captured_at, capture_tool, \
     capture_tool_version, method, sensitive, metadata_hash, classification, compartment_id, created_by, created_at, \
     custody_seq, custody_hash, custody_sig";

pub(crate) const EVENT_COLS: &str =
    "id, item_id, seq, kind, at, actor, detail, prev_hash, hash, signature";

pub(crate) fn sensitive_aad(id: &str) -> String {
    format!("evidence_items.sensitive:{id}")
}

/// The encrypted part of the capture metadata.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct Sensitive {
    pub title: String,
    pub source_url: String,
    pub collector: String,
    pub original_name: String,
    pub description: String,
}

/// Filters of the evidence list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvidenceFilter {
    /// Only originals (no working copies).
    #[serde(default)]
    pub originals_only: bool,
    pub method: Option<String>,
    pub incident_id: Option<String>,
    pub sha256: Option<String>,
}

impl Store {
    /// The evidence keys (master key and signing key) of the key directory, loaded on first use.
    /// They are created by `grotius init` only: a missing or damaged file is an error naming it.
    pub fn evidence_keys(&self) -> Result<Arc<EvidenceKeys>> {
        if let Some(k) = self
            .evidence
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(k);
        }
        let k = Arc::new(EvidenceKeys::load(self.keys.dir())?);
        *self
            .evidence
            .keys
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(k.clone());
        Ok(k)
    }

    /// Unwraps a file key. When the loaded keys cannot (another process's `keys rotate`
    /// re-wrapped it under a master key this one has not loaded yet), the key file is read
    /// again once; the first error is kept when that does not help either (a wrong or altered
    /// wrapped key).
    pub(crate) fn unwrap_file_key(&self, aad: &str, wrapped: &str) -> Result<FileKey> {
        let first = match self.evidence_keys()?.unwrap(aad, wrapped) {
            Ok(k) => return Ok(k),
            Err(e) => e,
        };
        let fresh = Arc::new(EvidenceKeys::load(self.keys.dir())?);
        match fresh.unwrap(aad, wrapped) {
            Ok(k) => {
                *self
                    .evidence
                    .keys
                    .write()
                    .unwrap_or_else(|p| p.into_inner()) = Some(fresh);
                Ok(k)
            }
            Err(_) => Err(first.into()),
        }
    }

    /// The instance's Ed25519 public key (hex), for recipients of transfer packages.
    pub fn evidence_public_key(&self) -> Result<String> {
        Ok(self.evidence_keys()?.public_key_hex())
    }

    /// Sets the largest evidence file accepted, in bytes.
    pub fn set_evidence_max_bytes(&self, n: u64) {
        self.evidence.max_bytes.store(n.max(1), Ordering::Relaxed);
    }

    pub fn evidence_max_bytes(&self) -> u64 {
        self.evidence.max_bytes.load(Ordering::Relaxed)
    }

    /// Keeps evidence files in `blobs` instead of the data directory (`serve --blobs s3://…`).
    /// Set before the store is shared: every clone made afterwards uses it.
    pub fn with_blobs(mut self, blobs: crate::blobs::BlobStore) -> Store {
        self.blobs = Arc::new(blobs);
        self
    }

    /// Where this store keeps evidence files.
    pub fn blob_store(&self) -> &crate::blobs::BlobStore {
        &self.blobs
    }

    /// Where a stored file is, for messages.
    pub(crate) fn blob_location(&self, sha256: &str) -> String {
        match &*self.blobs {
            crate::blobs::BlobStore::Local(root) => {
                crate::blobs::BlobStore::local_blob_path(root, sha256)
                    .display()
                    .to_string()
            }
            crate::blobs::BlobStore::S3(s3) => s3.blob_location(sha256),
        }
    }
}

pub(crate) fn event_from_row(row: &sqlx::any::AnyRow) -> Result<CustodyEvent> {
    Ok(CustodyEvent {
        id: row.try_get("id")?,
        record: CustodyRecord {
            item_id: row.try_get("item_id")?,
            seq: row.try_get("seq")?,
            kind: row.try_get("kind")?,
            at: row.try_get("at")?,
            actor: row.try_get("actor")?,
            detail: row.try_get("detail")?,
            prev_hash: row.try_get("prev_hash")?,
        },
        hash: row.try_get("hash")?,
        signature: row.try_get("signature")?,
    })
}

pub(crate) fn labels_from_row(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

/// Decodes an item row (decrypting the sensitive metadata with the keyring).
pub(crate) fn item_from_row(store: &Store, row: &sqlx::any::AnyRow) -> Result<EvidenceItem> {
    let id: String = row.try_get("id")?;
    let enc: String = row.try_get("sensitive")?;
    let s: Sensitive = serde_json::from_str(&store.keys.decrypt(&sensitive_aad(&id), &enc)?)
        .map_err(|e| StoreError::Integrity(format!("evidence item {id}: metadata: {e}")))?;
    Ok(EvidenceItem {
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        capture: Capture {
            title: s.title,
            source_url: s.source_url,
            captured_at: row.try_get("captured_at")?,
            capture_tool: row.try_get("capture_tool")?,
            capture_tool_version: row.try_get("capture_tool_version")?,
            collector: s.collector,
            method: row.try_get("method")?,
            original_name: s.original_name,
            description: s.description,
            media_type: row.try_get("media_type")?,
        },
        metadata_hash: row.try_get("metadata_hash")?,
        parent_id: row.try_get("parent_id")?,
        derivation: row.try_get("derivation")?,
        incident_id: row.try_get("incident_id")?,
        labels: labels_from_row(row)?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        custody_seq: row.try_get("custody_seq")?,
        id,
    })
}

pub(crate) fn head_from_row(row: &sqlx::any::AnyRow) -> Result<ChainHead> {
    Ok(ChainHead {
        seq: row.try_get("custody_seq")?,
        hash: row.try_get("custody_hash")?,
        signature: row.try_get("custody_sig")?,
    })
}

crate::list::listed!(EvidenceItem);

impl Access {
    /// Appends a custody event to an item's chain in the caller's transaction: hashes it onto
    /// the previous event, signs it and the new head, and writes the matching audit entry (whose
    /// detail repeats the event's sequence number and hash, a second witness of the chain).
    pub(crate) async fn evidence_custody(
        &self,
        conn: &mut AnyConnection,
        item_id: &str,
        kind: &str,
        detail: serde_json::Value,
    ) -> Result<CustodyEvent> {
        let keys = self.store.evidence_keys()?;
        let lock = match self.store.backend {
            Backend::Postgres => {
                // One lock order for every writer: the audit head first (which the audit entry
                // below takes anyway), then the item — so concurrent custody events cannot
                // deadlock. SQLite's write transaction already holds the database lock.
                sqlx::query("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")
                    .fetch_one(&mut *conn)
                    .await?;
                " FOR UPDATE"
            }
            Backend::Sqlite => "",
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT custody_seq, custody_hash FROM evidence_items WHERE id = $1{lock}"
        )))
        .bind(item_id)
        .fetch_one(&mut *conn)
        .await?;
        let seq: i64 = row.try_get("custody_seq")?;
        let prev: String = row.try_get("custody_hash")?;
        let record = CustodyRecord {
            item_id: item_id.to_string(),
            seq: seq + 1,
            kind: kind.to_string(),
            at: now_micros(),
            actor: self.subject.username.clone(),
            detail: detail.to_string(),
            prev_hash: if seq == 0 { GENESIS.to_string() } else { prev },
        };
        let hash = record.hash();
        let signature = keys.sign(&event_message(&hash));
        let id = crate::new_id();
        sqlx::query(
            "INSERT INTO custody_events (id, item_id, seq, kind, at, actor, detail, prev_hash, hash, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(item_id)
        .bind(record.seq)
        .bind(&record.kind)
        .bind(record.at)
        .bind(&record.actor)
        .bind(&record.detail)
        .bind(&record.prev_hash)
        .bind(&hash)
        .bind(&signature)
        .execute(&mut *conn)
        .await?;
        let head_sig = keys.sign(&head_message(item_id, record.seq, &hash));
        sqlx::query(
            "UPDATE evidence_items SET custody_seq = $1, custody_hash = $2, custody_sig = $3 WHERE id = $4",
        )
        .bind(record.seq)
        .bind(&hash)
        .bind(&head_sig)
        .bind(item_id)
        .execute(&mut *conn)
        .await?;
        let mut audit = serde_json::json!({"custody_seq": record.seq, "custody_hash": hash});
        if let (Some(a), Some(d)) = (audit.as_object_mut(), detail.as_object()) {
            for (k, v) in d {
                a.insert(k.clone(), v.clone());
            }
        }
        self.audit_in(
            conn,
            &format!("evidence.{kind}"),
            "evidence",
            item_id,
            "ok",
            &audit.to_string(),
        )
        .await?;
        Ok(CustodyEvent {
            id,
            record,
            hash,
            signature,
        })
    }

    /// An item without authorisation (internal).
    pub(crate) async fn evidence_row(&self, id: &str) -> Result<Option<EvidenceItem>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLS} FROM evidence_items WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|r| item_from_row(&self.store, &r)).transpose()
    }

    /// An item, if the subject may perform `action` on it; 404 otherwise.
    pub(crate) async fn evidence_authorized(
        &self,
        id: &str,
        action: Action,
    ) -> Result<EvidenceItem> {
        let Some(item) = self.evidence_row(id).await? else {
            return self.missing(ResourceKind::Evidence).await;
        };
        // Reading first: whoever may not read it learns nothing (404), whatever the action.
        self.authorize(
            Action::Read,
            Resource::labelled(ResourceKind::Evidence, &item.labels),
            Some(id),
        )
        .await?;
        if action != Action::Read {
            self.authorize(
                action,
                Resource::labelled(ResourceKind::Evidence, &item.labels),
                Some(id),
            )
            .await?;
        }
        Ok(item)
    }

    /// An item's metadata, without recording a custody event (for forms and lists of a page
    /// that records its own event).
    pub async fn evidence_get(&self, id: &str) -> Result<EvidenceItem> {
        self.evidence_authorized(id, Action::Read).await
    }

    /// Opens an item's record: a `view` event in its chain of custody (and the audit log).
    pub async fn evidence_view(&self, id: &str) -> Result<EvidenceItem> {
        let mut item = self.evidence_authorized(id, Action::Read).await?;
        let mut tx = self.store.write_tx().await?;
        let e = self
            .evidence_custody(&mut tx, id, "view", serde_json::json!({}))
            .await?;
        tx.commit().await?;
        item.custody_seq = e.record.seq;
        Ok(item)
    }

    /// The custody chain of an item, oldest first.
    pub async fn evidence_custody_log(&self, id: &str) -> Result<Vec<CustodyEvent>> {
        self.evidence_authorized(id, Action::Read).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLS} FROM custody_events WHERE item_id = $1 ORDER BY seq"
        )))
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut events = rows
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>>>()?;
        // A transfer to a package the reader may not read, a copy in an item she may not
        // see: the event shows what happened, when and by whom, not its particulars.
        self.withhold_unreadable_particulars(events.iter_mut().map(|e| &mut e.record.detail))
            .await?;
        Ok(events)
    }

    /// Items the subject may see, newest first, counted with the same filter.
    pub async fn evidence_list(
        &self,
        filter: &EvidenceFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<EvidenceItem>> {
        let mut list = self.evidence_items().await?;
        let f = &mut list.filter;
        if filter.originals_only {
            f.push("parent_id IS NULL AND 1 = ?", Bind::Int(1));
        }
        f.push_text("method = ?", filter.method.as_deref());
        f.push_text("incident_id = ?", filter.incident_id.as_deref());
        f.push_text("sha256 = ?", filter.sha256.as_deref());
        self.list_page(list, limit, offset, |row| item_from_row(&self.store, row))
            .await
    }

    /// The working copies derived from an item that the subject may see.
    pub async fn evidence_derived(&self, id: &str) -> Result<Vec<EvidenceItem>> {
        self.evidence_authorized(id, Action::Read).await?;
        let mut list = self.evidence_items().await?;
        list.filter
            .push("parent_id = ?", Bind::Text(id.to_string()));
        let page = self
            .list_page(list, 500, 0, |row| item_from_row(&self.store, row))
            .await?;
        Ok(page.items)
    }

    /// The list of evidence items, newest first, up to 1,000 a page.
    async fn evidence_items(&self) -> Result<List> {
        Ok(self
            .list(ResourceKind::Evidence, "evidence_items", "")
            .await?
            .columns(ITEM_COLS)
            .order("created_at DESC, id DESC")
            .max_limit(1000))
    }

    /// Opens an item's file for download: a `download` event in its chain of custody. The
    /// reader decrypts segment by segment and checks the SHA-256 at the end.
    pub async fn evidence_download(&self, id: &str) -> Result<(EvidenceItem, BlobReader)> {
        let item = self.evidence_authorized(id, Action::Read).await?;
        let reader = BlobReader::open(&self.store, &item.sha256).await?;
        let mut tx = self.store.write_tx().await?;
        self.evidence_custody(
            &mut tx,
            id,
            "download",
            serde_json::json!({"sha256": item.sha256, "size": item.size}),
        )
        .await?;
        tx.commit().await?;
        Ok((item, reader))
    }
}
