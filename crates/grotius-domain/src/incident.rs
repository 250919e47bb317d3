//! Incidents in the HURIDOCS events model: an incident (the event: what, when, where, with the
//! precision of each), its acts (a violation type from an editable vocabulary, victims counted
//! by sex × age group × civilian/combatant status, killed/injured/other — the casualty-recording
//! minimum), the persons involved under a pseudonym (victims, perpetrators, sources, intervening
//! parties; real identities are kept elsewhere, see the store), two separate ratings (source
//! reliability A–F and information credibility 1–6, the Admiralty scale) and a verification
//! status reported → plausible → verified.
//!
//! Also the two importers' pure parts: the Aid Worker Security Database (AWSD) export and the
//! Yemen Data Project air-raid table, each row turned into an [`ImportedIncident`] or into
//! problems naming row and column.

use serde::{Deserialize, Serialize};

use crate::reference::{self, Term, t};
use crate::security::{Classification, CompartmentId};
use crate::{DomainError, Labels};

/// Verification of an incident, in order; a step back is allowed (new doubts), a jump from
/// reported straight to verified is not.
pub const VERIFICATION: &[Term] = &[
    t("reported", "Reported", "Gemeld"),
    t("plausible", "Plausible", "Aannemelijk"),
    t("verified", "Verified", "Geverifieerd"),
];

pub const DATE_PRECISION: &[Term] = &[
    t("exact", "Exact (date and time)", "Exact (datum en tijd)"),
    t("day", "Day", "Dag"),
    t("month", "Month", "Maand"),
    t("year", "Year", "Jaar"),
];

pub const PLACE_PRECISION: &[Term] = &[
    t(
        "point",
        "Point (latitude/longitude)",
        "Punt (breedte/lengte)",
    ),
    t("admin", "Administrative area", "Bestuurlijk gebied"),
    t("country", "Country", "Land"),
];

pub const PERSON_ROLES: &[Term] = &[
    t("victim", "Victim", "Slachtoffer"),
    t("perpetrator", "Perpetrator", "Dader"),
    t("source", "Source", "Bron"),
    t("intervening", "Intervening party", "Tussenkomende partij"),
];

pub const CONSENT: &[Term] = &[
    t("given", "Consent given", "Toestemming gegeven"),
    t("withdrawn", "Consent withdrawn", "Toestemming ingetrokken"),
    t("not-sought", "Not sought", "Niet gevraagd"),
    t("unknown", "Unknown", "Onbekend"),
];

pub const RISK: &[Term] = &[
    t("low", "Low", "Laag"),
    t("medium", "Medium", "Middel"),
    t("high", "High", "Hoog"),
];

pub const SEX: &[Term] = &[
    t("female", "Female", "Vrouw"),
    t("male", "Male", "Man"),
    t("unknown", "Unknown", "Onbekend"),
];

pub const AGE_GROUPS: &[Term] = &[
    t("child", "Child", "Kind"),
    t("adult", "Adult", "Volwassene"),
    t("elderly", "Elderly", "Oudere"),
    t("unknown", "Unknown", "Onbekend"),
];

pub const STATUS: &[Term] = &[
    t("civilian", "Civilian", "Burger"),
    t("combatant", "Combatant", "Strijder"),
    t("unknown", "Unknown", "Onbekend"),
];

/// Source reliability, Admiralty scale.
pub const RELIABILITY: &[Term] = &[
    t("A", "A — completely reliable", "A — volledig betrouwbaar"),
    t("B", "B — usually reliable", "B — meestal betrouwbaar"),
    t("C", "C — fairly reliable", "C — redelijk betrouwbaar"),
    t(
        "D",
        "D — not usually reliable",
        "D — meestal niet betrouwbaar",
    ),
    t("E", "E — unreliable", "E — onbetrouwbaar"),
    t("F", "F — cannot be judged", "F — niet te beoordelen"),
];

/// Information credibility (validity), Admiralty scale.
pub const CREDIBILITY: &[Term] = &[
    t(
        "1",
        "1 — confirmed by other sources",
        "1 — bevestigd door andere bronnen",
    ),
    t("2", "2 — probably true", "2 — waarschijnlijk waar"),
    t("3", "3 — possibly true", "3 — mogelijk waar"),
    t("4", "4 — doubtful", "4 — twijfelachtig"),
    t("5", "5 — improbable", "5 — onwaarschijnlijk"),
    t("6", "6 — cannot be judged", "6 — niet te beoordelen"),
];

/// Organisation types of the AWSD.
pub const AID_ORG_TYPES: &[Term] = &[
    t("un", "UN", "VN"),
    t("ingo", "International NGO", "Internationale ngo"),
    t(
        "lngo",
        "Local NGO / national society",
        "Lokale ngo / nationale vereniging",
    ),
    t("icrc", "ICRC", "ICRC"),
    t("ifrc", "IFRC", "IFRC"),
    t("other", "Other", "Anders"),
];

/// The violation types a new instance starts with (the vocabulary is editable: terms are added
/// and deprecated, never renamed or deleted — codes are stable).
pub const DEFAULT_VIOLATIONS: &[Term] = &[
    t(
        "attack-on-civilians",
        "Attack on civilians",
        "Aanval op burgers",
    ),
    t(
        "attack-on-aid-workers",
        "Attack on aid workers",
        "Aanval op hulpverleners",
    ),
    t(
        "attack-on-medical",
        "Attack on medical facilities or personnel",
        "Aanval op medische voorzieningen of personeel",
    ),
    t(
        "attack-on-schools",
        "Attack on schools",
        "Aanval op scholen",
    ),
    t("air-raid", "Air raid", "Luchtaanval"),
    t("sexual-violence", "Sexual violence", "Seksueel geweld"),
    t(
        "enforced-disappearance",
        "Enforced disappearance",
        "Gedwongen verdwijning",
    ),
    t(
        "torture",
        "Torture or ill-treatment",
        "Foltering of mishandeling",
    ),
    t(
        "arbitrary-detention",
        "Arbitrary detention",
        "Willekeurige detentie",
    ),
    t(
        "forced-displacement",
        "Forced displacement",
        "Gedwongen ontheemding",
    ),
    t(
        "child-recruitment",
        "Recruitment or use of children",
        "Rekrutering of inzet van kinderen",
    ),
    t(
        "denial-of-access",
        "Denial of humanitarian access",
        "Weigering van humanitaire toegang",
    ),
    t("killing", "Unlawful killing", "Onrechtmatige doding"),
    t(
        "destruction-of-property",
        "Destruction of civilian property",
        "Vernieling van civiel eigendom",
    ),
];

fn unknown(field: &'static str, vocab: &'static [Term], v: &str) -> DomainError {
    match reference::term(vocab, field, v.trim()) {
        Err(e) => e,
        Ok(_) => DomainError::invalid(field, format!("'{}' is not allowed here", v.trim())),
    }
}

fn pick(field: &'static str, vocab: &'static [Term], v: &str) -> Result<String, DomainError> {
    Ok(reference::term(vocab, field, v.trim())?.code.to_string())
}

fn bounded(field: &'static str, v: &str, max: usize) -> Result<String, DomainError> {
    let v = v.trim();
    if v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

/// A violation-type code: lower-case letters, digits and dashes, 2–40 characters.
pub fn check_code(code: &str) -> Result<String, DomainError> {
    let c = code.trim();
    if c.len() < 2
        || c.len() > 40
        || !c
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        return Err(DomainError::invalid(
            "code",
            "2 to 40 lower-case letters, digits and dashes, e.g. attack-on-schools",
        ));
    }
    Ok(c.to_string())
}

/// A term of the violation-type vocabulary as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationType {
    pub code: String,
    pub label_en: String,
    pub label_nl: String,
    pub deprecated: bool,
}

impl ViolationType {
    pub fn label(&self, lang: &str) -> &str {
        if lang == "nl" {
            &self.label_nl
        } else {
            &self.label_en
        }
    }
}

/// A new vocabulary term, checked.
pub fn new_violation(code: &str, en: &str, nl: &str) -> Result<ViolationType, DomainError> {
    let code = check_code(code)?;
    let label_en = bounded("label_en", en, 120)?;
    let label_nl = bounded("label_nl", nl, 120)?;
    if label_en.is_empty() {
        return Err(DomainError::invalid("label_en", "required"));
    }
    if label_nl.is_empty() {
        return Err(DomainError::invalid("label_nl", "required"));
    }
    Ok(ViolationType {
        code,
        label_en,
        label_nl,
        deprecated: false,
    })
}

/// One row of casualty counts of an act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VictimCount {
    pub sex: String,
    pub age_group: String,
    /// civilian, combatant or unknown.
    pub status: String,
    pub killed: i64,
    pub injured: i64,
    /// Other harm: detained, kidnapped, disappeared, displaced…
    pub other: i64,
}

impl VictimCount {
    pub fn check(&self) -> Result<VictimCount, DomainError> {
        for (f, n) in [
            ("victims.killed", self.killed),
            ("victims.injured", self.injured),
            ("victims.other", self.other),
        ] {
            if !(0..=1_000_000).contains(&n) {
                return Err(DomainError::invalid(f, "a count from 0 to 1,000,000"));
            }
        }
        Ok(VictimCount {
            sex: pick("victims.sex", SEX, &self.sex)?,
            age_group: pick("victims.age_group", AGE_GROUPS, &self.age_group)?,
            status: pick("victims.status", STATUS, &self.status)?,
            ..self.clone()
        })
    }
}

/// An act: one violation within an incident, with its casualties and its own source ratings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    pub violation: String,
    pub victims: Vec<VictimCount>,
    /// Where the information comes from (an organisation or a source's pseudonym — never a name).
    pub source: String,
    pub reliability: String,
    pub credibility: String,
}

impl Act {
    pub fn killed(&self) -> i64 {
        self.victims.iter().map(|v| v.killed).sum()
    }
    pub fn injured(&self) -> i64 {
        self.victims.iter().map(|v| v.injured).sum()
    }

    /// Checks an act against the codes of the vocabulary's current (not deprecated) terms.
    pub fn check(&self, violations: &[String]) -> Result<Act, DomainError> {
        let v = self.violation.trim();
        if !violations.iter().any(|c| c == v) {
            return Err(DomainError::UnknownValue {
                what: "violation",
                value: v.to_string(),
                expected: violations.join(", "),
            });
        }
        if self.victims.len() > 50 {
            return Err(DomainError::invalid("victims", "at most 50 rows per act"));
        }
        Ok(Act {
            violation: v.to_string(),
            victims: self
                .victims
                .iter()
                .map(VictimCount::check)
                .collect::<Result<_, _>>()?,
            source: bounded("source", &self.source, 200)?,
            reliability: pick("reliability", RELIABILITY, &self.reliability)?,
            credibility: pick("credibility", CREDIBILITY, &self.credibility)?,
        })
    }
}

/// The AWSD fields of an attack on aid workers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidAttack {
    /// Organisation types hit (codes of [`AID_ORG_TYPES`]).
    pub org_types: Vec<String>,
    pub nationals_killed: i64,
    pub nationals_wounded: i64,
    pub nationals_kidnapped: i64,
    pub internationals_killed: i64,
    pub internationals_wounded: i64,
    pub internationals_kidnapped: i64,
    /// Means of attack (AWSD code or words: shooting, kidnapping, IED, aerial bombardment…).
    pub means: String,
    /// Attack context (ambush, raid, combat/crossfire, individual attack…).
    pub context: String,
}

impl AidAttack {
    pub fn check(&self) -> Result<AidAttack, DomainError> {
        for o in &self.org_types {
            pick("aid.org_types", AID_ORG_TYPES, o)?;
        }
        for (f, n) in [
            ("aid.nationals_killed", self.nationals_killed),
            ("aid.nationals_wounded", self.nationals_wounded),
            ("aid.nationals_kidnapped", self.nationals_kidnapped),
            ("aid.internationals_killed", self.internationals_killed),
            ("aid.internationals_wounded", self.internationals_wounded),
            (
                "aid.internationals_kidnapped",
                self.internationals_kidnapped,
            ),
        ] {
            if !(0..=100_000).contains(&n) {
                return Err(DomainError::invalid(f, "a count from 0 to 100,000"));
            }
        }
        Ok(AidAttack {
            means: bounded("aid.means", &self.means, 100)?,
            context: bounded("aid.context", &self.context, 100)?,
            ..self.clone()
        })
    }
}

/// An incident as stored and shown (its description decrypted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    /// manual, awsd, yemen-dp
    pub source: String,
    /// The record's id in its source (unique per source).
    pub source_id: Option<String>,
    pub title: String,
    pub description: String,
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, as precise as `date_precision`.
    pub date: String,
    pub date_precision: String,
    pub year: i64,
    pub place: String,
    pub admin_area: String,
    pub place_precision: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The conflict context, e.g. "Sudan — Darfur".
    pub context: String,
    pub reliability: String,
    pub credibility: String,
    pub verification: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<i64>,
    pub acts: Vec<Act>,
    pub aid: Option<AidAttack>,
    /// Source-specific attributes kept as they came (target category, raids, time of day…).
    pub extra: Vec<(String, String)>,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Incident {
    pub fn killed(&self) -> i64 {
        self.acts.iter().map(Act::killed).sum()
    }
    pub fn injured(&self) -> i64 {
        self.acts.iter().map(Act::injured).sum()
    }
}

/// What a form or the API sends to create or edit an incident.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct IncidentInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub date: String,
    #[serde(default)]
    pub date_precision: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub admin_area: String,
    #[serde(default)]
    pub place_precision: String,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub context: String,
    #[serde(default)]
    pub reliability: String,
    #[serde(default)]
    pub credibility: String,
    #[serde(default)]
    pub acts: Vec<Act>,
    #[serde(default)]
    pub aid: Option<AidAttack>,
    pub classification: String,
    pub compartment: Option<String>,
}

/// A checked incident input.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidIncident {
    pub title: String,
    pub description: String,
    pub date: String,
    pub date_precision: String,
    pub year: i64,
    pub place: String,
    pub admin_area: String,
    pub place_precision: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country: Option<String>,
    pub context: String,
    pub reliability: String,
    pub credibility: String,
    pub acts: Vec<Act>,
    pub aid: Option<AidAttack>,
    pub labels: Labels,
}

fn days_in(y: i64, m: i64) -> i64 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Checks a date written as precisely as `precision` says; returns (date, year).
pub fn check_date(date: &str, precision: &str) -> Result<(String, i64), DomainError> {
    let d = date.trim();
    let bad =
        |want: &str| DomainError::invalid("date", format!("'{d}' is not a date; write {want}"));
    let num = |s: &str, want: &str| -> Result<i64, DomainError> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad(want));
        }
        s.parse().map_err(|_| bad(want))
    };
    let (want, parts): (&str, Vec<&str>) = match precision {
        "year" => ("YYYY", vec![d]),
        "month" => ("YYYY-MM", d.split('-').collect()),
        "day" => ("YYYY-MM-DD", d.split('-').collect()),
        "exact" => ("YYYY-MM-DDTHH:MM", d.split(['-', 'T', ':']).collect()),
        _ => return Err(unknown("date_precision", DATE_PRECISION, precision)),
    };
    let n = match precision {
        "year" => 1,
        "month" => 2,
        "day" => 3,
        _ => 5,
    };
    if parts.len() != n {
        return Err(bad(want));
    }
    let y = num(parts[0], want)?;
    if parts[0].len() != 4 || !(1900..=2100).contains(&y) {
        return Err(DomainError::invalid(
            "date",
            format!("year {y} is out of range (1900–2100)"),
        ));
    }
    if n >= 2 {
        let m = num(parts[1], want)?;
        if !(1..=12).contains(&m) {
            return Err(DomainError::invalid(
                "date",
                format!("'{d}': month {m} does not exist"),
            ));
        }
        if n >= 3 {
            let day = num(parts[2], want)?;
            if day < 1 || day > days_in(y, m) {
                return Err(DomainError::invalid(
                    "date",
                    format!("'{d}': day {day} does not exist"),
                ));
            }
        }
        if n == 5 {
            let (h, mi) = (num(parts[3], want)?, num(parts[4], want)?);
            if h > 23 || mi > 59 {
                return Err(bad(want));
            }
        }
    }
    Ok((d.to_string(), y))
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The labels of an incident: a classification and, always, a compartment (incidents sit with
/// the evidence, under need to know).
pub fn incident_labels(
    classification: &str,
    compartment: &Option<String>,
) -> Result<Labels, DomainError> {
    let compartment = match opt(compartment) {
        None => {
            return Err(DomainError::invalid(
                "compartment",
                "incidents are always filed in a compartment (need to know), as evidence is",
            ));
        }
        Some(c) => CompartmentId::parse(c)?,
    };
    Ok(Labels {
        classification: classification.trim().parse::<Classification>()?,
        compartment: Some(compartment),
    })
}

fn default_to<'a>(v: &'a str, d: &'a str) -> &'a str {
    if v.trim().is_empty() { d } else { v.trim() }
}

impl IncidentInput {
    /// Checks the input; `violations` are the codes of the current vocabulary terms.
    pub fn validate(&self, violations: &[String]) -> Result<ValidIncident, DomainError> {
        let title = bounded("title", &self.title, 300)?;
        if title.is_empty() {
            return Err(DomainError::invalid("title", "required"));
        }
        let description = bounded("description", &self.description, 20_000)?;
        let date_precision = pick(
            "date_precision",
            DATE_PRECISION,
            default_to(&self.date_precision, "day"),
        )?;
        let (date, year) = check_date(&self.date, &date_precision)?;
        let place = bounded("place", &self.place, 200)?;
        let admin_area = bounded("admin_area", &self.admin_area, 200)?;
        let place_precision = pick(
            "place_precision",
            PLACE_PRECISION,
            default_to(&self.place_precision, "country"),
        )?;
        let country = match opt(&self.country) {
            None => None,
            Some(c) => {
                let c = c.to_ascii_uppercase();
                if crate::reference::country(&c).is_none() {
                    return Err(DomainError::invalid(
                        "country",
                        format!("'{c}' is not an ISO 3166-1 alpha-2 code"),
                    ));
                }
                Some(c)
            }
        };
        let (lat, lon) = (self.lat, self.lon);
        if let Some(la) = lat
            && !(-90.0..=90.0).contains(&la)
        {
            return Err(DomainError::invalid("lat", "a latitude from -90 to 90"));
        }
        if let Some(lo) = lon
            && !(-180.0..=180.0).contains(&lo)
        {
            return Err(DomainError::invalid("lon", "a longitude from -180 to 180"));
        }
        if lat.is_some() != lon.is_some() {
            return Err(DomainError::invalid(
                "lat",
                "give both latitude and longitude, or neither",
            ));
        }
        match place_precision.as_str() {
            "point" if lat.is_none() => {
                return Err(DomainError::invalid(
                    "lat",
                    "a point needs latitude and longitude",
                ));
            }
            "admin" if admin_area.is_empty() => {
                return Err(DomainError::invalid(
                    "admin_area",
                    "name the administrative area",
                ));
            }
            "country" if country.is_none() => {
                return Err(DomainError::invalid(
                    "country",
                    "name the country (ISO code)",
                ));
            }
            _ => {}
        }
        if self.acts.len() > 100 {
            return Err(DomainError::invalid("acts", "at most 100 acts"));
        }
        Ok(ValidIncident {
            title,
            description,
            date,
            date_precision,
            year,
            place,
            admin_area,
            place_precision,
            lat,
            lon,
            country,
            context: bounded("context", &self.context, 200)?,
            reliability: pick(
                "reliability",
                RELIABILITY,
                default_to(&self.reliability, "F"),
            )?,
            credibility: pick(
                "credibility",
                CREDIBILITY,
                default_to(&self.credibility, "6"),
            )?,
            acts: self
                .acts
                .iter()
                .map(|a| a.check(violations))
                .collect::<Result<_, _>>()?,
            aid: self.aid.as_ref().map(AidAttack::check).transpose()?,
            labels: incident_labels(&self.classification, &self.compartment)?,
        })
    }
}

/// Whether verification may move from `from` to `to`: one step forward, or any step back.
pub fn check_verification(from: &str, to: &str) -> Result<(), DomainError> {
    let to_idx = VERIFICATION
        .iter()
        .position(|t| t.code == to.trim())
        .ok_or_else(|| unknown("verification", VERIFICATION, to))?;
    let from_idx = VERIFICATION
        .iter()
        .position(|t| t.code == from)
        .unwrap_or(0);
    if to_idx == from_idx {
        return Err(DomainError::invalid(
            "verification",
            format!("the incident is already {to}"),
        ));
    }
    if to_idx > from_idx + 1 {
        return Err(DomainError::invalid(
            "verification",
            format!(
                "from {from} the next step is {}",
                VERIFICATION[from_idx + 1].code
            ),
        ));
    }
    Ok(())
}

/// A person involved in an incident, as everybody but the custodian sees them: a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentPerson {
    pub id: String,
    pub incident_id: String,
    /// E.g. `V-0007` (victim), `S-0012` (source).
    pub pseudonym: String,
    pub role: String,
    /// A network actor (a perpetrator organisation, an intervening mediator): stored always,
    /// shown only to those who may see that actor.
    pub actor_id: Option<String>,
    pub consent: String,
    pub risk: String,
    pub sex: String,
    pub age_group: String,
    /// For sources: reliability (A–F) and credibility of what they said (1–6).
    pub reliability: String,
    pub credibility: String,
    /// Whether a real identity is held in the identity store.
    pub has_identity: bool,
    pub created_at: i64,
}

/// The real identity of a person: only in the identity store, only for the custodian.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonIdentity {
    pub name: String,
    #[serde(default)]
    pub contact: String,
    /// Identifying details (document numbers, family links, addresses).
    #[serde(default)]
    pub details: String,
}

impl PersonIdentity {
    pub fn check(&self) -> Result<PersonIdentity, DomainError> {
        let name = bounded("identity.name", &self.name, 200)?;
        if name.is_empty() {
            return Err(DomainError::invalid(
                "identity.name",
                "required when an identity is given",
            ));
        }
        Ok(PersonIdentity {
            name,
            contact: bounded("identity.contact", &self.contact, 500)?,
            details: bounded("identity.details", &self.details, 5_000)?,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    pub role: String,
    #[serde(default)]
    pub actor_id: Option<String>,
    #[serde(default)]
    pub consent: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub age_group: String,
    #[serde(default)]
    pub reliability: String,
    #[serde(default)]
    pub credibility: String,
    #[serde(default)]
    pub identity: Option<PersonIdentity>,
}

/// A change of a person's consent or risk (consent withdrawn, risk raised after threats), with
/// the reason on record. Returns the checked consent, risk and note.
pub fn check_safeguards(
    consent: &str,
    risk: &str,
    note: &str,
) -> Result<(String, String, String), DomainError> {
    let note = note.trim();
    if note.chars().count() < 5 {
        return Err(DomainError::invalid(
            "note",
            "say why consent or risk changed (it is the record)",
        ));
    }
    Ok((
        pick("consent", CONSENT, consent)?,
        pick("risk", RISK, risk)?,
        note.to_string(),
    ))
}

impl PersonInput {
    pub fn validate(&self) -> Result<PersonInput, DomainError> {
        Ok(PersonInput {
            role: pick("role", PERSON_ROLES, &self.role)?,
            actor_id: opt(&self.actor_id).map(str::to_string),
            consent: pick("consent", CONSENT, default_to(&self.consent, "unknown"))?,
            risk: pick("risk", RISK, default_to(&self.risk, "medium"))?,
            sex: pick("sex", SEX, default_to(&self.sex, "unknown"))?,
            age_group: pick(
                "age_group",
                AGE_GROUPS,
                default_to(&self.age_group, "unknown"),
            )?,
            reliability: pick(
                "reliability",
                RELIABILITY,
                default_to(&self.reliability, "F"),
            )?,
            credibility: pick(
                "credibility",
                CREDIBILITY,
                default_to(&self.credibility, "6"),
            )?,
            identity: match &self.identity {
                Some(i)
                    if !(i.name.trim().is_empty()
                        && i.contact.trim().is_empty()
                        && i.details.trim().is_empty()) =>
                {
                    Some(i.check()?)
                }
                _ => None,
            },
        })
    }
}

/// The pseudonym prefix of a role.
pub fn pseudonym(role: &str, n: i64) -> String {
    let p = match role {
        "victim" => "V",
        "perpetrator" => "P",
        "source" => "S",
        _ => "I",
    };
    format!("{p}-{n:04}")
}

// ---------------------------------------------------------------------------------------------
// Imports

/// One bad value of an import file; `row` as numbered in the file (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// A row turned into an incident (labels are chosen by the importer).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedIncident {
    pub row: usize,
    pub source_id: String,
    pub input: IncidentInput,
    pub extra: Vec<(String, String)>,
}

/// The import formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Awsd,
    YemenRaids,
}

impl ImportFormat {
    pub fn parse(s: &str) -> Option<ImportFormat> {
        match s {
            "awsd" => Some(ImportFormat::Awsd),
            "yemen-raids" | "yemen-dp" => Some(ImportFormat::YemenRaids),
            _ => None,
        }
    }
    /// The `source` stored on the incidents.
    pub fn source(self) -> &'static str {
        match self {
            ImportFormat::Awsd => "awsd",
            ImportFormat::YemenRaids => "yemen-dp",
        }
    }
}

/// A CSV table with headers mapped by trimmed, case-insensitive name.
struct Table {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn read_csv(bytes: &[u8]) -> Result<Table, RowProblem> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut header = None;
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| RowProblem {
            row: i + 1,
            column: String::new(),
            value: String::new(),
            message: format!("not readable as CSV: {e}"),
        })?;
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if header.is_none() {
            header = Some(
                cells
                    .iter()
                    .map(|h| h.trim().to_ascii_lowercase())
                    .collect(),
            );
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((i + 1, cells));
        }
    }
    Ok(Table {
        header: header.ok_or_else(|| RowProblem {
            row: 0,
            column: String::new(),
            value: String::new(),
            message: "the file is empty".into(),
        })?,
        rows,
    })
}

struct Cols<'a> {
    idx: Vec<(&'a str, usize)>,
}

impl<'a> Cols<'a> {
    fn new(header: &[String], want: &[&'a str], problems: &mut Vec<RowProblem>) -> Cols<'a> {
        let mut idx = Vec::new();
        for w in want {
            match header.iter().position(|h| h == &w.to_ascii_lowercase()) {
                Some(i) => idx.push((*w, i)),
                None => problems.push(RowProblem {
                    row: 1,
                    column: w.to_string(),
                    value: String::new(),
                    message: "missing column".into(),
                }),
            }
        }
        Cols { idx }
    }
    fn get<'r>(&self, row: &'r [String], name: &str) -> &'r str {
        self.idx
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, i)| row.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

struct RowCtx<'a> {
    row: usize,
    problems: &'a mut Vec<RowProblem>,
}

impl RowCtx<'_> {
    fn bad(&mut self, column: &str, value: &str, message: impl Into<String>) {
        self.problems.push(RowProblem {
            row: self.row,
            column: column.to_string(),
            value: value.to_string(),
            message: message.into(),
        });
    }
    fn count(&mut self, column: &str, v: &str) -> i64 {
        if v.is_empty() {
            return 0;
        }
        match v.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                self.bad(column, v, "not a whole number of 0 or more");
                0
            }
        }
    }
    fn float(&mut self, column: &str, v: &str) -> Option<f64> {
        if v.is_empty() {
            return None;
        }
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.bad(column, v, "not a number");
                None
            }
        }
    }
}

/// Parses an import file. Returns the incidents of the good rows and every problem found.
/// A problem in the header (a missing column) leaves no rows.
pub fn parse_import(
    format: ImportFormat,
    bytes: &[u8],
    violations: &[String],
) -> (Vec<ImportedIncident>, Vec<RowProblem>, usize) {
    let table = match read_csv(bytes) {
        Ok(t) => t,
        Err(p) => return (Vec::new(), vec![p], 0),
    };
    let mut problems = Vec::new();
    let want: &[&str] = match format {
        ImportFormat::Awsd => &[
            "Incident ID",
            "Year",
            "Month",
            "Day",
            "Country",
            "Region",
            "District",
            "City",
            "UN",
            "INGO",
            "LNGO/NRCS",
            "ICRC",
            "IFRC",
            "Other",
            "Nationals killed",
            "Nationals wounded",
            "Nationals kidnapped",
            "Internationals killed",
            "Internationals wounded",
            "Internationals kidnapped",
            "Total killed",
            "Total wounded",
            "Total kidnapped",
            "Gender Male",
            "Gender Female",
            "Gender Unknown",
            "Means of attack",
            "Attack context",
            "Location",
            "Latitude",
            "Longitude",
            "Details",
        ],
        ImportFormat::YemenRaids => &[
            "Incident ID",
            "Date",
            "Governorate",
            "District",
            "Area",
            "Target",
            "Main category",
            "Sub-category",
            "Min Air Raids",
            "Max Air Raids",
            "Civilian Casualties",
            "Fatalities",
            "Woman fatalities",
            "Child fatalities",
            "Injured",
            "Woman injured",
            "Child injured",
            "Confirmed Time",
            "Time of Day",
        ],
    };
    let cols = Cols::new(&table.header, want, &mut problems);
    let total = table.rows.len();
    if !problems.is_empty() {
        return (Vec::new(), problems, total);
    }
    let mut out = Vec::with_capacity(total);
    let mut seen = std::collections::HashSet::new();
    for (row, cells) in &table.rows {
        let before = problems.len();
        let mut cx = RowCtx {
            row: *row,
            problems: &mut problems,
        };
        let id = cols.get(cells, "Incident ID").to_string();
        if id.is_empty() {
            cx.bad("Incident ID", "", "required");
        } else if !seen.insert(id.clone()) {
            cx.bad("Incident ID", &id, "appears twice in the file");
        }
        let item = match format {
            ImportFormat::Awsd => awsd_row(&cols, cells, &mut cx),
            ImportFormat::YemenRaids => yemen_row(&cols, cells, &mut cx),
        };
        if problems.len() > before {
            continue;
        }
        let (input, extra) = item;
        // The labels are chosen by the importer: check the rest under placeholder labels.
        let probe = IncidentInput {
            classification: "internal".into(),
            compartment: Some("import-check".into()),
            ..input.clone()
        };
        if let Err(e) = probe.validate(violations) {
            let (column, message) = match &e {
                DomainError::Invalid { field, reason } => (field.to_string(), reason.clone()),
                other => (String::new(), other.to_string()),
            };
            problems.push(RowProblem {
                row: *row,
                column,
                value: String::new(),
                message,
            });
            continue;
        }
        out.push(ImportedIncident {
            row: *row,
            source_id: id,
            input,
            extra,
        });
    }
    (out, problems, total)
}

fn awsd_row(
    cols: &Cols<'_>,
    r: &[String],
    cx: &mut RowCtx<'_>,
) -> (IncidentInput, Vec<(String, String)>) {
    let g = |n: &str| cols.get(r, n);
    let year = g("Year");
    let (month, day) = (g("Month"), g("Day"));
    let (date, precision) = match (month.is_empty(), day.is_empty()) {
        (true, _) => (year.to_string(), "year"),
        (false, true) => (format!("{year}-{:0>2}", month), "month"),
        (false, false) => (format!("{year}-{:0>2}-{:0>2}", month, day), "day"),
    };
    if year.is_empty() {
        cx.bad("Year", "", "required");
    } else if let Err(e) = check_date(&date, precision) {
        let column = if year.parse::<i64>().is_err() {
            "Year"
        } else if precision == "day" {
            "Day"
        } else {
            "Month"
        };
        let msg = match e {
            DomainError::Invalid { reason, .. } => reason,
            o => o.to_string(),
        };
        cx.bad(column, &date, msg);
    }
    let country_name = g("Country");
    let country = crate::agreement::country_code(country_name).map(str::to_string);
    let mut org_types = Vec::new();
    for (col, code) in [
        ("UN", "un"),
        ("INGO", "ingo"),
        ("LNGO/NRCS", "lngo"),
        ("ICRC", "icrc"),
        ("IFRC", "ifrc"),
        ("Other", "other"),
    ] {
        if cx.count(col, g(col)) > 0 {
            org_types.push(code.to_string());
        }
    }
    let aid = AidAttack {
        org_types,
        nationals_killed: cx.count("Nationals killed", g("Nationals killed")),
        nationals_wounded: cx.count("Nationals wounded", g("Nationals wounded")),
        nationals_kidnapped: cx.count("Nationals kidnapped", g("Nationals kidnapped")),
        internationals_killed: cx.count("Internationals killed", g("Internationals killed")),
        internationals_wounded: cx.count("Internationals wounded", g("Internationals wounded")),
        internationals_kidnapped: cx
            .count("Internationals kidnapped", g("Internationals kidnapped")),
        means: awsd_means(g("Means of attack")).to_string(),
        context: awsd_context(g("Attack context")).to_string(),
    };
    let killed = cx.count("Total killed", g("Total killed"));
    let wounded = cx.count("Total wounded", g("Total wounded"));
    let kidnapped = cx.count("Total kidnapped", g("Total kidnapped"));
    // A known quirk: both coordinates in the Latitude cell ("11.9, 24.9") and a stray ")".
    let clean = |v: &str| {
        v.trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
            .to_string()
    };
    let (lat_s, lon_s) = match g("Latitude").split_once(',') {
        Some((a, b)) => (clean(a), clean(b)),
        None => (clean(g("Latitude")), clean(g("Longitude"))),
    };
    let lat = cx.float("Latitude", &lat_s);
    let lon = cx.float("Longitude", &lon_s);
    let (city, district, region) = (g("City"), g("District"), g("Region"));
    let place = [city, district]
        .iter()
        .find(|s| !s.is_empty())
        .copied()
        .unwrap_or("")
        .to_string();
    let place_precision = if lat.is_some() && lon.is_some() {
        "point"
    } else if !region.is_empty() || !district.is_empty() {
        "admin"
    } else if country.is_some() {
        "country"
    } else {
        // Neither a point nor a country: the precision is the place named (or nothing at all).
        "admin"
    };
    let admin_area = [district, region, country_name, "unknown"]
        .iter()
        .find(|s| !s.is_empty())
        .copied()
        .unwrap_or("")
        .to_string();
    let where_ = [city, district, region, country_name]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let title = if where_.is_empty() {
        format!("Aid workers attacked ({year})")
    } else {
        format!("Aid workers attacked — {where_}")
    };
    let extra = vec![
        ("country_name".to_string(), country_name.to_string()),
        ("region".to_string(), region.to_string()),
        ("district".to_string(), district.to_string()),
        ("city".to_string(), city.to_string()),
        ("location".to_string(), g("Location").to_string()),
        ("gender_male".to_string(), g("Gender Male").to_string()),
        ("gender_female".to_string(), g("Gender Female").to_string()),
        (
            "gender_unknown".to_string(),
            g("Gender Unknown").to_string(),
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let input = IncidentInput {
        title,
        description: g("Details").to_string(),
        date,
        date_precision: precision.into(),
        place,
        admin_area,
        place_precision: place_precision.into(),
        lat: lat.filter(|_| lon.is_some()),
        lon: lon.filter(|_| lat.is_some()),
        country,
        context: "Attacks on aid workers (AWSD)".into(),
        reliability: "B".into(),
        credibility: "2".into(),
        acts: vec![Act {
            violation: "attack-on-aid-workers".into(),
            victims: vec![VictimCount {
                sex: "unknown".into(),
                age_group: "adult".into(),
                status: "civilian".into(),
                killed,
                injured: wounded,
                other: kidnapped,
            }],
            source: "Aid Worker Security Database (Humanitarian Outcomes)".into(),
            reliability: "B".into(),
            credibility: "2".into(),
        }],
        aid: Some(aid),
        classification: String::new(),
        compartment: None,
    };
    (input, extra)
}

fn awsd_means(code: &str) -> &str {
    match code {
        "S" => "shooting",
        "K" => "kidnapping",
        "B" => "bodily assault",
        "KK" => "kidnap-killing",
        "RIED" => "roadside IED",
        "VBIED" => "vehicle-borne IED",
        "BBIED" => "body-borne IED",
        "PBIED" => "person-borne IED",
        "UIED" => "other explosive",
        "AB" => "aerial bombardment",
        "SV" => "sexual violence",
        "LM" => "landmine",
        "U" => "unknown",
        other => other,
    }
}

fn awsd_context(code: &str) -> &str {
    match code {
        "Am" => "ambush",
        "C" => "combat/crossfire",
        "IA" => "individual attack",
        "R" => "raid",
        "MA" => "mob violence",
        "D" => "detention",
        "U" => "unknown",
        other => other,
    }
}

fn yemen_row(
    cols: &Cols<'_>,
    r: &[String],
    cx: &mut RowCtx<'_>,
) -> (IncidentInput, Vec<(String, String)>) {
    let g = |n: &str| cols.get(r, n);
    // DD/MM/YYYY
    let raw = g("Date");
    let parts: Vec<&str> = raw.split('/').collect();
    let date = match parts.as_slice() {
        [d, m, y] if !d.is_empty() && !m.is_empty() && y.len() == 4 => {
            format!("{y}-{:0>2}-{:0>2}", m, d)
        }
        _ => {
            cx.bad("Date", raw, "not a date; expected DD/MM/YYYY");
            String::new()
        }
    };
    if !date.is_empty()
        && let Err(e) = check_date(&date, "day")
    {
        let msg = match e {
            DomainError::Invalid { reason, .. } => reason,
            o => o.to_string(),
        };
        cx.bad("Date", raw, msg);
    }
    let killed = cx.count("Fatalities", g("Fatalities"));
    let w_killed = cx.count("Woman fatalities", g("Woman fatalities"));
    let c_killed = cx.count("Child fatalities", g("Child fatalities"));
    let injured = cx.count("Injured", g("Injured"));
    let w_injured = cx.count("Woman injured", g("Woman injured"));
    let c_injured = cx.count("Child injured", g("Child injured"));
    // The maximum is informational and written freely in the source ("10+" at least ten, "-"
    // unknown, the odd "2,2"): kept as written in `extra`, checked only when it is a number.
    let min = cx.count("Min Air Raids", g("Min Air Raids"));
    let max = g("Max Air Raids").parse::<i64>().ok();
    if max.is_some_and(|m| m < min) {
        cx.bad(
            "Max Air Raids",
            g("Max Air Raids"),
            "smaller than Min Air Raids",
        );
    }
    let civ = cx.count("Civilian Casualties", g("Civilian Casualties"));
    let category = g("Main category");
    let violation = if category.eq_ignore_ascii_case("civilian") {
        "attack-on-civilians"
    } else {
        "air-raid"
    };
    let mut victims = Vec::new();
    if w_killed + w_injured > 0 {
        victims.push(VictimCount {
            sex: "female".into(),
            age_group: "adult".into(),
            status: "civilian".into(),
            killed: w_killed,
            injured: w_injured,
            other: 0,
        });
    }
    if c_killed + c_injured > 0 {
        victims.push(VictimCount {
            sex: "unknown".into(),
            age_group: "child".into(),
            status: "civilian".into(),
            killed: c_killed,
            injured: c_injured,
            other: 0,
        });
    }
    let (rk, ri) = (
        (killed - w_killed - c_killed).max(0),
        (injured - w_injured - c_injured).max(0),
    );
    if rk + ri > 0 {
        victims.push(VictimCount {
            sex: "unknown".into(),
            age_group: "unknown".into(),
            status: "unknown".into(),
            killed: rk,
            injured: ri,
            other: 0,
        });
    }
    let (gov, district, area, target) = (g("Governorate"), g("District"), g("Area"), g("Target"));
    let where_ = [area, district, gov]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let title = if target.is_empty() {
        format!("Air raid — {where_}")
    } else {
        format!("Air raid on {target} — {where_}")
    };
    let extra: Vec<(String, String)> = vec![
        ("governorate".to_string(), gov.to_string()),
        ("district".to_string(), district.to_string()),
        ("area".to_string(), area.to_string()),
        ("target".to_string(), target.to_string()),
        ("main_category".to_string(), category.to_string()),
        ("sub_category".to_string(), g("Sub-category").to_string()),
        ("min_air_raids".to_string(), g("Min Air Raids").to_string()),
        ("max_air_raids".to_string(), g("Max Air Raids").to_string()),
        ("civilian_casualties".to_string(), civ.to_string()),
        (
            "confirmed_time".to_string(),
            g("Confirmed Time").to_string(),
        ),
        ("time_of_day".to_string(), g("Time of Day").to_string()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let input = IncidentInput {
        title,
        description: String::new(),
        date,
        date_precision: "day".into(),
        place: [area, district]
            .iter()
            .find(|s| !s.is_empty())
            .copied()
            .unwrap_or("")
            .to_string(),
        admin_area: [district, gov, "Yemen"]
            .iter()
            .find(|s| !s.is_empty())
            .copied()
            .unwrap_or("")
            .to_string(),
        place_precision: "admin".into(),
        lat: None,
        lon: None,
        country: Some("YE".into()),
        context: "Yemen — air war".into(),
        reliability: "C".into(),
        credibility: "3".into(),
        acts: vec![Act {
            violation: violation.into(),
            victims,
            source: "Yemen Data Project".into(),
            reliability: "C".into(),
            credibility: "3".into(),
        }],
        aid: None,
        classification: String::new(),
        compartment: None,
    };
    (input, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vec<String> {
        DEFAULT_VIOLATIONS
            .iter()
            .map(|t| t.code.to_string())
            .collect()
    }

    #[test]
    fn dates_follow_their_precision() {
        assert_eq!(check_date("2024", "year").unwrap().1, 2024);
        assert!(check_date("2024-02", "month").is_ok());
        assert!(check_date("2024-02-29", "day").is_ok());
        assert!(check_date("2023-02-29", "day").is_err());
        assert!(check_date("2024-02-29T13:05", "exact").is_ok());
        assert!(check_date("2024-02", "day").is_err());
        assert!(check_date("2024", "fortnight").is_err());
    }

    #[test]
    fn verification_moves_one_step_forward() {
        assert!(check_verification("reported", "plausible").is_ok());
        assert!(check_verification("reported", "verified").is_err());
        assert!(check_verification("verified", "reported").is_ok());
        assert!(check_verification("plausible", "plausible").is_err());
    }

    #[test]
    fn yemen_headers_are_matched_by_trimmed_name() {
        let csv = "Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities ,Woman fatalities,Child fatalities,Injured ,Woman injured,Child injured, Confirmed Time,Time of Day,,\n\
                   3,26/03/2015,Capital,Bani Al-Harith,Al-Sonblah,Residential Area,Civilian,Residential Area,1,2,29,21,3,14,8,0,7,2,Early-Morning,,\n";
        let (rows, problems, n) = parse_import(ImportFormat::YemenRaids, csv.as_bytes(), &vocab());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(n, 1);
        let i = &rows[0].input;
        assert_eq!(i.date, "2015-03-26");
        assert_eq!(i.acts[0].killed(), 21);
        assert_eq!(i.acts[0].injured(), 8);
        assert_eq!(i.acts[0].violation, "attack-on-civilians");
    }

    #[test]
    fn bad_rows_name_row_and_column() {
        let csv = "Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities,Woman fatalities,Child fatalities,Injured,Woman injured,Child injured,Confirmed Time,Time of Day\n\
                   1,31/02/2015,Capital,X,Y,Z,Civilian,R,1,2,0,0,0,0,0,0,0,2,Night\n\
                   2,01/03/2015,Capital,X,Y,Z,Civilian,R,1,2,0,many,0,0,0,0,0,2,Night\n";
        let (rows, problems, _) = parse_import(ImportFormat::YemenRaids, csv.as_bytes(), &vocab());
        assert!(rows.is_empty());
        assert_eq!(problems.len(), 2);
        assert_eq!((problems[0].row, problems[0].column.as_str()), (2, "Date"));
        assert_eq!(
            (problems[1].row, problems[1].column.as_str()),
            (3, "Fatalities")
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let csv = "Incident ID,Year,Month\n1,2001,2\n";
        let (rows, problems, _) = parse_import(ImportFormat::Awsd, csv.as_bytes(), &vocab());
        assert!(rows.is_empty());
        assert!(
            problems
                .iter()
                .any(|p| p.column == "Country" && p.message == "missing column")
        );
    }
}
