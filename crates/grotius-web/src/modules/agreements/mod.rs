//! Agreements: peace agreements (PA-X) and their provisions.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "agreements",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 80,
        href: "/agreements",
        label: "nav.agreements",
        description: None,
        gate: Gate::Reads(ResourceKind::Agreement),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Agreement],
    search_sources: &[ResourceKind::Agreement],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::AgreementsApi::openapi()
}
