//! Automatic, debounced recomputation of a dialogue's groups while a node serves.
//!
//! The rule: when votes or statements land on a dialogue (participants' votes and statements,
//! a paper round), a recomputation of that dialogue is scheduled `after` later, unless one is
//! already scheduled; everything that lands meanwhile is included in it. A change that lands
//! while a recomputation runs schedules the next one `after` later. So a dialogue is recomputed
//! at most once per `after`, and its stored results are at most about `after` (plus the time of
//! one computation) behind its votes.
//!
//! It runs on its own task, never on a vote's path: the votes are read in one read transaction
//! (a snapshot), the mathematics runs on a blocking thread outside any transaction, and only
//! the results are written, in a short write transaction — so the vote writer waits at most for
//! that write, never for the computation. Results are stored as a team's recompute stores them
//! (with the method's version), `computed_at` being the snapshot's time, and audited as
//! `dialogue.recompute` by the actor `system:recompute`. Results newer than the snapshot (a
//! team's recompute meanwhile) are left alone.

use std::collections::BTreeMap;
use std::time::Duration;

use grotius_analysis::dialogue::compute;
use grotius_security::now_micros;
use sqlx::Row;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::dialogue::{load_matrix, store_result};
use crate::{Backend, Result, Store, StoreError};

/// The actor of automatic recomputations in the audit log.
pub const RECOMPUTE_ACTOR: &str = "system:recompute";

/// The handle on a store's recomputation task (none until a serving node starts it).
#[derive(Default)]
pub(crate) struct Recomputer {
    sender: std::sync::Mutex<Option<mpsc::UnboundedSender<String>>>,
}

impl Recomputer {
    /// Stops scheduling: the task ends (a recomputation under way finishes first).
    pub(crate) fn stop(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<mpsc::UnboundedSender<String>>> {
        match self.sender.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl Store {
    /// Starts the automatic recomputation of dialogues (see the module's rule), debounced by
    /// `after`. A node that serves calls it once; calling it again restarts it with the new
    /// delay.
    pub fn start_auto_recompute(&self, after: Duration) {
        let (tx, rx) = mpsc::unbounded_channel();
        // The task holds a store without these handles, so dropping the last `Store` ends it.
        tokio::spawn(scheduler(self.detached(false), after, rx));
        *self.recomputer.lock() = Some(tx);
    }

    /// Votes or statements landed on dialogue `id`: schedules its recomputation (nothing when
    /// automatic recomputation is not running).
    pub(crate) fn dialogue_changed(&self, id: &str) {
        let mut guard = self.recomputer.lock();
        if let Some(s) = guard.as_ref()
            && s.send(id.to_string()).is_err()
        {
            *guard = None;
        }
    }

    /// One automatic recomputation of dialogue `id`; `Ok(false)` when newer results were
    /// already stored.
    pub async fn recompute_automatically(&self, id: &str) -> Result<bool> {
        let snapshot_at = now_micros();
        let mut read = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *read)
                .await?;
        }
        let matrix = load_matrix(&mut read, id).await?;
        read.commit().await?;
        let result = tokio::task::spawn_blocking(move || compute(&matrix))
            .await
            .map_err(|e| StoreError::Integrity(format!("the recomputation of {id} failed: {e}")))?;
        let mut tx = self.write_tx().await?;
        let stored: Option<i64> = sqlx::query("SELECT computed_at FROM dialogues WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<Option<i64>, _>("computed_at"))
            .transpose()?
            .flatten();
        if stored.is_some_and(|c| c >= snapshot_at) {
            tx.rollback().await?;
            return Ok(false);
        }
        store_result(&mut tx, id, &result, snapshot_at).await?;
        let detail = serde_json::json!({"method": result.method, "groups": result.groups.len(),
            "automatic": true})
        .to_string();
        crate::audit::append(
            &mut tx,
            self,
            RECOMPUTE_ACTOR,
            RECOMPUTE_ACTOR,
            "dialogue.recompute",
            "dialogue",
            id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The scheduler: dialogues due at some instant, run one after the other when due.
async fn scheduler(store: Store, after: Duration, mut rx: mpsc::UnboundedReceiver<String>) {
    let mut due: BTreeMap<String, Instant> = BTreeMap::new();
    loop {
        let next = due.values().min().copied();
        let changed = match next {
            Some(at) => tokio::select! {
                m = rx.recv() => Some(m),
                _ = tokio::time::sleep_until(at) => None,
            },
            None => Some(rx.recv().await),
        };
        match changed {
            Some(None) => break,
            Some(Some(id)) => {
                due.entry(id).or_insert_with(|| Instant::now() + after);
            }
            None => {
                let now = Instant::now();
                let ready: Vec<String> = due
                    .iter()
                    .filter(|(_, at)| **at <= now)
                    .map(|(id, _)| id.clone())
                    .collect();
                for id in ready {
                    due.remove(&id);
                    if store.pool.is_closed() {
                        return;
                    }
                    match store.recompute_automatically(&id).await {
                        Ok(_) => {}
                        Err(StoreError::NotFound) => {}
                        Err(e) => {
                            tracing::warn!(dialogue = %id, error = %e, "automatic recomputation failed")
                        }
                    }
                }
            }
        }
    }
}
