//! Women's participation (WPS): shares computed right on a fixture, aggregates, charts and
//! exports only over what the asker may read, bad input changing nothing, writes audited.

use std::collections::HashMap;

use grotius_store::{SHARES_HEADER, TableFormat, read_table};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::harness::{App, count};

fn rec(role: &str, sex: &str, seniority: &str, n: i64, class: &str, comp: Option<&str>) -> Value {
    json!({"role": role, "sex": sex, "seniority": seniority, "count": n, "classification": class, "compartment": comp})
}

/// Process ids by the start of their title, as the coordinator sees them.
async fn processes(app: &App, token: &str) -> HashMap<&'static str, String> {
    let mut out = HashMap::new();
    for t in [
        "South Sudan",
        "Central Sahel",
        "Sudan: ceasefire",
        "Yemen: detainee",
        "Myanmar",
    ] {
        out.insert(t, app.process_id(token, t).await);
    }
    out
}

async fn post(app: &App, token: &str, process: &str, body: Value) -> Value {
    let (s, v) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{process}/participation"),
            token,
            Some(body),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    v
}

async fn audited(app: &App, action: &str) -> i64 {
    let raw = app.instance.raw().await;
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

fn num(s: &str) -> Option<f64> {
    (!s.is_empty()).then(|| s.parse::<f64>().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_are_computed_right_and_exports_match_the_summary() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let p = processes(&app, &coord).await;
    let ss = &p["South Sudan"];
    for (role, sex, sen, n, round) in [
        ("delegate", "female", "head", 1, "R1"),
        ("delegate", "male", "senior", 2, "R1"),
        ("delegate", "not-recorded", "junior", 5, "R1"),
        ("mediator", "female", "head", 1, "R1"),
        ("mediator", "male", "senior", 15, "R1"),
        ("signatory", "male", "head", 3, "R2"),
    ] {
        let mut b = rec(role, sex, sen, n, "internal", None);
        b["round"] = json!(round);
        b["party"] = json!("Parties");
        post(&app, &coord, ss, b).await;
    }
    let (s, sum) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{ss}/participation/summary"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 200, "{sum}");
    let role = |v: &Value, r: &str| {
        v["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["role"] == r)
            .unwrap()
            .clone()
    };
    let d = role(&sum, "delegate");
    assert_eq!(
        (&d["total"], &d["women"], &d["men"], &d["not_recorded"]),
        (&json!(8), &json!(1), &json!(2), &json!(5))
    );
    assert_eq!(
        d["share_women"],
        json!(33.3),
        "1 of 3 recorded; the 5 not recorded are not men"
    );
    assert_eq!(d["by_seniority"][0]["seniority"], "head");
    assert_eq!(d["by_seniority"][0]["share_women"], json!(100.0));
    assert_eq!(d["by_seniority"][3]["share_women"], Value::Null);
    assert_eq!(d["by_seniority"][3]["not_recorded"], json!(5));
    assert_eq!(
        role(&sum, "mediator")["share_women"],
        json!(6.3),
        "1/16 = 6.25 rounds half up"
    );
    assert_eq!(role(&sum, "signatory")["share_women"], json!(0.0));
    assert_eq!(role(&sum, "adviser")["share_women"], Value::Null);
    assert_eq!(role(&sum, "adviser")["total"], json!(0));
    assert_eq!(sum["all"]["total"], json!(27));
    assert_eq!(sum["all"]["share_women"], json!(9.1), "2 of 22");
    assert_eq!(sum["rounds"], json!(["R1", "R2"]));
    let (_, r2) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{ss}/participation/summary?round=R2"),
            &coord,
            None,
        )
        .await;
    assert_eq!(role(&r2, "delegate")["total"], json!(0));
    assert_eq!(role(&r2, "signatory")["total"], json!(3));

    // The exports hold the same numbers, in CSV and XLSX.
    let before = audited(&app, "participation.export").await;
    for format in ["csv", "xlsx"] {
        let (s, bytes) = app
            .download(
                &coord,
                &format!("/api/v1/processes/{ss}/participation/export?format={format}&what=shares"),
            )
            .await;
        assert_eq!(s, 200);
        let rows = read_table(&bytes, TableFormat::parse(format).unwrap()).unwrap();
        assert_eq!(rows[0], SHARES_HEADER);
        let col = |name: &str| SHARES_HEADER.iter().position(|h| *h == name).unwrap();
        for r in sum["roles"].as_array().unwrap() {
            let row = rows
                .iter()
                .find(|x| {
                    x[col("role")] == r["role"].as_str().unwrap() && x[col("seniority")] == "all"
                })
                .unwrap_or_else(|| panic!("{format}: no row for {}", r["role"]));
            for k in ["total", "women", "men", "not_recorded"] {
                assert_eq!(
                    num(&row[col(k)]),
                    r[k].as_f64(),
                    "{format} {} {k}",
                    r["role"]
                );
            }
            assert_eq!(
                num(&row[col("share_women_pct")]),
                r["share_women"].as_f64(),
                "{format} {}",
                r["role"]
            );
        }
        let (s, bytes) = app
            .download(
                &coord,
                &format!(
                    "/api/v1/processes/{ss}/participation/export?format={format}&what=records"
                ),
            )
            .await;
        assert_eq!(s, 200);
        let rows = read_table(&bytes, TableFormat::parse(format).unwrap()).unwrap();
        assert_eq!(rows.len(), 7, "{format}: header and six records");
        let c = rows[0].iter().position(|h| h == "count").unwrap();
        let total: f64 = rows[1..].iter().map(|r| num(&r[c]).unwrap()).sum();
        assert_eq!(total, 27.0);
    }
    assert_eq!(audited(&app, "participation.export").await, before + 4);
    let (s, e) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{ss}/participation/export?format=pdf"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["error"]["message"].as_str().unwrap().contains("format"));

    // The page shows the table and the chart, with the numbers as text.
    let b = app.browser("coordinator").await;
    let (s, html) = b.get(&format!("/processes/{ss}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"participation\"") && html.contains("<svg"));
    assert!(html.contains("33.3%") && html.contains("6.3%"));
    let (s, svg) = b
        .get(&format!("/processes/{ss}/participation/chart.svg"))
        .await;
    assert_eq!(s, 200);
    assert!(svg.contains("<title") && svg.contains("<desc") && svg.contains("33.3%"));
    let b = app.browser("coordinator").await;
    let (_, nl) = {
        b.get("/lang/nl?next=/participation").await;
        b.get("/participation").await
    };
    assert!(nl.contains("Deelname van vrouwen"), "Dutch page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregates_charts_and_exports_never_include_what_the_asker_may_not_read() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let p = processes(&app, &coord).await;
    // Visible to the analyst: public, internal, and a confidential process without compartment.
    let (_, conf) = app
        .api(
            Method::POST,
            "/api/v1/processes",
            &coord,
            Some(
                json!({"title": "Confidential talks", "phase": "crisis", "tracks": ["I"],
            "dutch_role": "support", "status": "active", "classification": "confidential"}),
            ),
        )
        .await;
    let conf = conf["id"].as_str().unwrap().to_string();
    let mut dated = rec("delegate", "female", "mid", 2, "public", None);
    dated["date"] = json!("2025-03-01");
    post(&app, &coord, &p["Central Sahel"], dated).await;
    post(
        &app,
        &coord,
        &p["Central Sahel"],
        rec("delegate", "male", "senior", 6, "public", None),
    )
    .await;
    post(
        &app,
        &coord,
        &p["South Sudan"],
        rec("signatory", "female", "head", 1, "internal", None),
    )
    .await;
    post(
        &app,
        &coord,
        &p["South Sudan"],
        rec("signatory", "male", "head", 3, "internal", None),
    )
    .await;
    post(
        &app,
        &coord,
        &p["South Sudan"],
        rec("delegate", "female", "senior", 1, "internal", None),
    )
    .await;
    post(
        &app,
        &coord,
        &conf,
        rec("adviser", "female", "senior", 3, "confidential", None),
    )
    .await;
    post(
        &app,
        &coord,
        &conf,
        rec("adviser", "male", "senior", 1, "confidential", None),
    )
    .await;
    // Hidden from the analyst: big numbers, so that any leak shows.
    let hidden = post(
        &app,
        &coord,
        &p["Sudan: ceasefire"],
        rec(
            "observer",
            "female",
            "senior",
            1000,
            "confidential",
            Some("horn-of-africa"),
        ),
    )
    .await;
    let hidden_id = hidden["id"].as_str().unwrap().to_string();
    post(
        &app,
        &coord,
        &p["Yemen: detainee"],
        rec("delegate", "female", "head", 500, "secret", Some("yemen")),
    )
    .await;

    // A process whose labels were raised after its records were filed: the records keep their
    // old labels, but a process the analyst cannot list contributes nothing.
    let mm = &p["Myanmar"];
    post(
        &app,
        &coord,
        mm,
        rec("observer", "female", "mid", 7, "internal", None),
    )
    .await;
    let (s, v) = app
        .api(Method::PUT, &format!("/api/v1/processes/{mm}"), &coord, Some(json!({"title": "Myanmar: women mediators' network",
            "phase": "armed-conflict", "tracks": ["II"], "dutch_role": "support", "status": "active",
            "classification": "confidential", "compartment": "horn-of-africa"})))
        .await;
    assert_eq!(s, 200, "{v}");

    let analyst = app.token("analyst").await;
    let (s, cross) = app
        .api(Method::GET, "/api/v1/participation/summary", &analyst, None)
        .await;
    assert_eq!(s, 200, "{cross}");
    // What the analyst can list, summarised process by process.
    let (_, listed) = app
        .api(Method::GET, "/api/v1/processes?limit=500", &analyst, None)
        .await;
    let listed: Vec<String> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !listed.contains(&p["Sudan: ceasefire"])
            && !listed.contains(&p["Yemen: detainee"])
            && !listed.contains(mm)
    );
    assert_eq!(cross["processes_considered"], json!(listed.len()));
    let mut pooled: HashMap<String, [i64; 4]> = HashMap::new();
    let mut fractions: HashMap<String, Vec<f64>> = HashMap::new();
    for id in &listed {
        let (s, one) = app
            .api(
                Method::GET,
                &format!("/api/v1/processes/{id}/participation/summary"),
                &analyst,
                None,
            )
            .await;
        assert_eq!(s, 200);
        for r in one["roles"].as_array().unwrap() {
            let e = pooled
                .entry(r["role"].as_str().unwrap().into())
                .or_default();
            for (i, k) in ["total", "women", "men", "not_recorded"].iter().enumerate() {
                e[i] += r[k].as_i64().unwrap();
            }
            let (w, m) = (r["women"].as_i64().unwrap(), r["men"].as_i64().unwrap());
            if w + m > 0 {
                fractions
                    .entry(r["role"].as_str().unwrap().into())
                    .or_default()
                    .push(w as f64 / (w + m) as f64);
            }
        }
    }
    for r in cross["roles"].as_array().unwrap() {
        let role = r["role"].as_str().unwrap();
        let e = pooled[role];
        assert_eq!(
            [
                r["pooled"]["total"].as_i64().unwrap(),
                r["pooled"]["women"].as_i64().unwrap(),
                r["pooled"]["men"].as_i64().unwrap(),
                r["pooled"]["not_recorded"].as_i64().unwrap()
            ],
            e,
            "{role}: cross-process totals equal the sum over the listed processes"
        );
        let f = fractions.get(role).cloned().unwrap_or_default();
        let mean = (!f.is_empty())
            .then(|| ((f.iter().sum::<f64>() / f.len() as f64) * 1000.0 + 0.5).floor() / 10.0);
        assert_eq!(r["mean_share_women"].as_f64(), mean, "{role}: mean");
        assert_eq!(r["processes"], json!(f.len()), "{role}");
    }
    let role = |v: &Value, r: &str| {
        v["roles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["role"] == r)
            .unwrap()
            .clone()
    };
    // The fixture: delegates 3 women of 9 (pooled 33.3%) vs mean of 25% and 100% = 62.5%.
    let d = role(&cross, "delegate");
    assert_eq!(d["pooled_share_women"], json!(33.3));
    assert_eq!(d["mean_share_women"], json!(62.5));
    assert_eq!(role(&cross, "observer")["pooled"]["total"], json!(0));
    // The coordinator's totals do include the hidden processes (the fixture is real).
    let (_, all) = app
        .api(Method::GET, "/api/v1/participation/summary", &coord, None)
        .await;
    assert_eq!(role(&all, "observer")["pooled"]["women"], json!(1007));

    // Filters: year, region, and bad values named.
    let (_, y) = app
        .api(
            Method::GET,
            "/api/v1/participation/summary?year=2025",
            &analyst,
            None,
        )
        .await;
    assert_eq!(role(&y, "delegate")["pooled"]["total"], json!(2));
    let (_, asia) = app
        .api(
            Method::GET,
            "/api/v1/participation/summary?region=Asia",
            &coord,
            None,
        )
        .await;
    assert_eq!(
        role(&asia, "delegate")["pooled"]["women"],
        json!(500),
        "only Yemen"
    );
    for (q, field) in [
        ("year=1066", "year"),
        ("region=Atlantis", "region"),
        ("status=asleep", "status"),
    ] {
        app.assert_invalid(
            Method::GET,
            &format!("/api/v1/participation/summary?{q}"),
            &analyst,
            None,
            field,
        )
        .await;
    }

    // A hidden process has no participation for the analyst, anywhere.
    let hoa = &p["Sudan: ceasefire"];
    for (m, path) in [
        (
            Method::GET,
            format!("/api/v1/processes/{hoa}/participation"),
        ),
        (
            Method::GET,
            format!("/api/v1/processes/{hoa}/participation/summary"),
        ),
        (
            Method::GET,
            format!("/api/v1/processes/{hoa}/participation/export?format=csv"),
        ),
        (Method::DELETE, format!("/api/v1/participation/{hidden_id}")),
    ] {
        let (s, _) = app.api(m.clone(), &path, &analyst, None).await;
        assert_eq!(s, 404, "{m} {path}");
    }
    let (s, _) = app
        .api(
            Method::PUT,
            &format!("/api/v1/participation/{hidden_id}"),
            &analyst,
            Some(rec(
                "observer",
                "male",
                "senior",
                1,
                "confidential",
                Some("horn-of-africa"),
            )),
        )
        .await;
    assert_eq!(s, 404);
    let b = app.browser("analyst").await;
    for path in [
        format!("/processes/{hoa}/participation"),
        format!("/processes/{hoa}/participation/chart.svg"),
        format!("/participation/{hidden_id}/edit"),
    ] {
        assert_eq!(b.get(&path).await.0, 404, "{path}");
    }
    let (s, page) = b.get("/participation").await;
    assert_eq!(s, 200);
    let (s, svg) = b.get("/participation/chart.svg").await;
    assert_eq!(s, 200);
    assert!(svg.starts_with("<svg") && svg.contains("33.3%"));
    for text in [&page, &svg] {
        assert!(
            !text.contains("Sudan: ceasefire")
                && !text.contains("ALMOND")
                && !text.contains("Myanmar")
                && ![">1000<", " 1000 ", ">500<", " 500 ", ">1003<", " 1003 "]
                    .iter()
                    .any(|n| text.contains(n)),
            "no name or number of a hidden process"
        );
    }

    // Exports: the analyst's files hold exactly the visible records and the same shares.
    let (s, bytes) = app
        .download(
            &analyst,
            "/api/v1/participation/export?format=csv&what=records",
        )
        .await;
    assert_eq!(s, 200);
    let rows = read_table(&bytes, TableFormat::Csv).unwrap();
    let pc = rows[0].iter().position(|h| h == "process_id").unwrap();
    let cc = rows[0].iter().position(|h| h == "count").unwrap();
    assert!(rows[1..].iter().all(|r| listed.contains(&r[pc])));
    let exported: i64 = rows[1..]
        .iter()
        .map(|r| r[cc].parse::<i64>().unwrap())
        .sum();
    let pooled_all: i64 = pooled.values().map(|e| e[0]).sum();
    assert_eq!(exported, pooled_all);
    let (_, bytes) = app
        .download(
            &analyst,
            "/api/v1/participation/export?format=xlsx&what=shares",
        )
        .await;
    let rows = read_table(&bytes, TableFormat::Xlsx).unwrap();
    let col = |name: &str| SHARES_HEADER.iter().position(|h| *h == name).unwrap();
    for r in cross["roles"].as_array().unwrap() {
        let row = rows
            .iter()
            .find(|x| {
                x[col("scope")] == "all processes"
                    && x[col("role")] == r["role"].as_str().unwrap()
                    && x[col("seniority")] == "all"
            })
            .unwrap();
        assert_eq!(num(&row[col("total")]), r["pooled"]["total"].as_f64());
        assert_eq!(
            num(&row[col("share_women_pct")]),
            r["pooled_share_women"].as_f64()
        );
        assert_eq!(
            num(&row[col("mean_share_women_pct")]),
            r["mean_share_women"].as_f64()
        );
    }
    assert!(rows.iter().all(|r| r[col("process_id")] != *hoa));

    // A linked actor the reader may not see is not even hinted at.
    let (_, actor) = app
        .api(Method::POST, "/api/v1/actors", &coord, Some(json!({"name": "Hidden negotiator", "kind": "person",
            "category": "conflict-party", "classification": "confidential", "compartment": "yemen"})))
        .await;
    let actor = actor["id"].as_str().unwrap().to_string();
    let mut linked = rec("delegate", "male", "head", 1, "internal", None);
    linked["actor_id"] = json!(actor);
    let r = post(&app, &coord, &p["South Sudan"], linked).await;
    assert_eq!(r["actor_name"], "Hidden negotiator");
    let (_, theirs) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{}/participation", p["South Sudan"]),
            &analyst,
            None,
        )
        .await;
    let seen = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == r["id"])
        .unwrap();
    assert_eq!(
        (&seen["actor_id"], &seen["actor_name"]),
        (&Value::Null, &Value::Null)
    );
    let (_, bytes) = app
        .download(
            &analyst,
            &format!(
                "/api/v1/processes/{}/participation/export?format=csv&what=records",
                p["South Sudan"]
            ),
        )
        .await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(&actor) && !text.contains("Hidden negotiator"));
    let (_, html) = b
        .get(&format!("/processes/{}/participation", p["South Sudan"]))
        .await;
    assert!(!html.contains("Hidden negotiator") && !html.contains(&actor));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_changes_nothing_and_every_write_is_audited() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let p = processes(&app, &coord).await;
    let ss = p["South Sudan"].clone();
    let raw = app.instance.raw().await;
    let good = rec("delegate", "female", "senior", 2, "internal", None);
    post(&app, &coord, &ss, good.clone()).await;
    let before = count(&raw, "participation").await;
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("role", json!("chair")), "role"),
        (with("sex", json!("w")), "sex"),
        (with("seniority", json!("boss")), "seniority"),
        (with("count", json!(0)), "count"),
        (with("count", json!(10_001)), "count"),
        (with("date", json!("01/02/2025")), "date"),
        (with("classification", json!("public")), "classification"),
        (with("compartment", json!("yemen")), "compartment"),
        (with("actor_id", json!("no-such-actor")), "actor_id"),
    ] {
        app.assert_invalid(
            Method::POST,
            &format!("/api/v1/processes/{ss}/participation"),
            &coord,
            Some(body),
            field,
        )
        .await;
    }
    // A desk officer cannot link an actor it may not see (it does not exist for it).
    let (_, actor) = app
        .api(
            Method::POST,
            "/api/v1/actors",
            &coord,
            Some(json!({"name": "Yemen contact", "kind": "person",
            "category": "mediator", "classification": "confidential", "compartment": "yemen"})),
        )
        .await;
    let desk = app.token("desk-officer").await;
    let (s, e) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{ss}/participation"),
            &desk,
            Some(with("actor_id", actor["id"].clone())),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    // Read-only roles are refused; the WPS adviser may record.
    let analyst = app.token("analyst").await;
    let (s, _) = app
        .api(
            Method::POST,
            &format!("/api/v1/processes/{ss}/participation"),
            &analyst,
            Some(good.clone()),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(count(&raw, "participation").await, before);

    // The form repeats the input and names the bad field.
    let b = app.browser("coordinator").await;
    let (s, html, _) = b
        .post(
            &format!("/processes/{ss}/participation"),
            &[
                ("role", "delegate"),
                ("sex", "female"),
                ("seniority", "head"),
                ("party", "Government delegation"),
                ("count", "many"),
                ("classification", "internal"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("count") && html.contains("value=\"Government delegation\""));
    assert_eq!(count(&raw, "participation").await, before);

    // Create, update, delete through the adviser: each audited, in the change feed.
    let adviser = app.token("adviser").await;
    let created = post(&app, &adviser, &ss, good.clone()).await;
    let id = created["id"].as_str().unwrap().to_string();
    let (s, upd) = app
        .api(
            Method::PUT,
            &format!("/api/v1/participation/{id}"),
            &adviser,
            Some(with("count", json!(4))),
        )
        .await;
    assert_eq!((s, &upd["count"]), (200, &json!(4)));
    let (s, _) = app
        .api(
            Method::PUT,
            &format!("/api/v1/participation/{id}"),
            &adviser,
            Some(with("sex", json!("x"))),
        )
        .await;
    assert_eq!(s, 422);
    let (_, still) = app
        .api(
            Method::GET,
            &format!("/api/v1/processes/{ss}/participation"),
            &adviser,
            None,
        )
        .await;
    let still = still["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == json!(id))
        .unwrap()
        .clone();
    assert_eq!(
        (&still["sex"], &still["count"]),
        (&json!("female"), &json!(4))
    );
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/participation/{id}"),
            &adviser,
            None,
        )
        .await;
    assert_eq!(s, 204);
    for action in [
        "participation.create",
        "participation.update",
        "participation.delete",
    ] {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1 AND resource_id = $2 AND actor_name = 'adviser'",
        )
        .bind(action)
        .bind(&id)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        assert_eq!(n, 1, "{action}");
    }
    let feed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM change_feed WHERE resource_id = $1")
        .bind(&id)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(feed, 3);

    // The UI: edit form repeats the record, saving and removing redirect to the process.
    let ui = post(&app, &coord, &ss, with("party", json!("Opposition bloc"))).await;
    let ui_id = ui["id"].as_str().unwrap();
    let (s, form) = b.get(&format!("/participation/{ui_id}/edit")).await;
    assert_eq!(s, 200);
    assert!(form.contains("value=\"Opposition bloc\""));
    let fields = [
        ("role", "signatory"),
        ("sex", "male"),
        ("seniority", "head"),
        ("party", "Opposition bloc"),
        ("count", "3"),
        ("classification", "internal"),
    ];
    let (s, _, loc) = b.post(&format!("/participation/{ui_id}"), &fields).await;
    assert_eq!(s, 303);
    assert_eq!(loc.unwrap(), format!("/processes/{ss}/participation"));
    let (_, page) = b.get(&format!("/processes/{ss}/participation")).await;
    assert!(page.contains("Opposition bloc") && page.contains("Signatory"));
    let (s, _, _) = b.post(&format!("/participation/{ui_id}/delete"), &[]).await;
    assert_eq!(s, 303);
    assert_eq!(count(&raw, "participation").await, before);

    // Deleting the process takes its records along, one audited delete each.
    let deletes = audited(&app, "participation.delete").await;
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/processes/{ss}"),
            &coord,
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(count(&raw, "participation").await, before - 1);
    assert_eq!(audited(&app, "participation.delete").await, deletes + 1);
    app.instance.store.verify_audit().await.unwrap();
}

/// The demo records participation for every demo process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_process_has_participation() {
    let instance = crate::harness::Instance::demo().await;
    let coord = instance.access("coordinator").await;
    let processes = coord
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert!(processes.items.len() >= 11);
    for p in &processes.items {
        let s = coord.participation_summary(&p.id, None).await.unwrap();
        assert!(s.all.total > 0, "{} has no participation", p.title);
    }
    let cross = coord
        .participation_across(&Default::default())
        .await
        .unwrap();
    let share = |r: &str| {
        cross
            .roles
            .iter()
            .find(|x| x.role == r)
            .unwrap()
            .pooled_share
            .unwrap()
    };
    assert!(
        share("signatory") < share("adviser") && share("signatory") < share("observer"),
        "few women sign, more advise and observe"
    );
}
