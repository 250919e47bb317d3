//! Peace agreements (PA-X): an idempotent import keyed by the PA-X AgtId (unchanged rows are not
//! written again), import jobs whose progress any app node can read, the faceted list with
//! counts computed in SQL over what the reader may see, the agreement and the comparison.
//!
//! Every agreement written appends `("agreement", id, "upsert")` to the change feed, so a search
//! index can follow the agreements like every other record.

use std::collections::{BTreeMap, HashMap};

use grotius_domain::agreement::{
    self, Agreement, AgreementData, FACETS, Facets, PaxProblem, PaxRow,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{Bind, Where};
use crate::job::{JobOutcome, JobTable, shown_status};
use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

const COLS: &str = "id, pax_id, name, date, year, country_text, countries, region, agreement_type, stage, stage_sub, status, conflict_type, peace_process, parties, third_parties, provisions, extra, classification, compartment_id, created_at, updated_at";

/// Rows written per transaction during an import (progress is reported between them).
const BATCH: usize = 200;

/// At most this many agreements are compared side by side.
pub const COMPARE_MAX: usize = 12;

/// The filters of the agreements list. Facets are codes of [`FACETS`] that must all be present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementFilter {
    pub q: Option<String>,
    #[serde(default)]
    pub facets: Vec<String>,
    pub stage: Option<String>,
    pub agreement_type: Option<String>,
    pub region: Option<String>,
    /// ISO 3166-1 code (alpha-2 or alpha-3).
    pub country: Option<String>,
    pub year_from: Option<i64>,
    pub year_to: Option<i64>,
}

/// A value of a facet and how many agreements under the current filter have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: i64,
}

/// Counts of every facet over the agreements that match the filter and that the reader may see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgreementFacets {
    /// One entry per code of [`FACETS`], in its order.
    pub provisions: Vec<FacetCount>,
    pub stages: Vec<FacetCount>,
    pub types: Vec<FacetCount>,
    pub regions: Vec<FacetCount>,
    /// Ascending by year.
    pub years: Vec<FacetCount>,
    /// ISO alpha-2, most frequent first.
    pub countries: Vec<FacetCount>,
}

/// One page of agreements with the facet counts.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementResults {
    pub items: Vec<Agreement>,
    /// Agreements matching the filter.
    pub total: i64,
    /// Agreements the reader may see at all.
    pub all: i64,
    pub limit: i64,
    pub offset: i64,
    pub facets: AgreementFacets,
}

/// What an import did. Nothing is written when `problems` is not empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaxReport {
    /// Records after the header.
    pub records: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub problems: Vec<PaxProblem>,
    /// PA-X country names without an ISO 3166-1 code, with the number of agreements.
    pub unmapped: Vec<(String, usize)>,
}

impl PaxReport {
    /// Whether the file was accepted (possibly with nothing to change).
    pub fn committed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// An import started from the web, as any app node sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportJob {
    pub id: String,
    /// running, done, failed or interrupted (running but not heard from for ten minutes).
    pub status: String,
    pub file_name: String,
    pub started_by: String,
    pub started_at: i64,
    pub updated_at: i64,
    pub rows_total: i64,
    pub rows_done: i64,
    pub report: Option<PaxReport>,
    pub error: Option<String>,
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

crate::list::listed!(Agreement);

impl Access {
    fn agreement_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Agreement> {
        let comp: Option<String> = row.try_get("compartment_id")?;
        let provisions: BTreeMap<String, i64> =
            serde_json::from_str(&row.try_get::<String, _>("provisions")?).unwrap_or_default();
        Ok(Agreement {
            id: row.try_get("id")?,
            data: AgreementData {
                pax_id: row.try_get("pax_id")?,
                name: row.try_get("name")?,
                date: row.try_get("date")?,
                year: row.try_get("year")?,
                country_text: row.try_get("country_text")?,
                countries: serde_json::from_str(&row.try_get::<String, _>("countries")?)
                    .unwrap_or_default(),
                region: row.try_get("region")?,
                agreement_type: row.try_get("agreement_type")?,
                stage: row.try_get("stage")?,
                stage_sub: row.try_get("stage_sub")?,
                status: row.try_get("status")?,
                conflict_type: row.try_get("conflict_type")?,
                peace_process: row.try_get("peace_process")?,
                parties: row.try_get("parties")?,
                third_parties: row.try_get("third_parties")?,
                facets: Facets::of(&provisions),
                provisions,
                extra: serde_json::from_str(&row.try_get::<String, _>("extra")?)
                    .unwrap_or_default(),
            },
            labels: Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            },
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// The SQL filter of a list: the reader's visibility and the user's filters, checked.
    fn agreement_filters(&self, f: &mut Where, filter: &AgreementFilter) -> Result<()> {
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let q = q.replace(['%', '_'], "").to_lowercase();
            f.push("LOWER(name) LIKE ?", Bind::Text(format!("%{q}%")));
        }
        for facet in filter
            .facets
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            let column = match facet {
                "women" => "women",
                "water" => "water",
                "human-rights" => "human_rights",
                "transitional-justice" => "transitional_justice",
                "ceasefire" => "ceasefire",
                "ssr-ddr" => "ssr_ddr",
                other => {
                    return Err(StoreError::invalid(
                        "facet",
                        format!(
                            "unknown facet '{other}'; expected one of: {}",
                            FACETS.iter().map(|t| t.code).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            };
            f.push(&format!("{column} = ?"), Bind::Int(1));
        }
        f.push_text("stage = ?", filter.stage.as_deref());
        f.push_text("agreement_type = ?", filter.agreement_type.as_deref());
        f.push_text("region = ?", filter.region.as_deref());
        f.push_country(
            "id IN (SELECT agreement_id FROM agreement_countries WHERE country = ?)",
            filter.country.as_deref(),
            str::to_string,
        )?;
        for (bound, value, clause) in [
            ("year_from", filter.year_from, "year >= ?"),
            ("year_to", filter.year_to, "year <= ?"),
        ] {
            if let Some(y) = value {
                if !(1000..=9999).contains(&y) {
                    return Err(StoreError::invalid(
                        if bound == "year_from" {
                            "year_from"
                        } else {
                            "year_to"
                        },
                        format!("{y} is not a year"),
                    ));
                }
                f.push(clause, Bind::Int(y));
            }
        }
        if let (Some(a), Some(b)) = (filter.year_from, filter.year_to)
            && a > b
        {
            return Err(StoreError::invalid(
                "year_to",
                format!("the range ends ({b}) before it starts ({a})"),
            ));
        }
        Ok(())
    }

    async fn agreement_group_counts(&self, f: &Where, column: &str) -> Result<Vec<FacetCount>> {
        let rows = f
            .query(format!(
                "SELECT {column} AS k, COUNT(*) AS n FROM agreements{} GROUP BY {column} ORDER BY n DESC, {column}",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FacetCount {
                    value: r.try_get("k")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// Agreements the subject may see that match `filter` (newest first), with the total and
    /// the count of every facet — all computed in SQL under the same visibility filter.
    pub async fn list_agreements(
        &self,
        filter: &AgreementFilter,
        limit: i64,
        offset: i64,
    ) -> Result<AgreementResults> {
        let mut list = self
            .list(ResourceKind::Agreement, "agreements", "")
            .await?
            .columns(COLS)
            .order("date DESC, pax_id DESC");
        self.agreement_filters(&mut list.filter, filter)?;
        let (limit, offset) = list.page(limit, offset);
        let items = self
            .fetch_rows(&list, Some((limit, offset)), |row| {
                self.agreement_from_row(row)
            })
            .await?;
        let f = &list.filter;
        let counts = f
            .query(format!(
                "SELECT COUNT(*) AS n,
                        COUNT(CASE WHEN women = 1 THEN 1 END) AS women,
                        COUNT(CASE WHEN water = 1 THEN 1 END) AS water,
                        COUNT(CASE WHEN human_rights = 1 THEN 1 END) AS human_rights,
                        COUNT(CASE WHEN transitional_justice = 1 THEN 1 END) AS transitional_justice,
                        COUNT(CASE WHEN ceasefire = 1 THEN 1 END) AS ceasefire,
                        COUNT(CASE WHEN ssr_ddr = 1 THEN 1 END) AS ssr_ddr
                 FROM agreements{}",
                f.sql()
            ))
            .fetch_one(&self.store.pool)
            .await?;
        let total: i64 = counts.try_get("n")?;
        let mut provisions = Vec::new();
        for (code, column) in [
            ("women", "women"),
            ("water", "water"),
            ("human-rights", "human_rights"),
            ("transitional-justice", "transitional_justice"),
            ("ceasefire", "ceasefire"),
            ("ssr-ddr", "ssr_ddr"),
        ] {
            provisions.push(FacetCount {
                value: code.to_string(),
                count: counts.try_get(column)?,
            });
        }
        let years = f
            .query(format!(
                "SELECT year AS k, COUNT(*) AS n FROM agreements{} GROUP BY year ORDER BY year",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(FacetCount {
                    value: r.try_get::<i64, _>("k")?.to_string(),
                    count: r.try_get("n")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let countries = f
            .query(format!(
                "SELECT country AS k, COUNT(*) AS n FROM agreement_countries
                 WHERE agreement_id IN (SELECT id FROM agreements{})
                 GROUP BY country ORDER BY n DESC, country LIMIT 250",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(FacetCount {
                    value: r.try_get("k")?,
                    count: r.try_get("n")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut all_f = Where::default();
        all_f.visibility(self, "");
        let all: i64 = all_f
            .query(format!(
                "SELECT COUNT(*) AS n FROM agreements{}",
                all_f.sql()
            ))
            .fetch_one(&self.store.pool)
            .await?
            .try_get("n")?;
        let facets = AgreementFacets {
            provisions,
            stages: self.agreement_group_counts(f, "stage").await?,
            types: self.agreement_group_counts(f, "agreement_type").await?,
            regions: self.agreement_group_counts(f, "region").await?,
            years,
            countries,
        };
        self.audit_list(&list, &items).await?;
        Ok(AgreementResults {
            items,
            total,
            all,
            limit,
            offset,
            facets,
        })
    }

    /// An agreement by its id or its PA-X AgtId; 404 when it does not exist or may not be seen.
    pub async fn get_agreement(&self, id: &str) -> Result<Agreement> {
        let a = self.agreement_for(Action::Read, id).await?;
        if a.labels.classification.read_is_audited() {
            self.audit_now("agreement.read", "agreement", &a.id, "ok", "{}")
                .await?;
        }
        Ok(a)
    }

    async fn agreement_for(&self, action: Action, id: &str) -> Result<Agreement> {
        let id = id.trim();
        let row = match id.parse::<i64>() {
            Ok(pax) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLS} FROM agreements WHERE pax_id = $1"
                )))
                .bind(pax)
                .fetch_optional(&self.store.pool)
                .await?
            }
            Err(_) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLS} FROM agreements WHERE id = $1"
                )))
                .bind(id)
                .fetch_optional(&self.store.pool)
                .await?
            }
        };
        let Some(row) = row else {
            self.authorize(action, Resource::kind(ResourceKind::Agreement), None)
                .await?;
            return Err(StoreError::NotFound);
        };
        let a = self.agreement_from_row(&row)?;
        self.authorize(
            action,
            Resource::labelled(ResourceKind::Agreement, &a.labels),
            Some(&a.id),
        )
        .await?;
        Ok(a)
    }

    async fn agreements_for(&self, action: Action, ids: &[String]) -> Result<Vec<Agreement>> {
        let mut wanted: Vec<&str> = Vec::new();
        for id in ids.iter().flat_map(|i| i.split(',')).map(str::trim) {
            if !id.is_empty() && !wanted.contains(&id) {
                wanted.push(id);
            }
        }
        if wanted.is_empty() {
            return Err(StoreError::invalid(
                "ids",
                "choose at least one agreement to compare",
            ));
        }
        if wanted.len() > COMPARE_MAX {
            return Err(StoreError::invalid(
                "ids",
                format!("compare at most {COMPARE_MAX} agreements at a time"),
            ));
        }
        let mut out = Vec::new();
        for id in wanted {
            out.push(self.agreement_for(action, id).await?);
        }
        Ok(out)
    }

    /// Agreements side by side (by id or AgtId, in the order given); 404 if any may not be seen.
    pub async fn compare_agreements(&self, ids: &[String]) -> Result<Vec<Agreement>> {
        let out = self.agreements_for(Action::Read, ids).await?;
        let audited: Vec<&str> = out
            .iter()
            .filter(|a| a.labels.classification.read_is_audited())
            .map(|a| a.id.as_str())
            .collect();
        if !audited.is_empty() {
            self.audit_now(
                "agreement.compare",
                "agreement",
                "",
                "ok",
                &serde_json::json!({"read": audited}).to_string(),
            )
            .await?;
        }
        Ok(out)
    }

    /// The agreements of a comparison to be exported (`format`: docx, print, …): asks for
    /// export on each and records the export in the audit log.
    pub async fn export_agreement_comparison(
        &self,
        ids: &[String],
        format: &str,
    ) -> Result<Vec<Agreement>> {
        self.authorize(
            Action::Export,
            Resource::kind(ResourceKind::Agreement),
            None,
        )
        .await?;
        let out = self.agreements_for(Action::Export, ids).await?;
        let pax: Vec<i64> = out.iter().map(|a| a.data.pax_id).collect();
        let detail = serde_json::json!({"format": format, "pax_ids": pax}).to_string();
        self.audit_now("agreement.export", "agreement", "", "ok", &detail)
            .await?;
        Ok(out)
    }

    /// Imports a PA-X CSV export. Every row is checked first; when any row is bad nothing is
    /// written and the report names each problem's row and column. Agreements are matched by
    /// AgtId: new ones are inserted, changed ones updated, unchanged ones left alone (so a
    /// second import of the same file writes nothing). Writes go in transactions of
    /// [`BATCH`] rows, each audited and appended to the change feed; `progress` hears
    /// (rows written, rows to write).
    pub async fn import_agreements(
        &self,
        bytes: &[u8],
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<PaxReport> {
        self.agreement_import(bytes, None, progress).await
    }

    async fn agreement_import(
        &self,
        bytes: &[u8],
        job: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<PaxReport> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Agreement),
            None,
        )
        .await?;
        let owned = bytes.to_vec();
        let file = tokio::task::spawn_blocking(move || agreement::read_pax(&owned))
            .await
            .map_err(|e| StoreError::Integrity(format!("the import task failed: {e}")))?;
        let mut report = PaxReport {
            records: file.records,
            problems: file.problems,
            unmapped: file.unmapped.into_iter().collect(),
            ..Default::default()
        };
        report
            .unmapped
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if report.problems.is_empty() && file.rows.is_empty() {
            report.problems.push(PaxProblem {
                row: 1,
                column: String::new(),
                value: String::new(),
                message: "the file has a header but no agreements".into(),
            });
        }
        if !report.problems.is_empty() {
            let detail = serde_json::json!({"records": report.records, "problems": report.problems.len(), "written": 0}).to_string();
            self.audit_now("agreement.import", "agreement", "", "failed", &detail)
                .await?;
            return Ok(report);
        }
        // What exists: id, hash and labels by AgtId.
        let existing: HashMap<i64, (String, String, Labels)> = sqlx::query(
            "SELECT id, pax_id, source_hash, classification, compartment_id FROM agreements",
        )
        .fetch_all(&self.store.pool)
        .await?
        .iter()
        .map(|r| {
            let comp: Option<String> = r.try_get("compartment_id")?;
            Ok((
                r.try_get::<i64, _>("pax_id")?,
                (
                    r.try_get::<String, _>("id")?,
                    r.try_get::<String, _>("source_hash")?,
                    Labels {
                        classification: Classification::from_level(r.try_get("classification")?)?,
                        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
                    },
                ),
            ))
        })
        .collect::<Result<_>>()?;
        let mut work: Vec<(&PaxRow, Option<&str>)> = Vec::new();
        for row in &file.rows {
            match existing.get(&row.data.pax_id) {
                Some((_, hash, _)) if *hash == row.hash => report.unchanged += 1,
                Some((id, _, labels)) => {
                    if !self.may(
                        Action::Update,
                        Resource::labelled(ResourceKind::Agreement, labels),
                    ) {
                        report.problems.push(PaxProblem {
                            row: row.row,
                            column: "AgtId".into(),
                            value: row.data.pax_id.to_string(),
                            message: "this agreement exists under labels you may not change".into(),
                        });
                    }
                    work.push((row, Some(id.as_str())));
                }
                None => work.push((row, None)),
            }
        }
        if !report.problems.is_empty() {
            report.unchanged = 0;
            let detail = serde_json::json!({"records": report.records, "problems": report.problems.len(), "written": 0}).to_string();
            self.audit_now("agreement.import", "agreement", "", "failed", &detail)
                .await?;
            return Ok(report);
        }
        let total = work.len();
        if let Some(job) = job {
            sqlx::query(
                "UPDATE agreement_imports SET rows_total = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(total as i64)
            .bind(now_micros())
            .bind(job)
            .execute(&self.store.pool)
            .await?;
        }
        if total == 0 {
            let detail = serde_json::json!({"records": report.records, "unchanged": report.unchanged, "written": 0}).to_string();
            self.audit_now("agreement.import", "agreement", "", "ok", &detail)
                .await?;
            progress(0, 0);
            return Ok(report);
        }
        let mut done = 0usize;
        for chunk in work.chunks(BATCH) {
            let mut tx = self.store.write_tx().await?;
            let (mut inserted, mut updated) = (Vec::new(), Vec::new());
            for (row, existing_id) in chunk {
                let id = self.agreement_write(&mut tx, row, *existing_id).await?;
                if existing_id.is_some() {
                    updated.push(row.data.pax_id);
                } else {
                    inserted.push(row.data.pax_id);
                }
                record_change(&mut tx, "agreement", &id, "upsert").await?;
            }
            done += chunk.len();
            if let Some(job) = job {
                sqlx::query(
                    "UPDATE agreement_imports SET rows_done = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(done as i64)
                .bind(now_micros())
                .bind(job)
                .execute(&mut *tx)
                .await?;
            }
            report.inserted += inserted.len();
            report.updated += updated.len();
            let detail = serde_json::json!({
                "job": job, "records": report.records, "inserted": inserted, "updated": updated,
                "written": done, "of": total
            })
            .to_string();
            self.audit_in(&mut tx, "agreement.import", "agreement", "", "ok", &detail)
                .await?;
            tx.commit().await?;
            progress(done, total);
        }
        Ok(report)
    }

    /// Inserts or updates one agreement (labels of an existing one are kept).
    async fn agreement_write(
        &self,
        conn: &mut sqlx::AnyConnection,
        row: &PaxRow,
        existing: Option<&str>,
    ) -> Result<String> {
        let d = &row.data;
        let now = now_micros();
        let id = existing.map_or_else(new_id, str::to_string);
        let provisions = serde_json::to_string(&d.provisions).unwrap_or_else(|_| "{}".into());
        let extra = serde_json::to_string(&d.extra).unwrap_or_else(|_| "{}".into());
        let countries = serde_json::to_string(&d.countries).unwrap_or_else(|_| "[]".into());
        let sql = if existing.is_some() {
            "UPDATE agreements SET pax_id = $2, name = $3, date = $4, year = $5, country_text = $6, countries = $7,
                region = $8, agreement_type = $9, stage = $10, stage_sub = $11, status = $12, conflict_type = $13,
                peace_process = $14, parties = $15, third_parties = $16, women = $17, water = $18, human_rights = $19,
                transitional_justice = $20, ceasefire = $21, ssr_ddr = $22, provisions = $23, extra = $24,
                source_hash = $25, updated_at = $26
             WHERE id = $1"
        } else {
            "INSERT INTO agreements (id, pax_id, name, date, year, country_text, countries, region, agreement_type,
                stage, stage_sub, status, conflict_type, peace_process, parties, third_parties, women, water,
                human_rights, transitional_justice, ceasefire, ssr_ddr, provisions, extra, source_hash,
                classification, compartment_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                $21, $22, $23, $24, $25, 0, NULL, $26, $27, $27)"
        };
        let q = sqlx::query(sql)
            .bind(&id)
            .bind(d.pax_id)
            .bind(&d.name)
            .bind(&d.date)
            .bind(d.year)
            .bind(&d.country_text)
            .bind(countries)
            .bind(&d.region)
            .bind(&d.agreement_type)
            .bind(&d.stage)
            .bind(&d.stage_sub)
            .bind(&d.status)
            .bind(&d.conflict_type)
            .bind(&d.peace_process)
            .bind(&d.parties)
            .bind(&d.third_parties)
            .bind(flag(d.facets.women))
            .bind(flag(d.facets.water))
            .bind(flag(d.facets.human_rights))
            .bind(flag(d.facets.transitional_justice))
            .bind(flag(d.facets.ceasefire))
            .bind(flag(d.facets.ssr_ddr))
            .bind(provisions)
            .bind(extra)
            .bind(&row.hash);
        let q = if existing.is_some() {
            q.bind(now)
        } else {
            q.bind(&self.subject.user_id).bind(now)
        };
        q.execute(&mut *conn)
            .await
            .map_err(|e| StoreError::from_unique(e, "an agreement with this AgtId"))?;
        sqlx::query("DELETE FROM agreement_countries WHERE agreement_id = $1")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        for c in &d.countries {
            sqlx::query("INSERT INTO agreement_countries (agreement_id, country) VALUES ($1, $2)")
                .bind(&id)
                .bind(c)
                .execute(&mut *conn)
                .await?;
        }
        Ok(id)
    }

    /// Starts an import as a background job and returns its id at once; the job's progress and
    /// report are kept in the database (see [`Access::agreement_import_job`]).
    pub async fn start_agreement_import(&self, file_name: &str, bytes: Vec<u8>) -> Result<String> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Agreement),
            None,
        )
        .await?;
        if bytes.is_empty() {
            return Err(StoreError::invalid("file", "the file is empty"));
        }
        self.start_import_job(
            JobTable::Agreements,
            None,
            "agreement.import.start",
            "agreement-import",
            file_name,
            bytes.len(),
            move |access, job| async move {
                access
                    .agreement_import(&bytes, Some(&job), &mut |_, _| {})
                    .await
                    .map(|r| (r.committed(), r))
            },
        )
        .await
    }

    /// An import job (for those who may import agreements).
    pub async fn agreement_import_job(&self, id: &str) -> Result<ImportJob> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Agreement),
            None,
        )
        .await?;
        let row = sqlx::query(
            "SELECT id, status, file_name, started_by, started_at, updated_at, rows_total, rows_done, report
             FROM agreement_imports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let updated_at: i64 = row.try_get("updated_at")?;
        let status = shown_status(row.try_get("status")?, updated_at);
        let out: JobOutcome<PaxReport> = JobOutcome::parse(&row.try_get::<String, _>("report")?);
        Ok(ImportJob {
            id: row.try_get("id")?,
            status,
            file_name: row.try_get("file_name")?,
            started_by: row.try_get("started_by")?,
            started_at: row.try_get("started_at")?,
            updated_at,
            rows_total: row.try_get("rows_total")?,
            rows_done: row.try_get("rows_done")?,
            report: out.report,
            error: out.error,
        })
    }
}
