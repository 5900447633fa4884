//! Errors of the model: what was wrong and at which JSON path.

use std::fmt;

/// One problem found in a document, with the JSON path where it was found (`targets[0].sector`;
/// `.` for the document itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValidationIssue {
    pub path: String,
    pub message: String,
}

impl ValidationIssue {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes are not JSON at all, or JSON that ends too early.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed JSON whose shape or values do not fit the contract; names the JSON path.
    #[error("{path}: {message}")]
    Shape { path: String, message: String },
    /// The document parsed but breaks one or more rules; every problem is listed.
    #[error("{}", issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid { issues: Vec<ValidationIssue> },
}

impl ModelError {
    /// Every problem with its path, for error bodies that list them.
    pub fn issues(&self) -> Vec<ValidationIssue> {
        match self {
            ModelError::MalformedJson {
                line,
                column,
                message,
            } => vec![ValidationIssue::new(
                ".",
                format!("malformed JSON at line {line}, column {column}: {message}"),
            )],
            ModelError::Shape { path, message } => {
                vec![ValidationIssue::new(path.clone(), message.clone())]
            }
            ModelError::Invalid { issues } => issues.clone(),
        }
    }

    /// The JSON path of the first problem.
    pub fn path(&self) -> String {
        self.issues()
            .first()
            .map(|issue| issue.path.clone())
            .unwrap_or_else(|| ".".to_string())
    }
}

/// `value` when `issues` is empty; otherwise every issue, as a parser answers once it has
/// checked every rule.
pub fn valid_or_invalid<T>(value: T, issues: Vec<ValidationIssue>) -> Result<T, ModelError> {
    if issues.is_empty() {
        Ok(value)
    } else {
        Err(ModelError::Invalid { issues })
    }
}

/// Parse JSON into `T`, naming the JSON path of the first problem.
pub fn parse_json_with_path<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ModelError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = json_path_text(error.path());
        let inner = error.into_inner();
        classify_json_error(path, inner)
    })?;
    deserializer
        .end()
        .map_err(|inner| classify_json_error(".".to_string(), inner))?;
    Ok(value)
}

fn classify_json_error(path: String, inner: serde_json::Error) -> ModelError {
    use serde_json::error::Category;
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => ModelError::MalformedJson {
            line: inner.line(),
            column: inner.column(),
            message: strip_position(&inner.to_string()),
        },
        Category::Data => {
            let message = strip_position(&inner.to_string());
            ModelError::Shape {
                path: path_with_named_field(path, &message),
                message,
            }
        }
    }
}

/// serde_json appends " at line L column C" to its messages; the path says where instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// serde reports a missing or unknown field at the object that holds it; the path should end at
/// the field itself (`targets[0].colour`, not `targets[0]`).
fn path_with_named_field(path: String, message: &str) -> String {
    let field = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match field {
        Some(field) if path == "." => field.to_string(),
        Some(field) if !path.ends_with(field) => format!("{path}.{field}"),
        _ => path,
    }
}

fn json_path_text(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text.is_empty() || text == "." {
        ".".to_string()
    } else {
        text
    }
}
