//! The expert roster and requests for support: experts with their validation, the request
//! workflow as a table of allowed transitions, and ranked matching of experts to a request.
//!
//! Everything here is pure: the store loads records and calls these functions.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, TRACKS, Term};
use crate::security::{Classification, CompartmentId};

use crate::reference::t;

/// Areas of expertise of the roster (the unit's controlled vocabulary).
pub const EXPERTISE: &[Term] = &[
    t("process-design", "Process design", "Procesontwerp"),
    t(
        "ceasefire-security",
        "Ceasefire and security arrangements",
        "Staakt-het-vuren en veiligheidsregelingen",
    ),
    t("power-sharing", "Power-sharing", "Machtsdeling"),
    t(
        "constitution-making",
        "Constitution-making",
        "Grondwetgevend proces",
    ),
    t(
        "gender-inclusion",
        "Gender and inclusion",
        "Gender en inclusie",
    ),
    t(
        "natural-resources-water",
        "Natural resources and water",
        "Natuurlijke hulpbronnen en water",
    ),
    t(
        "transitional-justice",
        "Transitional justice",
        "Transitional justice",
    ),
    t(
        "mhpss",
        "Mental health and psychosocial support",
        "Geestelijke gezondheid en psychosociale steun",
    ),
];

pub const SEXES: &[Term] = &[
    t("female", "Female", "Vrouw"),
    t("male", "Male", "Man"),
    t("other", "Other", "Anders"),
    t("undisclosed", "Undisclosed", "Niet opgegeven"),
];

pub const REQUEST_TYPES: &[Term] = &[
    t("advisory", "Advisory", "Advies"),
    t("financial", "Financial", "Financieel"),
    t("logistical", "Logistical", "Logistiek"),
    t("training", "Training", "Training"),
    t("coaching", "Coaching", "Coaching"),
];

pub const MODALITIES: &[Term] = &[
    t("in-person", "In person", "Ter plaatse"),
    t("remote", "Remote", "Op afstand"),
];

pub const URGENCIES: &[Term] = &[
    t("routine", "Routine", "Routine"),
    t("urgent", "Urgent", "Urgent"),
    t("immediate", "Immediate", "Onmiddellijk"),
];

pub const REQUEST_STATES: &[Term] = &[
    t("triage", "Triage", "Triage"),
    t("decision", "Decision", "Besluitvorming"),
    t("deployment", "Deployment", "Inzet"),
    t("closure", "Closed", "Afgesloten"),
    t("rejected", "Rejected", "Afgewezen"),
];

/// The workflow of a request for support, as data: every allowed `(from, to)` move.
pub const TRANSITIONS: &[(&str, &str)] = &[
    ("triage", "decision"),
    ("triage", "rejected"),
    ("decision", "deployment"),
    ("decision", "rejected"),
    ("deployment", "closure"),
];

/// The state a new request starts in.
pub const INITIAL_STATE: &str = "triage";

/// Whether a request may move from `from` to `to`.
pub fn transition_allowed(from: &str, to: &str) -> bool {
    TRANSITIONS.iter().any(|(f, t)| *f == from && *t == to)
}

/// The states a request in `from` may move to, in table order.
pub fn next_states(from: &str) -> Vec<&'static str> {
    TRANSITIONS
        .iter()
        .filter(|(f, _)| *f == from)
        .map(|(_, t)| *t)
        .collect()
}

/// Whether a request in this state is still open (not closed or rejected).
pub fn is_open(state: &str) -> bool {
    !matches!(state, "closure" | "rejected")
}

/// ISO 639-1 language codes.
pub const LANGUAGES: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` (UTC) of a Unix-microsecond instant.
pub fn date_of_micros(micros: i64) -> String {
    civil_from_days(micros.div_euclid(86_400_000_000))
}

/// The calendar year (UTC) of a Unix-microsecond instant.
pub fn year_of_micros(micros: i64) -> i32 {
    date_of_micros(micros)
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(1970)
}

/// `YYYY-MM-DD` from days since 1970-01-01.
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses an ISO 8601 calendar date `YYYY-MM-DD` into days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=max).contains(&d) || !(1900..=2200).contains(&y) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn check_date(field: &'static str, s: &str) -> Result<String, DomainError> {
    parse_date(s).map(civil_from_days).ok_or_else(|| {
        DomainError::invalid(field, format!("'{}' is not a date (YYYY-MM-DD)", s.trim()))
    })
}

/// A period of availability, both days included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: String,
    pub to: String,
}

impl Window {
    /// Parses `2026-01-01/2026-03-31` (ISO 8601 interval of two dates).
    pub fn parse(field: &'static str, s: &str) -> Result<Window, DomainError> {
        let (a, b) = s.split_once('/').ok_or_else(|| {
            DomainError::invalid(
                field,
                format!(
                    "'{}' is not a period FROM/TO such as 2026-01-01/2026-03-31",
                    s.trim()
                ),
            )
        })?;
        Window::new(field, a, b)
    }

    pub fn new(field: &'static str, from: &str, to: &str) -> Result<Window, DomainError> {
        let w = Window {
            from: check_date(field, from)?,
            to: check_date(field, to)?,
        };
        if w.to < w.from {
            return Err(DomainError::invalid(
                field,
                format!("period {}/{} ends before it starts", w.from, w.to),
            ));
        }
        Ok(w)
    }

    fn days(&self) -> (i64, i64) {
        (
            parse_date(&self.from).unwrap_or_default(),
            parse_date(&self.to).unwrap_or_default(),
        )
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.from, self.to)
    }
}

/// A declared conflict of interest: a country (ISO 3166-1 alpha-2) or the name of an actor or
/// process the expert must not work on, with a note (confidential, encrypted at rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub subject: String,
    #[serde(default)]
    pub note: String,
}

impl Conflict {
    /// Parses `SD: advised a party in 2021` (subject, then an optional note after the first ':').
    pub fn parse(s: &str) -> Result<Conflict, DomainError> {
        let (subject, note) = match s.split_once(':') {
            Some((a, b)) => (a, b),
            None => (s, ""),
        };
        Conflict::new(subject, note)
    }

    pub fn new(subject: &str, note: &str) -> Result<Conflict, DomainError> {
        let subject = subject.trim();
        if subject.is_empty() {
            return Err(DomainError::invalid(
                "conflicts",
                "a declaration needs a country code or a name",
            ));
        }
        if subject.chars().count() > 200 || note.len() > 2000 {
            return Err(DomainError::invalid(
                "conflicts",
                "subject at most 200 characters, note at most 2,000 bytes",
            ));
        }
        // A two- or three-letter code is read as a country and must be one.
        let looks_like_code =
            (2..=3).contains(&subject.len()) && subject.bytes().all(|b| b.is_ascii_uppercase());
        let subject = if looks_like_code {
            reference::country(subject)
                .ok_or_else(|| {
                    DomainError::invalid(
                        "conflicts",
                        format!("'{subject}' is not an ISO 3166-1 country code"),
                    )
                })?
                .alpha2
                .clone()
        } else {
            subject.to_string()
        };
        Ok(Conflict {
            subject,
            note: note.trim().to_string(),
        })
    }

    /// Whether this declaration concerns a request about these countries, names and process.
    pub fn concerns(&self, countries: &[String], names: &[&str]) -> bool {
        countries.iter().any(|c| c == &self.subject)
            || names
                .iter()
                .any(|n| !n.is_empty() && n.trim().eq_ignore_ascii_case(&self.subject))
    }
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.note.is_empty() {
            f.write_str(&self.subject)
        } else {
            write!(f, "{}: {}", self.subject, self.note)
        }
    }
}

/// An expert of the roster, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expert {
    pub id: String,
    pub name: String,
    pub sex: String,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub regions: Vec<String>,
    pub tracks: Vec<String>,
    pub availability: Vec<Window>,
    /// Confidential: encrypted at rest.
    pub conflicts: Vec<Conflict>,
    pub clearance: Classification,
    pub network_member: bool,
    pub network_name: Option<String>,
    pub deployments: Vec<String>,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a user submits to create or change an expert, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertInput {
    pub name: String,
    pub sex: String,
    #[serde(default)]
    pub expertise: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub tracks: Vec<String>,
    /// Periods `FROM/TO` (ISO 8601 dates).
    #[serde(default)]
    pub availability: Vec<String>,
    /// `SUBJECT: note`.
    #[serde(default)]
    pub conflicts: Vec<String>,
    pub clearance: String,
    #[serde(default)]
    pub network_member: bool,
    #[serde(default)]
    pub network_name: Option<String>,
    #[serde(default)]
    pub deployments: Vec<String>,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

/// A validated expert, with normalised values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidExpert {
    pub name: String,
    pub sex: String,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub regions: Vec<String>,
    pub tracks: Vec<String>,
    pub availability: Vec<Window>,
    pub conflicts: Vec<Conflict>,
    pub clearance: Classification,
    pub network_member: bool,
    pub network_name: Option<String>,
    pub deployments: Vec<String>,
    pub labels: Labels,
}

/// Re-labels an unknown-value error with the field it came from.
fn in_field(field: &'static str, e: DomainError) -> DomainError {
    match e {
        DomainError::UnknownValue {
            value, expected, ..
        } => DomainError::invalid(
            field,
            format!("unknown value '{value}'; expected one of: {expected}"),
        ),
        DomainError::Invalid { reason, .. } => DomainError::invalid(field, reason),
    }
}

fn nonempty(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Codes of a vocabulary, de-duplicated, errors naming `field`.
pub fn vocab_codes(
    vocab: &'static [Term],
    field: &'static str,
    values: &[String],
) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for v in nonempty(values) {
        let term = reference::term(vocab, field, v).map_err(|e| in_field(field, e))?;
        if !out.iter().any(|o| o == term.code) {
            out.push(term.code.to_string());
        }
    }
    Ok(out)
}

/// ISO 639-1 codes, lower-cased and de-duplicated.
pub fn language_codes(field: &'static str, values: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for v in nonempty(values) {
        let code = v.to_ascii_lowercase();
        if !LANGUAGES.contains(&code.as_str()) {
            return Err(DomainError::invalid(
                field,
                format!("'{v}' is not an ISO 639-1 language code (e.g. en, fr, ar)"),
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Every UN M49 region, sub-region and intermediate region name of the country list.
pub fn region_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for c in reference::countries() {
        for n in [&c.region, &c.sub_region, &c.intermediate_region] {
            if !n.is_empty() && !names.contains(&n.as_str()) {
                names.push(n.as_str());
            }
        }
    }
    names.sort_unstable();
    names
}

/// Normalises one region: a UN M49 region name (canonical spelling) or a country (alpha-2).
pub fn region(field: &'static str, v: &str) -> Result<String, DomainError> {
    let v = v.trim();
    if let Some(name) = region_names()
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(v))
    {
        return Ok(name.to_string());
    }
    if (2..=3).contains(&v.len())
        && let Some(c) = reference::country(v)
    {
        return Ok(c.alpha2.clone());
    }
    Err(DomainError::invalid(
        field,
        format!(
            "'{v}' is neither a UN M49 region name (e.g. Eastern Africa) nor an ISO 3166-1 country code"
        ),
    ))
}

pub fn regions(field: &'static str, values: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for v in nonempty(values) {
        let r = region(field, v)?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// The region names a country belongs to, with its own code: what a region entry may match.
pub fn areas_of_country(alpha2: &str) -> Vec<String> {
    match reference::country(alpha2) {
        Some(c) => [&c.alpha2, &c.region, &c.sub_region, &c.intermediate_region]
            .into_iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect(),
        None => vec![alpha2.to_string()],
    }
}

fn labels(classification: &str, compartment: Option<&str>) -> Result<Labels, Vec<DomainError>> {
    let mut errors = Vec::new();
    let classification = classification
        .trim()
        .parse::<Classification>()
        .map_err(|e| errors.push(in_field("classification", e)))
        .ok();
    let compartment = match compartment.map(str::trim) {
        None | Some("") => None,
        Some(c) => CompartmentId::parse(c)
            .map_err(|e| errors.push(in_field("compartment", e)))
            .ok(),
    };
    match classification {
        Some(classification) if errors.is_empty() => Ok(Labels {
            classification,
            compartment,
        }),
        _ => Err(errors),
    }
}

/// Collects the outcome of each field check, keeping every error.
struct Checks(Vec<DomainError>);

impl Checks {
    fn take<T: Default>(&mut self, r: Result<T, DomainError>) -> T {
        r.unwrap_or_else(|e| {
            self.0.push(e);
            T::default()
        })
    }
}

impl ExpertInput {
    /// Checks every field; the first problem is returned with the field's name.
    pub fn validate(&self) -> Result<ValidExpert, DomainError> {
        self.validate_all().map_err(|mut errors| errors.remove(0))
    }

    /// Checks every field and returns all problems, each naming its field (for import reports).
    pub fn validate_all(&self) -> Result<ValidExpert, Vec<DomainError>> {
        let mut c = Checks(Vec::new());
        let name = self.name.trim().to_string();
        if name.is_empty() {
            c.0.push(DomainError::invalid("name", "a name is required"));
        } else if name.chars().count() > 200 {
            c.0.push(DomainError::invalid("name", "at most 200 characters"));
        }
        let sex = c.take(
            reference::term(SEXES, "sex", self.sex.trim())
                .map(|t| t.code.to_string())
                .map_err(|e| in_field("sex", e)),
        );
        let expertise = c.take(vocab_codes(EXPERTISE, "expertise", &self.expertise));
        let languages = c.take(language_codes("languages", &self.languages));
        let regions = c.take(regions("regions", &self.regions));
        let tracks = c.take(vocab_codes(TRACKS, "tracks", &self.tracks));
        let availability = c.take(
            nonempty(&self.availability)
                .map(|w| Window::parse("availability", w))
                .collect::<Result<Vec<_>, _>>(),
        );
        let conflicts = c.take(
            nonempty(&self.conflicts)
                .map(Conflict::parse)
                .collect::<Result<Vec<_>, _>>(),
        );
        let clearance = self
            .clearance
            .trim()
            .parse::<Classification>()
            .map_err(|e| c.0.push(in_field("clearance", e)))
            .ok();
        let network_name = self
            .network_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if network_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 200)
        {
            c.0.push(DomainError::invalid(
                "network_name",
                "at most 200 characters",
            ));
        }
        if self.network_member && network_name.is_none() {
            c.0.push(DomainError::invalid(
                "network_name",
                "name the women mediators' network the expert belongs to",
            ));
        }
        let deployments: Vec<String> = nonempty(&self.deployments).map(str::to_string).collect();
        if deployments.iter().any(|d| d.len() > 2000) {
            c.0.push(DomainError::invalid(
                "deployments",
                "each past deployment at most 2,000 bytes",
            ));
        }
        let labels = labels(&self.classification, self.compartment.as_deref())
            .map_err(|e| c.0.extend(e))
            .ok();
        match (clearance, labels) {
            (Some(clearance), Some(labels)) if c.0.is_empty() => Ok(ValidExpert {
                name,
                sex,
                expertise,
                languages,
                regions,
                tracks,
                availability,
                conflicts,
                clearance,
                network_member: self.network_member,
                network_name: if self.network_member {
                    network_name
                } else {
                    None
                },
                deployments,
                labels,
            }),
            _ => Err(c.0),
        }
    }
}

/// Parses a yes/no cell or field (`yes`, `no`, `true`, `false`, `1`, `0`, `ja`, `nee`, empty).
pub fn parse_flag(field: &'static str, s: &str) -> Result<bool, DomainError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "ja" | "y" | "j" | "on" => Ok(true),
        "no" | "false" | "0" | "nee" | "n" | "" | "off" => Ok(false),
        other => Err(DomainError::invalid(
            field,
            format!("'{other}' is not yes or no"),
        )),
    }
}

// ─── Requests for support ────────────────────────────────────────────────────────────────────

/// A request for support, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportRequest {
    pub id: String,
    pub title: String,
    pub requester: String,
    /// The linked process, when the viewer may see it.
    pub process_id: Option<String>,
    pub request_type: String,
    pub modality: String,
    pub urgency: String,
    pub countries: Vec<String>,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub track: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub summary: String,
    /// Confidential: encrypted at rest.
    pub notes: String,
    pub state: String,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInput {
    pub title: String,
    pub requester: String,
    #[serde(default)]
    pub process_id: Option<String>,
    pub request_type: String,
    pub modality: String,
    pub urgency: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub expertise: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub track: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub title: String,
    pub requester: String,
    pub process_id: Option<String>,
    pub request_type: String,
    pub modality: String,
    pub urgency: String,
    pub countries: Vec<String>,
    pub expertise: Vec<String>,
    pub languages: Vec<String>,
    pub track: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub summary: String,
    pub notes: String,
    pub labels: Labels,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl RequestInput {
    pub fn validate(&self) -> Result<ValidRequest, DomainError> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(DomainError::invalid(
                "title",
                "a title of at most 200 characters is required",
            ));
        }
        let requester = self.requester.trim();
        if requester.is_empty() || requester.chars().count() > 200 {
            return Err(DomainError::invalid(
                "requester",
                "name who asks (envoy, embassy, partner), at most 200 characters",
            ));
        }
        if self.summary.len() > 20_000 || self.notes.len() > 100_000 {
            return Err(DomainError::invalid(
                "summary",
                "text too long (summary 20,000, notes 100,000 bytes)",
            ));
        }
        let term = |vocab, field, v: &str| {
            reference::term(vocab, field, v.trim())
                .map(|t| t.code.to_string())
                .map_err(|e| in_field(field, e))
        };
        let start_date = opt(&self.start_date)
            .map(|d| check_date("start_date", d))
            .transpose()?;
        let end_date = opt(&self.end_date)
            .map(|d| check_date("end_date", d))
            .transpose()?;
        if let (Some(s), Some(e)) = (&start_date, &end_date)
            && e < s
        {
            return Err(DomainError::invalid(
                "end_date",
                "the end date is before the start date",
            ));
        }
        Ok(ValidRequest {
            title: title.to_string(),
            requester: requester.to_string(),
            process_id: opt(&self.process_id).map(str::to_string),
            request_type: term(REQUEST_TYPES, "request_type", &self.request_type)?,
            modality: term(MODALITIES, "modality", &self.modality)?,
            urgency: term(URGENCIES, "urgency", &self.urgency)?,
            countries: reference::parse_countries(&self.countries)?,
            expertise: vocab_codes(EXPERTISE, "expertise", &self.expertise)?,
            languages: language_codes("languages", &self.languages)?,
            track: opt(&self.track)
                .map(|t| term(TRACKS, "track", t))
                .transpose()?,
            start_date,
            end_date,
            summary: self.summary.trim().to_string(),
            notes: self.notes.trim().to_string(),
            labels: labels(&self.classification, self.compartment.as_deref())
                .map_err(|mut e| e.remove(0))?,
        })
    }
}

/// A move of a request from one state to another, with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from_state: String,
    pub to_state: String,
    pub at: i64,
    pub user_id: String,
    pub username: String,
    pub note: String,
}

// ─── Matching ────────────────────────────────────────────────────────────────────────────────

/// Why a candidate scored: a kind (`expertise`, `language`, `region`, `availability`, `track`),
/// the matched values and the points it earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: String,
    pub detail: String,
    pub points: f64,
}

/// A candidate for a request, with its score and reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub expert_id: String,
    pub name: String,
    pub sex: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Weights of the score (out of 100).
pub const W_EXPERTISE: f64 = 40.0;
pub const W_LANGUAGE: f64 = 20.0;
pub const W_REGION: f64 = 15.0;
pub const W_AVAILABILITY: f64 = 15.0;
pub const W_TRACK: f64 = 10.0;

/// What the matching needs to know about a request besides its own fields: the names (process
/// title or codename, requester) that a conflict-of-interest declaration may name.
pub struct MatchContext<'a> {
    pub request: &'a SupportRequest,
    pub names: Vec<&'a str>,
}

/// Why an expert is excluded from a request, if they are.
pub fn exclusion(expert: &Expert, ctx: &MatchContext<'_>) -> Option<&'static str> {
    if expert.clearance < ctx.request.labels.classification {
        return Some("clearance");
    }
    let mut names = ctx.names.clone();
    if let Some(p) = &ctx.request.process_id {
        names.push(p);
    }
    if expert
        .conflicts
        .iter()
        .any(|c| c.concerns(&ctx.request.countries, &names))
    {
        return Some("conflict-of-interest");
    }
    None
}

fn overlap_days(windows: &[Window], from: i64, to: i64) -> i64 {
    // Windows may overlap each other: count each requested day once.
    let mut spans: Vec<(i64, i64)> = windows
        .iter()
        .map(|w| w.days())
        .map(|(a, b)| (a.max(from), b.min(to)))
        .filter(|(a, b)| a <= b)
        .collect();
    spans.sort_unstable();
    let mut total = 0;
    let mut covered_to = i64::MIN;
    for (a, b) in spans {
        let start = a.max(covered_to.saturating_add(1));
        if start <= b {
            total += b - start + 1;
        }
        covered_to = covered_to.max(b);
    }
    total
}

/// What a request asks for, prepared once per matching run: the areas each country lies in with
/// the points a match on them earns, and the requested period in days.
pub struct Wanted {
    areas: Vec<(String, f64)>,
    period: Option<(i64, i64)>,
}

impl Wanted {
    pub fn of(request: &SupportRequest) -> Wanted {
        let mut areas: Vec<(String, f64)> = Vec::new();
        for c in &request.countries {
            let found = reference::country(c);
            let tiers: Vec<(String, f64)> = match found {
                // The country itself counts fully; its intermediate or sub-region a little
                // less; the continent least.
                Some(c) => vec![
                    (c.alpha2.clone(), W_REGION),
                    (c.intermediate_region.clone(), W_REGION * 0.8),
                    (c.sub_region.clone(), W_REGION * 0.7),
                    (c.region.clone(), W_REGION * 0.4),
                ],
                None => vec![(c.clone(), W_REGION)],
            };
            for (area, pts) in tiers.into_iter().filter(|(a, _)| !a.is_empty()) {
                match areas.iter_mut().find(|(a, _)| *a == area) {
                    Some(existing) => existing.1 = existing.1.max(pts),
                    None => areas.push((area, pts)),
                }
            }
        }
        // Best first, so the first area an expert covers is the reason shown.
        areas.sort_by(|a, b| b.1.total_cmp(&a.1));
        let from = request.start_date.as_deref().and_then(parse_date);
        let to = request.end_date.as_deref().and_then(parse_date);
        let period = match (from.or(to), to.or(from)) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        Wanted { areas, period }
    }
}

/// Scores one expert for a request (assumed not excluded).
pub fn score(expert: &Expert, request: &SupportRequest) -> Candidate {
    score_prepared(expert, request, &Wanted::of(request))
}

fn score_prepared(expert: &Expert, request: &SupportRequest, wanted: &Wanted) -> Candidate {
    let mut reasons = Vec::new();
    if !request.expertise.is_empty() {
        let hit: Vec<&str> = request
            .expertise
            .iter()
            .filter(|e| expert.expertise.contains(e))
            .map(String::as_str)
            .collect();
        if !hit.is_empty() {
            reasons.push(Reason {
                kind: "expertise".into(),
                detail: hit.join(", "),
                points: W_EXPERTISE * hit.len() as f64 / request.expertise.len() as f64,
            });
        }
    }
    if !request.languages.is_empty() {
        let hit: Vec<&str> = request
            .languages
            .iter()
            .filter(|l| expert.languages.contains(l))
            .map(String::as_str)
            .collect();
        if !hit.is_empty() {
            reasons.push(Reason {
                kind: "language".into(),
                detail: hit.join(", "),
                points: W_LANGUAGE * hit.len() as f64 / request.languages.len() as f64,
            });
        }
    }
    if let Some((area, points)) = wanted
        .areas
        .iter()
        .find(|(a, _)| expert.regions.contains(a))
    {
        reasons.push(Reason {
            kind: "region".into(),
            detail: area.clone(),
            points: *points,
        });
    }
    if let Some((from, to)) = wanted.period {
        let wanted = to - from + 1;
        let days = overlap_days(&expert.availability, from, to);
        if days > 0 {
            reasons.push(Reason {
                kind: "availability".into(),
                detail: format!("{days}/{wanted}"),
                points: W_AVAILABILITY * days as f64 / wanted as f64,
            });
        }
    }
    if let Some(track) = &request.track
        && expert.tracks.contains(track)
    {
        reasons.push(Reason {
            kind: "track".into(),
            detail: track.clone(),
            points: W_TRACK,
        });
    }
    let score = reasons.iter().map(|r| r.points).sum::<f64>();
    Candidate {
        expert_id: expert.id.clone(),
        name: expert.name.clone(),
        sex: expert.sex.clone(),
        score: (score * 10.0).round() / 10.0,
        reasons,
    }
}

/// Ranks the experts for a request: excluded experts are left out; the rest by score (highest
/// first), then name, then id, so that the order is stable.
pub fn rank<'e>(
    experts: impl IntoIterator<Item = &'e Expert>,
    ctx: &MatchContext<'_>,
) -> Vec<Candidate> {
    rank_top(experts, ctx, usize::MAX)
}

/// The first `limit` of [`rank`], without ordering the rest.
pub fn rank_top<'e>(
    experts: impl IntoIterator<Item = &'e Expert>,
    ctx: &MatchContext<'_>,
    limit: usize,
) -> Vec<Candidate> {
    let wanted = Wanted::of(ctx.request);
    let mut out: Vec<Candidate> = experts
        .into_iter()
        .filter(|e| exclusion(e, ctx).is_none())
        .map(|e| score_prepared(e, ctx.request, &wanted))
        .filter(|c| c.score > 0.0)
        .collect();
    let order = |a: &Candidate, b: &Candidate| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.expert_id.cmp(&b.expert_id))
    };
    if limit < out.len() {
        out.select_nth_unstable_by(limit, order);
        out.truncate(limit);
    }
    out.sort_by(order);
    out
}

/// Counts of a team by sex: (female, male, other or undisclosed).
pub fn gender_balance<'a>(sexes: impl IntoIterator<Item = &'a str>) -> (usize, usize, usize) {
    sexes.into_iter().fold((0, 0, 0), |(f, m, o), s| match s {
        "female" => (f + 1, m, o),
        "male" => (f, m + 1, o),
        _ => (f, m, o + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ExpertInput {
        ExpertInput {
            name: " Amina Yusuf ".into(),
            sex: "female".into(),
            expertise: vec!["ceasefire-security".into(), "process-design".into()],
            languages: vec!["AR".into(), "en".into(), "ar".into()],
            regions: vec!["eastern africa".into(), "sdn".into()],
            tracks: vec!["I".into(), "1.5".into()],
            availability: vec!["2026-01-01/2026-03-31".into()],
            conflicts: vec!["ER: family ties".into(), "Acme Mining".into()],
            clearance: "confidential".into(),
            network_member: true,
            network_name: Some("FemWise-Africa".into()),
            deployments: vec!["Khartoum 2019".into()],
            classification: "internal".into(),
            compartment: None,
        }
    }

    #[test]
    fn valid_input_is_normalised() {
        let v = input().validate().unwrap();
        assert_eq!(v.name, "Amina Yusuf");
        assert_eq!(v.languages, vec!["ar", "en"]);
        assert_eq!(v.regions, vec!["Eastern Africa", "SD"]);
        assert_eq!(v.conflicts[0].subject, "ER");
        assert_eq!(v.conflicts[1].subject, "Acme Mining");
        assert_eq!(v.clearance, Classification::Confidential);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Case = (fn(&mut ExpertInput), &'static str);
        let cases: Vec<Case> = vec![
            (|i| i.name = " ".into(), "name"),
            (|i| i.sex = "f".into(), "sex"),
            (|i| i.expertise = vec!["cooking".into()], "expertise"),
            (|i| i.languages = vec!["english".into()], "languages"),
            (|i| i.regions = vec!["Atlantis".into()], "regions"),
            (|i| i.tracks = vec!["IV".into()], "tracks"),
            (
                |i| i.availability = vec!["2026-02-30/2026-03-01".into()],
                "availability",
            ),
            (
                |i| i.availability = vec!["2026-03-01/2026-02-01".into()],
                "availability",
            ),
            (|i| i.conflicts = vec!["XX: nothing".into()], "conflicts"),
            (|i| i.clearance = "top".into(), "clearance"),
            (|i| i.network_name = None, "network_name"),
            (|i| i.classification = "open".into(), "classification"),
            (|i| i.compartment = Some("Bad Name".into()), "compartment"),
        ];
        for (mutate, field) in cases {
            let mut i = input();
            mutate(&mut i);
            match i.validate().unwrap_err() {
                DomainError::Invalid { field: f, .. } => assert_eq!(f, field),
                other => panic!("{field}: {other}"),
            }
        }
    }

    #[test]
    fn all_errors_are_reported() {
        let mut i = input();
        i.sex = "x".into();
        i.languages = vec!["zz".into()];
        let errs = i.validate_all().unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn dates_round_trip() {
        for d in ["1970-01-01", "2000-02-29", "2026-12-31", "2100-03-01"] {
            assert_eq!(civil_from_days(parse_date(d).unwrap()), d);
        }
        assert!(parse_date("2100-02-29").is_none());
        assert!(parse_date("2026-1-01").is_none());
    }

    #[test]
    fn transitions_are_data() {
        assert!(transition_allowed("triage", "decision"));
        assert!(!transition_allowed("triage", "deployment"));
        assert!(!transition_allowed("closure", "triage"));
        assert_eq!(next_states("decision"), vec!["deployment", "rejected"]);
    }

    #[test]
    fn overlap_counts_each_day_once() {
        let w = |a: &str, b: &str| Window::new("w", a, b).unwrap();
        let ws = vec![w("2026-01-01", "2026-01-10"), w("2026-01-05", "2026-01-20")];
        let f = parse_date("2026-01-08").unwrap();
        let t = parse_date("2026-01-31").unwrap();
        assert_eq!(overlap_days(&ws, f, t), 13);
    }
}
