//! Demo fund: two instruments with budgets and ceilings, about forty applications in every state
//! of both tracks, commitments and payments in EUR and USD, some linked to confidential
//! processes. Everything goes through the store's ordinary paths (workflow, four-eyes, ledger).

use super::act_as;
use anyhow::{Context, Result};
use grotius_domain::fund::{ApplicationInput, InstrumentInput};
use grotius_store::{Access, PaymentInput, Store};

/// (partner, title, process title prefix, countries, themes, currency, amount, rate, months,
///  start, gender marker, target state, excluded-from-publication reason)
type Demo = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const APPLICATIONS: &[Demo] = &[
    (
        "Horn Peace Forum",
        "Ceasefire monitoring workshop for the Jeddah format",
        "Sudan: ceasefire",
        &["SD"],
        &["rule-of-law"],
        "EUR",
        "85000.00",
        "",
        6,
        "2026-02-01",
        "1",
        "approved",
        "Security of participants",
    ),
    (
        "Horn Peace Forum",
        "Back-channel logistics, second round",
        "Sudan: ceasefire",
        &["SD"],
        &[],
        "EUR",
        "60000.00",
        "",
        4,
        "2026-05-01",
        "0",
        "submitted",
        "",
    ),
    (
        "Women Mediators Collective",
        "Women's delegation preparatory meetings",
        "Sudan: civilian",
        &["SD"],
        &["wps"],
        "EUR",
        "45000.00",
        "",
        6,
        "2026-01-15",
        "2",
        "approved",
        "",
    ),
    (
        "Women Mediators Collective",
        "Civilian front consultations in three states",
        "Sudan: civilian",
        &["SD"],
        &["wps", "rule-of-law"],
        "EUR",
        "240000.00",
        "",
        12,
        "2026-03-01",
        "2",
        "committee",
        "",
    ),
    (
        "Nile Basin Dialogue Network",
        "Technical track on dam filling rules",
        "Nile basin",
        &["EG", "ET", "SD"],
        &["water"],
        "USD",
        "150000.00",
        "0.92",
        12,
        "2026-02-15",
        "1",
        "approved",
        "Negotiation position of the parties",
    ),
    (
        "Nile Basin Dialogue Network",
        "Hydrological data sharing pilot",
        "Nile basin",
        &["ET", "SD"],
        &["water"],
        "USD",
        "125000.00",
        "0.92",
        9,
        "2026-06-01",
        "1",
        "appraisal",
        "",
    ),
    (
        "Gulf Track II Platform",
        "Taiz road access working group",
        "Yemen: Taiz",
        &["YE"],
        &["water"],
        "USD",
        "70000.00",
        "0.93",
        6,
        "2026-01-10",
        "1",
        "closed",
        "",
    ),
    (
        "Gulf Track II Platform",
        "Detainee lists verification support",
        "Yemen: detainee",
        &["YE"],
        &["rule-of-law"],
        "USD",
        "120000.00",
        "0.93",
        6,
        "2026-04-01",
        "0",
        "approved",
        "Protection of detainees and families",
    ),
    (
        "Andean Reconciliation Trust",
        "Victims' participation in the talks",
        "Colombia",
        &["CO"],
        &["rule-of-law", "wps"],
        "EUR",
        "310000.00",
        "",
        18,
        "2026-01-01",
        "2",
        "approved",
        "",
    ),
    (
        "Andean Reconciliation Trust",
        "Regional hearings on transitional justice",
        "Colombia",
        &["CO"],
        &["rule-of-law"],
        "EUR",
        "180000.00",
        "",
        12,
        "2026-07-01",
        "1",
        "review",
        "",
    ),
    (
        "Cabo Delgado Community Council",
        "Community dialogue facilitators",
        "Mozambique",
        &["MZ"],
        &["mhpss"],
        "EUR",
        "55000.00",
        "",
        8,
        "2026-03-15",
        "1",
        "approved",
        "",
    ),
    (
        "Cabo Delgado Community Council",
        "Psychosocial support for returnees' committees",
        "Mozambique",
        &["MZ"],
        &["mhpss"],
        "EUR",
        "40000.00",
        "",
        6,
        "2026-08-01",
        "1",
        "draft",
        "",
    ),
    (
        "Sahel Dialogue Initiative",
        "Herder-farmer mediation committees",
        "Central Sahel",
        &["ML", "BF", "NE"],
        &["rule-of-law"],
        "EUR",
        "90000.00",
        "",
        10,
        "2026-02-01",
        "1",
        "approved",
        "",
    ),
    (
        "Sahel Dialogue Initiative",
        "Radio programme on local agreements",
        "Central Sahel",
        &["BF"],
        &["innovation"],
        "EUR",
        "30000.00",
        "",
        6,
        "2026-09-01",
        "1",
        "submitted",
        "",
    ),
    (
        "Sahel Dialogue Initiative",
        "Women's peace huts in Mopti",
        "Central Sahel",
        &["ML"],
        &["wps"],
        "EUR",
        "25000.00",
        "",
        6,
        "2026-10-01",
        "2",
        "draft",
        "",
    ),
    (
        "Black Sea Maritime Group",
        "Technical experts for grain corridor talks",
        "Black Sea",
        &["UA", "TR"],
        &[],
        "EUR",
        "200000.00",
        "",
        6,
        "2026-02-01",
        "0",
        "rejected",
        "",
    ),
    (
        "Myanmar Women's Network",
        "Coaching for women mediators",
        "Myanmar",
        &["MM"],
        &["wps"],
        "USD",
        "65000.00",
        "0.92",
        12,
        "2026-01-20",
        "2",
        "approved",
        "Safety of the mediators",
    ),
    (
        "Myanmar Women's Network",
        "Online dialogue platform pilot",
        "Myanmar",
        &["MM"],
        &["innovation", "wps"],
        "USD",
        "48000.00",
        "0.92",
        6,
        "2026-05-15",
        "2",
        "withdrawn",
        "",
    ),
    (
        "South Sudan Church Council",
        "Local peace conferences in Jonglei",
        "South Sudan",
        &["SS"],
        &["rule-of-law"],
        "EUR",
        "75000.00",
        "",
        6,
        "2026-02-10",
        "1",
        "approved",
        "",
    ),
    (
        "South Sudan Church Council",
        "Security arrangements workshop",
        "South Sudan",
        &["SS"],
        &[],
        "EUR",
        "150000.00",
        "",
        9,
        "2026-04-10",
        "0",
        "rejected",
        "",
    ),
    (
        "Horn Peace Forum",
        "Cross-line humanitarian access talks",
        "Sudan: ceasefire",
        &["SD"],
        &["rule-of-law"],
        "EUR",
        "95000.00",
        "",
        4,
        "2026-06-15",
        "1",
        "rejected",
        "",
    ),
    (
        "Gulf Track II Platform",
        "Water truck access agreement follow-up",
        "Yemen: Taiz",
        &["YE"],
        &["water"],
        "EUR",
        "35000.00",
        "",
        4,
        "2026-09-01",
        "1",
        "draft",
        "",
    ),
    (
        "Andean Reconciliation Trust",
        "Ceasefire verification mechanism design",
        "Colombia",
        &["CO"],
        &[],
        "EUR",
        "260000.00",
        "",
        12,
        "2026-03-01",
        "0",
        "approved",
        "",
    ),
    (
        "Nile Basin Dialogue Network",
        "Youth water ambassadors",
        "Nile basin",
        &["EG", "ET", "SD"],
        &["water"],
        "EUR",
        "28000.00",
        "",
        6,
        "2026-10-01",
        "1",
        "submitted",
        "",
    ),
    (
        "Women Mediators Collective",
        "Regional network meeting in Nairobi",
        "",
        &["KE", "SD", "SS"],
        &["wps"],
        "EUR",
        "38000.00",
        "",
        3,
        "2026-04-01",
        "2",
        "closed",
        "",
    ),
    (
        "Lake Chad Peace Council",
        "Community reintegration dialogues",
        "",
        &["NG", "TD", "CM"],
        &["rule-of-law"],
        "EUR",
        "82000.00",
        "",
        9,
        "2026-02-01",
        "1",
        "approved",
        "",
    ),
    (
        "Lake Chad Peace Council",
        "Early warning committees",
        "",
        &["TD"],
        &["innovation"],
        "EUR",
        "144000.00",
        "",
        6,
        "2026-07-01",
        "1",
        "appraisal",
        "",
    ),
    (
        "Caucasus Dialogue Centre",
        "Track II meetings on missing persons",
        "",
        &["AM", "AZ"],
        &["rule-of-law"],
        "EUR",
        "120000.00",
        "",
        12,
        "2026-03-01",
        "0",
        "approved",
        "Sensitivity of the track II channel",
    ),
    (
        "Caucasus Dialogue Centre",
        "Border villages water sharing",
        "",
        &["AM", "AZ"],
        &["water"],
        "EUR",
        "52000.00",
        "",
        8,
        "2026-08-01",
        "1",
        "submitted",
        "",
    ),
    (
        "Great Lakes Mediation Hub",
        "Support to the Nairobi process",
        "",
        &["CD"],
        &[],
        "USD",
        "210000.00",
        "0.93",
        12,
        "2026-02-01",
        "1",
        "approved",
        "",
    ),
    (
        "Great Lakes Mediation Hub",
        "Women's caucus in eastern DRC",
        "",
        &["CD"],
        &["wps"],
        "USD",
        "160000.00",
        "0.93",
        6,
        "2026-05-01",
        "2",
        "committee",
        "",
    ),
    (
        "Sahel Dialogue Initiative",
        "Mediation training for local leaders",
        "Central Sahel",
        &["NE"],
        &["rule-of-law"],
        "EUR",
        "33000.00",
        "",
        5,
        "2025-09-01",
        "1",
        "closed",
        "",
    ),
    (
        "Horn Peace Forum",
        "Somali region clan elders dialogue",
        "",
        &["SO"],
        &["rule-of-law"],
        "EUR",
        "68000.00",
        "",
        6,
        "2025-06-01",
        "1",
        "closed",
        "",
    ),
    (
        "Andean Reconciliation Trust",
        "Indigenous consultation protocol",
        "Colombia",
        &["CO"],
        &["rule-of-law"],
        "EUR",
        "47000.00",
        "",
        6,
        "2025-10-01",
        "1",
        "approved",
        "",
    ),
    (
        "Gulf Track II Platform",
        "Humanitarian truce talks logistics",
        "",
        &["YE"],
        &[],
        "USD",
        "99000.00",
        "0.94",
        3,
        "2025-11-01",
        "0",
        "rejected",
        "",
    ),
    (
        "Myanmar Women's Network",
        "Documentation of women's roles in ceasefires",
        "Myanmar",
        &["MM"],
        &["wps"],
        "EUR",
        "29000.00",
        "",
        6,
        "2025-08-01",
        "2",
        "approved",
        "",
    ),
    (
        "South Sudan Church Council",
        "Youth dialogue in Upper Nile",
        "South Sudan",
        &["SS"],
        &["mhpss"],
        "EUR",
        "41000.00",
        "",
        6,
        "2026-11-01",
        "1",
        "draft",
        "",
    ),
    (
        "Great Lakes Mediation Hub",
        "Cross-border traders' peace committees",
        "",
        &["CD", "RW"],
        &["rule-of-law"],
        "EUR",
        "150000.00",
        "",
        12,
        "2026-09-01",
        "1",
        "appraisal",
        "",
    ),
    (
        "Black Sea Maritime Group",
        "Port authorities' contact group",
        "Black Sea",
        &["UA", "TR"],
        &[],
        "EUR",
        "90000.00",
        "",
        6,
        "2026-06-01",
        "0",
        "approved",
        "",
    ),
    (
        "Nile Basin Dialogue Network",
        "Drought contingency protocol",
        "Nile basin",
        &["SD", "SS"],
        &["water"],
        "EUR",
        "110000.00",
        "",
        9,
        "2026-04-01",
        "1",
        "review",
        "",
    ),
];

/// The path each target state takes on each track.
fn path(track: &str, target: &str) -> Vec<&'static str> {
    let standard = ["submitted", "appraisal", "review", "committee"];
    let fast = ["submitted"];
    let before: &[&str] = if track == "fast" { &fast } else { &standard };
    match target {
        "draft" => vec![],
        "withdrawn" => vec!["withdrawn"],
        "submitted" => vec!["submitted"],
        "appraisal" | "review" | "committee" => {
            let n = standard.iter().position(|s| *s == target).unwrap_or(0);
            standard[..=n].to_vec()
        }
        "approved" | "rejected" => {
            let mut v = before.to_vec();
            v.push(if target == "approved" {
                "approved"
            } else {
                "rejected"
            });
            v
        }
        "closed" => {
            let mut v = before.to_vec();
            v.extend(["approved", "closed"]);
            v
        }
        _ => vec![],
    }
}

pub async fn seed(store: &Store) -> Result<()> {
    let officer = act_as(store, "fund-officer").await?;
    if officer
        .list_instruments()
        .await?
        .iter()
        .any(|i| i.code == "FMF")
    {
        return Ok(());
    }
    // The fund officer handling the Horn of Africa and Latin America files is cleared for
    // confidential material and read into those compartments.
    let op = store.cli_operator();
    let officer_id = op.find_user_id("fund-officer").await?;
    op.update_user(
        &officer_id,
        &grotius_store::UserUpdate {
            clearance: Some(grotius_domain::Classification::Confidential),
            ..Default::default()
        },
    )
    .await?;
    for c in ["horn-of-africa", "latam"] {
        op.add_member(
            c,
            &officer_id,
            "demo: fund officer for grants linked to this file",
        )
        .await?;
    }
    let officer = act_as(store, "fund-officer").await?;
    let approver = act_as(store, "fund-approver").await?;
    let controller = act_as(store, "controller").await?;
    let partner = act_as(store, "partner").await?;

    let fmf = officer
        .create_instrument(&InstrumentInput {
            code: "FMF".into(),
            name: "Flexible Mediation Fund".into(),
            oda: true,
            max_months: 24,
            grant_ceiling: "500000.00".into(),
            fast_track_threshold: "100000.00".into(),
            fast_target_days: 10,
            standard_target_days: 15,
        })
        .await?;
    let t2 = officer
        .create_instrument(&InstrumentInput {
            code: "T2D".into(),
            name: "Track II Dialogue Facility".into(),
            oda: false,
            max_months: 12,
            grant_ceiling: "250000.00".into(),
            fast_track_threshold: "50000.00".into(),
            fast_target_days: 5,
            standard_target_days: 15,
        })
        .await?;
    for (year, fmf_budget, t2_budget) in [
        (2025, "1500000.00", "600000.00"),
        (2026, "3000000.00", "1200000.00"),
    ] {
        officer
            .set_ceiling(&fmf.id, year, "budget", "", fmf_budget)
            .await?;
        officer
            .set_ceiling(&t2.id, year, "budget", "", t2_budget)
            .await?;
    }
    officer
        .set_ceiling(&fmf.id, 2026, "country", "SD", "600000.00")
        .await?;
    officer
        .set_ceiling(&fmf.id, 2026, "theme", "wps", "800000.00")
        .await?;

    let processes = officer.list_processes(&Default::default(), 500, 0).await?;
    for (i, d) in APPLICATIONS.iter().enumerate() {
        let (
            partner_org,
            title,
            process,
            countries,
            themes,
            currency,
            amount,
            rate,
            months,
            start,
            gender,
            target,
            excluded,
        ) = *d;
        // Partners do not see the unit's processes: their own applications carry no link.
        let process_ids: Vec<String> =
            if process.is_empty() || partner_org == "Sahel Dialogue Initiative" {
                Vec::new()
            } else {
                processes
                    .items
                    .iter()
                    .filter(|p| p.title.starts_with(process))
                    .map(|p| p.id.clone())
                    .take(1)
                    .collect()
            };
        // Track II meetings and the Caucasus and Great Lakes files go through the facility.
        let instrument = if matches!(
            partner_org,
            "Gulf Track II Platform" | "Caucasus Dialogue Centre" | "Black Sea Maritime Group"
        ) {
            &t2.id
        } else {
            &fmf.id
        };
        let input = ApplicationInput {
            instrument_id: instrument.clone(),
            title: title.into(),
            partner: partner_org.into(),
            process_ids,
            currency: currency.into(),
            amount: amount.into(),
            rate: rate.into(),
            start_date: start.into(),
            months,
            why_now: format!("{title}: the parties agreed to meet and a window is open now; delay would lose the momentum."),
            risk_note: "Travel of participants and confidentiality of the meetings; mitigated by the partner's security protocol.".into(),
            purpose_code: if themes.contains(&"water") { "14015".into() } else { "15220".into() },
            gender_marker: gender.into(),
            themes: themes.iter().map(|s| s.to_string()).collect(),
            countries: countries.iter().map(|s| s.to_string()).collect(),
            exclude_from_publication: !excluded.is_empty(),
            exclusion_reason: excluded.into(),
            classification: if partner_org == "Sahel Dialogue Initiative" { "public".into() } else { "internal".into() },
            compartment: None,
        };
        // The demo partner files its own; the fund officer files for the others.
        let preparer = if partner_org == "Sahel Dialogue Initiative" {
            &partner
        } else {
            &officer
        };
        let a = preparer
            .create_application(&input)
            .await
            .with_context(|| format!("demo application {i}: {title}"))?;
        for to in path(&a.track, target) {
            let who = match to {
                "submitted" | "withdrawn" => preparer,
                "appraisal" | "review" => &officer,
                "committee" => &controller,
                "approved" | "rejected" => &approver,
                _ => &controller,
            };
            if to == "closed" {
                pay(&controller, &a.id, &a.currency, amount, rate, 1, 1).await?;
            }
            who.transition_application(&a.id, to, "")
                .await
                .with_context(|| format!("demo application {title}: to {to}"))?;
        }
        if target == "approved" {
            // A first tranche paid on most approved grants.
            if i % 3 != 0 {
                pay(&controller, &a.id, &a.currency, amount, rate, 1, 2).await?;
            }
        }
    }
    Ok(())
}

/// Pays `num/den` of the amount as a disbursement (value date in the grant's year).
async fn pay(
    controller: &Access,
    id: &str,
    currency: &str,
    amount: &str,
    rate: &str,
    num: i64,
    den: i64,
) -> Result<()> {
    let minor = grotius_domain::fund::parse_amount(amount, currency, "amount")?;
    let part = minor * num / den;
    controller
        .record_payment(
            id,
            &PaymentInput {
                kind: "disbursement".into(),
                currency: currency.into(),
                amount: grotius_domain::fund::format_amount(part, currency),
                rate: rate.into(),
                value_date: "2026-03-01".into(),
                memo: if num == den {
                    "final payment".into()
                } else {
                    "first tranche".into()
                },
            },
        )
        .await?;
    Ok(())
}
