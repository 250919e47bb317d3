//! `grotius bench search --docs N`: a synthetic corpus of realistic shape (Zipf-distributed
//! vocabulary with the unit's real topical words, a spread of kinds, countries, years, themes,
//! classifications and compartments), indexed by the search index and by SQLite FTS5, and the
//! same 20 queries — with facets and the authorisation filter on — run alternately on both.

use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::Result;
use grotius_domain::{Classification, CompartmentId, Labels, ResourceKind};
use grotius_search::{Lang, Position, SOURCES, Scope, SearchDoc, SearchIndex, SearchRequest};
use sqlx::Row;

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

const TOPICAL: &[&str] = &[
    "water",
    "ceasefire",
    "negotiation",
    "women",
    "agreement",
    "security",
    "border",
    "refugees",
    "elections",
    "constitution",
    "justice",
    "militia",
    "humanitarian",
    "access",
    "power",
    "sharing",
    "federal",
    "oil",
    "land",
    "grazing",
    "monitoring",
    "mediation",
    "dialogue",
    "prisoners",
    "exchange",
    "disarmament",
    "reintegration",
    "police",
    "army",
    "truce",
];
const COUNTRIES: &[&str] = &[
    "SD", "SS", "YE", "CO", "VE", "UA", "ML", "NE", "ET", "SO", "LY", "SY", "AF", "MM", "PH", "CF",
    "CD", "MZ", "IQ", "LB",
];
const THEMES: &[&str] = &["rule-of-law", "water", "mhpss", "wps", "innovation"];
const COMPARTMENTS: &[&str] = &["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"];

/// A pseudo-word for rank `i` of the vocabulary.
fn word(i: u64) -> String {
    const SYL: [&str; 16] = [
        "ka", "ro", "mi", "sen", "tu", "lar", "vi", "no", "des", "pa", "ge", "lo", "ri", "man",
        "su", "ber",
    ];
    let mut s = String::new();
    let mut n = i + 17;
    while n > 0 {
        s.push_str(SYL[(n % 16) as usize]);
        n /= 16;
    }
    s
}

/// Zipf-like rank: small ranks far more often.
fn zipf(rng: &mut Rng, vocab: u64) -> u64 {
    let u = (rng.below(1_000_000) as f64 + 1.0) / 1_000_001.0;
    ((vocab as f64).powf(u) - 1.0) as u64
}

struct Doc {
    kind: ResourceKind,
    title: String,
    body: String,
    country: &'static str,
    year: u64,
    theme: &'static str,
    level: u64,
    comp: Option<usize>,
}

fn make(rng: &mut Rng) -> Doc {
    let vocab = 30_000;
    let text = |n: usize, rng: &mut Rng| {
        (0..n)
            .map(|_| {
                if rng.below(6) == 0 {
                    TOPICAL[rng.below(TOPICAL.len() as u64) as usize].to_string()
                } else {
                    word(zipf(rng, vocab))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let title = text(6, rng);
    let body = text(40, rng);
    let level = match rng.below(10) {
        0..=2 => 0,
        3..=6 => 1,
        7..=8 => 2,
        _ => 3,
    };
    Doc {
        kind: SOURCES[rng.below(4) as usize].kind,
        title,
        body,
        country: COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize],
        year: 1990 + rng.below(35),
        theme: THEMES[rng.below(5) as usize],
        level,
        comp: (rng.below(10) == 0).then(|| rng.below(8) as usize),
    }
}

fn to_search_doc(i: usize, d: Doc) -> SearchDoc {
    SearchDoc {
        kind: d.kind,
        id: i.to_string(),
        parent: String::new(),
        title: d.title,
        body: d.body,
        private_body: String::new(),
        lang: Some(Lang::En),
        countries: vec![d.country.to_string()],
        year: Some(d.year),
        date: d.year as i64 * 1_000_000,
        themes: vec![d.theme.to_string()],
        labels: Labels {
            classification: Classification::from_level(d.level as i64)
                .unwrap_or(Classification::Secret),
            compartment: d
                .comp
                .and_then(|c| CompartmentId::parse(COMPARTMENTS[c]).ok()),
        },
    }
}

/// One query for both engines: full-text part (same syntax subset) and field filters.
struct Q {
    text: &'static str,
    fts: &'static str,
    country: Option<&'static str>,
    years: Option<(u64, u64)>,
    kind: Option<&'static str>,
}

const QUERIES: &[Q] = &[
    Q {
        text: "water",
        fts: "water",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "ceasefire monitoring",
        fts: "ceasefire monitoring",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "\"power sharing\"",
        fts: "\"power sharing\"",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "women OR justice",
        fts: "women OR justice",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "water",
        fts: "water",
        country: Some("SD"),
        years: None,
        kind: None,
    },
    Q {
        text: "agreement",
        fts: "agreement",
        country: None,
        years: Some((2015, 2020)),
        kind: None,
    },
    Q {
        text: "refugees border",
        fts: "refugees border",
        country: Some("YE"),
        years: Some((2000, 2024)),
        kind: None,
    },
    Q {
        text: "elections",
        fts: "elections",
        country: None,
        years: None,
        kind: Some("process"),
    },
    Q {
        text: "militia disarmament reintegration",
        fts: "militia disarmament reintegration",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "humanitarian access",
        fts: "humanitarian access",
        country: Some("SS"),
        years: None,
        kind: None,
    },
    Q {
        text: "kasen",
        fts: "kasen",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "romi tulo",
        fts: "romi tulo",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "oil land grazing",
        fts: "oil land grazing",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "dialogue NOT army",
        fts: "dialogue NOT army",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "prisoners exchange",
        fts: "prisoners exchange",
        country: None,
        years: Some((1995, 2005)),
        kind: Some("engagement"),
    },
    Q {
        text: "constitution federal",
        fts: "constitution federal",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "police",
        fts: "police",
        country: Some("CO"),
        years: None,
        kind: Some("actor"),
    },
    Q {
        text: "truce mediation",
        fts: "truce mediation",
        country: None,
        years: None,
        kind: None,
    },
    Q {
        text: "negotiation security",
        fts: "negotiation security",
        country: Some("UA"),
        years: Some((2014, 2024)),
        kind: None,
    },
    Q {
        text: "\"ceasefire agreement\"",
        fts: "\"ceasefire agreement\"",
        country: None,
        years: None,
        kind: None,
    },
];

fn tantivy_query(q: &Q) -> String {
    let mut s = q.text.to_string();
    if let Some(c) = q.country {
        s.push_str(&format!(" country:{c}"));
    }
    if let Some((a, b)) = q.years {
        s.push_str(&format!(" year:{a}..{b}"));
    }
    if let Some(k) = q.kind {
        s.push_str(&format!(" kind:{k}"));
    }
    s
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn search(docs: usize, rounds: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    // The subject: confidential clearance, two compartments of eight, every kind.
    let scope = Scope {
        clearance: Classification::Confidential,
        compartments: ["c1", "c2"]
            .iter()
            .filter_map(|c| CompartmentId::parse(c).ok())
            .collect::<BTreeSet<_>>(),
        kinds: SOURCES.iter().map(|s| s.kind).collect(),
    };

    // Index.
    let index = SearchIndex::open(&dir.path().join("index"))?;
    let t = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    index.rebuild(
        (0..docs).map(|i| to_search_doc(i, make(&mut rng))),
        &Position {
            instance: "bench".into(),
            seq: 0,
        },
    )?;
    let index_secs = t.elapsed().as_secs_f64();
    println!("search index: {docs} documents indexed in {index_secs:.1} s");

    // SQLite FTS5 on the same corpus.
    let db = dir.path().join("fts.db");
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{}?mode=rwc", db.display()))
        .await?;
    sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61')")
        .execute(&pool)
        .await?;
    sqlx::query("CREATE TABLE meta (id INTEGER PRIMARY KEY, kind TEXT, country TEXT, year INTEGER, theme TEXT, classification INTEGER, compartment TEXT)")
        .execute(&pool)
        .await?;
    let t = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut tx = pool.begin().await?;
    for i in 0..docs {
        let d = make(&mut rng);
        sqlx::query("INSERT INTO fts (rowid, title, body) VALUES ($1, $2, $3)")
            .bind(i as i64)
            .bind(&d.title)
            .bind(&d.body)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO meta VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(i as i64)
            .bind(d.kind.as_str())
            .bind(d.country)
            .bind(d.year as i64)
            .bind(d.theme)
            .bind(d.level as i64)
            .bind(d.comp.map_or("-", |c| COMPARTMENTS[c]))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    sqlx::query("CREATE INDEX meta_labels ON meta (classification, compartment)")
        .execute(&pool)
        .await?;
    println!(
        "SQLite FTS5: {docs} documents indexed in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let filter = "m.classification <= 2 AND m.compartment IN ('-', 'c1', 'c2')";
    let mut tan = Vec::new();
    let mut fts = Vec::new();
    for _ in 0..rounds {
        for q in QUERIES {
            // The search index: top 10, total, four facets, snippets, scope inside.
            let req = SearchRequest {
                q: tantivy_query(q),
                limit: 10,
                offset: 0,
                sort: Default::default(),
            };
            let t = Instant::now();
            let r = index.search(&scope, &req)?;
            tan.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(r);

            // FTS5: the same answer in SQL (top 10 by rank, total, four facet counts).
            let mut cond = format!("fts MATCH $1 AND {filter}");
            if let Some(c) = q.country {
                cond.push_str(&format!(" AND m.country = '{c}'"));
            }
            if let Some((a, b)) = q.years {
                cond.push_str(&format!(" AND m.year BETWEEN {a} AND {b}"));
            }
            if let Some(k) = q.kind {
                cond.push_str(&format!(" AND m.kind = '{k}'"));
            }
            let from = format!("FROM fts JOIN meta m ON m.id = fts.rowid WHERE {cond}");
            let t = Instant::now();
            let top = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT fts.rowid, snippet(fts, 1, '<b>', '</b>', '…', 20) {from} ORDER BY rank LIMIT 10"
            )))
            .bind(q.fts)
            .fetch_all(&pool)
            .await?;
            let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
                .bind(q.fts)
                .fetch_one(&pool)
                .await?
                .try_get(0)?;
            for col in ["kind", "country", "year", "theme"] {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT m.{col}, COUNT(*) {from} GROUP BY m.{col}"
                )))
                .bind(q.fts)
                .fetch_all(&pool)
                .await?;
                std::hint::black_box(rows.len());
            }
            fts.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box((top.len(), total));
        }
    }
    tan.sort_by(f64::total_cmp);
    fts.sort_by(f64::total_cmp);
    let (t50, t99) = (percentile(&tan, 0.5), percentile(&tan, 0.99));
    let (f50, f99) = (percentile(&fts, 0.5), percentile(&fts, 0.99));
    println!(
        "{} queries × {rounds} rounds, top 10 + total + 4 facets, authorisation filter on",
        QUERIES.len()
    );
    println!("search index  p50 {t50:8.2} ms  p99 {t99:8.2} ms");
    println!("SQLite FTS5   p50 {f50:8.2} ms  p99 {f99:8.2} ms");
    println!(
        "ratio (FTS5 / index)  p50 {:.1}×  p99 {:.1}×",
        f50 / t50.max(1e-9),
        f99 / t99.max(1e-9)
    );
    pool.close().await;
    Ok(())
}
