//! The document library: list with filters, upload (multipart, streamed), detail with the
//! extracted text and every version, new version, metadata edits, downloads.

use crate::routes::{Routes, get};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::document::{Document, DocumentInput, LANGUAGES};
use grotius_domain::reference;
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{DocumentFilter, ProcessFilter, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, classification_select, csrf_field, fmt_micros, form_failure, labels_badge,
    may_create, page, store_error, term_label, vocab_options,
};
use crate::upload;

const PAGE: i64 = 50;

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/documents",
        get(list).post(create).layer(DefaultBodyLimit::disable()),
    )
    .route("/documents/new", get(new_form))
    .route("/documents/{id}", get(show).post(update))
    .route("/documents/{id}/edit", get(edit_form))
    .route("/documents/{id}/delete", crate::routes::post(delete))
    .route(
        "/documents/{id}/versions",
        crate::routes::post(add_version).layer(DefaultBodyLimit::disable()),
    )
    .route("/documents/{id}/versions/{n}/file", get(download));
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    country: Option<String>,
    theme: Option<String>,
    language: Option<String>,
    process: Option<String>,
    offset: Option<i64>,
}

fn language_name(l: Lang, code: &str) -> &'static str {
    match code {
        "en" => t(l, "doc.lang.en"),
        "nl" => t(l, "doc.lang.nl"),
        "fr" => t(l, "doc.lang.fr"),
        "ar" => t(l, "doc.lang.ar"),
        _ => t(l, "doc.lang.detect"),
    }
}

fn language_options(l: Lang, selected: &str, empty_key: &'static str) -> Markup {
    html! {
        option value="" { (t(l, empty_key)) }
        @for c in LANGUAGES { option value=(c) selected[c == selected] { (language_name(l, c)) } }
    }
}

fn human_size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

pub async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let filter = DocumentFilter {
        country: q.country.clone(),
        theme: q.theme.clone(),
        language: q.language.clone(),
        process: q.process.clone(),
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let data = match v.access.list_documents(&filter, PAGE, offset).await {
        Ok(p) => p,
        Err(StoreError::Invalid(e)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let qs = |off: i64| {
        format!(
            "/documents?country={}&theme={}&language={}&process={}&offset={off}",
            url_encode(q.country.as_deref().unwrap_or("")),
            url_encode(q.theme.as_deref().unwrap_or("")),
            url_encode(q.language.as_deref().unwrap_or("")),
            url_encode(q.process.as_deref().unwrap_or(""))
        )
    };
    let content = html! {
        h1 { (t(l, "doc.title")) }
        p.actions {
            @if may_create(&v, ResourceKind::Document) { a.button href="/documents/new" { (t(l, "doc.new")) } }
        }
        form.filters method="get" action="/documents" role="search" {
            label for="country" { "ISO" input #country type="text" name="country" size="4" value=(q.country.clone().unwrap_or_default()); }
            label for="theme" { (t(l, "proc.themes")) select #theme name="theme" { (vocab_options(l, reference::THEMES, q.theme.as_deref().unwrap_or(""), true)) } }
            label for="language" { (t(l, "doc.language")) select #language name="language" { (language_options(l, q.language.as_deref().unwrap_or(""), "proc.any")) } }
            @if let Some(p) = q.process.as_deref().filter(|p| !p.is_empty()) { input type="hidden" name="process" value=(p); }
            button type="submit" { (t(l, "proc.filter")) }
        }
        @if data.items.is_empty() { p { (t(l, "doc.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "doc.field.title")) } th { (t(l, "doc.date")) } th { (t(l, "doc.language")) }
                    th { (t(l, "proc.countries.col")) } th { (t(l, "doc.format")) } th { (t(l, "doc.versions")) }
                    th { (t(l, "labels.classification")) } th { (t(l, "proc.updated")) }
                } }
                tbody { @for d in &data.items { tr {
                    td { a href={ "/documents/" (d.id) } { (d.title) } }
                    td { (d.date) }
                    td { (language_name(l, &d.language)) }
                    td { (d.countries.join(", ")) }
                    td { (d.format.code()) " · " (human_size(d.size)) }
                    td { (d.latest_version) }
                    td { (labels_badge(l, &d.labels)) }
                    td { (fmt_micros(d.updated_at)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + data.items.len() as i64) " " (t(l, "pager.of")) " " (data.total) }
            @if offset + PAGE < data.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
    };
    page(&v, t(l, "doc.title"), content)
}

/// Processes the viewer may link a document to (id, name).
async fn linkable_processes(v: &Viewer) -> Vec<(String, String)> {
    if !v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Process))
    {
        return Vec::new();
    }
    v.access
        .list_processes(&ProcessFilter::default(), 500, 0)
        .await
        .map(|p| {
            p.items
                .into_iter()
                .map(|p| (p.id.clone(), p.display_name().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The metadata fields shared by the upload and edit forms.
async fn meta_fields(v: &Viewer, input: &DocumentInput) -> Markup {
    let l = v.lang;
    let compartments = v.access.list_compartments().await.unwrap_or_default();
    let member_of: Vec<_> = compartments
        .iter()
        .filter(|c| {
            v.access
                .subject()
                .compartments
                .iter()
                .any(|m| m.as_str() == c.id)
        })
        .collect();
    let processes = linkable_processes(v).await;
    html! {
        label for="title" { (t(l, "doc.field.title")) " (" (t(l, "form.required")) ")" }
        input #title type="text" name="title" value=(input.title) required maxlength="300";
        label for="date" { (t(l, "doc.date")) }
        input #date type="date" name="date" value=(input.date);
        label for="language" { (t(l, "doc.language")) }
        select #language name="language" { (language_options(l, &input.language, "doc.lang.detect")) }
        label for="author" { (t(l, "doc.author")) }
        input #author type="text" name="author" value=(input.author) maxlength="300";
        label for="countries" { (t(l, "proc.countries")) }
        input #countries type="text" name="countries" value=(input.countries.join(", ")) placeholder="SD, SS";
        fieldset { legend { (t(l, "proc.themes")) }
            @for th in reference::THEMES {
                label { input type="checkbox" name="themes" value=(th.code) checked[input.themes.iter().any(|x| x == th.code)]; " " (th.label(l.code())) }
            }
        }
        @if !processes.is_empty() {
            label for="processes" { (t(l, "doc.processes")) }
            select #processes name="processes" multiple size="6" {
                @for (id, name) in &processes { option value=(id) selected[input.processes.iter().any(|p| p == id)] { (name) } }
            }
            p.muted { (t(l, "doc.labels.hint")) }
        }
        label for="classification" { (t(l, "labels.classification")) }
        (classification_select(l, v.access.subject().clearance, &input.classification))
        label for="compartment" { (t(l, "labels.compartment")) }
        select #compartment name="compartment" {
            option value="" { (t(l, "labels.no-compartment")) }
            @for c in &member_of { option value=(c.id) selected[input.compartment.as_deref() == Some(c.id.as_str())] { (c.name) " (" (c.id) ")" } }
        }
    }
}

async fn upload_page(
    v: &Viewer,
    input: &DocumentInput,
    limit: usize,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let action = format!("/documents?_csrf={}", url_encode(&v.csrf));
    let content = html! {
        h1 { (t(l, "doc.new")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            (csrf_field(v))
            label for="file" { (t(l, "doc.file")) " (" (t(l, "form.required")) ")" }
            input #file type="file" name="file" required accept=".pdf,.docx,.html,.htm,.md,.markdown,.txt";
            p.muted { (t(l, "doc.file.hint")) " " (upload::limit_text(limit)) "." }
            (meta_fields(v, input).await)
            div.actions { button type="submit" { (t(l, "doc.upload")) } a href="/documents" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "doc.new"), content);
    *res.status_mut() = status;
    res
}

pub async fn new_form(State(state): State<AppState>, v: Viewer) -> Response {
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Document))
        .await
    {
        return store_error(v.lang, e);
    }
    let input = DocumentInput {
        classification: "internal".into(),
        ..Default::default()
    };
    upload_page(
        &v,
        &input,
        state.config.document_limit,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    req: axum::extract::Request,
) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Document))
        .await
    {
        return store_error(l, e);
    }
    let limit = state.config.document_limit;
    let form = match upload::read_form(req, limit).await {
        Ok(f) => f,
        Err(e) => {
            let input = DocumentInput {
                classification: "internal".into(),
                ..Default::default()
            };
            return upload_page(&v, &input, limit, Some(e.message), e.status).await;
        }
    };
    let input = upload::document_input(&form);
    let Some(file) = form.file.as_ref() else {
        return upload_page(
            &v,
            &input,
            limit,
            Some(t(l, "doc.file.missing").to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match v.access.create_document(&input, file).await {
        Ok(d) => Redirect::to(&format!("/documents/{}", d.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => upload_page(&v, &input, limit, Some(msg), status).await,
            Err(e) => store_error(l, e),
        },
    }
}

fn input_from(d: &Document) -> DocumentInput {
    DocumentInput {
        title: d.title.clone(),
        date: d.date.clone(),
        language: d.language.clone(),
        author: d.author.clone(),
        countries: d.countries.clone(),
        themes: d.themes.clone(),
        processes: d.processes.clone(),
        classification: d.labels.classification.as_str().into(),
        compartment: d.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let detail = match v.access.get_document(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let d = &detail.document;
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Document, &d.labels),
    );
    let may_delete = v.access.may(
        Action::Delete,
        Resource::labelled(ResourceKind::Document, &d.labels),
    );
    let mut process_names = Vec::new();
    for p in &d.processes {
        if let Ok(p) = v.access.get_process(p).await {
            process_names.push((p.id.clone(), p.display_name().to_string()));
        }
    }
    let version_action = format!("/documents/{}/versions?_csrf={}", d.id, url_encode(&v.csrf));
    let content = html! {
        h1 { (d.title) " " (labels_badge(l, &d.labels)) }
        dl.facts {
            @if !d.date.is_empty() { dt { (t(l, "doc.date")) } dd { (d.date) } }
            dt { (t(l, "doc.language")) } dd { (language_name(l, &d.language)) }
            @if !d.author.is_empty() { dt { (t(l, "doc.author")) } dd { (d.author) } }
            @if !d.countries.is_empty() {
                dt { (t(l, "proc.countries.col")) } dd {
                    @for (i, c) in d.countries.iter().enumerate() {
                        @if i > 0 { ", " }
                        (reference::country(c).map(|c| c.name.as_str()).unwrap_or(c)) " (" (c) ")"
                    }
                }
            }
            @if !d.themes.is_empty() {
                dt { (t(l, "proc.themes")) } dd { (d.themes.iter().map(|c| term_label(l, reference::THEMES, c)).collect::<Vec<_>>().join(", ")) }
            }
            @if !process_names.is_empty() {
                dt { (t(l, "doc.processes")) } dd {
                    @for (i, (pid, name)) in process_names.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/processes/" (pid) } { (name) }
                    }
                }
            }
            dt { (t(l, "doc.format")) } dd { (d.format.code()) " · " (human_size(d.size)) }
            dt { (t(l, "proc.updated")) } dd { (fmt_micros(d.updated_at)) }
        }
        div.actions {
            @if may_edit { a.button href={ "/documents/" (d.id) "/edit" } { (t(l, "doc.edit")) } }
            @if may_delete {
                form.inline method="post" action={ "/documents/" (d.id) "/delete" } data-confirm=(t(l, "doc.delete.confirm")) {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "doc.delete")) }
                }
            }
        }
        h2 #versions { (t(l, "doc.versions")) }
        table {
            thead { tr {
                th { (t(l, "doc.version")) } th { (t(l, "doc.filename")) } th { (t(l, "doc.size")) }
                th { "SHA-256" } th { (t(l, "doc.by")) } th { (t(l, "doc.when")) }
            } }
            tbody { @for ver in &detail.versions { tr {
                td { (ver.version) }
                td { a href={ "/documents/" (d.id) "/versions/" (ver.version) "/file" } { (ver.filename) } }
                td { (human_size(ver.size)) }
                td { code.hash { (ver.sha256) } }
                td { (ver.created_by) }
                td { (fmt_micros(ver.created_at)) }
            } } }
        }
        @if may_edit {
            details { summary { (t(l, "doc.version.new")) }
                form.stack method="post" action=(version_action) enctype="multipart/form-data" {
                    (csrf_field(&v))
                    input type="hidden" name="expected_version" value=(d.latest_version);
                    label for="version-file" { (t(l, "doc.file")) }
                    input #version-file type="file" name="file" required;
                    p.muted { (t(l, "doc.file.hint")) " " (upload::limit_text(state.config.document_limit)) "." }
                    div.actions { button type="submit" { (t(l, "doc.upload")) } }
                }
            }
        }
        h2 #text { (t(l, "doc.text")) }
        @if detail.text.is_empty() { p.muted { (t(l, "doc.text.none")) } } @else {
            div.document-text lang=(d.language) dir=(if d.language == "ar" { "rtl" } else { "auto" }) {
                @for para in detail.text.split("\n\n") { p { (para) } }
            }
        }
    };
    let work = crate::modules::work::ui::panel(&v, &id, &format!("/documents/{}", id)).await;
    let content = html! { (content) (work) };
    page(&v, &d.title, content)
}

async fn edit_page(
    v: &Viewer,
    id: &str,
    input: &DocumentInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let content = html! {
        h1 { (t(l, "doc.edit")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action={ "/documents/" (id) } {
            (csrf_field(v))
            (meta_fields(v, input).await)
            div.actions { button type="submit" { (t(l, "form.save")) } a href={ "/documents/" (id) } { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "doc.edit"), content);
    *res.status_mut() = status;
    res
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let d = match v.access.get_document(&id).await {
        Ok(d) => d.document,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Document, &d.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    edit_page(&v, &id, &input_from(&d), None, StatusCode::OK).await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = DocumentInput {
        title: form.text("title"),
        date: form.text("date"),
        language: form.text("language"),
        author: form.text("author"),
        countries: form
            .text("countries")
            .split([',', ' ', ';'])
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect(),
        themes: form.all("themes"),
        processes: form.all("processes"),
        classification: form.text("classification"),
        compartment: form.get("compartment").map(str::to_string),
    };
    match v.access.update_document(&id, &input).await {
        Ok(d) => Redirect::to(&format!("/documents/{}", d.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => edit_page(&v, &id, &input, Some(msg), status).await,
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn add_version(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Response {
    let l = v.lang;
    let d = match v.access.get_document(&id).await {
        Ok(d) => d.document,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Document, &d.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let form = match upload::read_form(req, state.config.document_limit).await {
        Ok(f) => f,
        Err(e) => return crate::ui::error_page(l, e.status, &e.message),
    };
    let Some(file) = form.file.as_ref() else {
        return crate::ui::error_page(
            l,
            StatusCode::UNPROCESSABLE_ENTITY,
            t(l, "doc.file.missing"),
        );
    };
    let expected = form
        .get("expected_version")
        .and_then(|v| v.trim().parse::<i64>().ok());
    match v.access.add_document_version(&id, file, expected).await {
        Ok(_) => Redirect::to(&format!("/documents/{id}#versions")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => crate::ui::error_page(l, status, &msg),
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_document(&id).await {
        Ok(()) => Redirect::to("/documents").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn download(v: Viewer, Path((id, n)): Path<(String, i64)>) -> Response {
    match v.access.document_file(&id, n).await {
        Ok((ver, bytes)) => crate::modules::documents::api::file_response(&ver, bytes),
        Err(e) => store_error(v.lang, e),
    }
}

/// The link from a process page to its documents (when the viewer may read documents).
pub fn process_link(v: &Viewer, process_id: &str) -> Markup {
    let l = v.lang;
    html! {
        @if v.access.may(Action::Read, Resource::kind(ResourceKind::Document)) {
            p.actions { a href={ "/documents?process=" (process_id) } { (t(l, "doc.of-process")) } }
        }
    }
}
