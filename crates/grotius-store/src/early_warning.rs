//! Early warning: conflict events (UCDP GED) — an idempotent import keyed by GED's own event id
//! (unchanged events, by the SHA-256 of their fields, are not written; events of the file's
//! countries that the file no longer holds are removed), import jobs any app node can read,
//! the country-month series and the escalation signals, all computed in SQL under the reader's
//! visibility filter — over the derived buckets of `event_buckets`, which every import batch
//! updates in its own transaction.
//!
//! Events are public reference data that no search index or cache follows, so they are not put
//! on the change feed; every import batch is audited with the GED ids it added, changed and
//! removed.

use std::collections::{BTreeMap, HashMap, HashSet};

use grotius_domain::early_warning::{
    self, DEFAULT_SIGNAL_PARAMS, EventProblem, GedFormat, GedRow, Month, Signal, SignalParams,
};
use grotius_domain::ucdp::UcdpDataset;
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::values_list;
use crate::db::{Bind, Where};
use crate::event_buckets::{BucketDeltas, EventFacts, stored_facts};
use crate::job::{JobOutcome, JobTable, shown_status};
use crate::roster::{TableFormat, write_table};
use crate::{Access, Result, StoreError, new_id};

/// Events written per transaction during an import (progress is reported between them): a
/// twentieth of the work, at least 500 and at most 5,000, so a small file still shows progress
/// and a million events take 200 commits rather than 2,000.
fn batch_size(total: usize) -> usize {
    (total / 20).clamp(500, 5000)
}

/// New events per INSERT statement (38 parameters each: well under SQLite's 32,766 and
/// PostgreSQL's 65,535).
const INSERT_ROWS: usize = 200;

type EventQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds an event's fields from `source_id` to `source_hash` (32 parameters), in the order of
/// the `conflict_events` columns the importer writes.
fn bind_event_fields<'q>(
    q: EventQuery<'q>,
    e: &early_warning::ConflictEvent,
    hash: &str,
) -> EventQuery<'q> {
    q.bind(e.source_id.clone())
        .bind(e.country.clone())
        .bind(e.country_name.clone())
        .bind(e.gwno)
        .bind(e.region.clone())
        .bind(e.year)
        .bind(e.month().to_string())
        .bind(e.date_start.clone())
        .bind(e.date_end.clone())
        .bind(e.date_prec)
        .bind(e.violence.map_or(0, early_warning::ViolenceType::code))
        .bind(e.conflict_id)
        .bind(e.conflict_name.clone())
        .bind(e.dyad_id)
        .bind(e.dyad_name.clone())
        .bind(e.side_a.clone())
        .bind(e.side_b.clone())
        .bind(e.where_prec)
        .bind(e.where_description.clone())
        .bind(e.adm_1.clone())
        .bind(e.adm_2.clone())
        .bind(e.lat_micro)
        .bind(e.lon_micro)
        .bind(e.priogrid_gid)
        .bind(e.deaths_a)
        .bind(e.deaths_b)
        .bind(e.deaths_civilians)
        .bind(e.deaths_unknown)
        .bind(e.best)
        .bind(e.low)
        .bind(e.high)
        .bind(hash.to_string())
}

/// What a GED import did. Nothing is written when `problems` is not empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventImportReport {
    pub format: GedFormat,
    /// Records of the file (CSV rows after the header, or GeoJSON features).
    pub records: usize,
    pub added: usize,
    pub changed: usize,
    /// Stored events of the file's countries that the file no longer holds (deleted).
    pub removed: usize,
    pub unchanged: usize,
    pub problems: Vec<EventProblem>,
    /// Problems beyond those listed.
    pub omitted: usize,
    /// GED country names without an ISO 3166-1 code, with their number of events (imported,
    /// but in no country's series).
    pub unmapped: Vec<(String, usize)>,
    /// Water chronology: rows whose free-text date fits no known form (kept, without years):
    /// (row, date as written).
    #[serde(default)]
    pub undated: Vec<(usize, String)>,
}

impl EventImportReport {
    /// Whether the file was accepted (possibly with nothing to change).
    pub fn committed(&self) -> bool {
        self.problems.is_empty() && self.omitted == 0
    }
}

/// What an event import job reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventImportKind {
    /// UCDP GED, CSV or GeoJSON.
    Ged,
    /// ACLED's CSV export.
    Acled,
    /// The UCDP/PRIO Armed Conflict Dataset.
    UcdpAcd,
    /// The UCDP Dyadic Dataset.
    UcdpDyadic,
    /// The Pacific Institute's Water Conflict Chronology.
    Water,
}

impl EventImportKind {
    pub const ALL: [EventImportKind; 5] = [
        EventImportKind::Ged,
        EventImportKind::Acled,
        EventImportKind::UcdpAcd,
        EventImportKind::UcdpDyadic,
        EventImportKind::Water,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventImportKind::Ged => "ged",
            EventImportKind::Acled => "acled",
            EventImportKind::UcdpAcd => "ucdp-acd",
            EventImportKind::UcdpDyadic => "ucdp-dyadic",
            EventImportKind::Water => "water",
        }
    }

    /// The kind named in a form or query (`ged` when none is named).
    pub fn parse(v: Option<&str>) -> Result<EventImportKind> {
        let v = v.map(str::trim).filter(|v| !v.is_empty()).unwrap_or("ged");
        EventImportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == v)
            .ok_or_else(|| {
                StoreError::invalid(
                    "kind",
                    format!(
                        "'{v}' is not an event import; expected ged, acled, ucdp-acd, ucdp-dyadic or water"
                    ),
                )
            })
    }
}

/// An event import started from the web, as any app node sees it.
#[derive(Debug, Clone, Serialize)]
pub struct EventImportJob {
    pub id: String,
    /// What the job reads: ged, acled, ucdp-acd, ucdp-dyadic or water.
    pub kind: String,
    /// running, done, failed or interrupted (running but not heard from for ten minutes).
    pub status: String,
    pub file_name: String,
    pub started_by: String,
    pub started_at: i64,
    pub updated_at: i64,
    pub rows_total: i64,
    pub rows_done: i64,
    pub report: Option<EventImportReport>,
    pub error: Option<String>,
}

/// Grouping of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeriesBy {
    Month,
    Year,
}

impl SeriesBy {
    pub fn parse(v: Option<&str>) -> Result<SeriesBy> {
        match v.map(str::trim).unwrap_or("month") {
            "" | "month" => Ok(SeriesBy::Month),
            "year" => Ok(SeriesBy::Year),
            other => Err(StoreError::invalid(
                "by",
                format!("'{other}' is not a grouping; expected month or year"),
            )),
        }
    }
}

/// The file a series is downloaded as: CSV, XLSX, or CSV with a second row of HXL hashtags
/// (the Humanitarian Exchange Language, so OCHA's tools read the columns without mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesFormat {
    Csv,
    Xlsx,
    Hxl,
}

impl SeriesFormat {
    pub fn parse(v: Option<&str>) -> Result<SeriesFormat> {
        match v.map(str::trim).unwrap_or("csv") {
            "" | "csv" => Ok(SeriesFormat::Csv),
            "xlsx" => Ok(SeriesFormat::Xlsx),
            "hxl" => Ok(SeriesFormat::Hxl),
            other => Err(StoreError::invalid(
                "format",
                format!("'{other}' is not a download format; expected csv, xlsx or hxl"),
            )),
        }
    }
}

/// The columns of a downloaded series: header and HXL hashtag.
const SERIES_COLUMNS: [(&str, &str); 12] = [
    ("country", "#country+code"),
    ("period", "#date"),
    ("events", "#event+num"),
    ("deaths_best", "#affected+killed+best"),
    ("deaths_low", "#affected+killed+low"),
    ("deaths_high", "#affected+killed+high"),
    ("state_based_events", "#event+num+state_based"),
    ("state_based_deaths", "#affected+killed+state_based"),
    ("non_state_events", "#event+num+non_state"),
    ("non_state_deaths", "#affected+killed+non_state"),
    ("one_sided_events", "#event+num+one_sided"),
    ("one_sided_deaths", "#affected+killed+one_sided"),
];

/// One period of a country's series: events and deaths (GED's best, low and high estimates),
/// and events and best deaths per type of violence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// `YYYY-MM` (by month) or `YYYY` (by year).
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

/// A country's series over every event the reader may see (months or years without events are
/// absent), with the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSeries {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub country_name: String,
    pub by: SeriesBy,
    pub from: Option<String>,
    pub to: Option<String>,
    pub series: Vec<SeriesPoint>,
    pub total_events: i64,
    pub total_deaths_best: i64,
    pub source: String,
}

/// A country with events, its totals and its escalation signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryTrend {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub events: i64,
    pub deaths_best: i64,
    pub first_month: String,
    pub last_month: String,
    pub signal: Signal,
    /// "Spread": admin-1 areas with events in the recent window and none in the baseline.
    pub new_areas: Vec<String>,
}

/// Every country with events the reader may see, with the signals at one reference month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryTrends {
    /// The reference month: the latest month with an event, unless asked for another.
    pub as_of: Option<String>,
    pub params: SignalParams,
    /// Escalations first (smallest p), then new conflicts, then by recent events.
    pub countries: Vec<CountryTrend>,
}

/// Events of a country grouped on a 0.1° grid (for the map).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventCell {
    pub lat_micro: i64,
    pub lon_micro: i64,
    pub events: i64,
    pub deaths_best: i64,
}

/// A dyad active in a country over a period: its conflict, type of violence, events, best deaths
/// and first and last month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DyadActivity {
    pub conflict_name: String,
    pub dyad_name: String,
    /// GED's type_of_violence (1 state-based, 2 non-state, 3 one-sided).
    pub violence: i64,
    pub events: i64,
    pub deaths_best: i64,
    pub first_month: String,
    pub last_month: String,
}

/// An admin-1 area of a country over a period: its events of organised violence and their best
/// deaths, first and last month, and its series by month (months without events absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaActivity {
    pub adm_1: String,
    pub events: i64,
    pub deaths_best: i64,
    pub first_month: String,
    pub last_month: String,
    pub series: Vec<AreaPoint>,
}

/// One month of an admin-1 area's series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaPoint {
    pub period: String,
    pub events: i64,
    pub deaths_best: i64,
}

fn period_bounds(from: Option<&str>, to: Option<&str>) -> Result<(Option<String>, Option<String>)> {
    let check = |field: &'static str, v: Option<&str>| -> Result<Option<String>> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Month::parse(v)
                .map(|m| Some(m.to_string()))
                .ok_or_else(|| StoreError::invalid(field, format!("'{v}' is not a month YYYY-MM"))),
        }
    };
    let (from, to) = (check("from", from)?, check("to", to)?);
    if let (Some(a), Some(b)) = (&from, &to)
        && a > b
    {
        return Err(StoreError::invalid(
            "to",
            format!("the period ends ({b}) before it starts ({a})"),
        ));
    }
    Ok((from, to))
}

pub(crate) fn country_code(country: &str) -> Result<&'static grotius_domain::reference::Country> {
    let c = country.trim();
    if c.is_empty() {
        return Err(StoreError::invalid(
            "country",
            "name a country by its ISO 3166-1 code",
        ));
    }
    grotius_domain::reference::country(c).ok_or_else(|| {
        StoreError::invalid(
            "country",
            format!("'{c}' is not an ISO 3166-1 country code"),
        )
    })
}

impl Access {
    async fn may_read_events(&self) -> Result<()> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await
    }

    /// The filter of a country's events the reader may see within `from`..=`to` (`YYYY-MM`),
    /// after the read check; with the country and the checked bounds.
    async fn country_events(
        &self,
        country: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(
        &'static grotius_domain::reference::Country,
        Option<String>,
        Option<String>,
        Where,
    )> {
        self.may_read_events().await?;
        let c = country_code(country)?;
        let (from, to) = period_bounds(from, to)?;
        let mut f = Where::default();
        f.visibility(self, "");
        f.push("country = ?", Bind::Text(c.alpha2.clone()));
        if let Some(m) = &from {
            f.push("month >= ?", Bind::Text(m.clone()));
        }
        if let Some(m) = &to {
            f.push("month <= ?", Bind::Text(m.clone()));
        }
        Ok((c, from, to, f))
    }

    /// A country's series of events and deaths by month (of `date_start`) or year, over every
    /// event the reader may see; `from`/`to` (`YYYY-MM`, inclusive) bound it.
    pub async fn event_series(
        &self,
        country: &str,
        by: SeriesBy,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<EventSeries> {
        let (c, from, to, f) = self.country_events(country, from, to).await?;
        let period = match by {
            SeriesBy::Month => "month",
            SeriesBy::Year => "substr(month, 1, 4)",
        };
        // Buckets of country × month × type of violence (see `event_buckets`).
        let sum = |e: &str| format!("CAST(COALESCE(SUM({e}), 0) AS BIGINT)");
        let by_type = |code: i64, name: &str| {
            format!(
                "{} AS {name}_events, {} AS {name}_deaths",
                sum(&format!(
                    "CASE WHEN violence = {code} THEN events ELSE 0 END"
                )),
                sum(&format!(
                    "CASE WHEN violence = {code} THEN deaths_best ELSE 0 END"
                ))
            )
        };
        let rows = f
            .query(format!(
                "SELECT {period} AS period, {} AS events, {} AS deaths_best, {} AS deaths_low,
                        {} AS deaths_high, {}, {}, {}
                 FROM conflict_event_months{} GROUP BY {period} ORDER BY {period}",
                sum("events"),
                sum("deaths_best"),
                sum("deaths_low"),
                sum("deaths_high"),
                by_type(1, "state_based"),
                by_type(2, "non_state"),
                by_type(3, "one_sided"),
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let series = rows
            .iter()
            .map(|r| {
                Ok(SeriesPoint {
                    period: r.try_get("period")?,
                    events: r.try_get("events")?,
                    deaths_best: r.try_get("deaths_best")?,
                    deaths_low: r.try_get("deaths_low")?,
                    deaths_high: r.try_get("deaths_high")?,
                    state_based_events: r.try_get("state_based_events")?,
                    state_based_deaths: r.try_get("state_based_deaths")?,
                    non_state_events: r.try_get("non_state_events")?,
                    non_state_deaths: r.try_get("non_state_deaths")?,
                    one_sided_events: r.try_get("one_sided_events")?,
                    one_sided_deaths: r.try_get("one_sided_deaths")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(EventSeries {
            country: c.alpha2.clone(),
            country_name: c.name.clone(),
            by,
            from,
            to,
            total_events: series.iter().map(|p| p.events).sum(),
            total_deaths_best: series.iter().map(|p| p.deaths_best).sum(),
            series,
            source: early_warning::GED_CITATION.to_string(),
        })
    }

    /// A country's series as a file to download (see [`SeriesFormat`]), over the events the reader
    /// may see; needs the export right and is audited as `conflict-event.export`.
    pub async fn export_event_series(
        &self,
        country: &str,
        by: SeriesBy,
        from: Option<&str>,
        to: Option<&str>,
        format: SeriesFormat,
    ) -> Result<Vec<u8>> {
        self.authorize(
            Action::Export,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let s = self.event_series(country, by, from, to).await?;
        let mut rows: Vec<Vec<String>> = vec![SERIES_COLUMNS.iter().map(|c| c.0.into()).collect()];
        if format == SeriesFormat::Hxl {
            rows.push(SERIES_COLUMNS.iter().map(|c| c.1.into()).collect());
        }
        for p in &s.series {
            rows.push(vec![
                s.country.clone(),
                p.period.clone(),
                p.events.to_string(),
                p.deaths_best.to_string(),
                p.deaths_low.to_string(),
                p.deaths_high.to_string(),
                p.state_based_events.to_string(),
                p.state_based_deaths.to_string(),
                p.non_state_events.to_string(),
                p.non_state_deaths.to_string(),
                p.one_sided_events.to_string(),
                p.one_sided_deaths.to_string(),
            ]);
        }
        let table = match format {
            SeriesFormat::Xlsx => TableFormat::Xlsx,
            SeriesFormat::Csv | SeriesFormat::Hxl => TableFormat::Csv,
        };
        let bytes = write_table(&rows, table, "Series")?;
        let detail = serde_json::json!({
            "by": by, "from": s.from, "to": s.to, "periods": s.series.len(),
            "format": format!("{format:?}").to_lowercase(),
        })
        .to_string();
        self.audit_now(
            "conflict-event.export",
            "conflict-event",
            &s.country,
            "ok",
            &detail,
        )
        .await?;
        Ok(bytes)
    }

    /// Every country with events the reader may see, with totals and the escalation signal at
    /// `as_of` (default: the latest month with an event the reader may see).
    pub async fn country_trends(
        &self,
        as_of: Option<&str>,
        params: &SignalParams,
    ) -> Result<CountryTrends> {
        self.trends_of(as_of, params, None).await
    }

    /// One country's trend as [`Access::country_trends`] has it (the same reference month: the
    /// latest with an event the reader may see in any country), without computing the others';
    /// `countries` holds that one country, or nothing when the reader sees none of its events.
    pub async fn country_trend(
        &self,
        country: &str,
        params: &SignalParams,
    ) -> Result<CountryTrends> {
        let c = country_code(country)?;
        self.trends_of(None, params, Some(&c.alpha2)).await
    }

    async fn trends_of(
        &self,
        as_of: Option<&str>,
        params: &SignalParams,
        only: Option<&str>,
    ) -> Result<CountryTrends> {
        self.may_read_events().await?;
        let as_of = match as_of.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Some(Month::parse(v).ok_or_else(|| {
                StoreError::invalid("as_of", format!("'{v}' is not a month YYYY-MM"))
            })?),
            None => None,
        };
        // Per country: totals and first and last month (signals count organised violence only,
        // not ACLED's protests, riots and developments).
        let mut f = Where::default();
        f.visibility(self, "");
        f.clause("violence > 0".into());
        if let Some(c) = only {
            f.push("country = ?", Bind::Text(c.to_string()));
        }
        let totals = f
            .query(format!(
                "SELECT country, CAST(SUM(events) AS BIGINT) AS events,
                        CAST(SUM(deaths_best) AS BIGINT) AS deaths, MIN(month) AS first_month,
                        MAX(month) AS last_month
                 FROM conflict_event_months{} GROUP BY country ORDER BY country",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let month_of = |v: String| {
            Month::parse(&v)
                .ok_or_else(|| StoreError::Integrity(format!("a stored event has the month '{v}'")))
        };
        let mut by_country: BTreeMap<String, (i64, i64, Month, Month)> = BTreeMap::new();
        for r in &totals {
            by_country.insert(
                r.try_get("country")?,
                (
                    r.try_get("events")?,
                    r.try_get("deaths")?,
                    month_of(r.try_get("first_month")?)?,
                    month_of(r.try_get("last_month")?)?,
                ),
            );
        }
        let latest = match only {
            None => by_country.values().map(|t| t.3).max(),
            // The reference month is every country's: the latest visible in any.
            Some(_) => {
                let mut l = Where::default();
                l.visibility(self, "");
                l.clause("violence > 0".into());
                let row = l
                    .query(format!(
                        "SELECT MAX(month) AS latest FROM conflict_event_months{}",
                        l.sql()
                    ))
                    .fetch_one(&self.store.pool)
                    .await?;
                row.try_get::<Option<String>, _>("latest")?
                    .map(month_of)
                    .transpose()?
            }
        };
        let Some(reference) = as_of.or(latest) else {
            return Ok(CountryTrends {
                as_of: None,
                params: *params,
                countries: Vec::new(),
            });
        };
        // "Spread": per country and admin-1 area, events in the recent window and in the baseline.
        let (baseline_from, recent_from) = early_warning::windows(reference, params);
        let mut g = Where::default();
        g.visibility(self, "");
        let recent_from_p = g.arg(Bind::Text(recent_from.to_string()));
        g.push("month >= ?", Bind::Text(baseline_from.to_string()));
        g.push("month <= ?", Bind::Text(reference.to_string()));
        if let Some(c) = only {
            g.push("country = ?", Bind::Text(c.to_string()));
        }
        let area_rows = g
            .query(format!(
                "SELECT country, adm_1,
                        CAST(SUM(CASE WHEN month >= {recent_from_p} THEN events ELSE 0 END) AS BIGINT) AS recent,
                        CAST(SUM(CASE WHEN month < {recent_from_p} THEN events ELSE 0 END) AS BIGINT) AS baseline
                 FROM conflict_event_areas{} GROUP BY country, adm_1",
                g.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut areas: BTreeMap<String, Vec<(String, i64, i64)>> = BTreeMap::new();
        for r in &area_rows {
            areas.entry(r.try_get("country")?).or_default().push((
                r.try_get("adm_1")?,
                r.try_get::<i64, _>("recent")?,
                r.try_get::<i64, _>("baseline")?,
            ));
        }
        // The months a signal reads: the baseline and recent windows, and far enough before
        // them to tell whether the country was quiet for `quiet_months` (a longer silence counts
        // as exactly that many), so the signal is the one of the country's whole history.
        let mut h = Where::default();
        h.visibility(self, "");
        h.clause("violence > 0".into());
        let history_from = recent_from.plus(-(params.baseline_months.max(params.quiet_months) + 1));
        h.push("month >= ?", Bind::Text(history_from.to_string()));
        h.push("month <= ?", Bind::Text(reference.to_string()));
        if let Some(c) = only {
            h.push("country = ?", Bind::Text(c.to_string()));
        }
        let month_rows = h
            .query(format!(
                "SELECT country, month, CAST(SUM(events) AS BIGINT) AS events
                 FROM conflict_event_months{} GROUP BY country, month",
                h.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut counts: BTreeMap<String, BTreeMap<Month, i64>> = BTreeMap::new();
        for r in &month_rows {
            counts
                .entry(r.try_get("country")?)
                .or_default()
                .insert(month_of(r.try_get("month")?)?, r.try_get("events")?);
        }
        let none = BTreeMap::new();
        let mut countries: Vec<CountryTrend> = by_country
            .into_iter()
            .map(|(country, (events, deaths_best, first, last))| {
                let new_areas = early_warning::spread(
                    areas
                        .get(&country)
                        .into_iter()
                        .flatten()
                        .map(|(a, r, b)| (a.as_str(), *r, *b)),
                );
                let signal =
                    early_warning::signal(counts.get(&country).unwrap_or(&none), reference, params);
                CountryTrend {
                    country,
                    events,
                    deaths_best,
                    first_month: first.to_string(),
                    last_month: last.to_string(),
                    signal,
                    new_areas,
                }
            })
            .collect();
        let rank = |t: &CountryTrend| match t.signal.kind {
            early_warning::SignalKind::Escalation => 0,
            early_warning::SignalKind::NewConflict => 1,
            early_warning::SignalKind::None => 2,
        };
        countries.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then(a.signal.p_value.total_cmp(&b.signal.p_value))
                .then(b.signal.recent.cmp(&a.signal.recent))
                .then(a.country.cmp(&b.country))
        });
        Ok(CountryTrends {
            as_of: Some(reference.to_string()),
            params: *params,
            countries,
        })
    }

    /// The signals with the documented default parameters.
    pub async fn country_trends_default(&self) -> Result<CountryTrends> {
        self.country_trends(None, &DEFAULT_SIGNAL_PARAMS).await
    }

    /// A country's events the reader may see, grouped on a 0.1° grid, within the period.
    pub async fn event_cells(
        &self,
        country: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<EventCell>> {
        let (_, _, _, f) = self.country_events(country, from, to).await?;
        let rows = f
            .query(format!(
                "SELECT lat_micro / 100000 AS la, lon_micro / 100000 AS lo, COUNT(*) AS events,
                        CAST(COALESCE(SUM(best), 0) AS BIGINT) AS deaths
                 FROM conflict_events{} GROUP BY lat_micro / 100000, lon_micro / 100000
                 ORDER BY deaths DESC, events DESC LIMIT 5000",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(EventCell {
                    lat_micro: r.try_get::<i64, _>("la")? * 100_000 + 50_000,
                    lon_micro: r.try_get::<i64, _>("lo")? * 100_000 + 50_000,
                    events: r.try_get("events")?,
                    deaths_best: r.try_get("deaths")?,
                })
            })
            .collect()
    }

    /// The admin-1 areas of a country's events of organised violence the reader may see within
    /// the period, with their monthly series, most deadly first (events without an admin-1 area
    /// are in no area).
    pub async fn country_areas(
        &self,
        country: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<AreaActivity>> {
        let (_, _, _, f) = self.country_events(country, from, to).await?;
        let rows = f
            .query(format!(
                "SELECT adm_1, month, CAST(SUM(events) AS BIGINT) AS events,
                        CAST(SUM(deaths_best) AS BIGINT) AS deaths
                 FROM conflict_event_areas{} GROUP BY adm_1, month ORDER BY adm_1, month",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut areas: Vec<AreaActivity> = Vec::new();
        for r in &rows {
            let adm_1: String = r.try_get("adm_1")?;
            let point = AreaPoint {
                period: r.try_get("month")?,
                events: r.try_get("events")?,
                deaths_best: r.try_get("deaths")?,
            };
            match areas.last_mut() {
                Some(a) if a.adm_1 == adm_1 => {
                    a.events += point.events;
                    a.deaths_best += point.deaths_best;
                    a.last_month.clone_from(&point.period);
                    a.series.push(point);
                }
                _ => areas.push(AreaActivity {
                    adm_1,
                    events: point.events,
                    deaths_best: point.deaths_best,
                    first_month: point.period.clone(),
                    last_month: point.period.clone(),
                    series: vec![point],
                }),
            }
        }
        areas.sort_by(|a, b| {
            b.deaths_best
                .cmp(&a.deaths_best)
                .then(b.events.cmp(&a.events))
                .then(a.adm_1.cmp(&b.adm_1))
        });
        Ok(areas)
    }

    /// The conflicts and dyads of a country's events the reader may see within the period, most
    /// deadly first.
    pub async fn country_dyads(
        &self,
        country: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<DyadActivity>> {
        let (_, _, _, f) = self.country_events(country, from, to).await?;
        let rows = f
            .query(format!(
                "SELECT conflict_name, dyad_name, violence, CAST(SUM(events) AS BIGINT) AS events,
                        CAST(SUM(deaths_best) AS BIGINT) AS deaths, MIN(month) AS first_month,
                        MAX(month) AS last_month
                 FROM conflict_event_dyads{} GROUP BY conflict_name, dyad_name, violence
                 ORDER BY deaths DESC, events DESC, dyad_name LIMIT 200",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DyadActivity {
                    conflict_name: r.try_get("conflict_name")?,
                    dyad_name: r.try_get("dyad_name")?,
                    violence: r.try_get("violence")?,
                    events: r.try_get("events")?,
                    deaths_best: r.try_get("deaths")?,
                    first_month: r.try_get("first_month")?,
                    last_month: r.try_get("last_month")?,
                })
            })
            .collect()
    }

    /// Imports a UCDP GED file (CSV or GeoJSON). The file is checked first: a file that is not
    /// GED is refused with an error, and when any row is bad nothing is written and the report
    /// names each problem's row and column. Events are matched by GED id: new ones are added,
    /// changed ones updated, unchanged ones left alone, and stored events of the file's
    /// countries (by GED country name) that the file no longer holds are removed — so importing
    /// the same file twice changes nothing, and a newer GED version replaces an older one.
    /// Writes go in transactions of [`batch_size`] events, each audited; `progress` hears (events
    /// written, events to write).
    pub async fn import_events(
        &self,
        bytes: &[u8],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<EventImportReport> {
        self.event_import(bytes, early_warning::read_ged, None, progress)
            .await
    }

    /// Imports an ACLED CSV export (see [`early_warning::read_acled`] for how its events are
    /// mapped), with the same checks, idempotence and removal as [`Access::import_events`]
    /// (within ACLED's own events).
    pub async fn import_acled(
        &self,
        bytes: &[u8],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<EventImportReport> {
        self.event_import(bytes, early_warning::read_acled, None, progress)
            .await
    }

    async fn event_import(
        &self,
        bytes: &[u8],
        reader: fn(
            &[u8],
        )
            -> std::result::Result<early_warning::GedFile, grotius_domain::DomainError>,
        job: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<EventImportReport> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let owned = bytes.to_vec();
        let read = tokio::task::spawn_blocking(move || reader(&owned))
            .await
            .map_err(|e| StoreError::Integrity(format!("the import task failed: {e}")))?;
        let file = match read {
            Ok(f) => f,
            Err(e) => {
                let detail =
                    serde_json::json!({"refused": e.to_string(), "written": 0}).to_string();
                self.audit_now(
                    "conflict-event.import",
                    "conflict-event",
                    "",
                    "failed",
                    &detail,
                )
                .await?;
                return Err(e.into());
            }
        };
        let mut unmapped: Vec<(String, usize)> = file.unmapped.clone().into_iter().collect();
        unmapped.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut report = EventImportReport {
            format: file.format,
            records: file.records,
            added: 0,
            changed: 0,
            removed: 0,
            unchanged: 0,
            problems: file.problems,
            omitted: file.omitted,
            unmapped,
            undated: Vec::new(),
        };
        if report.problems.is_empty() && file.rows.is_empty() {
            report.problems.push(EventProblem {
                row: 1,
                column: String::new(),
                value: String::new(),
                message: "the file holds no events".into(),
            });
        }
        if !report.committed() {
            return self.event_import_refused(report).await;
        }
        // What is stored: id, hash and labels by GED id, for the file's countries and ids.
        let names: HashSet<&str> = file
            .rows
            .iter()
            .map(|r| r.event.country_name.as_str())
            .collect();
        let source = file.rows.first().map_or("ged", |r| r.event.source.as_str());
        let in_file: HashSet<&str> = file
            .rows
            .iter()
            .map(|r| r.event.source_id.as_str())
            .collect();
        let mut existing: HashMap<String, (String, String, Labels)> = HashMap::new();
        let mut stale: Vec<(String, String, Labels)> = Vec::new();
        for row in sqlx::query(
            "SELECT id, source_id, country_name, source_hash, classification, compartment_id FROM conflict_events WHERE source = $1",
        )
        .bind(source)
        .fetch_all(&self.store.pool)
        .await?
        {
            let ged_id: String = row.try_get("source_id")?;
            let comp: Option<String> = row.try_get("compartment_id")?;
            let labels = Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            };
            let id: String = row.try_get("id")?;
            if in_file.contains(ged_id.as_str()) {
                existing.insert(ged_id, (id, row.try_get("source_hash")?, labels));
            } else if names.contains(row.try_get::<String, _>("country_name")?.as_str()) {
                stale.push((ged_id, id, labels));
            }
        }
        let mut work: Vec<(&GedRow, String, Option<&str>)> = Vec::new();
        for row in &file.rows {
            let hash = row.event.hash();
            match existing.get(&row.event.source_id) {
                Some((_, h, _)) if *h == hash => report.unchanged += 1,
                Some((id, _, labels)) => {
                    if !self.may(
                        Action::Update,
                        Resource::labelled(ResourceKind::ConflictEvent, labels),
                    ) {
                        report.problems.push(EventProblem {
                            row: row.row,
                            column: "id".into(),
                            value: row.event.source_id.clone(),
                            message: "this event exists under labels you may not change".into(),
                        });
                    }
                    work.push((row, hash, Some(id.as_str())));
                }
                None => work.push((row, hash, None)),
            }
        }
        for (ged_id, _, labels) in &stale {
            if !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::ConflictEvent, labels),
            ) {
                report.problems.push(EventProblem {
                    row: 0,
                    column: "id".into(),
                    value: ged_id.clone(),
                    message: "this stored event is not in the file and would be removed, but you may not remove it".into(),
                });
            }
        }
        if !report.problems.is_empty() {
            report.unchanged = 0;
            return self.event_import_refused(report).await;
        }
        let total = work.len() + stale.len();
        if self
            .event_job_start(job, total, "conflict-event.import", &report)
            .await?
        {
            progress(0, 0);
            return Ok(report);
        }
        // The work in the order of the buckets it changes (country, then month; the file's order
        // within them): each transaction then touches the buckets of one or two countries'
        // months instead of nearly every bucket of every country, and SQLite writes those pages
        // (to its journal, then the database) once per commit. With a million events spread over
        // 30 countries × 288 months in the file's order, each of the 200 commits rewrote most
        // of the ~190,000 buckets' pages (see BENCHMARKS.md, "Early warning").
        work.sort_by(|a, b| {
            (a.0.event.country.as_deref(), a.0.event.month())
                .cmp(&(b.0.event.country.as_deref(), b.0.event.month()))
        });
        let mut done = 0usize;
        let public = Labels::public();
        for chunk in work.chunks(batch_size(total)) {
            let mut tx = self.store.write_tx().await?;
            self.import_checkpoints(&mut tx, done + chunk.len() == total)
                .await?;
            let mut deltas = BucketDeltas::default();
            // The buckets lose the changed events as stored (read in this transaction) and gain
            // them as written, under the labels they keep.
            let changed_ids: Vec<&str> = chunk.iter().filter_map(|(_, _, id)| *id).collect();
            let before = stored_facts(&mut tx, self.store.backend, &changed_ids).await?;
            let (mut added, mut changed) = (Vec::new(), Vec::new());
            let mut new_events = Vec::new();
            for (row, hash, existing_id) in chunk {
                match existing_id {
                    Some(id) => {
                        let old = before.get(*id).ok_or_else(|| {
                            StoreError::Conflict(format!(
                                "the event {} changed while it was imported; import the file again",
                                row.event.source_id
                            ))
                        })?;
                        deltas.add(old, -1);
                        let labels = Labels {
                            classification: Classification::from_level(old.classification)?,
                            compartment: old
                                .compartment
                                .as_deref()
                                .map(CompartmentId::parse)
                                .transpose()?,
                        };
                        deltas.add(&EventFacts::of(&row.event, &labels), 1);
                        self.event_update(&mut tx, &row.event, hash, id).await?;
                        changed.push(row.event.source_id.as_str());
                    }
                    None => {
                        deltas.add(&EventFacts::of(&row.event, &public), 1);
                        new_events.push((&row.event, hash.as_str()));
                        added.push(row.event.source_id.as_str());
                    }
                }
            }
            self.events_insert(&mut tx, &new_events).await?;
            deltas.apply(&mut tx, self.store.backend).await?;
            done += chunk.len();
            self.event_job_progress(&mut tx, job, done).await?;
            report.added += added.len();
            report.changed += changed.len();
            let detail = serde_json::json!({
                "job": job, "records": report.records, "added": added, "changed": changed,
                "written": done, "of": total
            })
            .to_string();
            self.audit_in(
                &mut tx,
                "conflict-event.import",
                "conflict-event",
                "",
                "ok",
                &detail,
            )
            .await?;
            tx.commit().await?;
            progress(done, total);
        }
        for chunk in stale.chunks(batch_size(total)) {
            let mut tx = self.store.write_tx().await?;
            self.import_checkpoints(&mut tx, done + chunk.len() == total)
                .await?;
            let ids: Vec<&str> = chunk.iter().map(|(_, id, _)| id.as_str()).collect();
            let before = stored_facts(&mut tx, self.store.backend, &ids).await?;
            let mut deltas = BucketDeltas::default();
            let mut removed = Vec::new();
            for (ged_id, id, _) in chunk {
                let Some(old) = before.get(id) else {
                    return Err(StoreError::Conflict(format!(
                        "the event {ged_id} was removed while it was imported; import the file again"
                    )));
                };
                deltas.add(old, -1);
                sqlx::query("DELETE FROM conflict_events WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                removed.push(ged_id.as_str());
            }
            deltas.apply(&mut tx, self.store.backend).await?;
            done += chunk.len();
            self.event_job_progress(&mut tx, job, done).await?;
            report.removed += removed.len();
            let detail = serde_json::json!({
                "job": job, "records": report.records, "removed": removed,
                "written": done, "of": total
            })
            .to_string();
            self.audit_in(
                &mut tx,
                "conflict-event.import",
                "conflict-event",
                "",
                "ok",
                &detail,
            )
            .await?;
            tx.commit().await?;
            progress(done, total);
        }
        Ok(report)
    }

    /// On SQLite, lets an import's commits (all but its last) leave up to 64 MiB in the WAL
    /// before one of them copies it into the database (SQLite's default: 4 MiB, so at a
    /// million events every commit was followed by a checkpoint that wrote its pages a second
    /// time and synced the database file). Pages that several batches rewrite — the buckets,
    /// the indexes' hot pages — are then copied once per checkpoint rather than once per
    /// commit. Durability is unchanged: every commit is synced in the WAL (`synchronous=FULL`),
    /// and a crash recovers from it. The last commit restores the default, so it checkpoints
    /// what the import left. A setting of the connection, not of the transaction.
    async fn import_checkpoints(&self, conn: &mut sqlx::AnyConnection, last: bool) -> Result<()> {
        if self.store.backend == crate::db::Backend::Sqlite {
            let pages = if last {
                "PRAGMA wal_autocheckpoint = 1000"
            } else {
                "PRAGMA wal_autocheckpoint = 16384"
            };
            sqlx::query(pages).execute(&mut *conn).await?;
        }
        Ok(())
    }

    pub(crate) async fn event_import_refused(
        &self,
        report: EventImportReport,
    ) -> Result<EventImportReport> {
        let detail = serde_json::json!({
            "records": report.records,
            "problems": report.problems.len() + report.omitted,
            "written": 0
        })
        .to_string();
        self.audit_now(
            "conflict-event.import",
            "conflict-event",
            "",
            "failed",
            &detail,
        )
        .await?;
        Ok(report)
    }

    /// Records how many rows an import job will write; when there is nothing to write, audits
    /// the import as a no-op under `action` and answers true (the caller is done).
    pub(crate) async fn event_job_start(
        &self,
        job: Option<&str>,
        total: usize,
        action: &str,
        report: &EventImportReport,
    ) -> Result<bool> {
        if let Some(job) = job {
            sqlx::query("UPDATE event_imports SET rows_total = $1, updated_at = $2 WHERE id = $3")
                .bind(total as i64)
                .bind(now_micros())
                .bind(job)
                .execute(&self.store.pool)
                .await?;
        }
        if total > 0 {
            return Ok(false);
        }
        let detail = serde_json::json!({"records": report.records, "unchanged": report.unchanged, "written": 0}).to_string();
        self.audit_now(action, "conflict-event", "", "ok", &detail)
            .await?;
        Ok(true)
    }

    pub(crate) async fn event_job_progress(
        &self,
        conn: &mut sqlx::AnyConnection,
        job: Option<&str>,
        done: usize,
    ) -> Result<()> {
        if let Some(job) = job {
            sqlx::query("UPDATE event_imports SET rows_done = $1, updated_at = $2 WHERE id = $3")
                .bind(done as i64)
                .bind(now_micros())
                .bind(job)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Updates one stored event's fields (its labels are kept).
    async fn event_update(
        &self,
        conn: &mut sqlx::AnyConnection,
        e: &early_warning::ConflictEvent,
        hash: &str,
        id: &str,
    ) -> Result<()> {
        let q = sqlx::query(
            "UPDATE conflict_events SET source_id = $2, country = $3, country_name = $4, gwno = $5, region = $6,
                year = $7, month = $8, date_start = $9, date_end = $10, date_prec = $11, violence = $12,
                conflict_id = $13, conflict_name = $14, dyad_id = $15, dyad_name = $16, side_a = $17,
                side_b = $18, where_prec = $19, where_description = $20, adm_1 = $21, adm_2 = $22,
                lat_micro = $23, lon_micro = $24, priogrid_gid = $25, deaths_a = $26, deaths_b = $27,
                deaths_civilians = $28, deaths_unknown = $29, best = $30, low = $31, high = $32,
                source_hash = $33, event_type = $35, updated_at = $34
             WHERE id = $1",
        )
        .bind(id.to_string());
        bind_event_fields(q, e, hash)
            .bind(now_micros())
            .bind(e.event_type.clone())
            .execute(&mut *conn)
            .await
            .map_err(|err| StoreError::from_unique(err, "an event with this source id"))?;
        Ok(())
    }

    /// Inserts new events (public, as event data is), many per statement: at a million events
    /// the statements, not the rows, are what an import waits for.
    async fn events_insert(
        &self,
        conn: &mut sqlx::AnyConnection,
        events: &[(&early_warning::ConflictEvent, &str)],
    ) -> Result<()> {
        const COLUMNS: &str = "id, source_id, country, country_name, gwno, region, year, month,
            date_start, date_end, date_prec, violence, conflict_id, conflict_name, dyad_id, dyad_name,
            side_a, side_b, where_prec, where_description, adm_1, adm_2, lat_micro, lon_micro,
            priogrid_gid, deaths_a, deaths_b, deaths_civilians, deaths_unknown, best, low, high,
            source_hash, event_type, source, created_by, created_at, updated_at";
        const WIDTH: usize = 38;
        let now = now_micros();
        for chunk in events.chunks(INSERT_ROWS) {
            let sql = format!(
                "INSERT INTO conflict_events ({COLUMNS}) VALUES {}",
                values_list(self.store.backend, chunk.len(), WIDTH)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (e, hash) in chunk {
                q = bind_event_fields(q.bind(new_id()), e, hash)
                    .bind(e.event_type.clone())
                    .bind(e.source.as_str().to_string())
                    .bind(self.subject.user_id.clone())
                    .bind(now)
                    .bind(now);
            }
            q.execute(&mut *conn)
                .await
                .map_err(|err| StoreError::from_unique(err, "an event with this source id"))?;
        }
        Ok(())
    }

    /// Starts an event import (GED, ACLED, UCDP's conflict lists or the water chronology) as a
    /// background job and returns its id at once; the job's progress and report are kept in the
    /// database (see [`Access::event_import_job`]). A file that is not what `kind` says ends the
    /// job as failed with the error naming what is missing, having written nothing.
    pub async fn start_event_import(
        &self,
        kind: EventImportKind,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<String> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        if bytes.is_empty() {
            return Err(StoreError::invalid("file", "the file is empty"));
        }
        self.start_import_job(
            JobTable::Events,
            Some(kind.as_str()),
            "conflict-event.import.start",
            "event-import",
            file_name,
            bytes.len(),
            move |access, job| async move {
                let report = match kind {
                    EventImportKind::Ged => {
                        access
                            .event_import(
                                &bytes,
                                early_warning::read_ged,
                                Some(&job),
                                &mut |_, _| {},
                            )
                            .await
                    }
                    EventImportKind::Acled => {
                        access
                            .event_import(
                                &bytes,
                                early_warning::read_acled,
                                Some(&job),
                                &mut |_, _| {},
                            )
                            .await
                    }
                    EventImportKind::UcdpAcd => {
                        access
                            .import_ucdp(UcdpDataset::Acd, &bytes, Some(&job), &mut |_, _| {})
                            .await
                    }
                    EventImportKind::UcdpDyadic => {
                        access
                            .import_ucdp(UcdpDataset::Dyadic, &bytes, Some(&job), &mut |_, _| {})
                            .await
                    }
                    EventImportKind::Water => {
                        access
                            .import_water(&bytes, Some(&job), &mut |_, _| {})
                            .await
                    }
                };
                report.map(|r| (r.committed(), r))
            },
        )
        .await
    }

    /// A GED import job (for those who may import events).
    pub async fn event_import_job(&self, id: &str) -> Result<EventImportJob> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let row = sqlx::query(
            "SELECT id, kind, status, file_name, started_by, started_at, updated_at, rows_total, rows_done, report
             FROM event_imports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let updated_at: i64 = row.try_get("updated_at")?;
        let status = shown_status(row.try_get("status")?, updated_at);
        let out: JobOutcome<EventImportReport> =
            JobOutcome::parse(&row.try_get::<String, _>("report")?);
        Ok(EventImportJob {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            status,
            file_name: row.try_get("file_name")?,
            started_by: row.try_get("started_by")?,
            started_at: row.try_get("started_at")?,
            updated_at,
            rows_total: row.try_get("rows_total")?,
            rows_done: row.try_get("rows_done")?,
            report: out.report,
            error: out.error,
        })
    }
}

/// The columns of the downloaded countries table: header and HXL hashtag.
const TRENDS_COLUMNS: [(&str, &str); 12] = [
    ("country", "#country+code"),
    ("region", "#region+name"),
    ("signal", "#indicator+signal"),
    ("recent_events", "#event+num+recent"),
    ("baseline_events", "#event+num+baseline"),
    ("expected_events", "#event+num+expected"),
    ("p_value", "#indicator+p"),
    ("new_admin1_areas", "#adm1+name+new"),
    ("events", "#event+num"),
    ("deaths_best", "#affected+killed"),
    ("first_month", "#date+start"),
    ("last_month", "#date+end"),
];

impl Access {
    /// The countries table of the overview (signals at the reference month, optionally one UN
    /// M49 region) as a file; needs the export right and is audited as `conflict-event.export`.
    pub async fn export_country_trends(
        &self,
        params: &SignalParams,
        region: Option<&str>,
        format: SeriesFormat,
    ) -> Result<Vec<u8>> {
        self.authorize(
            Action::Export,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let trends = self.country_trends(None, params).await?;
        let region_of = |c: &str| {
            grotius_domain::reference::country(c)
                .map(|c| c.region.clone())
                .unwrap_or_default()
        };
        let mut rows: Vec<Vec<String>> = vec![TRENDS_COLUMNS.iter().map(|c| c.0.into()).collect()];
        if format == SeriesFormat::Hxl {
            rows.push(TRENDS_COLUMNS.iter().map(|c| c.1.into()).collect());
        }
        let mut n = 0;
        for c in &trends.countries {
            let r = region_of(&c.country);
            if region.is_some_and(|x| !x.is_empty() && !x.eq_ignore_ascii_case(&r)) {
                continue;
            }
            n += 1;
            rows.push(vec![
                c.country.clone(),
                r,
                c.signal.kind.as_str().into(),
                c.signal.recent.to_string(),
                c.signal.baseline.to_string(),
                format!("{:.2}", c.signal.expected),
                format!("{:.4}", c.signal.p_value),
                c.new_areas.join("; "),
                c.events.to_string(),
                c.deaths_best.to_string(),
                c.first_month.clone(),
                c.last_month.clone(),
            ]);
        }
        let table = match format {
            SeriesFormat::Xlsx => TableFormat::Xlsx,
            SeriesFormat::Csv | SeriesFormat::Hxl => TableFormat::Csv,
        };
        let bytes = write_table(&rows, table, "Countries")?;
        let detail = serde_json::json!({
            "view": "countries", "as_of": trends.as_of, "region": region, "rows": n,
            "format": format!("{format:?}").to_lowercase(),
        })
        .to_string();
        self.audit_now("conflict-event.export", "conflict-event", "", "ok", &detail)
            .await?;
        Ok(bytes)
    }
}
