//! The secure search: stemming in four languages, nothing about a hidden record through any
//! channel (hits, total, facets, snippets, similar), incremental from the change feed on two
//! nodes, and `grotius reindex` rebuilding the same answers.

use grotius_domain::lessons::DebriefInput;
use grotius_domain::network::ActorInput;
use grotius_domain::process::{EngagementInput, ProcessInput};
use grotius_security::Keyring;
use grotius_store::{Access, SearchRequest, SearchResults, SearchSort, Store};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Instance, bin};

fn process(title: &str, summary: &str, classification: &str, comp: Option<&str>) -> ProcessInput {
    ProcessInput {
        themes: vec!["water".into()],
        summary: summary.into(),
        notes: "plumbobnote stays encrypted".into(),
        ..crate::harness::process_input(title, classification, comp)
    }
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.into(),
        limit: 50,
        offset: 0,
        sort: SearchSort::Relevance,
    }
}

async fn ids(a: &Access, q: &str) -> Vec<String> {
    let mut v: Vec<String> = a
        .search(&req(q))
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stemming_finds_inflected_forms_in_four_languages() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    let texts = [
        (
            "Dutch talks",
            "De onderhandeling tussen de regering en de gewapende groepen over het bestand werd gisteren in de hoofdstad hervat, met steun van de buurlanden.",
            "onderhandelingen",
        ),
        (
            "English talks",
            "The parties negotiated for three weeks about the withdrawal of forces and the sharing of water from the river before the rainy season.",
            "negotiating",
        ),
        (
            "French talks",
            "Les négociations entre le gouvernement et les groupes armés sur le partage de l'eau ont repris à Genève avec le soutien des pays voisins.",
            "négociation",
        ),
        (
            "Arabic talks",
            "استؤنفت المفاوضات بين الحكومة والجماعات المسلحة حول تقاسم المياه في العاصمة بدعم من دول الجوار",
            // "the negotiation" (singular) finds "the negotiations".
            "المفاوضة",
        ),
    ];
    let mut made = Vec::new();
    for (title, summary, _) in texts {
        made.push(
            coord
                .create_process(&process(title, summary, "internal", None))
                .await
                .unwrap()
                .id,
        );
    }
    let ar = grotius_search::Lang::Ar;
    assert_eq!(
        ar.analyse("المفاوضة"),
        ar.analyse("المفاوضات"),
        "Arabic stems"
    );
    for ((title, _, query), id) in texts.iter().zip(&made) {
        let found = ids(&coord, query).await;
        assert!(found.contains(id), "{title}: '{query}' finds {found:?}");
        let r = coord.search(&req(query)).await.unwrap();
        let hit = r.hits.iter().find(|h| &h.id == id).unwrap();
        assert!(
            !hit.snippet.highlights.is_empty(),
            "{title}: the inflected form is highlighted in {:?}",
            hit.snippet
        );
    }
    // The Dutch word does not match the English record and vice versa (no stemming accident).
    assert!(!ids(&coord, "onderhandelingen").await.contains(&made[1]));
    // Encrypted notes are never indexed.
    assert_eq!(coord.search(&req("plumbobnote")).await.unwrap().total, 0);
}

fn hidden_word_absent(v: &Value, word: &str, hidden: &[String]) {
    let text = v.to_string();
    assert!(!text.contains(word), "the hidden word leaks: {text}");
    for h in hidden {
        assert!(!text.contains(h.as_str()), "a hidden id leaks: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_reveals_nothing_of_records_outside_clearance_or_compartment() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let desk = app.token("desk-officer").await;
    let word = "zorblaxquint";

    // What the analyst sees before the hidden records exist.
    let (s, before_all) = app
        .api(Method::GET, "/api/v1/search?limit=100", &analyst, None)
        .await;
    assert_eq!(s, 200, "{before_all}");
    let (_, before_sd) = app
        .api(
            Method::GET,
            "/api/v1/search?q=country:SD&limit=100",
            &analyst,
            None,
        )
        .await;

    let shared = "ceasefire monitoring mechanism water sharing agreement sequencing";
    let proc_body = |c: &str, comp: Option<&str>, title: &str, summary: String| {
        json!({"title": title, "countries": ["SD"], "phase": "negotiation", "tracks": ["I"],
               "dutch_role": "support", "status": "active", "themes": ["water"],
               "summary": summary, "classification": c, "compartment": comp})
    };
    let mut hidden = Vec::new();
    // Secret and in a compartment the analyst is not in.
    let hidden_process = app
        .create(
            "/api/v1/processes",
            &coord,
            proc_body(
                "secret",
                Some("yemen"),
                "Hidden channel",
                format!("{word} {shared}"),
            ),
        )
        .await;
    hidden.push(hidden_process.clone());
    // Confidential (within the analyst's clearance) but in a compartment.
    let compartment_process = app
        .create(
            "/api/v1/processes",
            &coord,
            proc_body(
                "confidential",
                Some("horn-of-africa"),
                "Compartment channel",
                format!("{word} {shared}"),
            ),
        )
        .await;
    hidden.push(compartment_process.clone());
    // A journal entry of the hidden process and a hidden actor.
    let (s, e) = app
        .api(Method::POST, &format!("/api/v1/processes/{hidden_process}/engagements"), &coord,
            Some(json!({"date": "2019-05-02", "kind": "meeting", "track": "I", "place": "Muscat",
                        "summary": format!("{word} {shared}"), "classification": "secret", "compartment": "yemen"})))
        .await;
    assert_eq!(s, 201, "{e}");
    hidden.push(e["id"].as_str().unwrap().to_string());
    let (s, a) = app
        .api(Method::POST, "/api/v1/actors", &coord,
            Some(json!({"name": "Hidden broker", "kind": "person", "category": "mediator", "country": "YE",
                        "description": format!("{word} {shared}"), "classification": "secret", "compartment": "yemen"})))
        .await;
    assert_eq!(s, 201, "{a}");
    hidden.push(a["id"].as_str().unwrap().to_string());
    // A visible record sharing the other words (for "more like this").
    let (s, p) = app
        .api(
            Method::POST,
            "/api/v1/processes",
            &coord,
            Some(proc_body(
                "internal",
                None,
                "Open channel",
                shared.to_string(),
            )),
        )
        .await;
    assert_eq!(s, 201);
    let open_process = p["id"].as_str().unwrap().to_string();

    // The coordinator finds them all: the test would catch nothing if the word were not indexed.
    let (_, mine) = app
        .api(
            Method::GET,
            &format!("/api/v1/search?q={word}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(mine["total"], 4, "{mine}");
    assert!(mine["hits"][0]["snippet"].as_str().unwrap().contains(word));
    assert_eq!(mine["facets"]["kind"]["process"], 2);
    // The desk officer (confidential, horn-of-africa) finds only the compartment record.
    let (_, desk_r) = app
        .api(
            Method::GET,
            &format!("/api/v1/search?q={word}"),
            &desk,
            None,
        )
        .await;
    assert_eq!(desk_r["total"], 1, "{desk_r}");
    assert_eq!(desk_r["hits"][0]["id"], compartment_process.as_str());

    // The analyst: no hit, no total, no facet count.
    for q in [
        word.to_string(),
        format!("{word} OR ceasefire"),
        format!("\"{word} ceasefire\""),
    ] {
        let (s, r) = app
            .api(
                Method::GET,
                &format!("/api/v1/search?q={}&limit=100", urlenc(&q)),
                &analyst,
                None,
            )
            .await;
        assert_eq!(s, 200);
        hidden_word_absent(&r, word, &hidden);
        if q == word {
            assert_eq!(r["total"], 0);
            assert_eq!(r["hits"], json!([]));
            for f in ["kind", "country", "year", "theme"] {
                assert_eq!(r["facets"][f], json!({}), "facet {f}: {r}");
            }
        }
    }
    // Everything the analyst may read, before and after: identical totals and facet counts.
    let (_, after_all) = app
        .api(Method::GET, "/api/v1/search?limit=100", &analyst, None)
        .await;
    let (_, after_sd) = app
        .api(
            Method::GET,
            "/api/v1/search?q=country:SD&limit=100",
            &analyst,
            None,
        )
        .await;
    assert_eq!(
        after_all["total"].as_u64().unwrap(),
        before_all["total"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after_sd["total"].as_u64().unwrap(),
        before_sd["total"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after_sd["facets"]["country"]["SD"].as_u64().unwrap(),
        before_sd["facets"]["country"]["SD"].as_u64().unwrap() + 1,
        "only the open process is counted"
    );
    assert!(
        after_all["facets"]["country"].get("YE").is_none()
            || after_all["facets"]["country"]["YE"] == before_all["facets"]["country"]["YE"]
    );
    hidden_word_absent(&after_all, word, &hidden);
    hidden_word_absent(&after_sd, word, &hidden);

    // More like this: the coordinator's similar records include the hidden ones, the analyst's
    // never; the hidden record itself is not found.
    let (s, sim) = app
        .api(
            Method::GET,
            &format!("/api/v1/search/process/{open_process}/similar"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200, "{sim}");
    assert!(sim.to_string().contains(&hidden_process), "{sim}");
    let (s, sim) = app
        .api(
            Method::GET,
            &format!("/api/v1/search/process/{open_process}/similar"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 200);
    hidden_word_absent(&sim, word, &hidden);
    for h in &hidden[..2] {
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/search/process/{h}/similar"),
                &analyst,
                None,
            )
            .await;
        assert_eq!(s, 404);
    }
    let (s, _) = app
        .api(
            Method::GET,
            "/api/v1/search/agreement/x/similar",
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 404);

    // The page: same answer, the word only where the analyst typed it.
    let b = app.browser("analyst").await;
    let (s, html) = b.get(&format!("/search?q={word}")).await;
    assert_eq!(s, 200);
    // The word appears only where the analyst's own query is echoed (box, language links).
    assert!(html.contains("<strong>0</strong>"), "nothing found");
    assert!(!html.contains(&format!("<mark>{word}</mark>")));
    assert!(!html.contains("Hidden channel") && !html.contains("Compartment channel"));
    let (s, html) = b
        .get(&format!("/search/process/{hidden_process}/similar"))
        .await;
    assert_eq!(s, 404);
    assert!(!html.contains("Hidden channel"));
    let bc = app.browser("coordinator").await;
    let (s, html) = bc.get(&format!("/search?q={word}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("<mark>{word}</mark>")),
        "highlighted"
    );
    assert!(html.contains("Hidden channel"));

    // Bad paging is refused with the field named.
    let (s, e) = app
        .api(Method::GET, "/api/v1/search?q=x&limit=0", &analyst, None)
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("limit"));
    let (s, _) = app
        .api(Method::GET, "/api/v1/search?q=x&sort=size", &analyst, None)
        .await;
    assert_eq!(s, 422);
}

fn urlenc(s: &str) -> String {
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

/// A second app node: another data directory (its own index) over the same database.
async fn second_node(i: &Instance) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = match &i.database {
        Some(u) => u.clone(),
        None => format!(
            "sqlite://{}",
            grotius_store::sqlite_path(i.data()).display()
        ),
    };
    let store = Store::open(dir.path(), Some(&url), Keyring::load(i.data()).unwrap())
        .await
        .unwrap();
    (dir, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_reach_the_index_of_every_node_without_reindex() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    assert_eq!(coord.search(&req("quuxfrobnic")).await.unwrap().total, 0);

    // Create, find.
    let p = coord
        .create_process(&process(
            "Quux talks",
            "quuxfrobnic dialogue on grazing routes",
            "internal",
            None,
        ))
        .await
        .unwrap();
    assert_eq!(ids(&coord, "quuxfrobnic").await, vec![p.id.clone()]);
    let e = coord
        .create_engagement(
            &p.id,
            &EngagementInput {
                date: "2017-03-01".into(),
                kind: "meeting".into(),
                track: "I".into(),
                place: "Kadugli".into(),
                summary: "wibblecrank met the elders".into(),
                notes: "encrypted wibblenote".into(),
                classification: "internal".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = coord
        .search(&req("wibblecrank year:2015..2020"))
        .await
        .unwrap();
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].id, e.id);
    assert_eq!(
        r.hits[0].url,
        format!("/processes/{}#engagement-{}", p.id, e.id)
    );
    assert_eq!(coord.search(&req("wibblenote")).await.unwrap().total, 0);
    let actor = coord
        .create_actor(&ActorInput {
            name: "Grazing council".into(),
            kind: "organisation".into(),
            category: "civil-society".into(),
            country: Some("SD".into()),
            description: "frobnicator of quuxfrobnic routes".into(),
            classification: "internal".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&coord, "quuxfrobnic").await.len(), 2);
    assert!(ids(&coord, "kind:actor quuxfrobnic").await == vec![actor.id.clone()]);
    // A debrief: its plain columns are indexed, its encrypted narrative is not.
    let d = coord
        .create_debrief(
            &p.id,
            &DebriefInput {
                moment: "turning-point".into(),
                date: "2018-06-01".into(),
                author: "A. Author".into(),
                case_title: "Snorkelwhistle case".into(),
                dutch_role: "support".into(),
                started_on: "2017-01-01".into(),
                key_lessons: "gronkfizzle lessons are encrypted".into(),
                classification: "internal".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&coord, "snorkelwhistle").await, vec![d.id.clone()]);
    assert_eq!(coord.search(&req("gronkfizzle")).await.unwrap().total, 0);

    // Another node over the same database catches up from the feed.
    let (_dir2, node2) = second_node(&i).await;
    let uid = i
        .store
        .cli_operator()
        .find_user_id("coordinator")
        .await
        .unwrap();
    let coord2 = node2.cli_act_as(&uid).await.unwrap().unwrap();
    assert_eq!(ids(&coord2, "quuxfrobnic").await.len(), 2);

    // Update (through node 2): the old words go, the new come, on both nodes.
    let mut changed = process(
        "Quux talks",
        "zyxwobble dialogue on grazing routes",
        "internal",
        None,
    );
    changed.title = "Quux talks renamed".into();
    coord2.update_process(&p.id, &changed).await.unwrap();
    for a in [&coord, &coord2] {
        assert_eq!(ids(a, "zyxwobble").await, vec![p.id.clone()]);
        assert_eq!(ids(a, "quuxfrobnic").await, vec![actor.id.clone()]);
    }
    // Raising the labels hides the record from someone without the compartment at once.
    let analyst = i.access("analyst").await;
    assert_eq!(ids(&analyst, "zyxwobble").await, vec![p.id.clone()]);
    let mut raised = changed.clone();
    raised.classification = "confidential".into();
    raised.compartment = Some("horn-of-africa".into());
    coord.update_process(&p.id, &raised).await.unwrap();
    assert!(ids(&analyst, "zyxwobble").await.is_empty());

    // Delete: gone on both nodes (and the journal entry of the process with it).
    coord.delete_engagement(&e.id).await.unwrap();
    coord.delete_debrief(&d.id).await.unwrap();
    coord.delete_process(&p.id).await.unwrap();
    for a in [&coord, &coord2] {
        assert!(ids(a, "zyxwobble").await.is_empty());
        assert!(ids(a, "wibblecrank").await.is_empty());
        assert!(ids(a, "snorkelwhistle").await.is_empty());
    }
    node2.close().await;
}

fn summary(r: &SearchResults) -> (usize, Vec<(String, String)>, String) {
    (
        r.total,
        r.hits
            .iter()
            .map(|h| (h.kind.as_str().to_string(), h.id.clone()))
            .collect(),
        format!("{:?}", r.facets),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_rebuilds_the_same_answers() {
    let i = Instance::demo().await;
    let coord = i.access("coordinator").await;
    let queries = [
        "",
        "water",
        "country:SD",
        "kind:engagement",
        "year:2015..2026",
        "Sudan OR Yemen",
    ];
    let mut before = Vec::new();
    for q in queries {
        let mut r = req(q);
        r.sort = SearchSort::Date;
        before.push(summary(&coord.search(&r).await.unwrap()));
    }
    assert!(before[0].0 > 10, "the demo is indexed: {}", before[0].0);
    let out = std::process::Command::new(bin())
        .args(["reindex", "--data", i.data().to_str().unwrap()])
        .args(i.database_args())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("search index rebuilt"), "{said}");
    assert!(i.data().join("index").join("meta.json").exists());
    let mut after = Vec::new();
    for q in queries {
        let mut r = req(q);
        r.sort = SearchSort::Date;
        after.push(summary(&coord.search(&r).await.unwrap()));
    }
    assert_eq!(before, after);
    // A node with an empty index builds it on first use and answers the same.
    let (_dir2, node2) = second_node(&i).await;
    let uid = i
        .store
        .cli_operator()
        .find_user_id("coordinator")
        .await
        .unwrap();
    let coord2 = node2.cli_act_as(&uid).await.unwrap().unwrap();
    let mut r = req("water");
    r.sort = SearchSort::Date;
    assert_eq!(summary(&coord2.search(&r).await.unwrap()), before[1]);
    node2.close().await;
}

/// Words only hidden records hold change no answer, through HTTP, at any offset or page size:
/// the analyst's whole answers (hits, scores, order, total, facets, "did you mean") and
/// suggestions are the same before and after records she may not read are added — a secret
/// one and one in a compartment she is not in — holding words no readable record holds,
/// misspellings of readable words, and more words near a readable word than the spelling cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_only_words_change_no_answer_at_any_offset() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let proc_body = |c: &str, comp: Option<&str>, title: &str, summary: String| {
        json!({"title": title, "countries": ["SD"], "phase": "negotiation", "tracks": ["I"],
               "dutch_role": "support", "status": "active", "themes": ["water"],
               "summary": summary, "classification": c, "compartment": comp})
    };
    for (title, summary) in [
        (
            "Quarrelbrook talks",
            "Prisoners quillobard at the quarrelbrook crossing; the ceasefire commission met in Kassala.",
        ),
        (
            "Quarrelbrook mediation",
            "Mediation on the quillobard prisoners and the palaverment of the parties.",
        ),
    ] {
        let (s, p) = app
            .api(
                Method::POST,
                "/api/v1/processes",
                &coord,
                Some(proc_body("internal", None, title, summary.into())),
            )
            .await;
        assert_eq!(s, 201, "{p}");
    }
    let queries = [
        "detainee",
        "quillobart",
        "quilolbart",
        "quarrelbrok",
        "quarrelbrook quillobart",
        "quarrelbrook OR quillobart",
        "quarrelbrook -quillobart",
        "\"quillobard prisoners\" OR zebrafinch",
        "palavermant",
        "palaverment",
        "ceasfire",
        "zebrafinsh",
        "quarrelbrook",
    ];
    let answers = || async {
        let mut out = Vec::new();
        for q in queries {
            for offset in [0, 1, 5] {
                for limit in [1, 10] {
                    let (s, r) = app
                        .api(
                            Method::GET,
                            &format!(
                                "/api/v1/search?q={}&offset={offset}&limit={limit}",
                                urlenc(q)
                            ),
                            &analyst,
                            None,
                        )
                        .await;
                    assert_eq!(s, 200, "{r}");
                    out.push((q, offset, limit, r));
                }
            }
        }
        for prefix in ["quill", "quarrel", "pala", "zebra"] {
            let (s, r) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/search/suggest?q={prefix}"),
                    &analyst,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{r}");
            out.push((prefix, 0, 0, r));
        }
        out
    };
    let before = answers().await;
    // The test sees something: readable words correct the misspellings.
    let dym = |q: &str| {
        before
            .iter()
            .find(|(bq, o, _, _)| *bq == q && *o == 1)
            .map(|(_, _, _, r)| r["did_you_mean"].clone())
            .unwrap()
    };
    assert_eq!(dym("quillobart"), json!("quillobard"));
    assert_eq!(dym("quilolbart"), json!("quillobard"));
    assert_eq!(dym("palavermant"), json!("palaverment"));

    // 220 words within two edits of "palavermant", all sorting before "palaverment".
    let near: Vec<String> = ('a'..'n')
        .flat_map(|x| ('a'..='z').map(move |y| format!("palave{x}{y}ant")))
        .take(220)
        .collect();
    for (c, comp, title, summary) in [
        (
            "secret",
            Some("yemen"),
            "Detainee exchange",
            "quillobart zebrafinch ceasfire quarrelbrok quilolbart prisoners quarrelbrook"
                .to_string(),
        ),
        (
            "confidential",
            Some("horn-of-africa"),
            "Palavering",
            near.join(" "),
        ),
        (
            "secret",
            None,
            "Quarrelbrook detainee",
            format!(
                "palavermant quillobart quarrelbrook {}",
                near[..50].join(" ")
            ),
        ),
    ] {
        let (s, p) = app
            .api(
                Method::POST,
                "/api/v1/processes",
                &coord,
                Some(proc_body(c, comp, title, summary)),
            )
            .await;
        assert_eq!(s, 201, "{p}");
    }
    // The coordinator finds them: the words are indexed.
    let (_, mine) = app
        .api(Method::GET, "/api/v1/search?q=quillobart", &coord, None)
        .await;
    assert_eq!(mine["total"], 2, "{mine}");
    let after = answers().await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a, "query {:?} offset {} limit {}", b.0, b.1, b.2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hits_export_as_csv_and_hidden_records_change_nothing_in_it() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let b = app.browser("analyst").await;
    let url = "/search.csv?q=aquifer%20sharing";
    let (s, before) = b.get(url).await;
    assert_eq!(s, 200, "{before}");
    assert!(before.starts_with("kind,title,url,relevance,snippet,classification\n"));

    let body = |title: &str, c: &str, comp: Option<&str>| {
        json!({"title": title, "countries": ["SD"], "phase": "negotiation", "tracks": ["I"],
               "dutch_role": "support", "status": "active", "themes": ["water"],
               "summary": "Aquifer sharing between the two states.",
               "classification": c, "compartment": comp})
    };
    app.create(
        "/api/v1/processes",
        &coord,
        body("Open aquifer channel", "internal", None),
    )
    .await;
    let (_, visible) = b.get(url).await;
    assert_eq!(
        visible.lines().count(),
        before.lines().count() + 1,
        "{visible}"
    );
    assert!(visible.contains("process,Open aquifer channel,/processes/"));

    // Records the analyst may not read change nothing in her export, not even a score.
    app.create(
        "/api/v1/processes",
        &coord,
        body("Hidden aquifer channel", "secret", Some("yemen")),
    )
    .await;
    app.create(
        "/api/v1/processes",
        &coord,
        body(
            "Compartment aquifer channel",
            "confidential",
            Some("horn-of-africa"),
        ),
    )
    .await;
    let (_, after) = b.get(url).await;
    assert_eq!(
        after, visible,
        "hidden records changed the analyst's export"
    );

    // Exports are audited; for a partner, who reads nothing the index holds, there is no export.
    let raw = app.instance.raw().await;
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'search.export'")
            .fetch_one(&raw)
            .await
            .unwrap();
    assert_eq!(n, 3);
    let partner = app.browser("partner").await;
    let (s, _) = partner.get(url).await;
    assert_eq!(s, 404);
    app.instance.store.verify_audit().await.unwrap();
}
