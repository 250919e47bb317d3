//! Debriefs (lessons, FDFA template) of a process, and the lessons search across engagements.
//!
//! A debrief carries labels at least as strict as its process. Its narrative fields are
//! encrypted at rest (AAD `debriefs.<column>:<id>`), so the search cannot run in SQL: it selects
//! the debriefs the reader may read (visibility filter on the debrief *and* its process),
//! decrypts them and matches in memory ([`grotius_domain::lessons::match_fields`]). That is fine
//! for thousands of debriefs; the general full-text index (issue 5) can replace the inside of
//! [`Access::search_debriefs`] — candidates and matcher — without changing its answer.

use std::collections::HashMap;

use grotius_domain::lessons::{
    Debrief, DebriefInput, FollowUp, LessonFilters, LessonQuery, Snippet, ValidDebrief,
    match_fields,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, Where};
use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

const COLS: &str = "id, process_id, engagement_id, moment, date, author, case_title, dutch_role, started_on, ended_on, parties, other_parties, background, entry_points, process_design, key_lessons, follow_up, themes, classification, compartment_id, created_at, updated_at";

// The encrypted columns (other parties, background, entry points, process design, key
// lessons, follow-up) are listed for key rotation in `Access::reencrypt_all`.
fn aad(column: &str, id: &str) -> String {
    format!("debriefs.{column}:{id}")
}

/// One hit of the lessons search.
#[derive(Debug, Clone, Serialize)]
pub struct LessonHit {
    pub debrief_id: String,
    pub process_id: String,
    /// The process's display name (its codename where it has one).
    pub process_name: String,
    pub case_title: String,
    pub moment: String,
    pub date: String,
    pub dutch_role: String,
    pub themes: Vec<String>,
    pub labels: Labels,
    /// The field holding the (first) match, e.g. `key_lessons`.
    pub field: String,
    pub snippet: Snippet,
}

/// The answer of the lessons search: hits (newest first) among the debriefs the reader may
/// read, and how many there are.
#[derive(Debug, Clone, Serialize)]
pub struct LessonResults {
    pub hits: Vec<LessonHit>,
    pub total: usize,
}

pub(crate) fn labels_of(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

crate::list::listed!(Debrief);

impl Access {
    fn seal(&self, column: &str, id: &str, text: &str) -> Result<Option<String>> {
        if text.is_empty() {
            Ok(None)
        } else {
            Ok(Some(self.store.keys.encrypt(&aad(column, id), text)?))
        }
    }

    fn debrief_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Debrief> {
        let id: String = row.try_get("id")?;
        let open = |column: &str| -> Result<String> {
            let v: Option<String> = row.try_get(column)?;
            match v {
                Some(v) if !v.is_empty() => Ok(self.store.keys.decrypt(&aad(column, &id), &v)?),
                _ => Ok(String::new()),
            }
        };
        let follow_up: Vec<FollowUp> = match open("follow_up")? {
            s if s.is_empty() => Vec::new(),
            s => serde_json::from_str(&s)
                .map_err(|e| StoreError::Integrity(format!("follow-up of debrief {id}: {e}")))?,
        };
        Ok(Debrief {
            process_id: row.try_get("process_id")?,
            engagement_id: row.try_get("engagement_id")?,
            moment: row.try_get("moment")?,
            date: row.try_get("date")?,
            author: row.try_get("author")?,
            case_title: row.try_get("case_title")?,
            dutch_role: row.try_get("dutch_role")?,
            started_on: row.try_get("started_on")?,
            ended_on: row.try_get("ended_on")?,
            parties: serde_json::from_str(&row.try_get::<String, _>("parties")?)
                .unwrap_or_default(),
            other_parties: open("other_parties")?,
            background: open("background")?,
            entry_points: open("entry_points")?,
            process_design: open("process_design")?,
            key_lessons: open("key_lessons")?,
            follow_up,
            themes: serde_json::from_str(&row.try_get::<String, _>("themes")?).unwrap_or_default(),
            labels: labels_of(row)?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            id,
        })
    }

    /// The debriefs of a process the subject may read, newest first.
    pub async fn list_debriefs(&self, process_id: &str) -> Result<Vec<Debrief>> {
        let process = self.get_process(process_id).await?;
        let list = self
            .list_of_process(ResourceKind::Debrief, "debriefs", &process, Action::Read)
            .await?
            .columns(COLS)
            .order("date DESC, created_at DESC");
        self.list_all(list, |row| self.debrief_from_row(row)).await
    }

    async fn audit_debriefs_listed(
        &self,
        action: &str,
        kind: &str,
        id: &str,
        ds: &[Debrief],
    ) -> Result<()> {
        let audited: Vec<&str> = ds
            .iter()
            .filter(|d| d.labels.classification.read_is_audited())
            .map(|d| d.id.as_str())
            .collect();
        if !audited.is_empty() {
            let detail = serde_json::json!({"listed": audited}).to_string();
            self.audit_now(action, kind, id, "ok", &detail).await?;
        }
        Ok(())
    }

    /// One debrief; 404 unless the subject may read it and its process. Confidential and
    /// secret reads are audited.
    pub async fn get_debrief(&self, id: &str) -> Result<Debrief> {
        let sql = format!("SELECT {COLS} FROM debriefs WHERE id = $1");
        let row = self.fetch_row(ResourceKind::Debrief, sql, id).await?;
        let labels = labels_of(&row)?;
        self.authorize(
            Action::Read,
            Resource::labelled(ResourceKind::Debrief, &labels),
            Some(id),
        )
        .await?;
        let process_id: String = row.try_get("process_id")?;
        let process_labels =
            sqlx::query("SELECT classification, compartment_id FROM processes WHERE id = $1")
                .bind(&process_id)
                .fetch_optional(&self.store.pool)
                .await?;
        match process_labels {
            Some(p)
                if self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Process, &labels_of(&p)?),
                ) => {}
            _ => return Err(StoreError::NotFound),
        }
        let d = self.debrief_from_row(&row)?;
        if d.labels.classification.read_is_audited() {
            self.audit_now("debrief.read", "debrief", id, "ok", "{}")
                .await?;
        }
        Ok(d)
    }

    /// The journal entry a debrief may be tied to must be one of this process's entries that
    /// the writer can see.
    async fn check_engagement(&self, process_id: &str, v: &ValidDebrief) -> Result<()> {
        let Some(e) = &v.engagement_id else {
            return Ok(());
        };
        let row = sqlx::query(
            "SELECT classification, compartment_id FROM engagements WHERE id = $1 AND process_id = $2",
        )
        .bind(e)
        .bind(process_id)
        .fetch_optional(&self.store.pool)
        .await?;
        let visible = match row {
            Some(r) => self.may(
                Action::Read,
                Resource::labelled(ResourceKind::Engagement, &labels_of(&r)?),
            ),
            None => false,
        };
        if visible {
            Ok(())
        } else {
            Err(StoreError::invalid(
                "engagement_id",
                format!("no entry {e} in this process's engagements journal"),
            ))
        }
    }

    fn with_author(&self, input: &DebriefInput) -> DebriefInput {
        let mut i = input.clone();
        if i.author.trim().is_empty() {
            i.author = self.subject.username.clone();
        }
        i
    }

    async fn write_debrief(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        process_id: &str,
        v: &ValidDebrief,
        create: bool,
    ) -> Result<()> {
        let follow_up = if v.follow_up.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&v.follow_up).unwrap_or_default()
        };
        let sealed = [
            self.seal("other_parties", id, &v.other_parties)?,
            self.seal("background", id, &v.background)?,
            self.seal("entry_points", id, &v.entry_points)?,
            self.seal("process_design", id, &v.process_design)?,
            self.seal("key_lessons", id, &v.key_lessons)?,
            self.seal("follow_up", id, &follow_up)?,
        ];
        let now = now_micros();
        let sql = if create {
            "INSERT INTO debriefs (engagement_id, moment, date, author, case_title, dutch_role, started_on, ended_on, parties,
                                   other_parties, background, entry_points, process_design, key_lessons, follow_up, themes,
                                   classification, compartment_id, updated_at, id, process_id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $19)"
        } else {
            "UPDATE debriefs SET engagement_id = $1, moment = $2, date = $3, author = $4, case_title = $5, dutch_role = $6,
                    started_on = $7, ended_on = $8, parties = $9, other_parties = $10, background = $11, entry_points = $12,
                    process_design = $13, key_lessons = $14, follow_up = $15, themes = $16, classification = $17,
                    compartment_id = $18, updated_at = $19
             WHERE id = $20 AND process_id = $21"
        };
        let [s0, s1, s2, s3, s4, s5] = sealed;
        let mut q = sqlx::query(sql)
            .bind(v.engagement_id.clone())
            .bind(&v.moment)
            .bind(&v.date)
            .bind(&v.author)
            .bind(&v.case_title)
            .bind(&v.dutch_role)
            .bind(&v.started_on)
            .bind(v.ended_on.clone())
            .bind(serde_json::to_string(&v.parties).unwrap_or_default())
            .bind(s0)
            .bind(s1)
            .bind(s2)
            .bind(s3)
            .bind(s4)
            .bind(s5)
            .bind(serde_json::to_string(&v.themes).unwrap_or_default())
            .bind(v.labels.classification.level())
            .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
            .bind(now)
            .bind(id)
            .bind(process_id);
        if create {
            q = q.bind(&self.subject.user_id);
        }
        q.execute(&mut *conn).await?;
        Ok(())
    }

    /// Writes a debrief of a process (labels at least as strict as the process's).
    pub async fn create_debrief(&self, process_id: &str, input: &DebriefInput) -> Result<Debrief> {
        let process = self.get_process(process_id).await?;
        self.authorize(Action::Create, Resource::kind(ResourceKind::Debrief), None)
            .await?;
        let v = self.with_author(input).validate(&process)?;
        self.authorize_labels(Action::Create, ResourceKind::Debrief, &v.labels, None)
            .await?;
        self.check_engagement(&process.id, &v).await?;
        let id = new_id();
        let mut tx = self.store.write_tx().await?;
        self.write_debrief(&mut tx, &id, &process.id, &v, true)
            .await?;
        record_change(&mut tx, "debrief", &id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "moment": v.moment, "classification": v.labels.classification}).to_string();
        self.audit_in(&mut tx, "debrief.create", "debrief", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_debrief(&id).await
    }

    pub async fn update_debrief(&self, id: &str, input: &DebriefInput) -> Result<Debrief> {
        let current = self.get_debrief(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Debrief, &current.labels),
            Some(id),
        )
        .await?;
        let process = self.get_process(&current.process_id).await?;
        let v = self.with_author(input).validate(&process)?;
        self.authorize_labels(Action::Update, ResourceKind::Debrief, &v.labels, Some(id))
            .await?;
        self.check_engagement(&process.id, &v).await?;
        let mut tx = self.store.write_tx().await?;
        self.write_debrief(&mut tx, id, &process.id, &v, false)
            .await?;
        record_change(&mut tx, "debrief", id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "moment": v.moment, "classification": v.labels.classification}).to_string();
        self.audit_in(&mut tx, "debrief.update", "debrief", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_debrief(id).await
    }

    /// Deletes a debrief; returns its process's id.
    pub async fn delete_debrief(&self, id: &str) -> Result<String> {
        let d = self.get_debrief(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::Debrief, &d.labels),
            Some(id),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_row(&mut tx, "debriefs", "debrief", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(d.process_id)
    }

    /// Searches the debriefs the subject may read (and whose process it may read): every word
    /// and "quoted phrase" of `query` must match somewhere in the debrief, case- and
    /// accent-insensitively; filters narrow by Dutch role, theme, UN M49 region of the process
    /// countries, moment and year. Hits are newest first, each naming the matched field with a
    /// snippet. Nothing about a debrief the subject may not read takes part in the answer.
    pub async fn search_debriefs(
        &self,
        query: &str,
        filters: &LessonFilters,
    ) -> Result<LessonResults> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::Debrief), None)
            .await?;
        let filters = filters.validate()?;
        let q = LessonQuery::parse(query);
        // The processes the subject may see: names and countries (for the region filter).
        let mut pf = Where::default();
        pf.visibility(self, "");
        let processes: HashMap<String, (String, Vec<String>)> = pf
            .query(format!(
                "SELECT id, title, codename, countries, classification, compartment_id FROM processes{}",
                pf.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?
            .iter()
            .map(|r| {
                let labels = labels_of(r)?;
                let id: String = r.try_get("id")?;
                self.recheck(Action::Read, ResourceKind::Process, &labels, &id)?;
                let codename: Option<String> = r.try_get("codename")?;
                let name = codename.unwrap_or(r.try_get("title")?);
                let countries: Vec<String> =
                    serde_json::from_str(&r.try_get::<String, _>("countries")?).unwrap_or_default();
                Ok((id, (name, countries)))
            })
            .collect::<Result<_>>()?;
        // Candidates: visible debriefs of visible processes, narrowed in SQL where the columns
        // are in clear.
        let mut f = Where::default();
        f.visible_under_process(self, "debriefs");
        f.push_text("moment = ?", filters.moment.as_deref());
        f.push_text("dutch_role = ?", filters.dutch_role.as_deref());
        if let Some(y) = filters.year {
            f.push("date LIKE ?", Bind::Text(format!("{y:04}-%")));
        }
        if let Some(t) = &filters.theme {
            f.push("themes LIKE ?", Bind::Text(format!("%\"{t}\"%")));
        }
        let rows = f
            .query(format!(
                "SELECT {COLS} FROM debriefs{} ORDER BY date DESC, created_at DESC",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut hits = Vec::new();
        let mut matched: Vec<Debrief> = Vec::new();
        for row in &rows {
            let d = self.debrief_from_row(row)?;
            self.recheck(Action::Read, ResourceKind::Debrief, &d.labels, &d.id)?;
            let Some((process_name, countries)) = processes.get(&d.process_id) else {
                continue;
            };
            if !filters.admits(&d, countries) {
                continue;
            }
            let Some(m) = match_fields(&q, &d.search_fields()) else {
                continue;
            };
            hits.push(LessonHit {
                debrief_id: d.id.clone(),
                process_id: d.process_id.clone(),
                process_name: process_name.clone(),
                case_title: d.case_title.clone(),
                moment: d.moment.clone(),
                date: d.date.clone(),
                dutch_role: d.dutch_role.clone(),
                themes: d.themes.clone(),
                labels: d.labels.clone(),
                field: m.field,
                snippet: m.snippet,
            });
            matched.push(d);
        }
        self.audit_debriefs_listed("debrief.search", "debrief", "", &matched)
            .await?;
        Ok(LessonResults {
            total: hits.len(),
            hits,
        })
    }

    /// Whether a process still has debriefs (a process with lessons is not deleted with them).
    pub(crate) async fn process_has_debriefs(&self, process_id: &str) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS x FROM debriefs WHERE process_id = $1 LIMIT 1")
                .bind(process_id)
                .fetch_optional(&self.store.pool)
                .await?
                .is_some(),
        )
    }
}
