//! The platform: sign-in, account, administration, audit, the overview, language, static assets, health and metrics, and the API's users, compartments, tokens and reference lists.

pub(crate) mod api;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;
use grotius_domain::Role;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "platform",
    routes,
    openapi: Some(openapi),
    nav: &[
        NavEntry {
            order: 10,
            href: "/",
            label: "nav.dashboard",
            description: None,
            gate: Gate::Everyone,
        },
        NavEntry {
            order: 140,
            href: "/admin",
            label: "nav.admin",
            description: None,
            gate: Gate::Role(Role::Admin),
        },
        NavEntry {
            order: 150,
            href: "/audit",
            label: "nav.audit",
            description: None,
            gate: Gate::Role(Role::Auditor),
        },
        NavEntry {
            order: 160,
            href: "/account",
            label: "nav.account",
            description: None,
            gate: Gate::Everyone,
        },
    ],
    strings: &[strings::STRINGS],
    kinds: &[
        ResourceKind::User,
        ResourceKind::Compartment,
        ResourceKind::AuditLog,
        ResourceKind::ApiToken,
        ResourceKind::Reference,
    ],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    api::PlatformApi::openapi()
}
