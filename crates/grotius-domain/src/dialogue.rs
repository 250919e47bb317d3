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
    /// Participant languages (codes of [`PARTICIPANT_LANGUAGES`]).
    pub languages: Vec<String>,
    /// Votes are taken from `opens_at` until `closes_at` (Unix microseconds), while open.
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub moderation_mode: ModerationMode,
    /// The participation link's token (None: no participation, e.g. an import).
    pub link_token: Option<String>,
    /// Only personal invitation links take participants in.
    pub invitation_only: bool,
    /// Optional questions participants may answer about themselves (see
    /// [`crate::dialogue_attributes`]).
    pub attributes: Vec<crate::dialogue_attributes::AttributeQuestion>,
}

/// Whether a conversation takes votes at `now`, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    Open,
    NotYetOpen,
    Closed,
}

impl Dialogue {
    pub fn openness(&self, now: i64) -> Openness {
        if self.status != "open" || self.closes_at.is_some_and(|c| now >= c) {
            Openness::Closed
        } else if self.opens_at.is_some_and(|o| now < o) {
            Openness::NotYetOpen
        } else {
            Openness::Open
        }
    }
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
    /// Marked meta or off-topic by a moderator: kept, shown to nobody, out of the mathematics.
    pub meta: bool,
    /// The moderator's reason (kept for a rejection).
    pub reason: Option<String>,
    /// Submitted by a participant (not a seed of the team or an import).
    pub submitted: bool,
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

/// When a participant's statement is shown to others: `Before` a moderator accepts it (strict),
/// or `After` (at once, until a moderator rejects it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModerationMode {
    Before,
    After,
}

impl ModerationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationMode::Before => "before",
            ModerationMode::After => "after",
        }
    }

    pub fn parse(s: &str) -> Option<ModerationMode> {
        match s {
            "before" => Some(ModerationMode::Before),
            "after" => Some(ModerationMode::After),
            _ => None,
        }
    }
}

/// The languages a participation page is offered in (Arabic right to left).
pub const PARTICIPANT_LANGUAGES: &[&str] = &["en", "nl", "fr", "ar"];

/// Shortest and longest statement a participant or the team may write, in characters.
pub const STATEMENT_MIN: usize = 5;
pub const STATEMENT_MAX: usize = 280;

/// A conversation the team creates: its process, texts, languages, opening and closing time
/// (Unix microseconds, closing after opening), moderation mode and seed statements.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDialogue {
    pub process_id: String,
    pub topic: String,
    pub description: String,
    pub languages: Vec<String>,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub moderation: ModerationMode,
    pub seeds: Vec<String>,
    /// A closed consultation: only personal invitation links take participants in.
    pub invitation_only: bool,
    /// Optional questions participants may answer about themselves.
    pub attributes: Vec<crate::dialogue_attributes::AttributeQuestion>,
}

impl NewDialogue {
    /// Checks every field, naming the first bad one.
    pub fn validate(mut self) -> Result<NewDialogue, crate::DomainError> {
        self.topic = check_text("topic", &self.topic, 500)?;
        if self.topic.is_empty() {
            return Err(crate::DomainError::invalid("topic", "a topic is required"));
        }
        self.description = check_text("description", &self.description, 5000)?;
        self.languages = check_languages(&self.languages)?;
        if let (Some(o), Some(c)) = (self.opens_at, self.closes_at)
            && c <= o
        {
            return Err(crate::DomainError::invalid(
                "closes_at",
                "the closing time must be after the opening time",
            ));
        }
        let mut seeds = Vec::new();
        for s in &self.seeds {
            if s.trim().is_empty() {
                continue;
            }
            seeds.push(check_statement("seeds", s)?);
        }
        self.seeds = seeds;
        self.attributes = crate::dialogue_attributes::check_questions(self.attributes)?;
        Ok(self)
    }
}

/// The languages of a conversation: known participant languages, each once, at least one.
pub fn check_languages(langs: &[String]) -> Result<Vec<String>, crate::DomainError> {
    let mut out: Vec<String> = Vec::new();
    for l in langs {
        let l = l.trim().to_ascii_lowercase();
        if l.is_empty() {
            continue;
        }
        if !PARTICIPANT_LANGUAGES.contains(&l.as_str()) {
            return Err(crate::DomainError::invalid(
                "languages",
                format!(
                    "unknown language '{l}'; expected some of: {}",
                    PARTICIPANT_LANGUAGES.join(", ")
                ),
            ));
        }
        if !out.contains(&l) {
            out.push(l);
        }
    }
    if out.is_empty() {
        return Err(crate::DomainError::invalid(
            "languages",
            "choose at least one language",
        ));
    }
    Ok(out)
}

/// A statement's text: trimmed, whitespace runs folded, between [`STATEMENT_MIN`] and
/// [`STATEMENT_MAX`] characters.
pub fn check_statement(field: &'static str, body: &str) -> Result<String, crate::DomainError> {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = body.chars().count();
    if n < STATEMENT_MIN {
        return Err(crate::DomainError::invalid(
            field,
            format!("a statement needs at least {STATEMENT_MIN} characters"),
        ));
    }
    if n > STATEMENT_MAX {
        return Err(crate::DomainError::invalid(
            field,
            format!("a statement has at most {STATEMENT_MAX} characters (this one has {n})"),
        ));
    }
    Ok(body)
}

/// The words of a statement for comparing: lower case, letters and digits only.
fn words(s: &str) -> std::collections::BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Token Jaccard similarity of two statements (shared words over all words), 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// Statements at least this similar are suggested to the moderator as duplicates.
pub const DUPLICATE_SIMILARITY: f64 = 0.8;

/// A statement a participant may be shown next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub number: i64,
    /// Votes cast on it so far (by everyone).
    pub votes: i64,
    /// How much it separates or unites the groups, 0 to 1 (0 when not computed yet).
    pub salience: f64,
}

/// Which statement a participant sees next, among the statements they have not voted on.
///
/// Each candidate gets a weight `w = (1 + 2·salience) / (1 + votes)`: few votes and statements
/// that separate or unite the groups come first. The choice is a weighted draw made
/// deterministic per participant (Efraimidis–Spirakis): the key `u^(1/w)` with `u` in (0, 1]
/// from a hash of the participant's number and the statement's number; the largest key wins,
/// ties to the lower number. The same participant, votes and results give the same statement.
pub fn next_statement(participant: i64, candidates: &[Candidate]) -> Option<i64> {
    let key = |c: &Candidate| {
        let w = (1.0 + 2.0 * c.salience.clamp(0.0, 1.0)) / (1.0 + c.votes.max(0) as f64);
        let h =
            splitmix((participant as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (c.number as u64));
        let u = ((h >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
        u.powf(1.0 / w)
    };
    candidates
        .iter()
        .map(|c| (key(c), c.number))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, n)| n)
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod participation_tests {
    use super::*;

    #[test]
    fn statements_have_a_length_limit() {
        assert!(check_statement("body", "hi").is_err());
        assert_eq!(
            check_statement("body", "  Water  first\n please ").unwrap(),
            "Water first please"
        );
        assert!(check_statement("body", &"x".repeat(281)).is_err());
        assert!(check_statement("body", &"ب".repeat(280)).is_ok());
    }

    #[test]
    fn duplicates_by_word_overlap() {
        assert!(similarity("The roads must open.", "the roads MUST open") >= DUPLICATE_SIMILARITY);
        assert!(similarity("The roads must open.", "Schools first") < 0.2);
    }

    #[test]
    fn next_statement_is_deterministic_and_prefers_few_votes() {
        let c = [
            Candidate {
                number: 0,
                votes: 500,
                salience: 0.0,
            },
            Candidate {
                number: 1,
                votes: 0,
                salience: 0.0,
            },
            Candidate {
                number: 2,
                votes: 3,
                salience: 1.0,
            },
        ];
        assert_eq!(next_statement(7, &c), next_statement(7, &c));
        let mut heavy = 0;
        for p in 0..200 {
            if next_statement(p, &c) == Some(0) {
                heavy += 1;
            }
        }
        assert!(heavy < 10, "{heavy}");
        assert_eq!(next_statement(1, &[]), None);
    }

    #[test]
    fn languages_are_known_and_required() {
        assert_eq!(
            check_languages(&["ar".into(), "EN".into(), "ar".into()]).unwrap(),
            vec!["ar", "en"]
        );
        assert!(check_languages(&[]).is_err());
        assert!(check_languages(&["de".into()]).is_err());
    }
}
