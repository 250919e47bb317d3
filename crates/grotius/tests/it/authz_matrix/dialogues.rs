//! Dialogues: the conversations across processes and of one process, one conversation, its
//! participants with their groups, the recomputation, and the team's pages. Read by those who
//! work on analyses and, as the rest of the mediation side, by the administrator (who reads but
//! does not recompute).

use super::*;

/// The administrator reads dialogues (mediation side, no compartments).
const ADMIN_READS: &[(&str, u16)] = &[("admin", 200)];
/// … and may not recompute them.
const ADMIN_SEES: &[(&str, u16)] = &[("admin", 403)];

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/dialogues",                        Body::None, read(DOCUMENTS_WRITE, NO_LABELS).but(ADMIN_READS)),
    row("GET",    "/api/v1/dialogues/{dialogue}",             Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    row("GET",    "/api/v1/dialogues/{dialogue}/participants", Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    row("POST",   "/api/v1/dialogues/{dialogue}/recompute",   Body::None, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200).but(ADMIN_SEES)),
    row("GET",    "/api/v1/processes/{internal}/dialogues",   Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
    row("GET",    "/dialogues",                               Body::None, read(DOCUMENTS_WRITE, NO_LABELS).but(ADMIN_READS)),
    row("GET",    "/dialogues/{dialogue}",                    Body::None, read(DOCUMENTS_WRITE, INTERNAL).but(ADMIN_READS)),
];
