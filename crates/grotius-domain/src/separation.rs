//! Separation of mediation and evidence work.
//!
//! A mediator who holds the evidence of a party's crimes is compromised as a go-between, and an
//! evidence file touched by the mediation side loses its independence before a court. So every
//! compartment belongs to one [`WorkDomain`], every role of the two sides belongs to one, and a
//! user may span both only by a recorded [`AccessDecision`]: requested by an administrator with a
//! reason, approved by someone else who answers for the target side (the evidence custodian for
//! evidence, the coordinator of the unit for mediation) and who belongs to the target compartment.

use crate::DomainError;
use crate::policy::{ResourceKind, Subject};
use crate::security::Role;

/// The side of the house a compartment or a role belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkDomain {
    Mediation,
    Evidence,
}

impl WorkDomain {
    pub const ALL: [WorkDomain; 2] = [WorkDomain::Mediation, WorkDomain::Evidence];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkDomain::Mediation => "mediation",
            WorkDomain::Evidence => "evidence",
        }
    }

    pub fn parse(s: &str) -> Result<WorkDomain, DomainError> {
        WorkDomain::ALL
            .into_iter()
            .find(|d| d.as_str() == s.trim())
            .ok_or_else(|| DomainError::UnknownValue {
                what: "domain",
                value: s.to_string(),
                expected: "mediation, evidence".into(),
            })
    }

    /// The side a role works on; `None` for roles of neither (administration, the fund, audit,
    /// partners), which may hold compartments of either side without crossing.
    pub fn of_role(role: Role) -> Option<WorkDomain> {
        match role {
            Role::Coordinator | Role::DeskOfficer | Role::Analyst | Role::Adviser => {
                Some(WorkDomain::Mediation)
            }
            Role::Documenter | Role::Custodian | Role::LegalAdviser => Some(WorkDomain::Evidence),
            Role::Admin
            | Role::FundOfficer
            | Role::FundApprover
            | Role::Controller
            | Role::Partner
            | Role::Auditor => None,
        }
    }

    /// The side a kind of record belongs to; `None` for kinds of neither (administration, the
    /// audit log, reference data, PA-X agreements, the fund, the document library — whose
    /// documents are kept apart by their compartments — and the access decisions themselves).
    pub fn of_kind(kind: ResourceKind) -> Option<WorkDomain> {
        use ResourceKind as K;
        match kind {
            K::Process
            | K::Engagement
            | K::Participation
            | K::Actor
            | K::Relationship
            | K::Expert
            | K::SupportRequest
            | K::Debrief
            | K::Training
            | K::Analysis
            | K::Dialogue
            | K::Alert => Some(WorkDomain::Mediation),
            K::Evidence
            | K::TransferPackage
            | K::Incident
            | K::PersonIdentity
            | K::ViolationType => Some(WorkDomain::Evidence),
            K::User
            | K::Compartment
            | K::AuditLog
            | K::ApiToken
            | K::Reference
            | K::Instrument
            | K::FundApplication
            | K::FundTransaction
            | K::Agreement
            | K::ConflictEvent
            | K::AccessDecision
            | K::Document
            | K::Comment
            | K::Assignment => None,
        }
    }

    /// The role that answers for access to this side.
    pub fn approver(self) -> Role {
        match self {
            WorkDomain::Mediation => Role::Coordinator,
            WorkDomain::Evidence => Role::Custodian,
        }
    }
}

/// The sides a user is already on: those of their roles and of their compartments.
pub fn sides(roles: &[Role], member_of: &[WorkDomain]) -> Vec<WorkDomain> {
    let mut out: Vec<WorkDomain> = roles
        .iter()
        .filter_map(|r| WorkDomain::of_role(*r))
        .chain(member_of.iter().copied())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether giving a user (with these roles and memberships) something on side `target` would
/// make them span both sides — which needs an approved [`AccessDecision`].
pub fn crosses(target: WorkDomain, roles: &[Role], member_of: &[WorkDomain]) -> bool {
    sides(roles, member_of).iter().any(|d| *d != target)
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionStatus {
    Requested,
    Approved,
    Refused,
}

impl DecisionStatus {
    pub const ALL: [DecisionStatus; 3] = [
        DecisionStatus::Requested,
        DecisionStatus::Approved,
        DecisionStatus::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Requested => "requested",
            DecisionStatus::Approved => "approved",
            DecisionStatus::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Result<DecisionStatus, DomainError> {
        DecisionStatus::ALL
            .into_iter()
            .find(|d| d.as_str() == s.trim())
            .ok_or_else(|| DomainError::UnknownValue {
                what: "status",
                value: s.to_string(),
                expected: "requested, approved, refused".into(),
            })
    }
}

/// A recorded decision to let one user into a compartment of the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDecision {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub compartment_id: String,
    pub domain: WorkDomain,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub status: DecisionStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub note: String,
}

/// Where the one who would decide on a membership stands towards the compartment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A member of the compartment.
    Member,
    /// Not a member, and the compartment has no steward yet (no member holding the approver
    /// role of its side): a new compartment's first steward is decided by an approver of its
    /// side.
    NoStewardYet,
    /// Not a member of a compartment that has a steward.
    Outsider,
}

/// Why a decider may not decide a request, if they may not: the request must be open, the
/// decider may be neither the one who asked nor the one it is about, and must hold the approver
/// role of the compartment's side (coordinator for mediation, custodian for evidence) and belong
/// to the compartment — or, for a compartment without a steward yet, hold that role.
pub fn may_decide(
    decision: &AccessDecision,
    decider_username: &str,
    decider_roles: &[Role],
    standing: Standing,
) -> Result<(), DomainError> {
    if decision.status != DecisionStatus::Requested {
        return Err(DomainError::Invalid {
            field: "status",
            reason: format!("this request was already {}", decision.status.as_str()),
        });
    }
    if decision.requested_by == decider_username {
        return Err(DomainError::Invalid {
            field: "decided_by",
            reason: "the one who asked may not also approve (four eyes)".into(),
        });
    }
    if decision.username == decider_username {
        return Err(DomainError::Invalid {
            field: "decided_by",
            reason: "no one may decide on their own access".into(),
        });
    }
    let approver = decision.domain.approver();
    if !decider_roles.contains(&approver) || standing == Standing::Outsider {
        return Err(DomainError::Invalid {
            field: "decided_by",
            reason: format!(
                "access to the {} side is decided by a {} who belongs to compartment '{}'",
                decision.domain.as_str(),
                approver.as_str(),
                decision.compartment_id
            ),
        });
    }
    Ok(())
}

/// Whether `granter` may let `user_id` into a compartment of side `side` directly (an ordinary
/// membership), and why not. Need to know is decided by the compartment's steward — a member
/// holding the approver role of its side — never by the one it is about: no one grants herself a
/// membership. Administrators manage accounts and compartments but do not decide who needs to
/// know: they propose a membership as an access decision, which a steward decides. The operator
/// at the command line (`grotius user grant`, the demo) is the installation's bootstrap and
/// break-glass path: it has the server, its keys and its database anyway; it is audited as `cli`.
pub fn may_grant_membership(
    granter: &Subject,
    user_id: &str,
    side: WorkDomain,
    granter_member: bool,
) -> Result<(), String> {
    if granter.user_id == user_id {
        return Err("no one may grant herself membership of a compartment".into());
    }
    if granter.is_operator() {
        return Ok(());
    }
    let approver = side.approver();
    if granter.has_role(approver) && granter_member {
        return Ok(());
    }
    Err(format!(
        "membership of a {} compartment is decided by a {} who belongs to it; an administrator \
         proposes it as an access decision (Administration → Access decisions)",
        side.as_str(),
        approver.as_str()
    ))
}

/// The reason and note of a request or decision, checked.
pub fn check_reason(field: &'static str, text: &str) -> Result<String, DomainError> {
    let t = text.trim();
    if t.chars().count() < 10 {
        return Err(DomainError::Invalid {
            field,
            reason: "say in a sentence why (at least 10 characters): it is the record".into(),
        });
    }
    if t.chars().count() > 2000 {
        return Err(DomainError::Invalid {
            field,
            reason: "at most 2,000 characters".into(),
        });
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(by: &str) -> AccessDecision {
        AccessDecision {
            id: "d".into(),
            user_id: "u".into(),
            username: "analyst".into(),
            compartment_id: "evidence-sudan".into(),
            domain: WorkDomain::Evidence,
            reason: "needs the incident map".into(),
            requested_by: by.into(),
            requested_at: 0,
            status: DecisionStatus::Requested,
            decided_by: None,
            decided_at: None,
            note: String::new(),
        }
    }

    #[test]
    fn a_user_on_one_side_crosses_into_the_other() {
        use WorkDomain::*;
        assert!(crosses(Evidence, &[Role::Analyst], &[]));
        assert!(crosses(Mediation, &[Role::Custodian], &[]));
        assert!(crosses(Evidence, &[Role::FundOfficer], &[Mediation]));
        assert!(!crosses(Evidence, &[Role::Documenter], &[Evidence]));
        assert!(!crosses(Mediation, &[Role::Admin, Role::Auditor], &[]));
        assert!(!crosses(Mediation, &[Role::FundOfficer], &[Mediation]));
    }

    #[test]
    fn no_role_of_one_side_holds_anything_on_a_kind_of_the_other() {
        for role in Role::ALL {
            let Some(side) = WorkDomain::of_role(role) else {
                continue;
            };
            for kind in ResourceKind::ALL {
                if WorkDomain::of_kind(kind).is_some_and(|k| k != side) {
                    assert!(
                        crate::policy::grants(role, kind).is_empty(),
                        "{} ({}) holds {:?} on {} ({})",
                        role.as_str(),
                        side.as_str(),
                        crate::policy::grants(role, kind),
                        kind.as_str(),
                        WorkDomain::of_kind(kind).map_or("", WorkDomain::as_str)
                    );
                }
            }
        }
    }

    #[test]
    fn only_another_approver_of_the_target_side_who_is_a_member_decides() {
        let d = request("admin");
        use Standing::*;
        assert!(may_decide(&d, "custodian", &[Role::Custodian], Member).is_ok());
        assert!(may_decide(&d, "custodian", &[Role::Custodian], Outsider).is_err());
        assert!(may_decide(&d, "custodian", &[Role::Custodian], NoStewardYet).is_ok());
        assert!(may_decide(&d, "admin", &[Role::Admin], NoStewardYet).is_err());
        assert!(may_decide(&d, "coordinator", &[Role::Coordinator], Member).is_err());
        assert!(
            may_decide(
                &request("custodian"),
                "custodian",
                &[Role::Custodian],
                Member
            )
            .is_err()
        );
        assert!(may_decide(&d, "analyst", &[Role::Custodian], Member).is_err());
        let mut done = d.clone();
        done.status = DecisionStatus::Approved;
        assert!(may_decide(&done, "custodian", &[Role::Custodian], Member).is_err());
    }

    #[test]
    fn no_one_grants_herself_a_membership_and_admins_only_propose() {
        use std::collections::BTreeSet;
        let user = |id: &str, roles: &[Role]| Subject {
            user_id: id.into(),
            username: id.into(),
            roles: roles.to_vec(),
            clearance: crate::security::Classification::Secret,
            compartments: BTreeSet::new(),
            organisation: None,
            read_only: false,
        };
        let admin = user("admin", &[Role::Admin]);
        let coordinator = user("coord", &[Role::Coordinator, Role::Admin]);
        let custodian = user("cust", &[Role::Custodian]);
        use WorkDomain::*;
        // The administrator herself, or anyone else: proposing is her part, not deciding.
        assert!(may_grant_membership(&admin, "admin", Mediation, true).is_err());
        assert!(may_grant_membership(&admin, "someone", Mediation, true).is_err());
        // The steward of the compartment decides for others, never for herself.
        assert!(may_grant_membership(&coordinator, "someone", Mediation, true).is_ok());
        assert!(may_grant_membership(&coordinator, "coord", Mediation, true).is_err());
        assert!(may_grant_membership(&coordinator, "someone", Mediation, false).is_err());
        assert!(may_grant_membership(&coordinator, "someone", Evidence, true).is_err());
        assert!(may_grant_membership(&custodian, "someone", Evidence, true).is_ok());
        // The operator at the command line bootstraps.
        assert!(may_grant_membership(&Subject::operator(), "someone", Evidence, false).is_ok());
    }
}
