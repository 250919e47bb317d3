//! The migrations of both backends, generated from one source: `migrations/NNNN_name.sql`,
//! written in SQLite's dialect, with a small, explicit set of rewrites for PostgreSQL.
//!
//! The rules, applied line by line:
//! - Outside the directives below, text is copied as it is for SQLite; for PostgreSQL,
//!   `INTEGER PRIMARY KEY AUTOINCREMENT` becomes `BIGSERIAL PRIMARY KEY` and every other word
//!   `INTEGER` becomes `BIGINT` (upper case only: prose such as "integer micro-degrees" stays).
//! - `-- grotius:append-only <function> <table>... '<message>'` makes the tables append-only:
//!   on SQLite two triggers per table (`<table>_no_update`, `<table>_no_delete`) that
//!   `RAISE(ABORT, '<message>')`; on PostgreSQL one PL/pgSQL function `<function>()` raising
//!   `<message>` and one trigger per table (`<table>_no_change`, `BEFORE UPDATE OR DELETE`).
//! - `-- grotius:sqlite` or `-- grotius:postgres`, up to `-- grotius:end`: lines for that backend
//!   only, copied as they are (for the few statements that cannot be rewritten).
//!
//! Databases record a SHA-384 checksum of each applied migration's text and refuse a changed
//! one, so the generated text of a migration, once released, must never change: the tests pin
//! the checksums of every migration on both backends (`migrations/checksums.txt`).

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};

use super::Backend;

/// One migration source file: its file name (`NNNN_name.sql`) and its text.
struct Source {
    file: &'static str,
    text: &'static str,
}

macro_rules! source {
    ($file:literal) => {
        Source {
            file: $file,
            text: include_str!(concat!("../../migrations/", $file)),
        }
    };
}

/// Every migration source, in order. A new migration is a new file in `migrations/` and a line
/// here (a test fails on a file missing from this list).
const SOURCES: &[Source] = &[
    source!("0001_foundation.sql"),
    source!("0002_network.sql"),
    source!("0003_roster.sql"),
    source!("0004_engagements.sql"),
    source!("0005_process_engaged.sql"),
    source!("0006_analyses.sql"),
    source!("0007_lessons.sql"),
    source!("0008_participation.sql"),
    source!("0009_fund.sql"),
    source!("0010_fund_reports.sql"),
    source!("0011_evidence.sql"),
    source!("0012_agreements.sql"),
    source!("0013_documents.sql"),
    source!("0014_incidents.sql"),
    source!("0016_separation.sql"),
    source!("0017_incident_imports.sql"),
    source!("0020_key_check.sql"),
    source!("0021_early_warning.sql"),
    source!("0022_dialogues.sql"),
    source!("0023_dialogue_participation.sql"),
    source!("0024_ucdp_conflicts.sql"),
    source!("0025_watch_and_follow_up.sql"),
    source!("0026_dialogue_attributes.sql"),
    source!("0027_conflict_event_buckets.sql"),
    source!("0028_login_attempts_by_address.sql"),
    source!("0029_comments_and_assignments.sql"),
    source!("0030_notifications.sql"),
    source!("0031_upload_leases.sql"),
];

/// The migrator of `backend`, from the generated text of every source.
///
/// # Panics
/// When a source is malformed (an unknown directive, an unclosed block, a file name without
/// version): the sources are compiled in and the unit tests generate every one of them on both
/// backends, so this cannot happen in a tested build.
pub(super) fn migrator(backend: Backend) -> Migrator {
    let migrations = SOURCES
        .iter()
        .map(|source| match migration(source, backend) {
            Ok(m) => m,
            Err(e) => panic!("migration source {}: {e}", source.file),
        })
        .collect();
    Migrator::with_migrations(migrations)
}

/// One migration as `sqlx::migrate!` would read it from a file with the generated text: version
/// and description from the file name (`0005_process_engaged.sql` → 5, "process engaged"),
/// outside a transaction when the text starts with `-- no-transaction`.
fn migration(source: &Source, backend: Backend) -> Result<Migration, String> {
    let (version, description) = version_and_description(source.file)?;
    let sql = generate(source.text, backend)?;
    let no_tx = sql.starts_with("-- no-transaction");
    Ok(Migration::new(
        version,
        Cow::Owned(description),
        MigrationType::Simple,
        AssertSqlSafe(sql).into_sql_str(),
        no_tx,
    ))
}

fn version_and_description(file: &str) -> Result<(i64, String), String> {
    let stem = file
        .strip_suffix(".sql")
        .ok_or_else(|| format!("{file}: not a .sql file"))?;
    let (version, name) = stem
        .split_once('_')
        .ok_or_else(|| format!("{file}: expected NNNN_name.sql"))?;
    let version: i64 = version
        .parse()
        .map_err(|_| format!("{file}: the version {version:?} is not a number"))?;
    Ok((version, name.replace('_', " ")))
}

const DIRECTIVE: &str = "-- grotius:";

/// Where the generator is in a source: in text common to both backends, or in a block for one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Common,
    Only(Backend),
}

/// The text of one migration for `backend`.
fn generate(source: &str, backend: Backend) -> Result<String, String> {
    let mut out = String::with_capacity(source.len() + 256);
    let mut section = Section::Common;
    for (index, line) in source.split_inclusive('\n').enumerate() {
        let at = index + 1;
        let Some(directive) = line.strip_prefix(DIRECTIVE) else {
            match section {
                Section::Common => out.push_str(&rewrite(line, backend)),
                Section::Only(only) if only == backend => out.push_str(line),
                Section::Only(_) => {}
            }
            continue;
        };
        let directive = directive.trim_end();
        let (name, rest) = directive.split_once(' ').unwrap_or((directive, ""));
        match (name, section) {
            ("sqlite", Section::Common) => section = Section::Only(Backend::Sqlite),
            ("postgres", Section::Common) => section = Section::Only(Backend::Postgres),
            ("end", Section::Only(_)) => section = Section::Common,
            ("append-only", Section::Common) => {
                let append_only = AppendOnly::parse(rest).map_err(|e| format!("line {at}: {e}"))?;
                append_only.write(backend, &mut out);
            }
            _ => return Err(format!("line {at}: unexpected directive {line:?}")),
        }
    }
    if section != Section::Common {
        return Err("a backend block is not closed by -- grotius:end".to_string());
    }
    Ok(out)
}

/// The PostgreSQL types of the common text; SQLite's text is the source itself.
fn rewrite(line: &str, backend: Backend) -> Cow<'_, str> {
    match backend {
        Backend::Sqlite => Cow::Borrowed(line),
        Backend::Postgres => {
            let line = line.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY");
            Cow::Owned(replace_word(&line, "INTEGER", "BIGINT"))
        }
    }
}

/// `text` with every occurrence of `word` that is a whole word (not part of a longer name)
/// replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find(word) {
        let before = rest[..found].chars().next_back();
        let after = rest[found + word.len()..].chars().next();
        out.push_str(&rest[..found]);
        if before.is_some_and(is_name) || after.is_some_and(is_name) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[found + word.len()..];
    }
    out.push_str(rest);
    out
}

/// `-- grotius:append-only <function> <table>... '<message>'`.
struct AppendOnly<'a> {
    function: &'a str,
    tables: Vec<&'a str>,
    message: &'a str,
}

impl<'a> AppendOnly<'a> {
    fn parse(rest: &'a str) -> Result<AppendOnly<'a>, String> {
        let usage = "expected -- grotius:append-only <function> <table>... '<message>'";
        let (names, quoted) = rest.split_once(" '").ok_or(usage)?;
        let message = quoted.strip_suffix('\'').ok_or(usage)?;
        if message.contains('\'') {
            return Err(format!("{usage}; the message may not contain a quote"));
        }
        let mut names = names.split_whitespace();
        let function = names.next().ok_or(usage)?;
        let tables: Vec<&str> = names.collect();
        if tables.is_empty() {
            return Err(usage.to_string());
        }
        Ok(AppendOnly {
            function,
            tables,
            message,
        })
    }

    fn write(&self, backend: Backend, out: &mut String) {
        let AppendOnly {
            function,
            tables,
            message,
        } = self;
        match backend {
            Backend::Sqlite => {
                for table in tables {
                    out.push_str(&format!(
                        "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}\n\
                         BEGIN SELECT RAISE(ABORT, '{message}'); END;\n\
                         CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}\n\
                         BEGIN SELECT RAISE(ABORT, '{message}'); END;\n"
                    ));
                }
            }
            Backend::Postgres => {
                out.push_str(&format!(
                    "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n\
                     BEGIN\n    RAISE EXCEPTION '{message}';\nEND;\n$$;\n"
                ));
                for table in tables {
                    out.push_str(&format!(
                        "CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}\n    \
                         FOR EACH ROW EXECUTE FUNCTION {function}();\n"
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha384};
    use std::collections::BTreeMap;
    use std::path::Path;

    const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    fn migrations_dir() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
    }

    fn checksum_label(backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// `migrations/checksums.txt`: `<backend> <version> <sha384-hex>` per released migration.
    fn pinned_checksums() -> BTreeMap<(String, i64), String> {
        let text = include_str!("../../migrations/checksums.txt");
        let mut pinned = BTreeMap::new();
        for line in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [backend, version, hex] = fields[..] else {
                panic!("checksums.txt: malformed line {line:?}");
            };
            let version: i64 = version.parse().expect("checksums.txt: a numeric version");
            let previous = pinned.insert((backend.to_string(), version), hex.to_string());
            assert!(
                previous.is_none(),
                "checksums.txt: {backend} {version} twice"
            );
        }
        pinned
    }

    #[test]
    fn every_source_file_is_listed_in_order() {
        let mut files: Vec<String> = std::fs::read_dir(migrations_dir())
            .expect("the migrations directory")
            .map(|entry| {
                entry
                    .expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<&str> = SOURCES.iter().map(|s| s.file).collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn every_migration_matches_its_pinned_checksum() {
        let pinned = pinned_checksums();
        let mut generated = BTreeMap::new();
        for backend in BACKENDS {
            for m in migrator(backend).iter() {
                let hex = hex::encode(Sha384::digest(m.sql.as_str()));
                assert_eq!(hex, hex::encode(&m.checksum), "sqlx's checksum is SHA-384");
                generated.insert((checksum_label(backend).to_string(), m.version), hex);
            }
        }
        // Every released migration is still generated with the same bytes, and every generated
        // migration is pinned (a new one is added to checksums.txt when it is released).
        assert_eq!(generated, pinned);
    }

    #[test]
    fn versions_descriptions_and_transactions_are_as_from_files() {
        for backend in BACKENDS {
            let migrator = migrator(backend);
            let list: Vec<(i64, &str, bool)> = migrator
                .iter()
                .map(|m| (m.version, m.description.as_ref(), m.no_tx))
                .collect();
            assert_eq!(list[0], (1, "foundation", false));
            assert_eq!(list[4], (5, "process engaged", false));
            assert_eq!(list.last(), Some(&(31, "upload leases", false)));
            assert_eq!(list.len(), SOURCES.len());
            assert!(
                migrator
                    .iter()
                    .all(|m| m.migration_type == MigrationType::Simple)
            );
        }
    }

    #[test]
    fn postgres_text_has_no_sqlite_types_and_sqlite_text_no_directives() {
        for m in migrator(Backend::Postgres).iter() {
            let sql = m.sql.as_str();
            assert!(!sql.contains("AUTOINCREMENT"), "{}", m.version);
            assert!(!sql.contains("RAISE(ABORT"), "{}", m.version);
            assert_eq!(replace_word(sql, "INTEGER", "?"), sql, "{}", m.version);
        }
        for backend in BACKENDS {
            for m in migrator(backend).iter() {
                assert!(!m.sql.as_str().contains(DIRECTIVE), "{}", m.version);
            }
        }
    }

    #[test]
    fn rewrites_only_whole_words() {
        assert_eq!(
            replace_word(
                "a INTEGER, b INTEGERS, c_INTEGER, INTEGER",
                "INTEGER",
                "BIGINT"
            ),
            "a BIGINT, b INTEGERS, c_INTEGER, BIGINT"
        );
        assert_eq!(
            rewrite(
                "    seq INTEGER PRIMARY KEY AUTOINCREMENT,\n",
                Backend::Postgres
            ),
            "    seq BIGSERIAL PRIMARY KEY,\n"
        );
        assert_eq!(
            rewrite("    n INTEGER NOT NULL, -- an integer\n", Backend::Postgres),
            "    n BIGINT NOT NULL, -- an integer\n"
        );
    }

    #[test]
    fn append_only_expands_per_backend() {
        let source = "-- grotius:append-only log_append_only log 'log is append-only'\n";
        assert_eq!(
            generate(source, Backend::Sqlite).as_deref(),
            Ok("CREATE TRIGGER log_no_update BEFORE UPDATE ON log\n\
                BEGIN SELECT RAISE(ABORT, 'log is append-only'); END;\n\
                CREATE TRIGGER log_no_delete BEFORE DELETE ON log\n\
                BEGIN SELECT RAISE(ABORT, 'log is append-only'); END;\n")
        );
        assert_eq!(
            generate(source, Backend::Postgres).as_deref(),
            Ok(
                "CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n\
                 BEGIN\n    RAISE EXCEPTION 'log is append-only';\nEND;\n$$;\n\
                 CREATE TRIGGER log_no_change BEFORE UPDATE OR DELETE ON log\n    \
                 FOR EACH ROW EXECUTE FUNCTION log_append_only();\n"
            )
        );
    }

    #[test]
    fn malformed_sources_are_refused() {
        for source in [
            "-- grotius:sqlite\nSELECT 1;\n",
            "-- grotius:end\n",
            "-- grotius:sqlite\n-- grotius:postgres\n-- grotius:end\n",
            "-- grotius:mysql\n",
            "-- grotius:append-only f 'no table'\n",
            "-- grotius:append-only f t no quotes\n",
            "-- grotius:sqlite\n-- grotius:append-only f t 'm'\n-- grotius:end\n",
        ] {
            for backend in BACKENDS {
                assert!(generate(source, backend).is_err(), "{source:?}");
            }
        }
    }

    #[test]
    fn backend_blocks_are_copied_for_their_backend_only() {
        let source = "A INTEGER\n-- grotius:sqlite\nS INTEGER\n-- grotius:end\n\
                      -- grotius:postgres\nP INTEGER\n-- grotius:end\nB\n";
        assert_eq!(
            generate(source, Backend::Sqlite).as_deref(),
            Ok("A INTEGER\nS INTEGER\nB\n")
        );
        assert_eq!(
            generate(source, Backend::Postgres).as_deref(),
            Ok("A BIGINT\nP INTEGER\nB\n")
        );
    }
}
