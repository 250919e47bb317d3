//! Document uploads: a multipart body read field by field, the file streamed in chunks to a
//! temporary file (never the whole body in memory while receiving) and refused with 413 as soon
//! as it passes the configured limit — the temporary file is then removed and nothing is stored.

use std::io::{Read, Seek, Write};

use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use grotius_store::Upload;

use crate::error::ApiError;

/// The largest text field accepted alongside the file (metadata).
const FIELD_LIMIT: usize = 64 * 1024;

/// What a multipart document form carried: its text fields (repeated keys kept) and the file.
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub file: Option<Upload>,
}

impl UploadForm {
    pub fn text(&self, k: &str) -> String {
        self.get(k).unwrap_or_default().trim().to_string()
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, k: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(key, v)| key == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

/// The size limit in words: "50 MiB" (or bytes below 1 MiB).
pub fn limit_text(limit: usize) -> String {
    if limit >= 1024 * 1024 && limit.is_multiple_of(1024 * 1024) {
        format!("{} MiB", limit / (1024 * 1024))
    } else {
        format!("{limit} bytes")
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the file is larger than the limit of {}; nothing was stored",
            limit_text(limit)
        ),
    )
}

/// Reads a multipart document form, streaming the `file` field to a temporary file.
pub async fn read_form(req: axum::extract::Request, limit: usize) -> Result<UploadForm, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m);
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the document as multipart/form-data with a 'file' field",
        ));
    }
    // A declared length past the limit (plus room for the metadata) is refused before reading.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(1024 * 1024)) {
        return Err(too_large(limit));
    }
    let mut mp = <Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
        .await
        .map_err(|e| bad(e.body_text()))?;
    let mut fields = Vec::new();
    let mut file = None;
    let internal = |e: std::io::Error| {
        tracing::error!(error = %e, "upload temporary file");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; it has been logged",
        )
    };
    while let Some(mut field) = mp.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_string();
            let mut tmp = tempfile::tempfile().map_err(internal)?;
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                size += chunk.len();
                if size > limit {
                    // `tmp` is unlinked already and goes when dropped.
                    return Err(too_large(limit));
                }
                tmp.write_all(&chunk).map_err(internal)?;
            }
            if size == 0 && filename.is_empty() {
                continue; // the form was sent without choosing a file
            }
            tmp.rewind().map_err(internal)?;
            let mut bytes = Vec::with_capacity(size);
            tmp.read_to_end(&mut bytes).map_err(internal)?;
            file = Some(Upload { filename, bytes });
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.body_text()))? {
                value.extend_from_slice(&chunk);
                if value.len() > FIELD_LIMIT {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        format!("the field '{name}' is too long"),
                    ));
                }
            }
            fields.push((name, String::from_utf8_lossy(&value).into_owned()));
        }
    }
    Ok(UploadForm { fields, file })
}

/// Values of a list field: repeated keys, each also split on commas.
fn list(form: &UploadForm, k: &str) -> Vec<String> {
    form.all(k)
        .iter()
        .flat_map(|v| v.split([',', ';']))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The document metadata of a multipart form.
pub fn document_input(form: &UploadForm) -> grotius_domain::document::DocumentInput {
    grotius_domain::document::DocumentInput {
        title: form.text("title"),
        date: form.text("date"),
        language: form.text("language"),
        author: form.text("author"),
        countries: list(form, "countries"),
        themes: list(form, "themes"),
        processes: list(form, "processes"),
        classification: form.text("classification"),
        compartment: form.get("compartment").map(str::to_string),
    }
}
