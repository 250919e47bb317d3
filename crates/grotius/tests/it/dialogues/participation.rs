//! Conversations run inside Grotius: the team creates one (UI and API), participants vote and
//! write statements at `/p/{token}` without an account and without JavaScript, the moderator
//! accepts or rejects, and a participant's cookie reaches nothing else of Grotius.

use reqwest::Method;
use serde_json::json;

use crate::harness::{App, Browser, client, count, csrf_of};

/// The participation link's token on a team page.
fn link_token(html: &str) -> String {
    let i = html
        .find("href=\"/p/")
        .expect("the page shows the participation link")
        + 9;
    html[i..].split('"').next().unwrap().to_string()
}

/// The statement number in a participation page's vote form.
fn shown_statement(html: &str) -> Option<String> {
    let i = html.find("name=\"statement\" value=\"")? + 24;
    Some(html[i..].split('"').next()?.to_string())
}

/// Creates a conversation through the API; returns (id, link token).
async fn create_api(
    app: &App,
    token: &str,
    process: &str,
    extra: serde_json::Value,
) -> (String, String) {
    let mut body = json!({"process_id": process, "topic": "Return and safety", "languages": ["en", "ar", "fr", "nl"],
        "seeds": ["Roads to the villages must be safe first.", "Schools should reopen before elections."]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (s, d) = app
        .api(Method::POST, "/api/v1/dialogues", token, Some(body))
        .await;
    assert_eq!(s, 201, "{d}");
    let link = d["participation_link"]
        .as_str()
        .unwrap()
        .trim_start_matches("/p/")
        .to_string();
    (d["id"].as_str().unwrap().to_string(), link)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_runs_a_conversation_and_people_take_part_without_an_account() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let team = app.browser("coordinator").await;

    // The form: processes the coordinator may read, the four languages, the moderation mode.
    let (s, form) = team.get("/dialogues/new").await;
    assert_eq!(s, 200, "{form}");
    assert!(
        form.contains(&internal) && form.contains("العربية") && form.contains("value=\"after\"")
    );
    // A bad closing time is refused beside its field, the input repeated.
    let (s, page, _) = team
        .post(
            "/dialogues",
            &[
                ("process_id", &internal),
                ("topic", "Return and safety"),
                ("languages", "en"),
                ("opens_at", "2026-01-02"),
                ("closes_at", "2026-01-01"),
                ("moderation", "before"),
                ("classification", "internal"),
                ("seeds", "Roads to the villages must be safe first."),
            ],
        )
        .await;
    assert_eq!(s, 422, "{page}");
    assert!(
        page.contains("field-error")
            && page.contains("closing time")
            && page.contains("Return and safety")
    );
    let (s, _, to) = team
        .post("/dialogues", &[("process_id", &internal), ("topic", "Return and safety"), ("description", "What matters most for going home?"),
            ("languages", "en"), ("languages", "ar"), ("moderation", "before"), ("classification", "internal"),
            ("seeds", "Roads to the villages must be safe first.\r\nSchools should reopen before elections.\r\n")])
        .await;
    assert_eq!(s, 303);
    let to = to.unwrap();
    let id = to.trim_start_matches("/dialogues/").to_string();
    let (s, results) = team.get(&to).await;
    assert_eq!(s, 200);
    let token = link_token(&results);
    assert!(results.contains("Schools should reopen"), "{results}");
    let actions = app.audit_actions(&id).await;
    assert!(
        actions.contains(&"dialogue.create".to_string()),
        "{actions:?}"
    );

    // A participant: a fresh browser, no login, no JavaScript.
    let p = Browser::anonymous(&app.base);
    let (s, html) = p.get(&format!("/p/{token}")).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        !html.contains("<script"),
        "no script on the participation page"
    );
    assert!(
        !html.contains("/dialogues") && !html.contains("logout"),
        "nothing of the team's pages"
    );
    let csrf = csrf_of(&html).unwrap();
    let first = shown_statement(&html).expect("a statement to vote on");
    let (s, _, loc) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[
                ("_csrf", &csrf),
                ("statement", &first),
                ("vote", "agree"),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = p.get(&loc.unwrap()).await;
    assert!(html.contains("Your vote is recorded"), "{html}");
    let second = shown_statement(&html).expect("the other statement");
    assert_ne!(first, second, "unseen statements first");
    let (s, _, _) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[
                ("_csrf", &csrf),
                ("statement", &second),
                ("vote", "disagree"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = p.get(&format!("/p/{token}")).await;
    assert!(html.contains("voted on every statement"), "{html}");
    // Each vote can be revisited (a link, no script) and changed.
    assert!(
        html.contains("Change my vote") && html.contains(&format!("statement={first}")),
        "{html}"
    );
    let (_, again) = p.get(&format!("/p/{token}?statement={first}")).await;
    assert!(again.contains("Your vote: Agree"), "{again}");
    // A changed vote replaces the earlier one; the earlier is kept in history.
    let (s, _, _) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[("_csrf", &csrf), ("statement", &first), ("vote", "pass")],
        )
        .await;
    assert_eq!(s, 303);
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "dialogue_votes").await, 2);
    assert_eq!(count(&raw, "dialogue_vote_history").await, 1);
    // Without the CSRF token the vote is refused.
    let (s, _, _) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[("statement", &first), ("vote", "agree")],
        )
        .await;
    assert_eq!(s, 403);

    // A moderator's translation is what a participant reading Arabic sees.
    let (s, _, _) = team
        .post(
            &format!("/dialogues/{id}/statements/0/translation"),
            &[
                ("lang", "ar"),
                ("body", "يجب أن تكون الطرق إلى القرى آمنة أولاً."),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (s, page, _) = team
        .post(
            &format!("/dialogues/{id}/statements/0/translation"),
            &[("lang", "fr"), ("body", "Les routes d'abord.")],
        )
        .await;
    assert_eq!(
        s, 422,
        "French is not a language of this conversation: {page}"
    );
    let (_, ar) = p.get(&format!("/p/{token}?lang=ar&statement=0")).await;
    assert!(ar.contains("يجب أن تكون الطرق"), "{ar}");
    let (_, en) = p.get(&format!("/p/{token}?lang=en&statement=0")).await;
    assert!(
        en.contains("Roads to the villages must be safe first."),
        "{en}"
    );
    // Arabic, right to left, in the participant's language.
    let (_, ar) = p.get(&format!("/p/{token}?lang=ar")).await;
    assert!(
        ar.contains("lang=\"ar\" dir=\"rtl\"") && ar.contains("أضف عبارتك"),
        "{ar}"
    );
    // French is not offered by this conversation: English it stays.
    let (_, fr) = p.get(&format!("/p/{token}?lang=fr")).await;
    assert!(fr.contains("lang=\"ar\"") || fr.contains("lang=\"en\""));

    // A statement: too short and too long are refused beside the field, the text kept.
    let (s, html, _) = p
        .post_raw(
            &format!("/p/{token}/statement"),
            &[("_csrf", &csrf), ("body", "ok"), ("lang", "en")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        html.contains("too short") && html.contains("field-error"),
        "{html}"
    );
    let long = "x".repeat(281);
    let (s, html, _) = p
        .post_raw(
            &format!("/p/{token}/statement"),
            &[("_csrf", &csrf), ("body", &long), ("lang", "en")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("too long") && html.contains(&long));
    let (s, _, loc) = p
        .post_raw(
            &format!("/p/{token}/statement"),
            &[
                ("_csrf", &csrf),
                ("body", "Women must sit at the return committee."),
                ("lang", "en"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = p.get(&loc.unwrap()).await;
    assert!(html.contains("once a moderator has read it"), "{html}");
    // Moderation before: nobody is shown it yet.
    let q = Browser::anonymous(&app.base);
    let (_, html) = q.get(&format!("/p/{token}")).await;
    assert!(!html.contains("return committee"));
    // A near-duplicate is suggested to the moderator.
    let (s, _, _) = q
        .post_raw(
            &format!("/p/{token}/statement"),
            &[
                ("_csrf", &csrf_of(&html).unwrap()),
                ("body", "Women must sit at the return committee!"),
            ],
        )
        .await;
    assert_eq!(s, 303);

    // The moderation queue: accept one, a rejection needs its reason.
    let (s, queue) = team.get(&format!("/dialogues/{id}/moderation")).await;
    assert_eq!(s, 200);
    assert!(
        queue.contains("return committee") && queue.contains("Possible duplicates"),
        "{queue}"
    );
    let (s, _, _) = team
        .post(
            &format!("/dialogues/{id}/moderation"),
            &[("statement", "2"), ("decision", "accept"), ("reason", "")],
        )
        .await;
    assert_eq!(s, 303);
    let (s, page, _) = team
        .post(
            &format!("/dialogues/{id}/moderation"),
            &[("statement", "3"), ("decision", "reject"), ("reason", "")],
        )
        .await;
    assert_eq!(s, 422, "{page}");
    let (s, _, _) = team
        .post(
            &format!("/dialogues/{id}/moderation"),
            &[
                ("statement", "3"),
                ("decision", "reject"),
                ("reason", "Duplicate of #2"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, queue) = team.get(&format!("/dialogues/{id}/moderation")).await;
    assert!(queue.contains("No statements are waiting"), "{queue}");
    let (_, html) = p.get(&format!("/p/{token}")).await;
    assert!(
        html.contains("return committee"),
        "the accepted statement is shown: {html}"
    );
    let (_, html) = team.get(&format!("/dialogues/{id}")).await;
    assert!(
        html.contains("Duplicate of #2") && html.contains("Recompute"),
        "{html}"
    );
    let (s, _, _) = team.post(&format!("/dialogues/{id}/recompute"), &[]).await;
    assert_eq!(s, 303);

    // Closed: votes are refused with a clear message, and so are statements.
    let (s, _, _) = team
        .post(&format!("/dialogues/{id}/status"), &[("status", "closed")])
        .await;
    assert_eq!(s, 303);
    let (s, html, _) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[("_csrf", &csrf), ("statement", "2"), ("vote", "agree")],
        )
        .await;
    assert_eq!(s, 409);
    assert!(html.contains("This conversation is closed"), "{html}");
    let (_, html) = Browser::anonymous(&app.base)
        .get(&format!("/p/{token}"))
        .await;
    assert!(html.contains("This conversation is closed") && !html.contains("name=\"vote\""));
    let (s, _, _) = team
        .post(&format!("/dialogues/{id}/status"), &[("status", "open")])
        .await;
    assert_eq!(s, 303);
    let actions = app.audit_actions(&id).await;
    for a in [
        "dialogue.vote",
        "dialogue.submit",
        "dialogue.moderate",
        "dialogue.status",
        "dialogue.join",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_runs_a_conversation_not_yet_open_and_moderated_after() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let (id, token) = create_api(
        &app,
        &coord,
        &internal,
        json!({"moderation": "after", "opens_at": "2099-01-01"}),
    )
    .await;
    let (s, html) = Browser::anonymous(&app.base)
        .get(&format!("/p/{token}"))
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("not open yet") && !html.contains("name=\"vote\""),
        "{html}"
    );
    let (id2, token2) = create_api(&app, &coord, &internal, json!({"moderation": "after"})).await;
    let p = Browser::anonymous(&app.base);
    let (_, html) = p.get(&format!("/p/{token2}")).await;
    let csrf = csrf_of(&html).unwrap();
    let (s, _, _) = p
        .post_raw(
            &format!("/p/{token2}/statement"),
            &[
                ("_csrf", &csrf),
                ("body", "Water points need guards at night."),
            ],
        )
        .await;
    assert_eq!(s, 303);
    // Moderation after: shown at once to others, and still in the queue.
    let (_, other) = Browser::anonymous(&app.base)
        .get(&format!("/p/{token2}"))
        .await;
    let (_, queue) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id2}/moderation"),
            &coord,
            None,
        )
        .await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1, "{queue}");
    let _ = other;
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id2}/statements/2/moderation"),
            &coord,
            Some(json!({"decision": "meta"})),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id2}/statements"),
            &coord,
            Some(json!({"body": "hi"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/status"),
            &coord,
            Some(json!({"status": "closed"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "closed");
    // Labels at least as strict as the process: a public conversation under a confidential
    // process takes the process's labels.
    let hoa = app.process_id(&coord, "Sudan: ceasefire").await;
    let (s, d) = app
        .api(Method::POST, "/api/v1/dialogues", &coord, Some(json!({"process_id": hoa, "topic": "Hoa", "languages": ["en"], "classification": "public"})))
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["classification"], "confidential");
    assert_eq!(d["compartment"], "horn-of-africa");
    // A language outside the four is refused naming the field.
    app.assert_invalid(
        Method::POST,
        "/api/v1/dialogues",
        &coord,
        Some(json!({"process_id": internal, "topic": "X", "languages": ["de"]})),
        "languages",
    )
    .await;
}

/// The participant cookie and CSRF token a fresh visitor of `/p/{token}` receives.
async fn participant_cookies(app: &App, token: &str) -> (String, String) {
    let r = client()
        .get(app.url(&format!("/p/{token}")))
        .send()
        .await
        .unwrap();
    let mut secret = None;
    let mut pre = None;
    for c in r.headers().get_all("set-cookie") {
        let c = c.to_str().unwrap();
        let kv = c.split(';').next().unwrap();
        if let Some(v) = kv.strip_prefix("grotius_participant=") {
            secret = Some(v.to_string());
        }
        if let Some(v) = kv.strip_prefix("grotius_pre=") {
            pre = Some(v.to_string());
        }
    }
    (
        secret.expect("a participant cookie"),
        pre.expect("a CSRF cookie"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_reaches_nothing_else() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let (id, token) = create_api(&app, &coord, &internal, json!({})).await;
    let (other_id, other_token) = create_api(&app, &coord, &internal, json!({})).await;
    let (secret, pre) = participant_cookies(&app, &token).await;
    let with_participant = format!("grotius_pre={pre}; grotius_participant={secret}");
    let anonymous = format!("grotius_pre={pre}");

    // Every route of the application, its parameters filled with real ids, with only a
    // participant's cookies: never more than a visitor without them gets, and never data.
    let mut checked = 0;
    for (method, path) in grotius_web::route_table() {
        if path.starts_with("/p/") {
            continue;
        }
        let mut url = String::new();
        for seg in path.split('/').skip(1) {
            url.push('/');
            if seg.starts_with('{') {
                let value = if seg.contains("iso") || seg.contains("country") {
                    "SD"
                } else if seg.contains("number") || seg.contains("version") {
                    "0"
                } else if seg == "{lang}" {
                    "en"
                } else {
                    id.as_str()
                };
                url.push_str(value);
            } else {
                url.push_str(seg);
            }
        }
        let send = |cookie: String| {
            let m = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
            let mut req = client()
                .request(m.clone(), app.url(&url))
                .header("cookie", cookie);
            if m != reqwest::Method::GET && m != reqwest::Method::HEAD {
                req = req.form(&[
                    ("_csrf", pre.as_str()),
                    ("statement", "0"),
                    ("vote", "agree"),
                    ("body", "A statement long enough."),
                ]);
            }
            async move {
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let location = r
                    .headers()
                    .get("location")
                    .map(|v| v.to_str().unwrap().to_string());
                (status, location, r.text().await.unwrap())
            }
        };
        let (s, loc, body) = send(with_participant.clone()).await;
        let (s0, _, _) = send(anonymous.clone()).await;
        assert_eq!(
            s, s0,
            "{method} {url}: a participant's cookie changed the answer"
        );
        let refused = (400..500).contains(&s)
            || (s == 303 && loc.as_deref().is_some_and(|l| l.starts_with("/login")));
        // Public pages, and /metrics, which the test reaches over loopback (the default
        // `--metrics-allow`), the same with or without the cookie.
        let public = matches!(
            path.as_str(),
            "/metrics"
                | "/login"
                | "/login/totp"
                | "/health"
                | "/health/ready"
                | "/static/app.css"
                | "/static/app.js"
                | "/lang/{lang}"
                | "/api/v1/openapi.json"
                | "/api/v1/health"
                | "/"
        ) || path.starts_with("/static/")
            || path.starts_with("/health");
        assert!(
            refused || public,
            "{method} {url} answered {s} to a participant: {}",
            &body[..body.len().min(300)]
        );
        assert!(
            !body.contains(&id) || public && !body.contains("Return and safety"),
            "{method} {url} names the conversation"
        );
        checked += 1;
    }
    assert!(checked > 100, "{checked} routes");

    // Their cookie does not make them a participant of another conversation.
    let raw = app.instance.raw().await;
    let before = count(&raw, "dialogue_votes").await;
    let r = client()
        .post(app.url(&format!("/p/{other_token}/vote")))
        .header("cookie", &with_participant)
        .form(&[
            ("_csrf", pre.as_str()),
            ("statement", "0"),
            ("vote", "agree"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(count(&raw, "dialogue_votes").await, before);
    // In their own conversation the same request counts, and only there.
    let r = client()
        .post(app.url(&format!("/p/{token}/vote")))
        .header("cookie", &with_participant)
        .form(&[
            ("_csrf", pre.as_str()),
            ("statement", "0"),
            ("vote", "agree"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(count(&raw, "dialogue_votes").await, before + 1);
    // A statement number of no shown statement is refused; an unknown link is a bare 404.
    let r = client()
        .post(app.url(&format!("/p/{token}/vote")))
        .header("cookie", &with_participant)
        .form(&[
            ("_csrf", pre.as_str()),
            ("statement", "99"),
            ("vote", "agree"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = client().get(app.url("/p/not-a-link")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // An imported conversation has no participation link at all.
    let _ = other_id;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_past_the_limit_get_a_clear_429() {
    let app = App::spawn_with(
        crate::harness::Instance::seeded().await,
        grotius_web::WebConfig {
            login_attempts_per_minute: 100_000,
            votes_per_minute: 3,
            ..Default::default()
        },
    )
    .await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let (_, token) = create_api(&app, &coord, &internal, json!({})).await;
    let p = Browser::anonymous(&app.base);
    let (_, html) = p.get(&format!("/p/{token}")).await;
    let csrf = csrf_of(&html).unwrap();
    for _ in 0..3 {
        let (s, _, _) = p
            .post_raw(
                &format!("/p/{token}/vote"),
                &[("_csrf", &csrf), ("statement", "0"), ("vote", "agree")],
            )
            .await;
        assert_eq!(s, 303);
    }
    let (s, html, _) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[("_csrf", &csrf), ("statement", "0"), ("vote", "agree")],
        )
        .await;
    assert_eq!(s, 429);
    assert!(html.contains("wait a minute"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_conversation_changes_no_other_readers_answer() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let analyst = app.token("analyst").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let yemen = app.process_id(&coord, "Yemen: detainee").await;
    let (open, _) = create_api(&app, &coord, &internal, json!({})).await;
    let paths = [
        "/api/v1/dialogues".to_string(),
        format!("/api/v1/dialogues/{open}"),
        format!("/api/v1/processes/{internal}/dialogues"),
    ];
    let mut before = Vec::new();
    for p in &paths {
        let (s, v) = app.api(Method::GET, p, &analyst, None).await;
        assert_eq!(s, 200, "{p}: {v}");
        before.push(v);
    }
    let b = app.browser("analyst").await;
    let (_, list_before) = b.get("/dialogues").await;
    let (hidden, _) = create_api(&app, &coord, &yemen, json!({"classification": "secret"})).await;
    for (p, b) in paths.iter().zip(&before) {
        let (_, v) = app.api(Method::GET, p, &analyst, None).await;
        assert_eq!(&v, b, "{p} changed");
    }
    let (_, list_after) = b.get("/dialogues").await;
    assert_eq!(list_before, list_after);
    for p in [
        format!("/api/v1/dialogues/{hidden}"),
        format!("/api/v1/dialogues/{hidden}/moderation"),
    ] {
        let (s, _) = app.api(Method::GET, &p, &analyst, None).await;
        assert_eq!(s, 404, "{p}");
    }
    let (s, _) = b.get(&format!("/dialogues/{hidden}/moderation")).await;
    assert_eq!(s, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_polis_export_imports_back_with_the_same_groups() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let id = crate::dialogues::import_small(&app, &internal).await;
    // A participant-submitted, rejected statement and a replaced vote travel too.
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "comments.csv",
        "votes.csv",
        "participants-votes.csv",
        "summary.csv",
    ] {
        let (s, bytes) = app
            .download(&coord, &format!("/api/v1/dialogues/{id}/export/{file}"))
            .await;
        assert_eq!(s, 200, "{file}");
        std::fs::write(dir.path().join(file), bytes).unwrap();
    }
    let pv = std::fs::read_to_string(dir.path().join("participants-votes.csv")).unwrap();
    assert!(
        pv.starts_with("participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,"),
        "{pv}"
    );
    let comments = std::fs::read_to_string(dir.path().join("comments.csv")).unwrap();
    assert!(comments.starts_with(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    ));
    // Downloads are audited; the analyst (no export right) is refused.
    let actions = app.audit_actions(&id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "dialogue.export").count(),
        4,
        "{actions:?}"
    );
    let analyst = app.token("analyst").await;
    let (s, _) = app
        .download(
            &analyst,
            &format!("/api/v1/dialogues/{id}/export/comments.csv"),
        )
        .await;
    assert_eq!(s, 403);

    let (code, text) =
        crate::dialogues::cli(&app, &["import", "polis", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let (_, list) = app
        .api(Method::GET, "/api/v1/dialogues", &coord, None)
        .await;
    let again = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .find(|d| *d != id)
        .unwrap();
    let groups = |v: serde_json::Value| -> Vec<(String, serde_json::Value)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["number"].to_string(), p["group"].clone()))
            .collect()
    };
    let (_, a) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{id}/participants"),
            &coord,
            None,
        )
        .await;
    let (_, b) = app
        .api(
            Method::GET,
            &format!("/api/v1/dialogues/{again}/participants"),
            &coord,
            None,
        )
        .await;
    let (a, b) = (groups(a), groups(b));
    assert_eq!(a.len(), 27);
    assert!(
        a.iter().filter(|(_, g)| !g.is_null()).count() >= 24,
        "{a:?}"
    );
    assert_eq!(a, b, "the same groups after the round trip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_consultation_takes_part_only_through_personal_links() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let internal = app.process_id(&coord, "South Sudan").await;
    let (id, token) = create_api(&app, &coord, &internal, json!({"invitation_only": true})).await;
    // The shared link takes no one in.
    let (s, html) = Browser::anonymous(&app.base)
        .get(&format!("/p/{token}"))
        .await;
    assert_eq!(s, 403);
    assert!(
        html.contains("by invitation") && !html.contains("name=\"vote\""),
        "{html}"
    );
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "dialogue_participants").await, 0);
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/dialogues/{id}/invitations"),
            &coord,
            Some(json!({"count": 2})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let links: Vec<String> = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(links.len(), 2);
    assert_ne!(links[0], links[1]);
    // Only hashes are kept: the secret appears nowhere in the database's participants.
    let secret = links[0].split("?k=").nth(1).unwrap().to_string();
    let n: i64 = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM dialogue_participants WHERE secret_hash = '{secret}'"
    )))
    .fetch_one(&raw)
    .await
    .unwrap();
    assert_eq!(n, 0);
    // The personal link sets the cookie and lands on the plain link; the person votes.
    let p = Browser::anonymous(&app.base);
    let r = p.client.get(app.url(&links[0])).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (s, html) = p.get(&format!("/p/{token}")).await;
    assert_eq!(s, 200, "{html}");
    let csrf = csrf_of(&html).unwrap();
    let st = shown_statement(&html).expect("a statement");
    let (s, _, _) = p
        .post_raw(
            &format!("/p/{token}/vote"),
            &[("_csrf", &csrf), ("statement", &st), ("vote", "agree")],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(count(&raw, "dialogue_votes").await, 1);
    // A made-up personal link is refused.
    let (s, html) = Browser::anonymous(&app.base)
        .get(&format!("/p/{token}?k=made-up"))
        .await;
    assert_eq!(s, 404);
    assert!(html.contains("not valid"), "{html}");
    let actions = app.audit_actions(&id).await;
    assert!(
        actions.iter().any(|a| a == "dialogue.invite"),
        "{actions:?}"
    );
}
