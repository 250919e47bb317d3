//! A conversation's report beyond the groups: participation over time (joins, votes cast,
//! participants' statements per day) and the results as one XLSX workbook (statements with
//! their tallies and group rates, groups with their representative statements, participation
//! over time, agreement per self-declared attribute with small cells already cut).

use std::collections::BTreeMap;

use grotius_domain::roster::civil_from_days;
use grotius_domain::{Action, Resource, ResourceKind};
use sqlx::Row;

use crate::{Access, Result, StoreError};

/// One day of a conversation (UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub joins: i64,
    /// Votes cast that day, changed votes included (the earlier vote counts on its own day).
    pub votes: i64,
    /// Statements participants submitted that day.
    pub statements: i64,
}

/// Which count of a day a query adds to.
type Counter = fn(&mut ActivityDay) -> &mut i64;

impl Access {
    /// Participation over time, per UTC day with any activity (days are Unix microseconds /
    /// 86,400,000,000), oldest first.
    /// (The dialogue was read and authorised by the caller: see `dialogue_results`.)
    pub(crate) async fn activity_of(&self, id: &str) -> Result<Vec<ActivityDay>> {
        let mut days: BTreeMap<i64, ActivityDay> = BTreeMap::new();
        let queries: [(&str, Counter); 4] = [
            (
                "SELECT joined_at / 86400000000 AS d, COUNT(*) AS n FROM dialogue_participants
                 WHERE dialogue_id = $1 AND joined_at IS NOT NULL GROUP BY joined_at / 86400000000",
                |a| &mut a.joins,
            ),
            (
                "SELECT voted_at / 86400000000 AS d, COUNT(*) AS n FROM dialogue_votes
                 WHERE dialogue_id = $1 AND voted_at IS NOT NULL GROUP BY voted_at / 86400000000",
                |a| &mut a.votes,
            ),
            (
                "SELECT voted_at / 86400000000 AS d, COUNT(*) AS n FROM dialogue_vote_history
                 WHERE dialogue_id = $1 AND voted_at IS NOT NULL GROUP BY voted_at / 86400000000",
                |a| &mut a.votes,
            ),
            (
                "SELECT created_at / 86400000000 AS d, COUNT(*) AS n FROM dialogue_statements
                 WHERE dialogue_id = $1 AND submitted_by IS NOT NULL AND created_at IS NOT NULL
                 GROUP BY created_at / 86400000000",
                |a| &mut a.statements,
            ),
        ];
        for (sql, field) in queries {
            let rows = sqlx::query(sql)
                .bind(id)
                .fetch_all(&self.store.pool)
                .await?;
            for r in rows {
                let d: i64 = r.try_get("d")?;
                let n: i64 = r.try_get("n")?;
                *field(days.entry(d).or_default()) += n;
            }
        }
        Ok(days
            .into_iter()
            .map(|(d, mut a)| {
                a.day = civil_from_days(d);
                a
            })
            .collect())
    }

    /// The results as an XLSX workbook (Export on the dialogue, audited `dialogue.export`).
    pub async fn export_dialogue_xlsx(&self, id: &str) -> Result<Vec<u8>> {
        let data = self.dialogue_results(id).await?;
        let d = &data.dialogue;
        self.authorize(
            Action::Export,
            Resource::labelled(ResourceKind::Dialogue, &d.labels),
            Some(id),
        )
        .await?;
        let (activity, inclusion) = (&data.activity, &data.inclusion);
        let xerr =
            |e: rust_xlsxwriter::XlsxError| StoreError::Integrity(format!("XLSX export: {e}"));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let pct = rust_xlsxwriter::Format::new().set_num_format("0%");
        let text_of = |n: usize| {
            data.statements
                .iter()
                .find(|s| s.number == n as i64)
                .map(|s| s.body.as_str())
                .unwrap_or("")
        };
        let group_name = |g: u32| char::from(b'A' + (g % 26) as u8).to_string();

        // Statements.
        let ws = wb.add_worksheet();
        ws.set_name("Statements").map_err(xerr)?;
        let groups = data.results.as_ref().map(|r| r.groups.len()).unwrap_or(0);
        let mut header: Vec<String> = [
            "number",
            "statement",
            "moderation",
            "votes",
            "agree",
            "disagree",
            "pass",
            "group-informed consensus",
            "divisiveness",
        ]
        .map(String::from)
        .to_vec();
        if let Some(r) = &data.results {
            header.extend(
                r.groups
                    .iter()
                    .map(|g| format!("agree rate group {}", group_name(g.id))),
            );
        }
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(xerr)?;
        }
        for (i, s) in data.statements.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_number(row, 0, s.number as f64).map_err(xerr)?;
            ws.write_string(row, 1, &s.body).map_err(xerr)?;
            let moderation = if s.meta {
                "meta"
            } else {
                s.moderation.as_str()
            };
            ws.write_string(row, 2, moderation).map_err(xerr)?;
            let Some(r) = &data.results else { continue };
            let Some(sr) = r.statements.iter().find(|x| x.statement as i64 == s.number) else {
                continue;
            };
            let t = sr.tally;
            ws.write_number(row, 3, f64::from(t.seen)).map_err(xerr)?;
            ws.write_number(row, 4, f64::from(t.agree)).map_err(xerr)?;
            ws.write_number(row, 5, f64::from(t.disagree))
                .map_err(xerr)?;
            ws.write_number(row, 6, f64::from(t.seen - t.agree - t.disagree))
                .map_err(xerr)?;
            if groups >= 2 {
                ws.write_number(row, 7, sr.group_consensus_normalised)
                    .map_err(xerr)?;
                ws.write_number(row, 8, sr.divisiveness).map_err(xerr)?;
            }
            for (gi, rates) in r.group_agree.iter().enumerate() {
                if let Some(x) = rates.get(sr.statement) {
                    ws.write_number_with_format(row, 9 + gi as u16, *x, &pct)
                        .map_err(xerr)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;

        // Groups and their representative statements.
        let ws = wb.add_worksheet();
        ws.set_name("Groups").map_err(xerr)?;
        for (c, h) in [
            "group",
            "size",
            "statement number",
            "representative statement",
            "for",
            "rate in group",
            "votes in group",
            "ratio to the rest",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xerr)?;
        }
        let mut row = 1u32;
        if let Some(r) = &data.results {
            for g in &r.groups {
                for rep in &g.representative {
                    ws.write_string(row, 0, group_name(g.id)).map_err(xerr)?;
                    ws.write_number(row, 1, g.size as f64).map_err(xerr)?;
                    ws.write_number(row, 2, rep.statement as f64)
                        .map_err(xerr)?;
                    ws.write_string(row, 3, text_of(rep.statement))
                        .map_err(xerr)?;
                    let side = match rep.repful_for {
                        grotius_analysis::dialogue::RepfulFor::Agree => "agree",
                        grotius_analysis::dialogue::RepfulFor::Disagree => "disagree",
                    };
                    ws.write_string(row, 4, side).map_err(xerr)?;
                    ws.write_number_with_format(row, 5, rep.p_success, &pct)
                        .map_err(xerr)?;
                    ws.write_number(row, 6, f64::from(rep.n_trials))
                        .map_err(xerr)?;
                    ws.write_number(row, 7, rep.repness).map_err(xerr)?;
                    row += 1;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;

        // Participation over time.
        let ws = wb.add_worksheet();
        ws.set_name("Participation over time").map_err(xerr)?;
        for (c, h) in ["day (UTC)", "joined", "votes cast", "statements submitted"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xerr)?;
        }
        for (i, a) in activity.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &a.day).map_err(xerr)?;
            ws.write_number(row, 1, a.joins as f64).map_err(xerr)?;
            ws.write_number(row, 2, a.votes as f64).map_err(xerr)?;
            ws.write_number(row, 3, a.statements as f64).map_err(xerr)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;

        // Agreement per attribute (already cut to what may be shown).
        if !inclusion.is_empty() {
            let ws = wb.add_worksheet();
            ws.set_name("By attribute").map_err(xerr)?;
            for (c, h) in [
                "question",
                "answer",
                "participants",
                "statement number",
                "statement",
                "voters",
                "agree",
                "disagree",
                "pass",
            ]
            .iter()
            .enumerate()
            {
                ws.write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(xerr)?;
            }
            let mut row = 1u32;
            for q in inclusion {
                for o in &q.options {
                    ws.write_string(row, 0, &q.label).map_err(xerr)?;
                    ws.write_string(row, 1, &o.option).map_err(xerr)?;
                    match o.participants {
                        Some(n) => ws.write_number(row, 2, n as f64).map(|_| ()),
                        None => ws.write_string(row, 2, "fewer than 5").map(|_| ()),
                    }
                    .map_err(xerr)?;
                    row += 1;
                    for (s, t) in &o.statements {
                        ws.write_string(row, 0, &q.label).map_err(xerr)?;
                        ws.write_string(row, 1, &o.option).map_err(xerr)?;
                        ws.write_number(row, 3, *s as f64).map_err(xerr)?;
                        ws.write_string(row, 4, text_of(*s as usize))
                            .map_err(xerr)?;
                        ws.write_number(row, 5, t.voters() as f64).map_err(xerr)?;
                        ws.write_number(row, 6, t.agree as f64).map_err(xerr)?;
                        ws.write_number(row, 7, t.disagree as f64).map_err(xerr)?;
                        ws.write_number(row, 8, t.pass as f64).map_err(xerr)?;
                        row += 1;
                    }
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
        }
        let bytes = wb.save_to_buffer().map_err(xerr)?;
        let detail = serde_json::json!({"file": "results.xlsx", "bytes": bytes.len()}).to_string();
        self.audit_now("dialogue.export", "dialogue", id, "ok", &detail)
            .await?;
        Ok(bytes)
    }
}
