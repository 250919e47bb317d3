//! The follow-up around alerts: what answers an alert (processes, requests for support, fund
//! applications linked to it, picked from what the reader may read), the watchlists (the
//! reader's own and the unit's, with each country's signal), and the unit's thresholds of the
//! escalation signals.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::early_warning::{Alert, SignalParams};
use grotius_domain::{Action, Resource, ResourceKind, reference};
use grotius_store::{
    AlertLink, ApplicationFilter, ProcessFilter, RequestFilter, StoreError, Watchlist,
};
use maud::{Markup, html};

use crate::auth::Viewer;
use crate::i18n::{Lang, t};
use crate::routes::{Routes, get, post};
use crate::ui::{FormPairs, csrf_field, form_failure, page, store_error};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/early-warning/alerts/{id}/links", post(link))
        .route("/early-warning/alerts/{id}/links/remove", post(unlink))
        .route(
            "/early-warning/watchlist",
            get(watchlist).post(change_watchlist),
        )
        .route("/early-warning/settings", get(settings).post(save_settings));
}

pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "fu.links",
        "What answers this alert",
        "Wat op deze waarschuwing antwoordt",
    ),
    (
        "fu.links.none",
        "Nothing is linked yet.",
        "Er is nog niets gekoppeld.",
    ),
    (
        "fu.links.note",
        "Processes, requests for support and fund applications that answer the alert; only what you may read is shown.",
        "Processen, steunverzoeken en fondsaanvragen die op de waarschuwing antwoorden; alleen wat u mag lezen wordt getoond.",
    ),
    ("fu.link", "Link", "Koppelen"),
    ("fu.unlink", "Remove link", "Koppeling verwijderen"),
    ("fu.kind.process", "Process", "Proces"),
    (
        "fu.kind.support-request",
        "Request for support",
        "Steunverzoek",
    ),
    (
        "fu.kind.fund-application",
        "Fund application",
        "Fondsaanvraag",
    ),
    ("fu.pick", "Choose…", "Kies…"),
    ("fu.watchlist", "Watchlist", "Volglijst"),
    (
        "fu.watchlist.intro",
        "Countries you watch and the countries the unit watches, with their current signal.",
        "Landen die u volgt en landen die de eenheid volgt, met hun huidige signaal.",
    ),
    ("fu.mine", "Mine", "Mijn lijst"),
    ("fu.unit", "The unit's", "Van de eenheid"),
    ("fu.watch", "Watch", "Volgen"),
    ("fu.unwatch", "Stop watching", "Niet meer volgen"),
    ("fu.note", "Note", "Notitie"),
    ("fu.list", "List", "Lijst"),
    (
        "fu.watch.none",
        "No country is watched yet. Add one here or from a country's page.",
        "Er wordt nog geen land gevolgd. Voeg er hier of op de pagina van een land een toe.",
    ),
    (
        "fu.settings",
        "Signal thresholds",
        "Drempels van de signalen",
    ),
    (
        "fu.settings.intro",
        "The unit's parameters of the escalation signals, used on every early-warning page and in the API. Changes are audited.",
        "De parameters van de escalatiesignalen van de eenheid, gebruikt op elke vroegsignaleringspagina en in de API. Wijzigingen worden vastgelegd.",
    ),
    ("fu.settings.save", "Save thresholds", "Drempels opslaan"),
    (
        "fu.settings.readonly",
        "Administrators and analysts set these thresholds.",
        "Beheerders en analisten stellen deze drempels in.",
    ),
];

fn kind_label(l: Lang, kind: &str) -> &'static str {
    match kind {
        "process" => t(l, "fu.kind.process"),
        "support-request" => t(l, "fu.kind.support-request"),
        _ => t(l, "fu.kind.fund-application"),
    }
}

fn href(kind: &str, id: &str) -> String {
    crate::modules::work::record_href(kind, id)
}

/// The records the reader may link: processes of the alert's country, requests and
/// applications naming it (each list the reader's own, through the list layer).
async fn candidates(
    v: &Viewer,
    a: &Alert,
) -> Result<Vec<(&'static str, String, String)>, StoreError> {
    let mut out = Vec::new();
    if v.access
        .may(Action::Read, Resource::kind(ResourceKind::Process))
    {
        let f = ProcessFilter {
            country: Some(a.country.clone()),
            ..Default::default()
        };
        for p in v.access.list_processes(&f, 200, 0).await?.items {
            out.push(("process", p.id, p.title));
        }
    }
    if v.access
        .may(Action::Read, Resource::kind(ResourceKind::SupportRequest))
    {
        let f = RequestFilter::default();
        for r in v.access.list_requests(&f, 500, 0).await?.items {
            if r.countries.contains(&a.country) {
                out.push(("support-request", r.id, r.title));
            }
        }
    }
    if v.access
        .may(Action::Read, Resource::kind(ResourceKind::FundApplication))
    {
        let f = ApplicationFilter::default();
        for x in v.access.list_applications(&f, 500, 0).await?.items {
            if x.countries.contains(&a.country) {
                out.push((
                    "fund-application",
                    x.id,
                    format!("{} · {}", x.reference, x.title),
                ));
            }
        }
    }
    Ok(out)
}

/// The links section of an alert's page, with the form to add one when the reader may update.
pub(super) async fn links_section(
    v: &Viewer,
    a: &Alert,
    error: Option<&str>,
) -> Result<Markup, StoreError> {
    let l = v.lang;
    let links: Vec<AlertLink> = v.access.alert_links(&a.id).await?;
    let may_update = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Alert, &a.labels),
    );
    let options = if may_update {
        candidates(v, a).await?
    } else {
        Vec::new()
    };
    let linked: Vec<(&str, &str)> = links
        .iter()
        .map(|x| (x.kind.as_str(), x.id.as_str()))
        .collect();
    Ok(html! {
        section #alert-links {
            h2 { (t(l, "fu.links")) }
            p { (t(l, "fu.links.note")) }
            @if let Some(e) = error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
            @if links.is_empty() {
                p { (t(l, "fu.links.none")) }
            } @else {
                ul {
                    @for x in &links {
                        li {
                            (kind_label(l, &x.kind)) ": "
                            a href=(href(&x.kind, &x.id)) { (x.title) }
                            @if may_update {
                                form.inline method="post" action={ "/early-warning/alerts/" (a.id) "/links/remove" } {
                                    (csrf_field(v))
                                    input type="hidden" name="kind" value=(x.kind);
                                    input type="hidden" name="record" value=(x.id);
                                    " " button.link type="submit" { (t(l, "fu.unlink")) }
                                }
                            }
                        }
                    }
                }
            }
            @if may_update && options.iter().any(|(k, id, _)| !linked.contains(&(*k, id.as_str()))) {
                form.stack method="post" action={ "/early-warning/alerts/" (a.id) "/links" } {
                    (csrf_field(v))
                    label for="link-record" { (t(l, "fu.link")) }
                    select #link-record name="pick" required {
                        option value="" { (t(l, "fu.pick")) }
                        @for kind in grotius_store::ALERT_LINK_KINDS {
                            optgroup label=(kind_label(l, kind)) {
                                @for (k, id, title) in options.iter().filter(|o| o.0 == kind) {
                                    @if !linked.contains(&(*k, id.as_str())) {
                                        option value={ (k) ":" (id) } { (title) }
                                    }
                                }
                            }
                        }
                    }
                    div.actions { button type="submit" { (t(l, "fu.link")) } }
                }
            }
        }
    })
}

/// Re-renders the alert page with an error beside the links form.
async fn alert_with_error(v: &Viewer, id: &str, msg: &str, status: StatusCode) -> Response {
    match v.access.get_alert(id).await {
        Ok(a) => {
            let links = match links_section(v, &a, Some(msg)).await {
                Ok(m) => m,
                Err(e) => return store_error(v.lang, e),
            };
            let mut res = super::alerts::alert_page(
                v,
                &a,
                &super::alerts::input_of(&a),
                None,
                StatusCode::OK,
                links,
            );
            *res.status_mut() = status;
            res
        }
        Err(e) => store_error(v.lang, e),
    }
}

async fn link(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let pick = form.text("pick");
    let (kind, record) = pick.split_once(':').unwrap_or(("", ""));
    let result = if pick.trim().is_empty() {
        Err(StoreError::invalid(
            "record",
            "choose the record that answers the alert",
        ))
    } else {
        v.access.link_alert(&id, kind, record).await.map(|_| ())
    };
    match result {
        Ok(()) => Redirect::to(&format!("/early-warning/alerts/{id}#alert-links")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => alert_with_error(&v, &id, &msg, status).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}

async fn unlink(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v
        .access
        .unlink_alert(&id, &form.text("kind"), &form.text("record"))
        .await
    {
        Ok(()) => Redirect::to(&format!("/early-warning/alerts/{id}#alert-links")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => alert_with_error(&v, &id, &msg, status).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}

fn country_name(code: &str) -> String {
    reference::country(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The form on a country's page to watch it (or stop).
pub(super) async fn watch_form(v: &Viewer, iso: &str) -> Result<Markup, StoreError> {
    let l = v.lang;
    let watched = v.access.watchlist().await?;
    let mine = watched
        .iter()
        .any(|w| w.country == iso && w.list == Watchlist::Mine);
    let unit = watched
        .iter()
        .any(|w| w.country == iso && w.list == Watchlist::Unit);
    let may_unit = v.access.may_keep_unit_watchlist();
    Ok(html! {
        div.watch {
            @for (list, on, allowed, label) in [("mine", mine, true, t(l, "fu.mine")), ("unit", unit, may_unit, t(l, "fu.unit"))] {
                @if allowed {
                    form.watch.inline method="post" action="/early-warning/watchlist" {
                        (csrf_field(v))
                        input type="hidden" name="country" value=(iso);
                        input type="hidden" name="list" value=(list);
                        input type="hidden" name="next" value={ "/countries/" (iso) };
                        @if on {
                            input type="hidden" name="action" value="remove";
                            button.secondary type="submit" { (t(l, "fu.unwatch")) " (" (label) ")" }
                        } @else {
                            input type="hidden" name="action" value="add";
                            button.secondary type="submit" { (t(l, "fu.watch")) " (" (label) ")" }
                        }
                    }
                    " "
                } @else if on {
                    span.badge { (t(l, "fu.watchlist")) ": " (label) } " "
                }
            }
        }
    })
}

fn watchlist_page(v: &Viewer, body: Markup, error: Option<&str>, status: StatusCode) -> Response {
    let l = v.lang;
    let content = html! {
        h1 { (t(l, "fu.watchlist")) }
        p { (t(l, "fu.watchlist.intro")) }
        @if let Some(e) = error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        (body)
        p { a href="/early-warning" { (t(l, "ew.back")) } }
    };
    let mut res = page(v, t(l, "fu.watchlist"), content);
    *res.status_mut() = status;
    res
}

async fn watchlist_body(v: &Viewer) -> Result<Markup, StoreError> {
    let l = v.lang;
    let watched = v.access.watchlist().await?;
    let params = v.access.signal_params().await?;
    let trends = v.access.country_trends(None, &params).await?;
    let may_unit = v.access.may_keep_unit_watchlist();
    Ok(html! {
        @if watched.is_empty() {
            p { (t(l, "fu.watch.none")) }
        } @else {
            table #watchlist {
                thead { tr {
                    th { (t(l, "ew.col.country")) }
                    th { (t(l, "fu.list")) }
                    th { (t(l, "ew.col.signal")) }
                    th.num { (t(l, "ew.col.recent")) }
                    th.num { (t(l, "ew.col.expected")) }
                    th { (t(l, "fu.note")) }
                    th {}
                } }
                tbody {
                    @for w in &watched {
                        @let s = trends.countries.iter().find(|c| c.country == w.country);
                        tr {
                            td { a href={ "/countries/" (w.country) } { (country_name(&w.country)) } }
                            td { (match w.list { Watchlist::Mine => t(l, "fu.mine"), Watchlist::Unit => t(l, "fu.unit") }) }
                            td { (s.map_or("—", |s| super::ui::signal_label(l, s.signal.kind))) }
                            td.num { (s.map_or(0, |s| s.signal.recent)) }
                            td.num { (s.map_or("—".to_string(), |s| format!("{:.1}", s.signal.expected))) }
                            td { (w.note) }
                            td {
                                @if w.list == Watchlist::Mine || may_unit {
                                    form.inline method="post" action="/early-warning/watchlist" {
                                        (csrf_field(v))
                                        input type="hidden" name="country" value=(w.country);
                                        input type="hidden" name="list" value=(match w.list { Watchlist::Mine => "mine", Watchlist::Unit => "unit" });
                                        input type="hidden" name="action" value="remove";
                                        button.link type="submit" { (t(l, "fu.unwatch")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t(l, "fu.watch")) }
        form.stack method="post" action="/early-warning/watchlist" {
            (csrf_field(v))
            input type="hidden" name="action" value="add";
            label for="watch-country" { (t(l, "ew.col.country")) }
            select #watch-country name="country" required {
                option value="" { (t(l, "fu.pick")) }
                @for c in reference::countries() {
                    option value=(c.alpha2) { (c.name) }
                }
            }
            label for="watch-list" { (t(l, "fu.list")) }
            select #watch-list name="list" {
                option value="mine" { (t(l, "fu.mine")) }
                @if may_unit { option value="unit" { (t(l, "fu.unit")) } }
            }
            label for="watch-note" { (t(l, "fu.note")) }
            input #watch-note name="note" maxlength="500";
            div.actions { button type="submit" { (t(l, "fu.watch")) } }
        }
    })
}

async fn watchlist(v: Viewer) -> Response {
    match watchlist_body(&v).await {
        Ok(body) => watchlist_page(&v, body, None, StatusCode::OK),
        Err(e) => store_error(v.lang, e),
    }
}

async fn change_watchlist(v: Viewer, form: FormPairs) -> Response {
    let result = match Watchlist::parse(&form.text("list")) {
        Err(e) => Err(e),
        Ok(list) => match form.text("action").as_str() {
            "remove" => v.access.unwatch(list, &form.text("country")).await,
            _ => {
                v.access
                    .watch(list, &form.text("country"), &form.text("note"))
                    .await
            }
        },
    };
    match result {
        Ok(()) => {
            let next = form.text("next");
            let next = if next.starts_with("/countries/") && !next.contains("//") {
                next
            } else {
                "/early-warning/watchlist".to_string()
            };
            Redirect::to(&next).into_response()
        }
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => match watchlist_body(&v).await {
                Ok(body) => watchlist_page(&v, body, Some(&msg), status),
                Err(e) => store_error(v.lang, e),
            },
            Err(e) => store_error(v.lang, e),
        },
    }
}

fn settings_page(
    v: &Viewer,
    p: &SignalParams,
    values: [String; 4],
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let may = v.access.may_set_signal_params();
    let fields = [
        ("recent_months", t(l, "ew.param.recent")),
        ("baseline_months", t(l, "ew.param.baseline")),
        ("alpha", t(l, "ew.param.alpha")),
        ("quiet_months", t(l, "ew.param.quiet")),
    ];
    let content = html! {
        h1 { (t(l, "fu.settings")) }
        p { (t(l, "fu.settings.intro")) }
        dl.facts {
            dt { (t(l, "ew.param.recent")) } dd { (p.recent_months) }
            dt { (t(l, "ew.param.baseline")) } dd { (p.baseline_months) }
            dt { (t(l, "ew.param.alpha")) } dd { (p.alpha) }
            dt { (t(l, "ew.param.quiet")) } dd { (p.quiet_months) }
        }
        @if may {
            @if let Some(e) = error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
            form.stack method="post" action="/early-warning/settings" {
                (csrf_field(v))
                @for (i, (name, label)) in fields.iter().enumerate() {
                    label for=(name) { (label) }
                    input id=(name) name=(name) inputmode="decimal" required value=(values[i]);
                }
                div.actions { button type="submit" { (t(l, "fu.settings.save")) } }
            }
        } @else {
            p { (t(l, "fu.settings.readonly")) }
        }
        p { a href="/early-warning" { (t(l, "ew.back")) } }
    };
    let mut res = page(v, t(l, "fu.settings"), content);
    *res.status_mut() = status;
    res
}

fn values_of(p: &SignalParams) -> [String; 4] {
    [
        p.recent_months.to_string(),
        p.baseline_months.to_string(),
        p.alpha.to_string(),
        p.quiet_months.to_string(),
    ]
}

async fn settings(v: Viewer) -> Response {
    match v.access.signal_params().await {
        Ok(p) => settings_page(&v, &p, values_of(&p), None, StatusCode::OK),
        Err(e) => store_error(v.lang, e),
    }
}

async fn save_settings(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let current = match v.access.signal_params().await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let values = [
        form.text("recent_months"),
        form.text("baseline_months"),
        form.text("alpha"),
        form.text("quiet_months"),
    ];
    let int = |field: &'static str, s: &str| {
        s.trim().parse::<i64>().map_err(|_| {
            StoreError::invalid(field, format!("'{}' is not a whole number", s.trim()))
        })
    };
    let parsed = (|| {
        Ok::<_, StoreError>(SignalParams {
            recent_months: int("recent_months", &values[0])?,
            baseline_months: int("baseline_months", &values[1])?,
            alpha: values[2]
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| {
                    StoreError::invalid("alpha", format!("'{}' is not a number", values[2].trim()))
                })?,
            quiet_months: int("quiet_months", &values[3])?,
        })
    })();
    let result = match parsed {
        Ok(p) => v.access.set_signal_params(&p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/early-warning/settings").into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => settings_page(&v, &current, values, Some(&msg), status),
            Err(e) => store_error(l, e),
        },
    }
}
