//! Background jobs (the PA-X, incident and event imports; one `start_import_job` starts them):
//! a row per job in the job's table, its
//! progress written by the job in the same transactions as its batches, and its outcome — the
//! report, or the error — kept as JSON when it ends, so any app node can show it.

use grotius_security::now_micros;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;

/// A running job not heard from for this long is shown as interrupted.
const STALE_MICROS: i64 = 10 * 60 * 1_000_000;

/// How a job ended: its report, or why it failed.
#[derive(Serialize, Deserialize)]
pub(crate) struct JobOutcome<R> {
    #[serde(default = "Option::default")]
    pub(crate) report: Option<R>,
    #[serde(default)]
    pub(crate) error: Option<String>,
}

impl<R> JobOutcome<R> {
    pub(crate) fn report(report: R) -> Self {
        JobOutcome {
            report: Some(report),
            error: None,
        }
    }

    pub(crate) fn error(error: String) -> Self {
        JobOutcome {
            report: None,
            error: Some(error),
        }
    }
}

impl<R: DeserializeOwned> JobOutcome<R> {
    /// The outcome stored in a job's row (`{}` while it runs).
    pub(crate) fn parse(stored: &str) -> Self {
        serde_json::from_str(stored).unwrap_or(JobOutcome {
            report: None,
            error: None,
        })
    }
}

/// The status to show: `interrupted` for a job still marked running that has not written
/// progress for ten minutes (its process died; the rows written so far stay).
pub(crate) fn shown_status(status: String, updated_at: i64) -> String {
    if status == "running" && now_micros() - updated_at > STALE_MICROS {
        "interrupted".into()
    } else {
        status
    }
}

/// The job tables.
#[derive(Clone, Copy)]
pub(crate) enum JobTable {
    Agreements,
    Incidents,
    Events,
}

impl JobTable {
    fn name(self) -> &'static str {
        match self {
            JobTable::Agreements => "agreement_imports",
            JobTable::Incidents => "incident_imports",
            JobTable::Events => "event_imports",
        }
    }
}

/// Records how a job ended. The job's rows are committed already, so a failure to record is
/// logged, not raised (the job then shows as interrupted).
pub(crate) async fn record_end<R: Serialize>(
    pool: &AnyPool,
    table: JobTable,
    job: &str,
    status: &str,
    outcome: &JobOutcome<R>,
) {
    let report = serde_json::to_string(outcome).unwrap_or_else(|_| "{}".into());
    let sql = format!(
        "UPDATE {} SET status = $1, report = $2, updated_at = $3 WHERE id = $4",
        table.name()
    );
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status)
        .bind(report)
        .bind(now_micros())
        .bind(job)
        .execute(pool)
        .await
    {
        tracing::error!(job = %job, table = table.name(), error = %e, "cannot record the end of a job");
    }
}

/// Runs an import job's `work` in the background and records how it ended: `done` with the
/// report when the import committed, `failed` with the report when it refused the file's rows,
/// `failed` with the error otherwise.
pub(crate) fn spawn_job<R, F>(pool: AnyPool, table: JobTable, job: String, work: F)
where
    R: Serialize + Send + Sync + 'static,
    F: Future<Output = crate::Result<(bool, R)>> + Send + 'static,
{
    tokio::spawn(async move {
        let (status, out) = match work.await {
            Ok((true, r)) => ("done", JobOutcome::report(r)),
            Ok((false, r)) => ("failed", JobOutcome::report(r)),
            Err(e) => ("failed", JobOutcome::error(e.to_string())),
        };
        record_end(&pool, table, &job, status, &out).await;
    });
}

impl crate::Access {
    /// Starts an import as a background job and returns its id at once: records the running
    /// job in `table` (with its `kind` where the table has one: the event imports), audits the
    /// start as `audit_action` on `audit_kind`, and runs `work(access, job id)` with
    /// [`spawn_job`]. The caller has checked the right to import and the file.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn start_import_job<R, Fut>(
        &self,
        table: JobTable,
        kind: Option<&str>,
        audit_action: &str,
        audit_kind: &str,
        file_name: &str,
        bytes: usize,
        work: impl FnOnce(crate::Access, String) -> Fut,
    ) -> crate::Result<String>
    where
        R: Serialize + Send + Sync + 'static,
        Fut: Future<Output = crate::Result<(bool, R)>> + Send + 'static,
    {
        let id = crate::new_id();
        let now = now_micros();
        let name: String = file_name.chars().take(200).collect();
        let mut tx = self.store.write_tx().await?;
        let sql = match kind {
            Some(_) => format!(
                "INSERT INTO {} (id, status, file_name, started_by, started_at, updated_at, rows_total, rows_done, report, kind)
                 VALUES ($1, 'running', $2, $3, $4, $4, 0, 0, '{{}}', $5)",
                table.name()
            ),
            None => format!(
                "INSERT INTO {} (id, status, file_name, started_by, started_at, updated_at, rows_total, rows_done, report)
                 VALUES ($1, 'running', $2, $3, $4, $4, 0, 0, '{{}}')",
                table.name()
            ),
        };
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&id)
            .bind(&name)
            .bind(&self.subject.username)
            .bind(now);
        let q = match kind {
            Some(k) => q.bind(k),
            None => q,
        };
        q.execute(&mut *tx).await?;
        let mut detail = serde_json::json!({"file": name, "bytes": bytes});
        if let Some(k) = kind {
            detail["kind"] = serde_json::json!(k);
        }
        self.audit_in(
            &mut tx,
            audit_action,
            audit_kind,
            &id,
            "ok",
            &detail.to_string(),
        )
        .await?;
        tx.commit().await?;
        spawn_job(
            self.store.pool.clone(),
            table,
            id.clone(),
            work(self.clone(), id.clone()),
        );
        Ok(id)
    }
}
