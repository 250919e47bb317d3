//! Work on records: the inbox answers everyone (with what waits for them: nothing for a
//! partner or the auditor); comments and assignments of a record are read and written by the
//! staff who read the record (`work::may_work`), and by nobody else — not the partner, not the
//! auditor, not someone outside the record's compartment or below its classification.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/inbox",                                  Body::None, everyone(200)),
    row("GET",    "/api/v1/inbox",                           Body::None, everyone(200)),
    row("GET",    "/api/v1/records/{internal}/comments",     Body::None, read(MEDIATION_READ, INTERNAL)),
    row("GET",    "/api/v1/records/{conf_hoa}/comments",     Body::None, read(MEDIATION_READ, CONF_HOA)),
    row("GET",    "/api/v1/records/{application}/comments",  Body::None, read(FUND_INSIDE, INTERNAL)),
    row("GET",    "/api/v1/records/{incident}/comments",     Body::None, read(EVIDENCE_READ, CONF_EVIDENCE)),
    row("POST",   "/api/v1/records/{internal}/comments",     Body::Comment, write(MEDIATION_READ, MEDIATION_READ, INTERNAL, 201)),
    row("POST",   "/api/v1/records/{alert_hoa}/comments",    Body::Comment, write(ANALYSIS_READ, ANALYSIS_READ, CONF_HOA, 201)),
    row("GET",    "/api/v1/records/{internal}/assignments",  Body::None, read(MEDIATION_READ, INTERNAL)),
    row("GET",    "/api/v1/records/{internal}/history",      Body::None, read(MEDIATION_READ, INTERNAL)),
    row("GET",    "/api/v1/records/{incident}/history",      Body::None, read(EVIDENCE_READ, CONF_EVIDENCE)),
    row("GET",    "/api/v1/records/{secret_yemen}/assignments", Body::None, read(MEDIATION_READ, SECRET_YEMEN)),
    row("POST",   "/api/v1/records/{internal}/assignments",  Body::WorkAssignment, write(MEDIATION_READ, MEDIATION_READ, INTERNAL, 201)),
    // Marked done by the one it is assigned to or who assigned it (here both the coordinator);
    // the other readers of the record are refused, the others do not see it.
    row("POST",   "/api/v1/assignments/{assignment}/done",  Body::None, write(MEDIATION_READ, UNIT_HEAD, INTERNAL, 200)),
    row("POST",   "/records/{internal}/comments",            Body::Form(&[("body", "Matrix comment"), ("next", "/")]), write(MEDIATION_READ, MEDIATION_READ, INTERNAL, 303)),
    row("POST",   "/records/{internal}/assignments",         Body::Form(&[("assignee", "coordinator"), ("due", "2030-01-31"), ("next", "/")]), write(MEDIATION_READ, MEDIATION_READ, INTERNAL, 303)),
    row("POST",   "/assignments/{assignment_ui}/done",       Body::Form(&[("next", "/")]), write(MEDIATION_READ, UNIT_HEAD, INTERNAL, 303)),
    // One's own e-mail notifications: everyone (a read-only token may not change them).
    row("GET",    "/api/v1/me/notifications",                Body::None, everyone(200)),
    row("PUT",    "/api/v1/me/notifications",                Body::Notifications, everyone(200)),
    row("POST",   "/account/notifications",                  Body::Form(&[("email", "someone@example.org"), ("enabled", "1")]), everyone(200)),
];
