//! Nothing acknowledged is lost: a server is killed with SIGKILL in the middle of a stream of
//! writes; after a restart every acknowledged write is there and the database is sound.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{PASSWORD, bin, client, free_port, fresh_database};

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

/// Votes go through the group commit (one transaction for the votes of a few milliseconds):
/// still, no vote answered 303 is lost when the server dies mid-stream, and each stored vote
/// has its one audit entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_vote_stream_loses_no_acknowledged_vote() {
    let db = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("inst");
    crate::cli::init_cli(&data, &db);
    let mut add = Command::new(bin());
    add.args(["user", "add", "--data"])
        .arg(&data)
        .args(["coord", "--role", "coordinator", "--clearance", "secret"])
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
        .json(&json!({"username": "coord", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let process: Value = c
        .post(format!("{base}/api/v1/processes"))
        .bearer_auth(&token)
        .json(
            &json!({"title": "Consultation", "phase": "prevention", "tracks": ["III"],
            "dutch_role": "support", "status": "active", "classification": "internal"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seeds: Vec<String> = (0..40).map(|i| format!("Statement {i}.")).collect();
    let dialogue: Value = c
        .post(format!("{base}/api/v1/dialogues"))
        .bearer_auth(&token)
        .json(
            &json!({"process_id": process["id"], "topic": "Crash", "languages": ["en"],
            "seeds": seeds}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dialogue_id = dialogue["id"].as_str().unwrap().to_string();
    let link = dialogue["participation_link"].as_str().unwrap().to_string();

    // Eight participants, joined one after the other (numbers 0 to 7), voting at once.
    let acked: Arc<Mutex<Vec<(i64, i64)>>> = Arc::default();
    let mut voters = Vec::new();
    for p in 0..8i64 {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let html = browser
            .get(format!("{base}{link}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::harness::csrf_of(&html).unwrap();
        let (acked, base, link) = (acked.clone(), base.clone(), link.clone());
        voters.push(tokio::spawn(async move {
            for s in 0..40i64 {
                let vote = ["agree", "disagree", "pass"][((p + s) % 3) as usize];
                let form = [
                    ("_csrf", csrf.as_str()),
                    ("statement", &s.to_string()),
                    ("vote", vote),
                ];
                match browser
                    .post(format!("{base}{link}/vote"))
                    .form(&form)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 303 => acked.lock().unwrap().push((p, s)),
                    Ok(r) => panic!("unexpected status {} before the kill", r.status()),
                    Err(_) => return,
                }
            }
        }));
    }
    let start_t = Instant::now();
    while acked.lock().unwrap().len() < 100 && start_t.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for v in voters {
        v.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 20,
        "the votes were streaming when the server died ({} acknowledged)",
        acked.len()
    );

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
    let url = match &db {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", grotius_store::sqlite_path(&data).display()),
    };
    let raw = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    use sqlx::Row;
    for (p, s) in &acked {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM dialogue_votes WHERE dialogue_id = $1 AND participant = $2 AND statement = $3",
        )
        .bind(dialogue_id.clone())
        .bind(*p)
        .bind(*s)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        assert_eq!(n, 1, "acknowledged vote of participant {p} on {s} lost");
    }
    let stored: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dialogue_votes")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    let audited: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'dialogue.vote'")
            .fetch_one(&raw)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(stored, audited, "each stored vote has its one audit entry");
    raw.close().await;
}
