//! Inclusive digital dialogues (Pol.is-style consultations): votes, statements and the Pol.is
//! export format. No I/O: the importer hands the files' text to [`parse_polis_export`].
//!
//! Pol.is exports come in two shapes; both carry `comments.csv` and `participants-votes.csv`
//! (one row per participant: `participant`, `group-id`, four counts, then one column per
//! comment id holding 1 agree, -1 disagree, 0 pass, empty not seen), optionally `summary.csv`
//! (key,value lines: topic, url, conversation-description, …) and, in the newer shape,
//! `votes.csv` (every vote with its timestamp: `timestamp,datetime,comment-id,voter-id,vote`).
//! When `votes.csv` is present its last vote per participant and statement is the vote (and
//! the earlier ones its history); otherwise the matrix of `participants-votes.csv` is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Labels;

/// A dialogue of a process: a conversation with statements, participants and votes; its
/// labels are at least as strict as its process's ([`Labels::under`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dialogue {
    pub id: String,
    pub process_id: String,
    pub topic: String,
    pub description: String,
    /// 'grotius', or where an imported conversation came from (the Pol.is URL or folder).
    pub source: String,
    /// `open` or `closed` (a closed dialogue takes no votes).
    pub status: String,
    pub labels: Labels,
    /// Version of the method that computed the stored groups (None: not computed yet).
    pub method: Option<String>,
    pub computed_at: Option<i64>,
    pub participants: i64,
    pub statements: i64,
    pub votes: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A participant as the team sees it: the number within the dialogue, the export's id for
/// imported ones, and the opinion group (None: not clustered, too few votes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DialogueParticipant {
    pub number: i64,
    pub source_id: Option<String>,
    pub group: Option<i64>,
}

/// A statement of a dialogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DialogueStatement {
    pub number: i64,
    pub source_id: Option<String>,
    pub body: String,
    pub moderation: Moderation,
}

/// Checks a topic or description typed by a user or read from an export.
pub fn check_text(field: &'static str, v: &str, max: usize) -> Result<String, crate::DomainError> {
    let v = v.trim();
    if v.chars().count() > max {
        return Err(crate::DomainError::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// One participant's answer to one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Vote {
    Agree,
    Disagree,
    Pass,
}

impl Vote {
    /// Pol.is export encoding: 1 agree, -1 disagree, 0 pass.
    pub fn from_polis(v: i64) -> Option<Vote> {
        match v {
            1 => Some(Vote::Agree),
            -1 => Some(Vote::Disagree),
            0 => Some(Vote::Pass),
            _ => None,
        }
    }

    pub fn as_polis(self) -> i8 {
        match self {
            Vote::Agree => 1,
            Vote::Disagree => -1,
            Vote::Pass => 0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Pass => "pass",
        }
    }

    pub fn parse(s: &str) -> Option<Vote> {
        match s {
            "agree" => Some(Vote::Agree),
            "disagree" => Some(Vote::Disagree),
            "pass" => Some(Vote::Pass),
            _ => None,
        }
    }
}

/// Moderation state of a statement, as Pol.is exports it (`moderated`: 1, 0, -1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Moderation {
    Accepted,
    Unmoderated,
    /// Moderated out: shown to nobody and left out of the mathematics.
    Rejected,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Accepted => "accepted",
            Moderation::Unmoderated => "unmoderated",
            Moderation::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Moderation> {
        match s {
            "accepted" => Some(Moderation::Accepted),
            "unmoderated" => Some(Moderation::Unmoderated),
            "rejected" => Some(Moderation::Rejected),
            _ => None,
        }
    }
}

/// A problem in one of the export's files, named by file, row (the header is row 1) and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} row {row}, column {column}: {message}")]
pub struct PolisExportError {
    pub file: &'static str,
    pub row: usize,
    pub column: String,
    pub message: String,
}

fn problem(
    file: &'static str,
    row: usize,
    column: &str,
    message: impl Into<String>,
) -> PolisExportError {
    PolisExportError {
        file,
        row,
        column: column.to_string(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolisStatement {
    /// `comment-id` of the export.
    pub source_id: i64,
    pub author_source_id: Option<i64>,
    /// Unix milliseconds.
    pub created_ms: Option<i64>,
    pub moderation: Moderation,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolisVote {
    pub statement_source_id: i64,
    pub participant_source_id: i64,
    pub vote: Vote,
    /// Unix milliseconds, when the export has `votes.csv`.
    pub at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolisParticipant {
    /// `participant` of `participants-votes.csv` (the `voter-id` of `votes.csv`).
    pub source_id: i64,
    /// Pol.is's own opinion group, when it grouped the participant.
    pub polis_group: Option<i64>,
}

/// A parsed export: the current votes (one per participant and statement), the replaced
/// earlier votes (history, from `votes.csv`), statements, participants and the summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolisExport {
    pub topic: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub statements: Vec<PolisStatement>,
    pub participants: Vec<PolisParticipant>,
    pub votes: Vec<PolisVote>,
    pub replaced_votes: Vec<PolisVote>,
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes())
}

fn header(
    file: &'static str,
    rdr: &mut csv::Reader<&[u8]>,
    want: &[&str],
) -> Result<Vec<String>, PolisExportError> {
    let h: Vec<String> = rdr
        .headers()
        .map_err(|e| problem(file, 1, "", format!("unreadable header: {e}")))?
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    for w in want {
        if !h.iter().any(|c| c == w) {
            return Err(problem(file, 1, w, "column missing from the header"));
        }
    }
    Ok(h)
}

fn col(h: &[String], name: &str) -> usize {
    h.iter().position(|c| c == name).unwrap_or(usize::MAX)
}

fn int(file: &'static str, row: usize, column: &str, v: &str) -> Result<i64, PolisExportError> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| problem(file, row, column, format!("'{v}' is not a whole number")))
}

fn opt_int(
    file: &'static str,
    row: usize,
    column: &str,
    v: &str,
) -> Result<Option<i64>, PolisExportError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        int(file, row, column, v).map(Some)
    }
}

fn vote(file: &'static str, row: usize, column: &str, v: &str) -> Result<Vote, PolisExportError> {
    let n = int(file, row, column, v)?;
    Vote::from_polis(n).ok_or_else(|| {
        problem(
            file,
            row,
            column,
            format!("vote '{v}' is not 1 (agree), -1 (disagree) or 0 (pass)"),
        )
    })
}

/// Parses the text of one Pol.is export folder. Every value is checked; the first problem is
/// returned naming its file, row and column. Votes on a statement missing from `comments.csv`
/// are refused (the export is inconsistent).
pub fn parse_polis_export(
    comments: &str,
    votes: Option<&str>,
    participants_votes: &str,
    summary: Option<&str>,
) -> Result<PolisExport, PolisExportError> {
    let mut export = PolisExport::default();

    if let Some(summary) = summary {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(summary.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| problem("summary.csv", i + 1, "", e.to_string()))?;
            let key = rec.get(0).unwrap_or("").trim();
            let value = rec.get(1).unwrap_or("").trim().to_string();
            if value.is_empty() {
                continue;
            }
            match key {
                "topic" => export.topic = Some(value),
                "conversation-description" => export.description = Some(value),
                "url" => export.url = Some(value),
                _ => {}
            }
        }
    }

    const C: &str = "comments.csv";
    let mut rdr = reader(comments);
    let h = header(
        C,
        &mut rdr,
        &["comment-id", "author-id", "moderated", "comment-body"],
    )?;
    let (ci, ai, mi, bi, ti) = (
        col(&h, "comment-id"),
        col(&h, "author-id"),
        col(&h, "moderated"),
        col(&h, "comment-body"),
        col(&h, "timestamp"),
    );
    let mut seen = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| problem(C, row, "", e.to_string()))?;
        let get = |k: usize| rec.get(k).unwrap_or("");
        let source_id = int(C, row, "comment-id", get(ci))?;
        if seen.insert(source_id, row).is_some() {
            return Err(problem(
                C,
                row,
                "comment-id",
                format!("comment {source_id} appears twice"),
            ));
        }
        let moderation = match int(C, row, "moderated", get(mi))? {
            1 => Moderation::Accepted,
            0 => Moderation::Unmoderated,
            -1 => Moderation::Rejected,
            other => {
                return Err(problem(
                    C,
                    row,
                    "moderated",
                    format!("'{other}' is not 1, 0 or -1"),
                ));
            }
        };
        // Real exports hold empty statements (deleted text); they are kept, as their votes are.
        let body = get(bi).trim().to_string();
        export.statements.push(PolisStatement {
            source_id,
            author_source_id: opt_int(C, row, "author-id", get(ai))?,
            created_ms: if ti == usize::MAX {
                None
            } else {
                opt_int(C, row, "timestamp", get(ti))?
            },
            moderation,
            body,
        });
    }
    export.statements.sort_by_key(|s| s.source_id);

    const P: &str = "participants-votes.csv";
    let mut rdr = reader(participants_votes);
    let h = header(P, &mut rdr, &["participant", "group-id"])?;
    let (pi, gi) = (col(&h, "participant"), col(&h, "group-id"));
    // Comment columns: every header that is a whole number.
    let vote_cols: Vec<(usize, i64)> = h
        .iter()
        .enumerate()
        .filter_map(|(k, name)| name.parse::<i64>().ok().map(|id| (k, id)))
        .collect();
    let mut columns_seen = std::collections::BTreeSet::new();
    for (_, id) in &vote_cols {
        if !columns_seen.insert(*id) {
            return Err(problem(
                P,
                1,
                &id.to_string(),
                "the comment's column appears twice",
            ));
        }
        if !seen.contains_key(id) {
            return Err(problem(
                P,
                1,
                &id.to_string(),
                "a vote column for a comment missing from comments.csv",
            ));
        }
    }
    let mut matrix_votes = Vec::new();
    let mut participants = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| problem(P, row, "", e.to_string()))?;
        let get = |k: usize| rec.get(k).unwrap_or("");
        let source_id = int(P, row, "participant", get(pi))?;
        let polis_group = opt_int(P, row, "group-id", get(gi))?;
        if participants.insert(source_id, polis_group).is_some() {
            return Err(problem(
                P,
                row,
                "participant",
                format!("participant {source_id} appears twice"),
            ));
        }
        for (k, statement) in &vote_cols {
            let v = get(*k);
            if v.trim().is_empty() {
                continue;
            }
            matrix_votes.push(PolisVote {
                statement_source_id: *statement,
                participant_source_id: source_id,
                vote: vote(P, row, &h[*k], v)?,
                at_ms: None,
            });
        }
    }

    if let Some(votes) = votes {
        const V: &str = "votes.csv";
        let mut rdr = reader(votes);
        let h = header(V, &mut rdr, &["comment-id", "voter-id", "vote"])?;
        let (ci, vi, xi, ti) = (
            col(&h, "comment-id"),
            col(&h, "voter-id"),
            col(&h, "vote"),
            col(&h, "timestamp"),
        );
        let mut all = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let row = i + 2;
            let rec = rec.map_err(|e| problem(V, row, "", e.to_string()))?;
            let get = |k: usize| rec.get(k).unwrap_or("");
            let statement = int(V, row, "comment-id", get(ci))?;
            if !seen.contains_key(&statement) {
                return Err(problem(
                    V,
                    row,
                    "comment-id",
                    format!("comment {statement} is not in comments.csv"),
                ));
            }
            let participant = int(V, row, "voter-id", get(vi))?;
            participants.entry(participant).or_insert(None);
            all.push(PolisVote {
                statement_source_id: statement,
                participant_source_id: participant,
                vote: vote(V, row, "vote", get(xi))?,
                at_ms: if ti == usize::MAX {
                    None
                } else {
                    opt_int(V, row, "timestamp", get(ti))?
                },
            });
        }
        // Last vote per (participant, statement) counts; earlier ones are history. Stable sort
        // keeps file order between equal timestamps.
        all.sort_by_key(|v| (v.participant_source_id, v.statement_source_id, v.at_ms));
        let mut current: Vec<PolisVote> = Vec::with_capacity(all.len());
        for v in all {
            match current.last_mut() {
                Some(last)
                    if last.participant_source_id == v.participant_source_id
                        && last.statement_source_id == v.statement_source_id =>
                {
                    let earlier = std::mem::replace(last, v);
                    export.replaced_votes.push(earlier);
                }
                _ => current.push(v),
            }
        }
        export.votes = current;
    } else {
        matrix_votes.sort_by_key(|v| (v.participant_source_id, v.statement_source_id));
        export.votes = matrix_votes;
    }

    export.participants = participants
        .into_iter()
        .map(|(source_id, polis_group)| PolisParticipant {
            source_id,
            polis_group,
        })
        .collect();
    Ok(export)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTS: &str = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
        1,x,0,5,1,0,1,First\n2,x,1,5,0,1,-1,\"Second, with comma\"\n";
    const PV: &str = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n\
        5,0,2,2,1,1,1,-1\n7,,0,1,0,0,0,\n";

    #[test]
    fn matrix_format_gives_votes_and_groups() {
        let e = parse_polis_export(
            COMMENTS,
            None,
            PV,
            Some("topic,Water\nurl,https://pol.is/x\n"),
        )
        .expect("parses");
        assert_eq!(e.topic.as_deref(), Some("Water"));
        assert_eq!(e.statements.len(), 2);
        assert_eq!(e.statements[1].moderation, Moderation::Rejected);
        assert_eq!(e.statements[1].body, "Second, with comma");
        assert_eq!(e.votes.len(), 3);
        assert_eq!(e.participants[0].polis_group, Some(0));
        assert_eq!(e.participants[1].polis_group, None);
    }

    #[test]
    fn votes_file_keeps_the_last_vote_and_the_history() {
        let votes =
            "timestamp,datetime,comment-id,voter-id,vote\n10,x,0,5,1\n20,x,0,5,-1\n15,x,1,7,0\n";
        let e = parse_polis_export(COMMENTS, Some(votes), PV, None).expect("parses");
        assert_eq!(e.votes.len(), 2);
        assert_eq!(e.votes[0].vote, Vote::Disagree);
        assert_eq!(e.replaced_votes.len(), 1);
        assert_eq!(e.replaced_votes[0].vote, Vote::Agree);
    }

    #[test]
    fn bad_values_are_named_by_file_row_and_column() {
        let bad = "participant,group-id,0\n5,0,2\n";
        let err = parse_polis_export(COMMENTS, None, bad, None).expect_err("refused");
        assert_eq!(
            (err.file, err.row, err.column.as_str()),
            ("participants-votes.csv", 2, "0")
        );
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n10,x,9,5,1\n";
        let err = parse_polis_export(COMMENTS, Some(votes), PV, None).expect_err("refused");
        assert_eq!((err.file, err.row), ("votes.csv", 2));
    }
}
