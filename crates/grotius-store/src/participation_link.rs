//! The participants' side of a conversation: a handle bound to the one dialogue its link token
//! names, and nothing else of Grotius. A participant is a random secret (the web edge keeps it
//! in a cookie scoped to the link's path) stored only as its SHA-256; no account, no personal
//! data. Votes replace earlier votes (kept in history); statements wait for a moderator or show
//! at once by the conversation's moderation mode. Every write is audited with the participant's
//! number as actor (`participant:<n>`), never anything about the person.

use grotius_analysis::dialogue::DialogueResult;
use grotius_domain::dialogue::{
    Candidate, Dialogue, Moderation, ModerationMode, Openness, Vote, check_statement,
    next_statement,
};
use grotius_security::{hash_token, now_micros};
use sqlx::Row;

use crate::dialogue::from_row;
use crate::dialogue_run::insert_statement;
use crate::process::record_change;
use crate::{Result, Store, StoreError};

/// Why a participant's write was refused.
#[derive(Debug, thiserror::Error)]
pub enum ParticipationError {
    #[error("the conversation is closed")]
    Closed,
    #[error("the conversation is not open yet")]
    NotYetOpen,
    /// The secret belongs to no participant of this conversation.
    #[error("not a participant of this conversation")]
    Unknown,
    /// The statement is not one this conversation shows.
    #[error("no such statement")]
    NoStatement,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ParticipationError {
    fn from(e: sqlx::Error) -> Self {
        ParticipationError::Store(e.into())
    }
}

/// A statement as a participant sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub number: i64,
    pub body: String,
    /// This participant's current vote on it, if any.
    pub vote: Option<Vote>,
}

/// One conversation as its participants reach it.
#[derive(Clone)]
pub struct Participation {
    pub(crate) store: Store,
    /// The conversation, without its counts (`participants`, `statements` and `votes` are 0
    /// here: the team's views count them).
    pub dialogue: Dialogue,
}

/// SQL: the statements participants are shown (accepted, or waiting when moderation comes
/// after; never meta), as a condition on `dialogue_statements`.
pub(crate) const SHOWN: &str =
    "(meta = 0 AND (moderation = 'accepted' OR (moderation = 'unmoderated' AND $2 = 'after')))";

/// The dialogue's columns without its counts (participants, statements, votes read as 0): the
/// participants' door never shows them, and counting every vote on each request cost more the
/// larger the consultation grew (this is read once per vote).
const PARTICIPATION_COLS: &str = "dialogues.id, dialogues.process_id, dialogues.topic, dialogues.description, dialogues.source, dialogues.status,
    dialogues.classification, dialogues.compartment_id, dialogues.method, dialogues.computed_at, dialogues.created_at, dialogues.updated_at,
    dialogues.languages, dialogues.opens_at, dialogues.closes_at, dialogues.moderation_mode, dialogues.link_token, dialogues.invitation_only, dialogues.attributes,
    CAST(0 AS BIGINT) AS n_participants, CAST(0 AS BIGINT) AS n_statements, CAST(0 AS BIGINT) AS n_votes";

impl Store {
    /// The conversation a participation link names, if it has one (imports have none).
    pub async fn participation(&self, link_token: &str) -> Result<Option<Participation>> {
        if link_token.is_empty() || link_token.len() > 100 {
            return Ok(None);
        }
        let sql =
            format!("SELECT {PARTICIPATION_COLS} FROM dialogues WHERE dialogues.link_token = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(link_token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(Participation {
                store: self.clone(),
                dialogue: from_row(&r)?,
            }),
            None => None,
        })
    }
}

impl Participation {
    pub(crate) fn pool(&self) -> &sqlx::AnyPool {
        &self.store.pool
    }

    /// Refuses unless `participant` is a participant of this conversation (inside `tx`).
    pub(crate) async fn known_in(
        &self,
        tx: &mut sqlx::AnyConnection,
        participant: i64,
    ) -> std::result::Result<(), ParticipationError> {
        let known = sqlx::query(
            "SELECT 1 AS x FROM dialogue_participants WHERE dialogue_id = $1 AND number = $2 AND secret_hash IS NOT NULL",
        )
        .bind(&self.dialogue.id)
        .bind(participant)
        .fetch_optional(&mut *tx)
        .await?;
        match known {
            Some(_) => Ok(()),
            None => Err(ParticipationError::Unknown),
        }
    }

    pub(crate) fn refuse_unless_open(&self) -> std::result::Result<(), ParticipationError> {
        match self.dialogue.openness(now_micros()) {
            Openness::Open => Ok(()),
            Openness::NotYetOpen => Err(ParticipationError::NotYetOpen),
            Openness::Closed => Err(ParticipationError::Closed),
        }
    }

    /// The participant whose secret this is, in this conversation only.
    pub async fn participant(&self, secret: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT number FROM dialogue_participants WHERE dialogue_id = $1 AND secret_hash = $2",
        )
        .bind(&self.dialogue.id)
        .bind(hash_token(secret))
        .fetch_optional(&self.store.pool)
        .await?;
        Ok(row.map(|r| r.try_get("number")).transpose()?)
    }

    /// Joins the conversation with a fresh secret (the caller made it random); returns the
    /// participant's number.
    pub async fn join(&self, secret: &str) -> std::result::Result<i64, ParticipationError> {
        self.refuse_unless_open()?;
        if self.dialogue.invitation_only {
            return Err(ParticipationError::Unknown);
        }
        let mut tx = self.store.write_tx().await?;
        let number: i64 = sqlx::query(
            "SELECT COALESCE(MAX(number) + 1, 0) AS n FROM dialogue_participants WHERE dialogue_id = $1",
        )
        .bind(&self.dialogue.id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "INSERT INTO dialogue_participants (dialogue_id, number, secret_hash, joined_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&self.dialogue.id)
        .bind(number)
        .bind(hash_token(secret))
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        self.audit(&mut tx, number, "dialogue.join", "{}").await?;
        tx.commit().await?;
        Ok(number)
    }

    pub(crate) async fn audit(
        &self,
        tx: &mut sqlx::AnyConnection,
        participant: i64,
        action: &str,
        detail: &str,
    ) -> Result<()> {
        let actor = format!("participant:{participant}");
        crate::audit::append(
            tx,
            &self.store,
            &actor,
            &actor,
            action,
            "dialogue",
            &self.dialogue.id,
            "ok",
            detail,
        )
        .await?;
        Ok(())
    }

    /// A statement this conversation shows, with the participant's vote on it, in `lang` where
    /// a moderator has translated it.
    pub async fn statement(
        &self,
        participant: i64,
        number: i64,
        lang: &str,
    ) -> Result<Option<Shown>> {
        let sql = format!(
            "SELECT s.number, COALESCE(t.body, s.body) AS body, v.vote FROM dialogue_statements s
             LEFT JOIN dialogue_votes v ON v.dialogue_id = s.dialogue_id AND v.statement = s.number AND v.participant = $3
             LEFT JOIN dialogue_statement_translations t ON t.dialogue_id = s.dialogue_id AND t.number = s.number AND t.lang = $5
             WHERE s.dialogue_id = $1 AND s.number = $4 AND {SHOWN}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.dialogue.id)
            .bind(self.dialogue.moderation_mode.as_str())
            .bind(participant)
            .bind(number)
            .bind(lang)
            .fetch_optional(&self.store.pool)
            .await?;
        row.map(|r| {
            let v: Option<i64> = r.try_get("vote")?;
            Ok(Shown {
                number: r.try_get("number")?,
                body: r.try_get("body")?,
                vote: v.and_then(Vote::from_polis),
            })
        })
        .transpose()
    }

    /// The shown statements this participant has voted on, with their votes (to change one).
    pub async fn voted(&self, participant: i64, lang: &str) -> Result<Vec<Shown>> {
        let sql = format!(
            "SELECT s.number, COALESCE(t.body, s.body) AS body, v.vote FROM dialogue_statements s
             JOIN dialogue_votes v ON v.dialogue_id = s.dialogue_id AND v.statement = s.number AND v.participant = $3
             LEFT JOIN dialogue_statement_translations t ON t.dialogue_id = s.dialogue_id AND t.number = s.number AND t.lang = $4
             WHERE s.dialogue_id = $1 AND {SHOWN} ORDER BY s.number"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.dialogue.id)
            .bind(self.dialogue.moderation_mode.as_str())
            .bind(participant)
            .bind(lang)
            .fetch_all(&self.store.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let v: i64 = r.try_get("vote")?;
                Ok(Shown {
                    number: r.try_get("number")?,
                    body: r.try_get("body")?,
                    vote: Vote::from_polis(v),
                })
            })
            .collect()
    }

    /// How many statements are shown, and how many of them this participant has voted on.
    pub async fn progress(&self, participant: i64) -> Result<(i64, i64)> {
        let sql = format!(
            "SELECT COUNT(*) AS shown,
                    SUM(CASE WHEN EXISTS (SELECT 1 FROM dialogue_votes v WHERE v.dialogue_id = s.dialogue_id
                        AND v.statement = s.number AND v.participant = $3) THEN 1 ELSE 0 END) AS voted
             FROM dialogue_statements s WHERE s.dialogue_id = $1 AND {SHOWN}"
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.dialogue.id)
            .bind(self.dialogue.moderation_mode.as_str())
            .bind(participant)
            .fetch_one(&self.store.pool)
            .await?;
        Ok((
            r.try_get("shown")?,
            r.try_get::<Option<i64>, _>("voted")?.unwrap_or(0),
        ))
    }

    /// The statement this participant sees next (see `grotius_domain::dialogue::next_statement`
    /// for the rule), None when every shown statement has their vote.
    pub async fn next(&self, participant: i64, lang: &str) -> Result<Option<Shown>> {
        let sql = format!(
            "SELECT s.number, (SELECT COUNT(*) FROM dialogue_votes c WHERE c.dialogue_id = s.dialogue_id AND c.statement = s.number) AS votes
             FROM dialogue_statements s
             WHERE s.dialogue_id = $1 AND {SHOWN}
               AND NOT EXISTS (SELECT 1 FROM dialogue_votes v WHERE v.dialogue_id = s.dialogue_id
                               AND v.statement = s.number AND v.participant = $3)"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.dialogue.id)
            .bind(self.dialogue.moderation_mode.as_str())
            .bind(participant)
            .fetch_all(&self.store.pool)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let results: Option<String> = sqlx::query("SELECT results FROM dialogues WHERE id = $1")
            .bind(&self.dialogue.id)
            .fetch_one(&self.store.pool)
            .await?
            .try_get("results")?;
        let results: Option<DialogueResult> = results.and_then(|j| serde_json::from_str(&j).ok());
        let salience = |n: i64| -> f64 {
            results
                .as_ref()
                .filter(|r| r.groups.len() >= 2)
                .and_then(|r| r.statements.iter().find(|s| s.statement as i64 == n))
                .map(|s| {
                    s.divisiveness
                        .max(2.0 * (s.group_consensus_normalised - 0.5))
                        .clamp(0.0, 1.0)
                })
                .unwrap_or(0.0)
        };
        let mut candidates = Vec::with_capacity(rows.len());
        for r in &rows {
            let number: i64 = r.try_get("number")?;
            candidates.push(Candidate {
                number,
                votes: r.try_get("votes")?,
                salience: salience(number),
            });
        }
        match next_statement(participant, &candidates) {
            Some(n) => self.statement(participant, n, lang).await,
            None => Ok(None),
        }
    }

    /// Records a vote; a changed vote replaces the earlier one, which is kept in history.
    /// The vote goes through the node's group commit (`vote_intake`): it is checked (a shown
    /// statement, a known participant) and written with its audit entry inside the batch's
    /// transaction, and this returns after that transaction's commit.
    pub async fn vote(
        &self,
        participant: i64,
        number: i64,
        vote: Vote,
    ) -> std::result::Result<(), ParticipationError> {
        self.refuse_unless_open()?;
        self.store
            .commit_vote(
                &self.dialogue.id,
                self.dialogue.moderation_mode.as_str(),
                participant,
                number,
                vote,
            )
            .await
    }

    /// Submits a statement; it waits for a moderator (or shows at once when moderation comes
    /// after). Returns its number.
    pub async fn submit(
        &self,
        participant: i64,
        body: &str,
    ) -> std::result::Result<i64, ParticipationError> {
        self.refuse_unless_open()?;
        let body = check_statement("body", body).map_err(StoreError::from)?;
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        self.known_in(&mut tx, participant).await?;
        let n = insert_statement(
            &mut tx,
            &self.dialogue.id,
            &body,
            Moderation::Unmoderated,
            Some(participant),
            now,
        )
        .await?;
        record_change(&mut tx, "dialogue", &self.dialogue.id, "upsert").await?;
        let detail = serde_json::json!({"statement": n}).to_string();
        self.audit(&mut tx, participant, "dialogue.submit", &detail)
            .await?;
        tx.commit().await?;
        self.store.dialogue_changed(&self.dialogue.id);
        Ok(n)
    }

    /// Whether statements participants submit wait for a moderator.
    pub fn moderated_before(&self) -> bool {
        self.dialogue.moderation_mode == ModerationMode::Before
    }
}
