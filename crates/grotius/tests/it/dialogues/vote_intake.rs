//! Vote intake under load: votes arriving at once through real HTTP are committed together
//! (group commit) yet each is checked, stored, kept in history when changed and audited on its
//! own; a refused vote in a batch refuses only itself; and the groups are recomputed by the node
//! itself, debounced, without anyone pressing Recompute.

use std::sync::Arc;
use std::time::Duration;

use grotius_analysis::dialogue::DialogueResult;
use reqwest::Method;
use serde_json::json;
use sqlx::Row;

use crate::harness::{App, Browser, count, csrf_of};

/// A server whose limits let a test vote freely, recomputing `after` votes land.
async fn app(recompute_after: Option<Duration>) -> App {
    App::spawn_with(
        crate::harness::Instance::seeded().await,
        grotius_web::WebConfig {
            login_attempts_per_minute: 100_000,
            votes_per_minute: 100_000,
            dialogue_recompute_after: recompute_after,
            ..Default::default()
        },
    )
    .await
}

/// A conversation with `statements` seed statements, shown at once; returns (id, link token).
async fn conversation(app: &App, statements: usize) -> (String, String) {
    let coord = app.token("coordinator").await;
    let process = app.process_id(&coord, "South Sudan").await;
    let seeds: Vec<String> = (0..statements)
        .map(|i| format!("Statement number {i} about the road to the villages."))
        .collect();
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/dialogues",
            &coord,
            Some(
                json!({"process_id": process, "topic": "Intake", "languages": ["en"],
                "moderation": "after", "seeds": seeds}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let link = d["participation_link"]
        .as_str()
        .unwrap()
        .trim_start_matches("/p/")
        .to_string();
    (d["id"].as_str().unwrap().to_string(), link)
}

/// `n` participants who opened the link (each its own cookies), with their CSRF tokens.
async fn participants(app: &App, token: &str, n: usize) -> Vec<Arc<(Browser, String)>> {
    let mut people = Vec::with_capacity(n);
    for _ in 0..n {
        let p = Browser::anonymous(&app.base);
        let (s, html) = p.get(&format!("/p/{token}")).await;
        assert_eq!(s, 200, "{html}");
        let csrf = csrf_of(&html).expect("a CSRF token");
        people.push(Arc::new((p, csrf)));
    }
    people
}

/// Posts all `votes` (participant index, statement, vote) at once; returns each answer's
/// status and body, in the same order.
async fn vote_at_once(
    people: &[Arc<(Browser, String)>],
    token: &str,
    votes: &[(usize, String, &'static str)],
) -> Vec<(u16, String)> {
    let mut tasks = Vec::with_capacity(votes.len());
    for (who, statement, vote) in votes {
        let p = people[*who].clone();
        let path = format!("/p/{token}/vote");
        let statement = statement.clone();
        let vote = *vote;
        tasks.push(tokio::spawn(async move {
            let (browser, csrf) = &*p;
            let (s, body, _) = browser
                .post_raw(
                    &path,
                    &[("_csrf", csrf), ("statement", &statement), ("vote", vote)],
                )
                .await;
            (s, body)
        }));
    }
    let mut answers = Vec::with_capacity(tasks.len());
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

async fn audit_count(raw: &sqlx::AnyPool, action: &str, actor: Option<&str>) -> i64 {
    let sql = match actor {
        Some(_) => "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND actor_id = $2",
        None => "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1",
    };
    let mut q = sqlx::query(sql).bind(action.to_string());
    if let Some(a) = actor {
        q = q.bind(a.to_string());
    }
    q.fetch_one(raw).await.unwrap().try_get("n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_votes_are_each_stored_audited_once_and_kept_in_history() {
    let app = app(None).await;
    let (id, token) = conversation(&app, 10).await;
    let people = participants(&app, &token, 20).await;
    // 200 votes at once: 20 participants on 10 statements each.
    let votes: Vec<(usize, String, &'static str)> = (0..20)
        .flat_map(|p| {
            (0..10).map(move |s| {
                (
                    p,
                    s.to_string(),
                    ["agree", "disagree", "pass"][(p * 7 + s) % 3],
                )
            })
        })
        .collect();
    let answers = vote_at_once(&people, &token, &votes).await;
    for (i, (s, body)) in answers.iter().enumerate() {
        assert_eq!(*s, 303, "vote {i}: {body}");
    }
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "dialogue_votes").await, 200);
    assert_eq!(count(&raw, "dialogue_vote_history").await, 0);
    assert_eq!(audit_count(&raw, "dialogue.vote", None).await, 200);
    // Exactly one audit entry per vote, naming its participant and statement.
    let rows = sqlx::query(
        "SELECT actor_id, detail, COUNT(*) AS n FROM audit_log WHERE action = 'dialogue.vote'
         GROUP BY actor_id, detail",
    )
    .fetch_all(&raw)
    .await
    .unwrap();
    assert_eq!(rows.len(), 200);
    assert!(rows.iter().all(|r| r.try_get::<i64, _>("n").unwrap() == 1));
    // Each stored vote is the one posted.
    for (p, s, v) in &votes {
        let stored: i64 = sqlx::query(
            "SELECT vote FROM dialogue_votes WHERE dialogue_id = $1 AND statement = $2 AND participant = $3",
        )
        .bind(id.clone())
        .bind(s.parse::<i64>().unwrap())
        .bind(*p as i64)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("vote")
        .unwrap();
        let expected = match *v {
            "agree" => 1,
            "disagree" => -1,
            _ => 0,
        };
        assert_eq!(stored, expected, "participant {p}, statement {s}");
    }

    // Ten participants change their vote on statement 3, at once: the earlier votes are kept.
    let changes: Vec<(usize, String, &'static str)> =
        (0..10).map(|p| (p, "3".to_string(), "agree")).collect();
    let answers = vote_at_once(&people, &token, &changes).await;
    assert!(answers.iter().all(|(s, _)| *s == 303), "{answers:?}");
    assert_eq!(count(&raw, "dialogue_votes").await, 200);
    assert_eq!(count(&raw, "dialogue_vote_history").await, 10);
    assert_eq!(audit_count(&raw, "dialogue.vote", None).await, 210);

    // One participant changes the same vote twice at once (likely in one batch): both are
    // kept in order — two history rows, and the stored vote is the one audited last.
    let twice = vec![
        (19, "5".to_string(), "agree"),
        (19, "5".to_string(), "disagree"),
    ];
    let answers = vote_at_once(&people, &token, &twice).await;
    assert!(answers.iter().all(|(s, _)| *s == 303), "{answers:?}");
    assert_eq!(count(&raw, "dialogue_votes").await, 200);
    assert_eq!(count(&raw, "dialogue_vote_history").await, 12);
    let last: String = sqlx::query(
        "SELECT detail FROM audit_log WHERE action = 'dialogue.vote' AND actor_id = 'participant:19'
         ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&raw)
    .await
    .unwrap()
    .try_get("detail")
    .unwrap();
    let stored: i64 = sqlx::query(
        "SELECT vote FROM dialogue_votes WHERE dialogue_id = $1 AND participant = 19 AND statement = 5",
    )
    .bind(id.clone())
    .fetch_one(&raw)
    .await
    .unwrap()
    .try_get("vote")
    .unwrap();
    let expected = if last.contains("\"disagree\"") { -1 } else { 1 };
    assert_eq!(stored, expected, "{last}");
    let report = app.instance.store.verify_audit().await.unwrap();
    assert!(report.entries >= 212, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_refuses_only_its_invalid_votes() {
    let app = app(None).await;
    let (_, token) = conversation(&app, 3).await;
    let people = participants(&app, &token, 10).await;
    // Valid and invalid votes interleaved and sent at once, so that they share batches.
    let votes: Vec<(usize, String, &'static str)> = (0..10)
        .flat_map(|p| {
            [
                (p, "1".to_string(), "agree"),
                (p, "99".to_string(), "disagree"),
            ]
        })
        .collect();
    let answers = vote_at_once(&people, &token, &votes).await;
    for ((_, statement, _), (s, body)) in votes.iter().zip(&answers) {
        if statement == "1" {
            assert_eq!(*s, 303, "{body}");
        } else {
            // As a vote on a statement the conversation lacks was refused before the group
            // commit: 404 and the page saying so.
            assert_eq!(*s, 404, "{body}");
            assert!(
                body.contains("That statement is not part of this conversation."),
                "{body}"
            );
        }
    }
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "dialogue_votes").await, 10);
    assert_eq!(audit_count(&raw, "dialogue.vote", None).await, 10);
    let bad: i64 = sqlx::query("SELECT COUNT(*) AS n FROM dialogue_votes WHERE statement <> 1")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(bad, 0);
    app.instance.store.verify_audit().await.unwrap();
}

/// The stored results of a dialogue and when they were computed.
async fn stored_results(raw: &sqlx::AnyPool, id: &str) -> (Option<DialogueResult>, Option<i64>) {
    let r = sqlx::query("SELECT results, computed_at FROM dialogues WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(raw)
        .await
        .unwrap();
    let json: Option<String> = r.try_get("results").unwrap();
    (
        json.map(|j| serde_json::from_str(&j).unwrap()),
        r.try_get("computed_at").unwrap(),
    )
}

/// Waits (up to 30 s) until the stored results count `seen` votes in total.
async fn results_with(raw: &sqlx::AnyPool, id: &str, seen: u32) -> DialogueResult {
    for _ in 0..300 {
        if let (Some(r), _) = stored_results(raw, id).await
            && r.statements.iter().map(|s| s.tally.seen).sum::<u32>() == seen
        {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (r, at) = stored_results(raw, id).await;
    panic!(
        "the stored results never counted {seen} votes: computed at {at:?}, tallies {:?}",
        r.map(|r| r.statements.iter().map(|s| s.tally).collect::<Vec<_>>())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_follow_the_votes_without_anyone_pressing_recompute() {
    let app = app(Some(Duration::from_millis(300))).await;
    let (id, token) = conversation(&app, 4).await;
    let raw = app.instance.raw().await;
    assert_eq!(
        stored_results(&raw, &id).await.1,
        None,
        "nothing computed yet"
    );
    let people = participants(&app, &token, 8).await;
    let votes: Vec<(usize, String, &'static str)> = (0..8)
        .flat_map(|p| {
            (0..4).map(move |s| {
                (
                    p,
                    s.to_string(),
                    if (p + s) % 2 == 0 {
                        "agree"
                    } else {
                        "disagree"
                    },
                )
            })
        })
        .collect();
    let answers = vote_at_once(&people, &token, &votes).await;
    assert!(answers.iter().all(|(s, _)| *s == 303));
    // The node recomputes by itself: the stored results count every vote, per statement.
    let r = results_with(&raw, &id, 32).await;
    assert_eq!(r.columns, 4);
    for s in &r.statements {
        assert_eq!((s.tally.agree, s.tally.disagree, s.tally.seen), (4, 4, 8));
    }
    // Debounced: far fewer recomputations than votes, each audited as the system's.
    let runs = audit_count(&raw, "dialogue.recompute", Some("system:recompute")).await;
    assert!((1..=4).contains(&runs), "{runs} recomputations");
    let (_, first_at) = stored_results(&raw, &id).await;

    // Later votes (a changed one too) are picked up by a later run.
    let more = vec![(0, "1".to_string(), "agree"), (2, "1".to_string(), "agree")];
    let answers = vote_at_once(&people, &token, &more).await;
    assert!(answers.iter().all(|(s, _)| *s == 303));
    for _ in 0..300 {
        let (r, at) = stored_results(&raw, &id).await;
        if at > first_at && r.as_ref().is_some_and(|r| r.statements[1].tally.agree == 6) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (r, _) = stored_results(&raw, &id).await;
    let s1 = &r.unwrap().statements[1].tally;
    assert_eq!((s1.agree, s1.disagree, s1.seen), (6, 2, 8));
    // The team's page shows them as current, not stale.
    let team = app.browser("coordinator").await;
    let (s, page) = team.get(&format!("/dialogues/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        !page.contains("New votes or moderation since the groups were computed."),
        "{page}"
    );
    app.instance.store.verify_audit().await.unwrap();
}
