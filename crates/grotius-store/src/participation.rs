//! Women's participation per process (WPS): records labelled at least as strictly as their
//! process, shares per process and across processes — always computed over the records the
//! asker may read, of processes the asker may list — and CSV/XLSX exports, audited.

use std::collections::{HashMap, HashSet};

use grotius_domain::participation::{
    self as wps, CrossRole, Participation, ParticipationInput, RoleTally, Tally,
};
use grotius_domain::process::Process;
use grotius_domain::reference::{self, PROCESS_STATUSES};
use grotius_domain::{Action, Classification, CompartmentId, Labels, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::db::Bind;
use crate::list::List;
use crate::process::record_change;
use crate::roster::TableFormat;
use crate::{Access, ProcessFilter, Result, StoreError, new_id};

const COLS: &str = "id, process_id, role, sex, seniority, party, actor_id, round, date, count, classification, compartment_id, created_at, updated_at";

/// Filters of the cross-process view.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ParticipationFilter {
    /// A UN M49 region or sub-region ("Africa", "Eastern Africa") of any country of the process.
    pub region: Option<String>,
    /// Records dated in this year (records without a date are left out when a year is asked).
    pub year: Option<i64>,
    /// Status of the process.
    pub status: Option<String>,
}

/// The shares of one process.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessShares {
    pub process_id: String,
    /// Codename where one is set.
    pub process_name: String,
    /// Only records of this round, when asked.
    pub round: Option<String>,
    /// The rounds recorded for this process (for choosing one).
    pub rounds: Vec<String>,
    pub roles: Vec<RoleTally>,
    /// Every role together.
    pub all: Tally,
}

/// The shares across every process the asker may read (and that match the filter).
#[derive(Debug, Clone, Serialize)]
pub struct CrossShares {
    /// Processes with at least one record, in the order of their names.
    pub processes: Vec<ProcessShares>,
    /// Visible processes matching the filter, with or without records.
    pub processes_considered: usize,
    pub roles: Vec<CrossRole>,
}

/// What an export is about.
#[derive(Debug, Clone)]
pub enum ExportScope {
    Process { id: String, round: Option<String> },
    Across(ParticipationFilter),
}

/// Which table an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTable {
    Shares,
    Records,
}

impl ExportTable {
    pub fn parse(s: &str) -> Result<ExportTable> {
        match s.trim() {
            "" | "shares" => Ok(ExportTable::Shares),
            "records" => Ok(ExportTable::Records),
            other => Err(StoreError::invalid(
                "what",
                format!("'{other}' is not an export; use shares or records"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportTable::Shares => "shares",
            ExportTable::Records => "records",
        }
    }
}

/// The header of the shares export (one row per role, and per role and seniority).
pub const SHARES_HEADER: &[&str] = &[
    "scope",
    "process_id",
    "process",
    "role",
    "seniority",
    "total",
    "women",
    "men",
    "not_recorded",
    "share_women_pct",
    "mean_share_women_pct",
    "processes",
    "processes_without_women",
];

pub const RECORDS_HEADER: &[&str] = &[
    "id",
    "process_id",
    "process",
    "role",
    "sex",
    "seniority",
    "party",
    "actor_id",
    "round",
    "date",
    "count",
    "classification",
    "compartment",
];

enum Cell {
    Text(String),
    Int(i64),
    Num(Option<f64>),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn labels_of(row: &sqlx::any::AnyRow) -> Result<Labels> {
    let comp: Option<String> = row.try_get("compartment_id")?;
    Ok(Labels {
        classification: Classification::from_level(row.try_get("classification")?)?,
        compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
    })
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Participation> {
    Ok(Participation {
        id: row.try_get("id")?,
        process_id: row.try_get("process_id")?,
        role: row.try_get("role")?,
        sex: row.try_get("sex")?,
        seniority: row.try_get("seniority")?,
        party: row.try_get("party")?,
        actor_id: row.try_get("actor_id")?,
        actor_name: None,
        round: row.try_get("round")?,
        date: row.try_get("date")?,
        count: row.try_get("count")?,
        labels: labels_of(row)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn rounds_of(records: &[Participation]) -> Vec<String> {
    let mut r: Vec<String> = records
        .iter()
        .map(|p| p.round.clone())
        .filter(|r| !r.is_empty())
        .collect();
    r.sort();
    r.dedup();
    r
}

fn shares_of(process: &Process, round: Option<&str>, records: &[Participation]) -> ProcessShares {
    let rounds = rounds_of(records);
    let chosen: Vec<&Participation> = records
        .iter()
        .filter(|p| round.is_none_or(|r| p.round == r))
        .collect();
    let roles = wps::summarise(chosen.iter().copied());
    let mut all = Tally::default();
    for r in &roles {
        all.merge(&r.tally);
    }
    ProcessShares {
        process_id: process.id.clone(),
        process_name: process.display_name().to_string(),
        round: round.map(str::to_string),
        rounds,
        roles,
        all,
    }
}

fn share_rows(scope: &str, s: &ProcessShares) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for r in &s.roles {
        let mut push = |seniority: &str, t: &Tally| {
            rows.push(vec![
                text(scope),
                text(&s.process_id),
                text(&s.process_name),
                text(&r.role),
                text(seniority),
                Cell::Int(t.total),
                Cell::Int(t.women),
                Cell::Int(t.men),
                Cell::Int(t.not_recorded),
                Cell::Num(t.share()),
                Cell::Num(None),
                Cell::Num(None),
                Cell::Num(None),
            ]);
        };
        push("all", &r.tally);
        for (sen, t) in &r.by_seniority {
            push(sen, t);
        }
    }
    rows
}

fn cross_rows(c: &CrossRole) -> Vec<Vec<Cell>> {
    let mut rows = vec![vec![
        text("all processes"),
        text(""),
        text(""),
        text(&c.role),
        text("all"),
        Cell::Int(c.pooled.total),
        Cell::Int(c.pooled.women),
        Cell::Int(c.pooled.men),
        Cell::Int(c.pooled.not_recorded),
        Cell::Num(c.pooled_share),
        Cell::Num(c.mean_share),
        Cell::Int(c.processes as i64),
        Cell::Int(c.processes_without_women as i64),
    ]];
    for (sen, t) in &c.by_seniority {
        rows.push(vec![
            text("all processes"),
            text(""),
            text(""),
            text(&c.role),
            text(sen),
            Cell::Int(t.total),
            Cell::Int(t.women),
            Cell::Int(t.men),
            Cell::Int(t.not_recorded),
            Cell::Num(t.share()),
            Cell::Num(None),
            Cell::Num(None),
            Cell::Num(None),
        ]);
    }
    rows
}

fn write(header: &[&str], rows: &[Vec<Cell>], format: TableFormat, sheet: &str) -> Result<Vec<u8>> {
    match format {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let err = |e: csv::Error| StoreError::Integrity(format!("CSV export: {e}"));
            w.write_record(header).map_err(err)?;
            for r in rows {
                w.write_record(r.iter().map(|c| match c {
                    Cell::Text(s) => s.clone(),
                    Cell::Int(i) => i.to_string(),
                    Cell::Num(Some(f)) => format!("{f:.1}"),
                    Cell::Num(None) => String::new(),
                }))
                .map_err(err)?;
            }
            w.into_inner()
                .map_err(|e| StoreError::Integrity(format!("CSV export: {e}")))
        }
        TableFormat::Xlsx => {
            let xerr =
                |e: rust_xlsxwriter::XlsxError| StoreError::Integrity(format!("XLSX export: {e}"));
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name(sheet).map_err(xerr)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(xerr)?;
            }
            for (r, row) in rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                        Cell::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                        Cell::Num(Some(f)) => ws.write_number(r, c, *f).map(|_| ()),
                        Cell::Num(None) => Ok(()),
                    }
                    .map_err(xerr)?;
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            wb.save_to_buffer().map_err(xerr)
        }
    }
}

crate::list::listed!(Participation);

impl Access {
    /// Names of the actors among `ids` that the subject may see.
    async fn wps_visible_actor_names(&self, ids: &[String]) -> Result<HashMap<String, String>> {
        let mut ids: Vec<&String> = ids.iter().collect();
        ids.sort();
        ids.dedup();
        let mut out = HashMap::new();
        if ids.is_empty() || !self.may(Action::Read, Resource::kind(ResourceKind::Actor)) {
            return Ok(out);
        }
        for chunk in ids.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, name, classification, compartment_id FROM actors WHERE id IN ({})",
                ph.join(", ")
            )));
            for id in chunk {
                q = q.bind((*id).clone());
            }
            for row in q.fetch_all(&self.store.pool).await? {
                let labels = labels_of(&row)?;
                if self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Actor, &labels),
                ) {
                    out.insert(row.try_get("id")?, row.try_get("name")?);
                }
            }
        }
        Ok(out)
    }

    /// Hides linked actors the subject may not see (the link, not only the name).
    async fn wps_resolve_actors(&self, records: &mut [Participation]) -> Result<()> {
        let ids: Vec<String> = records.iter().filter_map(|r| r.actor_id.clone()).collect();
        let names = self.wps_visible_actor_names(&ids).await?;
        for r in records.iter_mut() {
            match r.actor_id.as_ref().and_then(|a| names.get(a)) {
                Some(name) => r.actor_name = Some(name.clone()),
                None => {
                    r.actor_id = None;
                    r.actor_name = None;
                }
            }
        }
        Ok(())
    }

    /// The records of the list, re-checked one by one, those the policy allows `action` on,
    /// with linked actors the subject may not see hidden.
    async fn participation_rows(&self, list: &List, action: Action) -> Result<Vec<Participation>> {
        let mut out = self.fetch_rows(list, None, from_row).await?;
        if action != Action::Read {
            out.retain(|p| {
                self.may(
                    action,
                    Resource::labelled(ResourceKind::Participation, &p.labels),
                )
            });
        }
        self.wps_resolve_actors(&mut out).await?;
        Ok(out)
    }

    /// The participation records of a process the subject may see (all rounds, or one).
    pub async fn list_participation(
        &self,
        process_id: &str,
        round: Option<&str>,
    ) -> Result<Vec<Participation>> {
        self.wps_process_records(process_id, round, Action::Read)
            .await
            .map(|(_, r)| r)
    }

    async fn wps_process_records(
        &self,
        process_id: &str,
        round: Option<&str>,
        action: Action,
    ) -> Result<(Process, Vec<Participation>)> {
        let process = self.get_process(process_id).await?;
        let mut list = self
            .list_of_process(
                ResourceKind::Participation,
                "participation",
                &process,
                action,
            )
            .await?
            .columns(COLS)
            .order("role, seniority, sex, created_at");
        list.filter.push_text("round = ?", round);
        let records = self.participation_rows(&list, action).await?;
        self.audit_list(&list, &records).await?;
        Ok((process, records))
    }

    /// One record (for its edit form); 404 unless the subject may see it and its process.
    pub async fn get_participation(&self, id: &str) -> Result<Participation> {
        let (p, _) = self.load_participation(id, Action::Read).await?;
        if p.labels.classification.read_is_audited() {
            self.audit_now("participation.read", "participation", id, "ok", "{}")
                .await?;
        }
        let mut one = vec![p];
        self.wps_resolve_actors(&mut one).await?;
        one.pop().ok_or(StoreError::NotFound)
    }

    async fn load_participation(
        &self,
        id: &str,
        action: Action,
    ) -> Result<(Participation, Process)> {
        let sql = format!("SELECT {COLS} FROM participation WHERE id = $1");
        let row = self.fetch_row(ResourceKind::Participation, sql, id).await?;
        let p = from_row(&row)?;
        // Labels of the record first (404 for those who may not see it), then the process.
        self.authorize(
            Action::Read,
            Resource::labelled(ResourceKind::Participation, &p.labels),
            Some(id),
        )
        .await?;
        let process = self.get_process(&p.process_id).await?;
        self.authorize(
            action,
            Resource::labelled(ResourceKind::Participation, &p.labels),
            Some(id),
        )
        .await?;
        Ok((p, process))
    }

    /// An actor link must name an actor the writer can see; others do not exist for it.
    async fn wps_check_actor(&self, actor: Option<&str>) -> Result<()> {
        if let Some(a) = actor {
            match self.get_actor(a).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid(
                        "actor_id",
                        format!("no such actor: {a}"),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    pub async fn create_participation(
        &self,
        process_id: &str,
        input: &ParticipationInput,
    ) -> Result<Participation> {
        let process = self.get_process(process_id).await?;
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Participation),
            None,
        )
        .await?;
        let v = input.validate(&process.labels)?;
        self.authorize_labels(Action::Create, ResourceKind::Participation, &v.labels, None)
            .await?;
        self.wps_check_actor(v.actor_id.as_deref()).await?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO participation (id, process_id, role, sex, seniority, party, actor_id, round, date, count,
                                        classification, compartment_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(&id)
        .bind(&process.id)
        .bind(&v.role)
        .bind(&v.sex)
        .bind(&v.seniority)
        .bind(&v.party)
        .bind(v.actor_id.clone())
        .bind(&v.round)
        .bind(v.date.clone())
        .bind(v.count)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "participation", &id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "role": v.role, "sex": v.sex,
            "seniority": v.seniority, "count": v.count, "classification": v.labels.classification})
        .to_string();
        self.audit_in(
            &mut tx,
            "participation.create",
            "participation",
            &id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.get_participation(&id).await
    }

    pub async fn update_participation(
        &self,
        id: &str,
        input: &ParticipationInput,
    ) -> Result<Participation> {
        let (current, process) = self.load_participation(id, Action::Update).await?;
        let v = input.validate(&process.labels)?;
        self.authorize_labels(
            Action::Update,
            ResourceKind::Participation,
            &v.labels,
            Some(id),
        )
        .await?;
        // Keeping a link to an actor the editor cannot see is allowed (the form does not show
        // it); a new link must name an actor the editor can see.
        let actor = match (&v.actor_id, &current.actor_id) {
            (Some(new), Some(old)) if new == old => Some(old.clone()),
            (Some(new), _) => {
                self.wps_check_actor(Some(new)).await?;
                Some(new.clone())
            }
            (None, _) => None,
        };
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "UPDATE participation SET role = $1, sex = $2, seniority = $3, party = $4, actor_id = $5, round = $6,
                    date = $7, count = $8, classification = $9, compartment_id = $10, updated_at = $11
             WHERE id = $12",
        )
        .bind(&v.role)
        .bind(&v.sex)
        .bind(&v.seniority)
        .bind(&v.party)
        .bind(actor)
        .bind(&v.round)
        .bind(v.date.clone())
        .bind(v.count)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.to_string()))
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, "participation", id, "upsert").await?;
        let detail = serde_json::json!({"process": process.id, "role": v.role, "sex": v.sex,
            "seniority": v.seniority, "count": v.count, "classification": v.labels.classification})
        .to_string();
        self.audit_in(
            &mut tx,
            "participation.update",
            "participation",
            id,
            "ok",
            &detail,
        )
        .await?;
        tx.commit().await?;
        self.get_participation(id).await
    }

    /// Deletes a record; returns its process id.
    pub async fn delete_participation(&self, id: &str) -> Result<String> {
        let (p, _) = self.load_participation(id, Action::Delete).await?;
        let mut tx = self.store.write_tx().await?;
        self.delete_participation_in(&mut tx, std::slice::from_ref(&p.id))
            .await?;
        tx.commit().await?;
        Ok(p.process_id)
    }

    /// Ids of a process's participation records, if the subject may delete every one of them
    /// (deleting a process takes its records along).
    pub(crate) async fn participation_to_delete_with(
        &self,
        process_id: &str,
    ) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT id, classification, compartment_id FROM participation WHERE process_id = $1",
        )
        .bind(process_id)
        .fetch_all(&self.store.pool)
        .await?;
        let mut ids = Vec::new();
        for r in &rows {
            if !self.may(
                Action::Delete,
                Resource::labelled(ResourceKind::Participation, &labels_of(r)?),
            ) {
                return Err(StoreError::Forbidden(
                    "this process holds participation records you may not delete; ask a colleague with the clearance".into(),
                ));
            }
            ids.push(r.try_get::<String, _>("id")?);
        }
        Ok(ids)
    }

    /// Deletes records in the caller's transaction, audited one by one.
    pub(crate) async fn delete_participation_in(
        &self,
        conn: &mut AnyConnection,
        ids: &[String],
    ) -> Result<()> {
        for id in ids {
            self.delete_row(conn, "participation", "participation", id, "{}")
                .await?;
        }
        Ok(())
    }

    /// Shares of one process (all rounds, or one round).
    pub async fn participation_summary(
        &self,
        process_id: &str,
        round: Option<&str>,
    ) -> Result<ProcessShares> {
        let round = round.map(str::trim).filter(|r| !r.is_empty());
        let (process, records) = self
            .wps_process_records(process_id, None, Action::Read)
            .await?;
        Ok(shares_of(&process, round, &records))
    }

    /// Every process the subject may list that matches the filter (status in SQL, region here).
    async fn wps_processes_for(&self, filter: &ParticipationFilter) -> Result<Vec<Process>> {
        let status = filter
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(s) = status {
            reference::term(PROCESS_STATUSES, "status", s)?;
        }
        let region = filter
            .region
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(r) = region
            && !reference::countries()
                .iter()
                .any(|c| c.region.eq_ignore_ascii_case(r) || c.sub_region.eq_ignore_ascii_case(r))
        {
            return Err(StoreError::invalid(
                "region",
                format!("'{r}' is not a UN M49 region or sub-region"),
            ));
        }
        let pf = ProcessFilter {
            status: status.map(str::to_string),
            ..Default::default()
        };
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.list_processes(&pf, 500, offset).await?;
            let n = page.items.len() as i64;
            out.extend(page.items.into_iter().filter(|p| {
                region.is_none_or(|r| {
                    p.countries.iter().any(|c| {
                        reference::country(c).is_some_and(|c| {
                            c.region.eq_ignore_ascii_case(r) || c.sub_region.eq_ignore_ascii_case(r)
                        })
                    })
                })
            }));
            offset += n;
            if n == 0 || offset >= page.total {
                break;
            }
        }
        Ok(out)
    }

    /// Records of the processes the subject may list, matching the filter.
    async fn wps_across_records(
        &self,
        filter: &ParticipationFilter,
        action: Action,
    ) -> Result<(Vec<Process>, Vec<Participation>)> {
        let mut list = self
            .list_under_processes(ResourceKind::Participation, "participation", action)
            .await?
            .columns(COLS)
            .order("role, seniority, sex, created_at");
        if let Some(y) = filter.year
            && !(1900..=2100).contains(&y)
        {
            return Err(StoreError::invalid("year", "a year from 1900 to 2100"));
        }
        let processes = self.wps_processes_for(filter).await?;
        let allowed: HashSet<&str> = processes.iter().map(|p| p.id.as_str()).collect();
        if let Some(y) = filter.year {
            list.filter
                .push("date LIKE ?", Bind::Text(format!("{y:04}-%")));
        }
        let mut records = self.participation_rows(&list, action).await?;
        // Only records of processes the subject may list: never a number from an invisible one.
        records.retain(|r| allowed.contains(r.process_id.as_str()));
        Ok((processes, records))
    }

    fn wps_cross_from(processes: &[Process], records: &[Participation]) -> CrossShares {
        let mut by_process: HashMap<&str, Vec<Participation>> = HashMap::new();
        for r in records {
            by_process
                .entry(r.process_id.as_str())
                .or_default()
                .push(r.clone());
        }
        let mut shares: Vec<ProcessShares> = processes
            .iter()
            .filter_map(|p| {
                by_process
                    .get(p.id.as_str())
                    .map(|rs| shares_of(p, None, rs))
            })
            .collect();
        shares.sort_by(|a, b| a.process_name.cmp(&b.process_name));
        let per: Vec<Vec<RoleTally>> = shares.iter().map(|s| s.roles.clone()).collect();
        CrossShares {
            roles: wps::across(&per),
            processes: shares,
            processes_considered: processes.len(),
        }
    }

    /// Shares across every process the subject may list (pooled and averaged per process).
    pub async fn participation_across(&self, filter: &ParticipationFilter) -> Result<CrossShares> {
        let (processes, records) = self.wps_across_records(filter, Action::Read).await?;
        let cross = Self::wps_cross_from(&processes, &records);
        let audited: Vec<&str> = records
            .iter()
            .filter(|r| r.labels.classification.read_is_audited())
            .map(|r| r.id.as_str())
            .collect();
        if !audited.is_empty() {
            let detail = serde_json::json!({"aggregated": audited}).to_string();
            self.audit_now(
                "participation.aggregate",
                "participation",
                "",
                "ok",
                &detail,
            )
            .await?;
        }
        Ok(cross)
    }

    /// Exports the records or the shares of one process or across processes, as CSV or XLSX.
    /// Asks for `export` on the kind and on each record, and audits the export.
    pub async fn export_participation(
        &self,
        scope: &ExportScope,
        table: ExportTable,
        format: TableFormat,
    ) -> Result<Vec<u8>> {
        let (names, records, shares, cross, scope_id) = match scope {
            ExportScope::Process { id, round } => {
                let round = round.as_deref().map(str::trim).filter(|r| !r.is_empty());
                let (process, records) = self.wps_process_records(id, None, Action::Export).await?;
                let shares = shares_of(&process, round, &records);
                let records: Vec<Participation> = records
                    .into_iter()
                    .filter(|r| round.is_none_or(|x| r.round == x))
                    .collect();
                let names = HashMap::from([(process.id.clone(), shares.process_name.clone())]);
                (names, records, vec![shares], None, process.id.clone())
            }
            ExportScope::Across(filter) => {
                let (processes, records) = self.wps_across_records(filter, Action::Export).await?;
                let cross = Self::wps_cross_from(&processes, &records);
                let names = processes
                    .iter()
                    .map(|p| (p.id.clone(), p.display_name().to_string()))
                    .collect();
                (
                    names,
                    records,
                    cross.processes.clone(),
                    Some(cross.roles),
                    String::new(),
                )
            }
        };
        let bytes = match table {
            ExportTable::Shares => {
                let mut rows = Vec::new();
                for c in cross.iter().flatten() {
                    rows.extend(cross_rows(c));
                }
                for s in &shares {
                    rows.extend(share_rows("process", s));
                }
                write(SHARES_HEADER, &rows, format, "Shares")?
            }
            ExportTable::Records => {
                let rows: Vec<Vec<Cell>> = records
                    .iter()
                    .map(|r| {
                        vec![
                            text(&r.id),
                            text(&r.process_id),
                            text(names.get(&r.process_id).cloned().unwrap_or_default()),
                            text(&r.role),
                            text(&r.sex),
                            text(&r.seniority),
                            text(r.party_label()),
                            text(r.actor_id.clone().unwrap_or_default()),
                            text(&r.round),
                            text(r.date.clone().unwrap_or_default()),
                            Cell::Int(r.count),
                            text(r.labels.classification.as_str()),
                            text(
                                r.labels
                                    .compartment
                                    .as_ref()
                                    .map(|c| c.to_string())
                                    .unwrap_or_default(),
                            ),
                        ]
                    })
                    .collect();
                write(RECORDS_HEADER, &rows, format, "Records")?
            }
        };
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let detail = serde_json::json!({"format": format.extension(), "what": table.as_str(),
            "processes": shares.iter().map(|s| s.process_id.as_str()).collect::<Vec<_>>(),
            "count": ids.len(), "ids": ids})
        .to_string();
        self.audit_now(
            "participation.export",
            if scope_id.is_empty() {
                "participation"
            } else {
                "process"
            },
            &scope_id,
            "ok",
            &detail,
        )
        .await?;
        Ok(bytes)
    }
}
