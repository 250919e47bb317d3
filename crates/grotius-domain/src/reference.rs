//! Reference data: countries (ISO 3166-1 with UN M49 regions, vendored — see `data/SOURCES.md`)
//! and controlled vocabularies with their English and Dutch labels.

use std::sync::OnceLock;

use serde::Serialize;

use crate::DomainError;

const COUNTRIES_CSV: &str = include_str!("../../../data/iso3166-countries.csv");

/// Attribution shown wherever the country list is displayed.
pub const COUNTRIES_ATTRIBUTION: &str = "ISO 3166-1 countries with UN M49 regions: lukes/ISO-3166-Countries-with-Regional-Codes, CC BY-SA 4.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    /// ISO 3166-1 alpha-2, e.g. `SD`.
    pub alpha2: String,
    pub alpha3: String,
    /// ISO 3166-1 numeric = UN M49 country code, e.g. `729`.
    pub numeric: String,
    pub name: String,
    /// UN M49 region and sub-region (empty for Antarctica).
    pub region: String,
    pub sub_region: String,
    pub intermediate_region: String,
}

/// All 249 countries, in the order of the source (alphabetical by English name).
pub fn countries() -> &'static [Country] {
    static C: OnceLock<Vec<Country>> = OnceLock::new();
    C.get_or_init(|| {
        let mut r = csv::Reader::from_reader(COUNTRIES_CSV.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.expect("vendored country list is valid CSV");
                let f = |i: usize| rec.get(i).unwrap_or_default().to_string();
                Country {
                    name: f(0),
                    alpha2: f(1),
                    alpha3: f(2),
                    numeric: f(3),
                    region: f(5),
                    sub_region: f(6),
                    intermediate_region: f(7),
                }
            })
            .collect()
    })
}

/// Looks a country up by alpha-2, alpha-3 or numeric code (case-insensitive for letters).
pub fn country(code: &str) -> Option<&'static Country> {
    let code = code.trim();
    countries().iter().find(|c| {
        c.alpha2.eq_ignore_ascii_case(code)
            || c.alpha3.eq_ignore_ascii_case(code)
            || c.numeric == code
    })
}

/// Validates a list of country codes and normalises them to alpha-2.
pub fn parse_countries(codes: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let c = country(code).ok_or_else(|| {
            DomainError::invalid(
                "countries",
                format!("'{code}' is not an ISO 3166-1 country code"),
            )
        })?;
        if !out.contains(&c.alpha2) {
            out.push(c.alpha2.clone());
        }
    }
    Ok(out)
}

/// A term of a controlled vocabulary: a stable code and labels in both UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    pub code: &'static str,
    pub en: &'static str,
    pub nl: &'static str,
}

impl Term {
    pub fn label(&self, lang: &str) -> &'static str {
        if lang == "nl" { self.nl } else { self.en }
    }
}

/// A term (for the vocabulary tables of every module).
pub(crate) const fn t(code: &'static str, en: &'static str, nl: &'static str) -> Term {
    Term { code, en, nl }
}

/// The thematic niches of the policy letter.
pub const THEMES: &[Term] = &[
    t(
        "rule-of-law",
        "Rule of law and transitional justice",
        "Rechtsorde en transitional justice",
    ),
    t("water", "Water", "Water"),
    t(
        "mhpss",
        "Mental health and psychosocial support",
        "Geestelijke gezondheid en psychosociale steun",
    ),
    t(
        "wps",
        "Women, peace and security",
        "Vrouwen, vrede en veiligheid",
    ),
    t("innovation", "Innovation", "Innovatie"),
];

/// Conflict-cycle phases.
pub const PHASES: &[Term] = &[
    t("prevention", "Prevention", "Preventie"),
    t("crisis", "Crisis", "Crisis"),
    t("armed-conflict", "Armed conflict", "Gewapend conflict"),
    t(
        "negotiation",
        "Ceasefire / negotiation",
        "Staakt-het-vuren / onderhandeling",
    ),
    t("implementation", "Implementation", "Implementatie"),
    t("post-conflict", "Post-conflict", "Post-conflict"),
];

/// Tracks of diplomacy.
pub const TRACKS: &[Term] = &[
    t("I", "Track I", "Track I"),
    t("1.5", "Track 1.5", "Track 1,5"),
    t("II", "Track II", "Track II"),
    t("III", "Track III", "Track III"),
];

/// The Dutch role (EU mediation vocabulary).
pub const DUTCH_ROLES: &[Term] = &[
    t("lead", "Lead", "Leiden"),
    t("facilitate", "Facilitate", "Faciliteren"),
    t("accompany", "Accompany", "Begeleiden"),
    t("coordinate", "Coordinate", "Coördineren"),
    t("support", "Support", "Ondersteunen"),
    t("leverage", "Leverage", "Hefboom"),
];

/// Status of a process.
pub const PROCESS_STATUSES: &[Term] = &[
    t("exploratory", "Exploratory", "Verkennend"),
    t("active", "Active", "Actief"),
    t("dormant", "Dormant", "Slapend"),
    t("concluded", "Concluded", "Afgerond"),
];

/// Finds a term by code, or explains which codes exist.
pub fn term(
    vocab: &'static [Term],
    what: &'static str,
    code: &str,
) -> Result<&'static Term, DomainError> {
    vocab
        .iter()
        .find(|t| t.code == code)
        .ok_or_else(|| DomainError::UnknownValue {
            what,
            value: code.to_string(),
            expected: vocab.iter().map(|t| t.code).collect::<Vec<_>>().join(", "),
        })
}

/// UN M49 regions at the grain a mediation unit reports on (intermediate region where M49 has
/// one, e.g. "Eastern Africa", otherwise the sub-region, e.g. "Western Asia"), with Dutch names.
pub const REGIONS: &[Term] = &[
    Term {
        code: "Eastern Africa",
        en: "Eastern Africa",
        nl: "Oost-Afrika",
    },
    Term {
        code: "Middle Africa",
        en: "Middle Africa",
        nl: "Centraal-Afrika",
    },
    Term {
        code: "Northern Africa",
        en: "Northern Africa",
        nl: "Noord-Afrika",
    },
    Term {
        code: "Southern Africa",
        en: "Southern Africa",
        nl: "Zuidelijk Afrika",
    },
    Term {
        code: "Western Africa",
        en: "Western Africa",
        nl: "West-Afrika",
    },
    Term {
        code: "Caribbean",
        en: "Caribbean",
        nl: "Caribisch gebied",
    },
    Term {
        code: "Central America",
        en: "Central America",
        nl: "Midden-Amerika",
    },
    Term {
        code: "South America",
        en: "South America",
        nl: "Zuid-Amerika",
    },
    Term {
        code: "Northern America",
        en: "Northern America",
        nl: "Noord-Amerika",
    },
    Term {
        code: "Central Asia",
        en: "Central Asia",
        nl: "Centraal-Azië",
    },
    Term {
        code: "Eastern Asia",
        en: "Eastern Asia",
        nl: "Oost-Azië",
    },
    Term {
        code: "South-eastern Asia",
        en: "South-eastern Asia",
        nl: "Zuidoost-Azië",
    },
    Term {
        code: "Southern Asia",
        en: "Southern Asia",
        nl: "Zuid-Azië",
    },
    Term {
        code: "Western Asia",
        en: "Western Asia",
        nl: "West-Azië",
    },
    Term {
        code: "Eastern Europe",
        en: "Eastern Europe",
        nl: "Oost-Europa",
    },
    Term {
        code: "Northern Europe",
        en: "Northern Europe",
        nl: "Noord-Europa",
    },
    Term {
        code: "Southern Europe",
        en: "Southern Europe",
        nl: "Zuid-Europa",
    },
    Term {
        code: "Western Europe",
        en: "Western Europe",
        nl: "West-Europa",
    },
    Term {
        code: "Australia and New Zealand",
        en: "Australia and New Zealand",
        nl: "Australië en Nieuw-Zeeland",
    },
    Term {
        code: "Melanesia",
        en: "Melanesia",
        nl: "Melanesië",
    },
    Term {
        code: "Micronesia",
        en: "Micronesia",
        nl: "Micronesië",
    },
    Term {
        code: "Polynesia",
        en: "Polynesia",
        nl: "Polynesië",
    },
];

/// The reporting region (a code of [`REGIONS`]) of a country, by any of its codes.
pub fn region_of(code: &str) -> Option<&'static str> {
    let c = country(code)?;
    let name = if c.intermediate_region.is_empty() {
        &c.sub_region
    } else {
        &c.intermediate_region
    };
    REGIONS.iter().find(|r| r.code == name).map(|r| r.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_with_a_region_maps_to_a_reporting_region() {
        assert_eq!(region_of("SD"), Some("Northern Africa"));
        assert_eq!(region_of("SSD"), Some("Eastern Africa"));
        assert_eq!(region_of("CO"), Some("South America"));
        assert_eq!(region_of("YE"), Some("Western Asia"));
        assert_eq!(region_of("XX"), None);
        let unmapped: Vec<&str> = countries()
            .iter()
            .filter(|c| !c.sub_region.is_empty() && region_of(&c.alpha2).is_none())
            .map(|c| c.alpha2.as_str())
            .collect();
        assert!(unmapped.is_empty(), "no reporting region for {unmapped:?}");
    }

    #[test]
    fn the_vendored_country_list_is_complete() {
        assert_eq!(countries().len(), 249);
        let sd = country("SD").unwrap();
        assert_eq!(sd.name, "Sudan");
        assert_eq!(sd.numeric, "729");
        assert_eq!(sd.region, "Africa");
        assert_eq!(sd.sub_region, "Northern Africa");
        assert_eq!(country("nld").unwrap().alpha2, "NL");
        assert_eq!(country("887").unwrap().alpha2, "YE");
    }

    #[test]
    fn parse_countries_normalises_and_rejects() {
        let ok = parse_countries(&["ssd".into(), "SD".into(), "SS".into()]).unwrap();
        assert_eq!(ok, vec!["SS", "SD"]);
        let err = parse_countries(&["XX".into()]).unwrap_err();
        assert!(
            err.to_string()
                .contains("'XX' is not an ISO 3166-1 country code")
        );
    }

    #[test]
    fn vocabularies_have_both_languages() {
        for v in [THEMES, PHASES, TRACKS, DUTCH_ROLES, PROCESS_STATUSES] {
            for t in v {
                assert!(!t.en.is_empty() && !t.nl.is_empty(), "{}", t.code);
            }
        }
        assert!(
            term(THEMES, "theme", "sports")
                .unwrap_err()
                .to_string()
                .contains("water")
        );
    }
}
