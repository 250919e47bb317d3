//! The roster: experts over the API and the UI, import and export (CSV, XLSX), requests for
//! support and their workflow, ranked matching, and what a user outside a compartment learns.

use grotius_domain::roster::{ExpertInput, RequestInput};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Instance, PASSWORD, count, csrf_of};

const HEADER: &str = "name,sex,expertise,languages,regions,tracks,availability,conflicts_of_interest,clearance,women_mediator_network,network_name,past_deployments,classification,compartment";

fn expert_json(name: &str) -> Value {
    json!({
        "name": name, "sex": "female",
        "expertise": ["ceasefire-security", "process-design"],
        "languages": ["ar", "en"], "regions": ["Northern Africa", "SD"], "tracks": ["I"],
        "availability": [{"from": "2026-03-01", "to": "2026-06-30"}],
        "conflicts": [{"subject": "ER", "note": "family ties"}],
        "clearance": "confidential", "network_member": true, "network_name": "FemWise-Africa",
        "deployments": ["Khartoum 2019"], "classification": "internal"
    })
}

async fn upload(app: &App, token: &str, query: &str, body: &[u8], ct: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/experts/import{query}")))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_experts_api_keeps_its_contract() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let (s, created) = app
        .api(
            Method::POST,
            "/api/v1/experts",
            &coord,
            Some(expert_json("Amina Yusuf")),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["languages"], json!(["ar", "en"]));
    assert_eq!(created["regions"], json!(["Northern Africa", "SD"]));
    assert_eq!(created["conflicts"][0]["subject"], "ER");

    let (s, list) = app
        .api(Method::GET, "/api/v1/experts?limit=100000", &coord, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(list["limit"], 500, "limit is clamped");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());

    for (q, n) in [
        ("expertise=ceasefire-security", 1),
        ("expertise=mhpss", 0),
        ("language=AR", 1),
        ("language=fr", 0),
        ("region=Africa", 1),
        ("region=SD", 1),
        ("region=Europe", 0),
        ("available_from=2026-04-01&available_to=2026-05-01", 1),
        ("available_from=2026-06-01&available_to=2026-07-15", 0),
    ] {
        let (s, l) = app
            .api(Method::GET, &format!("/api/v1/experts?{q}"), &coord, None)
            .await;
        assert_eq!(s, 200, "{q}: {l}");
        assert_eq!(l["total"], n, "{q}");
    }
    let (s, e) = app
        .api(
            Method::GET,
            "/api/v1/experts?language=english",
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 422, "{e}");

    let mut changed = expert_json("Amina Yusuf-Ali");
    changed["languages"] = json!(["xx"]);
    let (s, e) = app
        .api(
            Method::PUT,
            &format!("/api/v1/experts/{id}"),
            &coord,
            Some(changed.clone()),
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("languages"),
        "{e}"
    );
    changed["languages"] = json!(["fr"]);
    let (s, e) = app
        .api(
            Method::PUT,
            &format!("/api/v1/experts/{id}"),
            &coord,
            Some(changed),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["name"], "Amina Yusuf-Ali");

    // Readers read; only the unit writes.
    let analyst = app.token("analyst").await;
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/experts/{id}"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/experts/{id}"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .api(
            Method::GET,
            "/api/v1/experts",
            &app.token("partner").await,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/experts/{id}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .api(Method::GET, &format!("/api/v1/experts/{id}"), &coord, None)
        .await;
    assert_eq!(s, 404);

    // The OpenAPI document lists the roster.
    let (_, doc) = app
        .api(Method::GET, "/api/v1/openapi.json", &coord, None)
        .await;
    for p in [
        "/api/v1/experts",
        "/api/v1/experts/import",
        "/api/v1/requests/{id}/matches",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from OpenAPI");
    }
}

#[tokio::test]
async fn import_reports_row_and_column_and_a_bad_file_changes_nothing() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let raw = app.instance.raw().await;

    let good = format!(
        "{HEADER}\n\
         Hala Saeed,female,ceasefire-security;process-design,ar;en,Northern Africa;SD,I;1.5,2026-01-01/2026-03-31,ER: family ties,confidential,yes,FemWise-Africa,Juba 2018;Khartoum 2019,internal,\n\
         Deng Garang,male,power-sharing,en,Eastern Africa,II,,,internal,no,,,internal,\n"
    );
    let (s, report) = upload(&app, &coord, "", good.as_bytes(), "text/csv").await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["imported"], 2);
    assert_eq!(report["errors"], json!([]));
    assert_eq!(count(&raw, "experts").await, 2);
    assert_eq!(count(&raw, "expert_availability").await, 1);

    let bad = format!(
        "{HEADER}\n\
         Rosa Quintero,female,gender-inclusion,es,CO,I,2026-05-01/2026-06-30,,internal,no,,,internal,\n\
         Carlos Restrepo,male,transitional-justice,spanish,CO,I,,,internal,no,,,internal,\n\
         Marta Ferreira,f,mhpss,pt,MZ,III,2026-02-30/2026-03-01,,internal,maybe,,,internal,\n"
    );
    let before = count(&raw, "experts").await;
    let audit_before = count(&raw, "audit_log").await;
    let (s, report) = upload(&app, &coord, "", bad.as_bytes(), "text/csv").await;
    assert_eq!(s, 422, "{report}");
    assert_eq!(report["imported"], 0);
    assert_eq!(report["valid"], 1);
    let problems: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        (3, "languages"),
        (4, "sex"),
        (4, "availability"),
        (4, "women_mediator_network"),
    ] {
        assert!(
            problems.contains(&(want.0, want.1.to_string())),
            "{want:?} not in {problems:?}"
        );
    }
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert_eq!(
        count(&raw, "experts").await,
        before,
        "a bad file changes nothing"
    );
    assert_eq!(
        count(&raw, "audit_log").await,
        audit_before + 1,
        "only the refused import is audited"
    );

    // The user may choose to import the valid rows.
    let (s, report) = upload(
        &app,
        &coord,
        "?valid_rows_only=true",
        bad.as_bytes(),
        "text/csv",
    )
    .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["imported"], 1);
    assert_eq!(count(&raw, "experts").await, before + 1);

    // A header problem is named at row 1.
    let (s, report) = upload(&app, &coord, "", b"name,colour\nX,blue\n", "text/csv").await;
    assert_eq!(s, 422);
    assert_eq!(report["errors"][0]["row"], 1);

    // Readers may not import.
    let (s, _) = upload(
        &app,
        &app.token("analyst").await,
        "",
        good.as_bytes(),
        "text/csv",
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(count(&raw, "experts").await, before + 1);
}

#[tokio::test]
async fn xlsx_export_imports_again_unchanged() {
    let from = App::spawn().await;
    let coord = from.token("coordinator").await;
    for (i, name) in ["Ingrid Solberg", "Omar Abdelrahman", "Khin Myat Noe"]
        .iter()
        .enumerate()
    {
        let mut e = expert_json(name);
        e["tracks"] = json!([["I"], ["1.5", "II"], ["III"]])[i].clone();
        let (s, b) = from
            .api(Method::POST, "/api/v1/experts", &coord, Some(e))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, xlsx) = from
        .download(&coord, "/api/v1/experts/export?format=xlsx")
        .await;
    assert_eq!(s, 200);
    assert!(xlsx.starts_with(b"PK"), "an XLSX file is a ZIP archive");
    let (_, csv_before) = from
        .download(&coord, "/api/v1/experts/export?format=csv")
        .await;

    let to = App::spawn().await;
    let coord2 = to.token("coordinator").await;
    let (s, report) = upload(&to, &coord2, "", &xlsx, "application/octet-stream").await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["imported"], 3);
    let (_, csv_after) = to
        .download(&coord2, "/api/v1/experts/export?format=csv")
        .await;
    // Same content apart from the new ids (first column).
    let without_id = |b: &[u8]| -> Vec<String> {
        String::from_utf8(b.to_vec())
            .unwrap()
            .lines()
            .map(|l| l.split_once(',').unwrap().1.to_string())
            .collect()
    };
    assert_eq!(without_id(&csv_before), without_id(&csv_after));
    assert_eq!(without_id(&csv_after).len(), 4);

    // Exports are audited and need the export right.
    let raw = from.instance.raw().await;
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'expert.export'")
            .fetch_one(&raw)
            .await
            .unwrap(),
        "n",
    )
    .unwrap();
    assert_eq!(n, 2);
    let (s, _) = from
        .download(
            &from.token("analyst").await,
            "/api/v1/experts/export?format=csv",
        )
        .await;
    assert_eq!(s, 403);
}

/// A multipart body with one file field.
fn multipart(boundary: &str, file_name: &str, content: &[u8], valid_only: bool) -> Vec<u8> {
    let mut b = Vec::new();
    if valid_only {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"valid_rows_only\"\r\n\r\n1\r\n").as_bytes(),
        );
    }
    b.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

#[tokio::test]
async fn the_upload_form_imports_with_its_csrf_token_in_the_query() {
    let app = App::spawn().await;
    let browser = app.browser("coordinator").await;
    let (s, page) = browser.get("/roster/import").await;
    assert_eq!(s, 200);
    assert!(page.contains("multipart/form-data"));
    assert_eq!(csrf_of(&page).as_deref(), Some(browser.csrf.as_str()));
    let csrf = crate::harness::csrf_of(&page).unwrap();
    let csv = format!(
        "{HEADER}\nLeila Haddad,female,mhpss,ar;fr,Western Asia,III,,,internal,no,,,internal,\n"
    );
    let boundary = "grotius-test-boundary";
    let post = |q: String, body: Vec<u8>| {
        browser
            .client
            .post(format!("{}/roster/import{q}", browser.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    let r = post(
        String::new(),
        multipart(boundary, "x.csv", csv.as_bytes(), false),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403, "an upload without the token is refused");
    let r = post(
        format!("?_csrf={csrf}"),
        multipart(boundary, "x.csv", csv.as_bytes(), false),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Leila Haddad") || html.contains(">1<"),
        "{html}"
    );
    let (_, list) = browser.get("/roster").await;
    assert!(list.contains("Leila Haddad"));

    // A bad file shows the report with row and column, in Dutch too.
    let bad = format!("{HEADER}\nX,female,cooking,en,,I,,,internal,no,,,internal,\n");
    let _ = browser.get("/lang/nl").await;
    let r = post(
        format!("?_csrf={csrf}"),
        multipart(boundary, "bad.csv", bad.as_bytes(), false),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Importverslag") && html.contains("expertise"),
        "{html}"
    );

    // The download buttons give files.
    let r = browser
        .client
        .get(format!("{}/roster/export?format=xlsx", browser.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("experts.xlsx")
    );
}

fn fixture(name: &str, sex: &str) -> ExpertInput {
    ExpertInput {
        name: name.into(),
        sex: sex.into(),
        clearance: "secret".into(),
        classification: "internal".into(),
        ..Default::default()
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[tokio::test]
async fn matching_ranks_a_fixture_roster_in_the_expected_order() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    let mut ids = std::collections::HashMap::new();
    let add = |e: ExpertInput| {
        let name = e.name.clone();
        (name, e)
    };
    let roster = vec![
        // Everything: expertise both, languages both, the country, available all along, track.
        add(ExpertInput {
            expertise: s(&["ceasefire-security", "process-design"]),
            languages: s(&["ar", "en"]),
            regions: s(&["SD"]),
            tracks: s(&["I"]),
            availability: s(&["2026-03-01/2026-03-31"]),
            ..fixture("A Perfect", "female")
        }),
        // One expertise of two, one language, the sub-region, half the period, the track.
        add(ExpertInput {
            expertise: s(&["ceasefire-security"]),
            languages: s(&["en"]),
            regions: s(&["Northern Africa"]),
            tracks: s(&["I"]),
            availability: s(&["2026-03-01/2026-03-16"]),
            ..fixture("B Partial", "male")
        }),
        // Same score as C Twin: ordered by name.
        add(ExpertInput {
            languages: s(&["ar", "en"]),
            regions: s(&["Africa"]),
            ..fixture("D Twin", "female")
        }),
        add(ExpertInput {
            languages: s(&["ar", "en"]),
            regions: s(&["Africa"]),
            ..fixture("C Twin", "male")
        }),
        // Would rank first, but declared a conflict on Sudan.
        add(ExpertInput {
            expertise: s(&["ceasefire-security", "process-design"]),
            languages: s(&["ar", "en"]),
            regions: s(&["SD"]),
            tracks: s(&["I"]),
            conflicts: s(&["SD: advised a party"]),
            ..fixture("E Conflicted", "female")
        }),
        // Would rank high, but has no clearance for a confidential request.
        add(ExpertInput {
            expertise: s(&["ceasefire-security", "process-design"]),
            languages: s(&["ar"]),
            clearance: "internal".into(),
            ..fixture("F Uncleared", "male")
        }),
        // Declared a conflict on the requester by name.
        add(ExpertInput {
            expertise: s(&["ceasefire-security"]),
            conflicts: s(&["Embassy Riyadh: former staff"]),
            ..fixture("G Requester", "male")
        }),
        // Nothing in common: left out.
        add(ExpertInput {
            languages: s(&["nl"]),
            regions: s(&["Western Europe"]),
            ..fixture("H Unrelated", "female")
        }),
    ];
    for (name, e) in roster {
        let created = coord.create_expert(&e).await.unwrap();
        ids.insert(name, created.id);
    }
    let request = coord
        .create_request(&RequestInput {
            title: "Ceasefire adviser".into(),
            requester: "Embassy Riyadh".into(),
            request_type: "advisory".into(),
            modality: "in-person".into(),
            urgency: "immediate".into(),
            countries: s(&["SD"]),
            expertise: s(&["ceasefire-security", "process-design"]),
            languages: s(&["ar", "en"]),
            track: Some("I".into()),
            start_date: Some("2026-03-01".into()),
            end_date: Some("2026-03-31".into()),
            classification: "confidential".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let ranked = coord.match_request(&request.id, 50).await.unwrap();
    let names: Vec<&str> = ranked.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["A Perfect", "B Partial", "C Twin", "D Twin"]);
    assert_eq!(ranked[0].score, 100.0);
    // B: 20 expertise + 10 language + 10.5 sub-region + 7.7 availability (16/31) + 10 track.
    assert_eq!(ranked[1].score, 58.2);
    let kinds: Vec<&str> = ranked[1].reasons.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["expertise", "language", "region", "availability", "track"]
    );
    assert_eq!(ranked[1].reasons[3].detail, "16/31");

    // The same through the API, and the team view with its gender balance.
    let app = App::spawn_with(i, Default::default()).await;
    let token = app.token("coordinator").await;
    let (s2, m) = app
        .api(
            Method::GET,
            &format!("/api/v1/requests/{}/matches", request.id),
            &token,
            None,
        )
        .await;
    assert_eq!(s2, 200);
    assert_eq!(m["items"][0]["name"], "A Perfect");
    assert_eq!(m["items"].as_array().unwrap().len(), 4);
    for who in ["A Perfect", "B Partial"] {
        let (s2, _) = app
            .api(
                Method::POST,
                &format!("/api/v1/requests/{}/team", request.id),
                &token,
                Some(json!({"expert_id": ids[who]})),
            )
            .await;
        assert_eq!(s2, 204);
    }
    let (s2, uncleared) = app
        .api(
            Method::POST,
            &format!("/api/v1/requests/{}/team", request.id),
            &token,
            Some(json!({"expert_id": ids["F Uncleared"]})),
        )
        .await;
    assert_eq!(s2, 422, "{uncleared}");
    let (_, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/requests/{}", request.id),
            &token,
            None,
        )
        .await;
    assert_eq!(
        d["gender_balance"],
        json!({"female": 1, "male": 1, "other_or_undisclosed": 0})
    );
    let b = app.browser("coordinator").await;
    let (st, html) = b.get(&format!("/roster/requests/{}", request.id)).await;
    assert_eq!(st, 200);
    assert!(html.contains("A Perfect") && html.contains("C Twin"));
    assert!(!html.contains("E Conflicted") && !html.contains("F Uncleared"));
}

#[tokio::test]
async fn requests_move_through_the_workflow_with_who_and_when() {
    let app = App::spawn().await;
    let desk = app.token("desk-officer").await;
    let (s, r) = app
        .api(
            Method::POST,
            "/api/v1/requests",
            &desk,
            Some(json!({
                "title": "Training for local mediators", "requester": "Embassy Khartoum",
                "request_type": "training", "modality": "remote", "urgency": "urgent",
                "countries": ["SD"], "classification": "internal"
            })),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["state"], "triage");
    let id = r["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/requests/{id}/transitions");
    let (s, e) = app
        .api(Method::POST, &path, &desk, Some(json!({"to": "closure"})))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("decision"));
    let coord = app.token("coordinator").await;
    for (who, to) in [
        (&desk, "decision"),
        (&coord, "deployment"),
        (&coord, "closure"),
    ] {
        let (s, e) = app
            .api(
                Method::POST,
                &path,
                who,
                Some(json!({"to": to, "note": "ok"})),
            )
            .await;
        assert_eq!(s, 200, "{to}: {e}");
        assert_eq!(e["state"], to);
    }
    let (_, d) = app
        .api(Method::GET, &format!("/api/v1/requests/{id}"), &coord, None)
        .await;
    let who: Vec<(&str, &str)> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["to_state"].as_str().unwrap(),
                h["username"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        who,
        vec![
            ("decision", "desk-officer"),
            ("deployment", "coordinator"),
            ("closure", "coordinator")
        ]
    );
    assert_eq!(d["next_states"], json!([]));
    let raw = app.instance.raw().await;
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'support-request.transition' AND resource_id = $1",
        )
        .bind(&id)
        .fetch_one(&raw)
        .await
        .unwrap(),
        "n",
    )
    .unwrap();
    assert_eq!(n, 3);
    // Readers may not move requests.
    let (s, _) = app
        .api(
            Method::POST,
            &path,
            &app.token("analyst").await,
            Some(json!({"to": "decision"})),
        )
        .await;
    assert_eq!(s, 403);
    // The UI lists it with the dashboard figures.
    let b = app.browser("coordinator").await;
    let (s, html) = b.get("/roster/requests").await;
    assert_eq!(s, 200);
    assert!(html.contains("Training for local mediators"));
    assert!(html.contains("72"));
}

#[tokio::test]
async fn a_user_outside_a_compartment_learns_nothing_of_its_roster() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let mut hidden = expert_json("Hidden Yemen Expert");
    hidden["classification"] = json!("confidential");
    hidden["compartment"] = json!("yemen");
    hidden["languages"] = json!(["ar"]);
    let (s, h) = app
        .api(Method::POST, "/api/v1/experts", &coord, Some(hidden))
        .await;
    assert_eq!(s, 201, "{h}");
    let hidden_id = h["id"].as_str().unwrap().to_string();
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/experts",
            &coord,
            Some(expert_json("Visible Expert")),
        )
        .await;
    assert_eq!(s, 201);
    let visible_id = v["id"].as_str().unwrap().to_string();
    let request = |title: &str, compartment: Option<&str>| {
        json!({
            "title": title, "requester": "Office of the UN Special Envoy",
            "request_type": "advisory", "modality": "remote", "urgency": "urgent",
            "countries": ["YE"], "expertise": ["ceasefire-security"], "languages": ["ar"],
            "classification": "internal", "compartment": compartment
        })
    };
    let (_, hr) = app
        .api(
            Method::POST,
            "/api/v1/requests",
            &coord,
            Some(request("Hidden request", Some("yemen"))),
        )
        .await;
    let hidden_req = hr["id"].as_str().unwrap().to_string();
    let (_, vr) = app
        .api(
            Method::POST,
            "/api/v1/requests",
            &coord,
            Some(request("Open request", None)),
        )
        .await;
    let visible_req = vr["id"].as_str().unwrap().to_string();
    // The hidden expert is on the team of the visible request.
    for e in [&hidden_id, &visible_id] {
        let (s, b) = app
            .api(
                Method::POST,
                &format!("/api/v1/requests/{visible_req}/team"),
                &coord,
                Some(json!({ "expert_id": e })),
            )
            .await;
        assert_eq!(s, 204, "{b}");
    }
    let (_, m) = app
        .api(
            Method::GET,
            &format!("/api/v1/requests/{visible_req}/matches"),
            &coord,
            None,
        )
        .await;
    assert!(
        m.to_string().contains("Hidden Yemen Expert"),
        "the member sees it: {m}"
    );

    // The analyst (confidential clearance, no compartments) and the desk officer (not in yemen).
    for who in ["analyst", "desk-officer"] {
        let t = app.token(who).await;
        let (_, list) = app
            .api(Method::GET, "/api/v1/experts?limit=500", &t, None)
            .await;
        assert_eq!(list["total"], 1, "{who}: {list}");
        assert!(!list.to_string().contains("Hidden"));
        let (_, filtered) = app
            .api(
                Method::GET,
                "/api/v1/experts?language=ar&region=YE",
                &t,
                None,
            )
            .await;
        assert!(!filtered.to_string().contains("Hidden"), "{who}");
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/experts/{hidden_id}"),
                &t,
                None,
            )
            .await;
        assert_eq!(s, 404, "{who}");
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/requests/{hidden_req}"),
                &t,
                None,
            )
            .await;
        assert_eq!(s, 404, "{who}");
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/requests/{hidden_req}/matches"),
                &t,
                None,
            )
            .await;
        assert_eq!(s, 404, "{who}");
        let (_, reqs) = app.api(Method::GET, "/api/v1/requests", &t, None).await;
        assert_eq!(reqs["total"], 1, "{who}: {reqs}");
        assert!(!reqs.to_string().contains("Hidden request"));
        let (_, m) = app
            .api(
                Method::GET,
                &format!("/api/v1/requests/{visible_req}/matches"),
                &t,
                None,
            )
            .await;
        assert!(!m.to_string().contains("Hidden"), "{who}: {m}");
        let (_, d) = app
            .api(
                Method::GET,
                &format!("/api/v1/requests/{visible_req}"),
                &t,
                None,
            )
            .await;
        assert_eq!(d["team"].as_array().unwrap().len(), 1, "{who}: {d}");
        assert!(!d.to_string().contains("Hidden"), "{who}");
        let b = app.browser(who).await;
        for page in [
            "/roster".to_string(),
            "/roster/requests".to_string(),
            format!("/roster/requests/{visible_req}"),
        ] {
            let (s, html) = b.get(&page).await;
            assert_eq!(s, 200, "{who} {page}");
            assert!(!html.contains("Hidden"), "{who} {page}");
        }
        let (s, _) = b.get(&format!("/roster/experts/{hidden_id}")).await;
        assert_eq!(s, 404);
    }
    // An exporter outside the compartment: a coordinator-like user without yemen membership.
    let op = app.instance.store.cli_operator();
    op.create_user(&grotius_store::NewUser {
        username: "coord2".into(),
        display_name: "Second coordinator".into(),
        password: PASSWORD.into(),
        roles: vec![grotius_domain::Role::Coordinator],
        clearance: grotius_domain::Classification::Secret,
        organisation: None,
    })
    .await
    .unwrap();
    let t = app.token("coord2").await;
    let (s, csv) = app.download(&t, "/api/v1/experts/export?format=csv").await;
    assert_eq!(s, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("Visible Expert") && !csv.contains("Hidden"),
        "{csv}"
    );
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/experts/{hidden_id}"),
            &t,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/requests/{visible_req}/team"),
            &t,
            Some(json!({ "expert_id": hidden_id })),
        )
        .await;
    assert_eq!(
        s, 422,
        "assigning an expert you cannot see is refused as unknown"
    );
}

#[tokio::test]
async fn the_demo_roster_is_seeded_once_with_requests_in_every_state() {
    let i = Instance::new().await;
    grotius::demo::seed(&i.store, PASSWORD).await.unwrap();
    grotius::demo::seed(&i.store, PASSWORD).await.unwrap();
    let coord = i.access("coordinator").await;
    let experts = coord
        .list_experts(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert_eq!(experts.total, 56);
    let women = experts.items.iter().filter(|e| e.sex == "female").count();
    assert_eq!(women, 28);
    assert!(experts.items.iter().any(|e| e.network_member));
    let requests = coord
        .list_requests(&Default::default(), 500, 0)
        .await
        .unwrap();
    for state in ["triage", "decision", "deployment", "closure", "rejected"] {
        assert!(
            requests.items.iter().any(|r| r.state == state),
            "no demo request in {state}"
        );
    }
    // The analyst sees fewer experts than the coordinator.
    let analyst = i.access("analyst").await;
    let seen = analyst
        .list_experts(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert!(seen.total < 56);
}

#[tokio::test]
async fn the_command_line_imports_experts_and_reports_bad_rows() {
    let i = Instance::seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!("{HEADER}\nTamar Beridze,female,power-sharing,ka;ru;en,Western Asia,1.5,,,internal,no,,,internal,\n"),
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}\nLars Eriksen,male,diplomacy,no,Northern Europe,I,,,internal,no,,,internal,\n"
        ),
    )
    .unwrap();
    let run = |file: &std::path::Path, extra: &[&str]| {
        let mut cmd = std::process::Command::new(crate::harness::bin());
        cmd.arg("import").arg("experts").arg(file);
        cmd.arg("--data")
            .arg(i.data())
            .args(i.database_args())
            .args(extra);
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, _, err) = run(&good, &[]);
    assert_ne!(code, 0);
    assert!(err.contains("--as"), "{err}");
    let (code, out, err) = run(&good, &["--as", "coordinator"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 imported"), "{out}");
    assert!(err.contains("importing: 1/1"), "{err}");
    let (code, out, _) = run(&bad, &["--as", "coordinator"]);
    assert_eq!(code, 1);
    assert!(out.contains("row 2, column expertise"), "{out}");
    let raw = i.raw().await;
    assert_eq!(count(&raw, "experts").await, 1);
    let (code, _, err) = run(&good, &["--as", "analyst"]);
    assert_ne!(code, 0);
    assert!(err.contains("not permitted"), "{err}");
}

#[tokio::test]
async fn the_roster_pages_create_show_and_edit_in_both_languages() {
    let app = App::spawn().await;
    let b = app.browser("coordinator").await;
    let (s, form) = b.get("/roster/new").await;
    assert_eq!(s, 200);
    assert!(form.contains("name=\"expertise\""));
    let fields = [
        ("name", "Noor Al-Hakim"),
        ("sex", "female"),
        ("expertise", "mhpss"),
        ("expertise", "gender-inclusion"),
        ("languages", "ar, en"),
        ("regions", "Western Asia, YE"),
        ("tracks", "II"),
        (
            "availability",
            "2026-01-01/2026-02-28\n2026-05-01/2026-05-31",
        ),
        ("conflicts", "SA: advised the coalition"),
        ("clearance", "confidential"),
        ("network_member", "1"),
        ("network_name", "Mediterranean Women Mediators Network"),
        ("classification", "internal"),
        ("compartment", ""),
    ];
    let (s, _, loc) = b.post("/roster", &fields).await;
    assert_eq!(s, 303);
    let loc = loc.unwrap();
    let (s, page) = b.get(&loc).await;
    assert_eq!(s, 200);
    assert!(page.contains("Noor Al-Hakim") && page.contains("SA: advised the coalition"));
    assert!(page.contains("2026-05-01/2026-05-31"));
    let (s, edit) = b.get(&format!("{loc}/edit")).await;
    assert_eq!(s, 200);
    assert!(edit.contains("Mediterranean Women Mediators Network"));
    // A bad value is named, and the form keeps the input.
    let mut bad = fields.to_vec();
    bad[4] = ("languages", "arabic");
    let (s, html, _) = b.post(&loc, &bad).await;
    assert_eq!(s, 422);
    assert!(
        html.contains("languages") && html.contains("arabic"),
        "{html}"
    );
    let _ = b.get("/lang/nl").await;
    let (_, nl) = b.get("/roster").await;
    assert!(nl.contains("Expertpool") && nl.contains("Noor Al-Hakim"));
    let (s, nl) = b.get("/roster/requests/new").await;
    assert_eq!(s, 200);
    assert!(nl.contains("Aanvrager"));
    let (s, _, loc) = b
        .post(
            "/roster/requests",
            &[
                ("title", "Verzoek"),
                ("requester", "Ambassade Sanaa"),
                ("request_type", "coaching"),
                ("modality", "remote"),
                ("urgency", "routine"),
                ("countries", "YE"),
                ("expertise", "mhpss"),
                ("languages", "ar"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (s, page) = b.get(&loc.unwrap()).await;
    assert_eq!(s, 200);
    assert!(page.contains("Noor Al-Hakim"), "the expert is matched");
    // Readers see no edit buttons and cannot open the form.
    let a = app.browser("analyst").await;
    let (s, _) = a.get("/roster/new").await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn the_dashboard_counts_only_what_the_reader_may_see() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let create = |title: &str, countries: Value, expertise: Value, compartment: Option<&str>| {
        json!({
            "title": title, "requester": "Office of the UN Special Envoy",
            "request_type": "advisory", "modality": "in-person", "urgency": "urgent",
            "countries": countries, "expertise": expertise,
            "classification": "internal", "compartment": compartment
        })
    };
    let mut ids = Vec::new();
    for body in [
        create(
            "Visible ceasefire support",
            json!(["SD", "SS"]),
            json!(["ceasefire-security"]),
            None,
        ),
        create(
            "Hidden Hodeidah support",
            json!(["YE"]),
            json!(["gender-inclusion"]),
            Some("yemen"),
        ),
        create(
            "Waiting long",
            json!(["CO"]),
            json!(["process-design"]),
            None,
        ),
    ] {
        let (s, r) = app
            .api(Method::POST, "/api/v1/requests", &coord, Some(body))
            .await;
        assert_eq!(s, 201, "{r}");
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    for id in &ids[..2] {
        for to in ["decision", "deployment"] {
            let (s, e) = app
                .api(
                    Method::POST,
                    &format!("/api/v1/requests/{id}/transitions"),
                    &coord,
                    Some(json!({ "to": to })),
                )
                .await;
            assert_eq!(s, 200, "{e}");
        }
    }
    // The visible request's team: one visible expert and one in the yemen compartment.
    let mut hidden = expert_json("Hidden Team Member");
    hidden["compartment"] = json!("yemen");
    for e in [expert_json("Visible Team Member"), hidden] {
        let (s, x) = app
            .api(Method::POST, "/api/v1/experts", &coord, Some(e))
            .await;
        assert_eq!(s, 201, "{x}");
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/v1/requests/{}/team", ids[0]),
                &coord,
                Some(json!({ "expert_id": x["id"] })),
            )
            .await;
        assert_eq!(s, 204);
    }
    // The third request was filed four days ago and still waits.
    let raw = app.instance.raw().await;
    let four_days = 4 * 24 * 3_600_000_000_i64;
    sqlx::query("UPDATE support_requests SET created_at = created_at - $1 WHERE id = $2")
        .bind(four_days)
        .bind(&ids[2])
        .execute(&raw)
        .await
        .unwrap();

    let region = |d: &Value, key: &str| {
        d["by_region"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["key"] == key)
            .map(|b| {
                (
                    b["deployments"].as_i64().unwrap(),
                    b["experts"].as_i64().unwrap(),
                )
            })
    };
    let (s, d) = app
        .api(Method::GET, "/api/v1/requests/dashboard", &coord, None)
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["requests"], 3);
    assert_eq!(d["deployed"], 2);
    assert_eq!(d["deployed_within_benchmark"], 2);
    assert_eq!(d["open"], 3, "deployment counts as open: {d}");
    assert_eq!(region(&d, "Northern Africa"), Some((1, 2)));
    assert_eq!(region(&d, "Eastern Africa"), Some((1, 2)));
    assert_eq!(region(&d, "Western Asia"), Some((1, 0)));
    let waiting = d["waiting"].as_array().unwrap();
    assert_eq!(waiting[0]["title"], "Waiting long", "longest waiting first");
    assert_eq!(waiting[0]["over_benchmark"], true);
    assert!(waiting[0]["hours_open"].as_f64().unwrap() >= 96.0);
    assert!(waiting[1..].iter().all(|w| w["over_benchmark"] == false));

    for who in ["analyst", "desk-officer"] {
        let t = app.token(who).await;
        let (s, d) = app
            .api(Method::GET, "/api/v1/requests/dashboard", &t, None)
            .await;
        assert_eq!(s, 200, "{who}: {d}");
        assert_eq!(d["requests"], 2, "{who}: {d}");
        assert_eq!(d["deployed"], 1, "{who}");
        assert_eq!(d["open"], 2, "{who}");
        assert_eq!(region(&d, "Northern Africa"), Some((1, 1)), "{who}: {d}");
        assert_eq!(region(&d, "Western Asia"), None, "{who}: {d}");
        assert!(
            !d["by_theme"].to_string().contains("gender-inclusion"),
            "{who}: {d}"
        );
        assert!(!d.to_string().contains("Hidden"), "{who}");
        let b = app.browser(who).await;
        for (lang, east) in [("en", "Eastern Africa"), ("nl", "Oost-Afrika")] {
            b.get(&format!("/lang/{lang}")).await;
            let (s, html) = b.get("/roster/dashboard").await;
            assert_eq!(s, 200, "{who}");
            assert!(html.contains("Waiting long") && html.contains("<svg"));
            assert!(html.contains(east), "{who} {lang}");
            assert!(!html.contains("Hidden"), "{who}");
            assert!(
                !html.contains("Western Asia") && !html.contains("West-Azië"),
                "{who}"
            );
        }
    }
    // Those without any request rights learn nothing, not even that the page exists.
    let t = app.token("documenter").await;
    let (s, _) = app
        .api(Method::GET, "/api/v1/requests/dashboard", &t, None)
        .await;
    assert_eq!(s, 404);
}
