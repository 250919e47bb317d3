//! Early-warning alerts: a signal someone must follow up. Labelled records like every other:
//! created and changed only through the policy engine, each step audited (`alert.create`,
//! `alert.update` with the status it moved from and to), listed through the list layer, and
//! "overdue" (deadline passed, no action taken yet) computed on the reader's visible alerts.

use grotius_domain::early_warning::{self, Alert, AlertInput, AlertStatus};
use grotius_domain::{
    Action, Classification, CompartmentId, Labels, Resource, ResourceKind, decide,
};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::auth::load_subject;
use crate::db::Bind;
use crate::{Access, Page, Result, StoreError, new_id};

const COLS: &str = "a.id, a.country, a.signal, a.as_of, a.title, a.assessment, a.recommendation, a.owner_id, u.username AS owner_name, a.deadline, a.status, a.closed_reason, a.classification, a.compartment_id, a.created_by, a.created_at, a.updated_at";

const FROM: &str = "alerts a JOIN users u ON u.id = a.owner_id";

crate::list::listed!(Alert);

/// The filters of the alerts list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFilter {
    /// ISO 3166-1 code.
    pub country: Option<String>,
    /// open, assessed, action-taken or closed.
    pub status: Option<String>,
    /// Only alerts past their deadline on which no action was taken yet.
    #[serde(default)]
    pub overdue: bool,
    /// Only alerts owned by the reader.
    #[serde(default)]
    pub mine: bool,
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    grotius_domain::roster::date_of_micros(now_micros())
}

fn alert_from_row(row: &sqlx::any::AnyRow) -> Result<Alert> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Alert {
        id: row.try_get("id")?,
        country: row.try_get("country")?,
        signal: row.try_get("signal")?,
        as_of: row.try_get("as_of")?,
        title: row.try_get("title")?,
        assessment: row.try_get("assessment")?,
        recommendation: row.try_get("recommendation")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        deadline: row.try_get("deadline")?,
        status: AlertStatus::parse(&row.try_get::<String, _>("status")?)?,
        closed_reason: row.try_get("closed_reason")?,
        labels: Labels {
            classification: Classification::from_level(row.try_get("classification")?)?,
            compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
        },
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Access {
    /// The owner named by username: an active user who may read and update an alert with these
    /// labels (an owner who could not see the alert could not follow it up).
    async fn alert_owner(&self, username: &str, labels: &Labels) -> Result<String> {
        let not_owner = |why: &str| StoreError::invalid("owner", format!("'{username}' {why}"));
        let Some(row) = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.store.pool)
            .await?
        else {
            return Err(not_owner("is not a user"));
        };
        let id: String = row.try_get("id")?;
        let mut conn = self.store.pool.acquire().await?;
        let Some(subject) = load_subject(&mut conn, &id).await? else {
            return Err(not_owner("is disabled"));
        };
        let resource = Resource::labelled(ResourceKind::Alert, labels);
        if !decide(&subject, Action::Read, resource).is_allowed()
            || !decide(&subject, Action::Update, resource).is_allowed()
        {
            return Err(not_owner(
                "may not read and update an alert with these labels, so cannot own it",
            ));
        }
        Ok(id)
    }

    /// Raises an alert (its status as given, `open` by default).
    pub async fn create_alert(&self, input: &AlertInput) -> Result<Alert> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Alert), None)
            .await?;
        let v = input.validate()?;
        self.authorize_filing(
            Action::Create,
            Resource::labelled(ResourceKind::Alert, &v.labels),
            None,
        )
        .await?;
        let owner_id = self.alert_owner(&v.owner, &v.labels).await?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO alerts (id, country, signal, as_of, title, assessment, recommendation, owner_id, deadline,
                status, closed_reason, classification, compartment_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(&id)
        .bind(&v.country)
        .bind(&v.signal)
        .bind(&v.as_of)
        .bind(&v.title)
        .bind(&v.assessment)
        .bind(&v.recommendation)
        .bind(&owner_id)
        .bind(&v.deadline)
        .bind(v.status.as_str())
        .bind(&v.closed_reason)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.as_str().to_string()))
        .bind(&self.subject.username)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "country": v.country, "signal": v.signal, "as_of": v.as_of, "owner": v.owner,
            "deadline": v.deadline, "status": v.status.as_str(),
            "classification": v.labels.classification.level(),
            "compartment": v.labels.compartment.as_ref().map(|c| c.as_str()),
        })
        .to_string();
        self.audit_in(&mut tx, "alert.create", "alert", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_alert(&id).await
    }

    async fn alert_for(&self, action: Action, id: &str) -> Result<Alert> {
        self.get_checked(
            ResourceKind::Alert,
            action,
            format!("SELECT {COLS} FROM {FROM} WHERE a.id = $1"),
            id,
            alert_from_row,
        )
        .await
    }

    /// An alert; 404 when it does not exist or may not be seen.
    pub async fn get_alert(&self, id: &str) -> Result<Alert> {
        let a = self.alert_for(Action::Read, id).await?;
        if a.labels.classification.read_is_audited() {
            self.audit_now("alert.read", "alert", &a.id, "ok", "{}")
                .await?;
        }
        Ok(a)
    }

    /// Records a step of the follow-up: assessment, recommendation, owner, deadline, status
    /// (closing needs a reason). Labels may be raised, never lowered.
    pub async fn update_alert(&self, id: &str, input: &AlertInput) -> Result<Alert> {
        let before = self.alert_for(Action::Update, id).await?;
        let v = input.validate()?;
        if v.labels.classification < before.labels.classification {
            return Err(StoreError::invalid(
                "classification",
                format!(
                    "an alert's classification may be raised, not lowered (it is {})",
                    before.labels.classification
                ),
            ));
        }
        self.authorize_filing(
            Action::Update,
            Resource::labelled(ResourceKind::Alert, &v.labels),
            Some(id),
        )
        .await?;
        let owner_id = self.alert_owner(&v.owner, &v.labels).await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "UPDATE alerts SET country = $2, signal = $3, as_of = $4, title = $5, assessment = $6,
                recommendation = $7, owner_id = $8, deadline = $9, status = $10, closed_reason = $11,
                classification = $12, compartment_id = $13, updated_at = $14
             WHERE id = $1",
        )
        .bind(id)
        .bind(&v.country)
        .bind(&v.signal)
        .bind(&v.as_of)
        .bind(&v.title)
        .bind(&v.assessment)
        .bind(&v.recommendation)
        .bind(&owner_id)
        .bind(&v.deadline)
        .bind(v.status.as_str())
        .bind(&v.closed_reason)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.as_str().to_string()))
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "status": {"from": before.status.as_str(), "to": v.status.as_str()},
            "owner": v.owner, "deadline": v.deadline,
            "assessment_changed": before.assessment != v.assessment,
            "recommendation_changed": before.recommendation != v.recommendation,
            "closed_reason": v.closed_reason,
        })
        .to_string();
        self.audit_in(&mut tx, "alert.update", "alert", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_alert(id).await
    }

    /// Alerts the reader may see, overdue first, then by deadline.
    pub async fn list_alerts(
        &self,
        f: &AlertFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Alert>> {
        let today = today();
        let mut list = self
            .list(ResourceKind::Alert, FROM, "")
            .await?
            .columns(COLS)
            .order(
                "CASE WHEN a.status IN ('open', 'assessed') THEN 0 ELSE 1 END, a.deadline, a.id",
            );
        list.filter
            .push_country("a.country = ?", f.country.as_deref(), str::to_string)?;
        if let Some(s) = f.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let s = AlertStatus::parse(s)?;
            list.filter
                .push("a.status = ?", Bind::Text(s.as_str().into()));
        }
        if f.overdue {
            list.filter
                .clause("a.status IN ('open', 'assessed')".into());
            list.filter.push("a.deadline < ?", Bind::Text(today));
        }
        if f.mine {
            list.filter
                .push("a.owner_id = ?", Bind::Text(self.subject.user_id.clone()));
        }
        self.list_page(list, limit, offset, alert_from_row).await
    }

    /// The alerts the subject owns on which no action was taken yet (open or assessed), by
    /// deadline; not audited (the inbox audits what it lists).
    pub(crate) async fn owned_open_alerts(&self) -> Result<Vec<Alert>> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::Alert)) {
            return Ok(Vec::new());
        }
        let mut list = self
            .list(ResourceKind::Alert, FROM, "")
            .await?
            .columns(COLS)
            .order("a.deadline, a.id")
            .unaudited();
        list.filter
            .clause("a.status IN ('open', 'assessed')".into());
        list.filter
            .push("a.owner_id = ?", Bind::Text(self.subject.user_id.clone()));
        self.list_all(list, alert_from_row).await
    }

    /// Whether an alert is overdue today.
    pub fn alert_overdue(&self, a: &Alert) -> bool {
        early_warning::overdue(a.status, &a.deadline, &today())
    }
}

/// The kinds of record that can answer an alert.
pub const ALERT_LINK_KINDS: [&str; 3] = ["process", "support-request", "fund-application"];

/// A record linked to an alert as (part of) the answer to it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AlertLink {
    /// process, support-request or fund-application.
    pub kind: String,
    pub id: String,
    pub title: String,
}

/// A linked record as the list layer reads it: its title, labels and (applications) partner.
struct LinkedRow {
    id: String,
    title: String,
    labels: Labels,
    partner: Option<String>,
}

impl crate::list::Listed for LinkedRow {
    fn id(&self) -> &str {
        &self.id
    }
    fn labels(&self) -> &Labels {
        &self.labels
    }
    fn resource(&self, kind: ResourceKind) -> Resource<'_> {
        match &self.partner {
            Some(p) => Resource::of_organisation(kind, &self.labels, p),
            None => Resource::labelled(kind, &self.labels),
        }
    }
}

fn link_kind(kind: &str) -> Result<(ResourceKind, &'static str)> {
    match kind.trim() {
        "process" => Ok((ResourceKind::Process, "processes")),
        "support-request" => Ok((ResourceKind::SupportRequest, "support_requests")),
        "fund-application" => Ok((ResourceKind::FundApplication, "fund_applications")),
        other => Err(StoreError::invalid(
            "kind",
            format!(
                "'{other}' cannot answer an alert; one of: {}",
                ALERT_LINK_KINDS.join(", ")
            ),
        )),
    }
}

impl Access {
    /// Links a record the reader may read to an alert she may update, as an answer to it.
    pub async fn link_alert(
        &self,
        alert_id: &str,
        kind: &str,
        record_id: &str,
    ) -> Result<AlertLink> {
        let alert = self.alert_for(Action::Update, alert_id).await?;
        let (_, _) = link_kind(kind)?;
        let record_id = record_id.trim();
        if record_id.is_empty() {
            return Err(StoreError::invalid(
                "record",
                "choose the record that answers the alert",
            ));
        }
        let title = match kind.trim() {
            "process" => self.get_process(record_id).await.map(|p| p.title),
            "support-request" => self.get_request(record_id).await.map(|r| r.title),
            _ => self.get_application(record_id).await.map(|a| a.title),
        }
        .map_err(|e| match e {
            StoreError::NotFound | StoreError::Forbidden(_) => StoreError::invalid(
                "record",
                format!("no {} '{record_id}' that you may read", kind.trim()),
            ),
            e => e,
        })?;
        let mut tx = self.store.write_tx().await?;
        let exists = sqlx::query(
            "SELECT 1 AS x FROM alert_links WHERE alert_id = $1 AND kind = $2 AND record_id = $3",
        )
        .bind(&alert.id)
        .bind(kind.trim())
        .bind(record_id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Err(StoreError::invalid(
                "record",
                "this record is already linked to the alert",
            ));
        }
        sqlx::query(
            "INSERT INTO alert_links (alert_id, kind, record_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&alert.id)
        .bind(kind.trim())
        .bind(record_id)
        .bind(&self.subject.username)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({"kind": kind.trim(), "record": record_id}).to_string();
        self.audit_in(&mut tx, "alert.link", "alert", &alert.id, "ok", &detail)
            .await?;
        tx.commit().await?;
        Ok(AlertLink {
            kind: kind.trim().to_string(),
            id: record_id.to_string(),
            title,
        })
    }

    /// Removes a link (the reader must be able to update the alert).
    pub async fn unlink_alert(&self, alert_id: &str, kind: &str, record_id: &str) -> Result<()> {
        let alert = self.alert_for(Action::Update, alert_id).await?;
        link_kind(kind)?;
        let mut tx = self.store.write_tx().await?;
        let done = sqlx::query(
            "DELETE FROM alert_links WHERE alert_id = $1 AND kind = $2 AND record_id = $3",
        )
        .bind(&alert.id)
        .bind(kind.trim())
        .bind(record_id.trim())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::invalid(
                "record",
                "this record is not linked to the alert",
            ));
        }
        let detail =
            serde_json::json!({"kind": kind.trim(), "record": record_id.trim()}).to_string();
        self.audit_in(&mut tx, "alert.unlink", "alert", &alert.id, "ok", &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The records linked to an alert the reader may read, that she may read herself (a link to
    /// a record she may not read is not shown, and nothing of it is).
    pub async fn alert_links(&self, alert_id: &str) -> Result<Vec<AlertLink>> {
        let alert = self.alert_for(Action::Read, alert_id).await?;
        let mut out = Vec::new();
        for kind in ALERT_LINK_KINDS {
            let (rk, table) = link_kind(kind)?;
            if !self.may(Action::Read, Resource::kind(rk)) {
                continue;
            }
            let partner = if rk == ResourceKind::FundApplication {
                ", x.partner"
            } else {
                ""
            };
            let mut list = self
                .list(rk, table, "x")
                .await?
                .unaudited()
                .columns(&format!(
                    "x.id, x.title, x.classification, x.compartment_id{partner}"
                ))
                .order("x.title, x.id");
            list.filter.push_many(
                "x.id IN (SELECT record_id FROM alert_links WHERE alert_id = ? AND kind = ?)",
                vec![Bind::Text(alert.id.clone()), Bind::Text(kind.to_string())],
            );
            let rows = self
                .fetch_rows(&list, None, |r| {
                    let comp: Option<String> = r.try_get("compartment_id")?;
                    Ok(LinkedRow {
                        id: r.try_get("id")?,
                        title: r.try_get("title")?,
                        labels: Labels {
                            classification: Classification::from_level(
                                r.try_get("classification")?,
                            )?,
                            compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
                        },
                        partner: r.try_get("partner").ok(),
                    })
                })
                .await?;
            out.extend(rows.into_iter().map(|r| AlertLink {
                kind: kind.to_string(),
                id: r.id,
                title: r.title,
            }));
        }
        Ok(out)
    }
}
