//! Analyses API: versioned actor maps, process maps and conflict analyses of a process.

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::analysis::{
    ActorMapRow, Analysis, AnalysisDiff, AnalysisSummary, NewAnalysis, NewVersion, VersionInfo,
};
use grotius_store::RestoreRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route(
        "/processes/{id}/analyses",
        get(list_analyses).post(create_analysis),
    )
    .route("/analyses/{id}", get(get_analysis).delete(delete_analysis))
    .route(
        "/analyses/{id}/versions",
        get(list_versions).post(save_version),
    )
    .route("/analyses/{id}/diff", get(diff))
    .route("/analyses/{id}/restore", post(restore));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_analyses,
        create_analysis,
        get_analysis,
        delete_analysis,
        list_versions,
        save_version,
        diff,
        restore
    ),
    components(schemas(
        ActorMapRowDto,
        AnalysisDto,
        AnalysisSummaryDto,
        AnalysisList,
        NewAnalysisDto,
        NewVersionDto,
        VersionInfoDto,
        VersionList,
        RestoreDto,
        DiffDto,
        DiffHunkDto,
        DiffLineDto,
        RowChangeDto
    ))
)]
pub struct AnalysesApi;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorMapRowDto {
    /// An actor id of the network.
    pub actor_id: String,
    /// champion, supportive, neutral, ambivalent, opposed, spoiler
    pub stance: String,
    /// 1 (marginal) to 5 (decisive).
    pub influence: i64,
    #[serde(default)]
    pub interests: String,
}

impl From<ActorMapRow> for ActorMapRowDto {
    fn from(r: ActorMapRow) -> Self {
        ActorMapRowDto {
            actor_id: r.actor_id,
            stance: r.stance,
            influence: r.influence,
            interests: r.interests,
        }
    }
}

impl From<ActorMapRowDto> for ActorMapRow {
    fn from(r: ActorMapRowDto) -> Self {
        ActorMapRow {
            actor_id: r.actor_id,
            stance: r.stance,
            influence: r.influence,
            interests: r.interests,
        }
    }
}

/// An analysis with the content of one version.
#[derive(Serialize, ToSchema)]
pub struct AnalysisDto {
    pub id: String,
    pub process_id: String,
    /// actor-map, process-map, conflict-analysis
    pub kind: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub latest_version: i64,
    /// The version shown.
    pub version: i64,
    pub title: String,
    pub body: String,
    /// Actor-map rows whose actor you may see.
    pub rows: Vec<ActorMapRowDto>,
    pub author: String,
    pub note: String,
    pub restored_from: Option<i64>,
    /// Unix microseconds of this version.
    pub saved_at: i64,
    pub created_at: i64,
}

impl From<Analysis> for AnalysisDto {
    fn from(a: Analysis) -> Self {
        let v = a.version;
        AnalysisDto {
            id: a.id,
            process_id: a.process_id,
            kind: a.kind,
            classification: a.labels.classification.as_str().into(),
            compartment: a.labels.compartment.map(|c| c.to_string()),
            latest_version: a.latest_version,
            version: v.number,
            title: v.content.title,
            body: v.content.body,
            rows: v.content.rows.into_iter().map(Into::into).collect(),
            author: v.author_name,
            note: v.note,
            restored_from: v.restored_from,
            saved_at: v.created_at,
            created_at: a.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnalysisSummaryDto {
    pub id: String,
    pub process_id: String,
    pub kind: String,
    pub title: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub latest_version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

impl From<AnalysisSummary> for AnalysisSummaryDto {
    fn from(a: AnalysisSummary) -> Self {
        AnalysisSummaryDto {
            id: a.id,
            process_id: a.process_id,
            kind: a.kind,
            title: a.title,
            classification: a.labels.classification.as_str().into(),
            compartment: a.labels.compartment.map(|c| c.to_string()),
            latest_version: a.latest_version,
            updated_at: a.updated_at,
            updated_by: a.updated_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnalysisList {
    pub items: Vec<AnalysisSummaryDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnalysisDto {
    /// actor-map, process-map, conflict-analysis
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// Only for actor maps.
    #[serde(default)]
    pub rows: Vec<ActorMapRowDto>,
    /// At least the process's classification.
    pub classification: String,
    /// The process's compartment.
    #[serde(default)]
    pub compartment: Option<String>,
    /// Change note of version 1.
    #[serde(default)]
    pub note: String,
}

impl From<NewAnalysisDto> for NewAnalysis {
    fn from(d: NewAnalysisDto) -> Self {
        NewAnalysis {
            kind: d.kind,
            title: d.title,
            body: d.body,
            rows: d.rows.into_iter().map(Into::into).collect(),
            classification: d.classification,
            compartment: d.compartment,
            note: d.note,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVersionDto {
    /// The version you edited. If another version was saved since, the save is refused (409).
    pub base_version: i64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// The whole map (rows of actors you cannot see are kept as they were).
    #[serde(default)]
    pub rows: Vec<ActorMapRowDto>,
    /// Raise the classification; absent keeps it (it is never lowered).
    #[serde(default)]
    pub classification: Option<String>,
    #[serde(default)]
    pub note: String,
}

impl From<NewVersionDto> for NewVersion {
    fn from(d: NewVersionDto) -> Self {
        NewVersion {
            base_version: d.base_version,
            title: d.title,
            body: d.body,
            rows: d.rows.into_iter().map(Into::into).collect(),
            classification: d.classification,
            note: d.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionInfoDto {
    pub version: i64,
    pub title: String,
    pub author: String,
    pub saved_at: i64,
    pub note: String,
    pub restored_from: Option<i64>,
}

impl From<VersionInfo> for VersionInfoDto {
    fn from(v: VersionInfo) -> Self {
        VersionInfoDto {
            version: v.number,
            title: v.title,
            author: v.author_name,
            saved_at: v.created_at,
            note: v.note,
            restored_from: v.restored_from,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VersionList {
    pub analysis_id: String,
    pub latest_version: i64,
    /// Newest first.
    pub items: Vec<VersionInfoDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreDto {
    /// The old version whose content becomes the new latest version.
    pub version: i64,
    /// The latest version you saw; if another was saved since, the restore is refused (409).
    #[serde(default)]
    pub base_version: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DiffLineDto {
    /// context, removed, added
    pub tag: String,
    pub old_line: Option<usize>,
    pub new_line: Option<usize>,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct DiffHunkDto {
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<DiffLineDto>,
}

#[derive(Serialize, ToSchema)]
pub struct RowChangeDto {
    pub actor_id: String,
    /// added, removed, changed
    pub change: String,
    pub before: Option<ActorMapRowDto>,
    pub after: Option<ActorMapRowDto>,
    /// For changed rows: stance, influence, interests.
    pub fields: Vec<String>,
}

/// What changed from one version to another: body lines (as a unified diff), title, actor rows.
#[derive(Serialize, ToSchema)]
pub struct DiffDto {
    pub from: i64,
    pub to: i64,
    pub title_before: Option<String>,
    pub title_after: Option<String>,
    pub lines_added: usize,
    pub lines_removed: usize,
    pub hunks: Vec<DiffHunkDto>,
    pub rows: Vec<RowChangeDto>,
    /// The body diff as unified-diff text.
    pub unified: String,
}

fn tag_str<T: Serialize>(t: &T) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<AnalysisDiff> for DiffDto {
    fn from(d: AnalysisDiff) -> Self {
        let mut unified = format!("--- version {}\n+++ version {}\n", d.from, d.to);
        for h in &d.hunks {
            unified.push_str(&h.header());
            unified.push('\n');
            for l in &h.lines {
                let sign = match l.tag {
                    grotius_domain::analysis::LineTag::Context => ' ',
                    grotius_domain::analysis::LineTag::Removed => '-',
                    grotius_domain::analysis::LineTag::Added => '+',
                };
                unified.push(sign);
                unified.push_str(&l.text);
                unified.push('\n');
            }
        }
        let (title_before, title_after) = match d.title {
            Some((a, b)) => (Some(a), Some(b)),
            None => (None, None),
        };
        DiffDto {
            from: d.from,
            to: d.to,
            title_before,
            title_after,
            lines_added: d.lines_added,
            lines_removed: d.lines_removed,
            hunks: d
                .hunks
                .into_iter()
                .map(|h| DiffHunkDto {
                    header: h.header(),
                    lines: h
                        .lines
                        .into_iter()
                        .map(|l| DiffLineDto {
                            tag: tag_str(&l.tag),
                            old_line: l.old_line,
                            new_line: l.new_line,
                            text: l.text,
                        })
                        .collect(),
                })
                .collect(),
            rows: d
                .rows
                .into_iter()
                .map(|r| RowChangeDto {
                    change: tag_str(&r.kind),
                    actor_id: r.actor_id,
                    before: r.before.map(Into::into),
                    after: r.after.map(Into::into),
                    fields: r.fields,
                })
                .collect(),
            unified,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct VersionQuery {
    /// A version number; the latest if absent.
    pub version: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// The older version.
    pub from: i64,
    /// The newer version.
    pub to: i64,
}

/// The analyses of a process you may see, most recently changed first.
#[utoipa::path(get, path = "/api/v1/processes/{id}/analyses", params(("id" = String, Path)),
    responses((status = 200, body = AnalysisList), (status = 404, body = ErrorBody)))]
async fn list_analyses(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<AnalysisList>, ApiError> {
    Ok(Json(AnalysisList {
        items: a
            .list_analyses(&id)
            .await?
            .into_iter()
            .map(AnalysisSummaryDto::from)
            .collect(),
    }))
}

/// A new analysis of a process; its content becomes version 1.
#[utoipa::path(post, path = "/api/v1/processes/{id}/analyses", params(("id" = String, Path)), request_body = NewAnalysisDto,
    responses((status = 201, body = AnalysisDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_analysis(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<NewAnalysisDto>,
) -> Result<(StatusCode, Json<AnalysisDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.create_analysis(&id, &d.into()).await?.into()),
    ))
}

/// An analysis with its latest version, or the version named by `?version=N`.
#[utoipa::path(get, path = "/api/v1/analyses/{id}", params(("id" = String, Path), VersionQuery),
    responses((status = 200, body = AnalysisDto), (status = 404, body = ErrorBody)))]
async fn get_analysis(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<AnalysisDto>, ApiError> {
    Ok(Json(a.get_analysis(&id, q.version).await?.into()))
}

/// Deletes an analysis with all its versions.
#[utoipa::path(delete, path = "/api/v1/analyses/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_analysis(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_analysis(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The versions of an analysis, newest first.
#[utoipa::path(get, path = "/api/v1/analyses/{id}/versions", params(("id" = String, Path)),
    responses((status = 200, body = VersionList), (status = 404, body = ErrorBody)))]
async fn list_versions(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<VersionList>, ApiError> {
    let (head, versions) = a.analysis_history(&id).await?;
    Ok(Json(VersionList {
        analysis_id: head.id,
        latest_version: head.latest_version,
        items: versions.into_iter().map(Into::into).collect(),
    }))
}

/// Saves a new version on top of `base_version`. 409 if someone else saved since: nothing is
/// written, and the message names the newer version.
#[utoipa::path(post, path = "/api/v1/analyses/{id}/versions", params(("id" = String, Path)), request_body = NewVersionDto,
    responses((status = 201, body = AnalysisDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_version(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<NewVersionDto>,
) -> Result<(StatusCode, Json<AnalysisDto>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(a.save_analysis_version(&id, &d.into()).await?.into()),
    ))
}

/// What changed between two versions (line-level for the body, row-level for actor maps).
#[utoipa::path(get, path = "/api/v1/analyses/{id}/diff", params(("id" = String, Path), DiffQuery),
    responses((status = 200, body = DiffDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn diff(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> Result<Json<DiffDto>, ApiError> {
    let (_, d) = a.diff_analysis(&id, q.from, q.to).await?;
    Ok(Json(d.into()))
}

/// Restores an old version as a new one ("restored from version N").
#[utoipa::path(post, path = "/api/v1/analyses/{id}/restore", params(("id" = String, Path)), request_body = RestoreDto,
    responses((status = 201, body = AnalysisDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn restore(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<RestoreDto>,
) -> Result<(StatusCode, Json<AnalysisDto>), ApiError> {
    let req = RestoreRequest {
        version: d.version,
        base_version: d.base_version,
    };
    Ok((
        StatusCode::CREATED,
        Json(a.restore_analysis_version(&id, &req).await?.into()),
    ))
}
