//! The derived buckets of conflict events (migration 0027): events and deaths per country ×
//! month × type of violence, per admin-1 area × month, and per dyad × month, each under the
//! labels its events share. The importer collects the change of every event it adds, changes or
//! removes as deltas ([`BucketDeltas`]) and applies them in the transaction that writes the
//! events, so the buckets and the events never disagree; readers of series, signals and dyads
//! scan buckets instead of events (tens of thousands of rows instead of a million) under the
//! same visibility filter.

use std::collections::HashMap;

use grotius_domain::Labels;
use grotius_domain::early_warning::ConflictEvent;
use sqlx::Row;

use crate::Result;
use crate::db::{Backend, values_list};

/// The columns of `conflict_events` that [`EventFacts::from_row`] reads.
pub(crate) const FACT_COLUMNS: &str = "country, month, violence, adm_1, conflict_name, dyad_name, best, low, high, classification, compartment_id";

/// What the buckets need of one event: its grouping fields, its deaths and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventFacts {
    pub country: Option<String>,
    pub month: String,
    pub violence: i64,
    pub adm_1: String,
    pub conflict_name: String,
    pub dyad_name: String,
    pub best: i64,
    pub low: i64,
    pub high: i64,
    pub classification: i64,
    pub compartment: Option<String>,
}

impl EventFacts {
    /// The facts of an event about to be written under `labels`.
    pub fn of(e: &ConflictEvent, labels: &Labels) -> EventFacts {
        EventFacts {
            country: e.country.clone(),
            month: e.month().to_string(),
            violence: e
                .violence
                .map_or(0, grotius_domain::early_warning::ViolenceType::code),
            adm_1: e.adm_1.clone(),
            conflict_name: e.conflict_name.clone(),
            dyad_name: e.dyad_name.clone(),
            best: e.best,
            low: e.low,
            high: e.high,
            classification: labels.classification.level(),
            compartment: labels.compartment.as_ref().map(ToString::to_string),
        }
    }

    /// The facts of a stored event (a row holding [`FACT_COLUMNS`]).
    pub fn from_row(r: &sqlx::any::AnyRow) -> Result<EventFacts> {
        Ok(EventFacts {
            country: r.try_get("country")?,
            month: r.try_get("month")?,
            violence: r.try_get("violence")?,
            adm_1: r.try_get("adm_1")?,
            conflict_name: r.try_get("conflict_name")?,
            dyad_name: r.try_get("dyad_name")?,
            best: r.try_get("best")?,
            low: r.try_get("low")?,
            high: r.try_get("high")?,
            classification: r.try_get("classification")?,
            compartment: r.try_get("compartment_id")?,
        })
    }
}

/// The grouping of a bucket: key columns, and the bucket's key as one text (as migration 0027
/// builds it in SQL: fixed-width fields first; free text last or prefixed by its length in
/// characters, so no two groupings share a key).
#[derive(Debug, Clone)]
struct Grouping {
    columns: Vec<Value>,
}

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

/// The change of the buckets by the events of one transaction.
#[derive(Debug, Default)]
pub(crate) struct BucketDeltas {
    /// bucket → (country, month, violence, classification, compartment), [events, best, low, high]
    months: HashMap<String, (Grouping, Vec<i64>)>,
    /// bucket → (country, adm_1, month, classification, compartment), [events, best]
    areas: HashMap<String, (Grouping, Vec<i64>)>,
    /// bucket → (country, month, conflict, dyad, violence, classification, compartment),
    /// [events, best]
    dyads: HashMap<String, (Grouping, Vec<i64>)>,
    /// Whether any bucket loses events (then empty buckets are deleted).
    shrinks: bool,
}

fn add_to(
    map: &mut HashMap<String, (Grouping, Vec<i64>)>,
    key: String,
    columns: impl FnOnce() -> Vec<Value>,
    values: &[i64],
    sign: i64,
) {
    let entry = map
        .entry(key)
        .or_insert_with(|| (Grouping { columns: columns() }, vec![0; values.len()]));
    for (sum, v) in entry.1.iter_mut().zip(values) {
        *sum += sign * v;
    }
}

impl BucketDeltas {
    /// Counts an event in (`sign` 1) or out (`sign` -1) of its buckets. Events without a
    /// country are in no bucket (they are in no country's series).
    pub fn add(&mut self, f: &EventFacts, sign: i64) {
        let Some(country) = &f.country else {
            return;
        };
        if sign < 0 {
            self.shrinks = true;
        }
        let comp = f.compartment.clone().unwrap_or_default();
        let labels = format!("{}|{comp}", f.classification);
        add_to(
            &mut self.months,
            format!("{country}|{}|{}|{labels}", f.month, f.violence),
            || {
                vec![
                    Value::Text(country.clone()),
                    Value::Text(f.month.clone()),
                    Value::Int(f.violence),
                    Value::Int(f.classification),
                    Value::OptText(f.compartment.clone()),
                ]
            },
            &[1, f.best, f.low, f.high],
            sign,
        );
        if f.violence > 0 && !f.adm_1.is_empty() {
            add_to(
                &mut self.areas,
                format!("{country}|{}|{labels}|{}", f.month, f.adm_1),
                || {
                    vec![
                        Value::Text(country.clone()),
                        Value::Text(f.adm_1.clone()),
                        Value::Text(f.month.clone()),
                        Value::Int(f.classification),
                        Value::OptText(f.compartment.clone()),
                    ]
                },
                &[1, f.best],
                sign,
            );
        }
        add_to(
            &mut self.dyads,
            format!(
                "{country}|{}|{}|{labels}|{}|{}|{}",
                f.month,
                f.violence,
                f.conflict_name.chars().count(),
                f.conflict_name,
                f.dyad_name
            ),
            || {
                vec![
                    Value::Text(country.clone()),
                    Value::Text(f.month.clone()),
                    Value::Text(f.conflict_name.clone()),
                    Value::Text(f.dyad_name.clone()),
                    Value::Int(f.violence),
                    Value::Int(f.classification),
                    Value::OptText(f.compartment.clone()),
                ]
            },
            &[1, f.best],
            sign,
        );
    }

    /// Writes the deltas into the buckets (in the caller's transaction) and deletes the buckets
    /// left without events.
    pub async fn apply(self, conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<()> {
        upsert(
            conn,
            backend,
            "conflict_event_months",
            "country, month, violence, classification, compartment_id",
            &["events", "deaths_best", "deaths_low", "deaths_high"],
            self.months,
        )
        .await?;
        upsert(
            conn,
            backend,
            "conflict_event_areas",
            "country, adm_1, month, classification, compartment_id",
            &["events", "deaths_best"],
            self.areas,
        )
        .await?;
        upsert(
            conn,
            backend,
            "conflict_event_dyads",
            "country, month, conflict_name, dyad_name, violence, classification, compartment_id",
            &["events", "deaths_best"],
            self.dyads,
        )
        .await?;
        if self.shrinks {
            for table in [
                "conflict_event_months",
                "conflict_event_areas",
                "conflict_event_dyads",
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE events <= 0"
                )))
                .execute(&mut *conn)
                .await?;
            }
        }
        Ok(())
    }
}

/// Buckets per statement (each a handful of parameters, well under SQLite's and PostgreSQL's
/// limits).
const UPSERT_ROWS: usize = 200;

async fn upsert(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
    key_columns: &str,
    sums: &[&str],
    deltas: HashMap<String, (Grouping, Vec<i64>)>,
) -> Result<()> {
    let mut rows: Vec<(String, Grouping, Vec<i64>)> = deltas
        .into_iter()
        .filter(|(_, (_, d))| d.iter().any(|v| *v != 0))
        .map(|(k, (g, d))| (k, g, d))
        .collect();
    // A fixed order: the same import writes the same statements (and PostgreSQL takes the
    // buckets' row locks in one order).
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let updates = sums
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in rows.chunks(UPSERT_ROWS) {
        let width = 1 + chunk[0].1.columns.len() + sums.len();
        let sql = format!(
            "INSERT INTO {table} (bucket, {key_columns}, {}) VALUES {} ON CONFLICT (bucket) DO UPDATE SET {updates}",
            sums.join(", "),
            values_list(backend, chunk.len(), width)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, grouping, delta) in chunk {
            q = q.bind(key.clone());
            for v in &grouping.columns {
                q = match v {
                    Value::Text(s) => q.bind(s.clone()),
                    Value::OptText(s) => q.bind(s.clone()),
                    Value::Int(n) => q.bind(*n),
                };
            }
            for d in delta {
                q = q.bind(*d);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The facts of the stored events `ids` (read in the caller's transaction, before they change),
/// by id.
pub(crate) async fn stored_facts(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    ids: &[&str],
) -> Result<HashMap<String, EventFacts>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id, {FACT_COLUMNS} FROM conflict_events WHERE id IN {}",
            values_list(backend, 1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("id")?, EventFacts::from_row(&r)?);
        }
    }
    Ok(out)
}
