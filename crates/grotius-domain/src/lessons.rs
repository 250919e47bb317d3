//! Lessons: debriefs of a process in the Swiss FDFA lessons template (case, Dutch role,
//! duration, other parties, background, entry points, process design, key lessons, follow-up),
//! written at turning points and at exit, and the text matching of the lessons search.
//!
//! The search here is pure: a parsed query ([`LessonQuery`]) is matched against the decrypted
//! fields of one debrief at a time ([`match_fields`]), case- and accent-insensitively. Storage
//! decides *which* debriefs are matched (only those the reader may read); a general full-text
//! index can later replace the loop without changing this interface.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::network::parse_date;
use crate::policy::Labels;
use crate::process::Process;
use crate::reference::{self, DUTCH_ROLES, THEMES, Term};
use crate::security::{Classification, CompartmentId};

/// When a debrief is written.
pub const DEBRIEF_MOMENTS: &[Term] = &[
    Term {
        code: "turning-point",
        en: "Turning point",
        nl: "Kantelpunt",
    },
    Term {
        code: "exit",
        en: "Exit",
        nl: "Afronding (exit)",
    },
];

/// One follow-up action: who does what by when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub who: String,
    pub what: String,
    /// ISO 8601 date, or empty.
    #[serde(default)]
    pub by: String,
}

/// A debrief as stored and shown. The narrative fields (other parties, background, entry
/// points, process design, key lessons, follow-up) are encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debrief {
    pub id: String,
    pub process_id: String,
    /// An entry of the process's engagements journal this debrief is tied to, if any.
    pub engagement_id: Option<String>,
    pub moment: String,
    pub date: String,
    pub author: String,
    /// The case (title of the debrief).
    pub case_title: String,
    pub dutch_role: String,
    /// Duration of the engagement debriefed.
    pub started_on: String,
    pub ended_on: Option<String>,
    /// Parties engaged in the process (by name, from the process's list).
    pub parties: Vec<String>,
    pub other_parties: String,
    pub background: String,
    pub entry_points: String,
    pub process_design: String,
    pub key_lessons: String,
    pub follow_up: Vec<FollowUp>,
    pub themes: Vec<String>,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a user submits to write or change a debrief.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebriefInput {
    #[serde(default)]
    pub engagement_id: Option<String>,
    pub moment: String,
    pub date: String,
    #[serde(default)]
    pub author: String,
    pub case_title: String,
    /// Empty: the process's Dutch role.
    #[serde(default)]
    pub dutch_role: String,
    pub started_on: String,
    #[serde(default)]
    pub ended_on: String,
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default)]
    pub other_parties: String,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub entry_points: String,
    #[serde(default)]
    pub process_design: String,
    #[serde(default)]
    pub key_lessons: String,
    #[serde(default)]
    pub follow_up: Vec<FollowUp>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

/// A validated debrief input, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDebrief {
    pub engagement_id: Option<String>,
    pub moment: String,
    pub date: String,
    pub author: String,
    pub case_title: String,
    pub dutch_role: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub parties: Vec<String>,
    pub other_parties: String,
    pub background: String,
    pub entry_points: String,
    pub process_design: String,
    pub key_lessons: String,
    pub follow_up: Vec<FollowUp>,
    pub themes: Vec<String>,
    pub labels: Labels,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Labels at least as strict as those of the record a child belongs to: the same compartment,
/// and a classification no lower.
pub fn labels_under(
    classification: &str,
    compartment: &Option<String>,
    parent: &Labels,
    what: &str,
) -> Result<Labels, DomainError> {
    let labels = Labels {
        classification: classification.trim().parse::<Classification>()?,
        compartment: opt(compartment).map(CompartmentId::parse).transpose()?,
    };
    if labels.classification < parent.classification {
        return Err(DomainError::invalid(
            "classification",
            format!(
                "a {what} is classified at least as high as its process ({})",
                parent.classification
            ),
        ));
    }
    if labels.compartment != parent.compartment {
        return Err(DomainError::invalid(
            "compartment",
            format!("a {what} lives in the compartment of its process"),
        ));
    }
    Ok(labels)
}

fn long_text(field: &'static str, s: &str) -> Result<String, DomainError> {
    if s.len() > 50_000 {
        return Err(DomainError::invalid(field, "at most 50,000 bytes"));
    }
    Ok(s.trim().to_string())
}

impl DebriefInput {
    /// Checks every field against its process; the first problem is returned with the field's
    /// name. The Dutch role and the themes default to the process's; parties must be engaged
    /// in the process.
    pub fn validate(&self, process: &Process) -> Result<ValidDebrief, DomainError> {
        let moment = reference::term(DEBRIEF_MOMENTS, "moment", self.moment.trim())?.code;
        let date = parse_date("date", &self.date)?;
        let case_title = self.case_title.trim();
        if case_title.is_empty() || case_title.chars().count() > 200 {
            return Err(DomainError::invalid(
                "case",
                "name the case in 1 to 200 characters",
            ));
        }
        let author = self.author.trim();
        if author.is_empty() || author.chars().count() > 120 {
            return Err(DomainError::invalid(
                "author",
                "name the author in 1 to 120 characters",
            ));
        }
        let role = match self.dutch_role.trim() {
            "" => process.dutch_role.as_str(),
            r => r,
        };
        let dutch_role = reference::term(DUTCH_ROLES, "Dutch role", role)?.code;
        let started_on = parse_date("started_on", &self.started_on)?;
        let ended_on = match self.ended_on.trim() {
            "" => None,
            e => Some(parse_date("ended_on", e)?),
        };
        if let Some(e) = &ended_on
            && *e < started_on
        {
            return Err(DomainError::invalid(
                "ended_on",
                "the engagement ends before it starts",
            ));
        }
        if moment == "exit" && ended_on.is_none() {
            return Err(DomainError::invalid(
                "ended_on",
                "a debrief at exit gives the end date of the engagement",
            ));
        }
        let mut parties: Vec<String> = Vec::new();
        for p in self
            .parties
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            if !process.engaged.iter().any(|e| e.party == p) {
                return Err(DomainError::invalid(
                    "parties",
                    format!(
                        "'{p}' is not among the parties engaged in the process; name it under other parties"
                    ),
                ));
            }
            if !parties.iter().any(|x| x == p) {
                parties.push(p.to_string());
            }
        }
        let key_lessons = long_text("key_lessons", &self.key_lessons)?;
        if key_lessons.is_empty() {
            return Err(DomainError::invalid(
                "key_lessons",
                "write down at least one key lesson",
            ));
        }
        let mut follow_up = Vec::new();
        for (i, f) in self.follow_up.iter().enumerate() {
            let (who, what, by) = (f.who.trim(), f.what.trim(), f.by.trim());
            if who.is_empty() && what.is_empty() && by.is_empty() {
                continue;
            }
            if who.is_empty() || what.is_empty() {
                return Err(DomainError::invalid(
                    "follow_up",
                    format!("action {} needs who and what", i + 1),
                ));
            }
            let by = if by.is_empty() {
                String::new()
            } else {
                parse_date("follow_up", by)?
            };
            follow_up.push(FollowUp {
                who: who.into(),
                what: what.into(),
                by,
            });
        }
        let mut themes: Vec<String> = Vec::new();
        let given = self.themes.iter().any(|t| !t.trim().is_empty());
        let source = if given { &self.themes } else { &process.themes };
        for t in source.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let code = reference::term(THEMES, "theme", t)?.code.to_string();
            if !themes.contains(&code) {
                themes.push(code);
            }
        }
        Ok(ValidDebrief {
            engagement_id: opt(&self.engagement_id).map(str::to_string),
            moment: moment.into(),
            date,
            author: author.into(),
            case_title: case_title.into(),
            dutch_role: dutch_role.into(),
            started_on,
            ended_on,
            parties,
            other_parties: long_text("other_parties", &self.other_parties)?,
            background: long_text("background", &self.background)?,
            entry_points: long_text("entry_points", &self.entry_points)?,
            process_design: long_text("process_design", &self.process_design)?,
            key_lessons,
            follow_up,
            themes,
            labels: labels_under(
                &self.classification,
                &self.compartment,
                &process.labels,
                "debrief",
            )?,
        })
    }
}

impl Debrief {
    /// The searchable text of a debrief, field by field, in the order of the template.
    pub fn search_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("case", self.case_title.clone()),
            ("key_lessons", self.key_lessons.clone()),
            ("background", self.background.clone()),
            ("entry_points", self.entry_points.clone()),
            ("process_design", self.process_design.clone()),
            (
                "other_parties",
                if self.parties.is_empty() {
                    self.other_parties.clone()
                } else {
                    format!("{}\n{}", self.parties.join("; "), self.other_parties)
                },
            ),
            (
                "follow_up",
                self.follow_up
                    .iter()
                    .map(|f| format!("{}: {} {}", f.who, f.what, f.by))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            ("author", self.author.clone()),
        ]
    }

    pub fn year(&self) -> Option<i32> {
        self.date.get(..4).and_then(|y| y.parse().ok())
    }
}

// ─── Search ──────────────────────────────────────────────────────────────────────────────────

/// A parsed lessons query: words and "quoted phrases", all of which must match (anywhere in
/// the debrief), folded to lower case without accents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonQuery {
    /// Folded needles: single words, or phrases as words joined by one space.
    pub needles: Vec<String>,
}

/// Filters of the lessons search (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonFilters {
    pub dutch_role: Option<String>,
    pub theme: Option<String>,
    /// A UN M49 region or sub-region (e.g. "Africa", "Eastern Africa") of the process countries.
    pub region: Option<String>,
    pub moment: Option<String>,
    pub year: Option<i32>,
}

impl LessonFilters {
    /// Checks the vocabulary filters (unknown codes are refused, naming the filter).
    pub fn validate(&self) -> Result<LessonFilters, DomainError> {
        let o = |s: &Option<String>| opt(s).map(str::to_string);
        let dutch_role = o(&self.dutch_role)
            .map(|r| reference::term(DUTCH_ROLES, "Dutch role", &r).map(|t| t.code.to_string()))
            .transpose()?;
        let theme = o(&self.theme)
            .map(|r| reference::term(THEMES, "theme", &r).map(|t| t.code.to_string()))
            .transpose()?;
        let moment = o(&self.moment)
            .map(|r| reference::term(DEBRIEF_MOMENTS, "moment", &r).map(|t| t.code.to_string()))
            .transpose()?;
        let region = match o(&self.region) {
            None => None,
            Some(r) => {
                if !regions().iter().any(|x| x.eq_ignore_ascii_case(&r)) {
                    return Err(DomainError::invalid(
                        "region",
                        format!("'{r}' is not a UN M49 region or sub-region"),
                    ));
                }
                Some(r)
            }
        };
        if let Some(y) = self.year
            && !(1900..=2200).contains(&y)
        {
            return Err(DomainError::invalid("year", "a year between 1900 and 2200"));
        }
        Ok(LessonFilters {
            dutch_role,
            theme,
            region,
            moment,
            year: self.year,
        })
    }

    /// Whether a debrief (with the countries of its process) passes the filters.
    pub fn admits(&self, d: &Debrief, countries: &[String]) -> bool {
        self.dutch_role.as_ref().is_none_or(|r| *r == d.dutch_role)
            && self.theme.as_ref().is_none_or(|t| d.themes.contains(t))
            && self.moment.as_ref().is_none_or(|m| *m == d.moment)
            && self.year.is_none_or(|y| d.year() == Some(y))
            && self.region.as_ref().is_none_or(|r| in_region(countries, r))
    }
}

/// UN M49 regions, then sub-regions and intermediate regions (for filters).
pub fn regions() -> &'static [String] {
    static R: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let mut regions: Vec<String> = Vec::new();
        let mut subs: Vec<String> = Vec::new();
        for c in reference::countries() {
            if !c.region.is_empty() && !regions.contains(&c.region) {
                regions.push(c.region.clone());
            }
            for s in [&c.sub_region, &c.intermediate_region] {
                if !s.is_empty() && !subs.contains(s) {
                    subs.push(s.clone());
                }
            }
        }
        regions.sort();
        subs.sort();
        regions.extend(subs);
        regions
    })
}

/// Whether any of these countries (ISO alpha-2) lies in the region or sub-region.
pub fn in_region(countries: &[String], region: &str) -> bool {
    countries
        .iter()
        .filter_map(|c| reference::country(c))
        .any(|c| {
            c.region.eq_ignore_ascii_case(region)
                || c.sub_region.eq_ignore_ascii_case(region)
                || c.intermediate_region.eq_ignore_ascii_case(region)
        })
}

/// Folds one character: lower case, accents removed (Latin scripts), everything that is not a
/// letter or digit becomes a space. Returns up to two characters.
fn fold_char(c: char) -> ([char; 2], usize) {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => 'a',
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => 'c',
        'ď' | 'đ' | 'Ď' | 'Đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => 'e',
        'ğ' | 'Ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => {
            'i'
        }
        'ł' | 'ľ' | 'Ł' | 'Ľ' => 'l',
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => 'o',
        'ř' | 'Ř' => 'r',
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => 's',
        'ť' | 'ţ' | 'Ť' | 'Ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => {
            'u'
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => 'y',
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => 'z',
        'ß' => return (['s', 's'], 2),
        'æ' | 'Æ' => return (['a', 'e'], 2),
        'œ' | 'Œ' => return (['o', 'e'], 2),
        'ĳ' | 'Ĳ' => return (['i', 'j'], 2),
        c if c.is_alphanumeric() => c.to_lowercase().next().unwrap_or(c),
        _ => ' ',
    };
    ([base, ' '], 1)
}

/// Text folded for matching, with the byte offset in the original of each folded character.
struct Folded {
    chars: Vec<char>,
    origin: Vec<usize>,
}

fn fold(s: &str) -> Folded {
    let mut chars = Vec::with_capacity(s.len());
    let mut origin = Vec::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        let (f, n) = fold_char(c);
        for ch in f.iter().take(n) {
            if *ch == ' ' && chars.last().is_none_or(|l| *l == ' ') {
                continue;
            }
            chars.push(*ch);
            origin.push(i);
        }
    }
    Folded { chars, origin }
}

/// Folds a piece of text to the form the search compares (lower case, no accents, words
/// separated by one space).
pub fn fold_text(s: &str) -> String {
    fold(s)
        .chars
        .into_iter()
        .collect::<String>()
        .trim()
        .to_string()
}

impl LessonQuery {
    /// Parses `words and "quoted phrases"`. An unterminated quote runs to the end.
    pub fn parse(q: &str) -> LessonQuery {
        let mut needles = Vec::new();
        for (i, part) in q.split('"').enumerate() {
            if i % 2 == 1 {
                let p = fold_text(part);
                if !p.is_empty() {
                    needles.push(p);
                }
            } else {
                needles.extend(
                    fold_text(part)
                        .split(' ')
                        .filter(|w| !w.is_empty())
                        .map(str::to_string),
                );
            }
        }
        needles.dedup();
        LessonQuery { needles }
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }
}

/// Position (in folded characters) of `needle` in `hay` at the start of a word.
fn find_word(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .find(|&i| (i == 0 || hay[i - 1] == ' ') && hay[i..i + needle.len()] == *needle)
}

/// A snippet of a field around a match: the text before, the matched text, the text after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub before: String,
    pub hit: String,
    pub after: String,
}

/// Where a debrief matched: the field named, and a snippet around the first match in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextMatch {
    pub field: String,
    pub snippet: Snippet,
}

const SNIPPET_BEFORE: usize = 60;
const SNIPPET_AFTER: usize = 120;

/// Cuts `text` around the byte range `start..end` on character boundaries, at most
/// [`SNIPPET_BEFORE`] characters before and [`SNIPPET_AFTER`] after, with ellipses.
pub fn snippet(text: &str, start: usize, end: usize) -> Snippet {
    let before_all = &text[..start];
    let after_all = &text[end..];
    let nb = before_all.chars().count();
    let before: String = before_all
        .chars()
        .skip(nb.saturating_sub(SNIPPET_BEFORE))
        .collect();
    let after: String = after_all.chars().take(SNIPPET_AFTER).collect();
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut b = clean(&before);
    if nb > SNIPPET_BEFORE {
        b = format!("…{b}");
    }
    if before.ends_with(char::is_whitespace) && !b.is_empty() {
        b.push(' ');
    }
    let mut a = clean(&after);
    if after.starts_with(char::is_whitespace) && !a.is_empty() {
        a.insert(0, ' ');
    }
    if after_all.chars().count() > SNIPPET_AFTER {
        a.push('…');
    }
    Snippet {
        before: b,
        hit: text[start..end].to_string(),
        after: a,
    }
}

/// Matches a query against the fields of one record: every needle must occur at the start of a
/// word in some field. Returns the first field (in the given order) holding a match, with a
/// snippet; `None` when a needle is missing. An empty query matches, with the first non-empty
/// field's opening as snippet.
pub fn match_fields(q: &LessonQuery, fields: &[(&'static str, String)]) -> Option<TextMatch> {
    let folded: Vec<Folded> = fields.iter().map(|(_, t)| fold(t)).collect();
    let needles: Vec<Vec<char>> = q.needles.iter().map(|n| n.chars().collect()).collect();
    let mut first: Option<(usize, usize, usize)> = None; // field, folded start, needle length
    for n in &needles {
        let mut found = false;
        for (fi, f) in folded.iter().enumerate() {
            if let Some(pos) = find_word(&f.chars, n) {
                found = true;
                // The earliest field in template order, and in it the earliest match.
                if first.is_none_or(|(ff, fp, _)| fi < ff || (fi == ff && pos < fp)) {
                    first = Some((fi, pos, n.len()));
                }
            }
        }
        if !found {
            return None;
        }
    }
    match first {
        Some((fi, pos, len)) => {
            let f = &folded[fi];
            let text = &fields[fi].1;
            let start = f.origin[pos];
            let last = f.origin[pos + len - 1];
            let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
            Some(TextMatch {
                field: fields[fi].0.to_string(),
                snippet: snippet(text, start, end),
            })
        }
        None => {
            let (name, text) = fields
                .iter()
                .skip(1)
                .find(|(_, t)| !t.trim().is_empty())
                .or(fields.first())?;
            let s = snippet(text, 0, 0);
            Some(TextMatch {
                field: name.to_string(),
                snippet: s,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::EngagedParty;

    fn process() -> Process {
        Process {
            id: "p1".into(),
            title: "Sudan talks".into(),
            codename: None,
            countries: vec!["SD".into()],
            phase: "negotiation".into(),
            tracks: vec!["I".into()],
            dutch_role: "support".into(),
            status: "active".into(),
            themes: vec!["wps".into()],
            engaged: vec![EngagedParty {
                party: "African Union".into(),
                role: "coordinate".into(),
            }],
            summary: String::new(),
            notes: String::new(),
            labels: Labels {
                classification: Classification::Confidential,
                compartment: Some(CompartmentId::parse("horn-of-africa").unwrap()),
            },
            created_at: 0,
            updated_at: 0,
        }
    }

    fn input() -> DebriefInput {
        DebriefInput {
            moment: "exit".into(),
            date: "2026-06-30".into(),
            author: "coordinator".into(),
            case_title: "Jeddah support".into(),
            started_on: "2025-01-01".into(),
            ended_on: "2026-06-01".into(),
            parties: vec!["African Union".into()],
            key_lessons: "Sequence the ceasefire before politics.".into(),
            follow_up: vec![
                FollowUp {
                    who: "Desk".into(),
                    what: "Share the note".into(),
                    by: "2026-07-15".into(),
                },
                FollowUp::default(),
            ],
            classification: "secret".into(),
            compartment: Some("horn-of-africa".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_debrief_takes_the_process_role_and_keeps_labels_strict() {
        let v = input().validate(&process()).unwrap();
        assert_eq!(v.dutch_role, "support");
        assert_eq!(v.follow_up.len(), 1);
        assert_eq!(v.labels.classification, Classification::Secret);
        type Case = (fn(&mut DebriefInput), &'static str);
        let cases: Vec<Case> = vec![
            (|i| i.moment = "midway".into(), "moment"),
            (|i| i.case_title = " ".into(), "case"),
            (|i| i.classification = "internal".into(), "classification"),
            (|i| i.compartment = None, "compartment"),
            (|i| i.ended_on = "2024-01-01".into(), "ended_on"),
            (|i| i.ended_on = String::new(), "ended_on"),
            (|i| i.parties = vec!["Mars".into()], "parties"),
            (|i| i.key_lessons = String::new(), "key_lessons"),
            (|i| i.dutch_role = "boss".into(), "Dutch role"),
            (|i| i.follow_up[0].by = "soon".into(), "follow_up"),
            (|i| i.themes = vec!["sports".into()], "theme"),
        ];
        for (mutate, field) in cases {
            let mut i = input();
            mutate(&mut i);
            let err = i.validate(&process()).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }

    #[test]
    fn queries_fold_case_and_accents_and_keep_phrases() {
        let q = LessonQuery::parse("Ceasefire \"Vrouwen organisaties\" coördinatie");
        assert_eq!(
            q.needles,
            vec!["ceasefire", "vrouwen organisaties", "coordinatie"]
        );
        let fields = vec![
            ("case", "Taiz".to_string()),
            (
                "key_lessons",
                "De coördinatie met vrouwen-organisaties was beslissend. Ceasefire first."
                    .to_string(),
            ),
        ];
        let m = match_fields(&q, &fields).unwrap();
        assert_eq!(m.field, "key_lessons");
        assert_eq!(m.snippet.hit, "coördinatie");
        assert!(m.snippet.after.starts_with(" met vrouwen-organisaties"));
        assert!(match_fields(&LessonQuery::parse("\"organisaties was\""), &fields).is_some());
        assert!(match_fields(&LessonQuery::parse("\"was organisaties\""), &fields).is_none());
        assert!(match_fields(&LessonQuery::parse("ceasefire mars"), &fields).is_none());
        // Words match at a word start: "fire" is not "ceasefire".
        assert!(match_fields(&LessonQuery::parse("fire"), &fields).is_none());
    }

    #[test]
    fn snippets_are_cut_on_character_boundaries() {
        let text = format!("{}ëxample {}", "é ".repeat(100), "ü ".repeat(200));
        let q = LessonQuery::parse("example");
        let m = match_fields(&q, &[("background", text)]).unwrap();
        assert_eq!(m.snippet.hit, "ëxample");
        assert!(m.snippet.before.starts_with('…'));
        assert!(m.snippet.after.ends_with('…'));
    }

    #[test]
    fn regions_filter_by_m49() {
        assert!(in_region(&["SD".into()], "Africa"));
        assert!(in_region(&["SD".into()], "Northern Africa"));
        assert!(!in_region(&["CO".into()], "Africa"));
        assert!(
            regions()
                .iter()
                .any(|r| r == "Latin America and the Caribbean")
        );
    }
}
