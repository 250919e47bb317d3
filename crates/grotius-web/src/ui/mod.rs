//! Server-rendered HTML pages. Every page works without JavaScript; every string is in
//! [`crate::i18n`]; no inline script or style (the CSP forbids them).

pub(crate) mod chart;
pub(crate) mod world_map;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use grotius_domain::{Action, Classification, Labels, Resource, ResourceKind};
use grotius_store::StoreError;
use maud::{DOCTYPE, Markup, html};

use crate::auth::{self, Viewer};
use crate::i18n::{Lang, t};
use crate::modules::{Gate, MODULES, NavEntry};

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

/// The navigation: the entries of every module (in their order) that the viewer may use. Only
/// what exists and answers: no entry leads to a page that merely announces a module or refuses
/// the viewer.
pub(crate) fn nav_items(v: &Viewer) -> Vec<&'static NavEntry> {
    let mut items: Vec<&'static NavEntry> = MODULES
        .iter()
        .flat_map(|m| m.nav.iter())
        .filter(|n| match n.gate {
            Gate::Everyone => true,
            Gate::Reads(kind) => v.access.may(Action::Read, Resource::kind(kind)),
            Gate::Role(role) => v.access.subject().has_role(role),
        })
        .collect();
    items.sort_by_key(|n| n.order);
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
                    ul { @for n in nav_items(v) {
                        li { a href=(n.href) aria-current=[is_current(&v.here, n.href).then_some("page")] {
                            (t(l, n.label))
                            @if n.href == crate::modules::work::INBOX { @if let Some(k) = v.waiting.filter(|k| *k > 0) {
                                " " span.count title=(t(l, "work.count.title")) { (k) }
                            } }
                        } }
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

/// Processes to pick by name (for a form's reference to processes): the ones the reader may
/// see, newest first, and those already chosen that the reader may see. Empty when the reader may
/// not read processes at all.
pub async fn process_choices(v: &Viewer, chosen: &[String]) -> Vec<(String, String)> {
    if !v.access.may(
        Action::Read,
        grotius_domain::Resource::kind(ResourceKind::Process),
    ) {
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = v
        .access
        .list_processes(&Default::default(), 500, 0)
        .await
        .map(|p| {
            p.items
                .iter()
                .map(|p| (p.id.clone(), p.display_name().to_string()))
                .collect()
        })
        .unwrap_or_default();
    for id in chosen {
        if !out.iter().any(|(x, _)| x == id)
            && let Ok(p) = v.access.get_process(id).await
        {
            out.push((p.id.clone(), p.display_name().to_string()));
        }
    }
    out
}

/// Actors of the network to pick by name: the ones the reader may see (of `country` first when
/// given), and the chosen one.
pub async fn actor_choices(
    v: &Viewer,
    country: Option<&str>,
    chosen: Option<&str>,
) -> Vec<(String, String)> {
    if !v.access.may(
        Action::Read,
        grotius_domain::Resource::kind(ResourceKind::Actor),
    ) {
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = v
        .access
        .list_actors(
            &grotius_store::ActorFilter {
                country: country.map(str::to_string),
                ..Default::default()
            },
            500,
            0,
        )
        .await
        .map(|a| a.items.into_iter().map(|a| (a.id, a.name)).collect())
        .unwrap_or_default();
    if let Some(id) = chosen.filter(|id| !out.iter().any(|(x, _)| x == id))
        && let Ok(a) = v.access.get_actor(id).await
    {
        out.push((a.id, a.name));
    }
    out
}

/// The field a refusal names (to show the message beside it).
pub fn failed_field(e: &StoreError) -> Option<&'static str> {
    match e {
        StoreError::Invalid(grotius_domain::DomainError::Invalid { field, .. }) => Some(field),
        StoreError::Invalid(grotius_domain::DomainError::UnknownValue { what, .. }) => Some(what),
        _ => None,
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
