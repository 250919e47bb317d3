//! The evidence vault (Berkeley Protocol): capture metadata and its validation, the chain of
//! custody (hash-chained, signed events per item) and its verification, and the manifest of
//! transfer packages. Pure: signatures are checked through a function the caller supplies.
//!
//! **Custody chains** are kept per item: event `n` of an item carries the hash of event `n-1`
//! (the first carries [`GENESIS`]), its own SHA-256 over a canonical encoding of its content, and
//! the instance's Ed25519 signature over that hash. The item row holds the signed *head* (last
//! sequence number and hash), so that cutting events off the end is detected too. A per-item
//! chain lets a transfer package carry the complete, independently verifiable history of each
//! item it contains, without the rest of the vault.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, Term};
use crate::security::{Classification, CompartmentId};

use crate::reference::t;

/// How the material was collected (Berkeley Protocol, preservation).
pub const CAPTURE_METHODS: &[Term] = &[
    t(
        "web-capture",
        "Web capture (page archive)",
        "Webopname (pagina-archief)",
    ),
    t("screenshot", "Screenshot", "Schermafbeelding"),
    t(
        "download",
        "Download of the original file",
        "Download van het originele bestand",
    ),
    t("photograph", "Photograph", "Foto"),
    t("video-recording", "Video recording", "Video-opname"),
    t("audio-recording", "Audio recording", "Geluidsopname"),
    t(
        "document-scan",
        "Scan of a document",
        "Scan van een document",
    ),
    t(
        "witness-submission",
        "Submitted by a witness",
        "Aangeleverd door een getuige",
    ),
    t(
        "device-extraction",
        "Extraction from a device",
        "Extractie van een apparaat",
    ),
    t("other", "Other", "Anders"),
];

/// How a working copy was derived from its parent.
pub const DERIVATIONS: &[Term] = &[
    t("redaction", "Redaction", "Redactie (onleesbaar gemaakt)"),
    t("transcode", "Transcoding", "Omzetting (transcodering)"),
    t("excerpt", "Excerpt", "Fragment"),
    t("translation", "Translation", "Vertaling"),
    t("enhancement", "Enhancement", "Verbetering"),
    t("other", "Other", "Anders"),
];

/// Who receives a transfer package.
pub const RECIPIENT_KINDS: &[Term] = &[
    t(
        "ffm",
        "UN fact-finding mission",
        "VN-onderzoeksmissie (FFM)",
    ),
    t(
        "icc",
        "International Criminal Court",
        "Internationaal Strafhof",
    ),
    t(
        "national-prosecutor",
        "National prosecutor",
        "Nationaal openbaar ministerie",
    ),
    t("ohchr", "OHCHR office", "OHCHR-kantoor"),
    t("other", "Other", "Anders"),
];

/// What happened to an item.
pub const CUSTODY_KINDS: &[Term] = &[
    t("ingest", "Ingested", "Opgenomen"),
    t("view", "Viewed", "Bekeken"),
    t("download", "Downloaded", "Gedownload"),
    t(
        "copy",
        "Copy linked (same content)",
        "Kopie gekoppeld (zelfde inhoud)",
    ),
    t("derive", "Working copy derived", "Werkkopie afgeleid"),
    t("transfer", "Transferred", "Overgedragen"),
    t(
        "export",
        "Exported (package downloaded)",
        "Geëxporteerd (pakket gedownload)",
    ),
];

/// `prev_hash` of the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The format name written into every manifest.
pub const MANIFEST_FORMAT: &str = "grotius-transfer-package/1";

/// Capture metadata as submitted, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source_url: String,
    /// ISO 8601 with a zone (`2026-03-01T14:05:00Z`); converted to UTC.
    pub captured_at: String,
    #[serde(default)]
    pub capture_tool: String,
    #[serde(default)]
    pub capture_tool_version: String,
    pub collector: String,
    pub method: String,
    pub original_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub media_type: String,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
    #[serde(default)]
    pub incident_id: Option<String>,
    /// For a working copy: the item it was derived from, and how.
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub derivation: Option<String>,
}

/// Validated capture metadata, as stored and as written into manifests. Its canonical JSON is
/// hashed into the ingest event (`metadata_hash`), so a later change is detected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    pub title: String,
    pub source_url: String,
    /// Unix microseconds, UTC.
    pub captured_at: i64,
    pub capture_tool: String,
    pub capture_tool_version: String,
    pub collector: String,
    pub method: String,
    pub original_name: String,
    pub description: String,
    pub media_type: String,
}

impl Capture {
    /// SHA-256 (hex) of the canonical JSON of the metadata.
    pub fn metadata_hash(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }
}

/// A validated submission: metadata, labels, and the derivation of a working copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCapture {
    pub capture: Capture,
    pub labels: Labels,
    pub incident_id: Option<String>,
    pub parent_id: Option<String>,
    pub derivation: Option<String>,
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

/// A file name safe to write into a package (no path, no control characters).
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned.chars().take(120).collect()
    }
}

impl CaptureInput {
    /// Checks every field; `parent` is the labels of the parent item for a working copy (whose
    /// labels must be at least as strict: same compartment, no lower classification).
    pub fn validate(&self, parent: Option<&Labels>) -> Result<ValidCapture, DomainError> {
        let collector = bounded("collector", &self.collector, 200)?;
        if collector.is_empty() {
            return Err(DomainError::invalid(
                "collector",
                "name who collected the material",
            ));
        }
        let original_name = bounded("original_name", &self.original_name, 255)?;
        if original_name.is_empty() {
            return Err(DomainError::invalid(
                "original_name",
                "the original file name is required",
            ));
        }
        let method = reference::term(CAPTURE_METHODS, "capture method", self.method.trim())?
            .code
            .to_string();
        let captured_at = parse_utc(&self.captured_at)
            .map_err(|reason| DomainError::invalid("captured_at", reason))?;
        let source_url = bounded("source_url", &self.source_url, 2000)?;
        let known_scheme = ["https://", "http://", "urn:"]
            .iter()
            .any(|p| source_url.starts_with(p));
        if !source_url.is_empty() && !known_scheme {
            return Err(DomainError::invalid(
                "source_url",
                "a URL starting with https:// or http:// (or a urn:)",
            ));
        }
        let media_type = bounded("media_type", &self.media_type, 100)?;
        let media_type = if media_type.is_empty() {
            guess_media_type(&original_name).to_string()
        } else if media_type.contains('/') && !media_type.contains(char::is_whitespace) {
            media_type.to_ascii_lowercase()
        } else {
            return Err(DomainError::invalid(
                "media_type",
                "a media type such as image/png",
            ));
        };
        let title = bounded("title", &self.title, 200)?;
        let title = if title.is_empty() {
            original_name.clone()
        } else {
            title
        };
        let compartment = match self.compartment.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(DomainError::invalid(
                    "compartment",
                    "evidence is always filed in a compartment (need to know)",
                ));
            }
            Some(c) => CompartmentId::parse(c)?,
        };
        let labels = Labels {
            classification: self.classification.trim().parse::<Classification>()?,
            compartment: Some(compartment),
        };
        let parent_id = self
            .parent_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let derivation = match (&parent_id, self.derivation.as_deref().map(str::trim)) {
            (Some(_), Some(d)) if !d.is_empty() => Some(
                reference::term(DERIVATIONS, "derivation", d)?
                    .code
                    .to_string(),
            ),
            (Some(_), _) => {
                return Err(DomainError::invalid(
                    "derivation",
                    "say how the working copy was derived (redaction, transcode, …)",
                ));
            }
            (None, Some(d)) if !d.is_empty() => {
                return Err(DomainError::invalid(
                    "parent_id",
                    "a derivation needs the item it was derived from",
                ));
            }
            (None, _) => None,
        };
        if let Some(p) = parent {
            if labels.compartment != p.compartment {
                return Err(DomainError::invalid(
                    "compartment",
                    "a working copy lives in the compartment of its original",
                ));
            }
            if labels.classification < p.classification {
                return Err(DomainError::invalid(
                    "classification",
                    format!(
                        "a working copy is classified at least as its original ({})",
                        p.classification.as_str()
                    ),
                ));
            }
        }
        let incident_id = bounded("incident_id", self.incident_id.as_deref().unwrap_or(""), 64)?;
        Ok(ValidCapture {
            capture: Capture {
                title,
                source_url,
                captured_at,
                capture_tool: bounded("capture_tool", &self.capture_tool, 200)?,
                capture_tool_version: bounded(
                    "capture_tool_version",
                    &self.capture_tool_version,
                    100,
                )?,
                collector,
                method,
                original_name,
                description: bounded("description", &self.description, 20_000)?,
                media_type,
            },
            labels,
            incident_id: (!incident_id.is_empty()).then_some(incident_id),
            parent_id,
            derivation,
        })
    }
}

/// A media type from a file name's extension (`application/octet-stream` when unknown).
pub fn guess_media_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "warc" => "application/warc",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses ISO 8601 date-time with a zone (`Z` or `±HH:MM`) into Unix microseconds, UTC.
pub fn parse_utc(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let bad =
        || format!("'{s}' is not a date and time with a zone, e.g. 2026-03-01T14:05:00Z (UTC)");
    let (date, rest) = s.split_once(['T', ' ']).ok_or_else(bad)?;
    let mut dp = date.splitn(3, '-');
    let (y, m, d): (i64, i64, i64) = (
        dp.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?,
        dp.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?,
        dp.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?,
    );
    if !(1900..=2999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > month_days[(m - 1) as usize] {
        return Err(bad());
    }
    let (time, offset_secs) = if let Some(t) = rest.strip_suffix('Z').or(rest.strip_suffix('z')) {
        (t, 0i64)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
        let oh: i64 = oh.parse().map_err(|_| bad())?;
        let om: i64 = om.parse().map_err(|_| bad())?;
        if oh > 14 || om > 59 {
            return Err(bad());
        }
        (t, sign * (oh * 3600 + om * 60))
    } else {
        return Err(format!(
            "'{s}' has no zone: give the capture time in UTC, e.g. 2026-03-01T14:05:00Z"
        ));
    };
    let mut tp = time.splitn(3, ':');
    let h: i64 = tp.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let mi: i64 = tp.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let (sec, micros) = match tp.next() {
        None => (0, 0),
        Some(sv) => {
            let (whole, frac) = sv.split_once('.').unwrap_or((sv, ""));
            let sec: i64 = whole.parse().map_err(|_| bad())?;
            if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let mut f = frac.to_string();
            f.truncate(6);
            while f.len() < 6 {
                f.push('0');
            }
            (sec, f.parse::<i64>().map_err(|_| bad())?)
        }
    };
    if h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    let secs = days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    Ok(secs * 1_000_000 + micros)
}

/// Unix microseconds as ISO 8601 UTC (`2026-03-01T14:05:00Z`, with microseconds when present).
pub fn format_utc(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let base = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    );
    if frac == 0 {
        format!("{base}Z")
    } else {
        format!("{base}.{frac:06}Z")
    }
}

/// An evidence item as shown: capture metadata over a stored file, with labels and lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    pub id: String,
    pub sha256: String,
    pub size: i64,
    pub capture: Capture,
    pub metadata_hash: String,
    pub parent_id: Option<String>,
    pub derivation: Option<String>,
    pub incident_id: Option<String>,
    pub labels: Labels,
    pub created_by: String,
    pub created_at: i64,
    /// Number of custody events.
    pub custody_seq: i64,
}

/// The hashed content of a custody event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyRecord {
    pub item_id: String,
    pub seq: i64,
    pub kind: String,
    /// Unix microseconds.
    pub at: i64,
    /// Who (user name; `cli` for the command line).
    pub actor: String,
    /// JSON object with the event's particulars (hashes, package, recipient, …).
    pub detail: String,
    pub prev_hash: String,
}

impl CustodyRecord {
    /// SHA-256 (hex) of the canonical encoding: a domain tag and the record's JSON, fields in
    /// declaration order.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"grotius-custody-v1\0");
        h.update(serde_json::to_vec(self).unwrap_or_default());
        hex::encode(h.finalize())
    }
}

/// A stored custody event: its record, hash and signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEvent {
    pub id: String,
    #[serde(flatten)]
    pub record: CustodyRecord,
    pub hash: String,
    /// Ed25519 signature (hex) of the 32 hash bytes, by the instance's key.
    pub signature: String,
}

/// The bytes signed for an event: the raw hash.
pub fn event_message(hash: &str) -> Vec<u8> {
    hex::decode(hash).unwrap_or_default()
}

/// The bytes signed for the head of an item's chain.
pub fn head_message(item_id: &str, seq: i64, hash: &str) -> Vec<u8> {
    format!("grotius-custody-head-v1\0{item_id}\0{seq}\0{hash}").into_bytes()
}

/// The signed head of an item's custody chain, as stored with the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
    pub signature: String,
}

/// What kind of tampering a problem points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tamper {
    /// An event's content no longer matches its hash.
    Edited,
    /// An event is missing from the chain.
    Deleted,
    /// An event that the instance never signed.
    Inserted,
    /// Events stand in another order than they were recorded in.
    Reordered,
    /// A stored file does not match its hash (or cannot be decrypted).
    Altered,
    /// A file or record that should be there is not.
    Missing,
    /// Metadata of an item differs from what its ingest recorded.
    Metadata,
}

impl Tamper {
    pub fn as_str(self) -> &'static str {
        match self {
            Tamper::Edited => "edited",
            Tamper::Deleted => "deleted",
            Tamper::Inserted => "inserted",
            Tamper::Reordered => "reordered",
            Tamper::Altered => "altered",
            Tamper::Missing => "missing",
            Tamper::Metadata => "metadata",
        }
    }
}

/// One finding of a verification, naming the item and event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub tamper: Tamper,
    pub item_id: String,
    pub event_id: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: item {}: {}",
            self.tamper.as_str().to_uppercase(),
            self.item_id,
            self.message
        )
    }
}

/// Checks one item's chain: each event's hash and signature, the links between them, the order,
/// and the signed head. `events` are in stored order (by `seq`); `verify(message, signature)`
/// checks a signature with the instance's public key. Returns every problem found, each naming
/// the event and what was done to it.
pub fn verify_chain(
    item_id: &str,
    events: &[CustodyEvent],
    head: Option<&ChainHead>,
    verify: &dyn Fn(&[u8], &str) -> bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |tamper, event: Option<&CustodyEvent>, message: String| {
        problems.push(Problem {
            tamper,
            item_id: item_id.to_string(),
            event_id: event.map(|e| e.id.clone()),
            message,
        })
    };
    // 1. Each event on its own: content, and the position it was recorded at.
    let n = events.len() as i64;
    let mut recorded_at: Vec<(i64, usize)> = Vec::new();
    let mut intact = vec![false; events.len()];
    for (i, e) in events.iter().enumerate() {
        if e.record.item_id != item_id {
            push(
                Tamper::Edited,
                Some(e),
                format!(
                    "event {} (#{}) belongs to item {}",
                    e.id, e.record.seq, e.record.item_id
                ),
            );
            continue;
        }
        if e.record.hash() == e.hash {
            if verify(&event_message(&e.hash), &e.signature) {
                intact[i] = true;
                recorded_at.push((e.record.seq, i));
            } else {
                push(
                    Tamper::Inserted,
                    Some(e),
                    format!(
                        "event {} (#{}, {}) is not signed by this instance's key: it was inserted (or forged) outside Grotius",
                        e.id, e.record.seq, e.record.kind
                    ),
                );
            }
            continue;
        }
        let moved = (1..=n + 1).filter(|s| *s != e.record.seq).find(|s| {
            let mut r = e.record.clone();
            r.seq = *s;
            r.hash() == e.hash
        });
        match moved {
            Some(s) => {
                intact[i] = verify(&event_message(&e.hash), &e.signature);
                recorded_at.push((s, i));
                push(
                    Tamper::Reordered,
                    Some(e),
                    format!(
                        "event {} ({}) stands at #{} but was recorded as #{s}: custody events were reordered",
                        e.id, e.record.kind, e.record.seq
                    ),
                );
            }
            None => push(
                Tamper::Edited,
                Some(e),
                format!(
                    "event {} (#{}, {}) was edited: its content no longer matches its hash",
                    e.id, e.record.seq, e.record.kind
                ),
            ),
        }
    }
    // 2. Links, in the order the events were recorded in.
    recorded_at.sort();
    let by_hash: HashMap<&str, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.hash.as_str(), i))
        .collect();
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1i64;
    let all_intact = intact.iter().all(|x| *x);
    for (seq, i) in &recorded_at {
        let e = &events[*i];
        if e.record.prev_hash != expected_prev {
            match by_hash.get(e.record.prev_hash.as_str()) {
                Some(_) if !all_intact => {} // explained by the damaged event named above
                Some(j) => push(
                    Tamper::Inserted,
                    Some(&events[*j]),
                    format!(
                        "event(s) between #{} and #{seq} ({}) are not part of the chain: inserted",
                        events[*j].record.seq, e.id
                    ),
                ),
                None if *seq == 1 || e.record.prev_hash == GENESIS => push(
                    Tamper::Deleted,
                    Some(e),
                    format!(
                        "the chain's first event(s) before #{seq} ({}) were deleted",
                        e.id
                    ),
                ),
                None => push(
                    Tamper::Deleted,
                    Some(e),
                    format!(
                        "an event before #{seq} ({}, {}) is missing: deleted (the chain expects #{} there)",
                        e.id, e.record.kind, expected_seq
                    ),
                ),
            }
        }
        expected_prev = e.hash.clone();
        expected_seq = seq + 1;
    }
    // 3. The signed head: nothing cut off the end, nothing appended.
    if let Some(h) = head {
        if !verify(&head_message(item_id, h.seq, &h.hash), &h.signature) {
            push(
                Tamper::Edited,
                None,
                format!(
                    "the head of the custody chain (#{}) is not signed by this instance",
                    h.seq
                ),
            );
        } else {
            let last = events.iter().max_by_key(|e| e.record.seq);
            match last {
                None => push(
                    Tamper::Deleted,
                    None,
                    format!("all {} custody events were deleted", h.seq),
                ),
                Some(l) if l.record.seq < h.seq => push(
                    Tamper::Deleted,
                    Some(l),
                    format!(
                        "the chain ends at #{} ({}) but its signed head is #{}: the last event(s) were deleted",
                        l.record.seq, l.id, h.seq
                    ),
                ),
                Some(l) if l.record.seq > h.seq => push(
                    Tamper::Inserted,
                    Some(l),
                    format!(
                        "event(s) after the signed head #{} (up to #{}, {}): inserted",
                        h.seq, l.record.seq, l.id
                    ),
                ),
                Some(_) => {
                    if !events.iter().any(|e| e.hash == h.hash) {
                        push(
                            Tamper::Edited,
                            None,
                            format!("no event carries the hash of the signed head #{}", h.seq),
                        );
                    }
                }
            }
        }
    }
    problems
}

/// One file of a transfer package, as described in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestItem {
    pub item_id: String,
    /// Path inside the package (`files/<item id>/<name>`).
    pub file: String,
    pub sha256: String,
    pub size: i64,
    pub capture: Capture,
    /// ISO 8601 UTC of `capture.captured_at`, for readers.
    pub captured_at_utc: String,
    pub parent_id: Option<String>,
    pub derivation: Option<String>,
    pub incident_id: Option<String>,
    pub classification: String,
    /// The item's custody chain up to (not including) this transfer, each event signed.
    pub custody: Vec<CustodyEvent>,
}

/// The manifest of a transfer package; signed (detached) as the exact bytes of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub package_id: String,
    pub created_at: String,
    pub created_by: String,
    pub recipient: String,
    pub recipient_kind: String,
    pub purpose: String,
    pub use_restrictions: String,
    /// The instance's Ed25519 public key (hex). Verify against a key obtained separately.
    pub public_key: String,
    pub items: Vec<ManifestItem>,
}

/// A transfer package request, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageInput {
    pub recipient: String,
    pub recipient_kind: String,
    #[serde(default)]
    pub purpose: String,
    pub use_restrictions: String,
    pub items: Vec<String>,
}

impl PackageInput {
    /// Checks the fields; returns the normalised input with items de-duplicated.
    pub fn validate(&self) -> Result<PackageInput, DomainError> {
        let recipient = bounded("recipient", &self.recipient, 200)?;
        if recipient.is_empty() {
            return Err(DomainError::invalid("recipient", "name the recipient"));
        }
        let kind = reference::term(
            RECIPIENT_KINDS,
            "recipient kind",
            self.recipient_kind.trim(),
        )?;
        let use_restrictions = bounded("use_restrictions", &self.use_restrictions, 5000)?;
        if use_restrictions.is_empty() {
            return Err(DomainError::invalid(
                "use_restrictions",
                "state the conditions of use (e.g. only for the investigation named; no onward disclosure without consent)",
            ));
        }
        let mut items: Vec<String> = Vec::new();
        for i in self
            .items
            .iter()
            .map(|i| i.trim())
            .filter(|i| !i.is_empty())
        {
            if !items.iter().any(|x| x == i) {
                items.push(i.to_string());
            }
        }
        if items.is_empty() {
            return Err(DomainError::invalid("items", "select at least one item"));
        }
        if items.len() > 1000 {
            return Err(DomainError::invalid(
                "items",
                "at most 1,000 items per package",
            ));
        }
        Ok(PackageInput {
            recipient,
            recipient_kind: kind.code.to_string(),
            purpose: bounded("purpose", &self.purpose, 2000)?,
            use_restrictions,
            items,
        })
    }
}

/// A 512-byte ustar header for a regular file (GNU base-256 sizes above 8 GiB).
pub fn tar_header(name: &str, size: u64, mtime: i64) -> [u8; 512] {
    let mut h = [0u8; 512];
    let (prefix, name) = if name.len() > 100 {
        match name[..name.len().saturating_sub(1).min(155)].rfind('/') {
            Some(i) if name.len() - i - 1 <= 100 => (&name[..i], &name[i + 1..]),
            _ => ("", &name[name.len() - 100..]),
        }
    } else {
        ("", name)
    };
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    if size < 0o77777777777 {
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    } else {
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    h[136..148].copy_from_slice(format!("{:011o}\0", mtime.max(0)).as_bytes());
    h[148..156].copy_from_slice(b"        ");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CaptureInput {
        CaptureInput {
            captured_at: "2026-03-01T14:05:07Z".into(),
            collector: "Documenter A".into(),
            method: "screenshot".into(),
            original_name: "shot.png".into(),
            classification: "confidential".into(),
            compartment: Some("evidence-sudan".into()),
            ..Default::default()
        }
    }

    #[test]
    fn times_are_utc() {
        let t = parse_utc("2026-03-01T14:05:07Z").unwrap();
        assert_eq!(format_utc(t), "2026-03-01T14:05:07Z");
        assert_eq!(parse_utc("2026-03-01T16:05:07+02:00").unwrap(), t);
        assert_eq!(
            format_utc(parse_utc("2024-02-29T00:00:00.25Z").unwrap()),
            "2024-02-29T00:00:00.250000Z"
        );
        assert!(
            parse_utc("2026-03-01T14:05")
                .unwrap_err()
                .contains("no zone")
        );
        assert!(parse_utc("2025-02-29T00:00Z").is_err());
        assert_eq!(parse_utc("1970-01-01T00:00:00Z").unwrap(), 0);
    }

    #[test]
    fn capture_validation_names_fields() {
        let v = input().validate(None).unwrap();
        assert_eq!(v.capture.media_type, "image/png");
        assert_eq!(v.capture.title, "shot.png");
        let mut i = input();
        i.compartment = None;
        assert!(matches!(
            i.validate(None),
            Err(DomainError::Invalid {
                field: "compartment",
                ..
            })
        ));
        let mut i = input();
        i.captured_at = "yesterday".into();
        assert!(matches!(
            i.validate(None),
            Err(DomainError::Invalid {
                field: "captured_at",
                ..
            })
        ));
        let mut i = input();
        i.parent_id = Some("p".into());
        assert!(matches!(
            i.validate(None),
            Err(DomainError::Invalid {
                field: "derivation",
                ..
            })
        ));
        i.derivation = Some("redaction".into());
        let parent = Labels {
            classification: Classification::Secret,
            compartment: Some(CompartmentId::parse("evidence-sudan").unwrap()),
        };
        assert!(matches!(
            i.validate(Some(&parent)),
            Err(DomainError::Invalid {
                field: "classification",
                ..
            })
        ));
        i.classification = "secret".into();
        assert!(i.validate(Some(&parent)).is_ok());
    }

    fn chain(n: i64) -> Vec<CustodyEvent> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let record = CustodyRecord {
                    item_id: "it".into(),
                    seq,
                    kind: "view".into(),
                    at: seq,
                    actor: "a".into(),
                    detail: "{}".into(),
                    prev_hash: prev.clone(),
                };
                let hash = record.hash();
                prev = hash.clone();
                CustodyEvent {
                    id: format!("e{seq}"),
                    record,
                    signature: format!("sig:{hash}"),
                    hash,
                }
            })
            .collect()
    }

    fn ok(msg: &[u8], sig: &str) -> bool {
        sig.strip_prefix("sig:").is_some_and(|h| {
            hex::decode(h).ok().as_deref() == Some(msg)
                || std::str::from_utf8(msg).is_ok_and(|m| m.ends_with(h))
        })
    }

    fn head(events: &[CustodyEvent]) -> ChainHead {
        let l = events.last().unwrap();
        ChainHead {
            seq: l.record.seq,
            hash: l.hash.clone(),
            signature: format!("sig:{}", l.hash),
        }
    }

    #[test]
    fn each_tampering_is_named() {
        let c = chain(4);
        let h = head(&c);
        assert!(verify_chain("it", &c, Some(&h), &ok).is_empty());
        // Edited.
        let mut e = c.clone();
        e[1].record.detail = "{\"x\":1}".into();
        let p = verify_chain("it", &e, Some(&h), &ok);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            (p[0].tamper, p[0].event_id.as_deref()),
            (Tamper::Edited, Some("e2"))
        );
        // Deleted in the middle, and at the end.
        let mut d = c.clone();
        d.remove(1);
        let p = verify_chain("it", &d, Some(&h), &ok);
        assert_eq!(
            (p[0].tamper, p[0].event_id.as_deref()),
            (Tamper::Deleted, Some("e3")),
            "{p:?}"
        );
        let p = verify_chain("it", &c[..3], Some(&h), &ok);
        assert_eq!(p[0].tamper, Tamper::Deleted, "{p:?}");
        // Reordered: two events swap positions.
        let mut r = c.clone();
        r[1].record.seq = 3;
        r[2].record.seq = 2;
        r.swap(1, 2);
        let p = verify_chain("it", &r, Some(&h), &ok);
        assert!(p.iter().all(|x| x.tamper == Tamper::Reordered), "{p:?}");
        assert_eq!(p.len(), 2);
        // Inserted: a well-formed event without the instance's signature.
        let mut i = c.clone();
        let record = CustodyRecord {
            item_id: "it".into(),
            seq: 5,
            kind: "download".into(),
            at: 9,
            actor: "x".into(),
            detail: "{}".into(),
            prev_hash: c[3].hash.clone(),
        };
        i.push(CustodyEvent {
            id: "e5".into(),
            hash: record.hash(),
            record,
            signature: "00".into(),
        });
        let p = verify_chain("it", &i, Some(&h), &ok);
        assert_eq!(
            (p[0].tamper, p[0].event_id.as_deref()),
            (Tamper::Inserted, Some("e5")),
            "{p:?}"
        );
    }

    #[test]
    fn tar_headers_checksum() {
        let h = tar_header("files/a/b.png", 1234, 0);
        let stored = std::str::from_utf8(&h[148..154]).unwrap();
        let mut copy = h;
        copy[148..156].copy_from_slice(b"        ");
        let sum: u32 = copy.iter().map(|b| u32::from(*b)).sum();
        assert_eq!(u32::from_str_radix(stored, 8).unwrap(), sum);
        assert_eq!(&h[124..135], b"00000002322");
    }
}
