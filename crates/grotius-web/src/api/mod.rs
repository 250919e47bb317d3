//! The JSON API under `/api/v1`: what every module's API shares (body and query extractors with
//! errors in the API's format, the DTOs of [`types`], the base of the OpenAPI document). The
//! handlers live in their modules (`crate::modules::<name>::api`); the OpenAPI 3.1 document is
//! [`crate::openapi`] (this [`ApiDoc`] merged with every module's) and served at
//! `/api/v1/openapi.json`.

mod types;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::ApiError;
pub use types::*;

pub(crate) async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such API route; see /api/v1/openapi.json",
    )
}

/// JSON body with errors in the API's format: 400 malformed, 415 wrong content type, 413 too
/// large, 422 wrong types or missing fields.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(match &rej {
                JsonRejection::JsonDataError(e) => {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.body_text())
                }
                JsonRejection::JsonSyntaxError(e) => {
                    ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.body_text())
                }
                JsonRejection::MissingJsonContentType(_) => ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the body as JSON with 'Content-Type: application/json'",
                ),
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the request body is larger than the server accepts",
                ),
                other => ApiError::new(other.status(), "bad_request", other.body_text()),
            }),
        }
    }
}

/// Query string with errors in the API's format.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                e.body_text(),
            )),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                e.body_text(),
            )),
        }
    }
}

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

/// The base of the OpenAPI document: title, description and bearer authentication. The paths
/// and schemas come from the modules.
#[derive(OpenApi)]
#[openapi(
    info(title = "Grotius API", version = "1", description = "JSON API of Grotius. Authenticate with POST /api/v1/auth/token and send 'Authorization: Bearer <token>'. Errors are {\"error\": {\"code\", \"message\"}}. Records you may not see answer 404."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
