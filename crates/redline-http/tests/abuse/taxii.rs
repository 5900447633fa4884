//! Abuse cases: taxii.

#[allow(unused_imports)]
use super::support;
