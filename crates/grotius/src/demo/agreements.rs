//! Demo peace agreements: a sample of 100 PA-X agreements for the demo's countries (see
//! `data/SOURCES.md`; cut by `data/pax-sample.py`), imported by the demo administrator.

use anyhow::{Context, Result, bail};
use grotius_store::Store;

/// PA-X Peace Agreements Database v6, University of Edinburgh (PeaceRep) — 100 rows.
pub const SAMPLE: &[u8] = include_bytes!("../../../../data/pax-sample.csv");

/// Imports the sample (idempotent: a second run changes nothing).
pub async fn seed(store: &Store) -> Result<()> {
    let id = store.cli_operator().find_user_id("admin").await?;
    let admin = store
        .cli_act_as(&id)
        .await?
        .context("the demo administrator is missing")?;
    let report = admin.import_agreements(SAMPLE, &mut |_, _| {}).await?;
    if !report.committed() {
        bail!("the PA-X demo sample is invalid: {:?}", report.problems);
    }
    Ok(())
}
