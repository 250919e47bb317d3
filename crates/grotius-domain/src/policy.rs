//! The policy engine: the one place that decides whether a subject may perform an action on a
//! resource.
//!
//! Rules, in order:
//! 1. **Labels first.** A resource carrying labels (classification and optional compartment) that
//!    the subject cannot see is *not found* — whatever the action and whatever the role. Existence
//!    is never revealed. This holds for administrators too: they manage compartments, but read
//!    their content only as members.
//! 2. **Ownership.** Some kinds grant actions to the owner of a resource (your own account, your
//!    own API tokens).
//! 3. **Roles.** A fixed table grants actions on each kind to roles. Deny by default.
//! 4. A denied subject who may *read* the resource gets *forbidden*; one who may not gets *not
//!    found*.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::security::{Classification, CompartmentId, Role};

/// Who is asking: an authenticated user with roles, clearance and compartment memberships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub user_id: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub clearance: Classification,
    pub compartments: BTreeSet<CompartmentId>,
    /// For partner users: the organisation whose records they may see.
    pub organisation: Option<String>,
    /// Acting through a read-only API token: only reads and exports are possible.
    #[serde(default)]
    pub read_only: bool,
}

impl Subject {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether records with these labels are visible to this subject at all.
    pub fn can_see(&self, labels: &Labels) -> bool {
        labels.classification <= self.clearance
            && labels
                .compartment
                .as_ref()
                .is_none_or(|c| self.compartments.contains(c))
    }

    /// Whether this is the operator at the command line ([`Subject::operator`]): no user account
    /// has this id (accounts get random ids).
    pub fn is_operator(&self) -> bool {
        self.user_id == "cli"
    }

    /// The operator at the command line (`grotius user add`, `grotius init`, …): an administrator
    /// without clearance or compartments. It is recorded in the audit log as `cli`.
    pub fn operator() -> Subject {
        Subject {
            user_id: "cli".into(),
            username: "cli".into(),
            roles: vec![Role::Admin],
            clearance: Classification::Internal,
            compartments: BTreeSet::new(),
            organisation: None,
            read_only: false,
        }
    }
}

/// The security labels of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    pub classification: Classification,
    pub compartment: Option<CompartmentId>,
}

impl Labels {
    pub fn public() -> Labels {
        Labels {
            classification: Classification::Public,
            compartment: None,
        }
    }

    /// The one rule for inherited labels: the labels of a record that belongs to, or is linked
    /// to, a record labelled `parent` (an engagement, analysis, debrief or participation record
    /// of a process; a document linked to it) are at least as strict as the parent's — a
    /// classification no lower, and the parent's compartment when it has one (a child keeps its
    /// own compartment only under a parent without one). Storage applies it when a child is
    /// saved and re-applies it to every child when the parent's labels change; the search
    /// index applies it again when it reads a child.
    pub fn under(&self, parent: &Labels) -> Labels {
        Labels {
            classification: self.classification.max(parent.classification),
            compartment: parent
                .compartment
                .clone()
                .or_else(|| self.compartment.clone()),
        }
    }
}

/// Every kind of resource the policy knows. A module adds its kinds here and a row to [`grants`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// User accounts (administration). Every user owns their own account.
    User,
    /// Compartments and their memberships.
    Compartment,
    /// The audit log.
    AuditLog,
    /// Personal API tokens, owned by a user.
    ApiToken,
    /// Mediation and dialogue processes.
    Process,
    /// Reference data: countries, regions, themes.
    Reference,
    /// Persons and organisations of the network.
    Actor,
    /// Typed, dated relationships between actors (and with colleagues of the unit).
    Relationship,
    /// Experts of the roster.
    Expert,
    /// Requests for support from envoys, embassies and partners, and their deployments.
    SupportRequest,
    /// Entries of a process's engagements journal (meetings, calls, visits).
    Engagement,
    /// Women's participation records of a process (role, sex, seniority, count).
    Participation,
    /// Instruments of the mediation fund with their budgets and ceilings.
    Instrument,
    /// Applications to the fund (partners: only their own organisation's).
    FundApplication,
    /// Ledger transactions of the fund: commitments, disbursements, refunds.
    FundTransaction,
    /// Debriefs of a process (lessons, FDFA template), at turning points and at exit.
    Debrief,
    /// Trainings with their participants.
    Training,
    /// Versioned analyses of a process (actor maps, process maps, conflict analyses).
    Analysis,
    /// Peace agreements (PA-X): reference data of the unit, public by default.
    Agreement,
    /// Items of the evidence vault (files with capture metadata and a chain of custody).
    Evidence,
    /// Signed transfer packages of evidence for a recipient (FFM, ICC, prosecutor).
    TransferPackage,
    /// Recorded decisions to let a user into a compartment of the other side (mediation or
    /// evidence).
    AccessDecision,
    /// The document library: files with extracted text and versions.
    Document,
    /// Incidents (HURIDOCS events) with their acts and persons under pseudonyms.
    Incident,
    /// The real identities behind incident persons' pseudonyms (the custodian only).
    PersonIdentity,
    /// The editable vocabulary of violation types.
    ViolationType,
    /// Dialogues of a process (Pol.is-style conversations) with their votes and opinion groups.
    Dialogue,
    /// Conflict events (UCDP GED): public reference data of early warning.
    ConflictEvent,
    /// Early-warning alerts: a signal someone must assess and follow up (labelled records).
    Alert,
    /// Comments on a record, labelled like it (see `work`).
    Comment,
    /// A record assigned to a person by a date, labelled like the record (see `work`).
    Assignment,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 31] = [
        ResourceKind::User,
        ResourceKind::Compartment,
        ResourceKind::AuditLog,
        ResourceKind::ApiToken,
        ResourceKind::Process,
        ResourceKind::Reference,
        ResourceKind::Actor,
        ResourceKind::Relationship,
        ResourceKind::Expert,
        ResourceKind::SupportRequest,
        ResourceKind::Engagement,
        ResourceKind::Participation,
        ResourceKind::Instrument,
        ResourceKind::FundApplication,
        ResourceKind::FundTransaction,
        ResourceKind::Debrief,
        ResourceKind::Training,
        ResourceKind::Analysis,
        ResourceKind::Agreement,
        ResourceKind::Evidence,
        ResourceKind::TransferPackage,
        ResourceKind::AccessDecision,
        ResourceKind::Document,
        ResourceKind::Incident,
        ResourceKind::PersonIdentity,
        ResourceKind::ViolationType,
        ResourceKind::Dialogue,
        ResourceKind::ConflictEvent,
        ResourceKind::Alert,
        ResourceKind::Comment,
        ResourceKind::Assignment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::User => "user",
            ResourceKind::Compartment => "compartment",
            ResourceKind::AuditLog => "audit-log",
            ResourceKind::ApiToken => "api-token",
            ResourceKind::Process => "process",
            ResourceKind::Reference => "reference",
            ResourceKind::Actor => "actor",
            ResourceKind::Relationship => "relationship",
            ResourceKind::Expert => "expert",
            ResourceKind::SupportRequest => "support-request",
            ResourceKind::Engagement => "engagement",
            ResourceKind::Participation => "participation",
            ResourceKind::Instrument => "instrument",
            ResourceKind::FundApplication => "fund-application",
            ResourceKind::FundTransaction => "fund-transaction",
            ResourceKind::Debrief => "debrief",
            ResourceKind::Training => "training",

            ResourceKind::Analysis => "analysis",
            ResourceKind::Agreement => "agreement",
            ResourceKind::Evidence => "evidence",
            ResourceKind::TransferPackage => "transfer-package",
            ResourceKind::AccessDecision => "access-decision",
            ResourceKind::Document => "document",
            ResourceKind::Incident => "incident",
            ResourceKind::PersonIdentity => "person-identity",
            ResourceKind::ViolationType => "violation-type",
            ResourceKind::Dialogue => "dialogue",
            ResourceKind::ConflictEvent => "conflict-event",
            ResourceKind::Alert => "alert",
            ResourceKind::Comment => "comment",
            ResourceKind::Assignment => "assignment",
        }
    }

    /// Actions the owner of a resource of this kind may always perform.
    fn owner_actions(self) -> &'static [Action] {
        use Action::*;
        match self {
            ResourceKind::User => &[Read, Update],
            ResourceKind::ApiToken => &[Read, Create, Delete],
            // A member of a compartment may see that compartment (its name and members).
            ResourceKind::Compartment => &[Read],
            // The one a record is assigned to may mark it done.
            ResourceKind::Assignment => &[Read, Update],
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    Export,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Export,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Export => "export",
        }
    }
}

/// What an action is about. `labels` is `None` for kinds that carry no labels, or when asking
/// about a whole collection; `owner` names the user a resource belongs to, where that matters.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    pub kind: ResourceKind,
    pub labels: Option<&'a Labels>,
    pub owner: Option<&'a str>,
    /// The organisation a record belongs to (fund applications and their money): a partner's
    /// grants apply only to its own organisation's records.
    pub organisation: Option<&'a str>,
}

impl<'a> Resource<'a> {
    /// A kind as a whole (a list, or a new record before its labels are known).
    pub fn kind(kind: ResourceKind) -> Self {
        Resource {
            kind,
            labels: None,
            owner: None,
            organisation: None,
        }
    }

    pub fn labelled(kind: ResourceKind, labels: &'a Labels) -> Self {
        Resource {
            kind,
            labels: Some(labels),
            owner: None,
            organisation: None,
        }
    }

    pub fn owned(kind: ResourceKind, owner: &'a str) -> Self {
        Resource {
            kind,
            labels: None,
            owner: Some(owner),
            organisation: None,
        }
    }

    /// A labelled record of an organisation (a fund application, a ledger transaction).
    pub fn of_organisation(kind: ResourceKind, labels: &'a Labels, organisation: &'a str) -> Self {
        Resource {
            kind,
            labels: Some(labels),
            owner: None,
            organisation: Some(organisation),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Denial),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Answer as if the resource did not exist (HTTP 404).
    NotFound,
    /// The subject may see the resource but not do this (HTTP 403).
    Forbidden,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// The role table: which actions each role has on each kind. Deny by default.
///
/// Mediation and evidence apart: a role of one side ([`crate::separation::WorkDomain::of_role`])
/// holds nothing on a kind of the other side ([`crate::separation::WorkDomain::of_kind`]) — the
/// evidence roles (documenter, custodian, legal adviser) read no process, engagement, actor,
/// relationship, participation, debrief or analysis, and the mediation roles no evidence kind. A
/// test checks every cell.
pub fn grants(role: Role, kind: ResourceKind) -> &'static [Action] {
    use Action::*;
    use ResourceKind as K;
    use Role as R;
    match (kind, role) {
        (K::Reference, R::Partner) => &[Read],
        (K::Reference, _) => &[Read, Export],

        (K::User, R::Admin) => &[Read, Create, Update],
        (K::Compartment, R::Admin) => &[Read, Create, Update, Delete],
        (K::ApiToken, R::Admin) => &[Read, Delete],
        (K::AuditLog, R::Auditor) => &[Read, Export],

        (K::Process | K::Engagement, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Process | K::Engagement, R::DeskOfficer) => &[Read, Create, Update],
        (K::Process | K::Engagement, R::Analyst | R::Adviser) => &[Read, Export],
        (K::Process | K::Engagement, R::Admin) => &[Read],
        (K::Process | K::Engagement, R::FundOfficer | R::FundApprover | R::Controller) => &[Read],

        // Dialogues (consultations and their opinion groups) are analysis of a process: run by
        // the unit, the desks and the analysts; read by the thematic advisers and, like the rest
        // of the mediation side without compartments, by the administrator. An imported
        // conversation is filed by a coordinator (the command line's importer).
        (K::Dialogue, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Dialogue, R::DeskOfficer | R::Analyst) => &[Read, Create, Update],
        (K::Dialogue, R::Adviser) => &[Read, Export],
        (K::Dialogue, R::Admin) => &[Read],

        // Women's participation: the unit and the WPS adviser keep it, desks record delegations,
        // analysts read and export; everyone who reads processes reads it.
        (K::Participation, R::Coordinator | R::Adviser) => &[Read, Create, Update, Delete, Export],
        (K::Participation, R::DeskOfficer) => &[Read, Create, Update],
        (K::Participation, R::Analyst) => &[Read, Export],
        (K::Participation, R::Admin | R::FundOfficer | R::FundApprover | R::Controller) => &[Read],

        // The network: the unit and the desks build it; analysts and advisers read and export.
        (K::Actor | K::Relationship, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Actor | K::Relationship, R::DeskOfficer) => &[Read, Create, Update],
        (K::Actor | K::Relationship, R::Analyst | R::Adviser) => &[Read, Export],
        (K::Actor | K::Relationship, R::Admin) => &[Read],

        // The roster and requests for support: run by the unit; desks file requests.
        (K::Expert, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Expert, R::Admin | R::DeskOfficer | R::Analyst | R::Adviser | R::FundOfficer) => {
            &[Read]
        }
        (K::SupportRequest, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::SupportRequest, R::DeskOfficer) => &[Read, Create, Update],
        (
            K::SupportRequest,
            R::Admin | R::Analyst | R::Adviser | R::FundOfficer | R::FundApprover,
        ) => &[Read],

        // The fund: officers prepare and appraise, approvers decide, controllers pay; partners
        // act on their own organisation's applications only (see `granted`).
        (K::Instrument, R::FundOfficer) => &[Read, Create, Update, Delete, Export],
        (K::Instrument, R::FundApprover | R::Controller) => &[Read, Export],
        (K::Instrument, R::Admin | R::Coordinator | R::Partner) => &[Read],
        (K::FundApplication, R::FundOfficer) => &[Read, Create, Update, Delete, Export],
        (K::FundApplication, R::FundApprover | R::Controller) => &[Read, Update, Export],
        (K::FundApplication, R::Coordinator | R::Admin) => &[Read],
        (K::FundApplication, R::Partner) => &[Read, Create, Update],
        (K::FundTransaction, R::Controller) => &[Read, Create, Export],
        (K::FundTransaction, R::FundOfficer | R::FundApprover) => &[Read, Export],
        (K::FundTransaction, R::Partner) => &[Read],
        // Lessons: written by the unit and the desks at turning points and exit; searched by
        // analysts and thematic advisers (knowledge); readable by whoever reads processes.
        (K::Debrief, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Debrief, R::DeskOfficer) => &[Read, Create, Update],
        (K::Debrief, R::Analyst | R::Adviser) => &[Read, Export],
        (K::Debrief, R::Admin | R::FundOfficer | R::FundApprover) => &[Read],

        // Trainings: organised by the unit (and WPS advisers, who report on participation);
        // desks record them; analysts and the fund read the figures.
        (K::Training, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Training, R::Adviser) => &[Read, Create, Update, Export],
        (K::Training, R::DeskOfficer) => &[Read, Create, Update],
        (K::Training, R::Analyst) => &[Read, Export],
        (K::Training, R::Admin | R::FundOfficer | R::FundApprover | R::Controller) => &[Read],

        // Analyses (actor maps, process maps, conflict analyses): written by the unit, the desks
        // and the analysts; read by the thematic advisers. Need to know: no fund, evidence,
        // administration or audit roles — an actor map says who is a spoiler.
        (K::Analysis, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Analysis, R::DeskOfficer | R::Analyst) => &[Read, Create, Update],
        (K::Analysis, R::Adviser) => &[Read, Export],

        // Peace agreements (PA-X) are reference knowledge: every staff role reads and exports
        // them; analysts and administrators import and correct them; partners see nothing.
        (K::Agreement, R::Admin | R::Analyst) => &[Read, Create, Update, Export],
        (K::Agreement, R::Partner) => &[],
        (K::Agreement, _) => &[Read, Export],
        // Conflict events (early warning) are public reference data like the agreements:
        // analysts and administrators import them, every staff role reads, partners nothing.
        (K::ConflictEvent, R::Admin | R::Analyst) => &[Read, Create, Update, Delete, Export],
        (K::ConflictEvent, R::Partner) => &[],
        (K::ConflictEvent, _) => &[Read, Export],
        // Alerts are analytic judgements with the need to know of analyses: the unit, the
        // desks and the analysts raise and follow them up; thematic advisers read them.
        (K::Alert, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Alert, R::DeskOfficer | R::Analyst) => &[Read, Create, Update],
        (K::Alert, R::Adviser) => &[Read, Export],
        // The evidence vault: documenters collect (file and read, never alter), the custodian
        // keeps the vault and hands evidence over, the legal adviser reads and exports for
        // counsel. Mediation, fund, administration and audit roles see nothing: evidence and
        // mediation data stay apart (and evidence lives in its own compartments).
        (K::Evidence, R::Custodian) => &[Read, Create, Update, Delete, Export],
        (K::Evidence, R::Documenter) => &[Read, Create],
        (K::Evidence, R::LegalAdviser) => &[Read, Export],
        (K::TransferPackage, R::Custodian) => &[Read, Create, Update, Delete, Export],
        (K::TransferPackage, R::LegalAdviser) => &[Read, Export],
        // Incidents sit beside the evidence, for the same roles: documenters record and
        // correct, the custodian keeps everything, the legal adviser reads and exports.
        // Mediation and fund roles see nothing. Real identities behind the pseudonyms: the
        // custodian alone opens them; a documenter may file one (write-only) when recording.
        (K::Incident, R::Custodian) => &[Read, Create, Update, Delete, Export],
        (K::Incident, R::Documenter) => &[Read, Create, Update],
        (K::Incident, R::LegalAdviser) => &[Read, Export],
        (K::PersonIdentity, R::Custodian) => &[Read, Create, Update],
        (K::PersonIdentity, R::Documenter) => &[Create],
        (K::ViolationType, R::Admin | R::Custodian) => &[Read, Create, Update],
        (K::ViolationType, R::Documenter | R::LegalAdviser) => &[Read],

        // Crossing between mediation and evidence: administrators ask, the coordinator or the
        // custodian decides (the rule in `separation::may_decide` says which and that it is not
        // the one who asked), the auditor reads the record.
        (K::AccessDecision, R::Admin) => &[Read, Create],
        (K::AccessDecision, R::Coordinator | R::Custodian) => &[Read, Update],
        (K::AccessDecision, R::Auditor) => &[Read],

        // Documents: the unit's library. Coordinators, desks, analysts and thematic advisers add
        // documents and new versions; the coordinator also deletes. Every other staff role of the
        // unit reads within its labels (the legal adviser, the fund, documenters of evidence);
        // partners and the auditor see nothing (the auditor reads the audit log of downloads).
        (K::Document, R::Coordinator) => &[Read, Create, Update, Delete, Export],
        (K::Document, R::DeskOfficer | R::Analyst | R::Adviser) => &[Read, Create, Update, Export],
        (
            K::Document,
            R::Admin
            | R::LegalAdviser
            | R::FundOfficer
            | R::FundApprover
            | R::Controller
            | R::Documenter
            | R::Custodian,
        ) => &[Read],

        // Comments and assignments: the unit's deliberation about a record, for every staff
        // role that reads the record (`work::may_work` asks for both). Partners and the auditor
        // have none: a partner never reads what the unit says about her application.
        (K::Comment, R::Partner | R::Auditor) => &[],
        (K::Comment, _) => &[Read, Create],
        (K::Assignment, R::Partner | R::Auditor) => &[],
        (K::Assignment, _) => &[Read, Create],

        _ => &[],
    }
}

/// Whether a role's grants on this resource are limited to the subject's own organisation.
fn organisation_scoped(role: Role) -> bool {
    role == Role::Partner
}

impl ResourceKind {
    /// Kinds whose records belong to an organisation (a fund application and the money moved
    /// for it): an organisation-scoped role (a partner) acts only on records of its own
    /// organisation, and a record that names no organisation is nobody's.
    pub fn is_organisation_bound(self) -> bool {
        matches!(
            self,
            ResourceKind::FundApplication | ResourceKind::FundTransaction
        )
    }
}

/// The organisation a subject's reading of `kind` is bound to: `Some(org)` when every role that
/// lets it read `kind` is organisation-scoped (a partner), so storage must filter by it.
pub fn organisation_bound(subject: &Subject, kind: ResourceKind) -> Option<&str> {
    let staff = subject
        .roles
        .iter()
        .any(|r| !organisation_scoped(*r) && grants(*r, kind).contains(&Action::Read));
    if staff {
        None
    } else {
        Some(subject.organisation.as_deref().unwrap_or(""))
    }
}

/// The rule for an organisation-scoped role on an organisation-bound kind. The collection (no
/// labels, no organisation: a list, filtered in storage by [`organisation_bound`]) is open to a
/// subject who represents an organisation; a named record — one with labels or an organisation —
/// only when it names that same organisation. A record without an organisation (or with an empty
/// one) is not the partner's, whatever its labels: so a re-check of a row by its labels alone
/// (`Access::recheck`) denies a partner instead of passing it as "the collection".
fn of_own_organisation(subject: &Subject, resource: &Resource<'_>) -> bool {
    let mine = subject
        .organisation
        .as_deref()
        .filter(|o| !o.trim().is_empty());
    let Some(mine) = mine else {
        return false;
    };
    let collection = resource.labels.is_none() && resource.organisation.is_none();
    if collection {
        return true;
    }
    resource
        .organisation
        .filter(|o| !o.trim().is_empty())
        .is_some_and(|org| org == mine)
}

fn granted(subject: &Subject, action: Action, resource: &Resource<'_>) -> bool {
    let by_owner = resource.owner.is_some_and(|o| o == subject.user_id)
        && resource.kind.owner_actions().contains(&action);
    by_owner
        || subject.roles.iter().any(|r| {
            grants(*r, resource.kind).contains(&action)
                && (!organisation_scoped(*r)
                    || !resource.kind.is_organisation_bound()
                    || of_own_organisation(subject, resource))
        })
}

/// The single decision function. Every read, write, search hit, count, export and download in
/// Grotius is allowed or denied here.
pub fn decide(subject: &Subject, action: Action, resource: Resource<'_>) -> Decision {
    if let Some(labels) = resource.labels
        && !subject.can_see(labels)
    {
        return Decision::Deny(Denial::NotFound);
    }
    if subject.read_only && !matches!(action, Action::Read | Action::Export) {
        return if granted(subject, Action::Read, &resource) {
            Decision::Deny(Denial::Forbidden)
        } else {
            Decision::Deny(Denial::NotFound)
        };
    }
    if granted(subject, action, &resource) {
        Decision::Allow
    } else if action != Action::Read && granted(subject, Action::Read, &resource) {
        Decision::Deny(Denial::Forbidden)
    } else {
        Decision::Deny(Denial::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(roles: &[Role], clearance: Classification, comps: &[&str]) -> Subject {
        Subject {
            user_id: "u1".into(),
            username: "u".into(),
            roles: roles.to_vec(),
            clearance,
            compartments: comps
                .iter()
                .map(|c| CompartmentId::parse(c).unwrap())
                .collect(),
            organisation: None,
            read_only: false,
        }
    }

    fn labels(c: Classification, comp: Option<&str>) -> Labels {
        Labels {
            classification: c,
            compartment: comp.map(|c| CompartmentId::parse(c).unwrap()),
        }
    }

    #[test]
    fn labels_hide_existence_even_from_admins() {
        let admin = subject(&[Role::Admin], Classification::Secret, &[]);
        let l = labels(Classification::Internal, Some("yemen"));
        let r = Resource::labelled(ResourceKind::Process, &l);
        assert_eq!(
            decide(&admin, Action::Read, r),
            Decision::Deny(Denial::NotFound)
        );
        let member = subject(&[Role::Admin], Classification::Secret, &["yemen"]);
        assert_eq!(decide(&member, Action::Read, r), Decision::Allow);
    }

    #[test]
    fn clearance_bounds_reads() {
        let analyst = subject(&[Role::Analyst], Classification::Confidential, &[]);
        let secret = labels(Classification::Secret, None);
        let conf = labels(Classification::Confidential, None);
        let p = |l| Resource::labelled(ResourceKind::Process, l);
        assert_eq!(
            decide(&analyst, Action::Read, p(&secret)),
            Decision::Deny(Denial::NotFound)
        );
        assert_eq!(decide(&analyst, Action::Read, p(&conf)), Decision::Allow);
        assert_eq!(
            decide(&analyst, Action::Update, p(&conf)),
            Decision::Deny(Denial::Forbidden)
        );
    }

    #[test]
    fn deny_by_default() {
        let partner = subject(&[Role::Partner], Classification::Secret, &[]);
        let l = Labels::public();
        for action in Action::ALL {
            assert_eq!(
                decide(
                    &partner,
                    action,
                    Resource::labelled(ResourceKind::Process, &l)
                ),
                Decision::Deny(Denial::NotFound)
            );
            assert!(!decide(&partner, action, Resource::kind(ResourceKind::AuditLog)).is_allowed());
        }
    }

    #[test]
    fn a_partner_acts_only_on_its_own_organisations_applications() {
        let mut partner = subject(&[Role::Partner], Classification::Internal, &[]);
        partner.organisation = Some("Peace Lab".into());
        let l = Labels::public();
        let own = Resource::of_organisation(ResourceKind::FundApplication, &l, "Peace Lab");
        let other = Resource::of_organisation(ResourceKind::FundApplication, &l, "Other NGO");
        assert!(decide(&partner, Action::Read, own).is_allowed());
        assert!(decide(&partner, Action::Update, own).is_allowed());
        assert_eq!(
            decide(&partner, Action::Read, other),
            Decision::Deny(Denial::NotFound)
        );
        assert_eq!(
            decide(&partner, Action::Update, other),
            Decision::Deny(Denial::NotFound)
        );
        assert!(!decide(&partner, Action::Delete, own).is_allowed());
        // Without an organisation a partner has no collection either.
        partner.organisation = None;
        assert!(
            !decide(
                &partner,
                Action::Read,
                Resource::kind(ResourceKind::FundApplication)
            )
            .is_allowed()
        );
        // Staff are not limited by organisation.
        let officer = subject(&[Role::FundOfficer], Classification::Internal, &[]);
        assert!(decide(&officer, Action::Update, other).is_allowed());
    }

    #[test]
    fn a_named_record_without_an_organisation_is_not_a_partners() {
        let mut partner = subject(&[Role::Partner], Classification::Secret, &[]);
        partner.organisation = Some("Peace Lab".into());
        let l = Labels::public();
        for kind in [ResourceKind::FundApplication, ResourceKind::FundTransaction] {
            // A row re-checked by its labels alone names no organisation: not hers.
            assert_eq!(
                decide(&partner, Action::Read, Resource::labelled(kind, &l)),
                Decision::Deny(Denial::NotFound),
                "{kind:?}"
            );
            // An empty organisation is no organisation.
            assert_eq!(
                decide(
                    &partner,
                    Action::Read,
                    Resource::of_organisation(kind, &l, "")
                ),
                Decision::Deny(Denial::NotFound)
            );
            // The collection stays open (storage filters it by her organisation).
            assert!(decide(&partner, Action::Read, Resource::kind(kind)).is_allowed());
        }
        // A partner whose organisation is empty matches no application, not even one without.
        partner.organisation = Some(String::new());
        let none = Resource::of_organisation(ResourceKind::FundApplication, &l, "");
        assert!(!decide(&partner, Action::Read, none).is_allowed());
        assert!(
            !decide(
                &partner,
                Action::Read,
                Resource::kind(ResourceKind::FundApplication)
            )
            .is_allowed()
        );
        // Staff read a record by its labels alone.
        let officer = subject(&[Role::FundOfficer], Classification::Internal, &[]);
        let r = Resource::labelled(ResourceKind::FundApplication, &l);
        assert!(decide(&officer, Action::Read, r).is_allowed());
    }

    #[test]
    fn a_child_is_labelled_at_least_as_strictly_as_its_parent() {
        let child = labels(Classification::Internal, Some("yemen"));
        // The parent moves to another compartment and is raised: the child follows both.
        assert_eq!(
            child.under(&labels(Classification::Secret, Some("latam"))),
            labels(Classification::Secret, Some("latam"))
        );
        // The parent leaves its compartment and is lowered: the child keeps the stricter labels.
        let strict = labels(Classification::Secret, Some("yemen"));
        assert_eq!(
            strict.under(&labels(Classification::Public, None)),
            strict.clone()
        );
        // A child never reads more widely than its parent.
        for parent in [
            labels(Classification::Confidential, Some("latam")),
            labels(Classification::Internal, None),
        ] {
            let eff = Labels::public().under(&parent);
            for s in [
                subject(&[Role::Analyst], Classification::Secret, &["yemen"]),
                subject(&[Role::Analyst], Classification::Internal, &["latam"]),
            ] {
                assert!(!s.can_see(&eff) || s.can_see(&parent));
            }
        }
    }

    #[test]
    fn read_only_tokens_cannot_write() {
        let mut s = subject(&[Role::Coordinator], Classification::Secret, &[]);
        s.read_only = true;
        let l = Labels::public();
        let r = Resource::labelled(ResourceKind::Process, &l);
        assert!(decide(&s, Action::Read, r).is_allowed());
        assert_eq!(
            decide(&s, Action::Update, r),
            Decision::Deny(Denial::Forbidden)
        );
    }

    #[test]
    fn owners_manage_their_own_tokens_only() {
        let s = subject(&[Role::Analyst], Classification::Internal, &[]);
        assert!(
            decide(
                &s,
                Action::Delete,
                Resource::owned(ResourceKind::ApiToken, "u1")
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &s,
                Action::Delete,
                Resource::owned(ResourceKind::ApiToken, "u2")
            ),
            Decision::Deny(Denial::NotFound)
        );
    }
}
