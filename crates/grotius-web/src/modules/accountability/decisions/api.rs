//! Access decisions: a user of the mediation side let into an evidence compartment, or the
//! reverse, only by a request of an administrator approved by someone else who answers for the
//! target side (see `grotius_domain::separation`).

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::separation::AccessDecision;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::api::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/access-decisions",
        get(list_decisions).post(request_decision),
    )
    .route("/access-decisions/{id}", get(get_decision))
    .route("/access-decisions/{id}/decision", post(decide));
}

#[derive(OpenApi)]
#[openapi(
    paths(list_decisions, request_decision, get_decision, decide),
    components(schemas(
        AccessDecisionDto,
        AccessDecisionList,
        NewAccessDecisionDto,
        DecisionDto
    ))
)]
pub struct DecisionsApi;

#[derive(Serialize, ToSchema)]
pub struct AccessDecisionDto {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub compartment_id: String,
    /// The side of the compartment: `mediation` or `evidence`.
    pub domain: String,
    pub reason: String,
    pub requested_by: String,
    /// Unix micros.
    pub requested_at: i64,
    /// `requested`, `approved` or `refused`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub note: String,
}

impl From<AccessDecision> for AccessDecisionDto {
    fn from(d: AccessDecision) -> Self {
        AccessDecisionDto {
            id: d.id,
            user_id: d.user_id,
            username: d.username,
            compartment_id: d.compartment_id,
            domain: d.domain.as_str().into(),
            reason: d.reason,
            requested_by: d.requested_by,
            requested_at: d.requested_at,
            status: d.status.as_str().into(),
            decided_by: d.decided_by,
            decided_at: d.decided_at,
            note: d.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessDecisionList {
    pub items: Vec<AccessDecisionDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccessDecisionDto {
    pub user_id: String,
    pub compartment: String,
    /// Why this user needs the other side (at least 10 characters; it is the record).
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionDto {
    pub approve: bool,
    /// The decider's note (at least 10 characters).
    pub note: String,
}

#[utoipa::path(get, path = "/api/v1/access-decisions",
    responses((status = 200, body = AccessDecisionList), (status = 404, body = ErrorBody)))]
async fn list_decisions(Caller(a): Caller) -> Result<Json<AccessDecisionList>, ApiError> {
    let items = a.list_access_decisions().await?;
    Ok(Json(AccessDecisionList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/access-decisions", request_body = NewAccessDecisionDto,
    responses((status = 201, body = AccessDecisionDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_decision(
    Caller(a): Caller,
    ApiJson(n): ApiJson<NewAccessDecisionDto>,
) -> Result<(StatusCode, Json<AccessDecisionDto>), ApiError> {
    let d = a
        .request_access_decision(&n.user_id, &n.compartment, &n.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[utoipa::path(get, path = "/api/v1/access-decisions/{id}", params(("id" = String, Path)),
    responses((status = 200, body = AccessDecisionDto), (status = 404, body = ErrorBody)))]
async fn get_decision(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<AccessDecisionDto>, ApiError> {
    Ok(Json(a.get_access_decision(&id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/access-decisions/{id}/decision", params(("id" = String, Path)),
    request_body = DecisionDto,
    responses((status = 200, body = AccessDecisionDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<DecisionDto>,
) -> Result<Json<AccessDecisionDto>, ApiError> {
    Ok(Json(a.decide_access(&id, d.approve, &d.note).await?.into()))
}
