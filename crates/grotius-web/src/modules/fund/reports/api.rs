//! The fund's reports API: money by country, region, theme, track, partner, instrument and
//! year; the dashboard; the annual overview for Parliament (full or public); CSV/XLSX export;
//! IATI 2.03 XML. Amounts are euro cents.

use crate::routes::{Routes, get};
use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use grotius_store::{
    BudgetUse, ConfidentialLine, DecisionTime, FundDashboard, FundReport, FundReportFilter,
    ParliamentOverview, ReportRow, SupportedProcess, TableFormat, TrackTimes,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/fund/reports", get(report))
        .route("/fund/reports/export", get(export))
        .route("/fund/reports/parliament", get(parliament))
        .route("/fund/dashboard", get(dashboard))
        .route("/fund/iati", get(iati));
}

#[derive(OpenApi)]
#[openapi(
    paths(report, export, parliament, dashboard, iati),
    components(schemas(
        ReportRowDto,
        CeilingUseDto,
        BudgetUseDto,
        TrackTimesDto,
        DecisionTimeDto,
        FundReportDto,
        FundDashboardDto,
        StateCountDto,
        ConfidentialLineDto,
        SupportedProcessDto,
        ParliamentDto
    ))
)]
pub struct FundReportsApi;

/// How the figures are made (repeated in every report).
pub const METHOD: &str = "Amounts in euro cents at the exchange rates recorded in the ledger. committed = commitments and amendments net of de-commitments; disbursed = paid out (gross); refunded = paid back; outstanding = committed and not yet paid. A grant in several countries or themes is divided equally among them (whole cents), so each breakdown adds up to the total; 'grants' counts a grant in each of its groups. Only grants (approved or closed applications) you may read; budgets are the instruments' own figures. Decision time = working days (Monday-Friday) from submission to decision; benchmark: the UN Peacebuilding Fund's Immediate Response Facility, 'within three weeks' (15 working days).";

#[derive(Serialize, ToSchema)]
pub struct ReportRowDto {
    pub key: String,
    pub label: String,
    pub grants: i64,
    pub committed: i64,
    pub disbursed: i64,
    pub refunded: i64,
    pub outstanding: i64,
}

impl From<&ReportRow> for ReportRowDto {
    fn from(r: &ReportRow) -> Self {
        ReportRowDto {
            key: r.key.clone(),
            label: r.label.clone(),
            grants: r.grants,
            committed: r.committed,
            disbursed: r.disbursed,
            refunded: r.refunded,
            outstanding: r.outstanding,
        }
    }
}

fn rows(v: &[ReportRow]) -> Vec<ReportRowDto> {
    v.iter().map(ReportRowDto::from).collect()
}

#[derive(Serialize, ToSchema)]
pub struct CeilingUseDto {
    /// country or theme
    pub scope: String,
    pub key: String,
    pub limit: i64,
    pub used: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BudgetUseDto {
    pub instrument_id: String,
    pub instrument_code: String,
    pub year: i32,
    pub budget: i64,
    pub used: i64,
    pub available: i64,
    pub ceilings: Vec<CeilingUseDto>,
}

impl From<&BudgetUse> for BudgetUseDto {
    fn from(b: &BudgetUse) -> Self {
        BudgetUseDto {
            instrument_id: b.instrument_id.clone(),
            instrument_code: b.instrument_code.clone(),
            year: b.year,
            budget: b.budget,
            used: b.used,
            available: b.available,
            ceilings: b
                .ceilings
                .iter()
                .map(|(scope, key, limit, used)| CeilingUseDto {
                    scope: scope.clone(),
                    key: key.clone(),
                    limit: *limit,
                    used: *used,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TrackTimesDto {
    /// fast or standard
    pub track: String,
    pub decided: i64,
    pub median_days: Option<f64>,
    pub within_target: i64,
    /// Percent, one decimal.
    pub share_within_target: Option<f64>,
    pub within_benchmark: i64,
    pub target_min: i64,
    pub target_max: i64,
    pub open: i64,
    pub open_overdue: i64,
}

impl From<&TrackTimes> for TrackTimesDto {
    fn from(t: &TrackTimes) -> Self {
        TrackTimesDto {
            track: t.track.clone(),
            decided: t.decided,
            median_days: t.median_days,
            within_target: t.within_target,
            share_within_target: t.share_within_target,
            within_benchmark: t.within_benchmark,
            target_min: t.target_min,
            target_max: t.target_max,
            open: t.open,
            open_overdue: t.open_overdue,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DecisionTimeDto {
    pub application_id: String,
    pub reference: String,
    pub title: String,
    pub partner: String,
    pub instrument_code: String,
    pub track: String,
    pub state: String,
    /// Working days from submission to decision (or to now while open).
    pub days: i64,
    pub target: i64,
    pub decided: bool,
    pub classification: String,
}

impl From<&DecisionTime> for DecisionTimeDto {
    fn from(d: &DecisionTime) -> Self {
        DecisionTimeDto {
            application_id: d.application_id.clone(),
            reference: d.reference.clone(),
            title: d.title.clone(),
            partner: d.partner.clone(),
            instrument_code: d.instrument_code.clone(),
            track: d.track.clone(),
            state: d.state.clone(),
            days: d.days,
            target: d.target,
            decided: d.decided,
            classification: d.labels.classification.as_str().into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FundReportDto {
    pub method: String,
    pub year: Option<i32>,
    pub instrument: Option<String>,
    pub applications: i64,
    pub total: ReportRowDto,
    pub by_country: Vec<ReportRowDto>,
    /// UN M49 sub-region (intermediate region where there is one).
    pub by_region: Vec<ReportRowDto>,
    pub by_theme: Vec<ReportRowDto>,
    pub by_track: Vec<ReportRowDto>,
    pub by_partner: Vec<ReportRowDto>,
    pub by_instrument: Vec<ReportRowDto>,
    pub by_year: Vec<ReportRowDto>,
    pub budgets: Vec<BudgetUseDto>,
    pub decisions: Vec<TrackTimesDto>,
    pub decision_times: Vec<DecisionTimeDto>,
    pub benchmark_days: i64,
}

impl From<&FundReport> for FundReportDto {
    fn from(r: &FundReport) -> Self {
        FundReportDto {
            method: METHOD.into(),
            year: r.filter.year,
            instrument: r.filter.instrument.clone(),
            applications: r.applications,
            total: (&r.total).into(),
            by_country: rows(&r.by_country),
            by_region: rows(&r.by_region),
            by_theme: rows(&r.by_theme),
            by_track: rows(&r.by_track),
            by_partner: rows(&r.by_partner),
            by_instrument: rows(&r.by_instrument),
            by_year: rows(&r.by_year),
            budgets: r.budgets.iter().map(BudgetUseDto::from).collect(),
            decisions: r.decisions.iter().map(TrackTimesDto::from).collect(),
            decision_times: r.decision_times.iter().map(DecisionTimeDto::from).collect(),
            benchmark_days: r.benchmark_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StateCountDto {
    pub state: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FundDashboardDto {
    pub decisions: Vec<TrackTimesDto>,
    pub benchmark_days: i64,
    /// Open applications, longest waiting first.
    pub open: Vec<DecisionTimeDto>,
    pub states: Vec<StateCountDto>,
    pub budgets: Vec<BudgetUseDto>,
}

impl From<&FundDashboard> for FundDashboardDto {
    fn from(d: &FundDashboard) -> Self {
        FundDashboardDto {
            decisions: d.decisions.iter().map(TrackTimesDto::from).collect(),
            benchmark_days: d.benchmark_days,
            open: d.open.iter().map(DecisionTimeDto::from).collect(),
            states: d
                .states
                .iter()
                .map(|(s, n)| StateCountDto {
                    state: s.clone(),
                    count: *n,
                })
                .collect(),
            budgets: d.budgets.iter().map(BudgetUseDto::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConfidentialLineDto {
    /// UN M49 sub-region or region; empty: elsewhere (small cells merged).
    pub region: String,
    pub processes: i64,
    pub grants: i64,
    /// Rounded to EUR 100,000.
    pub committed_rounded: i64,
}

impl From<&ConfidentialLine> for ConfidentialLineDto {
    fn from(c: &ConfidentialLine) -> Self {
        ConfidentialLineDto {
            region: c.region.clone(),
            processes: c.processes,
            grants: c.grants,
            committed_rounded: c.committed_rounded,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SupportedProcessDto {
    pub id: String,
    pub name: String,
    pub countries: Vec<String>,
    pub grants: i64,
    pub committed: i64,
    pub classification: String,
}

impl From<&SupportedProcess> for SupportedProcessDto {
    fn from(p: &SupportedProcess) -> Self {
        SupportedProcessDto {
            id: p.id.clone(),
            name: p.name.clone(),
            countries: p.countries.clone(),
            grants: p.grants,
            committed: p.committed,
            classification: p.labels.classification.as_str().into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParliamentDto {
    pub year: i32,
    /// The public version: grants linked to confidential (or higher, or compartmented)
    /// processes only as rounded totals per UN M49 region.
    pub public: bool,
    pub full_allowed: bool,
    pub total: ReportRowDto,
    pub by_country: Vec<ReportRowDto>,
    pub by_region: Vec<ReportRowDto>,
    pub by_theme: Vec<ReportRowDto>,
    pub by_instrument: Vec<ReportRowDto>,
    pub processes: Vec<SupportedProcessDto>,
    pub grants_without_process: i64,
    pub decisions: Vec<TrackTimesDto>,
    pub benchmark_days: i64,
    /// Public version: every line holds at least three grants.
    pub confidential: Vec<ConfidentialLineDto>,
    /// Public version: the sum of `confidential` (0 without sensitive grants); null in the full
    /// version and when the sensitive grants are too few to publish an amount.
    pub confidential_total: Option<i64>,
    pub confidential_grants: i64,
}

impl From<&ParliamentOverview> for ParliamentDto {
    fn from(p: &ParliamentOverview) -> Self {
        ParliamentDto {
            year: p.year,
            public: p.public,
            full_allowed: p.full_allowed,
            total: (&p.total).into(),
            by_country: rows(&p.by_country),
            by_region: rows(&p.by_region),
            by_theme: rows(&p.by_theme),
            by_instrument: rows(&p.by_instrument),
            processes: p.processes.iter().map(SupportedProcessDto::from).collect(),
            grants_without_process: p.grants_without_process,
            decisions: p.decisions.iter().map(TrackTimesDto::from).collect(),
            benchmark_days: p.benchmark_days,
            confidential: p
                .confidential
                .iter()
                .map(ConfidentialLineDto::from)
                .collect(),
            confidential_total: p.confidential_total,
            confidential_grants: p.confidential_grants,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    /// Fiscal year.
    pub year: Option<i32>,
    /// Instrument id or code.
    pub instrument: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct ReportExportQuery {
    /// csv (default) or xlsx
    pub format: Option<String>,
    pub year: Option<i32>,
    pub instrument: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// Fiscal year (default: all).
    pub year: Option<i32>,
}

#[derive(Deserialize, IntoParams)]
pub struct ParliamentQuery {
    /// Fiscal year (default: the current year).
    pub year: Option<i32>,
    /// 1 or true: the public version, even for those who may see the full one.
    pub public: Option<String>,
}

/// Whether a query flag is set (`1`, `true`, `yes`, `on`).
pub fn flag(v: Option<&str>) -> bool {
    matches!(
        v.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

/// The current calendar year (UTC).
pub fn this_year() -> i32 {
    grotius_domain::roster::year_of_micros(grotius_security::now_micros())
}

/// Money of the fund's grants you may read, by country, region, theme, track, partner,
/// instrument and year, with budgets and decision times.
#[utoipa::path(get, path = "/api/v1/fund/reports", params(ReportQuery),
    responses((status = 200, body = FundReportDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<FundReportDto>, ApiError> {
    let r = a
        .fund_report(&FundReportFilter {
            year: q.year,
            instrument: q.instrument,
        })
        .await?;
    Ok(Json((&r).into()))
}

/// The report as one long table (dimension, key, label, grants, amounts in EUR), CSV or XLSX
/// (audited).
#[utoipa::path(get, path = "/api/v1/fund/reports/export", params(ReportExportQuery),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ReportExportQuery>,
) -> Result<Response, ApiError> {
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("csv"))?;
    let bytes = a
        .export_fund_report(
            &FundReportFilter {
                year: q.year,
                instrument: q.instrument,
            },
            format,
        )
        .await?;
    Ok(crate::modules::participation::api::download(
        bytes,
        format,
        "fund-report",
    ))
}

/// The annual overview for Parliament: the full version for those who may read every grant of
/// the year and its processes, otherwise (or with `public=1`) the public version.
#[utoipa::path(get, path = "/api/v1/fund/reports/parliament", params(ParliamentQuery),
    responses((status = 200, body = ParliamentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn parliament(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ParliamentQuery>,
) -> Result<Json<ParliamentDto>, ApiError> {
    let p = a
        .fund_parliament(q.year.unwrap_or_else(this_year), flag(q.public.as_deref()))
        .await?;
    Ok(Json((&p).into()))
}

/// The fund dashboard: decision times against the targets, open applications, budget use per
/// instrument-year.
#[utoipa::path(get, path = "/api/v1/fund/dashboard", params(DashboardQuery),
    responses((status = 200, body = FundDashboardDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn dashboard(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Json<FundDashboardDto>, ApiError> {
    let d = a.fund_dashboard(q.year).await?;
    Ok(Json((&d).into()))
}

/// IATI 2.03 activity XML of the approved and closed grants, without those excluded from
/// publication or linked to confidential processes (audited).
#[utoipa::path(get, path = "/api/v1/fund/iati",
    responses((status = 200, content_type = "application/xml"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn iati(Caller(a): Caller) -> Result<Response, ApiError> {
    let x = a.export_iati(&mut |_, _| {}).await?;
    Ok(xml_download(x.xml))
}

/// An XML file download.
pub fn xml_download(xml: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"iati-activities.xml\"",
            ),
        ],
        xml,
    )
        .into_response()
}
