//! Peace agreements (PA-X): the full real file (2,003 agreements × 267 columns, quoted line
//! breaks), facet counts, idempotent re-import, malformed files that change nothing, the API,
//! the comparison and its DOCX export, import jobs, and that counts never include what the
//! reader may not see.

use std::io::Read;
use std::time::Duration;

use grotius_store::{AgreementFilter, PaxReport};
use reqwest::Method;
use serde_json::Value;
use sqlx::Row;

use crate::harness::{App, Instance, count};

const PAX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/pax/pax_all_agreements_data_v6.csv"
);

fn full_file() -> Vec<u8> {
    std::fs::read(PAX).unwrap_or_else(|e| {
        panic!("the PA-X file {PAX} is required by this test and is missing: {e}")
    })
}

fn sample() -> &'static [u8] {
    grotius::demo::agreements::SAMPLE
}

/// The records of a CSV (header first), as the csv crate reads them.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn facets(list: &[&str]) -> AgreementFilter {
    AgreementFilter {
        facets: list.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

async fn changes(i: &Instance) -> i64 {
    let pool = i.raw().await;
    sqlx::query("SELECT COUNT(*) AS n FROM change_feed WHERE resource_kind = 'agreement'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// One test for the whole real file: counts, facets, round trip, idempotence, an update.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_full_pax_file_imports_with_its_facet_counts_and_reimports_idempotently() {
    let i = Instance::seeded().await;
    let analyst = i.access("analyst").await;
    let bytes = full_file();
    let mut calls = Vec::new();
    let r = analyst
        .import_agreements(&bytes, &mut |done, total| calls.push((done, total)))
        .await
        .unwrap();
    assert!(
        r.committed(),
        "{:?}",
        &r.problems[..r.problems.len().min(5)]
    );
    assert_eq!(
        (r.records, r.inserted, r.updated, r.unchanged),
        (2003, 2003, 0, 0)
    );
    assert_eq!(
        calls.last(),
        Some(&(2003, 2003)),
        "progress reaches the end"
    );
    assert!(
        calls.len() >= 10,
        "progress is reported in steps: {calls:?}"
    );
    assert!(
        r.unmapped
            .iter()
            .any(|(n, c)| n == "Yugoslavia (former)" && *c == 211),
        "unmapped names are reported: {:?}",
        r.unmapped
    );
    assert_eq!(
        changes(&i).await,
        2003,
        "one change-feed entry per agreement"
    );

    // Facet counts, as filters and as counts.
    let all = analyst
        .list_agreements(&AgreementFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!((all.total, all.all), (2003, 2003));
    let c = |code: &str| {
        all.facets
            .provisions
            .iter()
            .find(|f| f.value == code)
            .unwrap()
            .count
    };
    assert_eq!((c("women"), c("water"), c("human-rights")), (421, 200, 584));
    for (facet, n) in [("women", 421), ("water", 200), ("human-rights", 584)] {
        let r = analyst
            .list_agreements(&facets(&[facet]), 500, 0)
            .await
            .unwrap();
        assert_eq!(r.total, n, "{facet}");
        assert_eq!(r.items.len(), 500.min(n as usize));
        assert!(r.items.iter().all(|a| a.data.facets.get(facet)));
    }
    // Combined facets and counts follow the filter; years and countries too.
    let both = analyst
        .list_agreements(&facets(&["women", "water"]), 10, 0)
        .await
        .unwrap();
    let raw = records(&bytes);
    let col = |name: &str| {
        raw[0]
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (gw, wat, dat) = (col("GeWom"), col("Wat"), col("Dat"));
    let expect = raw[1..]
        .iter()
        .filter(|r| r[gw] == "1" && r[wat] == "1")
        .count() as i64;
    assert_eq!(both.total, expect);
    let since_2015 = analyst
        .list_agreements(
            &AgreementFilter {
                year_from: Some(2015),
                year_to: Some(2020),
                facets: vec!["water".into()],
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    let expect = raw[1..]
        .iter()
        .filter(|r| r[wat] == "1" && ("2015".."2021").contains(&&r[dat][..4]))
        .count() as i64;
    assert_eq!(since_2015.total, expect);
    assert_eq!(
        since_2015.facets.years.iter().map(|y| y.count).sum::<i64>(),
        expect
    );
    let sudan = analyst
        .list_agreements(
            &AgreementFilter {
                country: Some("SD".into()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    let con = col("Con");
    let expect = raw[1..]
        .iter()
        .filter(|r| {
            grotius_domain::agreement::map_countries(&r[con])
                .0
                .contains(&"SD".to_string())
        })
        .count() as i64;
    assert_eq!(sudan.total, expect);
    assert!(
        sudan.total > 100,
        "Sudan has many agreements: {}",
        sudan.total
    );

    // A record with line breaks inside a quoted cell round-trips exactly.
    let (part, id) = (col("Part"), col("AgtId"));
    let multi = raw[1..]
        .iter()
        .find(|r| r[part].contains("\r\n") && r[part].lines().count() > 5)
        .expect("PA-X has multi-line party lists");
    let a = analyst.get_agreement(&multi[id]).await.unwrap();
    assert_eq!(a.data.parties, multi[part]);
    assert_eq!(a.data.name, multi[col("Agt")].trim());
    let by_uuid = analyst.get_agreement(&a.id).await.unwrap();
    assert_eq!(by_uuid.data.pax_id.to_string(), multi[id]);

    // Importing the same file again changes nothing, and says so.
    let before = i.raw().await;
    let stamp: i64 = sqlx::query("SELECT MAX(updated_at) AS m FROM agreements")
        .fetch_one(&before)
        .await
        .unwrap()
        .try_get("m")
        .unwrap();
    let again = analyst
        .import_agreements(&bytes, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (again.inserted, again.updated, again.unchanged),
        (0, 0, 2003)
    );
    assert_eq!(
        changes(&i).await,
        2003,
        "no change-feed entries for unchanged rows"
    );
    let stamp2: i64 = sqlx::query("SELECT MAX(updated_at) AS m FROM agreements")
        .fetch_one(&before)
        .await
        .unwrap()
        .try_get("m")
        .unwrap();
    assert_eq!(stamp, stamp2);
    assert_eq!(count(&before, "agreements").await, 2003);

    // One changed cell updates that agreement only.
    let mut rows = raw.clone();
    let k = rows.iter().position(|r| r[id] == multi[id]).unwrap();
    rows[k][wat] = if rows[k][wat] == "1" {
        "0".into()
    } else {
        "1".into()
    };
    let changed = analyst
        .import_agreements(&write_csv(&rows), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (changed.inserted, changed.updated, changed.unchanged),
        (0, 1, 2002)
    );
    assert_eq!(changes(&i).await, 2004);
    let a2 = analyst.get_agreement(&multi[id]).await.unwrap();
    assert_ne!(a.data.facets.water, a2.data.facets.water);
    assert_eq!(a2.id, a.id, "the same record, updated in place");
    let audit: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'agreement.import' AND outcome = 'ok'",
    )
    .fetch_one(&before)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert!(audit >= 12, "every batch is audited ({audit})");
}

fn problems(r: &PaxReport) -> Vec<(usize, String)> {
    r.problems
        .iter()
        .map(|p| (p.row, p.column.clone()))
        .collect()
}

#[tokio::test]
async fn malformed_files_name_row_and_column_and_change_nothing() {
    let i = Instance::seeded().await;
    let admin = i.access("admin").await;
    let first = admin
        .import_agreements(sample(), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(first.inserted, 100);
    let pool = i.raw().await;
    let snapshot = || async {
        let rows =
            sqlx::query("SELECT pax_id, source_hash, updated_at FROM agreements ORDER BY pax_id")
                .fetch_all(&pool)
                .await
                .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get::<i64, _>("pax_id").unwrap(),
                    r.try_get::<String, _>("source_hash").unwrap(),
                    r.try_get::<i64, _>("updated_at").unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = snapshot().await;
    let feed = changes(&i).await;
    let raw = records(sample());
    let col = |name: &str| raw[0].iter().position(|h| h == name).unwrap();

    // A bad date on the fifth record (row 6), and a changed row elsewhere that must not land.
    let mut rows = raw.clone();
    rows[5][col("Dat")] = "2011-02-30".into();
    rows[7][col("Agt")] = "Changed name".into();
    let r = admin
        .import_agreements(&write_csv(&rows), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(problems(&r), vec![(6, "Dat".to_string())]);
    assert!(
        r.problems[0].message.contains("2011-02-30"),
        "{:?}",
        r.problems
    );

    // A row with a column too many, and one with a provision outside 0–3.
    let mut rows = raw.clone();
    rows[3].push("extra".into());
    rows[9][col("Wat")] = "x".into();
    let r = admin
        .import_agreements(&write_csv(&rows), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        problems(&r),
        vec![
            (4, format!("column {}", raw[0].len() + 1)),
            (10, "Wat".to_string())
        ]
    );

    // A file cut off in the middle of its last record (inside a quoted cell).
    let mut bytes = write_csv(&raw);
    let last_start = {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let name = &raw[raw.len() - 1][col("Agt")];
        text.rfind(name.as_str()).unwrap()
    };
    bytes.truncate(last_start + 10);
    let r = admin
        .import_agreements(&bytes, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].row, raw.len(), "the last record");
    assert!(
        r.problems[0].message.contains("truncated"),
        "{:?}",
        r.problems
    );
    assert!(!r.problems[0].column.is_empty());

    // A header without AgtId; a duplicate AgtId.
    let r = admin
        .import_agreements(
            b"Con,Reg,Agt,Dat,Stage,Agtp\nSudan,Africa (excl MENA),A,2001-01-01,Pre,Intra\n",
            &mut |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(problems(&r), vec![(1, "AgtId".to_string())]);
    let mut rows = raw.clone();
    rows[2][col("AgtId")] = rows[1][col("AgtId")].clone();
    let r = admin
        .import_agreements(&write_csv(&rows), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(problems(&r), vec![(3, "AgtId".to_string())]);

    assert_eq!(snapshot().await, before, "nothing changed");
    assert_eq!(changes(&i).await, feed);
    let failed: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'agreement.import' AND outcome = 'failed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(failed, 5);

    // Those who may not import cannot, and learn nothing more.
    let desk = i.access("desk-officer").await;
    assert!(matches!(
        desk.import_agreements(sample(), &mut |_, _| {}).await,
        Err(grotius_store::StoreError::Forbidden(_))
    ));
    let partner = i.access("partner").await;
    assert!(matches!(
        partner.import_agreements(sample(), &mut |_, _| {}).await,
        Err(grotius_store::StoreError::NotFound)
    ));
}

#[tokio::test]
async fn the_cli_imports_pax_and_a_second_import_changes_nothing() {
    let i = Instance::new().await;
    let path = i.data().join("pax-sample.csv");
    std::fs::write(&path, sample()).unwrap();
    let data = i.data().to_str().unwrap().to_string();
    let file = path.to_str().unwrap().to_string();
    let args = ["import", "pax", file.as_str(), "--data", data.as_str()];
    let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("100 agreements read: 100 new, 0 updated, 0 unchanged"),
        "{out}"
    );
    assert!(out.contains("writing agreements: 100/100"), "{out}");
    assert!(out.contains("PA-X Peace Agreements Database v6"), "{out}");
    let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("nothing changed"), "{out}");
    // A bad file: exit 1, row and column named.
    let mut rows = records(sample());
    let dat = rows[0].iter().position(|h| h == "Dat").unwrap();
    rows[3][dat] = "03/04/2005".into();
    std::fs::write(&path, write_csv(&rows)).unwrap();
    let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("row 4, column Dat"), "{out}");
    assert!(out.contains("nothing imported"), "{out}");
    assert_eq!(count(&i.raw().await, "agreements").await, 100);
}

async fn wait_for_job(app: &App, token: &str, id: &str) -> Value {
    for _ in 0..200 {
        let (s, j) = app
            .api(
                Method::GET,
                &format!("/api/v1/agreements/imports/{id}"),
                token,
                None,
            )
            .await;
        assert_eq!(s, 200, "{j}");
        if j["status"] != "running" {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import job {id} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_pages_comparison_docx_and_jobs() {
    let app = App::spawn().await;
    let analyst = app.token("analyst").await;
    let desk = app.token("desk-officer").await;
    let partner = app.token("partner").await;

    // The import as a job, through the API, with the sample.
    let r = app
        .client
        .post(app.url("/api/v1/agreements/import"))
        .bearer_auth(&analyst)
        .header("content-type", "text/csv")
        .body(sample().to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let job: Value = r.json().await.unwrap();
    let done = wait_for_job(&app, &analyst, job["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["report"]["inserted"], 100);
    assert_eq!(done["rows_done"], 100);

    // A malformed file through the API: the job fails, names row and column, changes nothing.
    let mut rows = records(sample());
    let dat = rows[0].iter().position(|h| h == "Dat").unwrap();
    rows[2][dat] = "soon".into();
    let r = app
        .client
        .post(app.url("/api/v1/agreements/import"))
        .bearer_auth(&analyst)
        .header("content-type", "text/csv")
        .body(write_csv(&rows))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let job: Value = r.json().await.unwrap();
    let failed = wait_for_job(&app, &analyst, job["id"].as_str().unwrap()).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["report"]["problems"][0]["row"], 3);
    assert_eq!(failed["report"]["problems"][0]["column"], "Dat");

    // The list: facets and counts equal the file's.
    let raw = records(sample());
    let col = |name: &str| raw[0].iter().position(|h| h == name).unwrap();
    let women = raw[1..].iter().filter(|r| r[col("GeWom")] == "1").count() as i64;
    let (s, list) = app
        .api(Method::GET, "/api/v1/agreements?limit=501", &analyst, None)
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(
        (list["total"].as_i64(), list["limit"].as_i64()),
        (Some(100), Some(500))
    );
    assert_eq!(list["facets"]["provisions"][0]["value"], "women");
    assert_eq!(
        list["facets"]["provisions"][0]["count"].as_i64(),
        Some(women)
    );
    let (s, w) = app
        .api(
            Method::GET,
            "/api/v1/agreements?facets=women&country=SDN",
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 200, "{w}");
    assert!(w["items"].as_array().unwrap().iter().all(|a| {
        a["facets"]
            .as_array()
            .unwrap()
            .contains(&Value::from("women"))
            && a["countries"]
                .as_array()
                .unwrap()
                .contains(&Value::from("SD"))
    }));
    for bad in ["facets=peace", "country=XX", "year_from=2020&year_to=2010"] {
        let (s, e) = app
            .api(
                Method::GET,
                &format!("/api/v1/agreements?{bad}"),
                &analyst,
                None,
            )
            .await;
        assert_eq!(s, 422, "{bad}: {e}");
    }

    // An agreement, and two compared.
    let first = list["items"][0]["pax_id"].as_i64().unwrap();
    let second = list["items"][1]["pax_id"].as_i64().unwrap();
    let (s, a) = app
        .api(
            Method::GET,
            &format!("/api/v1/agreements/{first}"),
            &desk,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(a["citation"].as_str().unwrap().contains("PA-X"));
    let (s, cmp) = app
        .api(
            Method::GET,
            &format!("/api/v1/agreements/compare?ids={first},{second}"),
            &desk,
            None,
        )
        .await;
    assert_eq!(s, 200, "{cmp}");
    for row in cmp["rows"].as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        let values: Vec<i64> = row["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert!(values.iter().any(|v| *v > 0));
        for (k, v) in values.iter().enumerate() {
            let coded = cmp["agreements"][k]["provisions"][code]
                .as_i64()
                .unwrap_or(0);
            assert_eq!(*v, coded, "{code}");
        }
    }
    let (s, _) = app
        .api(
            Method::GET,
            "/api/v1/agreements/compare?ids=999999",
            &desk,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .api(
            Method::GET,
            "/api/v1/agreements/compare?ids=1,2,3,4,5,6,7,8,9,10,11,12,13",
            &desk,
            None,
        )
        .await;
    assert_eq!(s, 422);

    // DOCX: a zip with the document, the names and the citation; the export is audited.
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/agreements/compare?ids={first},{second}&format=docx"
        )))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut doc = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut doc)
        .unwrap();
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    let name = |v: &Value| {
        v["name"]
            .as_str()
            .unwrap()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    assert!(
        doc.contains(&name(&cmp["agreements"][0])),
        "first name in the DOCX"
    );
    assert!(doc.contains(&name(&cmp["agreements"][1])));
    assert!(doc.contains("PA-X Peace Agreements Database v6, University of Edinburgh (PeaceRep)"));
    let first_row = &cmp["rows"][0];
    assert!(doc.contains(&format!("({})", first_row["code"].as_str().unwrap())));
    let pool = app.instance.raw().await;
    let exports: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'agreement.export' AND actor_name = 'desk-officer'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(exports, 1);

    // Pages: list with counts, agreement, comparison (printable), DOCX, in both languages.
    let b = app.browser("adviser").await;
    let (s, html) = b.get("/agreements?facet=women").await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("{women} of {women}")),
        "facet count shown"
    );
    let (s, html) = b
        .get(&format!("/agreements/compare?ids={first}&ids={second}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("table class=\"compare\""));
    assert!(html.contains(&format!("/agreements/compare.docx?ids={first},{second}")));
    assert!(html.contains("PA-X Peace Agreements Database v6"));
    let r = b
        .client
        .get(app.url(&format!("/agreements/compare.docx?ids={first},{second}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, html) = b.get(&format!("/agreements/{first}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("PA-X AgtId"));
    b.get("/lang/nl?next=/agreements").await;
    let (_, html) = b.get("/agreements").await;
    assert!(html.contains("Vredesakkoorden") && html.contains("van 100"));

    // The partner sees nothing at all.
    for path in [
        "/api/v1/agreements".to_string(),
        format!("/api/v1/agreements/{first}"),
        format!("/api/v1/agreements/compare?ids={first}"),
    ] {
        assert_eq!(
            app.api(Method::GET, &path, &partner, None).await.0,
            404,
            "{path}"
        );
    }
}

/// Counts, lists, details, comparisons and exports never include an agreement the reader may
/// not see (an agreement labelled confidential in the yemen compartment, as an administrator
/// might label an unpublished text).
#[tokio::test]
async fn counts_and_exports_leave_out_what_the_reader_may_not_see() {
    let app = App::spawn().await;
    let admin = app.instance.access("admin").await;
    admin
        .import_agreements(sample(), &mut |_, _| {})
        .await
        .unwrap();
    let pool = app.instance.raw().await;
    let (pax, women): (i64, i64) = {
        let r = sqlx::query("SELECT pax_id, women FROM agreements WHERE women = 1 AND water = 1 ORDER BY pax_id LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        (r.try_get("pax_id").unwrap(), r.try_get("women").unwrap())
    };
    assert_eq!(women, 1);
    sqlx::query(
        "UPDATE agreements SET classification = 2, compartment_id = 'yemen' WHERE pax_id = $1",
    )
    .bind(pax)
    .execute(&pool)
    .await
    .unwrap();
    let analyst = app.token("analyst").await; // confidential, no yemen
    let coordinator = app.token("coordinator").await; // secret, yemen
    let get = |t: String, p: String| {
        let app = &app;
        async move { app.api(Method::GET, &p, &t, None).await }
    };
    let (_, outsider) = get(analyst.clone(), "/api/v1/agreements?facets=water".into()).await;
    let (_, member) = get(
        coordinator.clone(),
        "/api/v1/agreements?facets=water".into(),
    )
    .await;
    assert_eq!(
        outsider["all"].as_i64().unwrap() + 1,
        member["all"].as_i64().unwrap()
    );
    assert_eq!(
        outsider["total"].as_i64().unwrap() + 1,
        member["total"].as_i64().unwrap()
    );
    let women_of = |v: &Value| v["facets"]["provisions"][0]["count"].as_i64().unwrap();
    assert_eq!(women_of(&outsider) + 1, women_of(&member));
    let years = |v: &Value| {
        v["facets"]["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y["count"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(years(&outsider) + 1, years(&member));
    assert!(
        !outsider["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["pax_id"] == pax)
    );
    assert!(
        member["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["pax_id"] == pax)
    );
    for path in [
        format!("/api/v1/agreements/{pax}"),
        format!("/api/v1/agreements/compare?ids={pax}"),
        format!("/api/v1/agreements/compare?ids={pax}&format=docx"),
    ] {
        assert_eq!(get(analyst.clone(), path.clone()).await.0, 404, "{path}");
        assert_eq!(
            get(coordinator.clone(), path.clone()).await.0,
            200,
            "{path}"
        );
    }
    let b = app.browser("analyst").await;
    assert_eq!(b.get(&format!("/agreements/{pax}")).await.0, 404);
    assert_eq!(
        b.get(&format!("/agreements/compare.docx?ids={pax}"))
            .await
            .0,
        404
    );
    // The member's read of the confidential agreement is audited.
    let reads: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'agreement.read' AND actor_name = 'coordinator'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert!(reads >= 1);
    // Re-importing keeps the labels an agreement was given.
    let r = admin
        .import_agreements(sample(), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(r.unchanged, 100);
    let still: i64 = sqlx::query("SELECT classification FROM agreements WHERE pax_id = $1")
        .bind(pax)
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("classification")
        .unwrap();
    assert_eq!(still, 2);
}
