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
    AlertFilter, CountryTrends, EventImportJob, EventSeries, SeriesBy, SeriesFormat, StoreError,
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

async fn overview(v: Viewer) -> Response {
    let l = v.lang;
    let params = match v.access.signal_params().await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let trends = match v.access.country_trends(None, &params).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
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
                            td.num { (c.events) }
                            td.num { (c.deaths_best) }
                            td { (c.first_month) " – " (c.last_month) }
                        }
                    }
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
    let trends = match v.access.country_trends(None, &params).await {
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
            }
        }
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

async fn may_import(v: &Viewer) -> Result<(), StoreError> {
    v.access
        .check(Action::Create, Resource::kind(ResourceKind::ConflictEvent))
        .await
}

fn import_page(v: &Viewer, error: Option<String>, status: StatusCode) -> Response {
    let l = v.lang;
    let action = format!("/early-warning/import?_csrf={}", url_encode(&v.csrf));
    let content = html! {
        h1 { (t(l, "ew.import")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        p { (t(l, "ew.import.help")) }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            label for="file" { (t(l, "ew.import.file")) }
            input #file type="file" name="file" accept=".csv,.geojson,.json,text/csv,application/geo+json" required;
            div.actions { button type="submit" { (t(l, "ew.import.submit")) } a href="/early-warning" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "ew.import"), content);
    *res.status_mut() = status;
    res
}

async fn import_form(v: Viewer) -> Response {
    if let Err(e) = may_import(&v).await {
        return store_error(v.lang, e);
    }
    import_page(&v, None, StatusCode::OK)
}

async fn import(v: Viewer, req: axum::extract::Request) -> Response {
    let l = v.lang;
    if let Err(e) = may_import(&v).await {
        return store_error(l, e);
    }
    let (name, bytes, _) = match crate::modules::roster::api::read_upload(req).await {
        Ok(x) => x,
        Err(e) => return import_page(&v, Some(e.message), e.status),
    };
    // A file that is not GED is refused here, before a job starts.
    if let Err(e) = grotius_domain::early_warning::read_ged(&bytes) {
        return import_page(&v, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY);
    }
    match v
        .access
        .start_event_import(name.as_deref().unwrap_or("upload.csv"), bytes)
        .await
    {
        Ok(id) => Redirect::to(&format!("/early-warning/imports/{id}")).into_response(),
        Err(StoreError::Invalid(d)) => {
            import_page(&v, Some(d.to_string()), StatusCode::UNPROCESSABLE_ENTITY)
        }
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
            @if !r.unmapped.is_empty() {
                h3 { (t(l, "ew.job.unmapped")) }
                p { (r.unmapped.iter().map(|(n, c)| format!("{n} ({c})")).collect::<Vec<_>>().join(", ")) }
            }
        }
        p { a href="/early-warning" { (t(l, "ew.back")) } " · " a href="/early-warning/import" { (t(l, "ew.import")) } }
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
