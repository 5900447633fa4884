//! Charts drawn as SVG on the server: a bar chart with labelled axes, its bars' values written
//! on them, and a title and description for screen readers. Every chart is shown with a data
//! table of the same figures (in the template), so it is readable without the picture.
//!
//! The SVG is built here as text; every label is XML-escaped, so no data can inject markup.

use std::fmt::Write as _;

/// One bar: its label, its value and its fill colour (`#RRGGBB`).
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: u64,
    pub(crate) colour: String,
}

pub(crate) fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A colour safe to put in an attribute: `#` and three or six hex digits, else a neutral grey.
fn safe_colour(colour: &str) -> &str {
    let hex = colour.strip_prefix('#').unwrap_or("");
    if (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        colour
    } else {
        "#6b7280"
    }
}

/// A vertical bar chart. `id` names the chart for `aria-labelledby`; with many bars only every
/// n-th label is written under the axis (the table has them all).
pub(crate) fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let width = 720.0_f64;
    let height = 260.0_f64;
    let (left, right, top, bottom) = (44.0, 12.0, 16.0, 56.0);
    let plot_width = width - left - right;
    let plot_height = height - top - bottom;
    let maximum = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let slot = plot_width / bars.len().max(1) as f64;
    let bar_width = (slot * 0.8).max(1.0);
    let label_every = (bars.len() / 24).max(1);
    let id = escape_xml(id);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        escape_xml(title)
    );
    // Axis and gridlines at 0, half and the maximum.
    for fraction in [0.0, 0.5, 1.0] {
        let y = top + plot_height * (1.0 - fraction);
        let value = (maximum as f64 * fraction).round() as u64;
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="axis" text-anchor="end">{value}</text>"#,
            width - right,
            left - 6.0,
            y + 4.0
        );
    }
    for (index, bar) in bars.iter().enumerate() {
        let bar_height = plot_height * bar.value as f64 / maximum as f64;
        let x = left + slot * index as f64 + (slot - bar_width) / 2.0;
        let y = top + plot_height - bar_height;
        let label = escape_xml(&bar.label);
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bar_width:.1}" height="{bar_height:.1}" fill="{}" stroke="#374151" stroke-width="0.5"><title>{label}: {}</title></rect>"##,
            safe_colour(&bar.colour),
            bar.value
        );
        if bars.len() <= 24 && bar.value > 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="value" text-anchor="middle">{}</text>"#,
                x + bar_width / 2.0,
                (y - 3.0).max(top - 2.0),
                bar.value
            );
        }
        if index % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="end" transform="rotate(-40 {:.1} {:.1})">{label}</text>"#,
                x + bar_width / 2.0,
                top + plot_height + 14.0,
                x + bar_width / 2.0,
                top + plot_height + 14.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
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
}
