//! Dialogues: the conversations across processes and of one process, one conversation, its
//! participants with their groups, the recomputation, and the team's pages. Read by those who
//! work on analyses and, as the rest of the mediation side, by the administrator (who reads but
//! does not recompute).

use super::*;

/// The administrator reads dialogues (mediation side, no compartments).
const ADMIN_READS: &[(&str, u16)] = &[("admin", 200)];
/// … and may not recompute them.
const ADMIN_SEES: &[(&str, u16)] = &[("admin", 403)];

/// Readers of dialogues without the export right.
const NO_EXPORT: &[(&str, u16)] = &[("admin", 403), ("analyst", 403), ("desk-officer", 403)];

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/dialogues",                        Body::None, read(DOCUMENTS_WRITE, NO_LABELS).but(ADMIN_READS)),
    row("GET",    "/api/v1/dialogues/{dialogue}",             Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    row("GET",    "/api/v1/dialogues/{dialogue}/participants", Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    // Agreement per self-declared attribute: aggregates with small cells cut, read like the
    // results.
    row("GET",    "/api/v1/dialogues/{dialogue}/attributes",  Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    row("POST",   "/api/v1/dialogues/{dialogue}/recompute",   Body::None, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    row("GET",    "/api/v1/processes/{internal}/dialogues",   Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    row("GET",    "/dialogues",                               Body::None, read(DOCUMENTS_WRITE, NO_LABELS).but(ADMIN_READS)),
    row("GET",    "/dialogues/{dialogue}",                    Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    // Running a conversation: those who recompute also create, open and close, add statements
    // and moderate; the administrator reads and does none of it.
    row("POST",   "/api/v1/dialogues",                        Body::DialogueNew, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 201).but(ADMIN_SEES)),
    row("POST",   "/api/v1/dialogues/{dialogue}/status",      Body::DialogueStatus, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    row("POST",   "/api/v1/dialogues/{dialogue}/statements",  Body::DialogueStatement, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 201).but(ADMIN_SEES)),
    row("GET",    "/api/v1/dialogues/{dialogue}/moderation",  Body::None, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    row("POST",   "/api/v1/dialogues/{dialogue}/statements/{dialogue_statement}/moderation", Body::DialogueModeration, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 204).but(ADMIN_SEES)),
    row("POST",   "/api/v1/dialogues/{dialogue}/statements/{dialogue_statement}/translations", Body::DialogueTranslation, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 204).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue}/statements/{dialogue_statement}/translation", Body::Form(&[("lang", "en"), ("body", "A matrix translation.")]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 303).but(ADMIN_SEES)),
    row("POST",   "/api/v1/dialogues/{dialogue_run}/invitations", Body::DialogueInvite, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 201).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue_run}/invitations",    Body::Form(&[("count", "1")]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    // A paper round typed into a spreadsheet: those who run the conversation. The UI row's
    // file is not a paper-round sheet (the matrix's small upload), so those allowed get 422.
    row("POST",   "/api/v1/dialogues/{dialogue_run}/paper-round", Body::DialoguePaperRound, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue_run}/paper-round",    Body::UiMultipart(&[]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 422).but(ADMIN_SEES)),
    row("GET",    "/dialogues/new",                           Body::None, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, NO_LABELS, 200).but(ADMIN_SEES)),
    row("POST",   "/dialogues",                               Body::Form(DIALOGUE_FORM), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 303).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue}/status",             Body::Form(&[("status", "closed")]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 303).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue}/statements",         Body::Form(&[("body", "A matrix statement.")]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 303).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue}/recompute",          Body::Form(&[]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 303).but(ADMIN_SEES)),
    row("GET",    "/dialogues/{dialogue}/moderation",         Body::None, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    row("POST",   "/dialogues/{dialogue}/moderation",         Body::Form(&[("statement", "0"), ("decision", "accept")]), write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 303).but(ADMIN_SEES)),
    // The Pol.is export: those with the export right on dialogues (coordinator, adviser); the
    // analyst runs conversations but does not take their data out.
    row("GET",    "/api/v1/dialogues/{dialogue}/export/{polis_votes}", Body::None, read(DISAGGREGATED_EXPORT, INTERNAL).but(NO_EXPORT)),
    row("GET",    "/dialogues/{dialogue}/export/{polis_comments}", Body::None, read(DISAGGREGATED_EXPORT, INTERNAL).but(NO_EXPORT)),
    // The participation surface answers anyone with the link (no session); with a link that
    // names no conversation it is a bare 404, and its forms need the participant's cookie.
    row("GET",    "/p/no-such-id",                          Body::Anonymous(&[]), everyone(404)),
    row("POST",   "/p/no-such-id/vote",                     Body::Anonymous(&[("statement", "0"), ("vote", "agree")]), everyone(404)),
    row("POST",   "/p/no-such-id/statement",                Body::Anonymous(&[("body", "A matrix statement.")]), everyone(404)),
    row("POST",   "/p/no-such-id/about",                    Body::Anonymous(&[("attr-0", "0")]), everyone(404)),
];

/// A conversation of the internal fixture process, filed internal.
const DIALOGUE_FORM: &[(&str, &str)] = &[
    ("process_id", "{internal}"),
    ("topic", "Matrix conversation"),
    ("languages", "en"),
    ("moderation", "before"),
    ("classification", "internal"),
    ("seeds", "A matrix seed statement."),
];
