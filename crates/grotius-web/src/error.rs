//! Errors at the web edge: one table from store errors to HTTP status, a stable code and a
//! message. API errors are JSON `{"error": {"code", "message"}}`; UI errors are pages.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use grotius_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid`, `unauthenticated`.
    pub code: String,
    pub message: String,
}

/// An error of a JSON API handler.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "authentication required: send 'Authorization: Bearer <token>' (get one from POST /api/v1/auth/token)",
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }
}

/// The one mapping from store errors to status, code and message.
pub fn classify(e: &StoreError) -> (StatusCode, &'static str, String) {
    match e {
        StoreError::NotFound => (
            StatusCode::NOT_FOUND,
            "not_found",
            "no such resource".into(),
        ),
        StoreError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
        StoreError::Invalid(d) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", d.to_string()),
        StoreError::Security(grotius_security::SecurityError::WeakPassword(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("password rejected: {m}"),
        ),
        StoreError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
        StoreError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "authentication required".into(),
        ),
        StoreError::Storage(m) => {
            tracing::error!(error = %m, "storage refused");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage",
                format!("the database cannot store this now: {m}"),
            )
        }
        other => {
            tracing::error!(error = %other, "internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; it has been logged".into(),
            )
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let (status, code, message) = classify(&e);
        ApiError {
            status,
            code,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: self.code.to_string(),
                    message: self.message,
                },
            }),
        )
            .into_response()
    }
}
