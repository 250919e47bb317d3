//! Demo data of the roster: 56 fictional experts with varied attributes (half of them women,
//! some in women mediators' networks, a few filed in compartments) and requests for support in
//! every state of the workflow. Idempotent: what exists (by name or title) is left alone.

use anyhow::Result;
use grotius_domain::roster::{ExpertInput, RequestInput};
use grotius_store::{Access, ExpertFilter, RequestFilter};

const WOMEN: &[&str] = &[
    "Amina Yusuf",
    "Hala Saeed",
    "Nyaluak Deng",
    "Marta Ferreira",
    "Ingrid Solberg",
    "Leila Haddad",
    "Chipo Banda",
    "Saskia de Vries",
    "Rosa Quintero",
    "Fatoumata Diallo",
    "Olena Kovalenko",
    "Aisha Rahman",
    "Mariam Tesfaye",
    "Khin Myat Noe",
    "Laura Mejía",
    "Zainab Bello",
    "Elif Yılmaz",
    "Grace Achieng",
    "Noor Al-Hakim",
    "Beatriz Santos",
    "Tamar Beridze",
    "Hanna Lindqvist",
    "Salma Mohamed",
    "Anouk Jansen",
    "Esperanza Ruiz",
    "Rahel Gebru",
    "Maryam Farouk",
    "Ayaan Warsame",
];

const MEN: &[&str] = &[
    "Omar Abdelrahman",
    "Deng Garang",
    "João Macuácua",
    "Pieter van Dam",
    "Carlos Restrepo",
    "Ahmed Al-Sharabi",
    "Moussa Traoré",
    "Lars Eriksen",
    "Yaw Mensah",
    "Andriy Melnyk",
    "Tun Aung",
    "Karim Benali",
    "Thomas Müller",
    "Luis Fernández",
    "Ibrahim Musa",
    "Samuel Okello",
    "Hamid Karimi",
    "Jan Bakker",
    "Mateo Gómez",
    "Abdullahi Hassan",
    "Nikolai Petrov",
    "Kofi Asante",
    "Ruben Visser",
    "Yusuf Adan",
    "Emmanuel Nkurunziza",
    "David Cohen",
    "Arturo Vargas",
    "Tariq Mahmoud",
];

const EXPERTISE: &[&str] = &[
    "process-design",
    "ceasefire-security",
    "power-sharing",
    "constitution-making",
    "gender-inclusion",
    "natural-resources-water",
    "transitional-justice",
    "mhpss",
];

/// (languages, regions) profiles that fit the unit's files.
const PROFILES: &[(&[&str], &[&str])] = &[
    (&["ar", "en"], &["Northern Africa", "SD"]),
    (&["en", "ar"], &["Eastern Africa", "SS"]),
    (&["ar", "en", "fr"], &["Western Asia", "YE"]),
    (&["es", "en"], &["Latin America and the Caribbean", "CO"]),
    (&["pt", "en"], &["Eastern Africa", "MZ"]),
    (&["fr", "en"], &["Western Africa", "ML", "BF"]),
    (&["uk", "ru", "en"], &["Eastern Europe", "UA"]),
    (&["my", "en"], &["South-eastern Asia", "MM"]),
    (&["en", "nl", "fr"], &["Western Europe"]),
    (&["so", "ar", "en"], &["Eastern Africa", "SO"]),
];

const TRACKS: &[&[&str]] = &[
    &["I", "1.5"],
    &["1.5", "II"],
    &["II", "III"],
    &["I"],
    &["III"],
];

const NETWORKS: &[&str] = &[
    "FemWise-Africa",
    "Nordic Women Mediators",
    "Mediterranean Women Mediators Network",
    "Women Mediators across the Commonwealth",
    "Southeast Asian Network of Women Peace Negotiators",
];

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn expert(i: usize, name: &str, female: bool) -> ExpertInput {
    let (languages, regions) = PROFILES[i % PROFILES.len()];
    let e1 = EXPERTISE[i % EXPERTISE.len()];
    let e2 = EXPERTISE[(i * 3 + 1) % EXPERTISE.len()];
    let mut expertise = vec![e1.to_string()];
    if e2 != e1 {
        expertise.push(e2.to_string());
    }
    // Availability windows spread over 2026 and 2027.
    let start = 1 + (i % 12) as u32;
    let end = (start + 2 + (i % 3) as u32).min(12);
    let year = if i % 4 == 3 { 2027 } else { 2026 };
    let last_day = match end {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let availability = vec![format!("{year}-{start:02}-01/{year}-{end:02}-{last_day}")];
    let mut conflicts = Vec::new();
    if i % 9 == 4 {
        conflicts.push(format!(
            "{}: advised one of the parties until 2023",
            regions.last().copied().unwrap_or("SD")
        ));
    }
    if i % 13 == 7 {
        conflicts.push("Nile Basin Mining Company: former board member".to_string());
    }
    let network_member = female && i.is_multiple_of(3);
    // A few experts are filed in compartments: their names and roles are need-to-know.
    let (classification, compartment) = match i % 14 {
        5 => ("confidential", Some("yemen")),
        11 => ("confidential", Some("horn-of-africa")),
        8 => ("confidential", None),
        _ => ("internal", None),
    };
    let clearance = ["internal", "confidential", "secret", "confidential"][i % 4];
    ExpertInput {
        name: name.to_string(),
        sex: if female { "female" } else { "male" }.to_string(),
        expertise,
        languages: s(languages),
        regions: s(regions),
        tracks: s(TRACKS[i % TRACKS.len()]),
        availability,
        conflicts,
        clearance: clearance.to_string(),
        network_member,
        network_name: network_member.then(|| NETWORKS[i % NETWORKS.len()].to_string()),
        deployments: vec![format!(
            "{} ({}), {} expert",
            [
                "Juba", "Khartoum", "Bogotá", "Maputo", "Aden", "Bamako", "Geneva"
            ][i % 7],
            2015 + (i % 9),
            e1
        )],
        classification: classification.to_string(),
        compartment: compartment.map(str::to_string),
    }
}

struct DemoRequest {
    title: &'static str,
    requester: &'static str,
    request_type: &'static str,
    modality: &'static str,
    urgency: &'static str,
    countries: &'static [&'static str],
    expertise: &'static [&'static str],
    languages: &'static [&'static str],
    track: Option<&'static str>,
    dates: (&'static str, &'static str),
    /// The path through the workflow to the demo state.
    path: &'static [&'static str],
    classification: &'static str,
    compartment: Option<&'static str>,
    /// How many of the best matches to deploy.
    team: usize,
}

const REQUESTS: &[DemoRequest] = &[
    DemoRequest {
        title: "Ceasefire monitoring adviser for the Jeddah facilitators",
        requester: "Embassy Riyadh",
        request_type: "advisory",
        modality: "in-person",
        urgency: "immediate",
        countries: &["SD"],
        expertise: &["ceasefire-security"],
        languages: &["ar", "en"],
        track: Some("I"),
        dates: ("2026-03-01", "2026-04-15"),
        path: &[],
        classification: "confidential",
        compartment: Some("horn-of-africa"),
        team: 0,
    },
    DemoRequest {
        title: "Gender sub-commission: experts on conflict-related sexual violence",
        requester: "EU Special Envoy for Colombia",
        request_type: "advisory",
        modality: "in-person",
        urgency: "urgent",
        countries: &["CO"],
        expertise: &["gender-inclusion", "transitional-justice"],
        languages: &["es"],
        track: Some("I"),
        dates: ("2026-05-01", "2026-06-30"),
        path: &["decision"],
        classification: "internal",
        compartment: None,
        team: 0,
    },
    DemoRequest {
        title: "Water-sharing dialogue facilitation, Taiz",
        requester: "Office of the UN Special Envoy for Yemen",
        request_type: "advisory",
        modality: "remote",
        urgency: "routine",
        countries: &["YE"],
        expertise: &["natural-resources-water", "process-design"],
        languages: &["ar"],
        track: Some("III"),
        dates: ("2026-02-01", "2026-03-31"),
        path: &["decision", "deployment"],
        classification: "confidential",
        compartment: Some("yemen"),
        team: 2,
    },
    DemoRequest {
        title: "Psychosocial support training for community mediators, Cabo Delgado",
        requester: "Embassy Maputo",
        request_type: "training",
        modality: "in-person",
        urgency: "routine",
        countries: &["MZ"],
        expertise: &["mhpss"],
        languages: &["pt"],
        track: Some("III"),
        dates: ("2026-01-10", "2026-02-20"),
        path: &["decision", "deployment", "closure"],
        classification: "internal",
        compartment: None,
        team: 2,
    },
    DemoRequest {
        title: "Coaching for women mediators across ethnic armed organisations",
        requester: "Myanmar women mediators' network",
        request_type: "coaching",
        modality: "remote",
        urgency: "routine",
        countries: &["MM"],
        expertise: &["gender-inclusion"],
        languages: &["my", "en"],
        track: Some("II"),
        dates: ("2026-06-01", "2026-09-30"),
        path: &["rejected"],
        classification: "internal",
        compartment: None,
        team: 0,
    },
    DemoRequest {
        title: "Logistics for a Sahel farmer–herder dialogue",
        requester: "Sahel Dialogue Initiative",
        request_type: "logistical",
        modality: "in-person",
        urgency: "urgent",
        countries: &["ML", "BF"],
        expertise: &["process-design"],
        languages: &["fr"],
        track: Some("III"),
        dates: ("2026-04-01", "2026-04-30"),
        path: &["decision", "rejected"],
        classification: "public",
        compartment: None,
        team: 0,
    },
    DemoRequest {
        title: "Constitution-making options paper, South Sudan",
        requester: "EU Special Representative for the Horn of Africa",
        request_type: "advisory",
        modality: "remote",
        urgency: "routine",
        countries: &["SS"],
        expertise: &["constitution-making", "power-sharing"],
        languages: &["en"],
        track: Some("I"),
        dates: ("2026-07-01", "2026-08-31"),
        path: &["decision", "deployment"],
        classification: "internal",
        compartment: None,
        team: 3,
    },
];

/// Seeds the roster through the demo coordinator (idempotent).
pub async fn seed(coordinator: &Access) -> Result<()> {
    let have = coordinator
        .list_experts(&ExpertFilter::default(), 500, 0)
        .await?;
    let named = |n: &str| have.items.iter().any(|e| e.name == n);
    let mut k = 0usize;
    for i in 0..WOMEN.len().max(MEN.len()) {
        for (list, female) in [(WOMEN, true), (MEN, false)] {
            if let Some(name) = list.get(i) {
                if !named(name) {
                    coordinator.create_expert(&expert(k, name, female)).await?;
                }
                k += 1;
            }
        }
    }
    let requests = coordinator
        .list_requests(&RequestFilter::default(), 500, 0)
        .await?;
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    for r in REQUESTS {
        if requests.items.iter().any(|x| x.title == r.title) {
            continue;
        }
        // Link to the demo process of the same country, when there is one.
        let process_id = processes
            .items
            .iter()
            .find(|p| {
                r.countries
                    .iter()
                    .any(|c| p.countries.iter().any(|x| x == c))
            })
            .filter(|p| p.labels.compartment.as_ref().map(|c| c.as_str()) == r.compartment)
            .map(|p| p.id.clone());
        let created = coordinator
            .create_request(&RequestInput {
                title: r.title.into(),
                requester: r.requester.into(),
                process_id,
                request_type: r.request_type.into(),
                modality: r.modality.into(),
                urgency: r.urgency.into(),
                countries: s(r.countries),
                expertise: s(r.expertise),
                languages: s(r.languages),
                track: r.track.map(str::to_string),
                start_date: Some(r.dates.0.into()),
                end_date: Some(r.dates.1.into()),
                summary: format!("Request from {} ({}).", r.requester, r.request_type),
                notes: String::new(),
                classification: r.classification.into(),
                compartment: r.compartment.map(str::to_string),
            })
            .await?;
        for (step, to) in r.path.iter().enumerate() {
            if *to == "deployment" && r.team > 0 {
                let matches = coordinator.match_request(&created.id, r.team).await?;
                for c in matches {
                    coordinator.assign_expert(&created.id, &c.expert_id).await?;
                }
            }
            let note = if step == 0 {
                "demo: triaged by the unit"
            } else {
                ""
            };
            coordinator
                .transition_request(&created.id, to, note)
                .await?;
        }
    }
    Ok(())
}
