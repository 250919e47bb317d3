//! Early warning: conflict events (UCDP GED), reading and checking a GED file (the 49-column CSV
//! as distributed by UCDP, or the GeoJSON variant with lon/lat in the geometry), the mapping of
//! GED's country names to ISO 3166-1, and the escalation signals computed from a country's
//! monthly event counts (pure: bytes and numbers in, values out).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{DomainError, agreement, reference};

/// The citation UCDP asks for, shown wherever GED data is displayed.
pub const GED_CITATION: &str = "UCDP Georeferenced Event Dataset (GED): Sundberg, Ralph and Erik Melander (2013) Introducing the UCDP Georeferenced Event Dataset, Journal of Peace Research 50(4); Davies, Shawn, Therése Pettersson and Magnus Öberg (2023) Organized violence 1989–2022, Journal of Peace Research 60(4).";

/// UCDP's three types of organised violence (`type_of_violence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolenceType {
    /// 1: state-based conflict (a government is a party).
    StateBased,
    /// 2: non-state conflict (organised groups, no government).
    NonState,
    /// 3: one-sided violence (against civilians).
    OneSided,
}

impl ViolenceType {
    pub const ALL: [ViolenceType; 3] = [
        ViolenceType::StateBased,
        ViolenceType::NonState,
        ViolenceType::OneSided,
    ];

    /// GED's code.
    pub fn code(self) -> i64 {
        match self {
            ViolenceType::StateBased => 1,
            ViolenceType::NonState => 2,
            ViolenceType::OneSided => 3,
        }
    }

    pub fn from_code(code: i64) -> Option<ViolenceType> {
        ViolenceType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Stable key (used in JSON field names and i18n keys).
    pub fn as_str(self) -> &'static str {
        match self {
            ViolenceType::StateBased => "state_based",
            ViolenceType::NonState => "non_state",
            ViolenceType::OneSided => "one_sided",
        }
    }
}

/// Where an event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    Ged,
    Acled,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Ged => "ged",
            EventSource::Acled => "acled",
        }
    }
}

/// One conflict event as UCDP GED codes it (ACLED events are mapped onto the same fields, see
/// [`read_acled`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictEvent {
    pub source: EventSource,
    /// The source's own event id (GED `id`, ACLED `event_id_cnty`), stable across versions.
    pub source_id: String,
    /// ACLED's `event_type / sub_event_type` (empty for GED).
    pub event_type: String,
    /// ISO 3166-1 alpha-2 of GED's `country`, when it names a current state.
    pub country: Option<String>,
    /// GED's `country` as written in the file.
    pub country_name: String,
    /// GED's `country_id` (Gleditsch–Ward number).
    pub gwno: i64,
    pub region: String,
    pub year: i64,
    /// The type of organised violence; `None` for ACLED events that are not organised violence
    /// (protests, riots, strategic developments).
    pub violence: Option<ViolenceType>,
    pub conflict_id: i64,
    pub conflict_name: String,
    pub dyad_id: i64,
    pub dyad_name: String,
    pub side_a: String,
    pub side_b: String,
    /// `YYYY-MM-DD`.
    pub date_start: String,
    pub date_end: String,
    /// 1 (exact day) to 5 (year or longer).
    pub date_prec: i64,
    /// 1 (exact place) to 7 (international waters or airspace).
    pub where_prec: i64,
    pub where_description: String,
    pub adm_1: String,
    pub adm_2: String,
    /// Degrees × 1,000,000 (GED gives six decimals).
    pub lat_micro: i64,
    pub lon_micro: i64,
    pub priogrid_gid: i64,
    pub deaths_a: i64,
    pub deaths_b: i64,
    pub deaths_civilians: i64,
    pub deaths_unknown: i64,
    pub best: i64,
    pub low: i64,
    pub high: i64,
}

impl ConflictEvent {
    /// `YYYY-MM` of `date_start`: the month an event is counted in.
    pub fn month(&self) -> &str {
        &self.date_start[..7]
    }

    /// SHA-256 of every field: an event whose hash is unchanged is not written again.
    pub fn hash(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(json.as_bytes()))
    }
}

/// The 49 columns of UCDP's GED CSV, in UCDP's order.
pub const GED_COLUMNS: [&str; 49] = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
];

/// The GED columns an event is read from (the GeoJSON variant carries `latitude` and
/// `longitude` in its geometry instead).
const READ_COLUMNS: &[&str] = &[
    "id",
    "year",
    "type_of_violence",
    "conflict_new_id",
    "conflict_name",
    "dyad_new_id",
    "dyad_name",
    "side_a",
    "side_b",
    "where_prec",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
];

/// The kind of file an event import read: the two shapes of a GED file, ACLED's export, and
/// the reference lists imported the same way (UCDP's conflict lists, the water chronology).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GedFormat {
    Csv,
    Geojson,
    /// ACLED's CSV export.
    Acled,
    /// The UCDP/PRIO Armed Conflict Dataset (conflict-years).
    #[serde(rename = "ucdp-acd")]
    UcdpAcd,
    /// The UCDP Dyadic Dataset (dyad-years).
    #[serde(rename = "ucdp-dyadic")]
    UcdpDyadic,
    /// The Pacific Institute's Water Conflict Chronology.
    Water,
}

/// One bad value of a GED file: the row (CSV: the header is row 1; GeoJSON: the feature's
/// position, from 1), the column and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// A checked event with the row it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct GedRow {
    pub row: usize,
    pub event: ConflictEvent,
}

/// What reading a GED file found.
#[derive(Debug, Clone, PartialEq)]
pub struct GedFile {
    pub format: GedFormat,
    /// Records (CSV rows after the header, or GeoJSON features).
    pub records: usize,
    pub rows: Vec<GedRow>,
    /// At most [`MAX_PROBLEMS`]; `omitted` counts the rest.
    pub problems: Vec<EventProblem>,
    pub omitted: usize,
    /// GED country names without an ISO 3166-1 code, with their number of events.
    pub unmapped: BTreeMap<String, usize>,
}

/// At most this many problems are listed.
pub const MAX_PROBLEMS: usize = 500;

/// GED country names that are states under another name in ISO 3166-1 (GED adds former names
/// in parentheses, which are also stripped when no alias matches).
const GED_COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("DR Congo (Zaire)", "CD"),
    ("DR Congo", "CD"),
    ("Congo", "CG"),
    ("Ivory Coast", "CI"),
    ("Bosnia-Herzegovina", "BA"),
    ("Kingdom of eSwatini (Swaziland)", "SZ"),
    ("Macedonia, FYR", "MK"),
    ("United States of America", "US"),
    ("Yemen (North Yemen)", "YE"),
    ("Vietnam (North Vietnam)", "VN"),
    ("Cape Verde", "CV"),
    ("Brunei", "BN"),
    ("Gambia", "GM"),
    ("Guinea-Bissau", "GW"),
    ("Taiwan", "TW"),
];

/// The ISO 3166-1 alpha-2 code of a GED country name, if it names a current state.
pub fn ged_country_code(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if let Some((_, code)) = GED_COUNTRY_ALIASES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return reference::country(code).map(|c| c.alpha2.as_str());
    }
    if let Some(code) = agreement::country_code(name) {
        return Some(code);
    }
    // "Russia (Soviet Union)", "Myanmar (Burma)": the current name comes first.
    let bare = name.split(" (").next().unwrap_or(name).trim();
    if bare != name {
        return ged_country_code(bare);
    }
    None
}

/// Why a file is refused as a whole (it is not a GED file).
fn not_ged(reason: impl Into<String>) -> DomainError {
    DomainError::invalid("file", reason)
}

/// Reads and checks a GED file: the CSV (header with the 49 GED columns) or the GeoJSON
/// FeatureCollection. A file that is neither is refused with an error naming what is missing;
/// within a GED file every bad value is a problem naming its row and column (rows with problems
/// are left out of `rows`), and a GED id that occurs twice is a problem too.
pub fn read_ged(bytes: &[u8]) -> Result<GedFile, DomainError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        not_ged(format!(
            "the file is not UTF-8 text ({e}); expected a UCDP GED CSV or GeoJSON file"
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let head = text.trim_start();
    if head.is_empty() {
        return Err(not_ged("the file is empty"));
    }
    let mut file = if head.starts_with('{') {
        read_geojson(head)?
    } else {
        read_csv(text)?
    };
    finish(&mut file, "id");
    Ok(file)
}

/// The checks of every event file after its rows: an id that occurs twice is a problem (in the
/// id column `id_column`), and country names without an ISO code are counted.
fn finish(file: &mut GedFile, id_column: &str) {
    let mut seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(file.rows.len());
    let mut duplicates = Vec::new();
    for r in &file.rows {
        if let Some(first) = seen.insert(r.event.source_id.as_str(), r.row) {
            duplicates.push(EventProblem {
                row: r.row,
                column: id_column.into(),
                value: r.event.source_id.clone(),
                message: format!("the event id occurs twice (first in row {first})"),
            });
        }
    }
    for p in duplicates {
        push_problem(file, p);
    }
    for r in &file.rows {
        if r.event.country.is_none() {
            *file
                .unmapped
                .entry(r.event.country_name.clone())
                .or_default() += 1;
        }
    }
}

/// The citation ACLED asks for.
pub const ACLED_CITATION: &str = "Armed Conflict Location & Event Data Project (ACLED); www.acleddata.com. Raleigh, Clionadh, Andrew Linke, Håvard Hegre and Joakim Karlsen (2010) Introducing ACLED, Journal of Peace Research 47(5).";

/// The 31 columns of ACLED's current CSV export.
pub const ACLED_COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// `YYYY-MM-DD` from ACLED's `28 December 2022` (also `2022-12-28`).
fn acled_date(v: &str) -> Option<String> {
    if let Some(d) = iso_date(v) {
        return Some(d);
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let parts: Vec<&str> = v.split_whitespace().collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let day: u32 = day.parse().ok()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? + 1;
    let year: u32 = year.parse().ok()?;
    let d = format!("{year:04}-{month:02}-{day:02}");
    iso_date(&d).map(|_| d)
}

/// Reads and checks ACLED's 31-column CSV export (`NA` for missing values, dates like
/// `28 December 2022`). ACLED events are mapped onto GED's fields: `fatalities` is the best,
/// low and high estimate (deaths of unknown side); the type of violence follows ACLED's event
/// type — violence against civilians is one-sided; battles and explosions/remote violence are
/// state-based when a side is state forces (`inter1`/`inter2` = 1), else non-state; protests,
/// riots and strategic developments are no organised violence (`violence` is `None`). The
/// country is ACLED's ISO 3166-1 numeric `iso`.
pub fn read_acled(bytes: &[u8]) -> Result<GedFile, DomainError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        not_ged(format!(
            "the file is not UTF-8 text ({e}); expected an ACLED CSV export"
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(not_ged("the file is empty"));
    }
    let CheckedCsv {
        mut reader,
        names,
        index,
    } = open_checked_csv(text, &ACLED_COLUMNS, "an ACLED export")?;
    let mut file = empty(GedFormat::Acled);
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        file.records += 1;
        let record = match record {
            Ok(r) if r.len() == names.len() => r,
            Ok(r) => {
                push_problem(
                    &mut file,
                    EventProblem {
                        row,
                        column: String::new(),
                        value: String::new(),
                        message: format!(
                            "the row has {} cells; the header has {}",
                            r.len(),
                            names.len()
                        ),
                    },
                );
                continue;
            }
            Err(e) => {
                push_problem(
                    &mut file,
                    EventProblem {
                        row,
                        column: String::new(),
                        value: String::new(),
                        message: format!("the row cannot be read as CSV: {e}"),
                    },
                );
                continue;
            }
        };
        // `NA` is ACLED's missing value.
        let cell = |c: &str| {
            let v = record.get(index[c]).unwrap_or_default().trim();
            if v == "NA" {
                String::new()
            } else {
                v.to_string()
            }
        };
        let mut problems: Vec<CellProblem> = Vec::new();
        let id = cell("event_id_cnty");
        if id.is_empty() {
            problems.push((
                "event_id_cnty",
                id.clone(),
                "the event id is required".into(),
            ));
        }
        let date = acled_date(&cell("event_date"));
        if date.is_none() {
            problems.push((
                "event_date",
                cell("event_date"),
                "expected a date like 28 December 2022".into(),
            ));
        }
        let mut int = |column: &'static str, min: i64, max: i64, missing: Option<i64>| -> i64 {
            let v = cell(column);
            if v.is_empty()
                && let Some(m) = missing
            {
                return m;
            }
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
        let fatalities = int("fatalities", 0, i64::from(u32::MAX), None);
        let time_precision = int("time_precision", 1, 3, None);
        let geo_precision = int("geo_precision", 1, 3, None);
        let inter1 = int("inter1", 0, 8, Some(0));
        let inter2 = int("inter2", 0, 8, Some(0));
        let iso = int("iso", 0, 999, None);
        let mut degrees = |column: &'static str, limit: f64| -> i64 {
            let v = cell(column);
            match v.parse::<f64>() {
                Ok(d) if d.is_finite() && d.abs() <= limit => (d * 1_000_000.0).round() as i64,
                _ => {
                    problems.push((
                        column,
                        v,
                        format!("expected degrees from -{limit} to {limit}"),
                    ));
                    0
                }
            }
        };
        let lat_micro = degrees("latitude", 90.0);
        let lon_micro = degrees("longitude", 180.0);
        let (Some(date), true) = (date, problems.is_empty()) else {
            for (column, value, message) in problems {
                push_problem(
                    &mut file,
                    EventProblem {
                        row,
                        column: column.into(),
                        value,
                        message,
                    },
                );
            }
            continue;
        };
        let event_type = cell("event_type");
        let state = inter1 == 1 || inter2 == 1;
        let violence = match event_type.as_str() {
            "Violence against civilians" => Some(ViolenceType::OneSided),
            "Battles" | "Explosions/Remote violence" if state => Some(ViolenceType::StateBased),
            "Battles" | "Explosions/Remote violence" => Some(ViolenceType::NonState),
            _ => None,
        };
        let (actor1, actor2) = (cell("actor1"), cell("actor2"));
        let sub = cell("sub_event_type");
        file.rows.push(GedRow {
            row,
            event: ConflictEvent {
                source: EventSource::Acled,
                source_id: id,
                event_type: if sub.is_empty() {
                    event_type.clone()
                } else {
                    format!("{event_type} / {sub}")
                },
                country: reference::country(&format!("{iso:03}")).map(|c| c.alpha2.clone()),
                country_name: cell("country"),
                gwno: 0,
                region: cell("region"),
                year: date[..4].parse().unwrap_or(0),
                violence,
                conflict_id: 0,
                conflict_name: event_type,
                dyad_id: 0,
                dyad_name: if actor2.is_empty() {
                    actor1.clone()
                } else {
                    format!("{actor1} - {actor2}")
                },
                side_a: actor1,
                side_b: actor2,
                date_end: date.clone(),
                date_start: date,
                date_prec: time_precision,
                where_prec: geo_precision,
                where_description: cell("location"),
                adm_1: cell("admin1"),
                adm_2: cell("admin2"),
                lat_micro,
                lon_micro,
                priogrid_gid: 0,
                deaths_a: 0,
                deaths_b: 0,
                deaths_civilians: 0,
                deaths_unknown: fatalities,
                best: fatalities,
                low: fatalities,
                high: fatalities,
            },
        });
    }
    finish(&mut file, "event_id_cnty");
    Ok(file)
}

fn push_problem(file: &mut GedFile, p: EventProblem) {
    if file.problems.len() < MAX_PROBLEMS {
        file.problems.push(p);
    } else {
        file.omitted += 1;
    }
}

fn empty(format: GedFormat) -> GedFile {
    GedFile {
        format,
        records: 0,
        rows: Vec::new(),
        problems: Vec::new(),
        omitted: 0,
        unmapped: BTreeMap::new(),
    }
}

/// A CSV event file opened with its header checked: the reader at the first row, the header's
/// names and the position of each required column.
pub(crate) struct CheckedCsv<'a> {
    pub reader: csv::Reader<&'a [u8]>,
    pub names: Vec<String>,
    pub index: BTreeMap<&'static str, usize>,
}

/// Opens `text` as CSV and checks that its header has every `required` column; otherwise the
/// file is refused naming the missing ones ("this is not {what}: the header has N columns and
/// lacks M of its K (…)"). Shared by the GED, ACLED, UCDP list and water readers.
pub(crate) fn open_checked_csv<'a>(
    text: &'a str,
    required: &[&'static str],
    what: &str,
) -> Result<CheckedCsv<'a>, DomainError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| not_ged(format!("the header cannot be read as CSV: {e}")))?
        .clone();
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !names.iter().any(|n| n == c))
        .collect();
    if !missing.is_empty() {
        return Err(not_ged(format!(
            "this is not {what}: the header has {} columns and lacks {} of its {} ({})",
            names.len(),
            missing.len(),
            required.len(),
            missing.join(", ")
        )));
    }
    let index = required
        .iter()
        .map(|c| (*c, names.iter().position(|n| n == c).unwrap_or(0)))
        .collect();
    Ok(CheckedCsv {
        reader,
        names,
        index,
    })
}

fn read_csv(text: &str) -> Result<GedFile, DomainError> {
    let CheckedCsv {
        mut reader,
        names,
        index,
    } = open_checked_csv(text, &GED_COLUMNS, "a UCDP GED CSV")?;
    let mut file = empty(GedFormat::Csv);
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        file.records += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                push_problem(
                    &mut file,
                    EventProblem {
                        row,
                        column: String::new(),
                        value: String::new(),
                        message: format!("the row cannot be read as CSV: {e}"),
                    },
                );
                continue;
            }
        };
        if record.len() != names.len() {
            push_problem(
                &mut file,
                EventProblem {
                    row,
                    column: String::new(),
                    value: String::new(),
                    message: format!(
                        "the row has {} cells; the header has {}",
                        record.len(),
                        names.len()
                    ),
                },
            );
            continue;
        }
        let cell = |c: &str| record.get(index[c]).unwrap_or_default().trim().to_string();
        match event_from(&cell) {
            Ok(event) => file.rows.push(GedRow { row, event }),
            Err(problems) => {
                for (column, value, message) in problems {
                    push_problem(
                        &mut file,
                        EventProblem {
                            row,
                            column: column.into(),
                            value,
                            message,
                        },
                    );
                }
            }
        }
    }
    Ok(file)
}

fn read_geojson(text: &str) -> Result<GedFile, DomainError> {
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| not_ged(format!("the file starts like JSON but cannot be read: {e}")))?;
    if doc.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(not_ged(
            "this is not a GED GeoJSON file: expected a FeatureCollection",
        ));
    }
    let features = doc
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| not_ged("this is not a GED GeoJSON file: it has no features array"))?;
    // The properties of the first feature must be GED's (less the coordinates).
    if let Some(first) = features.first() {
        let props = first.get("properties").and_then(|p| p.as_object());
        let missing: Vec<&str> = READ_COLUMNS
            .iter()
            .copied()
            .filter(|c| *c != "latitude" && *c != "longitude")
            .filter(|c| !props.is_some_and(|p| p.contains_key(*c)))
            .collect();
        if !missing.is_empty() {
            return Err(not_ged(format!(
                "this is not a GED GeoJSON file: the first feature's properties lack {}",
                missing.join(", ")
            )));
        }
    }
    let mut file = empty(GedFormat::Geojson);
    for (i, feature) in features.iter().enumerate() {
        let row = i + 1;
        file.records += 1;
        let props = feature.get("properties").and_then(|p| p.as_object());
        let coords = feature
            .get("geometry")
            .filter(|g| g.get("type").and_then(|t| t.as_str()) == Some("Point"))
            .and_then(|g| g.get("coordinates"))
            .and_then(|c| c.as_array());
        let Some(props) = props else {
            push_problem(
                &mut file,
                EventProblem {
                    row,
                    column: "properties".into(),
                    value: String::new(),
                    message: "the feature has no properties".into(),
                },
            );
            continue;
        };
        let Some(coords) = coords.filter(|c| c.len() >= 2) else {
            push_problem(
                &mut file,
                EventProblem {
                    row,
                    column: "geometry".into(),
                    value: String::new(),
                    message: "the feature's geometry is not a Point with longitude and latitude"
                        .into(),
                },
            );
            continue;
        };
        let text_of = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let cell = |c: &str| match c {
            "longitude" => text_of(&coords[0]),
            "latitude" => text_of(&coords[1]),
            _ => props.get(c).map(text_of).unwrap_or_default(),
        };
        match event_from(&cell) {
            Ok(event) => file.rows.push(GedRow { row, event }),
            Err(problems) => {
                for (column, value, message) in problems {
                    push_problem(
                        &mut file,
                        EventProblem {
                            row,
                            column: column.into(),
                            value,
                            message,
                        },
                    );
                }
            }
        }
    }
    Ok(file)
}

type CellProblem = (&'static str, String, String);

/// Builds an event from its cells (by GED column name), naming every bad value.
fn event_from(cell: &dyn Fn(&str) -> String) -> Result<ConflictEvent, Vec<CellProblem>> {
    let mut problems: Vec<CellProblem> = Vec::new();
    let mut int = |column: &'static str, min: i64, max: i64| -> i64 {
        let v = cell(column);
        match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => n,
            Ok(_) => {
                problems.push((column, v, format!("expected a number from {min} to {max}")));
                0
            }
            Err(_) => {
                let message = if v.is_empty() {
                    "a number is required".to_string()
                } else {
                    "not a whole number".to_string()
                };
                problems.push((column, v, message));
                0
            }
        }
    };
    let ged_id = int("id", 1, i64::MAX);
    let year = int("year", 1946, 2999);
    let violence_code = int("type_of_violence", 1, 3);
    let conflict_id = int("conflict_new_id", 0, i64::MAX);
    let dyad_id = int("dyad_new_id", 0, i64::MAX);
    let where_prec = int("where_prec", 1, 7);
    let priogrid_gid = int("priogrid_gid", 0, i64::MAX);
    let gwno = int("country_id", 0, 9999);
    let date_prec = int("date_prec", 1, 5);
    let deaths_a = int("deaths_a", 0, i64::from(u32::MAX));
    let deaths_b = int("deaths_b", 0, i64::from(u32::MAX));
    let deaths_civilians = int("deaths_civilians", 0, i64::from(u32::MAX));
    let deaths_unknown = int("deaths_unknown", 0, i64::from(u32::MAX));
    let best = int("best", 0, i64::from(u32::MAX));
    let high = int("high", 0, i64::from(u32::MAX));
    let low = int("low", 0, i64::from(u32::MAX));
    let mut degrees = |column: &'static str, limit: f64| -> i64 {
        let v = cell(column);
        match v.parse::<f64>() {
            Ok(d) if d.is_finite() && d.abs() <= limit => (d * 1_000_000.0).round() as i64,
            _ => {
                problems.push((
                    column,
                    v,
                    format!("expected degrees from -{limit} to {limit}"),
                ));
                0
            }
        }
    };
    let lat_micro = degrees("latitude", 90.0);
    let lon_micro = degrees("longitude", 180.0);
    let mut date = |column: &'static str| -> String {
        let v = cell(column);
        match iso_date(&v) {
            Some(d) => d,
            None => {
                problems.push((
                    column,
                    v,
                    "expected a date YYYY-MM-DD (a time after it is ignored)".into(),
                ));
                String::new()
            }
        }
    };
    let date_start = date("date_start");
    let date_end = date("date_end");
    if !date_start.is_empty() && !date_end.is_empty() && date_end < date_start {
        problems.push((
            "date_end",
            date_end.clone(),
            format!("the event ends before it starts ({date_start})"),
        ));
    }
    let country_name = cell("country");
    if country_name.is_empty() {
        problems.push(("country", String::new(), "the country is required".into()));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ConflictEvent {
        source: EventSource::Ged,
        source_id: ged_id.to_string(),
        event_type: String::new(),
        country: ged_country_code(&country_name).map(str::to_string),
        country_name,
        gwno,
        region: cell("region"),
        year,
        violence: ViolenceType::from_code(violence_code),
        conflict_id,
        conflict_name: cell("conflict_name"),
        dyad_id,
        dyad_name: cell("dyad_name"),
        side_a: cell("side_a"),
        side_b: cell("side_b"),
        date_start,
        date_end,
        date_prec,
        where_prec,
        where_description: cell("where_description"),
        adm_1: cell("adm_1"),
        adm_2: cell("adm_2"),
        lat_micro,
        lon_micro,
        priogrid_gid,
        deaths_a,
        deaths_b,
        deaths_civilians,
        deaths_unknown,
        best,
        low,
        high,
    })
}

/// `YYYY-MM-DD` from GED's `2009-02-20`, `2009-02-20 00:00:00.000` or `2009-02-20T00:00:00`.
pub(crate) fn iso_date(v: &str) -> Option<String> {
    let d = v.get(..10)?;
    let rest = &v[10..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('T')) {
        return None;
    }
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    let month: u32 = d[5..7].parse().ok()?;
    let day: u32 = d[8..10].parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then(|| d.to_string())
}

/// A calendar month as a count of months since year 0 (`2009-02` → 2009 × 12 + 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month(pub i64);

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(v: &str) -> Option<Month> {
        let (y, m) = v.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let y: i64 = y.parse().ok()?;
        let m: i64 = m.parse().ok()?;
        (1..=12).contains(&m).then_some(Month(y * 12 + m - 1))
    }

    pub fn year(self) -> i64 {
        self.0.div_euclid(12)
    }

    pub fn plus(self, months: i64) -> Month {
        Month(self.0 + months)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}",
            self.0.div_euclid(12),
            self.0.rem_euclid(12) + 1
        )
    }
}

/// The parameters of the escalation signals, shown with every signal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SignalParams {
    /// The recent window: the last this-many months up to and including the reference month.
    pub recent_months: i64,
    /// The baseline: the this-many months just before the recent window.
    pub baseline_months: i64,
    /// An escalation is signalled when P(X ≥ recent | Poisson(expected)) is below this.
    pub alpha: f64,
    /// "New conflict": events in the recent window after at least this many months without any.
    pub quiet_months: i64,
}

/// The defaults: 3 recent months against a trailing 12-month baseline, α = 0.05, 24 quiet months.
pub const DEFAULT_SIGNAL_PARAMS: SignalParams = SignalParams {
    recent_months: 3,
    baseline_months: 12,
    alpha: 0.05,
    quiet_months: 24,
};

/// Which signal a country's series gives at the reference month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// Significantly more events in the recent window than the baseline rate predicts.
    Escalation,
    /// Events in the recent window after at least `quiet_months` months without any.
    NewConflict,
    /// Neither.
    None,
}

impl SignalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Escalation => "escalation",
            SignalKind::NewConflict => "new-conflict",
            SignalKind::None => "none",
        }
    }
}

/// The escalation test of one series at one reference month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub kind: SignalKind,
    /// The last month of the recent window.
    pub as_of: Month,
    /// Events in the recent window.
    pub recent: i64,
    /// Events in the baseline window.
    pub baseline: i64,
    /// Events the baseline rate predicts for the recent window: baseline × recent_months /
    /// baseline_months.
    pub expected: f64,
    /// P(X ≥ recent) for X ~ Poisson(expected); 1 when recent ≤ expected is not tested.
    pub p_value: f64,
    /// Months without events before the recent window (counted back to the first month of the
    /// series, capped at `quiet_months`).
    pub quiet_before: i64,
}

/// The escalation signal of a monthly series of event counts (months absent from `counts` had
/// none) at the reference month `as_of`.
///
/// Method: recent = events in the `recent_months` months ending at `as_of`; baseline = events
/// in the `baseline_months` months before them; expected = baseline × recent_months /
/// baseline_months. *Escalation* when recent > expected and the Poisson upper tail
/// P(X ≥ recent | λ = expected) < α (with λ = 0 — a quiet baseline — any recent event is
/// p = 0, unless the "new conflict" rule applies). *New conflict* (checked first) when the
/// recent window has events and the `quiet_months` months before it had none.
pub fn signal(counts: &BTreeMap<Month, i64>, as_of: Month, p: &SignalParams) -> Signal {
    let window = |from: Month, to: Month| -> i64 { counts.range(from..=to).map(|(_, n)| *n).sum() };
    let recent_from = as_of.plus(1 - p.recent_months);
    let recent = window(recent_from, as_of);
    let baseline = window(recent_from.plus(-p.baseline_months), recent_from.plus(-1));
    let expected = baseline as f64 * p.recent_months as f64 / p.baseline_months as f64;
    let last_before = counts
        .range(..recent_from)
        .rev()
        .find(|(_, n)| **n > 0)
        .map(|(m, _)| *m);
    let quiet_before = match last_before {
        Some(m) => (recent_from.0 - m.0 - 1).min(p.quiet_months),
        None => p.quiet_months,
    };
    let p_value = if (recent as f64) > expected {
        poisson_upper_tail(recent, expected)
    } else {
        1.0
    };
    let kind = if recent > 0 && quiet_before >= p.quiet_months {
        SignalKind::NewConflict
    } else if (recent as f64) > expected && p_value < p.alpha {
        SignalKind::Escalation
    } else {
        SignalKind::None
    };
    Signal {
        kind,
        as_of,
        recent,
        baseline,
        expected,
        p_value,
        quiet_before,
    }
}

/// P(X ≥ k) for X ~ Poisson(λ), summed from k upwards in log space (stable for large k and λ).
pub fn poisson_upper_tail(k: i64, lambda: f64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // log P(X = k) = -λ + k ln λ - ln k!
    let ln_fact: f64 = (2..=k).map(|i| (i as f64).ln()).sum();
    let mut ln_term = -lambda + k as f64 * lambda.ln() - ln_fact;
    let mut sum = 0.0f64;
    let mut i = k;
    loop {
        let term = ln_term.exp();
        sum += term;
        if (i as f64) > lambda && term <= sum * 1e-17 {
            break;
        }
        i += 1;
        ln_term += lambda.ln() - (i as f64).ln();
        if i - k > 1_000_000 {
            break;
        }
    }
    sum.min(1.0)
}

/// "Spread": the admin-1 areas with events in the recent window that had none in the
/// baseline window before it, given (area, events in the recent window, events in the
/// baseline) — sorted by name. An area without a name is not an area.
pub fn spread<'a>(areas: impl IntoIterator<Item = (&'a str, i64, i64)>) -> Vec<String> {
    let mut out: Vec<String> = areas
        .into_iter()
        .filter(|(area, recent, baseline)| !area.trim().is_empty() && *recent > 0 && *baseline == 0)
        .map(|(area, _, _)| area.to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The months of the recent window and of the baseline before it, as (baseline start, recent
/// start) for a reference month: the recent window is `recent_start..=as_of`.
pub fn windows(as_of: Month, p: &SignalParams) -> (Month, Month) {
    let recent_from = as_of.plus(1 - p.recent_months);
    (recent_from.plus(-p.baseline_months), recent_from)
}

/// The direction of a country's violence at the reference month, for the coherence view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trend {
    /// An escalation or a new conflict is signalled.
    Rising,
    /// Neither rising nor significantly falling.
    Stable,
    /// Significantly fewer events in the recent window than the baseline rate predicts:
    /// P(X ≤ recent | Poisson(expected)) below α (the escalation test mirrored).
    Falling,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Rising => "rising",
            Trend::Stable => "stable",
            Trend::Falling => "falling",
        }
    }
}

/// The trend of a signal with the parameters it was computed with.
pub fn trend(s: &Signal, p: &SignalParams) -> Trend {
    match s.kind {
        SignalKind::Escalation | SignalKind::NewConflict => Trend::Rising,
        SignalKind::None
            if (s.recent as f64) < s.expected
                && 1.0 - poisson_upper_tail(s.recent + 1, s.expected) < p.alpha =>
        {
            Trend::Falling
        }
        SignalKind::None => Trend::Stable,
    }
}

/// Where a country stands in the coherence view: violence's trend against our presence
/// (processes, grants, deployments the reader may see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coherence {
    /// Violence rises and we are absent: the question for the unit.
    RisingAbsent,
    /// Violence rises where we are active.
    RisingPresent,
    /// Violence falls where we are active.
    FallingPresent,
    /// Anything else (stable, or falling where we are absent).
    Other,
}

impl Coherence {
    pub fn of(trend: Trend, presence: i64) -> Coherence {
        match (trend, presence > 0) {
            (Trend::Rising, false) => Coherence::RisingAbsent,
            (Trend::Rising, true) => Coherence::RisingPresent,
            (Trend::Falling, true) => Coherence::FallingPresent,
            _ => Coherence::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Coherence::RisingAbsent => "rising-absent",
            Coherence::RisingPresent => "rising-present",
            Coherence::FallingPresent => "falling-present",
            Coherence::Other => "other",
        }
    }
}

/// Where an alert stands: someone must assess it, act on it, and close it with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertStatus {
    Open,
    Assessed,
    ActionTaken,
    Closed,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 4] = [
        AlertStatus::Open,
        AlertStatus::Assessed,
        AlertStatus::ActionTaken,
        AlertStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Assessed => "assessed",
            AlertStatus::ActionTaken => "action-taken",
            AlertStatus::Closed => "closed",
        }
    }

    pub fn parse(v: &str) -> Result<AlertStatus, DomainError> {
        let v = v.trim();
        AlertStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == v)
            .ok_or_else(|| DomainError::UnknownValue {
                what: "alert status",
                value: v.to_string(),
                expected: AlertStatus::ALL.map(AlertStatus::as_str).join(", "),
            })
    }
}

/// What a signal became: an alert with its follow-up, as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertInput {
    /// ISO 3166-1 code of the country.
    pub country: String,
    /// escalation, new-conflict or manual.
    pub signal: String,
    /// The reference month of the signal, `YYYY-MM`.
    pub as_of: String,
    pub title: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub recommendation: String,
    /// Username of the owner: who must follow up.
    pub owner: String,
    /// `YYYY-MM-DD`: by when the owner follows up.
    pub deadline: String,
    /// open (default), assessed, action-taken, closed.
    #[serde(default)]
    pub status: String,
    /// Required to close.
    #[serde(default)]
    pub closed_reason: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

/// An alert input that passed validation (the owner is still a username, resolved by storage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAlert {
    pub country: String,
    pub signal: String,
    pub as_of: String,
    pub title: String,
    pub assessment: String,
    pub recommendation: String,
    pub owner: String,
    pub deadline: String,
    pub status: AlertStatus,
    pub closed_reason: String,
    pub labels: crate::Labels,
}

/// The signals an alert may come from.
pub const ALERT_SIGNALS: [&str; 3] = ["escalation", "new-conflict", "manual"];

impl AlertInput {
    /// Checks every field, naming the first bad one. An assessed alert needs its assessment,
    /// an alert on which action was taken also its recommendation, and a closed one its reason.
    pub fn validate(&self) -> Result<ValidAlert, DomainError> {
        let country = reference::country(&self.country)
            .ok_or_else(|| {
                DomainError::invalid(
                    "country",
                    format!(
                        "'{}' is not an ISO 3166-1 country code",
                        self.country.trim()
                    ),
                )
            })?
            .alpha2
            .clone();
        let signal = self.signal.trim();
        if !ALERT_SIGNALS.contains(&signal) {
            return Err(DomainError::UnknownValue {
                what: "signal",
                value: signal.to_string(),
                expected: ALERT_SIGNALS.join(", "),
            });
        }
        let as_of = Month::parse(&self.as_of)
            .ok_or_else(|| {
                DomainError::invalid(
                    "as_of",
                    format!("'{}' is not a month YYYY-MM", self.as_of.trim()),
                )
            })?
            .to_string();
        let title = self.title.trim();
        if title.is_empty() {
            return Err(DomainError::invalid("title", "a title is required"));
        }
        if title.chars().count() > 200 {
            return Err(DomainError::invalid("title", "at most 200 characters"));
        }
        if self.assessment.len() > 20_000 || self.recommendation.len() > 20_000 {
            return Err(DomainError::invalid(
                "assessment",
                "text too long (20,000 bytes each for assessment and recommendation)",
            ));
        }
        let owner = self.owner.trim();
        if owner.is_empty() {
            return Err(DomainError::invalid(
                "owner",
                "name who follows the alert up",
            ));
        }
        let deadline = crate::network::parse_date("deadline", &self.deadline)?;
        let status = if self.status.trim().is_empty() {
            AlertStatus::Open
        } else {
            AlertStatus::parse(&self.status)?
        };
        let assessment = self.assessment.trim().to_string();
        let recommendation = self.recommendation.trim().to_string();
        let closed_reason = self.closed_reason.trim().to_string();
        if status != AlertStatus::Open && assessment.is_empty() {
            return Err(DomainError::invalid(
                "assessment",
                format!("an alert that is {} needs its assessment", status.as_str()),
            ));
        }
        if status == AlertStatus::ActionTaken && recommendation.is_empty() {
            return Err(DomainError::invalid(
                "recommendation",
                "say what was recommended before recording that action was taken",
            ));
        }
        if status == AlertStatus::Closed && closed_reason.is_empty() {
            return Err(DomainError::invalid(
                "closed_reason",
                "an alert is closed with a reason",
            ));
        }
        let labels = crate::Labels {
            classification: self
                .classification
                .trim()
                .parse::<crate::Classification>()?,
            compartment: self
                .compartment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(crate::CompartmentId::parse)
                .transpose()?,
        };
        Ok(ValidAlert {
            country,
            signal: signal.to_string(),
            as_of,
            title: title.to_string(),
            assessment,
            recommendation,
            owner: owner.to_string(),
            deadline,
            status,
            closed_reason: if status == AlertStatus::Closed {
                closed_reason
            } else {
                String::new()
            },
            labels,
        })
    }
}

/// Whether an alert is overdue on `today` (`YYYY-MM-DD`): its deadline has passed and no action
/// has been taken on it yet (open or assessed).
pub fn overdue(status: AlertStatus, deadline: &str, today: &str) -> bool {
    matches!(status, AlertStatus::Open | AlertStatus::Assessed) && deadline < today
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub country: String,
    pub signal: String,
    pub as_of: String,
    pub title: String,
    pub assessment: String,
    pub recommendation: String,
    pub owner_id: String,
    pub owner_name: String,
    pub deadline: String,
    pub status: AlertStatus,
    pub closed_reason: String,
    pub labels: crate::Labels,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob";

    fn row(id: i64, country: &str, date: &str, best: i64) -> String {
        format!(
            "{id},ABC-{id},2020,1,Clear,1,314,314,\"Uganda: Government\",688,688,\"Government of Uganda - LRA\",90,90,Government of Uganda,488,488,LRA,2,\"Reuters, 2 Feb\",,,,,1,\"Obo, town\",\"Obo, «Haut-Mbomou»\",Haut-Mbomou prefecture,Obo,5.399784,26.486881,POINT (26.486881 5.399784),137213,{country},482,Africa,1,1,{date} 00:00:00.000,{date} 00:00:00.000,0,{best},0,0,{best},{best},{best},500,"
        )
    }

    #[test]
    fn reads_the_49_column_csv_with_quotes_and_non_ascii() {
        let csv = format!(
            "{HEADER}\n{}\n{}\n",
            row(1, "Central African Republic", "2020-01-05", 3),
            row(2, "DR Congo (Zaire)", "2020-02-01", 0)
        );
        let f = read_ged(csv.as_bytes()).unwrap();
        assert_eq!(f.format, GedFormat::Csv);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.rows.len(), 2);
        let e = &f.rows[0].event;
        assert_eq!(e.country.as_deref(), Some("CF"));
        assert_eq!(e.where_description, "Obo, «Haut-Mbomou»");
        assert_eq!(e.lat_micro, 5_399_784);
        assert_eq!(e.date_start, "2020-01-05");
        assert_eq!(e.month(), "2020-01");
        assert_eq!(f.rows[1].event.country.as_deref(), Some("CD"));
    }

    #[test]
    fn a_file_that_is_not_ged_is_refused_naming_what_is_missing() {
        let err = read_ged(b"name,date\nx,2020-01-01\n").unwrap_err();
        assert!(err.to_string().contains("not a UCDP GED CSV"), "{err}");
        let err = read_ged(b"{\"type\": \"Feature\"}").unwrap_err();
        assert!(err.to_string().contains("FeatureCollection"), "{err}");
        assert!(read_ged(b"").is_err());
        assert!(read_ged(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn bad_values_are_named_by_row_and_column() {
        let bad = row(3, "Mali", "2020-13-01", 2).replace(",1,314,314,", ",7,314,314,");
        let dup = row(1, "Mali", "2020-01-01", 1);
        let csv = format!(
            "{HEADER}\n{}\n{bad}\n{dup}\n",
            row(1, "Mali", "2020-01-01", 1)
        );
        let f = read_ged(csv.as_bytes()).unwrap();
        let named: Vec<(usize, &str)> = f
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert!(named.contains(&(3, "type_of_violence")), "{named:?}");
        assert!(named.contains(&(3, "date_start")), "{named:?}");
        assert!(named.contains(&(4, "id")), "{named:?}");
    }

    #[test]
    fn ged_country_names_map_to_iso() {
        assert_eq!(ged_country_code("Russia (Soviet Union)"), Some("RU"));
        assert_eq!(ged_country_code("Myanmar (Burma)"), Some("MM"));
        assert_eq!(ged_country_code("Yemen (North Yemen)"), Some("YE"));
        assert_eq!(ged_country_code("Bosnia-Herzegovina"), Some("BA"));
        assert_eq!(ged_country_code("Syria"), Some("SY"));
        assert_eq!(ged_country_code("Atlantis"), None);
    }

    #[test]
    fn poisson_tail_matches_direct_sums() {
        // P(X >= 3 | 1) = 1 - e^-1 (1 + 1 + 1/2)
        let direct = 1.0 - (-1.0f64).exp() * 2.5;
        assert!((poisson_upper_tail(3, 1.0) - direct).abs() < 1e-12);
        assert_eq!(poisson_upper_tail(0, 4.0), 1.0);
        assert_eq!(poisson_upper_tail(2, 0.0), 0.0);
        // Large counts stay finite and small.
        let p = poisson_upper_tail(2000, 1000.0);
        assert!(p > 0.0 && p < 1e-100, "{p}");
    }

    #[test]
    fn signals_follow_the_documented_windows() {
        let m = |s: &str| Month::parse(s).unwrap();
        let mut counts = BTreeMap::new();
        for i in 0..12 {
            counts.insert(m("2020-01").plus(i), 2);
        }
        counts.insert(m("2021-01"), 5);
        counts.insert(m("2021-02"), 6);
        counts.insert(m("2021-03"), 7);
        let s = signal(&counts, m("2021-03"), &DEFAULT_SIGNAL_PARAMS);
        assert_eq!((s.recent, s.baseline), (18, 24));
        assert!((s.expected - 6.0).abs() < 1e-12);
        assert_eq!(s.kind, SignalKind::Escalation);
        let quiet = BTreeMap::from([(m("2018-01"), 4), (m("2021-03"), 1)]);
        let s = signal(&quiet, m("2021-03"), &DEFAULT_SIGNAL_PARAMS);
        assert_eq!(s.kind, SignalKind::NewConflict);
        let s = signal(&counts, m("2020-12"), &DEFAULT_SIGNAL_PARAMS);
        assert_eq!(s.kind, SignalKind::None);
        assert_eq!(m("2009-02").to_string(), "2009-02");
    }

    #[test]
    fn trends_mirror_the_escalation_test() {
        let m = |s: &str| Month::parse(s).unwrap();
        let p = DEFAULT_SIGNAL_PARAMS;
        // 10 a month for a year, then 1 a month: 3 events where 30 are expected.
        let mut counts = BTreeMap::new();
        for i in 0..12 {
            counts.insert(m("2020-01").plus(i), 10);
        }
        for i in 12..15 {
            counts.insert(m("2020-01").plus(i), 1);
        }
        let s = signal(&counts, m("2021-03"), &p);
        assert_eq!((s.recent, s.expected as i64), (3, 30));
        // P(X <= 3 | 30) is about 4e-10: far below alpha.
        assert_eq!(trend(&s, &p), Trend::Falling);
        // 27 where 30 are expected is not significant either way.
        counts.insert(m("2021-03"), 25);
        let s = signal(&counts, m("2021-03"), &p);
        assert_eq!(trend(&s, &p), Trend::Stable);
        counts.insert(m("2021-03"), 60);
        let s = signal(&counts, m("2021-03"), &p);
        assert_eq!(trend(&s, &p), Trend::Rising);
        assert_eq!(Coherence::of(Trend::Rising, 0), Coherence::RisingAbsent);
        assert_eq!(Coherence::of(Trend::Rising, 2), Coherence::RisingPresent);
        assert_eq!(Coherence::of(Trend::Falling, 1), Coherence::FallingPresent);
        assert_eq!(Coherence::of(Trend::Falling, 0), Coherence::Other);
        assert_eq!(Coherence::of(Trend::Stable, 3), Coherence::Other);
    }

    #[test]
    fn alerts_need_their_follow_up_fields_by_status() {
        let base = AlertInput {
            country: "CAF".into(),
            signal: "escalation".into(),
            as_of: "2022-12".into(),
            title: "Violence rising in Haute-Kotto".into(),
            owner: "desk-officer".into(),
            deadline: "2023-01-31".into(),
            classification: "internal".into(),
            ..Default::default()
        };
        let v = base.validate().unwrap();
        assert_eq!((v.country.as_str(), v.status), ("CF", AlertStatus::Open));
        let assessed = AlertInput {
            status: "assessed".into(),
            ..base.clone()
        };
        assert!(
            assessed
                .validate()
                .unwrap_err()
                .to_string()
                .contains("assessment")
        );
        let acted = AlertInput {
            status: "action-taken".into(),
            assessment: "Real.".into(),
            ..base.clone()
        };
        assert!(
            acted
                .validate()
                .unwrap_err()
                .to_string()
                .contains("recommendation")
        );
        let closed = AlertInput {
            status: "closed".into(),
            assessment: "Real.".into(),
            ..base.clone()
        };
        assert!(
            closed
                .validate()
                .unwrap_err()
                .to_string()
                .contains("closed_reason")
        );
        let bad = AlertInput {
            deadline: "31/01/2023".into(),
            ..base.clone()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("deadline"));
        assert!(overdue(AlertStatus::Open, "2023-01-31", "2023-02-01"));
        assert!(overdue(AlertStatus::Assessed, "2023-01-31", "2023-02-01"));
        assert!(!overdue(
            AlertStatus::ActionTaken,
            "2023-01-31",
            "2023-02-01"
        ));
        assert!(!overdue(AlertStatus::Open, "2023-01-31", "2023-01-31"));
    }
}
