//! The evidence vault in the UI: the list of items one may see, the upload form (a multipart
//! form that streams the file: no JavaScript needed; very large files go through the resumable
//! API), the item page (capture metadata, lineage, custody timeline, download), and transfer
//! packages (builder, page, download).

use crate::routes::{Routes, get};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::evidence::{
    CAPTURE_METHODS, CUSTODY_KINDS, CaptureInput, DERIVATIONS, EvidenceItem, PackageInput,
    RECIPIENT_KINDS, format_utc,
};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{EvidenceFilter, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, classification_select, csrf_field, fmt_micros, form_failure, labels_badge, page,
    store_error, term_label, vocab_options,
};

const PAGE: i64 = 50;

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/evidence",
        get(list).post(upload).layer(DefaultBodyLimit::disable()),
    )
    .route("/evidence/new", get(new_form))
    .route("/evidence/packages", get(packages).post(create_package))
    .route("/evidence/packages/{id}", get(package_page))
    .route("/evidence/packages/{id}/download", get(package_download))
    .route("/evidence/{id}", get(show))
    .route("/evidence/{id}/download", get(download));
}

fn human_size(n: i64) -> String {
    let n = n as f64;
    if n >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", n / (1024.0 * 1024.0 * 1024.0))
    } else if n >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / (1024.0 * 1024.0))
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    offset: Option<i64>,
    originals: Option<String>,
}

pub async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let offset = q.offset.unwrap_or(0).max(0);
    let originals = q.originals.as_deref() == Some("1");
    let data = match v
        .access
        .evidence_list(
            &EvidenceFilter {
                originals_only: originals,
                ..Default::default()
            },
            PAGE,
            offset,
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let may_create = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::Evidence));
    let may_packages = v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::TransferPackage));
    let qs = |off: i64| {
        format!(
            "/evidence?offset={off}{}",
            if originals { "&originals=1" } else { "" }
        )
    };
    let content = html! {
        h1 { (t(l, "ev.title")) }
        p.muted { (t(l, "ev.intro")) }
        p.actions {
            @if may_create { a.button href="/evidence/new" { (t(l, "ev.upload")) } }
            @if may_packages { a href="/evidence/packages" { (t(l, "ev.packages")) } }
            @if originals { a href="/evidence" { (t(l, "ev.all")) } } @else { a href="/evidence?originals=1" { (t(l, "ev.originals")) } }
        }
        @if data.items.is_empty() { p { (t(l, "ev.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "ev.item")) } th { (t(l, "ev.method")) } th { (t(l, "ev.captured")) }
                    th { (t(l, "ev.size")) } th { "SHA-256" } th { (t(l, "labels.classification")) } th { (t(l, "ev.lineage")) }
                } }
                tbody { @for i in &data.items { tr {
                    td { a href={ "/evidence/" (i.id) } { (i.capture.title) } }
                    td { (term_label(l, CAPTURE_METHODS, &i.capture.method)) }
                    td { (format_utc(i.capture.captured_at)) }
                    td { (human_size(i.size)) }
                    td { code title=(i.sha256) { (short(&i.sha256)) "…" } }
                    td { (labels_badge(l, &i.labels)) }
                    td { @if let Some(d) = &i.derivation { (t(l, "ev.copy")) ": " (term_label(l, DERIVATIONS, d)) } @else { (t(l, "ev.original")) } }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + data.items.len() as i64) " " (t(l, "pager.of")) " " (data.total) }
            @if offset + PAGE < data.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
    };
    page(&v, t(l, "ev.title"), content)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    parent: Option<String>,
    /// The incident the new item documents (from the incident's page).
    incident: Option<String>,
}

fn default_input(parent: Option<&EvidenceItem>) -> CaptureInput {
    CaptureInput {
        method: "download".into(),
        classification: parent
            .map(|p| p.labels.classification.as_str().to_string())
            .unwrap_or_else(|| "confidential".into()),
        compartment: parent.and_then(|p| p.labels.compartment.as_ref().map(|c| c.to_string())),
        parent_id: parent.map(|p| p.id.clone()),
        derivation: parent.map(|_| "redaction".to_string()),
        collector: String::new(),
        ..Default::default()
    }
}

pub async fn new_form(v: Viewer, Query(q): Query<NewQuery>) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Evidence))
        .await
    {
        return store_error(l, e);
    }
    let parent = match q.parent.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => match v.access.evidence_get(p).await {
            Ok(item) => Some(item),
            Err(e) => return store_error(l, e),
        },
        None => None,
    };
    let mut input = default_input(parent.as_ref());
    input.collector = v.access.subject().username.clone();
    if let Some(i) = q.incident.filter(|i| !i.is_empty()) {
        input.incident_id = Some(i);
    }
    upload_page(&v, &input, parent.as_ref(), None, StatusCode::OK).await
}

/// Incidents to link a new item to, by title and date: the newest the reader may see, and the
/// chosen one (if the reader may see it).
async fn incident_choices(v: &Viewer, chosen: Option<&str>) -> Vec<(String, String)> {
    let label = |i: &grotius_domain::incident::Incident| format!("{} · {}", i.title, i.date);
    let mut out: Vec<(String, String)> = v
        .access
        .list_incidents(&Default::default(), 500, 0)
        .await
        .map(|p| p.items.iter().map(|i| (i.id.clone(), label(i))).collect())
        .unwrap_or_default();
    if let Some(id) = chosen.filter(|id| !out.iter().any(|(x, _)| x == id))
        && let Ok(i) = v.access.get_incident(id).await
    {
        out.insert(0, (i.id.clone(), label(&i)));
    }
    out
}

/// `2026-03-01T14:05` (datetime-local, read as UTC) from an input's capture time.
fn local_value(s: &str) -> String {
    let s = s.trim().trim_end_matches('Z');
    s.chars().take(16).collect()
}

async fn upload_page(
    v: &Viewer,
    input: &CaptureInput,
    parent: Option<&EvidenceItem>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
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
    let title = if parent.is_some() {
        t(l, "ev.derive.title")
    } else {
        t(l, "ev.upload")
    };
    let action = format!("/evidence?_csrf={}", url_encode(&v.csrf));
    let incidents = incident_choices(v, input.incident_id.as_deref()).await;
    let content = html! {
        h1 { (title) }
        @if let Some(p) = parent {
            p { (t(l, "ev.derive.of")) " " a href={ "/evidence/" (p.id) } { (p.capture.title) } " " (labels_badge(l, &p.labels)) }
        }
        p.muted { (t(l, "ev.upload.help")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) enctype="multipart/form-data" {
            (csrf_field(v))
            @if let Some(p) = parent {
                input type="hidden" name="parent_id" value=(p.id);
                label for="derivation" { (t(l, "ev.derivation")) }
                select #derivation name="derivation" { (vocab_options(l, DERIVATIONS, input.derivation.as_deref().unwrap_or("redaction"), false)) }
            }
            label for="title" { (t(l, "ev.item.title")) }
            input #title type="text" name="title" value=(input.title) maxlength="200";
            label for="source_url" { (t(l, "ev.source")) }
            input #source_url type="url" name="source_url" value=(input.source_url) placeholder="https://";
            label for="captured_at" { (t(l, "ev.captured")) " (UTC, " (t(l, "form.required")) ")" }
            input #captured_at type="datetime-local" name="captured_at" value=(local_value(&input.captured_at)) required;
            label for="capture_tool" { (t(l, "ev.tool")) }
            input #capture_tool type="text" name="capture_tool" value=(input.capture_tool) placeholder="Hunchly, wget, …";
            label for="capture_tool_version" { (t(l, "ev.tool.version")) }
            input #capture_tool_version type="text" name="capture_tool_version" value=(input.capture_tool_version);
            label for="collector" { (t(l, "ev.collector")) " (" (t(l, "form.required")) ")" }
            input #collector type="text" name="collector" value=(input.collector) required;
            label for="method" { (t(l, "ev.method")) }
            select #method name="method" { (vocab_options(l, CAPTURE_METHODS, &input.method, false)) }
            label for="description" { (t(l, "ev.description")) }
            textarea #description name="description" { (input.description) }
            label for="incident_id" { (t(l, "ev.incident")) }
            select #incident_id name="incident_id" {
                option value="" { (t(l, "ev.incident.none")) }
                @for (id, title) in &incidents { option value=(id) selected[input.incident_id.as_deref() == Some(id.as_str())] { (title) } }
            }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            label for="compartment" { (t(l, "labels.compartment")) " (" (t(l, "form.required")) ")" }
            select #compartment name="compartment" {
                @for c in &member_of { option value=(c.id) selected[input.compartment.as_deref() == Some(c.id.as_str())] { (c.name) " (" (c.id) ")" } }
            }
            label for="file" { (t(l, "ev.file")) " (" (t(l, "form.required")) ")" }
            input #file type="file" name="file" required;
            div.actions { button type="submit" { (t(l, "ev.upload.submit")) } a href="/evidence" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, title, content);
    *res.status_mut() = status;
    res
}

/// The multipart form: metadata fields, then the file, streamed into a deferred-length upload
/// (in bounded memory, hashed and encrypted as it arrives).
pub async fn upload(v: Viewer, mut mp: Multipart) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Evidence))
        .await
    {
        return store_error(l, e);
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut upload_id: Option<String> = None;
    let mut file_name = String::new();
    let mut failure: Option<String> = None;
    let mut rejected: Option<StoreError> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                failure = Some(e.body_text());
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            file_name = field.file_name().unwrap_or("").to_string();
            // The metadata fields come first in the form: check them before taking the file.
            if let Err(e) = v
                .access
                .evidence_check_input(&input_from(&FormPairs(fields.clone()), &file_name))
                .await
            {
                rejected = Some(e);
                // Read (and drop) the rest of a modest file so that the browser gets the answer
                // rather than a reset connection; a big one is cut off.
                let mut field = field;
                let mut drained = 0usize;
                while let Ok(Some(c)) = field.chunk().await {
                    drained += c.len();
                    if drained > 64 * 1024 * 1024 {
                        break;
                    }
                }
                break;
            }
            let started = match v.access.evidence_upload_start(None).await {
                Ok(u) => u,
                Err(e) => return store_error(l, e),
            };
            let mut w = match v.access.evidence_upload_writer(&started.id, 0).await {
                Ok(w) => w,
                Err(e) => return store_error(l, e),
            };
            upload_id = Some(started.id);
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        if let Err(e) = w.write(&c).await {
                            failure = Some(e.to_string());
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        failure = Some(e.body_text());
                        break;
                    }
                }
            }
            if let Err(e) = w.finish().await {
                failure.get_or_insert(e.to_string());
            }
            if failure.is_some() {
                break;
            }
        } else {
            match field.text().await {
                Ok(text) => fields.push((name, text)),
                Err(e) => {
                    failure = Some(e.body_text());
                    break;
                }
            }
        }
    }
    let input = input_from(&FormPairs(fields), &file_name);
    let parent = match input.parent_id.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => v.access.evidence_get(p).await.ok(),
        None => None,
    };
    let outcome = match (rejected, &upload_id, failure) {
        (Some(e), _, _) => Err(e),
        (None, _, Some(f)) => Err(StoreError::invalid("file", f)),
        (None, None, None) => Err(StoreError::invalid("file", "choose a file to upload")),
        (None, Some(id), None) => v.access.evidence_upload_complete(id, &input).await,
    };
    match outcome {
        Ok(i) => Redirect::to(&format!("/evidence/{}", i.item.id)).into_response(),
        Err(e) => {
            if let Some(id) = &upload_id {
                let _ = v.access.evidence_upload_cancel(id).await;
            }
            match form_failure(e) {
                Ok((msg, status)) => {
                    upload_page(&v, &input, parent.as_ref(), Some(msg), status).await
                }
                Err(e) => store_error(l, e),
            }
        }
    }
}

/// Capture metadata from the upload form (the capture time is UTC: `Z` is added).
fn input_from(form: &FormPairs, file_name: &str) -> CaptureInput {
    let captured = form.text("captured_at");
    let captured =
        if captured.trim().is_empty() || captured.ends_with('Z') || captured.contains('+') {
            captured
        } else {
            format!("{}Z", captured.trim())
        };
    CaptureInput {
        title: form.text("title"),
        source_url: form.text("source_url"),
        captured_at: captured,
        capture_tool: form.text("capture_tool"),
        capture_tool_version: form.text("capture_tool_version"),
        collector: form.text("collector"),
        method: form.text("method"),
        original_name: file_name.to_string(),
        description: form.text("description"),
        media_type: String::new(),
        classification: form.text("classification"),
        compartment: form.get("compartment").map(str::to_string),
        incident_id: form.get("incident_id").map(str::to_string),
        parent_id: form.get("parent_id").map(str::to_string),
        derivation: form.get("derivation").map(str::to_string),
    }
}

fn custody_kind(l: Lang, kind: &str) -> String {
    term_label(l, CUSTODY_KINDS, kind)
}

pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let item = match v.access.evidence_view(&id).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let (events, derived) = match (
        v.access.evidence_custody_log(&id).await,
        v.access.evidence_derived(&id).await,
    ) {
        (Ok(e), Ok(d)) => (e, d),
        (Err(e), _) | (_, Err(e)) => return store_error(l, e),
    };
    let parent = match &item.parent_id {
        Some(p) => v.access.evidence_get(p).await.ok(),
        None => None,
    };
    let may_derive = v.access.may(
        Action::Create,
        Resource::labelled(ResourceKind::Evidence, &item.labels),
    );
    // The incident it documents, by title, where the reader may open it.
    let incident_title = match &item.incident_id {
        Some(i) => v.access.get_incident(i).await.ok().map(|i| i.title),
        None => None,
    };
    let c = &item.capture;
    let content = html! {
        h1 { (c.title) " " (labels_badge(l, &item.labels)) }
        @if let Some(d) = &item.derivation {
            p.notice { (t(l, "ev.copy.notice")) " " (term_label(l, DERIVATIONS, d)) ". "
                @if let Some(p) = &parent { (t(l, "ev.copy.parent")) " " a href={ "/evidence/" (p.id) } { (p.capture.title) } }
            }
        } @else {
            p.notice { (t(l, "ev.original.notice")) }
        }
        dl.facts {
            dt { "SHA-256" } dd { code { (item.sha256) } }
            dt { (t(l, "ev.size")) } dd { (human_size(item.size)) " (" (item.size) " bytes)" }
            dt { (t(l, "ev.media")) } dd { (c.media_type) }
            dt { (t(l, "ev.original_name")) } dd { (c.original_name) }
            dt { (t(l, "ev.source")) } dd { @if c.source_url.is_empty() { "—" } @else { (c.source_url) } }
            dt { (t(l, "ev.captured")) } dd { (format_utc(c.captured_at)) }
            dt { (t(l, "ev.tool")) } dd { (c.capture_tool) " " (c.capture_tool_version) }
            dt { (t(l, "ev.collector")) } dd { (c.collector) }
            dt { (t(l, "ev.method")) } dd { (term_label(l, CAPTURE_METHODS, &c.method)) }
            @if let (Some(inc), Some(title)) = (&item.incident_id, &incident_title) { dt { (t(l, "ev.incident")) } dd {
                a href={ "/incidents/" (inc) } { (title) }
            } }
            dt { (t(l, "ev.ingested")) } dd { (fmt_micros(item.created_at)) " UTC" }
        }
        @if !c.description.is_empty() { h2 { (t(l, "ev.description")) } p { (c.description) } }
        div.actions {
            a.button href={ "/evidence/" (item.id) "/download" } { (t(l, "ev.download")) }
            @if may_derive { a href={ "/evidence/new?parent=" (item.id) } { (t(l, "ev.derive")) } }
        }
        p.muted { (t(l, "ev.download.note")) }
        h2 { (t(l, "ev.derived")) }
        @if derived.is_empty() { p { (t(l, "ev.derived.none")) } } @else {
            ul { @for d in &derived { li {
                a href={ "/evidence/" (d.id) } { (d.capture.title) } " — "
                (term_label(l, DERIVATIONS, d.derivation.as_deref().unwrap_or("other"))) " · " code { (short(&d.sha256)) "…" } " " (labels_badge(l, &d.labels))
            } } }
        }
        h2 #custody { (t(l, "ev.custody")) }
        p.muted { (t(l, "ev.custody.help")) }
        ol.timeline { @for e in &events { li {
            strong { "#" (e.record.seq) " " (custody_kind(l, &e.record.kind)) } " · " (format_utc(e.record.at)) " · " (e.record.actor)
            @if e.record.detail != "{}" { br; code.detail { (e.record.detail) } }
            br; small.muted { (t(l, "ev.hash")) " " code { (short(&e.hash)) "…" } " ← " code { (short(&e.record.prev_hash)) "…" } }
        } } }
    };
    let work = crate::modules::work::ui::panel(&v, &id, &format!("/evidence/{}", id)).await;
    let content = html! { (content) (work) };
    page(&v, &c.title, content)
}

pub async fn download(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.evidence_download(&id).await {
        Ok((item, reader)) => {
            crate::modules::accountability::evidence::api::file_response(&item, reader)
        }
        Err(e) => store_error(v.lang, e),
    }
}

// ─── Transfer packages ─────────────────────────────────────────────────────────────────────

async fn packages_page(
    v: &Viewer,
    input: &PackageInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let list = match v.access.evidence_package_list().await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let may_build = v.access.may(
        Action::Create,
        Resource::kind(ResourceKind::TransferPackage),
    );
    let items: Vec<EvidenceItem> = if may_build {
        match v
            .access
            .evidence_list(&EvidenceFilter::default(), 500, 0)
            .await
        {
            Ok(p) => p
                .items
                .into_iter()
                .filter(|i| {
                    v.access.may(
                        Action::Export,
                        Resource::labelled(ResourceKind::Evidence, &i.labels),
                    )
                })
                .collect(),
            Err(e) => return store_error(l, e),
        }
    } else {
        Vec::new()
    };
    let content: Markup = html! {
        h1 { (t(l, "ev.packages")) }
        p.muted { (t(l, "ev.packages.intro")) }
        @if list.is_empty() { p { (t(l, "ev.packages.none")) } } @else {
            table {
                thead { tr { th { (t(l, "ev.recipient")) } th { (t(l, "ev.items")) } th { (t(l, "ev.created")) } th { (t(l, "labels.classification")) } } }
                tbody { @for p in &list { tr {
                    td { a href={ "/evidence/packages/" (p.id) } { (p.recipient) } " (" (term_label(l, RECIPIENT_KINDS, &p.recipient_kind)) ")" }
                    td { (p.items) }
                    td { (fmt_micros(p.created_at)) " · " (p.created_by) }
                    td { (labels_badge(l, &p.labels)) }
                } } }
            }
        }
        @if may_build {
            h2 #build { (t(l, "ev.package.build")) }
            @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
            form.stack method="post" action="/evidence/packages" {
                (csrf_field(v))
                label for="recipient" { (t(l, "ev.recipient")) " (" (t(l, "form.required")) ")" }
                input #recipient type="text" name="recipient" value=(input.recipient) required placeholder="FFM Sudan";
                label for="recipient_kind" { (t(l, "ev.recipient.kind")) }
                select #recipient_kind name="recipient_kind" { (vocab_options(l, RECIPIENT_KINDS, &input.recipient_kind, false)) }
                label for="purpose" { (t(l, "ev.purpose")) }
                input #purpose type="text" name="purpose" value=(input.purpose);
                label for="use_restrictions" { (t(l, "ev.restrictions")) " (" (t(l, "form.required")) ")" }
                textarea #use_restrictions name="use_restrictions" required { (input.use_restrictions) }
                fieldset { legend { (t(l, "ev.items")) }
                    @if items.is_empty() { p { (t(l, "ev.none")) } }
                    @for i in &items {
                        label { input type="checkbox" name="items" value=(i.id) checked[input.items.contains(&i.id)]; " " (i.capture.title) " " code { (short(&i.sha256)) } " " (labels_badge(l, &i.labels)) }
                    }
                }
                div.actions { button type="submit" { (t(l, "ev.package.submit")) } }
            }
        }
    };
    let mut res = page(v, t(l, "ev.packages"), content);
    *res.status_mut() = status;
    res
}

pub async fn packages(v: Viewer) -> Response {
    let input = PackageInput {
        recipient_kind: "ffm".into(),
        use_restrictions: t(v.lang, "ev.restrictions.default").into(),
        ..Default::default()
    };
    packages_page(&v, &input, None, StatusCode::OK).await
}

pub async fn create_package(v: Viewer, form: FormPairs) -> Response {
    let input = PackageInput {
        recipient: form.text("recipient"),
        recipient_kind: form.text("recipient_kind"),
        purpose: form.text("purpose"),
        use_restrictions: form.text("use_restrictions"),
        items: form.all("items"),
    };
    match v.access.evidence_package_create(&input).await {
        Ok(p) => Redirect::to(&format!("/evidence/packages/{}", p.summary.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => packages_page(&v, &input, Some(msg), status).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}

pub async fn package_page(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let p = match v.access.evidence_package_get(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let may_export = v.access.may(
        Action::Export,
        Resource::labelled(ResourceKind::TransferPackage, &p.summary.labels),
    );
    let s = &p.summary;
    let content = html! {
        h1 { (t(l, "ev.package")) ": " (s.recipient) " " (labels_badge(l, &s.labels)) }
        dl.facts {
            dt { (t(l, "ev.recipient.kind")) } dd { (term_label(l, RECIPIENT_KINDS, &s.recipient_kind)) }
            dt { (t(l, "ev.purpose")) } dd { (s.purpose) }
            dt { (t(l, "ev.restrictions")) } dd { (s.use_restrictions) }
            dt { (t(l, "ev.created")) } dd { (p.manifest.created_at) " · " (s.created_by) }
            dt { (t(l, "ev.manifest")) } dd { "SHA-256 " code { (s.manifest_sha256) } }
            dt { (t(l, "ev.signature")) } dd { code.detail { (p.signature) } }
            dt { (t(l, "ev.pubkey")) } dd { code { (p.public_key) } }
        }
        h2 { (t(l, "ev.items")) }
        table {
            thead { tr { th { (t(l, "ev.file")) } th { "SHA-256" } th { (t(l, "ev.size")) } th { (t(l, "ev.custody")) } } }
            tbody { @for i in &p.manifest.items { tr {
                td { a href={ "/evidence/" (i.item_id) } { (i.capture.title) } br; code.muted { (i.file) } }
                td { code title=(i.sha256) { (short(&i.sha256)) "…" } }
                td { (human_size(i.size)) }
                td { (i.custody.len()) }
            } } }
        }
        @if may_export {
            div.actions { a.button href={ "/evidence/packages/" (s.id) "/download" } { (t(l, "ev.package.download")) } }
        }
        p.muted { (t(l, "ev.package.verify")) " " code { "grotius package verify grotius-package-" (s.id) ".tar --key " (p.public_key) } }
    };
    page(&v, t(l, "ev.package"), content)
}

pub async fn package_download(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.evidence_package_export(&id).await {
        Ok((p, readers)) => {
            crate::modules::accountability::evidence::api::package_response(p, readers)
        }
        Err(e) => store_error(v.lang, e),
    }
}
