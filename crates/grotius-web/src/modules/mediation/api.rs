//! The mediation API: processes and their engagements journal.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::process::ProcessInput;
use grotius_store::ProcessFilter;
use utoipa::OpenApi;

use crate::api::*;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::{Routes, get};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/processes", get(list_processes).post(create_process))
        .route(
            "/processes/{id}",
            get(get_process).put(update_process).delete(delete_process),
        )
        .route(
            "/processes/{id}/engagements",
            get(list_engagements).post(create_engagement),
        )
        .route(
            "/engagements/{id}",
            get(get_engagement)
                .put(update_engagement)
                .delete(delete_engagement),
        );
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_processes,
        create_process,
        get_process,
        update_process,
        delete_process,
        list_engagements,
        create_engagement,
        get_engagement,
        update_engagement,
        delete_engagement
    ),
    components(schemas(
        ErrorBody,
        EngagedPartyDto,
        EngagementDto,
        EngagementList,
        EngagementInputDto,
        ProcessDto,
        ProcessList,
        ProcessInputDto
    ))
)]
pub(crate) struct MediationApi;

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

/// One entry of a journal (participants you may not see left out).
#[utoipa::path(get, path = "/api/v1/engagements/{id}", params(("id" = String, Path)),
    responses((status = 200, body = EngagementDto), (status = 404, body = ErrorBody)))]
async fn get_engagement(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<EngagementDto> {
    Ok(Json(a.get_engagement(&id).await?.into()))
}

/// Rewrites an entry of a journal; participants you may not see stay on it.
#[utoipa::path(put, path = "/api/v1/engagements/{id}", params(("id" = String, Path)), request_body = EngagementInputDto,
    responses((status = 200, body = EngagementDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_engagement(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<EngagementInputDto>,
) -> ApiResult<EngagementDto> {
    Ok(Json(a.update_engagement(&id, &d.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/engagements/{id}", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_engagement(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_engagement(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
