//! Running a conversation, the team's pages: create one (process, topic, description,
//! languages, opening and closing time, moderation mode, labels, seed statements), open and
//! close it, add statements, recompute the groups, and the moderation queue.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use grotius_domain::dialogue::{ModerationMode, NewDialogue, PARTICIPANT_LANGUAGES};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_store::{ModerationDecision, StoreError};
use maud::html;

use crate::auth::Viewer;
use crate::i18n::t;
use crate::routes::{Routes, get, post};
use crate::ui::{
    FormPairs, classification_select, csrf_field, fmt_micros, form_failure, page,
    parse_date_micros, store_error,
};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/dialogues/new", get(new_form))
        .route("/dialogues", post(create))
        .route("/dialogues/{id}/status", post(set_status))
        .route("/dialogues/{id}/statements", post(add_statement))
        .route("/dialogues/{id}/recompute", post(recompute))
        .route("/dialogues/{id}/moderation", get(queue_page).post(moderate))
        .route("/dialogues/{id}/export/{file}", get(export))
        .route(
            "/dialogues/{id}/statements/{number}/translation",
            post(translate),
        )
        .route("/dialogues/{id}/invitations", post(invite))
        .route(
            "/dialogues/{id}/paper-round",
            post(paper_round).layer(axum::extract::DefaultBodyLimit::max(
                crate::modules::roster::api::IMPORT_LIMIT,
            )),
        );
}

/// A paper round typed into a spreadsheet (multipart field `file`): the results page again,
/// with the counts, or with the problems beside the field (422, nothing written).
pub async fn paper_round(
    v: Viewer,
    Path(id): Path<String>,
    mut mp: axum::extract::Multipart,
) -> Response {
    use super::ui::{PaperOutcome, results};
    let l = v.lang;
    // Refused before the file is read for those who may not update the conversation.
    let d = match v.access.get_dialogue(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    if let Err(e) = v
        .access
        .check(
            Action::Update,
            Resource::labelled(ResourceKind::Dialogue, &d.labels),
        )
        .await
    {
        return store_error(l, e);
    }
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(f)) if f.name() == Some("file") => {
                let name = f.file_name().unwrap_or("paper-round.csv").to_string();
                match f.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        return results(
                            &v,
                            &id,
                            Some(PaperOutcome::Refused(e.body_text())),
                            e.status(),
                        )
                        .await;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                return results(
                    &v,
                    &id,
                    Some(PaperOutcome::Refused(e.body_text())),
                    e.status(),
                )
                .await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let msg = StoreError::invalid("file", "choose a CSV or XLSX file").to_string();
        return results(
            &v,
            &id,
            Some(PaperOutcome::Refused(msg)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match v.access.import_paper_round(&id, &bytes, &name).await {
        Ok(report) => results(&v, &id, Some(PaperOutcome::Done(report)), StatusCode::OK).await,
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => results(&v, &id, Some(PaperOutcome::Refused(msg)), status).await,
            Err(e) => store_error(l, e),
        },
    }
}

/// Personal invitation links, shown once (only their hashes are kept).
pub async fn invite(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let count: i64 = form.text("count").trim().parse().unwrap_or(0);
    let d = match v.access.get_dialogue(&id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    match v.access.invite_participants(&id, count).await {
        Ok(secrets) => {
            let token = d.link_token.unwrap_or_default();
            let content = html! {
                p { a href={ "/dialogues/" (d.id) } { "← " (d.topic) } }
                h1 { (t(l, "dlg.invitations")) }
                p.notice { (t(l, "dlg.invitations.once")) }
                ol.invitations { @for s in &secrets { li { code { "/p/" (token) "?k=" (s) } } } }
            };
            page(&v, t(l, "dlg.invitations"), content)
        }
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => crate::ui::error_page(l, status, &msg),
            Err(e) => store_error(l, e),
        },
    }
}

/// A moderator's translation of a statement into one of the conversation's languages.
pub async fn translate(
    v: Viewer,
    Path((id, number)): Path<(String, i64)>,
    form: FormPairs,
) -> Response {
    match v
        .access
        .translate_statement(&id, number, &form.text("lang"), &form.text("body"))
        .await
    {
        Ok(()) => Redirect::to(&format!("/dialogues/{id}#statements")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => crate::ui::error_page(v.lang, status, &msg),
            Err(e) => store_error(v.lang, e),
        },
    }
}

/// A file of the conversation's Pol.is export, as a download (Export right, audited).
/// The results workbook's name in the export route (next to Pol.is's own files).
pub(crate) const RESULTS_XLSX: &str = "results.xlsx";

pub async fn export(v: Viewer, Path((id, file)): Path<(String, String)>) -> Response {
    let l = v.lang;
    if file == RESULTS_XLSX {
        return match v.access.export_dialogue_xlsx(&id).await {
            Ok(bytes) => download_xlsx(&id, bytes),
            Err(e) => store_error(l, e),
        };
    }
    let result = match grotius_store::PolisFile::parse(&file) {
        Ok(f) => v.access.export_polis(&id, f).await.map(|b| (f, b)),
        Err(e) => Err(e),
    };
    match result {
        Ok((f, bytes)) => download(&id, f, bytes),
        Err(StoreError::Invalid(d)) => {
            crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &d.to_string())
        }
        Err(e) => store_error(l, e),
    }
}

/// The response of an export download: CSV named after the conversation and the file.
pub(crate) fn download(id: &str, f: grotius_store::PolisFile, bytes: Vec<u8>) -> Response {
    let name: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"dialogue-{name}-{}\"", f.name()),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The results workbook as a download.
pub(crate) fn download_xlsx(id: &str, bytes: Vec<u8>) -> Response {
    let name: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"dialogue-{name}-results.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The language names shown to the team (participants see each in its own script).
pub(crate) fn language_name(code: &str) -> &'static str {
    match code {
        "en" => "English",
        "nl" => "Nederlands",
        "fr" => "Français",
        "ar" => "العربية",
        _ => "?",
    }
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (UTC) into Unix microseconds; empty is None.
pub(crate) fn parse_time(field: &'static str, s: &str) -> Result<Option<i64>, StoreError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (date, time) = s.split_once('T').unwrap_or((s, "00:00"));
    let day = parse_date_micros(date);
    let hm = time
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<i64>().ok()?, m.get(..2)?.parse::<i64>().ok()?)))
        .filter(|(h, m)| (0..24).contains(h) && (0..60).contains(m));
    match (day, hm) {
        (Some(d), Some((h, m))) => Ok(Some(d + (h * 3600 + m * 60) * 1_000_000)),
        _ => Err(StoreError::invalid(
            field,
            "a date as YYYY-MM-DD or a time as YYYY-MM-DDTHH:MM (UTC)",
        )),
    }
}

/// Labels typed in a form or a request: a classification and optionally a compartment.
pub(crate) fn parse_labels(
    classification: &str,
    compartment: Option<&str>,
) -> Result<Labels, StoreError> {
    Ok(Labels {
        classification: classification
            .trim()
            .parse::<Classification>()
            .map_err(StoreError::from)?,
        compartment: compartment
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(CompartmentId::parse)
            .transpose()
            .map_err(StoreError::from)?,
    })
}

#[derive(Default)]
struct Input {
    process_id: String,
    topic: String,
    description: String,
    languages: Vec<String>,
    opens_at: String,
    closes_at: String,
    moderation: String,
    classification: String,
    compartment: String,
    seeds: String,
    invitation_only: bool,
    attributes: String,
}

fn input_from(f: &FormPairs) -> Input {
    Input {
        process_id: f.text("process_id"),
        topic: f.text("topic"),
        description: f.text("description"),
        languages: f.all("languages"),
        opens_at: f.text("opens_at"),
        closes_at: f.text("closes_at"),
        moderation: f.text("moderation"),
        classification: f.text("classification"),
        compartment: f.text("compartment"),
        seeds: f.text("seeds"),
        invitation_only: f.get("invitation_only").is_some(),
        attributes: f.text("attributes"),
    }
}

fn new_dialogue(i: &Input) -> Result<(NewDialogue, Labels), StoreError> {
    let moderation = ModerationMode::parse(&i.moderation)
        .ok_or_else(|| StoreError::invalid("moderation", "choose before or after"))?;
    Ok((
        NewDialogue {
            process_id: i.process_id.clone(),
            topic: i.topic.clone(),
            description: i.description.clone(),
            languages: i.languages.clone(),
            opens_at: parse_time("opens_at", &i.opens_at)?,
            closes_at: parse_time("closes_at", &i.closes_at)?,
            moderation,
            seeds: i.seeds.lines().map(str::to_string).collect(),
            invitation_only: i.invitation_only,
            attributes: grotius_domain::dialogue_attributes::parse_question_lines(&i.attributes)?,
        },
        parse_labels(&i.classification, Some(&i.compartment))?,
    ))
}

async fn form_page(
    v: &Viewer,
    i: &Input,
    error: Option<(Option<&str>, String)>,
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
    let err_at = |f: &str| -> Option<String> {
        error
            .as_ref()
            .filter(|(field, _)| *field == Some(f))
            .map(|(_, m)| m.clone())
    };
    let fields = [
        "process_id",
        "topic",
        "description",
        "languages",
        "opens_at",
        "closes_at",
        "moderation",
        "classification",
        "compartment",
        "seeds",
        "attributes",
    ];
    let general = error
        .as_ref()
        .filter(|(field, _)| !field.is_some_and(|f| fields.contains(&f)))
        .map(|(_, m)| m.clone());
    let content = html! {
        h1 { (t(l, "dlg.new")) }
        @if let Some((_, e)) = &error { div.error role="alert" { (t(l, "form.error")) " " (e) } }
        @if let Some(e) = &general { p.error { (e) } }
        @if processes.is_empty() {
            p { (t(l, "dlg.new.noprocess")) }
        } @else {
            form.stack method="post" action="/dialogues" {
                (csrf_field(v))
                label for="process_id" { (t(l, "dlg.process")) }
                select #process_id name="process_id" required {
                    @for p in &processes { option value=(p.id) selected[p.id == i.process_id] { (p.display_name()) } }
                }
                @if let Some(e) = err_at("process_id") { p.error.field-error { (e) } }
                label for="topic" { (t(l, "dlg.topic")) " (" (t(l, "form.required")) ")" }
                input #topic type="text" name="topic" value=(i.topic) required maxlength="500";
                @if let Some(e) = err_at("topic") { p.error.field-error { (e) } }
                label for="description" { (t(l, "dlg.description")) }
                textarea #description name="description" rows="4" maxlength="5000" { (i.description) }
                @if let Some(e) = err_at("description") { p.error.field-error { (e) } }
                fieldset { legend { (t(l, "dlg.languages")) }
                    @for code in PARTICIPANT_LANGUAGES {
                        label { input type="checkbox" name="languages" value=(code) checked[i.languages.iter().any(|x| x == code)]; " " (language_name(code)) }
                    }
                }
                @if let Some(e) = err_at("languages") { p.error.field-error { (e) } }
                label for="opens_at" { (t(l, "dlg.opens")) }
                input #opens_at type="datetime-local" name="opens_at" value=(i.opens_at);
                @if let Some(e) = err_at("opens_at") { p.error.field-error { (e) } }
                label for="closes_at" { (t(l, "dlg.closes")) }
                input #closes_at type="datetime-local" name="closes_at" value=(i.closes_at);
                @if let Some(e) = err_at("closes_at") { p.error.field-error { (e) } }
                label for="moderation" { (t(l, "dlg.moderation.mode")) }
                select #moderation name="moderation" {
                    option value="before" selected[i.moderation != "after"] { (t(l, "dlg.moderation.before")) }
                    option value="after" selected[i.moderation == "after"] { (t(l, "dlg.moderation.after")) }
                }
                @if let Some(e) = err_at("moderation") { p.error.field-error { (e) } }
                label { input type="checkbox" name="invitation_only" value="1" checked[i.invitation_only]; " " (t(l, "dlg.invitation_only")) }
                label for="classification" { (t(l, "labels.classification")) }
                (classification_select(l, v.access.subject().clearance, &i.classification))
                @if let Some(e) = err_at("classification") { p.error.field-error { (e) } }
                label for="compartment" { (t(l, "labels.compartment")) }
                select #compartment name="compartment" {
                    option value="" { (t(l, "labels.no-compartment")) }
                    @for c in &member_of { option value=(c.id) selected[i.compartment == c.id] { (c.name) " (" (c.id) ")" } }
                }
                @if let Some(e) = err_at("compartment") { p.error.field-error { (e) } }
                p.hint { (t(l, "dlg.labels.hint")) }
                label for="seeds" { (t(l, "dlg.seeds")) }
                textarea #seeds name="seeds" rows="6" { (i.seeds) }
                p.hint { (t(l, "dlg.seeds.hint")) }
                @if let Some(e) = err_at("seeds") { p.error.field-error { (e) } }
                label for="attributes" { (t(l, "dlg.attributes")) }
                textarea #attributes name="attributes" rows="4" aria-describedby="attributes-hint" placeholder="Gender: women | men | other" { (i.attributes) }
                p.hint #attributes-hint { (t(l, "dlg.attributes.hint")) }
                @if let Some(e) = err_at("attributes") { p.error.field-error { (e) } }
                div.actions { button type="submit" { (t(l, "dlg.create")) } a href="/dialogues" { (t(l, "form.cancel")) } }
            }
        }
    };
    let mut res = page(v, t(l, "dlg.new"), content);
    *res.status_mut() = status;
    res
}

pub async fn new_form(v: Viewer) -> Response {
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Dialogue))
        .await
    {
        return store_error(v.lang, e);
    }
    let i = Input {
        classification: "internal".into(),
        moderation: "before".into(),
        languages: PARTICIPANT_LANGUAGES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ..Default::default()
    };
    form_page(&v, &i, None, StatusCode::OK).await
}

pub async fn create(v: Viewer, form: FormPairs) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Create, Resource::kind(ResourceKind::Dialogue))
        .await
    {
        return store_error(l, e);
    }
    let i = input_from(&form);
    let result = match new_dialogue(&i) {
        Ok((new, labels)) => v.access.create_dialogue(new, labels).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Redirect::to(&format!("/dialogues/{}", d.id)).into_response(),
        Err(StoreError::NotFound) if !i.process_id.is_empty() => {
            // A process the user may not see is refused like one that does not exist.
            form_page(
                &v,
                &i,
                Some((Some("process_id"), t(l, "err.notfound").to_string())),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            let field = crate::ui::failed_field(&e);
            match form_failure(e) {
                Ok((msg, status)) => form_page(&v, &i, Some((field, msg)), status).await,
                Err(e) => store_error(l, e),
            }
        }
    }
}

pub async fn set_status(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v
        .access
        .set_dialogue_status(&id, &form.text("status"))
        .await
    {
        Ok(_) => Redirect::to(&format!("/dialogues/{id}")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

pub async fn add_statement(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    match v
        .access
        .add_dialogue_statement(&id, &form.text("body"))
        .await
    {
        Ok(_) => Redirect::to(&format!("/dialogues/{id}#statements")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => crate::ui::error_page(v.lang, status, &msg),
            Err(e) => store_error(v.lang, e),
        },
    }
}

pub async fn recompute(v: Viewer, Path(id): Path<String>) -> Response {
    match v.access.recompute_dialogue(&id).await {
        Ok(_) => Redirect::to(&format!("/dialogues/{id}")).into_response(),
        Err(e) => store_error(v.lang, e),
    }
}

async fn queue(v: &Viewer, id: &str, error: Option<(i64, String)>, status: StatusCode) -> Response {
    let l = v.lang;
    let d = match v.access.get_dialogue(id).await {
        Ok(d) => d,
        Err(e) => return store_error(l, e),
    };
    let items = match v.access.moderation_queue(id).await {
        Ok(q) => q,
        Err(e) => return store_error(l, e),
    };
    let content = html! {
        p { a href={ "/dialogues/" (d.id) } { "← " (d.topic) } }
        h1 { (t(l, "dlg.queue")) }
        p.hint { (if d.moderation_mode == ModerationMode::Before { t(l, "dlg.moderation.before") } else { t(l, "dlg.moderation.after") }) }
        @if items.is_empty() {
            p { (t(l, "dlg.queue.empty")) }
        } @else {
            @for item in &items {
                section.queue-item id={ "s" (item.number) } {
                    blockquote { (item.body) }
                    p.hint { "#" (item.number) @if let Some(at) = item.created_at { " · " (fmt_micros(at)) } }
                    @if !item.duplicates.is_empty() {
                        p { strong { (t(l, "dlg.queue.duplicates")) } }
                        ul { @for (n, body) in &item.duplicates { li { "#" (n) " " (body) } } }
                    }
                    @if let Some((n, e)) = &error { @if *n == item.number { p.error role="alert" { (e) } } }
                    form.inline method="post" action={ "/dialogues/" (d.id) "/moderation" } {
                        (csrf_field(v))
                        input type="hidden" name="statement" value=(item.number);
                        label for={ "reason-" (item.number) } { (t(l, "dlg.queue.reason")) }
                        input id={ "reason-" (item.number) } type="text" name="reason" maxlength="500";
                        button type="submit" name="decision" value="accept" { (t(l, "dlg.queue.accept")) }
                        button type="submit" name="decision" value="reject" { (t(l, "dlg.queue.reject")) }
                        button type="submit" name="decision" value="meta" { (t(l, "dlg.queue.meta")) }
                    }
                }
            }
        }
    };
    let mut res = page(v, t(l, "dlg.queue"), content);
    *res.status_mut() = status;
    res
}

pub async fn queue_page(v: Viewer, Path(id): Path<String>) -> Response {
    queue(&v, &id, None, StatusCode::OK).await
}

pub async fn moderate(v: Viewer, Path(id): Path<String>, form: FormPairs) -> Response {
    let l = v.lang;
    let number: i64 = form.text("statement").parse().unwrap_or(-1);
    let Some(decision) = ModerationDecision::parse(&form.text("decision")) else {
        return crate::ui::error_page(l, StatusCode::UNPROCESSABLE_ENTITY, t(l, "err.bad"));
    };
    match v
        .access
        .moderate_statement(&id, number, decision, form.get("reason"))
        .await
    {
        Ok(()) => Redirect::to(&format!("/dialogues/{id}/moderation")).into_response(),
        Err(e) => match form_failure(e) {
            Ok((msg, status)) => queue(&v, &id, Some((number, msg)), status).await,
            Err(e) => store_error(l, e),
        },
    }
}
