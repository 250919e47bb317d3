//! The platform: the signed-in user, users, compartments, tokens, audit, reference lists, the home, admin and account pages, access decisions.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/me",                         Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/users",                      Body::None, read(ADMIN, NO_LABELS), [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/users",                      Body::NewUser, write(ADMIN, ADMIN, NO_LABELS, 201), [201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/users/{me}",                 Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/users/{other_user}",         Body::None, read(ADMIN, NO_LABELS), [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("PATCH",  "/api/v1/users/{other_user}",         Body::Form(&[]), write(ADMIN, ADMIN, NO_LABELS, 200), [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/compartments",               Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/compartments/yemen",         Body::None, read(EVERYONE, YEMEN).but(&[("admin", 200)]), [200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/compartments/evidence-sudan", Body::None, read(EVERYONE, EVIDENCE_SUDAN).but(&[("admin", 200)]), [200, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, 404, 404]),
    row("POST",   "/api/v1/compartments",               Body::NewCompartment, write(ADMIN, ADMIN, NO_LABELS, 201), [201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/compartments/latam/members", Body::NewMember, write(EVERYONE, EVERYONE, LATAM, 204).but(&[("admin", 403)]), [403, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("DELETE", "/api/v1/compartments/latam/members/{other_user}", Body::None, write(ADMIN, ADMIN, NO_LABELS, 204), [204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/tokens",                     Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("POST",   "/api/v1/tokens",                     Body::NewToken, everyone(201), [201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201]),
    row("DELETE", "/api/v1/tokens/{other_token}",       Body::None, write(ADMIN, ADMIN, NO_LABELS, 204), [204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/api/v1/audit",                      Body::None, read(AUDIT, NO_LABELS), [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    row("GET",    "/api/v1/countries",                  Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/api/v1/vocabularies",               Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    // The HTML UI: the same policy behind the pages and forms.
    row("GET",    "/",                                  Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/admin",                             Body::None, read(ADMIN, NO_LABELS), [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/admin/users/{other_user}",          Body::None, read(ADMIN, NO_LABELS), [200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/admin/compartments/yemen",          Body::None, read(EVERYONE, YEMEN).but(&[("admin", 200)]), [200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/admin/compartments",                Body::Form(&[("id", "ui-{n}"), ("name", "UI compartment")]), write(ADMIN, ADMIN, NO_LABELS, 303), [303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // No one grants herself a membership (the coordinator is a member, the others are not).
    row("POST",   "/admin/compartments/yemen/members",  Body::Form(&[("user_id", "{me}"), ("reason", "matrix: myself")]), write(EVERYONE, EVERYONE, YEMEN, 403).but(&[("admin", 403)]), [403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("GET",    "/audit",                             Body::None, read(AUDIT, NO_LABELS), [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    row("GET",    "/audit.csv",                         Body::None, read(AUDIT, NO_LABELS), [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200]),
    row("GET",    "/reference",                         Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    row("GET",    "/account",                           Body::None, read(EVERYONE, NO_LABELS), [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    // Access decisions across mediation and evidence: administrators ask; the coordinator and
    // the custodian decide — only for their own side (the coordinator gets 422 on an evidence
    // request), never the one who asked; the auditor reads.
    row("GET",    "/api/v1/access-decisions",           Body::None, read(DECISIONS_READ, NO_LABELS), [200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200]),
    row("POST",   "/api/v1/access-decisions",           Body::Crossing, write(DECISIONS_READ, ADMIN, NO_LABELS, 201), [201, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 403]),
    row("GET",    "/api/v1/access-decisions/{decision}", Body::None, read(EVIDENCE_DECISIONS_READ, NO_LABELS), [200, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200]),
    row("POST",   "/api/v1/access-decisions/{decision}/decision", Body::Decide, write(EVIDENCE_DECISIONS_READ, EVIDENCE_CUSTODY, NO_LABELS, 200), [403, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 403]),
    row("GET",    "/access-decisions",                  Body::None, read(DECISIONS_READ, NO_LABELS), [200, 200, 404, 404, 404, 404, 404, 404, 200, 404, 404, 404, 200]),
    row("POST",   "/access-decisions",                  Body::Form(&[("user_id", "{user_desk}"), ("compartment", "evidence-sudan"), ("reason", "Matrix: needs the El Fasher incident file")]), write(DECISIONS_READ, ADMIN, NO_LABELS, 303), [303, 403, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404, 403]),
    row("POST",   "/access-decisions/{decision_ui}/decision", Body::Form(&[("approve", "0"), ("note", "Matrix: no need to know")]), write(EVIDENCE_DECISIONS_READ, EVIDENCE_CUSTODY, NO_LABELS, 303), [403, 404, 404, 404, 404, 404, 404, 404, 303, 404, 404, 404, 403]),
];
