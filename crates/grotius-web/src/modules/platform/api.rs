//! The platform's API: tokens, who am I, users, compartments, API tokens, the audit log, the
//! reference lists and the OpenAPI document.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{AuditFilter, NewUser, UserUpdate};
use utoipa::OpenApi;

use crate::AppState;
use crate::api::*;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::{Routes, delete, get, post};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/openapi.json", get(openapi))
        .route("/auth/token", post(token))
        .route("/me", get(me))
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
        .route("/vocabularies", get(vocabularies));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        token,
        me,
        list_users,
        create_user,
        get_user,
        update_user,
        list_compartments,
        create_compartment,
        get_compartment,
        add_member,
        remove_member,
        list_tokens,
        create_token,
        revoke_token,
        audit,
        countries,
        vocabularies
    ),
    components(schemas(
        ErrorBody,
        TokenRequest,
        TokenResponse,
        MeResponse,
        UserDto,
        UserList,
        NewUserDto,
        UserUpdateDto,
        CompartmentDto,
        CompartmentList,
        CompartmentDetail,
        NewCompartmentDto,
        MemberDto,
        NewMemberDto,
        ApiTokenDto,
        ApiTokenList,
        NewTokenDto,
        NewTokenResponse,
        AuditEntryDto,
        AuditList,
        CountryDto,
        CountryList,
        TermDto,
        Vocabularies
    ))
)]
pub(crate) struct PlatformApi;

async fn openapi() -> Response {
    Json(crate::openapi()).into_response()
}

/// Exchange user name, password and (if enrolled) a TOTP code for a bearer token (12 hours).
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn token(
    State(state): State<AppState>,
    crate::auth::ClientIp(ip): crate::auth::ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<TokenResponse> {
    // A database error answers as one (`?`): the attempt never goes on unlimited.
    if !state.limiter.allow(&state.store, ip).await? {
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
