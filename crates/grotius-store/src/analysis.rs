//! Versioned analyses of a process. Every save inserts an immutable version; the analysis row's
//! `latest_version` is advanced by compare-and-set in the same transaction, so two saves on the
//! same base cannot both succeed (and `UNIQUE (analysis_id, version)` backs that up). The content
//! of every version (body and actor rows) is encrypted at rest with AAD
//! `analysis_versions.content:<version id>`. Actor rows are shown only where the reader may see
//! the actor; rows a writer cannot see are carried over unchanged into the version it saves.

use std::collections::HashSet;

use grotius_domain::analysis::{
    ActorMapRow, Analysis, AnalysisContent, AnalysisDiff, AnalysisSummary, AnalysisVersion,
    NewAnalysis, NewVersion, VersionInfo,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::process::record_change;
use crate::{Access, Result, StoreError, new_id};

const HEAD_COLS: &str = "id, process_id, kind, title, classification, compartment_id, latest_version, created_at, updated_by_name, updated_at";
const VERSION_COLS: &str =
    "id, version, title, content, note, restored_from, author_id, author_name, created_at";

fn content_aad(version_id: &str) -> String {
    format!("analysis_versions.content:{version_id}")
}

/// The encrypted part of a version.
#[derive(Serialize, Deserialize)]
struct Sealed {
    body: String,
    #[serde(default)]
    rows: Vec<ActorMapRow>,
}

fn labels_of(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<AnalysisSummary> {
    Ok(AnalysisSummary {
        id: row.try_get("id")?,
        process_id: row.try_get("process_id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        labels: labels_of(row)?,
        latest_version: row.try_get("latest_version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by_name")?,
    })
}

/// Which version to restore, on top of which.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestoreRequest {
    pub version: i64,
    /// The latest version the user saw; a stale one is refused like a stale save.
    #[serde(default)]
    pub base_version: Option<i64>,
}

fn stale(base: i64, latest: i64, author: &str) -> StoreError {
    StoreError::Conflict(format!(
        "this analysis changed while you worked on it: you edited version {base}, but version {latest} (saved by {author}) is now the latest. Nothing was saved; compare with version {latest} and save again."
    ))
}

crate::list::listed!(AnalysisSummary);

impl Access {
    fn version_from_row(&self, row: &sqlx::any::AnyRow) -> Result<AnalysisVersion> {
        let id: String = row.try_get("id")?;
        let sealed: Sealed = serde_json::from_str(
            &self
                .store
                .keys
                .decrypt(&content_aad(&id), &row.try_get::<String, _>("content")?)?,
        )
        .map_err(|e| StoreError::Integrity(format!("analysis version {id}: {e}")))?;
        Ok(AnalysisVersion {
            number: row.try_get("version")?,
            author_id: row.try_get("author_id")?,
            author_name: row.try_get("author_name")?,
            created_at: row.try_get("created_at")?,
            note: row.try_get("note")?,
            restored_from: row.try_get("restored_from")?,
            content: AnalysisContent {
                title: row.try_get("title")?,
                body: sealed.body,
                rows: sealed.rows,
            },
        })
    }

    /// The analysis row, if the subject may read it (else 404, and a denial is audited).
    async fn analysis_head(&self, id: &str) -> Result<AnalysisSummary> {
        let head = self
            .get_checked(
                ResourceKind::Analysis,
                Action::Read,
                format!("SELECT {HEAD_COLS} FROM analyses WHERE id = $1"),
                id,
                summary_from_row,
            )
            .await?;
        Ok(head)
    }

    /// One version as stored (all rows, whoever reads); `None` if there is no such version.
    async fn stored_version(
        &self,
        conn: Option<&mut AnyConnection>,
        analysis_id: &str,
        version: i64,
    ) -> Result<Option<AnalysisVersion>> {
        let q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLS} FROM analysis_versions WHERE analysis_id = $1 AND version = $2"
        )))
        .bind(analysis_id.to_string())
        .bind(version);
        let row = match conn {
            Some(c) => q.fetch_optional(&mut *c).await?,
            None => q.fetch_optional(&self.store.pool).await?,
        };
        row.map(|r| self.version_from_row(&r)).transpose()
    }

    /// Ids among `ids` that the subject may see as actors.
    async fn visible_actors(&self, ids: &[&str]) -> Result<HashSet<String>> {
        let mut all: Vec<&str> = ids.to_vec();
        all.sort_unstable();
        all.dedup();
        let mut visible = HashSet::new();
        if all.is_empty() || !self.may(Action::Read, Resource::kind(ResourceKind::Actor)) {
            return Ok(visible);
        }
        for chunk in all.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, classification, compartment_id FROM actors WHERE id IN ({})",
                ph.join(", ")
            )));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q.fetch_all(&self.store.pool).await? {
                let labels = labels_of(&row)?;
                if self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Actor, &labels),
                ) {
                    visible.insert(row.try_get("id")?);
                }
            }
        }
        Ok(visible)
    }

    /// Drops the rows whose actor the subject may not see — without a trace.
    async fn filter_rows(&self, versions: &mut [&mut AnalysisVersion]) -> Result<()> {
        let ids: Vec<String> = versions
            .iter()
            .flat_map(|v| v.content.rows.iter().map(|r| r.actor_id.clone()))
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let visible = self.visible_actors(&refs).await?;
        for v in versions.iter_mut() {
            v.content.rows.retain(|r| visible.contains(&r.actor_id));
        }
        Ok(())
    }

    async fn audit_read(&self, head: &AnalysisSummary, action: &str, detail: &str) -> Result<()> {
        if head.labels.classification.read_is_audited() {
            self.audit_now(action, "analysis", &head.id, "ok", detail)
                .await?;
        }
        Ok(())
    }

    /// The analyses of a process the subject may see, most recently changed first.
    pub async fn list_analyses(&self, process_id: &str) -> Result<Vec<AnalysisSummary>> {
        let process = self.get_process(process_id).await?;
        let list = self
            .list_of_process(ResourceKind::Analysis, "analyses", &process, Action::Read)
            .await?
            .columns(HEAD_COLS)
            .order("updated_at DESC, id");
        self.list_all(list, summary_from_row).await
    }

    /// An analysis with one version (the latest unless `version` names another); actor rows
    /// only where the subject may see the actor.
    pub async fn get_analysis(&self, id: &str, version: Option<i64>) -> Result<Analysis> {
        let head = self.analysis_head(id).await?;
        let number = version.unwrap_or(head.latest_version);
        let mut v = self
            .stored_version(None, id, number)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.filter_rows(&mut [&mut v]).await?;
        self.audit_read(
            &head,
            "analysis.read",
            &serde_json::json!({"version": number}).to_string(),
        )
        .await?;
        Ok(Analysis {
            id: head.id,
            process_id: head.process_id,
            kind: head.kind,
            labels: head.labels,
            latest_version: head.latest_version,
            created_at: head.created_at,
            updated_at: head.updated_at,
            version: v,
        })
    }

    /// The analysis and its versions, newest first (without content).
    pub async fn analysis_history(&self, id: &str) -> Result<(AnalysisSummary, Vec<VersionInfo>)> {
        let head = self.analysis_head(id).await?;
        let rows = sqlx::query(
            "SELECT version, title, note, restored_from, author_name, created_at
             FROM analysis_versions WHERE analysis_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let versions = rows
            .iter()
            .map(|r| {
                Ok(VersionInfo {
                    number: r.try_get("version")?,
                    title: r.try_get("title")?,
                    author_name: r.try_get("author_name")?,
                    created_at: r.try_get("created_at")?,
                    note: r.try_get("note")?,
                    restored_from: r.try_get("restored_from")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.audit_read(&head, "analysis.history", "{}").await?;
        Ok((head, versions))
    }

    /// What changed from version `from` to version `to` (computed on what the subject may see).
    pub async fn diff_analysis(
        &self,
        id: &str,
        from: i64,
        to: i64,
    ) -> Result<(AnalysisSummary, AnalysisDiff)> {
        let head = self.analysis_head(id).await?;
        let missing = |field: &'static str, n: i64| {
            StoreError::invalid(field, format!("this analysis has no version {n}"))
        };
        let mut old = self
            .stored_version(None, id, from)
            .await?
            .ok_or_else(|| missing("from", from))?;
        let mut new = self
            .stored_version(None, id, to)
            .await?
            .ok_or_else(|| missing("to", to))?;
        self.filter_rows(&mut [&mut old, &mut new]).await?;
        let d = grotius_domain::analysis::diff(from, &old.content, to, &new.content);
        self.audit_read(
            &head,
            "analysis.diff",
            &serde_json::json!({"from": from, "to": to}).to_string(),
        )
        .await?;
        Ok((head, d))
    }

    /// Row actors must be actors the writer can see; others do not exist for it.
    async fn check_row_actors(&self, rows: &[ActorMapRow]) -> Result<()> {
        let ids: Vec<&str> = rows.iter().map(|r| r.actor_id.as_str()).collect();
        let visible = self.visible_actors(&ids).await?;
        if let Some(r) = rows.iter().find(|r| !visible.contains(&r.actor_id)) {
            return Err(StoreError::invalid(
                "rows",
                format!("no such actor: {}", r.actor_id),
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_version(
        &self,
        conn: &mut AnyConnection,
        analysis_id: &str,
        number: i64,
        content: &AnalysisContent,
        note: &str,
        restored_from: Option<i64>,
        now: i64,
    ) -> Result<()> {
        let vid = new_id();
        let sealed = serde_json::to_string(&Sealed {
            body: content.body.clone(),
            rows: content.rows.clone(),
        })
        .map_err(|e| StoreError::Integrity(e.to_string()))?;
        let sealed = self.store.keys.encrypt(&content_aad(&vid), &sealed)?;
        sqlx::query(
            "INSERT INTO analysis_versions (id, analysis_id, version, title, content, note, restored_from, author_id, author_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&vid)
        .bind(analysis_id)
        .bind(number)
        .bind(&content.title)
        .bind(sealed)
        .bind(note)
        .bind(restored_from)
        .bind(&self.subject.user_id)
        .bind(&self.subject.username)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(|e| match StoreError::from_unique(e, "this version") {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "this analysis changed while you worked on it: version {number} was saved by someone else. Nothing was saved; compare with the latest version and save again."
            )),
            other => other,
        })?;
        Ok(())
    }

    /// Advances `latest_version` from `base` to `base + 1` — or reports who got there first.
    async fn advance(
        &self,
        conn: &mut AnyConnection,
        id: &str,
        base: i64,
        title: &str,
        labels: &Labels,
        now: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE analyses SET latest_version = $1, title = $2, classification = $3, updated_by_name = $4, updated_at = $5
             WHERE id = $6 AND latest_version = $7",
        )
        .bind(base + 1)
        .bind(title)
        .bind(labels.classification.level())
        .bind(&self.subject.username)
        .bind(now)
        .bind(id)
        .bind(base)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let latest = sqlx::query(
            "SELECT version, author_name FROM analysis_versions WHERE analysis_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        Err(match latest {
            Some(r) => stale(
                base,
                r.try_get("version")?,
                &r.try_get::<String, _>("author_name")?,
            ),
            None => StoreError::NotFound,
        })
    }

    pub async fn create_analysis(&self, process_id: &str, input: &NewAnalysis) -> Result<Analysis> {
        let process = self.get_process(process_id).await?;
        self.authorize(Action::Create, Resource::kind(ResourceKind::Analysis), None)
            .await?;
        let v = input.validate(&process.labels)?;
        self.authorize_labels(Action::Create, ResourceKind::Analysis, &v.labels, None)
            .await?;
        self.check_row_actors(&v.content.rows).await?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO analyses (id, process_id, kind, title, classification, compartment_id, latest_version, created_by, created_at, updated_by_name, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $8)",
        )
        .bind(&id)
        .bind(&process.id)
        .bind(&v.kind)
        .bind(&v.content.title)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .bind(&self.subject.username)
        .execute(&mut *tx)
        .await?;
        self.insert_version(&mut tx, &id, 1, &v.content, &v.note, None, now)
            .await?;
        record_change(&mut tx, "analysis", &id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "kind": v.kind, "version": 1,
            "classification": v.labels.classification})
        .to_string();
        self.audit_in(&mut tx, "analysis.create", "analysis", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_analysis(&id, None).await
    }

    /// Saves a new version on top of `base_version`; refused with a conflict if someone else
    /// saved since. Rows of actors the writer cannot see are carried over unchanged.
    pub async fn save_analysis_version(&self, id: &str, input: &NewVersion) -> Result<Analysis> {
        let head = self.analysis_head(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Analysis, &head.labels),
            Some(id),
        )
        .await?;
        let process = self.get_process(&head.process_id).await?;
        let mut v = input.validate(&head.kind, &head.labels, &process.labels)?;
        self.authorize_labels(Action::Update, ResourceKind::Analysis, &v.labels, Some(id))
            .await?;
        if v.base_version != head.latest_version {
            let latest = self
                .stored_version(None, id, head.latest_version)
                .await?
                .map(|l| l.author_name)
                .unwrap_or_default();
            return Err(stale(v.base_version, head.latest_version, &latest));
        }
        self.check_row_actors(&v.content.rows).await?;
        let base = self
            .stored_version(None, id, v.base_version)
            .await?
            .ok_or(StoreError::NotFound)?;
        let base_ids: Vec<&str> = base
            .content
            .rows
            .iter()
            .map(|r| r.actor_id.as_str())
            .collect();
        let visible = self.visible_actors(&base_ids).await?;
        v.content.rows.extend(
            base.content
                .rows
                .iter()
                .filter(|r| !visible.contains(&r.actor_id))
                .cloned(),
        );
        let now = now_micros();
        let number = v.base_version + 1;
        let mut tx = self.store.write_tx().await?;
        self.advance(
            &mut tx,
            id,
            v.base_version,
            &v.content.title,
            &v.labels,
            now,
        )
        .await?;
        self.insert_version(&mut tx, id, number, &v.content, &v.note, None, now)
            .await?;
        record_change(&mut tx, "analysis", id, "upsert").await?;
        let detail = serde_json::json!({"version": number, "base": v.base_version,
            "classification": v.labels.classification})
        .to_string();
        self.audit_in(&mut tx, "analysis.save", "analysis", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_analysis(id, None).await
    }

    /// Restores an old version as a new one: version N+1 with the content of `version`.
    pub async fn restore_analysis_version(
        &self,
        id: &str,
        req: &RestoreRequest,
    ) -> Result<Analysis> {
        let head = self.analysis_head(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Analysis, &head.labels),
            Some(id),
        )
        .await?;
        let base = req.base_version.unwrap_or(head.latest_version);
        if base != head.latest_version {
            let latest = self
                .stored_version(None, id, head.latest_version)
                .await?
                .map(|l| l.author_name)
                .unwrap_or_default();
            return Err(stale(base, head.latest_version, &latest));
        }
        if req.version == head.latest_version {
            return Err(StoreError::invalid(
                "version",
                format!(
                    "version {} is already the latest; choose an older one",
                    req.version
                ),
            ));
        }
        let old = self
            .stored_version(None, id, req.version)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(
                    "version",
                    format!("this analysis has no version {}", req.version),
                )
            })?;
        let now = now_micros();
        let number = base + 1;
        let note = format!("restored from version {}", req.version);
        let mut tx = self.store.write_tx().await?;
        self.advance(&mut tx, id, base, &old.content.title, &head.labels, now)
            .await?;
        self.insert_version(
            &mut tx,
            id,
            number,
            &old.content,
            &note,
            Some(req.version),
            now,
        )
        .await?;
        record_change(&mut tx, "analysis", id, "upsert").await?;
        let detail =
            serde_json::json!({"version": number, "restored_from": req.version}).to_string();
        self.audit_in(&mut tx, "analysis.restore", "analysis", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_analysis(id, None).await
    }

    /// Deletes an analysis with all its versions; returns its process id.
    pub async fn delete_analysis(&self, id: &str) -> Result<String> {
        let head = self.analysis_head(id).await?;
        self.authorize(
            Action::Delete,
            Resource::labelled(ResourceKind::Analysis, &head.labels),
            Some(id),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_analyses_in(&mut tx, &[(head.id.clone(), head.latest_version)])
            .await?;
        tx.commit().await?;
        Ok(head.process_id)
    }

    /// The analyses of a process that go with it when it is deleted: all of them, if the
    /// subject may delete each (else the deletion is refused).
    pub(crate) async fn analyses_of_deleted_process(
        &self,
        process_id: &str,
    ) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT id, latest_version, classification, compartment_id FROM analyses WHERE process_id = $1",
        )
        .bind(process_id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            if !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::Analysis, &labels_of(r)?),
            ) {
                return Err(StoreError::Forbidden(
                    "this process has analyses you may not delete; ask a colleague with the clearance".into(),
                ));
            }
            out.push((r.try_get("id")?, r.try_get("latest_version")?));
        }
        Ok(out)
    }

    /// Deletes analyses and their versions in the caller's transaction, audited one by one.
    pub(crate) async fn delete_analyses_in(
        &self,
        conn: &mut AnyConnection,
        analyses: &[(String, i64)],
    ) -> Result<()> {
        for (id, versions) in analyses {
            sqlx::query("DELETE FROM analysis_versions WHERE analysis_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            let detail = serde_json::json!({"versions": versions}).to_string();
            self.delete_row(&mut *conn, "analyses", "analysis", id, &detail)
                .await?;
        }
        Ok(())
    }
}
