//! Group commit of participants' votes: one writer task per [`Store`] (per node) takes the
//! votes that arrive while it is busy or within a short window (up to [`BATCH_CAP`]), and
//! commits them in ONE write transaction — one fsync for the batch instead of one per vote.
//!
//! Each vote in the batch is still checked and written on its own: the statement is one the
//! conversation shows, the participant is known, an earlier vote moves to
//! `dialogue_vote_history`, the vote is inserted or updated, and it gets its own audit entry
//! (chained in the batch's order, so the log is the same as with one transaction per vote).
//! All checks of a vote are reads done before any of its writes, so a refused vote (no such
//! statement, unknown participant) is refused alone and leaves nothing behind; the others of
//! the batch go on. A database error (or a failed commit) fails every vote of the batch — the
//! transaction is rolled back whole, nothing half-written — and each request is answered only
//! after its batch's commit, so a vote answered as recorded is durable.
//!
//! Boring on purpose: a bounded tokio mpsc channel in, a oneshot reply per vote out.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use grotius_domain::dialogue::Vote;
use grotius_security::now_micros;
use sqlx::{AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use crate::audit::Chain;
use crate::participation_link::{ParticipationError, SHOWN};
use crate::{Result, Store, StoreError};

/// Most votes committed in one transaction.
pub(crate) const BATCH_CAP: usize = 256;
/// How long the writer waits for more votes once the queue is empty, before committing.
const WINDOW: Duration = Duration::from_millis(2);
/// Votes waiting for the writer before senders wait in turn (back-pressure).
const QUEUE: usize = 4 * BATCH_CAP;

/// One vote handed to the writer.
pub(crate) struct VoteJob {
    pub dialogue_id: String,
    /// The conversation's moderation mode (which statements it shows).
    pub moderation_mode: &'static str,
    pub participant: i64,
    pub statement: i64,
    pub vote: Vote,
    reply: oneshot::Sender<std::result::Result<(), ParticipationError>>,
}

/// The handle on a store's vote writer (started on the first vote).
#[derive(Default)]
pub(crate) struct Intake {
    sender: std::sync::Mutex<Option<mpsc::Sender<VoteJob>>>,
    /// Transactions committed and votes in them, since the store was opened (for benches).
    batches: Arc<AtomicU64>,
    votes: Arc<AtomicU64>,
}

impl Intake {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<mpsc::Sender<VoteJob>>> {
        match self.sender.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Stops taking votes: the writer ends once the votes already queued are committed.
    pub(crate) fn stop(&self) {
        *self.lock() = None;
    }

    /// The writer's channel, starting the writer task if there is none (or it has ended, as when
    /// the store is used from another runtime).
    fn sender(&self, store: &Store) -> mpsc::Sender<VoteJob> {
        let mut guard = self.lock();
        if let Some(s) = guard.as_ref().filter(|s| !s.is_closed()) {
            return s.clone();
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        // The task holds a store without this handle, so dropping the last `Store` closes the
        // channel and ends the task.
        let counts = (self.batches.clone(), self.votes.clone());
        tokio::spawn(writer(store.detached(true), rx, counts));
        *guard = Some(tx.clone());
        tx
    }
}

impl Store {
    /// The group commit so far: (transactions committed, votes in them).
    pub fn vote_batches(&self) -> (u64, u64) {
        (
            self.intake.batches.load(Ordering::Relaxed),
            self.intake.votes.load(Ordering::Relaxed),
        )
    }

    /// Records one vote through the group commit; answers after the commit of its batch.
    pub(crate) async fn commit_vote(
        &self,
        dialogue_id: &str,
        moderation_mode: &'static str,
        participant: i64,
        statement: i64,
        vote: Vote,
    ) -> std::result::Result<(), ParticipationError> {
        let (reply, answer) = oneshot::channel();
        let job = VoteJob {
            dialogue_id: dialogue_id.to_string(),
            moderation_mode,
            participant,
            statement,
            vote,
            reply,
        };
        let gone = || {
            ParticipationError::Store(StoreError::Storage(
                "the vote writer has stopped".to_string(),
            ))
        };
        self.intake
            .sender(self)
            .send(job)
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// The writer task: gathers a batch, commits it, answers, and tells the recomputation which
/// dialogues changed.
async fn writer(
    store: Store,
    mut rx: mpsc::Receiver<VoteJob>,
    (batches, votes): (Arc<AtomicU64>, Arc<AtomicU64>),
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + WINDOW;
        while batch.len() < BATCH_CAP {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) => {
                    match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(job)) => batch.push(job),
                        _ => break,
                    }
                }
            }
        }
        let outcomes = commit_batch(&store, &batch).await;
        let mut changed: Vec<String> = Vec::new();
        match outcomes {
            Ok(outcomes) => {
                batches.fetch_add(1, Ordering::Relaxed);
                votes.fetch_add(batch.len() as u64, Ordering::Relaxed);
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    if outcome.is_ok() && !changed.contains(&job.dialogue_id) {
                        changed.push(job.dialogue_id.clone());
                    }
                    // A request that went away meanwhile no longer waits for its answer.
                    let _ = job.reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, votes = batch.len(), "a batch of votes was not committed");
                let message = e.to_string();
                for job in batch {
                    let _ = job
                        .reply
                        .send(Err(ParticipationError::Store(StoreError::Storage(
                            message.clone(),
                        ))));
                }
            }
        }
        for id in changed {
            store.dialogue_changed(&id);
        }
    }
}

/// One transaction for the batch: every vote's outcome, or the database error that rolled
/// the whole batch back.
async fn commit_batch(
    store: &Store,
    batch: &[VoteJob],
) -> Result<Vec<std::result::Result<(), ParticipationError>>> {
    let mut tx = store.write_tx().await?;
    let mut chain = Chain::start(&mut tx, store).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        outcomes.push(one_vote(&mut tx, store, &mut chain, job).await?);
    }
    chain.finish(&mut tx, store).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// One vote inside the batch's transaction. The outer error is a database error (the batch
/// fails); the inner one a refusal of this vote alone, decided before any of its writes.
async fn one_vote(
    tx: &mut AnyConnection,
    store: &Store,
    chain: &mut Chain,
    job: &VoteJob,
) -> Result<std::result::Result<(), ParticipationError>> {
    // The statement is shown, the participant is known, and the earlier vote: one read.
    let sql = format!(
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM dialogue_statements
                    WHERE dialogue_id = $1 AND number = $4 AND {SHOWN}) THEN 1 ELSE 0 END AS BIGINT) AS shown,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM dialogue_participants
                    WHERE dialogue_id = $1 AND number = $3 AND secret_hash IS NOT NULL) THEN 1 ELSE 0 END AS BIGINT) AS known,
                v.vote, v.voted_at
         FROM (SELECT 1 AS one) o
         LEFT JOIN dialogue_votes v ON v.dialogue_id = $1 AND v.participant = $3 AND v.statement = $4"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&job.dialogue_id)
        .bind(job.moderation_mode)
        .bind(job.participant)
        .bind(job.statement)
        .fetch_one(&mut *tx)
        .await?;
    if row.try_get::<i64, _>("shown")? == 0 {
        return Ok(Err(ParticipationError::NoStatement));
    }
    if row.try_get::<i64, _>("known")? == 0 {
        return Ok(Err(ParticipationError::Unknown));
    }
    let now = now_micros();
    let vote = i64::from(job.vote.as_polis());
    let earlier: Option<i64> = row.try_get("vote")?;
    if let Some(old) = earlier {
        let at: Option<i64> = row.try_get("voted_at")?;
        sqlx::query(
            "INSERT INTO dialogue_vote_history (dialogue_id, participant, statement, vote, voted_at, replaced_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&job.dialogue_id)
        .bind(job.participant)
        .bind(job.statement)
        .bind(old)
        .bind(at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE dialogue_votes SET vote = $1, voted_at = $2 WHERE dialogue_id = $3 AND participant = $4 AND statement = $5",
        )
        .bind(vote)
        .bind(now)
        .bind(&job.dialogue_id)
        .bind(job.participant)
        .bind(job.statement)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO dialogue_votes (dialogue_id, participant, statement, vote, voted_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&job.dialogue_id)
        .bind(job.participant)
        .bind(job.statement)
        .bind(vote)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let actor = format!("participant:{}", job.participant);
    let detail =
        serde_json::json!({"statement": job.statement, "vote": job.vote.as_str()}).to_string();
    chain
        .push(
            tx,
            store,
            &actor,
            &actor,
            "dialogue.vote",
            "dialogue",
            &job.dialogue_id,
            "ok",
            &detail,
        )
        .await?;
    Ok(Ok(()))
}
