//! The fund's reports: money by country, region, theme, track, partner, instrument and fiscal
//! year; decision times against the instruments' targets; the dashboard; the annual overview for
//! Parliament with its public version; CSV and XLSX exports.
//!
//! The ledger is aggregated in SQL to one row per application (two balance look-ups on the
//! primary key of `ledger_balances` and one grouped sum of refunds), over the applications the
//! asker may read (the same visibility filter as the lists, partners only their organisation's);
//! each row is re-checked with the policy engine, then grouped in memory (a few thousand rows,
//! not the ledger). A grant in several countries or themes is divided equally among them (whole
//! cents, the remainder to the first), so every breakdown adds up to the total.
//!
//! The public overview for Parliament is the one deliberate exception to "aggregates only over
//! what the asker may read": it is a publication. It is computed over every grant of the year,
//! and everything sensitive (the application or a linked process is confidential or higher, or
//! in a compartment) is reported only as rounded totals per UN M49 region, with small cells
//! merged — never a process, partner, country or exact amount.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use grotius_domain::fund::{self, Instrument};
use grotius_domain::{
    Action, Classification, CompartmentId, Labels, Resource, ResourceKind, organisation_bound,
    reference,
};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{instrument_from_row, list};
use crate::db::{Bind, Where};
use crate::roster::TableFormat;
use crate::{Access, Result, StoreError};

/// UN Peacebuilding Fund, Immediate Response Facility: decisions "within three weeks" — 15
/// working days.
pub const BENCHMARK_DAYS: i64 = 15;

/// A cell of the public overview needs at least this many grants, or it is merged upwards.
pub const MIN_PUBLIC_CELL: usize = 3;

/// Sensitive amounts in the public overview are rounded to this many euro cents (EUR 100,000).
pub const PUBLIC_ROUNDING: i64 = 10_000_000;

const OPEN_STATES: [&str; 4] = ["submitted", "appraisal", "review", "committee"];

/// What a report is about.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct FundReportFilter {
    /// Fiscal year of the applications.
    pub year: Option<i32>,
    /// Instrument id or code.
    pub instrument: Option<String>,
}

/// Money of a group of grants, in euro cents.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ReportRow {
    pub key: String,
    pub label: String,
    /// Grants (approved or closed applications) in the group; a grant in two countries counts
    /// in each.
    pub grants: i64,
    /// Commitments and amendments, net of de-commitments.
    pub committed: i64,
    /// Paid out (gross; refunds are shown apart).
    pub disbursed: i64,
    pub refunded: i64,
    /// Committed and not yet paid out.
    pub outstanding: i64,
}

impl ReportRow {
    fn add(&mut self, m: &Money) {
        self.committed += m.committed;
        self.disbursed += m.disbursed;
        self.refunded += m.refunded;
        self.outstanding += m.outstanding;
    }

    /// Disbursed net of refunds.
    pub fn spent(&self) -> i64 {
        self.disbursed - self.refunded
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Money {
    committed: i64,
    disbursed: i64,
    refunded: i64,
    outstanding: i64,
}

impl Money {
    fn split(&self, n: usize) -> Vec<Money> {
        let c = split(self.committed, n);
        let d = split(self.disbursed, n);
        let r = split(self.refunded, n);
        let o = split(self.outstanding, n);
        (0..n)
            .map(|i| Money {
                committed: c[i],
                disbursed: d[i],
                refunded: r[i],
                outstanding: o[i],
            })
            .collect()
    }
}

/// Divides `amount` into `n` whole parts that add up to it, the remainder to the first parts.
pub fn split(amount: i64, n: usize) -> Vec<i64> {
    let n = n.max(1) as i64;
    let base = amount.div_euclid(n);
    let rest = amount.rem_euclid(n);
    (0..n).map(|i| base + i64::from(i < rest)).collect()
}

/// An instrument's budget for a year, and its ceilings with what is committed under them.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetUse {
    pub instrument_id: String,
    pub instrument_code: String,
    pub year: i32,
    pub budget: i64,
    /// Net committed (the budget less what is available).
    pub used: i64,
    pub available: i64,
    /// `(scope, key, limit, used)` of the country and theme ceilings.
    pub ceilings: Vec<(String, String, i64, i64)>,
}

/// Decision times of one track.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackTimes {
    pub track: String,
    /// Applications decided (approved or rejected) after submission.
    pub decided: i64,
    /// Median working days from submission to decision.
    pub median_days: Option<f64>,
    pub within_target: i64,
    /// Percent with one decimal.
    pub share_within_target: Option<f64>,
    /// Decided within the benchmark (15 working days, the UN PBF IRF's three weeks).
    pub within_benchmark: i64,
    /// The targets of the instruments on this track (min and max working days).
    pub target_min: i64,
    pub target_max: i64,
    /// Submitted and not yet decided.
    pub open: i64,
    /// Of those, already past their target.
    pub open_overdue: i64,
}

/// The decision time of one application.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionTime {
    pub application_id: String,
    pub reference: String,
    pub title: String,
    pub partner: String,
    pub instrument_code: String,
    pub track: String,
    pub state: String,
    /// Working days from submission to decision, or to now while open.
    pub days: i64,
    pub target: i64,
    pub decided: bool,
    pub labels: Labels,
}

/// The reports over the grants the asker may read.
#[derive(Debug, Clone, Serialize)]
pub struct FundReport {
    pub filter: FundReportFilter,
    /// Applications considered (any state) and grants among them.
    pub applications: i64,
    pub total: ReportRow,
    pub by_country: Vec<ReportRow>,
    pub by_region: Vec<ReportRow>,
    pub by_theme: Vec<ReportRow>,
    pub by_track: Vec<ReportRow>,
    pub by_partner: Vec<ReportRow>,
    pub by_instrument: Vec<ReportRow>,
    pub by_year: Vec<ReportRow>,
    /// Budgets per instrument-year (not for partners: the budget is the fund's, not theirs).
    pub budgets: Vec<BudgetUse>,
    pub decisions: Vec<TrackTimes>,
    /// Per application, most recent submission first.
    pub decision_times: Vec<DecisionTime>,
    pub benchmark_days: i64,
}

/// The fund dashboard: decision times against targets, open applications, budget use.
#[derive(Debug, Clone, Serialize)]
pub struct FundDashboard {
    pub decisions: Vec<TrackTimes>,
    pub benchmark_days: i64,
    /// Open applications, longest waiting first.
    pub open: Vec<DecisionTime>,
    /// Applications per state.
    pub states: Vec<(String, i64)>,
    pub budgets: Vec<BudgetUse>,
}

/// One line of sensitive grants in the public overview.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConfidentialLine {
    /// UN M49 sub-region or region, or empty for "elsewhere" (merged small cells).
    pub region: String,
    pub processes: i64,
    pub grants: i64,
    /// Committed, rounded to EUR 100,000 (see [`PUBLIC_ROUNDING`]).
    pub committed_rounded: i64,
}

/// A process the fund supported in the year.
#[derive(Debug, Clone, Serialize)]
pub struct SupportedProcess {
    pub id: String,
    pub name: String,
    pub countries: Vec<String>,
    pub grants: i64,
    pub committed: i64,
    pub labels: Labels,
}

/// The annual overview for Parliament.
#[derive(Debug, Clone, Serialize)]
pub struct ParliamentOverview {
    pub year: i32,
    /// The public version (sensitive grants only aggregated); otherwise the full one.
    pub public: bool,
    /// Whether the asker may see the full version.
    pub full_allowed: bool,
    /// Everything not sensitive (in the full version: everything).
    pub total: ReportRow,
    pub by_country: Vec<ReportRow>,
    pub by_region: Vec<ReportRow>,
    pub by_theme: Vec<ReportRow>,
    pub by_instrument: Vec<ReportRow>,
    pub processes: Vec<SupportedProcess>,
    /// Grants without a linked process (not sensitive, or in the full version).
    pub grants_without_process: i64,
    pub decisions: Vec<TrackTimes>,
    pub benchmark_days: i64,
    /// Public version: the sensitive grants, by region, rounded; every line holds at least
    /// [`MIN_PUBLIC_CELL`] grants.
    pub confidential: Vec<ConfidentialLine>,
    /// Public version: the sum of the published lines (0 without sensitive grants); `None` in the
    /// full version and when the sensitive grants are too few to publish any amount.
    pub confidential_total: Option<i64>,
    pub confidential_grants: i64,
}

/// One application with its money from the ledger.
#[derive(Debug, Clone)]
pub(crate) struct GrantRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub instrument_id: String,
    pub fiscal_year: i32,
    pub partner: String,
    pub track: String,
    pub state: String,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub process_ids: Vec<String>,
    pub labels: Labels,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    outstanding: i64,
    disbursed_net: i64,
    refunded: i64,
}

impl GrantRow {
    fn is_grant(&self) -> bool {
        matches!(self.state.as_str(), "approved" | "closed")
    }

    fn money(&self) -> Money {
        Money {
            committed: self.outstanding + self.disbursed_net + self.refunded,
            disbursed: self.disbursed_net + self.refunded,
            refunded: self.refunded,
            outstanding: self.outstanding,
        }
    }
}

const GRANT_SQL: &str = "SELECT a.id, a.reference, a.title, a.instrument_id, a.fiscal_year, a.partner, a.track, a.state, a.countries, a.themes, a.process_ids, a.classification, a.compartment_id, a.submitted_at, a.decided_at, COALESCE(c.balance, 0) AS outstanding, COALESCE(d.balance, 0) AS disbursed_net, COALESCE(r.refunded, 0) AS refunded FROM fund_applications a LEFT JOIN ledger_balances c ON c.account = 'committed:' || a.id LEFT JOIN ledger_balances d ON d.account = 'disbursed:' || a.id LEFT JOIN (SELECT application_id, CAST(SUM(amount_eur) AS BIGINT) AS refunded FROM ledger_transactions WHERE kind = 'refund' GROUP BY application_id) r ON r.application_id = a.id";

fn grant_from_row(row: &sqlx::any::AnyRow) -> Result<GrantRow> {
    // By position (the order of GRANT_SQL): thousands of rows per report.
    let comp: Option<String> = row.try_get(12)?;
    Ok(GrantRow {
        id: row.try_get(0)?,
        reference: row.try_get(1)?,
        title: row.try_get(2)?,
        instrument_id: row.try_get(3)?,
        fiscal_year: row.try_get::<i64, _>(4)? as i32,
        partner: row.try_get(5)?,
        track: row.try_get(6)?,
        state: row.try_get(7)?,
        countries: list(&row.try_get::<String, _>(8)?),
        themes: list(&row.try_get::<String, _>(9)?),
        process_ids: list(&row.try_get::<String, _>(10)?),
        labels: Labels {
            classification: Classification::from_level(row.try_get(11)?)?,
            compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
        },
        submitted_at: row.try_get(13)?,
        decided_at: row.try_get(14)?,
        outstanding: row.try_get(15)?,
        disbursed_net: row.try_get(16)?,
        refunded: row.try_get(17)?,
    })
}

/// The labels of a process and what it is called.
#[derive(Debug, Clone)]
pub(crate) struct ProcessInfo {
    pub name: String,
    pub countries: Vec<String>,
    pub labels: Labels,
}

pub(crate) fn is_sensitive(labels: &Labels) -> bool {
    labels.classification >= Classification::Confidential || labels.compartment.is_some()
}

/// Groups money by key; labels via `label`.
#[derive(Default)]
struct Groups {
    rows: BTreeMap<String, ReportRow>,
}

impl Groups {
    fn add(&mut self, key: &str, label: impl FnOnce() -> String, m: &Money, count: bool) {
        let row = self
            .rows
            .entry(key.to_string())
            .or_insert_with(|| ReportRow {
                key: key.to_string(),
                label: label(),
                ..Default::default()
            });
        row.add(m);
        if count {
            row.grants += 1;
        }
    }

    /// Largest commitment first, then by key.
    fn finish(self) -> Vec<ReportRow> {
        let mut v: Vec<ReportRow> = self.rows.into_values().collect();
        v.sort_by(|a, b| b.committed.cmp(&a.committed).then(a.key.cmp(&b.key)));
        v
    }
}

fn country_label(code: &str) -> String {
    reference::country(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn region_label(code: &str) -> String {
    reference::region_of(code).unwrap_or("—").to_string()
}

/// Groups grants by every dimension.
struct Breakdown {
    total: ReportRow,
    country: Groups,
    region: Groups,
    theme: Groups,
    track: Groups,
    partner: Groups,
    instrument: Groups,
    year: Groups,
}

impl Breakdown {
    fn new() -> Breakdown {
        Breakdown {
            total: ReportRow {
                key: "total".into(),
                label: "Total".into(),
                ..Default::default()
            },
            country: Groups::default(),
            region: Groups::default(),
            theme: Groups::default(),
            track: Groups::default(),
            partner: Groups::default(),
            instrument: Groups::default(),
            year: Groups::default(),
        }
    }

    fn add(&mut self, g: &GrantRow, instruments: &HashMap<String, Instrument>) {
        let m = g.money();
        self.total.add(&m);
        self.total.grants += 1;
        let countries: Vec<String> = if g.countries.is_empty() {
            vec![String::new()]
        } else {
            g.countries.clone()
        };
        let mut regions_seen = BTreeSet::new();
        for (c, part) in countries.iter().zip(m.split(countries.len())) {
            self.country.add(c, || country_label(c), &part, true);
            let r = region_label(c);
            let first = regions_seen.insert(r.clone());
            self.region.add(&r, || r.clone(), &part, first);
        }
        let themes: Vec<String> = if g.themes.is_empty() {
            vec![String::new()]
        } else {
            g.themes.clone()
        };
        for (t, part) in themes.iter().zip(m.split(themes.len())) {
            self.theme.add(
                t,
                || {
                    reference::THEMES
                        .iter()
                        .find(|x| x.code == t)
                        .map(|x| x.en.to_string())
                        .unwrap_or_else(|| "—".into())
                },
                &part,
                true,
            );
        }
        self.track.add(
            &g.track,
            || {
                fund::TRACKS
                    .iter()
                    .find(|x| x.code == g.track)
                    .map(|x| x.en.to_string())
                    .unwrap_or_else(|| g.track.clone())
            },
            &m,
            true,
        );
        self.partner.add(&g.partner, || g.partner.clone(), &m, true);
        let (code, name) = instruments
            .get(&g.instrument_id)
            .map(|i| (i.code.clone(), i.name.clone()))
            .unwrap_or_else(|| (g.instrument_id.clone(), g.instrument_id.clone()));
        self.instrument.add(&code, || name, &m, true);
        let y = g.fiscal_year.to_string();
        self.year.add(&y, || y.clone(), &m, true);
    }
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(sorted[n / 2] as f64)
    } else {
        Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0)
    }
}

fn share(part: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| (part as f64 * 1000.0 / of as f64).round() / 10.0)
}

fn target_of(g: &GrantRow, instruments: &HashMap<String, Instrument>) -> i64 {
    instruments
        .get(&g.instrument_id)
        .map(|i| {
            if g.track == "fast" {
                i.fast_target_days
            } else {
                i.standard_target_days
            }
        })
        .unwrap_or(BENCHMARK_DAYS)
}

/// Decision times of applications (any state that was submitted).
fn decision_times(
    rows: &[&GrantRow],
    instruments: &HashMap<String, Instrument>,
    now: i64,
) -> Vec<DecisionTime> {
    let mut v: Vec<DecisionTime> = rows
        .iter()
        .filter_map(|g| {
            let submitted = g.submitted_at?;
            let decided = g.decided_at.is_some();
            let open = OPEN_STATES.contains(&g.state.as_str());
            if !decided && !open {
                return None;
            }
            Some(DecisionTime {
                application_id: g.id.clone(),
                reference: g.reference.clone(),
                title: g.title.clone(),
                partner: g.partner.clone(),
                instrument_code: instruments
                    .get(&g.instrument_id)
                    .map(|i| i.code.clone())
                    .unwrap_or_default(),
                track: g.track.clone(),
                state: g.state.clone(),
                days: fund::working_days_between(submitted, g.decided_at.unwrap_or(now)),
                target: target_of(g, instruments),
                decided,
                labels: g.labels.clone(),
            })
        })
        .collect();
    v.sort_by(|a, b| b.days.cmp(&a.days).then(a.reference.cmp(&b.reference)));
    v
}

fn track_times(
    times: &[DecisionTime],
    instruments: &HashMap<String, Instrument>,
) -> Vec<TrackTimes> {
    fund::TRACKS
        .iter()
        .map(|t| {
            let mut days: Vec<i64> = times
                .iter()
                .filter(|d| d.decided && d.track == t.code)
                .map(|d| d.days)
                .collect();
            days.sort_unstable();
            let within = times
                .iter()
                .filter(|d| d.decided && d.track == t.code && d.days <= d.target)
                .count() as i64;
            let bench = days.iter().filter(|d| **d <= BENCHMARK_DAYS).count() as i64;
            let targets: Vec<i64> = instruments
                .values()
                .map(|i| {
                    if t.code == "fast" {
                        i.fast_target_days
                    } else {
                        i.standard_target_days
                    }
                })
                .collect();
            let open: Vec<&DecisionTime> = times
                .iter()
                .filter(|d| !d.decided && d.track == t.code)
                .collect();
            TrackTimes {
                track: t.code.to_string(),
                decided: days.len() as i64,
                median_days: median(&days),
                within_target: within,
                share_within_target: share(within, days.len() as i64),
                within_benchmark: bench,
                target_min: targets.iter().copied().min().unwrap_or(0),
                target_max: targets.iter().copied().max().unwrap_or(0),
                open: open.len() as i64,
                open_overdue: open.iter().filter(|d| d.days > d.target).count() as i64,
            }
        })
        .collect()
}

/// Rounds sensitive euro cents to the public unit (half up).
pub fn round_public(cents: i64) -> i64 {
    (cents + PUBLIC_ROUNDING / 2).div_euclid(PUBLIC_ROUNDING) * PUBLIC_ROUNDING
}

/// A published line with the grants behind it (the grants stay inside the store).
#[derive(Debug, Clone)]
struct PublicCell {
    line: ConfidentialLine,
    grants: BTreeSet<String>,
}

/// The sensitive grants as published: the lines, and their total (the sum of the published,
/// rounded lines, so that nothing is left between the total and the lines); `None` when there are
/// too few sensitive grants to publish any amount.
fn confidential_publication(grants: &[&GrantRow]) -> (Vec<ConfidentialLine>, Option<i64>) {
    let cells = confidential_cells(grants);
    debug_assert!(cells.iter().all(|c| c.grants.len() >= MIN_PUBLIC_CELL));
    if cells.is_empty() {
        return (Vec::new(), grants.is_empty().then_some(0));
    }
    let total = cells.iter().map(|c| c.line.committed_rounded).sum();
    (cells.into_iter().map(|c| c.line).collect(), Some(total))
}

/// Aggregates sensitive grants into public lines: by UN M49 sub-region; cells with fewer than
/// [`MIN_PUBLIC_CELL`] grants merge into their continent, and what is still too small into one
/// line "elsewhere". Amounts are divided among a grant's countries, then rounded per line.
///
/// Secondary suppression (as statistical offices do): the lines are disjoint and their sum is
/// the published total, so every difference of the total and a set of lines is itself a sum of
/// lines. Hence no line may hold fewer than [`MIN_PUBLIC_CELL`] grants: when "elsewhere" would, it
/// absorbs the smallest other line; when even all sensitive grants together are fewer, nothing
/// is published (no line, no total).
fn confidential_cells(grants: &[&GrantRow]) -> Vec<PublicCell> {
    #[derive(Default, Clone)]
    struct Cell {
        grants: BTreeSet<String>,
        processes: BTreeSet<String>,
        committed: i64,
    }
    impl Cell {
        fn merge(&mut self, o: &Cell) {
            self.grants.extend(o.grants.iter().cloned());
            self.processes.extend(o.processes.iter().cloned());
            self.committed += o.committed;
        }
    }
    // (continent, sub-region) → cell
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for g in grants {
        let m = g.money();
        let countries: Vec<String> = if g.countries.is_empty() {
            vec![String::new()]
        } else {
            g.countries.clone()
        };
        for (c, part) in countries.iter().zip(split(m.committed, countries.len())) {
            let continent = reference::country(c)
                .map(|x| x.region.clone())
                .unwrap_or_default();
            let sub = reference::region_of(c).unwrap_or("").to_string();
            let cell = cells.entry((continent, sub)).or_default();
            cell.grants.insert(g.id.clone());
            // A grant without a process still stands for one (unnamed) process.
            if g.process_ids.is_empty() {
                cell.processes.insert(format!("grant:{}", g.id));
            } else {
                cell.processes.extend(g.process_ids.iter().cloned());
            }
            cell.committed += part;
        }
    }
    let mut lines: Vec<(String, Cell)> = Vec::new();
    let mut by_continent: BTreeMap<String, Cell> = BTreeMap::new();
    for ((continent, sub), cell) in cells {
        if cell.grants.len() >= MIN_PUBLIC_CELL && !sub.is_empty() {
            lines.push((sub, cell));
        } else {
            by_continent.entry(continent).or_default().merge(&cell);
        }
    }
    let mut elsewhere = Cell::default();
    for (continent, cell) in by_continent {
        if cell.grants.len() >= MIN_PUBLIC_CELL && !continent.is_empty() {
            lines.push((continent, cell));
        } else {
            elsewhere.merge(&cell);
        }
    }
    if !elsewhere.grants.is_empty() && elsewhere.grants.len() < MIN_PUBLIC_CELL {
        // The total minus the other lines would give "elsewhere" away: merge the smallest line in.
        let smallest = lines
            .iter()
            .enumerate()
            .min_by_key(|(_, (region, c))| (c.grants.len(), c.committed, region.clone()))
            .map(|(i, _)| i);
        if let Some(i) = smallest {
            let (_, cell) = lines.remove(i);
            elsewhere.merge(&cell);
        }
    }
    if elsewhere.grants.len() >= MIN_PUBLIC_CELL {
        lines.push((String::new(), elsewhere));
    } else if !elsewhere.grants.is_empty() {
        // Too few sensitive grants in all: publish no amount at all.
        return Vec::new();
    }
    lines
        .into_iter()
        .map(|(region, c)| PublicCell {
            line: ConfidentialLine {
                region,
                processes: c.processes.len() as i64,
                grants: c.grants.len() as i64,
                committed_rounded: round_public(c.committed),
            },
            grants: c.grants,
        })
        .collect()
}

impl Access {
    fn fundrep_check_reader(&self) -> Result<()> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::FundApplication))
            || !self.may(Action::Read, Resource::kind(ResourceKind::FundTransaction))
        {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn fundrep_instruments(&self) -> Result<HashMap<String, Instrument>> {
        let rows = sqlx::query(
            "SELECT id, code, name, oda, max_months, grant_ceiling, fast_track_threshold, fast_target_days, standard_target_days FROM fund_instruments",
        )
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| instrument_from_row(r).map(|i| (i.id.clone(), i)))
            .collect()
    }

    async fn fundrep_resolve_filter(
        &self,
        filter: &FundReportFilter,
        instruments: &HashMap<String, Instrument>,
    ) -> Result<Option<String>> {
        if let Some(y) = filter.year
            && !(2000..=2100).contains(&y)
        {
            return Err(StoreError::invalid(
                "year",
                "a fiscal year between 2000 and 2100",
            ));
        }
        match filter
            .instrument
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(None),
            Some(i) => instruments
                .values()
                .find(|x| x.id == i || x.code.eq_ignore_ascii_case(i))
                .map(|x| Some(x.id.clone()))
                .ok_or_else(|| {
                    StoreError::invalid("instrument", format!("there is no instrument '{i}'"))
                }),
        }
    }

    /// The applications (with their money) the asker may read, filtered, re-checked per row.
    async fn fundrep_visible(
        &self,
        year: Option<i32>,
        instrument: Option<&str>,
    ) -> Result<Vec<GrantRow>> {
        let mut f = Where::default();
        f.visibility(self, "");
        if let Some(org) = organisation_bound(&self.subject, ResourceKind::FundApplication) {
            f.push("partner = ?", Bind::Text(org.to_string()));
        }
        if let Some(y) = year {
            f.push("fiscal_year = ?", Bind::Int(y as i64));
        }
        f.push_text("instrument_id = ?", instrument);
        let rows = f
            .query(format!("{GRANT_SQL}{}", f.sql()))
            .fetch_all(&self.store.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let g = grant_from_row(r)?;
            // Every role that reads the fund's transactions also reads its applications.
            let res =
                Resource::of_organisation(ResourceKind::FundTransaction, &g.labels, &g.partner);
            if !self.may(Action::Read, res) {
                return Err(StoreError::Integrity(format!(
                    "visibility filter returned fund-application {} that the policy denies",
                    g.id
                )));
            }
            out.push(g);
        }
        Ok(out)
    }

    /// Budgets and ceilings per instrument-year, with what is used — for staff, not partners.
    async fn fundrep_budgets(
        &self,
        year: Option<i32>,
        instrument: Option<&str>,
        instruments: &HashMap<String, Instrument>,
    ) -> Result<Vec<BudgetUse>> {
        if organisation_bound(&self.subject, ResourceKind::FundApplication).is_some()
            || !self.may(Action::Read, Resource::kind(ResourceKind::Instrument))
        {
            return Ok(Vec::new());
        }
        let mut f = Where::default();
        if let Some(y) = year {
            f.push("c.year = ?", Bind::Int(y as i64));
        }
        f.push_text("c.instrument_id = ?", instrument);
        let rows = f
            .query(format!(
                "SELECT c.instrument_id, c.year, c.scope, c.key, c.amount, COALESCE(b.balance, 0) AS available, COALESCE(e.amount, 0) AS used FROM fund_ceilings c LEFT JOIN ledger_balances b ON c.scope = 'budget' AND b.account = 'available:' || c.instrument_id || ':' || CAST(c.year AS TEXT) LEFT JOIN fund_exposure e ON e.instrument_id = c.instrument_id AND e.year = c.year AND e.scope = c.scope AND e.key = c.key{} ORDER BY c.year DESC, c.instrument_id, c.scope, c.key",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let mut out: BTreeMap<(i64, String), BudgetUse> = BTreeMap::new();
        for r in &rows {
            let id: String = r.try_get("instrument_id")?;
            let year: i64 = r.try_get("year")?;
            let scope: String = r.try_get("scope")?;
            let amount: i64 = r.try_get("amount")?;
            let b = out.entry((-year, id.clone())).or_insert_with(|| BudgetUse {
                instrument_code: instruments
                    .get(&id)
                    .map(|i| i.code.clone())
                    .unwrap_or_default(),
                instrument_id: id.clone(),
                year: year as i32,
                budget: 0,
                used: 0,
                available: 0,
                ceilings: Vec::new(),
            });
            if scope == "budget" {
                let available: i64 = r.try_get("available")?;
                b.budget = amount;
                b.available = available;
                b.used = amount - available;
            } else {
                b.ceilings
                    .push((scope, r.try_get("key")?, amount, r.try_get("used")?));
            }
        }
        Ok(out.into_values().collect())
    }

    async fn fundrep_audit_aggregate(&self, action: &str, rows: &[&GrantRow]) -> Result<()> {
        let audited: Vec<&str> = rows
            .iter()
            .filter(|g| g.labels.classification.read_is_audited())
            .map(|g| g.id.as_str())
            .collect();
        if !audited.is_empty() {
            let detail = serde_json::json!({ "aggregated": audited }).to_string();
            self.audit_now(action, "fund-application", "", "ok", &detail)
                .await?;
        }
        Ok(())
    }

    /// Reports over the grants the asker may read: money by every dimension, budgets,
    /// decision times. Partners see only their own organisation's grants and no budgets.
    pub async fn fund_report(&self, filter: &FundReportFilter) -> Result<FundReport> {
        self.fundrep_check_reader()?;
        let instruments = self.fundrep_instruments().await?;
        let instrument = self.fundrep_resolve_filter(filter, &instruments).await?;
        let rows = self
            .fundrep_visible(filter.year, instrument.as_deref())
            .await?;
        let mut b = Breakdown::new();
        for g in rows.iter().filter(|g| g.is_grant()) {
            b.add(g, &instruments);
        }
        let all: Vec<&GrantRow> = rows.iter().collect();
        let times = decision_times(&all, &instruments, now_micros());
        let budgets = self
            .fundrep_budgets(filter.year, instrument.as_deref(), &instruments)
            .await?;
        self.fundrep_audit_aggregate("fund.report", &all).await?;
        Ok(FundReport {
            filter: filter.clone(),
            applications: rows.len() as i64,
            total: b.total,
            by_country: b.country.finish(),
            by_region: b.region.finish(),
            by_theme: b.theme.finish(),
            by_track: b.track.finish(),
            by_partner: b.partner.finish(),
            by_instrument: b.instrument.finish(),
            by_year: {
                let mut y = b.year.finish();
                y.sort_by(|a, b| b.key.cmp(&a.key));
                y
            },
            budgets,
            decisions: track_times(&times, &instruments),
            decision_times: times,
            benchmark_days: BENCHMARK_DAYS,
        })
    }

    /// The dashboard: decision times against targets, open applications and budget use.
    pub async fn fund_dashboard(&self, year: Option<i32>) -> Result<FundDashboard> {
        self.fundrep_check_reader()?;
        let instruments = self.fundrep_instruments().await?;
        self.fundrep_resolve_filter(
            &FundReportFilter {
                year,
                instrument: None,
            },
            &instruments,
        )
        .await?;
        let rows = self.fundrep_visible(year, None).await?;
        let all: Vec<&GrantRow> = rows.iter().collect();
        let times = decision_times(&all, &instruments, now_micros());
        let mut states: BTreeMap<&str, i64> = BTreeMap::new();
        for g in &rows {
            *states.entry(g.state.as_str()).or_default() += 1;
        }
        let states = fund::STATES
            .iter()
            .map(|s| (s.code.to_string(), states.get(s.code).copied().unwrap_or(0)))
            .collect();
        let budgets = self.fundrep_budgets(year, None, &instruments).await?;
        self.fundrep_audit_aggregate("fund.dashboard", &all).await?;
        Ok(FundDashboard {
            decisions: track_times(&times, &instruments),
            benchmark_days: BENCHMARK_DAYS,
            open: times.into_iter().filter(|t| !t.decided).collect(),
            states,
            budgets,
        })
    }

    pub(crate) async fn fundrep_processes(&self) -> Result<HashMap<String, ProcessInfo>> {
        let rows = sqlx::query(
            "SELECT id, title, codename, countries, classification, compartment_id FROM processes",
        )
        .fetch_all(&self.store.pool)
        .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let comp: Option<String> = r.try_get("compartment_id")?;
            let title: String = r.try_get("title")?;
            let codename: Option<String> = r.try_get("codename")?;
            out.insert(
                r.try_get::<String, _>("id")?,
                ProcessInfo {
                    name: codename.filter(|c| !c.is_empty()).unwrap_or(title),
                    countries: list(&r.try_get::<String, _>("countries")?),
                    labels: Labels {
                        classification: Classification::from_level(r.try_get("classification")?)?,
                        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
                    },
                },
            );
        }
        Ok(out)
    }

    /// The annual overview for Parliament. Staff who may read every grant of the year and every
    /// process linked to it get the full version unless they ask for the public one; everyone
    /// else gets the public version, in which sensitive grants appear only as rounded totals per
    /// region. Partners and roles without access to the fund get 404.
    pub async fn fund_parliament(
        &self,
        year: i32,
        want_public: bool,
    ) -> Result<ParliamentOverview> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::FundApplication))
            || organisation_bound(&self.subject, ResourceKind::FundApplication).is_some()
        {
            return Err(StoreError::NotFound);
        }
        if !(2000..=2100).contains(&year) {
            return Err(StoreError::invalid(
                "year",
                "a fiscal year between 2000 and 2100",
            ));
        }
        let instruments = self.fundrep_instruments().await?;
        let processes = self.fundrep_processes().await?;
        // The publication covers every grant of the year, whoever asks.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{GRANT_SQL} WHERE a.fiscal_year = $1 AND a.state IN ('approved', 'closed')"
        )))
        .bind(year as i64)
        .fetch_all(&self.store.pool)
        .await?;
        let grants = rows
            .iter()
            .map(grant_from_row)
            .collect::<Result<Vec<_>>>()?;
        let sensitive_grant = |g: &GrantRow| {
            is_sensitive(&g.labels)
                || g.process_ids.iter().any(|p| {
                    processes
                        .get(p)
                        .is_none_or(|info| is_sensitive(&info.labels))
                })
        };
        let may_read_all = self.may(Action::Read, Resource::kind(ResourceKind::FundTransaction))
            && grants.iter().all(|g| {
                self.may(
                    Action::Read,
                    Resource::of_organisation(ResourceKind::FundTransaction, &g.labels, &g.partner),
                ) && g.process_ids.iter().all(|p| {
                    processes.get(p).is_some_and(|info| {
                        self.may(
                            Action::Read,
                            Resource::labelled(ResourceKind::Process, &info.labels),
                        )
                    })
                })
            });
        let public = want_public || !may_read_all;
        let (open, hidden): (Vec<&GrantRow>, Vec<&GrantRow>) = if public {
            grants.iter().partition(|g| !sensitive_grant(g))
        } else {
            (grants.iter().collect(), Vec::new())
        };
        let mut b = Breakdown::new();
        for g in &open {
            b.add(g, &instruments);
        }
        let mut supported: BTreeMap<String, SupportedProcess> = BTreeMap::new();
        let mut without = 0;
        for g in &open {
            if g.process_ids.is_empty() {
                without += 1;
            }
            let n = g.process_ids.len();
            for (p, part) in g
                .process_ids
                .iter()
                .zip(split(g.money().committed, n.max(1)))
            {
                let Some(info) = processes.get(p) else {
                    continue;
                };
                let s = supported
                    .entry(p.clone())
                    .or_insert_with(|| SupportedProcess {
                        id: p.clone(),
                        name: info.name.clone(),
                        countries: info.countries.clone(),
                        grants: 0,
                        committed: 0,
                        labels: info.labels.clone(),
                    });
                s.grants += 1;
                s.committed += part;
            }
        }
        let mut processes_supported: Vec<SupportedProcess> = supported.into_values().collect();
        processes_supported.sort_by(|a, b| b.committed.cmp(&a.committed).then(a.name.cmp(&b.name)));
        let times = decision_times(&open, &instruments, now_micros());
        let (confidential, confidential_total) = if public {
            confidential_publication(&hidden)
        } else {
            (Vec::new(), None)
        };
        let detail = serde_json::json!({
            "year": year,
            "version": if public { "public" } else { "full" },
            "aggregated": if public { Vec::new() } else {
                grants.iter().filter(|g| g.labels.classification.read_is_audited()).map(|g| g.id.as_str()).collect::<Vec<_>>()
            },
            "sensitive_grants": hidden.len(),
        })
        .to_string();
        self.audit_now("fund.parliament", "fund-application", "", "ok", &detail)
            .await?;
        Ok(ParliamentOverview {
            year,
            public,
            full_allowed: may_read_all,
            total: b.total,
            by_country: b.country.finish(),
            by_region: b.region.finish(),
            by_theme: b.theme.finish(),
            by_instrument: b.instrument.finish(),
            processes: processes_supported,
            grants_without_process: without,
            decisions: track_times(&times, &instruments),
            benchmark_days: BENCHMARK_DAYS,
            confidential,
            confidential_total,
            confidential_grants: hidden.len() as i64,
        })
    }

    /// The report as one long table (dimension, key, label, grants, committed, disbursed,
    /// refunded, outstanding in EUR), CSV or XLSX; asks for `export` and audits it.
    pub async fn export_fund_report(
        &self,
        filter: &FundReportFilter,
        format: TableFormat,
    ) -> Result<Vec<u8>> {
        self.fundrep_check_reader()?;
        self.authorize(
            Action::Export,
            Resource::kind(ResourceKind::FundTransaction),
            None,
        )
        .await?;
        let r = self.fund_report(filter).await?;
        let mut rows = vec![
            REPORT_HEADER
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        ];
        let eur = |c: i64| fund::format_amount(c, "EUR");
        let mut push = |dim: &str, row: &ReportRow| {
            rows.push(vec![
                dim.to_string(),
                row.key.clone(),
                row.label.clone(),
                row.grants.to_string(),
                eur(row.committed),
                eur(row.disbursed),
                eur(row.refunded),
                eur(row.outstanding),
            ]);
        };
        push("total", &r.total);
        for (dim, list) in [
            ("country", &r.by_country),
            ("region", &r.by_region),
            ("theme", &r.by_theme),
            ("track", &r.by_track),
            ("partner", &r.by_partner),
            ("instrument", &r.by_instrument),
            ("year", &r.by_year),
        ] {
            for row in list {
                push(dim, row);
            }
        }
        let bytes = crate::roster::write_table(&rows, format, "Fund report")?;
        let detail = serde_json::json!({
            "format": format.extension(), "year": filter.year, "instrument": filter.instrument,
            "rows": rows.len() - 1, "grants": r.total.grants,
        })
        .to_string();
        self.audit_now("fund.report.export", "fund-application", "", "ok", &detail)
            .await?;
        Ok(bytes)
    }
}

/// Columns of the report export (HXL hashtags in the second header line are left out: the
/// amounts are decimals in EUR).
pub const REPORT_HEADER: &[&str] = &[
    "dimension",
    "key",
    "label",
    "grants",
    "committed_eur",
    "disbursed_eur",
    "refunded_eur",
    "outstanding_eur",
];

impl Access {
    /// Records many payments (disbursements, refunds, de-commitments) in one write transaction,
    /// through the same ledger path as [`Access::record_payment`]: authorisation per grant, the
    /// same validation, postings, balance and ceiling checks, an audit entry and a change-feed
    /// row per ledger transaction. All or nothing. The bulk path of `grotius bench fund` (and
    /// of loading a historic ledger).
    pub async fn record_payments_bulk(
        &self,
        items: &[(String, super::PaymentInput)],
    ) -> Result<usize> {
        let mut apps: HashMap<String, fund::Application> = HashMap::new();
        let mut moves = Vec::with_capacity(items.len());
        for (app_id, input) in items {
            if !apps.contains_key(app_id) {
                let a = self.get_application(app_id).await?;
                self.authorize(
                    Action::Create,
                    Resource::of_organisation(ResourceKind::FundTransaction, &a.labels, &a.partner),
                    Some(&a.id),
                )
                .await?;
                apps.insert(app_id.clone(), a);
            }
            let a = &apps[app_id];
            let kind = input.kind.trim();
            if !matches!(kind, "disbursement" | "refund" | "decommitment") {
                return Err(StoreError::invalid(
                    "kind",
                    format!("'{kind}' is not one of: disbursement, refund, decommitment"),
                ));
            }
            if !matches!(a.state.as_str(), "approved" | "closed")
                || (a.state == "closed" && kind != "refund")
            {
                return Err(StoreError::Conflict(format!(
                    "application {} is {}; payments need an approved grant",
                    a.reference, a.state
                )));
            }
            let currency = fund::parse_currency(&input.currency)?;
            let amount = fund::parse_amount(&input.amount, &currency, "amount")?;
            if amount == 0 {
                return Err(StoreError::invalid(
                    "amount",
                    "the amount must be above zero",
                ));
            }
            let rate = if currency == "EUR" {
                fund::RATE_SCALE
            } else {
                fund::parse_rate(&input.rate)?
            };
            let value_date = input.value_date.trim().to_string();
            if grotius_domain::roster::parse_date(&value_date).is_none() {
                return Err(StoreError::invalid(
                    "value_date",
                    format!("'{value_date}' is not a date (YYYY-MM-DD)"),
                ));
            }
            let eur = fund::to_eur_cents(amount, &currency, rate);
            moves.push((
                app_id.clone(),
                kind.to_string(),
                currency,
                amount,
                rate,
                eur,
                value_date,
                input.memo.trim().to_string(),
            ));
        }
        let mut tx = self.store.write_tx().await?;
        for (app_id, kind, currency, amount, rate, eur, value_date, memo) in &moves {
            let a = &apps[app_id];
            super::ledger::lock_year(&mut tx, &self.store, &a.instrument_id, a.fiscal_year).await?;
            super::ledger::post(
                &mut tx,
                self,
                super::ledger::Movement {
                    kind,
                    instrument_id: &a.instrument_id,
                    year: a.fiscal_year,
                    application: Some(a),
                    currency,
                    amount: *amount,
                    rate: *rate,
                    eur: *eur,
                    value_date,
                    memo,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moves.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_add_up() {
        assert_eq!(split(100, 3), vec![34, 33, 33]);
        assert_eq!(split(-5, 2), vec![-2, -3]);
        assert_eq!(split(7, 1), vec![7]);
        assert_eq!(split(-5, 2).iter().sum::<i64>(), -5);
    }

    #[test]
    fn public_rounding_is_coarse() {
        assert_eq!(round_public(12_345_678), 10_000_000);
        assert_eq!(round_public(4_999_999), 0);
        assert_eq!(round_public(115_000_000), 120_000_000);
    }

    fn grant(id: usize, countries: &[&str], committed: i64) -> GrantRow {
        GrantRow {
            id: format!("g{id}"),
            reference: format!("R-{id}"),
            title: String::new(),
            instrument_id: "i".into(),
            fiscal_year: 2026,
            partner: String::new(),
            track: "fast".into(),
            state: "approved".into(),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            themes: Vec::new(),
            process_ids: vec![format!("p{}", id % 3)],
            labels: Labels {
                classification: Classification::Secret,
                compartment: None,
            },
            submitted_at: None,
            decided_at: None,
            outstanding: committed,
            disbursed_net: 0,
            refunded: 0,
        }
    }

    /// What anyone can compute from the publication must cover at least [`MIN_PUBLIC_CELL`]
    /// grants: every line, the total, and the total minus any set of lines.
    fn assert_no_small_figure(grants: &[GrantRow]) {
        let refs: Vec<&GrantRow> = grants.iter().collect();
        let cells = confidential_cells(&refs);
        let (lines, total) = confidential_publication(&refs);
        let what = || {
            grants
                .iter()
                .map(|g| format!("{}:{:?}:{}", g.id, g.countries, g.money().committed))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(lines.len(), cells.len());
        if grants.is_empty() {
            assert_eq!((lines.len(), total), (0, Some(0)));
            return;
        }
        if lines.is_empty() {
            assert_eq!(total, None, "no line but a total for {}", what());
            assert!(
                grants.len() < MIN_PUBLIC_CELL,
                "{} suppressed entirely",
                what()
            );
            return;
        }
        let total = total.unwrap_or_else(|| panic!("lines but no total for {}", what()));
        assert_eq!(
            total,
            lines.iter().map(|l| l.committed_rounded).sum::<i64>(),
            "the total is not the sum of the lines for {}",
            what()
        );
        let all: BTreeSet<String> = grants.iter().map(|g| g.id.clone()).collect();
        let covered: BTreeSet<String> = cells.iter().flat_map(|c| c.grants.clone()).collect();
        assert_eq!(covered, all, "grants outside every line: {}", what());
        for c in &cells {
            assert_eq!(c.line.grants as usize, c.grants.len());
        }
        // The total minus every subset of lines (the empty subset: the total; all but one: a line).
        let k = cells.len();
        assert!(k <= 16, "{k} lines");
        for subset in 0u32..(1 << k) {
            let rest: BTreeSet<&String> = (0..k)
                .filter(|i| subset & (1 << i) == 0)
                .flat_map(|i| cells[i].grants.iter())
                .collect();
            assert!(
                rest.is_empty() || rest.len() >= MIN_PUBLIC_CELL,
                "the total minus lines {subset:b} isolates {} grant(s) {rest:?}: {}",
                rest.len(),
                what()
            );
        }
    }

    /// The review's case: three grants in Eastern Africa and one in Colombia. Publishing Eastern
    /// Africa and a separately rounded total gave Colombia's grant away by subtraction.
    #[test]
    fn a_single_grant_is_not_recovered_by_subtraction() {
        let grants = vec![
            grant(1, &["KE"], 21_000_000),
            grant(2, &["ET"], 12_345_600),
            grant(3, &["SO"], 9_753_178),
            grant(4, &["CO"], 4_567_800),
        ];
        assert_no_small_figure(&grants);
        let refs: Vec<&GrantRow> = grants.iter().collect();
        let (lines, total) = confidential_publication(&refs);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!((lines[0].region.as_str(), lines[0].grants), ("", 4));
        assert_eq!(total, Some(lines[0].committed_rounded));
        // Two grants: no amount at all.
        let (lines, total) = confidential_publication(&refs[..2]);
        assert!(lines.is_empty() && total.is_none(), "{lines:?} {total:?}");
    }

    #[test]
    fn no_published_figure_isolates_fewer_than_the_minimum_cell() {
        // Countries in several sub-regions and continents, one unknown, and none.
        const PLACES: &[&[&str]] = &[
            &["KE"],
            &["ET"],
            &["ML"],
            &["CO"],
            &["YE"],
            &["UA"],
            &[],
            &["KE", "CO"],
            &["ML", "NE", "YE"],
            &["ZZ"],
        ];
        // Every assignment of up to four grants to the places.
        let p = PLACES.len();
        for n in 0..=4usize {
            for code in 0..p.pow(n as u32) {
                let grants: Vec<GrantRow> = (0..n)
                    .map(|i| {
                        let place = PLACES[(code / p.pow(i as u32)) % p];
                        grant(i, place, 1_000_000 * (i as i64 + 1) + 7)
                    })
                    .collect();
                assert_no_small_figure(&grants);
            }
        }
        // Random sets: up to 14 grants anywhere, amounts from a cent to EUR 5 million.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        for _ in 0..3000 {
            let n = next(15) as usize;
            let grants: Vec<GrantRow> = (0..n)
                .map(|i| {
                    let place = PLACES[next(PLACES.len() as u64) as usize];
                    let amount = match next(3) {
                        0 => 1 + next(100) as i64,
                        1 => next(10_000_000) as i64,
                        _ => next(500_000_000) as i64,
                    };
                    grant(i, place, amount)
                })
                .collect();
            assert_no_small_figure(&grants);
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3.0));
        assert_eq!(median(&[1, 2, 4, 10]), Some(3.0));
    }
}
