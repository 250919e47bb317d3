//! The overview (dashboard) and the landing pages of the modules.

use axum::response::Response;
use grotius_store::ProcessFilter;
use maud::html;

use crate::auth::Viewer;
use crate::i18n::t;
use crate::ui::{labels_badge, page, store_error};

pub async fn dashboard(v: Viewer) -> Response {
    let l = v.lang;
    let recent = match v
        .access
        .list_processes(&ProcessFilter::default(), 8, 0)
        .await
    {
        Ok(p) => Some(p),
        Err(grotius_store::StoreError::NotFound) => None,
        Err(e) => return store_error(l, e),
    };
    let requests = match v.access.roster_stats().await {
        Ok(r) => Some(r),
        Err(grotius_store::StoreError::NotFound) => None,
        Err(e) => return store_error(l, e),
    };
    // Early-warning alerts past their deadline with no action yet, among those the viewer may read.
    let overdue_filter = grotius_store::AlertFilter {
        overdue: true,
        ..Default::default()
    };
    let overdue = match v.access.list_alerts(&overdue_filter, 5, 0).await {
        Ok(p) => Some(p),
        Err(grotius_store::StoreError::NotFound) => None,
        Err(e) => return store_error(l, e),
    };
    let waiting = crate::modules::work::ui::overview_section(&v).await;
    let s = v.access.subject();
    let comps: Vec<&str> = s.compartments.iter().map(|c| c.as_str()).collect();
    let content = html! {
        h1 { (t(l, "dash.title")) }
        (waiting)
        div.cards {
            div.card {
                h2 { (t(l, "dash.welcome")) " " (s.username) }
                dl.facts {
                    dt { (t(l, "dash.roles")) } dd { (s.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")) }
                    dt { (t(l, "dash.clearance")) } dd { (crate::ui::class_label(l, s.clearance)) }
                    dt { (t(l, "dash.compartments")) } dd { @if comps.is_empty() { (t(l, "dash.none")) } @else { (comps.join(", ")) } }
                }
            }
            @if let Some(p) = &recent {
                div.card { h2 { (t(l, "dash.processes")) } p.big { (p.total) } p { a href="/processes" { (t(l, "nav.mediation")) } } }
            }
            @if let Some(o) = overdue.as_ref().filter(|o| o.total > 0) {
                div.card.overdue { h2 { (t(l, "ew.alerts.overdue")) } p.big { (o.total) }
                    ul { @for a in &o.items { li { a href={ "/early-warning/alerts/" (a.id) } { (a.title) } " · " (a.owner_name) " · " (a.deadline) } } }
                    p { a href="/early-warning/alerts?overdue=1" { (t(l, "ew.alerts")) } } }
            }
            @if let Some(r) = &requests {
                div.card { h2 { (t(l, "roster.dash.open")) } p.big { (r.open) }
                    p { (t(l, "roster.dash.benchmark")) ": " (r.deployed_within_72h) " / " (r.deployed) }
                    p { a href="/roster/dashboard" { (t(l, "roster.dash.title")) } } }
            }
        }
        @if let Some(p) = &recent {
            h2 { (t(l, "dash.recent")) }
            @if p.items.is_empty() { p { (t(l, "proc.none")) } } @else {
                table {
                    thead { tr { th { (t(l, "proc.name")) } th { (t(l, "proc.countries.col")) } th { (t(l, "proc.status")) } th { (t(l, "labels.classification")) } } }
                    tbody { @for pr in &p.items { tr {
                        td { a href={ "/processes/" (pr.id) } { (pr.display_name()) } }
                        td { (pr.countries.join(", ")) }
                        td { (crate::ui::term_label(l, grotius_domain::reference::PROCESS_STATUSES, &pr.status)) }
                        td { (labels_badge(l, &pr.labels)) }
                    } } }
                }
            }
        }
        h2 { (t(l, "dash.modules")) }
        div.cards {
            @for n in crate::ui::nav_items(&v) {
                @if let Some(desc) = n.description {
                    div.card { h3 { a href=(n.href) { (t(l, n.label)) } } p { (t(l, desc)) } }
                }
            }
        }
    };
    page(&v, t(l, "dash.title"), content)
}
