//! Demo network: our unit and missions, international mediators and bodies, and for each context
//! conflict parties and a few dozen fictional persons, with typed, dated relationships labelled
//! like the processes they belong to.

use std::collections::HashMap;

use anyhow::Result;
use grotius_domain::network::{ActorInput, RelationshipInput};
use grotius_store::Access;

/// Small deterministic generator (xorshift), so the demo is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Context {
    key: &'static str,
    country: &'static str,
    classification: &'static str,
    compartment: Option<&'static str>,
    parties: &'static [&'static str],
    first: &'static [&'static str],
    last: &'static [&'static str],
    persons: usize,
}

const ARABIC_FIRST: &[&str] = &[
    "Amna", "Hiba", "Khalid", "Omar", "Fatima", "Yusuf", "Mariam", "Salma", "Tariq", "Nadia",
    "Hassan", "Rania", "Ibrahim", "Layla",
];
const ARABIC_LAST: &[&str] = &[
    "al-Amin",
    "Osman",
    "Abdelrahman",
    "al-Haddad",
    "Mahjoub",
    "Suleiman",
    "el-Tayeb",
    "Babiker",
    "al-Sharif",
    "Nasser",
];

const CONTEXTS: &[Context] = &[
    Context {
        key: "Sudan",
        country: "SD",
        classification: "confidential",
        compartment: Some("horn-of-africa"),
        parties: &[
            "Sudanese Armed Forces (delegation)",
            "Rapid Support Forces (delegation)",
            "Civilian coalition Tagaddum",
        ],
        first: ARABIC_FIRST,
        last: ARABIC_LAST,
        persons: 34,
    },
    Context {
        key: "South Sudan",
        country: "SS",
        classification: "internal",
        compartment: None,
        parties: &[
            "Transitional government (SPLM)",
            "SPLM-IO",
            "Monitoring body (RJMEC)",
        ],
        first: &[
            "Nyandeng", "Deng", "Achol", "Garang", "Rebecca", "Majok", "Nyakuoth", "Lual",
        ],
        last: &[
            "Deng", "Kiir", "Malual", "Ajak", "Machar", "Akol", "Bol", "Wani",
        ],
        persons: 24,
    },
    Context {
        key: "Nile basin",
        country: "ET",
        classification: "confidential",
        compartment: Some("horn-of-africa"),
        parties: &[
            "Ethiopian water ministry (technical team)",
            "Egyptian water ministry (technical team)",
        ],
        first: &[
            "Abebe", "Hirut", "Mekdes", "Tesfaye", "Ahmed", "Mona", "Sherif", "Yasmin",
        ],
        last: &[
            "Bekele", "Tadesse", "Girma", "Haile", "Farouk", "Mansour", "Saleh", "Kamal",
        ],
        persons: 16,
    },
    Context {
        key: "Yemen",
        country: "YE",
        classification: "confidential",
        compartment: Some("yemen"),
        parties: &[
            "Government of Yemen (negotiating team)",
            "Ansar Allah (negotiating team)",
            "Taiz local council",
        ],
        first: ARABIC_FIRST,
        last: &[
            "al-Hamdani",
            "al-Sanani",
            "Ba Abbad",
            "al-Aulaqi",
            "Saeed",
            "al-Qadhi",
            "Nu'man",
        ],
        persons: 30,
    },
    Context {
        key: "Colombia",
        country: "CO",
        classification: "confidential",
        compartment: Some("latam"),
        parties: &[
            "Government delegation",
            "ELN delegation",
            "Gender sub-commission",
        ],
        first: &[
            "María", "Camila", "Andrés", "Juan", "Luisa", "Diego", "Natalia", "Sofía", "Carlos",
        ],
        last: &[
            "Gómez",
            "Rodríguez",
            "Martínez",
            "Restrepo",
            "Vargas",
            "Ospina",
            "Cárdenas",
            "Moreno",
        ],
        persons: 28,
    },
    Context {
        key: "Mozambique",
        country: "MZ",
        classification: "internal",
        compartment: None,
        parties: &[
            "Provincial government Cabo Delgado",
            "Community committees Mocímboa da Praia",
        ],
        first: &[
            "Ana", "Joaquim", "Fátima", "Abdul", "Luísa", "Momade", "Rosa", "Samuel",
        ],
        last: &[
            "Machava",
            "Cossa",
            "Nhantumbo",
            "Momade",
            "Sitoe",
            "Langa",
            "Chissano",
        ],
        persons: 20,
    },
    Context {
        key: "Central Sahel",
        country: "ML",
        classification: "internal",
        compartment: None,
        parties: &[
            "Herders' association",
            "Farmers' union",
            "Regional authority Mopti",
        ],
        first: &[
            "Aminata",
            "Oumar",
            "Fatoumata",
            "Boubacar",
            "Mariam",
            "Hamadoun",
            "Kadiatou",
            "Issa",
        ],
        last: &[
            "Diallo", "Traoré", "Cissé", "Maïga", "Touré", "Keïta", "Barry", "Sangaré",
        ],
        persons: 24,
    },
    Context {
        key: "Myanmar",
        country: "MM",
        classification: "internal",
        compartment: None,
        parties: &[
            "Women mediators' network Myanmar",
            "Ethnic armed organisation (liaison)",
        ],
        first: &["Aye", "Thandar", "Nang", "Hla", "Khin", "Zaw", "Mya", "Naw"],
        last: &[
            "Aung", "Win", "Myint", "Htun", "Thein", "Kyaw", "Seng", "Lwin",
        ],
        persons: 18,
    },
    Context {
        key: "Black Sea",
        country: "UA",
        classification: "secret",
        compartment: Some("europe-east"),
        parties: &[
            "Ministry of Foreign Affairs of Ukraine (humanitarian track)",
            "Port authority Odesa",
        ],
        first: &[
            "Olena",
            "Andriy",
            "Iryna",
            "Oleksandr",
            "Kateryna",
            "Dmytro",
            "Yulia",
        ],
        last: &[
            "Kovalenko",
            "Shevchenko",
            "Bondarenko",
            "Tkachenko",
            "Melnyk",
            "Kravchenko",
        ],
        persons: 14,
    },
];

/// (name, category, country) of organisations that work across contexts.
const INTERNATIONAL: &[(&str, &str, &str)] = &[
    ("UN Mediation Support Unit", "un-body", "US"),
    ("Office of the UN Personal Envoy for Sudan", "un-body", "SD"),
    ("Office of the UN Special Envoy for Yemen", "un-body", "YE"),
    ("EEAS Mediation Support Team", "eu-body", "BE"),
    ("Swiss FDFA, Peace and Human Rights Division", "state", "CH"),
    (
        "Norwegian MFA, Section for Peace and Reconciliation",
        "state",
        "NO",
    ),
    (
        "Finnish MFA, Centre of Excellence for Peace Mediation",
        "state",
        "FI",
    ),
    ("Qatar MFA, mediation office", "state", "QA"),
    ("Centre for Humanitarian Dialogue (HD)", "ngo", "CH"),
    ("Crisis Management Initiative (CMI)", "ngo", "FI"),
    ("Berghof Foundation", "ngo", "DE"),
    ("African Union Commission", "state", "ET"),
    ("IGAD Secretariat", "state", "DJ"),
];

/// Our unit and missions: where introductions start.
const OURS: &[(&str, &str)] = &[
    ("Mediation Support Unit, The Hague", "NL"),
    ("Netherlands Embassy Addis Ababa (Sudan desk)", "ET"),
    ("Netherlands Embassy Riyadh (Yemen desk)", "SA"),
    ("Netherlands Embassy Bogotá", "CO"),
    ("Netherlands Embassy Maputo", "MZ"),
    ("Netherlands Embassy Bamako", "ML"),
    ("Netherlands Embassy Yangon", "MM"),
    ("Netherlands Embassy Kyiv", "UA"),
    ("Special Envoy for the Horn of Africa", "NL"),
];

fn actor(
    name: &str,
    kind: &str,
    category: &str,
    country: &str,
    description: &str,
    classification: &str,
    compartment: Option<&str>,
) -> ActorInput {
    ActorInput {
        name: name.into(),
        kind: kind.into(),
        category: category.into(),
        country: Some(country.into()),
        description: description.into(),
        notes: String::new(),
        classification: classification.into(),
        compartment: compartment.map(str::to_string),
    }
}

#[allow(clippy::too_many_arguments)]
fn rel(
    from: &str,
    to: &str,
    kind: &str,
    rng: &mut Rng,
    holder: Option<&str>,
    classification: &str,
    compartment: Option<&str>,
    source: &str,
) -> RelationshipInput {
    let year = 2015 + rng.below(10);
    RelationshipInput {
        from_actor: from.into(),
        to_actor: to.into(),
        kind: kind.into(),
        since: Some(format!("{year}-{:02}-01", 1 + rng.below(12))),
        until: None,
        holder: holder.map(str::to_string),
        last_contact: Some(format!(
            "2026-{:02}-{:02}",
            1 + rng.below(11),
            1 + rng.below(28)
        )),
        channel: Some(
            [
                "in-person",
                "phone",
                "secure-messaging",
                "email",
                "intermediary",
            ][rng.below(5) as usize]
                .into(),
        ),
        source: source.into(),
        classification: classification.into(),
        compartment: compartment.map(str::to_string),
    }
}

/// Seeds the network once (skipped when the coordinator already sees actors).
pub async fn seed(coordinator: &Access) -> Result<()> {
    if coordinator
        .list_actors(&Default::default(), 1, 0)
        .await?
        .total
        > 0
    {
        return Ok(());
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ours = Vec::new();
    for (name, country) in OURS {
        ours.push(
            coordinator
                .create_actor(&actor(
                    name,
                    "organisation",
                    "ours",
                    country,
                    "Part of the Dutch mediation effort.",
                    "internal",
                    None,
                ))
                .await?
                .id,
        );
    }
    let mut intl: HashMap<&str, String> = HashMap::new();
    for (name, category, country) in INTERNATIONAL {
        let a = coordinator
            .create_actor(&actor(
                name,
                "organisation",
                category,
                country,
                "International mediation actor.",
                "public",
                None,
            ))
            .await?;
        intl.insert(name, a.id);
    }
    // International ties held by the unit.
    for (i, id) in intl.values().enumerate() {
        let from = &ours[i % 2];
        coordinator
            .create_relationship(&rel(
                from,
                id,
                "knows",
                &mut rng,
                Some("coordinator"),
                "internal",
                None,
                "Unit contacts",
            ))
            .await?;
    }
    for (ci, c) in CONTEXTS.iter().enumerate() {
        let mission = &ours[(ci % (OURS.len() - 1)) + 1];
        let mut parties = Vec::new();
        for p in c.parties {
            parties.push(
                coordinator
                    .create_actor(&actor(
                        p,
                        "organisation",
                        "conflict-party",
                        c.country,
                        &format!("Party to the {} process.", c.key),
                        c.classification,
                        c.compartment,
                    ))
                    .await?
                    .id,
            );
        }
        let mut persons: Vec<String> = Vec::new();
        for n in 0..c.persons {
            let name = format!("{} {}", rng.pick(c.first), rng.pick(c.last));
            let category = [
                "civil-society",
                "mediator",
                "conflict-party",
                "academic",
                "civil-society",
                "conflict-party",
            ][(n + ci) % 6];
            let classification = if n % 7 == 3 && c.classification == "internal" {
                "confidential"
            } else {
                c.classification
            };
            let a = coordinator
                .create_actor(&actor(
                    &name,
                    "person",
                    category,
                    c.country,
                    &format!("{} context: {}.", c.key, category.replace('-', " ")),
                    classification,
                    c.compartment,
                ))
                .await?;
            // Members of parties; a few represent them in talks.
            if category == "conflict-party" {
                let party = &parties[n % parties.len()];
                let kind = if n % 4 == 0 {
                    "represents"
                } else {
                    "member-of"
                };
                coordinator
                    .create_relationship(&rel(
                        &a.id,
                        party,
                        kind,
                        &mut rng,
                        None,
                        c.classification,
                        c.compartment,
                        "Open sources",
                    ))
                    .await?;
            }
            persons.push(a.id);
        }
        // Who knows whom inside the context: a sparse small world.
        for i in 0..persons.len() {
            for j in [1usize, 3, 7] {
                if rng.below(3) > 0 {
                    let other = &persons[(i + j) % persons.len()];
                    coordinator
                        .create_relationship(&rel(
                            &persons[i],
                            other,
                            "knows",
                            &mut rng,
                            None,
                            c.classification,
                            c.compartment,
                            "Field reporting",
                        ))
                        .await?;
                }
            }
        }
        // Our mission knows a few people directly; the international mediators know others.
        for p in persons.iter().step_by(6) {
            coordinator
                .create_relationship(&rel(
                    mission,
                    p,
                    "knows",
                    &mut rng,
                    Some("desk-officer"),
                    c.classification,
                    c.compartment,
                    "Embassy reporting",
                ))
                .await?;
        }
        let envoy = match c.key {
            "Sudan" | "Nile basin" => "Office of the UN Personal Envoy for Sudan",
            "Yemen" => "Office of the UN Special Envoy for Yemen",
            "Colombia" => "Norwegian MFA, Section for Peace and Reconciliation",
            "Myanmar" => "Centre for Humanitarian Dialogue (HD)",
            "Central Sahel" => "Crisis Management Initiative (CMI)",
            "Black Sea" => "Qatar MFA, mediation office",
            _ => "Berghof Foundation",
        };
        for p in &parties {
            coordinator
                .create_relationship(&rel(
                    &intl[envoy],
                    p,
                    "negotiates-with",
                    &mut rng,
                    None,
                    c.classification,
                    c.compartment,
                    "Mediator debrief",
                ))
                .await?;
        }
        for p in persons.iter().skip(2).step_by(5) {
            coordinator
                .create_relationship(&rel(
                    &intl[envoy],
                    p,
                    "advises",
                    &mut rng,
                    None,
                    c.classification,
                    c.compartment,
                    "Mediator debrief",
                ))
                .await?;
        }
    }
    Ok(())
}

/// A few journal entries per process the coordinator files, with participants from the
/// process's countries (idempotent: skipped when a process already has entries).
pub async fn seed_engagements(coordinator: &Access) -> Result<()> {
    use grotius_domain::process::EngagementInput;
    const KINDS: [&str; 4] = ["meeting", "call", "workshop", "visit"];
    const SUMMARIES: [&str; 4] = [
        "Exchanged views on sequencing a ceasefire and humanitarian access; both sides asked for technical options.",
        "Follow-up call on the agenda of the next round; agreed to share a non-paper on monitoring.",
        "Two-day session with civil-society and women's groups on priorities for the talks.",
        "Visit to the mediation team to coordinate support with the UN and EU envoys.",
    ];
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    for p in processes.items {
        if !coordinator.list_engagements(&p.id).await?.is_empty() {
            continue;
        }
        let people = match p.countries.first() {
            Some(c) => {
                coordinator
                    .list_actors(
                        &grotius_store::ActorFilter {
                            country: Some(c.clone()),
                            ..Default::default()
                        },
                        500,
                        0,
                    )
                    .await?
                    .items
            }
            None => Vec::new(),
        };
        for n in 0..3u64 {
            let participants: Vec<String> = people
                .iter()
                .filter(|a| {
                    a.labels.compartment == p.labels.compartment
                        && a.labels.classification <= p.labels.classification
                })
                .skip(rng.below(6) as usize)
                .step_by(3)
                .take(3)
                .map(|a| a.id.clone())
                .collect();
            coordinator
                .create_engagement(
                    &p.id,
                    &EngagementInput {
                        date: format!(
                            "2026-{:02}-{:02}",
                            3 + 3 * n + rng.below(2),
                            1 + rng.below(27)
                        ),
                        kind: KINDS[((n + rng.below(2)) % 4) as usize].into(),
                        track: p.tracks[0].clone(),
                        place: [
                            "Addis Ababa",
                            "Geneva",
                            "The Hague",
                            "Nairobi",
                            "Muscat",
                            "online",
                        ][rng.below(6) as usize]
                            .into(),
                        participants,
                        summary: SUMMARIES[(n % 4) as usize].into(),
                        notes: if n == 0 {
                            "Sensitive: do not share the attendance list outside the unit.".into()
                        } else {
                            String::new()
                        },
                        classification: p.labels.classification.as_str().into(),
                        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
                    },
                )
                .await?;
        }
    }
    Ok(())
}
