//! Demo incidents in two contexts — Sudan (El Fasher, North Darfur) in `evidence-sudan` and
//! Yemen (Taiz) in `evidence-yemen` — with acts, persons in every role (pseudonyms; the few
//! identities are invented), ratings, verification states and links to the demo evidence. All
//! text is invented for the demo; no real victim is named.

use super::act_as;
use anyhow::Result;
use grotius_domain::incident::{
    Act, AidAttack, IncidentInput, PersonIdentity, PersonInput, VictimCount,
};
use grotius_store::Store;

fn victims(rows: &[(&str, &str, &str, i64, i64, i64)]) -> Vec<VictimCount> {
    rows.iter()
        .map(|(sex, age, status, k, i, o)| VictimCount {
            sex: (*sex).into(),
            age_group: (*age).into(),
            status: (*status).into(),
            killed: *k,
            injured: *i,
            other: *o,
        })
        .collect()
}

fn an_act(violation: &str, v: Vec<VictimCount>, source: &str, rel: &str, cred: &str) -> Act {
    Act {
        violation: violation.into(),
        victims: v,
        source: source.into(),
        reliability: rel.into(),
        credibility: cred.into(),
    }
}

struct Demo {
    title: &'static str,
    description: &'static str,
    date: &'static str,
    precision: &'static str,
    place: &'static str,
    admin: &'static str,
    point: Option<(f64, f64)>,
    country: &'static str,
    context: &'static str,
    rating: (&'static str, &'static str),
    acts: Vec<Act>,
    aid: Option<AidAttack>,
    compartment: &'static str,
    classification: &'static str,
    /// How far to move verification: 0 reported, 1 plausible, 2 verified.
    verify: usize,
}

fn incidents() -> Vec<Demo> {
    let fasher = "Sudan — El Fasher, North Darfur";
    let taiz = "Yemen — Taiz";
    vec![
        Demo {
            title: "Shelling of the Naivasha market, El Fasher",
            description: "Several shells struck the main market at mid-morning when it was crowded. Witnesses describe stalls on fire and people carried to the Saudi hospital. Invented demo account.",
            date: "2024-05-11T10:40",
            precision: "exact",
            place: "Naivasha market",
            admin: "El Fasher, North Darfur",
            point: Some((13.6280, 25.3490)),
            country: "SD",
            context: fasher,
            rating: ("B", "2"),
            acts: vec![
                an_act(
                    "attack-on-civilians",
                    victims(&[
                        ("female", "adult", "civilian", 4, 9, 0),
                        ("male", "adult", "civilian", 7, 12, 0),
                        ("unknown", "child", "civilian", 3, 6, 0),
                    ]),
                    "S-0003; local monitors' network",
                    "B",
                    "2",
                ),
                an_act(
                    "destruction-of-property",
                    Vec::new(),
                    "Satellite imagery comparison (demo)",
                    "A",
                    "2",
                ),
            ],
            aid: None,
            compartment: "evidence-sudan",
            classification: "confidential",
            verify: 2,
        },
        Demo {
            title: "Strike near the Saudi hospital, El Fasher",
            description: "An explosion damaged the outpatient wing; patients were moved to the corridors. Invented demo account.",
            date: "2024-06-08",
            precision: "day",
            place: "Saudi hospital",
            admin: "El Fasher, North Darfur",
            point: Some((13.6312, 25.3560)),
            country: "SD",
            context: fasher,
            rating: ("B", "3"),
            acts: vec![an_act(
                "attack-on-medical",
                victims(&[("unknown", "adult", "civilian", 2, 5, 0)]),
                "Hospital staff (S-0004)",
                "B",
                "3",
            )],
            aid: None,
            compartment: "evidence-sudan",
            classification: "confidential",
            verify: 1,
        },
        Demo {
            title: "Aid convoy stopped and a driver abducted on the Tawila road",
            description: "A convoy of three trucks was stopped at an improvised checkpoint; one national driver was taken and released nine days later. Invented demo account.",
            date: "2024-07",
            precision: "month",
            place: "Road to Tawila",
            admin: "Tawila, North Darfur",
            point: None,
            country: "SD",
            context: fasher,
            rating: ("C", "3"),
            acts: vec![an_act(
                "attack-on-aid-workers",
                victims(&[("male", "adult", "civilian", 0, 0, 1)]),
                "Implementing partner incident report",
                "C",
                "3",
            )],
            aid: Some(AidAttack {
                org_types: vec!["lngo".into()],
                nationals_kidnapped: 1,
                means: "kidnapping".into(),
                context: "ambush".into(),
                ..Default::default()
            }),
            compartment: "evidence-sudan",
            classification: "confidential",
            verify: 1,
        },
        Demo {
            title: "Detention of young men at a checkpoint north of Abu Shouk",
            description: "Residents report that men of fighting age were taken from a minibus; families have no news. Invented demo account.",
            date: "2024-05-20",
            precision: "day",
            place: "Checkpoint north of Abu Shouk camp",
            admin: "El Fasher, North Darfur",
            point: None,
            country: "SD",
            context: fasher,
            rating: ("C", "3"),
            acts: vec![
                an_act(
                    "arbitrary-detention",
                    victims(&[("male", "adult", "civilian", 0, 0, 6)]),
                    "Family members (S-0007)",
                    "C",
                    "3",
                ),
                an_act(
                    "enforced-disappearance",
                    victims(&[("male", "adult", "civilian", 0, 0, 2)]),
                    "Family members (S-0007)",
                    "D",
                    "4",
                ),
            ],
            aid: None,
            compartment: "evidence-sudan",
            classification: "secret",
            verify: 0,
        },
        Demo {
            title: "Sexual violence during the raid on Zamzam outskirts",
            description: "Survivors interviewed by a women's organisation describe assaults during a night raid. Details are with the custodian only. Invented demo account.",
            date: "2024-04",
            precision: "month",
            place: "Outskirts of Zamzam camp",
            admin: "North Darfur",
            point: None,
            country: "SD",
            context: fasher,
            rating: ("B", "2"),
            acts: vec![an_act(
                "sexual-violence",
                victims(&[
                    ("female", "adult", "civilian", 0, 0, 5),
                    ("female", "child", "civilian", 0, 0, 2),
                ]),
                "Women's organisation (S-0009)",
                "B",
                "2",
            )],
            aid: None,
            compartment: "evidence-sudan",
            classification: "secret",
            verify: 1,
        },
        Demo {
            title: "Families displaced from the western neighbourhoods",
            description: "After days of fighting, hundreds of families left for Tawila on foot. Invented demo account.",
            date: "2024",
            precision: "year",
            place: "",
            admin: "El Fasher, North Darfur",
            point: None,
            country: "SD",
            context: fasher,
            rating: ("B", "2"),
            acts: vec![an_act(
                "forced-displacement",
                victims(&[("unknown", "unknown", "civilian", 0, 0, 1200)]),
                "Displacement tracking (demo)",
                "B",
                "2",
            )],
            aid: None,
            compartment: "evidence-sudan",
            classification: "confidential",
            verify: 2,
        },
        Demo {
            title: "School hit by artillery in Al-Qahira district, Taiz",
            description: "Rounds landed in the courtyard of a primary school during the break. Invented demo account.",
            date: "2023-11-14",
            precision: "day",
            place: "Primary school, Al-Qahira",
            admin: "Al-Qahira, Taiz",
            point: Some((13.5790, 44.0210)),
            country: "YE",
            context: taiz,
            rating: ("B", "2"),
            acts: vec![an_act(
                "attack-on-schools",
                victims(&[
                    ("unknown", "child", "civilian", 2, 7, 0),
                    ("female", "adult", "civilian", 0, 1, 0),
                ]),
                "Teachers (S-0012)",
                "B",
                "2",
            )],
            aid: None,
            compartment: "evidence-yemen",
            classification: "confidential",
            verify: 2,
        },
        Demo {
            title: "Sniper fire on the road to the water point, Taiz",
            description: "Women fetching water were shot at on the crossing road. Invented demo account.",
            date: "2023-09",
            precision: "month",
            place: "Crossing road to the water point",
            admin: "Salah, Taiz",
            point: None,
            country: "YE",
            context: taiz,
            rating: ("C", "2"),
            acts: vec![an_act(
                "attack-on-civilians",
                victims(&[
                    ("female", "adult", "civilian", 1, 2, 0),
                    ("unknown", "child", "civilian", 0, 1, 0),
                ]),
                "Local health workers",
                "C",
                "2",
            )],
            aid: None,
            compartment: "evidence-yemen",
            classification: "confidential",
            verify: 1,
        },
        Demo {
            title: "Humanitarian trucks held at the eastern crossing, Taiz",
            description: "Food trucks were held for eleven days at a crossing point and part of the cargo spoiled. Invented demo account.",
            date: "2023-08-02",
            precision: "day",
            place: "Eastern crossing",
            admin: "Taiz",
            point: None,
            country: "YE",
            context: taiz,
            rating: ("B", "3"),
            acts: vec![an_act(
                "denial-of-access",
                Vec::new(),
                "Humanitarian access working group (demo)",
                "B",
                "3",
            )],
            aid: Some(AidAttack {
                org_types: vec!["un".into(), "ingo".into()],
                means: "obstruction".into(),
                context: "checkpoint".into(),
                ..Default::default()
            }),
            compartment: "evidence-yemen",
            classification: "confidential",
            verify: 0,
        },
        Demo {
            title: "Boys recruited at a mosque in Maqbanah district",
            description: "Parents report recruiters offering money to boys after Friday prayers. Invented demo account.",
            date: "2023",
            precision: "year",
            place: "",
            admin: "Maqbanah, Taiz",
            point: None,
            country: "YE",
            context: taiz,
            rating: ("D", "3"),
            acts: vec![an_act(
                "child-recruitment",
                victims(&[("male", "child", "combatant", 0, 0, 4)]),
                "Parents (S-0015)",
                "D",
                "3",
            )],
            aid: None,
            compartment: "evidence-yemen",
            classification: "secret",
            verify: 0,
        },
        Demo {
            title: "Detainee describes ill-treatment in an informal prison, Taiz",
            description: "A released detainee describes beatings during interrogation. Invented demo account.",
            date: "2022-12",
            precision: "month",
            place: "Informal detention site",
            admin: "Taiz",
            point: None,
            country: "YE",
            context: taiz,
            rating: ("C", "3"),
            acts: vec![
                an_act(
                    "torture",
                    victims(&[("male", "adult", "civilian", 0, 1, 0)]),
                    "Former detainee (S-0017)",
                    "C",
                    "3",
                ),
                an_act(
                    "arbitrary-detention",
                    victims(&[("male", "adult", "civilian", 0, 0, 1)]),
                    "Former detainee (S-0017)",
                    "C",
                    "2",
                ),
            ],
            aid: None,
            compartment: "evidence-yemen",
            classification: "secret",
            verify: 1,
        },
        Demo {
            title: "Clinic looted in Jabal Habashi",
            description: "Medicines and a generator were taken from a rural clinic at night. Invented demo account.",
            date: "2024-02-19",
            precision: "day",
            place: "Rural clinic",
            admin: "Jabal Habashi, Taiz",
            point: None,
            country: "YE",
            context: taiz,
            rating: ("B", "2"),
            acts: vec![an_act(
                "attack-on-medical",
                Vec::new(),
                "Clinic staff",
                "B",
                "2",
            )],
            aid: None,
            compartment: "evidence-yemen",
            classification: "confidential",
            verify: 2,
        },
    ]
}

/// Seeds the incidents once (does nothing when the custodian already sees incidents).
pub async fn seed(store: &Store) -> Result<()> {
    let op = store.cli_operator();
    if !op
        .list_compartments()
        .await?
        .iter()
        .any(|c| c.id == "evidence-yemen")
    {
        op.create_compartment(
            "evidence-yemen",
            "Evidence: Yemen",
            "Evidence and incidents of Yemen (Taiz); documenters, custodian and legal adviser.",
            grotius_domain::separation::WorkDomain::Evidence,
        )
        .await?;
        for name in ["documenter", "custodian", "legal-adviser"] {
            let id = op.find_user_id(name).await?;
            op.add_member("evidence-yemen", &id, "demo: evidence team")
                .await?;
        }
    }
    let documenter = act_as(store, "documenter").await?;
    let custodian = act_as(store, "custodian").await?;
    if custodian
        .list_incidents(&Default::default(), 1, 0)
        .await?
        .total
        > 0
    {
        return Ok(());
    }
    let evidence = custodian.evidence_list(&Default::default(), 100, 0).await?;
    let mut ids = Vec::new();
    for d in incidents() {
        let input = IncidentInput {
            title: d.title.into(),
            description: d.description.into(),
            date: d.date.into(),
            date_precision: d.precision.into(),
            place: d.place.into(),
            admin_area: d.admin.into(),
            place_precision: if d.point.is_some() { "point" } else { "admin" }.into(),
            lat: d.point.map(|p| p.0),
            lon: d.point.map(|p| p.1),
            country: Some(d.country.into()),
            context: d.context.into(),
            reliability: d.rating.0.into(),
            credibility: d.rating.1.into(),
            acts: d.acts,
            aid: d.aid,
            classification: d.classification.into(),
            compartment: Some(d.compartment.into()),
        };
        let i = documenter.create_incident(&input).await?;
        for (step, to) in ["plausible", "verified"].iter().enumerate() {
            if step < d.verify {
                custodian
                    .verify_incident(&i.id, to, "Cross-checked against a second source (demo).")
                    .await?;
            }
        }
        ids.push(i.id);
    }
    // Persons in every role, with consent and risk; a few with an (invented) identity.
    let person = |role: &str,
                  consent: &str,
                  risk: &str,
                  sex: &str,
                  age: &str,
                  ident: Option<(&str, &str)>| PersonInput {
        role: role.into(),
        actor_id: None,
        consent: consent.into(),
        risk: risk.into(),
        sex: sex.into(),
        age_group: age.into(),
        reliability: if role == "source" { "B" } else { "F" }.into(),
        credibility: if role == "source" { "2" } else { "6" }.into(),
        identity: ident.map(|(name, contact)| PersonIdentity {
            name: name.into(),
            contact: contact.into(),
            details: "Invented demo identity.".into(),
        }),
    };
    let plan: [(usize, PersonInput); 10] = [
        (
            0,
            person(
                "victim",
                "given",
                "medium",
                "female",
                "adult",
                Some(("Demo Person Amal", "via the women's organisation")),
            ),
        ),
        (
            0,
            person(
                "source",
                "given",
                "high",
                "male",
                "adult",
                Some(("Demo Witness Idris", "+000 0000 0001")),
            ),
        ),
        (
            0,
            person(
                "perpetrator",
                "not-sought",
                "low",
                "unknown",
                "unknown",
                None,
            ),
        ),
        (
            1,
            person(
                "source",
                "given",
                "high",
                "female",
                "adult",
                Some(("Demo Nurse Hawa", "+000 0000 0002")),
            ),
        ),
        (
            2,
            person("victim", "withdrawn", "high", "male", "adult", None),
        ),
        (
            2,
            person("intervening", "given", "low", "unknown", "unknown", None),
        ),
        (
            3,
            person(
                "source",
                "given",
                "high",
                "female",
                "elderly",
                Some(("Demo Mother Zahra", "via camp committee")),
            ),
        ),
        (
            6,
            person(
                "source",
                "given",
                "medium",
                "male",
                "adult",
                Some(("Demo Teacher Salem", "+000 0000 0003")),
            ),
        ),
        (
            6,
            person("victim", "given", "low", "unknown", "child", None),
        ),
        (
            10,
            person("source", "unknown", "high", "male", "adult", None),
        ),
    ];
    for (i, p) in plan {
        documenter.add_incident_person(&ids[i], &p).await?;
    }
    // Link the market and hospital incidents to the demo evidence items of the Sudan vault.
    for item in &evidence.items {
        let t = item.capture.title.to_lowercase();
        let target = if t.contains("market") || t.contains("post") {
            Some(&ids[0])
        } else if t.contains("nurse") || t.contains("voice") || t.contains("hospital") {
            Some(&ids[1])
        } else {
            None
        };
        if let Some(incident) = target {
            custodian.link_incident_evidence(incident, &item.id).await?;
        }
    }
    Ok(())
}
