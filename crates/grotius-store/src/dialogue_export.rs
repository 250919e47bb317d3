//! A conversation in Pol.is's own export format (`comments.csv`, `votes.csv`,
//! `participants-votes.csv` with `group-id`, `summary.csv`), so the team's numbers can be taken
//! to Pol.is's tools and back: `grotius import polis` of these files gives the same groups.
//! Export right on the conversation, every download audited.

use std::collections::BTreeMap;

use grotius_domain::{Action, Resource, ResourceKind};
use sqlx::Row;

use crate::{Access, Result, StoreError};

/// The files of a Pol.is export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolisFile {
    Comments,
    Votes,
    ParticipantsVotes,
    Summary,
}

impl PolisFile {
    pub const ALL: [PolisFile; 4] = [
        PolisFile::Comments,
        PolisFile::Votes,
        PolisFile::ParticipantsVotes,
        PolisFile::Summary,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PolisFile::Comments => "comments.csv",
            PolisFile::Votes => "votes.csv",
            PolisFile::ParticipantsVotes => "participants-votes.csv",
            PolisFile::Summary => "summary.csv",
        }
    }

    pub fn parse(s: &str) -> Result<PolisFile> {
        PolisFile::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                StoreError::invalid(
                    "file",
                    format!(
                        "unknown file '{s}'; expected one of: comments.csv, votes.csv, participants-votes.csv, summary.csv"
                    ),
                )
            })
    }
}

/// `Sat Nov 17 05:09:36 UTC 2018`-like text of a time in Unix milliseconds (Pol.is writes the
/// server's local time; the importer reads the `timestamp` column only).
fn datetime(ms: Option<i64>) -> String {
    ms.map(|m| {
        let secs = m.div_euclid(1000).rem_euclid(86_400);
        format!(
            "{} {:02}:{:02}:{:02} UTC",
            grotius_domain::roster::date_of_micros(m.saturating_mul(1000)),
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    })
    .unwrap_or_default()
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.write_record(&r)
            .map_err(|e| StoreError::Integrity(format!("csv: {e}")))?;
    }
    w.into_inner()
        .map_err(|e| StoreError::Integrity(format!("csv: {e}")))
}

impl Access {
    /// One file of the conversation's Pol.is export. Asks for Export on the conversation and
    /// audits `dialogue.export` with the file's name.
    pub async fn export_polis(&self, id: &str, file: PolisFile) -> Result<Vec<u8>> {
        let d = self.load_dialogue(id).await?;
        self.authorize(
            Action::Export,
            Resource::labelled(ResourceKind::Dialogue, &d.labels),
            Some(id),
        )
        .await?;
        let pool = &self.store.pool;
        let statements = sqlx::query(
            "SELECT number, body, moderation, meta, submitted_by, created_at FROM dialogue_statements
             WHERE dialogue_id = $1 ORDER BY number",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let votes = sqlx::query(
            "SELECT participant, statement, vote, voted_at FROM dialogue_votes WHERE dialogue_id = $1
             ORDER BY participant, statement",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let bytes = match file {
            PolisFile::Summary => {
                let rows = vec![
                    vec!["topic".to_string(), d.topic.clone()],
                    vec![
                        "conversation-description".to_string(),
                        d.description.clone(),
                    ],
                    vec!["source".to_string(), d.source.clone()],
                    vec!["voters".to_string(), d.participants.to_string()],
                    vec!["comments".to_string(), d.statements.to_string()],
                ];
                csv_bytes(rows)?
            }
            PolisFile::Comments => {
                let mut tally: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
                for v in &votes {
                    let s: i64 = v.try_get("statement")?;
                    let x: i64 = v.try_get("vote")?;
                    let e = tally.entry(s).or_default();
                    if x == 1 {
                        e.0 += 1;
                    } else if x == -1 {
                        e.1 += 1;
                    }
                }
                let mut rows = vec![
                    [
                        "timestamp",
                        "datetime",
                        "comment-id",
                        "author-id",
                        "agrees",
                        "disagrees",
                        "moderated",
                        "comment-body",
                    ]
                    .map(str::to_string)
                    .to_vec(),
                ];
                for s in &statements {
                    let n: i64 = s.try_get("number")?;
                    let m: String = s.try_get("moderation")?;
                    let meta: i64 = s.try_get("meta")?;
                    let moderated = match (m.as_str(), meta) {
                        (_, 1) | ("rejected", _) => "-1",
                        ("accepted", _) => "1",
                        _ => "0",
                    };
                    let at: Option<i64> = s.try_get("created_at")?;
                    let ms = at.map(|a| a.div_euclid(1000));
                    let author: Option<i64> = s.try_get("submitted_by")?;
                    let (a, dis) = tally.get(&n).copied().unwrap_or_default();
                    rows.push(vec![
                        ms.map(|m| m.to_string()).unwrap_or_default(),
                        datetime(ms),
                        n.to_string(),
                        author.map(|a| a.to_string()).unwrap_or_default(),
                        a.to_string(),
                        dis.to_string(),
                        moderated.to_string(),
                        s.try_get("body")?,
                    ]);
                }
                csv_bytes(rows)?
            }
            PolisFile::Votes => {
                let history = sqlx::query(
                    "SELECT participant, statement, vote, voted_at FROM dialogue_vote_history WHERE dialogue_id = $1",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                // Every vote in time order, replaced ones before the vote that replaced them
                // (the importer takes the last vote per participant and statement).
                let mut all: Vec<(Option<i64>, u8, i64, i64, i64)> = Vec::new();
                for (rows, order) in [(&history, 0u8), (&votes, 1u8)] {
                    for v in rows.iter() {
                        all.push((
                            v.try_get::<Option<i64>, _>("voted_at")?
                                .map(|a| a.div_euclid(1000)),
                            order,
                            v.try_get("participant")?,
                            v.try_get("statement")?,
                            v.try_get("vote")?,
                        ));
                    }
                }
                all.sort_by_key(|(ms, order, p, s, _)| (*p, *s, *order, *ms));
                all.sort_by_key(|(ms, _, _, _, _)| *ms);
                let mut rows = vec![
                    ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
                        .map(str::to_string)
                        .to_vec(),
                ];
                for (ms, _, p, s, v) in all {
                    rows.push(vec![
                        ms.map(|m| m.to_string()).unwrap_or_default(),
                        datetime(ms),
                        s.to_string(),
                        p.to_string(),
                        v.to_string(),
                    ]);
                }
                csv_bytes(rows)?
            }
            PolisFile::ParticipantsVotes => {
                let participants = sqlx::query(
                    "SELECT number, opinion_group FROM dialogue_participants WHERE dialogue_id = $1 ORDER BY number",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                let authored: BTreeMap<i64, i64> =
                    statements.iter().try_fold(BTreeMap::new(), |mut m, s| {
                        if let Some(a) = s.try_get::<Option<i64>, _>("submitted_by")? {
                            *m.entry(a).or_insert(0) += 1;
                        }
                        Ok::<_, sqlx::Error>(m)
                    })?;
                let numbers: Vec<i64> = statements
                    .iter()
                    .map(|s| s.try_get("number"))
                    .collect::<std::result::Result<_, _>>()?;
                let column: BTreeMap<i64, usize> =
                    numbers.iter().enumerate().map(|(i, n)| (*n, i)).collect();
                let mut matrix: BTreeMap<i64, Vec<Option<i64>>> = BTreeMap::new();
                for v in &votes {
                    let p: i64 = v.try_get("participant")?;
                    let s: i64 = v.try_get("statement")?;
                    let x: i64 = v.try_get("vote")?;
                    if let Some(c) = column.get(&s) {
                        matrix.entry(p).or_insert_with(|| vec![None; numbers.len()])[*c] = Some(x);
                    }
                }
                let mut header: Vec<String> = [
                    "participant",
                    "group-id",
                    "n-comments",
                    "n-votes",
                    "n-agree",
                    "n-disagree",
                ]
                .map(str::to_string)
                .to_vec();
                header.extend(numbers.iter().map(|n| n.to_string()));
                let mut rows = vec![header];
                for p in &participants {
                    let n: i64 = p.try_get("number")?;
                    let group: Option<i64> = p.try_get("opinion_group")?;
                    let cells = matrix.get(&n);
                    let cast: Vec<i64> = cells
                        .map(|c| c.iter().flatten().copied().collect())
                        .unwrap_or_default();
                    let mut row = vec![
                        n.to_string(),
                        group.map(|g| g.to_string()).unwrap_or_default(),
                        authored.get(&n).copied().unwrap_or(0).to_string(),
                        cast.len().to_string(),
                        cast.iter().filter(|x| **x == 1).count().to_string(),
                        cast.iter().filter(|x| **x == -1).count().to_string(),
                    ];
                    for i in 0..numbers.len() {
                        row.push(
                            cells
                                .and_then(|c| c[i])
                                .map(|x| x.to_string())
                                .unwrap_or_default(),
                        );
                    }
                    rows.push(row);
                }
                csv_bytes(rows)?
            }
        };
        let detail = serde_json::json!({"file": file.name(), "bytes": bytes.len()}).to_string();
        self.audit_now("dialogue.export", "dialogue", id, "ok", &detail)
            .await?;
        Ok(bytes)
    }
}
