//! Versioned analyses of a process: actor maps, process maps, conflict analyses.
//!
//! An analysis belongs to a process and carries labels at least as strict as the process. Its
//! content (title, body text and, for actor maps, structured rows) lives in immutable versions
//! numbered 1, 2, 3, …; every save makes a new version on top of the one the author edited
//! (`base_version`), and a save on a stale base is refused. This module holds the records, the
//! validation and the diff between two versions — pure, no I/O.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, Term};
use crate::security::{Classification, CompartmentId};

use crate::reference::t;

/// Kinds of analysis.
pub const ANALYSIS_KINDS: &[Term] = &[
    t("actor-map", "Actor map", "Actorenkaart"),
    t("process-map", "Process map", "Proceskaart"),
    t("conflict-analysis", "Conflict analysis", "Conflictanalyse"),
];

/// The stance of an actor towards the process (rows of an actor map).
pub const STANCES: &[Term] = &[
    t(
        "champion",
        "Champion of the process",
        "Voortrekker van het proces",
    ),
    t("supportive", "Supportive", "Steunt"),
    t("neutral", "Neutral", "Neutraal"),
    t("ambivalent", "Ambivalent", "Ambivalent"),
    t("opposed", "Opposed", "Tegen"),
    t("spoiler", "Potential spoiler", "Mogelijke spoiler"),
];

pub const ACTOR_MAP: &str = "actor-map";

/// Limits of one version.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 200_000;
pub const MAX_ROWS: usize = 300;
pub const MAX_INTERESTS_CHARS: usize = 2_000;
pub const MAX_NOTE_CHARS: usize = 500;

/// One row of an actor map: an actor of the network, where it stands, how much it weighs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorMapRow {
    /// An actor id of the network (shown only to readers who may see that actor).
    pub actor_id: String,
    /// A code of [`STANCES`].
    pub stance: String,
    /// 1 (marginal) to 5 (decisive).
    pub influence: i64,
    #[serde(default)]
    pub interests: String,
}

/// What a version holds: the versioned content of an analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisContent {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub rows: Vec<ActorMapRow>,
}

/// An analysis as shown: its identity and labels with the content of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    pub id: String,
    pub process_id: String,
    pub kind: String,
    pub labels: Labels,
    /// The newest version number.
    pub latest_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The version shown (the latest unless asked otherwise).
    pub version: AnalysisVersion,
}

/// One immutable version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisVersion {
    pub number: i64,
    pub author_id: String,
    pub author_name: String,
    pub created_at: i64,
    pub note: String,
    /// Set when this version restored an older one.
    pub restored_from: Option<i64>,
    pub content: AnalysisContent,
}

/// A version in the history list (without its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: i64,
    pub title: String,
    pub author_name: String,
    pub created_at: i64,
    pub note: String,
    pub restored_from: Option<i64>,
}

/// An analysis in the list of a process (latest title, no content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    pub id: String,
    pub process_id: String,
    pub kind: String,
    pub title: String,
    pub labels: Labels,
    pub latest_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A new analysis, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAnalysis {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub rows: Vec<ActorMapRow>,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// A new version of an existing analysis, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVersion {
    /// The version the author edited; the save is refused if it is no longer the latest.
    pub base_version: i64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub rows: Vec<ActorMapRow>,
    /// Raise the classification (never lower it); absent or empty keeps it.
    #[serde(default)]
    pub classification: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Line endings of forms (`\r\n`) become `\n`; trailing white space of the text goes.
fn normalise_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    lines.join("\n").trim_matches('\n').to_string()
}

fn parse_compartment(c: Option<&str>) -> Result<Option<CompartmentId>, DomainError> {
    c.map(str::trim)
        .filter(|c| !c.is_empty())
        .map(CompartmentId::parse)
        .transpose()
}

/// Checks the versioned content for an analysis of `kind`; returns it normalised.
pub fn validate_content(
    kind: &str,
    title: &str,
    body: &str,
    rows: &[ActorMapRow],
) -> Result<AnalysisContent, DomainError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(DomainError::invalid("title", "a title is required"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(DomainError::invalid(
            "title",
            format!("at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(DomainError::invalid(
            "body",
            format!("text too long (at most {MAX_BODY_BYTES} bytes)"),
        ));
    }
    let body = normalise_text(body);
    let rows: Vec<&ActorMapRow> = rows
        .iter()
        .filter(|r| !r.actor_id.trim().is_empty())
        .collect();
    if kind != ACTOR_MAP && !rows.is_empty() {
        return Err(DomainError::invalid(
            "rows",
            "only an actor map has actor rows",
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(DomainError::invalid(
            "rows",
            format!("at most {MAX_ROWS} actors on one map"),
        ));
    }
    let mut out: Vec<ActorMapRow> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let n = i + 1;
        let actor_id = r.actor_id.trim();
        if out.iter().any(|o| o.actor_id == actor_id) {
            return Err(DomainError::invalid(
                "rows",
                format!("row {n}: this actor is already on the map"),
            ));
        }
        let stance = reference::term(STANCES, "stance", r.stance.trim())
            .map_err(|e| DomainError::invalid("rows", format!("row {n}: {e}")))?;
        if !(1..=5).contains(&r.influence) {
            return Err(DomainError::invalid(
                "rows",
                format!("row {n}: influence is 1 (marginal) to 5 (decisive)"),
            ));
        }
        let interests = normalise_text(&r.interests);
        if interests.chars().count() > MAX_INTERESTS_CHARS {
            return Err(DomainError::invalid(
                "rows",
                format!("row {n}: interests at most {MAX_INTERESTS_CHARS} characters"),
            ));
        }
        out.push(ActorMapRow {
            actor_id: actor_id.to_string(),
            stance: stance.code.to_string(),
            influence: r.influence,
            interests,
        });
    }
    Ok(AnalysisContent {
        title: title.to_string(),
        body,
        rows: out,
    })
}

fn validate_note(note: &str) -> Result<String, DomainError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(DomainError::invalid(
            "note",
            format!("a change note has at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    Ok(note.to_string())
}

/// Labels of an analysis must be at least as strict as its process: the same compartment and a
/// classification no lower, so that an analysis never reveals a process its reader may not see.
fn check_labels(labels: &Labels, process: &Labels) -> Result<(), DomainError> {
    if labels.classification < process.classification {
        return Err(DomainError::invalid(
            "classification",
            format!(
                "an analysis is classified at least as high as its process ({})",
                process.classification
            ),
        ));
    }
    if labels.compartment != process.compartment {
        return Err(DomainError::invalid(
            "compartment",
            "an analysis lives in the compartment of its process",
        ));
    }
    Ok(())
}

/// A validated new analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAnalysis {
    pub kind: String,
    pub labels: Labels,
    pub content: AnalysisContent,
    pub note: String,
}

impl NewAnalysis {
    pub fn validate(&self, process: &Labels) -> Result<ValidAnalysis, DomainError> {
        let kind = reference::term(ANALYSIS_KINDS, "analysis kind", self.kind.trim())?.code;
        let labels = Labels {
            classification: self.classification.trim().parse::<Classification>()?,
            compartment: parse_compartment(self.compartment.as_deref())?,
        };
        check_labels(&labels, process)?;
        Ok(ValidAnalysis {
            kind: kind.to_string(),
            content: validate_content(kind, &self.title, &self.body, &self.rows)?,
            note: validate_note(&self.note)?,
            labels,
        })
    }
}

/// A validated new version: content, the labels it leaves the analysis with, and the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidVersion {
    pub base_version: i64,
    pub content: AnalysisContent,
    pub labels: Labels,
    pub note: String,
}

impl NewVersion {
    /// `current` are the analysis's labels now, `process` those of its process.
    pub fn validate(
        &self,
        kind: &str,
        current: &Labels,
        process: &Labels,
    ) -> Result<ValidVersion, DomainError> {
        if self.base_version < 1 {
            return Err(DomainError::invalid(
                "base_version",
                "name the version you edited (1 or higher)",
            ));
        }
        let classification = match self
            .classification
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => current.classification,
            Some(c) => c.parse::<Classification>()?,
        };
        if classification < current.classification {
            return Err(DomainError::invalid(
                "classification",
                format!(
                    "a save may raise the classification, not lower it (now {})",
                    current.classification
                ),
            ));
        }
        let labels = Labels {
            classification,
            compartment: current.compartment.clone(),
        };
        check_labels(&labels, process)?;
        Ok(ValidVersion {
            base_version: self.base_version,
            content: validate_content(kind, &self.title, &self.body, &self.rows)?,
            labels,
            note: validate_note(&self.note)?,
        })
    }
}

/// One line of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineTag {
    Context,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub tag: LineTag,
    /// 1-based line number in the older version (none for added lines).
    pub old_line: Option<usize>,
    /// 1-based line number in the newer version (none for removed lines).
    pub new_line: Option<usize>,
    pub text: String,
}

/// A run of changes with a few lines of context, as in a unified diff (`@@ -a,b +c,d @@`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    pub old_start: usize,
    pub old_len: usize,
    pub new_start: usize,
    pub new_len: usize,
    pub lines: Vec<DiffLine>,
}

impl DiffHunk {
    pub fn header(&self) -> String {
        format!(
            "@@ -{},{} +{},{} @@",
            self.old_start, self.old_len, self.new_start, self.new_len
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowChangeKind {
    Added,
    Removed,
    Changed,
}

/// An actor added to, removed from, or changed on an actor map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub actor_id: String,
    pub kind: RowChangeKind,
    pub before: Option<ActorMapRow>,
    pub after: Option<ActorMapRow>,
    /// For changed rows: which of stance, influence, interests changed.
    pub fields: Vec<String>,
}

/// What changed between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisDiff {
    pub from: i64,
    pub to: i64,
    /// Old and new title, when the title changed.
    pub title: Option<(String, String)>,
    pub hunks: Vec<DiffHunk>,
    pub lines_added: usize,
    pub lines_removed: usize,
    pub rows: Vec<RowChange>,
}

impl AnalysisDiff {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.hunks.is_empty() && self.rows.is_empty()
    }
}

/// Lines of context around each change.
pub const DIFF_CONTEXT: usize = 3;

/// The line-level diff of the bodies (grouped into hunks like `diff -u`), the title change and,
/// for actor maps, the rows added, removed and changed (matched by actor).
pub fn diff(from: i64, old: &AnalysisContent, to: i64, new: &AnalysisContent) -> AnalysisDiff {
    use similar::{ChangeTag, TextDiff};
    // Every line ends in a newline, so a last line that gained one is not a change.
    let old_body = format!("{}\n", old.body);
    let new_body = format!("{}\n", new.body);
    let text = TextDiff::from_lines(old_body.as_str(), new_body.as_str());
    let mut hunks = Vec::new();
    let (mut added, mut removed) = (0, 0);
    for group in text.grouped_ops(DIFF_CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let mut lines = Vec::new();
        for op in &group {
            for change in text.iter_changes(op) {
                let tag = match change.tag() {
                    ChangeTag::Equal => LineTag::Context,
                    ChangeTag::Delete => {
                        removed += 1;
                        LineTag::Removed
                    }
                    ChangeTag::Insert => {
                        added += 1;
                        LineTag::Added
                    }
                };
                lines.push(DiffLine {
                    tag,
                    old_line: change.old_index().map(|i| i + 1),
                    new_line: change.new_index().map(|i| i + 1),
                    text: change.value().trim_end_matches('\n').to_string(),
                });
            }
        }
        // Unified-diff convention: an empty range starts at the line before it.
        let start = |r: &std::ops::Range<usize>| {
            if r.is_empty() { r.start } else { r.start + 1 }
        };
        hunks.push(DiffHunk {
            old_start: start(&old_range),
            old_len: old_range.len(),
            new_start: start(&new_range),
            new_len: new_range.len(),
            lines,
        });
    }
    let mut rows = Vec::new();
    for r in &old.rows {
        match new.rows.iter().find(|n| n.actor_id == r.actor_id) {
            None => rows.push(RowChange {
                actor_id: r.actor_id.clone(),
                kind: RowChangeKind::Removed,
                before: Some(r.clone()),
                after: None,
                fields: Vec::new(),
            }),
            Some(n) if n != r => {
                let mut fields = Vec::new();
                if n.stance != r.stance {
                    fields.push("stance".to_string());
                }
                if n.influence != r.influence {
                    fields.push("influence".to_string());
                }
                if n.interests != r.interests {
                    fields.push("interests".to_string());
                }
                rows.push(RowChange {
                    actor_id: r.actor_id.clone(),
                    kind: RowChangeKind::Changed,
                    before: Some(r.clone()),
                    after: Some(n.clone()),
                    fields,
                });
            }
            Some(_) => {}
        }
    }
    for n in &new.rows {
        if !old.rows.iter().any(|r| r.actor_id == n.actor_id) {
            rows.push(RowChange {
                actor_id: n.actor_id.clone(),
                kind: RowChangeKind::Added,
                before: None,
                after: Some(n.clone()),
                fields: Vec::new(),
            });
        }
    }
    AnalysisDiff {
        from,
        to,
        title: (old.title != new.title).then(|| (old.title.clone(), new.title.clone())),
        hunks,
        lines_added: added,
        lines_removed: removed,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process() -> Labels {
        Labels {
            classification: Classification::Confidential,
            compartment: Some(CompartmentId::parse("horn-of-africa").unwrap()),
        }
    }

    fn row(actor: &str, stance: &str, influence: i64) -> ActorMapRow {
        ActorMapRow {
            actor_id: actor.into(),
            stance: stance.into(),
            influence,
            interests: String::new(),
        }
    }

    fn new_map() -> NewAnalysis {
        NewAnalysis {
            kind: "actor-map".into(),
            title: " Sudan actor map ".into(),
            body: "Line one  \r\nLine two\r\n\r\n".into(),
            rows: vec![row("a1", "opposed", 5), row(" ", "", 0)],
            classification: "confidential".into(),
            compartment: Some("horn-of-africa".into()),
            note: " first draft ".into(),
        }
    }

    #[test]
    fn a_new_analysis_is_normalised() {
        let v = new_map().validate(&process()).unwrap();
        assert_eq!(v.content.title, "Sudan actor map");
        assert_eq!(v.content.body, "Line one\nLine two");
        assert_eq!(v.content.rows, vec![row("a1", "opposed", 5)]);
        assert_eq!(v.note, "first draft");
    }

    #[test]
    fn each_bad_field_is_named() {
        type Case = (fn(&mut NewAnalysis), &'static str);
        let cases: Vec<Case> = vec![
            (|a| a.kind = "mind-map".into(), "analysis kind"),
            (|a| a.title = " ".into(), "title"),
            (|a| a.title = "x".repeat(201), "title"),
            (|a| a.body = "x".repeat(MAX_BODY_BYTES + 1), "body"),
            (|a| a.classification = "internal".into(), "classification"),
            (|a| a.compartment = None, "compartment"),
            (|a| a.rows[0].influence = 6, "influence"),
            (|a| a.rows[0].stance = "hostile".into(), "stance"),
            (
                |a| a.rows.push(row("a1", "neutral", 2)),
                "already on the map",
            ),
            (|a| a.kind = "process-map".into(), "only an actor map"),
            (|a| a.note = "n".repeat(501), "note"),
        ];
        for (mutate, field) in cases {
            let mut a = new_map();
            mutate(&mut a);
            let err = a.validate(&process()).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }

    #[test]
    fn a_save_may_raise_but_not_lower_the_classification() {
        let current = process();
        let mut v = NewVersion {
            base_version: 1,
            title: "t".into(),
            classification: Some("secret".into()),
            ..Default::default()
        };
        let ok = v.validate("conflict-analysis", &current, &current).unwrap();
        assert_eq!(ok.labels.classification, Classification::Secret);
        v.classification = Some("internal".into());
        let err = v
            .validate("conflict-analysis", &current, &current)
            .unwrap_err();
        assert!(err.to_string().contains("classification"), "{err}");
        v.classification = None;
        v.base_version = 0;
        let err = v
            .validate("conflict-analysis", &current, &current)
            .unwrap_err();
        assert!(err.to_string().contains("base_version"), "{err}");
    }

    #[test]
    fn the_diff_names_changed_lines_and_rows() {
        let old = AnalysisContent {
            title: "Map".into(),
            body: "a\nb\nc\nd\ne\nf\ng\nh\ni".into(),
            rows: vec![row("x", "opposed", 4), row("y", "neutral", 2)],
        };
        let new = AnalysisContent {
            title: "Map (rev)".into(),
            body: "a\nb\nc\nd\nE\nf\ng\nh\ni\nj".into(),
            rows: vec![row("x", "ambivalent", 4), row("z", "supportive", 3)],
        };
        let d = diff(1, &old, 2, &new);
        assert_eq!(d.title, Some(("Map".into(), "Map (rev)".into())));
        assert_eq!((d.lines_added, d.lines_removed), (2, 1));
        assert_eq!(d.hunks.len(), 1);
        let h = &d.hunks[0];
        assert_eq!(h.header(), "@@ -2,8 +2,9 @@");
        let removed: Vec<_> = h
            .lines
            .iter()
            .filter(|l| l.tag == LineTag::Removed)
            .map(|l| (l.old_line, l.text.as_str()))
            .collect();
        assert_eq!(removed, vec![(Some(5), "e")]);
        let added: Vec<_> = h
            .lines
            .iter()
            .filter(|l| l.tag == LineTag::Added)
            .map(|l| (l.new_line, l.text.as_str()))
            .collect();
        assert_eq!(added, vec![(Some(5), "E"), (Some(10), "j")]);
        let kinds: Vec<_> = d
            .rows
            .iter()
            .map(|r| (r.actor_id.as_str(), r.kind, r.fields.clone()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("x", RowChangeKind::Changed, vec!["stance".to_string()]),
                ("y", RowChangeKind::Removed, vec![]),
                ("z", RowChangeKind::Added, vec![]),
            ]
        );
        assert!(diff(1, &old, 1, &old).is_empty());
    }
}
