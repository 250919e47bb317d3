//! Mediation and evidence apart (see `grotius_domain::separation`): every membership and every
//! role change is checked here, in the same transaction as the write, so that no path — UI, API,
//! command line, demo — lets a user span both sides without an approved, recorded decision.

use grotius_domain::separation::{
    self, AccessDecision, DecisionStatus, Standing, WorkDomain, check_reason, may_decide,
};
use grotius_domain::{Action, Resource, ResourceKind, Role};
use grotius_security::now_micros;
use sqlx::{AnyConnection, Row};

use crate::{Access, Result, StoreError, new_id};

const DECISION_SQL: &str = "SELECT d.id, d.user_id, u.username, d.compartment_id, c.domain, d.reason,
        d.requested_by, d.requested_at, d.status, d.decided_by, d.decided_at, d.note
    FROM access_decisions d JOIN users u ON u.id = d.user_id JOIN compartments c ON c.id = d.compartment_id";

fn decision_of(r: &sqlx::any::AnyRow) -> Result<AccessDecision> {
    Ok(AccessDecision {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        compartment_id: r.try_get("compartment_id")?,
        domain: WorkDomain::parse(&r.try_get::<String, _>("domain")?)?,
        reason: r.try_get("reason")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        status: DecisionStatus::parse(&r.try_get::<String, _>("status")?)?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        note: r.try_get("note")?,
    })
}

/// The side of a compartment; `NotFound` when there is no such compartment.
pub(crate) async fn compartment_domain(
    conn: &mut sqlx::AnyConnection,
    compartment: &str,
) -> Result<WorkDomain> {
    let row = sqlx::query("SELECT domain FROM compartments WHERE id = $1")
        .bind(compartment)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(WorkDomain::parse(&row.try_get::<String, _>("domain")?)?)
}

/// Refuses to file a record of `side` (incidents: evidence) in a compartment of the other side.
pub(crate) async fn require_side(
    conn: &mut sqlx::AnyConnection,
    compartment: Option<&grotius_domain::CompartmentId>,
    side: WorkDomain,
    what: &str,
) -> Result<()> {
    let Some(c) = compartment else {
        return Ok(());
    };
    let domain = compartment_domain(conn, c.as_str())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::invalid("compartment", format!("no compartment '{c}'"))
            }
            other => other,
        })?;
    if domain != side {
        return Err(StoreError::invalid(
            "compartment",
            format!(
                "{what} belong in a compartment of the {} side; '{c}' is on the {} side (mediation and evidence are kept apart)",
                side.as_str(),
                domain.as_str()
            ),
        ));
    }
    Ok(())
}

/// The sides of a user's ordinary memberships (those not granted by a decision).
async fn membership_sides(tx: &mut AnyConnection, user_id: &str) -> Result<Vec<WorkDomain>> {
    let rows = sqlx::query(
        "SELECT DISTINCT c.domain FROM memberships m JOIN compartments c ON c.id = m.compartment_id
         WHERE m.user_id = $1 AND m.decision_id IS NULL",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|r| Ok(WorkDomain::parse(&r.try_get::<String, _>("domain")?)?))
        .collect()
}

async fn user_roles(tx: &mut AnyConnection, user_id: &str) -> Result<Vec<Role>> {
    let row = sqlx::query("SELECT roles FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::invalid("user", "no such user"))?;
    Ok(Role::parse_list(&row.try_get::<String, _>("roles")?)?)
}

/// Refuses roles (of a new user, or the new roles of `user_id`) that would put the user on both
/// sides, counting their ordinary memberships.
pub(crate) async fn check_roles(
    tx: &mut AnyConnection,
    user_id: Option<&str>,
    roles: &[Role],
) -> Result<()> {
    let member_of = match user_id {
        Some(id) => membership_sides(tx, id).await?,
        None => Vec::new(),
    };
    if separation::sides(roles, &member_of).len() > 1 {
        return Err(StoreError::invalid(
            "roles",
            "these roles (with the user's compartments) span mediation and evidence, which are kept apart; \
             give a user of one side access to a compartment of the other by a recorded decision instead",
        ));
    }
    Ok(())
}

/// Refuses an ordinary membership of `compartment` that would put the user on both sides.
pub(crate) async fn check_membership(
    tx: &mut AnyConnection,
    compartment: &str,
    user_id: &str,
) -> Result<()> {
    let target = compartment_domain(&mut *tx, compartment).await?;
    let roles = user_roles(tx, user_id).await?;
    let member_of = membership_sides(tx, user_id).await?;
    if separation::crosses(target, &roles, &member_of) {
        return Err(StoreError::Conflict(format!(
            "compartment '{compartment}' is on the {} side and this user works on the other; \
             mediation and evidence are kept apart — request an access decision (Administration → \
             Access decisions), which a {} must approve",
            target.as_str(),
            target.approver().as_str()
        )));
    }
    Ok(())
}

/// Whether the compartment has a steward: a member (with an enabled account) holding the approver
/// role of its side.
async fn has_steward(tx: &mut AnyConnection, compartment: &str, side: WorkDomain) -> Result<bool> {
    let rows = sqlx::query(
        "SELECT u.roles FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.compartment_id = $1 AND u.disabled = 0",
    )
    .bind(compartment)
    .fetch_all(&mut *tx)
    .await?;
    for r in &rows {
        if Role::parse_list(&r.try_get::<String, _>("roles")?)?.contains(&side.approver()) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Access {
    /// The sides whose access decisions this subject may read: all for those who ask
    /// (administrators) and who audit; otherwise only the side the subject answers for — a
    /// coordinator never reads why someone was let into an evidence compartment, nor a
    /// custodian into a mediation one.
    fn decision_sides(&self) -> Vec<WorkDomain> {
        if self.subject.has_role(Role::Admin) || self.subject.has_role(Role::Auditor) {
            return WorkDomain::ALL.to_vec();
        }
        WorkDomain::ALL
            .into_iter()
            .filter(|d| self.subject.has_role(d.approver()))
            .collect()
    }

    /// Every access decision (requested, approved, refused) of the sides this subject may read,
    /// newest first.
    pub async fn list_access_decisions(&self) -> Result<Vec<AccessDecision>> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::AccessDecision),
            None,
        )
        .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DECISION_SQL} ORDER BY d.requested_at DESC"
        )))
        .fetch_all(&self.store.pool)
        .await?;
        let sides = self.decision_sides();
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let d = decision_of(r)?;
            if sides.contains(&d.domain) {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The requests for compartment access waiting for this subject's decision (the rule of
    /// `separation::may_decide`: the side's approver, a member or the first steward, not the
    /// one who asked nor the one asked about).
    pub(crate) async fn access_decisions_to_take(&self) -> Result<Vec<AccessDecision>> {
        if !self.may(Action::Update, Resource::kind(ResourceKind::AccessDecision)) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        // The list first: holding a pooled connection while the list takes another would
        // exhaust the pool under concurrent requests.
        let requested: Vec<AccessDecision> = self
            .list_access_decisions()
            .await?
            .into_iter()
            .filter(|d| d.status == DecisionStatus::Requested)
            .collect();
        for d in requested {
            let member = grotius_domain::CompartmentId::parse(&d.compartment_id)
                .is_ok_and(|c| self.subject.compartments.contains(&c));
            let standing = if member {
                Standing::Member
            } else if has_steward(
                &mut *self.store.pool.acquire().await?,
                &d.compartment_id,
                d.domain,
            )
            .await?
            {
                Standing::Outsider
            } else {
                Standing::NoStewardYet
            };
            if may_decide(&d, &self.subject.username, &self.subject.roles, standing).is_ok() {
                out.push(d);
            }
        }
        Ok(out)
    }

    pub async fn get_access_decision(&self, id: &str) -> Result<AccessDecision> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::AccessDecision),
            Some(id),
        )
        .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DECISION_SQL} WHERE d.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let d = decision_of(&row)?;
        if !self.decision_sides().contains(&d.domain) {
            self.audit_now(
                "access-decision.read",
                "access-decision",
                id,
                "denied",
                "{}",
            )
            .await?;
            return Err(StoreError::NotFound);
        }
        Ok(d)
    }

    /// Proposes that a user be let into a compartment: across sides (a crossing) or on the
    /// user's own side (an ordinary membership, which administrators no longer grant directly).
    /// Either way the compartment's steward decides.
    pub async fn request_access_decision(
        &self,
        user_id: &str,
        compartment: &str,
        reason: &str,
    ) -> Result<AccessDecision> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::AccessDecision),
            None,
        )
        .await?;
        let reason = check_reason("reason", reason)?;
        let mut tx = self.store.write_tx().await?;
        compartment_domain(&mut tx, compartment)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => StoreError::invalid("compartment", "no such compartment"),
                other => other,
            })?;
        user_roles(&mut tx, user_id).await?;
        let already = sqlx::query(
            "SELECT 1 AS x FROM memberships WHERE user_id = $1 AND compartment_id = $2",
        )
        .bind(user_id)
        .bind(compartment)
        .fetch_optional(&mut *tx)
        .await?;
        if already.is_some() {
            return Err(StoreError::invalid(
                "compartment",
                "this user is already a member of this compartment",
            ));
        }
        let open = sqlx::query(
            "SELECT 1 AS x FROM access_decisions WHERE user_id = $1 AND compartment_id = $2 AND status = 'requested'",
        )
        .bind(user_id)
        .bind(compartment)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Err(StoreError::Conflict(
                "a request for this user and compartment is already waiting for a decision".into(),
            ));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO access_decisions (id, user_id, compartment_id, reason, requested_by, requested_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'requested')",
        )
        .bind(&id)
        .bind(user_id)
        .bind(compartment)
        .bind(&reason)
        .bind(&self.subject.username)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        let detail =
            serde_json::json!({"user_id": user_id, "compartment": compartment, "reason": reason})
                .to_string();
        self.audit_in(
            &mut tx,
            "access-decision.request",
            "access-decision",
            &id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.get_access_decision(&id).await
    }

    /// Approves (granting the membership in the same transaction) or refuses a request.
    pub async fn decide_access(
        &self,
        id: &str,
        approve: bool,
        note: &str,
    ) -> Result<AccessDecision> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::AccessDecision),
            Some(id),
        )
        .await?;
        let note = check_reason("note", note)?;
        let mut tx = self.store.write_tx().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DECISION_SQL} WHERE d.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let decision = decision_of(&row)?;
        if !self.decision_sides().contains(&decision.domain) {
            return Err(StoreError::NotFound);
        }
        let member = grotius_domain::CompartmentId::parse(&decision.compartment_id)
            .is_ok_and(|c| self.subject.compartments.contains(&c));
        let standing = if member {
            Standing::Member
        } else if has_steward(&mut tx, &decision.compartment_id, decision.domain).await? {
            Standing::Outsider
        } else {
            Standing::NoStewardYet
        };
        may_decide(
            &decision,
            &self.subject.username,
            &self.subject.roles,
            standing,
        )?;
        let status = if approve {
            DecisionStatus::Approved
        } else {
            DecisionStatus::Refused
        };
        let now = now_micros();
        let n = sqlx::query(
            "UPDATE access_decisions SET status = $1, decided_by = $2, decided_at = $3, note = $4
             WHERE id = $5 AND status = 'requested'",
        )
        .bind(status.as_str())
        .bind(&self.subject.username)
        .bind(now)
        .bind(&note)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(
                "this request was decided meanwhile".into(),
            ));
        }
        let detail = serde_json::json!({
            "user_id": decision.user_id, "compartment": decision.compartment_id, "note": note
        })
        .to_string();
        self.audit_in(
            &mut tx,
            if approve {
                "access-decision.approve"
            } else {
                "access-decision.refuse"
            },
            "access-decision",
            id,
            "ok",
            &detail,
        )
        .await?;
        if approve {
            // A membership across sides stays tied to its decision (it does not put the user on
            // that side); one on the user's own side is an ordinary membership, decided here.
            let roles = user_roles(&mut tx, &decision.user_id).await?;
            let member_of = membership_sides(&mut tx, &decision.user_id).await?;
            let crossing = separation::crosses(decision.domain, &roles, &member_of);
            sqlx::query(
                "INSERT INTO memberships (user_id, compartment_id, granted_by, reason, granted_at, decision_id)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id, compartment_id) DO UPDATE SET decision_id = excluded.decision_id",
            )
            .bind(&decision.user_id)
            .bind(&decision.compartment_id)
            .bind(&self.subject.username)
            .bind(format!("access decision {id}: {}", decision.reason))
            .bind(now)
            .bind(crossing.then_some(id))
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({
                "user_id": decision.user_id, "decision": id, "decided_by": self.subject.username,
                "crossing": crossing
            })
            .to_string();
            self.audit_in(
                &mut tx,
                "compartment.member-add",
                "compartment",
                &decision.compartment_id,
                "ok",
                &detail,
            )
            .await?;
        }
        tx.commit().await?;
        self.get_access_decision(id).await
    }
}
