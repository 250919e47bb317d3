//! The fund's reports: numbers on a fixture, partners limited to their own figures, the public
//! overview for Parliament that leaks nothing confidential, IATI 2.03 that validates against
//! the official XSD and honours exclusions, exports audited.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use grotius_domain::fund::{ApplicationInput, InstrumentInput};
use grotius_domain::process::ProcessInput;
use grotius_domain::{Classification, Role};
use grotius_store::{Access, FundReportFilter, NewUser, PaymentInput, ReportRow, StoreError};
use reqwest::Method;

use crate::harness::{App, Instance, PASSWORD};

const YEAR: i32 = 2031;

async fn spawn(i: Instance) -> App {
    let config = grotius_web::WebConfig {
        login_attempts_per_minute: 100_000,
        ..Default::default()
    };
    App::spawn_with(i, config).await
}
const DAY: i64 = 86_400_000_000;
const NINE: i64 = 9 * 3_600_000_000;
/// Monday 2027-03-01, days since 1970-01-01.
const MON: i64 = 20_878;

struct Fixture {
    ids: HashMap<&'static str, String>,
}

async fn user(
    i: &Instance,
    name: &str,
    role: Role,
    clearance: Classification,
    org: Option<&str>,
) -> Access {
    let u = i
        .store
        .cli_operator()
        .create_user(&NewUser {
            username: name.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            roles: vec![role],
            clearance,
            organisation: org.map(str::to_string),
        })
        .await
        .unwrap();
    i.store.cli_act_as(&u.id).await.unwrap().unwrap()
}

fn instrument(code: &str, oda: bool, fast_target: i64) -> InstrumentInput {
    InstrumentInput {
        code: code.into(),
        name: format!("Instrument {code}"),
        oda,
        max_months: 24,
        grant_ceiling: "500000.00".into(),
        fast_track_threshold: "100000.00".into(),
        fast_target_days: fast_target,
        standard_target_days: 15,
    }
}

#[allow(clippy::too_many_arguments)]
fn app(
    instrument: &str,
    title: &str,
    partner: &str,
    amount: &str,
    countries: &[&str],
    themes: &[&str],
    classification: &str,
    processes: &[&str],
) -> ApplicationInput {
    ApplicationInput {
        instrument_id: instrument.into(),
        title: title.into(),
        partner: partner.into(),
        process_ids: processes.iter().map(|p| p.to_string()).collect(),
        currency: "EUR".into(),
        amount: amount.into(),
        start_date: format!("{YEAR}-02-01"),
        months: 18,
        why_now: "A window opened.".into(),
        purpose_code: "15220".into(),
        gender_marker: "2".into(),
        themes: themes.iter().map(|t| t.to_string()).collect(),
        countries: countries.iter().map(|c| c.to_string()).collect(),
        classification: classification.into(),
        ..Default::default()
    }
}

fn process(title: &str, country: &str, classification: &str) -> ProcessInput {
    ProcessInput {
        countries: vec![country.into()],
        ..crate::harness::process_input(title, classification, None)
    }
}

fn pay(kind: &str, amount: &str) -> PaymentInput {
    PaymentInput {
        kind: kind.into(),
        currency: "EUR".into(),
        amount: amount.into(),
        value_date: format!("{YEAR}-06-30"),
        memo: "tranche".into(),
        ..Default::default()
    }
}

/// Moves a fast-track application to approved (or another end state).
async fn fast(officer: &Access, approver: &Access, input: &ApplicationInput, to: &str) -> String {
    let a = officer.create_application(input).await.unwrap();
    assert_eq!(a.track, "fast", "{}", input.title);
    officer
        .transition_application(&a.id, "submitted", "")
        .await
        .unwrap();
    if !to.is_empty() {
        approver
            .transition_application(&a.id, to, "")
            .await
            .unwrap();
    }
    a.id
}

async fn standard(officer: &Access, approver: &Access, input: &ApplicationInput) -> String {
    let a = officer.create_application(input).await.unwrap();
    assert_eq!(a.track, "standard", "{}", input.title);
    for to in ["submitted", "appraisal", "review"] {
        officer.transition_application(&a.id, to, "").await.unwrap();
    }
    for to in ["committee", "approved"] {
        approver
            .transition_application(&a.id, to, "")
            .await
            .unwrap();
    }
    a.id
}

/// Sets the submission and decision instants of an application (fixture only).
async fn times(i: &Instance, id: &str, submitted_day: i64, decided_day: Option<i64>) {
    let raw = i.raw().await;
    sqlx::query("UPDATE fund_applications SET submitted_at = $1, decided_at = $2 WHERE id = $3")
        .bind(submitted_day * DAY + NINE)
        .bind(decided_day.map(|d| d * DAY + NINE))
        .bind(id)
        .execute(&raw)
        .await
        .unwrap();
}

/// The fixture (fiscal year 2031):
///
/// | grant | instrument | partner | EUR | countries | themes | labels | state, money | decided in |
/// |---|---|---|---|---|---|---|---|---|
/// | G1 | RPT | Sahel Dialogue Initiative | 80,000 | SD | wps | public, Central Sahel (public) | approved; paid 50,000, refund 5,000 | 9 wd |
/// | G2 | RPT | Water Bridges | USD 200,000 @ 0.9 | ML, NE | water, wps | internal | approved (standard); paid 90,000 | 24 wd |
/// | G3 | PEACE | Sahel Dialogue Initiative | 60,000 | CO | rule-of-law | internal | closed after 40,000 paid | 4 wd |
/// | G4 | RPT | Sahel Dialogue Initiative | 30,000 | SD | wps | internal | submitted in 2020, open | — |
/// | G5 | RPT | Water Bridges | 20,000 | ML | water | internal | rejected | 12 wd |
/// | G6 | RPT | Sahel Dialogue Initiative | 10,000 | SD | mhpss | internal, excluded from publication | approved | 2 wd |
/// | KE | RPT | Quiet Channels Foundation | 97,531 | KE | mhpss | internal, process Kestrel (confidential) | approved | 3 wd |
/// | ET | RPT | Quiet Channels Foundation | 123,456.78 | ET | wps | confidential, Nightjar (confidential) | approved (standard) | — |
/// | SO | RPT | Quiet Channels Foundation | 210,000 | SO | wps | confidential, Nightjar | approved (standard) | — |
/// | AN | RPT | Andean Whisper Trust | 45,678.90 | CO | rule-of-law | confidential, no process | approved | — |
async fn fixture(i: &Instance) -> Fixture {
    let officer = user(
        i,
        "rep-officer",
        Role::FundOfficer,
        Classification::Internal,
        None,
    )
    .await;
    let senior = user(
        i,
        "rep-senior",
        Role::FundOfficer,
        Classification::Secret,
        None,
    )
    .await;
    let approver = user(
        i,
        "rep-approver",
        Role::FundApprover,
        Classification::Confidential,
        None,
    )
    .await;
    let controller = user(
        i,
        "rep-controller",
        Role::Controller,
        Classification::Internal,
        None,
    )
    .await;
    let coordinator = user(
        i,
        "rep-coordinator",
        Role::Coordinator,
        Classification::Secret,
        None,
    )
    .await;
    user(
        i,
        "rep-partner",
        Role::Partner,
        Classification::Public,
        Some("Sahel Dialogue Initiative"),
    )
    .await;
    user(
        i,
        "rep-auditor",
        Role::Auditor,
        Classification::Internal,
        None,
    )
    .await;

    let sahel = coordinator
        .create_process(&process("Central Sahel dialogue", "ML", "public"))
        .await
        .unwrap();
    let nightjar = coordinator
        .create_process(&process("Operation Nightjar", "ET", "confidential"))
        .await
        .unwrap();
    let kestrel = coordinator
        .create_process(&process("Operation Kestrel", "KE", "confidential"))
        .await
        .unwrap();

    let rpt = officer
        .create_instrument(&instrument("RPT", true, 10))
        .await
        .unwrap();
    let peace = officer
        .create_instrument(&instrument("PEACE", false, 5))
        .await
        .unwrap();
    officer
        .set_ceiling(&rpt.id, YEAR, "budget", "", "5000000.00")
        .await
        .unwrap();
    officer
        .set_ceiling(&peace.id, YEAR, "budget", "", "1000000.00")
        .await
        .unwrap();
    officer
        .set_ceiling(&rpt.id, YEAR, "country", "SD", "400000.00")
        .await
        .unwrap();

    let mut ids = HashMap::new();
    let sdi = "Sahel Dialogue Initiative";
    let qcf = "Quiet Channels Foundation";
    let g1 = fast(
        &officer,
        &approver,
        &app(
            &rpt.id,
            "Sahel mediators",
            sdi,
            "80000.00",
            &["SD"],
            &["wps"],
            "public",
            &[&sahel.id],
        ),
        "approved",
    )
    .await;
    let mut g2 = app(
        &rpt.id,
        "Water dialogue",
        "Water Bridges",
        "200000.00",
        &["ML", "NE"],
        &["water", "wps"],
        "internal",
        &[],
    );
    g2.currency = "USD".into();
    g2.rate = "0.9".into();
    let g2 = standard(&officer, &approver, &g2).await;
    let g3 = fast(
        &officer,
        &approver,
        &app(
            &peace.id,
            "Andes track II",
            sdi,
            "60000.00",
            &["CO"],
            &["rule-of-law"],
            "internal",
            &[],
        ),
        "approved",
    )
    .await;
    let g4 = fast(
        &officer,
        &approver,
        &app(
            &rpt.id,
            "Pending window",
            sdi,
            "30000.00",
            &["SD"],
            &["wps"],
            "internal",
            &[],
        ),
        "",
    )
    .await;
    let g5 = fast(
        &officer,
        &approver,
        &app(
            &rpt.id,
            "Rejected idea",
            "Water Bridges",
            "20000.00",
            &["ML"],
            &["water"],
            "internal",
            &[],
        ),
        "rejected",
    )
    .await;
    let mut g6 = app(
        &rpt.id,
        "Psychosocial support to negotiators",
        sdi,
        "10000.00",
        &["SD"],
        &["mhpss"],
        "internal",
        &[],
    );
    g6.exclude_from_publication = true;
    g6.exclusion_reason = "Safety of the partner's staff".into();
    let g6 = fast(&officer, &approver, &g6, "approved").await;
    let ke = fast(
        &senior,
        &approver,
        &app(
            &rpt.id,
            "Kestrel back channel",
            qcf,
            "97531.00",
            &["KE"],
            &["mhpss"],
            "internal",
            &[&kestrel.id],
        ),
        "approved",
    )
    .await;
    let et = standard(
        &senior,
        &approver,
        &app(
            &rpt.id,
            "Nightjar shuttle",
            qcf,
            "123456.78",
            &["ET"],
            &["wps"],
            "confidential",
            &[&nightjar.id],
        ),
    )
    .await;
    let so = standard(
        &senior,
        &approver,
        &app(
            &rpt.id,
            "Nightjar venue",
            qcf,
            "210000.00",
            &["SO"],
            &["wps"],
            "confidential",
            &[&nightjar.id],
        ),
    )
    .await;
    let an = fast(
        &senior,
        &approver,
        &app(
            &rpt.id,
            "Andean whisper",
            "Andean Whisper Trust",
            "45678.90",
            &["CO"],
            &["rule-of-law"],
            "confidential",
            &[],
        ),
        "approved",
    )
    .await;

    controller
        .record_payment(&g1, &pay("disbursement", "50000.00"))
        .await
        .unwrap();
    controller
        .record_payment(&g1, &pay("refund", "5000.00"))
        .await
        .unwrap();
    controller
        .record_payment(&g2, &pay("disbursement", "90000.00"))
        .await
        .unwrap();
    controller
        .record_payment(&g3, &pay("disbursement", "40000.00"))
        .await
        .unwrap();
    controller
        .transition_application(&g3, "closed", "")
        .await
        .unwrap();

    times(i, &g1, MON, Some(MON + 11)).await; // Fri 2027-03-12: 9 working days
    times(i, &g2, MON, Some(MON + 32)).await; // Fri 2027-04-02: 24
    times(i, &g3, MON, Some(MON + 4)).await; // Fri 2027-03-05: 4
    times(i, &g4, 18_267, None).await; // Mon 2020-01-06, still open
    times(i, &g5, MON, Some(MON + 16)).await; // Wed 2027-03-17: 12
    times(i, &g6, MON, Some(MON + 2)).await; // Wed 2027-03-03: 2
    times(i, &ke, MON, Some(MON + 3)).await; // Thu 2027-03-04: 3
    for (k, v) in [
        ("g1", g1),
        ("g2", g2),
        ("g3", g3),
        ("g4", g4),
        ("g5", g5),
        ("g6", g6),
        ("ke", ke),
        ("et", et),
        ("so", so),
        ("an", an),
        ("rpt", rpt.id),
        ("peace", peace.id),
    ] {
        ids.insert(k, v);
    }
    let report = i.store.verify_fund().await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    Fixture { ids }
}

fn row<'a>(rows: &'a [ReportRow], key: &str) -> &'a ReportRow {
    rows.iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no row {key} in {rows:?}"))
}

/// (grants, committed, disbursed, refunded, outstanding) in euro cents.
fn money(r: &ReportRow) -> (i64, i64, i64, i64, i64) {
    (
        r.grants,
        r.committed,
        r.disbursed,
        r.refunded,
        r.outstanding,
    )
}

const K: i64 = 100_000; // EUR 1,000 in cents
/// The KE grant, EUR 97,531.00.
const KE: i64 = 9_753_100;

#[tokio::test]
async fn report_numbers_on_a_fixture() {
    let i = Instance::new().await;
    let f = fixture(&i).await;
    let controller = i.access("rep-controller").await;
    let filter = FundReportFilter {
        year: Some(YEAR),
        instrument: None,
    };
    let r = controller.fund_report(&filter).await.unwrap();
    // The controller (internal clearance) reads G1–G6 and KE: 7 applications, 5 grants.
    assert_eq!(r.applications, 7);
    assert_eq!(
        money(&r.total),
        (5, 310 * K + KE, 180 * K, 5 * K, 130 * K + KE)
    );
    assert_eq!(
        money(row(&r.by_country, "SD")),
        (2, 90 * K, 50 * K, 5 * K, 30 * K + 10 * K)
    );
    assert_eq!(
        money(row(&r.by_country, "ML")),
        (1, 90 * K, 45 * K, 0, 45 * K)
    );
    assert_eq!(
        money(row(&r.by_country, "NE")),
        (1, 90 * K, 45 * K, 0, 45 * K)
    );
    assert_eq!(money(row(&r.by_country, "CO")), (1, 40 * K, 40 * K, 0, 0));
    assert_eq!(row(&r.by_country, "KE").committed, KE);
    assert_eq!(row(&r.by_country, "SD").label, "Sudan");
    assert_eq!(
        r.by_country.iter().map(|c| c.committed).sum::<i64>(),
        r.total.committed
    );
    assert_eq!(row(&r.by_region, "Western Africa").committed, 180 * K);
    assert_eq!(row(&r.by_region, "Eastern Africa").committed, KE);
    assert_eq!(row(&r.by_theme, "wps").committed, 170 * K);
    assert_eq!(row(&r.by_theme, "water").committed, 90 * K);
    assert_eq!(row(&r.by_theme, "mhpss").committed, 10 * K + KE);
    assert_eq!(row(&r.by_theme, "rule-of-law").committed, 40 * K);
    assert_eq!(
        money(row(&r.by_track, "fast")),
        (4, 130 * K + KE, 90 * K, 5 * K, 40 * K + KE)
    );
    assert_eq!(
        money(row(&r.by_track, "standard")),
        (1, 180 * K, 90 * K, 0, 90 * K)
    );
    assert_eq!(
        row(&r.by_partner, "Sahel Dialogue Initiative").committed,
        130 * K
    );
    assert_eq!(row(&r.by_partner, "Water Bridges").committed, 180 * K);
    assert_eq!(
        row(&r.by_partner, "Quiet Channels Foundation").committed,
        KE
    );
    assert_eq!(
        money(row(&r.by_instrument, "RPT")),
        (4, 270 * K + KE, 140 * K, 5 * K, 130 * K + KE)
    );
    assert_eq!(
        money(row(&r.by_instrument, "PEACE")),
        (1, 40 * K, 40 * K, 0, 0)
    );
    assert_eq!(r.by_year.len(), 1);
    assert_eq!(r.by_year[0].key, YEAR.to_string());
    // Budgets are the instruments' own figures: PEACE has only G3 (committed 60,000, 20,000
    // released at closure).
    let peace = r
        .budgets
        .iter()
        .find(|b| b.instrument_code == "PEACE")
        .unwrap();
    assert_eq!(
        (peace.budget, peace.used, peace.available),
        (1000 * K, 40 * K, 960 * K)
    );
    let rpt = r
        .budgets
        .iter()
        .find(|b| b.instrument_code == "RPT")
        .unwrap();
    // SD: G1 80,000 less its 5,000 refund, and G6 10,000.
    assert_eq!(
        rpt.ceilings,
        vec![("country".to_string(), "SD".to_string(), 400 * K, 85 * K)]
    );
    // Decision times: fast [2, 3, 4, 9, 12] against 10 (RPT) and 5 (PEACE); standard [24] vs 15.
    let fast = r.decisions.iter().find(|d| d.track == "fast").unwrap();
    assert_eq!(fast.decided, 5);
    assert_eq!(fast.median_days, Some(4.0));
    assert_eq!(
        (fast.within_target, fast.share_within_target),
        (4, Some(80.0))
    );
    assert_eq!(fast.within_benchmark, 5);
    assert_eq!((fast.target_min, fast.target_max), (5, 10));
    assert_eq!((fast.open, fast.open_overdue), (1, 1));
    let std = r.decisions.iter().find(|d| d.track == "standard").unwrap();
    assert_eq!(
        (
            std.decided,
            std.median_days,
            std.within_target,
            std.share_within_target
        ),
        (1, Some(24.0), 0, Some(0.0))
    );
    let g1 = r
        .decision_times
        .iter()
        .find(|d| d.application_id == f.ids["g1"])
        .unwrap();
    assert_eq!((g1.days, g1.target, g1.decided), (9, 10, true));
    // An instrument filter narrows everything.
    let only = controller
        .fund_report(&FundReportFilter {
            year: Some(YEAR),
            instrument: Some("peace".into()),
        })
        .await
        .unwrap();
    assert_eq!(money(&only.total), (1, 40 * K, 40 * K, 0, 0));
    assert_eq!(only.budgets.len(), 1);
    let e = controller
        .fund_report(&FundReportFilter {
            year: Some(YEAR),
            instrument: Some("nope".into()),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(d) if d.to_string().starts_with("instrument")),
        "{e}"
    );

    // The dashboard: the open application is overdue; states are counted.
    let d = controller.fund_dashboard(Some(YEAR)).await.unwrap();
    assert_eq!(d.open.len(), 1);
    assert_eq!(d.open[0].application_id, f.ids["g4"]);
    assert!(d.open[0].days > 1000 && d.open[0].days > d.open[0].target);
    let count = |s: &str| d.states.iter().find(|(x, _)| x == s).unwrap().1;
    assert_eq!(
        (
            count("approved"),
            count("closed"),
            count("rejected"),
            count("submitted")
        ),
        (4, 1, 1, 1)
    );

    // Someone cleared for confidential records reads three more grants, and that read of
    // confidential records is audited.
    let approver = i.access("rep-approver").await;
    let wide = approver.fund_report(&filter).await.unwrap();
    assert_eq!(wide.total.grants, 8);
    assert_eq!(
        wide.total.committed,
        310 * K + KE + 12_345_678 + 210 * K + 4_567_890
    );
    let raw = i.raw().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'fund.report' AND actor_name = 'rep-approver' AND detail LIKE $1")
        .bind(format!("%{}%", f.ids["et"]))
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(n, 1);

    // Roles without the fund's money see nothing; nobody gets a hint.
    let auditor = i.access("rep-auditor").await;
    assert!(matches!(
        auditor.fund_report(&filter).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        auditor.fund_dashboard(None).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_partner_sees_only_its_own_figures() {
    let i = Instance::new().await;
    let f = fixture(&i).await;
    let partner = i.access("rep-partner").await;
    let r = partner
        .fund_report(&FundReportFilter {
            year: Some(YEAR),
            instrument: None,
        })
        .await
        .unwrap();
    // Of its organisation's grants only G1 is public (its clearance); nothing of others.
    assert_eq!(money(&r.total), (1, 80 * K, 50 * K, 5 * K, 30 * K));
    assert_eq!(r.by_partner.len(), 1);
    assert_eq!(r.by_partner[0].key, "Sahel Dialogue Initiative");
    assert!(
        r.budgets.is_empty(),
        "the fund's budgets are not a partner's"
    );
    assert!(
        r.decision_times
            .iter()
            .all(|d| d.application_id == f.ids["g1"])
    );
    let d = partner.fund_dashboard(None).await.unwrap();
    assert!(d.budgets.is_empty() && d.open.is_empty());
    assert_eq!(d.states.iter().map(|(_, n)| n).sum::<i64>(), 1);
    // No overview for Parliament, no export, no IATI.
    assert!(matches!(
        partner.fund_parliament(YEAR, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        partner
            .export_fund_report(&Default::default(), grotius_store::TableFormat::Csv)
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        partner.export_iati(&mut |_, _| {}).await,
        Err(StoreError::Forbidden(_))
    ));
    // The same over HTTP.
    let app = spawn(i).await;
    let token = app.token("rep-partner").await;
    let (s, v) = app
        .api(
            Method::GET,
            &format!("/api/v1/fund/reports?year={YEAR}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total"]["committed"], 80 * K);
    let text = v.to_string();
    for other in ["Water Bridges", "Quiet Channels", "Andean", "PEACE\""] {
        assert!(!text.contains(other), "{other} in {text}");
    }
    let (s, _) = app
        .api(Method::GET, "/api/v1/fund/reports/parliament", &token, None)
        .await;
    assert_eq!(s, 404);
}

/// Everything that would identify a sensitive grant.
const SECRETS: &[&str] = &[
    "Nightjar",
    "Kestrel",
    "Quiet Channels",
    "Andean Whisper",
    "Andean whisper",
    "Ethiopia",
    "Somalia",
    "Kenya",
    "\"ET\"",
    "\"SO\"",
    "\"KE\"",
    "123456",
    "123,456",
    "123.456",
    "210000",
    "210,000",
    "210.000",
    "97531",
    "97,531",
    "97.531",
    "45678",
    "45,678",
    "45.678",
    "430987",
    "430,987",
    "430.987",
    "476666",
    "476,666",
    "476.666",
    "shuttle",
    "venue",
    "back channel",
];

fn assert_no_secrets(what: &str, text: &str, refs: &[&String]) {
    // The session's random CSRF token is no content of the page.
    let mut text = text.to_string();
    let key = "name=\"_csrf\" value=\"";
    while let Some(i) = text.find(key) {
        let start = i + key.len();
        let end = text[start..].find('"').map_or(text.len(), |e| start + e);
        text.replace_range(i..end, "");
    }
    let text = text.as_str();
    for s in SECRETS {
        if let Some(at) = text.find(s) {
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(200)
                .map_or(0, |(i, _)| i);
            panic!(
                "{what} leaks '{s}': …{}…",
                &text[from..(at + 60).min(text.len())]
            );
        }
    }
    for r in refs {
        assert!(!text.contains(r.as_str()), "{what} leaks the id {r}");
    }
}

#[tokio::test]
async fn the_public_overview_for_parliament_leaks_nothing_confidential() {
    let i = Instance::new().await;
    let f = fixture(&i).await;
    let sensitive: Vec<&String> = ["ke", "et", "so", "an"].iter().map(|k| &f.ids[k]).collect();
    let controller = i.access("rep-controller").await;
    let approver = i.access("rep-approver").await;
    // The controller may not read the confidential grants: it gets the public version, even
    // when it asks for the full one.
    let p = controller.fund_parliament(YEAR, false).await.unwrap();
    assert!(p.public && !p.full_allowed);
    assert_eq!(money(&p.total), (4, 310 * K, 180 * K, 5 * K, 130 * K));
    assert!(
        p.by_country
            .iter()
            .all(|c| ["SD", "ML", "NE", "CO"].contains(&c.key.as_str()))
    );
    assert_eq!(p.processes.len(), 1);
    assert_eq!(p.processes[0].name, "Central Sahel dialogue");
    // Three grants (two processes) in Eastern Africa: EUR 430,987.78; the Colombian one alone
    // is too small a cell. Publishing Eastern Africa and the total would give the Colombian grant
    // away by subtraction, so Eastern Africa is merged into "elsewhere" too (secondary
    // suppression): one line of four grants, EUR 476,666 → "0.5 million", and the total is it.
    assert_eq!(p.confidential.len(), 1, "{:?}", p.confidential);
    let other = &p.confidential[0];
    assert_eq!(
        (
            other.region.as_str(),
            other.processes,
            other.grants,
            other.committed_rounded
        ),
        ("", 3, 4, 500 * K)
    );
    assert_eq!(
        (p.confidential_grants, p.confidential_total),
        (4, Some(500 * K))
    );
    // Decision times only over what is published.
    let fast = p.decisions.iter().find(|d| d.track == "fast").unwrap();
    assert_eq!(fast.decided, 3, "G1, G3, G6 (G5 was rejected, not a grant)");

    // The approver may read everything: the full version names the processes; asked for the
    // public one, it gets exactly what the controller gets.
    let full = approver.fund_parliament(YEAR, false).await.unwrap();
    assert!(!full.public && full.full_allowed);
    assert_eq!(full.total.grants, 8);
    assert!(
        full.processes
            .iter()
            .any(|p| p.name == "Operation Nightjar")
    );
    let preview = approver.fund_parliament(YEAR, true).await.unwrap();
    assert!(preview.public && preview.full_allowed);
    assert_eq!(preview.confidential, p.confidential);
    assert_eq!(money(&preview.total), money(&p.total));

    // Pages and API, in both languages.
    let app = spawn(i).await;
    let b = app.browser("rep-controller").await;
    for path in [
        format!("/fund/parliament?year={YEAR}"),
        format!("/fund/parliament?year={YEAR}&public=0"),
        format!("/lang/nl?next=/fund/parliament%3Fyear%3D{YEAR}"),
    ] {
        let (s, html) = b.get(&path).await;
        assert!(s == 200 || s == 303, "{path}: {s}");
        if s == 200 {
            assert_no_secrets(&path, &html, &sensitive);
        }
    }
    let (s, html) = b.get(&format!("/fund/parliament?year={YEAR}")).await;
    assert_eq!(s, 200);
    assert_no_secrets("public page (nl)", &html, &sensitive);
    assert!(
        html.contains("andere regio") && html.contains("€ 0,5 miljoen"),
        "{html}"
    );
    let b = app.browser("rep-approver").await;
    let (s, html) = b
        .get(&format!("/fund/parliament?year={YEAR}&public=1"))
        .await;
    assert_eq!(s, 200);
    assert_no_secrets("previewed public page", &html, &sensitive);
    assert!(
        html.contains("in other regions") && html.contains("€ 0.5 million"),
        "{html}"
    );
    assert!(
        !html.contains("Eastern Africa"),
        "a line the total would expose by subtraction is not published: {html}"
    );
    assert!(html.contains("Central Sahel dialogue") && html.contains("Sudan"));
    let (_, html) = b.get(&format!("/fund/parliament?year={YEAR}")).await;
    assert!(
        html.contains("Operation Nightjar"),
        "the full version names them (the test is meaningful)"
    );
    for user in ["rep-controller", "rep-approver"] {
        let token = app.token(user).await;
        let (s, v) = app
            .api(
                Method::GET,
                &format!("/api/v1/fund/reports/parliament?year={YEAR}&public=1"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["public"], true);
        assert_no_secrets(&format!("API for {user}"), &v.to_string(), &sensitive);
    }
}

/// Codes of an IATI codelist file.
fn codes(list: &str) -> BTreeSet<String> {
    let dir = Path::new("/work/shared/data/iati/codelists");
    let text = ["embedded", "non-embedded"]
        .iter()
        .find_map(|d| std::fs::read_to_string(dir.join(d).join(format!("{list}.xml"))).ok())
        .unwrap_or_else(|| panic!("codelist {list} not found"));
    text.split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(|s| s.trim().to_string())
        .collect()
}

/// Values of `attr` on every `<element …>` of the XML.
fn attrs(xml: &str, element: &str, attr: &str) -> Vec<String> {
    let open = format!("<{element} ");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| {
            let tag = rest.split('>').next()?;
            let key = format!("{attr}=\"");
            let i = tag.find(&key)? + key.len();
            Some(tag[i..].split('"').next()?.to_string())
        })
        .collect()
}

/// Validates a file against the official IATI 2.03 activities schema with xmllint.
fn validate(file: &Path) {
    let xsd = "/work/shared/data/iati/schema-2.03/iati-activities-schema.xsd";
    let out = match std::process::Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(file)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!(
            "xmllint is needed to validate IATI output against the XSD ({e}); install it with `apt-get install -y libxml2-utils`"
        ),
    };
    assert!(
        out.status.success(),
        "IATI output does not validate against the 2.03 XSD:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn iati_validates_against_the_xsd_and_honours_exclusions() {
    let i = Instance::new().await;
    let f = fixture(&i).await;
    let senior = i.access("rep-senior").await;
    let x = senior.export_iati(&mut |_, _| {}).await.unwrap();
    // G1, G2, G3 are published; G6 is excluded; KE (its process is confidential), ET, SO and
    // the Andean grant are sensitive; G4 (open) and G5 (rejected) are no grants.
    assert_eq!((x.activities, x.excluded, x.sensitive), (3, 1, 4));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("iati.xml");
    std::fs::write(&file, &x.xml).unwrap();
    validate(&file);
    let refs: Vec<String> =
        sqlx::query_scalar("SELECT reference FROM fund_applications ORDER BY reference")
            .fetch_all(&i.raw().await)
            .await
            .unwrap();
    assert_eq!(x.xml.matches("<iati-activity ").count(), 3);
    let ids: HashMap<String, String> = {
        let raw = i.raw().await;
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, reference FROM fund_applications")
                .fetch_all(&raw)
                .await
                .unwrap();
        rows.into_iter().collect()
    };
    for k in ["g1", "g2", "g3"] {
        assert!(
            x.xml
                .contains(&format!("XM-DAC-7-{}</iati-identifier>", ids[&f.ids[k]])),
            "{k}"
        );
    }
    for k in ["g4", "g5", "g6", "ke", "et", "so", "an"] {
        assert!(
            !x.xml.contains(&ids[&f.ids[k]]),
            "{k} must not be published"
        );
    }
    assert_eq!(refs.len(), 10);
    for s in [
        "Nightjar",
        "Kestrel",
        "Quiet Channels",
        "Andean",
        "Psychosocial",
    ] {
        assert!(!x.xml.contains(s), "{s}");
    }
    // Every code is in its codelist.
    let checks: &[(&str, &str, &str)] = &[
        ("sector", "code", "Sector"),
        ("sector", "vocabulary", "SectorVocabulary"),
        ("recipient-country", "code", "Country"),
        ("activity-status", "code", "ActivityStatus"),
        ("activity-date", "type", "ActivityDateType"),
        ("participating-org", "role", "OrganisationRole"),
        ("participating-org", "type", "OrganisationType"),
        ("reporting-org", "type", "OrganisationType"),
        ("transaction-type", "code", "TransactionType"),
        ("value", "currency", "Currency"),
        ("default-flow-type", "code", "FlowType"),
        ("default-finance-type", "code", "FinanceType"),
        ("default-aid-type", "code", "AidType"),
        ("collaboration-type", "code", "CollaborationType"),
        ("policy-marker", "code", "PolicyMarker"),
        ("policy-marker", "significance", "PolicySignificance"),
        ("budget", "type", "BudgetType"),
        ("budget", "status", "BudgetStatus"),
        ("description", "type", "DescriptionType"),
    ];
    for (element, attr, list) in checks {
        let found = attrs(&x.xml, element, attr);
        assert!(!found.is_empty(), "no {element}/@{attr}");
        let allowed = codes(list);
        for v in found {
            assert!(
                allowed.contains(&v),
                "{element}/@{attr} = {v} is not in {list}"
            );
        }
    }
    // The vendored copies agree with the codelists for what we use.
    assert!(codes("Sector").contains("15220"));
    // Money: G2's commitment in its own currency, the refund of G1 as a negative disbursement,
    // G3's release at closure as a negative commitment; non-ODA instrument → flow type 21.
    assert!(
        x.xml.contains(r#"<value currency="USD" value-date="#)
            && x.xml.contains(">200000.00</value>")
    );
    assert!(x.xml.contains(">-5000.00</value>") && x.xml.contains(">-20000.00</value>"));
    assert!(x.xml.contains(r#"<default-flow-type code="21"/>"#));
    assert!(
        x.xml
            .contains(r#"<policy-marker vocabulary="1" code="1" significance="2"/>"#)
    );
    assert!(
        x.xml
            .contains(r#"<recipient-country code="ML" percentage="50.00"/>"#)
    );
    assert!(
        x.xml.contains(r#"<activity-status code="4"/>"#),
        "G3 is closed"
    );
    // Budgets cover the 18 months in periods of at most a year.
    assert!(x.xml.contains(&format!(
        r#"<period-start iso-date="{YEAR}-02-01"/><period-end iso-date="{}-01-31"/>"#,
        YEAR + 1
    )));
    // The export is audited with what it holds.
    let raw = i.raw().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'fund.iati.export' AND actor_name = 'rep-senior'")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(n, 1);

    // A fund officer cleared for internal records: KE is visible to it, but its process is
    // confidential, so it is not published either.
    let officer = i.access("rep-officer").await;
    let y = officer.export_iati(&mut |_, _| {}).await.unwrap();
    assert_eq!((y.activities, y.excluded, y.sensitive), (3, 1, 1));

    // The command line writes the same activities, with progress, and they validate.
    let out = dir.path().join("cli.xml");
    let d = i.data().to_str().unwrap().to_string();
    let (code, text) = crate::cli::run(
        &[
            "export",
            "iati",
            "--data",
            &d,
            "--out",
            out.to_str().unwrap(),
        ],
        &i.database,
        None,
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("3 activities written") && text.contains("IATI: 3/3"),
        "{text}"
    );
    validate(&out);
    let cli_xml = std::fs::read_to_string(&out).unwrap();
    assert_eq!(cli_xml.matches("<iati-activity ").count(), 3);

    // The download in the UI and the API.
    let app = spawn(i).await;
    let b = app.browser("rep-officer").await;
    let (s, body) = b.get("/fund/iati.xml").await;
    assert_eq!(s, 200);
    assert!(body.starts_with("<?xml") && body.matches("<iati-activity ").count() == 3);
    let token = app.token("rep-partner").await;
    let (s, _) = app
        .api(Method::GET, "/api/v1/fund/iati", &token, None)
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn report_exports_are_tables_and_audited() {
    let i = Instance::new().await;
    fixture(&i).await;
    let controller = i.access("rep-controller").await;
    let filter = FundReportFilter {
        year: Some(YEAR),
        instrument: None,
    };
    let csv = controller
        .export_fund_report(&filter, grotius_store::TableFormat::Csv)
        .await
        .unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.starts_with(
            "dimension,key,label,grants,committed_eur,disbursed_eur,refunded_eur,outstanding_eur\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("total,total,Total,5,407531.00,180000.00,5000.00,227531.00"),
        "{text}"
    );
    assert!(
        text.contains("country,SD,Sudan,2,90000.00,50000.00,5000.00,40000.00"),
        "{text}"
    );
    assert!(
        text.contains("instrument,PEACE,Instrument PEACE,1,40000.00,40000.00,0.00,0.00"),
        "{text}"
    );
    assert!(!text.contains("Nightjar") && !text.contains("Andean"));
    let xlsx = controller
        .export_fund_report(&filter, grotius_store::TableFormat::Xlsx)
        .await
        .unwrap();
    let rows = grotius_store::read_table(&xlsx, grotius_store::TableFormat::Xlsx).unwrap();
    assert_eq!(rows[0][0], "dimension");
    assert!(
        rows.iter()
            .any(|r| r[0] == "partner" && r[1] == "Water Bridges" && r[4] == "180000.00")
    );
    let raw = i.raw().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'fund.report.export' AND actor_name = 'rep-controller'")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(n, 2);
    // A bad format is refused by name; pages render for the fund roles, in both languages.
    let app = spawn(i).await;
    let b = app.browser("rep-controller").await;
    let (s, body) = b
        .get(&format!("/fund/reports/export?format=pdf&year={YEAR}"))
        .await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("format"));
    for path in [
        format!("/fund/reports?year={YEAR}"),
        format!("/fund/reports?year={YEAR}&instrument=RPT"),
        "/fund/dashboard".to_string(),
    ] {
        let (s, html) = b.get(&path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("<svg"), "{path} has a chart");
        assert!(!html.contains("Nightjar"), "{path}");
    }
    let (s, html) = b.get(&format!("/fund/reports?year={YEAR}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("€ 407,531.00") && html.contains("Water Bridges"),
        "{html}"
    );
    let (s, _) = b.get("/fund/reports?year=abc").await;
    assert_eq!(s, 422);
}
