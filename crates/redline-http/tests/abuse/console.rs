//! Abuse cases: the duty officer's console (`/console…`) and its sessions.

use reqwest::{StatusCode, redirect::Policy};

use super::support;

/// Signs in with `party`'s token; returns the status and the session cookie, if one was set.
async fn sign_in(node: &support::DashboardNode, party: &str) -> (StatusCode, Option<String>) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(format!("{}/console/sign-in", node.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", percent_encode(&node.tokens[party])))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("redline_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_string);
    (response.status(), cookie)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// Whether the session behind `cookie` still opens the console.
async fn is_signed_in(node: &support::DashboardNode, cookie: &str) -> bool {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(format!("{}/console", node.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    response.status() == StatusCode::OK
}

/// Rule: sign-ins are limited per party and per address, and no one's session is ended to
/// make room for another party's (finding 16.7): a party that signs in again and again ends
/// only its own oldest sessions, and past the per-address limit sign-ins are refused.
#[tokio::test]
async fn mass_sign_ins_never_sign_another_party_out() {
    let node = support::start().await;
    let (status, ua_cookie) = sign_in(&node, "UA").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ua_cookie = ua_cookie.unwrap();
    let (_, first_ru) = sign_in(&node, "RU").await;
    let first_ru = first_ru.unwrap();
    for _ in 0..100 {
        let (status, _) = sign_in(&node, "RU").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    assert!(is_signed_in(&node, &ua_cookie).await, "UA was signed out");
    assert!(
        !is_signed_in(&node, &first_ru).await,
        "RU's own oldest session should have ended"
    );
    // Every party from this one address: the per-address limit refuses, never evicts.
    let mut refused = 0;
    for round in 0..80 {
        for party in ["EE", "IR", "GB", "US", "KP", "RU"] {
            let (status, _) = sign_in(&node, party).await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                refused += 1;
            } else {
                assert_eq!(status, StatusCode::SEE_OTHER, "round {round} {party}");
            }
        }
    }
    assert!(refused > 0, "the per-address limit never applied");
    assert!(is_signed_in(&node, &ua_cookie).await, "UA was signed out");
}
