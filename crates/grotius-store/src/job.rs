//! Background jobs (the PA-X and incident imports): a row per job in the job's table, its
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
