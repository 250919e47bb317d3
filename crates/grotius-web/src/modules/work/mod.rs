//! Work on records: the inbox (what waits for the user, with its count in the navigation),
//! assignments and comments on records. The panel ([`ui::panel`]) is shown by the pages of the
//! records that take work (`grotius_domain::work::WORK_KINDS`).

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;
use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

/// The inbox's address (its navigation entry carries the count).
pub(crate) const INBOX: &str = "/inbox";

pub(crate) const MODULE: Module = Module {
    name: "work",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 15,
        href: INBOX,
        label: "nav.inbox",
        description: None,
        gate: Gate::Reads(ResourceKind::Assignment),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Comment, ResourceKind::Assignment],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::WorkApi::openapi()
}

/// The page of a record of `kind` (as the store names kinds), for links from the inbox.
pub(crate) fn record_href(kind: &str, id: &str) -> String {
    match kind {
        "process" => format!("/processes/{id}"),
        "support-request" => format!("/roster/requests/{id}"),
        "fund-application" => format!("/fund/applications/{id}"),
        "alert" => format!("/early-warning/alerts/{id}"),
        "incident" => format!("/incidents/{id}"),
        "evidence" => format!("/evidence/{id}"),
        "document" => format!("/documents/{id}"),
        "dialogue" => format!("/dialogues/{id}/moderation"),
        "access-decision" => "/access-decisions".to_string(),
        _ => "/".to_string(),
    }
}
