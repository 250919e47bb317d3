//! Early warning: conflict event data is reference knowledge for every staff role (like the
//! peace agreements); the same roles that import agreements — administrators and analysts —
//! import GED files; partners see nothing. The country page counts our own work through each
//! kind's own list (its leak test is in `early_warning.rs`). Alerts are labelled analytic
//! judgements with the need to know of analyses: coordinator, desks and analysts raise and
//! follow them up, thematic advisers read.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/events/series?country=SD&by=month", Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/api/v1/events/series?country=SD&by=year&from=2019-01&to=2019-12", Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/api/v1/events/countries",           Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/early-warning",                     Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/countries/{country}",               Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/countries/{country}/series",        Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/early-warning/import",              Body::None, write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 200)),
    row("POST",   "/early-warning/import",              Body::Form(&[("file", "not a GED file")]), write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 422)),
    row("GET",    "/early-warning/imports/{event_job}", Body::None, write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 200)),
    row("GET",    "/api/v1/countries/{country}/conflicts", Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/early-warning/import?kind=water",   Body::None, write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 200)),
    row("POST",   "/early-warning/import?kind=ucdp-acd", Body::Form(&[("file", "not a conflict list")]), write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 422)),
    row("GET",    "/api/v1/alerts",                     Body::None, read(ANALYSIS_READ, NO_LABELS)),
    row("GET",    "/api/v1/alerts?overdue=true&country=SD", Body::None, read(ANALYSIS_READ, NO_LABELS)),
    row("POST",   "/api/v1/alerts",                     Body::Alert, write(ANALYSIS_READ, ANALYSIS_WRITE, NO_LABELS, 201)),
    row("GET",    "/api/v1/alerts/{alert}",             Body::None, read(ANALYSIS_READ, INTERNAL)),
    row("GET",    "/api/v1/alerts/{alert_hoa}",         Body::None, read(ANALYSIS_READ, CONF_HOA)),
    row("PUT",    "/api/v1/alerts/{alert}",             Body::Alert, write(ANALYSIS_READ, ANALYSIS_WRITE, INTERNAL, 200)),
    row("GET",    "/early-warning/alerts",              Body::None, read(ANALYSIS_READ, NO_LABELS)),
    row("POST",   "/early-warning/alerts",              Body::Form(ALERT_FORM), write(ANALYSIS_READ, ANALYSIS_WRITE, NO_LABELS, 303)),
    row("GET",    "/early-warning/alerts/{alert}",      Body::None, read(ANALYSIS_READ, INTERNAL)),
    row("GET",    "/early-warning/alerts/{alert_hoa}",  Body::None, read(ANALYSIS_READ, CONF_HOA)),
    row("POST",   "/early-warning/alerts/{alert}",      Body::Form(ALERT_FORM), write(ANALYSIS_READ, ANALYSIS_WRITE, INTERNAL, 303)),
];

/// An internal alert on Sudan owned by the analyst (who may follow up internal alerts).
const ALERT_FORM: &[(&str, &str)] = &[
    ("country", "SD"),
    ("signal", "manual"),
    ("as_of", "2019-06"),
    ("title", "Matrix alert"),
    ("owner", "analyst"),
    ("deadline", "2030-01-31"),
    ("status", "open"),
    ("classification", "internal"),
];
