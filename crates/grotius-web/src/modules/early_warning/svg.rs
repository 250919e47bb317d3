//! The trend chart of the country profile: stacked columns per period, one colour per type of
//! violence, written by the server as SVG with a title, a description and a `<title>` on every
//! column part (the page shows the same numbers in a table beside it).

use grotius_store::SeriesPoint;
use maud::{Markup, html};

const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 10.0;

/// What the columns count.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Events,
    Deaths,
}

/// (state-based, non-state, one-sided) of a period.
fn parts(p: &SeriesPoint, m: Measure) -> [i64; 3] {
    match m {
        Measure::Events => [p.state_based_events, p.non_state_events, p.one_sided_events],
        Measure::Deaths => [p.state_based_deaths, p.non_state_deaths, p.one_sided_deaths],
    }
}

/// A "nice" upper bound of the axis for the largest value.
fn axis_max(top: i64) -> i64 {
    let top = top.max(1);
    let mut step = 1i64;
    while step * 10 < top {
        step *= 10;
    }
    (top + step - 1) / step * step
}

/// Stacked columns; `labels` names the three types of violence (for tooltips and legend).
pub fn trend_chart(
    id: &str,
    title: &str,
    desc: &str,
    points: &[SeriesPoint],
    measure: Measure,
    labels: [&str; 3],
) -> Markup {
    let n = points.len().max(1) as f64;
    let col = (640.0 / n).clamp(4.0, 36.0);
    let width = LEFT + col * n + 12.0;
    let total_h = HEIGHT + BOTTOM + TOP + 22.0;
    let max = axis_max(
        points
            .iter()
            .map(|p| parts(p, measure).iter().sum::<i64>())
            .max()
            .unwrap_or(0),
    );
    let y_of = |v: i64| TOP + HEIGHT - (v as f64 / max as f64) * HEIGHT;
    // Label every k-th period so that labels do not overlap.
    let every = ((40.0 / col).ceil() as usize).max(1);
    // (x, y, height, type index, tooltip) of every non-empty part of a column.
    let mut rects: Vec<(f64, f64, f64, usize, String)> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let x = LEFT + col * i as f64 + 1.0;
        let mut base = 0i64;
        for (k, value) in parts(p, measure).iter().enumerate() {
            if *value > 0 {
                let y1 = y_of(base + value);
                rects.push((
                    x,
                    y1,
                    y_of(base) - y1,
                    k,
                    format!("{} · {}: {value}", p.period, labels[k]),
                ));
            }
            base += value;
        }
    }
    html! {
        svg.chart.trend xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (format!("{width:.0}")) " " (format!("{total_h:.0}")) }
            aria-labelledby={ (id) "-title " (id) "-desc" } {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc) }
            line.trend-axis x1=(LEFT) y1=(TOP + HEIGHT) x2=(format!("{:.1}", width - 6.0)) y2=(TOP + HEIGHT) {}
            @for tick in [0, max / 2, max] {
                text.chart-label x=(LEFT - 6.0) y=(format!("{:.1}", y_of(tick) + 4.0)) text-anchor="end" { (tick) }
            }
            @for (x, y, h, k, text) in &rects {
                rect class={ "trend-" (k + 1) } x=(format!("{x:.1}")) y=(format!("{y:.1}"))
                    width=(format!("{:.1}", (col - 2.0).max(1.0))) height=(format!("{h:.1}")) {
                    title { (text) }
                }
            }
            @for (i, p) in points.iter().enumerate() {
                @if i % every == 0 {
                    text.chart-label x=(format!("{:.1}", LEFT + col * i as f64 + 1.0 + col / 2.0)) y=(TOP + HEIGHT + 16.0) text-anchor="middle" { (p.period) }
                }
            }
            @for (k, label) in labels.iter().enumerate() {
                @let lx = LEFT + 170.0 * k as f64;
                rect class={ "trend-" (k + 1) } x=(lx) y=(total_h - 16.0) width="12" height="12" {}
                text.chart-label x=(lx + 16.0) y=(total_h - 6.0) { (label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_rounds_up_to_a_nice_number() {
        assert_eq!(axis_max(0), 1);
        assert_eq!(axis_max(7), 7);
        assert_eq!(axis_max(13), 20);
        assert_eq!(axis_max(1_234), 2_000);
    }

    #[test]
    fn every_value_is_in_a_tooltip() {
        let p = SeriesPoint {
            period: "2020".into(),
            events: 5,
            state_based_events: 2,
            one_sided_events: 3,
            ..Default::default()
        };
        let svg = trend_chart("t", "T", "D", &[p], Measure::Events, ["a", "b", "c"]).into_string();
        assert!(svg.contains("2020 · a: 2"), "{svg}");
        assert!(svg.contains("2020 · c: 3"), "{svg}");
        assert!(!svg.contains("2020 · b:"), "{svg}");
    }
}
