//! Accountability: the evidence vault, access decisions and incidents.

pub(crate) mod decisions;
pub(crate) mod evidence;
pub(crate) mod incidents;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "accountability",
    routes,
    openapi: Some(openapi),
    nav: &[
        NavEntry {
            order: 110,
            href: "/evidence",
            label: "nav.evidence",
            description: None,
            gate: Gate::Reads(ResourceKind::Evidence),
        },
        NavEntry {
            order: 120,
            href: "/access-decisions",
            label: "nav.decisions",
            description: None,
            gate: Gate::Reads(ResourceKind::AccessDecision),
        },
        NavEntry {
            order: 130,
            href: "/incidents",
            label: "nav.incidents",
            description: Some("mod.accountability.desc"),
            gate: Gate::Reads(ResourceKind::Incident),
        },
    ],
    strings: &[
        evidence::strings::STRINGS,
        decisions::strings::STRINGS,
        incidents::strings::STRINGS,
    ],
    kinds: &[
        ResourceKind::Evidence,
        ResourceKind::TransferPackage,
        ResourceKind::AccessDecision,
        ResourceKind::Incident,
        ResourceKind::PersonIdentity,
        ResourceKind::ViolationType,
    ],
    search_sources: &[ResourceKind::Incident],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    evidence::ui::routes(ui_routes);
    decisions::ui::routes(ui_routes);
    incidents::ui::routes(ui_routes);
    evidence::api::routes(api_routes);
    decisions::api::routes(api_routes);
    incidents::api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = evidence::api::EvidenceApi::openapi();
    doc.merge(decisions::api::DecisionsApi::openapi());
    doc.merge(incidents::api::IncidentsApi::openapi());
    doc
}
