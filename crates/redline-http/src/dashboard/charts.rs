//! The dashboard's charts: SVG bar charts with labelled axes and a title for screen readers,
//! drawn by `redline-charts` (the one chart module, shared with the simulator's report; every
//! label is escaped there). Each chart is shown with a data table of the same figures (in the
//! template), so it is readable without the picture. A month series is binned by
//! `bin_months` (by year when long or sparse) before it is drawn.

pub(crate) use redline_charts::{
    Bar, Series, StackedBar, bar_chart, bin_months, stacked_bar_chart,
};
