//! The platform: the signed-in user, users, compartments, tokens, audit, reference lists, the home, admin and account pages, access decisions.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/me",                         Body::None, read(EVERYONE, NO_LABELS)),
    row("GET",    "/api/v1/users",                      Body::None, read(ADMIN, NO_LABELS)),
    row("POST",   "/api/v1/users",                      Body::NewUser, write(ADMIN, ADMIN, NO_LABELS, 201)),
    row("GET",    "/api/v1/users/{me}",                 Body::None, read(EVERYONE, NO_LABELS)),
    row("GET",    "/api/v1/users/{other_user}",         Body::None, read(ADMIN, NO_LABELS)),
    row("PATCH",  "/api/v1/users/{other_user}",         Body::Form(&[]), write(ADMIN, ADMIN, NO_LABELS, 200)),
    row("GET",    "/api/v1/compartments",               Body::None, read(EVERYONE, NO_LABELS)),
    // A compartment is seen by its members and by the administrator, who is a member of none.
    row("GET",    "/api/v1/compartments/yemen",         Body::None, read(EVERYONE, YEMEN).but(&[("admin", 200)])),
    row("GET",    "/api/v1/compartments/evidence-sudan", Body::None, read(EVERYONE, EVIDENCE_SUDAN).but(&[("admin", 200)])),
    row("POST",   "/api/v1/compartments",               Body::NewCompartment, write(ADMIN, ADMIN, NO_LABELS, 201)),
    // Members of a compartment add members; the administrator sees it but may not (403).
    row("POST",   "/api/v1/compartments/latam/members", Body::NewMember, write(EVERYONE, EVERYONE, LATAM, 204).but(&[("admin", 403)])),
    row("DELETE", "/api/v1/compartments/latam/members/{other_user}", Body::None, write(ADMIN, ADMIN, NO_LABELS, 204)),
    row("GET",    "/api/v1/tokens",                     Body::None, read(EVERYONE, NO_LABELS)),
    row("POST",   "/api/v1/tokens",                     Body::NewToken, everyone(201)),
    row("DELETE", "/api/v1/tokens/{other_token}",       Body::None, write(ADMIN, ADMIN, NO_LABELS, 204)),
    row("GET",    "/api/v1/audit",                      Body::None, read(AUDIT, NO_LABELS)),
    row("GET",    "/api/v1/countries",                  Body::None, read(EVERYONE, NO_LABELS)),
    row("GET",    "/api/v1/vocabularies",               Body::None, read(EVERYONE, NO_LABELS)),
    // The HTML UI: the same policy behind the pages and forms.
    row("GET",    "/",                                  Body::None, read(EVERYONE, NO_LABELS)),
    row("GET",    "/admin",                             Body::None, read(ADMIN, NO_LABELS)),
    row("GET",    "/admin/users/{other_user}",          Body::None, read(ADMIN, NO_LABELS)),
    // As in the API: members and the administrator.
    row("GET",    "/admin/compartments/yemen",          Body::None, read(EVERYONE, YEMEN).but(&[("admin", 200)])),
    row("POST",   "/admin/compartments",                Body::Form(&[("id", "ui-{n}"), ("name", "UI compartment")]), write(ADMIN, ADMIN, NO_LABELS, 303)),
    // No one grants herself a membership (the coordinator is a member, the others are not; the
    // administrator sees every compartment).
    row("POST",   "/admin/compartments/yemen/members",  Body::Form(&[("user_id", "{me}"), ("reason", "matrix: myself")]), write(EVERYONE, EVERYONE, YEMEN, 403).but(&[("admin", 403)])),
    row("GET",    "/audit",                             Body::None, read(AUDIT, NO_LABELS)),
    row("GET",    "/audit.csv",                         Body::None, read(AUDIT, NO_LABELS)),
    row("GET",    "/reference",                         Body::None, read(EVERYONE, NO_LABELS)),
    row("GET",    "/account",                           Body::None, read(EVERYONE, NO_LABELS)),
    // Access decisions across mediation and evidence: administrators ask; the coordinator and
    // the custodian decide — only for their own side (the coordinator gets 422 on an evidence
    // request), never the one who asked; the auditor reads.
    row("GET",    "/api/v1/access-decisions",           Body::None, read(DECISIONS_READ, NO_LABELS)),
    row("POST",   "/api/v1/access-decisions",           Body::Crossing, write(DECISIONS_READ, ADMIN, NO_LABELS, 201)),
    row("GET",    "/api/v1/access-decisions/{decision}", Body::None, read(EVIDENCE_DECISIONS_READ, NO_LABELS)),
    row("POST",   "/api/v1/access-decisions/{decision}/decision", Body::Decide, write(EVIDENCE_DECISIONS_READ, EVIDENCE_CUSTODY, NO_LABELS, 200)),
    row("GET",    "/access-decisions",                  Body::None, read(DECISIONS_READ, NO_LABELS)),
    row("POST",   "/access-decisions",                  Body::Form(&[("user_id", "{user_desk}"), ("compartment", "evidence-sudan"), ("reason", "Matrix: needs the El Fasher incident file")]), write(DECISIONS_READ, ADMIN, NO_LABELS, 303)),
    row("POST",   "/access-decisions/{decision_ui}/decision", Body::Form(&[("approve", "0"), ("note", "Matrix: no need to know")]), write(EVIDENCE_DECISIONS_READ, EVIDENCE_CUSTODY, NO_LABELS, 303)),
    // Static assets and the language switch (a preference, not a state change: GET).
    row("GET",    "/static/app.css",                    Body::None, everyone(200)),
    row("GET",    "/static/app.js",                     Body::None, everyone(200)),
    row("GET",    "/lang/nl?next=/account",             Body::None, everyone(303)),
    row("GET",    "/lang/en?next=/account",             Body::None, everyone(303)),
    row("GET",    "/healthz",                           Body::None, everyone(200)),
    // Metrics answer loopback peers that no proxy forwarded (the tests run on loopback).
    row("GET",    "/metrics",                           Body::None, everyone(200)),
    row("GET",    "/api/v1/openapi.json",               Body::None, everyone(200)),
    // Signing in: a fresh browser without a session (run once: it carries no role); wrong
    // credentials answer 401.
    row("GET",    "/login",                             Body::Anonymous(&[]), everyone(200)),
    row("POST",   "/login",                             Body::Anonymous(&[("username", "nobody-{n}"), ("password", "wrong")]), everyone(401)),
    row("GET",    "/login/totp",                        Body::Anonymous(&[]), everyone(303)),
    row("POST",   "/login/totp",                        Body::Anonymous(&[("code", "000000")]), everyone(303)),
    row("POST",   "/api/v1/auth/token",                 Body::WrongCredentials, everyone(401)),
    // Signing out: a fresh session of the role (the runner's own session stays).
    row("POST",   "/logout",                            Body::OwnSession, everyone(303)),
    // One's own account: every role.
    row("POST",   "/account/totp/enrol",                Body::Form(&[]), everyone(200)),
    row("POST",   "/account/totp/confirm",              Body::Form(&[("code", "000000")]), everyone(422)),
    row("POST",   "/account/password",                  Body::Form(&[("current", "wrong"), ("new", "a new long passphrase {n}")]), everyone(422)),
    row("POST",   "/account/tokens",                    Body::Form(&[("name", "UI token {n}"), ("scope", "read"), ("days", "1")]), everyone(200)),
    row("POST",   "/account/tokens/{other_token}/revoke", Body::Form(&[]), write(ADMIN, ADMIN, NO_LABELS, 303)),
    // Administering users and memberships: the administrator only.
    row("POST",   "/admin/users",                       Body::Form(&[("username", "ui-user-{n}"), ("display_name", "UI user"), ("password", "a long enough passphrase"), ("roles", "analyst"), ("classification", "internal")]), write(ADMIN, ADMIN, NO_LABELS, 303)),
    row("POST",   "/admin/users/{other_user}",          Body::Form(&[("display_name", "Outsider"), ("roles", "analyst"), ("classification", "internal")]), write(ADMIN, ADMIN, NO_LABELS, 200)),
    row("POST",   "/admin/users/{other_user}/password", Body::Form(&[("password", "another long passphrase")]), write(ADMIN, ADMIN, NO_LABELS, 200)),
    row("POST",   "/admin/users/{other_user}/totp-reset", Body::Form(&[]), write(ADMIN, ADMIN, NO_LABELS, 303)),
    row("POST",   "/admin/compartments/latam/members/{other_user}/remove", Body::Form(&[]), write(ADMIN, ADMIN, NO_LABELS, 303)),
];
