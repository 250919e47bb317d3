//! Group commit of participants' votes: one writer task per [`Store`] (per node) takes the
//! votes that arrive while it is busy or within a short window (up to [`BATCH_CAP`]), and
//! commits them in ONE write transaction — one fsync for the batch instead of one per vote.
//!
//! Each vote in the batch is still checked and written on its own terms: the statement is one
//! the conversation shows, the participant is known, an earlier vote moves to
//! `dialogue_vote_history`, the vote is inserted or replaced, and it gets its own audit entry
//! (chained in the batch's order, so the log is the same as with one transaction per vote).
//! The work per batch hardly grows with its size: three reads per dialogue in the batch, then
//! every vote decided in memory, then multi-row writes (history, votes, audit entries) and the
//! audit head once. All reads come before any write, so a refused vote (no such statement,
//! unknown participant) is refused alone and leaves nothing behind; the others of the batch go
//! on. A database error (or a failed commit) fails every vote of the batch — the transaction is
//! rolled back whole, nothing half-written — and each request is answered only after its
//! batch's commit, so a vote answered as recorded is durable.
//!
//! Boring on purpose: a bounded tokio mpsc channel in, a oneshot reply per vote out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use grotius_domain::dialogue::Vote;
use grotius_security::now_micros;
use sqlx::{AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use crate::audit::Chain;
use crate::db::values_list;
use crate::participation_link::{ParticipationError, SHOWN};
use crate::{Result, Store, StoreError};

/// Most votes committed in one transaction.
pub(crate) const BATCH_CAP: usize = 256;
/// How long a batch stays open for more votes, counted from its first vote's arrival: a vote
/// that already waited that long behind the previous commit (under load) is committed with
/// what is queued, without waiting more; a lone vote (light load) waits at most this long.
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
    /// When the vote was handed to the writer (its batch's window starts at the first).
    arrived: tokio::time::Instant,
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
            arrived: tokio::time::Instant::now(),
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
        let deadline = first.arrived + WINDOW;
        let mut batch = vec![first];
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

/// The placeholders `$from, $from+1, …` of `n` values, comma-separated.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|k| format!("${k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the batch's reads found for one dialogue.
#[derive(Default)]
struct Found {
    shown: BTreeSet<i64>,
    known: BTreeSet<i64>,
    /// The current vote and its time per (participant, statement), as the batch goes on.
    current: BTreeMap<(i64, i64), (i64, Option<i64>)>,
}

/// The reads of one dialogue's votes in the batch: which of their statements it shows, which
/// of their participants are known, and their earlier votes — three statements, whatever the
/// number of votes.
async fn read_dialogue(tx: &mut AnyConnection, jobs: &[&VoteJob]) -> Result<Found> {
    let Some(first) = jobs.first() else {
        return Ok(Found::default());
    };
    let statements: BTreeSet<i64> = jobs.iter().map(|j| j.statement).collect();
    let participants: BTreeSet<i64> = jobs.iter().map(|j| j.participant).collect();
    let pairs: BTreeSet<(i64, i64)> = jobs.iter().map(|j| (j.participant, j.statement)).collect();
    let mut found = Found::default();

    let sql = format!(
        "SELECT number FROM dialogue_statements WHERE dialogue_id = $1 AND {SHOWN} AND number IN ({})",
        placeholders(3, statements.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&first.dialogue_id)
        .bind(first.moderation_mode);
    for n in &statements {
        q = q.bind(*n);
    }
    for r in q.fetch_all(&mut *tx).await? {
        found.shown.insert(r.try_get("number")?);
    }

    let sql = format!(
        "SELECT number FROM dialogue_participants WHERE dialogue_id = $1 AND secret_hash IS NOT NULL AND number IN ({})",
        placeholders(2, participants.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&first.dialogue_id);
    for n in &participants {
        q = q.bind(*n);
    }
    for r in q.fetch_all(&mut *tx).await? {
        found.known.insert(r.try_get("number")?);
    }

    let cond: Vec<String> = (0..pairs.len())
        .map(|i| {
            format!(
                "(participant = ${} AND statement = ${})",
                2 + 2 * i,
                3 + 2 * i
            )
        })
        .collect();
    let sql = format!(
        "SELECT participant, statement, vote, voted_at FROM dialogue_votes WHERE dialogue_id = $1 AND ({})",
        cond.join(" OR ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&first.dialogue_id);
    for (p, n) in &pairs {
        q = q.bind(*p).bind(*n);
    }
    for r in q.fetch_all(&mut *tx).await? {
        found.current.insert(
            (r.try_get("participant")?, r.try_get("statement")?),
            (r.try_get("vote")?, r.try_get("voted_at")?),
        );
    }
    Ok(found)
}

/// A vote's row to write: (dialogue, participant, statement, vote, voted_at).
type VoteRow = (String, i64, i64, i64, i64);
/// An earlier vote kept: (dialogue, participant, statement, vote, voted_at, replaced_at).
type HistoryRow = (String, i64, i64, i64, Option<i64>, i64);

/// One transaction for the batch: every vote's outcome, or the database error that rolled
/// the whole batch back.
///
/// The reads come first (three per dialogue of the batch); then each vote, in arrival order,
/// is decided in memory — refused alone (no such statement, unknown participant) or accepted,
/// its earlier vote (stored, or earlier in this batch) kept for history and its audit entry
/// chained; then the writes: the history rows, the votes (one upsert per row, the last vote of
/// a pair winning), the audit entries, each as multi-row statements, and the audit head.
async fn commit_batch(
    store: &Store,
    batch: &[VoteJob],
) -> Result<Vec<std::result::Result<(), ParticipationError>>> {
    let mut tx = store.write_tx().await?;
    let mut found: BTreeMap<&str, Found> = BTreeMap::new();
    let ids: BTreeSet<&str> = batch.iter().map(|j| j.dialogue_id.as_str()).collect();
    for id in ids {
        let jobs: Vec<&VoteJob> = batch.iter().filter(|j| j.dialogue_id == id).collect();
        found.insert(id, read_dialogue(&mut tx, &jobs).await?);
    }

    let mut chain = Chain::start(&mut tx, store).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut history: Vec<HistoryRow> = Vec::new();
    let mut votes: BTreeMap<(&str, i64, i64), VoteRow> = BTreeMap::new();
    let mut entries = Vec::with_capacity(batch.len());
    for job in batch {
        let Some(f) = found.get_mut(job.dialogue_id.as_str()) else {
            outcomes.push(Err(ParticipationError::NoStatement));
            continue;
        };
        if !f.shown.contains(&job.statement) {
            outcomes.push(Err(ParticipationError::NoStatement));
            continue;
        }
        if !f.known.contains(&job.participant) {
            outcomes.push(Err(ParticipationError::Unknown));
            continue;
        }
        let now = now_micros();
        let vote = i64::from(job.vote.as_polis());
        let key = (job.participant, job.statement);
        if let Some((old, at)) = f.current.insert(key, (vote, Some(now))) {
            history.push((
                job.dialogue_id.clone(),
                job.participant,
                job.statement,
                old,
                at,
                now,
            ));
        }
        votes.insert(
            (job.dialogue_id.as_str(), job.participant, job.statement),
            (
                job.dialogue_id.clone(),
                job.participant,
                job.statement,
                vote,
                now,
            ),
        );
        let actor = format!("participant:{}", job.participant);
        let detail =
            serde_json::json!({"statement": job.statement, "vote": job.vote.as_str()}).to_string();
        entries.push(chain.next(
            store,
            &actor,
            &actor,
            "dialogue.vote",
            "dialogue",
            &job.dialogue_id,
            "ok",
            &detail,
        ));
        outcomes.push(Ok(()));
    }

    // 6 values a row, 128 rows a statement: far below either backend's bind limit; anonymous
    // placeholders on SQLite (`values_list`: named ones cost N² to bind).
    for chunk in history.chunks(128) {
        let sql = format!(
            "INSERT INTO dialogue_vote_history (dialogue_id, participant, statement, vote, voted_at, replaced_at) VALUES {}",
            values_list(store.backend, chunk.len(), 6)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (d, p, n, v, at, replaced) in chunk {
            q = q
                .bind(d)
                .bind(*p)
                .bind(*n)
                .bind(*v)
                .bind(*at)
                .bind(*replaced);
        }
        q.execute(&mut *tx).await?;
    }
    let rows: Vec<&VoteRow> = votes.values().collect();
    for chunk in rows.chunks(128) {
        let sql = format!(
            "INSERT INTO dialogue_votes (dialogue_id, participant, statement, vote, voted_at) VALUES {}
             ON CONFLICT (dialogue_id, participant, statement) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
            values_list(store.backend, chunk.len(), 5)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (d, p, n, v, at) in chunk {
            q = q.bind(d).bind(*p).bind(*n).bind(*v).bind(*at);
        }
        q.execute(&mut *tx).await?;
    }
    Chain::insert(&mut tx, store.backend, &entries).await?;
    chain.finish(&mut tx, store).await?;
    tx.commit().await?;
    Ok(outcomes)
}
