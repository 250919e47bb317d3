//! Documents: the library of files with extracted text and versions.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "documents",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 70,
        href: "/documents",
        label: "nav.documents",
        description: None,
        gate: Gate::Reads(ResourceKind::Document),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Document],
    search_sources: &[ResourceKind::Document],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::DocumentsApi::openapi()
}
