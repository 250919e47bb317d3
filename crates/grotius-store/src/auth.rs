//! Authentication: password login with lock-out, the TOTP second factor and recovery codes,
//! browser sessions and API tokens. This is the only code that creates an [`Access`].

use std::collections::BTreeSet;

use grotius_domain::{Classification, CompartmentId, Role, Subject};
use grotius_security::{
    TokenKind, Totp, hash_token, new_token, now_micros, now_secs, verify_password,
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::{Access, Result, Store, StoreError, audit};

/// Consecutive failures before an account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// A session ends 12 hours after login, or after 2 hours without use.
pub const SESSION_ABSOLUTE_SECS: i64 = 12 * 3600;
pub const SESSION_IDLE_SECS: i64 = 2 * 3600;
/// Tokens issued by `POST /api/v1/auth/token` live 12 hours.
pub const LOGIN_TOKEN_SECS: i64 = 12 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionStage {
    /// Password accepted; the second factor is still due.
    SecondFactor,
    Full,
}

impl SessionStage {
    fn as_str(self) -> &'static str {
        match self {
            SessionStage::SecondFactor => "second-factor",
            SessionStage::Full => "full",
        }
    }
}

#[derive(Debug)]
pub enum LoginOutcome {
    /// A new session; its token goes into the cookie.
    Session { token: String, stage: SessionStage },
    /// Wrong user name or password, disabled or locked account: deliberately one answer.
    Failed,
}

/// A live browser session.
#[derive(Clone)]
pub struct SessionInfo {
    pub user_id: String,
    pub username: String,
    pub csrf: String,
    pub stage: SessionStage,
    /// Present only for a full session.
    pub access: Option<Access>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub secret_grouped: String,
    pub otpauth_uri: String,
}

/// Loads a user's subject (roles, clearance, compartments); `None` if unknown or disabled.
pub(crate) async fn load_subject(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Option<Subject>> {
    let Some(row) = sqlx::query(
        "SELECT id, username, roles, clearance, organisation, disabled FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    if row.try_get::<i64, _>("disabled")? != 0 {
        return Ok(None);
    }
    let comps = sqlx::query("SELECT compartment_id FROM memberships WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    let compartments: BTreeSet<CompartmentId> = comps
        .iter()
        .filter_map(|r| r.try_get::<String, _>("compartment_id").ok())
        .filter_map(|c| CompartmentId::parse(&c).ok())
        .collect();
    Ok(Some(Subject {
        user_id: row.try_get("id")?,
        username: row.try_get("username")?,
        roles: Role::parse_list(&row.try_get::<String, _>("roles")?)?,
        clearance: Classification::from_level(row.try_get("clearance")?)?,
        compartments,
        organisation: row.try_get("organisation")?,
        read_only: false,
    }))
}

/// An Argon2id hash of a random string, verified against when the user name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0eF1vYv/9XlbxxkY1DQ3SQ2xbuEbOqbj2yJdQ2gzfeQ";

fn totp_aad(user_id: &str) -> String {
    format!("users.totp_secret:{user_id}")
}

impl Store {
    fn bind(&self, subject: Subject) -> Access {
        Access {
            store: self.clone(),
            subject,
        }
    }

    async fn audit_system(
        &self,
        actor_id: &str,
        actor_name: &str,
        action: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        audit::append(
            &mut tx, self, actor_id, actor_name, action, "user", actor_id, outcome, detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The command-line operator (see [`Subject::operator`]). Only the `grotius` binary's
    /// command-line handlers call this; the web crate never does (a test checks).
    pub fn cli_operator(&self) -> Access {
        self.bind(Subject::operator())
    }

    /// The subject of `grotius export iati` without `--as`: a read-only fund officer cleared
    /// for internal records, in no compartment — it can export what is publishable and nothing
    /// else. Like [`Store::cli_operator`], for the command line only.
    pub fn cli_publisher(&self) -> Access {
        self.bind(Subject {
            user_id: "cli".into(),
            username: "cli (iati)".into(),
            roles: vec![Role::FundOfficer],
            clearance: Classification::Internal,
            compartments: Default::default(),
            organisation: None,
            read_only: true,
        })
    }

    /// The subject of `grotius import polis` without `--as`: a coordinator cleared for internal
    /// records, in no compartment — it files a Pol.is conversation (and, when no process is
    /// named, the process created for it) and sees nothing confidential. Audited as `cli`.
    /// Like [`Store::cli_operator`], for the command line only.
    pub fn cli_dialogue_importer(&self) -> Access {
        self.bind(Subject {
            user_id: "cli".into(),
            username: "cli (dialogues)".into(),
            roles: vec![Role::Coordinator],
            clearance: Classification::Internal,
            compartments: Default::default(),
            organisation: None,
            read_only: false,
        })
    }

    /// Acts as an existing user from the command line (seeding demo data, imports run by an
    /// operator on behalf of a user). Like [`Store::cli_operator`], never called by the web crate.
    pub async fn cli_act_as(&self, user_id: &str) -> Result<Option<Access>> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_subject(&mut conn, user_id)
            .await?
            .map(|s| self.bind(s)))
    }

    /// Checks user name and password. Failures are counted; after [`MAX_FAILED_LOGINS`] the
    /// account is locked for [`LOCKOUT_SECS`]. Every attempt is audited.
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginOutcome> {
        let Some((user_id, username, totp_enabled)) =
            self.authenticate_password(username, password).await?
        else {
            return Ok(LoginOutcome::Failed);
        };
        let stage = if totp_enabled {
            SessionStage::SecondFactor
        } else {
            SessionStage::Full
        };
        let mut tx = self.write_tx().await?;
        let token = create_session(&mut tx, &user_id, stage).await?;
        let detail = format!(r#"{{"stage":"{}"}}"#, stage.as_str());
        audit::append(
            &mut tx, self, &user_id, &username, "login", "user", &user_id, "ok", &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(LoginOutcome::Session { token, stage })
    }

    /// The password step shared by browser and API logins: returns the user's id, name and
    /// whether a second factor is due, or `None` (audited, counted towards the lock-out).
    async fn authenticate_password(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<(String, String, bool)>> {
        let username = username.trim();
        let row = sqlx::query(
            "SELECT id, password_hash, disabled, locked_until, totp_enabled FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Spend the same time as a real check so that timing does not reveal user names.
            let _ = verify_password(password, DUMMY_HASH);
            self.audit_system(
                "anonymous",
                username,
                "login",
                "failed",
                r#"{"reason":"unknown user"}"#,
            )
            .await?;
            return Ok(None);
        };
        let user_id: String = row.try_get("id")?;
        if row.try_get::<i64, _>("disabled")? != 0 {
            self.audit_system(
                &user_id,
                username,
                "login",
                "failed",
                r#"{"reason":"disabled"}"#,
            )
            .await?;
            return Ok(None);
        }
        if row.try_get::<i64, _>("locked_until")? > now_secs() {
            self.audit_system(
                &user_id,
                username,
                "login",
                "failed",
                r#"{"reason":"locked"}"#,
            )
            .await?;
            return Ok(None);
        }
        if !verify_password(password, &row.try_get::<String, _>("password_hash")?) {
            self.register_failure(&user_id, username, "wrong password")
                .await?;
            return Ok(None);
        }
        sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0")
            .bind(&user_id)
            .execute(&self.pool)
            .await?;
        Ok(Some((
            user_id,
            username.to_string(),
            row.try_get::<i64, _>("totp_enabled")? != 0,
        )))
    }

    async fn register_failure(&self, user_id: &str, username: &str, reason: &str) -> Result<()> {
        let now = now_secs();
        let mut tx = self.write_tx().await?;
        let failed: i64 = sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("failed_logins")?;
        let locked = failed >= MAX_FAILED_LOGINS;
        if locked {
            sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                .bind(now + LOCKOUT_SECS)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let detail =
            serde_json::json!({"reason": reason, "failures": failed, "locked": locked}).to_string();
        audit::append(
            &mut tx, self, user_id, username, "login", "user", user_id, "failed", &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Completes a login with a TOTP code or a recovery code. Returns a *new* session token
    /// (the old one is destroyed, against session fixation), or `None` if the code is wrong.
    pub async fn login_second_factor(
        &self,
        session_token: &str,
        code: &str,
    ) -> Result<Option<String>> {
        let Some(info) = self.session(session_token).await? else {
            return Err(StoreError::Unauthenticated);
        };
        if info.stage != SessionStage::SecondFactor {
            return Err(StoreError::Conflict(
                "this session needs no second factor".into(),
            ));
        }
        if !self
            .check_second_factor(&info.user_id, &info.username, code)
            .await?
        {
            return Ok(None);
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash_token(session_token))
            .execute(&mut *tx)
            .await?;
        let token = create_session(&mut tx, &info.user_id, SessionStage::Full).await?;
        audit::append(
            &mut tx,
            self,
            &info.user_id,
            &info.username,
            "login.second-factor",
            "user",
            &info.user_id,
            "ok",
            "{}",
        )
        .await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    /// Verifies a TOTP code (never the same step twice) or consumes a recovery code. Failures
    /// count towards the lock-out.
    async fn check_second_factor(&self, user_id: &str, username: &str, code: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT totp_secret, totp_last_step, locked_until FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        if row.try_get::<i64, _>("locked_until")? > now_secs() {
            return Ok(false);
        }
        let secret: Option<String> = row.try_get("totp_secret")?;
        let Some(secret) = secret else {
            return Ok(false);
        };
        let totp = Totp::from_base32(&self.keys.decrypt(&totp_aad(user_id), &secret)?)?;
        let code = code.trim();
        if let Some(step) = totp.verify(code, now_secs() as u64) {
            let mut tx = self.write_tx().await?;
            // Accept each step once: the update only matches while the step is new.
            let done = sqlx::query(
                "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
            )
            .bind(step)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            if done == 1 {
                return Ok(true);
            }
            self.register_failure(user_id, username, "second factor code reused")
                .await?;
            return Ok(false);
        }
        let normalised = code.to_lowercase();
        let mut tx = self.write_tx().await?;
        let used = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now_micros())
            .bind(user_id)
            .bind(hash_token(&normalised))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if used == 1 {
            audit::append(
                &mut tx,
                self,
                user_id,
                username,
                "login.recovery-code",
                "user",
                user_id,
                "ok",
                "{}",
            )
            .await?;
            tx.commit().await?;
            return Ok(true);
        }
        tx.commit().await?;
        self.register_failure(user_id, username, "wrong second factor")
            .await?;
        Ok(false)
    }

    /// Looks a session up by its token; `None` when unknown, expired or the user is disabled.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let now = now_secs();
        let id_hash = hash_token(token);
        let Some(row) = sqlx::query("SELECT user_id, csrf_token, stage, expires_at, last_seen FROM sessions WHERE id_hash = $1")
            .bind(&id_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let last_seen: i64 = row.try_get("last_seen")?;
        if row.try_get::<i64, _>("expires_at")? <= now || last_seen + SESSION_IDLE_SECS <= now {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(&id_hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        let user_id: String = row.try_get("user_id")?;
        let mut conn = self.pool.acquire().await?;
        let Some(subject) = load_subject(&mut conn, &user_id).await? else {
            return Ok(None);
        };
        drop(conn);
        if now - last_seen > 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(&id_hash)
                .execute(&self.pool)
                .await?;
        }
        let stage = if row.try_get::<String, _>("stage")? == "full" {
            SessionStage::Full
        } else {
            SessionStage::SecondFactor
        };
        Ok(Some(SessionInfo {
            user_id,
            username: subject.username.clone(),
            csrf: row.try_get("csrf_token")?,
            stage,
            access: (stage == SessionStage::Full).then(|| self.bind(subject)),
        }))
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> Result<()> {
        let Some(info) = self.session(token).await? else {
            return Ok(());
        };
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash_token(token))
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            self,
            &info.user_id,
            &info.username,
            "logout",
            "user",
            &info.user_id,
            "ok",
            "{}",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /api/v1/auth/token`: user name, password and (when enrolled) a TOTP code give a
    /// bearer token with write scope that lives [`LOGIN_TOKEN_SECS`].
    pub async fn api_login(
        &self,
        username: &str,
        password: &str,
        totp: Option<&str>,
    ) -> Result<Option<(String, i64)>> {
        let Some((user_id, username, totp_enabled)) =
            self.authenticate_password(username, password).await?
        else {
            return Ok(None);
        };
        if totp_enabled
            && !self
                .check_second_factor(&user_id, &username, totp.unwrap_or_default())
                .await?
        {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        let subject = load_subject(&mut conn, &user_id)
            .await?
            .ok_or(StoreError::Unauthenticated)?;
        drop(conn);
        let (token, info) = self
            .bind(subject)
            .create_token("API login", "write", LOGIN_TOKEN_SECS)
            .await?;
        Ok(Some((token, info.expires_at)))
    }

    /// Resolves a bearer token to an [`Access`]; read-scoped tokens give a read-only subject.
    pub async fn token_access(&self, bearer: &str) -> Result<Option<Access>> {
        let now = now_secs();
        let Some(row) = sqlx::query(
            "SELECT id, user_id, scope, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1",
        )
        .bind(hash_token(bearer))
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some()
            || row.try_get::<i64, _>("expires_at")? <= now
        {
            return Ok(None);
        }
        let user_id: String = row.try_get("user_id")?;
        let mut conn = self.pool.acquire().await?;
        let Some(mut subject) = load_subject(&mut conn, &user_id).await? else {
            return Ok(None);
        };
        drop(conn);
        subject.read_only = row.try_get::<String, _>("scope")? == "read";
        if row
            .try_get::<Option<i64>, _>("last_used_at")?
            .is_none_or(|t| now - t > 60)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(row.try_get::<String, _>("id")?)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(self.bind(subject)))
    }
}

async fn create_session(
    conn: &mut AnyConnection,
    user_id: &str,
    stage: SessionStage,
) -> Result<String> {
    let token = new_token(TokenKind::Session);
    let now = now_secs();
    // The user's sessions that ended (past their absolute or idle limit) go with this one, so the
    // table holds live sessions only, not every sign-in since the instance began (by the user
    // index: the user's own rows).
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen <= $3)",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - SESSION_IDLE_SECS)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, stage, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(new_token(TokenKind::Csrf))
    .bind(stage.as_str())
    .bind(now)
    .bind(now + SESSION_ABSOLUTE_SECS)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

impl Access {
    /// Starts TOTP enrolment: a new secret, stored encrypted, not yet active.
    pub async fn totp_begin(&self) -> Result<TotpEnrolment> {
        let me = &self.subject.user_id;
        let mut tx = self.store.write_tx().await?;
        let enabled: i64 = sqlx::query("SELECT totp_enabled FROM users WHERE id = $1")
            .bind(me)
            .fetch_one(&mut *tx)
            .await?
            .try_get("totp_enabled")?;
        if enabled != 0 {
            return Err(StoreError::Conflict(
                "a second factor is already active; disable it first".into(),
            ));
        }
        let totp = Totp::generate();
        let enc = self.store.keys.encrypt(&totp_aad(me), &totp.base32())?;
        sqlx::query("UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3")
            .bind(enc)
            .bind(now_micros())
            .bind(me)
            .execute(&mut *tx)
            .await?;
        self.audit_in(&mut tx, "user.totp-begin", "user", me, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(TotpEnrolment {
            secret: totp.base32(),
            secret_grouped: totp.base32_grouped(),
            otpauth_uri: totp.otpauth_uri("Grotius", &self.subject.username),
        })
    }

    /// Confirms enrolment with a first code; returns ten recovery codes (shown once).
    pub async fn totp_confirm(&self, code: &str) -> Result<Vec<String>> {
        let me = self.subject.user_id.clone();
        let row = sqlx::query("SELECT totp_secret, totp_enabled FROM users WHERE id = $1")
            .bind(&me)
            .fetch_one(&self.store.pool)
            .await?;
        if row.try_get::<i64, _>("totp_enabled")? != 0 {
            return Err(StoreError::Conflict(
                "a second factor is already active".into(),
            ));
        }
        let Some(secret) = row.try_get::<Option<String>, _>("totp_secret")? else {
            return Err(StoreError::invalid("code", "start the enrolment first"));
        };
        let totp = Totp::from_base32(&self.store.keys.decrypt(&totp_aad(&me), &secret)?)?;
        let Some(step) = totp.verify(code, now_secs() as u64) else {
            return Err(StoreError::invalid(
                "code",
                "the code does not match; check the time on your device and enter the current code",
            ));
        };
        let codes = grotius_security::recovery_codes();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "UPDATE users SET totp_enabled = 1, totp_last_step = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(step)
        .bind(now_micros())
        .bind(&me)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(&me)
            .execute(&mut *tx)
            .await?;
        for c in &codes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(&me)
                .bind(hash_token(c))
                .execute(&mut *tx)
                .await?;
        }
        self.audit_in(&mut tx, "user.totp-enable", "user", &me, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Whether the subject has an active second factor, and how many recovery codes remain.
    pub async fn totp_status(&self) -> Result<(bool, i64)> {
        let me = &self.subject.user_id;
        let enabled: i64 = sqlx::query("SELECT totp_enabled FROM users WHERE id = $1")
            .bind(me)
            .fetch_one(&self.store.pool)
            .await?
            .try_get("totp_enabled")?;
        let left: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(me)
        .fetch_one(&self.store.pool)
        .await?
        .try_get("n")?;
        Ok((enabled != 0, left))
    }

    /// Changes the subject's own password (the current one is required).
    pub async fn change_password(&self, current: &str, new: &str) -> Result<()> {
        let me = &self.subject.user_id;
        let hash: String = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(me)
            .fetch_one(&self.store.pool)
            .await?
            .try_get("password_hash")?;
        if !verify_password(current, &hash) {
            return Err(StoreError::invalid(
                "current_password",
                "the current password is wrong",
            ));
        }
        grotius_security::PasswordPolicy::check(new, &self.subject.username)?;
        let new_hash = grotius_security::hash_password(new)?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(new_hash)
            .bind(now_micros())
            .bind(me)
            .execute(&mut *tx)
            .await?;
        self.audit_in(&mut tx, "user.password-change", "user", me, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
