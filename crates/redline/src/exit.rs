//! Exit codes, the same for every command.

use redline_node::NodeError;

use crate::client::RemoteError;

pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
pub const NOT_ALLOWED: u8 = 4;
pub const CONFLICT: u8 = 5;
pub const UNREACHABLE: u8 = 6;
pub const INTERNAL: u8 = 10;

pub const EXIT_CODES_HELP: &str = "Exit codes:
  0   success
  1   the input was rejected (invalid report, bad configuration); the message says where
  2   the command line itself was wrong (unknown flag, missing argument)
  3   not found (no such incident or party, or not visible to you)
  4   not signed in, or not allowed
  5   conflict (exists already, or changed by someone else first)
  6   the node could not be reached
  10  internal error (database, disk); see the message";

/// The command line lacks something this command needs that clap cannot require on its own
/// (such as `--url` and `--token` when there is no local node): exit 2, like a missing flag.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The exit code for an error, from the most specific cause in its chain.
pub fn code_for(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if let Some(node_error) = cause.downcast_ref::<NodeError>() {
            return match node_error {
                NodeError::Invalid(_) | NodeError::Malformed(_) | NodeError::Rejected(_) => FAILED,
                NodeError::NotFound(_) => NOT_FOUND,
                NodeError::Forbidden(_) | NodeError::Unauthenticated(_) => NOT_ALLOWED,
                NodeError::Conflict(_) => CONFLICT,
                NodeError::Internal(_) => INTERNAL,
            };
        }
        if let Some(remote) = cause.downcast_ref::<RemoteError>() {
            return remote.exit_code();
        }
        // Transparency log: an audit that does not hold.
        if cause
            .downcast_ref::<crate::commands::log::VerificationFailed>()
            .is_some()
        {
            return FAILED;
        }
        if cause.downcast_ref::<UsageError>().is_some() {
            return USAGE;
        }
        if cause.downcast_ref::<figment::Error>().is_some() {
            return FAILED;
        }
    }
    INTERNAL
}
