//! The fund API: instruments and their ceilings, applications and their workflow, payments and
//! amendments. Amounts go in as decimal strings (`"25000.00"`) and come out both as minor units
//! and as decimal strings; exchange rates are EUR per unit.

use crate::routes::{Routes, get, post, put};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use grotius_domain::fund::{
    self, Application, ApplicationInput, Ceiling, Instrument, InstrumentInput, WorkflowStep,
};
use grotius_store::{ApplicationFilter, LedgerEntry, PaymentInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

type ApiResult<T> = Result<Json<T>, ApiError>;

pub(crate) fn routes(r: &mut Routes) {
    r.route("/fund/workflow", get(workflow))
        .route(
            "/fund/instruments",
            get(list_instruments).post(create_instrument),
        )
        .route("/fund/instruments/{id}", get(get_instrument))
        .route("/fund/instruments/{id}/ceilings", put(set_ceiling))
        .route(
            "/fund/applications",
            get(list_applications).post(create_application),
        )
        .route(
            "/fund/applications/{id}",
            get(get_application)
                .put(update_application)
                .delete(delete_application),
        )
        .route("/fund/applications/{id}/transitions", post(transition))
        .route("/fund/applications/{id}/payments", post(payment))
        .route("/fund/applications/{id}/amendments", post(amendment));
}

#[derive(OpenApi)]
#[openapi(
    paths(
        workflow,
        list_instruments,
        create_instrument,
        get_instrument,
        set_ceiling,
        list_applications,
        create_application,
        get_application,
        update_application,
        delete_application,
        transition,
        payment,
        amendment
    ),
    components(schemas(
        WorkflowStepDto,
        InstrumentDto,
        InstrumentList,
        InstrumentInputDto,
        InstrumentDetailDto,
        CeilingDto,
        CeilingInputDto,
        ApplicationDto,
        ApplicationList,
        ApplicationInputDto,
        ApplicationDetailDto,
        StepDto,
        LedgerEntryDto,
        NextStepDto,
        FundTransitionInput,
        PaymentInputDto,
        AmendmentInput
    ))
)]
pub struct FundApi;

fn eur(cents: i64) -> String {
    fund::format_amount(cents, "EUR")
}

/// A row of the workflow table: who may move an application of a track from a state to another.
#[derive(Serialize, ToSchema)]
pub struct WorkflowStepDto {
    pub track: String,
    pub from: String,
    pub to: String,
    pub name: String,
    pub roles: Vec<String>,
    /// Whoever prepared or appraised the application may not fire this step.
    pub four_eyes: bool,
    /// none, prepare, appraise, commit (approval commits the money) or release.
    pub effect: String,
}

impl From<WorkflowStep> for WorkflowStepDto {
    fn from(s: WorkflowStep) -> Self {
        WorkflowStepDto {
            track: s.track,
            from: s.from,
            to: s.to,
            name: s.name,
            roles: s.roles.iter().map(|r| r.as_str().to_string()).collect(),
            four_eyes: s.four_eyes,
            effect: s.effect.as_str().to_string(),
        }
    }
}

/// The workflow of both tracks, as data.
#[utoipa::path(get, path = "/api/v1/fund/workflow",
    responses((status = 200, body = Vec<WorkflowStepDto>), (status = 404, body = ErrorBody)))]
async fn workflow(Caller(a): Caller) -> ApiResult<Vec<WorkflowStepDto>> {
    // Whoever may read instruments may read how the fund decides.
    a.list_instruments().await?;
    Ok(Json(
        a.fund_workflow()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentDto {
    pub id: String,
    pub code: String,
    pub name: String,
    pub oda: bool,
    pub max_months: i64,
    /// Euro cents, and as a decimal.
    pub grant_ceiling: i64,
    pub grant_ceiling_eur: String,
    pub fast_track_threshold: i64,
    pub fast_track_threshold_eur: String,
    pub fast_target_days: i64,
    pub standard_target_days: i64,
}

impl From<Instrument> for InstrumentDto {
    fn from(i: Instrument) -> Self {
        InstrumentDto {
            grant_ceiling_eur: eur(i.grant_ceiling),
            fast_track_threshold_eur: eur(i.fast_track_threshold),
            id: i.id,
            code: i.code,
            name: i.name,
            oda: i.oda,
            max_months: i.max_months,
            grant_ceiling: i.grant_ceiling,
            fast_track_threshold: i.fast_track_threshold,
            fast_target_days: i.fast_target_days,
            standard_target_days: i.standard_target_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentList {
    pub items: Vec<InstrumentDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentInputDto {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub oda: bool,
    pub max_months: i64,
    /// EUR, e.g. "500000.00".
    pub grant_ceiling: String,
    /// EUR; applications under it take the fast track.
    pub fast_track_threshold: String,
    /// Decision targets in working days.
    pub fast_target_days: i64,
    pub standard_target_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CeilingDto {
    pub year: i32,
    /// budget, country or theme.
    pub scope: String,
    pub key: String,
    pub amount: i64,
    pub amount_eur: String,
}

impl From<Ceiling> for CeilingDto {
    fn from(c: Ceiling) -> Self {
        CeilingDto {
            amount_eur: eur(c.amount),
            year: c.year,
            scope: c.scope,
            key: c.key,
            amount: c.amount,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentDetailDto {
    pub instrument: InstrumentDto,
    pub year: i32,
    pub ceilings: Vec<CeilingDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CeilingInputDto {
    pub year: i32,
    /// budget, country (ISO 3166 code in `key`) or theme (theme code in `key`).
    pub scope: String,
    #[serde(default)]
    pub key: String,
    /// EUR, e.g. "1000000.00".
    pub amount: String,
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    /// Fiscal year (default: the current year).
    pub year: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/fund/instruments",
    responses((status = 200, body = InstrumentList), (status = 404, body = ErrorBody)))]
async fn list_instruments(Caller(a): Caller) -> ApiResult<InstrumentList> {
    Ok(Json(InstrumentList {
        items: a
            .list_instruments()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/fund/instruments", request_body = InstrumentInputDto,
    responses((status = 201, body = InstrumentDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_instrument(
    Caller(a): Caller,
    ApiJson(i): ApiJson<InstrumentInputDto>,
) -> Result<(StatusCode, Json<InstrumentDto>), ApiError> {
    let input = InstrumentInput {
        code: i.code,
        name: i.name,
        oda: i.oda,
        max_months: i.max_months,
        grant_ceiling: i.grant_ceiling,
        fast_track_threshold: i.fast_track_threshold,
        fast_target_days: i.fast_target_days,
        standard_target_days: i.standard_target_days,
    };
    let created = a.create_instrument(&input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// An instrument with its budget and ceilings for a fiscal year.
#[utoipa::path(get, path = "/api/v1/fund/instruments/{id}", params(("id" = String, Path), YearQuery),
    responses((status = 200, body = InstrumentDetailDto), (status = 404, body = ErrorBody)))]
async fn get_instrument(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<InstrumentDetailDto> {
    let year = q
        .year
        .unwrap_or_else(crate::modules::fund::reports::api::this_year);
    let instrument = a.get_instrument(&id).await?;
    let ceilings = a.ceilings(&instrument.id, year).await?;
    Ok(Json(InstrumentDetailDto {
        instrument: instrument.into(),
        year,
        ceilings: ceilings.into_iter().map(Into::into).collect(),
    }))
}

/// Sets the annual budget (allocated in the ledger) or a ceiling per country or theme; never
/// below what is already committed under it (409).
#[utoipa::path(put, path = "/api/v1/fund/instruments/{id}/ceilings", params(("id" = String, Path)), request_body = CeilingInputDto,
    responses((status = 200, body = CeilingDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_ceiling(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<CeilingInputDto>,
) -> ApiResult<CeilingDto> {
    Ok(Json(
        a.set_ceiling(&id, c.year, &c.scope, &c.key, &c.amount)
            .await?
            .into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: String,
    /// Human reference, e.g. MF-2027-3F9A1C.
    pub reference: String,
    pub instrument_id: String,
    pub title: String,
    pub partner: String,
    pub process_ids: Vec<String>,
    pub currency: String,
    /// Minor units of `currency`, and as a decimal.
    pub amount: i64,
    pub amount_decimal: String,
    /// EUR per unit, as a decimal.
    pub rate: String,
    pub amount_eur: i64,
    pub amount_eur_decimal: String,
    pub start_date: String,
    pub months: i64,
    pub fiscal_year: i32,
    pub why_now: String,
    pub risk_note: String,
    /// OECD DAC CRS purpose code.
    pub purpose_code: String,
    /// Gender equality policy marker, 0–2.
    pub gender_marker: String,
    pub themes: Vec<String>,
    pub countries: Vec<String>,
    pub exclude_from_publication: bool,
    pub exclusion_reason: String,
    /// fast or standard.
    pub track: String,
    pub state: String,
    pub classification: String,
    pub compartment: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
}

impl From<Application> for ApplicationDto {
    fn from(a: Application) -> Self {
        ApplicationDto {
            amount_decimal: fund::format_amount(a.amount, &a.currency),
            rate: fund::format_rate(a.rate),
            amount_eur_decimal: eur(a.amount_eur),
            classification: a.labels.classification.as_str().into(),
            compartment: a.labels.compartment.as_ref().map(|c| c.as_str().into()),
            id: a.id,
            reference: a.reference,
            instrument_id: a.instrument_id,
            title: a.title,
            partner: a.partner,
            process_ids: a.process_ids,
            currency: a.currency,
            amount: a.amount,
            amount_eur: a.amount_eur,
            start_date: a.start_date,
            months: a.months,
            fiscal_year: a.fiscal_year,
            why_now: a.why_now,
            risk_note: a.risk_note,
            purpose_code: a.purpose_code,
            gender_marker: a.gender_marker,
            themes: a.themes,
            countries: a.countries,
            exclude_from_publication: a.exclude_from_publication,
            exclusion_reason: a.exclusion_reason,
            track: a.track,
            state: a.state,
            created_at: a.created_at,
            submitted_at: a.submitted_at,
            decided_at: a.decided_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<ApplicationDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInputDto {
    /// Instrument id or code.
    pub instrument_id: String,
    pub title: String,
    /// Ignored for partner users: they file for their own organisation.
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub process_ids: Vec<String>,
    /// ISO 4217.
    pub currency: String,
    /// Decimal, e.g. "25000.00".
    pub amount: String,
    /// EUR per unit (required unless the currency is EUR).
    #[serde(default)]
    pub rate: String,
    pub start_date: String,
    pub months: i64,
    #[serde(default)]
    pub why_now: String,
    #[serde(default)]
    pub risk_note: String,
    pub purpose_code: String,
    pub gender_marker: String,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub exclude_from_publication: bool,
    #[serde(default)]
    pub exclusion_reason: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<ApplicationInputDto> for ApplicationInput {
    fn from(d: ApplicationInputDto) -> Self {
        ApplicationInput {
            instrument_id: d.instrument_id,
            title: d.title,
            partner: d.partner,
            process_ids: d.process_ids,
            currency: d.currency,
            amount: d.amount,
            rate: d.rate,
            start_date: d.start_date,
            months: d.months,
            why_now: d.why_now,
            risk_note: d.risk_note,
            purpose_code: d.purpose_code,
            gender_marker: d.gender_marker,
            themes: d.themes,
            countries: d.countries,
            exclude_from_publication: d.exclude_from_publication,
            exclusion_reason: d.exclusion_reason,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Words in the title, partner or reference.
    pub q: Option<String>,
    pub state: Option<String>,
    pub track: Option<String>,
    pub instrument_id: Option<String>,
    pub year: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/fund/applications", params(ApplicationQuery),
    responses((status = 200, body = ApplicationList), (status = 404, body = ErrorBody)))]
async fn list_applications(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<ApplicationQuery>,
) -> ApiResult<ApplicationList> {
    let filter = ApplicationFilter {
        q: q.q,
        state: q.state,
        track: q.track,
        instrument_id: q.instrument_id,
        year: q.year,
    };
    let page = a
        .list_applications(&filter, q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await?;
    Ok(Json(ApplicationList {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }))
}

#[utoipa::path(post, path = "/api/v1/fund/applications", request_body = ApplicationInputDto,
    responses((status = 201, body = ApplicationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_application(
    Caller(a): Caller,
    ApiJson(input): ApiJson<ApplicationInputDto>,
) -> Result<(StatusCode, Json<ApplicationDto>), ApiError> {
    let created = a.create_application(&input.into()).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[derive(Serialize, ToSchema)]
pub struct StepDto {
    pub from_state: String,
    pub to_state: String,
    pub name: String,
    pub username: String,
    pub at: i64,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerEntryDto {
    pub id: String,
    /// commitment, amendment, disbursement, refund or decommitment.
    pub kind: String,
    pub currency: String,
    pub amount: i64,
    pub rate: String,
    pub amount_eur: i64,
    pub amount_eur_decimal: String,
    pub value_date: String,
    pub memo: String,
    pub username: String,
    pub at: i64,
}

impl From<LedgerEntry> for LedgerEntryDto {
    fn from(e: LedgerEntry) -> Self {
        LedgerEntryDto {
            rate: fund::format_rate(e.rate),
            amount_eur_decimal: eur(e.amount_eur),
            id: e.id,
            kind: e.kind,
            currency: e.currency,
            amount: e.amount,
            amount_eur: e.amount_eur,
            value_date: e.value_date,
            memo: e.memo,
            username: e.username,
            at: e.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NextStepDto {
    pub to: String,
    pub name: String,
}

/// An application with its steps, its money and what the caller may do next.
#[derive(Serialize, ToSchema)]
pub struct ApplicationDetailDto {
    pub application: ApplicationDto,
    pub instrument: InstrumentDto,
    /// Linked processes the caller may see.
    pub processes: Vec<String>,
    pub steps: Vec<StepDto>,
    /// Transactions (for callers who may read the ledger).
    pub ledger: Vec<LedgerEntryDto>,
    /// Euro cents committed and not yet paid; paid (net of refunds).
    pub committed: i64,
    pub disbursed: i64,
    pub next: Vec<NextStepDto>,
    /// Working days from submission to decision (or to now while undecided).
    pub decision_days: Option<i64>,
    pub target_days: i64,
}

#[utoipa::path(get, path = "/api/v1/fund/applications/{id}", params(("id" = String, Path)),
    responses((status = 200, body = ApplicationDetailDto), (status = 404, body = ErrorBody)))]
async fn get_application(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> ApiResult<ApplicationDetailDto> {
    let d = a.application_detail(&id).await?;
    Ok(Json(ApplicationDetailDto {
        application: d.application.into(),
        instrument: d.instrument.into(),
        processes: d.processes.into_iter().map(|(id, _)| id).collect(),
        steps: d
            .steps
            .into_iter()
            .map(|s| StepDto {
                from_state: s.from_state,
                to_state: s.to_state,
                name: s.name,
                username: s.username,
                at: s.at,
                note: s.note,
            })
            .collect(),
        ledger: d.ledger.into_iter().map(Into::into).collect(),
        committed: d.committed,
        disbursed: d.disbursed,
        next: d
            .next
            .into_iter()
            .map(|(to, name)| NextStepDto { to, name })
            .collect(),
        decision_days: d.decision_days,
        target_days: d.target_days,
    }))
}

/// Edits a draft.
#[utoipa::path(put, path = "/api/v1/fund/applications/{id}", params(("id" = String, Path)), request_body = ApplicationInputDto,
    responses((status = 200, body = ApplicationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_application(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ApplicationInputDto>,
) -> ApiResult<ApplicationDto> {
    Ok(Json(a.update_application(&id, &input.into()).await?.into()))
}

/// Deletes a draft or withdrawn application.
#[utoipa::path(delete, path = "/api/v1/fund/applications/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_application(
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    a.delete_application(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundTransitionInput {
    /// The state to move to (see /api/v1/fund/workflow).
    pub to: String,
    #[serde(default)]
    pub note: String,
}

/// Moves an application along its track. Approval commits the money within every budget and
/// ceiling or is refused (409); four-eyes refusals are 403.
#[utoipa::path(post, path = "/api/v1/fund/applications/{id}/transitions", params(("id" = String, Path)), request_body = FundTransitionInput,
    responses((status = 200, body = ApplicationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transition(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(t): ApiJson<FundTransitionInput>,
) -> ApiResult<ApplicationDto> {
    Ok(Json(
        a.transition_application(&id, &t.to, &t.note).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInputDto {
    /// disbursement, refund or decommitment.
    pub kind: String,
    pub currency: String,
    pub amount: String,
    #[serde(default)]
    pub rate: String,
    pub value_date: String,
    #[serde(default)]
    pub memo: String,
}

/// Records a disbursement, refund or de-commitment (controllers).
#[utoipa::path(post, path = "/api/v1/fund/applications/{id}/payments", params(("id" = String, Path)), request_body = PaymentInputDto,
    responses((status = 201, body = LedgerEntryDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn payment(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<PaymentInputDto>,
) -> Result<(StatusCode, Json<LedgerEntryDto>), ApiError> {
    let input = PaymentInput {
        kind: p.kind,
        currency: p.currency,
        amount: p.amount,
        rate: p.rate,
        value_date: p.value_date,
        memo: p.memo,
    };
    let e = a.record_payment(&id, &input).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentInput {
    /// Change of the committed amount in EUR, e.g. "15000.00" or "-5000.00".
    pub amount: String,
    #[serde(default)]
    pub note: String,
}

/// Changes the committed amount of an approved grant (approvers, four-eyes; within ceilings).
#[utoipa::path(post, path = "/api/v1/fund/applications/{id}/amendments", params(("id" = String, Path)), request_body = AmendmentInput,
    responses((status = 201, body = LedgerEntryDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn amendment(
    Caller(a): Caller,
    Path(id): Path<String>,
    ApiJson(m): ApiJson<AmendmentInput>,
) -> Result<(StatusCode, Json<LedgerEntryDto>), ApiError> {
    let e = a.amend_commitment(&id, &m.amount, &m.note).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}
