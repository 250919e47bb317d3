//! Work on records: comments and assignments, and what waits for a user.
//!
//! A comment or an assignment is *about* a record (a process, a request for support, a fund
//! application, an alert, an incident, an evidence item, a document) and is labelled like it:
//! it is read, written and counted only by someone who may read the record now, and whose roles
//! grant the action on [`ResourceKind::Comment`] / [`ResourceKind::Assignment`] under every label
//! set that guards the record ([`may_work`]). The labels are not copied: when the record is
//! reclassified, its comments and assignments follow at the next read. Partners and the
//! auditor have no grants on either kind: a partner who reads her own application never sees
//! the unit's deliberation about it.

use serde::{Deserialize, Serialize};

use crate::{Action, DomainError, Labels, Resource, ResourceKind, Subject, decide};

/// The kinds of record that take comments and assignments: those with a page of their own.
pub const WORK_KINDS: [ResourceKind; 7] = [
    ResourceKind::Process,
    ResourceKind::SupportRequest,
    ResourceKind::FundApplication,
    ResourceKind::Alert,
    ResourceKind::Incident,
    ResourceKind::Evidence,
    ResourceKind::Document,
];

/// Longest comment, in characters.
pub const COMMENT_MAX: usize = 4000;
/// Longest note of an assignment, in characters.
pub const NOTE_MAX: usize = 500;

/// Whether `subject` may perform `action` on a comment or an assignment (`kind`) about a record
/// of `record_kind` guarded by `labels` (its own labels and, for a child, its parent's) and
/// belonging to `organisation` (fund records): only if the subject may read the record itself,
/// and its roles grant the action on `kind` under each label set.
pub fn may_work(
    subject: &Subject,
    action: Action,
    kind: ResourceKind,
    record_kind: ResourceKind,
    labels: &[Labels],
    organisation: Option<&str>,
) -> bool {
    if !WORK_KINDS.contains(&record_kind) || labels.is_empty() {
        return false;
    }
    labels.iter().all(|l| {
        let record = Resource {
            kind: record_kind,
            labels: Some(l),
            owner: None,
            organisation,
        };
        decide(subject, Action::Read, record).is_allowed()
            && decide(subject, action, Resource::labelled(kind, l)).is_allowed()
    })
}

/// A comment on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub record_id: String,
    /// The record's kind (`process`, `incident`, …).
    pub record_kind: String,
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

/// A record given to a person to act on, by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    pub record_id: String,
    pub record_kind: String,
    pub assignee_id: String,
    pub assignee: String,
    pub assigned_by_id: String,
    pub assigned_by: String,
    /// `YYYY-MM-DD`, or none.
    pub due: Option<String>,
    pub note: String,
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
}

impl Assignment {
    /// Open and past its due date on `today` (`YYYY-MM-DD`).
    pub fn overdue(&self, today: &str) -> bool {
        self.done_at.is_none() && self.due.as_deref().is_some_and(|d| d < today)
    }
}

/// The trimmed text of a comment, or why it cannot be saved.
pub fn check_comment(body: &str) -> Result<String, DomainError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(DomainError::invalid("body", "write the comment"));
    }
    if body.chars().count() > COMMENT_MAX {
        return Err(DomainError::invalid(
            "body",
            format!("at most {COMMENT_MAX} characters"),
        ));
    }
    Ok(body.to_string())
}

/// What a new assignment says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAssignment {
    pub assignee: String,
    pub due: Option<String>,
    pub note: String,
}

/// Checks an assignment's fields (all of them: the errors come back together): an assignee
/// named, a due date that is a date and not before `today`, a short note.
pub fn check_assignment(
    assignee: &str,
    due: &str,
    note: &str,
    today: &str,
) -> Result<ValidAssignment, Vec<DomainError>> {
    let mut errors = Vec::new();
    let assignee = assignee.trim();
    if assignee.is_empty() {
        errors.push(DomainError::invalid(
            "assignee",
            "choose the person to assign it to",
        ));
    }
    let due = match due.trim() {
        "" => None,
        d => match crate::network::parse_date("due", d) {
            Ok(d) if d.as_str() < today => {
                errors.push(DomainError::invalid(
                    "due",
                    format!("{d} is in the past; choose today or a later day"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        errors.push(DomainError::invalid(
            "note",
            format!("at most {NOTE_MAX} characters"),
        ));
    }
    if errors.is_empty() {
        Ok(ValidAssignment {
            assignee: assignee.to_string(),
            due,
            note: note.to_string(),
        })
    } else {
        Err(errors)
    }
}

/// Why something waits for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitingReason {
    /// A record someone assigned to the user.
    Assigned,
    /// A fund application on which the user may take the next step (four-eyes applied).
    Decide,
    /// An early-warning alert the user owns, not yet acted on.
    Assess,
    /// A request for support not yet closed, for those who run the roster.
    Answer,
    /// Statements of a dialogue's participants waiting for a moderator.
    Moderate,
    /// A request to let a user into a compartment, for its steward.
    Grant,
}

impl WaitingReason {
    pub const ALL: [WaitingReason; 6] = [
        WaitingReason::Assigned,
        WaitingReason::Decide,
        WaitingReason::Assess,
        WaitingReason::Answer,
        WaitingReason::Moderate,
        WaitingReason::Grant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WaitingReason::Assigned => "assigned",
            WaitingReason::Decide => "decide",
            WaitingReason::Assess => "assess",
            WaitingReason::Answer => "answer",
            WaitingReason::Moderate => "moderate",
            WaitingReason::Grant => "grant",
        }
    }
}

/// One thing waiting for a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingItem {
    pub reason: WaitingReason,
    /// The kind of the record to open (`process`, `fund-application`, `dialogue`, …).
    pub kind: String,
    pub id: String,
    /// The record's name as its readers see it.
    pub title: String,
    /// Due date (`YYYY-MM-DD`) where there is one: an assignment's, an alert's deadline.
    pub due: Option<String>,
    pub overdue: bool,
    /// A short detail: the state of an application or request, the assignment's note, the
    /// number of statements to moderate.
    pub detail: String,
    /// The assignment this item comes from (for marking it done).
    pub assignment_id: Option<String>,
}

impl WaitingItem {
    /// An item of `reason` about the record `id` of `kind`, without a date or an assignment.
    pub fn new(
        reason: WaitingReason,
        kind: ResourceKind,
        id: String,
        title: String,
        detail: String,
    ) -> WaitingItem {
        WaitingItem {
            reason,
            kind: kind.as_str().to_string(),
            id,
            title,
            due: None,
            overdue: false,
            detail,
            assignment_id: None,
        }
    }
}

/// Orders what waits: overdue first, then by due date (none last), then by reason and title.
pub fn sort_waiting(items: &mut [WaitingItem]) {
    items.sort_by(|a, b| {
        (
            !a.overdue,
            a.due.is_none(),
            &a.due,
            a.reason,
            &a.title,
            &a.id,
        )
            .cmp(&(
                !b.overdue,
                b.due.is_none(),
                &b.due,
                b.reason,
                &b.title,
                &b.id,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Classification, CompartmentId, Role};

    fn subject(roles: &[Role], clearance: Classification) -> Subject {
        Subject {
            user_id: "u1".into(),
            username: "u".into(),
            roles: roles.to_vec(),
            clearance,
            compartments: Default::default(),
            organisation: Some("org".into()),
            read_only: false,
        }
    }

    fn labels(c: Classification) -> Labels {
        Labels {
            classification: c,
            compartment: None,
        }
    }

    #[test]
    fn work_needs_the_record_and_the_grant() {
        let coord = subject(&[Role::Coordinator], Classification::Confidential);
        let conf = [labels(Classification::Confidential)];
        let secret = [labels(Classification::Secret)];
        let k = ResourceKind::Process;
        assert!(may_work(
            &coord,
            Action::Create,
            ResourceKind::Comment,
            k,
            &conf,
            None
        ));
        assert!(!may_work(
            &coord,
            Action::Create,
            ResourceKind::Comment,
            k,
            &secret,
            None
        ));
        // Every label set counts: a child under a secret parent is secret to its readers.
        let both = [
            labels(Classification::Internal),
            labels(Classification::Secret),
        ];
        assert!(!may_work(
            &coord,
            Action::Read,
            ResourceKind::Comment,
            k,
            &both,
            None
        ));
        // A record kind without a page takes no work.
        assert!(!may_work(
            &coord,
            Action::Read,
            ResourceKind::Comment,
            ResourceKind::Engagement,
            &conf,
            None
        ));
        // A compartment the subject is not in hides the record and its comments.
        let comp = [Labels {
            classification: Classification::Internal,
            compartment: Some(CompartmentId::parse("ops").unwrap()),
        }];
        assert!(!may_work(
            &coord,
            Action::Read,
            ResourceKind::Comment,
            k,
            &comp,
            None
        ));
    }

    #[test]
    fn partners_and_auditors_see_no_deliberation() {
        let partner = subject(&[Role::Partner], Classification::Internal);
        let own = [labels(Classification::Internal)];
        let app = ResourceKind::FundApplication;
        // She reads her own application …
        assert!(
            decide(
                &partner,
                Action::Read,
                Resource::of_organisation(app, &own[0], "org")
            )
            .is_allowed()
        );
        // … but neither its comments nor its assignments.
        for kind in [ResourceKind::Comment, ResourceKind::Assignment] {
            assert!(!may_work(
                &partner,
                Action::Read,
                kind,
                app,
                &own,
                Some("org")
            ));
        }
        let auditor = subject(&[Role::Auditor], Classification::Secret);
        assert!(!may_work(
            &auditor,
            Action::Read,
            ResourceKind::Comment,
            ResourceKind::Process,
            &own,
            None
        ));
    }

    #[test]
    fn assignments_are_checked_field_by_field() {
        let today = "2026-12-07";
        let ok = check_assignment(" dora ", "2026-12-20", " call back ", today).unwrap();
        assert_eq!(ok.assignee, "dora");
        assert_eq!(ok.due.as_deref(), Some("2026-12-20"));
        assert_eq!(ok.note, "call back");
        assert_eq!(check_assignment("dora", "", "", today).unwrap().due, None);
        let errs = check_assignment("", "2026-12-06", &"x".repeat(501), today).unwrap_err();
        let fields: Vec<_> = errs
            .iter()
            .map(|e| match e {
                DomainError::Invalid { field, .. } => *field,
                DomainError::UnknownValue { what, .. } => what,
            })
            .collect();
        assert_eq!(fields, ["assignee", "due", "note"]);
        assert!(check_assignment("dora", "2026-02-30", "", today).is_err());
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        assert_eq!(check_comment("  ok \n").unwrap(), "ok");
        assert!(check_comment("   ").is_err());
        assert!(check_comment(&"é".repeat(COMMENT_MAX)).is_ok());
        assert!(check_comment(&"é".repeat(COMMENT_MAX + 1)).is_err());
    }

    #[test]
    fn overdue_first_then_by_due_date() {
        let item = |id: &str, due: Option<&str>, overdue: bool| WaitingItem {
            reason: WaitingReason::Assigned,
            kind: "process".into(),
            id: id.into(),
            title: id.into(),
            due: due.map(str::to_string),
            overdue,
            detail: String::new(),
            assignment_id: None,
        };
        let mut items = vec![
            item("c", None, false),
            item("b", Some("2026-12-20"), false),
            item("a", Some("2026-12-01"), true),
            item("d", Some("2026-12-10"), false),
        ];
        sort_waiting(&mut items);
        let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["a", "d", "b", "c"]);
    }
}
