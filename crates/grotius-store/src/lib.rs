//! Storage of Grotius: one interface over two real backends, SQLite (default) and PostgreSQL.
//!
//! * [`Store`] owns the connection pool, the keyring and the audit key. Its pool is private:
//!   nothing outside this crate runs SQL.
//! * Authentication ([`Store::login`], [`Store::session_access`], [`Store::token_access`]) is the
//!   only way to obtain an [`Access`]: a subject loaded from the database, bound to the store.
//! * Every read and write of records goes through an [`Access`] method, which asks the policy
//!   engine ([`grotius_domain::decide`]) and writes the audit log in the same transaction as the
//!   change.
//!
//! SQL is written once with `$1`-style parameters, which both backends accept; integers are
//! 64-bit and flags are 0/1 integers so that the same decoding works on both.

mod access;
mod agreement;
mod alert;
mod analysis;
mod audit;
mod audit_view;
mod auth;
mod backup;
mod blobs;
mod conflict_lists;
mod db;
mod dialogue;
mod dialogue_attributes;
mod dialogue_export;
mod dialogue_paper;
mod dialogue_recompute;
mod dialogue_report;
mod dialogue_run;
mod document;
mod early_warning;
mod engagement;
mod event_buckets;
mod evidence;
mod fund;
mod get;
mod incident;
mod job;
mod keys;
mod lessons;
mod linked;
mod list;
mod login_limit;
mod network;
mod notify;
mod participation;
mod participation_link;
mod presence;
mod process;
mod roster;
mod search;
mod separation;
mod training;
mod users;
mod vote_intake;
mod watch;
mod work;
pub use work::HistoryEntry;

pub use access::{Access, Page};
pub use agreement::{
    AgreementFacets, AgreementFilter, AgreementResults, COMPARE_MAX, FacetCount, ImportJob,
    PaxReport,
};
pub use alert::{ALERT_LINK_KINDS, AlertFilter, AlertLink, today as alert_today};
pub use analysis::RestoreRequest;
pub use audit::{AUDIT_ANCHOR_FILE, AnchorCheck, AuditFilter, VerifyReport};
pub use audit_view::{WITHHELD_DETAIL, WITHHELD_ID};
pub use auth::{
    LoginOutcome, SESSION_ABSOLUTE_SECS as SESSION_MAX_AGE, SessionInfo, SessionStage,
    TotpEnrolment,
};
pub use backup::{RestoreReport, backup_sqlite, restore_sqlite};
pub use blobs::{BlobStore, MigrateReport, S3Blobs};
pub use conflict_lists::{CountryConflict, CountryConflicts, WaterConflict};
pub use db::{Backend, OpenMode, Store, sqlite_path};
pub use dialogue::DialogueResults;
pub use dialogue_export::PolisFile;
pub use dialogue_paper::PaperRoundReport;
pub use dialogue_recompute::RECOMPUTE_ACTOR;
pub use dialogue_report::ActivityDay;
pub use dialogue_run::{ModerationDecision, QueueItem};
pub use document::extract::{docx_from_text, pdf_from_text};
pub use document::{DocumentDetail, DocumentFilter, Upload};
pub use early_warning::{
    AreaActivity, AreaPoint, CountryTrend, CountryTrends, DyadActivity, EventCell, EventImportJob,
    EventImportKind, EventImportReport, EventSeries, SeriesBy, SeriesFormat, SeriesPoint,
};
pub use evidence::{
    BlobReader, EvidenceFilter, EvidenceReport, Ingested, PackageDetail, PackageSummary,
    UploadInfo, UploadWriter,
};
pub use fund::iati::{IatiExport, REPORTING_ORG_NAME, REPORTING_ORG_REF};
pub use fund::reports::{
    BENCHMARK_DAYS, BudgetUse, ConfidentialLine, DecisionTime, FundDashboard, FundReport,
    FundReportFilter, MIN_PUBLIC_CELL, PUBLIC_ROUNDING, ParliamentOverview, REPORT_HEADER,
    ReportRow, SupportedProcess, TrackTimes,
};
pub use fund::{
    ApplicationDetail, ApplicationFilter, FundVerifyReport, LedgerEntry, PaymentInput, Step,
};
pub use grotius_search::{
    Facets as SearchFacets, Hit as SearchHit, SearchRequest, SearchResults,
    Snippet as SearchSnippet, Sort as SearchSort,
};
pub use incident::{
    IncidentFilter, IncidentImportJob, IncidentImportReport, IncidentImportStart, IncidentMap,
    IncidentPage, MAP_CELL,
};
pub use keys::{KeysReport, SealedRecords};
pub use lessons::{LessonHit, LessonResults};
pub use login_limit::{LOGIN_WINDOW_SECS, login_limit_key};
pub use network::{ActorFilter, Introduction, NetworkAnswer};
pub use notify::{DueNotification, NotificationSettings, check_email};
pub use participation::{
    CrossShares, ExportScope, ExportTable, ParticipationFilter, ProcessShares, RECORDS_HEADER,
    SHARES_HEADER,
};
pub use participation_link::{Participation, ParticipationError, Shown};
pub use presence::{
    CoherenceFilter, CoherenceRow, CoherenceView, CountryWork, Presence, PresenceFilter, regions,
};
pub use process::ProcessFilter;
pub use roster::read_table;
pub use roster::{
    BENCHMARK_HOURS, Breakdown, EXPERT_COLUMNS, ExpertFilter, ImportProblem, ImportReport,
    RequestDetail, RequestFilter, RosterStats, TableFormat, TeamMember, WaitingRequest,
};
pub use search::ReindexReport;
pub use training::PARTICIPANT_COLUMNS;
pub use users::{ApiTokenInfo, CompartmentInfo, MemberInfo, NewUser, UserInfo, UserUpdate};
pub use watch::{Watched, Watchlist};

use grotius_domain::DomainError;

/// Every error of the storage layer. The web edge maps each variant to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or the subject may not know that it exists.
    #[error("not found")]
    NotFound,
    #[error("not permitted: {0}")]
    Forbidden(String),
    /// Transparent: the CLI prints the error chain, which would name the domain error twice.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error(transparent)]
    Security(#[from] grotius_security::SecurityError),
    #[error("database: {0}")]
    Database(sqlx::Error),
    /// The database's storage refused: disk full, read-only, not a database, malformed, I/O
    /// error. The message starts with the cause.
    #[error("{0}")]
    Storage(String),
    /// The database belongs to another application (or is not Grotius's in another way).
    #[error("{0}")]
    NotGrotius(String),
    /// The key directory's keys are not this instance's.
    #[error("{0}")]
    KeyMismatch(String),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Integrity(String),
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StoreError::Invalid(DomainError::invalid(field, reason))
    }

    /// Maps unique-constraint violations to a conflict with a readable message.
    pub(crate) fn from_unique(e: sqlx::Error, what: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &e
            && (db.is_unique_violation() || db.message().contains("UNIQUE"))
        {
            return StoreError::Conflict(format!("{what} already exists"));
        }
        StoreError::Database(e)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match storage_cause(&e) {
            Some(cause) => StoreError::Storage(format!("{cause} ({e})")),
            None => StoreError::Database(e),
        }
    }
}

/// The cause, in words, of a database error that comes from the storage rather than from the
/// statement: SQLite's primary result codes, PostgreSQL's SQLSTATE classes.
fn storage_cause(e: &sqlx::Error) -> Option<&'static str> {
    let sqlx::Error::Database(db) = e else {
        return None;
    };
    let code = db.code()?;
    if code.len() == 5 {
        // PostgreSQL SQLSTATE.
        return match &*code {
            "53100" => Some("disk full: the database server has no space left"),
            "25006" => Some("read-only: the database server refuses writes"),
            c if c.starts_with("58") => Some("I/O error on the database server"),
            _ => None,
        };
    }
    // SQLite extended result code: the primary code is the low byte.
    let n: i32 = code.parse().ok()?;
    match n & 0xff {
        13 => Some("disk full: the file system holding the database has no space left"),
        8 => Some("read-only: the database file or its directory cannot be written"),
        26 => Some("not a database: the file is not an SQLite database"),
        11 => Some("malformed: the database file is damaged (a truncated or altered file)"),
        10 => Some("I/O error reading or writing the database file"),
        14 => Some("cannot open the database file (missing, or its directory is not accessible)"),
        _ => None,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
