//! Early warning API: a country's series of events and deaths (the contract
//! `GET /api/v1/events/series?country=ISO2&by=month[&from=YYYY-MM][&to=YYYY-MM]`) and the
//! countries with their escalation signals.

use crate::routes::{Routes, get};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::early_warning::GED_CITATION;
use grotius_domain::early_warning::{Alert, AlertInput};
use grotius_store::AlertFilter;
use grotius_store::{CountryTrends, EventSeries, SeriesBy, SeriesPoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/events/series", get(series))
        .route("/events/countries", get(countries))
        .route("/alerts", get(list_alerts).post(create_alert))
        .route("/alerts/{id}", get(get_alert).put(update_alert));
}

#[derive(OpenApi)]
#[openapi(
    paths(series, countries, list_alerts, create_alert, get_alert, update_alert),
    components(schemas(
        AlertDto,
        AlertInputDto,
        AlertListDto,
        SeriesDto,
        SeriesPointDto,
        CountryTrendsDto,
        CountryTrendDto,
        SignalParamsDto
    ))
)]
pub struct EarlyWarningApi;

/// One period of a country's series: events and deaths (UCDP's best, low and high estimates),
/// and events and best deaths per type of violence.
#[derive(Serialize, ToSchema)]
pub struct SeriesPointDto {
    /// `YYYY-MM` (by month: the month of `date_start`) or `YYYY` (by year).
    pub period: String,
    pub events: i64,
    pub deaths_best: i64,
    pub deaths_low: i64,
    pub deaths_high: i64,
    pub state_based_events: i64,
    pub state_based_deaths: i64,
    pub non_state_events: i64,
    pub non_state_deaths: i64,
    pub one_sided_events: i64,
    pub one_sided_deaths: i64,
}

impl From<SeriesPoint> for SeriesPointDto {
    fn from(p: SeriesPoint) -> Self {
        SeriesPointDto {
            period: p.period,
            events: p.events,
            deaths_best: p.deaths_best,
            deaths_low: p.deaths_low,
            deaths_high: p.deaths_high,
            state_based_events: p.state_based_events,
            state_based_deaths: p.state_based_deaths,
            non_state_events: p.non_state_events,
            non_state_deaths: p.non_state_deaths,
            one_sided_events: p.one_sided_events,
            one_sided_deaths: p.one_sided_deaths,
        }
    }
}

/// A country's series over every imported event the caller may see; periods without events
/// are absent.
#[derive(Serialize, ToSchema)]
pub struct SeriesDto {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub country_name: String,
    /// month or year
    pub by: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub series: Vec<SeriesPointDto>,
    pub total_events: i64,
    pub total_deaths_best: i64,
    pub source: String,
}

impl From<EventSeries> for SeriesDto {
    fn from(s: EventSeries) -> Self {
        SeriesDto {
            country: s.country,
            country_name: s.country_name,
            by: match s.by {
                SeriesBy::Month => "month",
                SeriesBy::Year => "year",
            }
            .into(),
            from: s.from,
            to: s.to,
            series: s.series.into_iter().map(SeriesPointDto::from).collect(),
            total_events: s.total_events,
            total_deaths_best: s.total_deaths_best,
            source: s.source,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SeriesQuery {
    /// ISO 3166-1 code (alpha-2, alpha-3 or numeric).
    pub country: String,
    /// month (default) or year.
    pub by: Option<String>,
    /// First month, `YYYY-MM` (inclusive).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (inclusive).
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/events/series", params(SeriesQuery),
    responses((status = 200, body = SeriesDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn series(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> Result<Json<SeriesDto>, ApiError> {
    let by = SeriesBy::parse(q.by.as_deref())?;
    let s = a
        .event_series(&q.country, by, q.from.as_deref(), q.to.as_deref())
        .await?;
    Ok(Json(s.into()))
}

/// The method's parameters.
#[derive(Serialize, ToSchema)]
pub struct SignalParamsDto {
    pub recent_months: i64,
    pub baseline_months: i64,
    pub alpha: f64,
    pub quiet_months: i64,
    /// The method in words.
    pub method: String,
}

/// A country with its totals and its signal at the reference month.
#[derive(Serialize, ToSchema)]
pub struct CountryTrendDto {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub events: i64,
    pub deaths_best: i64,
    pub first_month: String,
    pub last_month: String,
    /// escalation, new-conflict or none
    pub signal: String,
    /// Events in the recent window.
    pub recent: i64,
    /// Events in the baseline window.
    pub baseline: i64,
    /// Events the baseline rate predicts for the recent window.
    pub expected: f64,
    /// P(X ≥ recent) under Poisson(expected).
    pub p_value: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CountryTrendsDto {
    /// The reference month (the latest month with an event unless `as_of` was given).
    pub as_of: Option<String>,
    pub params: SignalParamsDto,
    pub countries: Vec<CountryTrendDto>,
    pub source: String,
}

pub(crate) const METHOD: &str = "recent = events in the last recent_months months up to as_of; baseline = events in the baseline_months months before them; expected = baseline × recent_months / baseline_months. Escalation when recent > expected and P(X ≥ recent | X ~ Poisson(expected)) < alpha. New conflict when the recent window has events and the quiet_months months before it had none.";

impl From<CountryTrends> for CountryTrendsDto {
    fn from(t: CountryTrends) -> Self {
        CountryTrendsDto {
            as_of: t.as_of,
            params: SignalParamsDto {
                recent_months: t.params.recent_months,
                baseline_months: t.params.baseline_months,
                alpha: t.params.alpha,
                quiet_months: t.params.quiet_months,
                method: METHOD.into(),
            },
            countries: t
                .countries
                .into_iter()
                .map(|c| CountryTrendDto {
                    country: c.country,
                    events: c.events,
                    deaths_best: c.deaths_best,
                    first_month: c.first_month,
                    last_month: c.last_month,
                    signal: c.signal.kind.as_str().into(),
                    recent: c.signal.recent,
                    baseline: c.signal.baseline,
                    expected: c.signal.expected,
                    p_value: c.signal.p_value,
                })
                .collect(),
            source: GED_CITATION.into(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CountriesQuery {
    /// Reference month `YYYY-MM` (default: the latest month with an event).
    pub as_of: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/events/countries", params(CountriesQuery),
    responses((status = 200, body = CountryTrendsDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn countries(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<CountriesQuery>,
) -> Result<Json<CountryTrendsDto>, ApiError> {
    let params = a.signal_params().await?;
    let t = a.country_trends(q.as_of.as_deref(), &params).await?;
    Ok(Json(t.into()))
}

/// An alert: a signal someone must follow up.
#[derive(Serialize, ToSchema)]
pub struct AlertDto {
    pub id: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// escalation, new-conflict or manual
    pub signal: String,
    /// The signal's reference month, `YYYY-MM`.
    pub as_of: String,
    pub title: String,
    pub assessment: String,
    pub recommendation: String,
    pub owner: String,
    /// `YYYY-MM-DD`
    pub deadline: String,
    /// open, assessed, action-taken or closed
    pub status: String,
    pub closed_reason: String,
    /// Deadline passed and no action taken yet.
    pub overdue: bool,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

fn alert_dto(a: Alert, overdue: bool) -> AlertDto {
    AlertDto {
        id: a.id,
        country: a.country,
        signal: a.signal,
        as_of: a.as_of,
        title: a.title,
        assessment: a.assessment,
        recommendation: a.recommendation,
        owner: a.owner_name,
        deadline: a.deadline,
        status: a.status.as_str().into(),
        closed_reason: a.closed_reason,
        overdue,
        classification: a.labels.classification.as_str().into(),
        compartment: a.labels.compartment.map(|c| c.as_str().to_string()),
        created_by: a.created_by,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// An alert as written: assessed needs the assessment, action-taken also the recommendation,
/// closed a reason; the owner must be able to read and update the alert.
#[derive(Deserialize, ToSchema)]
pub struct AlertInputDto {
    pub country: String,
    pub signal: String,
    pub as_of: String,
    pub title: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub recommendation: String,
    /// Username of the owner.
    pub owner: String,
    pub deadline: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub closed_reason: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<AlertInputDto> for AlertInput {
    fn from(d: AlertInputDto) -> Self {
        AlertInput {
            country: d.country,
            signal: d.signal,
            as_of: d.as_of,
            title: d.title,
            assessment: d.assessment,
            recommendation: d.recommendation,
            owner: d.owner,
            deadline: d.deadline,
            status: d.status,
            closed_reason: d.closed_reason,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AlertListDto {
    pub items: Vec<AlertDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct AlertQuery {
    pub country: Option<String>,
    pub status: Option<String>,
    /// Only overdue alerts.
    #[serde(default)]
    pub overdue: bool,
    /// Only the caller's.
    #[serde(default)]
    pub mine: bool,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/alerts", params(AlertQuery),
    responses((status = 200, body = AlertListDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_alerts(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> Result<Json<AlertListDto>, ApiError> {
    let f = AlertFilter {
        country: q.country,
        status: q.status,
        overdue: q.overdue,
        mine: q.mine,
    };
    let p = a
        .list_alerts(&f, q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(AlertListDto {
        items: p
            .items
            .into_iter()
            .map(|x| {
                let overdue = a.alert_overdue(&x);
                alert_dto(x, overdue)
            })
            .collect(),
        total: p.total,
        limit: p.limit,
        offset: p.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/alerts", request_body = AlertInputDto,
    responses((status = 201, body = AlertDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_alert(
    Caller(a): Caller,
    ApiJson(d): ApiJson<AlertInputDto>,
) -> Result<(StatusCode, Json<AlertDto>), ApiError> {
    let x = a.create_alert(&d.into()).await?;
    let overdue = a.alert_overdue(&x);
    Ok((StatusCode::CREATED, Json(alert_dto(x, overdue))))
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}", params(("id" = String, Path)),
    responses((status = 200, body = AlertDto), (status = 404, body = ErrorBody)))]
async fn get_alert(Caller(a): Caller, Path(id): Path<String>) -> Result<Json<AlertDto>, ApiError> {
    let x = a.get_alert(&id).await?;
    let overdue = a.alert_overdue(&x);
    Ok(Json(alert_dto(x, overdue)))
}

#[utoipa::path(put, path = "/api/v1/alerts/{id}", params(("id" = String, Path)), request_body = AlertInputDto,
    responses((status = 200, body = AlertDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_alert(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<AlertInputDto>,
) -> Result<Json<AlertDto>, ApiError> {
    let x = a.update_alert(&id, &d.into()).await?;
    let overdue = a.alert_overdue(&x);
    Ok(Json(alert_dto(x, overdue)))
}
