//! Whether the keys in the key directory open everything this database holds: every encrypted
//! field, every document file, every real identity. Used by `grotius restore` before a backup
//! replaces anything (a backup taken before `keys rotate --retire` holds values under retired
//! keys that this instance can no longer read).

use grotius_security::Keyring;
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store};

/// Every encrypted text column: (table, column, associated-data prefix). Document files
/// (`document_versions.content`) are bytes and handled beside it.
pub(crate) const ENCRYPTED_TEXT: &[(&str, &str, &str)] = &[
    ("processes", "notes", "processes.notes"),
    ("actors", "notes", "actors.notes"),
    ("engagements", "notes", "engagements.notes"),
    ("debriefs", "other_parties", "debriefs.other_parties"),
    ("debriefs", "background", "debriefs.background"),
    ("debriefs", "entry_points", "debriefs.entry_points"),
    ("debriefs", "process_design", "debriefs.process_design"),
    ("debriefs", "key_lessons", "debriefs.key_lessons"),
    ("debriefs", "follow_up", "debriefs.follow_up"),
    (
        "training_participants",
        "name",
        "training_participants.name",
    ),
    ("analysis_versions", "content", "analysis_versions.content"),
    ("experts", "conflicts", "experts.conflicts"),
    ("support_requests", "notes", "support_requests.notes"),
    (
        "fund_applications",
        "risk_note",
        "fund_applications.risk_note",
    ),
    ("users", "totp_secret", "users.totp_secret"),
    ("evidence_items", "sensitive", "evidence_items.sensitive"),
    ("document_versions", "body", "document_versions.body"),
    ("incidents", "description", "incidents.description"),
];

/// What [`Store::verify_keys`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeysReport {
    /// Values decrypted.
    pub values: u64,
    /// One line per value that does not open, naming table, column, row and cause (at most
    /// [`KeysReport::MAX_PROBLEMS`], then a count of the rest).
    pub problems: Vec<String>,
}

impl KeysReport {
    pub const MAX_PROBLEMS: usize = 20;

    fn fail(&mut self, what: String, omitted: &mut u64) {
        if self.problems.len() < Self::MAX_PROBLEMS {
            self.problems.push(what);
        } else {
            *omitted += 1;
        }
    }
}

impl Store {
    /// Decrypts every encrypted value of the database with the keys of the key directory
    /// (field keyring, identity keyring) and names each one that does not open. Reads only.
    pub async fn verify_keys(&self) -> Result<KeysReport> {
        let mut report = KeysReport::default();
        let mut omitted = 0u64;
        let keys: &Keyring = &self.keys;
        for &(table, column, prefix) in ENCRYPTED_TEXT {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, {column} AS v FROM {table} WHERE {column} IS NOT NULL"
            )))
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                let id: String = r.try_get("id")?;
                let v: String = r.try_get("v")?;
                match keys.decrypt_bytes(&format!("{prefix}:{id}"), &v) {
                    Ok(_) => report.values += 1,
                    Err(e) => report.fail(format!("{table}.{column} of {id}: {e}"), &mut omitted),
                }
            }
        }
        let rows = sqlx::query("SELECT id, content FROM document_versions")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let id: String = r.try_get("id")?;
            let v: String = r.try_get("content")?;
            match keys.decrypt_bytes(&format!("document_versions.content:{id}"), &v) {
                Ok(_) => report.values += 1,
                Err(e) => report.fail(
                    format!("document_versions.content of {id}: {e}"),
                    &mut omitted,
                ),
            }
        }
        let rows = sqlx::query("SELECT person_id, identity FROM person_identities")
            .fetch_all(&self.pool)
            .await?;
        if !rows.is_empty() {
            match Keyring::load(&keys.dir().join(grotius_security::IDENTITY_DIR)) {
                Err(e) => report.fail(
                    format!("{} stored identities: {e}", rows.len()),
                    &mut omitted,
                ),
                Ok(identity) => {
                    for r in rows {
                        let person: String = r.try_get("person_id")?;
                        let v: String = r.try_get("identity")?;
                        match identity.decrypt(&crate::incident::identity_aad(&person), &v) {
                            Ok(_) => report.values += 1,
                            Err(e) => report.fail(
                                format!("person_identities.identity of {person}: {e}"),
                                &mut omitted,
                            ),
                        }
                    }
                }
            }
        }
        if omitted > 0 {
            report
                .problems
                .push(format!("… and {omitted} more values that do not open"));
        }
        Ok(report)
    }
}

/// How many records the database holds sealed under the evidence keys and under the identity
/// keyring: a missing key file may be created anew only when nothing was ever sealed under it.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SealedRecords {
    /// Evidence items (each file's key is wrapped by the evidence master key, each custody
    /// event signed with the instance's Ed25519 key).
    pub evidence_items: i64,
    /// Real identities of persons (encrypted with the identity keyring).
    pub identities: i64,
}

impl Store {
    /// Counts the records sealed under the evidence keys and the identity keyring. Reads only.
    pub async fn sealed_records(&self) -> Result<SealedRecords> {
        let count = |table: &'static str| {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table}"
            )))
            .fetch_one(&self.pool)
        };
        Ok(SealedRecords {
            evidence_items: count("evidence_items").await?,
            identities: count("person_identities").await?,
        })
    }
}
