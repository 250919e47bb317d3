//! Dialogues: the conversations across processes and of one process, one conversation, its
//! participants with their groups, the recomputation, and the team's pages.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/dialogues",                        Body::None, read(DOCUMENTS_WRITE, NO_LABELS)),
    row("GET",    "/api/v1/dialogues/{dialogue}",             Body::None, read(DOCUMENTS_WRITE, INTERNAL)),
    row("GET",    "/api/v1/dialogues/{dialogue}/participants", Body::None, read(DOCUMENTS_WRITE, INTERNAL)),
    row("POST",   "/api/v1/dialogues/{dialogue}/recompute",   Body::None, write(DOCUMENTS_WRITE, ANALYSIS_WRITE, INTERNAL, 200)),
    row("GET",    "/api/v1/processes/{internal}/dialogues",   Body::None, read(DOCUMENTS_WRITE, INTERNAL)),
    row("GET",    "/dialogues",                               Body::None, read(DOCUMENTS_WRITE, NO_LABELS)),
    row("GET",    "/dialogues/{dialogue}",                    Body::None, read(DOCUMENTS_WRITE, INTERNAL)),
];
