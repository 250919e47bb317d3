//! Access decisions between mediation and evidence: the list, the request form (administrators)
//! and the approve/refuse form (the coordinator or the custodian who answers for the target side).

use crate::routes::{Routes, get, post};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::separation::DecisionStatus;
use grotius_domain::{Action, Resource, ResourceKind};
use maud::html;

use crate::auth::Viewer;
use crate::i18n::t;
use crate::modules::platform::ui::admin::user_error;
use crate::ui::{FormPairs, csrf_field, fmt_micros, page as shell, store_error};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/access-decisions", get(list).post(request))
        .route("/access-decisions/{id}/decision", post(decide));
}

fn side_label(l: crate::i18n::Lang, domain: &str) -> &'static str {
    if domain == "evidence" {
        t(l, "sep.side.evidence")
    } else {
        t(l, "sep.side.mediation")
    }
}

async fn render(v: &Viewer, error: Option<String>, status: StatusCode) -> Response {
    let l = v.lang;
    let decisions = match v.access.list_access_decisions().await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let may_request = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::AccessDecision));
    let may_decide = v
        .access
        .may(Action::Update, Resource::kind(ResourceKind::AccessDecision));
    let (users, compartments) = if may_request {
        (
            v.access.list_users().await.unwrap_or_default(),
            v.access.list_compartments().await.unwrap_or_default(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let content = html! {
        h1 { (t(l, "sep.title")) }
        p.muted { (t(l, "sep.intro")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        @if decisions.is_empty() { p { (t(l, "sep.none")) } }
        @for d in &decisions {
            article.card id={ "decision-" (d.id) } {
                h2 { (d.username) " → " code { (d.compartment_id) } " (" (side_label(l, d.domain.as_str())) ")" }
                p { span.badge { (t(l, match d.status {
                    DecisionStatus::Requested => "sep.status.requested",
                    DecisionStatus::Approved => "sep.status.approved",
                    DecisionStatus::Refused => "sep.status.refused",
                })) } }
                dl {
                    dt { (t(l, "sep.reason")) } dd { (d.reason) }
                    dt { (t(l, "sep.requested")) } dd { (d.requested_by) " · " (fmt_micros(d.requested_at)) }
                    @if let (Some(by), Some(at)) = (&d.decided_by, d.decided_at) {
                        dt { (t(l, "sep.decided")) } dd { (by) " · " (fmt_micros(at)) }
                        dt { (t(l, "sep.note")) } dd { (d.note) }
                    }
                }
                @if may_decide && d.status == DecisionStatus::Requested {
                    form.stack method="post" action={ "/access-decisions/" (d.id) "/decision" } {
                        (csrf_field(v))
                        label for={ "note-" (d.id) } { (t(l, "sep.note")) }
                        textarea id={ "note-" (d.id) } name="note" required minlength="10" {}
                        div.actions {
                            button type="submit" name="approve" value="1" { (t(l, "sep.approve")) }
                            button.secondary type="submit" name="approve" value="0" { (t(l, "sep.refuse")) }
                        }
                    }
                }
            }
        }
        @if may_request {
            h2 { (t(l, "sep.request")) }
            form #decision-request.stack method="post" action="/access-decisions" {
                (csrf_field(v))
                label for="user" { (t(l, "login.username")) }
                select #user name="user_id" { @for u in &users { option value=(u.id) { (u.username) " — " (u.display_name) } } }
                label for="compartment" { (t(l, "dash.compartments")) }
                select #compartment name="compartment" { @for c in &compartments {
                    option value=(c.id) { (c.id) " — " (side_label(l, &c.domain)) }
                } }
                label for="reason" { (t(l, "sep.reason")) }
                textarea #reason name="reason" required minlength="10" {}
                div.actions { button type="submit" { (t(l, "sep.request")) } }
            }
        }
    };
    let mut res = shell(v, t(l, "sep.title"), content);
    *res.status_mut() = status;
    res
}

pub async fn list(v: Viewer) -> Response {
    render(&v, None, StatusCode::OK).await
}

pub async fn request(v: Viewer, form: FormPairs) -> Response {
    match v
        .access
        .request_access_decision(
            &form.text("user_id"),
            &form.text("compartment"),
            &form.text("reason"),
        )
        .await
    {
        Ok(d) => Redirect::to(&format!("/access-decisions#decision-{}", d.id)).into_response(),
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render(&v, Some(msg), status).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}

pub async fn decide(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let approve = form.text("approve") == "1";
    match v
        .access
        .decide_access(&id, approve, &form.text("note"))
        .await
    {
        Ok(d) => Redirect::to(&format!("/access-decisions#decision-{}", d.id)).into_response(),
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render(&v, Some(msg), status).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}
