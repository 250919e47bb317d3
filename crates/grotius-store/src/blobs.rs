//! Where the evidence vault keeps its encrypted files: the local data directory (the embedded
//! default) or an S3-compatible object store shared by several app nodes.
//!
//! Both hold the same bytes: sequences of segments `u32 length ‖ nonce ‖ ciphertext ‖ tag`,
//! encrypted before they leave the process (the object store never sees plaintext).
//!
//! - **Local** (`DATA/evidence/`): an upload in progress is one file `uploads/<id>.part`,
//!   appended to; a stored file is `blobs/ab/cdef…`, named by the SHA-256 of its plaintext.
//! - **S3** (`s3://bucket[/prefix]`, credentials and endpoint from the `AWS_*` environment
//!   variables): objects cannot be appended to, so an upload is a run of part objects
//!   `uploads/<id>/<first segment, 12 digits>`, each a whole number of segments written by one
//!   PUT (no torn writes); completing the upload copies them, server side, to
//!   `blobs/ab/cdef…/<first segment>`. A file is read back by listing its parts in name order
//!   and reading them as one stream. Any node can resume any upload: the parts are in the
//!   store, and one node at a time writes them (a lease in `evidence_uploads`).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::{Result, StoreError};

/// The largest run of encrypted segments written as one part object (8 MiB: 128 segments).
pub(crate) const PART_BYTES: usize = 8 * 1024 * 1024;

/// Where evidence files live.
#[derive(Clone)]
pub enum BlobStore {
    /// The directory `DATA/evidence` of this node.
    Local(PathBuf),
    /// An S3-compatible object store.
    S3(S3Blobs),
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A bucket (and a prefix inside it) of an S3-compatible object store.
#[derive(Clone)]
pub struct S3Blobs {
    store: Arc<dyn ObjectStore>,
    url: String,
    prefix: String,
}

/// One part object of an upload or a stored file.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The index of its first segment.
    pub first_segment: u64,
    pub path: ObjectPath,
}

impl BlobStore {
    /// The store named by `--blobs`: `s3://bucket[/prefix]` (the endpoint, region and keys come
    /// from `AWS_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`; plain
    /// HTTP needs `AWS_ALLOW_HTTP=true`), or a directory path for local files.
    pub fn from_url(url: &str) -> Result<BlobStore> {
        let url = url.trim();
        let Some(rest) = url.strip_prefix("s3://") else {
            if url.contains("://") {
                return Err(StoreError::Config(format!(
                    "unsupported blob store '{url}': use s3://BUCKET[/PREFIX] for an S3-compatible object store, or leave --blobs out to keep files in the data directory"
                )));
            }
            return Ok(BlobStore::Local(PathBuf::from(url)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StoreError::Config(format!(
                "blob store '{url}' names no bucket: use s3://BUCKET[/PREFIX]"
            )));
        }
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| {
                StoreError::Config(format!(
                    "object store {url}: {e} (set AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for an http:// endpoint)"
                ))
            })?;
        Ok(BlobStore::S3(S3Blobs {
            store: Arc::new(store),
            url: url.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        }))
    }

    /// Where the files are, for messages.
    pub fn describe(&self) -> String {
        match self {
            BlobStore::Local(root) => root.display().to_string(),
            BlobStore::S3(s) => s.url.clone(),
        }
    }

    /// Checks that the store answers (for an object store: the bucket can be listed), so that a
    /// wrong endpoint, bucket or key is named when the server starts, not at the first upload.
    pub async fn check(&self) -> Result<()> {
        if let BlobStore::S3(s3) = self {
            let dir = s3.path("evidence");
            let mut list = s3.store.list(Some(&dir));
            if let Some(Err(e)) = list.next().await {
                return Err(s3.err("listing the bucket", e));
            }
        }
        Ok(())
    }

    /// Whether every node sees the same files (an object store) or only this one.
    pub fn is_shared(&self) -> bool {
        matches!(self, BlobStore::S3(_))
    }

    /// The local file of a stored blob (local store only).
    pub(crate) fn local_blob_path(root: &std::path::Path, sha256: &str) -> PathBuf {
        let (a, b) = sha256.split_at(2.min(sha256.len()));
        root.join("blobs").join(a).join(b)
    }
}

/// Object names: fixed-width segment numbers so that name order is segment order.
fn part_name(first_segment: u64) -> String {
    format!("{first_segment:012}")
}

impl S3Blobs {
    fn path(&self, rest: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(rest)
        } else {
            ObjectPath::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn err(&self, what: &str, e: object_store::Error) -> StoreError {
        StoreError::Storage(format!("object store {}: {what}: {e}", self.url))
    }

    pub(crate) fn upload_dir(&self, id: &str) -> ObjectPath {
        self.path(&format!("evidence/uploads/{id}"))
    }

    pub(crate) fn upload_part(&self, id: &str, first_segment: u64) -> ObjectPath {
        self.path(&format!(
            "evidence/uploads/{id}/{}",
            part_name(first_segment)
        ))
    }

    pub(crate) fn blob_location(&self, sha256: &str) -> String {
        format!("{}/{}", self.url.trim_end_matches('/'), {
            let (a, b) = sha256.split_at(2.min(sha256.len()));
            format!("evidence/blobs/{a}/{b}")
        })
    }

    pub(crate) fn blob_dir(&self, sha256: &str) -> ObjectPath {
        let (a, b) = sha256.split_at(2.min(sha256.len()));
        self.path(&format!("evidence/blobs/{a}/{b}"))
    }

    pub(crate) fn blob_part(&self, sha256: &str, first_segment: u64) -> ObjectPath {
        let (a, b) = sha256.split_at(2.min(sha256.len()));
        self.path(&format!(
            "evidence/blobs/{a}/{b}/{}",
            part_name(first_segment)
        ))
    }

    /// The parts under `dir`, in segment order. An object whose name is not a part name is an
    /// error: nothing else is written there.
    pub(crate) async fn parts(&self, dir: &ObjectPath) -> Result<Vec<Part>> {
        let names = self.names(dir).await?;
        let mut parts = Vec::with_capacity(names.len());
        for location in names {
            let name = location.filename().unwrap_or_default();
            let first_segment = name
                .parse::<u64>()
                .ok()
                .filter(|_| name.len() == 12)
                .ok_or_else(|| {
                    StoreError::Integrity(format!(
                        "object store {}: unexpected object {location} (altered)",
                        self.url
                    ))
                })?;
            parts.push(Part {
                first_segment,
                path: location,
            });
        }
        parts.sort_by_key(|p| p.first_segment);
        Ok(parts)
    }

    pub(crate) async fn put(&self, path: &ObjectPath, bytes: Vec<u8>) -> Result<()> {
        self.store
            .put(path, PutPayload::from(bytes))
            .await
            .map_err(|e| self.err(&format!("writing {path}"), e))?;
        Ok(())
    }

    pub(crate) async fn get(&self, path: &ObjectPath) -> Result<Bytes> {
        self.store
            .get(path)
            .await
            .map_err(|e| self.err(&format!("reading {path}"), e))?
            .bytes()
            .await
            .map_err(|e| self.err(&format!("reading {path}"), e))
    }

    pub(crate) async fn copy(&self, from: &ObjectPath, to: &ObjectPath) -> Result<()> {
        self.store
            .copy(from, to)
            .await
            .map_err(|e| self.err(&format!("copying {from} to {to}"), e))
    }

    /// Deletes every object under `dir` (an upload's parts); missing objects are no error.
    pub(crate) async fn delete_dir(&self, dir: &ObjectPath) -> Result<()> {
        for p in self.names(dir).await? {
            match self.store.delete(&p).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.err(&format!("deleting {p}"), e)),
            }
        }
        Ok(())
    }

    /// The names of every object under `dir`.
    async fn names(&self, dir: &ObjectPath) -> Result<Vec<ObjectPath>> {
        self.store
            .list(Some(dir))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(|e| self.err(&format!("listing {dir}"), e))
    }

    /// The parts read one after the other as one byte stream.
    pub(crate) fn reader(
        &self,
        parts: Vec<Part>,
    ) -> impl tokio::io::AsyncRead + Send + Unpin + use<> {
        let store = self.store.clone();
        let url = self.url.clone();
        let stream = futures_util::stream::iter(parts)
            .then(move |p| {
                let store = store.clone();
                let url = url.clone();
                async move {
                    store
                        .get(&p.path)
                        .await
                        .map(|r| r.into_stream())
                        .map_err(|e| {
                            std::io::Error::other(format!(
                                "object store {url}: reading {}: {e}",
                                p.path
                            ))
                        })
                }
            })
            .map_ok(|s| s.map_err(std::io::Error::other))
            .try_flatten();
        tokio_util::io::StreamReader::new(Box::pin(stream))
    }
}

/// What `grotius migrate-blobs` did.
#[derive(Debug, Clone, Default)]
pub struct MigrateReport {
    /// Stored files copied to the object store (and verified there).
    pub copied: usize,
    /// Stored files already in the object store and verified there (an earlier run).
    pub present: usize,
    pub bytes: u64,
}

impl crate::Store {
    /// Copies every stored evidence file from this store's local directory to the object store
    /// `to`, each split into part objects at segment boundaries (bounded memory, no object
    /// larger than [`PART_BYTES`]), then reads it back from there, decrypting and hashing it, so
    /// nothing is counted as moved that the object store cannot give back whole. Files already
    /// there and whole are skipped: a second run resumes where one stopped. Nothing is deleted
    /// from the local directory. Unfinished uploads are not moved (complete or cancel them first:
    /// the count is in the error).
    pub async fn migrate_blobs(
        &self,
        to: &BlobStore,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<MigrateReport> {
        use sqlx::Row;
        use tokio::io::AsyncReadExt;
        let BlobStore::Local(root) = &*self.blobs else {
            return Err(StoreError::Config(
                "the evidence files are not in a local directory: migrate-blobs copies from DATA/evidence to an object store".into(),
            ));
        };
        let BlobStore::S3(s3) = to else {
            return Err(StoreError::Config(
                "migrate-blobs copies to an object store: give --to s3://BUCKET[/PREFIX]".into(),
            ));
        };
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evidence_uploads")
            .fetch_one(&self.pool)
            .await?;
        if pending > 0 {
            return Err(StoreError::Conflict(format!(
                "{pending} upload(s) are unfinished: complete or cancel them (or stop the server and let them go) before moving the files; nothing was copied"
            )));
        }
        let shas: Vec<String> = sqlx::query("SELECT sha256 FROM evidence_blobs ORDER BY sha256")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("sha256"))
            .collect::<std::result::Result<_, _>>()?;
        let target = self.clone().with_blobs(to.clone());
        let mut report = MigrateReport::default();
        progress(0, shas.len());
        for (n, sha) in shas.iter().enumerate() {
            let there = match crate::evidence::BlobReader::open(&target, sha).await {
                Ok(mut r) => r.check_all().await.ok(),
                Err(_) => None,
            };
            if let Some(bytes) = there {
                report.present += 1;
                report.bytes += bytes;
                progress(n + 1, shas.len());
                continue;
            }
            // Copy: whole segments into parts of up to PART_BYTES.
            s3.delete_dir(&s3.blob_dir(sha)).await?;
            let path = BlobStore::local_blob_path(root, sha);
            let file = tokio::fs::File::open(&path).await.map_err(|e| {
                StoreError::Integrity(format!("blob {sha}: file {}: {e}", path.display()))
            })?;
            let mut r = tokio::io::BufReader::with_capacity(1024 * 1024, file);
            let (mut part, mut first, mut segment) = (Vec::new(), 0u64, 0u64);
            loop {
                let mut len = [0u8; 4];
                match r.read_exact(&mut len).await {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                    Err(e) => {
                        return Err(StoreError::Integrity(format!(
                            "blob {sha}: file {}: {e}",
                            path.display()
                        )));
                    }
                }
                let n = u32::from_be_bytes(len) as usize;
                if n > grotius_security::SEGMENT_SIZE + grotius_security::SEGMENT_OVERHEAD {
                    return Err(StoreError::Integrity(format!(
                        "blob {sha}: segment {segment} of {} has an impossible length (altered); run `grotius evidence verify`",
                        path.display()
                    )));
                }
                part.extend_from_slice(&len);
                let start = part.len();
                part.resize(start + n, 0);
                r.read_exact(&mut part[start..]).await.map_err(|e| {
                    StoreError::Integrity(format!(
                        "blob {sha}: segment {segment} of {} is cut short: {e}",
                        path.display()
                    ))
                })?;
                segment += 1;
                if part.len() >= PART_BYTES {
                    s3.put(&s3.blob_part(sha, first), std::mem::take(&mut part))
                        .await?;
                    first = segment;
                }
            }
            if !part.is_empty() || segment == 0 {
                s3.put(&s3.blob_part(sha, first), part).await?;
            }
            let bytes = crate::evidence::BlobReader::open(&target, sha)
                .await?
                .check_all()
                .await
                .map_err(|e| {
                    StoreError::Integrity(format!(
                        "blob {sha}: the copy in {} does not verify: {e}",
                        s3.url
                    ))
                })?;
            report.copied += 1;
            report.bytes += bytes;
            progress(n + 1, shas.len());
        }
        Ok(report)
    }
}
