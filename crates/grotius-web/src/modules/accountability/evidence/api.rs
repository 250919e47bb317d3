//! Evidence API: resumable uploads (a tus-like protocol), items with capture metadata, custody
//! chains, downloads (streamed, each one a custody event) and signed transfer packages.
//!
//! Upload protocol:
//! 1. `POST /api/v1/evidence/uploads` with `Upload-Length: N` (or `Upload-Defer-Length: 1`) →
//!    201, `Location` and the upload id;
//! 2. `PATCH /api/v1/evidence/uploads/{id}` with `Upload-Offset: <offset>` and the bytes as
//!    `application/offset+octet-stream` (any number of requests, any sizes) → 204 with the new
//!    `Upload-Offset`; a broken request keeps what arrived;
//! 3. `HEAD /api/v1/evidence/uploads/{id}` → the offset to resume from;
//! 4. `POST /api/v1/evidence/uploads/{id}/complete` with the capture metadata → 201 and the item.

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use grotius_domain::evidence::{
    CaptureInput, CustodyEvent, EvidenceItem, PackageInput, format_utc, safe_file_name, tar_header,
};
use grotius_store::{BlobReader, EvidenceFilter, Ingested, PackageDetail, PackageSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/evidence", get(list_items))
        .route("/evidence/pubkey", get(pubkey))
        .route("/evidence/uploads", post(start_upload))
        .route(
            "/evidence/uploads/{id}",
            crate::routes::head(upload_offset)
                .patch(upload_chunk)
                .delete(cancel_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/evidence/uploads/{id}/complete", post(complete_upload))
        .route(
            "/evidence/packages",
            get(list_packages).post(create_package),
        )
        .route("/evidence/packages/{id}", get(get_package))
        .route("/evidence/packages/{id}/download", get(download_package))
        .route("/evidence/{id}", get(get_item))
        .route("/evidence/{id}/content", get(download_item))
        .route("/evidence/{id}/custody", get(custody))
        .route("/evidence/{id}/derived", get(derived));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_items,
        pubkey,
        start_upload,
        upload_offset,
        upload_chunk,
        cancel_upload,
        complete_upload,
        get_item,
        download_item,
        custody,
        derived,
        list_packages,
        create_package,
        get_package,
        download_package
    ),
    components(schemas(
        EvidenceDto,
        EvidenceList,
        CaptureInputDto,
        IngestDto,
        UploadDto,
        CustodyEventDto,
        CustodyList,
        PackageInputDto,
        PackageDto,
        PackageList,
        PublicKeyDto
    ))
)]
pub struct EvidenceApi;

/// An evidence item: capture metadata (Berkeley Protocol) over a stored, hashed file.
#[derive(Serialize, ToSchema)]
pub struct EvidenceDto {
    pub id: String,
    /// SHA-256 of the file (hex).
    pub sha256: String,
    pub size: i64,
    pub title: String,
    pub source_url: String,
    /// UTC, ISO 8601.
    pub captured_at: String,
    pub capture_tool: String,
    pub capture_tool_version: String,
    pub collector: String,
    /// web-capture, screenshot, download, photograph, video-recording, audio-recording,
    /// document-scan, witness-submission, device-extraction, other
    pub method: String,
    pub original_name: String,
    pub description: String,
    pub media_type: String,
    /// The original this working copy was derived from.
    pub parent_id: Option<String>,
    /// redaction, transcode, excerpt, translation, enhancement, other
    pub derivation: Option<String>,
    pub incident_id: Option<String>,
    pub classification: String,
    pub compartment: Option<String>,
    /// Unix microseconds.
    pub created_at: i64,
    /// Number of events in the chain of custody.
    pub custody_events: i64,
}

impl From<EvidenceItem> for EvidenceDto {
    fn from(i: EvidenceItem) -> Self {
        EvidenceDto {
            id: i.id,
            sha256: i.sha256,
            size: i.size,
            title: i.capture.title,
            source_url: i.capture.source_url,
            captured_at: format_utc(i.capture.captured_at),
            capture_tool: i.capture.capture_tool,
            capture_tool_version: i.capture.capture_tool_version,
            collector: i.capture.collector,
            method: i.capture.method,
            original_name: i.capture.original_name,
            description: i.capture.description,
            media_type: i.capture.media_type,
            parent_id: i.parent_id,
            derivation: i.derivation,
            incident_id: i.incident_id,
            classification: i.labels.classification.as_str().into(),
            compartment: i.labels.compartment.map(|c| c.to_string()),
            created_at: i.created_at,
            custody_events: i.custody_seq,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceList {
    pub items: Vec<EvidenceDto>,
    /// How many items you may see under this filter.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Capture metadata of an upload. For a working copy, `parent_id` and `derivation`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureInputDto {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source_url: String,
    /// ISO 8601 with a zone, e.g. 2026-03-01T14:05:00Z.
    pub captured_at: String,
    #[serde(default)]
    pub capture_tool: String,
    #[serde(default)]
    pub capture_tool_version: String,
    pub collector: String,
    pub method: String,
    pub original_name: String,
    #[serde(default)]
    pub description: String,
    /// Guessed from the file name when empty.
    #[serde(default)]
    pub media_type: String,
    pub classification: String,
    /// Required: evidence lives in a compartment.
    pub compartment: Option<String>,
    #[serde(default)]
    pub incident_id: Option<String>,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub derivation: Option<String>,
}

impl From<CaptureInputDto> for CaptureInput {
    fn from(d: CaptureInputDto) -> Self {
        CaptureInput {
            title: d.title,
            source_url: d.source_url,
            captured_at: d.captured_at,
            capture_tool: d.capture_tool,
            capture_tool_version: d.capture_tool_version,
            collector: d.collector,
            method: d.method,
            original_name: d.original_name,
            description: d.description,
            media_type: d.media_type,
            classification: d.classification,
            compartment: d.compartment,
            incident_id: d.incident_id,
            parent_id: d.parent_id,
            derivation: d.derivation,
        }
    }
}

/// A completed upload.
#[derive(Serialize, ToSchema)]
pub struct IngestDto {
    pub item: EvidenceDto,
    /// Items with the same labels that already held this content: the file is stored once.
    pub duplicate_of: Vec<String>,
}

impl From<Ingested> for IngestDto {
    fn from(i: Ingested) -> Self {
        IngestDto {
            item: i.item.into(),
            duplicate_of: i.duplicate_of,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UploadDto {
    pub id: String,
    pub offset: u64,
    /// `null` when deferred.
    pub length: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct CustodyEventDto {
    pub id: String,
    pub item_id: String,
    pub seq: i64,
    /// ingest, view, download, copy, derive, transfer, export
    pub kind: String,
    /// UTC, ISO 8601.
    pub at: String,
    pub at_micros: i64,
    pub actor: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
    /// Ed25519 signature of the hash by the instance (see /api/v1/evidence/pubkey).
    pub signature: String,
}

impl From<CustodyEvent> for CustodyEventDto {
    fn from(e: CustodyEvent) -> Self {
        CustodyEventDto {
            id: e.id,
            item_id: e.record.item_id,
            seq: e.record.seq,
            kind: e.record.kind,
            at: format_utc(e.record.at),
            at_micros: e.record.at,
            actor: e.record.actor,
            detail: serde_json::from_str(&e.record.detail).unwrap_or_default(),
            prev_hash: e.record.prev_hash,
            hash: e.hash,
            signature: e.signature,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CustodyList {
    pub items: Vec<CustodyEventDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageInputDto {
    pub recipient: String,
    /// ffm, icc, national-prosecutor, ohchr, other
    pub recipient_kind: String,
    #[serde(default)]
    pub purpose: String,
    pub use_restrictions: String,
    /// Evidence item ids (one compartment).
    pub items: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PackageDto {
    pub id: String,
    pub recipient: String,
    pub recipient_kind: String,
    pub purpose: String,
    pub use_restrictions: String,
    pub manifest_sha256: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub items: usize,
    /// Present on a single package: the signed manifest, its detached signature and the key.
    #[schema(value_type = Object)]
    pub manifest: Option<serde_json::Value>,
    pub signature: Option<String>,
    pub public_key: Option<String>,
}

impl From<PackageSummary> for PackageDto {
    fn from(p: PackageSummary) -> Self {
        PackageDto {
            id: p.id,
            recipient: p.recipient,
            recipient_kind: p.recipient_kind,
            purpose: p.purpose,
            use_restrictions: p.use_restrictions,
            manifest_sha256: p.manifest_sha256,
            classification: p.labels.classification.as_str().into(),
            compartment: p.labels.compartment.map(|c| c.to_string()),
            created_by: p.created_by,
            created_at: p.created_at,
            items: p.items,
            manifest: None,
            signature: None,
            public_key: None,
        }
    }
}

impl From<PackageDetail> for PackageDto {
    fn from(p: PackageDetail) -> Self {
        let manifest = serde_json::from_str(&p.manifest_json).ok();
        PackageDto {
            manifest,
            signature: Some(p.signature),
            public_key: Some(p.public_key),
            ..PackageDto::from(p.summary)
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PackageList {
    pub items: Vec<PackageDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicKeyDto {
    /// Ed25519 public key (hex) that signs custody events and package manifests.
    pub public_key: String,
    pub algorithm: String,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Only originals, no working copies.
    #[serde(default)]
    pub originals_only: bool,
    pub method: Option<String>,
    pub incident_id: Option<String>,
}

/// Evidence items you may see, newest first.
#[utoipa::path(get, path = "/api/v1/evidence", params(ListQuery),
    responses((status = 200, body = EvidenceList), (status = 404, body = ErrorBody)))]
async fn list_items(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<EvidenceList>, ApiError> {
    let page = a
        .evidence_list(
            &EvidenceFilter {
                originals_only: q.originals_only,
                method: q.method,
                incident_id: q.incident_id,
                sha256: None,
            },
            q.limit.unwrap_or(100),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(EvidenceList {
        items: page.items.into_iter().map(EvidenceDto::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// The instance's Ed25519 public key, to verify custody events and transfer packages.
#[utoipa::path(get, path = "/api/v1/evidence/pubkey",
    responses((status = 200, body = PublicKeyDto), (status = 404, body = ErrorBody)))]
async fn pubkey(Caller(a): Caller) -> Result<Json<PublicKeyDto>, ApiError> {
    a.check(
        grotius_domain::Action::Read,
        grotius_domain::Resource::kind(grotius_domain::ResourceKind::Evidence),
    )
    .await?;
    Ok(Json(PublicKeyDto {
        public_key: a.store().evidence_public_key()?,
        algorithm: "Ed25519".into(),
    }))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>, ApiError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("the {name} header must be a non-negative integer"),
                )
            }),
    }
}

fn upload_headers(offset: u64, length: Option<u64>) -> [(header::HeaderName, HeaderValue); 3] {
    [
        (
            header::HeaderName::from_static("upload-offset"),
            HeaderValue::from(offset),
        ),
        (
            header::HeaderName::from_static("upload-length"),
            length
                .map(HeaderValue::from)
                .unwrap_or_else(|| HeaderValue::from_static("")),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

/// Starts a resumable upload. Send `Upload-Length` (bytes) or `Upload-Defer-Length: 1`.
#[utoipa::path(post, path = "/api/v1/evidence/uploads",
    params(("Upload-Length" = Option<u64>, Header), ("Upload-Defer-Length" = Option<u64>, Header)),
    responses((status = 201, body = UploadDto), (status = 413, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn start_upload(Caller(a): Caller, headers: HeaderMap) -> Result<Response, ApiError> {
    let length = header_u64(&headers, "upload-length")?;
    let deferred = header_u64(&headers, "upload-defer-length")? == Some(1);
    if length.is_none() && !deferred {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "send Upload-Length: <bytes>, or Upload-Defer-Length: 1 when the length is not known",
        ));
    }
    if let Some(n) = length
        && n > a.store().evidence_max_bytes()
    {
        a.check(
            grotius_domain::Action::Create,
            grotius_domain::Resource::kind(grotius_domain::ResourceKind::Evidence),
        )
        .await?;
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is larger than the limit of {} bytes",
                a.store().evidence_max_bytes()
            ),
        ));
    }
    let up = a.evidence_upload_start(length).await?;
    let mut res = (
        StatusCode::CREATED,
        upload_headers(0, up.length),
        Json(UploadDto {
            id: up.id.clone(),
            offset: 0,
            length: up.length,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/evidence/uploads/{}", up.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// The offset to resume an upload from (`Upload-Offset` header).
#[utoipa::path(head, path = "/api/v1/evidence/uploads/{id}", params(("id" = String, Path)),
    responses((status = 200), (status = 404)))]
async fn upload_offset(Caller(a): Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let up = a.evidence_upload_status(&id).await?;
    Ok((StatusCode::OK, upload_headers(up.offset, up.length)).into_response())
}

/// Appends bytes at `Upload-Offset` (which must equal the server's offset: 409 otherwise). The
/// body streams through in bounded memory; a broken request keeps what arrived.
#[utoipa::path(patch, path = "/api/v1/evidence/uploads/{id}",
    params(("id" = String, Path), ("Upload-Offset" = u64, Header)),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_chunk(
    Caller(a): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let offset = header_u64(&headers, "upload-offset")?.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "send the Upload-Offset header (ask for it with HEAD)",
        )
    })?;
    let mut w = a.evidence_upload_writer(&id, offset).await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                // The connection broke: keep what arrived, the client resumes.
                let _ = w.finish().await;
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "incomplete",
                    format!("the request body broke off: {e}"),
                ));
            }
        };
        if let Err(e) = w.write(&chunk).await {
            let _ = w.finish().await;
            return Err(e.into());
        }
    }
    let new = w.finish().await?;
    Ok((StatusCode::NO_CONTENT, upload_headers(new, None)).into_response())
}

/// Abandons an upload.
#[utoipa::path(delete, path = "/api/v1/evidence/uploads/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn cancel_upload(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.evidence_upload_cancel(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Completes an upload with its capture metadata: the evidentiary item, with its `ingest`
/// custody event. For a working copy, give `parent_id` and `derivation`.
#[utoipa::path(post, path = "/api/v1/evidence/uploads/{id}/complete", params(("id" = String, Path)),
    request_body = CaptureInputDto,
    responses((status = 201, body = IngestDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete_upload(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<CaptureInputDto>,
) -> Result<(StatusCode, Json<IngestDto>), ApiError> {
    let i = a.evidence_upload_complete(&id, &d.into()).await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

/// An item's metadata (recorded as a `view` in its chain of custody).
#[utoipa::path(get, path = "/api/v1/evidence/{id}", params(("id" = String, Path)),
    responses((status = 200, body = EvidenceDto), (status = 404, body = ErrorBody)))]
async fn get_item(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<EvidenceDto>, ApiError> {
    Ok(Json(a.evidence_view(&id).await?.into()))
}

/// Downloads an item's file (recorded as a `download` in its chain of custody). The SHA-256 is
/// in the `Digest` header; the stream aborts if the stored file fails its check.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn download_item(Caller(a): Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (item, reader) = a.evidence_download(&id).await?;
    Ok(file_response(&item, reader))
}

/// The streamed response of an item's file.
pub(crate) fn file_response(item: &EvidenceItem, reader: BlobReader) -> Response {
    let size = reader.size();
    let mut res = Response::new(Body::from_stream(blob_stream(reader)));
    let h = res.headers_mut();
    // Evidence is untrusted content: anything a browser might render as active content is
    // served as bytes (besides `attachment`, `nosniff` and the CSP).
    let mt = item.capture.media_type.to_ascii_lowercase();
    let active = ["html", "xml", "svg", "javascript", "ecmascript"]
        .iter()
        .any(|k| mt.contains(k));
    let ct = if active {
        HeaderValue::from_static("application/octet-stream")
    } else {
        HeaderValue::from_str(&mt)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    h.insert(header::CONTENT_TYPE, ct);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    let name = safe_file_name(&item.capture.original_name).replace('"', "_");
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("sha-256={}", item.sha256)) {
        h.insert("x-content-sha256", v);
    }
    res
}

fn blob_stream(
    reader: BlobReader,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures_util::stream::unfold(Some(reader), |state| async move {
        let mut r = state?;
        match r.next_chunk().await {
            Ok(Some(c)) => Some((Ok(Bytes::from(c)), Some(r))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "evidence file failed its check while streaming");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    })
}

/// The chain of custody of an item, oldest first.
#[utoipa::path(get, path = "/api/v1/evidence/{id}/custody", params(("id" = String, Path)),
    responses((status = 200, body = CustodyList), (status = 404, body = ErrorBody)))]
async fn custody(Caller(a): Caller, Path(id): Path<String>) -> Result<Json<CustodyList>, ApiError> {
    Ok(Json(CustodyList {
        items: a
            .evidence_custody_log(&id)
            .await?
            .into_iter()
            .map(CustodyEventDto::from)
            .collect(),
    }))
}

/// Working copies derived from an item (those you may see).
#[utoipa::path(get, path = "/api/v1/evidence/{id}/derived", params(("id" = String, Path)),
    responses((status = 200, body = EvidenceList), (status = 404, body = ErrorBody)))]
async fn derived(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<EvidenceList>, ApiError> {
    let items: Vec<EvidenceDto> = a
        .evidence_derived(&id)
        .await?
        .into_iter()
        .map(EvidenceDto::from)
        .collect();
    let n = items.len() as i64;
    Ok(Json(EvidenceList {
        items,
        total: n,
        limit: n,
        offset: 0,
    }))
}

/// Transfer packages you may see.
#[utoipa::path(get, path = "/api/v1/evidence/packages",
    responses((status = 200, body = PackageList), (status = 404, body = ErrorBody)))]
async fn list_packages(Caller(a): Caller) -> Result<Json<PackageList>, ApiError> {
    Ok(Json(PackageList {
        items: a
            .evidence_package_list()
            .await?
            .into_iter()
            .map(PackageDto::from)
            .collect(),
    }))
}

/// Builds and signs a transfer package; each item's chain records the transfer.
#[utoipa::path(post, path = "/api/v1/evidence/packages", request_body = PackageInputDto,
    responses((status = 201, body = PackageDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_package(
    Caller(a): Caller,
    ApiJson(d): ApiJson<PackageInputDto>,
) -> Result<(StatusCode, Json<PackageDto>), ApiError> {
    let p = a
        .evidence_package_create(&PackageInput {
            recipient: d.recipient,
            recipient_kind: d.recipient_kind,
            purpose: d.purpose,
            use_restrictions: d.use_restrictions,
            items: d.items,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// A package with its signed manifest.
#[utoipa::path(get, path = "/api/v1/evidence/packages/{id}", params(("id" = String, Path)),
    responses((status = 200, body = PackageDto), (status = 404, body = ErrorBody)))]
async fn get_package(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<PackageDto>, ApiError> {
    Ok(Json(a.evidence_package_get(&id).await?.into()))
}

/// Downloads a package as a tar file (manifest.json, manifest.json.sig, public-key.txt,
/// README.txt, files/…, decrypted). Each item's chain records the export.
#[utoipa::path(get, path = "/api/v1/evidence/packages/{id}/download", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/x-tar"), (status = 404, body = ErrorBody)))]
async fn download_package(Caller(a): Caller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (p, readers) = a.evidence_package_export(&id).await?;
    Ok(package_response(p, readers))
}

/// What a recipient reads first.
fn readme(p: &PackageDetail) -> String {
    format!(
        "Grotius transfer package {id}\n\
         Recipient: {recipient} ({kind})\n\
         Created: {created} by {by}\n\n\
         Use restrictions:\n{restrictions}\n\n\
         Contents: manifest.json lists every file with its SHA-256, capture metadata (Berkeley\n\
         Protocol) and its chain of custody; manifest.json.sig is the detached Ed25519 signature of\n\
         manifest.json by the public key in public-key.txt (obtain that key from the sender by a\n\
         separate channel). Verify offline with:\n\n    grotius package verify PACKAGE.tar --key PUBLIC-KEY\n",
        id = p.summary.id,
        recipient = p.summary.recipient,
        kind = p.summary.recipient_kind,
        created = p.manifest.created_at,
        by = p.summary.created_by,
        restrictions = p.summary.use_restrictions,
    )
}

fn padding(size: u64) -> Bytes {
    Bytes::from(vec![0u8; ((512 - size % 512) % 512) as usize])
}

/// The package as a streamed tar file.
pub(crate) fn package_response(p: PackageDetail, readers: Vec<BlobReader>) -> Response {
    let mtime = p.summary.created_at / 1_000_000;
    let mut pending: std::collections::VecDeque<Bytes> = std::collections::VecDeque::new();
    for (name, body) in [
        ("manifest.json", p.manifest_json.clone().into_bytes()),
        (
            "manifest.json.sig",
            format!("{}\n", p.signature).into_bytes(),
        ),
        ("public-key.txt", format!("{}\n", p.public_key).into_bytes()),
        ("README.txt", readme(&p).into_bytes()),
    ] {
        let size = body.len() as u64;
        pending.push_back(Bytes::copy_from_slice(&tar_header(name, size, mtime)));
        pending.push_back(Bytes::from(body));
        pending.push_back(padding(size));
    }
    let files: std::collections::VecDeque<(String, BlobReader)> = p
        .manifest
        .items
        .iter()
        .map(|i| i.file.clone())
        .zip(readers)
        .collect();
    struct State {
        pending: std::collections::VecDeque<Bytes>,
        files: std::collections::VecDeque<(String, BlobReader)>,
        current: Option<BlobReader>,
        finished: bool,
        mtime: i64,
    }
    let state = State {
        pending,
        files,
        current: None,
        finished: false,
        mtime,
    };
    let stream = futures_util::stream::unfold(Some(state), |state| async move {
        let mut s = state?;
        loop {
            if let Some(b) = s.pending.pop_front() {
                if b.is_empty() {
                    continue;
                }
                return Some((Ok::<Bytes, std::io::Error>(b), Some(s)));
            }
            if let Some(r) = s.current.as_mut() {
                match r.next_chunk().await {
                    Ok(Some(c)) => return Some((Ok(Bytes::from(c)), Some(s))),
                    Ok(None) => {
                        let size = r.size();
                        s.pending.push_back(padding(size));
                        s.current = None;
                        continue;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "evidence file failed its check while packaging");
                        return Some((Err(std::io::Error::other(e.to_string())), None));
                    }
                }
            }
            if let Some((name, r)) = s.files.pop_front() {
                s.pending.push_back(Bytes::copy_from_slice(&tar_header(
                    &name,
                    r.size(),
                    s.mtime,
                )));
                s.current = Some(r);
                continue;
            }
            if !s.finished {
                s.finished = true;
                s.pending.push_back(Bytes::from(vec![0u8; 1024]));
                continue;
            }
            return None;
        }
    });
    let mut res = Response::new(Body::from_stream(stream));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tar"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"grotius-package-{}.tar\"",
        p.summary.id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
