//! Who decides need to know. No one grants herself a membership, a clearance or a role; an
//! administrator proposes a membership, the compartment's steward (a member holding the approver
//! role of its side: the coordinator for mediation, the custodian for evidence) decides, and every
//! change is audited with who decided. And the two sides apart: evidence roles read no mediation
//! records, and the access decisions of one side are not shown to the other.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::{App, count};

async fn member_of(app: &App, username: &str, compartment: &str) -> bool {
    app.instance
        .access(username)
        .await
        .subject()
        .compartments
        .iter()
        .any(|c| c.as_str() == compartment)
}

async fn secret_yemen_process(app: &App, coord: &str) -> String {
    let (s, p) = app
        .api(
            Method::POST,
            "/api/v1/processes",
            coord,
            Some(
                json!({"title": "Back channel", "countries": ["YE"], "phase": "negotiation",
                "tracks": ["I"], "dutch_role": "support", "status": "active", "themes": [],
                "summary": "Secret", "classification": "secret", "compartment": "yemen"}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_grants_herself_nothing_on_any_path() {
    let app = App::spawn().await;
    let admin = app.token("admin").await;
    let coord = app.token("coordinator").await;
    let op = app.instance.store.cli_operator();
    let admin_id = op.find_user_id("admin").await.unwrap();
    let desk_id = op.find_user_id("desk-officer").await.unwrap();
    let secret = secret_yemen_process(&app, &coord).await;
    let pool = app.instance.raw().await;
    let memberships = count(&pool, "memberships").await;

    // The API: herself, or anyone else — an administrator does not decide who needs to know.
    for who in [&admin_id, &desk_id] {
        let (s, v) = app
            .api(
                Method::POST,
                "/api/v1/compartments/yemen/members",
                &admin,
                Some(json!({"user_id": who, "reason": "I need to read the Yemen file"})),
            )
            .await;
        assert_eq!(s, 403, "{v}");
    }
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{secret}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(s, 404, "still hidden from the administrator");
    // The UI form.
    let b = app.browser("admin").await;
    let (s, html, _) = b
        .post(
            "/admin/compartments/yemen/members",
            &[
                ("user_id", admin_id.as_str()),
                ("reason", "I need to read it"),
            ],
        )
        .await;
    assert!(s == 403 || s == 422, "{s}: {html}");
    assert!(html.contains("herself"), "the form names the rule: {html}");
    assert_eq!(count(&pool, "memberships").await, memberships);
    // The compartment page offers an administrator no form she may not use: it points her to
    // proposing an access decision.
    let (s, html) = b.get("/admin/compartments/yemen").await;
    assert_eq!(s, 200, "{html}");
    assert!(!html.contains("id=\"member-add\""), "{html}");
    assert!(
        html.contains("id=\"member-propose\"") && html.contains("href=\"/access-decisions\""),
        "{html}"
    );
    assert!(!member_of(&app, "admin", "yemen").await);

    // Roles and clearance: not for herself. A second administrator with internal clearance.
    let (s, v) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/users/{admin_id}"),
            &admin,
            Some(json!({"roles": ["admin", "coordinator"]})),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    let admin2_id = app
        .create(
            "/api/v1/users",
            &admin,
            json!({"username": "admin2", "display_name": "Second Admin",
                "password": crate::harness::PASSWORD, "roles": ["admin"], "clearance": "internal"}),
        )
        .await;
    let admin2 = app.token("admin2").await;
    let (s, v) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/users/{admin2_id}"),
            &admin2,
            Some(json!({"clearance": "secret"})),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    // Another administrator may raise it (vetting is done by someone else).
    let (s, v) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/users/{admin2_id}"),
            &admin,
            Some(json!({"clearance": "confidential"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // Lowering one's own clearance or dropping a role is no grant.
    let (s, v) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/users/{admin2_id}"),
            &admin2,
            Some(json!({"clearance": "internal"})),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // The audit log records the refused attempts.
    let denied: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'compartment.member-add' AND outcome = 'denied'",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .get("n");
    assert!(denied >= 3, "{denied}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_proposes_and_the_steward_decides_a_membership() {
    let app = App::spawn().await;
    let admin = app.token("admin").await;
    let coord = app.token("coordinator").await;
    let desk = app.token("desk-officer").await;
    let custodian = app.token("custodian").await;
    let op = app.instance.store.cli_operator();
    let desk_id = op.find_user_id("desk-officer").await.unwrap();
    let coord_id = op.find_user_id("coordinator").await.unwrap();
    let secret = secret_yemen_process(&app, &coord).await;

    // The administrator proposes the desk officer for yemen (the desk officer's own side).
    let (s, d) = app
        .api(
            Method::POST,
            "/api/v1/access-decisions",
            &admin,
            Some(json!({"user_id": desk_id, "compartment": "yemen",
                "reason": "Covers the Yemen desk during the envoy's leave"})),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let path = format!(
        "/api/v1/access-decisions/{}/decision",
        d["id"].as_str().unwrap()
    );
    let note = json!({"approve": true, "note": "Approved for the leave period, three months."});
    // Not the one who asked, not the one it is about, not the other side's approver.
    for (who, expected) in [(&admin, 403), (&desk, 404), (&custodian, 404)] {
        let (s, v) = app.api(Method::POST, &path, who, Some(note.clone())).await;
        assert_eq!(s, expected, "{v}");
    }
    assert!(!member_of(&app, "desk-officer", "yemen").await);
    // The coordinator, a member of yemen, decides.
    let (s, v) = app
        .api(Method::POST, &path, &coord, Some(note.clone()))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(member_of(&app, "desk-officer", "yemen").await);
    let pool = app.instance.raw().await;
    let row = sqlx::query(
        "SELECT granted_by, decision_id FROM memberships WHERE user_id = $1 AND compartment_id = 'yemen'",
    )
    .bind(&desk_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("granted_by"), "coordinator");
    assert!(
        row.get::<Option<String>, _>("decision_id").is_none(),
        "a membership on one's own side is ordinary (it counts for the side)"
    );
    let detail: String = sqlx::query(
        "SELECT detail FROM audit_log WHERE action = 'compartment.member-add' AND resource_id = 'yemen' AND outcome = 'ok' ORDER BY seq DESC",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .get("detail");
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["decided_by"], "coordinator", "{detail}");
    assert_eq!(detail["user_id"], desk_id.as_str());
    // The desk officer (confidential) still does not read the secret process: clearance holds.
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{secret}"),
            &desk,
            None,
        )
        .await;
    assert_eq!(s, 404);

    // The steward adds another directly, but never herself.
    let analyst_id = op.find_user_id("analyst").await.unwrap();
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/compartments/latam/members",
            &coord,
            Some(json!({"user_id": analyst_id, "reason": "Colombia desk analysis"})),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/compartments/latam/members",
            &coord,
            Some(json!({"user_id": coord_id, "reason": "myself"})),
        )
        .await;
    assert_eq!(s, 403, "{v}");
    // A member without the steward's role does not decide either.
    let (s, v) = app
        .api(
            Method::POST,
            "/api/v1/compartments/horn-of-africa/members",
            &desk,
            Some(json!({"user_id": analyst_id, "reason": "Sudan analysis"})),
        )
        .await;
    assert_eq!(s, 403, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_roles_read_no_mediation_records_and_decisions_stay_on_their_side() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let admin = app.token("admin").await;
    let word = "plimsovantic";
    // An internal process in no compartment, with an actor: mediation records every mediation
    // role of the unit reads.
    let process = app
        .create(
            "/api/v1/processes",
            &coord,
            json!({"title": format!("{word} talks"), "countries": ["SD"], "phase": "negotiation",
                "tracks": ["I"], "dutch_role": "support", "status": "active", "themes": ["water"],
                "summary": word, "classification": "internal"}),
        )
        .await;
    let actor = app
        .create(
            "/api/v1/actors",
            &coord,
            json!({"name": format!("{word} envoy"), "kind": "person", "category": "mediator",
                "country": "SD", "description": word, "classification": "public"}),
        )
        .await;

    for role in ["documenter", "custodian", "legal-adviser"] {
        let t = app.token(role).await;
        for path in [
            "/api/v1/processes".to_string(),
            format!("/api/v1/processes/{process}"),
            format!("/api/v1/processes/{process}/engagements"),
            format!("/api/v1/processes/{process}/participation"),
            format!("/api/v1/processes/{process}/debriefs"),
            format!("/api/v1/processes/{process}/analyses"),
            "/api/v1/actors".to_string(),
            format!("/api/v1/actors/{actor}"),
            "/api/v1/network/brokers".to_string(),
            "/api/v1/participation/summary".to_string(),
            "/api/v1/lessons/search".to_string(),
        ] {
            let (s, v) = app.api(Method::GET, &path, &t, None).await;
            assert_eq!(s, 404, "{role} {path}: {v}");
        }
        let (s, r) = app
            .api(Method::GET, &format!("/api/v1/search?q={word}"), &t, None)
            .await;
        assert_eq!(s, 200);
        assert_eq!(r["total"], 0, "{role}: {r}");
        assert_eq!(r["facets"]["kind"], json!({}), "{role}: {r}");
        let (s, r) = app
            .api(Method::GET, "/api/v1/search?limit=100", &t, None)
            .await;
        assert_eq!(s, 200);
        for kind in ["process", "engagement", "actor", "debrief"] {
            assert!(
                r["facets"]["kind"].get(kind).is_none(),
                "{role} {kind}: {r}"
            );
        }
        let b = app.browser(role).await;
        for path in [
            "/processes".to_string(),
            format!("/processes/{process}"),
            "/network".into(),
        ] {
            let (s, _) = b.get(&path).await;
            assert_eq!(s, 404, "{role} {path}");
        }
    }

    // Access decisions: one of each side, each with its reason.
    let op = app.instance.store.cli_operator();
    let desk_id = op.find_user_id("desk-officer").await.unwrap();
    let analyst_id = op.find_user_id("analyst").await.unwrap();
    let mediation_reason = "Covers the Yemen desk during the envoy's leave period";
    let evidence_reason = "Needs verified incident dates from the Darfur vault files";
    let mut ids = Vec::new();
    for (user, compartment, reason) in [
        (&desk_id, "yemen", mediation_reason),
        (&analyst_id, "evidence-sudan", evidence_reason),
    ] {
        let (s, d) = app
            .api(
                Method::POST,
                "/api/v1/access-decisions",
                &admin,
                Some(json!({"user_id": user, "compartment": compartment, "reason": reason})),
            )
            .await;
        assert_eq!(s, 201, "{d}");
        ids.push(d["id"].as_str().unwrap().to_string());
    }
    let custodian = app.token("custodian").await;
    for (token, browser, own, other, other_id) in [
        (
            &coord,
            "coordinator",
            mediation_reason,
            evidence_reason,
            &ids[1],
        ),
        (
            &custodian,
            "custodian",
            evidence_reason,
            mediation_reason,
            &ids[0],
        ),
    ] {
        let (s, list) = app
            .api(Method::GET, "/api/v1/access-decisions", token, None)
            .await;
        assert_eq!(s, 200, "{list}");
        let text = list.to_string();
        assert!(text.contains(own), "{browser}: {text}");
        assert!(
            !text.contains(other) && !text.contains(other_id.as_str()),
            "{browser}: {text}"
        );
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/v1/access-decisions/{other_id}"),
                token,
                None,
            )
            .await;
        assert_eq!(s, 404, "{browser}");
        let b = app.browser(browser).await;
        let (s, html) = b.get("/access-decisions").await;
        assert_eq!(s, 200);
        assert!(html.contains(own) && !html.contains(other), "{browser}");
    }
    // Who asks and who audits see both.
    for role in ["admin", "auditor"] {
        let t = app.token(role).await;
        let (s, list) = app
            .api(Method::GET, "/api/v1/access-decisions", &t, None)
            .await;
        assert_eq!(s, 200, "{role}");
        let text = list.to_string();
        assert!(
            text.contains(mediation_reason) && text.contains(evidence_reason),
            "{role}"
        );
    }
}
