//! Load errors: where in the flow file something is wrong, and what.

use std::fmt;

/// A place in a flow file, both counted from 1 as editors show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Position {
    /// The first character of the file.
    pub const START: Position = Position { line: 1, column: 1 };
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One problem found while loading a flow.
///
/// Displays as `line 12, column 5: node "main" sends "3" to unknown node "billing"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct FlowError {
    /// Line of the offending YAML, from 1.
    pub line: usize,
    /// Column of the offending YAML, from 1.
    pub column: usize,
    /// What is wrong, in the administrator's words.
    pub message: String,
}

impl FlowError {
    /// An error at `position`.
    pub fn at(position: Position, message: impl Into<String>) -> Self {
        FlowError {
            line: position.line,
            column: position.column,
            message: message.into(),
        }
    }

    /// Where the error is.
    pub fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }
}

/// Every problem found in a flow file, in file order; a flow with any of them is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowErrors(Vec<FlowError>);

impl FlowErrors {
    /// Sorts by position so reports read top to bottom whatever order the checks ran in.
    pub(crate) fn new(mut errors: Vec<FlowError>) -> Self {
        errors.sort_by_key(FlowError::position);
        errors.dedup();
        FlowErrors(errors)
    }

    /// The errors, in file order.
    pub fn errors(&self) -> &[FlowError] {
        &self.0
    }

    /// Takes the errors out.
    pub fn into_vec(self) -> Vec<FlowError> {
        self.0
    }
}

impl fmt::Display for FlowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FlowErrors {}

impl IntoIterator for FlowErrors {
    type Item = FlowError;
    type IntoIter = std::vec::IntoIter<FlowError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
