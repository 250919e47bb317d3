//! UCDP's conflict lists: the UCDP/PRIO Armed Conflict Dataset (one row per conflict and year)
//! and the UCDP Dyadic Dataset (one row per dyad and year), read and checked (pure: bytes in,
//! rows and problems out), and the Gleditsch–Ward state numbers UCDP uses for locations mapped
//! to ISO 3166-1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::early_warning::{CheckedCsv, EventProblem, MAX_PROBLEMS, iso_date, open_checked_csv};
use crate::{DomainError, reference};

/// The citation UCDP asks for, shown wherever the conflict lists are displayed.
pub const UCDP_ACD_CITATION: &str = "UCDP/PRIO Armed Conflict Dataset version 25.1 and UCDP Dyadic Dataset version 25.1: Davies, Shawn, Therése Pettersson, Margareta Sollenberg and Magnus Öberg (2025) Organized violence 1989–2024, and drone warfare, Journal of Peace Research 62(4); Gleditsch, Nils Petter, Peter Wallensteen, Mikael Eriksson, Margareta Sollenberg and Håvard Strand (2002) Armed Conflict 1946–2001: A New Dataset, Journal of Peace Research 39(5); Harbom, Lotta, Erik Melander and Peter Wallensteen (2008) Dyadic Dimensions of Armed Conflict, 1946–2007, Journal of Peace Research 45(5).";

/// Which of UCDP's two lists a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UcdpDataset {
    /// UCDP/PRIO Armed Conflict Dataset: conflict-years, keyed by `conflict_id` + `year`.
    Acd,
    /// UCDP Dyadic Dataset: dyad-years, keyed by `dyad_id` + `year`.
    Dyadic,
}

impl UcdpDataset {
    pub fn as_str(self) -> &'static str {
        match self {
            UcdpDataset::Acd => "acd",
            UcdpDataset::Dyadic => "dyadic",
        }
    }

    /// The columns the file must have (UCDP's names; other columns are ignored).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            UcdpDataset::Acd => &ACD_COLUMNS,
            UcdpDataset::Dyadic => &DYADIC_COLUMNS,
        }
    }

    fn title(self) -> &'static str {
        match self {
            UcdpDataset::Acd => "the UCDP/PRIO Armed Conflict Dataset",
            UcdpDataset::Dyadic => "the UCDP Dyadic Dataset",
        }
    }
}

/// The 28 columns of the UCDP/PRIO Armed Conflict Dataset CSV (version 25.1).
pub const ACD_COLUMNS: [&str; 28] = [
    "conflict_id",
    "location",
    "side_a",
    "side_a_id",
    "side_a_2nd",
    "side_b",
    "side_b_id",
    "side_b_2nd",
    "incompatibility",
    "territory_name",
    "year",
    "intensity_level",
    "cumulative_intensity",
    "type_of_conflict",
    "start_date",
    "start_prec",
    "start_date2",
    "start_prec2",
    "ep_end",
    "ep_end_date",
    "ep_end_prec",
    "gwno_a",
    "gwno_a_2nd",
    "gwno_b",
    "gwno_b_2nd",
    "gwno_loc",
    "region",
    "version",
];

/// The 25 columns of the UCDP Dyadic Dataset CSV (version 25.1).
pub const DYADIC_COLUMNS: [&str; 25] = [
    "dyad_id",
    "conflict_id",
    "location",
    "side_a",
    "side_a_id",
    "side_a_2nd",
    "side_b",
    "side_b_id",
    "side_b_2nd",
    "incompatibility",
    "territory_name",
    "year",
    "intensity_level",
    "type_of_conflict",
    "start_date",
    "start_prec",
    "start_date2",
    "start_prec2",
    "gwno_a",
    "gwno_a_2nd",
    "gwno_b",
    "gwno_b_2nd",
    "gwno_loc",
    "region",
    "version",
];

/// One conflict-year (ACD) or dyad-year (dyadic) as UCDP codes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictYear {
    pub dataset: UcdpDataset,
    pub conflict_id: i64,
    /// The dyad (dyadic dataset only).
    pub dyad_id: Option<i64>,
    pub year: i64,
    /// UCDP's `location`, as written ("Iran, Iraq").
    pub location: String,
    /// UCDP's `gwno_loc`: the Gleditsch–Ward numbers of the states where the fighting took place.
    pub gwno_loc: Vec<i64>,
    /// ISO 3166-1 alpha-2 of `gwno_loc` (numbers of no current state are left out).
    pub countries: Vec<String>,
    pub side_a: String,
    pub side_a_2nd: String,
    pub side_b: String,
    pub side_b_2nd: String,
    /// 1 territory, 2 government, 3 both.
    pub incompatibility: i64,
    pub territory_name: String,
    /// 1 minor (25–999 battle-related deaths in the year), 2 war (1,000 or more).
    pub intensity_level: i64,
    /// ACD only: 1 once the conflict has reached 1,000 deaths since it began.
    pub cumulative_intensity: Option<i64>,
    /// 1 extrasystemic, 2 interstate, 3 intrastate, 4 internationalised intrastate.
    pub type_of_conflict: i64,
    /// `YYYY-MM-DD`: the first battle-related death (start_date) and the first year with 25.
    pub start_date: String,
    pub start_date2: String,
    /// ACD only: whether an episode of the conflict ended in this year, and when.
    pub ep_end: Option<bool>,
    pub ep_end_date: String,
    /// UCDP's region codes, as written ("1, 3").
    pub region: String,
    pub version: String,
}

impl ConflictYear {
    /// The source's own key: `conflict_id:year` (ACD) or `dyad_id:year` (dyadic).
    pub fn source_id(&self) -> String {
        match self.dyad_id {
            Some(d) => format!("{d}:{}", self.year),
            None => format!("{}:{}", self.conflict_id, self.year),
        }
    }

    /// SHA-256 of every field: a row whose hash is unchanged is not written again.
    pub fn hash(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(json.as_bytes()))
    }
}

/// A checked row with the CSV row it came from (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UcdpRow {
    pub row: usize,
    pub record: ConflictYear,
}

/// What reading a UCDP conflict list found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UcdpFile {
    pub dataset: UcdpDataset,
    pub records: usize,
    pub rows: Vec<UcdpRow>,
    /// At most [`MAX_PROBLEMS`]; `omitted` counts the rest.
    pub problems: Vec<EventProblem>,
    pub omitted: usize,
    /// Gleditsch–Ward numbers of `gwno_loc` that name no current state, with their rows.
    pub unmapped: BTreeMap<i64, usize>,
}

/// Gleditsch–Ward state numbers (Gleditsch & Ward 1999, as UCDP uses them) and the ISO 3166-1
/// alpha-2 code of the current state whose territory they cover. Former states whose territory
/// is now one state map to it (North and South Yemen to Yemen, North and South Vietnam to Viet
/// Nam, West and East Germany to Germany, Yugoslavia to Serbia as UCDP's "Serbia (Yugoslavia)",
/// the Soviet Union to Russia as UCDP's "Russia (Soviet Union)"); Czechoslovakia (315), now two
/// states, maps to none.
pub const GW_TO_ISO: &[(i64, &str)] = &[
    (2, "US"),
    (20, "CA"),
    (31, "BS"),
    (40, "CU"),
    (41, "HT"),
    (42, "DO"),
    (51, "JM"),
    (52, "TT"),
    (53, "BB"),
    (54, "DM"),
    (55, "GD"),
    (56, "LC"),
    (57, "VC"),
    (58, "AG"),
    (60, "KN"),
    (70, "MX"),
    (80, "BZ"),
    (90, "GT"),
    (91, "HN"),
    (92, "SV"),
    (93, "NI"),
    (94, "CR"),
    (95, "PA"),
    (100, "CO"),
    (101, "VE"),
    (110, "GY"),
    (115, "SR"),
    (130, "EC"),
    (135, "PE"),
    (140, "BR"),
    (145, "BO"),
    (150, "PY"),
    (155, "CL"),
    (160, "AR"),
    (165, "UY"),
    (200, "GB"),
    (205, "IE"),
    (210, "NL"),
    (211, "BE"),
    (212, "LU"),
    (220, "FR"),
    (221, "MC"),
    (223, "LI"),
    (225, "CH"),
    (230, "ES"),
    (232, "AD"),
    (235, "PT"),
    (255, "DE"),
    (260, "DE"),
    (265, "DE"),
    (290, "PL"),
    (305, "AT"),
    (310, "HU"),
    (316, "CZ"),
    (317, "SK"),
    (325, "IT"),
    (331, "SM"),
    (338, "MT"),
    (339, "AL"),
    (341, "ME"),
    (343, "MK"),
    (344, "HR"),
    (345, "RS"),
    (346, "BA"),
    (349, "SI"),
    (350, "GR"),
    (352, "CY"),
    (355, "BG"),
    (359, "MD"),
    (360, "RO"),
    (365, "RU"),
    (366, "EE"),
    (367, "LV"),
    (368, "LT"),
    (369, "UA"),
    (370, "BY"),
    (371, "AM"),
    (372, "GE"),
    (373, "AZ"),
    (375, "FI"),
    (380, "SE"),
    (385, "NO"),
    (390, "DK"),
    (395, "IS"),
    (402, "CV"),
    (403, "ST"),
    (404, "GW"),
    (411, "GQ"),
    (420, "GM"),
    (432, "ML"),
    (433, "SN"),
    (434, "BJ"),
    (435, "MR"),
    (436, "NE"),
    (437, "CI"),
    (438, "GN"),
    (439, "BF"),
    (450, "LR"),
    (451, "SL"),
    (452, "GH"),
    (461, "TG"),
    (471, "CM"),
    (475, "NG"),
    (481, "GA"),
    (482, "CF"),
    (483, "TD"),
    (484, "CG"),
    (490, "CD"),
    (500, "UG"),
    (501, "KE"),
    (510, "TZ"),
    (516, "BI"),
    (517, "RW"),
    (520, "SO"),
    (522, "DJ"),
    (530, "ET"),
    (531, "ER"),
    (540, "AO"),
    (541, "MZ"),
    (551, "ZM"),
    (552, "ZW"),
    (553, "MW"),
    (560, "ZA"),
    (565, "NA"),
    (570, "LS"),
    (571, "BW"),
    (572, "SZ"),
    (580, "MG"),
    (581, "KM"),
    (590, "MU"),
    (591, "SC"),
    (600, "MA"),
    (615, "DZ"),
    (616, "TN"),
    (620, "LY"),
    (625, "SD"),
    (626, "SS"),
    (630, "IR"),
    (640, "TR"),
    (645, "IQ"),
    (651, "EG"),
    (652, "SY"),
    (660, "LB"),
    (663, "JO"),
    (666, "IL"),
    (670, "SA"),
    (678, "YE"),
    (680, "YE"),
    (690, "KW"),
    (692, "BH"),
    (694, "QA"),
    (696, "AE"),
    (698, "OM"),
    (700, "AF"),
    (701, "TM"),
    (702, "TJ"),
    (703, "KG"),
    (704, "UZ"),
    (705, "KZ"),
    (710, "CN"),
    (712, "MN"),
    (713, "TW"),
    (731, "KP"),
    (732, "KR"),
    (740, "JP"),
    (750, "IN"),
    // Hyderabad (1948), now in India.
    (751, "IN"),
    (760, "BT"),
    (770, "PK"),
    (771, "BD"),
    (775, "MM"),
    (780, "LK"),
    (781, "MV"),
    (790, "NP"),
    (800, "TH"),
    (811, "KH"),
    (812, "LA"),
    (816, "VN"),
    (817, "VN"),
    (820, "MY"),
    (830, "SG"),
    (835, "BN"),
    (840, "PH"),
    (850, "ID"),
    (860, "TL"),
    (900, "AU"),
    (910, "PG"),
    (920, "NZ"),
    (940, "SB"),
    (950, "FJ"),
];

/// The ISO 3166-1 alpha-2 code of a Gleditsch–Ward number, when it names a current state (or a
/// former state whose territory is now one state; see [`GW_TO_ISO`]).
pub fn gw_country(gwno: i64) -> Option<&'static str> {
    GW_TO_ISO
        .iter()
        .find(|(n, _)| *n == gwno)
        .and_then(|(_, code)| reference::country(code))
        .map(|c| c.alpha2.as_str())
}

fn refuse(reason: impl Into<String>) -> DomainError {
    DomainError::invalid("file", reason)
}

/// Reads and checks a UCDP conflict list (ACD or dyadic) as the CSV UCDP distributes. A file
/// without the dataset's columns is refused whole with an error naming the missing ones; every
/// bad value is a problem naming its row and column (the row is left out), and a key
/// (`conflict_id:year` or `dyad_id:year`) that occurs twice is a problem too.
pub fn read_ucdp(dataset: UcdpDataset, bytes: &[u8]) -> Result<UcdpFile, DomainError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "the file is not UTF-8 text ({e}); expected {} as CSV",
            dataset.title()
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(refuse("the file is empty"));
    }
    let CheckedCsv {
        mut reader,
        names,
        index,
    } = open_checked_csv(text, dataset.columns(), dataset.title())?;
    let mut file = UcdpFile {
        dataset,
        records: 0,
        rows: Vec::new(),
        problems: Vec::new(),
        omitted: 0,
        unmapped: BTreeMap::new(),
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        file.records += 1;
        let record = match record {
            Ok(r) if r.len() == names.len() => r,
            Ok(r) => {
                push(
                    &mut file,
                    row,
                    "",
                    "",
                    format!(
                        "the row has {} cells; the header has {}",
                        r.len(),
                        names.len()
                    ),
                );
                continue;
            }
            Err(e) => {
                push(
                    &mut file,
                    row,
                    "",
                    "",
                    format!("the row cannot be read as CSV: {e}"),
                );
                continue;
            }
        };
        let cell = |c: &str| record.get(index[c]).unwrap_or_default().trim().to_string();
        match conflict_year(dataset, &cell) {
            Ok(r) => {
                let key = r.source_id();
                if let Some(first) = seen.insert(key.clone(), row) {
                    let column = match dataset {
                        UcdpDataset::Acd => "conflict_id",
                        UcdpDataset::Dyadic => "dyad_id",
                    };
                    push(
                        &mut file,
                        row,
                        column,
                        &key,
                        format!("this id and year occur twice (first in row {first})"),
                    );
                    continue;
                }
                for g in &r.gwno_loc {
                    if gw_country(*g).is_none() {
                        *file.unmapped.entry(*g).or_default() += 1;
                    }
                }
                file.rows.push(UcdpRow { row, record: r });
            }
            Err(problems) => {
                for (column, value, message) in problems {
                    push(&mut file, row, column, &value, message);
                }
            }
        }
    }
    Ok(file)
}

fn push(file: &mut UcdpFile, row: usize, column: &str, value: &str, message: String) {
    if file.problems.len() < MAX_PROBLEMS {
        file.problems.push(EventProblem {
            row,
            column: column.into(),
            value: value.into(),
            message,
        });
    } else {
        file.omitted += 1;
    }
}

type CellProblem = (&'static str, String, String);

fn conflict_year(
    dataset: UcdpDataset,
    cell: &dyn Fn(&str) -> String,
) -> Result<ConflictYear, Vec<CellProblem>> {
    let mut problems: Vec<CellProblem> = Vec::new();
    let mut int = |column: &'static str, min: i64, max: i64| -> i64 {
        let v = cell(column);
        match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                problems.push((
                    column,
                    v,
                    format!("expected a whole number from {min} to {max}"),
                ));
                0
            }
        }
    };
    let conflict_id = int("conflict_id", 1, 1_000_000_000);
    let dyad_id = match dataset {
        UcdpDataset::Dyadic => Some(int("dyad_id", 1, 1_000_000_000)),
        UcdpDataset::Acd => None,
    };
    let year = int("year", 1946, 2100);
    let incompatibility = int("incompatibility", 1, 3);
    let intensity_level = int("intensity_level", 1, 2);
    let type_of_conflict = int("type_of_conflict", 1, 4);
    let cumulative_intensity = match dataset {
        UcdpDataset::Acd => Some(int("cumulative_intensity", 0, 1)),
        UcdpDataset::Dyadic => None,
    };
    let ep_end = match dataset {
        UcdpDataset::Acd => Some(int("ep_end", 0, 1) == 1),
        UcdpDataset::Dyadic => None,
    };
    let mut date = |column: &'static str, required: bool| -> String {
        let v = cell(column);
        if v.is_empty() && !required {
            return v;
        }
        match iso_date(&v) {
            Some(d) => d,
            None => {
                problems.push((column, v, "expected a date YYYY-MM-DD".into()));
                String::new()
            }
        }
    };
    let start_date = date("start_date", true);
    let start_date2 = date("start_date2", true);
    let ep_end_date = match dataset {
        UcdpDataset::Acd => date("ep_end_date", false),
        UcdpDataset::Dyadic => String::new(),
    };
    let loc = cell("gwno_loc");
    let mut gwno_loc = Vec::new();
    for part in loc.split(',').map(str::trim) {
        match part.parse::<i64>() {
            Ok(n) if (1..=999).contains(&n) => gwno_loc.push(n),
            _ => {
                problems.push((
                    "gwno_loc",
                    loc.clone(),
                    "expected Gleditsch–Ward numbers separated by commas (\"645, 630\")".into(),
                ));
                break;
            }
        }
    }
    let mut text = |column: &'static str, required: bool| -> String {
        let v = cell(column);
        if required && v.is_empty() {
            problems.push((column, v.clone(), "this value is required".into()));
        }
        v
    };
    let location = text("location", true);
    let side_a = text("side_a", true);
    let side_a_2nd = text("side_a_2nd", false);
    let side_b = text("side_b", true);
    let side_b_2nd = text("side_b_2nd", false);
    let territory_name = text("territory_name", false);
    let region = text("region", true);
    let version = text("version", false);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut countries: Vec<String> = Vec::new();
    for g in &gwno_loc {
        if let Some(c) = gw_country(*g)
            && !countries.iter().any(|x| x == c)
        {
            countries.push(c.to_string());
        }
    }
    Ok(ConflictYear {
        dataset,
        conflict_id,
        dyad_id,
        year,
        location,
        gwno_loc,
        countries,
        side_a,
        side_a_2nd,
        side_b,
        side_b_2nd,
        incompatibility,
        territory_name,
        intensity_level,
        cumulative_intensity,
        type_of_conflict,
        start_date,
        start_date2,
        ep_end,
        ep_end_date,
        region,
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gleditsch_ward_numbers_of_known_states() {
        for (gw, iso) in [
            (625, "SD"),
            (626, "SS"),
            (482, "CF"),
            (100, "CO"),
            (678, "YE"),
            (680, "YE"),
            (645, "IQ"),
            (630, "IR"),
            (2, "US"),
            (200, "GB"),
            (365, "RU"),
            (500, "UG"),
            (510, "TZ"),
            (490, "CD"),
            (484, "CG"),
            (652, "SY"),
            (666, "IL"),
            (663, "JO"),
            (750, "IN"),
            (770, "PK"),
            (775, "MM"),
        ] {
            assert_eq!(gw_country(gw), Some(iso), "GW {gw}");
        }
        assert_eq!(gw_country(315), None, "Czechoslovakia is two states now");
        assert_eq!(gw_country(999), None);
        // Every code of the table is a current ISO 3166-1 code, and every number occurs once.
        for (gw, iso) in GW_TO_ISO {
            assert!(reference::country(iso).is_some(), "GW {gw} → {iso}");
            assert_eq!(GW_TO_ISO.iter().filter(|(n, _)| n == gw).count(), 1);
        }
    }

    const ACD_HEADER: &str = "conflict_id,location,side_a,side_a_id,side_a_2nd,side_b,side_b_id,side_b_2nd,incompatibility,territory_name,year,intensity_level,cumulative_intensity,type_of_conflict,start_date,start_prec,start_date2,start_prec2,ep_end,ep_end_date,ep_end_prec,gwno_a,gwno_a_2nd,gwno_b,gwno_b_2nd,gwno_loc,region,version";

    #[test]
    fn reads_a_conflict_in_two_countries() {
        let csv = format!(
            "{ACD_HEADER}\n205,\"Iran, Iraq\",Government of Iran,114,\"\",Government of Iraq,116,\"\",1,Shatt al-Arab,1980,2,1,2,1974-02-10,1,1980-09-22,1,0,\"\",\"\",630,\"\",645,\"\",\"645, 630\",2,25.1\n"
        );
        let f = read_ucdp(UcdpDataset::Acd, csv.as_bytes()).unwrap();
        assert_eq!(f.problems, vec![]);
        let r = &f.rows[0].record;
        assert_eq!(r.source_id(), "205:1980");
        assert_eq!(r.gwno_loc, vec![645, 630]);
        assert_eq!(r.countries, vec!["IQ", "IR"]);
        assert_eq!(r.intensity_level, 2);
        assert_eq!(r.ep_end, Some(false));
        assert_eq!(r.region, "2");
    }

    #[test]
    fn refuses_a_file_of_the_other_list_naming_the_missing_columns() {
        let csv = format!("{ACD_HEADER}\n");
        let e = read_ucdp(UcdpDataset::Dyadic, csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("lacks 1 of its 25 (dyad_id)"), "{e}");
        let e = read_ucdp(UcdpDataset::Acd, b"a,b\n1,2\n").unwrap_err();
        assert!(e.to_string().contains("conflict_id, location"), "{e}");
        assert!(read_ucdp(UcdpDataset::Acd, b"").is_err());
    }

    #[test]
    fn names_bad_values_and_duplicate_keys_by_row_and_column() {
        let good = "205,Iran,A,1,\"\",B,2,\"\",1,\"\",1980,2,1,2,1974-02-10,1,1980-09-22,1,0,\"\",\"\",630,\"\",645,\"\",630,2,25.1";
        let bad = "206,Iran,A,1,\"\",B,2,\"\",1,\"\",1980,7,1,2,1974-02-10,1,soon,1,0,\"\",\"\",630,\"\",645,\"\",x,2,25.1";
        let csv = format!("{ACD_HEADER}\n{good}\n{good}\n{bad}\n");
        let f = read_ucdp(UcdpDataset::Acd, csv.as_bytes()).unwrap();
        assert_eq!(f.records, 3);
        assert_eq!(f.rows.len(), 1);
        let cells: Vec<(usize, &str)> = f
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            cells,
            vec![
                (3, "conflict_id"),
                (4, "intensity_level"),
                (4, "start_date2"),
                (4, "gwno_loc")
            ]
        );
    }
}
