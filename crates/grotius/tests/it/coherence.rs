//! Our work per country (`Access::presence`) and the coherence view: counts equal an
//! independent count over the records each reader may read, and hidden records change nothing
//! in any other reader's page, table or download.

use std::collections::BTreeMap;

use grotius_domain::{Action, Resource, ResourceKind};
use grotius_store::{Access, PresenceFilter};
use sqlx::Row;

use crate::harness::{App, Instance};

/// (line, country) → count, computed here from the raw tables: the kind's Read right from the
/// policy, then the labels checked by hand (classification up to the clearance, no compartment
/// or one of the reader's).
async fn independent(i: &Instance, a: &Access) -> BTreeMap<(&'static str, String), i64> {
    let raw = i.raw().await;
    let s = a.subject();
    let visible = |class: i64, comp: Option<String>| {
        class <= s.clearance.level()
            && comp.is_none_or(|c| s.compartments.iter().any(|x| x.as_str() == c))
    };
    let mut out = BTreeMap::new();
    let lines: [(&str, ResourceKind, &str); 5] = [
        (
            "processes",
            ResourceKind::Process,
            "SELECT countries, classification, compartment_id, 1 AS n FROM processes",
        ),
        (
            "grants",
            ResourceKind::FundApplication,
            "SELECT countries, classification, compartment_id, 1 AS n FROM fund_applications WHERE state IN ('approved', 'closed')",
        ),
        (
            "grants_eur",
            ResourceKind::FundApplication,
            "SELECT countries, classification, compartment_id, amount_eur AS n FROM fund_applications WHERE state IN ('approved', 'closed')",
        ),
        (
            "incidents",
            ResourceKind::Incident,
            "SELECT '[\"' || country || '\"]' AS countries, classification, compartment_id, 1 AS n FROM incidents WHERE country IS NOT NULL",
        ),
        (
            "documents",
            ResourceKind::Document,
            "SELECT countries, classification, compartment_id, 1 AS n FROM documents",
        ),
    ];
    for (line, kind, sql) in lines {
        if !a.may(Action::Read, Resource::kind(kind)) {
            continue;
        }
        for r in sqlx::query(sql).fetch_all(&raw).await.unwrap() {
            let class: i64 = r.try_get("classification").unwrap();
            let comp: Option<String> = r.try_get("compartment_id").unwrap();
            if !visible(class, comp) {
                continue;
            }
            let n: i64 = r.try_get("n").unwrap();
            let countries: Vec<String> =
                serde_json::from_str(&r.try_get::<String, _>("countries").unwrap()).unwrap();
            for c in countries {
                *out.entry((line, c)).or_insert(0) += n;
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_work_per_country_equals_an_independent_count_for_every_reader() {
    let i = Instance::demo().await;
    for reader in [
        "coordinator",
        "desk-officer",
        "analyst",
        "fund-officer",
        "fund-approver",
        "documenter",
        "adviser",
    ] {
        let a = i.access(reader).await;
        let expected = independent(&i, &a).await;
        let p = a.presence(&PresenceFilter::default()).await.unwrap();
        let mut got = BTreeMap::new();
        for (c, w) in &p.countries {
            for (line, v) in [
                ("processes", w.processes),
                ("grants", w.grants),
                ("grants_eur", w.grants_eur_cents),
                ("incidents", w.incidents),
                ("documents", w.documents),
            ] {
                if let Some(n) = v.filter(|n| *n > 0) {
                    got.insert((line, c.clone()), n);
                }
            }
        }
        assert_eq!(got, expected, "{reader}");
        // A kind the reader may not read is absent, not zero.
        assert_eq!(
            p.readable.incidents.is_some(),
            a.may(Action::Read, Resource::kind(ResourceKind::Incident)),
            "{reader}"
        );
    }
    // The demo has work to count: the coordinator sees processes and grants in Sudan.
    let p = i
        .access("coordinator")
        .await
        .presence(&PresenceFilter {
            country: Some("SD".into()),
            theme: None,
        })
        .await
        .unwrap();
    let sd = p.of("SD");
    assert!(
        sd.processes.unwrap() > 0 && sd.grants.unwrap() > 0,
        "{sd:?}"
    );
    assert_eq!(p.countries.len(), 1, "one country asked, one answered");
    // A bad filter names its field.
    let err = i
        .access("coordinator")
        .await
        .presence(&PresenceFilter {
            country: None,
            theme: Some("sports".into()),
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("theme"), "{err}");
}

/// What a reader sees of our work: the coherence page's table, its CSV, a country page's section.
async fn answers(app: &App, reader: &str) -> Vec<String> {
    let b = app.browser(reader).await;
    let mut out = Vec::new();
    for path in [
        "/early-warning/coherence",
        "/early-warning/coherence?theme=wps",
        "/early-warning/coherence?region=Africa&sort=grants",
        "/countries/CF",
        "/countries/SD",
    ] {
        let (status, html) = b.get(path).await;
        assert_eq!(status, 200, "{reader} {path}: {html}");
        let part = match (
            html.find("<table id=\"coherence\""),
            html.find("id=\"our-work\""),
        ) {
            (Some(s), _) => html[s..s + html[s..].find("</table>").unwrap()].to_string(),
            (None, Some(s)) => html[s..s + html[s..].find("</section>").unwrap()].to_string(),
            (None, None) => html.clone(),
        };
        out.push(part);
    }
    let (status, csv) = b.get("/early-warning/coherence?format=csv").await;
    if status == 200 {
        out.push(csv);
    } else {
        out.push(format!("status {status}"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_work_changes_nothing_in_another_readers_coherence_view_and_country_pages() {
    let config = grotius_web::WebConfig {
        login_attempts_per_minute: 100_000,
        ..Default::default()
    };
    let app = App::spawn_with(Instance::demo().await, config).await;
    let readers = [
        "analyst",
        "desk-officer",
        "fund-officer",
        "fund-approver",
        "adviser",
    ];
    let mut before = Vec::new();
    for r in readers {
        before.push(answers(&app, r).await);
    }
    // The analyst's coherence view has the CAR events and our Sudan work.
    assert!(
        before[0][0].contains("Central African Republic"),
        "{}",
        before[0][0]
    );
    assert!(before[0][0].contains("Sudan"), "{}", before[0][0]);

    // Hidden work in CAR and Sudan: a secret process in the yemen compartment, a confidential
    // one in europe-east, a secret incident in the evidence compartment, and an approved grant moved
    // into a compartment by copying a visible one.
    let coordinator = app.instance.access("coordinator").await;
    for (title, classification, compartment) in [
        ("Hidden CAR channel", "secret", "yemen"),
        ("Hidden CAR track", "confidential", "europe-east"),
    ] {
        coordinator
            .create_process(&grotius_domain::process::ProcessInput {
                countries: vec!["CF".into(), "SD".into()],
                themes: vec!["wps".into()],
                ..crate::harness::process_input(title, classification, Some(compartment))
            })
            .await
            .unwrap();
    }
    let documenter = app.instance.access("documenter").await;
    documenter
        .create_incident(&grotius_domain::incident::IncidentInput {
            country: Some("CF".into()),
            ..crate::incidents::sample_input("evidence-sudan", "secret")
        })
        .await
        .unwrap();
    copy_grant_into_compartment(&app.instance, "yemen").await;

    for (r, was) in readers.iter().zip(&before) {
        let now = answers(&app, r).await;
        for (k, (a, b)) in was.iter().zip(&now).enumerate() {
            assert_eq!(a, b, "{r}: answer {k} changed");
        }
    }
    // The coordinator, who may read the hidden processes, sees them counted in CAR.
    let p = coordinator
        .presence(&PresenceFilter {
            country: Some("CF".into()),
            theme: None,
        })
        .await
        .unwrap();
    assert!(p.of("CF").processes.unwrap() >= 2, "{p:?}");
}

/// Copies an approved grant (any row) with a new id and reference into `compartment`, secret.
async fn copy_grant_into_compartment(i: &Instance, compartment: &str) {
    let raw = i.raw().await;
    let row = sqlx::query(
        "SELECT * FROM fund_applications WHERE state = 'approved' AND compartment_id IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(&raw)
    .await
    .expect("the demo has an approved grant");
    let columns: Vec<String> = row
        .columns()
        .iter()
        .map(|c| sqlx::Column::name(c).to_string())
        .collect();
    let id: String = row.try_get("id").unwrap();
    let select: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => "'hidden-grant-1'".to_string(),
            "reference" => "'MF-HIDDEN-1'".to_string(),
            "classification" => "3".to_string(),
            "compartment_id" => format!("'{compartment}'"),
            "countries" => "'[\"CF\",\"SD\"]'".to_string(),
            other => other.to_string(),
        })
        .collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO fund_applications ({}) SELECT {} FROM fund_applications WHERE id = $1",
        columns.join(", "),
        select.join(", ")
    )))
    .bind(&id)
    .execute(&raw)
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_countries_and_coherence_tables_download_with_the_numbers_of_the_pages() {
    let app = App::spawn().await;
    let op = app.instance.store.cli_operator();
    let car = std::fs::read(crate::early_warning::CAR).expect("the CAR GED file");
    op.import_events(&car, &mut |_, _| {}).await.unwrap();
    op.import_events(crate::early_warning::ONE_EVENT.as_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    let token = app.token("analyst").await;
    let api = app
        .api(
            reqwest::Method::GET,
            "/api/v1/events/countries",
            &token,
            None,
        )
        .await
        .1;
    let b = app.browser("analyst").await;
    let (s, csv) = b.get("/early-warning?format=csv").await;
    assert_eq!(s, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("country,region,signal,recent_events"),
        "{csv}"
    );
    for c in api["countries"].as_array().unwrap() {
        let code = c["country"].as_str().unwrap();
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{code},")))
            .unwrap_or_else(|| panic!("{code} in {csv}"));
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[3], c["recent"].to_string(), "{line}");
        assert_eq!(cells[8], c["events"].to_string(), "{line}");
    }
    let (_, hxl) = b.get("/early-warning?format=hxl&region=Africa").await;
    assert!(
        hxl.lines().nth(1).unwrap().starts_with("#country+code"),
        "{hxl}"
    );
    assert_eq!(hxl.lines().count(), 2 + 2, "CF and SD are in Africa: {hxl}");
    let (_, europe) = b.get("/early-warning?format=csv&region=Europe").await;
    assert_eq!(europe.lines().count(), 1, "only the header: {europe}");
    let (s, coh) = b.get("/early-warning/coherence?format=csv").await;
    assert_eq!(s, 200);
    assert!(coh.lines().any(|l| l.starts_with("CF,Africa,")), "{coh}");
    let (s, body) = b.get("/early-warning?format=pdf").await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("csv, xlsx or hxl"), "{body}");
    let exports = app
        .audit_actions("")
        .await
        .into_iter()
        .filter(|a| a == "conflict-event.export")
        .count();
    assert_eq!(exports, 4, "every download is audited");
}
