//! Peace agreements API (PA-X): the faceted list with counts, an agreement, the side-by-side
//! comparison (JSON or DOCX), and imports run as jobs.

use std::collections::BTreeMap;

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::agreement::{self, Agreement};
use grotius_store::{
    AgreementFacets, AgreementFilter, AgreementResults, FacetCount, ImportJob, PaxReport,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::modules::roster::api::{IMPORT_LIMIT, read_upload};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/agreements", get(list_agreements))
        .route("/agreements/compare", get(compare_agreements))
        .route(
            "/agreements/import",
            post(import_agreements).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/agreements/imports/{id}", get(import_job))
        .route("/agreements/{id}", get(get_agreement));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_agreements,
        get_agreement,
        compare_agreements,
        import_agreements,
        import_job
    ),
    components(schemas(
        AgreementDto,
        AgreementList,
        FacetsDto,
        FacetCountDto,
        ComparisonDto,
        ComparisonRowDto,
        ImportJobDto,
        PaxReportDto,
        PaxProblemDto,
        UnmappedDto
    ))
)]
pub struct AgreementsApi;

/// An agreement as PA-X codes it.
#[derive(Serialize, ToSchema)]
pub struct AgreementDto {
    pub id: String,
    /// PA-X AgtId (also accepted wherever an id is).
    pub pax_id: i64,
    pub name: String,
    /// YYYY-MM-DD
    pub date: String,
    pub year: i64,
    /// PA-X `Con`, as written there.
    pub country_text: String,
    /// ISO 3166-1 alpha-2 codes of the countries of `Con` that have one.
    pub countries: Vec<String>,
    pub region: String,
    /// Intra, IntraLocal, InterIntra, Inter
    pub agreement_type: String,
    /// Pre, SubPar, SubComp, Cea, Imp, Ren, Oth
    pub stage: String,
    pub stage_sub: String,
    pub status: String,
    pub conflict_type: String,
    pub peace_process: String,
    /// Signatories, verbatim (line breaks kept).
    pub parties: String,
    pub third_parties: String,
    /// Facets present: women, water, human-rights, transitional-justice, ceasefire, ssr-ddr.
    pub facets: Vec<String>,
    /// Coded provisions above 0, by PA-X codebook column (1–3).
    pub provisions: BTreeMap<String, i64>,
    /// Other columns of the source (version, UCDP ids, locations, …).
    pub extra: BTreeMap<String, String>,
    pub classification: String,
    pub compartment: Option<String>,
    pub citation: String,
}

impl From<Agreement> for AgreementDto {
    fn from(a: Agreement) -> Self {
        let d = a.data;
        AgreementDto {
            id: a.id,
            pax_id: d.pax_id,
            name: d.name,
            date: d.date,
            year: d.year,
            country_text: d.country_text,
            countries: d.countries,
            region: d.region,
            agreement_type: d.agreement_type,
            stage: d.stage,
            stage_sub: d.stage_sub,
            status: d.status,
            conflict_type: d.conflict_type,
            peace_process: d.peace_process,
            parties: d.parties,
            third_parties: d.third_parties,
            facets: d.facets.codes().into_iter().map(str::to_string).collect(),
            provisions: d.provisions,
            extra: d.extra,
            classification: a.labels.classification.as_str().into(),
            compartment: a.labels.compartment.map(|c| c.to_string()),
            citation: agreement::CITATION.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FacetCountDto {
    pub value: String,
    pub count: i64,
}

fn counts(v: Vec<FacetCount>) -> Vec<FacetCountDto> {
    v.into_iter()
        .map(|c| FacetCountDto {
            value: c.value,
            count: c.count,
        })
        .collect()
}

/// Counts over the agreements that match the filter and that you may see.
#[derive(Serialize, ToSchema)]
pub struct FacetsDto {
    /// women, water, human-rights, transitional-justice, ceasefire, ssr-ddr.
    pub provisions: Vec<FacetCountDto>,
    pub stages: Vec<FacetCountDto>,
    pub types: Vec<FacetCountDto>,
    pub regions: Vec<FacetCountDto>,
    pub years: Vec<FacetCountDto>,
    /// ISO 3166-1 alpha-2.
    pub countries: Vec<FacetCountDto>,
}

impl From<AgreementFacets> for FacetsDto {
    fn from(f: AgreementFacets) -> Self {
        FacetsDto {
            provisions: counts(f.provisions),
            stages: counts(f.stages),
            types: counts(f.types),
            regions: counts(f.regions),
            years: counts(f.years),
            countries: counts(f.countries),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgreementList {
    /// Agreements matching the filter.
    pub total: i64,
    /// Agreements you may see at all.
    pub all: i64,
    pub limit: i64,
    pub offset: i64,
    pub facets: FacetsDto,
    pub items: Vec<AgreementDto>,
    pub citation: String,
}

impl From<AgreementResults> for AgreementList {
    fn from(r: AgreementResults) -> Self {
        AgreementList {
            total: r.total,
            all: r.all,
            limit: r.limit,
            offset: r.offset,
            facets: r.facets.into(),
            items: r.items.into_iter().map(AgreementDto::from).collect(),
            citation: agreement::CITATION.into(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
pub struct AgreementQuery {
    /// Words in the agreement's name.
    pub q: Option<String>,
    /// Facets that must all be present, comma-separated: women, water, human-rights,
    /// transitional-justice, ceasefire, ssr-ddr.
    pub facets: Option<String>,
    /// PA-X stage code (Pre, SubPar, SubComp, Cea, Imp, Ren, Oth).
    pub stage: Option<String>,
    /// PA-X agreement type (Intra, IntraLocal, InterIntra, Inter).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub agreement_type: Option<String>,
    /// PA-X region, e.g. "Africa (excl MENA)".
    pub region: Option<String>,
    /// ISO 3166-1 country code.
    pub country: Option<String>,
    pub year_from: Option<i64>,
    pub year_to: Option<i64>,
    /// At most 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl AgreementQuery {
    pub fn filter(&self) -> AgreementFilter {
        AgreementFilter {
            q: self.q.clone(),
            facets: self
                .facets
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            stage: self.stage.clone(),
            agreement_type: self.agreement_type.clone(),
            region: self.region.clone(),
            country: self.country.clone(),
            year_from: self.year_from,
            year_to: self.year_to,
        }
    }
}

/// Peace agreements (PA-X) you may see, newest first, with the count of every facet under the
/// same filter.
#[utoipa::path(get, path = "/api/v1/agreements", params(AgreementQuery),
    responses((status = 200, body = AgreementList), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_agreements(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AgreementQuery>,
) -> Result<Json<AgreementList>, ApiError> {
    let r = a
        .list_agreements(&q.filter(), q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(r.into()))
}

/// An agreement, by id or PA-X AgtId.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", params(("id" = String, Path, description = "id or PA-X AgtId")),
    responses((status = 200, body = AgreementDto), (status = 404, body = ErrorBody)))]
async fn get_agreement(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<AgreementDto>, ApiError> {
    Ok(Json(a.get_agreement(&id).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ComparisonRowDto {
    pub code: String,
    pub topic: String,
    pub label: String,
    /// One value per agreement, in the order of `agreements` (0 = not coded).
    pub values: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ComparisonDto {
    pub agreements: Vec<AgreementDto>,
    /// Every provision coded in at least one of the agreements, in codebook order.
    pub rows: Vec<ComparisonRowDto>,
    pub citation: String,
}

#[derive(Deserialize, IntoParams)]
pub struct CompareQuery {
    /// Ids or AgtIds, comma-separated (at most 12).
    pub ids: String,
    /// json (default) or docx.
    pub format: Option<String>,
}

/// Agreements side by side: the provisions coded in any of them. `format=docx` returns the
/// comparison as a Word document.
#[utoipa::path(get, path = "/api/v1/agreements/compare", params(CompareQuery),
    responses((status = 200, body = ComparisonDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn compare_agreements(
    Caller(a): Caller,
    headers: axum::http::HeaderMap,
    ApiQuery(q): ApiQuery<CompareQuery>,
) -> Result<Response, ApiError> {
    let ids = vec![q.ids];
    match q.format.as_deref().unwrap_or("json") {
        "json" => {
            let list = a.compare_agreements(&ids).await?;
            let data: Vec<&agreement::AgreementData> = list.iter().map(|x| &x.data).collect();
            let rows = agreement::comparison_rows(&data)
                .into_iter()
                .map(|(p, values)| ComparisonRowDto {
                    code: p.code.into(),
                    topic: p.topic.into(),
                    label: p.label.into(),
                    values,
                })
                .collect();
            Ok(Json(ComparisonDto {
                agreements: list.into_iter().map(AgreementDto::from).collect(),
                rows,
                citation: agreement::CITATION.into(),
            })
            .into_response())
        }
        "docx" => {
            let list = a.export_agreement_comparison(&ids, "docx").await?;
            let l = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(crate::i18n::Lang::from_accept_language)
                .unwrap_or_default();
            docx_response(l, &list)
        }
        other => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("format is invalid: '{other}'; use json or docx"),
        )),
    }
}

pub(crate) fn docx_response(
    l: crate::i18n::Lang,
    list: &[Agreement],
) -> Result<Response, ApiError> {
    let bytes = crate::docx::comparison(l, list).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            format!("cannot write the document: {e}"),
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, crate::docx::CONTENT_TYPE.to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"agreements-comparison.docx\"".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct PaxProblemDto {
    /// Row as numbered in the file's records (header = 1); 0 for a summary line.
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnmappedDto {
    pub name: String,
    pub agreements: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PaxReportDto {
    pub records: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// When not empty, nothing was written.
    pub problems: Vec<PaxProblemDto>,
    /// PA-X country names without an ISO 3166-1 code (kept as text).
    pub unmapped: Vec<UnmappedDto>,
}

impl From<PaxReport> for PaxReportDto {
    fn from(r: PaxReport) -> Self {
        PaxReportDto {
            records: r.records,
            inserted: r.inserted,
            updated: r.updated,
            unchanged: r.unchanged,
            problems: r
                .problems
                .into_iter()
                .map(|p| PaxProblemDto {
                    row: p.row,
                    column: p.column,
                    value: p.value,
                    message: p.message,
                })
                .collect(),
            unmapped: r
                .unmapped
                .into_iter()
                .map(|(name, agreements)| UnmappedDto { name, agreements })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportJobDto {
    pub id: String,
    /// running, done, failed, interrupted
    pub status: String,
    pub file_name: String,
    pub started_by: String,
    pub started_at: i64,
    pub updated_at: i64,
    pub rows_total: i64,
    pub rows_done: i64,
    pub report: Option<PaxReportDto>,
    pub error: Option<String>,
    /// Where to poll.
    pub status_url: String,
}

impl From<ImportJob> for ImportJobDto {
    fn from(j: ImportJob) -> Self {
        ImportJobDto {
            status_url: format!("/api/v1/agreements/imports/{}", j.id),
            id: j.id,
            status: j.status,
            file_name: j.file_name,
            started_by: j.started_by,
            started_at: j.started_at,
            updated_at: j.updated_at,
            rows_total: j.rows_total,
            rows_done: j.rows_done,
            report: j.report.map(PaxReportDto::from),
            error: j.error,
        }
    }
}

/// Import a PA-X CSV export (raw `text/csv` body, or multipart field `file`). The import runs as
/// a job: the answer (202) names it; poll `status_url` until `status` is done or failed. A file
/// with any bad row changes nothing; the report names each problem's row and column.
#[utoipa::path(post, path = "/api/v1/agreements/import", request_body(content = String, content_type = "text/csv"),
    responses((status = 202, body = ImportJobDto), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_agreements(
    Caller(a): Caller,
    req: axum::extract::Request,
) -> Result<(StatusCode, Json<ImportJobDto>), ApiError> {
    a.check(
        grotius_domain::Action::Create,
        grotius_domain::Resource::kind(grotius_domain::ResourceKind::Agreement),
    )
    .await?;
    let (name, bytes, _) = read_upload(req).await?;
    let id = a
        .start_agreement_import(name.as_deref().unwrap_or("upload.csv"), bytes)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(a.agreement_import_job(&id).await?.into()),
    ))
}

/// An import job: progress while it runs, the report when it is done.
#[utoipa::path(get, path = "/api/v1/agreements/imports/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ImportJobDto), (status = 404, body = ErrorBody)))]
async fn import_job(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<ImportJobDto>, ApiError> {
    Ok(Json(a.agreement_import_job(&id).await?.into()))
}
