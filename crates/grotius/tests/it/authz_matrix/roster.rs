//! The roster: experts and requests for support.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    // The roster. Experts: read by admin, coordinator, desk officer, analyst, fund officer, adviser.
    row("GET",    "/api/v1/experts",                    Body::None, read(EXPERTS_READ, NO_LABELS)),
    row("GET",    "/api/v1/experts/{expert}",           Body::None, read(EXPERTS_READ, NO_LABELS)),
    row("GET",    "/api/v1/experts/{expert_yemen}",     Body::None, read(UNIT_HEAD, CONF_YEMEN)),
    row("POST",   "/api/v1/experts",                    Body::Expert, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 201)),
    row("PUT",    "/api/v1/experts/{expert}",           Body::Expert, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200)),
    row("DELETE", "/api/v1/experts/{fresh_expert}",     Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 204)),
    row("GET",    "/api/v1/experts/export?format=csv",  Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200)),
    row("POST",   "/api/v1/experts/import",             Body::ExpertCsv, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200)),
    // Requests for support: read by admin, coordinator, desk officer, analyst, fund officer and approver, adviser.
    row("GET",    "/api/v1/requests",                   Body::None, read(LESSONS_READ, NO_LABELS)),
    row("GET",    "/api/v1/requests/dashboard",         Body::None, read(LESSONS_READ, NO_LABELS)),
    row("GET",    "/api/v1/requests/{request}",         Body::None, read(LESSONS_READ, NO_LABELS)),
    row("GET",    "/api/v1/requests/{request_yemen}",   Body::None, read(UNIT_HEAD, CONF_YEMEN)),
    row("POST",   "/api/v1/requests",                   Body::Request, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 201)),
    row("PUT",    "/api/v1/requests/{request}",         Body::Request, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 200)),
    row("DELETE", "/api/v1/requests/{fresh_request}",   Body::None, write(LESSONS_READ, UNIT_HEAD, NO_LABELS, 204)),
    row("POST",   "/api/v1/requests/{fresh_request}/transitions", Body::Transition, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 200)),
    row("GET",    "/api/v1/requests/{request}/matches", Body::None, read(EXPERTS_READ, NO_LABELS)),
    row("POST",   "/api/v1/requests/{fresh_request}/team", Body::Assign, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 204)),
    row("DELETE", "/api/v1/requests/{request}/team/{expert}", Body::None, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 204)),
    row("GET",    "/roster",                            Body::None, read(EXPERTS_READ, NO_LABELS)),
    row("GET",    "/roster/dashboard",                  Body::None, read(LESSONS_READ, NO_LABELS)),
    row("GET",    "/roster/requests",                   Body::None, read(LESSONS_READ, NO_LABELS)),
    // The roster pages and forms.
    row("GET",    "/roster/new",                        Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200)),
    row("POST",   "/roster",                            Body::Form(&[("name", "UI expert {n}"), ("sex", "female"), ("expertise", "process-design"), ("languages", "en"), ("regions", "Eastern Africa"), ("tracks", "II"), ("clearance", "internal"), ("classification", "internal")]), write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 303)),
    row("GET",    "/roster/export?format=csv",          Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200)),
    row("GET",    "/roster/import",                     Body::None, write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 200)),
    // A file that is not a roster table: the import page names the problem (422).
    row("POST",   "/roster/import",                     Body::UiMultipart(&[]), write(EXPERTS_READ, UNIT_HEAD, NO_LABELS, 422)),
    row("GET",    "/roster/experts/{expert}",           Body::None, read(EXPERTS_READ, INTERNAL)),
    row("GET",    "/roster/experts/{expert_yemen}",     Body::None, read(EXPERTS_READ, CONF_YEMEN)),
    row("GET",    "/roster/experts/{expert}/edit",      Body::None, write(EXPERTS_READ, UNIT_HEAD, INTERNAL, 200)),
    row("POST",   "/roster/experts/{expert}",           Body::Form(&[("name", "Fixture expert"), ("sex", "male"), ("expertise", "process-design"), ("languages", "en"), ("regions", "Eastern Africa"), ("tracks", "II"), ("clearance", "secret"), ("classification", "internal")]), write(EXPERTS_READ, UNIT_HEAD, INTERNAL, 303)),
    row("POST",   "/roster/experts/{fresh_expert}/delete", Body::Form(&[]), write(EXPERTS_READ, UNIT_HEAD, INTERNAL, 303)),
    row("GET",    "/roster/requests/new",               Body::None, write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 200)),
    row("POST",   "/roster/requests",                   Body::Form(&[("title", "UI request {n}"), ("requester", "EU Special Representative"), ("request_type", "advisory"), ("modality", "remote"), ("urgency", "routine"), ("countries", "SD"), ("expertise", "process-design"), ("languages", "en"), ("classification", "internal")]), write(LESSONS_READ, MEDIATION_WRITE, NO_LABELS, 303)),
    row("GET",    "/roster/requests/{request}",         Body::None, read(LESSONS_READ, INTERNAL)),
    row("GET",    "/roster/requests/{request_yemen}",   Body::None, read(LESSONS_READ, CONF_YEMEN)),
    row("GET",    "/roster/requests/{request}/edit",    Body::None, write(LESSONS_READ, MEDIATION_WRITE, INTERNAL, 200)),
    row("POST",   "/roster/requests/{fresh_request}",   Body::Form(&[("title", "UI saved request {n}"), ("requester", "EU Special Representative"), ("request_type", "advisory"), ("modality", "remote"), ("urgency", "routine"), ("countries", "SD"), ("expertise", "process-design"), ("languages", "en"), ("classification", "internal")]), write(LESSONS_READ, MEDIATION_WRITE, INTERNAL, 303)),
    row("POST",   "/roster/requests/{fresh_request}/delete", Body::Form(&[]), write(LESSONS_READ, UNIT_HEAD, INTERNAL, 303)),
    row("POST",   "/roster/requests/{fresh_request}/transition", Body::Form(&[("to", "decision"), ("note", "UI")]), write(LESSONS_READ, MEDIATION_WRITE, INTERNAL, 303)),
    row("POST",   "/roster/requests/{fresh_request}/team", Body::Form(&[("expert_id", "{expert}")]), write(LESSONS_READ, MEDIATION_WRITE, INTERNAL, 303)),
    row("POST",   "/roster/requests/{request}/team/{expert}/remove", Body::Form(&[]), write(LESSONS_READ, MEDIATION_WRITE, INTERNAL, 303)),
];
