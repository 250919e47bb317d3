//! The fund: instruments, applications, money and reports.

use super::*;

#[rustfmt::skip]
pub(super) const ROWS: &[Row] = &[
    // The fund. Columns: admin, coordinator, desk, analyst, fund-officer, fund-approver, controller,
    // documenter, custodian, legal, adviser, partner, auditor.
    row("GET",    "/api/v1/fund/workflow",              Body::None, read(FUND_READ, NO_LABELS)),
    row("GET",    "/api/v1/fund/instruments",           Body::None, read(FUND_READ, NO_LABELS)),
    row("POST",   "/api/v1/fund/instruments",           Body::Instrument, write(FUND_READ, FUND_OFFICER, NO_LABELS, 201)),
    row("GET",    "/api/v1/fund/instruments/{instrument}", Body::None, read(FUND_READ, NO_LABELS)),
    row("PUT",    "/api/v1/fund/instruments/{instrument}/ceilings", Body::Ceiling, write(FUND_READ, FUND_OFFICER, NO_LABELS, 200)),
    row("GET",    "/api/v1/fund/applications",          Body::None, read(FUND_READ, NO_LABELS)),
    row("POST",   "/api/v1/fund/applications",          Body::Application, write(FUND_READ, FUND_APPLICANT, NO_LABELS, 201)),
    row("GET",    "/api/v1/fund/applications/{application}", Body::None, read(FUND_INSIDE, NO_LABELS)),
    row("PUT",    "/api/v1/fund/applications/{application}", Body::Application, write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 200)),
    row("DELETE", "/api/v1/fund/applications/{fresh_application}", Body::None, write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 204)),
    row("POST",   "/api/v1/fund/applications/{fresh_application}/transitions", Body::Submit, write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 200)),
    row("POST",   "/api/v1/fund/applications/{application}/payments", Body::Payment, write(FUND_STAFF, FUND_CONTROLLER, NO_LABELS, 409)),
    row("POST",   "/api/v1/fund/applications/{application}/amendments", Body::Amendment, write(FUND_INSIDE, FUND_APPROVER, NO_LABELS, 409)),
    row("GET",    "/fund",                              Body::None, read(FUND_READ, NO_LABELS)),
    row("POST",   "/fund/instruments",                  Body::Form(&[("code", "UI{n}"), ("name", "UI instrument {n}"), ("max_months", "12"), ("grant_ceiling", "100000.00"), ("fast_track_threshold", "50000.00"), ("fast_target_days", "5"), ("standard_target_days", "15")]), write(FUND_READ, FUND_OFFICER, NO_LABELS, 303)),
    row("GET",    "/fund/instruments/{instrument}",     Body::None, read(FUND_READ, NO_LABELS)),
    row("POST",   "/fund/instruments/{instrument}/ceilings", Body::Form(&[("year", "2032"), ("scope", "budget"), ("amount", "{n}00000.00")]), write(FUND_READ, FUND_OFFICER, NO_LABELS, 303)),
    row("GET",    "/fund/applications/new",             Body::None, write(FUND_READ, FUND_APPLICANT, NO_LABELS, 200)),
    row("POST",   "/fund/applications",                 Body::Form(&[("instrument_id", "MATRIX"), ("title", "UI application {n}"), ("partner", "UI partner"), ("currency", "EUR"), ("amount", "1000.00"), ("start_date", "2031-01-01"), ("months", "3"), ("purpose_code", "15220"), ("gender_marker", "1"), ("countries", "SD"), ("classification", "public")]), write(FUND_READ, FUND_APPLICANT, NO_LABELS, 303)),
    row("GET",    "/fund/applications/{application}",   Body::None, read(FUND_INSIDE, NO_LABELS)),
    row("GET",    "/fund/applications/{application}/edit", Body::None, write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 200)),
    row("POST",   "/fund/applications/{fresh_application}/transition", Body::Form(&[("to", "submitted")]), write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 303)),
    row("POST",   "/fund/applications/{application}/payment", Body::Form(&[("kind", "disbursement"), ("currency", "EUR"), ("amount", "1.00"), ("value_date", "2031-02-01")]), write(FUND_STAFF, FUND_CONTROLLER, NO_LABELS, 409)),
    row("POST",   "/fund/applications/{fresh_application}/delete", Body::Form(&[]), write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 303)),
    // Fund reports: money is read by the fund roles (partners: their own organisation's);
    // the overview for Parliament by every fund reader but partners; export and IATI by the fund roles.
    row("GET",    "/api/v1/fund/reports",               Body::None, read(FUND_MONEY, NO_LABELS)),
    row("GET",    "/api/v1/fund/reports?year=2026&instrument=no-such", Body::None, write(FUND_MONEY, FUND_MONEY, NO_LABELS, 422)),
    row("GET",    "/api/v1/fund/reports/export?format=csv", Body::None, write(FUND_MONEY, FUND_STAFF, NO_LABELS, 200)),
    row("GET",    "/api/v1/fund/reports/parliament",    Body::None, read(PARLIAMENT_READ, NO_LABELS)),
    row("GET",    "/api/v1/fund/reports/parliament?public=1", Body::None, read(PARLIAMENT_READ, NO_LABELS)),
    row("GET",    "/api/v1/fund/dashboard",             Body::None, read(FUND_MONEY, NO_LABELS)),
    row("GET",    "/api/v1/fund/iati",                  Body::None, write(FUND_READ, FUND_STAFF, NO_LABELS, 200)),
    row("GET",    "/fund/reports",                      Body::None, read(FUND_MONEY, NO_LABELS)),
    row("GET",    "/fund/reports/export?format=xlsx",   Body::None, write(FUND_MONEY, FUND_STAFF, NO_LABELS, 200)),
    row("GET",    "/fund/dashboard",                    Body::None, read(FUND_MONEY, NO_LABELS)),
    row("GET",    "/fund/parliament",                   Body::None, read(PARLIAMENT_READ, NO_LABELS)),
    row("GET",    "/fund/parliament?public=1",          Body::None, read(PARLIAMENT_READ, NO_LABELS)),
    row("GET",    "/fund/iati.xml",                     Body::None, write(FUND_READ, FUND_STAFF, NO_LABELS, 200)),
    // Saving and amending an application in the UI.
    row("POST",   "/fund/applications/{application}",   Body::Form(&[("instrument_id", "MATRIX"), ("title", "UI saved application"), ("partner", "Other Organisation"), ("currency", "EUR"), ("amount", "20000.00"), ("start_date", "2031-02-01"), ("months", "6"), ("purpose_code", "15220"), ("gender_marker", "1"), ("countries", "SD"), ("classification", "internal")]), write(FUND_INSIDE, FUND_OFFICER, NO_LABELS, 303)),
    row("POST",   "/fund/applications/{application}/amend", Body::Form(&[("amount", "100.00"), ("note", "UI")]), write(FUND_INSIDE, FUND_APPROVER, NO_LABELS, 409)),
];
