//! Several app nodes, one truth: two `grotius serve` processes on one PostgreSQL database and
//! one S3 object store (Garage), behind a real HAProxy balancing round robin. Everything goes
//! through the balancer; HAProxy names the node that answered (`X-Served-By`).
//!
//! Needs `GROTIUS_TEST_DATABASE_URL` (PostgreSQL), `GROTIUS_TEST_BLOBS` with the `AWS_*`
//! variables (`.ci/garage.sh`) and `haproxy` (Debian's package). `.ci/run` provides all three
//! in its PostgreSQL step; there, a missing one fails the test instead of skipping it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::*;

const HAPROXY: &str = "/usr/sbin/haproxy";

/// A `grotius serve` process with its own data directory (search index, audit anchor) and the
/// instance's shared key directory, database and object store.
struct Node {
    name: &'static str,
    port: u16,
    data: tempfile::TempDir,
    child: Option<Child>,
}

impl Node {
    fn start(&mut self, i: &Instance) {
        let child = Command::new(bin())
            .args(["serve", "--data"])
            .arg(self.data.path())
            .arg("--keys")
            .arg(i.data())
            .args(i.database_args())
            .args(["--bind", &format!("127.0.0.1:{}", self.port)])
            // HAProxy connects from 127.0.0.2 (its `source`): only its X-Forwarded-For counts.
            .args(["--trusted-proxy", "127.0.0.2/32"])
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(self.data.path().join("node.log")).unwrap(),
            ))
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    async fn wait_up(&self) {
        let c = client();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = c
                .get(format!("http://127.0.0.1:{}/healthz", self.port))
                .send()
                .await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "node {} did not answer within 60 s: {}",
                self.name,
                std::fs::read_to_string(self.data.path().join("node.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// kill -9: nothing is flushed, nothing is said goodbye to.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Balancer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// HAProxy in front of the nodes: round robin, health checks every 300 ms, a request whose
/// node refuses the connection is sent to another one. It connects to the nodes from
/// 127.0.0.2 and appends the client's address (127.0.0.1) to `X-Forwarded-For`.
fn balancer(nodes: &[&Node]) -> Balancer {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let servers: String = nodes
        .iter()
        .map(|n| {
            format!(
                "    server {} 127.0.0.1:{} check inter 300ms fall 1 rise 1\n",
                n.name, n.port
            )
        })
        .collect();
    let cfg = format!(
        "global\n    maxconn 256\n\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 120s\n    timeout server 120s\n    retries 3\n    option redispatch\n    retry-on conn-failure empty-response\n\n\
         frontend app\n    bind 127.0.0.1:{port}\n    default_backend nodes\n\n\
         backend nodes\n    balance roundrobin\n    option httpchk GET /healthz\n    option forwardfor\n    source 127.0.0.2\n    http-response set-header X-Served-By %s\n{servers}"
    );
    let path = dir.path().join("haproxy.cfg");
    std::fs::write(&path, cfg).unwrap();
    let check = Command::new(HAPROXY)
        .arg("-c")
        .arg("-f")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "haproxy refuses the configuration: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = Command::new(HAPROXY)
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Balancer {
        child,
        port,
        _dir: dir,
    }
}

/// Whether the test can run here; in CI's PostgreSQL step it must.
fn runnable() -> bool {
    let missing: Vec<&str> = [
        (
            pg_base_url().is_none(),
            "GROTIUS_TEST_DATABASE_URL (PostgreSQL)",
        ),
        (
            test_blobs().is_none(),
            "GROTIUS_TEST_BLOBS and AWS_* (an S3 object store: .ci/garage.sh)",
        ),
        (
            !Path::new(HAPROXY).exists(),
            "haproxy (apt-get install haproxy)",
        ),
    ]
    .into_iter()
    .filter_map(|(m, what)| m.then_some(what))
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none() || pg_base_url().is_none(),
        "the multi-node test needs {}: .ci/run provides them in its PostgreSQL step",
        missing.join(", ")
    );
    eprintln!("NOT RUN: the multi-node test needs {}", missing.join(", "));
    false
}

struct Through {
    base: String,
    client: reqwest::Client,
    token: String,
}

impl Through {
    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, String, Value) {
        let r = req.bearer_auth(&self.token).send().await.unwrap();
        let status = r.status().as_u16();
        let node = r
            .headers()
            .get("x-served-by")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
            .to_string();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            node,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

#[tokio::test]
async fn two_nodes_behind_a_balancer_share_records_uploads_and_files() {
    if !runnable() {
        return;
    }
    let i = Instance::seeded().await;
    i.store.close().await;
    let mut a = Node {
        name: "a",
        port: free_port(),
        data: tempfile::tempdir().unwrap(),
        child: None,
    };
    let mut b = Node {
        name: "b",
        port: free_port(),
        data: tempfile::tempdir().unwrap(),
        child: None,
    };
    a.start(&i);
    b.start(&i);
    a.wait_up().await;
    b.wait_up().await;
    let lb = balancer(&[&a, &b]);
    let base = format!("http://127.0.0.1:{}", lb.port);
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "haproxy did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Log in through the balancer; the token works whichever node answers.
    let login = |user: &'static str| {
        let c = c.clone();
        let base = base.clone();
        async move {
            let r = c
                .post(format!("{base}/api/v1/auth/token"))
                .json(&json!({"username": user, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "token for {user}");
            r.json::<Value>().await.unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let doc = Through {
        base: base.clone(),
        client: c.clone(),
        token: login("documenter").await,
    };
    let mut seen = BTreeSet::new();
    for _ in 0..4 {
        let (s, node, me) = doc.send(c.get(doc.url("/api/v1/me"))).await;
        assert_eq!(s, 200, "{me}");
        seen.insert(node);
    }
    assert_eq!(
        seen,
        BTreeSet::from(["a".to_string(), "b".to_string()]),
        "round robin reaches both nodes with one token"
    );

    // A 200 MB evidence file in four parts; the node that took the first part is killed.
    const TOTAL: usize = 200 * 1024 * 1024;
    let data: Vec<u8> = (0..TOTAL)
        .map(|n| (n as u64).wrapping_mul(2_654_435_761).rotate_right(13) as u8)
        .collect();
    let (s, _, up) = doc
        .send(
            c.post(doc.url("/api/v1/evidence/uploads"))
                .header("Upload-Length", TOTAL.to_string()),
        )
        .await;
    assert_eq!(s, 201, "{up}");
    let id = up["id"].as_str().unwrap().to_string();
    let part = TOTAL / 4;
    let patch = |offset: usize, bytes: Vec<u8>| {
        c.patch(doc.url(&format!("/api/v1/evidence/uploads/{id}")))
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(bytes)
    };
    let (s, first_node, v) = doc.send(patch(0, data[..part].to_vec())).await;
    assert_eq!(s, 204, "{v}");
    match first_node.as_str() {
        "a" => a.kill(),
        "b" => b.kill(),
        other => panic!("the first part was answered by {other:?}"),
    }
    // The survivor knows the offset from the object store.
    let (s, node, _) = doc
        .send(c.head(doc.url(&format!("/api/v1/evidence/uploads/{id}"))))
        .await;
    assert_eq!(s, 200);
    assert_ne!(node, first_node, "the killed node cannot answer");
    let r = c
        .head(doc.url(&format!("/api/v1/evidence/uploads/{id}")))
        .bearer_auth(&doc.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["upload-offset"], part.to_string().as_str());
    // The second part goes to the survivor; then the killed node comes back and the last
    // parts are spread over both.
    let (s, _, v) = doc.send(patch(part, data[part..2 * part].to_vec())).await;
    assert_eq!(s, 204, "{v}");
    if first_node == "a" {
        a.start(&i);
        a.wait_up().await;
    } else {
        b.start(&i);
        b.wait_up().await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await; // HAProxy's health check sees it
    let mut part_nodes = BTreeSet::new();
    for k in 2..4 {
        let (s, node, v) = doc
            .send(patch(k * part, data[k * part..(k + 1) * part].to_vec()))
            .await;
        assert_eq!(s, 204, "part {k}: {v}");
        part_nodes.insert(node);
    }
    assert_eq!(
        part_nodes.len(),
        2,
        "the last two parts landed on both nodes"
    );
    let (s, _, v) = doc
        .send(
            c.post(doc.url(&format!("/api/v1/evidence/uploads/{id}/complete")))
                .json(&json!({"title": "Checkpoint video", "captured_at": "2026-02-01T08:00:00Z", "collector": "Field team",
                    "method": "video-recording", "original_name": "checkpoint.mp4", "classification": "confidential",
                    "compartment": "evidence-sudan", "capture_tool": "camera", "capture_tool_version": "1",
                    "source_url": "https://example.org/v"})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let item = v["item"]["id"].as_str().unwrap().to_string();
    let want = {
        let mut h = grotius_security::ContentHasher::new();
        h.update(&data);
        h.hex()
    };
    assert_eq!(v["item"]["sha256"], want.as_str());

    // Both nodes serve the file, whole and verified.
    let cus = Through {
        base: base.clone(),
        client: c.clone(),
        token: login("custodian").await,
    };
    let mut served = BTreeSet::new();
    for _ in 0..2 {
        let r = cus
            .client
            .get(cus.url(&format!("/api/v1/evidence/{item}/content")))
            .bearer_auth(&cus.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        served.insert(r.headers()["x-served-by"].to_str().unwrap().to_string());
        let body = r.bytes().await.unwrap();
        let mut h = grotius_security::ContentHasher::new();
        h.update(&body);
        assert_eq!(h.hex(), want, "the downloaded file is the uploaded one");
    }
    assert_eq!(served.len(), 2, "both nodes served the download");

    // A record created through one node is found by search on the other.
    let coord = Through {
        base: base.clone(),
        client: c.clone(),
        token: login("coordinator").await,
    };
    let (s, created_on, p) = coord
        .send(c.post(coord.url("/api/v1/processes")).json(&json!({
            "title": "Zanzibar corridor talks", "phase": "negotiation", "tracks": ["II"],
            "dutch_role": "support", "status": "active", "classification": "internal"})))
        .await;
    assert_eq!(s, 201, "{p}");
    let mut found_on = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while found_on.len() < 2 {
        let (s, node, r) = coord
            .send(c.get(coord.url("/api/v1/search?q=zanzibar")))
            .await;
        assert_eq!(s, 200, "{r}");
        if r["total"].as_u64().unwrap_or(0) >= 1 {
            found_on.insert(node);
        }
        assert!(
            Instant::now() < deadline,
            "created on {created_on}, found only on {found_on:?} after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A browser session: signed in through one node, its pages and a form with its CSRF token
    // answered by whichever node the balancer picks.
    let web = Browser::anonymous(&base)
        .login("coordinator", PASSWORD)
        .await;
    let mut page_nodes = BTreeSet::new();
    for _ in 0..4 {
        let r = web
            .client
            .get(format!("{base}/processes"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        page_nodes.insert(r.headers()["x-served-by"].to_str().unwrap().to_string());
        assert!(r.text().await.unwrap().contains("Zanzibar corridor talks"));
    }
    assert_eq!(page_nodes.len(), 2, "the session holds on both nodes");
    for title in ["Form through one node", "Form through the other node"] {
        let (s, body, loc) = web
            .post(
                "/processes",
                &[
                    ("title", title),
                    ("phase", "crisis"),
                    ("tracks", "II"),
                    ("dutch_role", "support"),
                    ("status", "active"),
                    ("classification", "internal"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{title}: {body}");
        assert!(loc.unwrap().starts_with("/processes/"));
    }

    // Sign-in limits are shared by the nodes and count the client's own address, which a
    // forged X-Forwarded-For does not change (the balancer appends the real one).
    let mut refused = None;
    for n in 1..=25 {
        let r = c
            .post(format!("{base}/api/v1/auth/token"))
            .header("X-Forwarded-For", format!("198.51.100.{n}"))
            .json(&json!({"username": "nobody-here", "password": "wrong-password-123"}))
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            refused = Some(n);
            break;
        }
        assert_eq!(r.status(), 401, "attempt {n}");
    }
    let refused = refused.expect("20 attempts a minute per client address, over both nodes");
    assert!(
        refused > 15,
        "the budget is the client's (refused at attempt {refused})"
    );
    // Another client behind the same balancer keeps its own budget.
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 3]))
        .build()
        .unwrap();
    let r = other
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "auditor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a client at another address signs in while 127.0.0.1 is refused"
    );

    // Afterwards every verifier finds the instance intact.
    a.kill();
    b.kill();
    drop(lb);
    for what in ["audit", "evidence", "fund"] {
        let (code, text) = cli_verify(&i, what);
        assert_eq!(code, 0, "{what} verify: {text}");
    }
}
