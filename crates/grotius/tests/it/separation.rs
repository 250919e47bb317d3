//! Mediation and evidence apart: no path gives a user of one side a compartment of the other
//! without a recorded decision, asked by an administrator and approved by someone else who
//! answers for the target side and belongs to the compartment.

use grotius_domain::Role;
use grotius_store::{NewUser, StoreError, UserUpdate};
use reqwest::Method;
use serde_json::json;
use sqlx::Row;

use crate::harness::{App, Instance, count};

async fn audit_actions(i: &Instance, kind: &str) -> Vec<(String, String)> {
    let pool = i.raw().await;
    sqlx::query("SELECT action, actor_name FROM audit_log WHERE resource_kind = $1 AND outcome = 'ok' ORDER BY seq")
        .bind(kind)
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("action"), r.get::<String, _>("actor_name")))
        .collect()
}

#[tokio::test]
async fn no_ordinary_membership_or_role_change_spans_both_sides() {
    let i = Instance::seeded().await;
    let admin = i.access("admin").await;
    let op = i.store.cli_operator();
    let analyst = op.find_user_id("analyst").await.unwrap();
    let custodian = op.find_user_id("custodian").await.unwrap();
    let pool = i.raw().await;
    let before = count(&pool, "memberships").await;

    // A mediation analyst into the evidence compartment: an administrator does not grant
    // memberships at all (she proposes them), and the operator's path refuses the crossing.
    let e = admin
        .add_member("evidence-sudan", &analyst, "needs the incidents")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e:?}");
    for who in [&op] {
        let e = who
            .add_member("evidence-sudan", &analyst, "needs the incidents")
            .await
            .unwrap_err();
        match e {
            StoreError::Conflict(m) => {
                assert!(m.contains("evidence") && m.contains("custodian"), "{m}")
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    // The custodian into a mediation compartment.
    let e = op
        .add_member("horn-of-africa", &custodian, "advice on amnesty clauses")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    // Roles of both sides on one account, new or changed.
    let e = admin
        .create_user(&NewUser {
            username: "both-sides".into(),
            display_name: "Both Sides".into(),
            password: "a long enough passphrase 42".into(),
            roles: vec![Role::Coordinator, Role::Custodian],
            clearance: grotius_domain::Classification::Secret,
            organisation: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let e = admin
        .update_user(
            &analyst,
            &UserUpdate {
                roles: Some(vec![Role::Analyst, Role::Documenter]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    // A fund officer (neither side) with a mediation compartment may not take an evidence one
    // as an ordinary member either.
    let fund = op.find_user_id("fund-officer").await.unwrap();
    op.add_member("horn-of-africa", &fund, "grant files of the Sudan track")
        .await
        .unwrap();
    let e = op
        .add_member("evidence-sudan", &fund, "checking evidence budgets")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    // An evidence user into another evidence compartment is ordinary.
    admin
        .create_compartment(
            "evidence-yemen",
            "Evidence: Yemen",
            "",
            grotius_domain::separation::WorkDomain::Evidence,
        )
        .await
        .unwrap();
    op.add_member("evidence-yemen", &custodian, "keeps the Yemen vault")
        .await
        .unwrap();
    assert_eq!(count(&pool, "memberships").await, before + 2);
    assert!(
        i.access("analyst")
            .await
            .subject()
            .compartments
            .iter()
            .all(|c| c.as_str() != "evidence-sudan")
    );
}

#[tokio::test]
async fn a_crossing_is_asked_by_an_admin_and_approved_by_another_of_the_target_side() {
    let app = App::spawn().await;
    let i = &app.instance;
    let op = i.store.cli_operator();
    let analyst = op.find_user_id("analyst").await.unwrap();
    let admin = app.token("admin").await;
    let custodian = app.token("custodian").await;
    let coordinator = app.token("coordinator").await;
    let analyst_token = app.token("analyst").await;

    // Asking needs a reason that says something, and only administrators ask.
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/access-decisions",
            &admin,
            Some(json!({"user_id": analyst, "compartment": "evidence-sudan", "reason": "need"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let ask = json!({"user_id": analyst, "compartment": "evidence-sudan",
        "reason": "Early-warning analysis needs verified incident dates in North Darfur"});
    let (s, _) = app
        .api(
            Method::POST,
            "/api/v1/access-decisions",
            &coordinator,
            Some(ask.clone()),
        )
        .await;
    assert_eq!(s, 403);
    // No decision is taken for someone who is already a member.
    let documenter = op.find_user_id("documenter").await.unwrap();
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/access-decisions",
            &admin,
            Some(json!({"user_id": documenter, "compartment": "evidence-sudan", "reason": "already on the evidence side"})),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/access-decisions",
            &admin,
            Some(ask.clone()),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["status"], "requested");
    assert_eq!(d["domain"], "evidence");
    let id = d["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .api(Method::POST, "/api/v1/access-decisions", &admin, Some(ask))
        .await;
    assert_eq!(s, 409, "a second open request for the same pair");

    // The analyst may not even see the record; the coordinator (the other side) may not decide.
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/access-decisions/{id}"),
            &analyst_token,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let decide = |approve: bool| json!({"approve": approve, "note": "Approved for three months, read only."});
    let path = format!("/api/v1/access-decisions/{id}/decision");
    // The coordinator answers for the other side: she does not even see the request.
    let (s, v) = app
        .api(Method::POST, &path, &coordinator, Some(decide(true)))
        .await;
    assert_eq!(s, 404, "{v}");
    let (s, _) = app
        .api(Method::POST, &path, &admin, Some(decide(true)))
        .await;
    assert_eq!(s, 403, "the one who asks does not decide");
    assert!(
        !i.access("analyst")
            .await
            .subject()
            .compartments
            .iter()
            .any(|c| c.as_str() == "evidence-sudan"),
        "nothing granted before the decision"
    );

    // The custodian approves: the membership exists, tied to the decision, and every step is audited.
    let (s, v) = app
        .api(Method::POST, &path, &custodian, Some(decide(true)))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "approved");
    assert_eq!(v["decided_by"], "custodian");
    let (s, _) = app
        .api(Method::POST, &path, &custodian, Some(decide(false)))
        .await;
    assert_eq!(s, 422, "a decision is taken once");
    assert!(
        i.access("analyst")
            .await
            .subject()
            .compartments
            .iter()
            .any(|c| c.as_str() == "evidence-sudan")
    );
    let pool = i.raw().await;
    let row = sqlx::query(
        "SELECT decision_id, granted_by FROM memberships WHERE user_id = $1 AND compartment_id = 'evidence-sudan'",
    )
    .bind(&analyst)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        row.get::<Option<String>, _>("decision_id").as_deref(),
        Some(id.as_str())
    );
    assert_eq!(row.get::<String, _>("granted_by"), "custodian");
    assert_eq!(
        audit_actions(i, "access-decision").await,
        vec![
            ("access-decision.request".to_string(), "admin".to_string()),
            (
                "access-decision.approve".to_string(),
                "custodian".to_string()
            ),
        ]
    );
    assert!(audit_actions(i, "compartment").await.contains(&(
        "compartment.member-add".to_string(),
        "custodian".to_string()
    )));

    // A refused request grants nothing.
    let desk = op.find_user_id("desk-officer").await.unwrap();
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/access-decisions",
            &admin,
            Some(json!({"user_id": desk, "compartment": "evidence-sudan", "reason": "Curious about the El Fasher file"})),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let (s, v) = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/access-decisions/{}/decision",
                d["id"].as_str().unwrap()
            ),
            &custodian,
            Some(json!({"approve": false, "note": "No need to know; ask the legal adviser."})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "refused");
    assert!(
        !i.access("desk-officer")
            .await
            .subject()
            .compartments
            .iter()
            .any(|c| c.as_str() == "evidence-sudan")
    );

    // The page lists both for the custodian; the analyst gets 404.
    let b = app.browser("custodian").await;
    let (s, html) = b.get("/access-decisions").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("North Darfur") && html.contains("El Fasher"),
        "{html}"
    );
    let b = app.browser("analyst").await;
    let (s, _) = b.get("/access-decisions").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn incidents_stay_on_the_evidence_side_even_for_a_user_let_across() {
    let i = Instance::seeded().await;
    let op = i.store.cli_operator();
    let custodian_id = op.find_user_id("custodian").await.unwrap();
    // The custodian is let into a mediation compartment by a decision of the coordinator...
    let d = i
        .access("admin")
        .await
        .request_access_decision(
            &custodian_id,
            "horn-of-africa",
            "Needs the talks' calendar to plan witness interviews safely",
        )
        .await
        .unwrap();
    i.access("coordinator")
        .await
        .decide_access(&d.id, true, "Approved, calendar only, three months")
        .await
        .unwrap();
    let custodian = i.access("custodian").await;
    assert!(
        custodian
            .subject()
            .compartments
            .iter()
            .any(|c| c.as_str() == "horn-of-africa")
    );
    let pool = i.raw().await;
    let before = count(&pool, "incidents").await;
    // ...but may not file an incident in it: incidents belong on the evidence side.
    let e = custodian
        .create_incident(&crate::incidents::sample_input(
            "horn-of-africa",
            "confidential",
        ))
        .await
        .unwrap_err();
    match e {
        StoreError::Invalid(d) => assert!(d.to_string().contains("evidence side"), "{d}"),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(count(&pool, "incidents").await, before);
    // In the evidence compartment it is filed.
    custodian
        .create_incident(&crate::incidents::sample_input(
            "evidence-sudan",
            "confidential",
        ))
        .await
        .unwrap();
    assert_eq!(count(&pool, "incidents").await, before + 1);
}
