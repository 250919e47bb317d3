//! Our work per country — processes, engagements, requests for support and their deployments,
//! grants and the money committed, incidents, documents, trainings — for the country profile
//! and the coherence view. Every line is counted through the list layer of its kind (the
//! policy's Read right on the kind, the subject's visibility in SQL, the per-row re-check), so
//! a count never includes a record the reader may not read; a kind the reader may not read at
//! all is `None`, not zero.

use std::collections::BTreeMap;

use grotius_domain::early_warning::{Coherence, SignalParams, Trend, trend};
use grotius_domain::{Action, Labels, Resource, ResourceKind, reference};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::SeriesFormat;
use crate::db::{Bind, Where, json_element, json_list};
use crate::evidence::labels_from_row;
use crate::list::{List, Listed};
use crate::roster::{TableFormat, write_table};
use crate::{Access, Result, StoreError};

/// Which records count (both optional): one country, one theme of the policy letter. The
/// theme narrows the kinds that carry themes — processes (and their engagements), grants,
/// documents and trainings; the others are counted whatever their theme.
#[derive(Debug, Clone, Default)]
pub struct PresenceFilter {
    pub country: Option<String>,
    pub theme: Option<String>,
}

/// The work counted in one country; `None` for a kind the reader may not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CountryWork {
    pub processes: Option<i64>,
    pub engagements: Option<i64>,
    pub requests: Option<i64>,
    /// Experts deployed on those requests (only deployments of experts the reader may read).
    pub deployments: Option<i64>,
    /// Approved or closed applications to the fund.
    pub grants: Option<i64>,
    /// Their amount in euro cents.
    pub grants_eur_cents: Option<i64>,
    pub incidents: Option<i64>,
    pub documents: Option<i64>,
    /// Trainings with participants from the country.
    pub trainings: Option<i64>,
}

impl CountryWork {
    /// Processes, grants and deployments: the presence the coherence view weighs.
    pub fn presence(&self) -> i64 {
        self.processes.unwrap_or(0) + self.grants.unwrap_or(0) + self.deployments.unwrap_or(0)
    }
}

/// Our work per country (ISO alpha-2), over what the reader may read.
#[derive(Debug, Clone, Default)]
pub struct Presence {
    /// A template with `Some(0)` for every kind the reader may read.
    pub readable: CountryWork,
    pub countries: BTreeMap<String, CountryWork>,
}

impl Presence {
    /// The work in one country (zero for every readable kind when there is none).
    pub fn of(&self, country: &str) -> CountryWork {
        self.countries
            .get(country)
            .cloned()
            .unwrap_or_else(|| self.readable.clone())
    }
}

/// One counted row: its countries, an amount, the labels and organisation the re-check needs.
struct Counted {
    id: String,
    labels: Labels,
    partner: Option<String>,
    countries: Vec<String>,
    amount: i64,
}

impl Listed for Counted {
    fn id(&self) -> &str {
        &self.id
    }
    fn labels(&self) -> &Labels {
        &self.labels
    }
    fn resource(&self, kind: ResourceKind) -> Resource<'_> {
        match &self.partner {
            Some(p) => Resource::of_organisation(kind, &self.labels, p),
            None => Resource::labelled(kind, &self.labels),
        }
    }
}

/// Reads `id, countries, classification, compartment_id` and the optional `partner`/`amount`.
fn counted(row: &AnyRow, countries_json: bool) -> Result<Counted> {
    let countries = if countries_json {
        json_list(&row.try_get::<String, _>("countries")?)
    } else {
        row.try_get::<Option<String>, _>("countries")?
            .into_iter()
            .collect()
    };
    Ok(Counted {
        id: row.try_get("id")?,
        labels: labels_from_row(row)?,
        partner: row.try_get("partner").ok(),
        countries,
        amount: row.try_get("amount").unwrap_or(0),
    })
}

/// The checked alpha-2 code of a filter's country.
fn checked_country(c: Option<&str>) -> Result<Option<String>> {
    match c.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => reference::country(c)
            .map(|c| Some(c.alpha2.clone()))
            .ok_or_else(|| {
                StoreError::invalid(
                    "country",
                    format!("'{c}' is not an ISO 3166-1 country code"),
                )
            }),
    }
}

/// The checked code of a filter's theme.
fn checked_theme(t: Option<&str>) -> Result<Option<String>> {
    match t.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => reference::THEMES
            .iter()
            .find(|x| x.code == t)
            .map(|x| Some(x.code.to_string()))
            .ok_or_else(|| {
                let known: Vec<&str> = reference::THEMES.iter().map(|x| x.code).collect();
                StoreError::invalid(
                    "theme",
                    format!("'{t}' is not a theme; known: {}", known.join(", ")),
                )
            }),
    }
}

/// Which line of [`CountryWork`] a count goes to.
#[derive(Clone, Copy)]
enum Line {
    Processes,
    Engagements,
    Requests,
    Deployments,
    Grants,
    GrantsEur,
    Incidents,
    Documents,
    Trainings,
}

const LINES: [Line; 9] = [
    Line::Processes,
    Line::Engagements,
    Line::Requests,
    Line::Deployments,
    Line::Grants,
    Line::GrantsEur,
    Line::Incidents,
    Line::Documents,
    Line::Trainings,
];

fn slot(w: &mut CountryWork, line: Line) -> &mut Option<i64> {
    match line {
        Line::Processes => &mut w.processes,
        Line::Engagements => &mut w.engagements,
        Line::Requests => &mut w.requests,
        Line::Deployments => &mut w.deployments,
        Line::Grants => &mut w.grants,
        Line::GrantsEur => &mut w.grants_eur_cents,
        Line::Incidents => &mut w.incidents,
        Line::Documents => &mut w.documents,
        Line::Trainings => &mut w.trainings,
    }
}

impl Access {
    /// Our work per country over the records the reader may read (see the module).
    pub async fn presence(&self, filter: &PresenceFilter) -> Result<Presence> {
        let country = checked_country(filter.country.as_deref())?;
        let theme = checked_theme(filter.theme.as_deref())?;
        let mut out = Presence::default();
        let add =
            |out: &mut Presence, line: Line, rows: &[Counted], value: &dyn Fn(&Counted) -> i64| {
                *slot(&mut out.readable, line) = Some(0);
                for r in rows {
                    for c in &r.countries {
                        if country.as_ref().is_some_and(|x| x != c) {
                            continue;
                        }
                        let w = out.countries.entry(c.clone()).or_default();
                        *slot(w, line) = Some(slot(w, line).unwrap_or(0) + value(r));
                    }
                }
            };
        let one = |_: &Counted| 1;

        // Processes.
        if let Some(mut list) = self
            .counting(ResourceKind::Process, "processes", "p")
            .await?
        {
            list = list.columns("p.id, p.countries, p.classification, p.compartment_id");
            narrow(
                &mut list.filter,
                "p.countries",
                country.as_deref(),
                theme.as_deref(),
                Some("p.themes"),
            );
            let rows = self.fetch_rows(&list, None, |r| counted(r, true)).await?;
            add(&mut out, Line::Processes, &rows, &one);
        }
        // Engagements, in the countries of their process (the inherited-label rule decides).
        if self.may(Action::Read, Resource::kind(ResourceKind::Engagement)) {
            let mut list = self
                .list_under_processes(ResourceKind::Engagement, "engagements", Action::Read)
                .await?
                .columns(
                    "engagements.id, engagements.classification, engagements.compartment_id,
                     (SELECT q.countries FROM processes q WHERE q.id = engagements.process_id) AS countries",
                );
            let of_process =
                "EXISTS (SELECT 1 FROM processes q WHERE q.id = engagements.process_id AND ";
            if let Some(c) = &country {
                list.filter.push(
                    &format!("{of_process}q.countries LIKE ?)"),
                    Bind::Text(json_element(c)),
                );
            }
            if let Some(t) = &theme {
                list.filter.push(
                    &format!("{of_process}q.themes LIKE ?)"),
                    Bind::Text(json_element(t)),
                );
            }
            let rows = self.fetch_rows(&list, None, |r| counted(r, true)).await?;
            add(&mut out, Line::Engagements, &rows, &one);
        }
        // Requests for support and the experts deployed on them.
        if let Some(mut list) = self
            .counting(ResourceKind::SupportRequest, "support_requests", "r")
            .await?
        {
            let experts = self.may(Action::Read, Resource::kind(ResourceKind::Expert));
            let deployed = if experts {
                let visible = list.filter.visible_expr(self, "e");
                format!(
                    "(SELECT COUNT(*) FROM deployments d JOIN experts e ON e.id = d.expert_id
                      WHERE d.request_id = r.id AND {visible})"
                )
            } else {
                "0".to_string()
            };
            list = list.columns(&format!(
                "r.id, r.countries, r.classification, r.compartment_id, {deployed} AS amount"
            ));
            narrow(
                &mut list.filter,
                "r.countries",
                country.as_deref(),
                None,
                None,
            );
            let rows = self.fetch_rows(&list, None, |r| counted(r, true)).await?;
            add(&mut out, Line::Requests, &rows, &one);
            if experts {
                add(&mut out, Line::Deployments, &rows, &|r| r.amount);
            }
        }
        // Grants: approved and closed applications, and their amount in euro.
        if let Some(mut list) = self
            .counting(ResourceKind::FundApplication, "fund_applications", "a")
            .await?
        {
            list = list.columns(
                "a.id, a.countries, a.classification, a.compartment_id, a.partner, a.amount_eur AS amount",
            );
            list.filter
                .clause("a.state IN ('approved', 'closed')".to_string());
            narrow(
                &mut list.filter,
                "a.countries",
                country.as_deref(),
                theme.as_deref(),
                Some("a.themes"),
            );
            let rows = self.fetch_rows(&list, None, |r| counted(r, true)).await?;
            add(&mut out, Line::Grants, &rows, &one);
            add(&mut out, Line::GrantsEur, &rows, &|r| r.amount);
        }
        // Incidents (one country each).
        if let Some(mut list) = self
            .counting(ResourceKind::Incident, "incidents", "i")
            .await?
        {
            list = list.columns("i.id, i.country AS countries, i.classification, i.compartment_id");
            if let Some(c) = &country {
                list.filter.push("i.country = ?", Bind::Text(c.clone()));
            } else {
                list.filter.clause("i.country IS NOT NULL".to_string());
            }
            let rows = self.fetch_rows(&list, None, |r| counted(r, false)).await?;
            add(&mut out, Line::Incidents, &rows, &one);
        }
        // Documents.
        if let Some(mut list) = self
            .counting(ResourceKind::Document, "documents", "d")
            .await?
        {
            list = list.columns("d.id, d.countries, d.classification, d.compartment_id");
            narrow(
                &mut list.filter,
                "d.countries",
                country.as_deref(),
                theme.as_deref(),
                Some("d.themes"),
            );
            let rows = self.fetch_rows(&list, None, |r| counted(r, true)).await?;
            add(&mut out, Line::Documents, &rows, &one);
        }
        // Trainings, in the countries their participants come from.
        if let Some(mut list) = self
            .counting(ResourceKind::Training, "trainings", "t")
            .await?
        {
            list = list.columns("t.id, t.classification, t.compartment_id");
            if let Some(t) = &theme {
                list.filter
                    .push("t.themes LIKE ?", Bind::Text(json_element(t)));
            }
            if let Some(c) = &country {
                list.filter.push(
                    "t.id IN (SELECT training_id FROM training_participants WHERE country = ?)",
                    Bind::Text(c.clone()),
                );
            }
            let rows = self
                .fetch_rows(&list, None, |r| {
                    Ok(Counted {
                        id: r.try_get("id")?,
                        labels: labels_from_row(r)?,
                        partner: None,
                        countries: Vec::new(),
                        amount: 0,
                    })
                })
                .await?;
            let rows = self.training_countries(rows).await?;
            add(&mut out, Line::Trainings, &rows, &one);
        }
        // Zero, not absent, for a readable kind without records in a country.
        for w in out.countries.values_mut() {
            for line in LINES {
                if slot(&mut out.readable.clone(), line).is_some() && slot(w, line).is_none() {
                    *slot(w, line) = Some(0);
                }
            }
        }
        Ok(out)
    }

    /// A list of `kind` for counting (not audited: it lists no record), or `None` when the
    /// reader may not read the kind.
    async fn counting(&self, kind: ResourceKind, table: &str, alias: &str) -> Result<Option<List>> {
        if !self.may(Action::Read, Resource::kind(kind)) {
            return Ok(None);
        }
        Ok(Some(self.list(kind, table, alias).await?.unaudited()))
    }

    /// The distinct countries of the participants of each (visible) training.
    async fn training_countries(&self, mut rows: Vec<Counted>) -> Result<Vec<Counted>> {
        if rows.is_empty() {
            return Ok(rows);
        }
        let found = sqlx::query(
            "SELECT DISTINCT training_id, country FROM training_participants ORDER BY training_id, country",
        )
        .fetch_all(&self.store.pool)
        .await?;
        let mut by_training: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in &found {
            by_training
                .entry(r.try_get("training_id")?)
                .or_default()
                .push(r.try_get("country")?);
        }
        for r in &mut rows {
            r.countries = by_training.remove(&r.id).unwrap_or_default();
        }
        Ok(rows)
    }
}

/// Narrows a JSON-list country column to one country and a JSON-list theme column to a theme.
fn narrow(
    f: &mut Where,
    countries: &str,
    country: Option<&str>,
    theme: Option<&str>,
    themes: Option<&str>,
) {
    if let Some(c) = country {
        f.push(&format!("{countries} LIKE ?"), Bind::Text(json_element(c)));
    }
    if let (Some(t), Some(col)) = (theme, themes) {
        f.push(&format!("{col} LIKE ?"), Bind::Text(json_element(t)));
    }
}

/// Which countries the coherence view shows: a UN M49 region, a theme of our work.
#[derive(Debug, Clone, Default)]
pub struct CoherenceFilter {
    pub region: Option<String>,
    pub theme: Option<String>,
}

/// One country of the coherence view.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoherenceRow {
    pub country: String,
    pub region: String,
    pub trend: Trend,
    pub coherence: Coherence,
    /// Events in the recent window and what the baseline predicts (0 without events).
    pub recent: i64,
    pub expected: f64,
    pub p_value: f64,
    pub events: i64,
    pub deaths_best: i64,
    pub work: CountryWork,
}

/// The coherence view: every country with events or with our work, over what the reader may
/// read, at the signals' reference month.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoherenceView {
    pub as_of: Option<String>,
    pub params: SignalParams,
    /// Which lines the reader may read (`Some(0)`), the others `None`.
    pub readable: CountryWork,
    pub rows: Vec<CoherenceRow>,
}

/// The UN M49 regions of the reference table, sorted.
pub fn regions() -> Vec<&'static str> {
    let mut r: Vec<&'static str> = reference::countries()
        .iter()
        .map(|c| c.region.as_str())
        .filter(|r| !r.is_empty())
        .collect();
    r.sort_unstable();
    r.dedup();
    r
}

const COHERENCE_COLUMNS: [(&str, &str); 15] = [
    ("country", "#country+code"),
    ("region", "#region+name"),
    ("trend", "#indicator+trend"),
    ("coherence", "#indicator+coherence"),
    ("recent_events", "#event+num+recent"),
    ("expected_events", "#event+num+expected"),
    ("p_value", "#indicator+p"),
    ("events", "#event+num"),
    ("deaths_best", "#affected+killed"),
    ("processes", "#activity+process+num"),
    ("grants", "#activity+grant+num"),
    ("grants_eur", "#value+committed+eur"),
    ("deployments", "#activity+deployment+num"),
    ("requests", "#activity+request+num"),
    ("incidents", "#event+incident+num"),
];

fn cell(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

impl Access {
    /// The coherence view: violence's trend against our presence per country (see
    /// [`Coherence`]), sorted with the rising countries where we are absent first.
    pub async fn coherence(
        &self,
        filter: &CoherenceFilter,
        params: &SignalParams,
    ) -> Result<CoherenceView> {
        let region = match filter
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            None => None,
            Some(r) => Some(
                regions()
                    .into_iter()
                    .find(|x| x.eq_ignore_ascii_case(r))
                    .ok_or_else(|| {
                        StoreError::invalid(
                            "region",
                            format!("'{r}' is not a region; known: {}", regions().join(", ")),
                        )
                    })?,
            ),
        };
        let trends = self.country_trends(None, params).await?;
        let presence = self
            .presence(&PresenceFilter {
                country: None,
                theme: filter.theme.clone(),
            })
            .await?;
        let mut rows: BTreeMap<String, CoherenceRow> = BTreeMap::new();
        let region_of = |c: &str| {
            reference::country(c)
                .map(|c| c.region.clone())
                .unwrap_or_default()
        };
        for t in &trends.countries {
            let trend = trend(&t.signal, params);
            let work = presence.of(&t.country);
            rows.insert(
                t.country.clone(),
                CoherenceRow {
                    country: t.country.clone(),
                    region: region_of(&t.country),
                    trend,
                    coherence: Coherence::of(trend, work.presence()),
                    recent: t.signal.recent,
                    expected: t.signal.expected,
                    p_value: t.signal.p_value,
                    events: t.events,
                    deaths_best: t.deaths_best,
                    work,
                },
            );
        }
        for (c, work) in &presence.countries {
            if rows.contains_key(c) || work.presence() == 0 {
                continue;
            }
            rows.insert(
                c.clone(),
                CoherenceRow {
                    country: c.clone(),
                    region: region_of(c),
                    trend: Trend::Stable,
                    coherence: Coherence::of(Trend::Stable, work.presence()),
                    recent: 0,
                    expected: 0.0,
                    p_value: 1.0,
                    events: 0,
                    deaths_best: 0,
                    work: work.clone(),
                },
            );
        }
        let mut rows: Vec<CoherenceRow> = rows
            .into_values()
            .filter(|r| region.is_none_or(|x| r.region == x))
            .collect();
        rows.sort_by(|a, b| {
            a.coherence
                .cmp(&b.coherence)
                .then(a.p_value.total_cmp(&b.p_value))
                .then(b.recent.cmp(&a.recent))
                .then(a.country.cmp(&b.country))
        });
        Ok(CoherenceView {
            as_of: trends.as_of,
            params: *params,
            readable: presence.readable,
            rows,
        })
    }

    /// The coherence table as a file (CSV, XLSX or HXL-tagged CSV); needs the export right on
    /// the event data and is audited as `conflict-event.export`.
    pub async fn export_coherence(
        &self,
        filter: &CoherenceFilter,
        params: &SignalParams,
        format: SeriesFormat,
    ) -> Result<Vec<u8>> {
        self.authorize(
            Action::Export,
            Resource::kind(ResourceKind::ConflictEvent),
            None,
        )
        .await?;
        let view = self.coherence(filter, params).await?;
        let mut rows: Vec<Vec<String>> =
            vec![COHERENCE_COLUMNS.iter().map(|c| c.0.into()).collect()];
        if format == SeriesFormat::Hxl {
            rows.push(COHERENCE_COLUMNS.iter().map(|c| c.1.into()).collect());
        }
        for r in &view.rows {
            rows.push(vec![
                r.country.clone(),
                r.region.clone(),
                r.trend.as_str().into(),
                r.coherence.as_str().into(),
                r.recent.to_string(),
                format!("{:.2}", r.expected),
                format!("{:.4}", r.p_value),
                r.events.to_string(),
                r.deaths_best.to_string(),
                cell(r.work.processes),
                cell(r.work.grants),
                r.work
                    .grants_eur_cents
                    .map(|c| format!("{}.{:02}", c / 100, c % 100))
                    .unwrap_or_default(),
                cell(r.work.deployments),
                cell(r.work.requests),
                cell(r.work.incidents),
            ]);
        }
        let table = match format {
            SeriesFormat::Xlsx => TableFormat::Xlsx,
            SeriesFormat::Csv | SeriesFormat::Hxl => TableFormat::Csv,
        };
        let bytes = write_table(&rows, table, "Coherence")?;
        let detail = serde_json::json!({
            "view": "coherence", "region": filter.region, "theme": filter.theme,
            "rows": view.rows.len(), "format": format!("{format:?}").to_lowercase(),
        })
        .to_string();
        self.audit_now("conflict-event.export", "conflict-event", "", "ok", &detail)
            .await?;
        Ok(bytes)
    }
}
