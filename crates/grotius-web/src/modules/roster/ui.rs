//! The roster pages: experts (list with filters, detail, form, import and export) and requests
//! for support (list, detail with workflow, team and matching, form).

use crate::routes::{Routes, get, post};
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::reference::{self, Term};
use grotius_domain::roster::{
    self, EXPERTISE, Expert, ExpertInput, MODALITIES, REQUEST_STATES, REQUEST_TYPES, RequestInput,
    SEXES, SupportRequest, URGENCIES,
};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{ExpertFilter, ImportReport, RequestFilter, StoreError, TableFormat};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::chart::{Bar, bar_chart};
use crate::ui::{
    FormPairs, classification_select, csrf_field, fmt_micros, form_failure, labels_badge,
    may_create, page, store_error, term_label, vocab_options,
};

const PAGE: i64 = 50;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/roster", get(list).post(create))
        .route("/roster/new", get(new_form))
        .route("/roster/export", get(export))
        .route(
            "/roster/import",
            get(import_form).post(import).layer(DefaultBodyLimit::max(
                crate::modules::roster::api::IMPORT_LIMIT,
            )),
        )
        .route("/roster/experts/{id}", get(show).post(update))
        .route("/roster/experts/{id}/edit", get(edit_form))
        .route("/roster/experts/{id}/delete", post(delete))
        .route("/roster/dashboard", get(dashboard))
        .route("/roster/requests", get(requests).post(create_request))
        .route("/roster/requests/new", get(new_request_form))
        .route(
            "/roster/requests/{id}",
            get(show_request).post(update_request),
        )
        .route("/roster/requests/{id}/edit", get(edit_request_form))
        .route("/roster/requests/{id}/delete", post(delete_request))
        .route("/roster/requests/{id}/transition", post(transition))
        .route("/roster/requests/{id}/team", post(assign))
        .route("/roster/requests/{id}/team/{expert}/remove", post(unassign));
}

fn checkboxes(l: Lang, name: &str, vocab: &[Term], chosen: &[String]) -> Markup {
    html! {
        @for term in vocab {
            label { input type="checkbox" name=(name) value=(term.code) checked[chosen.iter().any(|c| c == term.code)]; " " (term.label(l.code())) }
        }
    }
}

fn labels_of(l: Lang, vocab: &[Term], codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| term_label(l, vocab, c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn yes_no(l: Lang, b: bool) -> &'static str {
    if b {
        t(l, "roster.yes")
    } else {
        t(l, "roster.no")
    }
}

fn invalid_page(l: Lang, e: StoreError) -> Response {
    match e {
        StoreError::Invalid(d) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        other => store_error(l, other),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    expertise: Option<String>,
    language: Option<String>,
    region: Option<String>,
    available_from: Option<String>,
    available_to: Option<String>,
    offset: Option<i64>,
}

pub async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let filter = ExpertFilter {
        q: q.q.clone(),
        expertise: q.expertise.clone(),
        language: q.language.clone(),
        region: q.region.clone(),
        available_from: q.available_from.clone(),
        available_to: q.available_to.clone(),
        ..Default::default()
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let data = match v.access.list_experts(&filter, PAGE, offset).await {
        Ok(p) => p,
        Err(e) => return invalid_page(l, e),
    };
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let qs = |off: i64| {
        format!(
            "/roster?q={}&expertise={}&language={}&region={}&available_from={}&available_to={}&offset={off}",
            url_encode(&s(&q.q)),
            url_encode(&s(&q.expertise)),
            url_encode(&s(&q.language)),
            url_encode(&s(&q.region)),
            url_encode(&s(&q.available_from)),
            url_encode(&s(&q.available_to))
        )
    };
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::Expert));
    let content = html! {
        h1 { (t(l, "roster.title")) }
        p.actions {
            a href="/roster/requests" { (t(l, "roster.requests")) }
            @if may_create(&v, ResourceKind::Expert) {
                " " a.button href="/roster/new" { (t(l, "roster.new")) }
                " " a.button href="/roster/import" { (t(l, "roster.import")) }
            }
            @if may_export {
                " " a.button href="/roster/export?format=csv" download { (t(l, "roster.export.csv")) }
                " " a.button href="/roster/export?format=xlsx" download { (t(l, "roster.export.xlsx")) }
            }
        }
        form.filters method="get" action="/roster" role="search" {
            label for="q" { (t(l, "roster.search")) input #q type="text" name="q" value=(s(&q.q)); }
            label for="expertise" { (t(l, "roster.expertise")) select #expertise name="expertise" { (vocab_options(l, EXPERTISE, q.expertise.as_deref().unwrap_or(""), true)) } }
            label for="language" { (t(l, "roster.language")) input #language type="text" name="language" size="3" value=(s(&q.language)); }
            label for="region" { (t(l, "roster.region")) input #region type="text" name="region" value=(s(&q.region)); }
            label for="available_from" { (t(l, "roster.available.from")) input #available_from type="date" name="available_from" value=(s(&q.available_from)); }
            label for="available_to" { (t(l, "roster.available.to")) input #available_to type="date" name="available_to" value=(s(&q.available_to)); }
            button type="submit" { (t(l, "roster.filter")) }
        }
        @if data.items.is_empty() { p { (t(l, "roster.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "roster.name")) } th { (t(l, "roster.sex")) } th { (t(l, "roster.expertise")) }
                    th { (t(l, "roster.language")) } th { (t(l, "roster.region")) } th { (t(l, "roster.tracks")) }
                    th { (t(l, "labels.classification")) }
                } }
                tbody { @for e in &data.items { tr {
                    td { a href={ "/roster/experts/" (e.id) } { (e.name) } }
                    td { (term_label(l, SEXES, &e.sex)) }
                    td { (labels_of(l, EXPERTISE, &e.expertise)) }
                    td { (e.languages.join(", ")) }
                    td { (e.regions.join(", ")) }
                    td { (e.tracks.join(", ")) }
                    td { (labels_badge(l, &e.labels)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + data.items.len() as i64) " " (t(l, "pager.of")) " " (data.total) }
            @if offset + PAGE < data.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
    };
    page(&v, t(l, "roster.title"), content)
}

pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let e = match v.access.get_expert(&id).await {
        Ok(e) => e,
        Err(e) => return store_error(l, e),
    };
    let r = Resource::labelled(ResourceKind::Expert, &e.labels);
    let may_edit = v.access.may(Action::Update, r);
    let may_delete = v.access.may(Action::Delete, r);
    let content = html! {
        h1 { (e.name) " " (labels_badge(l, &e.labels)) }
        dl.facts {
            dt { (t(l, "roster.sex")) } dd { (term_label(l, SEXES, &e.sex)) }
            dt { (t(l, "roster.expertise")) } dd { (labels_of(l, EXPERTISE, &e.expertise)) }
            dt { (t(l, "roster.languages")) } dd { (e.languages.join(", ")) }
            dt { (t(l, "roster.regions")) } dd { (e.regions.join(", ")) }
            dt { (t(l, "roster.tracks")) } dd { (labels_of(l, reference::TRACKS, &e.tracks)) }
            dt { (t(l, "roster.availability")) } dd { (e.availability.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", ")) }
            dt { (t(l, "roster.clearance")) } dd { (crate::ui::class_label(l, e.clearance)) }
            dt { (t(l, "roster.network")) } dd { (yes_no(l, e.network_member)) @if let Some(n) = &e.network_name { " (" (n) ")" } }
            dt { (t(l, "proc.updated")) } dd { (fmt_micros(e.updated_at)) }
        }
        @if !e.conflicts.is_empty() {
            h2 { (t(l, "roster.conflicts")) }
            ul { @for c in &e.conflicts { li { (c.to_string()) } } }
        }
        @if !e.deployments.is_empty() {
            h2 { (t(l, "roster.deployments")) }
            ul { @for d in &e.deployments { li { (d) } } }
        }
        div.actions {
            @if may_edit { a.button href={ "/roster/experts/" (e.id) "/edit" } { (t(l, "roster.edit")) } }
            @if may_delete {
                form.inline method="post" action={ "/roster/experts/" (e.id) "/delete" } data-confirm=(t(l, "roster.delete.confirm")) {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "roster.delete")) }
                }
            }
        }
    };
    page(&v, &e.name, content)
}

fn input_from(e: &Expert) -> ExpertInput {
    ExpertInput {
        name: e.name.clone(),
        sex: e.sex.clone(),
        expertise: e.expertise.clone(),
        languages: e.languages.clone(),
        regions: e.regions.clone(),
        tracks: e.tracks.clone(),
        availability: e.availability.iter().map(|w| w.to_string()).collect(),
        conflicts: e.conflicts.iter().map(|c| c.to_string()).collect(),
        clearance: e.clearance.as_str().into(),
        network_member: e.network_member,
        network_name: e.network_name.clone(),
        deployments: e.deployments.clone(),
        classification: e.labels.classification.as_str().into(),
        compartment: e.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split([',', ';', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn input_from_form(f: &FormPairs) -> ExpertInput {
    ExpertInput {
        name: f.text("name"),
        sex: f.text("sex"),
        expertise: f.all("expertise"),
        languages: words(&f.text("languages")),
        regions: f
            .text("regions")
            .split([',', ';'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
        tracks: f.all("tracks"),
        availability: lines(&f.text("availability")),
        conflicts: lines(&f.text("conflicts")),
        clearance: f.text("clearance"),
        network_member: f.get("network_member").is_some(),
        network_name: f.get("network_name").map(str::to_string),
        deployments: lines(&f.text("deployments")),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

async fn compartment_select(v: &Viewer, selected: Option<&str>) -> Markup {
    let l = v.lang;
    let compartments = v.access.list_compartments().await.unwrap_or_default();
    let mine: Vec<_> = compartments
        .iter()
        .filter(|c| {
            v.access
                .subject()
                .compartments
                .iter()
                .any(|m| m.as_str() == c.id)
        })
        .collect();
    html! {
        label for="compartment" { (t(l, "labels.compartment")) }
        select #compartment name="compartment" {
            option value="" { (t(l, "labels.no-compartment")) }
            @for c in &mine { option value=(c.id) selected[selected == Some(c.id.as_str())] { (c.name) " (" (c.id) ")" } }
        }
    }
}

async fn form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &ExpertInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let clearance_options = html! {
        select #clearance name="clearance" {
            @for c in grotius_domain::Classification::ALL {
                option value=(c.as_str()) selected[c.as_str() == input.clearance] { (crate::ui::class_label(l, c)) }
            }
        }
    };
    let content = html! {
        h1 { (title) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="name" { (t(l, "roster.name")) " (" (t(l, "form.required")) ")" }
            input #name type="text" name="name" value=(input.name) required maxlength="200";
            label for="sex" { (t(l, "roster.sex")) }
            select #sex name="sex" { (vocab_options(l, SEXES, &input.sex, false)) }
            fieldset { legend { (t(l, "roster.expertise")) } (checkboxes(l, "expertise", EXPERTISE, &input.expertise)) }
            label for="languages" { (t(l, "roster.languages")) }
            input #languages type="text" name="languages" value=(input.languages.join(", ")) placeholder="en, fr, ar";
            label for="regions" { (t(l, "roster.regions")) }
            input #regions type="text" name="regions" value=(input.regions.join(", ")) placeholder="Eastern Africa, SD";
            fieldset { legend { (t(l, "roster.tracks")) } (checkboxes(l, "tracks", reference::TRACKS, &input.tracks)) }
            label for="availability" { (t(l, "roster.availability")) }
            textarea #availability name="availability" placeholder="2026-01-01/2026-03-31" { (input.availability.join("\n")) }
            label for="conflicts" { (t(l, "roster.conflicts")) }
            textarea #conflicts name="conflicts" placeholder="SD: advised a party in 2021" { (input.conflicts.join("\n")) }
            label for="clearance" { (t(l, "roster.clearance")) }
            (clearance_options)
            label { input type="checkbox" name="network_member" value="1" checked[input.network_member]; " " (t(l, "roster.network")) }
            label for="network_name" { (t(l, "roster.network.name")) }
            input #network_name type="text" name="network_name" value=(input.network_name.clone().unwrap_or_default());
            label for="deployments" { (t(l, "roster.deployments")) }
            textarea #deployments name="deployments" { (input.deployments.join("\n")) }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            (compartment_select(v, input.compartment.as_deref()).await)
            div.actions { button type="submit" { (t(l, "form.save")) } a href="/roster" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, title, content);
    *res.status_mut() = status;
    res
}

pub async fn new_form(v: Viewer) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Expert))
        .await
    {
        return store_error(l, e);
    }
    let input = ExpertInput {
        sex: "undisclosed".into(),
        clearance: "internal".into(),
        classification: "internal".into(),
        ..Default::default()
    };
    form_page(
        &v,
        "/roster",
        t(l, "roster.new"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_expert(&input).await {
        Ok(e) => Redirect::to(&format!("/roster/experts/{}", e.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(&v, "/roster", t(l, "roster.new"), &input, Some(msg), status).await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let e = match v.access.get_expert(&id).await {
        Ok(e) => e,
        Err(e) => return store_error(l, e),
    };
    if let Err(err) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Expert, &e.labels),
        )
        .await
    {
        return store_error(l, err);
    }
    let action = format!("/roster/experts/{id}");
    form_page(
        &v,
        &action,
        t(l, "roster.edit"),
        &input_from(&e),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_expert(&id, &input).await {
        Ok(e) => Redirect::to(&format!("/roster/experts/{}", e.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                let action = format!("/roster/experts/{id}");
                form_page(&v, &action, t(l, "roster.edit"), &input, Some(msg), status).await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_expert(&id).await {
        Ok(()) => Redirect::to("/roster").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export(v: Viewer, Query(q): Query<ExportQuery>) -> Response {
    let l = v.lang;
    let format = match TableFormat::parse(q.format.as_deref().unwrap_or("csv")) {
        Ok(f) => f,
        Err(e) => return invalid_page(l, e),
    };
    match v
        .access
        .export_experts(&ExpertFilter::default(), format)
        .await
    {
        Ok(bytes) => crate::modules::roster::api::download(bytes, format),
        Err(e) => store_error(l, e),
    }
}

fn import_page(
    v: &Viewer,
    report: Option<&ImportReport>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let action = format!("/roster/import?_csrf={}", url_encode(&v.csrf));
    let content = html! {
        h1 { (t(l, "roster.import")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        @if let Some(r) = report {
            h2 { (t(l, "roster.import.report")) }
            dl.facts {
                dt { (t(l, "roster.import.rows")) } dd { (r.rows) }
                dt { (t(l, "roster.import.valid")) } dd { (r.valid) }
                dt { (t(l, "roster.import.imported")) } dd { (r.imported) }
            }
            @if !r.committed() { div.error role="alert" { (t(l, "roster.import.nothing")) } }
            @if !r.errors.is_empty() {
                table {
                    thead { tr { th { (t(l, "roster.import.row")) } th { (t(l, "roster.import.column")) } th { (t(l, "roster.import.value")) } th { (t(l, "roster.import.problem")) } } }
                    tbody { @for p in &r.errors { tr { td { (p.row) } td { code { (p.column) } } td { (p.value) } td { (p.message) } } } }
                }
            }
        }
        p { (t(l, "roster.import.help")) }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            label for="file" { (t(l, "roster.import.file")) }
            input #file type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
            label { input type="checkbox" name="valid_rows_only" value="1"; " " (t(l, "roster.import.valid-only")) }
            div.actions { button type="submit" { (t(l, "roster.import.submit")) } a href="/roster" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "roster.import"), content);
    *res.status_mut() = status;
    res
}

pub async fn import_form(v: Viewer) -> Response {
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Expert))
        .await
    {
        return store_error(v.lang, e);
    }
    import_page(&v, None, None, StatusCode::OK)
}

pub async fn import(v: Viewer, req: axum::extract::Request) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Expert))
        .await
    {
        return store_error(l, e);
    }
    let (name, bytes, valid_only) = match crate::modules::roster::api::read_upload(req).await {
        Ok(x) => x,
        Err(e) => return import_page(&v, None, Some(e.message), e.status),
    };
    let format = TableFormat::detect(name.as_deref(), &bytes);
    match v
        .access
        .import_experts(&bytes, format, valid_only, &mut |_, _| {})
        .await
    {
        Ok(r) => {
            let status = if r.committed() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            import_page(&v, Some(&r), None, status)
        }
        Err(StoreError::Invalid(d)) => import_page(
            &v,
            None,
            Some(d.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => store_error(l, e),
    }
}

// ─── Requests ────────────────────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
pub struct RequestQuery {
    q: Option<String>,
    state: Option<String>,
    urgency: Option<String>,
    offset: Option<i64>,
}

fn hours(h: Option<f64>) -> String {
    h.map(|h| format!("{h:.1}")).unwrap_or_else(|| "—".into())
}

fn breakdown_chart(
    id: &str,
    l: Lang,
    title: &str,
    rows: &[grotius_store::Breakdown],
    label: impl Fn(&str) -> String,
) -> Markup {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|b| Bar {
            label: label(&b.key),
            value: b.deployments as f64,
            text: format!(
                "{} · {} {}",
                b.deployments,
                b.experts,
                t(l, "roster.dash.experts")
            ),
        })
        .collect();
    html! {
        @if bars.is_empty() { p { (t(l, "roster.dash.nodeployments")) } } @else {
            (bar_chart(id, title, t(l, "roster.dash.chartdesc"), &bars, None))
        }
    }
}

/// The unit's dashboard: open requests against the 72-hour benchmark, time to decision and
/// deployment, deployments per region and theme — all over what the viewer may see.
pub async fn dashboard(v: Viewer) -> Response {
    let l = v.lang;
    let stats = match v.access.roster_stats().await {
        Ok(s) => s,
        Err(e) => return store_error(l, e),
    };
    let region = |code: &str| term_label(l, reference::REGIONS, code);
    let theme = |code: &str| term_label(l, EXPERTISE, code);
    let content = html! {
        h1 { (t(l, "roster.dash.title")) }
        div.cards {
            div.card { h2 { (t(l, "roster.dash.open")) } p.big { (stats.open) } }
            div.card { h2 { (t(l, "roster.dash.decision")) } p.big { (hours(stats.median_hours_to_decision)) }
                p { (t(l, "roster.dash.decided72")) ": " (stats.decided_within_72h) " / " (stats.decided) } }
            div.card { h2 { (t(l, "roster.dash.deployment")) } p.big { (hours(stats.median_hours_to_deployment)) } }
            div.card { h2 { (t(l, "roster.dash.benchmark")) } p.big { (stats.deployed_within_72h) " / " (stats.deployed) } }
        }
        h2 { (t(l, "roster.dash.bystate")) }
        table.compact {
            thead { tr { th { (t(l, "roster.request.state")) } th.num { (t(l, "roster.dash.count")) } } }
            tbody { @for (state, n) in &stats.by_state { tr {
                td { a href={ "/roster/requests?state=" (state) } { (term_label(l, REQUEST_STATES, state)) } } td.num { (n) }
            } } }
        }
        h2 { (t(l, "roster.dash.byregion")) }
        (breakdown_chart("by-region", l, t(l, "roster.dash.byregion"), &stats.by_region, region))
        h2 { (t(l, "roster.dash.bytheme")) }
        (breakdown_chart("by-theme", l, t(l, "roster.dash.bytheme"), &stats.by_theme, theme))
        h2 { (t(l, "roster.dash.waiting")) }
        @if stats.waiting.is_empty() { p { (t(l, "roster.request.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "roster.request.title")) } th { (t(l, "roster.request.urgency")) }
                    th { (t(l, "roster.request.state")) } th.num { (t(l, "roster.dash.hoursopen")) }
                } }
                tbody { @for w in &stats.waiting { tr.late[w.over_benchmark] {
                    td { a href={ "/roster/requests/" (w.id) } { (w.title) } }
                    td { (term_label(l, URGENCIES, &w.urgency)) }
                    td { (term_label(l, REQUEST_STATES, &w.state)) }
                    td.num { (format!("{:.1}", w.hours_open)) @if w.over_benchmark { " · " (t(l, "roster.dash.late")) } }
                } } }
            }
        }
        p.actions { a href="/roster/requests" { (t(l, "roster.requests")) } }
    };
    page(&v, t(l, "roster.dash.title"), content)
}

pub async fn requests(v: Viewer, Query(q): Query<RequestQuery>) -> Response {
    let l = v.lang;
    let filter = RequestFilter {
        q: q.q.clone(),
        state: q.state.clone(),
        urgency: q.urgency.clone(),
        open: None,
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let data = match v.access.list_requests(&filter, PAGE, offset).await {
        Ok(p) => p,
        Err(e) => return invalid_page(l, e),
    };
    let stats = match v.access.roster_stats().await {
        Ok(s) => s,
        Err(e) => return store_error(l, e),
    };
    let qs = |off: i64| {
        format!(
            "/roster/requests?q={}&state={}&urgency={}&offset={off}",
            url_encode(q.q.as_deref().unwrap_or("")),
            url_encode(q.state.as_deref().unwrap_or("")),
            url_encode(q.urgency.as_deref().unwrap_or(""))
        )
    };
    let content = html! {
        h1 { (t(l, "roster.requests")) }
        div.cards {
            div.card { h2 { (t(l, "roster.dash.open")) } p.big { (stats.open) } }
            div.card { h2 { (t(l, "roster.dash.decision")) } p.big { (hours(stats.median_hours_to_decision)) } }
            div.card { h2 { (t(l, "roster.dash.deployment")) } p.big { (hours(stats.median_hours_to_deployment)) } }
            div.card { h2 { (t(l, "roster.dash.benchmark")) } p.big { (stats.deployed_within_72h) " / " (stats.deployed) } }
        }
        p.actions {
            a href="/roster/dashboard" { (t(l, "roster.dash.title")) } " "
            a href="/roster" { (t(l, "roster.title")) }
            @if may_create(&v, ResourceKind::SupportRequest) { " " a.button href="/roster/requests/new" { (t(l, "roster.request.new")) } }
        }
        form.filters method="get" action="/roster/requests" role="search" {
            label for="q" { (t(l, "roster.search")) input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
            label for="state" { (t(l, "roster.request.state")) select #state name="state" { (vocab_options(l, REQUEST_STATES, q.state.as_deref().unwrap_or(""), true)) } }
            label for="urgency" { (t(l, "roster.request.urgency")) select #urgency name="urgency" { (vocab_options(l, URGENCIES, q.urgency.as_deref().unwrap_or(""), true)) } }
            button type="submit" { (t(l, "roster.filter")) }
        }
        @if data.items.is_empty() { p { (t(l, "roster.request.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "roster.request.title")) } th { (t(l, "roster.request.requester")) } th { (t(l, "roster.request.type")) }
                    th { (t(l, "roster.request.urgency")) } th { (t(l, "roster.request.state")) } th { (t(l, "labels.classification")) } th { (t(l, "roster.request.created")) }
                } }
                tbody { @for r in &data.items { tr {
                    td { a href={ "/roster/requests/" (r.id) } { (r.title) } }
                    td { (r.requester) }
                    td { (term_label(l, REQUEST_TYPES, &r.request_type)) }
                    td { (term_label(l, URGENCIES, &r.urgency)) }
                    td { (term_label(l, REQUEST_STATES, &r.state)) }
                    td { (labels_badge(l, &r.labels)) }
                    td { (fmt_micros(r.created_at)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + data.items.len() as i64) " " (t(l, "pager.of")) " " (data.total) }
            @if offset + PAGE < data.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
    };
    page(&v, t(l, "roster.requests"), content)
}

pub async fn show_request(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let d = match v.access.request_detail(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let r = &d.request;
    let res = Resource::labelled(ResourceKind::SupportRequest, &r.labels);
    let may_edit = v.access.may(Action::Update, res);
    let may_delete = v.access.may(Action::Delete, res);
    let candidates = match v.access.match_request(&id, 20).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => Vec::new(),
        Err(e) => return store_error(l, e),
    };
    let (women, men, other) = roster::gender_balance(d.team.iter().map(|m| m.sex.as_str()));
    let content = html! {
        h1 { (r.title) " " (labels_badge(l, &r.labels)) }
        dl.facts {
            dt { (t(l, "roster.request.requester")) } dd { (r.requester) }
            @if let (Some(pid), Some(name)) = (&r.process_id, &d.process_name) {
                dt { (t(l, "roster.request.process")) } dd { a href={ "/processes/" (pid) } { (name) } }
            }
            dt { (t(l, "roster.request.type")) } dd { (term_label(l, REQUEST_TYPES, &r.request_type)) }
            dt { (t(l, "roster.request.modality")) } dd { (term_label(l, MODALITIES, &r.modality)) }
            dt { (t(l, "roster.request.urgency")) } dd { (term_label(l, URGENCIES, &r.urgency)) }
            dt { (t(l, "roster.request.state")) } dd { (term_label(l, REQUEST_STATES, &r.state)) }
            dt { (t(l, "roster.request.countries")) } dd { (r.countries.join(", ")) }
            dt { (t(l, "roster.expertise")) } dd { (labels_of(l, EXPERTISE, &r.expertise)) }
            dt { (t(l, "roster.languages")) } dd { (r.languages.join(", ")) }
            dt { (t(l, "roster.request.track")) } dd { (r.track.clone().unwrap_or_default()) }
            dt { (t(l, "roster.request.start")) } dd { (r.start_date.clone().unwrap_or_default()) " – " (r.end_date.clone().unwrap_or_default()) }
        }
        @if !r.summary.is_empty() { h2 { (t(l, "roster.request.summary")) } p { (r.summary) } }
        @if !r.notes.is_empty() { h2 { (t(l, "roster.request.notes")) } p { (r.notes) } }
        h2 { (t(l, "roster.request.history")) }
        ul {
            li { (fmt_micros(r.created_at)) " · " (term_label(l, REQUEST_STATES, roster::INITIAL_STATE)) }
            @for h in &d.history {
                li { (fmt_micros(h.at)) " · " (term_label(l, REQUEST_STATES, &h.to_state)) " " (t(l, "roster.request.by")) " " (h.username) @if !h.note.is_empty() { " — " (h.note) } }
            }
        }
        @if may_edit && !roster::next_states(&r.state).is_empty() {
            form.filters method="post" action={ "/roster/requests/" (r.id) "/transition" } {
                (csrf_field(&v))
                label for="to" { (t(l, "roster.request.move")) select #to name="to" {
                    @for s in roster::next_states(&r.state) { option value=(s) { (term_label(l, REQUEST_STATES, s)) } }
                } }
                label for="note" { (t(l, "roster.request.note")) input #note type="text" name="note"; }
                button type="submit" { (t(l, "roster.request.move")) }
            }
        }
        h2 { (t(l, "roster.team")) }
        @if d.team.is_empty() { p { (t(l, "roster.team.none")) } } @else {
            p { (t(l, "roster.team.balance")) ": " (women) " " (t(l, "roster.team.women")) ", " (men) " " (t(l, "roster.team.men")) ", " (other) " " (t(l, "roster.team.other")) }
            ul { @for m in &d.team { li {
                a href={ "/roster/experts/" (m.expert_id) } { (m.name) } " (" (term_label(l, SEXES, &m.sex)) ")"
                @if may_edit {
                    " " form.inline method="post" action={ "/roster/requests/" (r.id) "/team/" (m.expert_id) "/remove" } {
                        (csrf_field(&v)) button type="submit" { (t(l, "roster.team.remove")) }
                    }
                }
            } } }
        }
        h2 { (t(l, "roster.matches")) }
        p.muted { (t(l, "roster.matches.help")) }
        @if candidates.is_empty() { p { (t(l, "roster.matches.none")) } } @else {
            table {
                thead { tr { th { (t(l, "roster.name")) } th { (t(l, "roster.sex")) } th { (t(l, "roster.matches.score")) } th { (t(l, "roster.matches.reasons")) } @if may_edit { th {} } } }
                tbody { @for c in &candidates { tr {
                    td { a href={ "/roster/experts/" (c.expert_id) } { (c.name) } }
                    td { (term_label(l, SEXES, &c.sex)) }
                    td { (format!("{:.1}", c.score)) }
                    td { (c.reasons.iter().map(|x| format!("{}: {} (+{:.1})", x.kind, x.detail, x.points)).collect::<Vec<_>>().join("; ")) }
                    @if may_edit { td {
                        @if !d.team.iter().any(|m| m.expert_id == c.expert_id) {
                            form.inline method="post" action={ "/roster/requests/" (r.id) "/team" } {
                                (csrf_field(&v)) input type="hidden" name="expert_id" value=(c.expert_id);
                                button type="submit" { (t(l, "roster.team.assign")) }
                            }
                        }
                    } }
                } } }
            }
        }
        div.actions {
            @if may_edit { a.button href={ "/roster/requests/" (r.id) "/edit" } { (t(l, "roster.request.edit")) } }
            @if may_delete {
                form.inline method="post" action={ "/roster/requests/" (r.id) "/delete" } data-confirm=(t(l, "roster.request.delete.confirm")) {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "roster.request.delete")) }
                }
            }
        }
    };
    let work =
        crate::modules::work::ui::panel(&v, &r.id, &format!("/roster/requests/{}", r.id)).await;
    let content = html! { (content) (work) };
    page(&v, &r.title, content)
}

fn request_input_from(r: &SupportRequest) -> RequestInput {
    RequestInput {
        title: r.title.clone(),
        requester: r.requester.clone(),
        process_id: r.process_id.clone(),
        request_type: r.request_type.clone(),
        modality: r.modality.clone(),
        urgency: r.urgency.clone(),
        countries: r.countries.clone(),
        expertise: r.expertise.clone(),
        languages: r.languages.clone(),
        track: r.track.clone(),
        start_date: r.start_date.clone(),
        end_date: r.end_date.clone(),
        summary: r.summary.clone(),
        notes: r.notes.clone(),
        classification: r.labels.classification.as_str().into(),
        compartment: r.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

fn request_input_from_form(f: &FormPairs) -> RequestInput {
    let opt = |k: &str| {
        f.get(k)
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
    };
    RequestInput {
        title: f.text("title"),
        requester: f.text("requester"),
        process_id: opt("process_id"),
        request_type: f.text("request_type"),
        modality: f.text("modality"),
        urgency: f.text("urgency"),
        countries: words(&f.text("countries")),
        expertise: f.all("expertise"),
        languages: words(&f.text("languages")),
        track: opt("track"),
        start_date: opt("start_date"),
        end_date: opt("end_date"),
        summary: f.text("summary"),
        notes: f.text("notes"),
        classification: f.text("classification"),
        compartment: opt("compartment"),
    }
}

async fn request_form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &RequestInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let track = input.track.clone().unwrap_or_default();
    let chosen: Vec<String> = input.process_id.iter().cloned().collect();
    let processes = crate::ui::process_choices(v, &chosen).await;
    let content = html! {
        h1 { (title) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="title" { (t(l, "roster.request.title")) " (" (t(l, "form.required")) ")" }
            input #title type="text" name="title" value=(input.title) required maxlength="200";
            label for="requester" { (t(l, "roster.request.requester")) " (" (t(l, "form.required")) ")" }
            input #requester type="text" name="requester" value=(input.requester) required maxlength="200";
            label for="process_id" { (t(l, "roster.request.process.id")) }
            select #process_id name="process_id" {
                option value="" { (t(l, "roster.request.process.none")) }
                @for (id, name) in &processes { option value=(id) selected[input.process_id.as_deref() == Some(id.as_str())] { (name) } }
            }
            label for="request_type" { (t(l, "roster.request.type")) }
            select #request_type name="request_type" { (vocab_options(l, REQUEST_TYPES, &input.request_type, false)) }
            label for="modality" { (t(l, "roster.request.modality")) }
            select #modality name="modality" { (vocab_options(l, MODALITIES, &input.modality, false)) }
            label for="urgency" { (t(l, "roster.request.urgency")) }
            select #urgency name="urgency" { (vocab_options(l, URGENCIES, &input.urgency, false)) }
            label for="countries" { (t(l, "roster.request.countries")) }
            input #countries type="text" name="countries" value=(input.countries.join(", ")) placeholder="SD, SS";
            fieldset { legend { (t(l, "roster.expertise")) } (checkboxes(l, "expertise", EXPERTISE, &input.expertise)) }
            label for="languages" { (t(l, "roster.languages")) }
            input #languages type="text" name="languages" value=(input.languages.join(", ")) placeholder="ar, en";
            label for="track" { (t(l, "roster.request.track")) }
            select #track name="track" { (vocab_options(l, reference::TRACKS, &track, true)) }
            label for="start_date" { (t(l, "roster.request.start")) }
            input #start_date type="date" name="start_date" value=(input.start_date.clone().unwrap_or_default());
            label for="end_date" { (t(l, "roster.request.end")) }
            input #end_date type="date" name="end_date" value=(input.end_date.clone().unwrap_or_default());
            label for="summary" { (t(l, "roster.request.summary")) }
            textarea #summary name="summary" { (input.summary) }
            label for="notes" { (t(l, "roster.request.notes")) }
            textarea #notes name="notes" { (input.notes) }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            (compartment_select(v, input.compartment.as_deref()).await)
            div.actions { button type="submit" { (t(l, "form.save")) } a href="/roster/requests" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, title, content);
    *res.status_mut() = status;
    res
}

pub async fn new_request_form(v: Viewer) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::SupportRequest))
        .await
    {
        return store_error(l, e);
    }
    let input = RequestInput {
        request_type: "advisory".into(),
        modality: "in-person".into(),
        urgency: "routine".into(),
        classification: "internal".into(),
        ..Default::default()
    };
    let title = t(l, "roster.request.new");
    request_form_page(&v, "/roster/requests", title, &input, None, StatusCode::OK).await
}

pub async fn create_request(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = request_input_from_form(&form);
    match v.access.create_request(&input).await {
        Ok(r) => Redirect::to(&format!("/roster/requests/{}", r.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                let title = t(l, "roster.request.new");
                request_form_page(&v, "/roster/requests", title, &input, Some(msg), status).await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn edit_request_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let r = match v.access.get_request(&id).await {
        Ok(r) => r,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::SupportRequest, &r.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let action = format!("/roster/requests/{id}");
    let title = t(l, "roster.request.edit");
    request_form_page(
        &v,
        &action,
        title,
        &request_input_from(&r),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update_request(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = request_input_from_form(&form);
    match v.access.update_request(&id, &input).await {
        Ok(r) => Redirect::to(&format!("/roster/requests/{}", r.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                let action = format!("/roster/requests/{id}");
                let title = t(l, "roster.request.edit");
                request_form_page(&v, &action, title, &input, Some(msg), status).await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete_request(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_request(&id).await {
        Ok(()) => Redirect::to("/roster/requests").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn transition(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    match v
        .access
        .transition_request(&id, &form.text("to"), &form.text("note"))
        .await
    {
        Ok(_) => Redirect::to(&format!("/roster/requests/{id}")).into_response(),
        Err(e) => invalid_page(l, e),
    }
}

pub async fn assign(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v.access.assign_expert(&id, &form.text("expert_id")).await {
        Ok(()) => Redirect::to(&format!("/roster/requests/{id}")).into_response(),
        Err(e) => invalid_page(v.lang, e),
    }
}

pub async fn unassign(v: Viewer, Path((id, expert)): Path<(String, String)>) -> Response {
    match v.access.unassign_expert(&id, &expert).await {
        Ok(()) => Redirect::to(&format!("/roster/requests/{id}")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}
