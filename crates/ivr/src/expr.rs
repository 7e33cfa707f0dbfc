//! The condition language of `condition` nodes: comparisons over variables, joined with
//! `and`, `or`, `not` and parentheses.
//!
//! ```text
//! vip == "yes" and not (now.weekday == "sun")
//! caller_number starts_with "+33" or balance > 1000
//! ```
//!
//! Operands are variable names (a missing variable is the empty text), `"text"` or `'text'`
//! literals and integers. `==`, `!=`, `<` and `>` compare as integers when both sides are
//! integers, as text otherwise (so `now.time < "12:30"` works on `HH:MM`). An operand alone is
//! true when it is neither empty, `0` nor `false`. `and` binds tighter than `or`. The parser is
//! hand-written so every error carries its column.

use std::cmp::Ordering;
use std::fmt;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Both sides true.
    And(Box<Expr>, Box<Expr>),
    /// Either side true.
    Or(Box<Expr>, Box<Expr>),
    /// The opposite.
    Not(Box<Expr>),
    /// Two operands compared.
    Compare(Operand, Op, Operand),
    /// One operand taken as a yes/no.
    Truthy(Operand),
}

/// A value in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A variable, read when the condition is evaluated.
    Var(String),
    /// A quoted text.
    Text(String),
    /// A whole number.
    Int(i64),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `starts_with`
    StartsWith,
}

/// A condition that cannot be read: character offset in the text and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// Nesting deeper than this is refused: no honest condition needs it, and the parser and the
/// evaluator recurse.
const MAX_DEPTH: usize = 32;

impl Expr {
    /// Reads a condition.
    pub(crate) fn parse(text: &str) -> Result<Expr, ExprError> {
        let tokens = lex(text)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            end: text.chars().count(),
            depth: 0,
        };
        let expr = parser.or()?;
        match parser.peek() {
            None => Ok(expr),
            Some((offset, token)) => Err(ExprError {
                offset,
                message: format!("unexpected {token} after a complete condition"),
            }),
        }
    }

    /// Evaluates with `lookup` giving variables' values.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            Expr::And(a, b) => a.eval(lookup) && b.eval(lookup),
            Expr::Or(a, b) => a.eval(lookup) || b.eval(lookup),
            Expr::Not(a) => !a.eval(lookup),
            Expr::Truthy(a) => {
                let v = a.value(lookup);
                !(v.is_empty() || v == "0" || v == "false")
            }
            Expr::Compare(a, op, b) => {
                let (a, b) = (a.value(lookup), b.value(lookup));
                let order = || match (a.trim().parse::<i64>(), b.trim().parse::<i64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => a.cmp(&b),
                };
                match op {
                    Op::Eq => order() == Ordering::Equal,
                    Op::Ne => order() != Ordering::Equal,
                    Op::Lt => order() == Ordering::Less,
                    Op::Gt => order() == Ordering::Greater,
                    Op::StartsWith => a.starts_with(b.as_str()),
                }
            }
        }
    }
}

impl Operand {
    fn value(&self, lookup: &dyn Fn(&str) -> Option<String>) -> String {
        match self {
            Operand::Var(name) => lookup(name).unwrap_or_default(),
            Operand::Text(text) => text.clone(),
            Operand::Int(n) => n.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Int(i64),
    Op(Op),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => write!(f, "\"{w}\""),
            Token::Text(t) => write!(f, "text \"{t}\""),
            Token::Int(n) => write!(f, "number {n}"),
            Token::Op(op) => write!(f, "\"{}\"", op_text(*op)),
            Token::And => f.write_str("\"and\""),
            Token::Or => f.write_str("\"or\""),
            Token::Not => f.write_str("\"not\""),
            Token::Open => f.write_str("\"(\""),
            Token::Close => f.write_str("\")\""),
        }
    }
}

fn op_text(op: Op) -> &'static str {
    match op {
        Op::Eq => "==",
        Op::Ne => "!=",
        Op::Lt => "<",
        Op::Gt => ">",
        Op::StartsWith => "starts_with",
    }
}

fn lex(text: &str) -> Result<Vec<(usize, Token)>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let error = |offset, message: &str| ExprError {
        offset,
        message: message.to_owned(),
    };
    while let Some(&c) = chars.get(i) {
        let start = i;
        let next = chars.get(i + 1).copied();
        let token = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            '=' | '!' if next == Some('=') => {
                i += 2;
                Token::Op(if c == '=' { Op::Eq } else { Op::Ne })
            }
            '=' => return Err(error(start, "write \"==\" to compare")),
            '!' => return Err(error(start, "write \"!=\" to compare, or \"not\"")),
            '<' => {
                i += 1;
                Token::Op(Op::Lt)
            }
            '>' => {
                i += 1;
                Token::Op(Op::Gt)
            }
            '"' | '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        Some(&q) if q == c => break,
                        Some(&ch) => text.push(ch),
                        None => return Err(error(start, "this text is not closed")),
                    }
                    i += 1;
                }
                i += 1;
                Token::Text(text)
            }
            '-' | '0'..='9' => {
                let mut digits = String::from(c);
                i += 1;
                while let Some(&d) = chars.get(i).filter(|d| d.is_ascii_digit()) {
                    digits.push(d);
                    i += 1;
                }
                match digits.parse() {
                    Ok(n) => Token::Int(n),
                    Err(_) => return Err(error(start, "not a whole number in range")),
                }
            }
            _ if c.is_ascii_alphabetic() || c == '_' => {
                let mut word = String::new();
                while let Some(&w) = chars
                    .get(i)
                    .filter(|w| w.is_ascii_alphanumeric() || **w == '_' || **w == '.')
                {
                    word.push(w);
                    i += 1;
                }
                match word.as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    "starts_with" => Token::Op(Op::StartsWith),
                    _ => Token::Word(word),
                }
            }
            _ => return Err(error(start, &format!("unexpected character \"{c}\""))),
        };
        tokens.push((start, token));
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<(usize, &Token)> {
        self.tokens.get(self.at).map(|(o, t)| (*o, t))
    }

    fn next(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while matches!(self.peek(), Some((_, Token::Or))) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while matches!(self.peek(), Some((_, Token::And))) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Expr, ExprError> {
        let end = self.end;
        let Some((offset, token)) = self.next() else {
            return Err(ExprError {
                offset: end,
                message: "the condition ends where a value was expected".into(),
            });
        };
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                offset,
                message: format!("nested more than {MAX_DEPTH} levels deep"),
            });
        }
        match token {
            Token::Not => Ok(Expr::Not(Box::new(self.unary()?))),
            Token::Open => {
                let inner = self.or()?;
                match self.next() {
                    Some((_, Token::Close)) => Ok(inner),
                    Some((at, t)) => Err(ExprError {
                        offset: at,
                        message: format!("expected \")\" to close the \"(\", found {t}"),
                    }),
                    None => Err(ExprError {
                        offset,
                        message: "this \"(\" is not closed".into(),
                    }),
                }
            }
            token => {
                let left = operand(offset, token)?;
                let Some((_, Token::Op(op))) = self.peek() else {
                    return Ok(Expr::Truthy(left));
                };
                let op = *op;
                self.at += 1;
                let Some((offset, token)) = self.next() else {
                    return Err(ExprError {
                        offset: end,
                        message: format!("\"{}\" needs a value on its right", op_text(op)),
                    });
                };
                Ok(Expr::Compare(left, op, operand(offset, token)?))
            }
        }
    }
}

fn operand(offset: usize, token: Token) -> Result<Operand, ExprError> {
    match token {
        Token::Word(w) => Ok(Operand::Var(w)),
        Token::Text(t) => Ok(Operand::Text(t)),
        Token::Int(n) => Ok(Operand::Int(n)),
        other => Err(ExprError {
            offset,
            message: format!("expected a variable, a text or a number, found {other}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> bool {
        let vars = |name: &str| match name {
            "caller_number" => Some("+33612345678".to_owned()),
            "balance" => Some("1500".to_owned()),
            "vip" => Some("yes".to_owned()),
            "now.time" => Some("09:30".to_owned()),
            _ => None,
        };
        Expr::parse(text).unwrap().eval(&vars)
    }

    fn error(text: &str) -> usize {
        Expr::parse(text).unwrap_err().offset
    }

    #[test]
    fn comparisons_use_numbers_when_both_sides_are_numbers() {
        assert!(eval("balance > 999"));
        assert!(!eval("balance < 200"));
        assert!(eval("balance == \"1500\""));
    }

    #[test]
    fn comparisons_use_text_otherwise() {
        assert!(eval("now.time < \"12:00\""));
        assert!(eval("vip != 'no'"));
    }

    #[test]
    fn starts_with_tests_a_prefix() {
        assert!(eval("caller_number starts_with \"+33\""));
        assert!(!eval("caller_number starts_with \"+44\""));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        assert!(eval("vip == \"yes\" or balance < 0 and balance > 0"));
        assert!(!eval("(vip == \"yes\" or balance < 0) and balance < 0"));
    }

    #[test]
    fn not_and_bare_operands() {
        assert!(eval("not missing"));
        assert!(eval("vip and not (balance == 0)"));
    }

    #[test]
    fn errors_carry_their_offset() {
        assert_eq!(error("vip = 1"), 4);
        assert_eq!(error("vip == "), 7);
        assert_eq!(error("(vip == 1"), 0);
        assert_eq!(error("vip == 1 1"), 9);
        assert_eq!(error("vip == \"x"), 7);
        assert_eq!(error("a and and"), 6);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}x{}", "(".repeat(100), ")".repeat(100));
        assert!(Expr::parse(&text).is_err());
    }
}
