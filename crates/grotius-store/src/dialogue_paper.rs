//! Paper or offline rounds (Track III community meetings): a moderator types the votes of a
//! paper round into a spreadsheet and imports them into a conversation run inside Grotius.
//!
//! The sheet (CSV or the first sheet of an XLSX workbook): a header row `participant`, then
//! statement numbers as the team's results page shows them (`0`, `1`, … or `#0`), and
//! optionally columns named like the conversation's attribute questions; then one row per
//! paper participant. The `participant` cell is the paper sheet's label (e.g. `Bria-07`), kept
//! as the participant's `source_id` — a label, never a name. Vote cells: `agree` / `disagree` /
//! `pass`, `1` / `-1` / `0`, Dutch `eens` / `oneens` / `pas`, French `d'accord` /
//! `pas d'accord` / `passer`; an empty cell is a statement the person did not see. Attribute
//! cells: an option's text; empty is not answered.
//!
//! Everything is checked before anything is written; each problem names its row and column
//! (as a spreadsheet numbers them: the header is row 1, `participant` column 1). The import is
//! idempotent by the label: the same file again changes nothing; a changed cell replaces the
//! vote, the earlier one kept in `dialogue_vote_history` like a participant's changed vote. An
//! empty cell leaves an earlier vote or answer alone. A closed (or not yet open) conversation
//! still takes a paper round: the meeting happened when it happened, and the team decides when
//! to type it in. One transaction, audited `dialogue.paper_round` with the counts and the
//! file's SHA-256 (never its content), with a change-feed record when anything changed.

use std::collections::{BTreeMap, HashMap};

use grotius_domain::dialogue::{Moderation, ModerationMode, Vote};
use grotius_domain::dialogue_attributes::AttributeQuestion;
use grotius_security::now_micros;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::process::record_change;
use crate::roster::{TableFormat, read_table};
use crate::{Access, Result, StoreError};

/// At most this many paper participants in one file.
const MAX_ROWS: usize = 20_000;
/// The longest sheet label.
const LABEL_MAX: usize = 64;
/// At most this many problems are listed (the rest are counted).
const PROBLEMS_MAX: usize = 20;

/// What a paper round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PaperRoundReport {
    /// Paper participants (rows) in the file.
    pub sheets: usize,
    /// New participants (labels not seen before in this conversation).
    pub participants_added: usize,
    /// Participants imported before whose votes or answers changed.
    pub participants_updated: usize,
    /// Participants imported before with nothing new.
    pub participants_unchanged: usize,
    /// Votes written: new ones and changed ones.
    pub votes: usize,
    /// Of those, votes that replaced an earlier vote (kept in the history).
    pub votes_changed: usize,
    /// Cells equal to the stored vote.
    pub votes_unchanged: usize,
    /// Empty statement cells (not seen).
    pub skipped_cells: usize,
    /// Attribute answers written (new or changed).
    pub answers: usize,
    /// SHA-256 of the file (hex).
    pub sha256: String,
}

impl PaperRoundReport {
    /// Whether the import changed anything.
    pub fn changed(&self) -> bool {
        self.participants_added + self.participants_updated > 0
    }
}

/// Why a statement column cannot take votes (None: it can).
fn not_shown(moderation: Moderation, meta: bool, mode: ModerationMode) -> Option<&'static str> {
    if meta {
        return Some("is marked meta/off-topic");
    }
    match moderation {
        Moderation::Accepted => None,
        Moderation::Unmoderated if mode == ModerationMode::After => None,
        Moderation::Unmoderated => Some("waits for a moderator"),
        Moderation::Rejected => Some("was rejected"),
    }
}

/// A vote cell: English, Dutch and French words, or Pol.is's numbers.
pub fn parse_vote_cell(cell: &str) -> Option<Vote> {
    let c = cell
        .trim()
        .to_lowercase()
        .replace(['\u{2019}', '`'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match c.as_str() {
        "agree" | "1" | "+1" | "eens" | "akkoord" | "d'accord" => Some(Vote::Agree),
        "disagree" | "-1" | "oneens" | "niet akkoord" | "pas d'accord" => Some(Vote::Disagree),
        "pass" | "0" | "pas" | "passer" | "neutre" | "neutraal" => Some(Vote::Pass),
        _ => None,
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One paper participant as read from the sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SheetRow {
    pub row: usize,
    pub label: String,
    /// (statement, vote)
    pub votes: Vec<(i64, Vote)>,
    /// (question, option)
    pub answers: Vec<(usize, usize)>,
}

#[derive(Debug, Default)]
pub(crate) struct Sheet {
    pub rows: Vec<SheetRow>,
    pub skipped_cells: usize,
}

enum Column {
    Ignored,
    Statement(i64),
    Question(usize),
}

/// Reads the table (rows of text cells) against the conversation's statements (number →
/// why it takes no votes, None when it does) and questions. Every problem is collected.
pub(crate) fn parse_sheet(
    table: &[Vec<String>],
    statements: &BTreeMap<i64, Option<&'static str>>,
    questions: &[AttributeQuestion],
) -> std::result::Result<Sheet, Vec<String>> {
    let mut problems = Vec::new();
    let Some(header) = table.first() else {
        return Err(vec![
            "the file is empty: it needs a header row (participant, then statement numbers)".into(),
        ]);
    };
    let first = header.first().map(|h| norm(h)).unwrap_or_default();
    if first != "participant" {
        let found = header.first().map(String::as_str).unwrap_or("");
        problems.push(format!(
            "row 1, column 1: the first heading must be 'participant' (found '{found}'){}",
            if found.contains(';') {
                "; the file looks separated by ';': save it as CSV with commas, or as XLSX"
            } else {
                ""
            }
        ));
    }
    let mut columns: Vec<Column> = vec![Column::Ignored];
    let mut seen_statement: HashMap<i64, usize> = HashMap::new();
    let mut seen_question: HashMap<usize, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate().skip(1) {
        let c = i + 1;
        let h = h.trim();
        if h.is_empty() {
            let has_values = table
                .iter()
                .skip(1)
                .any(|r| r.get(i).is_some_and(|v| !v.trim().is_empty()));
            if has_values {
                problems.push(format!(
                    "row 1, column {c}: the column has values but no heading"
                ));
            }
            columns.push(Column::Ignored);
            continue;
        }
        let number = h.strip_prefix('#').unwrap_or(h).trim().parse::<i64>().ok();
        if let Some(n) = number {
            match statements.get(&n) {
                None => problems.push(format!(
                    "row 1, column {c}: unknown statement number {n} (this conversation has {})",
                    match statements.keys().next_back() {
                        Some(last) => format!("statements 0 to {last}"),
                        None => "no statements".into(),
                    }
                )),
                Some(Some(why)) => problems.push(format!(
                    "row 1, column {c}: statement {n} {why}; only statements participants are shown take votes"
                )),
                Some(None) => {
                    if let Some(other) = seen_statement.insert(n, c) {
                        problems.push(format!(
                            "row 1, column {c}: statement {n} appears twice (also column {other})"
                        ));
                    }
                }
            }
            columns.push(Column::Statement(n));
            continue;
        }
        match questions.iter().position(|q| norm(&q.label) == norm(h)) {
            Some(q) => {
                if let Some(other) = seen_question.insert(q, c) {
                    problems.push(format!(
                        "row 1, column {c}: the question '{h}' appears twice (also column {other})"
                    ));
                }
                columns.push(Column::Question(q));
            }
            None => {
                let asked: Vec<&str> = questions.iter().map(|q| q.label.as_str()).collect();
                problems.push(format!(
                    "row 1, column {c}: '{h}' is neither a statement number nor a question of this conversation{}",
                    if asked.is_empty() {
                        " (it asks none)".to_string()
                    } else {
                        format!(" ({})", asked.join(", "))
                    }
                ));
                columns.push(Column::Ignored);
            }
        }
    }
    if table.len() - 1 > MAX_ROWS {
        problems.push(format!(
            "the file has {} rows; at most {MAX_ROWS} participants in one paper round",
            table.len() - 1
        ));
        return Err(problems);
    }
    let mut sheet = Sheet::default();
    let mut labels: HashMap<String, usize> = HashMap::new();
    for (i, cells) in table.iter().enumerate().skip(1) {
        let r = i + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let label = cells.first().map(|c| c.trim()).unwrap_or("").to_string();
        if label.is_empty() {
            problems.push(format!(
                "row {r}, column 1: the participant's label is empty"
            ));
        } else if label.chars().count() > LABEL_MAX {
            problems.push(format!(
                "row {r}, column 1: the label is longer than {LABEL_MAX} characters"
            ));
        } else if let Some(other) = labels.insert(label.clone(), r) {
            problems.push(format!(
                "row {r}, column 1: the participant '{label}' appears twice (also row {other})"
            ));
        }
        let mut row = SheetRow {
            row: r,
            label,
            votes: Vec::new(),
            answers: Vec::new(),
        };
        for (k, cell) in cells.iter().enumerate().skip(1) {
            let c = k + 1;
            let cell = cell.trim();
            match columns.get(k) {
                Some(Column::Statement(n)) => {
                    if cell.is_empty() {
                        sheet.skipped_cells += 1;
                    } else {
                        match parse_vote_cell(cell) {
                            Some(v) => row.votes.push((*n, v)),
                            None => problems.push(format!(
                                "row {r}, column {c}: '{cell}' is not agree, disagree or pass"
                            )),
                        }
                    }
                }
                Some(Column::Question(q)) => {
                    if cell.is_empty() {
                        continue;
                    }
                    let question = &questions[*q];
                    match question.options.iter().position(|o| norm(o) == norm(cell)) {
                        Some(o) => row.answers.push((*q, o)),
                        None => problems.push(format!(
                            "row {r}, column {c}: '{cell}' is not an option of '{}' ({})",
                            question.label,
                            question.options.join(", ")
                        )),
                    }
                }
                Some(Column::Ignored) => {}
                None => {
                    if !cell.is_empty() {
                        problems.push(format!(
                            "row {r}, column {c}: a value beyond the last heading"
                        ));
                    }
                }
            }
        }
        // Cells missing at the end of a short row are empty cells too.
        sheet.skipped_cells += columns
            .iter()
            .skip(cells.len())
            .filter(|c| matches!(c, Column::Statement(_)))
            .count();
        sheet.rows.push(row);
    }
    if problems.is_empty() {
        Ok(sheet)
    } else {
        Err(problems)
    }
}

fn problems_message(problems: &[String]) -> String {
    let mut m = problems
        .iter()
        .take(PROBLEMS_MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > PROBLEMS_MAX {
        m.push_str(&format!("; and {} more", problems.len() - PROBLEMS_MAX));
    }
    m.push_str(" — nothing was imported");
    m
}

impl Access {
    /// Imports the votes (and self-declared answers) of a paper round from a CSV or XLSX file
    /// into a conversation run inside Grotius (Update on the dialogue). See the module's
    /// documentation for the format and the rules. Nothing is written when any cell is wrong.
    pub async fn import_paper_round(
        &self,
        dialogue_id: &str,
        bytes: &[u8],
        filename: &str,
    ) -> Result<PaperRoundReport> {
        let d = self.dialogue_for_update(dialogue_id).await?;
        if d.link_token.is_none() {
            return Err(StoreError::invalid(
                "file",
                "a paper round goes into a conversation run inside Grotius; this one is an imported export",
            ));
        }
        if bytes.is_empty() {
            return Err(StoreError::invalid("file", "the file is empty"));
        }
        let format = TableFormat::detect(Some(filename), bytes);
        let table = read_table(bytes, format)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let id = d.id.as_str();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        let rows = sqlx::query(
            "SELECT number, moderation, meta FROM dialogue_statements WHERE dialogue_id = $1 ORDER BY number",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut statements = BTreeMap::new();
        for r in &rows {
            let m: String = r.try_get("moderation")?;
            let m = Moderation::parse(&m)
                .ok_or_else(|| StoreError::Integrity(format!("statement moderation '{m}'")))?;
            let meta = r.try_get::<i64, _>("meta")? != 0;
            statements.insert(
                r.try_get::<i64, _>("number")?,
                not_shown(m, meta, d.moderation_mode),
            );
        }
        let sheet = parse_sheet(&table, &statements, &d.attributes)
            .map_err(|p| StoreError::invalid("file", problems_message(&p)))?;

        // The paper participants imported before, by label, with their votes and answers.
        let rows = sqlx::query(
            "SELECT number, source_id FROM dialogue_participants WHERE dialogue_id = $1 AND source_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut known: HashMap<String, i64> = HashMap::new();
        for r in &rows {
            known.insert(r.try_get("source_id")?, r.try_get("number")?);
        }
        let rows = sqlx::query(
            "SELECT v.participant, v.statement, v.vote, v.voted_at FROM dialogue_votes v
             JOIN dialogue_participants p ON p.dialogue_id = v.dialogue_id AND p.number = v.participant
             WHERE v.dialogue_id = $1 AND p.source_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut votes: HashMap<(i64, i64), (i64, Option<i64>)> = HashMap::new();
        for r in &rows {
            votes.insert(
                (r.try_get("participant")?, r.try_get("statement")?),
                (r.try_get("vote")?, r.try_get("voted_at")?),
            );
        }
        let rows = sqlx::query(
            "SELECT a.participant, a.question, a.answer FROM dialogue_participant_attributes a
             JOIN dialogue_participants p ON p.dialogue_id = a.dialogue_id AND p.number = a.participant
             WHERE a.dialogue_id = $1 AND p.source_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let mut answers: HashMap<(i64, i64), i64> = HashMap::new();
        for r in &rows {
            answers.insert(
                (r.try_get("participant")?, r.try_get("question")?),
                r.try_get("answer")?,
            );
        }
        let mut next: i64 = sqlx::query(
            "SELECT COALESCE(MAX(number) + 1, 0) AS n FROM dialogue_participants WHERE dialogue_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;

        let mut report = PaperRoundReport {
            sheets: sheet.rows.len(),
            skipped_cells: sheet.skipped_cells,
            sha256,
            ..Default::default()
        };
        for row in &sheet.rows {
            let (participant, new) = match known.get(&row.label) {
                Some(n) => (*n, false),
                None => {
                    let n = next;
                    next += 1;
                    sqlx::query(
                        "INSERT INTO dialogue_participants (dialogue_id, number, source_id, joined_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(n)
                    .bind(&row.label)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    (n, true)
                }
            };
            let mut changed = false;
            for (statement, vote) in &row.votes {
                let v = i64::from(vote.as_polis());
                match votes.get(&(participant, *statement)) {
                    Some((old, _)) if *old == v => report.votes_unchanged += 1,
                    Some((old, at)) => {
                        sqlx::query(
                            "INSERT INTO dialogue_vote_history (dialogue_id, participant, statement, vote, voted_at, replaced_at)
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(id)
                        .bind(participant)
                        .bind(*statement)
                        .bind(*old)
                        .bind(*at)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE dialogue_votes SET vote = $1, voted_at = $2 WHERE dialogue_id = $3 AND participant = $4 AND statement = $5",
                        )
                        .bind(v)
                        .bind(now)
                        .bind(id)
                        .bind(participant)
                        .bind(*statement)
                        .execute(&mut *tx)
                        .await?;
                        report.votes += 1;
                        report.votes_changed += 1;
                        changed = true;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO dialogue_votes (dialogue_id, participant, statement, vote, voted_at) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(participant)
                        .bind(*statement)
                        .bind(v)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        report.votes += 1;
                        changed = true;
                    }
                }
            }
            for (question, option) in &row.answers {
                let (q, o) = (*question as i64, *option as i64);
                match answers.get(&(participant, q)) {
                    Some(old) if *old == o => {}
                    Some(_) => {
                        sqlx::query(
                            "UPDATE dialogue_participant_attributes SET answer = $1 WHERE dialogue_id = $2 AND participant = $3 AND question = $4",
                        )
                        .bind(o)
                        .bind(id)
                        .bind(participant)
                        .bind(q)
                        .execute(&mut *tx)
                        .await?;
                        report.answers += 1;
                        changed = true;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO dialogue_participant_attributes (dialogue_id, participant, question, answer) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(id)
                        .bind(participant)
                        .bind(q)
                        .bind(o)
                        .execute(&mut *tx)
                        .await?;
                        report.answers += 1;
                        changed = true;
                    }
                }
            }
            if new {
                report.participants_added += 1;
            } else if changed {
                report.participants_updated += 1;
            } else {
                report.participants_unchanged += 1;
            }
        }
        if report.changed() {
            record_change(&mut tx, "dialogue", id, "upsert").await?;
        }
        let detail = serde_json::json!({
            "format": format.extension(),
            "sha256": report.sha256,
            "sheets": report.sheets,
            "participants_added": report.participants_added,
            "participants_updated": report.participants_updated,
            "votes": report.votes,
            "votes_changed": report.votes_changed,
            "skipped_cells": report.skipped_cells,
            "answers": report.answers,
        })
        .to_string();
        self.audit_in(
            &mut tx,
            "dialogue.paper_round",
            "dialogue",
            id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.store.dialogue_changed(id);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Vec<Vec<String>> {
        read_table(text.as_bytes(), TableFormat::Csv).unwrap()
    }

    fn shown() -> BTreeMap<i64, Option<&'static str>> {
        BTreeMap::from([(0, None), (1, None), (2, Some("was rejected"))])
    }

    fn gender() -> Vec<AttributeQuestion> {
        vec![AttributeQuestion {
            label: "Gender".into(),
            options: vec!["women".into(), "men".into()],
        }]
    }

    #[test]
    fn reads_votes_in_three_languages_and_answers() {
        let t = table(
            "participant,0,#1,gender\nBria-01,agree,-1,Women\nBria-02,eens,,\nBria-03,pas d’accord,passer,men\n",
        );
        let s = parse_sheet(&t, &shown(), &gender()).unwrap();
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.skipped_cells, 1);
        assert_eq!(s.rows[0].votes, vec![(0, Vote::Agree), (1, Vote::Disagree)]);
        assert_eq!(s.rows[0].answers, vec![(0, 0)]);
        assert_eq!(s.rows[1].votes, vec![(0, Vote::Agree)]);
        assert!(s.rows[1].answers.is_empty());
        assert_eq!(s.rows[2].votes, vec![(0, Vote::Disagree), (1, Vote::Pass)]);
        assert_eq!(s.rows[2].answers, vec![(0, 1)]);
    }

    #[test]
    fn every_problem_names_its_row_and_column() {
        let t = table(
            "participant,0,1,2,7,region\nA,maybe,agree,,,\nA,agree,,,,\n,agree,,,,\nB,agree,1,,,x\n",
        );
        let p = parse_sheet(&t, &shown(), &gender()).unwrap_err();
        let all = p.join("\n");
        for expected in [
            "row 1, column 4: statement 2 was rejected",
            "row 1, column 5: unknown statement number 7",
            "row 1, column 6: 'region' is neither a statement number nor a question",
            "row 2, column 2: 'maybe' is not agree, disagree or pass",
            "row 3, column 1: the participant 'A' appears twice (also row 2)",
            "row 4, column 1: the participant's label is empty",
        ] {
            assert!(all.contains(expected), "{expected} in:\n{all}");
        }
        let t = table("participant,gender\nA,other\n");
        let p = parse_sheet(&t, &shown(), &gender()).unwrap_err();
        assert_eq!(
            p,
            vec!["row 2, column 2: 'other' is not an option of 'Gender' (women, men)"]
        );
        let t = table("name,0\nA,agree\n");
        assert!(parse_sheet(&t, &shown(), &[]).unwrap_err()[0].starts_with("row 1, column 1"));
    }
}
