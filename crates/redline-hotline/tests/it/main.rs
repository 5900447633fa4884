//! The one integration-test binary of redline-hotline.

// Test helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod deadlines;
mod envelopes;
mod forms;
mod keys;
mod messages;
mod properties;
mod support;
mod threads;
mod verification;
