//! Self-declared participant attributes (`grotius_domain::dialogue_attributes`): a
//! participant's answers, written through their [`Participation`] handle only, and the team's
//! aggregate report, counted in SQL and cut by the domain's small-cell rules before it leaves
//! the store. No function here returns one participant's answers to the team.

use std::collections::BTreeMap;

use grotius_domain::dialogue_attributes::{
    QuestionCounts, QuestionReport, Tally, Totals, check_answers, inclusion_report,
};
use sqlx::Row;

use crate::participation_link::{Participation, ParticipationError};
use crate::{Access, Result, StoreError};

fn index(v: i64) -> Result<usize> {
    usize::try_from(v).map_err(|_| StoreError::Integrity(format!("attribute index {v}")))
}

impl Participation {
    /// This participant's answers, one per question (None: not answered).
    pub async fn declared(&self, participant: i64) -> Result<Vec<Option<usize>>> {
        let rows = sqlx::query(
            "SELECT question, answer FROM dialogue_participant_attributes WHERE dialogue_id = $1 AND participant = $2",
        )
        .bind(&self.dialogue.id)
        .bind(participant)
        .fetch_all(self.pool())
        .await?;
        let mut out = vec![None; self.dialogue.attributes.len()];
        for r in rows {
            let q = index(r.try_get("question")?)?;
            if let Some(slot) = out.get_mut(q) {
                *slot = Some(index(r.try_get("answer")?)?);
            }
        }
        Ok(out)
    }

    /// Replaces this participant's answers (one entry per question; None removes an answer).
    /// Audited without the answers.
    pub async fn declare(
        &self,
        participant: i64,
        answers: &[Option<usize>],
    ) -> std::result::Result<(), ParticipationError> {
        self.refuse_unless_open()?;
        check_answers(&self.dialogue.attributes, answers).map_err(StoreError::from)?;
        let mut tx = self.store.write_tx().await?;
        self.known_in(&mut tx, participant).await?;
        sqlx::query(
            "DELETE FROM dialogue_participant_attributes WHERE dialogue_id = $1 AND participant = $2",
        )
        .bind(&self.dialogue.id)
        .bind(participant)
        .execute(&mut *tx)
        .await?;
        for (q, a) in answers.iter().enumerate() {
            let Some(a) = a else { continue };
            sqlx::query(
                "INSERT INTO dialogue_participant_attributes (dialogue_id, participant, question, answer) VALUES ($1, $2, $3, $4)",
            )
            .bind(&self.dialogue.id)
            .bind(participant)
            .bind(q as i64)
            .bind(*a as i64)
            .execute(&mut *tx)
            .await?;
        }
        let detail = serde_json::json!({"answered": answers.iter().flatten().count()}).to_string();
        self.audit(&mut tx, participant, "dialogue.declare", &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Access {
    /// Agreement per self-declared attribute next to the opinion groups, small cells
    /// suppressed (Read on the dialogue; empty when it asks no questions).
    pub async fn dialogue_inclusion(&self, id: &str) -> Result<Vec<QuestionReport>> {
        let d = self.get_dialogue(id).await?;
        self.inclusion_of(&d).await
    }

    /// [`Access::dialogue_inclusion`] of a dialogue already read (and authorised).
    pub(crate) async fn inclusion_of(
        &self,
        d: &grotius_domain::dialogue::Dialogue,
    ) -> Result<Vec<QuestionReport>> {
        let id = d.id.as_str();
        if d.attributes.is_empty() {
            return Ok(Vec::new());
        }
        let mut counts = vec![QuestionCounts::default(); d.attributes.len()];
        let slot = |counts: &mut Vec<QuestionCounts>, q: i64| -> Result<usize> {
            let q = index(q)?;
            if q >= counts.len() {
                return Err(StoreError::Integrity(format!(
                    "dialogue {id}: an answer to question {q}, which it does not ask"
                )));
            }
            Ok(q)
        };
        let rows = sqlx::query(
            "SELECT a.question, a.answer, p.opinion_group, COUNT(*) AS n
             FROM dialogue_participant_attributes a
             JOIN dialogue_participants p ON p.dialogue_id = a.dialogue_id AND p.number = a.participant
             WHERE a.dialogue_id = $1 GROUP BY a.question, a.answer, p.opinion_group",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        for r in rows {
            let q = slot(&mut counts, r.try_get("question")?)?;
            let a = index(r.try_get("answer")?)?;
            let n: i64 = r.try_get("n")?;
            *counts[q].declared.entry(a).or_default() += n;
            if let Some(g) = r.try_get::<Option<i64>, _>("opinion_group")? {
                let g = u32::try_from(g)
                    .map_err(|_| StoreError::Integrity(format!("opinion group {g}")))?;
                *counts[q]
                    .by_group
                    .entry(a)
                    .or_default()
                    .entry(g)
                    .or_default() += n;
            }
        }
        let rows = sqlx::query(
            "SELECT a.question, a.answer, v.statement, v.vote, COUNT(*) AS n
             FROM dialogue_participant_attributes a
             JOIN dialogue_votes v ON v.dialogue_id = a.dialogue_id AND v.participant = a.participant
             WHERE a.dialogue_id = $1 GROUP BY a.question, a.answer, v.statement, v.vote",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        for r in rows {
            let q = slot(&mut counts, r.try_get("question")?)?;
            let a = index(r.try_get("answer")?)?;
            let statement: i64 = r.try_get("statement")?;
            let n: i64 = r.try_get("n")?;
            let t: &mut Tally = counts[q]
                .votes
                .entry(a)
                .or_insert_with(BTreeMap::new)
                .entry(statement)
                .or_default();
            match r.try_get::<i64, _>("vote")? {
                1 => t.agree += n,
                -1 => t.disagree += n,
                _ => t.pass += n,
            }
        }
        // What the page and the API show elsewhere, against which subtraction is checked.
        let mut totals = Totals {
            participants: d.participants,
            ..Totals::default()
        };
        let rows = sqlx::query(
            "SELECT statement, COUNT(*) AS n FROM dialogue_votes WHERE dialogue_id = $1 GROUP BY statement",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        for r in rows {
            totals
                .voters
                .insert(r.try_get("statement")?, r.try_get("n")?);
        }
        let rows = sqlx::query(
            "SELECT opinion_group, COUNT(*) AS n FROM dialogue_participants
             WHERE dialogue_id = $1 AND opinion_group IS NOT NULL GROUP BY opinion_group",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        for r in rows {
            let g: i64 = r.try_get("opinion_group")?;
            let g = u32::try_from(g)
                .map_err(|_| StoreError::Integrity(format!("opinion group {g}")))?;
            totals.groups.insert(g, r.try_get("n")?);
        }
        Ok(inclusion_report(&d.attributes, &counts, &totals))
    }
}
