//! A world map as SVG written by the server: countries shaded by a count, and circles for counts
//! at places. The outlines are Natural Earth's 110m countries (CC0), projected equirectangularly
//! onto a 720 × 300 box by `data/world-110m.py` and embedded in the binary. Readable without
//! JavaScript and accessible: a title, a description, a `<title>` on every shaded country and
//! circle, and the caller shows the same numbers as text.

use std::collections::HashMap;
use std::sync::OnceLock;

use maud::{Markup, html};

const WORLD_TSV: &str = include_str!("../../../../data/world-110m.tsv");

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;

/// One country outline: ISO 3166-1 alpha-2, name, SVG path and its bounding box
/// (min x, min y, max x, max y).
struct Outline {
    code: &'static str,
    name: &'static str,
    path: &'static str,
    bbox: [f64; 4],
}

fn bbox(path: &str) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for pair in path.split(['M', 'L', 'Z']).filter(|s| !s.is_empty()) {
        if let Some((x, y)) = pair.split_once(',')
            && let (Ok(x), Ok(y)) = (x.parse::<f64>(), y.parse::<f64>())
        {
            b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
    }
    b
}

fn outlines() -> &'static [Outline] {
    static OUTLINES: OnceLock<Vec<Outline>> = OnceLock::new();
    OUTLINES.get_or_init(|| {
        WORLD_TSV
            .lines()
            .filter_map(|line| {
                let mut cells = line.splitn(3, '\t');
                let (code, name, path) = (cells.next()?, cells.next()?, cells.next()?);
                Some(Outline {
                    code,
                    name,
                    path,
                    bbox: bbox(path),
                })
            })
            .collect()
    })
}

/// Where a point falls on the map (the projection of `data/world-110m.py`).
fn project(lat: f64, lon: f64) -> (f64, f64) {
    ((lon + 180.0) * 2.0, (84.0 - lat) * 2.0)
}

/// The shade class of a count: 0 none, then 1–9, 10–99, 100–999, 1000+.
fn shade(n: i64) -> usize {
    match n {
        i64::MIN..=0 => 0,
        1..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        _ => 4,
    }
}

/// What the map shows.
pub struct MapData<'a> {
    /// `id` for the title and description elements (unique on the page).
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    /// (ISO alpha-2, count).
    pub by_country: &'a [(String, i64)],
    /// (latitude, longitude in degrees, count, label of the circle).
    pub points: &'a [(f64, f64, i64, String)],
    /// "{n} {unit}" in the tooltips.
    pub unit: &'a str,
    /// The legend's labels of the shades 1–4.
    pub legend: [&'a str; 4],
}

/// The part of the map to show: the countries and places with counts, with a margin, in the
/// map's proportions; the whole world when there is nothing to show.
fn view(m: &MapData<'_>, counts: &HashMap<&str, i64>) -> [f64; 4] {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for o in outlines()
        .iter()
        .filter(|o| counts.get(o.code).is_some_and(|n| *n > 0))
    {
        b = [
            b[0].min(o.bbox[0]),
            b[1].min(o.bbox[1]),
            b[2].max(o.bbox[2]),
            b[3].max(o.bbox[3]),
        ];
    }
    for (lat, lon, _, _) in m.points {
        let (x, y) = project(*lat, *lon);
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    if b[0] > b[2] {
        return [0.0, 0.0, WIDTH, HEIGHT];
    }
    let margin = 20.0;
    let (mut w, mut h) = (b[2] - b[0] + 2.0 * margin, b[3] - b[1] + 2.0 * margin);
    // At least a sixth of the world across, in the map's proportions.
    w = w.max(h * WIDTH / HEIGHT).clamp(WIDTH / 6.0, WIDTH);
    h = (w * HEIGHT / WIDTH).min(HEIGHT);
    let cx = (b[0] + b[2]) / 2.0;
    let cy = (b[1] + b[3]) / 2.0;
    let x = (cx - w / 2.0).clamp(0.0, WIDTH - w);
    let y = (cy - h / 2.0).clamp(0.0, HEIGHT - h);
    [x, y, w, h]
}

pub fn world_map(m: &MapData<'_>) -> Markup {
    let counts: HashMap<&str, i64> = m.by_country.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    let top = m.points.iter().map(|p| p.2).max().unwrap_or(1).max(1) as f64;
    let [vx, vy, vw, vh] = view(m, &counts);
    // Sizes that should look the same at any zoom are scaled with the view.
    let k = vw / WIDTH;
    let legend_h = 24.0 * k;
    html! {
        svg.map xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("{vx:.1} {vy:.1} {vw:.1} {:.1}", vh + legend_h))
            aria-labelledby={ (m.id) "-title " (m.id) "-desc" } {
            title id={ (m.id) "-title" } { (m.title) }
            desc id={ (m.id) "-desc" } { (m.desc) }
            rect.map-sea x=(format!("{vx:.1}")) y=(format!("{vy:.1}")) width=(format!("{vw:.1}")) height=(format!("{vh:.1}")) {}
            @for o in outlines() {
                @let n = counts.get(o.code).copied().unwrap_or(0);
                path class={ "map-land map-" (shade(n)) } d=(o.path) stroke-width=(format!("{:.2}", 0.3 * k)) {
                    @if n > 0 { title { (o.name) ": " (n) " " (m.unit) } }
                }
            }
            @for (lat, lon, n, label) in m.points {
                @let (x, y) = project(*lat, *lon);
                @let r = (1.5 + 6.0 * ((*n as f64) / top).sqrt()) * k;
                circle.map-point cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(format!("{r:.2}")) stroke-width=(format!("{:.2}", 0.3 * k)) {
                    title { (label) ": " (n) " " (m.unit) }
                }
            }
            rect.map-key x=(format!("{vx:.1}")) y=(format!("{:.1}", vy + vh)) width=(format!("{vw:.1}")) height=(format!("{legend_h:.1}")) {}
            @for (i, label) in m.legend.iter().enumerate() {
                @let x = vx + (8.0 + 120.0 * i as f64) * k;
                @let y = vy + vh + 6.0 * k;
                rect class={ "map-land map-" (i + 1) } x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(format!("{:.1}", 12.0 * k)) height=(format!("{:.1}", 12.0 * k)) {}
                text.map-legend x=(format!("{:.1}", x + 16.0 * k)) y=(format!("{:.1}", y + 10.0 * k)) font-size=(format!("{:.1}", 10.0 * k)) { (label) }
            }
        }
    }
}

/// A map of the whole world with each listed country in one of four categories.
pub struct CategoryMap<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    /// (ISO alpha-2, category 1–4, tooltip).
    pub countries: &'a [(String, usize, String)],
    /// The legend's labels of the categories 1–4.
    pub legend: [&'a str; 4],
}

pub fn category_map(m: &CategoryMap<'_>) -> Markup {
    let by: HashMap<&str, (usize, &str)> = m
        .countries
        .iter()
        .map(|(c, k, label)| (c.as_str(), ((*k).clamp(1, 4), label.as_str())))
        .collect();
    let legend_h = 24.0;
    html! {
        svg.map xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox=(format!("0 0 {WIDTH:.1} {:.1}", HEIGHT + legend_h))
            aria-labelledby={ (m.id) "-title " (m.id) "-desc" } {
            title id={ (m.id) "-title" } { (m.title) }
            desc id={ (m.id) "-desc" } { (m.desc) }
            rect.map-sea x="0" y="0" width=(format!("{WIDTH:.1}")) height=(format!("{HEIGHT:.1}")) {}
            @for o in outlines() {
                @match by.get(o.code) {
                    Some((k, label)) => path class={ "map-land map-c" (k) } d=(o.path) stroke-width="0.3" {
                        title { (o.name) ": " (label) }
                    },
                    None => path class="map-land map-0" d=(o.path) stroke-width="0.3" {},
                }
            }
            rect.map-key x="0" y=(format!("{HEIGHT:.1}")) width=(format!("{WIDTH:.1}")) height=(format!("{legend_h:.1}")) {}
            @for (i, label) in m.legend.iter().enumerate() {
                @let x = 8.0 + 178.0 * i as f64;
                @let y = HEIGHT + 6.0;
                rect class={ "map-land map-c" (i + 1) } x=(format!("{x:.1}")) y=(format!("{y:.1}")) width="12" height="12" {}
                text.map-legend x=(format!("{:.1}", x + 16.0)) y=(format!("{:.1}", y + 10.0)) font-size="10" { (label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outline_is_a_path_inside_the_box() {
        let all = outlines();
        assert!(all.len() > 150, "{}", all.len());
        for code in ["SD", "YE", "FR", "NO", "CO", "UA"] {
            assert!(all.iter().any(|o| o.code == code), "{code} is on the map");
        }
        for o in all {
            assert!(
                o.path.starts_with('M') && o.path.ends_with('Z'),
                "{}",
                o.code
            );
            for pair in o.path.split(['M', 'L', 'Z']).filter(|s| !s.is_empty()) {
                let (x, y) = pair.split_once(',').unwrap();
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                assert!(
                    (0.0..=WIDTH).contains(&x) && (-2.0..=HEIGHT + 2.0).contains(&y),
                    "{} {pair}",
                    o.code
                );
            }
        }
    }

    #[test]
    fn countries_are_shaded_by_their_count_and_points_placed() {
        let svg = world_map(&MapData {
            id: "m",
            title: "Incidents",
            desc: "By country",
            by_country: &[("SD".into(), 120), ("YE".into(), 3)],
            points: &[(15.5, 32.5, 7, "Khartoum".into())],
            unit: "incidents",
            legend: ["1–9", "10–99", "100–999", "1000+"],
        })
        .into_string();
        assert!(svg.contains("<title>Sudan: 120 incidents</title>"), "{svg}");
        assert!(svg.contains("<title>Yemen: 3 incidents</title>"));
        assert!(svg.contains("<title>Khartoum: 7 incidents</title>"));
        // Khartoum projected: x = (32.5 + 180) × 2, y = (84 − 15.5) × 2.
        assert!(svg.contains(r#"cx="425.0" cy="137.0""#), "{svg}");
        assert_eq!(
            svg.matches("map-3").count(),
            2,
            "Sudan and the legend's swatch"
        );
        assert_eq!(svg.matches("map-4").count(), 1, "the legend's swatch only");
        // Zoomed to Sudan, Yemen and the point, in the map's proportions.
        let vb = svg
            .split("viewBox=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let v: Vec<f64> = vb.split(' ').map(|n| n.parse().unwrap()).collect();
        assert!(v[2] < WIDTH / 2.0 && v[0] > 300.0 && v[0] < 425.0, "{vb}");
        // Without counts: the whole world.
        let world = world_map(&MapData {
            id: "w",
            title: "t",
            desc: "d",
            by_country: &[],
            points: &[],
            unit: "u",
            legend: ["a", "b", "c", "d"],
        })
        .into_string();
        assert!(
            world.contains(r#"viewBox="0.0 0.0 720.0 324.0""#),
            "{world}"
        );
    }
}
