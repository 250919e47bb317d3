//! The fund's double-entry ledger: append-only transactions whose postings sum to zero, the
//! balances they maintain, the exposure per ceiling, and the verifier that recomputes it all.

use std::collections::{BTreeMap, HashMap};

use grotius_domain::fund::{self, Application, Ceiling};
use grotius_domain::{Action, Resource, ResourceKind};
use grotius_security::now_micros;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use super::list;
use crate::db::Backend;
use crate::process::record_change;
use crate::{Access, Result, Store, StoreError, new_id};

/// One transaction as shown on an application.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: String,
    pub kind: String,
    pub currency: String,
    pub amount: i64,
    pub rate: i64,
    pub amount_eur: i64,
    pub value_date: String,
    pub memo: String,
    pub username: String,
    pub at: i64,
}

/// A payment recorded by a controller: a disbursement (tranche paid), a refund (money returned)
/// or a de-commitment (part of a grant released), in any currency at a recorded rate.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PaymentInput {
    pub kind: String,
    pub currency: String,
    pub amount: String,
    /// EUR per unit; ignored for EUR.
    #[serde(default)]
    pub rate: String,
    pub value_date: String,
    #[serde(default)]
    pub memo: String,
}

/// What `grotius fund verify` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FundVerifyReport {
    pub transactions: i64,
    pub accounts: i64,
    pub ceilings: i64,
    pub problems: Vec<String>,
}

pub(crate) struct Movement<'a> {
    pub kind: &'a str,
    pub instrument_id: &'a str,
    pub year: i32,
    pub application: Option<&'a Application>,
    pub currency: &'a str,
    pub amount: i64,
    pub rate: i64,
    pub eur: i64,
    pub value_date: &'a str,
    pub memo: &'a str,
}

/// Serialises every money movement of an instrument-year: on PostgreSQL by locking its budget
/// row; SQLite's write transaction already holds the database lock.
pub(crate) async fn lock_year(
    conn: &mut AnyConnection,
    store: &Store,
    instrument_id: &str,
    year: i32,
) -> Result<()> {
    // Make sure the row exists so there is something to lock; a budget of 0 until set.
    sqlx::query(
            "INSERT INTO fund_ceilings (instrument_id, year, scope, key, amount) VALUES ($1, $2, 'budget', '', 0) ON CONFLICT DO NOTHING",
        )
        .bind(instrument_id)
        .bind(year as i64)
        .execute(&mut *conn)
        .await?;
    if store.backend == Backend::Postgres {
        sqlx::query(
            "SELECT amount FROM fund_ceilings WHERE instrument_id = $1 AND year = $2 AND scope = 'budget' AND key = '' FOR UPDATE",
        )
        .bind(instrument_id)
        .bind(year as i64)
        .fetch_optional(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Net committed euro cents under one ceiling scope/key of an instrument-year.
pub(crate) async fn exposure(
    conn: &mut AnyConnection,
    instrument_id: &str,
    year: i32,
    scope: &str,
    key: &str,
) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT amount FROM fund_exposure WHERE instrument_id = $1 AND year = $2 AND scope = $3 AND key = $4",
    )
    .bind(instrument_id)
    .bind(year as i64)
    .bind(scope)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(v.unwrap_or(0))
}

async fn ceilings_of(
    conn: &mut AnyConnection,
    instrument_id: &str,
    year: i32,
) -> Result<Vec<Ceiling>> {
    let rows = sqlx::query(
        "SELECT scope, key, amount FROM fund_ceilings WHERE instrument_id = $1 AND year = $2",
    )
    .bind(instrument_id)
    .bind(year as i64)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Ceiling {
                instrument_id: instrument_id.to_string(),
                year,
                scope: r.try_get("scope")?,
                key: r.try_get("key")?,
                amount: r.try_get("amount")?,
            })
        })
        .collect()
}

/// How a transaction kind moves the exposure under the ceilings.
fn exposure_sign(kind: &str) -> i64 {
    match kind {
        "commitment" | "amendment" => 1,
        "decommitment" | "refund" => -1,
        _ => 0,
    }
}

/// Writes one transaction with its postings, updates balances and exposure, and refuses (rolling
/// back with the caller's transaction) anything that would take an account below zero or a
/// ceiling past its limit. The caller holds the instrument-year lock.
pub(crate) async fn post(
    conn: &mut AnyConnection,
    access: &Access,
    m: Movement<'_>,
) -> Result<String> {
    let app_id = m.application.map(|a| a.id.as_str()).unwrap_or("");
    let sign = exposure_sign(m.kind);
    if sign > 0 && m.eur > 0 {
        let a = m
            .application
            .ok_or_else(|| StoreError::Integrity("a commitment needs its application".into()))?;
        let ceilings = ceilings_of(conn, m.instrument_id, m.year).await?;
        if !ceilings.iter().any(|c| c.scope == "budget") {
            return Err(StoreError::Conflict(format!(
                "instrument has no budget for {}; set the annual budget first",
                m.year
            )));
        }
        let total = exposure(conn, m.instrument_id, m.year, "budget", "").await?;
        let mut by: HashMap<(String, String), i64> = HashMap::new();
        for c in &ceilings {
            if c.scope != "budget" {
                let v = exposure(conn, m.instrument_id, m.year, &c.scope, &c.key).await?;
                by.insert((c.scope.clone(), c.key.clone()), v);
            }
        }
        fund::check_ceilings(&ceilings, m.eur, &a.countries, &a.themes, total, |s, k| {
            by.get(&(s.to_string(), k.to_string()))
                .copied()
                .unwrap_or(0)
        })
        .map_err(|b| StoreError::Conflict(format!("refused: {b}")))?;
    }
    let id = new_id();
    let now = now_micros();
    sqlx::query(
        "INSERT INTO ledger_transactions (id, kind, instrument_id, year, application_id, currency, amount, rate, amount_eur, value_date, memo, user_id, username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(m.kind)
    .bind(m.instrument_id)
    .bind(m.year as i64)
    .bind(m.application.map(|a| a.id.clone()))
    .bind(m.currency)
    .bind(m.amount)
    .bind(m.rate)
    .bind(m.eur)
    .bind(m.value_date)
    .bind(m.memo)
    .bind(&access.subject.user_id)
    .bind(&access.subject.username)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    for p in fund::postings(m.kind, m.instrument_id, m.year, app_id, m.eur) {
        sqlx::query(
            "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(&p.account)
        .bind(p.amount)
        .execute(&mut *conn)
        .await?;
        let balance: i64 = sqlx::query_scalar(
            "INSERT INTO ledger_balances (account, balance) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance RETURNING balance",
        )
        .bind(&p.account)
        .bind(p.amount)
        .fetch_one(&mut *conn)
        .await?;
        if balance < 0 && fund::must_stay_non_negative(&p.account) {
            return Err(StoreError::Conflict(refusal_for(
                &p.account, balance, m.eur,
            )));
        }
    }
    if sign != 0
        && let Some(a) = m.application
    {
        let delta = sign * m.eur;
        let mut keys = vec![("budget".to_string(), String::new())];
        keys.extend(
            a.countries
                .iter()
                .map(|c| ("country".to_string(), c.clone())),
        );
        keys.extend(a.themes.iter().map(|t| ("theme".to_string(), t.clone())));
        for (scope, key) in keys {
            sqlx::query(
                "INSERT INTO fund_exposure (instrument_id, year, scope, key, amount) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instrument_id, year, scope, key) DO UPDATE SET amount = fund_exposure.amount + excluded.amount",
            )
            .bind(m.instrument_id)
            .bind(m.year as i64)
            .bind(&scope)
            .bind(&key)
            .bind(delta)
            .execute(&mut *conn)
            .await?;
        }
    }
    let sealed = SealedTransaction {
        id: id.clone(),
        kind: m.kind.to_string(),
        instrument: m.instrument_id.to_string(),
        year: i64::from(m.year),
        application: app_id.to_string(),
        currency: m.currency.to_string(),
        amount: m.amount,
        rate: m.rate,
        eur: m.eur,
        value_date: m.value_date.to_string(),
        memo: m.memo.to_string(),
        user_id: access.subject.user_id.clone(),
        at: now,
    };
    let detail = serde_json::json!({
        "kind": m.kind, "application": app_id, "currency": m.currency, "amount": m.amount,
        "rate": m.rate, "eur": m.eur, "year": m.year, "instrument": m.instrument_id,
        "value_date": m.value_date, "seal": sealed.seal(&access.store.audit_key),
    })
    .to_string();
    access
        .audit_in(
            conn,
            &format!("ledger.{}", m.kind),
            "fund-transaction",
            &id,
            "ok",
            &detail,
        )
        .await?;
    record_change(conn, "fund-transaction", &id, "upsert").await?;
    Ok(id)
}

/// A ledger transaction's own fields, as written and as read back by the verifier. Its keyed
/// seal goes into the transaction's audit entry, which the keyed, anchored chain protects: a
/// transaction rewritten consistently (postings and balances adjusted) no longer matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SealedTransaction {
    id: String,
    kind: String,
    instrument: String,
    year: i64,
    application: String,
    currency: String,
    amount: i64,
    rate: i64,
    eur: i64,
    value_date: String,
    memo: String,
    user_id: String,
    at: i64,
}

impl SealedTransaction {
    fn seal(&self, key: &[u8]) -> String {
        grotius_domain::audit::seal(
            key,
            "grotius-ledger-transaction-v1",
            &[
                self.id.as_bytes(),
                self.kind.as_bytes(),
                self.instrument.as_bytes(),
                &self.year.to_be_bytes(),
                self.application.as_bytes(),
                self.currency.as_bytes(),
                &self.amount.to_be_bytes(),
                &self.rate.to_be_bytes(),
                &self.eur.to_be_bytes(),
                self.value_date.as_bytes(),
                self.memo.as_bytes(),
                self.user_id.as_bytes(),
                &self.at.to_be_bytes(),
            ],
        )
    }

    fn from_row(r: &sqlx::any::AnyRow) -> Result<Self> {
        Ok(SealedTransaction {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            instrument: r.try_get("instrument_id")?,
            year: r.try_get("year")?,
            application: r
                .try_get::<Option<String>, _>("application_id")?
                .unwrap_or_default(),
            currency: r.try_get("currency")?,
            amount: r.try_get("amount")?,
            rate: r.try_get("rate")?,
            eur: r.try_get("amount_eur")?,
            value_date: r.try_get("value_date")?,
            memo: r.try_get("memo")?,
            user_id: r.try_get("user_id")?,
            at: r.try_get("at")?,
        })
    }

    /// What differs between this transaction and its audit entry (empty when they agree).
    fn differences(&self, audit: &LedgerAudit, key: &[u8]) -> Vec<String> {
        let d = &audit.detail;
        let mut out = Vec::new();
        let mut text = |field: &str, label: &str, got: &str| {
            if let Some(want) = d[field].as_str()
                && want != got
            {
                out.push(format!("{label} '{got}', recorded '{want}'"));
            }
        };
        text("kind", "kind", &self.kind);
        text("application", "application", &self.application);
        text("currency", "currency", &self.currency);
        text("instrument", "instrument", &self.instrument);
        text("value_date", "value date", &self.value_date);
        let mut number = |field: &str, label: &str, got: i64, money: bool| {
            if let Some(want) = d[field].as_i64()
                && want != got
            {
                out.push(if money {
                    format!(
                        "{label} {}, recorded {}",
                        fund::format_amount(got, "EUR"),
                        fund::format_amount(want, "EUR")
                    )
                } else {
                    format!("{label} {got}, recorded {want}")
                });
            }
        };
        number("eur", "amount EUR", self.eur, true);
        number(
            "amount",
            "amount in currency (minor units)",
            self.amount,
            false,
        );
        number("rate", "rate", self.rate, false);
        number("year", "year", self.year, false);
        if audit.actor_id != self.user_id {
            out.push(format!(
                "author {}, recorded {}",
                self.user_id, audit.actor_id
            ));
        }
        if out.is_empty()
            && let Some(seal) = d["seal"].as_str()
            && seal != self.seal(key)
        {
            out.push("memo, value date or time differ from the sealed record".into());
        }
        out
    }
}

/// The audit entry that recorded a money movement.
struct LedgerAudit {
    seq: i64,
    actor_id: String,
    detail: serde_json::Value,
}

fn refusal_for(account: &str, balance: i64, eur: i64) -> String {
    let short = fund::format_amount(-balance, "EUR");
    let amount = fund::format_amount(eur, "EUR");
    if account.starts_with("available:") {
        format!(
            "refused: EUR {amount} does not fit in the remaining annual budget (EUR {short} short)"
        )
    } else if account.starts_with("committed:") {
        format!(
            "refused: EUR {amount} is more than remains committed on this grant (EUR {short} over)"
        )
    } else if account.starts_with("disbursed:") {
        format!("refused: EUR {amount} is more than was paid out on this grant (EUR {short} over)")
    } else {
        format!("refused: account {account} would fall below zero")
    }
}

/// Approval: commits the application's EUR amount, within budget and ceilings.
pub(crate) async fn commit_application(
    conn: &mut AnyConnection,
    access: &Access,
    a: &Application,
) -> Result<()> {
    lock_year(conn, &access.store, &a.instrument_id, a.fiscal_year).await?;
    post(
        conn,
        access,
        Movement {
            kind: "commitment",
            instrument_id: &a.instrument_id,
            year: a.fiscal_year,
            application: Some(a),
            currency: &a.currency,
            amount: a.amount,
            rate: a.rate,
            eur: a.amount_eur,
            value_date: &grotius_domain::roster::date_of_micros(now_micros()),
            memo: &format!("approval of {}", a.reference),
        },
    )
    .await?;
    Ok(())
}

/// Closing: whatever remains committed and undisbursed goes back to the budget.
pub(crate) async fn release_application(
    conn: &mut AnyConnection,
    access: &Access,
    a: &Application,
) -> Result<()> {
    lock_year(conn, &access.store, &a.instrument_id, a.fiscal_year).await?;
    let left: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM ledger_balances WHERE account = $1")
            .bind(fund::account::committed(&a.id))
            .fetch_optional(&mut *conn)
            .await?;
    let left = left.unwrap_or(0);
    if left > 0 {
        post(
            conn,
            access,
            Movement {
                kind: "decommitment",
                instrument_id: &a.instrument_id,
                year: a.fiscal_year,
                application: Some(a),
                currency: "EUR",
                amount: left,
                rate: fund::RATE_SCALE,
                eur: left,
                value_date: &grotius_domain::roster::date_of_micros(now_micros()),
                memo: &format!("closure of {}: undisbursed balance released", a.reference),
            },
        )
        .await?;
    }
    Ok(())
}

/// The transactions of an application, with what is committed and what is disbursed.
pub(crate) async fn entries_of(
    pool: &sqlx::AnyPool,
    app_id: &str,
) -> Result<(Vec<LedgerEntry>, i64, i64)> {
    let rows = sqlx::query(
        "SELECT id, kind, currency, amount, rate, amount_eur, value_date, memo, username, at FROM ledger_transactions WHERE application_id = $1 ORDER BY seq",
    )
    .bind(app_id)
    .fetch_all(pool)
    .await?;
    let entries = rows
        .iter()
        .map(|r| {
            Ok(LedgerEntry {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                currency: r.try_get("currency")?,
                amount: r.try_get("amount")?,
                rate: r.try_get("rate")?,
                amount_eur: r.try_get("amount_eur")?,
                value_date: r.try_get("value_date")?,
                memo: r.try_get("memo")?,
                username: r.try_get("username")?,
                at: r.try_get("at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let balance = |account: String| async move {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT balance FROM ledger_balances WHERE account = $1")
                .bind(account)
                .fetch_optional(pool)
                .await?;
        Ok::<i64, StoreError>(v.unwrap_or(0))
    };
    let committed = balance(fund::account::committed(app_id)).await?;
    let disbursed = balance(fund::account::disbursed(app_id)).await?;
    Ok((entries, committed, disbursed))
}

impl Access {
    /// Records a disbursement, refund or de-commitment on an approved grant.
    pub async fn record_payment(
        &self,
        application_id: &str,
        input: &PaymentInput,
    ) -> Result<LedgerEntry> {
        let a = self.get_application(application_id).await?;
        self.authorize(
            Action::Create,
            Resource::of_organisation(ResourceKind::FundTransaction, &a.labels, &a.partner),
            Some(&a.id),
        )
        .await?;
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
                "application {} is {}; payments need an approved grant (refunds also after closure)",
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
        let value_date = input.value_date.trim();
        if grotius_domain::roster::parse_date(value_date).is_none() {
            return Err(StoreError::invalid(
                "value_date",
                format!("'{value_date}' is not a date (YYYY-MM-DD)"),
            ));
        }
        let memo = input.memo.trim();
        if memo.chars().count() > 500 {
            return Err(StoreError::invalid("memo", "at most 500 characters"));
        }
        let eur = fund::to_eur_cents(amount, &currency, rate);
        let mut tx = self.store.write_tx().await?;
        lock_year(&mut tx, &self.store, &a.instrument_id, a.fiscal_year).await?;
        let id = post(
            &mut tx,
            self,
            Movement {
                kind,
                instrument_id: &a.instrument_id,
                year: a.fiscal_year,
                application: Some(&a),
                currency: &currency,
                amount,
                rate,
                eur,
                value_date,
                memo,
            },
        )
        .await?;
        tx.commit().await?;
        let (entries, _, _) = entries_of(&self.store.pool, &a.id).await?;
        entries
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Changes the committed amount of an approved grant by `delta` (positive: within budget and
    /// ceilings; negative: released). Four-eyes applies as for approval.
    pub async fn amend_commitment(
        &self,
        application_id: &str,
        delta_eur: &str,
        note: &str,
    ) -> Result<LedgerEntry> {
        let a = self.get_application(application_id).await?;
        self.authorize(
            Action::Update,
            Resource::of_organisation(ResourceKind::FundApplication, &a.labels, &a.partner),
            Some(&a.id),
        )
        .await?;
        let workflow = super::load_workflow(&self.store.pool).await?;
        let mut conn = self.store.pool.acquire().await?;
        let hands = self.hands(&mut conn, &a).await?;
        drop(conn);
        // Who may approve may amend: the approve step's roles and four-eyes.
        let approve_from = if a.track == "fast" {
            "submitted"
        } else {
            "committee"
        };
        fund::check_step(
            &workflow,
            &a.track,
            approve_from,
            "approved",
            &self.subject.user_id,
            &self.subject.roles,
            &hands,
        )
        .map_err(|r| StoreError::Forbidden(r.to_string()))?;
        if a.state != "approved" {
            return Err(StoreError::Conflict(format!(
                "application {} is {}; only approved grants can be amended",
                a.reference, a.state
            )));
        }
        let t = delta_eur.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let abs = fund::parse_amount(digits, "EUR", "amount")?;
        if abs == 0 {
            return Err(StoreError::invalid(
                "amount",
                "an amendment changes the amount",
            ));
        }
        let eur = if neg { -abs } else { abs };
        let mut tx = self.store.write_tx().await?;
        lock_year(&mut tx, &self.store, &a.instrument_id, a.fiscal_year).await?;
        let id = post(
            &mut tx,
            self,
            Movement {
                kind: "amendment",
                instrument_id: &a.instrument_id,
                year: a.fiscal_year,
                application: Some(&a),
                currency: "EUR",
                amount: eur,
                rate: fund::RATE_SCALE,
                eur,
                value_date: &grotius_domain::roster::date_of_micros(now_micros()),
                memo: note.trim(),
            },
        )
        .await?;
        tx.commit().await?;
        let (entries, _, _) = entries_of(&self.store.pool, &a.id).await?;
        entries
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// Checks every invariant of the ledger and names each violation: every transaction's
    /// postings are the ones its kind prescribes and sum to zero; every balance equals the sum
    /// of its postings; no account that must stay non-negative is negative; the maintained
    /// exposure equals what the transactions imply; no ceiling is exceeded.
    pub async fn verify_fund(&self) -> Result<FundVerifyReport> {
        self.verify_fund_with(crate::AnchorCheck::Required).await
    }

    /// [`Store::verify_fund`], holding the audit log it cross-checks against this node's anchor
    /// or not (`BackupCandidate`, for a backup about to be restored).
    pub async fn verify_fund_with(&self, check: crate::AnchorCheck) -> Result<FundVerifyReport> {
        let mut r = FundVerifyReport::default();
        let txs = sqlx::query(
            "SELECT t.id, t.kind, t.instrument_id, t.year, t.application_id, t.currency, t.amount, t.rate, t.amount_eur, t.value_date, t.memo, t.user_id, t.at, a.countries, a.themes FROM ledger_transactions t LEFT JOIN fund_applications a ON a.id = t.application_id ORDER BY t.seq",
        )
        .fetch_all(&self.pool)
        .await?;
        self.cross_check_ledger_with_audit(&txs, check, &mut r)
            .await?;
        let posts = sqlx::query("SELECT transaction_id, account, amount FROM ledger_postings")
            .fetch_all(&self.pool)
            .await?;
        let mut by_tx: HashMap<String, Vec<(String, i64)>> = HashMap::new();
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for p in &posts {
            let t: String = p.try_get("transaction_id")?;
            let account: String = p.try_get("account")?;
            let amount: i64 = p.try_get("amount")?;
            *sums.entry(account.clone()).or_default() += amount;
            by_tx.entry(t).or_default().push((account, amount));
        }
        let mut expected_exposure: BTreeMap<(String, i64, String, String), i64> = BTreeMap::new();
        for t in &txs {
            r.transactions += 1;
            let id: String = t.try_get("id")?;
            let kind: String = t.try_get("kind")?;
            let instrument: String = t.try_get("instrument_id")?;
            let year: i64 = t.try_get("year")?;
            let app: Option<String> = t.try_get("application_id")?;
            let eur: i64 = t.try_get("amount_eur")?;
            let mut got = by_tx.remove(&id).unwrap_or_default();
            let total: i64 = got.iter().map(|(_, a)| a).sum();
            if total != 0 {
                r.problems.push(format!(
                    "transaction {id} ({kind}) does not balance: its postings sum to {total} cents"
                ));
            }
            let mut want: Vec<(String, i64)> = fund::postings(
                &kind,
                &instrument,
                year as i32,
                app.as_deref().unwrap_or(""),
                eur,
            )
            .into_iter()
            .map(|p| (p.account, p.amount))
            .collect();
            got.sort();
            want.sort();
            if got != want {
                r.problems.push(format!(
                    "transaction {id} ({kind}, EUR {}) has postings {got:?}, expected {want:?}",
                    fund::format_amount(eur, "EUR")
                ));
            }
            let sign = exposure_sign(&kind);
            if sign != 0 {
                let countries: Vec<String> = t
                    .try_get::<Option<String>, _>("countries")?
                    .map(|c| list(&c))
                    .unwrap_or_default();
                let themes: Vec<String> = t
                    .try_get::<Option<String>, _>("themes")?
                    .map(|c| list(&c))
                    .unwrap_or_default();
                let mut keys = vec![("budget".to_string(), String::new())];
                keys.extend(countries.into_iter().map(|c| ("country".to_string(), c)));
                keys.extend(themes.into_iter().map(|t| ("theme".to_string(), t)));
                for (scope, key) in keys {
                    *expected_exposure
                        .entry((instrument.clone(), year, scope, key))
                        .or_default() += sign * eur;
                }
            }
        }
        for (t, legs) in by_tx {
            r.problems
                .push(format!("postings {legs:?} belong to no transaction ({t})"));
        }
        let balances = sqlx::query("SELECT account, balance FROM ledger_balances")
            .fetch_all(&self.pool)
            .await?;
        let mut seen = BTreeMap::new();
        for b in &balances {
            let account: String = b.try_get("account")?;
            let balance: i64 = b.try_get("balance")?;
            seen.insert(account, balance);
        }
        r.accounts = seen.len() as i64;
        for (account, sum) in &sums {
            match seen.get(account) {
                Some(b) if b == sum => {}
                Some(b) => r.problems.push(format!(
                    "account {account}: balance {b} cents but its postings sum to {sum}"
                )),
                None => r.problems.push(format!(
                    "account {account}: no balance row, postings sum to {sum}"
                )),
            }
        }
        for (account, b) in &seen {
            if !sums.contains_key(account) && *b != 0 {
                r.problems.push(format!(
                    "account {account}: balance {b} cents without any posting"
                ));
            }
            if *b < 0 && fund::must_stay_non_negative(account) {
                r.problems
                    .push(format!("account {account} is negative: {b} cents"));
            }
        }
        let exposure =
            sqlx::query("SELECT instrument_id, year, scope, key, amount FROM fund_exposure")
                .fetch_all(&self.pool)
                .await?;
        let mut stored: BTreeMap<(String, i64, String, String), i64> = BTreeMap::new();
        for e in &exposure {
            stored.insert(
                (
                    e.try_get("instrument_id")?,
                    e.try_get("year")?,
                    e.try_get("scope")?,
                    e.try_get("key")?,
                ),
                e.try_get("amount")?,
            );
        }
        for (k, want) in &expected_exposure {
            let got = stored.get(k).copied().unwrap_or(0);
            if got != *want {
                r.problems.push(format!(
                    "exposure {} {} {} '{}': stored {got} cents, the ledger implies {want}",
                    k.0, k.1, k.2, k.3
                ));
            }
        }
        for (k, got) in &stored {
            if !expected_exposure.contains_key(k) && *got != 0 {
                r.problems.push(format!(
                    "exposure {} {} {} '{}': stored {got} cents without any transaction",
                    k.0, k.1, k.2, k.3
                ));
            }
        }
        let ceilings =
            sqlx::query("SELECT instrument_id, year, scope, key, amount FROM fund_ceilings")
                .fetch_all(&self.pool)
                .await?;
        for c in &ceilings {
            r.ceilings += 1;
            let key: (String, i64, String, String) = (
                c.try_get("instrument_id")?,
                c.try_get("year")?,
                c.try_get("scope")?,
                c.try_get("key")?,
            );
            let limit: i64 = c.try_get("amount")?;
            let used = expected_exposure.get(&key).copied().unwrap_or(0);
            if used > limit {
                r.problems.push(format!(
                    "ceiling {} {} {} '{}' exceeded: EUR {} committed of EUR {}",
                    key.0,
                    key.1,
                    key.2,
                    key.3,
                    fund::format_amount(used, "EUR"),
                    fund::format_amount(limit, "EUR")
                ));
            }
            if key.2 == "budget" {
                let allocated = -sums
                    .get(&fund::account::appropriation(&key.0, key.1 as i32))
                    .copied()
                    .unwrap_or(0);
                if allocated != limit {
                    r.problems.push(format!(
                        "budget {} {}: EUR {} set but EUR {} allocated in the ledger",
                        key.0,
                        key.1,
                        fund::format_amount(limit, "EUR"),
                        fund::format_amount(allocated, "EUR")
                    ));
                }
            }
        }
        Ok(r)
    }

    /// Every money movement against the audit entry that recorded it (the keyed chain, which
    /// `audit verify` proves and anchors): a transaction changed (even with its postings and
    /// balances adjusted to match), removed, added, or standing out of order is named.
    async fn cross_check_ledger_with_audit(
        &self,
        txs: &[sqlx::any::AnyRow],
        check: crate::AnchorCheck,
        r: &mut FundVerifyReport,
    ) -> Result<()> {
        if let Err(e) = self.verify_audit_with(check).await {
            r.problems.push(format!(
                "the audit log the ledger is checked against is broken: {e}"
            ));
        }
        let mut audited: BTreeMap<String, LedgerAudit> = BTreeMap::new();
        for row in sqlx::query(
            "SELECT seq, actor_id, resource_id, detail FROM audit_log WHERE resource_kind = 'fund-transaction' AND action LIKE 'ledger.%' AND outcome = 'ok' ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?
        {
            let detail: String = row.try_get("detail")?;
            audited.insert(
                row.try_get("resource_id")?,
                LedgerAudit {
                    seq: row.try_get("seq")?,
                    actor_id: row.try_get("actor_id")?,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                },
            );
        }
        // (audit seq, transaction id) of the previous transaction in ledger order.
        let mut previous: Option<(i64, String)> = None;
        for row in txs {
            let t = SealedTransaction::from_row(row)?;
            let what = format!(
                "transaction {} ({}, EUR {}{})",
                t.id,
                t.kind,
                fund::format_amount(t.eur, "EUR"),
                if t.application.is_empty() {
                    String::new()
                } else {
                    format!(", application {}", t.application)
                }
            );
            let Some(audit) = audited.remove(&t.id) else {
                r.problems.push(format!(
                    "{what}: no audit entry recorded it (inserted into the ledger directly)"
                ));
                continue;
            };
            let changed = t.differences(&audit, &self.audit_key);
            if !changed.is_empty() {
                r.problems.push(format!(
                    "{what}: differs from audit entry {} (edited): {}",
                    audit.seq,
                    changed.join("; ")
                ));
            }
            if let Some((seq, id)) = &previous
                && *seq > audit.seq
            {
                r.problems.push(format!(
                    "{what}: stands after transaction {id} in the ledger, but the audit log recorded it first (entry {} before {seq}; reordered)",
                    audit.seq
                ));
            }
            previous = Some((audit.seq, t.id));
        }
        for (id, audit) in audited {
            let d = &audit.detail;
            r.problems.push(format!(
                "transaction {id} ({}, EUR {}{}), recorded in audit entry {}: missing from the ledger (deleted)",
                d["kind"].as_str().unwrap_or("?"),
                fund::format_amount(d["eur"].as_i64().unwrap_or(0), "EUR"),
                match d["application"].as_str() {
                    Some(a) if !a.is_empty() => format!(", application {a}"),
                    _ => String::new(),
                },
                audit.seq
            ));
        }
        Ok(())
    }
}
