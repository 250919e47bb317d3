//! Early warning: conflict event data (UCDP GED), country series and escalation signals, the
//! country profile with our own work there (counted only over what the reader may read).

pub(crate) mod alerts;
pub(crate) mod api;
pub(crate) mod coherence;
pub(crate) mod follow_up;
pub(crate) mod strings;
pub(crate) mod svg;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "early_warning",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 85,
        href: "/early-warning",
        label: "nav.early_warning",
        description: Some("ew.card"),
        gate: Gate::Reads(ResourceKind::ConflictEvent),
    }],
    strings: &[strings::STRINGS, coherence::STRINGS, follow_up::STRINGS],
    kinds: &[ResourceKind::ConflictEvent, ResourceKind::Alert],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    alerts::routes(ui_routes);
    coherence::routes(ui_routes);
    follow_up::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::EarlyWarningApi::openapi()
}
