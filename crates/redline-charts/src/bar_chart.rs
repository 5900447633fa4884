//! The dashboard's chart: vertical bars with labelled axes, each bar's value written on it,
//! gridlines at zero, half and the maximum, and a title for screen readers. Inline in a page:
//! its look (`svg.chart`, `.grid`, `.axis`, `.value`) and text direction come from the page's
//! stylesheet.

use crate::svg::{Content, Layout, SvgDocument, safe_colour};

/// One bar: its label, its value and its fill colour (`#RRGGBB`; anything else is drawn grey).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub colour: String,
}

/// The plot's geometry, in SVG user units.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;
/// Past this many bars, values are not written on the bars and only every n-th label is
/// written under the axis (the data table beside the chart has them all).
const MOST_LABELLED_BARS: usize = 24;

/// A vertical bar chart. `id` names the chart for `aria-labelledby`.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let maximum = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let slot = plot_width / bars.len().max(1) as f64;
    let bar_width = (slot * 0.8).max(1.0);
    let label_every = (bars.len() / MOST_LABELLED_BARS).max(1);
    let title_id = format!("{id}-title");

    let mut svg = SvgDocument::open(
        Layout::Inline,
        &[
            ("class", "chart"),
            ("viewBox", &format!("0 0 {WIDTH} {HEIGHT}")),
            ("role", "img"),
            ("aria-labelledby", &title_id),
            ("xmlns", "http://www.w3.org/2000/svg"),
        ],
    );
    svg.element("title", &[("id", &title_id)], Content::Text(title));
    draw_gridlines(&mut svg, maximum, plot_height);
    for (index, bar) in bars.iter().enumerate() {
        let bar_height = plot_height * bar.value as f64 / maximum as f64;
        let x = LEFT + slot * index as f64 + (slot - bar_width) / 2.0;
        let y = TOP + plot_height - bar_height;
        let value = bar.value.to_string();
        svg.element(
            "rect",
            &[
                ("x", &format!("{x:.1}")),
                ("y", &format!("{y:.1}")),
                ("width", &format!("{bar_width:.1}")),
                ("height", &format!("{bar_height:.1}")),
                ("fill", safe_colour(&bar.colour)),
                ("stroke", "#374151"),
                ("stroke-width", "0.5"),
            ],
            Content::Tooltip(&format!("{}: {value}", bar.label)),
        );
        let centre = x + bar_width / 2.0;
        if bars.len() <= MOST_LABELLED_BARS && bar.value > 0 {
            svg.element(
                "text",
                &[
                    ("x", &format!("{centre:.1}")),
                    ("y", &format!("{:.1}", (y - 3.0).max(TOP - 2.0))),
                    ("class", "value"),
                    ("text-anchor", "middle"),
                ],
                Content::Text(&value),
            );
        }
        if index % label_every == 0 {
            let label_y = TOP + plot_height + 14.0;
            svg.element(
                "text",
                &[
                    ("x", &format!("{centre:.1}")),
                    ("y", &format!("{label_y:.1}")),
                    ("class", "axis"),
                    ("text-anchor", "end"),
                    (
                        "transform",
                        &format!("rotate(-40 {centre:.1} {label_y:.1})"),
                    ),
                ],
                Content::Text(&bar.label),
            );
        }
    }
    svg.finish()
}

/// The value axis: a gridline and its value at 0, half and the maximum.
fn draw_gridlines(svg: &mut SvgDocument, maximum: u64, plot_height: f64) {
    for fraction in [0.0, 0.5, 1.0] {
        let y = TOP + plot_height * (1.0 - fraction);
        let value = (maximum as f64 * fraction).round() as u64;
        svg.element(
            "line",
            &[
                ("x1", &format!("{LEFT}")),
                ("y1", &format!("{y:.1}")),
                ("x2", &format!("{:.1}", WIDTH - RIGHT)),
                ("y2", &format!("{y:.1}")),
                ("class", "grid"),
            ],
            Content::Empty,
        );
        svg.element(
            "text",
            &[
                ("x", &format!("{:.1}", LEFT - 6.0)),
                ("y", &format!("{:.1}", y + 4.0)),
                ("class", "axis"),
                ("text-anchor", "end"),
            ],
            Content::Text(&value.to_string()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_colours_checked() {
        let svg = bar_chart(
            "c",
            "<script>",
            &[Bar {
                label: "a<b>&\"".into(),
                value: 3,
                colour: "red\" onload=\"x".into(),
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("a&lt;b&gt;&amp;&quot;"));
        assert!(svg.contains("#6b7280"));
        assert!(!svg.contains("onload"));
    }

    #[test]
    fn an_empty_chart_is_still_valid() {
        let svg = bar_chart("c", "nothing", &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn the_chart_is_titled_for_screen_readers() {
        let svg = bar_chart("by-month", "By month", &[]);
        assert!(svg.starts_with(
            r#"<svg class="chart" viewBox="0 0 720 260" role="img" aria-labelledby="by-month-title" xmlns="http://www.w3.org/2000/svg"><title id="by-month-title">By month</title>"#
        ));
    }
}
