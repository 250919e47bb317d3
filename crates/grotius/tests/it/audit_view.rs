//! The audit log under labels: an auditor without the clearance or the compartment of a record
//! sees that something happened to a record of that kind — when, by whom, with what outcome —
//! but not which record nor its particulars (ids, titles, file names, other ends), in the page,
//! the API and the CSV; filtering by a hidden record's id finds nothing. A cleared auditor who
//! belongs to the compartment sees everything, and the chain still verifies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, PASSWORD};

/// Records in the yemen compartment (secret or confidential) with activity on them; returns
/// the strings that identify them.
async fn hidden_activity(app: &App) -> Vec<String> {
    let coordinator = app.token("coordinator").await;
    let process = app.create("/api/v1/processes", &coordinator, json!({"title": "Qamar back channel", "phase": "negotiation", "tracks": ["1.5"], "dutch_role": "support", "status": "active", "classification": "secret", "compartment": "yemen"})).await;
    let (s, p) = app
        .api(Method::PUT, &format!("/api/v1/processes/{process}"), &coordinator, Some(json!({"title": "Qamar back channel, second round", "phase": "negotiation", "tracks": ["1.5"], "dutch_role": "support", "status": "active", "classification": "secret", "compartment": "yemen"})))
        .await;
    assert_eq!(s, 200, "{p}");
    let actor = |name: &str, classification: &str, compartment: Option<&str>| json!({"name": name, "kind": "person", "category": "mediator", "classification": classification, "compartment": compartment});
    let (s, open) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &coordinator,
            Some(actor("Open mediator", "public", None)),
        )
        .await;
    assert_eq!(s, 201, "{open}");
    let (s, hidden) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &coordinator,
            Some(actor("Qamar intermediary", "confidential", Some("yemen"))),
        )
        .await;
    assert_eq!(s, 201, "{hidden}");
    let (s, rel) = app
        .api(Method::POST, "/api/v1/relationships", &coordinator, Some(json!({"from_actor": open["id"], "to_actor": hidden["id"], "kind": "knows", "classification": "confidential", "compartment": "yemen"})))
        .await;
    assert_eq!(s, 201, "{rel}");
    let (s, doc) = crate::documents::post_multipart(
        app,
        "/api/v1/documents",
        &coordinator,
        &[
            ("title", "Qamar prisoner list"),
            ("classification", "secret"),
            ("compartment", "yemen"),
        ],
        Some(("qamar-prisoners.txt", b"Names of the detainees.")),
    )
    .await;
    assert_eq!(s, 201, "{doc}");
    // A denied attempt on the secret process is audited with its id.
    let analyst = app.token("analyst").await;
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{process}"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 404);
    vec![
        process,
        hidden["id"].as_str().unwrap().to_string(),
        rel["id"].as_str().unwrap().to_string(),
        doc["id"].as_str().unwrap().to_string(),
        "qamar-prisoners.txt".to_string(),
        "Qamar".to_string(),
    ]
}

/// The API page, every UI page and the CSV, as text.
async fn three_views(app: &App, username: &str) -> (Value, String, String) {
    let token = app.token(username).await;
    let (s, api) = app
        .api(Method::GET, "/api/v1/audit?limit=500", &token, None)
        .await;
    assert_eq!(s, 200, "{api}");
    let browser = app.browser(username).await;
    let mut html = String::new();
    let mut offset = 0;
    loop {
        let (s, page) = browser.get(&format!("/audit?offset={offset}")).await;
        assert_eq!(s, 200);
        html.push_str(&page);
        if !page.contains("rel=\"next\"") {
            break;
        }
        offset += 100;
    }
    let (s, csv) = browser.get("/audit.csv").await;
    assert_eq!(s, 200);
    (api, html, csv)
}

#[tokio::test]
async fn an_auditor_sees_no_detail_of_records_above_her_clearance_or_outside_her_compartments() {
    let app = App::spawn().await;
    let secrets = hidden_activity(&app).await;
    let process = &secrets[0];

    // The demo auditor: internal clearance, no compartments.
    let (api, html, csv) = three_views(&app, "auditor").await;
    let api_text = api.to_string();
    for secret in &secrets {
        assert!(!api_text.contains(secret.as_str()), "API shows {secret}");
        assert!(!html.contains(secret.as_str()), "page shows {secret}");
        assert!(!csv.contains(secret.as_str()), "CSV shows {secret}");
    }
    // The entries are there: action, time, actor and kind, the record withheld.
    let items = api["items"].as_array().unwrap();
    let withheld = |action: &str| {
        items.iter().any(|e| {
            e["action"] == action
                && e["actor_name"] == "coordinator"
                && e["resource_id"] == grotius_store::WITHHELD_ID
                && e["detail"] == grotius_store::WITHHELD_DETAIL
                && e["at"].as_i64().unwrap() > 0
        })
    };
    for action in [
        "process.create",
        "process.update",
        "actor.create",
        "relationship.create",
        "document.create",
    ] {
        assert!(
            withheld(action),
            "{action} is listed with its record withheld"
        );
    }
    assert!(
        items
            .iter()
            .any(|e| e["action"] == "process.read" && e["outcome"] == "denied"),
        "the denial is listed"
    );
    // Entries about records she may see stay whole (the public actor's creation).
    assert!(
        items.iter().any(
            |e| e["action"] == "actor.create" && e["resource_id"] != grotius_store::WITHHELD_ID
        ),
        "entries about visible records keep their id"
    );
    // Filtering by a hidden record's id finds nothing, as for an id that never existed.
    let token = app.token("auditor").await;
    for id in [process.as_str(), "01890000-0000-7000-8000-000000000000"] {
        let (s, v) = app
            .api(
                Method::GET,
                &format!("/api/v1/audit?resource_id={id}"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["total"], 0, "{v}");
    }

    // A cleared auditor who belongs to yemen sees it all.
    let op = app.instance.store.cli_operator();
    let cleared = op
        .create_user(&grotius_store::NewUser {
            username: "auditor-yemen".into(),
            display_name: "Cleared auditor".into(),
            password: PASSWORD.into(),
            roles: vec![grotius_domain::Role::Auditor],
            clearance: grotius_domain::Classification::Secret,
            organisation: None,
        })
        .await
        .unwrap();
    op.add_member("yemen", &cleared.id, "audits the yemen compartment")
        .await
        .unwrap();
    let (api, html, csv) = three_views(&app, "auditor-yemen").await;
    let api_text = api.to_string();
    for secret in secrets.iter().filter(|s| s.as_str() != "Qamar") {
        assert!(
            api_text.contains(secret.as_str()),
            "the cleared auditor's API shows {secret}"
        );
        assert!(
            csv.contains(secret.as_str()),
            "the cleared auditor's CSV shows {secret}"
        );
    }
    assert!(
        html.contains(process.as_str()),
        "the cleared auditor's page"
    );
    let (s, v) = app
        .api(
            Method::GET,
            &format!("/api/v1/audit?resource_id={process}"),
            &app.token("auditor-yemen").await,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(v["total"].as_i64().unwrap() >= 3, "{v}");

    // Reading the log changed nothing in it: the chain verifies.
    app.instance.store.verify_audit().await.unwrap();
}
