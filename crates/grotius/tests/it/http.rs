//! The web edge: security headers, cookies, CSRF, bad input, the API contract, health and
//! metrics, the language switch, and the process screens end to end.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{App, Browser, Instance, PASSWORD, count, csrf_of};

#[tokio::test]
async fn security_headers_and_cookie_attributes() {
    let app = App::spawn().await;
    for path in [
        "/login",
        "/api/v1/openapi.json",
        "/healthz",
        "/does-not-exist",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: CSP"))
            .to_str()
            .unwrap();
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
            "{csp}"
        );
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && !cookie.contains("Secure"),
        "{cookie}"
    );

    // Under TLS: HSTS, and every cookie Secure.
    let tls = App::spawn_with(
        Instance::seeded().await,
        grotius_web::WebConfig {
            tls: true,
            login_attempts_per_minute: 1000,
            ..Default::default()
        },
    )
    .await;
    let r = tls.client.get(tls.url("/login")).send().await.unwrap();
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let b = Browser::anonymous(&tls.base);
    let page = b.get("/login").await.1;
    let pre = csrf_of(&page).unwrap();
    let r = b
        .client
        .post(tls.url("/login"))
        .form(&[
            ("_csrf", pre.as_str()),
            ("username", "analyst"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("grotius_session="))
        .unwrap();
    assert!(
        session.contains("Secure")
            && session.contains("HttpOnly")
            && session.contains("SameSite=Strict"),
        "{session}"
    );
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let app = App::spawn().await;
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.client.get(app.url("/login")).send().await.unwrap();
    let m = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains("# TYPE grotius_http_requests_total counter"),
        "{m}"
    );
    assert!(
        m.contains(r#"grotius_http_requests_total{method="GET",route="/login",status="200"}"#),
        "{m}"
    );
    assert!(m.contains("grotius_database_up 1"));
    let doc: Value = app.openapi().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for p in [
        "/api/v1/auth/token",
        "/api/v1/processes",
        "/api/v1/processes/{id}",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/countries",
    ] {
        assert!(
            doc["paths"].get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn api_login_errors_and_bad_input_change_nothing() {
    let app = App::spawn().await;
    let raw = app.instance.raw().await;
    let before = count(&raw, "processes").await;
    let c = &app.client;

    let r = c
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "analyst", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "invalid_credentials");

    let (s, e) = app
        .api(Method::GET, "/api/v1/processes", "grt_forged", None)
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );
    let r = c.get(app.url("/api/v1/processes")).send().await.unwrap();
    assert_eq!(r.status(), 401);

    let token = app.token("coordinator").await;
    let post = |body: &'static str, ct: &'static str| {
        c.post(app.url("/api/v1/processes"))
            .bearer_auth(&token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = post("{\"title\": ", "application/json").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "malformed_json"
    );
    let r = post(r#"{"title": 5, "phase": "crisis", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "internal"}"#, "application/json").await.unwrap();
    assert_eq!(r.status(), 422);
    let r = post(r#"{"title": "x", "phase": "crisis", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "internal", "surprise": 1}"#, "application/json").await.unwrap();
    assert_eq!(r.status(), 422, "unknown fields are refused");
    let r = post("title=x", "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let (s, e) = app.api(Method::POST, "/api/v1/processes", &token, Some(json!({"title": "x", "phase": "war", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "internal"}))).await;
    assert_eq!(s, 422);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown phase 'war'"),
        "{e}"
    );
    let (s, e) = app.api(Method::POST, "/api/v1/processes", &token, Some(json!({"title": "x", "countries": ["XX"], "phase": "crisis", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "internal"}))).await;
    assert_eq!(s, 422);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'XX' is not an ISO 3166-1"),
        "{e}"
    );
    // Oversized body.
    let big = format!(r#"{{"title": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let r = c
        .post(app.url("/api/v1/processes"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Unknown ids and routes.
    let (s, e) = app
        .api(
            Method::GET,
            "/api/v1/processes/00000000-0000-0000-0000-000000000000",
            &token,
            None,
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, _) = app.api(Method::PUT, "/api/v1/processes/nope", &token, Some(json!({"title": "x", "phase": "crisis", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "internal"}))).await;
    assert_eq!(s, 404);
    let (s, e) = app
        .api(Method::GET, "/api/v1/nothing-here", &token, None)
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, _) = app
        .api(Method::GET, "/api/v1/processes?limit=abc", &token, None)
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        count(&raw, "processes").await,
        before,
        "bad input changed nothing"
    );
    // `limit` is capped at 500.
    let (_, v) = app
        .api(Method::GET, "/api/v1/processes?limit=100000", &token, None)
        .await;
    assert_eq!(v["limit"], 500);
}

#[tokio::test]
async fn read_tokens_cannot_write_and_revoked_tokens_stop_working() {
    let app = App::spawn().await;
    let token = app.token("coordinator").await;
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/tokens",
            &token,
            Some(json!({"name": "ro", "scope": "read", "expires_in_days": 1})),
        )
        .await;
    assert_eq!(s, 201);
    let ro = v["token"].as_str().unwrap().to_string();
    let id = v["info"]["id"].as_str().unwrap().to_string();
    let (s, _) = app.api(Method::GET, "/api/v1/processes", &ro, None).await;
    assert_eq!(s, 200);
    let (s, _) = app.api(Method::POST, "/api/v1/processes", &ro, Some(json!({"title": "x", "phase": "crisis", "tracks": ["I"], "dutch_role": "support", "status": "active", "classification": "internal"}))).await;
    assert_eq!(s, 403);
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = app.api(Method::GET, "/api/v1/processes", &ro, None).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn csrf_is_required_on_every_state_changing_request() {
    let app = App::spawn().await;
    let raw = app.instance.raw().await;
    let before = count(&raw, "processes").await;
    let b = app.browser("coordinator").await;
    let form = [
        ("title", "CSRF probe"),
        ("phase", "crisis"),
        ("tracks", "II"),
        ("dutch_role", "support"),
        ("status", "active"),
        ("classification", "internal"),
    ];
    let (s, body, _) = b.post_raw("/processes", &form).await;
    assert_eq!(s, 403, "no token");
    assert!(
        body.contains("expired") || body.contains("verlopen"),
        "{body}"
    );
    let mut forged: Vec<(&str, &str)> = vec![("_csrf", "forged-token")];
    forged.extend_from_slice(&form);
    assert_eq!(
        b.post_raw("/processes", &forged).await.0,
        403,
        "wrong token"
    );
    assert_eq!(count(&raw, "processes").await, before);
    // Cookie-authenticated API writes need the header.
    let r = b
        .client
        .post(format!("{}/api/v1/tokens", app.base))
        .json(&json!({"name": "t", "scope": "read", "expires_in_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "csrf");
    let r = b
        .client
        .post(format!("{}/api/v1/tokens", app.base))
        .header("x-csrf-token", &b.csrf)
        .json(&json!({"name": "t", "scope": "read", "expires_in_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // Logout is a POST too; a cross-site GET does not log out.
    assert_eq!(b.get("/logout").await.0, 405);
    // With the token the form works.
    let (s, _, loc) = b.post("/processes", &form).await;
    assert_eq!(s, 303);
    assert!(loc.unwrap().starts_with("/processes/"));
    assert_eq!(count(&raw, "processes").await, before + 1);
    // The login form is protected too (double-submit cookie).
    let anon = Browser::anonymous(&app.base);
    let (s, _, _) = anon
        .post_raw("/login", &[("username", "analyst"), ("password", PASSWORD)])
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn forms_reject_bad_values_with_the_field_named() {
    let app = App::spawn().await;
    let raw = app.instance.raw().await;
    let before = count(&raw, "processes").await;
    let b = app.browser("coordinator").await;
    let (s, body, _) = b
        .post(
            "/processes",
            &[
                ("title", "Bad"),
                ("countries", "SD, Narnia"),
                ("phase", "crisis"),
                ("tracks", "II"),
                ("dutch_role", "support"),
                ("status", "active"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        body.contains("&#39;Narnia&#39; is not an ISO 3166-1 country code")
            || body.contains("'Narnia' is not an ISO 3166-1 country code"),
        "{body}"
    );
    assert!(
        body.contains("value=\"Bad\""),
        "the form keeps what was typed"
    );
    let (s, body, _) = b
        .post(
            "/processes",
            &[
                ("title", ""),
                ("phase", "crisis"),
                ("tracks", "II"),
                ("dutch_role", "support"),
                ("status", "active"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(body.contains("title is invalid"), "{body}");
    let (s, body, _) = b
        .post(
            "/processes",
            &[
                ("title", "Bad role"),
                ("engaged", "Qatar: overlord"),
                ("phase", "crisis"),
                ("tracks", "II"),
                ("dutch_role", "support"),
                ("status", "active"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        body.contains("unknown role of an engaged party") && body.contains("overlord"),
        "{body}"
    );
    let huge = "x".repeat(2 * 1024 * 1024);
    let (s, _, _) = b.post("/processes", &[("title", huge.as_str())]).await;
    assert_eq!(s, 413);
    assert_eq!(b.get("/processes/not-a-real-id").await.0, 404);
    assert_eq!(count(&raw, "processes").await, before);
}

#[tokio::test]
async fn process_screens_end_to_end() {
    let app = App::spawn().await;
    let b = app.browser("coordinator").await;
    let (s, _, loc) = b
        .post(
            "/processes",
            &[
                ("title", "Lake Chad water talks"),
                ("codename", "HERON"),
                ("countries", "TD, NE, NG, CM"),
                ("phase", "prevention"),
                ("tracks", "1.5"),
                ("tracks", "II"),
                ("dutch_role", "facilitate"),
                ("status", "exploratory"),
                ("themes", "water"),
                ("summary", "Basin dialogue."),
                (
                    "engaged",
                    "Lake Chad Basin Commission: lead\nQatar: facilitate",
                ),
                ("notes", "Host in N'Djamena."),
                ("classification", "confidential"),
                ("compartment", "horn-of-africa"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let path = loc.unwrap();
    let (s, html) = b.get(&path).await;
    assert_eq!(s, 200);
    for text in [
        "Lake Chad Basin Commission — Lead",
        "Qatar — Facilitate",
        "HERON",
        "Chad (TD)",
        "Track 1.5, Track II",
        "Host in N'Djamena.",
        "confidential",
        "horn-of-africa",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    let (s, _, _) = b
        .post(
            &path,
            &[
                ("title", "Lake Chad water talks"),
                ("countries", "TD"),
                ("phase", "negotiation"),
                ("tracks", "II"),
                ("dutch_role", "facilitate"),
                ("status", "active"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&path).await;
    assert!(html.contains("Ceasefire / negotiation") && !html.contains("HERON"));
    let (_, list) = b.get("/processes?q=lake+chad").await;
    assert!(list.contains("Lake Chad water talks"));
    let (s, _, _) = b.post(&format!("{path}/delete"), &[]).await;
    assert_eq!(s, 303);
    assert_eq!(b.get(&path).await.0, 404);
}

#[tokio::test]
async fn login_rate_limit_redirects_and_logout() {
    let app = App::spawn_with(
        Instance::seeded().await,
        grotius_web::WebConfig {
            login_attempts_per_minute: 3,
            ..Default::default()
        },
    )
    .await;
    let b = Browser::anonymous(&app.base);
    let pre = csrf_of(&b.get("/login").await.1).unwrap();
    for _ in 0..3 {
        let (s, body, _) = b
            .post_raw(
                "/login",
                &[
                    ("_csrf", &pre),
                    ("username", "analyst"),
                    ("password", "wrong-wrong-wrong"),
                ],
            )
            .await;
        assert_eq!(s, 401);
        assert!(body.contains("Login failed"), "{body}");
    }
    let (s, _, _) = b
        .post_raw(
            "/login",
            &[
                ("_csrf", &pre),
                ("username", "analyst"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, 429, "over the per-address budget");

    let app = App::spawn().await;
    let b = Browser::anonymous(&app.base);
    let (s, _) = b.get("/processes").await;
    assert_eq!(s, 303, "pages need a session");
    let pre = csrf_of(&b.get("/login?next=//evil.example/x").await.1).unwrap();
    let (_, _, loc) = b
        .post_raw(
            "/login",
            &[
                ("_csrf", &pre),
                ("username", "analyst"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(loc.as_deref(), Some("/"), "no open redirect");
    let b = Browser::anonymous(&app.base);
    let pre = csrf_of(&b.get("/login?next=/reference").await.1).unwrap();
    let (_, _, loc) = b
        .post_raw(
            "/login",
            &[
                ("_csrf", &pre),
                ("username", "analyst"),
                ("password", PASSWORD),
                ("next", "/reference"),
            ],
        )
        .await;
    assert_eq!(loc.as_deref(), Some("/reference"));
    let csrf = csrf_of(&b.get("/").await.1).unwrap();
    let (s, _, loc) = b.post_raw("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!((s, loc.as_deref()), (303, Some("/login")));
    assert_eq!(b.get("/").await.0, 303, "session ended");
}

#[tokio::test]
async fn dutch_and_english() {
    let app = App::spawn().await;
    let b = app.browser("analyst").await;
    let (_, en) = b.get("/").await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Overview"));
    let r = b
        .client
        .get(format!("{}/lang/nl?next=/processes", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/processes");
    let (_, nl) = b.get("/").await;
    assert!(
        nl.contains("<html lang=\"nl\">") && nl.contains("Overzicht") && nl.contains("Bemiddeling"),
        "Dutch page"
    );
    let (_, login) = Browser::anonymous(&app.base).get("/login").await;
    assert!(login.contains("Log in"));
    let r = app
        .client
        .get(app.url("/login"))
        .header("accept-language", "nl-NL,nl;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Inloggen"));
    // The redirect target of the switch stays on this site.
    let r = b
        .client
        .get(format!("{}/lang/en?next=https://evil.example", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn auditors_browse_filter_and_export_the_log() {
    let app = App::spawn().await;
    let coord = app.browser("coordinator").await;
    let (_, list) = coord.get("/processes").await;
    let id = list
        .split("href=\"/processes/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    coord.get(&format!("/processes/{id}")).await;
    let b = app.browser("auditor").await;
    let (s, html) = b
        .get("/audit?actor=coordinator&action=process.create")
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("process.create") && !html.contains("<code>login</code>"),
        "filtered by action"
    );
    assert!(
        html.contains("of 11</span>"),
        "the demo coordinator filed 11 processes"
    );
    let (_, html) = b.get("/audit?outcome=failed").await;
    assert!(!html.contains("<code>process.create</code>"));
    let (s, csv) = b.get("/audit.csv?action=process.").await;
    assert_eq!(s, 200);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("seq,at_utc,actor,action,resource_kind,resource_id,outcome,detail,hash")
    );
    assert!(
        lines.next().unwrap().starts_with("#meta +seq"),
        "HXL hashtag row"
    );
    assert!(
        csv.lines().skip(2).all(|l| l.contains("\"process.")),
        "{csv}"
    );
    // The export itself is recorded.
    let (_, html) = b.get("/audit?action=audit-log.export").await;
    assert!(html.contains("audit-log.export"));
}
