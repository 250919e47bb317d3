//! Documents API: upload (multipart, streamed, size-limited), list, detail with the extracted
//! text, versions and their files, metadata edits.

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::document::{Document, DocumentInput, DocumentVersion};
use grotius_store::{DocumentDetail, DocumentFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::upload;

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/documents",
        get(list_documents)
            .post(create_document)
            .layer(DefaultBodyLimit::disable()),
    )
    .route(
        "/documents/{id}",
        get(get_document)
            .put(replace_document)
            .patch(patch_document)
            .delete(delete_document),
    )
    .route(
        "/documents/{id}/versions",
        post(add_version).layer(DefaultBodyLimit::disable()),
    )
    .route("/documents/{id}/versions/{n}/file", get(download));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_documents,
        create_document,
        get_document,
        replace_document,
        patch_document,
        delete_document,
        add_version,
        download
    ),
    components(schemas(
        DocumentDto,
        DocumentDetailDto,
        DocumentList,
        DocumentVersionDto,
        DocumentMetaDto,
        DocumentPatchDto,
        DocumentUploadForm,
        VersionUploadForm
    ))
)]
pub struct DocumentsApi;

/// A document's metadata and the facts of its newest version.
#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: String,
    pub title: String,
    /// ISO 8601 date of the document ("" when unknown).
    pub date: String,
    /// en, nl, fr or ar (detected when not given).
    pub language: String,
    pub author: String,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    /// Linked process ids you may see.
    pub processes: Vec<String>,
    pub classification: String,
    pub compartment: Option<String>,
    pub latest_version: i64,
    /// pdf, docx, html, markdown, text
    pub format: String,
    /// Bytes of the newest version's file.
    pub size: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Document> for DocumentDto {
    fn from(d: Document) -> Self {
        DocumentDto {
            id: d.id,
            title: d.title,
            date: d.date,
            language: d.language,
            author: d.author,
            countries: d.countries,
            themes: d.themes,
            processes: d.processes,
            classification: d.labels.classification.as_str().into(),
            compartment: d.labels.compartment.map(|c| c.to_string()),
            latest_version: d.latest_version,
            format: d.format.code().into(),
            size: d.size,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentVersionDto {
    pub version: i64,
    pub filename: String,
    pub format: String,
    pub size: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// User name of the uploader.
    pub created_by: String,
    pub created_at: i64,
    /// Where to download this version's file.
    pub file_url: String,
}

fn version_dto(id: &str, v: DocumentVersion) -> DocumentVersionDto {
    DocumentVersionDto {
        file_url: format!("/api/v1/documents/{id}/versions/{}/file", v.version),
        version: v.version,
        filename: v.filename,
        format: v.format.code().into(),
        size: v.size,
        sha256: v.sha256,
        created_by: v.created_by,
        created_at: v.created_at,
    }
}

/// A document with its extracted text (newest version) and every version.
#[derive(Serialize, ToSchema)]
pub struct DocumentDetailDto {
    pub document: DocumentDto,
    pub text: String,
    pub versions: Vec<DocumentVersionDto>,
}

impl From<DocumentDetail> for DocumentDetailDto {
    fn from(d: DocumentDetail) -> Self {
        let id = d.document.id.clone();
        DocumentDetailDto {
            document: d.document.into(),
            text: d.text,
            versions: d
                .versions
                .into_iter()
                .map(|v| version_dto(&id, v))
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentList {
    /// Documents you may read under the filter.
    pub total: i64,
    pub items: Vec<DocumentDto>,
}

/// The full metadata (PUT).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentMetaDto {
    pub title: String,
    #[serde(default)]
    pub date: String,
    /// en, nl, fr, ar; empty keeps the current language.
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub processes: Vec<String>,
    /// public, internal, confidential, secret
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

/// Some metadata fields (PATCH): those given replace the current values.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DocumentPatchDto {
    pub title: Option<String>,
    pub date: Option<String>,
    pub language: Option<String>,
    pub author: Option<String>,
    pub countries: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub processes: Option<Vec<String>>,
    pub classification: Option<String>,
    /// "" removes the compartment.
    pub compartment: Option<String>,
}

/// multipart/form-data of a new document: the file and its metadata.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUploadForm {
    /// PDF, DOCX, HTML, Markdown or UTF-8 text; type detected from the content.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub title: String,
    pub date: Option<String>,
    /// en, nl, fr, ar; detected from the text when absent.
    pub language: Option<String>,
    pub author: Option<String>,
    /// ISO codes, comma-separated or repeated.
    pub countries: Option<String>,
    /// Theme codes, comma-separated or repeated.
    pub themes: Option<String>,
    /// Process ids, comma-separated or repeated.
    pub processes: Option<String>,
    pub classification: String,
    pub compartment: Option<String>,
}

/// multipart/form-data of a new version.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct VersionUploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// The version you saw as the newest; a conflict (409) if another was added since.
    pub expected_version: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// ISO 3166-1 alpha-2
    pub country: Option<String>,
    /// A THEMES code
    pub theme: Option<String>,
    /// en, nl, fr, ar
    pub language: Option<String>,
    /// A process id
    pub process: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Documents you may read, newest first.
#[utoipa::path(get, path = "/api/v1/documents", params(ListQuery),
    responses((status = 200, body = DocumentList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_documents(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<DocumentList>, ApiError> {
    let filter = DocumentFilter {
        country: q.country,
        theme: q.theme,
        language: q.language,
        process: q.process,
    };
    let page = a
        .list_documents(&filter, q.limit.unwrap_or(100), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(DocumentList {
        total: page.total,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

fn missing_file() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        "file is invalid: choose a file to upload",
    )
}

/// Uploads a document (multipart/form-data, streamed; larger than the server's limit: 413 and
/// nothing stored; an unsupported or corrupt file: 422).
#[utoipa::path(post, path = "/api/v1/documents",
    request_body(content = DocumentUploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_document(
    State(state): State<AppState>,
    Caller(a): Caller,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    // Refuse callers who may not create documents before reading the body.
    a.check(
        grotius_domain::Action::Create,
        grotius_domain::Resource::kind(grotius_domain::ResourceKind::Document),
    )
    .await?;
    let form = upload::read_form(req, state.config.document_limit).await?;
    let file = form.file.as_ref().ok_or_else(missing_file)?;
    let d = a
        .create_document(&upload::document_input(&form), file)
        .await?;
    Ok((StatusCode::CREATED, Json(DocumentDto::from(d))).into_response())
}

/// A document with its extracted text and versions.
#[utoipa::path(get, path = "/api/v1/documents/{id}",
    responses((status = 200, body = DocumentDetailDto), (status = 404, body = ErrorBody)))]
async fn get_document(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DocumentDetailDto>, ApiError> {
    Ok(Json(a.get_document(&id).await?.into()))
}

/// Replaces the metadata (audited).
#[utoipa::path(put, path = "/api/v1/documents/{id}", request_body = DocumentMetaDto,
    responses((status = 200, body = DocumentDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn replace_document(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(m): ApiJson<DocumentMetaDto>,
) -> Result<Json<DocumentDto>, ApiError> {
    let input = DocumentInput {
        title: m.title,
        date: m.date,
        language: m.language,
        author: m.author,
        countries: m.countries,
        themes: m.themes,
        processes: m.processes,
        classification: m.classification,
        compartment: m.compartment,
    };
    Ok(Json(a.update_document(&id, &input).await?.into()))
}

/// Changes some metadata fields (audited).
#[utoipa::path(patch, path = "/api/v1/documents/{id}", request_body = DocumentPatchDto,
    responses((status = 200, body = DocumentDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_document(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<DocumentPatchDto>,
) -> Result<Json<DocumentDto>, ApiError> {
    let d = a.get_document(&id).await?.document;
    let input = DocumentInput {
        title: p.title.unwrap_or(d.title),
        date: p.date.unwrap_or(d.date),
        language: p.language.unwrap_or(d.language),
        author: p.author.unwrap_or(d.author),
        countries: p.countries.unwrap_or(d.countries),
        themes: p.themes.unwrap_or(d.themes),
        processes: p.processes.unwrap_or(d.processes),
        classification: p
            .classification
            .unwrap_or_else(|| d.labels.classification.as_str().into()),
        compartment: p
            .compartment
            .or_else(|| d.labels.compartment.map(|c| c.to_string())),
    };
    Ok(Json(a.update_document(&id, &input).await?.into()))
}

/// Deletes a document with every version (coordinators; audited).
#[utoipa::path(delete, path = "/api/v1/documents/{id}",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn delete_document(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_document(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Uploads a new version of the file; every old version is kept.
#[utoipa::path(post, path = "/api/v1/documents/{id}/versions",
    request_body(content = VersionUploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_version(
    State(state): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    // Not found / forbidden before the body is read.
    let d = a.get_document(&id).await?.document;
    a.check(
        grotius_domain::Action::Update,
        grotius_domain::Resource::labelled(grotius_domain::ResourceKind::Document, &d.labels),
    )
    .await?;
    let form = upload::read_form(req, state.config.document_limit).await?;
    let file = form.file.as_ref().ok_or_else(missing_file)?;
    let expected = form
        .get("expected_version")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let d = a.add_document_version(&id, file, expected).await?;
    Ok((StatusCode::CREATED, Json(DocumentDto::from(d))).into_response())
}

/// The original file of a version (every download is audited).
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{n}/file",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn download(
    Caller(a): Caller,
    Path((id, n)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (v, bytes) = a.document_file(&id, n).await?;
    Ok(file_response(&v, bytes))
}

/// A file download with a safe name and the format's content type.
pub(crate) fn file_response(v: &DocumentVersion, bytes: Vec<u8>) -> Response {
    let name: String = v
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, v.format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}
