//! Self-declared participant attributes of a conversation (the inclusion question WPS advisers
//! ask: do women, displaced people, the young agree with what the groups agree on?).
//!
//! The team chooses the questions per conversation (`Gender: women | men | other`); answering is
//! never required, and "prefer not to say" is always the default. Answers are option numbers,
//! never free text. The report shows agreement per option next to the opinion groups, and
//! suppresses small cells: an option answered by fewer than [`SMALL_CELL`] participants is not
//! shown at all; a statement is shown for an option only when at least [`SMALL_CELL`] of them
//! voted on it; an option's split over the opinion groups is shown only when no group holds 1 to
//! 4 of them (hiding a single cell would let the row total give it away, so the whole row goes).
//! Then complementary suppression: the page also shows the conversation's totals (participants,
//! voters per statement, group sizes), so while total minus the shown cells is 1 to 4 people,
//! the smallest shown cell is hidden too.
//! Per-participant answers never leave the store: no export carries them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// At most this many questions per conversation, this many options per question.
pub const QUESTIONS_MAX: usize = 6;
pub const OPTIONS_MAX: usize = 12;
/// Cells of fewer people than this are not shown.
pub const SMALL_CELL: i64 = 5;
const LABEL_MAX: usize = 80;
const OPTION_MAX: usize = 60;

/// One question the team asks participants, with the options they may pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeQuestion {
    pub label: String,
    pub options: Vec<String>,
}

/// Checks the team's questions: at most [`QUESTIONS_MAX`], each with a label and 2 to
/// [`OPTIONS_MAX`] distinct options.
pub fn check_questions(
    questions: Vec<AttributeQuestion>,
) -> Result<Vec<AttributeQuestion>, DomainError> {
    const F: &str = "attributes";
    if questions.len() > QUESTIONS_MAX {
        return Err(DomainError::invalid(
            F,
            format!("at most {QUESTIONS_MAX} questions"),
        ));
    }
    let mut out: Vec<AttributeQuestion> = Vec::with_capacity(questions.len());
    for q in questions {
        let label = q.label.split_whitespace().collect::<Vec<_>>().join(" ");
        if label.is_empty() {
            return Err(DomainError::invalid(F, "a question needs a label"));
        }
        if label.chars().count() > LABEL_MAX {
            return Err(DomainError::invalid(
                F,
                format!("the question '{label}' is longer than {LABEL_MAX} characters"),
            ));
        }
        if out.iter().any(|o| o.label.eq_ignore_ascii_case(&label)) {
            return Err(DomainError::invalid(
                F,
                format!("the question '{label}' is asked twice"),
            ));
        }
        let mut options: Vec<String> = Vec::new();
        for o in &q.options {
            let o = o.split_whitespace().collect::<Vec<_>>().join(" ");
            if o.is_empty() {
                continue;
            }
            if o.chars().count() > OPTION_MAX {
                return Err(DomainError::invalid(
                    F,
                    format!("the option '{o}' is longer than {OPTION_MAX} characters"),
                ));
            }
            if options.iter().any(|x| x.eq_ignore_ascii_case(&o)) {
                return Err(DomainError::invalid(
                    F,
                    format!("'{label}' offers '{o}' twice"),
                ));
            }
            options.push(o);
        }
        if options.len() < 2 || options.len() > OPTIONS_MAX {
            return Err(DomainError::invalid(
                F,
                format!("'{label}' needs 2 to {OPTIONS_MAX} options, separated by |"),
            ));
        }
        out.push(AttributeQuestion { label, options });
    }
    Ok(out)
}

/// Parses the team's lines, one question per line: `Label: option | option | …` (blank lines
/// skipped), and checks them.
pub fn parse_question_lines(text: &str) -> Result<Vec<AttributeQuestion>, DomainError> {
    let mut qs = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((label, options)) = line.split_once(':') else {
            return Err(DomainError::invalid(
                "attributes",
                format!("'{line}' has no ':' between the question and its options"),
            ));
        };
        qs.push(AttributeQuestion {
            label: label.to_string(),
            options: options.split('|').map(str::to_string).collect(),
        });
    }
    check_questions(qs)
}

/// The questions as the lines [`parse_question_lines`] reads.
pub fn question_lines(questions: &[AttributeQuestion]) -> String {
    questions
        .iter()
        .map(|q| format!("{}: {}", q.label, q.options.join(" | ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks one participant's answers (one entry per question, `None`: not answered).
pub fn check_answers(
    questions: &[AttributeQuestion],
    answers: &[Option<usize>],
) -> Result<(), DomainError> {
    if answers.len() != questions.len() {
        return Err(DomainError::invalid(
            "attributes",
            "one answer per question",
        ));
    }
    for (q, a) in questions.iter().zip(answers) {
        if let Some(a) = a
            && *a >= q.options.len()
        {
            return Err(DomainError::invalid(
                "attributes",
                format!("'{}' has no option {a}", q.label),
            ));
        }
    }
    Ok(())
}

/// Votes of one option's participants on one statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub agree: i64,
    pub disagree: i64,
    pub pass: i64,
}

impl Tally {
    pub fn voters(&self) -> i64 {
        self.agree + self.disagree + self.pass
    }

    /// Share of the voters who agreed.
    pub fn agree_share(&self) -> f64 {
        if self.voters() == 0 {
            0.0
        } else {
            self.agree as f64 / self.voters() as f64
        }
    }
}

/// What the store counted for one question (before suppression), per option number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionCounts {
    /// Participants who picked the option.
    pub declared: BTreeMap<usize, i64>,
    /// Participants who picked the option, per opinion group (clustered ones only).
    pub by_group: BTreeMap<usize, BTreeMap<u32, i64>>,
    /// Votes of those who picked the option, per statement number.
    pub votes: BTreeMap<usize, BTreeMap<i64, Tally>>,
}

/// One option as the report may show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionReport {
    pub option: String,
    /// How many picked it; None when fewer than [`SMALL_CELL`] (then nothing else is shown).
    pub participants: Option<i64>,
    /// Their split over the opinion groups (group id, participants); None when any group holds
    /// 1 to 4 of them or none of them is clustered.
    pub groups: Option<Vec<(u32, i64)>>,
    /// Their votes per statement, only statements at least [`SMALL_CELL`] of them voted on.
    pub statements: BTreeMap<i64, Tally>,
}

/// One question as the report may show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionReport {
    pub label: String,
    pub options: Vec<OptionReport>,
}

/// The whole conversation's counts the report is read next to (shown elsewhere on the page):
/// participants, voters per statement, participants per opinion group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub participants: i64,
    pub voters: BTreeMap<i64, i64>,
    pub groups: BTreeMap<u32, i64>,
}

/// Drops the smallest of `shown` (by `size`, the later option first on ties) while the people
/// left over, `total` minus the shown ones, are 1 to 4: a reader subtracting from the total must
/// not find a small cell either.
fn complement(shown: &mut Vec<usize>, total: i64, size: impl Fn(usize) -> i64) {
    loop {
        let rest = total - shown.iter().map(|&o| size(o)).sum::<i64>();
        if rest <= 0 || rest >= SMALL_CELL || shown.is_empty() {
            return;
        }
        let smallest = shown
            .iter()
            .enumerate()
            .min_by_key(|(_, o)| (size(**o), std::cmp::Reverse(**o)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        shown.remove(smallest);
    }
}

/// Applies the small-cell rules to what the store counted (see the module's documentation):
/// first every cell under [`SMALL_CELL`], then, against `totals`, the smallest shown cells
/// until what a reader could get by subtraction is 0 or at least [`SMALL_CELL`] — per
/// question (participants), per statement (voters) and per opinion group (group splits).
pub fn inclusion_report(
    questions: &[AttributeQuestion],
    counts: &[QuestionCounts],
    totals: &Totals,
) -> Vec<QuestionReport> {
    let empty = QuestionCounts::default();
    questions
        .iter()
        .enumerate()
        .map(|(qi, q)| {
            let c = counts.get(qi).unwrap_or(&empty);
            let declared = |o: usize| c.declared.get(&o).copied().unwrap_or(0);
            let mut shown: Vec<usize> = (0..q.options.len())
                .filter(|&o| declared(o) >= SMALL_CELL)
                .collect();
            complement(&mut shown, totals.participants, declared);

            // Statements: per statement, the options with enough voters, then complemented.
            let tally = |o: usize, s: i64| {
                c.votes
                    .get(&o)
                    .and_then(|m| m.get(&s))
                    .copied()
                    .unwrap_or_default()
            };
            let mut statements: BTreeMap<usize, BTreeMap<i64, Tally>> = BTreeMap::new();
            let numbers: std::collections::BTreeSet<i64> = shown
                .iter()
                .filter_map(|o| c.votes.get(o))
                .flat_map(|m| m.keys().copied())
                .collect();
            for s in numbers {
                let mut with: Vec<usize> = shown
                    .iter()
                    .copied()
                    .filter(|&o| tally(o, s).voters() >= SMALL_CELL)
                    .collect();
                let total = totals.voters.get(&s).copied().unwrap_or(0);
                complement(&mut with, total, |o| tally(o, s).voters());
                for o in with {
                    statements.entry(o).or_default().insert(s, tally(o, s));
                }
            }

            // Group splits: none with a cell of 1 to 4, then per group complemented.
            let split = |o: usize, g: u32| {
                c.by_group
                    .get(&o)
                    .and_then(|m| m.get(&g))
                    .copied()
                    .unwrap_or(0)
            };
            let mut splits: Vec<usize> = shown
                .iter()
                .copied()
                .filter(|o| {
                    c.by_group.get(o).is_some_and(|g| {
                        g.values().any(|&v| v > 0) && !g.values().any(|&v| v > 0 && v < SMALL_CELL)
                    })
                })
                .collect();
            loop {
                let before = splits.len();
                for (&g, &size) in &totals.groups {
                    complement(&mut splits, size, |o| split(o, g));
                }
                if splits.len() == before {
                    break;
                }
            }

            let options = q
                .options
                .iter()
                .enumerate()
                .map(|(o, label)| {
                    if !shown.contains(&o) {
                        return OptionReport {
                            option: label.clone(),
                            participants: None,
                            groups: None,
                            statements: BTreeMap::new(),
                        };
                    }
                    OptionReport {
                        option: label.clone(),
                        participants: Some(declared(o)),
                        groups: splits.contains(&o).then(|| {
                            c.by_group
                                .get(&o)
                                .map(|g| g.iter().map(|(k, v)| (*k, *v)).collect())
                                .unwrap_or_default()
                        }),
                        statements: statements.remove(&o).unwrap_or_default(),
                    }
                })
                .collect();
            QuestionReport {
                label: q.label.clone(),
                options,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_read_from_lines_and_checked() {
        let qs = parse_question_lines(
            "Gender: women | men | other\n\n  Displaced :yes|no  \nAge band: under 25 | 25–40 | over 40",
        )
        .expect("parses");
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[1].label, "Displaced");
        assert_eq!(qs[1].options, vec!["yes", "no"]);
        assert_eq!(parse_question_lines(&question_lines(&qs)).unwrap(), qs);
        for (bad, says) in [
            ("Gender women | men", "no ':'"),
            ("Gender: women", "2 to 12 options"),
            ("Gender: women | Women", "twice"),
            ("Gender: a | b\ngender: c | d", "asked twice"),
            (": a | b", "needs a label"),
        ] {
            let e = parse_question_lines(bad).expect_err(bad).to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let seven = (0..7).map(|i| format!("Q{i}: a | b\n")).collect::<String>();
        assert!(parse_question_lines(&seven).is_err());
        assert!(parse_question_lines("").unwrap().is_empty());
    }

    #[test]
    fn answers_must_name_an_offered_option() {
        let qs = parse_question_lines("Gender: women | men\nDisplaced: yes | no").unwrap();
        assert!(check_answers(&qs, &[Some(0), None]).is_ok());
        assert!(check_answers(&qs, &[Some(2), None]).is_err());
        assert!(check_answers(&qs, &[Some(0)]).is_err());
    }

    #[test]
    fn small_cells_are_not_shown() {
        let qs = parse_question_lines("Gender: women | men | other").unwrap();
        let mut c = QuestionCounts::default();
        c.declared.insert(0, 12);
        c.declared.insert(1, 4);
        c.by_group.insert(0, BTreeMap::from([(0, 7), (1, 5)]));
        c.by_group.insert(1, BTreeMap::from([(0, 4)]));
        let t = |a, d, p| Tally {
            agree: a,
            disagree: d,
            pass: p,
        };
        c.votes
            .insert(0, BTreeMap::from([(0, t(6, 3, 1)), (1, t(2, 1, 1))]));
        c.votes.insert(1, BTreeMap::from([(0, t(4, 0, 0))]));
        // 20 participants: 12 women, 4 men, 4 who did not answer (so the rest is 8, not small).
        let totals = Totals {
            participants: 20,
            voters: BTreeMap::from([(0, 18), (1, 9)]),
            groups: BTreeMap::from([(0, 12), (1, 10)]),
        };
        let r = inclusion_report(&qs, &[c.clone()], &totals);
        let women = &r[0].options[0];
        assert_eq!(women.participants, Some(12));
        assert_eq!(women.groups, Some(vec![(0, 7), (1, 5)]));
        assert_eq!(women.statements.len(), 1, "statement 1 had 4 voters");
        assert!((women.statements[&0].agree_share() - 0.6).abs() < 1e-12);
        let men = &r[0].options[1];
        assert_eq!(men.participants, None);
        assert!(men.groups.is_none() && men.statements.is_empty());
        assert_eq!(r[0].options[2].participants, None);
        // One small group cell hides the whole split of that option.
        c.by_group
            .insert(0, BTreeMap::from([(0, 8), (1, 3), (2, 1)]));
        let r = inclusion_report(&qs, &[c.clone()], &totals);
        assert_eq!(r[0].options[0].participants, Some(12));
        assert!(r[0].options[0].groups.is_none());
    }

    #[test]
    fn what_subtraction_from_the_totals_would_give_is_not_small_either() {
        let qs = parse_question_lines("Gender: women | men").unwrap();
        let t = |a, d, p| Tally {
            agree: a,
            disagree: d,
            pass: p,
        };
        let mut c = QuestionCounts::default();
        c.declared.insert(0, 12);
        c.declared.insert(1, 6);
        c.by_group.insert(0, BTreeMap::from([(0, 7), (1, 5)]));
        c.by_group.insert(1, BTreeMap::from([(0, 6)]));
        c.votes.insert(0, BTreeMap::from([(0, t(6, 3, 1))]));
        c.votes.insert(1, BTreeMap::from([(0, t(3, 2, 1))]));
        let totals = |participants, voters, g0, g1| Totals {
            participants,
            voters: BTreeMap::from([(0, voters)]),
            groups: BTreeMap::from([(0, g0), (1, g1)]),
        };
        // Everyone answered: nothing is left over, both show.
        let r = inclusion_report(&qs, &[c.clone()], &totals(18, 16, 13, 5));
        assert_eq!(r[0].options[0].participants, Some(12));
        assert_eq!(r[0].options[1].participants, Some(6));
        assert_eq!(r[0].options[0].statements.len(), 1);
        assert!(r[0].options[0].groups.is_some() && r[0].options[1].groups.is_some());
        // Three did not answer: total − women − men = 3 would be a small cell, so the smaller
        // option goes (the rest is then 9), and with it its votes and split.
        let r = inclusion_report(&qs, &[c.clone()], &totals(21, 19, 16, 5));
        assert_eq!(r[0].options[0].participants, Some(12));
        assert_eq!(r[0].options[1].participants, None);
        assert!(r[0].options[1].statements.is_empty() && r[0].options[1].groups.is_none());
        // Statement 0 had 18 voters: 10 women + 6 men leave 2 — the men's tally goes; with
        // the men hidden too, the women's 10 leave 8 and stay.
        let r = inclusion_report(&qs, &[c.clone()], &totals(18, 18, 13, 5));
        assert_eq!(r[0].options[1].participants, Some(6));
        assert!(r[0].options[1].statements.is_empty());
        assert_eq!(r[0].options[0].statements.len(), 1);
        // Group 0 holds 16: 7 women + 6 men leave 3 — the smaller split (men) goes, then the
        // women's 7 leave 9 in group 0; group 1 holds 5 = the women's 5.
        let r = inclusion_report(&qs, &[c], &totals(18, 16, 16, 5));
        assert!(r[0].options[1].groups.is_none());
        assert!(r[0].options[0].groups.is_some());
    }
}
