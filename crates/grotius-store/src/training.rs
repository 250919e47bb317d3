//! Trainings and their participants (names encrypted at rest, AAD
//! `training_participants.name:<id>`), CSV import of participants, and the disaggregation by
//! sex and organisation — per training and across the trainings the subject may read.

use std::collections::HashSet;

use grotius_domain::training::{
    Disaggregation, Participant, ParticipantInput, Training, TrainingInput, ValidTraining,
    disaggregate,
};
use grotius_domain::{Action, DomainError, Resource, ResourceKind};
use grotius_security::now_micros;
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, Where};
use crate::lessons::labels_of;
use crate::process::record_change;
use crate::roster::{ImportProblem, ImportReport, TableFormat, read_table, write_table};
use crate::{Access, Page, Result, StoreError, new_id};

const COLS: &str = "id, title, starts_on, ends_on, place, remote, organiser, themes, process_ids, classification, compartment_id, created_at, updated_at, (SELECT COUNT(*) FROM training_participants tp WHERE tp.training_id = trainings.id) AS participant_count";

const P_COLS: &str = "id, training_id, name, sex, organisation, organisation_type, country";

/// The columns of a participants file.
pub const PARTICIPANT_COLUMNS: [&str; 5] = [
    "name",
    "sex",
    "organisation",
    "organisation_type",
    "country",
];

fn name_aad(id: &str) -> String {
    format!("training_participants.name:{id}")
}

fn reason(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

crate::list::listed!(Training);

impl Access {
    fn training_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Training> {
        Ok(Training {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            starts_on: row.try_get("starts_on")?,
            ends_on: row.try_get("ends_on")?,
            place: row.try_get("place")?,
            remote: row.try_get::<i64, _>("remote")? != 0,
            organiser: row.try_get("organiser")?,
            themes: serde_json::from_str(&row.try_get::<String, _>("themes")?).unwrap_or_default(),
            process_ids: serde_json::from_str(&row.try_get::<String, _>("process_ids")?)
                .unwrap_or_default(),
            labels: labels_of(row)?,
            participant_count: row.try_get("participant_count")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    fn participant_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Participant> {
        let id: String = row.try_get("id")?;
        let name: Option<String> = row.try_get("name")?;
        let name = match name {
            Some(n) if !n.is_empty() => self.store.keys.decrypt(&name_aad(&id), &n)?,
            _ => String::new(),
        };
        Ok(Participant {
            training_id: row.try_get("training_id")?,
            name,
            sex: row.try_get("sex")?,
            organisation: row.try_get("organisation")?,
            organisation_type: row.try_get("organisation_type")?,
            country: row.try_get("country")?,
            id,
        })
    }

    /// Only the linked processes the reader may see are shown.
    async fn hide_processes(&self, t: &mut Training) -> Result<()> {
        t.process_ids = self
            .readable_ids(ResourceKind::Process, &t.process_ids)
            .await?;
        Ok(())
    }

    /// Trainings the subject may read, newest first.
    pub async fn list_trainings(&self, limit: i64, offset: i64) -> Result<Page<Training>> {
        let list = self
            .list(ResourceKind::Training, "trainings", "")
            .await?
            .columns(COLS)
            .order("starts_on DESC, id");
        let mut page = self
            .fetch_page(&list, limit, offset, |row| self.training_from_row(row))
            .await?;
        for t in &mut page.items {
            self.hide_processes(t).await?;
        }
        self.audit_list(&list, &page.items).await?;
        Ok(page)
    }

    pub async fn get_training(&self, id: &str) -> Result<Training> {
        let mut t = self
            .get_checked(
                ResourceKind::Training,
                Action::Read,
                format!("SELECT {COLS} FROM trainings WHERE id = $1"),
                id,
                |row| self.training_from_row(row),
            )
            .await?;
        if t.labels.classification.read_is_audited() {
            self.audit_now("training.read", "training", id, "ok", "{}")
                .await?;
        }
        self.hide_processes(&mut t).await?;
        Ok(t)
    }

    /// Linked processes must be processes the writer can see; others do not exist for it.
    async fn check_linked(&self, v: &ValidTraining) -> Result<()> {
        let visible = self
            .readable_ids(ResourceKind::Process, &v.process_ids)
            .await?;
        if let Some(p) = v.process_ids.iter().find(|p| !visible.contains(*p)) {
            return Err(StoreError::invalid(
                "process_ids",
                format!("no such process: {p}"),
            ));
        }
        Ok(())
    }

    async fn write_training(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        v: &ValidTraining,
        create: bool,
    ) -> Result<()> {
        if !self.compartment_exists(conn, &v.labels).await? {
            return Err(StoreError::invalid("compartment", "no such compartment"));
        }
        let sql = if create {
            "INSERT INTO trainings (title, starts_on, ends_on, place, remote, organiser, themes, process_ids, classification,
                                    compartment_id, updated_at, id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11)"
        } else {
            "UPDATE trainings SET title = $1, starts_on = $2, ends_on = $3, place = $4, remote = $5, organiser = $6,
                    themes = $7, process_ids = $8, classification = $9, compartment_id = $10, updated_at = $11
             WHERE id = $12"
        };
        let mut q = sqlx::query(sql)
            .bind(&v.title)
            .bind(&v.starts_on)
            .bind(v.ends_on.clone())
            .bind(&v.place)
            .bind(i64::from(v.remote))
            .bind(&v.organiser)
            .bind(serde_json::to_string(&v.themes).unwrap_or_default())
            .bind(serde_json::to_string(&v.process_ids).unwrap_or_default())
            .bind(v.labels.classification.level())
            .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
            .bind(now_micros())
            .bind(id);
        if create {
            q = q.bind(&self.subject.user_id);
        }
        q.execute(&mut *conn).await?;
        Ok(())
    }

    pub async fn create_training(&self, input: &TrainingInput) -> Result<Training> {
        self.authorize(Action::Create, Resource::kind(ResourceKind::Training), None)
            .await?;
        let v = input.validate()?;
        self.authorize_labels(Action::Create, ResourceKind::Training, &v.labels, None)
            .await?;
        self.check_linked(&v).await?;
        let id = new_id();
        let mut tx = self.store.write_tx().await?;
        self.write_training(&mut tx, &id, &v, true).await?;
        record_change(&mut tx, "training", &id, "upsert").await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        self.audit_in(&mut tx, "training.create", "training", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_training(&id).await
    }

    pub async fn update_training(&self, id: &str, input: &TrainingInput) -> Result<Training> {
        let current = self.get_training(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Training, &current.labels),
            Some(id),
        )
        .await?;
        let mut v = input.validate()?;
        self.authorize_labels(Action::Update, ResourceKind::Training, &v.labels, Some(id))
            .await?;
        // Links to processes the writer cannot see stay as they are.
        let row = sqlx::query("SELECT process_ids FROM trainings WHERE id = $1")
            .bind(id)
            .fetch_one(&self.store.pool)
            .await?;
        let stored: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("process_ids")?).unwrap_or_default();
        self.check_linked(&v).await?;
        v.process_ids = self
            .with_unreadable_kept(ResourceKind::Process, &stored, v.process_ids)
            .await?;
        let mut tx = self.store.write_tx().await?;
        self.write_training(&mut tx, id, &v, false).await?;
        // Participants carry their training's labels: the change feed tells followers.
        record_change(&mut tx, "training", id, "upsert").await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        self.audit_in(&mut tx, "training.update", "training", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_training(id).await
    }

    pub async fn delete_training(&self, id: &str) -> Result<()> {
        let t = self.get_training(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::Training, &t.labels),
            Some(id),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("DELETE FROM training_participants WHERE training_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({"participants": t.participant_count}).to_string();
        self.delete_row(&mut tx, "trainings", "training", id, &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The participants of a training (readers of the training see them).
    pub async fn list_participants(&self, training_id: &str) -> Result<Vec<Participant>> {
        let t = self.get_training(training_id).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {P_COLS} FROM training_participants WHERE training_id = $1 ORDER BY organisation, created_at, id"
        )))
        .bind(&t.id)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(|r| self.participant_from_row(r)).collect()
    }

    /// Adding or removing participants is changing the training.
    async fn training_for_update(&self, training_id: &str) -> Result<Training> {
        let t = self.get_training(training_id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Training, &t.labels),
            Some(training_id),
        )
        .await?;
        Ok(t)
    }

    async fn insert_participant(
        &self,
        conn: &mut AnyConnection,
        training_id: &str,
        p: &ParticipantInput,
    ) -> Result<String> {
        let id = new_id();
        let name = if p.name.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&name_aad(&id), &p.name)?)
        };
        sqlx::query(
            "INSERT INTO training_participants (id, training_id, name, sex, organisation, organisation_type, country, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(training_id)
        .bind(name)
        .bind(&p.sex)
        .bind(&p.organisation)
        .bind(&p.organisation_type)
        .bind(&p.country)
        .bind(now_micros())
        .execute(&mut *conn)
        .await?;
        Ok(id)
    }

    pub async fn add_participant(
        &self,
        training_id: &str,
        input: &ParticipantInput,
    ) -> Result<Participant> {
        let t = self.training_for_update(training_id).await?;
        let v = input.validate()?;
        let mut tx = self.store.write_tx().await?;
        let id = self.insert_participant(&mut tx, &t.id, &v).await?;
        record_change(&mut tx, "training", &t.id, "upsert").await?;
        let detail = serde_json::json!({"participant": id}).to_string();
        self.audit_in(
            &mut tx,
            "training.participant.add",
            "training",
            &t.id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(Participant {
            id,
            training_id: t.id,
            name: v.name,
            sex: v.sex,
            organisation: v.organisation,
            organisation_type: v.organisation_type,
            country: v.country,
        })
    }

    /// Removes a participant; returns the training's id.
    pub async fn delete_participant(&self, id: &str) -> Result<String> {
        let sql = "SELECT training_id FROM training_participants WHERE id = $1".into();
        let row = self.fetch_row(ResourceKind::Training, sql, id).await?;
        let training_id: String = row.try_get("training_id")?;
        let t = self.training_for_update(&training_id).await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("DELETE FROM training_participants WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "training", &t.id, "upsert").await?;
        let detail = serde_json::json!({"participant": id}).to_string();
        self.audit_in(
            &mut tx,
            "training.participant.delete",
            "training",
            &t.id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(t.id)
    }

    /// Imports participants from a CSV (or XLSX) file with a header row (columns
    /// [`PARTICIPANT_COLUMNS`]). Every row is checked first; the report names row (header = 1)
    /// and column of each bad value, and nothing is written if any row is bad.
    pub async fn import_participants(
        &self,
        training_id: &str,
        bytes: &[u8],
        format: TableFormat,
    ) -> Result<ImportReport> {
        let t = self.training_for_update(training_id).await?;
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
            if !h.is_empty() && !PARTICIPANT_COLUMNS.contains(&h.as_str()) {
                errors.push(ImportProblem {
                    row: 1,
                    column: h.clone(),
                    value: h.clone(),
                    message: format!(
                        "unknown column {}; the columns are: {}",
                        i + 1,
                        PARTICIPANT_COLUMNS.join(", ")
                    ),
                });
            }
        }
        for required in ["sex", "organisation", "organisation_type"] {
            if !header.iter().any(|h| h == required) {
                errors.push(ImportProblem {
                    row: 1,
                    column: required.into(),
                    value: String::new(),
                    message: "this column is required".into(),
                });
            }
        }
        let mut valid = Vec::new();
        let mut total = 0usize;
        for (i, row) in rows {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            total += 1;
            let cell = |col: &str| {
                header
                    .iter()
                    .position(|h| h == col)
                    .and_then(|i| row.get(i))
                    .cloned()
                    .unwrap_or_default()
            };
            let input = ParticipantInput {
                name: cell("name"),
                sex: cell("sex"),
                organisation: cell("organisation"),
                organisation_type: cell("organisation_type"),
                country: cell("country"),
            };
            match input.validate_all() {
                Ok(v) => valid.push(v),
                Err(errs) => {
                    for (column, e) in errs {
                        errors.push(ImportProblem {
                            row: i + 1,
                            column: column.into(),
                            value: cell(column),
                            message: reason(&e),
                        });
                    }
                }
            }
        }
        let mut report = ImportReport {
            rows: total,
            valid: valid.len(),
            imported: 0,
            errors,
        };
        if !report.errors.is_empty() || valid.is_empty() {
            let detail = serde_json::json!({"rows": total, "valid": report.valid, "errors": report.errors.len(), "imported": 0}).to_string();
            self.audit_now(
                "training.participant.import",
                "training",
                &t.id,
                "failed",
                &detail,
            )
            .await?;
            return Ok(report);
        }
        let mut tx = self.store.write_tx().await?;
        for v in &valid {
            self.insert_participant(&mut tx, &t.id, v).await?;
        }
        record_change(&mut tx, "training", &t.id, "upsert").await?;
        report.imported = valid.len();
        let detail = serde_json::json!({"rows": total, "imported": report.imported}).to_string();
        self.audit_in(
            &mut tx,
            "training.participant.import",
            "training",
            &t.id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Participants disaggregated by sex, organisation type and organisation: of one training,
    /// or (`None`) across every training the subject may read.
    pub async fn training_disaggregation(
        &self,
        training_id: Option<&str>,
    ) -> Result<Disaggregation> {
        match training_id {
            Some(id) => {
                let ps = self.list_participants(id).await?;
                Ok(disaggregate(1, ps.iter()))
            }
            None => {
                self.authorize(Action::Read, Resource::kind(ResourceKind::Training), None)
                    .await?;
                let mut f = Where::default();
                f.visibility(self, "");
                let trainings = f
                    .query(format!(
                        "SELECT id, classification, compartment_id FROM trainings{}",
                        f.sql()
                    ))
                    .fetch_all(&self.store.pool)
                    .await?;
                let mut ids = HashSet::new();
                let mut audited = Vec::new();
                for r in &trainings {
                    let labels = labels_of(r)?;
                    let id: String = r.try_get("id")?;
                    self.recheck(Action::Read, ResourceKind::Training, &labels, &id)?;
                    if labels.classification.read_is_audited() {
                        audited.push(id.clone());
                    }
                    ids.insert(id);
                }
                let mut pf = Where::default();
                pf.push(
                    "training_id IN (SELECT id FROM trainings WHERE classification <= ?",
                    Bind::Int(self.subject.clearance.level()),
                );
                pf.push(
                    "(compartment_id IS NULL OR compartment_id IN (SELECT compartment_id FROM memberships WHERE user_id = ?)))",
                    Bind::Text(self.subject.user_id.clone()),
                );
                let rows = pf
                    .query(format!(
                        "SELECT id, training_id, sex, organisation, organisation_type, country FROM training_participants{}",
                        pf.sql()
                    ))
                    .fetch_all(&self.store.pool)
                    .await?;
                let mut ps = Vec::with_capacity(rows.len());
                for r in &rows {
                    let training_id: String = r.try_get("training_id")?;
                    // Defence in depth: only participants of trainings that passed the check.
                    if !ids.contains(&training_id) {
                        return Err(StoreError::Integrity(format!(
                            "participants of training {training_id} passed the filter but not the policy"
                        )));
                    }
                    ps.push(Participant {
                        id: r.try_get("id")?,
                        training_id,
                        name: String::new(),
                        sex: r.try_get("sex")?,
                        organisation: r.try_get("organisation")?,
                        organisation_type: r.try_get("organisation_type")?,
                        country: r.try_get("country")?,
                    });
                }
                if !audited.is_empty() {
                    let detail = serde_json::json!({"aggregated": audited}).to_string();
                    self.audit_now("training.disaggregation", "training", "", "ok", &detail)
                        .await?;
                }
                Ok(disaggregate(ids.len() as i64, ps.iter()))
            }
        }
    }

    /// The disaggregated table as CSV (export: asked of the policy and audited).
    pub async fn export_disaggregation(&self, training_id: Option<&str>) -> Result<Vec<u8>> {
        match training_id {
            Some(id) => {
                let t = self.get_training(id).await?;
                self.authorize(
                    Action::Export,
                    Resource::labelled(ResourceKind::Training, &t.labels),
                    Some(id),
                )
                .await?;
            }
            None => {
                self.authorize(Action::Export, Resource::kind(ResourceKind::Training), None)
                    .await?;
            }
        }
        let d = self.training_disaggregation(training_id).await?;
        let bytes = write_table(&d.rows(), TableFormat::Csv, "Participants")?;
        let detail = serde_json::json!({"trainings": d.trainings, "participants": d.total.total()})
            .to_string();
        self.audit_now(
            "training.export",
            "training",
            training_id.unwrap_or(""),
            "ok",
            &detail,
        )
        .await?;
        Ok(bytes)
    }
}
