//! The `grotius` binary's library half: command implementations and demo data, so that the
//! integration tests can drive them in-process.

pub mod bench;
mod bench_events;
mod bench_search;
mod bench_votes;
pub mod cli;
pub mod demo;
pub mod notify;
pub mod package;

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use grotius_domain::{Classification, Role};
use grotius_security::Keyring;
use grotius_store::{NewUser, Store, UserUpdate};
use grotius_web::{AppState, WebConfig};

use cli::{
    AuditCmd, Cli, Command, EvidenceCmd, ExportCmd, FundCmd, ImportCmd, KeysCmd, PackageCmd,
    StoreArgs, UserCmd,
};

pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo { data, bind } => demo::run(data, bind).await.map(|_| ExitCode::SUCCESS),
        Command::Serve {
            store,
            bind,
            tls,
            evidence_max_mb,
            max_upload_mib,
            metrics_allow,
            metrics_token,
            trusted_proxies,
            smtp,
        } => {
            let store = open_existing(&store).await?;
            store.blob_store().check().await?;
            tracing::info!(blobs = %store.blob_store().describe(), "evidence files");
            if let Some(mb) = evidence_max_mb {
                store.set_evidence_max_bytes(mb.saturating_mul(1024 * 1024));
            }
            if let Some(cfg) = smtp.config()? {
                tracing::info!(relay = %format!("{}:{}", cfg.host, cfg.port), "e-mail notifications on");
                notify::spawn(store.clone(), cfg);
            }
            serve(
                store,
                bind,
                WebConfig {
                    tls,
                    document_limit: max_upload_mib.saturating_mul(1024 * 1024),
                    metrics: metrics_access(metrics_allow, metrics_token)?,
                    trusted_proxies,
                    ..WebConfig::default()
                },
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            data,
            admin,
            database,
            keys,
        } => init(&data, &admin, database.as_deref(), keys.as_deref()).await,
        Command::User(cmd) => user(cmd).await,
        Command::Bench(cli::BenchCmd::Search {
            docs,
            rounds,
            pax,
            postgres,
            database_url,
            no_sqlite,
            index_dir,
        }) => {
            let postgres = if postgres {
                match database_url.or_else(|| std::env::var("GROTIUS_BENCH_DATABASE_URL").ok()) {
                    Some(url) if !url.trim().is_empty() => Some(url),
                    _ => anyhow::bail!(
                        "--postgres needs a PostgreSQL URL: pass --database-url or set GROTIUS_BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:55432/grotius_bench)"
                    ),
                }
            } else {
                None
            };
            bench_search::search(bench_search::SearchBench {
                docs,
                rounds,
                pax,
                postgres,
                no_sqlite,
                index_dir,
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCmd::Events {
            rows,
            runs,
            dir,
            python,
        }) => {
            bench_events::events(rows, runs, dir.as_deref(), &python).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCmd::Votes {
            participants,
            statements,
            seconds,
            concurrency,
            database,
        }) => {
            bench_votes::votes(
                participants,
                statements,
                seconds,
                concurrency,
                database.as_deref(),
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCmd::Matching { experts, queries }) => {
            bench::matching(experts, queries).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCmd::Network {
            actors,
            relationships,
            queries,
            export,
            reference,
        }) => {
            bench::network(actors, relationships, queries, export.as_deref(), reference)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fund(FundCmd::Verify { store }) => {
            let store = open_read_only(&store).await?;
            let r = store.verify_fund().await?;
            if r.problems.is_empty() {
                println!(
                    "fund ledger sound: {} transactions, {} accounts, {} ceilings checked",
                    r.transactions, r.accounts, r.ceilings
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "FUND LEDGER VIOLATED: {} problem(s) in {} transactions",
                    r.problems.len(),
                    r.transactions
                );
                for p in &r.problems {
                    eprintln!("  - {p}");
                }
                Ok(ExitCode::from(2))
            }
        }
        Command::Audit(AuditCmd::Verify { store }) => {
            let store = open_read_only(&store).await?;
            match store.verify_audit().await {
                Ok(r) => {
                    println!(
                        "audit chain intact: {} entries verified; reaches this node's anchor (entry {}) in {}",
                        r.entries,
                        r.anchored,
                        store
                            .keyring()
                            .dir()
                            .join(grotius_store::AUDIT_ANCHOR_FILE)
                            .display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("AUDIT CHAIN BROKEN: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Reindex { store } => {
            let s = open_existing(&store).await?;
            let r = s.reindex_search().await?;
            println!(
                "search index rebuilt in {}: {} records, change feed at {}",
                r.dir.display(),
                r.documents,
                r.seq
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::MigrateBlobs { store, to } => {
            anyhow::ensure!(
                store.blobs.is_none(),
                "migrate-blobs copies from the data directory: leave --blobs (GROTIUS_BLOBS) out and name the object store with --to"
            );
            let target = grotius_store::BlobStore::from_url(&to)?;
            target.check().await?;
            let s = open_existing(&store).await?;
            let r = s.migrate_blobs(&target, progress_bar("files")).await?;
            println!(
                "{} file(s) copied and verified in {}, {} already there and whole ({} bytes in all); start the nodes with --blobs {}",
                r.copied,
                target.describe(),
                r.present,
                r.bytes,
                target.describe()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup {
            data,
            database,
            out,
            keys,
        } => {
            let store = open_existing(&StoreArgs {
                data,
                database,
                keys,
                blobs: None,
            })
            .await?;
            let bytes = grotius_store::backup_sqlite(&store, &out).await?;
            println!(
                "backup written to {} ({bytes} bytes); keep the key file separately: it is not in the backup",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { data, from, keys } => {
            let ring = load_keys(&data, keys.as_deref())?;
            let r = grotius_store::restore_sqlite(&data, &from, ring).await?;
            println!(
                "restored {} into {} (audit chain of {} entries, fund ledger, evidence vault and keys verified); start the server again",
                from.display(),
                data.display(),
                r.entries
            );
            if let Some(kept) = r.kept {
                println!("the replaced database is kept as {}", kept.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(cmd) => import(cmd).await,
        Command::Export(ExportCmd::Iati {
            store,
            out,
            as_user,
        }) => export_iati(&store, &out, as_user.as_deref()).await,
        Command::Bench(cli::BenchCmd::Fund {
            transactions,
            applications,
            runs,
            database,
            data,
        }) => {
            bench::fund(
                transactions,
                applications,
                runs,
                database.as_deref(),
                data.as_deref(),
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCmd::Evidence {
            size_mb,
            items,
            rounds,
            dir,
        }) => {
            bench::evidence(size_mb, items, rounds, dir.as_deref()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Evidence(EvidenceCmd::Verify { store }) => {
            let store = open_read_only(&store).await?;
            let t = std::time::Instant::now();
            let r = store.verify_evidence().await?;
            let summary = format!(
                "{} items, {} custody events, {} stored files ({} bytes decrypted and hashed), {} packages in {:.2} s",
                r.items,
                r.events,
                r.blobs,
                r.bytes,
                r.packages,
                t.elapsed().as_secs_f64()
            );
            if r.problems.is_empty() {
                println!("evidence vault intact: {summary}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "EVIDENCE VAULT TAMPERED: {} problem(s) in {summary}",
                    r.problems.len()
                );
                for p in &r.problems {
                    eprintln!("  - {p}");
                }
                Ok(ExitCode::from(2))
            }
        }
        Command::Evidence(EvidenceCmd::Pubkey { data, keys }) => {
            let keys = grotius_security::EvidenceKeys::load(&keys_dir(&data, keys.as_deref()))?;
            println!("{}", keys.public_key_hex());
            Ok(ExitCode::SUCCESS)
        }
        Command::Package(PackageCmd::Verify { path, key }) => {
            let key = package::read_key(&key)?;
            let r = package::verify_package(&path, &key)?;
            if r.problems.is_empty() {
                println!(
                    "package intact: {} files ({} bytes) for {}, {} custody events, signed by {key}",
                    r.files, r.bytes, r.recipient, r.events
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "PACKAGE FAILS VERIFICATION: {} problem(s)",
                    r.problems.len()
                );
                for p in &r.problems {
                    eprintln!("  - {p}");
                }
                Ok(ExitCode::from(2))
            }
        }
        Command::Keys(KeysCmd::Rotate { store, retire }) => {
            let dir = keys_dir(&store.data, store.keys.as_deref());
            let mut ring = load_keys(&store.data, store.keys.as_deref())?;
            // The database is checked (Grotius's, this key's) before the keyring changes.
            Store::open_existing(&store.data, store.database.as_deref(), ring.clone())
                .await?
                .close()
                .await;
            let id = ring.rotate()?;
            let s =
                Store::open_existing(&store.data, store.database.as_deref(), ring.clone()).await?;
            let n = s.cli_operator().reencrypt_all().await?;
            println!("new field key {id} is active; {n} values re-encrypted");
            if let Some((key, n)) = s.cli_operator().rotate_identity_keys(retire).await? {
                println!(
                    "new identity key {key} is active ({}); {n} identities re-encrypted",
                    dir.join("identity").display()
                );
            }
            // The evidence master key: a new one, every file key re-wrapped under it (the files
            // keep their keys and are not rewritten).
            grotius_security::EvidenceKeys::rotate_master(&dir)?;
            let (n, total) = s.cli_operator().rewrap_evidence_keys().await?;
            println!(
                "new evidence master key is active ({}); {n} of {total} file keys re-wrapped",
                dir.join(grotius_security::EVIDENCE_KEYS_FILE).display()
            );
            if retire {
                anyhow::ensure!(
                    s.cli_operator().evidence_keys_all_current().await?,
                    "some evidence file keys still need a previous master key; nothing was retired (run `grotius keys rotate` again)"
                );
                let n = grotius_security::EvidenceKeys::retire_previous(&dir)?;
                println!("retired {n} previous evidence master key(s)");
                let old = ring.retire_old_keys()?;
                println!("retired keys: {}", old.join(", "));
            } else {
                println!(
                    "old keys stay in {} until you run `grotius keys rotate --retire` again",
                    dir.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(KeysCmd::AddMissing { store }) => add_missing_keys(&store).await,
    }
}

/// `grotius keys add-missing`: creates the evidence keys and the identity keyring of an older
/// instance, each only when its file is missing and nothing in the database is sealed under it
/// (a new key for sealed records would hide the loss of the old one).
async fn add_missing_keys(args: &StoreArgs) -> Result<ExitCode> {
    use grotius_security::{EVIDENCE_KEYS_FILE, EvidenceKeys, IDENTITY_DIR, KEYRING_FILE};
    let dir = keys_dir(&args.data, args.keys.as_deref());
    // The field keyring is never created here: the database's values are sealed under it.
    let ring = Keyring::load(&dir)?;
    let evidence = dir.join(EVIDENCE_KEYS_FILE);
    let identity = dir.join(IDENTITY_DIR);
    let identity_file = identity.join(KEYRING_FILE);
    let (need_evidence, need_identity) = (!evidence.exists(), !identity_file.exists());
    if !need_evidence && !need_identity {
        println!(
            "every key file is present in {}; nothing to do",
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let store = Store::open_read_only(&args.data, args.database.as_deref(), ring).await?;
    let sealed = store.sealed_records().await;
    store.close().await;
    let sealed = sealed?;
    if need_evidence && sealed.evidence_items > 0 {
        bail!(
            "{} is missing, but the database holds {} evidence items sealed under it: restore the file from your key backup (a new key would open none of them); nothing was created",
            evidence.display(),
            sealed.evidence_items
        );
    }
    if need_identity && sealed.identities > 0 {
        bail!(
            "{} is missing, but the database holds {} identities sealed under it: restore the file from your key backup (a new key would open none of them); nothing was created",
            identity_file.display(),
            sealed.identities
        );
    }
    if need_evidence {
        EvidenceKeys::create(&dir)?;
        println!("created {}", evidence.display());
    }
    if need_identity {
        std::fs::create_dir_all(&identity)
            .with_context(|| format!("cannot create {}", identity.display()))?;
        Keyring::create(&identity)?;
        println!("created {}", identity_file.display());
    }
    println!("back the key directory {} up now", dir.display());
    Ok(ExitCode::SUCCESS)
}

fn keys_dir(data: &Path, keys: Option<&Path>) -> PathBuf {
    keys.map(Path::to_path_buf)
        .unwrap_or_else(|| data.to_path_buf())
}

/// Loads the instance's keys: every key file (keyring, evidence keys, identity keyring) must be
/// there and whole; the error names the one that is not. Keys are created only by `init` and
/// the demo.
fn load_keys(data: &Path, keys: Option<&Path>) -> Result<Keyring> {
    Ok(grotius_security::load_instance_keys(&keys_dir(data, keys))?)
}

/// Opens an initialised instance for verification, reading only.
async fn open_read_only(args: &StoreArgs) -> Result<Store> {
    let ring = check_instance(args)?;
    let blobs = blob_store(args)?;
    Ok(
        Store::open_read_only(&args.data, args.database.as_deref(), ring)
            .await?
            .with_blobs(blobs),
    )
}

/// Where the instance keeps evidence files: `--blobs`, or the data directory.
fn blob_store(args: &StoreArgs) -> Result<grotius_store::BlobStore> {
    Ok(
        match args.blobs.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(url) => grotius_store::BlobStore::from_url(url)?,
            None => grotius_store::BlobStore::Local(args.data.join("evidence")),
        },
    )
}

/// Opens an initialised instance; explains how to create one when there is none.
async fn open_existing(args: &StoreArgs) -> Result<Store> {
    let ring = check_instance(args)?;
    let blobs = blob_store(args)?;
    Ok(
        Store::open_existing(&args.data, args.database.as_deref(), ring)
            .await?
            .with_blobs(blobs),
    )
}

/// The keys of an initialised instance; explains how to create one when there is none.
fn check_instance(args: &StoreArgs) -> Result<Keyring> {
    if !args.data.is_dir() {
        bail!(
            "data directory {} does not exist; create an instance with `grotius init --data {} --admin NAME`",
            args.data.display(),
            args.data.display()
        );
    }
    let ring = load_keys(&args.data, args.keys.as_deref())?;
    if args.database.is_none() && !grotius_store::sqlite_path(&args.data).exists() {
        bail!(
            "no database in {}; create an instance with `grotius init --data {} --admin NAME`",
            args.data.display(),
            args.data.display()
        );
    }
    Ok(ring)
}

/// Who may read `/metrics`: the given ranges (default loopback) and the token, if any.
fn metrics_access(
    allow: Vec<grotius_web::metrics::AddressRange>,
    token: Option<String>,
) -> Result<grotius_web::metrics::MetricsAccess> {
    let token = token.map(|t| t.trim().to_string());
    if let Some(t) = &token {
        anyhow::ensure!(
            t.len() >= 16,
            "the metrics token must have at least 16 characters (it has {})",
            t.len()
        );
    }
    let mut access = grotius_web::metrics::MetricsAccess {
        token,
        ..Default::default()
    };
    if !allow.is_empty() {
        access.allow = allow;
    }
    Ok(access)
}

pub async fn serve(store: Store, bind: SocketAddr, config: WebConfig) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| {
        format!(
            "cannot listen on {bind}; is another server running there? choose another with --bind"
        )
    })?;
    tracing::info!(addr = %listener.local_addr()?, backend = store.backend().name(), "serving");
    grotius_web::serve(listener, AppState::new(store, config), shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// A password from an environment variable, or standard input (hidden when it is a terminal).
fn read_password(env: &str, prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(env) {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!("no password given: pipe it on standard input or set {env}");
    }
    Ok(p)
}

async fn init(
    data: &Path,
    admin: &str,
    database: Option<&str>,
    keys: Option<&Path>,
) -> Result<ExitCode> {
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let kdir = keys_dir(data, keys);
    std::fs::create_dir_all(&kdir)?;
    if grotius_store::sqlite_path(data).exists() && database.is_none() {
        bail!(
            "{} already holds an instance; use `grotius serve --data {}`",
            data.display(),
            data.display()
        );
    }
    let password = read_password("GROTIUS_ADMIN_PASSWORD", &format!("password for {admin}: "))?;
    grotius_security::PasswordPolicy::check(&password, admin)?;
    let ring = grotius_security::create_instance_keys(&kdir)?;
    let store = Store::open(data, database, ring).await?;
    let op = store.cli_operator();
    op.create_user(&NewUser {
        username: admin.to_string(),
        display_name: admin.to_string(),
        password,
        roles: vec![Role::Admin],
        clearance: Classification::Secret,
        organisation: None,
    })
    .await?;
    println!(
        "instance created in {} (backend: {}); keys in {}",
        data.display(),
        store.backend().name(),
        kdir.join(grotius_security::KEYRING_FILE).display()
    );
    println!(
        "back the key file up separately: without it, encrypted fields and the audit chain cannot be read or verified"
    );
    println!("start it with: grotius serve --data {}", data.display());
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn user(cmd: UserCmd) -> Result<ExitCode> {
    match cmd {
        UserCmd::Add {
            store,
            name,
            roles,
            clearance,
            display_name,
            organisation,
        } => {
            let s = open_existing(&store).await?;
            let roles = roles
                .iter()
                .map(|r| r.parse::<Role>())
                .collect::<Result<Vec<_>, _>>()?;
            let clearance: Classification = clearance.parse()?;
            let password =
                read_password("GROTIUS_USER_PASSWORD", &format!("password for {name}: "))?;
            let u = s
                .cli_operator()
                .create_user(&NewUser {
                    display_name: display_name.unwrap_or_else(|| name.clone()),
                    username: name,
                    password,
                    roles,
                    clearance,
                    organisation,
                })
                .await?;
            println!("user {} created ({})", u.username, u.id);
        }
        UserCmd::List { store } => {
            let s = open_existing(&store).await?;
            println!(
                "{:<20} {:<28} {:<12} {:<5} {:<8} compartments",
                "user", "roles", "clearance", "2fa", "status"
            );
            for u in s.cli_operator().list_users().await? {
                let status = if u.disabled {
                    "disabled"
                } else if u.locked {
                    "locked"
                } else {
                    "active"
                };
                println!(
                    "{:<20} {:<28} {:<12} {:<5} {:<8} {}",
                    u.username,
                    Role::join(&u.roles),
                    u.clearance.as_str(),
                    if u.totp_enabled { "yes" } else { "no" },
                    status,
                    u.compartments.join(",")
                );
            }
        }
        UserCmd::Disable { store, name } => {
            let s = open_existing(&store).await?;
            let op = s.cli_operator();
            let id = op
                .find_user_id(&name)
                .await
                .with_context(|| format!("no user named '{name}'"))?;
            op.update_user(
                &id,
                &UserUpdate {
                    disabled: Some(true),
                    ..Default::default()
                },
            )
            .await?;
            println!("user {name} disabled; their sessions and tokens are revoked");
        }
        UserCmd::Enable { store, name } => {
            let s = open_existing(&store).await?;
            let op = s.cli_operator();
            let id = op
                .find_user_id(&name)
                .await
                .with_context(|| format!("no user named '{name}'"))?;
            op.update_user(
                &id,
                &UserUpdate {
                    disabled: Some(false),
                    ..Default::default()
                },
            )
            .await?;
            println!("user {name} enabled");
        }
        UserCmd::ResetPassword { store, name } => {
            let s = open_existing(&store).await?;
            let op = s.cli_operator();
            let id = op
                .find_user_id(&name)
                .await
                .with_context(|| format!("no user named '{name}'"))?;
            let password = read_password(
                "GROTIUS_USER_PASSWORD",
                &format!("new password for {name}: "),
            )?;
            op.reset_password(&id, &password).await?;
            println!("password of {name} reset; the account is unlocked and its sessions ended");
        }
        UserCmd::Grant {
            store,
            name,
            compartment,
            reason,
        } => {
            let s = open_existing(&store).await?;
            let op = s.cli_operator();
            let id = op
                .find_user_id(&name)
                .await
                .with_context(|| format!("no user named '{name}'"))?;
            op.add_member(&compartment, &id, &reason)
                .await
                .with_context(|| format!("cannot add {name} to compartment '{compartment}'"))?;
            println!("{name} is now a member of {compartment}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn export_iati(store: &StoreArgs, out: &Path, as_user: Option<&str>) -> Result<ExitCode> {
    let s = open_existing(store).await?;
    let access = acting_as(&s, as_user, s.cli_publisher()).await?;
    let x = access
        .export_iati(&mut |done, total| {
            eprint!("\rIATI: {done}/{total} activities");
            if done == total {
                eprintln!();
            }
        })
        .await
        .context("cannot export IATI")?;
    let tmp = out.with_extension("xml.part");
    std::fs::write(&tmp, x.xml.as_bytes())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "IATI 2.03: {} activities written to {} (left out: {} excluded from publication, {} linked to confidential processes)",
        x.activities,
        out.display(),
        x.excluded,
        x.sensitive
    );
    Ok(ExitCode::SUCCESS)
}

/// The access a command acts with: `--as USER` (who must exist and be enabled), else `default`.
async fn acting_as(
    s: &Store,
    as_user: Option<&str>,
    default: grotius_store::Access,
) -> Result<grotius_store::Access> {
    let Some(name) = as_user else {
        return Ok(default);
    };
    let id = s
        .cli_operator()
        .find_user_id(name)
        .await
        .with_context(|| format!("no user named '{name}'"))?;
    s.cli_act_as(&id)
        .await?
        .with_context(|| format!("user '{name}' is disabled"))
}

/// A progress bar on stderr, `[####    ] done/total <noun>`, that ends its line when done.
fn progress_bar(noun: &'static str) -> impl FnMut(usize, usize) {
    move |done, total| {
        let width = 40;
        if let Some(filled) = (done * width).checked_div(total) {
            let filled = filled.min(width);
            eprint!(
                "\r[{}{}] {done}/{total} {noun}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            if done == total {
                eprintln!();
            }
        }
    }
}

/// `grotius import awsd|yemen-raids`: checks every row, then writes in one transaction with a
/// progress bar on stderr; prints the report (row, column, message per problem).
async fn import_incidents(
    args: cli::IncidentImportArgs,
    format: grotius_domain::incident::ImportFormat,
) -> Result<ExitCode> {
    let file = &args.file;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let s = open_existing(&args.store).await?;
    let id = s
        .cli_operator()
        .find_user_id(&args.as_user)
        .await
        .with_context(|| format!("no user named '{}'", args.as_user))?;
    let access = s
        .cli_act_as(&id)
        .await?
        .with_context(|| format!("user '{}' is disabled", args.as_user))?;
    eprintln!("checking {} …", file.display());
    let report = access
        .import_incidents(
            format,
            &bytes,
            &args.classification,
            &args.compartment,
            args.valid_rows_only,
            &mut progress_bar("incidents"),
        )
        .await
        .with_context(|| format!("cannot import {}", file.display()))?;
    for p in &report.problems {
        if p.value.is_empty() {
            println!("row {}, column {}: {}", p.row, p.column, p.message);
        } else {
            println!(
                "row {}, column {}: {} (value '{}')",
                p.row, p.column, p.message, p.value
            );
        }
    }
    println!(
        "{} rows read, {} valid, {} imported, {} already imported",
        report.rows, report.valid, report.imported, report.unchanged
    );
    if report.committed() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "nothing imported: correct the rows above, or pass --valid-rows-only to import the valid rows"
        );
        Ok(ExitCode::from(1))
    }
}

/// `grotius import polis DIR`: parses the export folder (nothing is written on a bad file),
/// then writes the dialogue in one transaction with a progress bar and computes its groups.
async fn import_polis(
    store: cli::StoreArgs,
    dir: PathBuf,
    process: Option<String>,
    classification: String,
    as_user: Option<String>,
) -> Result<ExitCode> {
    use grotius_domain::dialogue::parse_polis_export;
    let read = |name: &str, required: bool| -> Result<Option<String>> {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    };
    let classification: Classification = classification
        .parse()
        .with_context(|| format!("unknown classification '{classification}'"))?;
    eprintln!("checking {} …", dir.display());
    let comments = read("comments.csv", true)?.unwrap_or_default();
    let participants = read("participants-votes.csv", true)?.unwrap_or_default();
    let votes = read("votes.csv", false)?;
    let summary = read("summary.csv", false)?;
    let export = match parse_polis_export(
        &comments,
        votes.as_deref(),
        &participants,
        summary.as_deref(),
    ) {
        Ok(e) => e,
        Err(e) => {
            println!("{e}");
            eprintln!("nothing imported: correct the file and import it again");
            return Ok(ExitCode::from(1));
        }
    };
    let s = open_existing(&store).await?;
    let access = acting_as(&s, as_user.as_deref(), s.cli_dialogue_importer()).await?;
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| dir.display().to_string());
    let topic = export.topic.clone().unwrap_or_else(|| folder.clone());
    let process_id = match process {
        Some(p) => p,
        None => {
            let title: String = format!("Dialogue: {topic}").chars().take(200).collect();
            let input = grotius_domain::process::ProcessInput {
                title,
                codename: None,
                countries: Vec::new(),
                phase: "prevention".into(),
                tracks: vec!["III".into()],
                dutch_role: "support".into(),
                status: "active".into(),
                themes: Vec::new(),
                engaged: Vec::new(),
                summary: format!("Created for the Pol.is conversation imported from {folder}."),
                notes: String::new(),
                classification: "internal".into(),
                compartment: None,
            };
            let p = access
                .create_process(&input)
                .await
                .context("cannot create a process for the dialogue (pass --process ID)")?;
            eprintln!("created process {} ({})", p.id, p.title);
            p.id
        }
    };
    let source = export.url.clone().unwrap_or_else(|| folder.clone());
    let dialogue = access
        .import_polis_dialogue(
            &process_id,
            &export,
            &source,
            classification,
            &mut progress_bar("rows"),
        )
        .await
        .with_context(|| format!("cannot import {}", dir.display()))?;
    let groups = access
        .dialogue_participants(&dialogue.id)
        .await?
        .iter()
        .filter_map(|p| p.group)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    println!(
        "dialogue {} imported into process {}: {} statements, {} participants, {} votes; {} opinion groups ({})",
        dialogue.id,
        dialogue.process_id,
        dialogue.statements,
        dialogue.participants,
        dialogue.votes,
        groups,
        dialogue.method.as_deref().unwrap_or("not computed")
    );
    Ok(ExitCode::SUCCESS)
}

/// `grotius import ged`: checks the whole file, then writes in batches with a progress bar on
/// stderr; prints the report (added, changed, removed, unchanged; row and column per problem).
async fn import_ged(
    store: &cli::StoreArgs,
    file: &std::path::Path,
    as_user: Option<String>,
    kind: grotius_store::EventImportKind,
) -> Result<ExitCode> {
    use grotius_domain::ucdp::UcdpDataset;
    use grotius_store::EventImportKind;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let s = open_existing(store).await?;
    let access = acting_as(&s, as_user.as_deref(), s.cli_operator()).await?;
    eprintln!("checking {} …", file.display());
    let unit = match kind {
        EventImportKind::Ged | EventImportKind::Acled => "events",
        EventImportKind::UcdpAcd => "conflict-years",
        EventImportKind::UcdpDyadic => "dyad-years",
        EventImportKind::Water => "rows",
    };
    let mut bar = progress_bar(unit);
    let report = match kind {
        EventImportKind::Ged => access.import_events(&bytes, &mut bar).await,
        EventImportKind::Acled => access.import_acled(&bytes, &mut bar).await,
        EventImportKind::UcdpAcd => {
            access
                .import_ucdp(UcdpDataset::Acd, &bytes, None, &mut bar)
                .await
        }
        EventImportKind::UcdpDyadic => {
            access
                .import_ucdp(UcdpDataset::Dyadic, &bytes, None, &mut bar)
                .await
        }
        EventImportKind::Water => access.import_water(&bytes, None, &mut bar).await,
    }
    .with_context(|| format!("cannot import {}", file.display()))?;
    for p in &report.problems {
        if p.row == 0 {
            println!("stored id {}: {}", p.value, p.message);
        } else if p.value.is_empty() {
            println!("row {}, column {}: {}", p.row, p.column, p.message);
        } else {
            println!(
                "row {}, column {}: {} (value '{}')",
                p.row, p.column, p.message, p.value
            );
        }
    }
    if report.omitted > 0 {
        println!("… and {} more problems", report.omitted);
    }
    if !report.committed() {
        eprintln!(
            "nothing imported: {} problem(s) in {} record(s); correct the file and import it again",
            report.problems.len() + report.omitted,
            report.records
        );
        return Ok(ExitCode::from(1));
    }
    println!(
        "{} {unit} read: {} added, {} changed, {} removed, {} unchanged",
        report.records, report.added, report.changed, report.removed, report.unchanged
    );
    if !report.undated.is_empty() {
        println!(
            "{} row(s) with a date of no known form (kept, without years):",
            report.undated.len()
        );
        for (row, date) in &report.undated {
            println!("row {row}, column Date: '{date}'");
        }
    }
    if !report.unmapped.is_empty() {
        let names: Vec<String> = report
            .unmapped
            .iter()
            .map(|(n, c)| format!("{n} ({c})"))
            .collect();
        println!(
            "places without an ISO 3166-1 code (imported, on no country's page): {}",
            names.join(", ")
        );
    }
    println!(
        "source: {}",
        match kind {
            EventImportKind::Ged => grotius_domain::early_warning::GED_CITATION,
            EventImportKind::Acled => grotius_domain::early_warning::ACLED_CITATION,
            EventImportKind::UcdpAcd | EventImportKind::UcdpDyadic =>
                grotius_domain::ucdp::UCDP_ACD_CITATION,
            EventImportKind::Water => grotius_domain::water::WATER_CITATION,
        }
    );
    Ok(ExitCode::SUCCESS)
}

async fn import(cmd: ImportCmd) -> Result<ExitCode> {
    match cmd {
        ImportCmd::Ged {
            store,
            file,
            as_user,
        } => import_ged(&store, &file, as_user, grotius_store::EventImportKind::Ged).await,
        ImportCmd::Acled {
            store,
            file,
            as_user,
        } => {
            import_ged(
                &store,
                &file,
                as_user,
                grotius_store::EventImportKind::Acled,
            )
            .await
        }
        ImportCmd::UcdpAcd {
            store,
            file,
            as_user,
        } => {
            import_ged(
                &store,
                &file,
                as_user,
                grotius_store::EventImportKind::UcdpAcd,
            )
            .await
        }
        ImportCmd::UcdpDyadic {
            store,
            file,
            as_user,
        } => {
            import_ged(
                &store,
                &file,
                as_user,
                grotius_store::EventImportKind::UcdpDyadic,
            )
            .await
        }
        ImportCmd::Water {
            store,
            file,
            as_user,
        } => {
            import_ged(
                &store,
                &file,
                as_user,
                grotius_store::EventImportKind::Water,
            )
            .await
        }
        ImportCmd::Polis {
            store,
            dir,
            process,
            classification,
            as_user,
        } => import_polis(store, dir, process, classification, as_user).await,
        ImportCmd::PaperRound {
            store,
            dialogue,
            file,
            as_user,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let s = open_existing(&store).await?;
            let access = acting_as(&s, as_user.as_deref(), s.cli_dialogue_importer()).await?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            match access.import_paper_round(&dialogue, &bytes, &name).await {
                Ok(r) => {
                    println!(
                        "{} participants in the file: {} added, {} updated, {} unchanged",
                        r.sheets,
                        r.participants_added,
                        r.participants_updated,
                        r.participants_unchanged
                    );
                    println!(
                        "{} votes written ({} replacing an earlier vote), {} unchanged, {} empty cells (not seen), {} answers",
                        r.votes, r.votes_changed, r.votes_unchanged, r.skipped_cells, r.answers
                    );
                    if !r.changed() {
                        println!("nothing changed: this file was imported before");
                    }
                    println!("sha256 {}", r.sha256);
                    Ok(ExitCode::SUCCESS)
                }
                Err(grotius_store::StoreError::Invalid(e)) => {
                    println!("{e}");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e)
                    .with_context(|| format!("cannot import {} into {dialogue}", file.display())),
            }
        }
        ImportCmd::Awsd { incident } => {
            import_incidents(incident, grotius_domain::incident::ImportFormat::Awsd).await
        }
        ImportCmd::YemenRaids { incident } => {
            import_incidents(incident, grotius_domain::incident::ImportFormat::YemenRaids).await
        }
        ImportCmd::Pax {
            store,
            file,
            as_user,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let s = open_existing(&store).await?;
            let access = acting_as(&s, as_user.as_deref(), s.cli_operator()).await?;
            eprintln!("checking {} …", file.display());
            let report = access
                .import_agreements(&bytes, &mut |done, total| {
                    if total > 0 {
                        eprint!("\rwriting agreements: {done}/{total}");
                        if done == total {
                            eprintln!();
                        }
                    }
                })
                .await
                .with_context(|| format!("cannot import {}", file.display()))?;
            for p in &report.problems {
                if p.row == 0 {
                    println!("{}", p.message);
                } else if p.value.is_empty() {
                    println!("row {}, column {}: {}", p.row, p.column, p.message);
                } else {
                    println!(
                        "row {}, column {}: {} (value '{}')",
                        p.row, p.column, p.message, p.value
                    );
                }
            }
            if !report.committed() {
                eprintln!(
                    "nothing imported: {} problem(s) in {} record(s); correct the file and import it again",
                    report.problems.len(),
                    report.records
                );
                return Ok(ExitCode::from(1));
            }
            println!(
                "{} agreements read: {} new, {} updated, {} unchanged",
                report.records, report.inserted, report.updated, report.unchanged
            );
            if report.inserted + report.updated == 0 {
                println!("nothing changed: every agreement is already up to date");
            }
            if !report.unmapped.is_empty() {
                println!(
                    "{} PA-X country names have no ISO 3166-1 code (kept as text):",
                    report.unmapped.len()
                );
                let names: Vec<String> = report
                    .unmapped
                    .iter()
                    .map(|(n, c)| format!("{n} ({c})"))
                    .collect();
                println!("  {}", names.join(", "));
            }
            println!("source: {}", grotius_domain::agreement::CITATION);
            Ok(ExitCode::SUCCESS)
        }
        ImportCmd::Experts {
            store,
            file,
            valid_rows_only,
            as_user,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let format = grotius_store::TableFormat::detect(file.to_str(), &bytes);
            let s = open_existing(&store).await?;
            let Some(name) = as_user else {
                bail!(
                    "name the user who files the experts with --as USER (for example a coordinator); the import is recorded in the audit log under that name"
                );
            };
            let id = s
                .cli_operator()
                .find_user_id(&name)
                .await
                .with_context(|| format!("no user named '{name}'"))?;
            let access = s
                .cli_act_as(&id)
                .await?
                .with_context(|| format!("user '{name}' is disabled"))?;
            let report = access
                .import_experts(&bytes, format, valid_rows_only, &mut |done, total| {
                    eprint!("\rimporting: {done}/{total} rows");
                    if done == total {
                        eprintln!();
                    }
                })
                .await
                .with_context(|| format!("cannot import {}", file.display()))?;
            for p in &report.errors {
                println!(
                    "row {}, column {}: {} (value '{}')",
                    p.row, p.column, p.message, p.value
                );
            }
            println!(
                "{} rows read, {} valid, {} imported",
                report.rows, report.valid, report.imported
            );
            if report.committed() {
                Ok(ExitCode::SUCCESS)
            } else {
                if !report.errors.is_empty() {
                    eprintln!(
                        "nothing imported: correct the rows above, or pass --valid-rows-only to import the valid rows"
                    );
                }
                Ok(ExitCode::from(1))
            }
        }
    }
}
