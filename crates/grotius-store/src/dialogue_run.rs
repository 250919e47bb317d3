//! Conversations run inside Grotius, the team's side: create one (labels under its process,
//! seed statements), close and reopen it, add statements, and the moderation queue (accept,
//! reject with a reason, mark meta/off-topic; duplicates suggested). Every write in one
//! transaction with its audit entry and change-feed record.

use grotius_domain::dialogue::{
    DUPLICATE_SIMILARITY, Dialogue, Moderation, NewDialogue, check_statement, check_text,
    similarity,
};
use grotius_domain::{Action, Labels, Resource, ResourceKind};
use grotius_security::{TokenKind, new_token, now_micros};
use sqlx::{AnyConnection, Row};

use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

/// A moderator's decision on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModerationDecision {
    Accept,
    Reject,
    /// Meta or off-topic: kept, shown to nobody, out of the mathematics.
    Meta,
}

impl ModerationDecision {
    pub fn parse(s: &str) -> Option<ModerationDecision> {
        match s {
            "accept" => Some(ModerationDecision::Accept),
            "reject" => Some(ModerationDecision::Reject),
            "meta" => Some(ModerationDecision::Meta),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ModerationDecision::Accept => "accept",
            ModerationDecision::Reject => "reject",
            ModerationDecision::Meta => "meta",
        }
    }
}

/// A statement waiting for a moderator, with the statements it may duplicate.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub number: i64,
    pub body: String,
    pub created_at: Option<i64>,
    /// Numbers and texts of shown or waiting statements at least
    /// [`DUPLICATE_SIMILARITY`] alike.
    pub duplicates: Vec<(i64, String)>,
}

/// Inserts a statement as the next number of the dialogue; returns its number.
pub(crate) async fn insert_statement(
    tx: &mut AnyConnection,
    dialogue: &str,
    body: &str,
    moderation: Moderation,
    submitted_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let number: i64 = sqlx::query(
        "SELECT COALESCE(MAX(number) + 1, 0) AS n FROM dialogue_statements WHERE dialogue_id = $1",
    )
    .bind(dialogue)
    .fetch_one(&mut *tx)
    .await?
    .try_get("n")?;
    sqlx::query(
        "INSERT INTO dialogue_statements (dialogue_id, number, body, moderation, created_at, submitted_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(dialogue)
    .bind(number)
    .bind(body)
    .bind(moderation.as_str())
    .bind(now)
    .bind(submitted_by)
    .execute(&mut *tx)
    .await?;
    Ok(number)
}

impl Access {
    /// Creates a conversation of a process, labelled `own` under the process's labels, open,
    /// with its seed statements (accepted) and a fresh participation link.
    pub async fn create_dialogue(&self, new: NewDialogue, own: Labels) -> Result<Dialogue> {
        let process = self.get_process(&new.process_id).await?;
        self.authorize(Action::Create, Resource::kind(ResourceKind::Dialogue), None)
            .await?;
        let labels = own.under(&process.labels);
        self.authorize_labels(Action::Create, ResourceKind::Dialogue, &labels, None)
            .await?;
        let new = new.validate()?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO dialogues (id, process_id, topic, description, source, status, classification,
                                    compartment_id, created_by, created_at, updated_at, languages,
                                    opens_at, closes_at, moderation_mode, link_token, invitation_only, attributes)
             VALUES ($1, $2, $3, $4, 'grotius', 'open', $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&id)
        .bind(&process.id)
        .bind(&new.topic)
        .bind(&new.description)
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .bind(new.languages.join(","))
        .bind(new.opens_at)
        .bind(new.closes_at)
        .bind(new.moderation.as_str())
        .bind(new_token(TokenKind::Csrf))
        .bind(i64::from(new.invitation_only))
        .bind(serde_json::to_string(&new.attributes).map_err(|e| StoreError::Integrity(e.to_string()))?)
        .execute(&mut *tx)
        .await?;
        for s in &new.seeds {
            insert_statement(&mut tx, &id, s, Moderation::Accepted, None, now).await?;
        }
        record_change(&mut tx, "dialogue", &id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "seeds": new.seeds.len(),
            "languages": new.languages, "moderation": new.moderation.as_str(),
            "attributes": new.attributes.len(),
            "classification": labels.classification})
        .to_string();
        self.audit_in(&mut tx, "dialogue.create", "dialogue", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_dialogue(&id).await
    }

    /// Loads a dialogue the subject may update (404 unless readable, 403 without Update).
    pub(crate) async fn dialogue_for_update(&self, id: &str) -> Result<Dialogue> {
        let d = self.load_dialogue(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Dialogue, &d.labels),
            Some(id),
        )
        .await?;
        Ok(d)
    }

    /// Opens or closes a conversation (a closed one takes no votes and no statements).
    pub async fn set_dialogue_status(&self, id: &str, status: &str) -> Result<Dialogue> {
        if status != "open" && status != "closed" {
            return Err(StoreError::invalid(
                "status",
                format!("unknown status '{status}'; expected open or closed"),
            ));
        }
        let d = self.dialogue_for_update(id).await?;
        let mut tx = self.store.write_tx().await?;
        sqlx::query("UPDATE dialogues SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(now_micros())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, "dialogue", id, "upsert").await?;
        let detail = serde_json::json!({"from": d.status, "to": status}).to_string();
        self.audit_in(&mut tx, "dialogue.status", "dialogue", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_dialogue(id).await
    }

    /// Adds a statement of the team (accepted at once); returns its number.
    pub async fn add_dialogue_statement(&self, id: &str, body: &str) -> Result<i64> {
        self.dialogue_for_update(id).await?;
        let body = check_statement("body", body)?;
        let mut tx = self.store.write_tx().await?;
        let n =
            insert_statement(&mut tx, id, &body, Moderation::Accepted, None, now_micros()).await?;
        record_change(&mut tx, "dialogue", id, "upsert").await?;
        let detail = serde_json::json!({"statement": n}).to_string();
        self.audit_in(&mut tx, "dialogue.statement", "dialogue", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.store.dialogue_changed(id);
        Ok(n)
    }

    /// A moderator's decision on a statement; a rejection needs a reason, which is kept.
    pub async fn moderate_statement(
        &self,
        id: &str,
        number: i64,
        decision: ModerationDecision,
        reason: Option<&str>,
    ) -> Result<()> {
        self.dialogue_for_update(id).await?;
        let reason = check_text("reason", reason.unwrap_or(""), 500)?;
        if decision == ModerationDecision::Reject && reason.is_empty() {
            return Err(StoreError::invalid(
                "reason",
                "give the reason for the rejection (it is kept)",
            ));
        }
        let (moderation, meta) = match decision {
            ModerationDecision::Accept => (Moderation::Accepted, 0i64),
            ModerationDecision::Reject => (Moderation::Rejected, 0),
            ModerationDecision::Meta => (Moderation::Rejected, 1),
        };
        let mut tx = self.store.write_tx().await?;
        let done = sqlx::query(
            "UPDATE dialogue_statements SET moderation = $1, meta = $2, reason = $3, moderated_at = $4
             WHERE dialogue_id = $5 AND number = $6",
        )
        .bind(moderation.as_str())
        .bind(meta)
        .bind((!reason.is_empty()).then_some(reason.as_str()))
        .bind(now_micros())
        .bind(id)
        .bind(number)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        record_change(&mut tx, "dialogue", id, "upsert").await?;
        let detail = serde_json::json!({"statement": number, "decision": decision.as_str(),
            "reason": reason})
        .to_string();
        self.audit_in(&mut tx, "dialogue.moderate", "dialogue", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.store.dialogue_changed(id);
        Ok(())
    }

    /// Personal invitation links for a closed consultation: `count` (1 to 500) participants
    /// made at once, each with a random secret returned here only (their hashes are kept).
    /// Returns the secrets; the link is `/p/{token}?k={secret}`.
    pub async fn invite_participants(&self, id: &str, count: i64) -> Result<Vec<String>> {
        let d = self.dialogue_for_update(id).await?;
        if d.link_token.is_none() {
            return Err(StoreError::invalid(
                "count",
                "this conversation (an import) has no participation link",
            ));
        }
        if !(1..=500).contains(&count) {
            return Err(StoreError::invalid(
                "count",
                "between 1 and 500 invitations at a time",
            ));
        }
        let secrets: Vec<String> = (0..count).map(|_| new_token(TokenKind::Session)).collect();
        let mut tx = self.store.write_tx().await?;
        let first: i64 = sqlx::query(
            "SELECT COALESCE(MAX(number) + 1, 0) AS n FROM dialogue_participants WHERE dialogue_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        let now = grotius_security::now_micros();
        for (i, s) in secrets.iter().enumerate() {
            sqlx::query(
                "INSERT INTO dialogue_participants (dialogue_id, number, secret_hash, joined_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(first + i as i64)
            .bind(grotius_security::hash_token(s))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail = serde_json::json!({"invitations": count, "first": first}).to_string();
        self.audit_in(&mut tx, "dialogue.invite", "dialogue", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        Ok(secrets)
    }

    /// A moderator's translation of a statement into one of the conversation's languages
    /// (replacing an earlier one); participants reading in that language see it.
    pub async fn translate_statement(
        &self,
        id: &str,
        number: i64,
        lang: &str,
        body: &str,
    ) -> Result<()> {
        let d = self.dialogue_for_update(id).await?;
        let lang = lang.trim().to_ascii_lowercase();
        if !d.languages.contains(&lang) {
            return Err(StoreError::invalid(
                "lang",
                format!(
                    "'{lang}' is not a language of this conversation ({})",
                    d.languages.join(", ")
                ),
            ));
        }
        let body = check_statement("body", body)?;
        let mut tx = self.store.write_tx().await?;
        let exists = sqlx::query(
            "SELECT 1 AS x FROM dialogue_statements WHERE dialogue_id = $1 AND number = $2",
        )
        .bind(id)
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "DELETE FROM dialogue_statement_translations WHERE dialogue_id = $1 AND number = $2 AND lang = $3",
        )
        .bind(id)
        .bind(number)
        .bind(&lang)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO dialogue_statement_translations (dialogue_id, number, lang, body, translated_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(number)
        .bind(&lang)
        .bind(&body)
        .bind(grotius_security::now_micros())
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "dialogue", id, "upsert").await?;
        let detail = serde_json::json!({"statement": number, "lang": lang}).to_string();
        self.audit_in(&mut tx, "dialogue.translate", "dialogue", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The statements participants submitted that wait for a moderator, oldest first, each
    /// with the statements it may duplicate (token Jaccard ≥ [`DUPLICATE_SIMILARITY`]).
    pub async fn moderation_queue(&self, id: &str) -> Result<Vec<QueueItem>> {
        self.dialogue_for_update(id).await?;
        let rows = sqlx::query(
            "SELECT number, body, moderation, meta, submitted_by, created_at FROM dialogue_statements
             WHERE dialogue_id = $1 ORDER BY number",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut all = Vec::with_capacity(rows.len());
        for r in &rows {
            let m: String = r.try_get("moderation")?;
            let meta: i64 = r.try_get("meta")?;
            let submitted: Option<i64> = r.try_get("submitted_by")?;
            all.push((
                r.try_get::<i64, _>("number")?,
                r.try_get::<String, _>("body")?,
                m != Moderation::Rejected.as_str() && meta == 0,
                m == Moderation::Unmoderated.as_str() && submitted.is_some(),
                r.try_get::<Option<i64>, _>("created_at")?,
            ));
        }
        Ok(all
            .iter()
            .filter(|(_, _, _, waiting, _)| *waiting)
            .map(|(n, body, _, _, at)| QueueItem {
                number: *n,
                body: body.clone(),
                created_at: *at,
                duplicates: all
                    .iter()
                    .filter(|(m, other, live, _, _)| {
                        *live && m != n && similarity(body, other) >= DUPLICATE_SIMILARITY
                    })
                    .map(|(m, other, _, _, _)| (*m, other.clone()))
                    .collect(),
            })
            .collect())
    }
}
