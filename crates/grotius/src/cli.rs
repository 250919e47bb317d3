//! The command-line interface: one `Opt` per command, with help text for each.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "grotius", version, about = "Grotius: mediation support, mediation fund and accountability platform", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where an instance keeps its data.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// Data directory of the instance (SQLite database, key file).
    #[arg(long, env = "GROTIUS_DATA")]
    pub data: PathBuf,
    /// PostgreSQL URL (postgres://user@host:port/db); without it the SQLite file in the data directory is used.
    #[arg(long, env = "GROTIUS_DATABASE_URL")]
    pub database: Option<String>,
    /// Directory of the key file, when it is kept apart from the data directory.
    #[arg(long, env = "GROTIUS_KEYS")]
    pub keys: Option<PathBuf>,
    /// Where evidence files live: s3://BUCKET[/PREFIX] for an S3-compatible object store shared
    /// by several nodes (endpoint and keys from AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for http://). Default: DATA/evidence.
    #[arg(long, env = "GROTIUS_BLOBS")]
    pub blobs: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start a populated demo instance with one account per role.
    Demo {
        /// Data directory to create or reuse (default: a fresh temporary folder).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
    },
    /// Serve an instance (production mode).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "GROTIUS_BIND")]
        bind: SocketAddr,
        /// The server is reached over HTTPS (through a TLS proxy): Secure cookies and HSTS.
        #[arg(long, env = "GROTIUS_TLS")]
        tls: bool,
        /// Largest evidence file accepted, in MiB (default 16384).
        #[arg(long, env = "GROTIUS_EVIDENCE_MAX_MB")]
        evidence_max_mb: Option<u64>,
        /// Largest document upload accepted, in MiB (larger files get 413, nothing stored).
        #[arg(long, default_value_t = 50, env = "GROTIUS_MAX_UPLOAD_MIB")]
        max_upload_mib: usize,
        /// Address ranges (CIDR, comma-separated or repeated) whose direct connections may read
        /// /metrics. Default: loopback only (127.0.0.0/8, ::1). Requests forwarded by a proxy
        /// (Forwarded, X-Forwarded-For, X-Real-IP) never qualify by address.
        #[arg(long, env = "GROTIUS_METRICS_ALLOW", value_delimiter = ',')]
        metrics_allow: Vec<grotius_web::metrics::AddressRange>,
        /// Address ranges (CIDR, comma-separated or repeated) of the TLS proxies and load
        /// balancers in front of this node: from them, X-Forwarded-For names the client, so
        /// sign-in limits count per user address rather than per proxy. Default: none (the
        /// header is ignored).
        #[arg(
            long = "trusted-proxy",
            env = "GROTIUS_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<grotius_web::metrics::AddressRange>,
        /// A token that admits `Authorization: Bearer TOKEN` to /metrics from any address (prefer the
        /// environment variable: arguments are visible to other users of the machine).
        #[arg(long, env = "GROTIUS_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        #[command(flatten)]
        smtp: SmtpArgs,
    },
    /// Create a new instance with a first administrator (password from stdin or GROTIUS_ADMIN_PASSWORD).
    Init {
        /// Data directory to create.
        #[arg(long)]
        data: PathBuf,
        /// User name of the first administrator.
        #[arg(long)]
        admin: String,
        /// PostgreSQL URL; without it, a SQLite file in the data directory.
        #[arg(long, env = "GROTIUS_DATABASE_URL")]
        database: Option<String>,
        /// Directory for the key file (default: the data directory).
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The mediation fund's ledger.
    #[command(subcommand)]
    Fund(FundCmd),
    /// Move the evidence files of an instance from its data directory to an S3-compatible object
    /// store: each file is copied, read back from the store and verified (decrypted, hashed);
    /// files already there and whole are skipped, so a second run resumes. The local files are
    /// kept. Afterwards, start the nodes with `--blobs` naming the same store.
    MigrateBlobs {
        #[command(flatten)]
        store: StoreArgs,
        /// The object store: s3://BUCKET[/PREFIX] (endpoint and keys from the AWS_* variables).
        #[arg(long)]
        to: String,
    },
    /// Write a consistent copy of the SQLite database (safe while the server runs).
    Backup {
        #[arg(long)]
        data: PathBuf,
        /// The instance's PostgreSQL URL, if it has one: refused with how to back it up
        /// (pg_dump) instead of a misleading "no database".
        #[arg(long, env = "GROTIUS_DATABASE_URL")]
        database: Option<String>,
        /// File to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Replace the database of an instance with a backup, after checking the backup.
    Restore {
        #[arg(long)]
        data: PathBuf,
        /// Backup file written by `grotius backup`.
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Benchmarks (see BENCHMARKS.md and bench/).
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Manage the encryption keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Import records from files.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Rebuild this node's search index (DATA/index/) from the database.
    Reindex {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Export records in open standards.
    #[command(subcommand)]
    Export(ExportCmd),
    /// The evidence vault.
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// Transfer packages of evidence.
    #[command(subcommand)]
    Package(PackageCmd),
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// IATI 2.03 activity XML of the fund's approved and closed grants, leaving out those
    /// excluded from publication and those linked to confidential (or compartmented) processes.
    Iati {
        #[command(flatten)]
        store: StoreArgs,
        /// The XML file to write.
        #[arg(long)]
        out: PathBuf,
        /// Export as this user (audited under that name); by default as a read-only fund
        /// officer cleared for internal records.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum EvidenceCmd {
    /// Prove the vault's integrity: decrypt and hash every stored file, check every custody
    /// chain and signature, every item's metadata against its ingest, the chain heads against the
    /// audit log, every package manifest. Exit 0 when intact; otherwise name each problem
    /// (edited, deleted, inserted, reordered event; altered or missing file) and exit 2.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the instance's Ed25519 public key (hex), which recipients use to verify packages.
    Pubkey {
        /// Data directory of the instance.
        #[arg(long, env = "GROTIUS_DATA")]
        data: PathBuf,
        /// Directory of the key files, when kept apart from the data directory.
        #[arg(long, env = "GROTIUS_KEYS")]
        keys: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum PackageCmd {
    /// Verify a transfer package offline (no database needed): the manifest's signature, every
    /// file's size and SHA-256, no file added or removed, every custody chain. Exit 0 when
    /// intact, otherwise name each problem and exit 2.
    Verify {
        /// The package: the downloaded .tar, or the directory it was unpacked into.
        path: PathBuf,
        /// The sender's public key: 64 hex digits, or a file holding them.
        #[arg(long)]
        key: String,
    },
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user (password from stdin or GROTIUS_USER_PASSWORD).
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// User name (lower-case letters, digits, '-', '_', '.').
        name: String,
        /// Role(s): admin, coordinator, desk-officer, analyst, fund-officer, fund-approver, controller,
        /// documenter, custodian, legal-adviser, adviser, partner, auditor.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// public, internal, confidential or secret.
        #[arg(long, default_value = "internal")]
        clearance: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Organisation (required for partner users).
        #[arg(long)]
        organisation: Option<String>,
    },
    /// List users.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable a user: sessions end, tokens are revoked.
    Disable {
        #[command(flatten)]
        store: StoreArgs,
        name: String,
    },
    /// Enable a disabled user.
    Enable {
        #[command(flatten)]
        store: StoreArgs,
        name: String,
    },
    /// Set a new password (from stdin or GROTIUS_USER_PASSWORD) and unlock the account.
    ResetPassword {
        #[command(flatten)]
        store: StoreArgs,
        name: String,
    },
    /// Make a user a member of a compartment, recording why. The operator's bootstrap and
    /// break-glass path (audited as `cli`); in the application a compartment's coordinator or
    /// custodian decides memberships, and administrators only propose them.
    Grant {
        #[command(flatten)]
        store: StoreArgs,
        name: String,
        compartment: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Verify the hash chain: exit 0 when intact, otherwise name the first bad entry and exit 2.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub enum FundCmd {
    /// Check every ledger invariant: each transaction balances and has the postings its kind
    /// prescribes, balances equal the sum of postings, no account below zero, no ceiling
    /// exceeded. Exit 0 when sound, otherwise name every violation and exit 2.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Make a new field-encryption key active and re-encrypt every confidential field with it.
    Rotate {
        #[command(flatten)]
        store: StoreArgs,
        /// Afterwards, delete the old keys from the key file.
        #[arg(long)]
        retire: bool,
    },
    /// Create the evidence keys (`evidence-keys.json`) and the identity keyring (`identity/`) of
    /// an instance created before they existed. Refused for a key whose file is missing while
    /// the database holds records sealed under it (restore that file from your key backup).
    AddMissing {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Import experts into the roster from a CSV or XLSX file (header row; columns name, sex,
    /// expertise, languages, regions, tracks, availability, conflicts_of_interest, clearance,
    /// women_mediator_network, network_name, past_deployments, classification, compartment;
    /// several values in a cell separated by ';'). Every row is checked first; when a row is
    /// invalid nothing is imported, unless --valid-rows-only. Exit status 1 when nothing was imported.
    Experts {
        #[command(flatten)]
        store: StoreArgs,
        /// The CSV or XLSX file.
        file: PathBuf,
        /// Import the valid rows even when some rows are invalid.
        #[arg(long)]
        valid_rows_only: bool,
        /// The user (e.g. a coordinator) in whose name the experts are filed and audited.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import peace agreements from a PA-X CSV export (PA-X Peace Agreements Database,
    /// University of Edinburgh, PeaceRep; e.g. pax_all_agreements_data_v6.csv). Agreements are
    /// matched by AgtId: new ones are added, changed ones updated, unchanged ones left alone, so
    /// importing the same file again changes nothing. Every row is checked first; when a row is
    /// invalid nothing is imported and each problem is named by row and column (exit status 1).
    Pax {
        #[command(flatten)]
        store: StoreArgs,
        /// The PA-X CSV file.
        file: PathBuf,
        /// Import in the name of this user (an administrator or analyst); default: the operator.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import conflict events from UCDP GED: the 49-column CSV as distributed by UCDP
    /// (GEDEvent_vXX_Y.csv) or the GeoJSON variant (lon/lat in the geometry). Events are matched
    /// by GED id: new ones are added, changed ones updated, unchanged ones left alone, and stored
    /// events of the file's countries that the file no longer holds are removed. A file that is
    /// not GED is refused; when a row is invalid nothing is imported and each problem is named by
    /// row and column (exit status 1).
    Ged {
        #[command(flatten)]
        store: StoreArgs,
        /// The GED CSV or GeoJSON file.
        file: PathBuf,
        /// Import in the name of this user (an administrator or analyst); default: the operator.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import conflict events from an ACLED CSV export (31 columns, `NA` for missing values,
    /// dates like `28 December 2022`), matched by event_id_cnty with the same checks, idempotence
    /// and removal as `import ged`. ACLED's terms forbid redistribution: import your own export.
    Acled {
        #[command(flatten)]
        store: StoreArgs,
        /// The ACLED CSV file.
        file: PathBuf,
        /// Import in the name of this user (an administrator or analyst); default: the operator.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import the UCDP/PRIO Armed Conflict Dataset (CSV, one row per conflict and year), matched
    /// by conflict_id and year: new rows added, changed ones updated, unchanged ones left alone,
    /// stored rows the file no longer holds removed. A file without the dataset's columns is
    /// refused naming them; when a row is invalid nothing is imported (exit status 1).
    UcdpAcd {
        #[command(flatten)]
        store: StoreArgs,
        /// The ACD CSV file (ucdp-prio-acd-XXX.csv).
        file: PathBuf,
        /// Import in the name of this user (an administrator or analyst); default: the operator.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import the UCDP Dyadic Dataset (CSV, one row per dyad and year), matched by dyad_id and
    /// year, with the same checks, idempotence and removal as `import ucdp-acd`.
    UcdpDyadic {
        #[command(flatten)]
        store: StoreArgs,
        /// The dyadic CSV file (ucdp-dyadic-XXX.csv).
        file: PathBuf,
        /// Import in the name of this user (an administrator or analyst); default: the operator.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import the Pacific Institute's Water Conflict Chronology (CSV). Every row is kept with its
    /// free-text date and a year range derived from it; dates of no known form are listed. The
    /// chronology has no ids: a row is known by its text.
    Water {
        #[command(flatten)]
        store: StoreArgs,
        /// The chronology's CSV file.
        file: PathBuf,
        /// Import in the name of this user (an administrator or analyst); default: the operator.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import attacks on aid workers from an Aid Worker Security Database CSV export (Year/Month/
    /// Day with blanks give the date precision). Every row is checked first; when a row is
    /// invalid nothing is imported (unless --valid-rows-only) and each problem is named by row
    /// and column (exit status 1). Incidents already imported (same Incident ID) are left alone.
    Awsd {
        #[command(flatten)]
        incident: IncidentImportArgs,
    },
    /// Import one Pol.is export folder (comments.csv, participants-votes.csv, optional votes.csv
    /// and summary.csv) as a new dialogue and compute its opinion groups. Everything is checked
    /// first; on a bad file nothing is written and the problem is named by file, row and
    /// column (exit status 1). With --process the dialogue joins that process; without it a new
    /// process is created for it (title "Dialogue: <topic>", Track III, internal), in the name
    /// of the command-line importer (a coordinator without compartments, audited as `cli`).
    Polis {
        #[command(flatten)]
        store: StoreArgs,
        /// The export folder.
        dir: PathBuf,
        /// The process the dialogue belongs to (its labels are at least the process's).
        #[arg(long)]
        process: Option<String>,
        /// Classification of the dialogue (raised to the process's when that is stricter).
        #[arg(long, default_value = "internal")]
        classification: String,
        /// Import in the name of this user (a coordinator, adviser or desk officer); default:
        /// the command-line importer.
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import the votes of a paper round (a community meeting typed into a spreadsheet) into a
    /// conversation run inside Grotius. CSV or XLSX: header `participant`, then the statement
    /// numbers of the results page (0, 1, …), optionally columns named like the conversation's
    /// questions; one row per paper participant, labelled by the sheet's label (e.g. Bria-07,
    /// never a name). Cells agree / disagree / pass or 1 / -1 / 0 (also eens / oneens / pas,
    /// d'accord / pas d'accord / passer); empty is not seen. Importing the same file again
    /// changes nothing; a changed cell replaces the vote (kept in history). Every cell is checked
    /// first; on a problem nothing is written and it is named by row and column (exit status 1).
    /// In the name of the command-line dialogue importer (a coordinator cleared for internal
    /// records, audited as `cli`) unless --as.
    PaperRound {
        #[command(flatten)]
        store: StoreArgs,
        /// The conversation's id.
        dialogue: String,
        /// The CSV or XLSX file.
        file: PathBuf,
        /// Import in the name of this user (one who may update the conversation).
        #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Import air raids from the Yemen Data Project CSV (DD/MM/YYYY dates; headers matched by
    /// trimmed, case-insensitive name). Same checks and idempotence as `import awsd`.
    YemenRaids {
        #[command(flatten)]
        incident: IncidentImportArgs,
    },
}

/// Arguments of the incident imports.
#[derive(Args)]
pub struct IncidentImportArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The CSV file.
    pub file: PathBuf,
    /// The (evidence) compartment the incidents are filed in.
    #[arg(long)]
    pub compartment: String,
    /// Classification of the incidents.
    #[arg(long, default_value = "confidential")]
    pub classification: String,
    /// Import the valid rows even when some rows are invalid.
    #[arg(long)]
    pub valid_rows_only: bool,
    /// The user (a documenter or the custodian, member of the compartment) in whose name the
    /// incidents are filed and audited.
    #[arg(long = "as", env = "GROTIUS_AS", value_name = "USER")]
    pub as_user: String,
}

#[derive(Subcommand)]
pub enum BenchCmd {
    /// The mediation fund: a realistic fund (2 instruments, thousands of applications, ledger
    /// transactions through the store), then the dashboard and the annual report (p50/p99) and
    /// approvals per second with 8 concurrent approvers. SQLite in a temporary directory, or
    /// PostgreSQL with --database (an empty database).
    Fund {
        #[arg(long, default_value_t = 100_000)]
        transactions: usize,
        #[arg(long, default_value_t = 4_000)]
        applications: usize,
        /// Timed runs of each report.
        #[arg(long, default_value_t = 50)]
        runs: usize,
        /// PostgreSQL URL of an empty database; without it, SQLite.
        #[arg(long)]
        database: Option<String>,
        /// Build the fund in this (new, empty) directory and keep it, instead of a temporary one.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Conflict events: a synthetic GED file of --rows rows imported into the durable store,
    /// the country-month aggregation and escalation ranking through the store and HTTP, the
    /// country profile page, and DuckDB/polars on the same file (bench/events_reference.py).
    Events {
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Working directory (default: a temporary one, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The Python that runs the reference (with duckdb and polars installed).
        #[arg(long, default_value = "python3")]
        python: String,
    },
    /// Vote intake of a large consultation: participants join at the participation link, then
    /// concurrent participants post the vote form through HTTP (durable, audited) while the
    /// groups are recomputed every 2 s; beside it bare SQLite inserts with the same durability.
    Votes {
        #[arg(long, default_value_t = 2_000)]
        participants: usize,
        #[arg(long, default_value_t = 40)]
        statements: usize,
        /// How long votes are posted.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Concurrent clients (each a kept-alive connection).
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// PostgreSQL URL of an empty database; without it, SQLite.
        #[arg(long)]
        database: Option<String>,
    },
    /// Ranked expert matching through the store on a synthetic roster.
    Matching {
        #[arg(long, default_value_t = 10_000)]
        experts: usize,
        #[arg(long, default_value_t = 100)]
        queries: usize,
    },
    /// Network questions on a synthetic graph under the policy filter.
    Network {
        #[arg(long, default_value_t = 100_000)]
        actors: usize,
        #[arg(long, default_value_t = 1_000_000)]
        relationships: usize,
        #[arg(long, default_value_t = 300)]
        queries: usize,
        /// Write the graph and queries here (nodes.tsv, edges.tsv, queries.tsv).
        #[arg(long)]
        export: Option<PathBuf>,
        /// Alternate every question with bench/network_reference.py (networkx) on the same graph.
        #[arg(long)]
        reference: bool,
    },
    /// Full-text search on a corpus of PA-X agreements plus synthetic records, with facets and
    /// the authorisation filter: the real path (Access::search and HTTP, 100 readers with
    /// distinct scopes) against the index alone, SQLite FTS5 and (--postgres) PostgreSQL
    /// full-text.
    Search {
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
        /// Rounds of the 20 queries (50 rounds: 1,000 samples per engine, enough for a p99).
        #[arg(long, default_value_t = 50)]
        rounds: usize,
        /// The PA-X CSV whose agreements join the corpus.
        #[arg(long)]
        pax: Option<PathBuf>,
        /// Also run PostgreSQL full-text search (tsvector + GIN), on the database of
        /// --database-url or GROTIUS_BENCH_DATABASE_URL (a table grotius_bench_docs is created
        /// and dropped).
        #[arg(long)]
        postgres: bool,
        #[arg(long)]
        database_url: Option<String>,
        /// Leave SQLite FTS5 out.
        #[arg(long)]
        no_sqlite: bool,
        /// Keep the search index in this directory and reuse it when it already holds
        /// --docs documents (indexing is then not re-timed).
        #[arg(long)]
        index_dir: Option<PathBuf>,
    },
    /// Evidence ingest (hash + encrypt + store) of one file against its physical limits on the
    /// same file — hashing (`openssl dgst -sha256`) and the disk's durable write (`dd
    /// conv=fdatasync`) — alternately; peak memory; `evidence verify` over many small items.
    Evidence {
        /// Size of the file to ingest, in MiB.
        #[arg(long, default_value_t = 1024)]
        size_mb: u64,
        /// Rounds of ingest, hashing and disk write (alternating; medians reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Number of small items for the verify timing.
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        /// Working directory (default: a temporary one, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// E-mail notifications ("something waits for you") through the unit's SMTP relay; off unless
/// `--smtp-host` is given.
#[derive(clap::Args, Debug)]
pub struct SmtpArgs {
    /// Host name of the SMTP relay (plain SMTP on the ministry network: the messages carry
    /// nothing classified).
    #[arg(long, env = "GROTIUS_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, default_value_t = 25, env = "GROTIUS_SMTP_PORT")]
    pub smtp_port: u16,
    /// The sender, e.g. "Grotius <grotius@minbuza.nl>".
    #[arg(long, env = "GROTIUS_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// The address users open Grotius at, for the link in the message.
    #[arg(long, env = "GROTIUS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds between rounds (and at least between two messages to one user).
    #[arg(long, default_value_t = 300, env = "GROTIUS_NOTIFY_EVERY")]
    pub notify_every: u64,
}

impl SmtpArgs {
    /// The notifier's configuration, or none without a relay; a relay without a sender or a
    /// public address is refused (the messages would have no sender or no link).
    pub fn config(&self) -> anyhow::Result<Option<crate::notify::SmtpConfig>> {
        let Some(host) = self.smtp_host.clone().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let from = self
            .smtp_from
            .clone()
            .ok_or_else(|| anyhow::anyhow!("--smtp-host needs --smtp-from (the sender address)"))?;
        let public_url = self.public_url.clone().ok_or_else(|| {
            anyhow::anyhow!("--smtp-host needs --public-url (the address in the message's link)")
        })?;
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("--smtp-from '{from}' is not an address: {e}"))?;
        Ok(Some(crate::notify::SmtpConfig {
            host,
            port: self.smtp_port,
            from,
            public_url,
            interval: std::time::Duration::from_secs(self.notify_every.max(5)),
        }))
    }
}
