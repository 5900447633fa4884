//! A standalone chart file: a white page with a visible bold title, `<title>` and `<desc>` for
//! screen readers, and the shapes a chart is drawn with (lines, bars, points, labels, a legend),
//! one element per line. Colours come from the Okabe–Ito palette, which stays distinguishable
//! with the common colour-vision deficiencies.

use crate::svg::{Content, Layout, SvgDocument};

/// Okabe–Ito colours.
pub const PALETTE: [&str; 8] = [
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#999999",
];

/// The palette's colour for the `index`-th series (the palette repeats).
pub fn palette_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// A "nice" upper bound for a linear axis: 1, 2 or 5 times a power of ten (`1e-3` for nothing).
pub fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1e-3;
    }
    let exponent = value.log10().floor();
    let base = 10f64.powf(exponent);
    for step in [1.0, 2.0, 5.0, 10.0] {
        if value <= step * base {
            return step * base;
        }
    }
    10.0 * base
}

/// One chart file being drawn.
#[derive(Debug, Clone)]
pub struct Figure {
    svg: SvgDocument,
}

impl Figure {
    /// A `width` × `height` figure with its title shown at the top and said, with the
    /// description, to screen readers.
    pub fn new(width: f64, height: f64, title: &str, description: &str) -> Figure {
        let width_text = format!("{width:.0}");
        let height_text = format!("{height:.0}");
        let mut svg = SvgDocument::open(
            Layout::OneElementPerLine,
            &[
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("width", &width_text),
                ("height", &height_text),
                ("viewBox", &format!("0 0 {width_text} {height_text}")),
                ("role", "img"),
                ("font-family", "system-ui, sans-serif"),
                ("font-size", "12"),
            ],
        );
        svg.element("title", &[], Content::Text(title));
        svg.element("desc", &[], Content::Text(description));
        svg.element(
            "rect",
            &[
                ("x", "0"),
                ("y", "0"),
                ("width", &width_text),
                ("height", &height_text),
                ("fill", "#ffffff"),
            ],
            Content::Empty,
        );
        svg.element(
            "text",
            &[
                ("x", &format!("{:.1}", width / 2.0)),
                ("y", "24"),
                ("font-size", "16"),
                ("font-weight", "bold"),
                ("text-anchor", "middle"),
            ],
            Content::Text(title),
        );
        Figure { svg }
    }

    /// A straight line (an axis, a gridline, an interval).
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64) {
        self.svg.element(
            "line",
            &[
                ("x1", &format!("{x1:.1}")),
                ("y1", &format!("{y1:.1}")),
                ("x2", &format!("{x2:.1}")),
                ("y2", &format!("{y2:.1}")),
                ("stroke", stroke),
                ("stroke-width", &format!("{width:.1}")),
            ],
            Content::Empty,
        );
    }

    /// A filled rectangle (a bar) with its tooltip.
    pub fn rect(
        &mut self,
        (x, y): (f64, f64),
        (width, height): (f64, f64),
        fill: &str,
        tooltip: &str,
    ) {
        self.svg.element(
            "rect",
            &[
                ("x", &format!("{x:.1}")),
                ("y", &format!("{y:.1}")),
                ("width", &format!("{width:.1}")),
                ("height", &format!("{height:.1}")),
                ("fill", fill),
            ],
            Content::Tooltip(tooltip),
        );
    }

    /// A filled circle (a point estimate) with its tooltip.
    pub fn circle(&mut self, (x, y): (f64, f64), radius: f64, fill: &str, tooltip: &str) {
        self.svg.element(
            "circle",
            &[
                ("cx", &format!("{x:.1}")),
                ("cy", &format!("{y:.1}")),
                ("r", &format!("{radius:.1}")),
                ("fill", fill),
            ],
            Content::Tooltip(tooltip),
        );
    }

    /// A label anchored at `start`, `middle` or `end`.
    pub fn text(&mut self, (x, y): (f64, f64), anchor: &str, content: &str) {
        self.svg.element(
            "text",
            &[
                ("x", &format!("{x:.1}")),
                ("y", &format!("{y:.1}")),
                ("text-anchor", anchor),
            ],
            Content::Text(content),
        );
    }

    /// A bold label starting at `(x, y)`: the heading of a section of the chart.
    pub fn heading(&mut self, (x, y): (f64, f64), content: &str) {
        self.svg.element(
            "text",
            &[
                ("x", &format!("{x:.1}")),
                ("y", &format!("{y:.1}")),
                ("font-weight", "bold"),
            ],
            Content::Text(content),
        );
    }

    /// A label centred on `(x, y)` and turned to read upwards: a vertical axis's title.
    pub fn rotated_text(&mut self, (x, y): (f64, f64), content: &str) {
        self.svg.element(
            "text",
            &[
                ("x", &format!("{x:.1}")),
                ("y", &format!("{y:.1}")),
                ("text-anchor", "middle"),
                ("transform", &format!("rotate(-90 {x:.1} {y:.1})")),
            ],
            Content::Text(content),
        );
    }

    /// One swatch in the palette's colour and one label per series, top to bottom from `(x, y)`.
    pub fn legend(&mut self, (x, y): (f64, f64), labels: &[String]) {
        for (index, label) in labels.iter().enumerate() {
            let row_y = y + 18.0 * index as f64;
            self.rect(
                (x, row_y - 10.0),
                (12.0, 12.0),
                palette_colour(index),
                label,
            );
            self.text((x + 18.0, row_y), "start", label);
        }
    }

    /// The finished file.
    pub fn finish(self) -> String {
        self.svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_has_title_description_and_background() {
        let mut figure = Figure::new(100.0, 50.0, "T & t", "D");
        figure.line((0.0, 1.0), (2.0, 3.0), "#000000", 1.0);
        assert_eq!(
            figure.finish(),
            concat!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\" viewBox=\"0 0 100 50\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n",
                "<title>T &amp; t</title>\n",
                "<desc>D</desc>\n",
                "<rect x=\"0\" y=\"0\" width=\"100\" height=\"50\" fill=\"#ffffff\"/>\n",
                "<text x=\"50.0\" y=\"24\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">T &amp; t</text>\n",
                "<line x1=\"0.0\" y1=\"1.0\" x2=\"2.0\" y2=\"3.0\" stroke=\"#000000\" stroke-width=\"1.0\"/>\n",
                "</svg>\n"
            )
        );
    }

    #[test]
    fn axis_ceilings_are_nice() {
        assert_eq!(nice_ceiling(0.0), 1e-3);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(nice_ceiling(3.0), 5.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(palette_colour(9), PALETTE[1]);
    }
}
