//! The follow-up around early-warning alerts, through the pages as users use them: records
//! linked to an alert as its answer (shown only to who may read them), the watchlists (the
//! reader's own and the unit's) and the unit's signal thresholds.

use crate::harness::App;
use grotius_domain::early_warning::AlertInput;

fn alert_input(owner: &str) -> AlertInput {
    AlertInput {
        country: "SD".into(),
        signal: "manual".into(),
        as_of: "2024-01".into(),
        title: "Fighting spreads to El Fasher".into(),
        owner: owner.into(),
        deadline: "2099-01-31".into(),
        classification: "internal".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_is_answered_by_linked_records_each_shown_only_to_who_may_read_it() {
    let app = App::spawn().await;
    let coordinator = app.instance.access("coordinator").await;
    let open = coordinator
        .create_process(&crate::harness::process_input(
            "Darfur ceasefire talks",
            "internal",
            None,
        ))
        .await
        .unwrap();
    let hidden = coordinator
        .create_process(&crate::harness::process_input(
            "Back channel to the RSF",
            "secret",
            Some("yemen"),
        ))
        .await
        .unwrap();
    let alert = app
        .instance
        .access("desk-officer")
        .await
        .create_alert(&alert_input("desk-officer"))
        .await
        .unwrap();
    let page = format!("/early-warning/alerts/{}", alert.id);

    // The desk officer's picker offers the process she may read, not the hidden one.
    let desk = app.browser("desk-officer").await;
    let (s, html) = desk.get(&page).await;
    assert_eq!(s, 200);
    assert!(html.contains("Darfur ceasefire talks"), "{html}");
    assert!(!html.contains("Back channel") && !html.contains(&hidden.id));

    // The coordinator links both through the form.
    let coord = app.browser("coordinator").await;
    let (_, html) = coord.get(&page).await;
    assert!(
        html.contains("Back channel to the RSF"),
        "the coordinator may pick it"
    );
    for p in [&open, &hidden] {
        let pick = format!("process:{}", p.id);
        let (s, body, _) = coord
            .post(&format!("{page}/links"), &[("pick", pick.as_str())])
            .await;
        assert_eq!(s, 303, "{body}");
    }
    let (_, html) = coord.get(&page).await;
    assert!(html.contains("Back channel to the RSF") && html.contains("Darfur ceasefire talks"));
    // Linking twice is refused beside the form.
    let pick = format!("process:{}", open.id);
    let (s, body, _) = coord
        .post(&format!("{page}/links"), &[("pick", pick.as_str())])
        .await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("already linked"), "{body}");

    // The desk officer sees the answer she may read; nothing of the hidden one, not its id.
    let (_, html) = desk.get(&page).await;
    let section = &html[html.find("id=\"alert-links\"").unwrap()..];
    assert!(section.contains("Darfur ceasefire talks"));
    assert!(
        !html.contains("Back channel") && !html.contains(&hidden.id),
        "{section}"
    );
    // And she cannot link the hidden process by its id: the same answer as for no process.
    for id in [hidden.id.as_str(), "no-such-process"] {
        let pick = format!("process:{id}");
        let (s, body, _) = desk
            .post(&format!("{page}/links"), &[("pick", pick.as_str())])
            .await;
        assert_eq!(s, 422, "{body}");
        assert!(body.contains("that you may read"), "{body}");
    }
    // Every link is audited on the alert.
    let actions = app.audit_actions(&alert.id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "alert.link").count(),
        2,
        "{actions:?}"
    );
    // Unlinking through the form removes it.
    let record = open.id.clone();
    let (s, _, _) = coord
        .post(
            &format!("{page}/links/remove"),
            &[("kind", "process"), ("record", record.as_str())],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = desk.get(&page).await;
    let section = &html[html.find("id=\"alert-links\"").unwrap()..];
    assert!(!section[..section.find("</section>").unwrap()].contains("href=\"/processes/"));
}

/// The table of watched countries.
fn watched(html: &str) -> String {
    match html.find("id=\"watchlist\"") {
        Some(s) => html[s..s + html[s..].find("</table>").unwrap()].to_string(),
        None => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchlists_are_the_readers_own_and_the_units() {
    let app = App::spawn().await;
    let analyst = app.browser("analyst").await;
    let (s, body, _) = analyst
        .post(
            "/early-warning/watchlist",
            &[
                ("action", "add"),
                ("list", "mine"),
                ("country", "CF"),
                ("note", "Haute-Kotto"),
            ],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    let (s, body, _) = analyst
        .post(
            "/early-warning/watchlist",
            &[("action", "add"), ("list", "unit"), ("country", "SD")],
        )
        .await;
    assert_eq!(s, 303, "{body}");
    let (_, html) = analyst.get("/early-warning/watchlist").await;
    assert!(html.contains("Central African Republic") && html.contains("Haute-Kotto"));
    assert!(html.contains("Sudan"));
    // Another reader sees the unit's list, not the analyst's own.
    let desk = app.browser("desk-officer").await;
    let (_, html) = desk.get("/early-warning/watchlist").await;
    let table = watched(&html);
    assert!(table.contains("Sudan"), "{html}");
    assert!(!table.contains("Haute-Kotto") && !table.contains("Central African Republic"));
    let (_, html) = desk.get("/early-warning").await;
    assert!(
        html.contains("id=\"watched\""),
        "the overview lists the watched countries"
    );
    // Who may not raise alerts may not change the unit's list; a bad country is named.
    let adviser = app.browser("adviser").await;
    let (s, _, _) = adviser
        .post(
            "/early-warning/watchlist",
            &[("action", "add"), ("list", "unit"), ("country", "YE")],
        )
        .await;
    assert_eq!(s, 403);
    let (s, body, _) = analyst
        .post(
            "/early-warning/watchlist",
            &[("action", "add"), ("list", "mine"), ("country", "XX")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        body.contains("'XX' is not an ISO 3166-1 country code"),
        "{body}"
    );
    // Removing from the unit's list.
    let (s, _, _) = desk
        .post(
            "/early-warning/watchlist",
            &[("action", "remove"), ("list", "unit"), ("country", "SD")],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = analyst.get("/early-warning/watchlist").await;
    assert!(!watched(&html).contains(">Sudan<"), "{html}");
    let actions = app.audit_actions("SD").await;
    assert!(
        actions.contains(&"watchlist.add".to_string())
            && actions.contains(&"watchlist.remove".to_string()),
        "{actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_units_thresholds_drive_every_signal_and_bad_values_change_nothing() {
    let app = App::spawn().await;
    let op = app.instance.store.cli_operator();
    let car = std::fs::read(crate::early_warning::CAR).expect("the CAR GED file");
    op.import_events(&car, &mut |_, _| {}).await.unwrap();
    let token = app.token("analyst").await;
    let before = app
        .api(
            reqwest::Method::GET,
            "/api/v1/events/countries",
            &token,
            None,
        )
        .await
        .1;
    assert_eq!(before["params"]["alpha"], 0.05, "{before}");

    // A desk officer may read the thresholds but not set them.
    let desk = app.browser("desk-officer").await;
    let form = [
        ("recent_months", "6"),
        ("baseline_months", "24"),
        ("alpha", "0,01"),
        ("quiet_months", "36"),
    ];
    let (s, _, _) = desk.post("/early-warning/settings", &form).await;
    assert_eq!(s, 403);
    // Out of range: refused with the field named, nothing changed.
    let analyst = app.browser("analyst").await;
    let (s, body, _) = analyst
        .post(
            "/early-warning/settings",
            &[
                ("recent_months", "6"),
                ("baseline_months", "24"),
                ("alpha", "0.9"),
                ("quiet_months", "36"),
            ],
        )
        .await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("alpha"), "{body}");
    let same = app
        .api(
            reqwest::Method::GET,
            "/api/v1/events/countries",
            &token,
            None,
        )
        .await
        .1;
    assert_eq!(same, before);
    // The analyst sets them (Dutch decimal comma accepted); the API and pages use them.
    let (s, body, _) = analyst.post("/early-warning/settings", &form).await;
    assert_eq!(s, 303, "{body}");
    let after = app
        .api(
            reqwest::Method::GET,
            "/api/v1/events/countries",
            &token,
            None,
        )
        .await
        .1;
    assert_eq!(after["params"]["recent_months"], 6, "{after}");
    assert_eq!(after["params"]["alpha"], 0.01, "{after}");
    // The recent window is now six months: compare with a count made here from the raw rows.
    let cf = after["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["country"] == "CF")
        .unwrap();
    let as_of = after["as_of"].as_str().unwrap().to_string();
    let (y, m): (i64, i64) = (as_of[..4].parse().unwrap(), as_of[5..].parse().unwrap());
    let start = y * 12 + m - 1 - 5;
    let from = format!("{:04}-{:02}", start / 12, start % 12 + 1);
    let raw = app.instance.raw().await;
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query(
            "SELECT COUNT(*) AS n FROM conflict_events WHERE country = 'CF' AND violence > 0 AND month >= $1 AND month <= $2",
        )
        .bind(&from)
        .bind(&as_of)
        .fetch_one(&raw)
        .await
        .unwrap(),
        "n",
    )
    .unwrap();
    assert_eq!(cf["recent"], n, "{cf}");
    let (_, html) = analyst.get("/early-warning").await;
    assert!(
        html.contains("0.01"),
        "the method on the page shows the unit's alpha"
    );
    assert!(
        app.audit_actions("")
            .await
            .contains(&"signal-settings.update".to_string())
    );
}
