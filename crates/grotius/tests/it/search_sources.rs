//! The search over peace agreements (found by a word of their text, filtered by country and
//! year, followed through the change feed), suggestions that never reveal a record outside the
//! reader's scope, and relevance that does not move when a hidden record is added.

use grotius_domain::agreement::read_pax;
use grotius_store::{SearchRequest, SearchSort};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Instance};

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.into(),
        limit: 100,
        offset: 0,
        sort: SearchSort::Relevance,
    }
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreements_are_found_by_a_word_filtered_by_country_and_year() {
    let i = Instance::seeded().await;
    let admin = i.access("admin").await;
    let analyst = i.access("analyst").await;
    // The index exists before the import: the agreements must reach it through the feed.
    assert_eq!(
        analyst.search(&req("kind:agreement")).await.unwrap().total,
        0
    );
    let report = admin
        .import_agreements(grotius::demo::agreements::SAMPLE, &mut |_, _| {})
        .await
        .unwrap();
    assert!(report.committed());
    let sample = read_pax(grotius::demo::agreements::SAMPLE);
    assert_eq!(
        analyst.search(&req("kind:agreement")).await.unwrap().total,
        sample.rows.len(),
        "every demo agreement is indexed"
    );
    // An agreement with a country, and a word of its name that is rare in the sample.
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() >= 7)
            .map(str::to_lowercase)
            .collect()
    };
    let (row, word) = sample
        .rows
        .iter()
        .filter(|r| !r.data.countries.is_empty())
        .find_map(|r| {
            words(&r.data.name).into_iter().find_map(|w| {
                let n = sample
                    .rows
                    .iter()
                    .filter(|o| words(&o.data.name).contains(&w))
                    .count();
                (n == 1).then_some((r, w))
            })
        })
        .expect("a demo agreement with a distinctive word");
    let d = &row.data;
    let country = &d.countries[0];
    let q = format!(
        "{word} country:{} year:{}..{}",
        country.to_lowercase(),
        d.year - 1,
        d.year + 1
    );
    let r = analyst.search(&req(&q)).await.unwrap();
    assert!(r.total >= 1, "{q}: {r:?}");
    let hit = r
        .hits
        .iter()
        .find(|h| h.title == d.name)
        .unwrap_or_else(|| panic!("{q} finds {}: {:?}", d.name, r.hits));
    assert_eq!(hit.kind.as_str(), "agreement");
    assert_eq!(hit.url, format!("/agreements/{}", hit.id));
    assert!(
        !hit.snippet.highlights.is_empty(),
        "the word is highlighted"
    );
    assert!(r.facets.kind.iter().all(|(k, _)| k == "agreement"));
    assert!(r.facets.country.iter().any(|(c, _)| c == country));
    // The same word outside its years or in another country finds nothing of it.
    for other in [
        format!("{word} year:{}..{}", d.year + 1, d.year + 3),
        format!(
            "{word} country:{}",
            if country == "AQ" { "BV" } else { "AQ" }
        ),
    ] {
        let r = analyst.search(&req(&other)).await.unwrap();
        assert!(
            r.hits.iter().all(|h| h.title != d.name),
            "{other} must not find {}",
            d.name
        );
    }
    // Agreements with water provisions carry the water theme.
    let water = sample.rows.iter().filter(|r| r.data.facets.water).count();
    let r = analyst
        .search(&req("kind:agreement theme:water"))
        .await
        .unwrap();
    assert_eq!(r.total, water);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_and_corrections_never_reveal_a_word_of_a_record_outside_the_scope() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let desk = app.token("desk-officer").await;
    let body = |title: &str, c: &str, comp: Option<&str>| {
        json!({"title": title, "countries": ["SD"], "phase": "negotiation", "tracks": ["I"],
               "dutch_role": "support", "status": "active", "themes": ["water"],
               "summary": "talks", "classification": c, "compartment": comp})
    };
    // Only in a record of the horn-of-africa compartment (the analyst is not in it).
    let (s, p) = app
        .api(
            Method::POST,
            "/api/v1/processes",
            &coord,
            Some(body(
                "Quixotlander corridor talks",
                "confidential",
                Some("horn-of-africa"),
            )),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    // A visible record with another word of the same prefix.
    let (s, _) = app
        .api(
            Method::POST,
            "/api/v1/processes",
            &coord,
            Some(body("Quixotic ferry dialogue", "internal", None)),
        )
        .await;
    assert_eq!(s, 201);
    let suggest = |token: String, q: &'static str| {
        let app = &app;
        async move {
            let (s, v) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/search/suggest?q={}", enc(q)),
                    &token,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{v}");
            v["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(suggest(analyst.clone(), "quixo").await, vec!["quixotic"]);
    assert_eq!(
        suggest(analyst.clone(), "quixotl").await,
        Vec::<String>::new()
    );
    assert_eq!(
        suggest(analyst.clone(), "corridor quixo").await,
        Vec::<String>::new(),
        "the other words must not match through the hidden record"
    );
    let member = suggest(desk.clone(), "quixo").await;
    assert!(member.contains(&"quixotlander".to_string()), "{member:?}");
    assert!(member.contains(&"quixotic".to_string()), "{member:?}");
    assert_eq!(
        suggest(desk.clone(), "corridor quixo").await,
        vec!["corridor quixotlander"]
    );
    // The page: a datalist and links, the hidden word only for the member.
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/search?q=quixo").await;
    assert_eq!(s, 200);
    assert!(html.contains("search-suggestions"));
    assert!(html.contains("quixotic"));
    assert!(!html.to_lowercase().contains("quixotlander"), "{html}");
    let b = app.browser("desk-officer").await;
    let (_, html) = b.get("/search?q=quixo").await;
    assert!(html.contains("/search?q=quixotlander"), "a suggestion link");

    // "Did you mean": a misspelling of the hidden word is corrected for the member only; the
    // analyst gets the visible word when it is close enough, never the hidden one.
    let did_you_mean = |token: String, q: &'static str| {
        let app = &app;
        async move {
            let (s, v) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/search?q={}", enc(q)),
                    &token,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{v}");
            assert_eq!(v["total"], 0, "{v}");
            v["did_you_mean"].as_str().map(str::to_string)
        }
    };
    assert_eq!(
        did_you_mean(desk.clone(), "quixotlandr").await.as_deref(),
        Some("quixotlander")
    );
    assert_eq!(did_you_mean(analyst.clone(), "quixotlandr").await, None);
    assert_eq!(
        did_you_mean(analyst.clone(), "ferry quixotik")
            .await
            .as_deref(),
        Some("ferry quixotic")
    );
    let b = app.browser("analyst").await;
    let (_, html) = b.get("/search?q=quixotik").await;
    assert!(html.contains("/search?q=quixotic"), "a correction link");
    let (_, html) = b.get("/search?q=quixotlandr").await;
    assert!(!html.to_lowercase().contains("quixotlander"), "{html}");
    // Bad limits are refused with the field named.
    let (s, v) = app
        .api(
            Method::GET,
            "/api/v1/search/suggest?q=qu&limit=99",
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 422);
    assert!(v.to_string().contains("limit"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_record_changes_nothing_in_the_api_answer() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let body = |title: &str, summary: &str, c: &str, comp: Option<&str>| {
        json!({"title": title, "countries": ["SD"], "phase": "negotiation", "tracks": ["I"],
               "dutch_role": "support", "status": "active", "themes": ["water"],
               "summary": summary, "classification": c, "compartment": comp})
    };
    for (title, summary) in [
        (
            "Kessala water talks",
            "water sharing along the river, the ceasefire held",
        ),
        (
            "Kessala monitoring",
            "monitoring the ceasefire line and the exchange of prisoners, a long summary with many other words in it",
        ),
        (
            "Kessala grazing",
            "water points, grazing land, cattle routes",
        ),
    ] {
        let (s, _) = app
            .api(
                Method::POST,
                "/api/v1/processes",
                &coord,
                Some(body(title, summary, "internal", None)),
            )
            .await;
        assert_eq!(s, 201);
    }
    let queries = [
        "kessala water",
        "kessala ceasefire",
        "kessala AND (water OR ceasefire OR grazing)",
    ];
    let answer = |q: &'static str| {
        let app = &app;
        let analyst = analyst.clone();
        async move {
            let (s, v) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/search?q={}&limit=100", enc(q)),
                    &analyst,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };
    let mut before: Vec<Value> = Vec::new();
    for q in queries {
        before.push(answer(q).await);
    }
    assert!(before[2]["total"].as_u64().unwrap() == 3, "{}", before[2]);
    // Records the analyst may not read, full of the query words.
    for (c, comp) in [("secret", None), ("confidential", Some("horn-of-africa"))] {
        let (s, _) = app
            .api(
                Method::POST,
                "/api/v1/processes",
                &coord,
                Some(body(
                    "Kessala kessala water ceasefire",
                    "kessala water ceasefire grazing water ceasefire kessala",
                    c,
                    comp,
                )),
            )
            .await;
        assert_eq!(s, 201);
    }
    for (q, b) in queries.iter().zip(&before) {
        assert_eq!(
            &answer(q).await,
            b,
            "{q}: scores, order, snippets unchanged"
        );
    }
    // The coordinator does see them (the test would prove nothing otherwise).
    let (_, v) = app
        .api(
            Method::GET,
            "/api/v1/search?q=kessala&limit=100",
            &coord,
            None,
        )
        .await;
    assert_eq!(v["total"], 5);
}
