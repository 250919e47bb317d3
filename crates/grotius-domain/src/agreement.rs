//! Peace agreements from the PA-X Peace Agreements Database (University of Edinburgh,
//! PeaceRep): the codebook of provisions, the facets the unit searches by, the mapping of PA-X
//! country names to ISO 3166-1, and the reading and checking of a PA-X CSV export (pure: bytes
//! in, rows and problems out).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::Labels;
use crate::reference::{self, Term};

/// The citation shown with every agreement and export.
pub const CITATION: &str = "PA-X Peace Agreements Database v6, University of Edinburgh (PeaceRep)";

/// A coded provision of the PA-X codebook: the column, its topic (a code of [`TOPICS`]) and its
/// English label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provision {
    pub code: &'static str,
    pub topic: &'static str,
    pub label: &'static str,
}

/// Topics under which provisions are grouped on the agreement and comparison pages.
pub const TOPICS: &[Term] = &[
    Term {
        code: "groups",
        en: "Groups",
        nl: "Groepen",
    },
    Term {
        code: "gender",
        en: "Gender",
        nl: "Gender",
    },
    Term {
        code: "state",
        en: "State definition",
        nl: "Staatsinrichting",
    },
    Term {
        code: "governance",
        en: "Governance",
        nl: "Bestuur",
    },
    Term {
        code: "power-sharing",
        en: "Power sharing",
        nl: "Machtsdeling",
    },
    Term {
        code: "human-rights",
        en: "Human rights and equality",
        nl: "Mensenrechten en gelijkheid",
    },
    Term {
        code: "justice",
        en: "Justice sector reform",
        nl: "Hervorming van de justitiesector",
    },
    Term {
        code: "socio-economic",
        en: "Socio-economic reconstruction",
        nl: "Sociaaleconomische wederopbouw",
    },
    Term {
        code: "land",
        en: "Land, property and environment",
        nl: "Land, eigendom en milieu",
    },
    Term {
        code: "security",
        en: "Security sector",
        nl: "Veiligheidssector",
    },
    Term {
        code: "transitional-justice",
        en: "Transitional justice",
        nl: "Transitionele justitie",
    },
    Term {
        code: "implementation",
        en: "Implementation",
        nl: "Uitvoering",
    },
];

/// The facets agreements are filtered and counted by.
pub const FACETS: &[Term] = &[
    Term {
        code: "women",
        en: "Women, girls and gender",
        nl: "Vrouwen, meisjes en gender",
    },
    Term {
        code: "water",
        en: "Water",
        nl: "Water",
    },
    Term {
        code: "human-rights",
        en: "Human rights",
        nl: "Mensenrechten",
    },
    Term {
        code: "transitional-justice",
        en: "Transitional justice",
        nl: "Transitionele justitie",
    },
    Term {
        code: "ceasefire",
        en: "Ceasefire",
        nl: "Staakt-het-vuren",
    },
    Term {
        code: "ssr-ddr",
        en: "Security-sector reform / DDR",
        nl: "Hervorming veiligheidssector / DDR",
    },
];

/// PA-X `Stage`.
pub const STAGES: &[Term] = &[
    Term {
        code: "Pre",
        en: "Pre-negotiation/process",
        nl: "Voorbereidende onderhandelingen",
    },
    Term {
        code: "SubPar",
        en: "Framework/substantive, partial",
        nl: "Kader/inhoudelijk, gedeeltelijk",
    },
    Term {
        code: "SubComp",
        en: "Framework/substantive, comprehensive",
        nl: "Kader/inhoudelijk, alomvattend",
    },
    Term {
        code: "Cea",
        en: "Ceasefire/related",
        nl: "Staakt-het-vuren en verwant",
    },
    Term {
        code: "Imp",
        en: "Implementation/renegotiation",
        nl: "Uitvoering/heronderhandeling",
    },
    Term {
        code: "Ren",
        en: "Renewal",
        nl: "Vernieuwing",
    },
    Term {
        code: "Oth",
        en: "Other",
        nl: "Overig",
    },
];

/// PA-X `Agtp`: the agreement (conflict) type.
pub const AGREEMENT_TYPES: &[Term] = &[
    Term {
        code: "Intra",
        en: "Intrastate",
        nl: "Binnenstatelijk",
    },
    Term {
        code: "IntraLocal",
        en: "Intrastate, local",
        nl: "Binnenstatelijk, lokaal",
    },
    Term {
        code: "InterIntra",
        en: "Interstate/intrastate",
        nl: "Tussen- en binnenstatelijk",
    },
    Term {
        code: "Inter",
        en: "Interstate",
        nl: "Tussenstatelijk",
    },
];

/// PA-X `Reg`.
pub const PAX_REGIONS: &[Term] = &[
    Term {
        code: "Africa (excl MENA)",
        en: "Africa (excl. MENA)",
        nl: "Afrika (excl. MONA)",
    },
    Term {
        code: "Americas",
        en: "Americas",
        nl: "Amerika",
    },
    Term {
        code: "Asia and Pacific",
        en: "Asia and Pacific",
        nl: "Azië en de Stille Oceaan",
    },
    Term {
        code: "Europe and Eurasia",
        en: "Europe and Eurasia",
        nl: "Europa en Eurazië",
    },
    Term {
        code: "Middle East and North Africa",
        en: "Middle East and North Africa",
        nl: "Midden-Oosten en Noord-Afrika",
    },
    Term {
        code: "Cross-regional",
        en: "Cross-regional",
        nl: "Regio-overstijgend",
    },
];

/// Which provision columns make up each facet (any of them above 0).
pub fn facet_columns(facet: &str) -> &'static [&'static str] {
    match facet {
        "women" => &["GeWom"],
        "water" => &["Wat"],
        "human-rights" => &["HrGen"],
        "transitional-justice" => &[
            "TjGen", "TjAm", "TjAmPro", "TjSan", "TjPower", "TjAmBan", "TjCou", "TjJaNc", "TjJaIc",
            "TjMech", "TjPrire", "TjVet", "TjVic", "TjMis", "TjRep", "TjRSym", "TjRMa", "TjNR",
        ],
        "ceasefire" => &["Ce", "CeProv", "CeGen"],
        "ssr-ddr" => &[
            "SsrPol", "SsrArm", "SsrDdr", "DdrDemil", "DdrProg", "SsrInt", "SsrPsf", "SsrFf",
        ],
        _ => &[],
    }
}

/// The provisions of the PA-X v6 codebook, in the order of its columns.
pub const PROVISIONS: &[Provision] = &[
    Provision {
        code: "GCh",
        topic: "groups",
        label: "Children/youth",
    },
    Provision {
        code: "GChRhet",
        topic: "groups",
        label: "Children/youth: rhetorical",
    },
    Provision {
        code: "GChAntid",
        topic: "groups",
        label: "Children/youth: anti-discrimination",
    },
    Provision {
        code: "GChSubs",
        topic: "groups",
        label: "Children/youth: substantive",
    },
    Provision {
        code: "GChOth",
        topic: "groups",
        label: "Children/youth: other",
    },
    Provision {
        code: "GDis",
        topic: "groups",
        label: "Disabled persons",
    },
    Provision {
        code: "GDisRhet",
        topic: "groups",
        label: "Disabled persons: rhetorical",
    },
    Provision {
        code: "GDisAntid",
        topic: "groups",
        label: "Disabled persons: anti-discrimination",
    },
    Provision {
        code: "GDisSubs",
        topic: "groups",
        label: "Disabled persons: substantive",
    },
    Provision {
        code: "GDisOth",
        topic: "groups",
        label: "Disabled persons: other",
    },
    Provision {
        code: "GAge",
        topic: "groups",
        label: "Elderly/age",
    },
    Provision {
        code: "GAgeRhet",
        topic: "groups",
        label: "Elderly/age: rhetorical",
    },
    Provision {
        code: "GAgeAntid",
        topic: "groups",
        label: "Elderly/age: anti-discrimination",
    },
    Provision {
        code: "GAgeSubs",
        topic: "groups",
        label: "Elderly/age: substantive",
    },
    Provision {
        code: "GAgeOth",
        topic: "groups",
        label: "Elderly/age: other",
    },
    Provision {
        code: "GMig",
        topic: "groups",
        label: "Migrant workers",
    },
    Provision {
        code: "GMigRhet",
        topic: "groups",
        label: "Migrant workers: rhetorical",
    },
    Provision {
        code: "GMigAntid",
        topic: "groups",
        label: "Migrant workers: anti-discrimination",
    },
    Provision {
        code: "GMigSubs",
        topic: "groups",
        label: "Migrant workers: substantive",
    },
    Provision {
        code: "GMigOth",
        topic: "groups",
        label: "Migrant workers: other",
    },
    Provision {
        code: "GRa",
        topic: "groups",
        label: "Racial/ethnic/national group",
    },
    Provision {
        code: "GRaRhet",
        topic: "groups",
        label: "Racial/ethnic/national group: rhetorical",
    },
    Provision {
        code: "GRaAntid",
        topic: "groups",
        label: "Racial/ethnic/national group: anti-discrimination",
    },
    Provision {
        code: "GRaSubs",
        topic: "groups",
        label: "Racial/ethnic/national group: substantive",
    },
    Provision {
        code: "GRaOth",
        topic: "groups",
        label: "Racial/ethnic/national group: other",
    },
    Provision {
        code: "GRe",
        topic: "groups",
        label: "Religious groups",
    },
    Provision {
        code: "GReRhet",
        topic: "groups",
        label: "Religious groups: rhetorical",
    },
    Provision {
        code: "GReAntid",
        topic: "groups",
        label: "Religious groups: anti-discrimination",
    },
    Provision {
        code: "GReSubs",
        topic: "groups",
        label: "Religious groups: substantive",
    },
    Provision {
        code: "GReOth",
        topic: "groups",
        label: "Religious groups: other",
    },
    Provision {
        code: "GInd",
        topic: "groups",
        label: "Indigenous people",
    },
    Provision {
        code: "GIndRhet",
        topic: "groups",
        label: "Indigenous people: rhetorical",
    },
    Provision {
        code: "GIndAntid",
        topic: "groups",
        label: "Indigenous people: anti-discrimination",
    },
    Provision {
        code: "GIndSubs",
        topic: "groups",
        label: "Indigenous people: substantive",
    },
    Provision {
        code: "GIndOth",
        topic: "groups",
        label: "Indigenous people: other",
    },
    Provision {
        code: "GOth",
        topic: "groups",
        label: "Other groups",
    },
    Provision {
        code: "GOthRhet",
        topic: "groups",
        label: "Other groups: rhetorical",
    },
    Provision {
        code: "GOthAntid",
        topic: "groups",
        label: "Other groups: anti-discrimination",
    },
    Provision {
        code: "GOthSubs",
        topic: "groups",
        label: "Other groups: substantive",
    },
    Provision {
        code: "GOthOth",
        topic: "groups",
        label: "Other groups: other",
    },
    Provision {
        code: "GRef",
        topic: "groups",
        label: "Refugees/displaced persons",
    },
    Provision {
        code: "GRefRhet",
        topic: "groups",
        label: "Refugees/displaced persons: rhetorical",
    },
    Provision {
        code: "GRefSubs",
        topic: "groups",
        label: "Refugees/displaced persons: substantive",
    },
    Provision {
        code: "GRefOth",
        topic: "groups",
        label: "Refugees/displaced persons: other",
    },
    Provision {
        code: "GSoc",
        topic: "groups",
        label: "Social class",
    },
    Provision {
        code: "GSocRhet",
        topic: "groups",
        label: "Social class: rhetorical",
    },
    Provision {
        code: "GSocAntid",
        topic: "groups",
        label: "Social class: anti-discrimination",
    },
    Provision {
        code: "GSocSubs",
        topic: "groups",
        label: "Social class: substantive",
    },
    Provision {
        code: "GSocOth",
        topic: "groups",
        label: "Social class: other",
    },
    Provision {
        code: "GeWom",
        topic: "gender",
        label: "Women, girls and gender",
    },
    Provision {
        code: "GeMe",
        topic: "gender",
        label: "Men and boys",
    },
    Provision {
        code: "GeMeNu",
        topic: "gender",
        label: "Men and boys: gender-neutral wording",
    },
    Provision {
        code: "GeMeOth",
        topic: "gender",
        label: "Men and boys: other",
    },
    Provision {
        code: "GeLgbti",
        topic: "gender",
        label: "LGBTI",
    },
    Provision {
        code: "GeLgbtiPos",
        topic: "gender",
        label: "LGBTI: positive references",
    },
    Provision {
        code: "GeLgbtiNeg",
        topic: "gender",
        label: "LGBTI: negative references",
    },
    Provision {
        code: "GeFa",
        topic: "gender",
        label: "Family",
    },
    Provision {
        code: "StDef",
        topic: "state",
        label: "State definition",
    },
    Provision {
        code: "StGen",
        topic: "state",
        label: "Nature of the state (general)",
    },
    Provision {
        code: "StCon",
        topic: "state",
        label: "State configuration",
    },
    Provision {
        code: "StSd",
        topic: "state",
        label: "Self-determination",
    },
    Provision {
        code: "StRef",
        topic: "state",
        label: "Referendum",
    },
    Provision {
        code: "StSym",
        topic: "state",
        label: "State symbols",
    },
    Provision {
        code: "StInd",
        topic: "state",
        label: "Independence/secession",
    },
    Provision {
        code: "StUni",
        topic: "state",
        label: "Accession/unification",
    },
    Provision {
        code: "StBor",
        topic: "state",
        label: "Border delimitation",
    },
    Provision {
        code: "StXbor",
        topic: "state",
        label: "Cross-border provision",
    },
    Provision {
        code: "Pol",
        topic: "governance",
        label: "Political institutions (new or reformed)",
    },
    Provision {
        code: "PolGen",
        topic: "governance",
        label: "Political institutions: general",
    },
    Provision {
        code: "PolNewInd",
        topic: "governance",
        label: "New political institutions (indefinite)",
    },
    Provision {
        code: "PolNewTemp",
        topic: "governance",
        label: "New political institutions (interim)",
    },
    Provision {
        code: "ConRen",
        topic: "governance",
        label: "Constitutional affirmation/renewal",
    },
    Provision {
        code: "Cons",
        topic: "governance",
        label: "Constitutional reform/making",
    },
    Provision {
        code: "Ele",
        topic: "governance",
        label: "Elections",
    },
    Provision {
        code: "ElecComm",
        topic: "governance",
        label: "Electoral commission",
    },
    Provision {
        code: "PolPar",
        topic: "governance",
        label: "Political parties reform",
    },
    Provision {
        code: "PolParTrans",
        topic: "governance",
        label: "Political parties: rebel movement to party",
    },
    Provision {
        code: "PolParOth",
        topic: "governance",
        label: "Political parties: other",
    },
    Provision {
        code: "Civso",
        topic: "governance",
        label: "Civil society",
    },
    Provision {
        code: "Tral",
        topic: "governance",
        label: "Traditional/religious leaders",
    },
    Provision {
        code: "Pubad",
        topic: "governance",
        label: "Public administration",
    },
    Provision {
        code: "Polps",
        topic: "power-sharing",
        label: "Political power sharing",
    },
    Provision {
        code: "PpsSt",
        topic: "power-sharing",
        label: "Political power sharing: state level",
    },
    Provision {
        code: "PpsSub",
        topic: "power-sharing",
        label: "Political power sharing: sub-state level",
    },
    Provision {
        code: "PpsEx",
        topic: "power-sharing",
        label: "Political power sharing: executive coalition",
    },
    Provision {
        code: "PpsOro",
        topic: "power-sharing",
        label: "Political power sharing: proportionality in other organs",
    },
    Provision {
        code: "PpsOthPr",
        topic: "power-sharing",
        label: "Political power sharing: other proportionality",
    },
    Provision {
        code: "PpsVet",
        topic: "power-sharing",
        label: "Political power sharing: veto and protective mechanisms",
    },
    Provision {
        code: "PpsAut",
        topic: "power-sharing",
        label: "Political power sharing: autonomy",
    },
    Provision {
        code: "PpsInt",
        topic: "power-sharing",
        label: "Political power sharing: international involvement",
    },
    Provision {
        code: "PpsOth",
        topic: "power-sharing",
        label: "Political power sharing: other",
    },
    Provision {
        code: "Terps",
        topic: "power-sharing",
        label: "Territorial power sharing",
    },
    Provision {
        code: "TpsSub",
        topic: "power-sharing",
        label: "Territorial power sharing: sub-state/federal",
    },
    Provision {
        code: "TpsLoc",
        topic: "power-sharing",
        label: "Territorial power sharing: local/municipal",
    },
    Provision {
        code: "TpsAut",
        topic: "power-sharing",
        label: "Territorial power sharing: autonomous regions",
    },
    Provision {
        code: "TpsOth",
        topic: "power-sharing",
        label: "Territorial power sharing: other",
    },
    Provision {
        code: "Eps",
        topic: "power-sharing",
        label: "Economic power sharing",
    },
    Provision {
        code: "EpsRes",
        topic: "power-sharing",
        label: "Economic power sharing: sharing of resources",
    },
    Provision {
        code: "EpsFis",
        topic: "power-sharing",
        label: "Economic power sharing: fiscal federalism",
    },
    Provision {
        code: "EpsOth",
        topic: "power-sharing",
        label: "Economic power sharing: other",
    },
    Provision {
        code: "Mps",
        topic: "power-sharing",
        label: "Military power sharing",
    },
    Provision {
        code: "MpsMe",
        topic: "power-sharing",
        label: "Military power sharing: merger of forces",
    },
    Provision {
        code: "MpsJt",
        topic: "power-sharing",
        label: "Military power sharing: joint command",
    },
    Provision {
        code: "MpsPro",
        topic: "power-sharing",
        label: "Military power sharing: proportionality",
    },
    Provision {
        code: "MpsOth",
        topic: "power-sharing",
        label: "Military power sharing: other",
    },
    Provision {
        code: "HrGen",
        topic: "human-rights",
        label: "Human rights and equality: general",
    },
    Provision {
        code: "EqGen",
        topic: "human-rights",
        label: "Equality",
    },
    Provision {
        code: "HrDem",
        topic: "human-rights",
        label: "Democracy",
    },
    Provision {
        code: "Prot",
        topic: "human-rights",
        label: "Protection measures",
    },
    Provision {
        code: "ProtCiv",
        topic: "human-rights",
        label: "Protection: civilians",
    },
    Provision {
        code: "ProtGrp",
        topic: "human-rights",
        label: "Protection: groups with special needs",
    },
    Provision {
        code: "ProtLgl",
        topic: "human-rights",
        label: "Protection: rule of law",
    },
    Provision {
        code: "ProtOth",
        topic: "human-rights",
        label: "Protection: other",
    },
    Provision {
        code: "HrFra",
        topic: "human-rights",
        label: "Human rights framework",
    },
    Provision {
        code: "HrfSp",
        topic: "human-rights",
        label: "Human rights framework: specific rights",
    },
    Provision {
        code: "HrfBor",
        topic: "human-rights",
        label: "Human rights framework: bill of rights",
    },
    Provision {
        code: "HrfTinc",
        topic: "human-rights",
        label: "Human rights framework: treaty incorporation",
    },
    Provision {
        code: "HrfOth",
        topic: "human-rights",
        label: "Human rights framework: other",
    },
    Provision {
        code: "HrCp",
        topic: "human-rights",
        label: "Civil and political rights",
    },
    Provision {
        code: "CprLife",
        topic: "human-rights",
        label: "Civil/political: life",
    },
    Provision {
        code: "CprTort",
        topic: "human-rights",
        label: "Civil/political: torture",
    },
    Provision {
        code: "CprEq",
        topic: "human-rights",
        label: "Civil/political: equality",
    },
    Provision {
        code: "CprSlav",
        topic: "human-rights",
        label: "Civil/political: slavery",
    },
    Provision {
        code: "CprLib",
        topic: "human-rights",
        label: "Civil/political: liberty and security of person",
    },
    Provision {
        code: "CprDet",
        topic: "human-rights",
        label: "Civil/political: detention",
    },
    Provision {
        code: "CprFmov",
        topic: "human-rights",
        label: "Civil/political: freedom of movement",
    },
    Provision {
        code: "CprFspe",
        topic: "human-rights",
        label: "Civil/political: freedom of speech",
    },
    Provision {
        code: "CprFass",
        topic: "human-rights",
        label: "Civil/political: freedom of association",
    },
    Provision {
        code: "CprTria",
        topic: "human-rights",
        label: "Civil/political: fair trial",
    },
    Provision {
        code: "CprPriv",
        topic: "human-rights",
        label: "Civil/political: privacy and family life",
    },
    Provision {
        code: "CprVote",
        topic: "human-rights",
        label: "Civil/political: vote and take part",
    },
    Provision {
        code: "CprReli",
        topic: "human-rights",
        label: "Civil/political: freedom of religion",
    },
    Provision {
        code: "CprOth",
        topic: "human-rights",
        label: "Civil/political: other",
    },
    Provision {
        code: "HrSec",
        topic: "human-rights",
        label: "Socio-economic rights",
    },
    Provision {
        code: "SerProp",
        topic: "human-rights",
        label: "Socio-economic: property",
    },
    Provision {
        code: "SerWork",
        topic: "human-rights",
        label: "Socio-economic: work",
    },
    Provision {
        code: "SerHeal",
        topic: "human-rights",
        label: "Socio-economic: health",
    },
    Provision {
        code: "SerEdu",
        topic: "human-rights",
        label: "Socio-economic: education",
    },
    Provision {
        code: "SerStdl",
        topic: "human-rights",
        label: "Socio-economic: adequate standard of living",
    },
    Provision {
        code: "SerShel",
        topic: "human-rights",
        label: "Socio-economic: shelter/housing",
    },
    Provision {
        code: "SerSs",
        topic: "human-rights",
        label: "Socio-economic: social security",
    },
    Provision {
        code: "SerCult",
        topic: "human-rights",
        label: "Socio-economic: cultural life",
    },
    Provision {
        code: "SerOth",
        topic: "human-rights",
        label: "Socio-economic: other",
    },
    Provision {
        code: "HrNi",
        topic: "human-rights",
        label: "National human rights institution",
    },
    Provision {
        code: "HrNiMe",
        topic: "human-rights",
        label: "National human rights institution: existing",
    },
    Provision {
        code: "HrNiNe",
        topic: "human-rights",
        label: "National human rights institution: new",
    },
    Provision {
        code: "HrNiOth",
        topic: "human-rights",
        label: "National human rights institution: other",
    },
    Provision {
        code: "HrIi",
        topic: "human-rights",
        label: "Regional or international human rights institutions",
    },
    Provision {
        code: "HrIiMon",
        topic: "human-rights",
        label: "International human rights institutions: monitoring",
    },
    Provision {
        code: "HrIiBod",
        topic: "human-rights",
        label: "International human rights institutions: bodies",
    },
    Provision {
        code: "HrIiOth",
        topic: "human-rights",
        label: "International human rights institutions: other",
    },
    Provision {
        code: "HrMob",
        topic: "human-rights",
        label: "Mobility/access",
    },
    Provision {
        code: "HrDet",
        topic: "human-rights",
        label: "Detention procedures",
    },
    Provision {
        code: "Med",
        topic: "human-rights",
        label: "Media and communication",
    },
    Provision {
        code: "MedGov",
        topic: "human-rights",
        label: "Media: governance",
    },
    Provision {
        code: "MedSubs",
        topic: "human-rights",
        label: "Media: substantive",
    },
    Provision {
        code: "MedLog",
        topic: "human-rights",
        label: "Media: logistics",
    },
    Provision {
        code: "MedOth",
        topic: "human-rights",
        label: "Media: other",
    },
    Provision {
        code: "HrCit",
        topic: "human-rights",
        label: "Citizenship",
    },
    Provision {
        code: "CitGen",
        topic: "human-rights",
        label: "Citizenship: general",
    },
    Provision {
        code: "CitRights",
        topic: "human-rights",
        label: "Citizenship: rights",
    },
    Provision {
        code: "CitDef",
        topic: "human-rights",
        label: "Citizenship: definition",
    },
    Provision {
        code: "CitOth",
        topic: "human-rights",
        label: "Citizenship: other",
    },
    Provision {
        code: "JusCr",
        topic: "justice",
        label: "Criminal justice and emergency law",
    },
    Provision {
        code: "JusCrSp",
        topic: "justice",
        label: "Criminal justice: specific laws",
    },
    Provision {
        code: "JusCrSys",
        topic: "justice",
        label: "Criminal justice: system reform",
    },
    Provision {
        code: "JusCrPow",
        topic: "justice",
        label: "Criminal justice: emergency powers",
    },
    Provision {
        code: "JusEm",
        topic: "justice",
        label: "State of emergency provisions",
    },
    Provision {
        code: "JusJu",
        topic: "justice",
        label: "Judiciary and courts",
    },
    Provision {
        code: "JusPri",
        topic: "justice",
        label: "Prisons and detention",
    },
    Provision {
        code: "JusTra",
        topic: "justice",
        label: "Traditional laws",
    },
    Provision {
        code: "Dev",
        topic: "socio-economic",
        label: "Development or socio-economic reconstruction",
    },
    Provision {
        code: "DevSoc",
        topic: "socio-economic",
        label: "Socio-economic development",
    },
    Provision {
        code: "DevHum",
        topic: "socio-economic",
        label: "Humanitarian assistance",
    },
    Provision {
        code: "DevInfra",
        topic: "socio-economic",
        label: "Infrastructure and reconstruction",
    },
    Provision {
        code: "NEC",
        topic: "socio-economic",
        label: "National economic plan",
    },
    Provision {
        code: "NatRes",
        topic: "socio-economic",
        label: "Natural resources",
    },
    Provision {
        code: "IntFu",
        topic: "socio-economic",
        label: "International funds",
    },
    Provision {
        code: "Bus",
        topic: "socio-economic",
        label: "Business",
    },
    Provision {
        code: "Tax",
        topic: "socio-economic",
        label: "Taxation",
    },
    Provision {
        code: "TaxPo",
        topic: "socio-economic",
        label: "Taxation: power to tax",
    },
    Provision {
        code: "TaxRef",
        topic: "socio-economic",
        label: "Taxation: reform",
    },
    Provision {
        code: "TaxOth",
        topic: "socio-economic",
        label: "Taxation: other",
    },
    Provision {
        code: "Ban",
        topic: "socio-economic",
        label: "Banks",
    },
    Provision {
        code: "CenBan",
        topic: "socio-economic",
        label: "Banks: central bank",
    },
    Provision {
        code: "BanPers",
        topic: "socio-economic",
        label: "Banks: personal banking",
    },
    Provision {
        code: "BanInt",
        topic: "socio-economic",
        label: "Banks: international finance",
    },
    Provision {
        code: "BanXb",
        topic: "socio-economic",
        label: "Banks: cross-border",
    },
    Provision {
        code: "LaRef",
        topic: "land",
        label: "Land reform/rights",
    },
    Provision {
        code: "LaRefMan",
        topic: "land",
        label: "Land: management",
    },
    Provision {
        code: "LaRefRet",
        topic: "land",
        label: "Land: return and restitution",
    },
    Provision {
        code: "LaRefOth",
        topic: "land",
        label: "Land: other",
    },
    Provision {
        code: "LaNom",
        topic: "land",
        label: "Pastoralist/nomadism rights",
    },
    Provision {
        code: "LaCH",
        topic: "land",
        label: "Cultural heritage",
    },
    Provision {
        code: "LaCHTa",
        topic: "land",
        label: "Cultural heritage: tangible",
    },
    Provision {
        code: "LaCHIt",
        topic: "land",
        label: "Cultural heritage: intangible",
    },
    Provision {
        code: "LaCHPro",
        topic: "land",
        label: "Cultural heritage: promotion",
    },
    Provision {
        code: "LaCHOth",
        topic: "land",
        label: "Cultural heritage: other",
    },
    Provision {
        code: "LaEn",
        topic: "land",
        label: "Environment",
    },
    Provision {
        code: "Wat",
        topic: "land",
        label: "Water or riparian rights or access",
    },
    Provision {
        code: "SsrGua",
        topic: "security",
        label: "Security guarantees",
    },
    Provision {
        code: "Ce",
        topic: "security",
        label: "Ceasefire",
    },
    Provision {
        code: "CeProv",
        topic: "security",
        label: "Ceasefire: provisions",
    },
    Provision {
        code: "CeGen",
        topic: "security",
        label: "Ceasefire: general commitments",
    },
    Provision {
        code: "SsrPol",
        topic: "security",
        label: "Police",
    },
    Provision {
        code: "SsrArm",
        topic: "security",
        label: "Armed forces",
    },
    Provision {
        code: "SsrDdr",
        topic: "security",
        label: "DDR",
    },
    Provision {
        code: "DdrDemil",
        topic: "security",
        label: "DDR: demilitarisation",
    },
    Provision {
        code: "DdrProg",
        topic: "security",
        label: "DDR: programmes",
    },
    Provision {
        code: "SsrInt",
        topic: "security",
        label: "Intelligence services",
    },
    Provision {
        code: "SsrPsf",
        topic: "security",
        label: "Parastatal, rebel and opposition forces",
    },
    Provision {
        code: "SsrFf",
        topic: "security",
        label: "Withdrawal of foreign forces",
    },
    Provision {
        code: "Cor",
        topic: "security",
        label: "Corruption",
    },
    Provision {
        code: "SsrCrOcr",
        topic: "security",
        label: "Crime/organised crime",
    },
    Provision {
        code: "SsrDrugs",
        topic: "security",
        label: "Drugs",
    },
    Provision {
        code: "Terr",
        topic: "security",
        label: "Terrorism",
    },
    Provision {
        code: "TjGen",
        topic: "transitional-justice",
        label: "Transitional justice: general",
    },
    Provision {
        code: "TjAm",
        topic: "transitional-justice",
        label: "Amnesty/pardon",
    },
    Provision {
        code: "TjAmPro",
        topic: "transitional-justice",
        label: "Amnesty/pardon: proper",
    },
    Provision {
        code: "TjSan",
        topic: "transitional-justice",
        label: "Amnesty: sanctions",
    },
    Provision {
        code: "TjPower",
        topic: "transitional-justice",
        label: "Amnesty: relief from power",
    },
    Provision {
        code: "TjAmBan",
        topic: "transitional-justice",
        label: "Amnesty: prohibited",
    },
    Provision {
        code: "TjCou",
        topic: "transitional-justice",
        label: "Courts",
    },
    Provision {
        code: "TjJaNc",
        topic: "transitional-justice",
        label: "Courts: national",
    },
    Provision {
        code: "TjJaIc",
        topic: "transitional-justice",
        label: "Courts: international",
    },
    Provision {
        code: "TjMech",
        topic: "transitional-justice",
        label: "Mechanism",
    },
    Provision {
        code: "TjPrire",
        topic: "transitional-justice",
        label: "Prisoner release",
    },
    Provision {
        code: "TjVet",
        topic: "transitional-justice",
        label: "Vetting",
    },
    Provision {
        code: "TjVic",
        topic: "transitional-justice",
        label: "Victims",
    },
    Provision {
        code: "TjMis",
        topic: "transitional-justice",
        label: "Missing persons",
    },
    Provision {
        code: "TjRep",
        topic: "transitional-justice",
        label: "Reparations",
    },
    Provision {
        code: "TjRSym",
        topic: "transitional-justice",
        label: "Reparations: symbolic",
    },
    Provision {
        code: "TjRMa",
        topic: "transitional-justice",
        label: "Reparations: material",
    },
    Provision {
        code: "TjNR",
        topic: "transitional-justice",
        label: "Reconciliation",
    },
    Provision {
        code: "ImUN",
        topic: "implementation",
        label: "Implementation: UN signatory",
    },
    Provision {
        code: "ImOth",
        topic: "implementation",
        label: "Implementation: other international signatory",
    },
    Provision {
        code: "ImRef",
        topic: "implementation",
        label: "Implementation: referendum for agreement",
    },
    Provision {
        code: "ImPK",
        topic: "implementation",
        label: "Implementation: international mission or force",
    },
    Provision {
        code: "ImE",
        topic: "implementation",
        label: "Implementation: enforcement mechanism",
    },
    Provision {
        code: "ImSrc",
        topic: "implementation",
        label: "Implementation: source text available",
    },
];

/// The codebook entry of a column, if it is a provision.
pub fn provision(code: &str) -> Option<&'static Provision> {
    PROVISIONS.iter().find(|p| p.code == code)
}

/// The rows of a side-by-side comparison: every provision coded in at least one of the
/// agreements, in codebook order, with each agreement's value (0 = not coded).
pub fn comparison_rows(agreements: &[&AgreementData]) -> Vec<(&'static Provision, Vec<i64>)> {
    PROVISIONS
        .iter()
        .map(|p| {
            (
                p,
                agreements
                    .iter()
                    .map(|a| a.provision(p.code))
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, values)| values.iter().any(|v| *v > 0))
        .collect()
}

/// Which of the six facets an agreement has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub women: bool,
    pub water: bool,
    pub human_rights: bool,
    pub transitional_justice: bool,
    pub ceasefire: bool,
    pub ssr_ddr: bool,
}

impl Facets {
    /// Derives the facets from the coded provisions (a facet is present when any of its
    /// columns is above 0).
    pub fn of(provisions: &BTreeMap<String, i64>) -> Facets {
        let has = |facet: &str| {
            facet_columns(facet)
                .iter()
                .any(|c| provisions.get(*c).copied().unwrap_or(0) > 0)
        };
        Facets {
            women: has("women"),
            water: has("water"),
            human_rights: has("human-rights"),
            transitional_justice: has("transitional-justice"),
            ceasefire: has("ceasefire"),
            ssr_ddr: has("ssr-ddr"),
        }
    }

    /// The facet of a [`FACETS`] code.
    pub fn get(&self, code: &str) -> bool {
        match code {
            "women" => self.women,
            "water" => self.water,
            "human-rights" => self.human_rights,
            "transitional-justice" => self.transitional_justice,
            "ceasefire" => self.ceasefire,
            "ssr-ddr" => self.ssr_ddr,
            _ => false,
        }
    }

    /// The codes of the facets present.
    pub fn codes(&self) -> Vec<&'static str> {
        FACETS
            .iter()
            .map(|t| t.code)
            .filter(|c| self.get(c))
            .collect()
    }
}

/// The content of an agreement as PA-X codes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementData {
    /// PA-X `AgtId`.
    pub pax_id: i64,
    /// `Agt`.
    pub name: String,
    /// `Dat`, ISO 8601.
    pub date: String,
    pub year: i64,
    /// `Con`, as PA-X writes it (e.g. `Sudan/South Sudan`, `Philippines/Mindanao`).
    pub country_text: String,
    /// ISO 3166-1 alpha-2 codes of the countries named in `Con` that map to one.
    pub countries: Vec<String>,
    /// `Reg`.
    pub region: String,
    /// `Agtp`.
    pub agreement_type: String,
    /// `Stage` and `StageSub`.
    pub stage: String,
    pub stage_sub: String,
    /// `Status`.
    pub status: String,
    /// `Contp`.
    pub conflict_type: String,
    /// `PPName`.
    pub peace_process: String,
    /// `Part` and `ThrdPart`, verbatim (with their line breaks).
    pub parties: String,
    pub third_parties: String,
    pub facets: Facets,
    /// Coded provisions above 0, by codebook column.
    pub provisions: BTreeMap<String, i64>,
    /// Every other non-empty column of the source (version, UCDP ids, locations, …).
    pub extra: BTreeMap<String, String>,
}

impl AgreementData {
    /// The value of a provision (0 when not coded).
    pub fn provision(&self, code: &str) -> i64 {
        self.provisions.get(code).copied().unwrap_or(0)
    }
}

/// A stored agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: String,
    pub data: AgreementData,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

/// PA-X country names that are states under another name in ISO 3166-1.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("Bolivia", "BO"),
    ("Burma", "MM"),
    ("Cote d'Ivoire", "CI"),
    ("Czech Republic", "CZ"),
    ("Democratic Republic of Congo", "CD"),
    ("DRC", "CD"),
    ("East Timor", "TL"),
    ("Iran", "IR"),
    ("Laos", "LA"),
    ("Macedonia", "MK"),
    ("Moldova", "MD"),
    ("Netherlands", "NL"),
    ("North Korea", "KP"),
    ("North Macedonia", "MK"),
    ("Palestine", "PS"),
    ("Republic of Congo", "CG"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("Swaziland", "SZ"),
    ("Syria", "SY"),
    ("Tanzania", "TZ"),
    ("Turkey", "TR"),
    ("United Kingdom", "GB"),
    ("United States", "US"),
    ("Venezuela", "VE"),
    ("Vietnam", "VN"),
];

/// Splits PA-X `Con` at `/` outside parentheses and drops the parentheses PA-X puts around
/// entities (`Ireland/United Kingdom/(Northern Ireland)`).
pub fn split_countries(con: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for ch in con.chars() {
        match ch {
            '(' => {
                depth += 1;
                cur.push(ch);
            }
            ')' => {
                depth -= 1;
                cur.push(ch);
            }
            '/' if depth <= 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| {
            let p = p.trim();
            let p = if p.starts_with('(') && p.ends_with(')') {
                &p[1..p.len() - 1]
            } else {
                p
            };
            p.trim().to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The ISO 3166-1 alpha-2 code of a PA-X country name, if it names a state.
pub fn country_code(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if let Some((_, code)) = COUNTRY_ALIASES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return reference::country(code).map(|c| c.alpha2.as_str());
    }
    reference::countries()
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .map(|c| c.alpha2.as_str())
}

/// Maps `Con` to ISO codes; also returns the names that map to none (entities, former states).
pub fn map_countries(con: &str) -> (Vec<String>, Vec<String>) {
    let mut codes = Vec::new();
    let mut unmapped = Vec::new();
    for name in split_countries(con) {
        match country_code(&name) {
            Some(c) => {
                if !codes.iter().any(|x| x == c) {
                    codes.push(c.to_string());
                }
            }
            None => unmapped.push(name),
        }
    }
    (codes, unmapped)
}

/// One bad value of a PA-X file: the row as numbered in the file's records (the header is row
/// 1; a record with line breaks inside quotes is still one row), the column and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaxProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// A checked row of a PA-X file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaxRow {
    pub row: usize,
    pub data: AgreementData,
    /// SHA-256 of the row's columns and values: an unchanged row is not written again.
    pub hash: String,
}

/// What reading a PA-X file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaxFile {
    /// Records after the header.
    pub records: usize,
    pub rows: Vec<PaxRow>,
    pub problems: Vec<PaxProblem>,
    /// Country names of `Con` without an ISO 3166-1 code, with how many agreements name them.
    pub unmapped: BTreeMap<String, usize>,
    /// Problems beyond [`MAX_PROBLEMS`], counted but not listed.
    pub omitted: usize,
}

/// At most this many problems are listed; one more line says how many were left out.
pub const MAX_PROBLEMS: usize = 500;

/// Columns a PA-X file must have.
pub const REQUIRED_COLUMNS: &[&str] = &["AgtId", "Agt", "Dat", "Con", "Reg", "Stage", "Agtp"];

/// Columns read into named fields (everything else that is not a provision goes to `extra`).
const CORE_COLUMNS: &[&str] = &[
    "AgtId", "Agt", "Dat", "Con", "Reg", "Stage", "StageSub", "Agtp", "Status", "Contp", "PPName",
    "Part", "ThrdPart",
];

/// Reads and checks a PA-X CSV export (RFC 4180: quoted cells may hold line breaks). Every
/// problem is reported with its row and column; rows with problems are left out of `rows`.
pub fn read_pax(bytes: &[u8]) -> PaxFile {
    let mut out = PaxFile::default();
    let problem = |out: &mut PaxFile, row: usize, column: &str, value: &str, message: String| {
        if out.problems.len() < MAX_PROBLEMS {
            out.problems.push(PaxProblem {
                row,
                column: column.to_string(),
                value: value.chars().take(120).collect(),
                message,
            });
        } else {
            out.omitted += 1;
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = rdr.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let c = if i == 0 {
                    c.trim_start_matches('\u{feff}')
                } else {
                    c
                };
                c.trim().to_string()
            })
            .collect(),
        Some(Err(e)) => {
            problem(
                &mut out,
                1,
                "",
                "",
                format!("the header cannot be read: {e}"),
            );
            return out;
        }
        None => {
            problem(&mut out, 1, "", "", "the file is empty".into());
            return out;
        }
    };
    let mut header_ok = true;
    for req in REQUIRED_COLUMNS {
        if !header.iter().any(|h| h == req) {
            header_ok = false;
            problem(
                &mut out,
                1,
                req,
                "",
                "this PA-X column is missing from the header".into(),
            );
        }
    }
    for (i, h) in header.iter().enumerate() {
        if !h.is_empty() && header[..i].contains(h) {
            header_ok = false;
            problem(&mut out, 1, h, h, "this column appears twice".into());
        }
    }
    if !header_ok {
        return out;
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, rec) in records.enumerate() {
        let row = i + 2;
        out.records += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problem(
                    &mut out,
                    row,
                    "",
                    "",
                    format!("the row cannot be read: {e}"),
                );
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).is_some_and(|c| c.trim().is_empty()) {
            out.records -= 1;
            continue;
        }
        if rec.len() != header.len() {
            let (column, message) = if rec.len() < header.len() {
                (
                    header[rec.len()].clone(),
                    format!(
                        "the row has {} fields but the header has {} (truncated row? it starts on line {line}); the first missing column is named",
                        rec.len(),
                        header.len()
                    ),
                )
            } else {
                (
                    format!("column {}", header.len() + 1),
                    format!(
                        "the row has {} fields but the header has {} (starts on line {line})",
                        rec.len(),
                        header.len()
                    ),
                )
            };
            problem(&mut out, row, &column, "", message);
            continue;
        }
        let cell = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
        let before = out.problems.len() + out.omitted;
        let id_text = cell("AgtId").trim();
        let pax_id = match id_text.parse::<i64>() {
            Ok(n) if n > 0 => {
                if let Some(first) = seen.get(&n) {
                    problem(
                        &mut out,
                        row,
                        "AgtId",
                        id_text,
                        format!("AgtId {n} already appears on row {first}"),
                    );
                } else {
                    seen.insert(n, row);
                }
                n
            }
            _ => {
                problem(
                    &mut out,
                    row,
                    "AgtId",
                    id_text,
                    "AgtId must be a positive whole number".into(),
                );
                0
            }
        };
        let name = cell("Agt").trim().to_string();
        if name.is_empty() {
            problem(&mut out, row, "Agt", "", "the agreement has no name".into());
        }
        let date_text = cell("Dat");
        let date = match crate::network::parse_date("Dat", date_text) {
            Ok(d) => d,
            Err(_) => {
                problem(
                    &mut out,
                    row,
                    "Dat",
                    date_text,
                    format!(
                        "'{}' is not a date; PA-X dates are YYYY-MM-DD",
                        date_text.trim()
                    ),
                );
                String::new()
            }
        };
        for c in ["Con", "Reg", "Stage", "Agtp"] {
            if cell(c).trim().is_empty() {
                problem(&mut out, row, c, "", "this column may not be empty".into());
            }
        }
        let mut provisions = BTreeMap::new();
        let mut extra = BTreeMap::new();
        for (h, v) in header.iter().zip(rec.iter()) {
            if let Some(p) = provision(h) {
                match v.trim().parse::<i64>() {
                    Ok(n) if (0..=3).contains(&n) => {
                        if n > 0 {
                            provisions.insert(p.code.to_string(), n);
                        }
                    }
                    _ => problem(
                        &mut out,
                        row,
                        h,
                        v,
                        "a coded provision is 0 (absent) or 1 to 3".into(),
                    ),
                }
            } else if !CORE_COLUMNS.contains(&h.as_str()) && !h.is_empty() && !v.trim().is_empty() {
                extra.insert(h.clone(), v.trim().to_string());
            }
        }
        if out.problems.len() + out.omitted > before {
            continue;
        }
        let country_text = cell("Con").trim().to_string();
        let (countries, unmapped) = map_countries(&country_text);
        for u in unmapped {
            *out.unmapped.entry(u).or_default() += 1;
        }
        let mut hasher = Sha256::new();
        for (h, v) in header.iter().zip(rec.iter()) {
            hasher.update(h.as_bytes());
            hasher.update([0x1f]);
            hasher.update(v.as_bytes());
            hasher.update([0x1e]);
        }
        let year = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        out.rows.push(PaxRow {
            row,
            hash: hex::encode(hasher.finalize()),
            data: AgreementData {
                pax_id,
                name,
                date,
                year,
                country_text,
                countries,
                region: cell("Reg").trim().to_string(),
                agreement_type: cell("Agtp").trim().to_string(),
                stage: cell("Stage").trim().to_string(),
                stage_sub: cell("StageSub").trim().to_string(),
                status: cell("Status").trim().to_string(),
                conflict_type: cell("Contp").trim().to_string(),
                peace_process: cell("PPName").trim().to_string(),
                parties: cell("Part").to_string(),
                third_parties: cell("ThrdPart").to_string(),
                facets: Facets::of(&provisions),
                provisions,
                extra,
            },
        });
    }
    if out.omitted > 0 {
        out.problems.push(PaxProblem {
            row: 0,
            column: String::new(),
            value: String::new(),
            message: format!("{} more problems not listed", out.omitted),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "Con,Reg,AgtId,Agt,Dat,Stage,Agtp,Part,GeWom,Wat,HrGen,TjAm,CeProv,SsrDdr,Extra\n";

    #[test]
    fn countries_map_to_iso_and_entities_are_reported() {
        assert_eq!(
            map_countries("Ireland/United Kingdom/(Northern Ireland)"),
            (
                vec!["IE".to_string(), "GB".into()],
                vec!["Northern Ireland".to_string()]
            )
        );
        assert_eq!(
            map_countries(
                "Philippines/Rebolusyonaryong Partido ng Manggagawa-Pilipineas (RPMP/RPA/ABB)"
            )
            .1,
            vec!["Rebolusyonaryong Partido ng Manggagawa-Pilipineas (RPMP/RPA/ABB)".to_string()]
        );
        assert_eq!(map_countries("Sudan/South Sudan").0, vec!["SD", "SS"]);
        assert_eq!(
            map_countries("Democratic Republic of Congo/Cote d'Ivoire").0,
            vec!["CD", "CI"]
        );
        assert_eq!(
            map_countries("Yugoslavia (former)").1,
            vec!["Yugoslavia (former)"]
        );
    }

    #[test]
    fn a_good_file_is_read_with_facets_and_quoted_newlines() {
        let csv = format!(
            "\u{feff}{HEAD}Sudan/(Darfur),Africa (excl MENA),7,\"Doha, Document\",2011-07-14,SubComp,Intra,\"A\r\nB\",1,0,1,2,0,1,x\n"
        );
        let f = read_pax(csv.as_bytes());
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let r = &f.rows[0].data;
        assert_eq!((r.pax_id, r.year, r.parties.as_str()), (7, 2011, "A\r\nB"));
        assert_eq!(r.countries, vec!["SD"]);
        assert!(
            r.facets.women
                && r.facets.human_rights
                && r.facets.transitional_justice
                && r.facets.ssr_ddr
        );
        assert!(!r.facets.water && !r.facets.ceasefire);
        assert_eq!(r.provision("TjAm"), 2);
        assert_eq!(r.extra.get("Extra").map(String::as_str), Some("x"));
        assert_eq!(f.unmapped.get("Darfur"), Some(&1));
    }

    #[test]
    fn problems_name_row_and_column() {
        let csv = format!(
            "{HEAD}Sudan,Africa (excl MENA),1,A,2011-13-01,Pre,Intra,,0,0,0,0,0,0,\nSudan,Africa (excl MENA),1,B,2011-01-01,Pre,Intra,,7,0,0,0,0,0,\nSudan,Africa (excl MENA),2,C\n"
        );
        let f = read_pax(csv.as_bytes());
        let got: Vec<(usize, &str)> = f
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(2, "Dat"), (3, "AgtId"), (3, "GeWom"), (4, "Dat")]
        );
        assert!(f.rows.is_empty());
        let f = read_pax(b"Con,Agt\nSudan,A\n");
        assert!(f.problems.iter().any(|p| p.row == 1 && p.column == "AgtId"));
    }
}
