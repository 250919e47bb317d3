//! `grotius demo`: a populated instance on localhost with one account per role.

pub mod agreements;
mod analyses;
mod dialogues;
mod documents;
pub mod early_warning;
pub mod evidence;
mod fund;
pub mod incidents;
mod lessons;
mod network;
mod participation;
mod roster;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use grotius_domain::process::ProcessInput;
use grotius_domain::separation::WorkDomain;
use grotius_domain::{Classification, Role};
use grotius_security::Keyring;
use grotius_store::{Access, NewUser, Store, UserUpdate};
use grotius_web::WebConfig;
use rand::Rng;

/// Demo accounts: user name = role name; clearance and compartments as a real unit would have.
const ACCOUNTS: &[(Role, &str, Classification, &[&str])] = &[
    (
        Role::Admin,
        "Demo Administrator",
        Classification::Secret,
        &[],
    ),
    (
        Role::Coordinator,
        "Demo Coordinator (mediation support unit)",
        Classification::Secret,
        &["horn-of-africa", "yemen", "latam", "europe-east"],
    ),
    (
        Role::DeskOfficer,
        "Demo Desk Officer (Khartoum desk)",
        Classification::Confidential,
        &["horn-of-africa"],
    ),
    (
        Role::Analyst,
        "Demo Analyst",
        Classification::Confidential,
        &[],
    ),
    (
        Role::FundOfficer,
        "Demo Fund Officer",
        Classification::Internal,
        &[],
    ),
    (
        Role::FundApprover,
        "Demo Fund Approver",
        Classification::Confidential,
        &[],
    ),
    (
        Role::Controller,
        "Demo Controller",
        Classification::Internal,
        &[],
    ),
    (
        Role::Documenter,
        "Demo Documenter",
        Classification::Secret,
        &["evidence-sudan"],
    ),
    (
        Role::Custodian,
        "Demo Evidence Custodian",
        Classification::Secret,
        &["evidence-sudan"],
    ),
    (
        Role::LegalAdviser,
        "Demo Legal Adviser",
        Classification::Confidential,
        &["evidence-sudan"],
    ),
    (
        Role::Adviser,
        "Demo WPS/water Adviser",
        Classification::Confidential,
        &[],
    ),
    (
        Role::Partner,
        "Demo Partner (Sahel Dialogue Initiative)",
        Classification::Public,
        &[],
    ),
    (Role::Auditor, "Demo Auditor", Classification::Internal, &[]),
];

const COMPARTMENTS: &[(&str, &str, &str, WorkDomain)] = &[
    (
        "horn-of-africa",
        "Horn of Africa",
        "Sudan, South Sudan, Nile basin: quiet diplomacy files",
        WorkDomain::Mediation,
    ),
    (
        "yemen",
        "Yemen",
        "Track 1.5 and community dialogues in Yemen",
        WorkDomain::Mediation,
    ),
    (
        "latam",
        "Latin America",
        "Accompaniment of talks in Colombia",
        WorkDomain::Mediation,
    ),
    (
        "europe-east",
        "Eastern Europe",
        "Humanitarian arrangements, Black Sea",
        WorkDomain::Mediation,
    ),
    (
        "evidence-sudan",
        "Evidence: Sudan",
        "Accountability documentation (separate from mediation)",
        WorkDomain::Evidence,
    ),
];

struct DemoProcess {
    title: &'static str,
    codename: Option<&'static str>,
    countries: &'static [&'static str],
    phase: &'static str,
    tracks: &'static [&'static str],
    role: &'static str,
    status: &'static str,
    themes: &'static [&'static str],
    summary: &'static str,
    notes: &'static str,
    classification: &'static str,
    compartment: Option<&'static str>,
}

const PROCESSES: &[DemoProcess] = &[
    DemoProcess {
        title: "Sudan: ceasefire talks support (Jeddah format)",
        codename: None,
        countries: &["SD"],
        phase: "negotiation",
        tracks: &["I", "1.5"],
        role: "support",
        status: "active",
        themes: &["rule-of-law"],
        summary: "Technical support to the facilitators on ceasefire monitoring and humanitarian access arrangements.",
        notes: "Facilitators ask for a ceasefire-monitoring expert within two weeks; contact through the embassy in Riyadh.",
        classification: "confidential",
        compartment: Some("horn-of-africa"),
    },
    DemoProcess {
        title: "Sudan: civilian dialogue and women's participation",
        codename: None,
        countries: &["SD"],
        phase: "armed-conflict",
        tracks: &["II", "III"],
        role: "facilitate",
        status: "active",
        themes: &["wps", "mhpss"],
        summary: "Convening civil-society and women's groups in Kampala and Nairobi to shape a civilian agenda for talks.",
        notes: "",
        classification: "internal",
        compartment: None,
    },
    DemoProcess {
        title: "South Sudan: implementation of the revitalised agreement",
        codename: None,
        countries: &["SS"],
        phase: "implementation",
        tracks: &["I"],
        role: "accompany",
        status: "active",
        themes: &["rule-of-law"],
        summary: "Accompanying the monitoring body on transitional security arrangements and the constitution-making process.",
        notes: "",
        classification: "internal",
        compartment: None,
    },
    DemoProcess {
        title: "Nile basin water dialogue",
        codename: Some("BLUE RIVER"),
        countries: &["ET", "SD", "EG"],
        phase: "prevention",
        tracks: &["1.5", "II"],
        role: "facilitate",
        status: "exploratory",
        themes: &["water"],
        summary: "Track 1.5 dialogue between water experts of riparian states on dam filling and drought rules.",
        notes: "Ethiopian side open to a technical working group if hosted outside the region; The Hague proposed.",
        classification: "confidential",
        compartment: Some("horn-of-africa"),
    },
    DemoProcess {
        title: "Yemen: Taiz water and road access dialogue",
        codename: None,
        countries: &["YE"],
        phase: "armed-conflict",
        tracks: &["II", "III"],
        role: "facilitate",
        status: "active",
        themes: &["water", "wps"],
        summary: "Local dialogue on water supply and the opening of roads around Taiz, with women mediators' network.",
        notes: "Two local mediators under threat; do not share names outside the compartment.",
        classification: "confidential",
        compartment: Some("yemen"),
    },
    DemoProcess {
        title: "Yemen: detainee exchange channel",
        codename: Some("ALMOND"),
        countries: &["YE"],
        phase: "negotiation",
        tracks: &["1.5"],
        role: "support",
        status: "dormant",
        themes: &["rule-of-law"],
        summary: "Discreet channel supporting the UN envoy's office on lists for detainee exchanges.",
        notes: "Channel paused after the last round; reactivation only on the envoy's request.",
        classification: "secret",
        compartment: Some("yemen"),
    },
    DemoProcess {
        title: "Colombia: accompaniment of peace talks",
        codename: None,
        countries: &["CO"],
        phase: "negotiation",
        tracks: &["I"],
        role: "accompany",
        status: "active",
        themes: &["rule-of-law", "wps"],
        summary: "The Netherlands as accompanying country: logistics, gender sub-commission and transitional-justice expertise.",
        notes: "Gender sub-commission asks for two experts on sexual violence in conflict for the next round.",
        classification: "confidential",
        compartment: Some("latam"),
    },
    DemoProcess {
        title: "Mozambique: Cabo Delgado community dialogue",
        codename: None,
        countries: &["MZ"],
        phase: "crisis",
        tracks: &["III"],
        role: "support",
        status: "active",
        themes: &["mhpss"],
        summary: "Community-level dialogue and psychosocial support for displaced people returning to their districts.",
        notes: "",
        classification: "internal",
        compartment: None,
    },
    DemoProcess {
        title: "Central Sahel: community mediation network",
        codename: None,
        countries: &["ML", "BF", "NE"],
        phase: "armed-conflict",
        tracks: &["III"],
        role: "support",
        status: "active",
        themes: &["innovation", "wps"],
        summary: "Support to local mediators resolving farmer–herder disputes, with digital consultations of youth.",
        notes: "",
        classification: "public",
        compartment: None,
    },
    DemoProcess {
        title: "Black Sea humanitarian arrangements",
        codename: Some("LIGHTHOUSE"),
        countries: &["UA"],
        phase: "negotiation",
        tracks: &["I"],
        role: "leverage",
        status: "exploratory",
        themes: &["rule-of-law"],
        summary: "Exploring Dutch leverage for humanitarian arrangements on shipping and the exchange of civilians.",
        notes: "Only through the special envoy; no written record outside this compartment.",
        classification: "secret",
        compartment: Some("europe-east"),
    },
    DemoProcess {
        title: "Myanmar: women mediators' network",
        codename: None,
        countries: &["MM"],
        phase: "armed-conflict",
        tracks: &["II"],
        role: "support",
        status: "active",
        themes: &["wps"],
        summary: "Training and coaching for women mediators working across ethnic armed organisations.",
        notes: "",
        classification: "internal",
        compartment: None,
    },
];

fn demo_password() -> String {
    std::env::var("GROTIUS_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| {
            const WORDS: &[&str] = &[
                "harbour", "treaty", "olive", "river", "lantern", "compass", "meadow", "anchor",
                "quill", "summit", "bridge", "accord",
            ];
            let mut rng = rand::thread_rng();
            let words: Vec<&str> = (0..3)
                .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
                .collect();
            format!("{}-{}", words.join("-"), rng.gen_range(100..1000))
        })
}

/// Creates what is missing (idempotent) and sets every demo account's password: accounts,
/// compartments, processes and the network.
pub async fn seed(store: &Store, password: &str) -> Result<()> {
    seed_core(store, password).await?;
    roster::seed(&coordinator(store).await?).await?;
    network::seed(&coordinator(store).await?).await?;
    network::seed_engagements(&coordinator(store).await?).await?;
    lessons::seed(&coordinator(store).await?).await?;
    agreements::seed(store).await?;
    early_warning::seed(store).await?;
    // After early warning: the CAR process that answers its alert has participation too.
    participation::seed(&coordinator(store).await?).await?;
    analyses::seed(store).await?;
    dialogues::seed(&coordinator(store).await?).await?;
    dialogues::seed_live(store, &coordinator(store).await?).await?;
    documents::seed(&coordinator(store).await?).await?;
    fund::seed(store).await?;
    evidence::seed(store).await?;
    incidents::seed(store).await?;
    seed_access_decisions(store).await
}

/// The demo account `name`, acting (the operator looks it up).
pub(crate) async fn act_as(store: &Store, name: &str) -> Result<Access> {
    let id = store.cli_operator().find_user_id(name).await?;
    store
        .cli_act_as(&id)
        .await?
        .with_context(|| format!("the demo {name} is missing"))
}

/// Two crossings between mediation and evidence: the legal adviser let into the Horn of Africa
/// mediation files (approved by the coordinator), and an analyst's request for the Sudan evidence
/// compartment waiting for the custodian.
async fn seed_access_decisions(store: &Store) -> Result<()> {
    let admin = act_as(store, "admin").await?;
    let existing = admin.list_access_decisions().await?;
    let op = store.cli_operator();
    let legal = op.find_user_id("legal-adviser").await?;
    if !existing.iter().any(|d| d.user_id == legal) {
        let d = admin
            .request_access_decision(
                &legal,
                "horn-of-africa",
                "Transitional justice chapter of the Sudan talks: the negotiators need advice on amnesty provisions compatible with the ICC referral.",
            )
            .await?;
        act_as(store, "coordinator")
            .await?
            .decide_access(
                &d.id,
                true,
                "Approved for the duration of the Jeddah track; read access to the Horn of Africa files only.",
            )
            .await?;
    }
    let analyst = op.find_user_id("analyst").await?;
    if !existing.iter().any(|d| d.user_id == analyst) {
        admin
            .request_access_decision(
                &analyst,
                "evidence-sudan",
                "Early-warning analysis of attacks on health facilities in North Darfur needs the verified incident dates.",
            )
            .await?;
    }
    Ok(())
}

async fn coordinator(store: &Store) -> Result<Access> {
    let id = store.cli_operator().find_user_id("coordinator").await?;
    store
        .cli_act_as(&id)
        .await?
        .context("the demo coordinator is missing")
}

/// Accounts, compartments and processes only (what most tests need; the network is larger).
pub async fn seed_core(store: &Store, password: &str) -> Result<()> {
    let op = store.cli_operator();
    let existing = op.list_compartments().await?;
    for (id, name, desc, domain) in COMPARTMENTS {
        if !existing.iter().any(|c| c.id == *id) {
            op.create_compartment(id, name, desc, *domain).await?;
        }
    }
    let users = op.list_users().await?;
    for (role, display, clearance, comps) in ACCOUNTS {
        let name = role.as_str();
        let id = match users.iter().find(|u| u.username == name) {
            Some(u) => {
                op.reset_password(&u.id, password).await?;
                op.update_user(
                    &u.id,
                    &UserUpdate {
                        disabled: Some(false),
                        ..Default::default()
                    },
                )
                .await?;
                u.id.clone()
            }
            None => {
                let organisation =
                    (*role == Role::Partner).then(|| "Sahel Dialogue Initiative".to_string());
                op.create_user(&NewUser {
                    username: name.into(),
                    display_name: (*display).into(),
                    password: password.into(),
                    roles: vec![*role],
                    clearance: *clearance,
                    organisation,
                })
                .await?
                .id
            }
        };
        for c in *comps {
            op.add_member(c, &id, "demo: member of the unit working on this file")
                .await?;
        }
    }
    // Processes are filed by the coordinator, who belongs to every mediation compartment.
    let coordinator_id = op.find_user_id("coordinator").await?;
    let coordinator: Access = store
        .cli_act_as(&coordinator_id)
        .await?
        .context("the demo coordinator is missing")?;
    let have = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    for p in PROCESSES {
        if have.items.iter().any(|x| x.title == p.title) {
            continue;
        }
        coordinator
            .create_process(&ProcessInput {
                title: p.title.into(),
                codename: p.codename.map(str::to_string),
                countries: p.countries.iter().map(|c| c.to_string()).collect(),
                phase: p.phase.into(),
                tracks: p.tracks.iter().map(|c| c.to_string()).collect(),
                dutch_role: p.role.into(),
                status: p.status.into(),
                themes: p.themes.iter().map(|c| c.to_string()).collect(),
                engaged: engaged_for(p.title),
                summary: p.summary.into(),
                notes: p.notes.into(),
                classification: p.classification.into(),
                compartment: p.compartment.map(str::to_string),
            })
            .await?;
    }
    Ok(())
}

/// Who else is engaged in each demo process (fictional but plausible).
fn engaged_for(title: &str) -> Vec<grotius_domain::process::EngagedParty> {
    let list: &[(&str, &str)] = match title.split(':').next().unwrap_or("") {
        "Sudan" => &[
            ("UN Personal Envoy for Sudan", "lead"),
            (
                "Saudi Arabia and United States (co-facilitators)",
                "facilitate",
            ),
            ("African Union", "coordinate"),
            ("Switzerland", "support"),
        ],
        "South Sudan" => &[
            ("IGAD", "lead"),
            ("Community of Sant'Egidio", "facilitate"),
            ("Norway", "support"),
        ],
        "Yemen" => &[
            ("UN Special Envoy for Yemen", "lead"),
            ("Oman", "facilitate"),
            ("Centre for Humanitarian Dialogue (HD)", "support"),
        ],
        "Colombia" => &[
            ("Norway", "accompany"),
            ("Cuba", "accompany"),
            ("Mexico", "accompany"),
            ("UN Verification Mission", "support"),
        ],
        "Mozambique" => &[
            ("Community of Sant'Egidio", "facilitate"),
            ("Switzerland", "support"),
        ],
        "Central Sahel" => &[
            ("Crisis Management Initiative (CMI)", "facilitate"),
            ("EU Special Representative for the Sahel", "coordinate"),
        ],
        "Myanmar" => &[
            ("Centre for Humanitarian Dialogue (HD)", "support"),
            ("Norway", "support"),
        ],
        "Black Sea humanitarian arrangements" => &[
            ("Türkiye", "facilitate"),
            ("UN Secretariat", "coordinate"),
            ("Qatar", "facilitate"),
        ],
        "Nile basin water dialogue" => &[
            ("African Union", "lead"),
            ("World Bank (technical)", "support"),
        ],
        _ => &[],
    };
    list.iter()
        .map(|(party, role)| grotius_domain::process::EngagedParty {
            party: (*party).into(),
            role: (*role).into(),
        })
        .collect()
}

/// The keys of a demo (or benchmark) directory: the instance's key files when they exist, all of
/// them created when none does (the demo, like `grotius init`, creates an instance).
pub fn keys(data: &Path) -> Result<Keyring> {
    if data.join(grotius_security::KEYRING_FILE).exists() {
        Ok(grotius_security::load_instance_keys(data)?)
    } else {
        Ok(grotius_security::create_instance_keys(data)?)
    }
}

pub async fn run(data: Option<PathBuf>, bind: SocketAddr) -> Result<()> {
    let data = match data {
        Some(d) => d,
        None => tempfile::Builder::new()
            .prefix("grotius-demo-")
            .tempdir()?
            .keep(),
    };
    std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
    let ring = keys(&data)?;
    let store = Store::open(&data, None, ring).await?;
    let password = demo_password();
    seed(&store, &password).await?;
    println!("Grotius demo");
    println!("  data:     {}", data.display());
    println!("  url:      http://{bind}/");
    println!("  accounts (user name = role, no second factor):");
    for (role, ..) in ACCOUNTS {
        println!("    {:<15} {}", role.as_str(), password);
    }
    println!(
        "  API:      POST http://{bind}/api/v1/auth/token  ·  OpenAPI: http://{bind}/api/v1/openapi.json"
    );
    crate::serve(store, bind, WebConfig::default()).await
}
