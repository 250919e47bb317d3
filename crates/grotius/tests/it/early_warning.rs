//! Early warning: the real UCDP GED file of the Central African Republic (GeoJSON, 1,848 events,
//! 14,948 best deaths) imported and checked against figures computed here straight from the
//! file with serde_json (not with the importer); the CSV variant; idempotent re-import with
//! added/changed/removed counts; files that are not GED refused with nothing written; the API
//! contract of the series; the escalation signal against an independent computation; the CLI;
//! the import job; and the country page counting our work only over what the reader may read.

use std::collections::BTreeMap;
use std::time::Duration;

use grotius_store::SeriesBy;
use reqwest::Method;
use serde_json::Value;

use crate::harness::{App, Instance, count};

pub(crate) const CAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/ucdp/GEDEvent_v23_1_CAR_482.geojson"
);

/// A GED GeoJSON file of one event (Sudan, 2019): the fixture of the authorisation matrix.
pub(crate) const ONE_EVENT: &str = r#"{"type": "FeatureCollection", "name": "GEDEvent_v23_1", "features": [
{"type": "Feature", "properties": {"id": 900001, "relid": "SUD-1", "year": 2019, "active_year": 1, "code_status": "Clear", "type_of_violence": 3, "conflict_dset_id": "1", "conflict_new_id": 1, "conflict_name": "RSF - civilians", "dyad_dset_id": "1", "dyad_new_id": 1, "dyad_name": "RSF - civilians", "side_a_dset_id": "1", "side_a_new_id": 1, "side_a": "RSF", "side_b_dset_id": "1", "side_b_new_id": 1, "side_b": "Civilians", "number_of_sources": 1, "source_article": "", "source_office": "", "source_date": "", "source_headline": "", "source_original": "", "where_prec": 1, "where_coordinates": "Khartoum", "where_description": "Khartoum", "adm_1": "Khartoum state", "adm_2": "", "priogrid_gid": 1, "country": "Sudan", "country_id": 625, "region": "Africa", "event_clarity": 1, "date_prec": 1, "date_start": "2019-06-03T00:00:00", "date_end": "2019-06-03T00:00:00", "deaths_a": 0, "deaths_b": 0, "deaths_civilians": 61, "deaths_unknown": 0, "best": 61, "high": 128, "low": 61, "gwnoa": "", "gwnob": ""}, "geometry": {"type": "Point", "coordinates": [32.53, 15.59]}}
]}"#;

fn car_bytes() -> Vec<u8> {
    std::fs::read(CAR).unwrap_or_else(|e| {
        panic!("the UCDP GED file {CAR} is required by this test and is missing: {e}")
    })
}

/// The file's features, read here with serde_json only.
fn car_features() -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&car_bytes()).unwrap();
    doc["features"].as_array().unwrap().clone()
}

fn int(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap()
}

/// (events, best deaths) per period, computed straight from the features.
fn direct(features: &[Value], period_len: usize) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for f in features {
        let p = &f["properties"];
        let period = p["date_start"].as_str().unwrap()[..period_len].to_string();
        let e = out.entry(period).or_default();
        e.0 += 1;
        e.1 += int(&p["best"]);
    }
    out
}

/// The series from the API as period → (events, best deaths).
fn api_series(body: &Value) -> BTreeMap<String, (i64, i64)> {
    body["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                (
                    p["events"].as_i64().unwrap(),
                    p["deaths_best"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// The features written back as UCDP's 49-column CSV (latitude and longitude from the
/// geometry), with the csv crate.
fn as_ged_csv(features: &[Value]) -> Vec<u8> {
    let columns = grotius_domain::early_warning::GED_COLUMNS;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(columns).unwrap();
    for f in features {
        let p = &f["properties"];
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let row: Vec<String> = columns
            .iter()
            .map(|col| match *col {
                "longitude" => c[0].to_string(),
                "latitude" => c[1].to_string(),
                "geom_wkt" => format!("POINT ({} {})", c[0], c[1]),
                "date_start" | "date_end" => {
                    format!("{} 00:00:00.000", &p[*col].as_str().unwrap()[..10])
                }
                other => match &p[other] {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    v => v.to_string(),
                },
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.into_inner().unwrap()
}

/// The derived buckets (migration 0027) equal a recomputation from the stored events: every
/// bucket, its events and its deaths, as one text per bucket.
async fn assert_buckets_match_events(raw: &sqlx::AnyPool) {
    let lab = "classification || '|' || COALESCE(compartment_id, '')";
    let pairs = [
        (
            format!(
                "SELECT country || '|' || month || '|' || violence || '|' || {lab} || '|' || events || '|' || deaths_best || '|' || deaths_low || '|' || deaths_high AS r FROM conflict_event_months"
            ),
            format!(
                "SELECT country || '|' || month || '|' || violence || '|' || {lab} || '|' || COUNT(*) || '|' || SUM(best) || '|' || SUM(low) || '|' || SUM(high) AS r FROM conflict_events WHERE country IS NOT NULL GROUP BY country, month, violence, classification, compartment_id"
            ),
        ),
        (
            format!(
                "SELECT country || '|' || adm_1 || '|' || month || '|' || {lab} || '|' || events || '|' || deaths_best AS r FROM conflict_event_areas"
            ),
            format!(
                "SELECT country || '|' || adm_1 || '|' || month || '|' || {lab} || '|' || COUNT(*) || '|' || SUM(best) AS r FROM conflict_events WHERE country IS NOT NULL AND violence > 0 AND adm_1 <> '' GROUP BY country, adm_1, month, classification, compartment_id"
            ),
        ),
        (
            format!(
                "SELECT country || '|' || month || '|' || conflict_name || '|' || dyad_name || '|' || violence || '|' || {lab} || '|' || events || '|' || deaths_best AS r FROM conflict_event_dyads"
            ),
            format!(
                "SELECT country || '|' || month || '|' || conflict_name || '|' || dyad_name || '|' || violence || '|' || {lab} || '|' || COUNT(*) || '|' || SUM(best) AS r FROM conflict_events WHERE country IS NOT NULL GROUP BY country, month, conflict_name, dyad_name, violence, classification, compartment_id"
            ),
        ),
    ];
    for (buckets, direct) in pairs {
        let read = |sql: String| async move {
            let mut v: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(raw)
                .await
                .unwrap()
                .iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, "r").unwrap())
                .collect();
            v.sort();
            v
        };
        let (b, d) = (read(buckets).await, read(direct).await);
        assert!(!d.is_empty(), "no events to compare");
        assert_eq!(b, d, "buckets against events");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_car_geojson_imports_1848_events_and_its_series_equals_a_direct_computation() {
    let features = car_features();
    assert_eq!(features.len(), 1_848, "the CAR file has 1,848 events");
    let by_year = direct(&features, 4);
    let by_month = direct(&features, 7);
    let deaths: i64 = by_year.values().map(|(_, d)| d).sum();
    assert_eq!(deaths, 14_948, "the CAR file has 14,948 best deaths");

    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;
    let mut calls = Vec::new();
    let r = analyst
        .import_events(&car_bytes(), &mut |done, total| calls.push((done, total)))
        .await
        .unwrap();
    assert!(r.committed(), "{:?}", r.problems);
    assert_eq!(
        (r.records, r.added, r.changed, r.removed, r.unchanged),
        (1_848, 1_848, 0, 0, 0)
    );
    assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
    assert_eq!(
        calls.last(),
        Some(&(1_848, 1_848)),
        "progress reaches the end"
    );
    assert!(calls.len() >= 4, "progress in batches: {calls:?}");

    // The contract: by month, over every event, month of date_start.
    let token = app.token("analyst").await;
    let (s, body) = app
        .api(
            Method::GET,
            "/api/v1/events/series?country=CF&by=month",
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(api_series(&body), by_month);
    assert_eq!(body["total_events"], 1_848);
    assert_eq!(body["total_deaths_best"], 14_948);
    // Per-year totals from the months equal the direct per-year computation.
    let mut years: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (m, (n, d)) in api_series(&body) {
        let y = years.entry(m[..4].to_string()).or_default();
        y.0 += n;
        y.1 += d;
    }
    assert_eq!(years, by_year);
    // By year, with alpha-3 accepted, and the per-type columns adding up.
    let (s, body) = app
        .api(
            Method::GET,
            "/api/v1/events/series?country=CAF&by=year",
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(api_series(&body), by_year);
    for p in body["series"].as_array().unwrap() {
        let sum = |k: &str| {
            ["state_based", "non_state", "one_sided"]
                .iter()
                .map(|t| p[format!("{t}_{k}")].as_i64().unwrap())
                .sum::<i64>()
        };
        assert_eq!(sum("events"), p["events"].as_i64().unwrap(), "{p}");
        assert_eq!(sum("deaths"), p["deaths_best"].as_i64().unwrap(), "{p}");
    }
    // One-sided violence of 2013 straight from the file.
    let one_sided_2013: i64 = features
        .iter()
        .map(|f| &f["properties"])
        .filter(|p| {
            p["date_start"].as_str().unwrap().starts_with("2013")
                && int(&p["type_of_violence"]) == 3
        })
        .map(|p| int(&p["best"]))
        .sum();
    let y2013 = body["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2013")
        .unwrap();
    assert_eq!(y2013["one_sided_deaths"].as_i64().unwrap(), one_sided_2013);
    // A bounded period.
    let (s, body) = app
        .api(
            Method::GET,
            "/api/v1/events/series?country=CF&by=month&from=2014-01&to=2014-12",
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let expected: BTreeMap<String, (i64, i64)> = by_month
        .iter()
        .filter(|(m, _)| m.starts_with("2014"))
        .map(|(m, v)| (m.clone(), *v))
        .collect();
    assert_eq!(api_series(&body), expected);
    // Bad parameters are named.
    for (q, field) in [
        ("country=XX&by=month", "country"),
        ("country=CF&by=week", "by"),
        ("country=CF&from=2014-13", "from"),
        ("country=CF&from=2015-01&to=2014-01", "to"),
    ] {
        let (s, body) = app
            .api(
                Method::GET,
                &format!("/api/v1/events/series?{q}"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 422, "{q}: {body}");
        assert!(body.to_string().contains(field), "{q}: {body}");
    }
    // Partners see no event data.
    let partner = app.token("partner").await;
    let (s, _) = app
        .api(
            Method::GET,
            "/api/v1/events/series?country=CF",
            &partner,
            None,
        )
        .await;
    assert_eq!(s, 404);

    // Admin-1 areas: events and best deaths per area straight from the file.
    let mut by_area: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for p in features.iter().map(|f| &f["properties"]) {
        let area = p["adm_1"].as_str().unwrap_or("").trim().to_string();
        if area.is_empty() {
            continue;
        }
        let e = by_area.entry(area).or_default();
        e.0 += 1;
        e.1 += int(&p["best"]);
    }
    assert!(by_area.len() > 5, "{by_area:?}");
    let (s, body) = app
        .api(Method::GET, "/api/v1/events/areas?country=CF", &token, None)
        .await;
    assert_eq!(s, 200, "{body}");
    let items = body["items"].as_array().unwrap();
    let api_areas: BTreeMap<String, (i64, i64)> = items
        .iter()
        .map(|a| {
            (
                a["adm_1"].as_str().unwrap().to_string(),
                (
                    a["events"].as_i64().unwrap(),
                    a["deaths_best"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(api_areas, by_area);
    for a in items {
        let series = a["series"].as_array().unwrap();
        let n: i64 = series.iter().map(|p| p["events"].as_i64().unwrap()).sum();
        assert_eq!(n, a["events"].as_i64().unwrap(), "{a}");
        assert_eq!(series[0]["period"], a["first_month"], "{a}");
    }
    let most = items[0]["adm_1"].as_str().unwrap().to_string();
    assert_eq!(
        by_area.values().map(|v| v.1).max(),
        Some(items[0]["deaths_best"].as_i64().unwrap())
    );
    let (s, body) = app
        .api(
            Method::GET,
            "/api/v1/events/areas?country=CF&from=2030-01",
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 0);
    let (s, _) = app
        .api(
            Method::GET,
            "/api/v1/events/areas?country=CF",
            &partner,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/countries/CF").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Admin-1 areas (organised violence)"),
        "{html}"
    );
    assert!(html.contains(&most), "{most}");

    // Importing the same file again changes nothing.
    let r = analyst
        .import_events(&car_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (r.added, r.changed, r.removed, r.unchanged),
        (0, 0, 0, 1_848)
    );
    // A newer version: one event corrected, one withdrawn, one new.
    let mut doc: Value = serde_json::from_slice(&car_bytes()).unwrap();
    let list = doc["features"].as_array_mut().unwrap();
    list[0]["properties"]["best"] = Value::from(int(&list[0]["properties"]["best"]) + 5);
    list[0]["properties"]["high"] = Value::from(int(&list[0]["properties"]["high"]) + 5);
    let withdrawn = list.remove(1);
    let mut added = withdrawn.clone();
    added["properties"]["id"] = Value::from(99_999_999);
    list.push(added);
    let r = analyst
        .import_events(&serde_json::to_vec(&doc).unwrap(), &mut |_, _| {})
        .await
        .unwrap();
    assert!(r.committed(), "{:?}", r.problems);
    assert_eq!(
        (r.added, r.changed, r.removed, r.unchanged),
        (1, 1, 1, 1_846)
    );
    let s = analyst
        .event_series("CF", SeriesBy::Year, None, None)
        .await
        .unwrap();
    assert_eq!(s.total_events, 1_848);
    assert_eq!(s.total_deaths_best, 14_948 + 5);
    assert_eq!(
        count(&app.instance.raw().await, "conflict_events").await,
        1_848
    );
    // The buckets followed the correction, the withdrawal and the new event.
    assert_buckets_match_events(&app.instance.raw().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_variant_gives_the_same_series_and_bad_files_write_nothing() {
    let features = car_features();
    let i = Instance::seeded().await;
    let analyst = i.access("analyst").await;
    // Not GED at all: refused with the reason, nothing written.
    for bad in [
        &b"name,date\nx,2020-01-01\n"[..],
        &b"{\"type\": \"Feature\"}"[..],
        &b""[..],
        grotius::demo::agreements::SAMPLE,
    ] {
        let e = analyst
            .import_events(bad, &mut |_, _| {})
            .await
            .unwrap_err();
        assert!(matches!(e, grotius_store::StoreError::Invalid(_)), "{e:?}");
    }
    assert_eq!(count(&i.raw().await, "conflict_events").await, 0);
    // A GED CSV with one bad row: the row and column are named, nothing is written.
    let mut csv = String::from_utf8(as_ged_csv(&features[..50])).unwrap();
    csv = csv.replacen(",2009-02-20 00:00:00.000,", ",2009-02-31x,", 1);
    let r = analyst
        .import_events(csv.as_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    assert!(!r.committed());
    assert_eq!(r.problems[0].column, "date_start", "{:?}", r.problems);
    assert_eq!(r.problems[0].row, 2, "{:?}", r.problems);
    assert_eq!(count(&i.raw().await, "conflict_events").await, 0);
    // The whole file as UCDP's CSV: the same series as the GeoJSON.
    let r = analyst
        .import_events(&as_ged_csv(&features), &mut |_, _| {})
        .await
        .unwrap();
    assert!(r.committed(), "{:?}", r.problems);
    assert_eq!(r.added, 1_848);
    let s = analyst
        .event_series("CF", SeriesBy::Month, None, None)
        .await
        .unwrap();
    let got: BTreeMap<String, (i64, i64)> = s
        .series
        .iter()
        .map(|p| (p.period.clone(), (p.events, p.deaths_best)))
        .collect();
    assert_eq!(got, direct(&features, 7));
    // And the GeoJSON after it changes nothing: the same events, field for field.
    let r = analyst
        .import_events(&car_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!((r.added, r.changed, r.unchanged), (0, 0, 1_848));
    // Roles: the desk officer reads but may not import; partners see nothing.
    let desk = i.access("desk-officer").await;
    assert!(matches!(
        desk.import_events(&car_bytes(), &mut |_, _| {}).await,
        Err(grotius_store::StoreError::Forbidden(_))
    ));
    assert_eq!(
        desk.event_series("CF", SeriesBy::Year, None, None)
            .await
            .unwrap()
            .total_events,
        1_848
    );
}

/// P(X ≥ k) for X ~ Poisson(λ) as 1 − Σ_{i<k} e^−λ λ^i / i!, the textbook way (fine for the
/// small counts here).
fn poisson_tail_textbook(k: i64, lambda: f64) -> f64 {
    let mut term = (-lambda).exp();
    let mut below = 0.0;
    for i in 0..k {
        below += term;
        term *= lambda / (i + 1) as f64;
    }
    1.0 - below
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_escalation_signal_equals_an_independent_computation() {
    let features = car_features();
    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;
    analyst
        .import_events(&car_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    let token = app.token("analyst").await;
    let by_month = direct(&features, 7);
    let month_index =
        |m: &str| m[..4].parse::<i64>().unwrap() * 12 + m[5..7].parse::<i64>().unwrap() - 1;
    let events_in = |from: i64, to: i64| -> i64 {
        by_month
            .iter()
            .filter(|(m, _)| (from..=to).contains(&month_index(m)))
            .map(|(_, (n, _))| n)
            .sum()
    };
    // At several reference months, including the latest.
    let latest = by_month.keys().next_back().unwrap().clone();
    let mut spread_seen = false;
    for as_of in [latest.as_str(), "2013-03", "2014-01", "2017-06", "2020-12"] {
        let (s, body) = app
            .api(
                Method::GET,
                &format!("/api/v1/events/countries?as_of={as_of}"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["params"]["recent_months"], 3);
        assert_eq!(body["params"]["baseline_months"], 12);
        let cf = body["countries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["country"] == "CF")
            .unwrap()
            .clone();
        let end = month_index(as_of);
        let recent = events_in(end - 2, end);
        let baseline = events_in(end - 14, end - 3);
        let expected = baseline as f64 / 4.0;
        assert_eq!(cf["recent"], recent, "{as_of}");
        assert_eq!(cf["baseline"], baseline, "{as_of}");
        assert!(
            (cf["expected"].as_f64().unwrap() - expected).abs() < 1e-9,
            "{as_of}"
        );
        let p = if recent as f64 > expected {
            poisson_tail_textbook(recent, expected)
        } else {
            1.0
        };
        let got = cf["p_value"].as_f64().unwrap();
        assert!(
            (got - p).abs() < 1e-9 * p.max(1e-300) + 1e-12,
            "{as_of}: {got} vs {p}"
        );
        let quiet = events_in(end - 2 - 24, end - 3) == 0;
        let signal = if recent > 0 && quiet {
            "new-conflict"
        } else if recent as f64 > expected && p < 0.05 {
            "escalation"
        } else {
            "none"
        };
        assert_eq!(cf["signal"], signal, "{as_of}: {cf}");
        // Spread: admin-1 areas with events in the recent window and none in the baseline,
        // straight from the features.
        let areas_in = |from: i64, to: i64| -> std::collections::BTreeSet<String> {
            features
                .iter()
                .map(|f| &f["properties"])
                .filter(|p| {
                    (from..=to).contains(&month_index(&p["date_start"].as_str().unwrap()[..7]))
                })
                .filter_map(|p| {
                    p["adm_1"]
                        .as_str()
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                })
                .collect()
        };
        let before = areas_in(end - 14, end - 3);
        let new: Vec<String> = areas_in(end - 2, end)
            .into_iter()
            .filter(|a| !before.contains(a))
            .collect();
        let got: Vec<String> = cf["new_areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, new, "{as_of}");
        spread_seen |= !new.is_empty();
    }
    assert!(spread_seen, "at least one reference month shows spread");
    // The first events of the file are a new conflict (nothing in the 24 months before).
    let first = by_month.keys().next().unwrap().clone();
    let (_, body) = app
        .api(
            Method::GET,
            &format!("/api/v1/events/countries?as_of={first}"),
            &token,
            None,
        )
        .await;
    assert_eq!(body["countries"][0]["signal"], "new-conflict", "{body}");
    // The page shows the method's parameters and the country's signal.
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/early-warning").await;
    assert_eq!(s, 200);
    assert!(html.contains("Central African Republic"), "{html}");
    assert!(html.contains("Recent window (months)"), "{html}");
    assert!(html.contains("Significance level"), "{html}");
}

#[tokio::test]
async fn the_cli_imports_ged_with_progress_and_reimports_idempotently() {
    let i = Instance::new().await;
    let data = i.data().to_str().unwrap().to_string();
    let args = ["import", "ged", CAR, "--data", data.as_str()];
    let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1848 events read: 1848 added, 0 changed, 0 removed, 0 unchanged"),
        "{out}"
    );
    assert!(out.contains("1848/1848 events"), "{out}");
    assert!(out.contains("Sundberg"), "{out}");
    let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 added, 0 changed, 0 removed, 1848 unchanged"),
        "{out}"
    );
    // Not a GED file: a clear error, exit status not 0, nothing written.
    let path = i.data().join("not-ged.csv");
    std::fs::write(&path, "name,date\nx,2020-01-01\n").unwrap();
    let file = path.to_str().unwrap().to_string();
    let (code, out) = crate::cli::run(
        &["import", "ged", file.as_str(), "--data", data.as_str()],
        &i.database,
        None,
        &[],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not a UCDP GED CSV"), "{out}");
    assert_eq!(count(&i.raw().await, "conflict_events").await, 1_848);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_runs_a_job_and_the_country_page_shows_trend_map_and_table() {
    let app = App::spawn().await;
    let op = app.instance.store.cli_operator();
    let job = op
        .start_event_import(
            grotius_store::EventImportKind::Ged,
            "car.geojson",
            car_bytes(),
        )
        .await
        .unwrap();
    let b = app.browser("analyst").await;
    let mut done = false;
    for _ in 0..300 {
        let (s, html) = b.get(&format!("/early-warning/imports/{job}")).await;
        assert_eq!(s, 200, "{html}");
        if html.contains("<strong>done</strong>") {
            assert!(html.contains("1848"), "{html}");
            done = true;
            break;
        }
        assert!(!html.contains("<strong>failed</strong>"), "{html}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "the import job finished");
    let (s, html) = b.get("/countries/CF").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("<svg class=\"chart trend\""), "{html}");
    assert!(html.contains("class=\"map\""), "{html}");
    assert!(html.contains("14948"), "the total in the table: {html}");
    // The dyads, with their totals straight from the file.
    let features = car_features();
    let lra: (i64, i64) = features
        .iter()
        .map(|f| &f["properties"])
        .filter(|p| p["dyad_name"] == "Government of Uganda - LRA")
        .fold((0, 0), |(n, d), p| (n + 1, d + int(&p["best"])));
    let dyads = app
        .instance
        .access("analyst")
        .await
        .country_dyads("CF", None, None)
        .await
        .unwrap();
    let row = dyads
        .iter()
        .find(|d| d.dyad_name == "Government of Uganda - LRA")
        .unwrap();
    assert_eq!((row.events, row.deaths_best), lra);
    assert_eq!(
        dyads.iter().map(|d| d.events).sum::<i64>(),
        1_848,
        "every event in one dyad row"
    );
    assert!(html.contains("Government of Uganda - LRA"), "{html}");
    let (s, html) = b.get("/countries/CF?from=2014-01&to=2014-12").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("2014-06"),
        "monthly for a short period: {html}"
    );
    let (s, _) = b.get("/countries/ZZ").await;
    assert_eq!(s, 404);
    let (s, _) = b.get("/countries/CF?from=2014-13").await;
    assert_eq!(s, 422);
    let partner = app.browser("partner").await;
    let (s, _) = partner.get("/countries/CF").await;
    assert_eq!(s, 404);
}

/// The numbers of the chart as files: CSV and HXL-tagged CSV equal to the series computed from
/// the file, XLSX a workbook; the download is audited and refused with a reason on bad input;
/// a partner (who may not read events) gets nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_series_downloads_as_csv_hxl_and_xlsx_with_the_numbers_of_the_file() {
    let app = App::spawn().await;
    app.instance
        .store
        .cli_operator()
        .import_events(&car_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    let want = direct(&car_features(), 4);
    let b = app.browser("desk-officer").await;
    let (s, html) = b.get("/countries/CF").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("/countries/CF/series?format=hxl&amp;by=year"),
        "the page offers the download: {html}"
    );
    for (format, tag_rows) in [("csv", 0), ("hxl", 1)] {
        let (s, text) = b
            .get(&format!("/countries/CF/series?format={format}&by=year"))
            .await;
        assert_eq!(s, 200, "{text}");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(&header[..4], ["country", "period", "events", "deaths_best"]);
        let lines: Vec<&str> = lines.collect();
        if tag_rows == 1 {
            assert!(
                lines[0].starts_with("#country+code,#date,#event+num,#affected+killed+best"),
                "{}",
                lines[0]
            );
        }
        let got: BTreeMap<String, (i64, i64)> = lines[tag_rows..]
            .iter()
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                assert_eq!(c[0], "CF");
                (
                    c[1].to_string(),
                    (c[2].parse().unwrap(), c[3].parse().unwrap()),
                )
            })
            .collect();
        assert_eq!(got, want, "{format}: every year as computed from the file");
    }
    let (s, xlsx) = b.get("/countries/CF/series?format=xlsx").await;
    assert_eq!(s, 200);
    assert!(xlsx.starts_with("PK"), "an XLSX workbook (a zip)");
    let exports = app
        .audit_actions("CF")
        .await
        .into_iter()
        .filter(|a| a == "conflict-event.export")
        .count();
    assert_eq!(exports, 3, "every download audited");
    let (s, text) = b.get("/countries/CF/series?format=pdf").await;
    assert_eq!(s, 422);
    assert!(text.contains("csv, xlsx or hxl"), "{text}");
    let (s, _) = b.get("/countries/ZZ/series").await;
    assert_eq!(s, 422);
    let partner = app.browser("partner").await;
    let (s, _) = partner.get("/countries/CF/series").await;
    assert_eq!(s, 404);
}

/// The "our work" section of a country page.
fn our_work(html: &str) -> String {
    let start = html.find("Our work in this country").expect("the section");
    let end = html[start..].find("</section>").unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_country_page_counts_our_work_only_over_what_the_reader_may_read() {
    let app = App::spawn().await;
    let op = app.instance.store.cli_operator();
    op.import_events(ONE_EVENT.as_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    let readers = ["analyst", "desk-officer", "adviser", "fund-officer"];
    let mut before = Vec::new();
    for r in readers {
        let (s, html) = app.browser(r).await.get("/countries/SD").await;
        assert_eq!(s, 200, "{r}: {html}");
        before.push(our_work(&html));
    }
    // A secret process in Sudan filed in the yemen compartment, and a confidential one in
    // latam: records none of these readers may read.
    let coordinator = app.instance.access("coordinator").await;
    for (title, classification, compartment) in [
        ("Hidden Sudan channel", "secret", "yemen"),
        ("Hidden Sudan track", "confidential", "latam"),
    ] {
        coordinator
            .create_process(&crate::harness::process_input(
                title,
                classification,
                Some(compartment),
            ))
            .await
            .unwrap();
    }
    for (r, was) in readers.iter().zip(&before) {
        let (_, html) = app.browser(r).await.get("/countries/SD").await;
        assert!(!html.contains("Hidden Sudan"), "{r}");
        assert_eq!(&our_work(&html), was, "{r}: the count changed");
    }
    // The coordinator, who may read them, sees them counted.
    let (_, html) = app.browser("coordinator").await.get("/countries/SD").await;
    assert!(our_work(&html).contains("Hidden Sudan channel"), "{html}");
}

fn alert_input(owner: &str, deadline: &str) -> grotius_domain::early_warning::AlertInput {
    grotius_domain::early_warning::AlertInput {
        country: "SD".into(),
        signal: "escalation".into(),
        as_of: "2019-06".into(),
        title: "Killings in Khartoum".into(),
        owner: owner.into(),
        deadline: deadline.into(),
        classification: "internal".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_is_followed_up_step_by_step_audited_and_shown_overdue_to_owner_and_coordinator() {
    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;
    // Raised from a signal with an owner and a deadline already passed.
    let a = analyst
        .create_alert(&alert_input("desk-officer", "2020-01-31"))
        .await
        .unwrap();
    assert_eq!(a.status, grotius_domain::early_warning::AlertStatus::Open);
    assert!(analyst.alert_overdue(&a));
    // The owner and the coordinator see it overdue on the early warning page.
    for who in ["desk-officer", "coordinator"] {
        let (s, html) = app.browser(who).await.get("/early-warning").await;
        assert_eq!(s, 200, "{who}");
        let overdue = &html[html.find("class=\"overdue\"").expect("the overdue section")..];
        assert!(overdue.contains("Killings in Khartoum"), "{who}: {html}");
    }
    // An owner who could not read the alert is refused, naming the owner.
    let e = analyst
        .create_alert(&alert_input("fund-officer", "2030-01-31"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("owner"), "{e}");
    // The owner follows up through the form: each status needs its field.
    let desk = app.browser("desk-officer").await;
    let path = format!("/early-warning/alerts/{}", a.id);
    let mut form = vec![
        ("country", "SD"),
        ("signal", "escalation"),
        ("as_of", "2019-06"),
        ("title", "Killings in Khartoum"),
        ("owner", "desk-officer"),
        ("deadline", "2020-01-31"),
        ("classification", "internal"),
        ("status", "assessed"),
    ];
    let (s, html, _) = desk.post(&path, &form).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("assessment"), "{html}");
    form.push(("assessment", "Credible: RSF operations spreading east."));
    let (s, _, location) = desk.post(&path, &form).await;
    assert_eq!((s, location.as_deref()), (303, Some(path.as_str())));
    let after = analyst.get_alert(&a.id).await.unwrap();
    assert!(analyst.alert_overdue(&after), "assessed but no action yet");
    form.retain(|(k, _)| *k != "status");
    form.push(("status", "action-taken"));
    form.push(("recommendation", "Raise with the envoy this week."));
    let (s, _, _) = desk.post(&path, &form).await;
    assert_eq!(s, 303);
    let after = analyst.get_alert(&a.id).await.unwrap();
    assert!(!analyst.alert_overdue(&after));
    form.retain(|(k, _)| *k != "status");
    form.push(("status", "closed"));
    let (s, html, _) = desk.post(&path, &form).await;
    assert_eq!(s, 422);
    assert!(html.contains("closed_reason"), "{html}");
    form.push(("closed_reason", "Envoy raised it; violence subsided."));
    let (s, _, _) = desk.post(&path, &form).await;
    assert_eq!(s, 303);
    let closed = analyst.get_alert(&a.id).await.unwrap();
    assert_eq!(closed.closed_reason, "Envoy raised it; violence subsided.");
    // Every step audited.
    let actions = app.audit_actions(&a.id).await;
    assert_eq!(
        actions.iter().filter(|x| *x == "alert.update").count(),
        3,
        "{actions:?}"
    );
    assert_eq!(actions.first().map(String::as_str), Some("alert.create"));
    // The adviser reads but may not follow up; the fund officer does not see it at all.
    let adviser = app.instance.access("adviser").await;
    assert!(adviser.get_alert(&a.id).await.is_ok());
    assert!(matches!(
        adviser
            .update_alert(&a.id, &alert_input("desk-officer", "2030-01-01"))
            .await,
        Err(grotius_store::StoreError::Forbidden(_))
    ));
    let fund = app.instance.access("fund-officer").await;
    assert!(matches!(
        fund.get_alert(&a.id).await,
        Err(grotius_store::StoreError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_a_reader_may_not_read_change_nothing_in_her_lists_and_pages() {
    let app = App::spawn().await;
    let op = app.instance.store.cli_operator();
    op.import_events(ONE_EVENT.as_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    let analyst = app.instance.access("analyst").await;
    analyst
        .create_alert(&alert_input("analyst", "2020-01-31"))
        .await
        .unwrap();
    let section = |html: &str| {
        let start = html.find("<h2>Alerts</h2>").expect("the alerts section");
        let end = html[start..].find("</section>").unwrap() + start;
        html[start..end].to_string()
    };
    let b = app.browser("analyst").await;
    let (_, country_before) = b.get("/countries/SD").await;
    let (_, list_before) = b.get("/early-warning/alerts").await;
    let (_, overview_before) = b.get("/early-warning").await;
    // A confidential alert in horn-of-africa and a secret one in yemen, both overdue.
    let coordinator = app.instance.access("coordinator").await;
    let mut hidden = alert_input("coordinator", "2020-01-31");
    hidden.title = "Hidden alert".into();
    hidden.classification = "confidential".into();
    hidden.compartment = Some("horn-of-africa".into());
    coordinator.create_alert(&hidden).await.unwrap();
    hidden.classification = "secret".into();
    hidden.compartment = Some("yemen".into());
    coordinator.create_alert(&hidden).await.unwrap();
    let (_, country_after) = b.get("/countries/SD").await;
    let (_, list_after) = b.get("/early-warning/alerts").await;
    let (_, overview_after) = b.get("/early-warning").await;
    assert_eq!(section(&country_before), section(&country_after));
    let strip = |html: &str| {
        let start = html.find("<h1>").unwrap();
        html[start..].to_string()
    };
    assert_eq!(strip(&list_before), strip(&list_after));
    assert_eq!(strip(&overview_before), strip(&overview_after));
    assert!(!list_after.contains("Hidden alert"));
    let page = analyst
        .list_alerts(&Default::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    // The coordinator sees all three.
    let page = coordinator
        .list_alerts(&Default::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(page.total, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_overdue_alerts_to_their_readers_only() {
    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;
    analyst
        .create_alert(&alert_input("desk-officer", "2020-01-31"))
        .await
        .unwrap();
    for who in ["desk-officer", "coordinator", "analyst"] {
        let (s, html) = app.browser(who).await.get("/").await;
        assert_eq!(s, 200);
        assert!(html.contains("Killings in Khartoum"), "{who}: {html}");
    }
    for who in ["fund-officer", "custodian", "partner"] {
        let (s, html) = app.browser(who).await.get("/").await;
        assert_eq!(s, 200);
        assert!(!html.contains("Killings in Khartoum"), "{who}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_the_car_events_and_alerts_in_several_states_one_overdue() {
    let i = Instance::demo().await;
    // Seeding again changes nothing.
    grotius::demo::seed(&i.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    let coordinator = i.access("coordinator").await;
    let s = coordinator
        .event_series("CF", SeriesBy::Year, None, None)
        .await
        .unwrap();
    assert_eq!((s.total_events, s.total_deaths_best), (1_848, 14_948));
    // UCDP's conflict lists, vendored: the demo countries show their active conflicts.
    for iso in ["SD", "YE", "CF", "CO"] {
        let c = coordinator.country_conflicts(iso).await.unwrap();
        assert!(!c.active_conflicts.is_empty(), "{iso} has active conflicts");
        assert!(!c.active_dyads.is_empty(), "{iso} has active dyads");
    }
    assert_eq!(
        count(&i.raw().await, "ucdp_conflict_years").await,
        2_752 + 3_432
    );
    let alerts = coordinator
        .list_alerts(&Default::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(alerts.total, 3);
    let overdue: Vec<_> = alerts
        .items
        .iter()
        .filter(|a| coordinator.alert_overdue(a))
        .collect();
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    let mut states: Vec<&str> = alerts.items.iter().map(|a| a.status.as_str()).collect();
    states.sort();
    assert_eq!(states, ["assessed", "closed", "open"]);
    // The assessed alert is answered by a CAR process; the unit watches Sudan and CAR; and the
    // coherence view shows our work in CAR beside its events.
    let assessed = alerts
        .items
        .iter()
        .find(|a| a.status.as_str() == "assessed")
        .unwrap();
    let links = coordinator.alert_links(&assessed.id).await.unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(links[0].title.contains("Haute-Kotto"), "{links:?}");
    let watched = i.access("desk-officer").await.watchlist().await.unwrap();
    let units: Vec<&str> = watched.iter().map(|w| w.country.as_str()).collect();
    assert_eq!(units, ["CF", "SD"], "{watched:?}");
    let params = coordinator.signal_params().await.unwrap();
    let view = coordinator
        .coherence(&Default::default(), &params)
        .await
        .unwrap();
    let cf = view.rows.iter().find(|r| r.country == "CF").unwrap();
    assert!(cf.events > 0 && cf.work.processes.unwrap() >= 1, "{cf:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alerts_api_raises_follows_up_and_lists_overdue() {
    let app = App::spawn().await;
    let token = app.token("analyst").await;
    let body = serde_json::json!({
        "country": "SD", "signal": "escalation", "as_of": "2019-06", "title": "API alert",
        "owner": "analyst", "deadline": "2020-02-29", "classification": "internal"
    });
    let id = app.create("/api/v1/alerts", &token, body.clone()).await;
    let (s, list) = app
        .api(
            Method::GET,
            "/api/v1/alerts?overdue=true&country=SD",
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["overdue"], true);
    let mut update = body.clone();
    update["status"] = Value::from("closed");
    let (s, err) = app
        .api(
            Method::PUT,
            &format!("/api/v1/alerts/{id}"),
            &token,
            Some(update.clone()),
        )
        .await;
    assert_eq!(s, 422, "{err}");
    assert!(err.to_string().contains("assessment"), "{err}");
    update["assessment"] = Value::from("Not an escalation: one reporting burst.");
    update["closed_reason"] = Value::from("Reporting artefact.");
    let (s, a) = app
        .api(
            Method::PUT,
            &format!("/api/v1/alerts/{id}"),
            &token,
            Some(update),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(
        (a["status"].as_str(), a["overdue"].as_bool()),
        (Some("closed"), Some(false))
    );
    let (_, list) = app
        .api(Method::GET, "/api/v1/alerts?overdue=true", &token, None)
        .await;
    assert_eq!(list["total"], 0);
}

const ACLED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/acled/acled_benin_saereplication.csv"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_acled_benin_export_loads_811_events_with_na_handled() {
    let bytes = std::fs::read(ACLED).unwrap_or_else(|e| {
        panic!("the ACLED file {ACLED} is required by this test and is missing: {e}")
    });
    // Straight from the file with the csv crate: events and fatalities per month.
    let mut r = csv::Reader::from_reader(&bytes[..]);
    let header = r.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut direct_months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut na_cells = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        na_cells += rec.iter().filter(|c| *c == "NA").count();
        let date: Vec<&str> = rec[col("event_date")].split(' ').collect();
        let m = months.iter().position(|x| *x == date[1]).unwrap() + 1;
        let e = direct_months
            .entry(format!("{}-{m:02}", date[2]))
            .or_default();
        e.0 += 1;
        e.1 += rec[col("fatalities")].parse::<i64>().unwrap();
    }
    let events: i64 = direct_months.values().map(|(n, _)| n).sum();
    assert_eq!(events, 811);
    assert!(na_cells > 0, "the file has NA cells");

    let i = Instance::seeded().await;
    let analyst = i.access("analyst").await;
    // Each importer refuses the other's file.
    assert!(analyst.import_events(&bytes, &mut |_, _| {}).await.is_err());
    assert!(
        analyst
            .import_acled(ONE_EVENT.as_bytes(), &mut |_, _| {})
            .await
            .is_err()
    );
    let rep = analyst.import_acled(&bytes, &mut |_, _| {}).await.unwrap();
    assert!(rep.committed(), "{:?}", rep.problems);
    assert_eq!((rep.records, rep.added), (811, 811));
    let s = analyst
        .event_series("BJ", SeriesBy::Month, None, None)
        .await
        .unwrap();
    let got: BTreeMap<String, (i64, i64)> = s
        .series
        .iter()
        .map(|p| (p.period.clone(), (p.events, p.deaths_best)))
        .collect();
    assert_eq!(got, direct_months);
    let rep = analyst.import_acled(&bytes, &mut |_, _| {}).await.unwrap();
    assert_eq!(
        (rep.added, rep.changed, rep.removed, rep.unchanged),
        (0, 0, 0, 811)
    );
    // GED events of another country are untouched by an ACLED import and vice versa.
    analyst
        .import_events(ONE_EVENT.as_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    let rep = analyst.import_acled(&bytes, &mut |_, _| {}).await.unwrap();
    assert_eq!(rep.removed, 0);
    assert_eq!(count(&i.raw().await, "conflict_events").await, 812);
    // ACLED's protests and riots (no organised violence) are in the buckets as well.
    assert_buckets_match_events(&i.raw().await).await;
}

#[tokio::test]
async fn the_cli_imports_acled() {
    let i = Instance::new().await;
    let data = i.data().to_str().unwrap().to_string();
    let (code, out) = crate::cli::run(
        &["import", "acled", ACLED, "--data", data.as_str()],
        &i.database,
        None,
        &[],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("811 events read: 811 added"), "{out}");
    assert!(out.contains("ACLED"), "{out}");
}

pub(crate) const ACD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/ucdp/ucdp-prio-acd-251.csv"
);
pub(crate) const DYADIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/ucdp/ucdp-dyadic-251.csv"
);
const WATER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/water/pacinst_water_conflict_chronology.csv"
);

fn required(path: &str) -> Vec<u8> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{path} is required by this test and is missing: {e}"))
}

/// The file's records, read here with the csv crate only (header → value per row).
fn csv_rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The rows back as CSV with the same header order.
fn to_csv(bytes: &[u8], rows: &[BTreeMap<String, String>]) -> Vec<u8> {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(header.iter().map(|h| row[h].as_str()))
            .unwrap();
    }
    w.into_inner().unwrap()
}

/// The ids (`id_column`) of the rows in the file's latest year whose `gwno_loc` holds `gw`,
/// computed from the rows directly.
fn active_ids(rows: &[BTreeMap<String, String>], id_column: &str, gw: &str) -> Vec<i64> {
    let latest = rows
        .iter()
        .map(|r| r["year"].parse::<i64>().unwrap())
        .max()
        .unwrap();
    let mut ids: Vec<i64> = rows
        .iter()
        .filter(|r| r["year"].parse::<i64>().unwrap() == latest)
        .filter(|r| r["gwno_loc"].split(',').any(|g| g.trim() == gw))
        .map(|r| r[id_column].parse().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ucdp_acd_and_dyadic_load_every_row_and_show_the_active_conflicts_of_a_country() {
    use grotius_domain::ucdp::UcdpDataset;
    let (acd, dyadic) = (required(ACD), required(DYADIC));
    let (acd_rows, dyadic_rows) = (csv_rows(&acd), csv_rows(&dyadic));
    assert_eq!(acd_rows.len(), 2_752, "ACD 25.1 has 2,752 conflict-years");
    assert_eq!(dyadic_rows.len(), 3_432, "dyadic 25.1 has 3,432 dyad-years");

    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;
    let mut calls = Vec::new();
    let r = analyst
        .import_ucdp(UcdpDataset::Acd, &acd, None, &mut |d, t| calls.push((d, t)))
        .await
        .unwrap();
    assert!(r.committed(), "{:?}", r.problems);
    assert_eq!(
        (r.records, r.added, r.changed, r.removed),
        (2_752, 2_752, 0, 0)
    );
    assert_eq!(r.unmapped, vec![], "every gwno_loc maps to a state");
    assert_eq!(calls.last(), Some(&(2_752, 2_752)));
    let r = analyst
        .import_ucdp(UcdpDataset::Dyadic, &dyadic, None, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (r.records, r.added, r.changed, r.removed),
        (3_432, 3_432, 0, 0)
    );
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "ucdp_conflict_years").await, 2_752 + 3_432);

    // A re-import changes nothing.
    for (dataset, bytes, n) in [
        (UcdpDataset::Acd, &acd, 2_752),
        (UcdpDataset::Dyadic, &dyadic, 3_432),
    ] {
        let r = analyst
            .import_ucdp(dataset, bytes, None, &mut |_, _| {})
            .await
            .unwrap();
        assert_eq!((r.added, r.changed, r.removed, r.unchanged), (0, 0, 0, n));
    }

    // The active conflicts and dyads of Sudan (625), Yemen (678), CAR (482), Colombia (100) and
    // Iraq (645, also in "645, 630" rows) equal those computed from the files.
    for (iso, gw) in [
        ("SD", "625"),
        ("YE", "678"),
        ("CF", "482"),
        ("CO", "100"),
        ("IQ", "645"),
    ] {
        let c = analyst.country_conflicts(iso).await.unwrap();
        assert_eq!(c.acd_latest_year, Some(2024));
        let mut got: Vec<i64> = c.active_conflicts.iter().map(|x| x.conflict_id).collect();
        got.sort();
        assert_eq!(
            got,
            active_ids(&acd_rows, "conflict_id", gw),
            "{iso} conflicts"
        );
        let mut got: Vec<i64> = c.active_dyads.iter().filter_map(|x| x.dyad_id).collect();
        got.sort();
        assert_eq!(got, active_ids(&dyadic_rows, "dyad_id", gw), "{iso} dyads");
        for x in &c.past_conflicts {
            assert!(x.last_year < 2024);
        }
    }
    let sd = analyst.country_conflicts("SD").await.unwrap();
    assert!(
        !sd.active_conflicts.is_empty(),
        "Sudan's war is in the 2024 list"
    );
    // Years of a conflict counted from the file.
    let first = &sd.active_conflicts[0];
    let years = acd_rows
        .iter()
        .filter(|r| r["conflict_id"] == first.conflict_id.to_string())
        .count() as i64;
    assert_eq!(first.years_active, years);

    // The API and the page.
    let token = app.token("analyst").await;
    let (s, body) = app
        .api(Method::GET, "/api/v1/countries/SD/conflicts", &token, None)
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["active_conflicts"].as_array().unwrap().len(),
        sd.active_conflicts.len()
    );
    assert!(body["source"].as_str().unwrap().contains("UCDP/PRIO"));
    let (s, _) = app
        .api(Method::GET, "/api/v1/countries/ZZ/conflicts", &token, None)
        .await;
    assert_eq!(s, 422);
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/countries/SD").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Armed conflicts (UCDP)"), "{html}");
    assert!(html.contains(&first.side_b), "{html}");
    assert!(
        html.contains("Gleditsch, Nils Petter"),
        "the citation: {html}"
    );
    let (s, _) = b.get("/lang/nl?next=/").await;
    assert_eq!(s, 303);
    let (_, html) = b.get("/countries/SD").await;
    assert!(html.contains("Gewapende conflicten (UCDP)"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_conflict_list_reports_changed_and_removed_rows_and_a_wrong_file_writes_nothing() {
    use grotius_domain::ucdp::UcdpDataset;
    let acd = required(ACD);
    let i = Instance::seeded().await;
    let analyst = i.access("analyst").await;
    // The dyadic file is not the ACD: refused whole, naming what it lacks, nothing written.
    let e = analyst
        .import_ucdp(UcdpDataset::Acd, &required(DYADIC), None, &mut |_, _| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("cumulative_intensity"), "{e}");
    assert!(e.contains("ep_end"), "{e}");
    let e = analyst
        .import_ucdp(UcdpDataset::Dyadic, &car_bytes(), None, &mut |_, _| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("not the UCDP Dyadic Dataset"), "{e}");
    assert_eq!(count(&i.raw().await, "ucdp_conflict_years").await, 0);

    analyst
        .import_ucdp(UcdpDataset::Acd, &acd, None, &mut |_, _| {})
        .await
        .unwrap();
    // One row changes its intensity, one disappears.
    let mut rows = csv_rows(&acd);
    let changed = rows[0]["intensity_level"].clone();
    rows[0].insert(
        "intensity_level".into(),
        if changed == "1" {
            "2".into()
        } else {
            "1".into()
        },
    );
    rows.remove(1);
    let newer = to_csv(&acd, &rows);
    let r = analyst
        .import_ucdp(UcdpDataset::Acd, &newer, None, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (r.added, r.changed, r.removed, r.unchanged),
        (0, 1, 1, 2_750)
    );
    // A bad value: nothing written, the row and column named.
    rows[5].insert("year".into(), "last year".into());
    let bad = to_csv(&acd, &rows);
    let r = analyst
        .import_ucdp(UcdpDataset::Acd, &bad, None, &mut |_, _| {})
        .await
        .unwrap();
    assert!(!r.committed());
    assert_eq!(r.problems[0].row, 7);
    assert_eq!(r.problems[0].column, "year");
    assert_eq!(count(&i.raw().await, "ucdp_conflict_years").await, 2_751);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_water_chronology_keeps_every_row_and_reports_unparseable_dates() {
    let water = required(WATER);
    let rows = csv_rows(&water);
    assert_eq!(rows.len(), 927, "the chronology has 927 rows");
    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;

    // The real file with one row whose date fits no form: every row is kept, that one reported.
    let mut with_bad = rows.clone();
    let mut bad = rows[0].clone();
    bad.insert("Date".into(), "sometime in spring".into());
    bad.insert("Headline".into(), "A row with a vague date".into());
    with_bad.push(bad);
    let r = analyst
        .import_water(&to_csv(&water, &with_bad), None, &mut |_, _| {})
        .await
        .unwrap();
    assert!(r.committed(), "{:?}", r.problems);
    assert_eq!((r.records, r.added), (928, 928));
    assert_eq!(r.undated, vec![(929, "sometime in spring".to_string())]);
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "water_conflicts").await, 928);

    // The file itself: the extra row removed, nothing else changes; again: nothing at all.
    let r = analyst
        .import_water(&water, None, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        r.undated,
        vec![],
        "every date of the chronology has a known form"
    );
    assert_eq!((r.added, r.changed, r.removed, r.unchanged), (0, 0, 1, 927));
    let r = analyst
        .import_water(&water, None, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!((r.added, r.changed, r.removed, r.unchanged), (0, 0, 0, 927));
    assert_eq!(count(&raw, "water_conflicts").await, 927);

    // Yemen's events: the rows whose country column names Yemen, counted from the file.
    let yemen = rows
        .iter()
        .filter(|r| r["Country"].split(',').any(|c| c.trim() == "Yemen"))
        .count();
    assert!(yemen >= 136);
    let ye = analyst.country_water_conflicts("YE").await.unwrap();
    assert_eq!(ye.len(), yemen);
    let iraq = analyst.country_water_conflicts("IQ").await.unwrap();
    assert!(iraq.iter().all(|w| w.country.contains("Iraq")));
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/countries/YE").await;
    assert_eq!(s, 200);
    assert!(html.contains("Water conflicts"), "{html}");
    assert!(html.contains("Pacific Institute"), "{html}");

    // A file with a wrong header: refused, nothing written.
    let e = analyst
        .import_water(b"Date,Headline\n2001,x\n", None, &mut |_, _| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Conflict Type, Country, Region, Description, Sources"),
        "{e}"
    );
    assert_eq!(count(&raw, "water_conflicts").await, 927);
}

#[tokio::test]
async fn the_water_chronology_derives_year_ranges_of_its_own_dates() {
    let i = Instance::seeded().await;
    i.access("analyst")
        .await
        .import_water(&required(WATER), None, &mut |_, _| {})
        .await
        .unwrap();
    let raw = i.raw().await;
    for (date, from, to) in [
        ("3000 BC", Some(-3000), Some(-3000)),
        ("circa 1300 BC", Some(-1300), Some(-1300)),
        ("1720-1684 BC", Some(-1720), Some(-1684)),
        ("6th Century BC", Some(-600), Some(-501)),
        ("30 AD", Some(30), Some(30)),
        ("1850s", Some(1850), Some(1859)),
        ("1870s to 1881", Some(1870), Some(1881)),
        ("1978 onwards", Some(1978), None),
        ("1980s-1990s", Some(1980), Some(1999)),
    ] {
        let row =
            sqlx::query("SELECT year_from, year_to FROM water_conflicts WHERE date_text = $1")
                .bind(date)
                .fetch_one(&raw)
                .await
                .unwrap();
        use sqlx::Row;
        let got: (Option<i64>, Option<i64>) = (
            row.try_get("year_from").unwrap(),
            row.try_get("year_to").unwrap(),
        );
        assert_eq!(got, (from, to), "{date}");
    }
}

#[tokio::test]
async fn the_cli_imports_ucdp_lists_and_the_water_chronology() {
    let i = Instance::new().await;
    let data = i.data().to_str().unwrap().to_string();
    for (kind, file, expect) in [
        ("ucdp-acd", ACD, "2752 conflict-years read: 2752 added"),
        ("ucdp-dyadic", DYADIC, "3432 dyad-years read: 3432 added"),
        ("water", WATER, "927 rows read: 927 added"),
    ] {
        let args = ["import", kind, file, "--data", data.as_str()];
        let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(expect), "{out}");
        let (code, out) = crate::cli::run(&args, &i.database, None, &[]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("0 added, 0 changed, 0 removed"), "{out}");
    }
    // The ACD given as the dyadic list: a clear error, exit status not 0, nothing written.
    let before = count(&i.raw().await, "ucdp_conflict_years").await;
    let (code, out) = crate::cli::run(
        &["import", "ucdp-dyadic", ACD, "--data", data.as_str()],
        &i.database,
        None,
        &[],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("dyad_id"), "{out}");
    assert_eq!(count(&i.raw().await, "ucdp_conflict_years").await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_runs_every_kind_as_a_job_and_refuses_a_wrong_file_before_it_starts() {
    let app = App::spawn().await;
    let b = app.browser("analyst").await;
    let (s, html) = b.get("/early-warning/import?kind=water").await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("kind=water&amp;_csrf="),
        "the kind travels in the action: {html}"
    );
    let (s, _) = b.get("/early-warning/import?kind=nonsense").await;
    assert_eq!(s, 422);
    // A wrong file is refused on the form, no job, nothing written.
    let (s, html, _) = b
        .post(
            "/early-warning/import?kind=ucdp-acd",
            &[("file", "name,date\nx,2020\n")],
        )
        .await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("conflict_id"), "{html}");
    assert_eq!(count(&app.instance.raw().await, "event_imports").await, 0);

    let op = app.instance.store.cli_operator();
    for (kind, bytes, records) in [
        (
            grotius_store::EventImportKind::UcdpDyadic,
            required(DYADIC),
            "3432",
        ),
        (
            grotius_store::EventImportKind::Water,
            required(WATER),
            "927",
        ),
        (
            grotius_store::EventImportKind::Acled,
            required(ACLED),
            "811",
        ),
    ] {
        let job = op
            .start_event_import(kind, "upload.csv", bytes)
            .await
            .unwrap();
        let mut done = false;
        for _ in 0..600 {
            let (s, html) = b.get(&format!("/early-warning/imports/{job}")).await;
            assert_eq!(s, 200, "{html}");
            if html.contains("<strong>done</strong>") {
                assert!(html.contains(records), "{html}");
                assert!(html.contains("<progress"), "{html}");
                done = true;
                break;
            }
            assert!(!html.contains("<strong>failed</strong>"), "{html}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(done, "the {kind:?} job finished");
        let j = op.event_import_job(&job).await.unwrap();
        assert_eq!(j.kind, kind.as_str());
    }
}

/// A conflict-year and a water event under labels the analyst may not read (secret) change
/// nothing in her answers — not the lists, not the latest year that decides what is active —
/// while the coordinator, cleared for secret, sees them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_conflict_years_and_water_events_change_nothing_for_a_reader_who_may_not_see_them() {
    use grotius_domain::ucdp::UcdpDataset;
    let app = App::spawn().await;
    let analyst = app.instance.access("analyst").await;
    analyst
        .import_ucdp(UcdpDataset::Acd, &required(ACD), None, &mut |_, _| {})
        .await
        .unwrap();
    analyst
        .import_water(&required(WATER), None, &mut |_, _| {})
        .await
        .unwrap();
    let before = analyst.country_conflicts("SD").await.unwrap();
    let water_before = analyst.country_water_conflicts("SD").await.unwrap();
    let token = app.token("analyst").await;
    let (_, api_before) = app
        .api(Method::GET, "/api/v1/countries/SD/conflicts", &token, None)
        .await;

    let raw = app.instance.raw().await;
    sqlx::query(
        "INSERT INTO ucdp_conflict_years (id, dataset, source_id, conflict_id, dyad_id, year, location,
            gwno_loc, countries, side_a, side_a_2nd, side_b, side_b_2nd, incompatibility, territory_name,
            intensity_level, cumulative_intensity, type_of_conflict, start_date, start_date2, ep_end,
            ep_end_date, region, version, source_hash, classification, compartment_id, created_by,
            created_at, updated_at)
         VALUES ('hidden-1', 'acd', '999999:2025', 999999, NULL, 2025, 'Sudan', '625', '[\"SD\"]',
            'Government of Sudan', '', 'Hidden group', '', 2, '', 2, 1, 3, '2025-01-01', '2025-01-01',
            0, '', '4', 'x', 'x', 3, NULL, 'test', 0, 0)",
    )
    .execute(&raw)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO water_conflicts (id, row_key, date_text, year_from, year_to, approximate, headline,
            conflict_type, country_text, countries, region, description, sources, classification,
            compartment_id, created_by, created_at, updated_at)
         VALUES ('hidden-w', 'hidden', '2025', 2025, 2025, 0, 'Hidden water event', 'Trigger', 'Sudan',
            '[\"SD\"]', 'Africa', '', '', 3, NULL, 'test', 0, 0)",
    )
    .execute(&raw)
    .await
    .unwrap();

    assert_eq!(analyst.country_conflicts("SD").await.unwrap(), before);
    assert_eq!(
        analyst.country_water_conflicts("SD").await.unwrap(),
        water_before
    );
    let (_, api_after) = app
        .api(Method::GET, "/api/v1/countries/SD/conflicts", &token, None)
        .await;
    assert_eq!(api_after, api_before);
    let b = app.browser("analyst").await;
    let (_, html) = b.get("/countries/SD").await;
    assert!(!html.contains("Hidden group") && !html.contains("Hidden water event"));

    let coordinator = app.instance.access("coordinator").await;
    let c = coordinator.country_conflicts("SD").await.unwrap();
    assert_eq!(c.acd_latest_year, Some(2025));
    assert!(
        c.active_conflicts
            .iter()
            .any(|x| x.side_b == "Hidden group")
    );
    assert!(
        coordinator
            .country_water_conflicts("SD")
            .await
            .unwrap()
            .iter()
            .any(|w| w.headline == "Hidden water event")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_countrys_trend_is_its_row_of_all_countries_at_the_same_reference_month() {
    let i = Instance::seeded().await;
    let analyst = i.access("analyst").await;
    analyst
        .import_events(&car_bytes(), &mut |_, _| {})
        .await
        .unwrap();
    analyst
        .import_acled(&std::fs::read(ACLED).unwrap(), &mut |_, _| {})
        .await
        .unwrap();
    let params = analyst.signal_params().await.unwrap();
    let all = analyst.country_trends(None, &params).await.unwrap();
    let countries: Vec<&str> = all.countries.iter().map(|c| c.country.as_str()).collect();
    assert!(
        countries.contains(&"CF") && countries.contains(&"BJ"),
        "{countries:?}"
    );
    // The reference month is the latest of both files, whichever country is asked for.
    for c in &all.countries {
        let one = analyst.country_trend(&c.country, &params).await.unwrap();
        assert_eq!(one.as_of, all.as_of, "{}", c.country);
        assert_eq!(one.countries, vec![c.clone()], "{}", c.country);
    }
    // A country without events: no row, the same reference month.
    let none = analyst.country_trend("NL", &params).await.unwrap();
    assert!(none.countries.is_empty());
    assert_eq!(none.as_of, all.as_of);
    assert_buckets_match_events(&i.raw().await).await;
}
