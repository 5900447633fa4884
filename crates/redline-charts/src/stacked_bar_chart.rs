//! The dashboard's stacked bar chart: one bar per category (a month, say), each split into the
//! segments of a few series (met, late, missed), with the bar's total on top when it fits and a
//! legend under the axis. Laid out as [`crate::bar_chart`] lays out its chart — the same frame,
//! value axis, category labels (level, on two lines, turned or thinned to fit), font size and
//! left-to-right direction — so the two read alike on a page and in its tests. Inline in a page
//! and styled by it (`svg.chart`, `.grid`, `.axis`, `.value`, `.legend`); titled for screen
//! readers, and each segment carries its category, series and value as its tooltip.

use crate::bar_chart::{
    FONT_SIZE, Frame, PADDING, PLOT_HEIGHT, RIGHT, TOP, WIDTH, draw_category_labels,
    draw_value_axis, fit_frame,
};
use crate::{
    svg::{Content, Layout, SvgDocument, safe_colour},
    text_width::estimated_text_width,
    ticks::integer_ticks,
};

/// One series: its name in the legend and its fill colour (`#RRGGBB`; anything else is grey).
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub colour: String,
}

/// One bar: its category label and one value per series, in the series' order (missing values
/// count as 0, extra ones are ignored).
#[derive(Debug, Clone)]
pub struct StackedBar {
    pub label: String,
    pub values: Vec<u64>,
}

/// The legend's swatch, the gap after it, and the gap between two entries.
const SWATCH: f64 = 10.0;
const SWATCH_GAP: f64 = 4.0;
const ENTRY_GAP: f64 = 14.0;
/// One row of the legend, and the gap between the category labels and the legend.
const LEGEND_ROW: f64 = 16.0;
const LEGEND_GAP: f64 = 6.0;

/// A stacked bar chart. `id` names the chart for `aria-labelledby`.
pub fn stacked_bar_chart(id: &str, title: &str, series: &[Series], bars: &[StackedBar]) -> String {
    let totals: Vec<u64> = bars.iter().map(|bar| total(bar, series.len())).collect();
    let ticks = integer_ticks(totals.iter().copied().max().unwrap_or(0));
    let labels: Vec<String> = bars.iter().map(|bar| bar.label.clone()).collect();
    let frame = fit_frame(&labels, &ticks);
    let legend = lay_out_legend(series, frame.left);
    let legend_top = frame.height + LEGEND_GAP;
    let height = legend_top + LEGEND_ROW * legend.rows as f64 + PADDING;
    let title_id = format!("{id}-title");
    let mut svg = SvgDocument::open(
        Layout::Inline,
        &[
            ("class", "chart stacked"),
            ("viewBox", &format!("0 0 {WIDTH} {height:.0}")),
            ("role", "img"),
            ("aria-labelledby", &title_id),
            ("font-size", &format!("{FONT_SIZE}")),
            ("direction", "ltr"),
            ("xmlns", "http://www.w3.org/2000/svg"),
        ],
    );
    svg.element("title", &[("id", &title_id)], Content::Text(title));
    draw_value_axis(&mut svg, &ticks, frame.left);
    draw_segments(&mut svg, series, bars, &totals, &ticks, &frame);
    draw_category_labels(&mut svg, &frame);
    draw_legend(&mut svg, series, &legend, legend_top);
    svg.finish()
}

fn total(bar: &StackedBar, series: usize) -> u64 {
    bar.values.iter().take(series).sum()
}

/// Where each legend entry goes: its row and its left edge.
struct Legend {
    rows: usize,
    entries: Vec<(usize, f64)>,
}

/// Entries left to right from the plot's left edge, wrapped onto a new row when one would
/// pass the chart's right edge.
fn lay_out_legend(series: &[Series], left: f64) -> Legend {
    let mut entries = Vec::with_capacity(series.len());
    let mut row = 0;
    let mut x = left;
    for entry in series {
        let width = SWATCH + SWATCH_GAP + estimated_text_width(&entry.label, FONT_SIZE);
        if x > left && x + width > WIDTH - RIGHT {
            row += 1;
            x = left;
        }
        entries.push((row, x));
        x += width + ENTRY_GAP;
    }
    Legend {
        rows: if series.is_empty() { 0 } else { row + 1 },
        entries,
    }
}

/// Each bar's segments from the axis up, in the series' order, and its total on top.
fn draw_segments(
    svg: &mut SvgDocument,
    series: &[Series],
    bars: &[StackedBar],
    totals: &[u64],
    ticks: &[u64],
    frame: &Frame,
) {
    let top_tick = ticks.last().copied().unwrap_or(1).max(1);
    let scale = PLOT_HEIGHT / top_tick as f64;
    let bar_width = (frame.band * 0.8).max(1.0);
    for (index, bar) in bars.iter().enumerate() {
        let x = frame.left + frame.band * index as f64 + (frame.band - bar_width) / 2.0;
        let mut base = TOP + PLOT_HEIGHT;
        for (entry, value) in series.iter().zip(bar.values.iter()) {
            if *value == 0 {
                continue;
            }
            let height = scale * *value as f64;
            base -= height;
            svg.element(
                "rect",
                &[
                    ("x", &format!("{x:.1}")),
                    ("y", &format!("{base:.1}")),
                    ("width", &format!("{bar_width:.1}")),
                    ("height", &format!("{height:.1}")),
                    ("fill", safe_colour(&entry.colour)),
                    ("stroke", "#374151"),
                    ("stroke-width", "0.5"),
                ],
                Content::Tooltip(&format!("{} · {}: {value}", bar.label, entry.label)),
            );
        }
        let sum = totals.get(index).copied().unwrap_or(0);
        let written = sum.to_string();
        if sum > 0 && estimated_text_width(&written, FONT_SIZE) <= frame.band {
            svg.element(
                "text",
                &[
                    ("x", &format!("{:.1}", x + bar_width / 2.0)),
                    ("y", &format!("{:.1}", (base - 3.0).max(TOP - 2.0))),
                    ("class", "value"),
                    ("text-anchor", "middle"),
                ],
                Content::Text(&written),
            );
        }
    }
}

/// The legend under the category labels: a swatch and the series' name per entry.
fn draw_legend(svg: &mut SvgDocument, series: &[Series], legend: &Legend, top: f64) {
    for (entry, (row, x)) in series.iter().zip(legend.entries.iter()) {
        let y = top + LEGEND_ROW * *row as f64;
        svg.element(
            "rect",
            &[
                ("x", &format!("{x:.1}")),
                ("y", &format!("{:.1}", y + 1.0)),
                ("width", &format!("{SWATCH}")),
                ("height", &format!("{SWATCH}")),
                ("fill", safe_colour(&entry.colour)),
                ("stroke", "#374151"),
                ("stroke-width", "0.5"),
            ],
            Content::Empty,
        );
        svg.element(
            "text",
            &[
                ("x", &format!("{:.1}", x + SWATCH + SWATCH_GAP)),
                ("y", &format!("{:.1}", y + SWATCH)),
                ("class", "axis legend"),
            ],
            Content::Text(&entry.label),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> Vec<Series> {
        [
            ("met", "#15803d"),
            ("late", "#b45309"),
            ("missed", "#b91c1c"),
        ]
        .iter()
        .map(|(label, colour)| Series {
            label: (*label).to_string(),
            colour: (*colour).to_string(),
        })
        .collect()
    }

    fn months(values: &[[u64; 3]]) -> Vec<StackedBar> {
        values
            .iter()
            .enumerate()
            .map(|(index, values)| StackedBar {
                label: format!("2026-{:02}", index + 1),
                values: values.to_vec(),
            })
            .collect()
    }

    #[test]
    fn text_is_escaped_and_colours_checked() {
        let svg = stacked_bar_chart(
            "c",
            "<script>",
            &[Series {
                label: "a<b>&\"".into(),
                colour: "red\" onload=\"x".into(),
            }],
            &[StackedBar {
                label: "<month>".into(),
                values: vec![2],
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<month>"));
        assert!(svg.contains("a&lt;b&gt;&amp;&quot;"));
        assert!(svg.contains("#6b7280"));
        assert!(!svg.contains("onload"));
    }

    #[test]
    fn an_empty_chart_is_still_valid() {
        let svg = stacked_bar_chart("c", "nothing", &[], &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn segments_stack_to_the_total_and_zero_segments_are_not_drawn() {
        let svg = stacked_bar_chart("c", "t", &outcomes(), &months(&[[2, 0, 1]]));
        // Two segments (met and missed) and three legend swatches.
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("<title>2026-01 · met: 2</title>"));
        assert!(svg.contains("<title>2026-01 · missed: 1</title>"));
        assert!(!svg.contains("late: 0"));
        assert!(svg.contains(r#"class="value" text-anchor="middle">3<"#));
    }

    #[test]
    fn a_long_legend_wraps_within_the_chart() {
        let series: Vec<Series> = (0..12)
            .map(|index| Series {
                label: format!("a rather long series name {index}"),
                colour: "#1d4ed8".into(),
            })
            .collect();
        let legend = lay_out_legend(&series, 30.0);
        assert!(legend.rows > 1);
        for ((_, x), entry) in legend.entries.iter().zip(&series) {
            let right = x + SWATCH + SWATCH_GAP + estimated_text_width(&entry.label, FONT_SIZE);
            assert!(right <= WIDTH, "{} ends at {right}", entry.label);
        }
    }

    #[test]
    fn the_duties_kept_chart_is_drawn_as_reviewed() {
        let bars = months(&[[3, 1, 0], [0, 0, 2], [5, 2, 1]]);
        insta::assert_snapshot!(
            stacked_bar_chart(
                "duties-acknowledge",
                "Acknowledge: met, late, missed",
                &outcomes(),
                &bars
            )
            .replace("><", ">\n<")
        );
    }
}
