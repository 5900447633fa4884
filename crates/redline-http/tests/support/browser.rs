//! Chromium over WebDriver for the browser tests: Debian's `chromium`, headless, driven by
//! `chromedriver` (package `chromium-driver`) with fantoccini, and screenshots written to
//! `<target>/dashboard-screenshots/`. Without chromium and chromedriver a test is skipped with
//! a message, unless `REQUIRE_BROWSER=1` (as `scripts/test` sets it), when it fails.
//!
//! One set-up for every browser test, which includes it with
//! `#[path = "support/browser.rs"] mod browser;`.
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};

/// Desktop and phone viewports the screenshots are taken at.
pub const DESKTOP: (u32, u32) = (1280, 1000);
pub const PHONE: (u32, u32) = (390, 844);

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for directory in std::env::split_paths(&path).chain([PathBuf::from("/usr/lib/chromium")]) {
        for name in names {
            let candidate = directory.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A chromedriver process and its headless chromium session; the driver ends with it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends chromedriver and the chromium it started: they share a process group of their own,
    /// and killing only the driver would leave chromium running after the test.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Starts chromedriver on a free port and a headless chromium session; `None` (skip) when they
/// are missing and the browser is not required.
pub async fn browser() -> Option<Browser> {
    let required = std::env::var("REQUIRE_BROWSER").is_ok_and(|value| value == "1");
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        assert!(
            !required,
            "REQUIRE_BROWSER=1 but chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipping: chromium or chromedriver is not installed");
        return None;
    };
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let driver = Command::new(driver)
        .arg(format!("--port={port}"))
        // Its own process group, which chromium joins, so that dropping the browser ends both.
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                format!("--user-data-dir={}", profile.path().display())
            ]
        }
    });
    let capabilities = capabilities.as_object().unwrap().clone();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut last_error = String::new();
    for _ in 0..100 {
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                });
            }
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start a session: {last_error}");
}

fn screenshot_directory() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let directory = target.join("dashboard-screenshots");
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// Writes a PNG screenshot of the current page as `<name>.png`.
pub async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(screenshot_directory().join(format!("{name}.png")), png).unwrap();
}

/// The text of the first element matching `css`, waiting up to ten seconds for it.
pub async fn text_of(client: &Client, css: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no `{css}` on the page: {error}"))
        .text()
        .await
        .unwrap()
}

/// Clicks the first element matching `css`, waiting up to ten seconds for it.
pub async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("no `{css}` to click: {error}"))
        .click()
        .await
        .unwrap();
}

/// Clicks `css` and waits until the browser has left the current URL (a form's answer), so no
/// element of the old page is read afterwards.
pub async fn click_and_wait_for_navigation(client: &Client, css: &str) {
    let before = client.current_url().await.unwrap();
    click(client, css).await;
    for _ in 0..100 {
        if client.current_url().await.unwrap() != before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("clicking `{css}` did not leave {before}");
}

/// Types `text` into the element `#id`.
pub async fn type_into(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|error| panic!("no #{id}: {error}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Chooses `value` in the select `#id`.
pub async fn choose(client: &Client, id: &str, value: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|error| panic!("no #{id}: {error}"))
        .select_by_value(value)
        .await
        .unwrap();
}

/// Signs in to the console at `base` as `party` with its `token` (any earlier session is
/// replaced), in English, and checks the console names the party.
pub async fn sign_in(client: &Client, base: &str, party: &str, token: &str) {
    client
        .goto(&format!("{base}/console/sign-in?lang=en"))
        .await
        .unwrap();
    type_into(client, "token", token).await;
    click_and_wait_for_navigation(client, "form button[type='submit']").await;
    let signed_in_as = text_of(client, "#signed-in-as").await;
    assert!(signed_in_as.contains(party), "{signed_in_as}");
}
