//! What the early-warning work keeps besides the alerts themselves: the countries a user and
//! the unit watch, and the unit's thresholds of the escalation signals.
//!
//! Rules (through the policy engine): a user's own watchlist needs the Read right on conflict
//! events; the unit's watchlist is kept by those who may raise alerts (Create on alerts); the
//! thresholds are set by those who maintain the event data and its method (Update on conflict
//! events: administrators and analysts). Every change is audited.

use grotius_domain::early_warning::{DEFAULT_SIGNAL_PARAMS, SignalParams};
use grotius_domain::{Action, Resource, ResourceKind, reference};
use grotius_security::now_micros;
use serde::Serialize;
use sqlx::Row;

use crate::{Access, Result, StoreError};

/// The owner value of the unit's watchlist.
const UNIT: &str = "unit";

/// Which watchlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Watchlist {
    Mine,
    Unit,
}

impl Watchlist {
    pub fn parse(v: &str) -> Result<Watchlist> {
        match v.trim() {
            "mine" | "" => Ok(Watchlist::Mine),
            "unit" => Ok(Watchlist::Unit),
            other => Err(StoreError::invalid(
                "list",
                format!("'{other}' is not a watchlist; use mine or unit"),
            )),
        }
    }
}

/// A watched country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Watched {
    pub country: String,
    pub list: Watchlist,
    pub note: String,
    pub added_at: i64,
}

impl Access {
    fn watch_owner(&self, list: Watchlist) -> String {
        match list {
            Watchlist::Mine => self.subject.user_id.clone(),
            Watchlist::Unit => UNIT.to_string(),
        }
    }

    async fn may_keep(&self, list: Watchlist) -> Result<()> {
        match list {
            Watchlist::Mine => {
                self.authorize(
                    Action::Read,
                    Resource::kind(ResourceKind::ConflictEvent),
                    None,
                )
                .await
            }
            Watchlist::Unit => {
                self.authorize(
                    Action::Read,
                    Resource::kind(ResourceKind::ConflictEvent),
                    None,
                )
                .await?;
                // A reader of the event data who may not raise alerts is refused (403), even
                // when the alerts themselves are out of her sight.
                if self.may_keep_unit_watchlist() {
                    Ok(())
                } else {
                    Err(StoreError::Forbidden(
                        "the unit's watchlist is kept by those who raise alerts".into(),
                    ))
                }
            }
        }
    }

    /// Whether the reader may change the unit's watchlist.
    pub fn may_keep_unit_watchlist(&self) -> bool {
        self.may(Action::Create, Resource::kind(ResourceKind::Alert))
    }

    /// The reader's own watched countries and the unit's, the reader's first.
    pub async fn watchlist(&self) -> Result<Vec<Watched>> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let rows = sqlx::query(
            "SELECT owner, country, note, added_at FROM watchlist WHERE owner = $1 OR owner = $2
             ORDER BY CASE WHEN owner = $2 THEN 1 ELSE 0 END, country",
        )
        .bind(&self.subject.user_id)
        .bind(UNIT)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let owner: String = r.try_get("owner")?;
                Ok(Watched {
                    country: r.try_get("country")?,
                    list: if owner == UNIT {
                        Watchlist::Unit
                    } else {
                        Watchlist::Mine
                    },
                    note: r.try_get("note")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .collect()
    }

    /// Adds a country to a watchlist (again: the note is replaced).
    pub async fn watch(&self, list: Watchlist, country: &str, note: &str) -> Result<()> {
        self.may_keep(list).await?;
        let c = reference::country(country.trim()).ok_or_else(|| {
            StoreError::invalid(
                "country",
                format!("'{}' is not an ISO 3166-1 country code", country.trim()),
            )
        })?;
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(StoreError::invalid(
                "note",
                "a note is at most 500 characters",
            ));
        }
        let owner = self.watch_owner(list);
        let mut tx = self.store.write_tx().await?;
        sqlx::query("DELETE FROM watchlist WHERE owner = $1 AND country = $2")
            .bind(&owner)
            .bind(&c.alpha2)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO watchlist (owner, country, note, added_by, added_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&owner)
        .bind(&c.alpha2)
        .bind(note)
        .bind(&self.subject.username)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({"list": list, "note": note}).to_string();
        self.audit_in(
            &mut tx,
            "watchlist.add",
            "country",
            &c.alpha2,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a country from a watchlist (nothing to remove is not an error).
    pub async fn unwatch(&self, list: Watchlist, country: &str) -> Result<()> {
        self.may_keep(list).await?;
        let owner = self.watch_owner(list);
        let mut tx = self.store.write_tx().await?;
        let done = sqlx::query("DELETE FROM watchlist WHERE owner = $1 AND country = $2")
            .bind(&owner)
            .bind(country.trim())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            let detail = serde_json::json!({"list": list}).to_string();
            self.audit_in(
                &mut tx,
                "watchlist.remove",
                "country",
                country.trim(),
                "ok",
                &detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The unit's thresholds of the escalation signals (the documented defaults until changed).
    pub async fn signal_params(&self) -> Result<SignalParams> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let row = sqlx::query(
            "SELECT recent_months, baseline_months, alpha_bp, quiet_months FROM signal_settings WHERE id = 1",
        )
        .fetch_optional(&self.store.pool)
        .await?;
        Ok(match row {
            None => DEFAULT_SIGNAL_PARAMS,
            Some(r) => SignalParams {
                recent_months: r.try_get("recent_months")?,
                baseline_months: r.try_get("baseline_months")?,
                alpha: r.try_get::<i64, _>("alpha_bp")? as f64 / 10_000.0,
                quiet_months: r.try_get("quiet_months")?,
            },
        })
    }

    /// Whether the reader may set the thresholds.
    pub fn may_set_signal_params(&self) -> bool {
        self.may(Action::Update, Resource::kind(ResourceKind::ConflictEvent))
    }

    /// Sets the unit's thresholds; every value is checked and named when out of range.
    pub async fn set_signal_params(&self, p: &SignalParams) -> Result<SignalParams> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let mut errors = Vec::new();
        if !(1..=24).contains(&p.recent_months) {
            errors.push(("recent_months", "between 1 and 24 months".to_string()));
        }
        if !(1..=120).contains(&p.baseline_months) {
            errors.push(("baseline_months", "between 1 and 120 months".to_string()));
        }
        let alpha_bp = (p.alpha * 10_000.0).round() as i64;
        if !(p.alpha.is_finite() && (1..=5000).contains(&alpha_bp)) {
            errors.push(("alpha", "between 0.0001 and 0.5".to_string()));
        }
        if !(1..=240).contains(&p.quiet_months) {
            errors.push(("quiet_months", "between 1 and 240 months".to_string()));
        }
        if let Some((field, range)) = errors.into_iter().next() {
            return Err(StoreError::invalid(field, format!("must be {range}")));
        }
        let before = self.signal_params().await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("DELETE FROM signal_settings WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO signal_settings (id, recent_months, baseline_months, alpha_bp, quiet_months, updated_by, updated_at)
             VALUES (1, $1, $2, $3, $4, $5, $6)",
        )
        .bind(p.recent_months)
        .bind(p.baseline_months)
        .bind(alpha_bp)
        .bind(p.quiet_months)
        .bind(&self.subject.username)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({"from": before, "to": p}).to_string();
        self.audit_in(
            &mut tx,
            "signal-settings.update",
            "conflict-event",
            "",
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.signal_params().await
    }
}
