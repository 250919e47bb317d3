//! Dialogues: Pol.is-style conversations of a process, their opinion groups, representative
//! statements and consensus, for the team.

pub(crate) mod api;
pub(crate) mod inclusion;
pub(crate) mod participate;
pub(crate) mod run;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "dialogues",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 35,
        href: "/dialogues",
        label: "dlg.title",
        description: Some("dlg.card"),
        gate: Gate::Reads(ResourceKind::Dialogue),
    }],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Dialogue],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    participate::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::DialoguesApi::openapi()
}
