#![allow(clippy::unwrap_used)]
//! The abuse-case suite: for every route family, each kind of hostile actor — an anonymous
//! visitor, another party, a revoked key, a non-reader, a non-participant — tries what it must
//! not, against a real node (SQLite, real HTTP on a loopback port, real Ed25519 signatures).
//! Every case names the rule it checks in its name and its doc comment, and fails if the rule
//! is broken. Every new feature adds its cases here, in the module of its route family.

#[path = "../support/mod.rs"]
mod support;

mod claims;
mod commitments;
mod connections;
mod console;
mod disclosure;
mod exercises;
mod federation;
mod hotline;
mod incidents;
mod notifications;
mod routes;
mod supply_chain;
mod taxii;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Who sends a request in an abuse case.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Anonymous,
    Party(&'a str),
    /// A syntactically valid token that was revoked or never issued.
    Token(&'a str),
}

/// Sends a JSON request to the test node as `actor`; returns the status and the JSON body
/// (`Value::Null` when the body is not JSON).
pub async fn request(
    node: &support::DashboardNode,
    actor: Actor<'_>,
    method: Method,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let mut builder = client.request(method, format!("{}{path}", node.base));
    builder = match actor {
        Actor::Anonymous => builder,
        Actor::Party(party) => builder.bearer_auth(&node.tokens[party]),
        Actor::Token(token) => builder.bearer_auth(token),
    };
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if let Some(body) = body {
        builder = builder.json(body);
    }
    let response = builder.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
