//! The network on the demo data: what each user can learn through lists, counts, ego networks,
//! introduction paths and brokers — never anything outside their compartments and clearance.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Instance};

async fn visible_actor_ids(app: &App, token: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut offset = 0;
    loop {
        let (s, v) = app
            .api(
                Method::GET,
                &format!("/api/v1/actors?limit=500&offset={offset}"),
                token,
                None,
            )
            .await;
        assert_eq!(s, 200);
        let items = v["items"].as_array().unwrap();
        ids.extend(items.iter().map(|a| a["id"].as_str().unwrap().to_string()));
        offset += items.len();
        if items.is_empty() || offset as i64 >= v["total"].as_i64().unwrap() {
            assert_eq!(
                ids.len() as i64,
                v["total"].as_i64().unwrap(),
                "total matches the items"
            );
            return ids;
        }
    }
}

async fn demo_app() -> App {
    let config = grotius_web::WebConfig {
        login_attempts_per_minute: 100_000,
        ..Default::default()
    };
    App::spawn_with(Instance::demo().await, config).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_answers_never_reveal_what_a_user_may_not_see() {
    let app = demo_app().await;
    let coordinator = app.token("coordinator").await;
    let all = visible_actor_ids(&app, &coordinator).await;
    assert!(
        all.len() >= 200,
        "a few hundred demo actors ({})",
        all.len()
    );
    let (_, yemen) = app
        .api(
            Method::GET,
            "/api/v1/actors?limit=500&country=YE",
            &coordinator,
            None,
        )
        .await;
    let yemen_ids: Vec<String> = yemen["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["compartment"] == "yemen")
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!yemen_ids.is_empty());

    for role in ["analyst", "desk-officer", "adviser"] {
        let token = app.token(role).await;
        let mine = visible_actor_ids(&app, &token).await;
        assert!(
            mine.len() < all.len(),
            "{role} sees less than the coordinator"
        );
        for id in &yemen_ids {
            let (s, _) = app
                .api(Method::GET, &format!("/api/v1/actors/{id}"), &token, None)
                .await;
            assert_eq!(
                s, 404,
                "{role}: a Yemen-compartment actor does not exist for them"
            );
            for q in ["ego", "introductions", "relationships"] {
                let (s, _) = app
                    .api(
                        Method::GET,
                        &format!("/api/v1/actors/{id}/{q}"),
                        &token,
                        None,
                    )
                    .await;
                assert_eq!(s, 404, "{role}: {q} of a hidden actor");
            }
        }
        // Every actor mentioned by any answer is one the user can see.
        let (_, brokers) = app
            .api(Method::GET, "/api/v1/network/brokers?top=100", &token, None)
            .await;
        for b in brokers["items"].as_array().unwrap() {
            assert!(
                mine.contains(b["actor"]["id"].as_str().unwrap()),
                "{role}: broker outside their view"
            );
        }
        for id in mine.iter().take(40) {
            let (s, ego) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/actors/{id}/ego?depth=3&max=2000"),
                    &token,
                    None,
                )
                .await;
            assert_eq!(s, 200);
            for n in ego["nodes"].as_array().unwrap() {
                assert!(
                    mine.contains(n["actor"]["id"].as_str().unwrap()),
                    "{role}: ego reaches outside"
                );
            }
            let (_, intro) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/actors/{id}/introductions?k=5"),
                    &token,
                    None,
                )
                .await;
            for path in intro["paths"].as_array().unwrap() {
                for step in path.as_array().unwrap() {
                    assert!(
                        mine.contains(step["id"].as_str().unwrap()),
                        "{role}: a path passes through a hidden actor"
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introductions_follow_visible_relationships_from_us() {
    let app = demo_app().await;
    let token = app.token("coordinator").await;
    let (_, people) = app
        .api(
            Method::GET,
            "/api/v1/actors?limit=500&country=CO",
            &token,
            None,
        )
        .await;
    let mut checked = 0;
    for a in people["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "person")
        .take(10)
    {
        let id = a["id"].as_str().unwrap();
        let (_, intro) = app
            .api(
                Method::GET,
                &format!("/api/v1/actors/{id}/introductions?k=3"),
                &token,
                None,
            )
            .await;
        let paths = intro["paths"].as_array().unwrap();
        let lens: Vec<usize> = paths.iter().map(|p| p.as_array().unwrap().len()).collect();
        assert!(
            lens.windows(2).all(|w| w[0] <= w[1]),
            "shortest first: {lens:?}"
        );
        let distinct: BTreeSet<String> = paths.iter().map(|p| p.to_string()).collect();
        assert_eq!(distinct.len(), paths.len(), "no path twice");
        for p in paths {
            let steps = p.as_array().unwrap();
            assert_eq!(steps[0]["category"], "ours", "starts with us");
            assert_eq!(steps.last().unwrap()["id"], id, "ends at the target");
            // Consecutive steps are related.
            for w in steps.windows(2) {
                let (_, rels) = app
                    .api(
                        Method::GET,
                        &format!(
                            "/api/v1/actors/{}/relationships",
                            w[0]["id"].as_str().unwrap()
                        ),
                        &token,
                        None,
                    )
                    .await;
                let linked = rels["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["from_actor"] == w[1]["id"] || r["to_actor"] == w[1]["id"]);
                assert!(
                    linked,
                    "{} and {} are not related",
                    w[0]["name"], w[1]["name"]
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 5,
        "the demo network connects us to Colombian actors ({checked} paths)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_the_network_at_once_and_bad_input_is_refused() {
    let app = App::spawn().await;
    let token = app.token("coordinator").await;
    let mk = |name: &str, category: &str, classification: &str, compartment: Option<&str>| json!({"name": name, "kind": "person", "category": category, "classification": classification, "compartment": compartment});
    let (_, us) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &token,
            Some(mk("Our desk", "ours", "internal", None)),
        )
        .await;
    let (_, b) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &token,
            Some(mk("Broker B", "mediator", "internal", None)),
        )
        .await;
    let (_, x) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &token,
            Some(mk("Target X", "conflict-party", "internal", None)),
        )
        .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    let (uid, bid, xid) = (id(&us), id(&b), id(&x));
    let (_, intro) = app
        .api(
            Method::GET,
            &format!("/api/v1/actors/{xid}/introductions"),
            &token,
            None,
        )
        .await;
    assert_eq!(intro["paths"].as_array().unwrap().len(), 0);
    let rel = |f: &str, t: &str, c: &str, comp: Option<&str>| json!({"from_actor": f, "to_actor": t, "kind": "knows", "classification": c, "compartment": comp, "since": "2024-05-01"});
    let (s, r1) = app
        .api(
            Method::POST,
            "/api/v1/relationships",
            &token,
            Some(rel(&uid, &bid, "internal", None)),
        )
        .await;
    assert_eq!(s, 201, "{r1}");
    let (s, _) = app
        .api(
            Method::POST,
            "/api/v1/relationships",
            &token,
            Some(rel(&bid, &xid, "confidential", Some("yemen"))),
        )
        .await;
    assert_eq!(s, 201);
    let (_, intro) = app
        .api(
            Method::GET,
            &format!("/api/v1/actors/{xid}/introductions"),
            &token,
            None,
        )
        .await;
    let names: Vec<&str> = intro["paths"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Our desk", "Broker B", "Target X"]);
    // The analyst sees all three actors but not the Yemen-compartment relationship: no path.
    let analyst = app.token("analyst").await;
    let (s, intro) = app
        .api(
            Method::GET,
            &format!("/api/v1/actors/{xid}/introductions"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        intro["paths"].as_array().unwrap().len(),
        0,
        "no hint of the hidden relationship"
    );
    let (_, rels) = app
        .api(
            Method::GET,
            &format!("/api/v1/actors/{bid}/relationships"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(rels["items"].as_array().unwrap().len(), 1);
    // Deleting the relationship updates the answers at once.
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/relationships/{}", id(&r1)),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (_, intro) = app
        .api(
            Method::GET,
            &format!("/api/v1/actors/{xid}/introductions"),
            &token,
            None,
        )
        .await;
    assert_eq!(intro["paths"].as_array().unwrap().len(), 0);

    // Bad input: named fields, nothing created.
    let raw = app.instance.raw().await;
    let before = crate::harness::count(&raw, "relationships").await;
    for (body, field) in [
        (rel(&uid, &uid, "internal", None), "different actors"),
        (
            rel(&uid, "no-such-actor", "internal", None),
            "no such actor",
        ),
        (
            json!({"from_actor": uid, "to_actor": bid, "kind": "loves", "classification": "internal"}),
            "unknown relationship kind",
        ),
        (
            json!({"from_actor": uid, "to_actor": bid, "kind": "knows", "classification": "internal", "since": "2024-13-01"}),
            "since",
        ),
    ] {
        app.assert_invalid(
            Method::POST,
            "/api/v1/relationships",
            &token,
            Some(body),
            field,
        )
        .await;
    }
    // The analyst cannot link to an actor it cannot see: it does not exist for it.
    let (_, hidden) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &token,
            Some(mk("Hidden H", "envoy", "confidential", Some("yemen"))),
        )
        .await;
    let desk = app.token("desk-officer").await;
    let (s, e) = app
        .api(
            Method::POST,
            "/api/v1/relationships",
            &desk,
            Some(rel(&bid, &id(&hidden), "internal", None)),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no such actor")
    );
    assert_eq!(crate::harness::count(&raw, "relationships").await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_actor_page_draws_the_network() {
    let app = demo_app().await;
    let token = app.token("coordinator").await;
    let (_, v) = app
        .api(
            Method::GET,
            "/api/v1/actors?q=Mediation%20Support%20Unit,%20The%20Hague",
            &token,
            None,
        )
        .await;
    let id = v["items"][0]["id"].as_str().unwrap().to_string();
    let b = app.browser("coordinator").await;
    let (s, html) = b.get(&format!("/network/actors/{id}?depth=2")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<svg") && html.contains("role=\"img\"") && html.contains("<circle"),
        "an SVG picture"
    );
    assert!(
        html.contains("EEAS Mediation Support Team"),
        "neighbours are named"
    );
    let (s, html) = b.get("/network").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"brokers\""));
    let (_, yemen) = app
        .api(
            Method::GET,
            "/api/v1/actors?limit=500&country=YE",
            &token,
            None,
        )
        .await;
    let hidden = yemen["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["compartment"] == "yemen")
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let analyst = app.browser("analyst").await;
    assert_eq!(
        analyst.get(&format!("/network/actors/{hidden}")).await.0,
        404
    );
}
