//! Lessons: debriefs of a process laid out as the Swiss FDFA lessons template (a printable
//! page), the debriefs section of a process page, and the lessons search across engagements.

use crate::routes::{Routes, get, post};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::lessons::{
    DEBRIEF_MOMENTS, Debrief, DebriefInput, FollowUp, LessonFilters, regions,
};
use grotius_domain::process::Process;
use grotius_domain::reference;
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::StoreError;
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::i18n::{Lang, t};
use crate::ui::{
    FormPairs, classification_select, csrf_field, form_failure, labels_badge, page, store_error,
    term_label, vocab_options,
};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/lessons", get(search))
        .route("/processes/{id}/debriefs", post(create))
        .route("/processes/{id}/debriefs/new", get(new_form))
        .route("/debriefs/{id}", get(show).post(update))
        .route("/debriefs/{id}/edit", get(edit_form))
        .route("/debriefs/{id}/delete", post(delete));
}

/// The FDFA template's sections: (field, label key, help key).
const SECTIONS: &[(&str, &str, &str)] = &[
    ("background", "les.background", "les.background.help"),
    ("entry_points", "les.entry", "les.entry.help"),
    ("process_design", "les.design", "les.design.help"),
    ("key_lessons", "les.lessons", "les.lessons.help"),
];

/// The label of a searchable field.
fn field_label(l: Lang, field: &str) -> &'static str {
    match field {
        "case" => t(l, "les.case"),
        "background" => t(l, "les.background"),
        "entry_points" => t(l, "les.entry"),
        "process_design" => t(l, "les.design"),
        "key_lessons" => t(l, "les.lessons"),
        "other_parties" => t(l, "les.parties"),
        "follow_up" => t(l, "les.followup"),
        _ => t(l, "les.author"),
    }
}

fn section_text(d: &Debrief, field: &str) -> String {
    match field {
        "background" => d.background.clone(),
        "entry_points" => d.entry_points.clone(),
        "process_design" => d.process_design.clone(),
        _ => d.key_lessons.clone(),
    }
}

fn input_section<'a>(i: &'a DebriefInput, field: &str) -> &'a str {
    match field {
        "background" => &i.background,
        "entry_points" => &i.entry_points,
        "process_design" => &i.process_design,
        _ => &i.key_lessons,
    }
}

/// Paragraphs of a free text (blank lines separate them).
fn paragraphs(text: &str) -> Markup {
    html! {
        @for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p { @for (i, line) in para.lines().enumerate() { @if i > 0 { br; } (line) } }
        }
    }
}

/// The debriefs section of a process page: nothing for those who may not read debriefs.
pub async fn process_section(v: &Viewer, p: &Process) -> Result<Markup, StoreError> {
    let l = v.lang;
    if !v
        .access
        .may(Action::Read, Resource::kind(ResourceKind::Debrief))
    {
        return Ok(html! {});
    }
    let debriefs = v.access.list_debriefs(&p.id).await?;
    let may_add = v.access.may(
        Action::Create,
        Resource::labelled(ResourceKind::Debrief, &p.labels),
    );
    Ok(html! {
        h2 #debriefs { (t(l, "les.section")) }
        @if debriefs.is_empty() { p { (t(l, "les.none")) } } @else {
            table {
                thead { tr { th { (t(l, "les.date")) } th { (t(l, "les.moment")) } th { (t(l, "les.case")) } th { (t(l, "les.author")) } th { (t(l, "labels.classification")) } } }
                tbody { @for d in &debriefs { tr {
                    td { (d.date) }
                    td { (term_label(l, DEBRIEF_MOMENTS, &d.moment)) }
                    td { a href={ "/debriefs/" (d.id) } { (d.case_title) } }
                    td { (d.author) }
                    td { (labels_badge(l, &d.labels)) }
                } } }
            }
        }
        p.actions {
            @if may_add { a.button href={ "/processes/" (p.id) "/debriefs/new" } { (t(l, "les.new")) } }
            a href="/lessons" { (t(l, "les.search.title")) }
        }
    })
}

fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn input_from(d: &Debrief) -> DebriefInput {
    DebriefInput {
        engagement_id: d.engagement_id.clone(),
        moment: d.moment.clone(),
        date: d.date.clone(),
        author: d.author.clone(),
        case_title: d.case_title.clone(),
        dutch_role: d.dutch_role.clone(),
        started_on: d.started_on.clone(),
        ended_on: d.ended_on.clone().unwrap_or_default(),
        parties: d.parties.clone(),
        other_parties: d.other_parties.clone(),
        background: d.background.clone(),
        entry_points: d.entry_points.clone(),
        process_design: d.process_design.clone(),
        key_lessons: d.key_lessons.clone(),
        follow_up: d.follow_up.clone(),
        themes: d.themes.clone(),
        classification: d.labels.classification.as_str().into(),
        compartment: d.labels.compartment.as_ref().map(|c| c.to_string()),
    }
}

fn input_from_form(f: &FormPairs) -> DebriefInput {
    let (who, what, by) = (f.all("fu_who"), f.all("fu_what"), f.all("fu_by"));
    let follow_up = (0..who.len().max(what.len()).max(by.len()))
        .map(|i| FollowUp {
            who: who.get(i).cloned().unwrap_or_default(),
            what: what.get(i).cloned().unwrap_or_default(),
            by: by.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    DebriefInput {
        engagement_id: f.get("engagement_id").map(str::to_string),
        moment: f.text("moment"),
        date: f.text("date"),
        author: f.text("author"),
        case_title: f.text("case_title"),
        dutch_role: f.text("dutch_role"),
        started_on: f.text("started_on"),
        ended_on: f.text("ended_on"),
        parties: f.all("parties"),
        other_parties: f.text("other_parties"),
        background: f.text("background"),
        entry_points: f.text("entry_points"),
        process_design: f.text("process_design"),
        key_lessons: f.text("key_lessons"),
        follow_up,
        themes: f.all("themes"),
        classification: f.text("classification"),
        compartment: f.get("compartment").map(str::to_string),
    }
}

/// The form, laid out as the FDFA template.
async fn form_page(
    v: &Viewer,
    p: &Process,
    action: &str,
    title: &str,
    input: &DebriefInput,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = v.lang;
    let entries = v.access.list_engagements(&p.id).await.unwrap_or_default();
    let blanks = 3usize.saturating_sub(input.follow_up.len()).max(1);
    let content = html! {
        h1 { (title) }
        p.muted { (t(l, "les.for")) " " a href={ "/processes/" (p.id) } { (p.display_name()) } " " (labels_badge(l, &p.labels)) }
        @if let Some(e) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        form.stack.fdfa method="post" action=(action) {
            (csrf_field(v))
            fieldset { legend { "1. " (t(l, "les.case")) }
                label for="case_title" { (t(l, "les.case")) " (" (t(l, "form.required")) ")" }
                input #case_title type="text" name="case_title" value=(input.case_title) required maxlength="200";
                label for="moment" { (t(l, "les.moment")) }
                select #moment name="moment" { (vocab_options(l, DEBRIEF_MOMENTS, &input.moment, false)) }
                label for="date" { (t(l, "les.date")) }
                input #date type="date" name="date" value=(input.date) required;
                label for="author" { (t(l, "les.author")) }
                input #author type="text" name="author" value=(input.author) maxlength="120";
                @if !entries.is_empty() {
                    label for="engagement_id" { (t(l, "les.engagement")) }
                    select #engagement_id name="engagement_id" {
                        option value="" { (t(l, "les.engagement.none")) }
                        @for e in &entries {
                            option value=(e.id) selected[input.engagement_id.as_deref() == Some(e.id.as_str())] { (e.date) " · " (e.summary.chars().take(60).collect::<String>()) }
                        }
                    }
                }
            }
            fieldset { legend { "2. " (t(l, "proc.role")) }
                select #dutch_role name="dutch_role" aria-label=(t(l, "proc.role")) { (vocab_options(l, reference::DUTCH_ROLES, &input.dutch_role, false)) }
            }
            fieldset { legend { "3. " (t(l, "les.duration")) }
                label for="started_on" { (t(l, "les.started")) }
                input #started_on type="date" name="started_on" value=(input.started_on) required;
                label for="ended_on" { (t(l, "les.ended")) }
                input #ended_on type="date" name="ended_on" value=(input.ended_on);
            }
            fieldset { legend { "4. " (t(l, "les.parties")) }
                @for e in &p.engaged {
                    label { input type="checkbox" name="parties" value=(e.party) checked[input.parties.contains(&e.party)]; " " (e.party) " (" (term_label(l, reference::DUTCH_ROLES, &e.role)) ")" }
                }
                label for="other_parties" { (t(l, "les.parties.other")) }
                textarea #other_parties name="other_parties" { (input.other_parties) }
            }
            @for (i, (field, label, help)) in SECTIONS.iter().enumerate() {
                fieldset { legend { (i + 5) ". " (t(l, label)) }
                    p.muted { (t(l, help)) }
                    textarea id=(field) name=(field) aria-label=(t(l, label)) required[*field == "key_lessons"] { (input_section(input, field)) }
                }
            }
            fieldset { legend { "9. " (t(l, "les.followup")) }
                table.followup {
                    thead { tr { th { (t(l, "les.fu.who")) } th { (t(l, "les.fu.what")) } th { (t(l, "les.fu.by")) } } }
                    tbody {
                        @for f in &input.follow_up {
                            tr { td { input type="text" name="fu_who" value=(f.who) aria-label=(t(l, "les.fu.who")); } td { input type="text" name="fu_what" value=(f.what) aria-label=(t(l, "les.fu.what")); } td { input type="date" name="fu_by" value=(f.by) aria-label=(t(l, "les.fu.by")); } }
                        }
                        @for _ in 0..blanks {
                            tr { td { input type="text" name="fu_who" aria-label=(t(l, "les.fu.who")); } td { input type="text" name="fu_what" aria-label=(t(l, "les.fu.what")); } td { input type="date" name="fu_by" aria-label=(t(l, "les.fu.by")); } }
                        }
                    }
                }
            }
            fieldset { legend { (t(l, "proc.themes")) }
                @for th in reference::THEMES {
                    label { input type="checkbox" name="themes" value=(th.code) checked[input.themes.iter().any(|x| x == th.code)]; " " (th.label(l.code())) }
                }
            }
            p.muted { (t(l, "les.labels")) }
            label for="classification" { (t(l, "labels.classification")) }
            (classification_select(l, v.access.subject().clearance, &input.classification))
            input type="hidden" name="compartment" value=(input.compartment.clone().unwrap_or_default());
            div.actions { button type="submit" { (t(l, "form.save")) } a href={ "/processes/" (p.id) "#debriefs" } { (t(l, "form.cancel")) } }
        }
    };
    let mut res = page(v, title, content);
    *res.status_mut() = status;
    res
}

pub async fn new_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let p = match v.access.get_process(&id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Create,
            Resource::labelled(ResourceKind::Debrief, &p.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let input = DebriefInput {
        moment: "turning-point".into(),
        date: today(),
        author: v.access.subject().username.clone(),
        case_title: p.display_name().to_string(),
        dutch_role: p.dutch_role.clone(),
        themes: p.themes.clone(),
        classification: p.labels.classification.as_str().into(),
        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
        ..Default::default()
    };
    form_page(
        &v,
        &p,
        &format!("/processes/{id}/debriefs"),
        t(l, "les.new"),
        &input,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.create_debrief(&id, &input).await {
        Ok(d) => Redirect::to(&format!("/debriefs/{}", d.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => match v.access.get_process(&id).await {
                Ok(p) => {
                    form_page(
                        &v,
                        &p,
                        &format!("/processes/{id}/debriefs"),
                        t(l, "les.new"),
                        &input,
                        Some(msg),
                        status,
                    )
                    .await
                }
                Err(e) => store_error(l, e),
            },
            Err(e) => store_error(l, e),
        },
    }
}

/// A debrief as the FDFA template, printable (the print stylesheet drops the navigation).
pub async fn show(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let d = match v.access.get_debrief(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let p = match v.access.get_process(&d.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    let engagement = match &d.engagement_id {
        Some(e) => v
            .access
            .list_engagements(&p.id)
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|x| x.id == *e),
        None => None,
    };
    let may_edit = v.access.may(
        Action::Update,
        Resource::labelled(ResourceKind::Debrief, &d.labels),
    );
    let may_delete = v.access.may(
        Action::Delete,
        Resource::labelled(ResourceKind::Debrief, &d.labels),
    );
    let content = html! {
        article.fdfa {
            p.print-labels { (labels_badge(l, &d.labels)) }
            h1 { (t(l, "les.template")) ": " (d.case_title) }
            table.fdfa-grid {
                tbody {
                    tr { th scope="row" { "1. " (t(l, "les.case")) } td { (d.case_title) " — " a href={ "/processes/" (p.id) } { (p.display_name()) } } }
                    tr { th scope="row" { (t(l, "les.moment")) } td { (term_label(l, DEBRIEF_MOMENTS, &d.moment)) " · " (d.date) " · " (t(l, "les.author")) ": " (d.author) } }
                    @if let Some(e) = &engagement {
                        tr { th scope="row" { (t(l, "les.engagement")) } td { (e.date) " · " (e.summary) } }
                    }
                    tr { th scope="row" { "2. " (t(l, "proc.role")) } td { (term_label(l, reference::DUTCH_ROLES, &d.dutch_role)) } }
                    tr { th scope="row" { "3. " (t(l, "les.duration")) } td { (d.started_on) " – " (d.ended_on.clone().unwrap_or_else(|| t(l, "les.ongoing").to_string())) } }
                    tr { th scope="row" { "4. " (t(l, "les.parties")) } td {
                        @if !d.parties.is_empty() { ul.plain { @for party in &d.parties {
                            li { (party) @if let Some(e) = p.engaged.iter().find(|e| e.party == *party) { " (" (term_label(l, reference::DUTCH_ROLES, &e.role)) ")" } }
                        } } }
                        (paragraphs(&d.other_parties))
                    } }
                    @for (i, (field, label, _)) in SECTIONS.iter().enumerate() {
                        tr { th scope="row" { (i + 5) ". " (t(l, label)) } td { (paragraphs(&section_text(&d, field))) } }
                    }
                    tr { th scope="row" { "9. " (t(l, "les.followup")) } td {
                        @if d.follow_up.is_empty() { "—" } @else {
                            table.followup {
                                thead { tr { th { (t(l, "les.fu.who")) } th { (t(l, "les.fu.what")) } th { (t(l, "les.fu.by")) } } }
                                tbody { @for f in &d.follow_up { tr { td { (f.who) } td { (f.what) } td { (f.by) } } } }
                            }
                        }
                    } }
                    tr { th scope="row" { (t(l, "proc.themes")) } td { (d.themes.iter().map(|c| term_label(l, reference::THEMES, c)).collect::<Vec<_>>().join(", ")) } }
                }
            }
        }
        p.muted.no-print { (t(l, "les.print")) }
        div.actions.no-print {
            @if may_edit { a.button href={ "/debriefs/" (d.id) "/edit" } { (t(l, "les.edit")) } }
            a href={ "/processes/" (p.id) "#debriefs" } { (t(l, "les.back")) }
            @if may_delete {
                form.inline method="post" action={ "/debriefs/" (d.id) "/delete" } {
                    (csrf_field(&v)) button.danger type="submit" { (t(l, "les.delete")) }
                }
            }
        }
    };
    page(&v, &d.case_title, content)
}

pub async fn edit_form(v: Viewer, Path(id): Path<String>) -> Response {
    let l = v.lang;
    let d = match v.access.get_debrief(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Debrief, &d.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let p = match v.access.get_process(&d.process_id).await {
        Ok(p) => p,
        Err(e) => return store_error(l, e),
    };
    form_page(
        &v,
        &p,
        &format!("/debriefs/{id}"),
        t(l, "les.edit"),
        &input_from(&d),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let input = input_from_form(&form);
    match v.access.update_debrief(&id, &input).await {
        Ok(d) => Redirect::to(&format!("/debriefs/{}", d.id)).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => {
                let p = match v.access.get_debrief(&id).await {
                    Ok(d) => v.access.get_process(&d.process_id).await,
                    Err(e) => Err(e),
                };
                match p {
                    Ok(p) => {
                        form_page(
                            &v,
                            &p,
                            &format!("/debriefs/{id}"),
                            t(l, "les.edit"),
                            &input,
                            Some(msg),
                            status,
                        )
                        .await
                    }
                    Err(e) => store_error(l, e),
                }
            }
            Err(e) => store_error(l, e),
        },
    }
}

pub async fn delete(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.delete_debrief(&id).await {
        Ok(process) => Redirect::to(&format!("/processes/{process}#debriefs")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    dutch_role: Option<String>,
    theme: Option<String>,
    region: Option<String>,
    moment: Option<String>,
    year: Option<String>,
}

/// The lessons search across engagements: only debriefs the viewer may read take part.
pub async fn search(v: Viewer, Query(q): Query<SearchQuery>) -> Response {
    let l = v.lang;
    let year_text = q.year.clone().unwrap_or_default();
    let year = match year_text.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(y) => Some(y),
            Err(_) => {
                return crate::ui::error_page(
                    l,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "year is invalid: write a year such as 2026",
                );
            }
        },
    };
    let filters = LessonFilters {
        dutch_role: q.dutch_role.clone(),
        theme: q.theme.clone(),
        region: q.region.clone(),
        moment: q.moment.clone(),
        year,
    };
    let query = q.q.clone().unwrap_or_default();
    let results = match v.access.search_debriefs(&query, &filters).await {
        Ok(r) => r,
        Err(StoreError::Invalid(e)) => {
            return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string());
        }
        Err(e) => return store_error(l, e),
    };
    let region = q.region.clone().unwrap_or_default();
    let content = html! {
        h1 { (t(l, "les.search.title")) }
        p.muted { (t(l, "les.search.help")) }
        form.filters method="get" action="/lessons" role="search" {
            label for="q" { (t(l, "les.search.q")) input #q type="search" name="q" size="40" value=(query); }
            label for="dutch_role" { (t(l, "proc.role")) select #dutch_role name="dutch_role" { (vocab_options(l, reference::DUTCH_ROLES, q.dutch_role.as_deref().unwrap_or(""), true)) } }
            label for="theme" { (t(l, "proc.themes")) select #theme name="theme" { (vocab_options(l, reference::THEMES, q.theme.as_deref().unwrap_or(""), true)) } }
            label for="region" { (t(l, "les.region")) select #region name="region" {
                option value="" { (t(l, "proc.any")) }
                @for r in regions() { option value=(r) selected[*r == region] { (r) } }
            } }
            label for="moment" { (t(l, "les.moment")) select #moment name="moment" { (vocab_options(l, DEBRIEF_MOMENTS, q.moment.as_deref().unwrap_or(""), true)) } }
            label for="year" { (t(l, "les.year")) input #year type="number" name="year" min="1900" max="2200" value=(year_text); }
            button type="submit" { (t(l, "proc.search")) }
        }
        p { strong { (results.total) } " " (t(l, "les.search.found")) }
        @if results.hits.is_empty() { p { (t(l, "les.search.none")) } } @else {
            ol.lesson-hits { @for h in &results.hits { li {
                h2 { a href={ "/debriefs/" (h.debrief_id) } { (h.case_title) } " " (labels_badge(l, &h.labels)) }
                p.muted {
                    a href={ "/processes/" (h.process_id) } { (h.process_name) } " · " (term_label(l, DEBRIEF_MOMENTS, &h.moment)) " · " (h.date)
                    " · " (term_label(l, reference::DUTCH_ROLES, &h.dutch_role))
                }
                p.snippet { span.field { (field_label(l, &h.field)) ": " } (h.snippet.before) mark { (h.snippet.hit) } (h.snippet.after) }
            } } }
        }
    };
    page(&v, t(l, "les.search.title"), content)
}
