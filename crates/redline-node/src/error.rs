//! What a use case can refuse, in words the HTTP layer and the CLI turn into answers.

use redline_model::{ModelError, ValidationIssue};
use redline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The input broke a rule; every problem with its JSON path.
    #[error("invalid input: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ValidationIssue>),
    /// The JSON itself could not be read.
    #[error("{0}")]
    Malformed(ModelError),
    /// No such record, or one the caller may not see (the two are not told apart).
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No valid credentials.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// A hotline message was refused; the rejection names exactly what failed.
    #[error("message rejected: {0}")]
    Rejected(redline_hotline::Rejection),
    /// Something on the node's side failed; details go to the log, not to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl NodeError {
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        NodeError::Invalid(vec![ValidationIssue::new(path, message)])
    }
}

impl From<ModelError> for NodeError {
    fn from(error: ModelError) -> Self {
        match error {
            ModelError::Invalid { issues } => NodeError::Invalid(issues),
            ModelError::Shape { path, message } => {
                NodeError::Invalid(vec![ValidationIssue::new(path, message)])
            }
            malformed @ ModelError::MalformedJson { .. } => NodeError::Malformed(malformed),
        }
    }
}

/// Why the node's database is not ready to serve: the readiness check's answer
/// ([`crate::Node::check_database`]), so the HTTP layer need not know the store's errors.
#[derive(Debug, thiserror::Error)]
pub enum UnhealthyDatabase {
    /// The database file failed SQLite's integrity check: some of its pages are damaged.
    #[error(
        "the database {file} is corrupt: SQLite's quick_check found {findings}; restore it from a backup"
    )]
    Corrupt { file: String, findings: String },
    /// The database did not answer, or answered with an error.
    #[error("{0}")]
    Unanswered(String),
}

impl UnhealthyDatabase {
    /// Whether the database answered but failed its integrity check.
    pub fn is_corrupt_database(&self) -> bool {
        matches!(self, UnhealthyDatabase::Corrupt { .. })
    }
}

impl From<StoreError> for UnhealthyDatabase {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::CorruptDatabase { file, findings } => {
                UnhealthyDatabase::Corrupt { file, findings }
            }
            other => UnhealthyDatabase::Unanswered(other.to_string()),
        }
    }
}

impl From<StoreError> for NodeError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => NodeError::Conflict(message),
            StoreError::NotFound(message) => NodeError::NotFound(message),
            other => NodeError::Internal(other.to_string()),
        }
    }
}
