//! `grotius bench votes`: vote intake of a large consultation through HTTP — participants join
//! at `/p/{token}` (the page a phone opens), then concurrent participants post the no-JS vote
//! form (CSRF double-submit cookie, participant cookie, each vote durable with its audit entry,
//! committed in the node's group commit) while the node recomputes the groups by itself,
//! debounced. Beside it, in the
//! same run: bare SQLite through sqlx with the store's pragmas, one INSERT per committed
//! transaction, the same number of concurrent writers — the durability ceiling of the machine.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use grotius_domain::dialogue::{ModerationMode, NewDialogue};
use grotius_domain::{Classification, Labels, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The debounce of the automatic recomputation during the bench (the default of a node).
const RECOMPUTE_AFTER: Duration = Duration::from_secs(3);

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// One HTTP/1.1 exchange on a kept-alive connection; returns the status and the headers.
async fn exchange(conn: &mut TcpStream, request: &[u8]) -> Result<(u16, String)> {
    conn.write_all(request).await?;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut have = buf.len() - head_end - 4;
    while have < length {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection mid-body");
        }
        have += n;
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    Ok((status, head))
}

fn cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .find_map(|l| {
            let kv = l.split_once(':')?.1.trim().split(';').next()?;
            let (k, v) = kv.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// A participant as the bench drives them: the two cookies of the participation page.
struct Participant {
    secret: String,
    pre: String,
}

pub async fn votes(
    participants: usize,
    statements: usize,
    seconds: f64,
    concurrency: usize,
    database: Option<&str>,
) -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data)?;
    let ring = grotius_security::create_instance_keys(&data)?;
    let store = grotius_store::Store::open(&data, database, ring).await?;
    let op = store.cli_operator();
    let user = op
        .create_user(&grotius_store::NewUser {
            username: "bench-coordinator".into(),
            display_name: "Bench coordinator".into(),
            password: "bench-password-2026".into(),
            roles: vec![Role::Coordinator],
            clearance: Classification::Secret,
            organisation: None,
        })
        .await?;
    let team = store
        .cli_act_as(&user.id)
        .await?
        .context("the bench coordinator")?;
    let process = team
        .create_process(&grotius_domain::process::ProcessInput {
            title: "Bench: a national consultation".into(),
            summary: "Vote intake benchmark".into(),
            countries: vec!["SD".into()],
            phase: "armed-conflict".into(),
            tracks: vec!["III".into()],
            dutch_role: "support".into(),
            status: "active".into(),
            classification: "internal".into(),
            ..Default::default()
        })
        .await?;
    let d = team
        .create_dialogue(
            NewDialogue {
                process_id: process.id.clone(),
                topic: "Bench consultation".into(),
                description: String::new(),
                languages: vec!["en".into(), "ar".into()],
                opens_at: None,
                closes_at: None,
                moderation: ModerationMode::After,
                seeds: (0..statements)
                    .map(|i| format!("Bench statement number {i} on the priorities for peace."))
                    .collect(),
                invitation_only: false,
                attributes: Vec::new(),
            },
            Labels {
                classification: Classification::Internal,
                compartment: None,
            },
        )
        .await?;
    let token = d.link_token.clone().context("a participation link")?;

    // The server with the rate limits raised (the bench is one address).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = grotius_web::WebConfig {
        votes_per_minute: 100_000_000,
        dialogue_recompute_after: Some(RECOMPUTE_AFTER),
        ..Default::default()
    };
    let server = tokio::spawn(grotius_web::serve(
        listener,
        grotius_web::AppState::new(store.clone(), config),
        async move {
            let _ = stopped.await;
        },
    ));

    // Joining: the participation page, as a phone first opens it.
    let t = Instant::now();
    let mut people = Vec::with_capacity(participants);
    let mut conn = TcpStream::connect(addr).await?;
    conn.set_nodelay(true)?;
    let get = format!("GET /p/{token} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    for _ in 0..participants {
        let (status, head) = exchange(&mut conn, get.as_bytes()).await?;
        if status != 200 {
            bail!("joining answered {status}");
        }
        people.push(Participant {
            secret: cookie(&head, "grotius_participant").context("a participant cookie")?,
            pre: cookie(&head, "grotius_pre").context("a CSRF cookie")?,
        });
    }
    let join_secs = t.elapsed().as_secs_f64();
    println!(
        "vote intake: {participants} participants joined through GET /p/{{token}} in {join_secs:.1} s ({:.0}/s, one connection)",
        participants as f64 / join_secs
    );

    // Recomputation meanwhile: the node's own, automatic and debounced (`RECOMPUTE_AFTER`);
    // the bench only watches the stored results' time, as the team's results page would.
    let running = Arc::new(AtomicBool::new(true));
    let watcher = {
        let running = running.clone();
        let team = team.clone();
        let id = d.id.clone();
        tokio::spawn(async move {
            let mut seen: Vec<i64> = Vec::new();
            let mut lag_max = 0.0f64;
            while running.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if let Ok(d) = team.get_dialogue(&id).await
                    && let Some(at) = d.computed_at
                {
                    if !seen.contains(&at) {
                        seen.push(at);
                    }
                    let lag = (grotius_security::now_micros() - at) as f64 / 1e6;
                    if seen.len() > 1 {
                        lag_max = lag_max.max(lag);
                    }
                }
            }
            (seen.len(), lag_max)
        })
    };

    // Votes: `concurrency` clients, each with its own kept-alive connection and its share of
    // the participants, each participant voting on the statements in order.
    let people = Arc::new(people);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..concurrency {
        let people = people.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = TcpStream::connect(addr).await?;
            conn.set_nodelay(true)?;
            let mut lat = Vec::new();
            'all: for s in 0..statements {
                for p in (k..people.len()).step_by(concurrency) {
                    if Instant::now() >= deadline {
                        break 'all;
                    }
                    let who = &people[p];
                    let vote = ["agree", "disagree", "pass"][(p * 7 + s * 3) % 3];
                    let body = format!("_csrf={}&statement={s}&vote={vote}", who.pre);
                    let req = format!(
                        "POST /p/{token}/vote HTTP/1.1\r\nHost: {addr}\r\nCookie: grotius_pre={}; grotius_participant={}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                        who.pre,
                        who.secret,
                        body.len()
                    );
                    let t = Instant::now();
                    let (status, _) = exchange(&mut conn, req.as_bytes()).await?;
                    if status != 303 {
                        bail!("a vote answered {status}");
                    }
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut lat = Vec::new();
    for task in tasks {
        lat.extend(task.await??);
    }
    let secs = t.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    let (recomputes, lag_max) = watcher.await?;
    lat.sort_by(f64::total_cmp);
    let stored = team.get_dialogue(&d.id).await?.votes;
    if stored != lat.len() as i64 {
        bail!("{} votes answered 303 but {stored} are stored", lat.len());
    }
    let backend = if database.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let ours = lat.len() as f64 / secs;
    println!(
        "grotius POST /p/{{token}}/vote ({backend}, durable, audited, {concurrency} clients): {} votes in {secs:.1} s = {ours:.0} votes/s; latency p50 {:.1} ms, p99 {:.1} ms; {recomputes} automatic recomputations seen meanwhile (debounced {} s; stored results at most {lag_max:.1} s old once running); all {stored} stored",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        RECOMPUTE_AFTER.as_secs_f64(),
    );
    let (batches, committed) = store.vote_batches();
    println!(
        "group commit: {committed} votes in {batches} write transactions ({:.1} votes per commit on average)",
        committed as f64 / batches.max(1) as f64
    );
    let _ = stop.send(());
    let _ = server.await;

    if database.is_none() {
        let bare = bare_sqlite(&tmp.path().join("bare.db"), seconds, concurrency).await?;
        println!(
            "bare SQLite (sqlx, WAL, synchronous=FULL, one INSERT per committed transaction, {concurrency} writers): {bare:.0} inserts/s; grotius / bare = {:.2}",
            ours / bare
        );
    }
    Ok(())
}

/// Inserts votes one committed transaction each, from `writers` tasks, for `seconds`.
async fn bare_sqlite(path: &std::path::Path, seconds: f64, writers: usize) -> Result<f64> {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(writers.clamp(1, 8) as u32)
        .connect_with(opts)
        .await?;
    sqlx::query(
        "CREATE TABLE votes (dialogue_id TEXT NOT NULL, participant INTEGER NOT NULL, statement INTEGER NOT NULL,
         vote INTEGER NOT NULL, voted_at INTEGER, PRIMARY KEY (dialogue_id, participant, statement))",
    )
    .execute(&pool)
    .await?;
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..writers {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0i64;
            while Instant::now() < deadline {
                let mut tx = pool.begin().await?;
                sqlx::query("INSERT INTO votes VALUES ('bench', $1, $2, 1, 0)")
                    .bind(k as i64)
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                n += 1;
            }
            Ok::<_, anyhow::Error>(n)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total as f64 / t.elapsed().as_secs_f64())
}
