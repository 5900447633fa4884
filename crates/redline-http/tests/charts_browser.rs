#![allow(clippy::unwrap_used)]
//! Charts and tables that read, in a real browser (chromium over WebDriver, as
//! `dashboard_browser.rs`): every public page, at desktop and phone widths, in English and in
//! Arabic, is screenshotted to `<target>/dashboard-screenshots/layout-<page>-<language>-<width>.png`
//! (each chart also scrolled into view, to `…-chart-<n>.png`) and checked by script that
//!
//! - the page does not scroll sideways (`document.documentElement.scrollWidth` within its
//!   `clientWidth`), and no block inside a chart or table overflows its box (`scrollWidth` against
//!   `clientWidth`) unless it sits in a container that scrolls (`.table-scroll`);
//! - every label of every chart is drawn inside the chart (its box within the SVG's box, so
//!   nothing is cut off);
//! - each chart axis's tick labels (`.x-tick`, `.y-tick`) are distinct.
//!
//! The overview's incidents, first observed from 2007 to 2022, are drawn by year. A party's
//! commitments page draws its duties kept (met, late, missed by month) one stacked chart per
//! kind, each with its legend inside the chart.
//!
//! Without chromium and chromedriver the test is skipped with a message, unless
//! `REQUIRE_BROWSER=1` (as `scripts/test` sets it), when it fails.

#[path = "support/browser.rs"]
mod browser;
mod support;

use std::time::Duration;

use browser::{DESKTOP, PHONE, screenshot};
use fantoccini::{Client, Locator};

/// The layout checks, run in the page; returns one sentence per problem found.
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const PAGE_SCROLLS = 'the page scrolls sideways';
const inScrollingContainer = (element) => {
  for (let ancestor = element.parentElement; ancestor; ancestor = ancestor.parentElement) {
    const overflow = getComputedStyle(ancestor).overflowX;
    if (overflow === 'auto' || overflow === 'scroll') return true;
  }
  return false;
};
const page = document.documentElement;
const describe = (element) => {
  const text = (element.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40);
  return `<${element.tagName.toLowerCase()} class="${element.getAttribute('class') || ''}"> "${text}"`;
};
if (page.scrollWidth > page.clientWidth) {
  const sticksOut = (element) => {
    const drawn = element.getBoundingClientRect();
    const hiddenOffScreen = drawn.right < 0 || drawn.left > page.clientWidth;
    return !hiddenOffScreen && (drawn.right > page.clientWidth + 1 || drawn.left < -1);
  };
  const sticking = [...document.body.querySelectorAll('*')]
    .filter((element) => sticksOut(element) && !inScrollingContainer(element)
      && !(element.parentElement && sticksOut(element.parentElement)))
    .slice(0, 5).map(describe).join('; ');
  const overflowing = [...document.querySelectorAll('main *')]
    .filter((element) => getComputedStyle(element).display !== 'inline'
      && getComputedStyle(element).overflowX === 'visible'
      && element.scrollWidth > element.clientWidth + 1
      && ![...element.children].some((child) => getComputedStyle(child).overflowX === 'visible'
        && child.scrollWidth > child.clientWidth + 1))
    .slice(0, 5).map(describe).join('; ');
  problems.push(`${PAGE_SCROLLS}: ${page.scrollWidth} > ${page.clientWidth} (sticking out: ${sticking}; too wide for its box: ${overflowing})`);
}
for (const element of document.querySelectorAll('figure, figure *, table, table *')) {
  if (element instanceof SVGElement) continue;
  if (getComputedStyle(element).display === 'inline') continue;
  if (inScrollingContainer(element)) continue;
  if (element.scrollWidth > element.clientWidth + 1) {
    problems.push(`${describe(element)} overflows its box: ${element.scrollWidth} > ${element.clientWidth}`);
  }
}
for (const chart of document.querySelectorAll('svg.chart')) {
  const box = chart.getBoundingClientRect();
  const name = chart.getAttribute('aria-labelledby');
  for (const label of chart.querySelectorAll('text')) {
    const drawn = label.getBoundingClientRect();
    if (drawn.left < box.left - 1 || drawn.right > box.right + 1
        || drawn.top < box.top - 1 || drawn.bottom > box.bottom + 1) {
      problems.push(`${name}: ${describe(label)} is cut off: ${Math.round(drawn.left)}..${Math.round(drawn.right)} × ${Math.round(drawn.top)}..${Math.round(drawn.bottom)} outside ${Math.round(box.left)}..${Math.round(box.right)} × ${Math.round(box.top)}..${Math.round(box.bottom)}`);
    }
  }
  for (const axis of ['x-tick', 'y-tick']) {
    const ticks = [...chart.querySelectorAll(`text.${axis}`)].map((tick) => tick.textContent.trim());
    if (new Set(ticks).size !== ticks.length) {
      problems.push(`${name}: the ${axis} labels repeat: ${ticks.join(', ')}`);
    }
  }
  if (chart.querySelectorAll('text.y-tick').length < 2) {
    problems.push(`${name}: fewer than two value ticks`);
  }
}
return problems;
"#;

/// Pages that scroll sideways at phone width because of markup outside the charts, each with its
/// cause, for their templates' owners to fix (then the entry goes): the page-scroll problem is
/// printed for these, not failed on. Every other check still holds on them.
const KNOWN_SIDEWAYS_SCROLL: [(&str, &str); 0] = [];

/// Waits for the page's main content, screenshots it and returns its layout problems.
async fn check_page(client: &Client, url: &str, screenshot_name: &str) -> Vec<String> {
    client.goto(url).await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main"))
        .await
        .unwrap_or_else(|error| panic!("{url} has no main: {error}"));
    screenshot(client, screenshot_name).await;
    screenshot_each_chart(client, screenshot_name).await;
    let problems = client.execute(LAYOUT_PROBLEMS, vec![]).await.unwrap();
    let known_cause = KNOWN_SIDEWAYS_SCROLL
        .iter()
        .find(|(name, _)| *name == screenshot_name)
        .map(|(_, cause)| *cause);
    serde_json::from_value::<Vec<String>>(problems)
        .unwrap()
        .into_iter()
        .filter(|problem| match known_cause {
            Some(cause) if problem.starts_with("the page scrolls sideways") => {
                eprintln!("known, not failed on ({cause}): {screenshot_name}: {problem}");
                false
            }
            _ => true,
        })
        .map(|problem| format!("{screenshot_name}: {problem}"))
        .collect()
}

/// Scrolls each chart into view and screenshots it as `<name>-chart-<n>`.
async fn screenshot_each_chart(client: &Client, screenshot_name: &str) {
    let count = client
        .execute(
            "return document.querySelectorAll('svg.chart').length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0);
    for index in 0..count {
        client
            .execute(
                "document.querySelectorAll('svg.chart')[arguments[0]].scrollIntoView({block: 'center'});",
                vec![serde_json::json!(index)],
            )
            .await
            .unwrap();
        screenshot(client, &format!("{screenshot_name}-chart-{}", index + 1)).await;
    }
}

async fn tick_labels(client: &Client, chart: &str, axis: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll(\"svg[aria-labelledby='{chart}-title'] text.{axis}\")].map((tick) => tick.textContent.trim());"
    );
    serde_json::from_value(client.execute(&script, vec![]).await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_public_page_fits_its_width_in_english_and_arabic() {
    let Some(browser) = browser::browser().await else {
        return;
    };
    let node = support::start().await;
    let client = &browser.client;
    let base = &node.base;
    let incident = format!("/dashboard/incidents/{}", node.public_ids[3]);
    let pages: [(&str, &str); 9] = [
        ("overview", "/dashboard"),
        ("incidents", "/dashboard/incidents"),
        ("incident", &incident),
        ("parties", "/dashboard/parties"),
        ("party", "/dashboard/parties/RU"),
        ("claims", "/dashboard/claims"),
        ("norms", "/dashboard/norms"),
        ("verify", "/dashboard/verify"),
        // A party's duties kept by kind over time: one stacked chart per kind of duty.
        ("commitments-party", "/dashboard/commitments/EE"),
    ];
    let mut problems = Vec::new();
    for (width, height) in [DESKTOP, PHONE] {
        client.set_window_size(width, height).await.unwrap();
        for language in ["en", "ar"] {
            for (name, path) in pages {
                let url = format!("{base}{path}?lang={language}");
                let screenshot_name = format!("layout-{name}-{language}-{width}");
                problems.extend(check_page(client, &url, &screenshot_name).await);
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The overview's incidents span 2007 to 2022: drawn by year, on a whole-number axis.
    client
        .goto(&format!("{base}/dashboard?lang=en"))
        .await
        .unwrap();
    let years: Vec<String> = (2007..=2022).map(|year| year.to_string()).collect();
    assert_eq!(tick_labels(client, "by-month", "x-tick").await, years);
    let value_ticks = tick_labels(client, "by-month", "y-tick").await;
    assert_eq!(value_ticks.first().map(String::as_str), Some("0"));
    assert!(
        value_ticks.iter().all(|tick| tick.parse::<u64>().is_ok()),
        "{value_ticks:?}"
    );
    assert!(tick_labels(client, "by-severity", "x-tick").await.len() > 1);

    // EE's acknowledgements of the kit's threads are kept: their chart is drawn, its months on
    // a left-to-right axis and its legend inside it, in Arabic too.
    for language in ["en", "ar"] {
        client
            .goto(&format!("{base}/dashboard/commitments/EE?lang={language}"))
            .await
            .unwrap();
        let months = tick_labels(client, "duties-acknowledge", "x-tick").await;
        assert!(!months.is_empty(), "{language}: no duties-kept chart");
        assert!(
            months
                .iter()
                .all(|month| month.len() == 7 && month.as_bytes()[4] == b'-'),
            "{language}: {months:?}"
        );
        let legend: Vec<String> = serde_json::from_value(
            client
                .execute(
                    "return [...document.querySelectorAll(\"svg[aria-labelledby='duties-acknowledge-title'] text.legend\")].map((entry) => entry.textContent.trim());",
                    vec![],
                )
                .await
                .unwrap(),
        )
        .unwrap();
        assert_eq!(legend.len(), 3, "{language}: {legend:?}");
    }
}
