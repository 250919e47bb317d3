//! Charts as SVG written by the server: readable without JavaScript, printable, and accessible
//! (a title and a description, every value also written as text).

use maud::{Markup, html};

/// One bar: its label, its length (any unit ≥ 0) and the text written next to it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

const ROW: f64 = 26.0;
const LABEL_W: f64 = 220.0;
const BAR_W: f64 = 300.0;
const TEXT_W: f64 = 110.0;

/// A horizontal bar chart; `id` must be unique on the page. `max` fixes the scale (e.g. 1.0 for shares); `None` scales to the
/// longest bar.
pub fn bar_chart(id: &str, title: &str, desc: &str, bars: &[Bar], max: Option<f64>) -> Markup {
    let top = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let scale = max.unwrap_or(top).max(f64::EPSILON);
    let height = ROW * bars.len().max(1) as f64 + 8.0;
    let width = LABEL_W + BAR_W + TEXT_W;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" width=(width) height=(height)
            viewBox={ "0 0 " (width) " " (height) } aria-labelledby={ (id) "-title " (id) "-desc" } {
            title id={ (id) "-title" } { (title) }
            desc id={ (id) "-desc" } { (desc) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = 4.0 + ROW * i as f64;
                @let w = (b.value.max(0.0) / scale).min(1.0) * BAR_W;
                text.chart-label x=(LABEL_W - 8.0) y=(y + ROW * 0.62) text-anchor="end" { (b.label) }
                rect.chart-track x=(LABEL_W) y=(y + 4.0) width=(BAR_W) height=(ROW - 8.0) {}
                rect.chart-bar x=(LABEL_W) y=(y + 4.0) width=(format!("{w:.1}")) height=(ROW - 8.0) {}
                text.chart-value x=(LABEL_W + BAR_W + 8.0) y=(y + ROW * 0.62) { (b.text) }
            }
        }
    }
}
