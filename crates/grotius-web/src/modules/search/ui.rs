//! The search page: one query box over every kind of record the viewer may read, facets with
//! counts as links, highlighted snippets (everything escaped but the highlight), pagination and
//! "similar records".

use crate::routes::{Routes, get};
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_store::{SearchHit, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{labels_badge, page, store_error};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/search", get(search))
        .route("/search.csv", get(export_csv))
        .route("/search/{kind}/{id}/similar", get(similar));
}

#[derive(Deserialize)]
pub struct SearchForm {
    pub q: Option<String>,
    pub page: Option<usize>,
    pub sort: Option<String>,
}

const PER_PAGE: usize = 20;

fn kind_label(l: Lang, kind: &str) -> &'static str {
    match kind {
        "process" => t(l, "search.kind.process"),
        "engagement" => t(l, "search.kind.engagement"),
        "actor" => t(l, "search.kind.actor"),
        "debrief" => t(l, "search.kind.debrief"),
        "agreement" => t(l, "search.kind.agreement"),
        _ => t(l, "search.kind.other"),
    }
}

/// A query string for a link: `q` (percent-encoded) with sort and page.
fn link(q: &str, sort: &str, page: usize) -> String {
    let mut s = format!("/search?q={}", crate::auth::url_encode(q));
    if sort == "date" {
        s.push_str("&sort=date");
    }
    if page > 1 {
        s.push_str(&format!("&page={page}"));
    }
    s
}

/// The query with a field filter added (for a facet link).
fn with_filter(q: &str, field: &str, value: &str) -> String {
    let f = format!("{field}:{value}");
    if q.split_whitespace().any(|w| w.eq_ignore_ascii_case(&f)) {
        q.to_string()
    } else if q.trim().is_empty() {
        f
    } else {
        format!("{} {f}", q.trim())
    }
}

fn hit_item(l: Lang, h: &SearchHit, similar: bool) -> Markup {
    html! {
        li {
            h2 {
                a href=(h.url) { (if h.title.is_empty() { "—" } else { h.title.as_str() }) }
                " " span.muted { (kind_label(l, h.kind.as_str())) } " " (labels_badge(l, &h.labels))
            }
            p.snippet {
                @for (text, marked) in h.snippet.parts() {
                    @if marked { mark { (text) } } @else { (text) }
                }
            }
            @if !similar {
                p.muted { a href={ "/search/" (h.kind.as_str()) "/" (h.id) "/similar" } { (t(l, "search.similar")) } }
            }
        }
    }
}

fn facet_block(
    l: Lang,
    title_key: &str,
    field: &str,
    q: &str,
    sort: &str,
    values: &[(String, u64)],
) -> Markup {
    html! {
        @if !values.is_empty() {
            section.facet {
                h3 { (t(l, title_key)) }
                ul { @for (value, n) in values.iter().take(15) {
                    li {
                        a href=(link(&with_filter(q, field, value), sort, 1)) {
                            @if field == "kind" { (kind_label(l, value)) } @else { (value) }
                        }
                        " (" (n) ")"
                    }
                } }
            }
        }
    }
}

pub async fn search(v: Viewer, Query(f): Query<SearchForm>) -> Response {
    let l = v.lang;
    let q = f.q.clone().unwrap_or_default();
    let sort = f.sort.clone().unwrap_or_default();
    let page_no = f.page.unwrap_or(1).max(1);
    let req = match crate::modules::search::api::search_request(
        Some(q.clone()),
        Some(PER_PAGE),
        Some((page_no - 1) * PER_PAGE),
        Some(sort.as_str()),
    ) {
        Ok(r) => r,
        Err(e) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string());
        }
    };
    let results = match v.access.search(&req).await {
        Ok(r) => r,
        Err(StoreError::Invalid(e)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    // Completions of the last word, from titles the viewer may read: a datalist for browsers
    // that offer it and plain links (no script needed).
    let suggestions = if q.trim().is_empty() || q.ends_with(' ') {
        Vec::new()
    } else {
        match v.access.search_suggest(&q, 8).await {
            Ok(s) => s
                .into_iter()
                .filter(|s| !s.eq_ignore_ascii_case(q.trim()))
                .collect(),
            Err(e) => return store_error(l, e),
        }
    };
    let pages = results.total.div_ceil(PER_PAGE).max(1);
    let may_export = v.access.may_export_search();
    let content = html! {
        h1 { (t(l, "search.title")) }
        p.muted { (t(l, "search.help")) }
        form.filters method="get" action="/search" role="search" {
            label for="q" { (t(l, "search.q")) input #q type="search" name="q" size="50" value=(q) list="search-suggestions" autocomplete="off"; }
            datalist #search-suggestions { @for s in &suggestions { option value=(s) {} } }
            label for="sort" { (t(l, "search.sort")) select #sort name="sort" {
                option value="relevance" selected[sort != "date"] { (t(l, "search.sort.relevance")) }
                option value="date" selected[sort == "date"] { (t(l, "search.sort.date")) }
            } }
            button type="submit" { (t(l, "proc.search")) }
        }
        @if !suggestions.is_empty() {
            nav.suggestions aria-label=(t(l, "search.suggestions")) {
                (t(l, "search.suggestions")) ": "
                @for (i, s) in suggestions.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href=(link(s, &sort, 1)) { (s) }
                }
            }
        }
        p { strong { (results.total) } " " (t(l, "search.found"))
            @if may_export && results.total > 0 {
                " · " a #search-export href={ "/search.csv?q=" (url_encode(&q)) "&sort=" (url_encode(&sort)) } { (t(l, "search.export")) }
            }
        }
        @if let Some(better) = &results.did_you_mean {
            p.did-you-mean { (t(l, "search.did_you_mean")) " " a href=(link(better, &sort, 1)) { em { (better) } } "?" }
        }
        div.search-layout {
            aside.facets aria-label=(t(l, "search.facets")) {
                (facet_block(l, "search.facet.kind", "kind", &q, &sort, &results.facets.kind))
                (facet_block(l, "search.facet.country", "country", &q, &sort, &results.facets.country))
                (facet_block(l, "search.facet.year", "year", &q, &sort, &results.facets.year))
                (facet_block(l, "search.facet.theme", "theme", &q, &sort, &results.facets.theme))
            }
            div.search-results {
                @if results.hits.is_empty() { p { (t(l, "search.none")) } } @else {
                    ol.search-hits start=((page_no - 1) * PER_PAGE + 1) {
                        @for h in &results.hits { (hit_item(l, h, false)) }
                    }
                }
                @if pages > 1 {
                    nav.pagination aria-label=(t(l, "search.pages")) {
                        @if page_no > 1 { a rel="prev" href=(link(&q, &sort, page_no - 1)) { (t(l, "search.prev")) } " " }
                        span { (page_no) " / " (pages) }
                        @if page_no < pages { " " a rel="next" href=(link(&q, &sort, page_no + 1)) { (t(l, "search.next")) } }
                    }
                }
            }
        }
    };
    page(&v, t(l, "search.title"), content)
}

/// The hits of a search as CSV (what the list shows, up to the first thousand; Export right).
pub async fn export_csv(v: Viewer, Query(f): Query<SearchForm>) -> Response {
    let l = v.lang;
    let sort = match f.sort.as_deref().unwrap_or("relevance") {
        "date" => grotius_store::SearchSort::Date,
        "relevance" | "" => grotius_store::SearchSort::Relevance,
        other => {
            return crate::ui::error_page(
                l,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("sort: unknown order '{other}'; expected relevance or date"),
            );
        }
    };
    match v
        .access
        .search_export_csv(f.q.as_deref().unwrap_or(""), sort)
        .await
    {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"search.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(StoreError::Invalid(e)) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
        Err(e) => store_error(l, e),
    }
}

pub async fn similar(v: Viewer, Path((kind, id)): Path<(String, String)>) -> Response {
    let l = v.lang;
    let hits = match v.access.search_similar(&kind, &id, 10).await {
        Ok(h) => h,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        h1 { (t(l, "search.similar.title")) }
        p { a href="/search" { (t(l, "search.back")) } }
        @if hits.is_empty() { p { (t(l, "search.none")) } } @else {
            ol.search-hits { @for h in &hits { (hit_item(l, h, true)) } }
        }
    };
    page(&v, t(l, "search.similar.title"), content)
}
