//! The modules of the application, one folder each (`ui`, `api`, `strings`), each described by
//! one [`Module`] and listed once in [`MODULES`]. The router, the OpenAPI document, the
//! navigation, the overview's module cards and the i18n lookup all iterate [`MODULES`]: adding a
//! module is a folder and one line here (see "How a module plugs in" in ARCHITECTURE.md).

pub(crate) mod accountability;
pub(crate) mod agreements;
pub(crate) mod analyses;
pub(crate) mod dialogues;
pub(crate) mod documents;
pub(crate) mod early_warning;
pub(crate) mod fund;
pub(crate) mod lessons;
pub(crate) mod mediation;
pub(crate) mod network;
pub(crate) mod participation;
pub(crate) mod platform;
pub(crate) mod roster;
pub(crate) mod search;
pub(crate) mod work;

use grotius_domain::{ResourceKind, Role};

use crate::i18n::Entry;
use crate::routes::Routes;

/// What a module brings to the web edge.
pub(crate) struct Module {
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the completeness tests"))]
    pub name: &'static str,
    /// Registers the module's UI routes (first argument, served at `/`) and API routes (second,
    /// served under `/api/v1`).
    pub routes: fn(ui: &mut Routes, api: &mut Routes),
    /// The module's part of the OpenAPI document (paths and schemas), merged into one document.
    pub openapi: Option<fn() -> utoipa::openapi::OpenApi>,
    /// Its entries in the navigation bar (and on the overview when they have a description).
    pub nav: &'static [NavEntry],
    /// Its i18n tables, each `(key, English, Dutch)`; keys are unique across all modules.
    pub strings: &'static [&'static [Entry]],
    /// The resource kinds (of the policy) whose records it manages.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the completeness tests"))]
    pub kinds: &'static [ResourceKind],
    /// The kinds of `grotius_search::SOURCES` whose hits lead to its pages.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the completeness tests"))]
    pub search_sources: &'static [ResourceKind],
}

/// An entry of the navigation bar.
pub(crate) struct NavEntry {
    /// Place in the bar, ascending across all modules.
    pub order: u16,
    pub href: &'static str,
    /// i18n key of the entry's label.
    pub label: &'static str,
    /// i18n key of the module card on the overview, if the entry has one.
    pub description: Option<&'static str>,
    /// Who sees the entry (the page answers 404 to the others).
    pub gate: Gate,
}

/// Who sees a navigation entry.
pub(crate) enum Gate {
    Everyone,
    /// Those who may read records of this kind.
    Reads(ResourceKind),
    /// Those with this role.
    Role(Role),
}

/// Every module of the application, in the order their OpenAPI documents are merged.
pub(crate) const MODULES: &[Module] = &[
    platform::MODULE,
    mediation::MODULE,
    network::MODULE,
    roster::MODULE,
    participation::MODULE,
    lessons::MODULE,
    analyses::MODULE,
    fund::MODULE,
    agreements::MODULE,
    search::MODULE,
    accountability::MODULE,
    documents::MODULE,
    dialogues::MODULE,
    early_warning::MODULE,
    work::MODULE,
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use axum::http::Method;
    use grotius_domain::ResourceKind;

    use super::MODULES;
    use crate::routes::Routes;

    fn owners(
        kinds_of: impl Fn(&super::Module) -> &[ResourceKind],
    ) -> BTreeMap<String, Vec<&'static str>> {
        let mut owners: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
        for m in MODULES {
            for k in kinds_of(m) {
                owners.entry(format!("{k:?}")).or_default().push(m.name);
            }
        }
        owners
    }

    #[test]
    fn every_resource_kind_is_owned_by_exactly_one_module() {
        let owners = owners(|m| m.kinds);
        for k in ResourceKind::ALL {
            let by = owners.get(&format!("{k:?}")).cloned().unwrap_or_default();
            assert_eq!(by.len(), 1, "{k:?} is owned by {by:?}");
        }
        assert_eq!(owners.len(), ResourceKind::ALL.len(), "{owners:?}");
    }

    #[test]
    fn every_search_source_is_owned_by_exactly_one_module() {
        let owners = owners(|m| m.search_sources);
        for s in grotius_search::SOURCES {
            let by = owners
                .get(&format!("{:?}", s.kind))
                .cloned()
                .unwrap_or_default();
            assert_eq!(by.len(), 1, "{:?} is owned by {by:?}", s.kind);
        }
        assert_eq!(owners.len(), grotius_search::SOURCES.len(), "{owners:?}");
    }

    fn module_routes(m: &super::Module) -> Vec<(Method, String)> {
        let (mut ui, mut api) = (Routes::new(""), Routes::new("/api/v1"));
        (m.routes)(&mut ui, &mut api);
        let mut table = ui.into_parts().1;
        table.extend(api.into_parts().1);
        table
    }

    #[test]
    fn no_route_path_is_registered_by_two_modules() {
        let mut by_path: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
        for m in MODULES {
            for (_, path) in module_routes(m) {
                by_path.entry(path).or_default().insert(m.name);
            }
        }
        let shared: Vec<_> = by_path.iter().filter(|(_, ms)| ms.len() > 1).collect();
        assert!(shared.is_empty(), "paths of several modules: {shared:?}");
    }

    #[test]
    fn every_nav_entry_is_a_page_of_its_module() {
        let mut orders = BTreeSet::new();
        for m in MODULES {
            let routes = module_routes(m);
            for n in m.nav {
                assert!(
                    routes.contains(&(Method::GET, n.href.to_string())),
                    "{}: {} is not one of its pages",
                    m.name,
                    n.href
                );
                assert!(
                    orders.insert(n.order),
                    "navigation order {} used twice",
                    n.order
                );
            }
        }
    }

    #[test]
    fn module_names_are_unique() {
        let names: BTreeSet<_> = MODULES.iter().map(|m| m.name).collect();
        assert_eq!(names.len(), MODULES.len());
    }
}
