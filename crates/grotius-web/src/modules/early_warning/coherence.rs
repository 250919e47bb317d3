//! Coherence: where violence rises and where we are. A world map and a sortable table of the
//! countries by the trend of their violence (the escalation test and its mirror) against our
//! presence there — processes, grants, deployments — with filters by region and theme and the
//! table as CSV, XLSX or HXL. And the "our work" section of the country profile. Everything
//! about our own work is counted by `Access::presence`, over the records the reader may read.

use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::early_warning::{Coherence, Trend};
use grotius_domain::reference::{self, THEMES};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{
    AgreementFilter, CoherenceFilter, CoherenceRow, CountryWork, PresenceFilter, ProcessFilter,
    SeriesFormat, StoreError,
};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::modules::fund::reports::ui::fmt_eur;
use crate::routes::{Routes, get};
use crate::ui::world_map::{CategoryMap, category_map};
use crate::ui::{page, store_error, term_label};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/early-warning/coherence", get(coherence));
}

pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "coh.title",
        "Coherence: where violence rises and where we are",
        "Samenhang: waar het geweld toeneemt en waar wij zijn",
    ),
    (
        "coh.intro",
        "Each country's violence trend at the reference month against our presence there (processes, grants and deployments you may read). Red: violence rises and we are absent; orange: it rises where we are active; green: it falls where we are active.",
        "De trend van het geweld per land in de peilmaand tegenover onze aanwezigheid daar (processen, subsidies en uitzendingen die u mag lezen). Rood: het geweld neemt toe en wij zijn afwezig; oranje: het neemt toe waar wij actief zijn; groen: het neemt af waar wij actief zijn.",
    ),
    ("coh.link", "Coherence view", "Samenhangoverzicht"),
    ("coh.region", "Region", "Regio"),
    ("coh.theme", "Theme", "Thema"),
    ("coh.all", "All", "Alle"),
    ("coh.trend", "Trend", "Trend"),
    ("coh.class", "Where we stand", "Waar wij staan"),
    ("coh.rising", "Rising", "Stijgend"),
    ("coh.stable", "Stable", "Stabiel"),
    ("coh.falling", "Falling", "Dalend"),
    (
        "coh.rising_absent",
        "Rising, we are absent",
        "Stijgend, wij zijn afwezig",
    ),
    (
        "coh.rising_present",
        "Rising, we are active",
        "Stijgend, wij zijn actief",
    ),
    (
        "coh.falling_present",
        "Falling, we are active",
        "Dalend, wij zijn actief",
    ),
    ("coh.other", "Other", "Overig"),
    ("coh.presence", "Presence", "Aanwezigheid"),
    ("coh.grants", "Grants", "Subsidies"),
    ("coh.committed", "Committed", "Toegezegd"),
    ("coh.deployments", "Deployments", "Uitzendingen"),
    ("coh.requests", "Requests for support", "Steunverzoeken"),
    ("coh.engagements", "Engagements", "Contactmomenten"),
    ("coh.incidents", "Incidents", "Incidenten"),
    ("coh.documents", "Documents", "Documenten"),
    ("coh.trainings", "Trainings", "Trainingen"),
    (
        "coh.trainings.note",
        "with participants from this country",
        "met deelnemers uit dit land",
    ),
    ("coh.none", "No country to show.", "Geen land om te tonen."),
    (
        "coh.map.desc",
        "Countries coloured by the trend of their violence against our presence.",
        "Landen gekleurd naar de trend van hun geweld tegenover onze aanwezigheid.",
    ),
    (
        "coh.method",
        "Rising: an escalation or a new conflict is signalled (the test below). Falling: P(X ≤ recent | Poisson(expected)) < α, the same test mirrored. Presence: processes, approved or closed grants and deployed experts you may read, with the theme filter applied to processes and grants.",
        "Stijgend: er is een escalatie of een nieuw conflict gesignaleerd (de toets hieronder). Dalend: P(X ≤ recent | Poisson(verwacht)) < α, dezelfde toets gespiegeld. Aanwezigheid: processen, goedgekeurde of afgesloten subsidies en uitgezonden experts die u mag lezen; het themafilter geldt voor processen en subsidies.",
    ),
    ("coh.sort", "Sort by", "Sorteren op"),
];

fn trend_label(l: Lang, tr: Trend) -> &'static str {
    match tr {
        Trend::Rising => t(l, "coh.rising"),
        Trend::Stable => t(l, "coh.stable"),
        Trend::Falling => t(l, "coh.falling"),
    }
}

fn class_label(l: Lang, c: Coherence) -> &'static str {
    match c {
        Coherence::RisingAbsent => t(l, "coh.rising_absent"),
        Coherence::RisingPresent => t(l, "coh.rising_present"),
        Coherence::FallingPresent => t(l, "coh.falling_present"),
        Coherence::Other => t(l, "coh.other"),
    }
}

fn class_index(c: Coherence) -> usize {
    match c {
        Coherence::RisingAbsent => 1,
        Coherence::RisingPresent => 2,
        Coherence::FallingPresent => 3,
        Coherence::Other => 4,
    }
}

fn num(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
}

#[derive(Deserialize, Default)]
struct CoherenceQuery {
    region: Option<String>,
    theme: Option<String>,
    sort: Option<String>,
    format: Option<String>,
}

/// The sort keys of the table (the default keeps the store's order: rising and absent first).
const SORTS: [&str; 7] = [
    "class",
    "country",
    "recent",
    "deaths",
    "processes",
    "grants",
    "deployments",
];

fn sort_rows(rows: &mut [CoherenceRow], key: &str) {
    use std::cmp::Reverse;
    match key {
        "country" => rows.sort_by_cached_key(|r| country_name(&r.country)),
        "recent" => rows.sort_by_key(|r| Reverse(r.recent)),
        "deaths" => rows.sort_by_key(|r| Reverse(r.deaths_best)),
        "processes" => rows.sort_by_key(|r| Reverse(r.work.processes)),
        "grants" => rows.sort_by_key(|r| Reverse(r.work.grants_eur_cents)),
        "deployments" => rows.sort_by_key(|r| Reverse(r.work.deployments)),
        _ => {}
    }
}

fn country_name(code: &str) -> String {
    reference::country(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn invalid(l: Lang, e: StoreError) -> Response {
    match e {
        StoreError::Invalid(d) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        e => store_error(l, e),
    }
}

async fn coherence(v: Viewer, Query(q): Query<CoherenceQuery>) -> Response {
    let l = v.lang;
    let filter = CoherenceFilter {
        region: q.region.clone(),
        theme: q.theme.clone(),
    };
    let params = match v.access.signal_params().await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    if let Some(format) = q.format.as_deref().filter(|f| !f.is_empty()) {
        let format = match SeriesFormat::parse(Some(format)) {
            Ok(f) => f,
            Err(e) => return invalid(l, e),
        };
        return match v.access.export_coherence(&filter, &params, format).await {
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
                            format!("attachment; filename=\"grotius-coherence.{ext}\""),
                        ),
                    ],
                    bytes,
                )
                    .into_response()
            }
            Err(e) => invalid(l, e),
        };
    }
    let mut view = match v.access.coherence(&filter, &params).await {
        Ok(x) => x,
        Err(e) => return invalid(l, e),
    };
    let sort = q
        .sort
        .as_deref()
        .filter(|s| SORTS.contains(s))
        .unwrap_or("class");
    sort_rows(&mut view.rows, sort);
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::ConflictEvent));
    let region = q.region.clone().unwrap_or_default();
    let theme = q.theme.clone().unwrap_or_default();
    let keep = format!(
        "region={}&theme={}",
        url_encode(&region),
        url_encode(&theme)
    );
    let map_rows: Vec<(String, usize, String)> = view
        .rows
        .iter()
        .map(|r| {
            (
                r.country.clone(),
                class_index(r.coherence),
                class_label(l, r.coherence).to_string(),
            )
        })
        .collect();
    let r = &view.readable;
    let content = html! {
        h1 { (t(l, "coh.title")) }
        p { (t(l, "coh.intro")) }
        form.filters method="get" action="/early-warning/coherence" {
            label for="region" { (t(l, "coh.region")) }
            select #region name="region" {
                option value="" { (t(l, "coh.all")) }
                @for x in grotius_store::regions() {
                    option value=(x) selected[x == region] { (x) }
                }
            }
            label for="theme" { (t(l, "coh.theme")) }
            select #theme name="theme" {
                option value="" { (t(l, "coh.all")) }
                @for x in THEMES {
                    option value=(x.code) selected[x.code == theme] { (term_label(l, THEMES, x.code)) }
                }
            }
            label for="sort" { (t(l, "coh.sort")) }
            select #sort name="sort" {
                @for s in SORTS {
                    option value=(s) selected[s == sort] { (sort_label(l, s)) }
                }
            }
            button type="submit" { (t(l, "ew.apply")) }
        }
        (category_map(&CategoryMap {
            id: "coh-map",
            title: t(l, "coh.title"),
            desc: t(l, "coh.map.desc"),
            countries: &map_rows,
            legend: [
                t(l, "coh.rising_absent"),
                t(l, "coh.rising_present"),
                t(l, "coh.falling_present"),
                t(l, "coh.other"),
            ],
        }))
        @if view.rows.is_empty() {
            p { (t(l, "coh.none")) }
        } @else {
            table #coherence {
                thead { tr {
                    th { (t(l, "ew.col.country")) }
                    th { (t(l, "coh.region")) }
                    th { (t(l, "coh.class")) }
                    th { (t(l, "coh.trend")) }
                    th.num { (t(l, "ew.col.recent")) }
                    th.num { (t(l, "ew.col.expected")) }
                    th.num { (t(l, "ew.col.deaths")) }
                    @if r.processes.is_some() { th.num { (t(l, "ew.work.processes")) } }
                    @if r.grants.is_some() {
                        th.num { (t(l, "coh.grants")) }
                        th.num { (t(l, "coh.committed")) }
                    }
                    @if r.deployments.is_some() { th.num { (t(l, "coh.deployments")) } }
                } }
                tbody {
                    @for row in &view.rows {
                        tr class={ "coh-" (row.coherence.as_str()) } {
                            td { a href={ "/countries/" (row.country) } { (country_name(&row.country)) } }
                            td { (row.region) }
                            td { (class_label(l, row.coherence)) }
                            td { (trend_label(l, row.trend)) }
                            td.num { (row.recent) }
                            td.num { (format!("{:.1}", row.expected)) }
                            td.num { (row.deaths_best) }
                            @if r.processes.is_some() { td.num { (num(row.work.processes)) } }
                            @if r.grants.is_some() {
                                td.num { (num(row.work.grants)) }
                                td.num { (fmt_eur(l, row.work.grants_eur_cents.unwrap_or(0))) }
                            }
                            @if r.deployments.is_some() { td.num { (num(row.work.deployments)) } }
                        }
                    }
                }
            }
            @if may_export {
                p.downloads {
                    (t(l, "ew.download")) ": "
                    @for (i, (format, label)) in [("csv", "CSV"), ("xlsx", "XLSX"), ("hxl", "HXL")].into_iter().enumerate() {
                        @if i > 0 { " · " }
                        a href={ "/early-warning/coherence?format=" (format) "&" (keep) } { (label) }
                    }
                }
            }
        }
        section.method {
            h2 { (t(l, "ew.method")) }
            p { (t(l, "coh.method")) }
            p { (t(l, "ew.as_of")) " " (view.as_of.as_deref().unwrap_or("—")) " · α " (view.params.alpha) }
        }
        p { a href="/early-warning" { (t(l, "ew.back")) } }
    };
    page(&v, t(l, "coh.title"), content)
}

fn sort_label(l: Lang, key: &str) -> &'static str {
    match key {
        "country" => t(l, "ew.col.country"),
        "recent" => t(l, "ew.col.recent"),
        "deaths" => t(l, "ew.col.deaths"),
        "processes" => t(l, "ew.work.processes"),
        "grants" => t(l, "coh.committed"),
        "deployments" => t(l, "coh.deployments"),
        _ => t(l, "coh.class"),
    }
}

/// The "our work" section of the country profile: every line counted over what the reader may
/// read, a line the reader may not read at all left out; the processes listed by name.
pub(super) async fn our_work(v: &Viewer, iso: &str) -> Result<Markup, StoreError> {
    let l = v.lang;
    let w: CountryWork = v
        .access
        .presence(&PresenceFilter {
            country: Some(iso.to_string()),
            theme: None,
        })
        .await?
        .of(iso);
    let processes = if w.processes.is_some_and(|n| n > 0) {
        let filter = ProcessFilter {
            country: Some(iso.to_string()),
            ..Default::default()
        };
        v.access
            .list_processes(&filter, 20, 0)
            .await?
            .items
            .into_iter()
            .map(|p| (p.id, p.title))
            .collect()
    } else {
        Vec::new()
    };
    let agreements = if v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Agreement))
    {
        let filter = AgreementFilter {
            country: Some(iso.to_string()),
            ..Default::default()
        };
        Some(v.access.list_agreements(&filter, 1, 0).await?.total)
    } else {
        None
    };
    let q = url_encode(iso);
    Ok(html! {
        section #our-work {
            h2 { (t(l, "ew.work")) }
            p { (t(l, "ew.work.note")) }
            dl.facts {
                @if let Some(n) = w.processes {
                    dt { (t(l, "ew.work.processes")) }
                    dd {
                        a href={ "/processes?country=" (q) } { (n) }
                        @if !processes.is_empty() {
                            ul { @for (id, title) in &processes { li { a href={ "/processes/" (id) } { (title) } } } }
                        }
                    }
                }
                @if let Some(n) = w.engagements {
                    dt { (t(l, "coh.engagements")) } dd { (n) }
                }
                @if let Some(n) = w.requests {
                    dt { (t(l, "coh.requests")) } dd { (n) }
                }
                @if let Some(n) = w.deployments {
                    dt { (t(l, "coh.deployments")) } dd { (n) }
                }
                @if let Some(n) = w.grants {
                    dt { (t(l, "coh.grants")) }
                    dd { (n) " · " (t(l, "coh.committed")) " " (fmt_eur(l, w.grants_eur_cents.unwrap_or(0))) }
                }
                @if let Some(n) = w.incidents {
                    dt { (t(l, "coh.incidents")) } dd { (n) }
                }
                @if let Some(n) = w.documents {
                    dt { (t(l, "coh.documents")) }
                    dd { a href={ "/documents?country=" (q) } { (n) } }
                }
                @if let Some(n) = w.trainings {
                    dt { (t(l, "coh.trainings")) } dd { (n) " " small { (t(l, "coh.trainings.note")) } }
                }
                @if let Some(n) = agreements {
                    dt { (t(l, "ew.work.agreements")) }
                    dd { a href={ "/agreements?country=" (q) } { (n) } }
                }
            }
        }
    })
}
