//! `grotius bench search --docs N [--pax FILE] [--postgres]`: a corpus of realistic shape — the
//! real PA-X agreements plus synthetic records (Zipf-distributed vocabulary with the unit's real
//! topical words, a spread of kinds, countries, years, themes, classifications and compartments)
//! — indexed by the search index, by SQLite FTS5 and by PostgreSQL full-text search (tsvector +
//! GIN), and the same 20 queries — top 10 with snippets, total, four facets, the authorisation
//! filter on — run alternately on each engine after one warm-up round.
//!
//! The headline is the path users take: a real instance (SQLite) whose search index is the
//! corpus, 100 readers (analysts with different clearances and compartments, so scope caches are
//! as cold as with many people working) asking through [`grotius_store::Access::search`]
//! (change-feed check under the node's mutex, the policy re-check of every hit, the audit of
//! confidential hits) and through HTTP (`GET /api/v1/search` on a loopback server). The index
//! alone (`SearchIndex::search`) is reported beside it. Every engine answers every sample with
//! the same reader's scope, and the totals of every query and reader must agree on all engines.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use grotius_domain::{Classification, CompartmentId, Labels, ResourceKind};
use grotius_search::{
    Change, Lang, Position, SOURCES, Scope, SearchDoc, SearchIndex, SearchRequest,
};
use grotius_store::{Access, NewUser, Store};
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

/// The authorisation predicate of a reader's scope in SQL: clearance, compartments and the
/// kinds its roles read — the same as the index's scope (the values are constants of this file
/// and enum names).
fn sql_scope(scope: &Scope) -> String {
    let quoted = |v: Vec<&str>| {
        v.iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "m.classification <= {} AND m.compartment IN ({}) AND m.kind IN ({})",
        scope.clearance as u64,
        quoted(
            std::iter::once("-")
                .chain(scope.compartments.iter().map(|c| c.as_str()))
                .collect()
        ),
        quoted(scope.kinds.iter().map(|k| k.as_str()).collect()),
    )
}

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
    /// Seconds to index the corpus (NaN when it is the same index as another row's).
    index_secs: f64,
    times: Vec<f64>,
}

async fn load_sqlite(pool: &sqlx::SqlitePool, docs: usize, pax: &[Doc]) -> Result<f64> {
    // Title and body in one column, as the index holds them (a phrase may run from the title
    // into the body, as in the index and in PostgreSQL's concatenated tsvector).
    sqlx::query("CREATE VIRTUAL TABLE fts USING fts5(text, tokenize = 'porter unicode61')")
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
            "INSERT INTO fts (rowid, text) VALUES {}",
            marks(batch.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, d) in &batch {
            q = q.bind(*i as i64).bind(format!("{}\n{}", d.title, d.body));
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

async fn query_sqlite(pool: &sqlx::SqlitePool, q: &Q, scope: &str) -> Result<i64> {
    let from = format!(
        "FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH $1 AND {scope}{}",
        sql_filters(q)
    );
    let top = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT fts.rowid, snippet(fts, 0, '<b>', '</b>', '…', 20) {from} ORDER BY rank LIMIT 10"
    )))
    .bind(q.fts)
    .fetch_all(pool)
    .await?;
    // Total and the four facets from one pass over the matches (SQLite has no GROUPING SETS:
    // the matches are materialised once and grouped four times).
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH hits AS MATERIALIZED (SELECT m.kind, m.country, m.year, m.theme {from})
         SELECT 'total', NULL, COUNT(*) FROM hits
         UNION ALL SELECT 'kind', kind, COUNT(*) FROM hits GROUP BY kind
         UNION ALL SELECT 'country', country, COUNT(*) FROM hits GROUP BY country
         UNION ALL SELECT 'year', CAST(year AS TEXT), COUNT(*) FROM hits GROUP BY year
         UNION ALL SELECT 'theme', theme, COUNT(*) FROM hits GROUP BY theme"
    )))
    .bind(q.fts)
    .fetch_all(pool)
    .await?;
    let mut total = 0;
    for r in &rows {
        if r.try_get::<String, _>(0)? == "total" {
            total = r.try_get::<i64, _>(2)?;
        }
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

async fn query_postgres(pool: &sqlx::PgPool, q: &Q, scope: &str) -> Result<i64> {
    let from = format!(
        "FROM grotius_bench_docs m, websearch_to_tsquery('english', $1) query WHERE m.tsv @@ query AND {scope}{}",
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

/// One reader of the benchmark: an analyst of the instance with her own clearance and
/// compartments.
struct Reader {
    access: Access,
    scope: Scope,
    sql: String,
    token: String,
}

/// Readers of the instance.
const READERS: usize = 100;

/// An instance with the benchmark's compartments and [`READERS`] analysts: clearance internal,
/// confidential or secret, and a distinct set of the eight compartments each.
async fn readers(store: &Store) -> Result<Vec<Reader>> {
    let op = store.cli_operator();
    for c in COMPARTMENTS {
        op.create_compartment(
            c,
            c,
            "benchmark",
            grotius_domain::separation::WorkDomain::Mediation,
        )
        .await?;
    }
    let clearances = [
        Classification::Internal,
        Classification::Confidential,
        Classification::Secret,
    ];
    let mut out = Vec::with_capacity(READERS);
    for i in 0..READERS {
        let user = op
            .create_user(&NewUser {
                username: format!("reader{i}"),
                display_name: format!("Reader {i}"),
                password: format!("bench-reader-{i}-Passphrase-2026"),
                roles: vec![grotius_domain::Role::Analyst],
                clearance: clearances[i % 3],
                organisation: None,
            })
            .await?;
        for (bit, c) in COMPARTMENTS.iter().enumerate() {
            if ((i * 37) % 128) & (1 << bit) != 0 {
                op.add_member(c, &user.id, "benchmark reader").await?;
            }
        }
        let access = store
            .cli_act_as(&user.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("reader {i} not found"))?;
        let (token, _) = access.create_token("bench", "read", 3600).await?;
        let scope = Scope::for_subject(access.subject());
        out.push(Reader {
            sql: sql_scope(&scope),
            scope,
            access,
            token,
        });
    }
    let distinct: BTreeSet<String> = out.iter().map(|r| r.sql.clone()).collect();
    if distinct.len() != READERS {
        bail!("the readers' scopes are not distinct ({})", distinct.len());
    }
    Ok(out)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /api/v1/search` over a new loopback connection (as a client without keep-alive):
/// returns the total of the answer.
async fn query_http(addr: std::net::SocketAddr, token: &str, q: &str) -> Result<i64> {
    let mut conn = tokio::net::TcpStream::connect(addr).await?;
    conn.set_nodelay(true)?;
    let req = format!(
        "GET /api/v1/search?q={}&limit=10 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
        urlencode(q)
    );
    conn.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    conn.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        bail!("HTTP search: no answer");
    };
    if !head.starts_with("HTTP/1.1 200") {
        bail!(
            "HTTP search of {q:?}: {}",
            head.lines().next().unwrap_or_default()
        );
    }
    let v: serde_json::Value = serde_json::from_str(body)
        .with_context(|| format!("HTTP search of {q:?}: not JSON (chunked?): {body:.80}"))?;
    v["total"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("HTTP search of {q:?}: no total"))
}

/// The instance's identity and change-feed head, which the index's commit payload must carry
/// for the store to take the bench's index as its own.
async fn feed_head(data: &std::path::Path) -> Result<(String, i64)> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!(
            "sqlite://{}?mode=ro",
            grotius_store::sqlite_path(data).display()
        ))
        .await?;
    let instance: String = sqlx::query_scalar("SELECT instance_id FROM instance WHERE id = 1")
        .fetch_one(&pool)
        .await?;
    let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM change_feed")
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok((instance, head.unwrap_or(0)))
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

    // The instance the readers work in (its search index is the corpus, below).
    let data = dir.path().join("instance");
    std::fs::create_dir_all(&data)?;
    let store = Store::open(&data, None, grotius_security::Keyring::create(&data)?).await?;
    let t = Instant::now();
    let readers = readers(&store).await?;
    println!(
        "instance: {READERS} analysts with distinct clearance × compartments in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The search index: bulk load with two threads, then one segment per core (`merge_into`).
    // It is the instance's own index directory (a link to --index-dir when given).
    let index_path = match index_dir {
        Some(d) => {
            std::fs::create_dir_all(&d)?;
            std::os::unix::fs::symlink(std::fs::canonicalize(&d)?, data.join("index"))?;
            d
        }
        None => data.join("index"),
    };
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
    // The index follows the instance's change feed from here on (no change is pending).
    let (instance, head) = feed_head(&data).await?;
    index.apply(
        &[],
        &Position {
            instance,
            seq: head,
        },
    )?;

    // The web server on loopback, the same state `grotius serve` builds.
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

    let water = SearchRequest {
        q: "water".into(),
        limit: 10,
        ..Default::default()
    };
    // Cold scopes: the first query of each reader builds its scope's bit set (in the store's
    // index and, separately, in the bench's handle of the same index).
    let mut cold_real = Vec::with_capacity(READERS);
    let mut cold_index = Vec::with_capacity(READERS);
    for r in &readers {
        let req = &water;
        let t = Instant::now();
        let real = r.access.search(req).await?;
        cold_real.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let direct = index.search(&r.scope, req)?;
        cold_index.push(t.elapsed().as_secs_f64() * 1000.0);
        if real.total != direct.total {
            bail!(
                "\"water\" for reader {}: Access::search {} ≠ index {}",
                r.access.subject().user_id,
                real.total,
                direct.total
            );
        }
    }
    cold_real.sort_by(f64::total_cmp);
    cold_index.sort_by(f64::total_cmp);

    let mut engines = vec![
        Engine {
            name: "Access::search (real path)",
            index_secs,
            times: Vec::new(),
        },
        Engine {
            name: "HTTP GET /api/v1/search",
            index_secs: f64::NAN,
            times: Vec::new(),
        },
        Engine {
            name: "SearchIndex::search (index alone)",
            index_secs: f64::NAN,
            times: Vec::new(),
        },
    ];

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
            });
            Some((engines.len() - 1, pool))
        }
    };

    // One warm-up round (not measured), then `rounds` measured rounds; each sample is one
    // query for one reader, asked of every engine in turn (the order rotating), and every
    // engine must give the same total.
    let mut water_totals = BTreeSet::new();
    let mut sample = 0usize;
    for round in 0..=rounds {
        for (qi, q) in QUERIES.iter().enumerate() {
            let r = &readers[(round * QUERIES.len() + qi) * 7 % READERS];
            let req = SearchRequest {
                q: tantivy_query(q),
                limit: 10,
                offset: 0,
                sort: Default::default(),
            };
            let mut totals: Vec<(usize, i64)> = Vec::with_capacity(engines.len());
            for turn in 0..engines.len() {
                let e = (turn + sample) % engines.len();
                let t = Instant::now();
                let total = match e {
                    0 => r.access.search(&req).await?.total as i64,
                    1 => query_http(addr, &r.token, &req.q).await?,
                    2 => std::hint::black_box(index.search(&r.scope, &req)?).total as i64,
                    e if sqlite.as_ref().is_some_and(|(i, _)| *i == e) => {
                        let (_, pool) = sqlite.as_ref().expect("checked");
                        query_sqlite(pool, q, &r.sql).await?
                    }
                    e => {
                        let (_, pool) = pg
                            .as_ref()
                            .filter(|(i, _)| *i == e)
                            .ok_or_else(|| anyhow::anyhow!("engine {e} has no connection"))?;
                        query_postgres(pool, q, &r.sql).await?
                    }
                };
                if round > 0 {
                    engines[e].times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                totals.push((e, total));
            }
            sample += 1;
            let first = totals[0].1;
            if totals.iter().any(|(_, t)| *t != first) {
                let named: Vec<String> = totals
                    .iter()
                    .map(|(e, t)| format!("{}: {t}", engines[*e].name))
                    .collect();
                bail!(
                    "the engines disagree on the total of `{}` for {}: {}",
                    tantivy_query(q),
                    r.sql,
                    named.join(", ")
                );
            }
            if qi == 0 {
                water_totals.insert(first);
            }
        }
    }
    // One record changes (an update: delete + add in a new segment). The next query carries
    // the scope bits and facet arrays of the unchanged segments over.
    if let Some(d) = corpus(docs, &pax).nth(7) {
        let mut changed = to_search_doc(7, d);
        changed.title.push_str(" (revised)");
        let (instance, head) = feed_head(&data).await?;
        index.apply(
            &[Change::Upsert(changed)],
            &Position {
                instance,
                seq: head,
            },
        )?;
        let t = Instant::now();
        let r = index.search(&readers[0].scope, &water)?;
        println!(
            "search index: first query after one record changed: {:.1} ms (total for \"water\" {})",
            t.elapsed().as_secs_f64() * 1000.0,
            r.total
        );
    }
    let _ = stop.send(());
    server.await??;
    if let Some((_, pool)) = pg {
        sqlx::query("DROP TABLE IF EXISTS grotius_bench_docs")
            .execute(&pool)
            .await?;
        pool.close().await;
    }
    if let Some((_, pool)) = sqlite {
        pool.close().await;
    }
    let samples = engines[0].times.len();
    println!(
        "\n{} queries × {rounds} rounds = {samples} samples per engine (after one warm-up round), each for one of {READERS} readers in turn; top 10 with snippets + total + 4 facets, the reader's authorisation scope; {docs} documents; totals equal on every engine for every sample (\"water\": {} distinct totals across readers)\n",
        QUERIES.len(),
        water_totals.len()
    );
    println!(
        "cold scope (first query of each of {READERS} readers, \"water\"): Access::search p50 {:.2} / p99 {:.2} ms; index alone p50 {:.2} / p99 {:.2} ms\n",
        percentile(&cold_real, 0.5),
        percentile(&cold_real, 0.99),
        percentile(&cold_index, 0.5),
        percentile(&cold_index, 0.99),
    );
    println!("| engine | indexing (s) | p50 (ms) | p99 (ms) | p50 ÷ real path | p99 ÷ real path |");
    println!("|---|---:|---:|---:|---:|---:|");
    // Per query: the median of its samples on each engine (which queries cost what).
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
    let (r50, r99) = stats[0];
    for (e, (p50, p99)) in engines.iter().zip(&stats) {
        let secs = if e.index_secs.is_nan() {
            "—".to_string()
        } else {
            format!("{:.1}", e.index_secs)
        };
        println!(
            "| {} | {secs} | {p50:.2} | {p99:.2} | {:.2}× | {:.2}× |",
            e.name,
            p50 / r50.max(1e-9),
            p99 / r99.max(1e-9),
        );
    }
    println!("{per_query}");
    Ok(())
}
