//! Self-declared participant attributes: the team asks optional questions, participants answer
//! them on the participation page (any language, no JavaScript), and the team's report and API
//! show agreement per answer with every cell of fewer than 5 people cut — checked against
//! counts made here from the scheme the participants followed, and at the boundary (4 → 5).

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Browser, csrf_of};

/// Who participant `i` is and how they vote: 0–9 are women, 10–13 men, 14–18 do not say
/// (and 19, who comes last, is a man); 0–12 say whether they are displaced (even numbers yes);
/// statement 0 is agreed by everyone but every third, statement 1 only by the first five (the
/// rest pass). The five who do not say keep what a reader could subtract from the totals at 5
/// or more, so the complementary rule leaves the shown cells alone.
fn gender(i: usize) -> &'static str {
    match i {
        0..10 => "0",
        14..19 => "",
        _ => "1",
    }
}
fn displaced(i: usize) -> &'static str {
    match i {
        13.. => "",
        _ if i.is_multiple_of(2) => "0",
        _ => "1",
    }
}
fn vote(i: usize, statement: usize) -> &'static str {
    match statement {
        0 if i.is_multiple_of(3) => "disagree",
        0 => "agree",
        _ if i < 5 => "agree",
        _ => "pass",
    }
}

/// One participant: joins, answers the questions, votes on both statements.
async fn take_part(app: &App, token: &str, i: usize) {
    let p = Browser::anonymous(&app.base);
    let (s, html) = p.get(&format!("/p/{token}?lang=ar")).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("عنك (اختياري)") && html.contains("name=\"attr-1\""),
        "the optional questions, in Arabic: {html}"
    );
    let csrf = csrf_of(&html).unwrap();
    let (s, _, loc) = p
        .post_raw(
            &format!("/p/{token}/about"),
            &[
                ("_csrf", &csrf),
                ("lang", "ar"),
                ("attr-0", gender(i)),
                ("attr-1", displaced(i)),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = p.get(&loc.unwrap()).await;
    assert!(html.contains("تم حفظ إجاباتك"), "saved, in Arabic: {html}");
    if !gender(i).is_empty() {
        assert!(html.contains("selected"), "the answers shown back: {html}");
    }
    for statement in 0..2 {
        let st = statement.to_string();
        let (s, _, _) = p
            .post_raw(
                &format!("/p/{token}/vote"),
                &[
                    ("_csrf", &csrf),
                    ("statement", &st),
                    ("vote", vote(i, statement)),
                ],
            )
            .await;
        assert_eq!(s, 303);
    }
}

/// The tally the report should show for the participants in `who` on `statement`.
fn expected(who: &[usize], statement: usize) -> Value {
    let n = |v: &str| who.iter().filter(|i| vote(**i, statement) == v).count();
    json!({"statement": statement, "voters": who.len(), "agree": n("agree"),
           "disagree": n("disagree"), "pass": n("pass")})
}

fn option(report: &Value, question: usize, option: usize) -> &Value {
    &report["items"][question]["options"][option]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_answer_about_themselves_and_small_cells_stay_hidden() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let team = app.browser("coordinator").await;

    // The form refuses a question without options beside its field, keeping what was typed.
    let form = [
        ("process_id", internal.as_str()),
        ("topic", "Return and safety"),
        ("languages", "en"),
        ("languages", "ar"),
        ("moderation", "after"),
        ("classification", "internal"),
        (
            "seeds",
            "Roads to the villages must be safe first.\nSchools should reopen before elections.",
        ),
    ];
    let mut bad = form.to_vec();
    bad.push(("attributes", "Gender: women | men\nDisplaced yes no"));
    let (s, page, _) = team.post("/dialogues", &bad).await;
    assert_eq!(s, 422, "{page}");
    assert!(
        page.contains("field-error") && page.contains("no &#39;:&#39;")
            || page.contains("field-error") && page.contains("no ':'"),
        "{page}"
    );
    assert!(page.contains("Displaced yes no"), "the input kept");
    let mut good = form.to_vec();
    good.push(("attributes", "Gender: women | men\nDisplaced: yes | no"));
    let (s, _, to) = team.post("/dialogues", &good).await;
    assert_eq!(s, 303);
    let id = to.unwrap().trim_start_matches("/dialogues/").to_string();
    let (_, d) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(
        d["attributes"],
        json!([{"label": "Gender", "options": ["women", "men"]},
               {"label": "Displaced", "options": ["yes", "no"]}])
    );
    let token = d["participation_link"]
        .as_str()
        .unwrap()
        .trim_start_matches("/p/")
        .to_string();
    // The API refuses a question with one option, naming the field.
    let (s, e) = app
        .api(
            Method::POST,
            "/api/v1/dialogues",
            &coord,
            Some(
                json!({"process_id": internal, "topic": "T", "languages": ["en"],
                "attributes": [{"label": "Gender", "options": ["women"]}]}),
            ),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("attributes"), "{e}");

    for i in 0..19 {
        take_part(&app, &token, i).await;
    }
    // An answer that names no option is refused and changes nothing.
    let p = Browser::anonymous(&app.base);
    let (_, html) = p.get(&format!("/p/{token}")).await;
    let csrf = csrf_of(&html).unwrap();
    let (s, _, _) = p
        .post_raw(
            &format!("/p/{token}/about"),
            &[("_csrf", &csrf), ("attr-0", "7"), ("attr-1", "x")],
        )
        .await;
    assert_eq!(s, 422);

    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/recompute"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let path = format!("/api/v1/dialogues/{id}/attributes");
    let (s, r) = app.api(Method::GET, &path, &coord, None).await;
    assert_eq!(s, 200, "{r}");
    let women: Vec<usize> = (0..10).collect();
    let w = option(&r, 0, 0);
    assert_eq!(w["option"], "women");
    assert_eq!(w["participants"], 10);
    assert_eq!(
        w["statements"],
        json!([expected(&women, 0), expected(&women, 1)])
    );
    // Four men: not shown at all, in the API and on the page.
    let m = option(&r, 0, 1);
    assert_eq!(m["participants"], Value::Null, "{m}");
    assert_eq!(m["statements"], json!([]));
    assert_eq!(m["groups"], Value::Null);
    let yes: Vec<usize> = (0..13).filter(|i| i % 2 == 0).collect();
    let no: Vec<usize> = (0..13).filter(|i| i % 2 == 1).collect();
    assert_eq!(option(&r, 1, 0)["participants"], 7);
    assert_eq!(option(&r, 1, 1)["participants"], 6);
    assert_eq!(
        option(&r, 1, 0)["statements"],
        json!([expected(&yes, 0), expected(&yes, 1)])
    );
    assert_eq!(
        option(&r, 1, 1)["statements"],
        json!([expected(&no, 0), expected(&no, 1)])
    );
    // The split over the opinion groups adds up to the clustered ones, or is hidden whole.
    for (q, o) in [(0, 0), (1, 0), (1, 1)] {
        if let Some(groups) = option(&r, q, o)["groups"].as_array() {
            assert!(
                groups
                    .iter()
                    .all(|g| g["participants"].as_i64().unwrap() >= 5),
                "{groups:?}"
            );
        }
    }
    let (s, page) = team.get(&format!("/dialogues/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Agreement by participant attribute")
            && page.contains("Not shown: fewer than 5"),
        "{page}"
    );

    // A fifth man: the cell reaches 5 and appears, with the men's votes.
    take_part(&app, &token, 19).await;
    let (_, r) = app.api(Method::GET, &path, &coord, None).await;
    let men = [10, 11, 12, 13, 19];
    assert_eq!(option(&r, 0, 1)["participants"], 5);
    assert_eq!(
        option(&r, 0, 1)["statements"],
        json!([expected(&men, 0), expected(&men, 1)])
    );

    // No export carries a participant's answers, and the audit keeps no answer either.
    for file in ["participants-votes.csv", "votes.csv", "comments.csv"] {
        let (s, bytes) = app
            .download(&coord, &format!("/api/v1/dialogues/{id}/export/{file}"))
            .await;
        assert_eq!(s, 200);
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.contains("women") && !text.contains("Displaced"),
            "{file}"
        );
    }
    let actions = app.audit_actions(&id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "dialogue.declare").count(),
        20
    );
    let raw = app.instance.raw().await;
    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE resource_id = $1 AND action = 'dialogue.declare'",
    )
    .bind(&id)
    .fetch_all(&raw)
    .await
    .unwrap();
    assert!(
        details.iter().all(|d| ["2", "1", "0"]
            .map(|n| format!(r#"{{"answered":{n}}}"#))
            .contains(d)),
        "{details:?}"
    );

    // Participation over time: today's 21 joins (the 20 and the one whose answer was refused) and
    // 40 votes, on the page.
    let today =
        grotius_domain::roster::civil_from_days(grotius_security::now_micros() / 86_400_000_000);
    let (_, page) = team.get(&format!("/dialogues/{id}")).await;
    assert!(
        page.contains("Participation over time") && page.contains(&today),
        "{page}"
    );
    assert!(
        page.contains("40 · +21 · 0"),
        "votes · joins · statements: {page}"
    );

    // The results workbook: statements, groups, participation over time and the cut
    // attribute table, for those with the export right only, audited.
    let (s, bytes) = app
        .download(
            &coord,
            &format!("/api/v1/dialogues/{id}/export/results.xlsx"),
        )
        .await;
    assert_eq!(s, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut f = zip.by_name(name).unwrap();
        let mut out = String::new();
        std::io::Read::read_to_string(&mut f, &mut out).unwrap();
        out
    };
    let workbook = read("xl/workbook.xml");
    for sheet in [
        "Statements",
        "Groups",
        "Participation over time",
        "By attribute",
    ] {
        assert!(workbook.contains(sheet), "{sheet}: {workbook}");
    }
    let strings = read("xl/sharedStrings.xml");
    assert!(
        strings.contains("Roads to the villages must be safe first.") && strings.contains(&today),
        "{strings}"
    );
    let analyst = app.token("analyst").await;
    let (s, _) = app
        .download(
            &analyst,
            &format!("/api/v1/dialogues/{id}/export/results.xlsx"),
        )
        .await;
    assert_eq!(s, 403);
    let (_, page) = team
        .get(&format!("/dialogues/{id}/export/results.xlsx"))
        .await;
    assert!(page.starts_with("PK"), "the page's download link works");
    let outcomes: Vec<String> = sqlx::query_scalar(
        "SELECT outcome FROM audit_log WHERE resource_id = $1 AND action = 'dialogue.export' ORDER BY seq",
    )
    .bind(&id)
    .fetch_all(&raw)
    .await
    .unwrap();
    assert_eq!(
        outcomes.iter().filter(|o| *o == "ok").count(),
        3 + 2,
        "three Pol.is files and two workbooks, and the analyst's refusal besides: {outcomes:?}"
    );
    assert_eq!(outcomes.len(), 6, "{outcomes:?}");
}
