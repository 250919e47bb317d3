//! Incidents (HURIDOCS events model) beside the evidence vault: incidents with their acts,
//! persons under pseudonyms, the identity store, verification, the violation-type vocabulary,
//! links to evidence items and the AWSD / Yemen Data Project importers.
//!
//! *Pseudonymisation.* `incident_persons` holds no names. A person's real identity (name,
//! contact, identifying details) lives in `person_identities`, encrypted with a keyring of its
//! own — `identity/keyring.json` in the key directory — not the instance keyring: whoever holds
//! the instance keyring (every app node, key rotation, backups with keys) can read every other
//! encrypted column but not identities; the identity key can be kept on fewer machines and
//! rotated apart. Only the custodian may open an identity, with a reason, audited.

use std::collections::HashSet;

use grotius_domain::evidence::EvidenceItem;
use grotius_domain::incident::{
    self, Act, AidAttack, ImportFormat, ImportedIncident, Incident, IncidentInput, IncidentPerson,
    PersonIdentity, PersonInput, RowProblem, ValidIncident, ViolationType,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::{Keyring, now_micros};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, Where};
use crate::job::{JobOutcome, JobTable, shown_status, spawn_job};
use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

const COLS: &str = "id, source, source_id, title, description, date, date_precision, year, place, admin_area, place_precision, \
     lat, lon, country, context, reliability, credibility, verification, verified_by, verified_at, acts, aid, extra, \
     classification, compartment_id, created_at, updated_at";

const PERSON_COLS: &str = "p.id, p.incident_id, p.pseudonym, p.role, p.actor_id, p.consent, p.risk, p.sex, p.age_group, \
     p.reliability, p.credibility, p.created_at, (SELECT COUNT(*) FROM person_identities pi WHERE pi.person_id = p.id) AS has_identity";

fn description_aad(id: &str) -> String {
    format!("incidents.description:{id}")
}

pub(crate) fn identity_aad(person_id: &str) -> String {
    format!("person_identities.identity:{person_id}")
}

/// Creating the identity keyring is serialised within the process (two first uses at once
/// must not write two different keys).
static IDENTITY_KEYS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Filters of the incident list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentFilter {
    /// Words in the title, place or context.
    pub q: Option<String>,
    pub country: Option<String>,
    pub violation: Option<String>,
    pub verification: Option<String>,
    pub year: Option<i64>,
    pub source: Option<String>,
}

/// A page of incidents with counts computed over the readable incidents under the filter.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentPage {
    pub items: Vec<Incident>,
    pub total: i64,
    pub killed: i64,
    pub injured: i64,
    /// (verification status, count) under the same filter.
    pub by_verification: Vec<(String, i64)>,
    pub limit: i64,
    pub offset: i64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IncidentImportReport {
    pub rows: usize,
    pub valid: usize,
    pub imported: usize,
    /// Rows whose source id was already imported (re-runs change nothing).
    pub unchanged: usize,
    pub problems: Vec<RowProblem>,
}

impl IncidentImportReport {
    pub fn committed(&self) -> bool {
        self.problems.is_empty() || self.imported + self.unchanged > 0
    }
}

/// Where the incidents of a filter happened (what the reader may see only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentMap {
    /// (ISO country, incidents), most first.
    pub by_country: Vec<(String, i64)>,
    /// Incidents with coordinates per cell of [`MAP_CELL`] micro-degrees: (latitude, longitude
    /// of the cell's corner toward zero, in micro-degrees; incidents), most first.
    pub by_place: Vec<(i64, i64, i64)>,
}

/// The grid of the incident map: half a degree, in micro-degrees.
pub const MAP_CELL: i64 = 500_000;

/// Rows written per transaction by an import (its progress is recorded after each).
const IMPORT_BATCH: usize = 500;

/// An incident import running in the background, or its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentImportJob {
    pub id: String,
    /// running, done, failed or interrupted (running but not heard from for ten minutes).
    pub status: String,
    pub source: String,
    pub file_name: String,
    pub labels: Labels,
    pub started_by: String,
    pub started_at: i64,
    pub updated_at: i64,
    /// Rows to write (rows already imported earlier are not counted) and written so far.
    pub rows_total: i64,
    pub rows_done: i64,
    /// When done: what was written.
    pub report: Option<IncidentImportReport>,
    /// When failed: why.
    pub error: Option<String>,
}

/// What starting an import gives: the file refused with its report (nothing written), or the
/// job that writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentImportStart {
    Refused(IncidentImportReport),
    Started(String),
}

fn labels_from_row(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

/// Coordinates are stored as integer micro-degrees (about 0.1 m), like every other number.
fn to_micro_degrees(d: f64) -> i64 {
    (d * 1_000_000.0).round() as i64
}

fn from_micro_degrees(n: i64) -> f64 {
    n as f64 / 1_000_000.0
}

fn violations_key(acts: &[Act]) -> String {
    let mut codes: Vec<&str> = acts.iter().map(|a| a.violation.as_str()).collect();
    codes.sort();
    codes.dedup();
    format!("|{}|", codes.join("|"))
}

crate::list::listed!(Incident);

impl Access {
    fn incident_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Incident> {
        let id: String = row.try_get("id")?;
        let description: Option<String> = row.try_get("description")?;
        let description = match description {
            Some(d) if !d.is_empty() => self.store.keys.decrypt(&description_aad(&id), &d)?,
            _ => String::new(),
        };
        let aid: Option<String> = row.try_get("aid")?;
        Ok(Incident {
            source: row.try_get("source")?,
            source_id: row.try_get("source_id")?,
            title: row.try_get("title")?,
            description,
            date: row.try_get("date")?,
            date_precision: row.try_get("date_precision")?,
            year: row.try_get("year")?,
            place: row.try_get("place")?,
            admin_area: row.try_get("admin_area")?,
            place_precision: row.try_get("place_precision")?,
            lat: row
                .try_get::<Option<i64>, _>("lat")?
                .map(from_micro_degrees),
            lon: row
                .try_get::<Option<i64>, _>("lon")?
                .map(from_micro_degrees),
            country: row.try_get("country")?,
            context: row.try_get("context")?,
            reliability: row.try_get("reliability")?,
            credibility: row.try_get("credibility")?,
            verification: row.try_get("verification")?,
            verified_by: row.try_get("verified_by")?,
            verified_at: row.try_get("verified_at")?,
            acts: serde_json::from_str(&row.try_get::<String, _>("acts")?)
                .map_err(|e| StoreError::Integrity(format!("incident {id}: acts: {e}")))?,
            aid: aid
                .filter(|a| !a.is_empty())
                .map(|a| serde_json::from_str::<AidAttack>(&a))
                .transpose()
                .map_err(|e| StoreError::Integrity(format!("incident {id}: aid: {e}")))?,
            extra: serde_json::from_str(&row.try_get::<String, _>("extra")?).unwrap_or_default(),
            labels: labels_from_row(row)?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            id,
        })
    }

    /// The codes of the current (not deprecated) violation types, for validation.
    async fn incident_violation_codes(&self) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT code FROM violation_types WHERE deprecated = 0 ORDER BY code")
                .fetch_all(&self.store.pool)
                .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("code").map_err(Into::into))
            .collect()
    }

    /// The violation-type vocabulary (deprecated terms too, marked).
    pub async fn violation_types(&self) -> Result<Vec<ViolationType>> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::ViolationType))
            && !self.may(Action::Read, Resource::kind(ResourceKind::Incident))
        {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(
            "SELECT code, label_en, label_nl, deprecated FROM violation_types ORDER BY deprecated, label_en",
        )
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ViolationType {
                    code: r.try_get("code")?,
                    label_en: r.try_get("label_en")?,
                    label_nl: r.try_get("label_nl")?,
                    deprecated: r.try_get::<i64, _>("deprecated")? != 0,
                })
            })
            .collect()
    }

    /// Adds a term to the vocabulary (administrators, custodian).
    pub async fn add_violation_type(
        &self,
        code: &str,
        en: &str,
        nl: &str,
    ) -> Result<ViolationType> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::ViolationType),
            None,
        )
        .await?;
        let v = incident::new_violation(code, en, nl)?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO violation_types (code, label_en, label_nl, deprecated, created_at) VALUES ($1, $2, $3, 0, $4)",
        )
        .bind(&v.code)
        .bind(&v.label_en)
        .bind(&v.label_nl)
        .bind(now_micros())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, "a violation type with this code"))?;
        let detail = serde_json::json!({"en": v.label_en, "nl": v.label_nl}).to_string();
        self.audit_in(
            &mut tx,
            "violation-type.create",
            "violation-type",
            &v.code,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Deprecates (or restores) a term: existing acts keep it, new ones cannot use it.
    pub async fn set_violation_deprecated(&self, code: &str, deprecated: bool) -> Result<()> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::ViolationType),
            None,
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        let n = sqlx::query("UPDATE violation_types SET deprecated = $1 WHERE code = $2")
            .bind(i64::from(deprecated))
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if deprecated {
            "violation-type.deprecate"
        } else {
            "violation-type.restore"
        };
        self.audit_in(&mut tx, action, "violation-type", code, "ok", "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn incident_row(&self, id: &str) -> Result<Option<Incident>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM incidents WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?;
        row.map(|r| self.incident_from_row(&r)).transpose()
    }

    /// An incident, if the subject may perform `action` on it; 404 otherwise.
    async fn incident_authorized(&self, id: &str, action: Action) -> Result<Incident> {
        let Some(i) = self.incident_row(id).await? else {
            return self.missing(ResourceKind::Incident).await;
        };
        self.authorize(
            Action::Read,
            Resource::labelled(ResourceKind::Incident, &i.labels),
            Some(id),
        )
        .await?;
        if action != Action::Read {
            self.authorize(
                action,
                Resource::labelled(ResourceKind::Incident, &i.labels),
                Some(id),
            )
            .await?;
        }
        Ok(i)
    }

    /// Opens an incident (audited when confidential or above).
    pub async fn get_incident(&self, id: &str) -> Result<Incident> {
        let i = self.incident_authorized(id, Action::Read).await?;
        if i.labels.classification.read_is_audited() {
            self.audit_now("incident.read", "incident", id, "ok", "{}")
                .await?;
        }
        Ok(i)
    }

    /// The SQL filter of a list filter, within what the subject may read.
    fn incident_filter(&self, filter: &IncidentFilter) -> Where {
        let mut f = Where::default();
        f.visibility(self, "");
        self.incident_filters(&mut f, filter);
        f
    }

    /// Adds the clauses of a list filter.
    fn incident_filters(&self, f: &mut Where, filter: &IncidentFilter) {
        if let Some(c) = filter
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            f.push("country = ?", Bind::Text(c.to_ascii_uppercase()));
        }
        if let Some(v) = filter
            .violation
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            f.push(
                "violations LIKE ?",
                Bind::Text(format!("%|{}|%", v.replace(['%', '_', '|'], ""))),
            );
        }
        f.push_text(
            "verification = ?",
            filter.verification.as_deref().map(str::trim),
        );
        f.push_text("source = ?", filter.source.as_deref().map(str::trim));
        if let Some(y) = filter.year {
            f.push("year = ?", Bind::Int(y));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let like = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
            f.push_many(
                "(LOWER(title) LIKE ? OR LOWER(place) LIKE ? OR LOWER(context) LIKE ?)",
                vec![
                    Bind::Text(like.clone()),
                    Bind::Text(like.clone()),
                    Bind::Text(like),
                ],
            );
        }
    }

    /// Incidents per country and per place under a list filter — for the map of the list page.
    /// The same visibility-bound filter as the list, so it counts readable incidents only.
    pub async fn incident_map(&self, filter: &IncidentFilter) -> Result<IncidentMap> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::Incident), None)
            .await?;
        let mut f = self.incident_filter(filter);
        f.push_many("country IS NOT NULL", Vec::new());
        let countries = f
            .query(format!(
                "SELECT country, COUNT(*) AS n FROM incidents{} GROUP BY country ORDER BY n DESC, country",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut f = self.incident_filter(filter);
        f.push_many("lat IS NOT NULL AND lon IS NOT NULL", Vec::new());
        let places = f
            .query(format!(
                "SELECT lat / {MAP_CELL} AS la, lon / {MAP_CELL} AS lo, COUNT(*) AS n FROM incidents{} GROUP BY lat / {MAP_CELL}, lon / {MAP_CELL} ORDER BY n DESC LIMIT 5000",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        Ok(IncidentMap {
            by_country: countries
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("country")?,
                        r.try_get::<i64, _>("n")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?,
            by_place: places
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<i64, _>("la")? * MAP_CELL,
                        r.try_get::<i64, _>("lo")? * MAP_CELL,
                        r.try_get::<i64, _>("n")?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?,
        })
    }

    /// Incidents the subject may read, newest first; totals and counts under the same filter.
    pub async fn list_incidents(
        &self,
        filter: &IncidentFilter,
        limit: i64,
        offset: i64,
    ) -> Result<IncidentPage> {
        let mut list = self
            .list(ResourceKind::Incident, "incidents", "")
            .await?
            .columns(COLS)
            .order("date DESC, id DESC")
            .max_limit(1000);
        self.incident_filters(&mut list.filter, filter);
        let (limit, offset) = list.page(limit, offset);
        let f = &list.filter;
        let w = f.sql();
        let agg = f
            .query(format!(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(killed), 0) AS BIGINT) AS k, CAST(COALESCE(SUM(injured), 0) AS BIGINT) AS i FROM incidents{w}"
            ))
            .fetch_one(&self.store.pool)
            .await?;
        let by = f
            .query(format!(
                "SELECT verification, COUNT(*) AS n FROM incidents{w} GROUP BY verification ORDER BY verification"
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let items = self
            .fetch_rows(&list, Some((limit, offset)), |r| self.incident_from_row(r))
            .await?;
        self.audit_list(&list, &items).await?;
        let by_verification = by
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("verification")?,
                    r.try_get::<i64, _>("n")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(IncidentPage {
            items,
            total: agg.try_get("n")?,
            killed: agg.try_get("k")?,
            injured: agg.try_get("i")?,
            by_verification,
            limit,
            offset,
        })
    }

    async fn incident_insert(
        &self,
        conn: &mut AnyConnection,
        source: &str,
        source_id: Option<&str>,
        v: &ValidIncident,
        extra: &[(String, String)],
    ) -> Result<String> {
        crate::separation::require_side(
            conn,
            v.labels.compartment.as_ref(),
            grotius_domain::separation::WorkDomain::Evidence,
            "incidents",
        )
        .await?;
        let id = new_id();
        let description = if v.description.is_empty() {
            None
        } else {
            Some(
                self.store
                    .keys
                    .encrypt(&description_aad(&id), &v.description)?,
            )
        };
        let now = now_micros();
        let killed: i64 = v.acts.iter().map(Act::killed).sum();
        let injured: i64 = v.acts.iter().map(Act::injured).sum();
        sqlx::query(
            "INSERT INTO incidents (id, source, source_id, title, description, date, date_precision, year, place, admin_area,
                 place_precision, lat, lon, country, context, reliability, credibility, verification, acts, violations,
                 killed, injured, aid, extra, classification, compartment_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'reported', $18, $19,
                 $20, $21, $22, $23, $24, $25, $26, $27, $27)",
        )
        .bind(&id)
        .bind(source)
        .bind(source_id)
        .bind(&v.title)
        .bind(description)
        .bind(&v.date)
        .bind(&v.date_precision)
        .bind(v.year)
        .bind(&v.place)
        .bind(&v.admin_area)
        .bind(&v.place_precision)
        .bind(v.lat.map(to_micro_degrees))
        .bind(v.lon.map(to_micro_degrees))
        .bind(v.country.as_deref())
        .bind(&v.context)
        .bind(&v.reliability)
        .bind(&v.credibility)
        .bind(serde_json::to_string(&v.acts).unwrap_or_else(|_| "[]".into()))
        .bind(violations_key(&v.acts))
        .bind(killed)
        .bind(injured)
        .bind(v.aid.as_ref().and_then(|a| serde_json::to_string(a).ok()))
        .bind(serde_json::to_string(extra).unwrap_or_else(|_| "[]".into()))
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(|e| StoreError::from_unique(e, "an incident with this source id"))?;
        record_change(conn, "incident", &id, "upsert").await?;
        Ok(id)
    }

    pub async fn create_incident(&self, input: &IncidentInput) -> Result<Incident> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Incident), None)
            .await?;
        let v = input.validate(&self.incident_violation_codes().await?)?;
        self.authorize_labels(Action::Create, ResourceKind::Incident, &v.labels, None)
            .await?;
        let mut tx = self.store.write_tx().await?;
        let id = self
            .incident_insert(&mut tx, "manual", None, &v, &[])
            .await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        self.audit_in(&mut tx, "incident.create", "incident", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.incident_row(&id).await?.ok_or(StoreError::NotFound)
    }

    /// Edits an incident. Acts keep deprecated violation types they already had.
    pub async fn update_incident(&self, id: &str, input: &IncidentInput) -> Result<Incident> {
        let old = self.incident_authorized(id, Action::Update).await?;
        let mut codes = self.incident_violation_codes().await?;
        codes.extend(old.acts.iter().map(|a| a.violation.clone()));
        let v = input.validate(&codes)?;
        self.authorize_labels(Action::Update, ResourceKind::Incident, &v.labels, Some(id))
            .await?;
        // Declassifying or moving an incident to another compartment is the custodian's call
        // (the role that may also delete): others may only keep or raise the labels.
        let lowers = v.labels.classification < old.labels.classification
            || v.labels.compartment != old.labels.compartment;
        if lowers
            && !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::Incident, &old.labels),
            )
        {
            return Err(StoreError::invalid(
                "classification",
                "only the custodian may lower the classification or change the compartment of an incident",
            ));
        }
        let description = if v.description.is_empty() {
            None
        } else {
            Some(
                self.store
                    .keys
                    .encrypt(&description_aad(id), &v.description)?,
            )
        };
        let mut tx = self.store.write_tx().await?;
        crate::separation::require_side(
            &mut tx,
            v.labels.compartment.as_ref(),
            grotius_domain::separation::WorkDomain::Evidence,
            "incidents",
        )
        .await?;
        sqlx::query(
            "UPDATE incidents SET title = $1, description = $2, date = $3, date_precision = $4, year = $5, place = $6,
                 admin_area = $7, place_precision = $8, lat = $9, lon = $10, country = $11, context = $12, reliability = $13,
                 credibility = $14, acts = $15, violations = $16, killed = $17, injured = $18, aid = $19, classification = $20,
                 compartment_id = $21, updated_at = $22 WHERE id = $23",
        )
        .bind(&v.title)
        .bind(description)
        .bind(&v.date)
        .bind(&v.date_precision)
        .bind(v.year)
        .bind(&v.place)
        .bind(&v.admin_area)
        .bind(&v.place_precision)
        .bind(v.lat.map(to_micro_degrees))
        .bind(v.lon.map(to_micro_degrees))
        .bind(v.country.as_deref())
        .bind(&v.context)
        .bind(&v.reliability)
        .bind(&v.credibility)
        .bind(serde_json::to_string(&v.acts).unwrap_or_else(|_| "[]".into()))
        .bind(violations_key(&v.acts))
        .bind(v.acts.iter().map(Act::killed).sum::<i64>())
        .bind(v.acts.iter().map(Act::injured).sum::<i64>())
        .bind(v.aid.as_ref().and_then(|a| serde_json::to_string(a).ok()))
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "incident", id, "upsert").await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        self.audit_in(&mut tx, "incident.update", "incident", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.incident_row(id).await?.ok_or(StoreError::NotFound)
    }

    /// Moves the verification status one step (or back), recording who and when — on the
    /// incident and in the audit log, in one transaction.
    pub async fn verify_incident(&self, id: &str, to: &str, note: &str) -> Result<Incident> {
        let old = self.incident_authorized(id, Action::Update).await?;
        let to = to.trim();
        incident::check_verification(&old.verification, to)?;
        if note.chars().count() > 1000 {
            return Err(StoreError::invalid("note", "at most 1000 characters"));
        }
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        let n = sqlx::query(
            "UPDATE incidents SET verification = $1, verified_by = $2, verified_at = $3, updated_at = $3
             WHERE id = $4 AND verification = $5",
        )
        .bind(to)
        .bind(&self.subject.username)
        .bind(now)
        .bind(id)
        .bind(&old.verification)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(
                "the verification status changed meanwhile; reload and try again".into(),
            ));
        }
        record_change(&mut tx, "incident", id, "upsert").await?;
        let detail = serde_json::json!({"from": old.verification, "to": to, "by": self.subject.username, "at": now, "note": note.trim()}).to_string();
        self.audit_in(&mut tx, "incident.verify", "incident", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.incident_row(id).await?.ok_or(StoreError::NotFound)
    }

    fn incident_person_from_row(r: &sqlx::any::AnyRow) -> Result<IncidentPerson> {
        Ok(IncidentPerson {
            id: r.try_get("id")?,
            incident_id: r.try_get("incident_id")?,
            pseudonym: r.try_get("pseudonym")?,
            role: r.try_get("role")?,
            actor_id: r.try_get("actor_id")?,
            consent: r.try_get("consent")?,
            risk: r.try_get("risk")?,
            sex: r.try_get("sex")?,
            age_group: r.try_get("age_group")?,
            reliability: r.try_get("reliability")?,
            credibility: r.try_get("credibility")?,
            has_identity: r.try_get::<i64, _>("has_identity")? > 0,
            created_at: r.try_get("created_at")?,
        })
    }

    /// The persons of an incident, by pseudonym. A linked actor the subject may not see is
    /// left out (the link stays stored).
    pub async fn incident_persons(&self, incident_id: &str) -> Result<Vec<IncidentPerson>> {
        self.incident_authorized(incident_id, Action::Read).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLS} FROM incident_persons p WHERE p.incident_id = $1 ORDER BY p.seq"
        )))
        .bind(incident_id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut p = Self::incident_person_from_row(r)?;
            if let Some(a) = p.actor_id.clone()
                && !self.incident_actor_visible(&a).await?
            {
                p.actor_id = None;
            }
            out.push(p);
        }
        Ok(out)
    }

    async fn incident_actor_visible(&self, actor_id: &str) -> Result<bool> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::Actor)) {
            return Ok(false);
        }
        let row = sqlx::query("SELECT classification, compartment_id FROM actors WHERE id = $1")
            .bind(actor_id)
            .fetch_optional(&self.store.pool)
            .await?;
        Ok(match row {
            None => false,
            Some(r) => self.may(
                Action::Read,
                Resource::labelled(ResourceKind::Actor, &labels_from_row(&r)?),
            ),
        })
    }

    /// Adds a person to an incident under a fresh pseudonym; the identity, if given, goes to
    /// the identity store (which needs the right to file identities).
    pub async fn add_incident_person(
        &self,
        incident_id: &str,
        input: &PersonInput,
    ) -> Result<IncidentPerson> {
        self.incident_authorized(incident_id, Action::Update)
            .await?;
        let p = input.validate()?;
        if p.identity.is_some() {
            self.authorize(
                Action::Create,
                Resource::kind(ResourceKind::PersonIdentity),
                None,
            )
            .await
            .map_err(|_| {
                StoreError::invalid("identity", "your roles do not allow filing real identities")
            })?;
        }
        if let Some(a) = &p.actor_id
            && !self.incident_actor_visible(a).await?
        {
            return Err(StoreError::invalid(
                "actor_id",
                format!("no such actor: {a}"),
            ));
        }
        let id = new_id();
        let identity = match &p.identity {
            Some(i) => Some(self.identity_keys()?.encrypt(
                &identity_aad(&id),
                &serde_json::to_string(i).unwrap_or_default(),
            )?),
            None => None,
        };
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM incident_persons")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let pseudonym = incident::pseudonym(&p.role, seq);
        sqlx::query(
            "INSERT INTO incident_persons (id, incident_id, seq, pseudonym, role, actor_id, consent, risk, sex, age_group,
                 reliability, credibility, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&id)
        .bind(incident_id)
        .bind(seq)
        .bind(&pseudonym)
        .bind(&p.role)
        .bind(p.actor_id.as_deref())
        .bind(&p.consent)
        .bind(&p.risk)
        .bind(&p.sex)
        .bind(&p.age_group)
        .bind(&p.reliability)
        .bind(&p.credibility)
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, "a person with this pseudonym"))?;
        if let Some(enc) = &identity {
            sqlx::query(
                "INSERT INTO person_identities (person_id, identity, created_by, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(enc)
            .bind(&self.subject.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        record_change(&mut tx, "incident", incident_id, "upsert").await?;
        let detail = serde_json::json!({"incident": incident_id, "pseudonym": pseudonym, "role": p.role, "identity": identity.is_some()}).to_string();
        self.audit_in(
            &mut tx,
            "incident.person.create",
            "incident-person",
            &id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLS} FROM incident_persons p WHERE p.id = $1"
        )))
        .bind(&id)
        .fetch_one(&self.store.pool)
        .await?;
        Self::incident_person_from_row(&row)
    }

    /// Records a change of a person's consent or risk level (e.g. consent withdrawn), with the
    /// reason, audited with the old and new values. Whoever may update the incident may do it.
    pub async fn set_person_safeguards(
        &self,
        incident_id: &str,
        person_id: &str,
        consent: &str,
        risk: &str,
        note: &str,
    ) -> Result<IncidentPerson> {
        self.incident_authorized(incident_id, Action::Update)
            .await?;
        let (consent, risk, note) = incident::check_safeguards(consent, risk, note)?;
        let mut tx = self.store.write_tx().await?;
        let old = sqlx::query(
            "SELECT consent, risk FROM incident_persons WHERE id = $1 AND incident_id = $2",
        )
        .bind(person_id)
        .bind(incident_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let (old_consent, old_risk): (String, String) =
            (old.try_get("consent")?, old.try_get("risk")?);
        sqlx::query("UPDATE incident_persons SET consent = $1, risk = $2 WHERE id = $3")
            .bind(&consent)
            .bind(&risk)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "incident", incident_id, "upsert").await?;
        let detail = serde_json::json!({
            "incident": incident_id,
            "consent": [old_consent, consent],
            "risk": [old_risk, risk],
            "note": note,
        })
        .to_string();
        self.audit_in(
            &mut tx,
            "incident.person.safeguards",
            "incident-person",
            person_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLS} FROM incident_persons p WHERE p.id = $1"
        )))
        .bind(person_id)
        .fetch_one(&self.store.pool)
        .await?;
        Self::incident_person_from_row(&row)
    }

    /// The identity keyring (its own file in the key directory's `identity/`, created by
    /// `grotius init`; a missing or damaged file is an error naming it).
    fn identity_keys(&self) -> Result<Keyring> {
        let _guard = IDENTITY_KEYS.lock().unwrap_or_else(|e| e.into_inner());
        let dir = self.store.keys.dir().join(grotius_security::IDENTITY_DIR);
        Ok(Keyring::load(&dir)?)
    }

    /// Rotates the identity keyring (a new active key; the old ones stay until retired) and
    /// re-encrypts every stored identity under it, in one transaction, audited — the part of
    /// `grotius keys rotate` for the identity store. Returns the new key's id and the number of
    /// identities rewritten; `None` when no identity keyring exists yet (nothing to rotate).
    /// With `retire`, the old identity keys are removed afterwards.
    pub async fn rotate_identity_keys(&self, retire: bool) -> Result<Option<(String, u64)>> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::Compartment),
            None,
        )
        .await?;
        let dir = self.store.keys.dir().join("identity");
        if !dir.join(grotius_security::KEYRING_FILE).exists() {
            return Ok(None);
        }
        let key = {
            let _guard = IDENTITY_KEYS.lock().unwrap_or_else(|e| e.into_inner());
            Keyring::load(&dir)?.rotate()?
        };
        let keys = self.identity_keys()?;
        let mut tx = self.store.write_tx().await?;
        let rows = sqlx::query("SELECT person_id, identity FROM person_identities")
            .fetch_all(&mut *tx)
            .await?;
        let mut rewritten = 0u64;
        for r in rows {
            let person: String = r.try_get("person_id")?;
            let stored: String = r.try_get("identity")?;
            if !keys.needs_rotation(&stored) {
                continue;
            }
            let aad = identity_aad(&person);
            let plain = keys.decrypt(&aad, &stored)?;
            sqlx::query("UPDATE person_identities SET identity = $1 WHERE person_id = $2")
                .bind(keys.encrypt(&aad, &plain)?)
                .bind(&person)
                .execute(&mut *tx)
                .await?;
            rewritten += 1;
        }
        let detail = serde_json::json!({"key": key, "values": rewritten}).to_string();
        self.audit_in(
            &mut tx,
            "keys.reencrypt.identity",
            "instance",
            "",
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        if retire {
            let _guard = IDENTITY_KEYS.lock().unwrap_or_else(|e| e.into_inner());
            Keyring::load(&dir)?.retire_old_keys()?;
        }
        Ok(Some((key, rewritten)))
    }

    /// Opens the real identity behind a pseudonym: the custodian only, with a reason; the
    /// opening is audited (who, which person, why). Everybody else: not found.
    pub async fn open_person_identity(
        &self,
        person_id: &str,
        reason: &str,
    ) -> Result<(IncidentPerson, PersonIdentity)> {
        let sql = format!("SELECT {PERSON_COLS} FROM incident_persons p WHERE p.id = $1");
        let row = self
            .fetch_row(ResourceKind::PersonIdentity, sql, person_id)
            .await?;
        let person = Self::incident_person_from_row(&row)?;
        let inc = self
            .incident_authorized(&person.incident_id, Action::Read)
            .await?;
        // Not allowed to open identities: as if it did not exist.
        if !self.may(
            Action::Read,
            Resource::labelled(ResourceKind::PersonIdentity, &inc.labels),
        ) {
            self.audit_now(
                "person-identity.read",
                "person-identity",
                person_id,
                "denied",
                "{}",
            )
            .await?;
            return Err(StoreError::NotFound);
        }
        let reason = reason.trim();
        if reason.chars().count() < 10 {
            return Err(StoreError::invalid(
                "reason",
                "say why you open this identity (at least 10 characters); it is recorded",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(StoreError::invalid("reason", "at most 1000 characters"));
        }
        let enc: Option<String> =
            sqlx::query("SELECT identity FROM person_identities WHERE person_id = $1")
                .bind(person_id)
                .fetch_optional(&self.store.pool)
                .await?
                .map(|r| r.try_get("identity"))
                .transpose()?;
        let Some(enc) = enc else {
            return Err(StoreError::NotFound);
        };
        let identity: PersonIdentity = serde_json::from_str(
            &self
                .identity_keys()?
                .decrypt(&identity_aad(person_id), &enc)?,
        )
        .map_err(|e| StoreError::Integrity(format!("identity {person_id}: {e}")))?;
        let detail = serde_json::json!({"incident": person.incident_id, "pseudonym": person.pseudonym, "reason": reason}).to_string();
        self.audit_now(
            "person-identity.open",
            "person-identity",
            person_id,
            "ok",
            &detail,
        )
        .await?;
        Ok((person, identity))
    }

    /// Evidence items linked to an incident that the subject may see.
    pub async fn incident_evidence(&self, incident_id: &str) -> Result<Vec<EvidenceItem>> {
        self.incident_authorized(incident_id, Action::Read).await?;
        if !self.may(Action::Read, Resource::kind(ResourceKind::Evidence)) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT item_id FROM incident_evidence WHERE incident_id = $1 ORDER BY created_at",
        )
        .bind(incident_id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let item_id: String = r.try_get("item_id")?;
            if let Some(item) = self.evidence_row(&item_id).await?
                && self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Evidence, &item.labels),
                )
            {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// Links an evidence item the subject may read to an incident it may update.
    pub async fn link_incident_evidence(&self, incident_id: &str, item_id: &str) -> Result<()> {
        self.incident_authorized(incident_id, Action::Update)
            .await?;
        match self.evidence_get(item_id.trim()).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(StoreError::invalid(
                    "item_id",
                    format!("no such evidence item: {}", item_id.trim()),
                ));
            }
            Err(e) => return Err(e),
        }
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO incident_evidence (incident_id, item_id, created_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(incident_id)
        .bind(item_id.trim())
        .bind(&self.subject.user_id)
        .bind(now_micros())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, "this link"))?;
        let detail = serde_json::json!({"item": item_id.trim()}).to_string();
        self.audit_in(
            &mut tx,
            "incident.evidence.link",
            "incident",
            incident_id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports an AWSD or Yemen Data Project file into a compartment and classification. Every
    /// row is checked first; a bad row stops the whole import unless `valid_rows_only`. Rows
    /// whose source id is already stored are left as they are (re-runs are idempotent, and an
    /// interrupted import is finished by running it again). Rows are written in transactions of
    /// [`IMPORT_BATCH`], each audited and each row in the change feed.
    pub async fn import_incidents(
        &self,
        format: ImportFormat,
        bytes: &[u8],
        classification: &str,
        compartment: &str,
        valid_rows_only: bool,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<IncidentImportReport> {
        let (report, rows, labels) = self
            .incident_import_check(format, bytes, classification, compartment, valid_rows_only)
            .await?;
        if !rows.is_empty() || report.problems.is_empty() {
            return self
                .incident_import_write(format, report, &rows, &labels, None, progress)
                .await;
        }
        Ok(report)
    }

    /// Checks an import: the rights, the labels and every row. The rows to write are empty when
    /// the file is refused (a header problem, or a bad row without `valid_rows_only`).
    async fn incident_import_check(
        &self,
        format: ImportFormat,
        bytes: &[u8],
        classification: &str,
        compartment: &str,
        valid_rows_only: bool,
    ) -> Result<(IncidentImportReport, Vec<ImportedIncident>, Labels)> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Incident), None)
            .await?;
        let labels = incident::incident_labels(classification, &Some(compartment.to_string()))?;
        self.authorize_labels(Action::Create, ResourceKind::Incident, &labels, None)
            .await?;
        let codes = self.incident_violation_codes().await?;
        let owned = bytes.to_vec();
        let (rows, problems, total) =
            tokio::task::spawn_blocking(move || incident::parse_import(format, &owned, &codes))
                .await
                .map_err(|e| StoreError::Integrity(format!("the import check failed: {e}")))?;
        let report = IncidentImportReport {
            rows: total,
            valid: rows.len(),
            imported: 0,
            unchanged: 0,
            problems,
        };
        let header_problem = report.problems.iter().any(|p| p.row <= 1);
        if header_problem || (!report.problems.is_empty() && !valid_rows_only) {
            return Ok((report, Vec::new(), labels));
        }
        Ok((report, rows, labels))
    }

    /// Writes checked rows in batches; with a job, its progress after each batch.
    async fn incident_import_write(
        &self,
        format: ImportFormat,
        mut report: IncidentImportReport,
        rows: &[ImportedIncident],
        labels: &Labels,
        job: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<IncidentImportReport> {
        let codes = self.incident_violation_codes().await?;
        let existing: HashSet<String> =
            sqlx::query("SELECT source_id FROM incidents WHERE source = $1")
                .bind(format.source())
                .fetch_all(&self.store.pool)
                .await?
                .iter()
                .filter_map(|r| r.try_get::<Option<String>, _>("source_id").ok().flatten())
                .collect();
        let todo: Vec<_> = rows
            .iter()
            .filter(|r| !existing.contains(&r.source_id))
            .collect();
        report.unchanged = rows.len() - todo.len();
        if let Some(job) = job {
            sqlx::query(
                "UPDATE incident_imports SET rows_total = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(todo.len() as i64)
            .bind(now_micros())
            .bind(job)
            .execute(&self.store.pool)
            .await?;
        }
        let classification = labels.classification.as_str();
        let compartment = labels
            .compartment
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default();
        progress(0, todo.len());
        let mut done = 0usize;
        for chunk in todo.chunks(IMPORT_BATCH) {
            let mut tx = self.store.write_tx().await?;
            for r in chunk {
                let mut input = r.input.clone();
                input.classification = classification.to_string();
                input.compartment = Some(compartment.clone());
                let v = input.validate(&codes)?;
                self.incident_insert(&mut tx, format.source(), Some(&r.source_id), &v, &r.extra)
                    .await?;
            }
            done += chunk.len();
            if let Some(job) = job {
                sqlx::query(
                    "UPDATE incident_imports SET rows_done = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(done as i64)
                .bind(now_micros())
                .bind(job)
                .execute(&mut *tx)
                .await?;
            }
            let detail = serde_json::json!({
                "source": format.source(), "job": job, "rows": report.rows,
                "written": done, "of": todo.len(), "unchanged": report.unchanged,
                "skipped_bad_rows": report.problems.len(),
                "classification": labels.classification, "compartment": compartment,
            })
            .to_string();
            self.audit_in(&mut tx, "incident.import", "incident", "", "ok", &detail)
                .await?;
            tx.commit().await?;
            report.imported = done;
            progress(done, todo.len());
        }
        if todo.is_empty() {
            let detail = serde_json::json!({
                "source": format.source(), "job": job, "rows": report.rows, "written": 0,
                "unchanged": report.unchanged, "skipped_bad_rows": report.problems.len(),
            })
            .to_string();
            self.audit_now("incident.import", "incident", "", "ok", &detail)
                .await?;
        }
        Ok(report)
    }

    /// Starts an import: the file is checked now (a refused file comes back with its report and
    /// nothing is written); the rows are written by a background job whose progress and report
    /// are kept in the database ([`Access::incident_import_job`]), so no request waits for them.
    pub async fn start_incident_import(
        &self,
        format: ImportFormat,
        file_name: &str,
        bytes: &[u8],
        classification: &str,
        compartment: &str,
        valid_rows_only: bool,
    ) -> Result<IncidentImportStart> {
        let (report, rows, labels) = self
            .incident_import_check(format, bytes, classification, compartment, valid_rows_only)
            .await?;
        if rows.is_empty() && !report.problems.is_empty() {
            return Ok(IncidentImportStart::Refused(report));
        }
        let id = new_id();
        let now = now_micros();
        let name: String = file_name.chars().take(200).collect();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO incident_imports (id, status, source, file_name, classification, compartment_id, started_by, started_at, updated_at, rows_total, rows_done, report)
             VALUES ($1, 'running', $2, $3, $4, $5, $6, $7, $7, $8, 0, '{}')",
        )
        .bind(&id)
        .bind(format.source())
        .bind(&name)
        .bind(labels.classification as i64)
        .bind(compartment)
        .bind(&self.subject.username)
        .bind(now)
        .bind(rows.len() as i64)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "source": format.source(), "file": name, "rows": report.rows, "valid": report.valid,
        })
        .to_string();
        self.audit_in(
            &mut tx,
            "incident.import.start",
            "incident-import",
            &id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        let access = self.clone();
        let job = id.clone();
        spawn_job(
            self.store.pool.clone(),
            JobTable::Incidents,
            id.clone(),
            async move {
                access
                    .incident_import_write(
                        format,
                        report,
                        &rows,
                        &labels,
                        Some(&job),
                        &mut |_, _| {},
                    )
                    .await
                    .map(|r| (true, r))
            },
        );
        Ok(IncidentImportStart::Started(id))
    }

    /// An import job — for those who may import into its compartment; not found otherwise.
    pub async fn incident_import_job(&self, id: &str) -> Result<IncidentImportJob> {
        let row = sqlx::query(
            "SELECT id, status, source, file_name, classification, compartment_id, started_by, started_at, updated_at, rows_total, rows_done, report
             FROM incident_imports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let labels = labels_from_row(&row)?;
        if !self.may(
            Action::Create,
            Resource::labelled(ResourceKind::Incident, &labels),
        ) {
            return Err(StoreError::NotFound);
        }
        let updated_at: i64 = row.try_get("updated_at")?;
        let status = shown_status(row.try_get("status")?, updated_at);
        let out: JobOutcome<IncidentImportReport> =
            JobOutcome::parse(&row.try_get::<String, _>("report")?);
        Ok(IncidentImportJob {
            id: row.try_get("id")?,
            status,
            source: row.try_get("source")?,
            file_name: row.try_get("file_name")?,
            labels,
            started_by: row.try_get("started_by")?,
            started_at: row.try_get("started_at")?,
            updated_at,
            rows_total: row.try_get("rows_total")?,
            rows_done: row.try_get("rows_done")?,
            report: out.report,
            error: out.error,
        })
    }

    /// Incidents as CSV for export (pseudonymised: no identities ever), over what the subject
    /// may export; audited.
    pub async fn export_incidents_csv(&self, filter: &IncidentFilter) -> Result<String> {
        self.authorize(Action::Export, Resource::kind(ResourceKind::Incident), None)
            .await?;
        let mut out = String::from(
            "id,source,source_id,title,date,date_precision,country,place,context,violations,killed,injured,reliability,credibility,verification,classification,compartment\n",
        );
        let mut offset = 0;
        let mut ids = 0usize;
        loop {
            let page = self.list_incidents(filter, 1000, offset).await?;
            for i in &page.items {
                if !self.may(
                    Action::Export,
                    Resource::labelled(ResourceKind::Incident, &i.labels),
                ) {
                    continue;
                }
                let viol: Vec<&str> = i.acts.iter().map(|a| a.violation.as_str()).collect();
                let cells = [
                    i.id.clone(),
                    i.source.clone(),
                    i.source_id.clone().unwrap_or_default(),
                    i.title.clone(),
                    i.date.clone(),
                    i.date_precision.clone(),
                    i.country.clone().unwrap_or_default(),
                    i.place.clone(),
                    i.context.clone(),
                    viol.join(";"),
                    i.killed().to_string(),
                    i.injured().to_string(),
                    i.reliability.clone(),
                    i.credibility.clone(),
                    i.verification.clone(),
                    i.labels.classification.as_str().to_string(),
                    i.labels
                        .compartment
                        .as_ref()
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ];
                let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
                ids += 1;
            }
            offset += page.items.len() as i64;
            if page.items.is_empty() || offset >= page.total {
                break;
            }
        }
        self.record_event(
            "incident.export",
            "incident",
            "",
            &serde_json::json!({"rows": ids}).to_string(),
        )
        .await?;
        Ok(out)
    }
}

/// A CSV cell, quoted when needed, with formula-leading characters neutralised.
pub(crate) fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
