//! Nothing acknowledged is lost: a server is killed with SIGKILL in the middle of a stream of
//! writes; after a restart every acknowledged write is there and the database is sound.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{PASSWORD, bin, client, fresh_database};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &std::path::Path, db: &Option<String>, port: u16) -> Child {
    let mut cmd = Command::new(bin());
    cmd.args(["serve", "--data"])
        .arg(data)
        .args(["--bind", &format!("127.0.0.1:{port}")]);
    if let Some(url) = db {
        cmd.args(["--database", url]);
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_healthy(base: &str) {
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server at {base} did not become healthy within 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_no_acknowledged_write() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    crate::cli::init_cli(&data, &db);
    let mut add = Command::new(bin());
    add.args(["user", "add", "--data"])
        .arg(&data)
        .args(["writer", "--role", "coordinator", "--clearance", "secret"])
        .env("GROTIUS_USER_PASSWORD", PASSWORD);
    if let Some(url) = &db {
        add.args(["--database", url]);
    }
    assert!(add.status().unwrap().success());

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&data, &db, port);
    wait_healthy(&base).await;
    let c = client();
    let token: Value = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "writer", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();

    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4 {
        let (acked, base, token, c) = (acked.clone(), base.clone(), token.clone(), c.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let title = format!("crash test {w}-{n}");
                let body = json!({"title": title, "phase": "prevention", "tracks": ["II"], "dutch_role": "support",
                                  "status": "active", "classification": "confidential", "notes": format!("note {w}-{n}")});
                match c.post(format!("{base}/api/v1/processes")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status() == 201 => {
                        let v: Value = match r.json().await {
                            Ok(v) => v,
                            Err(_) => return, // killed while the body was in flight: not acknowledged
                        };
                        acked.lock().unwrap().push((v["id"].as_str().unwrap().to_string(), title));
                    }
                    Ok(r) => panic!("unexpected status {} before the kill", r.status()),
                    Err(_) => return,
                }
            }
        }));
    }
    // Let writes stream, then kill without warning.
    let start_t = Instant::now();
    while acked.lock().unwrap().len() < 150 && start_t.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 20,
        "the stream was running when the server died ({} acknowledged)",
        acked.len()
    );

    let mut server = start(&data, &db, port);
    wait_healthy(&base).await;
    let token: Value = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "writer", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap();
    for (id, title) in &acked {
        let r = c
            .get(format!("{base}/api/v1/processes/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged write {id} lost");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["title"].as_str(), Some(title.as_str()));
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let mut verify = Command::new(bin());
    verify.args(["audit", "verify", "--data"]).arg(&data);
    if let Some(url) = &db {
        verify.args(["--database", url]);
    }
    let out = verify.output().unwrap();
    assert!(
        out.status.success(),
        "audit chain after the crash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = grotius_store::Store::open(
        &data,
        db.as_deref(),
        grotius_security::Keyring::load(&data).unwrap(),
    )
    .await
    .unwrap();
    store.integrity_check().await.unwrap();
}
