//! Dialogues API: the conversations of the processes you may see, one conversation with its
//! groups, and its participants with their opinion groups (the stable contract of the checks:
//! `items` with `id`; participants' `items` with `source_id` and `group`).

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::Path;
use grotius_domain::dialogue::{Dialogue, DialogueParticipant};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use axum::http::StatusCode;
use grotius_domain::dialogue::{ModerationMode, NewDialogue};
use grotius_domain::dialogue_attributes::AttributeQuestion;
use grotius_store::{ModerationDecision, StoreError};

use super::run::{parse_labels, parse_time};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/dialogues", get(list_dialogues))
        .route("/dialogues/{id}", get(get_dialogue))
        .route("/dialogues/{id}/participants", get(list_participants))
        .route("/dialogues/{id}/attributes", get(inclusion))
        .route("/dialogues", post(create_dialogue))
        .route("/dialogues/{id}/recompute", post(recompute))
        .route("/dialogues/{id}/status", post(set_status))
        .route("/dialogues/{id}/statements", post(add_statement))
        .route("/dialogues/{id}/moderation", get(moderation_queue))
        .route("/dialogues/{id}/export/{file}", get(export))
        .route(
            "/dialogues/{id}/statements/{number}/translations",
            post(translate),
        )
        .route("/dialogues/{id}/invitations", post(invite))
        .route(
            "/dialogues/{id}/paper-round",
            post(paper_round).layer(axum::extract::DefaultBodyLimit::max(
                crate::modules::roster::api::IMPORT_LIMIT,
            )),
        )
        .route(
            "/dialogues/{id}/statements/{number}/moderation",
            post(moderate),
        )
        .route("/processes/{id}/dialogues", get(list_process_dialogues));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_dialogues,
        get_dialogue,
        list_participants,
        inclusion,
        recompute,
        list_process_dialogues,
        create_dialogue,
        set_status,
        add_statement,
        moderation_queue,
        moderate,
        export,
        translate,
        invite,
        paper_round
    ),
    components(schemas(
        DialogueDto,
        DialogueList,
        ParticipantDto,
        ParticipantList,
        NewDialogueDto,
        StatusDto,
        StatementDto,
        StatementNumber,
        ModerationDto,
        QueueItemDto,
        QueueList,
        AttributeDto,
        InclusionList,
        QuestionDto,
        OptionDto,
        GroupCountDto,
        TallyDto,
        PaperRoundDto
    ))
)]
pub struct DialoguesApi;

/// A dialogue (conversation) of a process.
#[derive(Serialize, ToSchema)]
pub struct DialogueDto {
    pub id: String,
    pub process_id: String,
    pub topic: String,
    pub description: String,
    /// 'grotius', or the Pol.is URL or folder an imported conversation came from.
    pub source: String,
    /// open or closed
    pub status: String,
    pub classification: String,
    pub compartment: Option<String>,
    /// Version of the method of the stored groups (null: not computed).
    pub method: Option<String>,
    pub computed_at: Option<i64>,
    pub participants: i64,
    pub statements: i64,
    pub votes: i64,
    pub created_at: i64,
    /// Participant languages (en, nl, fr, ar).
    pub languages: Vec<String>,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    /// before or after (when participants' statements are shown).
    pub moderation_mode: String,
    /// The participation page's path (null: no participation, e.g. an import).
    pub participation_link: Option<String>,
    pub invitation_only: bool,
    /// Questions participants may answer about themselves (optional for them).
    pub attributes: Vec<AttributeDto>,
}

/// A question participants may answer about themselves, with its options (answers are option
/// numbers, from 0).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AttributeDto {
    pub label: String,
    pub options: Vec<String>,
}

impl From<Dialogue> for DialogueDto {
    fn from(d: Dialogue) -> Self {
        DialogueDto {
            id: d.id,
            process_id: d.process_id,
            topic: d.topic,
            description: d.description,
            source: d.source,
            status: d.status,
            classification: d.labels.classification.as_str().into(),
            compartment: d.labels.compartment.map(|c| c.to_string()),
            method: d.method,
            computed_at: d.computed_at,
            participants: d.participants,
            statements: d.statements,
            votes: d.votes,
            created_at: d.created_at,
            languages: d.languages,
            opens_at: d.opens_at,
            closes_at: d.closes_at,
            moderation_mode: d.moderation_mode.as_str().into(),
            participation_link: d.link_token.map(|t| format!("/p/{t}")),
            invitation_only: d.invitation_only,
            attributes: d
                .attributes
                .into_iter()
                .map(|q| AttributeDto {
                    label: q.label,
                    options: q.options,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DialogueList {
    pub items: Vec<DialogueDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A participant: the export's participant id for imported conversations, and the opinion
/// group (null when the participant is not clustered: fewer than min(7, statements) votes).
#[derive(Serialize, ToSchema)]
pub struct ParticipantDto {
    /// Position in the conversation's vote matrix.
    pub number: i64,
    pub source_id: Option<String>,
    pub group: Option<i64>,
}

impl From<DialogueParticipant> for ParticipantDto {
    fn from(p: DialogueParticipant) -> Self {
        ParticipantDto {
            number: p.number,
            source_id: p.source_id,
            group: p.group,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantDto>,
}

/// The dialogues of every process you may see, newest first.
#[utoipa::path(get, path = "/api/v1/dialogues", params(PageQuery),
    responses((status = 200, body = DialogueList), (status = 404, body = ErrorBody)))]
async fn list_dialogues(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<DialogueList>, ApiError> {
    let page = a
        .list_dialogues(q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(DialogueList {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// The dialogues of one process.
#[utoipa::path(get, path = "/api/v1/processes/{id}/dialogues", params(("id" = String, Path)),
    responses((status = 200, body = DialogueList), (status = 404, body = ErrorBody)))]
async fn list_process_dialogues(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DialogueList>, ApiError> {
    let items: Vec<DialogueDto> = a
        .list_process_dialogues(&id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let n = items.len() as i64;
    Ok(Json(DialogueList {
        items,
        total: n,
        limit: n,
        offset: 0,
    }))
}

/// One dialogue.
#[utoipa::path(get, path = "/api/v1/dialogues/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DialogueDto), (status = 404, body = ErrorBody)))]
async fn get_dialogue(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DialogueDto>, ApiError> {
    Ok(Json(a.get_dialogue(&id).await?.into()))
}

/// The participants of a dialogue with their opinion groups.
#[utoipa::path(get, path = "/api/v1/dialogues/{id}/participants", params(("id" = String, Path)),
    responses((status = 200, body = ParticipantList), (status = 404, body = ErrorBody)))]
async fn list_participants(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<ParticipantList>, ApiError> {
    Ok(Json(ParticipantList {
        items: a
            .dialogue_participants(&id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

/// Agreement per self-declared participant attribute, small cells suppressed: an option chosen
/// by fewer than 5 has `participants: null` and nothing else; `groups` is null when any group
/// holds 1 to 4 of them; `statements` lists only statements at least 5 of them voted on.
#[derive(Serialize, ToSchema)]
pub struct InclusionList {
    pub items: Vec<QuestionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionDto {
    pub label: String,
    pub options: Vec<OptionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct OptionDto {
    pub option: String,
    pub participants: Option<i64>,
    pub groups: Option<Vec<GroupCountDto>>,
    pub statements: Vec<TallyDto>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupCountDto {
    pub group: u32,
    pub participants: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TallyDto {
    pub statement: i64,
    pub voters: i64,
    pub agree: i64,
    pub disagree: i64,
    pub pass: i64,
}

#[utoipa::path(get, path = "/api/v1/dialogues/{id}/attributes", params(("id" = String, Path)),
    responses((status = 200, body = InclusionList), (status = 404, body = ErrorBody)))]
async fn inclusion(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<InclusionList>, ApiError> {
    let items = a
        .dialogue_inclusion(&id)
        .await?
        .into_iter()
        .map(|q| QuestionDto {
            label: q.label,
            options: q
                .options
                .into_iter()
                .map(|o| OptionDto {
                    option: o.option,
                    participants: o.participants,
                    groups: o.groups.map(|g| {
                        g.into_iter()
                            .map(|(group, participants)| GroupCountDto {
                                group,
                                participants,
                            })
                            .collect()
                    }),
                    statements: o
                        .statements
                        .into_iter()
                        .map(|(statement, t)| TallyDto {
                            statement,
                            voters: t.voters(),
                            agree: t.agree,
                            disagree: t.disagree,
                            pass: t.pass,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(InclusionList { items }))
}

/// Recomputes the opinion groups from the current votes (deterministic: the same votes give
/// the same groups).
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/recompute", params(("id" = String, Path)),
    responses((status = 200, body = DialogueDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn recompute(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DialogueDto>, ApiError> {
    Ok(Json(a.recompute_dialogue(&id).await?.into()))
}

/// A new conversation of a process. Labels at least as strict as the process's.
#[derive(Deserialize, ToSchema)]
pub struct NewDialogueDto {
    pub process_id: String,
    pub topic: String,
    #[serde(default)]
    pub description: String,
    /// Among en, nl, fr, ar; at least one.
    pub languages: Vec<String>,
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (UTC).
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    /// before (default) or after.
    pub moderation: Option<String>,
    /// public, internal (default), confidential, secret.
    pub classification: Option<String>,
    pub compartment: Option<String>,
    /// Seed statements (5 to 280 characters each), accepted at once.
    #[serde(default)]
    pub seeds: Vec<String>,
    /// A closed consultation: only personal invitation links take part.
    #[serde(default)]
    pub invitation_only: bool,
    /// At most 6 questions participants may answer about themselves, 2 to 12 options each.
    #[serde(default)]
    pub attributes: Vec<AttributeDto>,
}

/// Creates a conversation with its seed statements and participation link.
#[utoipa::path(post, path = "/api/v1/dialogues", request_body = NewDialogueDto,
    responses((status = 201, body = DialogueDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_dialogue(
    Caller(a): Caller,
    ApiJson(b): ApiJson<NewDialogueDto>,
) -> Result<(StatusCode, Json<DialogueDto>), ApiError> {
    let moderation = ModerationMode::parse(b.moderation.as_deref().unwrap_or("before"))
        .ok_or_else(|| StoreError::invalid("moderation", "expected before or after"))?;
    let new = NewDialogue {
        process_id: b.process_id,
        topic: b.topic,
        description: b.description,
        languages: b.languages,
        opens_at: parse_time("opens_at", b.opens_at.as_deref().unwrap_or(""))?,
        closes_at: parse_time("closes_at", b.closes_at.as_deref().unwrap_or(""))?,
        moderation,
        seeds: b.seeds,
        invitation_only: b.invitation_only,
        attributes: b
            .attributes
            .into_iter()
            .map(|q| AttributeQuestion {
                label: q.label,
                options: q.options,
            })
            .collect(),
    };
    let labels = parse_labels(
        b.classification.as_deref().unwrap_or("internal"),
        b.compartment.as_deref(),
    )?;
    let d = a.create_dialogue(new, labels).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusDto {
    /// open or closed
    pub status: String,
}

/// Opens or closes a conversation (a closed one takes no votes or statements).
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/status", params(("id" = String, Path)), request_body = StatusDto,
    responses((status = 200, body = DialogueDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_status(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusDto>,
) -> Result<Json<DialogueDto>, ApiError> {
    Ok(Json(a.set_dialogue_status(&id, &b.status).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct StatementDto {
    /// 5 to 280 characters.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatementNumber {
    pub number: i64,
}

/// Adds a statement of the team (accepted at once).
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/statements", params(("id" = String, Path)), request_body = StatementDto,
    responses((status = 201, body = StatementNumber), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_statement(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatementDto>,
) -> Result<(StatusCode, Json<StatementNumber>), ApiError> {
    let number = a.add_dialogue_statement(&id, &b.body).await?;
    Ok((StatusCode::CREATED, Json(StatementNumber { number })))
}

#[derive(Serialize, ToSchema)]
pub struct QueueItemDto {
    pub number: i64,
    pub body: String,
    pub created_at: Option<i64>,
    /// Numbers of statements at least 80% alike (token Jaccard).
    pub duplicates: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueList {
    pub items: Vec<QueueItemDto>,
}

/// Participants' statements waiting for a moderator, with suggested duplicates.
#[utoipa::path(get, path = "/api/v1/dialogues/{id}/moderation", params(("id" = String, Path)),
    responses((status = 200, body = QueueList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn moderation_queue(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<QueueList>, ApiError> {
    Ok(Json(QueueList {
        items: a
            .moderation_queue(&id)
            .await?
            .into_iter()
            .map(|q| QueueItemDto {
                number: q.number,
                body: q.body,
                created_at: q.created_at,
                duplicates: q.duplicates.into_iter().map(|(n, _)| n).collect(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ModerationDto {
    /// accept, reject (needs a reason) or meta (off-topic).
    pub decision: String,
    pub reason: Option<String>,
}

/// A moderator's decision on a statement.
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/statements/{number}/moderation",
    params(("id" = String, Path), ("number" = i64, Path)), request_body = ModerationDto,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn moderate(
    Caller(a): Caller,
    Path((id, number)): Path<(String, i64)>,
    ApiJson(b): ApiJson<ModerationDto>,
) -> Result<StatusCode, ApiError> {
    let decision = ModerationDecision::parse(&b.decision)
        .ok_or_else(|| StoreError::invalid("decision", "expected accept, reject or meta"))?;
    a.moderate_statement(&id, number, decision, b.reason.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One file of the conversation's Pol.is export (comments.csv, votes.csv,
/// participants-votes.csv with group-id, summary.csv). Export right; every download audited.
#[utoipa::path(get, path = "/api/v1/dialogues/{id}/export/{file}", params(("id" = String, Path), ("file" = String, Path)),
    responses((status = 200, content_type = "text/csv"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export(
    Caller(a): Caller,
    Path((id, file)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    if file == super::run::RESULTS_XLSX {
        let bytes = a.export_dialogue_xlsx(&id).await?;
        return Ok(super::run::download_xlsx(&id, bytes));
    }
    let f = grotius_store::PolisFile::parse(&file)?;
    let bytes = a.export_polis(&id, f).await?;
    Ok(super::run::download(&id, f, bytes))
}

#[derive(Deserialize, ToSchema)]
pub struct TranslationDto {
    /// One of the conversation's languages.
    pub lang: String,
    /// 5 to 280 characters.
    pub body: String,
}

/// A moderator's translation of a statement (replaces an earlier one in that language);
/// participants reading in that language see it.
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/statements/{number}/translations",
    params(("id" = String, Path), ("number" = i64, Path)), request_body = TranslationDto,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn translate(
    Caller(a): Caller,
    Path((id, number)): Path<(String, i64)>,
    ApiJson(b): ApiJson<TranslationDto>,
) -> Result<StatusCode, ApiError> {
    a.translate_statement(&id, number, &b.lang, &b.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct InviteDto {
    /// 1 to 500.
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    /// Personal links, returned only here (only a hash of each is kept).
    pub links: Vec<String>,
}

/// Personal invitation links (one anonymous participant each) for a closed consultation.
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/invitations", params(("id" = String, Path)), request_body = InviteDto,
    responses((status = 201, body = InvitationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn invite(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<InviteDto>,
) -> Result<(StatusCode, Json<InvitationList>), ApiError> {
    let d = a.get_dialogue(&id).await?;
    let token = d.link_token.unwrap_or_default();
    let links = a
        .invite_participants(&id, b.count)
        .await?
        .into_iter()
        .map(|s| format!("/p/{token}?k={s}"))
        .collect();
    Ok((StatusCode::CREATED, Json(InvitationList { links })))
}

/// What a paper round did.
#[derive(Serialize, ToSchema)]
pub struct PaperRoundDto {
    /// Paper participants (rows) in the file.
    pub sheets: usize,
    /// New participants (sheet labels not seen before in this conversation).
    pub participants_added: usize,
    /// Participants imported before whose votes or answers changed.
    pub participants_updated: usize,
    /// Participants imported before with nothing new.
    pub participants_unchanged: usize,
    /// Votes written (new and changed).
    pub votes: usize,
    /// Of those, votes that replaced an earlier vote (kept in the history).
    pub votes_changed: usize,
    /// Cells equal to the stored vote.
    pub votes_unchanged: usize,
    /// Empty statement cells (statements not seen).
    pub skipped_cells: usize,
    /// Answers to the conversation's questions written.
    pub answers: usize,
    /// SHA-256 of the file (hex), as audited.
    pub sha256: String,
}

impl From<grotius_store::PaperRoundReport> for PaperRoundDto {
    fn from(r: grotius_store::PaperRoundReport) -> Self {
        PaperRoundDto {
            sheets: r.sheets,
            participants_added: r.participants_added,
            participants_updated: r.participants_updated,
            participants_unchanged: r.participants_unchanged,
            votes: r.votes,
            votes_changed: r.votes_changed,
            votes_unchanged: r.votes_unchanged,
            skipped_cells: r.skipped_cells,
            answers: r.answers,
            sha256: r.sha256,
        }
    }
}

/// Imports the votes of a paper round (a community meeting) from a CSV or XLSX file sent as
/// `multipart/form-data` (field `file`) or as the raw body. Header `participant`, then statement
/// numbers (0, 1, …) and optionally columns named like the conversation's questions; one row
/// per paper participant, labelled by the sheet's label (no personal data). Cells agree /
/// disagree / pass or 1 / -1 / 0 (also eens / oneens / pas, d'accord / pas d'accord / passer),
/// empty = not seen. Idempotent by the label; a changed cell replaces the vote (the earlier one
/// kept in history). 422 naming row and column when any cell is wrong, nothing written.
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/paper-round", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "multipart/form-data"),
    responses((status = 200, body = PaperRoundDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn paper_round(
    Caller(a): Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Json<PaperRoundDto>, ApiError> {
    // Refused before the body is read for those who may not update the conversation.
    let d = a.get_dialogue(&id).await?;
    a.check(
        grotius_domain::Action::Update,
        grotius_domain::Resource::labelled(grotius_domain::ResourceKind::Dialogue, &d.labels),
    )
    .await?;
    let (name, bytes, _) = crate::modules::roster::api::read_upload(req).await?;
    let report = a
        .import_paper_round(&id, &bytes, name.as_deref().unwrap_or(""))
        .await?;
    Ok(Json(report.into()))
}
