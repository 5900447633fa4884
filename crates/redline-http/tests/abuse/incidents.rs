//! Abuse cases: incidents.

#[allow(unused_imports)]
use super::support;
