//! The authorisation matrix: every role × every route (API and UI pages and forms), with
//! classification and compartment cases. A record a role may not see answers 404, never 403.
//!
//! Roles are declared once ([`ROLE_SPECS`]): clearance, compartments and the capability groups
//! each demo account belongs to, written from the product brief's role descriptions — never
//! computed by the product's policy code, so that the matrix can catch the policy. Each module's
//! rows (`authz_matrix/<module>.rs`) state a [`Rule`] instead of one status per role; the
//! expected status is [`Rule::expect`] of the role's spec. Adding a role is one [`RoleSpec`];
//! adding a route is one row in its module.

use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Browser, PASSWORD};

mod accountability;
mod dialogues;
mod early_warning;
mod fund;
mod knowledge;
mod mediation;
mod network;
mod platform;
mod roster;
mod work;

/// Every module's rows, fed to the runner, [`covered_routes`] and the other users.
const MODULES: &[&[Row]] = &[
    platform::ROWS,
    mediation::ROWS,
    network::ROWS,
    roster::ROWS,
    fund::ROWS,
    knowledge::ROWS,
    accountability::ROWS,
    dialogues::ROWS,
    early_warning::ROWS,
    work::ROWS,
];

/// All rows of all modules.
pub(crate) fn rows() -> impl Iterator<Item = &'static Row> {
    MODULES.iter().flat_map(|m| m.iter())
}

/// A capability: what a set of roles may do, named after the brief's description of the work.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Group(&'static str);

/// Every signed-in account (not listed in the specs: everyone is in it).
pub(crate) const EVERYONE: Group = Group("everyone");
/// Staff of the ministry: everyone but outside partners (reference knowledge: agreements).
pub(crate) const STAFF: Group = Group("staff");
/// Reads documents within their labels: staff but the auditor.
pub(crate) const DOCUMENTS_READ: Group = Group("documents read");
/// Uploads documents, adds versions, edits their metadata.
pub(crate) const DOCUMENTS_WRITE: Group = Group("documents write");
/// Reads processes, their journal, participation and trainings.
pub(crate) const MEDIATION_READ: Group = Group("mediation read");
/// Files and edits processes, engagements, requests and debriefs.
pub(crate) const MEDIATION_WRITE: Group = Group("mediation write");
/// The head of the mediation support unit: deletes, runs the roster, stewards compartments.
pub(crate) const UNIT_HEAD: Group = Group("unit head");
/// Reads lessons (debriefs) and requests for support.
pub(crate) const LESSONS_READ: Group = Group("lessons read");
/// Reads the roster of experts.
pub(crate) const EXPERTS_READ: Group = Group("experts read");
/// Reads the network of actors.
pub(crate) const NETWORK_READ: Group = Group("network read");
/// Reads versioned analyses.
pub(crate) const ANALYSIS_READ: Group = Group("analysis read");
/// Writes versioned analyses.
pub(crate) const ANALYSIS_WRITE: Group = Group("analysis write");
/// Records women's participation, trainings and their participants.
pub(crate) const GENDER_WRITE: Group = Group("gender write");
/// Curates (deletes) participation records: the unit head and the WPS adviser.
pub(crate) const WPS_CURATE: Group = Group("wps curate");
/// Exports disaggregated (per person) participation and training data.
pub(crate) const DISAGGREGATED_EXPORT: Group = Group("disaggregated export");
/// Sees the fund: instruments and applications.
pub(crate) const FUND_READ: Group = Group("fund read");
/// Runs instruments, ceilings and applications.
pub(crate) const FUND_OFFICER: Group = Group("fund officer");
/// The ministry's fund readers: applications of any organisation (partners see their own only).
pub(crate) const FUND_INSIDE: Group = Group("fund inside");
/// Applies for funding: the fund officer and partners.
pub(crate) const FUND_APPLICANT: Group = Group("fund applicant");
/// Decides and amends commitments.
pub(crate) const FUND_APPROVER: Group = Group("fund approver");
/// Pays.
pub(crate) const FUND_CONTROLLER: Group = Group("fund controller");
/// Reads money: reports and the dashboard (partners: their own).
pub(crate) const FUND_MONEY: Group = Group("fund money");
/// The fund's own staff: exports and IATI.
pub(crate) const FUND_STAFF: Group = Group("fund staff");
/// Reads the overview for Parliament.
pub(crate) const PARLIAMENT_READ: Group = Group("parliament read");
/// Reads the evidence vault and incidents.
pub(crate) const EVIDENCE_READ: Group = Group("evidence read");
/// Files evidence and incidents.
pub(crate) const EVIDENCE_FILE: Group = Group("evidence file");
/// Keeps the evidence: transfer packages, identities.
pub(crate) const EVIDENCE_CUSTODY: Group = Group("evidence custody");
/// Discloses evidence: reads transfer packages, exports incidents.
pub(crate) const EVIDENCE_DISCLOSE: Group = Group("evidence disclose");
/// Reads the violation vocabulary.
pub(crate) const VOCABULARY_READ: Group = Group("vocabulary read");
/// Maintains the violation vocabulary.
pub(crate) const VOCABULARY_WRITE: Group = Group("vocabulary write");
/// Administers users, compartments and tokens.
pub(crate) const ADMIN: Group = Group("admin");
/// Reads the audit trail.
pub(crate) const AUDIT: Group = Group("audit");
/// Reads access decisions across mediation and evidence.
pub(crate) const DECISIONS_READ: Group = Group("decisions read");
/// Asks for an access decision.
pub(crate) const DECISIONS_ASK: Group = Group("decisions ask");
/// Decides access requests (each for their own side).
pub(crate) const DECISIONS_DECIDE: Group = Group("decisions decide");
/// Reads access decisions on the evidence side.
pub(crate) const EVIDENCE_DECISIONS_READ: Group = Group("evidence decisions read");
/// Imports peace agreements (PA-X).
pub(crate) const AGREEMENT_IMPORT: Group = Group("agreement import");

/// A classification level, in order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Level {
    Public,
    Internal,
    Confidential,
    Secret,
}

/// The labels of the record a row touches (`NO_LABELS` for lists and forms).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Labels {
    level: Level,
    compartment: Option<&'static str>,
}

const fn labels(level: Level, compartment: Option<&'static str>) -> Labels {
    Labels { level, compartment }
}

pub(crate) const NO_LABELS: Labels = labels(Level::Public, None);
pub(crate) const INTERNAL: Labels = labels(Level::Internal, None);
pub(crate) const CONFIDENTIAL: Labels = labels(Level::Confidential, None);
pub(crate) const CONF_HOA: Labels = labels(Level::Confidential, Some("horn-of-africa"));
pub(crate) const CONF_YEMEN: Labels = labels(Level::Confidential, Some("yemen"));
pub(crate) const SECRET_YEMEN: Labels = labels(Level::Secret, Some("yemen"));
pub(crate) const CONF_EVIDENCE: Labels = labels(Level::Confidential, Some("evidence-sudan"));
pub(crate) const SECRET_EVIDENCE: Labels = labels(Level::Secret, Some("evidence-sudan"));
/// A compartment itself (its page, its members): seen by its members.
pub(crate) const YEMEN: Labels = labels(Level::Public, Some("yemen"));
pub(crate) const LATAM: Labels = labels(Level::Public, Some("latam"));
pub(crate) const EVIDENCE_SUDAN: Labels = labels(Level::Public, Some("evidence-sudan"));

/// A demo account as the brief describes it.
pub(crate) struct RoleSpec {
    pub(crate) name: &'static str,
    clearance: Level,
    compartments: &'static [&'static str],
    groups: &'static [Group],
    /// Processes the role finds in the list (demo data plus one confidential record without
    /// compartment); `None`: no access to processes at all (the list answers 404).
    processes_visible: Option<i64>,
}

impl RoleSpec {
    fn is_in(&self, g: Group) -> bool {
        g == EVERYONE || self.groups.contains(&g)
    }

    fn cleared_for(&self, l: Labels) -> bool {
        self.clearance >= l.level && l.compartment.is_none_or(|c| self.compartments.contains(&c))
    }
}

/// The demo accounts.
#[rustfmt::skip]
pub(crate) const ROLE_SPECS: &[RoleSpec] = &[
    // Users, compartments, vocabularies; reads the mediation side without compartments.
    RoleSpec {
        name: "admin",
        clearance: Level::Secret,
        compartments: &[],
        groups: &[STAFF, DOCUMENTS_READ, MEDIATION_READ, LESSONS_READ, EXPERTS_READ, NETWORK_READ, FUND_READ, PARLIAMENT_READ, FUND_INSIDE, VOCABULARY_READ, VOCABULARY_WRITE, ADMIN, DECISIONS_READ, DECISIONS_ASK, AGREEMENT_IMPORT, EVIDENCE_DECISIONS_READ],
        processes_visible: Some(6),
    },
    // The mediation support unit: every mediation compartment.
    RoleSpec {
        name: "coordinator",
        clearance: Level::Secret,
        compartments: &["horn-of-africa", "yemen", "latam", "europe-east"],
        groups: &[STAFF, DOCUMENTS_READ, DOCUMENTS_WRITE, MEDIATION_READ, MEDIATION_WRITE, UNIT_HEAD, LESSONS_READ, EXPERTS_READ, NETWORK_READ, ANALYSIS_READ, ANALYSIS_WRITE, GENDER_WRITE, WPS_CURATE, DISAGGREGATED_EXPORT, FUND_READ, PARLIAMENT_READ, FUND_INSIDE, DECISIONS_READ, DECISIONS_DECIDE],
        processes_visible: Some(12),
    },
    // The Khartoum desk: horn-of-africa.
    RoleSpec {
        name: "desk-officer",
        clearance: Level::Confidential,
        compartments: &["horn-of-africa"],
        groups: &[STAFF, DOCUMENTS_READ, DOCUMENTS_WRITE, MEDIATION_READ, MEDIATION_WRITE, LESSONS_READ, EXPERTS_READ, NETWORK_READ, ANALYSIS_READ, ANALYSIS_WRITE, GENDER_WRITE],
        processes_visible: Some(8),
    },
    // Conflict data, analyses, knowledge; imports agreements.
    RoleSpec {
        name: "analyst",
        clearance: Level::Confidential,
        compartments: &[],
        groups: &[STAFF, DOCUMENTS_READ, DOCUMENTS_WRITE, MEDIATION_READ, LESSONS_READ, EXPERTS_READ, NETWORK_READ, ANALYSIS_READ, ANALYSIS_WRITE, DISAGGREGATED_EXPORT, AGREEMENT_IMPORT],
        processes_visible: Some(6),
    },
    // Runs instruments and applications.
    RoleSpec {
        name: "fund-officer",
        clearance: Level::Internal,
        compartments: &[],
        groups: &[STAFF, DOCUMENTS_READ, MEDIATION_READ, LESSONS_READ, EXPERTS_READ, FUND_READ, FUND_OFFICER, FUND_APPLICANT, FUND_MONEY, FUND_STAFF, PARLIAMENT_READ, FUND_INSIDE],
        processes_visible: Some(5),
    },
    // Decides and amends commitments.
    RoleSpec {
        name: "fund-approver",
        clearance: Level::Confidential,
        compartments: &[],
        groups: &[STAFF, DOCUMENTS_READ, MEDIATION_READ, LESSONS_READ, FUND_READ, FUND_APPROVER, FUND_MONEY, FUND_STAFF, PARLIAMENT_READ, FUND_INSIDE],
        processes_visible: Some(6),
    },
    // Pays.
    RoleSpec {
        name: "controller",
        clearance: Level::Internal,
        compartments: &[],
        groups: &[STAFF, DOCUMENTS_READ, MEDIATION_READ, FUND_READ, FUND_CONTROLLER, FUND_MONEY, FUND_STAFF, PARLIAMENT_READ, FUND_INSIDE],
        processes_visible: Some(5),
    },
    // Files evidence and incidents.
    RoleSpec {
        name: "documenter",
        clearance: Level::Secret,
        compartments: &["evidence-sudan"],
        groups: &[STAFF, DOCUMENTS_READ, EVIDENCE_READ, EVIDENCE_FILE, VOCABULARY_READ],
        processes_visible: None,
    },
    // Keeps evidence, opens identities, transfers, decides evidence access.
    RoleSpec {
        name: "custodian",
        clearance: Level::Secret,
        compartments: &["evidence-sudan"],
        groups: &[STAFF, DOCUMENTS_READ, EVIDENCE_READ, EVIDENCE_FILE, EVIDENCE_CUSTODY, EVIDENCE_DISCLOSE, VOCABULARY_READ, VOCABULARY_WRITE, DECISIONS_READ, DECISIONS_DECIDE, EVIDENCE_DECISIONS_READ],
        processes_visible: None,
    },
    // Reads evidence and incidents, exports; files nothing.
    RoleSpec {
        name: "legal-adviser",
        clearance: Level::Confidential,
        compartments: &["evidence-sudan"],
        groups: &[STAFF, DOCUMENTS_READ, EVIDENCE_READ, EVIDENCE_DISCLOSE, VOCABULARY_READ],
        processes_visible: None,
    },
    // The thematic (WPS) adviser: reads across mediation, records participation and trainings.
    RoleSpec {
        name: "adviser",
        clearance: Level::Confidential,
        compartments: &[],
        groups: &[STAFF, DOCUMENTS_READ, DOCUMENTS_WRITE, MEDIATION_READ, LESSONS_READ, EXPERTS_READ, NETWORK_READ, ANALYSIS_READ, GENDER_WRITE, WPS_CURATE, DISAGGREGATED_EXPORT],
        processes_visible: Some(6),
    },
    // An outside organisation: its own fund applications, nothing else.
    RoleSpec {
        name: "partner",
        clearance: Level::Public,
        compartments: &[],
        groups: &[FUND_READ, FUND_APPLICANT, FUND_MONEY],
        processes_visible: None,
    },
    // The audit trail, and the access decisions.
    RoleSpec {
        name: "auditor",
        clearance: Level::Internal,
        compartments: &[],
        groups: &[STAFF, AUDIT, DECISIONS_READ, EVIDENCE_DECISIONS_READ],
        processes_visible: None,
    },];

/// The demo account names, in [`ROLE_SPECS`] order.
pub(crate) fn roles() -> impl Iterator<Item = &'static str> {
    ROLE_SPECS.iter().map(|r| r.name)
}

/// What a row expects: roles outside `see` or not cleared for `on` get 404; roles that see but
/// are outside `act` get 403; the others `ok`. `except` names the few roles where the product
/// really differs (each commented at its row).
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    see: Group,
    act: Group,
    on: Labels,
    ok: u16,
    except: &'static [(&'static str, u16)],
}

/// A read: 200 for the group cleared for the labels, 404 for everyone else.
const fn read(see: Group, on: Labels) -> Rule {
    write(see, see, on, 200)
}

/// An action: `ok` for `act` cleared for the labels, 403 for the rest of `see` so cleared, 404
/// for everyone else.
const fn write(see: Group, act: Group, on: Labels, ok: u16) -> Rule {
    Rule {
        see,
        act,
        on,
        ok,
        except: &[],
    }
}

/// The same answer for every account.
const fn everyone(status: u16) -> Rule {
    write(EVERYONE, EVERYONE, NO_LABELS, status)
}

impl Rule {
    /// Per-role exceptions where the product really differs from the rule.
    const fn but(self, except: &'static [(&'static str, u16)]) -> Rule {
        Rule { except, ..self }
    }

    pub(crate) fn expect(&self, role: &RoleSpec) -> u16 {
        if let Some((_, s)) = self.except.iter().find(|(r, _)| *r == role.name) {
            *s
        } else if !role.is_in(self.see) || !role.cleared_for(self.on) {
            404
        } else if !role.is_in(self.act) {
            403
        } else {
            self.ok
        }
    }
}

#[derive(Clone, Copy)]
enum Body {
    None,
    /// A comment on a record.
    Comment,
    /// One's own e-mail notifications, on.
    Notifications,
    /// An assignment of a record to the coordinator (who reads every mediation record).
    WorkAssignment,
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
    /// An internal alert on Sudan owned by the analyst.
    Alert,
    /// A new conversation of the internal fixture process.
    DialogueNew,
    /// Closes a conversation.
    DialogueStatus,
    /// A statement of the team.
    DialogueStatement,
    /// Accepts a statement.
    DialogueModeration,
    /// A translation of a statement (into English, the fixture's language).
    DialogueTranslation,
    /// One personal invitation link.
    DialogueInvite,
    /// A multipart CSV of one paper participant (a fresh label per call) agreeing with
    /// statement 0.
    DialoguePaperRound,
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
    /// A page or form of a fresh browser without a session (the form gets the login page's
    /// CSRF token).
    Anonymous(&'static [(&'static str, &'static str)]),
    /// A form post in a fresh session of the role (signing out leaves the runner's session).
    OwnSession,
    /// Credentials that sign no one in.
    WrongCredentials,
    /// A multipart form with a small file, posted in the role's browser session (the CSRF token
    /// in the query, as the upload forms do).
    UiMultipart(&'static [(&'static str, &'static str)]),
}

pub(crate) struct Row {
    pub(crate) method: &'static str,
    /// `/api/…` rows use a bearer token; other rows a browser session with its CSRF token.
    pub(crate) path: &'static str,
    body: Body,
    pub(crate) rule: Rule,
}

const fn row(method: &'static str, path: &'static str, body: Body, rule: Rule) -> Row {
    Row {
        method,
        path,
        body,
        rule,
    }
}

// Placeholders: {public} {internal} {confidential} (no compartment) {conf_hoa} {secret_yemen}
// {fresh} / {fresh_hoa} (a new internal / horn-of-africa process, made for each call) {me} {other_user} {other_token} {n} (unique)

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
    // Journal entries: one of the internal process naming a public and a hidden participant, one
    // of the Horn of Africa process.
    for (key, process, body) in [
        (
            "engagement",
            "internal",
            json!({"date": "2026-03-02", "kind": "meeting", "track": "I", "summary": "Fixture entry",
            "participants": [ids["actor_public"], ids["actor_yemen"]], "classification": "internal"}),
        ),
        (
            "engagement_hoa",
            "conf_hoa",
            json!({"date": "2026-03-03", "kind": "meeting", "track": "I", "summary": "Fixture entry",
            "classification": "confidential", "compartment": "horn-of-africa"}),
        ),
    ] {
        let (s, e) = app
            .api(
                Method::POST,
                &format!("/api/v1/processes/{}/engagements", ids[process]),
                &coordinator_token,
                Some(body),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        ids.insert(key, e["id"].as_str().unwrap().to_string());
    }

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
    // Dialogues: a small imported conversation of the internal process.
    ids.insert(
        "dialogue",
        crate::dialogues::import_small(app, &ids["internal"]).await,
    );
    // Its first statement (statements are numbered from 0 within a conversation).
    ids.insert("dialogue_statement", "0".to_string());
    // Files of its Pol.is export.
    ids.insert("polis_votes", "participants-votes.csv".to_string());
    ids.insert("polis_comments", "comments.csv".to_string());
    // A conversation run inside Grotius (with a participation link).
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/dialogues",
            &coordinator_token,
            Some(json!({"process_id": ids["internal"], "topic": "Matrix run", "languages": ["en"], "seeds": ["A matrix seed statement."]})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    ids.insert("dialogue_run", v["id"].as_str().unwrap().to_string());

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
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/incidents/vocabulary",
            &custodian_token,
            Some(
                json!({"code": "matrix-ui-term", "label_en": "Matrix UI", "label_nl": "Matrix UI"}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    ids.insert("term_ui", "matrix-ui-term".to_string());

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

    // Early warning: one imported event in Sudan and one import job.
    let ged = crate::early_warning::ONE_EVENT.as_bytes();
    op.import_events(ged, &mut |_, _| {}).await.unwrap();
    ids.insert("country", "SD".to_string());
    let job = op
        .start_event_import(
            grotius_store::EventImportKind::Ged,
            "fixture.geojson",
            ged.to_vec(),
        )
        .await
        .unwrap();
    ids.insert("event_job", job);
    let alert = |title: &str, owner: &str, classification: &str, compartment: Option<&str>| {
        grotius_domain::early_warning::AlertInput {
            country: "SD".into(),
            signal: "new-conflict".into(),
            as_of: "2019-06".into(),
            title: title.into(),
            owner: owner.into(),
            deadline: "2019-07-31".into(),
            classification: classification.into(),
            compartment: compartment.map(str::to_string),
            ..Default::default()
        }
    };
    let coordinator = app.instance.access("coordinator").await;
    // Assignments of the internal process the coordinator gives herself: only she (assignee
    // and assigner) may mark them done; one for the API, one for the form.
    for key in ["assignment", "assignment_ui"] {
        let internal = ids["internal"].clone();
        let x = coordinator
            .assign(&internal, "coordinator", "2030-01-31", key)
            .await
            .unwrap();
        ids.insert(key, x.id);
    }
    let a = coordinator
        .create_alert(&alert("Fixture alert", "analyst", "internal", None))
        .await
        .unwrap();
    ids.insert("alert", a.id);
    let a = coordinator
        .create_alert(&alert(
            "Fixture alert hoa",
            "desk-officer",
            "confidential",
            Some("horn-of-africa"),
        ))
        .await
        .unwrap();
    ids.insert("alert_hoa", a.id);

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
    for role in roles() {
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
        Body::ExpertCsv
        | Body::PaxCsv
        | Body::DocumentUpload
        | Body::DocumentVersion
        | Body::DialoguePaperRound => None,
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
        Body::Anonymous(_) | Body::OwnSession | Body::UiMultipart(_) => None,
        Body::WrongCredentials => {
            Some(json!({"username": format!("nobody-{n}"), "password": "wrong"}))
        }
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
        Body::DialogueNew => Some(
            json!({"process_id": "{internal}", "topic": format!("Matrix conversation {n}"), "languages": ["en", "ar"], "seeds": ["A matrix seed statement."]}),
        ),
        Body::DialogueStatus => Some(json!({"status": "closed"})),
        Body::DialogueStatement => Some(json!({"body": format!("Matrix statement {n}")})),
        Body::DialogueModeration => Some(json!({"decision": "accept"})),
        Body::DialogueInvite => Some(json!({"count": 1})),
        Body::DialogueTranslation => {
            Some(json!({"lang": "en", "body": format!("Matrix translation {n}")}))
        }
        Body::Alert => Some(
            json!({"country": "SD", "signal": "manual", "as_of": "2019-06", "title": format!("Matrix alert {n}"), "owner": "analyst", "deadline": "2030-01-31", "status": "open", "classification": "internal"}),
        ),
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
        Body::Comment => Some(json!({"body": format!("Matrix comment {n}")})),
        Body::Notifications => Some(json!({"email": "someone@example.org", "enabled": true})),
        Body::WorkAssignment => Some(
            json!({"assignee": "coordinator", "due": "2030-01-31", "note": format!("Matrix {n}")}),
        ),
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
    for spec in ROLE_SPECS {
        let role = spec.name;
        let browser: Browser = app.browser(role).await;
        for r in rows() {
            // A request without a session carries no role: it runs once, with the first role.
            if matches!(r.body, Body::Anonymous(_)) && role != ROLE_SPECS[0].name {
                continue;
            }
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
                } else if matches!(r.body, Body::DialoguePaperRound) {
                    let csv = format!("participant,0\nMatrix-{n},agree\n");
                    crate::documents::post_multipart(
                        &app,
                        &path,
                        &f.tokens[role],
                        &[],
                        Some(("paper-round.csv", csv.as_bytes())),
                    )
                    .await
                    .0
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
            } else if let Body::Anonymous(fields) = r.body {
                let anonymous = Browser::anonymous(&app.url(""));
                if r.method == "GET" {
                    anonymous.get(&path).await.0
                } else {
                    let login = anonymous.get("/login").await.1;
                    let pre =
                        crate::harness::csrf_of(&login).expect("the login form has a CSRF field");
                    let mut pairs: Vec<(String, String)> = vec![("_csrf".into(), pre)];
                    pairs.extend(
                        fields
                            .iter()
                            .map(|(k, v)| (k.to_string(), fill(v, &f, role, &fresh, n))),
                    );
                    let pairs: Vec<(&str, &str)> = pairs
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    anonymous.post_raw(&path, &pairs).await.0
                }
            } else if let Body::UiMultipart(fields) = r.body {
                let filled: Vec<(String, String)> = fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), fill(v, &f, role, &fresh, n)))
                    .collect();
                let pairs: Vec<(&str, &str)> = filled
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let (content_type, payload) = crate::evidence::multipart(
                    &pairs,
                    ("matrix.jpg", format!("matrix {n}").as_bytes()),
                );
                browser
                    .client
                    .post(app.url(&format!("{path}?_csrf={}", browser.csrf)))
                    .header("content-type", content_type)
                    .body(payload)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            } else if matches!(r.body, Body::OwnSession) {
                app.browser(role).await.post(&path, &[]).await.0
            } else if r.method == "GET" {
                browser.get(&path).await.0
            } else {
                let Body::Form(fields) = r.body else {
                    panic!("UI writes are forms")
                };
                if r.path.ends_with("/members/{other_user}/remove") {
                    // The API row before may have removed her already.
                    app.instance
                        .store
                        .cli_operator()
                        .add_member("latam", &f.ids["other_user"], "matrix fixture")
                        .await
                        .unwrap();
                }
                if r.path.ends_with("/team/{expert}/remove") {
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
            let expected = r.rule.expect(spec);
            if status != expected {
                failures.push(format!(
                    "{role:>14} {} {} → {status}, expected {expected}",
                    r.method, r.path
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
    for spec in ROLE_SPECS {
        let role = spec.name;
        let (s, v) = app
            .api(
                Method::GET,
                "/api/v1/processes?limit=500",
                &f.tokens[role],
                None,
            )
            .await;
        let Some(visible) = spec.processes_visible else {
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
            .replace("/latam/", "/{x}/")
            .replace("/lang/nl", "/lang/{x}")
            .replace("/lang/en", "/lang/{x}"),
    )
}

/// Every operation of the OpenAPI document appears in the matrix.
#[tokio::test]
async fn the_matrix_covers_the_whole_api() {
    let app = App::spawn().await;
    let doc: Value = app.openapi().await;
    let covered = covered_routes();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
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

/// Every `(method, path template)` the matrix names: the method in lower case, the path as
/// [`matrix_template`] makes it (comparable with [`template`] of a router or OpenAPI path).
pub(crate) fn covered_routes() -> BTreeSet<(String, String)> {
    rows()
        .map(|r| (r.method.to_lowercase(), matrix_template(r.path)))
        .collect()
}
