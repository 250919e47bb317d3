//! Versioned analyses: every save a version, a readable diff, restore as a new version, no lost
//! updates (also under concurrency), nothing revealed to outsiders, actor rows filtered per
//! reader, bad input refused with the field named and nothing written.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::{App, Instance, count};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn process_id(app: &App, token: &str, title: &str) -> String {
    let (_, list) = app
        .api(Method::GET, "/api/v1/processes?limit=500", token, None)
        .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"].as_str().unwrap().starts_with(title))
        .map(id)
        .unwrap()
}

async fn actor(app: &App, token: &str, name: &str, c: &str, comp: Option<&str>) -> String {
    let (s, a) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            token,
            Some(json!({"name": name, "kind": "organisation", "category": "conflict-party", "country": "SS",
                        "classification": c, "compartment": comp})),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    id(&a)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_diff_and_restore_round_trip() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let process = process_id(&app, &coord, "South Sudan").await;
    let open = actor(&app, &coord, "SPLM-IO (test)", "internal", None).await;
    let hidden = actor(
        &app,
        &coord,
        "Hidden spoiler",
        "confidential",
        Some("yemen"),
    )
    .await;

    let v1_body =
        "Drivers\n- land\n- oil revenue\n- salaries unpaid\n\nEntry points\n- monitoring body";
    let (s, a) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{process}/analyses"),
            &coord,
            Some(json!({"kind": "actor-map", "title": "Juba actor map", "body": v1_body, "classification": "internal",
                "note": "baseline",
                "rows": [
                    {"actor_id": open, "stance": "opposed", "influence": 4, "interests": "Security posts"},
                    {"actor_id": hidden, "stance": "spoiler", "influence": 5, "interests": "Spoils"}
                ]})),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let aid = id(&a);
    assert_eq!(
        (a["version"].as_i64(), a["latest_version"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(a["body"], v1_body);
    assert_eq!(a["author"], "coordinator");

    // Version 2: one line changed, one stance changed. Form-style CRLF is normalised.
    let v2_body = "Drivers\r\n- land\r\n- oil revenue, now disputed\r\n- salaries unpaid\r\n\r\nEntry points\r\n- monitoring body\r\n";
    let (s, b) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/versions"),
            &coord,
            Some(json!({"base_version": 1, "title": "Juba actor map", "body": v2_body, "note": "oil",
                "rows": [
                    {"actor_id": open, "stance": "ambivalent", "influence": 4, "interests": "Security posts"},
                    {"actor_id": hidden, "stance": "spoiler", "influence": 5, "interests": "Spoils"}
                ]})),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["version"], 2);
    assert_eq!(b["body"], v2_body.replace("\r\n", "\n").trim_end());
    let (s, c) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/versions"),
            &coord,
            Some(json!({"base_version": 2, "title": "Juba actor map (June)", "body": b["body"], "rows": b["rows"]})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["version"], 3);

    // Version 1 round-trips exactly.
    let (_, old) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}?version=1"),
            &coord,
            None,
        )
        .await;
    assert_eq!(old["body"], v1_body);
    assert_eq!(old["title"], "Juba actor map");
    assert_eq!(old["note"], "baseline");
    assert_eq!(old["latest_version"], 3);
    assert_eq!(old["rows"].as_array().unwrap().len(), 2);
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}?version=9"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 404);

    // The diff names the changed line and the changed row.
    let (s, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}/diff?from=1&to=2"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (d["lines_added"].as_i64(), d["lines_removed"].as_i64()),
        (Some(1), Some(1))
    );
    let lines = d["hunks"][0]["lines"].as_array().unwrap();
    let tagged = |tag: &str| -> Vec<(Value, String)> {
        lines
            .iter()
            .filter(|l| l["tag"] == tag)
            .map(|l| {
                (
                    l["old_line"].clone(),
                    l["text"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        tagged("removed"),
        vec![(json!(3), "- oil revenue".to_string())]
    );
    assert_eq!(
        tagged("added"),
        vec![(Value::Null, "- oil revenue, now disputed".to_string())]
    );
    assert!(
        d["unified"]
            .as_str()
            .unwrap()
            .contains("-- oil revenue\n+- oil revenue, now disputed\n"),
        "{}",
        d["unified"]
    );
    assert_eq!(
        d["rows"],
        json!([{"actor_id": open, "change": "changed",
        "before": {"actor_id": open, "stance": "opposed", "influence": 4, "interests": "Security posts"},
        "after": {"actor_id": open, "stance": "ambivalent", "influence": 4, "interests": "Security posts"},
        "fields": ["stance"]}])
    );
    let (_, d23) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}/diff?from=2&to=3"),
            &coord,
            None,
        )
        .await;
    assert_eq!(
        (d23["title_before"].as_str(), d23["title_after"].as_str()),
        (Some("Juba actor map"), Some("Juba actor map (June)"))
    );
    assert!(d23["hunks"].as_array().unwrap().is_empty());

    // Restore version 1: version 4 equals version 1, and says so.
    let (s, r) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/restore"),
            &coord,
            Some(json!({"version": 1, "base_version": 3})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["version"], 4);
    assert_eq!(r["restored_from"], 1);
    assert_eq!(r["note"], "restored from version 1");
    for k in ["title", "body", "rows"] {
        assert_eq!(r[k], old[k], "{k}");
    }
    let (_, same) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}/diff?from=1&to=4"),
            &coord,
            None,
        )
        .await;
    assert!(
        same["hunks"].as_array().unwrap().is_empty()
            && same["rows"].as_array().unwrap().is_empty()
            && same["title_before"].is_null()
    );
    let (_, hist) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}/versions"),
            &coord,
            None,
        )
        .await;
    let numbers: Vec<i64> = hist["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![4, 3, 2, 1]);

    // A stale base is refused with 409, and nothing is written.
    let raw = app.instance.raw().await;
    let before = count(&raw, "analysis_versions").await;
    let (s, e) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/versions"),
            &coord,
            Some(json!({"base_version": 2, "title": "Lost update?", "body": "mine"})),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["error"]["code"], "conflict");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("version 4"),
        "{e}"
    );
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/restore"),
            &coord,
            Some(json!({"version": 2, "base_version": 3})),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(count(&raw, "analysis_versions").await, before);
    let (_, latest) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(
        (latest["version"].as_i64(), latest["title"].as_str()),
        (Some(4), Some("Juba actor map"))
    );

    // The content is encrypted at rest; the audit log has every write.
    let stored: Vec<String> =
        sqlx::query("SELECT content FROM analysis_versions WHERE analysis_id = $1")
            .bind(&aid)
            .fetch_all(&raw)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("content").unwrap())
            .collect();
    assert!(
        stored
            .iter()
            .all(|c| c.starts_with("enc:") && !c.contains("salaries")),
        "{stored:?}"
    );
    // Versions are immutable in the database itself (only re-encryption may touch the content).
    for sql in [
        "UPDATE analysis_versions SET note = 'rewritten' WHERE analysis_id = $1",
        "UPDATE analysis_versions SET version = version + 10 WHERE analysis_id = $1",
    ] {
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&aid)
            .execute(&raw)
            .await;
        assert!(r.is_err(), "{sql} must be refused");
    }
    let actions = app.audit_actions(&aid).await;
    for expected in ["analysis.create", "analysis.save", "analysis.restore"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected}: {actions:?}"
        );
    }
    assert_eq!(actions.iter().filter(|a| *a == "analysis.save").count(), 2);

    // The analyst (no yemen compartment) sees the map without the hidden actor, anywhere.
    let analyst = app.token("analyst").await;
    for path in [
        format!("/api/v1/analyses/{aid}"),
        format!("/api/v1/analyses/{aid}?version=2"),
        format!("/api/v1/analyses/{aid}/diff?from=1&to=2"),
        format!("/api/v1/analyses/{aid}/diff?from=2&to=3"),
        format!("/api/v1/processes/{process}/analyses"),
    ] {
        let (s, body) = app.api(Method::GET, &path, &analyst, None).await;
        assert_eq!(s, 200, "{path}: {body}");
        let text = body.to_string();
        assert!(
            !text.contains(&hidden) && !text.contains("Spoils"),
            "{path} leaks: {text}"
        );
    }
    let (_, mine) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(mine["rows"].as_array().unwrap().len(), 1);
    let browser = app.browser("analyst").await;
    let (s, html) = browser
        .get(&format!("/analyses/{aid}/diff?from=1&to=2"))
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("SPLM-IO (test)") && !html.contains("Hidden spoiler"),
        "UI diff leaks"
    );
    let (_, html) = browser.get(&format!("/analyses/{aid}")).await;
    assert!(html.contains("SPLM-IO (test)") && !html.contains("Hidden spoiler"));

    // When the analyst saves the map, the row it cannot see is kept as it was.
    let (s, saved) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/versions"),
            &analyst,
            Some(
                json!({"base_version": 4, "title": "Juba actor map", "body": "Short.",
                "rows": [{"actor_id": open, "stance": "supportive", "influence": 3}]}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{saved}");
    assert_eq!(saved["rows"].as_array().unwrap().len(), 1);
    let (_, full) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}"),
            &coord,
            None,
        )
        .await;
    let rows = full["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{full}");
    assert!(
        rows.iter()
            .any(|r| r["actor_id"] == hidden.as_str() && r["stance"] == "spoiler")
    );
    assert!(
        rows.iter()
            .any(|r| r["actor_id"] == open.as_str() && r["stance"] == "supportive")
    );
    // …and naming the hidden actor itself is "no such actor".
    let (s, e) = app
        .api(Method::POST, &format!("/api/v1/analyses/{aid}/versions"), &analyst,
            Some(json!({"base_version": 5, "title": "x", "rows": [{"actor_id": hidden, "stance": "neutral", "influence": 1}]})))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no such actor")
    );

    // Deleting the analysis removes its versions, audited; deleting a process takes analyses along.
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/analyses/{aid}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert!(
        app.audit_actions(&aid)
            .await
            .iter()
            .any(|a| a == "analysis.delete")
    );
    let (s, another) = app
        .api(Method::POST, &format!("/api/v1/processes/{process}/analyses"), &coord,
            Some(json!({"kind": "process-map", "title": "Goes with the process", "classification": "internal"})))
        .await;
    assert_eq!(s, 201);
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/processes/{process}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(count(&raw, "analyses").await, 0);
    assert_eq!(count(&raw, "analysis_versions").await, 0);
    assert!(
        app.audit_actions(&id(&another))
            .await
            .iter()
            .any(|a| a == "analysis.delete")
    );
    app.instance.store.verify_audit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outsiders_learn_nothing() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let taiz = process_id(&app, &coord, "Yemen: Taiz").await;
    let internal = process_id(&app, &coord, "South Sudan").await;
    let mut hidden = Vec::new();
    for (process, body) in [
        (
            &taiz,
            json!({"kind": "process-map", "title": "Taiz sequence", "body": "Secret sequence.", "classification": "confidential", "compartment": "yemen"}),
        ),
        // A secret analysis of an internal process: above the analyst's clearance.
        (
            &internal,
            json!({"kind": "conflict-analysis", "title": "Juba secret assessment", "body": "Names.", "classification": "secret"}),
        ),
    ] {
        let (s, a) = app
            .api(
                Method::POST,
                &format!("/api/v1/processes/{process}/analyses"),
                &coord,
                Some(body),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        let aid = id(&a);
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/v1/analyses/{aid}/versions"),
                &coord,
                Some(json!({"base_version": 1, "title": a["title"], "body": "Second."})),
            )
            .await;
        assert_eq!(s, 201);
        hidden.push(aid);
    }
    let (s, visible) = app.api(Method::POST, &format!("/api/v1/processes/{internal}/analyses"), &coord,
        Some(json!({"kind": "conflict-analysis", "title": "Juba open assessment", "classification": "internal"}))).await;
    assert_eq!(s, 201);

    let raw = app.instance.raw().await;
    let versions = count(&raw, "analysis_versions").await;
    for who in ["analyst", "fund-officer", "adviser"] {
        let token = app.token(who).await;
        for aid in &hidden {
            for (method, path, body) in [
                (Method::GET, format!("/api/v1/analyses/{aid}"), None),
                (
                    Method::GET,
                    format!("/api/v1/analyses/{aid}?version=1"),
                    None,
                ),
                (
                    Method::GET,
                    format!("/api/v1/analyses/{aid}/versions"),
                    None,
                ),
                (
                    Method::GET,
                    format!("/api/v1/analyses/{aid}/diff?from=1&to=2"),
                    None,
                ),
                (
                    Method::POST,
                    format!("/api/v1/analyses/{aid}/versions"),
                    Some(json!({"base_version": 2, "title": "x"})),
                ),
                (
                    Method::POST,
                    format!("/api/v1/analyses/{aid}/restore"),
                    Some(json!({"version": 1})),
                ),
                (Method::DELETE, format!("/api/v1/analyses/{aid}"), None),
            ] {
                let (s, e) = app.api(method.clone(), &path, &token, body).await;
                assert_eq!(s, 404, "{who} {method} {path}: {e}");
                assert_eq!(e["error"]["message"], "no such resource");
            }
        }
        let (s, list) = app
            .api(
                Method::GET,
                &format!("/api/v1/processes/{internal}/analyses"),
                &token,
                None,
            )
            .await;
        if who == "fund-officer" {
            assert_eq!(s, 404, "fund officers have no need to know analyses");
        } else {
            assert_eq!(s, 200);
            let ids: Vec<&str> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap())
                .collect();
            assert_eq!(
                ids,
                vec![id(&visible).as_str()],
                "{who}: the list omits what it may not see"
            );
        }
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/processes/{taiz}/analyses"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 404);
        // The pages say the same.
        let b = app.browser(who).await;
        for aid in &hidden {
            for path in [
                format!("/analyses/{aid}"),
                format!("/analyses/{aid}/history"),
                format!("/analyses/{aid}/diff?from=1&to=2"),
                format!("/analyses/{aid}/edit"),
            ] {
                let (s, html) = b.get(&path).await;
                assert_eq!(s, 404, "{who} {path}");
                assert!(!html.contains("Taiz sequence") && !html.contains("Juba secret"));
            }
            let (s, _, _) = b
                .post(&format!("/analyses/{aid}/restore"), &[("version", "1")])
                .await;
            assert_eq!(s, 404);
        }
        if who != "fund-officer" {
            let (_, html) = b.get(&format!("/processes/{internal}")).await;
            assert!(
                html.contains("Juba open assessment") && !html.contains("Juba secret"),
                "{who}: process page"
            );
        }
    }
    assert_eq!(
        count(&raw, "analysis_versions").await,
        versions,
        "nothing written by outsiders"
    );
    // Denials on named analyses are audited.
    let denied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE resource_kind = 'analysis' AND outcome = 'denied'")
        .fetch_one(&raw).await.unwrap().try_get("n").unwrap();
    assert!(denied > 0);
    // Confidential reads are audited for those who may read.
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{}", hidden[0]),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        app.audit_actions(&hidden[0])
            .await
            .iter()
            .any(|a| a == "analysis.read")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_saves_on_one_base_exactly_one_wins() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    let desk = i.access("desk-officer").await;
    let processes = coord
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    let p = processes
        .items
        .iter()
        .find(|p| p.title.starts_with("Sudan: ceasefire"))
        .unwrap();
    let a = coord
        .create_analysis(
            &p.id,
            &grotius_domain::analysis::NewAnalysis {
                kind: "conflict-analysis".into(),
                title: "Race".into(),
                body: "v1".into(),
                classification: "confidential".into(),
                compartment: Some("horn-of-africa".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for round in 1..=6i64 {
        let tasks: Vec<_> = [coord.clone(), desk.clone(), coord.clone()]
            .into_iter()
            .enumerate()
            .map(|(n, who)| {
                let id = a.id.clone();
                tokio::spawn(async move {
                    who.save_analysis_version(
                        &id,
                        &grotius_domain::analysis::NewVersion {
                            base_version: round,
                            title: "Race".into(),
                            body: format!("round {round} writer {n}"),
                            ..Default::default()
                        },
                    )
                    .await
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(saved) => {
                    won += 1;
                    assert_eq!(saved.version.number, round + 1);
                }
                Err(grotius_store::StoreError::Conflict(m)) => {
                    assert!(m.contains("changed while you worked"), "{m}")
                }
                Err(e) => panic!("unexpected: {e}"),
            }
        }
        assert_eq!(won, 1, "round {round}: exactly one save wins");
        let (head, versions) = coord.analysis_history(&a.id).await.unwrap();
        assert_eq!(head.latest_version, round + 1);
        assert_eq!(versions.len() as i64, round + 1);
    }
    i.store.verify_audit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let hoa = process_id(&app, &coord, "Sudan: ceasefire").await;
    let (s, a) = app.api(Method::POST, &format!("/api/v1/processes/{hoa}/analyses"), &coord,
        Some(json!({"kind": "actor-map", "title": "Valid", "classification": "confidential", "compartment": "horn-of-africa"}))).await;
    assert_eq!(s, 201, "{a}");
    let aid = id(&a);
    let raw = app.instance.raw().await;
    let (analyses, versions) = (
        count(&raw, "analyses").await,
        count(&raw, "analysis_versions").await,
    );
    let audit: i64 = sqlx::query("SELECT MAX(seq) AS n FROM audit_log")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    let base = json!({"kind": "actor-map", "title": "T", "body": "B", "classification": "confidential", "compartment": "horn-of-africa"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let row = |a: &str, stance: &str, infl: i64| json!([{"actor_id": a, "stance": stance, "influence": infl}]);
    for (body, field) in [
        (with("kind", json!("mind-map")), "analysis kind"),
        (with("title", json!("  ")), "title"),
        (with("classification", json!("internal")), "classification"),
        (with("compartment", json!(null)), "compartment"),
        (with("compartment", json!("yemen")), "compartment"),
        (with("classification", json!("top")), "classification"),
        (
            with("rows", row("no-such-actor", "neutral", 3)),
            "no such actor",
        ),
        (with("rows", row("x", "neutral", 9)), "influence"),
        (with("rows", row("x", "angry", 3)), "stance"),
        (
            {
                let mut b = with("kind", json!("process-map"));
                b["rows"] = row("x", "neutral", 3);
                b
            },
            "only an actor map",
        ),
    ] {
        app.assert_invalid(
            Method::POST,
            &format!("/api/v1/processes/{hoa}/analyses"),
            &coord,
            Some(body),
            field,
        )
        .await;
    }
    for (body, field) in [
        (json!({"base_version": 0, "title": "T"}), "base_version"),
        (json!({"base_version": 1, "title": ""}), "title"),
        (
            json!({"base_version": 1, "title": "T", "classification": "internal"}),
            "classification",
        ),
        (
            json!({"base_version": 1, "title": "T", "note": "n".repeat(501)}),
            "note",
        ),
    ] {
        app.assert_invalid(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/versions"),
            &coord,
            Some(body),
            field,
        )
        .await;
    }
    for (body, status) in [(json!({"version": 1}), 422), (json!({"version": 7}), 422)] {
        let (s, e) = app
            .api(
                Method::POST,
                &format!("/api/v1/analyses/{aid}/restore"),
                &coord,
                Some(body),
            )
            .await;
        assert_eq!(s, status, "{e}");
    }
    let (s, e) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}/diff?from=1&to=5"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/analyses/{aid}/versions"),
            &coord,
            Some(json!({"title": "no base"})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(count(&raw, "analyses").await, analyses);
    assert_eq!(count(&raw, "analysis_versions").await, versions);
    // Reads of this confidential analysis are audited, but no write entry appeared.
    let writes: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE seq > $1 AND action IN ('analysis.create', 'analysis.save', 'analysis.restore')")
        .bind(audit).fetch_one(&raw).await.unwrap().try_get("n").unwrap();
    assert_eq!(writes, 0);

    // The form repeats the input and names the field; a stale base keeps the user's text.
    let b = app.browser("coordinator").await;
    let (s, html, _) = b
        .post(
            &format!("/processes/{hoa}/analyses"),
            &[
                ("kind", "conflict-analysis"),
                ("title", ""),
                ("body", "My careful text"),
                ("classification", "confidential"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("title") && html.contains("My careful text"));
    let (s, _, loc) = b
        .post(
            &format!("/analyses/{aid}"),
            &[
                ("base_version", "1"),
                ("title", "Valid"),
                ("body", "First edit"),
                ("classification", "confidential"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some(format!("/analyses/{aid}").as_str()));
    let (s, html, _) = b
        .post(
            &format!("/analyses/{aid}"),
            &[
                ("base_version", "1"),
                ("title", "Valid"),
                ("body", "Second edit, on a stale base"),
                ("classification", "confidential"),
            ],
        )
        .await;
    assert_eq!(s, 409);
    assert!(
        html.contains("Second edit, on a stale base"),
        "the user's text is kept"
    );
    assert!(
        html.contains("version 2")
            && html.contains(&format!("/analyses/{aid}/diff?from=1&amp;to=2")),
        "names the newer version and links the diff"
    );
    assert!(
        html.contains("name=\"base_version\" value=\"2\""),
        "the form now builds on the latest version"
    );
    let (_, latest) = app
        .api(
            Method::GET,
            &format!("/api/v1/analyses/{aid}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(latest["body"], "First edit");
    // The diff page styles removed and added lines.
    let (s, html) = b.get(&format!("/analyses/{aid}/diff?from=1&to=2")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<tr class=\"add\">") && html.contains("<ins>First edit</ins>"),
        "{html}"
    );
    let (s, _) = b.get(&format!("/analyses/{aid}/diff?from=x&to=2")).await;
    assert_eq!(s, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shows_evolving_analyses() {
    let i = Instance::demo().await;
    let coord = i.access("coordinator").await;
    let analyst = i.access("analyst").await;
    let processes = coord
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    let sudan = processes
        .items
        .iter()
        .find(|p| p.title.starts_with("Sudan: ceasefire"))
        .unwrap();
    let list = coord.list_analyses(&sudan.id).await.unwrap();
    assert_eq!(list.len(), 2);
    let map = list.iter().find(|a| a.kind == "actor-map").unwrap();
    assert_eq!(map.latest_version, 3);
    let (_, d) = coord.diff_analysis(&map.id, 1, 2).await.unwrap();
    assert!(
        d.rows
            .iter()
            .any(|r| r.fields.contains(&"stance".to_string())),
        "the RSF stance changes"
    );
    assert!(matches!(
        analyst.get_analysis(&map.id, None).await,
        Err(grotius_store::StoreError::NotFound)
    ));
    // The internal civilian map names an actor of the horn-of-africa compartment: hidden from the analyst.
    let civ = processes
        .items
        .iter()
        .find(|p| p.title.starts_with("Sudan: civilian"))
        .unwrap();
    let civ_map = &analyst.list_analyses(&civ.id).await.unwrap()[0];
    let mine = analyst.get_analysis(&civ_map.id, None).await.unwrap();
    let full = coord.get_analysis(&civ_map.id, None).await.unwrap();
    assert_eq!(
        full.version.content.rows.len(),
        mine.version.content.rows.len() + 1
    );
    // Seeding again adds nothing.
    grotius::demo::seed(&i.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    assert_eq!(coord.list_analyses(&sudan.id).await.unwrap().len(), 2);
}
