//! The inbox page, and the work panel of a record's page: its assignments and comments, with
//! the forms to assign it and to comment. The forms post to routes of their own; a refused
//! submission answers with the form on a page of its own, the error beside its field and what
//! was typed kept; a saved one returns to the record's page, which says what happened.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::early_warning::AlertStatus;
use grotius_domain::work::{Assignment, Comment, WaitingItem, WaitingReason, check_assignment};
use grotius_domain::{DomainError, fund, roster};
use grotius_store::StoreError;
use maud::{Markup, html};

use super::record_href;
use crate::auth::{Viewer, safe_next};
use crate::i18n::{Lang, t};
use crate::routes::{Routes, get, post};
use crate::ui::{FormPairs, csrf_field, failed_field, fmt_micros, page, store_error, term_label};

pub(crate) fn routes(r: &mut Routes) {
    r.route(super::INBOX, get(inbox))
        .route("/records/{id}/comments", post(comment))
        .route("/records/{id}/assignments", post(assign))
        .route("/assignments/{id}/done", post(done));
}

fn reason_label(l: Lang, r: WaitingReason) -> &'static str {
    match r {
        WaitingReason::Assigned => t(l, "work.reason.assigned"),
        WaitingReason::Decide => t(l, "work.reason.decide"),
        WaitingReason::Assess => t(l, "work.reason.assess"),
        WaitingReason::Answer => t(l, "work.reason.answer"),
        WaitingReason::Moderate => t(l, "work.reason.moderate"),
        WaitingReason::Grant => t(l, "work.reason.grant"),
    }
}

/// An item's detail in the reader's language (states by their labels, never as codes).
fn detail(l: Lang, i: &WaitingItem) -> String {
    match i.reason {
        WaitingReason::Decide => term_label(l, fund::STATES, &i.detail),
        WaitingReason::Answer => term_label(l, roster::REQUEST_STATES, &i.detail),
        WaitingReason::Assess => AlertStatus::parse(&i.detail)
            .map(|s| super::super::early_warning::alerts::status_label(l, s).to_string())
            .unwrap_or_else(|_| i.detail.clone()),
        WaitingReason::Moderate => format!("{} {}", i.detail, t(l, "work.statements")),
        WaitingReason::Grant => format!("{} {}", t(l, "work.asked_by"), i.detail),
        WaitingReason::Assigned => format!("{} {}", t(l, "work.by"), i.detail),
    }
}

async fn inbox(v: Viewer) -> Response {
    let l = v.lang;
    let items = match v.access.waiting_for_me().await {
        Ok(items) => items,
        Err(e) => return store_error(l, e),
    };
    let overdue = items.iter().filter(|i| i.overdue).count();
    let content = html! {
        h1 { (t(l, "work.inbox")) }
        p { (t(l, "work.inbox.intro")) }
        @if items.is_empty() {
            p #inbox-empty { (t(l, "work.inbox.none")) }
        } @else {
            p #inbox-summary {
                (items.len()) " " (t(l, "work.inbox.items"))
                @if overdue > 0 { " · " strong.overdue { (overdue) " " (t(l, "work.overdue")) } }
            }
            div.table-wrap { table #inbox {
                thead { tr {
                    th scope="col" { (t(l, "work.col.record")) }
                    th scope="col" { (t(l, "work.col.why")) }
                    th scope="col" { (t(l, "work.col.due")) }
                    th scope="col" { (t(l, "work.col.detail")) }
                    th scope="col" { span.visually-hidden { (t(l, "work.col.action")) } }
                } }
                tbody { @for i in &items { tr.overdue[i.overdue] {
                    td { a href=(record_href(&i.kind, &i.id)) { (i.title) } }
                    td { (reason_label(l, i.reason)) }
                    td { @if let Some(d) = &i.due { (d) } @if i.overdue { " " strong.overdue { (t(l, "work.overdue")) } } }
                    td { (detail(l, i)) }
                    td { @if let Some(aid) = &i.assignment_id {
                        form method="post" action={ "/assignments/" (aid) "/done" } {
                            (csrf_field(&v))
                            input type="hidden" name="next" value=(super::INBOX);
                            button type="submit" { (t(l, "work.done")) }
                        }
                    } }
                } } }
            } }
        }
    };
    page(&v, t(l, "work.inbox"), content)
}

/// The overview starts from the inbox: how many things wait, the first five (overdue first)
/// and the way to the rest. Nothing for those without an inbox.
pub(crate) async fn overview_section(v: &Viewer) -> Markup {
    let l = v.lang;
    if !v.access.may(
        grotius_domain::Action::Read,
        grotius_domain::Resource::kind(grotius_domain::ResourceKind::Assignment),
    ) {
        return html! {};
    }
    let Ok(items) = v.access.waiting_for_me().await else {
        return html! {};
    };
    let overdue = items.iter().filter(|i| i.overdue).count();
    html! {
        section #waiting aria-labelledby="waiting-h" {
            h2 #waiting-h { (t(l, "work.inbox")) }
            @if items.is_empty() { p { (t(l, "work.inbox.none")) } } @else {
                p {
                    a href=(super::INBOX) { (items.len()) " " (t(l, "work.inbox.items")) }
                    @if overdue > 0 { " · " strong.overdue { (overdue) " " (t(l, "work.overdue")) } }
                }
                ul { @for i in items.iter().take(5) { li {
                    a href=(record_href(&i.kind, &i.id)) { (i.title) } " — " (reason_label(l, i.reason))
                    @if let Some(d) = &i.due { " · " (d) }
                    @if i.overdue { " " strong.overdue { (t(l, "work.overdue")) } }
                } } }
            }
        }
    }
}

/// What a refused form brings back: the message and the field it names, and the values typed.
#[derive(Default)]
pub(crate) struct Refused<'a> {
    pub errors: Vec<(String, Option<&'static str>)>,
    pub form: Option<&'a FormPairs>,
}

impl Refused<'_> {
    fn value(&self, k: &str) -> String {
        self.form.map(|f| f.text(k)).unwrap_or_default()
    }

    fn beside(&self, l: Lang, field: &str) -> Markup {
        html! {
            @for (msg, f) in &self.errors { @if *f == Some(field) {
                span.field-error id={ "work-" (field) "-error" } role="alert" { (t(l, "form.error")) " " (msg) }
            } }
        }
    }
}

/// The work panel of a record's page: its assignments and comments, and the forms, for those
/// who may see them (nothing at all for the others). `back` is the page to return to.
pub(crate) async fn panel(v: &Viewer, record_id: &str, back: &str) -> Markup {
    panel_with(v, record_id, back, &Refused::default()).await
}

async fn panel_with(v: &Viewer, record_id: &str, back: &str, refused: &Refused<'_>) -> Markup {
    let l = v.lang;
    let (Ok(assignments), Ok(comments)) = (
        v.access.assignments(record_id).await,
        v.access.comments(record_id).await,
    ) else {
        return html! {};
    };
    let history = v.access.record_history(record_id).await.unwrap_or_default();
    let may_write = v.access.may_comment();
    let people = if may_write {
        v.access
            .assignable_users(record_id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let saved = v
        .here
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("work=")))
        .map(|w| match w {
            "assigned" => t(l, "work.saved.assigned"),
            "commented" => t(l, "work.saved.commented"),
            _ => t(l, "work.saved.done"),
        });
    let today = grotius_store::alert_today();
    html! {
        section #work aria-labelledby="work-h" {
            h2 #work-h { (t(l, "work.panel")) }
            @if let Some(s) = saved { p.notice role="status" { (s) } }
            @for (msg, f) in &refused.errors { @if f.is_none() { p.error role="alert" { (t(l, "form.error")) " " (msg) } } }
            h3 { (t(l, "work.assignments")) }
            @if assignments.is_empty() { p { (t(l, "work.assignments.none")) } } @else {
                ul #assignments { @for a in &assignments { li { (assignment_line(v, a, back, &today)) } } }
            }
            @if may_write && !people.is_empty() {
                details open[refused.form.is_some_and(|f| f.get("assignee").is_some())] {
                    summary { (t(l, "work.assign")) }
                    form method="post" action={ "/records/" (record_id) "/assignments" } {
                        (csrf_field(v))
                        input type="hidden" name="next" value=(back);
                        label for="assignee" { (t(l, "work.assignee")) }
                        select #assignee name="assignee" aria-describedby="work-assignee-error" {
                            option value="" { (t(l, "work.choose")) }
                            @for p in &people { option value=(p) selected[refused.value("assignee") == *p] { (p) } }
                        }
                        (refused.beside(l, "assignee"))
                        label for="due" { (t(l, "work.due")) }
                        input #due type="date" name="due" min=(today) value=(refused.value("due"));
                        (refused.beside(l, "due"))
                        label for="note" { (t(l, "work.note")) }
                        input #note type="text" name="note" maxlength="500" value=(refused.value("note"));
                        (refused.beside(l, "note"))
                        button type="submit" { (t(l, "work.assign.submit")) }
                    }
                }
            }
            @if !history.is_empty() {
                details #history {
                    summary { (t(l, "work.history")) " (" (history.len()) ")" }
                    ol { @for h in &history { li {
                        span.meta { (fmt_micros(h.at)) } " · " strong { (h.actor) } " · " (action_label(l, &h.action))
                    } } }
                }
            }
            h3 { (t(l, "work.comments")) }
            @if comments.is_empty() { p { (t(l, "work.comments.none")) } } @else {
                ol #comments { @for c in &comments { li { (comment_line(c)) } } }
            }
            @if may_write {
                form method="post" action={ "/records/" (record_id) "/comments" } {
                    (csrf_field(v))
                    input type="hidden" name="next" value=(back);
                    label for="comment-body" { (t(l, "work.comment")) }
                    textarea #comment-body name="body" rows="3" maxlength="4000" aria-describedby="work-body-error" { (refused.value("body")) }
                    (refused.beside(l, "body"))
                    button type="submit" { (t(l, "work.comment.submit")) }
                }
            }
        }
    }
}

fn assignment_line(v: &Viewer, a: &Assignment, back: &str, today: &str) -> Markup {
    let l = v.lang;
    let me = &v.access.subject().user_id;
    html! {
        strong { (a.assignee) }
        @if let Some(d) = &a.due { " · " (t(l, "work.due")) " " (d) }
        @if a.overdue(today) { " " strong.overdue { (t(l, "work.overdue")) } }
        " · " (t(l, "work.by")) " " (a.assigned_by)
        @if !a.note.is_empty() { " — " (a.note) }
        @if let Some(at) = a.done_at {
            " · " span.badge.public { (t(l, "work.is_done")) " " (fmt_micros(at)) }
        } @else if *me == a.assignee_id || *me == a.assigned_by_id {
            form.inline method="post" action={ "/assignments/" (a.id) "/done" } {
                (csrf_field(v))
                input type="hidden" name="next" value=(back);
                button type="submit" { (t(l, "work.done")) }
            }
        }
    }
}

/// An audit action in words: the special ones of this module, else by its verb; the code
/// itself only for a verb without words yet.
fn action_label(l: Lang, action: &str) -> String {
    let key = match action {
        "comment.create" => "work.act.commented",
        "assignment.create" => "work.act.assigned",
        "assignment.done" => "work.act.assignment_done",
        a => match a.rsplit('.').next().unwrap_or_default() {
            "create" => "work.act.created",
            "update" | "save" | "edit" => "work.act.changed",
            "transition" => "work.act.step",
            "delete" => "work.act.deleted",
            "verify" => "work.act.verified",
            "link" | "assign" => "work.act.linked",
            "unlink" | "unassign" => "work.act.unlinked",
            "upload" | "ingest" => "work.act.uploaded",
            _ => return action.to_string(),
        },
    };
    t(l, key).to_string()
}

fn comment_line(c: &Comment) -> Markup {
    html! {
        span.meta { strong { (c.author) } " · " (fmt_micros(c.created_at)) }
        p.comment { (c.body) }
    }
}

/// Where to go after a save: the page named by `next` (a local path), told what happened.
fn back_to(next: &str, what: &str) -> Response {
    let next = safe_next(Some(next));
    let path = next.split_once('#').map_or(next.as_str(), |(p, _)| p);
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}work={what}#work")).into_response()
}

/// A refused submission: the panel on a page of its own, with the error beside its field.
async fn refused_page(
    v: &Viewer,
    record_id: &str,
    form: &FormPairs,
    message: String,
    field: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let back = safe_next(form.get("next"));
    let refused = Refused {
        errors: vec![(message, field)],
        form: Some(form),
    };
    let panel = panel_with(v, record_id, &back, &refused).await;
    let content = html! {
        p { a href=(back) { "← " (t(l, "work.back")) } }
        (panel)
    };
    let mut r = page(v, t(l, "work.panel"), content);
    *r.status_mut() = status;
    r
}

async fn refusal(v: &Viewer, record_id: &str, form: &FormPairs, e: StoreError) -> Response {
    let field = failed_field(&e);
    match crate::ui::form_failure(e) {
        Ok((message, status)) => refused_page(v, record_id, form, message, field, status).await,
        Err(e) => store_error(v.lang, e),
    }
}

async fn comment(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v.access.add_comment(&id, &form.text("body")).await {
        Ok(_) => back_to(&form.text("next"), "commented"),
        Err(e) => refusal(&v, &id, &form, e).await,
    }
}

async fn assign(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    // Every field's error at once, beside its field (the store answers the first only).
    if let Err(errors) = check_assignment(
        &form.text("assignee"),
        &form.text("due"),
        &form.text("note"),
        &grotius_store::alert_today(),
    ) {
        return refused_all(&v, &id, &form, &errors).await;
    }
    match v
        .access
        .assign(
            &id,
            &form.text("assignee"),
            &form.text("due"),
            &form.text("note"),
        )
        .await
    {
        Ok(_) => back_to(&form.text("next"), "assigned"),
        Err(e) => refusal(&v, &id, &form, e).await,
    }
}

/// Several refused fields: each message beside its field.
async fn refused_all(v: &Viewer, id: &str, form: &FormPairs, errors: &[DomainError]) -> Response {
    let l = v.lang;
    if v.access.assignments(id).await.is_err() {
        return store_error(l, StoreError::NotFound);
    }
    let back = safe_next(form.get("next"));
    let refused = Refused {
        errors: errors
            .iter()
            .map(|e| match e {
                DomainError::Invalid { field, reason } => (reason.clone(), Some(*field)),
                DomainError::UnknownValue { what, .. } => (e.to_string(), Some(*what)),
            })
            .collect(),
        form: Some(form),
    };
    let panel = panel_with(v, id, &back, &refused).await;
    let content = html! {
        p { a href=(back) { "← " (t(l, "work.back")) } }
        (panel)
    };
    let mut r = page(v, t(l, "work.panel"), content);
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

async fn done(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v.access.complete_assignment(&id).await {
        Ok(_) => back_to(&form.text("next"), "done"),
        Err(e) => store_error(v.lang, e),
    }
}
