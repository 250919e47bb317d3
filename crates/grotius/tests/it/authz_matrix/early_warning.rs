//! Early warning: conflict event data is reference knowledge for every staff role (like the
//! peace agreements); the same roles that import agreements — administrators and analysts —
//! import GED files; partners see nothing. The country page counts our own work through each
//! kind's own list (its leak test is in `early_warning.rs`).

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    row("GET",    "/api/v1/events/series?country=SD&by=month", Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/api/v1/events/series?country=SD&by=year&from=2019-01&to=2019-12", Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/api/v1/events/countries",           Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/early-warning",                     Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/countries/{country}",               Body::None, read(STAFF, NO_LABELS)),
    row("GET",    "/early-warning/import",              Body::None, write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 200)),
    row("POST",   "/early-warning/import",              Body::Form(&[("file", "not a GED file")]), write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 422)),
    row("GET",    "/early-warning/imports/{event_job}", Body::None, write(STAFF, AGREEMENT_IMPORT, NO_LABELS, 200)),
];
