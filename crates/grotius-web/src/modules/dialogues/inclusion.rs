//! The inclusion section of a conversation's results: per self-declared attribute, how many
//! picked each option, how they fall over the opinion groups, and how they voted on the
//! statements the groups most agree and most differ on — small cells already cut by the store
//! (`grotius_domain::dialogue_attributes`), shown here as "fewer than 5".

use grotius_analysis::dialogue::DialogueResult;
use grotius_domain::dialogue::DialogueStatement;
use grotius_domain::dialogue_attributes::{QuestionReport, SMALL_CELL};
use maud::{Markup, html};

use crate::i18n::{Lang, t};

/// At most this many statements per attribute table.
const ROWS: usize = 12;

/// The statements to show: the group-informed consensus leaders and the most divisive ones,
/// alternating, without repeats; by number when there are no groups yet.
fn statements(r: Option<&DialogueResult>, st: &[DialogueStatement]) -> Vec<i64> {
    let Some(r) = r.filter(|r| r.groups.len() >= 2) else {
        return st
            .iter()
            .filter(|s| !s.meta)
            .map(|s| s.number)
            .take(ROWS)
            .collect();
    };
    let shown: Vec<_> = r
        .statements
        .iter()
        .filter(|s| !s.moderated_out && s.tally.seen > 0)
        .collect();
    let mut consensus = shown.clone();
    consensus.sort_by(|a, b| {
        b.group_consensus_normalised
            .total_cmp(&a.group_consensus_normalised)
            .then(a.statement.cmp(&b.statement))
    });
    let mut divisive = shown;
    divisive.sort_by(|a, b| {
        b.divisiveness
            .total_cmp(&a.divisiveness)
            .then(a.statement.cmp(&b.statement))
    });
    let mut out: Vec<i64> = Vec::new();
    for (c, d) in consensus.iter().zip(divisive.iter()) {
        for s in [c.statement as i64, d.statement as i64] {
            if out.len() < ROWS && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn text(st: &[DialogueStatement], n: i64) -> &str {
    st.iter()
        .find(|s| s.number == n)
        .map(|s| s.body.as_str())
        .unwrap_or("?")
}

pub(crate) fn section(
    l: Lang,
    report: &[QuestionReport],
    r: Option<&DialogueResult>,
    st: &[DialogueStatement],
) -> Markup {
    let rows = statements(r, st);
    let few = format!("{} {SMALL_CELL}", t(l, "dlg.inclusion.few"));
    html! {
        h2 #inclusion { (t(l, "dlg.inclusion")) }
        p.hint { (t(l, "dlg.inclusion.desc")) }
        @for q in report {
            section.inclusion {
                h3 { (q.label) }
                table {
                    thead { tr {
                        th scope="col" { (t(l, "dlg.inclusion.option")) }
                        th scope="col" { (t(l, "dlg.participants")) }
                        th scope="col" { (t(l, "dlg.inclusion.groups")) }
                    } }
                    tbody { @for o in &q.options { tr {
                        th scope="row" { (o.option) }
                        @match o.participants {
                            None => { td.muted colspan="2" { (few) } }
                            Some(n) => {
                                td.num { (n) }
                                td { @match &o.groups {
                                    Some(gs) => { (gs.iter().map(|(g, n)| format!("{} {}: {n}", t(l, "dlg.group"), char::from(b'A' + (*g % 26) as u8))).collect::<Vec<_>>().join(" · ")) }
                                    None => span.muted { (t(l, "dlg.inclusion.split.hidden")) },
                                } }
                            }
                        }
                    } } }
                }
                @let shown: Vec<_> = q.options.iter().filter(|o| o.participants.is_some()).collect();
                @if !shown.is_empty() && !rows.is_empty() {
                    table {
                        caption { (t(l, "dlg.inclusion.agree")) }
                        thead { tr {
                            th scope="col" { (t(l, "dlg.statement")) }
                            @for o in &shown { th scope="col" { (o.option) } }
                        } }
                        tbody { @for s in &rows { tr {
                            td { (text(st, *s)) }
                            @for o in &shown { @match o.statements.get(s) {
                                Some(tally) => td.num { (format!("{:.0} %", 100.0 * tally.agree_share())) " " span.hint { "(" (tally.voters()) ")" } },
                                None => td.muted { "—" },
                            } }
                        } } }
                    }
                }
            }
        }
    }
}
