//! Early-warning alerts: the list (overdue first; "mine" and "overdue" filters), raising an
//! alert from a country's signal (the form on the country profile), and the alert with its
//! follow-up form — assessment, recommendation, owner, deadline, status, reason to close.

use crate::routes::{Routes, get};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::early_warning::{Alert, AlertInput, AlertStatus};
use grotius_domain::{Action, Resource, ResourceKind, reference};
use grotius_store::AlertFilter;
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, classification_select, csrf_field, form_failure, labels_badge, page, store_error,
};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/early-warning/alerts", get(list).post(create))
        .route("/early-warning/alerts/{id}", get(show).post(update));
}

pub(crate) fn status_label(l: Lang, s: AlertStatus) -> &'static str {
    match s {
        AlertStatus::Open => t(l, "ew.alert.open"),
        AlertStatus::Assessed => t(l, "ew.alert.assessed"),
        AlertStatus::ActionTaken => t(l, "ew.alert.action_taken"),
        AlertStatus::Closed => t(l, "ew.alert.closed"),
    }
}

fn input_from_form(f: &FormPairs) -> AlertInput {
    AlertInput {
        country: f.text("country"),
        signal: f.text("signal"),
        as_of: f.text("as_of"),
        title: f.text("title"),
        assessment: f.text("assessment"),
        recommendation: f.text("recommendation"),
        owner: f.text("owner"),
        deadline: f.text("deadline"),
        status: f.text("status"),
        closed_reason: f.text("closed_reason"),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

/// The compartments the viewer may file in (with "none").
fn compartment_select(v: &Viewer, selected: Option<&str>) -> Markup {
    let l = v.lang;
    html! {
        select #compartment name="compartment" {
            option value="" { (t(l, "ew.alert.no_compartment")) }
            @for c in &v.access.subject().compartments {
                option value=(c.as_str()) selected[Some(c.as_str()) == selected] { (c.as_str()) }
            }
        }
    }
}

/// The form raising an alert for a country (shown on its profile to those who may).
pub(crate) fn raise_form(v: &Viewer, country: &str, signal: &str, as_of: &str) -> Markup {
    let l = v.lang;
    html! {
        form.stack method="post" action="/early-warning/alerts" {
            (csrf_field(v))
            input type="hidden" name="country" value=(country);
            input type="hidden" name="signal" value=(signal);
            input type="hidden" name="as_of" value=(as_of);
            label for="title" { (t(l, "ew.alert.title")) }
            input #title name="title" required;
            label for="assessment" { (t(l, "ew.alert.assessment")) }
            textarea #assessment name="assessment" rows="3" {}
            label for="owner" { (t(l, "ew.alert.owner")) }
            input #owner name="owner" required value=(v.access.subject().username);
            label for="deadline" { (t(l, "ew.alert.deadline")) }
            input #deadline name="deadline" type="date" required;
            label for="classification" { (t(l, "ew.alert.classification")) }
            (classification_select(l, v.access.subject().clearance, "internal"))
            label for="compartment" { (t(l, "ew.alert.compartment")) }
            (compartment_select(v, None))
            div.actions { button type="submit" { (t(l, "ew.alert.raise")) } }
        }
    }
}

#[derive(Deserialize)]
struct ListQuery {
    overdue: Option<String>,
    mine: Option<String>,
    country: Option<String>,
}

fn alerts_table(l: Lang, v: &Viewer, items: &[Alert]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (t(l, "ew.alert.title")) }
                th { (t(l, "ew.col.country")) }
                th { (t(l, "ew.alert.owner")) }
                th { (t(l, "ew.alert.deadline")) }
                th { (t(l, "ew.alert.status")) }
                th { (t(l, "ew.alert.labels")) }
            } }
            tbody {
                @for a in items {
                    tr {
                        td { a href={ "/early-warning/alerts/" (a.id) } { (a.title) } }
                        td { a href={ "/countries/" (a.country) } { (reference::country(&a.country).map_or(a.country.as_str(), |c| c.name.as_str())) } }
                        td { (a.owner_name) }
                        td {
                            (a.deadline)
                            @if v.access.alert_overdue(a) { " " strong.overdue { (t(l, "ew.alert.overdue")) } }
                        }
                        td { (status_label(l, a.status)) }
                        td { (labels_badge(l, &a.labels)) }
                    }
                }
            }
        }
    }
}

async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let filter = AlertFilter {
        country: q.country.clone().filter(|c| !c.trim().is_empty()),
        status: None,
        overdue: q.overdue.as_deref() == Some("1"),
        mine: q.mine.as_deref() == Some("1"),
    };
    let page_of = match v.access.list_alerts(&filter, 200, 0).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        h1 { (t(l, "ew.alerts")) }
        p { (t(l, "ew.alerts.intro")) }
        p {
            a href="/early-warning/alerts" { (t(l, "ew.alerts.all")) } " · "
            a href="/early-warning/alerts?overdue=1" { (t(l, "ew.alerts.overdue")) } " · "
            a href="/early-warning/alerts?mine=1" { (t(l, "ew.alerts.mine")) } " · "
            a href="/early-warning/alerts?mine=1&overdue=1" { (t(l, "ew.alerts.mine_overdue")) }
        }
        p { (page_of.total) " " (t(l, "ew.alerts.count")) }
        @if page_of.items.is_empty() {
            p { (t(l, "ew.alerts.none")) }
        } @else {
            (alerts_table(l, &v, &page_of.items))
        }
        p { a href="/early-warning" { (t(l, "ew.back")) } }
    };
    page(&v, t(l, "ew.alerts"), content)
}

async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_alert(&input).await {
        Ok(a) => Redirect::to(&format!("/early-warning/alerts/{}", a.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                let content = html! {
                    h1 { (t(l, "ew.alert.raise")) }
                    div.error role="alert" { (t(l, "form.error")) " " (msg) }
                    (raise_form(&v, &input.country, &input.signal, &input.as_of))
                };
                let mut res = page(&v, t(l, "ew.alert.raise"), content);
                *res.status_mut() = status;
                res
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub(super) fn alert_page(
    v: &Viewer,
    a: &Alert,
    input: &AlertInput,
    error: Option<String>,
    status: StatusCode,
    links: Markup,
) -> Response {
    let l = v.lang;
    let may_update = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Alert, &a.labels),
    );
    let content = html! {
        h1 { (a.title) " " (labels_badge(l, &a.labels)) }
        dl.facts {
            dt { (t(l, "ew.col.country")) } dd { a href={ "/countries/" (a.country) } { (a.country) } }
            dt { (t(l, "ew.col.signal")) } dd { (a.signal) " · " (t(l, "ew.as_of")) " " (a.as_of) }
            dt { (t(l, "ew.alert.owner")) } dd { (a.owner_name) }
            dt { (t(l, "ew.alert.deadline")) } dd {
                (a.deadline)
                @if v.access.alert_overdue(a) { " " strong.overdue { (t(l, "ew.alert.overdue")) } }
            }
            dt { (t(l, "ew.alert.status")) } dd { strong { (status_label(l, a.status)) } }
            dt { (t(l, "ew.alert.assessment")) } dd { (a.assessment) }
            dt { (t(l, "ew.alert.recommendation")) } dd { (a.recommendation) }
            @if a.status == AlertStatus::Closed {
                dt { (t(l, "ew.alert.closed_reason")) } dd { (a.closed_reason) }
            }
            dt { (t(l, "ew.alert.raised_by")) } dd { (a.created_by) " · " (crate::ui::fmt_micros(a.created_at)) }
        }
        (links)
        @if may_update {
            h2 { (t(l, "ew.alert.follow_up")) }
            @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
            form.stack method="post" action={ "/early-warning/alerts/" (a.id) } {
                (csrf_field(v))
                input type="hidden" name="country" value=(input.country);
                input type="hidden" name="signal" value=(input.signal);
                input type="hidden" name="as_of" value=(input.as_of);
                label for="title" { (t(l, "ew.alert.title")) }
                input #title name="title" required value=(input.title);
                label for="assessment" { (t(l, "ew.alert.assessment")) }
                textarea #assessment name="assessment" rows="4" { (input.assessment) }
                label for="recommendation" { (t(l, "ew.alert.recommendation")) }
                textarea #recommendation name="recommendation" rows="3" { (input.recommendation) }
                label for="owner" { (t(l, "ew.alert.owner")) }
                input #owner name="owner" required value=(input.owner);
                label for="deadline" { (t(l, "ew.alert.deadline")) }
                input #deadline name="deadline" type="date" required value=(input.deadline);
                label for="status" { (t(l, "ew.alert.status")) }
                select #status name="status" {
                    @for s in AlertStatus::ALL {
                        option value=(s.as_str()) selected[s.as_str() == input.status] { (status_label(l, s)) }
                    }
                }
                label for="closed_reason" { (t(l, "ew.alert.closed_reason")) }
                input #closed_reason name="closed_reason" value=(input.closed_reason);
                label for="classification" { (t(l, "ew.alert.classification")) }
                (classification_select(l, v.access.subject().clearance, &input.classification))
                label for="compartment" { (t(l, "ew.alert.compartment")) }
                (compartment_select(v, input.compartment.as_deref()))
                div.actions { button type="submit" { (t(l, "ew.alert.save")) } }
            }
        }
        p { a href="/early-warning/alerts" { (t(l, "ew.alerts")) } }
    };
    let mut res = page(v, &a.title, content);
    *res.status_mut() = status;
    res
}

pub(super) fn input_of(a: &Alert) -> AlertInput {
    AlertInput {
        country: a.country.clone(),
        signal: a.signal.clone(),
        as_of: a.as_of.clone(),
        title: a.title.clone(),
        assessment: a.assessment.clone(),
        recommendation: a.recommendation.clone(),
        owner: a.owner_name.clone(),
        deadline: a.deadline.clone(),
        status: a.status.as_str().to_string(),
        closed_reason: a.closed_reason.clone(),
        classification: a.labels.classification.as_str().to_string(),
        compartment: a
            .labels
            .compartment
            .as_ref()
            .map(|c| c.as_str().to_string()),
    }
}

async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.get_alert(&id).await {
        Ok(a) => match super::follow_up::links_section(&v, &a, None).await {
            Ok(links) => {
                let href = format!("/early-warning/alerts/{}", a.id);
                let work = crate::modules::work::ui::panel(&v, &a.id, &href).await;
                let links = html! { (links) (work) };
                alert_page(&v, &a, &input_of(&a), None, StatusCode::OK, links)
            }
            Err(e) => store_error(v.lang, e),
        },
        Err(e) => store_error(v.lang, e),
    }
}

async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_alert(&id, &input).await {
        Ok(a) => Redirect::to(&format!("/early-warning/alerts/{}", a.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => match v.access.get_alert(&id).await {
                Ok(a) => match super::follow_up::links_section(&v, &a, None).await {
                    Ok(links) => alert_page(&v, &a, &input, Some(msg), status, links),
                    Err(e) => store_error(l, e),
                },
                Err(e) => store_error(l, e),
            },
            Err(e) => store_error(l, e),
        },
    }
}
