//! The roster: experts and requests for support.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    // The roster. Experts: read by admin, coordinator, desk officer, analyst, fund officer, adviser.
    row("GET",    "/api/v1/experts",                    Body::None, read(EXPERTS_READ, NO_LABELS), [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/experts/{expert}",           Body::None, read(EXPERTS_READ, NO_LABELS), [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/experts/{expert_yemen}",     Body::None, read(UNIT_HEAD, CONF_YEMEN), [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/experts",                    Body::Expert, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 201), [403, 201, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/experts/{expert}",           Body::Expert, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200), [403, 200, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/experts/{fresh_expert}",     Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 204), [403, 204, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/experts/export?format=csv",  Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200), [403, 200, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/api/v1/experts/import",             Body::ExpertCsv, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200), [403, 200, 403, 403, 403, 404, 404, 404, 404, 404, 403, 404, 404]),
    // Requests for support: read by admin, coordinator, desk officer, analyst, fund officer and approver, adviser.
    row("GET",    "/api/v1/requests",                   Body::None, read(LESSONS_READ, NO_LABELS), [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/requests/dashboard",         Body::None, read(LESSONS_READ, NO_LABELS), [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/requests/{request}",         Body::None, read(LESSONS_READ, NO_LABELS), [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/api/v1/requests/{request_yemen}",   Body::None, read(UNIT_HEAD, CONF_YEMEN), [404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
    row("POST",   "/api/v1/requests",                   Body::Request, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 201), [403, 201, 201, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("PUT",    "/api/v1/requests/{request}",         Body::Request, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 200), [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/requests/{fresh_request}",   Body::None, write(LESSONS_READ, UNIT_HEAD, NO_LABELS, 204), [403, 204, 403, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("POST",   "/api/v1/requests/{fresh_request}/transitions", Body::Transition, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 200), [403, 200, 200, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/api/v1/requests/{request}/matches", Body::None, read(EXPERTS_READ, NO_LABELS), [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("POST",   "/api/v1/requests/{fresh_request}/team", Body::Assign, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 204), [403, 204, 204, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("DELETE", "/api/v1/requests/{request}/team/{expert}", Body::None, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 204), [403, 204, 204, 403, 403, 403, 404, 404, 404, 404, 403, 404, 404]),
    row("GET",    "/roster",                            Body::None, read(EXPERTS_READ, NO_LABELS), [200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/roster/dashboard",                  Body::None, read(LESSONS_READ, NO_LABELS), [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
    row("GET",    "/roster/requests",                   Body::None, read(LESSONS_READ, NO_LABELS), [200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404]),
];
