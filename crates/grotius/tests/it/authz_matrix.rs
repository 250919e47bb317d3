//! The authorisation matrix: every role × every API route and action, and the UI pages, with
//! classification and compartment cases — generated from the one table below. A record a role
//! may not see answers 404, never 403.

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Browser, PASSWORD};

/// The demo accounts, in the column order of [`MATRIX`].
pub(crate) const ROLES: [&str; 13] = [
    "admin",
    "coordinator",
    "desk-officer",
    "analyst",
    "fund-officer",
    "fund-approver",
    "controller",
    "documenter",
    "custodian",
    "legal-adviser",
    "adviser",
    "partner",
    "auditor",
];
// Clearances:   S      S      C      C      I      C      I      S      S      C      C      P      I
// Compartments: —  hoa,ye,la,ee hoa   —      —      —      —     ev     ev     ev     —      —      —

#[derive(Clone, Copy)]
enum Body {
    None,
    /// A valid process, internal, no compartment.
    Process,
    /// A valid process filed in horn-of-africa, confidential.
    ProcessHoa,
    /// A valid process filed in yemen, secret.
    ProcessSecretYemen,
    NewUser,
    NewCompartment,
    NewMember,
    NewToken,
    /// A public actor (kept public so the fixture stays visible to every reader).
    Actor,
    /// An actor in the yemen compartment, confidential.
    ActorYemen,
    /// A relationship between the two public fixture actors.
    Relationship,
    /// A journal entry for the internal fixture process.
    Engagement,
    Expert,
    ExpertCsv,
    Request,
    Transition,
    Assign,
    /// A participation record for the internal fixture process.
    Participation,
    /// A participation record for the horn-of-africa fixture process (confidential).
    ParticipationHoa,
    /// A debrief of the internal fixture process.
    Debrief,
    /// An internal training.
    Training,
    /// A participant of a training.
    Participant,
    /// A CSV file of participants.
    ParticipantCsv,
    /// A fund instrument (fresh code per call).
    Instrument,
    /// A ceiling for the fixture instrument.
    Ceiling,
    /// A draft fund application under the fixture instrument.
    Application,
    /// Submit an application.
    Submit,
    /// A disbursement.
    Payment,
    /// An amendment of a commitment.
    Amendment,
    /// A conflict analysis for the internal fixture process.
    Analysis,
    /// A new version on top of version 1 (of a fresh analysis).
    AnalysisVersion,
    /// Restore version 1 (of the fixture analysis, which has two).
    AnalysisRestore,
    /// A one-agreement PA-X CSV (AgtId unique per call).
    PaxCsv,
    /// A request to let the legal adviser into a mediation compartment.
    Crossing,
    /// Approve a request.
    Decide,
    /// Consent withdrawn, risk high, with a note.
    Safeguards,
    /// Starts an evidence upload (`Upload-Length: 10`).
    UploadStart,
    /// Ten bytes at offset 0 of the fixture upload.
    UploadChunk,
    /// Capture metadata completing an upload.
    EvidenceMeta,
    /// A transfer package of the confidential fixture item.
    Package,
    /// A multipart upload of a new internal text document.
    DocumentUpload,
    /// A multipart upload of a new version (a text file).
    DocumentVersion,
    /// Document metadata (JSON), internal, no compartment.
    DocumentMeta,
    /// Document metadata (JSON), confidential, horn-of-africa.
    DocumentMetaHoa,
    /// A confidential incident in evidence-sudan.
    Incident,
    /// The same, secret (so that a save keeps the fixture secret).
    IncidentSecret,
    /// A person (no identity) of an incident.
    IncidentPerson,
    /// Verification one step forward (reported → plausible).
    IncidentVerify,
    /// Links the confidential fixture evidence item.
    IncidentLink,
    /// A reason to open an identity.
    IdentityReason,
    /// A new violation type (fresh code per call).
    ViolationTerm,
    /// Restores a violation type (deprecated: false).
    ViolationState,
    /// A one-row Yemen Data Project CSV (Incident ID unique per call).
    YemenCsv,
    Form(&'static [(&'static str, &'static str)]),
}

pub(crate) struct Row {
    pub(crate) method: &'static str,
    /// `/api/…` rows use a bearer token; other rows a browser session with its CSRF token.
    pub(crate) path: &'static str,
    body: Body,
    expect: [u16; 13],
}

const fn row(method: &'static str, path: &'static str, body: Body, expect: [u16; 13]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

// Placeholders: {public} {internal} {confidential} (no compartment) {conf_hoa} {secret_yemen}
// {fresh} / {fresh_hoa} (a new internal / horn-of-africa process, made for each call) {me} {other_user} {other_token} {n} (unique)
#[rustfmt::skip]
pub(crate) const MATRIX: &[Row] = &[
    //                                                                adm  crd  dsk  ana  fo   fa   ctl  doc  cus  leg  adv  par  aud
    row("GET",    "/api/v1/me",                         Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/processes",                  Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{public}",         Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{internal}",       Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{confidential}",   Body::None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}",       Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/processes/{secret_yemen}",   Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/processes/no-such-id",       Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/processes",                  Body::Process,    [403, 201, 201, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/api/v1/processes",                  Body::ProcessHoa, [403, 201, 201, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/processes/{internal}",       Body::Process,    [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/processes/{conf_hoa}",       Body::ProcessHoa, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/processes/{secret_yemen}",   Body::ProcessSecretYemen, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/processes/{fresh}",          Body::None, [403, 204, 403, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/processes/{fresh_hoa}",      Body::None, [404, 204, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/users",                      Body::None, [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/users",                      Body::NewUser, [201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/users/{me}",                 Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/users/{other_user}",         Body::None, [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PATCH",  "/api/v1/users/{other_user}",         Body::Form(&[]), [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/compartments",               Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/compartments/yemen",         Body::None, [200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/compartments/evidence-sudan", Body::None, [200, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/compartments",               Body::NewCompartment, [201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/compartments/latam/members", Body::NewMember, [403, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/compartments/latam/members/{other_user}", Body::None, [204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/tokens",                     Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST",   "/api/v1/tokens",                     Body::NewToken, [201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201]),
    row("DELETE", "/api/v1/tokens/{other_token}",       Body::None, [204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/audit",                      Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    row("GET",    "/api/v1/countries",                  Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/vocabularies",               Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    // The engagements journal follows its process.
    row("GET",    "/api/v1/processes/{internal}/engagements", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}/engagements", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/processes/{internal}/engagements", Body::Engagement, [403, 201, 201, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/engagements/{fresh_engagement}", Body::None, [403, 204, 403, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    // Women's participation follows its process; the unit, desks and the WPS adviser record it.
    row("GET",    "/api/v1/processes/{internal}/participation", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}/participation", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/processes/{internal}/participation", Body::Participation, [403, 201, 201, 403, 403, 403, 403, 404, 404, 404, 201, 404, 404]),
    row("POST",   "/api/v1/processes/{conf_hoa}/participation", Body::ParticipationHoa, [404, 201, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/participation/{participation}", Body::Participation, [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("PUT",    "/api/v1/participation/{participation_hoa}", Body::ParticipationHoa, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/participation/{fresh_participation}", Body::None, [403, 204, 403, 403, 403, 403, 403, 404, 404, 404, 204, 404, 404]),
    row("GET",    "/api/v1/processes/{internal}/participation/summary", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}/participation/summary", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/processes/{internal}/participation/export?format=csv", Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}/participation/export?format=xlsx", Body::None, [404, 200, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/participation/summary",      Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/participation/export?format=csv&what=records", Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/participation",                     Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/participation/chart.svg",           Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/participation/export?format=xlsx",  Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/processes/{internal}/participation", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/processes/{conf_hoa}/participation", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/processes/{conf_hoa}/participation/chart.svg", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/processes/{internal}/participation/export?format=csv", Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/participation/{participation_hoa}/edit", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/processes/{internal}/participation", Body::Form(&[("role", "observer"), ("sex", "female"), ("seniority", "mid"), ("count", "2"), ("classification", "internal")]), [403, 303, 303, 403, 403, 403, 403, 404, 404, 404, 303, 404, 404]),
    row("POST",   "/participation/{fresh_participation}/delete", Body::Form(&[]), [403, 303, 403, 403, 403, 403, 403, 404, 404, 404, 303, 404, 404]),
    // The network. Readers: admin, coordinator, desk officer, analyst, adviser (no evidence role).
    row("GET",    "/api/v1/actors",                     Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}",      Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_yemen}",       Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/actors",                     Body::Actor, [403, 201, 201, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/actors/{actor_public}",      Body::Actor, [403, 200, 200, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/actors/{actor_yemen}",       Body::ActorYemen, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/actors/{fresh_actor}",       Body::None, [403, 204, 403, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}/relationships", Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}/ego",  Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_yemen}/ego",   Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/actors/{actor_public}/introductions", Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/network/brokers",            Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/api/v1/relationships",              Body::Relationship, [403, 201, 201, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/relationships/{fresh_relationship}", Body::None, [403, 204, 403, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/relationships/{rel_yemen}",  Body::None, [404, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/network",                           Body::None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/network/actors/{actor_yemen}",      Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // The roster. Experts: read by admin, coordinator, desk officer, analyst, fund officer, adviser.
    row("GET",    "/api/v1/experts",                    Body::None, [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/experts/{expert}",           Body::None, [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/experts/{expert_yemen}",     Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/experts",                    Body::Expert, [403, 201, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/experts/{expert}",           Body::Expert, [403, 200, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/experts/{fresh_expert}",     Body::None, [403, 204, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/experts/export?format=csv",  Body::None, [403, 200, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/api/v1/experts/import",             Body::ExpertCsv, [403, 200, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    // Requests for support: read by admin, coordinator, desk officer, analyst, fund officer and approver, adviser.
    row("GET",    "/api/v1/requests",                   Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    // The fund. Columns: admin, coordinator, desk, analyst, fund-officer, fund-approver, controller,
    // documenter, custodian, legal, adviser, partner, auditor.
    row("GET",    "/api/v1/fund/workflow",              Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("GET",    "/api/v1/fund/instruments",           Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("POST",   "/api/v1/fund/instruments",           Body::Instrument, [403, 403, 404, 404, 201, 403, 403, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/api/v1/fund/instruments/{instrument}", Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("PUT",    "/api/v1/fund/instruments/{instrument}/ceilings", Body::Ceiling, [403, 403, 404, 404, 200, 403, 403, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/api/v1/fund/applications",          Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("POST",   "/api/v1/fund/applications",          Body::Application, [403, 403, 404, 404, 201, 403, 403, 404, 404, 404, 404, 201, 404]),
    row("GET",    "/api/v1/fund/applications/{application}", Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/fund/applications/{application}", Body::Application, [403, 403, 404, 404, 200, 403, 403, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/fund/applications/{fresh_application}", Body::None, [403, 403, 404, 404, 204, 403, 403, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/fund/applications/{fresh_application}/transitions", Body::Submit, [403, 403, 404, 404, 200, 403, 403, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/fund/applications/{application}/payments", Body::Payment, [404, 404, 404, 404, 403, 403, 409, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/fund/applications/{application}/amendments", Body::Amendment, [403, 403, 404, 404, 403, 409, 403, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/fund",                              Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("POST",   "/fund/instruments",                  Body::Form(&[("code", "UI{n}"), ("name", "UI instrument {n}"), ("max_months", "12"), ("grant_ceiling", "100000.00"), ("fast_track_threshold", "50000.00"), ("fast_target_days", "5"), ("standard_target_days", "15")]), [403, 403, 404, 404, 303, 403, 403, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/fund/instruments/{instrument}",     Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("POST",   "/fund/instruments/{instrument}/ceilings", Body::Form(&[("year", "2032"), ("scope", "budget"), ("amount", "{n}00000.00")]), [403, 403, 404, 404, 303, 403, 403, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/fund/applications/new",             Body::None, [403, 403, 404, 404, 200, 403, 403, 404, 404, 404, 404, 200, 404]),
    row("POST",   "/fund/applications",                 Body::Form(&[("instrument_id", "MATRIX"), ("title", "UI application {n}"), ("partner", "UI partner"), ("currency", "EUR"), ("amount", "1000.00"), ("start_date", "2031-01-01"), ("months", "3"), ("purpose_code", "15220"), ("gender_marker", "1"), ("countries", "SD"), ("classification", "public")]), [403, 403, 404, 404, 303, 403, 403, 404, 404, 404, 404, 303, 404]),
    row("GET",    "/fund/applications/{application}",   Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/fund/applications/{application}/edit", Body::None, [403, 403, 404, 404, 200, 403, 403, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/fund/applications/{fresh_application}/transition", Body::Form(&[("to", "submitted")]), [403, 403, 404, 404, 303, 403, 403, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/fund/applications/{application}/payment", Body::Form(&[("kind", "disbursement"), ("currency", "EUR"), ("amount", "1.00"), ("value_date", "2031-02-01")]), [404, 404, 404, 404, 403, 403, 409, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/fund/applications/{fresh_application}/delete", Body::Form(&[]), [403, 403, 404, 404, 303, 403, 403, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/requests/dashboard",         Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/requests/{request}",         Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/requests/{request_yemen}",   Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/requests",                   Body::Request, [403, 201, 201, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/requests/{request}",         Body::Request, [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/requests/{fresh_request}",   Body::None, [403, 204, 403, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/api/v1/requests/{fresh_request}/transitions", Body::Transition, [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/requests/{request}/matches", Body::None, [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/api/v1/requests/{fresh_request}/team", Body::Assign, [403, 204, 204, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/requests/{request}/team/{expert}", Body::None, [403, 204, 204, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/roster",                            Body::None, [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/roster/dashboard",                  Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/roster/requests",                   Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    // Lessons: debriefs follow their process; read by those who read processes, except controller and evidence roles.
    row("GET",    "/api/v1/processes/{internal}/debriefs", Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}/debriefs", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/processes/{internal}/debriefs", Body::Debrief, [403, 201, 201, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/debriefs/{debrief}",         Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/debriefs/{debrief_hoa}",     Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/debriefs/{debrief}",         Body::Debrief, [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/debriefs/{debrief_hoa}",     Body::Debrief, [404, 422, 422, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/debriefs/{fresh_debrief}",   Body::None, [403, 204, 403, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    // The one search: everyone may search; each finds only what they may read. "More like
    // this" is not found for a record the asker may not read.
    row("GET",    "/api/v1/search?q=water",             Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/search/suggest?q=wat",       Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/search/{kind_process}/{internal}/similar", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/search/{kind_process}/{conf_hoa}/similar", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/search?q=water",                    Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/search/{kind_process}/{internal}/similar", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/search/{kind_process}/{conf_hoa}/similar", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/lessons/search",             Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    // Trainings: run by the unit, desks and advisers; read by analysts and the fund.
    row("GET",    "/api/v1/trainings",                  Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/api/v1/trainings",                  Body::Training, [403, 201, 201, 403, 403, 403, 403, 404, 404, 404, 201, 404, 404]),
    row("GET",    "/api/v1/trainings/{training}",       Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/trainings/{training_yemen}", Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/trainings/{training}",       Body::Training, [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("DELETE", "/api/v1/trainings/{fresh_training}", Body::None, [403, 204, 403, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/trainings/{training}/participants", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/trainings/{training_yemen}/participants", Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/trainings/{training}/participants", Body::Participant, [403, 201, 201, 403, 403, 403, 403, 404, 404, 404, 201, 404, 404]),
    row("POST",   "/api/v1/trainings/{training_yemen}/participants", Body::Participant, [404, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/trainings/{training}/participants/import", Body::ParticipantCsv, [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("DELETE", "/api/v1/participants/{fresh_participant}", Body::None, [403, 204, 204, 403, 403, 403, 403, 404, 404, 404, 204, 404, 404]),
    row("GET",    "/api/v1/trainings/{training}/disaggregation", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/trainings/{training_yemen}/disaggregation", Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/trainings/disaggregation",   Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/trainings/disaggregation?format=csv", Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/trainings/{training}/disaggregation?format=csv", Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    // The lessons and trainings pages.
    row("GET",    "/lessons",                           Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/processes/{internal}/debriefs/new", Body::None, [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/processes/{internal}/debriefs",     Body::Form(&[("moment", "exit"), ("date", "2026-02-01"), ("case_title", "UI {n}"), ("started_on", "2025-01-01"), ("ended_on", "2026-01-31"), ("key_lessons", "UI lesson"), ("classification", "internal")]), [403, 303, 303, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/debriefs/{debrief}",                Body::None, [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/debriefs/{debrief_hoa}",            Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/debriefs/{debrief}/edit",           Body::None, [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/debriefs/{debrief_hoa}",            Body::Form(&[("moment", "exit")]), [404, 422, 422, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/debriefs/{fresh_debrief}/delete",   Body::Form(&[]), [403, 303, 403, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/trainings",                         Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/trainings/new",                     Body::None, [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/trainings",                         Body::Form(&[("title", "UI training {n}"), ("starts_on", "2026-03-01"), ("remote", "1"), ("organiser", "Unit"), ("classification", "internal")]), [403, 303, 303, 403, 403, 403, 403, 404, 404, 404, 303, 404, 404]),
    row("GET",    "/trainings/{training}",              Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/trainings/{training_yemen}",        Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/trainings/{training}/edit",         Body::None, [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/trainings/{training}/participants", Body::Form(&[("organisation", "UI org"), ("organisation_type", "government"), ("sex", "female")]), [403, 303, 303, 403, 403, 403, 403, 404, 404, 404, 303, 404, 404]),
    row("POST",   "/participants/{fresh_participant}/delete", Body::Form(&[]), [403, 303, 303, 403, 403, 403, 403, 404, 404, 404, 303, 404, 404]),
    row("POST",   "/trainings/{fresh_training}/delete", Body::Form(&[]), [403, 303, 403, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/trainings/disaggregation.csv",      Body::None, [403, 200, 403, 200, 403, 403, 403, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/trainings/{training_yemen}/disaggregation.csv", Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // Versioned analyses. Readers: coordinator, desk officer, analyst, adviser;
    // writers: coordinator, desk officer, analyst; only the coordinator deletes.
    row("GET",    "/api/v1/processes/{internal}/analyses", Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/processes/{conf_hoa}/analyses", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/processes/{internal}/analyses", Body::Analysis, [404, 201, 201, 201, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis}",        Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis}?version=1", Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis_hoa}",    Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis}/versions", Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis_hoa}/versions", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/analyses/{fresh_analysis}/versions", Body::AnalysisVersion, [404, 201, 201, 201, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis}/diff?from=1&to=2", Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/analyses/{analysis_hoa}/diff?from=1&to=1", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/analyses/{analysis}/restore", Body::AnalysisRestore, [404, 201, 201, 201, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/api/v1/analyses/{analysis_hoa}/restore", Body::AnalysisRestore, [404, 422, 422, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/analyses/{fresh_analysis}",  Body::None, [404, 204, 403, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/processes/{internal}/analyses/new", Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/processes/{internal}/analyses",     Body::Form(&[("kind", "process-map"), ("title", "UI map {n}"), ("classification", "internal")]), [404, 303, 303, 303, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/analyses/{analysis}",               Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/analyses/{analysis_hoa}",           Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/analyses/{analysis}/edit",          Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/analyses/{analysis_hoa}/edit",      Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/analyses/{fresh_analysis}",         Body::Form(&[("base_version", "1"), ("title", "UI save {n}"), ("body", "Changed."), ("classification", "internal")]), [404, 303, 303, 303, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/analyses/{analysis}/history",       Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/analyses/{analysis_hoa}/history",   Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/analyses/{analysis}/diff?from=1&to=2", Body::None, [404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/analyses/{analysis_hoa}/diff?from=1&to=1", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/analyses/{analysis}/restore",       Body::Form(&[("version", "1")]), [404, 303, 303, 303, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/analyses/{analysis_hoa}/restore",   Body::Form(&[("version", "1")]), [404, 422, 422, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/analyses/{fresh_analysis}/delete",  Body::Form(&[]), [404, 303, 403, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404]),
    // Fund reports: money is read by the fund roles (partners: their own organisation's);
    // the overview for Parliament by every fund reader but partners; export and IATI by the fund roles.
    row("GET",    "/api/v1/fund/reports",               Body::None, [404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("GET",    "/api/v1/fund/reports?year=2026&instrument=no-such", Body::None, [404, 404, 404, 404, 422, 422, 422, 404, 404, 404, 404, 422, 404]),
    row("GET",    "/api/v1/fund/reports/export?format=csv", Body::None, [404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/api/v1/fund/reports/parliament",    Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/fund/reports/parliament?public=1", Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/fund/dashboard",             Body::None, [404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("GET",    "/api/v1/fund/iati",                  Body::None, [403, 403, 404, 404, 200, 200, 200, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/fund/reports",                      Body::None, [404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("GET",    "/fund/reports/export?format=xlsx",   Body::None, [404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 404, 403, 404]),
    row("GET",    "/fund/dashboard",                    Body::None, [404, 404, 404, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404]),
    row("GET",    "/fund/parliament",                   Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/fund/parliament?public=1",          Body::None, [200, 200, 404, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/fund/iati.xml",                     Body::None, [403, 403, 404, 404, 200, 200, 200, 404, 404, 404, 404, 403, 404]),
    // The evidence vault: documenters file, the custodian keeps and transfers, the legal adviser
    // reads and exports; everyone else — mediation, fund, admin, audit — sees nothing at all.
    row("GET",    "/api/v1/evidence",                   Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/pubkey",            Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence}",        Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence_secret}", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/no-such-id",        Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence}/content", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence_secret}/content", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence}/custody", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence_secret}/custody", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/{evidence}/derived", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/evidence/uploads",           Body::UploadStart, [404, 404, 404, 404, 404, 404, 404, 201, 201, 403, 404, 404, 404]),
    row("HEAD",   "/api/v1/evidence/uploads/{upload}",  Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 404, 403, 404, 404, 404]),
    row("PATCH",  "/api/v1/evidence/uploads/{upload}",  Body::UploadChunk, [404, 404, 404, 404, 404, 404, 404, 204, 404, 403, 404, 404, 404]),
    row("DELETE", "/api/v1/evidence/uploads/{fresh_upload}", Body::None, [404, 404, 404, 404, 404, 404, 404, 204, 404, 403, 404, 404, 404]),
    row("POST",   "/api/v1/evidence/uploads/{fresh_upload}/complete", Body::EvidenceMeta, [404, 404, 404, 404, 404, 404, 404, 201, 404, 403, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/packages",          Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/evidence/packages",          Body::Package, [404, 404, 404, 404, 404, 404, 404, 404, 201, 403, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/packages/{package}", Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/evidence/packages/{package}/download", Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404]),
    row("GET",    "/evidence",                          Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/evidence/new",                      Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("GET",    "/evidence/{evidence}",               Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/evidence/{evidence_secret}",        Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/evidence/{evidence}/download",      Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/evidence/{evidence_secret}/download", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/evidence/packages",                 Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404]),
    row("POST",   "/evidence/packages",                 Body::Form(&[("recipient", "ICC {n}"), ("recipient_kind", "icc"), ("use_restrictions", "Case only."), ("items", "{evidence}")]), [404, 404, 404, 404, 404, 404, 404, 404, 303, 403, 404, 404, 404]),
    row("GET",    "/evidence/packages/{package}",       Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404]),
    row("GET",    "/evidence/packages/{package}/download", Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404]),
    // Incidents sit beside the evidence: documenters record, the custodian keeps everything and
    // alone opens identities, the legal adviser reads and exports; nobody else sees anything.
    row("GET",    "/api/v1/incidents",                  Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/incidents",                  Body::Incident, [404, 404, 404, 404, 404, 404, 404, 201, 201, 403, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/{incident}",       Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/{incident_secret}", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/no-such-id",       Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/incidents/{incident}",       Body::Incident, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("PUT",    "/api/v1/incidents/{incident_secret}", Body::IncidentSecret, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    // Declassifying is the custodian's call (the documenter gets 422, the custodian lowers a fresh one).
    row("PUT",    "/api/v1/incidents/{fresh_incident_secret}", Body::Incident, [404, 404, 404, 404, 404, 404, 404, 422, 200, 404, 404, 404, 404]),
    row("POST",   "/api/v1/incidents/{fresh_incident}/verification", Body::IncidentVerify, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/{incident}/persons", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/incidents/{incident}/persons", Body::IncidentPerson, [404, 404, 404, 404, 404, 404, 404, 201, 201, 403, 404, 404, 404]),
    row("PUT",    "/api/v1/incidents/{incident}/persons/{person}/safeguards", Body::Safeguards, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("POST",   "/incidents/{incident}/persons/{person}/safeguards", Body::Form(&[("consent", "withdrawn"), ("risk", "high"), ("note", "Matrix: threats reported")]), [404, 404, 404, 404, 404, 404, 404, 303, 303, 403, 404, 404, 404]),
    row("POST",   "/api/v1/incidents/persons/{person}/identity", Body::IdentityReason, [404, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/{incident}/evidence", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/incidents/{fresh_incident}/evidence", Body::IncidentLink, [404, 404, 404, 404, 404, 404, 404, 204, 204, 403, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/vocabulary",       Body::None, [200, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/incidents/vocabulary",       Body::ViolationTerm, [201, 404, 404, 404, 404, 404, 404, 403, 201, 403, 404, 404, 404]),
    row("PATCH",  "/api/v1/incidents/vocabulary/{term}", Body::ViolationState, [204, 404, 404, 404, 404, 404, 404, 403, 204, 403, 404, 404, 404]),
    row("POST",   "/api/v1/incidents/import?format=yemen-raids&classification=confidential&compartment=evidence-sudan", Body::YemenCsv, [404, 404, 404, 404, 404, 404, 404, 202, 202, 403, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/imports/{incident_job}", Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/api/v1/incidents/export",           Body::None, [404, 404, 404, 404, 404, 404, 404, 403, 200, 200, 404, 404, 404]),
    row("GET",    "/incidents",                         Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/incidents/new",                     Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("GET",    "/incidents/{incident}",              Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/incidents/{incident_secret}",       Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/incidents/{incident}/edit",         Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("GET",    "/incidents/vocabulary",              Body::None, [200, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("GET",    "/incidents/import",                  Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 403, 404, 404, 404]),
    row("GET",    "/incidents/imports/{incident_job}",  Body::None, [404, 404, 404, 404, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
    row("GET",    "/incidents.csv",                     Body::None, [404, 404, 404, 404, 404, 404, 404, 403, 200, 200, 404, 404, 404]),
    row("POST",   "/incidents/{fresh_incident}/verify", Body::Form(&[("to", "plausible"), ("note", "matrix")]), [404, 404, 404, 404, 404, 404, 404, 303, 303, 403, 404, 404, 404]),
    row("POST",   "/incidents/persons/{person}/identity", Body::Form(&[("reason", "Matrix test of the identity store.")]), [404, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 404]),
    // The HTML UI: the same policy behind the pages and forms.
    row("GET",    "/",                                  Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/processes",                         Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/processes/new",                     Body::None, [403, 200, 200, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/processes/{confidential}",          Body::None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/processes/{conf_hoa}",              Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/processes/{secret_yemen}/edit",     Body::None, [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/processes/{fresh}/delete",          Body::Form(&[]), [403, 303, 403, 403, 403, 403, 403, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/admin",                             Body::None, [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/admin/users/{other_user}",          Body::None, [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/admin/compartments/yemen",          Body::None, [200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/admin/compartments",                Body::Form(&[("id", "ui-{n}"), ("name", "UI compartment")]), [303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // No one grants herself a membership (the coordinator is a member, the others are not).
    row("POST",   "/admin/compartments/yemen/members",  Body::Form(&[("user_id", "{me}"), ("reason", "matrix: myself")]), [403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/audit",                             Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    row("GET",    "/audit.csv",                         Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    row("GET",    "/reference",                         Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/account",                           Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    // Peace agreements (PA-X): reference knowledge for every staff role; administrators and
    // analysts import; partners see nothing.
    row("GET",    "/api/v1/agreements",                 Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/api/v1/agreements?facets=women,water&country=SD", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/api/v1/agreements/{agreement}",     Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/api/v1/agreements/999999",          Body::None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/agreements/compare?ids={agreement}", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/api/v1/agreements/compare?ids={agreement}&format=docx", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("POST",   "/api/v1/agreements/import",          Body::PaxCsv, [202, 403, 403, 202, 403, 403, 403, 403, 403, 403, 403, 404, 403]),
    row("GET",    "/api/v1/agreements/imports/{agreement_job}", Body::None, [200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 404, 403]),
    row("GET",    "/agreements",                        Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/agreements/{agreement}",            Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/agreements/compare?ids={agreement}", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/agreements/compare.docx?ids={agreement}", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 200]),
    row("GET",    "/agreements/import",                 Body::None, [200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 404, 403]),
    row("POST",   "/agreements/import",                 Body::Form(&[("file", "not a PA-X file")]), [303, 403, 403, 303, 403, 403, 403, 403, 403, 403, 403, 404, 403]),
    row("GET",    "/agreements/imports/{agreement_job}", Body::None, [200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 404, 403]),
    // Access decisions across mediation and evidence: administrators ask; the coordinator and
    // the custodian decide — only for their own side (the coordinator gets 422 on an evidence
    // request), never the one who asked; the auditor reads.
    row("GET",    "/api/v1/access-decisions",           Body::None, [200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200]),
    row("POST",   "/api/v1/access-decisions",           Body::Crossing, [201, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 403]),
    row("GET",    "/api/v1/access-decisions/{decision}", Body::None, [200, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200]),
    row("POST",   "/api/v1/access-decisions/{decision}/decision", Body::Decide, [403, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 403]),
    row("GET",    "/access-decisions",                  Body::None, [200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200]),
    row("POST",   "/access-decisions",                  Body::Form(&[("user_id", "{user_desk}"), ("compartment", "evidence-sudan"), ("reason", "Matrix: needs the El Fasher incident file")]), [303, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 403]),
    row("POST",   "/access-decisions/{decision_ui}/decision", Body::Form(&[("approve", "0"), ("note", "Matrix: no need to know")]), [403, 404, 404, 404, 404, 404, 404, 404, 303, 404, 404, 404, 403]),
    // Documents: every staff role but the auditor reads within its labels; coordinator, desk,
    // analyst and adviser upload, add versions and edit; partners and the auditor see nothing.
    row("GET",    "/api/v1/documents",                  Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404]),
    row("GET",    "/api/v1/documents?process={internal}", Body::None, [200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/documents/{doc_internal}",   Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404]),
    row("GET",    "/api/v1/documents/{doc_hoa}",        Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/documents/{doc_internal}/versions/{version_one}/file", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404]),
    row("GET",    "/api/v1/documents/{doc_hoa}/versions/{version_one}/file", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/documents",                  Body::DocumentUpload, [403, 201, 201, 201, 403, 403, 403, 403, 403, 403, 201, 404, 404]),
    row("POST",   "/api/v1/documents/{doc_internal}/versions", Body::DocumentVersion, [403, 201, 201, 201, 403, 403, 403, 403, 403, 403, 201, 404, 404]),
    row("POST",   "/api/v1/documents/{doc_hoa}/versions", Body::DocumentVersion, [404, 201, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PUT",    "/api/v1/documents/{doc_internal}",   Body::DocumentMeta, [403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
    row("PUT",    "/api/v1/documents/{doc_hoa}",        Body::DocumentMetaHoa, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PATCH",  "/api/v1/documents/{doc_internal}",   Body::Form(&[]), [403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
    row("DELETE", "/api/v1/documents/{fresh_document}", Body::None, [403, 204, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404]),
    row("POST",   "/documents/{fresh_document}/delete", Body::Form(&[]), [403, 303, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404]),
    row("GET",    "/documents",                         Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404]),
    row("GET",    "/documents/new",                     Body::None, [403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
    row("GET",    "/documents/{doc_internal}",          Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404]),
    row("GET",    "/documents/{doc_hoa}",               Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/documents/{doc_internal}/edit",     Body::None, [403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 200, 404, 404]),
    row("GET",    "/documents/{doc_internal}/versions/{version_one}/file", Body::None, [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404]),
    row("GET",    "/documents/{doc_hoa}/versions/{version_one}/file", Body::None, [404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/documents/{doc_internal}",          Body::Form(&[("title", "Matrix document {n}"), ("classification", "internal")]), [403, 303, 303, 303, 403, 403, 403, 403, 403, 403, 303, 404, 404]),
    row("POST",   "/documents/{doc_hoa}",               Body::Form(&[("title", "Matrix hoa document {n}"), ("classification", "confidential"), ("compartment", "horn-of-africa")]), [404, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // A form post that is not multipart: refused before the body for those who may not upload.
    row("POST",   "/documents",                         Body::Form(&[("title", "x")]), [403, 415, 415, 415, 403, 403, 403, 403, 403, 403, 415, 404, 404]),
];

/// Processes each role must see in the list (demo data plus one confidential record without
/// compartment); the evidence roles (documenter, custodian, legal adviser), partner and auditor
/// have no access to processes at all (`None`: the list answers 404).
const VISIBLE: [Option<i64>; 13] = [
    Some(6),
    Some(12),
    Some(8),
    Some(6),
    Some(5),
    Some(6),
    Some(5),
    None,
    None,
    None,
    Some(6),
    None,
    None,
];

pub(crate) struct Fixture {
    pub(crate) ids: HashMap<&'static str, String>,
    pub(crate) tokens: HashMap<&'static str, String>,
    user_ids: HashMap<&'static str, String>,
    coordinator_token: String,
}

pub(crate) async fn fixture(app: &App) -> Fixture {
    let coordinator_token = app.token("coordinator").await;
    let (_, list) = app
        .api(
            Method::GET,
            "/api/v1/processes?limit=500",
            &coordinator_token,
            None,
        )
        .await;
    let find = |title: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["title"].as_str().unwrap().starts_with(title))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut ids = HashMap::new();
    ids.insert("public", find("Central Sahel"));
    ids.insert("internal", find("South Sudan"));
    ids.insert("conf_hoa", find("Sudan: ceasefire"));
    ids.insert("secret_yemen", find("Yemen: detainee"));
    let (s, p) = app.api(Method::POST, "/api/v1/processes", &coordinator_token, Some(json!({
        "title": "Clearance probe", "phase": "crisis", "tracks": ["II"], "dutch_role": "support", "status": "active",
        "classification": "confidential"}))).await;
    assert_eq!(s, 201, "{p}");
    ids.insert("confidential", p["id"].as_str().unwrap().to_string());

    // Network fixtures.
    let actor = |name: &str, classification: &str, compartment: Option<&str>| json!({"name": name, "kind": "organisation", "category": "mediator", "classification": classification, "compartment": compartment});
    for (key, body) in [
        ("actor_public", actor("Public mediator", "public", None)),
        ("actor_other", actor("Other mediator", "public", None)),
        (
            "actor_yemen",
            actor("Yemen contact", "confidential", Some("yemen")),
        ),
    ] {
        let (s, a) = app
            .api(
                Method::POST,
                "/api/v1/actors",
                &coordinator_token,
                Some(body),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        ids.insert(key, a["id"].as_str().unwrap().to_string());
    }
    let (s, r) = app
        .api(Method::POST, "/api/v1/relationships", &coordinator_token, Some(json!({"from_actor": ids["actor_public"], "to_actor": ids["actor_yemen"], "kind": "knows", "classification": "confidential", "compartment": "yemen"})))
        .await;
    assert_eq!(s, 201, "{r}");
    ids.insert("rel_yemen", r["id"].as_str().unwrap().to_string());

    // Roster fixtures.
    for (key, path, body) in [
        (
            "expert",
            "/api/v1/experts",
            json!({"name": "Fixture expert", "sex": "male", "expertise": ["process-design"], "languages": ["en"], "regions": ["Eastern Africa"], "tracks": ["II"], "clearance": "secret", "classification": "internal"}),
        ),
        (
            "expert_yemen",
            "/api/v1/experts",
            json!({"name": "Yemen expert", "sex": "female", "expertise": ["process-design"], "languages": ["ar"], "regions": ["YE"], "tracks": ["II"], "clearance": "secret", "classification": "confidential", "compartment": "yemen"}),
        ),
        (
            "request",
            "/api/v1/requests",
            json!({"title": "Fixture request", "requester": "UN envoy", "request_type": "advisory", "modality": "remote", "urgency": "routine", "countries": ["SD"], "expertise": ["process-design"], "languages": ["en"], "classification": "internal"}),
        ),
        (
            "request_yemen",
            "/api/v1/requests",
            json!({"title": "Yemen request", "requester": "UN envoy", "request_type": "advisory", "modality": "remote", "urgency": "routine", "countries": ["YE"], "expertise": ["process-design"], "languages": ["ar"], "classification": "confidential", "compartment": "yemen"}),
        ),
    ] {
        let (s, v) = app
            .api(Method::POST, path, &coordinator_token, Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        ids.insert(key, v["id"].as_str().unwrap().to_string());
    }

    // Participation fixtures.
    for (key, process, b) in [
        ("participation", "internal", Body::Participation),
        ("participation_hoa", "conf_hoa", Body::ParticipationHoa),
    ] {
        let (s, v) = app
            .api(
                Method::POST,
                &format!("/api/v1/processes/{}/participation", ids[process]),
                &coordinator_token,
                body(b, 0),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        ids.insert(key, v["id"].as_str().unwrap().to_string());
    }

    // Lessons fixtures: debriefs of the internal and the horn-of-africa process, trainings.
    for (key, path, body) in [
        (
            "debrief",
            format!("/api/v1/processes/{}/debriefs", ids["internal"]),
            json!({"moment": "turning-point", "date": "2026-01-10", "case_title": "Fixture debrief", "started_on": "2025-01-01", "key_lessons": "Fixture lesson.", "classification": "internal"}),
        ),
        (
            "debrief_hoa",
            format!("/api/v1/processes/{}/debriefs", ids["conf_hoa"]),
            json!({"moment": "exit", "date": "2026-01-10", "case_title": "Hoa debrief", "started_on": "2025-01-01", "ended_on": "2025-12-31", "key_lessons": "Hoa lesson.", "classification": "confidential", "compartment": "horn-of-africa"}),
        ),
        (
            "training",
            "/api/v1/trainings".to_string(),
            json!({"title": "Fixture training", "starts_on": "2026-02-02", "place": "The Hague", "organiser": "Unit"}),
        ),
        (
            "training_yemen",
            "/api/v1/trainings".to_string(),
            json!({"title": "Yemen training", "starts_on": "2026-02-02", "place": "Muscat", "organiser": "Unit", "classification": "confidential", "compartment": "yemen"}),
        ),
    ] {
        let (s, v) = app
            .api(Method::POST, &path, &coordinator_token, Some(body))
            .await;
        assert_eq!(s, 201, "{v}");
        ids.insert(key, v["id"].as_str().unwrap().to_string());
    }
    // Analyses: an internal one with two versions, and one in horn-of-africa with one version.
    for (key, process, body) in [
        (
            "analysis",
            ids["internal"].clone(),
            json!({"kind": "conflict-analysis", "title": "Fixture analysis", "body": "One.\nTwo.", "classification": "internal"}),
        ),
        (
            "analysis_hoa",
            ids["conf_hoa"].clone(),
            json!({"kind": "actor-map", "title": "Fixture map", "body": "Quiet.", "classification": "confidential", "compartment": "horn-of-africa"}),
        ),
    ] {
        let (s, a) = app
            .api(
                Method::POST,
                &format!("/api/v1/processes/{process}/analyses"),
                &coordinator_token,
                Some(body),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        ids.insert(key, a["id"].as_str().unwrap().to_string());
    }
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{}/versions", ids["analysis"]),
            &coordinator_token,
            Some(json!({"base_version": 1, "title": "Fixture analysis", "body": "One.\nTwo, revised."})),
        )
        .await;
    assert_eq!(s, 201, "{v}");

    // The fund: an instrument and a draft application of another organisation (internal).
    let officer = app.token("fund-officer").await;
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/fund/instruments",
            &officer,
            body(Body::Instrument, 0).map(|mut b| {
                b["code"] = json!("MATRIX");
                b
            }),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    ids.insert("instrument", v["id"].as_str().unwrap().to_string());
    let mut app_body = body(Body::Application, 0).unwrap();
    app_body["classification"] = json!("internal");
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/fund/applications",
            &officer,
            Some(app_body),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    ids.insert("application", v["id"].as_str().unwrap().to_string());
    // Evidence: a confidential and a secret item (evidence-sudan), a package, an upload of the
    // documenter's.
    let custodian_token = app.token("custodian").await;
    for (key, classification) in [("evidence", "confidential"), ("evidence_secret", "secret")] {
        let id = upload(app, &custodian_token, 0).await;
        let (s, v) = app
            .api(Method::POST, &format!("/api/v1/evidence/uploads/{id}/complete"), &custodian_token,
                Some(json!({"captured_at": "2026-01-01T00:00:00Z", "collector": "Matrix", "method": "download", "original_name": format!("{key}.bin"),
                            "classification": classification, "compartment": "evidence-sudan"})))
            .await;
        assert_eq!(s, 201, "{v}");
        ids.insert(key, v["item"]["id"].as_str().unwrap().to_string());
    }
    let (s, v) = app
        .api(Method::POST, "/api/v1/evidence/packages", &custodian_token,
            Some(json!({"recipient": "FFM", "recipient_kind": "ffm", "use_restrictions": "Matrix only.", "items": [ids["evidence"]]})))
        .await;
    assert_eq!(s, 201, "{v}");
    ids.insert("package", v["id"].as_str().unwrap().to_string());
    let documenter_token = app.token("documenter").await;
    ids.insert("upload", upload(app, &documenter_token, 1000).await);
    // An incident import job (evidence-sudan, confidential).
    let started = app
        .instance
        .access("documenter")
        .await
        .start_incident_import(
            grotius_domain::incident::ImportFormat::YemenRaids,
            "fixture.csv",
            b"Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities,Woman fatalities,Child fatalities,Injured,Woman injured,Child injured,Confirmed Time,Time of Day\nmatrix-job,26/03/2015,Capital,A,B,C,Civilian,R,1,2,0,1,0,0,0,0,0,2,Night\n",
            "confidential",
            "evidence-sudan",
            false,
        )
        .await
        .unwrap();
    let grotius_store::IncidentImportStart::Started(job) = started else {
        panic!("the fixture import was refused: {started:?}");
    };
    ids.insert("incident_job", job);
    // Incidents: a confidential and a secret one (evidence-sudan), a person with an identity.
    for (key, classification) in [("incident", "confidential"), ("incident_secret", "secret")] {
        let (s, v) = app
            .api(Method::POST, "/api/v1/incidents", &custodian_token,
                Some(json!({"title": format!("Matrix {key}"), "date": "2024", "date_precision": "year", "country": "SD",
                            "classification": classification, "compartment": "evidence-sudan"})))
            .await;
        assert_eq!(s, 201, "{v}");
        ids.insert(key, v["id"].as_str().unwrap().to_string());
    }
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/incidents/{}/persons", ids["incident"]),
            &custodian_token,
            Some(json!({"role": "source", "identity": {"name": "Matrix Person"}})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    ids.insert("person", v["id"].as_str().unwrap().to_string());
    ids.insert("term", "torture".to_string());

    // An outsider: another user, owning a token, for the "someone else's" rows.
    let op = app.instance.store.cli_operator();
    let outsider = op
        .create_user(&grotius_store::NewUser {
            username: "outsider".into(),
            display_name: "Outsider".into(),
            password: PASSWORD.into(),
            roles: vec![grotius_domain::Role::Analyst],
            clearance: grotius_domain::Classification::Internal,
            organisation: None,
        })
        .await
        .unwrap();
    let outsider_access = app
        .instance
        .store
        .cli_act_as(&outsider.id)
        .await
        .unwrap()
        .unwrap();
    let (_, tok) = outsider_access
        .create_token("outsider's", "read", 3600)
        .await
        .unwrap();
    // The outsider is a member of latam (so that removing her is possible for whichever role
    // runs first; adding her again is idempotent).
    op.add_member("latam", &outsider.id, "matrix fixture")
        .await
        .unwrap();
    ids.insert("other_user", outsider.id.clone());
    ids.insert("other_token", tok.id);

    // Peace agreements: one imported agreement and one import job.
    let pax = b"Con,Reg,AgtId,Agt,Dat,Stage,Agtp,GeWom,Wat\nSudan,Africa (excl MENA),4242,Fixture agreement,2019-08-17,SubComp,Intra,1,1\n";
    let report = op.import_agreements(pax, &mut |_, _| {}).await.unwrap();
    assert_eq!(report.inserted, 1, "{report:?}");
    ids.insert("agreement", "4242".to_string());
    let job = op
        .start_agreement_import("fixture.csv", pax.to_vec())
        .await
        .unwrap();
    ids.insert("agreement_job", job);

    // Access decisions across mediation and evidence: two requests waiting for the custodian.
    for name in ["analyst", "desk-officer", "legal-adviser", "adviser"] {
        let id = op.find_user_id(name).await.unwrap();
        ids.insert(
            match name {
                "analyst" => "user_analyst",
                "desk-officer" => "user_desk",
                "legal-adviser" => "user_legal",
                _ => "user_adviser",
            },
            id,
        );
    }
    let admin = app.instance.access("admin").await;
    for (key, user) in [
        ("decision", "user_analyst"),
        ("decision_ui", "user_adviser"),
    ] {
        let d = admin
            .request_access_decision(
                &ids[user],
                "evidence-sudan",
                "Matrix fixture: needs the incident dates",
            )
            .await
            .unwrap();
        ids.insert(key, d.id);
    }
    // Documents: one internal (linked to the internal process), one confidential in
    // horn-of-africa (linked to its process).
    let coord = app.instance.access("coordinator").await;
    for (key, classification, compartment, process) in [
        ("doc_internal", "internal", None, "internal"),
        (
            "doc_hoa",
            "confidential",
            Some("horn-of-africa"),
            "conf_hoa",
        ),
    ] {
        let d = coord
            .create_document(
                &grotius_domain::document::DocumentInput {
                    title: format!("Matrix {key}"),
                    processes: vec![ids[process].clone()],
                    classification: classification.into(),
                    compartment: compartment.map(str::to_string),
                    ..Default::default()
                },
                &grotius_store::Upload {
                    filename: "matrix.txt".into(),
                    bytes: b"Matrix fixture document.".to_vec(),
                },
            )
            .await
            .unwrap();
        ids.insert(key, d.id);
    }
    ids.insert("version_one", "1".to_string());

    let mut tokens = HashMap::new();
    let mut user_ids = HashMap::new();
    for role in ROLES {
        let t = app.token(role).await;
        let (_, me) = app.api(Method::GET, "/api/v1/me", &t, None).await;
        user_ids.insert(role, me["id"].as_str().unwrap().to_string());
        tokens.insert(role, t);
    }
    Fixture {
        ids,
        tokens,
        user_ids,
        coordinator_token,
    }
}

/// Starts an evidence upload of `length` bytes; returns its id.
async fn upload(app: &App, token: &str, length: usize) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/evidence/uploads"))
        .bearer_auth(token)
        .header("Upload-Length", length.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn body(b: Body, n: usize) -> Option<Value> {
    match b {
        Body::None | Body::Form(_) => None,
        Body::Process => Some(
            json!({"title": format!("matrix {n}"), "phase": "crisis", "tracks": ["II"], "dutch_role": "support", "status": "active", "classification": "internal"}),
        ),
        Body::ProcessHoa => Some(
            json!({"title": format!("matrix hoa {n}"), "phase": "crisis", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "confidential", "compartment": "horn-of-africa"}),
        ),
        Body::ProcessSecretYemen => Some(
            json!({"title": format!("matrix yemen {n}"), "phase": "negotiation", "tracks": ["1.5"], "dutch_role": "support", "status": "dormant", "classification": "secret", "compartment": "yemen"}),
        ),
        Body::NewUser => Some(
            json!({"username": format!("matrix-{n}"), "display_name": "M", "password": PASSWORD, "roles": ["analyst"], "clearance": "internal"}),
        ),
        Body::NewCompartment => Some(json!({"id": format!("matrix-{n}"), "name": "Matrix"})),
        Body::NewMember => Some(json!({"user_id": "{other_user}", "reason": "matrix test"})),
        Body::NewToken => Some(json!({"name": "matrix", "scope": "read", "expires_in_days": 1})),
        Body::Engagement => Some(
            json!({"date": "2026-11-01", "kind": "meeting", "track": "II", "summary": format!("matrix {n}"), "classification": "internal"}),
        ),
        Body::Expert => Some(
            json!({"name": format!("Matrix expert {n}"), "sex": "female", "expertise": ["process-design"], "languages": ["en"], "regions": ["Eastern Africa"], "tracks": ["II"], "clearance": "internal", "classification": "internal"}),
        ),
        Body::ExpertCsv | Body::PaxCsv | Body::DocumentUpload | Body::DocumentVersion => None,
        Body::DocumentMeta => Some(
            json!({"title": format!("Matrix document {n}"), "classification": "internal", "themes": ["water"]}),
        ),
        Body::DocumentMetaHoa => Some(
            json!({"title": format!("Matrix hoa document {n}"), "classification": "confidential", "compartment": "horn-of-africa"}),
        ),
        Body::Request => Some(
            json!({"title": format!("Matrix request {n}"), "requester": "EU Special Representative", "request_type": "advisory", "modality": "remote", "urgency": "routine", "countries": ["SD"], "expertise": ["process-design"], "languages": ["en"], "classification": "internal"}),
        ),
        Body::Participation => Some(
            json!({"role": "delegate", "sex": "female", "seniority": "senior", "party": format!("Delegation {n}"), "count": 2, "classification": "internal"}),
        ),
        Body::ParticipationHoa => Some(
            json!({"role": "mediator", "sex": "male", "seniority": "head", "count": 1, "classification": "confidential", "compartment": "horn-of-africa"}),
        ),
        Body::Analysis => Some(
            json!({"kind": "conflict-analysis", "title": format!("Matrix analysis {n}"), "body": "Drivers.", "classification": "internal"}),
        ),
        Body::AnalysisVersion => Some(
            json!({"base_version": 1, "title": format!("Matrix analysis {n}"), "body": "Drivers, revised."}),
        ),
        Body::AnalysisRestore => Some(json!({"version": 1})),
        Body::Crossing => Some(
            json!({"user_id": "{user_legal}", "compartment": "horn-of-africa", "reason": "Matrix: advice on amnesty provisions"}),
        ),
        Body::Decide => Some(json!({"approve": true, "note": "Matrix: approved, read only"})),
        Body::Safeguards => Some(
            json!({"consent": "withdrawn", "risk": "high", "note": "Matrix: threats reported"}),
        ),
        Body::Instrument => Some(
            json!({"code": format!("M{n}"), "name": format!("Matrix instrument {n}"), "oda": true, "max_months": 24, "grant_ceiling": "500000.00", "fast_track_threshold": "100000.00", "fast_target_days": 10, "standard_target_days": 15}),
        ),
        Body::Ceiling => Some(
            json!({"year": 2031, "scope": "country", "key": "SD", "amount": format!("{}.00", 100_000 + n)}),
        ),
        Body::Application => Some(
            json!({"instrument_id": "MATRIX", "title": format!("Matrix application {n}"), "partner": "Other Organisation", "currency": "EUR", "amount": "20000.00", "start_date": "2031-02-01", "months": 6, "purpose_code": "15220", "gender_marker": "1", "countries": ["SD"], "themes": ["wps"], "classification": "public"}),
        ),
        Body::Submit => Some(json!({"to": "submitted"})),
        Body::Payment => Some(
            json!({"kind": "disbursement", "currency": "EUR", "amount": "100.00", "value_date": "2031-03-01"}),
        ),
        Body::Amendment => Some(json!({"amount": "100.00", "note": "matrix"})),
        Body::UploadStart | Body::UploadChunk | Body::YemenCsv => None,
        Body::Incident => Some(
            json!({"title": format!("Matrix incident {n}"), "date": "2024-05-11", "date_precision": "day",
            "place_precision": "country", "country": "SD", "acts": [{"violation": "attack-on-civilians", "victims": [], "reliability": "B", "credibility": "2"}],
            "classification": "confidential", "compartment": "evidence-sudan"}),
        ),
        Body::IncidentSecret => Some(
            json!({"title": format!("Matrix incident {n}"), "date": "2024", "date_precision": "year",
            "country": "SD", "classification": "secret", "compartment": "evidence-sudan"}),
        ),
        Body::IncidentPerson => Some(json!({"role": "victim", "consent": "given", "risk": "high"})),
        Body::IncidentVerify => Some(json!({"to": "plausible", "note": "matrix"})),
        Body::IncidentLink => Some(json!({"item_id": "{evidence}"})),
        Body::IdentityReason => Some(json!({"reason": "Matrix test of the identity store."})),
        Body::ViolationTerm => {
            Some(json!({"code": format!("matrix-{n}"), "label_en": "Matrix", "label_nl": "Matrix"}))
        }
        Body::ViolationState => Some(json!({"deprecated": false})),
        Body::EvidenceMeta => Some(
            json!({"captured_at": "2026-01-01T00:00:00Z", "collector": "Matrix", "method": "download", "original_name": format!("m{n}.bin"),
                   "classification": "confidential", "compartment": "evidence-sudan"}),
        ),
        Body::Package => Some(
            json!({"recipient": format!("FFM {n}"), "recipient_kind": "ffm", "use_restrictions": "Matrix only.", "items": ["{evidence}"]}),
        ),
        Body::Transition => Some(json!({"to": "decision", "note": "matrix"})),
        Body::Debrief => Some(
            json!({"moment": "turning-point", "date": "2026-01-12", "case_title": format!("matrix {n}"), "started_on": "2025-01-01", "key_lessons": "A matrix lesson.", "classification": "internal"}),
        ),
        Body::Training => Some(
            json!({"title": format!("Matrix training {n}"), "starts_on": "2026-03-01", "remote": true, "organiser": "Unit"}),
        ),
        Body::Participant => Some(
            json!({"sex": "female", "organisation": "Matrix org", "organisation_type": "civil-society"}),
        ),
        Body::ParticipantCsv => None,
        Body::Assign => Some(json!({"expert_id": "{expert}"})),
        Body::Actor => Some(
            json!({"name": format!("Matrix actor {n}"), "kind": "person", "category": "mediator", "classification": "public"}),
        ),
        Body::ActorYemen => Some(
            json!({"name": format!("Matrix actor yemen {n}"), "kind": "person", "category": "mediator", "classification": "confidential", "compartment": "yemen"}),
        ),
        Body::Relationship => Some(
            json!({"from_actor": "{actor_public}", "to_actor": "{actor_other}", "kind": "knows", "classification": "internal"}),
        ),
    }
}

pub(crate) fn fill(s: &str, f: &Fixture, role: &str, fresh: &str, n: usize) -> String {
    let mut s = s
        .replace("{me}", &f.user_ids[role])
        .replace("{fresh}", fresh)
        .replace("{fresh_hoa}", fresh)
        .replace("{fresh_actor}", fresh)
        .replace("{fresh_relationship}", fresh)
        .replace("{fresh_expert}", fresh)
        .replace("{fresh_engagement}", fresh)
        .replace("{fresh_participation}", fresh)
        .replace("{fresh_analysis}", fresh)
        .replace("{fresh_request}", fresh)
        .replace("{fresh_debrief}", fresh)
        .replace("{fresh_training}", fresh)
        .replace("{fresh_participant}", fresh)
        .replace("{fresh_application}", fresh)
        .replace("{fresh_upload}", fresh)
        .replace("{fresh_document}", fresh)
        .replace("{fresh_incident}", fresh)
        .replace("{fresh_incident_secret}", fresh)
        .replace("{n}", &n.to_string())
        .replace("{kind_process}", "process");
    for (k, v) in &f.ids {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_every_route() {
    let app = App::spawn().await;
    let f = fixture(&app).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for (col, role) in ROLES.iter().enumerate() {
        let browser: Browser = app.browser(role).await;
        for r in MATRIX {
            n += 1;
            let fresh_kind = if r.path.contains("{fresh}") {
                Some(("/api/v1/processes".to_string(), body(Body::Process, n)))
            } else if r.path.contains("{fresh_hoa}") {
                Some(("/api/v1/processes".to_string(), body(Body::ProcessHoa, n)))
            } else if r.path.contains("{fresh_actor}") {
                Some(("/api/v1/actors".to_string(), body(Body::Actor, n)))
            } else if r.path.contains("{fresh_engagement}") {
                Some((
                    fill("/api/v1/processes/{internal}/engagements", &f, role, "", n),
                    body(Body::Engagement, n),
                ))
            } else if r.path.contains("{fresh_participation}") {
                Some((
                    fill(
                        "/api/v1/processes/{internal}/participation",
                        &f,
                        role,
                        "",
                        n,
                    ),
                    body(Body::Participation, n),
                ))
            } else if r.path.contains("{fresh_debrief}") {
                Some((
                    fill("/api/v1/processes/{internal}/debriefs", &f, role, "", n),
                    body(Body::Debrief, n),
                ))
            } else if r.path.contains("{fresh_training}") {
                Some(("/api/v1/trainings".to_string(), body(Body::Training, n)))
            } else if r.path.contains("{fresh_participant}") {
                Some((
                    fill("/api/v1/trainings/{training}/participants", &f, role, "", n),
                    body(Body::Participant, n),
                ))
            } else if r.path.contains("{fresh_application}") {
                Some((
                    "/api/v1/fund/applications".to_string(),
                    body(Body::Application, n),
                ))
            } else if r.path.contains("{fresh_analysis}") {
                Some((
                    fill("/api/v1/processes/{internal}/analyses", &f, role, "", n),
                    body(Body::Analysis, n),
                ))
            } else if r.path.contains("{fresh_incident_secret}") {
                Some((
                    "/api/v1/incidents".to_string(),
                    body(Body::IncidentSecret, n),
                ))
            } else if r.path.contains("{fresh_incident}") {
                Some(("/api/v1/incidents".to_string(), body(Body::Incident, n)))
            } else if r.path.contains("{fresh_expert}") {
                Some(("/api/v1/experts".to_string(), body(Body::Expert, n)))
            } else if r.path.contains("{fresh_request}") {
                Some(("/api/v1/requests".to_string(), body(Body::Request, n)))
            } else if r.path.contains("{fresh_relationship}") {
                let b = body(Body::Relationship, n).map(|v| {
                    serde_json::from_str::<Value>(&fill(&v.to_string(), &f, role, "", n)).unwrap()
                });
                Some(("/api/v1/relationships".to_string(), b))
            } else {
                None
            };
            let fresh = if r.path.contains("{fresh_upload}") {
                let t = app.token("documenter").await;
                upload(&app, &t, 0).await
            } else if r.path.contains("{fresh_document}") {
                let (s, d) = crate::documents::post_multipart(
                    &app,
                    "/api/v1/documents",
                    &f.coordinator_token,
                    &[("title", "Matrix fresh"), ("classification", "internal")],
                    Some(("fresh.txt", b"A document to delete.")),
                )
                .await;
                assert_eq!(s, 201, "{d}");
                d["id"].as_str().unwrap().to_string()
            } else if let Some((path, b)) = fresh_kind {
                let creator = if path.starts_with("/api/v1/fund/") {
                    &f.tokens["fund-officer"]
                } else if path.starts_with("/api/v1/incidents") {
                    &f.tokens["custodian"]
                } else {
                    &f.coordinator_token
                };
                let (s, p) = app.api(Method::POST, &path, creator, b).await;
                assert_eq!(s, 201, "{p}");
                p["id"].as_str().unwrap().to_string()
            } else {
                String::new()
            };
            let path = fill(r.path, &f, role, &fresh, n);
            let status = if r.path.starts_with("/api/") {
                let b = body(r.body, n).map(|v| {
                    serde_json::from_str::<Value>(&fill(&v.to_string(), &f, role, &fresh, n))
                        .unwrap()
                });
                let b = match r.body {
                    Body::Form(_) => Some(json!({})),
                    _ => b,
                };
                if matches!(r.body, Body::UploadStart | Body::UploadChunk) {
                    let mut req = app
                        .client
                        .request(
                            Method::from_bytes(r.method.as_bytes()).unwrap(),
                            app.url(&path),
                        )
                        .bearer_auth(&f.tokens[role]);
                    req = if matches!(r.body, Body::UploadStart) {
                        req.header("Upload-Length", "10")
                    } else {
                        req.header("Upload-Offset", "0")
                            .header("Content-Type", "application/offset+octet-stream")
                            .body(vec![7u8; 10])
                    };
                    req.send().await.unwrap().status().as_u16()
                } else if matches!(r.body, Body::ParticipantCsv) {
                    let csv = format!(
                        "name,sex,organisation,organisation_type,country\nImported {n},female,Matrix org,civil-society,SD\n"
                    );
                    let resp = app
                        .client
                        .post(app.url(&path))
                        .bearer_auth(&f.tokens[role])
                        .header("content-type", "text/csv")
                        .body(csv)
                        .send()
                        .await
                        .unwrap();
                    resp.status().as_u16()
                } else if matches!(r.body, Body::YemenCsv) {
                    let csv = format!(
                        "Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities,Woman fatalities,Child fatalities,Injured,Woman injured,Child injured,Confirmed Time,Time of Day\nmatrix-{n},26/03/2015,Capital,A,B,C,Civilian,R,1,2,0,1,0,0,0,0,0,2,Night\n"
                    );
                    let resp = app
                        .client
                        .post(app.url(&path))
                        .bearer_auth(&f.tokens[role])
                        .header("content-type", "text/csv")
                        .body(csv)
                        .send()
                        .await
                        .unwrap();
                    resp.status().as_u16()
                } else if matches!(r.body, Body::PaxCsv) {
                    let csv = format!(
                        "Con,Reg,AgtId,Agt,Dat,Stage,Agtp\nYemen,Middle East and North Africa,{},Matrix agreement {n},2020-01-01,Pre,Intra\n",
                        900_000 + n
                    );
                    let resp = app
                        .client
                        .post(app.url(&path))
                        .bearer_auth(&f.tokens[role])
                        .header("content-type", "text/csv")
                        .body(csv)
                        .send()
                        .await
                        .unwrap();
                    resp.status().as_u16()
                } else if matches!(r.body, Body::DocumentUpload | Body::DocumentVersion) {
                    let text = format!("Matrix document text {n}.");
                    let fields: &[(&str, &str)] = if matches!(r.body, Body::DocumentUpload) {
                        &[("title", "Matrix upload"), ("classification", "internal")]
                    } else {
                        &[]
                    };
                    crate::documents::post_multipart(
                        &app,
                        &path,
                        &f.tokens[role],
                        fields,
                        Some(("matrix.txt", text.as_bytes())),
                    )
                    .await
                    .0
                } else if matches!(r.body, Body::ExpertCsv) {
                    let csv = format!(
                        "name,sex,expertise,languages,regions,tracks,clearance,classification\nImported {n},female,mhpss,fr,Western Africa,III,internal,internal\n"
                    );
                    let resp = app
                        .client
                        .post(app.url(&path))
                        .bearer_auth(&f.tokens[role])
                        .header("content-type", "text/csv")
                        .body(csv)
                        .send()
                        .await
                        .unwrap();
                    resp.status().as_u16()
                } else {
                    if r.path.ends_with("/team/{expert}") {
                        let (s, v) = app
                            .api(
                                Method::POST,
                                &fill("/api/v1/requests/{request}/team", &f, role, "", n),
                                &f.coordinator_token,
                                Some(json!({"expert_id": f.ids["expert"]})),
                            )
                            .await;
                        assert!(s < 300, "{v}");
                    }
                    app.api(
                        Method::from_bytes(r.method.as_bytes()).unwrap(),
                        &path,
                        &f.tokens[role],
                        b,
                    )
                    .await
                    .0
                }
            } else if r.method == "GET" {
                browser.get(&path).await.0
            } else {
                let Body::Form(fields) = r.body else {
                    panic!("UI writes are forms")
                };
                let filled: Vec<(String, String)> = fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), fill(v, &f, role, &fresh, n)))
                    .collect();
                let pairs: Vec<(&str, &str)> = filled
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                browser.post(&path, &pairs).await.0
            };
            if status != r.expect[col] {
                failures.push(format!(
                    "{role:>14} {} {} → {status}, expected {}",
                    r.method, r.path, r.expect[col]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn lists_and_totals_show_exactly_what_each_role_may_see() {
    let app = App::spawn().await;
    let f = fixture(&app).await;
    let (_, all) = app
        .api(
            Method::GET,
            "/api/v1/processes?limit=500",
            &f.coordinator_token,
            None,
        )
        .await;
    for (col, role) in ROLES.iter().enumerate() {
        let (s, v) = app
            .api(
                Method::GET,
                "/api/v1/processes?limit=500",
                &f.tokens[role],
                None,
            )
            .await;
        let Some(visible) = VISIBLE[col] else {
            assert_eq!(s, 404, "{role}: {v}");
            for p in all["items"].as_array().unwrap() {
                let id = p["id"].as_str().unwrap();
                let (s, _) = app
                    .api(
                        Method::GET,
                        &format!("/api/v1/processes/{id}"),
                        &f.tokens[role],
                        None,
                    )
                    .await;
                assert_eq!(s, 404, "{role}: {id}");
            }
            continue;
        };
        assert_eq!(s, 200);
        assert_eq!(v["total"].as_i64(), Some(visible), "{role}: total");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len() as i64, visible, "{role}: items");
        // Every listed record is one the role can open; every other one answers 404.
        let listed: BTreeSet<&str> = items.iter().map(|p| p["id"].as_str().unwrap()).collect();
        for p in all["items"].as_array().unwrap() {
            let id = p["id"].as_str().unwrap();
            let (s, _) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/processes/{id}"),
                    &f.tokens[role],
                    None,
                )
                .await;
            assert_eq!(
                s == 200,
                listed.contains(id),
                "{role}: list and detail disagree on {id}"
            );
        }
        // The HTML list says the same.
        let b = app.browser(role).await;
        let (_, html) = b.get("/processes").await;
        assert!(
            html.contains(&format!("of {visible}</span>"))
                || html.contains(&format!("van {visible}</span>")),
            "{role}: UI total"
        );
    }
}

/// A path with its parameters blanked (`/api/v1/processes/{}`) and its query left out.
pub(crate) fn template(p: &str) -> String {
    let p = p.split('?').next().unwrap_or(p);
    let mut out = String::new();
    let mut inside = false;
    for ch in p.chars() {
        match ch {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            _ => out.push(ch),
        }
    }
    out
}

/// The template of a matrix row's path, comparable with [`template`] of an OpenAPI path.
pub(crate) fn matrix_template(path: &str) -> String {
    template(
        &path
            .replace("no-such-id", "{x}")
            .replace("/yemen", "/{x}")
            .replace("/evidence-sudan", "/{x}")
            .replace("/latam/", "/{x}/"),
    )
}

/// Every operation of the OpenAPI document appears in the matrix.
#[tokio::test]
async fn the_matrix_covers_the_whole_api() {
    let app = App::spawn().await;
    let doc: Value = app.openapi().await;
    let covered: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|r| (r.method.to_lowercase(), matrix_template(r.path)))
        .collect();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if path == "/api/v1/auth/token" {
                continue; // anonymous by design; tested in http.rs
            }
            if !covered.contains(&(method.clone(), template(path))) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes not in the authorisation matrix: {missing:?}"
    );
}

/// The routes the matrix names, as (method lowercase, [`matrix_template`] of the path).
pub(crate) fn covered_routes() -> BTreeSet<(String, String)> {
    MATRIX
        .iter()
        .map(|r| (r.method.to_lowercase(), matrix_template(r.path)))
        .collect()
}
