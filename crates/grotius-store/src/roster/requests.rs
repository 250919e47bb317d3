//! Requests for support: the workflow (transitions as data, each one recorded and audited),
//! deployments of experts, ranked matching and the unit's dashboard figures.

use grotius_domain::roster::{
    self, Candidate, MatchContext, RequestInput, SupportRequest, Transition, ValidRequest,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use super::{json, list, some};
use crate::db::{Bind, Where};
use crate::process::record_change;
use crate::{Access, Page, Result, StoreError, new_id};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestFilter {
    /// Words in the title, requester or summary.
    pub q: Option<String>,
    pub state: Option<String>,
    pub urgency: Option<String>,
    /// Only requests not closed or rejected.
    #[serde(default)]
    pub open: Option<bool>,
}

/// An expert deployed on a request (only experts the viewer may see are listed).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TeamMember {
    pub expert_id: String,
    pub name: String,
    pub sex: String,
    pub assigned_at: i64,
}

/// A request with its history, its team and the name of its process (when visible).
#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    pub request: SupportRequest,
    pub process_name: Option<String>,
    pub history: Vec<Transition>,
    pub team: Vec<TeamMember>,
}

/// Figures of the dashboard, over the requests (and deployed experts) the viewer may see.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RosterStats {
    pub requests: i64,
    pub open: i64,
    /// `(state, count)` for every state.
    pub by_state: Vec<(String, i64)>,
    /// Median hours from filing to the decision state, over requests that reached it.
    pub median_hours_to_decision: Option<f64>,
    /// Requests decided within 72 hours, of those decided.
    pub decided_within_72h: i64,
    pub decided: i64,
    /// Median hours from filing to deployment.
    pub median_hours_to_deployment: Option<f64>,
    /// Requests deployed within 72 hours (UN Standby Team benchmark), of those deployed.
    pub deployed_within_72h: i64,
    pub deployed: i64,
    /// Deployments per reporting region (UN M49) of the request's countries, most first.
    pub by_region: Vec<Breakdown>,
    /// Deployments per theme (expertise asked for), most first.
    pub by_theme: Vec<Breakdown>,
    /// Open requests, oldest first, with the hours they have been waiting.
    pub waiting: Vec<WaitingRequest>,
}

/// One bar of a dashboard breakdown: requests that reached deployment and the experts deployed
/// on them (experts the viewer may see).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Breakdown {
    pub key: String,
    pub deployments: i64,
    pub experts: i64,
}

/// An open request and how long it has waited since it was filed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WaitingRequest {
    pub id: String,
    pub title: String,
    pub state: String,
    pub urgency: String,
    pub hours_open: f64,
    /// Filed more than 72 hours ago and not yet deployed.
    pub over_benchmark: bool,
}

/// The UN Standby Team benchmark: deployable within 72 hours.
pub const BENCHMARK_HOURS: f64 = 72.0;

fn hours_between(from: i64, to: i64) -> f64 {
    (to - from) as f64 / 3_600_000_000.0
}

fn tally(map: &mut Vec<Breakdown>, key: &str, experts: i64) {
    match map.iter_mut().find(|b| b.key == key) {
        Some(b) => {
            b.deployments += 1;
            b.experts += experts;
        }
        None => map.push(Breakdown {
            key: key.to_string(),
            deployments: 1,
            experts,
        }),
    }
}

fn ranked(mut v: Vec<Breakdown>) -> Vec<Breakdown> {
    v.sort_by(|a, b| b.deployments.cmp(&a.deployments).then(a.key.cmp(&b.key)));
    v
}

const COLS: &str = "r.id, r.title, r.requester, r.process_id, r.request_type, r.modality, r.urgency, r.countries, r.expertise, r.languages, r.track, r.start_date, r.end_date, r.summary, r.notes, r.state, r.classification, r.compartment_id, r.created_at, r.updated_at";

fn notes_aad(id: &str) -> String {
    format!("support_requests.notes:{id}")
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
}

crate::list::listed!(SupportRequest);

impl Access {
    /// The display name of a process, if it exists and the subject may see it.
    async fn visible_process(&self, id: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT title, codename, classification, compartment_id FROM processes WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let compartment: Option<String> = row.try_get("compartment_id")?;
        let labels = Labels {
            classification: Classification::from_level(row.try_get("classification")?)?,
            compartment: compartment.map(|c| CompartmentId::parse(&c)).transpose()?,
        };
        if !self.may(
            Action::Read,
            Resource::labelled(ResourceKind::Process, &labels),
        ) {
            return Ok(None);
        }
        let codename: Option<String> = row.try_get("codename")?;
        Ok(Some(match codename {
            Some(c) => c,
            None => row.try_get("title")?,
        }))
    }

    /// A request of a row, with its process link only where the viewer may see the process,
    /// re-checked with the policy.
    async fn request_from_row(&self, row: &sqlx::any::AnyRow) -> Result<SupportRequest> {
        let mut r = self.request_fields(row)?;
        self.hide_invisible_process(&mut r).await?;
        self.recheck(Action::Read, ResourceKind::SupportRequest, &r.labels, &r.id)?;
        Ok(r)
    }

    /// A link to a process the viewer may not see is not shown, not even its id.
    async fn hide_invisible_process(&self, r: &mut SupportRequest) -> Result<()> {
        if let Some(p) = &r.process_id
            && self.visible_process(p).await?.is_none()
        {
            r.process_id = None;
        }
        Ok(())
    }

    /// The fields of a request row, as stored.
    fn request_fields(&self, row: &sqlx::any::AnyRow) -> Result<SupportRequest> {
        let id: String = row.try_get("id")?;
        let notes: Option<String> = row.try_get("notes")?;
        let notes = match notes {
            Some(n) if !n.is_empty() => self.store.keys.decrypt(&notes_aad(&id), &n)?,
            _ => String::new(),
        };
        let compartment: Option<String> = row.try_get("compartment_id")?;
        let process_id: Option<String> = row.try_get("process_id")?;
        Ok(SupportRequest {
            title: row.try_get("title")?,
            requester: row.try_get("requester")?,
            process_id,
            request_type: row.try_get("request_type")?,
            modality: row.try_get("modality")?,
            urgency: row.try_get("urgency")?,
            countries: list(&row.try_get::<String, _>("countries")?),
            expertise: list(&row.try_get::<String, _>("expertise")?),
            languages: list(&row.try_get::<String, _>("languages")?),
            track: row.try_get("track")?,
            start_date: row.try_get("start_date")?,
            end_date: row.try_get("end_date")?,
            summary: row.try_get("summary")?,
            notes,
            state: row.try_get("state")?,
            labels: Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: compartment.map(|c| CompartmentId::parse(&c)).transpose()?,
            },
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            id,
        })
    }

    /// Adds the filters of `filter` on requests aliased `r`.
    fn request_filters(&self, w: &mut Where, filter: &RequestFilter) -> Result<()> {
        if let Some(q) = some(&filter.q) {
            let p = w.arg(Bind::Text(format!(
                "%{}%",
                q.to_lowercase().replace(['%', '_'], "")
            )));
            w.clause(format!(
                "(LOWER(r.title) LIKE {p} OR LOWER(r.requester) LIKE {p} OR LOWER(r.summary) LIKE {p})"
            ));
        }
        if let Some(s) = some(&filter.state) {
            let s = roster::vocab_codes(roster::REQUEST_STATES, "state", &[s.to_string()])?;
            let p = w.arg(Bind::Text(s.concat()));
            w.clause(format!("r.state = {p}"));
        }
        if let Some(u) = some(&filter.urgency) {
            let u = roster::vocab_codes(roster::URGENCIES, "urgency", &[u.to_string()])?;
            let p = w.arg(Bind::Text(u.concat()));
            w.clause(format!("r.urgency = {p}"));
        }
        if filter.open == Some(true) {
            w.clause("r.state NOT IN ('closure', 'rejected')".into());
        }
        Ok(())
    }

    /// Requests the subject may see, newest first, with the total under the same filter.
    pub async fn list_requests(
        &self,
        filter: &RequestFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<SupportRequest>> {
        let mut list = self
            .list(ResourceKind::SupportRequest, "support_requests", "r")
            .await?
            .columns(COLS)
            .order("r.created_at DESC, r.id");
        self.request_filters(&mut list.filter, filter)?;
        let mut page = self
            .fetch_page(&list, limit, offset, |row| self.request_fields(row))
            .await?;
        for r in &mut page.items {
            self.hide_invisible_process(r).await?;
        }
        self.audit_list(&list, &page.items).await?;
        Ok(page)
    }

    /// Requests the subject may see that are not closed or rejected, oldest first; not
    /// audited (the inbox audits what it lists).
    pub(crate) async fn open_requests(&self) -> Result<Vec<SupportRequest>> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::SupportRequest)) {
            return Ok(Vec::new());
        }
        let mut list = self
            .list(ResourceKind::SupportRequest, "support_requests", "r")
            .await?
            .columns(COLS)
            .order("r.created_at, r.id")
            .unaudited();
        list.filter
            .clause("r.state NOT IN ('closure', 'rejected')".into());
        self.fetch_rows(&list, Some((200, 0)), |row| self.request_fields(row))
            .await
    }

    pub async fn get_request(&self, id: &str) -> Result<SupportRequest> {
        let kind = ResourceKind::SupportRequest;
        let sql = format!("SELECT {COLS} FROM support_requests r WHERE r.id = $1");
        let row = self.fetch_row(kind, sql, id).await?;
        // Check the labels before decoding anything else of the row.
        let compartment: Option<String> = row.try_get("compartment_id")?;
        let labels = Labels {
            classification: Classification::from_level(row.try_get("classification")?)?,
            compartment: compartment.map(|c| CompartmentId::parse(&c)).transpose()?,
        };
        self.authorize(Action::Read, Resource::labelled(kind, &labels), Some(id))
            .await?;
        let r = self.request_from_row(&row).await?;
        if r.labels.classification.read_is_audited() {
            self.audit_now("support-request.read", "support-request", id, "ok", "{}")
                .await?;
        }
        Ok(r)
    }

    /// A request with its history, team and process name.
    pub async fn request_detail(&self, id: &str) -> Result<RequestDetail> {
        let request = self.get_request(id).await?;
        let process_name = match &request.process_id {
            Some(p) => self.visible_process(p).await?,
            None => None,
        };
        let history = sqlx::query(
            "SELECT from_state, to_state, at, user_id, username, note FROM request_transitions WHERE request_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Transition {
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                at: r.try_get("at")?,
                user_id: r.try_get("user_id")?,
                username: r.try_get("username")?,
                note: r.try_get("note")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let team = self.team(id).await?;
        Ok(RequestDetail {
            request,
            process_name,
            history,
            team,
        })
    }

    /// The experts deployed on a request that the subject may see.
    async fn team(&self, request_id: &str) -> Result<Vec<TeamMember>> {
        let mut w = Where::default();
        w.visibility(self, "e");
        let p = w.arg(Bind::Text(request_id.to_string()));
        w.clause(format!("d.request_id = {p}"));
        let rows = w
            .query(format!(
                "SELECT e.id, e.name, e.sex, e.classification, e.compartment_id, d.assigned_at
                 FROM deployments d JOIN experts e ON e.id = d.expert_id{} ORDER BY e.name",
                w.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut team = rows
            .iter()
            .map(|r| {
                Ok(TeamMember {
                    expert_id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    sex: r.try_get("sex")?,
                    assigned_at: r.try_get("assigned_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Labels are not enough: a role that may not read experts sees no team members.
        let ids: Vec<String> = team.iter().map(|m| m.expert_id.clone()).collect();
        let readable = self.readable_ids(ResourceKind::Expert, &ids).await?;
        team.retain(|m| readable.contains(&m.expert_id));
        Ok(team)
    }

    async fn check_process_link(&self, v: &ValidRequest) -> Result<()> {
        if let Some(p) = &v.process_id
            && self.visible_process(p).await?.is_none()
        {
            return Err(StoreError::invalid("process_id", "no such process"));
        }
        Ok(())
    }

    async fn write_request(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        v: &ValidRequest,
        create: bool,
    ) -> Result<()> {
        if !self.compartment_exists(conn, &v.labels).await? {
            return Err(StoreError::invalid("compartment", "no such compartment"));
        }
        let notes = if v.notes.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&notes_aad(id), &v.notes)?)
        };
        let sql = if create {
            "INSERT INTO support_requests (title, requester, process_id, request_type, modality, urgency, countries, expertise,
                    languages, track, start_date, end_date, summary, notes, classification, compartment_id, updated_at,
                    id, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $17)"
        } else {
            "UPDATE support_requests SET title = $1, requester = $2, process_id = $3, request_type = $4, modality = $5,
                    urgency = $6, countries = $7, expertise = $8, languages = $9, track = $10, start_date = $11,
                    end_date = $12, summary = $13, notes = $14, classification = $15, compartment_id = $16,
                    updated_at = $17, version = version + 1
             WHERE id = $18"
        };
        let q = sqlx::query(sql)
            .bind(&v.title)
            .bind(&v.requester)
            .bind(v.process_id.clone())
            .bind(&v.request_type)
            .bind(&v.modality)
            .bind(&v.urgency)
            .bind(json(&v.countries))
            .bind(json(&v.expertise))
            .bind(json(&v.languages))
            .bind(v.track.clone())
            .bind(v.start_date.clone())
            .bind(v.end_date.clone())
            .bind(&v.summary)
            .bind(notes)
            .bind(v.labels.classification.level())
            .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
            .bind(now_micros())
            .bind(id);
        let q = if create {
            q.bind(roster::INITIAL_STATE).bind(&self.subject.user_id)
        } else {
            q
        };
        q.execute(&mut *conn).await?;
        record_change(conn, "support-request", id, "upsert").await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        let action = if create {
            "support-request.create"
        } else {
            "support-request.update"
        };
        self.audit_in(conn, action, "support-request", id, "ok", &detail)
            .await?;
        Ok(())
    }

    pub async fn create_request(&self, input: &RequestInput) -> Result<SupportRequest> {
        let kind = ResourceKind::SupportRequest;
        self.authorize(Action::Create, Resource::kind(kind), None)
            .await?;
        let v = input.validate()?;
        self.authorize_labels(Action::Create, kind, &v.labels, None)
            .await?;
        self.check_process_link(&v).await?;
        let id = new_id();
        let mut tx = self.store.write_tx().await?;
        self.write_request(&mut tx, &id, &v, true).await?;
        tx.commit().await?;
        self.get_request(&id).await
    }

    pub async fn update_request(&self, id: &str, input: &RequestInput) -> Result<SupportRequest> {
        let kind = ResourceKind::SupportRequest;
        let current = self.get_request(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(kind, &current.labels),
            Some(id),
        )
        .await?;
        let v = input.validate()?;
        self.authorize_labels(Action::Update, kind, &v.labels, Some(id))
            .await?;
        self.check_process_link(&v).await?;
        let mut tx = self.store.write_tx().await?;
        self.write_request(&mut tx, id, &v, false).await?;
        tx.commit().await?;
        self.get_request(id).await
    }

    pub async fn delete_request(&self, id: &str) -> Result<()> {
        let current = self.get_request(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::SupportRequest, &current.labels),
            Some(id),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_row(&mut tx, "support_requests", "support-request", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a request to another state, if the transition table allows it; records who and when.
    pub async fn transition_request(
        &self,
        id: &str,
        to: &str,
        note: &str,
    ) -> Result<SupportRequest> {
        let current = self.get_request(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::SupportRequest, &current.labels),
            Some(id),
        )
        .await?;
        let to = to.trim();
        if !roster::transition_allowed(&current.state, to) {
            let next = roster::next_states(&current.state);
            return Err(StoreError::invalid(
                "state",
                format!(
                    "a request in '{}' cannot move to '{to}'; allowed: {}",
                    current.state,
                    if next.is_empty() {
                        "none".to_string()
                    } else {
                        next.join(", ")
                    }
                ),
            ));
        }
        if note.len() > 2000 {
            return Err(StoreError::invalid("note", "at most 2,000 bytes"));
        }
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        // The state in the WHERE clause makes concurrent moves from the same state exclusive.
        let moved = sqlx::query(
            "UPDATE support_requests SET state = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND state = $4",
        )
        .bind(to)
        .bind(now)
        .bind(id)
        .bind(&current.state)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Err(StoreError::Conflict(
                "the request was moved by someone else; reload it".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO request_transitions (request_id, from_state, to_state, at, user_id, username, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&current.state)
        .bind(to)
        .bind(now)
        .bind(&self.subject.user_id)
        .bind(&self.subject.username)
        .bind(note.trim())
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "support-request", id, "upsert").await?;
        let detail = serde_json::json!({"from": current.state, "to": to}).to_string();
        self.audit_in(
            &mut tx,
            "support-request.transition",
            "support-request",
            id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.get_request(id).await
    }

    /// Deploys an expert on a request (both must be visible; the request must be updatable).
    pub async fn assign_expert(&self, request_id: &str, expert_id: &str) -> Result<()> {
        let r = self.get_request(request_id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::SupportRequest, &r.labels),
            Some(request_id),
        )
        .await?;
        let e = self.get_expert(expert_id).await.map_err(|e| match e {
            StoreError::NotFound => StoreError::invalid("expert_id", "no such expert"),
            other => other,
        })?;
        if e.clearance < r.labels.classification {
            return Err(StoreError::invalid(
                "expert_id",
                "the expert's clearance is below the request's classification",
            ));
        }
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO deployments (request_id, expert_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (request_id, expert_id) DO NOTHING",
        )
        .bind(request_id)
        .bind(expert_id)
        .bind(&self.subject.user_id)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "support-request", request_id, "upsert").await?;
        let detail = serde_json::json!({ "expert": expert_id }).to_string();
        self.audit_in(
            &mut tx,
            "support-request.assign",
            "support-request",
            request_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unassign_expert(&self, request_id: &str, expert_id: &str) -> Result<()> {
        let r = self.get_request(request_id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::SupportRequest, &r.labels),
            Some(request_id),
        )
        .await?;
        // Only experts the subject may see can be removed (others are not even listed).
        self.get_expert(expert_id).await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("DELETE FROM deployments WHERE request_id = $1 AND expert_id = $2")
            .bind(request_id)
            .bind(expert_id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "support-request", request_id, "upsert").await?;
        let detail = serde_json::json!({ "expert": expert_id }).to_string();
        self.audit_in(
            &mut tx,
            "support-request.unassign",
            "support-request",
            request_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ranked candidates for a request among the experts the subject may see, leaving out
    /// declared conflicts of interest and insufficient clearance.
    pub async fn match_request(&self, id: &str, limit: usize) -> Result<Vec<Candidate>> {
        let request = self.get_request(id).await?;
        self.authorize(Action::Read, Resource::kind(ResourceKind::Expert), None)
            .await?;
        let process_name = match &request.process_id {
            Some(p) => self.visible_process(p).await?,
            None => None,
        };
        // The policy decides, per expert, on the shared decoded roster.
        let snapshot = self.roster_snapshot().await?;
        let experts: Vec<&grotius_domain::roster::Expert> = snapshot
            .iter()
            .filter(|e| {
                self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Expert, &e.labels),
                )
            })
            .collect();
        let mut names = vec![request.requester.as_str()];
        if let Some(p) = &process_name {
            names.push(p.as_str());
        }
        let ctx = MatchContext {
            request: &request,
            names,
        };
        let ranked = roster::rank_top(experts.iter().copied(), &ctx, limit.clamp(1, 500));
        let listed: Vec<(&String, &Labels)> = ranked
            .iter()
            .filter_map(|c| experts.iter().find(|e| e.id == c.expert_id))
            .map(|e| (&e.id, &e.labels))
            .collect();
        self.audit_listed("expert.match", "expert", listed.into_iter())
            .await?;
        Ok(ranked)
    }

    /// Dashboard figures over the requests the subject may see: every count, median and
    /// breakdown is computed on visible requests only, and deployed experts count only when the
    /// subject may see them.
    pub async fn roster_stats(&self) -> Result<RosterStats> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::SupportRequest),
            None,
        )
        .await?;
        let now = now_micros();
        let mut w = Where::default();
        w.visibility(self, "r");
        let rows = w
            .query(format!(
                "SELECT r.id, r.title, r.state, r.urgency, r.countries, r.expertise, r.classification, r.compartment_id, r.created_at FROM support_requests r{}",
                w.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut w = Where::default();
        w.visibility(self, "r");
        let moves = w
            .query(format!(
                "SELECT t.request_id, t.to_state, t.at FROM request_transitions t JOIN support_requests r ON r.id = t.request_id{} ORDER BY t.seq",
                w.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut w = Where::default();
        w.visibility(self, "r");
        w.visibility(self, "e");
        let teams = w
            .query(format!(
                "SELECT d.request_id FROM deployments d JOIN support_requests r ON r.id = d.request_id JOIN experts e ON e.id = d.expert_id{}",
                w.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut team_size: std::collections::HashMap<String, i64> = Default::default();
        for t in &teams {
            *team_size.entry(t.try_get("request_id")?).or_default() += 1;
        }
        // First arrival in each state per request (a request can move back and forth).
        let mut first: std::collections::HashMap<(String, String), i64> = Default::default();
        for m in &moves {
            let key = (m.try_get("request_id")?, m.try_get("to_state")?);
            let at: i64 = m.try_get("at")?;
            first.entry(key).or_insert(at);
        }
        let mut by_state: Vec<(String, i64)> = roster::REQUEST_STATES
            .iter()
            .map(|s| (s.code.to_string(), 0))
            .collect();
        let (mut to_decision, mut to_deployment) = (Vec::new(), Vec::new());
        let (mut by_region, mut by_theme, mut waiting) = (Vec::new(), Vec::new(), Vec::new());
        let mut listed = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            let state: String = r.try_get("state")?;
            let created: i64 = r.try_get("created_at")?;
            let comp: Option<String> = r.try_get("compartment_id")?;
            let labels = Labels {
                classification: Classification::from_level(r.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            };
            self.recheck(Action::Read, ResourceKind::SupportRequest, &labels, &id)?;
            if let Some(s) = by_state.iter_mut().find(|(s, _)| *s == state) {
                s.1 += 1;
            }
            if let Some(at) = first.get(&(id.clone(), "decision".to_string())) {
                to_decision.push(hours_between(created, *at));
            }
            let deployed_at = first.get(&(id.clone(), "deployment".to_string()));
            if let Some(at) = deployed_at {
                to_deployment.push(hours_between(created, *at));
                let experts = team_size.get(&id).copied().unwrap_or(0);
                let countries: Vec<String> = list(&r.try_get::<String, _>("countries")?);
                let mut regions: Vec<&str> = countries
                    .iter()
                    .filter_map(|c| grotius_domain::reference::region_of(c))
                    .collect();
                regions.sort_unstable();
                regions.dedup();
                for region in regions {
                    tally(&mut by_region, region, experts);
                }
                let themes: Vec<String> = list(&r.try_get::<String, _>("expertise")?);
                for theme in &themes {
                    tally(&mut by_theme, theme, experts);
                }
            }
            if roster::is_open(&state) {
                let hours_open = hours_between(created, now);
                waiting.push(WaitingRequest {
                    title: r.try_get("title")?,
                    urgency: r.try_get("urgency")?,
                    over_benchmark: deployed_at.is_none() && hours_open > BENCHMARK_HOURS,
                    hours_open: (hours_open * 10.0).round() / 10.0,
                    state,
                    id: id.clone(),
                });
                listed.push((id, labels));
            }
        }
        waiting.sort_by(|a, b| b.hours_open.total_cmp(&a.hours_open));
        self.audit_listed(
            "request.dashboard",
            "support_request",
            listed.iter().map(|(id, l)| (id, l)),
        )
        .await?;
        let within = |v: &[f64]| v.iter().filter(|h| **h <= BENCHMARK_HOURS).count() as i64;
        Ok(RosterStats {
            requests: rows.len() as i64,
            open: waiting.len() as i64,
            by_state,
            decided_within_72h: within(&to_decision),
            decided: to_decision.len() as i64,
            median_hours_to_decision: median(to_decision),
            deployed_within_72h: within(&to_deployment),
            deployed: to_deployment.len() as i64,
            median_hours_to_deployment: median(to_deployment),
            by_region: ranked(by_region),
            by_theme: ranked(by_theme),
            waiting,
        })
    }
}
