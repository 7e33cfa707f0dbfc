//! Per-tenant typed custom fields on customers (billing, shipping, warranty details...).
//!
//! A tenant defines its fields ([`FieldDefs`]); values come in as text (a CSV cell, a form
//! input) and leave as typed [`FieldValue`]s. Numbers are `f64` (finite only): counts and
//! measures; anything that must add up exactly is a money field (integer minor units). Dates
//! are ISO `YYYY-MM-DD` only, because `01/02/2024` means a different day in Paris and Boston.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::typed_text::{finite_number, shown};

/// Longest text a text field holds when its definition sets no limit.
pub const DEFAULT_TEXT_MAX_LEN: u32 = 1000;

/// Errors defining fields or reading their values; each names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A key outside `[a-z][a-z0-9_]{0,62}`.
    #[error("field key {0:?} must be a lower-case letter then up to 62 of a-z, 0-9, _")]
    BadKey(String),
    /// Two definitions share a key.
    #[error("field {0:?} is defined twice")]
    DuplicateKey(String),
    /// A choice field without options, or with an option twice.
    #[error("field {key:?}: {reason}")]
    BadDefinition {
        /// The field.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value for a field the tenant did not define.
    #[error("unknown field {0:?}")]
    Unknown(String),
    /// A required field has no value.
    #[error("field {0:?} is required")]
    Required(String),
    /// The value does not fit the field's kind.
    #[error("field {key:?}: {reason}")]
    Invalid {
        /// The field.
        key: String,
        /// Why the value was refused.
        reason: String,
    },
}

/// A field key: `[a-z][a-z0-9_]{0,62}`. Also names ticket fields that script answers save to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldKey(String);

impl FieldKey {
    /// Checks `key` against the pattern.
    pub fn new(key: &str) -> Result<FieldKey, FieldError> {
        let b = key.as_bytes();
        let ok = (1..=63).contains(&b.len())
            && b[0].is_ascii_lowercase()
            && b[1..]
                .iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
        if ok {
            Ok(FieldKey(key.to_owned()))
        } else {
            Err(FieldError::BadKey(key.chars().take(80).collect()))
        }
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Derived `Eq`, `Ord` and `Hash` are the inner string's, so lookups by `&str` agree.
impl std::borrow::Borrow<str> for FieldKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FieldKey {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        FieldKey::new(&s)
    }
}

impl From<FieldKey> for String {
    fn from(k: FieldKey) -> String {
        k.0
    }
}

impl fmt::Display for FieldKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The type of a custom field. JSON: `{"type": "money", "currency": "EUR"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text up to `max_len` characters ([`DEFAULT_TEXT_MAX_LEN`] when absent).
    Text {
        /// Limit in characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_len: Option<u32>,
    },
    /// A finite decimal number, held as `f64`.
    Number,
    /// An amount in the given currency.
    Money {
        /// The one currency of this field.
        currency: Currency,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of a fixed list of options.
    Choice {
        /// The options, as stored and shown.
        options: Vec<String>,
    },
}

/// A tenant's definition of one custom field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Stable key, used in imports (`field:plan`) and the API.
    pub key: FieldKey,
    /// What agents see.
    pub label: String,
    /// The field's type.
    pub kind: FieldKind,
    /// Whether every customer must have a value.
    #[serde(default)]
    pub required: bool,
}

/// A typed value. JSON: `{"type": "money", "value": {"minor": 1250, "currency": "EUR"}}`,
/// `{"type": "date", "value": "2024-05-01"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// Text.
    Text(String),
    /// A finite number.
    Number(f64),
    /// An amount.
    Money(Money),
    /// A date.
    Date(Date),
    /// The chosen option, spelled as in the definition.
    Choice(String),
}

/// A tenant's set of field definitions, keys unique.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<FieldDef>", into = "Vec<FieldDef>")]
pub struct FieldDefs {
    defs: BTreeMap<FieldKey, FieldDef>,
}

impl FieldDefs {
    /// Checks the definitions: unique keys, choice fields with distinct, non-empty options.
    pub fn new(defs: Vec<FieldDef>) -> Result<FieldDefs, FieldError> {
        let mut map = BTreeMap::new();
        for def in defs {
            if let FieldKind::Choice { options } = &def.kind {
                let bad = |reason: &str| FieldError::BadDefinition {
                    key: def.key.to_string(),
                    reason: reason.to_owned(),
                };
                if options.is_empty() {
                    return Err(bad("a choice needs options"));
                }
                if options.iter().any(|o| o.trim().is_empty()) {
                    return Err(bad("an option is blank"));
                }
                for (i, o) in options.iter().enumerate() {
                    if options[..i].iter().any(|p| p.eq_ignore_ascii_case(o)) {
                        return Err(bad(&format!("option {o:?} appears twice")));
                    }
                }
            }
            let key = def.key.clone();
            if map.insert(key.clone(), def).is_some() {
                return Err(FieldError::DuplicateKey(key.0));
            }
        }
        Ok(FieldDefs { defs: map })
    }

    /// The definition of `key`.
    pub fn get(&self, key: &str) -> Option<&FieldDef> {
        self.defs.get(key)
    }

    /// All definitions, by key.
    pub fn iter(&self) -> impl Iterator<Item = &FieldDef> {
        self.defs.values()
    }

    /// Reads the text of one value for field `key`. Blank text is an error: callers treat a
    /// blank cell as "no value" before asking.
    pub fn parse_value(&self, key: &str, raw: &str) -> Result<FieldValue, FieldError> {
        let def = self
            .get(key)
            .ok_or_else(|| FieldError::Unknown(key.to_owned()))?;
        parse_with(def, raw)
    }

    /// Checks a JSON object from a form or the API (`{"plan": "gold", "credit": "12.50"}`;
    /// numbers may be JSON numbers, `null` means absent) and returns the typed values. Reports
    /// every problem, unknown fields and missing required ones included.
    pub fn validate(
        &self,
        values: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<BTreeMap<String, FieldValue>, Vec<FieldError>> {
        let mut typed = BTreeMap::new();
        let mut errors = Vec::new();
        for (key, value) in values {
            let Some(def) = self.get(key) else {
                errors.push(FieldError::Unknown(key.clone()));
                continue;
            };
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) if s.trim().is_empty() => continue,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => {
                    errors.push(invalid(key, "expected text or a number"));
                    continue;
                }
            };
            match parse_with(def, &text) {
                Ok(v) => {
                    typed.insert(key.clone(), v);
                }
                Err(e) => errors.push(e),
            }
        }
        errors.extend(self.missing_required(&typed));
        if errors.is_empty() {
            Ok(typed)
        } else {
            Err(errors)
        }
    }

    /// One [`FieldError::Required`] for each required field without a value in `values`.
    pub fn missing_required<'a>(
        &'a self,
        values: &'a BTreeMap<String, FieldValue>,
    ) -> impl Iterator<Item = FieldError> + 'a {
        self.defs
            .values()
            .filter(|d| d.required && !values.contains_key(d.key.as_str()))
            .map(|d| FieldError::Required(d.key.to_string()))
    }
}

impl TryFrom<Vec<FieldDef>> for FieldDefs {
    type Error = FieldError;
    fn try_from(defs: Vec<FieldDef>) -> Result<Self, Self::Error> {
        FieldDefs::new(defs)
    }
}

impl From<FieldDefs> for Vec<FieldDef> {
    fn from(defs: FieldDefs) -> Vec<FieldDef> {
        defs.defs.into_values().collect()
    }
}

fn invalid(key: &str, reason: impl Into<String>) -> FieldError {
    FieldError::Invalid {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

fn parse_with(def: &FieldDef, raw: &str) -> Result<FieldValue, FieldError> {
    let key = def.key.as_str();
    let text = raw.trim();
    if text.is_empty() {
        return Err(invalid(key, "blank"));
    }
    match &def.kind {
        FieldKind::Text { max_len } => {
            let limit = max_len.unwrap_or(DEFAULT_TEXT_MAX_LEN);
            if text.chars().count() > limit as usize {
                return Err(invalid(key, format!("longer than {limit} characters")));
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(invalid(key, "contains control characters"));
            }
            Ok(FieldValue::Text(text.to_owned()))
        }
        FieldKind::Number => finite_number(text)
            .map(FieldValue::Number)
            .ok_or_else(|| invalid(key, format!("not a number: {}", shown(text)))),
        FieldKind::Money { currency } => Money::parse(text, *currency)
            .map(FieldValue::Money)
            .map_err(|e| invalid(key, e.to_string())),
        FieldKind::Date => text
            .parse::<Date>()
            .map(FieldValue::Date)
            .map_err(|_| invalid(key, format!("not a date (YYYY-MM-DD): {}", shown(text)))),
        FieldKind::Choice { options } => options
            .iter()
            .find(|o| o.as_str() == text)
            .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case(text)))
            .map(|o| FieldValue::Choice(o.clone()))
            .ok_or_else(|| invalid(key, format!("{} is not one of the options", shown(text)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(key: &str, kind: FieldKind, required: bool) -> FieldDef {
        FieldDef {
            key: FieldKey::new(key).unwrap(),
            label: key.to_uppercase(),
            kind,
            required,
        }
    }

    fn defs() -> FieldDefs {
        FieldDefs::new(vec![
            def("note", FieldKind::Text { max_len: Some(5) }, false),
            def("score", FieldKind::Number, false),
            def(
                "credit",
                FieldKind::Money {
                    currency: "EUR".parse().unwrap(),
                },
                false,
            ),
            def("since", FieldKind::Date, false),
            def(
                "plan",
                FieldKind::Choice {
                    options: vec!["Gold".into(), "Silver".into()],
                },
                true,
            ),
        ])
        .unwrap()
    }

    #[test]
    fn keys_follow_the_pattern() {
        assert!(FieldKey::new("plan_2").is_ok());
        for bad in ["", "2plan", "Plan", "pl-an", "é", &"a".repeat(64)] {
            assert!(FieldKey::new(bad).is_err(), "{bad:?}");
        }
        assert!(FieldKey::new(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn each_kind_reads_its_text() {
        let d = defs();
        assert_eq!(
            d.parse_value("note", " hi ").unwrap(),
            FieldValue::Text("hi".into())
        );
        assert_eq!(
            d.parse_value("score", "3,5").unwrap(),
            FieldValue::Number(3.5)
        );
        let FieldValue::Money(m) = d.parse_value("credit", "12.5").unwrap() else {
            panic!()
        };
        assert_eq!(m.minor, 1250);
        assert_eq!(
            d.parse_value("since", "2024-02-29").unwrap(),
            FieldValue::Date(jiff::civil::date(2024, 2, 29))
        );
        assert_eq!(
            d.parse_value("plan", "gold").unwrap(),
            FieldValue::Choice("Gold".into())
        );
    }

    #[test]
    fn values_that_do_not_fit_are_refused_naming_the_field() {
        let d = defs();
        for (key, raw) in [
            ("note", "toolong"),
            ("score", "NaN"),
            ("score", "inf"),
            ("score", "12abc"),
            ("credit", "12.345"),
            ("since", "2023-02-29"),
            ("since", "01/02/2024"),
            ("plan", "Bronze"),
            ("plan", " "),
        ] {
            match d.parse_value(key, raw) {
                Err(FieldError::Invalid { key: k, .. }) => assert_eq!(k, key),
                other => panic!("{key}={raw:?} gave {other:?}"),
            }
        }
        assert_eq!(
            d.parse_value("nope", "x"),
            Err(FieldError::Unknown("nope".into()))
        );
    }

    #[test]
    fn validate_reports_every_problem() {
        let d = defs();
        let form: serde_json::Map<_, _> =
            serde_json::from_str(r#"{"score": 4, "credit": "x", "color": "red", "note": null}"#)
                .unwrap();
        let errors = d.validate(&form).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.contains(&FieldError::Unknown("color".into())));
        assert!(errors.contains(&FieldError::Required("plan".into())));
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, FieldError::Invalid { key, .. } if key == "credit"))
        );
    }

    #[test]
    fn validate_returns_typed_values() {
        let form: serde_json::Map<_, _> =
            serde_json::from_str(r#"{"score": 4.25, "plan": "Silver", "note": ""}"#).unwrap();
        let typed = defs().validate(&form).unwrap();
        assert_eq!(typed.len(), 2);
        assert_eq!(typed["score"], FieldValue::Number(4.25));
    }

    #[test]
    fn definitions_with_duplicate_keys_or_options_are_refused() {
        let dup = FieldDefs::new(vec![
            def("a", FieldKind::Date, false),
            def("a", FieldKind::Number, false),
        ]);
        assert_eq!(dup, Err(FieldError::DuplicateKey("a".into())));
        let opts = FieldDefs::new(vec![def(
            "c",
            FieldKind::Choice {
                options: vec!["x".into(), "X".into()],
            },
            false,
        )]);
        assert!(matches!(opts, Err(FieldError::BadDefinition { .. })));
        let empty = FieldDefs::new(vec![def("c", FieldKind::Choice { options: vec![] }, false)]);
        assert!(matches!(empty, Err(FieldError::BadDefinition { .. })));
    }

    #[test]
    fn definitions_and_values_round_trip_through_json() {
        let d = defs();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<FieldDefs>(&json).unwrap(), d);
        let v = d.parse_value("credit", "1.05").unwrap();
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"type":"money","value":{"minor":105,"currency":"EUR"}}"#
        );
        assert_eq!(serde_json::from_str::<FieldValue>(&json).unwrap(), v);
        let date = d.parse_value("since", "2024-05-01").unwrap();
        assert_eq!(
            serde_json::to_string(&date).unwrap(),
            r#"{"type":"date","value":"2024-05-01"}"#
        );
    }
}
