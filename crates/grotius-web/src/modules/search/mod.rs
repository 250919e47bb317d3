//! Search: one search over every source the viewer may read.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "search",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 90,
        href: "/search",
        label: "nav.search",
        description: Some("mod.knowledge.desc"),
        gate: Gate::Everyone,
    }],
    strings: &[strings::STRINGS],
    kinds: &[],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::SearchApi::openapi()
}
