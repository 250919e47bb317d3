//! The roster API: experts (with CSV/XLSX import and export), requests for support, their
//! workflow, deployments and ranked matching.

use crate::routes::{Routes, delete, get, post};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::roster::{Candidate, Expert, ExpertInput, RequestInput, SupportRequest};
use grotius_store::{ExpertFilter, ImportReport, RequestFilter, TableFormat};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

/// Largest accepted import file.
pub const IMPORT_LIMIT: usize = 20 * 1024 * 1024;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/experts", get(list_experts).post(create_expert))
        .route(
            "/experts/import",
            post(import_experts).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/experts/export", get(export_experts))
        .route(
            "/experts/{id}",
            get(get_expert).put(update_expert).delete(delete_expert),
        )
        .route("/requests", get(list_requests).post(create_request))
        .route("/requests/dashboard", get(dashboard))
        .route(
            "/requests/{id}",
            get(get_request).put(update_request).delete(delete_request),
        )
        .route("/requests/{id}/transitions", post(transition))
        .route("/requests/{id}/matches", get(matches))
        .route("/requests/{id}/team", post(assign))
        .route("/requests/{id}/team/{expert_id}", delete(unassign));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_experts,
        create_expert,
        get_expert,
        update_expert,
        delete_expert,
        import_experts,
        export_experts,
        list_requests,
        dashboard,
        create_request,
        get_request,
        update_request,
        delete_request,
        transition,
        matches,
        assign,
        unassign
    ),
    components(schemas(
        ExpertDto,
        ExpertList,
        ExpertInputDto,
        ConflictDto,
        WindowDto,
        ImportReportDto,
        ImportProblemDto,
        RequestDto,
        RequestList,
        DashboardDto,
        BreakdownDto,
        WaitingRequestDto,
        StateCountDto,
        RequestInputDto,
        RequestDetailDto,
        TransitionDto,
        TeamMemberDto,
        TransitionInput,
        AssignInput,
        CandidateDto,
        ReasonDto,
        MatchList,
        GenderBalance
    ))
)]
pub struct RosterApi;

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Deserialize, IntoParams)]
pub struct ExpertQuery {
    /// Words in the name or past deployments.
    pub q: Option<String>,
    /// An expertise code: process-design, ceasefire-security, power-sharing, constitution-making,
    /// gender-inclusion, natural-resources-water, transitional-justice, mhpss.
    pub expertise: Option<String>,
    /// ISO 639-1 code.
    pub language: Option<String>,
    /// UN M49 region name or ISO 3166-1 country code.
    pub region: Option<String>,
    /// YYYY-MM-DD: available during the whole period from..to.
    pub available_from: Option<String>,
    pub available_to: Option<String>,
    /// female, male, other, undisclosed
    pub sex: Option<String>,
    pub network_member: Option<bool>,
    /// 1 to 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ExpertQuery {
    fn filter(&self) -> ExpertFilter {
        ExpertFilter {
            q: self.q.clone(),
            expertise: self.expertise.clone(),
            language: self.language.clone(),
            region: self.region.clone(),
            available_from: self.available_from.clone(),
            available_to: self.available_to.clone(),
            sex: self.sex.clone(),
            network_member: self.network_member,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct WindowDto {
    /// YYYY-MM-DD
    pub from: String,
    /// YYYY-MM-DD (included)
    pub to: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConflictDto {
    /// ISO 3166-1 country code, or the name of an actor or process.
    pub subject: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExpertDto {
    pub id: String,
    pub name: String,
    pub sex: String,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub regions: Vec<String>,
    pub tracks: Vec<String>,
    pub availability: Vec<WindowDto>,
    /// Confidential (encrypted at rest).
    pub conflicts: Vec<ConflictDto>,
    pub clearance: String,
    pub network_member: bool,
    pub network_name: Option<String>,
    pub deployments: Vec<String>,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Expert> for ExpertDto {
    fn from(e: Expert) -> Self {
        ExpertDto {
            id: e.id,
            name: e.name,
            sex: e.sex,
            expertise: e.expertise,
            languages: e.languages,
            regions: e.regions,
            tracks: e.tracks,
            availability: e
                .availability
                .into_iter()
                .map(|w| WindowDto {
                    from: w.from,
                    to: w.to,
                })
                .collect(),
            conflicts: e
                .conflicts
                .into_iter()
                .map(|c| ConflictDto {
                    subject: c.subject,
                    note: c.note,
                })
                .collect(),
            clearance: e.clearance.as_str().into(),
            network_member: e.network_member,
            network_name: e.network_name,
            deployments: e.deployments,
            classification: e.labels.classification.as_str().into(),
            compartment: e.labels.compartment.map(|c| c.to_string()),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExpertList {
    pub items: Vec<ExpertDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertInputDto {
    pub name: String,
    /// female, male, other, undisclosed
    pub sex: String,
    #[serde(default)]
    pub expertise: Vec<String>,
    /// ISO 639-1 codes.
    #[serde(default)]
    pub languages: Vec<String>,
    /// UN M49 region names or ISO 3166-1 country codes.
    #[serde(default)]
    pub regions: Vec<String>,
    /// I, 1.5, II, III
    #[serde(default)]
    pub tracks: Vec<String>,
    #[serde(default)]
    pub availability: Vec<WindowDto>,
    #[serde(default)]
    pub conflicts: Vec<ConflictDto>,
    /// public, internal, confidential, secret
    pub clearance: String,
    #[serde(default)]
    pub network_member: bool,
    #[serde(default)]
    pub network_name: Option<String>,
    #[serde(default)]
    pub deployments: Vec<String>,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<ExpertInputDto> for ExpertInput {
    fn from(d: ExpertInputDto) -> Self {
        ExpertInput {
            name: d.name,
            sex: d.sex,
            expertise: d.expertise,
            languages: d.languages,
            regions: d.regions,
            tracks: d.tracks,
            availability: d
                .availability
                .into_iter()
                .map(|w| format!("{}/{}", w.from, w.to))
                .collect(),
            conflicts: d
                .conflicts
                .into_iter()
                .map(|c| {
                    if c.note.trim().is_empty() {
                        c.subject
                    } else {
                        format!("{}: {}", c.subject.replace(':', " "), c.note)
                    }
                })
                .collect(),
            clearance: d.clearance,
            network_member: d.network_member,
            network_name: d.network_name,
            deployments: d.deployments,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportProblemDto {
    /// Row as numbered in the file (the header is row 1).
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    pub rows: usize,
    pub valid: usize,
    pub imported: usize,
    pub errors: Vec<ImportProblemDto>,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        ImportReportDto {
            rows: r.rows,
            valid: r.valid,
            imported: r.imported,
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportProblemDto {
                    row: e.row,
                    column: e.column,
                    value: e.value,
                    message: e.message,
                })
                .collect(),
        }
    }
}

/// Experts you may see (by name), with filters; `limit` is clamped to 1..500.
#[utoipa::path(get, path = "/api/v1/experts", params(ExpertQuery),
    responses((status = 200, body = ExpertList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_experts(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ExpertQuery>,
) -> ApiResult<ExpertList> {
    let page = a
        .list_experts(&q.filter(), q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(ExpertList {
        items: page.items.into_iter().map(ExpertDto::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/experts", request_body = ExpertInputDto,
    responses((status = 201, body = ExpertDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_expert(
    Caller(a): Caller,
    ApiJson(input): ApiJson<ExpertInputDto>,
) -> Result<(StatusCode, Json<ExpertDto>), ApiError> {
    let e = a.create_expert(&ExpertInput::from(input)).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

#[utoipa::path(get, path = "/api/v1/experts/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ExpertDto), (status = 404, body = ErrorBody)))]
async fn get_expert(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<ExpertDto> {
    Ok(Json(a.get_expert(&id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/experts/{id}", params(("id" = String, Path)), request_body = ExpertInputDto,
    responses((status = 200, body = ExpertDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_expert(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ExpertInputDto>,
) -> ApiResult<ExpertDto> {
    Ok(Json(
        a.update_expert(&id, &ExpertInput::from(input))
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/experts/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_expert(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.delete_expert(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Import the valid rows even when some rows are invalid.
    #[serde(default)]
    pub valid_rows_only: bool,
    /// csv or xlsx; by default from the file name or content.
    pub format: Option<String>,
}

/// Imports experts from a CSV or XLSX file sent as `multipart/form-data` (field `file`) or as
/// the raw body. Answers 200 with the report when rows were imported, 422 with the report when
/// nothing was (any invalid row, unless `valid_rows_only`).
#[utoipa::path(post, path = "/api/v1/experts/import", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReportDto), (status = 422, body = ImportReportDto), (status = 403, body = ErrorBody)))]
async fn import_experts(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (name, bytes, valid_only) = read_upload(req).await?;
    let format = match q.format.as_deref() {
        Some(f) => TableFormat::parse(f)?,
        None => TableFormat::detect(name.as_deref(), &bytes),
    };
    let report = a
        .import_experts(
            &bytes,
            format,
            q.valid_rows_only || valid_only,
            &mut |_, _| {},
        )
        .await?;
    let status = if report.committed() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(ImportReportDto::from(report))).into_response())
}

/// The file of an upload: from a multipart form (field `file`, and a `valid_rows_only` field
/// when the form has one) or the raw body.
pub async fn read_upload(
    req: axum::extract::Request,
) -> Result<(Option<String>, Vec<u8>, bool), ApiError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the file is larger than 20 MiB",
        )
    };
    if !is_multipart {
        let bytes = axum::body::to_bytes(req.into_body(), IMPORT_LIMIT)
            .await
            .map_err(|_| too_large())?;
        return Ok((None, bytes.to_vec(), false));
    }
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m);
    let mut mp = <Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
        .await
        .map_err(|e| bad(e.body_text()))?;
    let mut file = None;
    let mut valid_only = false;
    while let Some(field) = mp.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            bad(e.body_text())
        }
    })? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().map(str::to_string);
                let data = field.bytes().await.map_err(|e| bad(e.body_text()))?;
                file = Some((name, data.to_vec()));
            }
            Some("valid_rows_only") => {
                let v = field.text().await.map_err(|e| bad(e.body_text()))?;
                valid_only = matches!(v.as_str(), "1" | "true" | "on" | "yes");
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "file is invalid: choose a CSV or XLSX file",
        )
    })?;
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "file is invalid: the file is empty",
        ));
    }
    Ok((name, bytes, valid_only))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// csv (default) or xlsx
    pub format: Option<String>,
    pub q: Option<String>,
    pub expertise: Option<String>,
    pub language: Option<String>,
    pub region: Option<String>,
}

/// The experts you may export, as CSV or XLSX (the same columns the import reads, with `id`).
#[utoipa::path(get, path = "/api/v1/experts/export", params(ExportQuery),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = ErrorBody)))]
async fn export_experts(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("csv"))?;
    let filter = ExpertFilter {
        q: q.q,
        expertise: q.expertise,
        language: q.language,
        region: q.region,
        ..Default::default()
    };
    let bytes = a.export_experts(&filter, format).await?;
    Ok(download(bytes, format))
}

pub fn download(bytes: Vec<u8>, format: TableFormat) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"experts.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response()
}

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

#[derive(Deserialize, IntoParams)]
pub struct RequestQuery {
    pub q: Option<String>,
    /// triage, decision, deployment, closure, rejected
    pub state: Option<String>,
    /// routine, urgent, immediate
    pub urgency: Option<String>,
    /// Only open requests.
    pub open: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDto {
    pub id: String,
    pub title: String,
    pub requester: String,
    pub process_id: Option<String>,
    pub request_type: String,
    pub modality: String,
    pub urgency: String,
    pub countries: Vec<String>,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub track: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub summary: String,
    pub notes: String,
    pub state: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<SupportRequest> for RequestDto {
    fn from(r: SupportRequest) -> Self {
        RequestDto {
            id: r.id,
            title: r.title,
            requester: r.requester,
            process_id: r.process_id,
            request_type: r.request_type,
            modality: r.modality,
            urgency: r.urgency,
            countries: r.countries,
            expertise: r.expertise,
            languages: r.languages,
            track: r.track,
            start_date: r.start_date,
            end_date: r.end_date,
            summary: r.summary,
            notes: r.notes,
            state: r.state,
            classification: r.labels.classification.as_str().into(),
            compartment: r.labels.compartment.map(|c| c.to_string()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInputDto {
    pub title: String,
    /// Who asks: an EU or UN envoy, an embassy, a partner.
    pub requester: String,
    #[serde(default)]
    pub process_id: Option<String>,
    /// advisory, financial, logistical, training, coaching
    pub request_type: String,
    /// in-person, remote
    pub modality: String,
    /// routine, urgent, immediate
    pub urgency: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub expertise: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub track: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<RequestInputDto> for RequestInput {
    fn from(d: RequestInputDto) -> Self {
        RequestInput {
            title: d.title,
            requester: d.requester,
            process_id: d.process_id,
            request_type: d.request_type,
            modality: d.modality,
            urgency: d.urgency,
            countries: d.countries,
            expertise: d.expertise,
            languages: d.languages,
            track: d.track,
            start_date: d.start_date,
            end_date: d.end_date,
            summary: d.summary,
            notes: d.notes,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TransitionDto {
    pub from_state: String,
    pub to_state: String,
    /// Unix microseconds.
    pub at: i64,
    pub user_id: String,
    pub username: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamMemberDto {
    pub expert_id: String,
    pub name: String,
    pub sex: String,
    pub assigned_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct GenderBalance {
    pub female: usize,
    pub male: usize,
    pub other_or_undisclosed: usize,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDetailDto {
    pub request: RequestDto,
    pub process_name: Option<String>,
    /// States this request may move to next.
    pub next_states: Vec<String>,
    pub history: Vec<TransitionDto>,
    pub team: Vec<TeamMemberDto>,
    pub gender_balance: GenderBalance,
}

#[utoipa::path(get, path = "/api/v1/requests", params(RequestQuery),
    responses((status = 200, body = RequestList), (status = 404, body = ErrorBody)))]
async fn list_requests(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<RequestQuery>,
) -> ApiResult<RequestList> {
    let filter = RequestFilter {
        q: q.q,
        state: q.state,
        urgency: q.urgency,
        open: q.open,
    };
    let page = a
        .list_requests(&filter, q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(RequestList {
        items: page.items.into_iter().map(RequestDto::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// One bar of a dashboard breakdown.
#[derive(Serialize, ToSchema)]
pub struct BreakdownDto {
    /// Region (UN M49 intermediate or sub-region name) or theme code.
    pub key: String,
    /// Requests that reached deployment.
    pub deployments: i64,
    /// Experts deployed on them (those the caller may see).
    pub experts: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WaitingRequestDto {
    pub id: String,
    pub title: String,
    pub state: String,
    pub urgency: String,
    pub hours_open: f64,
    /// Filed more than 72 hours ago and not deployed.
    pub over_benchmark: bool,
}

#[derive(Serialize, ToSchema)]
pub struct StateCountDto {
    pub state: String,
    pub count: i64,
}

/// The requests dashboard, computed over the requests the caller may see.
#[derive(Serialize, ToSchema)]
pub struct DashboardDto {
    pub benchmark_hours: f64,
    pub requests: i64,
    pub open: i64,
    pub by_state: Vec<StateCountDto>,
    pub median_hours_to_decision: Option<f64>,
    pub decided: i64,
    pub decided_within_benchmark: i64,
    pub median_hours_to_deployment: Option<f64>,
    pub deployed: i64,
    pub deployed_within_benchmark: i64,
    pub by_region: Vec<BreakdownDto>,
    pub by_theme: Vec<BreakdownDto>,
    pub waiting: Vec<WaitingRequestDto>,
}

/// Open requests, time to decision and deployment against the UN Standby Team's 72 hours,
/// deployments per region and theme.
#[utoipa::path(get, path = "/api/v1/requests/dashboard",
    responses((status = 200, body = DashboardDto), (status = 404, body = ErrorBody)))]
async fn dashboard(Caller(a): Caller) -> ApiResult<DashboardDto> {
    let s = a.roster_stats().await?;
    let bars = |v: Vec<grotius_store::Breakdown>| {
        v.into_iter()
            .map(|b| BreakdownDto {
                key: b.key,
                deployments: b.deployments,
                experts: b.experts,
            })
            .collect()
    };
    Ok(Json(DashboardDto {
        benchmark_hours: grotius_store::BENCHMARK_HOURS,
        requests: s.requests,
        open: s.open,
        by_state: s
            .by_state
            .into_iter()
            .map(|(state, count)| StateCountDto { state, count })
            .collect(),
        median_hours_to_decision: s.median_hours_to_decision,
        decided: s.decided,
        decided_within_benchmark: s.decided_within_72h,
        median_hours_to_deployment: s.median_hours_to_deployment,
        deployed: s.deployed,
        deployed_within_benchmark: s.deployed_within_72h,
        by_region: bars(s.by_region),
        by_theme: bars(s.by_theme),
        waiting: s
            .waiting
            .into_iter()
            .map(|w| WaitingRequestDto {
                id: w.id,
                title: w.title,
                state: w.state,
                urgency: w.urgency,
                hours_open: w.hours_open,
                over_benchmark: w.over_benchmark,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/requests", request_body = RequestInputDto,
    responses((status = 201, body = RequestDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_request(
    Caller(a): Caller,
    ApiJson(input): ApiJson<RequestInputDto>,
) -> Result<(StatusCode, Json<RequestDto>), ApiError> {
    let r = a.create_request(&RequestInput::from(input)).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// A request with its history (who moved it when), its team and the team's gender balance.
#[utoipa::path(get, path = "/api/v1/requests/{id}", params(("id" = String, Path)),
    responses((status = 200, body = RequestDetailDto), (status = 404, body = ErrorBody)))]
async fn get_request(Caller(a): Caller, Path(id): Path<String>) -> ApiResult<RequestDetailDto> {
    let d = a.request_detail(&id).await?;
    let (female, male, other) =
        grotius_domain::roster::gender_balance(d.team.iter().map(|m| m.sex.as_str()));
    Ok(Json(RequestDetailDto {
        next_states: grotius_domain::roster::next_states(&d.request.state)
            .into_iter()
            .map(str::to_string)
            .collect(),
        request: d.request.into(),
        process_name: d.process_name,
        history: d
            .history
            .into_iter()
            .map(|t| TransitionDto {
                from_state: t.from_state,
                to_state: t.to_state,
                at: t.at,
                user_id: t.user_id,
                username: t.username,
                note: t.note,
            })
            .collect(),
        team: d
            .team
            .into_iter()
            .map(|m| TeamMemberDto {
                expert_id: m.expert_id,
                name: m.name,
                sex: m.sex,
                assigned_at: m.assigned_at,
            })
            .collect(),
        gender_balance: GenderBalance {
            female,
            male,
            other_or_undisclosed: other,
        },
    }))
}

#[utoipa::path(put, path = "/api/v1/requests/{id}", params(("id" = String, Path)), request_body = RequestInputDto,
    responses((status = 200, body = RequestDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_request(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RequestInputDto>,
) -> ApiResult<RequestDto> {
    Ok(Json(
        a.update_request(&id, &RequestInput::from(input))
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/requests/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_request(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.delete_request(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// The next state: decision, deployment, closure or rejected (as the workflow allows).
    pub to: String,
    #[serde(default)]
    pub note: String,
}

/// Moves a request to its next state (triage → decision → deployment → closure, or rejected).
#[utoipa::path(post, path = "/api/v1/requests/{id}/transitions", params(("id" = String, Path)), request_body = TransitionInput,
    responses((status = 200, body = RequestDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transition(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(t): ApiJson<TransitionInput>,
) -> ApiResult<RequestDto> {
    Ok(Json(
        a.transition_request(&id, &t.to, &t.note).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub expert_id: String,
}

/// Deploys an expert on the request.
#[utoipa::path(post, path = "/api/v1/requests/{id}/team", params(("id" = String, Path)), request_body = AssignInput,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssignInput>,
) -> Result<StatusCode, ApiError> {
    a.assign_expert(&id, &b.expert_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/requests/{id}/team/{expert_id}", params(("id" = String, Path), ("expert_id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unassign(
    Caller(a): Caller,
    Path((id, expert_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    a.unassign_expert(&id, &expert_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReasonDto {
    /// expertise, language, region, availability, track
    pub kind: String,
    pub detail: String,
    pub points: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CandidateDto {
    pub expert_id: String,
    pub name: String,
    pub sex: String,
    /// 0 to 100.
    pub score: f64,
    pub reasons: Vec<ReasonDto>,
}

impl From<Candidate> for CandidateDto {
    fn from(c: Candidate) -> Self {
        CandidateDto {
            expert_id: c.expert_id,
            name: c.name,
            sex: c.sex,
            score: c.score,
            reasons: c
                .reasons
                .into_iter()
                .map(|r| ReasonDto {
                    kind: r.kind,
                    detail: r.detail,
                    points: r.points,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MatchList {
    pub items: Vec<CandidateDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct MatchQuery {
    /// 1 to 500 (default 20).
    pub limit: Option<usize>,
}

/// Ranked experts for a request, each with the reasons; declared conflicts of interest and
/// insufficient clearance are left out.
#[utoipa::path(get, path = "/api/v1/requests/{id}/matches", params(("id" = String, Path), MatchQuery),
    responses((status = 200, body = MatchList), (status = 404, body = ErrorBody)))]
async fn matches(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<MatchQuery>,
) -> ApiResult<MatchList> {
    let items = a.match_request(&id, q.limit.unwrap_or(20)).await?;
    Ok(Json(MatchList {
        items: items.into_iter().map(CandidateDto::from).collect(),
    }))
}
