//! IATI 2.03 activity XML for the fund's grants.
//!
//! One `iati-activity` per approved or closed grant the exporter may read, leaving out what is
//! excluded from publication and anything sensitive (the grant or a linked process is
//! confidential or higher, or in a compartment): IATI is public. Elements follow the order of
//! the 2.03 schema; codes are those of the IATI codelists (sector vocabulary 1 = OECD DAC CRS
//! purpose codes, policy marker 1 = gender equality with the significance of the DAC gender
//! marker, transaction types 2 = outgoing commitment and 3 = disbursement).

use std::collections::HashMap;
use std::fmt::Write as _;

use grotius_domain::fund::{self, Application, Instrument};
use grotius_domain::roster::{civil_from_days, parse_date};
use grotius_domain::{Action, Resource, ResourceKind, organisation_bound};
use grotius_security::now_micros;
use serde::Serialize;
use sqlx::Row;

use super::APP_COLS;
use super::reports::is_sensitive;
use crate::db::{Bind, Where};
use crate::{Access, Result, StoreError};

/// The reporting organisation: the Netherlands Ministry of Foreign Affairs (its IATI
/// organisation identifier) as a government body (OrganisationType 10).
pub const REPORTING_ORG_REF: &str = "XM-DAC-7";
pub const REPORTING_ORG_NAME: &str = "Ministry of Foreign Affairs of the Netherlands";
pub const REPORTING_ORG_TYPE: &str = "10";

/// What an IATI export produced.
#[derive(Debug, Clone, Serialize)]
pub struct IatiExport {
    pub xml: String,
    pub activities: usize,
    /// Grants left out because they are excluded from publication.
    pub excluded: usize,
    /// Grants left out because they or a linked process are confidential or compartmented.
    pub sensitive: usize,
}

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `YYYY-MM-DD` plus `n` months (the day clamped to the month's length).
fn add_months(date: &str, n: i64) -> Option<String> {
    parse_date(date)?;
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    let total = y * 12 + (m - 1) + n;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let leap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
    let len = match nm {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if leap => 29,
        _ => 28,
    };
    Some(format!("{ny:04}-{nm:02}-{:02}", d.min(len)))
}

fn day_before(date: &str) -> Option<String> {
    parse_date(date).map(|d| civil_from_days(d - 1))
}

fn date_of(micros: i64) -> String {
    grotius_domain::roster::date_of_micros(micros)
}

fn datetime_of(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let day = secs.div_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        civil_from_days(day),
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// Budget periods of at most 12 months covering the grant, with its amount divided in
/// proportion to the months (the remainder in the last period).
fn budget_periods(a: &Application) -> Vec<(String, String, i64)> {
    let months = a.months.max(1);
    let mut out = Vec::new();
    let mut given = 0;
    let mut m = 0;
    while m < months {
        let len = (months - m).min(12);
        let (Some(start), Some(next)) = (
            add_months(&a.start_date, m),
            add_months(&a.start_date, m + len),
        ) else {
            return Vec::new();
        };
        let end = day_before(&next).unwrap_or(next);
        let value = if m + len >= months {
            a.amount - given
        } else {
            (a.amount as i128 * len as i128 / months as i128) as i64
        };
        given += value;
        out.push((start, end, value));
        m += len;
    }
    out
}

struct Tx {
    kind: String,
    currency: String,
    amount: i64,
    value_date: String,
}

/// IATI transaction type and signed value of a ledger transaction.
fn iati_transaction(t: &Tx) -> Option<(&'static str, i64)> {
    match t.kind.as_str() {
        "commitment" | "amendment" => Some(("2", t.amount)),
        "decommitment" => Some(("2", -t.amount)),
        "disbursement" => Some(("3", t.amount)),
        "refund" => Some(("3", -t.amount)),
        _ => None,
    }
}

fn write_activity(
    x: &mut String,
    a: &Application,
    instrument: Option<&Instrument>,
    txs: &[Tx],
    closed_at: Option<i64>,
) {
    let e = xml_escape;
    let org = REPORTING_ORG_REF;
    let updated = closed_at
        .into_iter()
        .chain(a.decided_at)
        .max()
        .unwrap_or(a.created_at);
    let _ = writeln!(
        x,
        r#" <iati-activity last-updated-datetime="{}" xml:lang="en" default-currency="EUR">"#,
        datetime_of(updated)
    );
    let _ = writeln!(
        x,
        "  <iati-identifier>{}-{}</iati-identifier>",
        e(org),
        e(&a.reference)
    );
    let _ = writeln!(
        x,
        r#"  <reporting-org ref="{}" type="{REPORTING_ORG_TYPE}"><narrative>{}</narrative></reporting-org>"#,
        e(org),
        e(REPORTING_ORG_NAME)
    );
    let _ = writeln!(x, "  <title><narrative>{}</narrative></title>", e(&a.title));
    let instrument_name = instrument
        .map(|i| format!("{} ({})", i.name, i.code))
        .unwrap_or_else(|| "the flexible mediation fund".into());
    let _ = writeln!(
        x,
        r#"  <description type="1"><narrative>{}</narrative></description>"#,
        e(&format!("Grant from {instrument_name}."))
    );
    for role in ["1", "3"] {
        let _ = writeln!(
            x,
            r#"  <participating-org ref="{}" type="{REPORTING_ORG_TYPE}" role="{role}"><narrative>{}</narrative></participating-org>"#,
            e(org),
            e(REPORTING_ORG_NAME)
        );
    }
    let _ = writeln!(
        x,
        r#"  <participating-org role="4"><narrative>{}</narrative></participating-org>"#,
        e(&a.partner)
    );
    let status = if a.state == "closed" { "4" } else { "2" };
    let _ = writeln!(x, r#"  <activity-status code="{status}"/>"#);
    let _ = writeln!(
        x,
        r#"  <activity-date type="1" iso-date="{}"/>"#,
        e(&a.start_date)
    );
    if let Some(end) = add_months(&a.start_date, a.months).and_then(|d| day_before(&d)) {
        let _ = writeln!(x, r#"  <activity-date type="3" iso-date="{}"/>"#, e(&end));
    }
    if let Some(c) = closed_at {
        let _ = writeln!(
            x,
            r#"  <activity-date type="4" iso-date="{}"/>"#,
            date_of(c)
        );
    }
    let shares = super::reports::split(10_000, a.countries.len().max(1));
    for (c, pct) in a.countries.iter().zip(shares) {
        let _ = writeln!(
            x,
            r#"  <recipient-country code="{}" percentage="{}.{:02}"/>"#,
            e(c),
            pct / 100,
            pct % 100
        );
    }
    let _ = writeln!(
        x,
        r#"  <sector vocabulary="1" code="{}" percentage="100"/>"#,
        e(&a.purpose_code)
    );
    let _ = writeln!(
        x,
        r#"  <policy-marker vocabulary="1" code="1" significance="{}"/>"#,
        e(&a.gender_marker)
    );
    let oda = instrument.is_none_or(|i| i.oda);
    let _ = writeln!(x, r#"  <collaboration-type code="1"/>"#);
    let _ = writeln!(
        x,
        r#"  <default-flow-type code="{}"/>"#,
        if oda { "10" } else { "21" }
    );
    let _ = writeln!(x, r#"  <default-finance-type code="110"/>"#);
    let _ = writeln!(x, r#"  <default-aid-type code="C01" vocabulary="1"/>"#);
    let _ = writeln!(x, r#"  <default-tied-status code="5"/>"#);
    for (start, end, value) in budget_periods(a) {
        let _ = writeln!(
            x,
            r#"  <budget type="1" status="2"><period-start iso-date="{start}"/><period-end iso-date="{end}"/><value currency="{}" value-date="{}">{}</value></budget>"#,
            e(&a.currency),
            e(&a.start_date),
            fund::format_amount(value, &a.currency)
        );
    }
    for t in txs {
        let Some((code, value)) = iati_transaction(t) else {
            continue;
        };
        let _ = writeln!(
            x,
            r#"  <transaction><transaction-type code="{code}"/><transaction-date iso-date="{d}"/><value currency="{c}" value-date="{d}">{v}</value><provider-org ref="{o}"><narrative>{on}</narrative></provider-org><receiver-org><narrative>{p}</narrative></receiver-org></transaction>"#,
            d = e(&t.value_date),
            c = e(&t.currency),
            v = fund::format_amount(value, &t.currency),
            o = e(org),
            on = e(REPORTING_ORG_NAME),
            p = e(&a.partner),
        );
    }
    x.push_str(" </iati-activity>\n");
}

impl Access {
    /// IATI 2.03 XML of the approved and closed grants the asker may read and export, without
    /// those excluded from publication and those that are sensitive. `progress(done, total)` is
    /// called as activities are written. The export is audited with the grants it holds.
    pub async fn export_iati(
        &self,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<IatiExport> {
        self.authorize(
            Action::Export,
            Resource::kind(ResourceKind::FundApplication),
            None,
        )
        .await?;
        if !self.may(Action::Read, Resource::kind(ResourceKind::FundTransaction)) {
            return Err(StoreError::NotFound);
        }
        let mut f = Where::default();
        f.visibility(self, "");
        if let Some(org) = organisation_bound(&self.subject, ResourceKind::FundApplication) {
            f.push("partner = ?", Bind::Text(org.to_string()));
        }
        f.push("state IN ('approved', ?)", Bind::Text("closed".into()));
        let rows = f
            .query(format!(
                "SELECT {APP_COLS} FROM fund_applications{} ORDER BY reference",
                f.sql()
            ))
            .fetch_all(&self.store.pool)
            .await?;
        let processes = self.fundrep_processes().await?;
        let mut apps = Vec::new();
        let (mut excluded, mut sensitive) = (0, 0);
        for r in &rows {
            let a = self.application_from_row(r)?;
            if !self.may(
                Action::Export,
                Resource::of_organisation(ResourceKind::FundApplication, &a.labels, &a.partner),
            ) || !self.may(
                Action::Read,
                Resource::of_organisation(ResourceKind::FundTransaction, &a.labels, &a.partner),
            ) {
                return Err(StoreError::Integrity(format!(
                    "visibility filter returned fund-application {} that the policy denies",
                    a.id
                )));
            }
            if a.exclude_from_publication {
                excluded += 1;
            } else if is_sensitive(&a.labels)
                || a.process_ids.iter().any(|p| {
                    processes
                        .get(p)
                        .is_none_or(|info| is_sensitive(&info.labels))
                })
            {
                sensitive += 1;
            } else {
                apps.push(a);
            }
        }
        let wanted: HashMap<&str, usize> = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let mut txs: Vec<Vec<Tx>> = (0..apps.len()).map(|_| Vec::new()).collect();
        let rows = sqlx::query(
            "SELECT application_id, kind, currency, amount, value_date FROM ledger_transactions WHERE application_id IS NOT NULL ORDER BY seq",
        )
        .fetch_all(&self.store.pool)
        .await?;
        for r in &rows {
            let app: String = r.try_get("application_id")?;
            if let Some(i) = wanted.get(app.as_str()) {
                txs[*i].push(Tx {
                    kind: r.try_get("kind")?,
                    currency: r.try_get("currency")?,
                    amount: r.try_get("amount")?,
                    value_date: r.try_get("value_date")?,
                });
            }
        }
        let rows = sqlx::query(
            "SELECT application_id, MAX(at) AS at FROM fund_steps WHERE to_state = 'closed' GROUP BY application_id",
        )
        .fetch_all(&self.store.pool)
        .await?;
        let mut closed: HashMap<String, i64> = HashMap::new();
        for r in &rows {
            closed.insert(r.try_get("application_id")?, r.try_get("at")?);
        }
        let instruments = self.fundrep_instruments().await?;
        let mut x = String::with_capacity(4096 + apps.len() * 3000);
        let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            x,
            r#"<iati-activities version="2.03" generated-datetime="{}">"#,
            datetime_of(now_micros())
        );
        let total = apps.len();
        for (i, a) in apps.iter().enumerate() {
            write_activity(
                &mut x,
                a,
                instruments.get(&a.instrument_id),
                &txs[i],
                if a.state == "closed" {
                    closed.get(&a.id).copied()
                } else {
                    None
                },
            );
            if (i + 1) % 100 == 0 || i + 1 == total {
                progress(i + 1, total);
            }
        }
        x.push_str("</iati-activities>\n");
        let ids: Vec<&str> = apps.iter().map(|a| a.id.as_str()).collect();
        let detail = serde_json::json!({
            "format": "iati-2.03", "activities": total, "excluded": excluded,
            "sensitive": sensitive, "ids": ids,
        })
        .to_string();
        self.audit_now("fund.iati.export", "fund-application", "", "ok", &detail)
            .await?;
        Ok(IatiExport {
            xml: x,
            activities: total,
            excluded,
            sensitive,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_dates() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(add_months("2027-01-31", 1).as_deref(), Some("2027-02-28"));
        assert_eq!(add_months("2027-11-15", 14).as_deref(), Some("2029-01-15"));
        assert_eq!(day_before("2028-03-01").as_deref(), Some("2028-02-29"));
        assert_eq!(datetime_of(0), "1970-01-01T00:00:00Z");
    }
}
