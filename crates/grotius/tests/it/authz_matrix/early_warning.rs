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
    row("GET",    "/api/v1/events/areas?country=SD", Body::None, read(STAFF, NO_LABELS)),
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
    // What answers an alert: linking needs the alert's Update right (then the record's Read).
    row("POST",   "/early-warning/alerts/{alert}/links", Body::Form(&[("pick", "process:no-such-process")]), write(ANALYSIS_READ, ANALYSIS_WRITE, INTERNAL, 422)),
    row("POST",   "/early-warning/alerts/{alert}/links/remove", Body::Form(&[("kind", "process"), ("record", "no-such-process")]), write(ANALYSIS_READ, ANALYSIS_WRITE, INTERNAL, 422)),
    // Coherence: event data and our work, each counted over what the reader may read.
    row("GET",    "/early-warning/coherence",           Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/early-warning/coherence?format=csv&region=Africa", Body::None, read(STAFF, NO_LABELS)),
    // Watchlists: one's own with the event data's Read right; the unit's with the right to raise
    // alerts. Thresholds: set by who maintains the event data (administrators, analysts).
    row("GET",    "/early-warning/watchlist",           Body::None, read(STAFF, NO_LABELS)),
    row("POST",   "/early-warning/watchlist",           Body::Form(&[("action", "add"), ("list", "mine"), ("country", "SD")]), write(STAFF, STAFF, NO_LABELS, 303)),
    row("POST",   "/early-warning/watchlist",           Body::Form(&[("action", "add"), ("list", "unit"), ("country", "SD")]), write(STAFF, ANALYSIS_WRITE, NO_LABELS, 303)),
    row("GET",    "/early-warning/settings",            Body::None, read(STAFF, NO_LABELS)),
    row("POST",   "/early-warning/settings",            Body::Form(&[("recent_months", "3"), ("baseline_months", "12"), ("alpha", "0.05"), ("quiet_months", "24")]), write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 303)),
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
