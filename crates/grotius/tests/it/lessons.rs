//! Lessons and trainings: debriefs round-trip (encrypted at rest), the lessons search (Dutch and
//! English, phrases, filters) never reveals a debrief outside the reader's compartment or
//! clearance, the disaggregation of training participants is right and counts only what the
//! reader may see, and a bad participants file changes nothing.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::{App, count};

async fn process_ids(app: &App, token: &str) -> Vec<(String, String)> {
    let (_, list) = app
        .api(Method::GET, "/api/v1/processes?limit=500", token, None)
        .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["title"].as_str().unwrap().to_string(),
                p["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn find(ps: &[(String, String)], prefix: &str) -> String {
    ps.iter()
        .find(|(t, _)| t.starts_with(prefix))
        .unwrap_or_else(|| panic!("no process {prefix}"))
        .1
        .clone()
}

fn debrief(
    case: &str,
    moment: &str,
    date: &str,
    lessons: &str,
    c: &str,
    comp: Option<&str>,
) -> Value {
    json!({"moment": moment, "date": date, "case_title": case, "started_on": "2024-01-01",
           "ended_on": if moment == "exit" { "2025-12-31" } else { "" },
           "key_lessons": lessons, "classification": c, "compartment": comp})
}

struct Fixture {
    app: App,
    coord: String,
    analyst: String,
    /// name → debrief id
    ids: std::collections::HashMap<&'static str, String>,
}

async fn fixture() -> Fixture {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let ps = process_ids(&app, &coord).await;
    let cases: Vec<(&str, String, Value)> = vec![
        // Visible to the analyst (internal, no compartment).
        (
            "south_sudan",
            find(&ps, "South Sudan"),
            debrief(
                "Security arrangements",
                "exit",
                "2025-06-30",
                "The sequencing of ceasefire talks mattered more than the text of the agreement.",
                "internal",
                None,
            ),
        ),
        (
            "civilian",
            find(&ps, "Sudan: civilian"),
            debrief(
                "Inclusie van vrouwenorganisaties",
                "turning-point",
                "2026-03-01",
                "De coördinatie met vrouwenorganisaties bepaalde de agenda van de gesprekken.",
                "internal",
                None,
            ),
        ),
        // Hidden from the analyst: compartments and clearance.
        (
            "hoa",
            find(&ps, "Sudan: ceasefire"),
            debrief(
                "Jeddah sequencing",
                "turning-point",
                "2025-11-20",
                "Ceasefire monitoring was designed with the parties; the zebracorn channel helped.",
                "confidential",
                Some("horn-of-africa"),
            ),
        ),
        (
            "yemen",
            find(&ps, "Yemen: detainee"),
            debrief(
                "Detainee channel",
                "exit",
                "2025-10-01",
                "A zebracorn back-channel can pause a ceasefire dialogue without loss of face.",
                "secret",
                Some("yemen"),
            ),
        ),
        (
            "colombia",
            find(&ps, "Colombia"),
            debrief(
                "Gender sub-commission",
                "turning-point",
                "2025-07-22",
                "Gender experts sat with the drafters of the ceasefire protocol.",
                "confidential",
                Some("latam"),
            ),
        ),
        (
            "secret_on_internal",
            find(&ps, "Mozambique"),
            debrief(
                "Secret lessons",
                "exit",
                "2026-01-20",
                "Zebracorn: the community dialogue and the ceasefire rumours.",
                "secret",
                None,
            ),
        ),
    ];
    let mut ids = std::collections::HashMap::new();
    for (name, process, body) in cases {
        let (s, v) = app
            .api(
                Method::POST,
                &format!("/api/v1/processes/{process}/debriefs"),
                &coord,
                Some(body),
            )
            .await;
        assert_eq!(s, 201, "{name}: {v}");
        ids.insert(name, v["id"].as_str().unwrap().to_string());
    }
    Fixture {
        app,
        coord,
        analyst,
        ids,
    }
}

async fn search(f: &Fixture, token: &str, qs: &str) -> (u16, Value) {
    f.app
        .api(
            Method::GET,
            &format!("/api/v1/lessons/search?{qs}"),
            token,
            None,
        )
        .await
}

fn hit_ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["debrief_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lessons_search_matches_dutch_english_phrases_and_filters() {
    let f = fixture().await;
    let id = |n: &str| f.ids[n].clone();
    // English, case-insensitive; the coordinator sees every compartment it belongs to.
    let (s, v) = search(&f, &f.coord, "q=CEASEFIRE").await;
    assert_eq!(s, 200, "{v}");
    let mut got = hit_ids(&v);
    got.sort();
    let mut want = vec![
        id("south_sudan"),
        id("hoa"),
        id("yemen"),
        id("colombia"),
        id("secret_on_internal"),
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(v["total"], 5);
    // Dutch, accent-insensitive: "coordinatie" finds "coördinatie", with the field and snippet.
    let (_, v) = search(&f, &f.analyst, "q=coordinatie%20AGENDA").await;
    assert_eq!(hit_ids(&v), vec![id("civilian")]);
    let hit = &v["hits"][0];
    assert_eq!(hit["field"], "key_lessons");
    assert_eq!(hit["snippet"]["hit"], "coördinatie");
    assert!(
        hit["snippet"]["before"].as_str().unwrap().ends_with("De "),
        "{hit}"
    );
    assert!(
        hit["snippet"]["after"]
            .as_str()
            .unwrap()
            .starts_with(" met vrouwenorganisaties")
    );
    // The case title is searched too, and named.
    let (_, v) = search(&f, &f.analyst, "q=inclusie").await;
    assert_eq!(v["hits"][0]["field"], "case");
    // Phrases: in order only.
    let (_, v) = search(&f, &f.analyst, "q=%22sequencing%20of%20ceasefire%22").await;
    assert_eq!(hit_ids(&v), vec![id("south_sudan")]);
    let (_, v) = search(&f, &f.analyst, "q=%22ceasefire%20of%20sequencing%22").await;
    assert_eq!(v["total"], 0);
    // All words must match.
    let (_, v) = search(&f, &f.analyst, "q=ceasefire%20vrouwenorganisaties").await;
    assert_eq!(v["total"], 0);
    // Filters: moment, Dutch role (the process's by default), theme, region, year.
    let (_, v) = search(&f, &f.analyst, "moment=exit").await;
    assert_eq!(hit_ids(&v), vec![id("south_sudan")]);
    let (_, v) = search(&f, &f.analyst, "dutch_role=facilitate").await;
    assert_eq!(hit_ids(&v), vec![id("civilian")]);
    let (_, v) = search(&f, &f.coord, "theme=wps&q=gender").await;
    assert_eq!(
        hit_ids(&v),
        vec![id("colombia")],
        "Colombia carries the WPS theme"
    );
    let (_, v) = search(&f, &f.coord, "region=Americas").await;
    assert_eq!(hit_ids(&v), vec![id("colombia")]);
    let (_, v) = search(&f, &f.coord, "region=Eastern%20Africa&q=ceasefire").await;
    let mut got = hit_ids(&v);
    got.sort();
    let mut want = vec![id("south_sudan"), id("secret_on_internal")];
    want.sort();
    assert_eq!(
        got, want,
        "South Sudan and Mozambique lie in Eastern Africa; Sudan does not"
    );
    let (_, v) = search(&f, &f.analyst, "year=2026").await;
    assert_eq!(hit_ids(&v), vec![id("civilian")]);
    // Unknown filter values are refused, naming the filter.
    for (qs, field) in [
        ("moment=midway", "moment"),
        ("region=Atlantis", "region"),
        ("dutch_role=boss", "Dutch role"),
    ] {
        let (s, e) = search(&f, &f.analyst, qs).await;
        assert_eq!(s, 422, "{qs}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(field),
            "{e}"
        );
    }
    // The page shows the same, with the matched field named.
    let b = f.app.browser("analyst").await;
    let (s, html) = b.get("/lessons?q=co%C3%B6rdinatie").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<mark>coördinatie</mark>") && html.contains("Key lessons"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_and_every_route_reveal_nothing_outside_compartment_or_clearance() {
    let f = fixture().await;
    let hidden = ["hoa", "yemen", "colombia", "secret_on_internal"];
    // No hit, count or snippet: "zebracorn" appears only in hidden debriefs.
    let (s, v) = search(&f, &f.analyst, "q=zebracorn").await;
    assert_eq!((s, v["total"].clone()), (200, json!(0)), "{v}");
    let (_, v) = search(&f, &f.coord, "q=zebracorn").await;
    assert_eq!(v["total"], 3);
    let (_, v) = search(&f, &f.analyst, "q=ceasefire").await;
    assert_eq!(hit_ids(&v), vec![f.ids["south_sudan"].clone()]);
    assert!(
        !v.to_string().to_lowercase().contains("zebracorn")
            && !v.to_string().contains("monitoring was designed")
    );
    let (_, v) = search(&f, &f.analyst, "").await;
    assert_eq!(
        v["total"], 2,
        "an empty query lists only what the analyst may read"
    );
    // The page: no result and no count.
    let b = f.app.browser("analyst").await;
    let (_, html) = b.get("/lessons?q=zebracorn").await;
    assert!(html.contains("<strong>0</strong>"));
    assert!(!html.contains("Jeddah sequencing") && !html.contains("Secret lessons"));
    // The desk officer (horn of Africa, confidential) sees the hoa debrief but not the others.
    let desk = f.app.token("desk-officer").await;
    let (_, v) = search(&f, &desk, "q=zebracorn").await;
    assert_eq!(hit_ids(&v), vec![f.ids["hoa"].clone()]);
    // Every route answers 404 for a hidden debrief.
    for name in hidden {
        let id = &f.ids[name];
        for (m, path, body) in [
            (Method::GET, format!("/api/v1/debriefs/{id}"), None),
            (
                Method::PUT,
                format!("/api/v1/debriefs/{id}"),
                Some(debrief("x", "exit", "2026-01-01", "x", "secret", None)),
            ),
            (Method::DELETE, format!("/api/v1/debriefs/{id}"), None),
        ] {
            let (s, _) = f.app.api(m.clone(), &path, &f.analyst, body).await;
            assert_eq!(s, 404, "{name}: {m} {path}");
        }
        for path in [format!("/debriefs/{id}"), format!("/debriefs/{id}/edit")] {
            assert_eq!(b.get(&path).await.0, 404, "{name}: {path}");
        }
        let (s, _, _) = b.post(&format!("/debriefs/{id}/delete"), &[]).await;
        assert_eq!(s, 404);
    }
    // A secret debrief of an internal process is not even listed with its process.
    let ps = process_ids(&f.app, &f.coord).await;
    let moz = find(&ps, "Mozambique");
    let (s, v) = f
        .app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{moz}/debriefs"),
            &f.analyst,
            None,
        )
        .await;
    assert_eq!((s, v["items"].as_array().unwrap().len()), (200, 0));
    let (_, html) = b.get(&format!("/processes/{moz}")).await;
    assert!(!html.contains("Secret lessons"));
    let hoa = find(&ps, "Sudan: ceasefire");
    let (s, _) = f
        .app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{hoa}/debriefs"),
            &f.analyst,
            None,
        )
        .await;
    assert_eq!(s, 404);
    // Reads of confidential debriefs by search are audited.
    let raw = f.app.instance.raw().await;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'debrief.search'")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert!(n >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debrief_fields_round_trip_encrypted_and_bad_input_changes_nothing() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let ps = process_ids(&app, &coord).await;
    let internal = find(&ps, "South Sudan");
    let other = find(&ps, "Myanmar");
    // A journal entry to tie the debrief to.
    let (s, e) = app.api(Method::POST, &format!("/api/v1/processes/{internal}/engagements"), &coord,
        Some(json!({"date": "2025-03-01", "kind": "meeting", "track": "I", "summary": "Met the monitoring body.", "classification": "internal"}))).await;
    assert_eq!(s, 201, "{e}");
    let (_, other_entry) = app.api(Method::POST, &format!("/api/v1/processes/{other}/engagements"), &coord,
        Some(json!({"date": "2025-03-01", "kind": "meeting", "track": "II", "summary": "Elsewhere.", "classification": "internal"}))).await;
    let body = json!({
        "engagement_id": e["id"], "moment": "exit", "date": "2025-07-01", "author": "A. de Vries",
        "case_title": "Accompanying the security arrangements", "started_on": "2022-02-01", "ended_on": "2025-06-30",
        "parties": ["IGAD", "Norway"], "other_parties": "RJMEC observers",
        "background": "BACKGROUND-PLAIN stalled unification of forces", "entry_points": "ENTRY-PLAIN a seat as accompanying partner",
        "process_design": "DESIGN-PLAIN quarterly technical workshops", "key_lessons": "LESSONS-PLAIN presence beats leverage",
        "follow_up": [{"who": "Desk", "what": "FOLLOWUP-PLAIN hand over the roster", "by": "2025-08-01"}],
        "themes": ["rule-of-law"], "classification": "confidential"});
    let id = app
        .create(
            &format!("/api/v1/processes/{internal}/debriefs"),
            &coord,
            body.clone(),
        )
        .await;
    let (_, got) = app
        .api(Method::GET, &format!("/api/v1/debriefs/{id}"), &coord, None)
        .await;
    for k in [
        "engagement_id",
        "moment",
        "date",
        "author",
        "case_title",
        "started_on",
        "ended_on",
        "parties",
        "other_parties",
        "background",
        "entry_points",
        "process_design",
        "key_lessons",
        "follow_up",
        "themes",
        "classification",
    ] {
        assert_eq!(got[k], body[k], "{k}");
    }
    assert_eq!(
        got["dutch_role"], "accompany",
        "the process's role by default"
    );
    // At rest: no narrative field in clear.
    let raw = app.instance.raw().await;
    let row = sqlx::query("SELECT other_parties, background, entry_points, process_design, key_lessons, follow_up FROM debriefs WHERE id = $1")
        .bind(&id).fetch_one(&raw).await.unwrap();
    for col in [
        "other_parties",
        "background",
        "entry_points",
        "process_design",
        "key_lessons",
        "follow_up",
    ] {
        let v: String = row.try_get(col).unwrap();
        assert!(
            !v.contains("PLAIN") && !v.contains("RJMEC") && !v.is_empty(),
            "{col} is not encrypted: {v}"
        );
    }
    // Update round-trips and is audited.
    let mut changed = body.clone();
    changed["key_lessons"] = json!("Changed lesson.");
    changed["dutch_role"] = json!("support");
    let (s, u) = app
        .api(
            Method::PUT,
            &format!("/api/v1/debriefs/{id}"),
            &coord,
            Some(changed),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(
        (u["key_lessons"].as_str(), u["dutch_role"].as_str()),
        (Some("Changed lesson."), Some("support"))
    );
    let audited: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE resource_id = $1 AND action IN ('debrief.create', 'debrief.update')")
        .bind(&id).fetch_one(&raw).await.unwrap().try_get("n").unwrap();
    assert_eq!(audited, 2);
    let feed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM change_feed WHERE resource_kind = 'debrief' AND resource_id = $1")
        .bind(&id).fetch_one(&raw).await.unwrap().try_get("n").unwrap();
    assert_eq!(feed, 2);

    // Bad input: 422 naming the field, nothing written.
    let before = count(&raw, "debriefs").await;
    let bad = |k: &str, v: Value| {
        let mut b = body.clone();
        b[k] = v;
        b
    };
    for (b, field) in [
        (bad("classification", json!("public")), "classification"),
        (bad("compartment", json!("yemen")), "compartment"),
        (bad("ended_on", json!("")), "ended_on"),
        (bad("moment", json!("halfway")), "moment"),
        (bad("key_lessons", json!(" ")), "key_lessons"),
        (bad("parties", json!(["Atlantis"])), "parties"),
        (
            bad("engagement_id", other_entry["id"].clone()),
            "engagement_id",
        ),
        (
            bad("follow_up", json!([{"who": "", "what": "x"}])),
            "follow_up",
        ),
    ] {
        app.assert_invalid(
            Method::POST,
            &format!("/api/v1/processes/{internal}/debriefs"),
            &coord,
            Some(b),
            field,
        )
        .await;
    }
    let b = app.browser("coordinator").await;
    let (s, html, _) = b
        .post(
            &format!("/processes/{internal}/debriefs"),
            &[
                ("moment", "exit"),
                ("date", "2026-01-01"),
                ("case_title", "Kept input"),
                ("started_on", "2025-01-01"),
                ("key_lessons", "x"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        html.contains("ended_on") && html.contains("Kept input"),
        "the form repeats the input and names the field"
    );
    assert_eq!(count(&raw, "debriefs").await, before);
    // The printable page shows the FDFA template.
    let (_, page) = b.get(&format!("/debriefs/{id}")).await;
    for s in [
        "Entry points",
        "Process design",
        "Key lessons",
        "Follow-up",
        "FOLLOWUP-PLAIN hand over the roster",
        "IGAD",
    ] {
        assert!(page.contains(s), "{s}");
    }
    // A process with lessons is not deleted silently.
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/processes/{internal}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/debriefs/{id}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/processes/{internal}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    app.instance.store.verify_audit().await.unwrap();
}

async fn training(app: &App, token: &str, title: &str, c: &str, comp: Option<&str>) -> String {
    let (s, v) = app.api(Method::POST, "/api/v1/trainings", token,
        Some(json!({"title": title, "starts_on": "2026-02-02", "place": "Nairobi", "organiser": "Unit", "classification": c, "compartment": comp}))).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn import(app: &App, token: &str, id: &str, csv: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/trainings/{id}/participants/import")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disaggregation_counts_right_and_only_what_the_reader_may_see() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let open = training(&app, &coord, "Open training", "internal", None).await;
    let hidden = training(
        &app,
        &coord,
        "Yemen training",
        "confidential",
        Some("yemen"),
    )
    .await;
    let (s, r) = import(
        &app,
        &coord,
        &open,
        "name,sex,organisation,organisation_type,country
Amal Osman,female,Sudanese Women's Union,womens-organisation,SD
,female,sudanese women's union,Women's organisation,SDN
Omar Haile,male,Ministry of Foreign Affairs,government,SD
,,Ministry of Foreign Affairs,government,
Sam,other,University of Khartoum,academia,SD
",
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["imported"], 5);
    let (s, _) = app.api(Method::POST, &format!("/api/v1/trainings/{open}/participants"), &coord,
        Some(json!({"sex": "male", "organisation": "Darfur Youth Forum", "organisation_type": "civil-society"}))).await;
    assert_eq!(s, 201);
    let (s, _) = import(&app, &coord, &hidden, "sex,organisation,organisation_type\nfemale,Taiz Women Mediators,womens-organisation\nfemale,Taiz Women Mediators,womens-organisation\nmale,Local council,government\n").await;
    assert_eq!(s, 200);

    let (_, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/trainings/{open}/disaggregation"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(
        d["total"],
        json!({"group": "all", "female": 2, "male": 2, "other": 1, "not_recorded": 1, "total": 6, "share_women": 2.0 * 100.0 / 6.0})
    );
    let types: Vec<(String, i64, i64)> = d["by_organisation_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["female"].as_i64().unwrap(),
                g["total"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        types,
        vec![
            ("government".into(), 0, 2),
            ("civil-society".into(), 0, 1),
            ("womens-organisation".into(), 2, 2),
            ("academia".into(), 0, 1)
        ]
    );
    let orgs = d["by_organisation"].as_array().unwrap();
    assert_eq!(orgs.len(), 4, "organisations compared without case");
    assert_eq!(
        (orgs[0]["total"].as_i64(), orgs[0]["share_women"].as_f64()),
        (Some(2), Some(0.0)),
        "{orgs:?}"
    );

    // Across trainings: the analyst counts only the open training, the coordinator both.
    let (_, all) = app
        .api(
            Method::GET,
            "/api/v1/trainings/disaggregation",
            &analyst,
            None,
        )
        .await;
    assert_eq!(
        (
            all["trainings"].as_i64(),
            all["total"]["total"].as_i64(),
            all["total"]["female"].as_i64()
        ),
        (Some(1), Some(6), Some(2))
    );
    assert!(!all.to_string().contains("Taiz"));
    let (_, all) = app
        .api(
            Method::GET,
            "/api/v1/trainings/disaggregation",
            &coord,
            None,
        )
        .await;
    assert_eq!(
        (
            all["trainings"].as_i64(),
            all["total"]["total"].as_i64(),
            all["total"]["female"].as_i64()
        ),
        (Some(2), Some(9), Some(4))
    );
    // The CSV export says the same.
    let r = app
        .client
        .get(app.url("/api/v1/trainings/disaggregation?format=csv"))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("dimension,group,female,male,other,not_recorded,total,share_women_pct"),
        "{csv}"
    );
    assert!(csv.contains("all,all participants,2,2,1,1,6,33.3"), "{csv}");
    assert!(
        csv.contains("organisation_type,womens-organisation,2,0,0,0,2,100.0"),
        "{csv}"
    );
    assert!(!csv.contains("Taiz"));
    // The page: table and SVG chart, with only visible figures.
    let b = app.browser("analyst").await;
    let (_, html) = b.get("/trainings").await;
    assert!(html.contains("<svg") && html.contains("33.3%") && !html.contains("Yemen training"));
    // The hidden training: 404 everywhere for the analyst.
    for path in [
        format!("/api/v1/trainings/{hidden}"),
        format!("/api/v1/trainings/{hidden}/participants"),
        format!("/api/v1/trainings/{hidden}/disaggregation"),
    ] {
        assert_eq!(
            app.api(Method::GET, &path, &analyst, None).await.0,
            404,
            "{path}"
        );
    }
    assert_eq!(b.get(&format!("/trainings/{hidden}")).await.0, 404);
    let (_, list) = app
        .api(Method::GET, "/api/v1/trainings", &analyst, None)
        .await;
    assert_eq!(list["total"], 1);
    // Names are encrypted at rest.
    let raw = app.instance.raw().await;
    for r in sqlx::query("SELECT name FROM training_participants WHERE name IS NOT NULL")
        .fetch_all(&raw)
        .await
        .unwrap()
    {
        let n: String = r.try_get("name").unwrap();
        assert!(!n.contains("Amal") && !n.contains("Omar"), "{n}");
    }
    let (_, ps) = app
        .api(
            Method::GET,
            &format!("/api/v1/trainings/{open}/participants"),
            &analyst,
            None,
        )
        .await;
    assert!(ps.to_string().contains("Amal Osman"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_participants_file_names_row_and_column_and_changes_nothing() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let id = training(&app, &coord, "Import training", "internal", None).await;
    let raw = app.instance.raw().await;
    let before = count(&raw, "training_participants").await;
    let (s, r) = import(
        &app,
        &coord,
        &id,
        "name,sex,organisation,organisation_type,country
Good Row,female,CMI,civil-society,FI
Bad Sex,f,CMI,civil-society,FI
Bad Type,male,Acme,company,ZZ
",
    )
    .await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["imported"], 0);
    let problems: Vec<(i64, String)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, "sex".into()),
            (4, "organisation_type".into()),
            (4, "country".into())
        ]
    );
    assert_eq!(r["errors"][0]["value"], "f");
    assert_eq!(
        count(&raw, "training_participants").await,
        before,
        "nothing imported"
    );
    // An unknown column is reported on the header row.
    let (s, r) = import(
        &app,
        &coord,
        &id,
        "sex,organisation,organisation_type,shoe_size\nfemale,CMI,civil-society,38\n",
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        (
            r["errors"][0]["row"].as_i64(),
            r["errors"][0]["column"].as_str()
        ),
        (Some(1), Some("shoe_size"))
    );
    assert_eq!(count(&raw, "training_participants").await, before);
    // The page reports the same; nothing changes.
    let b = app.browser("coordinator").await;
    let boundary = "grotius-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\nContent-Type: text/csv\r\n\r\nsex,organisation,organisation_type\nfemale,,civil-society\n\r\n--{boundary}--\r\n"
    );
    let r = b
        .client
        .post(format!("{}/trainings/{id}/import?_csrf={}", b.base, b.csrf))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<code>organisation</code>") && html.contains("<td>2</td>"),
        "{html}"
    );
    assert_eq!(count(&raw, "training_participants").await, before);
    // A good file imports every row; the failed attempts were audited.
    let (s, r) = import(
        &app,
        &coord,
        &id,
        "sex,organisation,organisation_type\nfemale,CMI,civil-society\nmale,CMI,civil-society\n",
    )
    .await;
    assert_eq!((s, r["imported"].as_i64()), (200, Some(2)));
    assert_eq!(count(&raw, "training_participants").await, before + 2);
    let failed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'training.participant.import' AND outcome = 'failed'")
        .fetch_one(&raw).await.unwrap().try_get("n").unwrap();
    assert_eq!(failed, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_holds_lessons_beyond_the_analyst_and_trainings_with_participants() {
    let i = crate::harness::Instance::demo().await;
    let coord = i.access("coordinator").await;
    let analyst = i.access("analyst").await;
    let none = grotius_domain::lessons::LessonFilters::default();
    let all = coord.search_debriefs("", &none).await.unwrap();
    let seen = analyst.search_debriefs("", &none).await.unwrap();
    assert_eq!(
        (all.total, seen.total),
        (9, 4),
        "five debriefs sit in compartments the analyst is not in"
    );
    assert!(seen.hits.iter().all(|h| h.labels.compartment.is_none()));
    let dutch = coord
        .search_debriefs("\"vrouwelijke bemiddelaars\"", &none)
        .await
        .unwrap();
    assert_eq!(dutch.total, 1);
    let trainings = coord.list_trainings(50, 0).await.unwrap();
    assert_eq!(trainings.total, 4);
    assert!(
        trainings
            .items
            .iter()
            .all(|t| (10..=30).contains(&t.participant_count))
    );
    // Seeding again adds nothing.
    grotius::demo::seed(&i.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    assert_eq!(coord.search_debriefs("", &none).await.unwrap().total, 9);
    assert_eq!(coord.list_trainings(50, 0).await.unwrap().total, 4);
}
