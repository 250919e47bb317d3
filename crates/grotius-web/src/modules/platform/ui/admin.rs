//! Administration: users, compartments and memberships.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::{Classification, Role};
use grotius_store::{NewUser, StoreError, UserUpdate};
use maud::{Markup, html};

use crate::auth::Viewer;
use crate::i18n::t;
use crate::ui::{
    FormPairs, class_label, classification_select, csrf_field, fmt_micros, page as shell,
    store_error,
};

fn roles_fieldset(v: &Viewer, selected: &[Role]) -> Markup {
    let l = v.lang;
    html! {
        fieldset { legend { (t(l, "admin.user.roles")) }
            @for r in Role::ALL { label { input type="checkbox" name="roles" value=(r.as_str()) checked[selected.contains(&r)]; " " (r.as_str()) } }
        }
    }
}

fn parse_roles(form: &FormPairs) -> Result<Vec<Role>, StoreError> {
    form.all("roles")
        .iter()
        .map(|r| r.parse::<Role>().map_err(StoreError::from))
        .collect()
}

fn parse_clearance(form: &FormPairs) -> Result<Classification, StoreError> {
    form.text("classification")
        .parse::<Classification>()
        .map_err(StoreError::from)
}

async fn render(v: &Viewer, error: Option<String>, status: StatusCode) -> Response {
    let l = v.lang;
    let users = match v.access.list_users().await {
        Ok(u) => u,
        Err(e) => return store_error(l, e),
    };
    let compartments = match v.access.list_compartments().await {
        Ok(c) => c,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        h1 { (t(l, "admin.title")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        h2 { (t(l, "admin.users")) }
        table {
            thead { tr { th { (t(l, "login.username")) } th { (t(l, "admin.user.display")) } th { (t(l, "admin.user.roles")) } th { (t(l, "dash.clearance")) } th { (t(l, "dash.compartments")) } th { "2FA" } th { (t(l, "admin.user.disabled")) } } }
            tbody { @for u in &users { tr {
                td { a href={ "/admin/users/" (u.id) } { (u.username) } @if u.locked { " " span.badge.secret { (t(l, "admin.user.locked")) } } }
                td { (u.display_name) }
                td { (u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
                td { (class_label(l, u.clearance)) }
                td { (u.compartments.join(", ")) }
                td { @if u.totp_enabled { "✓" } @else { "—" } }
                td { @if u.disabled { "✓" } }
            } } }
        }
        details { summary { (t(l, "admin.user.new")) }
            form #user-create.stack method="post" action="/admin/users" {
                (csrf_field(v))
                label for="username" { (t(l, "login.username")) } input #username type="text" name="username" required;
                label for="display_name" { (t(l, "admin.user.display")) } input #display_name type="text" name="display_name" required;
                label for="password" { (t(l, "acct.password.new")) } input #password type="password" name="password" autocomplete="new-password" minlength="12" required;
                (roles_fieldset(v, &[]))
                label for="classification" { (t(l, "dash.clearance")) } (classification_select(l, Classification::Secret, "internal"))
                label for="organisation" { (t(l, "admin.user.org")) } input #organisation type="text" name="organisation";
                div.actions { button type="submit" { (t(l, "admin.user.create")) } }
            }
        }
        h2 { (t(l, "admin.compartments")) }
        p.muted { (t(l, "admin.comp.note")) }
        table {
            thead { tr { th { (t(l, "admin.comp.id")) } th { (t(l, "admin.comp.name")) } th { (t(l, "admin.comp.desc")) } th { (t(l, "admin.comp.domain")) } th { (t(l, "admin.comp.members")) } } }
            tbody { @for c in &compartments { tr {
                td { a href={ "/admin/compartments/" (c.id) } { code { (c.id) } } } td { (c.name) } td { (c.description) } td { (if c.domain == "evidence" { t(l, "sep.side.evidence") } else { t(l, "sep.side.mediation") }) } td { (c.members) }
            } } }
        }
        details { summary { (t(l, "admin.comp.new")) }
            form #compartment-create.stack method="post" action="/admin/compartments" {
                (csrf_field(v))
                label for="cid" { (t(l, "admin.comp.id")) } input #cid type="text" name="id" required pattern="[a-z0-9-]{2,48}";
                label for="cname" { (t(l, "admin.comp.name")) } input #cname type="text" name="name" required;
                label for="cdesc" { (t(l, "admin.comp.desc")) } input #cdesc type="text" name="description";
                label for="cdomain" { (t(l, "admin.comp.domain")) }
                select #cdomain name="domain" {
                    option value="mediation" { (t(l, "sep.side.mediation")) }
                    option value="evidence" { (t(l, "sep.side.evidence")) }
                }
                div.actions { button type="submit" { (t(l, "form.save")) } }
            }
        }
    };
    let mut res = shell(v, t(l, "admin.title"), content);
    *res.status_mut() = status;
    res
}

pub async fn page(v: Viewer) -> Response {
    render(&v, None, StatusCode::OK).await
}

/// A client error shown on the form (422, 409, …); other errors go to the error page.
pub(crate) fn user_error(e: StoreError) -> Result<(String, StatusCode), StoreError> {
    let (status, _, message) = crate::error::classify(&e);
    if status.is_client_error()
        && status != StatusCode::NOT_FOUND
        && status != StatusCode::FORBIDDEN
    {
        Ok((message, status))
    } else {
        Err(e)
    }
}

pub async fn create_user(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let result = async {
        let new = NewUser {
            username: form.text("username"),
            display_name: form.text("display_name"),
            password: form.text("password"),
            roles: parse_roles(&form)?,
            clearance: parse_clearance(&form)?,
            organisation: form.get("organisation").map(str::to_string),
        };
        v.access.create_user(&new).await
    }
    .await;
    match result {
        Ok(u) => Redirect::to(&format!("/admin/users/{}?created=1", u.id)).into_response(),
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render(&v, Some(msg), status).await,
            Err(e) => store_error(l, e),
        },
    }
}

async fn render_user(
    v: &Viewer,
    id: &str,
    error: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let u = match v.access.get_user(id).await {
        Ok(u) => u,
        Err(e) => return store_error(l, e),
    };
    let history = match v.access.user_history(id, 100).await {
        Ok(h) => h,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        h1 { (u.username) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        form #user-update.stack method="post" action={ "/admin/users/" (u.id) } {
            (csrf_field(v))
            label for="display_name" { (t(l, "admin.user.display")) } input #display_name type="text" name="display_name" value=(u.display_name) required;
            (roles_fieldset(v, &u.roles))
            label for="classification" { (t(l, "dash.clearance")) } (classification_select(l, Classification::Secret, u.clearance.as_str()))
            label for="organisation" { (t(l, "admin.user.org")) } input #organisation type="text" name="organisation" value=(u.organisation.clone().unwrap_or_default());
            label { input type="checkbox" name="disabled" value="1" checked[u.disabled]; " " (t(l, "admin.user.disabled")) }
            div.actions { button type="submit" { (t(l, "form.save")) } }
        }
        h2 { (t(l, "admin.user.reset")) }
        form #user-password.stack method="post" action={ "/admin/users/" (u.id) "/password" } {
            (csrf_field(v))
            label for="password" { (t(l, "acct.password.new")) } input #password type="password" name="password" autocomplete="new-password" minlength="12" required;
            div.actions { button type="submit" { (t(l, "admin.user.reset")) } }
        }
        @if u.totp_enabled {
            form method="post" action={ "/admin/users/" (u.id) "/totp-reset" } {
                (csrf_field(v)) button.secondary type="submit" { (t(l, "admin.user.reset-totp")) }
            }
        }
        p.muted { (t(l, "dash.compartments")) ": " (u.compartments.join(", ")) " · " (fmt_micros(u.created_at)) }
        h2 #history { (t(l, "admin.user.history")) }
        @if history.is_empty() { p { (t(l, "admin.user.history.none")) } } @else {
            table.audit {
                thead { tr { th { (t(l, "audit.at")) } th { (t(l, "audit.actor")) } th { (t(l, "audit.action")) } th { (t(l, "audit.resource")) } th { (t(l, "audit.outcome")) } th { (t(l, "audit.detail")) } } }
                tbody { @for e in &history { tr {
                    td { (fmt_micros(e.record.at_micros)) }
                    td { (e.record.actor_name) }
                    td { code { (e.record.action) } }
                    td { (e.record.resource_kind) @if e.record.resource_kind == "compartment" { " " (e.record.resource_id) } }
                    td { (e.record.outcome) }
                    td.detail { (history_detail(&e.record.detail)) }
                } } }
            }
        }
    };
    let mut res = shell(v, &u.username, content);
    *res.status_mut() = status;
    res
}

/// The readable part of an audit entry's detail: its reason, note, compartment and roles.
fn history_detail(detail: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(detail)
    else {
        return detail.to_string();
    };
    [
        "compartment",
        "roles",
        "clearance",
        "reason",
        "note",
        "decided_by",
    ]
    .iter()
    .filter_map(|k| {
        map.get(*k).map(|v| match v {
            serde_json::Value::String(s) => format!("{k}: {s}"),
            other => format!("{k}: {other}"),
        })
    })
    .collect::<Vec<_>>()
    .join(" · ")
}

#[derive(serde::Deserialize, Default)]
pub struct UserPageQuery {
    /// Set after the account was created (to say so).
    created: Option<String>,
}

pub async fn user_page(
    v: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<UserPageQuery>,
) -> Response {
    let notice = q.created.is_some().then(|| t(v.lang, "admin.user.created"));
    render_user(&v, &id, None, notice, StatusCode::OK).await
}

pub async fn update_user(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let result = async {
        let org = form.text("organisation");
        let upd = UserUpdate {
            display_name: Some(form.text("display_name")),
            roles: Some(parse_roles(&form)?),
            clearance: Some(parse_clearance(&form)?),
            organisation: Some(if org.trim().is_empty() {
                None
            } else {
                Some(org)
            }),
            disabled: Some(form.get("disabled") == Some("1")),
        };
        v.access.update_user(&id, &upd).await
    }
    .await;
    match result {
        Ok(_) => render_user(&v, &id, None, Some(t(l, "proc.saved")), StatusCode::OK).await,
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render_user(&v, &id, Some(msg), None, status).await,
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn reset_password(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    match v.access.reset_password(&id, &form.text("password")).await {
        Ok(()) => {
            render_user(
                &v,
                &id,
                None,
                Some(t(l, "acct.password.done")),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render_user(&v, &id, Some(msg), None, status).await,
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn reset_totp(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.reset_second_factor(&id).await {
        Ok(()) => Redirect::to(&format!("/admin/users/{id}")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn create_compartment(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let domain = match form.text("domain").as_str() {
        "" => Ok(grotius_domain::separation::WorkDomain::Mediation),
        d => grotius_domain::separation::WorkDomain::parse(d),
    };
    let domain = match domain {
        Ok(d) => d,
        Err(e) => return render(&v, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match v
        .access
        .create_compartment(
            &form.text("id"),
            &form.text("name"),
            &form.text("description"),
            domain,
        )
        .await
    {
        Ok(c) => Redirect::to(&format!("/admin/compartments/{}", c.id)).into_response(),
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render(&v, Some(msg), status).await,
            Err(e) => store_error(l, e),
        },
    }
}

async fn render_compartment(
    v: &Viewer,
    id: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let (c, members) = match v.access.get_compartment(id).await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let users = v.access.list_users().await.unwrap_or_default();
    let subject = v.access.subject();
    let is_admin = subject.has_role(Role::Admin);
    // Who decides need to know: the compartment's steward (a member holding the approver role of
    // its side) adds others; an administrator proposes an access decision instead.
    let side = grotius_domain::separation::WorkDomain::parse(&c.domain)
        .unwrap_or(grotius_domain::separation::WorkDomain::Mediation);
    let is_steward =
        subject.has_role(side.approver()) && members.iter().any(|m| m.user_id == subject.user_id);
    let content = html! {
        h1 { (c.name) " " code { (c.id) } }
        p { (c.description) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        h2 { (t(l, "admin.comp.members")) }
        table {
            thead { tr { th { (t(l, "login.username")) } th { (t(l, "admin.comp.reason")) } th { (t(l, "audit.actor")) } th { (t(l, "audit.at")) } th {} } }
            tbody { @for m in &members { tr {
                td { (m.username) } td { (m.reason) } td { (m.granted_by) } td { (fmt_micros(m.granted_at)) }
                td { @if is_admin {
                    form.inline method="post" action={ "/admin/compartments/" (c.id) "/members/" (m.user_id) "/remove" } {
                        (csrf_field(v)) button.secondary type="submit" { (t(l, "admin.comp.remove")) }
                    }
                } }
            } } }
        }
        @if is_steward {
            h2 { (t(l, "admin.comp.add")) }
            form #member-add.stack method="post" action={ "/admin/compartments/" (c.id) "/members" } {
                (csrf_field(v))
                label for="user" { (t(l, "login.username")) }
                select #user name="user_id" { @for u in users.iter().filter(|u| u.id != subject.user_id) { option value=(u.id) { (u.username) " — " (u.display_name) } } }
                label for="reason" { (t(l, "admin.comp.reason")) } input #reason type="text" name="reason" required;
                div.actions { button type="submit" { (t(l, "admin.comp.add")) } }
            }
        } @else if is_admin {
            h2 { (t(l, "admin.comp.add")) }
            p #member-propose { (t(l, "admin.comp.propose")) " " a href="/access-decisions" { (t(l, "admin.comp.propose.link")) } }
        }
    };
    let mut res = shell(v, &c.name, content);
    *res.status_mut() = status;
    res
}

pub async fn compartment_page(v: Viewer, Path(id): Path<String>) -> Response {
    render_compartment(&v, &id, None, StatusCode::OK).await
}

pub async fn add_member(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    match v
        .access
        .add_member(&id, &form.text("user_id"), &form.text("reason"))
        .await
    {
        Ok(()) => Redirect::to(&format!("/admin/compartments/{id}")).into_response(),
        // Who decides need to know: the page says so (an administrator proposes instead).
        Err(StoreError::Forbidden(msg)) => {
            render_compartment(&v, &id, Some(msg), StatusCode::FORBIDDEN).await
        }
        Err(e) => match user_error(e) {
            Ok((msg, status)) => render_compartment(&v, &id, Some(msg), status).await,
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn remove_member(v: Viewer, Path((id, user)): Path<(String, String)>) -> Response {
    match v.access.remove_member(&id, &user).await {
        Ok(()) => Redirect::to(&format!("/admin/compartments/{id}")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}
