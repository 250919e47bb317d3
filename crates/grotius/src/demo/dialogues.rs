//! Demo dialogue: an invented consultation of the Sudan civilian dialogue (statements written
//! for the demo, votes generated from a fixed seed by three planted camps: civilian-rule
//! advocates, a negotiated deal with the armed parties, and local protection first), imported the way a Pol.is export
//! is, so the team pages show groups, representative statements and consensus.

use anyhow::{Context, Result};
use grotius_domain::Classification;
use grotius_domain::dialogue::{
    Moderation, PolisExport, PolisParticipant, PolisStatement, PolisVote, Vote,
};
use grotius_store::Access;

const TOPIC: &str = "Sudan civilian consultation: priorities for the next round (invented demo)";

/// (statement, camp A, camp B, camp C): each camp's leaning, 1 agree, -1 disagree, 0 split.
const STATEMENTS: &[(&str, i8, i8, i8)] = &[
    (
        "Humanitarian corridors must open before any political talks.",
        1,
        1,
        1,
    ),
    (
        "Women must hold at least 30% of every delegation.",
        1,
        -1,
        1,
    ),
    (
        "The armed parties should have no role in a transitional government.",
        1,
        -1,
        -1,
    ),
    (
        "Local ceasefires negotiated by community leaders are worth supporting now.",
        -1,
        -1,
        1,
    ),
    (
        "Those responsible for attacks on civilians must face trial, even if it delays a deal.",
        1,
        -1,
        -1,
    ),
    (
        "Displaced families must be able to return with guarantees of safety before elections.",
        1,
        1,
        1,
    ),
    (
        "The resistance committees should sit at the main negotiating table.",
        1,
        -1,
        -1,
    ),
    ("Regional states should guarantee any agreement.", -1, 1, -1),
    (
        "Gold revenues should be placed under independent monitoring.",
        1,
        -1,
        1,
    ),
    ("Talks should be held inside Sudan, not abroad.", 0, 1, -1),
    (
        "An amnesty for fighters who lay down arms is acceptable.",
        -1,
        1,
        1,
    ),
    (
        "Schools and hospitals must be declared off-limits by both armies.",
        1,
        1,
        1,
    ),
];

fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

fn export() -> PolisExport {
    let mut state = 0x5ada_2026_u64;
    let mut votes = Vec::new();
    let mut participants = Vec::new();
    for p in 0..150i64 {
        let camp = (p % 3) as usize;
        participants.push(PolisParticipant {
            source_id: p,
            polis_group: None,
        });
        for (s, st) in STATEMENTS.iter().enumerate() {
            let r = next(&mut state) % 100;
            if r < 15 {
                continue; // not seen
            }
            let lean = [st.1, st.2, st.3][camp];
            let vote = match (lean, r % 10) {
                (_, 0) => Vote::Pass,
                (1, x) if x < 9 => Vote::Agree,
                (-1, x) if x < 9 => Vote::Disagree,
                (0, x) if x < 5 => Vote::Agree,
                (0, _) => Vote::Disagree,
                (1, _) => Vote::Disagree,
                _ => Vote::Agree,
            };
            votes.push(PolisVote {
                statement_source_id: s as i64,
                participant_source_id: p,
                vote,
                at_ms: Some(1_780_000_000_000 + p * 60_000 + s as i64 * 1_000),
            });
        }
    }
    PolisExport {
        topic: Some(TOPIC.into()),
        description: Some(
            "What should the mediators carry into the next round? Invented statements and votes for the demo."
                .into(),
        ),
        url: None,
        statements: STATEMENTS
            .iter()
            .enumerate()
            .map(|(i, s)| PolisStatement {
                source_id: i as i64,
                author_source_id: None,
                created_ms: Some(1_780_000_000_000),
                moderation: Moderation::Accepted,
                body: s.0.into(),
            })
            .collect(),
        participants,
        votes,
        replaced_votes: Vec::new(),
    }
}

/// Files the consultation under the Sudan civilian dialogue process (once).
pub async fn seed(coordinator: &Access) -> Result<()> {
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    let process = processes
        .items
        .iter()
        .find(|p| p.title.starts_with("Sudan: civilian dialogue"))
        .context("the demo process 'Sudan: civilian dialogue' is missing")?;
    let existing = coordinator.list_process_dialogues(&process.id).await?;
    if existing.iter().any(|d| d.topic == TOPIC) {
        return Ok(());
    }
    coordinator
        .import_polis_dialogue(
            &process.id,
            &export(),
            "grotius demo (invented)",
            Classification::Internal,
            &mut |_, _| {},
        )
        .await?;
    Ok(())
}

const LIVE_TOPIC: &str = "Going home: what must come first? (invented demo, open)";

/// A conversation run inside Grotius, open for participation in four languages with its
/// moderation queue holding items: a few invented participants have voted through the
/// participation link, and two have written statements (one a near-duplicate) that wait for
/// a moderator. Once.
pub async fn seed_live(store: &grotius_store::Store, coordinator: &Access) -> Result<()> {
    use grotius_domain::dialogue::{ModerationMode, NewDialogue};
    let processes = coordinator
        .list_processes(&Default::default(), 500, 0)
        .await?;
    let process = processes
        .items
        .iter()
        .find(|p| p.title.starts_with("Sudan: civilian dialogue"))
        .context("the demo process 'Sudan: civilian dialogue' is missing")?;
    let existing = coordinator.list_process_dialogues(&process.id).await?;
    if existing.iter().any(|d| d.topic == LIVE_TOPIC) {
        return Ok(());
    }
    let seeds = [
        "Roads to the villages must be cleared of mines before families return.",
        "Women must sit on every return committee.",
        "Schools and clinics should reopen before people are asked to go back.",
        "Those who took houses must leave them before the owners return.",
    ];
    let d = coordinator
        .create_dialogue(
            NewDialogue {
                process_id: process.id.clone(),
                topic: LIVE_TOPIC.to_string(),
                description: "A consultation of displaced people on the conditions for return. Share the link; answers are anonymous.".to_string(),
                languages: ["en", "ar", "fr", "nl"].map(String::from).to_vec(),
                opens_at: None,
                closes_at: None,
                moderation: ModerationMode::Before,
                seeds: seeds.map(String::from).to_vec(),
                invitation_only: false,
                attributes: grotius_domain::dialogue_attributes::parse_question_lines(
                    "Gender: women | men\nWhere do you live now?: in a camp | with a host family | back home",
                )?,
            },
            grotius_domain::Labels {
                classification: Classification::Internal,
                compartment: None,
            },
        )
        .await?;
    let link = d.link_token.context("a new conversation has a link")?;
    let p = store
        .participation(&link)
        .await?
        .context("the link names the conversation")?;
    // Sixteen invented participants with fixed answers (1 agree, -1 disagree, 0 pass; the
    // second eight differ on the second statement) and self-declared attributes: about two
    // thirds women, half in a camp (the smaller answers stay under the small-cell limit).
    const ANSWERS: [[i8; 4]; 8] = [
        [1, 1, 1, 1],
        [1, 1, 1, -1],
        [1, -1, 1, 1],
        [1, 1, 0, 1],
        [1, -1, -1, 1],
        [1, 1, 1, 0],
        [1, -1, 1, -1],
        [1, 1, -1, 1],
    ];
    for i in 0..16 {
        let mut answers = ANSWERS[i % 8];
        if i >= 8 {
            answers[1] = -answers[1];
        }
        let n = p
            .join(&grotius_security::new_token(
                grotius_security::TokenKind::Session,
            ))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for (s, a) in answers.iter().enumerate() {
            let vote = Vote::from_polis(i64::from(*a)).context("a vote")?;
            p.vote(n, s as i64, vote)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let gender = if i % 3 == 0 { 1 } else { 0 };
        let place = match i % 4 {
            0 | 2 => 0,
            1 => 1,
            _ => 2,
        };
        p.declare(n, &[Some(gender), Some(place)])
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if i == 2 {
            p.submit(
                n,
                "Water points in the villages need repair before the rains.",
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if i == 5 {
            p.submit(n, "Women must sit on every return committee!")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    coordinator.recompute_dialogue(&d.id).await?;
    Ok(())
}
