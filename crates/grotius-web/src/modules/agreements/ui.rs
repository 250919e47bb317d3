//! Peace agreements (PA-X): the faceted list with counts, an agreement with its provisions by
//! topic, the side-by-side comparison (printable, and as DOCX), and the import as a job with a
//! status page that reloads itself without JavaScript (an HTTP `Refresh` header).

use crate::routes::{Routes, get};
use axum::extract::{DefaultBodyLimit, Path, RawQuery};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::agreement::{
    self, AGREEMENT_TYPES, Agreement, FACETS, PAX_REGIONS, STAGES, TOPICS,
};
use grotius_domain::{Action, Resource, ResourceKind, reference};
use grotius_store::{AgreementFilter, AgreementResults, ImportJob, StoreError};
use maud::{Markup, html};

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::chart::{Bar, bar_chart};
use crate::ui::{labels_badge, page, store_error, term_label};

const PAGE: i64 = 50;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/agreements", get(list))
        .route("/agreements/compare", get(compare))
        .route("/agreements/compare.docx", get(compare_docx))
        .route(
            "/agreements/import",
            get(import_form).post(import).layer(DefaultBodyLimit::max(
                crate::modules::roster::api::IMPORT_LIMIT,
            )),
        )
        .route("/agreements/imports/{id}", get(job))
        .route("/agreements/{id}", get(show));
}

/// Query pairs (repeated keys allowed: checkboxes).
fn pairs(q: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(q.unwrap_or("")).unwrap_or_default()
}

fn first<'a>(p: &'a [(String, String)], k: &str) -> Option<&'a str> {
    p.iter()
        .find(|(key, v)| key == k && !v.trim().is_empty())
        .map(|(_, v)| v.as_str())
}

struct ListQuery {
    filter: AgreementFilter,
    offset: i64,
    /// A year that is not a number: reported, not ignored.
    bad_year: Option<(&'static str, String)>,
}

fn list_query(p: &[(String, String)]) -> ListQuery {
    let mut bad_year = None;
    let mut year = |k: &'static str| {
        first(p, k).and_then(|v| match v.trim().parse::<i64>() {
            Ok(y) => Some(y),
            Err(_) => {
                bad_year = Some((k, v.to_string()));
                None
            }
        })
    };
    let year_from = year("year_from");
    let year_to = year("year_to");
    ListQuery {
        filter: AgreementFilter {
            q: first(p, "q").map(str::to_string),
            facets: p
                .iter()
                .filter(|(k, _)| k == "facet")
                .map(|(_, v)| v.clone())
                .collect(),
            stage: first(p, "stage").map(str::to_string),
            agreement_type: first(p, "type").map(str::to_string),
            region: first(p, "region").map(str::to_string),
            country: first(p, "country").map(str::to_string),
            year_from,
            year_to,
        },
        offset: first(p, "offset").and_then(|o| o.parse().ok()).unwrap_or(0),
        bad_year,
    }
}

/// The query string of a filter (for pagination links), without the offset.
fn query_of(p: &[(String, String)]) -> String {
    p.iter()
        .filter(|(k, v)| k != "offset" && !v.is_empty())
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn country_name(code: &str) -> String {
    reference::country(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn facet_badges(l: Lang, a: &Agreement) -> Markup {
    html! {
        @for code in a.data.facets.codes() {
            span.badge.facet { (term_label(l, FACETS, code)) } " "
        }
    }
}

fn count_of(list: &[grotius_store::FacetCount], value: &str) -> i64 {
    list.iter()
        .find(|c| c.value == value)
        .map(|c| c.count)
        .unwrap_or(0)
}

fn filter_form(l: Lang, f: &AgreementFilter, r: &AgreementResults) -> Markup {
    let sel = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    html! {
        form.stack.filters method="get" action="/agreements" {
            label for="q" { (t(l, "agr.filter.q")) }
            input #q type="search" name="q" value=(f.q.clone().unwrap_or_default());
            fieldset {
                legend { (t(l, "agr.filter.provisions")) }
                @for term in FACETS {
                    @let n = count_of(&r.facets.provisions, term.code);
                    label.check {
                        input type="checkbox" name="facet" value=(term.code) checked[f.facets.iter().any(|x| x == term.code)];
                        " " (term.label(l.code())) " "
                        span.count { (n) " " (t(l, "agr.of")) " " (r.total) }
                    }
                }
            }
            label for="stage" { (t(l, "agr.col.stage")) }
            select #stage name="stage" {
                option value="" { (t(l, "proc.any")) }
                @for term in STAGES {
                    option value=(term.code) selected[sel(&f.stage, term.code)] { (term.label(l.code())) " (" (count_of(&r.facets.stages, term.code)) ")" }
                }
            }
            label for="type" { (t(l, "agr.col.type")) }
            select #type name="type" {
                option value="" { (t(l, "proc.any")) }
                @for term in AGREEMENT_TYPES {
                    option value=(term.code) selected[sel(&f.agreement_type, term.code)] { (term.label(l.code())) " (" (count_of(&r.facets.types, term.code)) ")" }
                }
            }
            label for="region" { (t(l, "agr.col.region")) }
            select #region name="region" {
                option value="" { (t(l, "proc.any")) }
                @for term in PAX_REGIONS {
                    option value=(term.code) selected[sel(&f.region, term.code)] { (term.label(l.code())) " (" (count_of(&r.facets.regions, term.code)) ")" }
                }
            }
            label for="country" { (t(l, "agr.col.country")) }
            select #country name="country" {
                option value="" { (t(l, "proc.any")) }
                @if let Some(c) = &f.country {
                    @if !r.facets.countries.iter().any(|x| &x.value == c) {
                        option value=(c) selected { (country_name(c)) " (0)" }
                    }
                }
                @for c in &r.facets.countries {
                    option value=(c.value) selected[f.country.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&c.value))] { (country_name(&c.value)) " (" (c.count) ")" }
                }
            }
            fieldset.years {
                legend { (t(l, "agr.filter.years")) }
                label for="year_from" { (t(l, "agr.filter.from")) }
                input #year_from type="number" name="year_from" min="1900" max="2100" value=[f.year_from];
                label for="year_to" { (t(l, "agr.filter.to")) }
                input #year_to type="number" name="year_to" min="1900" max="2100" value=[f.year_to];
            }
            div.actions {
                button type="submit" { (t(l, "agr.filter.apply")) }
                a href="/agreements" { (t(l, "agr.filter.reset")) }
            }
        }
    }
}

pub async fn list(v: Viewer, RawQuery(q): RawQuery) -> Response {
    let l = v.lang;
    let p = pairs(q.as_deref());
    let lq = list_query(&p);
    if let Some((field, value)) = &lq.bad_year {
        let e = StoreError::invalid(
            if *field == "year_from" {
                "year_from"
            } else {
                "year_to"
            },
            format!("'{value}' is not a year"),
        );
        return store_error(l, e);
    }
    let r = match v.access.list_agreements(&lq.filter, PAGE, lq.offset).await {
        Ok(r) => r,
        Err(e) => return store_error(l, e),
    };
    let may_import = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::Agreement));
    let qs = query_of(&p);
    let bars: Vec<Bar> = FACETS
        .iter()
        .map(|term| {
            let n = count_of(&r.facets.provisions, term.code);
            Bar {
                label: term.label(l.code()).to_string(),
                value: n as f64,
                text: format!("{n} {} {}", t(l, "agr.of"), r.total),
            }
        })
        .collect();
    let content = html! {
        h1 { (t(l, "agr.title")) }
        p { (t(l, "agr.intro")) }
        p.muted { (t(l, "agr.source")) " " (agreement::CITATION) }
        @if may_import { p.actions { a.button href="/agreements/import" { (t(l, "agr.import")) } } }
        div.facet-layout {
            aside { (filter_form(l, &lq.filter, &r)) }
            section {
                p { span.count { (r.total) } " " (t(l, "agr.of")) " " span.count { (r.all) } " " (t(l, "agr.found")) }
                (bar_chart("agr-facets", t(l, "agr.chart.title"), t(l, "agr.chart.desc"), &bars, Some(r.total.max(1) as f64)))
                @if r.items.is_empty() { p { (t(l, "agr.none")) } } @else {
                    form method="get" action="/agreements/compare" {
                        p.muted { (t(l, "agr.compare.help")) }
                        table.agreements {
                            thead { tr {
                                th { span.visually-hidden { (t(l, "agr.select")) } }
                                th { (t(l, "agr.col.date")) } th { (t(l, "agr.col.name")) } th { (t(l, "agr.col.country")) }
                                th { (t(l, "agr.col.stage")) } th { (t(l, "agr.col.facets")) }
                            } }
                            tbody { @for a in &r.items { tr {
                                td { input type="checkbox" name="ids" value=(a.data.pax_id) aria-label={ (t(l, "agr.select")) ": " (a.data.name) }; }
                                td { (a.data.date) }
                                td { a href={ "/agreements/" (a.data.pax_id) } { (a.data.name) } " " @if a.labels.classification != grotius_domain::Classification::Public { (labels_badge(l, &a.labels)) } }
                                td { (a.data.country_text) }
                                td { (term_label(l, STAGES, &a.data.stage)) }
                                td { (facet_badges(l, a)) }
                            } } }
                        }
                        div.actions { button type="submit" { (t(l, "agr.compare")) } }
                    }
                    p.pager {
                        @if r.offset > 0 {
                            a href={ "/agreements?" (qs) "&offset=" ((r.offset - PAGE).max(0)) } { (t(l, "agr.prev")) } " "
                        }
                        (r.offset + 1) "–" (r.offset + r.items.len() as i64) " " (t(l, "agr.of")) " " (r.total)
                        @if r.offset + PAGE < r.total {
                            " " a href={ "/agreements?" (qs) "&offset=" (r.offset + PAGE) } { (t(l, "agr.next")) }
                        }
                    }
                }
            }
        }
    };
    page(&v, t(l, "agr.title"), content)
}

fn provisions_by_topic(l: Lang, a: &Agreement) -> Markup {
    html! {
        @for topic in TOPICS {
            @let coded: Vec<_> = agreement::PROVISIONS.iter().filter(|p| p.topic == topic.code && a.data.provision(p.code) > 0).collect();
            @if !coded.is_empty() {
                h3 { (topic.label(l.code())) }
                table.provisions {
                    thead { tr { th { (t(l, "agr.provision")) } th { (t(l, "agr.code")) } th { (t(l, "agr.value")) } } }
                    tbody { @for p in coded { tr { td { (p.label) } td { code { (p.code) } } td.num { (a.data.provision(p.code)) } } } }
                }
            }
        }
    }
}

pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let a = match v.access.get_agreement(&id).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    let d = &a.data;
    let content = html! {
        p.no-print { a href="/agreements" { (t(l, "agr.back")) } }
        h1 { (d.name) }
        p { (facet_badges(l, &a)) " " (labels_badge(l, &a.labels)) }
        dl.facts {
            dt { (t(l, "agr.pax")) } dd { (d.pax_id) }
            dt { (t(l, "agr.col.date")) } dd { (d.date) }
            dt { (t(l, "agr.col.country")) } dd { (d.country_text) }
            dt { (t(l, "agr.countries.iso")) } dd { @if d.countries.is_empty() { "—" } @else { (d.countries.iter().map(|c| format!("{} ({c})", country_name(c))).collect::<Vec<_>>().join(", ")) } }
            dt { (t(l, "agr.col.region")) } dd { (term_label(l, PAX_REGIONS, &d.region)) }
            dt { (t(l, "agr.col.stage")) } dd { (term_label(l, STAGES, &d.stage)) @if !d.stage_sub.is_empty() { " (" (d.stage_sub) ")" } }
            dt { (t(l, "agr.col.type")) } dd { (term_label(l, AGREEMENT_TYPES, &d.agreement_type)) }
            dt { (t(l, "agr.status")) } dd { (d.status) }
            dt { (t(l, "agr.conflict")) } dd { (d.conflict_type) }
            dt { (t(l, "agr.process")) } dd { (d.peace_process) }
        }
        h2 { (t(l, "agr.parties")) }
        p.pre { @if d.parties.trim().is_empty() { "—" } @else { (d.parties) } }
        @if !d.third_parties.trim().is_empty() {
            h2 { (t(l, "agr.third")) }
            p.pre { (d.third_parties) }
        }
        h2 { (t(l, "agr.provisions")) }
        p.muted { (t(l, "agr.values.help")) }
        @if d.provisions.is_empty() { p { (t(l, "agr.provisions.none")) } } @else { (provisions_by_topic(l, &a)) }
        @if !d.extra.is_empty() {
            h2 { (t(l, "agr.other")) }
            dl.facts { @for (k, val) in &d.extra { dt { code { (k) } } dd.pre { (val) } } }
        }
        p.citation { (t(l, "agr.source")) " " (agreement::CITATION) }
    };
    page(&v, &d.name, content)
}

fn compare_ids(p: &[(String, String)]) -> Vec<String> {
    p.iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.clone())
        .collect()
}

pub async fn compare(v: Viewer, RawQuery(q): RawQuery) -> Response {
    let l = v.lang;
    let ids = compare_ids(&pairs(q.as_deref()));
    let list = match v.access.compare_agreements(&ids).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let data: Vec<&agreement::AgreementData> = list.iter().map(|a| &a.data).collect();
    let mut topic = "";
    let rows: Vec<_> = agreement::comparison_rows(&data)
        .into_iter()
        .map(|(p, values)| {
            let starts = p.topic != topic;
            topic = p.topic;
            (starts, p, values)
        })
        .collect();
    let joined = list
        .iter()
        .map(|a| a.data.pax_id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::Agreement));
    let content = html! {
        p.no-print { a href="/agreements" { (t(l, "agr.back")) } }
        h1 { (t(l, "agr.compare.title")) }
        p.muted { (t(l, "agr.source")) " " (agreement::CITATION) }
        p.muted { (t(l, "agr.values.help")) }
        @if may_export {
            p.actions.no-print {
                a.button href={ "/agreements/compare.docx?ids=" (joined) } { (t(l, "agr.compare.docx")) }
                " " span.muted { (t(l, "agr.compare.print")) }
            }
        }
        table.compare {
            thead {
                tr { th { (t(l, "agr.provision")) } @for a in &list { th { a href={ "/agreements/" (a.data.pax_id) } { (a.data.name) } } } }
                tr { th { (t(l, "agr.col.date")) } @for a in &list { td { (a.data.date) } } }
                tr { th { (t(l, "agr.col.country")) } @for a in &list { td { (a.data.country_text) } } }
                tr { th { (t(l, "agr.col.stage")) } @for a in &list { td { (term_label(l, STAGES, &a.data.stage)) } } }
                tr { th { (t(l, "agr.col.type")) } @for a in &list { td { (term_label(l, AGREEMENT_TYPES, &a.data.agreement_type)) } } }
            }
            tbody {
                @for (starts, p, values) in &rows {
                    @if *starts {
                        tr.topic { th colspan=(list.len() + 1) { (term_label(l, TOPICS, p.topic)) } }
                    }
                    tr {
                        th scope="row" { (p.label) " " code { (p.code) } }
                        @for val in values {
                            @if *val > 0 { td.coded.num { (val) } } @else { td.num.muted { "—" } }
                        }
                    }
                }
            }
        }
        @if rows.is_empty() { p { (t(l, "agr.compare.none")) } }
    };
    page(&v, t(l, "agr.compare.title"), content)
}

pub async fn compare_docx(v: Viewer, RawQuery(q): RawQuery) -> Response {
    let l = v.lang;
    let ids = compare_ids(&pairs(q.as_deref()));
    match v.access.export_agreement_comparison(&ids, "docx").await {
        Ok(list) => match crate::modules::agreements::api::docx_response(l, &list) {
            Ok(r) => r,
            Err(e) => crate::ui::error_page(l, e.status, &e.message),
        },
        Err(e) => store_error(l, e),
    }
}

async fn may_import(v: &Viewer) -> Result<(), StoreError> {
    v.access
        .check(Action::Create, Resource::kind(ResourceKind::Agreement))
        .await
}

fn import_page(v: &Viewer, error: Option<String>, status: StatusCode) -> Response {
    let l = v.lang;
    let action = format!("/agreements/import?_csrf={}", url_encode(&v.csrf));
    let content = html! {
        h1 { (t(l, "agr.import")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        p { (t(l, "agr.import.help")) }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            label for="file" { (t(l, "agr.import.file")) }
            input #file type="file" name="file" accept=".csv,text/csv" required;
            div.actions { button type="submit" { (t(l, "agr.import.submit")) } a href="/agreements" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "agr.import"), content);
    *res.status_mut() = status;
    res
}

pub async fn import_form(v: Viewer) -> Response {
    if let Err(e) = may_import(&v).await {
        return store_error(v.lang, e);
    }
    import_page(&v, None, StatusCode::OK)
}

pub async fn import(v: Viewer, req: axum::extract::Request) -> Response {
    let l = v.lang;
    if let Err(e) = may_import(&v).await {
        return store_error(l, e);
    }
    let (name, bytes, _) = match crate::modules::roster::api::read_upload(req).await {
        Ok(x) => x,
        Err(e) => return import_page(&v, Some(e.message), e.status),
    };
    match v
        .access
        .start_agreement_import(name.as_deref().unwrap_or("upload.csv"), bytes)
        .await
    {
        Ok(id) => Redirect::to(&format!("/agreements/imports/{id}")).into_response(),
        Err(StoreError::Invalid(d)) => {
            import_page(&v, Some(d.to_string()), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => store_error(l, e),
    }
}

pub(crate) fn job_status(l: Lang, status: &str) -> &'static str {
    match status {
        "running" => t(l, "agr.job.running"),
        "done" => t(l, "agr.job.done"),
        "interrupted" => t(l, "agr.job.interrupted"),
        _ => t(l, "agr.job.failed"),
    }
}

fn job_page(v: &Viewer, j: &ImportJob) -> Response {
    let l = v.lang;
    let content = html! {
        h1 { (t(l, "agr.job.title")) }
        dl.facts {
            dt { (t(l, "agr.import.file")) } dd { (j.file_name) }
            dt { (t(l, "agr.job.by")) } dd { (j.started_by) " · " (crate::ui::fmt_micros(j.started_at)) }
            dt { (t(l, "agr.job.status")) } dd { strong { (job_status(l, &j.status)) } }
            dt { (t(l, "agr.job.progress")) } dd { (j.rows_done) " / " (j.rows_total) }
        }
        @if j.status == "running" {
            p { (t(l, "agr.job.refresh")) " " a href={ "/agreements/imports/" (j.id) } { (t(l, "agr.job.reload")) } }
        }
        @if let Some(e) = &j.error { div.error role="alert" { (e) } }
        @if let Some(r) = &j.report {
            h2 { (t(l, "agr.job.report")) }
            dl.facts {
                dt { (t(l, "agr.job.records")) } dd { (r.records) }
                dt { (t(l, "agr.job.inserted")) } dd { (r.inserted) }
                dt { (t(l, "agr.job.updated")) } dd { (r.updated) }
                dt { (t(l, "agr.job.unchanged")) } dd { (r.unchanged) }
            }
            @if !r.committed() {
                div.error role="alert" { (t(l, "agr.job.problems")) }
                table {
                    thead { tr { th { (t(l, "roster.import.row")) } th { (t(l, "roster.import.column")) } th { (t(l, "roster.import.value")) } th { (t(l, "roster.import.problem")) } } }
                    tbody { @for p in &r.problems { tr { td { (p.row) } td { code { (p.column) } } td { (p.value) } td { (p.message) } } } }
                }
            } @else if r.inserted + r.updated == 0 {
                p { (t(l, "agr.job.nothing")) }
            }
            @if !r.unmapped.is_empty() {
                h3 { (t(l, "agr.job.unmapped")) }
                p { (r.unmapped.iter().map(|(n, c)| format!("{n} ({c})")).collect::<Vec<_>>().join(", ")) }
            }
        }
        p { a href="/agreements" { (t(l, "agr.back")) } " · " a href="/agreements/import" { (t(l, "agr.import")) } }
    };
    let mut res = page(v, t(l, "agr.job.title"), content);
    if j.status == "running" {
        res.headers_mut()
            .insert(header::REFRESH, axum::http::HeaderValue::from_static("2"));
    }
    res
}

pub async fn job(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.agreement_import_job(&id).await {
        Ok(j) => job_page(&v, &j),
        Err(e) => store_error(v.lang, e),
    }
}
