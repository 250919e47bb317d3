//! Dialogues of a process (Pol.is-style conversations): import of a Pol.is export, the list
//! across processes and per process (through the list layer's inherited-label rule), the
//! participants with their opinion groups, and the recomputation of the groups
//! (`grotius_analysis::dialogue`), stored with the version of the method.

use grotius_analysis::dialogue::{DialogueResult, VoteMatrix, compute};
use grotius_domain::dialogue::{
    Dialogue, DialogueParticipant, DialogueStatement, Moderation, ModerationMode, PolisExport,
    check_text,
};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use sqlx::{AnyConnection, Row};

use crate::list::listed;
use crate::process::record_change;
use crate::{Access, Page, Result, StoreError, new_id};

pub(crate) const COLS: &str = "dialogues.id, dialogues.process_id, dialogues.topic, dialogues.description, dialogues.source, dialogues.status,
    dialogues.classification, dialogues.compartment_id, dialogues.method, dialogues.computed_at, dialogues.created_at, dialogues.updated_at,
    dialogues.languages, dialogues.opens_at, dialogues.closes_at, dialogues.moderation_mode, dialogues.link_token, dialogues.invitation_only, dialogues.attributes,
    (SELECT COUNT(*) FROM dialogue_participants x WHERE x.dialogue_id = dialogues.id) AS n_participants,
    (SELECT COUNT(*) FROM dialogue_statements x WHERE x.dialogue_id = dialogues.id) AS n_statements,
    (SELECT COUNT(*) FROM dialogue_votes x WHERE x.dialogue_id = dialogues.id) AS n_votes";

listed!(Dialogue);

/// Rows per multi-row INSERT of the import (5 values each, far below SQLite's bind limit).
const BATCH: usize = 400;

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<Dialogue> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    let languages: String = row.try_get("languages")?;
    let mode: String = row.try_get("moderation_mode")?;
    Ok(Dialogue {
        id: row.try_get("id")?,
        process_id: row.try_get("process_id")?,
        topic: row.try_get("topic")?,
        description: row.try_get("description")?,
        source: row.try_get("source")?,
        status: row.try_get("status")?,
        labels: Labels {
            classification: Classification::from_level(row.try_get("classification")?)?,
            compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
        },
        method: row.try_get("method")?,
        computed_at: row.try_get("computed_at")?,
        participants: row.try_get("n_participants")?,
        statements: row.try_get("n_statements")?,
        votes: row.try_get("n_votes")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        languages: languages.split(',').map(str::to_string).collect(),
        opens_at: row.try_get("opens_at")?,
        closes_at: row.try_get("closes_at")?,
        moderation_mode: ModerationMode::parse(&mode)
            .ok_or_else(|| StoreError::Integrity(format!("dialogue moderation mode '{mode}'")))?,
        link_token: row.try_get("link_token")?,
        invitation_only: row.try_get::<i64, _>("invitation_only")? != 0,
        attributes: serde_json::from_str(&row.try_get::<String, _>("attributes")?)
            .map_err(|e| StoreError::Integrity(format!("dialogue attributes: {e}")))?,
    })
}

/// What the team sees of a dialogue: the record, its statements and the stored results.
#[derive(Debug, Clone)]
pub struct DialogueResults {
    pub dialogue: Dialogue,
    pub statements: Vec<DialogueStatement>,
    /// None until computed.
    pub results: Option<DialogueResult>,
    /// Votes or moderation decisions newer than the stored results (recompute to include them).
    pub stale: bool,
    /// Participation over time (joins, votes cast, participants' statements per day).
    pub activity: Vec<crate::ActivityDay>,
    /// Agreement per self-declared attribute, small cells cut (empty without questions).
    pub inclusion: Vec<grotius_domain::dialogue_attributes::QuestionReport>,
}

/// A value of an imported row.
enum Bind {
    Text(String),
    Int(i64),
    OptInt(Option<i64>),
}

/// Inserts `rows` (each a list of values) into `table (columns)` in multi-row statements.
async fn insert_batched(
    tx: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Bind>],
    progress: &mut dyn FnMut(usize),
) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let params: Vec<String> = (0..columns.len()).map(|k| format!("${}", n + k)).collect();
            n += columns.len();
            sql.push('(');
            sql.push_str(&params.join(", "));
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for b in row {
                q = match b {
                    Bind::Text(t) => q.bind(t.clone()),
                    Bind::Int(i) => q.bind(*i),
                    Bind::OptInt(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *tx).await?;
        progress(chunk.len());
    }
    Ok(())
}

impl Access {
    /// Imports a parsed Pol.is export as a new dialogue of `process_id`, labelled
    /// `classification` under the process's labels, in one transaction (nothing is written
    /// when anything fails), then computes its opinion groups. `progress(done, total)` counts
    /// the rows written.
    pub async fn import_polis_dialogue(
        &self,
        process_id: &str,
        export: &PolisExport,
        source: &str,
        classification: Classification,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Dialogue> {
        let process = self.get_process(process_id).await?;
        self.authorize(Action::Create, Resource::kind(ResourceKind::Dialogue), None)
            .await?;
        let labels = Labels {
            classification,
            compartment: None,
        }
        .under(&process.labels);
        self.authorize_labels(Action::Create, ResourceKind::Dialogue, &labels, None)
            .await?;
        let topic = check_text(
            "topic",
            export
                .topic
                .as_deref()
                .unwrap_or("Imported Pol.is conversation"),
            500,
        )?;
        let description = check_text(
            "description",
            export.description.as_deref().unwrap_or(""),
            5000,
        )?;
        let source = check_text("source", source, 500)?;
        if export.participants.is_empty() {
            return Err(StoreError::invalid(
                "participants-votes.csv",
                "the export has no participants",
            ));
        }
        let p_index: std::collections::BTreeMap<i64, i64> = export
            .participants
            .iter()
            .enumerate()
            .map(|(i, p)| (p.source_id, i as i64))
            .collect();
        let s_index: std::collections::BTreeMap<i64, i64> = export
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| (s.source_id, i as i64))
            .collect();
        let index = |v: &grotius_domain::dialogue::PolisVote| -> Result<(i64, i64)> {
            match (
                p_index.get(&v.participant_source_id),
                s_index.get(&v.statement_source_id),
            ) {
                (Some(p), Some(s)) => Ok((*p, *s)),
                _ => Err(StoreError::invalid(
                    "votes",
                    format!(
                        "a vote of participant {} on statement {} names an unknown participant or statement",
                        v.participant_source_id, v.statement_source_id
                    ),
                )),
            }
        };
        let ms_to_micros = |ms: Option<i64>| ms.map(|m| m.saturating_mul(1000));
        let mut statements = Vec::with_capacity(export.statements.len());
        for (i, s) in export.statements.iter().enumerate() {
            statements.push(vec![
                Bind::Int(i as i64),
                Bind::Text(s.source_id.to_string()),
                Bind::Text(s.body.clone()),
                Bind::Text(s.moderation.as_str().to_string()),
                Bind::OptInt(ms_to_micros(s.created_ms)),
            ]);
        }
        let participants: Vec<Vec<Bind>> = export
            .participants
            .iter()
            .enumerate()
            .map(|(i, p)| vec![Bind::Int(i as i64), Bind::Text(p.source_id.to_string())])
            .collect();
        let mut votes = Vec::with_capacity(export.votes.len());
        for v in &export.votes {
            let (p, s) = index(v)?;
            votes.push(vec![
                Bind::Int(p),
                Bind::Int(s),
                Bind::Int(i64::from(v.vote.as_polis())),
                Bind::OptInt(ms_to_micros(v.at_ms)),
            ]);
        }
        let mut history = Vec::with_capacity(export.replaced_votes.len());
        for v in &export.replaced_votes {
            let (p, s) = index(v)?;
            history.push(vec![
                Bind::Int(p),
                Bind::Int(s),
                Bind::Int(i64::from(v.vote.as_polis())),
                Bind::OptInt(ms_to_micros(v.at_ms)),
            ]);
        }

        let id = new_id();
        let now = now_micros();
        let total = statements.len() + participants.len() + votes.len() + history.len();
        let mut done = 0usize;
        progress(0, total);
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO dialogues (id, process_id, topic, description, source, status, classification,
                                    compartment_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'closed', $6, $7, $8, $9, $9)",
        )
        .bind(&id)
        .bind(&process.id)
        .bind(&topic)
        .bind(&description)
        .bind(&source)
        .bind(labels.classification.level())
        .bind(labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let with_id = |rows: Vec<Vec<Bind>>| -> Vec<Vec<Bind>> {
            rows.into_iter()
                .map(|mut r| {
                    r.insert(0, Bind::Text(id.clone()));
                    r
                })
                .collect()
        };
        let mut step = |n: usize| {
            done += n;
            progress(done, total);
        };
        insert_batched(
            &mut tx,
            "dialogue_statements",
            &[
                "dialogue_id",
                "number",
                "source_id",
                "body",
                "moderation",
                "created_at",
            ],
            &with_id(statements),
            &mut step,
        )
        .await?;
        insert_batched(
            &mut tx,
            "dialogue_participants",
            &["dialogue_id", "number", "source_id"],
            &with_id(participants),
            &mut step,
        )
        .await?;
        insert_batched(
            &mut tx,
            "dialogue_votes",
            &[
                "dialogue_id",
                "participant",
                "statement",
                "vote",
                "voted_at",
            ],
            &with_id(votes),
            &mut step,
        )
        .await?;
        insert_batched(
            &mut tx,
            "dialogue_vote_history",
            &[
                "dialogue_id",
                "participant",
                "statement",
                "vote",
                "voted_at",
            ],
            &with_id(history),
            &mut step,
        )
        .await?;
        self.recompute_in(&mut tx, &id).await?;
        record_change(&mut tx, "dialogue", &id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "source": source,
            "statements": export.statements.len(), "participants": export.participants.len(),
            "votes": export.votes.len(), "classification": labels.classification})
        .to_string();
        self.audit_in(&mut tx, "dialogue.import", "dialogue", &id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_dialogue(&id).await
    }

    /// Recomputes the opinion groups of a dialogue from its current votes (in the caller's
    /// transaction) and stores them with the version of the method.
    pub(crate) async fn recompute_in(
        &self,
        tx: &mut AnyConnection,
        id: &str,
    ) -> Result<DialogueResult> {
        let matrix = load_matrix(tx, id).await?;
        let result = compute(&matrix);
        store_result(tx, id, &result, now_micros()).await?;
        Ok(result)
    }

    /// Recomputes a dialogue's groups (Update on the dialogue), audited.
    pub async fn recompute_dialogue(&self, id: &str) -> Result<Dialogue> {
        let d = self.load_dialogue(id).await?;
        self.authorize(
            Action::Update,
            Resource::labelled(ResourceKind::Dialogue, &d.labels),
            Some(id),
        )
        .await?;
        let mut tx = self.store.write_tx().await?;
        let r = self.recompute_in(&mut tx, id).await?;
        let detail = serde_json::json!({"method": r.method, "groups": r.groups.len()}).to_string();
        self.audit_in(&mut tx, "dialogue.recompute", "dialogue", id, "ok", &detail)
            .await?;
        tx.commit().await?;
        self.get_dialogue(id).await
    }

    /// The dialogues of every process the subject may see, newest first.
    pub async fn list_dialogues(&self, limit: i64, offset: i64) -> Result<Page<Dialogue>> {
        let list = self
            .list_under_processes(ResourceKind::Dialogue, "dialogues", Action::Read)
            .await?
            .columns(COLS)
            .order("dialogues.created_at DESC, dialogues.id");
        self.list_page(list, limit, offset, from_row).await
    }

    /// Dialogues the subject may run (Update) with statements of participants waiting for a
    /// moderator, each with how many; not audited (the inbox audits what it lists).
    pub(crate) async fn dialogues_to_moderate(&self) -> Result<Vec<(Dialogue, i64)>> {
        if !self.may(Action::Update, Resource::kind(ResourceKind::Dialogue)) {
            return Ok(Vec::new());
        }
        let mut list = self
            .list_under_processes(ResourceKind::Dialogue, "dialogues", Action::Update)
            .await?
            .columns(COLS)
            .order("dialogues.created_at, dialogues.id");
        list.filter.clause(
            "EXISTS (SELECT 1 FROM dialogue_statements s WHERE s.dialogue_id = dialogues.id
             AND s.moderation = 'unmoderated' AND s.submitted_by IS NOT NULL)"
                .into(),
        );
        let dialogues = self.fetch_rows(&list, Some((200, 0)), from_row).await?;
        let mut out = Vec::with_capacity(dialogues.len());
        for d in dialogues {
            if !self.may(
                Action::Update,
                Resource::labelled(ResourceKind::Dialogue, &d.labels),
            ) {
                continue;
            }
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM dialogue_statements WHERE dialogue_id = $1
                 AND moderation = 'unmoderated' AND submitted_by IS NOT NULL",
            )
            .bind(&d.id)
            .fetch_one(&self.store.pool)
            .await?
            .try_get("n")?;
            out.push((d, n));
        }
        Ok(out)
    }

    /// The dialogues of one process.
    pub async fn list_process_dialogues(&self, process_id: &str) -> Result<Vec<Dialogue>> {
        let process = self.get_process(process_id).await?;
        let list = self
            .list_of_process(ResourceKind::Dialogue, "dialogues", &process, Action::Read)
            .await?
            .columns(COLS)
            .order("dialogues.created_at DESC, dialogues.id");
        self.list_all(list, from_row).await
    }

    pub(crate) async fn load_dialogue(&self, id: &str) -> Result<Dialogue> {
        let sql = format!("SELECT {COLS} FROM dialogues WHERE dialogues.id = $1");
        let row = self.fetch_row(ResourceKind::Dialogue, sql, id).await?;
        let d = from_row(&row)?;
        self.authorize(
            Action::Read,
            Resource::labelled(ResourceKind::Dialogue, &d.labels),
            Some(id),
        )
        .await?;
        // The process must be visible too (its labels may be stricter than the stored ones
        // only for an instant; the inherited rule is checked by reading it).
        self.get_process(&d.process_id).await?;
        Ok(d)
    }

    /// One dialogue; 404 unless the subject may see it and its process.
    pub async fn get_dialogue(&self, id: &str) -> Result<Dialogue> {
        let d = self.load_dialogue(id).await?;
        if d.labels.classification.read_is_audited() {
            self.audit_now("dialogue.read", "dialogue", id, "ok", "{}")
                .await?;
        }
        Ok(d)
    }

    /// The participants of a dialogue with their opinion groups, in the order of the matrix.
    pub async fn dialogue_participants(&self, id: &str) -> Result<Vec<DialogueParticipant>> {
        self.get_dialogue(id).await?;
        let rows = sqlx::query(
            "SELECT number, source_id, opinion_group FROM dialogue_participants WHERE dialogue_id = $1 ORDER BY number",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DialogueParticipant {
                    number: r.try_get("number")?,
                    source_id: r.try_get("source_id")?,
                    group: r.try_get("opinion_group")?,
                })
            })
            .collect()
    }

    /// The dialogue, its statements, its stored results, participation over time and agreement
    /// per attribute, for the team's results page (one read of the dialogue).
    pub async fn dialogue_results(&self, id: &str) -> Result<DialogueResults> {
        let dialogue = self.get_dialogue(id).await?;
        let rows = sqlx::query(
            "SELECT number, source_id, body, moderation, meta, reason, submitted_by FROM dialogue_statements WHERE dialogue_id = $1 ORDER BY number",
        )
        .bind(id)
        .fetch_all(&self.store.pool)
        .await?;
        let statements = rows
            .iter()
            .map(|r| {
                let m: String = r.try_get("moderation")?;
                Ok(DialogueStatement {
                    number: r.try_get("number")?,
                    source_id: r.try_get("source_id")?,
                    body: r.try_get("body")?,
                    moderation: Moderation::parse(&m).ok_or_else(|| {
                        StoreError::Integrity(format!("statement moderation '{m}'"))
                    })?,
                    meta: r.try_get::<i64, _>("meta")? != 0,
                    reason: r.try_get("reason")?,
                    submitted: r.try_get::<Option<i64>, _>("submitted_by")?.is_some(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let json: Option<String> = sqlx::query("SELECT results FROM dialogues WHERE id = $1")
            .bind(id)
            .fetch_one(&self.store.pool)
            .await?
            .try_get("results")?;
        let last: Option<i64> = sqlx::query(
            "SELECT MAX(t) AS t FROM (SELECT MAX(voted_at) AS t FROM dialogue_votes WHERE dialogue_id = $1
             UNION ALL SELECT MAX(moderated_at) AS t FROM dialogue_statements WHERE dialogue_id = $1
             UNION ALL SELECT MAX(created_at) AS t FROM dialogue_statements WHERE dialogue_id = $1 AND submitted_by IS NOT NULL) x",
        )
        .bind(id)
        .fetch_one(&self.store.pool)
        .await?
        .try_get("t")?;
        let stale = match (last, dialogue.computed_at) {
            (Some(l), Some(c)) => l > c,
            (Some(_), None) => true,
            _ => false,
        };
        let results = json
            .map(|j| serde_json::from_str::<DialogueResult>(&j))
            .transpose()
            .map_err(|e| StoreError::Integrity(format!("results of dialogue {id}: {e}")))?;
        let activity = self.activity_of(id).await?;
        let inclusion = self.inclusion_of(&dialogue).await?;
        Ok(DialogueResults {
            dialogue,
            statements,
            results,
            stale,
            activity,
            inclusion,
        })
    }
}

/// The vote matrix of a dialogue as the mathematics takes it (statements moderated out, the
/// votes with their times when every vote has one), read on `conn`.
pub(crate) async fn load_matrix(conn: &mut AnyConnection, id: &str) -> Result<VoteMatrix> {
    let tx = conn;
    let n_participants: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM dialogue_participants WHERE dialogue_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
    let moderation = sqlx::query(
        "SELECT moderation, meta, created_at FROM dialogue_statements WHERE dialogue_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let moderated_out: Vec<bool> = moderation
        .iter()
        .map(|r| {
            // Rejected and meta/off-topic statements are left out of the mathematics.
            Ok::<bool, sqlx::Error>(
                r.try_get::<String, _>("moderation")? == Moderation::Rejected.as_str()
                    || r.try_get::<i64, _>("meta")? != 0,
            )
        })
        .collect::<std::result::Result<_, _>>()?;
    let created: Vec<Option<i64>> = moderation
        .iter()
        .map(|r| r.try_get::<Option<i64>, _>("created_at"))
        .collect::<std::result::Result<_, _>>()?;
    let rows = sqlx::query(
        "SELECT participant, statement, vote, voted_at FROM dialogue_votes WHERE dialogue_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut votes = Vec::with_capacity(rows.len());
    // When every vote has its time, the clustered set is replayed in time order (earlier,
    // replaced votes included: the first vote on a pair is when it counted).
    let mut times: Option<Vec<(u32, u32, i64)>> = Some(Vec::with_capacity(rows.len()));
    for r in &rows {
        let p: i64 = r.try_get("participant")?;
        let s: i64 = r.try_get("statement")?;
        let v: i64 = r.try_get("vote")?;
        let at: Option<i64> = r.try_get("voted_at")?;
        votes.push((p as u32, s as u32, v as i8));
        match (at, times.as_mut()) {
            (Some(at), Some(t)) => t.push((p as u32, s as u32, at)),
            _ => times = None,
        }
    }
    if let Some(t) = times.as_mut() {
        let history = sqlx::query(
            "SELECT participant, statement, voted_at FROM dialogue_vote_history
             WHERE dialogue_id = $1 AND voted_at IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for r in &history {
            let p: i64 = r.try_get("participant")?;
            let s: i64 = r.try_get("statement")?;
            let at: i64 = r.try_get("voted_at")?;
            t.push((p as u32, s as u32, at));
        }
    }
    let mut matrix = VoteMatrix::new(n_participants as usize, moderated_out, &votes)
        .map_err(|e| StoreError::Integrity(format!("dialogue {id}: {e}")))?;
    if let Some(t) = times {
        matrix = matrix.with_timeline(&t, &created);
    }
    Ok(matrix)
}

/// Stores computed groups (per participant, and the results with the method's version and
/// `computed_at`) in the caller's write transaction.
pub(crate) async fn store_result(
    tx: &mut AnyConnection,
    id: &str,
    result: &DialogueResult,
    computed_at: i64,
) -> Result<()> {
    // Groups per participant: one UPDATE per group (and one clearing the rest).
    sqlx::query("UPDATE dialogue_participants SET opinion_group = NULL WHERE dialogue_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for g in &result.groups {
        let members: Vec<i64> = result
            .group_of
            .iter()
            .enumerate()
            .filter(|(_, x)| **x == Some(g.id))
            .map(|(p, _)| p as i64)
            .collect();
        for chunk in members.chunks(BATCH) {
            let list: Vec<String> = chunk.iter().map(|p| p.to_string()).collect();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE dialogue_participants SET opinion_group = $1 WHERE dialogue_id = $2 AND number IN ({})",
                list.join(", ")
            )))
            .bind(i64::from(g.id))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let json = serde_json::to_string(result)
        .map_err(|e| StoreError::Integrity(format!("results of dialogue {id}: {e}")))?;
    sqlx::query("UPDATE dialogues SET results = $1, method = $2, computed_at = $3 WHERE id = $4")
        .bind(json)
        .bind(&result.method)
        .bind(computed_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
