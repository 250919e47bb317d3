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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_is_edited_without_losing_what_the_editor_cannot_see() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let actor = |name: &str, c: &str, comp: Option<&str>| json!({"name": name, "kind": "person", "category": "mediator", "classification": c, "compartment": comp, "country": "SS"});
    let open_actor = app
        .create(
            "/api/v1/actors",
            &coord,
            actor("Open envoy", "internal", None),
        )
        .await;
    let hidden_actor = app
        .create(
            "/api/v1/actors",
            &coord,
            actor("Hidden envoy", "confidential", Some("yemen")),
        )
        .await;
    let entry = json!({"date": "2026-10-15", "kind": "meeting", "track": "I", "place": "Juba",
        "participants": [open_actor, hidden_actor], "summary": "Talked sequencing.", "notes": "",
        "classification": "internal", "compartment": null});
    let id = app
        .create(
            &format!("/api/v1/processes/{internal}/engagements"),
            &coord,
            entry,
        )
        .await;

    // The desk officer (no Yemen compartment) reads the entry without the hidden participant …
    let desk = app.token("desk-officer").await;
    let (s, seen) = app
        .api(
            Method::GET,
            &format!("/api/v1/engagements/{id}"),
            &desk,
            None,
        )
        .await;
    assert_eq!(s, 200, "{seen}");
    assert_eq!(seen["participants"], json!([open_actor]));

    // … edits it through the form: the page offers only actors she may see, keeps what she typed
    // when a field is refused, and names the field.
    let b = app.browser("desk-officer").await;
    let (s, html) = b.get(&format!("/engagements/{id}/edit")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Open envoy") && !html.contains("Hidden envoy"));
    assert!(
        html.contains("Talked sequencing."),
        "the form holds the entry"
    );
    let (s, html, _) = b
        .post(
            &format!("/engagements/{id}"),
            &[
                ("date", "16-10-2026"),
                ("kind", "meeting"),
                ("track", "I"),
                ("place", "Juba"),
                ("participants", &open_actor),
                ("summary", "Agreed the agenda."),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        html.contains("field-error") && html.contains("Agreed the agenda."),
        "the refused date is named beside its field and the summary kept"
    );
    let (s, _, location) = b
        .post(
            &format!("/engagements/{id}"),
            &[
                ("date", "2026-10-16"),
                ("kind", "meeting"),
                ("track", "I"),
                ("place", "Juba"),
                ("summary", "Agreed the agenda."),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let location = location.unwrap();
    assert!(location.starts_with(&format!("/processes/{internal}?saved=")));
    let (_, page) = b.get(&location).await;
    assert!(page.contains("Engagement saved") && page.contains("Agreed the agenda."));

    // She removed the open participant; the hidden one, which she never saw, stays.
    let (_, after) = app
        .api(
            Method::GET,
            &format!("/api/v1/engagements/{id}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(after["summary"], "Agreed the agenda.");
    assert_eq!(after["date"], "2026-10-16");
    assert_eq!(after["participants"], json!([hidden_actor]));
    assert!(
        app.audit_actions(&id)
            .await
            .contains(&"engagement.update".to_string())
    );

    // An analyst reads the journal but may not edit it.
    let analyst = app.token("analyst").await;
    let (s, _) = app
        .api(
            Method::PUT,
            &format!("/api/v1/engagements/{id}"),
            &analyst,
            Some(json!({"date": "2026-10-17", "kind": "meeting", "track": "I", "summary": "x", "classification": "internal"})),
        )
        .await;
    assert_eq!(s, 403);
    app.instance.store.verify_audit().await.unwrap();
}
