//! Text with `${variable}` holes, filled from the call's variables when a node runs: TTS text,
//! HTTP URLs and bodies, values of `set`, numbers to say.

use std::fmt;

use crate::session::Vars;

/// Parsed text with variable holes. A variable the call does not have is filled with nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String),
}

/// A template that cannot be read: the character offset of the problem and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl Template {
    /// Reads `text`; `$$` stands for a literal `$`.
    pub(crate) fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().enumerate().peekable();
        while let Some((at, c)) = chars.next() {
            if c != '$' {
                literal.push(c);
                continue;
            }
            match chars.peek() {
                Some((_, '$')) => {
                    chars.next();
                    literal.push('$');
                }
                Some((_, '{')) => {
                    chars.next();
                    let mut name = String::new();
                    let closed = loop {
                        match chars.next() {
                            Some((_, '}')) => break true,
                            Some((_, c)) => name.push(c),
                            None => break false,
                        }
                    };
                    if !closed {
                        return Err(TemplateError {
                            offset: at,
                            message: "\"${\" is not closed by \"}\"".into(),
                        });
                    }
                    if !is_var_name(&name) {
                        return Err(TemplateError {
                            offset: at,
                            message: format!(
                                "\"${{{name}}}\" is not a variable name (letters, digits, \"_\" and \".\")"
                            ),
                        });
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Var(name));
                }
                _ => literal.push('$'),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Template { parts })
    }

    /// Fills the holes from `vars`.
    pub fn render(&self, vars: &Vars) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var(name) => out.push_str(vars.get(name).map_or("", String::as_str)),
            }
        }
        out
    }

    /// The variables it reads.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(name) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }
}

impl fmt::Display for Template {
    /// As written, holes included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Text(text) => f.write_str(&text.replace('$', "$$"))?,
                Part::Var(name) => write!(f, "${{{name}}}")?,
            }
        }
        Ok(())
    }
}

/// A variable name: letters, digits, `_` and `.`, not starting with a digit.
pub(crate) fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars::from([("caller_number".into(), "+33612345678".into())])
    }

    #[test]
    fn holes_are_filled_from_variables() {
        let t = Template::parse("https://crm/c?n=${caller_number}&x=${missing}").unwrap();
        assert_eq!(t.render(&vars()), "https://crm/c?n=+33612345678&x=");
    }

    #[test]
    fn dollars_are_kept_or_escaped() {
        let t = Template::parse("cost $5 or $$6").unwrap();
        assert_eq!(t.render(&vars()), "cost $5 or $6");
    }

    #[test]
    fn an_unclosed_hole_is_reported_at_its_dollar() {
        let e = Template::parse("ab ${name").unwrap_err();
        assert_eq!(e.offset, 3);
    }

    #[test]
    fn a_bad_variable_name_is_reported() {
        assert!(Template::parse("${1x}").is_err());
        assert!(Template::parse("${}").is_err());
    }
}
