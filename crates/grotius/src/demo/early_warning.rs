//! Demo conflict events: the UCDP GED 23.1 events of the Central African Republic (1,848
//! events, 1991–2022; see `data/SOURCES.md`), imported by the demo analyst.

use anyhow::{Context, Result, bail};
use grotius_store::Store;

/// UCDP GED 23.1, Central African Republic (GeoJSON), cited as UCDP asks.
pub const CAR_GED: &[u8] = include_bytes!("../../../../data/GEDEvent_v23_1_CAR_482.geojson");

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
    Ok(())
}
