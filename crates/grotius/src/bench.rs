//! `grotius bench network`: the network questions on a synthetic graph of realistic shape
//! (communities of a few hundred actors, most ties inside, some across; a spread of
//! classifications and compartments), under the policy filter of a realistic subject. Prints
//! p50/p99 per question; `--export DIR` writes the graph and the queries for the Python
//! reference in `bench/network_reference.py`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use grotius_analysis::{EdgeRow, NetworkGraph, NodeRow};
use grotius_domain::{Classification, CompartmentId, Labels, Role, Subject};

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

const COMPARTMENTS: [&str; 8] = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"];

fn labels(rng: &mut Rng) -> (i64, Option<usize>) {
    let level = match rng.below(10) {
        0..=2 => 0,
        3..=6 => 1,
        7..=8 => 2,
        _ => 3,
    };
    let comp = (rng.below(10) == 0).then(|| rng.below(8) as usize);
    (level, comp)
}

fn to_labels(level: i64, comp: Option<usize>) -> Labels {
    Labels {
        classification: Classification::from_level(level).unwrap_or(Classification::Secret),
        compartment: comp.and_then(|c| CompartmentId::parse(COMPARTMENTS[c]).ok()),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn network(
    actors: usize,
    relationships: usize,
    queries: usize,
    export: Option<&Path>,
    reference: bool,
) -> Result<()> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let community = 250usize;
    let t0 = Instant::now();
    let mut node_labels = Vec::with_capacity(actors);
    let nodes: Vec<NodeRow> = (0..actors)
        .map(|i| {
            let (l, c) = labels(&mut rng);
            let ours = i % (actors / 50).max(1) == 0;
            let (l, c) = if ours { (1, None) } else { (l, c) };
            node_labels.push((l, c, ours));
            NodeRow {
                id: format!("a{i}"),
                labels: to_labels(l, c),
                ours,
            }
        })
        .collect();
    let mut edge_list = Vec::with_capacity(relationships);
    let mut seen = BTreeSet::new();
    while edge_list.len() < relationships {
        let a = rng.below(actors as u64) as usize;
        let b = if rng.below(10) < 8 {
            let base = a / community * community;
            (base + rng.below(community as u64) as usize).min(actors - 1)
        } else {
            rng.below(actors as u64) as usize
        };
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        let (l, c) = labels(&mut rng);
        edge_list.push((a, b, l, c));
    }
    let edges: Vec<EdgeRow> = edge_list
        .iter()
        .enumerate()
        .map(|(i, &(a, b, l, c))| EdgeRow {
            id: format!("r{i}"),
            from: format!("a{a}"),
            to: format!("a{b}"),
            labels: to_labels(l, c),
        })
        .collect();
    let generated = t0.elapsed();
    let t1 = Instant::now();
    let graph = NetworkGraph::build(nodes, edges);
    let built = t1.elapsed();
    // A desk officer: confidential clearance, member of two compartments.
    let subject = Subject {
        user_id: "bench".into(),
        username: "bench".into(),
        roles: vec![Role::DeskOfficer],
        clearance: Classification::Confidential,
        compartments: ["c0", "c1"]
            .iter()
            .filter_map(|c| CompartmentId::parse(c).ok())
            .collect(),
        organisation: None,
        read_only: false,
    };
    let v = graph.visibility(&subject);
    let targets: Vec<usize> = (0..queries)
        .map(|_| rng.below(actors as u64) as usize)
        .collect();

    // The reference (networkx) needs the graph in files: in `export`, or a temporary directory.
    let tmp = tempfile::tempdir()?;
    let export_dir = export
        .map(Path::to_path_buf)
        .or_else(|| reference.then(|| tmp.path().to_path_buf()));
    if let Some(dir) = &export_dir {
        std::fs::create_dir_all(dir)?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("nodes.tsv"))?);
        for (i, (l, c, ours)) in node_labels.iter().enumerate() {
            writeln!(
                f,
                "a{i}\t{l}\t{}\t{}",
                c.map(|c| COMPARTMENTS[c]).unwrap_or("-"),
                u8::from(*ours)
            )?;
        }
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("edges.tsv"))?);
        for &(a, b, l, c) in &edge_list {
            writeln!(
                f,
                "a{a}\ta{b}\t{l}\t{}",
                c.map(|c| COMPARTMENTS[c]).unwrap_or("-")
            )?;
        }
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("queries.tsv"))?);
        for t in &targets {
            writeln!(f, "a{t}")?;
        }
    }
    let mut python = match &export_dir {
        Some(dir) if reference => NamedReference::start("network_reference.py", dir),
        _ => None,
    };
    let (mut py_ego, mut py_intro) = (Vec::new(), Vec::new());

    let mut ego_ms = Vec::new();
    let mut ego_sizes = 0usize;
    let mut intro_ms = Vec::new();
    let mut intro_found = 0usize;
    for &t in &targets {
        let id = format!("a{t}");
        let s = Instant::now();
        let e = graph.ego(&v, &id, 2, 100_000);
        ego_ms.push(s.elapsed().as_secs_f64() * 1000.0);
        ego_sizes += e.map(|e| e.nodes.len()).unwrap_or(0);
        let s = Instant::now();
        let p = graph.introductions(&v, &id, 3);
        intro_ms.push(s.elapsed().as_secs_f64() * 1000.0);
        intro_found += usize::from(!p.is_empty());
        // The same two questions on networkx, right after (alternating, not all of one first).
        if let Some(r) = python.as_mut() {
            py_ego.push(r.reference.ask(&format!("ego {id}"))?.parse::<f64>()?);
            py_intro.push(r.reference.ask(&format!("intro {id}"))?.parse::<f64>()?);
        }
    }
    let s = Instant::now();
    let brokers = graph.brokers(&v, 20, 5000, 16);
    let broker_ms = s.elapsed().as_secs_f64() * 1000.0;
    ego_ms.sort_by(f64::total_cmp);
    intro_ms.sort_by(f64::total_cmp);
    println!(
        "graph: {} actors, {} relationships (generated in {:.1} s, built in {:.2} s)",
        graph.node_count(),
        graph.edge_count(),
        generated.as_secs_f64(),
        built.as_secs_f64()
    );
    println!("subject: confidential clearance, 2 of 8 compartments; {queries} random targets");
    println!(
        "ego network depth 2:   p50 {:.2} ms  p99 {:.2} ms  (mean {} actors)",
        percentile(&ego_ms, 0.5),
        percentile(&ego_ms, 0.99),
        ego_sizes / queries.max(1)
    );
    println!(
        "introductions k=3:     p50 {:.2} ms  p99 {:.2} ms  ({intro_found} of {queries} targets reachable)",
        percentile(&intro_ms, 0.5),
        percentile(&intro_ms, 0.99)
    );
    println!(
        "brokers (16 sampled sources): {broker_ms:.0} ms, top: {}",
        brokers.first().map(|b| b.0.as_str()).unwrap_or("-")
    );

    if let Some(reference) = &python {
        let stats = |xs: &mut Vec<f64>| {
            xs.sort_by(f64::total_cmp);
            (percentile(xs, 0.5), percentile(xs, 0.99))
        };
        let (e50, e99) = stats(&mut py_ego);
        let (i50, i99) = stats(&mut py_intro);
        println!("alternating with networkx ({}):", reference.name);
        println!(
            "| question ({actors} actors, {relationships} relationships, policy filter on) | Grotius p50 | Grotius p99 | networkx p50 | networkx p99 | ratio at p99 |"
        );
        println!("|---|---:|---:|---:|---:|---:|");
        for (name, (r50, r99), (p50, p99)) in [
            (
                "ego network, depth 2",
                (percentile(&ego_ms, 0.5), percentile(&ego_ms, 0.99)),
                (e50, e99),
            ),
            (
                "3 shortest introduction paths",
                (percentile(&intro_ms, 0.5), percentile(&intro_ms, 0.99)),
                (i50, i99),
            ),
        ] {
            println!(
                "| {name} | {r50:.2} ms | {r99:.2} ms | {p50:.2} ms | {p99:.2} ms | {:.0}× |",
                p99 / r99.max(1e-9)
            );
        }
    }
    Ok(())
}

/// `grotius bench matching`: a temporary SQLite instance with the demo accounts and `experts`
/// synthetic experts (imported through the real CSV import), then ranked matching for requests
/// through the store (policy filter, decryption of conflict declarations, scoring) — p50/p99.
pub async fn matching(experts: usize, queries: usize) -> Result<()> {
    use grotius_domain::roster::RequestInput;
    use grotius_store::TableFormat;

    let dir = tempfile::tempdir()?;
    let ring = grotius_security::create_instance_keys(dir.path())?;
    let store = grotius_store::Store::open(dir.path(), None, ring).await?;
    crate::demo::seed_core(&store, "bench-password-2026").await?;
    let id = store.cli_operator().find_user_id("coordinator").await?;
    let coordinator = store
        .cli_act_as(&id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no coordinator"))?;

    const EXPERTISE: [&str; 8] = [
        "process-design",
        "ceasefire-security",
        "power-sharing",
        "constitution-making",
        "gender-inclusion",
        "natural-resources-water",
        "transitional-justice",
        "mhpss",
    ];
    const LANGS: [&str; 8] = ["en", "fr", "ar", "es", "pt", "ru", "sw", "nl"];
    const REGIONS: [&str; 6] = [
        "Northern Africa",
        "Eastern Africa",
        "Western Africa",
        "Western Asia",
        "South America",
        "Eastern Europe",
    ];
    const TRACKS: [&str; 4] = ["I", "1.5", "II", "III"];
    const CLASS: [&str; 4] = ["public", "internal", "confidential", "secret"];
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let mut csv = String::from(
        "name,sex,expertise,languages,regions,tracks,availability,conflicts_of_interest,clearance,women_mediator_network,network_name,past_deployments,classification,compartment\n",
    );
    for i in 0..experts {
        let pick = |rng: &mut Rng, xs: &[&str], n: u64| -> String {
            let mut v: Vec<&str> = (0..1 + rng.below(n))
                .map(|_| xs[rng.below(xs.len() as u64) as usize])
                .collect();
            v.sort();
            v.dedup();
            v.join(";")
        };
        let month = 1 + rng.below(12);
        csv.push_str(&format!(
            "Expert {i},{},{},{},{},{},2027-{month:02}-01/2027-{month:02}-28,{},{},{},,internal,\n",
            if rng.below(2) == 0 { "female" } else { "male" },
            pick(&mut rng, &EXPERTISE, 3),
            pick(&mut rng, &LANGS, 3),
            pick(&mut rng, &REGIONS, 2),
            pick(&mut rng, &TRACKS, 2),
            if rng.below(20) == 0 {
                "YE: advised a party"
            } else {
                ""
            },
            CLASS[rng.below(4) as usize],
            if rng.below(4) == 0 {
                "yes,FemWise-Africa"
            } else {
                "no,"
            },
        ));
    }
    let t = Instant::now();
    let report = coordinator
        .import_experts(csv.as_bytes(), TableFormat::Csv, false, &mut |_, _| {})
        .await?;
    if report.imported != experts {
        anyhow::bail!(
            "the synthetic roster did not import: {:?}",
            report.errors.iter().take(3).collect::<Vec<_>>()
        );
    }
    println!(
        "imported {} experts in {:.1} s (one transaction, audited)",
        report.imported,
        t.elapsed().as_secs_f64()
    );
    let mut request_ids = Vec::new();
    for (i, (country, expertise, lang, track)) in [
        ("YE", "ceasefire-security", "ar", Some("I")),
        ("SD", "gender-inclusion", "en", Some("II")),
        ("CO", "transitional-justice", "es", None),
        ("ML", "natural-resources-water", "fr", Some("1.5")),
        ("UA", "mhpss", "ru", Some("III")),
    ]
    .iter()
    .enumerate()
    {
        let r = coordinator
            .create_request(&RequestInput {
                title: format!("Bench request {i}"),
                requester: "UN envoy".into(),
                request_type: "advisory".into(),
                modality: "in-person".into(),
                urgency: "urgent".into(),
                countries: vec![country.to_string()],
                expertise: vec![expertise.to_string()],
                languages: vec![lang.to_string()],
                track: track.map(str::to_string),
                start_date: Some("2027-03-01".into()),
                end_date: Some("2027-03-20".into()),
                classification: "confidential".into(),
                ..Default::default()
            })
            .await?;
        request_ids.push(r.id);
    }
    let s = Instant::now();
    coordinator.match_request(&request_ids[0], 20).await?;
    println!(
        "first match (decodes the roster into the node's cache): {:.0} ms",
        s.elapsed().as_secs_f64() * 1000.0
    );
    let mut ms = Vec::new();
    let mut found = 0;
    for q in 0..queries {
        let s = Instant::now();
        let c = coordinator
            .match_request(&request_ids[q % request_ids.len()], 20)
            .await?;
        ms.push(s.elapsed().as_secs_f64() * 1000.0);
        found += c.len();
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "matching against {experts} experts through the store: p50 {:.1} ms  p99 {:.1} ms  ({} candidates per request shown)",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        found / queries.max(1)
    );

    // The ranking alone, side by side with a Python reference of the same scoring on the same
    // roster and requests (what an analyst would otherwise script).
    let mut roster = Vec::with_capacity(experts);
    let mut offset = 0;
    loop {
        let page = coordinator
            .list_experts(&Default::default(), 500, offset)
            .await?;
        let n = page.items.len() as i64;
        roster.extend(page.items);
        offset += n;
        if n == 0 || offset >= page.total {
            break;
        }
    }
    let mut requests = Vec::new();
    for id in &request_ids {
        requests.push(coordinator.get_request(id).await?);
    }
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("roster.csv"), &csv)?;
    let reqs: Vec<serde_json::Value> = requests
        .iter()
        .map(|r| {
            serde_json::json!({
                "countries": r.countries, "expertise": r.expertise, "languages": r.languages,
                "start": r.start_date, "end": r.end_date, "classification": r.labels.classification.level(),
                "requester": r.requester, "track": r.track,
            })
        })
        .collect();
    std::fs::write(
        dir.path().join("requests.json"),
        serde_json::to_string(&serde_json::json!({ "requests": reqs }))?,
    )?;
    let countries = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/iso3166-countries.csv");
    let mut python = Reference::start("matching_reference.py", &[dir.path(), &countries]);
    // Query by query, alternately: Grotius ranks, then the Python reference ranks the same
    // request (each timing the ranking alone), and the two top 20s are compared.
    let mut pure = Vec::new();
    let mut py = Vec::new();
    let mut differ = 0;
    for q in 0..queries {
        let request = &requests[q % requests.len()];
        let ctx = grotius_domain::roster::MatchContext {
            request,
            names: vec![request.requester.as_str()],
        };
        let s = Instant::now();
        let ranked = grotius_domain::roster::rank_top(roster.iter(), &ctx, 20);
        pure.push(s.elapsed().as_secs_f64() * 1000.0);
        let names: Vec<String> = ranked.iter().map(|c| c.name.clone()).collect();
        if let Some(reference) = python.as_mut() {
            let answer = reference.ask(&q.to_string())?;
            let (ms, theirs) = answer
                .split_once('\t')
                .ok_or_else(|| anyhow::anyhow!("the Python reference answered {answer:?}"))?;
            let theirs: Vec<String> = serde_json::from_str(theirs)?;
            py.push(ms.parse::<f64>()?);
            if theirs != names {
                differ += 1;
                if differ == 1 {
                    println!(
                        "Python reference DIFFERS on query {q}: {:?} vs Grotius {:?}",
                        &theirs[..theirs.len().min(5)],
                        &names[..names.len().min(5)]
                    );
                }
            }
        }
    }
    pure.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&pure, 0.5), percentile(&pure, 0.99));
    println!(
        "ranking alone ({} experts, in memory): p50 {p50:.2} ms  p99 {p99:.2} ms",
        roster.len()
    );
    if python.is_some() {
        py.sort_by(f64::total_cmp);
        let (q50, q99) = (percentile(&py, 0.5), percentile(&py, 0.99));
        println!(
            "python reference ranking (alternating): p50 {q50:.2} ms  p99 {q99:.2} ms; top 20 equal to Grotius's on {} of {queries} queries",
            queries - differ
        );
        println!(
            "ratio at p99: Python / Grotius = {:.1}x",
            q99 / p99.max(1e-9)
        );
        anyhow::ensure!(
            differ == 0,
            "the Python reference and Grotius disagree on {differ} queries"
        );
    }
    Ok(())
}

/// A reference with the name it printed when ready (e.g. its library version).
struct NamedReference {
    name: String,
    reference: Reference,
}

impl NamedReference {
    fn start(script: &str, dir: &Path) -> Option<NamedReference> {
        let mut reference = Reference::start(script, &[dir])?;
        let name = reference.ask("version").ok()?;
        Some(NamedReference { name, reference })
    }
}

/// A Python reference (in `bench/`) run as a child process that answers one query per line, so
/// that the bench alternates with it query by query.
struct Reference {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Reference {
    /// Starts `python3 bench/SCRIPT ARGS…` and waits for its `ready` line; `None` (said why)
    /// when it cannot run.
    fn start(script: &str, args: &[&Path]) -> Option<Reference> {
        use std::io::BufRead;
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../bench")
            .join(script);
        let mut child = match std::process::Command::new("python3")
            .arg(&script)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                println!("{} not run (python3: {e})", script.display());
                return None;
            }
        };
        let input = child.stdin.take()?;
        let mut output = std::io::BufReader::new(child.stdout.take()?);
        let mut ready = String::new();
        if output.read_line(&mut ready).is_err() || !ready.starts_with("ready") {
            println!("{} did not start (said {ready:?})", script.display());
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        print!("{}: {ready}", script.display());
        Some(Reference {
            child,
            input,
            output,
        })
    }

    /// Sends one query line and returns the answer line.
    fn ask(&mut self, query: &str) -> Result<String> {
        use std::io::BufRead;
        writeln!(self.input, "{query}")?;
        self.input.flush()?;
        let mut line = String::new();
        self.output.read_line(&mut line)?;
        anyhow::ensure!(
            !line.is_empty(),
            "the Python reference stopped at {query:?}"
        );
        Ok(line.trim_end().to_string())
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `grotius bench fund`: a realistic fund built through the store — two instruments with
/// budgets for four fiscal years, `applications` applications (most on the fast track, a fifth
/// on the standard track through appraisal, review and committee; a tenth confidential) moved
/// through the real workflow, then ledger transactions up to `transactions` in all:
/// disbursements in tranches and some refunds, recorded with [`Access::record_payments_bulk`]
/// (the ledger's own path — validation, postings, balance checks, audit entry and change feed
/// per transaction — 1,000 per database transaction). Then times the dashboard, the reports and
/// the annual overview for Parliament (p50/p99 over `runs`), approvals per second with 8
/// concurrent approvers racing on one instrument-year, and `fund verify`.
///
/// [`Access::record_payments_bulk`]: grotius_store::Access::record_payments_bulk
pub async fn fund(
    transactions: usize,
    applications: usize,
    runs: usize,
    database: Option<&str>,
    keep: Option<&Path>,
) -> Result<()> {
    use grotius_domain::fund::{ApplicationInput, InstrumentInput};
    use grotius_store::{FundReportFilter, NewUser, PaymentInput};

    let tmp = tempfile::tempdir()?;
    let dir = match keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.to_path_buf()
        }
        None => tmp.path().to_path_buf(),
    };
    let ring = grotius_security::create_instance_keys(&dir)?;
    let store = grotius_store::Store::open(&dir, database, ring).await?;
    println!(
        "fund benchmark on {} ({} applications, {} ledger transactions)",
        store.backend().name(),
        applications,
        transactions
    );
    let op = store.cli_operator();
    let mut users = Vec::new();
    for (name, role) in [
        ("bench-officer", Role::FundOfficer),
        ("bench-approver", Role::FundApprover),
        ("bench-controller", Role::Controller),
    ] {
        let u = op
            .create_user(&NewUser {
                username: name.into(),
                display_name: name.into(),
                password: "bench-password-2026".into(),
                roles: vec![role],
                clearance: Classification::Secret,
                organisation: None,
            })
            .await?;
        users.push(
            store
                .cli_act_as(&u.id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user {name}"))?,
        );
    }
    let (officer, approver, controller) = (users[0].clone(), users[1].clone(), users[2].clone());
    let mut instruments = Vec::new();
    for (code, oda) in [("FMF", true), ("PEACE", false)] {
        let i = officer
            .create_instrument(&InstrumentInput {
                code: code.into(),
                name: format!("{code} instrument"),
                oda,
                max_months: 24,
                grant_ceiling: "500000.00".into(),
                fast_track_threshold: "100000.00".into(),
                fast_target_days: 10,
                standard_target_days: 15,
            })
            .await?;
        for year in 2024..=2027 {
            officer
                .set_ceiling(&i.id, year, "budget", "", "2000000000.00")
                .await?;
        }
        instruments.push(i);
    }
    const COUNTRIES: [&str; 12] = [
        "SD", "SS", "ET", "SO", "ML", "NE", "BF", "CO", "YE", "SY", "UA", "AF",
    ];
    const THEMES: [&str; 5] = ["rule-of-law", "water", "mhpss", "wps", "innovation"];
    const PARTNERS: [&str; 8] = [
        "Sahel Dialogue Initiative",
        "Horn Peace Forum",
        "Water Bridges",
        "Inclusive Voices",
        "Andean Dialogue Trust",
        "Levant Mediation Centre",
        "Women Mediators Network",
        "Digital Peace Lab",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t0 = Instant::now();
    let mut approved: Vec<(String, i64)> = Vec::new();
    for n in 0..applications {
        let standard = rng.below(5) == 0;
        let amount = if standard {
            100_000 + rng.below(300_000)
        } else {
            5_000 + rng.below(90_000)
        };
        let usd = rng.below(4) == 0;
        let country = COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize];
        let theme = THEMES[rng.below(THEMES.len() as u64) as usize];
        let input = ApplicationInput {
            instrument_id: instruments[n % 2].id.clone(),
            title: format!("Bench application {n}"),
            partner: PARTNERS[rng.below(PARTNERS.len() as u64) as usize].into(),
            currency: if usd { "USD" } else { "EUR" }.into(),
            amount: format!("{amount}.00"),
            rate: if usd { "0.92".into() } else { String::new() },
            start_date: format!("{}-{:02}-01", 2024 + rng.below(4), 1 + rng.below(12)),
            months: 6 + rng.below(18) as i64,
            why_now: "A window opened.".into(),
            purpose_code: "15220".into(),
            gender_marker: rng.below(3).to_string(),
            themes: vec![theme.into()],
            countries: vec![country.into()],
            classification: if rng.below(10) == 0 {
                "confidential"
            } else {
                "internal"
            }
            .into(),
            ..Default::default()
        };
        let a = officer.create_application(&input).await?;
        let fate = rng.below(20);
        if fate == 0 {
            continue; // draft
        }
        officer
            .transition_application(&a.id, "submitted", "")
            .await?;
        if fate == 1 || fate == 2 {
            continue; // open
        }
        if a.track == "standard" {
            officer
                .transition_application(&a.id, "appraisal", "")
                .await?;
            officer.transition_application(&a.id, "review", "").await?;
            approver
                .transition_application(&a.id, "committee", "")
                .await?;
        }
        if fate == 3 || fate == 4 {
            approver
                .transition_application(&a.id, "rejected", "")
                .await?;
            continue;
        }
        approver
            .transition_application(&a.id, "approved", "")
            .await?;
        approved.push((a.id.clone(), a.amount_eur));
        if (n + 1) % 500 == 0 {
            eprint!("\rapplications: {}/{applications}", n + 1);
        }
    }
    eprintln!();
    let base = store.verify_fund().await?.transactions as usize;
    println!(
        "  built {} applications ({} grants, {} ledger transactions) in {:.1} s",
        applications,
        approved.len(),
        base,
        t0.elapsed().as_secs_f64()
    );
    // Tranches: every grant gets about the same number of ledger transactions; a tranche is
    // 1/50 of the grant, every tenth movement a refund of part of the last tranche.
    let t1 = Instant::now();
    let wanted = transactions.saturating_sub(base);
    let per_grant = wanted.div_ceil(approved.len().max(1));
    let mut items: Vec<(String, PaymentInput)> = Vec::new();
    let mut written = 0usize;
    'outer: for round in 0..per_grant {
        for (id, eur) in &approved {
            if written + items.len() >= wanted {
                break 'outer;
            }
            let tranche = (eur / 50).max(1);
            let (kind, cents) = if round % 10 == 9 {
                ("refund", (tranche / 4).max(1))
            } else {
                ("disbursement", tranche)
            };
            items.push((
                id.clone(),
                PaymentInput {
                    kind: kind.into(),
                    currency: "EUR".into(),
                    amount: grotius_domain::fund::format_amount(cents, "EUR"),
                    value_date: "2027-06-30".into(),
                    ..Default::default()
                },
            ));
            if items.len() == 1000 {
                written += controller.record_payments_bulk(&items).await?;
                items.clear();
                eprint!("\rledger: {}/{wanted}", written);
            }
        }
    }
    if !items.is_empty() {
        written += controller.record_payments_bulk(&items).await?;
    }
    eprintln!();
    println!(
        "  recorded {written} payments in {:.1} s ({:.0} per second)",
        t1.elapsed().as_secs_f64(),
        written as f64 / t1.elapsed().as_secs_f64().max(1e-9)
    );

    async fn time<F, Fut, T>(runs: usize, mut f: F) -> Result<(f64, f64)>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = grotius_store::Result<T>>,
    {
        let mut ms = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            f().await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        Ok((percentile(&ms, 0.5), percentile(&ms, 0.99)))
    }
    let (p50, p99) = time(runs, || officer.fund_dashboard(None)).await?;
    println!("  dashboard (all years):            p50 {p50:.1} ms  p99 {p99:.1} ms");
    let y2027 = FundReportFilter {
        year: Some(2027),
        instrument: None,
    };
    let all_years = FundReportFilter::default();
    let (p50, p99) = time(runs, || officer.fund_report(&y2027)).await?;
    println!("  annual report 2027 (all tables):  p50 {p50:.1} ms  p99 {p99:.1} ms");
    let (p50, p99) = time(runs, || officer.fund_report(&all_years)).await?;
    println!("  report, all years:                p50 {p50:.1} ms  p99 {p99:.1} ms");
    let (p50, p99) = time(runs, || officer.fund_parliament(2027, false)).await?;
    println!("  overview for Parliament (full):   p50 {p50:.1} ms  p99 {p99:.1} ms");
    let (p50, p99) = time(runs, || officer.fund_parliament(2027, true)).await?;
    println!("  overview for Parliament (public): p50 {p50:.1} ms  p99 {p99:.1} ms");

    // Approvals under contention: 8 approvers, 25 applications each, one instrument-year.
    let mut queue = Vec::new();
    for n in 0..200 {
        let a = officer
            .create_application(&ApplicationInput {
                instrument_id: instruments[0].id.clone(),
                title: format!("Race {n}"),
                partner: "Race partner".into(),
                currency: "EUR".into(),
                amount: "10000.00".into(),
                start_date: "2027-03-01".into(),
                months: 6,
                purpose_code: "15220".into(),
                gender_marker: "1".into(),
                countries: vec!["SD".into()],
                classification: "internal".into(),
                ..Default::default()
            })
            .await?;
        officer
            .transition_application(&a.id, "submitted", "")
            .await?;
        queue.push(a.id);
    }
    let t2 = Instant::now();
    let mut tasks = Vec::new();
    for chunk in queue.chunks(25) {
        let approver = approver.clone();
        let ids = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            for id in ids {
                approver.transition_application(&id, "approved", "").await?;
            }
            Ok::<_, grotius_store::StoreError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = t2.elapsed().as_secs_f64();
    println!(
        "  approvals, 8 concurrent approvers: {} in {secs:.2} s = {:.0} per second",
        queue.len(),
        queue.len() as f64 / secs
    );
    let t3 = Instant::now();
    let v = store.verify_fund().await?;
    println!(
        "  fund verify: {} transactions, {} problems, {:.2} s",
        v.transactions,
        v.problems.len(),
        t3.elapsed().as_secs_f64()
    );
    if !v.problems.is_empty() {
        anyhow::bail!("the ledger is not sound: {:?}", v.problems);
    }
    std::io::stdout().flush()?;
    Ok(())
}

/// Peak and current resident memory of this process (VmHWM, VmRSS), in MiB.
pub fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Times one external command (`None` when it is not installed); fails if it fails.
fn time_command(cmd: &mut std::process::Command) -> Result<Option<(f64, String)>> {
    let t = Instant::now();
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        anyhow::bail!(
            "{:?} failed: {}",
            cmd,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(Some((
        secs,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )))
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

/// `grotius bench evidence`: ingest of one file (SHA-256, XChaCha20-Poly1305 per 64 KiB segment,
/// write and fsync) against its two physical limits on the same file in the same run: hashing
/// (`openssl dgst -sha256`, which uses the CPU's SHA extensions) and the disk's durable write
/// (`dd … conv=fdatasync` of the same size into the same directory), alternately, `rounds`
/// times (the order rotates each round), medians; then peak memory and `evidence verify` over
/// many small items.
pub async fn evidence(size_mb: u64, items: usize, rounds: usize, dir: Option<&Path>) -> Result<()> {
    use grotius_domain::evidence::CaptureInput;
    use std::os::unix::fs::FileExt;

    let rounds = rounds.max(1);
    let tmp = tempfile::tempdir()?;
    let root = dir.unwrap_or(tmp.path()).to_path_buf();
    std::fs::create_dir_all(&root)?;
    let data = root.join("instance");
    std::fs::create_dir_all(&data)?;
    let ring = crate::demo::keys(&data)?;
    let store = grotius_store::Store::open(&data, None, ring).await?;
    crate::demo::seed_core(&store, "bench-password-2026").await?;
    let id = store.cli_operator().find_user_id("custodian").await?;
    let custodian = store
        .cli_act_as(&id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no custodian"))?;
    let input = |name: String| CaptureInput {
        captured_at: "2026-03-01T12:00:00Z".into(),
        collector: "bench".into(),
        method: "download".into(),
        original_name: name,
        classification: "confidential".into(),
        compartment: Some("evidence-sudan".into()),
        ..Default::default()
    };

    // The file: pseudo-random bytes (incompressible), written in 1 MiB pieces.
    let file = root.join("bench-evidence.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file)?);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut buf = vec![0u8; 1024 * 1024];
        for _ in 0..size_mb {
            for c in buf.chunks_mut(8) {
                c.copy_from_slice(&rng.next().to_le_bytes()[..c.len()]);
            }
            f.write_all(&buf)?;
        }
        f.flush()?;
    }
    let bytes = size_mb * 1024 * 1024;
    let mib = bytes as f64 / (1024.0 * 1024.0);
    // Warm the page cache for all contenders alike.
    {
        let mut f = std::fs::File::open(&file)?;
        std::io::copy(&mut f, &mut std::io::sink())?;
    }
    let dd_out = root.join("bench-dd.bin");
    let (hwm_before, rss_before) = memory_mib();
    let (mut ingest, mut hash, mut disk) = (Vec::new(), Vec::new(), Vec::new());
    let (mut have_openssl, mut have_dd) = (true, true);
    for round in 0..rounds {
        // A new content each round (the first 8 bytes), so that no round finds its blob stored.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&file)?
            .write_all_at(&(round as u64).to_le_bytes(), 0)?;
        let mut ingested_sha = String::new();
        for contender in (0..3).map(|k| (k + round) % 3) {
            match contender {
                0 => {
                    let t = Instant::now();
                    let mut f = tokio::fs::File::open(&file).await?;
                    let item = custodian
                        .evidence_ingest_reader(&input(format!("bench-{round}.bin")), &mut f)
                        .await?;
                    let secs = t.elapsed().as_secs_f64();
                    println!(
                        "round {}: ingest {secs:.2} s = {:.0} MiB/s",
                        round + 1,
                        mib / secs
                    );
                    ingest.push(secs);
                    ingested_sha = item.item.sha256;
                }
                1 if have_openssl => {
                    match time_command(
                        std::process::Command::new("openssl")
                            .args(["dgst", "-sha256", "-r"])
                            .arg(&file),
                    )? {
                        Some((secs, out)) => {
                            println!(
                                "round {}: openssl dgst -sha256 {secs:.2} s = {:.0} MiB/s",
                                round + 1,
                                mib / secs
                            );
                            hash.push((
                                secs,
                                out.split_whitespace().next().unwrap_or("").to_string(),
                            ));
                        }
                        None => {
                            println!("openssl not found: no hashing limit");
                            have_openssl = false;
                        }
                    }
                }
                2 if have_dd => {
                    let mut dd = std::process::Command::new("dd");
                    dd.arg(format!("if={}", file.display()))
                        .arg(format!("of={}", dd_out.display()))
                        .args(["bs=1M", "conv=fdatasync", "status=none"]);
                    match time_command(&mut dd)? {
                        Some((secs, _)) => {
                            println!(
                                "round {}: dd conv=fdatasync {secs:.2} s = {:.0} MiB/s",
                                round + 1,
                                mib / secs
                            );
                            disk.push(secs);
                        }
                        None => {
                            println!("dd not found: no disk limit");
                            have_dd = false;
                        }
                    }
                    std::fs::remove_file(&dd_out).ok();
                }
                _ => {}
            }
        }
        // Both hashed the same bytes (the round's file).
        if let Some((_, h)) = hash.last_mut()
            && !h.is_empty()
        {
            anyhow::ensure!(
                *h == ingested_sha,
                "round {}: openssl's SHA-256 {h} differs from the ingest's {ingested_sha}",
                round + 1
            );
            h.clear();
        }
    }
    let (hwm_after, _) = memory_mib();
    let ingest_s = median(&ingest);
    println!();
    println!(
        "| {size_mb} MiB, same file, {rounds} alternating rounds, medians | time | throughput | ingest ÷ this |"
    );
    println!("|---|---:|---:|---:|");
    println!(
        "| ingest (hash + encrypt + store, fsync) | {ingest_s:.2} s | {:.0} MiB/s | 1.00 |",
        mib / ingest_s
    );
    if !hash.is_empty() {
        let s = median(&hash.iter().map(|(s, _)| *s).collect::<Vec<_>>());
        println!(
            "| hashing limit: `openssl dgst -sha256` | {s:.2} s | {:.0} MiB/s | {:.2} |",
            mib / s,
            s / ingest_s
        );
    }
    if !disk.is_empty() {
        let s = median(&disk);
        println!(
            "| disk limit: `dd bs=1M conv=fdatasync` | {s:.2} s | {:.0} MiB/s | {:.2} |",
            mib / s,
            s / ingest_s
        );
        println!(
            "ingest throughput ÷ disk's durable write throughput = {:.2} (1.00: at the disk's limit)",
            s / ingest_s
        );
    }
    println!(
        "memory: RSS {rss_before:.0} MiB before, peak (VmHWM) {hwm_before:.0} MiB before → {hwm_after:.0} MiB after {rounds} ingests"
    );
    std::fs::remove_file(&file)?;

    // Many small items, then a full verify.
    let t = Instant::now();
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for i in 0..items {
        let body: Vec<u8> = (0..128).flat_map(|_| rng.next().to_le_bytes()).collect();
        custodian
            .evidence_ingest_bytes(&input(format!("item-{i}.bin")), &body)
            .await?;
        if (i + 1) % 1000 == 0 {
            eprint!("\ringested {}/{items} small items", i + 1);
        }
    }
    eprintln!();
    println!(
        "ingest of {items} items of 1 KiB: {:.1} s ({:.0} items/s)",
        t.elapsed().as_secs_f64(),
        items as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let r = store.verify_evidence().await?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "evidence verify: {} items, {} events, {} files, {} MiB in {secs:.2} s ({:.0} items/s); problems: {}",
        r.items,
        r.events,
        r.blobs,
        r.bytes / (1024 * 1024),
        r.items as f64 / secs,
        r.problems.len()
    );
    store.close().await;
    Ok(())
}
