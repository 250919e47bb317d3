//! The expert roster: experts (with encrypted conflict-of-interest declarations), import from
//! and export to CSV and XLSX with a row-by-row validation report. Requests for support,
//! deployments and matching are in [`requests`].
//!
//! The pattern is that of `process.rs`: the SQL visibility filter and a policy check per row,
//! audit and change feed in the same transaction as the change.

mod requests;
mod tabular;

pub use requests::{
    BENCHMARK_HOURS, Breakdown, RequestDetail, RequestFilter, RosterStats, TeamMember,
    WaitingRequest,
};
pub use tabular::{TableFormat, read_table, split_cell, write_table};

use grotius_domain::roster::{self, Conflict, Expert, ExpertInput, ValidExpert, Window};
use grotius_domain::{
    Action, Classification, CompartmentId, DomainError, Labels, Resource, ResourceKind,
};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, Where};
use crate::process::record_change;
use crate::{Access, Page, Result, StoreError, new_id};

/// Filters of the roster list. Empty strings are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExpertFilter {
    /// Words in the name or past deployments.
    pub q: Option<String>,
    /// An expertise code.
    pub expertise: Option<String>,
    /// An ISO 639-1 code.
    pub language: Option<String>,
    /// A UN M49 region name or an ISO 3166-1 country code; matches experts with that region,
    /// a region within it or containing the country, or a country within it.
    pub region: Option<String>,
    /// `YYYY-MM-DD`: the expert has one availability window covering the whole period
    /// `available_from`–`available_to` (either alone means that one day).
    pub available_from: Option<String>,
    pub available_to: Option<String>,
    pub sex: Option<String>,
    /// Only members of a women mediators' network.
    #[serde(default)]
    pub network_member: Option<bool>,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The values a region filter accepts in an expert's region list: the entry itself and every
/// region and country within it, or, for a country, the country and the regions containing it.
fn region_matches(entry: &str) -> Vec<String> {
    if entry.len() == 2 && entry.bytes().all(|b| b.is_ascii_uppercase()) {
        return roster::areas_of_country(entry);
    }
    let mut out = vec![entry.to_string()];
    for c in grotius_domain::reference::countries() {
        let levels = [&c.region, &c.sub_region, &c.intermediate_region];
        if let Some(i) = levels.iter().position(|l| l.as_str() == entry) {
            for below in levels.iter().skip(i + 1).chain([&&c.alpha2]) {
                if !below.is_empty() && !out.contains(below) {
                    out.push((*below).clone());
                }
            }
        }
    }
    out
}

use crate::db::json_list as list;

use crate::db::to_json as json;

fn conflicts_aad(id: &str) -> String {
    format!("experts.conflicts:{id}")
}

const COLS: &str = "e.id, e.name, e.sex, e.expertise, e.languages, e.regions, e.tracks, e.availability, e.conflicts, e.clearance, e.network_member, e.network_name, e.deployments, e.classification, e.compartment_id, e.created_at, e.updated_at";

/// The columns of an import or export file, with the field of [`ExpertInput`] each holds.
pub const EXPERT_COLUMNS: &[(&str, &str)] = &[
    ("name", "name"),
    ("sex", "sex"),
    ("expertise", "expertise"),
    ("languages", "languages"),
    ("regions", "regions"),
    ("tracks", "tracks"),
    ("availability", "availability"),
    ("conflicts_of_interest", "conflicts"),
    ("clearance", "clearance"),
    ("women_mediator_network", "network_member"),
    ("network_name", "network_name"),
    ("past_deployments", "deployments"),
    ("classification", "classification"),
    ("compartment", "compartment"),
];

fn column_of(field: &str) -> &'static str {
    EXPERT_COLUMNS
        .iter()
        .find(|(_, f)| *f == field)
        .map(|(c, _)| *c)
        .unwrap_or("name")
}

/// One bad value of an import file: row as numbered in the file (the header is row 1).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// What an import did: rows read, valid rows, rows imported, and every problem found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub valid: usize,
    pub imported: usize,
    pub errors: Vec<ImportProblem>,
}

/// The decoded roster and the change-feed position it reflects.
#[derive(Default)]
pub struct RosterCache {
    seq: i64,
    loaded: bool,
    experts: std::sync::Arc<Vec<Expert>>,
}

impl ImportReport {
    /// Whether anything was written.
    pub fn committed(&self) -> bool {
        self.imported > 0
    }
}

/// A row of an import file as an input (the multi-valued cells split on `;`), with the problems
/// of cells that are not even of the right shape (a yes/no flag).
pub fn expert_input_from_row(
    header: &[String],
    row: &[String],
) -> (ExpertInput, Vec<(&'static str, String, String)>) {
    let cell = |col: &str| -> String {
        header
            .iter()
            .position(|h| h == col)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    let flag = cell("women_mediator_network");
    let network_member = match roster::parse_flag("network_member", &flag) {
        Ok(b) => b,
        Err(e) => {
            problems.push(("women_mediator_network", flag, reason(&e)));
            false
        }
    };
    let opt = |s: String| if s.is_empty() { None } else { Some(s) };
    let input = ExpertInput {
        name: cell("name"),
        sex: cell("sex"),
        expertise: split_cell(&cell("expertise")),
        languages: split_cell(&cell("languages")),
        regions: split_cell(&cell("regions")),
        tracks: split_cell(&cell("tracks")),
        availability: split_cell(&cell("availability")),
        conflicts: split_cell(&cell("conflicts_of_interest")),
        clearance: cell("clearance"),
        network_member,
        network_name: opt(cell("network_name")),
        deployments: split_cell(&cell("past_deployments")),
        classification: cell("classification"),
        compartment: opt(cell("compartment")),
    };
    (input, problems)
}

fn reason(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// The row of an expert in an export file, in the order of [`EXPERT_COLUMNS`] after `id`.
pub fn expert_row(e: &Expert) -> Vec<String> {
    let join = |v: &[String]| v.join("; ");
    vec![
        e.id.clone(),
        e.name.clone(),
        e.sex.clone(),
        join(&e.expertise),
        join(&e.languages),
        join(&e.regions),
        join(&e.tracks),
        e.availability
            .iter()
            .map(Window::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        e.conflicts
            .iter()
            .map(Conflict::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        e.clearance.as_str().into(),
        if e.network_member { "yes" } else { "no" }.into(),
        e.network_name.clone().unwrap_or_default(),
        join(&e.deployments),
        e.labels.classification.as_str().into(),
        e.labels
            .compartment
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default(),
    ]
}

pub fn export_header() -> Vec<String> {
    std::iter::once("id")
        .chain(EXPERT_COLUMNS.iter().map(|(c, _)| *c))
        .map(str::to_string)
        .collect()
}

crate::list::listed!(Expert);

impl Access {
    pub(crate) fn expert_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Expert> {
        let id: String = row.try_get("id")?;
        let conflicts: Option<String> = row.try_get("conflicts")?;
        let conflicts: Vec<Conflict> = match conflicts {
            Some(c) if !c.is_empty() => {
                serde_json::from_str(&self.store.keys.decrypt(&conflicts_aad(&id), &c)?)
                    .map_err(|e| StoreError::Integrity(format!("expert {id}: conflicts: {e}")))?
            }
            _ => Vec::new(),
        };
        let compartment: Option<String> = row.try_get("compartment_id")?;
        Ok(Expert {
            name: row.try_get("name")?,
            sex: row.try_get("sex")?,
            expertise: list(&row.try_get::<String, _>("expertise")?),
            languages: list(&row.try_get::<String, _>("languages")?),
            regions: list(&row.try_get::<String, _>("regions")?),
            tracks: list(&row.try_get::<String, _>("tracks")?),
            availability: serde_json::from_str(&row.try_get::<String, _>("availability")?)
                .unwrap_or_default(),
            conflicts,
            clearance: Classification::from_level(row.try_get("clearance")?)?,
            network_member: row.try_get::<i64, _>("network_member")? != 0,
            network_name: row.try_get("network_name")?,
            deployments: list(&row.try_get::<String, _>("deployments")?),
            labels: Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: compartment.map(|c| CompartmentId::parse(&c)).transpose()?,
            },
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            id,
        })
    }

    /// Rows the SQL filter returned must also pass the policy engine (defence in depth).
    fn checked_expert(&self, row: &sqlx::any::AnyRow, action: Action) -> Result<Expert> {
        let e = self.expert_from_row(row)?;
        self.recheck(action, ResourceKind::Expert, &e.labels, &e.id)?;
        Ok(e)
    }

    /// Adds the filters of `filter` on experts aliased `e`.
    fn expert_filters(&self, w: &mut Where, filter: &ExpertFilter) -> Result<()> {
        if let Some(q) = some(&filter.q) {
            let p = w.arg(Bind::Text(format!(
                "%{}%",
                q.to_lowercase().replace(['%', '_'], "")
            )));
            w.clause(format!(
                "(LOWER(e.name) LIKE {p} OR LOWER(e.deployments) LIKE {p})"
            ));
        }
        if let Some(x) = some(&filter.expertise) {
            let codes = roster::vocab_codes(roster::EXPERTISE, "expertise", &[x.to_string()])?;
            w.json_contains_any("e.expertise", &codes);
        }
        if let Some(x) = some(&filter.language) {
            let codes = roster::language_codes("language", &[x.to_string()])?;
            w.json_contains_any("e.languages", &codes);
        }
        if let Some(x) = some(&filter.region) {
            let entry = roster::region("region", x)?;
            w.json_contains_any("e.regions", &region_matches(&entry));
        }
        if let Some(x) = some(&filter.sex) {
            let codes = roster::vocab_codes(roster::SEXES, "sex", &[x.to_string()])?;
            let p = w.arg(Bind::Text(codes.concat()));
            w.clause(format!("e.sex = {p}"));
        }
        if let Some(true) = filter.network_member {
            w.clause("e.network_member = 1".into());
        }
        let date = |field: &'static str, s: Option<&str>| -> Result<Option<String>> {
            s.map(|d| {
                roster::parse_date(d)
                    .map(roster::civil_from_days)
                    .ok_or_else(|| {
                        StoreError::invalid(field, format!("'{d}' is not a date (YYYY-MM-DD)"))
                    })
            })
            .transpose()
        };
        let from = date("available_from", some(&filter.available_from))?;
        let to = date("available_to", some(&filter.available_to))?;
        if let (Some(from), Some(to)) = (from.clone().or(to.clone()), to.or(from)) {
            if to < from {
                return Err(StoreError::invalid(
                    "available_to",
                    "the end of the period is before its start",
                ));
            }
            let f = w.arg(Bind::Text(from));
            let t = w.arg(Bind::Text(to));
            w.clause(format!(
                "EXISTS (SELECT 1 FROM expert_availability a WHERE a.expert_id = e.id AND a.date_from <= {f} AND a.date_to >= {t})"
            ));
        }
        Ok(())
    }

    /// Experts the subject may see, by name, with the total under the same filter.
    pub async fn list_experts(
        &self,
        filter: &ExpertFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Expert>> {
        let mut list = self
            .list(ResourceKind::Expert, "experts", "e")
            .await?
            .columns(COLS)
            .order("e.name, e.id");
        self.expert_filters(&mut list.filter, filter)?;
        self.list_page(list, limit, offset, |r| {
            self.checked_expert(r, Action::Read)
        })
        .await
    }

    /// Every visible expert matching `filter` (no paging; for export and matching).
    /// Every expert, decoded, as of the latest roster change (shared by all subjects of this
    /// app node; callers filter with the policy).
    pub(crate) async fn roster_snapshot(&self) -> Result<std::sync::Arc<Vec<Expert>>> {
        let latest: i64 = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS s FROM change_feed WHERE resource_kind = 'expert'",
        )
        .fetch_one(&self.store.pool)
        .await?
        .try_get("s")?;
        let mut cache = self.store.roster.lock().await;
        if cache.loaded && cache.seq == latest {
            return Ok(cache.experts.clone());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM experts e ORDER BY e.name, e.id"
        )))
        .fetch_all(&self.store.pool)
        .await?;
        let experts = std::sync::Arc::new(
            rows.iter()
                .map(|r| self.expert_from_row(r))
                .collect::<Result<Vec<_>>>()?,
        );
        *cache = RosterCache {
            seq: latest,
            loaded: true,
            experts: experts.clone(),
        };
        Ok(experts)
    }

    pub(crate) async fn all_experts(&self, filter: &ExpertFilter) -> Result<Vec<Expert>> {
        let mut w = Where::default();
        w.visibility(self, "e");
        self.expert_filters(&mut w, filter)?;
        let rows = w
            .query(format!(
                "SELECT {COLS} FROM experts e{} ORDER BY e.name, e.id",
                w.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| self.checked_expert(r, Action::Read))
            .collect()
    }

    /// One expert; confidential and secret reads are audited.
    pub async fn get_expert(&self, id: &str) -> Result<Expert> {
        let e = self
            .get_checked(
                ResourceKind::Expert,
                Action::Read,
                format!("SELECT {COLS} FROM experts e WHERE e.id = $1"),
                id,
                |row| self.expert_from_row(row),
            )
            .await?;
        if e.labels.classification.read_is_audited() {
            self.audit_now("expert.read", "expert", id, "ok", "{}")
                .await?;
        }
        Ok(e)
    }

    pub(crate) async fn compartment_exists(
        &self,
        conn: &mut AnyConnection,
        labels: &Labels,
    ) -> Result<bool> {
        Ok(match &labels.compartment {
            None => true,
            Some(c) => sqlx::query("SELECT 1 AS x FROM compartments WHERE id = $1")
                .bind(c.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .is_some(),
        })
    }

    async fn write_expert(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        v: &ValidExpert,
        create: bool,
    ) -> Result<()> {
        if !self.compartment_exists(conn, &v.labels).await? {
            return Err(StoreError::invalid(
                "compartment",
                format!(
                    "compartment '{}' does not exist",
                    v.labels
                        .compartment
                        .as_ref()
                        .map(|c| c.as_str())
                        .unwrap_or("")
                ),
            ));
        }
        let conflicts = if v.conflicts.is_empty() {
            None
        } else {
            Some(
                self.store
                    .keys
                    .encrypt(&conflicts_aad(id), &json(&v.conflicts))?,
            )
        };
        let now = now_micros();
        let sql = if create {
            "INSERT INTO experts (name, sex, expertise, languages, regions, tracks, availability, conflicts, clearance,
                                  network_member, network_name, deployments, classification, compartment_id, updated_at,
                                  created_by, created_at, id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $17)"
        } else {
            "UPDATE experts SET name = $1, sex = $2, expertise = $3, languages = $4, regions = $5, tracks = $6,
                    availability = $7, conflicts = $8, clearance = $9, network_member = $10, network_name = $11,
                    deployments = $12, classification = $13, compartment_id = $14, updated_at = $15,
                    version = version + 1
             WHERE id = $16"
        };
        let q = sqlx::query(sql)
            .bind(&v.name)
            .bind(&v.sex)
            .bind(json(&v.expertise))
            .bind(json(&v.languages))
            .bind(json(&v.regions))
            .bind(json(&v.tracks))
            .bind(json(&v.availability))
            .bind(conflicts)
            .bind(v.clearance.level())
            .bind(i64::from(v.network_member))
            .bind(v.network_name.clone())
            .bind(json(&v.deployments))
            .bind(v.labels.classification.level())
            .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
            .bind(now);
        let q = if create {
            q.bind(&self.subject.user_id).bind(id)
        } else {
            q.bind(id)
        };
        q.execute(&mut *conn).await?;
        sqlx::query("DELETE FROM expert_availability WHERE expert_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for w in &v.availability {
            sqlx::query(
                "INSERT INTO expert_availability (expert_id, date_from, date_to) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(&w.from)
            .bind(&w.to)
            .execute(&mut *conn)
            .await?;
        }
        record_change(conn, "expert", id, "upsert").await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        let action = if create {
            "expert.create"
        } else {
            "expert.update"
        };
        self.audit_in(conn, action, "expert", id, "ok", &detail)
            .await?;
        Ok(())
    }

    pub async fn create_expert(&self, input: &ExpertInput) -> Result<Expert> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Expert), None)
            .await?;
        let v = input.validate()?;
        self.authorize_labels(Action::Create, ResourceKind::Expert, &v.labels, None)
            .await?;
        let id = new_id();
        let mut tx = self.store.write_tx().await?;
        self.write_expert(&mut tx, &id, &v, true).await?;
        tx.commit().await?;
        self.get_expert(&id).await
    }

    pub async fn update_expert(&self, id: &str, input: &ExpertInput) -> Result<Expert> {
        let current = self.get_expert(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Expert, &current.labels),
            Some(id),
        )
        .await?;
        let v = input.validate()?;
        self.authorize_labels(Action::Update, ResourceKind::Expert, &v.labels, Some(id))
            .await?;
        let mut tx = self.store.write_tx().await?;
        self.write_expert(&mut tx, id, &v, false).await?;
        tx.commit().await?;
        self.get_expert(id).await
    }

    pub async fn delete_expert(&self, id: &str) -> Result<()> {
        let current = self.get_expert(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::Expert, &current.labels),
            Some(id),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_row(&mut tx, "experts", "expert", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports experts from a CSV or XLSX file. Every row is checked first; the report names
    /// the row (as numbered in the file, header = 1) and column of each bad value. When a row
    /// is bad nothing is written, unless `valid_rows_only`, when the good rows are. All rows are
    /// written in one transaction. `progress` is told (rows written, rows to write).
    pub async fn import_experts(
        &self,
        bytes: &[u8],
        format: TableFormat,
        valid_rows_only: bool,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<ImportReport> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Expert), None)
            .await?;
        let table = read_table(bytes, format)?;
        let mut rows = table.into_iter().enumerate();
        let header: Vec<String> = match rows.next() {
            Some((_, h)) => h
                .iter()
                .map(|c| c.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
                .collect(),
            None => return Err(StoreError::invalid("file", "the file is empty")),
        };
        let mut errors = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if !h.is_empty() && h != "id" && !EXPERT_COLUMNS.iter().any(|(c, _)| c == h) {
                errors.push(ImportProblem {
                    row: 1,
                    column: h.clone(),
                    value: h.clone(),
                    message: format!(
                        "unknown column {}; the columns are: id (ignored), {}",
                        i + 1,
                        EXPERT_COLUMNS
                            .iter()
                            .map(|(c, _)| *c)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        for required in ["name", "sex", "clearance", "classification"] {
            if !header.iter().any(|h| h == required) {
                errors.push(ImportProblem {
                    row: 1,
                    column: required.into(),
                    value: String::new(),
                    message: "this column is required".into(),
                });
            }
        }
        let header_ok = errors.is_empty();
        let mut valid: Vec<ValidExpert> = Vec::new();
        let mut total = 0usize;
        let mut conn = self.store.pool.acquire().await?;
        for (i, row) in rows {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            total += 1;
            let line = i + 1;
            let (input, shape) = expert_input_from_row(&header, &row);
            let mut row_errors: Vec<ImportProblem> = shape
                .into_iter()
                .map(|(column, value, message)| ImportProblem {
                    row: line,
                    column: column.into(),
                    value,
                    message,
                })
                .collect();
            let cell = |col: &str| {
                header
                    .iter()
                    .position(|h| h == col)
                    .and_then(|i| row.get(i))
                    .cloned()
                    .unwrap_or_default()
            };
            match input.validate_all() {
                Ok(v) => {
                    let labelled = self
                        .authorize_labels(Action::Create, ResourceKind::Expert, &v.labels, None)
                        .await;
                    let exists = self.compartment_exists(&mut conn, &v.labels).await?;
                    let column = if v.labels.compartment.is_some() {
                        "compartment"
                    } else {
                        "classification"
                    };
                    if let Err(e) = labelled {
                        row_errors.push(ImportProblem {
                            row: line,
                            column: column.into(),
                            value: cell(column),
                            message: match e {
                                StoreError::Invalid(d) => reason(&d),
                                other => other.to_string(),
                            },
                        });
                    } else if !exists {
                        row_errors.push(ImportProblem {
                            row: line,
                            column: "compartment".into(),
                            value: cell("compartment"),
                            message: "no such compartment".into(),
                        });
                    }
                    if row_errors.is_empty() {
                        valid.push(v);
                    }
                }
                Err(errs) => {
                    for e in errs {
                        let column = match &e {
                            DomainError::Invalid { field, .. } => column_of(field),
                            DomainError::UnknownValue { .. } => "name",
                        };
                        row_errors.push(ImportProblem {
                            row: line,
                            column: column.into(),
                            value: cell(column),
                            message: reason(&e),
                        });
                    }
                }
            }
            errors.extend(row_errors);
        }
        let mut report = ImportReport {
            rows: total,
            valid: valid.len(),
            imported: 0,
            errors,
        };
        if !header_ok || valid.is_empty() || (!report.errors.is_empty() && !valid_rows_only) {
            let detail = serde_json::json!({"rows": total, "valid": report.valid, "errors": report.errors.len(), "imported": 0}).to_string();
            self.audit_now("expert.import", "expert", "", "failed", &detail)
                .await?;
            return Ok(report);
        }
        drop(conn);
        let n = valid.len();
        let mut tx = self.store.write_tx().await?;
        for (k, v) in valid.iter().enumerate() {
            self.write_expert(&mut tx, &new_id(), v, true).await?;
            if (k + 1) % 100 == 0 || k + 1 == n {
                progress(k + 1, n);
            }
        }
        report.imported = n;
        let detail = serde_json::json!({"rows": total, "valid": n, "errors": report.errors.len(), "imported": n}).to_string();
        self.audit_in(&mut tx, "expert.import", "expert", "", "ok", &detail)
            .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Exports the visible experts matching `filter` as CSV or XLSX. Asks the policy engine for
    /// `export` on the kind and on each record, and audits the export with the records' ids.
    pub async fn export_experts(
        &self,
        filter: &ExpertFilter,
        format: TableFormat,
    ) -> Result<Vec<u8>> {
        self.authorize(Action::Export, Resource::kind(ResourceKind::Expert), None)
            .await?;
        let experts: Vec<Expert> = self
            .all_experts(filter)
            .await?
            .into_iter()
            .filter(|e| {
                self.may(
                    Action::Export,
                    Resource::labelled(ResourceKind::Expert, &e.labels),
                )
            })
            .collect();
        let mut rows = vec![export_header()];
        rows.extend(experts.iter().map(expert_row));
        let bytes = write_table(&rows, format, "Experts")?;
        let ids: Vec<&str> = experts.iter().map(|e| e.id.as_str()).collect();
        let detail =
            serde_json::json!({"format": format.extension(), "count": ids.len(), "ids": ids})
                .to_string();
        self.audit_now("expert.export", "expert", "", "ok", &detail)
            .await?;
        Ok(bytes)
    }
}
