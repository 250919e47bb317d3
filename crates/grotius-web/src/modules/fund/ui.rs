//! The fund's pages: instruments with their budgets and ceilings, applications with their
//! workflow (the buttons come from the workflow table, four-eyes already applied), payments and
//! amendments.

use crate::routes::{Routes, get, post};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::fund::{
    self, Application, ApplicationInput, GENDER_MARKERS, InstrumentInput, STATES, TRACKS,
    TRANSACTION_KINDS,
};
use grotius_domain::reference::{self, THEMES};
use grotius_domain::{Action, Classification, Resource, ResourceKind};
use grotius_store::{ApplicationFilter, PaymentInput, StoreError};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, classification_select, csrf_field, fmt_micros, labels_badge, may_create, page,
    store_error, term_label, vocab_options,
};

const PAGE: i64 = 50;
/// Applications shown in the inbox of the fund page at most.
const INBOX: usize = 50;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/fund", get(overview))
        .route("/fund/instruments", post(create_instrument))
        .route("/fund/instruments/{id}", get(instrument))
        .route("/fund/instruments/{id}/ceilings", post(set_ceiling))
        .route("/fund/applications", post(create_application))
        .route("/fund/applications/new", get(new_form))
        .route(
            "/fund/applications/{id}",
            get(show).post(update_application),
        )
        .route("/fund/applications/{id}/edit", get(edit_form))
        .route("/fund/applications/{id}/transition", post(transition))
        .route("/fund/applications/{id}/payment", post(payment))
        .route("/fund/applications/{id}/amend", post(amend))
        .route("/fund/applications/{id}/delete", post(delete));
}

fn eur(cents: i64) -> String {
    format!("€ {}", group(&fund::format_amount(cents, "EUR")))
}

/// `1234567.89` → `1 234 567.89` (thin grouping readable in both languages).
fn group(decimal: &str) -> String {
    let (sign, rest) = decimal
        .strip_prefix('-')
        .map(|r| ("-", r))
        .unwrap_or(("", decimal));
    let (whole, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}

fn money(amount: i64, currency: &str) -> String {
    format!(
        "{currency} {}",
        group(&fund::format_amount(amount, currency))
    )
}

/// Errors of an action the viewer was allowed to see: the message is shown (it names the rule:
/// four-eyes, a ceiling, a wrong state), except for what may not be seen at all.
fn action_error(l: Lang, e: StoreError) -> Response {
    match e {
        StoreError::Invalid(d) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        StoreError::Conflict(m) => crate::ui::error_page(l, StatusCode::CONFLICT, &m),
        StoreError::Forbidden(m) => crate::ui::error_page(l, StatusCode::FORBIDDEN, &m),
        other => store_error(l, other),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    state: Option<String>,
    track: Option<String>,
    year: Option<String>,
    offset: Option<i64>,
}

pub async fn overview(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let instruments = match v.access.list_instruments().await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let year = q.year.as_deref().and_then(|y| y.trim().parse::<i64>().ok());
    let filter = ApplicationFilter {
        q: q.q.clone(),
        state: q.state.clone().filter(|s| !s.is_empty()),
        track: q.track.clone().filter(|s| !s.is_empty()),
        instrument_id: None,
        year,
    };
    let offset = q.offset.unwrap_or(0).max(0);
    let apps = if v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::FundApplication))
    {
        match v.access.list_applications(&filter, PAGE, offset).await {
            Ok(p) => Some(p),
            Err(e) => return store_error(l, e),
        }
    } else {
        None
    };
    let inbox = match v.access.application_inbox(INBOX).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let may_instrument = may_create(&v, ResourceKind::Instrument);
    let qs = |off: i64| {
        format!(
            "/fund?q={}&state={}&track={}&year={}&offset={off}",
            url_encode(q.q.as_deref().unwrap_or("")),
            url_encode(q.state.as_deref().unwrap_or("")),
            url_encode(q.track.as_deref().unwrap_or("")),
            url_encode(q.year.as_deref().unwrap_or(""))
        )
    };
    let content = html! {
        h1 { (t(l, "fund.title")) }
        nav.subnav aria-label=(t(l, "fundrep.nav.label")) { ul {
            li { a href="/fund/dashboard" { (t(l, "fundrep.nav.dashboard")) } }
            li { a href="/fund/reports" { (t(l, "fundrep.nav.reports")) } }
            li { a href="/fund/parliament" { (t(l, "fundrep.nav.parliament")) } }
        } }
        h2 { (t(l, "fund.instruments")) }
        @if instruments.is_empty() { p { (t(l, "fund.instruments.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "fund.instrument.code")) } th { (t(l, "fund.instrument.name")) } th { "ODA" }
                    th.num { (t(l, "fund.instrument.grant_ceiling")) } th.num { (t(l, "fund.instrument.threshold")) }
                    th.num { (t(l, "fund.instrument.targets")) }
                } }
                tbody { @for i in &instruments { tr {
                    td { a href={ "/fund/instruments/" (i.id) } { (i.code) } }
                    td { (i.name) }
                    td { @if i.oda { (t(l, "fund.yes")) } @else { (t(l, "fund.no")) } }
                    td.num { (eur(i.grant_ceiling)) }
                    td.num { (eur(i.fast_track_threshold)) }
                    td.num { (i.fast_target_days) " / " (i.standard_target_days) }
                } } }
            }
        }
        @if may_instrument {
            details {
                summary { (t(l, "fund.instrument.new")) }
                (instrument_form(&v, &InstrumentInput { max_months: 24, fast_target_days: 10, standard_target_days: 15, ..Default::default() }, None))
            }
        }
        @if apps.is_some() {
            section #fund-inbox aria-labelledby="fund-inbox-h" {
                h2 #fund-inbox-h { (t(l, "fund.inbox")) }
                @if inbox.is_empty() { p { (t(l, "fund.inbox.none")) } } @else {
                    table {
                        thead { tr {
                            th { (t(l, "fund.application.reference")) } th { (t(l, "fund.application.title")) }
                            th.num { (t(l, "fund.application.amount")) } th { (t(l, "fund.application.track")) }
                            th { (t(l, "fund.application.state")) }
                        } }
                        tbody { @for a in &inbox { tr {
                            td { a href={ "/fund/applications/" (a.id) } { (a.reference) } }
                            td { (a.title) }
                            td.num { (eur(a.amount_eur)) }
                            td { (term_label(l, TRACKS, &a.track)) }
                            td { (term_label(l, STATES, &a.state)) }
                        } } }
                    }
                }
            }
        }
        @if let Some(apps) = &apps {
            h2 { (t(l, "fund.applications")) }
            @if may_create(&v, ResourceKind::FundApplication) {
                p.actions { a.button href="/fund/applications/new" { (t(l, "fund.application.new")) } }
            }
            form.filters method="get" action="/fund" role="search" {
                label for="q" { (t(l, "fund.search")) input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
                label for="state" { (t(l, "fund.application.state")) select #state name="state" { (vocab_options(l, STATES, q.state.as_deref().unwrap_or(""), true)) } }
                label for="track" { (t(l, "fund.application.track")) select #track name="track" { (vocab_options(l, TRACKS, q.track.as_deref().unwrap_or(""), true)) } }
                label for="year" { (t(l, "fund.application.year")) input #year type="number" name="year" min="2000" max="2100" value=(q.year.clone().unwrap_or_default()); }
                button type="submit" { (t(l, "fund.filter")) }
            }
            @if apps.items.is_empty() { p { (t(l, "fund.applications.none")) } } @else {
                table {
                    thead { tr {
                        th { (t(l, "fund.application.reference")) } th { (t(l, "fund.application.title")) }
                        th { (t(l, "fund.application.partner")) } th.num { (t(l, "fund.application.amount")) }
                        th { (t(l, "fund.application.track")) } th { (t(l, "fund.application.state")) }
                        th { (t(l, "labels.classification")) }
                    } }
                    tbody { @for a in &apps.items { tr {
                        td { a href={ "/fund/applications/" (a.id) } { (a.reference) } }
                        td { (a.title) }
                        td { (a.partner) }
                        td.num { (eur(a.amount_eur)) }
                        td { (term_label(l, TRACKS, &a.track)) }
                        td { (term_label(l, STATES, &a.state)) }
                        td { (labels_badge(l, &a.labels)) }
                    } } }
                }
            }
            div.pager {
                @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
                span { (offset + 1) "–" (offset + apps.items.len() as i64) " " (t(l, "pager.of")) " " (apps.total) }
                @if offset + PAGE < apps.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
            }
        }
    };
    page(&v, t(l, "fund.title"), content)
}

fn instrument_form(v: &Viewer, i: &InstrumentInput, error: Option<&str>) -> Markup {
    let l = v.lang;
    html! {
        @if let Some(e) = error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action="/fund/instruments" {
            (csrf_field(v))
            label for="code" { (t(l, "fund.instrument.code")) }
            input #code type="text" name="code" value=(i.code) required maxlength="32";
            label for="name" { (t(l, "fund.instrument.name")) }
            input #name type="text" name="name" value=(i.name) required maxlength="200";
            label { input type="checkbox" name="oda" value="1" checked[i.oda]; " ODA" }
            label for="max_months" { (t(l, "fund.instrument.max_months")) }
            input #max_months type="number" name="max_months" min="1" max="120" value=(i.max_months);
            label for="grant_ceiling" { (t(l, "fund.instrument.grant_ceiling")) " (EUR)" }
            input #grant_ceiling type="text" inputmode="decimal" name="grant_ceiling" value=(i.grant_ceiling) placeholder="500000.00";
            label for="fast_track_threshold" { (t(l, "fund.instrument.threshold")) " (EUR)" }
            input #fast_track_threshold type="text" inputmode="decimal" name="fast_track_threshold" value=(i.fast_track_threshold) placeholder="100000.00";
            label for="fast_target_days" { (t(l, "fund.instrument.fast_target")) }
            input #fast_target_days type="number" name="fast_target_days" min="1" max="365" value=(i.fast_target_days);
            label for="standard_target_days" { (t(l, "fund.instrument.standard_target")) }
            input #standard_target_days type="number" name="standard_target_days" min="1" max="365" value=(i.standard_target_days);
            button type="submit" { (t(l, "form.save")) }
        }
    }
}

fn int(form: &FormPairs, k: &str) -> i64 {
    form.text(k).trim().parse().unwrap_or(0)
}

pub async fn create_instrument(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = InstrumentInput {
        code: form.text("code"),
        name: form.text("name"),
        oda: form.get("oda").is_some(),
        max_months: int(&form, "max_months"),
        grant_ceiling: form.text("grant_ceiling"),
        fast_track_threshold: form.text("fast_track_threshold"),
        fast_target_days: int(&form, "fast_target_days"),
        standard_target_days: int(&form, "standard_target_days"),
    };
    match v.access.create_instrument(&input).await {
        Ok(i) => Redirect::to(&format!("/fund/instruments/{}", i.id)).into_response(),
        Err(e) => match crate::ui::form_failure(e) {
            Ok((msg, status)) => {
                let content = html! {
                    h1 { (t(l, "fund.instrument.new")) }
                    (instrument_form(&v, &input, Some(&msg)))
                };
                let mut r = page(&v, t(l, "fund.instrument.new"), content);
                *r.status_mut() = status;
                r
            }
            Err(e) => store_error(l, e),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn instrument(v: Viewer, Path(id): Path<String>, Query(q): Query<YearQuery>) -> Response {
    let l = v.lang;
    let year = q
        .year
        .unwrap_or_else(crate::modules::fund::reports::api::this_year);
    let i = match v.access.get_instrument(&id).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let uses = match v.access.ceiling_use(&i.id, year).await {
        Ok(u) => u,
        Err(e) => return store_error(l, e),
    };
    let may_set = v
        .access
        .may(Action::Update, Resource::kind(ResourceKind::Instrument));
    let scope_label = |scope: &str, key: &str| match scope {
        "budget" => t(l, "fund.ceiling.budget").to_string(),
        "country" => reference::country(key)
            .map(|c| format!("{} ({})", c.name, c.alpha2))
            .unwrap_or_else(|| key.to_string()),
        _ => term_label(l, THEMES, key),
    };
    let content = html! {
        h1 { (i.code) " — " (i.name) }
        dl.facts {
            dt { "ODA" } dd { @if i.oda { (t(l, "fund.yes")) } @else { (t(l, "fund.no")) } }
            dt { (t(l, "fund.instrument.max_months")) } dd { (i.max_months) }
            dt { (t(l, "fund.instrument.grant_ceiling")) } dd { (eur(i.grant_ceiling)) }
            dt { (t(l, "fund.instrument.threshold")) } dd { (eur(i.fast_track_threshold)) }
            dt { (t(l, "fund.instrument.targets")) } dd { (i.fast_target_days) " / " (i.standard_target_days) }
        }
        form.filters method="get" action={ "/fund/instruments/" (i.id) } {
            label for="year" { (t(l, "fund.application.year")) input #year type="number" name="year" min="2000" max="2100" value=(year); }
            button type="submit" { (t(l, "fund.filter")) }
        }
        h2 { (t(l, "fund.ceilings")) " " (year) }
        @if uses.is_empty() { p { (t(l, "fund.ceilings.none")) } } @else {
            table {
                thead { tr { th { (t(l, "fund.ceiling.scope")) } th.num { (t(l, "fund.ceiling.limit")) } th.num { (t(l, "fund.ceiling.used")) } th.num { (t(l, "fund.ceiling.left")) } } }
                tbody { @for (c, used) in &uses { tr {
                    td { (scope_label(&c.scope, &c.key)) }
                    td.num { (eur(c.amount)) }
                    td.num { (eur(*used)) }
                    td.num { (eur(c.amount - used)) }
                } } }
            }
        }
        @if may_set {
            h2 { (t(l, "fund.ceiling.set")) }
            form.stack method="post" action={ "/fund/instruments/" (i.id) "/ceilings" } {
                (csrf_field(&v))
                input type="hidden" name="year" value=(year);
                label for="scope" { (t(l, "fund.ceiling.scope")) }
                select #scope name="scope" { (vocab_options(l, fund::CEILING_SCOPES, "budget", false)) }
                label for="key" { (t(l, "fund.ceiling.key")) }
                input #key type="text" name="key" placeholder="SD / wps";
                label for="amount" { (t(l, "fund.ceiling.limit")) " (EUR)" }
                input #amount type="text" inputmode="decimal" name="amount" required placeholder="1000000.00";
                button type="submit" { (t(l, "form.save")) }
            }
        }
        p.actions { a href="/fund" { (t(l, "fund.title")) } }
    };
    page(&v, &i.code, content)
}

pub async fn set_ceiling(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let year: i32 = form.text("year").trim().parse().unwrap_or(0);
    match v
        .access
        .set_ceiling(
            &id,
            year,
            &form.text("scope"),
            &form.text("key"),
            &form.text("amount"),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/fund/instruments/{id}?year={year}")).into_response(),
        Err(e) => action_error(l, e),
    }
}

fn list(form: &FormPairs, k: &str) -> Vec<String> {
    form.all(k)
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn input_from_form(form: &FormPairs) -> ApplicationInput {
    let compartment = form.text("compartment");
    ApplicationInput {
        instrument_id: form.text("instrument_id"),
        title: form.text("title"),
        partner: form.text("partner"),
        process_ids: list(form, "process_ids"),
        currency: form.text("currency"),
        amount: form.text("amount"),
        rate: form.text("rate"),
        start_date: form.text("start_date"),
        months: int(form, "months"),
        why_now: form.text("why_now"),
        risk_note: form.text("risk_note"),
        purpose_code: form.text("purpose_code"),
        gender_marker: form.text("gender_marker"),
        themes: form.all("themes"),
        countries: list(form, "countries"),
        exclude_from_publication: form.get("exclude_from_publication").is_some(),
        exclusion_reason: form.text("exclusion_reason"),
        classification: form.text("classification"),
        compartment: (!compartment.trim().is_empty()).then_some(compartment),
    }
}

fn input_from(a: &Application) -> ApplicationInput {
    ApplicationInput {
        instrument_id: a.instrument_id.clone(),
        title: a.title.clone(),
        partner: a.partner.clone(),
        process_ids: a.process_ids.clone(),
        currency: a.currency.clone(),
        amount: fund::format_amount(a.amount, &a.currency),
        rate: if a.currency == "EUR" {
            String::new()
        } else {
            fund::format_rate(a.rate)
        },
        start_date: a.start_date.clone(),
        months: a.months,
        why_now: a.why_now.clone(),
        risk_note: a.risk_note.clone(),
        purpose_code: a.purpose_code.clone(),
        gender_marker: a.gender_marker.clone(),
        themes: a.themes.clone(),
        countries: a.countries.clone(),
        exclude_from_publication: a.exclude_from_publication,
        exclusion_reason: a.exclusion_reason.clone(),
        classification: a.labels.classification.as_str().to_string(),
        compartment: a
            .labels
            .compartment
            .as_ref()
            .map(|c| c.as_str().to_string()),
    }
}

async fn form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &ApplicationInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let instruments = v.access.list_instruments().await.unwrap_or_default();
    let partner_bound =
        grotius_domain::organisation_bound(v.access.subject(), ResourceKind::FundApplication)
            .is_some();
    let max = v.access.subject().clearance;
    let processes = crate::ui::process_choices(v, &input.process_ids).await;
    let content = html! {
        h1 { (title) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="instrument_id" { (t(l, "fund.instrument")) }
            select #instrument_id name="instrument_id" {
                @for i in &instruments {
                    option value=(i.id) selected[i.id == input.instrument_id || i.code == input.instrument_id] { (i.code) " — " (i.name) }
                }
            }
            label for="title" { (t(l, "fund.application.title")) " (" (t(l, "form.required")) ")" }
            input #title type="text" name="title" value=(input.title) required maxlength="300";
            @if !partner_bound {
                label for="partner" { (t(l, "fund.application.partner")) " (" (t(l, "form.required")) ")" }
                input #partner type="text" name="partner" value=(input.partner) required maxlength="200";
            }
            @if !processes.is_empty() {
                label for="process_ids" { (t(l, "fund.application.processes")) }
                select #process_ids name="process_ids" multiple size="5" {
                    @for (id, name) in &processes { option value=(id) selected[input.process_ids.contains(id)] { (name) } }
                }
            }
            label for="currency" { (t(l, "fund.application.currency")) }
            input #currency type="text" name="currency" value=(input.currency) required maxlength="3" placeholder="EUR";
            label for="amount" { (t(l, "fund.application.amount")) }
            input #amount type="text" inputmode="decimal" name="amount" value=(input.amount) required placeholder=(if l.code() == "nl" { "25.000,00" } else { "25,000.00" });
            label for="rate" { (t(l, "fund.application.rate")) }
            input #rate type="text" inputmode="decimal" name="rate" value=(input.rate) placeholder="0.925";
            label for="start_date" { (t(l, "fund.application.start")) }
            input #start_date type="date" name="start_date" value=(input.start_date) required;
            label for="months" { (t(l, "fund.application.months")) }
            input #months type="number" name="months" min="1" max="120" value=(input.months);
            label for="why_now" { (t(l, "fund.application.why_now")) }
            textarea #why_now name="why_now" { (input.why_now) }
            label for="risk_note" { (t(l, "fund.application.risk")) }
            textarea #risk_note name="risk_note" { (input.risk_note) }
            label for="purpose_code" { (t(l, "fund.application.purpose")) }
            input #purpose_code type="text" name="purpose_code" value=(input.purpose_code) required pattern="[0-9]{5}" placeholder="15220";
            label for="gender_marker" { (t(l, "fund.application.gender")) }
            select #gender_marker name="gender_marker" { (vocab_options(l, GENDER_MARKERS, &input.gender_marker, false)) }
            fieldset { legend { (t(l, "fund.application.themes")) }
                @for term in THEMES {
                    label { input type="checkbox" name="themes" value=(term.code) checked[input.themes.iter().any(|x| x == term.code)]; " " (term.label(l.code())) }
                }
            }
            label for="countries" { (t(l, "fund.application.countries")) }
            input #countries type="text" name="countries" value=(input.countries.join(", ")) required placeholder="SD, SS";
            label { input type="checkbox" name="exclude_from_publication" value="1" checked[input.exclude_from_publication]; " " (t(l, "fund.application.exclude")) }
            label for="exclusion_reason" { (t(l, "fund.application.exclusion_reason")) }
            input #exclusion_reason type="text" name="exclusion_reason" value=(input.exclusion_reason) maxlength="2000";
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, max, &input.classification))
            label for="compartment" { (t(l, "labels.compartment")) }
            input #compartment type="text" name="compartment" value=(input.compartment.clone().unwrap_or_default());
            button type="submit" { (t(l, "form.save")) }
        }
    };
    let mut r = page(v, title, content);
    *r.status_mut() = status;
    r
}

pub async fn new_form(v: Viewer) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(
            Action::Create,
            Resource::kind(ResourceKind::FundApplication),
        )
        .await
    {
        return store_error(l, e);
    }
    let max = v.access.subject().clearance;
    let input = ApplicationInput {
        currency: "EUR".into(),
        months: 6,
        purpose_code: "15220".into(),
        gender_marker: "1".into(),
        classification: if max >= Classification::Internal {
            "internal".into()
        } else {
            "public".into()
        },
        ..Default::default()
    };
    form_page(
        &v,
        "/fund/applications",
        t(l, "fund.application.new"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create_application(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_application(&input).await {
        Ok(a) => Redirect::to(&format!("/fund/applications/{}", a.id)).into_response(),
        Err(e) => match crate::ui::form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    "/fund/applications",
                    t(l, "fund.application.new"),
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
    let a = match v.access.get_application(&id).await {
        Ok(a) => a,
        Err(e) => return store_error(l, e),
    };
    match v.access.may_edit_application(&a).await {
        Ok(true) => {}
        Ok(false) => {
            return crate::ui::error_page(
                l,
                StatusCode::FORBIDDEN,
                t(l, "fund.application.noedit"),
            );
        }
        Err(e) => return store_error(l, e),
    }
    let action = format!("/fund/applications/{}", a.id);
    form_page(
        &v,
        &action,
        t(l, "fund.application.edit"),
        &input_from(&a),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update_application(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_application(&id, &input).await {
        Ok(a) => Redirect::to(&format!("/fund/applications/{}", a.id)).into_response(),
        Err(StoreError::Forbidden(m)) => crate::ui::error_page(l, StatusCode::FORBIDDEN, &m),
        Err(e) => match crate::ui::form_failure(e) {
            Ok((msg, status)) => {
                let action = format!("/fund/applications/{id}");
                form_page(
                    &v,
                    &action,
                    t(l, "fund.application.edit"),
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

pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let d = match v.access.application_detail(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let a = &d.application;
    let res = Resource::of_organisation(ResourceKind::FundApplication, &a.labels, &a.partner);
    let may_edit = v.access.may_edit_application(a).await.unwrap_or(false);
    let may_delete =
        matches!(a.state.as_str(), "draft" | "withdrawn") && v.access.may(Action::Delete, res);
    let may_pay = matches!(a.state.as_str(), "approved" | "closed")
        && v.access.may(
            Action::Create,
            Resource::of_organisation(ResourceKind::FundTransaction, &a.labels, &a.partner),
        );
    let may_amend = a.state == "approved" && v.access.may(Action::Update, res);
    let content = html! {
        h1 { (a.reference) " — " (a.title) }
        p { (labels_badge(l, &a.labels)) " " (term_label(l, STATES, &a.state)) " · " (term_label(l, TRACKS, &a.track)) }
        dl.facts {
            dt { (t(l, "fund.instrument")) } dd { a href={ "/fund/instruments/" (d.instrument.id) } { (d.instrument.code) } }
            dt { (t(l, "fund.application.partner")) } dd { (a.partner) }
            dt { (t(l, "fund.application.amount")) } dd { (money(a.amount, &a.currency))
                @if a.currency != "EUR" { " = " (eur(a.amount_eur)) " (" (t(l, "fund.application.rate")) " " (fund::format_rate(a.rate)) ")" } }
            dt { (t(l, "fund.application.start")) } dd { (a.start_date) " · " (a.months) " " (t(l, "fund.months")) }
            dt { (t(l, "fund.application.purpose")) } dd { (a.purpose_code) " " (fund::purpose_code(&a.purpose_code).map(|p| p.name.as_str()).unwrap_or("")) }
            dt { (t(l, "fund.application.gender")) } dd { (term_label(l, GENDER_MARKERS, &a.gender_marker)) }
            dt { (t(l, "fund.application.countries")) } dd { (a.countries.join(", ")) }
            dt { (t(l, "fund.application.themes")) } dd { (a.themes.iter().map(|c| term_label(l, THEMES, c)).collect::<Vec<_>>().join(", ")) }
            @if !d.processes.is_empty() {
                dt { (t(l, "fund.application.processes")) }
                dd { @for (pid, name) in &d.processes { a href={ "/processes/" (pid) } { (name) } " " } }
            }
            @if a.exclude_from_publication {
                dt { (t(l, "fund.application.exclude")) } dd { (a.exclusion_reason) }
            }
            dt { (t(l, "fund.decision_days")) }
            dd { @match d.decision_days { Some(n) => { (n) " / " (d.target_days) @if n > d.target_days { " · " strong { (t(l, "fund.late")) } } }, None => { "—" } } }
        }
        @if !a.why_now.is_empty() { h2 { (t(l, "fund.application.why_now")) } p.analysis-body { (a.why_now) } }
        @if !a.risk_note.is_empty() { h2 { (t(l, "fund.application.risk")) } p.analysis-body { (a.risk_note) } }
        @if !d.next.is_empty() {
            h2 { (t(l, "fund.next")) }
            @for (to, name) in &d.next {
                form.inline method="post" action={ "/fund/applications/" (a.id) "/transition" } {
                    (csrf_field(&v))
                    input type="hidden" name="to" value=(to);
                    label { (t(l, "fund.note")) " " input type="text" name="note" maxlength="2000"; }
                    button type="submit" { (name) " → " (term_label(l, STATES, to)) }
                }
            }
        }
        @if !d.blocked.is_empty() {
            @if d.next.is_empty() { h2 { (t(l, "fund.next")) } }
            ul #fund-blocked { @for (to, name, why) in &d.blocked {
                li { (name) " → " (term_label(l, STATES, to)) ": " (t(l, "fund.blocked")) " — " (why) }
            } }
        }
        h2 { (t(l, "fund.steps")) }
        @if d.steps.is_empty() { p { (t(l, "fund.steps.none")) } } @else {
            ol.timeline { @for s in &d.steps {
                li { (fmt_micros(s.at)) " · " strong { (s.name) } " (" (term_label(l, STATES, &s.from_state)) " → " (term_label(l, STATES, &s.to_state)) ") · " (s.username)
                    @if !s.note.is_empty() { " — " (s.note) } }
            } }
        }
        h2 { (t(l, "fund.ledger")) }
        p { (t(l, "fund.committed")) ": " (eur(d.committed)) " · " (t(l, "fund.disbursed")) ": " (eur(d.disbursed)) }
        @if !d.ledger.is_empty() {
            table {
                thead { tr { th { (t(l, "fund.ledger.date")) } th { (t(l, "fund.ledger.kind")) } th.num { (t(l, "fund.application.amount")) } th.num { "EUR" } th { (t(l, "fund.ledger.memo")) } th { (t(l, "fund.ledger.by")) } } }
                tbody { @for e in &d.ledger { tr {
                    td { (e.value_date) } td { (term_label(l, TRANSACTION_KINDS, &e.kind)) }
                    td.num { (money(e.amount, &e.currency)) } td.num { (eur(e.amount_eur)) }
                    td { (e.memo) } td { (e.username) }
                } } }
            }
        }
        @if may_pay {
            h3 { (t(l, "fund.payment")) }
            form.stack method="post" action={ "/fund/applications/" (a.id) "/payment" } {
                (csrf_field(&v))
                label for="kind" { (t(l, "fund.ledger.kind")) }
                select #kind name="kind" {
                    @for k in ["disbursement", "refund", "decommitment"] { option value=(k) { (term_label(l, TRANSACTION_KINDS, k)) } }
                }
                label for="pay_currency" { (t(l, "fund.application.currency")) }
                input #pay_currency type="text" name="currency" value=(a.currency) maxlength="3";
                label for="pay_amount" { (t(l, "fund.application.amount")) }
                input #pay_amount type="text" inputmode="decimal" name="amount" required;
                label for="pay_rate" { (t(l, "fund.application.rate")) }
                input #pay_rate type="text" inputmode="decimal" name="rate";
                label for="value_date" { (t(l, "fund.ledger.date")) }
                input #value_date type="date" name="value_date" required;
                label for="memo" { (t(l, "fund.ledger.memo")) }
                input #memo type="text" name="memo" maxlength="500";
                button type="submit" { (t(l, "fund.payment.record")) }
            }
        }
        @if may_amend {
            h3 { (t(l, "fund.amend")) }
            form.stack method="post" action={ "/fund/applications/" (a.id) "/amend" } {
                (csrf_field(&v))
                label for="amend_amount" { (t(l, "fund.amend.amount")) }
                input #amend_amount type="text" name="amount" required placeholder="+15000.00 / -5000.00";
                label for="amend_note" { (t(l, "fund.note")) }
                input #amend_note type="text" name="note" maxlength="500";
                button type="submit" { (t(l, "fund.amend")) }
            }
        }
        p.actions {
            a href="/fund" { (t(l, "fund.title")) }
            @if may_edit { " " a.button href={ "/fund/applications/" (a.id) "/edit" } { (t(l, "fund.application.edit")) } }
        }
        @if may_delete {
            form method="post" action={ "/fund/applications/" (a.id) "/delete" } {
                (csrf_field(&v)) button.danger type="submit" { (t(l, "fund.application.delete")) }
            }
        }
    };
    let work =
        crate::modules::work::ui::panel(&v, &a.id, &format!("/fund/applications/{}", a.id)).await;
    let content = html! { (content) (work) };
    page(&v, &a.reference, content)
}

pub async fn transition(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v
        .access
        .transition_application(&id, &form.text("to"), &form.text("note"))
        .await
    {
        Ok(a) => Redirect::to(&format!("/fund/applications/{}", a.id)).into_response(),
        Err(e) => action_error(v.lang, e),
    }
}

pub async fn payment(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let input = PaymentInput {
        kind: form.text("kind"),
        currency: form.text("currency"),
        amount: form.text("amount"),
        rate: form.text("rate"),
        value_date: form.text("value_date"),
        memo: form.text("memo"),
    };
    match v.access.record_payment(&id, &input).await {
        Ok(_) => Redirect::to(&format!("/fund/applications/{id}")).into_response(),
        Err(e) => action_error(v.lang, e),
    }
}

pub async fn amend(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v
        .access
        .amend_commitment(&id, &form.text("amount"), &form.text("note"))
        .await
    {
        Ok(_) => Redirect::to(&format!("/fund/applications/{id}")).into_response(),
        Err(e) => action_error(v.lang, e),
    }
}

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_application(&id).await {
        Ok(()) => Redirect::to("/fund").into_response(),
        Err(e) => action_error(v.lang, e),
    }
}
