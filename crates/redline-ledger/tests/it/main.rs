//! The one integration-test binary of redline-ledger.

// Test helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod known_answers;
mod log_and_storage;
mod properties;
mod support;
