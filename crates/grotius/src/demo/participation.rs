//! Demo participation records (WPS) for every demo process: fictional but plausible — few women
//! among signatories and heads of delegation, more among advisers and observers, civil-society
//! tracks more balanced than Track I, and some sex not recorded.

use anyhow::Result;
use grotius_domain::participation::ParticipationInput;
use grotius_store::Access;

/// (role, sex, seniority, party, round index, count). Sex: F, M, ? (not recorded).
type Rec = (&'static str, char, &'static str, &'static str, usize, i64);

struct Demo {
    title_prefix: &'static str,
    rounds: &'static [(&'static str, &'static str)],
    records: &'static [Rec],
}

const DEMO: &[Demo] = &[
    Demo {
        title_prefix: "Sudan: ceasefire",
        rounds: &[
            ("Jeddah round 1", "2023-05-06"),
            ("Jeddah round 2", "2023-10-26"),
        ],
        records: &[
            (
                "delegate",
                'M',
                "head",
                "Sudanese Armed Forces delegation",
                0,
                1,
            ),
            (
                "delegate",
                'M',
                "senior",
                "Sudanese Armed Forces delegation",
                0,
                4,
            ),
            (
                "delegate",
                'M',
                "mid",
                "Sudanese Armed Forces delegation",
                0,
                3,
            ),
            (
                "delegate",
                'M',
                "head",
                "Rapid Support Forces delegation",
                0,
                1,
            ),
            (
                "delegate",
                'M',
                "senior",
                "Rapid Support Forces delegation",
                0,
                5,
            ),
            (
                "delegate",
                'F',
                "junior",
                "Rapid Support Forces delegation",
                0,
                1,
            ),
            ("mediator", 'M', "head", "Saudi and US facilitators", 0, 2),
            ("mediator", 'F', "senior", "Saudi and US facilitators", 0, 1),
            ("signatory", 'M', "head", "Parties and facilitators", 0, 4),
            ("adviser", 'F', "senior", "Facilitation support team", 0, 2),
            ("adviser", 'M', "senior", "Facilitation support team", 0, 2),
            ("observer", 'F', "senior", "African Union and IGAD", 0, 1),
            ("observer", 'M', "senior", "African Union and IGAD", 0, 3),
            (
                "delegate",
                'M',
                "head",
                "Sudanese Armed Forces delegation",
                1,
                1,
            ),
            (
                "delegate",
                'M',
                "senior",
                "Sudanese Armed Forces delegation",
                1,
                5,
            ),
            (
                "delegate",
                'F',
                "mid",
                "Sudanese Armed Forces delegation",
                1,
                1,
            ),
            (
                "delegate",
                'M',
                "head",
                "Rapid Support Forces delegation",
                1,
                1,
            ),
            (
                "delegate",
                'M',
                "senior",
                "Rapid Support Forces delegation",
                1,
                4,
            ),
            ("mediator", 'M', "head", "Saudi and US facilitators", 1, 2),
            ("mediator", 'F', "senior", "Saudi and US facilitators", 1, 1),
            ("mediator", 'M', "senior", "Saudi and US facilitators", 1, 2),
            ("adviser", 'F', "senior", "Facilitation support team", 1, 3),
            ("adviser", 'M', "mid", "Facilitation support team", 1, 1),
            ("observer", 'F', "senior", "African Union and IGAD", 1, 2),
            ("observer", 'M', "senior", "African Union and IGAD", 1, 3),
        ],
    },
    Demo {
        title_prefix: "Sudan: civilian dialogue",
        rounds: &[
            ("Kampala workshop", "2025-02-18"),
            ("Nairobi consultation", "2025-06-10"),
        ],
        records: &[
            ("delegate", 'F', "senior", "Women's groups", 0, 6),
            ("delegate", 'F', "mid", "Resistance committees", 0, 4),
            ("delegate", 'M', "senior", "Political parties", 0, 7),
            ("delegate", 'M', "mid", "Resistance committees", 0, 4),
            ("delegate", '?', "junior", "Youth groups", 0, 6),
            ("mediator", 'F', "head", "Facilitation team", 0, 2),
            ("mediator", 'M', "senior", "Facilitation team", 0, 1),
            (
                "adviser",
                'F',
                "senior",
                "Gender and inclusion advisers",
                0,
                3,
            ),
            ("adviser", 'M', "mid", "Gender and inclusion advisers", 0, 1),
            ("observer", 'F', "mid", "UN Women, EU delegation", 0, 2),
            ("observer", 'M', "mid", "UN Women, EU delegation", 0, 1),
            ("delegate", 'F', "senior", "Women's groups", 1, 8),
            ("delegate", 'M', "senior", "Political parties", 1, 9),
            ("delegate", 'F', "junior", "Youth groups", 1, 3),
            ("delegate", 'M', "junior", "Youth groups", 1, 4),
            ("mediator", 'F', "head", "Facilitation team", 1, 2),
            (
                "adviser",
                'F',
                "senior",
                "Gender and inclusion advisers",
                1,
                2,
            ),
            ("observer", 'F', "mid", "UN Women, EU delegation", 1, 3),
            ("observer", 'M', "senior", "UN Women, EU delegation", 1, 2),
        ],
    },
    Demo {
        title_prefix: "South Sudan",
        rounds: &[("R-JMEC plenary", "2025-11-20")],
        records: &[
            (
                "delegate",
                'M',
                "head",
                "Parties to the revitalised agreement",
                0,
                5,
            ),
            (
                "delegate",
                'M',
                "senior",
                "Parties to the revitalised agreement",
                0,
                18,
            ),
            (
                "delegate",
                'F',
                "senior",
                "Parties to the revitalised agreement",
                0,
                6,
            ),
            (
                "delegate",
                'F',
                "mid",
                "Parties to the revitalised agreement",
                0,
                4,
            ),
            (
                "delegate",
                'M',
                "mid",
                "Parties to the revitalised agreement",
                0,
                7,
            ),
            ("mediator", 'M', "head", "IGAD", 0, 3),
            ("mediator", 'F', "senior", "IGAD", 0, 1),
            ("signatory", 'M', "head", "Parties and guarantors", 0, 11),
            ("signatory", 'F', "head", "Women's bloc", 0, 1),
            ("adviser", 'M', "senior", "Monitoring body", 0, 2),
            ("adviser", 'F', "senior", "Monitoring body", 0, 2),
            ("observer", 'F', "mid", "Civil society", 0, 2),
            ("observer", 'M', "mid", "International partners", 0, 4),
        ],
    },
    Demo {
        title_prefix: "Nile basin",
        rounds: &[("Technical session, The Hague", "2026-02-12")],
        records: &[
            ("delegate", 'M', "head", "Riparian water ministries", 0, 3),
            ("delegate", 'M', "senior", "Riparian water ministries", 0, 6),
            ("delegate", 'F', "mid", "Riparian water ministries", 0, 3),
            ("mediator", 'F', "head", "Dialogue facilitators", 0, 1),
            ("mediator", 'M', "senior", "Dialogue facilitators", 0, 1),
            ("adviser", 'F', "senior", "Hydrology experts", 0, 2),
            ("adviser", 'M', "senior", "Hydrology experts", 0, 2),
            ("observer", 'M', "senior", "African Union, World Bank", 0, 2),
            ("observer", 'F', "mid", "African Union, World Bank", 0, 1),
            ("observer", '?', "junior", "Note-takers", 0, 2),
        ],
    },
    Demo {
        title_prefix: "Yemen: Taiz",
        rounds: &[("Road access talks", "2025-09-03")],
        records: &[
            ("delegate", 'M', "head", "Local authorities", 0, 2),
            (
                "delegate",
                'M',
                "senior",
                "Local authorities and tribal leaders",
                0,
                8,
            ),
            ("delegate", 'F', "mid", "Women mediators' network", 0, 4),
            ("mediator", 'F', "senior", "Women mediators' network", 0, 3),
            ("mediator", 'M', "head", "Local mediation committee", 0, 2),
            (
                "signatory",
                'M',
                "head",
                "Local agreement on water and roads",
                0,
                3,
            ),
            ("signatory", 'F', "senior", "Women mediators' network", 0, 1),
            ("adviser", 'F', "mid", "Water engineers", 0, 1),
            ("adviser", 'M', "mid", "Water engineers", 0, 2),
            ("observer", 'F', "mid", "Civil society", 0, 2),
        ],
    },
    Demo {
        title_prefix: "Yemen: detainee",
        rounds: &[("Exchange lists, Muscat", "2024-04-14")],
        records: &[
            ("delegate", 'M', "head", "Government delegation", 0, 1),
            ("delegate", 'M', "senior", "Government delegation", 0, 5),
            ("delegate", 'F', "senior", "Government delegation", 0, 1),
            ("delegate", 'M', "head", "Ansar Allah delegation", 0, 1),
            ("delegate", 'M', "senior", "Ansar Allah delegation", 0, 5),
            (
                "mediator",
                'M',
                "head",
                "Office of the UN Special Envoy",
                0,
                2,
            ),
            (
                "mediator",
                'F',
                "senior",
                "Office of the UN Special Envoy",
                0,
                1,
            ),
            ("signatory", 'M', "head", "Parties", 0, 4),
            ("observer", 'F', "senior", "ICRC", 0, 1),
            ("observer", 'M', "senior", "ICRC", 0, 2),
        ],
    },
    Demo {
        title_prefix: "Colombia",
        rounds: &[
            ("Cycle 5, Mexico City", "2024-02-05"),
            ("Cycle 6, Havana", "2024-05-06"),
        ],
        records: &[
            ("delegate", 'M', "head", "Government delegation", 0, 1),
            ("delegate", 'F', "senior", "Government delegation", 0, 4),
            ("delegate", 'M', "senior", "Government delegation", 0, 3),
            ("delegate", 'F', "mid", "Government delegation", 0, 2),
            ("delegate", 'M', "head", "ELN delegation", 0, 1),
            ("delegate", 'M', "senior", "ELN delegation", 0, 5),
            ("delegate", 'F', "senior", "ELN delegation", 0, 2),
            (
                "mediator",
                'M',
                "senior",
                "Guarantor and accompanying countries",
                0,
                4,
            ),
            (
                "mediator",
                'F',
                "senior",
                "Guarantor and accompanying countries",
                0,
                2,
            ),
            ("signatory", 'M', "head", "Parties", 0, 6),
            ("signatory", 'F', "senior", "Parties", 0, 3),
            ("adviser", 'F', "senior", "Gender sub-commission", 0, 5),
            ("adviser", 'M', "mid", "Gender sub-commission", 0, 1),
            (
                "observer",
                'F',
                "mid",
                "UN Verification Mission, Church",
                0,
                3,
            ),
            (
                "observer",
                'M',
                "mid",
                "UN Verification Mission, Church",
                0,
                3,
            ),
            ("delegate", 'M', "head", "Government delegation", 1, 1),
            ("delegate", 'F', "senior", "Government delegation", 1, 5),
            ("delegate", 'M', "senior", "Government delegation", 1, 3),
            ("delegate", 'M', "head", "ELN delegation", 1, 1),
            ("delegate", 'M', "senior", "ELN delegation", 1, 4),
            ("delegate", 'F', "senior", "ELN delegation", 1, 3),
            (
                "mediator",
                'M',
                "senior",
                "Guarantor and accompanying countries",
                1,
                3,
            ),
            (
                "mediator",
                'F',
                "senior",
                "Guarantor and accompanying countries",
                1,
                2,
            ),
            ("adviser", 'F', "senior", "Gender sub-commission", 1, 4),
        ],
    },
    Demo {
        title_prefix: "Mozambique",
        rounds: &[("District dialogues", "2025-08-21")],
        records: &[
            (
                "delegate",
                'M',
                "senior",
                "Community and religious leaders",
                0,
                14,
            ),
            ("delegate", 'F', "mid", "Women's associations", 0, 9),
            (
                "delegate",
                '?',
                "junior",
                "Displaced persons' committees",
                0,
                5,
            ),
            ("mediator", 'M', "head", "Community of Sant'Egidio", 0, 2),
            ("mediator", 'F', "senior", "Community of Sant'Egidio", 0, 1),
            ("adviser", 'F', "senior", "Psychosocial support team", 0, 3),
            ("observer", 'F', "mid", "Provincial government, UN", 0, 4),
            ("observer", 'M', "mid", "Provincial government, UN", 0, 2),
        ],
    },
    Demo {
        title_prefix: "Central Sahel",
        rounds: &[("Local agreements 2025", "2025-12-01")],
        records: &[
            ("mediator", 'F', "mid", "Local mediators", 0, 12),
            ("mediator", 'M', "mid", "Local mediators", 0, 15),
            ("mediator", 'M', "head", "Local mediators", 0, 6),
            (
                "delegate",
                'M',
                "senior",
                "Farmers' and herders' representatives",
                0,
                30,
            ),
            (
                "delegate",
                'F',
                "mid",
                "Farmers' and herders' representatives",
                0,
                6,
            ),
            (
                "signatory",
                'M',
                "head",
                "Village chiefs and herder leaders",
                0,
                8,
            ),
            ("signatory", 'F', "senior", "Women's cooperatives", 0, 1),
            ("observer", 'F', "junior", "Youth consulted online", 0, 5),
            ("observer", 'M', "junior", "Youth consulted online", 0, 3),
        ],
    },
    Demo {
        title_prefix: "Black Sea",
        rounds: &[("Exploratory meeting", "2026-01-15")],
        records: &[
            ("delegate", 'M', "head", "Parties", 0, 2),
            ("delegate", 'M', "senior", "Parties", 0, 6),
            ("delegate", 'F', "mid", "Parties", 0, 1),
            (
                "mediator",
                'M',
                "head",
                "Türkiye, Qatar, UN Secretariat",
                0,
                3,
            ),
            ("mediator", 'F', "senior", "UN Secretariat", 0, 1),
            ("signatory", 'M', "head", "Parties and facilitators", 0, 4),
            ("observer", 'M', "senior", "Shipping experts", 0, 2),
            ("observer", 'F', "senior", "Shipping experts", 0, 1),
        ],
    },
    Demo {
        title_prefix: "Myanmar",
        rounds: &[("Coaching cohort 2025", "2025-10-07")],
        records: &[
            ("mediator", 'F', "mid", "Women mediators' network", 0, 18),
            ("mediator", 'M', "mid", "Women mediators' network", 0, 2),
            ("adviser", 'F', "senior", "Coaches", 0, 4),
            (
                "delegate",
                'M',
                "senior",
                "Ethnic armed organisations",
                0,
                9,
            ),
            (
                "delegate",
                'F',
                "senior",
                "Ethnic armed organisations",
                0,
                3,
            ),
            (
                "observer",
                '?',
                "junior",
                "Interpreters and note-takers",
                0,
                4,
            ),
        ],
    },
];

/// Records participation for every demo process that has none yet (idempotent).
pub async fn seed(coordinator: &Access) -> Result<()> {
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    for p in processes.items {
        let Some(demo) = DEMO.iter().find(|d| p.title.starts_with(d.title_prefix)) else {
            continue;
        };
        if !coordinator
            .list_participation(&p.id, None)
            .await?
            .is_empty()
        {
            continue;
        }
        for (role, sex, seniority, party, round, count) in demo.records {
            let (round, date) = demo.rounds.get(*round).copied().unwrap_or(("", ""));
            coordinator
                .create_participation(
                    &p.id,
                    &ParticipationInput {
                        role: (*role).into(),
                        sex: match sex {
                            'F' => "female",
                            'M' => "male",
                            _ => "not-recorded",
                        }
                        .into(),
                        seniority: (*seniority).into(),
                        party: (*party).into(),
                        actor_id: None,
                        round: round.into(),
                        date: (!date.is_empty()).then(|| date.to_string()),
                        count: *count,
                        classification: p.labels.classification.as_str().into(),
                        compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
                    },
                )
                .await?;
        }
    }
    Ok(())
}
