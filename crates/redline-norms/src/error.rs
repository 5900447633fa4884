//! Errors of a norms document: every problem with its file, line and column and what was
//! expected there. A document is rejected with all the problems found, not just the first.

use std::fmt;

/// One problem in a norms document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NormsError {
    /// The file name the caller passed in (the library reads no files).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for NormsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every problem found in a rejected norms document, in the order they occur in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NormsErrors {
    pub errors: Vec<NormsError>,
}

impl fmt::Display for NormsErrors {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                writeln!(formatter)?;
            }
            write!(formatter, "{error}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets into the text into 1-based lines and character columns.
pub(crate) struct SourceMap<'a> {
    pub(crate) text: &'a str,
    pub(crate) file: &'a str,
}

impl SourceMap<'_> {
    /// Line and column of a byte offset; offsets past the end point just after the last byte.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub(crate) fn error(&self, offset: usize, message: impl Into<String>) -> NormsError {
        let (line, column) = self.position(offset);
        NormsError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}
