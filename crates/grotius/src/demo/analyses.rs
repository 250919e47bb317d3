//! Demo analyses: for several processes an actor map, process map or conflict analysis with a few
//! versions that show how the assessment evolved, written by different members of the unit.
//! Some live in compartments the demo analyst is not in; one internal actor map names an actor
//! the analyst may not see (that row is hidden from it).

use super::act_as;
use anyhow::{Context, Result};
use grotius_domain::analysis::{ActorMapRow, NewAnalysis, NewVersion};
use grotius_store::{Access, Store};

struct Version {
    author: &'static str,
    note: &'static str,
    title: &'static str,
    body: &'static str,
    /// (actor name, stance, influence, interests)
    rows: &'static [(&'static str, &'static str, i64, &'static str)],
}

struct Demo {
    /// Start of the process title.
    process: &'static str,
    kind: &'static str,
    versions: &'static [Version],
}

const SUDAN_MAP_V1: &str = "Assessment after the first Jeddah contacts (March 2026).\n\nBoth armed parties speak to the facilitators but neither accepts a nationwide ceasefire.\nHumanitarian access is the only item with traction.\n\nKey question: who can move the SAF leadership on access to El Fasher?";
const SUDAN_MAP_V2: &str = "Assessment after the first Jeddah contacts (March 2026), updated in May.\n\nBoth armed parties speak to the facilitators but neither accepts a nationwide ceasefire.\nHumanitarian access is the only item with traction.\nThe RSF offensive on El Fasher has hardened positions; the RSF delegation now links access to recognition.\n\nKey question: who can move the SAF leadership on access to El Fasher?\nThe African Union is back at the table and wants a role in monitoring.";
const SUDAN_MAP_V3: &str = "Assessment after the second Jeddah round (June 2026).\n\nThe SAF delegation accepted a humanitarian truce text in principle, subject to monitoring.\nHumanitarian access is the only item with traction.\nThe RSF offensive on El Fasher has hardened positions; the RSF delegation now links access to recognition.\n\nKey question: which monitoring arrangement can both delegations accept?\nThe African Union is back at the table and wants a role in monitoring.\nOption for the Netherlands: a ceasefire-monitoring expert from the roster, deployed through the UN envoy's office.";

const SUDAN_ANALYSIS_V1: &str = "Conflict drivers\n- Contest between two armed establishments over control of the state and the economy.\n- War economy: gold, cross-border trade, checkpoints.\n- Regional backers with diverging interests.\n\nEntry points\n- Humanitarian access (Jeddah format).\n- Civilian agenda through the Tagaddum coalition.";
const SUDAN_ANALYSIS_V2: &str = "Conflict drivers\n- Contest between two armed establishments over control of the state and the economy.\n- War economy: gold, cross-border trade, checkpoints.\n- Regional backers with diverging interests.\n- Famine conditions in Darfur and Kordofan, used as leverage.\n\nEntry points\n- Humanitarian access (Jeddah format), now with a monitoring question.\n- Civilian agenda through the Tagaddum coalition and women's groups.\n- Water and food security as a technical track (link to the Nile basin dialogue).";

const CIVILIAN_MAP_V1: &str = "Civilian actors shaping an agenda for the talks (Kampala and Nairobi meetings).\n\nWomen's groups ask for a quota in any delegation and for protection guarantees.";
const CIVILIAN_MAP_V2: &str = "Civilian actors shaping an agenda for the talks (Kampala and Nairobi meetings).\n\nWomen's groups ask for a quota in any delegation and for protection guarantees.\nThe UN envoy's office now consults the civilian platform before each round.";
const CIVILIAN_MAP_V3: &str = "Civilian actors shaping an agenda for the talks (Kampala, Nairobi and Addis Ababa meetings).\n\nWomen's groups ask for a 30% quota in any delegation and for protection guarantees.\nThe UN envoy's office now consults the civilian platform before each round.\nRisk: fragmentation of the civilian camp along regional lines.";

const SOUTH_SUDAN_V1: &str = "Implementation of the revitalised agreement is two years behind schedule.\n\nTransitional security arrangements: unification of forces stalled.\nConstitution-making: the commission is constituted but unfunded.\nElections: date set, but no census and no voter register.";
const SOUTH_SUDAN_V2: &str = "Implementation of the revitalised agreement is two years behind schedule.\n\nTransitional security arrangements: unification of forces stalled; salaries unpaid for eight months.\nConstitution-making: the commission is constituted but unfunded.\nElections: date set, but no census and no voter register.\n\nEarly warning: clashes in Upper Nile after the arrest of SPLM-IO officers.";
const SOUTH_SUDAN_V3: &str = "Implementation of the revitalised agreement is two years behind schedule.\n\nTransitional security arrangements: unification of forces stalled; salaries unpaid for eight months.\nConstitution-making: the commission received first funding (EU, Norway); hearings start in the states.\nElections: postponed by two years by agreement of the parties.\n\nEarly warning: clashes in Upper Nile after the arrest of SPLM-IO officers.\nRecommendation: support the monitoring body's field presence in Upper Nile.";

const TAIZ_V1: &str = "Sequence agreed with the local council:\n1. Technical committee on the main water line (engineers of both sides).\n2. Joint inspection of the pumping station.\n3. Opening of one road for civilians on fixed days.\n\nThe women mediators' network carries messages between the committees.";
const TAIZ_V2: &str = "Sequence agreed with the local council:\n1. Technical committee on the main water line (engineers of both sides) — met twice in Muscat.\n2. Joint inspection of the pumping station — postponed, security guarantees missing.\n3. Opening of one road for civilians on fixed days.\n4. Exchange of bodies and detainee lists through the UN envoy's office (new).\n\nThe women mediators' network carries messages between the committees.";

const SAHEL_V1: &str = "Process map of the community mediation network.\n\nLevel 1: village mediators (farmer–herder disputes, water points).\nLevel 2: commune committees with the regional authority.\nLevel 3: digital consultation of youth on grazing corridors.";
const SAHEL_V2: &str = "Process map of the community mediation network.\n\nLevel 1: village mediators (farmer–herder disputes, water points, transhumance calendar).\nLevel 2: commune committees with the regional authority.\nLevel 3: digital consultation of youth on grazing corridors — 2,400 participants in the first round.\nLevel 4: annual exchange with mediators from Burkina Faso and Niger.";

const COLOMBIA_V1: &str = "The talks with the ELN hinge on the participation mechanism.\n\nGender sub-commission: asks for experts on sexual violence in conflict.";
const COLOMBIA_V2: &str = "The talks with the ELN hinge on the participation mechanism; the ceasefire lapsed in August.\n\nGender sub-commission: asks for experts on sexual violence in conflict; two experts proposed from the roster.\nRisk: electoral calendar shortens the window.";

const DEMOS: &[Demo] = &[
    Demo {
        process: "Sudan: ceasefire talks support",
        kind: "actor-map",
        versions: &[
            Version {
                author: "coordinator",
                note: "First map after the Jeddah contacts",
                title: "Jeddah format: actor map",
                body: SUDAN_MAP_V1,
                rows: &[
                    (
                        "Sudanese Armed Forces (delegation)",
                        "opposed",
                        5,
                        "Recognition as the legitimate government; no ceasefire in place",
                    ),
                    (
                        "Rapid Support Forces (delegation)",
                        "ambivalent",
                        5,
                        "Hold territory in Darfur; international standing",
                    ),
                    (
                        "Civilian coalition Tagaddum",
                        "supportive",
                        2,
                        "A civilian seat at the table",
                    ),
                    (
                        "Office of the UN Personal Envoy for Sudan",
                        "champion",
                        4,
                        "One process instead of competing initiatives",
                    ),
                ],
            },
            Version {
                author: "desk-officer",
                note: "RSF stance after the El Fasher offensive; AU back in",
                title: "Jeddah format: actor map",
                body: SUDAN_MAP_V2,
                rows: &[
                    (
                        "Sudanese Armed Forces (delegation)",
                        "opposed",
                        5,
                        "Recognition as the legitimate government; no ceasefire in place",
                    ),
                    (
                        "Rapid Support Forces (delegation)",
                        "spoiler",
                        5,
                        "Hold territory in Darfur; links access to recognition",
                    ),
                    (
                        "Civilian coalition Tagaddum",
                        "supportive",
                        2,
                        "A civilian seat at the table",
                    ),
                    (
                        "Office of the UN Personal Envoy for Sudan",
                        "champion",
                        4,
                        "One process instead of competing initiatives",
                    ),
                    (
                        "African Union Commission",
                        "supportive",
                        3,
                        "A role in monitoring; continental ownership",
                    ),
                ],
            },
            Version {
                author: "coordinator",
                note: "Second Jeddah round: SAF accepts a truce text in principle",
                title: "Jeddah format: actor map (after round two)",
                body: SUDAN_MAP_V3,
                rows: &[
                    (
                        "Sudanese Armed Forces (delegation)",
                        "ambivalent",
                        5,
                        "Truce only with monitoring it trusts; recognition",
                    ),
                    (
                        "Rapid Support Forces (delegation)",
                        "spoiler",
                        5,
                        "Hold territory in Darfur; links access to recognition",
                    ),
                    (
                        "Civilian coalition Tagaddum",
                        "supportive",
                        3,
                        "A civilian seat at the table; protection of civilians",
                    ),
                    (
                        "Office of the UN Personal Envoy for Sudan",
                        "champion",
                        4,
                        "One process instead of competing initiatives",
                    ),
                    (
                        "African Union Commission",
                        "supportive",
                        3,
                        "A role in monitoring; continental ownership",
                    ),
                    (
                        "IGAD Secretariat",
                        "neutral",
                        2,
                        "Relevance of the IGAD track",
                    ),
                ],
            },
        ],
    },
    Demo {
        process: "Sudan: ceasefire talks support",
        kind: "conflict-analysis",
        versions: &[
            Version {
                author: "coordinator",
                note: "",
                title: "Sudan: drivers and entry points",
                body: SUDAN_ANALYSIS_V1,
                rows: &[],
            },
            Version {
                author: "desk-officer",
                note: "Famine as leverage; water track",
                title: "Sudan: drivers and entry points",
                body: SUDAN_ANALYSIS_V2,
                rows: &[],
            },
        ],
    },
    Demo {
        process: "Sudan: civilian dialogue",
        kind: "actor-map",
        versions: &[
            Version {
                author: "coordinator",
                note: "After the Kampala meeting",
                title: "Civilian platform: actor map",
                body: CIVILIAN_MAP_V1,
                rows: &[
                    (
                        "Civilian coalition Tagaddum",
                        "champion",
                        3,
                        "Civilian agenda; end of the war",
                    ),
                    (
                        "Office of the UN Personal Envoy for Sudan",
                        "supportive",
                        4,
                        "An inclusive process",
                    ),
                ],
            },
            Version {
                author: "coordinator",
                note: "UN envoy consults the platform",
                title: "Civilian platform: actor map",
                body: CIVILIAN_MAP_V2,
                rows: &[
                    (
                        "Civilian coalition Tagaddum",
                        "champion",
                        3,
                        "Civilian agenda; end of the war",
                    ),
                    (
                        "Office of the UN Personal Envoy for Sudan",
                        "champion",
                        4,
                        "An inclusive process; consults the platform before each round",
                    ),
                    (
                        "African Union Commission",
                        "neutral",
                        3,
                        "Continental ownership of the civilian track",
                    ),
                ],
            },
            Version {
                author: "desk-officer",
                note: "Addis meeting; quota demand; fragmentation risk",
                title: "Civilian platform: actor map",
                body: CIVILIAN_MAP_V3,
                rows: &[
                    (
                        "Civilian coalition Tagaddum",
                        "champion",
                        2,
                        "Civilian agenda; end of the war; internal splits",
                    ),
                    (
                        "Office of the UN Personal Envoy for Sudan",
                        "champion",
                        4,
                        "An inclusive process; consults the platform before each round",
                    ),
                    (
                        "African Union Commission",
                        "supportive",
                        3,
                        "Continental ownership of the civilian track",
                    ),
                ],
            },
        ],
    },
    Demo {
        process: "South Sudan",
        kind: "conflict-analysis",
        versions: &[
            Version {
                author: "analyst",
                note: "Baseline",
                title: "South Sudan: state of implementation",
                body: SOUTH_SUDAN_V1,
                rows: &[],
            },
            Version {
                author: "analyst",
                note: "Early warning Upper Nile",
                title: "South Sudan: state of implementation",
                body: SOUTH_SUDAN_V2,
                rows: &[],
            },
            Version {
                author: "coordinator",
                note: "Elections postponed; constitution funding",
                title: "South Sudan: state of implementation and risks",
                body: SOUTH_SUDAN_V3,
                rows: &[],
            },
        ],
    },
    Demo {
        process: "Yemen: Taiz",
        kind: "process-map",
        versions: &[
            Version {
                author: "coordinator",
                note: "",
                title: "Taiz: sequence of the local arrangements",
                body: TAIZ_V1,
                rows: &[],
            },
            Version {
                author: "coordinator",
                note: "Muscat meetings; detainee lists added",
                title: "Taiz: sequence of the local arrangements",
                body: TAIZ_V2,
                rows: &[],
            },
        ],
    },
    Demo {
        process: "Central Sahel",
        kind: "process-map",
        versions: &[
            Version {
                author: "coordinator",
                note: "",
                title: "Community mediation: process map",
                body: SAHEL_V1,
                rows: &[],
            },
            Version {
                author: "analyst",
                note: "Consultation results; regional exchange",
                title: "Community mediation: process map",
                body: SAHEL_V2,
                rows: &[],
            },
        ],
    },
    Demo {
        process: "Colombia",
        kind: "conflict-analysis",
        versions: &[
            Version {
                author: "coordinator",
                note: "",
                title: "Colombia: ELN talks",
                body: COLOMBIA_V1,
                rows: &[],
            },
            Version {
                author: "coordinator",
                note: "Ceasefire lapsed",
                title: "Colombia: ELN talks",
                body: COLOMBIA_V2,
                rows: &[],
            },
        ],
    },
];

/// Resolves actor names to ids among the actors `who` may see.
async fn rows(who: &Access, rows: &[(&str, &str, i64, &str)]) -> Result<Vec<ActorMapRow>> {
    let mut out = Vec::new();
    for (name, stance, influence, interests) in rows {
        let found = who
            .list_actors(
                &grotius_store::ActorFilter {
                    q: Some((*name).to_string()),
                    ..Default::default()
                },
                10,
                0,
            )
            .await?;
        let a = found
            .items
            .into_iter()
            .find(|a| a.name == *name)
            .with_context(|| format!("demo actor {name} is missing"))?;
        out.push(ActorMapRow {
            actor_id: a.id,
            stance: (*stance).into(),
            influence: *influence,
            interests: (*interests).into(),
        });
    }
    Ok(out)
}

/// Creates the demo analyses of processes that have none yet (needs the network).
pub async fn seed(store: &Store) -> Result<()> {
    let coordinator = act_as(store, "coordinator").await?;
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    let mut done: Vec<String> = Vec::new();
    for demo in DEMOS {
        let p = processes
            .items
            .iter()
            .find(|p| p.title.starts_with(demo.process))
            .with_context(|| format!("demo process {} is missing", demo.process))?;
        if !done.contains(&p.id) && !coordinator.list_analyses(&p.id).await?.is_empty() {
            continue;
        }
        done.push(p.id.clone());
        let Some((first, rest)) = demo.versions.split_first() else {
            continue;
        };
        let author = act_as(store, first.author).await?;
        let created = author
            .create_analysis(
                &p.id,
                &NewAnalysis {
                    kind: demo.kind.into(),
                    title: first.title.into(),
                    body: first.body.into(),
                    rows: rows(&coordinator, first.rows).await?,
                    classification: p.labels.classification.as_str().into(),
                    compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
                    note: first.note.into(),
                },
            )
            .await?;
        let mut base = created.latest_version;
        for v in rest {
            let author = act_as(store, v.author).await?;
            base = author
                .save_analysis_version(
                    &created.id,
                    &NewVersion {
                        base_version: base,
                        title: v.title.into(),
                        body: v.body.into(),
                        rows: rows(&coordinator, v.rows).await?,
                        classification: None,
                        note: v.note.into(),
                    },
                )
                .await?
                .latest_version;
        }
    }
    Ok(())
}
