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
use grotius_store::{
    CountryConflict, CountryConflicts, CountryTrends, EventSeries, SeriesBy, SeriesPoint,
    WaterConflict,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/events/series", get(series))
        .route("/events/areas", get(areas))
        .route("/events/countries", get(countries))
        .route("/countries/{iso}/conflicts", get(country_conflicts))
        .route("/alerts", get(list_alerts).post(create_alert))
        .route("/alerts/{id}", get(get_alert).put(update_alert));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        series,
        areas,
        countries,
        country_conflicts,
        list_alerts,
        create_alert,
        get_alert,
        update_alert
    ),
    components(schemas(
        CountryConflictsDto,
        ConflictDto,
        WaterConflictDto,
        AlertDto,
        AlertInputDto,
        AlertListDto,
        SeriesDto,
        SeriesPointDto,
        AreasDto,
        AreaDto,
        AreaPointDto,
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

#[derive(Deserialize, IntoParams)]
pub struct AreasQuery {
    /// ISO 3166-1 code (alpha-2, alpha-3 or numeric).
    pub country: String,
    /// First month, `YYYY-MM` (inclusive).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (inclusive).
    pub to: Option<String>,
}

/// One month of an admin-1 area's series.
#[derive(Serialize, ToSchema)]
pub struct AreaPointDto {
    /// `YYYY-MM`.
    pub period: String,
    pub events: i64,
    pub deaths_best: i64,
}

/// An admin-1 area: its events of organised violence over the period, their best deaths, its
/// first and last month with events, and its series by month (months without events absent).
#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    pub adm_1: String,
    pub events: i64,
    pub deaths_best: i64,
    pub first_month: String,
    pub last_month: String,
    pub series: Vec<AreaPointDto>,
}

/// A country's admin-1 areas, most deadly first, over the events the caller may read.
#[derive(Serialize, ToSchema)]
pub struct AreasDto {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub items: Vec<AreaDto>,
    pub source: String,
}

/// A country's admin-1 areas with their monthly series of organised violence (events and best
/// deaths), over the events the caller may read.
#[utoipa::path(get, path = "/api/v1/events/areas", params(AreasQuery),
    responses((status = 200, body = AreasDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn areas(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<AreasQuery>,
) -> Result<Json<AreasDto>, ApiError> {
    let list = a
        .country_areas(&q.country, q.from.as_deref(), q.to.as_deref())
        .await?;
    let country = grotius_domain::reference::country(q.country.trim())
        .map(|c| c.alpha2.clone())
        .unwrap_or_default();
    Ok(Json(AreasDto {
        country,
        from: q.from.filter(|v| !v.trim().is_empty()),
        to: q.to.filter(|v| !v.trim().is_empty()),
        items: list
            .into_iter()
            .map(|x| AreaDto {
                adm_1: x.adm_1,
                events: x.events,
                deaths_best: x.deaths_best,
                first_month: x.first_month,
                last_month: x.last_month,
                series: x
                    .series
                    .into_iter()
                    .map(|p| AreaPointDto {
                        period: p.period,
                        events: p.events,
                        deaths_best: p.deaths_best,
                    })
                    .collect(),
            })
            .collect(),
        source: GED_CITATION.to_string(),
    }))
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
    /// "Spread": admin-1 areas with events in the recent window and none in the baseline.
    pub new_areas: Vec<String>,
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

pub(crate) const METHOD: &str = "recent = events in the last recent_months months up to as_of; baseline = events in the baseline_months months before them; expected = baseline × recent_months / baseline_months. Escalation when recent > expected and P(X ≥ recent | X ~ Poisson(expected)) < alpha. New conflict when the recent window has events and the quiet_months months before it had none. Spread (new_areas): the admin-1 areas with events in the recent window and none in the baseline window.";

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
                    new_areas: c.new_areas,
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

/// A conflict (UCDP/PRIO Armed Conflict Dataset) or dyad (UCDP Dyadic Dataset) of a country,
/// over its years in the list.
#[derive(Serialize, ToSchema)]
pub struct ConflictDto {
    pub conflict_id: i64,
    /// Dyads only.
    pub dyad_id: Option<i64>,
    /// UCDP's `location` as written ("Iran, Iraq").
    pub location: String,
    pub side_a: String,
    /// Secondary supporters of side A (states), as UCDP writes them.
    pub side_a_2nd: String,
    pub side_b: String,
    pub side_b_2nd: String,
    /// 1 territory, 2 government, 3 both.
    pub incompatibility: i64,
    pub territory_name: String,
    /// Of the latest year: 1 extrasystemic, 2 interstate, 3 intrastate, 4 internationalised
    /// intrastate.
    pub type_of_conflict: i64,
    /// Of the latest year: 1 minor (25–999 battle-related deaths), 2 war (1,000 or more).
    pub intensity_level: i64,
    pub first_year: i64,
    pub last_year: i64,
    /// Years with a row (25 or more battle-related deaths).
    pub years_active: i64,
    /// Years at intensity 2.
    pub war_years: i64,
    pub start_date: String,
}

impl From<CountryConflict> for ConflictDto {
    fn from(c: CountryConflict) -> Self {
        ConflictDto {
            conflict_id: c.conflict_id,
            dyad_id: c.dyad_id,
            location: c.location,
            side_a: c.side_a,
            side_a_2nd: c.side_a_2nd,
            side_b: c.side_b,
            side_b_2nd: c.side_b_2nd,
            incompatibility: c.incompatibility,
            territory_name: c.territory_name,
            type_of_conflict: c.type_of_conflict,
            intensity_level: c.intensity_level,
            first_year: c.first_year,
            last_year: c.last_year,
            years_active: c.years_active,
            war_years: c.war_years,
            start_date: c.start_date,
        }
    }
}

/// An event of the Pacific Institute's Water Conflict Chronology.
#[derive(Serialize, ToSchema)]
pub struct WaterConflictDto {
    /// The date as the chronology writes it ("circa 1300 BC", "1990s").
    pub date: String,
    /// Years derived from `date` (before the common era negative); null when it fits no form.
    pub year_from: Option<i64>,
    /// Null for an open end ("1978 onwards") or no form.
    pub year_to: Option<i64>,
    pub approximate: bool,
    pub headline: String,
    pub conflict_type: String,
    /// The chronology's country column as written.
    pub country: String,
    pub region: String,
    pub description: String,
    pub sources: String,
}

impl From<WaterConflict> for WaterConflictDto {
    fn from(w: WaterConflict) -> Self {
        WaterConflictDto {
            date: w.date,
            year_from: w.year_from,
            year_to: w.year_to,
            approximate: w.approximate,
            headline: w.headline,
            conflict_type: w.conflict_type,
            country: w.country,
            region: w.region,
            description: w.description,
            sources: w.sources,
        }
    }
}

/// A country's armed conflicts from UCDP's lists (by `gwno_loc`) and its water conflicts.
#[derive(Serialize, ToSchema)]
pub struct CountryConflictsDto {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The latest year of each list: a conflict or dyad with a row in it is active.
    pub acd_latest_year: Option<i64>,
    pub dyadic_latest_year: Option<i64>,
    /// Wars first.
    pub active_conflicts: Vec<ConflictDto>,
    pub active_dyads: Vec<ConflictDto>,
    /// Most recent first.
    pub past_conflicts: Vec<ConflictDto>,
    /// Theme water: the chronology's events naming the country, most recent first.
    pub water: Vec<WaterConflictDto>,
    pub source: String,
    pub water_source: String,
}

#[utoipa::path(get, path = "/api/v1/countries/{iso}/conflicts", params(("iso" = String, Path, description = "ISO 3166-1 code")),
    responses((status = 200, body = CountryConflictsDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn country_conflicts(
    Caller(a): Caller,
    Path(iso): Path<String>,
) -> Result<Json<CountryConflictsDto>, ApiError> {
    let c: CountryConflicts = a.country_conflicts(&iso).await?;
    let water = a.country_water_conflicts(&iso).await?;
    Ok(Json(CountryConflictsDto {
        country: c.country,
        acd_latest_year: c.acd_latest_year,
        dyadic_latest_year: c.dyadic_latest_year,
        active_conflicts: c.active_conflicts.into_iter().map(Into::into).collect(),
        active_dyads: c.active_dyads.into_iter().map(Into::into).collect(),
        past_conflicts: c.past_conflicts.into_iter().map(Into::into).collect(),
        water: water.into_iter().map(Into::into).collect(),
        source: c.source,
        water_source: grotius_domain::water::WATER_CITATION.into(),
    }))
}
