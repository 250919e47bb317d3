//! The Pacific Institute's Water Conflict Chronology: reading its CSV (every row is kept) and
//! deriving a year range from its free-text dates ("3000 BC", "circa 1300 BC", "1990s",
//! "1995-1998", "6th Century BC", "1978 onwards"); dates that fit no form are kept as text and
//! flagged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DomainError;
use crate::early_warning::{
    CheckedCsv, EventProblem, MAX_PROBLEMS, ged_country_code, open_checked_csv,
};

/// The citation the Pacific Institute asks for.
pub const WATER_CITATION: &str = "Pacific Institute (2023) Water Conflict Chronology. Pacific Institute, Oakland, CA. https://www.worldwater.org/water-conflict/";

/// Spellings in the chronology's country column of current states that the GED and PA-X names
/// do not cover (one is the source's typo). Former and historical entities (Babylon, Yugoslavia,
/// the Soviet Union) stay without a code.
const WATER_COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("The Netherlands", "NL"),
    ("Democratic Republic of the Congo", "CD"),
    ("Trinidad", "TT"),
    ("Inonesia", "ID"),
    ("North Vietnam", "VN"),
];

/// The ISO 3166-1 alpha-2 code of a name in the chronology's country column, if it names a
/// current state.
pub fn water_country_code(name: &str) -> Option<&'static str> {
    let name = name.trim();
    WATER_COUNTRY_ALIASES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, code)| crate::reference::country(code))
        .map(|c| c.alpha2.as_str())
        .or_else(|| ged_country_code(name))
}

/// The chronology's seven columns.
pub const WATER_COLUMNS: [&str; 7] = [
    "Date",
    "Headline",
    "Conflict Type",
    "Country",
    "Region",
    "Description",
    "Sources",
];

/// Years derived from a free-text date, inclusive. Years before the common era are negative and
/// there is no year 0 ("3000 BC" is -3000, "30 AD" is 30). `to` is `None` for an open end
/// ("1978 onwards").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRange {
    pub from: i64,
    pub to: Option<i64>,
    /// "circa", "about" or alternatives ("1998/1994").
    pub approximate: bool,
}

/// Derives the year range of a free-text date. The forms, in any combination:
/// - a term: a year (`1995`, `537`), a decade (`1990s`) or a century (`6th century`);
/// - an era after a term or after the whole date: `BC`/`BCE`/`B.C.` or `AD`/`CE`/`A.D.`
///   (`AD` also before it: `AD 30`); without one, years are of the common era;
/// - two terms joined by `-`, `–`, `—` or `to` (a range; its order is normalised, so
///   "681-699 BC" is -699..-681), or by `/` (alternatives: the range spanning both, approximate);
///   a shortened second year takes the first's leading digits (`1998-99` is 1998..1999);
/// - `onwards`, `onward`, `to present`, `-present` after a term: an open end;
/// - `circa`, `c.`, `ca.`, `about`, `around`, `approximately` before it: approximate.
///
/// Anything else is `None` (the caller keeps the text and flags it).
pub fn parse_year_range(text: &str) -> Option<YearRange> {
    let mut s = text
        .trim()
        .to_lowercase()
        .replace(['–', '—'], "-")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut approximate = false;
    for q in [
        "circa ",
        "ca. ",
        "ca ",
        "c. ",
        "about ",
        "around ",
        "approximately ",
        "approx. ",
    ] {
        if let Some(rest) = s.strip_prefix(q) {
            s = rest.trim().to_string();
            approximate = true;
            break;
        }
    }
    let mut open = false;
    for q in [
        " onwards",
        " onward",
        " to present",
        "-present",
        " - present",
    ] {
        if let Some(rest) = s.strip_suffix(q) {
            s = rest.trim().to_string();
            open = true;
            break;
        }
    }
    // An era after the whole date applies to every term without its own.
    let (body, era) = split_era(&s);
    let (parts, alternatives): (Vec<&str>, bool) = if body.contains('/') {
        (body.split('/').collect(), true)
    } else if body.contains(" to ") {
        (body.split(" to ").collect(), false)
    } else {
        (body.split('-').collect(), false)
    };
    if parts.is_empty() || parts.len() > 2 || (open && parts.len() != 1) {
        return None;
    }
    let mut spans = Vec::new();
    let mut first_digits: Option<String> = None;
    for (i, part) in parts.iter().enumerate() {
        let (term, own_era) = split_era(part.trim());
        let era = own_era.or(era).unwrap_or(Era::Common);
        let mut term = term.to_string();
        // "1998-99": the second year takes the first's leading digits.
        if i == 1
            && let Some(first) = &first_digits
            && era == Era::Common
            && term.chars().all(|c| c.is_ascii_digit())
            && !term.is_empty()
            && term.len() < first.len()
        {
            term = format!("{}{}", &first[..first.len() - term.len()], term);
        }
        let span = term_span(&term, era)?;
        if i == 0 && term.chars().all(|c| c.is_ascii_digit()) {
            first_digits = Some(term.clone());
        }
        spans.push(span);
    }
    let from = spans.iter().map(|s| s.0).min()?;
    let to = spans.iter().map(|s| s.1).max()?;
    Some(YearRange {
        from,
        to: if open { None } else { Some(to) },
        approximate: approximate || alternatives,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    Before,
    Common,
}

/// Splits an era marker off the end (or `ad`/`ce` off the start) of a date or term.
fn split_era(s: &str) -> (&str, Option<Era>) {
    let s = s.trim();
    for (suffix, era) in [
        (" b.c.e.", Era::Before),
        (" b.c.", Era::Before),
        (" bce", Era::Before),
        (" bc", Era::Before),
        (" a.d.", Era::Common),
        (" ad", Era::Common),
        (" ce", Era::Common),
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            return (rest.trim(), Some(era));
        }
    }
    for prefix in ["ad ", "a.d. "] {
        if let Some(rest) = s.strip_prefix(prefix) {
            return (rest.trim(), Some(Era::Common));
        }
    }
    (s, None)
}

/// The years (earliest, latest) of one term: a year, a decade or a century.
fn term_span(term: &str, era: Era) -> Option<(i64, i64)> {
    let term = term.trim();
    let number = |v: &str| -> Option<i64> {
        if v.is_empty() || v.len() > 4 || !v.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        v.parse::<i64>().ok().filter(|n| *n > 0)
    };
    let (first, last) = if let Some(c) = term
        .strip_suffix(" century")
        .or_else(|| term.strip_suffix(" c."))
    {
        let digits = c
            .strip_suffix("st")
            .or_else(|| c.strip_suffix("nd"))
            .or_else(|| c.strip_suffix("rd"))
            .or_else(|| c.strip_suffix("th"))?;
        let n = number(digits).filter(|n| *n <= 40)?;
        // The 6th century is 501..600 (CE) or 600..501 BC.
        (n * 100 - 99, n * 100)
    } else if let Some(d) = term.strip_suffix("'s").or_else(|| term.strip_suffix('s')) {
        let n = number(d)?;
        if n % 10 != 0 {
            return None;
        }
        (n, n + 9)
    } else {
        let n = number(term)?;
        (n, n)
    };
    Some(match era {
        Era::Common => {
            if last > 2100 {
                return None;
            }
            (first, last)
        }
        Era::Before => (-last, -first),
    })
}

/// One row of the chronology, every column kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaterEvent {
    /// The free-text date as written.
    pub date: String,
    /// The years derived from it; `None` when it fits no form (flagged in the report).
    pub years: Option<YearRange>,
    pub headline: String,
    pub conflict_type: String,
    /// The chronology's country column as written ("Iran, Iraq", "Mesopotamia").
    pub country: String,
    /// ISO 3166-1 alpha-2 of the names in `country` that are current states.
    pub countries: Vec<String>,
    pub region: String,
    pub description: String,
    pub sources: String,
}

impl WaterEvent {
    /// SHA-256 of the row's text: the chronology has no ids, so a row is known by its content
    /// (an edited row is a new row, the old one removed).
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        for v in [
            &self.date,
            &self.headline,
            &self.conflict_type,
            &self.country,
            &self.region,
            &self.description,
            &self.sources,
        ] {
            h.update(v.as_bytes());
            h.update([0u8]);
        }
        hex::encode(h.finalize())
    }
}

/// A row of the chronology with its CSV row (the header is row 1) and its key: the content hash,
/// with `#2`, `#3`… for the second and later copies of an identical row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaterRow {
    pub row: usize,
    pub key: String,
    pub event: WaterEvent,
}

/// What reading the chronology found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaterFile {
    pub records: usize,
    pub rows: Vec<WaterRow>,
    /// Rows that cannot be read at all (none are dropped for a bad date).
    pub problems: Vec<EventProblem>,
    pub omitted: usize,
    /// Rows whose date fits no form: (row, date as written).
    pub undated: Vec<(usize, String)>,
    /// Country names that name no current state, with their number of rows.
    pub unmapped: BTreeMap<String, usize>,
}

/// Reads the chronology's CSV. A file without its seven columns is refused whole, naming the
/// missing ones; every readable row is kept, those with a date of no known form are listed in
/// `undated`.
pub fn read_water(bytes: &[u8]) -> Result<WaterFile, DomainError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        DomainError::invalid(
            "file",
            format!(
                "the file is not UTF-8 text ({e}); expected the Water Conflict Chronology as CSV"
            ),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(DomainError::invalid("file", "the file is empty"));
    }
    let CheckedCsv {
        mut reader, index, ..
    } = open_checked_csv(text, &WATER_COLUMNS, "the Water Conflict Chronology")?;
    let mut file = WaterFile {
        records: 0,
        rows: Vec::new(),
        problems: Vec::new(),
        omitted: 0,
        undated: Vec::new(),
        unmapped: BTreeMap::new(),
    };
    let mut copies: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        file.records += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let p = EventProblem {
                    row,
                    column: String::new(),
                    value: String::new(),
                    message: format!("the row cannot be read as CSV: {e}"),
                };
                if file.problems.len() < MAX_PROBLEMS {
                    file.problems.push(p);
                } else {
                    file.omitted += 1;
                }
                continue;
            }
        };
        let cell = |c: &str| record.get(index[c]).unwrap_or_default().trim().to_string();
        let country = cell("Country");
        let mut countries: Vec<String> = Vec::new();
        for name in country
            .split([',', ';'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match water_country_code(name) {
                Some(c) => {
                    if !countries.iter().any(|x| x == c) {
                        countries.push(c.to_string());
                    }
                }
                None => *file.unmapped.entry(name.to_string()).or_default() += 1,
            }
        }
        let date = cell("Date");
        let years = parse_year_range(&date);
        if years.is_none() {
            file.undated.push((row, date.clone()));
        }
        let event = WaterEvent {
            date,
            years,
            headline: cell("Headline"),
            conflict_type: cell("Conflict Type"),
            country,
            countries,
            region: cell("Region"),
            description: cell("Description"),
            sources: cell("Sources"),
        };
        let hash = event.content_hash();
        let n = copies.entry(hash.clone()).or_default();
        *n += 1;
        let key = if *n == 1 { hash } else { format!("{hash}#{n}") };
        file.rows.push(WaterRow { row, key, event });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(from: i64, to: i64) -> Option<YearRange> {
        Some(YearRange {
            from,
            to: Some(to),
            approximate: false,
        })
    }

    fn approx(from: i64, to: i64) -> Option<YearRange> {
        Some(YearRange {
            from,
            to: Some(to),
            approximate: true,
        })
    }

    #[test]
    fn years_and_eras() {
        assert_eq!(parse_year_range("3000 BC"), r(-3000, -3000));
        assert_eq!(parse_year_range("52 BC"), r(-52, -52));
        assert_eq!(parse_year_range("30 AD"), r(30, 30));
        assert_eq!(parse_year_range("AD 30"), r(30, 30));
        assert_eq!(parse_year_range("537"), r(537, 537));
        assert_eq!(parse_year_range(" 2015 "), r(2015, 2015));
        assert_eq!(parse_year_range("44 B.C."), r(-44, -44));
        assert_eq!(parse_year_range("200 BCE"), r(-200, -200));
    }

    #[test]
    fn approximate_dates() {
        assert_eq!(parse_year_range("circa 1300 BC"), approx(-1300, -1300));
        assert_eq!(parse_year_range("c. 1500"), approx(1500, 1500));
        assert_eq!(parse_year_range("about 1850s"), approx(1850, 1859));
    }

    #[test]
    fn decades_and_centuries() {
        assert_eq!(parse_year_range("1990s"), r(1990, 1999));
        assert_eq!(parse_year_range("1850's"), r(1850, 1859));
        assert_eq!(parse_year_range("6th Century BC"), r(-600, -501));
        assert_eq!(parse_year_range("2nd century BC"), r(-200, -101));
        assert_eq!(parse_year_range("1st century"), r(1, 100));
        assert_eq!(parse_year_range("21st century"), r(2001, 2100));
        assert_eq!(parse_year_range("1995s"), None, "not a decade");
    }

    #[test]
    fn ranges_in_either_order_with_shared_or_own_eras() {
        assert_eq!(parse_year_range("1995-1998"), r(1995, 1998));
        assert_eq!(parse_year_range("1995 – 1998"), r(1995, 1998));
        assert_eq!(parse_year_range("1720-1684 BC"), r(-1720, -1684));
        assert_eq!(parse_year_range("681-699 BC"), r(-699, -681));
        assert_eq!(parse_year_range("1947-1960s"), r(1947, 1969));
        assert_eq!(parse_year_range("1980s-1990s"), r(1980, 1999));
        assert_eq!(parse_year_range("1870s to 1881"), r(1870, 1881));
        assert_eq!(parse_year_range("1998-99"), r(1998, 1999));
        assert_eq!(parse_year_range("30 BC-20 AD"), r(-30, 20));
        assert_eq!(parse_year_range("1998/1994"), approx(1994, 1998));
    }

    #[test]
    fn open_ends() {
        let open = |from| {
            Some(YearRange {
                from,
                to: None,
                approximate: false,
            })
        };
        assert_eq!(parse_year_range("1978 onwards"), open(1978));
        assert_eq!(parse_year_range("2011-present"), open(2011));
        assert_eq!(parse_year_range("1990 to present"), open(1990));
    }

    #[test]
    fn what_fits_no_form_is_none() {
        for bad in [
            "",
            "unknown",
            "0",
            "spring 1990",
            "1990-1995-2000",
            "12345",
            "3000",
            "1990 - ",
            "early 1990s",
            "1990s onwards to 2000",
        ] {
            assert_eq!(parse_year_range(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn country_names_of_current_states_and_not_of_former_ones() {
        for (name, code) in [
            ("Yemen", "YE"),
            ("Iraq", "IQ"),
            ("Iran", "IR"),
            ("Syria", "SY"),
            ("United States", "US"),
            ("Palestine", "PS"),
            ("South Sudan", "SS"),
            ("The Netherlands", "NL"),
            ("Democratic Republic of the Congo", "CD"),
            ("Inonesia", "ID"),
        ] {
            assert_eq!(water_country_code(name), Some(code), "{name}");
        }
        for name in ["Babylon", "Yugoslavia", "Unknown", "Mesopotamia"] {
            assert_eq!(water_country_code(name), None, "{name}");
        }
    }

    #[test]
    fn keeps_every_row_and_flags_dates_and_countries() {
        let csv = "Date,Headline,Conflict Type,Country,Region,Description,Sources\n\
            3000 BC,Storm,Weapon,Unknown,Western Asia,Legend,Hatami\n\
            sometime,Dispute,Trigger,\"Iran, Iraq\",Western Asia,x,y\n\
            sometime,Dispute,Trigger,\"Iran, Iraq\",Western Asia,x,y\n";
        let f = read_water(csv.as_bytes()).unwrap();
        assert_eq!(f.records, 3);
        assert_eq!(f.rows.len(), 3);
        assert_eq!(
            f.undated,
            vec![(3, "sometime".to_string()), (4, "sometime".to_string())]
        );
        assert_eq!(f.rows[1].event.countries, vec!["IR", "IQ"]);
        assert_eq!(f.unmapped.get("Unknown"), Some(&1));
        assert!(f.rows[2].key.ends_with("#2"));
        assert_ne!(f.rows[1].key, f.rows[2].key);
        let e = read_water(b"Date,Headline\n2001,x\n").unwrap_err();
        assert!(
            e.to_string().contains(
                "lacks 5 of its 7 (Conflict Type, Country, Region, Description, Sources)"
            ),
            "{e}"
        );
    }
}
