//! Processes: the first labelled record kind. The pattern here — SQL visibility filter, policy
//! check per row, audit in the same transaction, confidential fields encrypted, change feed —
//! is the one every module follows.

use grotius_domain::process::{Process, ProcessInput, ValidProcess};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::Deserialize;
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, json_element};
use crate::{Access, Page, Result, StoreError, new_id};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProcessFilter {
    /// Words in the title, codename or summary.
    pub q: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub status: Option<String>,
    pub theme: Option<String>,
}

const COLS: &str = "id, title, codename, countries, phase, tracks, dutch_role, status, themes, engaged, summary, notes, classification, compartment_id, created_at, updated_at";

use crate::db::json_list as list;

fn notes_aad(id: &str) -> String {
    format!("processes.notes:{id}")
}

/// The labels in a row's `classification` and `compartment_id` columns.
pub(crate) fn row_labels(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

pub(crate) async fn record_change(
    conn: &mut AnyConnection,
    kind: &str,
    id: &str,
    op: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO change_feed (resource_kind, resource_id, op, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(id)
    .bind(op)
    .bind(now_micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

crate::list::listed!(Process);

impl Access {
    fn process_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Process> {
        let id: String = row.try_get("id")?;
        let notes: Option<String> = row.try_get("notes")?;
        let notes = match notes {
            Some(n) if !n.is_empty() => self.store.keys.decrypt(&notes_aad(&id), &n)?,
            _ => String::new(),
        };
        let compartment: Option<String> = row.try_get("compartment_id")?;
        Ok(Process {
            title: row.try_get("title")?,
            codename: row.try_get("codename")?,
            countries: list(&row.try_get::<String, _>("countries")?),
            phase: row.try_get("phase")?,
            tracks: list(&row.try_get::<String, _>("tracks")?),
            dutch_role: row.try_get("dutch_role")?,
            status: row.try_get("status")?,
            themes: list(&row.try_get::<String, _>("themes")?),
            engaged: serde_json::from_str(&row.try_get::<String, _>("engaged")?)
                .unwrap_or_default(),
            summary: row.try_get("summary")?,
            notes,
            labels: Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: compartment.map(|c| CompartmentId::parse(&c)).transpose()?,
            },
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            id,
        })
    }

    /// Processes the subject may see, newest first, with the total under the same filter.
    pub async fn list_processes(
        &self,
        filter: &ProcessFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Process>> {
        let mut list = self
            .list(ResourceKind::Process, "processes", "")
            .await?
            .columns(COLS)
            .order("updated_at DESC, id");
        let f = &mut list.filter;
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
            f.push("(LOWER(title) LIKE ? OR LOWER(COALESCE(codename, '')) LIKE ? OR LOWER(summary) LIKE ?)", Bind::Text(pattern));
        }
        f.push_country("countries LIKE ?", filter.country.as_deref(), json_element)?;
        f.push_text("status = ?", filter.status.as_deref());
        if let Some(t) = filter
            .theme
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            f.push(
                "themes LIKE ?",
                Bind::Text(format!("%\"{}\"%", t.replace(['%', '_', '"'], ""))),
            );
        }
        self.list_page(list, limit, offset, |row| self.process_from_row(row))
            .await
    }

    /// One process; confidential and secret reads are audited.
    pub async fn get_process(&self, id: &str) -> Result<Process> {
        let p = self
            .get_checked(
                ResourceKind::Process,
                Action::Read,
                format!("SELECT {COLS} FROM processes WHERE id = $1"),
                id,
                |row| self.process_from_row(row),
            )
            .await?;
        if p.labels.classification.read_is_audited() {
            self.audit_now("process.read", "process", id, "ok", "{}")
                .await?;
        }
        Ok(p)
    }

    async fn check_compartment_exists(
        &self,
        conn: &mut AnyConnection,
        labels: &Labels,
    ) -> Result<()> {
        if let Some(c) = &labels.compartment {
            let found = sqlx::query("SELECT 1 AS x FROM compartments WHERE id = $1")
                .bind(c.as_str())
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                // Only members reach this point (the policy checked the labels), so naming it is safe.
                return Err(StoreError::invalid(
                    "compartment",
                    format!("compartment '{c}' does not exist"),
                ));
            }
        }
        Ok(())
    }

    pub async fn create_process(&self, input: &ProcessInput) -> Result<Process> {
        // May this subject create processes at all? (404 for those without any process rights,
        // 403 for readers.) Then: may it file one under these labels?
        self.authorize(Action::Create, Resource::kind(ResourceKind::Process), None)
            .await?;
        let v: ValidProcess = input.validate()?;
        self.authorize_labels(Action::Create, ResourceKind::Process, &v.labels, None)
            .await?;
        let id = new_id();
        let now = now_micros();
        let notes = if v.notes.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&notes_aad(&id), &v.notes)?)
        };
        let mut tx = self.store.write_tx().await?;
        self.check_compartment_exists(&mut tx, &v.labels).await?;
        sqlx::query(
            "INSERT INTO processes (id, title, codename, countries, phase, tracks, dutch_role, status, themes, summary, notes,
                                    classification, compartment_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(&id)
        .bind(&v.title)
        .bind(v.codename.clone())
        .bind(serde_json::to_string(&v.countries).unwrap_or_default())
        .bind(&v.phase)
        .bind(serde_json::to_string(&v.tracks).unwrap_or_default())
        .bind(&v.dutch_role)
        .bind(&v.status)
        .bind(serde_json::to_string(&v.themes).unwrap_or_default())
        .bind(&v.summary)
        .bind(notes)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE processes SET engaged = $1 WHERE id = $2")
            .bind(serde_json::to_string(&v.engaged).unwrap_or_default())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "process", &id, "upsert").await?;
        let detail = serde_json::json!({"classification": v.labels.classification, "compartment": v.labels.compartment}).to_string();
        self.audit_in(&mut tx, "process.create", "process", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_process(&id).await
    }

    pub async fn update_process(&self, id: &str, input: &ProcessInput) -> Result<Process> {
        let current = self.get_process(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Process, &current.labels),
            Some(id),
        )
        .await?;
        let v = input.validate()?;
        self.authorize_labels(Action::Update, ResourceKind::Process, &v.labels, Some(id))
            .await?;
        let notes = if v.notes.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&notes_aad(id), &v.notes)?)
        };
        let mut tx = self.store.write_tx().await?;
        self.check_compartment_exists(&mut tx, &v.labels).await?;
        sqlx::query(
            "UPDATE processes SET title = $1, codename = $2, countries = $3, phase = $4, tracks = $5, dutch_role = $6, status = $7,
                    themes = $8, summary = $9, notes = $10, classification = $11, compartment_id = $12, updated_at = $13,
                    version = version + 1
             WHERE id = $14",
        )
        .bind(&v.title)
        .bind(v.codename.clone())
        .bind(serde_json::to_string(&v.countries).unwrap_or_default())
        .bind(&v.phase)
        .bind(serde_json::to_string(&v.tracks).unwrap_or_default())
        .bind(&v.dutch_role)
        .bind(&v.status)
        .bind(serde_json::to_string(&v.themes).unwrap_or_default())
        .bind(&v.summary)
        .bind(notes)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE processes SET engaged = $1 WHERE id = $2")
            .bind(serde_json::to_string(&v.engaged).unwrap_or_default())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "process", id, "upsert").await?;
        let relabelled = if v.labels != current.labels {
            self.relabel_children(&mut tx, id, &v.labels).await?
        } else {
            0
        };
        let detail = serde_json::json!({
            "classification": v.labels.classification, "compartment": v.labels.compartment,
            "children_relabelled": relabelled
        })
        .to_string();
        self.audit_in(&mut tx, "process.update", "process", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_process(id).await
    }

    /// Re-applies the rule for inherited labels ([`Labels::under`]) to every record that inherits
    /// its labels from process `id` — engagements, analyses, debriefs, participation records and
    /// linked documents — after the process's labels changed, in the caller's transaction: each
    /// child whose labels change is rewritten, audited (`<kind>.relabel`) and put on the change
    /// feed, so that every node's search index re-labels it. A document linked to processes of
    /// two different compartments cannot satisfy both: the move is refused. Returns how many
    /// children were relabelled.
    async fn relabel_children(
        &self,
        tx: &mut AnyConnection,
        id: &str,
        process: &Labels,
    ) -> Result<u64> {
        const CHILDREN: [(&str, &str); 5] = [
            ("engagements", "engagement"),
            ("analyses", "analysis"),
            ("debriefs", "debrief"),
            ("participation", "participation"),
            ("dialogues", "dialogue"),
        ];
        let mut changed: Vec<(&str, &str, String, Labels, Labels)> = Vec::new();
        for (table, kind) in CHILDREN {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, classification, compartment_id FROM {table} WHERE process_id = $1"
            )))
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            for r in &rows {
                let own = row_labels(r)?;
                let new = own.under(process);
                if new != own {
                    changed.push((table, kind, r.try_get("id")?, own, new));
                }
            }
        }
        // Documents: at least as strict as every linked process (this one's labels are already
        // the new ones in this transaction).
        let docs = sqlx::query(
            "SELECT d.id, d.classification, d.compartment_id FROM documents d
             JOIN document_processes dp ON dp.document_id = d.id WHERE dp.process_id = $1",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for d in &docs {
            let doc_id: String = d.try_get("id")?;
            let own = row_labels(d)?;
            let links = sqlx::query(
                "SELECT p.classification, p.compartment_id FROM document_processes dp
                 JOIN processes p ON p.id = dp.process_id WHERE dp.document_id = $1",
            )
            .bind(&doc_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut new = own.clone();
            let mut compartment: Option<CompartmentId> = None;
            for l in &links {
                let parent = row_labels(l)?;
                if let (Some(a), Some(b)) = (&compartment, &parent.compartment)
                    && a != b
                {
                    return Err(StoreError::Conflict(
                        "a document linked to this process is also linked to a process in another \
                         compartment, and a document lives in one compartment; unlink it first"
                            .into(),
                    ));
                }
                compartment = compartment.or(parent.compartment.clone());
                new = new.under(&parent);
            }
            if new != own {
                changed.push(("documents", "document", doc_id, own, new));
            }
        }
        for (table, kind, child, from, to) in &changed {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET classification = $1, compartment_id = $2 WHERE id = $3"
            )))
            .bind(to.classification.level())
            .bind(to.compartment.as_ref().map(|c| c.to_string()))
            .bind(child)
            .execute(&mut *tx)
            .await?;
            record_change(tx, kind, child, "upsert").await?;
            let detail = serde_json::json!({
                "process": id,
                "from": {"classification": from.classification, "compartment": from.compartment},
                "to": {"classification": to.classification, "compartment": to.compartment},
            })
            .to_string();
            self.audit_in(tx, &format!("{kind}.relabel"), kind, child, "ok", &detail)
                .await?;
        }
        Ok(changed.len() as u64)
    }

    pub async fn delete_process(&self, id: &str) -> Result<()> {
        let current = self.get_process(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::Process, &current.labels),
            Some(id),
        )
        .await?;
        // Lessons outlive a careless delete: debriefs are removed one by one first.
        if self.process_has_debriefs(id).await? {
            return Err(StoreError::Conflict(
                "this process has debriefs (lessons); delete them first".into(),
            ));
        }
        // The journal goes with the process, entry by entry and audited — unless it holds
        // entries this subject may not delete, which are not its to destroy.
        let entries = sqlx::query(
            "SELECT id, classification, compartment_id FROM engagements WHERE process_id = $1",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut entry_ids = Vec::new();
        for e in &entries {
            let comp: Option<String> = e.try_get("compartment_id")?;
            let labels = Labels {
                classification: Classification::from_level(e.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            };
            if !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::Engagement, &labels),
            ) {
                return Err(StoreError::Forbidden(
                    "the journal of this process holds entries you may not delete; ask a colleague with the clearance".into(),
                ));
            }
            entry_ids.push(e.try_get::<String, _>("id")?);
        }
        let participation = self.participation_to_delete_with(id).await?;
        let analyses = self.analyses_of_deleted_process(id).await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_participation_in(&mut tx, &participation)
            .await?;
        self.delete_analyses_in(&mut tx, &analyses).await?;
        for e in &entry_ids {
            self.delete_row(&mut tx, "engagements", "engagement", e, "{}")
                .await?;
        }
        self.delete_row(&mut tx, "processes", "process", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Re-encrypts every confidential field under the keyring's active key (after
    /// `Keyring::rotate`). Administrators only; returns how many values were rewritten.
    pub async fn reencrypt_all(&self) -> Result<u64> {
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::Compartment),
            None,
        )
        .await?;
        let keys = &self.store.keys;
        let mut tx = self.store.write_tx().await?;
        let mut n = 0u64;
        for &(table, column, prefix) in crate::keys::ENCRYPTED_TEXT {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, {column} AS v FROM {table} WHERE {column} IS NOT NULL"
            )))
            .fetch_all(&mut *tx)
            .await?;
            for r in rows {
                let id: String = r.try_get("id")?;
                let v: String = r.try_get("v")?;
                if !keys.needs_rotation(&v) {
                    continue;
                }
                let aad = format!("{prefix}:{id}");
                let plain = keys.decrypt(&aad, &v)?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET {column} = $1 WHERE id = $2"
                )))
                .bind(keys.encrypt(&aad, &plain)?)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                n += 1;
            }
        }
        // Document files are bytes, not text: the same loop with the byte-level calls.
        let rows = sqlx::query("SELECT id, content FROM document_versions")
            .fetch_all(&mut *tx)
            .await?;
        for r in rows {
            let id: String = r.try_get("id")?;
            let v: String = r.try_get("content")?;
            if !keys.needs_rotation(&v) {
                continue;
            }
            let aad = format!("document_versions.content:{id}");
            let plain = keys.decrypt_bytes(&aad, &v)?;
            sqlx::query("UPDATE document_versions SET content = $1 WHERE id = $2")
                .bind(keys.encrypt_bytes(&aad, &plain)?)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            n += 1;
        }
        let detail = serde_json::json!({"key": keys.active_key_id(), "values": n}).to_string();
        self.audit_in(&mut tx, "keys.reencrypt", "instance", "", "ok", &detail)
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}
