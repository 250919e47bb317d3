//! Dialogues: `grotius import polis` on a real Pol.is export (the checked contract: the list
//! answers `items` with `id`, the participants `items` with `source_id` and `group`), nothing
//! written on a bad file, labels under the process, lists that a hidden conversation does not
//! change, and recomputation that gives the same groups.

use std::path::PathBuf;

use grotius_domain::Classification;
use grotius_domain::dialogue::parse_polis_export;
use reqwest::Method;
use serde_json::Value;

use crate::harness::{App, count};

mod attributes;
mod paper_round;
mod participation;
mod vote_intake;

/// The shared Pol.is conversations (`GROTIUS_POLIS_DATA`, or next to the checkout).
fn polis_data() -> PathBuf {
    if let Ok(dir) = std::env::var("GROTIUS_POLIS_DATA") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for c in [
        root.join("../shared/data/polis"),
        root.join("../../shared/data/polis"),
        PathBuf::from("/work/shared/data/polis"),
    ] {
        if c.is_dir() {
            return c;
        }
    }
    panic!("the Pol.is conversations are missing: set GROTIUS_POLIS_DATA");
}

/// A small conversation: two camps of 12 that agree on statements 0–2 and split on 3–7, plus
/// three people with too few votes to be clustered.
fn small_export_text() -> (String, String) {
    let mut comments = String::from(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n",
    );
    for s in 0..8 {
        comments.push_str(&format!("1,x,{s},0,0,0,1,Statement {s}\n"));
    }
    let mut pv = String::from("participant,group-id,n-comments,n-votes,n-agree,n-disagree");
    for s in 0..8 {
        pv.push_str(&format!(",{s}"));
    }
    pv.push('\n');
    for p in 0..27 {
        pv.push_str(&format!("{},,0,0,0,0", 100 + p));
        for s in 0..8 {
            let v = if p >= 24 {
                if s == 0 { "1" } else { "" }
            } else if s < 3 || p < 12 {
                "1"
            } else {
                "-1"
            };
            pv.push_str(&format!(",{v}"));
        }
        pv.push('\n');
    }
    (comments, pv)
}

/// Imports the small conversation into `process` as the coordinator; returns its id.
pub(crate) async fn import_small(app: &App, process: &str) -> String {
    import_small_as(app, "coordinator", process, Classification::Internal).await
}

async fn import_small_as(
    app: &App,
    user: &str,
    process: &str,
    classification: Classification,
) -> String {
    let (comments, pv) = small_export_text();
    let export = parse_polis_export(&comments, None, &pv, Some("topic,Small\n")).unwrap();
    app.instance
        .access(user)
        .await
        .import_polis_dialogue(process, &export, "test", classification, &mut |_, _| {})
        .await
        .unwrap()
        .id
}

pub(crate) fn cli(app: &App, args: &[&str]) -> (i32, String) {
    let data = app.instance.data().to_str().unwrap().to_string();
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.extend(["--data".to_string(), data]);
    all.extend(app.instance.database_args());
    let out = std::process::Command::new(crate::harness::bin())
        .args(&all)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_import_of_a_real_export_answers_the_contract() {
    let app = App::spawn().await;
    let folder = polis_data().join("15-per-hour-seattle");
    let (code, text) = cli(&app, &["import", "polis", folder.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("opinion groups"), "{text}");

    let coord = app.token("coordinator").await;
    let (s, list) = app
        .api(Method::GET, "/api/v1/dialogues", &coord, None)
        .await;
    assert_eq!(s, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let id = items[0]["id"].as_str().unwrap();
    assert_eq!(items[0]["topic"], "$15/hour");
    // The administrator (e.g. the account of `grotius init --admin`) reads it too.
    let admin = app.token("admin").await;
    let (s, by_admin) = app
        .api(Method::GET, "/api/v1/dialogues", &admin, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(by_admin["items"][0]["id"], items[0]["id"]);
    let (s, parts) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}/participants"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200, "{parts}");
    let parts = parts["items"].as_array().unwrap();
    assert_eq!(parts.len(), 339);
    // Participants with too few votes have group null; the others an integer; source ids are
    // the export's.
    let grouped: Vec<&Value> = parts.iter().filter(|p| p["group"].is_i64()).collect();
    // 138 reached 7 votes (Pol.is grouped exactly those); 6 more were among the first 15
    // voters (the greedy fill, replayed in time order).
    assert_eq!(
        grouped.len(),
        144,
        "clustered: 7 votes at some moment, or an early voter"
    );
    assert!(parts.iter().any(|p| p["group"].is_null()));
    assert!(parts.iter().any(|p| p["source_id"] == "0"));
    // The same groups as the method computes on the parsed export.
    let read = |n: &str| std::fs::read_to_string(folder.join(n)).ok();
    let export = parse_polis_export(
        &read("comments.csv").unwrap(),
        read("votes.csv").as_deref(),
        &read("participants-votes.csv").unwrap(),
        read("summary.csv").as_deref(),
    )
    .unwrap();
    let r = grotius_analysis::dialogue::compute(
        &grotius_analysis::dialogue::VoteMatrix::from_polis(&export),
    );
    for (p, ours) in parts.iter().zip(&r.group_of) {
        assert_eq!(p["group"].as_i64(), ours.map(i64::from));
    }

    // The team's pages render the map and the groups.
    let b = app.browser("coordinator").await;
    let (s, html) = b.get(&format!("/dialogues/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<svg") && html.contains("polygon"),
        "opinion map"
    );
    // The page is the printable report: one article, a line shown only in print, and the
    // downloads in a part that print leaves out (app.css).
    assert!(
        html.contains(r#"<article class="dialogue-report">"#),
        "{html}"
    );
    assert!(html.contains(r#"class="print-only""#), "{html}");
    let downloads = html.find("/export/").expect("the downloads");
    let hidden = html[..downloads].rfind(r#"<div class="no-print">"#);
    assert!(
        hidden.is_some_and(|h| !html[h..downloads].contains("</div>")),
        "the downloads sit inside a no-print block"
    );
    let (s, html) = b.get("/dialogues").await;
    assert_eq!(s, 200);
    assert!(html.contains("$15/hour"));

    // Recomputation is deterministic: the same stored results, byte for byte.
    let pool = app.instance.raw().await;
    let before: String = sqlx::Row::try_get(
        &sqlx::query("SELECT results FROM dialogues")
            .fetch_one(&pool)
            .await
            .unwrap(),
        "results",
    )
    .unwrap();
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/recompute"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let after: String = sqlx::Row::try_get(
        &sqlx::query("SELECT results FROM dialogues")
            .fetch_one(&pool)
            .await
            .unwrap(),
        "results",
    )
    .unwrap();
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_export_writes_nothing_and_names_the_problem() {
    let app = App::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let (comments, pv) = small_export_text();
    std::fs::write(dir.path().join("comments.csv"), comments).unwrap();
    // Row 29: a vote of 7 on comment 0.
    std::fs::write(
        dir.path().join("participants-votes.csv"),
        format!("{pv}999,,0,0,0,0,7\n"),
    )
    .unwrap();
    let pool = app.instance.raw().await;
    let processes = count(&pool, "processes").await;
    let (code, text) = cli(&app, &["import", "polis", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("participants-votes.csv row 29, column 0"),
        "names file and row: {text}"
    );
    assert_eq!(count(&pool, "dialogues").await, 0);
    assert_eq!(count(&pool, "processes").await, processes);
    // A missing file is named too.
    std::fs::remove_file(dir.path().join("comments.csv")).unwrap();
    let (code, text) = cli(&app, &["import", "polis", dir.path().to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(text.contains("comments.csv"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_follow_the_process_and_a_hidden_dialogue_changes_no_other_answer() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let hoa = app.process_id(&coord, "Sudan: ceasefire").await;
    let yemen = app.process_id(&coord, "Yemen: detainee").await;
    let open = import_small(&app, &internal).await;
    // Filed as internal under a confidential horn-of-africa process: it takes the process's.
    let under_hoa = import_small_as(&app, "coordinator", &hoa, Classification::Internal).await;
    let (s, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{under_hoa}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(d["classification"], "confidential");
    assert_eq!(d["compartment"], "horn-of-africa");

    // The analyst (no compartment) sees the open one only; the answers of every list and of
    // the open dialogue stay the same when a dialogue is added in yemen.
    let analyst = app.token("analyst").await;
    let paths = [
        "/api/v1/dialogues".to_string(),
        format!("/api/v1/dialogues/{open}"),
        format!("/api/v1/dialogues/{open}/participants"),
        format!("/api/v1/processes/{internal}/dialogues"),
    ];
    let mut before = Vec::new();
    for p in &paths {
        let (s, v) = app.api(Method::GET, p, &analyst, None).await;
        assert_eq!(s, 200, "{p}: {v}");
        before.push(v);
    }
    assert_eq!(before[0]["items"].as_array().unwrap().len(), 1);
    let hidden = import_small_as(&app, "coordinator", &yemen, Classification::Secret).await;
    for (p, b) in paths.iter().zip(&before) {
        let (_, v) = app.api(Method::GET, p, &analyst, None).await;
        assert_eq!(&v, b, "{p} changed");
    }
    for p in [
        format!("/api/v1/dialogues/{hidden}"),
        format!("/api/v1/dialogues/{hidden}/participants"),
        format!("/api/v1/dialogues/{under_hoa}"),
    ] {
        let (s, _) = app.api(Method::GET, &p, &analyst, None).await;
        assert_eq!(s, 404, "{p}");
    }
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/dialogues").await;
    assert_eq!(s, 200);
    assert_eq!(
        html.matches("/dialogues/").count() - html.matches("/dialogues/new").count(),
        1,
        "one link: {html}"
    );
    // The coordinator (every compartment) sees all three.
    let (_, all) = app
        .api(Method::GET, "/api/v1/dialogues", &coord, None)
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_consultation_shows_its_planted_camps() {
    let app = App::spawn_with(
        crate::harness::Instance::demo().await,
        grotius_web::WebConfig {
            login_attempts_per_minute: 100_000,
            ..Default::default()
        },
    )
    .await;
    let coord = app.token("coordinator").await;
    let (s, list) = app
        .api(Method::GET, "/api/v1/dialogues", &coord, None)
        .await;
    assert_eq!(s, 200, "{list}");
    let d = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["topic"]
                .as_str()
                .unwrap()
                .starts_with("Sudan civilian consultation")
        })
        .expect("the demo consultation");
    assert_eq!(d["participants"], 150);
    let (_, parts) = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/dialogues/{}/participants",
                d["id"].as_str().unwrap()
            ),
            &coord,
            None,
        )
        .await;
    let ours: Vec<i64> = parts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["group"].as_i64().unwrap_or(-1))
        .collect();
    let camps: Vec<i64> = (0..150).map(|p| p % 3).collect();
    let ari = grotius_analysis::dialogue::adjusted_rand_index(&ours, &camps);
    // One vote in ten goes against its camp and a tenth are passes: not every member is found.
    assert!(ari > 0.8, "ARI against the planted camps {ari}");
    // Seeding again adds nothing.
    grotius::demo::seed(&app.instance.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    let (_, again) = app
        .api(Method::GET, "/api/v1/dialogues", &coord, None)
        .await;
    assert_eq!(again["total"], list["total"]);
    // The open demo conversation: four languages, votes, and a queue holding two statements,
    // one a suggested duplicate of a seed.
    let live = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["topic"].as_str().unwrap().starts_with("Going home"))
        .expect("the open demo conversation");
    assert_eq!(live["languages"].as_array().unwrap().len(), 4);
    assert_eq!(live["votes"], 64);
    assert!(
        live["participation_link"]
            .as_str()
            .unwrap()
            .starts_with("/p/")
    );
    let (_, queue) = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/dialogues/{}/moderation",
                live["id"].as_str().unwrap()
            ),
            &coord,
            None,
        )
        .await;
    let queue = queue["items"].as_array().unwrap();
    assert_eq!(queue.len(), 2, "{queue:?}");
    assert!(
        queue
            .iter()
            .any(|q| q["duplicates"] == serde_json::json!([1])),
        "{queue:?}"
    );
}
