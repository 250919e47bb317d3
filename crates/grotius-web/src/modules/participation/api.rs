//! Women's participation API: records per process, shares per process and across processes,
//! exports (CSV/XLSX).

use crate::routes::{Routes, get, put};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::participation::{
    CrossRole, Participation, ParticipationInput, RoleTally, Tally,
};
use grotius_store::{
    CrossShares, ExportScope, ExportTable, ParticipationFilter, ProcessShares, TableFormat,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/processes/{id}/participation",
        get(list_records).post(create_record),
    )
    .route(
        "/processes/{id}/participation/summary",
        get(process_summary),
    )
    .route("/processes/{id}/participation/export", get(process_export))
    .route("/participation/summary", get(across_summary))
    .route("/participation/export", get(across_export))
    .route(
        "/participation/{id}",
        put(update_record).delete(delete_record),
    );
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_records,
        create_record,
        update_record,
        delete_record,
        process_summary,
        process_export,
        across_summary,
        across_export
    ),
    components(schemas(
        ParticipationDto,
        ParticipationList,
        ParticipationInputDto,
        TallyDto,
        SeniorityTallyDto,
        RoleSharesDto,
        ProcessSharesDto,
        CrossRoleDto,
        CrossSharesDto
    ))
)]
pub struct ParticipationApi;

/// How the shares are computed (repeated in every summary).
pub const METHOD: &str = "share_women = women / (women + men) over the people whose sex is recorded, in percent with one decimal (rounded half up); people whose sex is not recorded are counted apart, never as men. Across processes: pooled_share_women over all people together, mean_share_women = the average of the per-process shares (each process weighs the same, as in the CFR/UN Women tracker), over the processes you may read only.";

#[derive(Serialize, ToSchema)]
pub struct ParticipationDto {
    pub id: String,
    pub process_id: String,
    /// delegate, mediator, signatory, adviser, observer
    pub role: String,
    /// female, male, not-recorded
    pub sex: String,
    /// head, senior, mid, junior
    pub seniority: String,
    /// Party or delegation as free text (empty when an actor is linked).
    pub party: String,
    /// A linked actor of the network (absent when you may not see it).
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub round: String,
    pub date: Option<String>,
    /// How many people this record counts.
    pub count: i64,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Participation> for ParticipationDto {
    fn from(p: Participation) -> Self {
        ParticipationDto {
            id: p.id,
            process_id: p.process_id,
            role: p.role,
            sex: p.sex,
            seniority: p.seniority,
            party: p.party,
            actor_id: p.actor_id,
            actor_name: p.actor_name,
            round: p.round,
            date: p.date,
            count: p.count,
            classification: p.labels.classification.as_str().into(),
            compartment: p.labels.compartment.map(|c| c.to_string()),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipationList {
    pub items: Vec<ParticipationDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipationInputDto {
    pub role: String,
    pub sex: String,
    pub seniority: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub actor_id: Option<String>,
    #[serde(default)]
    pub round: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub date: Option<String>,
    /// 1 to 10000 (default 1: one person).
    #[serde(default = "one")]
    pub count: i64,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

fn one() -> i64 {
    1
}

impl From<ParticipationInputDto> for ParticipationInput {
    fn from(d: ParticipationInputDto) -> Self {
        ParticipationInput {
            role: d.role,
            sex: d.sex,
            seniority: d.seniority,
            party: d.party,
            actor_id: d.actor_id,
            round: d.round,
            date: d.date,
            count: d.count,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TallyDto {
    pub total: i64,
    pub women: i64,
    pub men: i64,
    pub not_recorded: i64,
    /// Percent with one decimal; null when nobody's sex is recorded.
    pub share_women: Option<f64>,
}

impl From<&Tally> for TallyDto {
    fn from(t: &Tally) -> Self {
        TallyDto {
            total: t.total,
            women: t.women,
            men: t.men,
            not_recorded: t.not_recorded,
            share_women: t.share(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SeniorityTallyDto {
    /// head, senior, mid, junior
    pub seniority: String,
    #[serde(flatten)]
    pub tally: TallyDto,
}

fn seniority(list: &[(String, Tally)]) -> Vec<SeniorityTallyDto> {
    list.iter()
        .map(|(s, t)| SeniorityTallyDto {
            seniority: s.clone(),
            tally: t.into(),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct RoleSharesDto {
    pub role: String,
    #[serde(flatten)]
    pub tally: TallyDto,
    pub by_seniority: Vec<SeniorityTallyDto>,
}

impl From<&RoleTally> for RoleSharesDto {
    fn from(r: &RoleTally) -> Self {
        RoleSharesDto {
            role: r.role.clone(),
            tally: (&r.tally).into(),
            by_seniority: seniority(&r.by_seniority),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProcessSharesDto {
    pub process_id: String,
    /// The codename where one is set.
    pub process_name: String,
    pub round: Option<String>,
    pub rounds: Vec<String>,
    /// Every role, in vocabulary order.
    pub roles: Vec<RoleSharesDto>,
    pub all: TallyDto,
    pub method: String,
}

impl From<&ProcessShares> for ProcessSharesDto {
    fn from(s: &ProcessShares) -> Self {
        ProcessSharesDto {
            process_id: s.process_id.clone(),
            process_name: s.process_name.clone(),
            round: s.round.clone(),
            rounds: s.rounds.clone(),
            roles: s.roles.iter().map(RoleSharesDto::from).collect(),
            all: (&s.all).into(),
            method: METHOD.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CrossRoleDto {
    pub role: String,
    pub pooled: TallyDto,
    /// Share of women over all people of all processes together.
    pub pooled_share_women: Option<f64>,
    /// Average of the per-process shares.
    pub mean_share_women: Option<f64>,
    /// Processes with people of this role whose sex is recorded.
    pub processes: usize,
    pub processes_without_women: usize,
    pub by_seniority: Vec<SeniorityTallyDto>,
}

#[derive(Serialize, ToSchema)]
pub struct CrossSharesDto {
    pub roles: Vec<CrossRoleDto>,
    /// Processes with records.
    pub processes: Vec<ProcessSharesDto>,
    /// Processes you may read that match the filter, with or without records.
    pub processes_considered: usize,
    pub method: String,
}

impl From<&CrossRole> for CrossRoleDto {
    fn from(c: &CrossRole) -> Self {
        CrossRoleDto {
            role: c.role.clone(),
            pooled: (&c.pooled).into(),
            pooled_share_women: c.pooled_share,
            mean_share_women: c.mean_share,
            processes: c.processes,
            processes_without_women: c.processes_without_women,
            by_seniority: seniority(&c.by_seniority),
        }
    }
}

impl From<&CrossShares> for CrossSharesDto {
    fn from(c: &CrossShares) -> Self {
        CrossSharesDto {
            roles: c.roles.iter().map(CrossRoleDto::from).collect(),
            processes: c.processes.iter().map(ProcessSharesDto::from).collect(),
            processes_considered: c.processes_considered,
            method: METHOD.into(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct RoundQuery {
    /// Only the records of this round.
    pub round: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct AcrossQuery {
    /// UN M49 region or sub-region of a country of the process ("Africa", "Eastern Africa").
    pub region: Option<String>,
    /// Records dated in this year.
    pub year: Option<i64>,
    /// Status of the process: exploratory, active, dormant, concluded.
    pub status: Option<String>,
}

impl From<AcrossQuery> for ParticipationFilter {
    fn from(q: AcrossQuery) -> Self {
        ParticipationFilter {
            region: q.region,
            year: q.year,
            status: q.status,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ProcessExportQuery {
    /// csv (default) or xlsx
    pub format: Option<String>,
    /// shares (default) or records
    pub what: Option<String>,
    pub round: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct AcrossExportQuery {
    /// csv (default) or xlsx
    pub format: Option<String>,
    /// shares (default) or records
    pub what: Option<String>,
    pub region: Option<String>,
    pub year: Option<i64>,
    pub status: Option<String>,
}

/// A file download of an export.
pub fn download(bytes: Vec<u8>, format: TableFormat, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Participation records of a process you may see.
#[utoipa::path(get, path = "/api/v1/processes/{id}/participation", params(("id" = String, Path), RoundQuery),
    responses((status = 200, body = ParticipationList), (status = 404, body = ErrorBody)))]
async fn list_records(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RoundQuery>,
) -> Result<Json<ParticipationList>, ApiError> {
    let round = q.round.as_deref().map(str::trim).filter(|r| !r.is_empty());
    Ok(Json(ParticipationList {
        items: a
            .list_participation(&id, round)
            .await?
            .into_iter()
            .map(ParticipationDto::from)
            .collect(),
    }))
}

/// Records people at the table of a process (one person, or an aggregate with `count`).
#[utoipa::path(post, path = "/api/v1/processes/{id}/participation", params(("id" = String, Path)), request_body = ParticipationInputDto,
    responses((status = 201, body = ParticipationDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_record(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<ParticipationInputDto>,
) -> Result<(StatusCode, Json<ParticipationDto>), ApiError> {
    let p = a.create_participation(&id, &d.into()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(put, path = "/api/v1/participation/{id}", params(("id" = String, Path)), request_body = ParticipationInputDto,
    responses((status = 200, body = ParticipationDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_record(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<ParticipationInputDto>,
) -> Result<Json<ParticipationDto>, ApiError> {
    Ok(Json(a.update_participation(&id, &d.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/participation/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_record(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.delete_participation(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shares of women per role (and per role and seniority) in one process.
#[utoipa::path(get, path = "/api/v1/processes/{id}/participation/summary", params(("id" = String, Path), RoundQuery),
    responses((status = 200, body = ProcessSharesDto), (status = 404, body = ErrorBody)))]
async fn process_summary(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RoundQuery>,
) -> Result<Json<ProcessSharesDto>, ApiError> {
    let s = a.participation_summary(&id, q.round.as_deref()).await?;
    Ok(Json((&s).into()))
}

/// Shares of women per role across every process you may read (pooled and averaged).
#[utoipa::path(get, path = "/api/v1/participation/summary", params(AcrossQuery),
    responses((status = 200, body = CrossSharesDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn across_summary(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AcrossQuery>,
) -> Result<Json<CrossSharesDto>, ApiError> {
    let c = a.participation_across(&q.into()).await?;
    Ok(Json((&c).into()))
}

/// The shares or the records of one process, as CSV or XLSX (audited).
#[utoipa::path(get, path = "/api/v1/processes/{id}/participation/export", params(("id" = String, Path), ProcessExportQuery),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn process_export(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ProcessExportQuery>,
) -> Result<Response, ApiError> {
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("csv"))?;
    let table = ExportTable::parse(q.what.as_deref().unwrap_or(""))?;
    let bytes = a
        .export_participation(&ExportScope::Process { id, round: q.round }, table, format)
        .await?;
    Ok(download(
        bytes,
        format,
        &format!("participation-{}", table.as_str()),
    ))
}

/// The shares or the records across every process you may read, as CSV or XLSX (audited).
#[utoipa::path(get, path = "/api/v1/participation/export", params(AcrossExportQuery),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn across_export(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AcrossExportQuery>,
) -> Result<Response, ApiError> {
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("csv"))?;
    let table = ExportTable::parse(q.what.as_deref().unwrap_or(""))?;
    let filter = ParticipationFilter {
        region: q.region,
        year: q.year,
        status: q.status,
    };
    let bytes = a
        .export_participation(&ExportScope::Across(filter), table, format)
        .await?;
    Ok(download(
        bytes,
        format,
        &format!("participation-all-{}", table.as_str()),
    ))
}
