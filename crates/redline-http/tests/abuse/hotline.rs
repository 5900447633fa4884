//! Abuse cases: hotline.

#[allow(unused_imports)]
use super::support;
