//! The flexible mediation fund: instruments and ceilings, applications and their workflow (read
//! from the `fund_workflow` table), and — in [`ledger`] — the money.
//!
//! Every money movement of an instrument-year first locks that year's budget row (`FOR UPDATE`
//! on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers), then checks the
//! ceilings against the maintained exposure, then posts. So concurrent approvals queue and
//! exactly those that fit succeed.

pub(crate) mod iati;
mod ledger;
pub(crate) mod reports;

use std::collections::BTreeSet;

use grotius_domain::fund::{
    self, Application, ApplicationInput, Ceiling, Effect, Hands, Instrument, InstrumentInput,
    WorkflowStep,
};
use grotius_domain::{
    Action, Classification, CompartmentId, Labels, Resource, ResourceKind, Role, organisation_bound,
};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::db::{Bind, Where};
use crate::process::record_change;
use crate::{Access, Page, Result, StoreError, new_id};

pub use ledger::{FundVerifyReport, LedgerEntry, PaymentInput};

const APP_COLS: &str = "id, reference, instrument_id, title, partner, process_ids, currency, amount, rate, amount_eur, start_date, months, fiscal_year, why_now, risk_note, purpose_code, gender_marker, themes, countries, exclude_from_publication, exclusion_reason, track, state, classification, compartment_id, created_by, created_at, updated_at, submitted_at, decided_at";

const INSTRUMENT_COLS: &str = "id, code, name, oda, max_months, grant_ceiling, fast_track_threshold, fast_target_days, standard_target_days";

fn risk_aad(id: &str) -> String {
    format!("fund_applications.risk_note:{id}")
}

use crate::db::json_list as list;

use crate::db::to_json as json;

/// Filters of the applications list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationFilter {
    /// Words in the title, partner or reference.
    pub q: Option<String>,
    pub state: Option<String>,
    pub track: Option<String>,
    pub instrument_id: Option<String>,
    pub year: Option<i64>,
}

/// One step an application took: who moved it, when, from where to where.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Step {
    pub from_state: String,
    pub to_state: String,
    pub name: String,
    pub username: String,
    pub at: i64,
    pub note: String,
}

/// An application with its history, its money and what the viewer may do next.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetail {
    pub application: Application,
    pub instrument: Instrument,
    /// Linked processes the viewer may see: `(id, display name)`.
    pub processes: Vec<(String, String)>,
    pub steps: Vec<Step>,
    pub ledger: Vec<LedgerEntry>,
    /// Euro cents committed and not disbursed; disbursed (net of refunds).
    pub committed: i64,
    pub disbursed: i64,
    /// Steps the viewer could fire now: `(to_state, name)`; four-eyes already applied.
    pub next: Vec<(String, String)>,
    /// Steps leaving the current state that the viewer may not fire: `(to_state, name, why)`
    /// (the workflow's refusal: the roles that may, or four-eyes).
    pub blocked: Vec<(String, String, String)>,
    /// Working days from submission to decision (or to now, while undecided).
    pub decision_days: Option<i64>,
    pub target_days: i64,
}

pub(crate) fn instrument_from_row(row: &sqlx::any::AnyRow) -> Result<Instrument> {
    Ok(Instrument {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        oda: row.try_get::<i64, _>("oda")? == 1,
        max_months: row.try_get("max_months")?,
        grant_ceiling: row.try_get("grant_ceiling")?,
        fast_track_threshold: row.try_get("fast_track_threshold")?,
        fast_target_days: row.try_get("fast_target_days")?,
        standard_target_days: row.try_get("standard_target_days")?,
    })
}

/// A step the viewer may not take: target state, verb, the workflow's reason.
type RefusedStep = (String, String, String);

impl crate::list::Listed for Application {
    fn id(&self) -> &str {
        &self.id
    }
    fn labels(&self) -> &Labels {
        &self.labels
    }
    /// An application belongs to its partner organisation.
    fn resource(&self, kind: ResourceKind) -> Resource<'_> {
        Resource::of_organisation(kind, &self.labels, &self.partner)
    }
}

impl Access {
    fn application_from_row(&self, row: &sqlx::any::AnyRow) -> Result<Application> {
        let id: String = row.try_get("id")?;
        let risk: Option<String> = row.try_get("risk_note")?;
        let risk_note = match risk {
            Some(r) if !r.is_empty() => self.store.keys.decrypt(&risk_aad(&id), &r)?,
            _ => String::new(),
        };
        let comp: Option<String> = row.try_get("compartment_id")?;
        Ok(Application {
            reference: row.try_get("reference")?,
            instrument_id: row.try_get("instrument_id")?,
            title: row.try_get("title")?,
            partner: row.try_get("partner")?,
            process_ids: list(&row.try_get::<String, _>("process_ids")?),
            currency: row.try_get("currency")?,
            amount: row.try_get("amount")?,
            rate: row.try_get("rate")?,
            amount_eur: row.try_get("amount_eur")?,
            start_date: row.try_get("start_date")?,
            months: row.try_get("months")?,
            fiscal_year: row.try_get::<i64, _>("fiscal_year")? as i32,
            why_now: row.try_get("why_now")?,
            risk_note,
            purpose_code: row.try_get("purpose_code")?,
            gender_marker: row.try_get("gender_marker")?,
            themes: list(&row.try_get::<String, _>("themes")?),
            countries: list(&row.try_get::<String, _>("countries")?),
            exclude_from_publication: row.try_get::<i64, _>("exclude_from_publication")? == 1,
            exclusion_reason: row.try_get("exclusion_reason")?,
            track: row.try_get("track")?,
            state: row.try_get("state")?,
            labels: Labels {
                classification: Classification::from_level(row.try_get("classification")?)?,
                compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
            },
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            submitted_at: row.try_get("submitted_at")?,
            decided_at: row.try_get("decided_at")?,
            id,
        })
    }

    fn application_resource<'a>(&self, a: &'a Application) -> Resource<'a> {
        crate::list::Listed::resource(a, ResourceKind::FundApplication)
    }

    // ---- instruments and ceilings ----

    pub async fn list_instruments(&self) -> Result<Vec<Instrument>> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::Instrument), None)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLS} FROM fund_instruments ORDER BY code"
        )))
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter().map(instrument_from_row).collect()
    }

    pub async fn get_instrument(&self, id: &str) -> Result<Instrument> {
        self.authorize(Action::Read, Resource::kind(ResourceKind::Instrument), None)
            .await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLS} FROM fund_instruments WHERE id = $1 OR code = $1"
        )))
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        instrument_from_row(&row)
    }

    pub async fn create_instrument(&self, input: &InstrumentInput) -> Result<Instrument> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::Instrument),
            None,
        )
        .await?;
        let v = input.validate().map_err(first_error)?;
        let id = new_id();
        let now = now_micros();
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO fund_instruments (id, code, name, oda, max_months, grant_ceiling, fast_track_threshold, fast_target_days, standard_target_days, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&id)
        .bind(&v.code)
        .bind(&v.name)
        .bind(v.oda as i64)
        .bind(v.max_months)
        .bind(v.grant_ceiling)
        .bind(v.fast_track_threshold)
        .bind(v.fast_target_days)
        .bind(v.standard_target_days)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, &format!("an instrument with code {}", v.code)))?;
        let detail = serde_json::json!({ "code": v.code }).to_string();
        self.audit_in(
            &mut tx,
            "instrument.create",
            "instrument",
            &id,
            "ok",
            &detail,
        )
        .await?;
        record_change(&mut tx, "instrument", &id, "upsert").await?;
        tx.commit().await?;
        self.get_instrument(&id).await
    }

    /// The ceilings of an instrument in a fiscal year (the budget first).
    pub async fn ceilings(&self, instrument_id: &str, year: i32) -> Result<Vec<Ceiling>> {
        let i = self.get_instrument(instrument_id).await?;
        let rows = sqlx::query(
            "SELECT scope, key, amount FROM fund_ceilings WHERE instrument_id = $1 AND year = $2 ORDER BY CASE scope WHEN 'budget' THEN 0 WHEN 'country' THEN 1 ELSE 2 END, key",
        )
        .bind(&i.id)
        .bind(year as i64)
        .fetch_all(&self.store.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Ceiling {
                    instrument_id: i.id.clone(),
                    year,
                    scope: r.try_get("scope")?,
                    key: r.try_get("key")?,
                    amount: r.try_get("amount")?,
                })
            })
            .collect()
    }

    /// The ceilings of an instrument-year with what is committed under each (euro cents).
    pub async fn ceiling_use(&self, instrument_id: &str, year: i32) -> Result<Vec<(Ceiling, i64)>> {
        let ceilings = self.ceilings(instrument_id, year).await?;
        let mut conn = self.store.pool.acquire().await?;
        let mut out = Vec::with_capacity(ceilings.len());
        for c in ceilings {
            let used =
                ledger::exposure(&mut conn, &c.instrument_id, year, &c.scope, &c.key).await?;
            out.push((c, used));
        }
        Ok(out)
    }

    /// Sets a ceiling. Setting the annual budget allocates (or withdraws) the difference in the
    /// ledger; neither a budget nor a ceiling may be set below what is already committed.
    pub async fn set_ceiling(
        &self,
        instrument_id: &str,
        year: i32,
        scope: &str,
        key: &str,
        amount: &str,
    ) -> Result<Ceiling> {
        let i = self.get_instrument(instrument_id).await?;
        self.authorize(
            Action::Update,
            Resource::kind(ResourceKind::Instrument),
            Some(&i.id),
        )
        .await?;
        let (scope, key, amount) =
            fund::validate_ceiling(year, scope, key, amount).map_err(first_error)?;
        let mut tx = self.store.write_tx().await?;
        ledger::lock_year(&mut tx, &self.store, &i.id, year).await?;
        let exposure = ledger::exposure(&mut tx, &i.id, year, &scope, &key).await?;
        if amount < exposure {
            return Err(StoreError::Conflict(format!(
                "EUR {} is already committed under this {}; it cannot be set to EUR {}",
                fund::format_amount(exposure, "EUR"),
                if scope == "budget" {
                    "budget"
                } else {
                    "ceiling"
                },
                fund::format_amount(amount, "EUR")
            )));
        }
        let old: Option<i64> = sqlx::query_scalar(
            "SELECT amount FROM fund_ceilings WHERE instrument_id = $1 AND year = $2 AND scope = $3 AND key = $4",
        )
        .bind(&i.id)
        .bind(year as i64)
        .bind(&scope)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO fund_ceilings (instrument_id, year, scope, key, amount) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instrument_id, year, scope, key) DO UPDATE SET amount = excluded.amount",
        )
        .bind(&i.id)
        .bind(year as i64)
        .bind(&scope)
        .bind(&key)
        .bind(amount)
        .execute(&mut *tx)
        .await?;
        if scope == "budget" {
            let delta = amount - old.unwrap_or(0);
            if delta != 0 {
                ledger::post(
                    &mut tx,
                    self,
                    ledger::Movement {
                        kind: "allocation",
                        instrument_id: &i.id,
                        year,
                        application: None,
                        currency: "EUR",
                        amount: delta,
                        rate: fund::RATE_SCALE,
                        eur: delta,
                        value_date: &format!("{year}-01-01"),
                        memo: "annual budget",
                    },
                )
                .await?;
            }
        }
        let detail = serde_json::json!({ "year": year, "scope": scope, "key": key, "amount": amount, "was": old })
            .to_string();
        self.audit_in(
            &mut tx,
            "instrument.ceiling",
            "instrument",
            &i.id,
            "ok",
            &detail,
        )
        .await?;
        record_change(&mut tx, "instrument", &i.id, "upsert").await?;
        tx.commit().await?;
        Ok(Ceiling {
            instrument_id: i.id,
            year,
            scope,
            key,
            amount,
        })
    }

    // ---- the workflow ----

    /// The workflow table.
    pub async fn fund_workflow(&self) -> Result<Vec<WorkflowStep>> {
        load_workflow(&self.store.pool).await
    }

    // ---- applications ----

    /// A partner sees the applications of her own organisation only.
    fn application_partner(&self, f: &mut Where) {
        if let Some(org) = organisation_bound(&self.subject, ResourceKind::FundApplication) {
            f.push("partner = ?", Bind::Text(org.to_string()));
        }
    }

    pub async fn list_applications(
        &self,
        filter: &ApplicationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Application>> {
        let (list, page) = self.applications_page(filter, limit, offset).await?;
        self.audit_list(&list, &page.items).await?;
        Ok(page)
    }

    /// One page of applications under the filter, not yet audited, with its list.
    async fn applications_page(
        &self,
        filter: &ApplicationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(crate::list::List, Page<Application>)> {
        let mut list = self
            .list(ResourceKind::FundApplication, "fund_applications", "")
            .await?
            .columns(APP_COLS)
            .order("created_at DESC, id");
        self.application_partner(&mut list.filter);
        let f = &mut list.filter;
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let like = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
            f.push_many(
                "(LOWER(title) LIKE ? OR LOWER(partner) LIKE ? OR LOWER(reference) LIKE ?)",
                vec![
                    Bind::Text(like.clone()),
                    Bind::Text(like.clone()),
                    Bind::Text(like),
                ],
            );
        }
        f.push_text("state = ?", filter.state.as_deref());
        f.push_text("track = ?", filter.track.as_deref());
        f.push_text("instrument_id = ?", filter.instrument_id.as_deref());
        if let Some(y) = filter.year {
            f.push("fiscal_year = ?", Bind::Int(y));
        }
        let mut page = self
            .fetch_page(&list, limit, offset, |row| self.application_from_row(row))
            .await?;
        for a in &mut page.items {
            a.process_ids = self
                .readable_ids(ResourceKind::Process, &a.process_ids)
                .await?;
        }
        Ok((list, page))
    }

    pub async fn get_application(&self, id: &str) -> Result<Application> {
        let sql =
            format!("SELECT {APP_COLS} FROM fund_applications WHERE id = $1 OR reference = $1");
        let row = self
            .fetch_row(ResourceKind::FundApplication, sql, id)
            .await?;
        let mut a = self.application_from_row(&row)?;
        self.authorize(Action::Read, self.application_resource(&a), Some(&a.id))
            .await?;
        // Only the linked processes the reader may read are shown (and kept on save).
        a.process_ids = self
            .readable_ids(ResourceKind::Process, &a.process_ids)
            .await?;
        if a.labels.classification.read_is_audited() {
            self.audit_now(
                "fund-application.read",
                "fund-application",
                &a.id,
                "ok",
                "{}",
            )
            .await?;
        }
        Ok(a)
    }

    /// Linked processes must exist and be visible to the one linking them.
    async fn check_processes(&self, ids: &[String]) -> Result<()> {
        for p in ids {
            match self.get_process(p).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(StoreError::invalid(
                        "process_ids",
                        format!("there is no process '{p}' you can see"),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A partner files for its own organisation, whatever the form says.
    fn partner_of(&self, input: &ApplicationInput) -> ApplicationInput {
        let mut input = input.clone();
        if let Some(org) = organisation_bound(&self.subject, ResourceKind::FundApplication) {
            input.partner = org.to_string();
        }
        input
    }

    pub async fn create_application(&self, input: &ApplicationInput) -> Result<Application> {
        self.authorize(
            Action::Create,
            Resource::kind(ResourceKind::FundApplication),
            None,
        )
        .await?;
        let input = self.partner_of(input);
        let instrument = self.instrument_for(&input.instrument_id).await?;
        let v = input.validate(&instrument).map_err(first_error)?;
        self.authorize_filing(
            Action::Create,
            Resource::of_organisation(ResourceKind::FundApplication, &v.labels, &v.partner),
            None,
        )
        .await?;
        if !self.may(
            Action::Create,
            Resource::of_organisation(ResourceKind::FundApplication, &v.labels, &v.partner),
        ) {
            return Err(StoreError::NotFound);
        }
        self.check_processes(&v.process_ids).await?;
        let id = new_id();
        let reference = format!(
            "MF-{}-{}",
            v.fiscal_year,
            id[id.len() - 6..].to_ascii_uppercase()
        );
        let track = fund::track_for(v.amount_eur, instrument.fast_track_threshold);
        let now = now_micros();
        let risk = if v.risk_note.is_empty() {
            None
        } else {
            Some(self.store.keys.encrypt(&risk_aad(&id), &v.risk_note)?)
        };
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "INSERT INTO fund_applications (id, reference, instrument_id, title, partner, process_ids, currency, amount, rate, amount_eur, start_date, months, fiscal_year, why_now, risk_note, purpose_code, gender_marker, themes, countries, exclude_from_publication, exclusion_reason, track, state, classification, compartment_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 'draft', $23, $24, $25, $26, $26)",
        )
        .bind(&id)
        .bind(&reference)
        .bind(&v.instrument_id)
        .bind(&v.title)
        .bind(&v.partner)
        .bind(json(&v.process_ids))
        .bind(&v.currency)
        .bind(v.amount)
        .bind(v.rate)
        .bind(v.amount_eur)
        .bind(&v.start_date)
        .bind(v.months)
        .bind(v.fiscal_year as i64)
        .bind(&v.why_now)
        .bind(risk)
        .bind(&v.purpose_code)
        .bind(&v.gender_marker)
        .bind(json(&v.themes))
        .bind(json(&v.countries))
        .bind(v.exclude_from_publication as i64)
        .bind(&v.exclusion_reason)
        .bind(track)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.as_str().to_string()))
        .bind(&self.subject.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "reference": reference, "amount_eur": v.amount_eur, "partner": v.partner })
            .to_string();
        self.audit_in(
            &mut tx,
            "fund-application.create",
            "fund-application",
            &id,
            "ok",
            &detail,
        )
        .await?;
        record_change(&mut tx, "fund-application", &id, "upsert").await?;
        tx.commit().await?;
        self.get_application(&id).await
    }

    async fn instrument_for(&self, id: &str) -> Result<Instrument> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLS} FROM fund_instruments WHERE id = $1 OR code = $1"
        )))
        .bind(id.trim())
        .fetch_optional(&self.store.pool)
        .await?;
        match row {
            Some(r) => instrument_from_row(&r),
            None => Err(StoreError::invalid(
                "instrument_id",
                format!("there is no instrument '{}'", id.trim()),
            )),
        }
    }

    /// Whether the subject may edit this application now: a draft, the Update right, and a role
    /// that may submit drafts of its track (the preparers).
    pub async fn may_edit_application(&self, a: &Application) -> Result<bool> {
        if a.state != "draft" || !self.may(Action::Update, self.application_resource(a)) {
            return Ok(false);
        }
        let workflow = self.fund_workflow().await?;
        Ok(workflow
            .iter()
            .find(|w| w.track == a.track && w.from == "draft" && w.to == "submitted")
            .is_none_or(|submit| self.subject.roles.iter().any(|r| submit.roles.contains(r))))
    }

    /// Edits an application while it is a draft (afterwards it changes only through the
    /// workflow and the ledger).
    pub async fn update_application(
        &self,
        id: &str,
        input: &ApplicationInput,
    ) -> Result<Application> {
        let current = self.get_application(id).await?;
        self.authorize(
            Action::Update,
            self.application_resource(&current),
            Some(&current.id),
        )
        .await?;
        // Drafts are edited by those who may submit them (the preparers), not by those who
        // decide on them.
        let workflow = self.fund_workflow().await?;
        if let Some(submit) = workflow
            .iter()
            .find(|w| w.track == current.track && w.from == "draft" && w.to == "submitted")
            && !self.subject.roles.iter().any(|r| submit.roles.contains(r))
        {
            return Err(StoreError::Forbidden(format!(
                "drafts are edited by: {}",
                submit
                    .roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if current.state != "draft" {
            return Err(StoreError::Conflict(format!(
                "application {} is {}; only drafts can be edited",
                current.reference, current.state
            )));
        }
        let input = self.partner_of(input);
        let instrument = self.instrument_for(&input.instrument_id).await?;
        let mut v = input.validate(&instrument).map_err(first_error)?;
        self.authorize_filing(
            Action::Update,
            Resource::of_organisation(ResourceKind::FundApplication, &v.labels, &v.partner),
            Some(&current.id),
        )
        .await?;
        self.check_processes(&v.process_ids).await?;
        // Links to processes the writer may not read stay as they are.
        let stored: String =
            sqlx::query_scalar("SELECT process_ids FROM fund_applications WHERE id = $1")
                .bind(&current.id)
                .fetch_one(&self.store.pool)
                .await?;
        v.process_ids = self
            .with_unreadable_kept(ResourceKind::Process, &list(&stored), v.process_ids)
            .await?;
        let track = fund::track_for(v.amount_eur, instrument.fast_track_threshold);
        let risk = if v.risk_note.is_empty() {
            None
        } else {
            Some(
                self.store
                    .keys
                    .encrypt(&risk_aad(&current.id), &v.risk_note)?,
            )
        };
        let mut tx = self.store.write_tx().await?;
        let n = sqlx::query(
            "UPDATE fund_applications SET instrument_id = $1, title = $2, partner = $3, process_ids = $4, currency = $5, amount = $6, rate = $7, amount_eur = $8, start_date = $9, months = $10, fiscal_year = $11, why_now = $12, risk_note = $13, purpose_code = $14, gender_marker = $15, themes = $16, countries = $17, exclude_from_publication = $18, exclusion_reason = $19, track = $20, classification = $21, compartment_id = $22, updated_at = $23, version = version + 1 WHERE id = $24 AND state = 'draft'",
        )
        .bind(&v.instrument_id)
        .bind(&v.title)
        .bind(&v.partner)
        .bind(json(&v.process_ids))
        .bind(&v.currency)
        .bind(v.amount)
        .bind(v.rate)
        .bind(v.amount_eur)
        .bind(&v.start_date)
        .bind(v.months)
        .bind(v.fiscal_year as i64)
        .bind(&v.why_now)
        .bind(risk)
        .bind(&v.purpose_code)
        .bind(&v.gender_marker)
        .bind(json(&v.themes))
        .bind(json(&v.countries))
        .bind(v.exclude_from_publication as i64)
        .bind(&v.exclusion_reason)
        .bind(track)
        .bind(v.labels.classification.level())
        .bind(v.labels.compartment.as_ref().map(|c| c.as_str().to_string()))
        .bind(now_micros())
        .bind(&current.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "application {} changed state meanwhile; reload it",
                current.reference
            )));
        }
        self.audit_in(
            &mut tx,
            "fund-application.update",
            "fund-application",
            &current.id,
            "ok",
            "{}",
        )
        .await?;
        record_change(&mut tx, "fund-application", &current.id, "upsert").await?;
        tx.commit().await?;
        self.get_application(&current.id).await
    }

    /// Deletes a draft (or withdrawn) application that never reached the ledger.
    pub async fn delete_application(&self, id: &str) -> Result<()> {
        let a = self.get_application(id).await?;
        self.authorize(Action::Delete, self.application_resource(&a), Some(&a.id))
            .await?;
        if !matches!(a.state.as_str(), "draft" | "withdrawn") {
            return Err(StoreError::Conflict(format!(
                "application {} is {}; only drafts and withdrawn applications can be deleted",
                a.reference, a.state
            )));
        }
        let mut tx = self.store.write_tx().await?;
        sqlx::query(
            "DELETE FROM fund_applications WHERE id = $1 AND state IN ('draft', 'withdrawn')",
        )
        .bind(&a.id)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "reference": a.reference }).to_string();
        self.audit_in(
            &mut tx,
            "fund-application.delete",
            "fund-application",
            &a.id,
            "ok",
            &detail,
        )
        .await?;
        record_change(&mut tx, "fund-application", &a.id, "delete").await?;
        tx.commit().await?;
        Ok(())
    }

    /// The workflow's next steps of `a` as the viewer sees them: those she may take now
    /// (target state, verb) and those refused with the workflow's reason (four-eyes, role).
    fn steps_for_viewer(
        &self,
        workflow: &[fund::WorkflowStep],
        a: &Application,
        hands: &Hands,
    ) -> (Vec<(String, String)>, Vec<RefusedStep>) {
        let mut next = Vec::new();
        let mut blocked = Vec::new();
        for s in fund::next_steps(workflow, &a.track, &a.state) {
            match fund::check_step(
                workflow,
                &a.track,
                &a.state,
                &s.to,
                &self.subject.user_id,
                &self.subject.roles,
                hands,
            ) {
                Ok(_) => next.push((s.to.clone(), s.name.clone())),
                Err(why) => blocked.push((s.to.clone(), s.name.clone(), why.to_string())),
            }
        }
        (next, blocked)
    }

    async fn hands(&self, conn: &mut AnyConnection, a: &Application) -> Result<Hands> {
        let rows = sqlx::query(
            "SELECT user_id, effect FROM fund_steps WHERE application_id = $1 ORDER BY seq",
        )
        .bind(&a.id)
        .fetch_all(&mut *conn)
        .await?;
        let mut h = Hands {
            created_by: a.created_by.clone(),
            ..Default::default()
        };
        for r in rows {
            let user: String = r.try_get("user_id")?;
            match r.try_get::<String, _>("effect")?.as_str() {
                "prepare" => h.prepared_by.push(user),
                "appraise" => h.appraised_by.push(user),
                _ => {}
            }
        }
        Ok(h)
    }

    /// Moves an application along its track. The workflow table says who may; four-eyes keeps
    /// whoever prepared or appraised it from approving; approval commits the money within every
    /// budget and ceiling, in the same transaction.
    pub async fn transition_application(
        &self,
        id: &str,
        to: &str,
        note: &str,
    ) -> Result<Application> {
        let a = self.get_application(id).await?;
        self.authorize(Action::Update, self.application_resource(&a), Some(&a.id))
            .await?;
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(StoreError::invalid("note", "at most 2000 characters"));
        }
        let workflow = self.fund_workflow().await?;
        let mut tx = self.store.write_tx().await?;
        // Re-read the state inside the transaction: a concurrent move wins, this one refuses.
        let state: String = sqlx::query_scalar("SELECT state FROM fund_applications WHERE id = $1")
            .bind(&a.id)
            .fetch_one(&mut *tx)
            .await?;
        let hands = self.hands(&mut tx, &a).await?;
        let step = fund::check_step(
            &workflow,
            &a.track,
            &state,
            to.trim(),
            &self.subject.user_id,
            &self.subject.roles,
            &hands,
        )
        .map_err(|r| match r {
            fund::Refusal::NoSuchStep { .. } => StoreError::invalid("to", r.to_string()),
            _ => StoreError::Forbidden(r.to_string()),
        })?
        .clone();
        let now = now_micros();
        match step.effect {
            Effect::Commit => {
                ledger::commit_application(&mut tx, self, &a).await?;
            }
            Effect::Release => {
                ledger::release_application(&mut tx, self, &a).await?;
            }
            Effect::None | Effect::Prepare | Effect::Appraise => {}
        }
        let submitted = step.to == "submitted";
        let decided = matches!(step.to.as_str(), "approved" | "rejected");
        let n = sqlx::query(
            "UPDATE fund_applications SET state = $1, updated_at = $2, submitted_at = CASE WHEN $3 = 1 AND submitted_at IS NULL THEN $2 ELSE submitted_at END, decided_at = CASE WHEN $4 = 1 THEN $2 ELSE decided_at END, version = version + 1 WHERE id = $5 AND state = $6",
        )
        .bind(&step.to)
        .bind(now)
        .bind(submitted as i64)
        .bind(decided as i64)
        .bind(&a.id)
        .bind(&state)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "application {} changed state meanwhile; reload it",
                a.reference
            )));
        }
        sqlx::query(
            "INSERT INTO fund_steps (application_id, from_state, to_state, name, effect, user_id, username, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&a.id)
        .bind(&state)
        .bind(&step.to)
        .bind(&step.name)
        .bind(step.effect.as_str())
        .bind(&self.subject.user_id)
        .bind(&self.subject.username)
        .bind(now)
        .bind(note)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "from": state, "to": step.to, "step": step.name, "reference": a.reference })
            .to_string();
        self.audit_in(
            &mut tx,
            "fund-application.transition",
            "fund-application",
            &a.id,
            "ok",
            &detail,
        )
        .await?;
        record_change(&mut tx, "fund-application", &a.id, "upsert").await?;
        tx.commit().await?;
        self.get_application(&a.id).await
    }

    /// The viewer's inbox: applications she may read on which she may take a step now (the
    /// workflow's roles and four-eyes applied), longest waiting first, at most `limit`.
    pub async fn application_inbox(&self, limit: usize) -> Result<Vec<Application>> {
        let out = self.applications_to_step(limit).await?;
        let list = self
            .list(ResourceKind::FundApplication, "fund_applications", "")
            .await?;
        self.audit_list(&list, &out).await?;
        Ok(out)
    }

    /// [`Access::application_inbox`] without its audit entry (for the count in the navigation
    /// and the inbox, which audits what it lists itself).
    pub(crate) async fn applications_to_step(&self, limit: usize) -> Result<Vec<Application>> {
        if !self.may(Action::Read, Resource::kind(ResourceKind::FundApplication)) {
            return Ok(Vec::new());
        }
        let workflow = self.fund_workflow().await?;
        // Only states the viewer's roles can move an application out of.
        let states: BTreeSet<&str> = workflow
            .iter()
            .filter(|s| self.subject.roles.iter().any(|r| s.roles.contains(r)))
            .map(|s| s.from.as_str())
            .collect();
        let mut out = Vec::new();
        for state in states {
            let filter = ApplicationFilter {
                state: Some(state.to_string()),
                ..Default::default()
            };
            let page = self.applications_page(&filter, 200, 0).await?.1;
            for a in page.items {
                if !self.may(Action::Update, self.application_resource(&a)) {
                    continue;
                }
                let mut conn = self.store.pool.acquire().await?;
                let hands = self.hands(&mut conn, &a).await?;
                drop(conn);
                let (next, _) = self.steps_for_viewer(&workflow, &a, &hands);
                if !next.is_empty() {
                    out.push(a);
                }
            }
        }
        out.sort_by_key(|a| (a.submitted_at.unwrap_or(i64::MAX), a.reference.clone()));
        out.truncate(limit);
        Ok(out)
    }

    /// An application with its steps, its ledger, the linked processes the viewer may see and
    /// the steps the viewer may fire next.
    pub async fn application_detail(&self, id: &str) -> Result<ApplicationDetail> {
        let a = self.get_application(id).await?;
        let instrument = self.instrument_for(&a.instrument_id).await?;
        let rows = sqlx::query(
            "SELECT from_state, to_state, name, username, at, note FROM fund_steps WHERE application_id = $1 ORDER BY seq",
        )
        .bind(&a.id)
        .fetch_all(&self.store.pool)
        .await?;
        let steps = rows
            .iter()
            .map(|r| {
                Ok(Step {
                    from_state: r.try_get("from_state")?,
                    to_state: r.try_get("to_state")?,
                    name: r.try_get("name")?,
                    username: r.try_get("username")?,
                    at: r.try_get("at")?,
                    note: r.try_get("note")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut processes = Vec::new();
        for p in &a.process_ids {
            let mut f = Where::default();
            f.visibility(self, "");
            f.push("id = ?", Bind::Text(p.clone()));
            let row = f
                .query(format!(
                    "SELECT id, title, codename, classification, compartment_id FROM processes{}",
                    f.sql()
                ))
                .fetch_optional(&self.store.pool)
                .await?;
            if let Some(r) = row {
                let comp: Option<String> = r.try_get("compartment_id")?;
                let labels = Labels {
                    classification: Classification::from_level(r.try_get("classification")?)?,
                    compartment: comp.map(|c| CompartmentId::parse(&c)).transpose()?,
                };
                if self.may(
                    Action::Read,
                    Resource::labelled(ResourceKind::Process, &labels),
                ) {
                    let title: String = r.try_get("title")?;
                    let codename: Option<String> = r.try_get("codename")?;
                    processes.push((
                        p.clone(),
                        codename.filter(|c| !c.is_empty()).unwrap_or(title),
                    ));
                }
            }
        }
        let (ledger, committed, disbursed) = if self.may(
            Action::Read,
            Resource::of_organisation(ResourceKind::FundTransaction, &a.labels, &a.partner),
        ) {
            ledger::entries_of(&self.store.pool, &a.id).await?
        } else {
            (Vec::new(), 0, 0)
        };
        let workflow = self.fund_workflow().await?;
        let mut conn = self.store.pool.acquire().await?;
        let hands = self.hands(&mut conn, &a).await?;
        drop(conn);
        let can_update = self.may(Action::Update, self.application_resource(&a));
        let (next, blocked) = if can_update {
            self.steps_for_viewer(&workflow, &a, &hands)
        } else {
            (Vec::new(), Vec::new())
        };
        let decision_days = a
            .submitted_at
            .map(|s| fund::working_days_between(s, a.decided_at.unwrap_or_else(now_micros)));
        let target_days = if a.track == "fast" {
            instrument.fast_target_days
        } else {
            instrument.standard_target_days
        };
        Ok(ApplicationDetail {
            application: a,
            instrument,
            processes,
            steps,
            ledger,
            committed,
            disbursed,
            next,
            blocked,
            decision_days,
            target_days,
        })
    }
}

pub(crate) async fn load_workflow(pool: &sqlx::AnyPool) -> Result<Vec<WorkflowStep>> {
    let rows = sqlx::query(
        "SELECT track, from_state, to_state, name, roles, four_eyes, effect FROM fund_workflow ORDER BY track, from_state, to_state",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let roles: Vec<String> = list(&r.try_get::<String, _>("roles")?);
            let effect: String = r.try_get("effect")?;
            Ok(WorkflowStep {
                track: r.try_get("track")?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                name: r.try_get("name")?,
                roles: roles
                    .iter()
                    .map(|s| s.parse::<Role>())
                    .collect::<Result<_, _>>()?,
                four_eyes: r.try_get::<i64, _>("four_eyes")? == 1,
                effect: Effect::parse(&effect).ok_or_else(|| {
                    StoreError::Integrity(format!("unknown workflow effect '{effect}'"))
                })?,
            })
        })
        .collect()
}

/// The first of a list of validation errors (the API and forms show one field at a time).
fn first_error(errors: Vec<grotius_domain::DomainError>) -> StoreError {
    errors
        .into_iter()
        .next()
        .map(StoreError::Invalid)
        .unwrap_or_else(|| StoreError::invalid("input", "invalid"))
}
