//! One schema, two databases: the SQLite and the PostgreSQL migrations must produce the same
//! schema.
//!
//! The migrations of both backends are generated from one source
//! (`crates/grotius-store/migrations/`, see `src/db/migrations.rs` there), with a few rewrites and
//! some backend blocks written by hand. This test migrates an empty database and reads back a *normalised description* of its
//! schema from the catalogue (SQLite: `sqlite_master`, `pragma_table_info`, `pragma_index_list`,
//! `pragma_index_info`, `pragma_foreign_key_list`; PostgreSQL: `information_schema.columns`,
//! `pg_constraint`, `pg_index`, `pg_trigger`). The description is committed as
//! `crates/grotius-store/schema.txt`:
//!
//! - without `GROTIUS_TEST_DATABASE_URL` (plain `cargo test --workspace`): the SQLite schema must
//!   equal the file;
//! - with it (the PostgreSQL run of `.ci/run`): the PostgreSQL schema must equal the file, *and* a
//!   SQLite database migrated in the same test must equal it too — so that run alone proves the
//!   two backends equal, and the two CI runs together prove it twice.
//!
//! A mismatch prints a diff (`-` the file, `+` the database) and how to regenerate the file:
//! `GROTIUS_BLESS_SCHEMA=1 cargo test -p grotius --test it schema::`. Blessing cannot hide a
//! difference between the backends: with `GROTIUS_TEST_DATABASE_URL` set it migrates both and
//! refuses to write the file unless they are equal; without it, it writes the SQLite description,
//! and the PostgreSQL run (which never writes) then fails until the PostgreSQL migrations match.
//!
//! Normalisation (what counts as "the same"):
//! - column types are mapped: SQLite `INTEGER` and PostgreSQL `bigint` → `int` (64 bits;
//!   PostgreSQL `integer`/`smallint` stay `int32`/`int16`, so a narrower column shows);
//!   `TEXT`/`text`/`character varying` → `text`; `BLOB`/`bytea` → `bytes`; `REAL`/`double
//!   precision` → `float`. An unknown type fails the test (extend the mapping).
//! - defaults lose PostgreSQL's casts (`'x'::text` → `'x'`) and enclosing parentheses; SQLite's
//!   `INTEGER PRIMARY KEY AUTOINCREMENT` and PostgreSQL's `BIGSERIAL` (a `nextval` default) are
//!   both `default autoincrement`. A plain SQLite `INTEGER PRIMARY KEY` also numbers rows left
//!   without a key, where PostgreSQL's `BIGINT PRIMARY KEY` refuses them; the store always writes
//!   those keys (`audit_log.seq`, the single-row `instance.id` and `audit_head.id`).
//! - a primary-key column is described as `not null`: PostgreSQL enforces it; SQLite only for
//!   `INTEGER PRIMARY KEY` (a known SQLite quirk lets a `TEXT PRIMARY KEY` hold NULL; Grotius
//!   always writes its ids).
//! - unique constraints and primary keys are described by their columns (the backends name their
//!   implicit indexes differently); `CREATE INDEX` indexes by name, table, columns, uniqueness
//!   and partial predicate.
//! - check constraints by the set of columns each one reads (SQLite keeps no catalogue of them, so
//!   they are read from the `CREATE TABLE` text; PostgreSQL rewrites their expressions).
//! - foreign keys by columns, referenced table and columns, `ON DELETE` and `ON UPDATE`.
//! - triggers by table, timing, event and `FOR EACH ROW`, one line per event: SQLite has one
//!   trigger per event (`audit_log_no_update`, `audit_log_no_delete`) where PostgreSQL has one
//!   `BEFORE UPDATE OR DELETE` trigger calling a function; names, `UPDATE OF` column lists, `WHEN`
//!   clauses and the function bodies are not compared.

use std::collections::BTreeMap;
use std::path::PathBuf;

use grotius_security::Keyring;
use grotius_store::Store;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

use crate::harness::Instance;

/// The committed description both backends must match.
fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../grotius-store/schema.txt")
}

const HEADER: &str = "\
# The schema the migrations produce, normalised (crates/grotius/tests/it/schema.rs).
# Generated; both SQLite and PostgreSQL must match it. Regenerate with
#   GROTIUS_BLESS_SCHEMA=1 cargo test -p grotius --test it schema::
# (with GROTIUS_TEST_DATABASE_URL set, both backends are migrated and must agree first).
";

/// A fresh SQLite data directory, migrated by the store as `grotius init` does, described.
async fn sqlite_description() -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    grotius_security::create_instance_keys(dir.path()).expect("instance keys");
    let store = Store::open(dir.path(), None, Keyring::load(dir.path()).unwrap())
        .await
        .expect("open SQLite store");
    let url = format!(
        "sqlite://{}",
        grotius_store::sqlite_path(dir.path()).display()
    );
    let described = describe_sqlite(&pool(&url).await).await;
    store.close().await;
    described
}

#[tokio::test]
async fn sqlite_and_postgresql_migrations_produce_the_committed_schema() {
    // SQLite always.
    let sqlite = sqlite_description().await;

    // PostgreSQL when the test server is configured: a fresh database, migrated by the store.
    let postgres = match crate::harness::pg_base_url() {
        Some(_) => {
            let i = Instance::new().await;
            let described = describe_postgres(&i.raw().await).await;
            Some(described)
        }
        None => None,
    };

    if let Some(postgres) = &postgres {
        assert_same(
            &sqlite,
            postgres,
            "SQLite (-) and PostgreSQL (+) migrations produce different schemas; make the \
             migration of the backend that is wrong match the other (a NEW migration if the \
             old one has shipped)",
        );
    }

    let file = schema_file();
    if std::env::var("GROTIUS_BLESS_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&file, format!("{HEADER}{sqlite}")).expect("write schema.txt");
        eprintln!(
            "wrote {} from SQLite{}",
            file.display(),
            if postgres.is_some() {
                " (PostgreSQL agrees)"
            } else {
                "; run again with GROTIUS_TEST_DATABASE_URL set to check PostgreSQL against it"
            }
        );
        return;
    }
    let committed = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let committed: String = committed
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let how = "regenerate with GROTIUS_BLESS_SCHEMA=1 cargo test -p grotius --test it schema:: \
               (set GROTIUS_TEST_DATABASE_URL too, so both backends are checked before writing)";
    assert_same(
        &committed,
        &sqlite,
        &format!("the SQLite schema (+) differs from schema.txt (-); {how}"),
    );
    if let Some(postgres) = &postgres {
        assert_same(
            &committed,
            postgres,
            &format!("the PostgreSQL schema (+) differs from schema.txt (-); {how}"),
        );
    }
}

/// The description must not be trivially empty, and a reader that stopped seeing a kind of object
/// (no indexes, no triggers…) must show. Checked on the SQLite description, which the test above
/// holds equal to schema.txt and to PostgreSQL's.
#[tokio::test]
async fn the_description_covers_every_kind_of_object() {
    let text = sqlite_description().await;
    for kind in [
        "table ",
        "  column ",
        "  primary key ",
        "  unique ",
        "  check ",
        "  foreign key ",
        "  index ",
        "  trigger ",
    ] {
        let n = text.lines().filter(|l| l.starts_with(kind)).count();
        assert!(n > 0, "schema.txt has no `{}` line", kind.trim());
    }
    // Every append-only table refuses updates and deletes in the database itself.
    for table in [
        "audit_log",
        "ledger_transactions",
        "ledger_postings",
        "custody_events",
    ] {
        let section = table_section(&text, table);
        for event in ["update", "delete"] {
            let line = format!("  trigger before {event} for each row");
            assert!(
                section.lines().any(|l| l == line),
                "{table} lacks `{}` in schema.txt:\n{section}",
                line.trim()
            );
        }
    }
}

fn table_section(text: &str, table: &str) -> String {
    let head = format!("table {table}");
    text.lines()
        .skip_while(|l| *l != head)
        .take_while(|l| *l == head || l.starts_with("  "))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn assert_same(expected: &str, actual: &str, what: &str) {
    if expected == actual {
        return;
    }
    let diff = similar::TextDiff::from_lines(expected, actual);
    let mut shown = String::new();
    let expected_lines: Vec<&str> = expected.lines().collect();
    for group in diff.grouped_ops(2) {
        // Name the table the hunk lies in, even when its heading is outside the context.
        let start = group.first().map_or(0, |op| op.old_range().start);
        if let Some(table) = expected_lines[..start.min(expected_lines.len())]
            .iter()
            .rev()
            .find(|l| l.starts_with("table "))
        {
            shown.push_str(&format!("@@ {table}\n"));
        }
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                shown.push(sign);
                shown.push_str(change.value());
            }
        }
        shown.push_str("…\n");
    }
    panic!("{what}:\n{shown}");
}

async fn pool(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("inspection pool")
}

/// One table's normalised description.
#[derive(Default)]
struct Table {
    /// `name type [not null] [default X]`, in column order.
    columns: Vec<String>,
    /// Constraints, indexes and triggers, one line each (sorted when printed; a repeated line,
    /// such as two checks on one column, counts twice).
    others: Vec<String>,
}

fn render(tables: &BTreeMap<String, Table>) -> String {
    let mut out = String::new();
    for (name, table) in tables {
        out.push_str(&format!("table {name}\n"));
        for column in &table.columns {
            out.push_str(&format!("  column {column}\n"));
        }
        let mut others = table.others.clone();
        others.sort();
        for other in &others {
            out.push_str(&format!("  {other}\n"));
        }
    }
    out
}

fn column_line(name: &str, ty: &str, not_null: bool, default: Option<&str>) -> String {
    let mut line = format!("{name} {ty}");
    if not_null {
        line.push_str(" not null");
    }
    if let Some(d) = default {
        line.push_str(&format!(" default {}", normalise_default(d)));
    }
    line
}

fn map_sqlite_type(declared: &str) -> &'static str {
    match declared.to_ascii_uppercase().as_str() {
        "INTEGER" | "BIGINT" | "INT" | "INT8" => "int",
        "TEXT" => "text",
        "BLOB" => "bytes",
        "REAL" | "DOUBLE" => "float",
        other => panic!("SQLite column type {other:?} has no mapping in schema.rs; add one"),
    }
}

fn map_postgres_type(data_type: &str) -> &'static str {
    match data_type {
        "bigint" => "int",
        "integer" => "int32",
        "smallint" => "int16",
        "text" | "character varying" => "text",
        "bytea" => "bytes",
        "double precision" => "float",
        "real" => "float32",
        "boolean" => "bool",
        other => panic!("PostgreSQL column type {other:?} has no mapping in schema.rs; add one"),
    }
}

/// `'x'::text` → `'x'`, `(-1)` → `-1`, `'0'::bigint` → `0`; a sequence (`nextval(…)`, what
/// `BIGSERIAL` attaches) → `autoincrement`.
fn normalise_default(d: &str) -> String {
    let mut d = d.trim().to_string();
    if d.starts_with("nextval(") {
        return "autoincrement".into();
    }
    loop {
        let before = d.clone();
        if let Some(at) = d.rfind("::")
            && d[at + 2..]
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == ' ')
        {
            d.truncate(at);
        }
        if d.starts_with('(') && d.ends_with(')') {
            d = d[1..d.len() - 1].to_string();
        }
        d = d.trim().to_string();
        if d == before {
            break;
        }
    }
    // A quoted number is the number (PostgreSQL quotes negative literals before a cast).
    if d.len() > 2
        && d.starts_with('\'')
        && d.ends_with('\'')
        && d[1..d.len() - 1].parse::<f64>().is_ok()
    {
        d = d[1..d.len() - 1].to_string();
    }
    d
}

fn referential_action(action: &str) -> String {
    action.to_ascii_lowercase()
}

fn foreign_key_line(
    columns: &[String],
    table: &str,
    referenced: &[String],
    on_update: &str,
    on_delete: &str,
) -> String {
    format!(
        "foreign key ({}) references {table} ({}) on update {} on delete {}",
        columns.join(", "),
        referenced.join(", "),
        referential_action(on_update),
        referential_action(on_delete)
    )
}

fn index_line(name: &str, columns: &[String], unique: bool, predicate: Option<&str>) -> String {
    let mut line = format!(
        "index {name}{} ({})",
        if unique { " unique" } else { "" },
        columns.join(", ")
    );
    if let Some(p) = predicate {
        line.push_str(&format!(" where {}", normalise_predicate(p)));
    }
    line
}

/// Lower case, no parentheses, single spaces, no casts: both catalogues' spellings of the same
/// predicate meet.
fn normalise_predicate(p: &str) -> String {
    let without_casts: String = p
        .split("::")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                part.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .to_string()
            }
        })
        .collect();
    without_casts
        .replace(['(', ')'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn check_line(mut columns: Vec<String>) -> String {
    columns.sort();
    columns.dedup();
    format!("check on ({})", columns.join(", "))
}

fn trigger_line(timing: &str, event: &str) -> String {
    format!("trigger {timing} {event} for each row")
}

// ---------------------------------------------------------------------------------------------
// SQLite

async fn describe_sqlite(pool: &AnyPool) -> String {
    let names: Vec<(String, String)> = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite_master tables")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut tables = BTreeMap::new();
    for (name, sql) in &names {
        tables.insert(name.clone(), sqlite_table(pool, name, sql).await);
    }
    let triggers = sqlx::query(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite_master triggers");
    for row in triggers {
        let (name, table, sql): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let (timing, event) = sqlite_trigger_timing_event(&sql)
            .unwrap_or_else(|| panic!("cannot read timing and event of trigger {name}: {sql}"));
        tables
            .get_mut(&table)
            .unwrap_or_else(|| panic!("trigger {name} on unknown table {table}"))
            .others
            .push(trigger_line(&timing, &event));
    }
    render(&tables)
}

async fn sqlite_table(pool: &AnyPool, name: &str, sql: &str) -> Table {
    let mut table = Table::default();
    let columns = sqlx::query(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pragma_table_info");
    // `INTEGER PRIMARY KEY AUTOINCREMENT` (at most one per table) is PostgreSQL's `BIGSERIAL`.
    let autoincrement = tokens(sql)
        .iter()
        .any(|(_, t)| t.eq_ignore_ascii_case("AUTOINCREMENT"));
    let mut primary: Vec<(i64, String)> = Vec::new();
    let mut column_names = Vec::new();
    for c in &columns {
        let column: String = c.get(0);
        let declared: String = c.get(1);
        let not_null: i64 = c.get(2);
        let pk: i64 = c.get(4);
        let default: Option<String> = if autoincrement && pk > 0 {
            Some("autoincrement".into())
        } else {
            c.get(3)
        };
        if pk > 0 {
            primary.push((pk, column.clone()));
        }
        table.columns.push(column_line(
            &column,
            map_sqlite_type(&declared),
            not_null != 0 || pk > 0,
            default.as_deref(),
        ));
        column_names.push(column);
    }
    primary.sort();
    if !primary.is_empty() {
        let cols: Vec<String> = primary.into_iter().map(|(_, c)| c).collect();
        table
            .others
            .push(format!("primary key ({})", cols.join(", ")));
    }

    let indexes = sqlx::query(
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list($1) ORDER BY name",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pragma_index_list");
    for index in &indexes {
        let index_name: String = index.get(0);
        let unique: i64 = index.get(1);
        let origin: String = index.get(2);
        let partial: i64 = index.get(3);
        let cols: Vec<Option<String>> =
            sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&index_name)
                .fetch_all(pool)
                .await
                .expect("pragma_index_info")
                .iter()
                .map(|r| r.get(0))
                .collect();
        let cols: Vec<String> = cols
            .into_iter()
            .map(|c| c.unwrap_or_else(|| panic!("index {index_name} has an expression column; describe expressions in schema.rs")))
            .collect();
        match origin.as_str() {
            "pk" => {}
            "u" => {
                table.others.push(format!("unique ({})", cols.join(", ")));
            }
            "c" => {
                let predicate = if partial != 0 {
                    let sql: String =
                        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
                            .bind(&index_name)
                            .fetch_one(pool)
                            .await
                            .expect("index sql");
                    let at = find_keyword(&sql, "WHERE")
                        .unwrap_or_else(|| panic!("partial index {index_name} without WHERE"));
                    Some(sql[at + "WHERE".len()..].trim().to_string())
                } else {
                    None
                };
                table.others.push(index_line(
                    &index_name,
                    &cols,
                    unique != 0,
                    predicate.as_deref(),
                ));
            }
            other => panic!("index {index_name} has unknown origin {other:?}"),
        }
    }

    let keys = sqlx::query(
        "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete \
         FROM pragma_foreign_key_list($1) ORDER BY id, seq",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pragma_foreign_key_list");
    let mut grouped: BTreeMap<i64, SqliteForeignKey> = BTreeMap::new();
    for k in &keys {
        let id: i64 = k.get(0);
        let entry = grouped.entry(id).or_insert_with(|| SqliteForeignKey {
            referenced: k.get(2),
            from: Vec::new(),
            to: Vec::new(),
            on_update: k.get(5),
            on_delete: k.get(6),
        });
        entry.from.push(k.get(3));
        entry.to.push(k.get(4));
    }
    for SqliteForeignKey {
        referenced,
        from,
        to,
        on_update,
        on_delete,
    } in grouped.into_values()
    {
        // `REFERENCES t` without columns means t's primary key.
        let to: Vec<String> = if to.iter().all(Option::is_none) {
            sqlx::query("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                .bind(&referenced)
                .fetch_all(pool)
                .await
                .expect("referenced primary key")
                .iter()
                .map(|r| r.get(0))
                .collect()
        } else {
            to.into_iter()
                .map(|c| c.expect("referenced column"))
                .collect()
        };
        table.others.push(foreign_key_line(
            &from,
            &referenced,
            &to,
            &on_update,
            &on_delete,
        ));
    }

    for expression in sqlite_checks(sql) {
        let read = identifiers_read(&expression, &column_names);
        assert!(
            !read.is_empty(),
            "CHECK ({expression}) on {name} reads no column"
        );
        table.others.push(check_line(read));
    }
    table
}

/// The rows of one foreign key in `pragma_foreign_key_list` (one row per column).
struct SqliteForeignKey {
    referenced: String,
    from: Vec<String>,
    /// `None` where the key names no columns (it references the primary key).
    to: Vec<Option<String>>,
    on_update: String,
    on_delete: String,
}

/// Splits SQL into tokens outside comments; string literals are one token each.
fn tokens(sql: &str) -> Vec<(usize, &str)> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if sql[i..].starts_with("--") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if sql[i..].starts_with("/*") {
            i = sql[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |e| i + 2 + e + 2);
        } else if c == b'\'' || c == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() {
                if bytes[i] == c {
                    if bytes.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            out.push((start, &sql[start..i]));
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((start, &sql[start..i]));
        } else {
            out.push((i, &sql[i..i + 1]));
            i += 1;
        }
    }
    out
}

fn find_keyword(sql: &str, keyword: &str) -> Option<usize> {
    tokens(sql)
        .into_iter()
        .find(|(_, t)| t.eq_ignore_ascii_case(keyword))
        .map(|(at, _)| at)
}

/// The expressions of the `CHECK (…)` clauses of a `CREATE TABLE` statement.
fn sqlite_checks(sql: &str) -> Vec<String> {
    let toks = tokens(sql);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].1.eq_ignore_ascii_case("CHECK") && toks.get(i + 1).map(|t| t.1) == Some("(") {
            let start = toks[i + 1].0 + 1;
            let mut depth = 0;
            let mut j = i + 1;
            while j < toks.len() {
                match toks[j].1 {
                    "(" => depth += 1,
                    ")" => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            assert!(j < toks.len(), "unbalanced CHECK in {sql}");
            out.push(sql[start..toks[j].0].to_string());
            i = j;
        }
        i += 1;
    }
    out
}

/// The columns an expression reads (identifiers that name a column and are not a function call).
fn identifiers_read(expression: &str, columns: &[String]) -> Vec<String> {
    let toks = tokens(expression);
    let mut read = Vec::new();
    for (k, (_, t)) in toks.iter().enumerate() {
        let name = t.trim_matches('"');
        let is_call = toks.get(k + 1).map(|n| n.1) == Some("(");
        if !t.starts_with('\'') && !is_call && columns.iter().any(|c| c.eq_ignore_ascii_case(name))
        {
            read.push(name.to_lowercase());
        }
    }
    read
}

/// `CREATE TRIGGER name BEFORE UPDATE [OF …] ON …` → ("before", "update").
fn sqlite_trigger_timing_event(sql: &str) -> Option<(String, String)> {
    let toks: Vec<String> = tokens(sql)
        .into_iter()
        .map(|(_, t)| t.to_lowercase())
        .collect();
    let timing_at = toks
        .iter()
        .position(|t| t == "before" || t == "after" || t == "instead")?;
    let timing = if toks[timing_at] == "instead" {
        "instead of".to_string()
    } else {
        toks[timing_at].clone()
    };
    let event = toks[timing_at + 1..]
        .iter()
        .find(|t| *t == "insert" || *t == "update" || *t == "delete")?
        .clone();
    Some((timing, event))
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

async fn describe_postgres(pool: &AnyPool) -> String {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .expect("information_schema.tables");
    let mut tables = BTreeMap::new();
    for name in &names {
        tables.insert(name.clone(), postgres_table(pool, name).await);
    }
    render(&tables)
}

async fn postgres_table(pool: &AnyPool, name: &str) -> Table {
    let mut table = Table::default();
    let primary: Vec<String> = sqlx::query_scalar(
        "SELECT a.attname::text FROM pg_constraint c \
         CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
         WHERE c.conrelid = $1::regclass AND c.contype = 'p' ORDER BY k.ord",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("primary key");
    let columns = sqlx::query(
        "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("information_schema.columns");
    for c in &columns {
        let column: String = c.get(0);
        let data_type: String = c.get(1);
        let nullable: String = c.get(2);
        let default: Option<String> = c.get(3);
        table.columns.push(column_line(
            &column,
            map_postgres_type(&data_type),
            nullable == "NO",
            default.as_deref(),
        ));
    }
    if !primary.is_empty() {
        table
            .others
            .push(format!("primary key ({})", primary.join(", ")));
    }

    let constraints = sqlx::query(
        "SELECT c.contype::text, c.conname::text, \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
              FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), \
           CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END, \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
              FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord) \
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), \
           c.confupdtype::text, c.confdeltype::text \
         FROM pg_constraint c WHERE c.conrelid = $1::regclass ORDER BY c.conname",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pg_constraint");
    for c in &constraints {
        let kind: String = c.get(0);
        let constraint: String = c.get(1);
        let cols: Vec<String> = c
            .get::<Option<String>, _>(2)
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        match kind.as_str() {
            "p" | "n" => {}
            "u" => {
                table.others.push(format!("unique ({})", cols.join(", ")));
            }
            "c" => {
                assert!(
                    !cols.is_empty(),
                    "check {constraint} on {name} reads no column"
                );
                table.others.push(check_line(cols));
            }
            "f" => {
                let referenced: String = c.get(3);
                let to: Vec<String> = c
                    .get::<String, _>(4)
                    .split(',')
                    .map(str::to_string)
                    .collect();
                let action = |code: String| match code.as_str() {
                    "a" => "no action",
                    "r" => "restrict",
                    "c" => "cascade",
                    "n" => "set null",
                    "d" => "set default",
                    other => panic!("unknown referential action {other:?} on {constraint}"),
                };
                table.others.push(foreign_key_line(
                    &cols,
                    &referenced,
                    &to,
                    action(c.get(5)),
                    action(c.get(6)),
                ));
            }
            other => panic!("constraint {constraint} on {name} has unknown kind {other:?}"),
        }
    }

    // Indexes that do not back a primary key or unique constraint (those are described above).
    let indexes = sqlx::query(
        "SELECT i.relname::text, CASE WHEN x.indisunique THEN 1 ELSE 0 END::bigint, \
           (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), ',' ORDER BY k) \
              FROM generate_series(1, x.indnkeyatts) AS k), \
           pg_get_expr(x.indpred, x.indrelid, true) \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         WHERE x.indrelid = $1::regclass \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                           WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid \
                             AND c.contype IN ('p', 'u', 'x')) \
         ORDER BY i.relname",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pg_index");
    for index in &indexes {
        let index_name: String = index.get(0);
        let unique: i64 = index.get(1);
        let cols: Vec<String> = index
            .get::<String, _>(2)
            .split(',')
            .map(str::to_string)
            .collect();
        let predicate: Option<String> = index.get(3);
        table.others.push(index_line(
            &index_name,
            &cols,
            unique != 0,
            predicate.as_deref(),
        ));
    }

    let triggers = sqlx::query(
        "SELECT t.tgname::text, t.tgtype::bigint FROM pg_trigger t \
         WHERE t.tgrelid = $1::regclass AND NOT t.tgisinternal ORDER BY t.tgname",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pg_trigger");
    for t in &triggers {
        let trigger: String = t.get(0);
        let bits: i64 = t.get(1);
        // TRIGGER_TYPE_* of PostgreSQL's pg_trigger.h.
        assert!(
            bits & 1 != 0,
            "trigger {trigger} on {name} is not FOR EACH ROW"
        );
        let timing = if bits & 64 != 0 {
            "instead of"
        } else if bits & 2 != 0 {
            "before"
        } else {
            "after"
        };
        let mut any = false;
        for (bit, event) in [(4, "insert"), (8, "delete"), (16, "update")] {
            if bits & bit != 0 {
                table.others.push(trigger_line(timing, event));
                any = true;
            }
        }
        assert!(
            any && bits & 32 == 0,
            "trigger {trigger} on {name} has events schema.rs does not describe ({bits})"
        );
    }
    table
}
