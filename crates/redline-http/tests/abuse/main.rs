#![allow(clippy::unwrap_used)]
//! The abuse-case suite: for every route family, each kind of hostile actor — an anonymous
//! visitor, another party, a revoked key, a non-reader, a non-participant — tries what it must
//! not, against a real node (SQLite, real HTTP on a loopback port, real Ed25519 signatures).
//! Every case names the rule it checks in its name and its doc comment, and fails if the rule
//! is broken. Every new feature adds its cases here, in the module of its route family.

#[path = "../support/mod.rs"]
mod support;

mod connections;
mod hotline;
mod incidents;
mod taxii;
