//! Users, compartments and memberships, personal API tokens.

use grotius_domain::separation::WorkDomain;
use grotius_domain::{Action, Classification, CompartmentId, Resource, ResourceKind, Role};
use grotius_security::{
    PasswordPolicy, TokenKind, hash_password, hash_token, new_token, now_micros, now_secs,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Access, Result, StoreError, new_id};

#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub clearance: Classification,
    pub organisation: Option<String>,
    pub disabled: bool,
    pub totp_enabled: bool,
    pub locked: bool,
    pub compartments: Vec<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub clearance: Classification,
    pub organisation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub roles: Option<Vec<Role>>,
    pub clearance: Option<Classification>,
    pub organisation: Option<Option<String>>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompartmentInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub created_at: i64,
    /// The side the compartment is on: "mediation" or "evidence".
    pub domain: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberInfo {
    pub user_id: String,
    pub username: String,
    pub granted_by: String,
    pub reason: String,
    pub granted_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

fn valid_username(u: &str) -> Result<()> {
    let ok = (2..=64).contains(&u.len())
        && u.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "username",
            "use 2-64 lower-case letters, digits, '-', '_' or '.'",
        ))
    }
}

fn user_from_row(row: &sqlx::any::AnyRow, compartments: Vec<String>) -> Result<UserInfo> {
    Ok(UserInfo {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        roles: Role::parse_list(&row.try_get::<String, _>("roles")?)?,
        clearance: Classification::from_level(row.try_get("clearance")?)?,
        organisation: row.try_get("organisation")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        totp_enabled: row.try_get::<i64, _>("totp_enabled")? != 0,
        locked: row.try_get::<i64, _>("locked_until")? > now_secs(),
        compartments,
        created_at: row.try_get("created_at")?,
    })
}

const USER_COLS: &str = "id, username, display_name, roles, clearance, organisation, disabled, totp_enabled, locked_until, created_at";

impl Access {
    pub async fn list_users(&self) -> Result<Vec<UserInfo>> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::User), None)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users ORDER BY username"
        )))
        .fetch_all(&self.store.pool)
        .await?;
        let members =
            sqlx::query("SELECT user_id, compartment_id FROM memberships ORDER BY compartment_id")
                .fetch_all(&self.store.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let comps = members
                    .iter()
                    .filter(|m| m.try_get::<String, _>("user_id").is_ok_and(|u| u == id))
                    .filter_map(|m| m.try_get::<String, _>("compartment_id").ok())
                    .collect();
                user_from_row(r, comps)
            })
            .collect()
    }

    /// The history of an account from the audit log, newest first, for administrators: its
    /// creation and changes, sign-ins, compartment memberships and access decisions about it (at
    /// most `limit` entries). Everything these entries name — accounts, compartments, access
    /// decisions — the administrator reads anyway (the administration and access-decision pages),
    /// so they are shown whole; the audit log's own rule for what a reader may know applies to
    /// the audit log, which administrators do not read.
    pub async fn user_history(
        &self,
        id: &str,
        limit: i64,
    ) -> Result<Vec<grotius_domain::audit::AuditEntry>> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::User), None)
            .await?;
        let user = self.get_user(id).await?;
        let limit = limit.clamp(1, 500);
        let cols = "seq, at, actor_id, actor_name, action, resource_kind, resource_id, outcome, detail, prev_hash, hash";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {cols} FROM audit_log WHERE resource_kind = 'user' AND resource_id = $1
             UNION ALL
             SELECT {cols} FROM audit_log
              WHERE resource_kind IN ('compartment', 'access-decision') AND detail LIKE $2
             ORDER BY seq DESC LIMIT {limit}"
        )))
        .bind(&user.id)
        .bind(format!("%\"user_id\":\"{}\"%", user.id))
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(crate::audit::entry_from_row).collect()
    }

    /// A user by id: administrators see anyone, others only themselves.
    pub async fn get_user(&self, id: &str) -> Result<UserInfo> {
        self.authorize(
            Action::Read,
            Resource::owned(ResourceKind::User, id),
            Some(id),
        )
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let comps = sqlx::query(
            "SELECT compartment_id FROM memberships WHERE user_id = $1 ORDER BY compartment_id",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String, _>("compartment_id").ok())
        .collect();
        user_from_row(&row, comps)
    }

    pub async fn find_user_id(&self, username: &str) -> Result<String> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::User), None)
            .await?;
        let row = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username.trim())
            .fetch_optional(&self.store.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("id")?)
    }

    pub async fn create_user(&self, new: &NewUser) -> Result<UserInfo> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::User), None)
            .await?;
        let username = new.username.trim();
        valid_username(username)?;
        if new.display_name.trim().is_empty() {
            return Err(StoreError::invalid(
                "display_name",
                "a display name is required",
            ));
        }
        if new.roles.is_empty() {
            return Err(StoreError::invalid(
                "roles",
                "give the user at least one role",
            ));
        }
        if new.roles.contains(&Role::Partner)
            && new
                .organisation
                .as_deref()
                .is_none_or(|o| o.trim().is_empty())
        {
            return Err(StoreError::invalid(
                "organisation",
                "a partner user needs the organisation it represents",
            ));
        }
        PasswordPolicy::check(&new.password, username)?;
        let hash = hash_password(&new.password)?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        crate::separation::check_roles(&mut tx, None, &new.roles).await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, roles, clearance, organisation, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(username)
        .bind(new.display_name.trim())
        .bind(hash)
        .bind(Role::join(&new.roles))
        .bind(new.clearance.level())
        .bind(new.organisation.as_deref().map(str::trim).filter(|o| !o.is_empty()))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, &format!("a user named '{username}'")))?;
        let detail = serde_json::json!({"username": username, "roles": Role::join(&new.roles), "clearance": new.clearance}).to_string();
        self.audit_in(&mut tx, "user.create", "user", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_user(&id).await
    }

    pub async fn update_user(&self, id: &str, u: &UserUpdate) -> Result<UserInfo> {
        self.authorize(Action::Update, Resource::kind(ResourceKind::User), Some(id))
            .await?;
        let current = self.get_user(id).await?;
        let roles = u.roles.clone().unwrap_or(current.roles.clone());
        if roles.is_empty() {
            return Err(StoreError::invalid(
                "roles",
                "give the user at least one role",
            ));
        }
        if id == self.subject.user_id && (u.disabled == Some(true) || !roles.contains(&Role::Admin))
        {
            return Err(StoreError::invalid(
                "roles",
                "you cannot disable yourself or remove your own administrator role",
            ));
        }
        let display_name = u
            .display_name
            .clone()
            .unwrap_or(current.display_name.clone());
        if display_name.trim().is_empty() {
            return Err(StoreError::invalid(
                "display_name",
                "a display name is required",
            ));
        }
        let clearance = u.clearance.unwrap_or(current.clearance);
        if id == self.subject.user_id {
            // No one vets herself: a clearance is raised, and a role given, by another
            // administrator (or the operator at the command line).
            if clearance > current.clearance {
                return Err(StoreError::Forbidden(
                    "no one may raise her own clearance; another administrator does".into(),
                ));
            }
            if roles.iter().any(|r| !current.roles.contains(r)) {
                return Err(StoreError::Forbidden(
                    "no one may give herself a role; another administrator does".into(),
                ));
            }
        }
        let organisation = u
            .organisation
            .clone()
            .unwrap_or(current.organisation.clone());
        let disabled = u.disabled.unwrap_or(current.disabled);
        let mut tx = self.store.write_tx().await?;
        crate::separation::check_roles(&mut tx, Some(id), &roles).await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, roles = $2, clearance = $3, organisation = $4, disabled = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(display_name.trim())
        .bind(Role::join(&roles))
        .bind(clearance.level())
        .bind(organisation)
        .bind(i64::from(disabled))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now_secs())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let detail = serde_json::json!({"roles": Role::join(&roles), "clearance": clearance, "disabled": disabled}).to_string();
        self.audit_in(&mut tx, "user.update", "user", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_user(id).await
    }

    /// Sets a new password (administrators), unlocks the account and ends its sessions.
    pub async fn reset_password(&self, id: &str, password: &str) -> Result<()> {
        self.authorize(Action::Update, Resource::kind(ResourceKind::User), Some(id))
            .await?;
        let user = self.get_user(id).await?;
        PasswordPolicy::check(password, &user.username)?;
        let hash = hash_password(password)?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now_micros())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(&mut tx, "user.password-reset", "user", id, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a user's second factor (when the device is lost); they enrol again.
    pub async fn reset_second_factor(&self, id: &str) -> Result<()> {
        self.authorize(Action::Update, Resource::kind(ResourceKind::User), Some(id))
            .await?;
        self.get_user(id).await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "UPDATE users SET totp_enabled = 0, totp_secret = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(&mut tx, "user.totp-reset", "user", id, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- compartments ----

    /// Administrators see every compartment; others see those they belong to.
    pub async fn list_compartments(&self) -> Result<Vec<CompartmentInfo>> {
        let all = self.may(Action::Read, Resource::kind(ResourceKind::Compartment));
        let sql = "SELECT c.id, c.name, c.description, c.created_at, c.domain,
                          (SELECT COUNT(*) FROM memberships m WHERE m.compartment_id = c.id) AS members
                   FROM compartments c ORDER BY c.id";
        let rows = sqlx::query(sql).fetch_all(&self.store.pool).await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let member =
                CompartmentId::parse(&id).is_ok_and(|c| self.subject.compartments.contains(&c));
            if !all && !member {
                continue;
            }
            out.push(CompartmentInfo {
                id,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                members: r.try_get("members")?,
                created_at: r.try_get("created_at")?,
                domain: r.try_get("domain")?,
            });
        }
        Ok(out)
    }

    pub async fn get_compartment(&self, id: &str) -> Result<(CompartmentInfo, Vec<MemberInfo>)> {
        let member = CompartmentId::parse(id).is_ok_and(|c| self.subject.compartments.contains(&c));
        let owner = if member {
            self.subject.user_id.clone()
        } else {
            String::new()
        };
        self.authorize(
            Action::Read,
            Resource {
                kind: ResourceKind::Compartment,
                labels: None,
                owner: Some(&owner),
                organisation: None,
            },
            Some(id),
        )
        .await?;
        let info = self
            .list_compartments()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(StoreError::NotFound)?;
        let rows = sqlx::query(
            "SELECT m.user_id, u.username, m.granted_by, m.reason, m.granted_at FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.compartment_id = $1 ORDER BY u.username",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let members = rows
            .iter()
            .map(|r| {
                Ok(MemberInfo {
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    granted_by: r.try_get("granted_by")?,
                    reason: r.try_get("reason")?,
                    granted_at: r.try_get("granted_at")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((info, members))
    }

    /// Creates a compartment on one side (mediation or evidence); see `separation`.
    pub async fn create_compartment(
        &self,
        id: &str,
        name: &str,
        description: &str,
        domain: WorkDomain,
    ) -> Result<CompartmentInfo> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Compartment),
            None,
        )
        .await?;
        let cid = CompartmentId::parse(id.trim())?;
        if name.trim().is_empty() {
            return Err(StoreError::invalid("name", "a name is required"));
        }
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO compartments (id, name, description, created_at, domain) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(cid.as_str())
        .bind(name.trim())
        .bind(description.trim())
        .bind(now_micros())
        .bind(domain.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, &format!("compartment '{cid}'")))?;
        self.audit_in(
            &mut tx,
            "compartment.create",
            "compartment",
            cid.as_str(),
            "ok",
            &serde_json::json!({"name": name.trim(), "domain": domain.as_str()}).to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(CompartmentInfo {
            id: cid.to_string(),
            name: name.trim().into(),
            description: description.trim().into(),
            members: 0,
            created_at: now_micros(),
            domain: domain.as_str().into(),
        })
    }

    /// Grants a user membership of a compartment, with the reason. Decided by the compartment's
    /// steward (a member holding the approver role of its side) for someone else, or by the
    /// operator at the command line; administrators propose a membership as an access decision
    /// instead (`separation::may_grant_membership`). Audited with who decided.
    pub async fn add_member(&self, compartment: &str, user_id: &str, reason: &str) -> Result<()> {
        let member =
            CompartmentId::parse(compartment).is_ok_and(|c| self.subject.compartments.contains(&c));
        if !member && !self.subject.is_operator() {
            // Who is neither a member nor an administrator learns nothing of the compartment.
            self.authorize(
                Action::Update,
                Resource::kind(ResourceKind::Compartment),
                Some(compartment),
            )
            .await?;
        }
        if reason.trim().is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "record why this user needs to know",
            ));
        }
        let mut tx = self.store.write_tx().await?;
        let side = crate::separation::compartment_domain(&mut tx, compartment).await?;
        let user = sqlx::query("SELECT 1 AS x FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if user.is_none() {
            return Err(StoreError::invalid("user", "no such user"));
        }
        if let Err(why) =
            grotius_domain::separation::may_grant_membership(&self.subject, user_id, side, member)
        {
            tx.rollback().await?;
            let detail = serde_json::json!({"user_id": user_id}).to_string();
            self.audit_now(
                "compartment.member-add",
                "compartment",
                compartment,
                "denied",
                &detail,
            )
            .await?;
            return Err(StoreError::Forbidden(why));
        }
        crate::separation::check_membership(&mut tx, compartment, user_id).await?;
        sqlx::query(
            "INSERT INTO memberships (user_id, compartment_id, granted_by, reason, granted_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id, compartment_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(compartment)
        .bind(&self.subject.username)
        .bind(reason.trim())
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "user_id": user_id, "reason": reason.trim(), "decided_by": self.subject.username
        })
        .to_string();
        self.audit_in(
            &mut tx,
            "compartment.member-add",
            "compartment",
            compartment,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_member(&self, compartment: &str, user_id: &str) -> Result<()> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::Compartment),
            Some(compartment),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        let n = sqlx::query("DELETE FROM memberships WHERE compartment_id = $1 AND user_id = $2")
            .bind(compartment)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit_in(
            &mut tx,
            "compartment.member-remove",
            "compartment",
            compartment,
            "ok",
            &serde_json::json!({"user_id": user_id}).to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- personal API tokens ----

    pub async fn list_tokens(&self) -> Result<Vec<ApiTokenInfo>> {
        let me = self.subject.user_id.clone();
        self.authorize(
            Action::Read,
            Resource::owned(ResourceKind::ApiToken, &me),
            None,
        )
        .await?;
        let rows = sqlx::query(
            "SELECT id, name, scope, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(&me)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    scope: r.try_get("scope")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    /// Creates a personal token; the secret is returned once and stored only as a hash.
    pub async fn create_token(
        &self,
        name: &str,
        scope: &str,
        ttl_secs: i64,
    ) -> Result<(String, ApiTokenInfo)> {
        let me = self.subject.user_id.clone();
        self.authorize(
            Action::Create,
            Resource::owned(ResourceKind::ApiToken, &me),
            None,
        )
        .await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid(
                "name",
                "give the token a name of at most 100 characters",
            ));
        }
        if !matches!(scope, "read" | "write") {
            return Err(StoreError::invalid("scope", "scope is 'read' or 'write'"));
        }
        if scope == "write" && self.subject.read_only {
            return Err(StoreError::Forbidden(
                "a read-only token cannot create a write token".into(),
            ));
        }
        if !(60..=366 * 86400).contains(&ttl_secs) {
            return Err(StoreError::invalid(
                "expires_in_days",
                "a token lives between one minute and 366 days",
            ));
        }
        let token = new_token(TokenKind::Api);
        let now = now_secs();
        let info = ApiTokenInfo {
            id: new_id(),
            name: name.to_string(),
            scope: scope.to_string(),
            created_at: now,
            expires_at: now + ttl_secs,
            revoked_at: None,
            last_used_at: None,
        };
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&info.id)
        .bind(&me)
        .bind(&info.name)
        .bind(hash_token(&token))
        .bind(&info.scope)
        .bind(info.created_at)
        .bind(info.expires_at)
        .execute(&mut *tx)
        .await?;
        self.audit_in(
            &mut tx,
            "api-token.create",
            "api-token",
            &info.id,
            "ok",
            &serde_json::json!({"name": name, "scope": scope}).to_string(),
        )
        .await?;
        tx.commit().await?;
        Ok((token, info))
    }

    /// Revokes one of the subject's tokens (administrators may revoke anyone's).
    pub async fn revoke_token(&self, id: &str) -> Result<()> {
        let owner: Option<String> = sqlx::query("SELECT user_id FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.store.pool)
            .await?
            .map(|r| r.try_get("user_id"))
            .transpose()?;
        let owner = owner.unwrap_or_default();
        self.authorize(
            Action::Delete,
            Resource::owned(ResourceKind::ApiToken, &owner),
            Some(id),
        )
        .await?;
        if owner.is_empty() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.store.write_tx().await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_secs())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.audit_in(&mut tx, "api-token.revoke", "api-token", id, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
