//! Work on records: comments, assignments, and what waits for a user (the inbox).
//!
//! *Rule:* a comment or an assignment is readable, writable and countable only by someone who
//! may read the record it is about *now* ([`grotius_domain::work::may_work`], asked with the
//! record's current labels from [`Store::record_refs`]). Nothing here copies a record's labels
//! or title: when a record is reclassified or renamed, its comments, assignments and inbox
//! entries follow at the next read. A record the reader may not read answers "not found", the
//! same answer as a record that does not exist.
//!
//! The inbox ([`Access::waiting_for_me`]) gathers, from every module, what the user should act
//! on: records assigned to her, fund applications whose next step is hers (four-eyes applied),
//! alerts she owns not yet acted on, requests for support to answer (the unit), dialogue
//! statements to moderate, compartment access to grant (the steward). Each source reads through
//! the list layer or the policy engine with the user's own subject; the count in the
//! navigation is the length of the same list, so it cannot count what the list would not show.

use std::collections::BTreeSet;

use grotius_domain::work::{
    self, Assignment, Comment, WaitingItem, WaitingReason, check_assignment, check_comment,
    may_work, sort_waiting,
};
use grotius_domain::{Action, Labels, Resource, ResourceKind, Role};
use grotius_security::now_micros;
use sqlx::Row;

use crate::alert::today;
use crate::auth::load_subject;
use crate::linked::RecordRef;
use crate::{Access, Result, StoreError, new_id};

fn body_aad(id: &str) -> String {
    format!("comments.body:{id}")
}

fn note_aad(id: &str) -> String {
    format!("assignments.note:{id}")
}

/// The name of a record as its readers see it, per kind (a process by its codename where it has
/// one).
fn title_sql(kind: ResourceKind) -> Option<&'static str> {
    Some(match kind {
        ResourceKind::Process => {
            "SELECT COALESCE(codename, title) AS t FROM processes WHERE id = $1"
        }
        ResourceKind::SupportRequest => "SELECT title AS t FROM support_requests WHERE id = $1",
        ResourceKind::FundApplication => {
            "SELECT reference || ' · ' || title AS t FROM fund_applications WHERE id = $1"
        }
        ResourceKind::Alert => "SELECT title AS t FROM alerts WHERE id = $1",
        ResourceKind::Incident => "SELECT title AS t FROM incidents WHERE id = $1",
        ResourceKind::Evidence => {
            "SELECT media_type || ' · ' || substr(sha256, 1, 12) AS t FROM evidence_items WHERE id = $1"
        }
        ResourceKind::Document => "SELECT title AS t FROM documents WHERE id = $1",
        _ => return None,
    })
}

/// One change to a record, as its readers see it in its history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryEntry {
    /// Unix microseconds.
    pub at: i64,
    pub actor: String,
    /// The audit action (`process.update`, `comment.create`, …).
    pub action: String,
}

const ASSIGNMENT_COLS: &str = "id, record_id, record_kind, assignee_id, assignee, assigned_by_id, assigned_by, due, note, created_at, done_at, done_by";

impl Access {
    /// The record `id` names, if the subject may perform `action` on its comments or
    /// assignments (`kind`); not found otherwise (also for a record of a kind that takes no
    /// work). A denial on a record the subject may read is audited and answered "forbidden".
    async fn work_record(&self, id: &str, action: Action, kind: ResourceKind) -> Result<RecordRef> {
        let ids = BTreeSet::from([id.to_string()]);
        let Some(record) = self.store.record_refs(&ids).await?.records.remove(id) else {
            return Err(StoreError::NotFound);
        };
        if !work::WORK_KINDS.contains(&record.kind) || !record.readable_by(&self.subject) {
            return Err(StoreError::NotFound);
        }
        if !self.may_work_on(&record, action, kind) {
            // The record is readable: say why, and keep the refusal.
            for l in &record.labels {
                self.authorize(action, Resource::labelled(kind, l), Some(id))
                    .await?;
            }
            return Err(StoreError::Forbidden(format!(
                "your roles do not allow {} on {}",
                action.as_str(),
                kind.as_str()
            )));
        }
        Ok(record)
    }

    fn may_work_on(&self, record: &RecordRef, action: Action, kind: ResourceKind) -> bool {
        may_work(
            &self.subject,
            action,
            kind,
            record.kind,
            &record.labels,
            record.organisation.as_deref(),
        )
    }

    /// Whether the subject may comment on and assign records at all (the page shows the forms).
    pub fn may_comment(&self) -> bool {
        self.may(Action::Create, Resource::kind(ResourceKind::Comment))
    }

    /// The comments on a record, oldest first.
    pub async fn comments(&self, record_id: &str) -> Result<Vec<Comment>> {
        self.work_record(record_id, Action::Read, ResourceKind::Comment)
            .await?;
        let rows = sqlx::query(
            "SELECT id, record_id, record_kind, author, body, created_at FROM comments
             WHERE record_id = $1 ORDER BY created_at, id",
        )
        .bind(record_id)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let body: String = r.try_get("body")?;
                Ok(Comment {
                    body: self.store.keys.decrypt(&body_aad(&id), &body)?,
                    id,
                    record_id: r.try_get("record_id")?,
                    record_kind: r.try_get("record_kind")?,
                    author: r.try_get("author")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Adds a comment to a record (sealed at rest like the record's other free text; audited
    /// as `comment.create` on the record, without its text).
    pub async fn add_comment(&self, record_id: &str, body: &str) -> Result<Comment> {
        let record = self
            .work_record(record_id, Action::Create, ResourceKind::Comment)
            .await?;
        let body = check_comment(body)?;
        let id = new_id();
        let now = now_micros();
        let sealed = self.store.keys.encrypt(&body_aad(&id), &body)?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO comments (id, record_id, record_kind, author_id, author, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(record_id)
        .bind(record.kind.as_str())
        .bind(&self.subject.user_id)
        .bind(&self.subject.username)
        .bind(&sealed)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({"comment": id, "chars": body.chars().count()}).to_string();
        self.audit_in(
            &mut tx,
            "comment.create",
            record.kind.as_str(),
            record_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(Comment {
            id,
            record_id: record_id.to_string(),
            record_kind: record.kind.as_str().to_string(),
            author: self.subject.username.clone(),
            body,
            created_at: now,
        })
    }

    /// The assignments of a record, open ones first, newest first.
    pub async fn assignments(&self, record_id: &str) -> Result<Vec<Assignment>> {
        self.work_record(record_id, Action::Read, ResourceKind::Assignment)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE record_id = $1
             ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id"
        )))
        .bind(record_id)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(|r| self.assignment_of(r)).collect()
    }

    fn assignment_of(&self, r: &sqlx::any::AnyRow) -> Result<Assignment> {
        let id: String = r.try_get("id")?;
        let note: String = r.try_get("note")?;
        Ok(Assignment {
            note: self.store.keys.decrypt(&note_aad(&id), &note)?,
            id,
            record_id: r.try_get("record_id")?,
            record_kind: r.try_get("record_kind")?,
            assignee_id: r.try_get("assignee_id")?,
            assignee: r.try_get("assignee")?,
            assigned_by_id: r.try_get("assigned_by_id")?,
            assigned_by: r.try_get("assigned_by")?,
            due: r.try_get("due")?,
            created_at: r.try_get("created_at")?,
            done_at: r.try_get("done_at")?,
            done_by: r.try_get("done_by")?,
        })
    }

    /// The people a record may be assigned to: enabled accounts that may read the record and
    /// its assignments, by user name (the subject included).
    pub async fn assignable_users(&self, record_id: &str) -> Result<Vec<String>> {
        let record = self
            .work_record(record_id, Action::Create, ResourceKind::Assignment)
            .await?;
        let rows = sqlx::query("SELECT id FROM users WHERE disabled = 0 ORDER BY username")
            .fetch_all(&self.store.pool)
            .await?;
        let mut conn = self.store.pool.acquire().await?;
        let mut out = Vec::new();
        for r in &rows {
            let uid: String = r.try_get("id")?;
            if let Some(s) = load_subject(&mut conn, &uid).await?
                && may_work(
                    &s,
                    Action::Read,
                    ResourceKind::Assignment,
                    record.kind,
                    &record.labels,
                    record.organisation.as_deref(),
                )
            {
                out.push(s.username);
            }
        }
        Ok(out)
    }

    /// Assigns a record to a person (by user name), with an optional due date and note. The
    /// person must be able to read the record: an assignment she could not open is refused
    /// (field `assignee`), never created. Audited as `assignment.create` on the record.
    pub async fn assign(
        &self,
        record_id: &str,
        assignee: &str,
        due: &str,
        note: &str,
    ) -> Result<Assignment> {
        let record = self
            .work_record(record_id, Action::Create, ResourceKind::Assignment)
            .await?;
        let v = check_assignment(assignee, due, note, &today())
            .map_err(|mut e| StoreError::Invalid(e.remove(0)))?;
        let mut tx = self.store.write_tx().await?;
        let row = sqlx::query("SELECT id FROM users WHERE username = $1 AND disabled = 0")
            .bind(&v.assignee)
            .fetch_optional(&mut *tx)
            .await?;
        let no_such = || {
            StoreError::invalid(
                "assignee",
                format!("'{}' is not an active account", v.assignee),
            )
        };
        let assignee_id: String = row.ok_or_else(no_such)?.try_get("id")?;
        let subject = load_subject(&mut tx, &assignee_id)
            .await?
            .ok_or_else(no_such)?;
        if !may_work(
            &subject,
            Action::Read,
            ResourceKind::Assignment,
            record.kind,
            &record.labels,
            record.organisation.as_deref(),
        ) {
            return Err(StoreError::invalid(
                "assignee",
                format!("{} may not read this record", v.assignee),
            ));
        }
        let id = new_id();
        let now = now_micros();
        let sealed = self.store.keys.encrypt(&note_aad(&id), &v.note)?;
        sqlx::query(
            "INSERT INTO assignments (id, record_id, record_kind, assignee_id, assignee,
             assigned_by_id, assigned_by, due, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(record_id)
        .bind(record.kind.as_str())
        .bind(&assignee_id)
        .bind(&subject.username)
        .bind(&self.subject.user_id)
        .bind(&self.subject.username)
        .bind(&v.due)
        .bind(&sealed)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "assignment": id, "assignee": subject.username, "due": v.due,
        })
        .to_string();
        self.audit_in(
            &mut tx,
            "assignment.create",
            record.kind.as_str(),
            record_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(Assignment {
            id,
            record_id: record_id.to_string(),
            record_kind: record.kind.as_str().to_string(),
            assignee_id,
            assignee: subject.username,
            assigned_by_id: self.subject.user_id.clone(),
            assigned_by: self.subject.username.clone(),
            due: v.due,
            note: v.note,
            created_at: now,
            done_at: None,
            done_by: None,
        })
    }

    /// Marks an assignment done: by the one it is assigned to or the one who assigned it,
    /// while both may still read the record. Audited as `assignment.done` on the record.
    pub async fn complete_assignment(&self, id: &str) -> Result<Assignment> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let a = self.assignment_of(&row)?;
        self.work_record(&a.record_id, Action::Read, ResourceKind::Assignment)
            .await?;
        let me = &self.subject.user_id;
        if *me != a.assignee_id && *me != a.assigned_by_id {
            return Err(StoreError::Forbidden(
                "only the person it is assigned to, or who assigned it, marks it done".into(),
            ));
        }
        if self.subject.read_only {
            return Err(StoreError::Forbidden(
                "a read-only token changes nothing".into(),
            ));
        }
        if a.done_at.is_some() {
            return Err(StoreError::Conflict(
                "this assignment is already done".into(),
            ));
        }
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        let n = sqlx::query(
            "UPDATE assignments SET done_at = $1, done_by = $2 WHERE id = $3 AND done_at IS NULL",
        )
        .bind(now)
        .bind(&self.subject.username)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(
                "this assignment is already done".into(),
            ));
        }
        let detail = serde_json::json!({"assignment": id}).to_string();
        self.audit_in(
            &mut tx,
            "assignment.done",
            &a.record_kind,
            &a.record_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(Assignment {
            done_at: Some(now),
            done_by: Some(self.subject.username.clone()),
            ..a
        })
    }

    /// A record's history for its readers: who did what to it and when, from the audit log —
    /// changes only (no reads, lists or downloads, no refusals), without the entries' details
    /// (they may name other records), newest first, at most 200. For those who may read the
    /// record's comments (its staff readers).
    pub async fn record_history(&self, record_id: &str) -> Result<Vec<HistoryEntry>> {
        let record = self
            .work_record(record_id, Action::Read, ResourceKind::Comment)
            .await?;
        let rows = sqlx::query(
            "SELECT at, actor_name, action FROM audit_log
             WHERE resource_kind = $1 AND resource_id = $2 AND outcome = 'ok'
             ORDER BY seq DESC LIMIT 1000",
        )
        .bind(record.kind.as_str())
        .bind(record_id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let action: String = r.try_get("action")?;
            let verb = action.rsplit('.').next().unwrap_or_default();
            if matches!(
                verb,
                "read" | "list" | "view" | "export" | "download" | "dashboard" | "similar"
            ) {
                continue;
            }
            out.push(HistoryEntry {
                at: r.try_get("at")?,
                actor: r.try_get("actor_name")?,
                action,
            });
            if out.len() == 200 {
                break;
            }
        }
        Ok(out)
    }

    /// What waits for the subject (see the module), overdue first. Listing it audits the
    /// confidential and secret records it names (`inbox.list`), like any list.
    pub async fn waiting_for_me(&self) -> Result<Vec<WaitingItem>> {
        let found = self.waiting().await?;
        let audited: Vec<&str> = found
            .iter()
            .filter(|(_, labels)| labels.iter().any(|l| l.classification.read_is_audited()))
            .map(|(i, _)| i.id.as_str())
            .collect();
        if !audited.is_empty() {
            let detail = serde_json::json!({ "listed": audited }).to_string();
            self.audit_now("inbox.list", "user", &self.subject.user_id, "ok", &detail)
                .await?;
        }
        Ok(found.into_iter().map(|(i, _)| i).collect())
    }

    /// How many things wait for the subject (the number in the navigation): the length of
    /// [`Access::waiting_for_me`], which names no record and so writes no audit entry.
    pub async fn waiting_count(&self) -> Result<usize> {
        Ok(self.waiting().await?.len())
    }

    pub(crate) async fn waiting(&self) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        let today = today();
        let mut out = self.waiting_assignments(&today).await?;
        out.extend(self.waiting_applications().await?);
        out.extend(self.waiting_alerts(&today).await?);
        out.extend(self.waiting_requests().await?);
        out.extend(self.waiting_moderation().await?);
        out.extend(self.waiting_access_decisions().await?);
        let mut items: Vec<WaitingItem> = out.iter().map(|(i, _)| i.clone()).collect();
        sort_waiting(&mut items);
        let mut sorted = Vec::with_capacity(out.len());
        for i in items {
            if let Some(pos) = out.iter().position(|(o, _)| {
                o.id == i.id && o.reason == i.reason && o.assignment_id == i.assignment_id
            }) {
                sorted.push(out.swap_remove(pos));
            }
        }
        Ok(sorted)
    }

    /// Open assignments to the subject on records she may still read.
    async fn waiting_assignments(&self, today: &str) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::Assignment)) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE assignee_id = $1 AND done_at IS NULL"
        )))
        .bind(&self.subject.user_id)
        .fetch_all(&self.store.pool)
        .await?;
        let assignments: Vec<Assignment> = rows
            .iter()
            .map(|r| self.assignment_of(r))
            .collect::<Result<_>>()?;
        let ids: BTreeSet<String> = assignments.iter().map(|a| a.record_id.clone()).collect();
        let refs = self.store.record_refs(&ids).await?;
        let mut out = Vec::new();
        for a in assignments {
            let Some(record) = refs.records.get(&a.record_id) else {
                continue;
            };
            if !record.readable_by(&self.subject)
                || !self.may_work_on(record, Action::Read, ResourceKind::Assignment)
            {
                continue;
            }
            let Some(title) = self.record_title(record.kind, &a.record_id).await? else {
                continue;
            };
            out.push((
                WaitingItem {
                    reason: WaitingReason::Assigned,
                    kind: record.kind.as_str().to_string(),
                    id: a.record_id.clone(),
                    title,
                    overdue: a.overdue(today),
                    due: a.due.clone(),
                    detail: format!("{} · {}", a.assigned_by, a.note)
                        .trim_end_matches(" · ")
                        .to_string(),
                    assignment_id: Some(a.id.clone()),
                },
                record.labels.clone(),
            ));
        }
        Ok(out)
    }

    async fn record_title(&self, kind: ResourceKind, id: &str) -> Result<Option<String>> {
        let Some(sql) = title_sql(kind) else {
            return Ok(None);
        };
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(&self.store.pool)
            .await?;
        Ok(row.map(|r| r.try_get("t")).transpose()?)
    }

    /// Fund applications whose next step the subject may take.
    async fn waiting_applications(&self) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        Ok(self
            .applications_to_step(200)
            .await?
            .into_iter()
            .map(|a| {
                let title = format!("{} · {}", a.reference, a.title);
                let kind = ResourceKind::FundApplication;
                let item = WaitingItem::new(WaitingReason::Decide, kind, a.id, title, a.state);
                (item, vec![a.labels])
            })
            .collect())
    }

    /// Alerts the subject owns on which no action was taken yet.
    async fn waiting_alerts(&self, today: &str) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        Ok(self
            .owned_open_alerts()
            .await?
            .into_iter()
            .map(|a| {
                let overdue = grotius_domain::early_warning::overdue(a.status, &a.deadline, today);
                let detail = a.status.as_str().to_string();
                let item = WaitingItem {
                    due: Some(a.deadline),
                    overdue,
                    ..WaitingItem::new(
                        WaitingReason::Assess,
                        ResourceKind::Alert,
                        a.id,
                        a.title,
                        detail,
                    )
                };
                (item, vec![a.labels])
            })
            .collect())
    }

    /// Requests for support not yet closed, for the unit that answers them (the coordinator).
    async fn waiting_requests(&self) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        if !self.subject.has_role(Role::Coordinator) {
            return Ok(Vec::new());
        }
        Ok(self
            .open_requests()
            .await?
            .into_iter()
            .map(|r| {
                let kind = ResourceKind::SupportRequest;
                let item = WaitingItem {
                    due: r.start_date,
                    ..WaitingItem::new(WaitingReason::Answer, kind, r.id, r.title, r.state)
                };
                (item, vec![r.labels])
            })
            .collect())
    }

    /// Dialogues the subject may run with participants' statements waiting for a moderator.
    async fn waiting_moderation(&self) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        Ok(self
            .dialogues_to_moderate()
            .await?
            .into_iter()
            .map(|(d, n)| {
                let (kind, detail) = (ResourceKind::Dialogue, n.to_string());
                let item = WaitingItem::new(WaitingReason::Moderate, kind, d.id, d.topic, detail);
                (item, vec![d.labels])
            })
            .collect())
    }

    /// Requests for compartment access the subject may decide.
    async fn waiting_access_decisions(&self) -> Result<Vec<(WaitingItem, Vec<Labels>)>> {
        Ok(self
            .access_decisions_to_take()
            .await?
            .into_iter()
            .map(|d| {
                let title = format!("{} → {}", d.username, d.compartment_id);
                let kind = ResourceKind::AccessDecision;
                let item =
                    WaitingItem::new(WaitingReason::Grant, kind, d.id, title, d.requested_by);
                (item, Vec::new())
            })
            .collect())
    }
}
