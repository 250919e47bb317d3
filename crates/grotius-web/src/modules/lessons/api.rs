//! Lessons API: debriefs of a process (FDFA template), the lessons search across engagements,
//! and trainings with their participants and the disaggregation by sex and organisation.

use crate::routes::{Routes, delete, get, post};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::lessons::{Debrief, DebriefInput, FollowUp, LessonFilters};
use grotius_domain::training::{
    Disaggregation, GroupCounts, Participant, ParticipantInput, SexCounts, Training, TrainingInput,
};
use grotius_store::{LessonHit, TableFormat};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::modules::roster::api::{IMPORT_LIMIT, ImportReportDto, read_upload};

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/processes/{id}/debriefs",
        get(list_debriefs).post(create_debrief),
    )
    .route(
        "/debriefs/{id}",
        get(get_debrief).put(update_debrief).delete(delete_debrief),
    )
    .route("/lessons/search", get(search_lessons))
    .route("/trainings", get(list_trainings).post(create_training))
    .route("/trainings/disaggregation", get(all_disaggregation))
    .route(
        "/trainings/{id}",
        get(get_training)
            .put(update_training)
            .delete(delete_training),
    )
    .route(
        "/trainings/{id}/participants",
        get(list_participants).post(add_participant),
    )
    .route(
        "/trainings/{id}/participants/import",
        post(import_participants).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
    )
    .route(
        "/trainings/{id}/disaggregation",
        get(training_disaggregation),
    )
    .route("/participants/{id}", delete(delete_participant));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_debriefs,
        create_debrief,
        get_debrief,
        update_debrief,
        delete_debrief,
        search_lessons,
        list_trainings,
        create_training,
        get_training,
        update_training,
        delete_training,
        list_participants,
        add_participant,
        import_participants,
        delete_participant,
        training_disaggregation,
        all_disaggregation
    ),
    components(schemas(
        DebriefDto,
        DebriefInputDto,
        DebriefList,
        FollowUpDto,
        LessonHitDto,
        LessonResultsDto,
        SnippetDto,
        TrainingDto,
        TrainingInputDto,
        TrainingList,
        ParticipantDto,
        ParticipantInputDto,
        ParticipantList,
        DisaggregationDto,
        GroupDto
    ))
)]
pub struct LessonsApi;

// ─── Debriefs ────────────────────────────────────────────────────────────────────────────────

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpDto {
    pub who: String,
    pub what: String,
    /// YYYY-MM-DD, or empty.
    #[serde(default)]
    pub by: String,
}

#[derive(Serialize, ToSchema)]
pub struct DebriefDto {
    pub id: String,
    pub process_id: String,
    pub engagement_id: Option<String>,
    /// turning-point, exit
    pub moment: String,
    pub date: String,
    pub author: String,
    /// The case (FDFA template).
    pub case_title: String,
    pub dutch_role: String,
    /// Duration of the engagement debriefed.
    pub started_on: String,
    pub ended_on: Option<String>,
    /// Parties engaged in the process (by name).
    pub parties: Vec<String>,
    pub other_parties: String,
    pub background: String,
    pub entry_points: String,
    pub process_design: String,
    pub key_lessons: String,
    pub follow_up: Vec<FollowUpDto>,
    pub themes: Vec<String>,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Debrief> for DebriefDto {
    fn from(d: Debrief) -> Self {
        DebriefDto {
            id: d.id,
            process_id: d.process_id,
            engagement_id: d.engagement_id,
            moment: d.moment,
            date: d.date,
            author: d.author,
            case_title: d.case_title,
            dutch_role: d.dutch_role,
            started_on: d.started_on,
            ended_on: d.ended_on,
            parties: d.parties,
            other_parties: d.other_parties,
            background: d.background,
            entry_points: d.entry_points,
            process_design: d.process_design,
            key_lessons: d.key_lessons,
            follow_up: d
                .follow_up
                .into_iter()
                .map(|f| FollowUpDto {
                    who: f.who,
                    what: f.what,
                    by: f.by,
                })
                .collect(),
            themes: d.themes,
            classification: d.labels.classification.as_str().into(),
            compartment: d.labels.compartment.map(|c| c.to_string()),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DebriefList {
    pub items: Vec<DebriefDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebriefInputDto {
    /// An entry of the process's engagements journal.
    #[serde(default)]
    pub engagement_id: Option<String>,
    /// turning-point, exit
    pub moment: String,
    /// YYYY-MM-DD
    pub date: String,
    /// Default: your user name.
    #[serde(default)]
    pub author: String,
    pub case_title: String,
    /// lead, facilitate, accompany, coordinate, support, leverage; default: the process's.
    #[serde(default)]
    pub dutch_role: String,
    pub started_on: String,
    /// Required at exit.
    #[serde(default)]
    pub ended_on: String,
    /// Names of parties engaged in the process.
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default)]
    pub other_parties: String,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub entry_points: String,
    #[serde(default)]
    pub process_design: String,
    pub key_lessons: String,
    #[serde(default)]
    pub follow_up: Vec<FollowUpDto>,
    /// Default: the process's themes.
    #[serde(default)]
    pub themes: Vec<String>,
    /// At least the process's classification.
    pub classification: String,
    /// The process's compartment.
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<DebriefInputDto> for DebriefInput {
    fn from(d: DebriefInputDto) -> Self {
        DebriefInput {
            engagement_id: d.engagement_id,
            moment: d.moment,
            date: d.date,
            author: d.author,
            case_title: d.case_title,
            dutch_role: d.dutch_role,
            started_on: d.started_on,
            ended_on: d.ended_on,
            parties: d.parties,
            other_parties: d.other_parties,
            background: d.background,
            entry_points: d.entry_points,
            process_design: d.process_design,
            key_lessons: d.key_lessons,
            follow_up: d
                .follow_up
                .into_iter()
                .map(|f| FollowUp {
                    who: f.who,
                    what: f.what,
                    by: f.by,
                })
                .collect(),
            themes: d.themes,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

/// The debriefs of a process you may read, newest first.
#[utoipa::path(get, path = "/api/v1/processes/{id}/debriefs", params(("id" = String, Path)),
    responses((status = 200, body = DebriefList), (status = 404, body = ErrorBody)))]
async fn list_debriefs(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DebriefList>, ApiError> {
    Ok(Json(DebriefList {
        items: a
            .list_debriefs(&id)
            .await?
            .into_iter()
            .map(DebriefDto::from)
            .collect(),
    }))
}

/// Writes a debrief of a process, at a turning point or at exit.
#[utoipa::path(post, path = "/api/v1/processes/{id}/debriefs", params(("id" = String, Path)), request_body = DebriefInputDto,
    responses((status = 201, body = DebriefDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_debrief(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<DebriefInputDto>,
) -> Result<(StatusCode, Json<DebriefDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.create_debrief(&id, &d.into()).await?.into()),
    ))
}

#[utoipa::path(get, path = "/api/v1/debriefs/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DebriefDto), (status = 404, body = ErrorBody)))]
async fn get_debrief(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<DebriefDto>, ApiError> {
    Ok(Json(a.get_debrief(&id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/debriefs/{id}", params(("id" = String, Path)), request_body = DebriefInputDto,
    responses((status = 200, body = DebriefDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_debrief(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<DebriefInputDto>,
) -> Result<Json<DebriefDto>, ApiError> {
    Ok(Json(a.update_debrief(&id, &d.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/debriefs/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_debrief(Caller(a): Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    a.delete_debrief(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct LessonSearchQuery {
    /// Words and "quoted phrases"; all must match (case- and accent-insensitive).
    pub q: Option<String>,
    pub dutch_role: Option<String>,
    pub theme: Option<String>,
    /// UN M49 region or sub-region of the process countries, e.g. "Africa", "Eastern Africa".
    pub region: Option<String>,
    /// turning-point, exit
    pub moment: Option<String>,
    pub year: Option<i32>,
}

impl LessonSearchQuery {
    pub fn filters(&self) -> LessonFilters {
        LessonFilters {
            dutch_role: self.dutch_role.clone(),
            theme: self.theme.clone(),
            region: self.region.clone(),
            moment: self.moment.clone(),
            year: self.year,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SnippetDto {
    pub before: String,
    /// The matched text.
    pub hit: String,
    pub after: String,
}

#[derive(Serialize, ToSchema)]
pub struct LessonHitDto {
    pub debrief_id: String,
    pub process_id: String,
    pub process_name: String,
    pub case_title: String,
    pub moment: String,
    pub date: String,
    pub dutch_role: String,
    pub themes: Vec<String>,
    pub classification: String,
    pub compartment: Option<String>,
    /// The field of the match, e.g. key_lessons, background, entry_points.
    pub field: String,
    pub snippet: SnippetDto,
}

impl From<LessonHit> for LessonHitDto {
    fn from(h: LessonHit) -> Self {
        LessonHitDto {
            debrief_id: h.debrief_id,
            process_id: h.process_id,
            process_name: h.process_name,
            case_title: h.case_title,
            moment: h.moment,
            date: h.date,
            dutch_role: h.dutch_role,
            themes: h.themes,
            classification: h.labels.classification.as_str().into(),
            compartment: h.labels.compartment.map(|c| c.to_string()),
            field: h.field,
            snippet: SnippetDto {
                before: h.snippet.before,
                hit: h.snippet.hit,
                after: h.snippet.after,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LessonResultsDto {
    pub hits: Vec<LessonHitDto>,
    pub total: usize,
}

/// Searches the debriefs you may read across all engagements.
#[utoipa::path(get, path = "/api/v1/lessons/search", params(LessonSearchQuery),
    responses((status = 200, body = LessonResultsDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search_lessons(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<LessonSearchQuery>,
) -> Result<Json<LessonResultsDto>, ApiError> {
    let r = a
        .search_debriefs(q.q.as_deref().unwrap_or(""), &q.filters())
        .await?;
    Ok(Json(LessonResultsDto {
        total: r.total,
        hits: r.hits.into_iter().map(LessonHitDto::from).collect(),
    }))
}

// ─── Trainings ───────────────────────────────────────────────────────────────────────────────

#[derive(Serialize, ToSchema)]
pub struct TrainingDto {
    pub id: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub place: String,
    pub remote: bool,
    pub organiser: String,
    pub themes: Vec<String>,
    /// Linked processes you may see.
    pub process_ids: Vec<String>,
    pub participant_count: i64,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Training> for TrainingDto {
    fn from(t: Training) -> Self {
        TrainingDto {
            id: t.id,
            title: t.title,
            starts_on: t.starts_on,
            ends_on: t.ends_on,
            place: t.place,
            remote: t.remote,
            organiser: t.organiser,
            themes: t.themes,
            process_ids: t.process_ids,
            participant_count: t.participant_count,
            classification: t.labels.classification.as_str().into(),
            compartment: t.labels.compartment.map(|c| c.to_string()),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TrainingList {
    pub items: Vec<TrainingDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingInputDto {
    pub title: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    /// Required unless remote.
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub remote: bool,
    pub organiser: String,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub process_ids: Vec<String>,
    /// Default internal.
    #[serde(default)]
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<TrainingInputDto> for TrainingInput {
    fn from(d: TrainingInputDto) -> Self {
        TrainingInput {
            title: d.title,
            starts_on: d.starts_on,
            ends_on: d.ends_on,
            place: d.place,
            remote: d.remote,
            organiser: d.organiser,
            themes: d.themes,
            process_ids: d.process_ids,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantDto {
    pub id: String,
    pub training_id: String,
    pub name: String,
    /// female, male, other, not-recorded
    pub sex: String,
    pub organisation: String,
    /// government, armed-group, civil-society, womens-organisation, un-regional, academia, other
    pub organisation_type: String,
    pub country: String,
}

impl From<Participant> for ParticipantDto {
    fn from(p: Participant) -> Self {
        ParticipantDto {
            id: p.id,
            training_id: p.training_id,
            name: p.name,
            sex: p.sex,
            organisation: p.organisation,
            organisation_type: p.organisation_type,
            country: p.country,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInputDto {
    #[serde(default)]
    pub name: String,
    /// female, male, other, not-recorded (empty: not recorded)
    #[serde(default)]
    pub sex: String,
    pub organisation: String,
    pub organisation_type: String,
    /// ISO 3166-1 code.
    #[serde(default)]
    pub country: String,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDto {
    pub group: String,
    pub female: i64,
    pub male: i64,
    pub other: i64,
    pub not_recorded: i64,
    pub total: i64,
    /// Women as a percentage of all participants of the group.
    pub share_women: Option<f64>,
}

fn group(g: &str, c: &SexCounts) -> GroupDto {
    GroupDto {
        group: g.to_string(),
        female: c.female,
        male: c.male,
        other: c.other,
        not_recorded: c.not_recorded,
        total: c.total(),
        share_women: c.share_women(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct DisaggregationDto {
    /// How many trainings the figures cover (those you may read).
    pub trainings: i64,
    pub total: GroupDto,
    pub by_organisation_type: Vec<GroupDto>,
    pub by_organisation: Vec<GroupDto>,
}

impl From<Disaggregation> for DisaggregationDto {
    fn from(d: Disaggregation) -> Self {
        let groups = |v: &[GroupCounts]| v.iter().map(|g| group(&g.group, &g.counts)).collect();
        DisaggregationDto {
            trainings: d.trainings,
            total: group("all", &d.total),
            by_organisation_type: groups(&d.by_organisation_type),
            by_organisation: groups(&d.by_organisation),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct TrainingListQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct DisaggregationQuery {
    /// `csv` for the table as CSV (an export); JSON otherwise.
    pub format: Option<String>,
}

/// Trainings you may read, newest first.
#[utoipa::path(get, path = "/api/v1/trainings", params(TrainingListQuery),
    responses((status = 200, body = TrainingList), (status = 404, body = ErrorBody)))]
async fn list_trainings(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<TrainingListQuery>,
) -> Result<Json<TrainingList>, ApiError> {
    let p = a
        .list_trainings(q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(TrainingList {
        items: p.items.into_iter().map(TrainingDto::from).collect(),
        total: p.total,
        limit: p.limit,
        offset: p.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/trainings", request_body = TrainingInputDto,
    responses((status = 201, body = TrainingDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_training(
    Caller(a): Caller,
    ApiJson(d): ApiJson<TrainingInputDto>,
) -> Result<(StatusCode, Json<TrainingDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.create_training(&d.into()).await?.into()),
    ))
}

#[utoipa::path(get, path = "/api/v1/trainings/{id}", params(("id" = String, Path)),
    responses((status = 200, body = TrainingDto), (status = 404, body = ErrorBody)))]
async fn get_training(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<TrainingDto>, ApiError> {
    Ok(Json(a.get_training(&id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/trainings/{id}", params(("id" = String, Path)), request_body = TrainingInputDto,
    responses((status = 200, body = TrainingDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_training(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<TrainingInputDto>,
) -> Result<Json<TrainingDto>, ApiError> {
    Ok(Json(a.update_training(&id, &d.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/trainings/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_training(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_training(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/trainings/{id}/participants", params(("id" = String, Path)),
    responses((status = 200, body = ParticipantList), (status = 404, body = ErrorBody)))]
async fn list_participants(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<ParticipantList>, ApiError> {
    Ok(Json(ParticipantList {
        items: a
            .list_participants(&id)
            .await?
            .into_iter()
            .map(ParticipantDto::from)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/trainings/{id}/participants", params(("id" = String, Path)), request_body = ParticipantInputDto,
    responses((status = 201, body = ParticipantDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_participant(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<ParticipantInputDto>,
) -> Result<(StatusCode, Json<ParticipantDto>), ApiError> {
    let input = ParticipantInput {
        name: d.name,
        sex: d.sex,
        organisation: d.organisation,
        organisation_type: d.organisation_type,
        country: d.country,
    };
    Ok((
        StatusCode::CREATED,
        Json(a.add_participant(&id, &input).await?.into()),
    ))
}

/// Imports participants from a CSV file (columns name, sex, organisation, organisation_type,
/// country), as `multipart/form-data` (field `file`) or the raw body. 200 with the report when
/// imported; 422 with the report (row and column of each problem) when nothing was.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/participants/import", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = ImportReportDto), (status = 422, body = ImportReportDto), (status = 404, body = ErrorBody)))]
async fn import_participants(
    Caller(a): Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (name, bytes, _) = read_upload(req).await?;
    let format = TableFormat::detect(name.as_deref(), &bytes);
    let report = a.import_participants(&id, &bytes, format).await?;
    let status = if report.committed() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(ImportReportDto::from(report))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/participants/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_participant(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_participant(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A CSV download of a disaggregated table.
pub fn csv_download(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn disaggregation(
    a: grotius_store::Access,
    id: Option<&str>,
    format: Option<&str>,
) -> Result<Response, ApiError> {
    match format.map(str::trim) {
        Some("csv") => Ok(csv_download(
            a.export_disaggregation(id).await?,
            "participants-disaggregated",
        )),
        None | Some("") | Some("json") => Ok(Json(DisaggregationDto::from(
            a.training_disaggregation(id).await?,
        ))
        .into_response()),
        Some(other) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("format is invalid: '{other}'; use json or csv"),
        )),
    }
}

/// Participants of one training by sex, organisation type × sex and organisation × sex.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/disaggregation", params(("id" = String, Path), DisaggregationQuery),
    responses((status = 200, body = DisaggregationDto), (status = 404, body = ErrorBody)))]
async fn training_disaggregation(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DisaggregationQuery>,
) -> Result<Response, ApiError> {
    disaggregation(a, Some(&id), q.format.as_deref()).await
}

/// The same across every training you may read (nothing else is counted).
#[utoipa::path(get, path = "/api/v1/trainings/disaggregation", params(DisaggregationQuery),
    responses((status = 200, body = DisaggregationDto), (status = 404, body = ErrorBody)))]
async fn all_disaggregation(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<DisaggregationQuery>,
) -> Result<Response, ApiError> {
    disaggregation(a, None, q.format.as_deref()).await
}
