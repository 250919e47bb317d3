//! Mediation: processes, their engagements journal, and the reference page.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::{Routes, get, post};

pub(crate) const MODULE: Module = Module {
    name: "mediation",
    routes,
    openapi: Some(openapi),
    nav: &[
        NavEntry {
            order: 20,
            href: "/processes",
            label: "nav.mediation",
            description: Some("mod.mediation.desc"),
            gate: Gate::Reads(ResourceKind::Process),
        },
        NavEntry {
            order: 100,
            href: "/reference",
            label: "nav.reference",
            description: None,
            gate: Gate::Everyone,
        },
    ],
    strings: &[strings::STRINGS],
    kinds: &[ResourceKind::Process, ResourceKind::Engagement],
    search_sources: &[ResourceKind::Process, ResourceKind::Engagement],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    use ui::{processes, reference};
    ui_routes
        .route("/processes", get(processes::list).post(processes::create))
        .route("/processes/new", get(processes::new_form))
        .route(
            "/processes/{id}",
            get(processes::show).post(processes::update),
        )
        .route("/processes/{id}/edit", get(processes::edit_form))
        .route("/processes/{id}/delete", post(processes::delete))
        .route(
            "/processes/{id}/engagements",
            post(processes::create_engagement),
        )
        .route("/engagements/{id}", post(processes::update_engagement))
        .route("/engagements/{id}/edit", get(processes::edit_engagement))
        .route(
            "/engagements/{id}/delete",
            post(processes::delete_engagement),
        )
        .route("/reference", get(reference::page));
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::MediationApi::openapi()
}
