//! The dashboard's chart: vertical bars with labelled axes, each bar's value written on it when
//! it fits, gridlines at whole-number "nice" ticks ([`integer_ticks`]), and a title for screen
//! readers. Inline in a page: its colours (`svg.chart`, `.grid`, `.axis`, `.value`) come from the
//! page's stylesheet; its font size and left-to-right direction are set here, since the layout is
//! computed from them (an Arabic page keeps the time axis reading left to right, as its numerals
//! do).
//!
//! The labels under the axis are laid out to fit their band, judged by
//! [`estimated_text_width`]: written level when they fit, on two lines when a break makes them
//! fit, else turned 45°; when even that crowds, only every n-th is written (the data table
//! beside the chart has them all). The margins are computed from the labels, so neither the
//! value axis's labels nor the outermost turned label is ever cut off. Tick labels carry the
//! classes `tick x-tick` and `tick y-tick`.

use crate::{
    svg::{Content, Layout, SvgDocument, safe_colour},
    text_width::estimated_text_width,
    ticks::integer_ticks,
};

/// One bar: its label, its value and its fill colour (`#RRGGBB`; anything else is drawn grey).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub colour: String,
}

/// The chart's geometry, in SVG user units.
pub(crate) const WIDTH: f64 = 720.0;
pub(crate) const PLOT_HEIGHT: f64 = 188.0;
pub(crate) const TOP: f64 = 16.0;
pub(crate) const RIGHT: f64 = 12.0;
pub(crate) const FONT_SIZE: f64 = 11.0;
pub(crate) const LINE_HEIGHT: f64 = 13.0;
/// Between the axis and its labels.
pub(crate) const TICK_GAP: f64 = 6.0;
/// Kept clear on each side of a label within its band, and at the chart's edges.
pub(crate) const PADDING: f64 = 3.0;
/// The turned labels' angle; its sine and cosine are both `FRAC_1_SQRT_2`.
const TURNED_DEGREES: f64 = 45.0;
const TURNED_COSINE: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// How the labels under the axis are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelLayout {
    Level,
    TwoLines,
    Turned,
}

/// The labels under the axis as they will be drawn.
#[derive(Debug, Clone)]
struct CategoryAxis {
    layout: LabelLayout,
    /// Every `label_every`-th bar's label is written.
    label_every: usize,
    /// Each bar's label, split into the lines it is written on.
    lines: Vec<Vec<String>>,
}

/// The chart's frame: where the plot starts and how tall the whole chart is.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub(crate) left: f64,
    pub(crate) band: f64,
    pub(crate) height: f64,
    axis: CategoryAxis,
}

/// A vertical bar chart. `id` names the chart for `aria-labelledby`.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let ticks = integer_ticks(bars.iter().map(|bar| bar.value).max().unwrap_or(0));
    let labels: Vec<String> = bars.iter().map(|bar| bar.label.clone()).collect();
    let frame = fit_frame(&labels, &ticks);
    let title_id = format!("{id}-title");
    let mut svg = SvgDocument::open(
        Layout::Inline,
        &[
            ("class", "chart"),
            ("viewBox", &format!("0 0 {WIDTH} {:.0}", frame.height)),
            ("role", "img"),
            ("aria-labelledby", &title_id),
            ("font-size", &format!("{FONT_SIZE}")),
            ("direction", "ltr"),
            ("xmlns", "http://www.w3.org/2000/svg"),
        ],
    );
    svg.element("title", &[("id", &title_id)], Content::Text(title));
    draw_value_axis(&mut svg, &ticks, frame.left);
    draw_bars(&mut svg, bars, &ticks, &frame);
    draw_category_labels(&mut svg, &frame);
    svg.finish()
}

/// The left margin (wide enough for the value axis's labels and the first turned label), the
/// band each bar (one per label) has, and the label layout that fits it; a few rounds, since a
/// wider margin narrows the bands.
pub(crate) fn fit_frame(labels: &[String], ticks: &[u64]) -> Frame {
    let widest_tick = ticks
        .iter()
        .map(|tick| estimated_text_width(&tick.to_string(), FONT_SIZE))
        .fold(0.0, f64::max);
    let mut left = (widest_tick + TICK_GAP + PADDING).max(24.0);
    let mut frame = frame_with_left(labels, left);
    for _ in 0..4 {
        let needed = left_needed_by_labels(&frame);
        if needed <= left {
            break;
        }
        left = needed;
        frame = frame_with_left(labels, left);
    }
    frame
}

fn frame_with_left(labels: &[String], left: f64) -> Frame {
    let band = (WIDTH - left - RIGHT) / labels.len().max(1) as f64;
    let axis = lay_out_labels(labels, band);
    let height = TOP + PLOT_HEIGHT + TICK_GAP + label_area_height(&axis) + PADDING;
    Frame {
        left,
        band,
        height,
        axis,
    }
}

/// The first layout, with the fewest labels skipped, in which the written labels fit.
fn lay_out_labels(labels: &[String], band: f64) -> CategoryAxis {
    let level: Vec<Vec<String>> = labels.iter().map(|label| vec![label.clone()]).collect();
    for label_every in 1..=labels.len().max(1) {
        let room = band * label_every as f64 - 2.0 * PADDING;
        let written = || labels.iter().step_by(label_every);
        if written().all(|label| estimated_text_width(label, FONT_SIZE) <= room) {
            return CategoryAxis {
                layout: LabelLayout::Level,
                label_every,
                lines: level,
            };
        }
        let split: Vec<Vec<String>> = labels
            .iter()
            .map(|label| {
                if estimated_text_width(label, FONT_SIZE) <= room {
                    vec![label.clone()]
                } else {
                    split_in_two(label)
                }
            })
            .collect();
        let split_fits = split.iter().step_by(label_every).all(|lines| {
            lines
                .iter()
                .all(|line| estimated_text_width(line, FONT_SIZE) <= room)
        });
        if split_fits {
            return CategoryAxis {
                layout: LabelLayout::TwoLines,
                label_every,
                lines: split,
            };
        }
        if band * label_every as f64 >= LINE_HEIGHT + PADDING {
            return CategoryAxis {
                layout: LabelLayout::Turned,
                label_every,
                lines: level,
            };
        }
    }
    CategoryAxis {
        layout: LabelLayout::Turned,
        label_every: labels.len().max(1),
        lines: level,
    }
}

/// A label split at the break (a space, after a hyphen, or between two wide characters) that makes its longer
/// line shortest; a label with no break stays one line.
fn split_in_two(label: &str) -> Vec<String> {
    let characters: Vec<char> = label.chars().collect();
    let breaks = (1..characters.len()).filter(|&index| {
        characters[index].is_whitespace()
            || characters[index - 1].is_whitespace()
            || characters[index - 1] == '-'
            || (is_wide(characters[index - 1]) && is_wide(characters[index]))
    });
    let best = breaks
        .map(|index| {
            let first: String = characters[..index].iter().collect();
            let second: String = characters[index..].iter().collect();
            (first.trim().to_string(), second.trim().to_string())
        })
        .filter(|(first, second)| !first.is_empty() && !second.is_empty())
        .min_by(|a, b| {
            longer_line(a)
                .partial_cmp(&longer_line(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    match best {
        Some((first, second)) => vec![first, second],
        None => vec![label.to_string()],
    }
}

fn longer_line((first, second): &(String, String)) -> f64 {
    estimated_text_width(first, FONT_SIZE).max(estimated_text_width(second, FONT_SIZE))
}

fn is_wide(character: char) -> bool {
    estimated_text_width(&character.to_string(), 1.0) >= 1.0
}

/// The height the labels under the axis take.
fn label_area_height(axis: &CategoryAxis) -> f64 {
    match axis.layout {
        LabelLayout::Level => FONT_SIZE,
        LabelLayout::TwoLines => FONT_SIZE + LINE_HEIGHT,
        LabelLayout::Turned => {
            let longest = written_labels(axis)
                .map(|(_, lines)| estimated_text_width(&lines.join(" "), FONT_SIZE))
                .fold(0.0, f64::max);
            longest * TURNED_COSINE + FONT_SIZE
        }
    }
}

/// The left margin the turned labels need so the first ones, which reach furthest left past
/// their bar, are not cut off (level and two-line labels stay within their band).
fn left_needed_by_labels(frame: &Frame) -> f64 {
    if frame.axis.layout != LabelLayout::Turned {
        return 0.0;
    }
    written_labels(&frame.axis)
        .map(|(index, lines)| {
            let reach =
                (estimated_text_width(&lines.join(" "), FONT_SIZE) + FONT_SIZE) * TURNED_COSINE;
            reach - frame.band * (index as f64 + 0.5) + PADDING
        })
        .fold(0.0, f64::max)
}

/// The written labels, with their bar's index.
fn written_labels(axis: &CategoryAxis) -> impl Iterator<Item = (usize, &Vec<String>)> {
    axis.lines.iter().enumerate().step_by(axis.label_every)
}

/// The value axis: a gridline and its value at each tick.
pub(crate) fn draw_value_axis(svg: &mut SvgDocument, ticks: &[u64], left: f64) {
    let top_tick = ticks.last().copied().unwrap_or(1).max(1);
    for tick in ticks {
        let y = TOP + PLOT_HEIGHT * (1.0 - *tick as f64 / top_tick as f64);
        svg.element(
            "line",
            &[
                ("x1", &format!("{left:.1}")),
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
                ("x", &format!("{:.1}", left - TICK_GAP)),
                ("y", &format!("{:.1}", y + FONT_SIZE * 0.35)),
                ("class", "axis tick y-tick"),
                ("text-anchor", "end"),
            ],
            Content::Text(&tick.to_string()),
        );
    }
}

/// The bars, each with its tooltip and, when it fits its band, its value on top.
fn draw_bars(svg: &mut SvgDocument, bars: &[Bar], ticks: &[u64], frame: &Frame) {
    let top_tick = ticks.last().copied().unwrap_or(1).max(1);
    let bar_width = (frame.band * 0.8).max(1.0);
    for (index, bar) in bars.iter().enumerate() {
        let bar_height = PLOT_HEIGHT * bar.value as f64 / top_tick as f64;
        let x = frame.left + frame.band * index as f64 + (frame.band - bar_width) / 2.0;
        let y = TOP + PLOT_HEIGHT - bar_height;
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
        let value_fits = estimated_text_width(&value, FONT_SIZE) <= frame.band;
        if bar.value > 0 && value_fits {
            svg.element(
                "text",
                &[
                    ("x", &format!("{:.1}", x + bar_width / 2.0)),
                    ("y", &format!("{:.1}", (y - 3.0).max(TOP - 2.0))),
                    ("class", "value"),
                    ("text-anchor", "middle"),
                ],
                Content::Text(&value),
            );
        }
    }
}

/// The labels under the axis, level, on two lines or turned, as laid out.
pub(crate) fn draw_category_labels(svg: &mut SvgDocument, frame: &Frame) {
    let first_baseline = match frame.axis.layout {
        LabelLayout::Level | LabelLayout::TwoLines => TOP + PLOT_HEIGHT + TICK_GAP + FONT_SIZE,
        LabelLayout::Turned => TOP + PLOT_HEIGHT + TICK_GAP + FONT_SIZE * 0.75,
    };
    let baseline = format!("{first_baseline:.1}");
    let line_height = format!("{LINE_HEIGHT}");
    for (index, lines) in written_labels(&frame.axis) {
        let centre = format!("{:.1}", frame.left + frame.band * (index as f64 + 0.5));
        match frame.axis.layout {
            LabelLayout::Level | LabelLayout::TwoLines => svg.element(
                "text",
                &[
                    ("x", &centre),
                    ("y", &baseline),
                    ("class", "axis tick x-tick"),
                    ("text-anchor", "middle"),
                ],
                match lines.as_slice() {
                    [line] => Content::Text(line),
                    _ => Content::Lines {
                        lines,
                        x: &centre,
                        line_height: &line_height,
                    },
                },
            ),
            LabelLayout::Turned => svg.element(
                "text",
                &[
                    ("x", &centre),
                    ("y", &baseline),
                    ("class", "axis tick x-tick"),
                    ("text-anchor", "end"),
                    (
                        "transform",
                        &format!("rotate(-{TURNED_DEGREES} {centre} {baseline})"),
                    ),
                ],
                Content::Text(&lines.join(" ")),
            ),
        }
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
            r#"<svg class="chart" viewBox="0 0 720 224" role="img" aria-labelledby="by-month-title" font-size="11" direction="ltr" xmlns="http://www.w3.org/2000/svg"><title id="by-month-title">By month</title>"#
        ));
    }

    fn bars(labels: &[&str]) -> Vec<Bar> {
        labels
            .iter()
            .enumerate()
            .map(|(index, label)| Bar {
                label: (*label).to_string(),
                value: index as u64 % 3,
                colour: "#1d4ed8".into(),
            })
            .collect()
    }

    /// Each written label's estimated left, right and bottom edge.
    fn label_extents(frame: &Frame) -> Vec<(f64, f64, f64)> {
        let axis_y = TOP + PLOT_HEIGHT;
        written_labels(&frame.axis)
            .map(|(index, lines)| {
                let centre = frame.left + frame.band * (index as f64 + 0.5);
                let widest = lines
                    .iter()
                    .map(|line| estimated_text_width(line, FONT_SIZE))
                    .fold(0.0, f64::max);
                match frame.axis.layout {
                    LabelLayout::Level | LabelLayout::TwoLines => (
                        centre - widest / 2.0,
                        centre + widest / 2.0,
                        axis_y
                            + TICK_GAP
                            + FONT_SIZE * 1.25
                            + LINE_HEIGHT * (lines.len() - 1) as f64,
                    ),
                    LabelLayout::Turned => {
                        let reach =
                            estimated_text_width(&lines.join(" "), FONT_SIZE) * TURNED_COSINE;
                        (
                            centre - reach - FONT_SIZE * TURNED_COSINE,
                            centre + FONT_SIZE * 0.3,
                            axis_y + TICK_GAP + FONT_SIZE * 0.75 + reach + FONT_SIZE * 0.25,
                        )
                    }
                }
            })
            .collect()
    }

    fn check(labels: &[&str], expect_layout: LabelLayout, expect_label_every: usize) {
        let bars = bars(labels);
        let ticks = integer_ticks(bars.iter().map(|bar| bar.value).max().unwrap_or(0));
        let labels: Vec<String> = bars.iter().map(|bar| bar.label.clone()).collect();
        let frame = fit_frame(&labels, &ticks);
        assert_eq!(
            (frame.axis.layout, frame.axis.label_every),
            (expect_layout, expect_label_every),
            "{labels:?}"
        );
        for (left, right, bottom) in label_extents(&frame) {
            assert!(
                left >= 0.0 && right <= WIDTH,
                "{labels:?}: {left}..{right} outside the chart"
            );
            assert!(
                bottom <= frame.height,
                "{labels:?}: {bottom} below {}",
                frame.height
            );
        }
    }

    #[test]
    fn labels_are_level_on_two_lines_or_turned_and_never_cut_off() {
        use LabelLayout::{Level, Turned, TwoLines};
        check(&[], Level, 1);
        check(&["2021-01", "2021-02", "2021-03"], Level, 1);
        let years: Vec<String> = (2007..=2022).map(|year| year.to_string()).collect();
        let years: Vec<&str> = years.iter().map(String::as_str).collect();
        check(&years, Level, 1);
        check(&SEVERITIES, TwoLines, 1);
        check(&SEVERITIES[..6], TwoLines, 1);
        check(&SEVERITIES_ARABIC, Level, 1);
        check(
            &[
                "حادث ذو أثر ضئيل جدا",
                "حادث ذو أثر طفيف",
                "حادث ذو أثر متوسط",
                "حادث ذو أثر كبير",
                "حادث ذو أثر شديد",
                "حادث ذو أثر حرج",
                "حادث ذو أثر كارثي",
                "لم يُقيَّم بعد",
            ],
            TwoLines,
            1,
        );
        check(
            &[
                "一级 · 可忽略的基线事件",
                "二级 · 低",
                "三级 · 中等",
                "四级 · 高",
                "五级 · 严重",
                "六级 · 危急",
                "七级 · 灾难性的基线事件",
                "未评估",
            ],
            TwoLines,
            1,
        );
        let months: Vec<String> = (0..36)
            .map(|index| format!("{}-{:02}", 2020 + index / 12, index % 12 + 1))
            .collect();
        let months: Vec<&str> = months.iter().map(String::as_str).collect();
        check(&months, Turned, 1);
        check(
            &["Supercalifragilisticexpialidocious-negligible"; 12],
            Turned,
            1,
        );
        let many: Vec<String> = (0..400).map(|index| format!("label {index}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        check(&many, Turned, 10);
    }

    const SEVERITIES: [&str; 8] = [
        "0 · baseline-negligible",
        "1 · baseline-low",
        "2 · baseline-medium",
        "3 · baseline-high",
        "4 · baseline-severe",
        "5 · baseline-critical",
        "6 · baseline-catastrophic",
        "Unassessed",
    ];
    const SEVERITIES_ARABIC: [&str; 8] = [
        "٠ · ضئيل",
        "١ · طفيف",
        "٢ · متوسط",
        "٣ · مرتفع",
        "٤ · شديد",
        "٥ · حرج",
        "٦ · كارثي",
        "لم يُقيَّم بعد",
    ];

    #[test]
    fn each_axis_has_distinct_tick_labels() {
        for maximum in [0, 1, 2, 3, 7, 11, 99] {
            let svg = bar_chart(
                "c",
                "t",
                &[Bar {
                    label: "a".into(),
                    value: maximum,
                    colour: "#000000".into(),
                }],
            );
            let ticks: Vec<&str> = svg
                .split(r#"class="axis tick y-tick" text-anchor="end">"#)
                .skip(1)
                .filter_map(|rest| rest.split_once('<').map(|(tick, _)| tick))
                .collect();
            let mut distinct = ticks.clone();
            distinct.dedup();
            assert_eq!(ticks, distinct, "maximum {maximum}");
            assert!(ticks.len() >= 2, "maximum {maximum}: {ticks:?}");
        }
    }

    #[test]
    fn the_severity_chart_is_drawn_as_reviewed() {
        let bars: Vec<Bar> = SEVERITIES
            .iter()
            .zip([1, 0, 2, 3, 1, 1, 0, 0])
            .map(|(label, value)| Bar {
                label: (*label).to_string(),
                value,
                colour: "#d97706".into(),
            })
            .collect();
        insta::assert_snapshot!(
            bar_chart("by-severity", "By severity", &bars).replace("><", ">\n<")
        );
    }

    #[test]
    fn a_long_time_series_is_drawn_by_year_as_reviewed() {
        let years: Vec<Bar> = (2007..=2022)
            .map(|year| Bar {
                label: year.to_string(),
                value: u64::from(year % 5 == 0),
                colour: "#1d4ed8".into(),
            })
            .collect();
        insta::assert_snapshot!(bar_chart("by-month", "By month", &years).replace("><", ">\n<"));
    }
}
