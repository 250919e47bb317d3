//! `grotius bench events`: a deterministic synthetic GED file (the 49 columns, with quoting,
//! commas and quotes inside fields, non-ASCII names and empty fields) imported into the durable
//! store through the importer users run, then the country-month aggregation over every row and
//! the escalation ranking (`Access::country_trends`, policy checks included), the same over
//! HTTP, and the country profile page at that size — side by side in the same run with DuckDB
//! and polars on the same CSV (`bench/events_reference.py`, when Python has them).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use grotius_domain::early_warning::GED_COLUMNS;
use grotius_domain::{Classification, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// GED country names (as GED spells them), their GW code and a rough centre.
const COUNTRIES: &[(&str, i64, f64, f64)] = &[
    ("Sudan", 625, 15.5, 32.5),
    ("Yemen (North Yemen)", 678, 15.4, 44.2),
    ("Central African Republic", 482, 6.6, 20.9),
    ("Colombia", 100, 4.6, -74.1),
    ("DR Congo (Zaire)", 490, -2.9, 23.6),
    ("Somalia", 520, 5.2, 46.2),
    ("Nigeria", 475, 9.1, 8.7),
    ("Mali", 432, 17.6, -4.0),
    ("Burkina Faso", 439, 12.2, -1.6),
    ("Niger", 436, 17.6, 8.1),
    ("Ethiopia", 530, 9.1, 40.5),
    ("South Sudan", 626, 7.9, 30.0),
    ("Afghanistan", 700, 33.9, 67.7),
    ("Syria", 652, 34.8, 39.0),
    ("Iraq", 645, 33.2, 43.7),
    ("Myanmar (Burma)", 775, 21.9, 95.9),
    ("Ukraine", 369, 48.4, 31.2),
    ("Mozambique", 541, -18.7, 35.5),
    ("Cameroon", 471, 7.4, 12.4),
    ("Chad", 483, 15.5, 18.7),
    ("Libya", 620, 26.3, 17.2),
    ("Mexico", 70, 23.6, -102.6),
    ("Philippines", 840, 12.9, 121.8),
    ("Pakistan", 770, 30.4, 69.3),
    ("India", 750, 20.6, 79.0),
    ("Kenya", 501, -0.02, 37.9),
    ("Uganda", 500, 1.4, 32.3),
    ("Burundi", 516, -3.4, 29.9),
    ("Haiti", 41, 18.97, -72.3),
    ("Lebanon", 660, 33.9, 35.9),
];

const SIDES: &[&str] = &[
    "Government of {c}",
    "Forces armées nationales",
    "Jama'at Nusrat al-Islam wa'l-Muslimin",
    "Rapid Support Forces",
    "Ejército de Liberación Nacional",
    "Coalition \"Patriotes\"",
    "Civilians",
    "Al-Shabaab",
    "Séléka, ex-",
];

const PLACES: &[&str] = &[
    "Bangui, Bimbo",
    "Ndélé",
    "El Fasher (Al-Fashir)",
    "Tombouctou",
    "Cúcuta, Norte de Santander",
    "Goma \"town\"",
    "Kharkiv oblast",
    "Mogadishu",
    "Maiduguri",
    "Ouagadougou",
];

fn csv_field(out: &mut String, v: &str) {
    if v.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// Writes `rows` synthetic GED events to `path`. Each country has its own base rate and some
/// countries escalate in the last months, so the ranking has something to find.
pub fn write_synthetic_ged(path: &Path, rows: usize) -> Result<()> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{}", GED_COLUMNS.join(","))?;
    // 2000-01 .. 2023-12: 288 months.
    let months = 288u64;
    let mut line = String::with_capacity(512);
    for i in 0..rows {
        let ci = (rng.below(COUNTRIES.len() as u64 * 3) % COUNTRIES.len() as u64) as usize;
        let (country, gw, lat, lon) = COUNTRIES[ci];
        // Every fifth country escalates: a third of its events fall in the last 3 months.
        let m = if ci.is_multiple_of(5) && rng.below(3) == 0 {
            months - 1 - rng.below(3)
        } else {
            rng.below(months)
        };
        let (year, month) = (2000 + m / 12, m % 12 + 1);
        let day = 1 + rng.below(28);
        let tv = 1 + rng.below(3);
        let side_a = SIDES[(ci + tv as usize) % SIDES.len()].replace("{c}", country);
        let side_b =
            SIDES[(ci * 7 + 3 + rng.below(3) as usize) % SIDES.len()].replace("{c}", country);
        let conflict_id = 1000 + ci as u64 * 10 + tv;
        let dyad_id = 5000 + ci as u64 * 30 + tv * 3 + rng.below(3);
        let best = if rng.below(4) == 0 { 0 } else { rng.below(40) };
        let low = best.saturating_sub(rng.below(3));
        let high = best + rng.below(10);
        let place = PLACES[rng.below(PLACES.len() as u64) as usize];
        let la = lat + (rng.below(4000) as f64 - 2000.0) / 1000.0;
        let lo = lon + (rng.below(4000) as f64 - 2000.0) / 1000.0;
        let date = format!("{year}-{month:02}-{day:02} 00:00:00.000");
        let id = (i + 1).to_string();
        let fields: [String; 49] = [
            id.clone(),
            format!("SYN-{year}-{}", i + 1),
            year.to_string(),
            "TRUE".into(),
            "Clear".into(),
            tv.to_string(),
            conflict_id.to_string(),
            conflict_id.to_string(),
            format!("{side_a} - {side_b}"),
            dyad_id.to_string(),
            dyad_id.to_string(),
            format!("{side_a} - {side_b}"),
            "1".into(),
            (conflict_id + 1).to_string(),
            side_a.clone(),
            "2".into(),
            (conflict_id + 2).to_string(),
            side_b.clone(),
            (1 + rng.below(5)).to_string(),
            if rng.below(3) == 0 {
                String::new()
            } else {
                format!("\"Agence, {place}\" {year}-{month:02}-{day:02}")
            },
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            (1 + rng.below(6)).to_string(),
            place.to_string(),
            format!("{place}, {country}"),
            format!("{place} province"),
            if rng.below(2) == 0 {
                String::new()
            } else {
                format!("{place} district")
            },
            format!("{la:.4}"),
            format!("{lo:.4}"),
            format!("POINT ({lo:.4} {la:.4})"),
            (100_000 + rng.below(100_000)).to_string(),
            country.to_string(),
            gw.to_string(),
            "Africa".into(),
            "1".into(),
            "1".into(),
            date.clone(),
            date,
            "0".into(),
            "0".into(),
            best.to_string(),
            "0".into(),
            best.to_string(),
            high.to_string(),
            low.to_string(),
            gw.to_string(),
            String::new(),
        ];
        line.clear();
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            csv_field(&mut line, f);
        }
        writeln!(w, "{line}")?;
    }
    w.flush()?;
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn http_get(addr: std::net::SocketAddr, path: &str, auth: &str) -> Result<usize> {
    let mut conn = tokio::net::TcpStream::connect(addr).await?;
    conn.set_nodelay(true)?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}\r\nConnection: close\r\n\r\n");
    conn.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    conn.read_to_end(&mut buf).await?;
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no HTTP answer")?;
    let head = String::from_utf8_lossy(&buf[..head_end]);
    if !head.starts_with("HTTP/1.1 200") {
        bail!("GET {path}: {}", head.lines().next().unwrap_or_default());
    }
    Ok(buf.len() - head_end - 4)
}

pub async fn events(rows: usize, runs: usize, dir: Option<&Path>, python: &str) -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.to_path_buf()
        }
        None => tmp.path().to_path_buf(),
    };
    let csv = dir.join("ged-synthetic.csv");
    let t = Instant::now();
    write_synthetic_ged(&csv, rows)?;
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "events benchmark: {rows} synthetic GED rows ({:.0} MB) written in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    // Our import: the importer users run (parse, check, idempotent upsert, audit), durable.
    let data = dir.join("data");
    std::fs::create_dir_all(&data)?;
    let ring = grotius_security::create_instance_keys(&data)?;
    let store = grotius_store::Store::open(&data, None, ring).await?;
    let op = store.cli_operator();
    let user = op
        .create_user(&grotius_store::NewUser {
            username: "bench-analyst".into(),
            display_name: "Bench analyst".into(),
            password: "bench-password-2026".into(),
            roles: vec![Role::Analyst],
            clearance: Classification::Secret,
            organisation: None,
        })
        .await?;
    let analyst = store
        .cli_act_as(&user.id)
        .await?
        .context("the bench analyst")?;
    let bytes = std::fs::read(&csv)?;
    // What reading and checking the file alone takes (the importer's first step).
    let t = Instant::now();
    let parsed = grotius_domain::early_warning::read_ged(&bytes)?;
    let read_secs = t.elapsed().as_secs_f64();
    drop(parsed);
    let t = Instant::now();
    let report = analyst.import_events(&bytes, &mut |_, _| {}).await?;
    let import_secs = t.elapsed().as_secs_f64();
    drop(bytes);
    println!(
        "grotius import (SQLite, durable): {import_secs:.1} s — {} added (of which reading and checking the file: {read_secs:.1} s)",
        report.added
    );

    // The aggregation and ranking through the store and the policy checks.
    let params = analyst.signal_params().await?;
    let mut agg = Vec::new();
    let mut top = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let trends = analyst.country_trends(None, &params).await?;
        agg.push(t.elapsed().as_secs_f64());
        top = trends
            .countries
            .iter()
            .take(20)
            .map(|c| c.country.clone())
            .collect::<Vec<_>>();
    }
    agg.sort_by(f64::total_cmp);
    println!(
        "country-month aggregation + escalation top 20 (Access::country_trends): p50 {:.3} s, min {:.3} s; top 5: {}",
        percentile(&agg, 0.5),
        agg[0],
        top.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
    );

    // Through HTTP: the countries API and the country profile page (a logged-in session).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(grotius_web::serve(
        listener,
        grotius_web::AppState::new(store.clone(), grotius_web::WebConfig::default()),
        async move {
            let _ = stopped.await;
        },
    ));
    let (token, _) = analyst.create_token("bench", "read", 3600).await?;
    let session = match store.login("bench-analyst", "bench-password-2026").await? {
        grotius_store::LoginOutcome::Session { token, .. } => token,
        grotius_store::LoginOutcome::Failed => bail!("the bench analyst cannot log in"),
    };
    let bearer = format!("Authorization: Bearer {token}");
    let cookie = format!("Cookie: {}={session}", grotius_web::auth::SESSION_COOKIE);
    let mut api = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        http_get(addr, "/api/v1/events/countries", &bearer).await?;
        api.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    api.sort_by(f64::total_cmp);
    let country = top.first().cloned().unwrap_or_else(|| "SD".into());
    let mut page = Vec::new();
    let mut series = Vec::new();
    for _ in 0..runs.max(20) {
        let t = Instant::now();
        http_get(addr, &format!("/countries/{country}"), &cookie).await?;
        page.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        http_get(
            addr,
            &format!("/api/v1/events/series?country={country}&by=month"),
            &bearer,
        )
        .await?;
        series.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    page.sort_by(f64::total_cmp);
    series.sort_by(f64::total_cmp);
    println!(
        "HTTP GET /api/v1/events/countries: p50 {:.0} ms, p99 {:.0} ms",
        percentile(&api, 0.5),
        percentile(&api, 0.99)
    );
    println!(
        "HTTP GET /countries/{country} (profile page): p50 {:.0} ms, p99 {:.0} ms ({} requests)",
        percentile(&page, 0.5),
        percentile(&page, 0.99),
        page.len()
    );
    println!(
        "HTTP GET /api/v1/events/series?country={country}&by=month: p50 {:.0} ms, p99 {:.0} ms",
        percentile(&series, 0.5),
        percentile(&series, 0.99)
    );
    let _ = stop.send(());
    server.await??;

    // The references on the same file, in the same run.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/events_reference.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&csv)
        .arg(runs.to_string())
        .output();
    match out {
        Ok(o) if o.status.success() => print!("{}", String::from_utf8_lossy(&o.stdout)),
        Ok(o) => println!(
            "reference skipped: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => println!("reference skipped: {e}"),
    }
    Ok(())
}
