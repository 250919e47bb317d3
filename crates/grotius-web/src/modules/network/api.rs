//! Network API: actors, relationships, and the network questions.

use std::collections::HashMap;

use crate::routes::{Routes, delete, get, post};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::network::{Actor, ActorInput, Relationship, RelationshipInput};
use grotius_store::ActorFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/actors", get(list_actors).post(create_actor))
        .route(
            "/actors/{id}",
            get(get_actor).put(update_actor).delete(delete_actor),
        )
        .route("/actors/{id}/relationships", get(actor_relationships))
        .route("/actors/{id}/ego", get(ego))
        .route("/actors/{id}/introductions", get(introductions))
        .route("/network/brokers", get(brokers))
        .route("/relationships", post(create_relationship))
        .route("/relationships/{id}", delete(delete_relationship));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_actors,
        create_actor,
        get_actor,
        update_actor,
        delete_actor,
        actor_relationships,
        ego,
        introductions,
        brokers,
        create_relationship,
        delete_relationship
    ),
    components(schemas(
        ActorDto,
        ActorList,
        ActorInputDto,
        RelationshipDto,
        RelationshipInputDto,
        RelationshipList,
        EgoDto,
        EgoNode,
        EgoEdge,
        IntroductionList,
        BrokerList,
        Broker,
        ActorRef
    ))
)]
pub struct NetworkApi;

#[derive(Serialize, ToSchema)]
pub struct ActorDto {
    pub id: String,
    pub name: String,
    /// person, organisation
    pub kind: String,
    /// ours, conflict-party, mediator, envoy, state, un-body, eu-body, ngo, civil-society, academic
    pub category: String,
    pub country: Option<String>,
    pub description: String,
    pub notes: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Actor> for ActorDto {
    fn from(a: Actor) -> Self {
        ActorDto {
            id: a.id,
            name: a.name,
            kind: a.kind,
            category: a.category,
            country: a.country,
            description: a.description,
            notes: a.notes,
            classification: a.labels.classification.as_str().into(),
            compartment: a.labels.compartment.map(|c| c.to_string()),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActorList {
    pub items: Vec<ActorDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorInputDto {
    pub name: String,
    pub kind: String,
    pub category: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub notes: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<ActorInputDto> for ActorInput {
    fn from(d: ActorInputDto) -> Self {
        ActorInput {
            name: d.name,
            kind: d.kind,
            category: d.category,
            country: d.country,
            description: d.description,
            notes: d.notes,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelationshipDto {
    pub id: String,
    pub from_actor: String,
    pub to_actor: String,
    /// member-of, represents, advises, funds, negotiates-with, knows
    pub kind: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub holder: Option<String>,
    pub last_contact: Option<String>,
    pub channel: Option<String>,
    pub source: String,
    pub classification: String,
    pub compartment: Option<String>,
}

impl From<Relationship> for RelationshipDto {
    fn from(r: Relationship) -> Self {
        RelationshipDto {
            id: r.id,
            from_actor: r.from_actor,
            to_actor: r.to_actor,
            kind: r.kind,
            since: r.since,
            until: r.until,
            holder: r.holder,
            last_contact: r.last_contact,
            channel: r.channel,
            source: r.source,
            classification: r.labels.classification.as_str().into(),
            compartment: r.labels.compartment.map(|c| c.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelationshipList {
    pub items: Vec<RelationshipDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipInputDto {
    pub from_actor: String,
    pub to_actor: String,
    pub kind: String,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
    #[serde(default)]
    pub last_contact: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub source: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<RelationshipInputDto> for RelationshipInput {
    fn from(d: RelationshipInputDto) -> Self {
        RelationshipInput {
            from_actor: d.from_actor,
            to_actor: d.to_actor,
            kind: d.kind,
            since: d.since,
            until: d.until,
            holder: d.holder,
            last_contact: d.last_contact,
            channel: d.channel,
            source: d.source,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ActorQuery {
    pub q: Option<String>,
    pub category: Option<String>,
    pub country: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct EgoQuery {
    /// 1 to 3 (default 2).
    pub depth: Option<u32>,
    /// At most this many actors, nearest first (default 200, up to 2000).
    pub max: Option<usize>,
}

#[derive(Deserialize, IntoParams)]
pub struct IntroQuery {
    /// How many paths (1 to 10, default 3).
    pub k: Option<usize>,
}

#[derive(Deserialize, IntoParams)]
pub struct BrokerQuery {
    /// How many brokers (1 to 100, default 20).
    pub top: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct ActorRef {
    pub id: String,
    pub name: String,
    pub category: String,
}

fn actor_ref(id: &str, names: &HashMap<String, (String, String)>) -> ActorRef {
    let (name, category) = names.get(id).cloned().unwrap_or_default();
    ActorRef {
        id: id.to_string(),
        name,
        category,
    }
}

#[derive(Serialize, ToSchema)]
pub struct EgoNode {
    pub actor: ActorRef,
    pub distance: u32,
}

#[derive(Serialize, ToSchema)]
pub struct EgoEdge {
    pub relationship: String,
    pub from_actor: String,
    pub to_actor: String,
}

#[derive(Serialize, ToSchema)]
pub struct EgoDto {
    pub center: String,
    pub nodes: Vec<EgoNode>,
    pub edges: Vec<EgoEdge>,
    /// Visible actors within the depth left out because of `max`.
    pub truncated: usize,
}

#[derive(Serialize, ToSchema)]
pub struct IntroductionList {
    /// Each path runs from one of "us" (category `ours`) to the actor.
    pub paths: Vec<Vec<ActorRef>>,
}

#[derive(Serialize, ToSchema)]
pub struct Broker {
    pub actor: ActorRef,
    pub betweenness: f64,
}

#[derive(Serialize, ToSchema)]
pub struct BrokerList {
    pub items: Vec<Broker>,
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Actors you may see.
#[utoipa::path(get, path = "/api/v1/actors", params(ActorQuery), responses((status = 200, body = ActorList), (status = 404, body = ErrorBody)))]
async fn list_actors(Caller(a): Caller, ApiQuery(q): ApiQuery<ActorQuery>) -> ApiResult<ActorList> {
    let page = a
        .list_actors(
            &ActorFilter {
                q: q.q,
                category: q.category,
                country: q.country,
            },
            q.limit.unwrap_or(50),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(ActorList {
        items: page.items.into_iter().map(ActorDto::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/actors", request_body = ActorInputDto, responses((status = 201, body = ActorDto), (status = 422, body = ErrorBody)))]
async fn create_actor(
    Caller(a): Caller,
    ApiJson(d): ApiJson<ActorInputDto>,
) -> Result<(StatusCode, Json<ActorDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.create_actor(&d.into()).await?.into()),
    ))
}

#[utoipa::path(get, path = "/api/v1/actors/{id}", params(("id" = String, Path)), responses((status = 200, body = ActorDto), (status = 404, body = ErrorBody)))]
async fn get_actor(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<ActorDto> {
    Ok(Json(a.get_actor(&id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/actors/{id}", params(("id" = String, Path)), request_body = ActorInputDto,
    responses((status = 200, body = ActorDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_actor(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<ActorInputDto>,
) -> ApiResult<ActorDto> {
    Ok(Json(a.update_actor(&id, &d.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/actors/{id}", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_actor(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.delete_actor(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Relationships of an actor that you may see.
#[utoipa::path(get, path = "/api/v1/actors/{id}/relationships", params(("id" = String, Path)),
    responses((status = 200, body = RelationshipList), (status = 404, body = ErrorBody)))]
async fn actor_relationships(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> ApiResult<RelationshipList> {
    let rels = a.actor_relationships(&id).await?;
    Ok(Json(RelationshipList {
        items: rels.into_iter().map(|(r, _)| r.into()).collect(),
    }))
}

/// The ego network of an actor, within what you may see.
#[utoipa::path(get, path = "/api/v1/actors/{id}/ego", params(("id" = String, Path), EgoQuery),
    responses((status = 200, body = EgoDto), (status = 404, body = ErrorBody)))]
async fn ego(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<EgoQuery>,
) -> ApiResult<EgoDto> {
    let ans = a
        .ego_network(&id, q.depth.unwrap_or(2), q.max.unwrap_or(200))
        .await?;
    let e = ans.answer;
    Ok(Json(EgoDto {
        center: e.center,
        nodes: e
            .nodes
            .iter()
            .map(|(n, d)| EgoNode {
                actor: actor_ref(n, &ans.names),
                distance: *d,
            })
            .collect(),
        edges: e
            .edges
            .into_iter()
            .map(|(id, f, t)| EgoEdge {
                relationship: id,
                from_actor: f,
                to_actor: t,
            })
            .collect(),
        truncated: e.truncated,
    }))
}

/// "Who can introduce us to X": the k shortest chains from one of "us" to the actor.
#[utoipa::path(get, path = "/api/v1/actors/{id}/introductions", params(("id" = String, Path), IntroQuery),
    responses((status = 200, body = IntroductionList), (status = 404, body = ErrorBody)))]
async fn introductions(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<IntroQuery>,
) -> ApiResult<IntroductionList> {
    let ans = a.introductions(&id, q.k.unwrap_or(3)).await?;
    Ok(Json(IntroductionList {
        paths: ans
            .answer
            .iter()
            .map(|p| p.iter().map(|n| actor_ref(n, &ans.names)).collect())
            .collect(),
    }))
}

/// Brokers of the network you may see, by betweenness centrality.
#[utoipa::path(get, path = "/api/v1/network/brokers", params(BrokerQuery), responses((status = 200, body = BrokerList), (status = 404, body = ErrorBody)))]
async fn brokers(Caller(a): Caller, ApiQuery(q): ApiQuery<BrokerQuery>) -> ApiResult<BrokerList> {
    let ans = a.brokers(q.top.unwrap_or(20)).await?;
    Ok(Json(BrokerList {
        items: ans
            .answer
            .iter()
            .map(|(n, s)| Broker {
                actor: actor_ref(n, &ans.names),
                betweenness: *s,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/relationships", request_body = RelationshipInputDto,
    responses((status = 201, body = RelationshipDto), (status = 422, body = ErrorBody)))]
async fn create_relationship(
    Caller(a): Caller,
    ApiJson(d): ApiJson<RelationshipInputDto>,
) -> Result<(StatusCode, Json<RelationshipDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.create_relationship(&d.into()).await?.into()),
    ))
}

#[utoipa::path(delete, path = "/api/v1/relationships/{id}", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_relationship(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_relationship(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
