//! Demo conflict events: the UCDP GED 23.1 events of the Central African Republic (1,848
//! events, 1991–2022; see `data/SOURCES.md`) and UCDP's conflict lists (ACD and dyadic 25.1, so
//! the country pages of Sudan, Yemen, CAR and Colombia show their active conflicts; see
//! `data/ucdp/CITATION.md`), imported by the demo analyst, and alerts on the Central African
//! Republic in several states of their follow-up (one overdue).

use anyhow::{Context, Result, bail};
use grotius_store::Store;

/// UCDP GED 23.1, Central African Republic (GeoJSON), cited as UCDP asks.
pub const CAR_GED: &[u8] = include_bytes!("../../../../data/GEDEvent_v23_1_CAR_482.geojson");

/// UCDP/PRIO Armed Conflict Dataset 25.1 and UCDP Dyadic Dataset 25.1, cited as UCDP asks.
pub const UCDP_ACD: &[u8] = include_bytes!("../../../../data/ucdp/ucdp-prio-acd-251.csv");
pub const UCDP_DYADIC: &[u8] = include_bytes!("../../../../data/ucdp/ucdp-dyadic-251.csv");

/// Imports the events (idempotent: a second run changes nothing).
pub async fn seed(store: &Store) -> Result<()> {
    let id = store.cli_operator().find_user_id("analyst").await?;
    let analyst = store
        .cli_act_as(&id)
        .await?
        .context("the demo analyst is missing")?;
    let report = analyst.import_events(CAR_GED, &mut |_, _| {}).await?;
    if !report.committed() {
        bail!("the GED demo file is invalid: {:?}", report.problems);
    }
    for (dataset, bytes) in [
        (grotius_domain::ucdp::UcdpDataset::Acd, UCDP_ACD),
        (grotius_domain::ucdp::UcdpDataset::Dyadic, UCDP_DYADIC),
    ] {
        let report = analyst
            .import_ucdp(dataset, bytes, None, &mut |_, _| {})
            .await?;
        if !report.committed() {
            bail!(
                "the UCDP {} demo file is invalid: {:?}",
                dataset.as_str(),
                report.problems
            );
        }
    }
    seed_alerts(store).await
}

/// Three alerts on the Central African Republic (once): one open and overdue, one assessed, one
/// closed with its reason.
async fn seed_alerts(store: &Store) -> Result<()> {
    use grotius_domain::early_warning::AlertInput;
    let id = store.cli_operator().find_user_id("coordinator").await?;
    let coordinator = store
        .cli_act_as(&id)
        .await?
        .context("the demo coordinator is missing")?;
    let existing = coordinator
        .list_alerts(
            &grotius_store::AlertFilter {
                country: Some("CF".into()),
                ..Default::default()
            },
            1,
            0,
        )
        .await?;
    if existing.total > 0 {
        return Ok(());
    }
    let alert = |title: &str, signal: &str, as_of: &str, owner: &str, deadline: &str| AlertInput {
        country: "CF".into(),
        signal: signal.into(),
        as_of: as_of.into(),
        title: title.into(),
        owner: owner.into(),
        deadline: deadline.into(),
        classification: "internal".into(),
        ..Default::default()
    };
    coordinator
        .create_alert(&alert(
            "Fighting around Bambari after the 2022 rainy season",
            "escalation",
            "2022-12",
            "desk-officer",
            "2023-01-31",
        ))
        .await?;
    let assessed = coordinator
        .create_alert(&AlertInput {
            status: "assessed".into(),
            assessment: "Attacks on civilians by armed groups in Haute-Kotto rose above the yearly baseline; sources are local and consistent.".into(),
            ..alert(
                "One-sided violence in Haute-Kotto",
                "escalation",
                "2022-09",
                "analyst",
                "2030-06-30",
            )
        })
        .await?;
    // What answers it: a Track II process with the local peace committees, linked to the alert.
    let process = coordinator
        .create_process(&grotius_domain::process::ProcessInput {
            title: "Central African Republic: local peace committees in Haute-Kotto".into(),
            summary: "Track II support to the local peace committees of Bria and Sam Ouandja after the rise in attacks on civilians.".into(),
            countries: vec!["CF".into()],
            themes: vec!["wps".into()],
            phase: "armed-conflict".into(),
            tracks: vec!["II".into()],
            dutch_role: "support".into(),
            status: "active".into(),
            classification: "internal".into(),
            ..Default::default()
        })
        .await?;
    coordinator
        .link_alert(&assessed.id, "process", &process.id)
        .await?;
    // The unit watches Sudan and the Central African Republic; the analyst watches Yemen too.
    for country in ["SD", "CF"] {
        coordinator
            .watch(
                grotius_store::Watchlist::Unit,
                country,
                "Priority country of the unit",
            )
            .await?;
    }
    let analyst_id = store.cli_operator().find_user_id("analyst").await?;
    if let Some(analyst) = store.cli_act_as(&analyst_id).await? {
        analyst
            .watch(
                grotius_store::Watchlist::Mine,
                "YE",
                "Hodeidah port and the truce talks",
            )
            .await?;
    }
    coordinator
        .create_alert(&AlertInput {
            status: "closed".into(),
            assessment: "A clash between two factions, not a new front.".into(),
            recommendation: "No démarche; keep watching through the embassy in Yaoundé.".into(),
            closed_reason: "No further events in the following three months.".into(),
            ..alert(
                "New clashes in Vakaga",
                "new-conflict",
                "2021-03",
                "analyst",
                "2021-05-31",
            )
        })
        .await?;
    Ok(())
}
