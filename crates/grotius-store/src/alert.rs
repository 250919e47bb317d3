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

    /// Whether an alert is overdue today.
    pub fn alert_overdue(&self, a: &Alert) -> bool {
        early_warning::overdue(a.status, &a.deadline, &today())
    }
}
