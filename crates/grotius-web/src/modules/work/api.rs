//! Work API: the caller's inbox, and the assignments and comments of a record.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::work::{Assignment, Comment, WaitingItem};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::api::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::{Routes, get, post};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/inbox", get(inbox))
        .route("/records/{id}/comments", get(comments).post(add_comment))
        .route("/records/{id}/assignments", get(assignments).post(assign))
        .route("/records/{id}/history", get(history))
        .route("/assignments/{id}/done", post(done))
        .route(
            "/me/notifications",
            get(notifications).put(set_notifications),
        );
}

#[derive(OpenApi)]
#[openapi(
    paths(
        inbox,
        comments,
        add_comment,
        assignments,
        assign,
        done,
        history,
        notifications,
        set_notifications
    ),
    components(schemas(
        InboxDto,
        WaitingDto,
        CommentDto,
        CommentInputDto,
        AssignmentDto,
        AssignmentInputDto,
        NotificationsDto,
        HistoryDto
    ))
)]
pub struct WorkApi;

/// One thing waiting for the caller.
#[derive(Serialize, ToSchema)]
pub struct WaitingDto {
    /// assigned, decide, assess, answer, moderate or grant
    pub reason: String,
    /// The kind of the record (process, fund-application, alert, support-request, dialogue,
    /// access-decision, incident, evidence, document).
    pub kind: String,
    pub id: String,
    pub title: String,
    /// `YYYY-MM-DD`
    pub due: Option<String>,
    pub overdue: bool,
    pub detail: String,
    /// The assignment to mark done, for assigned records.
    pub assignment_id: Option<String>,
}

impl From<WaitingItem> for WaitingDto {
    fn from(i: WaitingItem) -> Self {
        WaitingDto {
            reason: i.reason.as_str().into(),
            kind: i.kind,
            id: i.id,
            title: i.title,
            due: i.due,
            overdue: i.overdue,
            detail: i.detail,
            assignment_id: i.assignment_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboxDto {
    pub count: usize,
    pub overdue: usize,
    pub items: Vec<WaitingDto>,
}

#[utoipa::path(get, path = "/api/v1/inbox",
    responses((status = 200, body = InboxDto), (status = 401, body = ErrorBody)))]
async fn inbox(Caller(a): Caller) -> Result<Json<InboxDto>, ApiError> {
    let items = a.waiting_for_me().await?;
    Ok(Json(InboxDto {
        count: items.len(),
        overdue: items.iter().filter(|i| i.overdue).count(),
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CommentDto {
    pub id: String,
    pub record_id: String,
    pub record_kind: String,
    pub author: String,
    pub body: String,
    /// Unix microseconds.
    pub created_at: i64,
}

impl From<Comment> for CommentDto {
    fn from(c: Comment) -> Self {
        CommentDto {
            id: c.id,
            record_id: c.record_id,
            record_kind: c.record_kind,
            author: c.author,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CommentInputDto {
    pub body: String,
}

#[utoipa::path(get, path = "/api/v1/records/{id}/comments", params(("id" = String, Path)),
    responses((status = 200, body = [CommentDto]), (status = 404, body = ErrorBody)))]
async fn comments(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentDto>>, ApiError> {
    Ok(Json(
        a.comments(&id).await?.into_iter().map(Into::into).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/records/{id}/comments", params(("id" = String, Path)),
    request_body = CommentInputDto,
    responses((status = 201, body = CommentDto), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_comment(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<CommentInputDto>,
) -> Result<(StatusCode, Json<CommentDto>), ApiError> {
    let c = a.add_comment(&id, &d.body).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentDto {
    pub id: String,
    pub record_id: String,
    pub record_kind: String,
    pub assignee: String,
    pub assigned_by: String,
    /// `YYYY-MM-DD`
    pub due: Option<String>,
    pub note: String,
    /// Unix microseconds.
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
}

impl From<Assignment> for AssignmentDto {
    fn from(a: Assignment) -> Self {
        AssignmentDto {
            id: a.id,
            record_id: a.record_id,
            record_kind: a.record_kind,
            assignee: a.assignee,
            assigned_by: a.assigned_by,
            due: a.due,
            note: a.note,
            created_at: a.created_at,
            done_at: a.done_at,
            done_by: a.done_by,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct AssignmentInputDto {
    /// The user name of the colleague.
    pub assignee: String,
    /// `YYYY-MM-DD`, optional.
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(get, path = "/api/v1/records/{id}/assignments", params(("id" = String, Path)),
    responses((status = 200, body = [AssignmentDto]), (status = 404, body = ErrorBody)))]
async fn assignments(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AssignmentDto>>, ApiError> {
    Ok(Json(
        a.assignments(&id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/records/{id}/assignments", params(("id" = String, Path)),
    request_body = AssignmentInputDto,
    responses((status = 201, body = AssignmentDto), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<AssignmentInputDto>,
) -> Result<(StatusCode, Json<AssignmentDto>), ApiError> {
    let x = a.assign(&id, &d.assignee, &d.due, &d.note).await?;
    Ok((StatusCode::CREATED, Json(x.into())))
}

#[utoipa::path(post, path = "/api/v1/assignments/{id}/done", params(("id" = String, Path)),
    responses((status = 200, body = AssignmentDto), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn done(Caller(a): Caller, Path(id): Path<String>) -> Result<Json<AssignmentDto>, ApiError> {
    Ok(Json(a.complete_assignment(&id).await?.into()))
}

/// The caller's e-mail notifications: an address, and whether to be told when something new
/// waits (the message never says what).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NotificationsDto {
    #[serde(default)]
    pub email: String,
    pub enabled: bool,
}

#[utoipa::path(get, path = "/api/v1/me/notifications",
    responses((status = 200, body = NotificationsDto), (status = 401, body = ErrorBody)))]
async fn notifications(Caller(a): Caller) -> Result<Json<NotificationsDto>, ApiError> {
    let s = a.notification_settings().await?;
    Ok(Json(NotificationsDto {
        email: s.email,
        enabled: s.enabled,
    }))
}

#[utoipa::path(put, path = "/api/v1/me/notifications", request_body = NotificationsDto,
    responses((status = 200, body = NotificationsDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_notifications(
    Caller(a): Caller,
    ApiJson(d): ApiJson<NotificationsDto>,
) -> Result<Json<NotificationsDto>, ApiError> {
    let s = a.set_notification_settings(&d.email, d.enabled).await?;
    Ok(Json(NotificationsDto {
        email: s.email,
        enabled: s.enabled,
    }))
}

/// One change to a record.
#[derive(Serialize, ToSchema)]
pub struct HistoryDto {
    /// Unix microseconds.
    pub at: i64,
    pub actor: String,
    /// The audit action, e.g. `process.update`.
    pub action: String,
}

#[utoipa::path(get, path = "/api/v1/records/{id}/history", params(("id" = String, Path)),
    responses((status = 200, body = [HistoryDto]), (status = 404, body = ErrorBody)))]
async fn history(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryDto>>, ApiError> {
    Ok(Json(
        a.record_history(&id)
            .await?
            .into_iter()
            .map(|h| HistoryDto {
                at: h.at,
                actor: h.actor,
                action: h.action,
            })
            .collect(),
    ))
}
