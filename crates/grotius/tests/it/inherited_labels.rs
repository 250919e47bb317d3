//! One rule for inherited labels: the records of a process (engagements, analyses, debriefs,
//! participation) and the documents linked to it are labelled at least as strictly as the
//! process — also after the process moves to another compartment or is raised. A member of the
//! old compartment only finds nothing of them afterwards, through any channel.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::documents::post_multipart;
use crate::harness::App;

async fn get(app: &App, token: &str, path: &str) -> (u16, Value) {
    app.api(Method::GET, path, token, None).await
}

async fn post(app: &App, token: &str, path: &str, body: Value) -> String {
    let (s, v) = app.api(Method::POST, path, token, Some(body)).await;
    assert_eq!(s, 201, "{path}: {v}");
    v["id"].as_str().unwrap().to_string()
}

fn process_body(classification: &str, compartment: Option<&str>, summary: &str) -> Value {
    json!({"title": "Relabel channel", "countries": ["SD"], "phase": "negotiation",
           "tracks": ["I"], "dutch_role": "support", "status": "active", "themes": ["water"],
           "summary": summary, "classification": classification, "compartment": compartment})
}

/// Every search channel for `word`, as the reader sees it: hits, total, facets, suggestions.
async fn search_channels(app: &App, token: &str, word: &str) -> (Value, Value) {
    let (s, r) = get(app, token, &format!("/api/v1/search?q={word}&limit=100")).await;
    assert_eq!(s, 200, "{r}");
    let prefix = &word[..word.len() - 3];
    let (s, sug) = get(app, token, &format!("/api/v1/search/suggest?q={prefix}")).await;
    assert_eq!(s, 200, "{sug}");
    (r, sug)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_follow_their_process_into_another_compartment_on_every_channel() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    // The desk officer belongs to horn-of-africa only (confidential clearance).
    let desk = app.token("desk-officer").await;
    let word = "quorvantiblex";

    let p = post(
        &app,
        &coord,
        "/api/v1/processes",
        process_body(
            "confidential",
            Some("horn-of-africa"),
            "An ordinary summary",
        ),
    )
    .await;
    let hoa = |extra: Value| {
        let mut v = json!({"classification": "confidential", "compartment": "horn-of-africa"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let engagement = post(
        &app,
        &coord,
        &format!("/api/v1/processes/{p}/engagements"),
        hoa(
            json!({"date": "2026-11-01", "kind": "meeting", "track": "I", "place": "Addis",
                   "summary": format!("{word} met the envoy")}),
        ),
    )
    .await;
    let debrief = post(
        &app,
        &coord,
        &format!("/api/v1/processes/{p}/debriefs"),
        hoa(json!({"moment": "turning-point", "date": "2026-01-12",
                   "case_title": format!("{word} turning point"), "started_on": "2025-01-01",
                   "key_lessons": format!("{word} lesson")})),
    )
    .await;
    let analysis = post(
        &app,
        &coord,
        &format!("/api/v1/processes/{p}/analyses"),
        hoa(
            json!({"kind": "conflict-analysis", "title": format!("{word} analysis"),
                   "body": "Drivers."}),
        ),
    )
    .await;
    let participation = post(
        &app,
        &coord,
        &format!("/api/v1/processes/{p}/participation"),
        hoa(json!({"role": "mediator", "sex": "female", "seniority": "head", "count": 1})),
    )
    .await;
    let (s, d) = post_multipart(
        &app,
        "/api/v1/documents",
        &coord,
        &[
            ("title", &format!("{word} briefing")),
            ("classification", "confidential"),
            ("compartment", "horn-of-africa"),
            ("processes", &p),
        ],
        Some(("briefing.txt", format!("{word} briefing text").as_bytes())),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let document = d["id"].as_str().unwrap().to_string();

    // Before the move the desk officer reads them all: the test would prove nothing otherwise.
    let details = [
        format!("/api/v1/processes/{p}"),
        format!("/api/v1/processes/{p}/engagements"),
        format!("/api/v1/debriefs/{debrief}"),
        format!("/api/v1/analyses/{analysis}"),
        format!("/api/v1/processes/{p}/participation"),
        format!("/api/v1/documents/{document}"),
    ];
    for path in &details {
        let (s, v) = get(&app, &desk, path).await;
        assert_eq!(s, 200, "{path}: {v}");
    }
    let (r, sug) = search_channels(&app, &desk, word).await;
    assert_eq!(r["total"], 3, "engagement, debrief and document: {r}");
    assert!(sug.to_string().contains(word), "{sug}");

    // The process moves to yemen (the coordinator belongs to both).
    let (s, v) = app
        .api(
            Method::PUT,
            &format!("/api/v1/processes/{p}"),
            &coord,
            Some(process_body(
                "confidential",
                Some("yemen"),
                "An ordinary summary",
            )),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // A member of the old compartment only: nothing, on any channel.
    let old_member_sees_nothing = async |app: &App| {
        for path in &details {
            let (s, v) = get(app, &desk, path).await;
            assert_eq!(s, 404, "{path}: {v}");
        }
        let (r, sug) = search_channels(app, &desk, word).await;
        assert_eq!(r["total"], 0, "{r}");
        assert_eq!(r["hits"], json!([]), "{r}");
        for f in ["kind", "country", "year", "theme"] {
            assert_eq!(r["facets"][f], json!({}), "facet {f}: {r}");
        }
        assert!(!sug.to_string().contains(word), "{sug}");
        let (s, l) = get(app, &desk, &format!("/api/v1/lessons/search?q={word}")).await;
        assert_eq!(s, 200, "{l}");
        assert!(!l.to_string().contains(&debrief), "{l}");
        let (s, l) = get(app, &desk, "/api/v1/documents?limit=500").await;
        assert_eq!(s, 200, "{l}");
        assert!(!l.to_string().contains(&document), "{l}");
        let b = app.browser("desk-officer").await;
        let (s, html) = b.get(&format!("/search?q={word}")).await;
        assert_eq!(s, 200);
        assert!(!html.contains(&format!("<mark>{word}</mark>")), "{html}");
        for path in [
            format!("/debriefs/{debrief}"),
            format!("/documents/{document}"),
        ] {
            let (s, _) = b.get(&path).await;
            assert_eq!(s, 404, "{path}");
        }
    };
    old_member_sees_nothing(&app).await;

    // The children are relabelled in storage, on the change feed and in the audit log.
    let pool = app.instance.raw().await;
    for (table, id) in [
        ("engagements", &engagement),
        ("debriefs", &debrief),
        ("analyses", &analysis),
        ("participation", &participation),
        ("documents", &document),
    ] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT compartment_id FROM {table} WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            row.get::<Option<String>, _>("compartment_id").as_deref(),
            Some("yemen"),
            "{table}"
        );
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM change_feed WHERE resource_id = $1 AND op = 'upsert'",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
        assert!(n >= 2, "{table} {id}: created and relabelled on the feed");
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE resource_id = $1 AND action LIKE '%.relabel'",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
        assert_eq!(n, 1, "{table}: the relabel is audited");
    }

    // The coordinator, in yemen, still finds them all.
    let (r, _) = search_channels(&app, &coord, word).await;
    assert_eq!(r["total"], 3, "{r}");

    // Raised out of any compartment to secret: the children keep yemen (stricter) and are
    // raised to secret; the desk officer (confidential) still sees nothing.
    let (s, v) = app
        .api(
            Method::PUT,
            &format!("/api/v1/processes/{p}"),
            &coord,
            Some(process_body("secret", None, "An ordinary summary")),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let row = sqlx::query("SELECT classification, compartment_id FROM engagements WHERE id = $1")
        .bind(&engagement)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("classification"), 3);
    assert_eq!(
        row.get::<Option<String>, _>("compartment_id").as_deref(),
        Some("yemen")
    );
    old_member_sees_nothing(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_cannot_follow_two_processes_into_two_compartments() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let a = post(
        &app,
        &coord,
        "/api/v1/processes",
        process_body("internal", None, "First"),
    )
    .await;
    let b = post(
        &app,
        &coord,
        "/api/v1/processes",
        process_body("confidential", Some("horn-of-africa"), "Second"),
    )
    .await;
    let (s, d) = post_multipart(
        &app,
        "/api/v1/documents",
        &coord,
        &[
            ("title", "Shared note"),
            ("classification", "confidential"),
            ("compartment", "horn-of-africa"),
            ("processes", &format!("{a},{b}")),
        ],
        Some(("note.txt", b"shared note text")),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    // Moving the first into yemen would need the document in two compartments: refused, and
    // nothing changed.
    let (s, v) = app
        .api(
            Method::PUT,
            &format!("/api/v1/processes/{a}"),
            &coord,
            Some(process_body("internal", Some("yemen"), "First")),
        )
        .await;
    assert_eq!(s, 409, "{v}");
    let (s, v) = get(&app, &coord, &format!("/api/v1/processes/{a}")).await;
    assert_eq!(s, 200);
    assert!(v["compartment"].is_null(), "{v}");
}
