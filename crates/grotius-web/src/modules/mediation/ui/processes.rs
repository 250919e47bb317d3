//! Processes: list with filters, detail, create, edit, delete.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::process::{EngagementInput, Process, ProcessInput};
use grotius_domain::reference;
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{ProcessFilter, StoreError};
use maud::html;
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::t;
use crate::ui::{
    FormPairs, classification_select, csrf_field, failed_field, fmt_micros, form_failure,
    labels_badge, may_create, page, store_error, term_label, vocab_options,
};

const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    country: Option<String>,
    status: Option<String>,
    theme: Option<String>,
    offset: Option<i64>,
}

pub async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let filter = ProcessFilter {
        q: q.q.clone(),
        country: q.country.clone(),
        status: q.status.clone(),
        theme: q.theme.clone(),
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let page_data = match v.access.list_processes(&filter, PAGE, offset).await {
        Ok(p) => p,
        Err(StoreError::Invalid(e)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let qs = |off: i64| {
        format!(
            "/processes?q={}&country={}&status={}&theme={}&offset={off}",
            url_encode(q.q.as_deref().unwrap_or("")),
            url_encode(q.country.as_deref().unwrap_or("")),
            url_encode(q.status.as_deref().unwrap_or("")),
            url_encode(q.theme.as_deref().unwrap_or(""))
        )
    };
    let content = html! {
        h1 { (t(l, "proc.title")) }
        p.actions {
            @if may_create(&v, ResourceKind::Process) { a.button href="/processes/new" { (t(l, "proc.new")) } }
            @if v.access.may(Action::Read, Resource::kind(ResourceKind::Debrief)) { a href="/lessons" { (t(l, "les.search.title")) } }
            @if v.access.may(Action::Read, Resource::kind(ResourceKind::Training)) { a href="/trainings" { (t(l, "tr.title")) } }
        }
        form.filters method="get" action="/processes" role="search" {
            label for="q" { (t(l, "proc.search")) input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
            label for="country" { "ISO" input #country type="text" name="country" size="4" value=(q.country.clone().unwrap_or_default()); }
            label for="status" { (t(l, "proc.status")) select #status name="status" { (vocab_options(l, reference::PROCESS_STATUSES, q.status.as_deref().unwrap_or(""), true)) } }
            label for="theme" { (t(l, "proc.themes")) select #theme name="theme" { (vocab_options(l, reference::THEMES, q.theme.as_deref().unwrap_or(""), true)) } }
            button type="submit" { (t(l, "proc.filter")) }
        }
        @if page_data.items.is_empty() { p { (t(l, "proc.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "proc.name")) } th { (t(l, "proc.countries.col")) } th { (t(l, "proc.phase")) } th { (t(l, "proc.tracks")) }
                    th { (t(l, "proc.role")) } th { (t(l, "proc.status")) } th { (t(l, "labels.classification")) } th { (t(l, "proc.updated")) }
                } }
                tbody { @for p in &page_data.items { tr {
                    td { a href={ "/processes/" (p.id) } { (p.display_name()) } }
                    td { (p.countries.join(", ")) }
                    td { (term_label(l, reference::PHASES, &p.phase)) }
                    td { (p.tracks.join(", ")) }
                    td { (term_label(l, reference::DUTCH_ROLES, &p.dutch_role)) }
                    td { (term_label(l, reference::PROCESS_STATUSES, &p.status)) }
                    td { (labels_badge(l, &p.labels)) }
                    td { (fmt_micros(p.updated_at)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + page_data.items.len() as i64) " " (t(l, "pager.of")) " " (page_data.total) }
            @if offset + PAGE < page_data.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
    };
    page(&v, t(l, "proc.title"), content)
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// The journal entry just saved (to say so above the journal).
    saved: Option<String>,
}

pub async fn show(v: Viewer, Path(id): Path<String>, Query(q): Query<ShowQuery>) -> Response {
    let l = v.lang;
    let p = match v.access.get_process(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Process, &p.labels),
    );
    let may_delete = v.access.may(
        Action::Delete,
        Resource::labelled(ResourceKind::Process, &p.labels),
    );
    let content = html! {
        h1 { (p.display_name()) " " (labels_badge(l, &p.labels)) }
        dl.facts {
            @if p.codename.is_some() { dt { (t(l, "proc.name")) } dd { (p.title) } }
            dt { (t(l, "proc.countries.col")) } dd {
                @for (i, c) in p.countries.iter().enumerate() {
                    @if i > 0 { ", " }
                    (reference::country(c).map(|c| c.name.as_str()).unwrap_or(c)) " (" (c) ")"
                }
            }
            dt { (t(l, "proc.phase")) } dd { (term_label(l, reference::PHASES, &p.phase)) }
            dt { (t(l, "proc.tracks")) } dd { (p.tracks.iter().map(|c| term_label(l, reference::TRACKS, c)).collect::<Vec<_>>().join(", ")) }
            dt { (t(l, "proc.role")) } dd { (term_label(l, reference::DUTCH_ROLES, &p.dutch_role)) }
            dt { (t(l, "proc.status")) } dd { (term_label(l, reference::PROCESS_STATUSES, &p.status)) }
            dt { (t(l, "proc.themes")) } dd { (p.themes.iter().map(|c| term_label(l, reference::THEMES, c)).collect::<Vec<_>>().join(", ")) }
            @if !p.engaged.is_empty() {
                dt { (t(l, "proc.engaged")) }
                dd { ul.plain { @for e in &p.engaged { li { (e.party) " — " (term_label(l, reference::DUTCH_ROLES, &e.role)) } } } }
            }
            dt { (t(l, "proc.updated")) } dd { (fmt_micros(p.updated_at)) }
        }
        h2 { (t(l, "proc.summary")) }
        p { (p.summary) }
        @if !p.notes.is_empty() {
            h2 { (t(l, "proc.notes")) }
            p { (p.notes) }
        }
        div.actions {
            @if may_edit { a.button href={ "/processes/" (p.id) "/edit" } { (t(l, "proc.edit")) } }
            @if may_delete {
                form.inline method="post" action={ "/processes/" (p.id) "/delete" } data-confirm=(t(l, "proc.delete.confirm")) {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "proc.delete")) }
                }
            }
        }
    };
    let journal = match journal(&v, &p).await {
        Ok(j) => j,
        Err(e) => return store_error(l, e),
    };
    let participation = match crate::modules::participation::ui::section(&v, &p, None).await {
        Ok(s) => s,
        Err(e) => return store_error(l, e),
    };
    let debriefs = match crate::modules::lessons::ui::lessons::process_section(&v, &p).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let analyses = match crate::modules::analyses::ui::process_section(&v, &p).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    let documents = crate::modules::documents::ui::process_link(&v, &p.id);
    let saved = q.saved.is_some().then(|| {
        html! { p.notice role="status" { (t(l, "eng.saved")) " " a href="#journal" { (t(l, "eng.saved.see")) } } }
    });
    let content = html! { @if let Some(s) = saved { (s) } (content) (documents) (analyses) @if let Some(s) = participation { (s) } (journal) (debriefs) };
    let work = crate::modules::work::ui::panel(&v, &p.id, &format!("/processes/{}", p.id)).await;
    let content = html! { (content) (work) };
    page(&v, p.display_name(), content)
}

fn input_from(p: &Process) -> ProcessInput {
    ProcessInput {
        title: p.title.clone(),
        codename: p.codename.clone(),
        countries: p.countries.clone(),
        phase: p.phase.clone(),
        tracks: p.tracks.clone(),
        dutch_role: p.dutch_role.clone(),
        status: p.status.clone(),
        themes: p.themes.clone(),
        engaged: p.engaged.clone(),
        summary: p.summary.clone(),
        notes: p.notes.clone(),
        classification: p.labels.classification.as_str().to_string(),
        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

fn input_from_form(f: &FormPairs) -> ProcessInput {
    ProcessInput {
        title: f.text("title"),
        codename: f.get("codename").map(str::to_string),
        countries: f
            .text("countries")
            .split([',', ' ', ';'])
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect(),
        phase: f.text("phase"),
        tracks: f.all("tracks"),
        dutch_role: f.text("dutch_role"),
        status: f.text("status"),
        themes: f.all("themes"),
        // One party a line: "Party: role".
        engaged: f
            .text("engaged")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match l.rsplit_once(':') {
                Some((party, role)) => grotius_domain::process::EngagedParty {
                    party: party.trim().into(),
                    role: role.trim().into(),
                },
                None => grotius_domain::process::EngagedParty {
                    party: l.trim().into(),
                    role: String::new(),
                },
            })
            .collect(),
        summary: f.text("summary"),
        notes: f.text("notes"),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

async fn form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &ProcessInput,
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
    let content = html! {
        h1 { (title) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="title" { (t(l, "proc.name")) " (" (t(l, "form.required")) ")" }
            input #title type="text" name="title" value=(input.title) required maxlength="200";
            label for="codename" { (t(l, "proc.codename")) }
            input #codename type="text" name="codename" value=(input.codename.clone().unwrap_or_default());
            label for="countries" { (t(l, "proc.countries")) }
            input #countries type="text" name="countries" value=(input.countries.join(", ")) placeholder="SD, SS";
            label for="phase" { (t(l, "proc.phase")) }
            select #phase name="phase" { (vocab_options(l, reference::PHASES, &input.phase, false)) }
            fieldset { legend { (t(l, "proc.tracks")) }
                @for tr in reference::TRACKS {
                    label { input type="checkbox" name="tracks" value=(tr.code) checked[input.tracks.iter().any(|x| x == tr.code)]; " " (tr.label(l.code())) }
                }
            }
            label for="dutch_role" { (t(l, "proc.role")) }
            select #dutch_role name="dutch_role" { (vocab_options(l, reference::DUTCH_ROLES, &input.dutch_role, false)) }
            label for="status" { (t(l, "proc.status")) }
            select #status name="status" { (vocab_options(l, reference::PROCESS_STATUSES, &input.status, false)) }
            fieldset { legend { (t(l, "proc.themes")) }
                @for th in reference::THEMES {
                    label { input type="checkbox" name="themes" value=(th.code) checked[input.themes.iter().any(|x| x == th.code)]; " " (th.label(l.code())) }
                }
            }
            label for="engaged" { (t(l, "proc.engaged.field")) }
            textarea #engaged name="engaged" placeholder="UN Personal Envoy: lead" {
                (input.engaged.iter().map(|e| format!("{}: {}", e.party, e.role)).collect::<Vec<_>>().join("\n"))
            }
            label for="summary" { (t(l, "proc.summary")) }
            textarea #summary name="summary" { (input.summary) }
            label for="notes" { (t(l, "proc.notes")) }
            textarea #notes name="notes" { (input.notes) }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            label for="compartment" { (t(l, "labels.compartment")) }
            select #compartment name="compartment" {
                option value="" { (t(l, "labels.no-compartment")) }
                @for c in &member_of { option value=(c.id) selected[input.compartment.as_deref() == Some(c.id.as_str())] { (c.name) " (" (c.id) ")" } }
            }
            div.actions { button type="submit" { (t(l, "form.save")) } a href="/processes" { (t(l, "form.cancel")) } }
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
        .check(Action::Create, Resource::kind(ResourceKind::Process))
        .await
    {
        return store_error(l, e);
    }
    let input = ProcessInput {
        phase: "prevention".into(),
        dutch_role: "support".into(),
        status: "exploratory".into(),
        classification: "internal".into(),
        ..Default::default()
    };
    form_page(
        &v,
        "/processes",
        t(l, "proc.new"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_process(&input).await {
        Ok(p) => Redirect::to(&format!("/processes/{}", p.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    "/processes",
                    t(l, "proc.new"),
                    &input,
                    Some(msg),
                    status,
                )
                .await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let p = match v.access.get_process(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Process, &p.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    form_page(
        &v,
        &format!("/processes/{id}"),
        t(l, "proc.edit"),
        &input_from(&p),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_process(&id, &input).await {
        Ok(p) => Redirect::to(&format!("/processes/{}", p.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    &format!("/processes/{id}"),
                    t(l, "proc.edit"),
                    &input,
                    Some(msg),
                    status,
                )
                .await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_process(&id).await {
        Ok(()) => Redirect::to("/processes").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

fn engagement_input(form: &FormPairs) -> EngagementInput {
    EngagementInput {
        date: form.text("date"),
        kind: form.text("kind"),
        track: form.text("track"),
        place: form.text("place"),
        participants: form.all("participants"),
        summary: form.text("summary"),
        notes: form.text("notes"),
        classification: form.text("classification"),
        compartment: form.get("compartment").map(str::to_string),
    }
}

/// Actors to pick participants from: the network's actors of the process's country that the
/// reader may see, and those already on the entry (names the reader may see).
async fn participant_choices(v: &Viewer, p: &Process, chosen: &[String]) -> Vec<(String, String)> {
    if !v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Actor))
    {
        return Vec::new();
    }
    let mut actors: Vec<(String, String)> = v
        .access
        .list_actors(
            &grotius_store::ActorFilter {
                country: p.countries.first().cloned(),
                ..Default::default()
            },
            500,
            0,
        )
        .await
        .map(|a| a.items.into_iter().map(|a| (a.id, a.name)).collect())
        .unwrap_or_default();
    for id in chosen {
        if !actors.iter().any(|(a, _)| a == id)
            && let Ok(a) = v.access.get_actor(id).await
        {
            actors.push((a.id, a.name));
        }
    }
    actors
}

/// The form of one journal entry, to record a new one or edit one; a refusal is shown beside
/// the field it names, with everything typed kept.
fn engagement_form(
    v: &Viewer,
    p: &Process,
    action: &str,
    input: &EngagementInput,
    actors: &[(String, String)],
    error: Option<(Option<&str>, String)>,
) -> maud::Markup {
    use grotius_domain::process::ENGAGEMENT_KINDS;
    let l = v.lang;
    let fields = [
        "date",
        "kind",
        "track",
        "place",
        "participants",
        "summary",
        "notes",
        "classification",
    ];
    let err_at = |f: &str| -> Option<String> {
        error
            .as_ref()
            .filter(|(field, _)| *field == Some(f))
            .map(|(_, m)| m.clone())
    };
    let general = error
        .as_ref()
        .filter(|(field, _)| !field.is_some_and(|f| fields.contains(&f)))
        .map(|(_, m)| m.clone());
    let track = if input.track.is_empty() {
        p.tracks.first().map(String::as_str).unwrap_or("I")
    } else {
        input.track.as_str()
    };
    let kind = if input.kind.is_empty() {
        "meeting"
    } else {
        input.kind.as_str()
    };
    let classification = if input.classification.is_empty() {
        p.labels.classification.as_str()
    } else {
        input.classification.as_str()
    };
    html! {
        @if error.is_some() { div.error role="alert" { (t(l, "form.error")) @if let Some(g) = &general { " " (g) } } }
        form #engagement-form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="eng-date" { (t(l, "eng.date")) } input #eng-date type="date" name="date" value=(input.date) required;
            @if let Some(e) = err_at("date") { p.error.field-error { (e) } }
            label for="eng-kind" { (t(l, "eng.kind")) } select #eng-kind name="kind" { (vocab_options(l, ENGAGEMENT_KINDS, kind, false)) }
            @if let Some(e) = err_at("kind") { p.error.field-error { (e) } }
            label for="eng-track" { (t(l, "eng.track")) } select #eng-track name="track" { (vocab_options(l, reference::TRACKS, track, false)) }
            @if let Some(e) = err_at("track") { p.error.field-error { (e) } }
            label for="eng-place" { (t(l, "eng.place")) } input #eng-place type="text" name="place" value=(input.place);
            @if let Some(e) = err_at("place") { p.error.field-error { (e) } }
            @if !actors.is_empty() {
                label for="eng-participants" { (t(l, "eng.participants")) }
                select #eng-participants name="participants" multiple size="6" {
                    @for (id, name) in actors { option value=(id) selected[input.participants.contains(id)] { (name) } }
                }
            }
            @if let Some(e) = err_at("participants") { p.error.field-error { (e) } }
            label for="eng-summary" { (t(l, "eng.summary")) } textarea #eng-summary name="summary" required { (input.summary) }
            @if let Some(e) = err_at("summary") { p.error.field-error { (e) } }
            label for="eng-notes" { (t(l, "eng.notes")) } textarea #eng-notes name="notes" { (input.notes) }
            @if let Some(e) = err_at("notes") { p.error.field-error { (e) } }
            p.muted { (t(l, "eng.labels")) }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, classification))
            @if let Some(e) = err_at("classification") { p.error.field-error { (e) } }
            input type="hidden" name="compartment" value=(p.labels.compartment.as_ref().map(|c| c.to_string()).unwrap_or_default());
            div.actions { button type="submit" { (t(l, "form.save")) } a href={ "/processes/" (p.id) "#journal" } { (t(l, "form.cancel")) } }
        }
    }
}

/// A page holding only the entry's form: the edit page, and a refused new entry shown again.
async fn engagement_page(
    v: &Viewer,
    p: &Process,
    action: &str,
    title: &str,
    input: &EngagementInput,
    error: Option<(Option<&str>, String)>,
    status: StatusCode,
) -> Response {
    let actors = participant_choices(v, p, &input.participants).await;
    let content = html! {
        h1 { (title) }
        p { a href={ "/processes/" (p.id) } { (p.display_name()) } }
        (engagement_form(v, p, action, input, &actors, error))
    };
    let mut res = page(v, title, content);
    *res.status_mut() = status;
    res
}

pub async fn create_engagement(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = engagement_input(&form);
    match v.access.create_engagement(&id, &input).await {
        Ok(e) => Redirect::to(&format!("/processes/{id}?saved={}#journal", e.id)).into_response(),
        Err(e) => {
            let process = v.access.get_process(&id).await;
            let action = format!("/processes/{id}/engagements");
            refused(&v, e, process, &action, t(l, "eng.new"), &input).await
        }
    }
}

/// A journal entry refused for its content shown again with the message beside its field (other
/// errors become error pages).
async fn refused(
    v: &Viewer,
    err: StoreError,
    process: Result<Process, StoreError>,
    action: &str,
    title: &str,
    input: &EngagementInput,
) -> Response {
    let field = failed_field(&err);
    match (form_failure(err), process) {
        (Ok((msg, status)), Ok(p)) => {
            engagement_page(v, &p, action, title, input, Some((field, msg)), status).await
        }
        (Err(e), _) | (_, Err(e)) => store_error(v.lang, e),
    }
}

pub async fn edit_engagement(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let e = match v.access.get_engagement(&id).await {
        Ok(e) => e,
        Err(e) => return store_error(l, e),
    };
    if let Err(err) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Engagement, &e.labels),
        )
        .await
    {
        return store_error(l, err);
    }
    let p = match v.access.get_process(&e.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let input = EngagementInput {
        date: e.date.clone(),
        kind: e.kind.clone(),
        track: e.track.clone(),
        place: e.place.clone(),
        participants: e.participants.clone(),
        summary: e.summary.clone(),
        notes: e.notes.clone(),
        classification: e.labels.classification.as_str().to_string(),
        compartment: e.labels.compartment.as_ref().map(|c| c.to_string()),
    };
    let action = format!("/engagements/{}", e.id);
    engagement_page(
        &v,
        &p,
        &action,
        t(l, "eng.edit"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update_engagement(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = engagement_input(&form);
    match v.access.update_engagement(&id, &input).await {
        Ok(e) => Redirect::to(&format!(
            "/processes/{}?saved={}#journal",
            e.process_id, e.id
        ))
        .into_response(),
        Err(err) => {
            let process = match v.access.get_engagement(&id).await {
                Ok(e) => v.access.get_process(&e.process_id).await,
                Err(e) => Err(e),
            };
            let action = format!("/engagements/{id}");
            refused(&v, err, process, &action, t(l, "eng.edit"), &input).await
        }
    }
}

pub async fn delete_engagement(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_engagement(&id).await {
        Ok(process) => Redirect::to(&format!("/processes/{process}#journal")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

/// The journal section of a process page: a timeline, newest first, and the form to add.
async fn journal(v: &Viewer, p: &Process) -> Result<maud::Markup, StoreError> {
    use grotius_domain::process::ENGAGEMENT_KINDS;
    let l = v.lang;
    let entries = v.access.list_engagements(&p.id).await?;
    let may_add = v.access.may(
        Action::Create,
        Resource::labelled(ResourceKind::Engagement, &p.labels),
    );
    // Names of the participants (all visible: the store filtered them).
    let actors = if may_add {
        participant_choices(v, p, &[]).await
    } else {
        Vec::new()
    };
    let mut names: std::collections::HashMap<String, String> = actors.iter().cloned().collect();
    for e in &entries {
        for pid in &e.participants {
            if !names.contains_key(pid)
                && let Ok(a) = v.access.get_actor(pid).await
            {
                names.insert(a.id, a.name);
            }
        }
    }
    Ok(html! {
        h2 #journal { (t(l, "eng.title")) }
        @if entries.is_empty() { p { (t(l, "eng.none")) } } @else {
            ol.timeline { @for e in &entries { li {
                strong { (e.date) } " · " (term_label(l, ENGAGEMENT_KINDS, &e.kind)) " · " (term_label(l, reference::TRACKS, &e.track))
                @if !e.place.is_empty() { " · " (e.place) } " " (labels_badge(l, &e.labels))
                p { (e.summary) }
                @if !e.participants.is_empty() {
                    p.muted { (t(l, "eng.participants")) ": "
                        @for (i, pid) in e.participants.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/network/actors/" (pid) } { (names.get(pid).map(String::as_str).unwrap_or("?")) }
                        }
                    }
                }
                @if !e.notes.is_empty() { p { em { (t(l, "eng.notes")) ": " } (e.notes) } }
                @if v.access.may(Action::Update, Resource::labelled(ResourceKind::Engagement, &e.labels)) {
                    a.button.secondary href={ "/engagements/" (e.id) "/edit" } { (t(l, "eng.edit")) } " "
                }
                @if v.access.may(Action::Delete, Resource::labelled(ResourceKind::Engagement, &e.labels)) {
                    form.inline method="post" action={ "/engagements/" (e.id) "/delete" } {
                        (csrf_field(v)) button.secondary type="submit" { (t(l, "eng.delete")) }
                    }
                }
            } } }
        }
        @if may_add {
            details { summary { (t(l, "eng.new")) }
                (engagement_form(v, p, &format!("/processes/{}/engagements", p.id), &EngagementInput::default(), &actors, None))
            }
        }
    })
}
