//! Dialogues API: the conversations of the processes you may see, one conversation with its
//! groups, and its participants with their opinion groups (the stable contract of the checks:
//! `items` with `id`; participants' `items` with `source_id` and `group`).

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::Path;
use grotius_domain::dialogue::{Dialogue, DialogueParticipant};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/dialogues", get(list_dialogues))
        .route("/dialogues/{id}", get(get_dialogue))
        .route("/dialogues/{id}/participants", get(list_participants))
        .route("/dialogues/{id}/recompute", post(recompute))
        .route("/processes/{id}/dialogues", get(list_process_dialogues));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_dialogues,
        get_dialogue,
        list_participants,
        recompute,
        list_process_dialogues
    ),
    components(schemas(DialogueDto, DialogueList, ParticipantDto, ParticipantList))
)]
pub struct DialoguesApi;

/// A dialogue (conversation) of a process.
#[derive(Serialize, ToSchema)]
pub struct DialogueDto {
    pub id: String,
    pub process_id: String,
    pub topic: String,
    pub description: String,
    /// 'grotius', or the Pol.is URL or folder an imported conversation came from.
    pub source: String,
    /// open or closed
    pub status: String,
    pub classification: String,
    pub compartment: Option<String>,
    /// Version of the method of the stored groups (null: not computed).
    pub method: Option<String>,
    pub computed_at: Option<i64>,
    pub participants: i64,
    pub statements: i64,
    pub votes: i64,
    pub created_at: i64,
}

impl From<Dialogue> for DialogueDto {
    fn from(d: Dialogue) -> Self {
        DialogueDto {
            id: d.id,
            process_id: d.process_id,
            topic: d.topic,
            description: d.description,
            source: d.source,
            status: d.status,
            classification: d.labels.classification.as_str().into(),
            compartment: d.labels.compartment.map(|c| c.to_string()),
            method: d.method,
            computed_at: d.computed_at,
            participants: d.participants,
            statements: d.statements,
            votes: d.votes,
            created_at: d.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DialogueList {
    pub items: Vec<DialogueDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A participant: the export's participant id for imported conversations, and the opinion
/// group (null when the participant is not clustered: fewer than min(7, statements) votes).
#[derive(Serialize, ToSchema)]
pub struct ParticipantDto {
    /// Position in the conversation's vote matrix.
    pub number: i64,
    pub source_id: Option<String>,
    pub group: Option<i64>,
}

impl From<DialogueParticipant> for ParticipantDto {
    fn from(p: DialogueParticipant) -> Self {
        ParticipantDto {
            number: p.number,
            source_id: p.source_id,
            group: p.group,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantDto>,
}

/// The dialogues of every process you may see, newest first.
#[utoipa::path(get, path = "/api/v1/dialogues", params(PageQuery),
    responses((status = 200, body = DialogueList), (status = 404, body = ErrorBody)))]
async fn list_dialogues(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<DialogueList>, ApiError> {
    let page = a
        .list_dialogues(q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(DialogueList {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// The dialogues of one process.
#[utoipa::path(get, path = "/api/v1/processes/{id}/dialogues", params(("id" = String, Path)),
    responses((status = 200, body = DialogueList), (status = 404, body = ErrorBody)))]
async fn list_process_dialogues(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DialogueList>, ApiError> {
    let items: Vec<DialogueDto> = a
        .list_process_dialogues(&id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let n = items.len() as i64;
    Ok(Json(DialogueList {
        items,
        total: n,
        limit: n,
        offset: 0,
    }))
}

/// One dialogue.
#[utoipa::path(get, path = "/api/v1/dialogues/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DialogueDto), (status = 404, body = ErrorBody)))]
async fn get_dialogue(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DialogueDto>, ApiError> {
    Ok(Json(a.get_dialogue(&id).await?.into()))
}

/// The participants of a dialogue with their opinion groups.
#[utoipa::path(get, path = "/api/v1/dialogues/{id}/participants", params(("id" = String, Path)),
    responses((status = 200, body = ParticipantList), (status = 404, body = ErrorBody)))]
async fn list_participants(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<ParticipantList>, ApiError> {
    Ok(Json(ParticipantList {
        items: a
            .dialogue_participants(&id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

/// Recomputes the opinion groups from the current votes (deterministic: the same votes give
/// the same groups).
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/recompute", params(("id" = String, Path)),
    responses((status = 200, body = DialogueDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn recompute(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DialogueDto>, ApiError> {
    Ok(Json(a.recompute_dialogue(&id).await?.into()))
}
