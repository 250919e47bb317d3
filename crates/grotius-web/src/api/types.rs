//! Request and response bodies of the API, with their OpenAPI schemas. They mirror the domain
//! types so that the domain crate stays free of web concerns.

use grotius_domain::audit::AuditEntry;
use grotius_domain::process::{Process, ProcessInput};
use grotius_domain::reference::{Country, Term};
use grotius_domain::{Classification, Role};
use grotius_store::{
    ApiTokenInfo, CompartmentInfo, MemberInfo, NewUser, StoreError, UserInfo, UserUpdate,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// Current TOTP code or a recovery code, when the account has a second factor.
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub token_type: String,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub username: String,
    pub roles: Vec<String>,
    pub clearance: String,
    pub compartments: Vec<String>,
    pub read_only: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct ProcessQuery {
    /// Words in title, codename or summary.
    pub q: Option<String>,
    /// ISO 3166-1 code (alpha-2, alpha-3 or numeric).
    pub country: Option<String>,
    pub status: Option<String>,
    pub theme: Option<String>,
    /// 1 to 500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcessDto {
    pub id: String,
    pub title: String,
    pub codename: Option<String>,
    pub countries: Vec<String>,
    pub phase: String,
    pub tracks: Vec<String>,
    pub dutch_role: String,
    pub status: String,
    pub themes: Vec<String>,
    /// Who else is engaged, and in what role.
    pub engaged: Vec<EngagedPartyDto>,
    pub summary: String,
    /// Confidential notes (encrypted at rest, shown to those who may read the process).
    pub notes: String,
    pub classification: String,
    pub compartment: Option<String>,
    /// Unix microseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Process> for ProcessDto {
    fn from(p: Process) -> Self {
        ProcessDto {
            id: p.id,
            title: p.title,
            codename: p.codename,
            countries: p.countries,
            phase: p.phase,
            tracks: p.tracks,
            dutch_role: p.dutch_role,
            status: p.status,
            themes: p.themes,
            engaged: p
                .engaged
                .into_iter()
                .map(|e| EngagedPartyDto {
                    party: e.party,
                    role: e.role,
                })
                .collect(),
            summary: p.summary,
            notes: p.notes,
            classification: p.labels.classification.as_str().into(),
            compartment: p.labels.compartment.map(|c| c.to_string()),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProcessList {
    pub items: Vec<ProcessDto>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessInputDto {
    pub title: String,
    #[serde(default)]
    pub codename: Option<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    /// prevention, crisis, armed-conflict, negotiation, implementation, post-conflict
    pub phase: String,
    /// I, 1.5, II, III
    pub tracks: Vec<String>,
    /// lead, facilitate, accompany, coordinate, support, leverage
    pub dutch_role: String,
    /// exploratory, active, dormant, concluded
    pub status: String,
    #[serde(default)]
    pub themes: Vec<String>,
    /// Who else is engaged: party and role (lead, facilitate, accompany, coordinate, support, leverage).
    #[serde(default)]
    pub engaged: Vec<EngagedPartyDto>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    /// public, internal, confidential, secret
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<ProcessInputDto> for ProcessInput {
    fn from(d: ProcessInputDto) -> Self {
        ProcessInput {
            title: d.title,
            codename: d.codename,
            countries: d.countries,
            phase: d.phase,
            tracks: d.tracks,
            dutch_role: d.dutch_role,
            status: d.status,
            themes: d.themes,
            engaged: d
                .engaged
                .into_iter()
                .map(|e| grotius_domain::process::EngagedParty {
                    party: e.party,
                    role: e.role,
                })
                .collect(),
            summary: d.summary,
            notes: d.notes,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub clearance: String,
    pub organisation: Option<String>,
    pub disabled: bool,
    pub totp_enabled: bool,
    pub locked: bool,
    pub compartments: Vec<String>,
}

impl From<UserInfo> for UserDto {
    fn from(u: UserInfo) -> Self {
        UserDto {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            roles: u.roles.iter().map(|r| r.as_str().into()).collect(),
            clearance: u.clearance.as_str().into(),
            organisation: u.organisation,
            disabled: u.disabled,
            totp_enabled: u.totp_enabled,
            locked: u.locked,
            compartments: u.compartments,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserDto {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
    pub clearance: String,
    #[serde(default)]
    pub organisation: Option<String>,
}

fn roles(v: &[String]) -> Result<Vec<Role>, StoreError> {
    v.iter()
        .map(|r| r.parse::<Role>().map_err(StoreError::from))
        .collect()
}

impl TryFrom<NewUserDto> for NewUser {
    type Error = StoreError;
    fn try_from(d: NewUserDto) -> Result<Self, StoreError> {
        Ok(NewUser {
            roles: roles(&d.roles)?,
            clearance: d.clearance.parse::<Classification>()?,
            username: d.username,
            display_name: d.display_name,
            password: d.password,
            organisation: d.organisation,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdateDto {
    pub display_name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub clearance: Option<String>,
    pub organisation: Option<String>,
    pub disabled: Option<bool>,
}

impl TryFrom<UserUpdateDto> for UserUpdate {
    type Error = StoreError;
    fn try_from(d: UserUpdateDto) -> Result<Self, StoreError> {
        Ok(UserUpdate {
            display_name: d.display_name,
            roles: d.roles.as_deref().map(roles).transpose()?,
            clearance: d
                .clearance
                .as_deref()
                .map(str::parse::<Classification>)
                .transpose()?,
            organisation: d
                .organisation
                .map(|o| if o.trim().is_empty() { None } else { Some(o) }),
            disabled: d.disabled,
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompartmentDto {
    pub id: String,
    pub name: String,
    pub description: String,
    pub members: i64,
    /// The side the compartment is on: `mediation` or `evidence` (kept apart).
    pub domain: String,
}

impl From<CompartmentInfo> for CompartmentDto {
    fn from(c: CompartmentInfo) -> Self {
        CompartmentDto {
            id: c.id,
            name: c.name,
            description: c.description,
            members: c.members,
            domain: c.domain,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompartmentList {
    pub items: Vec<CompartmentDto>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub user_id: String,
    pub username: String,
    pub granted_by: String,
    pub reason: String,
    pub granted_at: i64,
}

impl From<MemberInfo> for MemberDto {
    fn from(m: MemberInfo) -> Self {
        MemberDto {
            user_id: m.user_id,
            username: m.username,
            granted_by: m.granted_by,
            reason: m.reason,
            granted_at: m.granted_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompartmentDetail {
    pub compartment: CompartmentDto,
    pub members: Vec<MemberDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCompartmentDto {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `mediation` (default) or `evidence`.
    pub domain: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberDto {
    pub user_id: String,
    /// Why this user needs to know (the recorded decision).
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenDto {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl From<ApiTokenInfo> for ApiTokenDto {
    fn from(t: ApiTokenInfo) -> Self {
        ApiTokenDto {
            id: t.id,
            name: t.name,
            scope: t.scope,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            last_used_at: t.last_used_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiTokenDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenDto {
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    pub expires_in_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenResponse {
    /// Shown once; only its hash is stored.
    pub token: String,
    pub info: ApiTokenDto,
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// Prefix, e.g. `process.` or `login`.
    pub action: Option<String>,
    pub resource_kind: Option<String>,
    pub resource_id: Option<String>,
    /// ok, denied, failed
    pub outcome: Option<String>,
    /// Unix microseconds, inclusive.
    pub from: Option<i64>,
    /// Unix microseconds, exclusive.
    pub to: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub resource_kind: String,
    pub resource_id: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        let r = e.record;
        AuditEntryDto {
            seq: r.seq,
            at: r.at_micros,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            resource_kind: r.resource_kind,
            resource_id: r.resource_id,
            outcome: r.outcome,
            detail: r.detail,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntryDto>,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CountryDto {
    pub alpha2: String,
    pub alpha3: String,
    pub numeric: String,
    pub name: String,
    pub region: String,
    pub sub_region: String,
}

impl From<&Country> for CountryDto {
    fn from(c: &Country) -> Self {
        CountryDto {
            alpha2: c.alpha2.clone(),
            alpha3: c.alpha3.clone(),
            numeric: c.numeric.clone(),
            name: c.name.clone(),
            region: c.region.clone(),
            sub_region: c.sub_region.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CountryList {
    pub items: Vec<CountryDto>,
    pub attribution: String,
}

#[derive(Serialize, ToSchema)]
pub struct TermDto {
    pub code: String,
    pub en: String,
    pub nl: String,
}

impl From<&Term> for TermDto {
    fn from(t: &Term) -> Self {
        TermDto {
            code: t.code.into(),
            en: t.en.into(),
            nl: t.nl.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Vocabularies {
    pub themes: Vec<TermDto>,
    pub phases: Vec<TermDto>,
    pub tracks: Vec<TermDto>,
    pub dutch_roles: Vec<TermDto>,
    pub process_statuses: Vec<TermDto>,
}

#[derive(Serialize, ToSchema)]
pub struct EngagementDto {
    pub id: String,
    pub process_id: String,
    pub date: String,
    /// meeting, call, workshop, visit, message
    pub kind: String,
    pub track: String,
    pub place: String,
    /// Actor ids you may see.
    pub participants: Vec<String>,
    pub summary: String,
    pub notes: String,
    pub classification: String,
    pub compartment: Option<String>,
}

impl From<grotius_domain::process::Engagement> for EngagementDto {
    fn from(e: grotius_domain::process::Engagement) -> Self {
        EngagementDto {
            id: e.id,
            process_id: e.process_id,
            date: e.date,
            kind: e.kind,
            track: e.track,
            place: e.place,
            participants: e.participants,
            summary: e.summary,
            notes: e.notes,
            classification: e.labels.classification.as_str().into(),
            compartment: e.labels.compartment.map(|c| c.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EngagementList {
    pub items: Vec<EngagementDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementInputDto {
    /// YYYY-MM-DD
    pub date: String,
    pub kind: String,
    pub track: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub participants: Vec<String>,
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    /// At least the process's classification.
    pub classification: String,
    /// The process's compartment.
    #[serde(default)]
    pub compartment: Option<String>,
}

impl From<EngagementInputDto> for grotius_domain::process::EngagementInput {
    fn from(d: EngagementInputDto) -> Self {
        grotius_domain::process::EngagementInput {
            date: d.date,
            kind: d.kind,
            track: d.track,
            place: d.place,
            participants: d.participants,
            summary: d.summary,
            notes: d.notes,
            classification: d.classification,
            compartment: d.compartment,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagedPartyDto {
    /// e.g. "UN Personal Envoy for Sudan", "Switzerland", "HD".
    pub party: String,
    pub role: String,
}
