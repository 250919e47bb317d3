//! `grotius bench search --docs N [--pax FILE] [--postgres]`: a corpus of realistic shape — the
//! real PA-X agreements plus synthetic records (Zipf-distributed vocabulary with the unit's real
//! topical words, a spread of kinds, countries, years, themes, classifications and compartments)
//! — indexed by the search index, by SQLite FTS5 and by PostgreSQL full-text search (tsvector +
//! GIN), and the same 20 queries — top 10 with snippets, total, four facets, the authorisation
//! filter on — run alternately on each engine after one warm-up round.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use grotius_domain::{Classification, CompartmentId, Labels, ResourceKind};
use grotius_search::{
    Change, Lang, Position, SOURCES, Scope, SearchDoc, SearchIndex, SearchRequest,
};
use sqlx::Row;

/// What `grotius bench search` runs.
#[derive(Debug, Clone)]
pub struct SearchBench {
    /// Documents in the corpus (the PA-X agreements count among them).
    pub docs: usize,
    pub rounds: usize,
    /// The PA-X CSV whose agreements join the corpus.
    pub pax: Option<PathBuf>,
    /// Also PostgreSQL full-text search (tsvector + GIN) on this database.
    pub postgres: Option<String>,
    /// Skip SQLite FTS5.
    pub no_sqlite: bool,
    /// Where the search index is kept (and reused when it holds `docs` documents); a
    /// temporary directory when `None`.
    pub index_dir: Option<PathBuf>,
}

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
    country: String,
    year: u64,
    theme: Option<&'static str>,
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
        country: COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize].to_string(),
        year: 1990 + rng.below(35),
        theme: Some(THEMES[rng.below(5) as usize]),
        level,
        comp: (rng.below(10) == 0).then(|| rng.below(8) as usize),
    }
}

/// The PA-X agreements as corpus documents: public, the first country, the first theme.
fn agreements(path: &PathBuf) -> Result<Vec<Doc>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = grotius_domain::agreement::read_pax(&bytes);
    if !file.problems.is_empty() {
        bail!("{}: {:?}", path.display(), file.problems.first());
    }
    Ok(file
        .rows
        .into_iter()
        .map(|r| {
            let d = r.data;
            let theme = if d.facets.water {
                Some("water")
            } else if d.facets.women {
                Some("wps")
            } else if d.facets.transitional_justice || d.facets.human_rights {
                Some("rule-of-law")
            } else {
                None
            };
            let body = [
                d.peace_process,
                d.country_text,
                d.region,
                d.agreement_type,
                d.stage,
                d.status,
                d.conflict_type,
                d.parties,
                d.third_parties,
            ]
            .into_iter()
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join(". ");
            Doc {
                kind: ResourceKind::Agreement,
                title: d.name,
                body,
                country: d.countries.first().cloned().unwrap_or_default(),
                year: u64::try_from(d.year).unwrap_or(0),
                theme,
                level: 0,
                comp: None,
            }
        })
        .collect())
}

/// The corpus, the same on every call: the agreements, then synthetic records up to `docs`.
fn corpus(docs: usize, pax: &[Doc]) -> impl Iterator<Item = Doc> + '_ {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let real = pax.len().min(docs);
    pax[..real]
        .iter()
        .map(|d| Doc {
            kind: d.kind,
            title: d.title.clone(),
            body: d.body.clone(),
            country: d.country.clone(),
            year: d.year,
            theme: d.theme,
            level: d.level,
            comp: d.comp,
        })
        .chain((real..docs).map(move |_| make(&mut rng)))
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
        countries: if d.country.is_empty() {
            Vec::new()
        } else {
            vec![d.country]
        },
        year: Some(d.year),
        date: d.year as i64 * 1_000_000,
        themes: d.theme.map(str::to_string).into_iter().collect(),
        labels: Labels {
            classification: Classification::from_level(d.level as i64)
                .unwrap_or(Classification::Secret),
            compartment: d
                .comp
                .and_then(|c| CompartmentId::parse(COMPARTMENTS[c]).ok()),
        },
    }
}

/// One query for every engine: full-text part (same syntax subset) and field filters.
struct Q {
    text: &'static str,
    /// The FTS5 form; PostgreSQL takes it through `websearch_to_tsquery` (NOT becomes `-`).
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
        text: "government sudan",
        fts: "government sudan",
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
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The SQL conditions of a query's field filters (the values are constants of this file).
fn sql_filters(q: &Q) -> String {
    let mut cond = String::new();
    if let Some(c) = q.country {
        cond.push_str(&format!(" AND m.country = '{c}'"));
    }
    if let Some((a, b)) = q.years {
        cond.push_str(&format!(" AND m.year BETWEEN {a} AND {b}"));
    }
    if let Some(k) = q.kind {
        cond.push_str(&format!(" AND m.kind = '{k}'"));
    }
    cond
}

/// The PostgreSQL form of a query (`websearch_to_tsquery` syntax).
fn pg_text(q: &Q) -> String {
    q.fts.replace(" NOT ", " -")
}

/// The authorisation predicate of the benchmark subject in SQL (confidential clearance,
/// compartments c1 and c2) — the same as the index's scope.
const SQL_SCOPE: &str = "m.classification <= 2 AND m.compartment IN ('-', 'c1', 'c2')";

/// Escapes a value for PostgreSQL's COPY text format.
fn copy_escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

struct Engine {
    name: &'static str,
    index_secs: f64,
    times: Vec<f64>,
    water_total: i64,
}

async fn load_sqlite(pool: &sqlx::SqlitePool, docs: usize, pax: &[Doc]) -> Result<f64> {
    sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'porter unicode61')")
        .execute(pool)
        .await?;
    sqlx::query("CREATE TABLE meta (id INTEGER PRIMARY KEY, kind TEXT, country TEXT, year INTEGER, theme TEXT, classification INTEGER, compartment TEXT)")
        .execute(pool)
        .await?;
    let t = Instant::now();
    let mut tx = pool.begin().await?;
    const ROWS: usize = 200;
    let mut batch: Vec<(usize, Doc)> = Vec::with_capacity(ROWS);
    let mut it = corpus(docs, pax).enumerate().peekable();
    while it.peek().is_some() {
        batch.clear();
        batch.extend(it.by_ref().take(ROWS));
        let marks = |n: usize, w: usize| {
            (0..n)
                .map(|r| {
                    format!(
                        "({})",
                        (1..=w)
                            .map(|c| format!("${}", r * w + c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "INSERT INTO fts (rowid, title, body) VALUES {}",
            marks(batch.len(), 3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, d) in &batch {
            q = q.bind(*i as i64).bind(&d.title).bind(&d.body);
        }
        q.execute(&mut *tx).await?;
        let sql = format!("INSERT INTO meta VALUES {}", marks(batch.len(), 7));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, d) in &batch {
            q = q
                .bind(*i as i64)
                .bind(d.kind.as_str())
                .bind(&d.country)
                .bind(d.year as i64)
                .bind(d.theme)
                .bind(d.level as i64)
                .bind(d.comp.map_or("-", |c| COMPARTMENTS[c]));
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("CREATE INDEX meta_labels ON meta (classification, compartment)")
        .execute(pool)
        .await?;
    Ok(t.elapsed().as_secs_f64())
}

async fn query_sqlite(pool: &sqlx::SqlitePool, q: &Q) -> Result<i64> {
    let from = format!(
        "FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH $1 AND {SQL_SCOPE}{}",
        sql_filters(q)
    );
    let top = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT fts.rowid, snippet(fts, 1, '<b>', '</b>', '…', 20) {from} ORDER BY rank LIMIT 10"
    )))
    .bind(q.fts)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(q.fts)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    for col in ["kind", "country", "year", "theme"] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT m.{col}, COUNT(*) {from} GROUP BY m.{col}"
        )))
        .bind(q.fts)
        .fetch_all(pool)
        .await?;
        std::hint::black_box(rows.len());
    }
    std::hint::black_box(top.len());
    Ok(total)
}

async fn load_postgres(pool: &sqlx::PgPool, docs: usize, pax: &[Doc]) -> Result<f64> {
    sqlx::query("DROP TABLE IF EXISTS grotius_bench_docs")
        .execute(pool)
        .await?;
    sqlx::query(
        "CREATE UNLOGGED TABLE grotius_bench_docs (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, country TEXT NOT NULL,
            year INTEGER NOT NULL, theme TEXT, classification INTEGER NOT NULL, compartment TEXT NOT NULL,
            title TEXT NOT NULL, body TEXT NOT NULL,
            tsv TSVECTOR GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || to_tsvector('english', body)) STORED)",
    )
    .execute(pool)
    .await?;
    let t = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY grotius_bench_docs (id, kind, country, year, theme, classification, compartment, title, body) FROM STDIN",
        )
        .await?;
    let mut buf = String::with_capacity(1 << 20);
    for (i, d) in corpus(docs, pax).enumerate() {
        buf.push_str(&format!(
            "{i}\t{}\t{}\t{}\t{}\t{}\t{}\t",
            d.kind.as_str(),
            d.country,
            d.year,
            d.theme.unwrap_or("\\N"),
            d.level,
            d.comp.map_or("-", |c| COMPARTMENTS[c]),
        ));
        copy_escape(&d.title, &mut buf);
        buf.push('\t');
        copy_escape(&d.body, &mut buf);
        buf.push('\n');
        if buf.len() > (1 << 20) {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    drop(conn);
    for sql in [
        "CREATE INDEX grotius_bench_docs_tsv ON grotius_bench_docs USING GIN (tsv)",
        "CREATE INDEX grotius_bench_docs_labels ON grotius_bench_docs (classification, compartment)",
        "VACUUM ANALYZE grotius_bench_docs",
    ] {
        sqlx::query(sql).execute(pool).await?;
    }
    Ok(t.elapsed().as_secs_f64())
}

async fn query_postgres(pool: &sqlx::PgPool, q: &Q) -> Result<i64> {
    let from = format!(
        "FROM grotius_bench_docs m, websearch_to_tsquery('english', $1) query WHERE m.tsv @@ query AND {SQL_SCOPE}{}",
        sql_filters(q)
    );
    let text = pg_text(q);
    // Top 10 by rank, with a highlighted snippet of those ten only.
    let top = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, ts_headline('english', body, query, 'StartSel=<b>, StopSel=</b>, MaxWords=35') FROM (
            SELECT m.id, m.body, query, ts_rank(m.tsv, query) AS r {from} ORDER BY r DESC LIMIT 10) t ORDER BY r DESC"
    )))
    .bind(&text)
    .fetch_all(pool)
    .await?;
    // Total and the four facets in one scan.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.kind, m.country, m.year, m.theme, COUNT(*) AS n {from}
         GROUP BY GROUPING SETS ((), (m.kind), (m.country), (m.year), (m.theme))"
    )))
    .bind(&text)
    .fetch_all(pool)
    .await?;
    let mut total = 0;
    for r in &rows {
        let (k, c, y, t): (Option<String>, Option<String>, Option<i32>, Option<String>) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        if k.is_none() && c.is_none() && y.is_none() && t.is_none() {
            total = total.max(r.try_get::<i64, _>(4)?);
        }
    }
    std::hint::black_box(top.len());
    Ok(total)
}

pub async fn search(opts: SearchBench) -> Result<()> {
    let SearchBench {
        docs,
        rounds,
        pax,
        postgres,
        no_sqlite,
        index_dir,
    } = opts;
    let pax = match &pax {
        Some(p) => agreements(p)?,
        None => Vec::new(),
    };
    let dir = tempfile::tempdir()?;
    println!(
        "corpus: {docs} documents ({} PA-X agreements, {} synthetic)",
        pax.len().min(docs),
        docs - pax.len().min(docs)
    );
    // The subject: confidential clearance, two compartments of eight, every kind.
    let scope = Scope {
        clearance: Classification::Confidential,
        compartments: ["c1", "c2"]
            .iter()
            .filter_map(|c| CompartmentId::parse(c).ok())
            .collect::<BTreeSet<_>>(),
        kinds: SOURCES.iter().map(|s| s.kind).collect(),
    };

    // The search index: bulk load with two threads, then one segment per core (`merge_into`).
    let index_path = index_dir.unwrap_or_else(|| dir.path().join("index"));
    let index = SearchIndex::open(&index_path)?;
    let index_secs = if index.len() == docs as u64 {
        println!(
            "search index: reusing {} documents in {}",
            index.len(),
            index_path.display()
        );
        f64::NAN
    } else {
        let t = Instant::now();
        index.rebuild_with(
            corpus(docs, &pax)
                .enumerate()
                .map(|(i, d)| to_search_doc(i, d)),
            &Position {
                instance: "bench".into(),
                seq: 0,
            },
            2,
            400_000_000,
        )?;
        let built = t.elapsed().as_secs_f64();
        let parts = SearchIndex::search_threads();
        let segments = index.merge_into(parts)?;
        let index_secs = t.elapsed().as_secs_f64();
        println!(
            "search index: {} documents in {built:.1} s, {segments} segments merged into {parts} (one per core, searched in parallel): {index_secs:.1} s",
            index.len()
        );
        index_secs
    };
    let water = SearchRequest {
        q: "water".into(),
        limit: 10,
        ..Default::default()
    };
    let t = Instant::now();
    let first = index.search(&scope, &water)?;
    println!(
        "search index: first query (builds the scope's bit set): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut engines = vec![Engine {
        name: "search index (tantivy)",
        index_secs,
        times: Vec::new(),
        water_total: first.total as i64,
    }];

    let sqlite = if no_sqlite {
        None
    } else {
        let db = dir.path().join("fts.db");
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite://{}?mode=rwc", db.display()))
            .await?;
        let secs = load_sqlite(&pool, docs, &pax).await?;
        println!("SQLite FTS5: {docs} documents in {secs:.1} s");
        engines.push(Engine {
            name: "SQLite FTS5",
            index_secs: secs,
            times: Vec::new(),
            water_total: query_sqlite(&pool, &QUERIES[0]).await?,
        });
        Some((engines.len() - 1, pool))
    };

    let pg = match postgres {
        None => None,
        Some(url) => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(2)
                .connect(&url)
                .await
                .with_context(|| "connecting to the PostgreSQL of GROTIUS_BENCH_DATABASE_URL")?;
            let secs = load_postgres(&pool, docs, &pax).await?;
            println!("PostgreSQL full-text: {docs} documents in {secs:.1} s");
            engines.push(Engine {
                name: "PostgreSQL tsvector + GIN",
                index_secs: secs,
                times: Vec::new(),
                water_total: query_postgres(&pool, &QUERIES[0]).await?,
            });
            Some((engines.len() - 1, pool))
        }
    };

    // One warm-up round (not measured), then `rounds` measured rounds, engines alternating.
    for round in 0..=rounds {
        for q in QUERIES {
            let req = SearchRequest {
                q: tantivy_query(q),
                limit: 10,
                offset: 0,
                sort: Default::default(),
            };
            let t = Instant::now();
            let r = index.search(&scope, &req)?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(r);
            if round > 0 {
                engines[0].times.push(ms);
            }
            if let Some((e, pool)) = &sqlite {
                let t = Instant::now();
                query_sqlite(pool, q).await?;
                if round > 0 {
                    engines[*e].times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            if let Some((e, pool)) = &pg {
                let t = Instant::now();
                query_postgres(pool, q).await?;
                if round > 0 {
                    engines[*e].times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
        }
    }
    // One record changes (an update: delete + add in a new segment). The next query carries
    // the scope bits and facet arrays of the unchanged segments over.
    if let Some(d) = corpus(docs, &pax).nth(7) {
        let mut changed = to_search_doc(7, d);
        changed.title.push_str(" (revised)");
        index.apply(
            &[Change::Upsert(changed)],
            &Position {
                instance: "bench".into(),
                seq: 1,
            },
        )?;
        let t = Instant::now();
        let r = index.search(&scope, &water)?;
        println!(
            "search index: first query after one record changed: {:.1} ms (total for \"water\" {})",
            t.elapsed().as_secs_f64() * 1000.0,
            r.total
        );
    }
    if let Some((_, pool)) = pg {
        sqlx::query("DROP TABLE IF EXISTS grotius_bench_docs")
            .execute(&pool)
            .await?;
        pool.close().await;
    }
    if let Some((_, pool)) = sqlite {
        pool.close().await;
    }
    println!(
        "\n{} queries × {rounds} rounds (after one warm-up round), top 10 with snippets + total + 4 facets, authorisation filter on; {docs} documents\n",
        QUERIES.len()
    );
    println!(
        "| engine | indexing (s) | p50 (ms) | p99 (ms) | p50 ÷ index | p99 ÷ index | total for \"water\" |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    // Per query: the median of its rounds on each engine (which queries cost what).
    let mut per_query = String::from("\n| query |");
    for e in &engines {
        per_query.push_str(&format!(" {} (ms) |", e.name));
    }
    per_query.push_str("\n|---|");
    per_query.push_str(&"---:|".repeat(engines.len()));
    for (qi, q) in QUERIES.iter().enumerate() {
        per_query.push_str(&format!("\n| `{}` |", tantivy_query(q).replace('|', "\\|")));
        for e in &engines {
            let mut v: Vec<f64> = e
                .times
                .iter()
                .skip(qi)
                .step_by(QUERIES.len())
                .copied()
                .collect();
            v.sort_by(f64::total_cmp);
            per_query.push_str(&format!(" {:.2} |", percentile(&v, 0.5)));
        }
    }
    let mut stats = Vec::new();
    for e in &mut engines {
        e.times.sort_by(f64::total_cmp);
        stats.push((percentile(&e.times, 0.5), percentile(&e.times, 0.99)));
    }
    let (i50, i99) = stats[0];
    for (e, (p50, p99)) in engines.iter().zip(&stats) {
        println!(
            "| {} | {:.1} | {p50:.2} | {p99:.2} | {:.1}× | {:.1}× | {} |",
            e.name,
            e.index_secs,
            p50 / i50.max(1e-9),
            p99 / i99.max(1e-9),
            e.water_total
        );
    }
    println!("{per_query}");
    Ok(())
}
