//! Trainings: list, detail with participants (one by one and by CSV upload), and the
//! disaggregation by sex and organisation as a table, a server-rendered SVG bar chart and CSV.

use crate::routes::{Routes, get, post};
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::reference;
use grotius_domain::training::{
    Disaggregation, GroupCounts, ORGANISATION_TYPES, PARTICIPANT_SEXES, ParticipantInput,
    SexCounts, Training, TrainingInput,
};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{ImportReport, StoreError, TableFormat};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::{Viewer, url_encode};
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, classification_select, csrf_field, form_failure, labels_badge, may_create, page,
    store_error, term_label, vocab_options,
};

const PAGE: i64 = 50;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/trainings", get(list).post(create))
        .route("/trainings/new", get(new_form))
        .route("/trainings/disaggregation.csv", get(export_all))
        .route("/trainings/{id}", get(show).post(update))
        .route("/trainings/{id}/edit", get(edit_form))
        .route("/trainings/{id}/delete", post(delete))
        .route("/trainings/{id}/participants", post(add_participant))
        .route(
            "/trainings/{id}/import",
            post(import).layer(DefaultBodyLimit::max(
                crate::modules::roster::api::IMPORT_LIMIT,
            )),
        )
        .route("/trainings/{id}/disaggregation.csv", get(export_one))
        .route("/participants/{id}/delete", post(delete_participant));
}

fn pct(c: &SexCounts) -> String {
    c.share_women()
        .map(|s| format!("{s:.1}%"))
        .unwrap_or_else(|| "—".into())
}

/// The disaggregated table: all participants, then by organisation type and organisation.
fn table(l: Lang, d: &Disaggregation) -> Markup {
    let row = |label: String, c: &SexCounts, strong: bool| {
        html! { tr class=[strong.then_some("total")] {
            th scope="row" { (label) }
            td.num { (c.female) } td.num { (c.male) } td.num { (c.other) } td.num { (c.not_recorded) }
            td.num { (c.total()) } td.num { (pct(c)) }
        } }
    };
    let head = |first: &str| {
        html! { thead { tr {
            th scope="col" { (first) }
            @for s in PARTICIPANT_SEXES { th.num scope="col" { (s.label(l.code())) } }
            th.num scope="col" { (t(l, "tr.total")) } th.num scope="col" { (t(l, "tr.share")) }
        } } }
    };
    html! {
        table.disaggregation {
            caption { (t(l, "tr.by-type")) }
            (head(t(l, "tr.org-type")))
            tbody {
                (row(t(l, "tr.all").to_string(), &d.total, true))
                @for g in &d.by_organisation_type { (row(term_label(l, ORGANISATION_TYPES, &g.group), &g.counts, false)) }
            }
        }
        table.disaggregation {
            caption { (t(l, "tr.by-org")) }
            (head(t(l, "tr.organisation")))
            tbody { @for g in &d.by_organisation { (row(g.group.clone(), &g.counts, false)) } }
        }
    }
}

/// A horizontal stacked bar per organisation type (and all), by sex; SVG written here.
fn chart(l: Lang, d: &Disaggregation, id: &str) -> Markup {
    const W: f64 = 720.0;
    const LABEL: f64 = 250.0;
    const BAR: f64 = 22.0;
    const GAP: f64 = 10.0;
    let mut bars: Vec<(String, SexCounts)> = vec![(t(l, "tr.all").to_string(), d.total)];
    bars.extend(
        d.by_organisation_type
            .iter()
            .map(|g: &GroupCounts| (term_label(l, ORGANISATION_TYPES, &g.group), g.counts)),
    );
    let max = bars
        .iter()
        .map(|(_, c)| c.total())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = (W - LABEL - 60.0) / max;
    let h = 40.0 + bars.len() as f64 * (BAR + GAP);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let classes = ["female", "male", "other", "not-recorded"];
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (h) } width="100%" role="img" aria-labelledby={ (title_id) " " (desc_id) } class="bars" {
            title id=(title_id) { (t(l, "tr.chart")) }
            desc id=(desc_id) { (t(l, "tr.chart.desc")) }
            @for (k, s) in PARTICIPANT_SEXES.iter().enumerate() {
                rect x=(format!("{:.0}", LABEL + k as f64 * 110.0)) y="6" width="12" height="12" class={ "sex-" (classes[k]) } {}
                text x=(format!("{:.0}", LABEL + 16.0 + k as f64 * 110.0)) y="17" font-size="12" { (s.label(l.code())) }
            }
            @for (i, (label, c)) in bars.iter().enumerate() {
                @let y = 30.0 + i as f64 * (BAR + GAP);
                g {
                    title { (label) ": " (c.total()) " · " (t(l, "tr.share")) " " (pct(c)) }
                    text x=(format!("{:.0}", LABEL - 8.0)) y=(format!("{:.1}", y + BAR * 0.7)) font-size="12" text-anchor="end" { (label) }
                    @let parts = [c.female, c.male, c.other, c.not_recorded];
                    @for (k, n) in parts.iter().enumerate() {
                        @let x = LABEL + parts[..k].iter().sum::<i64>() as f64 * scale;
                        @if *n > 0 {
                            rect x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(format!("{:.1}", *n as f64 * scale)) height=(BAR) class={ "sex-" (classes[k]) } {}
                        }
                    }
                    text x=(format!("{:.1}", LABEL + c.total() as f64 * scale + 6.0)) y=(format!("{:.1}", y + BAR * 0.7)) font-size="12" { (c.total()) " · " (pct(c)) }
                }
            }
        }
    }
}

pub fn disaggregation_block(l: Lang, d: &Disaggregation, id: &str, csv: &str) -> Markup {
    html! {
        @if d.total.total() == 0 { p { (t(l, "tr.no-participants")) } } @else {
            (chart(l, d, id))
            (table(l, d))
        }
        p { a href=(csv) download { (t(l, "tr.csv")) } " · " span.muted { (t(l, "tr.share.note")) } }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    offset: Option<i64>,
}

pub async fn list(v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let l = v.lang;
    let offset = q.offset.unwrap_or(0).max(0);
    let data = match v.access.list_trainings(PAGE, offset).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let d = match v.access.training_disaggregation(None).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        h1 { (t(l, "tr.title")) }
        @if may_create(&v, ResourceKind::Training) { p { a.button href="/trainings/new" { (t(l, "tr.new")) } } }
        @if data.items.is_empty() { p { (t(l, "tr.none")) } } @else {
            table {
                thead { tr { th { (t(l, "tr.name")) } th { (t(l, "tr.dates")) } th { (t(l, "tr.place")) } th { (t(l, "tr.organiser")) } th.num { (t(l, "tr.participants")) } th { (t(l, "labels.classification")) } } }
                tbody { @for tr in &data.items { tr {
                    td { a href={ "/trainings/" (tr.id) } { (tr.title) } }
                    td { (dates(tr)) }
                    td { (place(l, tr)) }
                    td { (tr.organiser) }
                    td.num { (tr.participant_count) }
                    td { (labels_badge(l, &tr.labels)) }
                } } }
            }
        }
        div.pager {
            @if offset > 0 { a href={ "/trainings?offset=" ((offset - PAGE).max(0)) } rel="prev" { (t(l, "pager.prev")) } }
            span { (offset + 1) "–" (offset + data.items.len() as i64) " " (t(l, "pager.of")) " " (data.total) }
            @if offset + PAGE < data.total { a href={ "/trainings?offset=" (offset + PAGE) } rel="next" { (t(l, "pager.next")) } }
        }
        h2 { (t(l, "tr.across")) " (" (d.trainings) ")" }
        (disaggregation_block(l, &d, "all-trainings", "/trainings/disaggregation.csv"))
    };
    page(&v, t(l, "tr.title"), content)
}

fn dates(t: &Training) -> String {
    match &t.ends_on {
        Some(e) if *e != t.starts_on => format!("{} – {e}", t.starts_on),
        _ => t.starts_on.clone(),
    }
}

fn place(l: Lang, tr: &Training) -> String {
    match (tr.place.is_empty(), tr.remote) {
        (true, _) => t(l, "tr.remote").to_string(),
        (false, true) => format!("{} + {}", tr.place, t(l, "tr.remote")),
        (false, false) => tr.place.clone(),
    }
}

pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let tr = match v.access.get_training(&id).await {
        Ok(t) => t,
        Err(e) => return store_error(l, e),
    };
    let participants = match v.access.list_participants(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let d = match v.access.training_disaggregation(Some(&id)).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    detail_page(&v, &tr, &participants, &d, None, None, StatusCode::OK).await
}

async fn detail_page(
    v: &Viewer,
    tr: &Training,
    participants: &[grotius_domain::training::Participant],
    d: &Disaggregation,
    error: Option<String>,
    report: Option<&ImportReport>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Training, &tr.labels),
    );
    let may_delete = v.access.may(
        Action::Delete,
        Resource::labelled(ResourceKind::Training, &tr.labels),
    );
    let mut processes = Vec::new();
    for p in &tr.process_ids {
        if let Ok(p) = v.access.get_process(p).await {
            processes.push(p);
        }
    }
    let import_action = format!("/trainings/{}/import?_csrf={}", tr.id, url_encode(&v.csrf));
    let content = html! {
        h1 { (tr.title) " " (labels_badge(l, &tr.labels)) }
        dl.facts {
            dt { (t(l, "tr.dates")) } dd { (dates(tr)) }
            dt { (t(l, "tr.place")) } dd { (place(l, tr)) }
            dt { (t(l, "tr.organiser")) } dd { (tr.organiser) }
            dt { (t(l, "proc.themes")) } dd { (tr.themes.iter().map(|c| term_label(l, reference::THEMES, c)).collect::<Vec<_>>().join(", ")) }
            @if !processes.is_empty() {
                dt { (t(l, "tr.processes")) }
                dd { ul.plain { @for p in &processes { li { a href={ "/processes/" (p.id) } { (p.display_name()) } } } } }
            }
        }
        div.actions {
            @if may_edit { a.button href={ "/trainings/" (tr.id) "/edit" } { (t(l, "tr.edit")) } }
            a href="/trainings" { (t(l, "tr.title")) }
            @if may_delete {
                form.inline method="post" action={ "/trainings/" (tr.id) "/delete" } {
                    (csrf_field(v)) button.danger type="submit" { (t(l, "tr.delete")) }
                }
            }
        }
        h2 { (t(l, "tr.disaggregation")) }
        (disaggregation_block(l, d, "training", &format!("/trainings/{}/disaggregation.csv", tr.id)))
        h2 #participants { (t(l, "tr.participants")) " (" (participants.len()) ")" }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        @if let Some(r) = report {
            div class=(if r.committed() { "notice" } else { "error" }) role="alert" {
                (t(l, "roster.import.rows")) ": " (r.rows) " · " (t(l, "roster.import.imported")) ": " (r.imported)
                @if !r.committed() { " — " (t(l, "roster.import.nothing")) }
            }
            @if !r.errors.is_empty() {
                table {
                    thead { tr { th { (t(l, "roster.import.row")) } th { (t(l, "roster.import.column")) } th { (t(l, "roster.import.value")) } th { (t(l, "roster.import.problem")) } } }
                    tbody { @for p in &r.errors { tr { td { (p.row) } td { code { (p.column) } } td { (p.value) } td { (p.message) } } } }
                }
            }
        }
        @if participants.is_empty() { p { (t(l, "tr.no-participants")) } } @else {
            table {
                thead { tr { th { (t(l, "tr.p.name")) } th { (t(l, "tr.p.sex")) } th { (t(l, "tr.organisation")) } th { (t(l, "tr.org-type")) } th { (t(l, "tr.p.country")) } @if may_edit { th { span.muted { "—" } } } } }
                tbody { @for p in participants { tr {
                    td { @if p.name.is_empty() { span.muted { "—" } } @else { (p.name) } }
                    td { (term_label(l, PARTICIPANT_SEXES, &p.sex)) }
                    td { (p.organisation) }
                    td { (term_label(l, ORGANISATION_TYPES, &p.organisation_type)) }
                    td { (p.country) }
                    @if may_edit { td {
                        form.inline method="post" action={ "/participants/" (p.id) "/delete" } {
                            (csrf_field(v)) button.secondary type="submit" { (t(l, "tr.p.remove")) }
                        }
                    } }
                } } }
            }
        }
        @if may_edit {
            details { summary { (t(l, "tr.p.add")) }
                form.stack method="post" action={ "/trainings/" (tr.id) "/participants" } {
                    (csrf_field(v))
                    label for="p-name" { (t(l, "tr.p.name")) } input #p-name type="text" name="name" maxlength="200";
                    label for="p-sex" { (t(l, "tr.p.sex")) } select #p-sex name="sex" { (vocab_options(l, PARTICIPANT_SEXES, "not-recorded", false)) }
                    label for="p-org" { (t(l, "tr.organisation")) } input #p-org type="text" name="organisation" required maxlength="200";
                    label for="p-type" { (t(l, "tr.org-type")) } select #p-type name="organisation_type" { (vocab_options(l, ORGANISATION_TYPES, "civil-society", false)) }
                    label for="p-country" { (t(l, "tr.p.country")) } input #p-country type="text" name="country" size="4";
                    div.actions { button type="submit" { (t(l, "tr.p.add")) } }
                }
            }
            details { summary { (t(l, "tr.import")) }
                p { (t(l, "tr.import.help")) }
                form.stack method="post" action=(import_action) enctype="multipart/form-data" {
                    label for="file" { (t(l, "roster.import.file")) }
                    input #file type="file" name="file" accept=".csv,.xlsx,text/csv" required;
                    div.actions { button type="submit" { (t(l, "roster.import.submit")) } }
                }
            }
        }
    };
    let mut res = page(v, &tr.title, content);
    *res.status_mut() = status;
    res
}

async fn reload(
    v: &Viewer,
    id: &str,
    error: Option<String>,
    report: Option<&ImportReport>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let loaded = async {
        let tr = v.access.get_training(id).await?;
        let ps = v.access.list_participants(id).await?;
        let d = v.access.training_disaggregation(Some(id)).await?;
        Ok::<_, StoreError>((tr, ps, d))
    }
    .await;
    match loaded {
        Ok((tr, ps, d)) => detail_page(v, &tr, &ps, &d, error, report, status).await,
        Err(e) => store_error(l, e),
    }
}

pub async fn add_participant(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = ParticipantInput {
        name: form.text("name"),
        sex: form.text("sex"),
        organisation: form.text("organisation"),
        organisation_type: form.text("organisation_type"),
        country: form.text("country"),
    };
    match v.access.add_participant(&id, &input).await {
        Ok(_) => Redirect::to(&format!("/trainings/{id}#participants")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => reload(&v, &id, Some(msg), None, status).await,
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete_participant(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_participant(&id).await {
        Ok(training) => {
            Redirect::to(&format!("/trainings/{training}#participants")).into_response()
        }
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn import(v: Viewer, Path(id): Path<String>, req: axum::extract::Request) -> Response {
    let l = v.lang;
    // Not found / not allowed before reading the upload.
    match v.access.get_training(&id).await {
        Ok(tr) => {
            if let Err(e) = v
                .access
                .check(
                    Action::Update,
                    Resource::labelled(ResourceKind::Training, &tr.labels),
                )
                .await
            {
                return store_error(l, e);
            }
        }
        Err(e) => return store_error(l, e),
    }
    let (name, bytes, _) = match crate::modules::roster::api::read_upload(req).await {
        Ok(x) => x,
        Err(e) => return reload(&v, &id, Some(e.message), None, e.status).await,
    };
    let format = TableFormat::detect(name.as_deref(), &bytes);
    match v.access.import_participants(&id, &bytes, format).await {
        Ok(r) => {
            let status = if r.committed() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            reload(&v, &id, None, Some(&r), status).await
        }
        Err(StoreError::Invalid(d)) => {
            reload(
                &v,
                &id,
                Some(d.to_string()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => store_error(l, e),
    }
}

pub async fn export_one(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.export_disaggregation(Some(&id)).await {
        Ok(bytes) => {
            crate::modules::lessons::api::csv_download(bytes, "training-participants-disaggregated")
        }
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn export_all(v: Viewer) -> Response {
    match v.access.export_disaggregation(None).await {
        Ok(bytes) => {
            crate::modules::lessons::api::csv_download(bytes, "participants-disaggregated")
        }
        Err(e) => store_error(v.lang, e),
    }
}

fn input_from(tr: &Training) -> TrainingInput {
    TrainingInput {
        title: tr.title.clone(),
        starts_on: tr.starts_on.clone(),
        ends_on: tr.ends_on.clone().unwrap_or_default(),
        place: tr.place.clone(),
        remote: tr.remote,
        organiser: tr.organiser.clone(),
        themes: tr.themes.clone(),
        process_ids: tr.process_ids.clone(),
        classification: tr.labels.classification.as_str().into(),
        compartment: tr.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

fn input_from_form(f: &FormPairs) -> TrainingInput {
    TrainingInput {
        title: f.text("title"),
        starts_on: f.text("starts_on"),
        ends_on: f.text("ends_on"),
        place: f.text("place"),
        remote: f.get("remote").is_some(),
        organiser: f.text("organiser"),
        themes: f.all("themes"),
        process_ids: f.all("process_ids"),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

async fn form_page(
    v: &Viewer,
    action: &str,
    title: &str,
    input: &TrainingInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let processes = v
        .access
        .list_processes(&Default::default(), 500, 0)
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    let compartments = v.access.list_compartments().await.unwrap_or_default();
    let member_of: Vec<_> = compartments
        .iter()
        .filter(|c| {
            v.access
                .subject()
                .compartments
                .iter()
                .any(|m| m.as_str() == c.id)
        })
        .collect();
    let content = html! {
        h1 { (title) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack method="post" action=(action) {
            (csrf_field(v))
            label for="title" { (t(l, "tr.name")) " (" (t(l, "form.required")) ")" }
            input #title type="text" name="title" value=(input.title) required maxlength="200";
            label for="starts_on" { (t(l, "tr.starts")) }
            input #starts_on type="date" name="starts_on" value=(input.starts_on) required;
            label for="ends_on" { (t(l, "tr.ends")) }
            input #ends_on type="date" name="ends_on" value=(input.ends_on);
            label for="place" { (t(l, "tr.place")) }
            input #place type="text" name="place" value=(input.place) maxlength="200";
            label { input type="checkbox" name="remote" value="1" checked[input.remote]; " " (t(l, "tr.remote")) }
            label for="organiser" { (t(l, "tr.organiser")) }
            input #organiser type="text" name="organiser" value=(input.organiser) required maxlength="200";
            fieldset { legend { (t(l, "proc.themes")) }
                @for th in reference::THEMES {
                    label { input type="checkbox" name="themes" value=(th.code) checked[input.themes.iter().any(|x| x == th.code)]; " " (th.label(l.code())) }
                }
            }
            @if !processes.is_empty() {
                label for="process_ids" { (t(l, "tr.processes")) }
                select #process_ids name="process_ids" multiple size="6" {
                    @for p in &processes { option value=(p.id) selected[input.process_ids.contains(&p.id)] { (p.display_name()) } }
                }
            }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            label for="compartment" { (t(l, "labels.compartment")) }
            select #compartment name="compartment" {
                option value="" { (t(l, "labels.no-compartment")) }
                @for c in &member_of { option value=(c.id) selected[input.compartment.as_deref() == Some(c.id.as_str())] { (c.name) " (" (c.id) ")" } }
            }
            div.actions { button type="submit" { (t(l, "form.save")) } a href="/trainings" { (t(l, "form.cancel")) } }
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
        .check(Action::Create, Resource::kind(ResourceKind::Training))
        .await
    {
        return store_error(l, e);
    }
    let input = TrainingInput {
        classification: "internal".into(),
        ..Default::default()
    };
    form_page(
        &v,
        "/trainings",
        t(l, "tr.new"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_training(&input).await {
        Ok(tr) => Redirect::to(&format!("/trainings/{}", tr.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(&v, "/trainings", t(l, "tr.new"), &input, Some(msg), status).await
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let tr = match v.access.get_training(&id).await {
        Ok(t) => t,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Training, &tr.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    form_page(
        &v,
        &format!("/trainings/{id}"),
        t(l, "tr.edit"),
        &input_from(&tr),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_training(&id, &input).await {
        Ok(tr) => Redirect::to(&format!("/trainings/{}", tr.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                form_page(
                    &v,
                    &format!("/trainings/{id}"),
                    t(l, "tr.edit"),
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

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_training(&id).await {
        Ok(()) => Redirect::to("/trainings").into_response(),
        Err(e) => store_error(v.lang, e),
    }
}
