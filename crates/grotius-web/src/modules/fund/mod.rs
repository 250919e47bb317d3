//! Fund: instruments, applications and their workflow, payments, and the fund's reports.

pub(crate) mod api;
pub(crate) mod reports;
pub(crate) mod strings;
pub(crate) mod ui;

use grotius_domain::ResourceKind;

use utoipa::OpenApi;

use super::{Gate, Module, NavEntry};
use crate::routes::Routes;

pub(crate) const MODULE: Module = Module {
    name: "fund",
    routes,
    openapi: Some(openapi),
    nav: &[NavEntry {
        order: 60,
        href: "/fund",
        label: "nav.fund",
        description: Some("mod.fund.desc"),
        gate: Gate::Reads(ResourceKind::Instrument),
    }],
    strings: &[strings::STRINGS, reports::strings::STRINGS],
    kinds: &[
        ResourceKind::Instrument,
        ResourceKind::FundApplication,
        ResourceKind::FundTransaction,
    ],
    search_sources: &[],
};

fn routes(ui_routes: &mut Routes, api_routes: &mut Routes) {
    ui::routes(ui_routes);
    reports::ui::routes(ui_routes);
    api::routes(api_routes);
    reports::api::routes(api_routes);
}

fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api::FundApi::openapi();
    doc.merge(reports::api::FundReportsApi::openapi());
    doc
}
