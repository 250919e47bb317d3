//! Server-rendered HTML pages. Every page works without JavaScript; every string is in
//! [`crate::i18n`]; no inline script or style (the CSP forbids them).

mod account;
mod admin;
mod agreements;
mod analyses;
mod audit;
pub(crate) mod chart;
mod decisions;
mod documents;
mod evidence;
mod fund;
mod fund_reports;
mod incidents;
mod lessons;
mod login;
mod modules;
mod network;
mod network_svg;
mod participation;
mod processes;
mod reference;
mod roster;
mod search;
mod trainings;
mod world_map;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use grotius_domain::{Action, Classification, Labels, Resource, ResourceKind, Role};
use grotius_store::StoreError;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, Viewer};
use crate::i18n::{Lang, t};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(modules::dashboard))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/lang/{lang}", get(set_lang))
        .route("/login", get(login::login_form).post(login::login_submit))
        .route(
            "/login/totp",
            get(login::totp_form).post(login::totp_submit),
        )
        .route("/logout", post(login::logout))
        .route("/account", get(account::page))
        .route("/account/totp/enrol", post(account::totp_enrol))
        .route("/account/totp/confirm", post(account::totp_confirm))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin", get(admin::page))
        .route("/admin/users", post(admin::create_user))
        .route(
            "/admin/users/{id}",
            get(admin::user_page).post(admin::update_user),
        )
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/totp-reset", post(admin::reset_totp))
        .route("/admin/compartments", post(admin::create_compartment))
        .route("/admin/compartments/{id}", get(admin::compartment_page))
        .route("/admin/compartments/{id}/members", post(admin::add_member))
        .route(
            "/admin/compartments/{id}/members/{user}/remove",
            post(admin::remove_member),
        )
        .route("/audit", get(audit::page))
        .route("/audit.csv", get(audit::export_csv))
        .route("/processes", get(processes::list).post(processes::create))
        .route("/processes/new", get(processes::new_form))
        .route(
            "/processes/{id}",
            get(processes::show).post(processes::update),
        )
        .route("/processes/{id}/edit", get(processes::edit_form))
        .route("/processes/{id}/delete", post(processes::delete))
        .route(
            "/processes/{id}/engagements",
            post(processes::create_engagement),
        )
        .route(
            "/engagements/{id}/delete",
            post(processes::delete_engagement),
        )
        .route("/reference", get(reference::page))
        .merge(network::routes())
        .merge(roster::routes())
        .merge(participation::routes())
        .merge(lessons::routes())
        .merge(trainings::routes())
        .merge(analyses::routes())
        .merge(fund::routes())
        .merge(agreements::routes())
        .merge(fund_reports::routes())
        .merge(search::routes())
        .merge(evidence::routes())
        .merge(decisions::routes())
        .merge(documents::routes())
        .merge(incidents::routes())
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Sets the language cookie and returns to the page (GET: a preference, not a state change).
async fn set_lang(
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(l) = Lang::parse(&lang) else {
        return not_found(headers).await;
    };
    let next = auth::safe_next_any(q.next.as_deref());
    let cookie = auth::set_cookie(auth::LANG_COOKIE, l.code(), 365 * 86400, false);
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

pub async fn not_found(headers: HeaderMap) -> Response {
    error_page(
        auth::lang_of(&headers),
        StatusCode::NOT_FOUND,
        t(auth::lang_of(&headers), "err.notfound"),
    )
}

/// A bare error page (no navigation: the caller may not be signed in).
pub fn error_page(l: Lang, status: StatusCode, message: &str) -> Response {
    let body = html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head { meta charset="utf-8"; meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t(l, "err.title")) " — Grotius" } link rel="stylesheet" href="/static/app.css"; }
            body { header.top { a.brand href="/" { "Grotius" } }
                main #main { h1 { (status.as_u16()) " · " (t(l, "err.title")) } p.error { (message) } p { a href="/" { (t(l, "err.back")) } } } }
        }
    };
    (status, Html(body.into_string())).into_response()
}

/// Turns a store error into a page with the matching status (404 for what may not be seen).
pub fn store_error(l: Lang, e: StoreError) -> Response {
    let (status, _, message) = crate::error::classify(&e);
    let msg = match status {
        StatusCode::NOT_FOUND => t(l, "err.notfound").to_string(),
        StatusCode::FORBIDDEN => t(l, "err.forbidden").to_string(),
        StatusCode::INTERNAL_SERVER_ERROR => t(l, "err.server").to_string(),
        _ => message,
    };
    error_page(l, status, &msg)
}

/// The modules of the navigation, each with the kind of record its page lists: the entry is
/// shown only to those who may read that kind (the page answers 404 to others).
const NAV: &[(&str, &str, Option<ResourceKind>)] = &[
    ("/", "nav.dashboard", None),
    ("/processes", "nav.mediation", Some(ResourceKind::Process)),
    (
        "/participation",
        "nav.participation",
        Some(ResourceKind::Participation),
    ),
    ("/network", "nav.network", Some(ResourceKind::Actor)),
    ("/roster", "nav.roster", Some(ResourceKind::Expert)),
    ("/fund", "nav.fund", Some(ResourceKind::Instrument)),
    ("/documents", "nav.documents", Some(ResourceKind::Document)),
    (
        "/agreements",
        "nav.agreements",
        Some(ResourceKind::Agreement),
    ),
    ("/search", "nav.search", None),
    ("/reference", "nav.reference", None),
    ("/evidence", "nav.evidence", Some(ResourceKind::Evidence)),
    (
        "/access-decisions",
        "nav.decisions",
        Some(ResourceKind::AccessDecision),
    ),
    ("/incidents", "nav.incidents", Some(ResourceKind::Incident)),
];

/// The navigation: the modules the viewer may use, plus administration and audit for those
/// roles. Only what exists and answers: no entry leads to a page that merely announces a module
/// or refuses the viewer.
pub(crate) fn nav_items(v: &Viewer) -> Vec<(&'static str, &'static str)> {
    let mut items: Vec<(&'static str, &'static str)> = NAV
        .iter()
        .filter(|(_, _, kind)| kind.is_none_or(|k| v.access.may(Action::Read, Resource::kind(k))))
        .map(|(href, key, _)| (*href, *key))
        .collect();
    let s = v.access.subject();
    if s.has_role(Role::Admin) {
        items.push(("/admin", "nav.admin"));
    }
    if s.has_role(Role::Auditor) {
        items.push(("/audit", "nav.audit"));
    }
    items.push(("/account", "nav.account"));
    items
}

fn is_current(here: &str, href: &str) -> bool {
    let path = here.split('?').next().unwrap_or("/");
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// The page shell around every signed-in page.
pub fn page(v: &Viewer, title: &str, content: Markup) -> Response {
    let l = v.lang;
    let here = auth::url_encode(&v.here);
    let body = html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Grotius" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { (t(l, "skip")) }
                header.top {
                    a.brand href="/" { "Grotius" }
                    span.tagline { (t(l, "app.tagline")) }
                    div.who {
                        span { (v.access.subject().username) }
                        span.langs {
                            a hreflang="nl" lang="nl" href={ "/lang/nl?next=" (here) } aria-current=[(l == Lang::Nl).then_some("true")] { "Nederlands" }
                            " | "
                            a hreflang="en" lang="en" href={ "/lang/en?next=" (here) } aria-current=[(l == Lang::En).then_some("true")] { "English" }
                        }
                        form #logout method="post" action="/logout" {
                            input type="hidden" name="_csrf" value=(v.csrf);
                            button type="submit" { (t(l, "logout")) }
                        }
                    }
                }
                nav #main-nav aria-label=(t(l, "nav.label")) {
                    ul { @for (href, key) in nav_items(v) {
                        li { a href=(href) aria-current=[is_current(&v.here, href).then_some("page")] { (t(l, key)) } }
                    } }
                }
                main #main { (content) }
                footer { "Grotius · " (t(l, "app.tagline")) }
            }
        }
    };
    Html(body.into_string()).into_response()
}

/// The hidden CSRF field of every form.
pub fn csrf_field(v: &Viewer) -> Markup {
    html! { input type="hidden" name="_csrf" value=(v.csrf); }
}

pub fn class_label(l: Lang, c: Classification) -> &'static str {
    match c {
        Classification::Public => t(l, "class.public"),
        Classification::Internal => t(l, "class.internal"),
        Classification::Confidential => t(l, "class.confidential"),
        Classification::Secret => t(l, "class.secret"),
    }
}

/// The classification (and compartment) badge of a record.
pub fn labels_badge(l: Lang, labels: &Labels) -> Markup {
    html! {
        span class={ "badge " (labels.classification.as_str()) } { (class_label(l, labels.classification)) }
        @if let Some(c) = &labels.compartment { " " span.badge.internal { (c) } }
    }
}

/// A `<select>` of classification levels up to the subject's clearance.
pub fn classification_select(l: Lang, max: Classification, selected: &str) -> Markup {
    html! {
        select id="classification" name="classification" {
            @for c in Classification::ALL.iter().filter(|c| **c <= max) {
                option value=(c.as_str()) selected[c.as_str() == selected] { (class_label(l, *c)) }
            }
        }
    }
}

/// `<option>`s of a vocabulary in the page's language (with "any" first for filters).
pub fn vocab_options(
    l: Lang,
    vocab: &[grotius_domain::reference::Term],
    selected: &str,
    any: bool,
) -> Markup {
    html! {
        @if any { option value="" { (t(l, "proc.any")) } }
        @for term in vocab { option value=(term.code) selected[term.code == selected] { (term.label(l.code())) } }
    }
}

/// A form submission refused for its content: the message to show with the form, and the
/// status. Other errors become error pages.
pub fn form_failure(e: StoreError) -> Result<(String, StatusCode), StoreError> {
    match e {
        StoreError::Invalid(d) => Ok((d.to_string(), StatusCode::UNPROCESSABLE_ENTITY)),
        StoreError::Conflict(m) => Ok((m, StatusCode::CONFLICT)),
        other => Err(other),
    }
}

/// The label of a vocabulary code in the page's language (the code itself if unknown).
pub fn term_label(l: Lang, vocab: &[grotius_domain::reference::Term], code: &str) -> String {
    vocab
        .iter()
        .find(|t| t.code == code)
        .map(|t| t.label(l.code()).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// `2026-11-28 14:03` (UTC) from Unix microseconds.
pub fn fmt_micros(micros: i64) -> String {
    fmt_secs(micros.div_euclid(1_000_000))
}

pub fn fmt_secs(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Err(_) => "—".into(),
    }
}

/// Parses `YYYY-MM-DD` into Unix microseconds at 00:00 UTC.
pub fn parse_date_micros(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse::<u8>().ok()?,
        parts.next()?.parse().ok()?,
    );
    let d = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1_000_000)
}

/// A form submitted as pairs (repeated keys for multi-valued fields).
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, k: &str) -> String {
        self.get(k).unwrap_or_default().to_string()
    }

    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormPairs {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let l = auth::lang_of(req.headers());
        match axum::Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(axum::Form(pairs)) => Ok(FormPairs(pairs)),
            Err(rej) => {
                let status = rej.status();
                let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    t(l, "err.toolarge")
                } else {
                    t(l, "err.bad")
                };
                Err(error_page(l, status, msg))
            }
        }
    }
}

/// Whether the viewer may create records of a kind somewhere (to show "new" buttons).
pub fn may_create(v: &Viewer, kind: ResourceKind) -> bool {
    v.access.may(
        grotius_domain::Action::Create,
        grotius_domain::Resource::kind(kind),
    )
}
