//! The storage conformance suite: the same tests on SQLite and on PostgreSQL.

use grotius_domain::process::ProcessInput;
use grotius_domain::{Classification, Role};
use grotius_security::{Keyring, Totp, now_secs};
use grotius_store::{LoginOutcome, NewUser, SessionStage, Store, StoreError};
use sqlx::Row;

use crate::harness::{Instance, PASSWORD, count};

fn process(title: &str, classification: &str, compartment: Option<&str>) -> ProcessInput {
    ProcessInput {
        notes: format!("secret note about {title}"),
        ..crate::harness::process_input(title, classification, compartment)
    }
}

/// How many processes `role` finds with the country filter `country`.
async fn processes_in_country(i: &Instance, role: &str, country: &str) -> i64 {
    let filter = grotius_store::ProcessFilter {
        country: Some(country.into()),
        ..Default::default()
    };
    let page = i
        .access(role)
        .await
        .list_processes(&filter, 50, 0)
        .await
        .unwrap();
    page.total
}

#[tokio::test]
async fn migrations_are_idempotent_and_the_chain_starts_intact() {
    let i = Instance::new().await;
    let again = Store::open(
        i.data(),
        i.database.as_deref(),
        Keyring::load(i.data()).unwrap(),
    )
    .await
    .unwrap();
    again.health().await.unwrap();
    again.integrity_check().await.unwrap();
    assert_eq!(again.verify_audit().await.unwrap().entries, 0);
}

#[tokio::test]
async fn process_round_trip_with_encrypted_notes_and_audit() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    let p = coord
        .create_process(&process("Round trip", "confidential", Some("yemen")))
        .await
        .unwrap();
    assert_eq!(p.notes, "secret note about Round trip");
    assert_eq!(p.countries, vec!["SD"]);

    // At rest the note is ciphertext, not the words.
    let raw = i.raw().await;
    let stored: String = sqlx::query("SELECT notes FROM processes WHERE id = $1")
        .bind(&p.id)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("notes")
        .unwrap();
    assert!(stored.starts_with("enc:v1:"), "{stored}");
    assert!(!stored.contains("secret note"));

    let mut changed = process("Round trip 2", "secret", Some("yemen"));
    changed.notes = String::new();
    let u = coord.update_process(&p.id, &changed).await.unwrap();
    assert_eq!(u.title, "Round trip 2");
    assert_eq!(u.notes, "");
    assert_eq!(u.labels.classification, Classification::Secret);
    coord.delete_process(&p.id).await.unwrap();
    assert!(matches!(
        coord.get_process(&p.id).await,
        Err(StoreError::NotFound)
    ));

    // Every write, and the reads of confidential material, are in the chain.
    let entries: Vec<String> =
        sqlx::query("SELECT action FROM audit_log WHERE resource_id = $1 ORDER BY seq")
            .bind(&p.id)
            .fetch_all(&raw)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("action").unwrap())
            .collect();
    for action in [
        "process.create",
        "process.read",
        "process.update",
        "process.delete",
    ] {
        assert!(
            entries.iter().any(|a| a == action),
            "{action} missing from {entries:?}"
        );
    }
    i.store.verify_audit().await.unwrap();
    // The change feed saw the upserts and the delete.
    let feed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM change_feed WHERE resource_id = $1")
        .bind(&p.id)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(feed, 3);
}

#[tokio::test]
async fn lists_and_counts_respect_clearance_and_compartments() {
    let i = Instance::seeded().await;
    let coordinator = i
        .access("coordinator")
        .await
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    let analyst = i
        .access("analyst")
        .await
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    let desk = i
        .access("desk-officer")
        .await
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    // Demo: 11 processes; 6 in compartments (2 horn-of-africa, 2 yemen, 1 latam, 1 europe-east).
    assert_eq!(coordinator.total, 11);
    assert_eq!(
        analyst.total, 5,
        "analyst: only records outside compartments"
    );
    assert_eq!(
        desk.total, 7,
        "desk officer: plus the two horn-of-africa records"
    );
    assert_eq!(analyst.items.len() as i64, analyst.total);
    assert!(analyst.items.iter().all(|p| p.labels.compartment.is_none()));
    // Filters combine with visibility: a country filter never widens it.
    assert_eq!(processes_in_country(&i, "analyst", "YE").await, 0);
    assert_eq!(processes_in_country(&i, "coordinator", "YEM").await, 2);
    // Pagination.
    let page = i
        .access("coordinator")
        .await
        .list_processes(&Default::default(), 4, 8)
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (3, 11));
}

#[tokio::test]
async fn writing_into_a_compartment_you_are_not_in_is_refused_without_trace() {
    let i = Instance::seeded().await;
    let raw = i.raw().await;
    let before = count(&raw, "processes").await;
    let desk = i.access("desk-officer").await;
    let err = desk
        .create_process(&process("Sneaky", "internal", Some("yemen")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let err = desk
        .create_process(&process("Too high", "secret", None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    // A compartment that does not exist is, to its non-member, the same as one they are not in.
    let err = i
        .access("coordinator")
        .await
        .create_process(&process(
            "No such compartment",
            "internal",
            Some("atlantis"),
        ))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("compartment you belong to"),
        "{err}"
    );
    assert_eq!(count(&raw, "processes").await, before);
}

#[tokio::test]
async fn concurrent_writes_keep_one_gapless_chain() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    let mut tasks = Vec::new();
    for n in 0..40 {
        let a = coord.clone();
        tasks.push(tokio::spawn(async move {
            a.create_process(&process(&format!("Parallel {n}"), "internal", None))
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let report = i.store.verify_audit().await.unwrap();
    let raw = i.raw().await;
    assert_eq!(report.entries, count(&raw, "audit_log").await);
    let max: i64 = sqlx::query("SELECT MAX(seq) AS m FROM audit_log")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("m")
        .unwrap();
    assert_eq!(max, report.entries, "sequence numbers have no gaps");
}

#[tokio::test]
async fn users_are_unique_and_validated() {
    let i = Instance::new().await;
    let op = i.store.cli_operator();
    let new = |name: &str, pw: &str| NewUser {
        username: name.into(),
        display_name: "X".into(),
        password: pw.into(),
        roles: vec![Role::Analyst],
        clearance: Classification::Internal,
        organisation: None,
    };
    op.create_user(&new("alice", PASSWORD)).await.unwrap();
    assert!(matches!(
        op.create_user(&new("alice", PASSWORD)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        op.create_user(&new("Bad Name", PASSWORD)).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        op.create_user(&new("bob", "short"))
            .await
            .unwrap_err()
            .to_string()
            .contains("at least 12")
    );
    let mut partner = new("partner1", PASSWORD);
    partner.roles = vec![Role::Partner];
    assert!(
        op.create_user(&partner)
            .await
            .unwrap_err()
            .to_string()
            .contains("organisation")
    );
    // The CLI operator administers but sees no compartment content.
    assert_eq!(op.list_users().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_sign_in_clears_the_users_ended_sessions_and_keeps_live_ones() {
    let i = Instance::seeded().await;
    let raw = i.raw().await;
    let id = i
        .store
        .cli_operator()
        .find_user_id("analyst")
        .await
        .unwrap();
    let other = i
        .store
        .cli_operator()
        .find_user_id("auditor")
        .await
        .unwrap();
    let now = now_secs();
    // Ended by the absolute limit, ended by idleness, live — and another user's ended one.
    for (hash, user, expires, seen) in [
        ("ended-absolute", &id, now - 1, now - 10),
        ("ended-idle", &id, now + 3600, now - 3 * 3600),
        ("live", &id, now + 3600, now - 60),
        ("other-ended", &other, now - 1, now - 10),
    ] {
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, stage, created_at, expires_at, last_seen) VALUES ($1, $2, 'x', 'full', $3, $4, $5)")
            .bind(hash)
            .bind(user)
            .bind(now - 20 * 3600)
            .bind(expires)
            .bind(seen)
            .execute(&raw)
            .await
            .unwrap();
    }
    assert!(matches!(
        i.store.login("analyst", PASSWORD).await.unwrap(),
        LoginOutcome::Session { .. }
    ));
    let left: Vec<String> = sqlx::query("SELECT id_hash FROM sessions WHERE id_hash IN ('ended-absolute', 'ended-idle', 'live', 'other-ended') ORDER BY id_hash")
        .fetch_all(&raw)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("id_hash").unwrap())
        .collect();
    assert_eq!(left, ["live", "other-ended"]);
}

#[tokio::test]
async fn login_locks_after_five_failures_and_disabled_users_cannot_log_in() {
    let i = Instance::seeded().await;
    for _ in 0..5 {
        assert!(matches!(
            i.store.login("analyst", "wrong password!!").await.unwrap(),
            LoginOutcome::Failed
        ));
    }
    // Locked: even the right password fails now.
    assert!(matches!(
        i.store.login("analyst", PASSWORD).await.unwrap(),
        LoginOutcome::Failed
    ));
    let op = i.store.cli_operator();
    let id = op.find_user_id("analyst").await.unwrap();
    assert!(op.get_user(&id).await.unwrap().locked);
    op.reset_password(&id, "a brand new passphrase")
        .await
        .unwrap();
    assert!(matches!(
        i.store
            .login("analyst", "a brand new passphrase")
            .await
            .unwrap(),
        LoginOutcome::Session {
            stage: SessionStage::Full,
            ..
        }
    ));

    let auditor = op.find_user_id("auditor").await.unwrap();
    op.update_user(
        &auditor,
        &grotius_store::UserUpdate {
            disabled: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        i.store.login("auditor", PASSWORD).await.unwrap(),
        LoginOutcome::Failed
    ));
    // Unknown users fail the same way, and the attempt is audited.
    assert!(matches!(
        i.store.login("nobody", PASSWORD).await.unwrap(),
        LoginOutcome::Failed
    ));
    let raw = i.raw().await;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login' AND outcome = 'failed' AND actor_name = 'nobody'")
        .fetch_one(&raw).await.unwrap().try_get("n").unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn totp_enrolment_second_factor_replay_and_recovery_codes() {
    let i = Instance::seeded().await;
    let analyst = i.access("analyst").await;
    let en = analyst.totp_begin().await.unwrap();
    let totp = Totp::from_base32(&en.secret).unwrap();
    assert!(
        analyst.totp_confirm("000000").await.is_err()
            || totp.code_at(now_secs() as u64) == "000000"
    );
    // Confirm with the code of the previous step, so that the current one is still fresh for login.
    let prev = totp.code_at(now_secs() as u64 - 30);
    let codes = analyst.totp_confirm(&prev).await.unwrap();
    assert_eq!(codes.len(), 10);
    // The secret is stored encrypted.
    let raw = i.raw().await;
    let stored: String = sqlx::query("SELECT totp_secret FROM users WHERE username = 'analyst'")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("totp_secret")
        .unwrap();
    assert!(stored.starts_with("enc:v1:") && !stored.contains(&en.secret));

    let LoginOutcome::Session { token, stage } = i.store.login("analyst", PASSWORD).await.unwrap()
    else {
        panic!("password accepted")
    };
    assert_eq!(stage, SessionStage::SecondFactor);
    let pending = i.store.session(&token).await.unwrap().unwrap();
    assert!(
        pending.access.is_none(),
        "no access before the second factor"
    );
    // The code already used for enrolment cannot be used again.
    assert_eq!(
        i.store.login_second_factor(&token, &prev).await.unwrap(),
        None
    );
    let now_code = totp.code_at(now_secs() as u64);
    let full = i
        .store
        .login_second_factor(&token, &now_code)
        .await
        .unwrap()
        .expect("current code works");
    assert!(
        i.store.session(&token).await.unwrap().is_none(),
        "old session destroyed (fixation)"
    );
    assert!(
        i.store
            .session(&full)
            .await
            .unwrap()
            .unwrap()
            .access
            .is_some()
    );

    // A recovery code works exactly once.
    let LoginOutcome::Session { token: t2, .. } = i.store.login("analyst", PASSWORD).await.unwrap()
    else {
        panic!()
    };
    assert!(
        i.store
            .login_second_factor(&t2, &codes[0])
            .await
            .unwrap()
            .is_some()
    );
    let LoginOutcome::Session { token: t3, .. } = i.store.login("analyst", PASSWORD).await.unwrap()
    else {
        panic!()
    };
    assert!(
        i.store
            .login_second_factor(&t3, &codes[0])
            .await
            .unwrap()
            .is_none()
    );

    // API login needs the factor too.
    assert!(
        i.store
            .api_login("analyst", PASSWORD, None)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        i.store
            .api_login("analyst", PASSWORD, Some(&codes[1]))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn api_tokens_are_hashed_scoped_expiring_and_revocable() {
    let i = Instance::seeded().await;
    let coord = i.access("coordinator").await;
    let (read, info) = coord
        .create_token("reporting script", "read", 3600)
        .await
        .unwrap();
    let raw = i.raw().await;
    let stored: String = sqlx::query("SELECT token_hash FROM api_tokens WHERE id = $1")
        .bind(&info.id)
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("token_hash")
        .unwrap();
    assert_ne!(stored, read);
    assert_eq!(stored, grotius_security::hash_token(&read));

    let a = i
        .store
        .token_access(&read)
        .await
        .unwrap()
        .expect("valid token");
    assert!(a.subject().read_only);
    assert_eq!(
        a.list_processes(&Default::default(), 10, 0)
            .await
            .unwrap()
            .total,
        11
    );
    assert!(matches!(
        a.create_process(&process("via read token", "internal", None))
            .await,
        Err(StoreError::Forbidden(_))
    ));

    // Another user cannot revoke it; its owner can.
    assert!(matches!(
        i.access("analyst").await.revoke_token(&info.id).await,
        Err(StoreError::NotFound)
    ));
    coord.revoke_token(&info.id).await.unwrap();
    assert!(i.store.token_access(&read).await.unwrap().is_none());

    let (short, sinfo) = coord.create_token("short", "write", 60).await.unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
        .bind(now_secs() - 1)
        .bind(&sinfo.id)
        .execute(&raw)
        .await
        .unwrap();
    assert!(
        i.store.token_access(&short).await.unwrap().is_none(),
        "expired"
    );
    assert!(coord.create_token("x", "admin", 3600).await.is_err());
    assert!(i.store.token_access("grt_forged").await.unwrap().is_none());
}

#[tokio::test]
async fn key_rotation_reencrypts_every_confidential_field() {
    let i = Instance::demo().await;
    let raw = i.raw().await;
    // Every encrypted column of the schema.
    const ENCRYPTED: [(&str, &str); 19] = [
        ("fund_applications", "risk_note"),
        ("debriefs", "other_parties"),
        ("debriefs", "background"),
        ("debriefs", "entry_points"),
        ("debriefs", "process_design"),
        ("debriefs", "key_lessons"),
        ("debriefs", "follow_up"),
        ("training_participants", "name"),
        ("processes", "notes"),
        ("engagements", "notes"),
        ("actors", "notes"),
        ("experts", "conflicts"),
        ("support_requests", "notes"),
        ("users", "totp_secret"),
        ("analysis_versions", "content"),
        ("evidence_items", "sensitive"),
        ("document_versions", "body"),
        ("document_versions", "content"),
        ("incidents", "description"),
    ];
    let mut expected = 0i64;
    for (table, column) in ENCRYPTED {
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE 'enc:v1:k1:%'"
        )))
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        expected += n;
    }
    assert!(
        expected >= 10,
        "the demo holds encrypted values in several tables ({expected})"
    );
    let mut ring = Keyring::load(i.data()).unwrap();
    assert_eq!(ring.rotate().unwrap(), "k2");
    let store = Store::open(i.data(), i.database.as_deref(), ring.clone())
        .await
        .unwrap();
    let n = store.cli_operator().reencrypt_all().await.unwrap();
    assert_eq!(n as i64, expected, "every encrypted value was rewritten");
    for (table, column) in ENCRYPTED {
        let left: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE 'enc:v1:k1:%'"
        )))
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        assert_eq!(
            left, 0,
            "{table}.{column} still has values under the old key"
        );
    }
    ring.retire_old_keys().unwrap();
    let store = Store::open(
        i.data(),
        i.database.as_deref(),
        Keyring::load(i.data()).unwrap(),
    )
    .await
    .unwrap();
    let id = store
        .cli_operator()
        .find_user_id("coordinator")
        .await
        .unwrap();
    let coord = store.cli_act_as(&id).await.unwrap().unwrap();
    let all = coord
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert!(
        all.items
            .iter()
            .any(|p| p.notes.contains("ceasefire-monitoring expert"))
    );
    let experts = coord
        .list_experts(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert!(
        experts.items.iter().any(|e| !e.conflicts.is_empty()),
        "conflict declarations still readable"
    );

    // The identity store has a keyring of its own: rotated and re-encrypted as well, and the
    // custodian still opens an identity after the old identity key is retired.
    let identities = |prefix: &'static str| {
        let raw = raw.clone();
        async move {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM person_identities WHERE identity LIKE '{prefix}%'"
            )))
            .fetch_one(&raw)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
        }
    };
    let before = identities("enc:v1:k1:").await;
    assert!(before > 0, "the demo stores identities");
    let (key, n) = store
        .cli_operator()
        .rotate_identity_keys(true)
        .await
        .unwrap()
        .expect("the demo has an identity keyring");
    assert_eq!(key, "k2");
    assert_eq!(n as i64, before);
    assert_eq!(identities("enc:v1:k1:").await, 0);
    assert_eq!(identities("enc:v1:k2:").await, before);
    let person: String = sqlx::query("SELECT person_id FROM person_identities LIMIT 1")
        .fetch_one(&raw)
        .await
        .unwrap()
        .try_get("person_id")
        .unwrap();
    let custodian = store
        .cli_act_as(
            &store
                .cli_operator()
                .find_user_id("custodian")
                .await
                .unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    custodian
        .open_person_identity(&person, "Key rotation check of the identity store.")
        .await
        .unwrap();
    store.verify_audit().await.unwrap();
}

#[tokio::test]
async fn backup_and_restore() {
    let i = Instance::seeded().await;
    let out = i.data().join("backup.db");
    if i.database.is_some() {
        let err = grotius_store::backup_sqlite(&i.store, &out)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("pg_dump"),
            "PostgreSQL backups point to pg_dump: {err}"
        );
        return;
    }
    grotius_store::backup_sqlite(&i.store, &out).await.unwrap();
    assert!(
        grotius_store::backup_sqlite(&i.store, &out).await.is_err(),
        "never overwrites"
    );
    // Change the live database after the backup, then restore: the change is gone.
    i.access("coordinator")
        .await
        .create_process(&process("after backup", "internal", None))
        .await
        .unwrap();
    i.store.close().await;
    let restored = grotius_store::restore_sqlite(i.data(), &out, Keyring::load(i.data()).unwrap())
        .await
        .unwrap();
    assert!(restored.entries > 0);
    let store = Store::open(i.data(), None, Keyring::load(i.data()).unwrap())
        .await
        .unwrap();
    let id = store
        .cli_operator()
        .find_user_id("coordinator")
        .await
        .unwrap();
    let all = store
        .cli_act_as(&id)
        .await
        .unwrap()
        .unwrap()
        .list_processes(&Default::default(), 500, 0)
        .await
        .unwrap();
    assert_eq!(all.total, 11);
    // A corrupt backup is refused and changes nothing.
    let bad = i.data().join("bad.db");
    std::fs::write(&bad, b"this is not a database").unwrap();
    store.close().await;
    assert!(
        grotius_store::restore_sqlite(i.data(), &bad, Keyring::load(i.data()).unwrap())
            .await
            .is_err()
    );
    let store = Store::open(i.data(), None, Keyring::load(i.data()).unwrap())
        .await
        .unwrap();
    store.verify_audit().await.unwrap();
}
