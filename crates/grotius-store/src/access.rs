//! [`Access`]: a subject bound to the store. Every record operation is a method here and starts by
//! asking the policy engine.

use grotius_domain::{Action, Decision, Denial, Labels, Resource, ResourceKind, Subject, decide};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, Where};
use crate::{Result, Store, StoreError, audit};

/// An authenticated subject with the store. Only authentication creates one.
#[derive(Clone)]
pub struct Access {
    pub(crate) store: Store,
    pub(crate) subject: Subject,
}

/// One page of a list: the items the subject may see and how many there are in all (counted
/// with the same policy filter).
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl Access {
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Asks the policy engine; a denial becomes the matching error. Denied attempts on a
    /// specific record are audited (the attempt, not the record's content).
    pub(crate) async fn authorize(
        &self,
        action: Action,
        resource: Resource<'_>,
        id: Option<&str>,
    ) -> Result<()> {
        match decide(&self.subject, action, resource) {
            Decision::Allow => Ok(()),
            Decision::Deny(d) => {
                if let Some(id) = id {
                    self.audit_now(
                        &format!("{}.{}", resource.kind.as_str(), action.as_str()),
                        resource.kind.as_str(),
                        id,
                        "denied",
                        "{}",
                    )
                    .await?;
                }
                Err(match d {
                    Denial::NotFound => StoreError::NotFound,
                    Denial::Forbidden => StoreError::Forbidden(format!(
                        "your roles do not allow {} on {}",
                        action.as_str(),
                        resource.kind.as_str()
                    )),
                })
            }
        }
    }

    /// Asks the policy engine about an action that is not tied to one stored record (reading
    /// reference data, exporting a list).
    pub async fn check(&self, action: Action, resource: Resource<'_>) -> Result<()> {
        self.authorize(action, resource, None).await
    }

    /// May the subject file a record of `kind` under these labels? Labels it cannot see are
    /// refused as an invalid compartment, revealing nothing.
    pub(crate) async fn authorize_labels(
        &self,
        action: Action,
        kind: ResourceKind,
        labels: &Labels,
        id: Option<&str>,
    ) -> Result<()> {
        self.authorize_filing(action, Resource::labelled(kind, labels), id)
            .await
    }

    /// [`Access::authorize_labels`] for a record described in full (an organisation-bound
    /// record names its organisation: a partner files only for her own).
    pub(crate) async fn authorize_filing(
        &self,
        action: Action,
        resource: Resource<'_>,
        id: Option<&str>,
    ) -> Result<()> {
        self.authorize(action, resource, id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid(
                    "compartment",
                    "you can only file a record in a compartment you belong to, at or below your clearance",
                ),
                other => other,
            })
    }

    /// Defence in depth for lists: a row the SQL visibility filter returned must also pass the
    /// policy engine; if the two ever disagree, the request fails instead of leaking.
    pub(crate) fn recheck(
        &self,
        action: Action,
        kind: ResourceKind,
        labels: &Labels,
        id: &str,
    ) -> Result<()> {
        if self.may(action, Resource::labelled(kind, labels)) {
            Ok(())
        } else {
            Err(StoreError::Integrity(format!(
                "visibility filter returned {} {id} that the policy denies",
                kind.as_str()
            )))
        }
    }

    /// Whether the policy allows an action, without auditing (for showing or hiding buttons).
    pub fn may(&self, action: Action, resource: Resource<'_>) -> bool {
        decide(&self.subject, action, resource).is_allowed()
    }

    /// Appends an audit entry in the caller's transaction.
    pub(crate) async fn audit_in(
        &self,
        conn: &mut AnyConnection,
        action: &str,
        kind: &str,
        id: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<i64> {
        audit::append(
            conn,
            &self.store,
            &self.subject.user_id,
            &self.subject.username,
            action,
            kind,
            id,
            outcome,
            detail,
        )
        .await
    }

    /// Appends an audit entry in its own transaction (reads of confidential material, denials).
    pub(crate) async fn audit_now(
        &self,
        action: &str,
        kind: &str,
        id: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<()> {
        let mut tx = self.store.write_tx().await?;
        self.audit_in(&mut tx, action, kind, id, outcome, detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Audits the listing of confidential and secret records (by id).
    pub(crate) async fn audit_listed<'a>(
        &self,
        action: &str,
        kind: &str,
        items: impl Iterator<Item = (&'a String, &'a Labels)>,
    ) -> Result<()> {
        let audited: Vec<&str> = items
            .filter(|(_, l)| l.classification.read_is_audited())
            .map(|(id, _)| id.as_str())
            .collect();
        if !audited.is_empty() {
            let detail = serde_json::json!({ "listed": audited }).to_string();
            self.audit_now(action, kind, "", "ok", &detail).await?;
        }
        Ok(())
    }

    /// Records an event (for example an export) that is not itself a database change.
    pub async fn record_event(
        &self,
        action: &str,
        kind: &str,
        id: &str,
        detail: &str,
    ) -> Result<()> {
        self.audit_now(action, kind, id, "ok", detail).await
    }

    /// Browses the audit log (auditors).
    pub async fn audit_log(
        &self,
        filter: &audit::AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<grotius_domain::audit::AuditEntry>> {
        self.authorize(
            Action::Read,
            Resource::kind(grotius_domain::ResourceKind::AuditLog),
            None,
        )
        .await?;
        let limit = limit.clamp(1, 500);
        let offset = offset.max(0);
        // Filtering by a record the reader may not know finds nothing, as for an id that never
        // existed (see `audit_view`).
        if let Some(id) = filter
            .resource_id
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            && !self.may_know_record(id).await?
        {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                limit,
                offset,
            });
        }
        let mut f = Where::default();
        f.push_text("actor_name = ?", filter.actor.as_deref());
        if let Some(a) = filter
            .action
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            f.push(
                "action LIKE ?",
                Bind::Text(format!("{}%", a.replace(['%', '_'], ""))),
            );
        }
        f.push_text("resource_kind = ?", filter.resource_kind.as_deref());
        f.push_text("resource_id = ?", filter.resource_id.as_deref());
        f.push_text("outcome = ?", filter.outcome.as_deref());
        if let Some(from) = filter.from {
            f.push("at >= ?", Bind::Int(from));
        }
        if let Some(to) = filter.to {
            f.push("at < ?", Bind::Int(to));
        }
        let w = f.sql();
        let total: i64 = f
            .query(format!("SELECT COUNT(*) AS n FROM audit_log{w}"))
            .fetch_one(&self.store.pool)
            .await?
            .try_get("n")?;
        let rows = f
            .query(format!(
                "SELECT seq, at, actor_id, actor_name, action, resource_kind, resource_id, outcome, detail, prev_hash, hash
                 FROM audit_log{w} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let items = rows
            .iter()
            .map(audit::entry_from_row)
            .collect::<Result<Vec<_>>>()?;
        let items = self.audit_view(items).await?;
        Ok(Page {
            items,
            total,
            limit,
            offset,
        })
    }
}
