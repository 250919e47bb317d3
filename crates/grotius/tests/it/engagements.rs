//! The engagements journal: labelled like its process, participants shown only where the
//! reader may see them, bad input refused with the field named.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, count};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_follows_its_process_and_hides_participants() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let yemen = app.process_id(&coord, "Yemen: Taiz").await;
    let actor = |name: &str, c: &str, comp: Option<&str>| json!({"name": name, "kind": "person", "category": "mediator", "classification": c, "compartment": comp});
    let (_, open_actor) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &coord,
            Some(actor("Open mediator", "internal", None)),
        )
        .await;
    let (_, hidden_actor) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &coord,
            Some(actor("Hidden mediator", "confidential", Some("yemen"))),
        )
        .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();

    let entry = |c: &str, comp: Option<&str>, participants: Vec<String>| {
        json!({"date": "2026-10-15", "kind": "meeting", "track": "I", "place": "Juba", "participants": participants,
               "summary": "Talked sequencing.", "notes": "Names stay in the unit.", "classification": c, "compartment": comp})
    };
    let (s, e) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{internal}/engagements"),
            &coord,
            Some(entry(
                "internal",
                None,
                vec![id(&open_actor), id(&hidden_actor)],
            )),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{yemen}/engagements"),
            &coord,
            Some(entry("confidential", Some("yemen"), vec![])),
        )
        .await;
    assert_eq!(s, 201);

    // The coordinator sees both participants; the analyst only the one it may see.
    let (_, mine) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{internal}/engagements"),
            &coord,
            None,
        )
        .await;
    assert_eq!(
        mine["items"][0]["participants"].as_array().unwrap().len(),
        2
    );
    let analyst = app.token("analyst").await;
    let (s, theirs) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{internal}/engagements"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        theirs["items"][0]["participants"],
        json!([id(&open_actor)]),
        "the hidden participant is not even hinted at"
    );
    assert_eq!(theirs["items"][0]["notes"], "Names stay in the unit.");
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{yemen}/engagements"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 404, "a hidden process has no journal for the outsider");
    let b = app.browser("analyst").await;
    let (_, html) = b.get(&format!("/processes/{internal}")).await;
    assert!(
        html.contains("Open mediator") && !html.contains("Hidden mediator"),
        "the page shows only visible participants"
    );

    // Labels at least as strict as the process; participants must exist for the writer.
    let raw = app.instance.raw().await;
    let before = count(&raw, "engagements").await;
    for (body, field) in [
        (entry("internal", Some("yemen"), vec![]), "compartment"),
        (entry("public", None, vec![]), "classification"),
        (
            json!({"date": "15-10-2026", "kind": "meeting", "track": "I", "summary": "x", "classification": "internal"}),
            "date",
        ),
        (
            json!({"date": "2026-10-15", "kind": "dinner", "track": "I", "summary": "x", "classification": "internal"}),
            "engagement kind",
        ),
        (
            entry("internal", None, vec!["no-such-actor".into()]),
            "participants",
        ),
    ] {
        app.assert_invalid(
            Method::POST,
            &format!("/api/v1/processes/{internal}/engagements"),
            &coord,
            Some(body),
            field,
        )
        .await;
    }
    let desk = app.token("desk-officer").await;
    let (s, e) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{internal}/engagements"),
            &desk,
            Some(entry("internal", None, vec![id(&hidden_actor)])),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(count(&raw, "engagements").await, before);

    // Deleting the process takes its journal along, audited entry by entry.
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/processes/{internal}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(count(&raw, "engagements").await, before - 1);
    app.instance.store.verify_audit().await.unwrap();
}
