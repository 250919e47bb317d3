//! Analyses: versioned actor maps, process maps and conflict analyses of a process.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::Module;
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "analyses",
    routes,
    openapi: Some(openapi),
    nav: &[],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Analysis],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::AnalysesApi::openapi()
}
