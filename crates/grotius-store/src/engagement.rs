//! The engagements journal of a process. Entries carry labels at least as strict as their
//! process; participants are actors, shown only where the reader may see them.

use grotius_domain::process::{Engagement, EngagementInput};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use sqlx::Row;

use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

const COLS: &str = "id, process_id, date, kind, track, place, participants, summary, notes, classification, compartment_id, created_at";

fn notes_aad(id: &str) -> String {
    format!("engagements.notes:{id}")
}

crate::list::listed!(Engagement);

impl Access {
    fn engagement_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Engagement> {
        let id: String = row.try_get("id")?;
        let notes: Option<String> = row.try_get("notes")?;
        let notes = match notes {
            Some(n) if !n.is_empty() => self.store.keys.decrypt(&notes_aad(&id), &n)?,
            _ => String::new(),
        };
        let comp: Option<String> = row.try_get("compartment_id")?;
        Ok(Engagement {
            process_id: row.try_get("process_id")?,
            date: row.try_get("date")?,
            kind: row.try_get("kind")?,
            track: row.try_get("track")?,
            place: row.try_get("place")?,
            participants: serde_json::from_str(&row.try_get::<String, _>("participants")?)
                .unwrap_or_default(),
            summary: row.try_get("summary")?,
            notes,
            labels: Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            },
            created_at: row.try_get("created_at")?,
            id,
        })
    }

    /// The journal of a process, newest first: the entries the subject may see, with only the
    /// participants it may see.
    pub async fn list_engagements(&self, process_id: &str) -> Result<Vec<Engagement>> {
        let process = self.get_process(process_id).await?;
        let list = self
            .list_of_process(
                ResourceKind::Engagement,
                "engagements",
                &process,
                Action::Read,
            )
            .await?
            .columns(COLS)
            .order("date DESC, created_at DESC");
        let mut items = self
            .list_all(list, |row| self.engagement_from_row(row))
            .await?;
        let visible_actors = self.visible_actor_ids(&items).await?;
        for e in &mut items {
            e.participants.retain(|p| visible_actors.contains(p));
        }
        Ok(items)
    }

    /// Ids among the participants of these entries that the subject may see as actors.
    async fn visible_actor_ids(
        &self,
        entries: &[Engagement],
    ) -> Result<std::collections::HashSet<String>> {
        let mut all: Vec<String> = entries
            .iter()
            .flat_map(|e| e.participants.iter().cloned())
            .collect();
        all.sort();
        all.dedup();
        let mut visible = std::collections::HashSet::new();
        if all.is_empty() || !self.may(Action::Read, Resource::kind(ResourceKind::Actor)) {
            return Ok(visible);
        }
        for chunk in all.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, classification, compartment_id FROM actors WHERE id IN ({})",
                ph.join(", ")
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for row in q.fetch_all(&self.store.pool).await? {
                let comp: Option<String> = row.try_get("compartment_id")?;
                let labels = Labels {
                    classification: Classification::from_level(row.try_get("classification")?)?,
                    compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
                };
                if self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Actor, &labels),
                ) {
                    visible.insert(row.try_get("id")?);
                }
            }
        }
        Ok(visible)
    }

    pub async fn create_engagement(
        &self,
        process_id: &str,
        input: &EngagementInput,
    ) -> Result<Engagement> {
        let process = self.get_process(process_id).await?;
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Engagement),
            None,
        )
        .await?;
        let (v, labels) = input.validate(&process.labels)?;
        self.authorize_labels(Action::Create, ResourceKind::Engagement, &labels, None)
            .await?;
        self.check_participants(&v.participants).await?;
        let id = new_id();
        let notes = if v.notes.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&notes_aad(&id), &v.notes)?)
        };
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO engagements (id, process_id, date, kind, track, place, participants, summary, notes, classification,
                                      compartment_id, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(&process.id)
        .bind(&v.date)
        .bind(&v.kind)
        .bind(&v.track)
        .bind(&v.place)
        .bind(serde_json::to_string(&v.participants).unwrap_or_default())
        .bind(&v.summary)
        .bind(notes)
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "engagement", &id, "upsert").await?;
        let detail =
            serde_json::json!({"process": process.id, "classification": labels.classification})
                .to_string();
        self.audit_in(
            &mut tx,
            "engagement.create",
            "engagement",
            &id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM engagements WHERE id = $1"
        )))
        .bind(&id)
        .fetch_one(&self.store.pool)
        .await?;
        self.engagement_from_row(&row)
    }

    /// Participants must be actors the subject can see; others do not exist for it.
    async fn check_participants(&self, participants: &[String]) -> Result<()> {
        for p in participants {
            match self.get_actor(p).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid(
                        "participants",
                        format!("no such actor: {p}"),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// One entry of the journal as the subject may see it (participants it may not see left out).
    pub async fn get_engagement(&self, id: &str) -> Result<Engagement> {
        let mut e = self
            .get_checked(
                ResourceKind::Engagement,
                Action::Read,
                format!("SELECT {COLS} FROM engagements WHERE id = $1"),
                id,
                |row| self.engagement_from_row(row),
            )
            .await?;
        let visible = self.visible_actor_ids(std::slice::from_ref(&e)).await?;
        e.participants.retain(|p| visible.contains(p));
        Ok(e)
    }

    /// Rewrites an entry of the journal — date, kind, track, place, participants, summary, notes
    /// and labels — with the checks of [`Access::create_engagement`]; audited
    /// (`engagement.update`) and fed to the search index. Participants the editor may not see stay
    /// on the entry: the editor cannot see them in the form, so leaving them out is no decision.
    pub async fn update_engagement(&self, id: &str, input: &EngagementInput) -> Result<Engagement> {
        let current = self
            .get_checked(
                ResourceKind::Engagement,
                Action::Update,
                format!("SELECT {COLS} FROM engagements WHERE id = $1"),
                id,
                |row| self.engagement_from_row(row),
            )
            .await?;
        let process = self.get_process(&current.process_id).await?;
        let (v, labels) = input.validate(&process.labels)?;
        self.authorize_labels(Action::Update, ResourceKind::Engagement, &labels, Some(id))
            .await?;
        self.check_participants(&v.participants).await?;
        let visible = self
            .visible_actor_ids(std::slice::from_ref(&current))
            .await?;
        let mut participants = v.participants.clone();
        for p in &current.participants {
            if !visible.contains(p) && !participants.contains(p) {
                participants.push(p.clone());
            }
        }
        let notes = if v.notes.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&notes_aad(id), &v.notes)?)
        };
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "UPDATE engagements SET date = $1, kind = $2, track = $3, place = $4, participants = $5, summary = $6,
                    notes = $7, classification = $8, compartment_id = $9
             WHERE id = $10",
        )
        .bind(&v.date)
        .bind(&v.kind)
        .bind(&v.track)
        .bind(&v.place)
        .bind(serde_json::to_string(&participants).unwrap_or_default())
        .bind(&v.summary)
        .bind(notes)
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "engagement", id, "upsert").await?;
        let detail =
            serde_json::json!({"process": process.id, "classification": labels.classification})
                .to_string();
        self.audit_in(
            &mut tx,
            "engagement.update",
            "engagement",
            id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.get_engagement(id).await
    }

    pub async fn delete_engagement(&self, id: &str) -> Result<String> {
        let e = self
            .get_checked(
                ResourceKind::Engagement,
                Action::Delete,
                format!("SELECT {COLS} FROM engagements WHERE id = $1"),
                id,
                |row| self.engagement_from_row(row),
            )
            .await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_row(&mut tx, "engagements", "engagement", id, "{}")
            .await?;
        tx.commit().await?;
        Ok(e.process_id)
    }
}
