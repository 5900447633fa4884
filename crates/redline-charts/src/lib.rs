//! redline-charts: the one place SVG charts are drawn, as text, for the dashboard's pages and
//! the simulator's comparison report.
//!
//! - [`svg`]: the writer every chart goes through ([`SvgDocument`]); every text and attribute
//!   value is escaped by [`escape_text`], the one SVG escape, so no data can inject markup.
//! - [`bar_chart`]: the dashboard's vertical bar chart (inline in a page, styled by its CSS,
//!   titled for screen readers through `aria-labelledby`).
//! - [`stacked_bar_chart`]: the same chart with each bar split into the segments of a few series
//!   and a legend (duties met, late and missed by month).
//! - [`time_bins`]: the one rule for binning a month series by month or by year.
//! - [`ticks`]: whole-number value-axis ticks at a nice step, each distinct.
//! - [`text_width`]: a label's estimated drawn width, so labels are wrapped or turned to fit.
//! - [`figure`]: a standalone chart file ([`Figure`]: white background, visible title, `<title>`
//!   and `<desc>` for screen readers, axes and a legend), drawn by the simulator's report.
//!
//! Every chart is meant to be shown beside a data table of the same figures, so nothing is only
//! readable from a picture. The crate is pure: no I/O, no clock.

pub mod bar_chart;
pub mod figure;
pub mod stacked_bar_chart;
pub mod svg;
pub mod text_width;
pub mod ticks;
pub mod time_bins;

pub use bar_chart::{Bar, bar_chart};
pub use figure::{Figure, PALETTE, nice_ceiling, palette_colour};
pub use stacked_bar_chart::{Series, StackedBar, stacked_bar_chart};
pub use svg::{Content, Layout, SvgDocument, escape_text, safe_colour};
pub use text_width::estimated_text_width;
pub use ticks::integer_ticks;
pub use time_bins::{TimeBins, TimeGranularity, bin_months, granularity_for_months};
