//! Incidents: the AWSD and Yemen Data Project imports on the real files (counts, spot-checked
//! rows, idempotent re-runs), per-row errors that store nothing, pseudonymisation over every
//! role and every output, the audited identity opening, compartment leakage, and the audited
//! verification transitions.

use grotius_domain::incident::{
    Act, ImportFormat, IncidentInput, PersonIdentity, PersonInput, VictimCount,
};
use grotius_store::{Access, IncidentFilter, IncidentImportReport};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::{App, Instance, count};

const AWSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/incidents/awsd_security_incidents_2016-10-03.csv"
);
const YEMEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/incidents/yemen_data_project_air_raids.csv"
);

fn file(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        panic!("the data file {path} is required by this test and is missing (see /work/shared/data/README.md): {e}")
    })
}

/// The secret name used to detect leaks.
const REAL_NAME: &str = "Zahrawi Qumbleton";

pub(crate) fn sample_input(compartment: &str, classification: &str) -> IncidentInput {
    IncidentInput {
        title: "Shelling of a market (test)".into(),
        description: "Several shells hit the market.".into(),
        date: "2024-05-11".into(),
        date_precision: "day".into(),
        place: "Central market".into(),
        admin_area: "El Fasher".into(),
        place_precision: "admin".into(),
        country: Some("SD".into()),
        context: "Sudan — El Fasher".into(),
        reliability: "B".into(),
        credibility: "2".into(),
        acts: vec![Act {
            violation: "attack-on-civilians".into(),
            victims: vec![VictimCount {
                sex: "female".into(),
                age_group: "adult".into(),
                status: "civilian".into(),
                killed: 3,
                injured: 5,
                other: 0,
            }],
            source: "S-0001".into(),
            reliability: "B".into(),
            credibility: "2".into(),
        }],
        classification: classification.into(),
        compartment: Some(compartment.into()),
        ..Default::default()
    }
}

/// Imports `bytes` as confidential incidents of the Sudan evidence compartment, without a
/// progress report; `valid_rows_only` as the CLI's `--valid-rows-only`.
async fn import_into_sudan(
    documenter: &Access,
    format: ImportFormat,
    bytes: &[u8],
    valid_rows_only: bool,
) -> IncidentImportReport {
    documenter
        .import_incidents(
            format,
            bytes,
            "confidential",
            "evidence-sudan",
            valid_rows_only,
            &mut |_, _| {},
        )
        .await
        .unwrap()
}

async fn find_source_id(
    a: &Access,
    source: &str,
    source_id: &str,
    country: Option<&str>,
    year: i64,
    q: Option<&str>,
) -> grotius_domain::incident::Incident {
    let page = a
        .list_incidents(
            &IncidentFilter {
                source: Some(source.into()),
                country: country.map(str::to_string),
                year: Some(year),
                q: q.map(str::to_string),
                ..Default::default()
            },
            1000,
            0,
        )
        .await
        .unwrap();
    page.items
        .into_iter()
        .find(|i| i.source_id.as_deref() == Some(source_id))
        .unwrap_or_else(|| panic!("{source} #{source_id} not imported"))
}

#[tokio::test]
async fn awsd_import_counts_dates_and_is_idempotent() {
    let i = Instance::seeded().await;
    let documenter = i.access("documenter").await;
    let bytes = file(AWSD);
    let r = import_into_sudan(&documenter, ImportFormat::Awsd, &bytes, false).await;
    assert!(
        r.problems.is_empty(),
        "{:?}",
        &r.problems[..r.problems.len().min(5)]
    );
    assert_eq!((r.rows, r.imported), (2088, 2088));
    assert_eq!(count(&i.raw().await, "incidents").await, 2088);

    // "2,1997,1,,Rwanda,...": month precision, 3 internationals killed, 1 wounded, a point.
    let rw = find_source_id(&documenter, "awsd", "2", Some("RW"), 1997, None).await;
    assert_eq!(
        (rw.date.as_str(), rw.date_precision.as_str()),
        ("1997-01", "month")
    );
    assert_eq!((rw.killed(), rw.injured()), (3, 1));
    let aid = rw.aid.as_ref().unwrap();
    assert_eq!(
        (aid.internationals_killed, aid.internationals_wounded),
        (3, 1)
    );
    assert_eq!(aid.org_types, vec!["ingo"]);
    assert_eq!(aid.means, "shooting");
    assert_eq!(rw.place_precision, "point");
    assert!((rw.lat.unwrap() + 1.49984).abs() < 1e-6);
    // "35,1997,,,": year precision, no country.
    let y = find_source_id(&documenter, "awsd", "35", None, 1997, None).await;
    assert_eq!(
        (y.date.as_str(), y.date_precision.as_str()),
        ("1997", "year")
    );
    assert_eq!(y.country, None);

    // Again: nothing changes.
    let again = import_into_sudan(&documenter, ImportFormat::Awsd, &bytes, false).await;
    assert_eq!((again.imported, again.unchanged), (0, 2088));
    assert_eq!(count(&i.raw().await, "incidents").await, 2088);
}

#[tokio::test]
async fn yemen_import_counts_casualties_and_is_idempotent() {
    let i = Instance::seeded().await;
    let documenter = i.access("documenter").await;
    let bytes = file(YEMEN);
    let mut last = (0, 0);
    let r = documenter
        .import_incidents(
            ImportFormat::YemenRaids,
            &bytes,
            "confidential",
            "evidence-sudan",
            false,
            &mut |d, t| last = (d, t),
        )
        .await
        .unwrap();
    assert!(
        r.problems.is_empty(),
        "{:?}",
        &r.problems[..r.problems.len().min(5)]
    );
    assert_eq!((r.rows, r.imported), (22_485, 22_485));
    assert_eq!(last, (22_485, 22_485), "progress reaches the end");
    // "3,26/03/2015,Capital,Bani Al-Harith,Al-Sonblah Neighbourhood,Residential Area,Civilian,…,29,21,3,14,8,0,7"
    let x = find_source_id(
        &documenter,
        "yemen-dp",
        "3",
        Some("YE"),
        2015,
        Some("sonblah"),
    )
    .await;
    assert_eq!(
        (x.date.as_str(), x.date_precision.as_str()),
        ("2015-03-26", "day")
    );
    assert_eq!((x.killed(), x.injured()), (21, 8));
    let act = &x.acts[0];
    assert_eq!(act.violation, "attack-on-civilians");
    let child = act.victims.iter().find(|v| v.age_group == "child").unwrap();
    assert_eq!((child.killed, child.injured), (14, 7));
    let women = act.victims.iter().find(|v| v.sex == "female").unwrap();
    assert_eq!((women.killed, women.injured), (3, 0));
    assert!(x.extra.contains(&("max_air_raids".into(), "2".into())));
    let again = import_into_sudan(&documenter, ImportFormat::YemenRaids, &bytes, false).await;
    assert_eq!((again.imported, again.unchanged), (0, 22_485));
    assert_eq!(count(&i.raw().await, "incidents").await, 22_485);
}

#[tokio::test]
async fn malformed_files_name_row_and_column_and_store_nothing() {
    let i = Instance::seeded().await;
    let documenter = i.access("documenter").await;
    let header = "Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities ,Woman fatalities,Child fatalities,Injured ,Woman injured,Child injured, Confirmed Time,Time of Day,,\n";
    let csv = format!(
        "{header}1,26/03/2015,Capital,A,B,C,Civilian,R,1,2,0,1,0,0,0,0,0,2,Night,,\n\
         2,31/02/2015,Capital,A,B,C,Civilian,R,1,2,0,1,0,0,0,0,0,2,Night,,\n\
         3,27/03/2015,Capital,A,B,C,Civilian,R,1,2,0,several,0,0,0,0,0,2,Night,,\n"
    );
    let r = import_into_sudan(&documenter, ImportFormat::YemenRaids, csv.as_bytes(), false).await;
    assert_eq!(r.imported, 0);
    let named: Vec<(usize, &str)> = r
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        named,
        vec![(3, "Date"), (4, "Fatalities")],
        "{:?}",
        r.problems
    );
    assert_eq!(count(&i.raw().await, "incidents").await, 0);
    let audits_before = count(&i.raw().await, "audit_log").await;

    // A missing column: named, nothing stored even with --valid-rows-only.
    let missing = "Incident ID,Date,Governorate\n1,26/03/2015,Capital\n";
    let r = import_into_sudan(
        &documenter,
        ImportFormat::YemenRaids,
        missing.as_bytes(),
        true,
    )
    .await;
    assert!(
        r.problems
            .iter()
            .any(|p| p.row == 1 && p.column == "Fatalities" && p.message == "missing column")
    );
    assert_eq!(count(&i.raw().await, "incidents").await, 0);
    assert_eq!(count(&i.raw().await, "audit_log").await, audits_before);

    // With --valid-rows-only the good row goes in.
    let r = import_into_sudan(&documenter, ImportFormat::YemenRaids, csv.as_bytes(), true).await;
    assert_eq!((r.imported, r.problems.len()), (1, 2));
    assert_eq!(count(&i.raw().await, "incidents").await, 1);

    // The API answers 422 with the same report.
    let app = App::spawn_with(i, Default::default()).await;
    let token = app.token("documenter").await;
    let resp = app
        .client
        .post(app.url("/api/v1/incidents/import?format=yemen-raids&classification=confidential&compartment=evidence-sudan"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["problems"][0]["row"], 3);
    assert_eq!(v["problems"][0]["column"], "Date");
    // A form with a bad value changes nothing and names the field.
    let (s, v) = app
        .api(Method::POST, "/api/v1/incidents", &token, Some(json!({"title": "x", "date": "2024-13-01", "classification": "confidential", "compartment": "evidence-sudan"})))
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v.to_string().contains("date"), "{v}");
    assert_eq!(count(&app.instance.raw().await, "incidents").await, 1);
}

const ROLES: [&str; 13] = [
    "admin",
    "coordinator",
    "desk-officer",
    "analyst",
    "fund-officer",
    "fund-approver",
    "controller",
    "documenter",
    "custodian",
    "legal-adviser",
    "adviser",
    "partner",
    "auditor",
];

/// Every role, every output: no response contains the real name — only the custodian who opens
/// the identity (with a reason) sees it, and the opening is audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pseudonyms_never_leak_and_identity_opening_is_audited() {
    let app = App::spawn().await;
    let documenter = app.instance.access("documenter").await;
    let inc = documenter
        .create_incident(&sample_input("evidence-sudan", "confidential"))
        .await
        .unwrap();
    let person = documenter
        .add_incident_person(
            &inc.id,
            &PersonInput {
                role: "source".into(),
                consent: "given".into(),
                risk: "high".into(),
                identity: Some(PersonIdentity {
                    name: REAL_NAME.into(),
                    contact: "+000 555 0199".into(),
                    details: "Brother of the market guard.".into(),
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(person.pseudonym.starts_with("S-"), "{}", person.pseudonym);
    // The identity is stored encrypted, not with the instance keyring.
    let raw = app.instance.raw().await;
    let stored: String = sqlx::query("SELECT identity FROM person_identities")
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("identity");
    assert!(!stored.contains("Zahrawi"));
    assert!(
        app.instance
            .store
            .keyring()
            .decrypt(
                &format!("person_identities.identity:{}", person.id),
                &stored
            )
            .is_err()
    );

    let paths = [
        "/api/v1/incidents".to_string(),
        format!("/api/v1/incidents/{}", inc.id),
        format!("/api/v1/incidents/{}/persons", inc.id),
        "/api/v1/incidents/export".to_string(),
        "/api/v1/search?q=Zahrawi".to_string(),
        "/api/v1/search?q=market".to_string(),
    ];
    let pages = [
        "/incidents".to_string(),
        format!("/incidents/{}", inc.id),
        "/incidents.csv".to_string(),
        // (A search for the name itself would echo it in the search box.)
        "/search?q=market".to_string(),
    ];
    for role in ROLES {
        let token = app.token(role).await;
        for p in &paths {
            let (_, body) = app.api(Method::GET, p, &token, None).await;
            assert!(
                !body.to_string().contains("Zahrawi"),
                "{role} GET {p} leaks the name"
            );
        }
        let (_, hits) = app
            .api(Method::GET, "/api/v1/search?q=Zahrawi", &token, None)
            .await;
        assert_eq!(
            hits["total"].as_i64().unwrap_or(0),
            0,
            "{role}: the name is not indexed"
        );
        let b = app.browser(role).await;
        for p in &pages {
            let (_, body) = b.get(p).await;
            assert!(!body.contains("Zahrawi"), "{role} page {p} leaks the name");
        }
        // Opening: 404 for everyone but the custodian.
        let (s, body) = app
            .api(
                Method::POST,
                &format!("/api/v1/incidents/persons/{}/identity", person.id),
                &token,
                Some(json!({"reason": "Needed to arrange a protection measure."})),
            )
            .await;
        if role == "custodian" {
            assert_eq!(s, 200, "{body}");
            assert_eq!(body["identity"]["name"], REAL_NAME);
            assert_eq!(body["person"]["pseudonym"], person.pseudonym.as_str());
        } else {
            assert_eq!(s, 404, "{role}: {body}");
            assert!(!body.to_string().contains("Zahrawi"));
        }
    }
    // The pseudonym itself is visible to readers.
    let legal = app.token("legal-adviser").await;
    let (_, persons) = app
        .api(
            Method::GET,
            &format!("/api/v1/incidents/{}/persons", inc.id),
            &legal,
            None,
        )
        .await;
    assert_eq!(persons[0]["pseudonym"], person.pseudonym.as_str());
    assert_eq!(persons[0]["has_identity"], true);

    // A reason is required; the opening is audited with it.
    let custodian = app.token("custodian").await;
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/incidents/persons/{}/identity", person.id),
            &custodian,
            Some(json!({"reason": "why"})),
        )
        .await;
    assert_eq!(s, 422);
    let audit: Vec<(String, String, String)> = sqlx::query(
        "SELECT actor_name, outcome, detail FROM audit_log WHERE action = 'person-identity.open' ORDER BY seq",
    )
    .fetch_all(&raw)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("actor_name"), r.get("outcome"), r.get("detail")))
    .collect();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].0, "custodian");
    assert!(audit[0].2.contains("protection measure"), "{}", audit[0].2);
    assert!(!audit[0].2.contains("Zahrawi"));
    let denied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'person-identity.read' AND outcome = 'denied'")
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("n");
    assert!(
        denied >= 2,
        "denied attempts on the identity of a visible incident are audited"
    );
}

/// A reader outside the compartment (or below the classification) learns nothing: list, count,
/// totals, search, detail, persons, export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compartments_and_clearance_hide_incidents_everywhere() {
    let app = App::spawn().await;
    let op = app.instance.store.cli_operator();
    op.create_compartment(
        "evidence-test",
        "Evidence: test",
        "custodian only",
        grotius_domain::separation::WorkDomain::Evidence,
    )
    .await
    .unwrap();
    let cid = op.find_user_id("custodian").await.unwrap();
    op.add_member("evidence-test", &cid, "test").await.unwrap();
    let custodian = app.instance.access("custodian").await;
    let mut hidden = sample_input("evidence-test", "confidential");
    hidden.title = "Xylophonic hidden incident".into();
    // A country and a place no other incident has: the map must not give it away.
    hidden.country = Some("IS".into());
    hidden.lat = Some(64.14);
    hidden.lon = Some(-21.94);
    hidden.place_precision = "point".into();
    let hidden = custodian.create_incident(&hidden).await.unwrap();
    let mut secret = sample_input("evidence-sudan", "secret");
    secret.title = "Xylophonic secret incident".into();
    let secret = custodian.create_incident(&secret).await.unwrap();
    let mut visible = sample_input("evidence-sudan", "confidential");
    visible.title = "Xylophonic visible incident".into();
    let visible = custodian.create_incident(&visible).await.unwrap();

    // The legal adviser: member of evidence-sudan, cleared confidential.
    let token = app.token("legal-adviser").await;
    let (s, list) = app
        .api(Method::GET, "/api/v1/incidents", &token, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["killed"], 3, "totals only over readable incidents");
    assert_eq!(list["items"][0]["id"], visible.id.as_str());
    for id in [&hidden.id, &secret.id] {
        for p in [
            format!("/api/v1/incidents/{id}"),
            format!("/api/v1/incidents/{id}/persons"),
            format!("/api/v1/incidents/{id}/evidence"),
        ] {
            let (s, _) = app.api(Method::GET, &p, &token, None).await;
            assert_eq!(s, 404, "{p}");
        }
    }
    let (_, hits) = app
        .api(Method::GET, "/api/v1/search?q=Xylophonic", &token, None)
        .await;
    assert_eq!(hits["total"], 1, "{hits}");
    let (_, csv) = app
        .api(Method::GET, "/api/v1/incidents/export", &token, None)
        .await;
    let csv = csv.as_str().unwrap_or_default().to_string();
    assert!(
        csv.contains("visible") && !csv.contains("hidden") && !csv.contains("secret incident"),
        "{csv}"
    );
    let b = app.browser("legal-adviser").await;
    let (s, _) = b.get(&format!("/incidents/{}", hidden.id)).await;
    assert_eq!(s, 404);
    let (_, html) = b.get("/incidents").await;
    assert!(html.contains("visible") && !html.contains("hidden incident"));
    // The map and its table count readable incidents only.
    assert!(html.contains("<svg class=\"map\""), "the map is drawn");
    assert!(!html.contains("Iceland"), "no country of a hidden incident");
    assert!(!html.contains("64.25°"), "no place of a hidden incident");
    let (_, html) = app.browser("custodian").await.get("/incidents").await;
    assert!(
        html.contains("Iceland: 1 incidents"),
        "the custodian's map has it"
    );
    assert!(html.contains("64.25°, -21.75°"), "and its place");
    // The custodian sees all three; mediation roles see none (and no count).
    let (_, all) = app
        .api(
            Method::GET,
            "/api/v1/incidents",
            &app.token("custodian").await,
            None,
        )
        .await;
    assert_eq!(all["total"], 3);
    for role in ["coordinator", "analyst", "admin", "fund-officer"] {
        let t = app.token(role).await;
        let (s, _) = app.api(Method::GET, "/api/v1/incidents", &t, None).await;
        assert_eq!(s, 404, "{role}");
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/incidents/{}", visible.id),
                &t,
                None,
            )
            .await;
        assert_eq!(s, 404, "{role}");
        let (_, hits) = app
            .api(Method::GET, "/api/v1/search?q=Xylophonic", &t, None)
            .await;
        assert_eq!(hits["total"].as_i64().unwrap_or(0), 0, "{role}: {hits}");
    }
}

#[tokio::test]
async fn verification_moves_step_by_step_and_is_audited() {
    let i = Instance::seeded().await;
    let documenter = i.access("documenter").await;
    let legal = i.access("legal-adviser").await;
    let inc = documenter
        .create_incident(&sample_input("evidence-sudan", "confidential"))
        .await
        .unwrap();
    assert_eq!(inc.verification, "reported");
    // A jump is refused and changes nothing.
    assert!(
        documenter
            .verify_incident(&inc.id, "verified", "")
            .await
            .is_err()
    );
    assert_eq!(
        documenter.get_incident(&inc.id).await.unwrap().verification,
        "reported"
    );
    // The legal adviser reads but may not verify.
    assert!(matches!(
        legal.verify_incident(&inc.id, "plausible", "").await,
        Err(grotius_store::StoreError::Forbidden(_))
    ));
    let p = documenter
        .verify_incident(&inc.id, "plausible", "Two witnesses agree")
        .await
        .unwrap();
    assert_eq!(p.verification, "plausible");
    assert_eq!(p.verified_by.as_deref(), Some("documenter"));
    assert!(p.verified_at.unwrap() > 0);
    let custodian = i.access("custodian").await;
    let v = custodian
        .verify_incident(&inc.id, "verified", "Imagery matches")
        .await
        .unwrap();
    assert_eq!(
        (v.verification.as_str(), v.verified_by.as_deref()),
        ("verified", Some("custodian"))
    );
    let rows = sqlx::query("SELECT actor_name, detail FROM audit_log WHERE action = 'incident.verify' AND resource_id = $1 ORDER BY seq")
        .bind(&inc.id)
        .fetch_all(&i.raw().await)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let d: Value = serde_json::from_str(&rows[1].get::<String, _>("detail")).unwrap();
    assert_eq!(
        (d["from"].as_str(), d["to"].as_str(), d["by"].as_str()),
        (Some("plausible"), Some("verified"), Some("custodian"))
    );
    assert_eq!(d["at"].as_i64(), v.verified_at);
    assert_eq!(rows[1].get::<String, _>("actor_name"), "custodian");
}

#[tokio::test]
async fn vocabulary_is_editable_and_deprecated_terms_are_refused_for_new_acts() {
    let i = Instance::seeded().await;
    let admin = i.access("admin").await;
    let documenter = i.access("documenter").await;
    admin
        .add_violation_type(
            "attack-on-journalists",
            "Attack on journalists",
            "Aanval op journalisten",
        )
        .await
        .unwrap();
    assert!(
        documenter
            .add_violation_type("x-y", "X", "Y")
            .await
            .is_err()
    );
    let mut input = sample_input("evidence-sudan", "confidential");
    input.acts[0].violation = "attack-on-journalists".into();
    let inc = documenter.create_incident(&input).await.unwrap();
    admin
        .set_violation_deprecated("attack-on-journalists", true)
        .await
        .unwrap();
    // New acts cannot use it; the existing incident keeps it and can still be edited.
    assert!(documenter.create_incident(&input).await.is_err());
    input.title = "Edited".into();
    documenter.update_incident(&inc.id, &input).await.unwrap();
    let terms = documenter.violation_types().await.unwrap();
    assert!(
        terms
            .iter()
            .any(|t| t.code == "attack-on-journalists" && t.deprecated)
    );
}

#[tokio::test]
async fn the_demo_has_incidents_in_two_contexts() {
    let i = Instance::demo().await;
    let custodian = i.access("custodian").await;
    let page = custodian
        .list_incidents(&Default::default(), 100, 0)
        .await
        .unwrap();
    assert!(page.total >= 12, "{}", page.total);
    let countries: std::collections::BTreeSet<_> = page
        .items
        .iter()
        .filter_map(|i| i.country.clone())
        .collect();
    assert!(countries.contains("SD") && countries.contains("YE"));
    let market = page
        .items
        .iter()
        .find(|i| i.title.contains("Naivasha"))
        .unwrap();
    assert!(
        !custodian
            .incident_evidence(&market.id)
            .await
            .unwrap()
            .is_empty()
    );
    let roles: std::collections::BTreeSet<String> = {
        let mut r = std::collections::BTreeSet::new();
        for inc in &page.items {
            for p in custodian.incident_persons(&inc.id).await.unwrap() {
                r.insert(p.role);
            }
        }
        r
    };
    assert_eq!(roles.len(), 4, "{roles:?}");
    // Seeding again adds nothing.
    grotius::demo::seed(&i.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        custodian
            .list_incidents(&Default::default(), 1, 0)
            .await
            .unwrap()
            .total,
        page.total
    );
}

#[tokio::test]
async fn cli_import_reports_rows_and_is_idempotent() {
    let i = Instance::seeded().await;
    let run = |file: &std::path::Path, extra: &[&str]| {
        let mut cmd = std::process::Command::new(crate::harness::bin());
        cmd.args(["import", "awsd", "--data"])
            .arg(i.data())
            .args(i.database_args())
            .arg(file)
            .args(["--compartment", "evidence-sudan", "--as", "documenter"])
            .args(extra);
        cmd.output().unwrap()
    };
    let bad = i.data().join("bad.csv");
    std::fs::write(&bad, "Incident ID,Year,Month\n1,1997,13\n").unwrap();
    let out = run(&bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("row 1, column Country: missing column"),
        "{text}"
    );
    let out = run(std::path::Path::new(AWSD), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2088 rows read, 2088 valid, 2088 imported"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2088/2088 incidents"));
    let out = run(std::path::Path::new(AWSD), &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 imported, 2088 already imported"));
    assert_eq!(count(&i.raw().await, "incidents").await, 2088);
}

/// The UI end to end: a form with a bad value names the field, repeats the input and stores
/// nothing; a good one creates the incident with its act; persons get pseudonyms on the page;
/// the upload form imports a file and shows the per-row report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_creates_edits_and_imports() {
    let app = App::spawn().await;
    let b = app.browser("documenter").await;
    let form = |date: &'static str| {
        vec![
            ("title", "Checkpoint shooting (UI)"),
            ("date", date),
            ("date_precision", "day"),
            ("place_precision", "country"),
            ("country", "SD"),
            ("reliability", "C"),
            ("credibility", "3"),
            ("violation", "attack-on-civilians"),
            ("sex", "male"),
            ("age_group", "adult"),
            ("status", "civilian"),
            ("killed", "2"),
            ("injured", "1"),
            ("act_reliability", "C"),
            ("act_credibility", "3"),
            ("classification", "confidential"),
            ("compartment", "evidence-sudan"),
        ]
    };
    let (s, html, _) = b.post("/incidents", &form("2024-02-30")).await;
    assert_eq!(s, 422);
    assert!(
        html.contains("date is invalid") && html.contains("Checkpoint shooting (UI)"),
        "{html}"
    );
    assert_eq!(count(&app.instance.raw().await, "incidents").await, 0);
    let (s, _, loc) = b.post("/incidents", &form("2024-02-29")).await;
    assert_eq!(s, 303);
    let loc = loc.unwrap();
    let (s, _, _) = b
        .post(
            &format!("{loc}/persons"),
            &[
                ("role", "victim"),
                ("consent", "given"),
                ("risk", "high"),
                ("sex", "male"),
                ("age_group", "adult"),
                ("reliability", "F"),
                ("credibility", "6"),
                ("name", "Qorvath Demo"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page) = b.get(&loc).await;
    assert!(
        page.contains("V-0001") && !page.contains("Qorvath"),
        "{page}"
    );
    assert!(page.contains("Attack on civilians"));
    let (s, _, _) = b
        .post(
            &format!("{loc}/verify"),
            &[("to", "verified"), ("note", "")],
        )
        .await;
    assert_eq!(s, 422, "a jump is refused on the page");

    // The upload form (multipart, CSRF in the query string) with a bad row: the report.
    let csrf = crate::harness::csrf_of(&b.get("/incidents/import").await.1).unwrap();
    let csv = "Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities,Woman fatalities,Child fatalities,Injured,Woman injured,Child injured,Confirmed Time,Time of Day\n1,26/03/2015,Capital,A,B,C,Civilian,R,1,2,0,1,0,0,0,0,0,2,Night\n2,26/13/2015,Capital,A,B,C,Civilian,R,1,2,0,1,0,0,0,0,0,2,Night\n";
    let r = post_import_form(&b, &app, &csrf, csv).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("<td>3</td><td>Date</td>"), "{html}");
    assert_eq!(count(&app.instance.raw().await, "incidents").await, 1);
}

#[tokio::test]
async fn consent_withdrawn_and_risk_raised_are_recorded_with_the_reason() {
    let i = Instance::seeded().await;
    let documenter = i.access("documenter").await;
    let inc = documenter
        .create_incident(&sample_input("evidence-sudan", "confidential"))
        .await
        .unwrap();
    let person = documenter
        .add_incident_person(
            &inc.id,
            &PersonInput {
                role: "victim".into(),
                consent: "given".into(),
                risk: "medium".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Bad values and a missing reason change nothing.
    for (consent, risk, note) in [
        ("maybe", "high", "threats after the interview"),
        ("withdrawn", "extreme", "threats after the interview"),
        ("withdrawn", "high", ""),
    ] {
        let e = documenter
            .set_person_safeguards(&inc.id, &person.id, consent, risk, note)
            .await
            .unwrap_err();
        assert!(matches!(e, grotius_store::StoreError::Invalid(_)), "{e:?}");
    }
    // A person of another incident is not found through this one.
    let other = documenter
        .create_incident(&sample_input("evidence-sudan", "confidential"))
        .await
        .unwrap();
    assert!(matches!(
        documenter
            .set_person_safeguards(&other.id, &person.id, "withdrawn", "high", "wrong incident")
            .await,
        Err(grotius_store::StoreError::NotFound)
    ));
    // The legal adviser reads but may not change; a mediation analyst learns nothing.
    assert!(
        i.access("legal-adviser")
            .await
            .set_person_safeguards(&inc.id, &person.id, "withdrawn", "high", "not mine to say")
            .await
            .is_err()
    );
    assert!(matches!(
        i.access("analyst")
            .await
            .set_person_safeguards(&inc.id, &person.id, "withdrawn", "high", "not mine to say")
            .await,
        Err(grotius_store::StoreError::NotFound)
    ));
    let persons = documenter.incident_persons(&inc.id).await.unwrap();
    assert_eq!(
        (persons[0].consent.as_str(), persons[0].risk.as_str()),
        ("given", "medium")
    );

    let p = documenter
        .set_person_safeguards(
            &inc.id,
            &person.id,
            "withdrawn",
            "high",
            "Family threatened after the interview; withdraws consent",
        )
        .await
        .unwrap();
    assert_eq!((p.consent.as_str(), p.risk.as_str()), ("withdrawn", "high"));
    let raw = i.raw().await;
    let detail: String = sqlx::query(
        "SELECT detail FROM audit_log WHERE action = 'incident.person.safeguards' AND outcome = 'ok' AND resource_id = $1",
    )
    .bind(&person.id)
    .fetch_one(&raw)
    .await
    .unwrap()
    .get("detail");
    let d: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(d["consent"], json!(["given", "withdrawn"]));
    assert_eq!(d["risk"], json!(["medium", "high"]));
    assert!(d["note"].as_str().unwrap().contains("Family threatened"));
}

/// The API and the page start an import of a checked file as a job and answer at once; the job
/// writes in batches with its progress readable by anyone who may import into the compartment
/// (not found for everyone else); importing the same file again writes nothing new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_runs_as_a_job_with_progress_and_a_report() {
    let app = App::spawn().await;
    let token = app.token("documenter").await;
    let before = count(&app.instance.raw().await, "incidents").await;
    let mut csv = String::from(
        "Incident ID,Date,Governorate,District,Area,Target,Main category,Sub-category,Min Air Raids,Max Air Raids,Civilian Casualties,Fatalities,Woman fatalities,Child fatalities,Injured,Woman injured,Child injured,Confirmed Time,Time of Day\n",
    );
    for n in 0..1_203 {
        csv.push_str(&format!(
            "job-{n},{:02}/04/2016,Taiz,Al Mudhaffar,Market,Shops,Civilian,Market,1,2,0,{},0,0,1,0,0,2,Day\n",
            1 + n % 28,
            n % 4
        ));
    }
    let start = |csv: String| {
        let app = &app;
        let token = token.clone();
        async move {
            let r = app
                .client
                .post(app.url("/api/v1/incidents/import?format=yemen-raids&classification=confidential&compartment=evidence-sudan"))
                .bearer_auth(&token)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 202);
            let v: Value = r.json().await.unwrap();
            assert_eq!(
                v["status_url"],
                format!("/api/v1/incidents/imports/{}", v["id"].as_str().unwrap())
            );
            v["status_url"].as_str().unwrap().to_string()
        }
    };
    let wait = |url: String| {
        let app = &app;
        let token = token.clone();
        async move {
            for _ in 0..600 {
                let (s, v) = app.api(Method::GET, &url, &token, None).await;
                assert_eq!(s, 200, "{v}");
                if v["status"] != "running" {
                    return v;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("the import job did not finish in 60 s");
        }
    };
    let url = start(csv.clone()).await;
    let job = wait(url.clone()).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        (job["rows_total"].as_i64(), job["rows_done"].as_i64()),
        (Some(1203), Some(1203))
    );
    assert_eq!(job["report"]["imported"], 1203);
    assert_eq!(job["report"]["unchanged"], 0);
    assert_eq!(job["compartment"], "evidence-sudan");
    assert_eq!(
        count(&app.instance.raw().await, "incidents").await,
        before + 1203
    );
    // Three batches, each audited with its progress.
    let raw = app.instance.raw().await;
    let batches: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'incident.import' AND detail LIKE '%\"of\":1203%'",
    )
    .fetch_one(&raw)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(batches, 3);

    // Nobody outside the import rights learns anything of the job.
    for role in ["analyst", "legal-adviser", "coordinator", "auditor"] {
        let t = app.token(role).await;
        let (s, _) = app.api(Method::GET, &url, &t, None).await;
        assert_eq!(s, 404, "{role}");
    }

    // The same file again: checked, nothing new written.
    let again = wait(start(csv.clone()).await).await;
    assert_eq!(again["status"], "done");
    assert_eq!(
        (
            again["rows_total"].as_i64(),
            again["report"]["unchanged"].as_i64()
        ),
        (Some(0), Some(1203))
    );
    assert_eq!(
        count(&app.instance.raw().await, "incidents").await,
        before + 1203
    );

    // The page: the form redirects to the job's page, which shows the report.
    let b = app.browser("documenter").await;
    let csrf = crate::harness::csrf_of(&b.get("/incidents/import").await.1).unwrap();
    let r = post_import_form(&b, &app, &csrf, &csv).await;
    assert_eq!(r.status(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_string();
    assert!(page.starts_with("/incidents/imports/"), "{page}");
    let api = page.replace("/incidents/", "/api/v1/incidents/");
    wait(api).await;
    let (s, html) = b.get(&page).await;
    assert_eq!(s, 200);
    assert!(html.contains("raids.csv"), "{html}");
    assert!(html.contains("1203"), "{html}");
    let b = app.browser("analyst").await;
    assert_eq!(b.get(&page).await.0, 404);
}

/// Posts the import form (multipart, CSRF in the query string) with a Yemen raids file.
async fn post_import_form(
    b: &crate::harness::Browser,
    app: &App,
    csrf: &str,
    csv: &str,
) -> reqwest::Response {
    let (content_type, body) = crate::documents::multipart(
        &[
            ("format", "yemen-raids"),
            ("classification", "confidential"),
            ("compartment", "evidence-sudan"),
        ],
        Some(("raids.csv", csv.as_bytes())),
    );
    b.client
        .post(app.url(&format!("/incidents/import?_csrf={csrf}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}
