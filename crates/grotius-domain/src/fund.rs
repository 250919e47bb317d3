//! The flexible mediation fund: instruments with budgets and ceilings, applications, the
//! workflow as data (fast and standard track, four-eyes), money in integer minor units with
//! recorded exchange rates, and the double-entry ledger's rules.
//!
//! Nothing here touches a database: the store loads the workflow table and the balances, asks
//! these functions, and writes what they allow.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::reference::{self, Term};
use crate::{DomainError, Labels, Role};

const SECTORS_CSV: &str = include_str!("../../../data/iati/Sector.csv");
const CURRENCIES_CSV: &str = include_str!("../../../data/iati/Currency.csv");

/// An OECD DAC CRS purpose code (IATI `Sector` codelist, vocabulary 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeCode {
    pub code: String,
    pub name: String,
    /// The DAC 3-digit sector category, e.g. `152` (conflict, peace and security).
    pub category: String,
    pub active: bool,
}

fn read_csv<T>(text: &str, f: impl Fn(&csv::StringRecord) -> T) -> Vec<T> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| f(&rec.expect("vendored codelist is valid CSV")))
        .collect()
}

/// All 325 CRS purpose codes of the vendored IATI codelist.
pub fn purpose_codes() -> &'static [PurposeCode] {
    static C: OnceLock<Vec<PurposeCode>> = OnceLock::new();
    C.get_or_init(|| {
        read_csv(SECTORS_CSV, |r| PurposeCode {
            code: r.get(0).unwrap_or_default().to_string(),
            name: r.get(1).unwrap_or_default().to_string(),
            category: r.get(2).unwrap_or_default().to_string(),
            active: r.get(3) == Some("active"),
        })
    })
}

pub fn purpose_code(code: &str) -> Option<&'static PurposeCode> {
    purpose_codes().iter().find(|p| p.code == code.trim())
}

/// ISO 4217 currencies of the vendored IATI codelist: `(code, name, active)`.
pub fn currencies() -> &'static [(String, String, bool)] {
    static C: OnceLock<Vec<(String, String, bool)>> = OnceLock::new();
    C.get_or_init(|| {
        read_csv(CURRENCIES_CSV, |r| {
            (
                r.get(0).unwrap_or_default().to_string(),
                r.get(1).unwrap_or_default().to_string(),
                r.get(2) == Some("active"),
            )
        })
    })
}

/// Digits after the decimal point of an ISO 4217 currency (2 unless listed).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Validates an active ISO 4217 code.
pub fn parse_currency(code: &str) -> Result<String, DomainError> {
    let c = code.trim().to_ascii_uppercase();
    match currencies().iter().find(|(k, _, _)| *k == c) {
        Some((_, _, true)) => Ok(c),
        Some(_) => Err(DomainError::invalid(
            "currency",
            format!("'{c}' is withdrawn from ISO 4217"),
        )),
        None => Err(DomainError::invalid(
            "currency",
            format!("'{code}' is not an ISO 4217 currency code"),
        )),
    }
}

/// Parses an amount as people write it, in Dutch or English notation, into minor units of
/// `currency`: `45000`, `45000.50`, `45,000.50`, `45.000,50`, `€ 45.000,50`, `EUR 45 000,50`,
/// `12,5`. One rule for every language, so the same text means the same amount whoever types
/// it: spaces (also non-breaking) and a leading or trailing `€`, `$`, `£` or the currency's code
/// are ignored; with both `.` and `,` the last one separates the decimals and the other groups
/// thousands; one of them several times groups thousands; one of them once groups thousands when
/// exactly three digits follow and the currency has fewer than three decimals (`45.000` and
/// `45,000` are both 45000), and separates the decimals otherwise (`12,5` is 12.50). Groups of
/// thousands after the first have exactly three digits. Negative amounts are refused.
pub fn parse_amount(text: &str, currency: &str, field: &'static str) -> Result<i64, DomainError> {
    let digits = minor_digits(currency);
    let bad = || {
        let example = match digits {
            0 => "45000 or 45.000".to_string(),
            3 => "45000.500 or 45.000,500".to_string(),
            _ => "45000, 45,000.50 or 45.000,50".to_string(),
        };
        DomainError::invalid(
            field,
            format!("'{text}' is not an amount in {currency} (for example {example})"),
        )
    };
    let mut t: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\t'))
        .collect();
    for sign in ["€", "$", "£", currency] {
        if let Some(rest) = t.strip_prefix(sign) {
            t = rest.to_string();
        } else if let Some(rest) = t.strip_suffix(sign) {
            t = rest.to_string();
        }
    }
    // "1.234.567" → "1234567": groups after the first have exactly three digits.
    let ungroup = |s: &str, sep: char| -> Option<String> {
        let mut parts = s.split(sep);
        let first = parts.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        let mut out = first.to_string();
        for p in parts {
            if p.len() != 3 {
                return None;
            }
            out.push_str(p);
        }
        Some(out)
    };
    let dots = t.matches('.').count();
    let commas = t.matches(',').count();
    let (whole, frac): (String, String) = match (dots, commas) {
        (0, 0) => (t.clone(), String::new()),
        (d, c) if d > 0 && c > 0 => {
            let (dec, group) = if t.rfind('.') > t.rfind(',') {
                ('.', ',')
            } else {
                (',', '.')
            };
            let (w, f) = t.rsplit_once(dec).ok_or_else(bad)?;
            if f.contains(group) {
                return Err(bad());
            }
            (ungroup(w, group).ok_or_else(bad)?, f.to_string())
        }
        (d, c) => {
            let n = d + c;
            let sep = if dots > 0 { '.' } else { ',' };
            if n > 1 {
                (ungroup(&t, sep).ok_or_else(bad)?, String::new())
            } else {
                let (w, f) = t.split_once(sep).ok_or_else(bad)?;
                if f.len() == 3 && digits < 3 && (1..=3).contains(&w.len()) {
                    (format!("{w}{f}"), String::new())
                } else {
                    (w.to_string(), f.to_string())
                }
            }
        }
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > digits as usize
    {
        return Err(bad());
    }
    let scale = 10_i64.pow(digits);
    let w: i64 = whole
        .parse()
        .map_err(|_| DomainError::invalid(field, format!("'{text}' is too large")))?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = digits as usize)
            .parse()
            .map_err(|_| bad())?
    };
    w.checked_mul(scale)
        .and_then(|v| v.checked_add(f))
        .filter(|v| *v <= MAX_AMOUNT)
        .ok_or_else(|| DomainError::invalid(field, format!("'{text}' is too large")))
}

/// Amounts above this (in minor units) are refused: 10^15, far above any grant, far below
/// overflow of sums.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Writes minor units as a decimal with the currency's digits, e.g. `1234567` EUR → `12345.67`.
pub fn format_amount(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        m / scale as u64,
        m % scale as u64,
        width = digits as usize
    )
}

/// Exchange rates are recorded as EUR per one unit of the currency, times 10^6 (micro-EUR per
/// unit), so no float ever touches money.
pub const RATE_SCALE: i64 = 1_000_000;

/// Parses an exchange rate such as `0.925` (EUR per unit) into micro-units.
pub fn parse_rate(text: &str) -> Result<i64, DomainError> {
    let t = text.trim();
    let bad = || {
        DomainError::invalid(
            "rate",
            format!(
                "'{text}' is not an exchange rate (EUR per unit, up to 6 decimals, e.g. 0.925)"
            ),
        )
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || frac.len() > 6
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    let rate = w
        .checked_mul(RATE_SCALE)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(bad)?;
    if rate == 0 || rate > 100_000 * RATE_SCALE {
        return Err(bad());
    }
    Ok(rate)
}

/// Writes a rate in micro-EUR per unit as a short decimal: `925000` → `0.925`.
pub fn format_rate(rate: i64) -> String {
    let s = format!("{}.{:06}", rate / RATE_SCALE, rate % RATE_SCALE);
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

/// Converts minor units of `currency` at `rate` (micro-EUR per unit) into euro cents, rounding
/// half away from zero. EUR at rate 1.000000 converts to itself.
pub fn to_eur_cents(minor: i64, currency: &str, rate: i64) -> i64 {
    let digits = minor_digits(currency) as i32;
    // cents = minor / 10^digits * rate / 10^6 * 100
    let num = minor as i128 * rate as i128 * 100;
    let den = RATE_SCALE as i128 * 10_i128.pow(digits as u32);
    let q = num / den;
    let r = num % den;
    let q = if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    };
    q as i64
}

use crate::reference::t;

/// The two flows an application can follow.
pub const TRACKS: &[Term] = &[
    t("fast", "Fast track", "Snelle procedure"),
    t("standard", "Standard track", "Standaardprocedure"),
];

/// States of an application (both tracks; the workflow table says which apply to which).
pub const STATES: &[Term] = &[
    t("draft", "Draft", "Concept"),
    t("submitted", "Submitted", "Ingediend"),
    t("appraisal", "In appraisal", "In beoordeling"),
    t("review", "In review", "In toetsing"),
    t("committee", "Before the committee", "Bij de commissie"),
    t("approved", "Approved", "Goedgekeurd"),
    t("rejected", "Rejected", "Afgewezen"),
    t("closed", "Closed", "Afgesloten"),
    t("withdrawn", "Withdrawn", "Ingetrokken"),
];

/// OECD DAC gender equality policy marker (IATI PolicySignificance 0–2).
pub const GENDER_MARKERS: &[Term] = &[
    t("0", "Not targeted", "Niet gericht"),
    t("1", "Significant objective", "Significante doelstelling"),
    t("2", "Principal objective", "Hoofddoelstelling"),
];

/// What a transition does besides moving the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    None,
    /// The one who fires it prepared the application (four-eyes remembers them).
    Prepare,
    /// The one who fires it appraised the application (four-eyes remembers them).
    Appraise,
    /// Approval: commits the amount in the ledger, within every budget and ceiling.
    Commit,
    /// Closing: whatever is committed and not disbursed is de-committed.
    Release,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::None => "none",
            Effect::Prepare => "prepare",
            Effect::Appraise => "appraise",
            Effect::Commit => "commit",
            Effect::Release => "release",
        }
    }

    pub fn parse(s: &str) -> Option<Effect> {
        [
            Effect::None,
            Effect::Prepare,
            Effect::Appraise,
            Effect::Commit,
            Effect::Release,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// One row of the workflow table: in `track`, from `from` an application may go to `to` when a
/// user with one of `roles` fires it; `four_eyes` forbids whoever prepared or appraised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowStep {
    pub track: String,
    pub from: String,
    pub to: String,
    /// The verb shown on the button, e.g. `approve`.
    pub name: String,
    pub roles: Vec<Role>,
    pub four_eyes: bool,
    pub effect: Effect,
}

/// Who has done what to an application so far, for the four-eyes rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hands {
    pub created_by: String,
    pub prepared_by: Vec<String>,
    pub appraised_by: Vec<String>,
}

/// Why a transition may not be fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No row of the workflow moves this track from this state to that one.
    NoSuchStep { from: String, to: String },
    /// The step exists but none of the user's roles may fire it.
    Role { step: String, roles: Vec<Role> },
    /// Four-eyes: the user prepared or appraised the application.
    FourEyes { step: String, because: &'static str },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoSuchStep { from, to } => {
                write!(f, "an application cannot move from '{from}' to '{to}'")
            }
            Refusal::Role { step, roles } => write!(
                f,
                "'{step}' may only be done by: {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Refusal::FourEyes { step, because } => write!(
                f,
                "four-eyes rule: you {because} this application, so someone else must {step} it"
            ),
        }
    }
}

/// Decides whether `user` (with `roles`) may move an application of `track` from `from` to
/// `to`, given the workflow table and who handled it before.
pub fn check_step<'w>(
    workflow: &'w [WorkflowStep],
    track: &str,
    from: &str,
    to: &str,
    user: &str,
    roles: &[Role],
    hands: &Hands,
) -> Result<&'w WorkflowStep, Refusal> {
    let step = workflow
        .iter()
        .find(|s| s.track == track && s.from == from && s.to == to)
        .ok_or_else(|| Refusal::NoSuchStep {
            from: from.to_string(),
            to: to.to_string(),
        })?;
    if !roles.iter().any(|r| step.roles.contains(r)) {
        return Err(Refusal::Role {
            step: step.name.clone(),
            roles: step.roles.clone(),
        });
    }
    if step.four_eyes {
        let because = if hands.prepared_by.iter().any(|u| u == user) || hands.created_by == user {
            Some("prepared")
        } else if hands.appraised_by.iter().any(|u| u == user) {
            Some("appraised")
        } else {
            None
        };
        if let Some(because) = because {
            return Err(Refusal::FourEyes {
                step: step.name.clone(),
                because,
            });
        }
    }
    Ok(step)
}

/// The steps of `track` leaving `from`, in table order.
pub fn next_steps<'w>(
    workflow: &'w [WorkflowStep],
    track: &str,
    from: &str,
) -> Vec<&'w WorkflowStep> {
    workflow
        .iter()
        .filter(|s| s.track == track && s.from == from)
        .collect()
}

/// Which track an application follows: fast when its EUR amount is under the instrument's
/// threshold.
pub fn track_for(amount_eur: i64, fast_track_threshold_eur: i64) -> &'static str {
    if amount_eur < fast_track_threshold_eur {
        "fast"
    } else {
        "standard"
    }
}

/// Working days (Monday–Friday) from one Unix-micro instant to another: whole days elapsed,
/// weekends not counted.
pub fn working_days_between(from_micros: i64, to_micros: i64) -> i64 {
    const DAY: i64 = 86_400_000_000;
    if to_micros <= from_micros {
        return 0;
    }
    let (a, b) = (from_micros.div_euclid(DAY), to_micros.div_euclid(DAY));
    // 1970-01-01 was a Thursday: weekday index with Monday = 0.
    let weekday = |d: i64| (d + 3).rem_euclid(7);
    (a + 1..=b).filter(|d| weekday(*d) < 5).count() as i64
}

/// An instrument of the fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: String,
    pub code: String,
    pub name: String,
    /// Counts as Official Development Assistance.
    pub oda: bool,
    pub max_months: i64,
    /// Ceiling per grant, euro cents.
    pub grant_ceiling: i64,
    /// Amounts under this (euro cents) take the fast track.
    pub fast_track_threshold: i64,
    /// Decision target in working days, per track.
    pub fast_target_days: i64,
    pub standard_target_days: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub oda: bool,
    pub max_months: i64,
    pub grant_ceiling: String,
    pub fast_track_threshold: String,
    pub fast_target_days: i64,
    pub standard_target_days: i64,
}

fn collect(errors: &mut Vec<DomainError>, r: Result<i64, DomainError>) -> i64 {
    r.map_err(|e| errors.push(e)).unwrap_or_default()
}

impl InstrumentInput {
    pub fn validate(&self) -> Result<ValidInstrument, Vec<DomainError>> {
        let mut errors = Vec::new();
        let code = self.code.trim().to_string();
        if code.is_empty()
            || code.len() > 32
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(DomainError::invalid(
                "code",
                "use 1–32 letters, digits, '-' or '_'",
            ));
        }
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            errors.push(DomainError::invalid(
                "name",
                "give a name of 1–200 characters",
            ));
        }
        if !(1..=120).contains(&self.max_months) {
            errors.push(DomainError::invalid(
                "max_months",
                "the maximum duration must be 1–120 months",
            ));
        }
        let grant_ceiling = collect(
            &mut errors,
            parse_amount(&self.grant_ceiling, "EUR", "grant_ceiling"),
        );
        let threshold = collect(
            &mut errors,
            parse_amount(&self.fast_track_threshold, "EUR", "fast_track_threshold"),
        );
        for (field, days) in [
            ("fast_target_days", self.fast_target_days),
            ("standard_target_days", self.standard_target_days),
        ] {
            if !(1..=365).contains(&days) {
                errors.push(DomainError::invalid(
                    field,
                    "a target of 1–365 working days",
                ));
            }
        }
        if errors.is_empty() {
            Ok(ValidInstrument {
                code,
                name,
                oda: self.oda,
                max_months: self.max_months,
                grant_ceiling,
                fast_track_threshold: threshold,
                fast_target_days: self.fast_target_days,
                standard_target_days: self.standard_target_days,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInstrument {
    pub code: String,
    pub name: String,
    pub oda: bool,
    pub max_months: i64,
    pub grant_ceiling: i64,
    pub fast_track_threshold: i64,
    pub fast_target_days: i64,
    pub standard_target_days: i64,
}

/// What a ceiling limits within an instrument and fiscal year.
pub const CEILING_SCOPES: &[Term] = &[
    t("budget", "Annual budget", "Jaarbudget"),
    t("country", "Per country per year", "Per land per jaar"),
    t("theme", "Per theme per year", "Per thema per jaar"),
];

/// A limit on commitments of an instrument in a fiscal year: the whole budget, or the part going
/// to one country or one theme. Amounts in euro cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceiling {
    pub instrument_id: String,
    pub year: i32,
    pub scope: String,
    /// Country (alpha-2) or theme code; empty for the budget.
    pub key: String,
    pub amount: i64,
}

pub fn validate_ceiling(
    year: i32,
    scope: &str,
    key: &str,
    amount: &str,
) -> Result<(String, String, i64), Vec<DomainError>> {
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&year) {
        errors.push(DomainError::invalid(
            "year",
            "a fiscal year between 2000 and 2100",
        ));
    }
    let key = key.trim();
    let key = match scope {
        "budget" => String::new(),
        "country" => match reference::country(key) {
            Some(c) => c.alpha2.clone(),
            None => {
                errors.push(DomainError::invalid(
                    "key",
                    format!("'{key}' is not an ISO 3166-1 country code"),
                ));
                String::new()
            }
        },
        "theme" => match reference::term(reference::THEMES, "theme", key) {
            Ok(t) => t.code.to_string(),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        },
        other => {
            errors.push(DomainError::invalid(
                "scope",
                format!("'{other}' is not one of: budget, country, theme"),
            ));
            String::new()
        }
    };
    let amount = collect(&mut errors, parse_amount(amount, "EUR", "amount"));
    if errors.is_empty() {
        Ok((scope.to_string(), key, amount))
    } else {
        Err(errors)
    }
}

/// An application to the fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub reference: String,
    pub instrument_id: String,
    pub title: String,
    /// The partner organisation (partner users see only their own organisation's).
    pub partner: String,
    pub process_ids: Vec<String>,
    pub currency: String,
    /// In minor units of `currency`.
    pub amount: i64,
    /// Micro-EUR per unit, as recorded when the application was made (updated at approval).
    pub rate: i64,
    /// Euro cents at `rate`.
    pub amount_eur: i64,
    pub start_date: String,
    pub months: i64,
    pub fiscal_year: i32,
    pub why_now: String,
    /// Confidential: encrypted at rest.
    pub risk_note: String,
    pub purpose_code: String,
    pub gender_marker: String,
    pub themes: Vec<String>,
    pub countries: Vec<String>,
    pub exclude_from_publication: bool,
    pub exclusion_reason: String,
    pub track: String,
    pub state: String,
    pub labels: Labels,
    pub created_by: String,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationInput {
    pub instrument_id: String,
    pub title: String,
    pub partner: String,
    #[serde(default)]
    pub process_ids: Vec<String>,
    pub currency: String,
    pub amount: String,
    /// EUR per unit; ignored (1) for EUR.
    #[serde(default)]
    pub rate: String,
    pub start_date: String,
    pub months: i64,
    #[serde(default)]
    pub why_now: String,
    #[serde(default)]
    pub risk_note: String,
    pub purpose_code: String,
    pub gender_marker: String,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub exclude_from_publication: bool,
    #[serde(default)]
    pub exclusion_reason: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplication {
    pub instrument_id: String,
    pub title: String,
    pub partner: String,
    pub process_ids: Vec<String>,
    pub currency: String,
    pub amount: i64,
    pub rate: i64,
    pub amount_eur: i64,
    pub start_date: String,
    pub months: i64,
    pub fiscal_year: i32,
    pub why_now: String,
    pub risk_note: String,
    pub purpose_code: String,
    pub gender_marker: String,
    pub themes: Vec<String>,
    pub countries: Vec<String>,
    pub exclude_from_publication: bool,
    pub exclusion_reason: String,
    pub labels: Labels,
}

fn text(
    errors: &mut Vec<DomainError>,
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    let v = value.trim().to_string();
    let n = v.chars().count();
    if n < min || n > max {
        errors.push(DomainError::invalid(
            field,
            if min > 0 {
                format!("give {min}–{max} characters")
            } else {
                format!("at most {max} characters")
            },
        ));
    }
    v
}

impl ApplicationInput {
    /// Validates the application against its instrument (duration, grant ceiling).
    pub fn validate(&self, instrument: &Instrument) -> Result<ValidApplication, Vec<DomainError>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", &self.title, 1, 300);
        let partner = text(&mut errors, "partner", &self.partner, 1, 200);
        let why_now = text(&mut errors, "why_now", &self.why_now, 0, 10_000);
        let risk_note = text(&mut errors, "risk_note", &self.risk_note, 0, 10_000);
        let currency = parse_currency(&self.currency)
            .map_err(|e| errors.push(e))
            .ok();
        let cur = currency.clone().unwrap_or_else(|| "EUR".into());
        let amount = collect(&mut errors, parse_amount(&self.amount, &cur, "amount"));
        if amount == 0 && !errors.iter().any(|e| field_of(e) == "amount") {
            errors.push(DomainError::invalid(
                "amount",
                "the amount must be above zero",
            ));
        }
        let rate = if cur == "EUR" {
            RATE_SCALE
        } else if self.rate.trim().is_empty() {
            errors.push(DomainError::invalid(
                "rate",
                format!("give the exchange rate of {cur} (EUR per unit)"),
            ));
            0
        } else {
            collect(&mut errors, parse_rate(&self.rate))
        };
        let amount_eur = to_eur_cents(amount, &cur, rate);
        if amount_eur > instrument.grant_ceiling && rate > 0 {
            errors.push(DomainError::invalid(
                "amount",
                format!(
                    "EUR {} is above the grant ceiling of {} (EUR {})",
                    format_amount(amount_eur, "EUR"),
                    instrument.code,
                    format_amount(instrument.grant_ceiling, "EUR")
                ),
            ));
        }
        let start = crate::roster::parse_date(self.start_date.trim());
        if start.is_none() {
            errors.push(DomainError::invalid(
                "start_date",
                format!("'{}' is not a date (YYYY-MM-DD)", self.start_date),
            ));
        }
        let fiscal_year = self
            .start_date
            .trim()
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        if !(1..=instrument.max_months).contains(&self.months) {
            errors.push(DomainError::invalid(
                "months",
                format!(
                    "the duration must be 1–{} months under {}",
                    instrument.max_months, instrument.code
                ),
            ));
        }
        let purpose_code = match purpose_code(&self.purpose_code) {
            Some(p) if p.active => p.code.clone(),
            Some(p) => {
                errors.push(DomainError::invalid(
                    "purpose_code",
                    format!("CRS purpose code {} is withdrawn", p.code),
                ));
                String::new()
            }
            None => {
                errors.push(DomainError::invalid(
                    "purpose_code",
                    format!(
                        "'{}' is not an OECD DAC CRS purpose code (e.g. 15220)",
                        self.purpose_code.trim()
                    ),
                ));
                String::new()
            }
        };
        let gender_marker =
            match reference::term(GENDER_MARKERS, "gender_marker", &self.gender_marker) {
                Ok(t) => t.code.to_string(),
                Err(e) => {
                    errors.push(e);
                    String::new()
                }
            };
        let themes = crate::roster::vocab_codes(reference::THEMES, "themes", &self.themes)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let countries = reference::parse_countries(&self.countries)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if countries.is_empty() && !errors.iter().any(|e| field_of(e) == "countries") {
            errors.push(DomainError::invalid(
                "countries",
                "name at least one recipient country",
            ));
        }
        let exclusion_reason = text(
            &mut errors,
            "exclusion_reason",
            &self.exclusion_reason,
            0,
            2000,
        );
        if self.exclude_from_publication && exclusion_reason.is_empty() {
            errors.push(DomainError::invalid(
                "exclusion_reason",
                "record why the application is excluded from publication",
            ));
        }
        let labels = match parse_labels(&self.classification, self.compartment.as_deref()) {
            Ok(l) => Some(l),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut process_ids: Vec<String> = Vec::new();
        for p in self
            .process_ids
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            if !process_ids.iter().any(|x| x == p) {
                process_ids.push(p.to_string());
            }
        }
        match (errors.is_empty(), currency, labels) {
            (true, Some(currency), Some(labels)) => Ok(ValidApplication {
                instrument_id: instrument.id.clone(),
                title,
                partner,
                process_ids,
                currency,
                amount,
                rate,
                amount_eur,
                start_date: self.start_date.trim().to_string(),
                months: self.months,
                fiscal_year,
                why_now,
                risk_note,
                purpose_code,
                gender_marker,
                themes,
                countries,
                exclude_from_publication: self.exclude_from_publication,
                exclusion_reason,
                labels,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_labels(classification: &str, compartment: Option<&str>) -> Result<Labels, DomainError> {
    Ok(Labels {
        classification: classification.trim().parse::<crate::Classification>()?,
        compartment: compartment
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(crate::CompartmentId::parse)
            .transpose()?,
    })
}

fn field_of(e: &DomainError) -> &'static str {
    match e {
        DomainError::Invalid { field, .. } => field,
        DomainError::UnknownValue { what, .. } => what,
    }
}

/// Kinds of ledger transaction.
pub const TRANSACTION_KINDS: &[Term] = &[
    t("allocation", "Budget allocation", "Budgettoewijzing"),
    t("commitment", "Commitment", "Verplichting"),
    t("amendment", "Amendment", "Wijziging"),
    t("disbursement", "Disbursement", "Betaling"),
    t("refund", "Refund", "Terugbetaling"),
    t("decommitment", "De-commitment", "Vrijval"),
];

/// Ledger accounts. Postings are signed euro cents; every transaction sums to zero.
pub mod account {
    /// The appropriation from which an instrument's annual budget is allocated.
    pub fn appropriation(instrument: &str, year: i32) -> String {
        format!("appropriation:{instrument}:{year}")
    }
    /// Uncommitted budget of an instrument in a year (never below zero).
    pub fn available(instrument: &str, year: i32) -> String {
        format!("available:{instrument}:{year}")
    }
    /// Committed and not yet disbursed, per application (never below zero).
    pub fn committed(application: &str) -> String {
        format!("committed:{application}")
    }
    /// Paid out to the partner, per application (net of refunds; never below zero).
    pub fn disbursed(application: &str) -> String {
        format!("disbursed:{application}")
    }
}

/// One leg of a ledger transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub account: String,
    /// Euro cents; positive = debit (the account grows), negative = credit.
    pub amount: i64,
}

/// The postings of a transaction kind moving `eur` cents for an application (or, for an
/// allocation, for an instrument's year).
pub fn postings(
    kind: &str,
    instrument: &str,
    year: i32,
    application: &str,
    eur: i64,
) -> Vec<Posting> {
    let p = |account: String, amount: i64| Posting { account, amount };
    match kind {
        "allocation" => vec![
            p(account::appropriation(instrument, year), -eur),
            p(account::available(instrument, year), eur),
        ],
        "commitment" | "amendment" => vec![
            p(account::available(instrument, year), -eur),
            p(account::committed(application), eur),
        ],
        "disbursement" => vec![
            p(account::committed(application), -eur),
            p(account::disbursed(application), eur),
        ],
        "refund" => vec![
            p(account::disbursed(application), -eur),
            p(account::available(instrument, year), eur),
        ],
        "decommitment" => vec![
            p(account::committed(application), -eur),
            p(account::available(instrument, year), eur),
        ],
        _ => Vec::new(),
    }
}

/// Accounts whose balance may never go below zero (all but the appropriation).
pub fn must_stay_non_negative(account: &str) -> bool {
    !account.starts_with("appropriation:")
}

/// A ceiling that a commitment would break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub scope: String,
    pub key: String,
    pub limit: i64,
    pub would_be: i64,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.scope.as_str() {
            "budget" => "the annual budget".to_string(),
            "country" => format!("the ceiling for {}", self.key),
            "theme" => format!("the ceiling for theme {}", self.key),
            "grant" => "the grant ceiling".to_string(),
            _ => format!("the {} ceiling {}", self.scope, self.key),
        };
        write!(
            f,
            "this would take {what} to EUR {} of EUR {} (EUR {} over)",
            format_amount(self.would_be, "EUR"),
            format_amount(self.limit, "EUR"),
            format_amount(self.would_be - self.limit, "EUR")
        )
    }
}

/// Checks a new commitment of `eur` cents against the ceilings of its instrument-year, given
/// what is already committed (net of de-commitments) in total, per country and per theme.
/// Ceilings with no row are unlimited (except the budget, which the ledger bounds anyway).
pub fn check_ceilings(
    ceilings: &[Ceiling],
    eur: i64,
    countries: &[String],
    themes: &[String],
    committed_total: i64,
    committed_by: impl Fn(&str, &str) -> i64,
) -> Result<(), Breach> {
    for c in ceilings {
        let (applies, current) = match c.scope.as_str() {
            "budget" => (true, committed_total),
            "country" => (countries.contains(&c.key), committed_by("country", &c.key)),
            "theme" => (themes.contains(&c.key), committed_by("theme", &c.key)),
            _ => (false, 0),
        };
        if applies && current + eur > c.amount {
            return Err(Breach {
                scope: c.scope.clone(),
                key: c.key.clone(),
                limit: c.amount,
                would_be: current + eur,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_minor_units_per_currency() {
        assert_eq!(parse_amount("1234.56", "EUR", "a"), Ok(123_456));
        assert_eq!(parse_amount("1234.5", "EUR", "a"), Ok(123_450));
        assert_eq!(parse_amount("1234", "JPY", "a"), Ok(1234));
        assert!(parse_amount("1234.5", "JPY", "a").is_err());
        assert_eq!(parse_amount("1.234", "KWD", "a"), Ok(1234));
        // Dutch and English notation, one rule for both.
        for (text, cents) in [
            ("45000", 4_500_000),
            ("45000.50", 4_500_050),
            ("45,000.50", 4_500_050),
            ("45.000,50", 4_500_050),
            ("€ 45.000,50", 4_500_050),
            ("€45,000.50", 4_500_050),
            ("EUR 45 000,50", 4_500_050),
            ("45\u{a0}000,50 EUR", 4_500_050),
            ("45.000", 4_500_000),
            ("45,000", 4_500_000),
            ("1.234.567,8", 123_456_780),
            ("1,234,567", 123_456_700),
            ("12,5", 1_250),
            ("0,05", 5),
            ("1234,56", 123_456),
        ] {
            assert_eq!(parse_amount(text, "EUR", "a"), Ok(cents), "{text}");
        }
        assert_eq!(parse_amount("1.234", "JPY", "a"), Ok(1234));
        for bad in [
            "",
            "-5",
            "12e3",
            " . ",
            "€",
            "1.2.3",
            "1,000,00",
            "45.000,505",
            "1.000,5,0",
            "1234.567",
            "USD 5",
            "45,00.50",
            "99999999999999999999",
        ] {
            let e = parse_amount(bad, "EUR", "a").unwrap_err();
            assert!(e.to_string().contains("a is invalid"), "{bad}: {e}");
        }
        assert_eq!(format_amount(123_456, "EUR"), "1234.56");
        assert_eq!(format_amount(-5, "EUR"), "-0.05");
        assert_eq!(format_amount(1234, "JPY"), "1234");
    }

    #[test]
    fn exchange_rates_convert_without_floats() {
        let r = parse_rate("0.925").unwrap();
        assert_eq!(r, 925_000);
        // USD 100,000.00 at 0.925 → EUR 92,500.00
        assert_eq!(to_eur_cents(10_000_000, "USD", r), 9_250_000);
        // JPY 1,000,000 at 0.0062 → EUR 6,200.00
        assert_eq!(
            to_eur_cents(1_000_000, "JPY", parse_rate("0.0062").unwrap()),
            620_000
        );
        // Rounds half away from zero: USD 0.01 at 0.5 → 0.005 → 0.01
        assert_eq!(to_eur_cents(1, "USD", 500_000), 1);
        assert_eq!(to_eur_cents(12_345, "EUR", RATE_SCALE), 12_345);
        assert!(
            parse_rate("0").is_err()
                && parse_rate("abc").is_err()
                && parse_rate("1.1234567").is_err()
        );
    }

    #[test]
    fn codelists_are_complete() {
        assert_eq!(purpose_codes().len(), 325);
        assert_eq!(
            purpose_code("15220").map(|p| p.category.as_str()),
            Some("152")
        );
        assert!(parse_currency("usd").is_ok());
        assert!(parse_currency("XYZ").is_err());
    }

    fn flow() -> Vec<WorkflowStep> {
        let s =
            |from: &str, to: &str, name: &str, roles: &[Role], four_eyes, effect| WorkflowStep {
                track: "standard".into(),
                from: from.into(),
                to: to.into(),
                name: name.into(),
                roles: roles.to_vec(),
                four_eyes,
                effect,
            };
        vec![
            s(
                "draft",
                "submitted",
                "submit",
                &[Role::FundOfficer, Role::Partner],
                false,
                Effect::Prepare,
            ),
            s(
                "submitted",
                "appraisal",
                "appraise",
                &[Role::FundOfficer],
                false,
                Effect::Appraise,
            ),
            s(
                "committee",
                "approved",
                "approve",
                &[Role::FundApprover],
                true,
                Effect::Commit,
            ),
        ]
    }

    #[test]
    fn four_eyes_refuses_whoever_prepared_or_appraised() {
        let w = flow();
        let hands = Hands {
            created_by: "u-partner".into(),
            prepared_by: vec!["u-prep".into()],
            appraised_by: vec!["u-appr".into()],
        };
        let approver = [Role::FundApprover, Role::FundOfficer];
        for (user, because) in [
            ("u-prep", "prepared"),
            ("u-appr", "appraised"),
            ("u-partner", "prepared"),
        ] {
            assert_eq!(
                check_step(
                    &w,
                    "standard",
                    "committee",
                    "approved",
                    user,
                    &approver,
                    &hands
                ),
                Err(Refusal::FourEyes {
                    step: "approve".into(),
                    because
                })
            );
        }
        assert!(
            check_step(
                &w,
                "standard",
                "committee",
                "approved",
                "u-other",
                &approver,
                &hands
            )
            .is_ok()
        );
        assert!(matches!(
            check_step(
                &w,
                "standard",
                "committee",
                "approved",
                "u-other",
                &[Role::FundOfficer],
                &hands
            ),
            Err(Refusal::Role { .. })
        ));
        assert!(matches!(
            check_step(
                &w, "standard", "draft", "approved", "u-other", &approver, &hands
            ),
            Err(Refusal::NoSuchStep { .. })
        ));
    }

    #[test]
    fn every_posting_set_balances() {
        for k in TRANSACTION_KINDS {
            let p = postings(k.code, "i", 2026, "a", 12_345);
            assert_eq!(p.len(), 2, "{}", k.code);
            assert_eq!(p.iter().map(|p| p.amount).sum::<i64>(), 0, "{}", k.code);
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        const DAY: i64 = 86_400_000_000;
        // 2026-11-27 is a Friday (day 20_784 since 1970-01-01).
        let fri = 20_784 * DAY + 10 * 3_600_000_000;
        assert_eq!(working_days_between(fri, fri + DAY), 0, "to Saturday");
        assert_eq!(working_days_between(fri, fri + 3 * DAY), 1, "to Monday");
        assert_eq!(working_days_between(fri, fri + 7 * DAY), 5, "a week");
        assert_eq!(working_days_between(fri, fri), 0);
    }

    #[test]
    fn ceilings_name_the_one_that_breaks() {
        let c = |scope: &str, key: &str, amount| Ceiling {
            instrument_id: "i".into(),
            year: 2026,
            scope: scope.into(),
            key: key.into(),
            amount,
        };
        let ceilings = [
            c("budget", "", 1_000),
            c("country", "SD", 300),
            c("theme", "water", 500),
        ];
        let by = |scope: &str, key: &str| match (scope, key) {
            ("country", "SD") => 250,
            _ => 0,
        };
        let sd = ["SD".to_string()];
        let ss = ["SS".to_string()];
        assert!(check_ceilings(&ceilings, 50, &sd, &[], 600, by).is_ok());
        let b = check_ceilings(&ceilings, 51, &sd, &[], 600, by).unwrap_err();
        assert_eq!((b.scope.as_str(), b.would_be), ("country", 301));
        assert!(check_ceilings(&ceilings, 400, &ss, &[], 600, by).is_ok());
        let b = check_ceilings(&ceilings, 401, &ss, &[], 600, by).unwrap_err();
        assert_eq!(b.scope, "budget");
        assert!(b.to_string().contains("EUR 0.01 over"), "{b}");
    }
}
