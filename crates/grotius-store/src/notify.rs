//! E-mail notifications: a user who asks for them is told by e-mail that something new waits
//! for her — and nothing more. The message names no record, no title, no count per kind: what
//! waits may be classified, and e-mail leaves the ministry's systems. The items are the user's
//! own inbox ([`Access::waiting`], her subject, her labels), so a notification can never be
//! about a record she may not read.
//!
//! A round ([`Store::notifications_due`]) claims each opted-in user with a conditional update of
//! `checked_at`, so of several app nodes sharing the database exactly one handles her in a round;
//! items she was told about are remembered by key ([`Store::mark_notified`]) only after the
//! message was accepted by the relay, so a failed send is retried at the next round.

use std::collections::BTreeSet;

use grotius_security::now_micros;
use serde::Serialize;
use sqlx::Row;

use crate::auth::load_subject;
use crate::{Access, Result, Store, StoreError};

/// A user's choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NotificationSettings {
    pub email: String,
    pub enabled: bool,
}

/// A user to notify in this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotification {
    pub user_id: String,
    pub username: String,
    pub email: String,
    /// Keys of the waiting items she was not told about yet.
    pub new_items: Vec<String>,
    /// Keys of everything waiting now (kept; keys no longer waiting are forgotten).
    pub waiting: Vec<String>,
}

/// Checks an e-mail address the way a relay will need it: one `@`, a dot in the domain, no
/// spaces or angle brackets (it goes into a header), at most 254 characters.
pub fn check_email(email: &str) -> Result<String> {
    let e = email.trim();
    let bad = |why: &str| StoreError::invalid("email", format!("'{e}' {why}"));
    if e.len() > 254 {
        return Err(bad("is longer than 254 characters"));
    }
    if e.chars()
        .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"'))
    {
        return Err(bad("contains spaces or characters an address cannot have"));
    }
    match e.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(e.to_string())
        }
        _ => Err(bad("is not an e-mail address (name@example.org)")),
    }
}

impl Access {
    /// The subject's own notification settings (none chosen yet: disabled, no address).
    pub async fn notification_settings(&self) -> Result<NotificationSettings> {
        let row =
            sqlx::query("SELECT email, enabled FROM notification_settings WHERE user_id = $1")
                .bind(&self.subject.user_id)
                .fetch_optional(&self.store.pool)
                .await?;
        Ok(match row {
            Some(r) => NotificationSettings {
                email: r.try_get("email")?,
                enabled: r.try_get::<i64, _>("enabled")? != 0,
            },
            None => NotificationSettings::default(),
        })
    }

    /// Sets the subject's own notification settings (an address is required to enable them).
    /// Audited as `user.notifications` on the account, without the address.
    pub async fn set_notification_settings(
        &self,
        email: &str,
        enabled: bool,
    ) -> Result<NotificationSettings> {
        if self.subject.read_only {
            return Err(StoreError::Forbidden(
                "a read-only token changes nothing".into(),
            ));
        }
        let email = if email.trim().is_empty() && !enabled {
            String::new()
        } else {
            check_email(email)?
        };
        let mut tx = self.store.write_tx().await?;
        sqlx::query("DELETE FROM notification_settings WHERE user_id = $1")
            .bind(&self.subject.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO notification_settings (user_id, email, enabled, updated_at, checked_at)
             VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(&self.subject.user_id)
        .bind(&email)
        .bind(i64::from(enabled))
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({"enabled": enabled}).to_string();
        self.audit_in(
            &mut tx,
            "user.notifications",
            "user",
            &self.subject.user_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(NotificationSettings { email, enabled })
    }

    /// Keys of what waits for the subject (reason, record, assignment).
    pub(crate) async fn waiting_keys(&self) -> Result<Vec<String>> {
        Ok(self
            .waiting()
            .await?
            .into_iter()
            .map(|(i, _)| {
                format!(
                    "{}:{}:{}",
                    i.reason.as_str(),
                    i.id,
                    i.assignment_id.unwrap_or_default()
                )
            })
            .collect())
    }
}

impl Store {
    /// The users to notify in this round: opted in, enabled accounts not checked in the last
    /// `interval_secs` (each claimed by this node), with something new waiting for them.
    pub async fn notifications_due(
        &self,
        now_secs: i64,
        interval_secs: i64,
    ) -> Result<Vec<DueNotification>> {
        let rows = sqlx::query(
            "SELECT n.user_id, n.email FROM notification_settings n JOIN users u ON u.id = n.user_id
             WHERE n.enabled = 1 AND u.disabled = 0 AND n.checked_at <= $1 ORDER BY n.user_id",
        )
        .bind(now_secs - interval_secs)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let user_id: String = r.try_get("user_id")?;
            let claimed = sqlx::query(
                "UPDATE notification_settings SET checked_at = $1 WHERE user_id = $2 AND checked_at <= $3",
            )
            .bind(now_secs)
            .bind(&user_id)
            .bind(now_secs - interval_secs)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if claimed != 1 {
                continue; // another node has her this round
            }
            let mut conn = self.pool.acquire().await?;
            let Some(subject) = load_subject(&mut conn, &user_id).await? else {
                continue;
            };
            drop(conn);
            let username = subject.username.clone();
            let access = Access {
                store: self.clone(),
                subject,
            };
            let waiting = access.waiting_keys().await?;
            let told: BTreeSet<String> =
                sqlx::query("SELECT item FROM notified_items WHERE user_id = $1")
                    .bind(&user_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get("item"))
                    .collect::<std::result::Result<_, _>>()?;
            let new_items: Vec<String> = waiting
                .iter()
                .filter(|k| !told.contains(*k))
                .cloned()
                .collect();
            out.push(DueNotification {
                user_id,
                username,
                email: r.try_get("email")?,
                new_items,
                waiting,
            });
        }
        Ok(out)
    }

    /// Remembers what the user was told about (after the relay accepted the message) and
    /// forgets keys that no longer wait, so an item that comes back is told again.
    pub async fn mark_notified(&self, due: &DueNotification) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let now = now_micros();
        let told: Vec<String> = sqlx::query("SELECT item FROM notified_items WHERE user_id = $1")
            .bind(&due.user_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("item"))
            .collect::<std::result::Result<_, _>>()?;
        for gone in told.iter().filter(|k| !due.waiting.contains(k)) {
            sqlx::query("DELETE FROM notified_items WHERE user_id = $1 AND item = $2")
                .bind(&due.user_id)
                .bind(gone)
                .execute(&mut *tx)
                .await?;
        }
        for item in due.new_items.iter().filter(|k| !told.contains(k)) {
            sqlx::query(
                "INSERT INTO notified_items (user_id, item, notified_at) VALUES ($1, $2, $3)",
            )
            .bind(&due.user_id)
            .bind(item)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check_email;

    #[test]
    fn addresses() {
        assert_eq!(check_email(" dora@minbuza.nl ").unwrap(), "dora@minbuza.nl");
        for bad in [
            "dora",
            "dora@",
            "@minbuza.nl",
            "dora@nl",
            "a b@x.nl",
            "a@b@c.nl",
            "x@y.nl>",
            "x@.nl",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
