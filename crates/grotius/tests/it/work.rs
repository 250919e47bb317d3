//! Work on records, as users do it: a record assigned through its page waits in the assignee's
//! inbox (with the count in the navigation) until she marks it done; comments are read and
//! written by the readers of the record only and follow its labels when it is reclassified; a
//! record the reader may not read changes nothing in her inbox, her count or any answer.

use crate::harness::{App, process_input};
use serde_json::{Value, json};

/// The number beside "Inbox" in the navigation of a page, if any.
fn nav_count(html: &str) -> Option<u32> {
    let nav = html
        .split("id=\"main-nav\"")
        .nth(1)?
        .split("</nav>")
        .next()?;
    let after = nav.split("href=\"/inbox\"").nth(1)?.split("</a>").next()?;
    let n = after.split("class=\"count\"").nth(1)?;
    let n = n.split('>').nth(1)?.split('<').next()?;
    n.trim().parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_assigned_through_its_page_waits_in_the_inbox_until_done() {
    let app = App::spawn().await;
    let coordinator = app.instance.access("coordinator").await;
    let p = coordinator
        .create_process(&process_input(
            "Blue Nile local talks",
            "confidential",
            Some("horn-of-africa"),
        ))
        .await
        .unwrap();
    let page = format!("/processes/{}", p.id);
    let coord = app.browser("coordinator").await;
    let desk = app.browser("desk-officer").await;

    // The picker offers who may read the record: the desk officer of the compartment, not the
    // fund officer (internal clearance) nor the analyst (outside horn-of-africa).
    let (s, html) = coord.get(&page).await;
    assert_eq!(s, 200);
    let picker = html
        .split("id=\"assignee\"")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap();
    assert!(picker.contains(">desk-officer<"), "{picker}");
    assert!(
        !picker.contains("fund-officer") && !picker.contains(">analyst<"),
        "{picker}"
    );

    let (_, before) = desk.get("/").await;
    assert_eq!(nav_count(&before), None, "nothing waits yet");

    // Refused, all at once and beside their fields, with what was typed kept.
    let long = "n".repeat(501);
    let (s, body, _) = coord
        .post(
            &format!("/records/{}/assignments", p.id),
            &[
                ("assignee", ""),
                ("due", "2020-01-01"),
                ("note", &long),
                ("next", &page),
            ],
        )
        .await;
    assert_eq!(s, 422, "{body}");
    for field in ["assignee", "due", "note"] {
        assert!(
            body.contains(&format!("id=\"work-{field}-error\"")),
            "{field}: {body}"
        );
    }
    assert!(body.contains("is in the past"), "{body}");
    assert!(body.contains(&long), "the note typed is kept");
    // Someone who could not open the record is refused by name, and nothing is created.
    let (s, body, _) = coord
        .post(
            &format!("/records/{}/assignments", p.id),
            &[("assignee", "fund-officer"), ("due", ""), ("next", &page)],
        )
        .await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body.contains("fund-officer may not read this record"),
        "{body}"
    );
    let raw = app.instance.raw().await;
    assert_eq!(crate::harness::count(&raw, "assignments").await, 0);

    // Assigned through the form: back on the record's page, which says what happened.
    let (s, _, location) = coord
        .post(
            &format!("/records/{}/assignments", p.id),
            &[
                ("assignee", "desk-officer"),
                ("due", "2099-03-01"),
                ("note", "Brief the envoy"),
                ("next", &page),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with(&page) && location.contains("work=assigned"),
        "{location}"
    );
    let (_, html) = coord.get(&location).await;
    assert!(
        html.contains("colleague&#39;s inbox") || html.contains("colleague's inbox"),
        "{html}"
    );
    assert!(html.contains("Brief the envoy"));

    // The desk officer sees the count on every page and the record in her inbox.
    let (_, html) = desk.get("/processes").await;
    assert_eq!(nav_count(&html), Some(1), "{html}");
    let (s, inbox) = desk.get("/inbox").await;
    assert_eq!(s, 200);
    assert!(
        inbox.contains("Blue Nile local talks") && inbox.contains("2099-03-01"),
        "{inbox}"
    );
    assert!(inbox.contains("Assigned to you") && inbox.contains("Brief the envoy"));
    // … and comments on it.
    let (s, _, _) = desk
        .post(
            &format!("/records/{}/comments", p.id),
            &[("body", "Envoy briefed by phone."), ("next", &page)],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = coord.get(&page).await;
    assert!(html.contains("Envoy briefed by phone.") && html.contains("desk-officer"));

    // Done from the inbox: it leaves the inbox and the count; the record keeps the history.
    let aid = inbox
        .split("/assignments/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (s, _, location) = desk
        .post(&format!("/assignments/{aid}/done"), &[("next", "/inbox")])
        .await;
    assert_eq!(s, 303);
    assert!(location.unwrap().starts_with("/inbox"));
    let (_, inbox) = desk.get("/inbox").await;
    assert!(inbox.contains("Nothing waits for you"), "{inbox}");
    assert_eq!(nav_count(&inbox), None);
    let (_, html) = coord.get(&page).await;
    assert!(html.contains("done"), "{html}");
    // Twice is a conflict, not a second entry.
    let (s, _, _) = desk
        .post(&format!("/assignments/{aid}/done"), &[("next", "/inbox")])
        .await;
    assert_eq!(s, 409);

    let actions = app.audit_actions(&p.id).await;
    for a in ["assignment.create", "comment.create", "assignment.done"] {
        assert_eq!(
            actions.iter().filter(|x| *x == a).count(),
            1,
            "{a}: {actions:?}"
        );
    }
    // The note and the comment are sealed at rest.
    for (table, column, text) in [
        ("comments", "body", "Envoy briefed"),
        ("assignments", "note", "Brief the envoy"),
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {column} AS t FROM {table}"
        )))
        .fetch_all(&raw)
        .await
        .unwrap();
        for r in rows {
            let stored: String = sqlx::Row::try_get(&r, "t").unwrap();
            assert!(!stored.contains(text), "{table}.{column} in clear");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_are_for_the_readers_of_the_record_and_follow_its_labels() {
    let app = App::spawn().await;
    let coordinator = app.instance.access("coordinator").await;
    let mut input = process_input("Kordofan humanitarian pause", "internal", None);
    let p = coordinator.create_process(&input).await.unwrap();
    let path = format!("/api/v1/records/{}/comments", p.id);
    let ctoken = app.token("coordinator").await;
    let (s, c) = app
        .api(
            reqwest::Method::POST,
            &path,
            &ctoken,
            Some(json!({"body": "Spoiler risk: the militia leader."})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        app.api(
            reqwest::Method::POST,
            &path,
            &ctoken,
            Some(json!({"body": "  "}))
        )
        .await
        .0,
        422
    );

    // Readers of the process read it; the partner and the auditor get nothing, as for a
    // record that does not exist.
    let mut answers = Vec::new();
    for who in [
        "analyst",
        "desk-officer",
        "fund-officer",
        "partner",
        "auditor",
    ] {
        let t = app.token(who).await;
        let (s, v) = app.api(reqwest::Method::GET, &path, &t, None).await;
        answers.push((who, s, v));
    }
    for (who, s, v) in &answers {
        match *who {
            "partner" | "auditor" => assert_eq!(*s, 404, "{who}: {v}"),
            _ => {
                assert_eq!(*s, 200, "{who}");
                assert_eq!(v[0]["body"], "Spoiler risk: the militia leader.");
            }
        }
    }
    let ghost = format!(
        "/api/v1/records/{}/comments",
        "00000000-0000-4000-8000-000000000000"
    );
    let t = app.token("partner").await;
    let missing = app.api(reqwest::Method::GET, &ghost, &t, None).await;
    assert_eq!(missing.0, 404);
    assert_eq!(missing.1, answers[3].2, "hidden and missing answer alike");

    // The record's history for its readers: changes, newest first, no reads, no details.
    let hpath = format!("/api/v1/records/{}/history", p.id);
    let t = app.token("analyst").await;
    let (s, h) = app.api(reqwest::Method::GET, &hpath, &t, None).await;
    assert_eq!(s, 200, "{h}");
    let actions: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["comment.create", "process.create"], "{h}");
    assert!(h[0].get("detail").is_none() && h[0]["actor"] == "coordinator");
    let t = app.token("partner").await;
    assert_eq!(app.api(reqwest::Method::GET, &hpath, &t, None).await.0, 404);

    // Reclassified into a compartment: the desk officer (horn-of-africa) loses the comments
    // with the record, the coordinator keeps them.
    input.classification = "secret".into();
    input.compartment = Some("yemen".into());
    coordinator.update_process(&p.id, &input).await.unwrap();
    let t = app.token("desk-officer").await;
    assert_eq!(app.api(reqwest::Method::GET, &path, &t, None).await.0, 404);
    assert_eq!(
        app.api(reqwest::Method::GET, &path, &ctoken, None).await.0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_record_changes_nothing_in_another_readers_inbox() {
    let app = App::spawn().await;
    let coordinator = app.instance.access("coordinator").await;
    let desk_token = app.token("desk-officer").await;
    let desk = app.browser("desk-officer").await;
    let open = coordinator
        .create_process(&process_input(
            "Darfur ceasefire monitoring",
            "internal",
            None,
        ))
        .await
        .unwrap();
    coordinator
        .assign(&open.id, "desk-officer", "2099-01-01", "")
        .await
        .unwrap();

    let answer = |v: Value| v.to_string();
    let (s, before) = app
        .api(reqwest::Method::GET, "/api/v1/inbox", &desk_token, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(before["count"], 1, "{before}");
    let (_, page_before) = desk.get("/inbox").await;
    let count_before = nav_count(&page_before);
    assert_eq!(count_before, Some(1));

    // Hidden from the desk officer: a secret Yemen process assigned to the coordinator and
    // commented on, a secret alert owned by the coordinator, overdue.
    let hidden = coordinator
        .create_process(&process_input(
            "Hodeidah back channel",
            "secret",
            Some("yemen"),
        ))
        .await
        .unwrap();
    coordinator
        .assign(&hidden.id, "coordinator", "", "call Muscat")
        .await
        .unwrap();
    coordinator
        .add_comment(&hidden.id, "Muscat agrees to host.")
        .await
        .unwrap();
    let alert = grotius_domain::early_warning::AlertInput {
        country: "YE".into(),
        signal: "manual".into(),
        as_of: "2024-01".into(),
        title: "Hodeidah escalation".into(),
        owner: "coordinator".into(),
        deadline: "2024-02-01".into(),
        classification: "secret".into(),
        compartment: Some("yemen".into()),
        ..Default::default()
    };
    coordinator.create_alert(&alert).await.unwrap();

    let (_, after) = app
        .api(reqwest::Method::GET, "/api/v1/inbox", &desk_token, None)
        .await;
    assert_eq!(answer(after), answer(before.clone()));
    let (_, page_after) = desk.get("/inbox").await;
    assert_eq!(nav_count(&page_after), count_before);
    assert!(!page_after.contains("Hodeidah"));

    // The coordinator sees hers, overdue first.
    let ctoken = app.token("coordinator").await;
    let (_, mine) = app
        .api(reqwest::Method::GET, "/api/v1/inbox", &ctoken, None)
        .await;
    let titles: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.first(), Some(&"Hodeidah escalation"), "{mine}");
    assert!(titles.contains(&"Hodeidah back channel"), "{mine}");
    assert_eq!(mine["items"][0]["overdue"], true);

    // Assigning the hidden record to the desk officer is refused without creating anything,
    // and reclassifying her own assigned record away from her takes it out of her inbox.
    let (s, v) = app
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/records/{}/assignments", hidden.id),
            &ctoken,
            Some(json!({"assignee": "desk-officer"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let mut input = process_input("Darfur ceasefire monitoring", "secret", Some("yemen"));
    input.countries = open.countries.clone();
    coordinator.update_process(&open.id, &input).await.unwrap();
    let (_, gone) = app
        .api(reqwest::Method::GET, "/api/v1/inbox", &desk_token, None)
        .await;
    assert_eq!(gone["count"], 0, "{gone}");
    assert!(!gone.to_string().contains(&open.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_inboxes_at_once_all_answer() {
    // Each inbox source takes its pooled connections one at a time: sixty concurrent inboxes of
    // the coordinator (every source of hers: requests, access decisions, moderation) all answer
    // (a source holding one connection while asking for another exhausted the pool).
    let app = App::spawn().await;
    let token = app.token("coordinator").await;
    let mut tasks = Vec::new();
    for _ in 0..60 {
        let client = app.client.clone();
        let url = app.url("/api/v1/inbox");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let all = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut codes = Vec::new();
        for t in tasks {
            codes.push(t.await.unwrap().unwrap());
        }
        codes
    })
    .await
    .expect("every inbox answered within 60 s");
    assert!(all.iter().all(|c| *c == 200), "{all:?}");
}
