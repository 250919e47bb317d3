//! Early warning, reference lists: UCDP's conflict lists (ACD conflict-years, dyadic dyad-years)
//! and the Pacific Institute's water conflict chronology — idempotent imports keyed by the
//! source's own key (`conflict_id:year`, `dyad_id:year`; for the chronology, which has no ids,
//! the SHA-256 of a row's text), reported as the event imports are (added, changed, removed,
//! unchanged), and a country's conflicts and water events read under the reader's visibility.
//!
//! A conflict list is a complete list: rows of the same dataset that a newer file no longer holds
//! are removed. Like conflict events, these are public reference data that no index or cache
//! follows (no change feed); every batch is audited with the keys it added, changed and removed.

use std::collections::{BTreeMap, HashMap};

use grotius_domain::early_warning::{EventProblem, GedFormat};
use grotius_domain::ucdp::{self, ConflictYear, UcdpDataset};
use grotius_domain::water::{self, WaterEvent};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::Serialize;
use sqlx::Row;

use crate::db::{Bind, Where, json_element};
use crate::early_warning::EventImportReport;
use crate::{Access, Result, StoreError, new_id};

/// Rows written per transaction during an import.
const BATCH: usize = 500;

/// One row to import, with its CSV row, its key and its hash.
enum Item<'a> {
    Ucdp(&'a ConflictYear),
    Water(&'a WaterEvent),
}

struct Work<'a> {
    row: usize,
    key: String,
    hash: String,
    item: Item<'a>,
}

/// Where a list is stored: its table, the key and hash columns, and the dataset (UCDP only).
#[derive(Clone, Copy)]
enum Target {
    Ucdp(UcdpDataset),
    Water,
}

impl Target {
    fn table(self) -> &'static str {
        match self {
            Target::Ucdp(_) => "ucdp_conflict_years",
            Target::Water => "water_conflicts",
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Target::Ucdp(_) => "ucdp-conflict.import",
            Target::Water => "water-conflict.import",
        }
    }
}

/// A conflict (ACD) or dyad (dyadic) of a country, summarised over its years in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryConflict {
    pub conflict_id: i64,
    /// The dyad (dyads only).
    pub dyad_id: Option<i64>,
    pub location: String,
    pub side_a: String,
    pub side_a_2nd: String,
    pub side_b: String,
    pub side_b_2nd: String,
    /// 1 territory, 2 government, 3 both.
    pub incompatibility: i64,
    pub territory_name: String,
    /// Of the latest year in the list: 1 intrastate… see [`ConflictYear::type_of_conflict`].
    pub type_of_conflict: i64,
    /// Of the latest year in the list: 1 minor (25–999 deaths), 2 war (1,000 or more).
    pub intensity_level: i64,
    /// Years with a row (25 or more battle-related deaths), first and last.
    pub first_year: i64,
    pub last_year: i64,
    pub years_active: i64,
    /// Years of war (intensity 2).
    pub war_years: i64,
    pub start_date: String,
}

/// A country's conflicts and dyads from UCDP's lists, as far as the reader may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryConflicts {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The latest year of each list (a conflict or dyad with a row in it is active).
    pub acd_latest_year: Option<i64>,
    pub dyadic_latest_year: Option<i64>,
    /// Conflicts with a row in the latest year, wars first.
    pub active_conflicts: Vec<CountryConflict>,
    pub active_dyads: Vec<CountryConflict>,
    /// Earlier conflicts of the country, most recent first.
    pub past_conflicts: Vec<CountryConflict>,
    pub source: String,
}

/// An event of the water conflict chronology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaterConflict {
    pub date: String,
    /// Derived from `date`; both `None` when it fits no form, `year_to` `None` for an open end.
    pub year_from: Option<i64>,
    pub year_to: Option<i64>,
    pub approximate: bool,
    pub headline: String,
    pub conflict_type: String,
    pub country: String,
    pub region: String,
    pub description: String,
    pub sources: String,
}

fn format_of(target: Target) -> GedFormat {
    match target {
        Target::Ucdp(UcdpDataset::Acd) => GedFormat::UcdpAcd,
        Target::Ucdp(UcdpDataset::Dyadic) => GedFormat::UcdpDyadic,
        Target::Water => GedFormat::Water,
    }
}

impl Access {
    /// Imports the UCDP/PRIO Armed Conflict Dataset or the UCDP Dyadic Dataset (CSV). A file
    /// that is not the list is refused with an error naming the missing columns; when any row is
    /// bad nothing is written and the report names each problem's row and column. Rows are
    /// matched by `conflict_id:year` (`dyad_id:year`): new ones added, changed ones updated,
    /// unchanged ones left, and stored rows of the list that the file no longer holds removed.
    pub async fn import_ucdp(
        &self,
        dataset: UcdpDataset,
        bytes: &[u8],
        job: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<EventImportReport> {
        self.may_import_reference().await?;
        let owned = bytes.to_vec();
        let read = tokio::task::spawn_blocking(move || ucdp::read_ucdp(dataset, &owned))
            .await
            .map_err(|e| StoreError::Integrity(format!("the import task failed: {e}")))?;
        let target = Target::Ucdp(dataset);
        let file = match read {
            Ok(f) => f,
            Err(e) => return self.reference_refused_whole(target, e).await,
        };
        let mut unmapped: Vec<(String, usize)> = file
            .unmapped
            .iter()
            .map(|(gw, n)| (format!("Gleditsch–Ward {gw}"), *n))
            .collect();
        unmapped.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let report = EventImportReport {
            format: format_of(target),
            records: file.records,
            added: 0,
            changed: 0,
            removed: 0,
            unchanged: 0,
            problems: file.problems,
            omitted: file.omitted,
            unmapped,
            undated: Vec::new(),
        };
        let work: Vec<Work<'_>> = file
            .rows
            .iter()
            .map(|r| Work {
                row: r.row,
                key: r.record.source_id(),
                hash: r.record.hash(),
                item: Item::Ucdp(&r.record),
            })
            .collect();
        self.reference_import(target, report, work, job, progress)
            .await
    }

    /// Imports the Pacific Institute's Water Conflict Chronology (CSV). Every row is kept; rows
    /// whose date fits no form are imported without years and listed in `undated`. The
    /// chronology has no ids: a row is known by its text, so an edited row is reported as one
    /// added and one removed.
    pub async fn import_water(
        &self,
        bytes: &[u8],
        job: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<EventImportReport> {
        self.may_import_reference().await?;
        let owned = bytes.to_vec();
        let read = tokio::task::spawn_blocking(move || water::read_water(&owned))
            .await
            .map_err(|e| StoreError::Integrity(format!("the import task failed: {e}")))?;
        let file = match read {
            Ok(f) => f,
            Err(e) => return self.reference_refused_whole(Target::Water, e).await,
        };
        let mut unmapped: Vec<(String, usize)> = file.unmapped.clone().into_iter().collect();
        unmapped.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let report = EventImportReport {
            format: GedFormat::Water,
            records: file.records,
            added: 0,
            changed: 0,
            removed: 0,
            unchanged: 0,
            problems: file.problems,
            omitted: file.omitted,
            unmapped,
            undated: file.undated.clone(),
        };
        let work: Vec<Work<'_>> = file
            .rows
            .iter()
            .map(|r| Work {
                row: r.row,
                key: r.key.clone(),
                hash: r.key.clone(),
                item: Item::Water(&r.event),
            })
            .collect();
        self.reference_import(Target::Water, report, work, job, progress)
            .await
    }

    async fn may_import_reference(&self) -> Result<()> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await
    }

    async fn reference_refused_whole(
        &self,
        target: Target,
        e: grotius_domain::DomainError,
    ) -> Result<EventImportReport> {
        let detail = serde_json::json!({"refused": e.to_string(), "written": 0}).to_string();
        self.audit_now(
            target.audit_action(),
            "conflict-event",
            "",
            "failed",
            &detail,
        )
        .await?;
        Err(e.into())
    }

    /// The write half shared by the lists: compare with what is stored, refuse whole on any
    /// problem, then add, change and remove in audited batches.
    async fn reference_import(
        &self,
        target: Target,
        mut report: EventImportReport,
        rows: Vec<Work<'_>>,
        job: Option<&str>,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<EventImportReport> {
        if report.problems.is_empty() && report.omitted == 0 && rows.is_empty() {
            report.problems.push(EventProblem {
                row: 1,
                column: String::new(),
                value: String::new(),
                message: "the file holds no rows".into(),
            });
        }
        if !report.committed() {
            return self.event_import_refused(report).await;
        }
        let dataset = match target {
            Target::Ucdp(d) => d.as_str(),
            Target::Water => "water",
        };
        let query = match target {
            Target::Ucdp(d) => sqlx::query(
                "SELECT id, source_id AS k, source_hash AS h, classification, compartment_id
                 FROM ucdp_conflict_years WHERE dataset = $1",
            )
            .bind(d.as_str()),
            Target::Water => sqlx::query(
                "SELECT id, row_key AS k, row_key AS h, classification, compartment_id
                 FROM water_conflicts",
            ),
        };
        let mut stored: HashMap<String, (String, String, Labels)> = HashMap::new();
        for row in query.fetch_all(&self.store.pool).await? {
            let comp: Option<String> = row.try_get("compartment_id")?;
            let labels = Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            };
            stored.insert(
                row.try_get("k")?,
                (row.try_get("id")?, row.try_get("h")?, labels),
            );
        }
        let mut writes: Vec<(&Work<'_>, Option<String>)> = Vec::new();
        for w in &rows {
            match stored.remove(&w.key) {
                Some((_, h, _)) if h == w.hash => report.unchanged += 1,
                Some((id, _, labels)) => {
                    if !self.may(
                        Action::Update,
                        Resource::labelled(ResourceKind::ConflictEvent, &labels),
                    ) {
                        report.problems.push(EventProblem {
                            row: w.row,
                            column: String::new(),
                            value: w.key.clone(),
                            message: "this row exists under labels you may not change".into(),
                        });
                    }
                    writes.push((w, Some(id)));
                }
                None => writes.push((w, None)),
            }
        }
        // What is left of the stored rows is no longer in the list.
        let mut stale: Vec<(String, String)> = Vec::new();
        let mut left: Vec<(String, (String, String, Labels))> = stored.into_iter().collect();
        left.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, (id, _, labels)) in left {
            if !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::ConflictEvent, &labels),
            ) {
                report.problems.push(EventProblem {
                    row: 0,
                    column: String::new(),
                    value: key.clone(),
                    message: "this stored row is not in the file and would be removed, but you may not remove it".into(),
                });
            }
            stale.push((key, id));
        }
        if !report.problems.is_empty() {
            report.unchanged = 0;
            return self.event_import_refused(report).await;
        }
        let total = writes.len() + stale.len();
        if self
            .event_job_start(job, total, target.audit_action(), &report)
            .await?
        {
            progress(0, 0);
            return Ok(report);
        }
        let mut done = 0usize;
        for chunk in writes.chunks(BATCH) {
            let mut tx = self.store.write_tx().await?;
            let (mut added, mut changed) = (Vec::new(), Vec::new());
            for (w, existing) in chunk {
                self.reference_write(&mut tx, target, w, existing.as_deref())
                    .await?;
                if existing.is_some() {
                    changed.push(w.key.as_str());
                } else {
                    added.push(w.key.as_str());
                }
            }
            done += chunk.len();
            self.event_job_progress(&mut tx, job, done).await?;
            report.added += added.len();
            report.changed += changed.len();
            let detail = serde_json::json!({
                "job": job, "list": dataset, "records": report.records, "added": added,
                "changed": changed, "written": done, "of": total
            })
            .to_string();
            self.audit_in(
                &mut tx,
                target.audit_action(),
                "conflict-event",
                "",
                "ok",
                &detail,
            )
            .await?;
            tx.commit().await?;
            progress(done, total);
        }
        for chunk in stale.chunks(BATCH) {
            let mut tx = self.store.write_tx().await?;
            let mut removed = Vec::new();
            for (key, id) in chunk {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {} WHERE id = $1",
                    target.table()
                )))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                removed.push(key.as_str());
            }
            done += chunk.len();
            self.event_job_progress(&mut tx, job, done).await?;
            report.removed += removed.len();
            let detail = serde_json::json!({
                "job": job, "list": dataset, "records": report.records, "removed": removed,
                "written": done, "of": total
            })
            .to_string();
            self.audit_in(
                &mut tx,
                target.audit_action(),
                "conflict-event",
                "",
                "ok",
                &detail,
            )
            .await?;
            tx.commit().await?;
            progress(done, total);
        }
        Ok(report)
    }

    /// Inserts or updates one row of a list (labels of an existing row are kept).
    async fn reference_write(
        &self,
        conn: &mut sqlx::AnyConnection,
        target: Target,
        w: &Work<'_>,
        existing: Option<&str>,
    ) -> Result<()> {
        let now = now_micros();
        let id = existing.map_or_else(new_id, str::to_string);
        let countries = |c: &[String]| serde_json::to_string(c).unwrap_or_else(|_| "[]".into());
        match (&w.item, target) {
            (Item::Ucdp(r), Target::Ucdp(dataset)) => {
                let sql = if existing.is_some() {
                    "UPDATE ucdp_conflict_years SET source_id = $2, conflict_id = $3, dyad_id = $4, year = $5,
                        location = $6, gwno_loc = $7, countries = $8, side_a = $9, side_a_2nd = $10,
                        side_b = $11, side_b_2nd = $12, incompatibility = $13, territory_name = $14,
                        intensity_level = $15, cumulative_intensity = $16, type_of_conflict = $17,
                        start_date = $18, start_date2 = $19, ep_end = $20, ep_end_date = $21, region = $22,
                        version = $23, source_hash = $24, updated_at = $25
                     WHERE id = $1"
                } else {
                    "INSERT INTO ucdp_conflict_years (id, source_id, conflict_id, dyad_id, year, location,
                        gwno_loc, countries, side_a, side_a_2nd, side_b, side_b_2nd, incompatibility,
                        territory_name, intensity_level, cumulative_intensity, type_of_conflict, start_date,
                        start_date2, ep_end, ep_end_date, region, version, source_hash, created_at,
                        updated_at, dataset, classification, compartment_id, created_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                        $18, $19, $20, $21, $22, $23, $24, $25, $25, $26, 0, NULL, $27)"
                };
                let gwno_loc = r
                    .gwno_loc
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                let q = sqlx::query(sql)
                    .bind(&id)
                    .bind(&w.key)
                    .bind(r.conflict_id)
                    .bind(r.dyad_id)
                    .bind(r.year)
                    .bind(&r.location)
                    .bind(gwno_loc)
                    .bind(countries(&r.countries))
                    .bind(&r.side_a)
                    .bind(&r.side_a_2nd)
                    .bind(&r.side_b)
                    .bind(&r.side_b_2nd)
                    .bind(r.incompatibility)
                    .bind(&r.territory_name)
                    .bind(r.intensity_level)
                    .bind(r.cumulative_intensity)
                    .bind(r.type_of_conflict)
                    .bind(&r.start_date)
                    .bind(&r.start_date2)
                    .bind(r.ep_end.map(i64::from))
                    .bind(&r.ep_end_date)
                    .bind(&r.region)
                    .bind(&r.version)
                    .bind(&w.hash)
                    .bind(now);
                let q = if existing.is_some() {
                    q
                } else {
                    q.bind(dataset.as_str()).bind(&self.subject.user_id)
                };
                q.execute(&mut *conn)
                    .await
                    .map_err(|err| StoreError::from_unique(err, "a row with this id and year"))?;
            }
            (Item::Water(e), Target::Water) => {
                // A water row's key is its text: an existing key is unchanged, never updated.
                let years = e.years;
                sqlx::query(
                    "INSERT INTO water_conflicts (id, row_key, date_text, year_from, year_to, approximate,
                        headline, conflict_type, country_text, countries, region, description, sources,
                        classification, compartment_id, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, NULL, $14, $15, $15)",
                )
                .bind(&id)
                .bind(&w.key)
                .bind(&e.date)
                .bind(years.map(|y| y.from))
                .bind(years.and_then(|y| y.to))
                .bind(i64::from(years.is_some_and(|y| y.approximate)))
                .bind(&e.headline)
                .bind(&e.conflict_type)
                .bind(&e.country)
                .bind(countries(&e.countries))
                .bind(&e.region)
                .bind(&e.description)
                .bind(&e.sources)
                .bind(&self.subject.user_id)
                .bind(now)
                .execute(&mut *conn)
                .await
                .map_err(|err| StoreError::from_unique(err, "a row with this text"))?;
            }
            _ => {
                return Err(StoreError::Integrity(
                    "a row of one list was written to another".into(),
                ));
            }
        }
        Ok(())
    }

    /// A country's conflicts and dyads in UCDP's lists (by `gwno_loc`), as far as the reader may
    /// see them: those with a row in the latest year of the list (active), and the earlier
    /// conflicts.
    pub async fn country_conflicts(&self, country: &str) -> Result<CountryConflicts> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let c = crate::early_warning::country_code(country)?;
        let latest = |dataset: &'static str| {
            let mut f = Where::default();
            f.visibility(self, "");
            f.push("dataset = ?", Bind::Text(dataset.into()));
            f
        };
        let mut years = BTreeMap::new();
        for dataset in ["acd", "dyadic"] {
            let f = latest(dataset);
            let row = f
                .query(format!(
                    "SELECT MAX(year) AS y FROM ucdp_conflict_years{}",
                    f.sql()
                ))
                .fetch_one(&self.store.pool)
                .await?;
            years.insert(dataset, row.try_get::<Option<i64>, _>("y")?);
        }
        let mut f = Where::default();
        f.visibility(self, "");
        f.push("countries LIKE ?", Bind::Text(json_element(&c.alpha2)));
        let rows = f
            .query(format!(
                "SELECT dataset, conflict_id, dyad_id, year, location, side_a, side_a_2nd, side_b,
                        side_b_2nd, incompatibility, territory_name, intensity_level, type_of_conflict,
                        start_date
                 FROM ucdp_conflict_years{} ORDER BY dataset, conflict_id, dyad_id, year",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        // Grouped by (dataset, conflict, dyad); rows come in year order, so the last row of a
        // group is its latest year.
        let mut groups: BTreeMap<(String, i64, Option<i64>), CountryConflict> = BTreeMap::new();
        for r in &rows {
            let dataset: String = r.try_get("dataset")?;
            let conflict_id: i64 = r.try_get("conflict_id")?;
            let dyad_id: Option<i64> = r.try_get("dyad_id")?;
            let year: i64 = r.try_get("year")?;
            let intensity: i64 = r.try_get("intensity_level")?;
            let entry = groups
                .entry((dataset, conflict_id, dyad_id))
                .or_insert_with(|| CountryConflict {
                    conflict_id,
                    dyad_id,
                    location: String::new(),
                    side_a: String::new(),
                    side_a_2nd: String::new(),
                    side_b: String::new(),
                    side_b_2nd: String::new(),
                    incompatibility: 0,
                    territory_name: String::new(),
                    type_of_conflict: 0,
                    intensity_level: 0,
                    first_year: year,
                    last_year: year,
                    years_active: 0,
                    war_years: 0,
                    start_date: String::new(),
                });
            entry.location = r.try_get("location")?;
            entry.side_a = r.try_get("side_a")?;
            entry.side_a_2nd = r.try_get("side_a_2nd")?;
            entry.side_b = r.try_get("side_b")?;
            entry.side_b_2nd = r.try_get("side_b_2nd")?;
            entry.incompatibility = r.try_get("incompatibility")?;
            entry.territory_name = r.try_get("territory_name")?;
            entry.type_of_conflict = r.try_get("type_of_conflict")?;
            entry.intensity_level = intensity;
            entry.start_date = r.try_get("start_date")?;
            entry.last_year = year;
            entry.years_active += 1;
            if intensity == 2 {
                entry.war_years += 1;
            }
        }
        let (mut active_conflicts, mut active_dyads, mut past_conflicts) =
            (Vec::new(), Vec::new(), Vec::new());
        for ((dataset, _, _), conflict) in groups {
            let latest = years.get(dataset.as_str()).copied().flatten();
            let active = latest == Some(conflict.last_year);
            match (dataset.as_str(), active) {
                ("acd", true) => active_conflicts.push(conflict),
                ("acd", false) => past_conflicts.push(conflict),
                ("dyadic", true) => active_dyads.push(conflict),
                _ => {}
            }
        }
        let by_severity = |a: &CountryConflict, b: &CountryConflict| {
            b.intensity_level
                .cmp(&a.intensity_level)
                .then(b.years_active.cmp(&a.years_active))
                .then(a.conflict_id.cmp(&b.conflict_id))
                .then(a.dyad_id.cmp(&b.dyad_id))
        };
        active_conflicts.sort_by(by_severity);
        active_dyads.sort_by(by_severity);
        past_conflicts.sort_by(|a, b| {
            b.last_year
                .cmp(&a.last_year)
                .then(a.conflict_id.cmp(&b.conflict_id))
        });
        Ok(CountryConflicts {
            country: c.alpha2.clone(),
            acd_latest_year: years.get("acd").copied().flatten(),
            dyadic_latest_year: years.get("dyadic").copied().flatten(),
            active_conflicts,
            active_dyads,
            past_conflicts,
            source: ucdp::UCDP_ACD_CITATION.to_string(),
        })
    }

    /// A country's events in the water conflict chronology (its country column names the
    /// country), most recent first; events without years last.
    pub async fn country_water_conflicts(&self, country: &str) -> Result<Vec<WaterConflict>> {
        self.authorize(
            Action::Read,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let c = crate::early_warning::country_code(country)?;
        let mut f = Where::default();
        f.visibility(self, "");
        f.push("countries LIKE ?", Bind::Text(json_element(&c.alpha2)));
        let rows = f
            .query(format!(
                "SELECT date_text, year_from, year_to, approximate, headline, conflict_type,
                        country_text, region, description, sources
                 FROM water_conflicts{}
                 ORDER BY CASE WHEN year_from IS NULL THEN 1 ELSE 0 END, year_from DESC, headline",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(WaterConflict {
                    date: r.try_get("date_text")?,
                    year_from: r.try_get("year_from")?,
                    year_to: r.try_get("year_to")?,
                    approximate: r.try_get::<i64, _>("approximate")? == 1,
                    headline: r.try_get("headline")?,
                    conflict_type: r.try_get("conflict_type")?,
                    country: r.try_get("country_text")?,
                    region: r.try_get("region")?,
                    description: r.try_get("description")?,
                    sources: r.try_get("sources")?,
                })
            })
            .collect()
    }
}
