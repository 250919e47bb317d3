//! Reference data: countries with UN M49 regions, and the vocabularies.

use axum::extract::Query;
use axum::response::Response;
use grotius_domain::reference::{self, Term};
use grotius_domain::{Action, Resource, ResourceKind};
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::Viewer;
use crate::i18n::{Lang, t};
use crate::ui::{page as shell, store_error};

#[derive(Deserialize)]
pub struct RefQuery {
    region: Option<String>,
}

fn vocab(l: Lang, title: &str, terms: &[Term]) -> Markup {
    html! {
        h2 { (title) }
        table { thead { tr { th { (t(l, "ref.code")) } th { (t(l, "ref.name")) } } }
            tbody { @for term in terms { tr { td { code { (term.code) } } td { (term.label(l.code())) } } } } }
    }
}

pub async fn page(v: Viewer, Query(q): Query<RefQuery>) -> Response {
    let l = v.lang;
    if let Err(e) = v
        .access
        .check(Action::Read, Resource::kind(ResourceKind::Reference))
        .await
    {
        return store_error(l, e);
    }
    let region = q.region.unwrap_or_default();
    let mut regions: Vec<&str> = reference::countries()
        .iter()
        .map(|c| c.region.as_str())
        .filter(|r| !r.is_empty())
        .collect();
    regions.sort();
    regions.dedup();
    let countries: Vec<_> = reference::countries()
        .iter()
        .filter(|c| region.is_empty() || c.region == region)
        .collect();
    let content = html! {
        h1 { (t(l, "ref.title")) }
        (vocab(l, t(l, "ref.themes"), reference::THEMES))
        (vocab(l, t(l, "ref.phases"), reference::PHASES))
        (vocab(l, t(l, "ref.roles"), reference::DUTCH_ROLES))
        h2 { (t(l, "ref.countries")) }
        form.filters method="get" action="/reference" {
            label for="region" { (t(l, "ref.region"))
                select #region name="region" {
                    option value="" { (t(l, "proc.any")) }
                    @for r in &regions { option value=(r) selected[*r == region] { (r) } }
                }
            }
            button type="submit" { (t(l, "proc.filter")) }
        }
        table {
            thead { tr { th { "ISO α-2" } th { "ISO α-3" } th { "M49" } th { (t(l, "ref.name")) } th { (t(l, "ref.region")) } th { (t(l, "ref.subregion")) } } }
            tbody { @for c in &countries { tr {
                td { (c.alpha2) } td { (c.alpha3) } td { (c.numeric) } td { (c.name) } td { (c.region) } td { (c.sub_region) }
            } } }
        }
        p.muted { (reference::COUNTRIES_ATTRIBUTION) }
    };
    shell(&v, t(l, "ref.title"), content)
}
