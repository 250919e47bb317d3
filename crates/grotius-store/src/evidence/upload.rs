//! Resumable, streaming uploads in bounded memory, and reading stored files back.
//!
//! An upload is a row (`evidence_uploads`: owner, declared length, wrapped file key) and its
//! encrypted segments: a file `evidence/uploads/<id>.part`, or part objects in an object store
//! (`crate::blobs`). Bytes are hashed (SHA-256) and encrypted as
//! they arrive; at most one segment of plaintext (64 KiB) is held in memory. The offset of an
//! upload is the plaintext length of the complete segments on disk: after a crash or a broken
//! connection, the server re-reads the part file (dropping a torn last segment) and the client
//! resumes from there. Completing an upload names the file by its hash: a new hash moves the part
//! file to `evidence/blobs/ab/cdef…` (or copies the part objects there); a known hash links the
//! new item to the stored copy.
//!
//! On an object store several nodes serve the same uploads. One node at a time writes an upload
//! (a lease in its row, renewed with every part written); a node's cached cursor is brought up
//! to date from the parts in the store before it is used, so a transfer may go to any node.

use std::path::PathBuf;
use std::sync::Arc;

use grotius_domain::evidence::{CaptureInput, EvidenceItem, GENESIS, ValidCapture};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_security::{
    ContentHasher as Sha256, FileKey, SEGMENT_OVERHEAD, SEGMENT_SIZE, SegmentCipher, now_micros,
};
use serde::Serialize;
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};

use super::{ITEM_COLS, Sensitive, item_from_row, sensitive_aad};
use crate::blobs::{BlobStore, PART_BYTES, S3Blobs};
use crate::process::record_change;
use crate::{Access, Result, Store, StoreError, new_id};

/// Where an upload stands.
#[derive(Debug, Clone, Serialize)]
pub struct UploadInfo {
    pub id: String,
    /// Bytes received so far (complete segments on disk).
    pub offset: u64,
    /// Declared length; `None` when deferred (a form upload).
    pub length: Option<u64>,
}

/// What the server knows about an upload's part file.
pub(crate) struct Cursor {
    offset: u64,
    segments: u64,
    file_len: u64,
    hasher: Sha256,
}

fn upload_aad(id: &str) -> String {
    format!("evidence.upload:{id}")
}

pub(crate) fn blob_aad(sha256: &str) -> String {
    format!("evidence.blob:{sha256}")
}

fn io(path: &std::path::Path, e: std::io::Error) -> StoreError {
    StoreError::Integrity(format!("evidence file {}: {e}", path.display()))
}

struct UploadRow {
    length: i64,
    wrapped_key: String,
}

impl Cursor {
    fn empty() -> Cursor {
        Cursor {
            offset: 0,
            segments: 0,
            file_len: 0,
            hasher: Sha256::new(),
        }
    }

    /// Takes in a whole run of segments (a part object): every segment must be complete and
    /// authentic, since an object store has no torn writes.
    fn absorb(
        &mut self,
        cipher: &SegmentCipher,
        mut bytes: &[u8],
    ) -> std::result::Result<(), String> {
        while !bytes.is_empty() {
            if bytes.len() < 4 {
                return Err(format!("segment {} is cut short", self.segments));
            }
            let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
            if !(SEGMENT_OVERHEAD..=SEGMENT_SIZE + SEGMENT_OVERHEAD).contains(&n)
                || bytes.len() < 4 + n
            {
                return Err(format!(
                    "segment {} has an impossible length",
                    self.segments
                ));
            }
            let plain = cipher
                .open(self.segments, &bytes[4..4 + n])
                .map_err(|e| format!("segment {}: {e}", self.segments))?;
            self.hasher.update(&plain);
            self.offset += plain.len() as u64;
            self.segments += 1;
            self.file_len += 4 + n as u64;
            bytes = &bytes[4 + n..];
        }
        Ok(())
    }
}

/// How long a node may hold an upload without writing to it (microseconds).
const LEASE_MICROS: i64 = 20_000_000;

impl Store {
    fn upload_path(&self, root: &std::path::Path, id: &str) -> PathBuf {
        root.join("uploads").join(format!("{id}.part"))
    }

    /// Takes the right to write an upload's parts in a shared object store (no-op for local
    /// files, which one node alone serves): the token of the lease, or a conflict while another
    /// node's transfer is in progress.
    async fn take_upload_lease(&self, id: &str) -> Result<Option<String>> {
        if !self.blobs.is_shared() {
            return Ok(None);
        }
        let token = new_id();
        let now = now_micros();
        let taken = sqlx::query(
            "UPDATE evidence_uploads SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND lease_until < $4",
        )
        .bind(&token)
        .bind(now + LEASE_MICROS)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if taken == 1 {
            Ok(Some(token))
        } else {
            Err(StoreError::Conflict(format!(
                "another transfer to this upload is in progress (on this or another node); try again in {} seconds",
                LEASE_MICROS / 1_000_000
            )))
        }
    }

    /// Renews a lease before a part is written; fails if it expired and another node took it.
    async fn renew_upload_lease(&self, id: &str, token: &str) -> Result<()> {
        let renewed = sqlx::query(
            "UPDATE evidence_uploads SET lease_until = $1 WHERE id = $2 AND lease_owner = $3",
        )
        .bind(now_micros() + LEASE_MICROS)
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if renewed == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(
                "this transfer waited too long and another one took the upload over; ask with HEAD and resume".into(),
            ))
        }
    }

    async fn release_upload_lease(&self, id: &str, token: Option<&str>) {
        if let Some(token) = token {
            let _ = sqlx::query(
                "UPDATE evidence_uploads SET lease_until = 0 WHERE id = $1 AND lease_owner = $2",
            )
            .bind(id)
            .bind(token)
            .execute(&self.pool)
            .await;
        }
    }

    /// Brings a cursor up to date with the parts other transfers (on any node) stored since.
    async fn catch_up(
        &self,
        s3: &S3Blobs,
        id: &str,
        cipher: &SegmentCipher,
        mut cursor: Cursor,
    ) -> Result<Cursor> {
        for part in s3.parts(&s3.upload_dir(id)).await? {
            if part.first_segment < cursor.segments {
                continue;
            }
            if part.first_segment != cursor.segments {
                return Err(StoreError::Integrity(format!(
                    "upload {id}: part {} does not continue at segment {} (altered); cancel the upload and send the file again",
                    part.path, cursor.segments
                )));
            }
            let bytes = s3.get(&part.path).await?;
            cursor.absorb(cipher, &bytes).map_err(|m| {
                StoreError::Integrity(format!(
                    "upload {id}: part {}: {m} (altered); cancel the upload and send the file again",
                    part.path
                ))
            })?;
        }
        Ok(cursor)
    }

    /// The cursor of an upload as stored: a cached one (brought up to date on an object store)
    /// or one rebuilt from what is stored.
    async fn current_cursor(
        &self,
        id: &str,
        cipher: &SegmentCipher,
        cached: Option<Cursor>,
    ) -> Result<Cursor> {
        match (&*self.blobs, cached) {
            (BlobStore::Local(_), Some(c)) => Ok(c),
            (BlobStore::Local(root), None) => self.rebuild_cursor(root, id, cipher).await,
            (BlobStore::S3(s3), c) => {
                self.catch_up(s3, id, cipher, c.unwrap_or_else(Cursor::empty))
                    .await
            }
        }
    }

    fn upload_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<Option<Cursor>>> {
        let mut map = self
            .evidence
            .uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.entry(id.to_string()).or_default().clone()
    }

    fn forget_upload(&self, id: &str) {
        self.evidence
            .uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Deletes what was received of an upload (after it was cancelled or completed).
    async fn remove_upload_data(&self, id: &str) {
        match &*self.blobs {
            BlobStore::Local(root) => {
                let _ = tokio::fs::remove_file(self.upload_path(root, id)).await;
            }
            BlobStore::S3(s3) => {
                if let Err(e) = s3.delete_dir(&s3.upload_dir(id)).await {
                    tracing::warn!("upload {id}: its parts were not deleted: {e}");
                }
            }
        }
    }

    /// Stores a completed upload as the blob of `sha256`: the part file is renamed (and its
    /// directory synced); the part objects are copied server side, after anything left under
    /// the blob's name by an earlier attempt that never committed is deleted.
    async fn store_upload_as_blob(&self, id: &str, sha256: &str) -> Result<()> {
        match &*self.blobs {
            BlobStore::Local(root) => {
                let dest = BlobStore::local_blob_path(root, sha256);
                if let Some(dir) = dest.parent() {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| io(dir, e))?;
                }
                let src = self.upload_path(root, id);
                tokio::fs::rename(&src, &dest)
                    .await
                    .map_err(|e| io(&src, e))?;
                if let Some(dir) = dest.parent()
                    && let Ok(d) = tokio::fs::File::open(dir).await
                {
                    let _ = d.sync_all().await;
                }
            }
            BlobStore::S3(s3) => {
                let dir = s3.blob_dir(sha256);
                s3.delete_dir(&dir).await?;
                let parts = s3.parts(&s3.upload_dir(id)).await?;
                if parts.is_empty() {
                    // An empty file: one empty part, so that the file is there.
                    s3.put(&s3.blob_part(sha256, 0), Vec::new()).await?;
                }
                for part in parts {
                    s3.copy(&part.path, &s3.blob_part(sha256, part.first_segment))
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Re-reads a part file: the complete, authentic segments count; a torn tail is cut off.
    async fn rebuild_cursor(
        &self,
        root: &std::path::Path,
        id: &str,
        cipher: &SegmentCipher,
    ) -> Result<Cursor> {
        let path = self.upload_path(root, id);
        let mut cursor = Cursor::empty();
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cursor),
            Err(e) => return Err(io(&path, e)),
        };
        let mut r = BufReader::with_capacity(256 * 1024, file);
        let mut buf = vec![0u8; SEGMENT_SIZE + SEGMENT_OVERHEAD];
        loop {
            let mut len = [0u8; 4];
            if r.read_exact(&mut len).await.is_err() {
                break;
            }
            let n = u32::from_be_bytes(len) as usize;
            if n > buf.len() || n < SEGMENT_OVERHEAD {
                break;
            }
            if r.read_exact(&mut buf[..n]).await.is_err() {
                break;
            }
            let Ok(plain) = cipher.open(cursor.segments, &buf[..n]) else {
                break;
            };
            cursor.hasher.update(&plain);
            cursor.offset += plain.len() as u64;
            cursor.segments += 1;
            cursor.file_len += 4 + n as u64;
        }
        Ok(cursor)
    }
}

/// Appends the bytes of one upload request. Obtain with [`Access::evidence_upload_writer`],
/// feed with [`UploadWriter::write`], end with [`UploadWriter::finish`] (also after a broken
/// connection, to keep what arrived).
pub struct UploadWriter {
    guard: tokio::sync::OwnedMutexGuard<Option<Cursor>>,
    cursor: Cursor,
    sink: Sink,
    cipher: SegmentCipher,
    buf: Vec<u8>,
    limit: u64,
}

/// Where sealed segments go.
enum Sink {
    /// Appended to the local part file.
    File {
        file: BufWriter<tokio::fs::File>,
        path: PathBuf,
    },
    /// Gathered into a part object of up to [`PART_BYTES`], written when full and at the end.
    S3 {
        store: Store,
        s3: S3Blobs,
        id: String,
        lease: String,
        part: Vec<u8>,
        first_segment: u64,
        /// A part could not be written: nothing more is, since what follows would not continue
        /// what is stored (the client asks for the offset and resumes).
        failed: bool,
    },
}

impl Sink {
    async fn append(&mut self, len: [u8; 4], sealed: &[u8]) -> Result<()> {
        match self {
            Sink::File { file, path } => {
                file.write_all(&len).await.map_err(|e| io(path, e))?;
                file.write_all(sealed).await.map_err(|e| io(path, e))?;
            }
            Sink::S3 { part, .. } => {
                part.extend_from_slice(&len);
                part.extend_from_slice(sealed);
            }
        }
        Ok(())
    }

    /// Writes the gathered part object when it is full (`all`: whatever it holds).
    async fn flush_part(&mut self, segments: u64, all: bool) -> Result<()> {
        let Sink::S3 {
            store,
            s3,
            id,
            lease,
            part,
            first_segment,
            failed,
        } = self
        else {
            return Ok(());
        };
        if *failed {
            return Err(StoreError::Storage(
                "an earlier part of this transfer could not be stored; ask with HEAD and resume"
                    .into(),
            ));
        }
        if part.is_empty() || (!all && part.len() < PART_BYTES) {
            return Ok(());
        }
        let bytes = std::mem::replace(part, Vec::with_capacity(PART_BYTES + SEGMENT_SIZE));
        let written = match store.renew_upload_lease(id, lease).await {
            Ok(()) => s3.put(&s3.upload_part(id, *first_segment), bytes).await,
            Err(e) => Err(e),
        };
        if written.is_err() {
            *failed = true;
        }
        written?;
        *first_segment = segments;
        Ok(())
    }

    /// Makes everything appended durable.
    async fn sync(&mut self, segments: u64) -> Result<()> {
        match self {
            Sink::File { file, path } => {
                file.flush().await.map_err(|e| io(path, e))?;
                file.get_mut().sync_data().await.map_err(|e| io(path, e))?;
                Ok(())
            }
            Sink::S3 { .. } => self.flush_part(segments, true).await,
        }
    }
}

impl UploadWriter {
    /// Bytes accepted so far (including those not yet sealed into a segment).
    pub fn offset(&self) -> u64 {
        self.cursor.offset + self.buf.len() as u64
    }

    pub async fn write(&mut self, mut data: &[u8]) -> Result<()> {
        if self.offset() + data.len() as u64 > self.limit {
            return Err(StoreError::invalid(
                "Upload-Length",
                format!(
                    "more bytes than the upload's length or the size limit ({} bytes)",
                    self.limit
                ),
            ));
        }
        while !data.is_empty() {
            let take = (SEGMENT_SIZE - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == SEGMENT_SIZE {
                self.seal().await?;
            }
        }
        Ok(())
    }

    async fn seal(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let sealed = self.cipher.seal(self.cursor.segments, &self.buf)?;
        self.sink
            .append((sealed.len() as u32).to_be_bytes(), &sealed)
            .await?;
        self.cursor.hasher.update(&self.buf);
        self.cursor.offset += self.buf.len() as u64;
        self.cursor.segments += 1;
        self.cursor.file_len += 4 + sealed.len() as u64;
        self.buf.clear();
        self.sink.flush_part(self.cursor.segments, false).await
    }

    /// Seals what is buffered, makes it durable, and returns the new offset. On an object
    /// store the upload's lease is given back, whatever happened.
    pub async fn finish(mut self) -> Result<u64> {
        let done = match self.seal().await {
            Ok(()) => self.sink.sync(self.cursor.segments).await,
            Err(e) => Err(e),
        };
        if let Sink::S3 {
            store, id, lease, ..
        } = &self.sink
        {
            store.release_upload_lease(id, Some(lease)).await;
        }
        done?;
        let offset = self.cursor.offset;
        let cursor = std::mem::replace(&mut self.cursor, Cursor::empty());
        *self.guard = Some(cursor);
        Ok(offset)
    }
}

/// Reads a stored file back, decrypting segment by segment; at the end the SHA-256, the size
/// and the number of segments must match, or the last call fails.
pub struct BlobReader {
    reader: BufReader<Box<dyn tokio::io::AsyncRead + Send + Unpin>>,
    cipher: SegmentCipher,
    sha256: String,
    size: u64,
    segments: u64,
    index: u64,
    read: u64,
    hasher: Sha256,
    buf: Vec<u8>,
    done: bool,
}

impl BlobReader {
    pub(crate) async fn open(store: &Store, sha256: &str) -> Result<BlobReader> {
        let row =
            sqlx::query("SELECT size, segments, wrapped_key FROM evidence_blobs WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&store.pool)
                .await?
                .ok_or_else(|| StoreError::Integrity(format!("blob {sha256}: no record")))?;
        let key =
            store.unwrap_file_key(&blob_aad(sha256), &row.try_get::<String, _>("wrapped_key")?)?;
        let source: Box<dyn tokio::io::AsyncRead + Send + Unpin> = match &*store.blobs {
            BlobStore::Local(root) => {
                let path = BlobStore::local_blob_path(root, sha256);
                let file = tokio::fs::File::open(&path).await.map_err(|e| {
                    StoreError::Integrity(format!("blob {sha256}: file {}: {e}", path.display()))
                })?;
                Box::new(file)
            }
            BlobStore::S3(s3) => {
                let parts = s3.parts(&s3.blob_dir(sha256)).await?;
                if parts.is_empty() {
                    return Err(StoreError::Integrity(format!(
                        "blob {sha256}: not found in {} (missing)",
                        s3.blob_location(sha256)
                    )));
                }
                Box::new(s3.reader(parts))
            }
        };
        Ok(BlobReader {
            reader: BufReader::with_capacity(256 * 1024, source),
            cipher: key.cipher(),
            sha256: sha256.to_string(),
            size: row.try_get::<i64, _>("size")? as u64,
            segments: row.try_get::<i64, _>("segments")? as u64,
            index: 0,
            read: 0,
            hasher: Sha256::new(),
            buf: vec![0u8; SEGMENT_SIZE + SEGMENT_OVERHEAD],
            done: false,
        })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The next decrypted piece (at most 64 KiB), or `None` at the verified end.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let bad = |m: String| StoreError::Integrity(format!("blob {}: {m}", self.sha256));
        if self.index == self.segments {
            self.done = true;
            let mut probe = [0u8; 1];
            let extra = self.reader.read(&mut probe).await.unwrap_or(0);
            let hash = self.hasher.hex();
            if extra != 0 {
                return Err(bad("bytes after the last segment (altered)".into()));
            }
            if self.read != self.size {
                return Err(bad(format!("{} bytes instead of {}", self.read, self.size)));
            }
            if hash != self.sha256 {
                return Err(bad(format!("content hashes to {hash} (altered)")));
            }
            return Ok(None);
        }
        let mut len = [0u8; 4];
        self.reader.read_exact(&mut len).await.map_err(|_| {
            bad(format!(
                "segment {} missing: the file is cut short (altered)",
                self.index
            ))
        })?;
        let n = u32::from_be_bytes(len) as usize;
        if !(SEGMENT_OVERHEAD..=self.buf.len()).contains(&n) {
            return Err(bad(format!(
                "segment {} has an impossible length (altered)",
                self.index
            )));
        }
        self.reader
            .read_exact(&mut self.buf[..n])
            .await
            .map_err(|_| bad(format!("segment {} is cut short (altered)", self.index)))?;
        let plain = self
            .cipher
            .open(self.index, &self.buf[..n])
            .map_err(|e| bad(e.to_string()))?;
        self.hasher.update(&plain);
        self.read += plain.len() as u64;
        self.index += 1;
        Ok(Some(plain))
    }

    /// Reads to the end, checking everything (for verification).
    pub async fn check_all(&mut self) -> Result<u64> {
        while self.next_chunk().await?.is_some() {}
        Ok(self.read)
    }
}

/// The result of completing an upload.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub item: EvidenceItem,
    /// Items in the same compartment that already held this content (visible to the uploader);
    /// the file is stored once and linked.
    pub duplicate_of: Vec<String>,
}

impl Access {
    async fn evidence_upload_row(&self, id: &str) -> Result<UploadRow> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Evidence), None)
            .await?;
        let row = sqlx::query(
            "SELECT created_by, length, wrapped_key FROM evidence_uploads WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        // An upload is its uploader's alone.
        if row.try_get::<String, _>("created_by")? != self.subject.user_id {
            return Err(StoreError::NotFound);
        }
        Ok(UploadRow {
            length: row.try_get("length")?,
            wrapped_key: row.try_get("wrapped_key")?,
        })
    }

    /// Starts an upload of `length` bytes (`None`: not known in advance; the size limit applies).
    pub async fn evidence_upload_start(&self, length: Option<u64>) -> Result<UploadInfo> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Evidence), None)
            .await?;
        let max = self.store.evidence_max_bytes();
        if let Some(n) = length
            && n > max
        {
            return Err(StoreError::invalid(
                "Upload-Length",
                format!("{n} bytes is more than the limit of {max} bytes"),
            ));
        }
        let id = new_id();
        let wrapped = self
            .store
            .evidence_keys()?
            .wrap(&upload_aad(&id), &FileKey::random())?;
        if let BlobStore::Local(root) = &*self.store.blobs {
            let path = self.store.upload_path(root, &id);
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| io(dir, e))?;
            }
            tokio::fs::File::create(&path)
                .await
                .map_err(|e| io(&path, e))?;
        }
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO evidence_uploads (id, created_by, length, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(&self.subject.user_id)
        .bind(length.map(|n| n as i64).unwrap_or(-1))
        .bind(&wrapped)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            "evidence.upload.start",
            "evidence-upload",
            &id,
            "ok",
            &serde_json::json!({"length": length}).to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(UploadInfo {
            id,
            offset: 0,
            length,
        })
    }

    /// The offset of an upload (the uploader's own only).
    pub async fn evidence_upload_status(&self, id: &str) -> Result<UploadInfo> {
        let row = self.evidence_upload_row(id).await?;
        let lock = self.store.upload_lock(id);
        let mut guard = lock.lock().await;
        if guard.is_none() || self.store.blobs.is_shared() {
            let cipher = self.evidence_upload_cipher(id, &row)?;
            let cached = guard.take();
            *guard = Some(self.store.current_cursor(id, &cipher, cached).await?);
        }
        Ok(UploadInfo {
            id: id.to_string(),
            offset: guard.as_ref().map(|c| c.offset).unwrap_or(0),
            length: (row.length >= 0).then_some(row.length as u64),
        })
    }

    fn evidence_upload_cipher(&self, id: &str, row: &UploadRow) -> Result<SegmentCipher> {
        Ok(self
            .store
            .unwrap_file_key(&upload_aad(id), &row.wrapped_key)?
            .cipher())
    }

    /// A writer appending at `offset`, which must be the upload's current offset (409 otherwise).
    pub async fn evidence_upload_writer(&self, id: &str, offset: u64) -> Result<UploadWriter> {
        let row = self.evidence_upload_row(id).await?;
        let lock = self.store.upload_lock(id);
        let mut guard = lock.try_lock_owned().map_err(|_| {
            StoreError::Conflict("another transfer to this upload is in progress".into())
        })?;
        let lease = self.store.take_upload_lease(id).await?;
        match self
            .upload_writer_leased(id, offset, &row, &mut guard, lease.as_deref())
            .await
        {
            Ok(sink) => {
                let cursor = guard.take().unwrap_or_else(Cursor::empty);
                let limit = if row.length >= 0 {
                    row.length as u64
                } else {
                    self.store.evidence_max_bytes()
                };
                Ok(UploadWriter {
                    guard,
                    cursor,
                    sink,
                    cipher: self.evidence_upload_cipher(id, &row)?,
                    buf: Vec::with_capacity(SEGMENT_SIZE),
                    limit,
                })
            }
            Err(e) => {
                self.store.release_upload_lease(id, lease.as_deref()).await;
                Err(e)
            }
        }
    }

    /// Under the upload's lock (and lease): the current cursor, left in `guard`, checked against
    /// `offset`, and the sink to append to.
    async fn upload_writer_leased(
        &self,
        id: &str,
        offset: u64,
        row: &UploadRow,
        guard: &mut Option<Cursor>,
        lease: Option<&str>,
    ) -> Result<Sink> {
        let cipher = self.evidence_upload_cipher(id, row)?;
        let cursor = self.store.current_cursor(id, &cipher, guard.take()).await?;
        let (have, segments, file_len) = (cursor.offset, cursor.segments, cursor.file_len);
        *guard = Some(cursor);
        if have != offset {
            return Err(StoreError::Conflict(format!(
                "Upload-Offset {offset} does not match the server's offset {have}; ask with HEAD and resume from there"
            )));
        }
        match &*self.store.blobs {
            BlobStore::Local(root) => {
                let path = self.store.upload_path(root, id);
                let file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .await
                    .map_err(|e| io(&path, e))?;
                // Drop a torn segment left by a crash, then append.
                file.set_len(file_len).await.map_err(|e| io(&path, e))?;
                let mut file = file;
                tokio::io::AsyncSeekExt::seek(&mut file, std::io::SeekFrom::Start(file_len))
                    .await
                    .map_err(|e| io(&path, e))?;
                Ok(Sink::File {
                    file: BufWriter::with_capacity(256 * 1024, file),
                    path,
                })
            }
            BlobStore::S3(s3) => Ok(Sink::S3 {
                store: self.store.clone(),
                s3: s3.clone(),
                id: id.to_string(),
                lease: lease.unwrap_or_default().to_string(),
                part: Vec::with_capacity(PART_BYTES + SEGMENT_SIZE),
                first_segment: segments,
                failed: false,
            }),
        }
    }

    /// Abandons an upload and deletes what was received.
    pub async fn evidence_upload_cancel(&self, id: &str) -> Result<()> {
        self.evidence_upload_row(id).await?;
        let lock = self.store.upload_lock(id);
        let _guard = lock.try_lock().map_err(|_| {
            StoreError::Conflict("another transfer to this upload is in progress".into())
        })?;
        let lease = self.store.take_upload_lease(id).await?;
        let mut tx = match self.store.write_tx().await {
            Ok(tx) => tx,
            Err(e) => {
                self.store.release_upload_lease(id, lease.as_deref()).await;
                return Err(e);
            }
        };
        sqlx::query("DELETE FROM evidence_uploads WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(
            &mut tx,
            "evidence.upload.cancel",
            "evidence-upload",
            id,
            "ok",
            "{}",
        )
        .await?;
        tx.commit().await?;
        self.store.remove_upload_data(id).await;
        self.store.forget_upload(id);
        Ok(())
    }

    /// Completes an upload with its capture metadata: the item is created with its `ingest`
    /// custody event (and a `derive` event on the parent of a working copy).
    pub async fn evidence_upload_complete(
        &self,
        id: &str,
        input: &CaptureInput,
    ) -> Result<Ingested> {
        let row = self.evidence_upload_row(id).await?;
        let v = self.evidence_check_input(input).await?;
        self.evidence_complete_valid(id, row, v).await
    }

    /// Validates capture metadata and the right to file it (before any byte is sent).
    pub async fn evidence_check_input(&self, input: &CaptureInput) -> Result<ValidCapture> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Evidence), None)
            .await?;
        let parent = match input.parent_id.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => match self.evidence_authorized(p, Action::Read).await {
                Ok(item) => Some(item),
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid(
                        "parent_id",
                        format!("no such item: {p}"),
                    ));
                }
                Err(e) => return Err(e),
            },
            _ => None,
        };
        let v = input.validate(parent.as_ref().map(|p| &p.labels))?;
        self.authorize_labels(Action::Create, ResourceKind::Evidence, &v.labels, None)
            .await?;
        Ok(v)
    }

    async fn evidence_complete_valid(
        &self,
        id: &str,
        row: UploadRow,
        v: ValidCapture,
    ) -> Result<Ingested> {
        let lock = self.store.upload_lock(id);
        let mut guard = lock.try_lock_owned().map_err(|_| {
            StoreError::Conflict("another transfer to this upload is in progress".into())
        })?;
        let lease = self.store.take_upload_lease(id).await?;
        let done = self.evidence_complete_leased(id, row, v, &mut guard).await;
        if done.is_err() {
            self.store.release_upload_lease(id, lease.as_deref()).await;
        }
        drop(guard);
        let (item_id, siblings) = done?;
        self.store.forget_upload(id);
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLS} FROM evidence_items WHERE id = $1"
        )))
        .bind(&item_id)
        .fetch_one(&self.store.pool)
        .await?;
        let item = item_from_row(&self.store, &row)?;
        Ok(Ingested {
            item,
            duplicate_of: siblings,
        })
    }

    /// Completes an upload under its lock and lease: the new item's id and its siblings.
    async fn evidence_complete_leased(
        &self,
        id: &str,
        row: UploadRow,
        v: ValidCapture,
        guard: &mut Option<Cursor>,
    ) -> Result<(String, Vec<String>)> {
        let cipher = self.evidence_upload_cipher(id, &row)?;
        let cursor = self.store.current_cursor(id, &cipher, guard.take()).await?;
        if row.length >= 0 && cursor.offset != row.length as u64 {
            let msg = format!(
                "{} of {} bytes received; send the rest before completing",
                cursor.offset, row.length
            );
            *guard = Some(cursor);
            return Err(StoreError::invalid("Upload-Offset", msg));
        }
        let sha256 = cursor.hasher.hex();
        let size = cursor.offset as i64;
        let file_key = self
            .store
            .unwrap_file_key(&upload_aad(id), &row.wrapped_key)?;
        let wrapped = self
            .store
            .evidence_keys()?
            .wrap(&blob_aad(&sha256), &file_key)?;
        let compartment = v.labels.compartment.as_ref().map(|c| c.to_string());

        let mut tx = self.store.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO evidence_blobs (sha256, size, segments, wrapped_key, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(size)
        .bind(cursor.segments as i64)
        .bind(&wrapped)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if inserted {
            // A new content: the upload becomes the blob (before commit, under the lock).
            self.store.store_upload_as_blob(id, &sha256).await?;
        }
        // Items with the same labels that hold this content already: linked both ways. (Items
        // under other labels share the stored file silently: naming them would reveal them.)
        let siblings: Vec<String> = sqlx::query(
            "SELECT id FROM evidence_items WHERE sha256 = $1 AND compartment_id = $2 AND classification = $3 ORDER BY created_at",
        )
        .bind(&sha256)
        .bind(&compartment)
        .bind(v.labels.classification.level())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<Result<_, _>>()?;

        let item_id = new_id();
        let sensitive = Sensitive {
            title: v.capture.title.clone(),
            source_url: v.capture.source_url.clone(),
            collector: v.capture.collector.clone(),
            original_name: v.capture.original_name.clone(),
            description: v.capture.description.clone(),
        };
        let enc = self.store.keys.encrypt(
            &sensitive_aad(&item_id),
            &serde_json::to_string(&sensitive).unwrap_or_default(),
        )?;
        let metadata_hash = v.capture.metadata_hash();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO evidence_items ({ITEM_COLS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 0, $18, '')"
        )))
        .bind(&item_id)
        .bind(&sha256)
        .bind(size)
        .bind(&v.capture.media_type)
        .bind(&v.parent_id)
        .bind(&v.derivation)
        .bind(&v.incident_id)
        .bind(v.capture.captured_at)
        .bind(&v.capture.capture_tool)
        .bind(&v.capture.capture_tool_version)
        .bind(&v.capture.method)
        .bind(&enc)
        .bind(&metadata_hash)
        .bind(v.labels.classification.level())
        .bind(&compartment)
        .bind(&self.subject.user_id)
        .bind(now_micros())
        .bind(GENESIS)
        .execute(&mut *tx)
        .await?;
        self.evidence_custody(
            &mut tx,
            &item_id,
            "ingest",
            serde_json::json!({
                "sha256": sha256,
                "size": size,
                "metadata_hash": metadata_hash,
                "media_type": v.capture.media_type,
                "classification": v.labels.classification.as_str(),
                "compartment": compartment,
                "parent_id": v.parent_id,
                "derivation": v.derivation,
                "incident_id": v.incident_id,
                "copy_of": siblings,
            }),
        )
        .await?;
        for s in &siblings {
            self.evidence_custody(
                &mut tx,
                s,
                "copy",
                serde_json::json!({"item": item_id, "sha256": sha256}),
            )
            .await?;
        }
        if let (Some(p), Some(d)) = (&v.parent_id, &v.derivation) {
            self.evidence_custody(
                &mut tx,
                p,
                "derive",
                serde_json::json!({"derived_item": item_id, "derivation": d, "sha256": sha256}),
            )
            .await?;
        }
        record_change(&mut tx, "evidence", &item_id, "upsert").await?;
        sqlx::query("DELETE FROM evidence_uploads WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // What is left of the upload: the part file of a known content, or the part objects
        // (copied to the blob).
        self.store.remove_upload_data(id).await;
        Ok((item_id, siblings))
    }

    /// Ingests a whole stream in one go (forms, the command line, demo data, benchmarks).
    pub async fn evidence_ingest_reader<R: tokio::io::AsyncRead + Unpin>(
        &self,
        input: &CaptureInput,
        reader: &mut R,
    ) -> Result<Ingested> {
        self.evidence_check_input(input).await?;
        let up = self.evidence_upload_start(None).await?;
        let mut w = self.evidence_upload_writer(&up.id, 0).await?;
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = reader
                .read(&mut buf)
                .await
                .map_err(|e| StoreError::Integrity(format!("reading the upload: {e}")))?;
            if n == 0 {
                break;
            }
            if let Err(e) = w.write(&buf[..n]).await {
                let _ = w.finish().await;
                let _ = self.evidence_upload_cancel(&up.id).await;
                return Err(e);
            }
        }
        w.finish().await?;
        match self.evidence_upload_complete(&up.id, input).await {
            Ok(i) => Ok(i),
            Err(e) => {
                let _ = self.evidence_upload_cancel(&up.id).await;
                Err(e)
            }
        }
    }

    /// Ingests bytes held in memory (small files).
    pub async fn evidence_ingest_bytes(
        &self,
        input: &CaptureInput,
        bytes: &[u8],
    ) -> Result<Ingested> {
        let mut r = bytes;
        self.evidence_ingest_reader(input, &mut r).await
    }
}

impl Access {
    /// Re-wraps every evidence file key (stored files and unfinished uploads) under the current
    /// evidence master key, after `EvidenceKeys::rotate_master`; the files themselves are not
    /// touched (their keys do not change). Keys already under the current master key are left
    /// as they are, so a second run after a crash finishes the work. One transaction, audited.
    /// Administrators only. Returns (re-wrapped, total).
    pub async fn rewrap_evidence_keys(&self) -> Result<(usize, usize)> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::Compartment),
            None,
        )
        .await?;
        // Fresh from the file: the cached keys may predate the rotation.
        let keys = grotius_security::EvidenceKeys::load(self.store.keys.dir())?;
        let mut tx = self.store.write_tx().await?;
        let (mut rewrapped, mut total) = (0usize, 0usize);
        for (table, id_col, aad_of) in [
            ("evidence_blobs", "sha256", blob_aad as fn(&str) -> String),
            ("evidence_uploads", "id", upload_aad as fn(&str) -> String),
        ] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {id_col} AS k, wrapped_key FROM {table} ORDER BY {id_col}"
            )))
            .fetch_all(&mut *tx)
            .await?;
            for r in rows {
                total += 1;
                let k: String = r.try_get("k")?;
                let wrapped: String = r.try_get("wrapped_key")?;
                let aad = aad_of(&k);
                if keys.unwraps_with_current(&aad, &wrapped) {
                    continue;
                }
                let file_key = keys.unwrap(&aad, &wrapped).map_err(|e| {
                    StoreError::Integrity(format!("{table} {k}: {e}; nothing was changed"))
                })?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET wrapped_key = $1 WHERE {id_col} = $2"
                )))
                .bind(keys.wrap(&aad, &file_key)?)
                .bind(&k)
                .execute(&mut *tx)
                .await?;
                rewrapped += 1;
            }
        }
        let detail = serde_json::json!({"rewrapped": rewrapped, "total": total}).to_string();
        self.audit_in(
            &mut tx,
            "keys.evidence.rewrap",
            "instance",
            "",
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok((rewrapped, total))
    }

    /// Whether every evidence file key unwraps with the current master key (the condition for
    /// retiring the previous ones).
    pub async fn evidence_keys_all_current(&self) -> Result<bool> {
        let keys = grotius_security::EvidenceKeys::load(self.store.keys.dir())?;
        for (table, id_col, aad_of) in [
            ("evidence_blobs", "sha256", blob_aad as fn(&str) -> String),
            ("evidence_uploads", "id", upload_aad as fn(&str) -> String),
        ] {
            for r in sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {id_col} AS k, wrapped_key FROM {table}"
            )))
            .fetch_all(&self.store.pool)
            .await?
            {
                let k: String = r.try_get("k")?;
                let wrapped: String = r.try_get("wrapped_key")?;
                if !keys.unwraps_with_current(&aad_of(&k), &wrapped) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}
