//! Early warning API: a country's series of events and deaths (the contract
//! `GET /api/v1/events/series?country=ISO2&by=month[&from=YYYY-MM][&to=YYYY-MM]`) and the
//! countries with their escalation signals.

use crate::routes::{Routes, get};
use axum::Json;
use grotius_domain::early_warning::{DEFAULT_SIGNAL_PARAMS, GED_CITATION};
use grotius_store::{CountryTrends, EventSeries, SeriesBy, SeriesPoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/events/series", get(series))
        .route("/events/countries", get(countries));
}

#[derive(OpenApi)]
#[openapi(
    paths(series, countries),
    components(schemas(
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
    let t = a
        .country_trends(q.as_of.as_deref(), &DEFAULT_SIGNAL_PARAMS)
        .await?;
    Ok(Json(t.into()))
}
