//! Versioned analyses of a process: the section on the process page, new, view (latest or an
//! older version), edit (a new version), history, diff and restore.

use std::collections::HashMap;

use crate::routes::{Routes, get, post};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::analysis::{
    ACTOR_MAP, ANALYSIS_KINDS, ActorMapRow, Analysis, AnalysisDiff, LineTag, NewAnalysis,
    NewVersion, RowChangeKind, STANCES,
};
use grotius_domain::process::Process;
use grotius_domain::{Action, Classification, Labels, Resource, ResourceKind};
use grotius_store::{RestoreRequest, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, class_label, csrf_field, fmt_micros, form_failure, labels_badge, page, store_error,
    term_label, vocab_options,
};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/processes/{id}/analyses", post(create))
        .route("/processes/{id}/analyses/new", get(new_form))
        .route("/analyses/{id}", get(show).post(save))
        .route("/analyses/{id}/edit", get(edit_form))
        .route("/analyses/{id}/history", get(history))
        .route("/analyses/{id}/diff", get(diff))
        .route("/analyses/{id}/restore", post(restore))
        .route("/analyses/{id}/delete", post(delete));
}

/// Blank rows offered in the actor-map form for new actors (no JavaScript needed).
const BLANK_ROWS: usize = 3;

/// The analyses section of a process page (nothing for roles that may not read analyses).
pub async fn process_section(v: &Viewer, p: &Process) -> Result<Markup, StoreError> {
    let l = v.lang;
    if !v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Analysis))
    {
        return Ok(html! {});
    }
    let items = v.access.list_analyses(&p.id).await?;
    let may_add = v.access.may(
        Action::Create,
        Resource::labelled(ResourceKind::Analysis, &p.labels),
    );
    Ok(html! {
        h2 #analyses { (t(l, "ana.title")) }
        @if items.is_empty() { p { (t(l, "ana.none")) } } @else {
            table { thead { tr {
                th { (t(l, "ana.field.title")) } th { (t(l, "ana.kind")) } th { (t(l, "ana.version")) }
                th { (t(l, "ana.updated")) } th { (t(l, "labels.classification")) }
            } }
            tbody { @for a in &items { tr {
                td { a href={ "/analyses/" (a.id) } { (a.title) } }
                td { (term_label(l, ANALYSIS_KINDS, &a.kind)) }
                td { (a.latest_version) " · " a href={ "/analyses/" (a.id) "/history" } { (t(l, "ana.history")) } }
                td { (fmt_micros(a.updated_at)) " · " (a.updated_by) }
                td { (labels_badge(l, &a.labels)) }
            } } } }
        }
        @if may_add { p { a.button href={ "/processes/" (p.id) "/analyses/new" } { (t(l, "ana.new")) } } }
    })
}

/// Names of actors (all visible: the store filtered the rows) for the ids given, plus the
/// actors of the process's countries offered in the form.
async fn actor_names(
    v: &Viewer,
    p: &Process,
    ids: &[&str],
) -> (Vec<(String, String)>, HashMap<String, String>) {
    let mut choices: Vec<(String, String)> = Vec::new();
    if v.access
        .may(Action::Read, Resource::kind(ResourceKind::Actor))
    {
        for c in &p.countries {
            let filter = grotius_store::ActorFilter {
                country: Some(c.clone()),
                ..Default::default()
            };
            if let Ok(page) = v.access.list_actors(&filter, 500, 0).await {
                choices.extend(page.items.into_iter().map(|a| (a.id, a.name)));
            }
        }
    }
    let mut names: HashMap<String, String> = choices.iter().cloned().collect();
    for id in ids {
        if !names.contains_key(*id)
            && let Ok(a) = v.access.get_actor(id).await
        {
            choices.push((a.id.clone(), a.name.clone()));
            names.insert(a.id, a.name);
        }
    }
    choices.sort_by(|a, b| a.1.cmp(&b.1));
    choices.dedup_by(|a, b| a.0 == b.0);
    (choices, names)
}

fn influence_dots(n: i64) -> String {
    (1..=5).map(|i| if i <= n { '●' } else { '○' }).collect()
}

fn rows_table(l: Lang, rows: &[ActorMapRow], names: &HashMap<String, String>) -> Markup {
    html! {
        table.actor-map { thead { tr {
            th { (t(l, "ana.row.actor")) } th { (t(l, "ana.row.stance")) } th { (t(l, "ana.row.influence")) } th { (t(l, "ana.row.interests")) }
        } }
        tbody { @for r in rows { tr {
            td { a href={ "/network/actors/" (r.actor_id) } { (names.get(&r.actor_id).map(String::as_str).unwrap_or("?")) } }
            td { span class={ "stance " (r.stance) } { (term_label(l, STANCES, &r.stance)) } }
            td { span aria-label=(format!("{}/5", r.influence)) { (influence_dots(r.influence)) } }
            td { (r.interests) }
        } } } }
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    version: Option<String>,
}

async fn show(v: Viewer, Path(id): Path<String>, Query(q): Query<ShowQuery>) -> Response {
    let l = v.lang;
    let version = match q
        .version
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return store_error(l, StoreError::NotFound),
        },
    };
    let a = match v.access.get_analysis(&id, version).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    let p = match v.access.get_process(&a.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let ids: Vec<&str> = a
        .version
        .content
        .rows
        .iter()
        .map(|r| r.actor_id.as_str())
        .collect();
    let (_, names) = actor_names(&v, &p, &ids).await;
    let res = Resource::labelled(ResourceKind::Analysis, &a.labels);
    let may_edit = v.access.may(Action::Update, res);
    let may_delete = v.access.may(Action::Delete, res);
    let ver = &a.version;
    let is_latest = ver.number == a.latest_version;
    let content = html! {
        p.muted { a href={ "/processes/" (p.id) "#analyses" } { "← " (p.display_name()) } }
        h1 { (ver.content.title) " " (labels_badge(l, &a.labels)) }
        dl.facts {
            dt { (t(l, "ana.kind")) } dd { (term_label(l, ANALYSIS_KINDS, &a.kind)) }
            dt { (t(l, "ana.version")) } dd {
                (ver.number) " " (t(l, "ana.of")) " " (a.latest_version)
                @if !is_latest { " · " a href={ "/analyses/" (a.id) } { (t(l, "ana.latest")) } }
            }
            dt { (t(l, "ana.saved")) } dd { (fmt_micros(ver.created_at)) " · " (ver.author_name) }
            @if !ver.note.is_empty() { dt { (t(l, "ana.note")) } dd { (ver.note) } }
        }
        @if !is_latest { div.notice role="status" { (t(l, "ana.old")) } }
        div.analysis-body { (ver.content.body) }
        @if a.kind == ACTOR_MAP {
            h2 { (t(l, "ana.rows")) }
            @if ver.content.rows.is_empty() { p { (t(l, "ana.rows.none")) } } @else { (rows_table(l, &ver.content.rows, &names)) }
        }
        div.actions {
            @if may_edit && is_latest { a.button href={ "/analyses/" (a.id) "/edit" } { (t(l, "ana.edit")) } }
            a href={ "/analyses/" (a.id) "/history" } { (t(l, "ana.history")) }
            @if ver.number > 1 {
                a href={ "/analyses/" (a.id) "/diff?from=" (ver.number - 1) "&to=" (ver.number) } { (t(l, "ana.diff.previous")) }
            }
            @if !is_latest {
                a href={ "/analyses/" (a.id) "/diff?from=" (ver.number) "&to=" (a.latest_version) } { (t(l, "ana.diff.latest")) }
                @if may_edit { (restore_button(&v, &a.id, ver.number, a.latest_version)) }
            }
            @if may_delete {
                form.inline method="post" action={ "/analyses/" (a.id) "/delete" } data-confirm=(t(l, "ana.delete.confirm")) {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "ana.delete")) }
                }
            }
        }
    };
    page(&v, &ver.content.title, content)
}

fn restore_button(v: &Viewer, id: &str, version: i64, latest: i64) -> Markup {
    let l = v.lang;
    html! {
        form.inline method="post" action={ "/analyses/" (id) "/restore" } {
            (csrf_field(v))
            input type="hidden" name="version" value=(version);
            input type="hidden" name="base_version" value=(latest);
            button.secondary type="submit" { (t(l, "ana.restore")) " " (version) }
        }
    }
}

/// What the form shows: the user's input, kept through errors and conflicts.
#[derive(Default)]
struct FormState {
    kind: String,
    title: String,
    body: String,
    rows: Vec<ActorMapRow>,
    classification: String,
    note: String,
    base_version: i64,
}

fn rows_from_form(f: &FormPairs) -> Vec<ActorMapRow> {
    let actors = f.all("row_actor");
    let stances = f.all("row_stance");
    let influence = f.all("row_influence");
    let interests = f.all("row_interests");
    actors
        .iter()
        .enumerate()
        .map(|(i, a)| ActorMapRow {
            actor_id: a.trim().to_string(),
            stance: stances.get(i).cloned().unwrap_or_default(),
            // An unreadable number fails validation (0 is out of range) and names the row.
            influence: influence
                .get(i)
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0),
            interests: interests.get(i).cloned().unwrap_or_default(),
        })
        .filter(|r| !r.actor_id.is_empty())
        .collect()
}

fn state_from_form(f: &FormPairs) -> FormState {
    FormState {
        kind: f.text("kind"),
        title: f.text("title"),
        body: f.text("body"),
        rows: rows_from_form(f),
        classification: f.text("classification"),
        note: f.text("note"),
        base_version: f.text("base_version").trim().parse().unwrap_or(0),
    }
}

struct FormPage<'a> {
    process: &'a Process,
    /// `None` for a new analysis.
    analysis: Option<(&'a str, &'a Labels)>,
    state: FormState,
    error: Option<String>,
    /// Set on a conflict: the version the user had edited (for the diff link).
    conflict_from: Option<i64>,
    status: StatusCode,
}

async fn form_page(v: &Viewer, fp: FormPage<'_>) -> Response {
    let l = v.lang;
    let s = &fp.state;
    let ids: Vec<&str> = s.rows.iter().map(|r| r.actor_id.as_str()).collect();
    let (choices, _) = actor_names(v, fp.process, &ids).await;
    let (action, title) = match fp.analysis {
        None => (
            format!("/processes/{}/analyses", fp.process.id),
            t(l, "ana.new"),
        ),
        Some((id, _)) => (format!("/analyses/{id}"), t(l, "ana.edit")),
    };
    let show_rows = fp.analysis.is_none() || s.kind == ACTOR_MAP;
    let min_class = match fp.analysis {
        Some((_, labels)) => labels.classification,
        None => fp.process.labels.classification,
    };
    let clearance = v.access.subject().clearance;
    let mut rows: Vec<ActorMapRow> = s.rows.clone();
    rows.extend((0..BLANK_ROWS).map(|_| ActorMapRow {
        influence: 3,
        stance: "neutral".into(),
        ..Default::default()
    }));
    let content = html! {
        p.muted { a href={ "/processes/" (fp.process.id) "#analyses" } { "← " (fp.process.display_name()) } }
        h1 { (title) }
        @if let Some(e) = &fp.error { div.error role="alert" {
            (t(l, "form.error")) " " (e)
            @if let (Some(from), Some((id, _))) = (fp.conflict_from, fp.analysis) {
                " " a href={ "/analyses/" (id) "/diff?from=" (from) "&to=" (s.base_version) } { (t(l, "ana.conflict.diff")) }
                " " (t(l, "ana.conflict.kept"))
            }
        } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            @if fp.analysis.is_some() {
                input type="hidden" name="base_version" value=(s.base_version);
                input type="hidden" name="kind" value=(s.kind);
                p.muted { (t(l, "ana.kind")) ": " (term_label(l, ANALYSIS_KINDS, &s.kind)) " · " (t(l, "ana.base")) " " (s.base_version) }
            } @else {
                label for="kind" { (t(l, "ana.kind")) }
                select #kind name="kind" { (vocab_options(l, ANALYSIS_KINDS, &s.kind, false)) }
            }
            label for="title" { (t(l, "ana.field.title")) " (" (t(l, "form.required")) ")" }
            input #title type="text" name="title" value=(s.title) required maxlength="200";
            label for="body" { (t(l, "ana.body")) }
            textarea #body.analysis-text name="body" rows="18" { (s.body) }
            @if show_rows {
                fieldset.rows {
                    legend { (t(l, "ana.rows")) @if fp.analysis.is_none() { " " span.muted { (t(l, "ana.rows.only")) } } }
                    p.muted { (t(l, "ana.rows.help")) }
                    table.actor-map-form { thead { tr {
                        th { (t(l, "ana.row.actor")) } th { (t(l, "ana.row.stance")) } th { (t(l, "ana.row.influence")) } th { (t(l, "ana.row.interests")) }
                    } }
                    tbody { @for (i, r) in rows.iter().enumerate() { tr {
                        td { select name="row_actor" aria-label={ (t(l, "ana.row.actor")) " " (i + 1) } {
                            option value="" { (t(l, "ana.row.empty")) }
                            @for (aid, name) in &choices { option value=(aid) selected[*aid == r.actor_id] { (name) } }
                            @if !r.actor_id.is_empty() && !choices.iter().any(|(aid, _)| *aid == r.actor_id) {
                                option value=(r.actor_id) selected { (r.actor_id) }
                            }
                        } }
                        td { select name="row_stance" aria-label={ (t(l, "ana.row.stance")) " " (i + 1) } { (vocab_options(l, STANCES, &r.stance, false)) } }
                        td { select name="row_influence" aria-label={ (t(l, "ana.row.influence")) " " (i + 1) } {
                            @for n in 1..=5i64 { option value=(n) selected[n == r.influence] { (n) } }
                        } }
                        td { input type="text" name="row_interests" value=(r.interests) aria-label={ (t(l, "ana.row.interests")) " " (i + 1) }; }
                    } } } }
                }
            }
            label for="classification" { (t(l, "labels.classification")) }
            select #classification name="classification" {
                @for c in Classification::ALL.iter().filter(|c| **c >= min_class && **c <= clearance) {
                    option value=(c.as_str()) selected[c.as_str() == s.classification] { (class_label(l, *c)) }
                }
            }
            p.muted { (t(l, "ana.labels")) }
            label for="note" { (t(l, "ana.note")) }
            input #note type="text" name="note" value=(s.note) maxlength="500" placeholder=(t(l, "ana.note.placeholder"));
            div.actions {
                button type="submit" { (t(l, "ana.save")) }
                @match fp.analysis {
                    Some((id, _)) => a href={ "/analyses/" (id) } { (t(l, "form.cancel")) },
                    None => a href={ "/processes/" (fp.process.id) "#analyses" } { (t(l, "form.cancel")) },
                }
            }
        }
    };
    let mut res = page(v, title, content);
    *res.status_mut() = fp.status;
    res
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    kind: Option<String>,
}

async fn new_form(v: Viewer, Path(id): Path<String>, Query(q): Query<NewQuery>) -> Response {
    let l = v.lang;
    let p = match v.access.get_process(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Create,
            Resource::labelled(ResourceKind::Analysis, &p.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let state = FormState {
        kind: q.kind.unwrap_or_else(|| "conflict-analysis".into()),
        classification: p.labels.classification.as_str().into(),
        ..Default::default()
    };
    form_page(
        &v,
        FormPage {
            process: &p,
            analysis: None,
            state,
            error: None,
            conflict_from: None,
            status: StatusCode::OK,
        },
    )
    .await
}

async fn create(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let state = state_from_form(&form);
    let p = match v.access.get_process(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let input = NewAnalysis {
        kind: state.kind.clone(),
        title: state.title.clone(),
        body: state.body.clone(),
        rows: state.rows.clone(),
        classification: state.classification.clone(),
        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
        note: state.note.clone(),
    };
    match v.access.create_analysis(&id, &input).await {
        Ok(a) => Redirect::to(&format!("/analyses/{}", a.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    FormPage {
                        process: &p,
                        analysis: None,
                        state,
                        error: Some(msg),
                        conflict_from: None,
                        status,
                    },
                )
                .await
            }
            Err(e) => store_error(l, e),
        },
    }
}

async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let a = match v.access.get_analysis(&id, None).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Analysis, &a.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let p = match v.access.get_process(&a.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let state = state_of(&a);
    form_page(
        &v,
        FormPage {
            process: &p,
            analysis: Some((&a.id, &a.labels)),
            state,
            error: None,
            conflict_from: None,
            status: StatusCode::OK,
        },
    )
    .await
}

fn state_of(a: &Analysis) -> FormState {
    FormState {
        kind: a.kind.clone(),
        title: a.version.content.title.clone(),
        body: a.version.content.body.clone(),
        rows: a.version.content.rows.clone(),
        classification: a.labels.classification.as_str().into(),
        note: String::new(),
        base_version: a.version.number,
    }
}

async fn save(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let mut state = state_from_form(&form);
    let input = NewVersion {
        base_version: state.base_version,
        title: state.title.clone(),
        body: state.body.clone(),
        rows: state.rows.clone(),
        classification: Some(state.classification.clone()),
        note: state.note.clone(),
    };
    let err = match v.access.save_analysis_version(&id, &input).await {
        Ok(a) => return Redirect::to(&format!("/analyses/{}", a.id)).into_response(),
        Err(e) => e,
    };
    let conflict = matches!(err, StoreError::Conflict(_));
    let (msg, status) = match form_failure(err) {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    // Show the form again with the user's text. On a conflict the form now builds on the latest
    // version: the user has been told, can compare, and saves deliberately.
    let a = match v.access.get_analysis(&id, None).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    let p = match v.access.get_process(&a.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let conflict_from = conflict.then_some(state.base_version);
    if conflict {
        state.base_version = a.latest_version;
    }
    state.kind = a.kind.clone();
    form_page(
        &v,
        FormPage {
            process: &p,
            analysis: Some((&a.id, &a.labels)),
            state,
            error: Some(msg),
            conflict_from,
            status,
        },
    )
    .await
}

async fn history(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let (head, versions) = match v.access.analysis_history(&id).await {
        Ok(h) => h,
        Err(e) => return store_error(l, e),
    };
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Analysis, &head.labels),
    );
    let latest = head.latest_version;
    let content = html! {
        p.muted { a href={ "/analyses/" (head.id) } { "← " (head.title) } }
        h1 { (t(l, "ana.history.title")) ": " (head.title) " " (labels_badge(l, &head.labels)) }
        form method="get" action={ "/analyses/" (head.id) "/diff" } {
            table { thead { tr {
                th { (t(l, "ana.version")) } th { (t(l, "ana.diff.from")) } th { (t(l, "ana.diff.to")) }
                th { (t(l, "ana.field.title")) } th { (t(l, "ana.saved")) } th { (t(l, "ana.note")) }
            } }
            tbody { @for ver in &versions { tr {
                td { a href={ "/analyses/" (head.id) "?version=" (ver.number) } { (ver.number) } }
                td { input type="radio" name="from" value=(ver.number) checked[ver.number == (latest - 1).max(1)] aria-label={ (t(l, "ana.diff.from")) " " (ver.number) }; }
                td { input type="radio" name="to" value=(ver.number) checked[ver.number == latest] aria-label={ (t(l, "ana.diff.to")) " " (ver.number) }; }
                td { (ver.title) }
                td { (fmt_micros(ver.created_at)) " · " (ver.author_name) }
                td { (ver.note) }
            } } } }
            div.actions { button type="submit" { (t(l, "ana.diff.show")) } }
        }
        @if may_edit && versions.len() > 1 {
            h2 { (t(l, "ana.restore.title")) }
            p.muted { (t(l, "ana.restore.help")) }
            div.actions { @for ver in versions.iter().filter(|x| x.number != latest) {
                (restore_button(&v, &head.id, ver.number, latest))
            } }
        }
    };
    page(&v, t(l, "ana.history.title"), content)
}

#[derive(Deserialize, Default)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(v: Viewer, Path(id): Path<String>, Query(q): Query<DiffQuery>) -> Response {
    let l = v.lang;
    let num = |s: &Option<String>| -> Result<Option<i64>, ()> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|_| ()),
        }
    };
    let (Ok(from), Ok(to)) = (num(&q.from), num(&q.to)) else {
        // Reveal nothing about the analysis before the access check: resolve it first.
        return match v.access.analysis_history(&id).await {
            Ok(_) => {
                crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, t(l, "ana.diff.bad"))
            }
            Err(e) => store_error(l, e),
        };
    };
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        _ => match v.access.analysis_history(&id).await {
            Ok((h, _)) => (
                from.unwrap_or((h.latest_version - 1).max(1)),
                to.unwrap_or(h.latest_version),
            ),
            Err(e) => return store_error(l, e),
        },
    };
    let (head, d) = match v.access.diff_analysis(&id, from, to).await {
        Ok(x) => x,
        Err(StoreError::Invalid(e)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let p = match v.access.get_process(&head.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let ids: Vec<&str> = d.rows.iter().map(|r| r.actor_id.as_str()).collect();
    let (_, names) = actor_names(&v, &p, &ids).await;
    let content = html! {
        p.muted { a href={ "/analyses/" (head.id) "/history" } { "← " (t(l, "ana.history.title")) ": " (head.title) } }
        h1 { (t(l, "ana.diff.title")) " " (d.from) " → " (d.to) }
        (diff_view(l, &d, &names))
    };
    page(&v, t(l, "ana.diff.title"), content)
}

fn diff_view(l: Lang, d: &AnalysisDiff, names: &HashMap<String, String>) -> Markup {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| "?".into());
    let stance = |r: &Option<ActorMapRow>| {
        r.as_ref()
            .map(|r| term_label(l, STANCES, &r.stance))
            .unwrap_or_default()
    };
    html! {
        @if d.is_empty() { p { (t(l, "ana.diff.same")) } }
        @if let Some((a, b)) = &d.title {
            h2 { (t(l, "ana.field.title")) }
            p { del { (a) } " → " ins { (b) } }
        }
        @if !d.hunks.is_empty() {
            h2 { (t(l, "ana.diff.body")) " " span.muted { "+" (d.lines_added) " −" (d.lines_removed) } }
            table.diff {
                @for h in &d.hunks {
                    tbody {
                        tr.hunk { td colspan="3" { (h.header()) } }
                        @for line in &h.lines {
                            @let (class, sign) = match line.tag {
                                LineTag::Context => ("ctx", " "),
                                LineTag::Removed => ("del", "−"),
                                LineTag::Added => ("add", "+"),
                            };
                            tr class=(class) {
                                td.ln { (line.old_line.map(|n| n.to_string()).unwrap_or_default()) }
                                td.ln { (line.new_line.map(|n| n.to_string()).unwrap_or_default()) }
                                td.code { span.sign aria-hidden="true" { (sign) }
                                    @match line.tag {
                                        LineTag::Removed => del { (line.text) },
                                        LineTag::Added => ins { (line.text) },
                                        LineTag::Context => span { (line.text) },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !d.rows.is_empty() {
            h2 { (t(l, "ana.rows")) }
            table.rowdiff { thead { tr {
                th { (t(l, "ana.row.actor")) } th { (t(l, "ana.diff.change")) } th { (t(l, "ana.row.stance")) } th { (t(l, "ana.row.influence")) } th { (t(l, "ana.row.interests")) }
            } }
            tbody { @for r in &d.rows {
                @let class = match r.kind { RowChangeKind::Added => "add", RowChangeKind::Removed => "del", RowChangeKind::Changed => "chg" };
                tr class=(class) {
                    td { (name(&r.actor_id)) }
                    td { (match r.kind {
                        RowChangeKind::Added => t(l, "ana.diff.added"),
                        RowChangeKind::Removed => t(l, "ana.diff.removed"),
                        RowChangeKind::Changed => t(l, "ana.diff.changed"),
                    }) }
                    @for (field, before, after) in [
                        ("stance", stance(&r.before), stance(&r.after)),
                        ("influence", r.before.as_ref().map(|x| x.influence.to_string()).unwrap_or_default(), r.after.as_ref().map(|x| x.influence.to_string()).unwrap_or_default()),
                        ("interests", r.before.as_ref().map(|x| x.interests.clone()).unwrap_or_default(), r.after.as_ref().map(|x| x.interests.clone()).unwrap_or_default()),
                    ] {
                        td {
                            @if r.kind == RowChangeKind::Changed && r.fields.iter().any(|f| f == field) {
                                del { (before) } " → " ins { (after) }
                            } @else if r.kind == RowChangeKind::Removed { del { (before) } }
                            @else { (after) }
                        }
                    }
                }
            } }
            }
        }
    }
}

async fn restore(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let req = RestoreRequest {
        version: form.text("version").trim().parse().unwrap_or(0),
        base_version: form.text("base_version").trim().parse().ok(),
    };
    match v.access.restore_analysis_version(&id, &req).await {
        Ok(a) => Redirect::to(&format!("/analyses/{}", a.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => crate::ui::error_page(l, status, &msg),
            Err(e) => store_error(l, e),
        },
    }
}

async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_analysis(&id).await {
        Ok(process) => Redirect::to(&format!("/processes/{process}#analyses")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}
