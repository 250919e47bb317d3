//! Incidents (HURIDOCS events): list with filters and counts over what the reader may read,
//! detail with acts, persons by pseudonym, ratings, verification and linked evidence; create,
//! edit, add act / person / evidence link; the identity opening (custodian); the violation-type
//! vocabulary; the AWSD / Yemen Data Project import form; CSV export.

use crate::routes::{Routes, get, post};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::incident::{
    self, AGE_GROUPS, CONSENT, CREDIBILITY, DATE_PRECISION, ImportFormat, Incident, IncidentInput,
    PERSON_ROLES, PLACE_PRECISION, PersonIdentity, PersonInput, RELIABILITY, RISK, SEX, STATUS,
    VERIFICATION, VictimCount, ViolationType,
};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{
    IncidentFilter, IncidentImportJob, IncidentImportReport, IncidentImportStart, StoreError,
};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::world_map::{MapData, world_map};
use crate::ui::{
    FormPairs, classification_select, csrf_field, failed_field, fmt_micros, form_failure,
    labels_badge, page, store_error, term_label, vocab_options,
};

const PAGE: i64 = 50;
/// The Yemen file is 2.6 MB; leave room.
const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/incidents", get(list).post(create))
        .route("/incidents.csv", get(export_csv))
        .route("/incidents/new", get(new_form))
        .route("/incidents/vocabulary", get(vocabulary).post(add_term))
        .route(
            "/incidents/vocabulary/{code}/deprecate",
            post(deprecate_term),
        )
        .route(
            "/incidents/import",
            get(import_form)
                .post(import)
                .layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/incidents/imports/{id}", get(import_job))
        .route("/incidents/persons/{id}/identity", post(open_identity))
        .route("/incidents/{id}", get(show).post(update))
        .route("/incidents/{id}/edit", get(edit_form))
        .route("/incidents/{id}/verify", post(verify))
        .route("/incidents/{id}/acts", post(add_act))
        .route("/incidents/{id}/persons", post(add_person))
        .route(
            "/incidents/{id}/persons/{person}/safeguards",
            post(set_safeguards),
        )
        .route("/incidents/{id}/evidence", post(link_evidence));
}

fn violation_label(l: Lang, vocab: &[ViolationType], code: &str) -> String {
    vocab
        .iter()
        .find(|v| v.code == code)
        .map(|v| v.label(l.code()).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn violation_options(l: Lang, vocab: &[ViolationType], selected: &str, any: bool) -> Markup {
    html! {
        @if any { option value="" { (t(l, "proc.any")) } }
        @for v in vocab.iter().filter(|v| !v.deprecated || v.code == selected) {
            option value=(v.code) selected[v.code == selected] { (v.label(l.code())) }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    country: Option<String>,
    violation: Option<String>,
    verification: Option<String>,
    year: Option<String>,
    offset: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> IncidentFilter {
        IncidentFilter {
            q: self.q.clone(),
            country: self.country.clone(),
            violation: self.violation.clone(),
            verification: self.verification.clone().filter(|s| !s.is_empty()),
            year: self.year.as_deref().and_then(|y| y.trim().parse().ok()),
            source: None,
        }
    }
}

pub async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let offset = q.offset.unwrap_or(0).max(0);
    let data = match v.access.list_incidents(&q.filter(), PAGE, offset).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let map = match v.access.incident_map(&q.filter()).await {
        Ok(m) => m,
        Err(e) => return store_error(l, e),
    };
    let vocab = v.access.violation_types().await.unwrap_or_default();
    let qs = |off: i64| {
        format!(
            "/incidents?q={}&country={}&violation={}&verification={}&year={}&offset={off}",
            url_encode(q.q.as_deref().unwrap_or("")),
            url_encode(q.country.as_deref().unwrap_or("")),
            url_encode(q.violation.as_deref().unwrap_or("")),
            url_encode(q.verification.as_deref().unwrap_or("")),
            url_encode(q.year.as_deref().unwrap_or(""))
        )
    };
    // Circles at the middle of each half-degree cell (cells are counted toward zero).
    let half = grotius_store::MAP_CELL as f64 / 2e6;
    let points: Vec<(f64, f64, i64, String)> = map
        .by_place
        .iter()
        .map(|&(la, lo, n)| {
            let (lat, lon) = (la as f64 / 1e6, lo as f64 / 1e6);
            let (lat, lon) = (lat + half * lat.signum(), lon + half * lon.signum());
            (lat, lon, n, format!("{lat:.2}°, {lon:.2}°"))
        })
        .collect();
    let may_create = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::Incident));
    let may_export = v
        .access
        .may(Action::Export, Resource::kind(ResourceKind::Incident));
    let content = html! {
        h1 { (t(l, "inc.title")) }
        p.muted { (t(l, "inc.intro")) }
        p.actions {
            @if may_create { a.button href="/incidents/new" { (t(l, "inc.new")) } a href="/incidents/import" { (t(l, "inc.import")) } }
            a href="/incidents/vocabulary" { (t(l, "inc.vocab")) }
            @if may_export { a href={ "/incidents.csv?" (qs(0).trim_start_matches("/incidents?")) } { (t(l, "inc.export")) } }
        }
        form.filters method="get" action="/incidents" role="search" {
            label for="q" { (t(l, "proc.search")) input #q type="text" name="q" value=(q.q.clone().unwrap_or_default()); }
            label for="country" { "ISO" input #country type="text" name="country" size="4" value=(q.country.clone().unwrap_or_default()); }
            label for="violation" { (t(l, "inc.violation")) select #violation name="violation" { (violation_options(l, &vocab, q.violation.as_deref().unwrap_or(""), true)) } }
            label for="verification" { (t(l, "inc.verification")) select #verification name="verification" { (vocab_options(l, VERIFICATION, q.verification.as_deref().unwrap_or(""), true)) } }
            label for="year" { (t(l, "inc.year")) input #year type="text" name="year" size="5" value=(q.year.clone().unwrap_or_default()); }
            button type="submit" { (t(l, "proc.filter")) }
        }
        p.counts {
            (data.total) " " (t(l, "inc.count")) " · " (data.killed) " " (t(l, "inc.killed")) " · " (data.injured) " " (t(l, "inc.injured"))
            @for (s, n) in &data.by_verification { " · " (term_label(l, VERIFICATION, s)) ": " (n) }
        }
        @if !map.by_country.is_empty() || !map.by_place.is_empty() {
            section.incident-map {
                h2 { (t(l, "inc.map.title")) }
                (world_map(&MapData {
                    id: "incident-map",
                    title: t(l, "inc.map.title"),
                    desc: t(l, "inc.map.desc"),
                    by_country: &map.by_country,
                    points: &points,
                    unit: t(l, "inc.map.unit"),
                    legend: ["1–9", "10–99", "100–999", "1000+"],
                }))
                details {
                    summary { (t(l, "inc.map.countries")) }
                    table.compact {
                        thead { tr { th { (t(l, "inc.country")) } th { (t(l, "inc.count")) } } }
                        tbody { @for (c, n) in &map.by_country { tr {
                            td { a href={ "/incidents?country=" (url_encode(c)) } { (crate::modules::agreements::ui::country_name(c)) " (" (c) ")" } }
                            td { (n) }
                        } } }
                    }
                }
            }
        }
        @if data.items.is_empty() { p { (t(l, "inc.none")) } } @else {
            table {
                thead { tr {
                    th { (t(l, "inc.date")) } th { (t(l, "inc.incident")) } th { (t(l, "inc.country")) } th { (t(l, "inc.violation")) }
                    th { (t(l, "inc.killed")) } th { (t(l, "inc.injured")) } th { (t(l, "inc.verification")) } th { (t(l, "labels.classification")) }
                } }
                tbody { @for i in &data.items { tr {
                    td { (i.date) }
                    td { a href={ "/incidents/" (i.id) } { (i.title) } }
                    td { (i.country.clone().unwrap_or_default()) }
                    td { (i.acts.iter().map(|a| violation_label(l, &vocab, &a.violation)).collect::<Vec<_>>().join(", ")) }
                    td { (i.killed()) } td { (i.injured()) }
                    td { (term_label(l, VERIFICATION, &i.verification)) }
                    td { (labels_badge(l, &i.labels)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href=(qs((offset - PAGE).max(0))) rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + data.items.len() as i64) " " (t(l, "pager.of")) " " (data.total) }
            @if offset + PAGE < data.total { a href=(qs(offset + PAGE)) rel="next" { (t(l, "pager.next")) } }
        }
    };
    page(&v, t(l, "inc.title"), content)
}

pub async fn export_csv(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    match v.access.export_incidents_csv(&q.filter()).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"incidents.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

fn input_from(i: &Incident) -> IncidentInput {
    IncidentInput {
        title: i.title.clone(),
        description: i.description.clone(),
        date: i.date.clone(),
        date_precision: i.date_precision.clone(),
        place: i.place.clone(),
        admin_area: i.admin_area.clone(),
        place_precision: i.place_precision.clone(),
        lat: i.lat,
        lon: i.lon,
        country: i.country.clone(),
        context: i.context.clone(),
        reliability: i.reliability.clone(),
        credibility: i.credibility.clone(),
        acts: i.acts.clone(),
        aid: i.aid.clone(),
        classification: i.labels.classification.as_str().to_string(),
        compartment: i.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

fn num(f: &FormPairs, k: &str) -> Option<f64> {
    f.get(k)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
}

fn count(f: &FormPairs, k: &str) -> i64 {
    f.get(k)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or(0, |s| s.parse().unwrap_or(-1))
}

/// The incident fields of the form over `base` (acts and AWSD fields are kept from `base`).
fn input_from_form(f: &FormPairs, base: IncidentInput) -> IncidentInput {
    IncidentInput {
        title: f.text("title"),
        description: f.text("description"),
        date: f.text("date"),
        date_precision: f.text("date_precision"),
        place: f.text("place"),
        admin_area: f.text("admin_area"),
        place_precision: f.text("place_precision"),
        lat: num(f, "lat"),
        lon: num(f, "lon"),
        country: f.get("country").map(str::to_string),
        context: f.text("context"),
        reliability: f.text("reliability"),
        credibility: f.text("credibility"),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
        ..base
    }
}

/// The act of the "add act" part of a form (one row of victims), if a violation is chosen.
fn act_from_form(f: &FormPairs) -> Option<incident::Act> {
    let violation = f.text("violation");
    if violation.trim().is_empty() {
        return None;
    }
    let (k, i, o) = (count(f, "killed"), count(f, "injured"), count(f, "other"));
    let victims = if k == 0 && i == 0 && o == 0 {
        Vec::new()
    } else {
        vec![VictimCount {
            sex: f.text("sex"),
            age_group: f.text("age_group"),
            status: f.text("status"),
            killed: k,
            injured: i,
            other: o,
        }]
    };
    Some(incident::Act {
        violation,
        victims,
        source: f.text("act_source"),
        reliability: f.text("act_reliability"),
        credibility: f.text("act_credibility"),
    })
}

fn act_fields(l: Lang, vocab: &[ViolationType], f: Option<&FormPairs>) -> Markup {
    let g = |k: &str| f.and_then(|f| f.get(k)).unwrap_or("").to_string();
    html! {
        label for="violation" { (t(l, "inc.violation")) }
        select #violation name="violation" { option value="" { "—" } (violation_options(l, vocab, &g("violation"), false)) }
        fieldset { legend { (t(l, "inc.victims")) }
            label for="sex" { (t(l, "inc.sex")) } select #sex name="sex" { (vocab_options(l, SEX, &g("sex"), false)) }
            label for="age_group" { (t(l, "inc.age")) } select #age_group name="age_group" { (vocab_options(l, AGE_GROUPS, &g("age_group"), false)) }
            label for="status" { (t(l, "inc.status")) } select #status name="status" { (vocab_options(l, STATUS, &g("status"), false)) }
            label for="killed" { (t(l, "inc.killed")) } input #killed type="number" min="0" name="killed" value=(g("killed"));
            label for="injured" { (t(l, "inc.injured")) } input #injured type="number" min="0" name="injured" value=(g("injured"));
            label for="other" { (t(l, "inc.other")) } input #other type="number" min="0" name="other" value=(g("other"));
        }
        label for="act_source" { (t(l, "inc.act.source")) } input #act_source type="text" name="act_source" value=(g("act_source"));
        label for="act_reliability" { (t(l, "inc.reliability")) } select #act_reliability name="act_reliability" { (vocab_options(l, RELIABILITY, &g("act_reliability"), false)) }
        label for="act_credibility" { (t(l, "inc.credibility")) } select #act_credibility name="act_credibility" { (vocab_options(l, CREDIBILITY, &g("act_credibility"), false)) }
    }
}

async fn form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &IncidentInput,
    // A new incident: the form has an act part (repeating these values, if any).
    new_act: Option<&FormPairs>,
    // A refusal, and the field it names (shown beside that field).
    error: Option<(Option<&'static str>, String)>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let vocab = v.access.violation_types().await.unwrap_or_default();
    let comps: Vec<String> = v
        .access
        .subject()
        .compartments
        .iter()
        .map(|c| c.to_string())
        .collect();
    const FIELDS: &[&str] = &[
        "title",
        "description",
        "date",
        "date_precision",
        "place",
        "admin_area",
        "country",
        "place_precision",
        "lat",
        "lon",
        "context",
        "reliability",
        "credibility",
        "classification",
        "compartment",
    ];
    let beside = |f: &str| -> Markup {
        html! { @if let Some((Some(field), msg)) = &error { @if *field == f { p.error.field-error { (msg) } } } }
    };
    let general = error
        .as_ref()
        .filter(|(field, _)| !field.is_some_and(|f| FIELDS.contains(&f)))
        .map(|(_, m)| m.clone());
    let content = html! {
        h1 { (title) }
        @if error.is_some() { div.error role="alert" { (t(l, "form.error")) @if let Some(g) = &general { " " (g) } } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="title" { (t(l, "inc.incident")) " (" (t(l, "form.required")) ")" }
            input #title type="text" name="title" value=(input.title) required maxlength="300";
            (beside("title"))
            label for="description" { (t(l, "inc.description")) }
            textarea #description name="description" { (input.description) }
            (beside("description"))
            label for="date" { (t(l, "inc.date")) " (" (t(l, "form.required")) ")" }
            input #date type="text" name="date" value=(input.date) placeholder="2024-05-10" required;
            (beside("date"))
            label for="date_precision" { (t(l, "inc.date.precision")) }
            select #date_precision name="date_precision" { (vocab_options(l, DATE_PRECISION, &input.date_precision, false)) }
            (beside("date_precision"))
            label for="place" { (t(l, "inc.place")) } input #place type="text" name="place" value=(input.place);
            (beside("place"))
            label for="admin_area" { (t(l, "inc.admin")) } input #admin_area type="text" name="admin_area" value=(input.admin_area);
            (beside("admin_area"))
            label for="country" { (t(l, "inc.country")) " (ISO)" } input #country type="text" name="country" size="4" value=(input.country.clone().unwrap_or_default());
            (beside("country"))
            label for="place_precision" { (t(l, "inc.place.precision")) }
            select #place_precision name="place_precision" { (vocab_options(l, PLACE_PRECISION, &input.place_precision, false)) }
            (beside("place_precision"))
            label for="lat" { (t(l, "inc.lat")) } input #lat type="text" name="lat" value=(input.lat.map(|x| x.to_string()).unwrap_or_default());
            (beside("lat"))
            label for="lon" { (t(l, "inc.lon")) } input #lon type="text" name="lon" value=(input.lon.map(|x| x.to_string()).unwrap_or_default());
            (beside("lon"))
            label for="context" { (t(l, "inc.context")) } input #context type="text" name="context" value=(input.context);
            (beside("context"))
            label for="reliability" { (t(l, "inc.reliability")) }
            select #reliability name="reliability" { (vocab_options(l, RELIABILITY, &input.reliability, false)) }
            (beside("reliability"))
            label for="credibility" { (t(l, "inc.credibility")) }
            select #credibility name="credibility" { (vocab_options(l, CREDIBILITY, &input.credibility, false)) }
            (beside("credibility"))
            @if new_act.is_some() { h2 { (t(l, "inc.act.add")) } (act_fields(l, &vocab, new_act)) }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            (beside("classification"))
            label for="compartment" { (t(l, "labels.compartment")) " (" (t(l, "form.required")) ")" }
            select #compartment name="compartment" {
                @for c in &comps { option value=(c) selected[input.compartment.as_deref() == Some(c.as_str())] { (c) } }
            }
            (beside("compartment"))
            div.actions { button type="submit" { (t(l, "form.save")) } a href="/incidents" { (t(l, "form.cancel")) } }
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
        .check(Action::Create, Resource::kind(ResourceKind::Incident))
        .await
    {
        return store_error(l, e);
    }
    let input = IncidentInput {
        date_precision: "day".into(),
        place_precision: "admin".into(),
        reliability: "F".into(),
        credibility: "6".into(),
        classification: "confidential".into(),
        ..Default::default()
    };
    form_page(
        &v,
        "/incidents",
        t(l, "inc.new"),
        &input,
        Some(&FormPairs(Vec::new())),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let mut input = input_from_form(&form, IncidentInput::default());
    input.acts = act_from_form(&form).into_iter().collect();
    match v.access.create_incident(&input).await {
        Ok(i) => Redirect::to(&format!("/incidents/{}", i.id)).into_response(),
        Err(e) => {
            let field = failed_field(&e);
            match form_failure(e) {
                Ok((msg, status)) => {
                    form_page(
                        &v,
                        "/incidents",
                        t(l, "inc.new"),
                        &input,
                        Some(&form),
                        Some((field, msg)),
                        status,
                    )
                    .await
                }
                Err(e) => store_error(l, e),
            }
        }
    }
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let i = match v.access.get_incident(&id).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Incident, &i.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    form_page(
        &v,
        &format!("/incidents/{id}"),
        t(l, "inc.edit"),
        &input_from(&i),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let old = match v.access.get_incident(&id).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let input = input_from_form(&form, input_from(&old));
    match v.access.update_incident(&id, &input).await {
        Ok(_) => Redirect::to(&format!("/incidents/{id}")).into_response(),
        Err(e) => {
            let field = failed_field(&e);
            match form_failure(e) {
                Ok((msg, status)) => {
                    form_page(
                        &v,
                        &format!("/incidents/{id}"),
                        t(l, "inc.edit"),
                        &input,
                        None,
                        Some((field, msg)),
                        status,
                    )
                    .await
                }
                Err(e) => store_error(l, e),
            }
        }
    }
}

pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    detail(&v, &id, None).await
}

async fn detail(v: &Viewer, id: &str, notice: Option<(String, StatusCode)>) -> Response {
    let l = v.lang;
    let i = match v.access.get_incident(id).await {
        Ok(i) => i,
        Err(e) => return store_error(l, e),
    };
    let persons = match v.access.incident_persons(id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let evidence = match v.access.incident_evidence(id).await {
        Ok(e) => e,
        Err(e) => return store_error(l, e),
    };
    let vocab = v.access.violation_types().await.unwrap_or_default();
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Incident, &i.labels),
    );
    // Evidence to link, picked by title: the originals the reader may see, not yet linked here.
    let linkable: Vec<_> = if may_edit {
        v.access
            .evidence_list(
                &grotius_store::EvidenceFilter {
                    originals_only: true,
                    ..Default::default()
                },
                500,
                0,
            )
            .await
            .map(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| !evidence.iter().any(|x| x.id == e.id))
            .collect()
    } else {
        Vec::new()
    };
    let may_identity = v.access.may(
        Action::Read,
        Resource::labelled(ResourceKind::PersonIdentity, &i.labels),
    );
    let may_file_identity = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::PersonIdentity));
    // Actors of the network a person can be, picked by name (those of the incident's country).
    let actors = if may_edit {
        crate::ui::actor_choices(v, i.country.as_deref(), None).await
    } else {
        Vec::new()
    };
    let status = notice.as_ref().map_or(StatusCode::OK, |(_, s)| *s);
    let refused = status != StatusCode::OK;
    let content = html! {
        h1 { (i.title) " " (labels_badge(l, &i.labels)) }
        @if let Some((msg, _)) = &notice { div.error role="alert" { (t(l, "form.error")) " " (msg) } }
        dl.facts {
            dt { (t(l, "inc.date")) } dd { (i.date) " (" (term_label(l, DATE_PRECISION, &i.date_precision)) ")" }
            dt { (t(l, "inc.place")) } dd {
                (i.place) @if !i.admin_area.is_empty() { ", " (i.admin_area) }
                @if let Some(c) = &i.country { ", " (grotius_domain::reference::country(c).map(|c| c.name.as_str()).unwrap_or(c)) }
                " (" (term_label(l, PLACE_PRECISION, &i.place_precision)) ")"
                @if let (Some(la), Some(lo)) = (i.lat, i.lon) { " " (format!("{la:.4}, {lo:.4}")) }
            }
            dt { (t(l, "inc.context")) } dd { (i.context) }
            dt { (t(l, "inc.reliability")) } dd { (term_label(l, RELIABILITY, &i.reliability)) }
            dt { (t(l, "inc.credibility")) } dd { (term_label(l, CREDIBILITY, &i.credibility)) }
            dt { (t(l, "inc.verification")) } dd {
                (term_label(l, VERIFICATION, &i.verification))
                @if let (Some(by), Some(at)) = (&i.verified_by, i.verified_at) { " — " (by) ", " (fmt_micros(at)) }
            }
            dt { (t(l, "inc.source")) } dd { (i.source) @if let Some(s) = &i.source_id { " #" (s) } }
            @for (k, val) in &i.extra { dt { (k) } dd { (val) } }
        }
        @if !i.description.is_empty() { h2 { (t(l, "inc.description")) } p { (i.description) } }
        @if let Some(a) = &i.aid {
            h2 { (t(l, "inc.aid")) }
            dl.facts {
                dt { (t(l, "inc.aid.orgs")) } dd { (a.org_types.iter().map(|o| term_label(l, incident::AID_ORG_TYPES, o)).collect::<Vec<_>>().join(", ")) }
                dt { (t(l, "inc.aid.nationals")) } dd { (a.nationals_killed) " / " (a.nationals_wounded) " / " (a.nationals_kidnapped) }
                dt { (t(l, "inc.aid.internationals")) } dd { (a.internationals_killed) " / " (a.internationals_wounded) " / " (a.internationals_kidnapped) }
                dt { (t(l, "inc.aid.means")) } dd { (a.means) }
                dt { (t(l, "inc.aid.context")) } dd { (a.context) }
            }
        }
        h2 { (t(l, "inc.acts")) }
        @if i.acts.is_empty() { p { (t(l, "inc.acts.none")) } } @else {
            table {
                thead { tr { th { (t(l, "inc.violation")) } th { (t(l, "inc.victims")) } th { (t(l, "inc.act.source")) } th { (t(l, "inc.reliability")) } th { (t(l, "inc.credibility")) } } }
                tbody { @for a in &i.acts { tr {
                    td { (violation_label(l, &vocab, &a.violation)) }
                    td { ul.plain { @for c in &a.victims { li {
                        (term_label(l, SEX, &c.sex)) ", " (term_label(l, AGE_GROUPS, &c.age_group)) ", " (term_label(l, STATUS, &c.status)) ": "
                        (c.killed) " " (t(l, "inc.killed")) ", " (c.injured) " " (t(l, "inc.injured")) ", " (c.other) " " (t(l, "inc.other"))
                    } } } }
                    td { (a.source) } td { (a.reliability) } td { (a.credibility) }
                } } }
            }
        }
        h2 { (t(l, "inc.persons")) }
        @if persons.is_empty() { p { (t(l, "inc.persons.none")) } } @else {
            table {
                thead { tr { th { (t(l, "inc.pseudonym")) } th { (t(l, "inc.role")) } th { (t(l, "inc.consent")) } th { (t(l, "inc.risk")) } th { (t(l, "inc.sex")) } th { (t(l, "inc.age")) } th { (t(l, "inc.ratings")) } th { (t(l, "inc.actor")) } @if may_edit { th { (t(l, "inc.safeguards")) } } @if may_identity { th { (t(l, "inc.identity")) } } } }
                tbody { @for p in &persons { tr {
                    td { (p.pseudonym) } td { (term_label(l, PERSON_ROLES, &p.role)) } td { (term_label(l, CONSENT, &p.consent)) }
                    td { (term_label(l, RISK, &p.risk)) } td { (term_label(l, SEX, &p.sex)) } td { (term_label(l, AGE_GROUPS, &p.age_group)) }
                    td { (p.reliability) (p.credibility) }
                    td { @if let Some(a) = &p.actor_id { a href={ "/network/actors/" (a) } { (t(l, "inc.actor.link")) } } }
                    @if may_edit { td {
                        form.inline method="post" action={ "/incidents/" (i.id) "/persons/" (p.id) "/safeguards" } {
                            (csrf_field(v))
                            select name="consent" aria-label=(t(l, "inc.consent")) { (vocab_options(l, CONSENT, &p.consent, false)) }
                            select name="risk" aria-label=(t(l, "inc.risk")) { (vocab_options(l, RISK, &p.risk, false)) }
                            input type="text" name="note" required minlength="5" placeholder=(t(l, "inc.safeguards.note")) aria-label=(t(l, "inc.safeguards.note"));
                            button.secondary type="submit" { (t(l, "inc.safeguards.save")) }
                        }
                    } }
                    @if may_identity { td { @if p.has_identity {
                        form.inline method="post" action={ "/incidents/persons/" (p.id) "/identity" } {
                            (csrf_field(v))
                            label { (t(l, "inc.identity.reason")) " " input type="text" name="reason" required minlength="10"; }
                            button type="submit" { (t(l, "inc.identity.open")) }
                        }
                    } } }
                } } }
            }
        }
        h2 { (t(l, "inc.evidence")) }
        @if evidence.is_empty() { p { (t(l, "inc.evidence.none")) } } @else {
            ul { @for e in &evidence { li { a href={ "/evidence/" (e.id) } { (e.capture.title) } " " (labels_badge(l, &e.labels)) } } }
        }
        @if may_edit {
            div.actions { a.button href={ "/incidents/" (i.id) "/edit" } { (t(l, "inc.edit")) } }
            h2 { (t(l, "inc.verify")) }
            form.inline method="post" action={ "/incidents/" (i.id) "/verify" } {
                (csrf_field(v))
                select name="to" aria-label=(t(l, "inc.verification")) { (vocab_options(l, VERIFICATION, "", false)) }
                input type="text" name="note" placeholder=(t(l, "inc.verify.note"));
                button type="submit" { (t(l, "inc.verify.submit")) }
            }
            // The add forms stay folded until used (opened again when one was refused).
            details #add-act.add-form open[refused] {
            summary { h2 { (t(l, "inc.act.add")) } }
            form.stack method="post" action={ "/incidents/" (i.id) "/acts" } {
                (csrf_field(v)) (act_fields(l, &vocab, None))
                div.actions { button type="submit" { (t(l, "inc.act.add")) } }
            }
            }
            details #add-person.add-form open[refused] {
            summary { h2 { (t(l, "inc.person.add")) } }
            p.muted { (t(l, "inc.person.help")) }
            form.stack method="post" action={ "/incidents/" (i.id) "/persons" } {
                (csrf_field(v))
                label for="role" { (t(l, "inc.role")) } select #role name="role" { (vocab_options(l, PERSON_ROLES, "victim", false)) }
                label for="consent" { (t(l, "inc.consent")) } select #consent name="consent" { (vocab_options(l, CONSENT, "unknown", false)) }
                label for="risk" { (t(l, "inc.risk")) } select #risk name="risk" { (vocab_options(l, RISK, "medium", false)) }
                label for="psex" { (t(l, "inc.sex")) } select #psex name="sex" { (vocab_options(l, SEX, "unknown", false)) }
                label for="page" { (t(l, "inc.age")) } select #page name="age_group" { (vocab_options(l, AGE_GROUPS, "unknown", false)) }
                label for="prel" { (t(l, "inc.reliability")) } select #prel name="reliability" { (vocab_options(l, RELIABILITY, "F", false)) }
                label for="pcred" { (t(l, "inc.credibility")) } select #pcred name="credibility" { (vocab_options(l, CREDIBILITY, "6", false)) }
                @if !actors.is_empty() {
                    label for="actor_id" { (t(l, "inc.actor")) }
                    select #actor_id name="actor_id" {
                        option value="" { (t(l, "inc.actor.none")) }
                        @for (id, name) in &actors { option value=(id) { (name) } }
                    }
                }
                @if may_file_identity {
                    fieldset { legend { (t(l, "inc.identity")) }
                        label for="name" { (t(l, "inc.identity.name")) } input #name type="text" name="name" autocomplete="off";
                        label for="contact" { (t(l, "inc.identity.contact")) } input #contact type="text" name="contact" autocomplete="off";
                        label for="details" { (t(l, "inc.identity.details")) } textarea #details name="details" {}
                    }
                }
                div.actions { button type="submit" { (t(l, "inc.person.add")) } }
            }
            }
            h2 { (t(l, "inc.evidence.link")) }
            form.inline method="post" action={ "/incidents/" (i.id) "/evidence" } {
                (csrf_field(v))
                @if linkable.is_empty() {
                    p.muted { (t(l, "inc.evidence.nothing")) }
                } @else {
                    label for="link-item" { (t(l, "inc.evidence.item")) }
                    select #link-item name="item_id" required {
                        @for e in &linkable { option value=(e.id) { (e.capture.title) " · " (fmt_micros(e.created_at)) } }
                    }
                    button type="submit" { (t(l, "inc.evidence.link")) }
                }
            }
            p { a href={ "/evidence/new?incident=" (i.id) } { (t(l, "inc.evidence.upload")) } }
        }
    };
    let work = crate::modules::work::ui::panel(v, &i.id, &format!("/incidents/{}", i.id)).await;
    let content = html! { (content) (work) };
    let mut res = page(v, &i.title, content);
    *res.status_mut() = status;
    res
}

/// Re-shows the incident with a message when a form on it was refused for its content.
async fn after(v: &Viewer, id: &str, r: Result<(), StoreError>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/incidents/{id}")).into_response(),
        Err(e) => match form_failure(e) {
            Ok(n) => detail(v, id, Some(n)).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}

pub async fn verify(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let r = v
        .access
        .verify_incident(&id, &form.text("to"), &form.text("note"))
        .await
        .map(|_| ());
    after(&v, &id, r).await
}

pub async fn add_act(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let old = match v.access.get_incident(&id).await {
        Ok(i) => i,
        Err(e) => return store_error(v.lang, e),
    };
    let Some(act) = act_from_form(&form) else {
        return after(
            &v,
            &id,
            Err(StoreError::invalid("violation", "choose a violation type")),
        )
        .await;
    };
    let mut input = input_from(&old);
    input.acts.push(act);
    let r = v.access.update_incident(&id, &input).await.map(|_| ());
    after(&v, &id, r).await
}

pub async fn add_person(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let input = PersonInput {
        role: form.text("role"),
        actor_id: form.get("actor_id").map(str::to_string),
        consent: form.text("consent"),
        risk: form.text("risk"),
        sex: form.text("sex"),
        age_group: form.text("age_group"),
        reliability: form.text("reliability"),
        credibility: form.text("credibility"),
        identity: Some(PersonIdentity {
            name: form.text("name"),
            contact: form.text("contact"),
            details: form.text("details"),
        }),
    };
    let r = v.access.add_incident_person(&id, &input).await.map(|_| ());
    after(&v, &id, r).await
}

pub async fn set_safeguards(
    v: Viewer,
    Path((id, person)): Path<(String, String)>,
    form: FormPairs,
) -> Response {
    let r = v
        .access
        .set_person_safeguards(
            &id,
            &person,
            &form.text("consent"),
            &form.text("risk"),
            &form.text("note"),
        )
        .await
        .map(|_| ());
    after(&v, &id, r).await
}

pub async fn link_evidence(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let r = v
        .access
        .link_incident_evidence(&id, &form.text("item_id"))
        .await;
    after(&v, &id, r).await
}

pub async fn open_identity(v: Viewer, Path(pid): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    match v
        .access
        .open_person_identity(&pid, &form.text("reason"))
        .await
    {
        Ok((p, ident)) => {
            let content = html! {
                h1 { (t(l, "inc.identity")) " — " (p.pseudonym) }
                p.muted { (t(l, "inc.identity.audited")) }
                dl.facts {
                    dt { (t(l, "inc.identity.name")) } dd { (ident.name) }
                    dt { (t(l, "inc.identity.contact")) } dd { (ident.contact) }
                    dt { (t(l, "inc.identity.details")) } dd { (ident.details) }
                }
                p { a href={ "/incidents/" (p.incident_id) } { (t(l, "inc.back")) } }
            };
            let mut res = page(&v, t(l, "inc.identity"), content);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            res
        }
        Err(StoreError::Invalid(d)) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        Err(e) => store_error(l, e),
    }
}

// ─── Vocabulary ──────────────────────────────────────────────────────────────────────────────

async fn vocabulary_page(v: &Viewer, error: Option<String>, status: StatusCode) -> Response {
    let l = v.lang;
    let vocab = match v.access.violation_types().await {
        Ok(x) => x,
        Err(e) => return store_error(l, e),
    };
    let may_edit = v
        .access
        .may(Action::Create, Resource::kind(ResourceKind::ViolationType));
    let content = html! {
        h1 { (t(l, "inc.vocab")) }
        p.muted { (t(l, "inc.vocab.intro")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        table {
            thead { tr { th { (t(l, "inc.vocab.code")) } th { "English" } th { "Nederlands" } th { (t(l, "inc.vocab.state")) } @if may_edit { th {} } } }
            tbody { @for term in &vocab { tr {
                td { code { (term.code) } } td { (term.label_en) } td { (term.label_nl) }
                td { @if term.deprecated { (t(l, "inc.vocab.deprecated")) } @else { (t(l, "inc.vocab.current")) } }
                @if may_edit { td {
                    form.inline method="post" action={ "/incidents/vocabulary/" (term.code) "/deprecate" } {
                        (csrf_field(v))
                        input type="hidden" name="deprecated" value=(if term.deprecated { "0" } else { "1" });
                        button type="submit" { @if term.deprecated { (t(l, "inc.vocab.restore")) } @else { (t(l, "inc.vocab.deprecate")) } }
                    }
                } }
            } } }
        }
        @if may_edit {
            h2 { (t(l, "inc.vocab.add")) }
            form.stack method="post" action="/incidents/vocabulary" {
                (csrf_field(v))
                label for="code" { (t(l, "inc.vocab.code")) } input #code type="text" name="code" required placeholder="attack-on-journalists";
                label for="label_en" { "English" } input #label_en type="text" name="label_en" required;
                label for="label_nl" { "Nederlands" } input #label_nl type="text" name="label_nl" required;
                div.actions { button type="submit" { (t(l, "inc.vocab.add")) } }
            }
        }
    };
    let mut res = page(v, t(l, "inc.vocab"), content);
    *res.status_mut() = status;
    res
}

pub async fn vocabulary(v: Viewer) -> Response {
    vocabulary_page(&v, None, StatusCode::OK).await
}

pub async fn add_term(v: Viewer, form: FormPairs) -> Response {
    match v
        .access
        .add_violation_type(
            &form.text("code"),
            &form.text("label_en"),
            &form.text("label_nl"),
        )
        .await
    {
        Ok(_) => Redirect::to("/incidents/vocabulary").into_response(),
        Err(e) => match form_failure(e) {
            Ok((m, s)) => vocabulary_page(&v, Some(m), s).await,
            Err(e) => store_error(v.lang, e),
        },
    }
}

pub async fn deprecate_term(v: Viewer, Path(code): Path<String>, form: FormPairs) -> Response {
    match v
        .access
        .set_violation_deprecated(&code, form.get("deprecated") != Some("0"))
        .await
    {
        Ok(()) => Redirect::to("/incidents/vocabulary").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

// ─── Import ──────────────────────────────────────────────────────────────────────────────────

/// What an import read, wrote and refused (the first 500 problems), for the form and the job.
fn report_section(l: Lang, r: &IncidentImportReport) -> Markup {
    html! {
        section.report {
            h2 { (t(l, "inc.import.report")) }
            p { (r.rows) " " (t(l, "inc.import.rows")) " · " (r.valid) " " (t(l, "inc.import.valid")) " · " (r.imported) " " (t(l, "inc.import.imported")) " · " (r.unchanged) " " (t(l, "inc.import.unchanged")) }
            @if !r.problems.is_empty() {
                @if r.imported == 0 && r.unchanged == 0 { p.error { (t(l, "inc.import.nothing")) } }
                table {
                    thead { tr { th { (t(l, "inc.import.row")) } th { (t(l, "inc.import.column")) } th { (t(l, "inc.import.value")) } th { (t(l, "inc.import.message")) } } }
                    tbody { @for p in r.problems.iter().take(500) { tr { td { (p.row) } td { (p.column) } td { (p.value) } td { (p.message) } } } }
                }
            }
        }
    }
}

fn import_page(
    v: &Viewer,
    report: Option<&IncidentImportReport>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let comps: Vec<String> = v
        .access
        .subject()
        .compartments
        .iter()
        .map(|c| c.to_string())
        .collect();
    let content = html! {
        h1 { (t(l, "inc.import")) }
        p.muted { (t(l, "inc.import.help")) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        @if let Some(r) = report { (report_section(l, r)) }
        form.stack method="post" action={ "/incidents/import?_csrf=" (url_encode(&v.csrf)) } enctype="multipart/form-data" {
            label for="format" { (t(l, "inc.import.format")) }
            select #format name="format" {
                option value="awsd" { "Aid Worker Security Database (AWSD)" }
                option value="yemen-raids" { "Yemen Data Project — air raids" }
            }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, "confidential"))
            label for="compartment" { (t(l, "labels.compartment")) }
            select #compartment name="compartment" { @for c in &comps { option value=(c) { (c) } } }
            label { input type="checkbox" name="valid_rows_only" value="1"; " " (t(l, "inc.import.validonly")) }
            label for="file" { (t(l, "inc.import.file")) " (" (t(l, "form.required")) ")" }
            input #file type="file" name="file" accept=".csv,text/csv" required;
            div.actions { button type="submit" { (t(l, "inc.import.submit")) } a href="/incidents" { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, t(l, "inc.import"), content);
    *res.status_mut() = status;
    res
}

pub async fn import_form(v: Viewer) -> Response {
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Incident))
        .await
    {
        return store_error(v.lang, e);
    }
    import_page(&v, None, None, StatusCode::OK)
}

pub async fn import(v: Viewer, mut mp: Multipart) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Incident))
        .await
    {
        return store_error(l, e);
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut bytes = Vec::new();
    let mut file_name = String::new();
    loop {
        match mp.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                if name == "file" {
                    file_name = f.file_name().unwrap_or("upload.csv").to_string();
                    match f.bytes().await {
                        Ok(b) => bytes = b.to_vec(),
                        Err(e) => return import_page(&v, None, Some(e.body_text()), e.status()),
                    }
                } else {
                    let text = f.text().await.unwrap_or_default();
                    fields.push((name, text));
                }
            }
            Ok(None) => break,
            Err(e) => return import_page(&v, None, Some(e.body_text()), e.status()),
        }
    }
    let f = FormPairs(fields);
    let Some(format) = ImportFormat::parse(&f.text("format")) else {
        return import_page(
            &v,
            None,
            Some("format: awsd or yemen-raids".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if bytes.is_empty() {
        return import_page(
            &v,
            None,
            Some(t(l, "inc.import.empty").into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match v
        .access
        .start_incident_import(
            format,
            &file_name,
            &bytes,
            &f.text("classification"),
            &f.text("compartment"),
            f.get("valid_rows_only").is_some(),
        )
        .await
    {
        Ok(IncidentImportStart::Refused(r)) => {
            import_page(&v, Some(&r), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Ok(IncidentImportStart::Started(id)) => {
            Redirect::to(&format!("/incidents/imports/{id}")).into_response()
        }
        Err(StoreError::Invalid(d)) => import_page(
            &v,
            None,
            Some(d.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => store_error(l, e),
    }
}

/// An import job: progress while it runs (the page reloads itself every two seconds), the
/// report when it is done.
fn import_job_page(v: &Viewer, j: &IncidentImportJob) -> Response {
    let l = v.lang;
    let content = html! {
        h1 { (t(l, "agr.job.title")) }
        dl.facts {
            dt { (t(l, "inc.import.file")) } dd { (j.file_name) " (" (j.source) ")" }
            dt { (t(l, "labels.compartment")) } dd { (labels_badge(l, &j.labels)) }
            dt { (t(l, "agr.job.by")) } dd { (j.started_by) " · " (fmt_micros(j.started_at)) }
            dt { (t(l, "agr.job.status")) } dd { strong { (crate::modules::agreements::ui::job_status(l, &j.status)) } }
            dt { (t(l, "agr.job.progress")) } dd { progress value=(j.rows_done) max=(j.rows_total.max(1)) {} " " (j.rows_done) " / " (j.rows_total) }
        }
        @if j.status == "running" {
            p { (t(l, "agr.job.refresh")) " " a href={ "/incidents/imports/" (j.id) } { (t(l, "agr.job.reload")) } }
        }
        @if j.status == "interrupted" { p { (t(l, "inc.import.again")) } }
        @if let Some(e) = &j.error { div.error role="alert" { (e) } }
        @if let Some(r) = &j.report { (report_section(l, r)) }
        p { a href="/incidents" { (t(l, "inc.title")) } " · " a href="/incidents/import" { (t(l, "inc.import")) } }
    };
    let mut res = page(v, t(l, "agr.job.title"), content);
    if j.status == "running" {
        res.headers_mut()
            .insert(header::REFRESH, axum::http::HeaderValue::from_static("2"));
    }
    res
}

pub async fn import_job(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.incident_import_job(&id).await {
        Ok(j) => import_job_page(&v, &j),
        Err(e) => store_error(v.lang, e),
    }
}
