//! Login attempts per client address are counted in the database: two app nodes on one database
//! (two stores, two servers, as behind a round-robin load balancer) enforce one budget per
//! address; other addresses keep theirs; the next window gives the budget back; a database that
//! cannot count refuses the attempt; and the account lock-out still works beside it.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use grotius_security::{Keyring, Totp, now_secs};
use grotius_store::{LOGIN_WINDOW_SECS, Store};
use grotius_web::auth::LoginLimiter;
use serde_json::Value;
use sqlx::Row;

use crate::harness::{Instance, PASSWORD, csrf_of};

/// A second app node on the database of `instance`: its own store (own connection pool, own
/// caches), as another machine behind the load balancer would open it.
async fn second_store(instance: &Instance) -> Store {
    Store::open_existing(
        instance.data(),
        instance.database.as_deref(),
        Keyring::load(instance.data()).unwrap(),
    )
    .await
    .expect("a second node opens the same database")
}

/// A test clock: stands still unless the test moves it.
fn clock() -> Arc<AtomicI64> {
    Arc::new(AtomicI64::new(now_secs()))
}

/// Serves `store` on a free local port with a login budget of `budget` per address per window,
/// reading the time from `clock`; returns the base URL.
async fn node(store: Store, budget: u32, clock: &Arc<AtomicI64>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut state = grotius_web::AppState::new(
        store,
        grotius_web::WebConfig {
            login_attempts_per_minute: budget,
            ..Default::default()
        },
    );
    let clock = clock.clone();
    state.limiter = Arc::new(LoginLimiter::with_clock(budget, move || {
        clock.load(Ordering::SeqCst)
    }));
    tokio::spawn(grotius_web::serve(listener, state, std::future::pending()));
    base
}

/// Two nodes on one (seeded) database, sharing `clock`.
async fn two_nodes(budget: u32, clock: &Arc<AtomicI64>) -> (Instance, String, String) {
    let instance = Instance::seeded().await;
    let b = second_store(&instance).await;
    let node_a = node(instance.store.clone(), budget, clock).await;
    let node_b = node(b, budget, clock).await;
    (instance, node_a, node_b)
}

/// A client whose connections come from `from` (any 127.x.y.z is this machine's loopback), with
/// a cookie jar: a browser behind one address, whichever node the balancer picks.
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// `POST /api/v1/auth/token` on `base`: the status and the body.
async fn api_login(
    c: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> (u16, Value) {
    let r = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The login form on `base`: the status, and whether a session cookie was set.
async fn form_login(
    c: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> (u16, bool) {
    let page = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pre = csrf_of(&page).expect("the login form has a CSRF field");
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", pre.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("grotius_session="));
    (r.status().as_u16(), session)
}

/// The second-factor form on `base` with the pending session in `c`'s cookies: the status and
/// the redirect target.
async fn totp_step(c: &reqwest::Client, base: &str, code: &str) -> (u16, Option<String>) {
    let page = c
        .get(format!("{base}/login/totp"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page).expect("the second-factor form has the session's CSRF field");
    let r = c
        .post(format!("{base}/login/totp"))
        .form(&[("_csrf", csrf.as_str()), ("code", code), ("next", "/")])
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status().as_u16(), location)
}

#[tokio::test]
async fn login_budget_is_one_across_two_nodes_of_one_database() {
    let clock = clock();
    let (instance, a, b) = two_nodes(4, &clock).await;
    // The analyst has a second factor (its step counts as an attempt too).
    let analyst = instance.access("analyst").await;
    let totp = Totp::from_base32(&analyst.totp_begin().await.unwrap().secret).unwrap();
    analyst
        .totp_confirm(&totp.code_at(now_secs() as u64 - 30))
        .await
        .unwrap();

    let x = client_from("127.0.0.1");
    // Four attempts from one address, spread over both nodes, through the API and the form.
    assert_eq!(api_login(&x, &a, "coordinator", "wrong").await.0, 401);
    assert_eq!(
        form_login(&x, &b, "coordinator", "wrong").await,
        (401, false)
    );
    assert_eq!(api_login(&x, &b, "coordinator", "wrong").await.0, 401);
    let (s, _) = form_login(&x, &a, "analyst", PASSWORD).await;
    assert_eq!(
        s, 303,
        "the fourth attempt is within the budget: on to the second factor"
    );
    // The fifth — the second-factor step, on the other node — is over the one budget.
    let (s, _) = totp_step(&x, &b, &totp.code_at(now_secs() as u64)).await;
    assert_eq!(s, 429, "the second-factor step counts on the same budget");
    let (s, e) = api_login(&x, &a, "coordinator", PASSWORD).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    // Another browser behind the same address shares its budget.
    let x2 = client_from("127.0.0.1");
    assert_eq!(
        form_login(&x2, &b, "coordinator", PASSWORD).await,
        (429, false)
    );

    // Another address is unaffected, on either node.
    let y = client_from("127.0.0.2");
    let (s, t) = api_login(&y, &b, "coordinator", PASSWORD).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(
        form_login(&y, &a, "coordinator", PASSWORD).await,
        (303, true)
    );

    // The next window gives the address its budget back, on both nodes.
    clock.fetch_add(LOGIN_WINDOW_SECS, Ordering::SeqCst);
    let (s, location) = totp_step(&x, &b, &totp.code_at(now_secs() as u64)).await;
    assert_eq!((s, location.as_deref()), (303, Some("/")), "signed in");
    assert_eq!(api_login(&x, &a, "coordinator", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn login_limit_is_per_address_and_the_account_lock_out_still_works() {
    let clock = clock();
    let (_instance, a, b) = two_nodes(3, &clock).await;
    let x = client_from("127.0.0.1");
    for node in [&a, &b, &a] {
        assert_eq!(api_login(&x, node, "analyst", "wrong").await.0, 401);
    }
    // The budget is the address's, whichever account it tries.
    assert_eq!(api_login(&x, &b, "coordinator", PASSWORD).await.0, 429);
    assert_eq!(form_login(&x, &a, "auditor", PASSWORD).await, (429, false));

    // Another address logs in; two more wrong passwords from it reach the analyst's fifth
    // failure: the account is locked (per account, on every node, for every address).
    let y = client_from("127.0.0.2");
    assert_eq!(api_login(&y, &a, "coordinator", PASSWORD).await.0, 200);
    assert_eq!(api_login(&y, &b, "analyst", "wrong").await.0, 401);
    assert_eq!(form_login(&y, &a, "analyst", "wrong").await, (401, false));
    let z = client_from("127.0.0.3");
    let (s, e) = api_login(&z, &b, "analyst", PASSWORD).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (401, Some("invalid_credentials")),
        "locked: the right password is refused"
    );
    assert_eq!(form_login(&z, &a, "analyst", PASSWORD).await, (401, false));
    // The lock-out outlives the address's window; the other accounts are not locked.
    clock.fetch_add(LOGIN_WINDOW_SECS, Ordering::SeqCst);
    assert_eq!(api_login(&x, &a, "analyst", PASSWORD).await.0, 401);
    assert_eq!(api_login(&x, &b, "coordinator", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn login_limiter_that_cannot_count_refuses_the_attempt() {
    let clock = clock();
    let (instance, a, b) = two_nodes(100, &clock).await;
    let raw = instance.raw().await;
    sqlx::query("DROP TABLE login_attempts")
        .execute(&raw)
        .await
        .unwrap();
    let x = client_from("127.0.0.1");
    let (s, e) = api_login(&x, &a, "coordinator", PASSWORD).await;
    assert_eq!((s, e["error"]["code"].as_str()), (500, Some("internal")));
    assert!(e.get("token").is_none(), "{e}");
    let (s, session) = form_login(&x, &b, "coordinator", PASSWORD).await;
    assert_eq!((s, session), (500, false), "no session without a count");
    // Nothing reached the password check: no login was audited.
    let logins: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login'")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(logins, 0);
}

#[tokio::test]
async fn login_attempts_are_counted_exactly_under_concurrency_on_two_stores() {
    let instance = Instance::new().await;
    let other = second_store(&instance).await;
    let stores = [instance.store.clone(), other.clone()];
    let now = now_secs();
    let ip: IpAddr = "192.0.2.7".parse().unwrap();
    const BUDGET: u32 = 7;
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let store = stores[n % 2].clone();
            tokio::spawn(async move { store.count_login_attempt(ip, BUDGET, now).await })
        })
        .collect();
    let mut allowed = 0;
    for t in tasks {
        if t.await.unwrap().expect("counted") {
            allowed += 1;
        }
    }
    assert_eq!(
        allowed, BUDGET,
        "exactly the budget of 40 concurrent attempts"
    );
    assert!(
        !other
            .count_login_attempt(ip, BUDGET, now + 58)
            .await
            .unwrap()
    );
    // Another address has its own budget; an IPv6 host's whole /64 shares one.
    let other_ip: IpAddr = "192.0.2.8".parse().unwrap();
    assert!(
        instance
            .store
            .count_login_attempt(other_ip, BUDGET, now)
            .await
            .unwrap()
    );
    let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
    assert!(
        other
            .count_login_attempt(v6("2001:db8:1:2::1"), 2, now)
            .await
            .unwrap()
    );
    assert!(
        other
            .count_login_attempt(v6("2001:db8:1:2::ffff"), 2, now)
            .await
            .unwrap()
    );
    assert!(
        !other
            .count_login_attempt(v6("2001:db8:1:2:ab::9"), 2, now)
            .await
            .unwrap()
    );
    assert!(
        other
            .count_login_attempt(v6("2001:db8:1:3::1"), 2, now)
            .await
            .unwrap()
    );
    assert!(
        other
            .count_login_attempt(v6("::ffff:192.0.2.8"), 2, now)
            .await
            .unwrap()
    );
    assert!(
        !other
            .count_login_attempt(v6("::ffff:192.0.2.8"), 2, now)
            .await
            .unwrap()
    );

    // A minute after the window's first attempt, the budget is back.
    assert!(
        !instance
            .store
            .count_login_attempt(ip, BUDGET, now + LOGIN_WINDOW_SECS - 1)
            .await
            .unwrap()
    );
    assert!(
        instance
            .store
            .count_login_attempt(ip, BUDGET, now + LOGIN_WINDOW_SECS)
            .await
            .unwrap()
    );

    // The rows of addresses gone quiet are deleted by the first attempt of a later window, once
    // their window ended a window ago (a node whose clock is a little behind may still count).
    let raw = instance.raw().await;
    let keys = || {
        let raw = raw.clone();
        async move {
            let mut keys: Vec<String> = sqlx::query("SELECT address FROM login_attempts")
                .fetch_all(&raw)
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get("address").unwrap())
                .collect();
            keys.sort();
            keys
        }
    };
    let all = [
        "192.0.2.7",
        "192.0.2.8",
        "2001:db8:1:2::/64",
        "2001:db8:1:3::/64",
    ];
    assert_eq!(
        keys().await,
        all,
        "one row per address (an IPv6 address by its /64)"
    );
    let late = now + 2 * LOGIN_WINDOW_SECS - 1;
    assert!(
        other
            .count_login_attempt(other_ip, BUDGET, late)
            .await
            .unwrap()
    );
    assert_eq!(
        keys().await,
        all,
        "windows ended less than a window ago are kept"
    );
    assert!(
        other
            .count_login_attempt(v6("2001:db8:1:2::5"), 2, late + 1)
            .await
            .unwrap()
    );
    assert_eq!(
        keys().await,
        ["192.0.2.7", "192.0.2.8", "2001:db8:1:2::/64"],
        "pruned: the quiet /64; kept: the windows started a minute ago and now"
    );
    other.close().await;
}
