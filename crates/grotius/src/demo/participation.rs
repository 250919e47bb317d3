//! Demo participation records (WPS) for every demo process: fictional but plausible — few women
//! among signatories and heads of delegation, more among advisers and observers, civil-society
//! tracks more balanced than Track I, and some sex not recorded.

use anyhow::Result;
use grotius_domain::participation::ParticipationInput;
use grotius_store::Access;

/// The records, one tab-separated row each: process title prefix, round, round date, role, sex
/// (F, M, ? = not recorded), seniority, party, count. A data file, not code: 148 rows.
const RECORDS: &str = include_str!("participation.tsv");

/// One row of `participation.tsv`.
struct Rec<'a> {
    title_prefix: &'a str,
    round: &'a str,
    date: &'a str,
    role: &'a str,
    sex: &'a str,
    seniority: &'a str,
    party: &'a str,
    count: i64,
}

fn records() -> Result<Vec<Rec<'static>>> {
    let mut out = Vec::new();
    for (n, line) in RECORDS.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let [
            title_prefix,
            round,
            date,
            role,
            sex,
            seniority,
            party,
            count,
        ] = f[..]
        else {
            anyhow::bail!("participation.tsv line {}: expected 8 columns", n + 1);
        };
        out.push(Rec {
            title_prefix,
            round,
            date,
            role,
            sex: match sex {
                "F" => "female",
                "M" => "male",
                "?" => "not-recorded",
                other => anyhow::bail!("participation.tsv line {}: sex {other:?}", n + 1),
            },
            seniority,
            party,
            count: count.parse()?,
        });
    }
    Ok(out)
}

/// Records participation for every demo process that has none yet (idempotent).
pub async fn seed(coordinator: &Access) -> Result<()> {
    let records = records()?;
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    for p in processes.items {
        let Some(prefix) = records
            .iter()
            .map(|r| r.title_prefix)
            .find(|prefix| p.title.starts_with(prefix))
        else {
            continue;
        };
        if !coordinator
            .list_participation(&p.id, None)
            .await?
            .is_empty()
        {
            continue;
        }
        for r in records.iter().filter(|r| r.title_prefix == prefix) {
            coordinator
                .create_participation(
                    &p.id,
                    &ParticipationInput {
                        role: r.role.into(),
                        sex: r.sex.into(),
                        seniority: r.seniority.into(),
                        party: r.party.into(),
                        actor_id: None,
                        round: r.round.into(),
                        date: (!r.date.is_empty()).then(|| r.date.to_string()),
                        count: r.count,
                        classification: p.labels.classification.as_str().into(),
                        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
                    },
                )
                .await?;
        }
    }
    Ok(())
}
