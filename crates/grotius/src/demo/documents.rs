//! Demo documents: short texts written for the demo (no third-party material) in English,
//! Dutch, French and Arabic, made into real files at seed time — DOCX and PDF by the store's
//! writers, HTML, Markdown and plain text as they are — and uploaded through `create_document`
//! like any user's file, so extraction, language detection, encryption and indexing all run.

use anyhow::{Context, Result};
use grotius_domain::document::DocumentInput;
use grotius_store::{Access, Upload};

const NL_NOTE: &str = "Beleidsnotitie: vrouwen aan de onderhandelingstafel in Sudan

Nederland steunt sinds 2023 de civiele dialoog in Sudan. De onderhandelingen tussen de strijdende partijen hebben tot nu toe weinig ruimte gelaten voor vrouwenorganisaties.

Voorstel: de eenheid financiert een voorbereidend traject voor vrouwelijke bemiddelaars uit Darfur en Kordofan, zodat zij bij de volgende ronde als waarnemers aanwezig kunnen zijn.

Risico's: de veiligheid van deelnemers tijdens het reizen, en de beperkte toegang tot internet in de regio.";

const EN_BRIEFING: &str = "Process briefing: implementation of the revitalised agreement

The parties agreed in 2018 to unify their forces and to hold elections. Implementation has been slow: the unified forces are not yet deployed, and the electoral calendar was extended twice.

Our support: a small team of advisers to the monitoring body, and a fund for local dialogues in Upper Nile and Jonglei about cattle routes and water points.

Next steps: a review with the guarantors before the end of the year.";

const FR_COMMUNIQUE: &str = "<!DOCTYPE html><html lang=\"fr\"><head><title>Communiqué</title><style>p { margin: 0 }</style></head><body>
<h1>Communiqué conjoint sur la médiation communautaire au Sahel central</h1>
<p>Les représentants des communautés pastorales et agricoles se sont réunis à Mopti du 3 au 5 mars. Les négociations ont porté sur l'accès aux points d'eau et sur les couloirs de transhumance.</p>
<p>Les participants ont convenu de créer des comités locaux de médiation, avec au moins un tiers de femmes, et de se réunir à nouveau avant la saison des pluies.</p>
</body></html>";

const AR_STATEMENT: &str = "# بيان حول الحوار بشأن المياه والطرق في تعز

اجتمع ممثلو السلطات المحلية ووجهاء المجتمع في تعز لمناقشة فتح الطرق وتقاسم المياه بين أحياء المدينة.

اتفق المشاركون على تشكيل لجنة مشتركة لمتابعة المفاوضات، وعلى إعطاء الأولوية لإيصال المياه إلى المستشفيات والمدارس.";

const EN_WATER_NOTE: &str = "Note on the Nile basin water dialogue

The technical track met in Entebbe. Delegations exchanged data on river flows for the first time since 2020.

Open questions: the filling schedule of the dam during dry years, and a joint mechanism to share flood warnings.";

struct DemoDocument {
    title: &'static str,
    date: &'static str,
    author: &'static str,
    countries: &'static [&'static str],
    themes: &'static [&'static str],
    /// Title prefix of the linked process.
    process: &'static str,
    classification: &'static str,
    compartment: Option<&'static str>,
    filename: &'static str,
    file: fn() -> Vec<u8>,
}

const DOCUMENTS: &[DemoDocument] = &[
    DemoDocument {
        title: "Beleidsnotitie: vrouwen aan de onderhandelingstafel in Sudan",
        date: "2025-02-11",
        author: "Eenheid Vredesbemiddeling",
        countries: &["SD"],
        themes: &["wps"],
        process: "Sudan: civilian dialogue",
        classification: "internal",
        compartment: None,
        filename: "beleidsnotitie-sudan.docx",
        file: || grotius_store::docx_from_text(NL_NOTE),
    },
    DemoDocument {
        title: "Process briefing: implementation of the revitalised agreement",
        date: "2025-06-30",
        author: "Desk South Sudan",
        countries: &["SS"],
        themes: &["rule-of-law", "water"],
        process: "South Sudan: implementation",
        classification: "internal",
        compartment: None,
        filename: "briefing-south-sudan.pdf",
        file: || {
            grotius_store::pdf_from_text(
                "Process briefing",
                EN_BRIEFING
                    .split_once('\n')
                    .map_or(EN_BRIEFING, |(_, rest)| rest),
            )
        },
    },
    DemoDocument {
        title: "Communiqué conjoint sur la médiation communautaire au Sahel central",
        date: "2024-03-06",
        author: "Réseau de médiation communautaire",
        countries: &["ML", "BF", "NE"],
        themes: &["water", "wps"],
        process: "Central Sahel",
        classification: "public",
        compartment: None,
        filename: "communique-sahel.html",
        file: || FR_COMMUNIQUE.as_bytes().to_vec(),
    },
    DemoDocument {
        title: "بيان حول الحوار بشأن المياه والطرق في تعز",
        date: "2025-09-14",
        author: "لجنة الحوار المحلية",
        countries: &["YE"],
        themes: &["water"],
        process: "Yemen: Taiz",
        classification: "confidential",
        compartment: Some("yemen"),
        filename: "taiz-statement.md",
        file: || AR_STATEMENT.as_bytes().to_vec(),
    },
    DemoDocument {
        title: "Note on the Nile basin water dialogue",
        date: "2025-11-20",
        author: "Water adviser",
        countries: &["EG", "ET", "SD"],
        themes: &["water"],
        process: "Nile basin",
        classification: "confidential",
        compartment: Some("horn-of-africa"),
        filename: "nile-note.txt",
        file: || EN_WATER_NOTE.as_bytes().to_vec(),
    },
];

pub async fn seed(coordinator: &Access) -> Result<()> {
    let existing = coordinator
        .list_documents(&Default::default(), 1, 0)
        .await?;
    if existing.total > 0 {
        return Ok(());
    }
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?
        .items;
    for d in DOCUMENTS {
        let process = processes
            .iter()
            .find(|p| p.title.starts_with(d.process))
            .with_context(|| format!("demo process {} is missing", d.process))?;
        let input = DocumentInput {
            title: d.title.into(),
            date: d.date.into(),
            language: String::new(),
            author: d.author.into(),
            countries: d.countries.iter().map(|c| c.to_string()).collect(),
            themes: d.themes.iter().map(|c| c.to_string()).collect(),
            processes: vec![process.id.clone()],
            classification: d.classification.into(),
            compartment: d.compartment.map(str::to_string),
        };
        let upload = Upload {
            filename: d.filename.into(),
            bytes: (d.file)(),
        };
        coordinator
            .create_document(&input, &upload)
            .await
            .with_context(|| format!("demo document {}", d.title))?;
    }
    Ok(())
}
