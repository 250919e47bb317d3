//! Participation: women's participation in processes.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "participation",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 30,
        href: "/participation",
        label: "nav.participation",
        description: None,
        gate: Gate::Reads(ResourceKind::Participation),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Participation],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::ParticipationApi::openapi()
}
