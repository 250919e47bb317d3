//! The picture of an ego network, as SVG written by the server: no script, no inline style,
//! a title and description for screen readers, and a tooltip per actor.

use std::collections::HashMap;

use grotius_analysis::Ego;
use grotius_analysis::network::radial_layout;
use maud::{Markup, html};

/// Fill colour per actor category (presentation attributes, allowed by the CSP).
pub fn colour(category: &str) -> &'static str {
    match category {
        "ours" => "#154273",
        "conflict-party" => "#a4161a",
        "mediator" | "envoy" => "#1b6e33",
        "un-body" | "eu-body" | "state" => "#0b5cad",
        "ngo" | "civil-society" => "#8a5300",
        _ => "#4a5360",
    }
}

pub fn ego_svg(
    ego: &Ego,
    names: &HashMap<String, (String, String)>,
    title: &str,
    desc: &str,
) -> Markup {
    const W: f64 = 900.0;
    const H: f64 = 640.0;
    let pos: HashMap<String, (f64, f64)> = radial_layout(ego)
        .into_iter()
        .map(|(id, x, y)| (id, (40.0 + x * (W - 80.0), 30.0 + y * (H - 60.0))))
        .collect();
    let label = |id: &str| names.get(id).map(|(n, _)| n.as_str()).unwrap_or("?");
    let category = |id: &str| names.get(id).map(|(_, c)| c.as_str()).unwrap_or("");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (H) } width="100%" role="img" aria-labelledby="ego-title ego-desc" class="network" {
            title #ego-title { (title) }
            desc #ego-desc { (desc) }
            rect x="0" y="0" width=(W) height=(H) fill="#ffffff" stroke="#c9d1db" {}
            g stroke="#9aa5b1" stroke-width="1" {
                @for (_, a, b) in &ego.edges {
                    @if let (Some((x1, y1)), Some((x2, y2))) = (pos.get(a), pos.get(b)) {
                        line x1=(format!("{x1:.1}")) y1=(format!("{y1:.1}")) x2=(format!("{x2:.1}")) y2=(format!("{y2:.1}")) {}
                    }
                }
            }
            @for (id, depth) in &ego.nodes {
                @if let Some((x, y)) = pos.get(id) {
                    g {
                        title { (label(id)) }
                        circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(if *depth == 0 { "11" } else { "7" }) fill=(colour(category(id))) stroke="#ffffff" stroke-width="1.5" {}
                        @if *depth <= 1 || ego.nodes.len() <= 40 {
                            text x=(format!("{:.1}", x + 10.0)) y=(format!("{:.1}", y + 4.0)) font-size=(if *depth == 0 { "14" } else { "11" }) fill="#1b1f24" font-family="system-ui, sans-serif" { (label(id)) }
                        }
                    }
                }
            }
        }
    }
}
