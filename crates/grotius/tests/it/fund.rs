//! The mediation fund: workflow as data with four-eyes, the ledger under concurrency, ceilings,
//! partners limited to their own organisation, and `fund verify`.

use grotius_domain::fund::{ApplicationInput, Instrument, InstrumentInput};
use grotius_store::{Access, PaymentInput, StoreError};

use crate::harness::Instance;

fn instrument() -> InstrumentInput {
    InstrumentInput {
        code: "FMF".into(),
        name: "Flexible mediation fund".into(),
        oda: true,
        max_months: 24,
        grant_ceiling: "500000.00".into(),
        fast_track_threshold: "100000.00".into(),
        fast_target_days: 10,
        standard_target_days: 15,
    }
}

fn application(instrument_id: &str, amount: &str, country: &str) -> ApplicationInput {
    ApplicationInput {
        instrument_id: instrument_id.into(),
        title: format!("Dialogue support {amount} {country}"),
        partner: "Sahel Dialogue Initiative".into(),
        currency: "EUR".into(),
        amount: amount.into(),
        start_date: "2027-02-01".into(),
        months: 6,
        why_now: "A window opened after the ceasefire talks resumed.".into(),
        risk_note: "Partner staff safety in the north.".into(),
        purpose_code: "15220".into(),
        gender_marker: "1".into(),
        themes: vec!["wps".into()],
        countries: vec![country.into()],
        classification: "internal".into(),
        ..Default::default()
    }
}

async fn submitted(officer: &Access, instrument_id: &str, amount: &str, country: &str) -> String {
    let a = officer
        .create_application(&application(instrument_id, amount, country))
        .await
        .unwrap();
    officer
        .transition_application(&a.id, "submitted", "")
        .await
        .unwrap();
    a.id
}

/// A new instrument with a 2027 budget ceiling of `budget`.
async fn budgeted_instrument(officer: &Access, budget: &str) -> Instrument {
    let inst = officer.create_instrument(&instrument()).await.unwrap();
    officer
        .set_ceiling(&inst.id, 2027, "budget", "", budget)
        .await
        .unwrap();
    inst
}

async fn approve(approver: &Access, application_id: &str) {
    approver
        .transition_application(application_id, "approved", "")
        .await
        .unwrap();
}

async fn assert_verified(i: &Instance) {
    let report = i.store.verify_fund().await.unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
}

#[tokio::test]
async fn fifty_concurrent_approvals_commit_exactly_what_fits() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let inst = budgeted_instrument(&officer, "1000000.00").await;
    // Most of the budget is already committed: EUR 900,000 in ten grants.
    for _ in 0..10 {
        let id = submitted(&officer, &inst.id, "90000.00", "SD").await;
        approve(&approver, &id).await;
    }
    // 50 applications of EUR 7,000 race for the last EUR 100,000: 14 fit (98,000).
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(submitted(&officer, &inst.id, "7000.00", "SS").await);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let approver = approver.clone();
        tasks.push(tokio::spawn(async move {
            approver.transition_application(&id, "approved", "").await
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(a) => {
                assert_eq!(a.state, "approved");
                ok += 1;
            }
            Err(StoreError::Conflict(m)) => {
                assert!(m.contains("annual budget"), "a clear refusal: {m}");
                refused += 1;
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!((ok, refused), (14, 36));
    let (approved, _) = count_states(&officer).await;
    assert_eq!(
        approved, 24,
        "refused approvals left their applications submitted"
    );
    assert_verified(&i).await;
    // The remaining EUR 2,000 is still available, and a EUR 2,000 grant takes it.
    let id = submitted(&officer, &inst.id, "2000.00", "SS").await;
    approve(&approver, &id).await;
    let id = submitted(&officer, &inst.id, "0.01", "SS").await;
    let e = approver
        .transition_application(&id, "approved", "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("EUR 0.01 over"), "{e}");
    assert_verified(&i).await;
}

async fn count_states(a: &Access) -> (usize, usize) {
    let page = a
        .list_applications(&Default::default(), 500, 0)
        .await
        .unwrap();
    let approved = page.items.iter().filter(|a| a.state == "approved").count();
    let submitted = page.items.iter().filter(|a| a.state == "submitted").count();
    (approved, submitted)
}

#[tokio::test]
async fn country_and_theme_ceilings_hold_and_name_themselves() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let inst = budgeted_instrument(&officer, "1000000.00").await;
    officer
        .set_ceiling(&inst.id, 2027, "country", "SDN", "150000.00")
        .await
        .unwrap();
    let a = submitted(&officer, &inst.id, "90000.00", "SD").await;
    approve(&approver, &a).await;
    let b = submitted(&officer, &inst.id, "90000.00", "SD").await;
    let e = approver
        .transition_application(&b, "approved", "")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Conflict(m) if m.contains("ceiling for SD") && m.contains("30000.00 over")),
        "{e}"
    );
    // Another country is not limited by Sudan's ceiling.
    let c = submitted(&officer, &inst.id, "90000.00", "TD").await;
    approve(&approver, &c).await;
    // A ceiling cannot be lowered below what is committed under it.
    let e = officer
        .set_ceiling(&inst.id, 2027, "country", "SD", "50000.00")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already committed"), "{e}");
    // De-committing frees room under the ceiling.
    let controller = i.access("controller").await;
    controller
        .record_payment(
            &a,
            &PaymentInput {
                kind: "decommitment".into(),
                currency: "EUR".into(),
                amount: "40000.00".into(),
                value_date: "2027-03-01".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    approve(&approver, &b).await;
    assert_verified(&i).await;
}

#[tokio::test]
async fn four_eyes_and_the_workflow_table_decide_who_moves_an_application() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let controller = i.access("controller").await;
    let inst = budgeted_instrument(&officer, "1000000.00").await;
    // EUR 250,000 is above the fast-track threshold: the standard track.
    let a = officer
        .create_application(&application(&inst.id, "250000.00", "CO"))
        .await
        .unwrap();
    assert_eq!(a.track, "standard");
    // An approver cannot skip the appraisal.
    let e = approver
        .transition_application(&a.id, "approved", "")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    officer
        .transition_application(&a.id, "submitted", "")
        .await
        .unwrap();
    officer
        .transition_application(&a.id, "appraisal", "")
        .await
        .unwrap();
    officer
        .transition_application(&a.id, "review", "sound design")
        .await
        .unwrap();
    // Only the roles of the table may fire a step.
    let e = officer
        .transition_application(&a.id, "committee", "")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m.contains("controller")),
        "{e}"
    );
    controller
        .transition_application(&a.id, "committee", "")
        .await
        .unwrap();

    // A user who is both officer and approver, and appraised it, can never approve it.
    let op = i.store.cli_operator();
    let both = op
        .create_user(&grotius_store::NewUser {
            username: "officer-approver".into(),
            display_name: "Officer and approver".into(),
            password: crate::harness::PASSWORD.into(),
            roles: vec![
                grotius_domain::Role::FundOfficer,
                grotius_domain::Role::FundApprover,
            ],
            clearance: grotius_domain::Classification::Confidential,
            organisation: None,
        })
        .await
        .unwrap();
    let both = i.store.cli_act_as(&both.id).await.unwrap().unwrap();
    let b = both
        .create_application(&application(&inst.id, "50000.00", "CO"))
        .await
        .unwrap();
    assert_eq!(b.track, "fast");
    both.transition_application(&b.id, "submitted", "")
        .await
        .unwrap();
    let e = both
        .transition_application(&b.id, "approved", "")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Forbidden(m) if m.contains("four-eyes") && m.contains("prepared")),
        "{e}"
    );
    // Someone else approves; the decision time is recorded.
    let approved = approver
        .transition_application(&b.id, "approved", "urgent window")
        .await
        .unwrap();
    assert!(approved.decided_at.is_some() && approved.submitted_at.is_some());
    let d = approver.application_detail(&b.id).await.unwrap();
    let names: Vec<&str> = d.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["submit", "approve"]);
    assert_eq!(d.committed, 5_000_000);
    assert_eq!(d.ledger.len(), 1);
    assert_eq!(d.decision_days, Some(0));
    // Every move is audited.
    let raw = i.raw().await;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'fund-application.transition' AND resource_id = $1",
    )
    .bind(&b.id)
    .fetch_one(&raw)
    .await
    .unwrap();
    assert_eq!(n, 2);
    assert_verified(&i).await;
}

#[tokio::test]
async fn money_moves_in_minor_units_with_recorded_rates_and_never_overdraws() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let controller = i.access("controller").await;
    let inst = budgeted_instrument(&officer, "1000000.00").await;
    let mut input = application(&inst.id, "80000.00", "YE");
    input.currency = "USD".into();
    input.rate = "0.925".into();
    let a = officer.create_application(&input).await.unwrap();
    assert_eq!(a.amount_eur, 7_400_000, "USD 80,000 at 0.925 = EUR 74,000");
    officer
        .transition_application(&a.id, "submitted", "")
        .await
        .unwrap();
    approve(&approver, &a.id).await;
    let pay = |kind: &str, currency: &str, amount: &str, rate: &str| PaymentInput {
        kind: kind.into(),
        currency: currency.into(),
        amount: amount.into(),
        rate: rate.into(),
        value_date: "2027-02-15".into(),
        memo: "tranche".into(),
    };
    let t = controller
        .record_payment(&a.id, &pay("disbursement", "USD", "40000.00", "0.95"))
        .await
        .unwrap();
    assert_eq!(
        (t.amount, t.rate, t.amount_eur),
        (4_000_000, 950_000, 3_800_000)
    );
    // More than remains committed is refused and changes nothing.
    let before = i.store.verify_fund().await.unwrap().transactions;
    let e = controller
        .record_payment(&a.id, &pay("disbursement", "EUR", "36000.01", ""))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("more than remains committed"), "{e}");
    assert_eq!(i.store.verify_fund().await.unwrap().transactions, before);
    // A refund larger than what was paid is refused; a smaller one returns to the budget.
    let e = controller
        .record_payment(&a.id, &pay("refund", "EUR", "38000.01", ""))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("more than was paid out"), "{e}");
    controller
        .record_payment(&a.id, &pay("refund", "EUR", "1000.00", ""))
        .await
        .unwrap();
    // Bad input: clear errors.
    for (p, field) in [
        (pay("disbursement", "XYZ", "1.00", ""), "currency"),
        (pay("disbursement", "USD", "1.00", ""), "rate"),
        (pay("disbursement", "EUR", "1,00,0", ""), "amount"),
        (pay("gift", "EUR", "1.00", ""), "kind"),
    ] {
        let e = controller.record_payment(&a.id, &p).await.unwrap_err();
        assert!(
            matches!(&e, StoreError::Invalid(d) if d.to_string().starts_with(field)),
            "{field}: {e}"
        );
    }
    // Only controllers pay.
    let e = officer
        .record_payment(&a.id, &pay("disbursement", "EUR", "1.00", ""))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    // Closing releases the undisbursed rest.
    controller
        .transition_application(&a.id, "closed", "")
        .await
        .unwrap();
    let d = controller.application_detail(&a.id).await.unwrap();
    assert_eq!(d.committed, 0);
    assert_eq!(d.disbursed, 3_700_000);
    assert_verified(&i).await;
}

#[tokio::test]
async fn a_partner_sees_and_edits_only_its_own_organisations_applications() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let partner = i.access("partner").await;
    let inst = officer.create_instrument(&instrument()).await.unwrap();
    let mut theirs = application(&inst.id, "20000.00", "ML");
    theirs.partner = "Another Foundation".into();
    let other = officer.create_application(&theirs).await.unwrap();
    // The partner files: whatever it names, the application is its own organisation's.
    let mut mine = application(&inst.id, "20000.00", "ML");
    mine.partner = "Another Foundation".into();
    mine.classification = "public".into();
    let own = partner.create_application(&mine).await.unwrap();
    assert_eq!(own.partner, "Sahel Dialogue Initiative");
    let page = partner
        .list_applications(&Default::default(), 100, 0)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, own.id);
    assert!(matches!(
        partner.get_application(&other.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        partner
            .update_application(&other.id, &application(&inst.id, "1.00", "ML"))
            .await,
        Err(StoreError::NotFound)
    ));
    // It submits its own; it cannot approve it.
    partner
        .transition_application(&own.id, "submitted", "")
        .await
        .unwrap();
    assert!(matches!(
        partner
            .transition_application(&own.id, "approved", "")
            .await,
        Err(StoreError::Forbidden(_))
    ));
    // The officer sees both.
    let all = officer
        .list_applications(&Default::default(), 100, 0)
        .await
        .unwrap();
    assert_eq!(all.total, 2);
}

#[tokio::test]
async fn validation_names_the_field_and_writes_nothing() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let inst = officer.create_instrument(&instrument()).await.unwrap();
    type Change = Box<dyn Fn(&mut ApplicationInput)>;
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|a| a.amount = "600000.00".into()), "grant ceiling"),
        (Box::new(|a| a.amount = "12.3.4".into()), "amount"),
        (
            Box::new(|a| a.purpose_code = "99999".into()),
            "purpose_code",
        ),
        (Box::new(|a| a.currency = "USD".into()), "rate"),
        (Box::new(|a| a.months = 36), "months"),
        (Box::new(|a| a.countries = vec!["XX".into()]), "countries"),
        (
            Box::new(|a| a.exclude_from_publication = true),
            "exclusion_reason",
        ),
        (
            Box::new(|a| a.start_date = "2027-02-30".into()),
            "start_date",
        ),
        (Box::new(|a| a.instrument_id = "nope".into()), "instrument"),
    ];
    for (change, expect) in cases {
        let mut a = application(&inst.id, "1000.00", "SD");
        change(&mut a);
        let e = officer.create_application(&a).await.unwrap_err();
        assert!(e.to_string().contains(expect), "{expect}: {e}");
    }
    let page = officer
        .list_applications(&Default::default(), 100, 0)
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    // The risk note is encrypted at rest.
    let a = officer
        .create_application(&application(&inst.id, "1000.00", "SD"))
        .await
        .unwrap();
    let raw = i.raw().await;
    let stored: String =
        sqlx::query_scalar("SELECT risk_note FROM fund_applications WHERE id = $1")
            .bind(&a.id)
            .fetch_one(&raw)
            .await
            .unwrap();
    assert!(stored.starts_with("enc:v1:") && !stored.contains("safety"));
}

#[tokio::test]
async fn fund_verify_names_a_tampered_ledger() {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let inst = budgeted_instrument(&officer, "100000.00").await;
    let a = submitted(&officer, &inst.id, "60000.00", "SD").await;
    approve(&approver, &a).await;
    assert_verified(&i).await;
    let d = i.data().to_str().unwrap().to_string();
    let (code, text) = crate::cli::run(&["fund", "verify", "--data", &d], &i.database, None, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("fund ledger sound: 2 transactions"), "{text}");
    let raw = i.raw().await;
    // Someone bumps a balance behind the ledger's back.
    sqlx::query(
        "UPDATE ledger_balances SET balance = balance + 100 WHERE account LIKE 'committed:%'",
    )
    .execute(&raw)
    .await
    .unwrap();
    let r = i.store.verify_fund().await.unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("committed:") && p.contains("postings sum to")),
        "{:?}",
        r.problems
    );
    // The command line names it and exits 2.
    let (code, text) = crate::cli::run(&["fund", "verify", "--data", &d], &i.database, None, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("FUND LEDGER VIOLATED") && text.contains("committed:"),
        "{text}"
    );
    // The ledger itself refuses edits.
    let e = sqlx::query("UPDATE ledger_postings SET amount = amount + 1")
        .execute(&raw)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    // A raised exposure that breaks the ceiling is named too.
    sqlx::query(
        "UPDATE ledger_balances SET balance = balance - 100 WHERE account LIKE 'committed:%'",
    )
    .execute(&raw)
    .await
    .unwrap();
    sqlx::query("UPDATE fund_ceilings SET amount = 5000000 WHERE scope = 'budget'")
        .execute(&raw)
        .await
        .unwrap();
    let r = i.store.verify_fund().await.unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("exceeded"))
            && r.problems.iter().any(|p| p.contains("allocated")),
        "{:?}",
        r.problems
    );
}

#[tokio::test]
async fn the_demo_fund_has_every_state_both_tracks_and_two_currencies() {
    let i = Instance::demo().await;
    let officer = i.access("fund-officer").await;
    let instruments = officer.list_instruments().await.unwrap();
    assert_eq!(instruments.len(), 2);
    let page = officer
        .list_applications(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert!(page.total >= 40, "{}", page.total);
    for state in grotius_domain::fund::STATES {
        assert!(
            page.items.iter().any(|a| a.state == state.code),
            "no demo application in state {}",
            state.code
        );
    }
    for track in ["fast", "standard"] {
        assert!(page.items.iter().any(|a| a.track == track));
    }
    assert!(page.items.iter().any(|a| a.currency == "USD"));
    assert!(page.items.iter().any(|a| a.exclude_from_publication));
    // Some grants are linked to confidential processes.
    let processes = officer
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    let confidential: Vec<&str> = processes
        .items
        .iter()
        .filter(|p| p.labels.classification >= grotius_domain::Classification::Confidential)
        .map(|p| p.id.as_str())
        .collect();
    assert!(
        page.items.iter().any(|a| a
            .process_ids
            .iter()
            .any(|p| confidential.contains(&p.as_str()))),
        "no demo grant linked to a confidential process"
    );
    let report = i.store.verify_fund().await.unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert!(report.transactions > 20, "{}", report.transactions);
    // A linked process shows by name to whoever may see it, and not at all to others.
    let linked = page
        .items
        .iter()
        .find(|a| {
            a.process_ids
                .iter()
                .any(|p| confidential.contains(&p.as_str()))
        })
        .unwrap();
    let d = officer.application_detail(&linked.id).await.unwrap();
    assert_eq!(d.processes.len(), 1, "{:?}", d.processes);
    let approver = i.access("fund-approver").await;
    let d = approver.application_detail(&linked.id).await.unwrap();
    assert!(d.processes.is_empty(), "{:?}", d.processes);
    // Seeding again adds nothing.
    grotius::demo::seed(&i.store, crate::harness::PASSWORD)
        .await
        .unwrap();
    let again = officer
        .list_applications(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert_eq!(again.total, page.total);
    // The partner sees only its own organisation's.
    let partner = i.access("partner").await;
    let own = partner
        .list_applications(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert!(own.total >= 3);
    assert!(
        own.items
            .iter()
            .all(|a| a.partner == "Sahel Dialogue Initiative")
    );
}

#[tokio::test]
async fn the_fund_pages_take_an_application_from_draft_to_paid() {
    let app = crate::harness::App::spawn().await;
    let officer = app.browser("fund-officer").await;
    let (s, _, loc) = officer
        .post(
            "/fund/instruments",
            &[
                ("code", "FMF"),
                ("name", "Flexible mediation fund"),
                ("oda", "1"),
                ("max_months", "24"),
                ("grant_ceiling", "500000.00"),
                ("fast_track_threshold", "100000.00"),
                ("fast_target_days", "10"),
                ("standard_target_days", "15"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let instrument = loc.unwrap();
    let (s, _, _) = officer
        .post(
            &format!("{instrument}/ceilings"),
            &[
                ("year", "2027"),
                ("scope", "budget"),
                ("amount", "50000.00"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (s, html) = officer.get(&format!("{instrument}?year=2027")).await;
    assert_eq!(s, 200);
    assert!(html.contains("50\u{202f}000.00"), "{html}");
    // A bad form repeats the input and names the field.
    let form = |amount: &'static str| {
        vec![
            ("instrument_id", "FMF"),
            ("title", "Urgent shuttle diplomacy"),
            ("partner", "Horn Peace Forum"),
            ("currency", "EUR"),
            ("amount", amount),
            ("start_date", "2027-03-01"),
            ("months", "3"),
            ("purpose_code", "15220"),
            ("gender_marker", "1"),
            ("countries", "SD"),
            ("classification", "internal"),
            ("risk_note", "Names of interlocutors"),
        ]
    };
    let (s, html, _) = officer
        .post("/fund/applications", &form("forty thousand"))
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("amount") && html.contains("Urgent shuttle diplomacy"));
    // Dutch notation is an amount like any other.
    let (s, _, loc) = officer.post("/fund/applications", &form("40.000,00")).await;
    assert_eq!(s, 303);
    let page = loc.unwrap();
    let (s, _, _) = officer
        .post(
            &format!("{page}/transition"),
            &[("to", "submitted"), ("note", "")],
        )
        .await;
    assert_eq!(s, 303);
    // The approver sees the approve button; approving a second one past the budget is refused
    // with the reason on the page.
    let approver = app.browser("fund-approver").await;
    let (_, html) = approver.get(&page).await;
    assert!(html.contains("approve") && html.contains("Names of interlocutors"));
    let (s, _, _) = approver
        .post(
            &format!("{page}/transition"),
            &[("to", "approved"), ("note", "window open")],
        )
        .await;
    assert_eq!(s, 303);
    let (s, _, loc) = officer.post("/fund/applications", &form("20000.00")).await;
    assert_eq!(s, 303);
    let second = loc.unwrap();
    officer
        .post(&format!("{second}/transition"), &[("to", "submitted")])
        .await;
    let (s, html, _) = approver
        .post(&format!("{second}/transition"), &[("to", "approved")])
        .await;
    assert_eq!(s, 409);
    assert!(
        html.contains("annual budget") && html.contains("10000.00"),
        "{html}"
    );
    // The controller pays a tranche in USD; the page shows it in both currencies.
    let controller = app.browser("controller").await;
    let (s, _, _) = controller
        .post(
            &format!("{page}/payment"),
            &[
                ("kind", "disbursement"),
                ("currency", "USD"),
                ("amount", "10000.00"),
                ("rate", "0.9"),
                ("value_date", "2027-03-15"),
                ("memo", "first tranche"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    for lang in ["en", "nl"] {
        controller.get(&format!("/lang/{lang}")).await;
        let (_, html) = controller.get(&page).await;
        assert!(
            html.contains("USD 10\u{202f}000.00") && html.contains("€ 9\u{202f}000.00"),
            "{html}"
        );
        assert!(html.contains(if lang == "nl" { "Betaald" } else { "Paid" }));
    }
    // Outsiders learn nothing.
    let (s, _) = app.browser("analyst").await.get(&page).await;
    assert_eq!(s, 404);
    let (s, _) = app.browser("partner").await.get(&page).await;
    assert_eq!(s, 404);
}

// ─── The ledger against its audit entries ───────────────────────────────────────────────────

/// A ledger with an allocation, a commitment and two disbursements; returns the instance and
/// the two disbursements' ids.
async fn ledger_fixture() -> (Instance, String, String) {
    let i = Instance::seeded().await;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let controller = i.access("controller").await;
    let inst = budgeted_instrument(&officer, "100000.00").await;
    let a = submitted(&officer, &inst.id, "60000.00", "SD").await;
    approve(&approver, &a).await;
    let pay = |amount: &str, memo: &str| PaymentInput {
        kind: "disbursement".into(),
        currency: "EUR".into(),
        amount: amount.into(),
        rate: String::new(),
        value_date: "2027-03-01".into(),
        memo: memo.into(),
    };
    let first = controller
        .record_payment(&a, &pay("20000.00", "first tranche"))
        .await
        .unwrap();
    let second = controller
        .record_payment(&a, &pay("10000.00", "second tranche"))
        .await
        .unwrap();
    assert_verified(&i).await;
    (i, first.id, second.id)
}

async fn postings_of(raw: &sqlx::AnyPool, tx: &str) -> Vec<(String, i64)> {
    use sqlx::Row;
    sqlx::query("SELECT account, amount FROM ledger_postings WHERE transaction_id = $1")
        .bind(tx)
        .fetch_all(raw)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("account"), r.get("amount")))
        .collect()
}

async fn add_to_balance(raw: &sqlx::AnyPool, account: &str, delta: i64) {
    sqlx::query("UPDATE ledger_balances SET balance = balance + $1 WHERE account = $2")
        .bind(delta)
        .bind(account)
        .execute(raw)
        .await
        .unwrap();
}

/// The store and `grotius fund verify` name the tampering: every problem names `tx` (so the
/// change was consistent for the arithmetic checks), one names all of `words`; exit 2.
async fn assert_ledger_names(i: &Instance, tx: &str, words: &[&str]) {
    let r = i.store.verify_fund().await.unwrap();
    assert!(!r.problems.is_empty(), "the tampering went unnoticed");
    assert!(
        r.problems.iter().all(|p| p.contains(tx)),
        "only the tampered transaction is named: {:#?}",
        r.problems
    );
    assert!(
        r.problems
            .iter()
            .any(|p| words.iter().all(|w| p.contains(w))),
        "expected {words:?}: {:#?}",
        r.problems
    );
    let d = i.data().to_str().unwrap().to_string();
    let (code, text) = crate::cli::run(&["fund", "verify", "--data", &d], &i.database, None, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("FUND LEDGER VIOLATED") && text.contains(tx),
        "{text}"
    );
    for w in words {
        assert!(text.contains(w), "CLI names {w}: {text}");
    }
}

#[tokio::test]
async fn a_disbursement_rewritten_with_its_postings_and_balances_is_named() {
    let (i, first, _) = ledger_fixture().await;
    let raw = i.raw().await;
    crate::harness::lift_append_only_guard(&raw, &["ledger_transactions", "ledger_postings"]).await;
    // 20,000.00 becomes 25,000.00: the transaction, both postings and both balances agree.
    sqlx::query(
        "UPDATE ledger_transactions SET amount = 2500000, amount_eur = 2500000 WHERE id = $1",
    )
    .bind(&first)
    .execute(&raw)
    .await
    .unwrap();
    for (account, amount) in postings_of(&raw, &first).await {
        let new = amount.signum() * 2_500_000;
        sqlx::query(
            "UPDATE ledger_postings SET amount = $1 WHERE transaction_id = $2 AND account = $3",
        )
        .bind(new)
        .bind(&first)
        .bind(&account)
        .execute(&raw)
        .await
        .unwrap();
        add_to_balance(&raw, &account, new - amount).await;
    }
    assert_ledger_names(
        &i,
        &first,
        &[
            "differs from audit entry",
            "edited",
            "amount EUR 25000.00, recorded 20000.00",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_memo_date_or_author_changed_is_named() {
    let (i, first, second) = ledger_fixture().await;
    let raw = i.raw().await;
    crate::harness::lift_append_only_guard(&raw, &["ledger_transactions", "ledger_postings"]).await;
    sqlx::query("UPDATE ledger_transactions SET memo = 'paid to another account' WHERE id = $1")
        .bind(&first)
        .execute(&raw)
        .await
        .unwrap();
    assert_ledger_names(&i, &first, &["edited", "memo, value date or time differ"]).await;
    sqlx::query("UPDATE ledger_transactions SET memo = 'first tranche', value_date = '2027-01-01', user_id = 'someone' WHERE id = $1")
        .bind(&first)
        .execute(&raw)
        .await
        .unwrap();
    assert_ledger_names(
        &i,
        &first,
        &[
            "value date '2027-01-01', recorded '2027-03-01'",
            "author someone",
        ],
    )
    .await;
    let _ = second;
}

/// Deletes a ledger transaction with its postings and takes its amounts back out of the
/// balances, so that the ledger's own arithmetic still adds up.
async fn remove_transaction_consistently(raw: &sqlx::AnyPool, id: &str) {
    for (account, amount) in postings_of(raw, id).await {
        add_to_balance(raw, &account, -amount).await;
    }
    for sql in [
        "DELETE FROM ledger_postings WHERE transaction_id = $1",
        "DELETE FROM ledger_transactions WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(raw).await.unwrap();
    }
}

#[tokio::test]
async fn a_transaction_removed_with_its_balances_adjusted_is_named() {
    let (i, _, second) = ledger_fixture().await;
    let raw = i.raw().await;
    crate::harness::lift_append_only_guard(&raw, &["ledger_transactions", "ledger_postings"]).await;
    remove_transaction_consistently(&raw, &second).await;
    assert_ledger_names(
        &i,
        &second,
        &[
            "disbursement, EUR 10000.00",
            "missing from the ledger (deleted)",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_duplicated_or_reordered_transaction_is_named() {
    let (i, first, second) = ledger_fixture().await;
    let raw = i.raw().await;
    crate::harness::lift_append_only_guard(&raw, &["ledger_transactions", "ledger_postings"]).await;
    // A copy of the second disbursement under a new id, with postings and balances.
    sqlx::query(
        "INSERT INTO ledger_transactions (id, kind, instrument_id, year, application_id, currency, amount, rate, amount_eur, value_date, memo, user_id, username, at)
         SELECT 'forged-copy', kind, instrument_id, year, application_id, currency, amount, rate, amount_eur, value_date, memo, user_id, username, at FROM ledger_transactions WHERE id = $1",
    )
    .bind(&second)
    .execute(&raw)
    .await
    .unwrap();
    for (account, amount) in postings_of(&raw, &second).await {
        sqlx::query("INSERT INTO ledger_postings (transaction_id, account, amount) VALUES ('forged-copy', $1, $2)")
            .bind(&account)
            .bind(amount)
            .execute(&raw)
            .await
            .unwrap();
        add_to_balance(&raw, &account, amount).await;
    }
    assert_ledger_names(
        &i,
        "forged-copy",
        &["no audit entry recorded it", "inserted"],
    )
    .await;
    // Without the copy, the two disbursements swapped in the ledger's order.
    for (account, amount) in postings_of(&raw, "forged-copy").await {
        add_to_balance(&raw, &account, -amount).await;
    }
    for sql in [
        "DELETE FROM ledger_postings WHERE transaction_id = 'forged-copy'",
        "DELETE FROM ledger_transactions WHERE id = 'forged-copy'",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&raw)
            .await
            .unwrap();
    }
    assert_verified(&i).await;
    use sqlx::Row;
    let seq = |id: String| {
        let raw = raw.clone();
        async move {
            sqlx::query("SELECT seq FROM ledger_transactions WHERE id = $1")
                .bind(id)
                .fetch_one(&raw)
                .await
                .unwrap()
                .get::<i64, _>("seq")
        }
    };
    let (s1, s2) = (seq(first.clone()).await, seq(second.clone()).await);
    for (id, to) in [(&first, -1), (&second, s1), (&first, s2)] {
        sqlx::query("UPDATE ledger_transactions SET seq = $1 WHERE id = $2")
            .bind(to)
            .bind(id)
            .execute(&raw)
            .await
            .unwrap();
    }
    assert_ledger_names(&i, &first, &["recorded it first", "reordered"]).await;
}

#[tokio::test]
async fn the_last_transaction_removed_with_the_end_of_the_audit_log_is_named() {
    use sqlx::{Executor, Row};
    let (i, _, second) = ledger_fixture().await;
    let raw = i.raw().await;
    let entry: i64 = sqlx::query("SELECT seq FROM audit_log WHERE resource_id = $1")
        .bind(&second)
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("seq");
    let key = grotius_security::Keyring::load(i.data())
        .unwrap()
        .audit_key()
        .unwrap();
    let before: String = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(entry - 1)
        .fetch_one(&raw)
        .await
        .unwrap()
        .get("hash");
    crate::harness::lift_append_only_guard(&raw, &["ledger_transactions", "ledger_postings"]).await;
    if crate::harness::is_postgres() {
        raw.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .await
            .unwrap();
    } else {
        raw.execute("DROP TRIGGER audit_log_no_delete")
            .await
            .unwrap();
    }
    remove_transaction_consistently(&raw, &second).await;
    sqlx::query("DELETE FROM audit_log WHERE seq >= $1")
        .bind(entry)
        .execute(&raw)
        .await
        .unwrap();
    // Even a head that authenticates cannot hide it: the anchor outside the database can.
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
        .bind(entry - 1)
        .bind(&before)
        .bind(grotius_domain::audit::head_mac(&key, entry - 1, &before))
        .execute(&raw)
        .await
        .unwrap();
    let r = i.store.verify_fund().await.unwrap();
    assert!(
        r.problems.iter().any(|p| p
            .contains("the audit log the ledger is checked against is broken")
            && p.contains("audit log truncated")),
        "{:#?}",
        r.problems
    );
    let d = i.data().to_str().unwrap().to_string();
    let (code, text) = crate::cli::run(&["fund", "verify", "--data", &d], &i.database, None, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("audit log truncated"), "{text}");
}

/// The fund page of a signed-in user with the session's CSRF token blanked (the only part of the
/// page that is not a function of the data and the viewer).
async fn fund_page(b: &crate::harness::Browser) -> String {
    let (status, html) = b.get("/fund").await;
    assert_eq!(status, 200);
    html.replace(&b.csrf, "CSRF")
}

/// A demo-instance user with the given role, clearance and compartments, acting.
async fn cleared_user(
    i: &Instance,
    username: &str,
    role: grotius_domain::Role,
    clearance: grotius_domain::Classification,
    compartments: &[&str],
) -> Access {
    let op = i.store.cli_operator();
    let user = op
        .create_user(&grotius_store::NewUser {
            username: username.into(),
            display_name: username.into(),
            password: crate::harness::PASSWORD.into(),
            roles: vec![role],
            clearance,
            organisation: None,
        })
        .await
        .unwrap();
    for c in compartments {
        op.add_member(c, &user.id, "fund inbox test").await.unwrap();
    }
    i.store.cli_act_as(&user.id).await.unwrap().unwrap()
}

/// Differential test of `Access::application_inbox` (the approver's inbox on `/fund`): adding
/// applications the approver may not read — one in a compartment she is not a member of, one
/// above her clearance — changes nothing she receives, byte for byte: not the page (inbox and
/// list), not the API list, not the store's inbox. An approver who may read them has both in her
/// inbox (so they are waiting on exactly the step an approver takes), and one more readable
/// application does change the page (so the comparison can see a change).
#[tokio::test]
async fn applications_an_approver_may_not_read_leave_her_inbox_byte_identical() {
    use grotius_domain::{Classification, Role};
    let app = crate::harness::App::spawn().await;
    let i = &app.instance;
    let officer = i.access("fund-officer").await;
    let approver = i.access("fund-approver").await;
    let inst = officer.create_instrument(&instrument()).await.unwrap();
    // The inbox is not empty before: one readable application waits for approval.
    let waiting = submitted(&officer, &inst.id, "20000.00", "ML").await;

    let browser = app.browser("fund-approver").await;
    let token = app.token("fund-approver").await;
    let api_list = |state: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let (status, body) = app
                .api(
                    reqwest::Method::GET,
                    &format!("/api/v1/fund/applications?state={state}"),
                    token,
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body.to_string()
        }
    };
    let inbox_ids =
        |a: Vec<grotius_domain::fund::Application>| a.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let page_before = fund_page(&browser).await;
    let api_before = api_list("submitted").await;
    let inbox_before = inbox_ids(approver.application_inbox(50).await.unwrap());
    assert_eq!(inbox_before, std::slice::from_ref(&waiting));

    // Hidden from her: a compartment she is not in, a classification above her clearance.
    let cleared_officer = cleared_user(
        i,
        "fund-officer-horn",
        Role::FundOfficer,
        Classification::Secret,
        &["horn-of-africa"],
    )
    .await;
    let mut in_compartment = application(&inst.id, "30000.00", "SD");
    in_compartment.classification = "confidential".into();
    in_compartment.compartment = Some("horn-of-africa".into());
    let mut above_clearance = application(&inst.id, "40000.00", "SD");
    above_clearance.classification = "secret".into();
    let mut hidden = Vec::new();
    for input in [&in_compartment, &above_clearance] {
        let a = cleared_officer.create_application(input).await.unwrap();
        cleared_officer
            .transition_application(&a.id, "submitted", "")
            .await
            .unwrap();
        hidden.push(a.id);
    }

    assert_eq!(
        fund_page(&browser).await,
        page_before,
        "the fund page changed"
    );
    assert_eq!(
        api_list("submitted").await,
        api_before,
        "the API list changed"
    );
    assert_eq!(
        inbox_ids(approver.application_inbox(50).await.unwrap()),
        inbox_before
    );

    // An approver who may read them has them waiting for her step.
    let cleared_approver = cleared_user(
        i,
        "fund-approver-horn",
        Role::FundApprover,
        Classification::Secret,
        &["horn-of-africa"],
    )
    .await;
    let mut theirs = inbox_ids(cleared_approver.application_inbox(50).await.unwrap());
    theirs.sort();
    let mut expected = vec![waiting, hidden[0].clone(), hidden[1].clone()];
    expected.sort();
    assert_eq!(theirs, expected);

    // A readable application does change her page.
    let visible = submitted(&officer, &inst.id, "25000.00", "NE").await;
    let reference = approver.get_application(&visible).await.unwrap().reference;
    let page_after = fund_page(&browser).await;
    assert_ne!(page_after, page_before);
    assert!(
        page_after.contains(&reference),
        "{reference} not on the page"
    );
}
