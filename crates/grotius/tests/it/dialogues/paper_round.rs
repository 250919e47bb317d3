//! Paper rounds (Track III community meetings): the moderator types the paper votes into a
//! spreadsheet and imports it into a conversation run inside Grotius — through the results
//! page's form and the API, as CSV and XLSX; the votes count, the groups recompute, the same
//! file again changes nothing, a changed cell replaces the vote (the earlier one in history), a
//! bad cell is refused naming its row and column with nothing written, the answers to the
//! conversation's questions reach the attribute report, and a closed conversation still takes
//! a round.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Browser, count};

const SEEDS: [&str; 3] = [
    "Roads to the villages must be safe first.",
    "Schools should reopen before elections.",
    "Water points belong to every clan.",
];

/// Six paper sheets, six women (the answer written three ways); statement 0 agreed by all but
/// Bria-06, statement 1 split, statement 2 seen by half.
const ROUND: &str = "participant,0,1,2,Gender\n\
    Bria-01,agree,agree,pass,women\n\
    Bria-02,1,agree,,women\n\
    Bria-03,eens,agree,disagree,Women\n\
    Bria-04,d'accord,disagree,,women\n\
    Bria-05,agree,-1,0,women\n\
    Bria-06,disagree,pas d'accord,, WOMEN \n";

/// Votes in [`ROUND`] (non-empty statement cells).
const ROUND_VOTES: i64 = 15;

async fn post_ui(b: &Browser, path: &str, name: &str, bytes: &[u8]) -> (u16, String) {
    let (ct, body) = crate::evidence::multipart(&[], (name, bytes));
    let r = b
        .client
        .post(format!("{}{path}?_csrf={}", b.base, b.csrf))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post_api(app: &App, token: &str, id: &str, name: &str, bytes: &[u8]) -> (u16, Value) {
    crate::documents::post_multipart(
        app,
        &format!("/api/v1/dialogues/{id}/paper-round"),
        token,
        &[],
        Some((name, bytes)),
    )
    .await
}

/// Two more sheets in an XLSX workbook with numbers as numbers (Excel's way).
fn xlsx_round() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "participant").unwrap();
    for s in 0..3u16 {
        ws.write_number(0, s + 1, f64::from(s)).unwrap();
    }
    ws.write_string(0, 4, "gender").unwrap();
    for (r, (label, votes, gender)) in [
        ("Bria-07", [1.0, -1.0, 0.0], "men"),
        ("Bria-08", [-1.0, 1.0, 1.0], ""),
    ]
    .iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, 0, *label).unwrap();
        for (s, v) in votes.iter().enumerate() {
            ws.write_number(r, s as u16 + 1, *v).unwrap();
        }
        if !gender.is_empty() {
            ws.write_string(r, 4, *gender).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn counts(app: &App) -> [i64; 4] {
    let raw = app.instance.raw().await;
    [
        count(&raw, "dialogue_participants").await,
        count(&raw, "dialogue_votes").await,
        count(&raw, "dialogue_vote_history").await,
        count(&raw, "dialogue_participant_attributes").await,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_rounds_import_from_csv_and_xlsx_idempotently_and_refuse_bad_cells() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/dialogues",
            &coord,
            Some(
                json!({"process_id": internal, "topic": "Bria community meeting",
                "languages": ["en", "fr"], "seeds": SEEDS,
                "attributes": [{"label": "Gender", "options": ["women", "men"]}]}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    // Statement 3 is rejected: it takes no paper votes.
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/statements"),
            &coord,
            Some(json!({"body": "The other clan should leave the market."})),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/statements/3/moderation"),
            &coord,
            Some(json!({"decision": "reject", "reason": "targets a group"})),
        )
        .await;
    assert_eq!(s, 204);

    // The API path is in the OpenAPI description.
    let doc = app.openapi().await;
    assert!(
        doc["paths"]["/api/v1/dialogues/{id}/paper-round"]["post"].is_object(),
        "{}",
        doc["paths"]
    );
    // A semicolon-separated CSV (Excel in Dutch locales) is refused with a hint.
    let (s, e) = post_api(
        &app,
        &coord,
        &id,
        "nl.csv",
        b"participant;0\nBria-01;eens\n",
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("separated by ';'"), "{e}");

    // The results page offers the form, with the format and the privacy note.
    let team = app.browser("coordinator").await;
    let (s, page) = team.get(&format!("/dialogues/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Import a paper round (CSV or XLSX)")
            && page.contains(&format!("/dialogues/{id}/paper-round?_csrf="))
            && page.contains("never a name"),
        "{page}"
    );

    // Six sheets through the form.
    let (s, page) = post_ui(
        &team,
        &format!("/dialogues/{id}/paper-round"),
        "bria.csv",
        ROUND.as_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("Paper round imported")
            && page.contains("6 participants in the file: 6 added, 0 updated, 0 unchanged")
            && page.contains(&format!("{ROUND_VOTES} votes written")),
        "{page}"
    );
    let (_, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(d["participants"], 6);
    assert_eq!(d["votes"], ROUND_VOTES);
    let (_, p) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}/participants"),
            &coord,
            None,
        )
        .await;
    let labels: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["source_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Bria-01", "Bria-02", "Bria-03", "Bria-04", "Bria-05", "Bria-06"
        ]
    );

    // The answers reach the attribute report (6 women: at least 5, and nobody left over to
    // subtract a small cell from).
    let (s, a) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}/attributes"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let women = &a["items"][0]["options"][0];
    assert_eq!(women["option"], "women");
    assert_eq!(women["participants"], 6, "{a}");
    let on_0 = women["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["statement"] == 0)
        .unwrap();
    assert_eq!(on_0["agree"], 5, "{a}");
    assert_eq!(on_0["disagree"], 1, "{a}");
    assert_eq!(a["items"][0]["options"][1]["participants"], Value::Null);

    // The same file again, through the API: nothing changes.
    let before = counts(&app).await;
    let (s, r) = post_api(&app, &coord, &id, "bria.csv", ROUND.as_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["sheets"], 6);
    assert_eq!(r["participants_added"], 0);
    assert_eq!(r["participants_updated"], 0);
    assert_eq!(r["participants_unchanged"], 6);
    assert_eq!(r["votes"], 0);
    assert_eq!(r["votes_unchanged"], ROUND_VOTES);
    assert_eq!(r["skipped_cells"], 3);
    assert_eq!(counts(&app).await, before);

    // A changed cell: Bria-03 disagrees with statement 1 after all; the agree is kept in history.
    let changed = ROUND.replace("Bria-03,eens,agree,", "Bria-03,eens,oneens,");
    let (s, r) = post_api(&app, &coord, &id, "bria.csv", changed.as_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["participants_updated"], 1);
    assert_eq!(r["participants_added"], 0);
    assert_eq!(r["votes"], 1);
    assert_eq!(r["votes_changed"], 1);
    let raw = app.instance.raw().await;
    let history: Vec<i64> = sqlx::query_scalar(
        "SELECT h.vote FROM dialogue_vote_history h JOIN dialogue_participants p
           ON p.dialogue_id = h.dialogue_id AND p.number = h.participant
         WHERE h.dialogue_id = $1 AND p.source_id = 'Bria-03' AND h.statement = 1",
    )
    .bind(&id)
    .fetch_all(&raw)
    .await
    .unwrap();
    assert_eq!(history, [1]);
    let now: i64 = sqlx::query_scalar(
        "SELECT v.vote FROM dialogue_votes v JOIN dialogue_participants p
           ON p.dialogue_id = v.dialogue_id AND p.number = v.participant
         WHERE v.dialogue_id = $1 AND p.source_id = 'Bria-03' AND v.statement = 1",
    )
    .bind(&id)
    .fetch_one(&raw)
    .await
    .unwrap();
    assert_eq!(now, -1);

    // Bad files: refused with the row and column (422), nothing written, by the API and the form.
    let before = counts(&app).await;
    for (file, expected) in [
        (
            "participant,0,1\nBria-09,agree,agree\nBria-10,agree,maybe\n",
            "row 3, column 3: 'maybe' is not agree, disagree or pass",
        ),
        (
            "participant,0,9\nBria-09,agree,agree\n",
            "row 1, column 3: unknown statement number 9",
        ),
        (
            "participant,0,3\nBria-09,agree,agree\n",
            "row 1, column 3: statement 3 was rejected",
        ),
        (
            "participant,0\nBria-09,agree\nBria-09,pass\n",
            "row 3, column 1: the participant 'Bria-09' appears twice (also row 2)",
        ),
        (
            "participant,0,Gender\nBria-09,agree,girls\n",
            "row 2, column 3: 'girls' is not an option of 'Gender' (women, men)",
        ),
    ] {
        let (s, e) = post_api(&app, &coord, &id, "bad.csv", file.as_bytes()).await;
        assert_eq!(s, 422, "{e}");
        assert!(e.to_string().contains(expected), "{expected} in {e}");
        assert_eq!(counts(&app).await, before, "nothing written for {expected}");
    }
    let (s, page) = post_ui(
        &team,
        &format!("/dialogues/{id}/paper-round"),
        "bad.csv",
        b"participant,0,1\nBria-09,agree,agree\nBria-10,agree,maybe\n",
    )
    .await;
    assert_eq!(s, 422, "{page}");
    assert!(
        page.contains("field-error")
            && (page.contains("row 3, column 3: &#39;maybe&#39; is not agree")
                || page.contains("row 3, column 3: 'maybe' is not agree")),
        "{page}"
    );
    assert_eq!(counts(&app).await, before);

    // The administrator reads the conversation but may not import into it.
    let admin = app.token("admin").await;
    let (s, _) = post_api(&app, &admin, &id, "bria.csv", ROUND.as_bytes()).await;
    assert_eq!(s, 403);
    assert_eq!(counts(&app).await, before);

    // A closed conversation still takes a paper round (the meeting was before it closed): two
    // more sheets in XLSX, numbers as numbers.
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/status"),
            &coord,
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, r) = post_api(&app, &coord, &id, "bria-2.xlsx", &xlsx_round()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["participants_added"], 2);
    assert_eq!(r["votes"], 6);
    assert_eq!(r["answers"], 1);
    let (s, r) = post_api(&app, &coord, &id, "bria-2.xlsx", &xlsx_round()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["participants_added"], 0);
    assert_eq!(r["votes"], 0);

    // The results after recomputation count every paper vote.
    let (s, d) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/recompute"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["participants"], 8);
    assert_eq!(d["votes"], ROUND_VOTES + 6);
    assert!(d["method"].is_string(), "{d}");
    // The one man of the XLSX stays a small cell.
    let (_, a) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}/attributes"),
            &coord,
            None,
        )
        .await;
    assert_eq!(
        a["items"][0]["options"][1]["participants"],
        Value::Null,
        "{a}"
    );

    // Audited with the counts and the file's SHA-256, never its content.
    let actions = app.audit_actions(&id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "dialogue.paper_round")
            .count(),
        5,
        "{actions:?}"
    );
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE resource_id = $1 AND action = 'dialogue.paper_round'",
    )
    .bind(&id)
    .fetch_all(&raw)
    .await
    .unwrap();
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(ROUND.as_bytes()))
    };
    assert!(details.iter().any(|d| d.contains(&sha)), "{details:?}");
    assert!(
        details
            .iter()
            .all(|d| !d.contains("Bria") && !d.contains("women")),
        "{details:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_imports_a_paper_round_and_names_a_bad_cell() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/dialogues",
            &coord,
            Some(json!({"process_id": internal, "topic": "Paper by CLI",
                "languages": ["en"], "seeds": SEEDS})),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let dir = app.instance.data().join("paper");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("round.csv");
    std::fs::write(&good, "participant,0,1\nK-1,agree,pass\nK-2,disagree,\n").unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "participant,0,1\nK-1,agree,perhaps\n").unwrap();
    let (code, out) = super::cli(
        &app,
        &["import", "paper-round", &id, good.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 participants in the file: 2 added"), "{out}");
    assert!(out.contains("3 votes written"), "{out}");
    let (code, out) = super::cli(
        &app,
        &["import", "paper-round", &id, good.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("nothing changed"), "{out}");
    let (code, out) = super::cli(&app, &["import", "paper-round", &id, bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("row 2, column 3: 'perhaps' is not agree, disagree or pass"),
        "{out}"
    );
    let (_, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(d["participants"], 2);
    assert_eq!(d["votes"], 3);
}
