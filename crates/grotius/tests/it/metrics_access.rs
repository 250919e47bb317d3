//! `/metrics` is served only to the configured address ranges (default loopback) or with the
//! metrics token, over real HTTP, in-process and through `grotius serve`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use grotius_web::metrics::{AddressRange, MetricsAccess};

use crate::harness::{App, Instance, bin, client, fresh_database};

const TOKEN: &str = "metrics-token-for-the-test-0123";

async fn metrics(base: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = client().get(format!("{base}/metrics"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn assert_served(what: &str, (status, body): (u16, String)) {
    assert_eq!(status, 200, "{what}: {body}");
    assert!(body.contains("grotius_database_up"), "{what}: {body}");
}

fn assert_refused(what: &str, (status, body): (u16, String)) {
    assert_eq!(status, 403, "{what}: {body}");
    assert!(
        !body.contains("grotius_"),
        "{what}: a refusal carries no metric: {body}"
    );
    assert!(body.contains("--metrics-token"), "{what}: {body}");
}

#[tokio::test]
async fn metrics_default_to_direct_loopback_connections() {
    let app = App::spawn().await;
    assert_served("loopback", metrics(&app.base, &[]).await);
    for h in ["x-forwarded-for", "x-real-ip", "forwarded"] {
        assert_refused(
            &format!("loopback peer with {h} (a proxy's request)"),
            metrics(&app.base, &[(h, "198.51.100.7")]).await,
        );
    }
    for h in ["x-forwarded-for", "forwarded"] {
        assert_refused(
            &format!("a bearer token through a proxy ({h}) when none is configured"),
            metrics(
                &app.base,
                &[
                    ("authorization", "Bearer anything-at-all"),
                    (h, "198.51.100.7"),
                ],
            )
            .await,
        );
    }
}

#[tokio::test]
async fn metrics_outside_the_range_need_the_token() {
    let config = grotius_web::WebConfig {
        metrics: MetricsAccess {
            allow: vec!["192.0.2.0/24".parse::<AddressRange>().unwrap()],
            token: Some(TOKEN.into()),
        },
        ..Default::default()
    };
    let app = App::spawn_with(Instance::seeded().await, config).await;
    assert_refused(
        "127.0.0.1 outside 192.0.2.0/24",
        metrics(&app.base, &[]).await,
    );
    assert_refused(
        "a wrong token",
        metrics(
            &app.base,
            &[("authorization", "Bearer metrics-token-for-the-test-0124")],
        )
        .await,
    );
    assert_refused(
        "the token without the Bearer scheme",
        metrics(&app.base, &[("authorization", TOKEN)]).await,
    );
    let bearer = format!("Bearer {TOKEN}");
    assert_served(
        "the token",
        metrics(&app.base, &[("authorization", &bearer)]).await,
    );
    assert_served(
        "the token through a proxy",
        metrics(
            &app.base,
            &[
                ("authorization", &bearer),
                ("x-forwarded-for", "198.51.100.7"),
            ],
        )
        .await,
    );
    // The rest of the application does not depend on the metrics setting.
    let r = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_takes_the_metrics_range_and_token_from_its_options() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    crate::cli::init_cli(&data, &db);

    let serve = |extra: &[&str]| {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--data"])
            .arg(&data)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env_remove("GROTIUS_METRICS_TOKEN")
            .env_remove("GROTIUS_METRICS_ALLOW")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(url) = &db {
            cmd.args(["--database", url]);
        }
        (cmd, format!("http://127.0.0.1:{port}"))
    };

    // A range that is not an address range, and a short token, are refused at start.
    for (args, expect) in [
        (
            vec!["--metrics-allow", "localhost"],
            "\"localhost\" is not an IP address",
        ),
        (
            vec!["--metrics-allow", "10.0.0.0/40"],
            "not a prefix length",
        ),
        (vec!["--metrics-token", "short"], "at least 16 characters"),
    ] {
        let (mut cmd, _) = serve(&args);
        let out = cmd.output().unwrap();
        assert!(
            !out.status.success(),
            "serve {args:?} should refuse to start"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "serve {args:?}: {err}");
    }

    let (mut cmd, base) = serve(&["--metrics-allow", "192.0.2.0/24,198.51.100.0/24"]);
    cmd.env("GROTIUS_METRICS_TOKEN", TOKEN);
    let mut child = cmd.spawn().unwrap();
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "serve did not become healthy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_refused(
        "loopback outside the configured ranges",
        metrics(&base, &[]).await,
    );
    assert_served(
        "the token from GROTIUS_METRICS_TOKEN",
        metrics(&base, &[("authorization", &format!("Bearer {TOKEN}"))]).await,
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
