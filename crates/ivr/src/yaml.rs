//! A small YAML tree where every node knows its position, built from `saphyr-parser` events.
//!
//! We build our own tree rather than use a typed deserializer so that validation can walk the
//! whole file and report every problem, keep duplicate keys visible (a YAML map would silently
//! keep the last one), and decide what each scalar means from context: `1:` is the DTMF key "1",
//! not an integer, and `no` stays the word "no".

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use crate::error::{FlowError, Position};

/// Deeper nesting than this is not a flow; the limit keeps hostile input from exhausting memory
/// or the stack of the recursive walks over the tree.
const MAX_DEPTH: usize = 32;

/// A YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Yaml {
    pub pos: Position,
    pub value: Value,
}

/// The content of a YAML node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A scalar's text; `plain` is false when it was quoted or a block scalar.
    Scalar {
        text: String,
        plain: bool,
    },
    Sequence(Vec<Yaml>),
    /// Entries in file order, duplicates kept.
    Mapping(Vec<(Yaml, Yaml)>),
}

impl Yaml {
    /// The text of a scalar, `None` for a sequence or a mapping.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is YAML's null: nothing written, `~` or `null`, unquoted.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// What an administrator would call this node in an error message.
    pub fn shape(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "nothing",
            Value::Scalar { .. } => "a single value",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }
}

fn position(marker: Marker) -> Position {
    Position {
        line: marker.line().max(1),
        column: marker.col() + 1,
    }
}

fn syntax_error(error: &ScanError) -> FlowError {
    FlowError::at(
        position(*error.marker()),
        format!("YAML syntax: {}", error.info()),
    )
}

/// A collection still being filled while its events arrive.
enum Open {
    Sequence(Position, Vec<Yaml>),
    Mapping(Position, Vec<(Yaml, Yaml)>, Option<Yaml>),
}

/// Parses one YAML document. A syntax error stops the parse: past it the structure is a guess.
pub(crate) fn parse(source: &str) -> Result<Yaml, FlowError> {
    let mut parser = Parser::new_from_str(source);
    let mut open: Vec<Open> = Vec::new();
    let mut root: Option<Yaml> = None;
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| syntax_error(&e))?;
        let pos = position(span.start);
        let done = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(FlowError::at(
                        pos,
                        "a flow file holds one YAML document; remove the second \"---\"",
                    ));
                }
                None
            }
            Event::Alias(_) => {
                return Err(FlowError::at(
                    pos,
                    "YAML aliases (*name) are not supported in flow files; write the value out",
                ));
            }
            Event::Scalar(_, _, _, Some(_))
            | Event::SequenceStart(_, Some(_))
            | Event::MappingStart(_, Some(_)) => {
                return Err(FlowError::at(
                    pos,
                    "YAML tags (!name) are not supported in flow files",
                ));
            }
            Event::Scalar(text, style, _, None) => Some(Yaml {
                pos,
                value: Value::Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                },
            }),
            Event::SequenceStart(_, None) | Event::MappingStart(_, None)
                if open.len() >= MAX_DEPTH =>
            {
                return Err(FlowError::at(
                    pos,
                    format!("nested more than {MAX_DEPTH} levels deep"),
                ));
            }
            Event::SequenceStart(_, None) => {
                open.push(Open::Sequence(pos, Vec::new()));
                None
            }
            Event::MappingStart(_, None) => {
                open.push(Open::Mapping(pos, Vec::new(), None));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some(Open::Sequence(pos, items)) => Some(Yaml {
                    pos,
                    value: Value::Sequence(items),
                }),
                Some(Open::Mapping(pos, entries, None)) => Some(Yaml {
                    pos,
                    value: Value::Mapping(entries),
                }),
                // The parser pairs every start with an end and every key with a value; if a
                // future version did not, a refusal is better than a made-up tree.
                Some(Open::Mapping(_, _, Some(_))) | None => {
                    return Err(FlowError::at(pos, "YAML syntax: unbalanced structure"));
                }
            },
        };
        if let Some(node) = done {
            match open.last_mut() {
                None => root = Some(node),
                Some(Open::Sequence(_, items)) => items.push(node),
                Some(Open::Mapping(_, entries, key)) => match key.take() {
                    None => *key = Some(node),
                    Some(k) => entries.push((k, node)),
                },
            }
        }
    }
    root.ok_or_else(|| FlowError::at(Position::START, "the flow file is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let tree = parse("name: demo\nnodes:\n  welcome: [a, \"b\"]\n").unwrap();
        let Value::Mapping(top) = &tree.value else {
            panic!("mapping expected")
        };
        assert_eq!(top[0].0.pos, pos(1, 1));
        assert_eq!(top[0].1.pos, pos(1, 7));
        let Value::Mapping(nodes) = &top[1].1.value else {
            panic!("mapping expected")
        };
        assert_eq!(nodes[0].0.pos, pos(3, 3));
        let Value::Sequence(items) = &nodes[0].1.value else {
            panic!("sequence expected")
        };
        assert_eq!(items[1].pos, pos(3, 16));
        assert_eq!(
            items[1].value,
            Value::Scalar {
                text: "b".into(),
                plain: false
            }
        );
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let tree = parse("a: 1\na: 2\n").unwrap();
        let Value::Mapping(entries) = &tree.value else {
            panic!("mapping expected")
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn syntax_error_has_its_position() {
        let error = parse("a: [1, 2\n").unwrap_err();
        assert_eq!(error.position(), pos(2, 1));
        assert!(error.message.starts_with("YAML syntax: "), "{error}");
    }

    #[test]
    fn aliases_are_refused() {
        let error = parse("a: &x 1\nb: *x\n").unwrap_err();
        assert_eq!(error.position(), pos(2, 4));
    }

    #[test]
    fn second_document_is_refused() {
        let error = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(error.position(), pos(2, 1));
    }

    #[test]
    fn empty_file_is_refused() {
        assert_eq!(
            parse("# nothing\n").unwrap_err().message,
            "the flow file is empty"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let source = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let error = parse(&source).unwrap_err();
        assert!(error.message.contains("nested"), "{error}");
    }

    #[test]
    fn null_forms_are_recognised_only_unquoted() {
        let tree = parse("[~, null, '', \"null\", x]").unwrap();
        let Value::Sequence(items) = &tree.value else {
            panic!("sequence expected")
        };
        let nulls: Vec<bool> = items.iter().map(Yaml::is_null).collect();
        assert_eq!(nulls, [true, true, false, false, false]);
    }
}
