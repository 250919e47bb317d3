//! Roster: experts, requests for support and deployments.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "roster",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 50,
        href: "/roster",
        label: "nav.roster",
        description: Some("mod.roster.desc"),
        gate: Gate::Reads(ResourceKind::Expert),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Expert, ResourceKind::SupportRequest],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::RosterApi::openapi()
}
