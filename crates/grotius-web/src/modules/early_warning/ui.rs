//! Early warning pages: the countries with their trends and escalation signals (the method and
//! its parameters on the page), the GED import as a job with a status page that reloads itself
//! without JavaScript, and the country profile — the conflict trend by type of violence (SVG
//! chart with its numbers in a table beside it), the event map on the Natural Earth outlines,
//! and our own work in the country, counted only over what the reader may read.

use crate::routes::{Routes, get};
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::early_warning::{GED_CITATION, SignalKind};
use grotius_domain::{Action, Resource, ResourceKind, reference};
use grotius_store::{
    AlertFilter, CountryConflict, CountryConflicts, CountryTrends, EventImportJob, EventImportKind,
    EventSeries, SeriesBy, SeriesFormat, StoreError, WaterConflict,
};
use maud::{Markup, html};
use serde::Deserialize;

use super::svg::{Measure, trend_chart};
use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::world_map::{MapData, world_map};
use crate::ui::{page, store_error};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/early-warning", get(overview))
        .route(
            "/early-warning/import",
            get(import_form).post(import).layer(DefaultBodyLimit::max(
                crate::modules::roster::api::IMPORT_LIMIT,
            )),
        )
        .route("/early-warning/imports/{id}", get(job))
        .route("/countries/{iso}", get(country))
        .route("/countries/{iso}/series", get(series_download));
}

fn country_name(code: &str) -> String {
    reference::country(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

pub(super) fn signal_label(l: Lang, kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::Escalation => t(l, "ew.signal.escalation"),
        SignalKind::NewConflict => t(l, "ew.signal.new"),
        SignalKind::None => t(l, "ew.signal.none"),
    }
}

fn violence_labels(l: Lang) -> [&'static str; 3] {
    [
        t(l, "ew.type.state_based"),
        t(l, "ew.type.non_state"),
        t(l, "ew.type.one_sided"),
    ]
}

fn method(l: Lang, trends: &CountryTrends) -> Markup {
    let p = &trends.params;
    html! {
        section.method {
            h2 { (t(l, "ew.method")) }
            p { (t(l, "ew.method.text")) }
            dl.facts {
                dt { (t(l, "ew.param.recent")) } dd { (p.recent_months) }
                dt { (t(l, "ew.param.baseline")) } dd { (p.baseline_months) }
                dt { (t(l, "ew.param.alpha")) } dd { (p.alpha) }
                dt { (t(l, "ew.param.quiet")) } dd { (p.quiet_months) }
                dt { (t(l, "ew.as_of")) } dd { (trends.as_of.as_deref().unwrap_or("—")) }
            }
        }
    }
}

#[derive(Deserialize, Default)]
struct OverviewQuery {
    region: Option<String>,
    format: Option<String>,
}

async fn overview(v: Viewer, Query(q): Query<OverviewQuery>) -> Response {
    let l = v.lang;
    let params = match v.access.signal_params().await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let region = q
        .region
        .clone()
        .filter(|r| grotius_store::regions().contains(&r.as_str()));
    if let Some(format) = q.format.as_deref().filter(|f| !f.is_empty()) {
        let format = match SeriesFormat::parse(Some(format)) {
            Ok(f) => f,
            Err(StoreError::Invalid(d)) => {
                return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string());
            }
            Err(e) => return store_error(l, e),
        };
        return match v
            .access
            .export_country_trends(&params, region.as_deref(), format)
            .await
        {
            Ok(bytes) => {
                let (content_type, ext) = match format {
                    SeriesFormat::Xlsx => (
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "xlsx",
                    ),
                    SeriesFormat::Hxl => ("text/csv; charset=utf-8", "hxl.csv"),
                    SeriesFormat::Csv => ("text/csv; charset=utf-8", "csv"),
                };
                (
                    [
                        (header::CONTENT_TYPE, content_type.to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"grotius-countries.{ext}\""),
                        ),
                    ],
                    bytes,
                )
                    .into_response()
            }
            Err(e) => store_error(l, e),
        };
    }
    let trends = match v.access.country_trends(None, &params).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let mut trends = trends;
    if let Some(r) = &region {
        trends
            .countries
            .retain(|c| reference::country(&c.country).is_some_and(|x| &x.region == r));
    }
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::ConflictEvent));
    let may_import = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::ConflictEvent));
    let by_country: Vec<(String, i64)> = trends
        .countries
        .iter()
        .map(|c| (c.country.clone(), c.signal.recent))
        .collect();
    let may_alerts = v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Alert));
    let overdue = if may_alerts {
        let filter = AlertFilter {
            overdue: true,
            ..Default::default()
        };
        match v.access.list_alerts(&filter, 50, 0).await {
            Ok(p) => p.items,
            Err(e) => return store_error(l, e),
        }
    } else {
        Vec::new()
    };
    let mine = v.access.subject().user_id.clone();
    let watched = match v.access.watchlist().await {
        Ok(w) => w,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        h1 { (t(l, "ew.title")) }
        p { (t(l, "ew.intro")) }
        @if may_import { p { a.button href="/early-warning/import" { (t(l, "ew.import")) } } }
        @if may_alerts {
            p { a href="/early-warning/alerts" { (t(l, "ew.alerts")) } }
        }
        p {
            a href="/early-warning/coherence" { (t(l, "coh.link")) } " · "
            a href="/early-warning/watchlist" { (t(l, "fu.watchlist")) } " · "
            a href="/early-warning/settings" { (t(l, "fu.settings")) }
        }
        @if !watched.is_empty() {
            section #watched {
                h2 { (t(l, "fu.watchlist")) }
                ul {
                    @for w in &watched {
                        @let s = trends.countries.iter().find(|c| c.country == w.country);
                        li {
                            a href={ "/countries/" (w.country) } { (country_name(&w.country)) }
                            " · " (s.map_or("—", |s| signal_label(l, s.signal.kind)))
                            @if w.list == grotius_store::Watchlist::Unit { " · " (t(l, "fu.unit")) }
                        }
                    }
                }
            }
        }
        @if !overdue.is_empty() {
            section.overdue {
                h2 { (t(l, "ew.alerts.overdue")) " (" (overdue.len()) ")" }
                ul {
                    @for a in &overdue {
                        li {
                            a href={ "/early-warning/alerts/" (a.id) } { (a.title) }
                            " · " (country_name(&a.country)) " · " (a.owner_name) " · " (a.deadline)
                            @if a.owner_id == mine { " " strong { (t(l, "ew.alerts.mine")) } }
                        }
                    }
                }
            }
        }
        form.filters method="get" action="/early-warning" {
            label for="region" { (t(l, "coh.region")) }
            select #region name="region" {
                option value="" { (t(l, "coh.all")) }
                @for x in grotius_store::regions() {
                    option value=(x) selected[region.as_deref() == Some(x)] { (x) }
                }
            }
            button type="submit" { (t(l, "ew.apply")) }
        }
        @if trends.countries.is_empty() {
            p { (t(l, "ew.none")) }
        } @else {
            (world_map(&MapData {
                id: "ew-map",
                title: t(l, "ew.map.title"),
                desc: t(l, "ew.map.desc"),
                by_country: &by_country,
                points: &[],
                unit: t(l, "ew.events"),
                legend: ["1–9", "10–99", "100–999", "1000+"],
            }))
            table {
                thead { tr {
                    th { (t(l, "ew.col.country")) }
                    th { (t(l, "ew.col.signal")) }
                    th.num { (t(l, "ew.col.recent")) }
                    th.num { (t(l, "ew.col.expected")) }
                    th.num { (t(l, "ew.col.p")) }
                    th.num { (t(l, "ew.spread")) }
                    th.num { (t(l, "ew.col.events")) }
                    th.num { (t(l, "ew.col.deaths")) }
                    th { (t(l, "ew.col.period")) }
                } }
                tbody {
                    @for c in &trends.countries {
                        tr {
                            td { a href={ "/countries/" (c.country) } { (country_name(&c.country)) } }
                            td { strong { (signal_label(l, c.signal.kind)) } }
                            td.num { (c.signal.recent) }
                            td.num { (format!("{:.1}", c.signal.expected)) }
                            td.num { (format!("{:.3}", c.signal.p_value)) }
                            td.num title=(c.new_areas.join(", ")) { (c.new_areas.len()) }
                            td.num { (c.events) }
                            td.num { (c.deaths_best) }
                            td { (c.first_month) " – " (c.last_month) }
                        }
                    }
                }
            }
        }
        @if may_export && !trends.countries.is_empty() {
            p.downloads {
                (t(l, "ew.download")) ": "
                @for (i, (format, label)) in [("csv", "CSV"), ("xlsx", "XLSX"), ("hxl", "HXL")].into_iter().enumerate() {
                    @if i > 0 { " · " }
                    a href={ "/early-warning?format=" (format) "&region=" (url_encode(region.as_deref().unwrap_or(""))) } { (label) }
                }
            }
        }
        (method(l, &trends))
        p.source { (t(l, "ew.source")) " " (GED_CITATION) }
    };
    page(&v, t(l, "ew.title"), content)
}

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Deserialize)]
struct DownloadQuery {
    by: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// A country's series as CSV, XLSX or HXL-tagged CSV (`?format=csv|xlsx|hxl&by=month|year`,
/// `from`/`to` as on the page): the numbers of the chart, for the reader's own tools.
async fn series_download(
    v: Viewer,
    Path(iso): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let l = v.lang;
    let parsed = SeriesBy::parse(q.by.as_deref())
        .and_then(|by| SeriesFormat::parse(q.format.as_deref()).map(|f| (by, f)));
    let (by, format) = match parsed {
        Ok(x) => x,
        Err(StoreError::Invalid(d)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let bytes = match v
        .access
        .export_event_series(&iso, by, q.from.as_deref(), q.to.as_deref(), format)
        .await
    {
        Ok(b) => b,
        Err(StoreError::Invalid(d)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let (content_type, ext) = match format {
        SeriesFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        SeriesFormat::Hxl => ("text/csv; charset=utf-8", "hxl.csv"),
        SeriesFormat::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let by = match by {
        SeriesBy::Month => "month",
        SeriesBy::Year => "year",
    };
    let name: String = iso.chars().filter(char::is_ascii_alphanumeric).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"grotius-events-{name}-{by}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn series_table(l: Lang, s: &EventSeries) -> Markup {
    html! {
        table.series {
            caption { (t(l, "ew.table.caption")) " " (t(l, "ew.table.per_type")) }
            thead { tr {
                th { (t(l, "ew.col.period")) }
                th.num { (t(l, "ew.col.events")) }
                th.num { (t(l, "ew.col.deaths")) }
                th.num { (t(l, "ew.type.state_based")) }
                th.num { (t(l, "ew.type.non_state")) }
                th.num { (t(l, "ew.type.one_sided")) }
            } }
            tbody {
                @for p in &s.series {
                    tr {
                        td { (p.period) }
                        td.num { (p.events) }
                        td.num { (p.deaths_best) }
                        td.num { (p.state_based_events) " / " (p.state_based_deaths) }
                        td.num { (p.non_state_events) " / " (p.non_state_deaths) }
                        td.num { (p.one_sided_events) " / " (p.one_sided_deaths) }
                    }
                }
            }
            tfoot { tr {
                th { (t(l, "ew.total")) }
                th.num { (s.total_events) }
                th.num { (s.total_deaths_best) }
                th {} th {} th {}
            } }
        }
    }
}

async fn country(v: Viewer, Path(iso): Path<String>, Query(q): Query<PeriodQuery>) -> Response {
    let l = v.lang;
    let Some(c) = reference::country(&iso) else {
        return crate::ui::error_page(l, StatusCode::NOT_FOUND, t(l, "err.notfound"));
    };
    let iso = c.alpha2.clone();
    let (from, to) = (q.from.as_deref(), q.to.as_deref());
    // Years for a long period, months for up to three years.
    let monthly = match v.access.event_series(&iso, SeriesBy::Month, from, to).await {
        Ok(s) => s,
        Err(StoreError::Invalid(d)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let series = if monthly.series.len() > 36 {
        match v.access.event_series(&iso, SeriesBy::Year, from, to).await {
            Ok(s) => s,
            Err(e) => return store_error(l, e),
        }
    } else {
        monthly
    };
    let cells = match v.access.event_cells(&iso, from, to).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let params = match v.access.signal_params().await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let trends = match v.access.country_trend(&iso, &params).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let work = match super::coherence::our_work(&v, &iso).await {
        Ok(w) => w,
        Err(e) => return store_error(l, e),
    };
    let watch = match super::follow_up::watch_form(&v, &iso).await {
        Ok(w) => w,
        Err(e) => return store_error(l, e),
    };
    let dyads = match v.access.country_dyads(&iso, from, to).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let areas = match v.access.country_areas(&iso, from, to).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let conflicts = match v.access.country_conflicts(&iso).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let water = match v.access.country_water_conflicts(&iso).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let alerts = if v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Alert))
    {
        let filter = AlertFilter {
            country: Some(iso.clone()),
            ..Default::default()
        };
        match v.access.list_alerts(&filter, 50, 0).await {
            Ok(p) => Some(p.items),
            Err(e) => return store_error(l, e),
        }
    } else {
        None
    };
    let may_raise = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::Alert));
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::ConflictEvent));
    let by_name = match series.by {
        SeriesBy::Month => "month",
        SeriesBy::Year => "year",
    };
    let period_query = format!(
        "{}{}",
        from.map(|f| format!("&from={}", url_encode(f)))
            .unwrap_or_default(),
        to.map(|t| format!("&to={}", url_encode(t)))
            .unwrap_or_default()
    );
    let points: Vec<(f64, f64, i64, String)> = cells
        .iter()
        .map(|c| {
            (
                c.lat_micro as f64 / 1e6,
                c.lon_micro as f64 / 1e6,
                c.deaths_best.max(1),
                format!(
                    "{} {}, {} {}",
                    c.events,
                    t(l, "ew.events"),
                    c.deaths_best,
                    t(l, "ew.deaths")
                ),
            )
        })
        .collect();
    let by_country = vec![(iso.clone(), series.total_events)];
    let signal = trends.countries.iter().find(|x| x.country == iso);
    let labels = violence_labels(l);
    let content = html! {
        h1 { (c.name) " " small { "(" (iso) ")" } }
        (watch)
        form.filters method="get" action={ "/countries/" (iso) } {
            label for="from" { (t(l, "ew.from")) }
            input #from name="from" type="month" value=(from.unwrap_or(""));
            label for="to" { (t(l, "ew.to")) }
            input #to name="to" type="month" value=(to.unwrap_or(""));
            button type="submit" { (t(l, "ew.apply")) }
        }
        section {
            h2 { (t(l, "ew.trend")) }
            @if series.series.is_empty() {
                p { (t(l, "ew.country.none")) }
            } @else {
                div.side-by-side {
                    figure.chart {
                        (trend_chart("ew-trend", t(l, "ew.trend.title"), t(l, "ew.trend.desc"), &series.series, Measure::Deaths, labels))
                        (trend_chart("ew-trend-events", t(l, "ew.trend.events"), t(l, "ew.trend.events.desc"), &series.series, Measure::Events, labels))
                        figcaption { (t(l, "ew.trend.caption")) }
                    }
                    (series_table(l, &series))
                }
                @if may_export {
                    p.downloads {
                        (t(l, "ew.download")) ": "
                        @for (i, (format, label)) in [("csv", "CSV"), ("xlsx", "XLSX"), ("hxl", "HXL")].into_iter().enumerate() {
                            @if i > 0 { " · " }
                            a href={ "/countries/" (iso) "/series?format=" (format) "&by=" (by_name) (period_query) } { (label) }
                        }
                    }
                }
            }
        }
        @if let Some(s) = signal {
            section {
                h2 { (t(l, "ew.col.signal")) ": " (signal_label(l, s.signal.kind)) }
                p {
                    (t(l, "ew.col.recent")) " " (s.signal.recent) " · "
                    (t(l, "ew.col.expected")) " " (format!("{:.1}", s.signal.expected)) " · "
                    (t(l, "ew.col.p")) " " (format!("{:.3}", s.signal.p_value)) " · "
                    (t(l, "ew.as_of")) " " (s.signal.as_of.to_string())
                }
                @if !s.new_areas.is_empty() {
                    p #spread {
                        strong { (t(l, "ew.spread")) } ": "
                        (s.new_areas.len()) " " (t(l, "ew.spread.areas")) " — " (s.new_areas.join(", "))
                    }
                }
            }
        }
        (ucdp_section(l, &conflicts))
        @if !dyads.is_empty() {
            section {
                h2 { (t(l, "ew.dyads")) }
                table {
                    thead { tr {
                        th { (t(l, "ew.dyad.conflict")) }
                        th { (t(l, "ew.dyad.dyad")) }
                        th { (t(l, "ew.dyad.type")) }
                        th.num { (t(l, "ew.col.events")) }
                        th.num { (t(l, "ew.col.deaths")) }
                        th { (t(l, "ew.col.period")) }
                    } }
                    tbody {
                        @for d in &dyads {
                            tr {
                                td { (d.conflict_name) }
                                td { (d.dyad_name) }
                                td { (usize::try_from(d.violence - 1).ok().and_then(|i| labels.get(i)).copied().unwrap_or("")) }
                                td.num { (d.events) }
                                td.num { (d.deaths_best) }
                                td { (d.first_month) " – " (d.last_month) }
                            }
                        }
                    }
                }
            }
        }
        @if !areas.is_empty() {
            section {
                h2 { (t(l, "ew.areas")) }
                table {
                    thead { tr {
                        th { (t(l, "ew.area")) }
                        th.num { (t(l, "ew.col.events")) }
                        th.num { (t(l, "ew.col.deaths")) }
                        th { (t(l, "ew.col.period")) }
                    } }
                    tbody {
                        @for a in areas.iter().take(25) {
                            tr {
                                td { (a.adm_1) }
                                td.num { (a.events) }
                                td.num { (a.deaths_best) }
                                td { (a.first_month) " – " (a.last_month) }
                            }
                        }
                    }
                }
                @if areas.len() > 25 {
                    p.hint { (t(l, "ew.areas.more")) }
                }
            }
        }
        section {
            h2 { (t(l, "ew.map")) }
            @if points.is_empty() {
                p { (t(l, "ew.country.none")) }
            } @else {
                (world_map(&MapData {
                    id: "ew-country-map",
                    title: t(l, "ew.map.country"),
                    desc: t(l, "ew.map.country.desc"),
                    by_country: &by_country,
                    points: &points,
                    unit: t(l, "ew.deaths"),
                    legend: ["1–9", "10–99", "100–999", "1000+"],
                }))
            }
        }
        (work)
        @if !water.is_empty() {
            (water_section(l, &water))
        }
        @if let Some(list) = &alerts {
            section {
                h2 { (t(l, "ew.alerts")) }
                @if list.is_empty() {
                    p { (t(l, "ew.alerts.none")) }
                } @else {
                    ul {
                        @for a in list {
                            li {
                                a href={ "/early-warning/alerts/" (a.id) } { (a.title) }
                                " · " (super::alerts::status_label(l, a.status)) " · " (a.owner_name) " · " (a.deadline)
                                @if v.access.alert_overdue(a) { " " strong.overdue { (t(l, "ew.alert.overdue")) } }
                            }
                        }
                    }
                }
                @if may_raise {
                    h3 { (t(l, "ew.alert.raise")) }
                    (super::alerts::raise_form(&v, &iso, signal.map_or("manual", |s| match s.signal.kind {
                        SignalKind::None => "manual",
                        k => k.as_str(),
                    }), &trends.as_of.clone().unwrap_or_else(|| grotius_store::alert_today()[..7].to_string())))
                }
            }
        }
        (method(l, &trends))
        p.source { (t(l, "ew.source")) " " (GED_CITATION) }
        p { a href="/early-warning" { (t(l, "ew.back")) } }
    };
    page(&v, &c.name, content)
}

fn ucdp_label(l: Lang, prefix: &str, code: i64) -> &'static str {
    match code {
        1..=4 => t(l, &format!("ew.ucdp.{prefix}.{code}")),
        _ => "",
    }
}

fn sides(l: Lang, c: &CountryConflict) -> String {
    let with = |main: &str, second: &str| {
        if second.is_empty() {
            main.to_string()
        } else {
            format!("{main} ({} {second})", t(l, "ew.ucdp.with"))
        }
    };
    format!(
        "{} — {}",
        with(&c.side_a, &c.side_a_2nd),
        with(&c.side_b, &c.side_b_2nd)
    )
}

fn conflict_table(l: Lang, list: &[CountryConflict], dyads: bool) -> Markup {
    html! {
        table {
            thead { tr {
                th { (t(l, "ew.ucdp.conflict")) }
                th { (t(l, "ew.ucdp.sides")) }
                th { (t(l, "ew.ucdp.type")) }
                th { (t(l, "ew.ucdp.intensity")) }
                th { (t(l, "ew.ucdp.years")) }
            } }
            tbody {
                @for c in list {
                    tr {
                        td {
                            (c.location)
                            @if !c.territory_name.is_empty() { " (" (c.territory_name) ")" }
                            br; small {
                                "UCDP " (c.conflict_id)
                                @if dyads { @if let Some(d) = c.dyad_id { " · dyad " (d) } }
                                " · " (ucdp_label(l, "incomp", c.incompatibility))
                            }
                        }
                        td { (sides(l, c)) }
                        td { (ucdp_label(l, "type", c.type_of_conflict)) }
                        td { (ucdp_label(l, "intensity", c.intensity_level)) }
                        td {
                            (c.first_year) "–" (c.last_year)
                            br; small {
                                (c.years_active) " " (t(l, "ew.ucdp.years_active"))
                                @if c.war_years > 0 { ", " (t(l, "ew.ucdp.war_years")) ": " (c.war_years) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The country's conflicts and dyads from UCDP's lists, with UCDP's citation.
fn ucdp_section(l: Lang, c: &CountryConflicts) -> Markup {
    html! {
        section #ucdp {
            h2 { (t(l, "ew.ucdp")) }
            @if c.acd_latest_year.is_none() && c.dyadic_latest_year.is_none() {
                p { (t(l, "ew.ucdp.empty")) }
            } @else {
                p { (t(l, "ew.ucdp.intro")) " " (c.acd_latest_year.or(c.dyadic_latest_year).unwrap_or_default()) "." }
                @if c.active_conflicts.is_empty() {
                    p { (t(l, "ew.ucdp.none")) }
                } @else {
                    h3 { (t(l, "ew.ucdp.active")) " (" (c.active_conflicts.len()) ")" }
                    (conflict_table(l, &c.active_conflicts, false))
                }
                @if !c.active_dyads.is_empty() {
                    h3 { (t(l, "ew.ucdp.dyads")) " (" (c.active_dyads.len()) ")" }
                    (conflict_table(l, &c.active_dyads, true))
                }
                @if !c.past_conflicts.is_empty() {
                    details {
                        summary { (t(l, "ew.ucdp.past")) " (" (c.past_conflicts.len()) ")" }
                        (conflict_table(l, &c.past_conflicts, false))
                    }
                }
                p.source { (t(l, "ew.source")) " " (c.source) }
            }
        }
    }
}

fn year_text(l: Lang, y: i64) -> String {
    if y < 0 {
        format!("{} {}", -y, t(l, "ew.bc"))
    } else {
        y.to_string()
    }
}

/// The country's events in the water conflict chronology, with its citation.
fn water_section(l: Lang, list: &[WaterConflict]) -> Markup {
    html! {
        section #water {
            h2 { (t(l, "ew.water")) " (" (list.len()) ")" }
            p { (t(l, "ew.water.intro")) }
            table {
                thead { tr {
                    th { (t(l, "ew.water.date")) }
                    th { (t(l, "ew.water.years")) }
                    th { (t(l, "ew.water.event")) }
                    th { (t(l, "ew.water.type")) }
                } }
                tbody {
                    @for w in list {
                        tr {
                            td { (w.date) }
                            td {
                                @match (w.year_from, w.year_to) {
                                    (Some(a), Some(b)) if a == b => { (year_text(l, a)) }
                                    (Some(a), Some(b)) => { (year_text(l, a)) "–" (year_text(l, b)) }
                                    (Some(a), None) => { (year_text(l, a)) " " (t(l, "ew.water.open")) }
                                    _ => { em { (t(l, "ew.water.undated")) } }
                                }
                            }
                            td { strong { (w.headline) } @if !w.description.is_empty() { br; small { (w.description) } } }
                            td { (w.conflict_type) }
                        }
                    }
                }
            }
            p.source { (t(l, "ew.source")) " " (grotius_domain::water::WATER_CITATION) }
        }
    }
}

async fn may_import(v: &Viewer) -> Result<(), StoreError> {
    v.access
        .check(Action::Create, Resource::kind(ResourceKind::ConflictEvent))
        .await
}

#[derive(Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

fn kind_label(l: Lang, kind: EventImportKind) -> &'static str {
    t(l, &format!("ew.kind.{}", kind.as_str()))
}

/// The import page of one kind of file: links to the other kinds (no JavaScript needed: the
/// kind travels in the form's action), the kind's help and the upload form.
fn import_page(
    v: &Viewer,
    kind: EventImportKind,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let action = format!(
        "/early-warning/import?kind={}&_csrf={}",
        kind.as_str(),
        url_encode(&v.csrf)
    );
    let help = match kind {
        EventImportKind::Ged => t(l, "ew.import.help"),
        k => t(l, &format!("ew.import.help.{}", k.as_str())),
    };
    let accept = match kind {
        EventImportKind::Ged => ".csv,.geojson,.json,text/csv,application/geo+json",
        _ => ".csv,text/csv",
    };
    let content = html! {
        h1 { (t(l, "ew.import")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        p {
            (t(l, "ew.import.kind")) ": "
            @for (i, k) in EventImportKind::ALL.into_iter().enumerate() {
                @if i > 0 { " · " }
                @if k == kind {
                    strong { (kind_label(l, k)) }
                } @else {
                    a href={ "/early-warning/import?kind=" (k.as_str()) } { (kind_label(l, k)) }
                }
            }
        }
        p { (help) }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            label for="file" { (t(l, "ew.import.file")) ": " (kind_label(l, kind)) }
            input #file type="file" name="file" accept=(accept) required;
            div.actions { button type="submit" { (t(l, "ew.import.submit")) } a href="/early-warning" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "ew.import"), content);
    *res.status_mut() = status;
    res
}

async fn import_form(v: Viewer, Query(q): Query<KindQuery>) -> Response {
    if let Err(e) = may_import(&v).await {
        return store_error(v.lang, e);
    }
    let kind = match EventImportKind::parse(q.kind.as_deref()) {
        Ok(k) => k,
        Err(e) => return store_error(v.lang, e),
    };
    import_page(&v, kind, None, StatusCode::OK)
}

/// Whether the file is what `kind` says, checked before a job starts (the whole file is read
/// again by the job).
fn check_kind(kind: EventImportKind, bytes: &[u8]) -> Result<(), grotius_domain::DomainError> {
    use grotius_domain::{early_warning, ucdp, water};
    match kind {
        EventImportKind::Ged => early_warning::read_ged(bytes).map(|_| ()),
        EventImportKind::Acled => early_warning::read_acled(bytes).map(|_| ()),
        EventImportKind::UcdpAcd => ucdp::read_ucdp(ucdp::UcdpDataset::Acd, bytes).map(|_| ()),
        EventImportKind::UcdpDyadic => {
            ucdp::read_ucdp(ucdp::UcdpDataset::Dyadic, bytes).map(|_| ())
        }
        EventImportKind::Water => water::read_water(bytes).map(|_| ()),
    }
}

async fn import(v: Viewer, Query(q): Query<KindQuery>, req: axum::extract::Request) -> Response {
    let l = v.lang;
    if let Err(e) = may_import(&v).await {
        return store_error(l, e);
    }
    let kind = match EventImportKind::parse(q.kind.as_deref()) {
        Ok(k) => k,
        Err(e) => return store_error(l, e),
    };
    let (name, bytes, _) = match crate::modules::roster::api::read_upload(req).await {
        Ok(x) => x,
        Err(e) => return import_page(&v, kind, Some(e.message), e.status),
    };
    // A file that is not what it claims is refused here, before a job starts.
    if let Err(e) = check_kind(kind, &bytes) {
        return import_page(
            &v,
            kind,
            Some(e.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match v
        .access
        .start_event_import(kind, name.as_deref().unwrap_or("upload.csv"), bytes)
        .await
    {
        Ok(id) => Redirect::to(&format!("/early-warning/imports/{id}")).into_response(),
        Err(StoreError::Invalid(d)) => import_page(
            &v,
            kind,
            Some(d.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => store_error(l, e),
    }
}

fn job_status(l: Lang, status: &str) -> &'static str {
    match status {
        "running" => t(l, "ew.job.running"),
        "done" => t(l, "ew.job.done"),
        "interrupted" => t(l, "ew.job.interrupted"),
        _ => t(l, "ew.job.failed"),
    }
}

fn job_page(v: &Viewer, j: &EventImportJob) -> Response {
    let l = v.lang;
    let share = if j.rows_total > 0 {
        j.rows_done * 100 / j.rows_total
    } else {
        0
    };
    let content = html! {
        h1 { (t(l, "ew.job.title")) }
        dl.facts {
            dt { (t(l, "ew.job.kind")) } dd { (EventImportKind::parse(Some(&j.kind)).map_or(j.kind.as_str(), |k| kind_label(l, k))) }
            dt { (t(l, "ew.import.file")) } dd { (j.file_name) }
            dt { (t(l, "ew.job.by")) } dd { (j.started_by) " · " (crate::ui::fmt_micros(j.started_at)) }
            dt { (t(l, "ew.job.status")) } dd { strong { (job_status(l, &j.status)) } }
            dt { label for="ew-progress" { (t(l, "ew.job.progress")) } }
            dd {
                progress #ew-progress max=(j.rows_total.max(1)) value=(j.rows_done) { (share) "%" }
                " " (j.rows_done) " / " (j.rows_total)
            }
        }
        @if j.status == "running" {
            p { (t(l, "ew.job.refresh")) " " a href={ "/early-warning/imports/" (j.id) } { (t(l, "ew.job.reload")) } }
        }
        @if let Some(e) = &j.error { div.error role="alert" { (e) } }
        @if let Some(r) = &j.report {
            h2 { (t(l, "ew.job.report")) }
            dl.facts {
                dt { (t(l, "ew.job.records")) } dd { (r.records) }
                dt { (t(l, "ew.job.added")) } dd { (r.added) }
                dt { (t(l, "ew.job.changed")) } dd { (r.changed) }
                dt { (t(l, "ew.job.removed")) } dd { (r.removed) }
                dt { (t(l, "ew.job.unchanged")) } dd { (r.unchanged) }
            }
            @if !r.committed() {
                div.error role="alert" { (t(l, "ew.job.problems")) }
                table {
                    thead { tr { th { (t(l, "roster.import.row")) } th { (t(l, "roster.import.column")) } th { (t(l, "roster.import.value")) } th { (t(l, "roster.import.problem")) } } }
                    tbody { @for p in &r.problems { tr { td { (p.row) } td { code { (p.column) } } td { (p.value) } td { (p.message) } } } }
                }
            }
            @if !r.undated.is_empty() {
                h3 { (t(l, "ew.job.undated")) " (" (r.undated.len()) ")" }
                table {
                    thead { tr { th { (t(l, "roster.import.row")) } th { (t(l, "roster.import.value")) } } }
                    tbody { @for (row, date) in &r.undated { tr { td { (row) } td { (date) } } } }
                }
            }
            @if !r.unmapped.is_empty() {
                h3 { (t(l, "ew.job.unmapped")) }
                p { (r.unmapped.iter().map(|(n, c)| format!("{n} ({c})")).collect::<Vec<_>>().join(", ")) }
            }
        }
        p { a href="/early-warning" { (t(l, "ew.back")) } " · " a href={ "/early-warning/import?kind=" (url_encode(&j.kind)) } { (t(l, "ew.import")) } }
    };
    let mut res = page(v, t(l, "ew.job.title"), content);
    if j.status == "running" {
        res.headers_mut()
            .insert(header::REFRESH, axum::http::HeaderValue::from_static("2"));
    }
    res
}

async fn job(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.event_import_job(&id).await {
        Ok(j) => job_page(&v, &j),
        Err(e) => store_error(v.lang, e),
    }
}
