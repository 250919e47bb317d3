//! Women's participation (WPS): the section on a process page, the per-process page with its
//! rounds, the form to record, edit and delete, the page across processes with filters, the
//! charts (SVG written by the server) and the exports.

use crate::routes::{Routes, get, post};
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::participation::{
    PARTICIPATION_ROLES, Participation, ParticipationInput, SENIORITIES, SEXES, Tally, fmt_share,
};
use grotius_domain::process::Process;
use grotius_domain::reference::{self, PROCESS_STATUSES};
use grotius_domain::{Action, Classification, Resource, ResourceKind};
use grotius_store::{
    CrossShares, ExportScope, ExportTable, ParticipationFilter, ProcessShares, StoreError,
    TableFormat,
};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, class_label, csrf_field, form_failure, labels_badge, page, store_error, term_label,
    vocab_options,
};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/participation", get(across_page))
        .route("/participation/chart.svg", get(across_chart))
        .route("/participation/export", get(across_export))
        .route("/participation/{id}", post(update))
        .route("/participation/{id}/edit", get(edit_form))
        .route("/participation/{id}/delete", post(delete))
        .route(
            "/processes/{id}/participation",
            get(process_page).post(create),
        )
        .route(
            "/processes/{id}/participation/chart.svg",
            get(process_chart),
        )
        .route("/processes/{id}/participation/export", get(process_export));
}

// ─── Chart ──────────────────────────────────────────────────────────────────────────────────

/// One bar: its series label, the share (None: no data) and the numbers behind it.
struct Bar {
    series: &'static str,
    share: Option<f64>,
    detail: String,
    fill: &'static str,
}

const WOMEN: &str = "#6a1b9a";
const MEAN: &str = "#0b5cad";

fn detail(l: Lang, t_: &Tally) -> String {
    if t_.total == 0 {
        return t(l, "wps.chart.nodata").to_string();
    }
    let mut s = format!(
        "{} · {} {} {}",
        fmt_share(t_.share()),
        t_.women,
        t(l, "wps.chart.of"),
        t_.recorded()
    );
    if t_.not_recorded > 0 {
        s.push_str(&format!(
            " · {} {}",
            t_.not_recorded,
            t(l, "wps.chart.notrecorded")
        ));
    }
    s
}

/// Horizontal bars of the share of women per role, with a parity line at 50%. Numbers are text
/// in the picture and in its description; no script, no style attribute.
fn bars_svg(l: Lang, id: &str, title: &str, desc: &str, rows: &[(String, Vec<Bar>)]) -> Markup {
    const W: f64 = 900.0;
    const LABEL: f64 = 190.0;
    const BAR: f64 = 360.0;
    const H_BAR: f64 = 18.0;
    const GAP: f64 = 12.0;
    let n_bars: usize = rows.iter().map(|(_, b)| b.len()).sum();
    let h = 40.0 + n_bars as f64 * (H_BAR + 4.0) + rows.len() as f64 * GAP + 24.0;
    let mut tops = Vec::with_capacity(rows.len());
    let mut y = 30.0;
    for (_, bars) in rows {
        tops.push(y);
        y += bars.len() as f64 * (H_BAR + 4.0) + GAP;
    }
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (h) } width="100%" role="img"
            aria-labelledby={ (title_id) " " (desc_id) } class="share-chart" font-family="system-ui, sans-serif" {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (desc) }
            rect x="0" y="0" width=(W) height=(h) fill="#ffffff" {}
            @for pct in [0.0, 25.0, 50.0, 75.0, 100.0] {
                @let x = LABEL + BAR * pct / 100.0;
                line x1=(format!("{x:.1}")) y1="22" x2=(format!("{x:.1}")) y2=(format!("{:.1}", h - 20.0))
                    stroke=(if pct == 50.0 { "#1b1f24" } else { "#d5dbe3" }) stroke-dasharray=(if pct == 50.0 { "4 3" } else { "none" }) {}
                text x=(format!("{x:.1}")) y="16" font-size="11" text-anchor="middle" fill="#4a5360" { (pct) "%" }
            }
            @for ((label, bars), top) in rows.iter().zip(tops) {
                text x=(LABEL - 8.0) y=(format!("{:.1}", top + 13.0)) font-size="13" text-anchor="end" fill="#1b1f24" { (label) }
                @for (i, b) in bars.iter().enumerate() {
                    @let by = top + i as f64 * (H_BAR + 4.0);
                    @let w = b.share.map(|s| BAR * s / 100.0).unwrap_or(0.0);
                    g {
                        title { (label) " — " (b.series) ": " (b.detail) }
                        rect x=(LABEL) y=(format!("{by:.1}")) width=(format!("{:.1}", BAR)) height=(H_BAR) fill="#f0f2f5" {}
                        rect x=(LABEL) y=(format!("{by:.1}")) width=(format!("{w:.1}")) height=(H_BAR) fill=(b.fill) {}
                        text x=(LABEL + BAR + 8.0) y=(format!("{:.1}", by + 13.0)) font-size="12" fill="#1b1f24" {
                            @if bars.len() > 1 { (b.series) ": " } (b.detail)
                        }
                    }
                }
            }
            text x=(LABEL + BAR * 0.5 + 4.0) y=(format!("{:.1}", h - 6.0)) font-size="11" fill="#1b1f24" { (t(l, "wps.parity")) }
        }
    }
}

fn role_label(l: Lang, code: &str) -> String {
    term_label(l, PARTICIPATION_ROLES, code)
}

fn process_chart_markup(l: Lang, s: &ProcessShares) -> Markup {
    let rows: Vec<(String, Vec<Bar>)> = s
        .roles
        .iter()
        .map(|r| {
            (
                role_label(l, &r.role),
                vec![Bar {
                    series: t(l, "wps.share"),
                    share: r.tally.share(),
                    detail: detail(l, &r.tally),
                    fill: WOMEN,
                }],
            )
        })
        .collect();
    let desc = s
        .roles
        .iter()
        .map(|r| format!("{}: {}", role_label(l, &r.role), detail(l, &r.tally)))
        .collect::<Vec<_>>()
        .join("; ");
    let title = format!("{} — {}", t(l, "wps.chart.title"), s.process_name);
    bars_svg(l, "wps-process", &title, &desc, &rows)
}

fn across_chart_markup(l: Lang, c: &CrossShares) -> Markup {
    let rows: Vec<(String, Vec<Bar>)> = c
        .roles
        .iter()
        .map(|r| {
            (
                role_label(l, &r.role),
                vec![
                    Bar {
                        series: t(l, "wps.pooled"),
                        share: r.pooled_share,
                        detail: detail(l, &r.pooled),
                        fill: WOMEN,
                    },
                    Bar {
                        series: t(l, "wps.mean.short"),
                        share: r.mean_share,
                        detail: match r.mean_share {
                            Some(_) => format!(
                                "{} · {} {}",
                                fmt_share(r.mean_share),
                                r.processes,
                                t(l, "wps.chart.processes")
                            ),
                            None => t(l, "wps.chart.nodata").to_string(),
                        },
                        fill: MEAN,
                    },
                ],
            )
        })
        .collect();
    let desc = c
        .roles
        .iter()
        .map(|r| {
            format!(
                "{}: {} {}, {} {}",
                role_label(l, &r.role),
                t(l, "wps.pooled"),
                detail(l, &r.pooled),
                t(l, "wps.mean"),
                fmt_share(r.mean_share)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    bars_svg(
        l,
        "wps-across",
        &format!(
            "{} — {} ({})",
            t(l, "wps.chart.title"),
            t(l, "wps.across"),
            c.processes.len()
        ),
        &desc,
        &rows,
    )
}

fn svg_response(m: Markup) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        m.into_string(),
    )
        .into_response()
}

// ─── Tables ─────────────────────────────────────────────────────────────────────────────────

fn tally_cells(t_: &Tally) -> Markup {
    html! {
        td.num { (t_.total) } td.num { (t_.women) } td.num { (t_.men) } td.num { (t_.not_recorded) }
        td.num { strong { (fmt_share(t_.share())) } }
    }
}

fn tally_head(l: Lang) -> Markup {
    html! {
        th.num { (t(l, "wps.total")) } th.num { (t(l, "wps.women")) } th.num { (t(l, "wps.men")) }
        th.num { (t(l, "wps.notrecorded")) } th.num { (t(l, "wps.share")) }
    }
}

/// A compact cell: the share, then (women/recorded) and "+n?" for those not recorded.
fn share_cell(t_: &Tally) -> Markup {
    html! {
        @if t_.total == 0 { "—" } @else {
            (fmt_share(t_.share())) " "
            span.muted { "(" (t_.women) "/" (t_.recorded()) @if t_.not_recorded > 0 { " +" (t_.not_recorded) "?" } ")" }
        }
    }
}

fn shares_table(l: Lang, s: &ProcessShares) -> Markup {
    html! {
        table.shares {
            caption { (t(l, "wps.table.caption")) }
            thead { tr { th { (t(l, "wps.role")) } (tally_head(l)) } }
            tbody {
                @for r in &s.roles {
                    tr { th scope="row" { (role_label(l, &r.role)) } (tally_cells(&r.tally)) }
                }
                tr.sum { th scope="row" { (t(l, "wps.allroles")) } (tally_cells(&s.all)) }
            }
        }
        details {
            summary { (t(l, "wps.byseniority")) }
            table.shares {
                thead { tr { th { (t(l, "wps.role")) } @for sen in SENIORITIES { th.num { (sen.label(l.code())) } } } }
                tbody { @for r in &s.roles { tr {
                    th scope="row" { (role_label(l, &r.role)) }
                    @for (_, t_) in &r.by_seniority {
                        td.num { (share_cell(t_)) }
                    }
                } } }
            }
        }
    }
}

fn export_links(l: Lang, base: &str, qs: &str) -> Markup {
    html! {
        p.actions {
            span { (t(l, "wps.export")) ": " }
            a.button href={ (base) "?format=csv&what=shares" (qs) } download { (t(l, "wps.export.shares")) " CSV" }
            a.button href={ (base) "?format=xlsx&what=shares" (qs) } download { (t(l, "wps.export.shares")) " XLSX" }
            a.button href={ (base) "?format=csv&what=records" (qs) } download { (t(l, "wps.export.records")) " CSV" }
            a.button href={ (base) "?format=xlsx&what=records" (qs) } download { (t(l, "wps.export.records")) " XLSX" }
        }
    }
}

// ─── Process section and page ───────────────────────────────────────────────────────────────

/// The "Participation" section of a process page (all rounds, or one). `None` when the viewer
/// may not read participation at all.
pub async fn section(
    v: &Viewer,
    p: &Process,
    round: Option<&str>,
) -> Result<Option<Markup>, StoreError> {
    let l = v.lang;
    if !v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Participation))
    {
        return Ok(None);
    }
    let records = v.access.list_participation(&p.id, None).await?;
    let shares = v.access.participation_summary(&p.id, round).await?;
    let shown: Vec<&Participation> = records
        .iter()
        .filter(|r| round.is_none_or(|x| r.round == x))
        .collect();
    let may_add = v.access.may(
        Action::Create,
        Resource::labelled(ResourceKind::Participation, &p.labels),
    );
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::Participation));
    let base = format!("/processes/{}/participation", p.id);
    let qs = round
        .map(|r| format!("&round={}", url_encode(r)))
        .unwrap_or_default();
    Ok(Some(html! {
        section #participation aria-labelledby="wps-heading" {
            h2 #wps-heading { (t(l, "wps.title")) }
            p.muted { (t(l, "wps.method")) }
            @if !shares.rounds.is_empty() {
                p.rounds { (t(l, "wps.rounds")) ": "
                    a href=(base) aria-current=[round.is_none().then_some("true")] { (t(l, "wps.allrounds")) }
                    @for r in &shares.rounds {
                        " · " a href={ (base) "?round=" (url_encode(r)) } aria-current=[(round == Some(r.as_str())).then_some("true")] { (r) }
                    }
                }
            }
            @if shown.is_empty() { p { (t(l, "wps.none")) } } @else {
                (shares_table(l, &shares))
                figure.chart {
                    (process_chart_markup(l, &shares))
                    figcaption { a href={ (base) "/chart.svg" @if let Some(r) = round { "?round=" (url_encode(r)) } } { (t(l, "wps.chart.open")) } }
                }
                @if may_export { (export_links(l, &format!("{base}/export"), &qs)) }
                details {
                    summary { (t(l, "wps.records")) " (" (shown.len()) ")" }
                    (records_table(v, &shown))
                }
            }
            @if may_add {
                details {
                    summary { (t(l, "wps.new")) }
                    (record_form(v, p, &base, &default_input(p, round), None).await)
                }
            }
        }
    }))
}

fn records_table(v: &Viewer, records: &[&Participation]) -> Markup {
    let l = v.lang;
    html! {
        table {
            thead { tr {
                th { (t(l, "wps.role")) } th { (t(l, "wps.sex")) } th { (t(l, "wps.seniority")) } th { (t(l, "wps.party")) }
                th { (t(l, "wps.round")) } th { (t(l, "wps.date")) } th.num { (t(l, "wps.count")) } th { (t(l, "labels.classification")) } th { "" }
            } }
            tbody { @for r in records { tr {
                td { (role_label(l, &r.role)) }
                td { (term_label(l, SEXES, &r.sex)) }
                td { (term_label(l, SENIORITIES, &r.seniority)) }
                td { @if let (Some(a), Some(n)) = (&r.actor_id, &r.actor_name) { a href={ "/network/actors/" (a) } { (n) } } @else { (r.party) } }
                td { (r.round) }
                td { (r.date.clone().unwrap_or_default()) }
                td.num { (r.count) }
                td { (labels_badge(l, &r.labels)) }
                td {
                    @if v.access.may(Action::Update, Resource::labelled(ResourceKind::Participation, &r.labels)) {
                        a href={ "/participation/" (r.id) "/edit" } { (t(l, "wps.edit")) } " "
                    }
                    @if v.access.may(Action::Delete, Resource::labelled(ResourceKind::Participation, &r.labels)) {
                        form.inline method="post" action={ "/participation/" (r.id) "/delete" } {
                            (csrf_field(v)) button.secondary type="submit" { (t(l, "wps.delete")) }
                        }
                    }
                }
            } } }
        }
    }
}

fn default_input(p: &Process, round: Option<&str>) -> ParticipationInput {
    ParticipationInput {
        role: "delegate".into(),
        sex: "female".into(),
        seniority: "senior".into(),
        round: round.unwrap_or_default().into(),
        count: 1,
        classification: p.labels.classification.as_str().into(),
        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
        ..Default::default()
    }
}

/// The form to record or edit; it repeats the input and names the bad field.
async fn record_form(
    v: &Viewer,
    p: &Process,
    action: &str,
    input: &ParticipationInput,
    error: Option<&str>,
) -> Markup {
    let l = v.lang;
    // Actors of the process's first country the viewer may see (the store filters them).
    let actors = if v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Actor))
    {
        v.access
            .list_actors(
                &grotius_store::ActorFilter {
                    country: p.countries.first().cloned(),
                    ..Default::default()
                },
                500,
                0,
            )
            .await
            .map(|a| a.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let selected_actor = input.actor_id.as_deref().unwrap_or("");
    let classes: Vec<Classification> = Classification::ALL
        .into_iter()
        .filter(|c| *c >= p.labels.classification && *c <= v.access.subject().clearance)
        .collect();
    html! {
        @if let Some(e) = error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="wps-role" { (t(l, "wps.role")) }
            select #wps-role name="role" { (vocab_options(l, PARTICIPATION_ROLES, &input.role, false)) }
            label for="wps-sex" { (t(l, "wps.sex")) }
            select #wps-sex name="sex" { (vocab_options(l, SEXES, &input.sex, false)) }
            label for="wps-seniority" { (t(l, "wps.seniority")) }
            select #wps-seniority name="seniority" { (vocab_options(l, SENIORITIES, &input.seniority, false)) }
            label for="wps-count" { (t(l, "wps.count")) }
            input #wps-count type="number" name="count" min="1" max="10000" value=(input.count) required;
            p.muted { (t(l, "wps.count.help")) }
            label for="wps-party" { (t(l, "wps.party")) }
            input #wps-party type="text" name="party" maxlength="120" value=(input.party) placeholder=(t(l, "wps.party.placeholder"));
            @if !actors.is_empty() {
                label for="wps-actor" { (t(l, "wps.actor")) }
                select #wps-actor name="actor_id" {
                    option value="" { "—" }
                    @for a in &actors { option value=(a.id) selected[a.id == selected_actor] { (a.name) } }
                }
            } @else if !selected_actor.is_empty() {
                input type="hidden" name="actor_id" value=(selected_actor);
            }
            label for="wps-round" { (t(l, "wps.round")) }
            input #wps-round type="text" name="round" maxlength="80" value=(input.round) placeholder=(t(l, "wps.round.placeholder"));
            label for="wps-date" { (t(l, "wps.date")) }
            input #wps-date type="date" name="date" value=(input.date.clone().unwrap_or_default());
            p.muted { (t(l, "wps.labels")) }
            label for="classification" { (t(l, "labels.classification")) }
            select id="classification" name="classification" {
                @for c in &classes { option value=(c.as_str()) selected[c.as_str() == input.classification] { (class_label(l, *c)) } }
            }
            input type="hidden" name="compartment" value=(input.compartment.clone().unwrap_or_default());
            div.actions { button type="submit" { (t(l, "form.save")) } a href={ "/processes/" (p.id) "/participation" } { (t(l, "form.cancel")) } }
        }
    }
}

fn input_from_form(f: &FormPairs) -> ParticipationInput {
    ParticipationInput {
        role: f.text("role"),
        sex: f.text("sex"),
        seniority: f.text("seniority"),
        party: f.text("party"),
        actor_id: f.get("actor_id").map(str::to_string),
        round: f.text("round"),
        date: f.get("date").map(str::to_string),
        // A count that is not a number is refused by validation as 0 (and named).
        count: f.text("count").trim().parse().unwrap_or(0),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    round: Option<String>,
}

fn round_of(q: &RoundQuery) -> Option<&str> {
    q.round.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

/// The participation of one process on a page of its own (with the choice of round).
pub async fn process_page(
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<RoundQuery>,
) -> Response {
    let l = v.lang;
    let p = match v.access.get_process(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let sec = match section(&v, &p, round_of(&q)).await {
        Ok(Some(s)) => s,
        Ok(None) => return store_error(l, StoreError::NotFound),
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        p { a href={ "/processes/" (p.id) } { "← " (p.display_name()) } " " (labels_badge(l, &p.labels)) }
        (sec)
    };
    page(
        &v,
        &format!("{} — {}", t(l, "wps.title"), p.display_name()),
        content,
    )
}

async fn form_page(
    v: &Viewer,
    p: &Process,
    action: &str,
    input: &ParticipationInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let content = html! {
        p { a href={ "/processes/" (p.id) "/participation" } { "← " (p.display_name()) } }
        h1 { (t(l, "wps.title")) " — " (p.display_name()) }
        (record_form(v, p, action, input, error.as_deref()).await)
    };
    let mut res = page(v, t(l, "wps.title"), content);
    *res.status_mut() = status;
    res
}

pub async fn create(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_participation(&id, &input).await {
        Ok(_) => Redirect::to(&format!("/processes/{id}/participation")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => match v.access.get_process(&id).await {
                Ok(p) => {
                    form_page(
                        &v,
                        &p,
                        &format!("/processes/{id}/participation"),
                        &input,
                        Some(msg),
                        status,
                    )
                    .await
                }
                Err(e) => store_error(l, e),
            },
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let r = match v.access.get_participation(&id).await {
        Ok(r) => r,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Participation, &r.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let p = match v.access.get_process(&r.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    form_page(
        &v,
        &p,
        &format!("/participation/{id}"),
        &ParticipationInput::from(&r),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_participation(&id, &input).await {
        Ok(r) => {
            Redirect::to(&format!("/processes/{}/participation", r.process_id)).into_response()
        }
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                let process = match v.access.get_participation(&id).await {
                    Ok(r) => v.access.get_process(&r.process_id).await,
                    Err(e) => Err(e),
                };
                match process {
                    Ok(p) => {
                        form_page(
                            &v,
                            &p,
                            &format!("/participation/{id}"),
                            &input,
                            Some(msg),
                            status,
                        )
                        .await
                    }
                    Err(e) => store_error(l, e),
                }
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_participation(&id).await {
        Ok(process) => Redirect::to(&format!("/processes/{process}/participation")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn process_chart(
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<RoundQuery>,
) -> Response {
    match v.access.participation_summary(&id, round_of(&q)).await {
        Ok(s) => svg_response(process_chart_markup(v.lang, &s)),
        Err(e) => store_error(v.lang, e),
    }
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    format: Option<String>,
    what: Option<String>,
    round: Option<String>,
    region: Option<String>,
    year: Option<String>,
    status: Option<String>,
}

fn export_params(q: &ExportQuery) -> Result<(TableFormat, ExportTable), StoreError> {
    Ok((
        TableFormat::parse(q.format.as_deref().unwrap_or("csv"))?,
        ExportTable::parse(q.what.as_deref().unwrap_or(""))?,
    ))
}

pub async fn process_export(
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let l = v.lang;
    let result = async {
        let (format, table) = export_params(&q)?;
        let scope = ExportScope::Process {
            id,
            round: q.round.clone(),
        };
        let bytes = v.access.export_participation(&scope, table, format).await?;
        Ok::<_, StoreError>(crate::modules::participation::api::download(
            bytes,
            format,
            &format!("participation-{}", table.as_str()),
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_response(l, e))
}

fn error_response(l: Lang, e: StoreError) -> Response {
    match e {
        StoreError::Invalid(d) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        other => store_error(l, other),
    }
}

// ─── Across processes ───────────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
pub struct AcrossQuery {
    region: Option<String>,
    year: Option<String>,
    status: Option<String>,
}

fn filter_of(
    region: &Option<String>,
    year: &Option<String>,
    status: &Option<String>,
) -> Result<ParticipationFilter, StoreError> {
    let year = match year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => Some(
            y.parse::<i64>()
                .map_err(|_| StoreError::invalid("year", format!("'{y}' is not a year")))?,
        ),
    };
    Ok(ParticipationFilter {
        region: region.clone(),
        year,
        status: status.clone(),
    })
}

fn regions() -> Vec<String> {
    let mut r: Vec<String> = reference::countries()
        .iter()
        .flat_map(|c| [c.region.clone(), c.sub_region.clone()])
        .filter(|r| !r.is_empty())
        .collect();
    r.sort();
    r.dedup();
    r
}

pub async fn across_page(v: Viewer, Query(q): Query<AcrossQuery>) -> Response {
    let l = v.lang;
    let cross = match filter_of(&q.region, &q.year, &q.status) {
        Ok(f) => v.access.participation_across(&f).await,
        Err(e) => Err(e),
    };
    let cross = match cross {
        Ok(c) => c,
        Err(e) => return error_response(l, e),
    };
    let qs = format!(
        "&region={}&year={}&status={}",
        url_encode(q.region.as_deref().unwrap_or("")),
        url_encode(q.year.as_deref().unwrap_or("")),
        url_encode(q.status.as_deref().unwrap_or(""))
    );
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::Participation));
    let region = q.region.clone().unwrap_or_default();
    let content = html! {
        h1 { (t(l, "wps.title")) " — " (t(l, "wps.across")) }
        p { (t(l, "wps.intro")) }
        form.filters method="get" action="/participation" role="search" {
            label for="region" { (t(l, "wps.region"))
                select #region name="region" {
                    option value="" { (t(l, "proc.any")) }
                    @for r in regions() { option value=(r) selected[r == region] { (r) } }
                }
            }
            label for="year" { (t(l, "wps.year")) input #year type="number" name="year" min="1900" max="2100" value=(q.year.clone().unwrap_or_default()); }
            label for="status" { (t(l, "proc.status")) select #status name="status" { (vocab_options(l, PROCESS_STATUSES, q.status.as_deref().unwrap_or(""), true)) } }
            button type="submit" { (t(l, "proc.filter")) }
        }
        p.muted { (t(l, "wps.method")) " " (t(l, "wps.method.across")) }
        p { (t(l, "wps.considered")) ": " strong { (cross.processes_considered) } " · " (t(l, "wps.withdata")) ": " strong { (cross.processes.len()) } }
        table.shares {
            caption { (t(l, "wps.across.caption")) }
            thead { tr {
                th { (t(l, "wps.role")) }
                th.num { (t(l, "wps.total")) } th.num { (t(l, "wps.women")) } th.num { (t(l, "wps.men")) }
                th.num { (t(l, "wps.notrecorded")) } th.num { (t(l, "wps.share.pooled")) }
                th.num { (t(l, "wps.mean")) } th.num { (t(l, "wps.processes")) } th.num { (t(l, "wps.without")) }
            } }
            tbody { @for r in &cross.roles { tr {
                th scope="row" { (role_label(l, &r.role)) }
                (tally_cells(&r.pooled))
                td.num { strong { (fmt_share(r.mean_share)) } }
                td.num { (r.processes) }
                td.num { (r.processes_without_women) }
            } } }
        }
        figure.chart {
            (across_chart_markup(l, &cross))
            figcaption { a href={ "/participation/chart.svg?" (qs.trim_start_matches('&')) } { (t(l, "wps.chart.open")) } }
        }
        @if may_export { (export_links(l, "/participation/export", &qs)) }
        h2 { (t(l, "wps.perprocess")) }
        @if cross.processes.is_empty() { p { (t(l, "wps.none")) } } @else {
            table.shares {
                thead { tr { th { (t(l, "proc.name")) } @for r in PARTICIPATION_ROLES { th.num { (r.label(l.code())) } } th.num { (t(l, "wps.allroles")) } } }
                tbody { @for s in &cross.processes { tr {
                    th scope="row" { a href={ "/processes/" (s.process_id) "/participation" } { (s.process_name) } }
                    @for r in &s.roles {
                        td.num { (share_cell(&r.tally)) }
                    }
                    td.num { (fmt_share(s.all.share())) }
                } } }
            }
        }
    };
    page(&v, t(l, "wps.title"), content)
}

pub async fn across_chart(v: Viewer, Query(q): Query<AcrossQuery>) -> Response {
    let l = v.lang;
    let cross = match filter_of(&q.region, &q.year, &q.status) {
        Ok(f) => v.access.participation_across(&f).await,
        Err(e) => Err(e),
    };
    match cross {
        Ok(c) => svg_response(across_chart_markup(l, &c)),
        Err(e) => error_response(l, e),
    }
}

pub async fn across_export(v: Viewer, Query(q): Query<ExportQuery>) -> Response {
    let l = v.lang;
    let result = async {
        let (format, table) = export_params(&q)?;
        let filter = filter_of(&q.region, &q.year, &q.status)?;
        let bytes = v
            .access
            .export_participation(&ExportScope::Across(filter), table, format)
            .await?;
        Ok::<_, StoreError>(crate::modules::participation::api::download(
            bytes,
            format,
            &format!("participation-all-{}", table.as_str()),
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_response(l, e))
}
