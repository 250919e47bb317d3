//! The fund's reports pages: tables and SVG charts by country, region, theme, track, partner,
//! instrument and year with CSV/XLSX export; the dashboard (decision time against target, open
//! applications, budget use); the printable annual overview for Parliament (full and public);
//! the IATI download.

use crate::routes::{Routes, get};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use grotius_domain::fund::{STATES, TRACKS};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{
    BudgetUse, DecisionTime, FundReportFilter, ParliamentOverview, ReportRow, StoreError,
    TableFormat, TrackTimes,
};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::chart::{Bar, bar_chart};
use crate::ui::{labels_badge, page, store_error, term_label};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/fund/reports", get(reports_page))
        .route("/fund/reports/export", get(export))
        .route("/fund/dashboard", get(dashboard_page))
        .route("/fund/parliament", get(parliament_page))
        .route("/fund/iati.xml", get(iati));
}

// ─── Formatting ─────────────────────────────────────────────────────────────────────────────

fn group_digits(n: u64, sep: char) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Euro cents as `€ 1,234,567.89` (English) or `€ 1.234.567,89` (Dutch).
pub fn fmt_eur(l: Lang, cents: i64) -> String {
    let (thousands, decimal) = match l {
        Lang::En => (',', '.'),
        Lang::Nl => ('.', ','),
    };
    let sign = if cents < 0 { "−" } else { "" };
    let c = cents.unsigned_abs();
    format!(
        "{sign}€ {}{decimal}{:02}",
        group_digits(c / 100, thousands),
        c % 100
    )
}

/// A rounded public amount in millions: `€ 0.4 million`, or "less than € 0.1 million".
pub fn fmt_million(l: Lang, cents: i64) -> String {
    let tenths = cents / 10_000_000;
    if tenths <= 0 {
        return t(l, "fundrep.lessthan").to_string();
    }
    let (w, f) = (tenths / 10, tenths % 10);
    match l {
        Lang::En => format!("€ {w}.{f} million"),
        Lang::Nl => format!("€ {w},{f} miljoen"),
    }
}

fn fmt_days(d: Option<f64>) -> String {
    match d {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "—".into(),
    }
}

fn fmt_pct(p: Option<f64>) -> String {
    p.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

fn track_label(l: Lang, code: &str) -> String {
    term_label(l, TRACKS, code)
}

// ─── Building blocks ────────────────────────────────────────────────────────────────────────

fn money_table(
    l: Lang,
    caption: &str,
    head: &str,
    rows: &[ReportRow],
    total: &ReportRow,
) -> Markup {
    html! {
        table.fundrep {
            caption { (caption) }
            thead { tr {
                th scope="col" { (head) }
                th.num scope="col" { (t(l, "fundrep.grants")) }
                th.num scope="col" { (t(l, "fundrep.committed")) }
                th.num scope="col" { (t(l, "fundrep.disbursed")) }
                th.num scope="col" { (t(l, "fundrep.refunded")) }
                th.num scope="col" { (t(l, "fundrep.outstanding")) }
            } }
            tbody {
                @for r in rows { tr {
                    th scope="row" { (if r.label.is_empty() { "—" } else { r.label.as_str() }) }
                    td.num { (r.grants) }
                    td.num { (fmt_eur(l, r.committed)) }
                    td.num { (fmt_eur(l, r.disbursed)) }
                    td.num { (fmt_eur(l, r.refunded)) }
                    td.num { (fmt_eur(l, r.outstanding)) }
                } }
                tr.total {
                    th scope="row" { (t(l, "fundrep.total")) }
                    td.num { (total.grants) }
                    td.num { (fmt_eur(l, total.committed)) }
                    td.num { (fmt_eur(l, total.disbursed)) }
                    td.num { (fmt_eur(l, total.refunded)) }
                    td.num { (fmt_eur(l, total.outstanding)) }
                }
            }
        }
    }
}

fn money_chart(l: Lang, id: &str, title: &str, rows: &[ReportRow]) -> Markup {
    let bars: Vec<Bar> = rows
        .iter()
        .take(15)
        .map(|r| Bar {
            label: if r.label.is_empty() {
                "—".into()
            } else {
                r.label.clone()
            },
            value: r.committed as f64,
            text: fmt_eur(l, r.committed),
        })
        .collect();
    html! {
        figure.chart {
            (bar_chart(id, title, t(l, "fundrep.chart.desc"), &bars, None))
        }
    }
}

fn section(
    l: Lang,
    id: &str,
    title: &str,
    head: &str,
    rows: &[ReportRow],
    total: &ReportRow,
) -> Markup {
    html! {
        section.fundrep-section aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (title) }
            @if rows.is_empty() { p { (t(l, "fundrep.none")) } } @else {
                (money_chart(l, &format!("{id}-chart"), title, rows))
                (money_table(l, title, head, rows, total))
            }
        }
    }
}

fn decisions_table(l: Lang, decisions: &[TrackTimes], benchmark: i64) -> Markup {
    html! {
        table.fundrep {
            caption { (t(l, "fundrep.decisions.caption")) }
            thead { tr {
                th scope="col" { (t(l, "fundrep.track")) }
                th.num scope="col" { (t(l, "fundrep.decided")) }
                th.num scope="col" { (t(l, "fundrep.median")) }
                th.num scope="col" { (t(l, "fundrep.target")) }
                th.num scope="col" { (t(l, "fundrep.withintarget")) }
                th.num scope="col" { (t(l, "fundrep.withinbenchmark")) " (≤ " (benchmark) ")" }
                th.num scope="col" { (t(l, "fundrep.open")) }
                th.num scope="col" { (t(l, "fundrep.overdue")) }
            } }
            tbody { @for d in decisions { tr {
                th scope="row" { (track_label(l, &d.track)) }
                td.num { (d.decided) }
                td.num { (fmt_days(d.median_days)) }
                td.num { @if d.target_min == d.target_max { (d.target_min) } @else { (d.target_min) "–" (d.target_max) } }
                td.num { (d.within_target) " (" (fmt_pct(d.share_within_target)) ")" }
                td.num { (d.within_benchmark) }
                td.num { (d.open) }
                td.num { (d.open_overdue) }
            } } }
        }
    }
}

fn decisions_chart(id: &str, l: Lang, decisions: &[TrackTimes], benchmark: i64) -> Markup {
    let mut bars = Vec::new();
    for d in decisions {
        let name = track_label(l, &d.track);
        bars.push(Bar {
            label: format!("{name} · {}", t(l, "fundrep.median")),
            value: d.median_days.unwrap_or(0.0),
            text: format!("{} {}", fmt_days(d.median_days), t(l, "fundrep.days")),
        });
        bars.push(Bar {
            label: format!("{name} · {}", t(l, "fundrep.target")),
            value: d.target_max as f64,
            text: format!("{} {}", d.target_max, t(l, "fundrep.days")),
        });
    }
    bars.push(Bar {
        label: t(l, "fundrep.benchmark").to_string(),
        value: benchmark as f64,
        text: format!("{benchmark} {}", t(l, "fundrep.days")),
    });
    html! {
        figure.chart {
            (bar_chart(id, t(l, "fundrep.decisions.caption"), t(l, "fundrep.decisions.desc"), &bars, None))
        }
    }
}

fn budgets_table(l: Lang, budgets: &[BudgetUse]) -> Markup {
    html! {
        table.fundrep {
            caption { (t(l, "fundrep.budgets")) }
            thead { tr {
                th scope="col" { (t(l, "fundrep.instrument")) }
                th.num scope="col" { (t(l, "fundrep.year")) }
                th scope="col" { (t(l, "fundrep.limit")) }
                th.num scope="col" { (t(l, "fundrep.budget")) }
                th.num scope="col" { (t(l, "fundrep.used")) }
                th.num scope="col" { (t(l, "fundrep.available")) }
                th.num scope="col" { (t(l, "fundrep.share")) }
            } }
            tbody { @for b in budgets {
                tr {
                    th scope="row" { (b.instrument_code) }
                    td.num { (b.year) }
                    td { (t(l, "fundrep.annualbudget")) }
                    td.num { (fmt_eur(l, b.budget)) }
                    td.num { (fmt_eur(l, b.used)) }
                    td.num { (fmt_eur(l, b.available)) }
                    td.num { (fmt_pct((b.budget > 0).then(|| (b.used as f64 * 1000.0 / b.budget as f64).round() / 10.0))) }
                }
                @for (scope, key, limit, used) in &b.ceilings { tr {
                    th scope="row" { (b.instrument_code) }
                    td.num { (b.year) }
                    td { (t(l, if scope == "country" { "fundrep.ceiling.country" } else { "fundrep.ceiling.theme" })) ": " (key) }
                    td.num { (fmt_eur(l, *limit)) }
                    td.num { (fmt_eur(l, *used)) }
                    td.num { (fmt_eur(l, limit - used)) }
                    td.num { (fmt_pct((*limit > 0).then(|| (*used as f64 * 1000.0 / *limit as f64).round() / 10.0))) }
                } }
            } }
        }
    }
}

fn budgets_chart(l: Lang, budgets: &[BudgetUse]) -> Markup {
    let bars: Vec<Bar> = budgets
        .iter()
        .map(|b| {
            let share = if b.budget > 0 {
                b.used as f64 / b.budget as f64
            } else {
                0.0
            };
            Bar {
                label: format!("{} {}", b.instrument_code, b.year),
                value: share,
                text: format!("{:.1}%", share * 100.0),
            }
        })
        .collect();
    html! {
        figure.chart {
            (bar_chart("fundrep-budgets", t(l, "fundrep.budgets"), t(l, "fundrep.budgets.desc"), &bars, Some(1.0)))
        }
    }
}

fn open_table(l: Lang, open: &[DecisionTime]) -> Markup {
    html! {
        @if open.is_empty() { p { (t(l, "fundrep.noopen")) } } @else {
            table.fundrep {
                caption { (t(l, "fundrep.open.caption")) }
                thead { tr {
                    th scope="col" { (t(l, "fundrep.reference")) }
                    th scope="col" { (t(l, "fundrep.titlecol")) }
                    th scope="col" { (t(l, "fundrep.partner")) }
                    th scope="col" { (t(l, "fundrep.instrument")) }
                    th scope="col" { (t(l, "fundrep.track")) }
                    th scope="col" { (t(l, "fundrep.state")) }
                    th.num scope="col" { (t(l, "fundrep.waiting")) }
                    th.num scope="col" { (t(l, "fundrep.target")) }
                } }
                tbody { @for d in open { tr class=[(d.days > d.target).then_some("overdue")] {
                    th scope="row" { (d.reference) " " (labels_badge(l, &d.labels)) }
                    td { (d.title) }
                    td { (d.partner) }
                    td { (d.instrument_code) }
                    td { (track_label(l, &d.track)) }
                    td { (term_label(l, STATES, &d.state)) }
                    td.num { (d.days) @if d.days > d.target { " " span.badge.confidential { (t(l, "fundrep.overdue")) } } }
                    td.num { (d.target) }
                } } }
            }
        }
    }
}

fn error_response(l: Lang, e: StoreError) -> Response {
    match e {
        StoreError::Invalid(d) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        other => store_error(l, other),
    }
}

fn parse_year(s: Option<&str>) -> Result<Option<i32>, StoreError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| StoreError::invalid("year", format!("'{y}' is not a fiscal year"))),
    }
}

fn fund_nav(v: &Viewer, here: &str) -> Markup {
    let l = v.lang;
    // The dashboard and reports need the fund's money; the overview for Parliament does not.
    let money = v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::FundTransaction));
    let links: Vec<(&str, &str)> = [
        ("/fund/dashboard", "fundrep.nav.dashboard"),
        ("/fund/reports", "fundrep.nav.reports"),
        ("/fund/parliament", "fundrep.nav.parliament"),
    ]
    .into_iter()
    .filter(|(href, _)| money || *href == "/fund/parliament")
    .collect();
    html! {
        nav.subnav.no-print aria-label=(t(l, "fundrep.nav.label")) {
            ul { @for (href, key) in links {
                li { a href=(href) aria-current=[(here == href).then_some("page")] { (t(l, key)) } }
            } }
        }
    }
}

// ─── Reports ────────────────────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    year: Option<String>,
    instrument: Option<String>,
    format: Option<String>,
    public: Option<String>,
}

pub async fn reports_page(v: Viewer, Query(q): Query<ReportQuery>) -> Response {
    let l = v.lang;
    let year = match parse_year(q.year.as_deref()) {
        Ok(y) => y,
        Err(e) => return error_response(l, e),
    };
    let filter = FundReportFilter {
        year,
        instrument: q.instrument.clone().filter(|s| !s.trim().is_empty()),
    };
    let r = match v.access.fund_report(&filter).await {
        Ok(r) => r,
        Err(e) => return error_response(l, e),
    };
    let instruments = v.access.list_instruments().await.unwrap_or_default();
    let may_export = v.access.may(
        Action::Export,
        Resource::kind(ResourceKind::FundTransaction),
    );
    let qs = format!(
        "&year={}&instrument={}",
        year.map(|y| y.to_string()).unwrap_or_default(),
        url_encode(filter.instrument.as_deref().unwrap_or(""))
    );
    let selected = filter.instrument.clone().unwrap_or_default();
    let content = html! {
        h1 { (t(l, "fundrep.reports.title")) }
        (fund_nav(&v, "/fund/reports"))
        p { (t(l, "fundrep.reports.intro")) }
        form.filters.no-print method="get" action="/fund/reports" role="search" {
            label for="year" { (t(l, "fundrep.year")) input #year type="number" name="year" min="2000" max="2100" value=(year.map(|y| y.to_string()).unwrap_or_default()); }
            label for="instrument" { (t(l, "fundrep.instrument"))
                select #instrument name="instrument" {
                    option value="" { (t(l, "proc.any")) }
                    @for i in &instruments { option value=(i.code) selected[i.code == selected || i.id == selected] { (i.code) " — " (i.name) } }
                }
            }
            button type="submit" { (t(l, "proc.filter")) }
        }
        p.muted { (t(l, "fundrep.method")) }
        p { (t(l, "fundrep.considered")) ": " strong { (r.applications) } " · " (t(l, "fundrep.grants")) ": " strong { (r.total.grants) }
            " · " (t(l, "fundrep.committed")) ": " strong { (fmt_eur(l, r.total.committed)) }
            " · " (t(l, "fundrep.disbursed")) ": " strong { (fmt_eur(l, r.total.disbursed)) } }
        @if may_export {
            p.actions.no-print {
                span { (t(l, "fundrep.export")) ": " }
                a.button href={ "/fund/reports/export?format=csv" (qs) } download { "CSV" }
                " "
                a.button href={ "/fund/reports/export?format=xlsx" (qs) } download { "XLSX" }
            }
        }
        (section(l, "fundrep-country", t(l, "fundrep.bycountry"), t(l, "fundrep.country"), &r.by_country, &r.total))
        (section(l, "fundrep-region", t(l, "fundrep.byregion"), t(l, "fundrep.region"), &r.by_region, &r.total))
        (section(l, "fundrep-theme", t(l, "fundrep.bytheme"), t(l, "fundrep.theme"), &r.by_theme, &r.total))
        (section(l, "fundrep-track", t(l, "fundrep.bytrack"), t(l, "fundrep.track"), &r.by_track, &r.total))
        (section(l, "fundrep-partner", t(l, "fundrep.bypartner"), t(l, "fundrep.partner"), &r.by_partner, &r.total))
        (section(l, "fundrep-instrument", t(l, "fundrep.byinstrument"), t(l, "fundrep.instrument"), &r.by_instrument, &r.total))
        (section(l, "fundrep-year", t(l, "fundrep.byyear"), t(l, "fundrep.year"), &r.by_year, &r.total))
        @if !r.budgets.is_empty() {
            h2 { (t(l, "fundrep.budgets")) }
            (budgets_chart(l, &r.budgets))
            (budgets_table(l, &r.budgets))
        }
        h2 { (t(l, "fundrep.decisions")) }
        (decisions_table(l, &r.decisions, r.benchmark_days))
    };
    page(&v, t(l, "fundrep.reports.title"), content)
}

pub async fn export(v: Viewer, Query(q): Query<ReportQuery>) -> Response {
    let l = v.lang;
    let result = async {
        let format = TableFormat::parse(q.format.as_deref().unwrap_or("csv"))?;
        let filter = FundReportFilter {
            year: parse_year(q.year.as_deref())?,
            instrument: q.instrument.clone().filter(|s| !s.trim().is_empty()),
        };
        let bytes = v.access.export_fund_report(&filter, format).await?;
        Ok::<_, StoreError>(crate::modules::participation::api::download(
            bytes,
            format,
            "fund-report",
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_response(l, e))
}

// ─── Dashboard ──────────────────────────────────────────────────────────────────────────────

pub async fn dashboard_page(v: Viewer, Query(q): Query<ReportQuery>) -> Response {
    let l = v.lang;
    let year = match parse_year(q.year.as_deref()) {
        Ok(y) => y,
        Err(e) => return error_response(l, e),
    };
    let d = match v.access.fund_dashboard(year).await {
        Ok(d) => d,
        Err(e) => return error_response(l, e),
    };
    let content = html! {
        h1 { (t(l, "fundrep.dashboard.title")) }
        (fund_nav(&v, "/fund/dashboard"))
        form.filters.no-print method="get" action="/fund/dashboard" role="search" {
            label for="year" { (t(l, "fundrep.year")) input #year type="number" name="year" min="2000" max="2100" value=(year.map(|y| y.to_string()).unwrap_or_default()); }
            button type="submit" { (t(l, "proc.filter")) }
        }
        h2 { (t(l, "fundrep.decisions")) }
        p.muted { (t(l, "fundrep.decisions.intro")) }
        (decisions_chart("fundrep-decisions", l, &d.decisions, d.benchmark_days))
        (decisions_table(l, &d.decisions, d.benchmark_days))
        h2 { (t(l, "fundrep.open.caption")) }
        (open_table(l, &d.open))
        h2 { (t(l, "fundrep.states")) }
        table.fundrep {
            thead { tr { th scope="col" { (t(l, "fundrep.state")) } th.num scope="col" { (t(l, "fundrep.applications")) } } }
            tbody { @for (s, n) in &d.states { tr { th scope="row" { (term_label(l, STATES, s)) } td.num { (n) } } } }
        }
        @if !d.budgets.is_empty() {
            h2 { (t(l, "fundrep.budgets")) }
            (budgets_chart(l, &d.budgets))
            (budgets_table(l, &d.budgets))
        }
    };
    page(&v, t(l, "fundrep.dashboard.title"), content)
}

// ─── Parliament ─────────────────────────────────────────────────────────────────────────────

fn confidential_section(l: Lang, p: &ParliamentOverview) -> Markup {
    html! {
        section.fundrep-section aria-labelledby="fundrep-conf-h" {
            h2 #fundrep-conf-h { (t(l, "fundrep.conf.title")) }
            p { (t(l, "fundrep.conf.intro")) }
            @if p.confidential.is_empty() && p.confidential_grants > 0 { p { (t(l, "fundrep.conf.suppressed")) } }
            @else if p.confidential.is_empty() { p { (t(l, "fundrep.conf.none")) } } @else {
                ul.fundrep-conf {
                    @for c in &p.confidential { li {
                        (c.processes) " " (t(l, if c.processes == 1 { "fundrep.conf.process" } else { "fundrep.conf.processes" }))
                        " (" (c.grants) " " (t(l, if c.grants == 1 { "fundrep.conf.grant" } else { "fundrep.conf.grants" })) ") "
                        @if c.region.is_empty() { (t(l, "fundrep.conf.elsewhere")) } @else {
                            (t(l, "fundrep.conf.in")) " " (region_name(l, &c.region))
                        }
                        ": " strong { (fmt_million(l, c.committed_rounded)) }
                    } }
                }
                @if let Some(total) = p.confidential_total {
                    p { (t(l, "fundrep.conf.total")) ": " strong { (fmt_million(l, total)) } }
                }
            }
        }
    }
}

fn region_name(l: Lang, code: &str) -> String {
    grotius_domain::reference::REGIONS
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.label(l.code()).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub async fn parliament_page(v: Viewer, Query(q): Query<ReportQuery>) -> Response {
    let l = v.lang;
    let year = match parse_year(q.year.as_deref()) {
        Ok(y) => y.unwrap_or_else(crate::modules::fund::reports::api::this_year),
        Err(e) => return error_response(l, e),
    };
    let want_public = crate::modules::fund::reports::api::flag(q.public.as_deref());
    let p = match v.access.fund_parliament(year, want_public).await {
        Ok(p) => p,
        Err(e) => return error_response(l, e),
    };
    let title = format!("{} {}", t(l, "fundrep.parl.title"), p.year);
    let spent = p.total.spent();
    let content = html! {
        article.parliament {
            h1 { (title) @if p.public { " " span.badge.public { (t(l, "fundrep.parl.public")) } } }
            (fund_nav(&v, "/fund/parliament"))
            form.filters.no-print method="get" action="/fund/parliament" {
                label for="year" { (t(l, "fundrep.year")) input #year type="number" name="year" min="2000" max="2100" value=(p.year); }
                @if want_public { input type="hidden" name="public" value="1"; }
                button type="submit" { (t(l, "fundrep.show")) }
            }
            @if p.full_allowed {
                p.notice.no-print {
                    @if p.public {
                        (t(l, "fundrep.parl.previewing")) " "
                        a href={ "/fund/parliament?year=" (p.year) } { (t(l, "fundrep.parl.tofull")) }
                    } @else {
                        (t(l, "fundrep.parl.fullnote")) " "
                        a href={ "/fund/parliament?year=" (p.year) "&public=1" } { (t(l, "fundrep.parl.topublic")) }
                    }
                }
            }
            p.no-print.muted { (t(l, "fundrep.parl.print")) }
            p { (t(l, "fundrep.parl.intro")) }
            dl.fundrep-key {
                dt { (t(l, "fundrep.grants")) } dd { (p.total.grants) }
                dt { (t(l, "fundrep.committed")) } dd { (fmt_eur(l, p.total.committed)) }
                dt { (t(l, "fundrep.spent")) } dd { (fmt_eur(l, spent)) }
                @if p.public && p.confidential_grants > 0 {
                    dt { (t(l, "fundrep.conf.total")) } dd {
                        @match p.confidential_total {
                            Some(total) => (fmt_million(l, total)),
                            None => (t(l, "fundrep.conf.suppressed")),
                        }
                    }
                }
            }
            @if p.public { p.muted { (t(l, "fundrep.parl.publicnote")) } }
            (section(l, "fundrep-p-country", t(l, "fundrep.bycountry"), t(l, "fundrep.country"), &p.by_country, &p.total))
            (section(l, "fundrep-p-region", t(l, "fundrep.byregion"), t(l, "fundrep.region"), &p.by_region, &p.total))
            (section(l, "fundrep-p-theme", t(l, "fundrep.bytheme"), t(l, "fundrep.theme"), &p.by_theme, &p.total))
            (section(l, "fundrep-p-instrument", t(l, "fundrep.byinstrument"), t(l, "fundrep.instrument"), &p.by_instrument, &p.total))
            section.fundrep-section aria-labelledby="fundrep-proc-h" {
                h2 #fundrep-proc-h { (t(l, "fundrep.processes")) }
                @if p.processes.is_empty() { p { (t(l, "fundrep.none")) } } @else {
                    table.fundrep {
                        thead { tr {
                            th scope="col" { (t(l, "fundrep.process")) }
                            th scope="col" { (t(l, "fundrep.countries")) }
                            th.num scope="col" { (t(l, "fundrep.grants")) }
                            th.num scope="col" { (t(l, "fundrep.committed")) }
                        } }
                        tbody { @for s in &p.processes { tr {
                            th scope="row" { (s.name) @if !p.public { " " (labels_badge(l, &s.labels)) } }
                            td { (s.countries.join(", ")) }
                            td.num { (s.grants) }
                            td.num { (fmt_eur(l, s.committed)) }
                        } } }
                    }
                }
                @if p.grants_without_process > 0 { p { (t(l, "fundrep.withoutprocess")) ": " (p.grants_without_process) } }
            }
            @if p.public { (confidential_section(l, &p)) }
            section.fundrep-section aria-labelledby="fundrep-dec-h" {
                h2 #fundrep-dec-h { (t(l, "fundrep.decisions")) }
                (decisions_table(l, &p.decisions, p.benchmark_days))
            }
            p.muted { (t(l, "fundrep.method")) }
        }
    };
    page(&v, &title, content)
}

// ─── IATI ───────────────────────────────────────────────────────────────────────────────────

pub async fn iati(v: Viewer) -> Response {
    match v.access.export_iati(&mut |_, _| {}).await {
        Ok(x) => crate::modules::fund::reports::api::xml_download(x.xml),
        Err(e) => error_response(v.lang, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_in_both_languages() {
        assert_eq!(fmt_eur(Lang::En, 123_456_789), "€ 1,234,567.89");
        assert_eq!(fmt_eur(Lang::Nl, 123_456_789), "€ 1.234.567,89");
        assert_eq!(fmt_eur(Lang::En, -5), "−€ 0.05");
        assert_eq!(fmt_million(Lang::En, 120_000_000), "€ 1.2 million");
        assert_eq!(fmt_million(Lang::Nl, 40_000_000), "€ 0,4 miljoen");
    }
}
