//! Lessons: debriefs of processes (lessons learned) and trainings.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::Module;
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "lessons",
    routes,
    openapi: Some(openapi),
    nav: &[],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Debrief, ResourceKind::Training],
    search_sources: &[ResourceKind::Debrief],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::lessons::routes(ui_routes);
    ui::trainings::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::LessonsApi::openapi()
}
