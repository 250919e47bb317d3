//! The JSON API under `/api/v1`. Its OpenAPI 3.1 document is generated from these handlers and
//! types ([`ApiDoc`]) and served at `/api/v1/openapi.json`.

pub(crate) mod agreements;
mod analyses;
pub(crate) mod decisions;
pub(crate) mod documents;
pub(crate) mod evidence;
pub(crate) mod fund;
pub(crate) mod fund_reports;
pub(crate) mod incidents;
pub(crate) mod lessons;
mod network;
mod search;

pub(crate) use search::search_request;
pub(crate) mod participation;
pub(crate) mod roster;
mod types;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use grotius_domain::process::ProcessInput;
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{AuditFilter, NewUser, ProcessFilter, UserUpdate};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
pub use types::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/token", post(token))
        .route("/me", get(me))
        .route("/processes", get(list_processes).post(create_process))
        .route(
            "/processes/{id}",
            get(get_process).put(update_process).delete(delete_process),
        )
        .route(
            "/processes/{id}/engagements",
            get(list_engagements).post(create_engagement),
        )
        .route("/engagements/{id}", delete(delete_engagement))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user))
        .route(
            "/compartments",
            get(list_compartments).post(create_compartment),
        )
        .route("/compartments/{id}", get(get_compartment))
        .route("/compartments/{id}/members", post(add_member))
        .route(
            "/compartments/{id}/members/{user_id}",
            delete(remove_member),
        )
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/audit", get(audit))
        .route("/countries", get(countries))
        .route("/vocabularies", get(vocabularies))
        .merge(network::routes())
        .merge(roster::routes())
        .merge(participation::routes())
        .merge(lessons::routes())
        .merge(analyses::routes())
        .merge(fund::routes())
        .merge(agreements::routes())
        .merge(fund_reports::routes())
        .merge(search::routes())
        .merge(evidence::routes())
        .merge(decisions::routes())
        .merge(documents::routes())
        .merge(incidents::routes())
        .fallback(api_not_found)
}

async fn api_not_found() -> ApiError {
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

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(title = "Grotius API", version = "1", description = "JSON API of Grotius. Authenticate with POST /api/v1/auth/token and send 'Authorization: Bearer <token>'. Errors are {\"error\": {\"code\", \"message\"}}. Records you may not see answer 404."),
    paths(token, me, list_processes, create_process, get_process, update_process, delete_process,
          list_engagements, create_engagement, delete_engagement,
          list_users, create_user, get_user, update_user, list_compartments, create_compartment, get_compartment,
          add_member, remove_member, list_tokens, create_token, revoke_token, audit, countries, vocabularies),
    components(schemas(ErrorBody, EngagedPartyDto, EngagementDto, EngagementList, EngagementInputDto, TokenRequest, TokenResponse, MeResponse, ProcessDto, ProcessList, ProcessInputDto,
                       UserDto, UserList, NewUserDto, UserUpdateDto, CompartmentDto, CompartmentList, CompartmentDetail,
                       NewCompartmentDto, MemberDto, NewMemberDto, ApiTokenDto, ApiTokenList, NewTokenDto, NewTokenResponse,
                       AuditEntryDto, AuditList, CountryDto, CountryList, TermDto, Vocabularies)),
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

async fn openapi() -> Response {
    let mut doc = ApiDoc::openapi();
    doc.merge(network::NetworkApi::openapi());
    doc.merge(roster::RosterApi::openapi());
    doc.merge(participation::ParticipationApi::openapi());
    doc.merge(lessons::LessonsApi::openapi());
    doc.merge(analyses::AnalysesApi::openapi());
    doc.merge(fund::FundApi::openapi());
    doc.merge(agreements::AgreementsApi::openapi());
    doc.merge(fund_reports::FundReportsApi::openapi());
    doc.merge(search::SearchApi::openapi());
    doc.merge(evidence::EvidenceApi::openapi());
    doc.merge(decisions::DecisionsApi::openapi());
    doc.merge(documents::DocumentsApi::openapi());
    doc.merge(incidents::IncidentsApi::openapi());
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    Json(doc).into_response()
}

/// Exchange user name, password and (if enrolled) a TOTP code for a bearer token (12 hours).
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn token(
    State(state): State<AppState>,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<TokenResponse> {
    if !state.limiter.allow(ip) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many login attempts; wait a minute",
        ));
    }
    match state
        .store
        .api_login(&req.username, &req.password, req.totp.as_deref())
        .await?
    {
        Some((token, expires_at)) => Ok(Json(TokenResponse {
            token,
            token_type: "Bearer".into(),
            expires_at,
        })),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "wrong user name, password or second-factor code, or the account is locked",
        )),
    }
}

/// Who am I: user, roles, clearance, compartments.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
async fn me(Caller(a): Caller) -> ApiResult<MeResponse> {
    let s = a.subject();
    Ok(Json(MeResponse {
        id: s.user_id.clone(),
        username: s.username.clone(),
        roles: s.roles.iter().map(|r| r.as_str().to_string()).collect(),
        clearance: s.clearance.as_str().to_string(),
        compartments: s.compartments.iter().map(|c| c.to_string()).collect(),
        read_only: s.read_only,
    }))
}

/// Processes you may see (newest first), with the total under the same filter.
#[utoipa::path(get, path = "/api/v1/processes", params(ProcessQuery), responses((status = 200, body = ProcessList), (status = 401, body = ErrorBody)))]
async fn list_processes(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ProcessQuery>,
) -> ApiResult<ProcessList> {
    let filter = ProcessFilter {
        q: q.q,
        country: q.country,
        status: q.status,
        theme: q.theme,
    };
    let page = a
        .list_processes(&filter, q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(ProcessList {
        items: page.items.into_iter().map(ProcessDto::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/processes", request_body = ProcessInputDto,
    responses((status = 201, body = ProcessDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_process(
    Caller(a): Caller,
    ApiJson(input): ApiJson<ProcessInputDto>,
) -> Result<(StatusCode, Json<ProcessDto>), ApiError> {
    let p = a.create_process(&ProcessInput::from(input)).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(get, path = "/api/v1/processes/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ProcessDto), (status = 404, body = ErrorBody)))]
async fn get_process(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<ProcessDto> {
    Ok(Json(a.get_process(&id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/processes/{id}", params(("id" = String, Path)), request_body = ProcessInputDto,
    responses((status = 200, body = ProcessDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_process(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProcessInputDto>,
) -> ApiResult<ProcessDto> {
    Ok(Json(
        a.update_process(&id, &ProcessInput::from(input))
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/processes/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_process(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.delete_process(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The engagements journal of a process (entries you may see, newest first).
#[utoipa::path(get, path = "/api/v1/processes/{id}/engagements", params(("id" = String, Path)),
    responses((status = 200, body = EngagementList), (status = 404, body = ErrorBody)))]
async fn list_engagements(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<EngagementList> {
    Ok(Json(EngagementList {
        items: a
            .list_engagements(&id)
            .await?
            .into_iter()
            .map(EngagementDto::from)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/processes/{id}/engagements", params(("id" = String, Path)), request_body = EngagementInputDto,
    responses((status = 201, body = EngagementDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_engagement(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<EngagementInputDto>,
) -> Result<(StatusCode, Json<EngagementDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.create_engagement(&id, &d.into()).await?.into()),
    ))
}

#[utoipa::path(delete, path = "/api/v1/engagements/{id}", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_engagement(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_engagement(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = UserList), (status = 404, body = ErrorBody)))]
async fn list_users(Caller(a): Caller) -> ApiResult<UserList> {
    Ok(Json(UserList {
        items: a
            .list_users()
            .await?
            .into_iter()
            .map(UserDto::from)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserDto,
    responses((status = 201, body = UserDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    Caller(a): Caller,
    ApiJson(n): ApiJson<NewUserDto>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let new = NewUser::try_from(n)?;
    Ok((StatusCode::CREATED, Json(a.create_user(&new).await?.into())))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = String, Path)), responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)))]
async fn get_user(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<UserDto> {
    Ok(Json(a.get_user(&id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = String, Path)), request_body = UserUpdateDto,
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(u): ApiJson<UserUpdateDto>,
) -> ApiResult<UserDto> {
    let upd = UserUpdate::try_from(u)?;
    Ok(Json(a.update_user(&id, &upd).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/compartments", responses((status = 200, body = CompartmentList)))]
async fn list_compartments(Caller(a): Caller) -> ApiResult<CompartmentList> {
    Ok(Json(CompartmentList {
        items: a
            .list_compartments()
            .await?
            .into_iter()
            .map(CompartmentDto::from)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/compartments", request_body = NewCompartmentDto,
    responses((status = 201, body = CompartmentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_compartment(
    Caller(a): Caller,
    ApiJson(n): ApiJson<NewCompartmentDto>,
) -> Result<(StatusCode, Json<CompartmentDto>), ApiError> {
    let domain = match n.domain.as_deref() {
        None => grotius_domain::separation::WorkDomain::Mediation,
        Some(d) => grotius_domain::separation::WorkDomain::parse(d)
            .map_err(grotius_store::StoreError::from)?,
    };
    let c = a
        .create_compartment(
            &n.id,
            &n.name,
            n.description.as_deref().unwrap_or(""),
            domain,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(get, path = "/api/v1/compartments/{id}", params(("id" = String, Path)),
    responses((status = 200, body = CompartmentDetail), (status = 404, body = ErrorBody)))]
async fn get_compartment(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> ApiResult<CompartmentDetail> {
    let (c, members) = a.get_compartment(&id).await?;
    Ok(Json(CompartmentDetail {
        compartment: c.into(),
        members: members.into_iter().map(MemberDto::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/compartments/{id}/members", params(("id" = String, Path)), request_body = NewMemberDto,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(m): ApiJson<NewMemberDto>,
) -> Result<StatusCode, ApiError> {
    a.add_member(&id, &m.user_id, &m.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/compartments/{id}/members/{user_id}", params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn remove_member(
    Caller(a): Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    a.remove_member(&id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, body = ApiTokenList)))]
async fn list_tokens(Caller(a): Caller) -> ApiResult<ApiTokenList> {
    Ok(Json(ApiTokenList {
        items: a
            .list_tokens()
            .await?
            .into_iter()
            .map(ApiTokenDto::from)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenDto,
    responses((status = 201, body = NewTokenResponse), (status = 422, body = ErrorBody)))]
async fn create_token(
    Caller(a): Caller,
    ApiJson(n): ApiJson<NewTokenDto>,
) -> Result<(StatusCode, Json<NewTokenResponse>), ApiError> {
    let (token, info) = a
        .create_token(&n.name, &n.scope, n.expires_in_days.saturating_mul(86400))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenResponse {
            token,
            info: info.into(),
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.revoke_token(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log, newest first (auditors).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery), responses((status = 200, body = AuditList), (status = 404, body = ErrorBody)))]
async fn audit(Caller(a): Caller, ApiQuery(q): ApiQuery<AuditQuery>) -> ApiResult<AuditList> {
    let filter = AuditFilter {
        actor: q.actor,
        action: q.action,
        resource_kind: q.resource_kind,
        resource_id: q.resource_id,
        outcome: q.outcome,
        from: q.from,
        to: q.to,
    };
    let page = a
        .audit_log(&filter, q.limit.unwrap_or(100), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(AuditList {
        items: page.items.into_iter().map(AuditEntryDto::from).collect(),
        total: page.total,
    }))
}

/// ISO 3166-1 countries with UN M49 regions.
#[utoipa::path(get, path = "/api/v1/countries", responses((status = 200, body = CountryList)))]
async fn countries(Caller(a): Caller) -> ApiResult<CountryList> {
    a.check(Action::Read, Resource::kind(ResourceKind::Reference))
        .await?;
    Ok(Json(CountryList {
        items: grotius_domain::reference::countries()
            .iter()
            .map(CountryDto::from)
            .collect(),
        attribution: grotius_domain::reference::COUNTRIES_ATTRIBUTION.into(),
    }))
}

/// Controlled vocabularies (themes, phases, tracks, Dutch roles, statuses) in English and Dutch.
#[utoipa::path(get, path = "/api/v1/vocabularies", responses((status = 200, body = Vocabularies)))]
async fn vocabularies(Caller(a): Caller) -> ApiResult<Vocabularies> {
    a.check(Action::Read, Resource::kind(ResourceKind::Reference))
        .await?;
    use grotius_domain::reference as r;
    let v = |terms: &[r::Term]| terms.iter().map(TermDto::from).collect();
    Ok(Json(Vocabularies {
        themes: v(r::THEMES),
        phases: v(r::PHASES),
        tracks: v(r::TRACKS),
        dutch_roles: v(r::DUTCH_ROLES),
        process_statuses: v(r::PROCESS_STATUSES),
    }))
}
