//! Network: actors of a process's landscape and their relationships.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod svg;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "network",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 40,
        href: "/network",
        label: "nav.network",
        description: Some("mod.network.desc"),
        gate: Gate::Reads(ResourceKind::Actor),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Actor, ResourceKind::Relationship],
    search_sources: &[ResourceKind::Actor],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::NetworkApi::openapi()
}
