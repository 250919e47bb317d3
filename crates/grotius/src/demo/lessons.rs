//! Demo lessons: debriefs at turning points and at exit (fictional but plausible, in English
//! and Dutch), some in compartments the demo analyst is not in; and trainings with participants.

use anyhow::Result;
use grotius_domain::lessons::{DebriefInput, FollowUp};
use grotius_domain::training::{ParticipantInput, TrainingInput};
use grotius_store::Access;

struct DemoDebrief {
    /// Title prefix of the process.
    process: &'static str,
    moment: &'static str,
    date: &'static str,
    case_title: &'static str,
    started_on: &'static str,
    ended_on: &'static str,
    other_parties: &'static str,
    background: &'static str,
    entry_points: &'static str,
    process_design: &'static str,
    key_lessons: &'static str,
    follow_up: &'static [(&'static str, &'static str, &'static str)],
    /// Raise the classification above the process's (e.g. secret lessons of a confidential file).
    classification: Option<&'static str>,
}

const DEBRIEFS: &[DemoDebrief] = &[
    DemoDebrief {
        process: "Sudan: ceasefire talks",
        moment: "turning-point",
        date: "2025-11-20",
        case_title: "Sequencing ceasefire talks after the Jeddah declaration",
        started_on: "2024-05-01",
        ended_on: "",
        other_parties: "Egyptian and Emirati observers; the Quartet's technical team.",
        background: "The declaration of principles on protecting civilians was signed but not implemented; fighting moved to El Fasher and Kordofan while the facilitators tried to restart talks.",
        entry_points: "A request from the co-facilitators for a ceasefire-monitoring expert, and our long-standing contacts with both delegations' technical advisers.",
        process_design: "Proximity talks with a separate humanitarian track; a small monitoring working group that met before each plenary.",
        key_lessons: "Sequencing matters more than the text: agreeing humanitarian access and local truces first built enough trust for a discussion of a nationwide ceasefire. Pushing for a comprehensive ceasefire in one round hardened positions. Monitoring arrangements must be designed with the parties, not presented to them.",
        follow_up: &[
            (
                "Mediation support unit",
                "Share the monitoring non-paper with the AU",
                "2025-12-15",
            ),
            (
                "Embassy Riyadh",
                "Sound out the facilitators on a technical round in The Hague",
                "2026-01-31",
            ),
        ],
        classification: None,
    },
    DemoDebrief {
        process: "Sudan: civilian dialogue",
        moment: "turning-point",
        date: "2025-09-12",
        case_title: "Inclusie van vrouwenorganisaties in de civiele dialoog",
        started_on: "2024-09-01",
        ended_on: "",
        other_parties: "Sudanese Women's Rights Coalition; jongerennetwerken uit Darfur en Kordofan.",
        background: "Na het uiteenvallen van de civiele coalitie ontbrak een gedeelde civiele agenda voor de onderhandelingen.",
        entry_points: "Een verzoek van vrouwenorganisaties om logistieke en inhoudelijke steun; onze niche vrouwen, vrede en veiligheid (NAP 1325).",
        process_design: "Drie consultatierondes in Kampala en Nairobi, met een vaste quotering van veertig procent vrouwen en aparte sessies voor vrouwen uit vluchtelingenkampen.",
        key_lessons: "De inclusie van vrouwenorganisaties werkte pas toen zij zelf de agenda van de sessies bepaalden. Quota zonder inhoudelijke rol leiden tot symbolische deelname. Psychosociale ondersteuning tijdens de sessies was beslissend voor deelnemers uit conflictgebieden.",
        follow_up: &[(
            "WPS-adviseur",
            "Uitkomsten delen met de UN Personal Envoy",
            "2025-10-30",
        )],
        classification: None,
    },
    DemoDebrief {
        process: "South Sudan",
        moment: "exit",
        date: "2025-06-30",
        case_title: "Accompanying the transitional security arrangements",
        started_on: "2022-02-01",
        ended_on: "2025-06-30",
        other_parties: "RJMEC; the Ceasefire and Transitional Security Arrangements Monitoring and Verification Mechanism.",
        background: "The revitalised agreement's security chapter lagged years behind schedule; unification of forces stalled over command structures.",
        entry_points: "A seat as accompanying partner and funding of the monitoring body's technical secretariat.",
        process_design: "Quarterly technical workshops with both military delegations, chaired by IGAD, with our experts in a supporting role.",
        key_lessons: "An accompanying role without leverage works only when paired with sustained technical presence. Exit was timed with IGAD's handover so that the secretariat kept its funding; announcing exit early helped partners plan.",
        follow_up: &[(
            "Desk South Sudan",
            "Hand over the expert roster to Norway",
            "2025-08-01",
        )],
        classification: None,
    },
    DemoDebrief {
        process: "Nile basin water dialogue",
        moment: "turning-point",
        date: "2026-02-18",
        case_title: "Water as entry point: the technical working group",
        started_on: "2025-03-01",
        ended_on: "",
        other_parties: "Hydrologists from three universities; the Nile Basin Initiative secretariat.",
        background: "Political talks on dam filling were frozen; technical contacts continued informally.",
        entry_points: "Dutch water expertise and a neutral venue: water as an entry point for dialogue when politics is blocked.",
        process_design: "A Track 1.5 technical working group on drought rules, meeting in The Hague, reporting to no one in public.",
        key_lessons: "Technical framing created room that political talks did not. Keeping the working group out of the press was essential; one leak nearly ended it. Track II back-channels between the hydrologists carried messages the delegations could not send.",
        follow_up: &[(
            "Mediation support unit",
            "Propose a fourth session on data sharing",
            "2026-04-01",
        )],
        classification: None,
    },
    DemoDebrief {
        process: "Yemen: Taiz",
        moment: "turning-point",
        date: "2025-12-03",
        case_title: "Lokale bemiddelaars en de opening van wegen rond Taiz",
        started_on: "2024-01-15",
        ended_on: "",
        other_parties: "Lokale raden; het netwerk van vrouwelijke bemiddelaars in Taiz.",
        background: "De belegering van Taiz sneed wijken af van water en markten; eerdere afspraken over wegen werden niet nageleefd.",
        entry_points: "Het netwerk van vrouwelijke bemiddelaars vroeg steun voor gesprekken over watervoorziening.",
        process_design: "Gesprekken over water eerst, daarna over één weg als proef; kleine delegaties, geen media.",
        key_lessons: "Vrouwelijke bemiddelaars kregen toegang waar anderen die niet kregen, maar liepen daardoor ook meer risico. Beschermingsmaatregelen horen vanaf het begin in het procesontwerp. Een proef met één weg overtuigde meer dan een alomvattend plan.",
        follow_up: &[(
            "Ambassade Muscat",
            "Beschermingsplan voor twee bemiddelaars afronden",
            "2026-01-15",
        )],
        classification: None,
    },
    DemoDebrief {
        process: "Yemen: detainee exchange",
        moment: "exit",
        date: "2025-10-01",
        case_title: "Pausing the detainee channel",
        started_on: "2023-06-01",
        ended_on: "2025-09-30",
        other_parties: "ICRC (technical); intermediaries in Muscat.",
        background: "Two exchanges succeeded; the third stalled over names on the lists.",
        entry_points: "A discreet request from the envoy's office for a Track II back-channel on lists.",
        process_design: "Back-channel meetings in Muscat with one intermediary per side; lists verified by the ICRC.",
        key_lessons: "A Track II back-channel is valuable precisely because it can be paused without loss of face. Verification by a neutral humanitarian actor kept both sides at the table. Do not widen the circle: each additional participant raised the risk of leaks.",
        follow_up: &[(
            "Coordinator",
            "Keep the intermediaries' contact details current",
            "2026-03-31",
        )],
        classification: None,
    },
    DemoDebrief {
        process: "Colombia",
        moment: "turning-point",
        date: "2025-07-22",
        case_title: "The gender sub-commission and the ceasefire protocol",
        started_on: "2023-01-10",
        ended_on: "",
        other_parties: "Women's and LGBTI organisations consulted by the gender sub-commission.",
        background: "The bilateral ceasefire protocol was negotiated while the gender sub-commission was still forming.",
        entry_points: "Our role as accompanying country and experts on sexual violence in conflict requested by the sub-commission.",
        process_design: "Gender experts embedded with the technical teams drafting the ceasefire protocol.",
        key_lessons: "Gender provisions entered the ceasefire protocol only because experts sat with the drafters from the first day; review afterwards would have been too late. Inclusion of women's groups needs funding for their travel and security, not only invitations.",
        follow_up: &[],
        classification: None,
    },
    DemoDebrief {
        process: "Mozambique",
        moment: "exit",
        date: "2026-01-20",
        case_title: "Psychosociale steun in de gemeenschapsdialoog in Cabo Delgado",
        started_on: "2024-04-01",
        ended_on: "2025-12-31",
        other_parties: "Lokale religieuze leiders; districtsbesturen.",
        background: "Ontheemden keerden terug naar districten waar daders en slachtoffers naast elkaar woonden.",
        entry_points: "Onze niche geestelijke gezondheid en psychosociale steun (MHPSS) en financiering van lokale dialoogcomités.",
        process_design: "Dialoogcomités per district met psychosociale begeleiders; aparte groepen voor vrouwen en jongeren.",
        key_lessons: "Psychosociale steun vóór de dialoog maakte gesprekken tussen terugkeerders en achterblijvers mogelijk. Lokale eigenaarschap van de comités bepaalde of ze na onze exit bleven bestaan.",
        follow_up: &[(
            "Ambassade Maputo",
            "Overdracht van de comités aan het districtsbestuur volgen",
            "2026-06-30",
        )],
        classification: None,
    },
    DemoDebrief {
        process: "Central Sahel",
        moment: "turning-point",
        date: "2025-05-15",
        case_title: "Digital consultations of youth in farmer–herder mediation",
        started_on: "2024-10-01",
        ended_on: "",
        other_parties: "Local radio stations; youth associations in Mopti and Dori.",
        background: "Local mediators resolved disputes between farmers and herders but young people were absent from the talks.",
        entry_points: "Innovation niche: a pilot of digital consultations proposed by CMI.",
        process_design: "Short polls by SMS and radio call-ins before each mediation session; results shared with the elders.",
        key_lessons: "Digital consultations brought in young people's views but not their presence: pair them with in-person sessions. Keep data minimal — phone numbers are sensitive in an armed conflict.",
        follow_up: &[(
            "CMI",
            "Delete raw phone numbers after each round",
            "2025-06-30",
        )],
        classification: None,
    },
];

struct DemoTraining {
    title: &'static str,
    starts_on: &'static str,
    ends_on: &'static str,
    place: &'static str,
    remote: bool,
    organiser: &'static str,
    themes: &'static [&'static str],
    process: Option<&'static str>,
    classification: &'static str,
    compartment: Option<&'static str>,
    /// (organisation, type, country, female, male, other, not recorded)
    groups: &'static [(&'static str, &'static str, &'static str, u8, u8, u8, u8)],
}

const TRAININGS: &[DemoTraining] = &[
    DemoTraining {
        title: "Mediation skills for women peacebuilders (Horn of Africa)",
        starts_on: "2025-10-06",
        ends_on: "2025-10-10",
        place: "Nairobi",
        remote: false,
        organiser: "Mediation support unit with a Kenyan training partner",
        themes: &["wps"],
        process: Some("Sudan: civilian dialogue"),
        classification: "internal",
        compartment: None,
        groups: &[
            (
                "Sudanese Women's Rights Coalition",
                "womens-organisation",
                "SD",
                8,
                0,
                0,
                0,
            ),
            (
                "Juba Women Mediators Network",
                "womens-organisation",
                "SS",
                5,
                0,
                0,
                0,
            ),
            (
                "Ministry of Social Development",
                "government",
                "SD",
                2,
                2,
                0,
                0,
            ),
            ("Darfur Youth Forum", "civil-society", "SD", 2, 3, 0, 1),
            ("University of Khartoum", "academia", "SD", 1, 0, 0, 0),
        ],
    },
    DemoTraining {
        title: "Ceasefire monitoring and security arrangements",
        starts_on: "2026-01-19",
        ends_on: "2026-01-21",
        place: "The Hague",
        remote: false,
        organiser: "Mediation support unit",
        themes: &["rule-of-law"],
        process: Some("Sudan: ceasefire talks"),
        classification: "confidential",
        compartment: Some("horn-of-africa"),
        groups: &[
            (
                "Sudanese Armed Forces delegation",
                "armed-group",
                "SD",
                0,
                4,
                0,
                0,
            ),
            (
                "Rapid Support Forces delegation",
                "armed-group",
                "SD",
                0,
                4,
                0,
                0,
            ),
            ("African Union", "un-regional", "ET", 2, 1, 0, 0),
            (
                "Office of the UN Personal Envoy",
                "un-regional",
                "",
                2,
                1,
                0,
                0,
            ),
        ],
    },
    DemoTraining {
        title: "Digital dialogue tools for inclusive consultations",
        starts_on: "2025-04-08",
        ends_on: "2025-04-09",
        place: "",
        remote: true,
        organiser: "CMI with the mediation support unit",
        themes: &["innovation", "wps"],
        process: Some("Central Sahel"),
        classification: "internal",
        compartment: None,
        groups: &[
            ("Mopti Youth Association", "civil-society", "ML", 3, 4, 0, 0),
            ("Dori Community Radio", "civil-society", "BF", 1, 2, 0, 1),
            (
                "Réseau des femmes médiatrices du Sahel",
                "womens-organisation",
                "NE",
                4,
                0,
                0,
                0,
            ),
            ("ECOWAS Commission", "un-regional", "NG", 1, 1, 0, 0),
            ("Université de Niamey", "academia", "NE", 0, 1, 1, 0),
        ],
    },
    DemoTraining {
        title: "Psychosocial support in dialogue processes (MHPSS)",
        starts_on: "2025-08-25",
        ends_on: "2025-08-28",
        place: "Pemba",
        remote: false,
        organiser: "Embassy Maputo and a psychosocial NGO",
        themes: &["mhpss"],
        process: Some("Mozambique"),
        classification: "internal",
        compartment: None,
        groups: &[
            (
                "District administration Mocímboa da Praia",
                "government",
                "MZ",
                1,
                2,
                0,
                0,
            ),
            (
                "Interfaith council Cabo Delgado",
                "civil-society",
                "MZ",
                2,
                2,
                0,
                0,
            ),
            (
                "Associação de Mulheres de Pemba",
                "womens-organisation",
                "MZ",
                4,
                0,
                0,
                0,
            ),
            ("UNHCR Pemba", "un-regional", "MZ", 1, 0, 0, 1),
        ],
    },
];

const FIRST: [&str; 12] = [
    "Amal", "Nyandeng", "Fatima", "Grace", "Hawa", "Aisha", "Joseph", "Omar", "Daniel", "Ibrahim",
    "Samuel", "Yusuf",
];
const LAST: [&str; 8] = [
    "Abdalla",
    "Deng",
    "Osman",
    "Mensah",
    "Traoré",
    "Macuácua",
    "Haile",
    "Diallo",
];

pub async fn seed(coordinator: &Access) -> Result<()> {
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?
        .items;
    let find = |prefix: &str| processes.iter().find(|p| p.title.starts_with(prefix));
    for d in DEBRIEFS {
        let Some(p) = find(d.process) else { continue };
        let existing = coordinator.list_debriefs(&p.id).await?;
        if existing.iter().any(|x| x.case_title == d.case_title) {
            continue;
        }
        // The first debrief of a process is tied to the oldest journal entry, where there is one.
        let engagement_id = if existing.is_empty() {
            coordinator
                .list_engagements(&p.id)
                .await?
                .last()
                .map(|e| e.id.clone())
        } else {
            None
        };
        coordinator
            .create_debrief(
                &p.id,
                &DebriefInput {
                    engagement_id,
                    moment: d.moment.into(),
                    date: d.date.into(),
                    author: "Demo Coordinator".into(),
                    case_title: d.case_title.into(),
                    dutch_role: String::new(),
                    started_on: d.started_on.into(),
                    ended_on: d.ended_on.into(),
                    parties: p.engaged.iter().take(2).map(|e| e.party.clone()).collect(),
                    other_parties: d.other_parties.into(),
                    background: d.background.into(),
                    entry_points: d.entry_points.into(),
                    process_design: d.process_design.into(),
                    key_lessons: d.key_lessons.into(),
                    follow_up: d
                        .follow_up
                        .iter()
                        .map(|(who, what, by)| FollowUp {
                            who: (*who).into(),
                            what: (*what).into(),
                            by: (*by).into(),
                        })
                        .collect(),
                    themes: p.themes.clone(),
                    classification: d
                        .classification
                        .unwrap_or(p.labels.classification.as_str())
                        .into(),
                    compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
                },
            )
            .await?;
    }
    let have = coordinator.list_trainings(500, 0).await?.items;
    let mut n = 0usize;
    for tr in TRAININGS {
        if have.iter().any(|x| x.title == tr.title) {
            continue;
        }
        let t = coordinator
            .create_training(&TrainingInput {
                title: tr.title.into(),
                starts_on: tr.starts_on.into(),
                ends_on: tr.ends_on.into(),
                place: tr.place.into(),
                remote: tr.remote,
                organiser: tr.organiser.into(),
                themes: tr.themes.iter().map(|s| s.to_string()).collect(),
                process_ids: tr
                    .process
                    .and_then(find)
                    .map(|p| vec![p.id.clone()])
                    .unwrap_or_default(),
                classification: tr.classification.into(),
                compartment: tr.compartment.map(str::to_string),
            })
            .await?;
        for (org, ty, country, f, m, o, nr) in tr.groups {
            let sexes = std::iter::repeat_n("female", *f as usize)
                .chain(std::iter::repeat_n("male", *m as usize))
                .chain(std::iter::repeat_n("other", *o as usize))
                .chain(std::iter::repeat_n("not-recorded", *nr as usize));
            for sex in sexes {
                n += 1;
                // Names for some participants only (many trainings record none).
                let name = if n.is_multiple_of(3) {
                    String::new()
                } else {
                    format!("{} {}", FIRST[n % FIRST.len()], LAST[(n / 2) % LAST.len()])
                };
                coordinator
                    .add_participant(
                        &t.id,
                        &ParticipantInput {
                            name,
                            sex: sex.into(),
                            organisation: (*org).into(),
                            organisation_type: (*ty).into(),
                            country: (*country).into(),
                        },
                    )
                    .await?;
            }
        }
    }
    Ok(())
}
