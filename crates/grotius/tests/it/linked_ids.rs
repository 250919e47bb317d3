//! No answer carries the id of a record its reader may not read. Every GET operation of the
//! OpenAPI document — through the rows of the authorisation matrix, which cover every operation,
//! with its fixture of hidden records — and every page and export the matrix names, is called as
//! every role; every id-shaped value in the answers (UUIDs anywhere in JSON, HTML, CSV, XLSX and
//! tar; SHA-256 values that name a package manifest or an evidence file) is looked up in the
//! database here, independently of the store, and must name a record the policy engine lets that
//! role read. An id the test cannot place fails too, so a new table of records must be added to
//! [`TABLES`] before its ids can appear in an answer.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;

use grotius_domain::{
    Action, Classification, CompartmentId, Labels, Resource, ResourceKind, Subject, decide,
};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{AnyPool, Row};

use crate::authz_matrix::{fill, fixture, matrix_template, roles, rows, template};
use crate::harness::App;

/// Tables of labelled records: kind, and a query giving `id, classification, compartment_id,
/// p_classification, p_compartment, organisation` of the rows whose `key` is `$1`.
const TABLES: &[(ResourceKind, &str)] = &[
    (
        ResourceKind::Process,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM processes WHERE id = $1",
    ),
    (
        ResourceKind::Engagement,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM engagements c JOIN processes p ON p.id = c.process_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Analysis,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM analyses c JOIN processes p ON p.id = c.process_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Analysis,
        "SELECT v.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM analysis_versions v JOIN analyses c ON c.id = v.analysis_id JOIN processes p ON p.id = c.process_id WHERE v.id = $1",
    ),
    (
        ResourceKind::Dialogue,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM dialogues c JOIN processes p ON p.id = c.process_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Debrief,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM debriefs c JOIN processes p ON p.id = c.process_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Participation,
        "SELECT c.id, c.classification, c.compartment_id, p.classification AS p_classification, p.compartment_id AS p_compartment, NULL AS organisation FROM participation c JOIN processes p ON p.id = c.process_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Actor,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM actors WHERE id = $1",
    ),
    (
        ResourceKind::Relationship,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM relationships WHERE id = $1",
    ),
    (
        ResourceKind::Expert,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM experts WHERE id = $1",
    ),
    (
        ResourceKind::SupportRequest,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM support_requests WHERE id = $1",
    ),
    (
        ResourceKind::Training,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM trainings WHERE id = $1",
    ),
    (
        ResourceKind::Alert,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM alerts WHERE id = $1",
    ),
    (
        ResourceKind::Training,
        "SELECT c.id, p.classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM training_participants c JOIN trainings p ON p.id = c.training_id WHERE c.id = $1",
    ),
    (
        ResourceKind::FundApplication,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, partner AS organisation FROM fund_applications WHERE id = $1",
    ),
    (
        ResourceKind::FundTransaction,
        "SELECT c.id, COALESCE(p.classification, 0) AS classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, p.partner AS organisation FROM ledger_transactions c LEFT JOIN fund_applications p ON p.id = c.application_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Evidence,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM evidence_items WHERE id = $1 OR sha256 = $1",
    ),
    (
        ResourceKind::Evidence,
        "SELECT c.id, p.classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM custody_events c JOIN evidence_items p ON p.id = c.item_id WHERE c.id = $1",
    ),
    (
        ResourceKind::TransferPackage,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM transfer_packages WHERE id = $1 OR manifest_sha256 = $1",
    ),
    (
        ResourceKind::Agreement,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM agreements WHERE id = $1",
    ),
    (
        ResourceKind::Document,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM documents WHERE id = $1",
    ),
    (
        ResourceKind::Incident,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM incidents WHERE id = $1",
    ),
    (
        ResourceKind::Incident,
        "SELECT c.id, p.classification, p.compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM incident_persons c JOIN incidents p ON p.id = c.incident_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Incident,
        "SELECT id, classification, compartment_id, NULL AS p_classification, NULL AS p_compartment, NULL AS organisation FROM incident_imports WHERE id = $1",
    ),
    // Comments and assignments: labelled like the record they are about.
    (
        ResourceKind::Comment,
        "SELECT c.id, r.classification, r.compartment_id, NULL AS p_classification, NULL AS p_compartment, r.partner AS organisation FROM comments c JOIN (SELECT id, classification, compartment_id, NULL AS partner FROM processes UNION ALL SELECT id, classification, compartment_id, NULL FROM support_requests UNION ALL SELECT id, classification, compartment_id, partner FROM fund_applications UNION ALL SELECT id, classification, compartment_id, NULL FROM alerts UNION ALL SELECT id, classification, compartment_id, NULL FROM incidents UNION ALL SELECT id, classification, compartment_id, NULL FROM evidence_items UNION ALL SELECT id, classification, compartment_id, NULL FROM documents) r ON r.id = c.record_id WHERE c.id = $1",
    ),
    (
        ResourceKind::Assignment,
        "SELECT c.id, r.classification, r.compartment_id, NULL AS p_classification, NULL AS p_compartment, r.partner AS organisation FROM assignments c JOIN (SELECT id, classification, compartment_id, NULL AS partner FROM processes UNION ALL SELECT id, classification, compartment_id, NULL FROM support_requests UNION ALL SELECT id, classification, compartment_id, partner FROM fund_applications UNION ALL SELECT id, classification, compartment_id, NULL FROM alerts UNION ALL SELECT id, classification, compartment_id, NULL FROM incidents UNION ALL SELECT id, classification, compartment_id, NULL FROM evidence_items UNION ALL SELECT id, classification, compartment_id, NULL FROM documents) r ON r.id = c.record_id WHERE c.id = $1",
    ),
];

/// Ids of things that are not labelled records: colleagues' accounts, tokens, the instance,
/// instruments, import jobs of public agreements and conflict events, uploads in progress (the
/// uploader's own).
/// Access decisions are unlabelled records of their own kind.
const UNLABELLED: &[&str] = &[
    "SELECT id FROM users WHERE id = $1",
    "SELECT id FROM api_tokens WHERE id = $1",
    "SELECT instance_id AS id FROM instance WHERE instance_id = $1",
    "SELECT id FROM fund_instruments WHERE id = $1",
    "SELECT id FROM agreement_imports WHERE id = $1",
    "SELECT id FROM event_imports WHERE id = $1",
    "SELECT id FROM evidence_uploads WHERE id = $1",
];

#[derive(Debug)]
enum Named {
    /// Labelled records (several when a hash names several items).
    Records(Vec<(ResourceKind, Vec<Labels>, Option<String>)>),
    AccessDecision,
    Unlabelled,
    Unknown,
}

fn labels(class: i64, compartment: Option<String>) -> Labels {
    Labels {
        classification: Classification::from_level(class).unwrap(),
        compartment: compartment.map(|c| CompartmentId::parse(&c).unwrap()),
    }
}

async fn name_of(pool: &AnyPool, id: &str) -> Named {
    let mut records = Vec::new();
    for (kind, sql) in TABLES {
        for row in sqlx::query(*sql).bind(id).fetch_all(pool).await.unwrap() {
            let mut l = vec![labels(
                row.try_get("classification").unwrap(),
                row.try_get("compartment_id").unwrap(),
            )];
            if let Some(pc) = row.try_get::<Option<i64>, _>("p_classification").unwrap() {
                l.push(labels(pc, row.try_get("p_compartment").unwrap()));
            }
            records.push((*kind, l, row.try_get("organisation").unwrap()));
        }
    }
    if !records.is_empty() {
        return Named::Records(records);
    }
    let decision = sqlx::query("SELECT id FROM access_decisions WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap();
    if decision.is_some() {
        return Named::AccessDecision;
    }
    for sql in UNLABELLED {
        if sqlx::query(*sql)
            .bind(id)
            .fetch_optional(pool)
            .await
            .unwrap()
            .is_some()
        {
            return Named::Unlabelled;
        }
    }
    Named::Unknown
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Every UUID- or SHA-256-shaped token of a text.
fn ids_in_text(text: &str, out: &mut BTreeSet<String>) {
    for token in text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
        // A token may glue two ids with a dash; UUIDs have a fixed length.
        if is_uuid(token) || is_sha256(token) {
            out.insert(token.to_ascii_lowercase());
        } else if token.len() > 36 {
            for i in 0..=token.len() - 36 {
                if token.is_char_boundary(i) && is_uuid(&token[i..i + 36]) {
                    out.insert(token[i..i + 36].to_ascii_lowercase());
                }
            }
        }
    }
}

/// The texts inside an answer: the body itself, or each file of a ZIP (XLSX) or tar.
fn texts_of(bytes: &[u8]) -> Vec<String> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut s = Vec::new();
            f.read_to_end(&mut s).unwrap();
            out.push(String::from_utf8_lossy(&s).into_owned());
        }
        return out;
    }
    vec![String::from_utf8_lossy(bytes).into_owned()]
}

/// Whether `who` may read what `named` names. On the audit log the question is the auditor's
/// clearance and compartments (she reads about records, with no role on their kinds).
fn readable(who: &Subject, named: &Named, audit_view: bool) -> bool {
    match named {
        Named::Records(records) => records.iter().any(|(kind, labels, organisation)| {
            labels.iter().all(|l| {
                if audit_view {
                    who.can_see(l)
                } else {
                    decide(
                        who,
                        Action::Read,
                        Resource {
                            kind: *kind,
                            labels: Some(l),
                            owner: None,
                            organisation: organisation.as_deref(),
                        },
                    )
                    .is_allowed()
                }
            })
        }),
        Named::AccessDecision => {
            audit_view
                || decide(
                    who,
                    Action::Read,
                    Resource::kind(ResourceKind::AccessDecision),
                )
                .is_allowed()
        }
        Named::Unlabelled => true,
        Named::Unknown => false,
    }
}

/// The fixture of the authorisation matrix, plus links to records that some readers of the
/// linking record may not read: an application and a training linked to a process that was
/// later moved into a secret compartment, a request whose team holds an internal and a
/// compartmented expert, an evidence item transferred in a package (the fixture's).
async fn hidden_links(app: &App, f: &mut crate::authz_matrix::Fixture) {
    let coordinator = f.tokens["coordinator"].clone();
    let officer = f.tokens["fund-officer"].clone();
    let moved = app.create("/api/v1/processes", &coordinator, json!({"title": "Linked, then moved", "phase": "crisis", "tracks": ["II"], "dutch_role": "support", "status": "active", "classification": "internal"})).await;
    let (s, a) = app
        .api(Method::POST, "/api/v1/fund/applications", &officer, Some(json!({"instrument_id": "MATRIX", "title": "Linked application", "partner": "Other Organisation", "currency": "EUR", "amount": "20000.00", "start_date": "2031-02-01", "months": 6, "purpose_code": "15220", "gender_marker": "1", "countries": ["SD"], "themes": ["wps"], "classification": "internal", "process_ids": [moved, f.ids["internal"]]})))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["process_ids"].as_array().unwrap().len(), 2, "{a}");
    f.ids
        .insert("application", a["id"].as_str().unwrap().to_string());
    let (s, t) = app
        .api(
            Method::PUT,
            &format!("/api/v1/trainings/{}", f.ids["training"]),
            &coordinator,
            Some(json!({"title": "Fixture training", "starts_on": "2026-02-02", "place": "The Hague", "organiser": "Unit", "process_ids": [moved]})),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let (s, p) = app
        .api(Method::PUT, &format!("/api/v1/processes/{moved}"), &coordinator, Some(json!({"title": "Linked, then moved", "phase": "negotiation", "tracks": ["1.5"], "dutch_role": "support", "status": "active", "classification": "secret", "compartment": "yemen"})))
        .await;
    assert_eq!(s, 200, "{p}");
    for expert in ["expert", "expert_yemen"] {
        let (s, v) = app
            .api(
                Method::POST,
                &format!("/api/v1/requests/{}/team", f.ids["request"]),
                &coordinator,
                Some(json!({"expert_id": f.ids[expert]})),
            )
            .await;
        assert!(s < 300, "{v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_names_a_record_its_reader_may_not_read() {
    let app = App::spawn().await;
    let mut f = fixture(&app).await;
    hidden_links(&app, &mut f).await;
    let pool = app.instance.raw().await;

    // Every GET operation of the API has rows in the matrix (so every DTO is fetched).
    let doc: Value = app.openapi().await;
    let rows: Vec<&str> = rows()
        .filter(|r| r.method == "GET" && !r.path.contains("{fresh"))
        .map(|r| r.path)
        .collect();
    let mut unprobed = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if ops.get("get").is_some() && !rows.iter().any(|r| matrix_template(r) == template(path)) {
            unprobed.push(path.clone());
        }
    }
    assert!(
        unprobed.is_empty(),
        "GET operations without a probe: {unprobed:?}"
    );

    let mut names: HashMap<String, Named> = HashMap::new();
    let mut leaks = BTreeSet::new();
    let mut answers = 0;
    for role in roles() {
        let who = app.instance.access(role).await.subject().clone();
        let browser = app.browser(role).await;
        for r in &rows {
            let path = fill(r, &f, role, "", 0);
            let req = if r.starts_with("/api/") {
                app.client.get(app.url(&path)).bearer_auth(&f.tokens[role])
            } else {
                browser.client.get(app.url(&path))
            };
            let resp = req.send().await.unwrap();
            if resp.status() != 200 {
                continue;
            }
            answers += 1;
            let bytes = resp.bytes().await.unwrap();
            let mut ids = BTreeSet::new();
            let texts = texts_of(&bytes);
            for text in &texts {
                ids_in_text(text, &mut ids);
            }
            // Where an id stands in the answer, for the failure message.
            let context = |id: &str| {
                texts
                    .iter()
                    .find_map(|t| {
                        let i = t.to_ascii_lowercase().find(id)?;
                        let from = t.floor_char_boundary(i.saturating_sub(80));
                        let to = t.ceil_char_boundary((i + id.len() + 80).min(t.len()));
                        Some(t[from..to].replace('\n', " "))
                    })
                    .unwrap_or_default()
            };
            let audit_view = r.starts_with("/audit") || r.starts_with("/api/v1/audit");
            for id in ids {
                if !names.contains_key(&id) {
                    names.insert(id.clone(), name_of(&pool, &id).await);
                }
                let named = &names[&id];
                // SHA-256 values that name nothing stored are content hashes, not ids.
                if is_sha256(&id) && matches!(named, Named::Unknown) {
                    continue;
                }
                if !readable(&who, named, audit_view) {
                    leaks.insert(format!(
                        "{role:>14} GET {r}: {id} ({named:?}) in …{}…",
                        context(&id)
                    ));
                }
            }
        }
    }
    assert!(answers > 500, "too few answers to mean anything: {answers}");
    assert!(
        leaks.is_empty(),
        "{} ids of records the reader may not read:\n{}",
        leaks.len(),
        leaks.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// A writer who was not shown a link does not remove it by saving what she was shown: the
/// fund officer edits an application whose second process moved into yemen.
#[tokio::test]
async fn a_save_keeps_the_links_its_writer_was_not_shown() {
    let app = App::spawn().await;
    let mut f = fixture(&app).await;
    hidden_links(&app, &mut f).await;
    let officer = &f.tokens["fund-officer"];
    let path = format!("/api/v1/fund/applications/{}", f.ids["application"]);
    // The detail wraps the application; a save answers with it.
    let app_of = |v: &Value| v.get("application").cloned().unwrap_or_else(|| v.clone());
    let (s, shown) = app.api(Method::GET, &path, officer, None).await;
    let shown = app_of(&shown);
    assert_eq!(s, 200, "{shown}");
    assert_eq!(shown["process_ids"], json!([f.ids["internal"]]), "{shown}");
    let (s, saved) = app
        .api(Method::PUT, &path, officer, Some(json!({"instrument_id": "MATRIX", "title": "Linked application, edited", "partner": "Other Organisation", "currency": "EUR", "amount": "20000.00", "start_date": "2031-02-01", "months": 6, "purpose_code": "15220", "gender_marker": "1", "countries": ["SD"], "themes": ["wps"], "classification": "internal", "process_ids": shown["process_ids"]})))
        .await;
    assert_eq!(s, 200, "{saved}");
    let saved = app_of(&saved);
    assert_eq!(saved["process_ids"], json!([f.ids["internal"]]), "{saved}");
    // The coordinator (secret, in yemen) still finds both links.
    let (s, full) = app
        .api(Method::GET, &path, &f.tokens["coordinator"], None)
        .await;
    assert_eq!(s, 200, "{full}");
    let full = app_of(&full);
    assert_eq!(full["title"], "Linked application, edited");
    assert_eq!(full["process_ids"].as_array().unwrap().len(), 2, "{full}");
}
