//! Abuse cases: connections.

#[allow(unused_imports)]
use super::support;
