//! Incidents API: incidents with acts and persons (pseudonyms only), verification, evidence
//! links, the custodian's identity opening, the violation-type vocabulary, CSV imports (AWSD,
//! Yemen Data Project) and the CSV export.

use crate::routes::{Routes, get, post};
use axum::Json;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use grotius_domain::incident::{
    ImportFormat, Incident, IncidentInput, IncidentPerson, PersonInput,
};
use grotius_store::{IncidentFilter, IncidentImportJob, IncidentImportReport, IncidentImportStart};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/incidents", get(list_incidents).post(create_incident))
        .route("/incidents/export", get(export_incidents))
        .route(
            "/incidents/import",
            post(import_incidents).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/incidents/imports/{id}", get(import_job))
        .route("/incidents/vocabulary", get(vocabulary).post(add_term))
        .route(
            "/incidents/vocabulary/{code}",
            crate::routes::patch(set_term),
        )
        .route("/incidents/persons/{id}/identity", post(open_identity))
        .route("/incidents/{id}", get(get_incident).put(update_incident))
        .route("/incidents/{id}/verification", post(verify_incident))
        .route(
            "/incidents/{id}/persons",
            get(list_persons).post(add_person),
        )
        .route(
            "/incidents/{id}/persons/{person}/safeguards",
            crate::routes::put(set_safeguards),
        )
        .route(
            "/incidents/{id}/evidence",
            get(list_evidence).post(link_evidence),
        );
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_incidents,
        create_incident,
        export_incidents,
        import_incidents,
        import_job,
        vocabulary,
        add_term,
        set_term,
        open_identity,
        get_incident,
        update_incident,
        verify_incident,
        list_persons,
        add_person,
        set_safeguards,
        list_evidence,
        link_evidence
    ),
    components(schemas(
        IncidentDto,
        IncidentList,
        IncidentInputDto,
        ActDto,
        VictimDto,
        AidDto,
        PersonDto,
        PersonInputDto,
        IdentityDto,
        IdentityOpened,
        ReasonDto,
        SafeguardsDto,
        VerifyDto,
        LinkDto,
        TermDto,
        TermInputDto,
        TermStateDto,
        ImportReportDto,
        IncidentImportJobDto,
        ImportProblemDto,
        EvidenceRefDto
    ))
)]
pub struct IncidentsApi;

fn conv<A: Serialize, B: DeserializeOwned>(a: A) -> Result<B, ApiError> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

/// Casualty counts of an act: one row per sex × age group × status.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct VictimDto {
    /// female, male, unknown
    pub sex: String,
    /// child, adult, elderly, unknown
    pub age_group: String,
    /// civilian, combatant, unknown
    pub status: String,
    pub killed: i64,
    pub injured: i64,
    /// Detained, kidnapped, disappeared, displaced…
    pub other: i64,
}

/// An act: a violation (a code of the vocabulary) with its casualties and ratings.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActDto {
    pub violation: String,
    #[serde(default)]
    pub victims: Vec<VictimDto>,
    /// An organisation or a source's pseudonym, never a name.
    #[serde(default)]
    pub source: String,
    /// A–F (Admiralty source reliability)
    pub reliability: String,
    /// 1–6 (information credibility)
    pub credibility: String,
}

/// AWSD fields of an attack on aid workers.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AidDto {
    /// un, ingo, lngo, icrc, ifrc, other
    #[serde(default)]
    pub org_types: Vec<String>,
    #[serde(default)]
    pub nationals_killed: i64,
    #[serde(default)]
    pub nationals_wounded: i64,
    #[serde(default)]
    pub nationals_kidnapped: i64,
    #[serde(default)]
    pub internationals_killed: i64,
    #[serde(default)]
    pub internationals_wounded: i64,
    #[serde(default)]
    pub internationals_kidnapped: i64,
    #[serde(default)]
    pub means: String,
    #[serde(default)]
    pub context: String,
}

/// An incident (HURIDOCS event).
#[derive(Serialize, ToSchema)]
pub struct IncidentDto {
    pub id: String,
    /// manual, awsd, yemen-dp
    pub source: String,
    pub source_id: Option<String>,
    pub title: String,
    pub description: String,
    pub date: String,
    /// exact, day, month, year
    pub date_precision: String,
    pub year: i64,
    pub place: String,
    pub admin_area: String,
    /// point, admin, country
    pub place_precision: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country: Option<String>,
    pub context: String,
    pub reliability: String,
    pub credibility: String,
    /// reported, plausible, verified
    pub verification: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    pub acts: Vec<ActDto>,
    pub aid: Option<AidDto>,
    /// Source-specific attributes as [key, value] pairs.
    pub extra: Vec<(String, String)>,
    pub killed: i64,
    pub injured: i64,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl IncidentDto {
    fn from(i: Incident) -> Result<Self, ApiError> {
        Ok(IncidentDto {
            killed: i.killed(),
            injured: i.injured(),
            acts: conv(&i.acts)?,
            aid: i.aid.as_ref().map(conv).transpose()?,
            classification: i.labels.classification.as_str().into(),
            compartment: i.labels.compartment.map(|c| c.to_string()),
            id: i.id,
            source: i.source,
            source_id: i.source_id,
            title: i.title,
            description: i.description,
            date: i.date,
            date_precision: i.date_precision,
            year: i.year,
            place: i.place,
            admin_area: i.admin_area,
            place_precision: i.place_precision,
            lat: i.lat,
            lon: i.lon,
            country: i.country,
            context: i.context,
            reliability: i.reliability,
            credibility: i.credibility,
            verification: i.verification,
            verified_by: i.verified_by,
            verified_at: i.verified_at,
            extra: i.extra,
            created_at: i.created_at,
            updated_at: i.updated_at,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentDto>,
    /// Incidents you may read under this filter.
    pub total: i64,
    pub killed: i64,
    pub injured: i64,
    /// [status, count] under this filter.
    pub by_verification: Vec<(String, i64)>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentInputDto {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// As precise as date_precision: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM.
    pub date: String,
    #[serde(default)]
    pub date_precision: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub admin_area: String,
    #[serde(default)]
    pub place_precision: String,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub context: String,
    #[serde(default)]
    pub reliability: String,
    #[serde(default)]
    pub credibility: String,
    #[serde(default)]
    pub acts: Vec<ActDto>,
    #[serde(default)]
    pub aid: Option<AidDto>,
    pub classification: String,
    /// Required: incidents live in a compartment.
    pub compartment: Option<String>,
}

/// A person by pseudonym (never a name).
#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    pub id: String,
    pub incident_id: String,
    pub pseudonym: String,
    /// victim, perpetrator, source, intervening
    pub role: String,
    /// Shown only when you may see that actor.
    pub actor_id: Option<String>,
    /// given, withdrawn, not-sought, unknown
    pub consent: String,
    /// low, medium, high
    pub risk: String,
    pub sex: String,
    pub age_group: String,
    pub reliability: String,
    pub credibility: String,
    pub has_identity: bool,
    pub created_at: i64,
}

impl From<IncidentPerson> for PersonDto {
    fn from(p: IncidentPerson) -> Self {
        PersonDto {
            id: p.id,
            incident_id: p.incident_id,
            pseudonym: p.pseudonym,
            role: p.role,
            actor_id: p.actor_id,
            consent: p.consent,
            risk: p.risk,
            sex: p.sex,
            age_group: p.age_group,
            reliability: p.reliability,
            credibility: p.credibility,
            has_identity: p.has_identity,
            created_at: p.created_at,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct IdentityDto {
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub details: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInputDto {
    pub role: String,
    #[serde(default)]
    pub actor_id: Option<String>,
    #[serde(default)]
    pub consent: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub age_group: String,
    #[serde(default)]
    pub reliability: String,
    #[serde(default)]
    pub credibility: String,
    /// The real identity, kept in the identity store (custodian only); needs the right to file it.
    #[serde(default)]
    pub identity: Option<IdentityDto>,
}

#[derive(Serialize, ToSchema)]
pub struct IdentityOpened {
    pub person: PersonDto,
    pub identity: IdentityDto,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SafeguardsDto {
    /// given, withdrawn, not-sought or unknown.
    pub consent: String,
    /// low, medium or high.
    pub risk: String,
    /// Why it changed (recorded in the audit log).
    pub note: String,
}

/// Records a change of a person's consent or risk level (e.g. consent withdrawn), audited with
/// the old and new values and the reason.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/persons/{person}/safeguards",
    params(("id" = String, Path), ("person" = String, Path)), request_body = SafeguardsDto,
    responses((status = 200, body = PersonDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_safeguards(
    Caller(a): Caller,
    Path((id, person)): Path<(String, String)>,
    ApiJson(s): ApiJson<SafeguardsDto>,
) -> Result<Json<PersonDto>, ApiError> {
    let p = a
        .set_person_safeguards(&id, &person, &s.consent, &s.risk, &s.note)
        .await?;
    Ok(Json(p.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonDto {
    /// Why the identity is opened (recorded in the audit log), at least 10 characters.
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct VerifyDto {
    /// reported, plausible, verified (one step forward, or back)
    pub to: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LinkDto {
    pub item_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceRefDto {
    pub id: String,
    pub title: String,
    pub sha256: String,
    pub classification: String,
}

#[derive(Serialize, ToSchema)]
pub struct TermDto {
    pub code: String,
    pub label_en: String,
    pub label_nl: String,
    pub deprecated: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct TermInputDto {
    pub code: String,
    pub label_en: String,
    pub label_nl: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TermStateDto {
    pub deprecated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ImportProblemDto {
    /// As numbered in the file (the header is row 1).
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    pub rows: usize,
    pub valid: usize,
    pub imported: usize,
    /// Rows already imported earlier (left unchanged).
    pub unchanged: usize,
    pub problems: Vec<ImportProblemDto>,
}

impl From<IncidentImportReport> for ImportReportDto {
    fn from(r: IncidentImportReport) -> Self {
        ImportReportDto {
            rows: r.rows,
            valid: r.valid,
            imported: r.imported,
            unchanged: r.unchanged,
            problems: r
                .problems
                .into_iter()
                .map(|p| ImportProblemDto {
                    row: p.row,
                    column: p.column,
                    value: p.value,
                    message: p.message,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub q: Option<String>,
    /// ISO 3166-1 alpha-2
    pub country: Option<String>,
    /// A violation-type code.
    pub violation: Option<String>,
    /// reported, plausible, verified
    pub verification: Option<String>,
    pub year: Option<i64>,
    /// manual, awsd, yemen-dp
    pub source: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> IncidentFilter {
        IncidentFilter {
            q: self.q.clone(),
            country: self.country.clone(),
            violation: self.violation.clone(),
            verification: self.verification.clone(),
            year: self.year,
            source: self.source.clone(),
        }
    }
}

/// Incidents you may read, newest first, with totals and counts over the same.
#[utoipa::path(get, path = "/api/v1/incidents", params(ListQuery),
    responses((status = 200, body = IncidentList), (status = 404, body = ErrorBody)))]
async fn list_incidents(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<IncidentList>, ApiError> {
    let page = a
        .list_incidents(&q.filter(), q.limit.unwrap_or(100), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(IncidentList {
        items: page
            .items
            .into_iter()
            .map(IncidentDto::from)
            .collect::<Result<_, _>>()?,
        total: page.total,
        killed: page.killed,
        injured: page.injured,
        by_verification: page.by_verification,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/incidents", request_body = IncidentInputDto,
    responses((status = 201, body = IncidentDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_incident(
    Caller(a): Caller,
    ApiJson(input): ApiJson<IncidentInputDto>,
) -> Result<(StatusCode, Json<IncidentDto>), ApiError> {
    let input: IncidentInput = conv(input)?;
    let i = a.create_incident(&input).await?;
    Ok((StatusCode::CREATED, Json(IncidentDto::from(i)?)))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", params(("id" = String, Path)),
    responses((status = 200, body = IncidentDto), (status = 404, body = ErrorBody)))]
async fn get_incident(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<IncidentDto>, ApiError> {
    Ok(Json(IncidentDto::from(a.get_incident(&id).await?)?))
}

#[utoipa::path(put, path = "/api/v1/incidents/{id}", params(("id" = String, Path)), request_body = IncidentInputDto,
    responses((status = 200, body = IncidentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_incident(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<IncidentInputDto>,
) -> Result<Json<IncidentDto>, ApiError> {
    let input: IncidentInput = conv(input)?;
    Ok(Json(IncidentDto::from(
        a.update_incident(&id, &input).await?,
    )?))
}

/// Moves the verification status (audited with who and when).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/verification", params(("id" = String, Path)), request_body = VerifyDto,
    responses((status = 200, body = IncidentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn verify_incident(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(v): ApiJson<VerifyDto>,
) -> Result<Json<IncidentDto>, ApiError> {
    Ok(Json(IncidentDto::from(
        a.verify_incident(&id, &v.to, &v.note).await?,
    )?))
}

/// The persons of an incident, by pseudonym.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/persons", params(("id" = String, Path)),
    responses((status = 200, body = [PersonDto]), (status = 404, body = ErrorBody)))]
async fn list_persons(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<PersonDto>>, ApiError> {
    Ok(Json(
        a.incident_persons(&id)
            .await?
            .into_iter()
            .map(PersonDto::from)
            .collect(),
    ))
}

/// Adds a person under a new pseudonym.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/persons", params(("id" = String, Path)), request_body = PersonInputDto,
    responses((status = 201, body = PersonDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_person(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PersonInputDto>,
) -> Result<(StatusCode, Json<PersonDto>), ApiError> {
    let input: PersonInput = conv(input)?;
    let p = a.add_incident_person(&id, &input).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Opens the real identity behind a pseudonym (custodian only; audited with the reason).
#[utoipa::path(post, path = "/api/v1/incidents/persons/{id}/identity", params(("id" = String, Path)), request_body = ReasonDto,
    responses((status = 200, body = IdentityOpened), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_identity(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<ReasonDto>,
) -> Result<Response, ApiError> {
    let (p, ident) = a.open_person_identity(&id, &r.reason).await?;
    let body = IdentityOpened {
        person: p.into(),
        identity: IdentityDto {
            name: ident.name,
            contact: ident.contact,
            details: ident.details,
        },
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// Evidence items linked to an incident that you may see.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence", params(("id" = String, Path)),
    responses((status = 200, body = [EvidenceRefDto]), (status = 404, body = ErrorBody)))]
async fn list_evidence(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<EvidenceRefDto>>, ApiError> {
    Ok(Json(
        a.incident_evidence(&id)
            .await?
            .into_iter()
            .map(|e| EvidenceRefDto {
                id: e.id,
                title: e.capture.title,
                sha256: e.sha256,
                classification: e.labels.classification.as_str().into(),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/evidence", params(("id" = String, Path)), request_body = LinkDto,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_evidence(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(l): ApiJson<LinkDto>,
) -> Result<StatusCode, ApiError> {
    a.link_incident_evidence(&id, &l.item_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The violation-type vocabulary.
#[utoipa::path(get, path = "/api/v1/incidents/vocabulary",
    responses((status = 200, body = [TermDto]), (status = 404, body = ErrorBody)))]
async fn vocabulary(Caller(a): Caller) -> Result<Json<Vec<TermDto>>, ApiError> {
    Ok(Json(
        a.violation_types()
            .await?
            .into_iter()
            .map(|v| TermDto {
                code: v.code,
                label_en: v.label_en,
                label_nl: v.label_nl,
                deprecated: v.deprecated,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/incidents/vocabulary", request_body = TermInputDto,
    responses((status = 201, body = TermDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_term(
    Caller(a): Caller,
    ApiJson(t): ApiJson<TermInputDto>,
) -> Result<(StatusCode, Json<TermDto>), ApiError> {
    let v = a
        .add_violation_type(&t.code, &t.label_en, &t.label_nl)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TermDto {
            code: v.code,
            label_en: v.label_en,
            label_nl: v.label_nl,
            deprecated: v.deprecated,
        }),
    ))
}

/// Deprecates or restores a term.
#[utoipa::path(patch, path = "/api/v1/incidents/vocabulary/{code}", params(("code" = String, Path)), request_body = TermStateDto,
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn set_term(
    Caller(a): Caller,
    Path(code): Path<String>,
    ApiJson(s): ApiJson<TermStateDto>,
) -> Result<StatusCode, ApiError> {
    a.set_violation_deprecated(&code, s.deprecated).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// awsd or yemen-raids
    pub format: String,
    pub classification: String,
    pub compartment: String,
    #[serde(default)]
    pub valid_rows_only: bool,
}

/// An incident import job: progress while it runs, the report when it is done.
#[derive(Serialize, ToSchema)]
pub struct IncidentImportJobDto {
    pub id: String,
    /// running, done, failed, interrupted (running but not heard from for ten minutes: the rows
    /// written so far stay; importing the same file again writes the rest)
    pub status: String,
    /// awsd or yemen-raids
    pub source: String,
    pub file_name: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub started_by: String,
    pub started_at: i64,
    pub updated_at: i64,
    /// Rows to write (rows imported earlier not counted) and written so far.
    pub rows_total: i64,
    pub rows_done: i64,
    pub report: Option<ImportReportDto>,
    pub error: Option<String>,
    /// Where to poll.
    pub status_url: String,
}

impl From<IncidentImportJob> for IncidentImportJobDto {
    fn from(j: IncidentImportJob) -> Self {
        IncidentImportJobDto {
            status_url: format!("/api/v1/incidents/imports/{}", j.id),
            id: j.id,
            status: j.status,
            source: j.source,
            file_name: j.file_name,
            classification: j.labels.classification.as_str().to_string(),
            compartment: j.labels.compartment.map(|c| c.to_string()),
            started_by: j.started_by,
            started_at: j.started_at,
            updated_at: j.updated_at,
            rows_total: j.rows_total,
            rows_done: j.rows_done,
            report: j.report.map(ImportReportDto::from),
            error: j.error,
        }
    }
}

/// Imports a CSV file (the request body). Every row is checked while you wait: a refused file
/// (a bad row without valid_rows_only, or a bad header) answers 422 with the report and changes
/// nothing. Otherwise the rows are written by a job: the answer (202) names it; poll
/// `status_url` until `status` is done or failed. Rows already imported are left unchanged, so
/// an interrupted import is finished by importing the same file again.
#[utoipa::path(post, path = "/api/v1/incidents/import", params(ImportQuery), request_body(content = String, content_type = "text/csv"),
    responses((status = 202, body = IncidentImportJobDto), (status = 422, body = ImportReportDto), (status = 404, body = ErrorBody)))]
async fn import_incidents(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let Some(format) = ImportFormat::parse(&q.format) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "format is invalid: awsd or yemen-raids",
        ));
    };
    match a
        .start_incident_import(
            format,
            &format!("{}.csv", format.source()),
            &body,
            &q.classification,
            &q.compartment,
            q.valid_rows_only,
        )
        .await?
    {
        IncidentImportStart::Refused(r) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportReportDto::from(r)),
        )
            .into_response()),
        IncidentImportStart::Started(id) => Ok((
            StatusCode::ACCEPTED,
            Json(IncidentImportJobDto::from(
                a.incident_import_job(&id).await?,
            )),
        )
            .into_response()),
    }
}

/// An import job (for those who may import into its compartment).
#[utoipa::path(get, path = "/api/v1/incidents/imports/{id}", params(("id" = String, Path)),
    responses((status = 200, body = IncidentImportJobDto), (status = 404, body = ErrorBody)))]
async fn import_job(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<Json<IncidentImportJobDto>, ApiError> {
    Ok(Json(a.incident_import_job(&id).await?.into()))
}

/// The incidents you may export, as CSV (pseudonymised; never identities).
#[utoipa::path(get, path = "/api/v1/incidents/export", params(ListQuery),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = ErrorBody)))]
async fn export_incidents(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let csv = a.export_incidents_csv(&q.filter()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"incidents.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
